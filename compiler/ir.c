/* ir.c - IR constructors, walker and the stable text dump. */
#include "ir.h"

#include <math.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

sg_ir_expr *sg_ir_new(sg_arena *a, sg_ir_kind kind, uint32_t line, uint32_t col) {
    sg_ir_expr *e = SG_NEW(a, sg_ir_expr);
    e->kind = kind;
    e->line = line;
    e->col = col;
    return e;
}

sg_ir_expr *sg_ir_new_pred(sg_arena *a, sg_ir_pred *p) {
    sg_ir_expr *e = sg_ir_new(a, SG_IR_PRED, p->line, p->col);
    e->pred = p;
    return e;
}

sg_ir_expr *sg_ir_new_nary(sg_arena *a, sg_ir_kind kind, sg_ir_expr **kids, size_t count,
                           uint32_t line, uint32_t col) {
    sg_ir_kind absorbing = kind == SG_IR_AND ? SG_IR_FALSE : SG_IR_TRUE;
    sg_ir_kind neutral = kind == SG_IR_AND ? SG_IR_TRUE : SG_IR_FALSE;
    size_t total = 0;
    for (size_t i = 0; i < count; i++) {
        if (kids[i]->kind == absorbing) return sg_ir_new(a, absorbing, line, col);
        if (kids[i]->kind == neutral) continue;
        total += kids[i]->kind == kind ? kids[i]->count : 1;
    }
    if (total == 0) return sg_ir_new(a, neutral, line, col);
    sg_ir_expr **flat = SG_NEW_ARRAY(a, sg_ir_expr *, total);
    size_t n = 0;
    for (size_t i = 0; i < count; i++) {
        if (kids[i]->kind == neutral) continue;
        if (kids[i]->kind == kind) {
            memcpy(flat + n, kids[i]->kids, kids[i]->count * sizeof *flat);
            n += kids[i]->count;
        } else {
            flat[n++] = kids[i];
        }
    }
    if (n == 1) return flat[0];
    sg_ir_expr *e = sg_ir_new(a, kind, line, col);
    e->kids = flat;
    e->count = n;
    return e;
}

sg_ir_expr *sg_ir_new_not(sg_arena *a, sg_ir_expr *e) {
    if (e->kind == SG_IR_TRUE) return sg_ir_new(a, SG_IR_FALSE, e->line, e->col);
    if (e->kind == SG_IR_FALSE) return sg_ir_new(a, SG_IR_TRUE, e->line, e->col);
    if (e->kind == SG_IR_NOT) return e->kids[0];
    sg_ir_expr *n = sg_ir_new(a, SG_IR_NOT, e->line, e->col);
    n->kids = SG_NEW_ARRAY(a, sg_ir_expr *, 1);
    n->kids[0] = e;
    n->count = 1;
    return n;
}

/* Iterative pre-order walk with an explicit stack (IR depth is bounded by
 * the condition depth limit, but IR from other sources need not be). */
sg_walk_result sg_ir_walk(sg_ir_expr *root, sg_ir_visit_fn fn, void *ctx) {
    if (!root) return SG_WALK_CONTINUE;
    size_t cap = 64, n = 0;
    struct frame {
        sg_ir_expr *e;
        int depth;
    } *stack = sg_xmalloc(cap * sizeof *stack);
    stack[n++] = (struct frame){root, 0};
    sg_walk_result res = SG_WALK_CONTINUE;
    while (n) {
        struct frame f = stack[--n];
        sg_walk_result r = fn(f.e, f.depth, ctx);
        if (r == SG_WALK_ABORT) {
            res = SG_WALK_ABORT;
            break;
        }
        if (r == SG_WALK_PRUNE) continue;
        for (size_t i = f.e->count; i-- > 0;) {
            if (n == cap) {
                cap *= 2;
                stack = sg_xrealloc(stack, cap * sizeof *stack);
            }
            stack[n++] = (struct frame){f.e->kids[i], f.depth + 1};
        }
    }
    free(stack);
    return res;
}

