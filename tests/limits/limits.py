#!/usr/bin/env python3
"""Limits under attack (issue 8): hostile sizes, nesting, counts and failures.

Every sigc run here is bounded: an address-space limit (RLIMIT_AS, 2 GiB),
a wall-clock timeout (the process group is killed past it), and its own
peak RSS measured (os.wait4 in a small helper that starts it, see HELPER).
Each check prints one PASS, FAIL or SKIP line; the exit status is 1 when a check
failed.

  1. YAML alias bombs and deep nesting (100,000 levels of [ and {a:, 1,000
     and 5,000 levels of block mappings, conditions 100,000 deep): located
     errors, bounded; convert and match refuse the file (exit 1, no output).
  2. A 100 MB rule file and an endless stdin (`yes 'a: b' | sigc check -`):
     cut at --max-file-size; 300 MB of one event without a newline into
     sigc match: skipped at --max-event, the events after it still match,
     RSS bounded, clean exit when the pipe closes.
  3. A million-item list (node limit, located), a 150,000-item list that
     converts, conditions of 100,000 and-ed identifiers.
  4. Catastrophic regexes over 100,000-byte values: the PCRE2 limit trips,
     is counted in the summary, the scan goes on (sigc match and the
     generated C matcher).
  5. Thresholds and timespans at integer limits, in legacy conditions,
     threshold blocks and correlations: located errors where invalid; valid
     ones through kql, spl, suricata and c with the numbers unchanged.
  6. 10,000,000 distinct group-by keys streamed into sigc match: memory held
     by --max-groups, evictions counted in the summary.  The 10M run takes
     about 7 s in the gcc build (the generator included) and about 45 s in
     the ASan build, so the full count is kept.
  7. A write failure at the 7th of 10 files of -o DIR/ (a directory, a
     link to /dev/null, a FIFO of that name): exit 3, the file named, the
     directory as it was, no temporary file; -o FILE into a read-only or a
     full place; /dev/full as -o and as standard output.
  8. `| head -1`: sigc keeps the default SIGPIPE disposition, as grep and
     cat do: when the reader goes away it dies silently of SIGPIPE (the
     shell sees 141), with nothing on stderr.  Small outputs that fit the
     pipe finish with their usual status.  When SIGPIPE is ignored by the
     caller, the write fails with EPIPE: sigc exits 3, with at most one
     line on stderr.

The ASan+UBSan build (tests/run.sh) runs this file too: there RLIMIT_AS is
not set (ASan reserves terabytes of shadow address space), RSS bounds are
reported but not enforced, and time bounds are multiplied by 6.  About 30 s
in the gcc build, 2 minutes in the ASan one.

usage: limits.py SIGC [TEST_FUNCTION...]
"""
import fcntl
import os
import re
import resource
import shutil
import signal
import stat
import struct
import subprocess
import sys
import tempfile
import threading
import time

SIGC = os.path.abspath(sys.argv[1])
with open(SIGC, "rb") as _f:
    ASAN = b"__asan_init" in _f.read()
AS_LIMIT = 2 << 30
TIME_SCALE = 6 if ASAN else 1
MiB = 1 << 20

failures = 0


def report(ok, name, detail=""):
    global failures
    if not ok:
        failures += 1
    print("%s: %s%s" % ("PASS" if ok else "FAIL", name, "" if ok or not detail else "\n      " + detail.replace("\n", "\n      ")))
    sys.stdout.flush()


def skip(name, why):
    print("SKIP: %s (%s)" % (name, why))
    sys.stdout.flush()


class Result:
    def __init__(self, rc, out, err, rss_kb, secs, timed_out):
        self.rc, self.out, self.err, self.rss_kb, self.secs, self.timed_out = rc, out, err, rss_kb, secs, timed_out

    @property
    def err_text(self):
        return self.err.decode("utf-8", "replace")

    @property
    def out_text(self):
        return self.out.decode("utf-8", "replace")

    def brief(self):
        return "rc=%s time=%.2fs rss=%d KB%s\nstdout: %s\nstderr: %s" % (
            self.rc, self.secs, self.rss_kb, " TIMED OUT" if self.timed_out else "", self.out_text[:600],
            self.err_text[-1500:])


# sigc is started by this small helper, not forked from the test itself:
# a child's peak RSS (ru_maxrss) keeps the high-water mark of the process it
# was forked from, so a fork of this test, which holds megabytes of
# generated rules, would be measured instead of sigc.  The helper sets the
# limits, puts back the signal dispositions Python changes at start-up
# (SIGPIPE and SIGXFSZ ignored), runs sigc and reports its exit status and
# peak RSS on a pipe.
HELPER = r"""
import os, resource, signal, sys
fd, as_limit, fsize, ignore, argv = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5:]
resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
if as_limit:
    resource.setrlimit(resource.RLIMIT_AS, (as_limit, as_limit))
if fsize:
    resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))
for name in ("SIGPIPE", "SIGXFSZ"):
    signal.signal(getattr(signal, name), signal.SIG_IGN if name in ignore.split(",") else signal.SIG_DFL)
pid = os.fork()
if pid == 0:
    try:
        os.close(fd)
        os.execv(argv[0], argv)
    finally:
        os._exit(127)
_, status, ru = os.wait4(pid, 0)
os.write(fd, b"%d %d" % (os.waitstatus_to_exitcode(status), ru.ru_maxrss))
"""


def run(args, stdin=None, timeout=60, cwd=None, keep_out=True, fsize=0, ignore=(), stdout=None):
    """Runs sigc (args without the program) bounded in memory and time.
    stdin: None, bytes, or an iterable of bytes chunks (written until it ends
    or the reader goes away).  fsize: RLIMIT_FSIZE; ignore: signal names to
    leave ignored; stdout: a file to write to instead of a pipe.  Returns a
    Result with sigc's exit status (negative: the signal), its own peak RSS
    and the time."""
    rfd, wfd = os.pipe()
    t0 = time.monotonic()
    p = subprocess.Popen([sys.executable, "-S", "-c", HELPER, str(wfd), "0" if ASAN else str(AS_LIMIT), str(fsize),
                          ",".join(ignore), SIGC] + list(args),
                         stdin=subprocess.DEVNULL if stdin is None else subprocess.PIPE,
                         stdout=stdout if stdout is not None else subprocess.PIPE, stderr=subprocess.PIPE,
                         cwd=cwd, pass_fds=(wfd,), start_new_session=True)
    os.close(wfd)
    out, err = [], []

    def reader(f, sink, keep):
        while True:
            b = f.read(65536)
            if not b:
                break
            if keep:
                sink.append(b)
        f.close()

    def writer():
        try:
            if isinstance(stdin, (bytes, bytearray)):
                p.stdin.write(stdin)
            else:
                for chunk in stdin:
                    p.stdin.write(chunk)
        except (BrokenPipeError, OSError):
            pass
        try:
            p.stdin.close()
        except OSError:
            pass

    threads = [threading.Thread(target=reader, args=(p.stderr, err, True))]
    if stdout is None:
        threads.append(threading.Thread(target=reader, args=(p.stdout, out, keep_out)))
    if stdin is not None:
        threads.append(threading.Thread(target=writer))
    for t in threads:
        t.daemon = True
        t.start()
    timed_out = False
    try:
        p.wait(timeout * TIME_SCALE)
    except subprocess.TimeoutExpired:
        timed_out = True
        os.killpg(p.pid, signal.SIGKILL)
        p.wait()
    secs = time.monotonic() - t0
    for t in threads:
        t.join(10)
    with os.fdopen(rfd, "rb") as f:
        res = f.read().split()
    # -1000: the helper reported nothing (it was killed at the timeout).
    rc, rss = (int(res[0]), int(res[1])) if len(res) == 2 else (-1000, 0)
    return Result(rc, b"".join(out), b"".join(err), rss, secs, timed_out)


