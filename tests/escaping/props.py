#!/usr/bin/env python3
r"""props.py - escaping properties over random hostile strings (issue 8).

usage: props.py SIGC SRCDIR [--seed N] [--cases N] [--target T]... [--keep DIR]
       (SIGC_PROPS_SEED and SIGC_PROPS_CASES set the defaults: a fixed seed,
       300 rules per target; the first rules of each target are FIXED_TEXT's
       and fixed_cases()'s regressions, the rest random)

Generates Sigma rules whose values carry hostile bytes -- quotes ' " `,
backslashes, `*`, `?`, `??/`, `*/`, `/*`, `//`, `;`, `|`, `[ ] { } $ %`,
NUL (written in the YAML as "\0" or "\x00"), CR/LF, tab, other C0/C1
controls, U+202E and the other bidi controls, U+2028/U+2029, very long
values -- mixed at random with ordinary text, in every context a rule has:
field values (plain, contains, startswith, endswith, lists, |cased), Sigma
wildcards next to escaped literal `\*` `\?` `\\`, |re regexes (and |re|i),
|wide/|utf16le encoded values, keywords, field NAMES, and the title,
description and references that go into comments and metadata.  Each rule is
converted by SIGC for every target and checked per target and context:

  kql       (-t kql -p kql-generic -O table=T; formats default, json,
            sentinel) Microsoft's parser (tests/kusto/check-kql.js) finds
            no error; a small lexer here reads every string literal back:
            each value is exactly one literal whose decoded value means what
            the rule means (=~ / contains / startswith / endswith / in~ or a
            `matches regex` glob; a |re regex matches the same samples), no
            literal is left over, nothing outside literals is foreign (one
            `| where`, known words only); the `//` header has no line break
            or hidden character; json and the Sentinel YAML (PyYAML, and a
            line check of the document's keys) give back the same query,
            name, id and description.
  spl       (-t spl -p splunk-generic; default, json, savedsearches)
            tests/spl/check_spl.py's lexer and parser: no failure, only
            search and one where; each value is one quoted token decoding to
            the value (search term or match() regex; a wider search term
            only as the superset of a where test); savedsearches.conf: every
            stanza is [title - id], search = continues over lines to exactly
            the query, nothing else starts a stanza.
  suricata  (-t suricata, category proxy) every rule is one line that
            parses into options at unescaped `;`; msg and the content
            strings decode to the exact bytes (|HH| hex, \" \; \\ \:), a
            reference is the address with `"` `;` `\` as %22 %3B %5C,
            pcre patterns have no raw `"` `;` `/` and match the same
            samples; `#` comments hold no line break, control or bidi
            character; `suricata -T` loads the whole file at the end (when
            Suricata 7 is installed).
  c         (-t c) the generated matcher builds with cc -std=c17 -O2 -Wall
            -Wextra -Werror (trigraphs live), its string pool holds only
            safe characters and octal escapes, and run on crafted JSON events
            each rule fires on an event holding exactly its values (NUL as
            \u0000) and not on one that differs in one character; titles come
            back byte for byte.
  yaml      rule files with raw invalid UTF-8 (C0 80, ED A0 80, F5, FF, a
            stray 80, a cut sequence) or a surrogate escape are refused with
            a located error in every target.

Expected refusals (a located error at the rule, never a wrong query): SPL
field names with " ' \ ` * or a control character, SPL regexes with a raw
control character, non-UTF-8 values (from |wide/|utf16le) in KQL and SPL,
savedsearches descriptions with a control character or a line ending in a
backslash.

Every failure line shows the seed, the target, the context and the value
(repr).  KNOWN_FAILURES lists properties that fail for a reason not fixed
here; they are printed at the end, never silently passed.  Exit 1 on any
other failure.
"""

import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time

# The wildcards and the glob normal form are tests/spl/check_spl.py's (the
# SPL check reads its globs back with them).
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "spl"))
from check_spl import ONE, STAR, glob_norm as gnorm  # noqa: E402

# ---------------------------------------------------------------------------
# Known failures: (target, context, key) -> what is wrong.  A failure whose
# message starts with "KNOWN:<key>" is counted here instead of failing.

KNOWN_FAILURES = {}

# ---------------------------------------------------------------------------
# Hostile material

BIDI = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
HIDDEN_EXTRA = "\u2028\u2029\ufeff"

HOSTILE = [
    "'", '"', "`", "\\", "*", "?", "??/", "??=", "??(", "*/", "/*", "//", ";", "|", "[", "]", "{", "}", "$", "%",
    "\x00", "\r", "\n", "\r\n", "\t", "\u202e", "\u202d", "\u202a", "\u202b", "\u202c", "\u2066", "\u2067",
    "\u2068", "\u2069", "\u200e", "\u200f", "\u061c", "\u2028", "\u2029", "\x85", "\x9b", "\x1b[31m", "\x7f",
    "\x01", "\x07", "\ufeff", "```", "\\\\", '\\"', "\\'", '" or 1==1 //', '" | delete', 'foo"; sid:1; )',
    "[x]", "|41|", "%s%n", "${x}", "$(id)", "\\x41", "\\u0041", "\\101", "x' or '1'='1", "#", " ", "  ", ",",
    ":", "=", "==", "!", "(", ")", "<", ">", "&", "^", "~", "@", "+", "-", "\\", "*", "?", "\\*", "\\?", "\n| ",
    "\n[stanza]\n", "\r\nsearch = x", "'; drop", "\\\n", "-- ", "\"\"\"", "'''",
]
ORDINARY = [
    "cmd", ".exe", "C:", "Windows", "System32", "evil", "powershell", " -enc ", "abc", "XYZ", "http://",
    "example.com", "/index.php", "\u00e9", "\u00fc", "\u00df", "\u4e2d\u6587", "\U0001F600", "\u03a9", "admin",
    "123", "0x1F", "null", "true", "yes", "Mixed Case", "a.b", "_x", "K", "\u0130", "\u212a",
]
SPECIAL_NAMES = ["and", "or", "not", "where", "in", "contains", "NOT", "OR", "AND", "IN", "XOR", "title", "count",
                 "true", "null", "T", "let", "a b", "a-b", "1st", "x.y.z", "search", "index", "by"]
LEVELS = ["informational", "low", "medium", "high", "critical"]


class Gen:
    def __init__(self, rng):
        self.rng = rng

    def atom(self, hostile_p=0.6):
        r = self.rng
        return r.choice(HOSTILE) if r.random() < hostile_p else r.choice(ORDINARY)

    def text(self, lo=1, hi=8, long_p=0.03, hostile_p=0.6):
        r = self.rng
        if r.random() < long_p:
            want = r.randint(1500, 6000)
            out = []
            n = 0
            while n < want:
                a = self.atom(hostile_p)
                out.append(a)
                n += len(a)
            return "".join(out)
        return "".join(self.atom(hostile_p) for _ in range(r.randint(lo, hi)))

    def glob(self, wild_p=0.15, long_p=0.03, lo=1, hi=7):
        """A Sigma string as parts: literal text, STAR, ONE; at least one
        literal character."""
        r = self.rng
        if r.random() < long_p:
            parts = [self.text(long_p=1.0)]
            if r.random() < 0.5:
                parts.insert(r.randint(0, 1), r.choice([STAR, ONE]))
            return norm(parts)
        parts = []
        for _ in range(r.randint(lo, hi)):
            if r.random() < wild_p:
                parts.append(r.choice([STAR, ONE]))
            parts.append(self.atom())
        if r.random() < wild_p:
            parts.append(r.choice([STAR, ONE]))
        return norm(parts)

    def field_name(self):
        r = self.rng
        x = r.random()
        if x < 0.15:
            return r.choice(SPECIAL_NAMES)
        if x < 0.3:
            return r.choice(["CommandLine", "Image", "c-uri", "User Name", "EventData.Data", "_Field9"])
        name = self.text(1, 4, long_p=0.0, hostile_p=0.7).replace("|", "\u00a6")
        return name if name.strip("\x00") else "f"

    def regex(self):
        """A PCRE regex that is also Python and RE2 syntax: (regex text,
        sample that it matches, indexes of literal characters of sample)."""
        r = self.rng
        rx, sample, lits = [], [], []
        for _ in range(r.randint(1, 6)):
            x = r.random()
            if x < 0.7:
                for ch in self.atom():
                    o = ord(ch)
                    lits.append(len(sample))
                    sample.append(ch)
                    if ch.isascii() and (ch.isalnum() or ch == "_"):
                        rx.append(ch)
                    elif ch in "\\.^$|?*+()[]{}/":
                        rx.append("\\" + ch)
                    elif ch in "\t\n\r":
                        rx.append(r.choice({"\t": ["\\t", "\\x09"], "\n": ["\\n", "\\x0a"], "\r": ["\\r", "\\x0d"]}[ch]))
                    elif o < 0x20 or o == 0x7F:
                        rx.append(ch if r.random() < 0.1 else "\\x%02x" % o)  # raw now and then
                    elif ch.isascii():
                        rx.append(ch if r.random() < 0.6 else "\\" + ch)
                    else:
                        rx.append(ch)
            elif x < 0.8:
                rx.append(".")
                sample.append("x")
            elif x < 0.9:
                rx.append(".*")
            else:
                rx.append("\\d+")
                sample.append("7")
        if not lits:
            rx.append("z")
            lits.append(len(sample))
            sample.append("z")
        text = "".join(rx)
        if r.random() < 0.25:
            text = "^" + text
        if r.random() < 0.25:
            text = text + "$"
        return text, "".join(sample), lits


def norm(parts):
    """A generated glob: gnorm, with at least one literal character."""
    out = list(gnorm(parts))
    if not any(isinstance(p, str) for p in out):
        out.append("x")
    return tuple(out)


def widen(glob, op):
    if op == "contains":
        return gnorm((STAR,) + tuple(glob) + (STAR,))
    if op == "startswith":
        return gnorm(tuple(glob) + (STAR,))
    if op == "endswith":
        return gnorm((STAR,) + tuple(glob))
    return gnorm(glob)


def glob_literal(glob):
    return "".join(p for p in glob if isinstance(p, str))


def sample_of(glob):
    """The shortest text the glob matches: STAR empty, ONE 'x'; and the
    indexes of its literal characters."""
    out, lits = [], []
    for p in glob:
        if p == STAR:
            continue
        if p == ONE:
            out.append("x")
            continue
        for ch in p:
            lits.append(len(out))
            out.append(ch)
    return "".join(out), lits


def mutate_char(ch):
    """Another character of the same UTF-8 length that no case folding
    (ASCII, Unicode, or the special cases of Python's re) makes equal to
    ch: a digit or mark for ASCII, a symbol otherwise."""
    for cand in {1: "Q7#%", 2: "\u00a4\u00a7", 3: "\u20ac\u203b", 4: "\U0001F0A1\U0001F63A"}[len(ch.encode("utf-8"))]:
        if cand.lower() != ch.lower():
            return cand
    return None


def mutated(sample, lits, rng):
    """sample with one literal character changed, or None."""
    order = [i for i in lits if sample[i].isascii()] or list(lits)
    if not order:
        return None
    i = rng.choice(order)
    m = mutate_char(sample[i])
    if m is None:
        return None
    return sample[:i] + m + sample[i + 1 :]