const char *sg_ir_op_name(sg_ir_op op) {
    static const char *const names[] = {"eq", "contains", "startswith", "endswith", "glob", "regex", "cidr",
                                        "lt", "lte", "gt", "gte", "null", "exists", "fieldref"};
    return op < sizeof names / sizeof *names ? names[op] : "?";
}

const char *sg_ir_op_symbol(sg_ir_op op) {
    switch (op) {
    case SG_OP_LT: return "<";
    case SG_OP_LTE: return "<=";
    case SG_OP_GT: return ">";
    case SG_OP_GTE: return ">=";
    default: return "==";
    }
}

const char *sg_agg_type_name(sg_agg_type t) {
    static const char *const names[] = {"event_count", "value_count", "value_sum", "value_avg",
                                        "value_min", "value_max", "value_percentile", "value_median",
                                        "temporal", "temporal_ordered", "near"};
    return t < sizeof names / sizeof *names ? names[t] : "?";
}

const char *sg_agg_origin_name(sg_agg_origin o) {
    static const char *const names[] = {"legacy", "correlation", "threshold", "placeholder"};
    return o < sizeof names / sizeof *names ? names[o] : "?";
}

const char *sg_timepart_name(sg_timepart t) {
    static const char *const names[] = {"", "minute", "hour", "day", "week", "month", "year"};
    return t < sizeof names / sizeof *names ? names[t] : "?";
}

/* Quoted dump text: printable ASCII as is, `"` and `\` escaped, every other
 * byte as \xHH, so dumps are one line per node and diff cleanly. */
static void sg_dump_quoted(sg_buf *out, sg_str s) {
    sg_buf_add_byte(out, '"');
    for (size_t i = 0; i < s.len; i++) {
        unsigned char c = (unsigned char)s.ptr[i];
        if (c == '"' || c == '\\') {
            sg_buf_add_byte(out, '\\');
            sg_buf_add_byte(out, (char)c);
        } else if (c >= 0x20 && c < 0x7f) {
            sg_buf_add_byte(out, (char)c);
        } else {
            sg_buf_printf(out, "\\x%02x", c);
        }
    }
    sg_buf_add_byte(out, '"');
}

/* A field, or the names it has in a pipeline's variants: "a"|"b". */
static void sg_dump_names(sg_buf *out, sg_str field, sg_strlist any) {
    if (any.count < 2) {
        sg_dump_quoted(out, field);
        return;
    }
    for (size_t i = 0; i < any.count; i++) {
        if (i) sg_buf_add_byte(out, '|');
        sg_dump_quoted(out, any.items[i]);
    }
}

static void sg_dump_pattern(sg_buf *out, sg_sstring s) {
    sg_buf_add_byte(out, '[');
    for (size_t i = 0; i < s.n; i++) {
        if (i) sg_buf_add_byte(out, ' ');
        switch (s.parts[i].kind) {
        case SG_SP_LIT: sg_dump_quoted(out, s.parts[i].text); break;
        case SG_SP_STAR: sg_buf_add_cstr(out, "*"); break;
        case SG_SP_ONE: sg_buf_add_cstr(out, "?"); break;
        case SG_SP_PLACEHOLDER:
            sg_buf_add_byte(out, '%');
            sg_buf_add_str(out, s.parts[i].text);
            sg_buf_add_byte(out, '%');
            break;
        }
    }
    sg_buf_add_byte(out, ']');
}

