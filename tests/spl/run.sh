#!/bin/sh
# SPL output re-tokenized (tests/spl/check_spl.py): every query sigc writes
# for the SigmaHQ corpus through each SPL pipeline, and for the hostile
# rules of tests/spl/hostile/, must lex into well-formed tokens (every value
# exactly one quoted token), split into known pipe commands and parse; the
# values of the rules must read back from single tokens (the round trip,
# with PyYAML).
#
# usage: run.sh SIGC SRCDIR SHAREDDIR   (exit 77 without the corpus)
set -u
sigc=$1 src=$2 shared=$3
rules=$shared/corpus/sigmahq/rules
if [ ! -d "$rules" ]; then
    echo "SKIP: $rules not found"
    exit 77
fi
if ! command -v python3 >/dev/null 2>&1; then
    echo "SKIP: python3 not found"
    exit 77
fi
# absolute paths: the queries name their rule files, read back from $tmp
case $sigc in /*) ;; */*) sigc=$(pwd)/$sigc ;; esac
src=$(cd "$src" && pwd) || exit 1
rules=$(cd "$rules" && pwd) || exit 1
check=$src/tests/spl/check_spl.py
hostile=$src/tests/spl/hostile
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0

# convert NAME ARGS...: sigc ARGS > $tmp/NAME, which must exit 0
convert() {
    name=$1
    shift
    "$sigc" "$@" >"$tmp/$name" 2>"$tmp/$name.err"
    status=$?
    if [ "$status" -eq 0 ]; then
        pass=$((pass + 1))
        echo "$name: $(tail -n 1 "$tmp/$name.err")"
    else
        fail=$((fail + 1))
        echo "FAIL: sigc $* exited $status"
        cat "$tmp/$name.err"
    fi
}

for p in splunk-windows splunk-cim splunk-generic; do
    convert "$p" convert -t spl -p "$p" --skip-unsupported -f json "$rules"
done
# No --skip-unsupported: every hostile rule must convert.
convert hostile-generic convert -t spl -p splunk-generic -f json "$hostile"
convert hostile-default convert -t spl -p splunk-generic "$hostile"
# shellcheck disable=SC1003 # the backslash is the value
convert hostile-options convert -t spl -p splunk-generic -O 'index=a" | delete [' -O 'sourcetype=x\' -f json "$hostile"
for p in splunk-windows splunk-cim; do
    convert "hostile-$p" convert -t spl -p "$p" --skip-unsupported -f json "$hostile"
done

# 8 queries: the hostile rules minus the three only correlations reference.
cd "$tmp" || exit 1
python3 "$check" \
    --same-fields splunk-generic --same-fields hostile-generic --same-fields hostile-default \
    --min-queries splunk-windows=1000 --min-queries splunk-cim=1000 --min-queries splunk-generic=3000 \
    --min-queries hostile-generic=8 --min-queries hostile-default=8 --min-queries hostile-options=8 \
    splunk-windows=splunk-windows splunk-cim=splunk-cim splunk-generic=splunk-generic \
    hostile-generic=hostile-generic hostile-default=hostile-default hostile-options=hostile-options \
    hostile-splunk-windows=hostile-splunk-windows hostile-splunk-cim=hostile-splunk-cim >"$tmp/report"
status=$?
cat "$tmp/report"
summary=$(tail -n 1 "$tmp/report")
qpass=$(echo "$summary" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\1/p')
qfail=$(echo "$summary" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\2/p')
if [ -z "$qpass" ] || [ -z "$qfail" ]; then
    echo "FAIL: check_spl.py exited $status without a summary"
    fail=$((fail + 1))
else
    pass=$((pass + qpass))
    fail=$((fail + qfail))
    if [ "$status" -ne 0 ] && [ "$qfail" -eq 0 ]; then
        echo "FAIL: check_spl.py exited $status"
        fail=$((fail + 1))
    fi
fi
echo "total: the sigc runs and the queries"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
