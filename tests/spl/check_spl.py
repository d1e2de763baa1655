#!/usr/bin/env python3
r"""check_spl.py - re-tokenize the SPL queries sigc emits and check them.

usage: check_spl.py [options] [LABEL=]FILE...

FILE is the output of `sigc convert -t spl -f json` (a JSON array of
{id, title, level, query, source}) or of `sigc convert -t spl` in the
default format (``` comment ``` header lines, then the query; records
separated by a blank line; the header comments are tokenized with the
query).  The format is recognised by the first byte (`[` is JSON) unless
--format says.  LABEL names the file in the report (default: its name).
Python 3 standard library; PyYAML only for the round trip.

What every query is checked for
--------------------------------
1. Tokens.  A real lexer for the subset of SPL sigc writes:
     ``` comment ```      no backtick, no control character, no line break
                          (C0, DEL, C1, U+2028/U+2029) and no bidi control
                          inside: sigc's comment function removes or escapes
                          them all;
     "string"             double-quoted; the only escapes are `\\` and `\"`
                          (sigc doubles every backslash, so any other `\x`
                          pair means a layer of escaping went missing); no
                          ASCII control character (C0 or DEL) inside;
     'field'              single-quoted field name (where/eval): no quote,
                          backslash, backtick, `*` or control character
                          (sigc refuses such names), not empty;
     ( ) [ ] , |          punctuation;
     = == != < <= > >=    comparison operators;
     words                runs of other printable ASCII (in where and eval
                          split again into numbers, names and + - * / % .).
   Outside quoted tokens and comments only printable ASCII, space and line
   feed may appear: a non-ASCII character, a tab, a CR or a lone backtick
   (a macro call) there is a failure.  Inside quoted tokens, backticks and
   non-ASCII (U+2028, U+202E ...) are data, as sigc's backend intends
   (its spl_quote_search_value comment: macros are not expanded inside
   quoted values); they are counted in `note` lines, not failed.
2. Structure.  Parentheses and brackets balance (quotes and comments are
   respected); the query splits into pipe commands at top-level `|` only
   (not inside quotes, comments, parentheses or brackets).
3. Commands.  The first command is the implied `search`, or a query that
   starts with `|` must start with `multisearch`; then only where, eval,
   rename, bin, stats, eventstats and search.  Inside a multisearch bracket (at
   least two brackets): an explicit `search` first, then only where and
   eval.  Any other command name is a failure.
4. Grammar of each command, parsed completely, for the forms sigc writes:
     search      term (AND|OR term)*, term = NOT term | ( ... ) | `*` |
                 FIELD op VALUE | FIELD IN (VALUE, ...); FIELD a bare
                 [A-Za-z_][A-Za-z0-9_.]* name (not AND/OR/NOT/IN/XOR) or a
                 "string"; VALUE a "string", a non-negative number, true,
                 false or `*`.  Juxtaposed terms (an implied AND) and bare
                 quoted terms are refused: sigc always writes AND and puts
                 keywords in where, so either means a value broke out of
                 its quotes.
     where       an eval expression: OR, AND, NOT, comparisons, + - * / %,
                 numbers, "strings", 'fields', bare names, and calls of the
                 functions sigc uses (match, like, cidrmatch, isnull,
                 isnotnull, tonumber, lower, len, substr, floor, if, null)
                 with their arities; match() and like() take one string
                 literal second, cidrmatch() one string literal first.
     eval        NAME=expr (, NAME=expr)*
     rename      "FIELD" AS NAME (, "FIELD" AS NAME)*
     bin         FIELD span=<N><s|m|h|d|mon>
     stats       func[(FIELD)] [as NAME] ... [by FIELD ...], func one of
                 count dc sum avg min max values exactpercNN
     eventstats  as stats (same statistics, names and by clause)
     multisearch [ search ... | where ... | eval ... ] [ ... ] ...

Round trip (needs PyYAML; --no-roundtrip or a missing PyYAML skips it)
-------------------------------------------------------------------------
Each record names its rule file (source: path:line) and id.  The rule
document is re-read with PyYAML's composer (YAML 1.1 typing, which sigc
follows) and, for every selection the condition references (by name, by
`1 of x*` / `all of x*` patterns, or `them`), each value whose meaning
sigc carries over unchanged is re-derived and looked for in the query.
For a correlation, the values of the rules it names in the same file are
looked for in its query.

  * a string (plain, contains, startswith, endswith, with all, neq, cased,
    windash -- the written value is one of windash's variants), and each
    keyword (a contains over _raw): its Sigma glob -- literal text, `*`,
    `?`, with `\*`, `\?` and `\\` read as literal characters, widened by
    the modifier -- must equal the glob read back from ONE token of the
    query: either a search value "string" (after unescaping `\\` and
    `\"`, each `*` a wildcard; only for a case-insensitive field value)
    or the regex literal of a match() (after the same unescaping, read as
    sigc's glob regex: optional (?i)/(?s)/(?is), ^, `.*`, `.`, escaped
    literals, \xHH, \z; its (?i) must agree with |cased);
  * a |re regex (flags i/m/s allowed): a match() regex literal equal to
    (?flags) + the regex, after unescaping;
  * a |cidr value: the string literal of a cidrmatch();
  * an integer (0x1F, 0777, +12, 1_000 as YAML 1.1 reads them): a bare
    number or a "string" in search, or the number in where;
  * a boolean: true/false in search, or "true"/"false" in where;
  * the empty string: an eval string literal "".
  With --same-fields LABEL (pipelines that keep Sigma field names, e.g.
  splunk-generic) the token's field must also be the Sigma field (_raw
  for keywords).  Not checked (counted as "not checked"): values under
  base64/base64offset/wide/utf16*/expand/fieldref/exists/lt/lte/gt/gte/
  time-part modifiers, floats, null, sexagesimal integers, and regex flag
  modifiers without |re.

What the round trip proves: each value checked went through escaping into
exactly one quoted token and reads back to exactly the Sigma value under
the unescaping rules above -- it was not split across tokens, truncated,
merged with a neighbour, double- or under-escaped, or lost.  What it does
not prove: that the token sits under the right boolean operator or field
(unless --same-fields), that the values not checked are right, or that
Splunk's own lexer agrees with this one (the rules here are the Splunk
documentation's, which sigc's backend follows).  Rules sigc did not
convert are not looked at.

Report: one FAIL line per problem -- label, rule id, cmd= the pipe command
(`[x]` inside a multisearch bracket is reported as multisearch), offset=
into the query (`-` for a round-trip miss), the message, then an excerpt
with `>>>` at the offset (line feeds shown as \n, other control and
non-ASCII characters as \xHH/\uXXXX).  Then a summary line per file and
`N passed, M failed` (queries); exit status 1 on any failure, 2 on usage
errors.
"""

