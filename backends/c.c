/* c.c - the standalone C matcher target.
 *
 * The IR of every rule becomes tables (backends/matcher/sgm.h): interned
 * field names, predicates, expression nodes, regexes, networks, and one
 * aggregation per threshold or correlation.  `sigc convert -t c` writes
 * them as const C initializers between the runtime's headers and its code,
 * so the file builds with `cc -O2 matcher.c -lpcre2-8` alone; `sigc match`
 * runs the same tables in place.
 *
 * Escaping: rule text reaches the C source only as string literals written
 * by c_string_literal (octal escapes for every byte but letters, digits and
 * a few safe marks, so no quote, backslash, `?` (trigraphs), `*` / `/`
 * (comments) or line break is ever raw), always with an explicit length.
 * No rule text is written into comments.
 */
#include <stdlib.h>
#include <ctype.h>
#include <string.h>

#include "backend.h"
#include "c.h"
#include "matcher/sgm_impl.h"

/* ---- building the tables ---------------------------------------------- */

#define C_VEC(type) \
    struct {        \
        type *v;    \
        uint32_t n, cap; \
    }

#define C_PUSH(vec, item)                                                        \
    do {                                                                         \
        if ((vec).n == (vec).cap) {                                              \
            (vec).cap = (vec).cap ? (vec).cap * 2 : 16;                          \
            (vec).v = sg_xrealloc((vec).v, (size_t)(vec).cap * sizeof *(vec).v); \
        }                                                                        \
        (vec).v[(vec).n++] = (item);                                             \
    } while (0)

typedef struct c_builder {
    sg_arena *arena;
    sg_diags *diags;
    const sg_ir_rule *rule; /* for error locations */
    bool failed;
    C_VEC(char) pool;      /* the text of every sgm_str (c_str) */
    C_VEC(sgm_str) pooled; /* each distinct text once ... */
    uint32_t *pool_slots;  /* ... found through open addressing: index + 1, 0 empty */
    uint32_t pool_mask;
    C_VEC(sgm_str) fields;
    uint32_t *field_slots; /* open addressing over fields: id + 1, 0 empty */
    uint32_t field_mask;
    C_VEC(sgm_str) strs;
    C_VEC(sgm_pred) preds;
    C_VEC(sgm_node) nodes;
    C_VEC(uint32_t) kids;
    C_VEC(sgm_regex) regexes;
    C_VEC(sgm_cidr) cidrs;
    C_VEC(sgm_agg) aggs;
    C_VEC(uint32_t) u32;
    C_VEC(sgm_rule) rules;
    C_VEC(uint32_t) time_fields;
    C_VEC(sgm_alias) aliases;
    C_VEC(sgm_bucket) buckets;
    C_VEC(uint32_t) dispatch;
    uint32_t dispatch_field, channel_field;
    uint32_t any_present, n_any_present, any_absent, n_any_absent;
    /* the prefilter */
    C_VEC(sgm_atom) atoms;
    C_VEC(uint32_t) atom_uses; /* per atom: how many predicates of all rules name it */
    uint32_t *atom_slots;      /* open addressing over atoms: id + 1, 0 empty */
    uint32_t atom_mask;
    C_VEC(sgm_gram) grams;     /* the table, gram_mask + 1 slots */
    uint32_t gram_mask;
    uint64_t *gram_bits;
    C_VEC(uint32_t) pf;
    C_VEC(uint32_t) scan_fields;
    uint8_t *prefiltered;
    uint32_t keyword_atoms, short_atoms;
    uint32_t common_bytes[256]; /* how often each byte occurs in c_common_text */
    uint64_t *common_keys; /* grams of c_common_text (c_common_key) -> common_counts */
    uint32_t *common_counts;
    uint32_t common_mask;
    uint32_t *pred_atom; /* per predicate: its atom, or SGM_NONE */
} c_builder;

static uint32_t c_hash(const char *p, size_t n);

/* The slot of text s in the pool's index: where it is, or the empty slot
 * where it would go. */
static uint32_t c_pool_slot(const c_builder *b, const char *p, size_t n) {
    uint32_t i = c_hash(p, n) & b->pool_mask;
    for (; b->pool_slots[i]; i = (i + 1) & b->pool_mask) {
        sgm_str o = b->pooled.v[b->pool_slots[i] - 1];
        if (o.len == n && memcmp(b->pool.v + o.off, p, n) == 0) break;
    }
    return i;
}

/* s in the pool: copied there once (the same text again gets the same
 * string; s may itself lie in the pool). */
static sgm_str c_str(c_builder *b, sg_str s) {
    sgm_str out = {0, (uint32_t)s.len};
    if (!s.len) return out;
    if (b->pooled.n * 2 + 2 > b->pool_mask) { /* grow the index */
        uint32_t cap = b->pool_mask ? (b->pool_mask + 1) * 2 : 1024;
        free(b->pool_slots);
        b->pool_slots = calloc(cap, sizeof *b->pool_slots);
        if (!b->pool_slots) abort();
        b->pool_mask = cap - 1;
        for (uint32_t k = 0; k < b->pooled.n; k++)
            b->pool_slots[c_pool_slot(b, b->pool.v + b->pooled.v[k].off, b->pooled.v[k].len)] = k + 1;
    }
    uint32_t slot = c_pool_slot(b, s.ptr, s.len);
    if (b->pool_slots[slot]) return b->pooled.v[b->pool_slots[slot] - 1];
    out.off = b->pool.n;
    uintptr_t at = (uintptr_t)s.ptr, base = (uintptr_t)b->pool.v;
    bool inside = b->pool.v && at >= base && at < base + b->pool.n;
    size_t from = inside ? (size_t)(at - base) : 0;
    if ((uint64_t)b->pool.n + s.len > UINT32_MAX) abort(); /* 4 GiB of rule text */
    if (b->pool.n + (uint32_t)s.len > b->pool.cap) {
        uint32_t cap = b->pool.cap ? b->pool.cap : 4096;
        while (cap < b->pool.n + (uint32_t)s.len) cap = cap > UINT32_MAX / 2 ? UINT32_MAX : cap * 2;
        b->pool.v = sg_xrealloc(b->pool.v, cap);
        b->pool.cap = cap;
    }
    memcpy(b->pool.v + b->pool.n, inside ? b->pool.v + from : s.ptr, s.len);
    b->pool.n += (uint32_t)s.len;
    C_PUSH(b->pooled, out);
    b->pool_slots[slot] = b->pooled.n;
    return out;
}

/* The text of a pool string: valid until the next c_str. */
static const char *c_text(const c_builder *b, sgm_str s) { return b->pool.v ? b->pool.v + s.off : ""; }
static sg_str c_str_back(const c_builder *b, sgm_str s) { return (sg_str){c_text(b, s), s.len}; }

static uint32_t c_hash(const char *p, size_t n) {
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)p[i]) * 16777619u;
    return h;
}

/* The slot of name in the field table: where it is, or the empty slot where
 * it would go. */
static uint32_t c_field_slot(const c_builder *b, sg_str name) {
    uint32_t i = c_hash(name.ptr, name.len) & b->field_mask;
    while (b->field_slots[i]) {
        sgm_str f = b->fields.v[b->field_slots[i] - 1];
        if (f.len == name.len && memcmp(c_text(b, f), name.ptr, name.len) == 0) break;
        i = (i + 1) & b->field_mask;
    }
    return i;
}

/* The id of field name, interned on first use. */
static uint32_t c_field(c_builder *b, sg_str name) {
    if (b->fields.n * 2 + 2 > b->field_mask) {
        uint32_t cap = b->field_mask ? (b->field_mask + 1) * 2 : 256;
        free(b->field_slots);
        b->field_slots = calloc(cap, sizeof *b->field_slots);
        if (!b->field_slots) abort();
        b->field_mask = cap - 1;
        for (uint32_t f = 0; f < b->fields.n; f++) b->field_slots[c_field_slot(b, c_str_back(b, b->fields.v[f]))] = f + 1;
    }
    uint32_t i = c_field_slot(b, name);
    if (b->field_slots[i]) return b->field_slots[i] - 1;
    sgm_str copy = c_str(b, name);
    C_PUSH(b->fields, copy);
    b->field_slots[i] = b->fields.n;
    return b->fields.n - 1;
}

/* A field's id when some rule uses it, else SGM_NONE (nothing is added). */
static uint32_t c_field_known(const c_builder *b, sg_str name) {
    if (!b->field_mask) return SGM_NONE;
    uint32_t i = c_field_slot(b, name);
    return b->field_slots[i] ? b->field_slots[i] - 1 : SGM_NONE;
}

static void c_error(c_builder *b, uint32_t line, uint32_t col, const char *msg) {
    sg_diag_add(b->diags, SG_D_UNSUPPORTED, (sg_loc){b->rule->meta.file, line, col}, "%s", msg);
    b->failed = true;
}

/* ASCII lower case (the runtime folds event values the same way). */
static sg_str c_fold(c_builder *b, sg_str s) {
    char *p = sg_arena_alloc(b->arena, s.len + 1);
    for (size_t i = 0; i < s.len; i++) p[i] = (char)(s.ptr[i] >= 'A' && s.ptr[i] <= 'Z' ? s.ptr[i] + 32 : s.ptr[i]);
    return (sg_str){p, s.len};
}

/* A Sigma pattern as the runtime's glob: `*`, `?`, and `\` before a
 * literal `*`, `?` or `\`. */
static sg_str c_glob(c_builder *b, const sg_ir_pred *p) {
    sg_buf g;
    sg_buf_init(&g);
    for (size_t i = 0; i < p->pattern.n; i++) {
        const sg_spart *part = &p->pattern.parts[i];
        if (part->kind == SG_SP_STAR) sg_buf_add_byte(&g, '*');
        else if (part->kind == SG_SP_ONE) sg_buf_add_byte(&g, '?');
        else
            for (size_t k = 0; k < part->text.len; k++) {
                char c = part->text.ptr[k];
                if (c == '*' || c == '?' || c == '\\') sg_buf_add_byte(&g, '\\');
                sg_buf_add_byte(&g, !p->cased && c >= 'A' && c <= 'Z' ? (char)(c + 32) : c);
            }
    }
    sg_str s = sg_buf_to_str(&g, b->arena);
    sg_buf_free(&g);
    return s;
}

static uint32_t c_node(c_builder *b, uint8_t kind, uint32_t count, uint32_t arg) {
    C_PUSH(b->nodes, ((sgm_node){kind, count, arg}));
    return b->nodes.n - 1;
}

static uint32_t c_pred(c_builder *b, const sg_ir_pred *p) {
    sgm_pred out;
    memset(&out, 0, sizeof out);
    out.field = p->field.len ? c_field(b, p->field) : SGM_NONE;
    out.flags = p->cased ? SGM_PF_CASED : 0;
    out.arg = SGM_NONE;
    if (p->has_placeholder) {
        c_error(b, p->line, p->col, "a placeholder (|expand) needs a value from a pipeline; the matcher has none");
        return 0;
    }
    static const uint8_t tp[] = {SGM_TP_NONE, SGM_TP_MINUTE, SGM_TP_HOUR, SGM_TP_DAY,
                                 SGM_TP_WEEK, SGM_TP_MONTH,  SGM_TP_YEAR};
    out.timepart = tp[p->timepart];
    sg_str text = p->cased ? p->text : c_fold(b, p->text);
    switch (p->op) {
    case SG_OP_EQ:
        if (p->timepart != SG_TP_NONE) {
            out.op = SGM_OP_NUM_EQ;
            out.num = p->num;
        } else if (p->vtype == SG_VT_NUMBER) {
            out.op = SGM_OP_NUM_EQ;
            out.num = p->num;
            out.text = c_str(b, c_fold(b, p->text));
        } else if (p->vtype == SG_VT_BOOL) {
            out.op = SGM_OP_BOOL;
            out.num = p->bool_value ? 1 : 0;
        } else {
            out.op = SGM_OP_EQ;
            out.text = c_str(b, text);
        }
        break;
    case SG_OP_CONTAINS: out.op = SGM_OP_CONTAINS, out.text = c_str(b, text); break;
    case SG_OP_STARTSWITH: out.op = SGM_OP_STARTSWITH, out.text = c_str(b, text); break;
    case SG_OP_ENDSWITH: out.op = SGM_OP_ENDSWITH, out.text = c_str(b, text); break;
    case SG_OP_GLOB: out.op = SGM_OP_GLOB, out.text = c_str(b, c_glob(b, p)); break;
    case SG_OP_REGEX: {
        out.op = SGM_OP_REGEX;
        uint32_t flags = (p->regex_flags & SG_RE_I ? SGM_RE_I : 0) | (p->regex_flags & SG_RE_M ? SGM_RE_M : 0) |
                         (p->regex_flags & SG_RE_S ? SGM_RE_S : 0);
        sgm_str pattern = c_str(b, p->text);
        C_PUSH(b->regexes, ((sgm_regex){pattern, flags, 0}));
        out.arg = b->regexes.n - 1;
        break;
    }
    case SG_OP_CIDR: {
        sgm_cidr c;
        memset(&c, 0, sizeof c);
        c.family = (uint8_t)p->cidr.family;
        c.prefix = (uint8_t)p->cidr.prefix;
        memcpy(c.addr, p->cidr.addr, sizeof c.addr);
        C_PUSH(b->cidrs, c);
        out.op = SGM_OP_CIDR;
        out.arg = b->cidrs.n - 1;
        break;
    }
    case SG_OP_LT: out.op = SGM_OP_LT, out.num = p->num; break;
    case SG_OP_LTE: out.op = SGM_OP_LTE, out.num = p->num; break;
    case SG_OP_GT: out.op = SGM_OP_GT, out.num = p->num; break;
    case SG_OP_GTE: out.op = SGM_OP_GTE, out.num = p->num; break;
    case SG_OP_NULL: out.op = SGM_OP_NULL; break;
    case SG_OP_EXISTS: out.op = SGM_OP_EXISTS; break;
    case SG_OP_FIELDREF:
        out.op = SGM_OP_FIELDREF;
        out.arg = c_field(b, p->text);
        out.fieldref_op = p->fieldref_op == SG_OP_CONTAINS     ? SGM_OP_CONTAINS
                          : p->fieldref_op == SG_OP_STARTSWITH ? SGM_OP_STARTSWITH
                          : p->fieldref_op == SG_OP_ENDSWITH   ? SGM_OP_ENDSWITH
                                                               : SGM_OP_EQ;
        if (!p->field.len) c_error(b, p->line, p->col, "a keyword cannot be a field reference");
        break;
    }
    if ((p->op == SG_OP_NULL || p->op == SG_OP_EXISTS) && !p->field.len)
        c_error(b, p->line, p->col, p->op == SG_OP_NULL ? "a keyword cannot test null" : "a keyword cannot test existence");
    C_PUSH(b->preds, out);
    return b->preds.n - 1;
}

