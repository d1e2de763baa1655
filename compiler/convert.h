/* convert.h - `sigc convert`: rules through pipelines into a backend, and
 * the output formats.  Nothing here prints or writes files (main.c does). */
#ifndef SG_CONVERT_H
#define SG_CONVERT_H

#include "backend.h"
#include "pipeline.h"

typedef struct sg_converted {
    const sg_rule *rule;   /* the source rule */
    const sg_ir_rule *ir;  /* after the pipelines */
    sg_str query;          /* the backend's text (arena) */
} sg_converted;

typedef struct sg_convert_result {
    sg_converted *items;   /* rules that converted, in load order */
    size_t count;
    const sg_rule **skipped; /* rules that did not (their diagnostics say why) */
    size_t n_skipped;
} sg_convert_result;

/* Options given on the command line (-O key=value) for generic pipelines. */
typedef struct sg_convert_opts {
    sg_str table;      /* table=: the KQL table for rules no pipeline placed */
    sg_str index;      /* index=: SPL index="..." condition in front of every query */
    sg_str sourcetype; /* sourcetype=: SPL sourcetype="..." condition */
} sg_convert_opts;

/* Converts every detection and correlation rule of the set (filters and
 * rules only used by a correlation without `generate` are not emitted on
 * their own).  known: every pipeline serving the target, for hints. */
void sg_convert(sg_ruleset *rs, const sg_backend *be, sg_pipeline *const *pipes, size_t n_pipes,
                sg_pipeline *const *known, size_t n_known, const sg_convert_opts *opts, sg_convert_result *out);
void sg_convert_result_free(sg_convert_result *res);

typedef enum sg_out_format {
    SG_OUT_DEFAULT,       /* header comment + query per rule, a blank line between */
    SG_OUT_JSON,          /* [{id, title, level, query, source}] */
    SG_OUT_SAVEDSEARCHES, /* Splunk savedsearches.conf stanzas (target spl) */
    SG_OUT_SENTINEL,      /* Microsoft Sentinel analytic-rule YAML (target kql) */
} sg_out_format;

bool sg_out_format_parse(const char *name, sg_out_format *out);
/* The target a format needs, or NULL when any target will do. */
const char *sg_out_format_target(sg_out_format fmt);
/* File extension for -o DIR/ in this format (the backend's own for default). */
const char *sg_out_format_ext(const sg_backend *be, sg_out_format fmt);
/* Formats one item, or all of them, in the chosen format.  Returns 0, or
 * -1 after a located diagnostic when an item cannot be written in this
 * format without changing it (then nothing of it is written). */
int sg_convert_format_one(const sg_backend *be, sg_out_format fmt, const sg_converted *c, sg_diags *d, sg_buf *out);
int sg_convert_format_all(const sg_backend *be, sg_out_format fmt, const sg_convert_result *res, sg_diags *d,
                          sg_buf *out);

#endif