import argparse
import fnmatch
import json
import os
import re
import sys

# ---------------------------------------------------------------------------
# Tokens


class Tok:
    __slots__ = ("kind", "text", "value", "pos", "end")

    def __init__(self, kind, text, value, pos, end):
        self.kind = kind  # STR FIELD COMMENT LP RP LB RB OP COMMA PIPE WORD
        self.text = text  # the source text
        self.value = value  # decoded content (STR, FIELD, COMMENT)
        self.pos = pos
        self.end = end

    def __repr__(self):
        return "%s(%r)@%d" % (self.kind, self.text, self.pos)

    def is_word(self, *words):
        return self.kind == "WORD" and self.text in words

    def is_op(self, *ops):
        return self.kind == "OP" and self.text in ops


class SplError(Exception):
    def __init__(self, pos, msg):
        Exception.__init__(self, msg)
        self.pos = pos
        self.msg = msg


PUNCT = {"(": "LP", ")": "RP", "[": "LB", "]": "RB", ",": "COMMA", "|": "PIPE"}
WORD_STOP = set(" \n\"'()[],|=!<>`")
BIDI = {0x061C, 0x200E, 0x200F, 0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069}

UNICODE_NOTE = BIDI | {0x85, 0x2028, 0x2029, 0xFEFF}
# what sigc never writes in a field name (spl_field_writable): no escape
# exists for them, or `*` would be a field wildcard
FIELD_BAD = set('"\\`*')


def is_ascii_ctl(ch):
    o = ord(ch)
    return o < 0x20 or o == 0x7F


def describe(ch):
    return "U+%04X" % ord(ch) if ch not in "\"\\`*" else repr(ch)


def lex(q):
    """The tokens of q; raises SplError at the first lexical error, with the
    tokens read so far in err.tokens."""
    toks = []
    i, n = 0, len(q)
    try:
        while i < n:
            c = q[i]
            if c in " \n":
                i += 1
            elif q.startswith("```", i):
                j = q.find("```", i + 3)
                if j < 0:
                    raise SplError(i, "unterminated ``` comment")
                body = q[i + 3 : j]
                for k, ch in enumerate(body):
                    o = ord(ch)
                    if ch == "`":
                        raise SplError(i + 3 + k, "backtick inside a comment")
                    if o < 0x20 or 0x7F <= o < 0xA0 or o in (0x2028, 0x2029):
                        raise SplError(i + 3 + k, "control character or line break %s inside a comment" % describe(ch))
                    if o in BIDI:
                        raise SplError(i + 3 + k, "bidi control %s inside a comment" % describe(ch))
                toks.append(Tok("COMMENT", q[i : j + 3], body, i, j + 3))
                i = j + 3
            elif c == "`":
                raise SplError(i, "backtick outside a comment (a macro call)")
            elif c == '"':
                j = i + 1
                out = []
                while True:
                    if j >= n:
                        raise SplError(i, "unterminated double-quoted string")
                    ch = q[j]
                    if ch == '"':
                        break
                    if ch == "\\":
                        if j + 1 >= n:
                            raise SplError(i, "unterminated double-quoted string (ends in a backslash)")
                        nx = q[j + 1]
                        if nx not in '\\"':
                            raise SplError(j, "escape \\%s inside a string: sigc writes only \\\\ and \\\"" % (
                                nx if not is_ascii_ctl(nx) else describe(nx)))
                        out.append(nx)
                        j += 2
                        continue
                    if is_ascii_ctl(ch):
                        raise SplError(j, "raw control character %s inside a quoted string" % describe(ch))
                    out.append(ch)
                    j += 1
                toks.append(Tok("STR", q[i : j + 1], "".join(out), i, j + 1))
                i = j + 1
            elif c == "'":
                j = q.find("'", i + 1)
                if j < 0:
                    raise SplError(i, "unterminated single-quoted field name")
                body = q[i + 1 : j]
                if not body:
                    raise SplError(i, "empty single-quoted field name")
                for k, ch in enumerate(body):
                    if ch in FIELD_BAD or is_ascii_ctl(ch):
                        raise SplError(i + 1 + k, "%s inside a single-quoted field name" % describe(ch))
                toks.append(Tok("FIELD", q[i : j + 1], body, i, j + 1))
                i = j + 1
            elif c in PUNCT:
                toks.append(Tok(PUNCT[c], c, None, i, i + 1))
                i += 1
            elif c in "=!<>":
                two = q[i : i + 2]
                if two in ("==", "!=", "<=", ">="):
                    toks.append(Tok("OP", two, None, i, i + 2))
                    i += 2
                elif c == "!":
                    raise SplError(i, "lone '!'")
                else:
                    toks.append(Tok("OP", c, None, i, i + 1))
                    i += 1
            elif 0x21 <= ord(c) <= 0x7E:
                j = i
                while j < n and q[j] not in WORD_STOP and 0x21 <= ord(q[j]) <= 0x7E:
                    j += 1
                toks.append(Tok("WORD", q[i:j], None, i, j))
                i = j
            else:
                what = "control character" if is_ascii_ctl(c) or 0x80 <= ord(c) < 0xA0 else "non-ASCII character"
                raise SplError(i, "%s %s outside a quoted token" % (what, describe(c)))
    except SplError as e:
        e.tokens = toks
        raise
    return toks


