#!/bin/sh
# Command-line contract of `sigc convert`: targets, formats, exit codes,
# --skip-unsupported, atomic -o FILE and -o DIR/, header comments, and that
# a failed run writes nothing.
set -u
sigc=$1 src=$2
. "$(dirname "$0")/lib.sh"
run() { run_cmd "$sigc" "$@"; }

good=$src/tests/golden/ir/legacy_count.yml
cat >"$tmp/ok.yml" <<'YAML'
title: Whoami
id: 9d1b4a44-1111-4c2e-9a7e-000000000001
level: medium
logsource:
    category: process_creation
    product: windows
detection:
    sel:
        Image|endswith: '\whoami.exe'
    condition: sel
YAML
cat >"$tmp/backref.yml" <<'YAML'
title: Backreference
id: 9d1b4a44-1111-4c2e-9a7e-000000000002
logsource:
    category: process_creation
    product: windows
detection:
    sel:
        CommandLine|re: '(a)\1'
    condition: sel
YAML

run convert -t nope "$tmp/ok.yml"
check "unknown target exits 2" [ $st -eq 2 ]
run convert "$tmp/ok.yml"
check "missing target exits 2" [ $st -eq 2 ]
run convert -t kql -p no-such-pipeline "$tmp/ok.yml"
check "unknown pipeline exits 2" [ $st -eq 2 ]
run convert -t kql -f savedsearches "$tmp/ok.yml"
check "a format of another target exits 2" [ $st -eq 2 ]
run list targets
check "list targets names kql and spl" sh -c "grep -q '^kql ' '$tmp/out' && grep -q '^spl ' '$tmp/out'"

run convert -t kql "$tmp/ok.yml"
check "convert exits 0" [ $st -eq 0 ]
check "header carries the id" grep -q '^// id: 9d1b4a44-1111-4c2e-9a7e-000000000001$' "$tmp/out"
check "header carries the source path:line" grep -q "^// source: .*ok.yml:1$" "$tmp/out"
run convert -t kql -f json "$tmp/ok.yml"
if command -v python3 >/dev/null; then
    check "json output parses" python3 -c "import json; d=json.load(open('$tmp/out')); assert d[0]['id'].startswith('9d1b4a44')"
fi

run convert -t kql "$tmp/ok.yml" "$tmp/backref.yml"
check "an unsupported rule exits 1" [ $st -eq 1 ]
check "nothing on stdout when a rule fails" [ ! -s "$tmp/out" ]
check "the failure is located" grep -qE 'backref.yml:[0-9]+:[0-9]+: error\[unsupported\]' "$tmp/err"
run convert -t kql --skip-unsupported "$tmp/ok.yml" "$tmp/backref.yml"
check "--skip-unsupported exits 0" [ $st -eq 0 ]
check "--skip-unsupported lists the skipped rule" grep -q 'skipped 1 rule' "$tmp/err"
check "--skip-unsupported still converts the rest" grep -q '9d1b4a44-1111-4c2e-9a7e-000000000001' "$tmp/out"

echo "old" >"$tmp/q.kql"
run convert -t kql -o "$tmp/q.kql" "$tmp/ok.yml" "$tmp/backref.yml"
check "-o FILE is left alone when the run fails" sh -c "[ $st -eq 1 ] && [ \"\$(cat '$tmp/q.kql')\" = old ]"
run convert -t kql -o "$tmp/q.kql" "$tmp/ok.yml"
check "-o FILE is written when the run succeeds" grep -q whoami "$tmp/q.kql"
check "no temporary files remain" sh -c "[ \$(ls '$tmp' | grep -c tmp) -eq 0 ]"
run convert -t kql -o "$tmp/outdir/" "$tmp/ok.yml" "$good"
check "-o DIR/ writes one file per rule named by id" sh -c "[ -f '$tmp/outdir/9d1b4a44-1111-4c2e-9a7e-000000000001.kql' ] && [ \$(ls '$tmp/outdir' | wc -l) -eq 2 ]"
run convert -t kql -o "$tmp/faildir/" "$tmp/ok.yml" "$tmp/backref.yml"
check "-o DIR/ writes nothing when the run fails" sh -c "[ ! -d '$tmp/faildir' ] || [ \$(ls '$tmp/faildir' | wc -l) -eq 0 ]"
run convert -t kql -o /dev/stdout "$tmp/ok.yml"
check "-o /dev/stdout is written directly" grep -q whoami "$tmp/out"
check "-o /dev/stdout leaves the /dev/stdout link in place" [ -L /dev/stdout ]
echo old >"$tmp/target.kql"
ln -s "$tmp/target.kql" "$tmp/link.kql"
run convert -t kql -o "$tmp/link.kql" "$tmp/ok.yml"
check "-o through a symbolic link keeps the link and replaces its target" sh -c "[ -L '$tmp/link.kql' ] && grep -q whoami '$tmp/target.kql'"

