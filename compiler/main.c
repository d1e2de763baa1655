/* main.c - the sigc command line: the only place that prints or exits.
 *
 * Exit codes: 0 clean; 1 findings at or above --fail-level (or rules that
 * did not compile); 2 usage error; 3 I/O or internal error.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "c.h"
#include "check.h"
#include "checkconfig.h"
#include "convert.h"
#include "data.h"
#include "fileio.h"
#include "modifiers.h"
#include "render.h"
#include "rule.h"

enum { SG_EXIT_OK = 0, SG_EXIT_FINDINGS = 1, SG_EXIT_USAGE = 2, SG_EXIT_IO = 3 };

static const char sg_usage[] =
    "usage: sigc <command> [options] [PATH...]\n"
    "\n"
    "Sigma rule compiler.\n"
    "\n"
    "commands:\n"
    "  check     lint Sigma rules (files, directories, - for stdin)\n"
    "  convert   compile rules for a target: sigc convert -t kql|spl|suricata|c [-p PIPELINE] PATH...\n"
    "  match     scan log events with rules: sigc match RULES... EVENTS...\n"
    "  dump-ir   print the normalized IR of rules\n"
    "  list      list targets, pipelines, formats, checks or modifiers\n"
    "  help      show help for a command: sigc help check\n"
    "\n"
    "options:\n"
    "  -h, --help     show this help\n"
    "  --version      show the version\n";

static const char sg_check_usage[] =
    "usage: sigc check [options] PATH...\n"
    "\n"
    "Loads every rule (directories are walked for *.yml and *.yaml, sorted; - reads\n"
    "standard input), compiles it to the IR and runs every check.  Findings are\n"
    "printed as file:line:col: severity[check-id]: message.\n"
    "\n"
    "options:\n"
    "  -f, --format FMT         text (default), json, sarif, github\n"
    "  -o, --output FILE        write the report to FILE instead of standard output\n"
    "  --fail-level LEVEL       exit 1 when a finding is at least LEVEL:\n"
    "                           error (default), warning, note, none\n"
    "  -x, --exclude ID[,ID]    disable checks (repeatable); see sigc list checks\n"
    "  -c, --validation-config F  sigma-cli's validation config (validators: [all, -id],\n"
    "                           exclusions: {rule-id: [id]}), as SigmaHQ's CI uses it\n"
    "  --max-file-size BYTES    refuse larger rule files (default 1048576)\n"
    "  --max-yaml-depth N       refuse deeper YAML nesting (default 64)\n"
    "  --threshold-defaults F   threshold defaults file (default: built in)\n"
    "  --color WHEN             auto (default), always, never; NO_COLOR is honoured\n"
    "  --progress WHEN          a progress line on standard error while files load:\n"
    "                           auto (when it is a terminal, default), always, never\n"
    "  -q, --quiet              no summary line on standard error\n"
    "  -h, --help               show this help\n"
    "\n"
    "exit status: 0 clean, 1 findings at or above --fail-level, 2 usage error,\n"
    "3 I/O or internal error.\n";

static const char sg_dump_usage[] =
    "usage: sigc dump-ir [options] PATH...\n"
    "\n"
    "Prints the normalized IR of every rule, the form every backend reads.\n"
    "Diagnostics go to standard error.\n"
    "\n"
    "options:\n"
    "  --threshold-defaults F   threshold defaults file (default: built in)\n"
    "  -h, --help               show this help\n";

static const char sg_convert_usage[] =
    "usage: sigc convert -t TARGET [-p PIPELINE]... [-f FORMAT] [-o OUT] PATH...\n"
    "\n"
    "Compiles Sigma rules (files, directories, - for stdin) into queries for a\n"
    "target.  Every error of the run is reported, each at file:line:col.\n"
    "\n"
    "options:\n"
    "  -t, --target NAME        the backend: kql, spl, c, suricata (see 'sigc list\n"
    "                           targets'); c writes one standalone matcher program for\n"
    "                           all rules (default pipeline windows-events), suricata\n"
    "                           one rules file (default pipeline suricata)\n"
    "  -p, --pipeline P         a built-in pipeline name or a pipeline file; repeat to\n"
    "                           apply several in order (see 'sigc list pipelines')\n"
    "  -f, --format FMT         default (one query per rule), json, savedsearches (spl),\n"
    "                           sentinel (kql); see 'sigc list formats'\n"
    "  -o, --output OUT         write to OUT (written only when the run succeeds);\n"
    "                           OUT/ (a directory) writes one file per rule, named by id\n"
    "  -O, --option KEY=VALUE   table=NAME (KQL table for rules no pipeline placed),\n"
    "                           index=NAME, sourcetype=NAME (SPL conditions in front),\n"
    "                           sid-base=N (Suricata)\n"
    "  --sid-base N             Suricata sids: each rule a block of 100 from N plus a\n"
    "                           hash of its id (default 1000000000)\n"
    "  -s, --skip-unsupported   convert what converts, list the rest, exit 0\n"
    "  --threshold-defaults F   threshold defaults file (default: built in)\n"
    "  --max-file-size BYTES    refuse larger rule files (default 1048576)\n"
    "  --color WHEN             auto (default), always, never, for diagnostics\n"
    "  --progress WHEN          a progress line on standard error while files load:\n"
    "                           auto (when it is a terminal, default), always, never\n"
    "  -q, --quiet              no summary line on standard error\n"
    "  -h, --help               show this help\n"
    "\n"
    "exit status: 0 every rule converted (or --skip-unsupported), 1 a rule did not\n"
    "convert, 2 usage error, 3 I/O error.\n";

static const char sg_match_usage[] =
    "usage: sigc match [options] RULES... EVENTS...\n"
    "\n"
    "Scans log events with Sigma rules, as the program 'sigc convert -t c' writes\n"
    "would, without a C compiler.  Arguments that are directories or end in .yml or\n"
    ".yaml are rules; the others are events: JSON lines or pretty-printed JSON\n"
    "(flat, or the evtx_dump layout), .evtx files, - for standard input.  Prints\n"
    "one JSON line per match (rule, time, file and line or record, the event; for\n"
    "thresholds and correlations the group, count and window) and a summary on\n"
    "standard error.\n"
    "\n"
    "options:\n"
    "  -r, --rules PATH         PATH holds rules, whatever its name\n"
    "  -e, --events PATH        PATH holds events, whatever its name\n"
    "  -p, --pipeline P         pipeline (default windows-events: SigmaHQ's log-source\n"
    "                           map, Windows EventID and Channel)\n"
    "  -s, --skip-unsupported   scan with the rules that compile, list the rest\n"
    "  --threshold-defaults F   threshold defaults file (default: built in)\n"
    "  --color WHEN             auto (default), always, never, for diagnostics\n"
    "%s"
    "  -h, --help               show this help\n"
    "\n"
    "exit status: 0 no match, 1 matches (or a rule did not compile), 2 usage error,\n"
    "3 an input could not be read.\n";

__attribute__((format(printf, 2, 3))) static void sg_usage_error(const char *cmd, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "sigc%s%s: ", cmd ? " " : "", cmd ? cmd : "");
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry 'sigc %s%s--help' for more information.\n", cmd ? cmd : "", cmd ? " " : "");
}

static bool sg_parse_size(const char *s, size_t *out) {
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s || *end || s[0] == '-') return false;
    *out = (size_t)v;
    return true;
}

/* The progress line of a long load (thousands of rule files) on stderr:
 * when it is a terminal (--progress auto, from half a second in, so a short
 * run shows nothing) or always (from the first file); redrawn at most four
 * times a second, and cleared when the load ends, before any report. */