CLOSE = {"LP": "RP", "LB": "RB"}


def check_balance(toks):
    stack = []
    for t in toks:
        if t.kind in CLOSE:
            stack.append(t)
        elif t.kind in ("RP", "RB"):
            if not stack:
                raise SplError(t.pos, "unmatched %r" % t.text)
            o = stack.pop()
            if CLOSE[o.kind] != t.kind:
                raise SplError(t.pos, "%r closes %r opened at offset %d" % (t.text, o.text, o.pos))
    if stack:
        raise SplError(stack[-1].pos, "%r is never closed" % stack[-1].text)


def split_pipes(toks):
    """Splits at `|` outside parentheses and brackets: a list of token lists
    (the first one empty when toks starts with `|`) and the pipe tokens."""
    parts, cur, depth, pipes = [], [], 0, []
    for t in toks:
        if t.kind in ("LP", "LB"):
            depth += 1
        elif t.kind in ("RP", "RB"):
            depth -= 1
        if t.kind == "PIPE" and depth == 0:
            parts.append(cur)
            pipes.append(t)
            cur = []
        else:
            cur.append(t)
    parts.append(cur)
    return parts, pipes


# ---------------------------------------------------------------------------
# Parsers


BARE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*\Z")
EVAL_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
RESERVED = {"AND", "OR", "NOT", "IN", "XOR"}
SEARCH_WORD_VALUE = re.compile(r"(\d+(\.\d+)?|true|false|\*)\Z")
SPAN = re.compile(r"\d+(s|m|h|d|mon)\Z")
STATS_FUNCS = re.compile(r"(count|dc|sum|avg|min|max|values|exactperc\d{1,2})\Z")
# name -> (min args, max args)
EVAL_FUNCS = {
    "match": (2, 2),
    "like": (2, 2),
    "cidrmatch": (2, 2),
    "isnull": (1, 1),
    "isnotnull": (1, 1),
    "tonumber": (1, 1),
    "lower": (1, 1),
    "len": (1, 1),
    "substr": (2, 3),
    "floor": (1, 1),
    "if": (3, 3),
    "null": (0, 0),
}
SUBLEX = re.compile(r"(?P<num>\d+(?:\.\d+)?)|(?P<name>[A-Za-z_][A-Za-z0-9_]*)|(?P<op>[-+*/%.])")


class Facts:
    """What a query holds, for the round trip."""

    def __init__(self):
        self.search_strs = []  # (field, decoded value)
        self.search_words = []  # (field, word)
        self.regexes = []  # (field, decoded regex) of match()
        self.likes = []  # (field, decoded pattern)
        self.cidrs = []  # (field, decoded)
        self.eval_strs = []  # every string literal in where/eval
        self.eval_numbers = []  # number texts in where/eval


class Cursor:
    def __init__(self, toks, end_pos):
        self.toks = toks
        self.i = 0
        self.end_pos = end_pos

    def peek(self, k=0):
        j = self.i + k
        return self.toks[j] if j < len(self.toks) else None

    def at_end(self):
        return self.i >= len(self.toks)

    def next(self, what):
        t = self.peek()
        if t is None:
            raise SplError(self.end_pos, "expected %s, found the end of the command" % what)
        self.i += 1
        return t

    def expect(self, kind, what):
        t = self.next(what)
        if t.kind != kind:
            raise SplError(t.pos, "expected %s, found %r" % (what, t.text))
        return t


def field_name(t):
    """A field in search position: bare word or "string"; None otherwise."""
    if t.kind == "STR":
        return t.value
    if t.kind == "WORD" and BARE_NAME.match(t.text) and t.text.upper() not in RESERVED:
        return t.text
    return None


def parse_search(toks, facts, end_pos, allow_star=True):
    if not toks:
        raise SplError(end_pos, "empty search")
    c = Cursor(toks, end_pos)
    if allow_star and len(toks) == 1 and toks[0].is_word("*"):
        return
    s_expr(c, facts)
    if not c.at_end():
        t = c.peek()
        raise SplError(t.pos, "unexpected %r after a complete search expression" % t.text)


def s_expr(c, facts):
    s_term(c, facts)
    while not c.at_end() and c.peek().kind != "RP":
        t = c.next("AND or OR")
        if not t.is_word("AND", "OR"):
            raise SplError(t.pos, "expected AND or OR between search terms, found %r" % t.text)
        s_term(c, facts)


def s_value(c, facts, field):
    t = c.next("a value")
    if t.kind == "STR":
        facts.search_strs.append((field, t.value))
    elif t.kind == "WORD" and SEARCH_WORD_VALUE.match(t.text):
        facts.search_words.append((field, t.text))
    else:
        raise SplError(t.pos, "a search value must be a quoted string, a number, true, false or *; found %r" % t.text)


def s_term(c, facts):
    t = c.next("a search term")
    if t.is_word("NOT"):
        s_term(c, facts)
        return
    if t.kind == "LP":
        s_expr(c, facts)
        c.expect("RP", "')'")
        return
    if t.is_word("*"):
        return
    f = field_name(t)
    if f is None:
        raise SplError(t.pos, "expected a search term, found %r" % t.text)
    bad = [ch for ch in f if ch in FIELD_BAD]
    if bad and c.peek() is not None and (c.peek().kind == "OP" or c.peek().is_word("IN")):
        raise SplError(t.pos, "%s in the quoted field name %r" % (describe(bad[0]), f))
    op = c.next("an operator after field %r" % f)
    if op.is_op("=", "!=", "<", "<=", ">", ">="):
        s_value(c, facts, f)
    elif op.is_word("IN"):
        c.expect("LP", "'(' after IN")
        s_value(c, facts, f)
        while c.peek() is not None and c.peek().kind == "COMMA":
            c.next(",")
            s_value(c, facts, f)
        c.expect("RP", "')' closing the IN list")
    elif t.kind == "STR":
        raise SplError(t.pos, "a bare quoted search term: sigc writes no search keywords")
    else:
        raise SplError(op.pos, "expected an operator or IN after field %r, found %r" % (f, op.text))


