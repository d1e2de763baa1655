#!/bin/sh
# Check tools/gen-attack-data.py against the synthetic bundles in this folder.
# Usage: sh tools/testdata/check.sh   (from anywhere; needs python3, no network)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
gen="$here/../gen-attack-data.py"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
ok() { echo "ok - $1"; pass=$((pass + 1)); }
bad() { echo "not ok - $1"; fail=$((fail + 1)); }

# 1. expected rows and headers
python3 "$gen" --attack-out "$tmp/attack.tsv" --d3fend-out "$tmp/d3fend.tsv" \
    --d3fend "$here/d3fend-mini.json" \
    "$here/enterprise-mini.json" "$here/mobile-mini.json" "$here/ics-mini.json"
for f in attack d3fend; do
    if cmp -s "$here/$f.expected.tsv" "$tmp/$f.tsv"; then
        ok "$f.tsv matches $f.expected.tsv"
    else
        bad "$f.tsv differs from $f.expected.tsv"; diff -u "$here/$f.expected.tsv" "$tmp/$f.tsv" || true
    fi
done

# 2. deterministic: argument order and a second run give the same bytes
python3 "$gen" --attack-out "$tmp/attack2.tsv" \
    "$here/ics-mini.json" "$here/mobile-mini.json" "$here/enterprise-mini.json"
if cmp -s "$tmp/attack.tsv" "$tmp/attack2.tsv"; then
    ok "output independent of bundle order"
else
    bad "output depends on bundle order"
fi

# 3. enterprise only (what pySigma reads): no mobile/ICS ids
python3 "$gen" --attack-out "$tmp/ent.tsv" "$here/enterprise-mini.json"
if grep -q -e '^t0800' -e '^t1540' -e '^m1013' "$tmp/ent.tsv"; then
    bad "enterprise-only run has mobile/ICS ids"
else
    ok "enterprise-only run has only enterprise ids"
fi

# 4. no input is an error
if python3 "$gen" --attack-out "$tmp/none.tsv" 2>/dev/null; then
    bad "no input accepted"
else
    ok "no input rejected"
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