typedef struct sg_progress {
    bool on;
    int len;      /* characters shown now (0: no line) */
    double t0, next;
    double delay; /* auto: nothing in the first half second; always: from the start */
} sg_progress;

static double sg_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* WHEN of --color and --progress: auto, always or never. */
static bool sg_when_ok(const char *when) {
    return strcmp(when, "auto") == 0 || strcmp(when, "always") == 0 || strcmp(when, "never") == 0;
}

static void sg_progress_start(sg_progress *p, const char *when) {
    memset(p, 0, sizeof *p);
    p->on = strcmp(when, "always") == 0 || (strcmp(when, "auto") == 0 && isatty(STDERR_FILENO));
    p->t0 = p->next = sg_now();
    p->delay = strcmp(when, "always") == 0 ? 0 : 0.5;
}

static void sg_progress_show(sg_progress *p, const char *cmd, size_t done, size_t total) {
    if (!p->on) return;
    double now = sg_now();
    if (now < p->next || now - p->t0 < p->delay) return;
    p->next = now + 0.25;
    char line[128];
    int len = snprintf(line, sizeof line, "sigc %s: %zu/%zu files (%zu%%)", cmd, done, total,
                       total ? done * 100 / total : 100);
    if (len < 0) return;
    if (len >= (int)sizeof line) len = (int)sizeof line - 1;
    fprintf(stderr, "\r%s%*s", line, p->len > len ? p->len - len : 0, "");
    fflush(stderr);
    p->len = len;
}

static void sg_progress_clear(sg_progress *p) {
    if (!p->len) return;
    fprintf(stderr, "\r%*s\r", p->len, "");
    fflush(stderr);
    p->len = 0;
}

typedef struct sg_run {
    sg_diags diags;
    sg_ruleset rs;
    sg_pathlist paths;
    bool io_error;
    const char *cmd;      /* for the progress line */
    sg_progress progress;
} sg_run;

static int sg_load_defaults(sg_run *run, const char *path) {
    if (!path) return sg_ruleset_load_defaults(&run->rs, "<built-in thresholds.yml>", sg_data_thresholds,
                                               sg_data_thresholds_len);
    char *data;
    size_t len;
    sg_read_status st = sg_read_file(path, run->rs.opts.max_file_size, &data, &len);
    if (st != SG_READ_OK) {
        fprintf(stderr, "sigc: cannot read threshold defaults '%s': %s\n", path,
                st == SG_READ_TOO_LARGE ? "file too large" : strerror(errno));
        return -2;
    }
    int rc = sg_ruleset_load_defaults(&run->rs, path, data, len);
    free(data);
    return rc;
}

/* Expands the arguments, reads and compiles every file; with a checker,
 * each file's rules are checked right after they load. */
static void sg_load_inputs(sg_run *run, char **args, int nargs, sg_checker *checker) {
    for (int i = 0; i < nargs; i++) {
        if (sg_collect_paths(args[i], &run->paths) != 0) {
            sg_diag_add(&run->diags, SG_D_IO, (sg_loc){args[i], 0, 0}, "cannot read directory: %s", strerror(errno));
            run->io_error = true;
        }
    }
    for (size_t i = 0; i < run->paths.count; i++) {
        const char *path = run->paths.items[i];
        const char *shown = strcmp(path, "-") == 0 ? "<stdin>" : path;
        sg_progress_show(&run->progress, run->cmd ? run->cmd : "", i, run->paths.count);
        char *data;
        size_t len;
        sg_read_status st = sg_read_file(path, run->rs.opts.max_file_size, &data, &len);
        if (st == SG_READ_TOO_LARGE) {
            sg_diag_add(&run->diags, SG_D_LIMIT_FILE_SIZE, (sg_loc){shown, 0, 0},
                        "file is larger than the limit of %zu bytes (--max-file-size)", run->rs.opts.max_file_size);
            continue;
        }
        if (st == SG_READ_ERROR) {
            sg_diag_add(&run->diags, SG_D_IO, (sg_loc){shown, 0, 0}, "cannot read file: %s", strerror(errno));
            run->io_error = true;
            continue;
        }
        size_t first = run->rs.n_rules;
        sg_ruleset_add_file(&run->rs, shown, data, len);
        free(data);
        for (size_t r = first; checker && r < run->rs.n_rules; r++) sg_check_rule(checker, run->rs.rules[r]);
    }
    sg_ruleset_resolve(&run->rs);
    sg_progress_clear(&run->progress);
}