def eval_tokens(toks):
    """Eval syntax reads words differently: split them into numbers, names
    and arithmetic operators."""
    out = []
    for t in toks:
        if t.kind != "WORD":
            out.append(t)
            continue
        k = 0
        while k < len(t.text):
            m = SUBLEX.match(t.text, k)
            if not m:
                raise SplError(t.pos + k, "unexpected %r in an eval expression" % t.text[k])
            kind = "NUM" if m.group("num") else "NAME" if m.group("name") else "AOP"
            out.append(Tok(kind, m.group(0), None, t.pos + k, t.pos + m.end()))
            k = m.end()
    return out


def e_expr(c, facts):
    e_and(c, facts)
    while c.peek() is not None and c.peek().kind == "NAME" and c.peek().text == "OR":
        c.next("OR")
        e_and(c, facts)


def e_and(c, facts):
    e_not(c, facts)
    while c.peek() is not None and c.peek().kind == "NAME" and c.peek().text == "AND":
        c.next("AND")
        e_not(c, facts)


def e_not(c, facts):
    t = c.peek()
    if t is not None and t.kind == "NAME" and t.text == "NOT":
        c.next("NOT")
        e_not(c, facts)
        return
    e_add(c, facts)
    t = c.peek()
    if t is not None and t.is_op("==", "!=", "<", "<=", ">", ">=", "="):
        c.next("operator")
        e_add(c, facts)


def e_add(c, facts):
    e_mul(c, facts)
    while c.peek() is not None and c.peek().kind == "AOP" and c.peek().text in "+-.":
        c.next("operator")
        e_mul(c, facts)


def e_mul(c, facts):
    e_unary(c, facts)
    while c.peek() is not None and c.peek().kind == "AOP" and c.peek().text in "*/%":
        c.next("operator")
        e_unary(c, facts)


def e_unary(c, facts):
    t = c.peek()
    if t is not None and t.kind == "AOP" and t.text == "-":
        c.next("-")
        e_unary(c, facts)
        return
    e_primary(c, facts)


def e_field_of(t):
    if t.kind == "FIELD":
        return t.value
    if t.kind == "NAME":
        return t.text
    return None


def e_primary(c, facts):
    t = c.next("an operand")
    if t.kind == "NUM":
        facts.eval_numbers.append(t.text)
        return
    if t.kind == "STR":
        facts.eval_strs.append(t.value)
        return
    if t.kind == "FIELD":
        return
    if t.kind == "LP":
        e_expr(c, facts)
        c.expect("RP", "')'")
        return
    if t.kind == "NAME":
        if t.text in ("AND", "OR", "NOT"):
            raise SplError(t.pos, "%s where an operand belongs" % t.text)
        nx = c.peek()
        if nx is None or nx.kind != "LP":
            return  # a bare field name
        if t.text not in EVAL_FUNCS:
            raise SplError(t.pos, "unknown eval function %r" % t.text)
        c.next("(")
        args = []
        more = True
        if c.peek() is not None and c.peek().kind == "RP":
            c.next(")")  # no arguments: null()
            more = False
        while more:
            start = c.i
            e_expr(c, facts)
            args.append(c.toks[start : c.i])
            sep = c.next("',' or ')'")
            if sep.kind == "RP":
                break
            if sep.kind != "COMMA":
                raise SplError(sep.pos, "expected ',' or ')' in the arguments of %s(), found %r" % (t.text, sep.text))
        lo, hi = EVAL_FUNCS[t.text]
        if not lo <= len(args) <= hi:
            raise SplError(t.pos, "%s() takes %d to %d arguments, found %d" % (t.text, lo, hi, len(args)))
        one = [a[0] if len(a) == 1 else None for a in args]
        if t.text in ("match", "like"):
            if one[1] is None or one[1].kind != "STR":
                raise SplError(t.pos, "the pattern of %s() must be one string literal" % t.text)
            (facts.regexes if t.text == "match" else facts.likes).append(
                (e_field_of(one[0]) if one[0] is not None else None, one[1].value))
        elif t.text == "cidrmatch":
            if one[0] is None or one[0].kind != "STR":
                raise SplError(t.pos, "the subnet of cidrmatch() must be one string literal")
            facts.cidrs.append((e_field_of(one[1]) if one[1] is not None else None, one[0].value))
        return
    raise SplError(t.pos, "unexpected %r in an eval expression" % t.text)


def parse_where(toks, facts, end_pos):
    c = Cursor(eval_tokens(toks), end_pos)
    e_expr(c, facts)
    if not c.at_end():
        t = c.peek()
        raise SplError(t.pos, "unexpected %r after a complete where expression" % t.text)


def parse_eval(toks, facts, end_pos):
    c = Cursor(eval_tokens(toks), end_pos)
    while True:
        name = c.next("a field to assign")
        if name.kind != "NAME":
            raise SplError(name.pos, "eval assigns to a bare field name, found %r" % name.text)
        eq = c.next("'='")
        if not eq.is_op("="):
            raise SplError(eq.pos, "expected '=' after %r, found %r" % (name.text, eq.text))
        e_expr(c, facts)
        if c.at_end():
            return
        sep = c.next("','")
        if sep.kind != "COMMA":
            raise SplError(sep.pos, "expected ',' between eval assignments, found %r" % sep.text)


def parse_bin(toks, facts, end_pos):
    c = Cursor(toks, end_pos)
    f = c.next("a field")
    if f.kind != "WORD" or not BARE_NAME.match(f.text):
        raise SplError(f.pos, "bin needs a bare field name, found %r" % f.text)
    while not c.at_end():
        k = c.next("an option")
        eq = c.next("'='")
        v = c.next("a value")
        if not (k.is_word("span") and eq.is_op("=") and v.kind == "WORD" and SPAN.match(v.text)):
            raise SplError(k.pos, "bin takes span=<N><s|m|h|d|mon> only")