def bounded(r, secs, rss_mb):
    """True when r finished by itself (no timeout, no signal) within secs
    (scaled under ASan) and, outside ASan, under rss_mb of peak RSS."""
    if r.timed_out or r.rc < 0:
        return False
    if r.secs > secs * TIME_SCALE:
        return False
    return ASAN or r.rss_kb <= rss_mb * 1024


def expect_error(name, r, where, check_id, rc=1, secs=5, rss_mb=64):
    """r exited rc, bounded, with `where: error[check_id]:` on stderr (where
    is "file:line:col", or "file" for a diagnostic without a position)."""
    pat = re.compile(r"^%s: error\[%s\]: " % (re.escape(where), re.escape(check_id)), re.M)
    # sigc check prints its report on stdout, the other commands on stderr.
    ok = r.rc == rc and bounded(r, secs, rss_mb) and pat.search(r.out_text + r.err_text) is not None
    report(ok, "%s -> %s: error[%s], exit %d (%.2fs, %d KB)" % (name, where, check_id, rc, r.secs, r.rss_kb),
           r.brief())


def write(path, text):
    with open(path, "w" if isinstance(text, str) else "wb") as f:
        f.write(text)
    return path


RULE = """title: {title}
id: {id}
status: test
logsource:
{logsource}
detection:
{detection}
level: high
"""
PROCESS_CREATION = "    category: process_creation\n    product: windows"
WEB_FLOOD = "    sel:\n        cs-uri-stem|startswith: /\n    timeframe: 1h\n    condition: sel | count() by c-ip > 5"

SYSMON = '"EventID":1,"Channel":"Microsoft-Windows-Sysmon/Operational"'


def rule(title, rid, detection, logsource=PROCESS_CREATION):
    return RULE.format(title=title, id=rid, detection=detection, logsource=logsource)


# ---------------------------------------------------------------------------
# 1. YAML alias bombs and deep nesting


def test_yaml_bombs(tmp):
    # Billion laughs: nine levels of ten aliases (10^9 strings expanded).
    lines = ["title: lol", 'lol0: &a0 ["lol"]']
    for i in range(1, 10):
        lines.append("lol%d: &a%d [%s]" % (i, i, ",".join(["*a%d" % (i - 1)] * 10)))
    bomb = write(os.path.join(tmp, "alias_bomb.yml"), "\n".join(lines) + "\n")
    for cmd in (["check"], ["dump-ir"], ["convert", "-t", "kql"]):
        expect_error("billion laughs: sigc %s" % cmd[0], run(cmd + [bomb]), bomb + ":2:7", "yaml_alias")
    out = os.path.join(tmp, "bomb.kql")
    r = run(["convert", "-t", "kql", "-o", out, bomb])
    report(r.rc == 1 and not os.path.exists(out), "billion laughs: convert -o writes nothing, exit 1", r.brief())
    r = run(["match", bomb, "-"], stdin=b'{"a":"lol"}\n')
    report(r.rc == 1 and not r.out and "%s:2:7: error[yaml_alias]" % bomb in r.err_text,
           "billion laughs: match refuses the rule, scans nothing, exit 1", r.brief())
    # An alias alone (no anchor in the file) is refused too.
    alias = write(os.path.join(tmp, "alias_only.yml"), "title: x\ndescription: *nothing\n")
    expect_error("alias without anchor", run(["check", alias]), alias + ":2:14", "yaml_alias")

    # 100,000 levels.  The root mapping is level 1, detection's value 2, so
    # the 63rd bracket of `  sel: [[[...` (column 8 on) is level 65.
    n = 100000
    cases = [
        ("flow sequences [x100000]", "title: x\ndetection:\n  sel: " + "[" * n + "]" * n + "\n", "3:%d" % (8 + 62)),
        ("flow sequences, never closed", "title: x\ndetection:\n  sel: " + "[" * n + "\n", "3:%d" % (8 + 62)),
        ("flow mappings {a: x100000", "title: x\ndetection:\n  sel: " + "{a: " * n + "1" + "}" * n + "\n",
         "3:%d" % (8 + 62 * 4)),
    ]
    # Block mappings, one more space per level (1,000 levels, 500 KB): the
    # mapping that opens on line L is level L-1.
    block = ["title: x", "detection:"] + [" " * (i + 1) + "k:" for i in range(1000)] + [" " * 1001 + "v"]
    cases.append(("block mappings, 1,000 levels", "\n".join(block) + "\n", "66:65"))
    for i, (name, text, at) in enumerate(cases):
        f = write(os.path.join(tmp, "deep%d.yml" % i), text)
        expect_error("deep nesting, %s" % name, run(["check", f]), f + ":" + at, "limit_yaml_depth")
    # Raised to its maximum (10,000), the limit still holds: the loader is a
    # loop, not recursion, and libyaml's scanner stays fast.
    f = os.path.join(tmp, "deep0.yml")
    expect_error("deep nesting at --max-yaml-depth 10000", run(["check", "--max-yaml-depth", "10000", f]),
                 f + ":3:%d" % (8 + 9998), "limit_yaml_depth", secs=10)
    f = os.path.join(tmp, "deep2.yml")
    r = run(["convert", "-t", "kql", "-o", os.path.join(tmp, "deep.kql"), f])
    report(r.rc == 1 and bounded(r, 5, 64) and not os.path.exists(os.path.join(tmp, "deep.kql")),
           "deep nesting: convert exits 1 and writes nothing", r.brief())
    # 5,000 block levels (12.5 MB, past the default --max-file-size).
    block = ["title: x", "detection:"] + [" " * (i + 1) + "k:" for i in range(5000)] + [" " * 5001 + "v"]
    f = write(os.path.join(tmp, "deep_block5k.yml"), "\n".join(block) + "\n")
    expect_error("5,000 block levels: over the size limit", run(["check", f]), f, "limit_file_size")
    expect_error("5,000 block levels with --max-file-size 100000000",
                 run(["check", "--max-file-size", "100000000", f]), f + ":66:65", "limit_yaml_depth", rss_mb=128)


# ---------------------------------------------------------------------------
# 2. A 100 MB rule file, endless standard input


def endless(chunk):
    while True:
        yield chunk


