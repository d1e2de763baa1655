#!/bin/sh
# Command-line contract of sigc: help and version on stdout, errors on
# stderr, exit codes 0/1/2/3, stdin as '-', sorted directory walk, output
# formats, size limits, and no partial report file on failure.
set -u
sigc=$1 src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
check() { # description, then a command whose status decides
    desc=$1; shift
    if "$@"; then ok; else bad "$desc"; fi
}
run() { # run sigc, capturing stdout, stderr and status
    "$sigc" "$@" >"$tmp/out" 2>"$tmp/err"
    st=$?
}

good=$src/tests/golden/ir/legacy_count.yml
bad_rule=$src/tests/golden/diag/bad_modifiers.yml

run --version
check "--version exits 0" [ $st -eq 0 ]
check "--version prints 'sigc VERSION' on stdout" grep -qE '^sigc [0-9]+\.[0-9]+\.[0-9]+$' "$tmp/out"
run --help
check "--help on stdout, exit 0" sh -c "[ $st -eq 0 ] && grep -q '^usage: sigc' '$tmp/out' && [ ! -s '$tmp/err' ]"
run check --help
check "check --help lists --fail-level" grep -q -- '--fail-level' "$tmp/out"
run help check
check "'help check' equals 'check --help'" sh -c "'$sigc' check --help | cmp -s - '$tmp/out'"
run frobnicate
check "unknown command exits 2" [ $st -eq 2 ]
check "unknown command message on stderr" grep -q "unknown command 'frobnicate'" "$tmp/err"
run check
check "check without paths exits 2" [ $st -eq 2 ]
run check --format nope "$good"
check "unknown format exits 2" [ $st -eq 2 ]
run check -x not_a_check "$good"
check "unknown check id exits 2" [ $st -eq 2 ]

run check -q "$good"
check "clean rule exits 0 with no output" sh -c "[ $st -eq 0 ] && [ ! -s '$tmp/out' ]"
run check -q "$bad_rule"
check "rule with errors exits 1" [ $st -eq 1 ]
check "findings are file:line:col: severity[id]: message" grep -qE '^[^:]+:[0-9]+:[0-9]+: error\[modifier\]: ' "$tmp/out"
run check -q --fail-level none "$bad_rule"
check "--fail-level none exits 0" [ $st -eq 0 ]
run check -q "$tmp/does-not-exist.yml"
check "missing file exits 3" [ $st -eq 3 ]
check "missing file is reported with its path" grep -q 'does-not-exist.yml: error\[io_error\]' "$tmp/out"

"$sigc" check -q - <"$bad_rule" >"$tmp/out" 2>&1
st=$?
check "stdin '-' is read and named <stdin>" sh -c "[ $st -eq 1 ] && grep -q '^<stdin>:8:9: error\[modifier\]' '$tmp/out'"
head -c 2000000 /dev/zero | tr '\0' 'a' >"$tmp/big.yml"
run check -q "$tmp/big.yml"
check "a file over 1 MiB is rejected with limit_file_size" sh -c "[ $st -eq 1 ] && grep -q 'limit_file_size' '$tmp/out'"
yes 'title: x' | "$sigc" check -q - >"$tmp/out" 2>&1
st=$?
check "an endless stdin is cut at the size limit" sh -c "[ $st -eq 1 ] && grep -q 'limit_file_size' '$tmp/out'"

mkdir -p "$tmp/tree/b" "$tmp/tree/a" "$tmp/tree/.git"
cp "$bad_rule" "$tmp/tree/b/z.yml"
cp "$bad_rule" "$tmp/tree/a/y.yaml"
cp "$bad_rule" "$tmp/tree/.git/hidden.yml"
echo 'not a rule' >"$tmp/tree/a/readme.txt"
run check -q "$tmp/tree"
files=$(cut -d: -f1 "$tmp/out" | uniq | sed "s|$tmp/tree/||" | tr '\n' ' ')
check "directory walk is recursive, sorted, *.yml/*.yaml only, skips hidden (got: $files)" [ "$files" = "a/y.yaml b/z.yml " ]