def parse_stats(toks, facts, end_pos):
    c = Cursor(toks, end_pos)
    n = 0
    while not c.at_end() and not c.peek().is_word("by"):
        if n and c.peek().kind == "COMMA":
            c.next(",")
        f = c.next("a statistic")
        if f.kind != "WORD" or not STATS_FUNCS.match(f.text):
            raise SplError(f.pos, "unknown stats function %r" % f.text)
        if c.peek() is not None and c.peek().kind == "LP":
            c.next("(")
            a = c.next("a field")
            if a.kind != "WORD" or not BARE_NAME.match(a.text):
                raise SplError(a.pos, "stats functions take a bare field name, found %r" % a.text)
            c.expect("RP", "')'")
        elif f.text != "count":
            raise SplError(f.pos, "%s needs a field" % f.text)
        if c.peek() is not None and c.peek().is_word("as"):
            c.next("as")
            a = c.next("a name")
            if a.kind != "WORD" or not BARE_NAME.match(a.text):
                raise SplError(a.pos, "a stats result name must be bare, found %r" % a.text)
        n += 1
    if not n:
        raise SplError(toks[0].pos if toks else end_pos, "stats without a statistic")
    if not c.at_end():
        c.next("by")
        if c.at_end():
            raise SplError(end_pos, "by without fields")
        while not c.at_end():
            a = c.next("a field")
            if a.kind != "WORD" or not BARE_NAME.match(a.text):
                raise SplError(a.pos, "stats groups by bare field names, found %r" % a.text)


def parse_rename(toks, facts, end_pos):
    """rename "F" AS NAME (, "F" AS NAME)*: sigc renames fields that are not
    bare before stats; the old name quoted, the new one bare."""
    c = Cursor(toks, end_pos)
    while True:
        old = c.next("a field to rename")
        if old.kind != "STR":
            raise SplError(old.pos, "rename takes a \"quoted\" field name, found %r" % old.text)
        kw = c.next("AS")
        if not (kw.kind == "WORD" and kw.text == "AS"):
            raise SplError(kw.pos, "expected AS after the renamed field, found %r" % kw.text)
        new = c.next("a new name")
        if new.kind != "WORD" or not BARE_NAME.match(new.text):
            raise SplError(new.pos, "a field is renamed to a bare name, found %r" % new.text)
        if c.at_end():
            return
        sep = c.next("','")
        if sep.kind != "COMMA":
            raise SplError(sep.pos, "expected ',' between renames, found %r" % sep.text)


COMMANDS = {
    "rename": parse_rename,
    "where": parse_where,
    "eval": parse_eval,
    "bin": parse_bin,
    "stats": parse_stats,
    "eventstats": parse_stats,
    "search": lambda toks, facts, end: parse_search(toks, facts, end, allow_star=False),
}
STREAMING = {"search", "where", "eval"}


class QueryCheck:
    """Checks one query; failures are (command, offset, message)."""

    def __init__(self, q):
        self.q = q
        self.facts = Facts()
        self.failures = []
        self.commands = []  # names, in order
        self.notes = {}  # what is data by design but worth counting

    def fail(self, cmd, pos, msg):
        self.failures.append((cmd, pos, msg))

    def run(self):
        try:
            toks = lex(self.q)
        except SplError as e:
            parts, _ = split_pipes([t for t in e.tokens if t.kind != "COMMENT"])
            last = parts[-1]
            cmd = "search" if len(parts) == 1 else (last[0].text if last else "?")
            self.fail(cmd, e.pos, e.msg)
            return
        for t in toks:
            if t.kind in ("STR", "FIELD"):
                if "`" in t.value:
                    key = "quoted tokens with a backtick"
                    self.notes[key] = self.notes.get(key, 0) + 1
                if any(ord(ch) in UNICODE_NOTE for ch in t.value):
                    key = "quoted tokens with U+0085, U+2028, U+2029, U+FEFF or a bidi control"
                    self.notes[key] = self.notes.get(key, 0) + 1
        toks = [t for t in toks if t.kind != "COMMENT"]
        if not toks:
            self.fail("search", 0, "empty query")
            return
        try:
            check_balance(toks)
        except SplError as e:
            self.fail("-", e.pos, e.msg)
            return
        parts, pipes = split_pipes(toks)
        for k, part in enumerate(parts):
            end = pipes[k].pos if k < len(pipes) else len(self.q)
            if k == 0:
                if not part:
                    if len(parts) < 2 or not parts[1] or not parts[1][0].is_word("multisearch"):
                        self.fail("-", 0, "a query starting with '|' must start with multisearch")
                        return
                    continue
                self.commands.append("search")
                self.safely("search", lambda: parse_search(part, self.facts, end))
                continue
            if not part:
                self.fail("?", pipes[k - 1].pos, "empty pipe command")
                continue
            name = part[0]
            if name.kind != "WORD":
                self.fail("?", name.pos, "expected a command name, found %r" % name.text)
                continue
            self.commands.append(name.text)
            if name.text == "multisearch":
                if k != 1 or parts[0]:
                    self.fail("multisearch", name.pos, "multisearch must be the first command")
                    continue
                self.safely("multisearch", lambda: self.multisearch(part[1:], end))
                continue
            fn = COMMANDS.get(name.text)
            if fn is None:
                self.fail(name.text, name.pos, "unknown command %r" % name.text)
                continue
            self.safely(name.text, lambda: fn(part[1:], self.facts, end))

    def safely(self, cmd, f):
        try:
            f()
        except SplError as e:
            self.fail(cmd, e.pos, e.msg)

    def multisearch(self, toks, end):
        c = Cursor(toks, end)
        n = 0
        while not c.at_end():
            lb = c.expect("LB", "'[' opening a subsearch")
            depth, start = 1, c.i
            while depth:
                t = c.next("']'")
                if t.kind in ("LB", "LP"):
                    depth += 1
                elif t.kind in ("RB", "RP"):
                    depth -= 1
            inner = toks[start : c.i - 1]
            rb = toks[c.i - 1]
            n += 1
            subs, pipes = split_pipes(inner)
            for k, sub in enumerate(subs):
                send = pipes[k].pos if k < len(pipes) else rb.pos
                if not sub:
                    raise SplError(lb.pos, "empty command inside a multisearch bracket")
                name = sub[0]
                if k == 0 and not name.is_word("search"):
                    raise SplError(name.pos, "a multisearch bracket must start with an explicit search")
                if name.kind != "WORD" or name.text not in STREAMING:
                    raise SplError(name.pos, "command %r inside multisearch (only search, where, eval)" % name.text)
                self.commands.append("[%s]" % name.text)
                if name.text == "search":
                    if k:
                        raise SplError(name.pos, "a second search inside a multisearch bracket")
                    parse_search(sub[1:], self.facts, send)
                else:
                    COMMANDS[name.text](sub[1:], self.facts, send)
        if n < 2:
            raise SplError(toks[0].pos if toks else end, "multisearch needs at least two subsearches, found %d" % n)


