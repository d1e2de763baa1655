/* sgm_run.c - the matcher's driver: inputs, the event loop, the output.
 *
 * Inputs are streams of JSON values (JSON lines, or pretty-printed objects
 * one after another) read through one reused buffer: a scanner finds where
 * each top-level value ends (strings and nesting tracked), then the parser
 * (sgm_json.c) reads it.  A value that is malformed, longer than
 * max_event, or holds invalid UTF-8 is reported with its position
 * (file:line:col), counted and skipped: the reader goes on at the next line
 * that starts with '{'.  .evtx files go through libevtx (sgm_evtx.c).
 *
 * Output: one JSON object per line per match (or CSV), in input order;
 * the summary goes to stderr.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "sgm_impl.h"

static double sgm_now(void);
static bool sgm_engine_scratch(sgm_engine *e);

void sgm_options_default(sgm_options *o) {
    memset(o, 0, sizeof *o);
    o->format = SGM_FMT_JSON;
    o->with_event = true;
    o->summary = true;
    o->max_event = 16u << 20;
    o->max_groups = 1u << 20;
    o->max_entries = 1u << 16;
    o->regex_match_limit = 1000000;
    o->regex_depth_limit = 10000;
    o->regex_heap_limit_kib = 20000;
    o->out = stdout;
    o->err = stderr;
    o->prog = "matcher";
    o->jobs = 1;
}

const char sgm_options_help[] =
    "  --format json|csv        one JSON object per match (default) or CSV rows\n"
    "  --no-event               leave the event out of each match\n"
    "  --quiet                  no summary on stderr\n"
    "  --progress WHEN          a progress line on stderr: auto (when it is a terminal), always, never\n"
    "  -j, --jobs N             test rules on N threads (JSON input; .evtx is read on one);\n"
    "                           the output is the same as with one, in the same order\n"
    "  --no-prefilter           test every rule of an event's log source, even those whose\n"
    "                           required literals are not in the event (for benchmarks)\n"
    "  --max-event BYTES        longest event read (default 16777216)\n"
    "  --max-groups N           live aggregation groups, all rules (default 1048576)\n"
    "  --max-entries N          events kept per aggregation group (default 65536)\n"
    "  --regex-match-limit N    PCRE2 match limit per regex and value (default 1000000)\n";

static int sgm_parse_size(const char *s, size_t *out) {
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s || *end || v == 0 || s[0] == '-') return -1;
    *out = (size_t)v;
    return 0;
}

int sgm_parse_option(sgm_options *o, int argc, char **argv, int *i) {
    const char *a = argv[*i];
    const char *val = NULL;
    static const char *const with_value[] = {"--format", "--max-event", "--max-groups", "--max-entries",
                                             "--regex-match-limit", "--progress", "--jobs"};
    if (strcmp(a, "--no-event") == 0) {
        o->with_event = false;
        return 1;
    }
    if (strcmp(a, "--no-prefilter") == 0) {
        o->no_prefilter = true;
        return 1;
    }
    if (strcmp(a, "--quiet") == 0 || strcmp(a, "-q") == 0) {
        o->summary = false;
        return 1;
    }
    size_t k = 0;
    if (strncmp(a, "-j", 2) == 0) { /* -j N, -jN */
        if (a[2]) val = a + 2;
        else if (*i + 1 < argc) val = argv[++*i];
        else {
            fprintf(o->err, "%s: error: -j needs a value\n", o->prog);
            return -1;
        }
        k = 6;
    }
    for (; !val && k < sizeof with_value / sizeof *with_value; k++) {
        size_t n = strlen(with_value[k]);
        if (strncmp(a, with_value[k], n) == 0 && (a[n] == 0 || a[n] == '=')) {
            if (a[n] == '=') val = a + n + 1;
            else if (*i + 1 < argc) val = argv[++*i];
            else {
                fprintf(o->err, "%s: error: %s needs a value\n", o->prog, with_value[k]);
                return -1;
            }
            break;
        }
    }
    if (k == sizeof with_value / sizeof *with_value) return 0;
    size_t n = 0;
    switch (k) {
    case 5:
        if (strcmp(val, "auto") == 0) o->progress = SGM_PROGRESS_AUTO;
        else if (strcmp(val, "always") == 0) o->progress = SGM_PROGRESS_ALWAYS;
        else if (strcmp(val, "never") == 0) o->progress = SGM_PROGRESS_NEVER;
        else {
            fprintf(o->err, "%s: error: --progress takes auto, always or never, not '%s'\n", o->prog, val);
            return -1;
        }
        return 1;
    case 0:
        if (strcmp(val, "json") == 0) o->format = SGM_FMT_JSON;
        else if (strcmp(val, "csv") == 0) o->format = SGM_FMT_CSV;
        else {
            fprintf(o->err, "%s: error: --format takes json or csv, not '%s'\n", o->prog, val);
            return -1;
        }
        return 1;
    default:
        if (sgm_parse_size(val, &n) != 0) {
            fprintf(o->err, "%s: error: %s takes a positive number, not '%s'\n", o->prog, with_value[k], val);
            return -1;
        }
        if (k == 6) {
            if (n > SGM_MAX_JOBS) {
                fprintf(o->err, "%s: error: --jobs takes at most %u, not '%s'\n", o->prog, SGM_MAX_JOBS, val);
                return -1;
            }
            o->jobs = (unsigned)n;
        } else if (k == 1) o->max_event = n;
        else if (k == 2) o->max_groups = n;
        else if (k == 3) o->max_entries = n;
        else o->regex_match_limit = n;
        return 1;
    }
}

/* ---- engine ------------------------------------------------------------- */

/* The prefilter's scratch space, an engine's own.  False when memory runs
 * out (then no prefilter). */
static bool sgm_prefilter_scratch(sgm_engine *e) {
    const sgm_tables *t = e->t;
    uint32_t n = t->n_rules ? t->n_rules : 1;
    e->cand = malloc(n * sizeof *e->cand);
    e->order = malloc(n * sizeof *e->order);
    e->order2 = malloc(n * sizeof *e->order2);
    e->atom_seen = calloc(t->n_atoms + 1, sizeof *e->atom_seen);
    return e->cand && e->order && e->order2 && e->atom_seen;
}

/* The keyword scanner for this event (sgm_event_keys first): it has one
 * channel and a bucket whose own rules have no keyword atoms; NULL
 * otherwise. */
static const sgm_kw_scan *sgm_kw_pick(const sgm_engine *e, uint32_t bucket) {
    if (!e->ix.kw_scans || (bucket != SGM_NONE && e->ix.bucket_kw[bucket])) return NULL;
    if (!e->chan_present || !e->chan_known) return NULL; /* none, or several */
    const sgm_kw_scan *k =
        &e->ix.kw_scans[e->chan_id == SGM_NONE ? e->ix.n_kw_channels : e->ix.kw_of_channel[e->chan_id]];
    return k->step ? k : NULL;
}

bool sgm_atom_scanned(const sgm_engine *e, uint32_t atom) {
    const sgm_atom *a = &e->t->atoms[atom];
    if (a->field == SGM_NONE && e->kw_now) return sgm_mask_has(e->ix.kw_atoms + e->kw_now->atoms, atom);
    uint32_t b = a->field == SGM_NONE ? e->t->n_fields : a->field;
    return sgm_mask_has(e->scan_mask, b) && (a->text.len >= 4 || sgm_mask_has(e->scan_mask + e->ix.mask_words, b));
}

sgm_engine *sgm_engine_new(const sgm_tables *t, const sgm_options *o, char *err, size_t errlen) {
    return sgm_engine_new_indexed(t, NULL, o, err, errlen);
}