static uint32_t c_expr(c_builder *b, const sg_ir_expr *e, int depth) {
    if (depth > 1000) {
        c_error(b, e->line, e->col, "the expression is nested too deeply");
        return c_node(b, SGM_N_FALSE, 0, 0);
    }
    switch (e->kind) {
    case SG_IR_TRUE: return c_node(b, SGM_N_TRUE, 0, 0);
    case SG_IR_FALSE: return c_node(b, SGM_N_FALSE, 0, 0);
    case SG_IR_PRED: return c_node(b, SGM_N_PRED, 0, c_pred(b, e->pred));
    case SG_IR_RULEREF: return c_node(b, SGM_N_RULEREF, 0, (uint32_t)e->rule_index);
    case SG_IR_AND:
    case SG_IR_OR:
    case SG_IR_NOT: {
        uint32_t *ids = sg_xmalloc((e->count ? e->count : 1) * sizeof *ids);
        for (size_t i = 0; i < e->count; i++) ids[i] = c_expr(b, e->kids[i], depth + 1);
        uint32_t first = b->kids.n;
        for (size_t i = 0; i < e->count; i++) C_PUSH(b->kids, ids[i]);
        free(ids);
        uint8_t kind = e->kind == SG_IR_AND ? SGM_N_AND : e->kind == SG_IR_OR ? SGM_N_OR : SGM_N_NOT;
        return c_node(b, kind, (uint32_t)e->count, first);
    }
    }
    return c_node(b, SGM_N_FALSE, 0, 0);
}

static uint32_t c_strs(c_builder *b, const sg_strlist *l) {
    uint32_t first = b->strs.n;
    for (size_t i = 0; i < l->count; i++) {
        sgm_str item = c_str(b, l->items[i]);
        C_PUSH(b->strs, item);
    }
    return first;
}

static uint32_t c_rule(c_builder *b, const sg_ir_rule *r, bool report) {
    sgm_rule out;
    memset(&out, 0, sizeof out);
    out.id = c_str(b, r->meta.id.len ? r->meta.id : r->meta.name);
    out.title = c_str(b, r->meta.title);
    out.level = c_str(b, r->meta.level);
    out.tags = c_strs(b, &r->meta.tags);
    out.n_tags = (uint32_t)r->meta.tags.count;
    out.expr = SGM_NONE;
    out.agg = SGM_NONE;
    out.report = report;
    const sg_ir_rule *saved = b->rule;
    b->rule = r;
    if (r->expr) out.expr = c_expr(b, r->expr, 0);
    b->rule = saved;
    C_PUSH(b->rules, out);
    return b->rules.n - 1;
}

static uint8_t c_cmp(sg_cmp_op op) {
    switch (op) {
    case SG_CMP_LT: return SGM_CMP_LT;
    case SG_CMP_LTE: return SGM_CMP_LTE;
    case SG_CMP_GT: return SGM_CMP_GT;
    case SG_CMP_GTE: return SGM_CMP_GTE;
    case SG_CMP_EQ: return SGM_CMP_EQ;
    case SG_CMP_NEQ: return SGM_CMP_NEQ;
    default: return SGM_CMP_NONE;
    }
}

/* The name rule j gives a group-by or aggregated field (aliases differ per rule). */
static sg_str c_alias_field(const sg_ir_agg *g, sg_str name, size_t j) {
    for (size_t a = 0; a < g->n_aliases; a++) {
        if (!sg_str_eq(g->aliases[a].name, name)) continue;
        for (size_t m = 0; m < g->aliases[a].count; m++)
            if (g->aliases[a].maps[m].rule_index == j) return g->aliases[a].maps[m].field;
    }
    return name;
}

static void c_aggregation(c_builder *b, const sg_ir_rule *r, uint32_t owner) {
    const sg_ir_agg *g = r->agg;
    static const uint8_t types[] = {
        [SG_AGG_EVENT_COUNT] = SGM_AGG_EVENT_COUNT,   [SG_AGG_VALUE_COUNT] = SGM_AGG_VALUE_COUNT,
        [SG_AGG_VALUE_SUM] = SGM_AGG_VALUE_SUM,       [SG_AGG_VALUE_AVG] = SGM_AGG_VALUE_AVG,
        [SG_AGG_VALUE_MIN] = SGM_AGG_VALUE_MIN,       [SG_AGG_VALUE_MAX] = SGM_AGG_VALUE_MAX,
        [SG_AGG_VALUE_PERCENTILE] = SGM_AGG_VALUE_PERCENTILE, [SG_AGG_VALUE_MEDIAN] = SGM_AGG_VALUE_MEDIAN,
        [SG_AGG_TEMPORAL] = SGM_AGG_TEMPORAL,         [SG_AGG_TEMPORAL_ORDERED] = SGM_AGG_TEMPORAL_ORDERED,
    };
    const sg_ir_rule *saved = b->rule;
    b->rule = r;
    if (g->type == SG_AGG_NEAR) {
        c_error(b, g->line, g->col, "the legacy 'near' aggregation is not supported; write it as a temporal correlation");
        b->rule = saved;
        return;
    }
    sgm_agg a;
    memset(&a, 0, sizeof a);
    a.type = types[g->type];
    a.cmp = c_cmp(g->op);
    a.percentile = (uint8_t)(g->percentile > 0 && g->percentile <= 100 ? g->percentile : 0);
    a.threshold = g->threshold;
    a.window_us = g->timespan > 0 && g->timespan < INT64_MAX / 1000000 ? g->timespan * 1000000 : 0;
    a.n_group = (uint32_t)g->n_group_by;
    a.condition = SGM_NONE;
    a.fields = SGM_NONE;
    /* the rules it reads */
    uint32_t *rule_ids;
    size_t n_rules;
    uint32_t self = owner;
    if (r->kind == SG_RULE_CORRELATION) {
        n_rules = g->n_rules;
        rule_ids = sg_xmalloc((n_rules ? n_rules : 1) * sizeof *rule_ids);
        for (size_t j = 0; j < n_rules; j++) {
            const sg_ir_rule *sub = g->rules[j];
            if (!sub || !sub->expr || sub->kind != SG_RULE_DETECTION || sub->agg) {
                const char *why = "a correlation rule reads a rule with nothing to match";
                if (sub && sub->kind == SG_RULE_CORRELATION)
                    why = "a correlation of correlations is not supported by the matcher";
                else if (sub && sub->expr && sub->agg) /* it would feed its raw matches, not its alerts */
                    why = "a correlation of a rule with its own aggregation is not supported by the matcher";
                c_error(b, g->line, g->col, why);
                rule_ids[j] = 0;
                continue;
            }
            rule_ids[j] = c_rule(b, sub, false);
        }
        if (g->type == SG_AGG_TEMPORAL_ORDERED &&
            (g->temporal_condition || g->op != SG_CMP_GTE || g->threshold != (double)g->n_rules))
            c_error(b, g->line, g->col, "temporal_ordered: the matcher knows only the default condition (every rule, in order)");
        else if (g->temporal_condition)
            a.condition = c_expr(b, g->temporal_condition, 0);
    } else {
        n_rules = 1;
        rule_ids = sg_xmalloc(sizeof *rule_ids);
        rule_ids[0] = self;
    }
    /* keys named differently by the pipeline's variants: lists of field
     * ids, ahead of the groups (which must stay contiguous) */
    uint32_t *key_ids = sg_xmalloc((g->n_group_by + 1) * sizeof *key_ids);
    for (size_t k = 0; k <= g->n_group_by; k++) {
        sg_strlist any = k < g->n_group_by ? (g->group_by_any ? g->group_by_any[k] : (sg_strlist){NULL, 0}) : g->field_any;
        key_ids[k] = SGM_NONE;
        if (any.count < 2 || r->kind == SG_RULE_CORRELATION) continue;
        key_ids[k] = SGM_ANY_OF | b->u32.n;
        C_PUSH(b->u32, (uint32_t)any.count);
        for (size_t i = 0; i < any.count; i++) C_PUSH(b->u32, c_field(b, any.items[i]));
    }
    a.n_rules = (uint32_t)n_rules;
    a.rules = b->u32.n;
    for (size_t j = 0; j < n_rules; j++) C_PUSH(b->u32, rule_ids[j]);
    a.groups = b->u32.n;
    for (size_t j = 0; j < n_rules; j++)
        for (size_t k = 0; k < g->n_group_by; k++)
            C_PUSH(b->u32, key_ids[k] != SGM_NONE ? key_ids[k] : c_field(b, c_alias_field(g, g->group_by[k], j)));
    if (g->field.len) {
        a.fields = b->u32.n;
        for (size_t j = 0; j < n_rules; j++)
            C_PUSH(b->u32, key_ids[g->n_group_by] != SGM_NONE ? key_ids[g->n_group_by]
                                                              : c_field(b, c_alias_field(g, g->field, j)));
    }
    free(key_ids);
    a.names = b->strs.n;
    for (size_t k = 0; k < g->n_group_by; k++) {
        sgm_str name = c_str(b, g->group_by[k]);
        C_PUSH(b->strs, name);
    }
    free(rule_ids);
    C_PUSH(b->aggs, a);
    b->rules.v[owner].agg = b->aggs.n - 1;
    b->rule = saved;
}

/* ---- one copy of each test ---------------------------------------------
 * Rules repeat tests (Image ending in \powershell.exe is in hundreds of
 * them): each distinct regex, then each distinct predicate, is kept once,
 * and what named a copy names the first.  The whole corpus then has half
 * the predicates (32,704 of 68,129), and a test rules share is read from
 * one place; a regex its rules share is compiled once. */

/* renum[i]: the index of the first copy of item i (the smallest);
 * becomes the index item i's first copy gets when only first copies are
 * kept, in their order.  Returns how many are kept. */
static uint32_t c_keep_first(uint32_t *renum, uint32_t n) {
    uint32_t kept = 0;
    for (uint32_t i = 0; i < n; i++) renum[i] = renum[i] == i ? kept++ : renum[renum[i]];
    return kept;
}

typedef struct c_regex_at {
    sgm_regex r;
    uint32_t at;
} c_regex_at;

static int c_regex_cmp(const sgm_regex *a, const sgm_regex *b) {
    if (a->pattern.off != b->pattern.off) return a->pattern.off < b->pattern.off ? -1 : 1;
    if (a->pattern.len != b->pattern.len) return a->pattern.len < b->pattern.len ? -1 : 1;
    return a->flags < b->flags ? -1 : a->flags > b->flags;
}

static int c_regex_at_cmp(const void *x, const void *y) {
    const c_regex_at *a = x, *b = y;
    int c = c_regex_cmp(&a->r, &b->r);
    return c ? c : (a->at < b->at ? -1 : a->at > b->at);
}

typedef struct c_pred_at {
    sgm_pred p;
    uint32_t at;
} c_pred_at;

static int c_pred_cmp(const sgm_pred *a, const sgm_pred *b) {
#define C_CMP(x) \
    if (a->x != b->x) return a->x < b->x ? -1 : 1
    C_CMP(op);
    C_CMP(flags);
    C_CMP(timepart);
    C_CMP(fieldref_op);
    C_CMP(field);
    C_CMP(arg);
    C_CMP(text.off); /* texts are pooled once: the same text, the same offset */
    C_CMP(text.len);
#undef C_CMP
    return memcmp(&a->num, &b->num, sizeof a->num);
}

static int c_pred_at_cmp(const void *x, const void *y) {
    const c_pred_at *a = x, *b = y;
    int c = c_pred_cmp(&a->p, &b->p);
    return c ? c : (a->at < b->at ? -1 : a->at > b->at);
}

