/* c.h - the C matcher target's tables, shared by `sigc convert -t c` (which
 * writes them as C) and `sigc match` (which runs them in place). */
#ifndef SG_C_H
#define SG_C_H

#include "diag.h"
#include "ir.h"
#include "matcher/sgm.h"

/* Builds the matcher's tables for rules (after the pipelines; detection
 * and correlation rules, as `sigc convert` passes them) into arena.
 * Returns 0, or -1 after located error diagnostics for the rules that
 * cannot be matched (nothing is built then). */
int c_build_tables(sg_arena *arena, sg_diags *diags, const sg_ir_rule *const *rules, size_t n, sgm_tables *out);

/* The whole generated C file for rules. */
int c_emit_program(sg_arena *arena, sg_diags *diags, const sg_ir_rule *const *rules, size_t n, sg_buf *out);

/* The runtime's text (tools/embed_runtime.py): headers, then the code. */
extern const char sg_c_runtime_head[];
extern const size_t sg_c_runtime_head_len;
extern const char sg_c_runtime_body[];
extern const size_t sg_c_runtime_body_len;

#endif