for fmt in json sarif; do
    run check -q -f $fmt "$bad_rule"
    if command -v python3 >/dev/null; then
        check "$fmt output is valid JSON" python3 -c "import json,sys; json.load(open('$tmp/out'))"
    fi
done
run check -q -f sarif "$bad_rule"
check "sarif has version 2.1.0" grep -q '"version": "2.1.0"' "$tmp/out"
run check -q -f github "$bad_rule"
check "github format emits ::error annotations" grep -q '^::error file=.*,line=8,col=9,title=sigc modifier::' "$tmp/out"

echo "previous report" >"$tmp/report.txt"
run check -q -o "$tmp/report.txt" "$bad_rule"
check "-o writes the report" grep -q 'error\[modifier\]' "$tmp/report.txt"
check "-o leaves no temporary file" sh -c "[ \$(ls '$tmp' | grep -c 'report.txt.tmp') -eq 0 ]"
run check -q -o /dev/stdout "$bad_rule"
check "check -o /dev/stdout writes to standard output and keeps the link" sh -c "grep -q 'error\[modifier\]' '$tmp/out' && [ -L /dev/stdout ]"
run check -q -o "$tmp/no-such-dir/report.txt" "$bad_rule"
check "-o into a missing directory exits 3" [ $st -eq 3 ]

NO_COLOR=1 "$sigc" check -q --color auto "$bad_rule" >"$tmp/out" 2>&1
check "no ANSI escapes when not a terminal" sh -c "! grep -q \"$(printf '\033')\" '$tmp/out'"
"$sigc" check -q --color always "$bad_rule" >"$tmp/out" 2>&1
check "--color always colours" grep -q "$(printf '\033')" "$tmp/out"

# The progress line while files load: --progress always draws it (from the
# first file) and wipes it before the report; a pipe gets none by default.
run check -q --progress always "$src/rules"
check "check --progress always: files done of all, then wiped" \
    sh -c "tr '\r' '\n' <'$tmp/err' | grep -q '^sigc check: 0/5 files (0%)' && [ \"\$(head -c 1 '$tmp/err')\" = \"\$(printf '\r')\" ]"
run check -q "$src/rules"
check "check: no progress line in a pipe" sh -c "! grep -q \"\$(printf '\r')\" '$tmp/err'"
run convert -q -t suricata --progress always "$src/rules"
check "convert --progress always: the line too" sh -c "tr '\r' '\n' <'$tmp/err' | grep -q '^sigc convert: 0/5 files (0%)'"
run check --progress maybe "$src/rules"
check "--progress takes auto, always or never" sh -c "[ $st -eq 2 ] && grep -q 'progress takes auto, always or never' '$tmp/err'"

run check -q -x modifier,value_type "$bad_rule"
check "-x drops the excluded checks" sh -c "! grep -qE '\[(modifier|value_type)\]' '$tmp/out'"

cat >"$tmp/vc.yml" <<'YAML'
validators:
  - all
  - -value_type
exclusions:
  0f7b7a4e-8f3c-4c55-9d61-1a0f3b2c4d11:
    - modifier
YAML
run check -q -c "$tmp/vc.yml" "$bad_rule"
check "-c: validators switch checks off and exclusions drop a rule's findings" sh -c "[ $st -eq 0 ] && ! grep -qE '\[(modifier|value_type)\]' '$tmp/out'"
printf 'validators: [all, -no_such_check]\n' >"$tmp/vc2.yml"
run check -q -c "$tmp/vc2.yml" "$bad_rule"
check "-c with an unknown check is a usage error located in the config" sh -c "[ $st -eq 2 ] && grep -q 'vc2.yml:1:19: error' '$tmp/err'"

run list checks
check "list checks names every check id" grep -q '^yaml_duplicate_key ' "$tmp/out"
run list modifiers
check "list modifiers has base64offset" grep -qx 'base64offset' "$tmp/out"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
