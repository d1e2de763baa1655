/* fuzz_convert.c - libFuzzer target: the input as one Sigma rule file
 * through the front end and then through every backend, the way `sigc
 * convert` drives them (compiler/main.c): each target once with no
 * pipeline and once with each built-in pipeline serving it; a target that
 * writes one output for all rules (C matcher, Suricata) through emit_all,
 * the others in every output format they take (default, json,
 * savedsearches for SPL, sentinel for KQL).
 *
 * Beyond never crashing, leaking or tripping a sanitizer, the text written
 * must keep a few properties that are cheap to check:
 *   - no output holds a NUL byte;
 *   - KQL: every string literal ("..." and '...' with backslash escapes,
 *     verbatim @"..." and @'...' where a doubled quote is a quote) closes
 *     on its own line; `//` comments run to the end of the line;
 *   - SPL: every "..." (backslash escapes) closes on its own line;
 *     ``` comments ``` are skipped;
 *   - Suricata: every line is blank, a `#` comment, or one whole rule
 *     `alert ... (...;)` whose "..." option values close.
 * A violated property is __builtin_trap(), so libFuzzer keeps the input.
 *
 * Run: tests/fuzz/run-bounded.sh (seeds: the SigmaHQ rules, dictionary
 * tests/fuzz/sigma.dict).  Every crash is kept in regress/, which
 * replay.sh runs through `sigc check` and `sigc convert -t` every target. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "convert.h"
#include "data.h"
#include "pipeline.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* ---- output properties ------------------------------------------------- */

/* Reports a violated output property: libFuzzer records the input. */
static void fc_require(bool ok) {
    if (!ok) __builtin_trap();
}

static bool fc_has_prefix(const char *p, size_t len, size_t i, const char *lit) {
    size_t n = strlen(lit);
    return len - i >= n && memcmp(p + i, lit, n) == 0;
}

/* Index just past the quote that closes a string opened before i, or 0
 * when the line or the text ends first.  backslash: \x escapes the next
 * byte; otherwise (verbatim) a doubled quote stands for one quote. */
static size_t fc_string_end(const char *p, size_t len, size_t i, char quote, bool backslash) {
    while (i < len) {
        char ch = p[i];
        if (ch == '\n' || ch == '\r') return 0;
        if (backslash && ch == '\\') {
            if (i + 1 >= len || p[i + 1] == '\n' || p[i + 1] == '\r') return 0;
            i += 2;
        } else if (ch == quote) {
            if (!backslash && i + 1 < len && p[i + 1] == quote) i += 2;
            else return i + 1;
        } else {
            i++;
        }
    }
    return 0;
}

/* Index of the next ``` at or after i, or len. */
static size_t fc_find_fence(const char *p, size_t len, size_t i) {
    for (; i < len; i++)
        if (fc_has_prefix(p, len, i, "```")) return i;
    return len;
}

/* Index just past the end of the line at i (or len). */
static size_t fc_line_end(const char *p, size_t len, size_t i) {
    const char *nl = memchr(p + i, '\n', len - i);
    return nl ? (size_t)(nl - p) + 1 : len;
}

static void fc_check_kql(const char *p, size_t len) {
    for (size_t i = 0; i < len;) {
        if (fc_has_prefix(p, len, i, "//")) {
            i = fc_line_end(p, len, i);
        } else if (fc_has_prefix(p, len, i, "```")) { /* multi-line string */
            i = fc_find_fence(p, len, i + 3);
            fc_require(i < len);
            i += 3;
        } else if (p[i] == '@' && i + 1 < len && (p[i + 1] == '"' || p[i + 1] == '\'')) {
            i = fc_string_end(p, len, i + 2, p[i + 1], false);
            fc_require(i != 0);
        } else if (p[i] == '"' || p[i] == '\'') {
            i = fc_string_end(p, len, i + 1, p[i], true);
            fc_require(i != 0);
        } else {
            i++;
        }
    }
}

static void fc_check_spl(const char *p, size_t len) {
    for (size_t i = 0; i < len;) {
        if (fc_has_prefix(p, len, i, "```")) { /* a comment */
            i = fc_find_fence(p, len, i + 3);
            fc_require(i < len);
            i += 3;
        } else if (p[i] == '"') {
            i = fc_string_end(p, len, i + 1, '"', true);
            fc_require(i != 0);
        } else {
            i++;
        }
    }
}

static void fc_check_suricata(const char *p, size_t len) {
    for (size_t i = 0; i < len;) {
        size_t end = fc_line_end(p, len, i), stop = end;
        if (stop > i && p[stop - 1] == '\n') stop--;
        if (stop > i && p[i] != '#') {
            fc_require(stop - i > 8 && fc_has_prefix(p, stop, i, "alert ") && memcmp(p + stop - 2, ";)", 2) == 0);
            for (size_t k = i; k < stop;) {
                if (p[k] == '"') {
                    k = fc_string_end(p, stop, k + 1, '"', true);
                    fc_require(k != 0);
                } else {
                    k++;
                }
            }
        }
        i = end;
    }
}

