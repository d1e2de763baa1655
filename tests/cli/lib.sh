# Shared by the CLI test scripts (sourced after `sigc=... src=...`):
# a scratch folder $tmp removed at exit, check DESC CMD... counting passes and
# failures, run_cmd CMD... capturing $tmp/out, $tmp/err and the status $st,
# and finish, which prints the counts and sets the exit status.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
check() {
    desc=$1; shift
    if "$@"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $desc"; fi
}
run_cmd() {
    "$@" >"$tmp/out" 2>"$tmp/err"
    st=$?
}
finish() {
    echo "$pass passed, $fail failed"
    [ "$fail" -eq 0 ]
}