# ---------------------------------------------------------------------------
# Round trip against the Sigma rule

STAR, ONE = ("*",), ("?",)


def glob_norm(parts):
    out = []
    for p in parts:
        if isinstance(p, str):
            if not p:
                continue
            if out and isinstance(out[-1], str):
                out[-1] += p
                continue
        elif p == STAR and out and out[-1] == STAR:
            continue
        out.append(p)
    return tuple(out)


def sigma_glob(s):
    """Sigma's string: `*` and `?` wildcards; a backslash escapes `*`, `?`
    and a backslash, and is literal before anything else."""
    parts, lit, i = [], [], 0
    while i < len(s):
        ch = s[i]
        if ch == "\\" and i + 1 < len(s) and s[i + 1] in "*?\\":
            lit.append(s[i + 1])
            i += 2
            continue
        if ch in "*?":
            parts.append("".join(lit))
            lit = []
            parts.append(STAR if ch == "*" else ONE)
        else:
            lit.append(ch)
        i += 1
    parts.append("".join(lit))
    return glob_norm(parts)


def search_glob(v):
    """A search value: every `*` is the wildcard."""
    parts = []
    for k, piece in enumerate(v.split("*")):
        if k:
            parts.append(STAR)
        parts.append(piece)
    return glob_norm(parts)


GLOB_FLAGS = re.compile(r"\(\?([is]+)\)")


def regex_glob(r):
    """sigc's glob regex read back: (flags, glob), or None when r is not
    one (a |re regex, say)."""
    flags = ""
    m = GLOB_FLAGS.match(r)
    if m:
        flags = m.group(1)
        r = r[m.end() :]
    parts = []
    i, n = 0, len(r)
    if r.startswith("^"):
        i = 1
    else:
        parts.append(STAR)
    anchored_end = False
    while i < n:
        ch = r[i]
        if ch == "\\":
            if i + 1 >= n:
                return None
            nx = r[i + 1]
            if nx == "x":
                h = r[i + 2 : i + 4]
                if not re.fullmatch(r"[0-9a-fA-F]{2}", h):
                    return None
                parts.append(chr(int(h, 16)))
                i += 4
                continue
            if nx == "z" and i + 2 == n:
                anchored_end = True
                i += 2
                continue
            if nx.isalnum():
                return None
            parts.append(nx)
            i += 2
        elif r.startswith(".*", i):
            parts.append(STAR)
            i += 2
        elif ch == ".":
            parts.append(ONE)
            i += 1
        elif ch in "()[]{}+?*|$^":
            return None
        else:
            parts.append(ch)
            i += 1
    if not anchored_end:
        parts.append(STAR)
    return flags, glob_norm(parts)


SKIP_MODS = {"base64", "base64offset", "wide", "utf16le", "utf16be", "utf16", "expand", "fieldref", "exists",
             "lt", "lte", "gt", "gte", "minute", "hour", "day", "week", "month", "year"}
GLOB_MODS = {"contains", "startswith", "endswith", "all", "cased", "neq", "windash"}
REGEX_FLAG_MODS = {"i", "ignorecase", "m", "multiline", "s", "dotall"}
STR_TAG = "tag:yaml.org,2002:str"
INT_TAG = "tag:yaml.org,2002:int"
BOOL_TAG = "tag:yaml.org,2002:bool"


class Expectation:
    def __init__(self, kind, field, value, mods, node):
        self.kind = kind  # glob, re, cidr, int, bool, empty
        self.field = field  # Sigma field; None for keywords
        self.value = value  # the YAML value (str, or int text)
        self.mods = mods
        self.line = node.start_mark.line + 1
        self.cased = "cased" in mods
        if kind == "glob":
            g = sigma_glob(value)
            if "contains" in mods or field is None:
                g = glob_norm((STAR,) + g + (STAR,))
            elif "startswith" in mods:
                g = glob_norm(g + (STAR,))
            elif "endswith" in mods:
                g = glob_norm((STAR,) + g)
            self.glob = g

    def describe(self):
        f = self.field if self.field is not None else "(keyword)"
        m = "|".join(self.mods)
        return "%s%s: %s (line %d)" % (f, "|" + m if m else "", json.dumps(self.value, ensure_ascii=True), self.line)


def scalar_expectation(node, field, mods):
    import yaml

    if not isinstance(node, yaml.ScalarNode):
        return None
    plain_null = node.tag == "tag:yaml.org,2002:null"
    if plain_null:
        return None
    mset = set(mods)
    if mset & SKIP_MODS:
        return None
    if "re" in mset:
        return Expectation("re", field, node.value, mods, node) if node.tag == STR_TAG else None
    if "cidr" in mset:
        return Expectation("cidr", field, node.value, mods, node) if node.tag == STR_TAG else None
    if not mset <= GLOB_MODS:
        return None
    if node.tag == INT_TAG and field is None and not mset:
        return Expectation("glob", None, node.value, mods, node)  # a keyword is text
    if node.tag == INT_TAG:
        # 0x1F, 0777, +12, 1_000 as PyYAML reads them; sexagesimal 1:30
        # (which sigc keeps as a string) is left out
        if ":" in node.value or mset:
            return None
        return Expectation("int", field, str(yaml.safe_load(node.value)), mods, node)
    if node.tag == BOOL_TAG:
        if mset or field is None:
            return None
        return Expectation("bool", field, "true" if yaml.safe_load(node.value) else "false", mods, node)
    if node.tag != STR_TAG:
        return None
    if node.value == "":
        return Expectation("empty", field, "", mods, node) if field is not None and not mset else None
    return Expectation("glob", field, node.value, mods, node)