static void fc_check_output(const char *target, const sg_buf *out, bool default_format) {
    if (!out->len) return;
    fc_require(memchr(out->data, '\0', out->len) == NULL);
    if (!default_format) return;
    if (strcmp(target, "kql") == 0) fc_check_kql(out->data, out->len);
    else if (strcmp(target, "spl") == 0) fc_check_spl(out->data, out->len);
    else if (strcmp(target, "suricata") == 0) fc_check_suricata(out->data, out->len);
}

/* ---- the built-in pipelines, loaded once ------------------------------- */

/* A rule set of their own that lives as long as the process: converting
 * reads pipelines but never changes them. */
static sg_diags fc_pipe_diags;
static sg_ruleset fc_pipe_rs;
static sg_pipeline **fc_pipes;
static size_t fc_n_pipes;

static void fc_load_pipelines(void) {
    if (fc_pipes) return;
    sg_diags_init(&fc_pipe_diags);
    sg_ruleset_init(&fc_pipe_rs, NULL, &fc_pipe_diags);
    fc_pipes = sg_xmalloc((sg_n_builtin_pipelines + 1) * sizeof *fc_pipes);
    for (size_t i = 0; i < sg_n_builtin_pipelines; i++) {
        const sg_builtin_pipeline *b = &sg_builtin_pipelines[i];
        sg_pipeline *p = sg_pipeline_load(&fc_pipe_rs, b->name, b->data, b->len, true);
        fc_require(p != NULL); /* a built-in pipeline always loads */
        fc_pipes[fc_n_pipes++] = p;
    }
}

/* ---- conversion --------------------------------------------------------- */

/* One run of `sigc convert -t be->name [-p pipe]` over the loaded rules.
 * whole: a target that writes one output for all rules (emit_all) writes
 * it; the C matcher's program is slow to print, so that is done once per
 * input, with the target's default pipeline, and only when a rule converted. */
static void fc_convert(sg_ruleset *rs, const sg_backend *be, sg_pipeline *pipe, sg_pipeline *const *known,
                       size_t n_known, bool whole) {
    static const sg_out_format formats[] = {SG_OUT_DEFAULT, SG_OUT_JSON, SG_OUT_SAVEDSEARCHES, SG_OUT_SENTINEL};
    sg_pipeline *pipes[1] = {pipe};
    sg_convert_result res;
    sg_convert(rs, be, pipes, pipe ? 1 : 0, known, n_known, NULL, &res);
    sg_buf out;
    sg_buf_init(&out);
    if (be->emit_all && whole && res.count) {
        const sg_ir_rule **irs = sg_xmalloc((res.count + 1) * sizeof *irs);
        for (size_t i = 0; i < res.count; i++) irs[i] = res.items[i].ir;
        if (be->emit_all(rs->diags, irs, res.count, &out) == 0) fc_check_output(be->name, &out, true);
        free(irs);
    }
    for (size_t f = 0; !be->emit_all && f < sizeof formats / sizeof *formats; f++) {
        const char *only = sg_out_format_target(formats[f]);
        if (only && strcmp(only, be->name) != 0) continue;
        sg_buf_reset(&out);
        if (sg_convert_format_all(be, formats[f], &res, rs->diags, &out) == 0)
            fc_check_output(be->name, &out, formats[f] == SG_OUT_DEFAULT);
    }
    sg_buf_free(&out);
    sg_convert_result_free(&res);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    fc_load_pipelines();
    sg_diags diags;
    sg_diags_init(&diags);
    sg_ruleset rs;
    sg_ruleset_init(&rs, NULL, &diags);
    sg_ruleset_load_defaults(&rs, "thresholds.yml", sg_data_thresholds, sg_data_thresholds_len);
    sg_ruleset_add_file(&rs, "fuzz.yml", (const char *)data, size);
    sg_ruleset_resolve(&rs);
    sg_pipeline **known = sg_xmalloc((fc_n_pipes + 1) * sizeof *known);
    for (size_t b = 0; b < sg_n_backends; b++) {
        const sg_backend *be = sg_backends[b];
        size_t n_known = 0;
        for (size_t i = 0; i < fc_n_pipes; i++)
            if (sg_pipeline_serves(fc_pipes[i], be->name)) known[n_known++] = fc_pipes[i];
        /* no pipeline, then each built-in one (the first is the target's
         * default where it has one: c windows-events, suricata suricata) */
        fc_convert(&rs, be, NULL, known, n_known, n_known == 0);
        for (size_t i = 0; i < n_known; i++) fc_convert(&rs, be, known[i], known, n_known, i == 0);
    }
    free(known);
    sg_ruleset_free(&rs);
    sg_diags_free(&diags);
    return 0;
}