def test_huge_inputs(tmp):
    big = os.path.join(tmp, "big100.yml")
    with open(big, "wb") as f:
        f.write(b"title: x\ndescription: ")
        blk = b"a" * MiB
        for _ in range(100):
            f.write(blk)
        f.write(b"\n")
    for cmd in (["check"], ["dump-ir"], ["convert", "-t", "kql"], ["convert", "-t", "c", "-o", os.path.join(tmp, "big.c")]):
        expect_error("100 MB rule file: sigc %s" % " ".join(cmd[:3]), run(cmd + [big]), big, "limit_file_size")
    report(not os.path.exists(os.path.join(tmp, "big.c")), "100 MB rule file: no output file")
    r = run(["match", big, "-"], stdin=b"{}\n")
    report(r.rc == 1 and not r.out and big + ": error[limit_file_size]" in r.err_text,
           "100 MB rule file: match refuses it, exit 1", r.brief())

    # `yes 'a: b' | sigc check -`: the read stops just past the limit.
    for cmd in (["check", "-"], ["dump-ir", "-"], ["convert", "-t", "kql", "-"], ["convert", "-t", "spl", "-q", "-"]):
        r = run(cmd, stdin=endless(b"a: b\n" * 4096), timeout=20)
        expect_error("endless stdin: sigc %s" % " ".join(cmd), r, "<stdin>", "limit_file_size")
        if cmd[0] == "check":
            report("limit of 1048576 bytes (--max-file-size)" in r.out_text,
                   "endless stdin: the message names the limit and --max-file-size", r.brief())
    r = run(["check", "--max-file-size", "100", "-"], stdin=endless(b"a: b\n" * 4096), timeout=20)
    expect_error("endless stdin with --max-file-size 100", r, "<stdin>", "limit_file_size")
    report("limit of 100 bytes" in r.out_text, "--max-file-size 100 is the limit reported", r.brief())

    # `sigc match` on an endless line: 300 MB without a newline, then the
    # pipe delivers events again, then closes.
    rulef = write(os.path.join(tmp, "web_flood_rule.yml"),
                  rule("web flood", "99999999-9999-4999-8999-000000000001", WEB_FLOOD, "    category: webserver"))

    def long_line(total):
        yield b'{"cs-uri-stem":"'
        blk = b"a" * MiB
        for _ in range(total):
            yield blk
        yield b'"}\n' + b'{"cs-uri-stem":"/","c-ip":"z"}\n' * 7

    for max_event, cap_mb in ((None, 64), ("1000000", 40)):
        opts = ["--max-event", max_event] if max_event else []
        r = run(["match", "--no-event"] + opts + [rulef, "-"], stdin=long_line(300), timeout=60)
        limit = max_event or "16777216"
        ok = (r.rc == 1 and bounded(r, 30, cap_mb) and
              "<stdin>:1:1: warning: event longer than %s bytes; skipped" % limit in r.err_text and
              '"line":7,"group":{"c-ip":"z"},"count":6' in r.out_text and "1 too long" in r.err_text)
        report(ok, "match, 300 MB event without newline%s: skipped at --max-event, the next events match, "
               "RSS %d KB (cap %d MB), %.2fs" % (" (--max-event %s)" % max_event if max_event else "", r.rss_kb,
                                                 cap_mb, r.secs), r.brief() + "\nstdout: " + r.out_text[:500])


# ---------------------------------------------------------------------------
# 3. A million-item list; 100,000 and-ed identifiers


def b36(n):
    d = "0123456789abcdefghijklmnopqrstuvwxyz"
    s = ""
    while True:
        s = d[n % 36] + s
        n //= 36
        if n == 0:
            return s


def test_big_counts(tmp):
    # 1,000,000 items: 6 MB, past the size limit; with the limit raised, the
    # node limit (200,000 per file) stops it at the item that crosses it.
    items = ",".join("x" + b36(i) for i in range(1000000))
    det = "    sel:\n        CommandLine|contains: [%s]\n    condition: sel" % items
    f = write(os.path.join(tmp, "million_items.yml"), rule("a million items", "22222222-2222-4222-8222-222222222221", det))
    expect_error("1,000,000-item list", run(["check", f]), f, "limit_file_size")
    # Nodes before the list: the root mapping, title, id, status (2 each),
    # logsource (key, mapping, 2 pairs), detection and sel (key, mapping
    # each), CommandLine|contains and its list: 19.  Item j is node 20 + j,
    # so item 199,981 is node 200,001; the first item is at column 32.
    words = items.split(",")
    at = "9:%d" % (32 + len(",".join(words[:199981])) + 1)
    for cmd in (["check"], ["convert", "-t", "kql"], ["convert", "-t", "c", "-o", os.path.join(tmp, "million.c")]):
        r = run(cmd + ["--max-file-size", "100000000", f])
        expect_error("1,000,000-item list, --max-file-size 100000000: sigc %s" % " ".join(cmd[:3]), r, f + ":" + at,
                     "limit_yaml_nodes", secs=10, rss_mb=256)
    report(not os.path.exists(os.path.join(tmp, "million.c")), "1,000,000-item list: no output file")

    # 150,000 items fit in 1 MiB and under the node limit: they convert.
    n = 150000
    last = "x" + b36(n - 1)
    items = ",".join("x" + b36(i) for i in range(n))
    det = "    sel:\n        CommandLine|contains: [%s]\n    condition: sel" % items
    f = write(os.path.join(tmp, "items_150k.yml"), rule("150k items", "22222222-2222-4222-8222-222222222222", det))
    for target in ("kql", "spl"):
        r = run(["convert", "-q", "-t", target, f], timeout=60)
        report(r.rc == 0 and bounded(r, 20, 512) and last.encode() in r.out and b"x0" in r.out,
               "150,000-item list converts to %s (%.2fs, %d KB, %d bytes)" % (target, r.secs, r.rss_kb, len(r.out)),
               r.brief())
    out = os.path.join(tmp, "items_150k.c")
    r = run(["convert", "-q", "-t", "c", "-o", out, f], timeout=60)
    report(r.rc == 0 and bounded(r, 30, 1024) and os.path.getsize(out) > 0,
           "150,000-item list converts to c (%.2fs, %d KB)" % (r.secs, r.rss_kb), r.brief())
    events = ('{%s,"CommandLine":"no"}\n{%s,"CommandLine":"a %s b"}\n' % (SYSMON, SYSMON, last)).encode()
    r = run(["match", "--no-event", f, "-"], stdin=events, timeout=60)
    report(r.rc == 1 and bounded(r, 30, 1024) and r.out_text.count("\n") == 1 and '"line":2' in r.out_text,
           "150,000-item list: match finds the last item (%.2fs, %d KB)" % (r.secs, r.rss_kb), r.brief())

    # 100,000 and-ed identifiers: one identifier named 100,000 times (800 KB).
    det = "    sel:\n        CommandLine|contains: foo\n    condition: %s" % " and ".join(["sel"] * 100000)
    f = write(os.path.join(tmp, "and_same.yml"), rule("and x100000", "33333333-3333-4333-8333-333333333331", det))
    for target in ("kql", "spl", "c"):
        args = ["convert", "-q", "-t", target, f] + (["-o", os.path.join(tmp, "and.c")] if target == "c" else [])
        r = run(args, timeout=60)
        report(r.rc == 0 and bounded(r, 20, 512), "100,000 and-ed identifiers convert to %s (%.2fs, %d KB)"
               % (target, r.secs, r.rss_kb), r.brief())
    events = ('{%s,"CommandLine":"xfoo"}\n{%s,"CommandLine":"bar"}\n' % (SYSMON, SYSMON)).encode()
    r = run(["match", "--no-event", f, "-"], stdin=events, timeout=60)
    report(r.rc == 1 and bounded(r, 20, 512) and r.out_text.count("\n") == 1 and '"line":1' in r.out_text,
           "100,000 and-ed identifiers: match (%.2fs, %d KB)" % (r.secs, r.rss_kb), r.brief())
    # 100,000 distinct identifiers (3 MB): past the node limit, located.
    sels = "".join("    s%d: v%d\n" % (i, i) for i in range(100000))
    det = sels + "    condition: " + " and ".join("s%d" % i for i in range(100000))
    f = write(os.path.join(tmp, "and_distinct.yml"), rule("and distinct", "33333333-3333-4333-8333-333333333332", det))
    expect_error("100,000 distinct and-ed identifiers", run(["check", f]), f, "limit_file_size")
    # 15 nodes before the first identifier (root, title, id, status,
    # logsource's 6, detection's key and mapping), then a key and a value
    # each: the value of s99992 (line 8 + 99992, column 13) is node 200,001.
    expect_error("100,000 distinct and-ed identifiers, --max-file-size 100000000",
                 run(["convert", "-t", "kql", "--max-file-size", "100000000", f]), f + ":100000:13",
                 "limit_yaml_nodes", rss_mb=256)
    # 60,000 distinct identifiers fit the node limit: they convert.
    sels = "".join("    s%d: v%d\n" % (i, i) for i in range(60000))
    det = sels + "    condition: " + " and ".join("s%d" % i for i in range(60000))
    f = write(os.path.join(tmp, "and_60k.yml"), rule("and 60k", "33333333-3333-4333-8333-333333333333", det))
    r = run(["convert", "-q", "-t", "kql", "--max-file-size", "100000000", f], timeout=60)
    report(r.rc == 0 and bounded(r, 20, 512) and b"v59999" in r.out,
           "60,000 distinct and-ed identifiers convert to kql (%.2fs, %d KB)" % (r.secs, r.rss_kb), r.brief())
    # Conditions nested 100,000 deep: parentheses and `not`s.
    for name, cond, col in (("100,000 parentheses", "(" * 100000 + "sel" + ")" * 100000, 16 + 64),
                            ("100,000 nots", "not " * 100000 + "sel", 16 + 64 * 4)):
        det = "    sel:\n        CommandLine|contains: foo\n    condition: " + cond
        f = write(os.path.join(tmp, "cond_deep.yml"), rule(name, "33333333-3333-4333-8333-333333333334", det))
        expect_error("condition of %s" % name, run(["check", f]), f + ":10:%d" % col, "condition")


