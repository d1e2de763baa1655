#!/usr/bin/env python3
"""A scan reading a pipe reports each match while the pipe is still open
(tail -f | sigc match): the reader takes what the pipe has instead of
waiting for a full buffer, and matches are flushed as they are found.
Checked for `sigc match` and for the program `sigc convert -t c` writes: one
matching event goes in, its alert must come out before the input ends (a
generous deadline: this asserts behaviour, not speed).

usage: test_stream.py SIGC
"""
import os
import select
import shutil
import subprocess
import sys
import tempfile

RULE = """title: Whoami
id: 9d1b4a44-1111-4c2e-9a7e-000000000009
logsource: {category: process_creation, product: windows}
detection:
    sel:
        Image|endswith: '\\\\whoami.exe'
    condition: sel
"""
EVENT = b'{"EventID":1,"Channel":"Microsoft-Windows-Sysmon/Operational","Image":"C:\\\\x\\\\whoami.exe"}\n'


def alert_while_open(cmd):
    p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    try:
        p.stdin.write(EVENT)
        p.stdin.flush()
        ready, _, _ = select.select([p.stdout], [], [], 20)
        line = os.read(p.stdout.fileno(), 65536) if ready else b""
        return b'"id":"9d1b4a44-1111-4c2e-9a7e-000000000009"' in line
    finally:
        p.stdin.close()
        p.wait(timeout=20)


def main():
    sigc = os.path.abspath(sys.argv[1])
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        rule = os.path.join(tmp, "whoami.yml")
        with open(rule, "w", encoding="utf-8") as f:
            f.write(RULE)
        runs = [("sigc match", [sigc, "match", "--no-event", "--quiet", rule, "-"]),
                ("sigc match -j 2", [sigc, "match", "-j", "2", "--no-event", "--quiet", rule, "-"])]
        if shutil.which("cc"):
            src, exe = os.path.join(tmp, "m.c"), os.path.join(tmp, "m")
            subprocess.run([sigc, "convert", "-q", "-t", "c", rule, "-o", src], check=True)
            subprocess.run(["cc", "-O1", "-o", exe, src, "-lpcre2-8"], check=True)
            runs.append(("the generated program", [exe, "--no-event", "--quiet"]))
            runs.append(("the generated program -j 2", [exe, "-j2", "--no-event", "--quiet"]))
        for what, cmd in runs:
            if alert_while_open(cmd):
                print(f"ok: {what} reports a match while its input pipe is open")
            else:
                print(f"FAIL: {what} held the match back until the input ended")
                failures += 1
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