sgm_engine *sgm_engine_new_indexed(const sgm_tables *t, const sgm_index *prebuilt, const sgm_options *o, char *err,
                                   size_t errlen) {
    sgm_engine *e = calloc(1, sizeof *e);
    if (!e) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    e->t = t;
    e->o = *o;
    e->progress_on = o->progress == SGM_PROGRESS_ALWAYS || (o->progress == SGM_PROGRESS_AUTO && isatty(fileno(o->err)));
    e->out_is_terminal = isatty(fileno(o->out));
    e->progress_t0 = sgm_now();
    e->progress_next = e->progress_t0;
    /* the index: emitted with the tables (which were checked when it was
     * built), or built here from the tables, checked first */
    bool rebuild = !prebuilt || o->check_index;
    if (rebuild && !sgm_tables_check(t, err, errlen)) {
        free(e);
        return NULL;
    }
    if (rebuild && !sgm_index_build(t, &e->ix)) {
        snprintf(err, errlen, "out of memory");
        free(e);
        return NULL;
    }
    if (prebuilt && o->check_index) {
        const char *part = sgm_index_diff(t, &e->ix, prebuilt);
        if (part) {
            snprintf(err, errlen, "the index emitted with the tables is not the one they give (%s differs)", part);
            sgm_index_release(&e->ix);
            free(e);
            return NULL;
        }
    }
    if (!rebuild) { /* its start-up part is made below */
        e->ix = *prebuilt;
        e->ix.owned = false;
        e->ix.slots = NULL;
        e->ix.slot_mask = 0;
        memset(e->ix.name_lens, 0, sizeof e->ix.name_lens);
        e->ix.feed_first = e->ix.feed_count = e->ix.feeds = NULL;
        /* -j: the threads make their engines from the same tables and
         * index while this one is made */
        if (o->jobs > 1 && !(e->par = sgm_par_start(e, prebuilt))) e->o.jobs = 1;
    }
    e->prefilter = e->ix.prefilter && !o->no_prefilter;
    if (!sgm_engine_scratch(e)) {
        snprintf(err, errlen, "out of memory");
        sgm_engine_free(e);
        return NULL;
    }
    uint32_t cap = 16;
    while (cap < (t->n_fields + t->n_aliases) * 2u + 2) cap *= 2;
    e->ix.slots = malloc(cap * sizeof *e->ix.slots);
    if (!e->ix.slots) {
        snprintf(err, errlen, "out of memory");
        sgm_engine_free(e);
        return NULL;
    }
    e->ix.slot_mask = cap - 1;
    for (uint32_t i = 0; i < cap; i++) e->ix.slots[i] = (sgm_field_slot){NULL, 0, SGM_NONE};
    for (uint32_t f = 0; f < t->n_fields; f++) {
        uint32_t i = sgm_name_hash(sgm_text(t, t->fields[f]), t->fields[f].len) & e->ix.slot_mask;
        while (e->ix.slots[i].id != SGM_NONE) i = (i + 1) & e->ix.slot_mask;
        e->ix.slots[i] = (sgm_field_slot){sgm_text(t, t->fields[f]), t->fields[f].len, f};
        e->ix.name_lens[t->fields[f].len / 64 % 4] |= (uint64_t)1 << (t->fields[f].len % 64);
    }
    /* other names of fields: slots of their own that point at the field */
    for (uint32_t a = 0; a < t->n_aliases; a++) {
        sgm_str n = t->aliases[a].name;
        uint32_t i = sgm_name_hash(sgm_text(t, n), n.len) & e->ix.slot_mask;
        while (e->ix.slots[i].id != SGM_NONE && !(e->ix.slots[i].len == n.len && memcmp(e->ix.slots[i].name, sgm_text(t, n), n.len) == 0))
            i = (i + 1) & e->ix.slot_mask;
        if (e->ix.slots[i].id == SGM_NONE) e->ix.slots[i] = (sgm_field_slot){sgm_text(t, n), n.len, t->aliases[a].field};
        e->ix.name_lens[n.len / 64 % 4] |= (uint64_t)1 << (n.len % 64);
    }
    /* the regexes are compiled on their first use (sgm_eval.c): most are
     * never run, the prefilter turns their events away; the check of the
     * generator compiles them all now */
    for (uint32_t r = 0; o->check_index && r < t->n_regexes; r++) {
        pcre2_code *re = sgm_regex_compile(t, r, err, errlen);
        if (!re) {
            sgm_engine_free(e);
            return NULL;
        }
        pcre2_code_free(re);
    }
    if (sgm_agg_init(e) != 0) {
        snprintf(err, errlen, "out of memory");
        sgm_engine_free(e);
        return NULL;
    }
    /* -j with the index built here: the threads clone this engine */
    if (e->o.jobs > 1 && !e->par && !(e->par = sgm_par_start(e, NULL))) e->o.jobs = 1;
    return e;
}

/* What an engine has of its own, clone or not: per-rule and per-event
 * state, regex match data, the prefilter's scratch.  False when memory
 * runs out. */
static bool sgm_engine_scratch(sgm_engine *e) {
    const sgm_tables *t = e->t;
    e->rule_matches = calloc(t->n_rules ? t->n_rules : 1, sizeof *e->rule_matches);
    e->stamp = calloc(t->n_rules ? t->n_rules : 1, sizeof *e->stamp);
    e->regexes = calloc(t->n_regexes ? t->n_regexes : 1, sizeof *e->regexes);
    e->regex_state = calloc(t->n_regexes ? t->n_regexes : 1, 1);
    sgm_event_init(&e->ev, t->n_fields);
    e->match_data = pcre2_match_data_create(1, NULL);
    e->match_ctx = pcre2_match_context_create(NULL);
    if (!e->rule_matches || !e->stamp || !e->regexes || !e->regex_state || !e->ev.head || !e->ev.tail ||
        !e->ev.touched || !e->match_data || !e->match_ctx)
        return false;
    const sgm_options *o = &e->o;
    pcre2_set_match_limit(e->match_ctx, (uint32_t)(o->regex_match_limit > UINT32_MAX ? UINT32_MAX : o->regex_match_limit));
    pcre2_set_depth_limit(e->match_ctx, o->regex_depth_limit);
    pcre2_set_heap_limit(e->match_ctx, (uint32_t)o->regex_heap_limit_kib);
    if (e->prefilter && !sgm_prefilter_scratch(e)) e->prefilter = false;
    return true;
}

sgm_engine *sgm_engine_clone(const sgm_engine *base, const sgm_options *o, char *err, size_t errlen) {
    sgm_engine *e = calloc(1, sizeof *e);
    if (!e) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    e->t = base->t;
    e->o = *o;
    e->base = base;
    e->ix = base->ix;
    e->prefilter = base->prefilter;
    /* each engine compiles the regexes it runs itself (sgm_eval.c) */
    if (!sgm_engine_scratch(e)) {
        snprintf(err, errlen, "out of memory");
        sgm_engine_free(e);
        return NULL;
    }
    return e;
}

void sgm_engine_free(sgm_engine *e) {
    if (!e) return;
    if (!e->collect) sgm_par_free(e->par); /* a worker's engine only points at its pool */
    if (!e->base) sgm_index_release(&e->ix);
    free(e->hits);
    if (e->regexes)
        for (uint32_t r = 0; r < e->t->n_regexes; r++) pcre2_code_free(e->regexes[r]);
    free(e->regexes);
    free(e->regex_state);
    pcre2_match_data_free(e->match_data);
    pcre2_match_context_free(e->match_ctx);
    sgm_agg_free(e);
    sgm_event_free(&e->ev);
    free(e->rule_matches);
    free(e->stamp);
    free(e->val_epoch);
    free(e->cand);
    free(e->order);
    free(e->order2);
    free(e->atom_seen);
    free(e->keybuf);
    free(e->json);
    free(e);
}

uint64_t sgm_engine_unreadable(const sgm_engine *e) { return e->st.failed_inputs; }

uint64_t sgm_engine_broken_regexes(const sgm_engine *e) { return e->st.broken_regexes; }

int sgm_engine_output_error(const sgm_engine *e) { return e->out_errno; }

bool sgm_out_flush(sgm_engine *e, bool always) {
    if (e->out_errno) return false;
    if (!always && e->st.matches == e->matches_flushed && !ferror(e->o.out)) return true;
    e->matches_flushed = e->st.matches;
    errno = 0;
    if (fflush(e->o.out) == 0 && !ferror(e->o.out)) return true;
    e->out_errno = errno ? errno : EIO;
    return false;
}

/* ---- output ------------------------------------------------------------- */

/* Output is written by the reading thread alone, a report at a time with
 * the stream locked (flockfile), so bytes go out through putc_unlocked:
 * with -j's threads running, each putc would take the lock again. */
void sgm_json_write_string(FILE *f, const char *p, size_t len) {
    static const char hex[] = "0123456789abcdef";
    putc_unlocked('"', f);
    size_t run = 0; /* bytes that need no escape, waiting at p + i - run */
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c != '"' && c != '\\' && c >= 0x20 && c != 0x7F) {
            run++;
            continue;
        }
        if (run) fwrite(p + i - run, 1, run, f), run = 0;
        if (c == '"' || c == '\\') {
            putc_unlocked('\\', f);
            putc_unlocked(c, f);
        } else {
            fprintf(f, "\\u00%c%c", hex[c >> 4], hex[c & 15]);
        }
    }
    if (run) fwrite(p + len - run, 1, run, f);
    putc_unlocked('"', f);
}