static void sg_dump_pred(sg_buf *out, const sg_ir_pred *p) {
    if (p->field.len) sg_dump_quoted(out, p->field);
    else sg_buf_add_cstr(out, "<keyword>");
    sg_buf_printf(out, " %s", sg_ir_op_name(p->op));
    if (p->timepart) sg_buf_printf(out, "(%s)", sg_timepart_name(p->timepart));
    switch (p->op) {
    case SG_OP_NULL:
    case SG_OP_EXISTS: break;
    case SG_OP_GLOB:
        sg_buf_add_byte(out, ' ');
        sg_dump_pattern(out, p->pattern);
        break;
    case SG_OP_CIDR:
        sg_buf_add_byte(out, ' ');
        sg_buf_add_str(out, p->text);
        break;
    case SG_OP_FIELDREF:
        sg_buf_printf(out, " %s ", sg_ir_op_name(p->fieldref_op));
        sg_dump_quoted(out, p->text);
        break;
    default:
        sg_buf_add_byte(out, ' ');
        if (p->vtype == SG_VT_NUMBER || p->vtype == SG_VT_BOOL) {
            sg_buf_printf(out, "%s:", p->vtype == SG_VT_NUMBER ? "num" : "bool");
            sg_buf_add_str(out, p->text);
        } else {
            sg_dump_quoted(out, p->text);
        }
        break;
    }
    if (p->op == SG_OP_REGEX && p->regex_flags)
        sg_buf_printf(out, " flags=%s%s%s", p->regex_flags & SG_RE_I ? "i" : "", p->regex_flags & SG_RE_M ? "m" : "",
                      p->regex_flags & SG_RE_S ? "s" : "");
    if (p->cased && p->op != SG_OP_REGEX) sg_buf_add_cstr(out, " cased");
}

static void sg_dump_expr(sg_buf *out, const sg_ir_expr *e, int depth) {
    for (int i = 0; i < depth; i++) sg_buf_add_cstr(out, "  ");
    if (!e) {
        sg_buf_add_cstr(out, "(none)\n");
        return;
    }
    switch (e->kind) {
    case SG_IR_TRUE: sg_buf_add_cstr(out, "true\n"); return;
    case SG_IR_FALSE: sg_buf_add_cstr(out, "false\n"); return;
    case SG_IR_PRED:
        sg_dump_pred(out, e->pred);
        sg_buf_add_byte(out, '\n');
        return;
    case SG_IR_RULEREF: sg_buf_printf(out, "rule #%zu\n", e->rule_index); return;
    case SG_IR_AND: sg_buf_add_cstr(out, "and\n"); break;
    case SG_IR_OR: sg_buf_add_cstr(out, "or\n"); break;
    case SG_IR_NOT: sg_buf_add_cstr(out, "not\n"); break;
    }
    for (size_t i = 0; i < e->count; i++) sg_dump_expr(out, e->kids[i], depth + 1);
}

static void sg_dump_meta_str(sg_buf *out, const char *name, sg_str s) {
    if (!s.ptr) return;
    sg_buf_printf(out, "%s: ", name);
    sg_dump_quoted(out, s);
    sg_buf_add_byte(out, '\n');
}

static void sg_dump_num(sg_buf *out, double v) {
    if (v == floor(v) && fabs(v) < 9e15) sg_buf_printf(out, "%lld", (long long)v);
    else sg_buf_printf(out, "%.17g", v);
}