static bool opendir_is_dir(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static bool sg_want_color(const char *when, FILE *f) {
    if (strcmp(when, "always") == 0) return true;
    if (strcmp(when, "never") == 0) return false;
    const char *nc = getenv("NO_COLOR");
    if (nc && *nc) return false;
    const char *term = getenv("TERM");
    if (term && strcmp(term, "dumb") == 0) return false;
    return isatty(fileno(f));
}

/* Writes data to path through a temporary file in the same directory and a
 * rename, so a reader never sees a partial file.  Paths that are not
 * regular files (a pipe, /dev/stdout) are written directly.  With
 * tmp_out, the temporary file is left for the caller to rename. */
static int sg_write_atomic(const char *path, const char *data, size_t len, char **tmp_out) {
    /* Device and process paths (/dev/stdout, /proc/self/fd/N) and anything
     * that is not a regular file are written in place: renaming over them
     * would replace the device node or link itself.  A symbolic link to a
     * regular file is followed, so the link stays and its target changes. */
    struct stat st;
    bool exists = stat(path, &st) == 0;
    if (tmp_out && exists && !S_ISREG(st.st_mode)) {
        /* One of several files renamed into place together (-o DIR/): a
         * directory, pipe or device of that name cannot be one of them. */
        errno = S_ISDIR(st.st_mode) ? EISDIR : EEXIST;
        return -1;
    }
    bool special = !tmp_out && (strncmp(path, "/dev/", 5) == 0 || strncmp(path, "/proc/", 6) == 0);
    if (special || (exists && !S_ISREG(st.st_mode))) {
        FILE *f = fopen(path, "w");
        if (!f) return -1;
        size_t w = fwrite(data, 1, len, f);
        int rc = fclose(f);
        return w == len && rc == 0 ? 0 : -1;
    }
    char *resolved = NULL;
    if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode)) {
        resolved = realpath(path, NULL);
        if (!resolved) return -1;
        path = resolved;
    }
    size_t n = strlen(path) + 16;
    char *tmp = sg_xmalloc(n);
    snprintf(tmp, n, "%s.tmpXXXXXX", path);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        free(tmp);
        free(resolved);
        return -1;
    }
    /* mkstemp makes the file 0600: give it the mode the file it replaces
     * had, or what a plain fopen would (0666 less the umask). */
    mode_t mode;
    if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
        mode = st.st_mode & 07777;
    } else {
        mode_t mask = umask(0);
        umask(mask);
        mode = 0666 & ~mask;
    }
    bool ok = fchmod(fd, mode) == 0;
    FILE *f = fdopen(fd, "w");
    ok = ok && f && fwrite(data, 1, len, f) == len;
    if (f) ok &= fflush(f) == 0 && fsync(fd) == 0;
    if (f ? fclose(f) != 0 : close(fd) != 0) ok = false;
    if (ok && tmp_out) {
        *tmp_out = tmp;
        free(resolved);
        return 0;
    }
    if (ok && rename(tmp, path) == 0) {
        free(tmp);
        free(resolved);
        return 0;
    }
    int saved = errno;
    unlink(tmp);
    free(tmp);
    free(resolved);
    errno = saved;
    return -1;
}

enum {
    OPT_FAIL_LEVEL = 256,
    OPT_MAX_FILE_SIZE,
    OPT_MAX_YAML_DEPTH,
    OPT_THRESHOLD_DEFAULTS,
    OPT_COLOR,
    OPT_PROGRESS,
};