# ---------------------------------------------------------------------------
# 4. Catastrophic regexes against long events


def test_regex_dos(tmp):
    rules = []
    for i, rx in enumerate(("(a+)+$", "(a|aa)*b")):
        det = "    sel:\n        CommandLine|re: '%s'\n    condition: sel" % rx
        rules.append(write(os.path.join(tmp, "regex_%d.yml" % i),
                           rule("catastrophic %s" % rx, "44444444-4444-4444-8444-44444444444%d" % i, det)))
    a = "a" * 100000
    lines = []
    # (a+)+$ backtracks on a...a! ; (a|aa)*b needs a 'b' in the value before
    # PCRE2 even tries (its required-character check), so a...a!b for it.
    for i in range(5):
        lines.append('{%s,"CommandLine":"%s!"}' % (SYSMON, a))
    for i in range(5):
        lines.append('{%s,"CommandLine":"%s!b"}' % (SYSMON, a))
    lines.append('{%s,"CommandLine":"xaab"}' % SYSMON)   # line 11: (a|aa)*b
    lines.append('{%s,"CommandLine":"aaa"}' % SYSMON)    # line 12: (a+)+$
    events = write(os.path.join(tmp, "regex_events.jsonl"), "\n".join(lines) + "\n")
    # Limit trips: (a+)+$ on all ten long values, (a|aa)*b on the five with a b.
    for opts in ([], ["--regex-match-limit", "10000"]):
        r = run(["match", "--no-event"] + opts + rules + [events], timeout=60)
        hits = re.search(r"regex limits hit: (\d+)", r.err_text)
        ok = (r.rc == 1 and bounded(r, 10, 128) and hits and int(hits.group(1)) == 15 and
              '"line":11}' in r.out_text and '"line":12}' in r.out_text and r.out_text.count("\n") == 2)
        report(bool(ok), "catastrophic regexes%s: the limit trips 15 times, counted; lines 11 and 12 still match "
               "(%.2fs)" % (" " + " ".join(opts) if opts else "", r.secs), r.brief() + "\nstdout: " + r.out_text)
    r = run(["match", "--regex-match-limit", "0"] + rules + [events])
    report(r.rc == 2 and r.rc >= 0, "--regex-match-limit 0 is a usage error", r.brief())
    # The generated C matcher applies the same limit.
    cc = shutil.which("cc")
    if not cc:
        skip("catastrophic regexes in the generated C matcher", "no cc")
        return
    csrc, prog = os.path.join(tmp, "regex_matcher.c"), os.path.join(tmp, "regex_matcher")
    r = run(["convert", "-q", "-t", "c", "-o", csrc] + rules)
    b = subprocess.run([cc, "-O1", "-w", csrc, "-o", prog, "-lpcre2-8"], capture_output=True, timeout=300)
    if r.rc != 0 or b.returncode != 0:
        report(False, "catastrophic regexes: the generated C matcher builds", r.brief() + b.stderr.decode()[-1000:])
        return
    t0 = time.monotonic()
    p = subprocess.run([prog, "--no-event", events], capture_output=True, timeout=60 * TIME_SCALE,
                       preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_AS, (AS_LIMIT, AS_LIMIT)))
    secs = time.monotonic() - t0
    hits = re.search(rb"regex limits hit: (\d+)", p.stderr)
    ok = p.returncode == 1 and hits and int(hits.group(1)) == 15 and p.stdout.count(b"\n") == 2 and secs < 10 * TIME_SCALE
    report(bool(ok), "catastrophic regexes in the generated C matcher: 15 limits counted, lines 11 and 12 match "
           "(%.2fs)" % secs, p.stderr.decode()[-800:])


# ---------------------------------------------------------------------------
# 5. Thresholds and timespans at integer limits

LEGACY = """title: legacy {n}
id: 55555555-5555-4555-8555-{n:012d}
status: test
logsource:
    category: dns
detection:
    sel:
        query|endswith: .example
    timeframe: {tf}
    condition: sel | {cond}
level: high
"""

CORRELATION = """title: dns base {n}
id: 66666666-6666-4666-8666-{n:012d}
name: dns_base_{n}
status: test
logsource:
    category: dns
detection:
    sel:
        query|endswith: .example
    condition: sel
level: low
---
title: correlation {n}
id: 77777777-7777-4777-8777-{n:012d}
status: test
correlation:
    type: event_count
    rules:
        - dns_base_{n}
    group-by:
        - src_ip
    timespan: {ts}
    condition:
        {op}: {val}
level: high
"""

