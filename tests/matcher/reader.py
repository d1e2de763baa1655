#!/usr/bin/env python3
"""The matcher's JSON reader decodes every string exactly (issue 7: it
copies strings 16 and 8 bytes a step up to the first quote, backslash,
control character or non-ASCII byte, so each of those must be handled at
every offset of such a block).

Random values of 0 to 90 characters mix plain ASCII runs with quotes,
backslashes, slashes, control characters, non-ASCII letters and emoji
(outside the BMP: surrogate pairs when escaped); each event writes its value
either escaped (\\uXXXX for all non-ASCII) or as raw UTF-8, sometimes with
`\\/` for `/`.  One rule lists every value (`Data|cased`); each event must
match, and a copy of it with one character changed must not.
usage: reader.py SIGC
"""
import json
import os
import random
import subprocess
import sys
import tempfile

PIECES = ['"', "\\", "/", "\t", "\n", "\r", "\x01", "\x1f", "é", "ß", "Ж", "中", "\u2028", "😀", "\U0001F600",
          "a", "Z", " ", "{", "}", ":", ","]


def value(rnd):
    out = []
    n = rnd.randrange(0, 91)
    while len(out) < n:
        if rnd.random() < 0.6:
            out.append("".join(rnd.choice("abcdefghijKLMNOP0123456789-._ ") for _ in range(rnd.randrange(1, 24))))
        else:
            out.append(rnd.choice(PIECES))
    return "".join(out)[:n]


def sigma_string(v):
    """v as a YAML double-quoted scalar whose Sigma value is v: backslashes
    doubled (Sigma's escape), control characters and line separators
    escaped, other characters as UTF-8 (YAML refuses escaped surrogates)."""
    text = json.dumps(v.replace("\\", "\\\\"), ensure_ascii=False)
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def changed(rnd, v):
    i = rnd.randrange(len(v))
    c = "x" if v[i] != "x" else "y"
    return v[:i] + c + v[i + 1:]


def encode(rnd, obj):
    text = json.dumps(obj, ensure_ascii=rnd.random() < 0.5)
    if rnd.random() < 0.3:
        text = text.replace("/", "\\/")
    return text


def main():
    sigc = sys.argv[1]
    rnd = random.Random(5)
    values = []
    seen = set()
    while len(values) < 400:
        v = value(rnd)
        if v and v not in seen:
            seen.add(v)
            values.append(v)
    misses = []
    for v in values:
        m = changed(rnd, v)
        if m not in seen:
            misses.append(m)
    with tempfile.TemporaryDirectory() as tmp:
        rule = os.path.join(tmp, "reader.yml")
        with open(rule, "w", encoding="utf-8") as f:
            f.write("title: Reader\nid: 0c7a7f57-3f49-4a08-9d1b-2f5e1c0de0aa\nlevel: low\n"
                    "logsource: {product: test}\ndetection:\n    sel:\n        Data|cased:\n")
            for v in values:
                f.write("            - %s\n" % sigma_string(v))
            f.write("    condition: sel\n")
        events = os.path.join(tmp, "events.jsonl")
        lines = []
        for v in values:
            lines.append(("hit", v))
        for m in misses:
            lines.append(("miss", m))
        rnd.shuffle(lines)
        with open(events, "w", encoding="utf-8") as f:
            for kind, v in lines:
                # the value after a longer sibling, so it starts at varied offsets
                pad = "p" * rnd.randrange(0, 17)
                f.write(encode(rnd, {"Pad": pad, "Data": v, "Kind": kind}) + "\n")
        p = subprocess.run([sigc, "match", "--no-event", "-r", rule, "-e", events],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        if p.returncode not in (0, 1) or "error" in p.stderr:
            print("FAIL: sigc match exited %d: %s" % (p.returncode, p.stderr[-800:]))
            return 1
        got = {json.loads(line)["line"] for line in p.stdout.splitlines()}
    fail = 0
    for i, (kind, v) in enumerate(lines, 1):
        if (kind == "hit") != (i in got):
            fail += 1
            if fail <= 5:
                print("FAIL: line %d (%s) %s: %r" % (i, kind, "did not match" if kind == "hit" else "matched", v))
    if fail:
        print("FAIL: %d of %d events decoded wrong" % (fail, len(lines)))
        return 1
    print("%d values decoded exactly (escaped and raw UTF-8), %d near misses rejected" % (len(values), len(misses)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