static int sg_cmd_check_or_dump(int argc, char **argv, bool dump) {
    const char *cmd = dump ? "dump-ir" : "check";
    static const struct option longopts[] = {
        {"format", required_argument, NULL, 'f'},
        {"output", required_argument, NULL, 'o'},
        {"fail-level", required_argument, NULL, OPT_FAIL_LEVEL},
        {"exclude", required_argument, NULL, 'x'},
        {"validation-config", required_argument, NULL, 'c'},
        {"max-file-size", required_argument, NULL, OPT_MAX_FILE_SIZE},
        {"max-yaml-depth", required_argument, NULL, OPT_MAX_YAML_DEPTH},
        {"threshold-defaults", required_argument, NULL, OPT_THRESHOLD_DEFAULTS},
        {"color", required_argument, NULL, OPT_COLOR},
        {"progress", required_argument, NULL, OPT_PROGRESS},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    sg_run run;
    memset(&run, 0, sizeof run);
    sg_diags_init(&run.diags);
    sg_options opts = sg_default_options;
    sg_report_format fmt = SG_REPORT_TEXT;
    sg_severity fail_level = SG_SEV_ERROR;
    bool fail_never = false, quiet = false;
    const char *defaults_path = NULL, *color = "auto", *output = NULL, *progress = "auto";
    int c;
    optind = 1;
    const char *config_path = NULL;
    while ((c = getopt_long(argc, argv, dump ? "h" : "f:o:x:c:qh", longopts, NULL)) != -1) {
        switch (c) {
        case 'f':
            if (!sg_report_format_parse(optarg, &fmt)) {
                sg_usage_error(cmd, "unknown format '%s' (text, json, sarif, github)", optarg);
                return SG_EXIT_USAGE;
            }
            break;
        case 'o': output = optarg; break;
        case 'c': config_path = optarg; break;
        case OPT_FAIL_LEVEL:
            if (strcmp(optarg, "none") == 0) fail_never = true;
            else if (!sg_severity_parse(optarg, &fail_level)) {
                sg_usage_error(cmd, "unknown level '%s' (error, warning, note, none)", optarg);
                return SG_EXIT_USAGE;
            }
            break;
        case 'x': {
            char *list = sg_xstrdup(optarg), *save = NULL;
            for (char *tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
                sg_diag_id id = sg_diag_lookup(tok);
                if (id == SG_D__COUNT) {
                    sg_usage_error(cmd, "unknown check '%s' (see 'sigc list checks')", tok);
                    free(list);
                    return SG_EXIT_USAGE;
                }
                run.diags.disabled[id] = true;
            }
            free(list);
            break;
        }
        case OPT_MAX_FILE_SIZE:
            if (!sg_parse_size(optarg, &opts.max_file_size) || opts.max_file_size == 0) {
                sg_usage_error(cmd, "--max-file-size needs a positive number of bytes, not '%s'", optarg);
                return SG_EXIT_USAGE;
            }
            break;
        case OPT_MAX_YAML_DEPTH: {
            size_t d;
            if (!sg_parse_size(optarg, &d) || d == 0 || d > 10000) {
                sg_usage_error(cmd, "--max-yaml-depth needs a number from 1 to 10000, not '%s'", optarg);
                return SG_EXIT_USAGE;
            }
            opts.yaml.max_depth = (unsigned)d;
            break;
        }
        case OPT_THRESHOLD_DEFAULTS: defaults_path = optarg; break;
        case OPT_COLOR:
            if (!sg_when_ok(optarg)) {
                sg_usage_error(cmd, "--color takes auto, always or never, not '%s'", optarg);
                return SG_EXIT_USAGE;
            }
            color = optarg;
            break;
        case OPT_PROGRESS:
            if (!sg_when_ok(optarg)) {
                sg_usage_error(cmd, "--progress takes auto, always or never, not '%s'", optarg);
                return SG_EXIT_USAGE;
            }
            progress = optarg;
            break;
        case 'q': quiet = true; break;
        case 'h': fputs(dump ? sg_dump_usage : sg_check_usage, stdout); return SG_EXIT_OK;
        default: sg_usage_error(cmd, "%s", "invalid option"); return SG_EXIT_USAGE;
        }
    }
    if (optind >= argc) {
        sg_usage_error(cmd, "%s", "no rule files given (use - for standard input)");
        return SG_EXIT_USAGE;
    }
    sg_ruleset_init(&run.rs, &opts, &run.diags);
    sg_check_config cfg = {0};
    bool have_cfg = false;
    int status = SG_EXIT_OK;
    if (config_path) {
        char *data;
        size_t len;
        if (sg_read_file(config_path, opts.max_file_size, &data, &len) != SG_READ_OK) {
            fprintf(stderr, "sigc check: cannot read validation config '%s': %s\n", config_path, strerror(errno));
            status = SG_EXIT_IO;
            goto done;
        }
        sg_diags cfg_diags;
        sg_diags_init(&cfg_diags);
        int crc = sg_check_config_load(&cfg, config_path, data, len, &cfg_diags);
        free(data);
        have_cfg = true;
        sg_report_opts cro = {sg_want_color(color, stderr), SIGC_VERSION};
        sg_report_write(stderr, &cfg_diags, SG_REPORT_TEXT, &cro);
        sg_diags_free(&cfg_diags);
        if (crc != 0) {
            status = SG_EXIT_USAGE;
            goto done;
        }
        sg_check_config_disable(&cfg, &run.diags);
    }
    int drc = sg_load_defaults(&run, defaults_path);
    if (drc == -2) {
        status = SG_EXIT_IO;
        goto done;
    }
    sg_checker *checker = dump ? NULL : sg_checker_new(&run.rs);
    run.cmd = cmd;
    sg_progress_start(&run.progress, progress);
    sg_load_inputs(&run, argv + optind, argc - optind, checker);
    if (checker) sg_checker_finish(checker);
    if (have_cfg) sg_check_config_filter(&cfg, &run.diags);
    sg_diags_sort(&run.diags);

    FILE *out = stdout;
    if (dump) {
        sg_buf b;
        sg_buf_init(&b);
        for (size_t i = 0; i < run.rs.n_rules; i++) {
            sg_rule *r = run.rs.rules[i];
            sg_buf_printf(&b, "# %s (document %zu)\n", r->file, r->doc_index + 1);
            if (r->has_errors) sg_buf_add_cstr(&b, "(not compiled: see diagnostics)\n");
            else sg_ir_dump(&b, r->ir);
            sg_buf_add_byte(&b, '\n');
        }
        fwrite(b.data ? b.data : "", 1, b.len, stdout);
        sg_buf_free(&b);
        sg_report_opts ro = {sg_want_color(color, stderr), SIGC_VERSION};
        sg_report_write(stderr, &run.diags, SG_REPORT_TEXT, &ro);
        if (fflush(stdout) != 0 || ferror(stdout)) {
            fprintf(stderr, "sigc dump-ir: cannot write the output\n");
            status = SG_EXIT_IO;
        } else if (run.io_error) status = SG_EXIT_IO;
        else if (run.diags.by_severity[SG_SEV_ERROR]) status = SG_EXIT_FINDINGS;
        goto done;
    }
    /* With -o the report is built in memory and written through
     * sg_write_atomic: the old report stays until the new one is complete. */
    bool to_file = output && strcmp(output, "-") != 0;
    char *mem = NULL;
    size_t mem_len = 0;
    if (to_file && !(out = open_memstream(&mem, &mem_len))) sg_out_of_memory();
    sg_report_opts ro = {fmt == SG_REPORT_TEXT && !to_file && sg_want_color(color, out), SIGC_VERSION};
    int wrc = sg_report_write(out, &run.diags, fmt, &ro);
    if (to_file) {
        if (fclose(out) != 0) wrc = -1;
        if (wrc == 0) wrc = sg_write_atomic(output, mem, mem_len, NULL);
        free(mem);
    } else if (fflush(stdout) != 0) {
        wrc = -1;
    }
    if (!quiet) {
        fprintf(stderr, "sigc: %zu file%s, %zu rule%s: %zu error%s, %zu warning%s, %zu note%s\n", run.paths.count,
                run.paths.count == 1 ? "" : "s", run.rs.n_rules, run.rs.n_rules == 1 ? "" : "s",
                run.diags.by_severity[SG_SEV_ERROR], run.diags.by_severity[SG_SEV_ERROR] == 1 ? "" : "s",
                run.diags.by_severity[SG_SEV_WARNING], run.diags.by_severity[SG_SEV_WARNING] == 1 ? "" : "s",
                run.diags.by_severity[SG_SEV_NOTE], run.diags.by_severity[SG_SEV_NOTE] == 1 ? "" : "s");
    }
    if (wrc != 0) {
        fprintf(stderr, "sigc check: write error: %s\n", strerror(errno));
        status = SG_EXIT_IO;
    } else if (run.io_error) {
        status = SG_EXIT_IO;
    } else if (!fail_never) {
        for (int s = fail_level; s <= SG_SEV_ERROR; s++)
            if (run.diags.by_severity[s]) status = SG_EXIT_FINDINGS;
    }
done:
    if (have_cfg) sg_check_config_free(&cfg);
    sg_ruleset_free(&run.rs);
    sg_pathlist_free(&run.paths);
    sg_diags_free(&run.diags);
    return status;
}

/* ---- sigc convert ---- */

/* Loads every built-in pipeline serving target (for -p by name and hints). */
static size_t sg_load_builtin_pipelines(sg_ruleset *rs, const char *target, sg_pipeline ***out) {
    size_t n = 0;
    *out = sg_xmalloc((sg_n_builtin_pipelines + 1) * sizeof **out);
    for (size_t i = 0; i < sg_n_builtin_pipelines; i++) {
        const sg_builtin_pipeline *b = &sg_builtin_pipelines[i];
        sg_pipeline *p = sg_pipeline_load(rs, b->name, b->data, b->len, true);
        if (p && (!target || sg_pipeline_serves(p, target))) (*out)[n++] = p;
    }
    return n;
}

/* A name safe as a file name: the rule id when it is one, else the index. */
static void sg_rule_file_name(sg_buf *b, const sg_converted *c, size_t index, const char *ext) {
    sg_str id = c->rule->ir->meta.id;
    bool safe = id.len > 0 && id.len <= 128 && !(id.len <= 2 && id.ptr[0] == '.');
    for (size_t i = 0; safe && i < id.len; i++) {
        char ch = id.ptr[i];
        safe = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '-' ||
               ch == '_' || ch == '.';
    }
    if (safe) sg_buf_add_str(b, id);
    else sg_buf_printf(b, "rule-%04zu", index + 1);
    sg_buf_add_cstr(b, ext);
}

/* -o DIR/: every file is written to a temporary first; only when all are
 * written are they renamed into place.  On any failure none is, and
 * *failed names the file that could not be written. */
static int sg_write_dir(const char *dir, const sg_backend *be, sg_out_format fmt, const sg_convert_result *res,
                        sg_diags *diags, sg_buf *failed) {
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) return -1;
    char **tmps = sg_xmalloc((res->count + 1) * sizeof *tmps);
    char **finals = sg_xmalloc((res->count + 1) * sizeof *finals);
    size_t done = 0;
    int rc = 0;
    sg_buf path, body;
    sg_buf_init(&path);
    sg_buf_init(&body);
    for (size_t i = 0; i < res->count && rc == 0; i++) {
        sg_buf_reset(&path);
        sg_buf_reset(&body);
        sg_buf_printf(&path, "%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/");
        sg_rule_file_name(&path, &res->items[i], i, sg_out_format_ext(be, fmt));
        if (fmt == SG_OUT_SAVEDSEARCHES)
            sg_buf_add_cstr(&body, "[default]\ndispatch.earliest_time = -30d\ndispatch.latest_time = now\n\n");
        if (sg_convert_format_one(be, fmt, &res->items[i], diags, &body) != 0) {
            errno = EINVAL;
            rc = -1;
            break;
        }
        if (fmt == SG_OUT_JSON) sg_buf_add_byte(&body, '\n');
        for (size_t j = 0; j < done && rc == 0; j++)
            if (strcmp(finals[j], path.data) == 0) {
                errno = EEXIST;
                rc = -1; /* two rules with one id would overwrite each other */
            }
        if (rc == 0 && sg_write_atomic(path.data, body.data ? body.data : "", body.len, &tmps[done]) == 0)
            finals[done++] = sg_xstrdup(path.data);
        else
            rc = -1;
    }
    int saved = errno;
    if (rc != 0 && path.len) sg_buf_add_cstr(failed, path.data);
    for (size_t j = 0; j < done; j++) {
        if (rc == 0 && rename(tmps[j], finals[j]) != 0) {
            rc = -1, saved = errno;
            sg_buf_add_cstr(failed, finals[j]);
        }
        if (rc != 0) unlink(tmps[j]);
        free(tmps[j]);
        free(finals[j]);
    }
    free(tmps);
    free(finals);
    sg_buf_free(&path);
    sg_buf_free(&body);
    errno = saved;
    return rc;
}