static void c_share_tests(c_builder *b) {
    uint32_t n = b->regexes.n;
    c_regex_at *rs = sg_xmalloc(((size_t)n + 1) * sizeof *rs);
    uint32_t *renum = sg_xmalloc(((size_t)n + 1) * sizeof *renum);
    for (uint32_t i = 0; i < n; i++) rs[i] = (c_regex_at){b->regexes.v[i], i};
    qsort(rs, n, sizeof *rs, c_regex_at_cmp);
    for (uint32_t k = 0; k < n; k++)
        renum[rs[k].at] = k && c_regex_cmp(&rs[k - 1].r, &rs[k].r) == 0 ? renum[rs[k - 1].at] : rs[k].at;
    uint32_t kept = c_keep_first(renum, n);
    for (uint32_t i = 0; i < n; i++) b->regexes.v[renum[i]] = b->regexes.v[i]; /* renum[i] <= i */
    b->regexes.n = kept;
    for (uint32_t i = 0; i < b->preds.n; i++)
        if (b->preds.v[i].op == SGM_OP_REGEX) b->preds.v[i].arg = renum[b->preds.v[i].arg];
    free(rs);
    free(renum);

    n = b->preds.n;
    c_pred_at *ps = sg_xmalloc(((size_t)n + 1) * sizeof *ps);
    renum = sg_xmalloc(((size_t)n + 1) * sizeof *renum);
    for (uint32_t i = 0; i < n; i++) ps[i] = (c_pred_at){b->preds.v[i], i};
    qsort(ps, n, sizeof *ps, c_pred_at_cmp);
    for (uint32_t k = 0; k < n; k++)
        renum[ps[k].at] = k && c_pred_cmp(&ps[k - 1].p, &ps[k].p) == 0 ? renum[ps[k - 1].at] : ps[k].at;
    b->preds.n = c_keep_first(renum, n);
    for (uint32_t i = 0; i < n; i++) b->preds.v[renum[i]] = b->preds.v[i];
    for (uint32_t i = 0; i < b->nodes.n; i++)
        if (b->nodes.v[i].kind == SGM_N_PRED) b->nodes.v[i].arg = renum[b->nodes.v[i].arg];
    free(ps);
    free(renum);
}

/* Event time: the pipeline's field first, then the usual ones. */
static void c_time_fields(c_builder *b, const sg_ir_rule *const *rules, size_t n) {
    static const char *const usual[] = {"SystemTime", "@timestamp", "timestamp", "UtcTime", "EventTime",
                                        "TimeCreated", "time", "ts", "date"};
    for (size_t i = 0; i < n; i++) {
        if (!rules[i]->timestamp.len) continue;
        uint32_t id = c_field(b, rules[i]->timestamp);
        bool seen = false;
        for (uint32_t k = 0; k < b->time_fields.n; k++) seen |= b->time_fields.v[k] == id;
        if (!seen) C_PUSH(b->time_fields, id);
    }
    for (size_t u = 0; u < sizeof usual / sizeof *usual; u++) {
        uint32_t id = c_field(b, sg_str_from_cstr(usual[u]));
        bool seen = false;
        for (uint32_t k = 0; k < b->time_fields.n; k++) seen |= b->time_fields.v[k] == id;
        if (!seen) C_PUSH(b->time_fields, id);
    }
}

/* The pipeline's other names of fields (event-names), for the fields the
 * rules use; a name that is itself a field, or already taken, is skipped. */
static void c_event_names_of(c_builder *b, const sg_ir_rule *r) {
    for (size_t i = 0; i < r->n_event_names; i++) {
        uint32_t id = c_field_known(b, r->event_names[i].field);
        if (id == SGM_NONE) continue;
        for (size_t k = 0; k < r->event_names[i].n_names; k++) {
            sg_str name = r->event_names[i].names[k];
            bool taken = c_field_known(b, name) != SGM_NONE;
            for (uint32_t a = 0; a < b->aliases.n && !taken; a++)
                taken = b->aliases.v[a].name.len == name.len &&
                        memcmp(c_text(b, b->aliases.v[a].name), name.ptr, name.len) == 0;
            if (taken) continue;
            sgm_str copy = c_str(b, name);
            C_PUSH(b->aliases, ((sgm_alias){copy, id}));
        }
    }
}

static void c_event_names(c_builder *b, const sg_ir_rule *const *rules, size_t n) {
    for (size_t i = 0; i < n; i++) {
        c_event_names_of(b, rules[i]);
        if (rules[i]->agg)
            for (size_t j = 0; j < rules[i]->agg->n_rules; j++)
                if (rules[i]->agg->rules[j]) c_event_names_of(b, rules[i]->agg->rules[j]);
    }
}

/* ---- log-source dispatch ---------------------------------------------------- */

/* What a rule needs of an event before it can hold: one of a set of values
 * of the dispatch field (or any), and the channel field present, absent or
 * either. */
#define C_MAX_KEYS 64 /* a rule that would sit in more buckets than this sits in every one */
typedef struct c_need {
    bool any;            /* no requirement on the dispatch field */
    double *keys;        /* sorted, distinct */
    uint32_t n_keys;
    int channel;         /* +1 present, -1 absent, 0 either */
} c_need;

static c_need c_need_any(void) { return (c_need){true, NULL, 0, 0}; }

/* The keys of a, of b or of both: union or intersection of sorted sets. */
static c_need c_need_keys(const c_need *a, const c_need *b, bool intersect) {
    c_need r = {false, sg_xmalloc((a->n_keys + b->n_keys + 1) * sizeof(double)), 0, 0};
    uint32_t i = 0, j = 0;
    while (i < a->n_keys || j < b->n_keys) {
        if (j == b->n_keys || (i < a->n_keys && a->keys[i] < b->keys[j])) {
            if (!intersect) r.keys[r.n_keys++] = a->keys[i];
            i++;
        } else if (i == a->n_keys || b->keys[j] < a->keys[i]) {
            if (!intersect) r.keys[r.n_keys++] = b->keys[j];
            j++;
        } else {
            r.keys[r.n_keys++] = a->keys[i];
            i++, j++;
        }
    }
    return r;
}

static c_need c_need_of(const c_builder *b, uint32_t node, int depth) {
    const sgm_node *n = &b->nodes.v[node];
    if (depth > 200) return c_need_any();
    switch (n->kind) {
    case SGM_N_PRED: {
        const sgm_pred *p = &b->preds.v[n->arg];
        if (p->field == b->dispatch_field && p->op == SGM_OP_NUM_EQ && p->timepart == SGM_TP_NONE &&
            p->num == (double)(int64_t)p->num) {
            c_need r = {false, sg_xmalloc(sizeof(double)), 1, 0};
            r.keys[0] = p->num;
            return r;
        }
        c_need r = c_need_any();
        if (p->field == b->channel_field && p->op == SGM_OP_EXISTS) r.channel = 1;
        return r;
    }
    case SGM_N_NOT: {
        const sgm_node *k = &b->nodes.v[b->kids.v[n->arg]];
        c_need r = c_need_any();
        if (k->kind == SGM_N_PRED && b->preds.v[k->arg].field == b->channel_field &&
            b->preds.v[k->arg].op == SGM_OP_EXISTS)
            r.channel = -1;
        return r;
    }
    case SGM_N_AND:
    case SGM_N_OR: {
        bool and = n->kind == SGM_N_AND;
        c_need acc = c_need_any();
        for (uint32_t i = 0; i < n->count; i++) {
            c_need k = c_need_of(b, b->kids.v[n->arg + i], depth + 1);
            if (i == 0) {
                acc = k;
                continue;
            }
            c_need next;
            if (and) { /* both hold: the keys both allow, and either's channel */
                if (acc.any && k.any) next = c_need_any();
                else if (acc.any) next = k, k.keys = NULL;
                else if (k.any) next = acc, acc.keys = NULL;
                else next = c_need_keys(&acc, &k, true);
                next.channel = acc.channel ? acc.channel : k.channel;
            } else { /* one holds: the keys either allows, the channel both need */
                next = acc.any || k.any ? c_need_any() : c_need_keys(&acc, &k, false);
                next.channel = acc.channel == k.channel ? acc.channel : 0;
            }
            free(acc.keys);
            free(k.keys);
            acc = next;
        }
        if (!acc.any && acc.n_keys > C_MAX_KEYS) {
            int channel = acc.channel;
            free(acc.keys);
            acc = c_need_any();
            acc.channel = channel;
        }
        return acc;
    }
    default: return c_need_any();
    }
}

/* A rule listed under a dispatch key. */
typedef struct c_entry {
    double key;
    uint32_t rule;
} c_entry;

static int c_entry_cmp(const void *a, const void *b) {
    const c_entry *x = a, *y = b;
    if (x->key != y->key) return x->key < y->key ? -1 : 1;
    return (x->rule > y->rule) - (x->rule < y->rule);
}

/* The field named name, or SGM_NONE when no rule uses it. */
static uint32_t c_known_field(const c_builder *b, const char *name) {
    sg_str s = sg_str_from_cstr(name);
    uint32_t slot = c_field_slot(b, s);
    return b->field_slots[slot] ? b->field_slots[slot] - 1 : SGM_NONE;
}

/* Sorts the rules into buckets by what their expressions need of the
 * Windows log-source keys (EventID, Channel).  Without an EventID field,
 * no dispatch: every rule is tested on every event, as before. */
static void c_dispatch(c_builder *b) {
    b->dispatch_field = c_known_field(b, "EventID");
    b->channel_field = c_known_field(b, "Channel");
    if (b->dispatch_field == SGM_NONE) return;
    uint32_t n = b->rules.n;
    c_need *needs = sg_xmalloc((n ? n : 1) * sizeof *needs);
    size_t n_entries = 0;
    for (uint32_t r = 0; r < n; r++) {
        needs[r] = b->rules.v[r].expr == SGM_NONE ? c_need_any() : c_need_of(b, b->rules.v[r].expr, 0);
        if (!needs[r].any) n_entries += needs[r].n_keys;
    }
    /* every (key, rule) pair, sorted by key then rule: the buckets in order */
    c_entry *entries = sg_xmalloc((n_entries ? n_entries : 1) * sizeof *entries);
    size_t k = 0;
    for (uint32_t r = 0; r < n; r++)
        for (uint32_t i = 0; !needs[r].any && i < needs[r].n_keys; i++) entries[k++] = (c_entry){needs[r].keys[i], r};
    qsort(entries, n_entries, sizeof *entries, c_entry_cmp);
    for (size_t i = 0; i < n_entries;) {
        sgm_bucket bk = {entries[i].key, b->dispatch.n, 0};
        for (; i < n_entries && entries[i].key == bk.key; i++, bk.n_rules++) C_PUSH(b->dispatch, entries[i].rule);
        C_PUSH(b->buckets, bk);
    }
    b->any_present = b->dispatch.n;
    for (uint32_t r = 0; r < n; r++)
        if (needs[r].any && needs[r].channel >= 0) C_PUSH(b->dispatch, r);
    b->n_any_present = b->dispatch.n - b->any_present;
    b->any_absent = b->dispatch.n;
    for (uint32_t r = 0; r < n; r++)
        if (needs[r].any && needs[r].channel <= 0) C_PUSH(b->dispatch, r);
    b->n_any_absent = b->dispatch.n - b->any_absent;
    for (uint32_t r = 0; r < n; r++) free(needs[r].keys);
    free(needs);
    free(entries);
}

/* ---- the required-literal prefilter ------------------------------------------ */

#define C_GRAM 4        /* an atom is found through a gram of 4 bytes (shorter atoms: the whole atom) */
#define C_MAX_ATOMS 4096 /* a rule would need more atoms than this: no prefilter for it */

/* A necessary condition: one of the atoms ids[0..n) occurs (none: nothing
 * usable is known; the rule is tested on every event of its log source). */
typedef struct c_atoms {
    bool none;
    uint32_t *ids;
    uint32_t n;
    uint32_t shortest; /* the length of the shortest atom */
    uint64_t uses;     /* what the atoms cost (c_atom_cost, summed): lower filters better */
} c_atoms;

static c_atoms c_atoms_none(void) { return (c_atoms){true, NULL, 0, 0, 0}; }

static uint32_t c_atom_hash(uint32_t field, const char *p, uint32_t n) { return c_hash(p, n) * 31u + field; }

/* The id of atom (field, folded text), added when new. */
static uint32_t c_atom(c_builder *b, uint32_t field, const char *text, uint32_t n) {
    if (b->atoms.n * 2 + 2 > b->atom_mask + 1) { /* grow and rehash */
        uint32_t size = b->atom_mask ? (b->atom_mask + 1) * 2 : 1024;
        free(b->atom_slots);
        b->atom_slots = calloc(size, sizeof *b->atom_slots);
        if (!b->atom_slots) abort();
        b->atom_mask = size - 1;
        for (uint32_t i = 0; i < b->atoms.n; i++) {
            uint32_t h = c_atom_hash(b->atoms.v[i].field, c_text(b, b->atoms.v[i].text), b->atoms.v[i].text.len) & b->atom_mask;
            while (b->atom_slots[h]) h = (h + 1) & b->atom_mask;
            b->atom_slots[h] = i + 1;
        }
    }
    uint32_t h = c_atom_hash(field, text, n) & b->atom_mask;
    for (; b->atom_slots[h]; h = (h + 1) & b->atom_mask) {
        const sgm_atom *a = &b->atoms.v[b->atom_slots[h] - 1];
        if (a->field == field && a->text.len == n && memcmp(c_text(b, a->text), text, n) == 0) return b->atom_slots[h] - 1;
    }
    char *copy = sg_arena_alloc(b->arena, n + 1); /* folded first: text may lie in the pool */
    for (uint32_t i = 0; i < n; i++) copy[i] = (char)(text[i] >= 'A' && text[i] <= 'Z' ? text[i] + 32 : text[i]);
    sgm_atom a = {field, 0, c_str(b, (sg_str){copy, n}), 0, 0};
    C_PUSH(b->atoms, a);
    C_PUSH(b->atom_uses, 0);
    b->atom_slots[h] = b->atoms.n;
    return b->atoms.n - 1;
}

/* The longest literal run of a runtime glob (`*`, `?`, `\` escapes). */
static void c_glob_literal(sg_str g, char *out, uint32_t *out_len) {
    uint32_t best = 0, cur = 0;
    char *run = out + g.len + 1; /* scratch after the answer */
    for (uint32_t i = 0; i < g.len; i++) {
        char c = g.ptr[i];
        if (c == '*' || c == '?') {
            if (cur > best) memcpy(out, run, cur), best = cur;
            cur = 0;
            continue;
        }
        if (c == '\\' && i + 1 < g.len) c = g.ptr[++i];
        run[cur++] = c;
    }
    if (cur > best) memcpy(out, run, cur), best = cur;
    *out_len = best;
}

