#!/bin/sh
# The seed rule rules/T1499.002.yml is a placeholder (EventID: '*') that the
# front end fills in as "200 or more connections per SourceIp within 60 s".
# On examples/events/network_flood.jsonl (tools/gen-flood-events.py) exactly
# one source floods: 10.20.0.66 fires once, at its 200th connection; 10.20.0.7
# (150 in 50 s) and 10.20.0.9 (230 over 8 minutes) stay quiet.  Checked through
# `sigc match` and through the generated program, which must agree.
# usage: seed.sh SIGC SOURCE_ROOT
set -u
sigc=$1 root=$2
case $sigc in /*) ;; *) sigc=$(pwd)/$sigc ;; esac
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$root" || exit 1
want='{"id":"df00tech-t1499-002","title":"Service Exhaustion Flood (T1499.002)","level":"high","tags":["attack.t1499.002"],"timestamp":"2026-04-20T10:00:44.800000Z","file":"examples/events/network_flood.jsonl","line":359,"group":{"SourceIp":"10.20.0.66"},"count":200,"window":{"first":"2026-04-20T10:00:05.000000Z","last":"2026-04-20T10:00:44.800000Z"}}'
fail=0
"$sigc" match --no-event rules/T1499.002.yml examples/events/network_flood.jsonl >"$tmp/match.out" 2>"$tmp/match.err"
st=$?
[ $st -eq 1 ] || { echo "FAIL: sigc match exited $st, want 1"; cat "$tmp/match.err"; fail=1; }
printf '%s\n' "$want" | cmp -s - "$tmp/match.out" || { echo "FAIL: sigc match printed:"; cat "$tmp/match.out"; fail=1; }
grep -q "650 events from 1 inputs, 1 matches" "$tmp/match.err" || { echo "FAIL: summary:"; cat "$tmp/match.err"; fail=1; }

"$sigc" convert -q -t c rules/T1499.002.yml -o "$tmp/flood.c" || { echo "FAIL: convert"; exit 1; }
cc -O2 -Wall -Wextra -Werror -o "$tmp/flood" "$tmp/flood.c" -lpcre2-8 || { echo "FAIL: build"; exit 1; }
"$tmp/flood" --no-event --quiet <examples/events/network_flood.jsonl >"$tmp/prog.out"
st=$?
[ $st -eq 1 ] || { echo "FAIL: the program exited $st, want 1"; fail=1; }
# from standard input the file is "<stdin>"
printf '%s\n' "$want" | sed 's|"file":"examples/events/network_flood.jsonl"|"file":"<stdin>"|' | cmp -s - "$tmp/prog.out" ||
    { echo "FAIL: the program printed:"; cat "$tmp/prog.out"; fail=1; }
[ $fail -eq 0 ] && echo "seed threshold: 1 flood of 3 busy sources, same answer from sigc match and the program"
[ $fail -eq 0 ]
