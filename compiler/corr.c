/* corr.c - Sigma 2 correlation rules, filter rules, and their resolution
 * across the whole loaded rule set. */
#include <stdio.h>
#include <string.h>

#include "rule.h"

static bool sg_str_list(sg_ruleset *rs, sg_rule *r, sg_unit *u, sg_ynode *v, const char *what, sg_str **out,
                        size_t *n, sg_ynode ***nodes) {
    if (v->kind == SG_YN_SCALAR && v->type != SG_YT_NULL) {
        *out = SG_NEW(u->arena, sg_str);
        **out = v->str;
        *n = 1;
        if (nodes) {
            *nodes = SG_NEW(u->arena, sg_ynode *);
            **nodes = v;
        }
        return true;
    }
    if (v->kind != SG_YN_SEQ || v->count == 0) {
        sg_rule_diag(rs, r, SG_D_CORRELATION, v, "'%s' must be a non-empty list of strings", what);
        return false;
    }
    *out = SG_NEW_ARRAY(u->arena, sg_str, v->count);
    if (nodes) *nodes = SG_NEW_ARRAY(u->arena, sg_ynode *, v->count);
    *n = 0;
    for (size_t i = 0; i < v->count; i++) {
        sg_ynode *it = v->items[i];
        if (it->kind != SG_YN_SCALAR || it->type == SG_YT_NULL || it->str.len == 0) {
            sg_rule_diag(rs, r, SG_D_CORRELATION, it, "items of '%s' must be non-empty strings", what);
            return false;
        }
        if (nodes) (*nodes)[*n] = it;
        (*out)[(*n)++] = it->str;
    }
    return true;
}

/* condition: {gte: N} (one comparison), with `field` for value types. */
static bool sg_corr_condition(sg_ruleset *rs, sg_rule *r, sg_ynode *c, const char *diag_what,
                              sg_diag_id id, sg_cmp_op *op, double *value, sg_str *text, sg_str *field,
                              int *percentile) {
    static const struct {
        const char *name;
        sg_cmp_op op;
    } ops[] = {{"gt", SG_CMP_GT}, {"gte", SG_CMP_GTE}, {"lt", SG_CMP_LT},
               {"lte", SG_CMP_LTE}, {"eq", SG_CMP_EQ}, {"neq", SG_CMP_NEQ}};
    if (c->kind != SG_YN_MAP) {
        sg_rule_diag(rs, r, id, c, "'%s' must be a mapping such as {gte: 10}", diag_what);
        return false;
    }
    *op = SG_CMP_NONE;
    for (size_t i = 0; i < c->count; i++) {
        sg_ynode *k = c->pairs[i].key, *v = c->pairs[i].value;
        if (sg_str_eq_cstr(k->str, "field")) {
            if (v->kind == SG_YN_SEQ && v->count == 1) v = v->items[0];
            if (!sg_ynode_is_str(v)) {
                sg_rule_diag(rs, r, id, v, "'field' must be one field name");
                return false;
            }
            if (field) *field = v->str;
            continue;
        }
        if (sg_str_eq_cstr(k->str, "percentile")) {
            if (v->kind != SG_YN_SCALAR || v->type != SG_YT_INT || v->ival < 1 || v->ival > 99) {
                sg_rule_diag(rs, r, id, v, "'percentile' must be a whole number from 1 to 99");
                return false;
            }
            if (percentile) *percentile = (int)v->ival;
            continue;
        }
        size_t j = 0;
        while (j < sizeof ops / sizeof *ops && !sg_str_eq_cstr(k->str, ops[j].name)) j++;
        if (j == sizeof ops / sizeof *ops) {
            sg_rule_diag(rs, r, id, k, "unknown key '%.*s' in %s: expected gt, gte, lt, lte, eq or neq", SG_STR_ARG(k->str),
                         diag_what);
            return false;
        }
        if (*op != SG_CMP_NONE) {
            sg_rule_diag(rs, r, id, k, "%s takes exactly one comparison", diag_what);
            return false;
        }
        /* !(x >= 0) also refuses .nan; an integer is checked as written, not
         * as the double it rounds to (2^53 + 1 is not 2^53). */
        if (v->kind != SG_YN_SCALAR || (v->type != SG_YT_INT && v->type != SG_YT_FLOAT) || v->int_overflow ||
            !(v->fval >= 0 && v->fval <= 9007199254740992.0) ||
            (v->type == SG_YT_INT && v->ival > ((int64_t)1 << 53))) {
            sg_rule_diag(rs, r, id, v, "the threshold must be a number from 0 to 2^53");
            return false;
        }
        *op = ops[j].op;
        *value = v->fval;
        *text = v->str;
    }
    if (*op == SG_CMP_NONE) {
        sg_rule_diag(rs, r, id, c, "%s needs one of gt, gte, lt, lte, eq, neq", diag_what);
        return false;
    }
    return true;
}

