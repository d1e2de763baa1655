#!/usr/bin/env python3
"""check-pipeline-columns.py - every column a KQL pipeline names exists in its schema.

For each pipeline file (default: compiler/data/pipelines/*.yml) whose target
includes kql and whose log sources set a table, checks against the schema TSVs
(default: compiler/data/schemas/*.tsv, `<table>\\t<column>\\t<type>` lines):

  - the table is declared by some schema file;
  - every target field of the log source's `fields` map and of the global
    `fields` map is a column of that table;
  - every column a `hashes` split names (per algorithm) is a column of that table;
  - every column a `text` list names is a column of that table;
  - every field a `conditions` map tests (the key before any `|modifier`) is
    a column of that table;
  - the pipeline's `timestamp`, if set, is a column of that table;
  - a `computed` column (which `fields` may name) is not already a column
    of the table, which it would hide;
  - no two schema files declare the same table, and no table repeats a column.

Pipelines with no table (kql-generic) and non-KQL pipelines are listed as
skipped.  Python 3 standard library only: the pipeline files are read with a
small reader for the YAML subset they use (block maps and lists, flow maps and
lists, plain and quoted scalars, comments).

Usage: tools/check-pipeline-columns.py [--schemas DIR] [PIPELINE.yml ...]
Exit status: 0 all columns found, 1 some missing, 2 usage or parse error.
"""
import argparse
import glob
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


class ParseError(Exception):
    pass


# ---------------------------------------------------------------- YAML subset

def _strip_comment(line):
    """Drops a `#` comment that is not inside quotes."""
    out, quote = [], None
    i = 0
    while i < len(line):
        ch = line[i]
        if quote:
            out.append(ch)
            if ch == quote:
                if quote == "'" and i + 1 < len(line) and line[i + 1] == "'":
                    out.append("'")
                    i += 1
                else:
                    quote = None
            elif ch == '\\' and quote == '"' and i + 1 < len(line):
                out.append(line[i + 1])
                i += 1
        elif ch in ('"', "'"):
            quote = ch
            out.append(ch)
        elif ch == '#' and (i == 0 or line[i - 1] in ' \t'):
            break
        else:
            out.append(ch)
        i += 1
    return ''.join(out).rstrip()


def _scalar(text):
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] == "'":
        return text[1:-1].replace("''", "'")
    if len(text) >= 2 and text[0] == text[-1] == '"':
        return bytes(text[1:-1], 'utf-8').decode('unicode_escape')
    if re.fullmatch(r'-?[0-9]+', text):
        return int(text)
    return text


class _Flow:
    """Parses a flow collection: {a: b, c: [d, e]}."""

    def __init__(self, text, where):
        self.s, self.i, self.where = text, 0, where

    def ws(self):
        while self.i < len(self.s) and self.s[self.i] in ' \t':
            self.i += 1

    def value(self):
        self.ws()
        if self.i >= len(self.s):
            raise ParseError(self.where + ': unexpected end of a flow collection')
        ch = self.s[self.i]
        if ch == '{':
            return self.mapping()
        if ch == '[':
            return self.sequence()
        if ch in '"\'':
            j = self.i + 1
            while j < len(self.s):
                if self.s[j] == ch:
                    if ch == "'" and j + 1 < len(self.s) and self.s[j + 1] == "'":
                        j += 2
                        continue
                    break
                if ch == '"' and self.s[j] == '\\':
                    j += 1
                j += 1
            tok = self.s[self.i:j + 1]
            self.i = j + 1
            return _scalar(tok)
        j = self.i
        while j < len(self.s) and self.s[j] not in ',]}' and not (self.s[j] == ':' and j + 1 < len(self.s) and self.s[j + 1] in ' '):
            j += 1
        tok = self.s[self.i:j]
        self.i = j
        return _scalar(tok)

    def expect(self, ch):
        self.ws()
        if self.i >= len(self.s) or self.s[self.i] != ch:
            raise ParseError('%s: expected %r in %r' % (self.where, ch, self.s))
        self.i += 1

    def mapping(self):
        self.expect('{')
        out = {}
        self.ws()
        if self.s[self.i] == '}':
            self.i += 1
            return out
        while True:
            key = self.value()
            self.expect(':')
            out[key] = self.value()
            self.ws()
            if self.s[self.i] == ',':
                self.i += 1
                continue
            self.expect('}')
            return out

    def sequence(self):
        self.expect('[')
        out = []
        self.ws()
        if self.s[self.i] == ']':
            self.i += 1
            return out
        while True:
            out.append(self.value())
            self.ws()
            if self.s[self.i] == ',':
                self.i += 1
                continue
            self.expect(']')
            return out


