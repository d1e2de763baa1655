#!/bin/sh
# End-to-end: `sigc check` over the whole SigmaHQ rule set.
#  - every rule file loads and compiles: zero error findings;
#  - at least the findings pySigma's validators report there with SigmaHQ's
#    configuration: 54 escaped_wildcard, 8 number_as_string and
#    4 specific_instead_of_generic_logsource, each with a line and column.
set -u
sigc=$1 shared=$2
rules=$shared/corpus/sigmahq/rules
if [ ! -d "$rules" ]; then
    echo "SKIP: $rules not found"
    exit 77
fi
out=$(mktemp)
trap 'rm -f "$out" "$out.err"' EXIT
"$sigc" check -f text --fail-level error "$rules" >"$out" 2>"$out.err"
status=$?
pass=0 fail=0
expect() { # name condition-result
    if [ "$2" = 0 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $1"; fi
}
files=$(find "$rules" -name '*.yml' -o -name '*.yaml' | wc -l)
loaded=$(sed -n 's/^sigc: \([0-9]*\) files, \([0-9]*\) rules.*/\2/p' "$out.err")
cat "$out.err"
[ "$status" -eq 0 ]; expect "exit status 0 (got $status)" $?
[ "${loaded:-0}" -eq "$files" ]; expect "all $files rule files loaded (got ${loaded:-0})" $?
errors=$(grep -c ': error\[' "$out")
[ "$errors" -eq 0 ]; expect "zero errors (got $errors)" $?
count() { grep -cE "^[^:]+:[0-9]+:[0-9]+: [a-z]+\[$1\]" "$out"; }
n=$(count escaped_wildcard); [ "$n" -ge 54 ]; expect "escaped_wildcard >= 54 (got $n)" $?
n=$(count number_as_string); [ "$n" -ge 8 ]; expect "number_as_string >= 8 (got $n)" $?
n=$(count specific_instead_of_generic_logsource); [ "$n" -ge 4 ]; expect "specific_instead_of_generic_logsource >= 4 (got $n)" $?
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