/* -p arguments: built-in pipelines by name, or files.  Returns SG_EXIT_OK,
 * SG_EXIT_USAGE or SG_EXIT_IO (reported), or SG_EXIT_FINDINGS after
 * diagnostics in run. */
static int sg_pick_pipelines(sg_run *run, const char *cmd, const char *target, const char **pipe_args,
                             size_t n_pipe_args, sg_pipeline **known, size_t n_known, sg_pipeline **pipes,
                             size_t *n_pipes, size_t max_file_size) {
    for (size_t i = 0; i < n_pipe_args; i++) {
        sg_pipeline *p = NULL;
        for (size_t k = 0; k < n_known && !p; k++)
            if (sg_str_eq_cstr(known[k]->name, pipe_args[i])) p = known[k];
        if (!p) {
            struct stat st;
            if (stat(pipe_args[i], &st) != 0) {
                sg_usage_error(cmd, "'%s' is neither a built-in pipeline for this target nor a file (see 'sigc list pipelines')",
                               pipe_args[i]);
                return SG_EXIT_USAGE;
            }
            char *data;
            size_t len;
            if (sg_read_file(pipe_args[i], max_file_size, &data, &len) != SG_READ_OK) {
                fprintf(stderr, "sigc %s: cannot read pipeline '%s': %s\n", cmd, pipe_args[i], strerror(errno));
                return SG_EXIT_IO;
            }
            p = sg_pipeline_load(&run->rs, pipe_args[i], data, len, false);
            free(data);
            if (p && !sg_pipeline_serves(p, target)) {
                sg_diag_add(&run->diags, SG_D_PIPELINE, (sg_loc){pipe_args[i], 0, 0},
                            "pipeline '%.*s' does not serve target '%s'", SG_STR_ARG(p->name), target);
                p = NULL;
            }
            if (!p) return SG_EXIT_FINDINGS;
        }
        pipes[(*n_pipes)++] = p;
    }
    return SG_EXIT_OK;
}

/* A target that writes one output for all converted rules. */
static int sg_emit_all(const sg_backend *be, const sg_convert_result *res, sg_diags *diags, sg_buf *out) {
    const sg_ir_rule **irs = sg_xmalloc((res->count + 1) * sizeof *irs);
    for (size_t i = 0; i < res->count; i++) irs[i] = res->items[i].ir;
    int rc = be->emit_all(diags, irs, res->count, out);
    free(irs);
    return rc;
}

enum { OPT_SKIP = 300, OPT_SID_BASE };

