/* backend.h - the one small interface every target implements.
 *
 * A backend reads only the IR (compiler/ir.h): rules whose modifiers are
 * expanded, whose field names and log-source conditions the pipeline has
 * already applied, and whose thresholds are one aggregation node.  It
 * never sees YAML.  Each target is one file here (kql.c, spl.c,
 * suricata.c, cmatch.c), listed once in backends.def, with its escaping
 * functions beside its emitter, one per context (string, regex, field
 * name, comment).
 *
 * Status: the interface for the backend issues; no target is registered yet.
 */
#ifndef SG_BACKEND_H
#define SG_BACKEND_H

#include "diag.h"
#include "ir.h"

typedef struct sg_backend_ctx {
    sg_diags *diags;        /* unsupported constructs are located diagnostics */
    const char *timestamp;  /* event-time field for aggregations (from the pipeline) */
    const char *table;      /* where the query runs (KQL table, SPL index/source), if set */
} sg_backend_ctx;

typedef struct sg_backend {
    const char *name;        /* the -t name, e.g. "kql" */
    const char *description; /* one line, for `sigc list targets` */
    const char *file_ext;    /* for -o DIR/: ".kql", ".spl", ".rules", ".c" */
    /* Appends the query of one rule to out.  Returns 0, or -1 after adding
     * an error diagnostic located at the IR node it could not express (the
     * output is then discarded: never a silently wrong query). */
    int (*emit_rule)(const sg_backend_ctx *ctx, const sg_ir_rule *rule, sg_buf *out);
    /* Appends a comment line in the target's syntax, with text sanitised
     * for that context (no line breaks, no comment terminators). */
    void (*emit_comment)(sg_buf *out, sg_str text);
} sg_backend;

#endif