# ---------------------------------------------------------------------------
# YAML and Sigma writing


def yq(s, rng):
    """s as a YAML double-quoted scalar, escapes picked at random where YAML
    has several."""
    out = ['"']
    for ch in s:
        o = ord(ch)
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch == "\x00":
            out.append(rng.choice(["\\0", "\\x00", "\\u0000"]))
        elif ch == "\t":
            out.append(rng.choice(["\\t", "\t", "\\x09"]))
        elif ch == "\n":
            out.append(rng.choice(["\\n", "\\x0a"]))
        elif ch == "\r":
            out.append(rng.choice(["\\r", "\\x0d"]))
        elif ch == "\x1b":
            out.append(rng.choice(["\\e", "\\x1b"]))
        elif ch == "\x07":
            out.append(rng.choice(["\\a", "\\x07"]))
        elif ch == "\x85":
            out.append(rng.choice(["\\N", "\\x85"]))
        elif ch == "\u2028":
            out.append(rng.choice(["\\L", "\\u2028"]))
        elif ch == "\u2029":
            out.append(rng.choice(["\\P", "\\u2029"]))
        elif ch == "\u00a0":
            out.append(rng.choice(["\\_", "\u00a0"]))
        elif o < 0x20 or o == 0x7F or 0x80 <= o < 0xA0 or o == 0xFEFF:
            out.append("\\x%02x" % o if o < 0x100 else "\\u%04x" % o)
        elif o > 0x7E:
            if rng.random() < 0.5:
                out.append(ch)
            else:
                out.append("\\u%04x" % o if o <= 0xFFFF else "\\U%08x" % o)
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def sigma_str(glob, rng):
    """A glob as a Sigma string: `*` and `?` wildcards, literal `*` `?` `\`
    escaped with a backslash (a lone backslash where the next character
    leaves it literal, now and then)."""
    seq = []
    for p in glob:
        if p == STAR:
            seq.append(("w", "*"))
        elif p == ONE:
            seq.append(("w", "?"))
        else:
            seq.extend(("l", ch) for ch in p)
    out = []
    for k, (kind, ch) in enumerate(seq):
        if kind == "w":
            out.append(ch)
        elif ch in "*?":
            out.append("\\" + ch)
        elif ch == "\\":
            nxt = seq[k + 1][1] if k + 1 < len(seq) else None
            if nxt is not None and nxt in "*?\\" or rng.random() < 0.5:
                out.append("\\\\")
            else:
                out.append("\\")
        else:
            out.append(ch)
    return "".join(out)


class Item:
    """One field (or keyword list) of a selection."""

    def __init__(self, field, op, values, cased=False, kind="glob", regex_i=False, enc=None):
        self.field = field  # None for keywords
        self.op = op  # eq contains startswith endswith re
        self.values = values  # globs; for re: (regex, sample, lits)
        self.cased = cased
        self.kind = kind  # glob, re, enc
        self.regex_i = regex_i
        self.enc = enc  # wide / utf16le / utf16be

    def key(self):
        mods = []
        if self.enc:
            mods.append(self.enc)
        if self.op not in ("eq", "re"):
            mods.append(self.op)
        if self.op == "re":
            mods.append("re")
            if self.regex_i:
                mods.append("i")
        if self.cased:
            mods.append("cased")
        return self.field + "".join("|" + m for m in mods)

    def context(self):
        if self.field is None:
            return "keyword"
        if self.kind == "re":
            return "regex" + ("|i" if self.regex_i else "")
        c = "field-value:" + self.op
        if self.enc:
            c = "encoded:" + self.enc + "|" + self.op
        if self.cased:
            c += "|cased"
        return c

    def expected_bytes(self, glob):
        """The bytes an encoded value stands for (no wildcards in it)."""
        text = glob_literal(glob)
        if self.enc == "wide" or self.enc == "utf16le":
            return text.encode("utf-16-le")
        if self.enc == "utf16be":
            return text.encode("utf-16-be")
        return text.encode("utf-8")


class Case:
    def __init__(self, idx, target):
        self.idx = idx
        self.target = target
        self.id = "00000000-0000-4000-8000-%012d" % idx
        self.title = ""
        self.desc = None
        self.refs = []
        self.level = "high"
        self.logsource = "{product: test}"
        self.sel = []
        self.filter = []
        self.keywords = None  # Item with field None
        self.condition = "sel"
        self.first_line = self.last_line = 0

    def items(self):
        out = list(self.sel) + list(self.filter)
        if self.keywords:
            out.append(self.keywords)
        return out

    def yaml(self, rng):
        L = ["title: " + yq(self.title, rng), "id: " + self.id, "status: test"]
        if self.desc is not None:
            L.append("description: " + yq(self.desc, rng))
        if self.refs:
            L.append("references:")
            L += ["  - " + yq(x, rng) for x in self.refs]
        L += ["logsource: " + self.logsource, "detection:"]
        for name, items in (("sel", self.sel), ("filter", self.filter)):
            if not items:
                continue
            L.append("  %s:" % name)
            for it in items:
                vals = [self.value_text(it, v, rng) for v in it.values]
                if len(vals) == 1 and rng.random() < 0.8:
                    L.append("    %s: %s" % (yq(it.key(), rng), vals[0]))
                else:
                    L.append("    %s:" % yq(it.key(), rng))
                    L += ["      - " + v for v in vals]
        if self.keywords:
            L.append("  keywords:")
            L += ["    - " + self.value_text(self.keywords, v, rng) for v in self.keywords.values]
        L.append("  condition: " + self.condition)
        L.append("level: " + self.level)
        return "\n".join(L) + "\n"

    def value_text(self, it, v, rng):
        if it.kind == "re":
            return yq(v[0], rng)
        return yq(sigma_str(v, rng), rng)


def gen_item(g, field, target, in_filter=False):
    r = g.rng
    x = r.random()
    cased = False
    if x < 0.14 and not (target == "suricata" and field == "cs-host"):
        # (|re on http.host: a regex cannot be lowercased as Suricata does the buffer)
        return Item(field, "re", [g.regex()], kind="re", regex_i=r.random() < 0.4)
    if x < 0.19 and target != "suricata":
        enc = r.choice(["wide", "utf16le", "utf16be"])
        op = r.choice(["contains", "contains", "eq", "startswith"])
        vals = [norm([g.text(1, 4, long_p=0.0)])]
        return Item(field, op, vals, enc=enc, kind="enc")
    op = r.choice(["eq", "contains", "startswith", "endswith"])
    if r.random() < 0.2 and not (target == "suricata" and field == "cs-host"):
        cased = True
    n = 1
    if r.random() < 0.2 and not in_filter:
        n = r.randint(2, 3)
    vals = []
    for _ in range(n):
        v = g.glob()
        if target == "suricata" and field == "cs-host" and cased:
            v = tuple(p.lower() if isinstance(p, str) else p for p in v)
        vals.append(v)
    if target == "suricata":
        vals = vals[:2]
    return Item(field, op, vals, cased=cased)


SURICATA_FIELDS = {
    "c-useragent": "http.user_agent",
    "cs-referrer": "http.referer",
    "cs-cookie": "http.cookie",
    "c-uri": "http.uri.raw",
    "cs-host": "http.host",
}


def gen_case(g, idx, target):
    r = g.rng
    c = Case(idx, target)
    c.title = g.text(1, 9, long_p=0.04)
    while len(c.title.encode("utf-8")) > 256:  # sigc refuses longer titles (256 bytes)
        c.title = c.title[:-1]
    if not c.title.strip():
        c.title += "t"
    if r.random() < 0.8:
        c.desc = g.text(1, 10, long_p=0.02)
    c.level = r.choice(LEVELS)
    if target == "suricata":
        c.logsource = "{category: proxy}"
        for _ in range(r.randint(0, 3)):
            c.refs.append(r.choice(["https://", "http://", "ftp://", ""]) + "example.com/" +
                          g.text(1, 4, long_p=0.0))
        fields = list(SURICATA_FIELDS)
        r.shuffle(fields)
        nsel = r.randint(1, 3)
        c.sel = [gen_item(g, f, target) for f in fields[:nsel]]
        # one value list at most: one Suricata rule per branch
        seen_list = False
        for it in c.sel:
            if len(it.values) > 1:
                if seen_list:
                    it.values = it.values[:1]
                seen_list = True
        if r.random() < 0.3:
            c.filter = [gen_item(g, fields[nsel], target, in_filter=True)]
            c.condition = "sel and not filter"
        return c
    names = []
    for k in range(r.randint(1, 3)):
        f = g.field_name()
        if target == "spl" and r.random() < 0.7:
            # mostly names SPL can write, so that most rules convert
            f = "".join(ch for ch in f if ch not in "\"'\\`*" and ord(ch) >= 0x20 and ord(ch) != 0x7F) or "f"
        while f in names:
            f += "_%d" % k
        if target == "c":
            f = "%s_%d_%d" % (f, idx, k)  # no two rules test one field: events fire only their rule
        names.append(f)
    x = r.random()
    if x < 0.12:
        c.keywords = Item(None, "contains", [g.glob() for _ in range(r.randint(1, 2))])
        c.condition = "keywords"
        return c
    c.sel = [gen_item(g, f, target) for f in names]
    if x < 0.4:
        f = g.field_name()
        while f in names:
            f += "_f"
        if target == "c":
            f = "%s_%d_f" % (f, idx)
        c.filter = [gen_item(g, f, target, in_filter=True)]
        c.condition = "sel and not filter"
    elif x < 0.5 and target != "c":
        c.keywords = Item(None, "contains", [g.glob()])
        c.condition = "sel or keywords"
    return c


# Fixed cases first, before the random ones: what the properties found (and
# what was fixed), so that every seed checks them.
FIXED_TEXT = [
    # titles and descriptions a YAML reader would type as null, bool, int,
    # float or date when written plain (Sentinel YAML)
    ("null", ""), ("yes", "null"), ("123", "123123"), ("2024-01-01", "~"), ("0x1F", "on"), (".inf", "- a"),
    # comment breakers and hidden characters (every target's comments)
    ("a */ b ??/ c \\", "d\r\n[stanza]\nsearch = | delete"),
    ("rtl \u202e lrm \u200e rlm \u200f alm \u061c nel \x85 csi \x9b ls \u2028 ps \u2029 bom \ufeff", "x\\"),
    ("``` // # \" ; \r\n", "\u2066isolate\u2069"),
]


def fixed_cases(g, target, cases):
    for k, (title, desc) in enumerate(FIXED_TEXT):
        if k < len(cases):
            cases[k].title, cases[k].desc = title, desc
    k = len(FIXED_TEXT)
    if target == "suricata" and k + 1 < len(cases):
        # a wildcard value on http.host, which Suricata lowercases
        cases[k].sel = [Item("cs-host", "eq", [("Evil", STAR, ".COM")])]
        cases[k].filter, cases[k].condition = [], "sel"
        cases[k + 1].sel = [Item("cs-host", "endswith", [(".Example", ONE, "org")])]
        cases[k + 1].filter, cases[k + 1].condition = [], "sel"
    elif target in ("kql", "spl", "c") and k < len(cases):
        # bytes that are not UTF-8 (|utf16le of a non-ASCII letter), next to NULs
        cases[k].sel = [Item("Enc_%d" % k, "contains", [("caf\u00e9",)], enc="utf16le", kind="enc"),
                        Item("Wide_%d" % k, "eq", [("ab",)], enc="wide", kind="enc")]
        cases[k].filter, cases[k].keywords, cases[k].condition = [], None, "sel"