static int sg_cmd_convert(int argc, char **argv) {
    static const struct option longopts[] = {
        {"target", required_argument, NULL, 't'},
        {"pipeline", required_argument, NULL, 'p'},
        {"format", required_argument, NULL, 'f'},
        {"output", required_argument, NULL, 'o'},
        {"skip-unsupported", no_argument, NULL, 's'},
        {"option", required_argument, NULL, 'O'},
        {"sid-base", required_argument, NULL, OPT_SID_BASE},
        {"threshold-defaults", required_argument, NULL, OPT_THRESHOLD_DEFAULTS},
        {"max-file-size", required_argument, NULL, OPT_MAX_FILE_SIZE},
        {"color", required_argument, NULL, OPT_COLOR},
        {"progress", required_argument, NULL, OPT_PROGRESS},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *target = NULL, *output = NULL, *defaults_path = NULL, *color = "auto", *progress = "auto";
    const char **pipe_args = sg_xmalloc((size_t)argc * sizeof *pipe_args);
    size_t n_pipe_args = 0;
    sg_out_format fmt = SG_OUT_DEFAULT;
    bool skip = false, quiet = false;
    sg_options opts = sg_default_options;
    int c, status = SG_EXIT_OK;
    optind = 1;
    sg_convert_opts copts = {{NULL, 0}, {NULL, 0}, {NULL, 0}};
    const char *target_opts[16];
    size_t n_target_opts = 0;
    char sid_base_opt[64];
    while ((c = getopt_long(argc, argv, "t:p:f:o:O:sqh", longopts, NULL)) != -1) {
        switch (c) {
        case 't': target = optarg; break;
        case 'O': {
            const char *eq = strchr(optarg, '=');
            sg_str *slot = NULL;
            if (eq && eq[1]) {
                sg_str key = {optarg, (size_t)(eq - optarg)};
                if (sg_str_eq_cstr(key, "table")) slot = &copts.table;
                else if (sg_str_eq_cstr(key, "index")) slot = &copts.index;
                else if (sg_str_eq_cstr(key, "sourcetype")) slot = &copts.sourcetype;
            }
            if (!slot && eq && n_target_opts < 16) { /* the target's own: checked once the target is known */
                target_opts[n_target_opts++] = optarg;
                break;
            }
            if (!slot) {
                sg_usage_error("convert", "unknown option '%s' (table=NAME, index=NAME, sourcetype=NAME, sid-base=N)",
                               optarg);
                free(pipe_args);
                return SG_EXIT_USAGE;
            }
            *slot = sg_str_from_cstr(eq + 1);
            break;
        }
        case OPT_SID_BASE:
            if (n_target_opts < 16) {
                snprintf(sid_base_opt, sizeof sid_base_opt, "sid-base=%s", optarg);
                target_opts[n_target_opts++] = sid_base_opt;
            }
            break;
        case 'p': pipe_args[n_pipe_args++] = optarg; break;
        case 'f':
            if (!sg_out_format_parse(optarg, &fmt)) {
                sg_usage_error("convert", "unknown format '%s' (see 'sigc list formats')", optarg);
                free(pipe_args);
                return SG_EXIT_USAGE;
            }
            break;
        case 'o': output = optarg; break;
        case 's': skip = true; break;
        case 'q': quiet = true; break;
        case OPT_THRESHOLD_DEFAULTS: defaults_path = optarg; break;
        case OPT_MAX_FILE_SIZE:
            if (!sg_parse_size(optarg, &opts.max_file_size) || opts.max_file_size == 0) {
                sg_usage_error("convert", "--max-file-size needs a positive number of bytes, not '%s'", optarg);
                free(pipe_args);
                return SG_EXIT_USAGE;
            }
            break;
        case OPT_COLOR:
            if (!sg_when_ok(optarg)) {
                sg_usage_error("convert", "--color takes auto, always or never, not '%s'", optarg);
                free(pipe_args);
                return SG_EXIT_USAGE;
            }
            color = optarg;
            break;
        case OPT_PROGRESS:
            if (!sg_when_ok(optarg)) {
                sg_usage_error("convert", "--progress takes auto, always or never, not '%s'", optarg);
                free(pipe_args);
                return SG_EXIT_USAGE;
            }
            progress = optarg;
            break;
        case 'h': fputs(sg_convert_usage, stdout); free(pipe_args); return SG_EXIT_OK;
        default: sg_usage_error("convert", "%s", "invalid option"); free(pipe_args); return SG_EXIT_USAGE;
        }
    }
    const sg_backend *be = target ? sg_backend_find(target) : NULL;
    const char *fmt_target = sg_out_format_target(fmt);
    if (be && fmt_target && strcmp(fmt_target, target) != 0) {
        sg_usage_error("convert", "this format is for target '%s'", fmt_target);
        free(pipe_args);
        return SG_EXIT_USAGE;
    }
    if (!target || !be) {
        if (!target) sg_usage_error("convert", "%s", "no target given (-t; see 'sigc list targets')");
        else sg_usage_error("convert", "unknown target '%s' (see 'sigc list targets')", target);
        free(pipe_args);
        return SG_EXIT_USAGE;
    }
    for (size_t i = 0; i < n_target_opts; i++) {
        const char *eq = strchr(target_opts[i], '=');
        char key[64];
        snprintf(key, sizeof key, "%.*s", (int)(eq - target_opts[i]), target_opts[i]);
        int rc = be->set_option ? be->set_option(key, eq + 1) : -1;
        if (rc != 0) {
            if (rc == -2) sg_usage_error("convert", "target '%s' cannot take %s", target, target_opts[i]);
            else sg_usage_error("convert", "unknown option '%s' for target '%s'", target_opts[i], target);
            free(pipe_args);
            return SG_EXIT_USAGE;
        }
    }
    if (optind >= argc) {
        sg_usage_error("convert", "%s", "no rule files given (use - for standard input)");
        free(pipe_args);
        return SG_EXIT_USAGE;
    }
    bool to_dir = output && (output[strlen(output) - 1] == '/' || (access(output, F_OK) == 0 && opendir_is_dir(output)));
    if (be->emit_all && (fmt != SG_OUT_DEFAULT || to_dir)) {
        sg_usage_error("convert", "target '%s' writes one program for all rules: no -f, and -o names a file", target);
        free(pipe_args);
        return SG_EXIT_USAGE;
    }
    /* a target's own default pipeline when none is named */
    if (n_pipe_args == 0 && strcmp(target, "c") == 0) pipe_args[n_pipe_args++] = "windows-events";
    if (n_pipe_args == 0 && strcmp(target, "suricata") == 0) pipe_args[n_pipe_args++] = "suricata";
    sg_run run;
    memset(&run, 0, sizeof run);
    sg_diags_init(&run.diags);
    sg_ruleset_init(&run.rs, &opts, &run.diags);
    sg_pipeline **known = NULL, **pipes = sg_xmalloc((n_pipe_args + 1) * sizeof *pipes);
    size_t n_known = sg_load_builtin_pipelines(&run.rs, target, &known), n_pipes = 0;
    sg_convert_result res = {0};
    sg_buf out;
    sg_buf_init(&out);
    status = sg_pick_pipelines(&run, "convert", target, pipe_args, n_pipe_args, known, n_known, pipes, &n_pipes,
                               opts.max_file_size);
    if (status == SG_EXIT_FINDINGS) goto report;
    if (status != SG_EXIT_OK) goto done;
    if (sg_load_defaults(&run, defaults_path) == -2) {
        status = SG_EXIT_IO;
        goto done;
    }
    run.cmd = "convert";
    sg_progress_start(&run.progress, progress);
    sg_load_inputs(&run, argv + optind, argc - optind, NULL);
    sg_convert(&run.rs, be, pipes, n_pipes, known, n_known, &copts, &res);
    /* An error that belongs to no converted rule (a file over the size
     * limit, YAML that does not load, a document that is no rule) fails the
     * run as a rule that does not convert does. */
    if (run.io_error) status = SG_EXIT_IO;
    else if ((res.n_skipped || run.diags.by_severity[SG_SEV_ERROR]) && !skip) status = SG_EXIT_FINDINGS;
    if (status == SG_EXIT_OK) {
        if (to_dir) {
            sg_buf failed;
            sg_buf_init(&failed);
            if (sg_write_dir(output, be, fmt, &res, &run.diags, &failed) != 0) {
                fprintf(stderr, "sigc convert: cannot write '%s': %s (nothing written to '%s')\n",
                        failed.len ? failed.data : output, strerror(errno), output);
                status = SG_EXIT_IO;
            }
            sg_buf_free(&failed);
        } else {
            int wrc;
            if (be->emit_all ? sg_emit_all(be, &res, &run.diags, &out) != 0
                             : sg_convert_format_all(be, fmt, &res, &run.diags, &out) != 0) {
                status = SG_EXIT_FINDINGS; /* located diagnostics say which rule; nothing written */
                goto report;
            }
            if (!output || strcmp(output, "-") == 0) {
                wrc = fwrite(out.data ? out.data : "", 1, out.len, stdout) == out.len && fflush(stdout) == 0 ? 0 : -1;
            } else {
                wrc = sg_write_atomic(output, out.data ? out.data : "", out.len, NULL);
            }
            if (wrc != 0) {
                if (errno != EPIPE) fprintf(stderr, "sigc convert: cannot write '%s': %s\n", output ? output : "<stdout>", strerror(errno));
                status = SG_EXIT_IO;
            }
        }
    }
report: {
    sg_diags_sort(&run.diags);
    sg_report_opts ro = {sg_want_color(color, stderr), SIGC_VERSION};
    sg_report_write(stderr, &run.diags, SG_REPORT_TEXT, &ro);
    if (skip && res.n_skipped) {
        fprintf(stderr, "sigc: skipped %zu rule%s (see the errors above):\n", res.n_skipped, res.n_skipped == 1 ? "" : "s");
        for (size_t i = 0; i < res.n_skipped; i++) {
            const sg_ir_meta *m = &res.skipped[i]->ir->meta;
            fprintf(stderr, "  %s:%u: %.*s\n", m->file, m->line, SG_STR_ARG(m->title));
        }
    }
    if (!quiet)
        fprintf(stderr, "sigc: %zu rule%s converted to %s, %zu not converted\n", res.count, res.count == 1 ? "" : "s",
                be->name, res.n_skipped);
}
done:
    sg_buf_free(&out);
    sg_convert_result_free(&res);
    free(known);
    free(pipes);
    free(pipe_args);
    sg_ruleset_free(&run.rs);
    sg_pathlist_free(&run.paths);
    sg_diags_free(&run.diags);
    return status;
}

/* ---- sigc match ---- */

static bool sg_is_rule_path(const char *path) {
    size_t n = strlen(path);
    if (strcmp(path, "-") == 0) return false;
    if ((n > 4 && strcmp(path + n - 4, ".yml") == 0) || (n > 5 && strcmp(path + n - 5, ".yaml") == 0)) return true;
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static void sg_match_help(FILE *f) { fprintf(f, sg_match_usage, sgm_options_help); }

/* An option of sigc match that takes a value: `--name VALUE` or
 * `--name=VALUE` (or `-x VALUE` for its short form).  On a match, *val is
 * the value and *i has moved past it. */
static bool sg_match_value(int argc, char **argv, int *i, const char *shortname, const char *name, const char **val) {
    const char *a = argv[*i];
    size_t n = strlen(name);
    if (strncmp(a, name, n) == 0 && a[n] == '=') {
        *val = a + n + 1;
        return true;
    }
    if ((strcmp(a, name) == 0 || (shortname && strcmp(a, shortname) == 0)) && *i + 1 < argc) {
        *val = argv[++*i];
        return true;
    }
    return false;
}

static int sg_cmd_match(int argc, char **argv) {
    const char **rule_args = sg_xmalloc((size_t)(argc + 1) * sizeof *rule_args);
    const char **event_args = sg_xmalloc((size_t)(argc + 1) * sizeof *event_args);
    const char **pipe_args = sg_xmalloc((size_t)(argc + 1) * sizeof *pipe_args);
    size_t n_rules = 0, n_events = 0, n_pipe_args = 0;
    const char *defaults_path = NULL, *color = "auto";
    bool skip = false, options_done = false;
    int status = SG_EXIT_OK;
    sgm_options mo;
    sgm_options_default(&mo);
    mo.prog = "sigc match";
    sg_options opts = sg_default_options;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *val = NULL;
        if (options_done || a[0] != '-' || strcmp(a, "-") == 0) {
            if (sg_is_rule_path(a)) rule_args[n_rules++] = a;
            else event_args[n_events++] = a;
            continue;
        }
        if (strcmp(a, "--") == 0) options_done = true;
        else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            sg_match_help(stdout);
            goto done;
        } else if (sg_match_value(argc, argv, &i, "-r", "--rules", &val)) rule_args[n_rules++] = val;
        else if (sg_match_value(argc, argv, &i, "-e", "--events", &val)) event_args[n_events++] = val;
        else if (sg_match_value(argc, argv, &i, "-p", "--pipeline", &val)) pipe_args[n_pipe_args++] = val;
        else if (strcmp(a, "-s") == 0 || strcmp(a, "--skip-unsupported") == 0) skip = true;
        else if (sg_match_value(argc, argv, &i, NULL, "--threshold-defaults", &val)) defaults_path = val;
        else if (sg_match_value(argc, argv, &i, NULL, "--color", &val)) {
            color = val;
            if (!sg_when_ok(color)) {
                sg_usage_error("match", "--color takes auto, always or never, not '%s'", color);
                status = SG_EXIT_USAGE;
                goto done;
            }
        } else {
            int rc = sgm_parse_option(&mo, argc, argv, &i);
            if (rc == 0) sg_usage_error("match", "unknown option '%s' (see 'sigc match --help')", a);
            if (rc <= 0) {
                status = SG_EXIT_USAGE;
                goto done;
            }
        }
    }
    if (!n_rules || !n_events) {
        sg_usage_error("match", "%s", !n_rules ? "no rules given (.yml files or directories, or -r PATH)"
                                               : "no events given (files, - for standard input, or -e PATH)");
        status = SG_EXIT_USAGE;
        goto done;
    }
    if (n_pipe_args == 0) pipe_args[n_pipe_args++] = "windows-events";
    const sg_backend *be = sg_backend_find("c");
    sg_run run;
    memset(&run, 0, sizeof run);
    sg_diags_init(&run.diags);
    sg_ruleset_init(&run.rs, &opts, &run.diags);
    sg_pipeline **known = NULL, **pipes = sg_xmalloc((n_pipe_args + 1) * sizeof *pipes);
    size_t n_known = sg_load_builtin_pipelines(&run.rs, "c", &known), n_pipes = 0;
    sg_convert_result res = {0};
    sg_convert_opts copts = {{NULL, 0}, {NULL, 0}, {NULL, 0}};
    sgm_engine *engine = NULL;
    status = sg_pick_pipelines(&run, "match", "c", pipe_args, n_pipe_args, known, n_known, pipes, &n_pipes,
                               opts.max_file_size);
    if (status == SG_EXIT_OK && sg_load_defaults(&run, defaults_path) == -2) status = SG_EXIT_IO;
    if (status == SG_EXIT_OK) {
        sg_load_inputs(&run, (char **)rule_args, (int)n_rules, NULL);
        sg_convert(&run.rs, be, pipes, n_pipes, known, n_known, &copts, &res);
        if (run.io_error) status = SG_EXIT_IO;
        else if ((res.n_skipped || run.diags.by_severity[SG_SEV_ERROR]) && !skip) status = SG_EXIT_FINDINGS;
    }
    sgm_tables tables;
    if (status == SG_EXIT_OK) {
        const sg_ir_rule **irs = sg_xmalloc((res.count + 1) * sizeof *irs);
        for (size_t i = 0; i < res.count; i++) irs[i] = res.items[i].ir;
        if (c_build_tables(run.rs.arena, &run.diags, irs, res.count, &tables) != 0) status = SG_EXIT_FINDINGS;
        free(irs);
    }
    {
        sg_diags_sort(&run.diags);
        sg_report_opts ro = {sg_want_color(color, stderr), SIGC_VERSION};
        sg_report_write(stderr, &run.diags, SG_REPORT_TEXT, &ro);
        if (skip && res.n_skipped)
            fprintf(stderr, "sigc match: %zu rule%s skipped (see the errors above), %zu loaded\n", res.n_skipped,
                    res.n_skipped == 1 ? "" : "s", res.count);
    }
    if (status == SG_EXIT_OK) {
        char err[256];
        engine = sgm_engine_new(&tables, &mo, err, sizeof err);
        if (!engine) {
            fprintf(stderr, "sigc match: error: %s\n", err);
            status = SG_EXIT_IO;
        }
    }
    if (engine) {
        /* the engine stops at an output that failed (a reader gone, a full
         * disk): the inputs after it are not read */
        for (size_t i = 0; i < n_events && !sgm_engine_output_error(engine); i++)
            sgm_engine_scan(engine, event_args[i]);
        uint64_t matches = sgm_engine_finish(engine);
        /* inputs that could not be read, or regexes of damaged tables */
        bool failed = sgm_engine_unreadable(engine) > 0 || sgm_engine_broken_regexes(engine) > 0;
        int out_errno = sgm_engine_output_error(engine); /* finish flushed it all */
        sgm_engine_free(engine);
        if (out_errno) { /* exit 3; a reader that went away (EPIPE) needs no message */
            if (out_errno != EPIPE) fprintf(stderr, "sigc match: cannot write the output: %s\n", strerror(out_errno));
            status = SG_EXIT_IO;
        } else {
            status = failed ? SG_EXIT_IO : matches ? SG_EXIT_FINDINGS : SG_EXIT_OK;
        }
    }
    sg_convert_result_free(&res);
    free(known);
    free(pipes);
    sg_ruleset_free(&run.rs);
    sg_pathlist_free(&run.paths);
    sg_diags_free(&run.diags);
done:
    free(rule_args);
    free(event_args);
    free(pipe_args);
    return status;
}

