/* threshold.c - sigc's threshold extension and placeholder fill-in.
 *
 * Some published rules carry a placeholder detection: a selection that can
 * only match everything (`EventID: '*'`), written because the real logic -
 * "N events per group within T" - had no plain Sigma form.  Compiled as is,
 * such a rule alerts on every event.
 *
 * The extension is a rule-level block in the vocabulary of Sigma 2
 * correlations:
 *
 *   threshold:
 *     type: event_count          # or value_count (with field)
 *     group-by: [SourceIp]
 *     timespan: 1m
 *     condition: {gte: 100}      # value_count: {gte: 20, field: DestinationPort}
 *
 * On a rule with a real detection it thresholds that detection.  On a
 * placeholder it replaces the match-everything search: the rule becomes a
 * threshold aggregation over its log source.  When the rule has no block,
 * the defaults file (compiler/data/thresholds.yml) is searched by ATT&CK tag
 * and log source.  When nothing supplies a threshold, the placeholder is an
 * error: sigc never emits an alert-on-everything query.
 */
#include <string.h>

#include "rule.h"

__attribute__((format(printf, 4, 5))) static void sg_threshold_err(sg_ruleset *rs, const char *file,
                                                                   const sg_ynode *at, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    sg_diag_vadd(rs->diags, SG_D_THRESHOLD, SG_SEV_ERROR, sg_ynode_loc(file, at), fmt, ap);
    va_end(ap);
}

bool sg_threshold_parse(sg_ruleset *rs, const char *file, sg_ynode *node, sg_threshold *out) {
    memset(out, 0, sizeof *out);
    out->node = node;
    out->type = SG_AGG_EVENT_COUNT;
    if (!node || node->kind != SG_YN_MAP) {
        sg_threshold_err(rs, file, node, "'threshold' must be a mapping");
        return false;
    }
    bool ok = true, have_ts = false, have_cond = false;
    for (size_t i = 0; i < node->count; i++) {
        sg_ynode *k = node->pairs[i].key, *v = node->pairs[i].value;
        if (sg_str_eq_cstr(k->str, "type")) {
            if (sg_ynode_is_str(v) && sg_str_eq_cstr(v->str, "event_count")) out->type = SG_AGG_EVENT_COUNT;
            else if (sg_ynode_is_str(v) && sg_str_eq_cstr(v->str, "value_count")) out->type = SG_AGG_VALUE_COUNT;
            else {
                sg_threshold_err(rs, file, v, "threshold type '%.*s' is not event_count or value_count", SG_STR_ARG(v->str));
                ok = false;
            }
        } else if (sg_str_eq_cstr(k->str, "field")) {
            if (!sg_ynode_is_str(v) || !v->str.len) {
                sg_threshold_err(rs, file, v, "threshold 'field' must be a field name");
                ok = false;
            } else {
                out->field = v->str;
            }
        } else if (sg_str_eq_cstr(k->str, "group-by")) {
            size_t n = v->kind == SG_YN_SEQ ? v->count : 1;
            sg_ynode **items = v->kind == SG_YN_SEQ ? v->items : &node->pairs[i].value;
            out->group_by = SG_NEW_ARRAY(rs->arena, sg_str, n ? n : 1);
            for (size_t j = 0; j < n; j++) {
                if (!sg_ynode_is_str(items[j]) || !items[j]->str.len) {
                    sg_threshold_err(rs, file, items[j], "threshold 'group-by' must list field names");
                    ok = false;
                    break;
                }
                out->group_by[out->n_group_by++] = items[j]->str;
            }
        } else if (sg_str_eq_cstr(k->str, "timespan")) {
            char err[128];
            have_ts = true;
            if (!sg_ynode_is_str(v) || !sg_parse_timespan(v->str, &out->timespan, err)) {
                sg_diag_add(rs->diags, SG_D_THRESHOLD, sg_ynode_loc(file, v), "%s",
                            sg_ynode_is_str(v) ? err : "threshold 'timespan' must be a string such as 1m");
                ok = false;
            }
        } else if (sg_str_eq_cstr(k->str, "condition")) {
            static const struct {
                const char *name;
                sg_cmp_op op;
            } ops[] = {{"gt", SG_CMP_GT}, {"gte", SG_CMP_GTE}, {"lt", SG_CMP_LT}, {"lte", SG_CMP_LTE}, {"eq", SG_CMP_EQ}};
            have_cond = true;
            if (v->kind != SG_YN_MAP || v->count != 1) {
                sg_threshold_err(rs, file, v, "threshold 'condition' must be one comparison such as {gte: 100}");
                ok = false;
                continue;
            }
            sg_ynode *ck = v->pairs[0].key, *cv = v->pairs[0].value;
            size_t j = 0;
            while (j < sizeof ops / sizeof *ops && !sg_str_eq_cstr(ck->str, ops[j].name)) j++;
            if (j == sizeof ops / sizeof *ops) {
                sg_threshold_err(rs, file, ck, "unknown comparison '%.*s': use gt, gte, lt, lte or eq", SG_STR_ARG(ck->str));
                ok = false;
            } else if (cv->kind != SG_YN_SCALAR || cv->type != SG_YT_INT || cv->int_overflow || cv->ival < 0 ||
                       cv->ival > ((int64_t)1 << 53)) {
                sg_threshold_err(rs, file, cv, "the threshold must be a whole number from 0 to 2^53, not '%.*s'", SG_STR_ARG(cv->str));
                ok = false;
            } else {
                out->op = ops[j].op;
                out->value = (double)cv->ival;
                out->value_text = cv->str;
            }
        } else {
            sg_threshold_err(rs, file, k, "unknown key '%.*s' in threshold: expected type, field, group-by, timespan, condition", SG_STR_ARG(k->str));
            ok = false;
        }
    }
    if (!have_ts) {
        sg_threshold_err(rs, file, node, "the threshold has no 'timespan'");
        ok = false;
    }
    if (!have_cond) {
        sg_threshold_err(rs, file, node, "the threshold has no 'condition'");
        ok = false;
    }
    if (ok && out->type == SG_AGG_VALUE_COUNT && !out->field.len) {
        sg_threshold_err(rs, file, node, "a value_count threshold needs 'field'");
        ok = false;
    }
    out->set = ok;
    return ok;
}

