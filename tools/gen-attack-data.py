#!/usr/bin/env python3
"""Regenerate sigc's ATT&CK and D3FEND tag tables from MITRE's exports.

sigc check validates `attack.*` and `d3fend.*` tags offline, the way pySigma's
`attacktag` and `d3_fendtag` validators do. The lists it checks against live in
compiler/data/attack.tsv and compiler/data/d3fend.tsv. This script rebuilds
them from files you fetched yourself; it never touches the network.

ATT&CK input: STIX 2.x bundles, any of
  enterprise-attack.json, mobile-attack.json, ics-attack.json
fetched from
  https://github.com/mitre-attack/attack-stix-data  (STIX 2.1; the source pySigma downloads),
  e.g. https://raw.githubusercontent.com/mitre-attack/attack-stix-data/master/enterprise-attack/enterprise-attack.json
or from the older mirror
  https://github.com/mitre/cti  (STIX 2.0),
  e.g. https://raw.githubusercontent.com/mitre/cti/master/enterprise-attack/enterprise-attack.json
  (same path pattern for mobile-attack/mobile-attack.json and ics-attack/ics-attack.json).
pySigma reads only the Enterprise bundle. Pass only enterprise-attack.json
to reproduce its set exactly; the mobile and ICS bundles add their own ids.

D3FEND input: the ontology export d3fend.json, from
  https://d3fend.mitre.org/ontologies/d3fend.json

Output format (both files): '#' comment lines, then one row per id,
  <id> TAB <kind> TAB <name>
sorted by id (byte order). No timestamps, so the same input gives the same
bytes.

attack.tsv kinds: technique, subtechnique, group, software, mitigation,
datasource, tactic. Ids are lower case, as in Sigma tags (t1059.001, g0016,
s0002, m1036, ds0009); tactic rows use the ATT&CK short name (initial-access).
Objects that are revoked or carry x_mitre_deprecated are left out, as pySigma
leaves them out.

d3fend.tsv kinds: tactic (lower-case label: detect), technique (lower-case
D3FEND id: d3-am), artifact (d3f-<OntologyName>, case kept as pySigma keeps it:
d3f-AccessToken). Artifacts are d3f:DigitalArtifact and all its named
subclasses, transitively.
"""

import argparse
import hashlib
import json
import os
import re
import sys

ATTACK_KINDS = ("technique", "subtechnique", "group", "software", "mitigation", "datasource", "tactic")
D3FEND_KINDS = ("tactic", "technique", "artifact")

# Domain order used when the same id shows up in several bundles with different names.
DOMAIN_PRIORITY = {"enterprise-attack": 0, "mobile-attack": 1, "ics-attack": 2}

# external_references source names that carry the ATT&CK id. pySigma reads only
# "mitre-attack"; old mobile/ICS bundles also used the other two.
ATTACK_SOURCES = ("mitre-attack", "mitre-mobile-attack", "mitre-ics-attack")

ID_PATTERNS = {
    "attack-pattern": re.compile(r"^T\d{4}(\.\d{3})?$"),
    "intrusion-set": re.compile(r"^G\d{4}$"),
    "malware": re.compile(r"^S\d{4}$"),
    "tool": re.compile(r"^S\d{4}$"),
    # Pre-2019 bundles hold course-of-action objects whose id is a technique id
    # (T1001); only M-ids are mitigations.
    "course-of-action": re.compile(r"^M\d{4}$"),
    "x-mitre-data-source": re.compile(r"^DS\d{4}$"),
}
TYPE_KIND = {
    "intrusion-set": "group",
    "malware": "software",
    "tool": "software",
    "course-of-action": "mitigation",
    "x-mitre-data-source": "datasource",
}
TACTIC_NAME = re.compile(r"^[a-z0-9][a-z0-9-]*$")

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_ATTACK_OUT = os.path.join(REPO_ROOT, "compiler", "data", "attack.tsv")
DEFAULT_D3FEND_OUT = os.path.join(REPO_ROOT, "compiler", "data", "d3fend.tsv")


def warn(msg):
    print("gen-attack-data: " + msg, file=sys.stderr)


def clean(text):
    """A name fit for one TSV field: no tabs or newlines, single spaces."""
    return " ".join(str(text).split())


