#!/bin/sh
# The README's first command: set up, build, then run sigc on the bundled
# rules and examples: lint them, and show the IR the seed rule compiles to.
set -eu
cd "$(dirname "$0")/.."
tools/setup.sh
echo "== sigc check rules/ examples/"
build/sigc check rules/ examples/ || true
echo
echo "== sigc dump-ir rules/T1499.002.yml (the placeholder filled in as a threshold)"
build/sigc dump-ir rules/T1499.002.yml
