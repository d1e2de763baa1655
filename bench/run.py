#!/usr/bin/env python3
"""Benchmarks for sigc: prints medians and peak RSS, no assertions.

  bench/run.py [BUILD_DIR] [RULES_DIR] [--runs N]

Measures `sigc check` on the rule corpus against parsing the same files
with libyaml alone (bench_yamlparse), each the median of N runs after one
warm-up run, and the peak RSS of each command (GNU time; apt-get install time)."""
import os
import statistics
import subprocess
import sys
import tempfile
import time


def run_once(cmd):
    start = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def peak_rss_kib(cmd):
    # GNU time in a separate run: the rusage of a child spawned from Python
    # also counts pages it shared with the interpreter.
    with tempfile.NamedTemporaryFile("r") as out:
        subprocess.run(["/usr/bin/time", "-f", "%M", "-o", out.name] + cmd,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return int(out.read().strip().splitlines()[-1])


def measure_interleaved(cmds, runs):
    """Runs the commands in turn, runs times each, after one warm-up round,
    so a slow spell of the machine hits every command alike.  Returns
    (median seconds, peak RSS KiB) per command."""
    for cmd in cmds:
        run_once(cmd)
    times = [[] for _ in cmds]
    for _ in range(runs):
        for i, cmd in enumerate(cmds):
            times[i].append(run_once(cmd))
    return [(statistics.median(t), peak_rss_kib(cmd)) for t, cmd in zip(times, cmds)]


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    runs = 11
    if "--runs" in sys.argv:
        runs = int(sys.argv[sys.argv.index("--runs") + 1])
        args = [a for a in args if a != str(runs)]
    build = args[0] if args else "build"
    rules = args[1] if len(args) > 1 else os.path.join(os.path.dirname(__file__), "..", "..", "shared", "corpus", "sigmahq", "rules")
    nfiles = sum(1 for root, _, files in os.walk(rules) for f in files if f.endswith((".yml", ".yaml")))
    size = sum(os.path.getsize(os.path.join(root, f)) for root, _, files in os.walk(rules) for f in files if f.endswith((".yml", ".yaml")))
    sigc = os.path.join(build, "sigc")
    commands = [
        ("libyaml parse only", [os.path.join(build, "bench", "bench_yamlparse"), rules]),
        ("sigc check (all checks)", [sigc, "check", "-q", "--fail-level", "none", rules]),
        ("sigc convert -t kql -p kql-generic", [sigc, "convert", "-q", "-t", "kql", "-p", "kql-generic",
                                                 "--skip-unsupported", "-o", os.devnull, rules]),
        ("sigc convert -t spl -p splunk-generic", [sigc, "convert", "-q", "-t", "spl", "-p", "splunk-generic",
                                                    "--skip-unsupported", "-o", os.devnull, rules]),
        ("sigc convert -t kql -p sentinel", [sigc, "convert", "-q", "-t", "kql", "-p", "sentinel",
                                              "--skip-unsupported", "-o", os.devnull, rules]),
        ("sigc convert -t kql -p defender-xdr", [sigc, "convert", "-q", "-t", "kql", "-p", "defender-xdr",
                                                  "--skip-unsupported", "-o", os.devnull, rules]),
    ]
    results = measure_interleaved([c for _, c in commands], runs)
    print(f"corpus: {nfiles} files, {size / 1e6:.1f} MB; median of {runs} runs")
    print(f"{'command':<38} {'median s':>9} {'files/s':>9} {'MB/s':>7} {'peak RSS MiB':>13} {'x libyaml':>10}")
    base_t = results[0][0]
    for (name, _), (t, r) in zip(commands, results):
        print(f"{name:<38} {t:>9.3f} {nfiles / t:>9.0f} {size / 1e6 / t:>7.1f} {r / 1024:>13.1f} {t / base_t:>10.2f}")


if __name__ == "__main__":
    main()
