# Shared by the golden runners (sourced): golden_run EXPECTED CMD... runs the
# command, writes its standard output, standard error (each line prefixed
# "stderr: ") and exit status as one text, and compares that text with the
# file EXPECTED (SIGC_GOLDEN_UPDATE=1: rewrites EXPECTED instead).  Counts
# in $pass and $fail; the command's status is left in $golden_status.
pass=0 fail=0
golden_run() {
    expected=$1
    shift
    actual=$(mktemp)
    "$@" >"$actual.out" 2>"$actual.err"
    golden_status=$?
    {
        cat "$actual.out"
        sed 's/^/stderr: /' "$actual.err"
        echo "exit: $golden_status"
    } >"$actual"
    if [ "${SIGC_GOLDEN_UPDATE:-}" = 1 ]; then
        cp "$actual" "$expected"
        pass=$((pass + 1))
    elif [ -f "$expected" ] && cmp -s "$actual" "$expected"; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        echo "FAIL: $expected"
        [ -f "$expected" ] && diff -u "$expected" "$actual" | head -40
    fi
    rm -f "$actual" "$actual.out" "$actual.err"
}
golden_finish() {
    echo "$pass passed, $fail failed"
    [ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
}
