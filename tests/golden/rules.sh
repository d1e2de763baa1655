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
# The rules every SIEM pipeline below places: all of rules/ but the Zeek one.
siem="rules/T1499.002.yml rules/net_connection_win_service_exhaustion_connection_flood.yml
rules/web_service_exhaustion_http_request_flood.yml rules/proxy_service_exhaustion_http_request_flood_correlation.yml"
zeek=rules/zeek_ssl_service_exhaustion_tls_handshake_flood.yml
windows="rules/T1499.002.yml rules/net_connection_win_service_exhaustion_connection_flood.yml"

. "$root/tests/golden/lib.sh"
# name, then the command (word-split on purpose: the file lists above have no spaces)
run() {
    name=$1
    shift
    golden_run "$golden/$name.out" "$@"
    if [ "$golden_status" -ne 0 ]; then
        fail=$((fail + 1))
        echo "FAIL: $name exited $golden_status (every conversion of rules/ must succeed)"
    fi
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
golden_finish