void sgm_write_time(FILE *f, int64_t us) {
    time_t secs = (time_t)(us >= 0 ? us / 1000000 : -((-us + 999999) / 1000000));
    long frac = (long)(us - (int64_t)secs * 1000000);
    struct tm tm;
    if (!gmtime_r(&secs, &tm)) {
        fputs("null", f);
        return;
    }
    fprintf(f, "\"%04d-%02d-%02dT%02d:%02d:%02d.%06ldZ\"", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
            tm.tm_min, tm.tm_sec, frac);
}

/* The event's JSON on one line: line breaks between tokens become spaces
 * (a JSON string cannot hold a raw line break). */
/* The event as read (already checked to be JSON), on one line: whitespace
 * between tokens goes, strings stay byte for byte. */
static void sgm_write_raw_event(FILE *f, const char *p, size_t n) {
    bool in_string = false, escape = false;
    size_t run = 0; /* bytes waiting to be written from p + i - run */
    for (size_t i = 0; i < n; i++) {
        char c = p[i];
        if (in_string) {
            if (escape) escape = false;
            else if (c == '\\') escape = true;
            else if (c == '"') in_string = false;
        } else if (c == '"') {
            in_string = true;
        } else if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
            fwrite(p + i - run, 1, run, f);
            run = 0;
            continue;
        }
        run++;
    }
    fwrite(p + n - run, 1, run, f);
}

static void sgm_csv_field(FILE *f, const char *p, size_t n) {
    putc_unlocked('"', f);
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '"') putc_unlocked('"', f);
        putc_unlocked(p[i] == '\n' || p[i] == '\r' ? ' ' : p[i], f);
    }
    putc_unlocked('"', f);
}

static void sgm_number(FILE *f, double v) {
    if (v == (double)(int64_t)v && v < 9e15 && v > -9e15) fprintf(f, "%lld", (long long)v);
    else fprintf(f, "%.17g", v);
}

static void sgm_report_write(sgm_engine *e, uint32_t rule, const char *group_json, size_t group_len, double value,
                             int64_t first_us, int64_t last_us, bool aggregated, const sgm_where *closed) {
    const sgm_rule *r = &e->t->rules[rule];
    if (!closed) sgm_event_time(e);
    const sgm_event *ev = &e->ev;
    sgm_where at = closed ? *closed : (sgm_where){ev->file, ev->is_record ? ev->record : ev->line, ev->is_record};
    bool has_time = closed ? true : ev->has_time;
    int64_t time_us = closed ? last_us : ev->time_us;
    FILE *f = e->o.out;
    if (e->out_is_terminal) sgm_progress_clear(e);
    e->rule_matches[rule]++;
    e->st.matches++;
    if (e->o.format == SGM_FMT_CSV) {
        if (!e->csv_header_done) {
            fputs("timestamp,id,title,level,file,position,group,count\n", f);
            e->csv_header_done = true;
        }
        if (has_time) sgm_write_time(f, time_us);
        putc_unlocked(',', f);
        sgm_csv_field(f, sgm_text(e->t, r->id), r->id.len);
        putc_unlocked(',', f);
        sgm_csv_field(f, sgm_text(e->t, r->title), r->title.len);
        putc_unlocked(',', f);
        sgm_csv_field(f, sgm_text(e->t, r->level), r->level.len);
        putc_unlocked(',', f);
        sgm_csv_field(f, at.file ? at.file : "-", at.file ? strlen(at.file) : 1);
        fprintf(f, ",%s%llu,", at.is_record ? "record " : "line ", (unsigned long long)at.at);
        if (aggregated) {
            sgm_csv_field(f, group_json, group_len);
            putc_unlocked(',', f);
            sgm_number(f, value);
        } else {
            putc_unlocked(',', f);
        }
        putc_unlocked('\n', f);
        return;
    }
    fputs("{\"id\":", f);
    sgm_json_write_string(f, sgm_text(e->t, r->id), r->id.len);
    fputs(",\"title\":", f);
    sgm_json_write_string(f, sgm_text(e->t, r->title), r->title.len);
    fputs(",\"level\":", f);
    if (r->level.len) sgm_json_write_string(f, sgm_text(e->t, r->level), r->level.len);
    else fputs("null", f);
    fputs(",\"tags\":[", f);
    for (uint32_t i = 0; i < r->n_tags; i++) {
        if (i) putc_unlocked(',', f);
        sgm_json_write_string(f, sgm_text(e->t, e->t->strs[r->tags + i]), e->t->strs[r->tags + i].len);
    }
    fputs("],\"timestamp\":", f);
    if (has_time) sgm_write_time(f, time_us);
    else fputs("null", f);
    fputs(",\"file\":", f);
    if (at.file) sgm_json_write_string(f, at.file, strlen(at.file));
    else fputs("\"-\"", f);
    fprintf(f, at.is_record ? ",\"record\":%llu" : ",\"line\":%llu", (unsigned long long)at.at);
    if (aggregated) {
        fputs(",\"group\":", f);
        fwrite(group_json, 1, group_len, f);
        fputs(",\"count\":", f);
        sgm_number(f, value);
        fputs(",\"window\":{\"first\":", f);
        sgm_write_time(f, first_us);
        fputs(",\"last\":", f);
        sgm_write_time(f, last_us);
        fputs("}", f);
    }
    if (e->o.with_event && ev->raw && !closed) {
        fputs(",\"event\":", f);
        sgm_write_raw_event(f, ev->raw, ev->raw_len);
    }
    fputs("}\n", f);
}

void sgm_report_match(sgm_engine *e, uint32_t rule, const char *group_json, size_t group_len, double value,
                      int64_t first_us, int64_t last_us, bool aggregated, const sgm_where *closed) {
    flockfile(e->o.out);
    sgm_report_write(e, rule, group_json, group_len, value, first_us, last_us, aggregated, closed);
    funlockfile(e->o.out);
}

/* ---- the progress line --------------------------------------------------- */

static double sgm_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void sgm_progress_clear(sgm_engine *e) {
    if (!e->progress_len) return;
    fprintf(e->o.err, "\r%*s\r", e->progress_len, "");
    fflush(e->o.err);
    e->progress_len = 0;
}

/* auto: shown from half a second into the run (a short run shows nothing);
 * always: from the first read. */
void sgm_progress_tick(sgm_engine *e) {
    if (!e->progress_on) return;
    double now = sgm_now();
    if (now < e->progress_next) return;
    double elapsed = now - e->progress_t0;
    if (e->o.progress == SGM_PROGRESS_AUTO && elapsed < 0.5) return;
    e->progress_next = now + 0.25;
    if (elapsed <= 0) elapsed = 1e-9;
    char share[16] = "";
    if (e->input_size) {
        double pct = 100.0 * (double)e->input_done / (double)e->input_size;
        snprintf(share, sizeof share, " %3.0f%%", pct > 100 ? 100 : pct);
    }
    const char *name = e->input_name ? e->input_name : "";
    size_t n = strlen(name);
    int keep = n > 40 ? 40 : (int)n; /* the end of a long path */
    char line[256];
    int len = snprintf(line, sizeof line, "%s: %s%.*s%s  %llu events  %.1f MB  %.0f events/s  %llu matches", e->o.prog,
                       n > 40 ? "..." : "", keep, name + n - (size_t)keep, share, (unsigned long long)e->st.events,
                       (double)e->bytes_done / 1e6, (double)e->st.events / elapsed, (unsigned long long)e->st.matches);
    if (len < 0) return;
    if (len >= (int)sizeof line) len = (int)sizeof line - 1;
    int pad = e->progress_len > len ? e->progress_len - len : 0;
    fprintf(e->o.err, "\r%s%*s", line, pad, "");
    fflush(e->o.err);
    e->progress_len = len;
}

/* ---- the event loop ----------------------------------------------------- */

/* Tests rule r on the event: a match is reported or fed to aggregations. */
static void sgm_run_rule(sgm_engine *e, uint32_t r) {
    const sgm_rule *rule = &e->t->rules[r];
    if (rule->expr == SGM_NONE || !sgm_eval_rule(e, r)) return;
    if (!e->collect) {
        sgm_rule_effects(e, r);
        return;
    }
    if (!((rule->agg == SGM_NONE && rule->report) || e->ix.feed_count[r])) return;
    if (e->n_hits == e->cap_hits) { /* a worker of -j: the match is only noted */
        uint32_t cap = e->cap_hits ? e->cap_hits * 2 : 64;
        uint32_t *n = realloc(e->hits, cap * sizeof *n);
        if (!n) {
            e->hits_failed = true;
            return;
        }
        e->hits = n;
        e->cap_hits = cap;
    }
    e->hits[e->n_hits++] = r;
}

