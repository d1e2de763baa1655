#!/bin/sh
# The index a generated matcher carries (sgm_ix: what the runtime derives
# from the tables, built by `sigc convert -t c` and emitted after the
# runtime) must be the one the tables give: --check-index builds it again at
# start-up and compares.  Checked on the golden rule sets (value lists,
# keywords, aggregations, correlations) in one matcher; then a copy with one
# word of the index changed must be refused (exit 2, the part named).  The
# whole corpus gets the same check in regression.sh.
# usage: index.sh SIGC SOURCE_ROOT
set -u
sigc=$1 root=$2
command -v cc >/dev/null || { echo "no cc: skipped"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0

"$sigc" convert -q -t c "$root"/tests/golden/ir/*.yml -o "$tmp/m.c" || { echo "FAIL: convert"; exit 1; }
grep -q '^static const sgm_index sgm_ix = {' "$tmp/m.c" || { echo "FAIL: no index in the generated file"; exit 1; }
cc -O2 -Wall -Wextra -Werror -o "$tmp/m" "$tmp/m.c" -lpcre2-8 || { echo "FAIL: build"; exit 1; }
"$tmp/m" --help | grep -q -- '--check-index' || { echo "FAIL: --help does not list --check-index"; fail=1; }
"$tmp/m" --check-index </dev/null >"$tmp/out" 2>"$tmp/err"
st=$?
if [ $st -ne 0 ] || ! grep -q '0 events from 1 inputs, 0 matches' "$tmp/err"; then
    echo "FAIL: --check-index on the emitted index exited $st:"; cat "$tmp/err"; fail=1
else
    echo "the emitted index is the one the tables give"
fi

# One word of the (gram, field) filter changed: the check must see it.
sed '/^static const uint64_t sgm_ix_field_grams/,/^};/ s/\] = 0x/] = 1 + 0x/' "$tmp/m.c" >"$tmp/bad.c"
cmp -s "$tmp/m.c" "$tmp/bad.c" && { echo "FAIL: the damage did not apply"; exit 1; }
cc -O2 -o "$tmp/bad" "$tmp/bad.c" -lpcre2-8 || { echo "FAIL: build of the damaged copy"; exit 1; }
"$tmp/bad" --check-index </dev/null >"$tmp/out" 2>"$tmp/err"
st=$?
if [ $st -ne 2 ] || ! grep -q 'error: the index emitted with the tables is not the one they give (field_grams differs)' "$tmp/err"; then
    echo "FAIL: --check-index on a damaged index exited $st:"; cat "$tmp/err"; fail=1
else
    echo "a damaged index is refused: $(cat "$tmp/err")"
fi
# without the option the program trusts what it was built with
"$tmp/bad" </dev/null 2>"$tmp/err"
st=$?
[ $st -eq 0 ] || { echo "FAIL: the damaged copy without --check-index exited $st"; cat "$tmp/err"; fail=1; }
# --check-index is the generated program's own: `sigc match` has no emitted index
"$sigc" match --check-index "$root"/tests/golden/ir/keywords_and_lists.yml </dev/null >/dev/null 2>"$tmp/err"
st=$?
if [ $st -ne 2 ] || ! grep -q "unknown option '--check-index'" "$tmp/err"; then
    echo "FAIL: sigc match --check-index exited $st, want 2 (an unknown option):"; cat "$tmp/err"; fail=1
fi
exit $fail