THRESHOLD = """title: threshold block {n}
id: 88888888-8888-4888-8888-{n:012d}
status: test
logsource:
    category: dns
detection:
    sel:
        query|endswith: .example
    condition: sel
threshold:
    group-by: [src_ip]
    timespan: {ts}
    condition: {{{op}: {val}}}
level: high
"""


def test_thresholds(tmp):
    inv = os.path.join(tmp, "invalid")
    os.mkdir(inv)
    n = [0]

    def legacy(tf, cond):
        n[0] += 1
        return write(os.path.join(inv, "legacy_%02d.yml" % n[0]), LEGACY.format(n=n[0], tf=tf, cond=cond))

    def corr(ts, op, val):
        n[0] += 1
        return write(os.path.join(inv, "corr_%02d.yml" % n[0]), CORRELATION.format(n=n[0], ts=ts, op=op, val=val))

    def thr(ts, op, val):
        n[0] += 1
        return write(os.path.join(inv, "thr_%02d.yml" % n[0]), THRESHOLD.format(n=n[0], ts=ts, op=op, val=val))

    # (file, line:col, check id, message part) of each invalid value.
    # Legacy: timeframe on line 9, col 16; the threshold after `> ` at col 42.
    invalid = [
        (legacy("9999999999999d", "count() by src_ip > 5"), "9:16", "rule_value", "longer than 100 years"),
        (legacy("9223372036854775807s", "count() by src_ip > 5"), "9:16", "rule_value", "longer than 100 years"),
        (legacy("9223372036854775808s", "count() by src_ip > 5"), "9:16", "rule_value", "too large"),
        (legacy("99999999999999999999999y", "count() by src_ip > 5"), "9:16", "rule_value", "too large"),
        (legacy("101y", "count() by src_ip > 5"), "9:16", "rule_value", "longer than 100 years"),
        (legacy("0s", "count() by src_ip > 5"), "9:16", "rule_value", "is zero"),
        (legacy("-5m", "count() by src_ip > 5"), "9:16", "rule_value", "not a timespan"),
        (legacy("1.5h", "count() by src_ip > 5"), "9:16", "rule_value", "not a timespan"),
        (legacy("5m", "count() by src_ip > 18446744073709551616"), "10:42", "condition", "too large"),
        (legacy("5m", "count() by src_ip > 18446744073709551615"), "10:42", "condition", "too large"),
        (legacy("5m", "count() by src_ip > 9223372036854775808"), "10:42", "condition", "too large"),
        (legacy("5m", "count() by src_ip > 9007199254740993"), "10:42", "condition", "too large"),
        (legacy("5m", "count() by src_ip > 9007199254740992.5"), "10:42", "condition", "too large"),
        (legacy("5m", "count() by src_ip > -1"), "10:42", "condition", "must be >= 0"),
        (legacy("5m", "count() by src_ip > -9223372036854775808"), "10:42", "condition", "must be >= 0"),
        (legacy("5m", "count() by src_ip > 1e308"), "10:42", "condition", "invalid number"),
        # Correlations: timespan on line 22 col 15, the value on line 24 col 14.
        (corr("9999999999999d", "gte", "5"), "22:15", "correlation", "longer than 100 years"),
        (corr("0s", "gte", "5"), "22:15", "correlation", "is zero"),
        (corr("-1m", "gte", "5"), "22:15", "correlation", "not a timespan"),
        (corr("1m", "gte", "18446744073709551616"), "24:14", "correlation", "from 0 to 2^53"),
        (corr("1m", "gte", "9223372036854775807"), "24:14", "correlation", "from 0 to 2^53"),
        (corr("1m", "gte", "0x7fffffffffffffff"), "24:14", "correlation", "from 0 to 2^53"),
        (corr("1m", "gte", "9007199254740993"), "24:14", "correlation", "from 0 to 2^53"),
        (corr("1m", "gte", "-1"), "24:14", "correlation", "from 0 to 2^53"),
        (corr("1m", "gte", "-9223372036854775809"), "24:14", "correlation", "from 0 to 2^53"),
        (corr("1m", "gte", ".nan"), "24:14", "correlation", "from 0 to 2^53"),
        (corr("1m", "gte", ".inf"), "24:14", "correlation", "from 0 to 2^53"),
        (corr("1m", "gte", "1.0e+300"), "24:14", "correlation", "from 0 to 2^53"),
        (corr("1m", "gte", "'5'"), "24:14", "correlation", "from 0 to 2^53"),
        # Threshold blocks: timespan on line 12 col 15, the value on line 13 col 22.
        (thr("9999999999999d", "gte", "5"), "12:15", "threshold", "longer than 100 years"),
        (thr("0s", "gte", "5"), "12:15", "threshold", "is zero"),
        (thr("1m", "gte", "18446744073709551616"), "13:22", "threshold", "from 0 to 2^53"),
        (thr("1m", "gte", "9007199254740993"), "13:22", "threshold", "from 0 to 2^53"),
        (thr("1m", "gte", "-1"), "13:22", "threshold", "from 0 to 2^53"),
    ]
    for f, at, cid, msg in invalid:
        r = run(["check", "-q", f])
        text = r.out_text
        m = re.search(r"^%s:%s: error\[%s\]: (.*)$" % (re.escape(f), at, cid), text, re.M)
        ok = r.rc == 1 and bounded(r, 5, 64) and m is not None and msg in m.group(1)
        src = open(f).read()
        what = re.findall(r"(?:timeframe|timespan|condition|gte): .*", src)
        report(ok, "invalid %s (%s) -> %s:%s error[%s] '%s'" % (os.path.basename(f), "; ".join(w.strip() for w in what[-2:]),
                                                               os.path.basename(f), at, cid, msg), r.brief())
    r = run(["convert", "-t", "kql", "-o", os.path.join(tmp, "invalid.kql"), inv])
    report(r.rc == 1 and not os.path.exists(os.path.join(tmp, "invalid.kql")) and r.rc >= 0,
           "invalid thresholds: convert exits 1 and writes nothing", r.brief())

    # Valid values at the limits: each target converts them exactly or says
    # at the rule that it cannot; a number never comes out changed, negative,
    # in exponent form or as nan/inf.
    ok_dir = os.path.join(tmp, "valid")
    os.mkdir(ok_dir)
    # (file, comparison in kql/spl, threshold, span as kql/spl write it,
    # timespan in seconds, suricata's count and seconds or None: a located
    # error expected)
    valid = []
    units = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800, "M": 2629746, "y": 31556952}

    def v_legacy(tf, op, val, span, sur):
        n[0] += 1
        f = write(os.path.join(ok_dir, "legacy_%02d.yml" % n[0]),
                  LEGACY.format(n=n[0], tf=tf, cond="count() by src_ip %s %s" % (op, val)))
        valid.append((f, op, val, span, int(tf[:-1]) * units[tf[-1]], sur))

    def v_corr(ts, op, val, span, sur):
        n[0] += 1
        f = write(os.path.join(ok_dir, "corr_%02d.yml" % n[0]), CORRELATION.format(n=n[0], ts=ts, op=op, val=val))
        valid.append((f, {"gt": ">", "gte": ">="}[op], val, span, int(ts[:-1]) * units[ts[-1]], sur))

    v_legacy("5m", ">", "0", "5m", "count 1, seconds 300")
    v_legacy("1s", ">", "5", "1s", "count 6, seconds 1")
    v_legacy("52w", ">=", "1", "364d", "count 1, seconds 31449600")
    v_legacy("100y", ">", "5", "876582h", None)               # Suricata: at most 365 days
    v_legacy("5m", ">", "4294967295", "5m", None)             # Suricata: at most 10^9
    v_legacy("5m", ">=", "1000000000", "5m", "count 1000000000, seconds 300")
    v_legacy("5m", ">", "9007199254740991", "5m", None)
    v_legacy("5m", ">", "9007199254740992", "5m", None)
    v_legacy("5m", ">", "0000000000000000000000000000000007", "5m", "count 8, seconds 300")
    v_corr("1m", "gte", "0", "1m", "count 1, seconds 60")
    v_corr("1m", "gte", "-0", "1m", "count 1, seconds 60")
    v_corr("1m", "gte", "2147483648", "1m", None)
    v_corr("1m", "gte", "4294967296", "1m", None)
    v_corr("1m", "gt", "9007199254740992", "1m", None)
    v_corr("100y", "gt", "5", "876582h", None)
    v_corr("9999s", "gt", "5", "9999s", "count 6, seconds 9999")
    for f, op, val, span, secs, sur in valid:
        num = str(int(val))
        name = "%s (%s %s, %s)" % (os.path.basename(f), op, val, span)
        for target in ("kql", "spl"):
            r = run(["convert", "-q", "-t", target, f])
            q = r.out_text
            want_cmp = "%s %s" % (op, num)
            want_span = ("bin(TimeGenerated, %s)" if target == "kql" else "span=%s") % span
            ok = r.rc == 0 and want_cmp in q and want_span in q and not re.search(r"[<>=]\s*-|nan|inf|e\+", q)
            report(ok, "%s -> %s has '%s' and '%s'" % (name, target, want_cmp, want_span), r.brief() + "\n" + q)
        r = run(["convert", "-q", "-t", "suricata", f])
        if sur:
            ok = r.rc == 0 and ("threshold: type both, track by_src, %s;" % sur) in r.out_text
            report(ok, "%s -> suricata '%s'" % (name, sur), r.brief() + "\n" + r.out_text)
        else:
            m = re.search(r"^%s:\d+:\d+: error\[unsupported\]: " % re.escape(f), r.err_text, re.M)
            report(r.rc == 1 and m is not None and not r.out, "%s -> suricata: located error[unsupported], nothing written"
                   % name, r.brief())
        cfile = os.path.join(tmp, "valid.c")
        r = run(["convert", "-q", "-t", "c", "-o", cfile, f])
        text = open(cfile).read() if r.rc == 0 else ""
        row = re.search(r"\{SGM_AGG_EVENT_COUNT, SGM_CMP_\w+,.*\}", text)
        # The row ends in the timespan in microseconds and the threshold.
        ok = r.rc == 0 and row is not None and re.search(r"\b%dLL, %s(\.0)?\}" % (secs * 1000000, num),
                                                         row.group(0)) is not None and \
            not re.search(r"-\d|nan|inf", row.group(0))
        report(ok, "%s -> c: the aggregation row ends in %dLL, %s" % (name, secs * 1000000, num),
               r.brief() + "\n" + (row.group(0) if row else ""))
    # All valid rules in one generated matcher: it builds, and the thresholds
    # behave: 1 event passes `> 0` and `>= 0`, nothing reaches 2^53.
    cc = shutil.which("cc")
    if not cc:
        skip("threshold limits through the generated C matcher", "no cc")
        return
    csrc, prog = os.path.join(tmp, "thresholds.c"), os.path.join(tmp, "thresholds")
    r = run(["convert", "-q", "-t", "c", "-o", csrc, ok_dir])
    b = subprocess.run([cc, "-O1", "-Wall", "-Werror", "-w", csrc, "-o", prog, "-lpcre2-8"], capture_output=True, timeout=300)
    if r.rc != 0 or b.returncode != 0:
        report(False, "threshold limits: the generated C matcher builds", r.brief() + b.stderr.decode()[-1500:])
        return
    ev = b'{"query":"a.example","src_ip":"10.0.0.1","timestamp":"2026-01-01T00:00:00Z"}\n'
    p = subprocess.run([prog, "--no-event"], input=ev * 2, capture_output=True, timeout=60 * TIME_SCALE)
    got = sorted(set(re.findall(rb'"title":"([^"]*)"', p.stdout)))
    want = []
    for f, op, val, _, _, _ in valid:
        if (op == ">" and int(val) < 2) or (op == ">=" and int(val) <= 2):
            kind, num = re.search(r"(legacy|corr)_(\d+)", f).groups()
            want.append(("legacy %d" if kind == "legacy" else "correlation %d") % int(num))
    want = sorted(w.encode() for w in want)
    report(p.returncode == 1 and got == want, "threshold limits in the generated C matcher: two events fire exactly "
           "the rules with thresholds under 2", "got %s\nwant %s\n%s" % (got, want, p.stderr.decode()[-800:]))


