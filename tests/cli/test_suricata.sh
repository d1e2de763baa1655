#!/bin/sh
# Command-line contract of `sigc convert -t suricata`: sids (--sid-base,
# -O sid-base=, collisions moved and reported), bad options, one file for
# all rules (-o DIR/ and formats refused), errors located and exit codes.
set -u
sigc=$1 src=$2
. "$(dirname "$0")/lib.sh"
run() { run_cmd "$sigc" "$@"; }
rule() { # rule FILE ID TITLE
    cat >"$1" <<YAML
title: $3
id: $2
level: medium
logsource: {category: dns}
detection:
    sel:
        query|endswith: '.bad.example'
    condition: sel
YAML
}
rule "$tmp/a.yml" collide-26399 "First"
rule "$tmp/b.yml" collide-31654 "Second"
sids() { sed -n 's/.*sid:\([0-9]*\);.*/\1/p' "$tmp/out" | tr '\n' ' '; }

run convert -t suricata "$tmp/a.yml"
check "default base: the block of the id's hash (1000000000 + 7529755 * 100)" sh -c "[ $st -eq 0 ] && [ '$(sids)' = '1752975500 ' ]"
run convert -t suricata --sid-base 2000000 "$tmp/a.yml"
check "--sid-base moves the range" sh -c "[ $st -eq 0 ] && [ '$(sids)' = '754975500 ' ]"
run convert -t suricata -O sid-base=2000000 "$tmp/a.yml"
check "-O sid-base= is the same" sh -c "[ $st -eq 0 ] && [ '$(sids)' = '754975500 ' ]"
run convert -t suricata "$tmp/a.yml" "$tmp/b.yml"
check "two ids on one block: the second moves to the next and a warning names both" \
    sh -c "[ $st -eq 0 ] && [ '$(sids)' = '1752975500 1752975600 ' ] && grep -q 'b.yml:1:1: warning\[unsupported\]: sid collision.*First' '$tmp/err'"
run convert -t suricata --sid-base 0 "$tmp/a.yml"
check "--sid-base 0 is a usage error" [ $st -eq 2 ]
run convert -t suricata --sid-base 4294000000 "$tmp/a.yml"
check "a base past the sid range is a usage error" [ $st -eq 2 ]
run convert -t suricata -O colour=blue "$tmp/a.yml"
check "an unknown -O for the target is a usage error" sh -c "[ $st -eq 2 ] && grep -q \"unknown option 'colour=blue' for target 'suricata'\" '$tmp/err'"
run convert -t kql -O sid-base=5 "$tmp/a.yml"
check "sid-base is not a KQL option" [ $st -eq 2 ]
run convert -t suricata -o "$tmp/dir/" "$tmp/a.yml"
check "-o DIR/ is refused: one rules file" sh -c "[ $st -eq 2 ] && [ ! -e '$tmp/dir' ]"

cat >"$tmp/host.yml" <<'YAML'
title: Host fields
id: 11111111-2222-4333-8444-555555555555
logsource: {category: network_connection, product: windows}
detection:
    sel:
        Image|endswith: '\x.exe'
    condition: sel
YAML
run convert -t suricata "$tmp/a.yml" "$tmp/host.yml" -o "$tmp/out.rules"
check "a host field is a located error, exit 1, nothing written" \
    sh -c "[ $st -eq 1 ] && grep -q \"host.yml:6:25: error\[pipeline\]: field 'Image' has no mapping in pipeline 'suricata'\" '$tmp/err' && [ ! -e '$tmp/out.rules' ]"
run convert -s -t suricata "$tmp/a.yml" "$tmp/host.yml" -o "$tmp/out.rules"
check "-s writes the rest and exits 0" sh -c "[ $st -eq 0 ] && grep -c '^alert dns' '$tmp/out.rules' | grep -qx 1"
finish
