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
. "$(cd "$(dirname "$0")" && pwd)/lib.sh"
cd "$dir" || exit 2
for case in *.yml; do
    [ -e "$case" ] || continue
    golden_run "$outdir/${case%.yml}.$ext" "$sigc" "$@" "$case"
done
golden_finish