void sg_ir_dump(sg_buf *out, const sg_ir_rule *r) {
    static const char *const kinds[] = {"detection", "correlation", "filter"};
    const sg_ir_meta *m = &r->meta;
    sg_buf_printf(out, "rule %s\n", kinds[r->kind]);
    sg_dump_meta_str(out, "id", m->id);
    sg_dump_meta_str(out, "name", m->name);
    sg_dump_meta_str(out, "title", m->title);
    sg_dump_meta_str(out, "level", m->level);
    sg_dump_meta_str(out, "status", m->status);
    if (m->logsource.category.ptr || m->logsource.product.ptr || m->logsource.service.ptr) {
        sg_buf_add_cstr(out, "logsource:");
        if (m->logsource.category.ptr) sg_buf_printf(out, " category=%.*s", SG_STR_ARG(m->logsource.category));
        if (m->logsource.product.ptr) sg_buf_printf(out, " product=%.*s", SG_STR_ARG(m->logsource.product));
        if (m->logsource.service.ptr) sg_buf_printf(out, " service=%.*s", SG_STR_ARG(m->logsource.service));
        sg_buf_add_byte(out, '\n');
    }
    for (size_t i = 0; i < m->tags.count; i++) sg_dump_meta_str(out, "tag", m->tags.items[i]);
    if (r->suppressed) sg_buf_add_cstr(out, "suppressed: only used by a correlation\n");
    /* what a pipeline put ahead of the rule's filter */
    if (r->prefilter) {
        sg_buf_add_cstr(out, "prefilter:\n");
        sg_dump_expr(out, r->prefilter, 1);
    }
    for (size_t i = 0; i < r->prelude.count; i++) sg_dump_meta_str(out, "prelude", r->prelude.items[i]);
    for (size_t i = 0; i < r->n_columns; i++) {
        const sg_ir_column *k = &r->columns[i];
        sg_buf_add_cstr(out, "column: ");
        sg_dump_quoted(out, k->name);
        sg_buf_add_cstr(out, k->bag.len ? " from bag " : " = ");
        sg_dump_quoted(out, k->bag.len ? k->bag : k->expr);
        if (k->dotted) {
            sg_buf_add_cstr(out, " path ");
            sg_dump_quoted(out, k->member);
        }
        sg_buf_add_byte(out, '\n');
    }
    if (r->kind == SG_RULE_DETECTION || r->kind == SG_RULE_FILTER) {
        sg_buf_add_cstr(out, "expr:\n");
        sg_dump_expr(out, r->expr, 1);
    }
    const sg_ir_agg *g = r->agg;
    if (!g) return;
    sg_buf_printf(out, "aggregate %s from %s\n", sg_agg_type_name(g->type), sg_agg_origin_name(g->origin));
    if (g->field.len) {
        sg_buf_add_cstr(out, "  field: ");
        sg_dump_names(out, g->field, g->field_any);
        sg_buf_add_byte(out, '\n');
    }
    if (g->n_group_by) {
        sg_buf_add_cstr(out, "  group-by:");
        for (size_t i = 0; i < g->n_group_by; i++) {
            sg_buf_add_byte(out, ' ');
            sg_dump_names(out, g->group_by[i], g->group_by_any ? g->group_by_any[i] : (sg_strlist){NULL, 0});
        }
        sg_buf_add_byte(out, '\n');
    }
    sg_buf_printf(out, "  timespan: %llds\n", (long long)g->timespan);
    if (g->op != SG_CMP_NONE) {
        sg_buf_printf(out, "  condition: %s ", sg_cmp_op_text(g->op));
        sg_dump_num(out, g->threshold);
        sg_buf_add_byte(out, '\n');
    }
    if (g->type == SG_AGG_VALUE_PERCENTILE) sg_buf_printf(out, "  percentile: %d\n", g->percentile);
    for (size_t i = 0; i < g->n_rules; i++) {
        sg_buf_add_cstr(out, "  rule: ");
        sg_dump_quoted(out, g->rule_refs[i]);
        if (g->rules && g->rules[i] && g->rules[i]->meta.title.ptr) {
            sg_buf_add_cstr(out, " -> ");
            sg_dump_quoted(out, g->rules[i]->meta.title);
        }
        sg_buf_add_byte(out, '\n');
    }
    for (size_t i = 0; i < g->n_aliases; i++) {
        sg_buf_add_cstr(out, "  alias ");
        sg_dump_quoted(out, g->aliases[i].name);
        sg_buf_add_byte(out, ':');
        for (size_t j = 0; j < g->aliases[i].count; j++) {
            sg_buf_printf(out, " #%zu=", g->aliases[i].maps[j].rule_index);
            sg_dump_quoted(out, g->aliases[i].maps[j].field);
        }
        sg_buf_add_byte(out, '\n');
    }
    if (g->temporal_condition) {
        sg_buf_add_cstr(out, "  temporal-condition:\n");
        sg_dump_expr(out, g->temporal_condition, 2);
    }
    if (g->generate) sg_buf_add_cstr(out, "  generate: true\n");
    for (size_t i = 0; i < g->n_near; i++) {
        sg_buf_printf(out, "  near%s:\n", g->near_negated[i] ? " not" : "");
        sg_dump_expr(out, g->near_exprs[i], 2);
    }
}
