#!/bin/sh
# sgm_evtx.c against evtx_dump: for every SigmaHQ regression case, the events
# `sigc match` reads from <id>.evtx (through libevtx and sgm_evtx.c's XML to
# JSON conversion) must equal the events of <id>.json, the pretty-printed
# evtx_dump output of the same file.  Both sides are parsed with python3's
# json and compared recursively; scalars are equal when their string forms
# are (11 and "11" agree, true and "true" too; null only equals null).
# evtx_all.yml (beside this script) matches every event that has an EventID.
#
# Of the 123 cases, 122 agree exactly.  Known differences, allowed below (KNOWN):
#   - ad691d92-15f2-4181-9aa4-723c74f9ddc3 (proc_creation_win_susp_right_to_left_override):
#     its .json was not made from this .evtx by the evtx_dump the others came
#     from: ParentCommandLine reads "C:\Windows\Explorer.exe" where the
#     record holds "C:\Windows\Explorer.EXE" (evtxexport shows .EXE too), and
#     SystemTime keeps nine fractional digits ("...26.751156500Z") where
#     evtx_dump writes six (every other case, and evtx's value_render.rs).
# Not covered by these cases, so unchecked: values libevtx formats by type
# (binary, SID arrays, floats) beyond the FILETIME / hex / GUID rewrites in
# sgm_evtx.c's header, and strings that look like numbers (evtx_dump keeps a
# string-typed "4624" a string; sgm_evtx.c writes every plain int64 as a number,
# which this comparison, by string forms, cannot see).
#
# usage: evtx_check.sh SIGC SHARED_DIR      (exit 77 without ../shared or libevtx)
set -u
sigc=$1 shared=$2
data=$shared/corpus/sigmahq/regression_data
[ -d "$data" ] || { echo "no SigmaHQ regression data under $shared: skipped"; exit 77; }
command -v python3 >/dev/null || { echo "no python3: skipped"; exit 77; }
here=$(cd "$(dirname "$0")" && pwd)
rule=$here/evtx_all.yml
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# libevtx may be missing: sigc then says so and exits 3 on every .evtx
first=$(find "$data" -name '*.evtx' | LC_ALL=C sort | head -1)
[ -n "$first" ] || { echo "no .evtx files under $data: skipped"; exit 77; }
"$sigc" match --quiet --no-event "$rule" "$first" >/dev/null 2>"$tmp/probe.err"
if [ $? -ge 2 ] && grep -q 'libevtx is not installed' "$tmp/probe.err"; then
    echo "sigc reads no .evtx files here (no libevtx): skipped"; exit 77
fi

: >"$tmp/list"
for evtx in $(find "$data" -name '*.evtx' | LC_ALL=C sort); do
    json=${evtx%.evtx}.json
    [ -f "$json" ] || { echo "FAIL: $evtx has no $json"; echo "$evtx - -" >>"$tmp/list"; continue; }
    n=$(grep -c '' "$tmp/list")
    "$sigc" match --quiet "$rule" "$evtx" >"$tmp/out.$n" 2>"$tmp/err.$n"
    echo "$evtx $json $? $tmp/out.$n $tmp/err.$n" >>"$tmp/list"
done

python3 - "$tmp/list" <<'PY'
import json, sys

def norm(v):
    if v is True: return "true"
    if v is False: return "false"
    if isinstance(v, float) and v.is_integer(): return str(int(v))
    return str(v)

def diff(a, b, path, out):
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b)):
            if k not in a: out.append(f"{path}.{k}: only in evtx_dump: {json.dumps(b[k])[:120]}")
            elif k not in b: out.append(f"{path}.{k}: only in sgm_evtx: {json.dumps(a[k])[:120]}")
            else: diff(a[k], b[k], f"{path}.{k}", out)
    elif isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b): out.append(f"{path}: {len(a)} items in sgm_evtx, {len(b)} in evtx_dump")
        for i, (x, y) in enumerate(zip(a, b)): diff(x, y, f"{path}[{i}]", out)
    elif isinstance(a, (dict, list)) or isinstance(b, (dict, list)) or (a is None) != (b is None):
        out.append(f"{path}: sgm_evtx {json.dumps(a)[:120]} != evtx_dump {json.dumps(b)[:120]}")
    elif a is not None and norm(a) != norm(b):
        out.append(f"{path}: sgm_evtx {json.dumps(a)[:120]} != evtx_dump {json.dumps(b)[:120]}")

def values(text):
    dec, i, out = json.JSONDecoder(), 0, []
    while True:
        while i < len(text) and text[i] in " \t\r\n": i += 1
        if i >= len(text): return out
        v, i = dec.raw_decode(text, i)
        out.append(v)

# case id -> the differences it is known to have (see the top of the file)
KNOWN = {
    "ad691d92-15f2-4181-9aa4-723c74f9ddc3": {
        "event 0.Event.EventData.ParentCommandLine",
        "event 0.Event.System.TimeCreated.#attributes.SystemTime",
    },
}

cases = agree = known = 0
for line in open(sys.argv[1]):
    evtx, js, st, out, err = line.split()
    cases += 1
    problems = []
    if js == "-":
        continue
    if st not in ("0", "1"):
        problems.append(f"sigc match exited {st}: " + open(err).read().strip()[:300])
    else:
        mine = [json.loads(l)["event"] for l in open(out) if l.strip()]
        theirs = values(open(js, encoding="utf-8").read())
        if len(mine) != len(theirs):
            problems.append(f"{len(mine)} events from the .evtx, {len(theirs)} in the .json")
        for i, (a, b) in enumerate(zip(mine, theirs)):
            diff(a, b, f"event {i}", problems)
        warn = open(err).read().strip()
        if warn: problems.append("stderr: " + warn[:300])
    allowed = KNOWN.get(evtx.rsplit("/", 1)[-1][:-5], set())
    if problems and all(p.split(":", 1)[0] in allowed for p in problems):
        print(f"known differences: {evtx}")
        for p in problems: print("   " + p)
        known += 1
    elif problems:
        print(f"DIFF: {evtx}")
        for p in problems[:10]: print("   " + p)
        if len(problems) > 10: print(f"   ... {len(problems) - 10} more")
    else:
        agree += 1
print(f"{agree} of {cases} cases: the .evtx reads exactly as evtx_dump's .json; {known} differ only as documented")
sys.exit(0 if agree + known == cases and cases > 0 else 1)
PY