/* Text that fills ordinary logs (Windows paths, process and registry
 * names, channels, users, hashes; HTTP methods, user agents, URLs and MIME
 * types of web-server and proxy logs), folded.  Its grams tell which literals would be
 * found in almost every event, so neither serves as an anchor nor is
 * chosen as a rule's atom when a rarer one is at hand. */
static const char c_common_text[] =
    "c:\\windows\\system32\\svchost.exe -k netsvcs -p -s schedule c:\\windows\\syswow64\\ "
    "c:\\windows\\explorer.exe c:\\windows\\system32\\runtimebroker.exe -embedding "
    "c:\\windows\\system32\\conhost.exe 0xffffffff -forcev1 c:\\windows\\system32\\cmd.exe "
    "c:\\windows\\system32\\windowspowershell\\v1.0\\powershell.exe c:\\windows\\system32\\taskhostw.exe "
    "c:\\windows\\system32\\dllhost.exe /processid:{ c:\\windows\\system32\\wbem\\wmiprvse.exe "
    "c:\\windows\\system32\\services.exe c:\\windows\\system32\\lsass.exe c:\\windows\\system32\\searchindexer.exe "
    "c:\\program files\\ c:\\program files (x86)\\ c:\\programdata\\microsoft\\windows defender\\platform\\ "
    "c:\\program files\\google\\chrome\\application\\chrome.exe --type=renderer "
    "c:\\program files\\microsoft office\\root\\office16\\outlook.exe c:\\program files\\mozilla firefox\\firefox.exe "
    "c:\\users\\public\\ c:\\users\\administrator\\appdata\\local\\temp\\ c:\\users\\user\\appdata\\roaming\\microsoft\\windows\\ "
    "\\appdata\\local\\microsoft\\windows\\inetcache\\ \\documents\\ \\desktop\\ \\downloads\\ "
    "c:\\windows\\temp\\ c:\\windows\\prefetch\\ c:\\windows\\winsxs\\ c:\\windows\\servicing\\ "
    "c:\\windows\\system32\\kernel32.dll c:\\windows\\system32\\ntdll.dll c:\\windows\\system32\\kernelbase.dll "
    "c:\\windows\\system32\\user32.dll c:\\windows\\system32\\combase.dll c:\\windows\\system32\\advapi32.dll "
    "microsoft-windows-sysmon/operational microsoft-windows-sysmon security system application "
    "microsoft-windows-security-auditing microsoft-windows-powershell/operational windows powershell "
    "nt authority\\system nt authority\\local service nt authority\\network service "
    /* the user and the parent of most processes: weighed as they occur */
    "nt authority\\system nt authority\\system nt authority\\system nt authority\\system "
    "c:\\windows\\explorer.exe c:\\windows\\explorer.exe c:\\windows\\explorer.exe c:\\windows\\explorer.exe "
    "microsoft corporation microsoft windows operating system microsoft windows "
    "hklm\\software\\microsoft\\windows\\currentversion\\run hklm\\system\\currentcontrolset\\services\\ "
    "hku\\s-1-5-21- hkcu\\software\\microsoft\\windows\\currentversion\\explorer\\ hklm\\software\\classes\\ "
    "\\registry\\machine\\software\\ hklm\\software\\wow6432node\\ s-1-5-18 s-1-5-19 s-1-5-20 "
    "sha1=0123456789abcdef,md5=0123456789abcdef,sha256=0123456789abcdef,imphash=0123456789abcdef "
    "https://www.microsoft.com http://www.example.com .com .net .org .local .corp "
    "2024-01-01 00:00:00.000 {00000000-0000-0000-0000-000000000000} 0x0 0x1 true false - "
    ".exe .dll .sys .tmp .log .txt .ps1 .bat .lnk .dat .ini .xml .json .etl .evtx "
    "windows defender windowsapps system32 syswow64 program files appdata local roaming "
    /* web-server, proxy and network logs */
    "get get get get get get get get post post post head options put "
    "http/1.1 http/1.1 http/2.0 https:// http:// "
    "mozilla/5.0 (windows nt 10.0; win64; x64) applewebkit/537.36 (khtml, like gecko) chrome/124.0.0.0 safari/537.36 "
    "mozilla/5.0 (macintosh; intel mac os x 10_15_7) applewebkit/605.1.15 (khtml, like gecko) version/17.4 safari/605.1.15 "
    "mozilla/5.0 (x11; linux x86_64; rv:125.0) gecko/20100101 firefox/125.0 microsoft-cryptoapi/10.0 "
    "/index.html /favicon.ico /robots.txt /images/logo.png /static/js/app.js /static/css/site.css /api/v1/ "
    ".html .js .css .png .jpg .gif .svg .woff2 ?id=1&page=2&utm_source=newsletter "
    "text/html application/json application/javascript image/png 200 301 302 304 404 500 "
    "www.example.com cdn.example.net api.example.org login.microsoftonline.com "
    "tcp udp dns tls http flow alert 10.0.0.1 192.168.1.10 443 80 53 ";

static uint32_t c_gram(const char *p, uint32_t len) {
    uint32_t g = 0;
    for (uint32_t i = 0; i < len; i++) g |= (uint32_t)(unsigned char)p[i] << (8 * i);
    return g;
}

/* A gram and its length as one key, and its first slot in the table. */
static uint64_t c_common_key(uint32_t g, uint32_t len) { return (uint64_t)len << 32 | g; }
static uint32_t c_common_slot(const c_builder *b, uint64_t key) {
    return (uint32_t)((key * 0x9E3779B97F4A7C15ull) >> 32) & b->common_mask;
}

/* How often a gram (2 to 4 bytes) occurs in c_common_text. */
static uint32_t c_commonness(const c_builder *b, uint32_t g, uint32_t len) {
    uint64_t key = c_common_key(g, len);
    if (!b->common_keys) return 0;
    for (uint32_t h = c_common_slot(b, key); b->common_counts[h]; h = (h + 1) & b->common_mask)
        if (b->common_keys[h] == key) return b->common_counts[h];
    return 0;
}

static void c_common_build(c_builder *b) {
    uint32_t n = (uint32_t)sizeof c_common_text - 1, size = 1;
    while (size < n * 6) size *= 2;
    b->common_keys = calloc(size, sizeof *b->common_keys);
    b->common_counts = calloc(size, sizeof *b->common_counts);
    if (!b->common_keys || !b->common_counts) abort();
    b->common_mask = size - 1;
    for (uint32_t len = 2; len <= 4; len++)
        for (uint32_t i = 0; i + len <= n; i++) {
            uint64_t key = c_common_key(c_gram(c_common_text + i, len), len);
            uint32_t h = c_common_slot(b, key);
            while (b->common_counts[h] && b->common_keys[h] != key) h = (h + 1) & b->common_mask;
            b->common_keys[h] = key;
            b->common_counts[h]++;
        }
}

/* What an atom costs as a filter: how common its best gram is in ordinary
 * logs (times 4096), then how many predicates of the rules name it. */
static uint64_t c_atom_cost(const c_builder *b, uint32_t id) {
    const sgm_atom *a = &b->atoms.v[id];
    uint32_t best = UINT32_MAX;
    const char *text = c_text(b, a->text);
    if (a->text.len < C_GRAM) best = c_commonness(b, c_gram(text, a->text.len), a->text.len);
    for (uint32_t k = 0; k + C_GRAM <= a->text.len; k++) {
        uint32_t c = c_commonness(b, c_gram(text + k, C_GRAM), C_GRAM);
        if (c < best) best = c;
    }
    return (uint64_t)best * 4096 + b->atom_uses.v[id];
}

/* Where the argument of the escape \n (a letter or digit; p just after
 * it) ends: \x41 \x{263a} \o{101} \0101 \12 (octal or a back reference)
 * \cA \pL \p{Lu} \N{U+41} \g1 \g{-1} \g<name> \k<name> \k'name'
 * \k{name}, and \Q up to its \E.  The argument is not literal text. */
static const char *c_regex_escape_end(char n, const char *p, const char *end) {
    const char *close = NULL;
    if (n == 'Q') {
        while (p < end && !(p[0] == '\\' && p + 1 < end && p[1] == 'E')) p++;
        return p < end ? p + 2 : end;
    }
    if (p < end && *p && strchr("xopPNgk", n) && strchr("{<'", *p)) { /* (strchr finds a NUL too) */
        close = *p == '{' ? "}" : *p == '<' ? ">" : "'";
        while (p < end && *p != *close) p++;
        return p < end ? p + 1 : end;
    }
    if (n == 'x')
        for (int i = 0; i < 2 && p < end && isxdigit((unsigned char)*p); i++) p++;
    else if (n == 'c' || n == 'p' || n == 'P')
        p += p < end;
    else if ((n >= '0' && n <= '9') || n == 'g')
        while (p < end && ((*p >= '0' && *p <= '9') || (n == 'g' && (*p == '-' || *p == '+')))) p++;
    return p;
}

/* The one ASCII byte an escape stands for (p at its letter: \n \t \r \f
 * \e \a, \x0a, \x{0a}), with *next just after it; -1 for any other escape
 * (\v is a class in PCRE2, not the vertical tab). */
static int c_regex_escape_byte(const char *p, const char *end, const char **next) {
    static const char letters[] = "ntrfea", bytes[] = "\n\t\r\f\x1b\a";
    const char *l = memchr(letters, *p, sizeof letters - 1);
    *next = p + 1;
    if (l) return bytes[l - letters];
    if (*p != 'x') return -1;
    bool braced = p + 1 < end && p[1] == '{';
    const char *q = p + 1 + braced;
    int value = 0, digits = 0;
    for (; q < end && isxdigit((unsigned char)*q) && (braced || digits < 2); q++, digits++) {
        value = value * 16 + (isdigit((unsigned char)*q) ? *q - '0' : (tolower((unsigned char)*q) - 'a' + 10));
        if (value >= 0x80) return -1; /* a code point of several bytes in UTF mode */
    }
    if (!digits || (braced && (q >= end || *q != '}'))) return -1;
    *next = q + braced;
    return value;
}

/* The quantifier at q (if any) allows no repetition: ?, *, {0,n}, {,n}
 * (anything but a count that starts at 1 or more). */
static bool c_regex_may_skip(const char *q, const char *end) {
    return q < end && (*q == '?' || *q == '*' || (*q == '{' && !(q + 1 < end && q[1] >= '1' && q[1] <= '9')));
}

/* Just past the class that opens at p ('['): a leading ']' and [:name:]
 * are part of it, escapes are skipped whole. */
static const char *c_regex_class_end(const char *p, const char *end) {
    p++;
    if (p < end && *p == '^') p++;
    if (p < end && *p == ']') p++;
    while (p < end && *p != ']') {
        if (*p == '[' && p + 1 < end && p[1] == ':') { /* [:alpha:] */
            const char *q = p + 2;
            while (q + 1 < end && !(q[0] == ':' && q[1] == ']')) q++;
            p = q + 1 < end ? q + 2 : end;
        } else {
            p += *p == '\\' && p + 1 < end ? 2 : 1;
        }
    }
    return p < end ? p + 1 : end;
}

/* Just past the ')' of the group that opens at p ('('), classes, escapes
 * and \Q...\E skipped whole; *alternation: it has a '|' of its own. */
static const char *c_regex_group_end(const char *p, const char *end, bool *alternation) {
    int depth = 0;
    *alternation = false;
    while (p < end) {
        char c = *p;
        if (c == '\\' && p + 1 < end) {
            p = p[1] == 'Q' ? c_regex_escape_end('Q', p + 2, end) : p + 2;
            continue;
        }
        if (c == '[') {
            p = c_regex_class_end(p, end);
            continue;
        }
        if (c == '(') depth++;
        else if (c == ')' && --depth == 0) return p + 1;
        else if (c == '|' && depth == 1) *alternation = true;
        p++;
    }
    return end;
}

/* The text inside a group that every match of it passes through once or
 * more (p at its '(', close just past its ')'): a capturing group, (?:...),
 * (?>...) or (?i:...) with no alternation of its own, followed by no
 * quantifier that allows none.  Lookarounds, comments, conditions, verbs
 * and other kinds give none (false). */
static bool c_regex_group_needed(const char *p, const char *close, const char *end, sg_str *inner) {
    const char *body = p + 1;
    if (body < close && *body == '*') return false; /* (*UTF), (*LIMIT_MATCH=9): a verb, no text */
    if (body < close && *body == '?') {
        const char *f = body + 1;
        while (f < close && ((*f >= 'a' && *f <= 'z') || (*f >= 'A' && *f <= 'Z') || *f == '-')) f++;
        if (f >= close || (*f != ':' && !(*f == '>' && f == body + 1))) return false;
        body = f + 1;
    }
    if (c_regex_may_skip(close, end)) return false;
    *inner = (sg_str){body, (size_t)(close - 1 - body)};
    return close - 1 >= body;
}

/* The longest run of literal text every match of a regex holds: its top
 * level read as a sequence (groups, classes, anchors and escapes that are
 * not punctuation end a run; a character that may repeat zero times is not
 * part of one).  None (0) when the top level has an alternation.  needed
 * (unless NULL): the bytes every match holds are added, the literal
 * characters of the top level and of the groups every match passes
 * through (c_regex_group_needed), whatever runs they are in. */
#define C_REGEX_GROUP_DEPTH 16 /* groups looked into for needed bytes, nested (PCRE2 allows 250) */
static void c_regex_literal_at(sg_str re, bool caseless, char *out, uint32_t *out_len, bool *needed, int depth);