void sgm_rule_effects(sgm_engine *e, uint32_t r) {
    const sgm_rule *rule = &e->t->rules[r];
    if (rule->agg == SGM_NONE && rule->report) sgm_report_match(e, r, NULL, 0, 0, 0, 0, false, NULL);
    if (e->ix.feed_count[r]) sgm_agg_feed(e, r);
}

/* Atom a is in the event: its rules are candidates. */
static void sgm_atom_found(sgm_engine *e, uint32_t atom) {
    const sgm_atom *a = &e->t->atoms[atom];
    e->atom_seen[atom] = e->epoch;
    for (uint32_t r = 0; r < a->n_rules; r++) {
        uint32_t rule = e->t->pf[a->rules + r];
        if (e->stamp[rule] == e->epoch) continue;
        e->stamp[rule] = e->epoch;
        e->cand[e->n_cand++] = rule;
    }
}

static bool sgm_field_gram_has(const sgm_engine *e, uint32_t g, uint32_t len, uint32_t f) {
    uint32_t bit = sgm_field_gram_bit(g, len, f);
    return e->ix.field_grams[bit >> 6] >> (bit & 63) & 1;
}

/* A gram of an atom was found at pos of a value of field f (SGM_NONE: the
 * value is scanned for keyword atoms only) and its (gram, field) is in
 * field_grams: the atoms of that gram that occur there mark their rules. */
static void sgm_prefilter_probe(sgm_engine *e, uint32_t f, const unsigned char *p, uint32_t len, uint32_t pos,
                                uint32_t g, uint32_t glen) {
    const sgm_tables *t = e->t;
    for (uint32_t h = SGM_GRAM_SLOT(g, glen) & t->gram_mask; t->grams[h].n_atoms; h = (h + 1) & t->gram_mask) {
        if (t->grams[h].gram != g || t->grams[h].len != glen) continue;
        for (uint32_t i = 0; i < t->grams[h].n_atoms; i++) {
            const sgm_atom *a = &t->atoms[t->pf[t->grams[h].atoms + i]];
            if ((a->field != f && a->field != SGM_NONE) || pos < a->anchor ||
                (uint64_t)pos - a->anchor + a->text.len > len)
                continue;
            const unsigned char *s = p + pos - a->anchor, *text = (const unsigned char *)sgm_text(t, a->text);
            uint32_t k = 0;
            while (k < a->text.len && sgm_fold[s[k]] == text[k]) k++;
            if (k < a->text.len) continue;
            sgm_atom_found(e, t->pf[t->grams[h].atoms + i]);
        }
        return;
    }
}

/* A gram of an atom was found at pos of a value of field f.  Most such
 * grams are the anchors of atoms of other fields only (the paths of an
 * event hold the anchors of many command-line atoms): field_grams turns
 * those down here, inline, before the grams table, whose slots are cache
 * misses, is read; then pair_grams those not followed as in an atom. */
static inline void sgm_prefilter_hit(sgm_engine *e, uint32_t f, const unsigned char *p, uint32_t len, uint32_t pos,
                                     uint32_t g, uint32_t glen) {
    if (!sgm_field_gram_has(e, g, glen, SGM_NONE) && !(f != SGM_NONE && sgm_field_gram_has(e, g, glen, f))) return;
    /* a 4-byte gram whose atoms all go on for 4 bytes or more after it
     * (open_grams clear): those 4 bytes must follow it here too
     * (pair_grams).  The hex grams of the IOC hashes, and the grams of
     * paths, are found everywhere; the 8 bytes seldom are. */
    uint32_t bit = sgm_open_gram_bit(g);
    if (glen == 4 && !(e->ix.open_grams[bit >> 6] >> (bit & 63) & 1)) {
        if ((uint64_t)pos + 8 > len) return;
        uint32_t next;
        memcpy(&next, p + pos + 4, 4);
        bit = sgm_pair_gram_bit(g, sgm_fold4(sgm_le32(next)));
        if (!(e->ix.pair_grams[bit >> 6] >> (bit & 63) & 1)) return;
    }
    sgm_prefilter_probe(e, f, p, len, pos, g, glen);
}

/* One pass over the values of the fields atoms are about: every gram of
 * four folded bytes is looked up (a bit test first), and the rules whose
 * atoms occur are marked for this event. */
static bool sgm_gram_bit(const sgm_tables *t, uint32_t g, uint32_t glen) {
    uint32_t bit = SGM_GRAM_BIT(g, glen);
    return t->gram_bits[bit >> 6] >> (bit & 63) & 1;
}

/* No byte of p[0, len) is above 0x7F. */
static bool sgm_ascii(const unsigned char *p, uint32_t len) {
    uint64_t any = 0;
    uint32_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t w;
        memcpy(&w, p + i, 8);
        any |= w;
    }
    for (; i < len; i++) any |= p[i];
    return (any & 0x8080808080808080ull) == 0;
}

static void sgm_prefilter_value(sgm_engine *e, uint32_t f, const sgm_value *val, bool short_atoms) {
    const sgm_tables *t = e->t;
    const unsigned char *p = (const unsigned char *)e->ev.text + val->off;
    uint32_t len = val->len, g = 0;
    if (!short_atoms) { /* 4-byte grams only */
        if (len < 4) return;
        g = (uint32_t)sgm_fold[p[0]] << 8 | (uint32_t)sgm_fold[p[1]] << 16 | (uint32_t)sgm_fold[p[2]] << 24;
        for (uint32_t i = 3; i < len; i++) {
            g = g >> 8 | (uint32_t)sgm_fold[p[i]] << 24;
            if (sgm_gram_bit(t, g, 4)) sgm_prefilter_hit(e, f, p, len, i - 3, g, 4);
        }
        return;
    }
    if (len >= 3 && sgm_ascii(p, len)) { /* most values: 2-byte grams only where a rare punctuation byte ends one */
        g = (uint32_t)sgm_fold[p[0]] << 8 | (uint32_t)sgm_fold[p[1]] << 16 | (uint32_t)sgm_fold[p[2]] << 24;
        if (e->ix.pair_end[p[1]] && sgm_gram_bit(t, g >> 8 & 0xFFFF, 2)) sgm_prefilter_hit(e, f, p, len, 0, g >> 8 & 0xFFFF, 2);
        if (e->ix.pair_end[p[2]] && sgm_gram_bit(t, g >> 16, 2)) sgm_prefilter_hit(e, f, p, len, 1, g >> 16, 2);
        if (sgm_gram_bit(t, g >> 8, 3)) sgm_prefilter_hit(e, f, p, len, 0, g >> 8, 3);
        for (uint32_t i = 3; i < len; i++) {
            g = g >> 8 | (uint32_t)sgm_fold[p[i]] << 24;
            if (sgm_gram_bit(t, g, 4)) sgm_prefilter_hit(e, f, p, len, i - 3, g, 4);
            if (sgm_gram_bit(t, g >> 8, 3)) sgm_prefilter_hit(e, f, p, len, i - 2, g >> 8, 3);
            if (e->ix.pair_end[p[i]] && sgm_gram_bit(t, g >> 16, 2)) sgm_prefilter_hit(e, f, p, len, i - 1, g >> 16, 2);
        }
        return;
    }
    for (uint32_t i = 0; i < len; i++) { /* g: the last four bytes, the oldest lowest */
        g = g >> 8 | (uint32_t)sgm_fold[p[i]] << 24;
        if (i >= 3 && sgm_gram_bit(t, g, 4)) sgm_prefilter_hit(e, f, p, len, i - 3, g, 4);
        if (i >= 2 && sgm_gram_bit(t, g >> 8, 3)) sgm_prefilter_hit(e, f, p, len, i - 2, g >> 8, 3);
        /* 2-byte atoms hold a non-ASCII byte, or end in a rare punctuation byte */
        if (i >= 1 && ((p[i] | p[i - 1]) & 0x80 || e->ix.pair_end[p[i]]) && sgm_gram_bit(t, g >> 16, 2))
            sgm_prefilter_hit(e, f, p, len, i - 1, g >> 16, 2);
    }
}

/* Gram g (as read) at pos of a value let through by the bits of keyword
 * scanner k: the atoms it is an entry of, looked for there. */
