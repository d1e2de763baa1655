#!/usr/bin/env python3
"""-j N prints exactly what one thread prints (issue 7): the same matches in
the same order, the same warnings and the same summary.

The input mixes, over several MiB (so the 64 KiB chunks the workers take end
at many different places): the flood events of examples/events (they drive
the thresholds and the correlation of rules/, whose state lives on the
reading thread), plain matches, and everything the JSON-lines fast path
does not take: pretty-printed events across lines, a top-level array,
whole objects on lines of an event across lines (what a thread tested as
lines of their own, matching nothing, the reader takes as one event),
malformed lines, a line cut short (the whole lines after it end it), blank
and CRLF lines, a UTF-8 byte order mark, invalid UTF-8, a line longer than
--max-event, and a last line without a line break.  `sigc match` (with
rules/ and with two plain rules, no aggregation) and the program
`sigc convert -t c` writes are each run with -j 1, 2 and 3 over it, from a
file and from a pipe; stdout and stderr must be byte for byte the same; so
must those of the generated program built with ThreadSanitizer and with
ASan and UBSan, -j 3 (its threads' engines made from the emitted index) and
-j 3 --check-index (clones of the reading engine).  Bad -j values are
refused.
usage: jobs.py SIGC ROOT
"""
import os
import random
import shutil
import subprocess
import sys
import tempfile

RULE = """title: Whoami
id: 5b0f3d36-7d2e-4a49-9d7e-6f2b1c0de001
level: low
logsource: {category: process_creation, product: windows}
detection:
    sel:
        Image|endswith: '\\\\whoami.exe'
    condition: sel
"""
KEYWORD_RULE = """title: Keyword
id: 5b0f3d36-7d2e-4a49-9d7e-6f2b1c0de002
level: low
logsource: {product: windows}
detection:
    keywords:
        - 'mimikatz'
    condition: keywords
"""