def sha256_of(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def load_json(path):
    with open(path, "r", encoding="utf-8") as f:
        return json.load(f)


# --------------------------------------------------------------------------- ATT&CK

def external_id(obj):
    refs = obj.get("external_references") or []
    for source in ATTACK_SOURCES:
        for ref in refs:
            if ref.get("source_name") == source and ref.get("external_id"):
                return str(ref["external_id"]).strip()
    return None


def bundle_domain(objects, path):
    for obj in objects:
        if obj.get("type") == "x-mitre-collection":
            name = str(obj.get("name", "")).lower()
            for dom in DOMAIN_PRIORITY:
                if dom.split("-")[0] in name:
                    return dom
    for obj in objects:
        for dom in obj.get("x_mitre_domains") or []:
            if dom in DOMAIN_PRIORITY:
                return dom
    base = os.path.basename(path).lower()
    for dom in DOMAIN_PRIORITY:
        if dom in base:
            return dom
    return "unknown"


def bundle_version(objects):
    for obj in objects:
        if obj.get("type") == "x-mitre-collection" and obj.get("x_mitre_version"):
            return str(obj["x_mitre_version"])
    return "unknown"


def collect_attack(paths):
    """Return ({id: (kind, name)}, [source descriptions], [input basenames]), inputs in domain order."""
    candidates = {}  # id -> list of (priority, name, kind)
    sources = []
    for path in paths:
        data = load_json(path)
        if not isinstance(data, dict) or not isinstance(data.get("objects"), list):
            raise SystemExit("gen-attack-data: %s is not a STIX bundle (no 'objects' list)" % path)
        objects = data["objects"]
        domain = bundle_domain(objects, path)
        prio = DOMAIN_PRIORITY.get(domain, len(DOMAIN_PRIORITY))
        sources.append((prio, domain, os.path.basename(path), "%s %s (%s, sha256 %s)" % (
            domain, bundle_version(objects), os.path.basename(path), sha256_of(path))))
        for obj in objects:
            if not isinstance(obj, dict):
                continue
            if obj.get("revoked") or obj.get("x_mitre_deprecated"):
                continue
            otype = obj.get("type")
            if otype == "x-mitre-tactic":
                short = str(obj.get("x_mitre_shortname", "")).strip().lower()
                if not TACTIC_NAME.match(short):
                    warn("%s: tactic %r has no usable x_mitre_shortname, skipped" % (path, obj.get("name")))
                    continue
                candidates.setdefault(short, []).append((prio, clean(obj.get("name", short)), "tactic"))
                continue
            pattern = ID_PATTERNS.get(otype)
            if pattern is None:
                continue
            ext = external_id(obj)
            if not ext:
                continue
            if not pattern.match(ext):
                if otype != "course-of-action":
                    warn("%s: %s %s has an unexpected id, skipped" % (path, otype, ext))
                continue
            if otype == "attack-pattern":
                kind = "subtechnique" if "." in ext else "technique"
            else:
                kind = TYPE_KIND[otype]
            candidates.setdefault(ext.lower(), []).append((prio, clean(obj.get("name", "")), kind))
    rows = {}
    for key, cands in candidates.items():
        kinds = {c[2] for c in cands}
        if len(kinds) > 1:
            warn("id %s has several kinds %s; keeping the highest-priority one" % (key, sorted(kinds)))
        prio, name, kind = min(cands)
        rows[key] = (kind, name)
    # Report the inputs in domain order, whatever order they were given in.
    sources.sort()
    return rows, [s[3] for s in sources], [s[2] for s in sources]


# --------------------------------------------------------------------------- D3FEND

def as_list(value):
    if value is None:
        return []
    if isinstance(value, list):
        return value
    return [value]


def literal(value):
    """First string of a JSON-LD literal (string, {'@value': ..}, or a list of those)."""
    for item in as_list(value):
        if isinstance(item, dict):
            item = item.get("@value")
        if isinstance(item, str) and item.strip():
            return item.strip()
    return None


def ref_ids(value):
    """Named node ids in a JSON-LD reference value (skips blank nodes and restrictions)."""
    out = []
    for item in as_list(value):
        if isinstance(item, dict):
            item = item.get("@id")
        if isinstance(item, str) and not item.startswith("_:"):
            out.append(item)
    return out


def local_name(node_id):
    """'d3f:AccessToken' or 'http://d3fend.mitre.org/ontologies/d3fend.owl#AccessToken' -> 'AccessToken'."""
    if not isinstance(node_id, str):
        return None
    if "#" in node_id:
        return node_id.rsplit("#", 1)[1] or None
    if node_id.startswith("d3f:"):
        return node_id[4:] or None
    return None


def d3fend_version(graph):
    for item in graph:
        if "owl:Ontology" in [str(t) for t in as_list(item.get("@type"))]:
            for iri in ref_ids(item.get("owl:versionIRI")) + [literal(item.get("owl:versionInfo")) or ""]:
                m = re.search(r"(\d+\.\d+\.\d+)", iri or "")
                if m:
                    return m.group(1)
    return "unknown"


def collect_d3fend(path):
    data = load_json(path)
    graph = data.get("@graph") if isinstance(data, dict) else data
    if not isinstance(graph, list):
        raise SystemExit("gen-attack-data: %s has no JSON-LD '@graph' list" % path)
    graph = [item for item in graph if isinstance(item, dict)]

    rows = {}
    parents = {}  # local name -> set of parent local names
    labels = {}   # local name -> label
    has_d3id = set()
    for item in graph:
        name = local_name(item.get("@id"))
        label = literal(item.get("rdfs:label"))
        types = [str(t) for t in as_list(item.get("@type"))]
        d3id = literal(item.get("d3f:d3fend-id"))
        if name:
            if label:
                labels.setdefault(name, label)
            for parent in ref_ids(item.get("rdfs:subClassOf")):
                pname = local_name(parent)
                if pname:
                    parents.setdefault(name, set()).add(pname)
        if "d3f:DefensiveTactic" in types and label:
            rows[label.lower()] = ("tactic", clean(label))
        if d3id and d3id.upper().startswith("D3-") and label:
            has_d3id.add(name)
            rows[d3id.lower()] = ("technique", clean(label))

    # Artifacts: d3f:DigitalArtifact and everything below it.
    children = {}
    for child, ps in parents.items():
        for p in ps:
            children.setdefault(p, set()).add(child)
    seen = set()
    stack = ["DigitalArtifact"]
    while stack:
        node = stack.pop()
        if node in seen:
            continue
        seen.add(node)
        stack.extend(children.get(node, ()))
    for name in seen:
        if name in has_d3id or name not in labels:
            continue
        rows["d3f-" + name] = ("artifact", clean(labels[name]))

    source = "D3FEND %s (%s, sha256 %s)" % (d3fend_version(graph), os.path.basename(path), sha256_of(path))
    return rows, source


# --------------------------------------------------------------------------- output

def render(rows, header_lines):
    out = ["# " + line if line else "#" for line in header_lines]
    for key in sorted(rows):
        kind, name = rows[key]
        out.append("%s\t%s\t%s" % (key, kind, name))
    return "\n".join(out) + "\n"


def write(text, dest):
    if dest == "-":
        sys.stdout.write(text)
        return
    os.makedirs(os.path.dirname(os.path.abspath(dest)), exist_ok=True)
    tmp = dest + ".tmp"
    with open(tmp, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)
    os.replace(tmp, dest)


def counts(rows, kinds):
    n = {k: 0 for k in kinds}
    for kind, _ in rows.values():
        n[kind] = n.get(kind, 0) + 1
    return ", ".join("%s %d" % (k, n[k]) for k in kinds)


def main(argv=None):
    ap = argparse.ArgumentParser(
        prog="gen-attack-data.py",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description=__doc__.split("\n\n", 1)[1],
        epilog="examples:\n"
               "  tools/gen-attack-data.py enterprise-attack.json --d3fend d3fend.json\n"
               "  tools/gen-attack-data.py enterprise-attack.json mobile-attack.json ics-attack.json\n"
               "  tools/gen-attack-data.py --attack-out - tools/testdata/enterprise-mini.json\n")
    ap.add_argument("bundles", nargs="*", metavar="STIX_BUNDLE",
                    help="ATT&CK STIX bundle(s): enterprise-attack.json, mobile-attack.json, ics-attack.json")
    ap.add_argument("--d3fend", metavar="D3FEND_JSON", help="D3FEND ontology export (d3fend.json)")
    ap.add_argument("--attack-out", metavar="PATH", default=DEFAULT_ATTACK_OUT,
                    help="where to write attack.tsv ('-' = stdout; default: %(default)s)")
    ap.add_argument("--d3fend-out", metavar="PATH", default=DEFAULT_D3FEND_OUT,
                    help="where to write d3fend.tsv ('-' = stdout; default: %(default)s)")
    args = ap.parse_args(argv)

    if not args.bundles and not args.d3fend:
        ap.error("nothing to do: give STIX bundle file(s) and/or --d3fend FILE")

    if args.bundles:
        rows, sources, names = collect_attack(args.bundles)
        if not rows:
            raise SystemExit("gen-attack-data: no ATT&CK objects found in the given bundles")
        header = [
            "sigc ATT&CK tag ids (attack.<id>): <id>\\t<kind>\\t<name>, sorted by id.",
            "kinds: " + ", ".join(ATTACK_KINDS) + "; revoked and deprecated objects left out.",
            "source: MITRE ATT&CK STIX bundles: " + "; ".join(sources),
            "regenerate: python3 tools/gen-attack-data.py " + " ".join(names) +
            "   (see --help for the download URLs)",
            "rows: " + counts(rows, ATTACK_KINDS),
        ]
        write(render(rows, header), args.attack_out)

    if args.d3fend:
        rows, source = collect_d3fend(args.d3fend)
        if not rows:
            raise SystemExit("gen-attack-data: no D3FEND objects found in " + args.d3fend)
        header = [
            "sigc D3FEND tag ids (d3fend.<id>): <id>\\t<kind>\\t<name>, sorted by id.",
            "kinds: tactic (lower-case label), technique (lower-case D3FEND id), "
            "artifact (d3f-<Name>, case-sensitive as in pySigma).",
            "source: " + source,
            "regenerate: python3 tools/gen-attack-data.py --d3fend " + os.path.basename(args.d3fend) +
            "   (see --help for the download URL)",
            "rows: " + counts(rows, D3FEND_KINDS),
        ]
        write(render(rows, header), args.d3fend_out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