def _inline(text, where):
    text = text.strip()
    if text.startswith('{') or text.startswith('['):
        f = _Flow(text, where)
        v = f.value()
        f.ws()
        if f.i != len(text):
            raise ParseError('%s: trailing text after a flow collection: %r' % (where, text[f.i:]))
        return v
    return _scalar(text)


def _split_key(text, where):
    m = re.match(r"""^("(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^'"{\[][^:]*?)\s*:(?:\s+(.*))?$""", text)
    if not m:
        raise ParseError('%s: expected `key: value`, got %r' % (where, text))
    return _scalar(m.group(1)), (m.group(2) or '').strip()


def load_yaml(path):
    lines = []
    with open(path, encoding='utf-8') as f:
        for n, raw in enumerate(f, 1):
            if '\t' in raw[:len(raw) - len(raw.lstrip())]:
                raise ParseError('%s:%d: tab in indentation' % (path, n))
            text = _strip_comment(raw.rstrip('\n'))
            if text.strip() == '' or text.strip() == '---':
                continue
            lines.append((len(text) - len(text.lstrip(' ')), text.strip(), '%s:%d' % (path, n)))
    pos = [0]

    def block(indent):
        if pos[0] >= len(lines):
            return None
        ind, text, where = lines[pos[0]]
        if ind < indent:
            return None
        if text.startswith('- ') or text == '-':
            return seq(ind)
        return mapping(ind)

    def mapping(indent, first=None):
        out = {}
        while pos[0] < len(lines):
            ind, text, where = lines[pos[0]]
            if first is not None:
                text, first = first, None
            elif ind < indent:
                break
            elif ind > indent:
                raise ParseError('%s: unexpected indentation' % where)
            if text.startswith('- '):
                break
            key, rest = _split_key(text, where)
            pos[0] += 1
            if rest:
                out[key] = _inline(rest, where)
            else:
                nxt = lines[pos[0]] if pos[0] < len(lines) else None
                if nxt and (nxt[0] > ind or (nxt[0] == ind and nxt[1].startswith('- '))):
                    out[key] = block(nxt[0])
                else:
                    out[key] = None
        return out

    def seq(indent):
        out = []
        while pos[0] < len(lines):
            ind, text, where = lines[pos[0]]
            if ind != indent or not (text.startswith('- ') or text == '-'):
                if ind > indent:
                    raise ParseError('%s: unexpected indentation' % where)
                break
            item = text[1:].strip()
            if not item:
                pos[0] += 1
                out.append(block(indent + 1))
            elif item.startswith('{') or item.startswith('[') or not re.match(r"""^("[^"]*"|'[^']*'|[^'"]+?)\s*:(\s|$)""", item):
                pos[0] += 1
                out.append(_inline(item, where))
            else:
                # `- key: value` starts a mapping indented by the dash's width
                inner = indent + (len(text) - len(text[1:].lstrip())) 
                out.append(mapping(inner, first=item))
        return out

    root = block(0)
    if pos[0] != len(lines):
        raise ParseError('%s: could not read past this line' % lines[pos[0]][2])
    return root


# ---------------------------------------------------------------- checking

