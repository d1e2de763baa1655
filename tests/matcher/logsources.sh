#!/bin/sh
# Log sources in the matcher, with the whole SigmaHQ corpus (windows-events
# pipeline): web-server JSON (W3C field names) fires the web rules and no
# Windows rule; ordinary Sysmon network connections fire nothing (no web,
# proxy, Cisco or Zeek rule reads Windows events: the fallback entries).
# usage: logsources.sh SIGC SOURCE_ROOT SHARED_DIR     (exit 77 without ../shared)
set -u
sigc=$1 root=$2 shared=$3
rules=$shared/corpus/sigmahq/rules
[ -d "$rules" ] || { echo "no SigmaHQ corpus under $shared: skipped"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
ids() { sed 's/.*"id":"\([^"]*\)".*"line":\([0-9]*\).*/\1@\2/' "$1" | tr '\n' ' '; }

"$sigc" match --no-event --quiet -r "$rules" "$root/examples/events/web_access.jsonl" >"$tmp/web" 2>"$tmp/err"
# Path Traversal Exploitation Attempts on the ../../../etc/passwd query, Shellshock Expression on the user agent
want="7745c2ea-24a5-4290-b680-04359cb84b35@2 c67e0c98-4d39-46ee-8f6b-437ebf6b950e@4 "
[ "$(ids "$tmp/web")" = "$want" ] || { echo "FAIL: web_access.jsonl fired: $(ids "$tmp/web"), want $want"; fail=1; }

"$sigc" match --no-event --quiet -r "$rules" "$root/examples/events/network_flood.jsonl" >"$tmp/sysmon" 2>"$tmp/err"
st=$?
[ $st -eq 0 ] && [ ! -s "$tmp/sysmon" ] || { echo "FAIL: ordinary Sysmon connections fired (exit $st): $(ids "$tmp/sysmon")"; fail=1; }
[ $fail -eq 0 ] && echo "web JSON: 2 web rules at their lines; 650 Sysmon connections: no rule"
[ $fail -eq 0 ]
