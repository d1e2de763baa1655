#!/bin/sh
# Installs tests/kusto/node_modules (Microsoft's KQL parser,
# @kusto/language-service-next, at the version pinned in
# tests/kusto/package-lock.json) for tests/kusto/check-kql.js and the
# kusto-selftest meson test.  Used by CI; needs only the npm registry.
# Safe to run again: does nothing when node_modules already matches the lock.
# Installs Debian's nodejs and npm first when node or npm is missing.
set -eu
cd "$(dirname "$0")/../tests/kusto"

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    echo "kusto setup: installing nodejs npm" >&2
    if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends nodejs npm \
        >/tmp/sigc-kusto-setup.log 2>&1 || { cat /tmp/sigc-kusto-setup.log; exit 1; }
fi

# The stamp holds the checksum of the lock and package.json that the last
# successful `npm ci` installed; the package's own package.json must be
# there too (a half-deleted node_modules is reinstalled).
stamp=node_modules/.sigc-kusto-stamp
want=$(cat package.json package-lock.json | cksum)
pkg=node_modules/@kusto/language-service-next/package.json
if [ -f "$stamp" ] && [ -f "$pkg" ] && [ "$(cat "$stamp")" = "$want" ]; then
    echo "kusto setup: node_modules up to date" >&2
    exit 0
fi

npm ci --no-audit --no-fund >/tmp/sigc-kusto-setup.log 2>&1 || { cat /tmp/sigc-kusto-setup.log; exit 1; }
printf '%s\n' "$want" >"$stamp"
version=$(node -p "require('./$pkg').version")
echo "kusto setup: installed @kusto/language-service-next $version" >&2