static const struct {
    const char *name;
    sg_agg_type type;
    bool needs_field;
} sg_corr_types[] = {
    {"event_count", SG_AGG_EVENT_COUNT, false},   {"value_count", SG_AGG_VALUE_COUNT, true},
    {"temporal", SG_AGG_TEMPORAL, false},         {"temporal_ordered", SG_AGG_TEMPORAL_ORDERED, false},
    {"value_sum", SG_AGG_VALUE_SUM, true},        {"value_avg", SG_AGG_VALUE_AVG, true},
    {"value_percentile", SG_AGG_VALUE_PERCENTILE, true}, {"value_median", SG_AGG_VALUE_MEDIAN, true},
};

void sg_rule_parse_correlation(sg_ruleset *rs, sg_unit *u, sg_rule *r) {
    sg_ynode *c = r->correlation;
    if (!c) return;
    sg_ir_agg *g = SG_NEW(u->arena, sg_ir_agg);
    g->origin = SG_ORIGIN_CORRELATION;
    g->line = c->line;
    g->col = c->col;
    bool ok = true;
    sg_ynode *type = sg_ymap_get(c, "type");
    size_t ti = 0;
    if (!type) {
        sg_rule_diag(rs, r, SG_D_CORRELATION, c, "the correlation has no 'type'");
        ok = false;
    } else {
        while (ti < sizeof sg_corr_types / sizeof *sg_corr_types && !(sg_ynode_is_str(type) && sg_str_eq_cstr(type->str, sg_corr_types[ti].name)))
            ti++;
        if (ti == sizeof sg_corr_types / sizeof *sg_corr_types) {
            sg_rule_diag(rs, r, SG_D_CORRELATION, type,
                         "unknown correlation type '%.*s': expected event_count, value_count, temporal, temporal_ordered, value_sum, value_avg, value_percentile or value_median",
                         SG_STR_ARG(type->str));
            return;
        }
        g->type = sg_corr_types[ti].type;
    }
    static const char *const known[] = {"type", "rules", "group-by", "timespan", "timeframe", "condition", "aliases", "generate"};
    for (size_t i = 0; i < c->count; i++) {
        bool k = false;
        for (size_t j = 0; j < sizeof known / sizeof *known; j++) k |= sg_str_eq_cstr(c->pairs[i].key->str, known[j]);
        if (!k)
            sg_rule_diag(rs, r, SG_D_CORRELATION, c->pairs[i].key, "unknown key '%.*s' in correlation", SG_STR_ARG(c->pairs[i].key->str));
    }
    sg_ynode *rules = sg_ymap_get(c, "rules");
    sg_ynode **rule_nodes = NULL;
    if (!rules) {
        sg_rule_diag(rs, r, SG_D_CORRELATION, c, "the correlation has no 'rules'");
        ok = false;
    } else if (!sg_str_list(rs, r, u, rules, "rules", &g->rule_refs, &g->n_rules, &rule_nodes)) {
        ok = false;
    }
    sg_ynode *gb = sg_ymap_get(c, "group-by");
    if (gb && !sg_str_list(rs, r, u, gb, "group-by", &g->group_by, &g->n_group_by, NULL)) ok = false;
    sg_ynode *ts = sg_ymap_get(c, "timespan");
    if (!ts) ts = sg_ymap_get(c, "timeframe");
    if (!ts) {
        sg_rule_diag(rs, r, SG_D_CORRELATION, c, "the correlation has no 'timespan'");
        ok = false;
    } else {
        char err[128];
        if (!sg_ynode_is_str(ts) || !sg_parse_timespan(ts->str, &g->timespan, err)) {
            sg_rule_diag(rs, r, SG_D_CORRELATION, ts, "%s", sg_ynode_is_str(ts) ? err : "'timespan' must be a string such as 1h");
            ok = false;
        }
    }
    sg_ynode *gen = sg_ymap_get(c, "generate");
    if (!gen) gen = sg_ymap_get(r->root, "generate");
    if (gen) {
        if (gen->kind != SG_YN_SCALAR || gen->type != SG_YT_BOOL) {
            sg_rule_diag(rs, r, SG_D_CORRELATION, gen, "'generate' must be true or false");
            ok = false;
        } else {
            g->generate = gen->bval;
        }
    }
    sg_ynode *cond = sg_ymap_get(c, "condition");
    bool temporal = g->type == SG_AGG_TEMPORAL || g->type == SG_AGG_TEMPORAL_ORDERED;
    if (!cond && !temporal) {
        sg_rule_diag(rs, r, SG_D_CORRELATION, c, "a %s correlation needs a 'condition'", type ? sg_corr_types[ti].name : "");
        ok = false;
    } else if (cond && temporal && sg_ynode_is_str(cond)) {
        /* Extended temporal condition: "r1 and not r2" over the rule names. */
        sg_cond parsed;
        sg_cond_error err;
        if (sg_cond_parse(u->arena, cond->str, false, &parsed, &err) != 0) {
            sg_rule_diag(rs, r, SG_D_CORRELATION, cond, "%s", err.message);
            ok = false;
        } else {
            /* Resolved into RULEREF nodes in sg_ruleset_resolve. */
            r->temporal_cond = parsed;
            r->has_temporal_cond = true;
        }
    } else if (cond) {
        sg_str field = {0};
        if (!sg_corr_condition(rs, r, cond, "the correlation condition", SG_D_CORRELATION, &g->op, &g->threshold,
                               &g->threshold_text, &field, &g->percentile))
            ok = false;
        g->field = field;
        g->threshold_is_int = g->threshold == (double)(int64_t)g->threshold;
        g->threshold_int = (int64_t)g->threshold;
    } else if (temporal) {
        g->op = SG_CMP_GTE;
        g->threshold = (double)g->n_rules;
        g->threshold_is_int = true;
        g->threshold_int = (int64_t)g->n_rules;
    }
    if (ok && type && sg_corr_types[ti].needs_field && !g->field.len) {
        sg_rule_diag(rs, r, SG_D_CORRELATION, cond ? cond : c, "a %s correlation needs 'field' in its condition", sg_corr_types[ti].name);
        ok = false;
    }
    if (ok && g->type == SG_AGG_VALUE_PERCENTILE && !g->percentile) g->percentile = 50;
    if (ok && temporal && g->n_rules < 2) {
        sg_rule_diag(rs, r, SG_D_CORRELATION, rules, "a temporal correlation needs at least two rules");
        ok = false;
    }
    sg_ynode *aliases = sg_ymap_get(c, "aliases");
    if (aliases && ok) {
        if (aliases->kind != SG_YN_MAP) {
            sg_rule_diag(rs, r, SG_D_CORRELATION, aliases, "'aliases' must map alias names to {rule: field}");
            ok = false;
        } else {
            g->aliases = SG_NEW_ARRAY(u->arena, sg_ir_alias, aliases->count ? aliases->count : 1);
            for (size_t i = 0; i < aliases->count; i++) {
                sg_ynode *an = aliases->pairs[i].value;
                sg_ir_alias *al = &g->aliases[g->n_aliases++];
                al->name = aliases->pairs[i].key->str;
                if (an->kind != SG_YN_MAP) {
                    sg_rule_diag(rs, r, SG_D_CORRELATION, an, "alias '%.*s' must map rule names to fields", SG_STR_ARG(al->name));
                    ok = false;
                    continue;
                }
                al->maps = SG_NEW_ARRAY(u->arena, sg_ir_alias_map, an->count ? an->count : 1);
                for (size_t j = 0; j < an->count; j++) {
                    sg_ynode *rk = an->pairs[j].key, *fv = an->pairs[j].value;
                    size_t idx = 0;
                    while (idx < g->n_rules && !sg_str_eq(g->rule_refs[idx], rk->str)) idx++;
                    if (idx == g->n_rules) {
                        sg_rule_diag(rs, r, SG_D_CORRELATION, rk, "alias '%.*s' names rule '%.*s', which is not in 'rules'",
                                     SG_STR_ARG(al->name), SG_STR_ARG(rk->str));
                        ok = false;
                        continue;
                    }
                    if (!sg_ynode_is_str(fv)) {
                        sg_rule_diag(rs, r, SG_D_CORRELATION, fv, "alias fields must be field names");
                        ok = false;
                        continue;
                    }
                    al->maps[al->count++] = (sg_ir_alias_map){idx, fv->str};
                }
            }
        }
    }
    if (ok) r->ir->agg = g;
    (void)rule_nodes;
}