def write_rules(path, cases, rng):
    """All cases as one multi-document file; each case learns its lines."""
    line = 1
    chunks = []
    for k, c in enumerate(cases):
        if k:
            chunks.append("---\n")
            line += 1
        text = c.yaml(rng)
        c.first_line = line
        c.last_line = line + text.count("\n") - 1
        line += text.count("\n")
        chunks.append(text)
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write("".join(chunks))


# ---------------------------------------------------------------------------
# Running sigc, diagnostics


DIAG = re.compile(r"^(.*):(\d+):(\d+): (error|warning|note)\[([a-z_0-9]+)\]: (.*)$")


def run(cmd, stdin=None, timeout=300):
    p = subprocess.run(cmd, input=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)
    return p.returncode, p.stdout, p.stderr.decode("utf-8", "replace")


def diagnostics(stderr):
    out = []
    for line in stderr.split("\n"):
        m = DIAG.match(line)
        if m:
            out.append((m.group(1), int(m.group(2)), int(m.group(3)), m.group(4), m.group(5), m.group(6)))
    return out


def case_errors(cases, diags, path):
    """{case idx: [diagnostic]} for the errors located in a case's lines."""
    by = {}
    for d in diags:
        if d[3] != "error" or os.path.basename(d[0]) != os.path.basename(path):
            continue
        for c in cases:
            if c.first_line <= d[1] <= c.last_line:
                by.setdefault(c.idx, []).append(d)
                break
    return by


def check_refusals(rep, T, cases, got, errs, reject_reason):
    """Each case converted (its id in got) exactly when reject_reason finds
    nothing to refuse; a refusal carries an error located in the rule."""
    for c in cases:
        reason = reject_reason(c)
        if c.id in got and reason:
            rep.fail(T, reason[0], reason[1], "converted, but %s" % reason[2], c)
        elif c.id not in got and not reason:
            rep.fail(T, "convert", c.title, "not converted: %s" % ("; ".join(d[5] for d in errs.get(c.idx, []))
                                                                   or "(no located error)"), c)
        elif c.id not in got:
            if not errs.get(c.idx):
                rep.fail(T, reason[0], reason[1], "refused without an error located in the rule", c)
            else:
                rep.count(T, "refused as expected (located)")


def short(v, n=240):
    if isinstance(v, (tuple, list)):
        v = "".join(p if isinstance(p, str) else p[0] for p in v)
    s = repr(v)
    if len(s) > n:
        s = s[:n] + "...(%d chars)" % len(v)
    return s


def hidden_char(s):
    """The first character a line of text must not hold raw (C0, DEL, C1,
    line/paragraph separators, BOM, bidi controls), or None."""
    for ch in s:
        o = ord(ch)
        if o < 0x20 or 0x7F <= o < 0xA0 or ch in BIDI or ch in HIDDEN_EXTRA:
            return ch
    return None


def utf8_ok(b):
    try:
        b.decode("utf-8")
        return True
    except UnicodeDecodeError:
        return False


# ---------------------------------------------------------------------------
# The report


class Report:
    def __init__(self, seed):
        self.seed = seed
        self.failures = []
        self.known = {}
        self.notes = []
        self.checked = {}
        self.by_context = {}

    def fail(self, target, context, value, msg, case=None):
        where = " case=%d (line %d)" % (case.idx, case.first_line) if case is not None else ""
        if msg.startswith("KNOWN:"):
            key, _, rest = msg[6:].partition(" ")
            k = (target, context, key)
            if k in KNOWN_FAILURES:
                self.known.setdefault(k, []).append("%s%s value=%s: %s" % (target, where, short(value), rest))
                return
        line = "FAIL seed=%s target=%s context=%s%s value=%s: %s" % (self.seed, target, context, where, short(value), msg)
        self.failures.append(line)
        self.by_context[(target, context)] = self.by_context.get((target, context), 0) + 1
        if len(self.failures) <= 200:
            print(line, flush=True)

    def count(self, target, what, n=1):
        self.checked.setdefault(target, {}).setdefault(what, 0)
        self.checked[target][what] += n

    def note(self, msg):
        self.notes.append(msg)
        print("note: " + msg, flush=True)


# ---------------------------------------------------------------------------
# Regex helpers


def py_search(pattern, text, flags=0):
    try:
        return re.search(pattern, text, flags) is not None
    except re.error as e:
        return "error: %s" % e


def regex_means(rep, target, case, it, got_re, py_re_text, flags, v, bytes_mode=False, lower=False):
    """The emitted regex (translated to Python syntax) matches the sample of
    the Sigma regex and not a one-character change of it."""
    regex, sample, lits = v
    rng = random.Random("%d:%s" % (case.idx, regex))
    neg = mutated(sample, lits, rng)
    enc = (lambda s: s.encode("utf-8")) if bytes_mode else (lambda s: s)
    if lower:
        sample = sample.lower()
        neg = neg.lower() if neg is not None else None
    ok = py_search(py_re_text, enc(sample), flags)
    if ok is not True:
        rep.fail(target, it.context(), regex, "the emitted regex %s does not match the sample %r (%s)" %
                 (short(got_re), sample, ok), case)
        return
    if neg is not None and py_search(py_re_text, enc(neg), flags) is True:
        rep.fail(target, it.context(), regex, "the emitted regex %s also matches %r, one character off the sample" %
                 (short(got_re), neg), case)


# ---------------------------------------------------------------------------
# KQL


class KqlErr(Exception):
    def __init__(self, pos, msg):
        Exception.__init__(self, msg)
        self.pos, self.msg = pos, msg


class KTok:
    __slots__ = ("kind", "text", "value", "pos")

    def __init__(self, kind, text, value, pos):
        self.kind, self.text, self.value, self.pos = kind, text, value, pos

    def __repr__(self):
        return "%s(%r)" % (self.kind, self.text)


KQL_WORDS = {"T", "where", "and", "or", "not", "contains", "contains_cs", "startswith", "startswith_cs",
             "endswith", "endswith_cs", "matches", "regex", "in", "in~", "has", "isempty", "isnotempty"}
KQL_STR_OPS = {"contains", "contains_cs", "startswith", "startswith_cs", "endswith", "endswith_cs"}
KQL_OPS = ("==", "=~", "!=", "!~", "<=", ">=", "<", ">")


def kql_lex(q):
    """The tokens of a KQL query: STR (decoded), NAME (['x'] decoded), ID,
    OP, NUM and punctuation.  Raises KqlErr on anything sigc never writes:
    raw hidden characters in literals, unknown escapes, non-ASCII outside
    literals."""
    toks, i, n = [], 0, len(q)
    while i < n:
        c = q[i]
        if c in " \n":
            i += 1
        elif c in "\"'":
            j, out = i + 1, []
            while True:
                if j >= n:
                    raise KqlErr(i, "unterminated string literal")
                ch = q[j]
                if ch == c:
                    break
                if ch == "\\":
                    nx = q[j + 1] if j + 1 < n else ""
                    if nx in ("\"", "'", "\\"):
                        out.append(nx)
                        j += 2
                    elif nx in "nrt" and nx:
                        out.append({"n": "\n", "r": "\r", "t": "\t"}[nx])
                        j += 2
                    elif nx == "u" and re.fullmatch(r"[0-9A-Fa-f]{4}", q[j + 2 : j + 6]):
                        out.append(chr(int(q[j + 2 : j + 6], 16)))
                        j += 6
                    else:
                        raise KqlErr(j, "unknown escape \\%s in a string literal" % nx)
                    continue
                h = hidden_char(ch)
                if h:
                    raise KqlErr(j, "raw %r inside a string literal" % h)
                out.append(ch)
                j += 1
            toks.append(KTok("STR", q[i : j + 1], "".join(out), i))
            i = j + 1
        elif c in "()[],|*":
            toks.append(KTok(c, c, None, i))
            i += 1
        elif c.isascii() and (c.isalpha() or c == "_"):
            j = i
            while j < n and q[j].isascii() and (q[j].isalnum() or q[j] == "_"):
                j += 1
            if q[i:j] == "in" and j < n and q[j] == "~":
                j += 1
            toks.append(KTok("ID", q[i:j], None, i))
            i = j
        elif c.isascii() and c.isdigit():
            j = i
            while j < n and (q[j].isdigit() or q[j] == "."):
                j += 1
            toks.append(KTok("NUM", q[i:j], None, i))
            i = j
        else:
            for op in KQL_OPS:
                if q.startswith(op, i):
                    toks.append(KTok("OP", op, None, i))
                    i += len(op)
                    break
            else:
                raise KqlErr(i, "%r outside a string literal" % c)
    # ['name'] -> NAME
    out, k = [], 0
    while k < len(toks):
        t = toks[k]
        if t.kind == "[" and k + 2 < len(toks) and toks[k + 1].kind == "STR" and toks[k + 2].kind == "]":
            out.append(KTok("NAME", t.text, toks[k + 1].value, t.pos))
            k += 3
            continue
        out.append(t)
        k += 1
    return out


def kql_facts(toks, bare_fields):
    """(field, op, decoded literal) for every string literal, and the
    structural problems found."""
    facts, problems = [], []
    depth = 0
    for k, t in enumerate(toks):
        if t.kind == "(":
            depth += 1
        elif t.kind == ")":
            depth -= 1
            if depth < 0:
                problems.append("unbalanced ')' at offset %d" % t.pos)
        elif t.kind in ("[", "]"):
            problems.append("stray %r at offset %d" % (t.kind, t.pos))
        elif t.kind == "ID" and t.text not in KQL_WORDS and t.text not in bare_fields:
            problems.append("unexpected word %r at offset %d" % (t.text, t.pos))
        elif t.kind in ("NUM",):
            problems.append("unexpected number %r at offset %d" % (t.text, t.pos))
        elif t.kind == "|" and k != 1:
            problems.append("a second pipe stage at offset %d" % t.pos)
    if depth:
        problems.append("unbalanced parentheses")
    if len(toks) < 3 or toks[0].text != "T" or toks[1].kind != "|" or toks[2].text != "where":
        problems.append("the query does not start with T | where")

    def field_of(t):
        if t is None:
            return None
        if t.kind == "ID" and (t.text in bare_fields or t.text not in KQL_WORDS):
            return t.text
        if t.kind == "NAME":
            return t.value
        if t.kind == "*":
            return "*"
        return None

    for k, t in enumerate(toks):
        if t.kind != "STR":
            continue
        p = toks[k - 1] if k else None
        op = f = None
        if p is not None and p.kind == "ID" and p.text in KQL_STR_OPS:
            op, f = p.text, field_of(toks[k - 2] if k >= 2 else None)
        elif p is not None and p.kind == "ID" and p.text == "regex" and k >= 2 and toks[k - 2].text == "matches":
            op, f = "matches regex", field_of(toks[k - 3] if k >= 3 else None)
        elif p is not None and p.kind == "OP" and p.text in ("=~", "=="):
            op, f = p.text, field_of(toks[k - 2] if k >= 2 else None)
        elif p is not None and p.kind in ("(", ","):
            j = k - 1
            while j >= 0 and toks[j].kind in ("STR", ","):
                j -= 1
            if j >= 2 and toks[j].kind == "(" and toks[j - 1].kind == "ID" and toks[j - 1].text in ("in", "in~"):
                op, f = toks[j - 1].text, field_of(toks[j - 2])
        if op is None or f is None:
            problems.append("string literal %s at offset %d in no known position" % (short(t.value, 60), t.pos))
            continue
        facts.append((f, op, t.value))
    return facts, problems


