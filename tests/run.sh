#!/bin/sh
# The README's second command, and what .ci/run calls: installs what is
# missing, then runs the whole suite twice:
#   1. gcc, -Werror, debugoptimized (build-test/)
#   2. clang with AddressSanitizer + UndefinedBehaviorSanitizer and clang's
#      integer checks (build-asan/)
# Both include the SigmaHQ corpus tests when ../shared is beside the checkout.
# Then every libFuzzer target for a bounded time (tests/fuzz/run-bounded.sh,
# its own build in build-fuzz/; SIGC_FUZZ_SECONDS per target, default 30,
# about 3 minutes in all): what it finds is kept in tests/fuzz/regress*/
# and fails the run.
set -eu
cd "$(dirname "$0")/.."
tools/setup.sh
# Microsoft's KQL parser for the kusto tests (node + npm, from Debian and npm).
tools/kusto-setup.sh
status=0
if [ ! -f build-test/build.ninja ]; then
    meson setup build-test --buildtype=debugoptimized -Dwerror=true >/tmp/sigc-meson-setup.log 2>&1 || { cat /tmp/sigc-meson-setup.log; exit 1; }
fi
ninja -C build-test >/tmp/sigc-ninja.log 2>&1 || { cat /tmp/sigc-ninja.log; exit 1; }
meson test -C build-test --print-errorlogs || status=1
# clang's integer checks too: implicit conversions that truncate a value or
# change its sign.  Not unsigned wrap-around, which C defines and sigc's
# hashes (FNV, multiplicative) and SWAR byte tests rely on.
asan_c_args="-fno-sanitize-recover=all -fsanitize=integer -fno-sanitize=unsigned-integer-overflow,unsigned-shift-base"
if [ -f build-asan/build.ninja ] && [ "$(cat build-asan/sigc-c-args 2>/dev/null)" != "$asan_c_args" ]; then
    rm -rf build-asan # set up with other flags: again
fi
if [ ! -f build-asan/build.ninja ]; then
    CC=clang meson setup build-asan --buildtype=debug -Dwerror=true \
        -Db_sanitize=address,undefined -Db_lundef=false \
        "-Dc_args=$asan_c_args" "-Dc_link_args=-fsanitize=integer" \
        >/tmp/sigc-meson-setup.log 2>&1 || { cat /tmp/sigc-meson-setup.log; exit 1; }
    printf '%s' "$asan_c_args" >build-asan/sigc-c-args
fi
ninja -C build-asan >/tmp/sigc-ninja.log 2>&1 || { cat /tmp/sigc-ninja.log; exit 1; }
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:detect_stack_use_after_return=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    meson test -C build-asan --print-errorlogs --timeout-multiplier 4 || status=1
fuzz_status=0
tests/fuzz/run-bounded.sh || fuzz_status=$?
# One closing line over both builds, from meson's own summaries, and the
# fuzz run counted as one more test.
summary() { sed -n "s/^$2: *\([0-9]*\).*/\1/p" "$1/meson-logs/testlog.txt" | tail -1; }
ok=0 bad=0 skipped=0
for b in build-test build-asan; do
    ok=$((ok + $(summary $b Ok) + 0)); bad=$((bad + $(summary $b Fail) + $(summary $b Timeout) + 0))
    skipped=$((skipped + $(summary $b Skipped) + 0))
done
case $fuzz_status in
0) ok=$((ok + 1)) fuzz=passed ;;
77) skipped=$((skipped + 1)) fuzz=skipped ;;
*) bad=$((bad + 1)) fuzz=failed status=1 ;;
esac
echo "$ok passed, $bad failed, $skipped skipped (the fuzz run $fuzz)"
exit $status
