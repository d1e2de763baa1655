# bash completion for sigc (installed by meson into bash-completion's
# completions directory; or source it from ~/.bashrc).
# Names that sigc knows (targets, pipelines, formats, checks) come from
# `sigc list`, so the completion follows the binary it completes for.

_sigc_list() { # what to list, then an optional filter; first column only
    "${_sigc_bin:-sigc}" list "$@" 2>/dev/null | awk '{print $1}'
}

_sigc() {
    local cur prev words cword
    if declare -F _init_completion >/dev/null 2>&1; then
        _init_completion -n = || return
    else
        cur=${COMP_WORDS[COMP_CWORD]}
        prev=${COMP_WORDS[COMP_CWORD - 1]}
        words=("${COMP_WORDS[@]}")
        cword=$COMP_CWORD
    fi
    _sigc_bin=${words[0]}
    local commands="check convert match dump-ir list help"
    if [[ $cword -eq 1 ]]; then
        COMPREPLY=($(compgen -W "$commands --help --version" -- "$cur"))
        return
    fi
    local cmd=${words[1]}
    # --opt=value: complete the value
    if [[ $cur == --*=* ]]; then
        prev=${cur%%=*}
        cur=${cur#*=}
    fi
    local target="" i
    for ((i = 2; i < cword; i++)); do
        case ${words[i]} in
        -t | --target) target=${words[i + 1]} ;;
        --target=*) target=${words[i]#--target=} ;;
        esac
    done
    case $prev in
    --color | --progress)
        COMPREPLY=($(compgen -W "auto always never" -- "$cur"))
        return
        ;;
    --fail-level)
        COMPREPLY=($(compgen -W "error warning note none" -- "$cur"))
        return
        ;;
    -t | --target)
        COMPREPLY=($(compgen -W "$(_sigc_list targets)" -- "$cur"))
        return
        ;;
    -p | --pipeline)
        local t=$target
        [[ $cmd == match ]] && t=c
        COMPREPLY=($(compgen -W "$(_sigc_list pipelines $t)" -- "$cur") $(compgen -f -X '!*.y*ml' -- "$cur"))
        return
        ;;
    -f | --format)
        if [[ $cmd == check ]]; then
            COMPREPLY=($(compgen -W "text json sarif github" -- "$cur"))
        elif [[ $cmd == match ]]; then
            COMPREPLY=($(compgen -W "json csv" -- "$cur"))
        else
            COMPREPLY=($(compgen -W "$(_sigc_list formats)" -- "$cur"))
        fi
        return
        ;;
    -x | --exclude)
        COMPREPLY=($(compgen -W "$(_sigc_list checks)" -- "${cur##*,}"))
        return
        ;;
    -O | --option)
        COMPREPLY=($(compgen -W "table= index= sourcetype= sid-base=" -- "$cur"))
        compopt -o nospace 2>/dev/null
        return
        ;;
    --format | --max-file-size | --max-yaml-depth | --sid-base | --max-event | --max-groups | --max-entries | \
        --regex-match-limit)
        return
        ;;
    -o | --output | -c | --validation-config | --threshold-defaults | -r | --rules | -e | --events)
        COMPREPLY=($(compgen -f -- "$cur"))
        return
        ;;
    esac
    local opts
    case $cmd in
    check)
        opts="--format --output --fail-level --exclude --validation-config --max-file-size --max-yaml-depth
              --threshold-defaults --color --progress --quiet --help"
        ;;
    convert)
        opts="--target --pipeline --format --output --option --sid-base --skip-unsupported --threshold-defaults
              --max-file-size --color --progress --quiet --help"
        ;;
    match)
        opts="--rules --events --pipeline --skip-unsupported --threshold-defaults --color --format --no-event
              --quiet --progress --max-event --max-groups --max-entries --regex-match-limit --jobs --no-prefilter --help"
        ;;
    dump-ir) opts="--threshold-defaults --help" ;;
    list)
        if [[ $cword -eq 2 ]]; then
            COMPREPLY=($(compgen -W "targets pipelines formats checks modifiers" -- "$cur"))
        elif [[ ${words[2]} == pipelines && $cword -eq 3 ]]; then
            COMPREPLY=($(compgen -W "$(_sigc_list targets)" -- "$cur"))
        fi
        return
        ;;
    help)
        [[ $cword -eq 2 ]] && COMPREPLY=($(compgen -W "$commands" -- "$cur"))
        return
        ;;
    *) return ;;
    esac
    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$opts" -- "$cur"))
        return
    fi
    # rules (and, for match, events): files and directories
    COMPREPLY=($(compgen -f -- "$cur"))
    compopt -o filenames 2>/dev/null
}

complete -F _sigc sigc