void sg_rule_parse_filter(sg_ruleset *rs, sg_unit *u, sg_rule *r) {
    sg_ynode *f = r->filter;
    if (!f) return;
    sg_ynode *rules = sg_ymap_get(f, "rules");
    if (!rules)
        sg_rule_diag(rs, r, SG_D_FILTER, f, "the filter has no 'rules' (use 'any' or a list of rule ids)");
    else if (!(sg_ynode_is_str(rules) && sg_str_eq_cstr(rules->str, "any")) && rules->kind != SG_YN_SEQ)
        sg_rule_diag(rs, r, SG_D_FILTER, rules, "'rules' must be 'any' or a list of rule ids or names");
    else if (rules->kind == SG_YN_SEQ)
        /* An empty or non-string item would match every rule without an id or name. */
        for (size_t i = 0; i < rules->count; i++) {
            sg_ynode *it = rules->items[i];
            if (it->kind != SG_YN_SCALAR || it->type == SG_YT_NULL || it->str.len == 0)
                sg_rule_diag(rs, r, SG_D_FILTER, it, "items of 'rules' must be non-empty rule ids or names");
        }
    /* The filter's own selections and condition lower like a detection. */
    r->detection = f;
    sg_rule_parse_detection(rs, u, r);
    if (r->ir->agg) {
        sg_rule_diag(rs, r, SG_D_FILTER, f, "a filter cannot aggregate");
        r->ir->agg = NULL;
    }
}