static void c_regex_literal(sg_str re, bool caseless, char *out, uint32_t *out_len, bool *needed) {
    c_regex_literal_at(re, caseless, out, out_len, needed, 0);
}

static void c_regex_literal_at(sg_str re, bool caseless, char *out, uint32_t *out_len, bool *needed, int depth) {
    uint32_t best = 0, cur = 0;
    char *run = out + re.len + 1;
    const char *p = re.ptr, *end = re.ptr + re.len;
    bool mine[256] = {false}; /* this level's needed bytes, given to the caller's at the end */
    *out_len = 0;
    /* inline options: x changes what a space means (give up); i makes the
     * pattern caseless, where PCRE2 folds beyond ASCII */
    for (const char *q = p; q + 2 < end; q++) {
        if (q[0] != '(' || q[1] != '?') continue;
        for (const char *f = q + 2; f < end && ((*f >= 'a' && *f <= 'z') || *f == '-' || (*f >= 'A' && *f <= 'Z')); f++) {
            if (*f == 'x') return;
            if (*f == 'i') caseless = true;
        }
    }
    while (p < end) {
        char c = *p;
        bool literal = false;
        char lit = 0;
        if (c == '|') return; /* an alternation at the top: no one literal is needed */
        if (c == '\\' && p + 1 < end) {
            char n = p[1];
            const char *after;
            int byte = c_regex_escape_byte(p + 1, end, &after);
            literal = !((n >= 'a' && n <= 'z') || (n >= 'A' && n <= 'Z') || (n >= '0' && n <= '9'));
            lit = n;
            p += 2;
            if (byte >= 0) { /* \n, \t, \x0a: one byte */
                literal = true;
                lit = (char)byte;
                p = after;
            } else if (!literal) {
                p = c_regex_escape_end(n, p, end); /* \p{L}, \Q...\E, \x{263a}: their text is no literal */
            }
        } else if (c == '(') { /* a group ends a run; its own needed bytes are the pattern's when it must match */
            bool alternation;
            const char *close = c_regex_group_end(p, end, &alternation);
            sg_str inner;
            if (needed && depth < C_REGEX_GROUP_DEPTH && !alternation && c_regex_group_needed(p, close, end, &inner)) {
                char *scratch = sg_xmalloc(2 * inner.len + 2);
                uint32_t ignored;
                c_regex_literal_at(inner, caseless, scratch, &ignored, mine, depth + 1);
                free(scratch);
            }
            p = close;
        } else if (c == '[') { /* a class: to its end */
            p = c_regex_class_end(p, end);
        } else if (c == '{') { /* a count ({2}, {1,64}) is no literal text: skipped whole */
            const char *q = p + 1;
            while (q < end && ((*q >= '0' && *q <= '9') || *q == ',' || *q == ' ')) q++;
            p = q < end && *q == '}' ? q + 1 : p + 1;
        } else if (strchr(".^$*+?})]", c)) {
            p++;
        } else {
            literal = true;
            lit = c;
            p++;
        }
        /* caseless, PCRE2 (UTF) also matches other letters for k, s (KELVIN
         * SIGN, LONG S) and for any non-ASCII letter: no literal there */
        if (literal && caseless &&
            ((unsigned char)lit >= 0x80 || lit == 'k' || lit == 'K' || lit == 's' || lit == 'S'))
            literal = false;
        bool optional = c_regex_may_skip(p, end); /* what follows allows none: no character */
        bool repeats = p < end && (*p == '+' || *p == '{');
        if (literal && !optional) run[cur++] = lit, mine[(unsigned char)lit] = true;
        if (!literal || optional || repeats) {
            if (cur > best) memcpy(out, run, cur), best = cur;
            cur = 0;
        }
    }
    if (cur > best) memcpy(out, run, cur), best = cur;
    *out_len = best;
    for (int i = 0; needed && i < 256; i++) needed[i] |= mine[i];
}

/* An ASCII byte that is neither a letter, a digit nor a blank, and rare in
 * c_common_text (not '\\', '.', ':', '-', '/', ...): the bytes of a 2-byte
 * atom in ASCII text (sgm_run.c looks for those grams where such a byte is). */
static bool c_rare_punct(const c_builder *b, char c) {
    unsigned char u = (unsigned char)c;
    return u > ' ' && u < 0x7f && !isalnum(u) && b->common_bytes[u] < 4;
}

/* The atom a predicate tests, or UINT32_MAX. */
static uint32_t c_pred_atom(c_builder *b, const sgm_pred *p) {
    /* a keyword (field SGM_NONE) gives an atom of any value; the log-source
     * keys (EventID, Channel), found in every event of their source, none */
    if (p->timepart != SGM_TP_NONE || (p->field != SGM_NONE && (p->field == b->channel_field || p->field == b->dispatch_field)))
        return UINT32_MAX;
    const char *text = c_text(b, p->text); /* c_atom copies it before it adds to the pool */
    uint32_t len = p->text.len, id = UINT32_MAX;
    char *scratch = NULL;
    if (p->op == SGM_OP_GLOB) {
        scratch = sg_xmalloc(2 * (size_t)p->text.len + 2);
        c_glob_literal(c_str_back(b, p->text), scratch, &len);
        text = scratch;
    } else if (p->op == SGM_OP_REGEX && p->arg < b->regexes.n) {
        sg_str re = c_str_back(b, b->regexes.v[p->arg].pattern);
        scratch = sg_xmalloc(2 * (size_t)re.len + 2);
        c_regex_literal(re, (b->regexes.v[p->arg].flags & SGM_RE_I) != 0, scratch, &len, NULL);
        text = scratch;
    } else if (p->op != SGM_OP_EQ && p->op != SGM_OP_CONTAINS && p->op != SGM_OP_STARTSWITH &&
               p->op != SGM_OP_ENDSWITH) {
        return UINT32_MAX;
    }
    /* 4 bytes or more; 3; or 2 that are not ASCII (a letter of another
     * script, rare in logs) or, in a field, both punctuation rare in logs
     * ('^^', '&&'), so a short gram still picks out few events */
    bool short_ok = len == 3 || (len == 2 && ((unsigned char)text[0] >= 0x80 || (unsigned char)text[1] >= 0x80 ||
                                              (p->field != SGM_NONE && c_rare_punct(b, text[0]) &&
                                               c_rare_punct(b, text[1]))));
    if (len >= C_GRAM || short_ok) id = c_atom(b, p->field, text, len);
    free(scratch);
    return id;
}

/* Counts how often each atom is named, over every predicate of the rules. */
static void c_count_atoms(c_builder *b) {
    for (uint32_t i = 0; i < b->nodes.n; i++) {
        if (b->nodes.v[i].kind != SGM_N_PRED) continue;
        uint32_t id = c_pred_atom(b, &b->preds.v[b->nodes.v[i].arg]);
        if (id != UINT32_MAX) b->atom_uses.v[id]++;
    }
}

static c_atoms c_atoms_of(c_builder *b, uint32_t node, int depth) {
    const sgm_node *n = &b->nodes.v[node];
    if (depth > 200) return c_atoms_none();
    switch (n->kind) {
    case SGM_N_PRED: {
        uint32_t id = c_pred_atom(b, &b->preds.v[n->arg]);
        if (id == UINT32_MAX) return c_atoms_none();
        c_atoms r = {false, sg_xmalloc(sizeof(uint32_t)), 1, b->atoms.v[id].text.len, c_atom_cost(b, id)};
        r.ids[0] = id;
        return r;
    }
    case SGM_N_AND: { /* any one part is necessary: the one of the rarest atoms */
        c_atoms best = c_atoms_none();
        for (uint32_t i = 0; i < n->count; i++) {
            c_atoms k = c_atoms_of(b, b->kids.v[n->arg + i], depth + 1);
            bool better = !k.none && (best.none || k.uses < best.uses ||
                                      (k.uses == best.uses && k.shortest > best.shortest));
            if (better) {
                free(best.ids);
                best = k;
            } else {
                free(k.ids);
            }
        }
        return best;
    }
    case SGM_N_OR: { /* every branch needs one of its atoms: one of them all */
        c_atoms acc = {false, NULL, 0, UINT32_MAX, 0};
        for (uint32_t i = 0; i < n->count && !acc.none; i++) {
            c_atoms k = c_atoms_of(b, b->kids.v[n->arg + i], depth + 1);
            if (k.none || acc.n + k.n > C_MAX_ATOMS) {
                free(k.ids);
                free(acc.ids);
                acc = c_atoms_none();
                break;
            }
            acc.ids = sg_xrealloc(acc.ids, (acc.n + k.n + 1) * sizeof *acc.ids);
            for (uint32_t j = 0; j < k.n; j++) {
                bool seen = false;
                for (uint32_t q = 0; q < acc.n && !seen; q++) seen = acc.ids[q] == k.ids[j];
                if (!seen) acc.ids[acc.n++] = k.ids[j];
            }
            if (k.shortest < acc.shortest) acc.shortest = k.shortest;
            acc.uses += k.uses;
            free(k.ids);
        }
        if (!n->count) acc = c_atoms_none();
        return acc;
    }
    default: return c_atoms_none();
    }
}


/* For each contains predicate, arg: the offset of the needle byte the
 * runtime looks for first (with memchr), the one rarest in c_common_text
 * that case does not change (any byte when cased), so a needle such as
 * ' c^m^d' is looked for by its '^', not by every space of a command line;
 * SGM_NONE when every byte is a letter and case is ignored.  For each
 * regex, need: the rarest such byte every match holds (c_regex_literal's
 * needed bytes: '"(?:\{\d\})+"\s*-f' needs '}', not the '-' of its longest
 * run), so most values are turned down by memchr, not PCRE2. */
static void c_rare_bytes(c_builder *b) {
    const uint32_t *count = b->common_bytes;
    for (uint32_t i = 0; i < b->regexes.n; i++) {
        sgm_regex *r = &b->regexes.v[i];
        sg_str re = c_str_back(b, r->pattern);
        char *scratch = sg_xmalloc(2 * re.len + 2);
        uint32_t len, best = UINT32_MAX;
        bool needed[256] = {false};
        c_regex_literal(re, (r->flags & SGM_RE_I) != 0, scratch, &len, needed);
        for (uint32_t c = 0; c < 0x80; c++) {
            /* a letter may match in either case (an inline (?i) too), a
             * non-ASCII byte may fold: only other bytes are certain */
            if (!needed[c] || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) continue;
            if (best == UINT32_MAX || count[c] < count[best]) best = c;
        }
        r->need = best == UINT32_MAX ? 0 : best + 1;
        free(scratch);
    }
    for (uint32_t i = 0; i < b->preds.n; i++) {
        sgm_pred *p = &b->preds.v[i];
        if (p->op != SGM_OP_CONTAINS) continue;
        const unsigned char *text = (const unsigned char *)c_text(b, p->text);
        bool cased = p->flags & SGM_PF_CASED;
        p->arg = SGM_NONE;
        for (uint32_t k = 0; k < p->text.len; k++) {
            unsigned char c = text[k];
            if (!cased && c >= 'a' && c <= 'z') continue; /* folded: a letter is in both cases */
            if (p->arg == SGM_NONE || count[c] < count[text[p->arg]]) p->arg = k;
        }
    }
}

/* Atoms for every rule, an anchor gram for every atom (the gram fewest
 * atoms share, so a gram found in an event leads to few checks), and the
 * tables the runtime scans with. */