def kql_glob_decode(r):
    """sigc's glob regex read back: (cased, glob) or None."""
    m = re.match(r"\(\?(i?)s\)\^", r)
    if not m:
        return None
    parts, i, n = [], m.end(), len(r)
    while i < n:
        ch = r[i]
        if ch == "\\":
            nx = r[i + 1 : i + 2]
            if nx == "x" and r[i + 2 : i + 3] == "{":
                j = r.find("}", i)
                if j < 0:
                    return None
                parts.append(chr(int(r[i + 3 : j], 16)))
                i = j + 1
            elif nx and not nx.isalnum():
                parts.append(nx)
                i += 2
            else:
                return None
        elif r.startswith(".*", i):
            parts.append(STAR)
            i += 2
        elif ch == ".":
            parts.append(ONE)
            i += 1
        elif ch == "$" and i == n - 1:
            return (m.group(1) != "i"), gnorm(parts)
        elif ch in "()[]{}|+?*^$":
            return None
        else:
            parts.append(ch)
            i += 1
    return None  # no closing $


def kql_fact_glob(op, value):
    """(cased, glob) a string fact states, or None for a regex that is not
    a glob."""
    if op in ("=~", "in~"):
        return False, gnorm((value,)) if value else ()
    if op in ("==", "in"):
        return True, gnorm((value,)) if value else ()
    base = op.replace("_cs", "")
    cased = op.endswith("_cs")
    if base in ("contains", "startswith", "endswith"):
        return cased, widen((value,), base)
    if op == "matches regex":
        return kql_glob_decode(value)
    return None


def kql_py_regex(r):
    """A KQL (RE2) regex as sigc writes it, in Python syntax."""
    r = re.sub(r"\\x\{([0-9A-Fa-f]+)\}", lambda m: "\\U%08x" % int(m.group(1), 16), r)
    return r.replace("\\z", "\\Z")


# what JavaScript's String.prototype.trim() removes (check-kql.js trims schema names)
JS_SPACE = " \t\n\v\f\r\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a" \
           "\u2028\u2029\u202f\u205f\u3000\ufeff"
SENTINEL_KEYS = ["id", "name", "description", "severity", "requiredDataConnectors", "queryFrequency", "queryPeriod",
                 "triggerOperator", "triggerThreshold", "tactics", "relevantTechniques", "query", "version", "kind"]


def split_default(rep, target, text, items, cases_by_id, comment_re, comment_name):
    """Checks the default format: per rule, header comment lines (id, title,
    [level], source) that hold no hidden character, then exactly the json
    query.  Returns nothing; reports failures."""
    pos = 0
    for k, it in enumerate(items):
        case = cases_by_id.get(it["id"])
        if k:
            if not text.startswith("\n", pos):
                rep.fail(target, "format:default", it["id"], "no blank line between rules at offset %d" % pos, case)
                return
            pos += 1
        keys = []
        while True:
            end = text.find("\n", pos)
            if end < 0:
                break
            line = text[pos:end]
            m = comment_re.match(line)
            if not m:
                break
            keys.append(m.group(1))
            h = hidden_char(m.group(2))
            if h:
                rep.fail(target, "comment", case.title if case else line,
                         "the %s header line holds a raw %r: %s" % (comment_name, h, short(line, 120)), case)
            pos = end + 1
        want = ["id", "title", "level", "source"] if case and case.level else ["id", "title", "source"]
        q = it["query"]
        if keys != want:
            rep.fail(target, "comment", case.title if case else it["id"],
                     "the header comment lines are %r, want %r (a line break in the title?)" % (keys, want), case)
            # go on from the query (the source line names the file, which holds no line break)
            end = text.find(comment_name + " source: ", pos)
            at = text.find(q, end) if end >= 0 else -1
            if at < 0:
                return
            pos = at
        if text[pos : pos + len(q)] != q:
            rep.fail(target, "format:default", q, "the default format's query differs from json's: %s" %
                     short(text[pos : pos + len(q) + 20], 200), case)
            return
        pos += len(q)
        if not text.startswith("\n", pos):
            rep.fail(target, "format:default", q, "the query is not followed by a line break", case)
            return
        pos += 1
        rep.count(target, "default-format rules")
    if pos != len(text):
        rep.fail(target, "format:default", text[pos : pos + 80], "text left after the last rule")


def sentinel_lines_check(rep, doc_text, case):
    """Without a YAML library: the document's top-level keys are exactly the
    analytic rule's, in order; a quoted value goes on until its closing
    quote, the query's literal block keeps every line indented, and any
    other line is a sequence item: so no line of a value starts a key."""
    keys = []
    lines = doc_text.split("\n")
    k = 0
    while k < len(lines):
        line = lines[k]
        k += 1
        if line in ("", "---", "...") or line.startswith("- "):
            continue
        m = re.match(r"([A-Za-z]+):(?: (.*))?\Z", line, re.S)
        if not m:
            rep.fail("kql", "format:sentinel", line, "a line that is neither a key nor part of a value", case)
            return
        keys.append(m.group(1))
        rest = m.group(2) or ""
        if rest[:1] in ("'", '"'):
            q = rest[0]
            text = rest[1:]
            while True:
                if q == "'":
                    closed = re.fullmatch(r"(?:[^']|'')*'", text, re.S)
                else:
                    closed = re.fullmatch(r'(?:[^"\\]|\\.)*"', text, re.S)
                if closed:
                    break
                if k >= len(lines):
                    rep.fail("kql", "format:sentinel", rest, "a quoted value that never closes", case)
                    return
                text += "\n" + lines[k]
                k += 1
        elif rest[:1] in ("|", ">"):
            if m.group(1) != "query":
                rep.fail("kql", "format:sentinel", line, "a block scalar for %s" % m.group(1), case)
            while k < len(lines) and (lines[k] == "" or lines[k].startswith(" ")):
                k += 1
    if keys != SENTINEL_KEYS:
        rep.fail("kql", "format:sentinel", case.title if case else "", "top-level keys %r, want %r" % (keys, SENTINEL_KEYS),
                 case)


def check_kql(rep, sigc, src, tmp, cases, rng):
    T = "kql"
    path = os.path.join(tmp, "kql.yml")
    write_rules(path, cases, rng)
    base = [sigc, "convert", "-s", "-t", "kql", "-p", "kql-generic", "-O", "table=T"]
    rc, out_json, err = run(base + ["-f", "json", path])
    if rc != 0:
        rep.fail(T, "convert", path, "sigc exited %d with -s:\n%s" % (rc, err[-2000:]))
        return
    items = json.loads(out_json.decode("utf-8"))
    by_id = {c.id: c for c in cases}
    got = {it["id"]: it for it in items}
    errs = case_errors(cases, diagnostics(err), path)
    check_refusals(rep, T, cases, got, errs, kql_reject_reason)
    # default format and sentinel YAML
    rc, out_def, err = run(base + [path])
    split_default(rep, T, out_def.decode("utf-8"), items, by_id, re.compile(r"^// (id|title|level|source): ?(.*)$"),
                  "//")
    rc, out_sen, err = run(base + ["-f", "sentinel", path])
    sen_text = out_sen.decode("utf-8")
    if rc != 0:
        rep.fail(T, "format:sentinel", path, "sigc -f sentinel exited %d: %s" % (rc, err[-1500:]))
    else:
        check_sentinel(rep, sen_text, items, by_id)
    # every query: our lexer, then Microsoft's parser
    schema_dir = os.path.join(tmp, "kql-schema")
    os.makedirs(schema_dir, exist_ok=True)
    columns, unbound = set(), set()
    for c in cases:
        for it in c.sel + c.filter:
            name = it.field
            if re.search(r"[\t\r\n]", name) or name != name.strip(JS_SPACE) or not name.strip(JS_SPACE):
                unbound.add(c.id)
            else:
                columns.add(name)
    with open(os.path.join(schema_dir, "t.tsv"), "w", encoding="utf-8", newline="\n") as f:
        f.write("T\tsigc_dummy\tstring\n")
        for name in sorted(columns):
            f.write("T\t%s\tstring\n" % name)
    for it in items:
        c = by_id.get(it["id"])
        if c is None:
            rep.fail(T, "format:json", it["id"], "a query for an id no rule has")
            continue
        if it.get("title") != c.title:
            rep.fail(T, "title", c.title, "json title reads back as %s" % short(it.get("title")), c)
        check_kql_query(rep, c, it["query"])
    node = shutil.which("node")
    kusto = os.path.join(src, "tests", "kusto")
    if not node or not os.path.isfile(os.path.join(kusto, "node_modules", "@kusto", "language-service-next",
                                                   "package.json")):
        rep.note("KQL parser check skipped: needs node and tests/kusto/node_modules (tools/kusto-setup.sh); "
                 "the rest of the KQL checks ran")
        return
    jpath = os.path.join(tmp, "kql.json")
    with open(jpath, "wb") as f:
        f.write(out_json)
    rc, out, err = run([node, os.path.join(kusto, "check-kql.js"), "--schemas", schema_dir, "--quiet", jpath])
    text = out.decode("utf-8", "replace")
    if rc not in (0, 1) or not re.search(r"^\d+ passed, \d+ failed$", text, re.M):
        rep.fail(T, "kusto-parser", jpath, "check-kql.js exited %d: %s %s" % (rc, text[-1500:], err[-1500:]))
        return
    n_err = 0
    for line in text.split("\n"):
        m = re.match(r"^(.*?): (\S+): Error (\S+) (.*)$", line)
        if not m:
            continue
        cid, code = m.group(2), m.group(3)
        c = by_id.get(cid)
        if code in ("KS142", "KS107") and cid in unbound:
            rep.count(T, "unknown-column diagnostics for names a schema file cannot hold")
            continue
        n_err += 1
        rep.fail(T, "kusto-parser", c.title if c else cid, "Microsoft's parser: %s %s" % (code, m.group(4)[:400]), c)
    summary = re.findall(r"^(\d+) passed, (\d+) failed$", text, re.M)[-1]
    rep.count(T, "queries parsed by Kusto.Language", int(summary[0]) + int(summary[1]))


def kql_reject_reason(c):
    for it in c.items():
        if it.kind == "enc":
            for v in it.values:
                if not utf8_ok(it.expected_bytes(v)):
                    return it.context(), v, "the value's bytes are not valid UTF-8 (a KQL string is Unicode text)"
    return None