static SGM_NOINLINE void sgm_kw_probe(sgm_engine *e, const sgm_kw_scan *k, const unsigned char *p, uint32_t len,
                                      uint32_t pos, uint32_t g) {
    const sgm_tables *t = e->t;
    const sgm_kw_entry *entries = e->ix.kw_entries + k->first;
    g = sgm_fold4(g);
    uint32_t lo = 0, hi = k->n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (entries[mid].gram < g) lo = mid + 1;
        else hi = mid;
    }
    for (; lo < k->n && entries[lo].gram == g; lo++) {
        const sgm_atom *a = &t->atoms[entries[lo].atom];
        uint32_t off = entries[lo].off;
        if (pos < off || (uint64_t)pos - off + a->text.len > len) continue;
        const unsigned char *s = p + pos - off, *text = (const unsigned char *)sgm_text(t, a->text);
        uint32_t i = 0;
        while (i < a->text.len && sgm_fold[s[i]] == text[i]) i++;
        if (i == a->text.len) sgm_atom_found(e, entries[lo].atom);
    }
}

/* A value looked at for the keyword atoms of k, every k->step bytes: two
 * grams a round, whose bits are tested together (almost every round lets
 * neither through). */
static void sgm_kw_value(sgm_engine *e, const sgm_kw_scan *k, const sgm_value *val) {
    const unsigned char *p = (const unsigned char *)e->ev.text + val->off;
    uint32_t len = val->len;
    if (len < k->shortest) return;
    const uint64_t *bits = e->ix.kw_bits + k->bits;
    const uint32_t step = k->step, last = len - 4; /* copies: not read again after each store below */
    uint32_t pos = 0;
    for (; pos + step <= last; pos += 2 * step) {
        uint32_t g1, g2; /* four bytes each, the first lowest */
        memcpy(&g1, p + pos, 4);
        memcpy(&g2, p + pos + step, 4);
        g1 = sgm_le32(g1);
        g2 = sgm_le32(g2);
        uint32_t b1 = SGM_KW_BIT(g1), b2 = SGM_KW_BIT(g2);
        uint64_t w1 = bits[b1 >> 6] >> (b1 & 63), w2 = bits[b2 >> 6] >> (b2 & 63);
        if (!((w1 | w2) & 1)) continue;
        if (w1 & 1) sgm_kw_probe(e, k, p, len, pos, g1);
        if (w2 & 1) sgm_kw_probe(e, k, p, len, pos + step, g2);
    }
    if (pos <= last) {
        uint32_t g;
        memcpy(&g, p + pos, 4);
        g = sgm_le32(g);
        uint32_t bit = SGM_KW_BIT(g);
        if (bits[bit >> 6] >> (bit & 63) & 1) sgm_kw_probe(e, k, p, len, pos, g);
    }
}

static void sgm_prefilter_scan(sgm_engine *e) {
    const sgm_tables *t = e->t;
    if (++e->epoch == 0) { /* after 2^32 events: start the marks over */
        memset(e->stamp, 0, t->n_rules * sizeof *e->stamp);
        memset(e->atom_seen, 0, t->n_atoms * sizeof *e->atom_seen);
        if (e->val_epoch) memset(e->val_epoch, 0, e->val_cap * sizeof *e->val_epoch);
        e->epoch = 1;
    }
    e->n_cand = 0;
    bool keywords = t->keyword_atoms != 0;
    if (keywords && e->val_cap < e->ev.n_vals) { /* marks of the values scanned for fields */
        uint32_t cap = e->ev.n_vals * 2;
        uint32_t *n = realloc(e->val_epoch, cap * sizeof *n);
        if (n) memset(n, 0, cap * sizeof *n), e->val_epoch = n, e->val_cap = cap;
        else keywords = false, e->prefilter = false; /* out of memory: test every rule from now on */
    }
    const uint64_t *mask = e->scan_mask, *short_mask = mask + e->ix.mask_words;
    keywords = keywords && sgm_mask_has(mask, t->n_fields) && (!e->kw_now || e->kw_now->n);
    /* keyword atoms under 4 bytes: looked for in every value, the fields' too */
    bool short_keywords = keywords && !e->kw_now && sgm_mask_has(short_mask, t->n_fields);
    for (uint32_t k = 0; k < e->ev.n_touched; k++) { /* the event's fields the rules' atoms are about */
        uint32_t field = e->ev.touched[k];
        if (!sgm_mask_has(mask, field)) continue;
        bool short_atoms = short_keywords || sgm_mask_has(short_mask, field);
        for (uint32_t v = e->ev.head[field]; v != SGM_NONE; v = e->ev.vals[v].next) {
            sgm_prefilter_value(e, field, &e->ev.vals[v], short_atoms); /* keyword atoms too */
            if (keywords) e->val_epoch[v] = e->epoch;
        }
    }
    if (keywords) /* keywords: in any value; those scanned above are done */
        for (uint32_t v = 0; v < e->ev.n_vals; v++)
            if (e->val_epoch[v] != e->epoch) {
                if (e->kw_now) sgm_kw_value(e, e->kw_now, &e->ev.vals[v]);
                else sgm_prefilter_value(e, SGM_NONE, &e->ev.vals[v], short_keywords);
            }
}

/* The event's log source, worked out once (sgm_engine.key_known...): its
 * EventID when it has one value and that is a number, and its bucket;
 * whether it has a Channel; the Channel when it has at most one value that
 * is not null, and which of the index's channels it is.  False when it has
 * several EventIDs (then the event has no bucket: every rule is tested). */
static bool sgm_event_keys(sgm_engine *e) {
    const sgm_tables *t = e->t;
    e->key_known = e->chan_known = e->chan_present = false;
    e->key_bucket = e->chan_id = SGM_NONE;
    if (t->channel_field != SGM_NONE) {
        const sgm_value *one = NULL;
        bool several = false;
        for (uint32_t v = e->ev.head[t->channel_field]; v != SGM_NONE && !several; v = e->ev.vals[v].next)
            if (e->ev.vals[v].type != SGM_V_NULL) several = one != NULL, one = &e->ev.vals[v];
        e->chan_present = one != NULL;
        e->chan_known = !several;
        if (one && !several) {
            const unsigned char *p = (const unsigned char *)e->ev.text + one->off;
            if (one->len && one->len == e->chan_last_len && memcmp(p, e->chan_last, one->len) == 0) {
                e->chan_id = e->chan_last_id;
            } else {
                for (uint32_t c = 0; c < e->ix.n_channels && e->chan_id == SGM_NONE; c++)
                    if (e->ix.channels[c].len == one->len && sgm_eq_fold((const char *)p, sgm_text(t, e->ix.channels[c]), one->len))
                        e->chan_id = c;
                if (one->len <= sizeof e->chan_last) {
                    memcpy(e->chan_last, p, one->len);
                    e->chan_last_len = one->len;
                    e->chan_last_id = e->chan_id;
                }
            }
        }
    }
    if (t->dispatch_field == SGM_NONE) return true;
    uint32_t v = e->ev.head[t->dispatch_field];
    if (v == SGM_NONE) return true;
    if (e->ev.vals[v].next != SGM_NONE) return false;
    double key;
    if (!sgm_value_number(e->ev.text + e->ev.vals[v].off, e->ev.vals[v].len, &key)) return true;
    e->key_known = true;
    e->key_bucket = sgm_bucket_of(t, key);
    return true;
}

/* The bucket of the event's dispatch key (sgm_event_keys first): false
 * when the event has several values for the key (then every rule is
 * tested); no rules when it has none, or one no rule needs. */
static bool sgm_dispatch_bucket(const sgm_engine *e, bool keys_ok, const uint32_t **rules, uint32_t *n, uint32_t *bucket) {
    const sgm_tables *t = e->t;
    *rules = NULL;
    *n = 0;
    *bucket = e->key_bucket;
    if (!keys_ok) return false;
    if (*bucket != SGM_NONE) {
        *rules = t->dispatch + t->buckets[*bucket].rules;
        *n = t->buckets[*bucket].n_rules;
    }
    return true;
}

/* Merges sorted runs a and b into out; returns the length. */
static uint32_t sgm_merge(const uint32_t *a, uint32_t na, const uint32_t *b, uint32_t nb, uint32_t *out) {
    uint32_t i = 0, j = 0, n = 0;
    while (i < na || j < nb) out[n++] = j == nb || (i < na && a[i] < b[j]) ? a[i++] : b[j++];
    return n;
}

/* With the prefilter: the event's log source picks what is scanned for
 * literals (sgm_index.scan_masks); then the event's rules without literals (its bucket's and
 * the key-less ones, from the np lists) and the rules whose literals it
 * holds that belong to its log source, tested in rule order. */
