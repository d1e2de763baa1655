#!/bin/sh
# The README's first command: set up a fresh Debian machine (tools/setup.sh
# installs what is missing and builds), then run sigc on the bundled rules
# and examples: lint them, convert rules/ (the T1499.002 flood detections)
# into every target, build the C matcher from rules/ and run it on the
# example events (examples/events/: floods among ordinary traffic), printing
# the alerts.
set -eu
cd "$(dirname "$0")/.."
tools/setup.sh
sigc=build/sigc
siem="rules/T1499.002.yml rules/net_connection_win_service_exhaustion_connection_flood.yml
rules/web_service_exhaustion_http_request_flood.yml rules/proxy_service_exhaustion_http_request_flood_correlation.yml"
zeek=rules/zeek_ssl_service_exhaustion_tls_handshake_flood.yml
step() { printf '\n== %s\n' "$*"; }

step "sigc check rules/ examples/lint/  (examples/lint/ holds deliberate mistakes)"
$sigc check rules/ examples/lint/ || true
step "sigc dump-ir rules/T1499.002.yml  (the seed's placeholder filled in as a threshold)"
$sigc dump-ir rules/T1499.002.yml 2>/dev/null
# shellcheck disable=SC2086
{
    step "sigc convert -t kql -p sentinel-asim <the Windows, web and proxy rules>"
    $sigc convert -t kql -p sentinel-asim $siem
    step "sigc convert -t kql -p kql-generic -O table=Zeek_ssl_CL $zeek  (Zeek has no built-in Sentinel table)"
    $sigc convert -t kql -p kql-generic -O table=Zeek_ssl_CL $zeek
}
step "sigc convert -t spl -p splunk-cim rules/"
$sigc convert -t spl -p splunk-cim rules/
step "sigc convert -t suricata rules/"
$sigc convert -t suricata rules/
step "sigc convert -t c rules/ -o build/matcher.c && cc -O2 build/matcher.c -lpcre2-8 -o build/matcher"
$sigc convert -q -t c rules/ -o build/matcher.c 2>/dev/null
cc -O2 -o build/matcher build/matcher.c -lpcre2-8
for f in examples/events/network_flood.jsonl examples/events/web_flood.jsonl \
         examples/events/proxy_flood.jsonl examples/events/eve_flood.jsonl; do
    step "build/matcher --no-event $f"
    build/matcher --no-event "$f" || true
done
step "sigc match --no-event rules/ examples/events/*_flood.jsonl  (the same engine inside sigc, no compiler needed)"
$sigc match --no-event rules/ examples/events/*_flood.jsonl 2>&1 | grep -v '^rules/T1499.002.yml' || true
