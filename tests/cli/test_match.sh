#!/bin/sh
# Command-line contract of `sigc match` and of the program `sigc convert -t c`
# writes: exit codes, bad input reported at file:line:col and skipped (the
# scan goes on), stdin, CSV, the summary, options.
set -u
sigc=$1 src=$2
. "$(dirname "$0")/lib.sh"
run() { run_cmd "$@"; }
lines() { grep -c '' "$1"; }

cat >"$tmp/whoami.yml" <<'YAML'
title: Whoami
id: 9d1b4a44-1111-4c2e-9a7e-000000000001
level: medium
tags: [attack.discovery]
logsource: {category: process_creation, product: windows}
detection:
    sel:
        Image|endswith: '\whoami.exe'
    condition: sel
YAML
sysmon='"EventID":1,"Channel":"Microsoft-Windows-Sysmon/Operational"'
{
    printf '%s\n' "{$sysmon,\"Image\":\"C:\\\\Windows\\\\System32\\\\whoami.exe\",\"UtcTime\":\"2026-01-02 03:04:05.678\"}"
    printf '%s\n' "{$sysmon, broken"
    printf '%s\n' "{$sysmon,\"Image\":\"C:\\\\x\\\\WHOAMI.EXE\"}"
    printf '{%s,"Image":"\377\\\\whoami.exe"}\n' "$sysmon"
    printf '%s\n' '{"EventID":4688,"Channel":"Security","NewProcessName":"C:\\a\\whoami.exe"}'
    printf '%s\n' "{$sysmon,\"Image\":\"C:\\\\x\\\\notepad.exe\"}"
    printf '%s\n' '42'
    printf '%s\n' "{$sysmon,\"Image\":\"C:\\\\y\\\\whoami.exe\"}"
} >"$tmp/events.jsonl"

run "$sigc" match --no-event "$tmp/whoami.yml" "$tmp/events.jsonl"
check "matches exit 1" [ $st -eq 1 ]
check "one line per match: lines 1, 3, 5 and 8" sh -c "[ \"\$(sed -n 's/.*\"line\":\([0-9]*\)}\$/\1/p' '$tmp/out' | tr '\n' ' ')\" = '1 3 5 8 ' ]"
check "the match carries id, title, level, tags and time" grep -q '^{"id":"9d1b4a44-1111-4c2e-9a7e-000000000001","title":"Whoami","level":"medium","tags":\["attack.discovery"\],"timestamp":"2026-01-02T03:04:05.678000Z","file":"' "$tmp/out"
check "the broken line is reported at line 2 and skipped" grep -q "events.jsonl:2:[0-9]*: warning: .*; skipped" "$tmp/err"
check "invalid UTF-8 is reported at its line and byte" grep -q "events.jsonl:4:[0-9]*: warning: invalid UTF-8; skipped" "$tmp/err"
check "a value that is not an object is reported" grep -q "events.jsonl:7:1: warning: .*; skipped" "$tmp/err"
check "the summary counts events and matches" grep -q "5 events from 1 inputs, 4 matches" "$tmp/err"

run "$sigc" match "$tmp/whoami.yml" "$tmp/events.jsonl"
check "the event rides along by default, on one line" sh -c "[ \$(grep -c '' '$tmp/out') -eq 4 ] && grep -q '\"event\":{\"EventID\":1,' '$tmp/out'"

run sh -c "\"$sigc\" match --no-event --quiet '$tmp/whoami.yml' - <'$tmp/events.jsonl'"
check "stdin with -, --quiet prints no summary" sh -c "[ $st -eq 1 ] && [ \$(grep -c '' '$tmp/out') -eq 4 ] && ! grep -q 'events from' '$tmp/err'"

run "$sigc" match --format csv "$tmp/whoami.yml" "$tmp/events.jsonl"
check "CSV: a header and one row per match" sh -c "[ \$(grep -c '' '$tmp/out') -eq 5 ] && head -1 '$tmp/out' | grep -q '^timestamp,id,title,level,file,position'"