static void sgm_run_candidates(sgm_engine *e) {
    const sgm_tables *t = e->t;
    uint32_t n_keep = 0;
    uint32_t *keep = e->cand; /* filtered in place */
    const uint32_t *np1 = e->ix.np + e->ix.np_all, *np2 = NULL;
    uint32_t n1 = e->ix.n_np_all, n2 = 0;
    /* dispatched: one EventID at most (its bucket, or none) */
    bool dispatched = sgm_event_keys(e) && t->dispatch_field != SGM_NONE;
    uint32_t bucket = dispatched ? e->key_bucket : SGM_NONE;
    bool channel = dispatched && e->chan_present;
    e->scan_mask = e->ix.scan_masks + (size_t)e->ix.mask_words * 2 *
                                       (dispatched ? (bucket == SGM_NONE ? t->n_buckets : bucket) * 2 + !channel
                                                   : (t->n_buckets + 1) * 2);
    e->kw_now = channel ? sgm_kw_pick(e, bucket) : NULL;
    sgm_prefilter_scan(e);
    if (dispatched) {
        uint8_t any = channel ? 1 : 2;
        const uint64_t *in_bucket = bucket == SGM_NONE ? NULL : e->ix.bucket_rules + (size_t)bucket * (t->n_rules / 64 + 1);
        for (uint32_t i = 0; i < e->n_cand; i++) {
            uint32_t r = e->cand[i];
            if ((e->ix.rule_any[r] & any) || (bucket != SGM_NONE && sgm_mask_has(in_bucket, r))) keep[n_keep++] = r;
        }
        np1 = e->ix.np + (channel ? e->ix.np_present : e->ix.np_absent);
        n1 = channel ? e->ix.n_np_present : e->ix.n_np_absent;
        if (bucket != SGM_NONE) np2 = e->ix.np + e->ix.np_bucket[bucket], n2 = e->ix.np_bucket_n[bucket];
    } else {
        n_keep = e->n_cand; /* every rule may apply: all candidates */
    }
    for (uint32_t i = 1; i < n_keep; i++) { /* insertion sort: a handful */
        uint32_t x = keep[i], j = i;
        while (j > 0 && keep[j - 1] > x) keep[j] = keep[j - 1], j--;
        keep[j] = x;
    }
    uint32_t n = sgm_merge(np1, n1, np2, n2, e->order2);
    n = sgm_merge(e->order2, n, keep, n_keep, e->order);
    /* the rules are far apart in the tables: the next one's first step and
     * the one after's rule are asked for while this one is tested */
    for (uint32_t i = 0; i < n; i++) {
        if (i + 2 < n) {
            SGM_PREFETCH(&t->rules[e->order[i + 2]]);
            SGM_PREFETCH(&e->ix.rule_step[e->order[i + 2]]);
        }
        if (i + 1 < n && e->ix.rule_step[e->order[i + 1]] < SGM_STEP_MATCH)
            SGM_PREFETCH(&e->ix.steps[e->ix.rule_step[e->order[i + 1]]]);
        sgm_run_rule(e, e->order[i]);
    }
}

void sgm_event_begin(sgm_engine *e) {
    e->st.events++;
    if (!e->t->n_aggs) return; /* the time only matters to a report then */
    if (e->ev.has_time) {
        if (e->ev.time_us > e->last_time_us) e->last_time_us = e->ev.time_us;
    } else {
        e->st.no_time++;
    }
    sgm_agg_sweep(e, e->ev.has_time ? e->ev.time_us : e->last_time_us);
}

void sgm_event_rules(sgm_engine *e) {
    const sgm_tables *t = e->t;
    if (e->prefilter) {
        sgm_run_candidates(e);
        return;
    }
    const uint32_t *a = NULL, *o = NULL;
    uint32_t na = 0, no = 0;
    uint32_t bucket;
    bool keys_ok = sgm_event_keys(e);
    if (t->dispatch_field == SGM_NONE || !sgm_dispatch_bucket(e, keys_ok, &a, &na, &bucket)) {
        for (uint32_t r = 0; r < t->n_rules; r++) sgm_run_rule(e, r);
        return;
    }
    bool channel = e->chan_present;
    o = t->dispatch + (channel ? t->any_present : t->any_absent);
    no = channel ? t->n_any_present : t->n_any_absent;
    /* the event's bucket and the rules of any key, merged in rule order
     * (matches come out in the order of the rules, as without dispatch) */
    uint32_t i = 0, j = 0;
    while (i < na || j < no) {
        if (j == no || (i < na && a[i] < o[j])) sgm_run_rule(e, a[i++]);
        else sgm_run_rule(e, o[j++]);
    }
}

static void sgm_run_event(sgm_engine *e) {
    sgm_event_begin(e);
    sgm_event_rules(e);
}

static void sgm_report(sgm_engine *e, const char *file, sgm_pos at, const char *what) {
    sgm_progress_clear(e);
    fprintf(e->o.err, "%s:%llu:%llu: warning: %s; skipped\n", file, (unsigned long long)at.line,
            (unsigned long long)at.col, what);
}

static bool sgm_event_bad_utf8(const char *msg) { return strcmp(msg, "invalid UTF-8") == 0; }

static sgm_pos sgm_reader_pos(const sgm_reader *rd, size_t off) {
    return (sgm_pos){rd->line, rd->col_base + (off - rd->line_start) + 1};
}

static void sgm_reader_event(sgm_reader *rd, size_t end) {
    sgm_engine *e = rd->e;
    size_t err_off;
    const char *msg;
    const char *text = rd->buf + rd->start;
    size_t n = end - rd->start;
    e->ev.file = rd->name;
    e->ev.line = rd->start_line;
    e->ev.is_record = false;
    if (sgm_json_parse_event(e, text, n, &err_off, &msg) != 0) {
        /* the error's line and column within the event */
        uint64_t line = rd->start_line, col = rd->start_col;
        for (size_t i = 0; i < err_off; i++) {
            if (text[i] == '\n') line++, col = 1;
            else col++;
        }
        if (sgm_event_bad_utf8(msg)) e->st.bad_utf8++;
        else e->st.malformed++;
        sgm_report(e, rd->name, (sgm_pos){line, col}, msg);
        return;
    }
    sgm_run_event(e);
}

/* JSON lines, the common case: a line that is one whole object is parsed
 * at once, without the byte-by-byte scan for its end.  False (nothing
 * done) when the line is not complete in the buffer, does not end in '}',
 * or does not parse: the scan then takes it as before and reports what is
 * wrong at its place. */
static bool sgm_reader_line(sgm_reader *rd) {
    sgm_engine *e = rd->e;
    const char *p = rd->buf + rd->pos;
    const char *nl = memchr(p, '\n', rd->len - rd->pos);
    if (!nl) return false;
    size_t n = sgm_trim_line(p, (size_t)(nl - p));
    if (!n || p[n - 1] != '}' || n > e->o.max_event) return false;
    size_t err_off;
    const char *msg;
    e->ev.file = rd->name;
    e->ev.line = rd->line;
    e->ev.is_record = false;
    if (sgm_json_parse_event(e, p, n, &err_off, &msg) != 0) return false;
    sgm_run_event(e);
    rd->pos = (size_t)(nl - rd->buf) + 1;
    rd->line++;
    rd->line_start = rd->pos;
    rd->col_base = 0;
    rd->at_line_start = true;
    return true;
}