/* ---- resolution across the rule set ---- */

static sg_rule *sg_find_rule(sg_ruleset *rs, sg_str ref) {
    for (size_t i = 0; i < rs->n_rules; i++) {
        sg_ir_meta *m = &rs->rules[i]->ir->meta;
        if (sg_str_eq(m->id, ref) || sg_str_eq(m->name, ref)) return rs->rules[i];
    }
    return NULL;
}

static bool sg_ls_covers(sg_str filter, sg_str rule) { return !filter.ptr || sg_str_eq(filter, rule); }

static sg_ir_expr *sg_temporal_to_ir(sg_arena *a, const sg_cond_node *c, const sg_ir_agg *g, sg_str *missing) {
    switch (c->kind) {
    case SG_COND_IDENT:
        for (size_t i = 0; i < g->n_rules; i++)
            if (sg_str_eq(g->rule_refs[i], c->name)) {
                sg_ir_expr *e = sg_ir_new(a, SG_IR_RULEREF, g->line, g->col);
                e->rule_index = i;
                return e;
            }
        *missing = c->name;
        return NULL;
    case SG_COND_AND:
    case SG_COND_OR: {
        /* Chains are gathered iteratively (see sg_cond_to_ir in detect.c). */
        size_t n = 1;
        for (const sg_cond_node *x = c; x->kind == c->kind; x = x->left) n++;
        sg_ir_expr **kids = SG_NEW_ARRAY(a, sg_ir_expr *, n);
        const sg_cond_node *x = c;
        for (size_t i = n - 1; i > 0; i--, x = x->left)
            if (!(kids[i] = sg_temporal_to_ir(a, x->right, g, missing))) return NULL;
        if (!(kids[0] = sg_temporal_to_ir(a, x, g, missing))) return NULL;
        return sg_ir_new_nary(a, c->kind == SG_COND_AND ? SG_IR_AND : SG_IR_OR, kids, n, g->line, g->col);
    }
    case SG_COND_NOT: {
        sg_ir_expr *k = sg_temporal_to_ir(a, c->left, g, missing);
        return k ? sg_ir_new_not(a, k) : NULL;
    }
    default:
        *missing = (sg_str){"1 of / all of", 13};
        return NULL;
    }
}

/* Marks the rules a temporal condition names (its depth is bounded by the condition parser). */
static void sg_mark_rulerefs(const sg_ir_expr *e, bool *used) {
    if (e->kind == SG_IR_RULEREF) used[e->rule_index] = true;
    for (size_t i = 0; i < e->count; i++) sg_mark_rulerefs(e->kids[i], used);
}