static int sg_cmd_list(int argc, char **argv) {
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        fputs("usage: sigc list targets|pipelines [TARGET]|formats|checks|modifiers\n", argc < 2 ? stderr : stdout);
        return argc < 2 ? SG_EXIT_USAGE : SG_EXIT_OK;
    }
    if (strcmp(argv[1], "checks") == 0) {
        for (int i = 0; i < SG_D__COUNT; i++)
            printf("%-40s %-8s %s\n", sg_diag_table[i].id, sg_severity_name(sg_diag_table[i].severity),
                   sg_diag_table[i].summary);
        return SG_EXIT_OK;
    }
    if (strcmp(argv[1], "modifiers") == 0) {
        for (int i = 0; i < SG_MOD__COUNT; i++) printf("%s\n", sg_mod_table[i].name);
        return SG_EXIT_OK;
    }
    if (strcmp(argv[1], "targets") == 0) {
        for (size_t i = 0; i < sg_n_backends; i++)
            printf("%-10s %s\n", sg_backends[i]->name, sg_backends[i]->description);
        return SG_EXIT_OK;
    }
    if (strcmp(argv[1], "formats") == 0) {
        puts("default    one query per rule, each with a header comment (id, title, level, source)");
        puts("json       a JSON array of {id, title, level, query, source}");
        puts("savedsearches  Splunk savedsearches.conf (target spl)");
        puts("sentinel   Microsoft Sentinel analytic-rule YAML, one document per rule (target kql)");
        return SG_EXIT_OK;
    }
    if (strcmp(argv[1], "pipelines") == 0) {
        sg_diags d;
        sg_diags_init(&d);
        sg_ruleset rs;
        sg_ruleset_init(&rs, NULL, &d);
        sg_pipeline **all;
        size_t n = sg_load_builtin_pipelines(&rs, argc > 2 ? argv[2] : NULL, &all);
        for (size_t i = 0; i < n; i++) {
            printf("%-24.*s", SG_STR_ARG(all[i]->name));
            int width = 0;
            for (size_t t = 0; t < all[i]->n_targets; t++)
                width += printf("%s%.*s", t ? "," : "", SG_STR_ARG(all[i]->targets[t]));
            printf("%*s  %.*s\n", width < 3 ? 3 - width : 0, "", SG_STR_ARG(all[i]->description));
        }
        int rc = d.by_severity[SG_SEV_ERROR] ? SG_EXIT_IO : SG_EXIT_OK;
        sg_report_opts ro = {false, SIGC_VERSION};
        sg_report_write(stderr, &d, SG_REPORT_TEXT, &ro);
        free(all);
        sg_ruleset_free(&rs);
        sg_diags_free(&d);
        return rc;
    }
    sg_usage_error("list", "unknown list '%s' (targets, pipelines, formats, checks, modifiers)", argv[1]);
    return SG_EXIT_USAGE;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fputs(sg_usage, stderr);
        return SG_EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
        printf("sigc %s\n", SIGC_VERSION);
        return SG_EXIT_OK;
    }
    if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0) {
        fputs(sg_usage, stdout);
        return SG_EXIT_OK;
    }
    if (strcmp(cmd, "help") == 0) {
        const char *what = argc > 2 ? argv[2] : "";
        if (strcmp(what, "match") == 0) {
            sg_match_help(stdout);
            return SG_EXIT_OK;
        }
        fputs(strcmp(what, "check") == 0     ? sg_check_usage
              : strcmp(what, "dump-ir") == 0 ? sg_dump_usage
              : strcmp(what, "convert") == 0 ? sg_convert_usage
                                             : sg_usage,
              stdout);
        return SG_EXIT_OK;
    }
    if (strcmp(cmd, "check") == 0) return sg_cmd_check_or_dump(argc - 1, argv + 1, false);
    if (strcmp(cmd, "dump-ir") == 0) return sg_cmd_check_or_dump(argc - 1, argv + 1, true);
    if (strcmp(cmd, "convert") == 0) return sg_cmd_convert(argc - 1, argv + 1);
    if (strcmp(cmd, "list") == 0) return sg_cmd_list(argc - 1, argv + 1);
    if (strcmp(cmd, "match") == 0) return sg_cmd_match(argc - 1, argv + 1);
    fprintf(stderr, "sigc: unknown command '%s'\n\n%s", cmd, sg_usage);
    return SG_EXIT_USAGE;
}
