#!/bin/sh
# For the golden runner: `sigc convert -t c ARGS...` with only the part of the
# generated file that comes from the rules (the tables); the fixed runtime
# around them is tested by running it, not by comparing text.
# usage: c-tables.sh SIGC ARGS...
sigc=$1
shift
out=$(mktemp)
"$sigc" convert -q -t c "$@" >"$out"
status=$?
sed -n '/^\/\* ---- tables ---- \*\/$/,/^\/\* ---- runtime ---- \*\/$/p' "$out"
rm -f "$out"
exit $status
