#!/bin/sh
# check_rules.sh [--werror] RULES_FILE...
#
# Loads each rules file into the real Suricata 7 engine in test mode
#   suricata -T --strict-rule-keywords -c tests/suricata/suricata.yaml -S FILE -l TMPDIR
# and fails (exit 1, with the engine's messages) when:
#   - suricata exits non-zero (-T makes any rule that fails to parse fatal:
#     unknown keyword, wrong buffer use, duplicate sid in the file ...;
#     --strict-rule-keywords also makes an unknown classtype fatal),
#   - its log or stderr has an Error line,
#   - it loaded fewer rules than the file has rule lines,
#   - with --werror: it printed any Warning about the rules,
#   - a sid is used twice, in one file or across all the files given.
# Prints one summary line on success.  Exit 77 (skip) when Suricata 7 is not
# installed (tools/suricata-setup.sh installs it).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
config="$here/suricata.yaml"

werror=0
if [ "${1-}" = "--werror" ]; then werror=1; shift; fi
if [ $# -eq 0 ]; then
    echo "usage: $0 [--werror] RULES_FILE..." >&2
    exit 2
fi
if ! command -v suricata >/dev/null 2>&1 || ! suricata -V 2>/dev/null | grep -q 'version 7\.'; then
    echo "check_rules: Suricata 7 not installed (tools/suricata-setup.sh); skipping" >&2
    exit 77
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/sigc-check-rules.XXXXXX")
trap 'rm -rf "$tmp"' EXIT HUP INT TERM

fail=0
total=0
: >"$tmp/sids"
for f in "$@"; do
    if [ ! -r "$f" ]; then
        echo "check_rules: $f: cannot read" >&2
        fail=1
        continue
    fi
    # Rule lines: an action first, not commented out (a rule may go on over
    # lines ending in a backslash: those are joined first).
    sed -e ':a' -e '/\\$/N; s/\\\n//; ta' "$f" |
        grep -E '^[[:space:]]*(alert|drop|pass|reject|rejectsrc|rejectdst|rejectboth|config)[[:space:]]' \
        >"$tmp/rules" || true
    want=$(wc -l <"$tmp/rules")
    sed -n 's/.*[(;][[:space:]]*sid[[:space:]]*:[[:space:]]*\([0-9][0-9]*\)[[:space:]]*;.*/\1/p' "$tmp/rules" |
        sed "s|\$| $f|" >>"$tmp/sids"
    nosid=$(grep -cvE '[(;][[:space:]]*sid[[:space:]]*:[[:space:]]*[0-9]+[[:space:]]*;' "$tmp/rules" || true)

    run="$tmp/run"
    rm -rf "$run"
    mkdir "$run"
    rc=0
    suricata -T --strict-rule-keywords -c "$config" -S "$f" -l "$run" >"$run/stderr" 2>&1 || rc=$?
    loaded=$(sed -n 's/.*rule files processed\. \([0-9]*\) rules successfully loaded.*/\1/p' "$run/suricata.log" 2>/dev/null | tail -1)
    loaded=${loaded:-0}
    errors=$(grep -hE '^E: |Error: ' "$run/stderr" "$run/suricata.log" 2>/dev/null || true)
    warnings=$(grep -hE '^W: ' "$run/stderr" 2>/dev/null || true)
    bad=""
    [ "$rc" -eq 0 ] || bad="suricata -T exited $rc"
    [ -z "$errors" ] || bad="${bad:-errors in the engine log}"
    [ "$loaded" -eq "$want" ] || bad="${bad:-loaded $loaded of $want rules}"
    [ "$nosid" -eq 0 ] || bad="${bad:-$nosid rules without sid}"
    [ "$werror" -eq 0 ] || [ -z "$warnings" ] || bad="${bad:-warnings (--werror)}"
    if [ -n "$bad" ]; then
        echo "check_rules: $f: $bad" >&2
        grep -vE 'This is Suricata version|successfully loaded\. Exiting' "$run/stderr" >&2 || true
        fail=1
    elif [ -n "$warnings" ]; then
        printf '%s\n' "$warnings" | sed "s|^|check_rules: $f: |" >&2
    fi
    total=$((total + loaded))
done

dups=$(cut -d' ' -f1 "$tmp/sids" | sort -n | uniq -d)
if [ -n "$dups" ]; then
    for s in $dups; do
        echo "check_rules: sid $s used more than once: $(awk -v s="$s" '$1 == s { $1 = ""; print }' "$tmp/sids" | tr '\n' ' ')" >&2
    done
    fail=1
fi
if [ "$fail" -ne 0 ]; then
    echo "check_rules: FAILED" >&2
    exit 1
fi
echo "check_rules: $total rules in $# files loaded by $(suricata -V 2>/dev/null | sed -n 's/.*version \([^ ]*\).*/Suricata \1/p'), sids unique"