int sg_ruleset_resolve(sg_ruleset *rs) {
    size_t errors_before = rs->diags->by_severity[SG_SEV_ERROR];
    for (size_t i = 0; i < rs->n_rules; i++) {
        sg_rule *r = rs->rules[i];
        if (r->kind != SG_RULE_CORRELATION || !r->ir->agg) continue;
        sg_ir_agg *g = r->ir->agg;
        sg_ynode *rules = sg_ymap_get(r->correlation, "rules");
        g->rules = SG_NEW_ARRAY(rs->arena, sg_ir_rule *, g->n_rules);
        for (size_t j = 0; j < g->n_rules; j++) {
            sg_rule *t = sg_find_rule(rs, g->rule_refs[j]);
            sg_ynode *at = rules && rules->kind == SG_YN_SEQ ? rules->items[j] : rules;
            if (!t) {
                sg_rule_diag(rs, r, SG_D_REFERENCE, at, "correlation names rule '%.*s', which is not among the loaded rules",
                             SG_STR_ARG(g->rule_refs[j]));
                continue;
            }
            if (t == r) {
                sg_rule_diag(rs, r, SG_D_REFERENCE, at, "a correlation cannot reference itself");
                continue;
            }
            g->rules[j] = t->ir;
            if (!g->generate) t->ir->suppressed = true;
        }
        if (r->has_temporal_cond) {
            sg_str missing = {0};
            g->temporal_condition = sg_temporal_to_ir(rs->arena, r->temporal_cond.expr, g, &missing);
            if (!g->temporal_condition) {
                sg_rule_diag(rs, r, SG_D_CORRELATION, sg_ymap_get(r->correlation, "condition"),
                             "the temporal condition names '%.*s', which is not in 'rules'", SG_STR_ARG(missing));
            } else {
                /* As in pySigma, every listed rule must appear in the condition. */
                bool *used = SG_NEW_ARRAY(rs->arena, bool, g->n_rules);
                sg_mark_rulerefs(g->temporal_condition, used);
                for (size_t j = 0; j < g->n_rules; j++)
                    if (!used[j])
                        sg_rule_diag(rs, r, SG_D_CORRELATION,
                                     rules && rules->kind == SG_YN_SEQ ? rules->items[j] : rules,
                                     "rule '%.*s' is in 'rules' but not in the temporal condition",
                                     SG_STR_ARG(g->rule_refs[j]));
            }
        }
    }
    /* Filters: AND the filter's condition into every rule it covers. */
    for (size_t fi = 0; fi < rs->n_rules; fi++) {
        sg_rule *f = rs->rules[fi];
        if (f->kind != SG_RULE_FILTER || f->has_errors || !f->ir->expr) continue;
        sg_ynode *rules = sg_ymap_get(f->filter, "rules");
        bool any = !rules || (sg_ynode_is_str(rules) && sg_str_eq_cstr(rules->str, "any")) ||
                   (rules->kind == SG_YN_SEQ && rules->count == 0);
        const sg_logsource *fl = &f->ir->meta.logsource;
        for (size_t ri = 0; ri < rs->n_rules; ri++) {
            sg_rule *r = rs->rules[ri];
            if (r->kind != SG_RULE_DETECTION || !r->ir->expr) continue;
            const sg_logsource *rl = &r->ir->meta.logsource;
            if (!sg_ls_covers(fl->category, rl->category) || !sg_ls_covers(fl->product, rl->product) ||
                !sg_ls_covers(fl->service, rl->service))
                continue;
            bool named = any;
            for (size_t k = 0; !named && rules->kind == SG_YN_SEQ && k < rules->count; k++) {
                sg_str ref = rules->items[k]->str;
                named = sg_str_eq(ref, r->ir->meta.id) || sg_str_eq(ref, r->ir->meta.name);
            }
            if (!named) continue;
            sg_ir_expr *kids[2] = {r->ir->expr, f->ir->expr};
            r->ir->expr = sg_ir_new_nary(rs->arena, SG_IR_AND, kids, 2, r->ir->expr->line, r->ir->expr->col);
        }
    }
    return rs->diags->by_severity[SG_SEV_ERROR] > errors_before ? -1 : 0;
}