def check_sentinel(rep, text, items, by_id):
    docs_text = [d for d in re.split(r"^---$", text, flags=re.M)[1:]]
    if len(docs_text) != len(items):
        rep.fail("kql", "format:sentinel", "", "%d YAML documents for %d queries" % (len(docs_text), len(items)))
        return
    for dt, it in zip(docs_text, items):
        sentinel_lines_check(rep, dt, by_id.get(it["id"]))
    try:
        import yaml
    except ImportError:
        rep.note("PyYAML not installed: the Sentinel YAML was checked line by line only")
        return
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        docs = [d for d in yaml.load_all(text, Loader=loader) if d is not None]
    except yaml.YAMLError as e:
        rep.fail("kql", "format:sentinel", "", "the Sentinel YAML does not parse: %s" % e)
        return
    for d, it in zip(docs, items):
        c = by_id.get(it["id"])
        want = {"id": c.id, "name": c.title, "description": c.desc if c.desc is not None else "",
                "query": it["query"]}
        for k, v in want.items():
            if d.get(k) != v:
                ctx = {"name": "title", "description": "description", "id": "id", "query": "format:sentinel"}[k]
                rep.fail("kql", ctx, v, "the Sentinel YAML's %s reads back as %s (%s)" %
                         (k, short(d.get(k)), type(d.get(k)).__name__), c)
        rep.count("kql", "sentinel documents read back")


def check_kql_query(rep, c, q):
    T = "kql"
    try:
        toks = kql_lex(q)
    except KqlErr as e:
        rep.fail(T, "structure", q[max(0, e.pos - 40) : e.pos + 40], "lexer: %s at offset %d" % (e.msg, e.pos), c)
        return
    bare = {it.field for it in c.sel + c.filter}
    facts, problems = kql_facts(toks, bare)
    for p in problems:
        rep.fail(T, "structure", q[:200], p, c)
    if problems:
        return
    used = [False] * len(facts)
    n_expected = 0
    for it in c.items():
        field = it.field if it.field is not None else "*"
        for v in it.values:
            n_expected += 1
            found = False
            for k, (f, op, val) in enumerate(facts):
                if f != field or used[k]:
                    continue
                if it.kind == "re":
                    if op != "matches regex":
                        continue
                    used[k] = True
                    found = True
                    flags = re.I if it.regex_i and not val.startswith("(?i)") else 0
                    regex_means(rep, T, c, it, val, kql_py_regex(val), flags, v)
                    break
                g = kql_fact_glob(op, val)
                if g is None:
                    continue
                if it.kind == "enc":
                    b = it.expected_bytes(v)
                    want = widen((b.decode("utf-8"),), it.op)
                else:
                    want = widen(v, it.op)
                if g[1] == want and g[0] == it.cased:
                    used[k] = True
                    found = True
                    break
            if found:
                rep.count(T, "values read back")
            else:
                rep.fail(T, it.context(), v, "no string literal of the query states %s %s%s (facts: %s)" %
                         ("keyword" if it.field is None else repr(it.field), it.op, " cased" if it.cased else "",
                          short(repr(facts), 300)), c)
    for k, (f, op, val) in enumerate(facts):
        if not used[k]:
            rep.fail(T, "structure", val, "a string literal no value of the rule accounts for (%r %s)" % (f, op), c)
    rep.count(T, "queries lexed")


# ---------------------------------------------------------------------------
# SPL


def spl_reject_reason(c):
    for it in c.sel + c.filter:
        if any(ch in "\"'\\`*" or ord(ch) < 0x20 or ord(ch) == 0x7F for ch in it.field):
            return "field-name", it.field, "SPL has no escape for this field name"
    for it in c.items():
        if it.kind == "re" and any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in it.values[0][0]):
            return it.context(), it.values[0][0], "the regex holds a raw control character"
        if it.kind == "enc":
            for v in it.values:
                if not utf8_ok(it.expected_bytes(v)):
                    return it.context(), v, "the value's bytes are not valid UTF-8"
    return None


def spl_superset(glob):
    out = []
    for p in glob:
        if p == ONE:
            out.append(STAR)
        elif isinstance(p, str):
            for k, piece in enumerate(p.split("*")):
                if k:
                    out.append(STAR)
                out.append(piece)
        else:
            out.append(p)
    return gnorm(out)


def savedsearches_reject_reason(c):
    if c.desc is None:
        return None
    for line in c.desc.split("\n"):
        if line.endswith("\r"):
            line = line[:-1]
        if line.endswith("\\"):
            return "a description line ends in a backslash"
        if any((ord(ch) < 0x20 and ch != "\t") for ch in line):
            return "the description holds a control character"
    return None


