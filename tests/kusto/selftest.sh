#!/bin/sh
# Self test of check-kql.js on tests/kusto/fixtures/: queries that must pass
# (exit 0), queries that must fail (exit 1, with the expected diagnostic
# codes and counts), and schema/usage errors (exit 2).
# Needs node and tests/kusto/node_modules (tools/kusto-setup.sh).
# NODE=/path/to/node overrides the node found on PATH.
set -u
here=$(cd "$(dirname "$0")" && pwd)
node=${NODE:-node}
fx=$here/fixtures
out=$(mktemp "${TMPDIR:-/tmp}/kusto-selftest.XXXXXX")
trap 'rm -f "$out"' EXIT INT TERM
passed=0
failed=0

# check NAME WANT_RC WANT_SUMMARY [PATTERN...] -- ARGS...
# Runs check-kql.js with ARGS; wants exit status WANT_RC, a last line of
# stdout equal to WANT_SUMMARY (unless it is "-") and each PATTERN (a grep -E
# expression) somewhere in stdout+stderr.
check() {
    name=$1 want_rc=$2 want_sum=$3
    shift 3
    pats=""
    while [ $# -gt 0 ] && [ "$1" != "--" ]; do
        pats="$pats$1
"
        shift
    done
    shift
    "$node" "$here/check-kql.js" "$@" >"$out" 2>&1
    rc=$?
    why=""
    [ "$rc" -eq "$want_rc" ] || why="exit $rc, want $want_rc"
    if [ -z "$why" ] && [ "$want_sum" != "-" ]; then
        got=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$out" | tail -n 1)
        last=$(tail -n 1 "$out")
        [ "$got" = "$want_sum" ] && [ "$last" = "$want_sum" ] ||
            why="summary '$last', want '$want_sum'"
    fi
    if [ -z "$why" ] && [ -n "$pats" ]; then
        while IFS= read -r p; do
            [ -z "$p" ] && continue
            grep -Eq -- "$p" "$out" || { why="no line matches /$p/"; break; }
        done <<EOF
$pats
EOF
    fi
    if [ -z "$why" ]; then
        passed=$((passed + 1))
        echo "ok   $name"
    else
        failed=$((failed + 1))
        echo "FAIL $name: $why"
        sed 's/^/    | /' "$out"
    fi
}

S="--schemas $fx/schemas"
S2="--schemas $fx/schemas --schemas $fx/schemas-extra"

# --- must pass
check pass-all 0 "19 passed, 0 failed" \
    "19 queries" "4 tables, 3 functions" "0 warnings" \
    -- $S2 "$fx/pass"
check pass-json-files 0 "15 passed, 0 failed" \
    -- $S2 "$fx/pass/basic.json" "$fx/pass/extra-single.json"
check pass-kql-option 0 "3 passed, 0 failed" \
    -- $S --kql "$fx/pass/raw.kql"
check pass-quiet 0 "14 passed, 0 failed" \
    -- $S --quiet "$fx/pass/basic.json"
# a warning (analyzer KS508) is reported and counted, but does not fail
check warning-not-fatal 0 "1 passed, 0 failed" \
    "^rules/warn/join.yml:1: warn-1: Warning KS508 .* at offset [0-9]+: " "1 warnings in 1 queries" \
    -- $S --analyzers "$fx/warn/join.json"
check warning-off-by-default 0 "1 passed, 0 failed" "0 warnings" \
    -- $S "$fx/warn/join.json"

# --- must fail
check fail-syntax 1 "0 passed, 1 failed" \
    "^rules/fail/syntax.yml:1: 00000000-0000-4000-8000-000000000201: Error KS006 Missing expression at offset 41: " \
    -- $S "$fx/fail/syntax.json"
check fail-unknown-column 1 "0 passed, 1 failed" \
    "^rules/fail/column.yml:1: [0-9a-f-]+: Error KS142 The name 'EventId' .* at offset 22: SecurityEvent\\\\n\\| where >>EventId<< == 4688$" \
    -- $S "$fx/fail/column.json"
check fail-unknown-table 1 "0 passed, 1 failed" \
    "^rules/fail/table.yml:1: [0-9a-f-]+: Error KS204 The name 'SecurityEvents' .* at offset 0: >>SecurityEvents<<" \
    -- $S "$fx/fail/table.json"
check fail-raw-newline 1 "0 passed, 1 failed" \
    "^rules/fail/newline.yml:1: [0-9a-f-]+: Error KS001 Missing: \" at offset 49: " \
    -- $S "$fx/fail/newline.json"
check fail-mixed-kql 1 "2 passed, 1 failed" \
    "mixed.txt:5: mixed-bad: Error KS211 " \
    -- $S --kql "$fx/fail/mixed.txt"
check fail-empty-query 1 "1 passed, 1 failed" "empty-1: Error SIGC-EMPTY empty query" \
    -- $S2 "$fx/fail/empty.json"
# the second schema directory is needed: without it Syslog and LogonType are unknown
check fail-missing-schema-dir 1 "0 passed, 1 failed" "Error KS204 The name 'Syslog'" "Error KS142 The name 'LogonType'" \
    -- $S "$fx/pass/extra-single.json"
check fail-all-together 1 "22 passed, 6 failed" \
    -- $S2 "$fx/pass" "$fx/fail" --kql "$fx/fail/mixed.txt"

# --- input, schema and usage errors: exit 2
check bad-schema-type 2 - "bad.tsv:2: unknown Kusto type 'varchar'" \
    -- --schemas "$fx/schemas-bad" "$fx/pass/basic.json"
check bad-schema-params 2 - "functions.tsv:2: function imBroken: bad \\(params\\) or columns: The name 'datetim' is not a valid type name" \
    -- --schemas "$fx/schemas-bad-params" "$fx/pass/basic.json"
check no-schemas 2 - "no --schemas" -- "$fx/pass/basic.json"
check no-inputs 2 - "no input files" -- $S
check missing-input 2 - "cannot read" -- $S "$fx/no-such-file.json"
check not-json 2 - "not JSON" -- $S --kql "$fx/pass/raw.kql" "$fx/schemas/tables.tsv"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