/* True when e can only match every event that has the fields it names:
 * a predicate whose pattern is only `*`, and AND/OR built from such. */
static bool sg_expr_match_all(const sg_ir_expr *e) {
    if (!e) return false;
    switch (e->kind) {
    case SG_IR_TRUE: return true;
    case SG_IR_PRED: {
        const sg_ir_pred *p = e->pred;
        if (p->op != SG_OP_GLOB || p->has_placeholder || !p->pattern.n) return false;
        for (size_t i = 0; i < p->pattern.n; i++)
            if (p->pattern.parts[i].kind != SG_SP_STAR) return false;
        return true;
    }
    case SG_IR_AND:
        for (size_t i = 0; i < e->count; i++)
            if (!sg_expr_match_all(e->kids[i])) return false;
        return true;
    case SG_IR_OR:
        for (size_t i = 0; i < e->count; i++)
            if (sg_expr_match_all(e->kids[i])) return true;
        return false;
    default: return false;
    }
}

static sg_ir_agg *sg_threshold_to_agg(sg_arena *a, const sg_threshold *t, sg_agg_origin origin) {
    sg_ir_agg *g = SG_NEW(a, sg_ir_agg);
    g->type = t->type;
    g->origin = origin;
    g->field = t->field;
    g->group_by = t->group_by;
    g->n_group_by = t->n_group_by;
    g->timespan = t->timespan;
    g->op = t->op;
    g->threshold = t->value;
    g->threshold_text = t->value_text;
    g->threshold_is_int = true;
    g->threshold_int = (int64_t)t->value;
    g->line = t->node ? t->node->line : 0;
    g->col = t->node ? t->node->col : 0;
    return g;
}

static bool sg_default_matches(const sg_threshold_default *d, const sg_ir_meta *m) {
    bool tag = false;
    for (size_t i = 0; i < m->tags.count && !tag; i++) tag = sg_str_ieq(m->tags.items[i], d->tag);
    if (!tag) return false;
    const sg_logsource *want = &d->logsource, *have = &m->logsource;
    return (!want->category.ptr || sg_str_eq(want->category, have->category)) &&
           (!want->product.ptr || sg_str_eq(want->product, have->product)) &&
           (!want->service.ptr || sg_str_eq(want->service, have->service));
}

