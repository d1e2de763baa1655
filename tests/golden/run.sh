#!/bin/sh
# Golden-file runner: for every CASE.yml in INDIR, runs `sigc SUBCOMMAND CASE.yml`
# from inside INDIR (so paths in the output are stable) and compares standard
# output, standard error and the exit status with OUTDIR/CASE.EXT.
#   run.sh SIGC INDIR OUTDIR EXT SUBCOMMAND [ARGS...]     compare
#   SIGC_GOLDEN_UPDATE=1 run.sh ...              rewrite the expected files
# Prints "N passed, M failed" and exits 1 on any failure.
set -u
sigc=$1 dir=$2 outdir=$3 ext=$4
shift 4
case $sigc in /*) ;; *) sigc=$(pwd)/$sigc ;; esac
case $outdir in /*) ;; *) outdir=$(pwd)/$outdir ;; esac
cd "$dir" || exit 2
pass=0 fail=0
for case in *.yml; do
    [ -e "$case" ] || continue
    name=${case%.yml}
    actual=$(mktemp)
    "$sigc" "$@" "$case" >"$actual.out" 2>"$actual.err"
    status=$?
    {
        cat "$actual.out"
        sed 's/^/stderr: /' "$actual.err"
        echo "exit: $status"
    } >"$actual"
    if [ "${SIGC_GOLDEN_UPDATE:-}" = 1 ]; then
        cp "$actual" "$outdir/$name.$ext"
        pass=$((pass + 1))
    elif [ -f "$outdir/$name.$ext" ] && cmp -s "$actual" "$outdir/$name.$ext"; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        echo "FAIL: $outdir/$name.$ext"
        [ -f "$outdir/$name.$ext" ] && diff -u "$outdir/$name.$ext" "$actual" | head -40
    fi
    rm -f "$actual" "$actual.out" "$actual.err"
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
