#!/bin/sh
# The demo's promise: the matcher built from rules/ fires on each flood in
# examples/events/ (tools/gen-flood-events.py) with the flooding source, the
# threshold's count and the window of the events that crossed it, and on
# nothing else: the busy-but-legitimate sources, the slow steady ones and the
# ordinary traffic beside each flood stay silent.  Checked through the
# generated program (sigc convert -t c rules/, built with cc) and through
# `sigc match`, which must print the same lines.
# usage: examples.sh SIGC SOURCE_ROOT
set -u
sigc=$1 root=$2
case $sigc in /*) ;; *) sigc=$(pwd)/$sigc ;; esac
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$root" || exit 1
fail=0
# One alert per flood: rule id, group, count and window, and the line of the
# event that crossed the threshold.  Both the seed and the completed
# connection-flood rule see the Sysmon flood.
seed=df00tech-t1499-002
conn=a6d92504-807b-4d10-9279-d55797d1495d
web=5aef10fc-6536-4122-817d-23e5a562dd46
proxy=1da299e3-90b4-4671-b957-9797864dfb00
tls=1bf5444d-d395-4cca-a19b-58cfdae14367
cat >"$tmp/want" <<EOF2
network_flood $seed 359 {"SourceIp":"10.20.0.66"} 200 2026-04-20T10:00:05.000000Z 2026-04-20T10:00:44.800000Z
network_flood $conn 359 {"SourceIp":"10.20.0.66"} 200 2026-04-20T10:00:05.000000Z 2026-04-20T10:00:44.800000Z
web_flood $web 564 {"c-ip":"203.0.113.66"} 300 2026-04-20T10:00:20.000000Z 2026-04-20T10:00:49.900000Z
proxy_flood $proxy 591 {"src_ip":"10.30.0.45"} 300 2026-04-20T10:00:30.000000Z 2026-04-20T10:01:12.714000Z
eve_flood $tls 173 {"id.orig_h":"203.0.113.50"} 100 2026-04-20T10:00:10.000000Z 2026-04-20T10:00:39.700000Z
EOF2
# The alert lines as "dataset id line group count first last".
fields() {
    sed -n 's|^{"id":"\([^"]*\)",.*"file":"examples/events/\([a-z_]*\)\.jsonl","line":\([0-9]*\),"group":\({[^}]*}\),"count":\([0-9]*\),"window":{"first":"\([^"]*\)","last":"\([^"]*\)"}}$|\2 \1 \3 \4 \5 \6 \7|p' "$1"
}
"$sigc" convert -q -t c rules/ -o "$tmp/matcher.c" 2>"$tmp/convert.err" || { echo "FAIL: sigc convert -t c rules/"; cat "$tmp/convert.err"; exit 1; }
cc -O2 -Wall -Wextra -Werror -o "$tmp/matcher" "$tmp/matcher.c" -lpcre2-8 || { echo "FAIL: cc"; exit 1; }
: >"$tmp/prog" && : >"$tmp/match"
for d in network_flood web_flood proxy_flood eve_flood; do
    f=examples/events/$d.jsonl
    "$tmp/matcher" --no-event --quiet "$f" >>"$tmp/prog"
    st=$?
    [ $st -eq 1 ] || { echo "FAIL: the program exited $st on $f, want 1 (matches)"; fail=1; }
    "$sigc" match --no-event --quiet rules/ "$f" >>"$tmp/match" 2>/dev/null
    st=$?
    [ $st -eq 1 ] || { echo "FAIL: sigc match exited $st on $f, want 1 (matches)"; fail=1; }
done
fields "$tmp/prog" >"$tmp/got"
[ "$(grep -c '' "$tmp/prog")" -eq "$(grep -c '' "$tmp/got")" ] || { echo "FAIL: alert lines of another shape:"; cat "$tmp/prog"; fail=1; }
if ! cmp -s "$tmp/want" "$tmp/got"; then
    echo "FAIL: the alerts differ from the floods (want, got):"
    diff "$tmp/want" "$tmp/got"
    fail=1
fi
cmp -s "$tmp/prog" "$tmp/match" || { echo "FAIL: sigc match and the program differ:"; diff "$tmp/prog" "$tmp/match"; fail=1; }
[ $fail -eq 0 ] && echo "examples: 4 datasets, 5 alerts, each on its flooding source; the other sources silent"
[ $fail -eq 0 ]