printf '%s\n' "{$sysmon,\"Image\":\"C:\\\\x\\\\notepad.exe\"}" >"$tmp/quiet.jsonl"
run "$sigc" match "$tmp/whoami.yml" "$tmp/quiet.jsonl"
check "no match exits 0" [ $st -eq 0 ]
run "$sigc" match "$tmp/whoami.yml" "$tmp/missing.jsonl"
check "an unreadable input exits 3 and is named" sh -c "[ $st -eq 3 ] && grep -q 'missing.jsonl' '$tmp/err'"
run "$sigc" match "$tmp/whoami.yml"
check "no events given exits 2" [ $st -eq 2 ]
run "$sigc" match --max-groups nope "$tmp/whoami.yml" "$tmp/quiet.jsonl"
check "a bad option value exits 2" [ $st -eq 2 ]
run "$sigc" match --max-event 40 --no-event "$tmp/whoami.yml" "$tmp/events.jsonl"
check "--max-event skips longer events, reported" sh -c "[ $st -eq 0 ] && grep -q 'events.jsonl:1:1: warning: event longer than 40 bytes; skipped' '$tmp/err'"
# an event longer than the reader's first buffer (256 KiB), which grows for
# it: matched, and so is the line after it, from a file and from a pipe
{
    printf '{%s,"CommandLine":"' "$sysmon"
    head -c 700000 /dev/zero | tr '\0' 'a'
    printf '","Image":"C:\\\\x\\\\whoami.exe"}\n'
    printf '%s\n' "{$sysmon,\"Image\":\"C:\\\\y\\\\whoami.exe\"}"
} >"$tmp/long.jsonl"
run "$sigc" match --no-event "$tmp/whoami.yml" "$tmp/long.jsonl"
check "a 700 KB event and the line after it both match" sh -c "[ $st -eq 1 ] && [ \"\$(sed -n 's/.*\"line\":\([0-9]*\)}\$/\1/p' '$tmp/out' | tr '\n' ' ')\" = '1 2 ' ]"
run sh -c "cat '$tmp/long.jsonl' | '$sigc' match --no-event '$tmp/whoami.yml' -"
check "the same from a pipe" sh -c "[ $st -eq 1 ] && [ \"\$(grep -c '\"line\":[12]}' '$tmp/out')\" = 2 ]"

cat >"$tmp/bad.yml" <<'YAML'
title: Bad
logsource: {product: windows}
detection:
    sel:
        Image|nosuchmodifier: x
    condition: sel
YAML
run "$sigc" match "$tmp/bad.yml" "$tmp/whoami.yml" "$tmp/events.jsonl"
check "a rule that does not compile is located and exits 1, nothing scanned" sh -c "[ $st -eq 1 ] && grep -q 'bad.yml:5:[0-9]*: error' '$tmp/err' && [ ! -s '$tmp/out' ]"
run "$sigc" match -s --no-event "$tmp/bad.yml" "$tmp/whoami.yml" "$tmp/events.jsonl"
check "-s scans with the rules that compile" sh -c "[ $st -eq 1 ] && [ \$(grep -c '' '$tmp/out') -eq 4 ]"

# A pretty-printed file of several events (the evtx_dump layout).
cat >"$tmp/pretty.json" <<'JSON'
{
  "Event": {
    "System": {"EventID": 1, "Channel": "Microsoft-Windows-Sysmon/Operational",
      "TimeCreated": {"#attributes": {"SystemTime": "2026-01-02T03:04:05.000001Z"}}},
    "EventData": {"Image": "C:\\Windows\\whoami.exe"}
  }
}
{
  "Event": {
    "System": {"EventID": 1, "Channel": "Microsoft-Windows-Sysmon/Operational"},
    "EventData": {"Image": "C:\\Windows\\calc.exe"}
  }
}
JSON
run "$sigc" match --no-event "$tmp/whoami.yml" "$tmp/pretty.json"
check "pretty-printed evtx_dump layout: the first event fires, at its line, with SystemTime" \
    sh -c "[ $st -eq 1 ] && [ \$(grep -c '' '$tmp/out') -eq 1 ] && grep -q '\"timestamp\":\"2026-01-02T03:04:05.000001Z\",\"file\":\"[^\"]*pretty.json\",\"line\":1}' '$tmp/out'"

