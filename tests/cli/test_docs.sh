#!/bin/sh
# The manual page and the bash completion: they render and install, and they
# name every option each command's --help lists (so none falls behind); the
# completion completes commands, options and the names sigc lists.
# usage: test_docs.sh SIGC SOURCE_ROOT BUILD_ROOT
set -u
sigc=$1 src=$2 build=$3
case $sigc in /*) ;; *) sigc=$(pwd)/$sigc ;; esac
case $src in /*) ;; *) src=$(pwd)/$src ;; esac
. "$(dirname "$0")/lib.sh"
man=$src/docs/sigc.1
comp=$src/tools/completion/sigc.bash

if command -v groff >/dev/null 2>&1; then
    LC_ALL=C.UTF-8 groff -man -ww -z -Tutf8 "$man" >"$tmp/groff.err" 2>&1
    check "the man page renders without a groff warning" sh -c "[ ! -s '$tmp/groff.err' ]"
fi
# Long options of each command, from its --help.
for cmd in check convert match dump-ir; do
    "$sigc" "$cmd" --help | grep -o -- '--[a-z][a-z-]*' | sort -u >"$tmp/$cmd.opts"
    check "$cmd --help lists options" [ -s "$tmp/$cmd.opts" ]
    while read -r opt; do
        roff=$(printf '%s' "$opt" | sed 's/-/\\\\-/g')
        check "the man page documents $cmd $opt" grep -q -- "$roff" "$man"
    done <"$tmp/$cmd.opts"
done
# The completion offers, per command, exactly the options --help lists.
complete_words() { # the words typed (the last one is completed)
    bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _sigc; printf "%s\n" "${COMPREPLY[@]}"' \
        sh "$comp" "$@" 2>&1
}
PATH=$(dirname "$sigc"):$PATH
export PATH
for cmd in check convert match dump-ir; do
    complete_words "$sigc" "$cmd" -- | grep -- '^--' | sort -u >"$tmp/$cmd.comp"
    check "completion of '$cmd --' is the options of its --help" cmp -s "$tmp/$cmd.comp" "$tmp/$cmd.opts"
done
check "completion: commands" sh -c "[ \"\$(complete_words() { bash -c '. \"\$1\"; shift; COMP_WORDS=(\"\$@\"); COMP_CWORD=\$((\$# - 1)); _sigc; echo \"\${COMPREPLY[*]}\"' sh '$comp' \"\$@\"; }; complete_words '$sigc' c)\" = 'check convert' ]"
complete_words "$sigc" convert -t "" >"$tmp/targets"
check "completion: -t offers the targets sigc lists" sh -c "[ \"\$(sort '$tmp/targets' | tr '\n' ' ')\" = 'c kql spl suricata ' ]"
complete_words "$sigc" convert -t spl -p splunk- >"$tmp/pipes"
check "completion: -p offers the target's pipelines" sh -c "[ \"\$(sort '$tmp/pipes' | tr '\n' ' ')\" = 'splunk-cim splunk-generic splunk-windows ' ]"
complete_words "$sigc" check --color=al >"$tmp/color"
check "completion: --color=WHEN" sh -c "[ \"\$(cat '$tmp/color')\" = always ]"
complete_words "$sigc" check -x escaped_w >"$tmp/checks"
check "completion: -x offers check ids" sh -c "[ \"\$(cat '$tmp/checks')\" = escaped_wildcard ]"
complete_words "$sigc" list pipelines "" >"$tmp/list"
check "completion: list pipelines TARGET" grep -qx suricata "$tmp/list"

# The pre-commit hook runs its entry with the staged rule files.
entry=$(sed -n 's/^  entry: //p' "$src/.pre-commit-hooks.yaml")
check "the pre-commit hook has one entry" sh -c "[ -n '$entry' ] && [ \$(grep -c '^- id: sigc-check\$' '$src/.pre-commit-hooks.yaml') -eq 1 ]"
(cd "$src" && $entry rules/*.yml >"$tmp/hook.out" 2>&1)
check "pre-commit hook: rules/ passes" [ $? -eq 0 ]
(cd "$src" && $entry examples/lint/common_mistakes.yml >"$tmp/hook.out" 2>&1)
check "pre-commit hook: a rule with errors fails the commit, at file:line:col" \
    sh -c "[ $? -eq 1 ] && grep -q '^examples/lint/common_mistakes.yml:12:9: error\[modifier\]' '$tmp/hook.out'"
# The CI workflow's sigc steps work as written (on rules/).
grep 'run: sigc ' "$src/examples/ci/sigma-lint.yml" | sed 's/^ *run: //' >"$tmp/steps"
check "the workflow has its two sigc steps" [ "$(grep -c '' "$tmp/steps")" -eq 2 ]
while read -r step; do
    (cd "$tmp" && rm -rf rules && cp -r "$src/rules" . && $step >"$tmp/step.out" 2>&1)
    check "workflow step '$step' exits 0" [ $? -eq 0 ]
done <"$tmp/steps"
check "the workflow's SARIF report is written" grep -q '"version": *"2.1.0"' "$tmp/sigc.sarif"

# meson install puts both where man and bash-completion look.
if [ -f "$build/build.ninja" ] && command -v meson >/dev/null 2>&1; then
    meson install -C "$build" --no-rebuild --destdir "$tmp/dest" >"$tmp/install.log" 2>&1
    check "meson install succeeds" [ $? -eq 0 ]
    check "the man page is installed in man1" sh -c "find '$tmp/dest' -path '*/man/man1/sigc.1' | grep -q ."
    check "the completion is installed as completions/sigc" sh -c "find '$tmp/dest' -path '*/bash-completion/completions/sigc' | grep -q ."
fi
finish