"$sigc" convert -t kql "$tmp/ok.yml" "$good" "$tmp/ok.yml" 2>/dev/null | head -1 >/dev/null
check "convert | head -1 exits cleanly" [ $? -eq 0 ]

run convert -t spl -f savedsearches "$tmp/ok.yml"
check "savedsearches has a [default] stanza and the rule stanza" sh -c "grep -q '^\[default\]' '$tmp/out' && grep -q '^\[Whoami - 9d1b4a44' '$tmp/out' && grep -q '^search = ' '$tmp/out'"
run convert -t kql -f sentinel "$tmp/ok.yml"
if command -v python3 >/dev/null && python3 -c 'import yaml' 2>/dev/null; then
    check "sentinel YAML parses back" python3 -c "import yaml; d=list(yaml.safe_load_all(open('$tmp/out'))); assert d[0]['kind']=='Scheduled' and d[0]['severity']=='Medium'"
else
    check "sentinel YAML has kind and severity" sh -c "grep -q '^kind: Scheduled' '$tmp/out' && grep -q '^severity: Medium' '$tmp/out'"
fi

# A user pipeline (-p FILE) with a computed column: KQL extends it after the
# prefilter; SPL refuses it (a KQL-only feature), with the exit code 1.
cat >"$tmp/comp.yml" <<'YAML'
name: comp
target: [kql, spl]
logsources:
  - match: {category: process_creation}
    table: Procs
    conditions: {Kind: start}
    computed: {Image: 'tolower(Path)'}
YAML
run convert -t kql -p "$tmp/comp.yml" "$tmp/ok.yml"
check "computed column: prefilter, extend, then the rule" sh -c "[ $st -eq 0 ] && grep -v '^//' '$tmp/out' | tr '\n' '~' | grep -qF 'Procs~| where Kind =~ \"start\"~| extend Image = tolower(Path)~| where Image endswith \"\\\\whoami.exe\"~'"
run convert -t spl -p "$tmp/comp.yml" "$tmp/ok.yml"
check "computed column refused by SPL" sh -c "[ $st -eq 1 ] && [ ! -s '$tmp/out' ] && grep -q 'ok.yml:1:1: error\[unsupported\]: the pipeline computes columns' '$tmp/err'"

# -o FILE: the file gets the mode fopen would give it (umask 022: 0644), and
# a file that is replaced keeps its own mode.
rm -f "$tmp/mode.kql"
(umask 022 && "$sigc" convert -q -t kql -o "$tmp/mode.kql" "$tmp/ok.yml" 2>/dev/null)
check "a new -o FILE is 0644 under umask 022" [ "$(stat -c %a "$tmp/mode.kql")" = 644 ]
chmod 640 "$tmp/mode.kql"
"$sigc" convert -q -t kql -o "$tmp/mode.kql" "$tmp/ok.yml" 2>/dev/null
check "a replaced -o FILE keeps its mode" [ "$(stat -c %a "$tmp/mode.kql")" = 640 ]

# -t c writes one program for all rules: -o DIR/ and formats are refused.
run convert -t c -o "$tmp/cdir/" "$tmp/ok.yml"
check "-t c -o DIR/ exits 2" sh -c "[ $st -eq 2 ] && [ ! -e '$tmp/cdir' ]"
run convert -t c "$tmp/ok.yml"
check "-t c writes a program with main" sh -c "[ $st -eq 0 ] && grep -q '^int main(int argc, char \*\*argv)' '$tmp/out'"

finish
