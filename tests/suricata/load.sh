#!/bin/sh
# Every rule sigc writes for Suricata loads in the real engine: the goldens,
# rules/ and all convertible rules of the SigmaHQ corpus, through
# `suricata -T` (check_rules.sh: no rule rejected, no warning, sids unique
# across the files).  Also prints how many corpus rules of the network log
# sources convert, and why the others do not (counts per reason).
# usage: load.sh SIGC SOURCE_ROOT SHARED_DIR     (exit 77 without Suricata 7)
set -u
sigc=$1 root=$2 shared=$3
case $sigc in /*) ;; *) sigc=$(pwd)/$sigc ;; esac
here=$(cd "$(dirname "$0")" && pwd)
command -v suricata >/dev/null 2>&1 || { echo "Suricata not installed: skipped"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
for f in "$root"/tests/golden/suricata/*.yml; do
    "$sigc" convert -q -s -t suricata "$f" 2>/dev/null
done >"$tmp/golden.rules"
"$sigc" convert -q -t suricata "$root/rules" -o "$tmp/rules.rules" 2>"$tmp/rules.err" ||
    { echo "FAIL: rules/ does not convert"; cat "$tmp/rules.err"; fail=1; }
files="$tmp/golden.rules $tmp/rules.rules"
corpus=$shared/corpus/sigmahq/rules
if [ -d "$corpus" ]; then
    "$sigc" convert -s -t suricata "$corpus" -o "$tmp/corpus.rules" 2>"$tmp/corpus.err"
    files="$files $tmp/corpus.rules"
    # the network log sources: what converts, and why the rest does not
    grep -rlE '^ *(category: *(proxy|webserver|dns|dns_query|firewall|network_connection)|product: *zeek)' "$corpus" \
        --include='*.yml' | LC_ALL=C sort >"$tmp/network.list"
    total=$(grep -c '' "$tmp/network.list")
    # shellcheck disable=SC2046
    "$sigc" convert -s -t suricata $(cat "$tmp/network.list") -o "$tmp/network.rules" 2>"$tmp/network.err"
    converted=$(sed -n 's/^sigc: \([0-9]*\) rules\{0,1\} converted.*/\1/p' "$tmp/network.err")
    echo "SigmaHQ network log sources: $converted of $total rules convert; the others, by their first error:"
    grep ': error\[' "$tmp/network.err" | awk -F: '!seen[$1]++' | sed 's/^[^ ]* error\[[a-z_]*\]: //' |
        sed "s/field '[^']*'/field F/; s/^[a-z]*=.* is not a log source.*/a log source the pipeline does not place/" |
        LC_ALL=C sort | uniq -c | LC_ALL=C sort -rn
fi
# shellcheck disable=SC2086
"$here/check_rules.sh" --werror $files || fail=1
[ $fail -eq 0 ]