static void c_prefilter(c_builder *b) {
    uint32_t n = b->rules.n;
    b->prefiltered = sg_arena_alloc(b->arena, n ? n : 1);
    memset(b->prefiltered, 0, n ? n : 1);
    C_VEC(uint32_t) pair_atom;
    C_VEC(uint32_t) pair_rule;
    memset(&pair_atom, 0, sizeof pair_atom);
    memset(&pair_rule, 0, sizeof pair_rule);
    for (const char *c = c_common_text; *c; c++) b->common_bytes[(unsigned char)*c]++;
    c_rare_bytes(b);
    c_count_atoms(b);
    c_common_build(b);
    for (uint32_t r = 0; r < n; r++) {
        if (b->rules.v[r].expr == SGM_NONE) continue;
        c_atoms a = c_atoms_of(b, b->rules.v[r].expr, 0);
        if (!a.none && a.n) {
            b->prefiltered[r] = 1;
            for (uint32_t i = 0; i < a.n; i++) {
                C_PUSH(pair_atom, a.ids[i]);
                C_PUSH(pair_rule, r);
            }
        }
        free(a.ids);
    }
    /* each predicate's atom (before the renumbering below) */
    uint32_t *pred_old = sg_xmalloc(((size_t)b->preds.n + 1) * sizeof *pred_old);
    for (uint32_t i = 0; i < b->preds.n; i++) pred_old[i] = c_pred_atom(b, &b->preds.v[i]);
    free(b->atom_uses.v);
    /* only the atoms some rule relies on stay, renumbered in order */
    uint32_t *renum = sg_xmalloc(((size_t)b->atoms.n + 1) * sizeof *renum);
    for (uint32_t i = 0; i < b->atoms.n; i++) renum[i] = UINT32_MAX;
    for (uint32_t i = 0; i < pair_atom.n; i++) renum[pair_atom.v[i]] = 0;
    uint32_t na = 0;
    for (uint32_t i = 0; i < b->atoms.n; i++)
        if (renum[i] != UINT32_MAX) b->atoms.v[na] = b->atoms.v[i], renum[i] = na++;
    b->atoms.n = na;
    for (uint32_t i = 0; i < pair_atom.n; i++) pair_atom.v[i] = renum[pair_atom.v[i]];
    /* a predicate whose atom is scanned for is false when the atom is absent */
    b->pred_atom = sg_arena_alloc(b->arena, ((size_t)b->preds.n + 1) * sizeof *b->pred_atom);
    for (uint32_t i = 0; i < b->preds.n; i++)
        b->pred_atom[i] = pred_old[i] != UINT32_MAX && renum[pred_old[i]] != UINT32_MAX ? renum[pred_old[i]] : SGM_NONE;
    free(pred_old);
    free(renum);
    if (!na) {
        free(pair_atom.v);
        free(pair_rule.v);
        free(b->common_keys);
        free(b->common_counts);
        b->common_keys = NULL;
        b->common_counts = NULL;
        return;
    }
    /* rules per atom, in rule order: a counting sort of the pairs */
    uint32_t *count = calloc((size_t)na + 1, sizeof *count);
    if (!count) abort();
    for (uint32_t i = 0; i < pair_atom.n; i++) count[pair_atom.v[i] + 1]++;
    for (uint32_t i = 0; i < na; i++) count[i + 1] += count[i];
    uint32_t base = b->pf.n;
    for (uint32_t i = 0; i < pair_atom.n; i++) C_PUSH(b->pf, 0);
    for (uint32_t i = 0; i < na; i++) b->atoms.v[i].rules = base + count[i], b->atoms.v[i].n_rules = 0;
    for (uint32_t i = 0; i < pair_atom.n; i++) {
        sgm_atom *a = &b->atoms.v[pair_atom.v[i]];
        b->pf.v[a->rules + a->n_rules++] = pair_rule.v[i];
    }
    free(count);
    free(pair_atom.v);
    free(pair_rule.v);
    /* how many atoms hold each 4-byte gram (a table twice the number of windows) */
    size_t windows = 0;
    for (uint32_t i = 0; i < na; i++)
        if (b->atoms.v[i].text.len >= C_GRAM) windows += b->atoms.v[i].text.len - C_GRAM + 1;
    uint32_t size = 1024;
    while (size < windows * 2) size *= 2;
    uint32_t *keys = calloc(size, sizeof *keys), *uses = calloc(size, sizeof *uses);
    if (!keys || !uses) abort();
    for (uint32_t i = 0; i < na; i++) {
        const sgm_atom *a = &b->atoms.v[i];
        for (uint32_t k = 0; k + C_GRAM <= a->text.len; k++) {
            uint32_t g = c_gram(c_text(b, a->text) + k, C_GRAM), h = (g * 2654435761u) & (size - 1);
            while (uses[h] && keys[h] != g) h = (h + 1) & (size - 1);
            keys[h] = g;
            uses[h]++;
        }
    }
    /* each atom's anchor: the gram fewest atoms share (a short atom: itself) */
    uint32_t *anchor_gram = sg_xmalloc(na * sizeof *anchor_gram), *anchor_len = sg_xmalloc(na * sizeof *anchor_len);
    for (uint32_t i = 0; i < na; i++) {
        sgm_atom *a = &b->atoms.v[i];
        if (a->text.len < C_GRAM) {
            a->anchor = 0;
            anchor_len[i] = a->text.len;
            anchor_gram[i] = c_gram(c_text(b, a->text), a->text.len);
            b->short_atoms++;
            continue;
        }
        uint64_t best = UINT64_MAX;
        anchor_len[i] = C_GRAM;
        for (uint32_t k = 0; k + C_GRAM <= a->text.len; k++) {
            uint32_t g = c_gram(c_text(b, a->text) + k, C_GRAM), h = (g * 2654435761u) & (size - 1);
            while (keys[h] != g) h = (h + 1) & (size - 1);
            /* the gram least common in logs, then one with 4 bytes after it
             * in the atom (the runtime checks those before it probes:
             * sgm_index.pair_grams), then the one fewest atoms share */
            bool open = k + 2 * C_GRAM > a->text.len && a->text.len >= 2 * C_GRAM;
            uint64_t score = (uint64_t)c_commonness(b, g, C_GRAM) << 33 | (uint64_t)open << 32 | uses[h];
            if (score <= best) best = score, a->anchor = k, anchor_gram[i] = g;
        }
    }
    free(keys);
    free(uses);
    /* the gram table: each (gram, length) a slot with its atoms' run in pf */
    uint32_t slots = 1024;
    while (slots < na * 2) slots *= 2;
    b->gram_mask = slots - 1;
    for (uint32_t i = 0; i < slots; i++) C_PUSH(b->grams, ((sgm_gram){0, 0, 0, 0}));
    uint32_t *slot_of = sg_xmalloc(na * sizeof *slot_of);
    for (uint32_t i = 0; i < na; i++) { /* claim the slots, counting atoms */
        uint32_t h = SGM_GRAM_SLOT(anchor_gram[i], anchor_len[i]) & b->gram_mask;
        while (b->grams.v[h].n_atoms && (b->grams.v[h].gram != anchor_gram[i] || b->grams.v[h].len != anchor_len[i]))
            h = (h + 1) & b->gram_mask;
        b->grams.v[h].gram = anchor_gram[i];
        b->grams.v[h].len = anchor_len[i];
        b->grams.v[h].n_atoms++;
        slot_of[i] = h;
    }
    uint32_t start = b->pf.n;
    for (uint32_t h = 0; h < slots; h++) { /* runs in slot order */
        b->grams.v[h].atoms = start;
        start += b->grams.v[h].n_atoms;
        b->grams.v[h].n_atoms = 0;
    }
    for (uint32_t i = 0; i < na; i++) C_PUSH(b->pf, 0);
    for (uint32_t i = 0; i < na; i++) { /* fill them in atom order */
        sgm_gram *gr = &b->grams.v[slot_of[i]];
        b->pf.v[gr->atoms + gr->n_atoms++] = i;
    }
    free(slot_of);
    b->gram_bits = sg_arena_alloc(b->arena, SGM_GRAM_BITS_TOTAL / 8);
    memset(b->gram_bits, 0, SGM_GRAM_BITS_TOTAL / 8);
    for (uint32_t i = 0; i < na; i++) {
        uint32_t bit = SGM_GRAM_BIT(anchor_gram[i], anchor_len[i]);
        b->gram_bits[bit / 64] |= (uint64_t)1 << (bit % 64);
    }
    free(anchor_gram);
    free(anchor_len);
    free(b->common_keys);
    free(b->common_counts);
    b->common_keys = NULL;
    b->common_counts = NULL;
    for (uint32_t i = 0; i < na; i++) b->keyword_atoms += b->atoms.v[i].field == SGM_NONE;
    /* the fields to scan, in field order (keyword atoms: every value is scanned for them) */
    for (uint32_t f = 0; f < b->fields.n; f++) {
        bool used = false;
        for (uint32_t i = 0; i < na && !used; i++) used = b->atoms.v[i].field == f;
        if (used) C_PUSH(b->scan_fields, f);
    }
}

#define C_FREEZE(b, vec, type, out_ptr, out_n)                                              \
    do {                                                                                    \
        type *copy = SG_NEW_ARRAY((b)->arena, type, (vec).n ? (vec).n : 1);                 \
        if ((vec).n) memcpy(copy, (vec).v, (size_t)(vec).n * sizeof *copy);                 \
        (out_ptr) = copy;                                                                   \
        (out_n) = (vec).n;                                                                  \
        free((vec).v);                                                                      \
    } while (0)

int c_build_tables(sg_arena *arena, sg_diags *diags, const sg_ir_rule *const *rules, size_t n, sgm_tables *out) {
    c_builder b;
    memset(&b, 0, sizeof b);
    b.arena = arena;
    b.diags = diags;
    for (size_t i = 0; i < n; i++) {
        const sg_ir_rule *r = rules[i];
        b.rule = r;
        uint32_t id = c_rule(&b, r, true);
        if (r->agg) c_aggregation(&b, r, id);
        else if (!r->expr) c_error(&b, r->meta.line, 1, "the rule has nothing to match");
    }
    c_time_fields(&b, rules, n);
    c_event_names(&b, rules, n);
    if (!b.failed) { /* a failed rule's nodes may point at predicates never made */
        c_share_tests(&b);
        c_dispatch(&b);
        c_prefilter(&b);
    } else {
        free(b.atom_uses.v);
        b.prefiltered = NULL;
    }
    memset(out, 0, sizeof *out);
    out->generator = "sigc " SIGC_VERSION;
    C_FREEZE(&b, b.pool, char, out->pool, out->pool_len);
    free(b.pooled.v);
    free(b.pool_slots);
    C_FREEZE(&b, b.fields, sgm_str, out->fields, out->n_fields);
    C_FREEZE(&b, b.strs, sgm_str, out->strs, out->n_strs);
    C_FREEZE(&b, b.preds, sgm_pred, out->preds, out->n_preds);
    C_FREEZE(&b, b.nodes, sgm_node, out->nodes, out->n_nodes);
    C_FREEZE(&b, b.kids, uint32_t, out->kids, out->n_kids);
    C_FREEZE(&b, b.regexes, sgm_regex, out->regexes, out->n_regexes);
    C_FREEZE(&b, b.cidrs, sgm_cidr, out->cidrs, out->n_cidrs);
    C_FREEZE(&b, b.aggs, sgm_agg, out->aggs, out->n_aggs);
    C_FREEZE(&b, b.u32, uint32_t, out->u32, out->n_u32);
    C_FREEZE(&b, b.rules, sgm_rule, out->rules, out->n_rules);
    C_FREEZE(&b, b.time_fields, uint32_t, out->time_fields, out->n_time_fields);
    C_FREEZE(&b, b.aliases, sgm_alias, out->aliases, out->n_aliases);
    C_FREEZE(&b, b.buckets, sgm_bucket, out->buckets, out->n_buckets);
    C_FREEZE(&b, b.dispatch, uint32_t, out->dispatch, out->n_dispatch);
    out->dispatch_field = b.dispatch_field;
    out->channel_field = b.channel_field;
    out->any_present = b.any_present, out->n_any_present = b.n_any_present;
    out->any_absent = b.any_absent, out->n_any_absent = b.n_any_absent;
    C_FREEZE(&b, b.atoms, sgm_atom, out->atoms, out->n_atoms);
    uint32_t n_gram_slots;
    C_FREEZE(&b, b.grams, sgm_gram, out->grams, n_gram_slots);
    out->gram_mask = n_gram_slots ? n_gram_slots - 1 : 0;
    out->gram_bits = b.gram_bits;
    C_FREEZE(&b, b.pf, uint32_t, out->pf, out->n_pf);
    C_FREEZE(&b, b.scan_fields, uint32_t, out->scan_fields, out->n_scan_fields);
    out->prefiltered = b.prefiltered;
    out->keyword_atoms = b.keyword_atoms;
    out->pred_atom = b.pred_atom;
    out->short_atoms = b.short_atoms;
    free(b.atom_slots);
    free(b.field_slots);
    return b.failed ? -1 : 0;
}

/* ---- writing C ---------------------------------------------------------- */

/* One string literal of C: letters, digits, space and `_.,:;-+=@#%&<>()[]{}!~^|$'` are
 * written as they are; every other byte (quote, backslash, `?`, `*`, `/`,
 * controls, non-ASCII, NUL) as a three-digit octal escape, so nothing a
 * rule holds can end the literal, start a comment or form a trigraph. */
static void c_string_literal(sg_buf *out, const char *p, size_t n) {
    static const char safe[] = " _.,:;-+=@#%&<>()[]{}!~^|$'";
    sg_buf_add_byte(out, '"');
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                     (c && memchr(safe, c, sizeof safe - 1));
        if (plain) sg_buf_add_byte(out, (char)c);
        else sg_buf_printf(out, "\\%03o", c);
        if (i + 1 < n && (i + 1) % 160 == 0) sg_buf_add_cstr(out, "\"\n    \"");
    }
    sg_buf_add_byte(out, '"');
}

/* A string of the tables: its place in sgm_t_pool (the text is only there). */
static void c_emit_str(sg_buf *out, sgm_str s) { sg_buf_printf(out, "{%uu, %uu}", (unsigned)s.off, (unsigned)s.len); }

static void c_emit_double(sg_buf *out, double v) {
    if (v == (double)(int64_t)v && v < 9e15 && v > -9e15) sg_buf_printf(out, "%lld.0", (long long)v);
    else sg_buf_printf(out, "%.17g", v);
}

static void c_emit_u32(sg_buf *out, uint32_t v) {
    if (v == SGM_NONE) sg_buf_add_cstr(out, "SGM_NONE");
    else sg_buf_printf(out, "%uu", (unsigned)v);
}

/* The entries of a uint32_t array, twelve a line ("0u" for none: C has no
 * empty initializer). */
static void c_emit_u32_run(sg_buf *out, const uint32_t *v, uint32_t n) {
    for (uint32_t i = 0; i < n; i++) sg_buf_printf(out, "%s%uu,", i % 12 ? " " : "\n    ", (unsigned)v[i]);
    if (!n) sg_buf_add_cstr(out, "0u");
}

/* Enumerator names, so the tables read as what they mean (and goldens
 * show it); indexed by the sgm.h enums. */
