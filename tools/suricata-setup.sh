#!/bin/sh
# Installs Suricata 7 (from Debian's bookworm-backports) and python3-scapy
# for the Suricata backend tests (tests/suricata/check_rules.sh, replay.py).
# Used by tools/setup.sh and so by CI.  Safe to run again: does nothing when
# `suricata` 7.x and scapy are already there.  When the packages cannot be
# had (apt not reachable, no backports), it says so and exits 0: the tests
# that need Suricata then skip (exit 77) and the rest of the suite runs.
set -eu

if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
log=/tmp/sigc-suricata-setup.log

suricata_ok() {
    command -v suricata >/dev/null 2>&1 &&
        suricata -V 2>/dev/null | grep -q 'version 7\.'
}
# Debian's scapy is for /usr/bin/python3; a python3 earlier on PATH (pyenv)
# does not see it, so ask dpkg (replay.py adds dist-packages itself).
scapy_ok() {
    dpkg-query -W -f='${Status}' python3-scapy 2>/dev/null | grep -q "ok installed"
}

if suricata_ok && scapy_ok; then
    exit 0
fi

give_up() {
    echo "suricata setup: $1; Suricata tests will be skipped (see $log)" >&2
    exit 0
}

# Debian's bookworm-backports, on the mirror and keyring that debian.sources
# uses for bookworm (deb822).  Written once; apt-get update picks it up.
bp=/etc/apt/sources.list.d/bookworm-backports.sources
if ! suricata_ok && [ ! -f "$bp" ]; then
    src=/etc/apt/sources.list.d/debian.sources
    uri=$(sed -n 's/^URIs:[[:space:]]*//p' "$src" 2>/dev/null | head -1)
    key=$(sed -n 's/^Signed-By:[[:space:]]*//p' "$src" 2>/dev/null | head -1)
    uri=${uri:-http://deb.debian.org/debian}
    key=${key:-/usr/share/keyrings/debian-archive-keyring.gpg}
    echo "suricata setup: adding bookworm-backports ($uri) in $bp" >&2
    printf 'Types: deb\nURIs: %s\nSuites: bookworm-backports\nComponents: main\nSigned-By: %s\n' \
        "$uri" "$key" | $sudo tee "$bp" >/dev/null
fi

$sudo timeout 300 apt-get update -qq >"$log" 2>&1 || give_up "apt-get update failed"

if ! scapy_ok; then
    echo "suricata setup: installing python3-scapy" >&2
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
        python3-scapy >>"$log" 2>&1 || give_up "could not install python3-scapy"
fi

if ! suricata_ok; then
    echo "suricata setup: installing suricata from bookworm-backports" >&2
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
        -t bookworm-backports suricata >>"$log" 2>&1 ||
        give_up "could not install suricata from bookworm-backports"
    suricata_ok || give_up "installed suricata is not version 7"
    echo "suricata setup: $(suricata -V 2>/dev/null | head -1)" >&2
fi
exit 0
