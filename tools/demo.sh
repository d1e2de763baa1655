#!/bin/sh
# The README's first command: set up, build, then run sigc on the bundled
# rules and examples: lint them, show the IR the seed rule compiles to, and
# convert the rules to KQL (Defender XDR), Splunk SPL (Windows) and Suricata,
# and run the C matcher on the example events.
set -eu
cd "$(dirname "$0")/.."
tools/setup.sh
echo "== sigc check rules/ examples/"
build/sigc check rules/ examples/ || true
echo
echo "== sigc dump-ir rules/T1499.002.yml (the placeholder filled in as a threshold)"
build/sigc dump-ir rules/T1499.002.yml 2>/dev/null
echo "== sigc convert -t kql -p defender-xdr rules/ examples/lint/encoded_powershell.yml"
build/sigc convert -t kql -p defender-xdr rules/ examples/lint/encoded_powershell.yml
echo
echo "== sigc convert -t spl -p splunk-windows rules/ examples/lint/encoded_powershell.yml"
build/sigc convert -t spl -p splunk-windows rules/ examples/lint/encoded_powershell.yml
echo
echo "== sigc convert -t suricata rules/ (the seed: connection, HTTP request and TLS handshake floods)"
build/sigc convert -t suricata rules/
echo
echo "== sigc match rules/ examples/events/network_flood.jsonl (the seed threshold on example events)"
build/sigc match --no-event rules/ examples/events/network_flood.jsonl || true
echo
echo "== sigc convert -t c rules/ -o build/matcher.c && cc -O2 build/matcher.c -lpcre2-8 -o build/matcher"
build/sigc convert -q -t c rules/ -o build/matcher.c
cc -O2 -o build/matcher build/matcher.c -lpcre2-8
build/matcher --no-event examples/events/network_flood.jsonl || true
