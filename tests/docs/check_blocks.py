#!/usr/bin/env python3
"""Keeps the examples in the documentation true.  In a Markdown file, a
comment right before a fenced code block says where the block comes from:

  <!-- sigc: ARGS -->        the standard output of `sigc ARGS`, run from the
                              source root (standard error is not part of it)
  <!-- file: PATH -->        the whole file PATH of the source tree

and this check runs the command or reads the file and compares it with the
block, byte for byte (the block's final newline aside).  A file whose
marked blocks differ, or that has no marked block at all, fails.

usage: check_blocks.py [--update] SIGC SOURCE_ROOT FILE.md...
  --update rewrites the marked blocks with what they should hold.
"""
import os
import re
import shlex
import subprocess
import sys

MARK = re.compile(r"^\s*<!-- (sigc|file): (.*?) -->\s*$")


def blocks(path, lines=None):
    """(line, kind, arg, text, (first, end)) for every marked block of a
    Markdown file; lines[first:end] is the block's body."""
    if lines is None:
        with open(path, encoding="utf-8") as f:
            lines = f.read().split("\n")
    i = 0
    while i < len(lines):
        m = MARK.match(lines[i])
        if not m:
            i += 1
            continue
        j = i + 1
        while j < len(lines) and not lines[j].strip():
            j += 1
        if j >= len(lines) or not lines[j].lstrip().startswith("```"):
            yield i + 1, m.group(1), m.group(2), None, None
            i = j
            continue
        indent = len(lines[j]) - len(lines[j].lstrip())
        fence = re.match(r"`+", lines[j].lstrip()).group(0)  # ```` for text that holds ```
        k = j + 1
        body = []
        while k < len(lines) and lines[k].strip() != fence:
            body.append(lines[k][indent:] if lines[k][:indent].strip() == "" else lines[k])
            k += 1
        yield i + 1, m.group(1), m.group(2), "\n".join(body), (j + 1, k)
        i = k + 1


def main():
    args = sys.argv[1:]
    update = bool(args) and args[0] == "--update"
    if update:
        args = args[1:]
    sigc, root, files = os.path.abspath(args[0]), args[1], args[2:]
    failures = checked = 0
    for md in files:
        n = 0
        with open(md, encoding="utf-8") as f:
            lines = f.read().split("\n")
        edits = []
        for line, kind, arg, text, span in blocks(md, lines):
            n += 1
            checked += 1
            where = f"{md}:{line}"
            if text is None:
                print(f"FAIL {where}: no fenced block after the marker")
                failures += 1
                continue
            if kind == "file":
                with open(os.path.join(root, arg), encoding="utf-8") as f:
                    want = f.read()
            else:
                r = subprocess.run([sigc] + shlex.split(arg), cwd=root, capture_output=True, text=True)
                if r.returncode not in (0, 1):
                    print(f"FAIL {where}: sigc {arg} exited {r.returncode}\n{r.stderr}")
                    failures += 1
                    continue
                want = r.stdout
            if want.rstrip("\n") != text.rstrip("\n"):
                if update:
                    edits.append((span, want.rstrip("\n").split("\n")))
                    continue
                failures += 1
                print(f"FAIL {where}: the block is not what {kind} {arg} gives; it gives:\n{want}")
        for (first, end), body in reversed(edits):
            lines[first:end] = body
        if edits:
            with open(md, "w", encoding="utf-8") as f:
                f.write("\n".join(lines))
            print(f"{md}: {len(edits)} blocks rewritten")
        if n == 0:
            print(f"FAIL {md}: no marked block")
            failures += 1
    print(f"{checked} documented blocks checked, {failures} differ")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
