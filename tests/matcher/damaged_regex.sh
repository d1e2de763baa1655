#!/bin/sh
# A generated matcher compiles each regex of its tables on the regex's first
# use (start-up stays short).  sigc checks every pattern before it writes
# them, so only tables damaged afterwards hold one that does not compile:
# the run then says so once, at the first event that runs it, lets the
# regex match nothing, keeps testing the other rules, counts it in the
# summary and ends with exit status 2; -j 2 prints the same; --check-index
# (the generator's check) compiles them all at start-up and stops.
# usage: damaged_regex.sh SIGC
set -u
sigc=$1
command -v cc >/dev/null || { echo "no cc: skipped"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
mkdir "$tmp/rules"
cat >"$tmp/rules/re.yml" <<'YML'
title: Who Regex
id: 0d3c5e1a-5b7e-4c61-9d1e-2f6a7b8c9d01
logsource: {category: process_creation, product: windows}
detection:
    sel:
        CommandLine|re: 'who(ami|is)\.exe'
    condition: sel
YML
cat >"$tmp/rules/calc.yml" <<'YML'
title: Calc
id: 0d3c5e1a-5b7e-4c61-9d1e-2f6a7b8c9d02
logsource: {category: process_creation, product: windows}
detection:
    sel:
        Image|endswith: '\calc.exe'
    condition: sel
YML
ev='{"EventID":1,"Channel":"Microsoft-Windows-Sysmon/Operational"'
{
    printf "%s\n" "$ev"',"CommandLine":"x whoami.exe /all","Image":"C:\\w\\whoami.exe"}'
    printf "%s\n" "$ev"',"CommandLine":"calc","Image":"C:\\w\\calc.exe"}'
    printf "%s\n" "$ev"',"CommandLine":"y whois.exe","Image":"C:\\w\\whois.exe"}'
} >"$tmp/ev.jsonl"
"$sigc" convert -q -t c "$tmp/rules" -o "$tmp/m.c" || { echo "FAIL: convert"; exit 1; }
cc -O1 -o "$tmp/m" "$tmp/m.c" -lpcre2-8 || { echo "FAIL: build"; exit 1; }
"$tmp/m" --no-event "$tmp/ev.jsonl" >"$tmp/good.out" 2>/dev/null
st=$?
if [ $st -ne 1 ] || [ "$(grep -c 'Who Regex' "$tmp/good.out")" -ne 2 ]; then
    echo "FAIL: the intact matcher exited $st, want both regex events matched:"; cat "$tmp/good.out"; exit 1
fi

# the pattern in the tables' text with its '|' made a '(': same length, no
# closing parenthesis
sed 's/who(ami|is)/who(ami(is)/' "$tmp/m.c" >"$tmp/bad.c"
cmp -s "$tmp/m.c" "$tmp/bad.c" && { echo "FAIL: the damage did not apply"; exit 1; }
cc -O1 -o "$tmp/bad" "$tmp/bad.c" -lpcre2-8 || { echo "FAIL: build of the damaged copy"; exit 1; }
msg='error: regex 0 does not compile at offset 16: missing closing parenthesis; it matches nothing'
for j in 1 2; do
    "$tmp/bad" -j $j --no-event "$tmp/ev.jsonl" >"$tmp/out.$j" 2>"$tmp/err.$j"
    st=$?
    if [ $st -ne 2 ] || [ "$(grep -c "$msg" "$tmp/err.$j")" -ne 1 ] ||
        ! grep -q 'regexes that do not compile (they matched nothing): 1' "$tmp/err.$j" ||
        grep -q 'Who Regex' "$tmp/out.$j" || [ "$(grep -c '"title":"Calc"' "$tmp/out.$j")" -ne 1 ]; then
        echo "FAIL: -j $j on the damaged regex exited $st (want 2, one message, the other rule's match):"
        cat "$tmp/out.$j" "$tmp/err.$j"; fail=1
    else
        echo "-j $j: the damaged regex is reported once and matches nothing; the other rule still matches"
    fi
done
cmp -s "$tmp/out.1" "$tmp/out.2" && cmp -s "$tmp/err.1" "$tmp/err.2" ||
    { echo "FAIL: -j 2 printed other than -j 1"; diff "$tmp/err.1" "$tmp/err.2"; fail=1; }
# an input that never runs the regex: no message, exit 1 (a match)
printf "%s\n" "$ev"',"CommandLine":"calc","Image":"C:\\w\\calc.exe"}' | "$tmp/bad" --no-event >/dev/null 2>"$tmp/err"
st=$?
[ $st -eq 1 ] && ! grep -q error "$tmp/err" || { echo "FAIL: an input without the regex's events exited $st:"; cat "$tmp/err"; fail=1; }
# the generator's check compiles every regex at start-up
"$tmp/bad" --check-index "$tmp/ev.jsonl" >"$tmp/out" 2>"$tmp/err"
st=$?
if [ $st -ne 2 ] || [ -s "$tmp/out" ] || ! grep -q 'error: regex 0 does not compile at offset 16' "$tmp/err"; then
    echo "FAIL: --check-index with the damaged regex exited $st:"; cat "$tmp/out" "$tmp/err"; fail=1
else
    echo "--check-index refuses it at start-up: $(cat "$tmp/err")"
fi
exit $fail