# Winlogbeat's layout: the pipeline's event-names (winlog.event_id is EventID,
# winlog.channel is Channel); EventData fields by their own key.
cat >"$tmp/winlogbeat.json" <<'JSON'
{"@timestamp":"2026-03-01T10:00:00.123Z","winlog":{"channel":"Microsoft-Windows-Sysmon/Operational","event_id":"1","event_data":{"Image":"C:\\Windows\\whoami.exe"}}}
{"@timestamp":"2026-03-01T10:00:01Z","winlog":{"channel":"Security","event_id":4688,"event_data":{"NewProcessName":"C:\\Windows\\whoami.exe"}}}
{"@timestamp":"2026-03-01T10:00:02Z","winlog":{"channel":"Security","event_id":4624,"event_data":{"NewProcessName":"C:\\Windows\\whoami.exe"}}}
JSON
run "$sigc" match --no-event "$tmp/whoami.yml" "$tmp/winlogbeat.json"
check "Winlogbeat: Sysmon 1 and Security 4688 fire, 4624 does not" \
    sh -c "[ $st -eq 1 ] && [ \"\$(sed -n 's/.*\"timestamp\":\"\([^\"]*\)\".*\"line\":\([0-9]*\)}\$/\1@\2/p' '$tmp/out' | tr '\n' ' ')\" = '2026-03-01T10:00:00.123000Z@1 2026-03-01T10:00:01.000000Z@2 ' ]"

# Suricata EVE JSON meets the proxy and DNS rules (the windows-events
# pipeline maps their fields onto EVE's http and dns events), and proxy and
# DNS logs of their own still do; an EVE event of another type does not.
cat >"$tmp/ua.yml" <<'YAML'
title: Hack tool user agent
id: 9d1b4a44-1111-4c2e-9a7e-000000000097
level: high
logsource: {category: proxy}
detection:
    sel:
        c-useragent|contains: 'sqlmap/'
        cs-host|endswith: '.example.org'
    condition: sel
YAML
cat >"$tmp/dnsq.yml" <<'YAML'
title: Mining pool lookup
id: 9d1b4a44-1111-4c2e-9a7e-000000000096
level: high
logsource: {category: dns}
detection:
    sel:
        query|endswith: '.minexmr.com'
    condition: sel
YAML
cat >"$tmp/eve.jsonl" <<'JSON'
{"timestamp":"2026-04-20T10:00:00.000000+0000","event_type":"http","src_ip":"10.1.2.3","dest_ip":"192.0.2.10","http":{"hostname":"shop.example.org","url":"/p?id=1","http_user_agent":"sqlmap/1.8","http_method":"GET","status":200}}
{"timestamp":"2026-04-20T10:00:01.000000+0000","event_type":"dns","src_ip":"10.1.2.3","dns":{"type":"query","rrname":"pool.minexmr.com","rrtype":"A"}}
{"timestamp":"2026-04-20T10:00:02.000000+0000","event_type":"tls","src_ip":"10.1.2.3","tls":{"sni":"pool.minexmr.com"},"http":{"http_user_agent":"sqlmap/1.8","hostname":"a.example.org"}}
{"timestamp":"2026-04-20T10:00:03.000000+0000","c-uri":"https://a.example.org/","cs-host":"a.example.org","c-useragent":"sqlmap/1.7"}
{"timestamp":"2026-04-20T10:00:04.000000+0000","query":"x.minexmr.com","answer":"192.0.2.1"}
JSON
run "$sigc" match --no-event "$tmp/ua.yml" "$tmp/dnsq.yml" "$tmp/eve.jsonl"
check "EVE: the proxy rule on the http event and the proxy log, the DNS rule on the dns event and the DNS log, none on tls" \
    sh -c "[ $st -eq 1 ] && [ \"\$(sed -n 's/.*\"id\":\"[^\"]*0\\(9[67]\\)\".*\"line\":\\([0-9]*\\)}\$/\\1@\\2/p' '$tmp/out' | tr '\\n' ' ')\" = '97@1 96@2 97@4 96@5 ' ]"