# ---------------------------------------------------------------------------
# 6. Ten million distinct group-by keys


def key_stream(n, tail=b""):
    for s in range(0, n, 20000):
        yield b"".join(b'{"cs-uri-stem":"/","c-ip":"k%d"}\n' % i for i in range(s, min(n, s + 20000)))
    if tail:
        yield tail


def test_many_groups(tmp):
    legacy = write(os.path.join(tmp, "groups_legacy.yml"),
                   rule("many groups", "99999999-9999-4999-8999-000000000002", WEB_FLOOD, "    category: webserver"))
    corr = write(os.path.join(tmp, "groups_corr.yml"), """title: request
id: 99999999-9999-4999-8999-000000000003
name: web_request
status: test
logsource:
    category: webserver
detection:
    sel:
        cs-uri-stem|startswith: /
    condition: sel
level: informational
---
title: many groups correlation
id: 99999999-9999-4999-8999-000000000004
status: test
correlation:
    type: event_count
    rules: [web_request]
    group-by: [c-ip]
    timespan: 1h
    condition: {gt: 5}
level: high
""")
    flood = b'{"cs-uri-stem":"/","c-ip":"flood"}\n' * 6
    n = 10000000
    for name, rulef, count, cap, rss_mb in (("threshold rule", legacy, n, 100000, 160),
                                            ("event_count correlation", corr, 1000000, 10000, 64)):
        r = run(["match", "--no-event", "--max-groups", str(cap), rulef, "-"], stdin=key_stream(count, flood),
                timeout=60, keep_out=True)
        ev = re.search(r"aggregation: (\d+) groups evicted", r.err_text)
        ok = (r.rc == 1 and bounded(r, 40, rss_mb) and ev is not None and int(ev.group(1)) >= count - cap and
              "%d events from 1 inputs" % (count + 6) in r.err_text and '"group":{"c-ip":"flood"},"count":6' in r.out_text
              and r.out_text.count("\n") == 1)
        report(ok, "%s, %d distinct keys, --max-groups %d: %s groups evicted (counted in the summary), peak RSS "
               "%d KB (cap %d MB), %.1fs; the flood after them still alerts"
               % (name, count, cap, ev.group(1) if ev else "no", r.rss_kb, rss_mb, r.secs), r.brief())
    # The default cap (1,048,576 groups) holds too: 2,000,000 keys, peak RSS
    # about 450 MB in the gcc build.
    r = run(["match", "--no-event", legacy, "-"], stdin=key_stream(2000000), timeout=60)
    ev = re.search(r"aggregation: (\d+) groups evicted", r.err_text)
    ok = r.rc == 0 and bounded(r, 40, 700) and ev is not None and int(ev.group(1)) >= 2000000 - 1048576
    report(ok, "2,000,000 distinct keys at the default --max-groups: %s evicted, peak RSS %d KB, %.1fs"
           % (ev.group(1) if ev else "none", r.rss_kb, r.secs), r.brief())


