/* backend.h - the one small interface every target implements.
 *
 * A backend reads only the IR (compiler/ir.h): rules whose modifiers are
 * expanded, whose field names and log-source conditions the pipeline has
 * already applied (rule->table and rule->timestamp come from it too), and
 * whose thresholds are one aggregation node.  It never sees YAML.  Each
 * target is one file here, listed once in backends.def, with its escaping
 * functions beside its emitter, one per context (string, regex, field
 * name, comment).
 *
 * A construct the target cannot express exactly is an error diagnostic
 * located at the IR node (rule->meta.file, node line/col) and emit_rule
 * returns -1: never a silently looser or wider query.
 */
#ifndef SG_BACKEND_H
#define SG_BACKEND_H

#include "diag.h"
#include "ir.h"

typedef struct sg_backend {
    const char *name;        /* the -t name, e.g. "kql" */
    const char *description; /* one line, for `sigc list targets` */
    const char *file_ext;    /* for -o DIR/: ".kql", ".spl", ".rules", ".c" */
    /* Appends the query of one rule (detection or correlation) to out,
     * without the header comment.  Returns 0, or -1 after adding an error
     * diagnostic; out is then discarded by the caller. */
    int (*emit_rule)(sg_diags *diags, const sg_ir_rule *rule, sg_buf *out);
    /* Appends one comment line (with its line break) in the target's
     * syntax; text is sanitised for that context: no line breaks, no
     * comment terminators, no control or bidi characters. */
    void (*emit_comment)(sg_buf *out, sg_str text);
    /* Optional: a target that writes one output for all rules (the C
     * matcher) appends it here; then only the default format and one
     * output file apply.  Returns 0, or -1 after error diagnostics. */
    int (*emit_all)(sg_diags *diags, const sg_ir_rule *const *rules, size_t n, sg_buf *out);
    /* Optional: a target's own option (-O key=value).  Returns 0, -1 for a
     * key it does not know, -2 for a value it cannot take. */
    int (*set_option)(const char *key, const char *value);
} sg_backend;

/* The registry (backends/registry.c, from backends.def). */
extern const sg_backend *const sg_backends[];
extern const size_t sg_n_backends;
const sg_backend *sg_backend_find(const char *name);

#endif