# W3C extended logs (IIS): the day in date, the time of day in time (UTC);
# the two make the event's time, so a one-minute threshold counts within the
# minute.  A time that is no time of day leaves the day alone (midnight).
cat >"$tmp/w3c.yml" <<'YAML'
title: W3C burst
id: 9d1b4a44-1111-4c2e-9a7e-000000000099
level: low
logsource: {category: webserver}
detection:
    sel:
        cs-method: GET
    timeframe: 1m
    condition: sel | count() by c-ip > 2
YAML
cat >"$tmp/w3c.jsonl" <<'JSON'
{"date":"2026-04-20","time":"10:00:01","c-ip":"192.0.2.7","cs-method":"GET","cs-uri-stem":"/"}
{"date":"2026-04-20","time":"10:00:30.25","c-ip":"192.0.2.7","cs-method":"GET","cs-uri-stem":"/a"}
{"date":"2026-04-20","time":"12:00:00","c-ip":"192.0.2.7","cs-method":"GET","cs-uri-stem":"/b"}
{"date":"2026-04-20","time":"12:30:00","c-ip":"192.0.2.7","cs-method":"GET","cs-uri-stem":"/c"}
{"date":"2026-04-20","time":"13:00:00","c-ip":"192.0.2.7","cs-method":"GET","cs-uri-stem":"/d"}
JSON
run "$sigc" match --no-event "$tmp/w3c.yml" "$tmp/w3c.jsonl"
check "W3C date and time: five requests over three hours make no burst" sh -c "[ $st -eq 0 ] && [ ! -s '$tmp/out' ]"
sed 's/"time":"1[23]:[0-9:]*"/"time":"10:00:45"/' "$tmp/w3c.jsonl" >"$tmp/w3c2.jsonl"
run "$sigc" match --no-event "$tmp/w3c.yml" "$tmp/w3c2.jsonl"
check "W3C date and time: three in a minute fire, timed to the second" sh -c "[ $st -eq 1 ] && grep -q '\"timestamp\":\"2026-04-20T10:00:45.000000Z\".*\"window\":{\"first\":\"2026-04-20T10:00:01.000000Z\"' '$tmp/out'"
sed 's/"time":"[0-9:.]*"/"time":"late"/' "$tmp/w3c.jsonl" >"$tmp/w3c3.jsonl"
run "$sigc" match --no-event "$tmp/w3c.yml" "$tmp/w3c3.jsonl"
check "W3C: a time that is no time of day leaves the day (midnight)" sh -c "[ $st -eq 1 ] && grep -q '\"first\":\"2026-04-20T00:00:00.000000Z\"' '$tmp/out'"

# A file that is one JSON array of events: each element is an event.
printf '[\n%s,\n%s, 7,\n%s\n]\n' "{$sysmon,\"Image\":\"C:\\\\x\\\\whoami.exe\"}" "{$sysmon,\"Image\":\"C:\\\\x\\\\calc.exe\"}" \
    "{$sysmon,\"Image\":\"C:\\\\y\\\\whoami.exe\"}" >"$tmp/array.json"
run "$sigc" match --no-event "$tmp/whoami.yml" "$tmp/array.json"
check "a JSON array of events: elements at lines 2 and 4 fire, the number is reported" \
    sh -c "[ $st -eq 1 ] && [ \"\$(sed -n 's/.*\"line\":\([0-9]*\)}\$/\1/p' '$tmp/out' | tr '\n' ' ')\" = '2 4 ' ] && grep -q 'array.json:3:[0-9]*: warning: not a JSON object; skipped' '$tmp/err' && grep -q '3 events from 1 inputs, 2 matches' '$tmp/err'"

# Suricata EVE JSON: nested fields by dotted path or own key, cidr, numbers.
cat >"$tmp/eve.yml" <<'YAML'
title: EVE exploit alert from outside
id: 9d1b4a44-1111-4c2e-9a7e-000000000003
logsource: {product: suricata, service: alert}
detection:
    sel:
        event_type: alert
        alert.signature|startswith: 'ET EXPLOIT'
        dest_port: 443
    internal:
        src_ip|cidr: ['10.0.0.0/8', 'fd00::/8']
    condition: sel and not internal