def mapping(node):
    import yaml

    if not isinstance(node, yaml.MappingNode):
        return {}
    return {k.value: v for k, v in node.value if isinstance(k, yaml.ScalarNode)}


def detection_expectations(doc, siblings=()):
    """The expectations of one rule document (a yaml MappingNode); for a
    correlation, those of the rules it names among siblings (the documents
    of its file)."""
    import yaml

    top = mapping(doc)
    corr = mapping(top.get("correlation"))
    if corr:
        rules = corr.get("rules")
        names = [r.value for r in rules.value] if isinstance(rules, yaml.SequenceNode) else []
        exps = []
        for d in siblings:
            m = mapping(d)
            ident = [m[k].value for k in ("name", "id") if isinstance(m.get(k), yaml.ScalarNode)]
            if d is not doc and any(i in names for i in ident) and "correlation" not in m:
                exps += detection_expectations(d)
        return exps
    det = top.get("detection")
    if not isinstance(det, yaml.MappingNode):
        return []
    items = {k.value: v for k, v in det.value if isinstance(k, yaml.ScalarNode)}
    cond = items.get("condition")
    conds = []
    if isinstance(cond, yaml.ScalarNode):
        conds = [cond.value]
    elif isinstance(cond, yaml.SequenceNode):
        conds = [c.value for c in cond.value if isinstance(c, yaml.ScalarNode)]
    words = []
    for c in conds:
        words += re.findall(r"[^\s()]+", c.split("|", 1)[0])
    exps = []
    for name, node in items.items():
        if name in ("condition", "timeframe"):
            continue
        used = name in words or ("them" in words and not name.startswith("_"))
        for k, w in enumerate(words):
            if k and words[k - 1] == "of" and "*" in w and fnmatch.fnmatchcase(name, w):
                used = True
        if not used:
            continue
        walk_selection(node, exps)
    return exps


def walk_selection(node, exps):
    """Appends an Expectation per value, None for a value not checked."""
    import yaml

    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if not isinstance(k, yaml.ScalarNode):
                continue
            parts = k.value.split("|")
            field, mods = parts[0] or None, [m for m in parts[1:] if m not in REGEX_FLAG_MODS]
            vals = v.value if isinstance(v, yaml.SequenceNode) else [v]
            if any(m in REGEX_FLAG_MODS for m in parts[1:]) and "re" not in mods:
                exps += [None] * len(vals)
                continue
            for x in vals:
                exps.append(scalar_expectation(x, field, mods))
    elif isinstance(node, yaml.SequenceNode):
        for x in node.value:
            if isinstance(x, yaml.MappingNode):
                walk_selection(x, exps)
            else:
                exps.append(scalar_expectation(x, None, []))
    elif isinstance(node, yaml.ScalarNode):
        exps.append(scalar_expectation(node, None, []))


def field_ok(want, got, same_fields):
    if not same_fields:
        return True
    return got == (want if want is not None else "_raw")


def fact_index(facts):
    """Globs of the search values and match() regexes, computed once per
    query: {glob: [(field, case-insensitive)]}."""
    idx = getattr(facts, "index", None)
    if idx is None:
        idx = {}
        for f, v in facts.search_strs:
            idx.setdefault(search_glob(v), []).append((f, True, "search"))
        for f, w in facts.search_words:
            if w == "*":
                idx.setdefault((STAR,), []).append((f, True, "search"))
        for f, r in facts.regexes:
            g = regex_glob(r)
            if g:
                idx.setdefault(g[1], []).append((f, "i" in g[0], "match"))
        facts.index = idx
    return idx


def find_expectation(e, facts, same_fields):
    if e.kind == "glob":
        for f, icase, where in fact_index(facts).get(e.glob, ()):
            if not field_ok(e.field, f, same_fields):
                continue
            if where == "search" and e.field is not None and not e.cased:
                return True
            if where == "match" and icase == (not e.cased):
                return True
        return False
    if e.kind == "re":
        for f, r in facts.regexes:
            if r.endswith(e.value) and re.fullmatch(r"(\(\?[ims]+\))?", r[: len(r) - len(e.value)]):
                if field_ok(e.field, f, same_fields):
                    return True
        return False
    if e.kind == "cidr":
        return any(v == e.value and field_ok(e.field, f, same_fields) for f, v in facts.cidrs)
    if e.kind == "int":
        if any(w == e.value and field_ok(e.field, f, same_fields) for f, w in facts.search_words):
            return True
        if any(v == e.value and field_ok(e.field, f, same_fields) for f, v in facts.search_strs):
            return True
        return e.value.lstrip("-") in facts.eval_numbers
    if e.kind == "bool":
        if any(w == e.value and field_ok(e.field, f, same_fields) for f, w in facts.search_words):
            return True
        return e.value in facts.eval_strs
    if e.kind == "empty":
        return "" in facts.eval_strs
    return False


class RuleFiles:
    """Rule documents by path, composed once."""

    def __init__(self):
        import yaml

        self.yaml = yaml
        self.loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        self.cache = {}

    def documents(self, path):
        return self.cache.get(path, [])

    def document(self, path, rid, line):
        docs = self.cache.get(path)
        if docs is None:
            try:
                with open(path, "rb") as fh:
                    docs = [d for d in self.yaml.compose_all(fh, Loader=self.loader) if d is not None]
            except (OSError, self.yaml.YAMLError):
                docs = []
            self.cache[path] = docs
        for d in docs:
            if not isinstance(d, self.yaml.MappingNode):
                continue
            for k, v in d.value:
                if k.value == "id" and isinstance(v, self.yaml.ScalarNode) and rid and v.value == rid:
                    return d
        for d in docs:
            if d.start_mark.line + 1 == line:
                return d
        return None


