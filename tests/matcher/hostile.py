#!/usr/bin/env python3
"""Hostile strings through rules into the generated C (issue 4's acceptance).

Every string below goes into a rule as a value, as a field name or as the
title; the rules go through `sigc convert -t c`, the file is built with
`cc -std=c17` (ISO C: trigraphs are live, so a raw ??/ would turn into a
backslash) and -Wall -Wextra -Werror, and the program runs on events that
hold each string exactly and on near misses (the string cut at its NUL, one
byte changed).  Each event must fire exactly the rules whose string it holds,
the titles must come back byte for byte, and `sigc match` must print the
same thing.  usage: hostile.py SIGC
"""
import json
import os
import subprocess
import sys
import tempfile

# (name, value): the values are literal (wildcards escaped in the rule).
HOSTILE = [
    ("quote", 'say "hi"'),
    ("backslash", "C:\\Windows\\"),
    ("trigraph", "a??/b??=c??(d"),
    ("comment_end", "x*/ y"),
    ("comment_start", "/* z"),
    ("line_comment", "// w"),
    ("nul", "ab\x00cd"),
    ("crlf", "line1\r\nline2"),
    ("tab_bell", "t\tb\x07e\x1b"),
    ("percent", "%s%n%d"),
    ("utf8", "caf\u00e9 \u202e\u2066 \U0001F600"),
    ("hash_include", "#include <stdio.h>"),
    ("backslash_end", "ends with \\"),
    ("octal_like", "\\101\\x41"),
]


def sigma_escape(v):
    # A literal Sigma value: escape the wildcards and the escape character.
    out = []
    for c in v:
        if c in "*?\\":
            out.append("\\")
        out.append(c)
    return "".join(out)


def yaml_quote(v):
    # YAML double-quoted scalar: every byte that is not plain printable ASCII escaped.
    out = ['"']
    for c in v:
        o = ord(c)
        if c == '"':
            out.append('\\"')
        elif c == "\\":
            out.append("\\\\")
        elif o < 0x20 or o == 0x7F:
            out.append("\\x%02x" % o)
        elif o > 0x7E:
            out.append("\\u%04x" % o if o <= 0xFFFF else "\\U%08x" % o)
        else:
            out.append(c)
    out.append('"')
    return "".join(out)


def rules_text():
    docs = []
    for i, (name, value) in enumerate(HOSTILE):
        docs.append("\n".join([
            "title: " + yaml_quote("value " + name + ": " + value),
            "id: 00000000-0000-4000-8000-%012d" % i,
            "logsource: {product: test}",
            "detection:",
            "  sel:",
            "    Value|cased: " + yaml_quote(sigma_escape(value)),
            "  condition: sel",
            "level: high",
        ]))
    # field names: the hostile string names the field
    for i, (name, value) in enumerate(HOSTILE):
        if "\x00" in value or "\r" in value or "\t" in value or "\x07" in value:
            continue  # not a plausible field name; the value rules cover these bytes
        docs.append("\n".join([
            "title: " + yaml_quote("field " + name),
            "id: 00000000-0000-4000-9000-%012d" % i,
            "logsource: {product: test}",
            "detection:",
            "  sel:",
            "    " + yaml_quote(value) + ": marker",
            "  condition: sel",
            "level: low",
        ]))
    return "\n---\n".join(docs) + "\n"


def events():
    """(event, set of titles expected to fire)"""
    out = []
    for name, value in HOSTILE:
        out.append(({"Value": value}, {"value " + name + ": " + value}))
        if "\x00" in value:
            out.append(({"Value": value.split("\x00")[0]}, set()))
        out.append(({"Value": value[:-1] + chr((ord(value[-1]) + 1) % 0x7F or 0x41)}, set()))
        out.append(({"Value": value + " "}, set()))
    for name, value in HOSTILE:
        if "\x00" in value or "\r" in value or "\t" in value or "\x07" in value:
            continue
        out.append(({value: "marker"}, {"field " + name}))
        out.append(({value + "_": "marker"}, set()))
    return out


def run(cmd, **kw):
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw)


def fired(stdout, n_events):
    got = [set() for _ in range(n_events)]
    for line in stdout.decode("utf-8").splitlines():
        m = json.loads(line)
        got[m["line"] - 1].add(m["title"])
    return got


def main():
    sigc = os.path.abspath(sys.argv[1])
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        rules = os.path.join(tmp, "hostile.yml")
        with open(rules, "w", encoding="utf-8", newline="\n") as f:
            f.write(rules_text())
        evs = events()
        evfile = os.path.join(tmp, "events.jsonl")
        with open(evfile, "w", encoding="utf-8") as f:
            for ev, _ in evs:
                f.write(json.dumps(ev, ensure_ascii=False) + "\n")
        csrc = os.path.join(tmp, "matcher.c")
        r = run([sigc, "convert", "-q", "-t", "c", "-p", "windows-events", rules, "-o", csrc])
        if r.returncode != 0:
            print("FAIL: convert exited %d\n%s" % (r.returncode, r.stderr.decode()))
            return 1
        src = open(csrc, "rb").read()
        # No rule text in comments, and no raw trigraph or line break inside a literal.
        for needle in (b"??/", b"??=", b"??(", b"x*/ y", b"/* z", b"line1\r"):
            if needle in src:
                print("FAIL: the generated C holds %r raw" % needle)
                failures += 1
        exe = os.path.join(tmp, "matcher")
        r = run(["cc", "-std=c17", "-O1", "-Wall", "-Wextra", "-Werror", "-o", exe, csrc, "-lpcre2-8"])
        if r.returncode != 0:
            print("FAIL: the generated C does not build\n" + r.stderr.decode()[:3000])
            return 1
        compiled = run([exe, "--quiet", "--no-event", evfile])
        inproc = run([sigc, "match", "--quiet", "--no-event", "-p", "windows-events", rules, evfile])
        if compiled.stdout != inproc.stdout:
            print("FAIL: sigc match and the compiled program disagree")
            failures += 1
        if compiled.returncode != 1:
            print("FAIL: the compiled program exited %d\n%s" % (compiled.returncode, compiled.stderr.decode()))
            failures += 1
        got = fired(compiled.stdout, len(evs))
        for i, (ev, want) in enumerate(evs):
            if got[i] != want:
                print("FAIL: event %d %r fired %r, want %r" % (i + 1, ev, sorted(got[i]), sorted(want)))
                failures += 1
        n_pos = sum(1 for _, w in evs if w)
        print("%d events (%d that must fire, %d near misses), %d rules: %s" %
              (len(evs), n_pos, len(evs) - n_pos, rules_text().count("\n---\n") + 1,
               "ok" if not failures else "%d failures" % failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