YAML
cat >"$tmp/eve.json" <<'JSON'
{"timestamp":"2026-04-20T10:00:00.000000+0000","event_type":"alert","src_ip":"203.0.113.9","dest_ip":"10.20.0.5","dest_port":443,"proto":"TCP","alert":{"signature_id":2031000,"signature":"ET EXPLOIT Apache Log4j RCE Attempt","severity":1}}
{"timestamp":"2026-04-20T10:00:01.000000+0000","event_type":"alert","src_ip":"10.1.2.3","dest_ip":"10.20.0.5","dest_port":443,"alert":{"signature":"ET EXPLOIT Apache Log4j RCE Attempt"}}
{"timestamp":"2026-04-20T10:00:02.000000+0000","event_type":"alert","src_ip":"fd00::1","dest_ip":"10.20.0.5","dest_port":443,"alert":{"signature":"ET EXPLOIT Apache Log4j RCE Attempt"}}
{"timestamp":"2026-04-20T10:00:03.000000+0000","event_type":"dns","src_ip":"203.0.113.9","dest_port":53,"dns":{"rrname":"example.org"}}
{"timestamp":"2026-04-20T10:00:04.000000+0000","event_type":"alert","src_ip":"203.0.113.9","dest_port":"443","alert":{"signature":"et exploit lowercase still matches"}}
JSON
run "$sigc" match --no-event "$tmp/eve.yml" "$tmp/eve.json"
check "EVE JSON: the outside alerts (lines 1 and 5) fire, with their time" \
    sh -c "[ $st -eq 1 ] && [ \"\$(sed -n 's/.*\"timestamp\":\"\([^\"]*\)\".*\"line\":\([0-9]*\)}\$/\1@\2/p' '$tmp/out' | tr '\n' ' ')\" = '2026-04-20T10:00:00.000000Z@1 2026-04-20T10:00:04.000000Z@5 ' ]"

# The generated program: same output, same exit codes.
if command -v cc >/dev/null; then
    "$sigc" convert -q -t c "$tmp/whoami.yml" -o "$tmp/m.c" 2>/dev/null
    cc -O1 -o "$tmp/m" "$tmp/m.c" -lpcre2-8
    run "$sigc" match --no-event --quiet "$tmp/whoami.yml" "$tmp/events.jsonl"
    cp "$tmp/out" "$tmp/sigc.out"
    run "$tmp/m" --no-event --quiet "$tmp/events.jsonl"
    check "the program prints what sigc match prints" sh -c "[ $st -eq 1 ] && cmp -s '$tmp/out' '$tmp/sigc.out'"
    run "$tmp/m" "$tmp/missing.jsonl"
    check "the program: an unreadable input exits 2" [ $st -eq 2 ]
    run "$tmp/m" --bogus
    check "the program: an unknown option exits 2" [ $st -eq 2 ]
    run "$tmp/m" --help
    check "the program: --help on stdout, exit 0" sh -c "[ $st -eq 0 ] && grep -q '^usage: ' '$tmp/out'"
fi

# A pipeline whose log-source variants name the group-by field differently:
# each event is counted under the name its own variant gives it.
cat >"$tmp/variants.yml" <<'YAML'
name: variants
target: c
placement: all
logsources:
  - match: {product: zeek, service: ssl}
    conditions: {layout: zeek}
  - match: {product: zeek, service: ssl}
    conditions: {event_type: tls}
    fields: {id.orig_h: src_ip}
YAML
cat >"$tmp/tls.yml" <<'YAML'
title: TLS flood
id: 9d1b4a44-1111-4c2e-9a7e-000000000003
logsource: {product: zeek, service: ssl}
detection:
    sel:
        id.orig_h|exists: true
    condition: sel
threshold:
    type: event_count
    group-by: [id.orig_h]
    timespan: 1m
    condition: {gte: 3}
