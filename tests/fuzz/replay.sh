#!/bin/sh
# Replays every kept fuzzer input (regress/) through the paths the fuzzers
# drive, with the sigc under test:
#   - a rule file (*.yml; fuzz_rule, fuzz_convert and fuzz_cond findings):
#     `sigc check`, then `sigc convert` into every target (`sigc list
#     targets`), with its default pipeline and with each built-in pipeline
#     serving it, in every output format the target takes;
#   - a pipeline file (*.pipeline.yml; fuzz_pipeline findings): `sigc
#     convert -p FILE` into every target over pipeline_rules.yml, the rules
#     fuzz_pipeline applies pipelines to.
# Each run may report findings (exit 0 or 1) but must never crash, hang
# (20 seconds), fail otherwise or print a sanitizer report.
set -u
sigc=$1 dir=$2
pipeline_rules=$(dirname "$0")/pipeline_rules.yml
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}"
err=$(mktemp)
trap 'rm -f "$err"' EXIT
pass=0 fail=0

# Runs sigc with the given arguments; counts a pass or a failure.
run() {
    timeout 20 "$sigc" "$@" >/dev/null 2>"$err"
    st=$?
    if [ $st -le 1 ] && ! grep -qE 'Sanitizer|runtime error:' "$err"; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        echo "FAIL: sigc $* (exit $st)"
        head -20 "$err"
    fi
}

# The formats a target takes besides its default (c and suricata write one
# output for all rules and take none).
formats() {
    case $1 in
    kql) echo json sentinel ;;
    spl) echo json savedsearches ;;
    esac
}

targets=$("$sigc" list targets | awk '{print $1}')
[ -n "$targets" ] || { echo "FAIL: sigc list targets"; exit 1; }

for f in "$dir"/*; do
    [ -f "$f" ] || continue
    case $f in
    *.pipeline.yml)
        for t in $targets; do run convert -q -t "$t" -p "$f" "$pipeline_rules"; done
        continue
        ;;
    esac
    run check -q "$f"
    for t in $targets; do
        run convert -q -t "$t" "$f"
        for fmt in $(formats "$t"); do run convert -q -t "$t" -f "$fmt" "$f"; done
        for p in $("$sigc" list pipelines "$t" | awk '{print $1}'); do
            run convert -q -t "$t" -p "$p" "$f"
            for fmt in $(formats "$t"); do run convert -q -t "$t" -p "$p" -f "$fmt" "$f"; done
        done
    done
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
