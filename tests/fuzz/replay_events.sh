#!/bin/sh
# Replays every kept event-reader input (regress_events/: fuzz_events
# crashes, damaged .evtx files) through `sigc match` with regress_events/
# rule.yml.  Each run must end with exit 0 (no match), 1 (matches) or
# 2, within 20 seconds, without a signal or a sanitizer report.  A damaged
# .evtx may also end with 3 (unreadable input): libevtx refuses a file whose
# header or first chunk it cannot read, and sigc reports that and exits 3 by
# design; a JSON file is always readable, so 3 is a failure there.
# libevtx leaks in its own error paths (libevtx_file_open_read,
# libfwevt_xml_document_read): under LeakSanitizer those are suppressed.
set -u
sigc=$1 dir=$2
rule=$dir/rule.yml
supp=$dir/lsan-libevtx.supp
export LSAN_OPTIONS="${LSAN_OPTIONS:+$LSAN_OPTIONS:}suppressions=$supp:print_suppressions=0"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}"
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
pass=0 fail=0
for f in "$dir"/*; do
    [ -f "$f" ] || continue
    case $f in "$rule" | "$supp") continue ;; esac
    timeout 20 "$sigc" match --no-event "$rule" -e "$f" >/dev/null 2>"$tmp"
    st=$?
    ok=0
    case $st in
    0 | 1 | 2) ok=1 ;;
    3) case $f in *.evtx) ok=1 ;; esac ;;
    esac
    if grep -qE 'Sanitizer|runtime error:' "$tmp"; then ok=0; fi
    if [ $ok -eq 1 ]; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        echo "FAIL: $f (exit $st)"
        head -20 "$tmp"
    fi
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