YAML
{
    printf '%s\n' '{"ts":1,"layout":"zeek","id.orig_h":"10.0.0.1"}'
    printf '%s\n' '{"ts":2,"event_type":"tls","src_ip":"10.0.0.1"}'
    printf '%s\n' '{"ts":3,"event_type":"tls","src_ip":"10.0.0.2"}'
    printf '%s\n' '{"ts":4,"event_type":"tls","src_ip":"10.0.0.2"}'
    printf '%s\n' '{"ts":5,"event_type":"flow","src_ip":"10.0.0.1"}'
    printf '%s\n' '{"ts":6,"event_type":"tls","src_ip":"10.0.0.1"}'
} >"$tmp/tls.jsonl"
run "$sigc" match --no-event -p "$tmp/variants.yml" "$tmp/tls.yml" "$tmp/tls.jsonl"
check "variants: the group is the source address under either name, 3 sessions of 10.0.0.1" \
    sh -c "[ $st -eq 1 ] && [ \"\$(wc -l <'$tmp/out')\" -eq 1 ] && grep -q '\"line\":6,\"group\":{\"id.orig_h\":\"10.0.0.1\"},\"count\":3,' '$tmp/out'"
if command -v cc >/dev/null 2>&1; then
    "$sigc" convert -q -t c -p "$tmp/variants.yml" "$tmp/tls.yml" -o "$tmp/tls.c"
    cc -O1 -o "$tmp/tls" "$tmp/tls.c" -lpcre2-8
    cp "$tmp/out" "$tmp/sigc.out"
    run "$tmp/tls" --no-event "$tmp/tls.jsonl"
    check "variants: the program prints what sigc match prints" sh -c "[ $st -eq 1 ] && cmp -s '$tmp/out' '$tmp/sigc.out'"
fi

# The progress line: on stderr with --progress always (a terminal gets it by
# default), redrawn in place with \r and wiped at the end; never in a pipe by
# default; the matches are the same either way.
run "$sigc" match --no-event --quiet "$tmp/whoami.yml" "$tmp/events.jsonl"
cp "$tmp/out" "$tmp/plain.out"
check "progress: none when stderr is not a terminal" sh -c "! grep -q \"\$(printf '\r')\" '$tmp/err'"
run "$sigc" match --no-event --quiet --progress always "$tmp/whoami.yml" "$tmp/events.jsonl"
check "progress always: the line names the input and counts events" \
    sh -c "tr '\r' '\n' <'$tmp/err' | grep -q '^sigc match: .*events.jsonl 100%  5 events  0.0 MB  .* events/s  4 matches'"
check "progress always: the line is wiped at the end" sh -c "tail -c 2 '$tmp/err' | od -c | grep -q '\\\\r'"
check "progress always: the same matches" cmp -s "$tmp/out" "$tmp/plain.out"
run "$sigc" match --progress sometimes "$tmp/whoami.yml" "$tmp/events.jsonl"
check "progress: a bad value is a usage error" sh -c "[ $st -eq 2 ] && grep -q 'progress takes auto, always or never' '$tmp/err'"
if command -v cc >/dev/null 2>&1; then
    run "$tmp/m" --no-event --quiet --progress always "$tmp/events.jsonl"
    check "progress always: the program draws the line too" sh -c "tr '\r' '\n' <'$tmp/err' | grep -q 'events.jsonl 100%  5 events'"
fi

# Colour of the diagnostics: --color=WHEN (or --color WHEN), NO_COLOR.
"$sigc" match --color=always --no-event --quiet "$src/rules/T1499.002.yml" "$tmp/events.jsonl" >/dev/null 2>"$tmp/err"
check "match --color=always colours its diagnostics" grep -q "$(printf '\033')" "$tmp/err"
NO_COLOR=1 "$sigc" match --color auto --no-event --quiet "$src/rules/T1499.002.yml" "$tmp/events.jsonl" >/dev/null 2>"$tmp/err"
check "match: NO_COLOR, no escapes" sh -c "grep -q 'id_not_uuid' '$tmp/err' && ! grep -q \"$(printf '\033')\" '$tmp/err'"

finish
