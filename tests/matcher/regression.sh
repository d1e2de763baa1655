#!/bin/sh
# The C matcher against SigmaHQ's regression data (issue 4's acceptance):
#   1. `sigc convert -t c` over the whole corpus, built with
#      cc -O2 -Wall -Wextra -Werror (the generated file must stay warning-free);
#   2. every case in regression_data: the compiled program must fire the
#      case's rule on the case's events, from the .json and from the .evtx;
#   3. the index emitted beside the tables passes --check-index;
#   4. `sigc match` (the same runtime inside sigc) must print exactly what the
#      compiled program prints, over all the cases' .json and .evtx files, and
#      so must the program with its prefilter off, and with -j 2.
# usage: regression.sh SIGC SHARED_DIR        (exit 77 without ../shared)
set -u
sigc=$1 shared=$2
corpus=$shared/corpus/sigmahq
[ -d "$corpus/rules" ] && [ -d "$corpus/regression_data" ] || { echo "no SigmaHQ corpus under $shared: skipped"; exit 77; }
command -v cc >/dev/null || { echo "no cc: skipped"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0

"$sigc" convert -q -t c "$corpus/rules" -o "$tmp/matcher.c" 2>"$tmp/convert.err"
st=$?
if [ $st -ne 0 ]; then
    echo "FAIL: sigc convert -t c exited $st"; head -20 "$tmp/convert.err"; exit 1
fi
echo "generated $(wc -c <"$tmp/matcher.c") bytes of C for $(grep -c '' "$tmp/matcher.c") lines"
if ! cc -O2 -Wall -Wextra -Werror -o "$tmp/matcher" "$tmp/matcher.c" -lpcre2-8 2>"$tmp/cc.err"; then
    echo "FAIL: the generated matcher does not build with -Wall -Wextra -Werror"; head -40 "$tmp/cc.err"; exit 1
fi
"$tmp/matcher" --help | head -2
# the index emitted beside the tables is the one they give (index.sh)
if ! "$tmp/matcher" --check-index </dev/null 2>"$tmp/err"; then
    echo "FAIL: --check-index:"; cat "$tmp/err"; fail=1
else
    echo "--check-index: the emitted index is the one the tables give"
fi

json_ok=0 evtx_ok=0 cases=0
for info in $(find "$corpus/regression_data" -name info.yml | LC_ALL=C sort); do
    dir=$(dirname "$info")
    id=$(awk '/rule_metadata:/ {f = 1} f && /- id:/ {print $3; exit}' "$info")
    cases=$((cases + 1))
    for ext in json evtx; do
        events=$(ls "$dir"/*."$ext" 2>/dev/null | head -1)
        if [ -z "$events" ]; then
            echo "FAIL: $dir has no .$ext file"; fail=1; continue
        fi
        "$tmp/matcher" --quiet --no-event "$events" >"$tmp/out" 2>"$tmp/err"
        st=$?
        if [ $st -eq 1 ] && grep -q "\"id\":\"$id\"" "$tmp/out"; then
            if [ $ext = json ]; then json_ok=$((json_ok + 1)); else evtx_ok=$((evtx_ok + 1)); fi
        else
            echo "FAIL: rule $id does not fire on $events (exit $st)"; head -5 "$tmp/err"; fail=1
        fi
        cat "$tmp/out" >>"$tmp/all.compiled"
    done
done
echo "$json_ok of $cases cases fire from .json, $evtx_ok of $cases from .evtx"

# Same engine, same answers: every case file in one run of each.
find "$corpus/regression_data" \( -name '*.json' -o -name '*.evtx' \) | LC_ALL=C sort >"$tmp/files"
# shellcheck disable=SC2046
"$tmp/matcher" --quiet --no-event $(cat "$tmp/files") >"$tmp/all.compiled" 2>/dev/null
"$sigc" match --quiet --no-event -r "$corpus/rules" $(cat "$tmp/files") >"$tmp/all.sigc" 2>/dev/null
if ! cmp -s "$tmp/all.compiled" "$tmp/all.sigc"; then
    echo "FAIL: sigc match and the compiled matcher disagree:"; diff "$tmp/all.compiled" "$tmp/all.sigc" | head -20; fail=1
else
    echo "sigc match and the compiled matcher print the same $(grep -c '' "$tmp/all.sigc") matches"
fi
# The prefilter and the log-source dispatch only skip rules that cannot
# match: testing every rule of each event's log source gives the same lines.
# shellcheck disable=SC2046
"$tmp/matcher" --quiet --no-event --no-prefilter $(cat "$tmp/files") >"$tmp/all.unfiltered" 2>/dev/null
if ! cmp -s "$tmp/all.compiled" "$tmp/all.unfiltered"; then
    echo "FAIL: the prefilter changed the matches:"; diff "$tmp/all.unfiltered" "$tmp/all.compiled" | head -20; fail=1
else
    echo "with the prefilter off: the same $(grep -c '' "$tmp/all.unfiltered") matches"
fi
# -j 2: the rules tested on two threads, the same lines in the same order
# (the case files are pretty-printed JSON and .evtx: the fallbacks to the
# reading thread).
# shellcheck disable=SC2046
"$tmp/matcher" --quiet --no-event -j 2 $(cat "$tmp/files") >"$tmp/all.j2" 2>/dev/null
if ! cmp -s "$tmp/all.compiled" "$tmp/all.j2"; then
    echo "FAIL: -j 2 changed the matches:"; diff "$tmp/all.compiled" "$tmp/all.j2" | head -20; fail=1
else
    echo "with -j 2: the same $(grep -c '' "$tmp/all.j2") matches"
fi
[ $fail -eq 0 ] && [ $json_ok -gt 0 ]