def whoami(i):
    return ('{"EventID":1,"Channel":"Microsoft-Windows-Sysmon/Operational","UtcTime":"2026-04-20 10:%02d:%02d.000",'
            '"Image":"C:\\\\Windows\\\\System32\\\\whoami.exe","CommandLine":"whoami /all %d"}' % (i // 60 % 60, i % 60, i))


def noise(rnd, i):
    return ('{"EventID":1,"Channel":"Microsoft-Windows-Sysmon/Operational","Image":"C:\\\\x\\\\app%d.exe",'
            '"CommandLine":"%s"}' % (i, "a" * rnd.randrange(0, 3000)))


def build_input(root, path):
    rnd = random.Random(7)
    floods = []
    for name in sorted(os.listdir(os.path.join(root, "examples", "events"))):
        with open(os.path.join(root, "examples", "events", name), "rb") as f:
            floods.append(f.read().splitlines())
    parts = [b"\xef\xbb\xbf"]  # a byte order mark before the first event
    i = 0
    for flood in floods:
        for line in flood:
            parts.append(line + b"\n")
            i += 1
            k = rnd.randrange(60)
            if k == 0:
                parts.append(whoami(i).encode() + b"\r\n")
            elif k == 1:  # pretty-printed, across lines
                parts.append(b'{\n  "EventID": 1,\n  "Channel": "Microsoft-Windows-Sysmon/Operational",\n'
                             b'  "Image": "C:\\\\t\\\\whoami.exe"\n}\n')
            elif k == 2:
                parts.append(b'{"EventID": 1, "Image": "broken\n')  # malformed: a raw line break in a string
            elif k == 3:
                parts.append(b"\n   \n\t\r\n")
            elif k == 4:
                parts.append(b'[{"EventID":1,"Image":"C:\\\\w\\\\whoami.exe"},\n {"msg":"mimikatz here"}]\n')
            elif k == 5:
                parts.append(b'{"EventID":1,"Image":"\xff\xfe whoami.exe"}\n')  # invalid UTF-8
            elif k == 6:
                # past --max-event; now and then past a whole chunk (64 KiB), which grows
                parts.append(b'{"EventID":1,"CommandLine":"' + b"x" * (9000 if rnd.random() < 0.9 else 300000) + b'"}\n')
            elif k == 7:
                parts.append(b'{"EventID":1,"Image":"cut short\n')
            elif k == 8:
                parts.append(b'not json at all\n')
            elif k == 9:
                parts.append(b'{"a":1} {"msg":"two on a line, mimikatz"}\n')
            elif k == 10:  # whole objects on lines inside a value across lines: one event
                parts.append(b'{"EventID":1,"Channel":"Microsoft-Windows-Sysmon/Operational","Parts":[\n'
                             b'{"Image":"C:\\\\n\\\\whoami.exe"}\n{"Image":"C:\\\\n\\\\a.exe"}\n]}\n')
            elif k == 11:  # a line cut short, then whole lines: the first ends it
                parts.append(b'{"EventID":1,"Image":"C:\\\\x\\\\cut.exe"\n' + noise(rnd, i).encode() + b"\n"
                             + noise(rnd, i + 1).encode() + b"\n")
            elif k < 30:
                parts.append(noise(rnd, i).encode() + b"\n")
    parts.append(whoami(i + 1).encode())  # no line break at the end
    data = b"".join(parts)
    while len(data) < 5 * 1024 * 1024:  # again, later in time: more chunks
        data = data + b"\n" + data
    with open(path, "wb") as f:
        f.write(data)
    return len(data)


def run(cmd, stdin_path=None, executable=None):
    """executable: run that file with cmd[0] as its name (the messages name it)"""
    with open(stdin_path, "rb") if stdin_path else open(os.devnull, "rb") as inp:
        p = subprocess.run(cmd, stdin=inp, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=300,
                           executable=executable)
    return p.returncode, p.stdout, p.stderr


# The generated program built with sanitizers: ThreadSanitizer checks how the
# threads share the chunks, AddressSanitizer how the chunks grow and are freed
SANITIZERS = (("ThreadSanitizer", ["-fsanitize=thread"]),
              ("AddressSanitizer and UBSan", ["-fsanitize=address,undefined", "-fno-sanitize-recover=all"]))


def main():
    sigc, root = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        rules = os.path.join(tmp, "rules")
        shutil.copytree(os.path.join(root, "rules"), rules)
        with open(os.path.join(rules, "whoami.yml"), "w", encoding="utf-8") as f:
            f.write(RULE)
        with open(os.path.join(rules, "keyword.yml"), "w", encoding="utf-8") as f:
            f.write(KEYWORD_RULE)
        events = os.path.join(tmp, "events.jsonl")
        size = build_input(root, events)
        # the two plain rules alone, no aggregation: the threads then fold the
        # lines that match nothing into runs the reading thread counts at once
        plain = os.path.join(tmp, "plain")
        os.mkdir(plain)
        for name in ("whoami.yml", "keyword.yml"):
            shutil.copy(os.path.join(rules, name), plain)
        common = ["--max-event", "8192", "--progress", "never"]
        programs = [("sigc match", [sigc, "match", *common, "-r", rules], True),
                    ("sigc match, no aggregation", [sigc, "match", *common, "-r", plain], False)]
        gen = None
        if shutil.which("cc"):
            src, exe = os.path.join(tmp, "m.c"), os.path.join(tmp, "m")
            subprocess.run([sigc, "convert", "-q", "-t", "c", rules, "-o", src], check=True)
            subprocess.run(["cc", "-O1", "-o", exe, src, "-lpcre2-8"], check=True)
            gen = [exe, *common]
            programs.append(("the generated program", gen, True))
            sanitized = []
            for name, flags in SANITIZERS:
                san = exe + "-" + name.split()[0].lower()
                built = subprocess.run(["cc", "-O1", "-g", *flags, "-o", san, src, "-lpcre2-8"],
                                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
                if built.returncode == 0:
                    sanitized.append((name, san))
                else:  # the machine's compiler lacks the runtime: said, not hidden
                    print(f"note: cc cannot build with {name}; those runs are left out:\n"
                          + built.stdout.decode(errors="replace")[-500:])
        for what, cmd, aggregates in programs:
            for how, args, stdin in (("a file", [events], None), ("a pipe", ["-"], events)):
                base = run(cmd + ["-j", "1"] + args, stdin)
                n_matches = base[1].count(b"\n")
                if (base[0] != 1 or n_matches < 100 or (b'"group"' in base[1]) != aggregates
                        or b"skipped" not in base[2]):
                    print(f"FAIL: {what} on {how}: the one-thread run is not what this test needs "
                          f"(exit {base[0]}, {n_matches} matches)")
                    print(base[2].decode(errors="replace")[-2000:])
                    failures += 1
                    continue
                for jobs in ("2", "3"):
                    got = run(cmd + ["-j", jobs] + args, stdin)
                    if got == base:
                        print(f"ok: {what} -j {jobs} on {how} ({size} bytes): the same {n_matches} matches, "
                              f"warnings and summary as -j 1")
                    else:
                        failures += 1
                        print(f"FAIL: {what} -j {jobs} on {how} differs from -j 1 (exit {got[0]} vs {base[0]})")
                        for name, a, b in (("stdout", base[1], got[1]), ("stderr", base[2], got[2])):
                            la, lb = a.splitlines(), b.splitlines()
                            for k in range(max(len(la), len(lb))):
                                x = la[k] if k < len(la) else b"<none>"
                                y = lb[k] if k < len(lb) else b"<none>"
                                if x != y:
                                    print(f"  {name} line {k + 1}:\n    -j 1: {x[:300]!r}\n    -j {jobs}: {y[:300]!r}")
                                    break
        # the generated program with sanitizers, -j 3 against its own -j 1: the
        # engines its threads make from the emitted index, and (--check-index
        # builds the index again) the clones of the reading thread's engine
        for name, san in sanitized if gen else ():
            base = run(gen + ["-j", "1", events])
            for extra in ([], ["--check-index"]):
                got = run(gen + extra + ["-j", "3", events], executable=san)
                what = " ".join(["-j 3"] + extra)
                if got == base:
                    print(f"ok: the generated program with {name}, {what}: the same output as -j 1, no report")
                else:
                    failures += 1
                    print(f"FAIL: the generated program with {name}, {what}: exit {got[0]} vs {base[0]}")
                    print(got[2].decode(errors="replace")[-3000:])
        # bad values: a located usage error, exit 2, nothing scanned
        for bad in (["-j", "0"], ["-j", "x"], ["--jobs=-1"], ["-j", "100000"], ["-j"]):
            code, out, err = run((gen or programs[0][1]) + bad + [events])
            if code == 2 and not out and b"error:" in err:
                print(f"ok: {' '.join(bad)} is refused: {err.decode().strip()}")
            else:
                print(f"FAIL: {' '.join(bad)}: exit {code}, {len(out)} bytes out")
                failures += 1
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
