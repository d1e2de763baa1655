#!/bin/sh
# Replays every kept fuzzer input through `sigc check`: it may report
# findings (exit 0 or 1) but must never crash, hang or fail otherwise.
set -u
sigc=$1 dir=$2
pass=0 fail=0
for f in "$dir"/*; do
    [ -f "$f" ] || continue
    timeout 20 "$sigc" check -q "$f" >/dev/null 2>&1
    st=$?
    if [ $st -le 1 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $f (exit $st)"; fi
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