static const char *const c_op_names[] = {
    "SGM_OP_EQ", "SGM_OP_CONTAINS", "SGM_OP_STARTSWITH", "SGM_OP_ENDSWITH", "SGM_OP_GLOB", "SGM_OP_REGEX",
    "SGM_OP_CIDR", "SGM_OP_NUM_EQ", "SGM_OP_LT", "SGM_OP_LTE", "SGM_OP_GT", "SGM_OP_GTE", "SGM_OP_BOOL",
    "SGM_OP_NULL", "SGM_OP_EXISTS", "SGM_OP_FIELDREF",
};
static const char *const c_timepart_names[] = {
    "SGM_TP_NONE", "SGM_TP_MINUTE", "SGM_TP_HOUR", "SGM_TP_DAY", "SGM_TP_WEEK", "SGM_TP_MONTH", "SGM_TP_YEAR",
};
static const char *const c_node_names[] = {
    "SGM_N_TRUE", "SGM_N_FALSE", "SGM_N_PRED", "SGM_N_AND", "SGM_N_OR", "SGM_N_NOT", "SGM_N_RULEREF",
};
static const char *const c_agg_names[] = {
    "SGM_AGG_EVENT_COUNT", "SGM_AGG_VALUE_COUNT", "SGM_AGG_VALUE_SUM", "SGM_AGG_VALUE_AVG", "SGM_AGG_VALUE_MIN",
    "SGM_AGG_VALUE_MAX", "SGM_AGG_VALUE_PERCENTILE", "SGM_AGG_VALUE_MEDIAN", "SGM_AGG_TEMPORAL",
    "SGM_AGG_TEMPORAL_ORDERED",
};
static const char *const c_cmp_names[] = {
    "SGM_CMP_NONE", "SGM_CMP_GT", "SGM_CMP_GTE", "SGM_CMP_LT", "SGM_CMP_LTE", "SGM_CMP_EQ", "SGM_CMP_NEQ",
};
#define C_NAME(table, v) ((size_t)(v) < sizeof table / sizeof *table ? table[v] : "0")

/* ---- the index ------------------------------------------------------------
 * What the runtime derives from the tables (sgm_index.c), built here from
 * the tables just written and emitted after the runtime as const arrays, so
 * the matcher starts without building it (its --check-index builds it again
 * and compares).  An array that is empty or absent is a NULL pointer. */

/* The words of a bit array: when most are zero (the filters of a few
 * rules), only the others, by index. */
static void c_emit_u64_run(sg_buf *out, const uint64_t *v, size_t n) {
    size_t nonzero = 0, k = 0;
    for (size_t i = 0; i < n; i++) nonzero += v[i] != 0;
    if (nonzero * 2 >= n) {
        for (size_t i = 0; i < n; i++) sg_buf_printf(out, "%s0x%llxu,", i % 6 ? " " : "\n    ", (unsigned long long)v[i]);
        return;
    }
    for (size_t i = 0; i < n; i++)
        if (v[i]) sg_buf_printf(out, "%s[%zu] = 0x%llxu,", k++ % 4 ? " " : "\n    ", i, (unsigned long long)v[i]);
    if (!nonzero) sg_buf_add_cstr(out, "0");
}

static void c_emit_u8_run(sg_buf *out, const uint8_t *v, size_t n) {
    for (size_t i = 0; i < n; i++) sg_buf_printf(out, "%s%u,", i % 32 ? " " : "\n    ", (unsigned)v[i]);
}

static void c_emit_kw_scans(sg_buf *out, const sgm_kw_scan *v, size_t n) {
    for (size_t i = 0; i < n; i++)
        sg_buf_printf(out, "\n    {%uu, %uu, %uu, %uu, %uu, %uu},", (unsigned)v[i].step, (unsigned)v[i].shortest,
                      (unsigned)v[i].first, (unsigned)v[i].n, (unsigned)v[i].bits, (unsigned)v[i].atoms);
}

static void c_emit_kw_entries(sg_buf *out, const sgm_kw_entry *v, size_t n) {
    for (size_t i = 0; i < n; i++)
        sg_buf_printf(out, "%s{0x%xu, %uu, %uu},", i % 4 ? " " : "\n    ", (unsigned)v[i].gram, (unsigned)v[i].atom,
                      (unsigned)v[i].off);
}

static void c_emit_strs(sg_buf *out, const sgm_str *v, size_t n) {
    for (size_t i = 0; i < n; i++) {
        sg_buf_add_cstr(out, i % 6 ? " " : "\n    ");
        c_emit_str(out, v[i]);
        sg_buf_add_byte(out, ',');
    }
}

static void c_emit_steps(sg_buf *out, const sgm_step *v, size_t n) {
    for (size_t i = 0; i < n; i++) {
        sg_buf_add_cstr(out, i % 3 ? " {" : "\n    {");
        if (v[i].test & SGM_STEP_VSET) sg_buf_printf(out, "SGM_STEP_VSET | %uu", (unsigned)(v[i].test & ~SGM_STEP_VSET));
        else if (v[i].test & SGM_STEP_KEY) sg_buf_printf(out, "SGM_STEP_KEY | %uu", (unsigned)(v[i].test & SGM_STEP_ARG));
        else if (v[i].test & SGM_STEP_CHANNEL) sg_buf_printf(out, "SGM_STEP_CHANNEL | %uu", (unsigned)(v[i].test & SGM_STEP_ARG));
        else sg_buf_printf(out, "%uu", (unsigned)v[i].test);
        sg_buf_add_cstr(out, ", ");
        c_emit_u32(out, v[i].atom);
        for (int k = 0; k < 2; k++) {
            uint32_t to = k ? v[i].on_false : v[i].on_true;
            sg_buf_add_cstr(out, ", ");
            if (to == SGM_STEP_MATCH) sg_buf_add_cstr(out, "SGM_STEP_MATCH");
            else if (to == SGM_STEP_FAIL) sg_buf_add_cstr(out, "SGM_STEP_FAIL");
            else sg_buf_printf(out, "%uu", (unsigned)to);
        }
        sg_buf_add_cstr(out, "},");
    }
}

static void c_emit_vsets(sg_buf *out, const sgm_vset *v, size_t n) {
    for (size_t i = 0; i < n; i++)
        sg_buf_printf(out, "%s{%uu, %s, %u, %u, 0, %uu, %uu},", i % 3 ? " " : "\n    ", (unsigned)v[i].field,
                      C_NAME(c_op_names, v[i].op), (unsigned)v[i].cased, (unsigned)v[i].edge, (unsigned)v[i].mask,
                      (unsigned)v[i].slots);
}

/* Numbers; a rule's first step may be where a rule that needs no test
 * goes (SGM_STEP_FAIL is SGM_NONE). */
static void c_emit_u32s(sg_buf *out, const uint32_t *v, size_t n) {
    for (size_t i = 0; i < n; i++) {
        sg_buf_add_cstr(out, i % 8 ? " " : "\n    ");
        if (v[i] == SGM_STEP_MATCH) sg_buf_add_cstr(out, "SGM_STEP_MATCH");
        else c_emit_u32(out, v[i]);
        sg_buf_add_byte(out, ',');
    }
}

/* The C type of an index array, and the function that writes its items. */
#define C_INDEX_TYPE(p)                                                                                           \
    _Generic((p), const uint64_t *: "uint64_t", const uint32_t *: "uint32_t", const uint8_t *: "uint8_t",         \
             const sgm_str *: "sgm_str", const sgm_vset *: "sgm_vset", const sgm_step *: "sgm_step",              \
             const sgm_kw_scan *: "sgm_kw_scan", const sgm_kw_entry *: "sgm_kw_entry")
#define C_INDEX_ITEMS(out, p, n)                                                                                  \
    _Generic((p), const uint64_t *: c_emit_u64_run, const uint32_t *: c_emit_u32s, const uint8_t *: c_emit_u8_run, \
             const sgm_str *: c_emit_strs, const sgm_vset *: c_emit_vsets, const sgm_step *: c_emit_steps,        \
             const sgm_kw_scan *: c_emit_kw_scans, const sgm_kw_entry *: c_emit_kw_entries)(out, p, n)