void sg_threshold_apply(sg_ruleset *rs, sg_unit *u, sg_rule *r) {
    sg_ir_rule *ir = r->ir;
    if (r->has_errors || !ir->expr) return;
    sg_ynode *block = sg_ymap_get(r->root, "threshold");
    if (block && !r->threshold.set) {
        r->has_errors = true; /* reported by sg_threshold_parse */
        return;
    }
    r->placeholder = sg_expr_match_all(ir->expr) && !ir->agg;
    if (!r->placeholder) {
        if (!r->threshold.set) return;
        if (ir->agg) {
            sg_rule_diag(rs, r, SG_D_THRESHOLD, block, "the rule already aggregates in its condition; remove one of the two");
            return;
        }
        ir->agg = sg_threshold_to_agg(u->arena, &r->threshold, SG_ORIGIN_THRESHOLD);
        return;
    }
    const sg_threshold *t = r->threshold.set ? &r->threshold : NULL;
    const sg_threshold_default *d = NULL;
    for (size_t i = 0; !t && i < rs->n_defaults; i++)
        if (sg_default_matches(&rs->defaults[i], &ir->meta)) {
            d = &rs->defaults[i];
            t = &d->threshold;
        }
    sg_ynode *det = r->detection;
    if (!t) {
        sg_rule_diag(rs, r, SG_D_PLACEHOLDER_DETECTION, det,
                     "the detection matches every event (a placeholder); add a 'threshold' block or a defaults entry for its tags and log source");
        return;
    }
    ir->expr = sg_ir_new(u->arena, SG_IR_TRUE, det->line, det->col);
    ir->agg = sg_threshold_to_agg(u->arena, t, SG_ORIGIN_PLACEHOLDER);
    sg_buf desc;
    sg_buf_init(&desc);
    sg_buf_printf(&desc, "%s", t->type == SG_AGG_VALUE_COUNT ? "distinct " : "");
    if (t->type == SG_AGG_VALUE_COUNT) sg_buf_printf(&desc, "%.*s ", SG_STR_ARG(t->field));
    sg_buf_printf(&desc, "count %s %.*s", sg_cmp_op_text(t->op), SG_STR_ARG(t->value_text));
    if (t->n_group_by) {
        sg_buf_add_cstr(&desc, " per");
        for (size_t i = 0; i < t->n_group_by; i++)
            sg_buf_printf(&desc, "%s %.*s", i ? "," : "", SG_STR_ARG(t->group_by[i]));
    }
    sg_buf_printf(&desc, " within %llds", (long long)t->timespan);
    if (d)
        sg_rule_diag(rs, r, SG_D_PLACEHOLDER_FILLED, det,
                     "placeholder detection filled in from the threshold defaults (%s:%u, tag %.*s): %s", d->file, d->line,
                     SG_STR_ARG(d->tag), desc.data);
    else
        sg_rule_diag(rs, r, SG_D_PLACEHOLDER_FILLED, det, "placeholder detection filled in from the rule's threshold block: %s",
                     desc.data);
    sg_buf_free(&desc);
}

int sg_ruleset_load_defaults(sg_ruleset *rs, const char *path, const char *data, size_t len) {
    size_t errors_before = rs->diags->by_severity[SG_SEV_ERROR];
    sg_ydoc *docs;
    size_t ndocs;
    if (sg_yaml_load(rs->arena, path, data, len, &rs->opts.yaml, rs->diags, &docs, &ndocs) != 0) return -1;
    sg_ynode *root = ndocs ? docs[0].root : NULL;
    sg_ynode *list = sg_ymap_get(root, "defaults");
    if (!list || list->kind != SG_YN_SEQ) {
        sg_diag_add(rs->diags, SG_D_THRESHOLD, sg_ynode_loc(path, root), "the threshold defaults file needs a 'defaults' list");
        return -1;
    }
    for (size_t i = 0; i < list->count; i++) {
        sg_ynode *e = list->items[i];
        sg_ynode *tags = sg_ymap_get(e, "tags"), *ls = sg_ymap_get(e, "logsource"), *th = sg_ymap_get(e, "threshold");
        if (!tags || tags->kind != SG_YN_SEQ || !th) {
            sg_diag_add(rs->diags, SG_D_THRESHOLD, sg_ynode_loc(path, e), "a defaults entry needs 'tags' (a list) and 'threshold'");
            continue;
        }
        sg_threshold t;
        if (!sg_threshold_parse(rs, path, th, &t)) continue;
        sg_logsource l = {0};
        if (ls && ls->kind == SG_YN_MAP) {
            sg_ynode *c = sg_ymap_get(ls, "category"), *p = sg_ymap_get(ls, "product"), *s = sg_ymap_get(ls, "service");
            if (sg_ynode_is_str(c)) l.category = c->str;
            if (sg_ynode_is_str(p)) l.product = p->str;
            if (sg_ynode_is_str(s)) l.service = s->str;
        }
        for (size_t j = 0; j < tags->count; j++) {
            if (!sg_ynode_is_str(tags->items[j])) continue;
            rs->defaults = sg_xrealloc(rs->defaults, (rs->n_defaults + 1) * sizeof *rs->defaults);
            rs->defaults[rs->n_defaults++] = (sg_threshold_default){tags->items[j]->str, l, t, path, e->line};
        }
    }
    return rs->diags->by_severity[SG_SEV_ERROR] > errors_before ? -1 : 0;
}