def check_spl(rep, sigc, src, tmp, cases, rng):
    T = "spl"
    sys.dont_write_bytecode = True  # no __pycache__ in the source tree
    sys.path.insert(0, os.path.join(src, "tests", "spl"))
    try:
        import check_spl as cs
    except ImportError as e:
        rep.fail(T, "setup", "", "cannot import tests/spl/check_spl.py: %s" % e)
        return
    path = os.path.join(tmp, "spl.yml")
    write_rules(path, cases, rng)
    base = [sigc, "convert", "-s", "-t", "spl", "-p", "splunk-generic"]
    rc, out_json, err = run(base + ["-f", "json", path])
    if rc != 0:
        rep.fail(T, "convert", path, "sigc exited %d with -s:\n%s" % (rc, err[-2000:]))
        return
    try:
        items = json.loads(out_json.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as e:
        rep.fail(T, "format:json", path, "the json output does not read: %s" % e)
        return
    by_id = {c.id: c for c in cases}
    got = {it["id"]: it for it in items}
    errs = case_errors(cases, diagnostics(err), path)
    check_refusals(rep, T, cases, got, errs, spl_reject_reason)
    rc, out_def, err = run(base + [path])
    try:
        def_text = out_def.decode("utf-8")
    except UnicodeDecodeError as e:
        rep.fail(T, "format:default", path, "the default output is not UTF-8: %s" % e)
        def_text = None
    if def_text is not None:
        split_default(rep, T, def_text, items, by_id, re.compile(r"^``` (id|title|level|source): ?(.*) ```$"),
                      "```")
        for line in def_text.split("\n"):
            if line.startswith("```") and "`" in line[3:-3]:
                rep.fail(T, "comment", line, "a backtick inside a ``` comment")
    for it in items:
        c = by_id.get(it["id"])
        if c is None:
            rep.fail(T, "format:json", it["id"], "a query for an id no rule has")
            continue
        if it.get("title") != c.title:
            rep.fail(T, "title", c.title, "json title reads back as %s" % short(it.get("title")), c)
        check_spl_query(rep, cs, c, it["query"])
    check_savedsearches(rep, sigc, tmp, cases, rng, items)


def check_spl_query(rep, cs, c, q):
    T = "spl"
    qc = cs.QueryCheck(q)
    qc.run()
    for cmd, pos, msg in qc.failures:
        rep.fail(T, "structure", q[max(0, pos - 40) : pos + 40], "check_spl: cmd=%s offset=%d: %s" % (cmd, pos, msg), c)
    if qc.failures:
        return
    cmds = list(qc.commands)
    if cmds.count("search") != 1 or cmds.count("where") > 1 or set(cmds) - {"search", "where"}:
        rep.fail(T, "structure", q[:200], "pipe commands %r: a value added a command" % cmds, c)
        return
    f = qc.facts
    strs = [(fld, cs.search_glob(v), v) for fld, v in f.search_strs]
    regs = [(fld, r) for fld, r in f.regexes]
    used_s = [False] * len(strs)
    used_r = [False] * len(regs)
    for it in c.items():
        field = it.field if it.field is not None else "_raw"
        for v in it.values:
            found = False
            if it.kind == "re":
                regex = v[0]
                for k, (fld, r) in enumerate(regs):
                    if fld != field or not r.endswith(regex):
                        continue
                    prefix = r[: len(r) - len(regex)]
                    if prefix in ("", "(?i)") and (prefix == "(?i)") == it.regex_i:
                        used_r[k] = found = True
                        break
            else:
                if it.kind == "enc" and not utf8_ok(it.expected_bytes(v)):
                    continue  # reported above: such a value must be refused
                want = widen((it.expected_bytes(v).decode("utf-8"),), it.op) if it.kind == "enc" else widen(v, it.op)
                for k, (fld, r) in enumerate(regs):
                    g = cs.regex_glob(r)
                    if fld == field and g and g[1] == want and ("i" in g[0]) == (not it.cased):
                        used_r[k] = found = True
                if not it.cased and it.field is not None:
                    for k, (fld, g, raw) in enumerate(strs):
                        if fld == field and g == want:
                            used_s[k] = found = True
                sup = spl_superset(want)
                for k, (fld, g, raw) in enumerate(strs):
                    if fld == field and g == sup and found:
                        used_s[k] = True
            if found:
                rep.count(T, "values read back")
            else:
                rep.fail(T, it.context(), v, "no quoted token of the query decodes to this value (search %s, match %s)"
                         % (short(repr(f.search_strs), 200), short(repr(f.regexes), 200)), c)
    for k, (fld, g, raw) in enumerate(strs):
        if not used_s[k]:
            rep.fail(T, "structure", raw, "a search value no value of the rule accounts for (field %r)" % fld, c)
    for k, (fld, r) in enumerate(regs):
        if not used_r[k]:
            rep.fail(T, "structure", r, "a match() regex no value of the rule accounts for (field %r)" % fld, c)
    rep.count(T, "queries re-tokenized")


def conf_logical_lines(text):
    """savedsearches.conf lines with the ` \\` continuations joined: [(first
    physical line number, logical text with \\n where a line went on)]."""
    out, cur, start = [], None, 0
    for n, line in enumerate(text.split("\n"), 1):
        if cur is None:
            cur, start = line, n
        else:
            cur += "\n" + line
        if cur.endswith("\\"):
            cur = cur[:-1]
            continue
        out.append((start, cur))
        cur = None
    if cur is not None:
        out.append((start, cur))
    return out


def check_savedsearches(rep, sigc, tmp, cases, rng, spl_items):
    T = "spl"
    converted = {it["id"] for it in spl_items}
    ok_cases = [c for c in cases if c.id in converted and not savedsearches_reject_reason(c)]
    bad_cases = [c for c in cases if c.id in converted and savedsearches_reject_reason(c)]
    base = [sigc, "convert", "-s", "-t", "spl", "-p", "splunk-generic", "-f", "savedsearches"]
    # the refusals: each located, and nothing written
    for c in bad_cases[:25]:
        path = os.path.join(tmp, "ss-bad-%d.yml" % c.idx)
        write_rules(path, [c], rng)
        rc, out, err = run(base + [path])
        d = [x for x in diagnostics(err) if x[3] == "error" and x[1] >= c.first_line]
        if rc == 0 or out or not d:
            rep.fail(T, "description", c.desc, "savedsearches should refuse this rule (%s) with a located error; "
                     "exit %d, %d bytes written, errors %r" % (savedsearches_reject_reason(c), rc, len(out), d), c)
        else:
            rep.count(T, "savedsearches refusals (located)")
    path = os.path.join(tmp, "ss.yml")
    write_rules(path, ok_cases, rng)
    rc, out, err = run(base + [path])
    if rc != 0:
        rep.fail(T, "format:savedsearches", path, "sigc exited %d: %s" % (rc, err[-2000:]))
        return
    _, jout, _ = run([sigc, "convert", "-s", "-t", "spl", "-p", "splunk-generic", "-f", "json", path])
    queries = {it["id"]: it["query"] for it in json.loads(jout.decode("utf-8", "replace"))}
    by_id = {c.id: c for c in ok_cases}
    try:
        text = out.decode("utf-8")
    except UnicodeDecodeError as e:
        rep.fail(T, "format:savedsearches", path, "savedsearches.conf is not UTF-8: %s" % e)
        return
    stanzas = []
    for n, line in conf_logical_lines(text):
        if line.startswith("["):
            stanzas.append([line, n, {}])
        elif line == "":
            continue
        elif not stanzas:
            rep.fail(T, "format:savedsearches", line, "a line before the first stanza")
        else:
            m = re.match(r"([A-Za-z_.]+) = (.*)\Z", line, re.S)
            if not m:
                rep.fail(T, "format:savedsearches", line, "line %d is neither a stanza nor key = value" % n)
                continue
            if m.group(1) in stanzas[-1][2]:
                rep.fail(T, "format:savedsearches", line, "key %s twice in stanza %s" % (m.group(1), stanzas[-1][0]))
            stanzas[-1][2][m.group(1)] = m.group(2)
    if not stanzas or stanzas[0][0] != "[default]":
        rep.fail(T, "format:savedsearches", text[:100], "no [default] stanza first")
        return
    if len(stanzas) - 1 != len(queries):
        rep.fail(T, "format:savedsearches", "", "%d rule stanzas for %d queries (an injected stanza header?)" %
                 (len(stanzas) - 1, len(queries)))
    for head, n, kv in stanzas[1:]:
        m = re.match(r"\[([^\[\]]*) - ([0-9a-f-]{36})\]\Z", head)
        c = by_id.get(m.group(2)) if m else None
        if c is None:
            rep.fail(T, "title", head, "stanza header at line %d is not [title - id] of a rule" % n)
            continue
        want_name = "".join(ch for ch in c.title.encode("utf-8").decode("utf-8")
                            if ch not in "[]" and not (ord(ch) < 0x20 or ord(ch) == 0x7F))
        if m.group(1) != want_name:
            rep.fail(T, "title", c.title, "stanza name %s, want %s" % (short(m.group(1)), short(want_name)), c)
        if set(kv) - {"search", "description"}:
            rep.fail(T, "format:savedsearches", head, "keys %r: a value started a key" % sorted(kv), c)
        if kv.get("search", "").replace(" \n", "\n") != queries.get(c.id):
            rep.fail(T, "format:savedsearches", queries.get(c.id), "search = reads back as %s" %
                     short(kv.get("search")), c)
        if c.desc:
            # .conf values lose the white space at their ends (and sigc drops a
            # final line break): compare without it
            want_d = c.desc.replace("\r\n", "\n").strip(" \t\r\n")
            got_d = kv.get("description", "").replace(" \n", "\n").strip(" \t\r\n")
            if got_d != want_d:
                rep.fail(T, "description", c.desc, "description = reads back as %s" % short(got_d), c)
        rep.count(T, "savedsearches stanzas read back")


# ---------------------------------------------------------------------------
# Suricata


class SurErr(Exception):
    pass


def sur_options(body):
    """Options of a rule body: [(name, value or None)], split at unescaped
    `;` (as Suricata's parser does, quotes or not)."""
    opts, i, n = [], 0, len(body)
    while i < n:
        while i < n and body[i] == " ":
            i += 1
        if i >= n:
            break
        m = re.match(r"[a-z0-9_.]+", body[i:])
        if not m:
            raise SurErr("no option name at %d: %r" % (i, body[i : i + 40]))
        name = m.group(0)
        i += len(name)
        if i < n and body[i] == ";":
            opts.append((name, None))
            i += 1
            continue
        if i >= n or body[i] != ":":
            raise SurErr("option %s not followed by ':' or ';'" % name)
        i += 1
        j = i
        while j < n and body[j] != ";":
            j += 2 if body[j] == "\\" else 1
        if j >= n:
            raise SurErr("option %s has no terminating ';'" % name)
        opts.append((name, body[i:j].strip()))
        i = j + 1
    return opts


def sur_quoted(v):
    """The text between the quotes of an option value (and whether it is
    negated with !); raw `"` inside is an error."""
    neg = v.startswith("!")
    if neg:
        v = v[1:]
    if len(v) < 2 or v[0] != '"' or v[-1] != '"':
        raise SurErr("value %r is not quoted" % v[:60])
    inner = v[1:-1]
    i = 0
    while i < len(inner):
        if inner[i] == "\\":
            i += 2
            continue
        if inner[i] == '"':
            raise SurErr("unescaped quote inside %r" % inner[:80])
        i += 1
    return neg, inner


def sur_unescape_text(s, allowed='";\\'):
    out, i = [], 0
    while i < len(s):
        if s[i] == "\\":
            if i + 1 >= len(s) or s[i + 1] not in allowed:
                raise SurErr("escape \\%s" % s[i + 1 : i + 2])
            out.append(s[i + 1])
            i += 2
        else:
            out.append(s[i])
            i += 1
    return "".join(out)


def sur_content_bytes(s):
    """content text: |HH HH| blocks, escapes \\" \\; \\\\ \\:, the rest as it is."""
    out, i, n = bytearray(), 0, len(s)
    while i < n:
        ch = s[i]
        if ch == "|":
            j = s.find("|", i + 1)
            if j < 0:
                raise SurErr("odd number of | in content")
            for h in s[i + 1 : j].replace(",", " ").split():
                if not re.fullmatch(r"[0-9A-Fa-f]{2}", h):
                    raise SurErr("bad hex %r in content" % h)
                out.append(int(h, 16))
            i = j + 1
        elif ch == "\\":
            if i + 1 >= n or s[i + 1] not in '";\\:':
                raise SurErr("escape \\%s in content" % s[i + 1 : i + 2])
            out += s[i + 1].encode()
            i += 2
        elif ch in '";':
            raise SurErr("raw %r in content" % ch)
        else:
            out += ch.encode("utf-8")
            i += 1
    return bytes(out)


def sur_sanitized(text):
    return "".join(" " if (ord(ch) < 0x20 or ord(ch) == 0x7F) else ch for ch in text)


def check_suricata(rep, sigc, src, tmp, cases, rng):
    T = "suricata"
    path = os.path.join(tmp, "suricata.yml")
    write_rules(path, cases, rng)
    rules_path = os.path.join(tmp, "sigma.rules")
    rc, out, err = run([sigc, "convert", "-s", "-t", "suricata", path, "-o", rules_path])
    if rc != 0:
        rep.fail(T, "convert", path, "sigc exited %d with -s:\n%s" % (rc, err[-2000:]))
        return
    by_id = {c.id: c for c in cases}
    errs = case_errors(cases, diagnostics(err), path)
    raw = open(rules_path, "rb").read()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        rep.fail(T, "structure", path, "the rules file is not UTF-8: %s" % e)
        return
    lines_by_case = {}
    loadable = []
    for n, line in enumerate(text.split("\n"), 1):
        if line == "":
            continue
        if line.startswith("#"):
            h = hidden_char(line)
            if not line.startswith("# ") or h:
                rep.fail(T, "comment", line, "comment line %d holds a raw %r" % (n, h))
            loadable.append(line)
            continue
        m = re.search(r"metadata: sigma_id ([0-9a-f-]{36})", line)
        c = by_id.get(m.group(1)) if m else None
        if c is None:
            rep.fail(T, "structure", line[:300], "line %d is neither a comment nor a rule of a known id" % n)
            continue
        longest = 0
        for cm in re.finditer(r'content:!?"((?:[^"\\]|\\.)*)"', line):
            try:
                longest = max(longest, len(sur_content_bytes(cm.group(1))))
            except SurErr:
                pass  # reported by the option check
        long_value = max((v if it.kind != "re" else v[0] for it in c.items() for v in it.values),
                         key=lambda v: len(v if isinstance(v, str) else glob_literal(v)))
        # Suricata's rule reader takes 8191 bytes a line (DETECT_MAX_RULE_SIZE
        # 8192) and reads what is left as another rule; Debian's build
        # (Hyperscan, spm-hs) refuses contents over 4000 bytes: sigc must
        # refuse such a rule, never write it
        if len(line.encode("utf-8")) > 8191:
            rep.fail(T, "rule-line", long_value, "a %d-byte rule line" % len(line.encode("utf-8")), c)
        elif longest > 4000:
            rep.fail(T, "rule-line", long_value, "a %d-byte content" % longest, c)
        else:
            loadable.append(line)
        lines_by_case.setdefault(c.id, []).append(line)
    for c in cases:
        if c.id not in lines_by_case:
            msgs = [d[5] for d in errs.get(c.idx, [])]
            if sur_refusal_expected(c, msgs):
                rep.count(T, "too long for Suricata, refused as expected (located)")
            else:
                rep.fail(T, "convert", c.title, "not converted: %s" % ("; ".join(msgs) or "(no located error)"), c)
            continue
        check_suricata_case(rep, c, lines_by_case[c.id])
    # the real engine, once, on everything that fits its line length
    if not shutil.which("suricata"):
        rep.note("suricata -T skipped: Suricata is not installed (tools/suricata-setup.sh)")
        return
    load_path = os.path.join(tmp, "load.rules")
    with open(load_path, "w", encoding="utf-8", newline="\n") as f:
        f.write("\n".join(loadable) + "\n")
    rc, out, err = run([os.path.join(src, "tests", "suricata", "check_rules.sh"), "--werror", load_path], timeout=600)
    if rc == 77:
        rep.note("suricata -T skipped: %s" % err.strip()[:200])
    elif rc != 0:
        rep.fail(T, "suricata-T", load_path, "suricata -T refused the generated rules:\n%s" % err[-3000:])
    else:
        rep.count(T, "rules loaded by suricata -T", sum(1 for x in loadable if not x.startswith("#")))


def sur_refusal_expected(c, msgs):
    """Whether a case sigc refused is one Suricata could not load: a value
    over 4000 bytes as a content, or so many value bytes that the rule line
    (each byte at most 4 characters: |HH|) may pass 8191."""
    def text(it, v):
        return (v[0] if it.kind == "re" else glob_literal(v)).encode("utf-8")
    def plain(v):  # a content: no wildcard but at the ends (*x* is contains x)
        v = list(v)
        while v and v[0] == STAR:
            v.pop(0)
        while v and v[-1] == STAR:
            v.pop()
        return all(isinstance(p, str) for p in v)
    for m in msgs:
        if "Suricata takes contents of at most 4000 bytes" in m and any(
                it.kind != "re" and plain(v) and len(text(it, v)) > 4000 for it in c.items() for v in it.values):
            return True
        if "Suricata reads at most 8191 bytes per rule" in m and \
                4 * sum(len(text(it, v)) for it in c.items() for v in it.values) + 4 * len(c.title.encode()) + 400 > 8191:
            return True
    return False


def check_suricata_case(rep, c, lines):
    T = "suricata"
    n_branches = 1
    for it in c.sel:
        n_branches *= len(it.values)
    if len(lines) != n_branches:
        rep.fail(T, "structure", c.title, "%d rule lines, want %d" % (len(lines), n_branches), c)
    seen = set()
    for line in lines:
        m = re.match(r"alert http \$HOME_NET any -> \$EXTERNAL_NET any \((.*)\)\Z", line)
        if not m:
            rep.fail(T, "structure", line[:200], "not an alert http rule with one option list", c)
            continue
        try:
            opts = sur_options(m.group(1))
        except SurErr as e:
            rep.fail(T, "structure", line[:300], "options: %s" % e, c)
            continue
        names = [o[0] for o in opts]
        if names[0] != "msg" or names[-2:] != ["sid", "rev"] or names.count("sid") != 1:
            rep.fail(T, "structure", line[:300], "options %r: msg first, sid and rev last, once" % names, c)
        buf = None
        facts = []  # (buffer, kind, neg, value, [modifiers])
        for name, val in opts:
            try:
                if name == "msg":
                    _, inner = sur_quoted(val)
                    got = sur_unescape_text(inner)
                    if got != sur_sanitized(c.title):
                        rep.fail(T, "title", c.title, "msg reads back as %s" % short(got), c)
                elif name == "reference":
                    if not val.startswith("url,"):
                        raise SurErr("reference %r" % val[:80])
                    facts.append((None, "reference", False, val[4:], []))
                elif name in ("content", "pcre"):
                    neg, inner = sur_quoted(val)
                    facts.append((buf, name, neg, inner, []))
                elif name in ("nocase", "startswith", "endswith"):
                    if not facts or facts[-1][1] != "content":
                        raise SurErr("%s without a content before it" % name)
                    facts[-1][4].append(name)
                elif val is None and "." in name:
                    buf = name
            except SurErr as e:
                rep.fail(T, "structure", (val or name)[:300], "option %s: %s" % (name, e), c)
        used = [False] * len(facts)
        for it in c.sel + c.filter:
            want_buf = SURICATA_FIELDS[it.field]
            neg_item = it in c.filter
            # one value of the item per rule line: the one whose options
            # read back cleanly, else the first found, else the near misses
            found, near = [], []
            for v in it.values:
                probs, misses, u = [], [], list(used)
                shown_v = v if it.kind != "re" else v[0]
                if suricata_value(c, it, v, want_buf, neg_item, facts, u, probs, misses):
                    found.append((bool(probs), shown_v, probs, u))
                else:
                    near += [(shown_v, msg) for msg in misses]
            if found:
                found.sort(key=lambda x: (x[0], (id(it), x[1]) in seen))
                _, shown_v, probs, u = found[0]
                used[:] = u
                seen.add((id(it), shown_v))
                for msg in probs:
                    rep.fail(T, it.context(), shown_v, msg, c)
            else:
                for shown_v, msg in near:
                    rep.fail(T, it.context(), shown_v, msg, c)
        for k, f in enumerate(facts):
            if f[1] == "reference":
                used[k] = True
        for ref in c.refs:
            skip = 8 if ref.startswith("https://") else 7 if ref.startswith("http://") else 0
            body = ref[skip:]
            if not skip or not body or any(not (0x20 < ord(ch) < 0x7F) for ch in body):
                continue
            # the bytes of Suricata's syntax percent-encoded, as a web address writes them
            want = "".join("%%%02X" % ord(ch) if ch in '";\\' else ch for ch in body)
            if not any(f[1] == "reference" and f[3] == want for f in facts):
                rep.fail(T, "reference", ref, "no reference:url reads back as this reference", c)
            else:
                rep.count(T, "references read back")
        for k, f in enumerate(facts):
            if not used[k]:
                rep.fail(T, "structure", f[3], "a %s on %s no value of the rule accounts for" % (f[1], f[0]), c)
    for it in c.sel + c.filter:
        for v in it.values:
            key = (id(it), v if it.kind != "re" else v[0])
            if key not in seen:
                rep.fail(T, it.context(), v if it.kind != "re" else v[0],
                         "no rule line states this value on %s" % SURICATA_FIELDS[it.field], c)
            else:
                rep.count(T, "values read back")


def suricata_value(c, it, v, buf, neg, facts, used, probs, misses):
    """Looks for the content/pcre of one value among a rule line's facts
    (marking them used).  True when found; what is wrong with a found one
    goes to probs, a near miss (an option of the buffer that does not mean
    the value) to misses."""
    host = buf == "http.host"
    mine = [k for k, f in enumerate(facts) if f[0] == buf and f[2] == neg and not used[k]]
    if it.kind == "re":
        regex, sample, lits = v
        for k in mine:
            if facts[k][1] != "pcre":
                continue
            pat = facts[k][3]
            m = re.match(r"/(.*)/([a-zA-Z]*)\Z", pat, re.S)
            if not m:
                misses.append("pcre %s is not /.../flags" % short(pat))
                continue
            body, fl = m.group(1), m.group(2)
            if re.search(r'[";]', body) or re.search(r"(?<!\\)(\\\\)*/", body):
                probs.append("raw / \" or ; inside pcre %s" % short(pat))
            flags = (re.I if "i" in fl else 0) | (re.S if "s" in fl else 0) | (re.M if "m" in fl else 0)
            pb = body.encode("ascii", "backslashreplace")
            if py_search(pb, sample.encode("utf-8"), flags) is not True:
                misses.append("the pcre %s does not match the regex's sample %r" % (short(pat), sample))
                continue
            used[k] = True
            if ("i" in fl) != it.regex_i:
                probs.append("pcre flags %r for |re%s" % (fl, "|i" if it.regex_i else ""))
            miss = mutated(sample, lits, random.Random(c.idx))
            if miss is not None and py_search(pb, miss.encode("utf-8"), flags) is True:
                probs.append("the pcre %s also matches %r, one character off the sample" % (short(pat), miss))
            return True
        return False
    want = widen(v, it.op)
    nocase = not it.cased and not host
    lit = [p for p in want if isinstance(p, str)]
    if len(lit) == 1 and all(p == STAR for p in want if not isinstance(p, str)):
        # one literal, at most a STAR at either end: content, startswith, endswith
        b = lit[0].encode("utf-8")
        if host:
            b = b.lower()
        starts, ends = want[0] != STAR, want[-1] != STAR
        for k in mine:
            f = facts[k]
            if f[1] != "content":
                continue
            try:
                got = sur_content_bytes(f[3])
            except SurErr as e:
                misses.append("content %s: %s" % (short(f[3]), e))
                continue
            if got != b:
                misses.append("content %s decodes to %s" % (short(f[3]), short(got)))
                continue
            used[k] = True
            mods = set(f[4])
            if ("nocase" in mods) != nocase or ("startswith" in mods) != starts or ("endswith" in mods) != ends:
                probs.append("content modifiers %r, want nocase=%s startswith=%s endswith=%s" %
                             (sorted(mods), nocase, starts, ends))
            return True
        return False
    # a pcre (and, unless negated, a content of its longest literal part)
    sample, lits = sample_of(want)
    miss = mutated(sample, lits, random.Random(c.idx))
    sb = sample.encode("utf-8")
    mb = miss.encode("utf-8") if miss is not None else None
    if host:  # Suricata lowercases http.host
        sb = sb.lower()
        mb = mb.lower() if mb is not None else None
    for k in mine:
        f = facts[k]
        if f[1] != "pcre":
            continue
        m = re.match(r"/(.*)/([a-zA-Z]*)\Z", f[3], re.S)
        if not m:
            misses.append("pcre %s is not /.../flags" % short(f[3]))
            continue
        body, fl = m.group(1), m.group(2)
        flags = (re.I if "i" in fl else 0) | (re.S if "s" in fl else 0)
        pb = body.encode("ascii", "backslashreplace")
        if py_search(pb, sb, flags) is not True:
            misses.append("the pcre %s does not match the value's sample %s%s" % (
                short(f[3]), short(sb), " (lowercase: Suricata lowercases http.host)" if host else ""))
            continue
        used[k] = True
        if re.search(r'[";]', body) or re.search(r"(?<!\\)(\\\\)*/", body):
            probs.append("raw / \" or ; inside pcre %s" % short(f[3]))
        if ("i" in fl) != nocase:
            probs.append("pcre flags %r, want nocase=%s" % (fl, nocase))
        if mb is not None and mb.lower() != sb.lower() and py_search(pb, mb, flags) is True:
            probs.append("pcre %s also matches %s, one character off the value" % (short(f[3]), short(mb)))
        if not neg:
            longest = max(lit, key=lambda p: len(p.encode("utf-8")))
            lb = longest.encode("utf-8")
            if len(lb) >= 2:
                lb = lb.lower() if host else lb
                for j in mine:
                    if facts[j][1] == "content" and not used[j]:
                        try:
                            got = sur_content_bytes(facts[j][3])
                        except SurErr as e:
                            probs.append("content %s: %s" % (short(facts[j][3]), e))
                            used[j] = True
                            break
                        if got == lb:
                            used[j] = True
                            break
                else:
                    probs.append("no content prefilter holds the longest literal part %s" % short(lb))
        return True
    return False


# ---------------------------------------------------------------------------
# C


def c_pool(src_text):
    """The decoded sgm_t_pool literal, and a problem with its spelling."""
    m = re.search(r"static const char sgm_t_pool\[\] =\n(.*?);\n\n", src_text, re.S)
    if not m:
        return None, "no sgm_t_pool literal"
    body = m.group(1)
    out = bytearray()
    for lit in re.finditer(r'"((?:[^"\\\n]|\\[0-7]{3})*)"', body):
        s = lit.group(1)
        i = 0
        while i < len(s):
            if s[i] == "\\":
                out.append(int(s[i + 1 : i + 4], 8))
                i += 4
            else:
                if s[i] in "?*/\"\\" or not (0x20 <= ord(s[i]) < 0x7F):
                    return None, "raw %r in the pool literal" % s[i]
                out += s[i].encode()
                i += 1
    rest = re.sub(r'"((?:[^"\\\n]|\\[0-7]{3})*)"', "", body)
    if rest.strip():
        return None, "the pool literal holds something else than string pieces: %r" % rest.strip()[:80]
    return bytes(out), None


def c_sample(it, v):
    """(text of the field for a matching event, literal indexes)."""
    if it.kind == "re":
        return v[1], v[2]
    if it.kind == "enc":
        b = it.expected_bytes(v)
        if not utf8_ok(b):
            return None, None
        s = b.decode("utf-8")
        return s, list(range(len(s)))
    return sample_of(v)


def glob_matches(it, v, text):
    """Whether value v of item it matches text (case-insensitively in the
    Unicode sense, which is wider than the matcher's ASCII folding)."""
    if it.kind != "glob":
        return True  # not worked out: assume it does
    g = widen(v, it.op)
    rx = "".join(".*" if p == STAR else "." if p == ONE else re.escape(p) for p in g)
    return re.fullmatch(rx, text, re.S | (0 if it.cased else re.I)) is not None


def check_c(rep, sigc, src, tmp, cases, rng):
    T = "c"
    cc = shutil.which("cc")
    if not cc:
        rep.note("C checks skipped: no cc")
        return
    path = os.path.join(tmp, "c.yml")
    write_rules(path, cases, rng)
    csrc = os.path.join(tmp, "matcher.c")
    rc, out, err = run([sigc, "convert", "-s", "-t", "c", path, "-o", csrc])
    if rc != 0:
        rep.fail(T, "convert", path, "sigc exited %d with -s:\n%s" % (rc, err[-2000:]))
        return
    errs = case_errors(cases, diagnostics(err), path)
    for c in cases:
        if errs.get(c.idx):
            rep.fail(T, "convert", c.title, "not converted: %s" % "; ".join(d[5] for d in errs[c.idx]), c)
    text = open(csrc, "rb").read().decode("ascii", "replace")
    pool, problem = c_pool(text)
    if problem:
        rep.fail(T, "string-literal", csrc, problem)
        return
    for c in cases:
        if c.title.encode("utf-8") not in pool:
            rep.fail(T, "title", c.title, "the title's bytes are not in the string pool", c)
    exe = os.path.join(tmp, "matcher")
    rc, out, err = run([cc, "-std=c17", "-O2", "-Wall", "-Wextra", "-Werror", "-o", exe, csrc, "-lpcre2-8"])
    if rc != 0:
        rep.fail(T, "compile", csrc, "cc -std=c17 -O2 -Wall -Wextra -Werror failed:\n%s" % err[-3000:])
        return
    rep.count(T, "programs built with -Werror")
    events = []  # (event, case, must fire, what)
    for c in cases:
        r = random.Random(c.idx * 7919 + 1)
        if errs.get(c.idx):
            continue
        if c.keywords:
            for v in c.keywords.values:
                s, lits = sample_of(v)
                events.append(({"Message_%d" % c.idx: s}, c, True, c.keywords, v))
                miss = mutated(s, lits, r)
                if miss is not None and not any(glob_matches(c.keywords, w, miss) for w in c.keywords.values):
                    events.append(({"Message_%d" % c.idx: miss}, c, False, c.keywords, v))
            continue
        base, picked, skip = {}, [], False
        for it in c.sel:
            v = r.choice(it.values)
            s, lits = c_sample(it, v)
            if s is None:
                skip = True
                break
            base[it.field] = s
            picked.append((it, v, s, lits))
        if skip:
            rep.count(T, "rules with a non-UTF-8 value (built, no event can hold it)")
            continue
        events.append((dict(base), c, True, None, None))
        for it, v, s, lits in picked:
            miss = mutated(s, lits, r)
            if miss is None or any(glob_matches(it, w, miss) for w in it.values if w is not v):
                continue
            ev = dict(base)
            ev[it.field] = miss
            if it.cased is False and it.kind != "re" and miss.lower() == s.lower():
                continue
            events.append((ev, c, False, it, v))
        for it in c.filter:
            v = it.values[0]
            s, lits = c_sample(it, v)
            if s is None:
                continue
            ev = dict(base)
            ev[it.field] = s
            events.append((ev, c, False, it, v))
    evpath = os.path.join(tmp, "events.jsonl")
    with open(evpath, "w", encoding="ascii", newline="\n") as f:
        for ev, *_ in events:
            f.write(json.dumps(ev, ensure_ascii=True) + "\n")
    rc, out, err = run([exe, "--quiet", "--no-event", evpath], timeout=600)
    if rc not in (0, 1):
        rep.fail(T, "run", evpath, "the matcher exited %d: %s" % (rc, err[-2000:]))
        return
    fired = [set() for _ in events]
    titles = {}
    for line in out.decode("utf-8").split("\n"):
        if not line:
            continue
        m = json.loads(line)
        fired[m["line"] - 1].add(m["id"])
        titles[m["id"]] = m["title"]
    for k, (ev, c, want, it, v) in enumerate(events):
        got = c.id in fired[k]
        if got != want:
            if it is None:
                ctx, val = "event", ev
            else:
                ctx, val = it.context(), (v[0] if it.kind == "re" else v)
            rep.fail(T, ctx, val, "event %d %s: the rule %s, want %s" % (
                k + 1, short(json.dumps(ev, ensure_ascii=True), 300), "fired" if got else "did not fire",
                "fired" if want else "not fired"), c)
        else:
            rep.count(T, "events (fire / near miss) as expected")
    for c in cases:
        if c.id in titles and titles[c.id] != c.title:
            rep.fail(T, "title", c.title, "the matcher prints the title as %s" % short(titles[c.id]), c)


# ---------------------------------------------------------------------------
# Rule files that are not UTF-8: refused, located, for every target

BAD_UTF8 = [b"\xc0\x80", b"\xed\xa0\x80", b"\xf5", b"\xff", b"\x80", b"\xe2\x82"]


def check_invalid_utf8(rep, sigc, tmp, rng):
    T = "yaml"
    targets = [["-t", "kql", "-p", "kql-generic", "-O", "table=T"], ["-t", "spl", "-p", "splunk-generic"],
               ["-t", "suricata"], ["-t", "c", "-o", os.path.join(tmp, "bad.c")]]
    good = os.path.join(tmp, "good.yml")
    with open(good, "w") as f:
        f.write("title: good\nid: 00000000-0000-4000-8000-999999999999\nlogsource: {category: proxy}\n"
                "detection:\n  sel:\n    c-useragent: ok\n  condition: sel\nlevel: low\n")
    places = ["title", "value", "field", "description", "keyword"]
    n = 0
    for k, bad in enumerate(BAD_UTF8 + [b'\\ud800', b'\\udfff']):
        place = places[k % len(places)]
        escape = bad.startswith(b"\\u")
        lines = [b"title: " + (b'"t ' + bad + b'"' if place == "title" else b"t"),
                 b"id: 00000000-0000-4000-8000-99999999990%d" % (k % 10),
                 b"description: " + (b'"d ' + bad + b'"' if place == "description" else b"d"),
                 b"logsource: {category: proxy}", b"detection:", b"  sel:"]
        if place == "field":
            lines.append(b'    "c-user' + bad + b'agent": x')
        elif place == "keyword":
            lines[-1] = b"  keywords:"
            lines.append(b'    - "k' + bad + b'"')
        elif place == "value":
            lines.append(b'    c-useragent: "v ' + bad + b'"')
        else:
            lines.append(b"    c-useragent: v")
        lines.append(b"  condition: " + (b"keywords" if place == "keyword" else b"sel"))
        want_line = next(i for i, l in enumerate(lines, 1) if bad in l)
        path = os.path.join(tmp, "bad%d.yml" % k)
        with open(path, "wb") as f:
            f.write(b"\n".join(lines) + b"\n")
        ctx = "invalid-utf8-file"
        val = bad
        for targs in targets:
            tname = targs[1]
            rc, out, err = run([sigc, "convert"] + targs + [path, good])
            d = [x for x in diagnostics(err) if x[3] == "error" and os.path.basename(x[0]) == os.path.basename(path)]
            if not d or d[0][1] != want_line or d[0][4] not in ("yaml_encoding", "yaml_syntax"):
                rep.fail(T, ctx, val, "%s: want an error[yaml_encoding] at %s:%d, got %r" % (
                    tname, os.path.basename(path), want_line, d), None)
            if b"00000000-0000-4000-8000-99999999990" in out:
                rep.fail(T, ctx, val, "%s: the rule of the unreadable file was converted" % tname)
            if rc == 0:
                rep.fail(T, ctx, val, "%s: exit 0 with %s in the %s (%s)" % (
                    tname, "an escape" if escape else "raw bytes", place, d[0][5] if d else "-"))
            n += 1
    rep.count(T, "unreadable rule files refused (per target)", n)


# ---------------------------------------------------------------------------


def main(argv):
    ap = argparse.ArgumentParser(description="Escaping properties over random hostile values (see the file comment).")
    ap.add_argument("sigc")
    ap.add_argument("srcdir")
    ap.add_argument("shared", nargs="?", help="(unused; accepted for symmetry with the other tests)")
    ap.add_argument("--seed", type=int, default=int(os.environ.get("SIGC_PROPS_SEED", "20260408")))
    ap.add_argument("--cases", type=int, default=int(os.environ.get("SIGC_PROPS_CASES", "300")),
                    help="rules per target (default 300)")
    ap.add_argument("--target", action="append", choices=("kql", "spl", "suricata", "c", "yaml"))
    ap.add_argument("--keep", metavar="DIR", help="keep the generated files in DIR")
    args = ap.parse_args(argv)
    sigc = os.path.abspath(args.sigc)
    src = os.path.abspath(args.srcdir)
    targets = args.target or ["kql", "spl", "suricata", "c", "yaml"]
    rep = Report(args.seed)
    print("escaping properties: seed=%d, %d rules per target, targets %s (rerun: --seed %d)" %
          (args.seed, args.cases, " ".join(targets), args.seed), flush=True)
    tmp = args.keep or tempfile.mkdtemp(prefix="sigc-props-")
    os.makedirs(tmp, exist_ok=True)
    t0 = time.time()
    checks = {"kql": check_kql, "spl": check_spl, "suricata": check_suricata, "c": check_c}
    try:
        for k, t in enumerate(targets):
            t1 = time.time()
            rng = random.Random("%d:%s" % (args.seed, t))
            if t == "yaml":
                check_invalid_utf8(rep, sigc, tmp, rng)
            else:
                g = Gen(rng)
                cases = [gen_case(g, i, t) for i in range(args.cases)]
                fixed_cases(g, t, cases)
                checks[t](rep, sigc, src, tmp, cases, rng)
            print("  %s: %.1fs" % (t, time.time() - t1), flush=True)
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
    print("checked:")
    for t in targets:
        for what, n in sorted(rep.checked.get(t, {}).items()):
            print("  %-9s %6d %s" % (t, n, what))
    if rep.known:
        print("KNOWN FAILURES (not fixed here; each is a real failure of the property):")
        for (t, ctx, key), lines in sorted(rep.known.items()):
            print("  [%s %s %s] %d cases: %s" % (t, ctx, key, len(lines), KNOWN_FAILURES[(t, ctx, key)]))
            for line in lines[:3]:
                print("      e.g. " + line)
    unseen = [k for k in KNOWN_FAILURES if k not in rep.known and k[0] in targets]
    for t, ctx, key in unseen:
        print("  known failure [%s %s %s] not seen with this seed" % (t, ctx, key))
    for n in rep.notes:
        print("note: " + n)
    if len(rep.failures) > 200:
        print("... %d failures in all (first 200 shown)" % len(rep.failures))
    if rep.failures:
        print("failures by target and context:")
        for (t, ctx), n in sorted(rep.by_context.items()):
            print("  %-9s %-28s %d" % (t, ctx, n))
    print("seed %d: %d failures, %d known failures, %.1fs" % (args.seed, len(rep.failures),
                                                              sum(len(x) for x in rep.known.values()),
                                                              time.time() - t0))
    return 1 if rep.failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