# ---------------------------------------------------------------------------
# 7. Write failures


def set_immutable(path, on):
    """chattr +i / -i through the ioctl (root only; ext4, xfs, btrfs)."""
    FS_IOC_GETFLAGS, FS_IOC_SETFLAGS, FS_IMMUTABLE_FL = 0x80086601, 0x40086602, 0x10
    fd = os.open(path, os.O_RDONLY)
    try:
        flags = struct.unpack("i", fcntl.ioctl(fd, FS_IOC_GETFLAGS, b"\0" * 4))[0]
        flags = flags | FS_IMMUTABLE_FL if on else flags & ~FS_IMMUTABLE_FL
        fcntl.ioctl(fd, FS_IOC_SETFLAGS, struct.pack("i", flags))
    finally:
        os.close(fd)


def snapshot(d):
    out = {}
    for name in sorted(os.listdir(d)):
        p = os.path.join(d, name)
        st = os.lstat(p)
        out[name] = open(p, "rb").read() if stat.S_ISREG(st.st_mode) else stat.S_IFMT(st.st_mode)
    return out


def test_write_failures(tmp):
    rules = os.path.join(tmp, "ten")
    os.mkdir(rules)

    def write_rules(word):
        for i in range(10):
            det = "    sel:\n        CommandLine|contains: %s%d\n    condition: sel" % (word, i)
            write(os.path.join(rules, "rule_%02d.yml" % i), rule("rule %d" % i, "00000000-0000-4000-8000-%012d" % i, det))

    write_rules("first")
    out = os.path.join(tmp, "out")
    r = run(["convert", "-q", "-t", "kql", "-o", out + "/", rules])
    names = sorted(os.listdir(out)) if os.path.isdir(out) else []
    report(r.rc == 0 and names == ["00000000-0000-4000-8000-%012d.kql" % i for i in range(10)],
           "-o DIR/ writes one file per rule, named by id", r.brief() + "\n%s" % names)
    before = snapshot(out)
    seventh = os.path.join(out, names[6]) if len(names) == 10 else os.path.join(out, "x")
    write_rules("second")

    def collide(kind):
        os.unlink(seventh)
        if kind == "a directory":
            os.mkdir(seventh)
        elif kind == "a symbolic link to /dev/null":
            os.symlink("/dev/null", seventh)
        elif kind == "a FIFO":
            os.mkfifo(seventh)

    def restore():
        if os.path.isdir(seventh) and not os.path.islink(seventh):
            os.rmdir(seventh)
        else:
            os.unlink(seventh)
        with open(seventh, "wb") as f:
            f.write(before[names[6]])

    for kind in ("a directory", "a symbolic link to /dev/null", "a FIFO"):
        collide(kind)
        expected = snapshot(out)
        r = run(["convert", "-q", "-t", "kql", "-o", out + "/", rules], timeout=20)
        now = snapshot(out)
        ok = (r.rc == 3 and bounded(r, 5, 64) and now == expected and
              ("cannot write '%s'" % seventh) in r.err_text and "nothing written" in r.err_text and
              len(r.err_text.strip().splitlines()) == 1)
        report(ok, "-o DIR/ with %s in place of the 7th file: exit 3, the file named, the directory unchanged, "
               "no temporary file" % kind, r.brief() + "\nleft: %s" % sorted(set(now) ^ set(expected)))
        restore()
    # The same into a directory under /dev (a tmpfs, written with a rename
    # like any other directory, not in place like /dev/stdout).
    if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK):
        shm = tempfile.mkdtemp(prefix="sigc-limits-", dir="/dev/shm")
        try:
            r = run(["convert", "-q", "-t", "kql", "-o", shm + "/out/", rules])
            report(r.rc == 0 and len(os.listdir(shm + "/out")) == 10, "-o /dev/shm/DIR/ writes ten files", r.brief())
        finally:
            shutil.rmtree(shm, ignore_errors=True)
    r = run(["convert", "-q", "-t", "kql", "-o", out + "/", rules])
    after = snapshot(out)
    report(r.rc == 0 and sorted(after) == names and all(after[k] != before[k] for k in names),
           "-o DIR/ once the 7th name is free again: all ten files replaced", r.brief())

    # -o FILE in a folder that cannot take a new file.
    ro = os.path.join(tmp, "readonly")
    os.mkdir(ro)
    target = write(os.path.join(ro, "all.kql"), "old content\n")
    how = None
    if os.geteuid() != 0:
        os.chmod(ro, 0o555)
        how = "mode 555"
    else:
        try:
            set_immutable(ro, True)
            how = "immutable"
        except OSError as e:
            skip("-o FILE in a read-only folder", "root, and no immutable flag here: %s" % e)
    if how:
        try:
            r = run(["convert", "-q", "-t", "kql", "-o", target, rules])
            ok = (r.rc == 3 and "cannot write '%s'" % target in r.err_text and
                  open(target).read() == "old content\n" and os.listdir(ro) == ["all.kql"])
            report(ok, "-o FILE in a read-only folder (%s): exit 3, the old file intact, no temporary file" % how,
                   r.brief())
            r = run(["check", "-q", "-o", target, rules])
            report(r.rc == 3 and "write error" in r.err_text and open(target).read() == "old content\n",
                   "check -o FILE in a read-only folder: exit 3, the old file intact", r.brief())
        finally:
            if how == "immutable":
                set_immutable(ro, False)
            os.chmod(ro, 0o755)
    # A full disk: RLIMIT_FSIZE makes every write past 100 bytes fail with
    # EFBIG (SIGXFSZ ignored), as ENOSPC would.
    full = os.path.join(tmp, "full")
    os.mkdir(full)
    target = write(os.path.join(full, "all.kql"), "old content\n")

    r = run(["convert", "-q", "-t", "kql", "-o", target, rules], fsize=100, ignore=["SIGXFSZ"])
    ok = (r.rc == 3 and "cannot write '%s': File too large" % target in r.err_text and
          open(target).read() == "old content\n" and os.listdir(full) == ["all.kql"])
    report(ok, "-o FILE on a full file system: exit 3, the old file intact, no temporary file", r.brief())
    r = run(["convert", "-q", "-t", "kql", "-o", full + "/", rules], fsize=100, ignore=["SIGXFSZ"])
    ok = r.rc == 3 and "nothing written" in r.err_text and os.listdir(full) == ["all.kql"]
    report(ok, "-o DIR/ on a full file system: exit 3, no file, no temporary file", r.brief())
    # /dev/full: written in place (it cannot be renamed over).
    for args, what in ((["convert", "-q", "-t", "kql", "-o", "/dev/full", rules], "cannot write '/dev/full': No space left on device"),
                       (["check", "-q", "-o", "/dev/full", write(os.path.join(tmp, "bad_rule.yml"), "title: x\n")],
                        "write error: No space left on device")):
        r = run(args)
        report(r.rc == 3 and what in r.err_text, "sigc %s -o /dev/full: exit 3, '%s'" % (args[0], what), r.brief())
    # Standard output on /dev/full.
    with open("/dev/full", "wb") as devfull:
        event = ('{%s,"CommandLine":"second1"}\n' % SYSMON).encode()
        for args, what in ((["convert", "-q", "-t", "kql", rules], "cannot write '<stdout>': No space left on device"),
                           (["dump-ir", rules], "sigc dump-ir: cannot write the output"),
                           (["match", "--no-event", "--quiet", rules, "-"], "sigc match: cannot write the output")):
            r = run(args, stdin=event if args[0] == "match" else None, stdout=devfull)
            report(r.rc == 3 and what in r.err_text, "sigc %s > /dev/full: exit 3, '%s'" % (args[0], what), r.brief())


