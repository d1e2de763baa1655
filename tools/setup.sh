#!/bin/sh
# Sets up a Debian machine for sigc: installs the packages that are missing
# (as root, or through sudo) and builds into build/.  Safe to run again.
set -eu
cd "$(dirname "$0")/.."
packages="gcc clang pkg-config python3 meson ninja-build libyaml-dev libpcre2-dev libcmocka-dev libevtx-dev libevtx-utils"
missing=""
for p in $packages; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
    echo "sigc setup: installing$missing" >&2
    if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing >/tmp/sigc-meson-setup.log 2>&1 || { cat /tmp/sigc-meson-setup.log; exit 1; }
fi
# Suricata 7 (bookworm-backports) and scapy for tests/suricata; when apt cannot get them it says so and goes on (those tests skip).
tools/suricata-setup.sh
if [ ! -f build/build.ninja ]; then
    meson setup build --buildtype=debugoptimized >/tmp/sigc-meson-setup.log 2>&1 || { cat /tmp/sigc-meson-setup.log; exit 1; }
fi
ninja -C build >/tmp/sigc-ninja.log 2>&1 || { cat /tmp/sigc-ninja.log; exit 1; }
echo "sigc setup: built $(build/sigc --version)" >&2