def load_schemas(dirs):
    tables, owner, problems = {}, {}, []
    for d in dirs:
        for path in sorted(glob.glob(os.path.join(d, '*.tsv'))):
            mine = set()
            with open(path, encoding='utf-8') as f:
                for n, line in enumerate(f, 1):
                    line = line.rstrip('\n')
                    if not line or line.startswith('#'):
                        continue
                    parts = line.split('\t')
                    if len(parts) != 3:
                        problems.append('%s:%d: want <table>\\t<column>\\t<type>' % (path, n))
                        continue
                    t, c, ty = parts
                    if t in owner and owner[t] != path:
                        problems.append('%s:%d: table %s is also declared in %s' % (path, n, t, owner[t]))
                        continue
                    owner[t] = path
                    cols = tables.setdefault(t, {})
                    if c in cols:
                        problems.append('%s:%d: %s.%s declared twice' % (path, n, t, c))
                    cols[c] = ty
                    mine.add(t)
    return tables, owner, problems


def as_list(v):
    if v is None:
        return []
    return v if isinstance(v, list) else [v]


def field_targets(fields):
    out = []
    for src, dst in (fields or {}).items():
        for t in as_list(dst):
            out.append((str(src), str(t)))
    return out


def check_pipeline(path, tables, owner):
    p = load_yaml(path)
    if not isinstance(p, dict):
        raise ParseError('%s: a pipeline is a mapping' % path)
    name = p.get('name', os.path.basename(path))
    if 'kql' not in [str(t) for t in as_list(p.get('target'))]:
        return name, None, []
    sources = p.get('logsources') or []
    if not any(isinstance(s, dict) and s.get('table') for s in sources):
        return name, None, []
    missing, checked = [], 0
    glob_fields = field_targets(p.get('fields'))
    ts = p.get('timestamp')
    for i, s in enumerate(sources):
        if not isinstance(s, dict):
            continue
        table = s.get('table')
        match = s.get('match') or {}
        label = '%s logsources[%d] %s' % (name, i, ' '.join('%s=%s' % kv for kv in match.items()))
        if not table:
            missing.append('%s: no table' % label)
            continue
        cols = tables.get(table)
        if cols is None:
            missing.append('%s: table %s is in no schema file' % (label, table))
            continue
        computed = [str(k) for k in (s.get('computed') or {})]
        for k in computed:
            checked += 1
            if k in cols:
                missing.append('%s: computed column %s would hide the column %s.%s' % (label, k, table, k))
        cols = set(cols) | set(computed)
        wanted = [('fields', a, b) for a, b in field_targets(s.get('fields'))]
        wanted += [('global fields', a, b) for a, b in glob_fields]
        wanted += [('conditions', str(k), str(k).split('|')[0]) for k in (s.get('conditions') or {})]
        wanted += [('text', str(k), str(k)) for k in as_list(s.get('text'))]
        hashes = s.get('hashes') or p.get('hashes') or {}
        wanted += [('hashes', a, b) for a, b in field_targets(hashes.get('algorithms') if isinstance(hashes, dict) else None)]
        if ts:
            wanted.append(('timestamp', 'timestamp', str(ts)))
        for kind, src, col in wanted:
            checked += 1
            if col not in cols:
                missing.append('%s: %s %s -> %s: no column %s.%s (%s)' %
                               (label, kind, src, col, table, col, os.path.relpath(owner.get(table, '?'), ROOT)))
    return name, checked, missing


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--schemas', action='append', help='schema directory (default compiler/data/schemas)')
    ap.add_argument('pipelines', nargs='*', help='pipeline files (default compiler/data/pipelines/*.yml)')
    a = ap.parse_args()
    dirs = a.schemas or [os.path.join(ROOT, 'compiler', 'data', 'schemas')]
    files = a.pipelines or sorted(glob.glob(os.path.join(ROOT, 'compiler', 'data', 'pipelines', '*.yml')))
    tables, owner, problems = load_schemas(dirs)
    if not tables:
        print('check-pipeline-columns: no schema tables in %s' % ', '.join(dirs), file=sys.stderr)
        return 2
    bad = list(problems)
    for path in files:
        try:
            name, checked, missing = check_pipeline(path, tables, owner)
        except (ParseError, OSError) as e:
            print('check-pipeline-columns: %s' % e, file=sys.stderr)
            return 2
        if checked is None:
            print('%-16s skipped (not KQL, or places no table)' % name)
            continue
        print('%-16s %d columns checked, %d missing' % (name, checked, len(missing)))
        bad += missing
    for m in bad:
        print('  ' + m)
    print('%d problems' % len(bad))
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