/* Scans buf[pos, len).  eof: no more bytes will come. */
void sgm_reader_scan(sgm_reader *rd, bool eof) {
    sgm_engine *e = rd->e;
    while (rd->pos < rd->len) {
        char c = rd->buf[rd->pos];
        if (rd->skipping) {
            if (rd->at_line_start && c == '{') {
                rd->skipping = false;
                continue;
            }
            rd->at_line_start = c == '\n';
            if (c == '\n') {
                rd->line++;
                rd->line_start = rd->pos + 1;
                rd->col_base = 0;
            }
            rd->pos++;
            continue;
        }
        if (rd->start == SIZE_MAX) {
            if (c == '\n') {
                rd->line++;
                rd->line_start = rd->pos + 1;
                rd->col_base = 0;
                rd->at_line_start = true;
                rd->pos++;
                continue;
            }
            if (c == ' ' || c == '\t' || c == '\r' || (c == '\xEF' && rd->line == 1 && rd->pos == 0)) {
                /* whitespace, or a UTF-8 byte order mark at the start */
                if (c == '\xEF' && rd->len - rd->pos >= 3 && memcmp(rd->buf + rd->pos, "\xEF\xBB\xBF", 3) == 0)
                    rd->pos += 3;
                else rd->pos++;
                rd->at_line_start = false;
                continue;
            }
            /* a file that is one JSON array of events: each element is one */
            if (c == '[' && !rd->in_array) {
                rd->in_array = true;
                rd->pos++;
                rd->at_line_start = false;
                continue;
            }
            if (rd->in_array && (c == ',' || c == ']')) {
                if (c == ']') rd->in_array = false;
                rd->pos++;
                rd->at_line_start = false;
                continue;
            }
            if (c != '{') {
                e->st.malformed++;
                sgm_report(e, rd->name, sgm_reader_pos(rd, rd->pos), "not a JSON object");
                rd->skipping = true;
                rd->at_line_start = false;
                continue;
            }
            if (!rd->in_array && rd->pos == rd->line_start && rd->col_base == 0 && sgm_reader_line(rd)) continue;
            rd->start = rd->pos;
            sgm_pos p = sgm_reader_pos(rd, rd->pos);
            rd->start_line = p.line;
            rd->start_col = p.col;
            rd->depth = 0;
            rd->last = 0;
            rd->in_string = rd->escape = false;
        }
        /* inside a value */
        bool broken = false; /* brackets that do not pair, or too deep: the value is malformed here */
        if (rd->in_string) {
            if (rd->escape) rd->escape = false;
            else if (c == '\\') rd->escape = true;
            else if (c == '"') rd->in_string = false, rd->last = '"';
            else if (c == '\n') { /* a raw line break cannot be in a string: broken value */
                rd->in_string = false;
                rd->depth = -1;
            }
        } else if (c == '"') {
            rd->in_string = true;
        } else if (c == '{' || c == '[') {
            if (c == '{' && rd->depth > 0 && rd->pos == rd->line_start && rd->col_base == 0 && rd->last != ':' &&
                rd->last != ',' && rd->last != '[' && rd->last != '{') {
                /* a line that starts with '{' where no value may start: the
                 * open value lacks its end (a JSON line cut short); report it
                 * and start afresh with this line */
                size_t end = rd->pos;
                while (end > rd->start && (rd->buf[end - 1] == '\n' || rd->buf[end - 1] == '\r' ||
                                           rd->buf[end - 1] == ' ' || rd->buf[end - 1] == '\t'))
                    end--;
                sgm_reader_event(rd, end);
                rd->start = SIZE_MAX;
                rd->at_line_start = true;
                continue;
            }
            if (rd->depth >= SGM_READER_MAX_DEPTH) {
                broken = true;
            } else {
                uint64_t bit = (uint64_t)1 << (rd->depth % 64);
                if (c == '[') rd->kinds[rd->depth / 64] |= bit;
                else rd->kinds[rd->depth / 64] &= ~bit;
                rd->depth++;
            }
        } else if (c == '}' || c == ']') {
            int d = rd->depth - 1;
            if (d >= 0 && ((rd->kinds[d / 64] >> (d % 64)) & 1) != (c == ']')) broken = true;
            else rd->depth--;
        }
        if (!rd->in_string && c != ' ' && c != '\t' && c != '\r' && c != '\n') rd->last = c;
        if (c == '\n') {
            rd->line++;
            rd->line_start = rd->pos + 1;
            rd->col_base = 0;
        }
        rd->pos++;
        if (broken) {
            /* the parser says where and why (the text so far cannot parse) */
            sgm_reader_event(rd, rd->pos);
            rd->start = SIZE_MAX;
            rd->skipping = true;
            rd->at_line_start = c == '\n';
            continue;
        }
        if (rd->depth < 0) {
            e->st.malformed++;
            sgm_report(e, rd->name, (sgm_pos){rd->start_line, rd->start_col}, "malformed JSON (unterminated string)");
            rd->start = SIZE_MAX;
            rd->skipping = true;
            rd->at_line_start = c == '\n';
            continue;
        }
        if (rd->depth == 0 && !rd->in_string) {
            sgm_reader_event(rd, rd->pos);
            rd->start = SIZE_MAX;
            rd->at_line_start = false;
            continue;
        }
        if (rd->pos - rd->start > e->o.max_event) {
            e->st.too_long++;
            char msg[96];
            snprintf(msg, sizeof msg, "event longer than %zu bytes", e->o.max_event);
            sgm_report(e, rd->name, (sgm_pos){rd->start_line, rd->start_col}, msg);
            rd->start = SIZE_MAX;
            rd->skipping = true;
            rd->at_line_start = false;
        }
    }
    if (eof && rd->start != SIZE_MAX) {
        e->st.malformed++;
        sgm_report(e, rd->name, (sgm_pos){rd->start_line, rd->start_col}, "unexpected end of input inside an event");
        rd->start = SIZE_MAX;
    }
}

/* Keeps the unfinished value (or nothing) and makes room for more bytes. */
bool sgm_reader_compact(sgm_reader *rd) {
    size_t keep = rd->start != SIZE_MAX ? rd->start : rd->pos;
    if (keep > 0) {
        memmove(rd->buf, rd->buf + keep, rd->len - keep);
        rd->len -= keep;
        rd->pos -= keep;
        if (rd->start != SIZE_MAX) rd->start -= keep;
        if (rd->line_start >= keep) {
            rd->line_start -= keep;
        } else {
            rd->col_base += keep - rd->line_start;
            rd->line_start = 0;
        }
    }
    if (rd->len == rd->cap) {
        size_t cap = rd->cap * 2;
        char *n = realloc(rd->buf, cap);
        if (!n) return false;
        rd->buf = n;
        rd->cap = cap;
    }
    return true;
}

/* Reads what is there, at most n bytes: from a pipe or a terminal each line
 * as it comes (fread would wait for n bytes, holding alerts back).  0 at
 * the end of the input, or with *failed on an error. */
size_t sgm_read_some(FILE *in, char *buf, size_t n, bool *failed) {
    int fd = fileno(in);
    *failed = false;
    if (fd < 0) { /* a memory stream */
        size_t got = fread(buf, 1, n, in);
        *failed = got == 0 && ferror(in);
        return got;
    }
    for (;;) {
        ssize_t got = read(fd, buf, n);
        if (got >= 0) return (size_t)got;
        if (errno != EINTR) break;
    }
    *failed = true;
    return 0;
}

bool sgm_reader_init(sgm_reader *rd, sgm_engine *e, const char *name) {
    memset(rd, 0, sizeof *rd);
    rd->e = e;
    rd->name = name;
    /* 256 KiB at a time (it grows for a longer event): 1 MiB read 1.6% slower
     * over the whole corpus and 3.5% with no rules, the bytes parsed from a
     * cache further out, and every page of it touched at first costs a
     * fault (about 15 us each on this machine) */
    rd->cap = 1u << 18;
    rd->buf = malloc(rd->cap);
    rd->start = SIZE_MAX;
    rd->line = 1;
    rd->at_line_start = true;
    return rd->buf != NULL;
}

bool sgm_reader_feed(sgm_reader *rd, const char *p, size_t n) {
    while (n) {
        if (!sgm_reader_compact(rd)) return false;
        size_t room = rd->cap - rd->len, k = n < room ? n : room;
        memcpy(rd->buf + rd->len, p, k);
        rd->len += k;
        p += k;
        n -= k;
        sgm_reader_scan(rd, false);
    }
    return true;
}

bool sgm_reader_clean(const sgm_reader *rd) {
    return rd->start == SIZE_MAX && !rd->skipping && !rd->in_array && rd->pos == rd->len && rd->line_start == rd->pos &&
           rd->col_base == 0;
}

static int sgm_scan_stream(sgm_engine *e, const char *name, FILE *in) {
    sgm_reader rd;
    if (!sgm_reader_init(&rd, e, name)) {
        fprintf(e->o.err, "%s: error: %s: out of memory\n", e->o.prog, name);
        e->st.failed_inputs++;
        return -1;
    }
    int rc = 0;
    for (;;) {
        if (!sgm_reader_compact(&rd)) {
            fprintf(e->o.err, "%s: error: %s: out of memory\n", e->o.prog, name);
            e->st.failed_inputs++;
            rc = -1;
            break;
        }
        bool failed;
        size_t got = sgm_read_some(in, rd.buf + rd.len, rd.cap - rd.len, &failed);
        rd.len += got;
        e->input_done += got;
        e->bytes_done += got;
        bool eof = got == 0;
        if (failed) {
            sgm_progress_clear(e);
            fprintf(e->o.err, "%s: error: %s: %s\n", e->o.prog, name, strerror(errno));
            e->st.failed_inputs++;
            rc = -1;
            break;
        }
        sgm_reader_scan(&rd, eof);
        bool out_ok = sgm_out_flush(e, false);
        sgm_progress_tick(e);
        if (eof || !out_ok) break;
    }
    free(rd.buf);
    return rc;
}