# ---------------------------------------------------------------------------
# 8. | head -1


def head1(args, stdin=None, ignore_sigpipe=False, timeout=30):
    """sigc ARGS | head -1: sigc's stdout is read by a reader that takes one
    line and goes away.  Returns (exit status, stderr, first line, seconds);
    the status is "timeout" when sigc was still running after timeout."""
    rfd, wfd = os.pipe()
    t0 = time.monotonic()
    p = subprocess.Popen([sys.executable, "-S", "-c", HELPER, str(wfd), "0" if ASAN else str(AS_LIMIT), "0",
                          "SIGPIPE" if ignore_sigpipe else "", SIGC] + args,
                         stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, pass_fds=(wfd,), start_new_session=True)
    os.close(wfd)
    err = []
    threading.Thread(target=lambda: err.append(p.stderr.read()), daemon=True).start()
    if stdin is not None:
        def feed():
            try:
                for chunk in stdin:
                    p.stdin.write(chunk)
            except (BrokenPipeError, OSError):
                pass
            try:
                p.stdin.close()
            except OSError:
                pass
        threading.Thread(target=feed, daemon=True).start()
    line = p.stdout.readline()
    p.stdout.close()
    try:
        p.wait(timeout * TIME_SCALE)
        with os.fdopen(rfd, "rb") as f:
            rc = int(f.read().split()[0])
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        p.wait()
        os.close(rfd)
        rc = "timeout"
    time.sleep(0.05)
    return rc, (err[0] if err else b"").decode("utf-8", "replace"), line, time.monotonic() - t0


def test_head(tmp):
    rules = os.path.join(tmp, "many")
    os.mkdir(rules)
    for i in range(300):
        det = "    sel:\n        CommandLine|contains: [%s]\n    condition: sel" % ",".join("w%d_%d" % (i, k) for k in range(200))
        write(os.path.join(rules, "r%03d.yml" % i), rule("rule %d" % i, "00000000-0000-4000-8000-%012d" % i, det))
    ev = ('{%s,"CommandLine":"w1_1 w2_2 w3_3"}\n' % SYSMON).encode()

    def events(n):
        for _ in range(n):
            yield ev * 1000

    cases = [
        (["convert", "-t", "kql", rules], None),
        (["convert", "-t", "spl", "-f", "savedsearches", rules], None),
        (["dump-ir", rules], None),
        (["check", "-f", "json", rules], None),
        (["match", rules, "-"], endless(ev * 1000)),
    ]
    for args, stdin in cases:
        name = "sigc %s | head -1" % " ".join(a for a in args if a not in (rules, "-"))
        rc, err, line, secs = head1(args, stdin)
        noise = [l for l in err.splitlines() if re.search(r"pipe|write|error", l, re.I)]
        ok = rc in (0, -signal.SIGPIPE) and not noise and line
        report(ok, "%s: %s, nothing on stderr about the pipe (%.2fs)"
               % (name, "killed by SIGPIPE (141 in the shell)" if rc == -signal.SIGPIPE else "exit %s" % rc, secs),
               "rc=%s\nstderr: %s" % (rc, err[-1000:]))
        # With SIGPIPE ignored by whoever started sigc, EPIPE: exit 3, at
        # most one line about it.  (match gets a finite input here; an
        # endless one below.)
        if args[0] == "match":
            stdin = events(100)
        rc, err, line, secs = head1(args, stdin, ignore_sigpipe=True)
        noise = [l for l in err.splitlines() if re.search(r"pipe|write", l, re.I)]
        ok = rc in (0, 3) and len(noise) <= 1 and line
        report(ok, "%s with SIGPIPE ignored: exit %s, %d line(s) about the write on stderr (%.2fs)"
               % (name, rc, len(noise), secs), "rc=%s\nstderr: %s" % (rc, err[-1000:]))
    # With SIGPIPE ignored, sigc match stops at the first write that fails
    # (EPIPE) and exits 3 without a message, even with endless input.
    rc, err, line, secs = head1(["match", rules, "-"], endless(ev * 1000), ignore_sigpipe=True,
                                timeout=5.0 / TIME_SCALE)
    noise = [l for l in err.splitlines() if re.search(r"pipe|write", l, re.I)]
    report(rc == 3 and not noise and line,
           "sigc match | head -1, SIGPIPE ignored, endless input: stops, exit %s, nothing on stderr about it (%.2fs)"
           % (rc, secs), "rc=%s\nstderr: %s" % (rc, err[-500:]))


def main():
    tests = [test_yaml_bombs, test_huge_inputs, test_big_counts, test_regex_dos, test_thresholds,
             test_many_groups, test_write_failures, test_head]
    only = sys.argv[2:]
    print("sigc: %s%s" % (SIGC, " (ASan build: no RLIMIT_AS, RSS not enforced, times x%d)" % TIME_SCALE if ASAN else ""))
    t_all = time.monotonic()
    for t in tests:
        if only and t.__name__ not in only:
            continue
        print("== %s" % t.__name__)
        t0 = time.monotonic()
        with tempfile.TemporaryDirectory(prefix="sigc-limits-") as tmp:
            try:
                t(tmp)
            except Exception as e:  # a broken harness step is a failure, not a crash of the whole file
                import traceback
                report(False, "%s raised %s" % (t.__name__, e), traceback.format_exc())
        print("   (%s: %.1fs)" % (t.__name__, time.monotonic() - t0))
    print("%s: %d failed, %.1fs" % ("FAIL" if failures else "OK", failures, time.monotonic() - t_all))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
