#!/bin/sh
# Golden files for rules/: the commands the README and tools/demo.sh show,
# run from the source root, their standard output, standard error and exit
# status compared byte for byte with tests/golden/rules/<name>.out.
#   rules.sh SIGC SOURCE_ROOT                 compare
#   SIGC_GOLDEN_UPDATE=1 rules.sh ...         rewrite the expected files
# Every conversion here must succeed (exit 0): a golden that pins a failure
# fails the test.
set -u
sigc=$1 root=$2
case $sigc in /*) ;; *) sigc=$(pwd)/$sigc ;; esac
cd "$root" || exit 2
golden=tests/golden/rules
pass=0 fail=0
# The rules every SIEM pipeline below places: all of rules/ but the Zeek one.
siem="rules/T1499.002.yml rules/net_connection_win_service_exhaustion_connection_flood.yml
rules/web_service_exhaustion_http_request_flood.yml rules/proxy_service_exhaustion_http_request_flood_correlation.yml"
zeek=rules/zeek_ssl_service_exhaustion_tls_handshake_flood.yml
windows="rules/T1499.002.yml rules/net_connection_win_service_exhaustion_connection_flood.yml"

# name, then the command (word-split on purpose: file lists above have no spaces)
run() {
    name=$1
    shift
    actual=$(mktemp)
    "$@" >"$actual.out" 2>"$actual.err"
    status=$?
    {
        cat "$actual.out"
        sed 's/^/stderr: /' "$actual.err"
        echo "exit: $status"
    } >"$actual"
    if [ "$status" -ne 0 ]; then
        fail=$((fail + 1))
        echo "FAIL: $name exited $status:"
        cat "$actual.err"
    elif [ "${SIGC_GOLDEN_UPDATE:-}" = 1 ]; then
        cp "$actual" "$golden/$name.out"
        pass=$((pass + 1))
    elif [ -f "$golden/$name.out" ] && cmp -s "$actual" "$golden/$name.out"; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        echo "FAIL: $golden/$name.out"
        [ -f "$golden/$name.out" ] && diff -u "$golden/$name.out" "$actual" | head -40
    fi
    rm -f "$actual" "$actual.out" "$actual.err"
}

c_tables() { # the C target's tables (the runtime around them is tested by running it)
    sh tests/golden/c-tables.sh "$sigc" "$@"
}

run check "$sigc" check rules/
run ir "$sigc" dump-ir rules/
# shellcheck disable=SC2086
{
    run kql-sentinel-asim "$sigc" convert -t kql -p sentinel-asim $siem
    run kql-sentinel "$sigc" convert -t kql -p sentinel $siem
    run kql-defender-xdr "$sigc" convert -t kql -p defender-xdr $windows
    run kql-generic-zeek "$sigc" convert -t kql -p kql-generic -O table=Zeek_ssl_CL $zeek
    run spl-splunk-cim "$sigc" convert -t spl -p splunk-cim rules/
    run spl-splunk-windows "$sigc" convert -t spl -p splunk-windows $windows
    run suricata "$sigc" convert -t suricata rules/
    run c-tables c_tables rules/
}
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