/* A stream of JSON values, on the worker threads when -j asks for them. */
static int sgm_scan_json(sgm_engine *e, const char *name, FILE *in) {
    if (e->o.jobs > 1) {
        int rc = sgm_par_scan_stream(e, name, in);
        if (rc <= 0) return rc;
    }
    return sgm_scan_stream(e, name, in);
}

int sgm_engine_scan_buffer(sgm_engine *e, const char *name, const char *data, size_t len) {
    FILE *in = fmemopen((void *)(uintptr_t)data, len ? len : 1, "r");
    if (!in) return -1;
    e->st.inputs++;
    int rc = len ? sgm_scan_stream(e, name, in) : 0;
    fclose(in);
    return rc;
}

static int sgm_evtx_on_event(void *ctx, const char *json, size_t len, uint64_t record_id) {
    sgm_engine *e = ctx;
    size_t err_off;
    const char *msg;
    e->ev.record = record_id;
    e->ev.is_record = true;
    e->bytes_done += len;
    if ((record_id & 1023) == 0) {
        sgm_progress_tick(e);
        if (!sgm_out_flush(e, false)) return 1; /* the output failed: stop reading */
    }
    if (sgm_json_parse_event(e, json, len, &err_off, &msg) != 0) {
        e->st.evtx_damaged++;
        sgm_progress_clear(e);
        fprintf(e->o.err, "%s: record %llu: warning: %s; skipped\n", e->ev.file, (unsigned long long)record_id, msg);
        return 0;
    }
    sgm_run_event(e);
    return 0;
}

static void sgm_evtx_on_error(void *ctx, uint64_t index, const char *message) {
    sgm_engine *e = ctx;
    sgm_progress_clear(e);
    e->st.evtx_damaged++;
    fprintf(e->o.err, "%s: record #%llu: warning: %s; skipped\n", e->ev.file, (unsigned long long)index, message);
}

static bool sgm_ends_with(const char *s, const char *suffix) {
    size_t n = strlen(s), m = strlen(suffix);
    if (n < m) return false;
    for (size_t i = 0; i < m; i++)
        if (sgm_fold[(unsigned char)s[n - m + i]] != (unsigned char)suffix[i]) return false;
    return true;
}

/* The input the progress line names, and its size when it has one. */
static void sgm_progress_input(sgm_engine *e, const char *name, FILE *in) {
    struct stat st;
    e->input_name = name;
    e->input_done = 0;
    e->input_size = in && fstat(fileno(in), &st) == 0 && S_ISREG(st.st_mode) ? (uint64_t)st.st_size : 0;
}

int sgm_engine_scan(sgm_engine *e, const char *path) {
    e->st.inputs++;
    e->ev.file = path;
    sgm_progress_input(e, path, NULL);
    if (sgm_ends_with(path, ".evtx")) {
        char err[512];
        int rc = sgm_evtx_read(path, sgm_evtx_on_event, sgm_evtx_on_error, e, err, sizeof err);
        if (rc < 0) {
            sgm_progress_clear(e);
            fprintf(e->o.err, "%s: error: %s: %s\n", e->o.prog, path, err);
            e->st.failed_inputs++;
            return -1;
        }
        return 0;
    }
    if (strcmp(path, "-") == 0) {
        sgm_progress_input(e, "<stdin>", stdin);
        return sgm_scan_json(e, "<stdin>", stdin);
    }
    FILE *in = fopen(path, "rb");
    if (!in) {
        sgm_progress_clear(e);
        fprintf(e->o.err, "%s: error: %s: %s\n", e->o.prog, path, strerror(errno));
        e->st.failed_inputs++;
        return -1;
    }
    sgm_progress_input(e, path, in);
    int rc = sgm_scan_json(e, path, in);
    fclose(in);
    return rc;
}

uint64_t sgm_engine_finish(sgm_engine *e) {
    sgm_progress_clear(e);
    e->ev.raw = NULL; /* matches found now carry no event */
    e->ev.file = NULL;
    e->ev.has_time = e->ev.time_pending = false;
    sgm_agg_finish(e);
    sgm_out_flush(e, true); /* the last word on the output: sgm_engine_output_error */
    const sgm_stats *s = &e->st;
    if (e->o.summary) {
        FILE *f = e->o.err;
        fprintf(f, "%s: %llu events from %llu inputs, %llu matches\n", e->o.prog, (unsigned long long)s->events,
                (unsigned long long)s->inputs, (unsigned long long)s->matches);
        for (uint32_t r = 0; r < e->t->n_rules; r++)
            if (e->rule_matches[r])
                fprintf(f, "  %6llu  %.*s  %.*s\n", (unsigned long long)e->rule_matches[r], (int)e->t->rules[r].id.len,
                        sgm_text(e->t, e->t->rules[r].id), (int)e->t->rules[r].title.len, sgm_text(e->t, e->t->rules[r].title));
        if (s->malformed || s->too_long || s->bad_utf8 || s->evtx_damaged || s->failed_inputs)
            fprintf(f, "  skipped: %llu malformed, %llu too long, %llu invalid UTF-8, %llu damaged EVTX records, %llu unreadable inputs\n",
                    (unsigned long long)s->malformed, (unsigned long long)s->too_long, (unsigned long long)s->bad_utf8,
                    (unsigned long long)s->evtx_damaged, (unsigned long long)s->failed_inputs);
        if (s->regex_limit) fprintf(f, "  regex limits hit: %llu\n", (unsigned long long)s->regex_limit);
        if (s->broken_regexes)
            fprintf(f, "  regexes that do not compile (they matched nothing): %llu\n", (unsigned long long)s->broken_regexes);
        if (s->evicted_groups || s->dropped_entries || s->late_events)
            fprintf(f, "  aggregation: %llu groups evicted, %llu events dropped at the per-group cap, %llu late events\n",
                    (unsigned long long)s->evicted_groups, (unsigned long long)s->dropped_entries,
                    (unsigned long long)s->late_events);
        if (s->no_time && e->t->n_aggs)
            fprintf(f, "  %llu events had no time field; aggregations counted them at the latest time seen\n",
                    (unsigned long long)s->no_time);
    }
    return s->matches;
}

int sgm_main(const sgm_tables *t, const sgm_index *ix, int argc, char **argv) {
    sgm_options o;
    sgm_options_default(&o);
    o.prog = argc > 0 && argv[0] ? argv[0] : "matcher";
    int first_file = argc;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0) {
            first_file = i + 1;
            break;
        }
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            printf("usage: %s [OPTION]... [FILE]...\n"
                   "Scans log events (JSON lines or pretty-printed JSON, .evtx) with %u Sigma rules\n"
                   "compiled by %s, and prints one line per match.  No FILE, or -, reads stdin.\n\n%s%s"
                   "\nExit status: 0 no match, 1 matches, 2 errors.\n",
                   o.prog, (unsigned)t->n_rules, t->generator, sgm_options_help,
                   ix ? "  --check-index            build the index of the tables again and stop (exit 2) unless\n"
                        "                           it is the one emitted beside them (a check of the generator)\n"
                      : "");
            return 0;
        }
        if (ix && strcmp(argv[i], "--check-index") == 0) {
            o.check_index = true;
            continue;
        }
        if (argv[i][0] != '-' || strcmp(argv[i], "-") == 0) {
            first_file = i;
            break;
        }
        int rc = sgm_parse_option(&o, argc, argv, &i);
        if (rc < 0) return 2;
        if (rc == 0) {
            fprintf(stderr, "%s: error: unknown option '%s' (see --help)\n", o.prog, argv[i]);
            return 2;
        }
    }
    char err[256];
    sgm_engine *e = sgm_engine_new_indexed(t, ix, &o, err, sizeof err);
    if (!e) {
        fprintf(stderr, "%s: error: %s\n", o.prog, err);
        return 2;
    }
    if (first_file >= argc) sgm_engine_scan(e, "-");
    for (int i = first_file; i < argc && !e->out_errno; i++) sgm_engine_scan(e, argv[i]);
    uint64_t matches = sgm_engine_finish(e);
    int failed = e->st.failed_inputs > 0 || e->st.broken_regexes > 0, out_errno = e->out_errno;
    sgm_engine_free(e);
    if (out_errno) { /* a reader that went away (EPIPE) needs no message */
        if (out_errno != EPIPE) fprintf(stderr, "%s: error: cannot write the output: %s\n", o.prog, strerror(out_errno));
        return 2;
    }
    return failed ? 2 : matches ? 1 : 0;
}
