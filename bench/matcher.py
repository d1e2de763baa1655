#!/usr/bin/env python3
"""Benchmark of the C matcher (figures only, never part of the tests).

  bench/matcher.py [--build DIR] [--rules DIR] [--mb M] [--net-mb M] [--runs N]

Writes event data with bench/gen-events.py (Windows events from SigmaHQ's
regression data: the evtx_dump layout and a flat one) into bench/out/,
builds matchers with `sigc convert -t c` and `cc -O2` (the whole corpus,
every tenth rule file of it, so the same mix of log sources at a tenth
of the size, and no rule at all), runs each over the data after a
warm-up run (so the file is in the page cache and buffers are touched),
then N rounds that each run every configuration once (a slow spell of the
machine slows all of them alike; the one-thread runs all on one core,
--cpu, by default the faster one timed first, as the cores differ in
speed in spells), and prints the median per configuration
(the ratios: the median of each round's own ratio): events/s and MB/s, the same with the
prefilter off, on two threads (-j 2; also over the evtx_dump set given four
times, where the threads' start and end count once in 400 MB), peak RSS (GNU time), start-up time
(empty input), the compile time of the generated file, and an event_count correlation over
100,000 live groups (bench/rules/).

Then the network log sources, on smaller sets (--net-mb each) that
bench/gen-net.py writes: the whole corpus over web-server access events,
over proxy events and over Suricata EVE JSON, and the SigmaHQ web folder
alone (rules/web: webserver, proxy, apache and nginx rules) over the
web-server and proxy events together (both files in one run).  These rows
are timed in the same rounds as the others.  Each configuration is also
run once, untimed, with its matches written, and the line under the table
gives the matches, the events that match and the rules that fire, so a
reader sees the data exercises the rules.
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def sh(cmd, **kw):
    return subprocess.run(cmd, check=True, **kw)


PIN = None  # the core one-thread runs are kept on (--cpu); None: any
ALL_CPUS = os.sched_getaffinity(0)


def timed(cmd, stdin=None, copies=1, pin=True):
    """The time until cmd is done; with copies, that many of it started at
    once (side by side), until all are done.  pin: on the core PIN (the
    cores of this machine differ in speed in spells; the ratios compare
    runs on one core)."""
    # the children inherit this process's cores (a preexec_fn would slow
    # every start down by milliseconds)
    os.sched_setaffinity(0, {PIN} if PIN is not None and pin and copies == 1 else ALL_CPUS)
    start = time.perf_counter()
    with open(stdin, "rb") if stdin else open(os.devnull, "rb") as inp:
        procs = [subprocess.Popen(cmd, stdin=inp, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                 for _ in range(copies)]
        for p in procs:
            p.wait()
    elapsed = time.perf_counter() - start
    os.sched_setaffinity(0, ALL_CPUS)
    return elapsed


def pick_core(cmd, runs=3):
    """The core cmd runs fastest on, each core timed runs times in turn."""
    global PIN
    cores = sorted(ALL_CPUS)
    t = {c: [] for c in cores}
    for _ in range(runs):
        for c in cores:
            PIN = c
            t[c].append(timed(cmd))
    best = min(cores, key=lambda c: statistics.median(t[c]))
    print("one-thread runs kept on core %d (the first configuration's median per core: %s)"
          % (best, ", ".join("%d: %.3f s" % (c, statistics.median(t[c])) for c in cores)))
    return best


def median_time(cmd, runs):
    timed(cmd)  # warm-up: page cache, first touch of buffers
    return statistics.median(timed(cmd) for _ in range(runs))


def peak_rss_mib(cmd):
    with tempfile.NamedTemporaryFile("r") as out:
        subprocess.run(["/usr/bin/time", "-f", "%M", "-o", out.name] + cmd,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return int(out.read().strip().splitlines()[-1]) / 1024


def count_lines(path):
    with open(path, "rb") as f:
        return sum(buf.count(b"\n") for buf in iter(lambda: f.read(1 << 20), b""))


def count_matches(cmd):
    """(matches, events matched, rules fired) of one run: the matcher's
    output with --no-event is one JSON object per match, naming the rule,
    the file and the line."""
    out = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL).stdout
    matches, events, rules = 0, set(), set()
    for line in out.splitlines():
        m = json.loads(line)
        matches += 1
        events.add((m.get("file"), m.get("line")))
        rules.add(m.get("id"))
    return matches, len(events), len(rules)


def build_matcher(sigc, rules, out_c, out_exe):
    sh([sigc, "convert", "-q", "-s", "-t", "c", rules, "-o", out_c], stderr=subprocess.DEVNULL)
    start = time.perf_counter()
    sh(["cc", "-O2", "-o", out_exe, out_c, "-lpcre2-8"])
    return time.perf_counter() - start


def gen_correlation_events(path, n, groups):
    """Sysmon network connections (flat layout), n events over `groups`
    source addresses, one every 10 ms."""
    import random
    rnd = random.Random(5)
    with open(path, "w", encoding="utf-8") as f:
        for i in range(n):
            g = rnd.randrange(groups)
            t = 1776672000.0 + i * 0.01
            f.write('{"EventID":3,"Channel":"Microsoft-Windows-Sysmon/Operational","ts":%.2f,'
                    '"SourceIp":"10.%d.%d.%d","DestinationIp":"10.0.0.5","DestinationPort":443,'
                    '"Image":"C:\\\\Windows\\\\System32\\\\svchost.exe"}\n'
                    % (t, g >> 16 & 255, g >> 8 & 255, g & 255))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--rules", default=os.path.join(ROOT, "..", "shared", "corpus", "sigmahq", "rules"))
    ap.add_argument("--mb", type=float, default=100)
    ap.add_argument("--net-mb", type=float, default=40, help="size of each web-server, proxy and EVE set")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--cpu", default="auto",
                    help="the core every one-thread run is kept on: a number, -1 (any), or auto "
                         "(the faster of the cores, timed first)")
    a = ap.parse_args()
    global PIN
    if a.cpu != "auto":
        PIN = int(a.cpu) if int(a.cpu) >= 0 else None
    sigc = os.path.join(a.build, "sigc")
    out = os.path.join(HERE, "out")
    os.makedirs(out, exist_ok=True)
    data = {}
    for layout in ("nested", "flat"):
        path = os.path.join(out, f"win-{layout}-{int(a.mb)}mb.jsonl")
        if not os.path.exists(path):
            with open(path + ".tmp", "w") as f:
                sh([sys.executable, os.path.join(HERE, "gen-events.py"), "--mb", str(a.mb), "--layout", layout],
                   stdout=f)
            os.rename(path + ".tmp", path)
        data[layout] = (path, count_lines(path), os.path.getsize(path))
    for kind in ("web", "proxy", "eve"):
        path = os.path.join(out, f"{kind}-{int(a.net_mb)}mb.jsonl")
        if not os.path.exists(path):
            with open(path + ".tmp", "w") as f:
                sh([sys.executable, os.path.join(HERE, "gen-net.py"), "--kind", kind, "--mb", str(a.net_mb),
                    "--rules", a.rules], stdout=f)
            os.rename(path + ".tmp", path)
        data[kind] = (path, count_lines(path), os.path.getsize(path))
    # the web rules over both of their log sources, one run over both files
    data["web+proxy"] = ([data["web"][0], data["proxy"][0]], data["web"][1] + data["proxy"][1],
                         data["web"][2] + data["proxy"][2])
    empty = os.path.join(out, "empty.jsonl")
    open(empty, "w").close()
    # matchers: the whole corpus, a tenth of it (every tenth file in path
    # order: the same mix of log sources), none
    files = sorted(os.path.join(r, f) for r, _, fs in os.walk(a.rules) for f in fs if f.endswith((".yml", ".yaml")))
    sets = {"whole corpus": a.rules}
    with tempfile.TemporaryDirectory() as tmp:
        few = os.path.join(tmp, "tenth")
        os.makedirs(few)
        tenth = files[::10]
        for i, f in enumerate(tenth):
            shutil.copy(f, os.path.join(few, f"{i:04d}-" + os.path.basename(f)))
        none = os.path.join(tmp, "none")
        os.makedirs(none)
        sets["a tenth"] = few
        sets["no rules"] = none
        sets["correlation"] = os.path.join(HERE, "rules")
        sets["web rules"] = os.path.join(a.rules, "web")
        n_web = sum(1 for f in files if f.startswith(sets["web rules"] + os.sep))
        exe, compile_s = {}, {}
        for name, rules in sets.items():
            c = os.path.join(out, name.replace(" ", "_") + ".c")
            exe[name] = os.path.join(out, name.replace(" ", "_"))
            compile_s[name] = build_matcher(sigc, rules, c, exe[name])
        corr = os.path.join(out, "corr-100k.jsonl")
        if not os.path.exists(corr):
            gen_correlation_events(corr, 1000000, 100000)
        data["corr"] = (corr, count_lines(corr), os.path.getsize(corr))
        # the evtx_dump set four times over (four inputs): the threads' start
        # and end counted once in four times the events
        data["nested x4"] = ([data["nested"][0]] * 4, 4 * data["nested"][1], 4 * data["nested"][2])
        runs = [("whole corpus, evtx_dump layout", "whole corpus", "nested", []),
                ("whole corpus, flat layout", "whole corpus", "flat", []),
                ("whole corpus, -j 2", "whole corpus", "nested", ["-j", "2"]),
                ("whole corpus, the evtx_dump set 4 times", "whole corpus", "nested x4", []),
                ("whole corpus, the same, -j 2", "whole corpus", "nested x4", ["-j", "2"]),
                (f"a tenth of the rules ({len(tenth)} files)", "a tenth", "nested", []),
                ("no rules (reading only)", "no rules", "nested", []),
                ("event_count correlation, 100,000 live groups", "correlation", "corr", []),
                ("whole corpus, web-server access events", "whole corpus", "web", []),
                ("whole corpus, proxy events", "whole corpus", "proxy", []),
                ("whole corpus, Suricata EVE events", "whole corpus", "eve", []),
                (f"rules/web ({n_web} files), web-server + proxy", "web rules", "web+proxy", [])]

        def inputs(layout):
            paths = data[layout][0]
            return paths if isinstance(paths, list) else [paths]

        cmds = [[exe[name], "--no-event", "--quiet", *extra, *inputs(layout)] for _, name, layout, extra in runs]
        # what each configuration matches, once, untimed (-j 2 matches what
        # one thread does)
        counts = {}
        for _, name, layout, _ in runs:
            if (name, layout) not in counts:
                counts[name, layout] = count_matches([exe[name], "--no-event", *inputs(layout)])
        # interleaved: each round runs every command once, so a slow spell of
        # this shared machine slows all of them, not one figure
        times = [[] for _ in cmds]
        for cmd in cmds:
            timed(cmd)  # warm-up: page cache, first touch of buffers
        if a.cpu == "auto":  # the cores differ in speed in spells: the faster one
            PIN = pick_core(cmds[0])
        # and in each round, what two cores give here at best: two copies of
        # the first (one thread each) side by side
        side_by_side = []
        for _ in range(a.runs):
            for i, cmd in enumerate(cmds):
                times[i].append(timed(cmd, pin="-j" not in cmd))
            side_by_side.append(timed(cmds[0], copies=2))
        rows = []
        for (label, _, layout, _), ts in zip(runs, times):
            _, n, size = data[layout]
            s = statistics.median(ts)
            rows.append((label, n / s, size / s / 1e6, s))
        # every rule on every event is slow: fewer runs
        s = median_time([exe["whole corpus"], "--no-event", "--quiet", "--no-prefilter", data["nested"][0]],
                        max(1, a.runs // 3))
        rows.insert(2, ("whole corpus, prefilter off", data["nested"][1] / s, data["nested"][2] / s / 1e6, s))
        # the ratios: the median of each round's own (its runs back to back,
        # so a slow spell that spans rounds does not skew one side of a ratio)
        full, j2, full4, j2_4, tenth_t, zero = times[0], times[2], times[3], times[4], times[5], times[6]
        r_zero = statistics.median(z / f for z, f in zip(zero, full))
        r_tenth = statistics.median(f / t for f, t in zip(full, tenth_t))
        r_j2 = statistics.median(f / j for f, j in zip(full, j2))
        r_j2_4 = statistics.median(f / j for f, j in zip(full4, j2_4))
        r_pair = statistics.median(p / f for p, f in zip(side_by_side, full))
        r_j2_share = statistics.median(f / j / (2 * f / p) for f, j, p in zip(full, j2, side_by_side))
        # the rounds in which the machine let two cores run at about the
        # speed of one (each of the two copies side by side within 10% of
        # one alone): the cores are often uneven or slow each other down
        even = [i for i in range(a.runs) if side_by_side[i] / full[i] <= 1.10]
        r_j2_even = statistics.median(full[i] / j2[i] for i in even) if even else None
        r_j2_4_even = statistics.median(full4[i] / j2_4[i] for i in even) if even else None
        rss = peak_rss_mib([exe["whole corpus"], "--no-event", "--quiet", data["nested"][0]])
        startup = statistics.median(timed([exe["whole corpus"], "--quiet", empty]) for _ in range(11))
    n_rules = len(files)
    print(f"matcher benchmark: {n_rules} rule files, {data['nested'][1]:,} events "
          f"({data['nested'][2] / 1e6:.0f} MB nested, {data['flat'][2] / 1e6:.0f} MB flat), median of {a.runs} runs")
    print("network sets: " + ", ".join(f"{kind} {data[kind][1]:,} events ({data[kind][2] / 1e6:.0f} MB)"
                                       for kind in ("web", "proxy", "eve")))
    print(f"{'':46} {'events/s':>12} {'MB/s':>8} {'seconds':>8}")
    for label, eps, mbs, s in rows:
        print(f"{label:46} {eps:12,.0f} {mbs:8.1f} {s:8.3f}")
    print(f"whole corpus speed / no-rule speed: {r_zero:.0%} (median of the rounds' own ratios, as below)")
    print(f"whole corpus time / a tenth's time: {r_tenth:.2f}x for {n_rules / len(tenth):.1f}x the rules")
    print(f"peak RSS, whole corpus: {rss:.1f} MiB")
    print(f"start-up, whole corpus (empty input): {startup * 1000:.1f} ms")
    print(f"compile time of the generated file (cc -O2), whole corpus: {compile_s['whole corpus']:.1f} s")
    print(f"-j 2 speed-up, whole corpus: {r_j2:.2f}x on {os.cpu_count()} cores"
          + (f" (the one-thread runs on core {PIN}; -j 2 and the side-by-side pair on any)" if PIN is not None else ""))
    print(f"-j 2 speed-up over the evtx_dump set 4 times (start and end once in 400 MB): {r_j2_4:.2f}x")
    if r_j2_even is not None:
        print(f"-j 2 in the {len(even)} rounds whose side-by-side pair each took at most 1.10x one alone: "
              f"{r_j2_even:.2f}x, over the set 4 times {r_j2_4_even:.2f}x")
    else:
        print("-j 2: no round had its side-by-side pair each within 1.10x of one alone (the cores uneven all along)")
    print(f"two one-thread runs side by side: each takes {r_pair:.2f}x the time of one alone, "
          f"so two cores give at most {2 / r_pair:.2f}x here; -j 2 reaches {r_j2_share:.0%} of that "
          f"(median of the rounds' own)")
    print("matches (one untimed run each; the prefilter-off row matches what the first does):")
    for label, name, layout, _ in runs:
        m, ev, nr = counts[name, layout]
        n = data[layout][1]
        if layout == "nested x4":  # one file four times: its (file, line) pairs repeat
            once = counts["whole corpus", "nested"][0]
            print(f"  {label:46} {m:9,} matches, " + ("four times the first row's" if m == 4 * once
                                                       else f"NOT four times the first row's {once:,}"))
            continue
        print(f"  {label:46} {m:9,} matches in {ev:9,} of {n:9,} events ({ev / n:6.2%}), {nr:3} rules")
    return 0


if __name__ == "__main__":
    sys.exit(main())