static void c_emit_index(sg_buf *out, const sgm_tables *t, const sgm_index *ix) {
    sg_buf_add_cstr(out, "\n/* ---- index ---- */\n/* What the runtime derives from the tables (sgm_index.c), "
                         "built by sigc from them. */\n\n");
    /* each array sgm_ix_<name>[count] (at least one item, as C wants); none
     * when the index has none (its pointer NULL) */
#define C_INDEX_ARRAY(name, count)                                                                          \
    if (ix->name) {                                                                                         \
        size_t n_ = (count);                                                                                \
        sg_buf_printf(out, "static const %s sgm_ix_" #name "[%zu] = {", C_INDEX_TYPE(ix->name), n_ ? n_ : 1); \
        if (n_) C_INDEX_ITEMS(out, ix->name, n_);                                                           \
        else sg_buf_add_cstr(out, "0");                                                                     \
        sg_buf_add_cstr(out, "\n};\n\n");                                                                   \
    }
    SGM_INDEX_ARRAYS(C_INDEX_ARRAY, t, ix)
#undef C_INDEX_ARRAY
#define C_INDEX_POINTER(name, count) \
    sg_buf_printf(out, "    ." #name " = %s,\n", ix->name ? "sgm_ix_" #name : "NULL");
    sg_buf_printf(out, "static const sgm_index sgm_ix = {\n    .prefilter = %s,\n", ix->prefilter ? "true" : "false");
    SGM_INDEX_ARRAYS(C_INDEX_POINTER, t, ix)
#undef C_INDEX_POINTER
    sg_buf_add_cstr(out, "    .pair_end = {");
    c_emit_u8_run(out, ix->pair_end, sizeof ix->pair_end);
    sg_buf_printf(out,
                  "\n    },\n"
                  "    .mask_words = %uu, .n_kw_channels = %uu, .n_kw_entries = %uu,\n"
                  "    .n_np = %uu, .np_present = %uu, .n_np_present = %uu, .np_absent = %uu, .n_np_absent = %uu,\n"
                  "    .np_all = %uu, .n_np_all = %uu,\n"
                  "    .n_vsets = %uu, .n_vset_slots = %uu, .n_steps = %uu, .n_channels = %uu,\n};\n",
                  (unsigned)ix->mask_words, (unsigned)ix->n_kw_channels, (unsigned)ix->n_kw_entries,
                  (unsigned)ix->n_np, (unsigned)ix->np_present, (unsigned)ix->n_np_present, (unsigned)ix->np_absent,
                  (unsigned)ix->n_np_absent, (unsigned)ix->np_all, (unsigned)ix->n_np_all, (unsigned)ix->n_vsets,
                  (unsigned)ix->n_vset_slots, (unsigned)ix->n_steps, (unsigned)ix->n_channels);
}
#undef C_INDEX_ITEMS
#undef C_INDEX_TYPE

int c_emit_program(sg_arena *arena, sg_diags *diags, const sg_ir_rule *const *rules, size_t n, sg_buf *out) {
    sgm_tables t;
    if (c_build_tables(arena, diags, rules, n, &t) != 0) return -1;
    char why[256] = "out of memory"; /* unless the check says why */
    sgm_index ix;
    if (!sgm_tables_check(&t, why, sizeof why) || !sgm_index_build(&t, &ix)) {
        sg_diag_add(diags, SG_D_UNSUPPORTED, (sg_loc){0}, "the matcher's index cannot be built from its tables: %s", why);
        return -1;
    }
    sg_buf_printf(out,
                  "/* A standalone Sigma matcher generated by sigc %s from %zu rules; do not edit.\n"
                  " * Build: cc -O2 matcher.c -lpcre2-8        (add -levtx to read .evtx files)\n"
                  " * Run:   ./matcher [--help] [OPTION]... [FILE]...\n"
                  " * The tables below come from the rules; the code after them is sigc's fixed\n"
                  " * runtime (backends/matcher/), the same code `sigc match` runs. */\n"
                  "#ifndef _POSIX_C_SOURCE\n#define _POSIX_C_SOURCE 200809L\n#endif\n"
                  "#ifndef _DEFAULT_SOURCE\n#define _DEFAULT_SOURCE\n#endif\n\n",
                  SIGC_VERSION, n);
    sg_buf_add(out, sg_c_runtime_head, sg_c_runtime_head_len);
    sg_buf_add_cstr(out, "\n/* ---- tables ---- */\n\n");

    /* all the text, one literal (sgm_str: offset and length into it) */
    sg_buf_add_cstr(out, "static const char sgm_t_pool[] =\n    ");
    c_string_literal(out, t.pool, t.pool_len);
    sg_buf_add_cstr(out, ";\n\n");
    sg_buf_add_cstr(out, "static const sgm_str sgm_t_fields[] = {\n");
    for (uint32_t i = 0; i < t.n_fields; i++) {
        sg_buf_add_cstr(out, "    ");
        c_emit_str(out, t.fields[i]);
        sg_buf_add_cstr(out, ",\n");
    }
    if (!t.n_fields) sg_buf_add_cstr(out, "    {0u, 0u},\n");
    sg_buf_add_cstr(out, "};\n\nstatic const sgm_str sgm_t_strs[] = {\n");
    for (uint32_t i = 0; i < t.n_strs; i++) {
        sg_buf_add_cstr(out, "    ");
        c_emit_str(out, t.strs[i]);
        sg_buf_add_cstr(out, ",\n");
    }
    if (!t.n_strs) sg_buf_add_cstr(out, "    {0u, 0u},\n");
    sg_buf_add_cstr(out, "};\n\nstatic const sgm_pred sgm_t_preds[] = {\n");
    for (uint32_t i = 0; i < t.n_preds; i++) {
        const sgm_pred *p = &t.preds[i];
        sg_buf_printf(out, "    {%s, %u, %s, %s, ", C_NAME(c_op_names, p->op), p->flags, C_NAME(c_timepart_names, p->timepart),
                      C_NAME(c_op_names, p->fieldref_op));
        c_emit_u32(out, p->field);
        sg_buf_add_cstr(out, ", ");
        c_emit_u32(out, p->arg);
        sg_buf_add_cstr(out, ", ");
        c_emit_str(out, p->text);
        sg_buf_add_cstr(out, ", ");
        c_emit_double(out, p->num);
        sg_buf_add_cstr(out, "},\n");
    }
    if (!t.n_preds) sg_buf_add_cstr(out, "    {0, 0, 0, 0, 0u, 0u, {0u, 0u}, 0.0},\n");
    sg_buf_add_cstr(out, "};\n\nstatic const sgm_node sgm_t_nodes[] = {\n");
    for (uint32_t i = 0; i < t.n_nodes; i++)
        sg_buf_printf(out, "    {%s, %uu, %uu},\n", C_NAME(c_node_names, t.nodes[i].kind), (unsigned)t.nodes[i].count,
                      (unsigned)t.nodes[i].arg);
    if (!t.n_nodes) sg_buf_add_cstr(out, "    {0, 0u, 0u},\n");
    sg_buf_add_cstr(out, "};\n\nstatic const uint32_t sgm_t_kids[] = {");
    for (uint32_t i = 0; i < t.n_kids; i++) sg_buf_printf(out, "%s%uu,", i % 12 ? " " : "\n    ", (unsigned)t.kids[i]);
    if (!t.n_kids) sg_buf_add_cstr(out, "0u");
    sg_buf_add_cstr(out, "\n};\n\nstatic const sgm_regex sgm_t_regexes[] = {\n");
    for (uint32_t i = 0; i < t.n_regexes; i++) {
        sg_buf_add_cstr(out, "    {");
        c_emit_str(out, t.regexes[i].pattern);
        sg_buf_printf(out, ", %uu, %uu},\n", (unsigned)t.regexes[i].flags, (unsigned)t.regexes[i].need);
    }
    if (!t.n_regexes) sg_buf_add_cstr(out, "    {{0u, 0u}, 0u, 0u},\n");
    sg_buf_add_cstr(out, "};\n\nstatic const sgm_cidr sgm_t_cidrs[] = {\n");
    for (uint32_t i = 0; i < t.n_cidrs; i++) {
        sg_buf_printf(out, "    {%u, %u, {", t.cidrs[i].family, t.cidrs[i].prefix);
        for (int k = 0; k < 16; k++) sg_buf_printf(out, "%s%u", k ? ", " : "", t.cidrs[i].addr[k]);
        sg_buf_add_cstr(out, "}},\n");
    }
    if (!t.n_cidrs) sg_buf_add_cstr(out, "    {0, 0, {0}},\n");
    sg_buf_add_cstr(out, "};\n\nstatic const sgm_agg sgm_t_aggs[] = {\n");
    for (uint32_t i = 0; i < t.n_aggs; i++) {
        const sgm_agg *a = &t.aggs[i];
        sg_buf_printf(out, "    {%s, %s, %u, %uu, %uu, %uu, %uu, ", C_NAME(c_agg_names, a->type), C_NAME(c_cmp_names, a->cmp),
                      a->percentile, (unsigned)a->rules,
                      (unsigned)a->n_rules, (unsigned)a->groups, (unsigned)a->n_group);
        c_emit_u32(out, a->fields);
        sg_buf_printf(out, ", %uu, ", (unsigned)a->names);
        c_emit_u32(out, a->condition);
        sg_buf_printf(out, ", %lldLL, ", (long long)a->window_us);
        c_emit_double(out, a->threshold);
        sg_buf_add_cstr(out, "},\n");
    }
    if (!t.n_aggs) sg_buf_add_cstr(out, "    {0, 0, 0, 0u, 0u, 0u, 0u, 0u, 0u, 0u, 0LL, 0.0},\n");
    sg_buf_add_cstr(out, "};\n\nstatic const uint32_t sgm_t_u32[] = {");
    c_emit_u32_run(out, t.u32, t.n_u32);
    sg_buf_add_cstr(out, "\n};\n\nstatic const sgm_rule sgm_t_rules[] = {\n");
    for (uint32_t i = 0; i < t.n_rules; i++) {
        const sgm_rule *r = &t.rules[i];
        sg_buf_add_cstr(out, "    {");
        c_emit_str(out, r->id);
        sg_buf_add_cstr(out, ", ");
        c_emit_str(out, r->title);
        sg_buf_add_cstr(out, ", ");
        c_emit_str(out, r->level);
        sg_buf_printf(out, ", %uu, %uu, ", (unsigned)r->tags, (unsigned)r->n_tags);
        c_emit_u32(out, r->expr);
        sg_buf_add_cstr(out, ", ");
        c_emit_u32(out, r->agg);
        sg_buf_printf(out, ", %u},\n", r->report);
    }
    if (!t.n_rules) sg_buf_add_cstr(out, "    {{0u, 0u}, {0u, 0u}, {0u, 0u}, 0u, 0u, 0u, 0u, 0},\n");
    sg_buf_add_cstr(out, "};\n\nstatic const uint32_t sgm_t_time_fields[] = {");
    for (uint32_t i = 0; i < t.n_time_fields; i++) sg_buf_printf(out, "%s%uu", i ? ", " : "", (unsigned)t.time_fields[i]);
    if (!t.n_time_fields) sg_buf_add_cstr(out, "0u");
    sg_buf_add_cstr(out, "};\n\nstatic const sgm_alias sgm_t_aliases[] = {\n");
    for (uint32_t i = 0; i < t.n_aliases; i++) {
        sg_buf_add_cstr(out, "    {");
        c_emit_str(out, t.aliases[i].name);
        sg_buf_printf(out, ", %uu},\n", (unsigned)t.aliases[i].field);
    }
    if (!t.n_aliases) sg_buf_add_cstr(out, "    {{0u, 0u}, 0u},\n");
    sg_buf_add_cstr(out, "};\n\nstatic const sgm_bucket sgm_t_buckets[] = {\n");
    for (uint32_t i = 0; i < t.n_buckets; i++) {
        sg_buf_add_cstr(out, "    {");
        c_emit_double(out, t.buckets[i].key);
        sg_buf_printf(out, ", %uu, %uu},\n", (unsigned)t.buckets[i].rules, (unsigned)t.buckets[i].n_rules);
    }
    if (!t.n_buckets) sg_buf_add_cstr(out, "    {0.0, 0u, 0u},\n");
    sg_buf_add_cstr(out, "};\n\nstatic const uint32_t sgm_t_dispatch[] = {");
    c_emit_u32_run(out, t.dispatch, t.n_dispatch);
    sg_buf_add_cstr(out, "\n};\n\nstatic const sgm_atom sgm_t_atoms[] = {\n");
    for (uint32_t i = 0; i < t.n_atoms; i++) {
        const sgm_atom *a = &t.atoms[i];
        sg_buf_add_cstr(out, "    {");
        c_emit_u32(out, a->field);
        sg_buf_printf(out, ", %uu, ", (unsigned)a->anchor);
        c_emit_str(out, a->text);
        sg_buf_printf(out, ", %uu, %uu},\n", (unsigned)a->rules, (unsigned)a->n_rules);
    }
    if (!t.n_atoms) sg_buf_add_cstr(out, "    {0u, 0u, {0u, 0u}, 0u, 0u},\n");
    sg_buf_add_cstr(out, "};\n\nstatic const sgm_gram sgm_t_grams[] = {");
    uint32_t n_slots = t.n_atoms ? t.gram_mask + 1 : 0;
    for (uint32_t i = 0; i < n_slots; i++)
        sg_buf_printf(out, "%s{%uu, %uu, %uu, %uu},", i % 4 ? " " : "\n    ", (unsigned)t.grams[i].gram,
                      (unsigned)t.grams[i].len, (unsigned)t.grams[i].atoms, (unsigned)t.grams[i].n_atoms);
    if (!n_slots) sg_buf_add_cstr(out, "{0u, 0u, 0u, 0u}");
    sg_buf_add_cstr(out, "\n};\n\nstatic const uint64_t sgm_t_gram_bits[] = {");
    for (uint32_t i = 0; t.n_atoms && i < SGM_GRAM_BITS_TOTAL / 64; i++)
        sg_buf_printf(out, "%s0x%llxu,", i % 6 ? " " : "\n    ", (unsigned long long)t.gram_bits[i]);
    if (!t.n_atoms) sg_buf_add_cstr(out, "0u");
    sg_buf_add_cstr(out, "\n};\n\nstatic const uint32_t sgm_t_pf[] = {");
    c_emit_u32_run(out, t.pf, t.n_pf);
    sg_buf_add_cstr(out, "\n};\n\nstatic const uint32_t sgm_t_scan_fields[] = {");
    for (uint32_t i = 0; i < t.n_scan_fields; i++) sg_buf_printf(out, "%s%uu", i ? ", " : "", (unsigned)t.scan_fields[i]);
    if (!t.n_scan_fields) sg_buf_add_cstr(out, "0u");
    sg_buf_add_cstr(out, "};\n\nstatic const uint32_t sgm_t_pred_atom[] = {");
    for (uint32_t i = 0; t.n_atoms && i < t.n_preds; i++) {
        sg_buf_add_cstr(out, i % 12 ? " " : "\n    ");
        c_emit_u32(out, t.pred_atom[i]);
        sg_buf_add_byte(out, ',');
    }
    if (!t.n_atoms || !t.n_preds) sg_buf_add_cstr(out, "0u");
    sg_buf_add_cstr(out, "\n};\n\nstatic const uint8_t sgm_t_prefiltered[] = {");
    for (uint32_t i = 0; i < t.n_rules; i++) sg_buf_printf(out, "%s%u,", i % 32 ? " " : "\n    ", t.prefiltered[i]);
    if (!t.n_rules) sg_buf_add_cstr(out, "0");
    sg_buf_add_cstr(out, "\n};\n\nstatic const sgm_tables sgm_t = {\n    ");
    c_string_literal(out, t.generator, strlen(t.generator));
    sg_buf_printf(out, ", sgm_t_pool, %uu", (unsigned)t.pool_len);
    sg_buf_printf(out,
                  ",\n    sgm_t_fields, %uu, sgm_t_strs, %uu, sgm_t_preds, %uu, sgm_t_nodes, %uu, sgm_t_kids, %uu,\n"
                  "    sgm_t_regexes, %uu, sgm_t_cidrs, %uu, sgm_t_aggs, %uu, sgm_t_u32, %uu, sgm_t_rules, %uu,\n"
                  "    sgm_t_time_fields, %uu, sgm_t_aliases, %uu,\n",
                  (unsigned)t.n_fields, (unsigned)t.n_strs, (unsigned)t.n_preds, (unsigned)t.n_nodes, (unsigned)t.n_kids,
                  (unsigned)t.n_regexes, (unsigned)t.n_cidrs, (unsigned)t.n_aggs, (unsigned)t.n_u32,
                  (unsigned)t.n_rules, (unsigned)t.n_time_fields, (unsigned)t.n_aliases);
    sg_buf_add_cstr(out, "    ");
    c_emit_u32(out, t.dispatch_field);
    sg_buf_add_cstr(out, ", ");
    c_emit_u32(out, t.channel_field);
    sg_buf_printf(out, ", sgm_t_buckets, %uu, sgm_t_dispatch, %uu, %uu, %uu, %uu, %uu,\n",
                  (unsigned)t.n_buckets, (unsigned)t.n_dispatch, (unsigned)t.any_present, (unsigned)t.n_any_present,
                  (unsigned)t.any_absent, (unsigned)t.n_any_absent);
    sg_buf_printf(out,
                  "    sgm_t_atoms, %uu, sgm_t_grams, %uu, sgm_t_gram_bits, sgm_t_pf, %uu, sgm_t_scan_fields, %uu,\n"
                  "    sgm_t_prefiltered, %uu, %uu, sgm_t_pred_atom,\n};\n\n/* ---- runtime ---- */\n\n",
                  (unsigned)t.n_atoms, (unsigned)(t.n_atoms ? t.gram_mask : 0), (unsigned)t.n_pf,
                  (unsigned)t.n_scan_fields, (unsigned)t.keyword_atoms, (unsigned)t.short_atoms);
    sg_buf_add(out, sg_c_runtime_body, sg_c_runtime_body_len);
    c_emit_index(out, &t, &ix);
    sgm_index_release(&ix);
    sg_buf_add_cstr(out, "\nint main(int argc, char **argv) { return sgm_main(&sgm_t, &sgm_ix, argc, argv); }\n");
    return 0;
}

/* ---- the backend interface ------------------------------------------------ */

/* Per rule: builds the rule's tables alone, to report what it cannot
 * express; the program is written for all rules at once (emit_all). */
static int c_emit_rule(sg_diags *diags, const sg_ir_rule *rule, sg_buf *out) {
    (void)out;
    sg_arena *a = sg_arena_new();
    sgm_tables t;
    const sg_ir_rule *one[1] = {rule};
    int rc = c_build_tables(a, diags, one, 1, &t);
    sg_arena_free(a);
    return rc;
}

static int c_emit_all(sg_diags *diags, const sg_ir_rule *const *rules, size_t n, sg_buf *out) {
    sg_arena *a = sg_arena_new();
    int rc = c_emit_program(a, diags, rules, n, out);
    sg_arena_free(a);
    return rc;
}

/* A C comment line: only printable ASCII other than `*` and `/` pass, so
 * the text can neither close the comment nor start a new one. */
static void c_emit_comment(sg_buf *out, sg_str text) {
    sg_buf_add_cstr(out, "/* ");
    for (size_t i = 0; i < text.len; i++) {
        char c = text.ptr[i];
        sg_buf_add_byte(out, c >= 0x20 && c < 0x7F && c != '*' && c != '/' && c != '?' && c != '\\' ? c : '_');
    }
    sg_buf_add_cstr(out, " */\n");
}

const sg_backend sg_backend_c = {"c", "standalone C matcher (one program for all rules)", ".c",
                                 c_emit_rule, c_emit_comment, c_emit_all, NULL};