# ---------------------------------------------------------------------------
# Driver


def shown(s):
    """Query text for a report line: as is, but line feeds as \\n and other
    control or non-ASCII characters as \\xHH / \\uXXXX."""
    out = []
    for ch in s:
        o = ord(ch)
        if ch == "\n":
            out.append("\\n")
        elif o < 0x20 or o == 0x7F:
            out.append("\\x%02x" % o)
        elif o >= 0x80:
            out.append("\\u%04X" % o if o <= 0xFFFF else "\\U%08X" % o)
        else:
            out.append(ch)
    return "".join(out)


def excerpt(q, pos, width=40):
    a, b = max(0, pos - width), min(len(q), pos + width)
    return ("..." if a else "") + shown(q[a:pos]) + " >>>" + shown(q[pos:b]) + ("..." if b < len(q) else "")


def read_records(path, fmt):
    text = sys.stdin.read() if path == "-" else open(path, encoding="utf-8", newline="").read()
    if fmt == "auto":
        fmt = "json" if text.lstrip().startswith("[") else "default"
    if fmt == "json":
        data = json.loads(text)
        if not isinstance(data, list):
            raise ValueError("%s: not a JSON array" % path)
        return data
    records = []
    for chunk in text.split("\n\n"):
        if not chunk.strip("\n"):
            continue
        m = re.match(r"``` id: (.*?) ```\n", chunk)
        s = re.search(r"^``` source: (.*):(\d+) ```$", chunk, re.M)
        records.append({"id": m.group(1) if m else "?", "query": chunk.rstrip("\n"),
                        "source": "%s:%s" % (s.group(1), s.group(2)) if s else ""})
    return records


def main(argv):
    ap = argparse.ArgumentParser(description="Re-tokenize sigc's SPL output and check it (see the file comment).")
    ap.add_argument("inputs", nargs="+", metavar="[LABEL=]FILE")
    ap.add_argument("--format", choices=("auto", "json", "default"), default="auto",
                    help="input format (default auto: JSON when the file starts with '[')")
    ap.add_argument("--no-roundtrip", action="store_true", help="skip the check against the rule files")
    ap.add_argument("--sample", type=int, default=1, metavar="K",
                    help="round-trip every K-th query only (default 1: all)")
    ap.add_argument("--same-fields", action="append", default=[], metavar="LABEL",
                    help="in the round trip, the token's field must be the Sigma field (for this label)")
    ap.add_argument("--min-queries", action="append", default=[], metavar="LABEL=N",
                    help="fail when LABEL has fewer than N queries (default: at least 1 per file)")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args(argv)

    roundtrip = not args.no_roundtrip
    rules = None
    if roundtrip:
        try:
            rules = RuleFiles()
        except ImportError:
            print("note: PyYAML not available, round trip skipped")
            roundtrip = False

    passed = failed = 0
    for spec in args.inputs:
        label, path = spec.split("=", 1) if "=" in spec and not os.path.exists(spec) else (os.path.basename(spec), spec)
        try:
            recs = read_records(path, args.format)
        except (OSError, ValueError) as e:
            print("FAIL [%s] cannot read %s: %s" % (label, path, e))
            failed += 1
            continue
        same = label in args.same_fields
        n_pass = n_fail = n_values = n_skipped = n_rt_rules = 0
        cmds = {}
        notes = {}
        for idx, rec in enumerate(recs):
            q = rec.get("query")
            rid = rec.get("id") or "(no id)"
            lines = []
            if not isinstance(q, str):
                lines.append("FAIL [%s] %s: no query string" % (label, rid))
            else:
                qc = QueryCheck(q)
                qc.run()
                for c in qc.commands:
                    cmds[c] = cmds.get(c, 0) + 1
                for k, v in qc.notes.items():
                    notes[k] = notes.get(k, 0) + v
                for cmd, pos, msg in qc.failures:
                    lines.append("FAIL [%s] %s cmd=%s offset=%d: %s\n    %s" % (label, rid, cmd, pos, msg,
                                                                            excerpt(q, pos)))
                if roundtrip and not qc.failures and idx % max(1, args.sample) == 0:
                    src = rec.get("source", "")
                    m = re.match(r"(.*):(\d+)\Z", src)
                    doc = rules.document(m.group(1), rec.get("id"), int(m.group(2))) if m else None
                    if doc is None:
                        lines.append("FAIL [%s] %s cmd=- offset=-: roundtrip: no rule document at %r" % (label, rid, src))
                    else:
                        n_rt_rules += 1
                        for e in detection_expectations(doc, rules.documents(m.group(1))):
                            if e is None:
                                n_skipped += 1
                                continue
                            n_values += 1
                            if not find_expectation(e, qc.facts, same):
                                lines.append("FAIL [%s] %s cmd=- offset=-: roundtrip: %s is not one token of the "
                                             "query\n    %s" % (label, rid, e.describe(), excerpt(q, 0, 80)))
            if lines:
                n_fail += 1
                print("\n".join(lines))
            else:
                n_pass += 1
                if args.verbose:
                    print("ok [%s] %s" % (label, rid))
        least = 1
        for spec_n in args.min_queries:
            if spec_n.rsplit("=", 1)[0] == label:
                least = int(spec_n.rsplit("=", 1)[1])
        if len(recs) < least:
            print("FAIL [%s] %d queries in %s, expected at least %d" % (label, len(recs), path, least))
            n_fail += 1
        summary = ", ".join("%s %d" % kv for kv in sorted(cmds.items()))
        rt = ("; round trip: %d rules, %d values checked, %d not checked" % (n_rt_rules, n_values, n_skipped)
              if roundtrip else "")
        print("[%s] %d queries: %d passed, %d failed; commands: %s%s" % (label, len(recs), n_pass, n_fail,
                                                                          summary or "none", rt))
        for k in sorted(notes):
            print("  note [%s] %s: %d (data, as sigc's backend intends; not a failure)" % (label, k, notes[k]))
        passed += n_pass
        failed += n_fail
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
