/* pipeline.c - loading pipeline files and applying them to the IR (see
 * pipeline.h).  Applying never changes the rule's own IR: renamed
 * predicates are copies, and every node above a copy is a copy, so
 * subtrees that two rules share (a filter, a search named twice) stay
 * intact. */
#include "pipeline.h"

#include <stdio.h>
#include <string.h>

/* ---- loading ---- */

static bool sg_pipe_str(sg_ruleset *rs, const char *file, sg_ynode *n, const char *what, sg_str *out) {
    if (!sg_ynode_is_str(n) || !n->str.len) {
        sg_diag_add(rs->diags, SG_D_PIPELINE, sg_ynode_loc(file, n), "'%s' must be a non-empty string", what);
        return false;
    }
    *out = n->str;
    return true;
}

static bool sg_pipe_fields(sg_ruleset *rs, const char *file, sg_ynode *map, sg_field_map **out, size_t *n) {
    if (map->kind != SG_YN_MAP) {
        sg_diag_add(rs->diags, SG_D_PIPELINE, sg_ynode_loc(file, map), "'fields' must map Sigma fields to target fields");
        return false;
    }
    *out = SG_NEW_ARRAY(rs->arena, sg_field_map, map->count ? map->count : 1);
    *n = 0;
    for (size_t i = 0; i < map->count; i++) {
        sg_ynode *v = map->pairs[i].value;
        sg_field_map *f = &(*out)[(*n)++];
        f->from = map->pairs[i].key->str;
        size_t cnt = v->kind == SG_YN_SEQ ? v->count : 1;
        sg_ynode **items = v->kind == SG_YN_SEQ ? v->items : &map->pairs[i].value;
        if (!cnt) {
            sg_diag_add(rs->diags, SG_D_PIPELINE, sg_ynode_loc(file, v), "field '%.*s' maps to an empty list",
                        SG_STR_ARG(f->from));
            return false;
        }
        f->to = SG_NEW_ARRAY(rs->arena, sg_str, cnt);
        for (size_t j = 0; j < cnt; j++)
            if (!sg_pipe_str(rs, file, items[j], "a target field", &f->to[f->n_to++])) return false;
    }
    return true;
}

/* A key that takes one of two words (a scalar, so `true` and `false` count):
 * *second is whether it is the second. */
static bool sg_pipe_choice(sg_ruleset *rs, const char *file, sg_ynode *v, const char *key, const char *first,
                           const char *second, bool *is_second) {
    if (v->kind == SG_YN_SCALAR && (sg_str_eq_cstr(v->str, first) || sg_str_eq_cstr(v->str, second))) {
        *is_second = sg_str_eq_cstr(v->str, second);
        return true;
    }
    sg_diag_add(rs->diags, SG_D_PIPELINE, sg_ynode_loc(file, v), "'%s' must be %s or %s", key, first, second);
    return false;
}

static bool sg_pipe_hashes_parse(sg_ruleset *rs, const char *file, sg_ynode *v, sg_pipe_hashes *out) {
    sg_ynode *f = sg_ymap_get(v, "field"), *a = sg_ymap_get(v, "algorithms");
    if (v->kind != SG_YN_MAP || !f || !a || v->count != 2) {
        sg_diag_add(rs->diags, SG_D_PIPELINE, sg_ynode_loc(file, v), "'hashes' needs exactly 'field' and 'algorithms'");
        return false;
    }
    return sg_pipe_str(rs, file, f, "hashes field", &out->field) &&
           sg_pipe_fields(rs, file, a, &out->algorithms, &out->n_algorithms);
}

static bool sg_pipe_values_parse(sg_ruleset *rs, const char *file, sg_ynode *v, sg_value_map **out, size_t *n) {
    if (v->kind != SG_YN_MAP) {
        sg_diag_add(rs->diags, SG_D_PIPELINE, sg_ynode_loc(file, v), "'values' must map fields to {value: target value}");
        return false;
    }
    *out = SG_NEW_ARRAY(rs->arena, sg_value_map, v->count ? v->count : 1);
    *n = 0;
    for (size_t i = 0; i < v->count; i++) {
        sg_value_map *m = &(*out)[(*n)++];
        m->field = v->pairs[i].key->str;
        if (!sg_pipe_fields(rs, file, v->pairs[i].value, &m->values, &m->n_values)) return false;
    }
    return true;
}

/* `computed:` (column name) and `members:` (field prefix) -> one expression. */
static bool sg_pipe_exprs_parse(sg_ruleset *rs, const char *file, sg_ynode *v, const char *what, sg_field_map **out,
                                size_t *n) {
    if (!sg_pipe_fields(rs, file, v, out, n)) return false;
    for (size_t i = 0; i < *n; i++)
        if ((*out)[i].n_to != 1) {
            sg_diag_add(rs->diags, SG_D_PIPELINE, sg_ynode_loc(file, v->pairs[i].value), "%s '%.*s' needs exactly one expression",
                        what, SG_STR_ARG((*out)[i].from));
            return false;
        }
    return true;
}

/* `prelude:` and `text:`: one string or a list of them. */
static bool sg_pipe_strs_parse(sg_ruleset *rs, const char *file, sg_ynode *v, sg_ynode *const *slot, const char *what,
                               sg_str **out, size_t *n) {
    size_t cnt = v->kind == SG_YN_SEQ ? v->count : 1;
    sg_ynode *const *items = v->kind == SG_YN_SEQ ? v->items : slot;
    *out = SG_NEW_ARRAY(rs->arena, sg_str, cnt ? cnt : 1);
    for (size_t j = 0; j < cnt; j++)
        if (!sg_pipe_str(rs, file, items[j], what, &(*out)[(*n)++])) return false;
    return true;
}

/* `unpackers:` {NAME: {prelude: [...], bag: B}}: what several log sources
 * share to unpack one table's packed data, named once. */
typedef struct sg_pipe_unpacker {
    sg_str name;
    sg_str *prelude;
    size_t n_prelude;
    sg_str bag;
} sg_pipe_unpacker;

static bool sg_pipe_unpackers_parse(sg_ruleset *rs, const char *file, sg_ynode *v, sg_pipe_unpacker **out, size_t *n) {
    if (v->kind != SG_YN_MAP) {
        sg_diag_add(rs->diags, SG_D_PIPELINE, sg_ynode_loc(file, v), "'unpackers' must map names to {prelude, bag}");
        return false;
    }
    *out = SG_NEW_ARRAY(rs->arena, sg_pipe_unpacker, v->count ? v->count : 1);
    for (size_t i = 0; i < v->count; i++) {
        sg_pipe_unpacker *u = &(*out)[(*n)++];
        u->name = v->pairs[i].key->str;
        sg_ynode *e = v->pairs[i].value;
        sg_ypair *pre = sg_ymap_get_pair(e, "prelude");
        sg_ynode *bag = sg_ymap_get(e, "bag");
        if (e->kind != SG_YN_MAP || !pre || !bag || e->count != 2) {
            sg_diag_add(rs->diags, SG_D_PIPELINE, sg_ynode_loc(file, e), "unpacker '%.*s' needs exactly 'prelude' and 'bag'",
                        SG_STR_ARG(u->name));
            return false;
        }
        if (!sg_pipe_strs_parse(rs, file, pre->value, &pre->value, "a prelude stage", &u->prelude, &u->n_prelude) ||
            !sg_pipe_str(rs, file, bag, "bag", &u->bag))
            return false;
    }
    return true;
}

/* `unpack: NAME`: the named unpacker's prelude and bag. */
static bool sg_pipe_unpack(sg_ruleset *rs, const char *file, sg_ynode *v, const sg_pipe_unpacker *u, size_t n,
                           sg_pipe_source *src) {
    for (size_t i = 0; sg_ynode_is_str(v) && i < n; i++)
        if (sg_str_eq(u[i].name, v->str)) {
            src->prelude = u[i].prelude;
            src->n_prelude = u[i].n_prelude;
            src->bag = u[i].bag;
            return true;
        }
    sg_diag_add(rs->diags, SG_D_PIPELINE, sg_ynode_loc(file, v), "'unpack' names no entry of the pipeline's 'unpackers'");
    return false;
}

static void sg_pipe_logsource(sg_ynode *m, sg_logsource *ls) {
    sg_ynode *c = sg_ymap_get(m, "category"), *p = sg_ymap_get(m, "product"), *s = sg_ymap_get(m, "service");
    if (sg_ynode_is_str(c)) ls->category = c->str;
    if (sg_ynode_is_str(p)) ls->product = p->str;
    if (sg_ynode_is_str(s)) ls->service = s->str;
}

sg_pipeline *sg_pipeline_load(sg_ruleset *rs, const char *file, const char *data, size_t len, bool builtin) {
    sg_ydoc *docs;
    size_t ndocs;
    if (sg_yaml_load(rs->arena, file, data, len, &rs->opts.yaml, rs->diags, &docs, &ndocs) != 0) return NULL;
    sg_ynode *root = ndocs ? docs[0].root : NULL;
    if (!root || root->kind != SG_YN_MAP) {
        sg_diag_add(rs->diags, SG_D_PIPELINE, (sg_loc){file, 1, 1}, "a pipeline file must be a mapping");
        return NULL;
    }
    sg_pipeline *p = SG_NEW(rs->arena, sg_pipeline);
    p->file = file;
    p->builtin = builtin;
    bool ok = true;
    /* A pseudo-rule so condition errors are reported in the pipeline file. */
    sg_rule *pr = SG_NEW(rs->arena, sg_rule);
    pr->file = file;
    pr->ir = SG_NEW(rs->arena, sg_ir_rule);
    pr->ir->meta.file = file;
    sg_pipe_unpacker *unpackers = NULL;
    size_t n_unpackers = 0;
    sg_ynode *unpackers_node = sg_ymap_get(root, "unpackers");
    if (unpackers_node && !sg_pipe_unpackers_parse(rs, file, unpackers_node, &unpackers, &n_unpackers)) return NULL;
    for (size_t i = 0; i < root->count; i++) {
        sg_ynode *k = root->pairs[i].key, *v = root->pairs[i].value;
        if (sg_str_eq_cstr(k->str, "name")) ok &= sg_pipe_str(rs, file, v, "name", &p->name);
        else if (sg_str_eq_cstr(k->str, "description")) ok &= sg_pipe_str(rs, file, v, "description", &p->description);
        else if (sg_str_eq_cstr(k->str, "timestamp")) ok &= sg_pipe_str(rs, file, v, "timestamp", &p->timestamp);
        else if (sg_str_eq_cstr(k->str, "unpackers")) continue; /* read above */
        else if (sg_str_eq_cstr(k->str, "target")) {
            size_t cnt = v->kind == SG_YN_SEQ ? v->count : 1;
            sg_ynode **items = v->kind == SG_YN_SEQ ? v->items : &root->pairs[i].value;
            p->targets = SG_NEW_ARRAY(rs->arena, sg_str, cnt ? cnt : 1);
            for (size_t j = 0; j < cnt; j++) ok &= sg_pipe_str(rs, file, items[j], "target", &p->targets[p->n_targets++]);
        } else if (sg_str_eq_cstr(k->str, "fields")) {
            ok &= sg_pipe_fields(rs, file, v, &p->fields, &p->n_fields);
        } else if (sg_str_eq_cstr(k->str, "hashes")) {
            ok &= sg_pipe_hashes_parse(rs, file, v, &p->hashes);
        } else if (sg_str_eq_cstr(k->str, "event-names")) {
            sg_field_map *names = NULL;
            size_t n_names = 0;
            if (sg_pipe_fields(rs, file, v, &names, &n_names)) {
                p->event_names = SG_NEW_ARRAY(rs->arena, sg_ir_event_name, n_names ? n_names : 1);
                for (size_t j = 0; j < n_names; j++)
                    p->event_names[j] = (sg_ir_event_name){names[j].from, names[j].to, names[j].n_to};
                p->n_event_names = n_names;
            } else {
                ok = false;
            }
        } else if (sg_str_eq_cstr(k->str, "unmapped")) {
            ok &= sg_pipe_choice(rs, file, v, "unmapped", "keep", "error", &p->strict);
        } else if (sg_str_eq_cstr(k->str, "placement")) {
            ok &= sg_pipe_choice(rs, file, v, "placement", "first", "all", &p->place_all);
        } else if (sg_str_eq_cstr(k->str, "unplaced")) {
            ok &= sg_pipe_choice(rs, file, v, "unplaced", "error", "fields-only", &p->unplaced_fields_only);
        } else if (sg_str_eq_cstr(k->str, "logsources")) {
            if (v->kind != SG_YN_SEQ) {
                sg_diag_add(rs->diags, SG_D_PIPELINE, sg_ynode_loc(file, v), "'logsources' must be a list");
                ok = false;
                continue;
            }
            p->sources = SG_NEW_ARRAY(rs->arena, sg_pipe_source, v->count ? v->count : 1);
            for (size_t j = 0; j < v->count; j++) {
                sg_ynode *e = v->items[j];
                sg_pipe_source *src = &p->sources[p->n_sources++];
                src->line = e->line;
                sg_ynode *m = e->kind == SG_YN_MAP ? sg_ymap_get(e, "match") : NULL;
                sg_ynode *fb = e->kind == SG_YN_MAP ? sg_ymap_get(e, "fallback") : NULL;
                bool may_be_empty = fb && fb->kind == SG_YN_SCALAR && sg_str_eq_cstr(fb->str, "true");
                if (e->kind != SG_YN_MAP || !m || m->kind != SG_YN_MAP || (!m->count && !may_be_empty)) {
                    sg_diag_add(rs->diags, SG_D_PIPELINE, sg_ynode_loc(file, e),
                                "a logsources entry needs 'match' with category, product or service (only a fallback entry may match every rule: match: {})");
                    ok = false;
                    continue;
                }
                for (size_t q = 0; q < m->count; q++) {
                    sg_ynode *mk = m->pairs[q].key;
                    if (!sg_str_eq_cstr(mk->str, "category") && !sg_str_eq_cstr(mk->str, "product") &&
                        !sg_str_eq_cstr(mk->str, "service")) {
                        sg_diag_add(rs->diags, SG_D_PIPELINE, sg_ynode_loc(file, mk),
                                    "'match' takes category, product and service, not '%.*s'", SG_STR_ARG(mk->str));
                        ok = false;
                    }
                }
                sg_pipe_logsource(m, &src->match);
                for (size_t q = 0; q < e->count; q++) {
                    sg_ynode *ek = e->pairs[q].key, *ev = e->pairs[q].value;
                    if (sg_str_eq_cstr(ek->str, "match")) continue;
                    if (sg_str_eq_cstr(ek->str, "table")) ok &= sg_pipe_str(rs, file, ev, "table", &src->table);
                    else if (sg_str_eq_cstr(ek->str, "fields")) ok &= sg_pipe_fields(rs, file, ev, &src->fields, &src->n_fields);
                    else if (sg_str_eq_cstr(ek->str, "hashes")) ok &= sg_pipe_hashes_parse(rs, file, ev, &src->hashes);
                    else if (sg_str_eq_cstr(ek->str, "values"))
                        ok &= sg_pipe_values_parse(rs, file, ev, &src->value_maps, &src->n_value_maps);
                    else if (sg_str_eq_cstr(ek->str, "computed"))
                        ok &= sg_pipe_exprs_parse(rs, file, ev, "computed column", &src->computed, &src->n_computed);
                    else if (sg_str_eq_cstr(ek->str, "members"))
                        ok &= sg_pipe_exprs_parse(rs, file, ev, "members prefix", &src->members, &src->n_members);
                    else if (sg_str_eq_cstr(ek->str, "prelude"))
                        ok &= sg_pipe_strs_parse(rs, file, ev, &e->pairs[q].value, "a prelude stage", &src->prelude,
                                                 &src->n_prelude);
                    else if (sg_str_eq_cstr(ek->str, "text"))
                        ok &= sg_pipe_strs_parse(rs, file, ev, &e->pairs[q].value, "a text column", &src->text, &src->n_text);
                    else if (sg_str_eq_cstr(ek->str, "bag")) ok &= sg_pipe_str(rs, file, ev, "bag", &src->bag);
                    else if (sg_str_eq_cstr(ek->str, "fallback")) {
                        bool not_fallback = true;
                        ok &= sg_pipe_choice(rs, file, ev, "fallback", "true", "false", &not_fallback);
                        src->fallback = !not_fallback;
                    }
                    else if (sg_str_eq_cstr(ek->str, "unpack"))
                        ok &= sg_pipe_unpack(rs, file, ev, unpackers, n_unpackers, src);
                    else if (sg_str_eq_cstr(ek->str, "conditions")) {
                        src->conditions = sg_detect_lower_map(rs, pr, rs->arena, ev);
                        if (!src->conditions) ok = false;
                    } else {
                        sg_diag_add(rs->diags, SG_D_PIPELINE, sg_ynode_loc(file, ek),
                                    "unknown key '%.*s' in a logsources entry (match, fallback, table, conditions, fields, values, hashes, computed, members, text, prelude, bag, unpack)",
                                    SG_STR_ARG(ek->str));
                        ok = false;
                    }
                }
            }
        } else {
            sg_diag_add(rs->diags, SG_D_PIPELINE, sg_ynode_loc(file, k),
                        "unknown key '%.*s' in a pipeline (name, target, description, timestamp, logsources, placement, unplaced, fields, hashes, unmapped, unpackers, event-names)",
                        SG_STR_ARG(k->str));
            ok = false;
        }
    }
    if (!p->name.len) {
        sg_diag_add(rs->diags, SG_D_PIPELINE, (sg_loc){file, root->line, root->col}, "the pipeline has no 'name'");
        ok = false;
    }
    if (!p->n_targets) {
        sg_diag_add(rs->diags, SG_D_PIPELINE, (sg_loc){file, root->line, root->col}, "the pipeline has no 'target'");
        ok = false;
    }
    for (size_t i = 0; p->place_all && i < p->n_sources; i++)
        if (p->sources[i].n_prelude || p->sources[i].n_computed || p->sources[i].bag.len) {
            sg_diag_add(rs->diags, SG_D_PIPELINE, (sg_loc){file, p->sources[i].line, 1},
                        "with 'placement: all' a logsources entry cannot have a prelude, computed columns or a bag");
            ok = false;
        }
    return ok ? p : NULL;
}

bool sg_pipeline_serves(const sg_pipeline *p, const char *target) {
    for (size_t i = 0; i < p->n_targets; i++)
        if (sg_str_eq_cstr(p->targets[i], target)) return true;
    return false;
}

/* ---- applying ---- */

static bool sg_ls_match(const sg_logsource *want, const sg_logsource *have) {
    return (!want->category.ptr || sg_str_eq(want->category, have->category)) &&
           (!want->product.ptr || sg_str_eq(want->product, have->product)) &&
           (!want->service.ptr || sg_str_eq(want->service, have->service));
}

/* The entry that places a rule: the first regular one that matches, else
 * the first fallback one. */
static const sg_pipe_source *sg_pipe_place(const sg_pipeline *p, const sg_logsource *ls) {
    for (int fallback = 0; fallback < 2; fallback++)
        for (size_t i = 0; i < p->n_sources; i++)
            if (p->sources[i].fallback == fallback && sg_ls_match(&p->sources[i].match, ls)) return &p->sources[i];
    return NULL;
}

/* The maps that apply to one rule under one pipeline, in order. */
typedef struct sg_mapping {
    const sg_field_map *maps[2];
    size_t n_maps[2];
    const sg_pipe_hashes *hashes; /* or NULL */
    const sg_value_map *value_maps;
    size_t n_value_maps;
    bool strict;
    const sg_pipe_source *src; /* computed and bag columns, or NULL */
} sg_mapping;

static const sg_field_map *sg_map_find(const sg_field_map *m, size_t n, sg_str field) {
    for (size_t i = 0; i < n; i++)
        if (sg_str_eq(m[i].from, field)) return &m[i];
    return NULL;
}

/* Target names for a field: the log source's map first, then the global
 * one; a field neither names keeps its name (unless the pipeline is strict). */
static bool sg_map_field(const sg_mapping *mp, sg_str field, const sg_str **to, size_t *n) {
    for (int k = 0; k < 2; k++) {
        const sg_field_map *f = sg_map_find(mp->maps[k], mp->n_maps[k], field);
        if (f) {
            *to = f->to;
            *n = f->n_to;
            return true;
        }
    }
    return false;
}

typedef struct sg_apply {
    sg_ruleset *rs;
    const sg_ir_rule *ir;
    const sg_pipeline *pipe;
    const sg_mapping *mp;
    sg_arena *a;
    bool failed;
    sg_ir_rule *out; /* where computed columns are recorded */
    sg_str warned_algorithm; /* one warning per rule for an algorithm with no column */
} sg_apply;

/* Records a computed column the rule uses (once). */
static void sg_add_column(sg_apply *ap, sg_ir_column col) {
    sg_ir_rule *r = ap->out;
    for (size_t i = 0; i < r->n_columns; i++)
        if (sg_str_eq(r->columns[i].name, col.name)) return;
    sg_ir_column *cols = SG_NEW_ARRAY(ap->a, sg_ir_column, r->n_columns + 1);
    if (r->n_columns) memcpy(cols, r->columns, r->n_columns * sizeof *cols);
    cols[r->n_columns++] = col;
    r->columns = cols;
}

/* A target name the log source computes becomes a column of the rule. */
static void sg_note_computed(sg_apply *ap, sg_str name) {
    const sg_pipe_source *src = ap->mp->src;
    if (!src || !ap->out) return;
    const sg_field_map *c = sg_map_find(src->computed, src->n_computed, name);
    if (c) sg_add_column(ap, (sg_ir_column){name, c->to[0], {NULL, 0}, {NULL, 0}, false});
}

/* Target names for one Sigma field: the maps, else a computed column of
 * that name, else the bag's member, else the name itself (an error when
 * the pipeline is strict and report is set).  Computed names are noted. */
static void sg_resolve_field(sg_apply *ap, sg_str field, const sg_str **to, size_t *n, bool report, uint32_t line,
                             uint32_t col) {
    const sg_pipe_source *src = ap->mp->src;
    if (sg_map_field(ap->mp, field, to, n)) {
        for (size_t i = 0; i < *n; i++) sg_note_computed(ap, (*to)[i]);
        return;
    }
    *to = NULL;
    *n = 1;
    if (src && sg_map_find(src->computed, src->n_computed, field)) {
        sg_note_computed(ap, field);
        return;
    }
    for (size_t i = 0; src && i < src->n_members; i++) {
        sg_str pre = src->members[i].from;
        if (field.len > pre.len + 1 && memcmp(field.ptr, pre.ptr, pre.len) == 0 && field.ptr[pre.len] == '.') {
            sg_str path = {field.ptr + pre.len + 1, field.len - pre.len - 1};
            if (ap->out) sg_add_column(ap, (sg_ir_column){field, {NULL, 0}, src->members[i].to[0], path, true});
            return;
        }
    }
    if (src && src->bag.len) {
        if (ap->out) sg_add_column(ap, (sg_ir_column){field, {NULL, 0}, src->bag, field, false});
        return;
    }
    if (report && ap->mp->strict) {
        sg_diag_add(ap->rs->diags, SG_D_PIPELINE, (sg_loc){ap->ir->meta.file, line, col},
                    "field '%.*s' has no mapping in pipeline '%.*s' for this log source", SG_STR_ARG(field),
                    SG_STR_ARG(ap->pipe->name));
        ap->failed = true;
    }
}

/* `Hashes|contains: SHA256=ab..` (or an exact `Hashes: SHA256=ab..`)
 * becomes `SHA256 == "ab.."` on the algorithm's own column; an algorithm
 * with no column (IMPHASH where the target keeps none) can never match:
 * false, with a warning.  Anything else on the hashes field cannot be
 * split and is an error. */
static sg_ir_expr *sg_split_hash(sg_apply *ap, sg_ir_expr *e) {
    const sg_ir_pred *p = e->pred;
    const sg_pipe_hashes *h = ap->mp->hashes;
    const char *eq = (p->op == SG_OP_CONTAINS || p->op == SG_OP_EQ) && p->text.len ? memchr(p->text.ptr, '=', p->text.len) : NULL;
    if (!eq || eq == p->text.ptr || (size_t)(eq - p->text.ptr) + 1 == p->text.len) {
        sg_diag_add(ap->rs->diags, SG_D_PIPELINE, (sg_loc){ap->ir->meta.file, p->line, p->col},
                    "pipeline '%.*s' splits '%.*s' into one column per algorithm: write ALGORITHM=value with contains",
                    SG_STR_ARG(ap->pipe->name), SG_STR_ARG(p->field));
        ap->failed = true;
        return e;
    }
    sg_str alg = {p->text.ptr, (size_t)(eq - p->text.ptr)}, value = {eq + 1, p->text.len - alg.len - 1};
    for (size_t i = 0; i < h->n_algorithms; i++) {
        if (!sg_str_ieq(h->algorithms[i].from, alg)) continue;
        sg_ir_pred *q = SG_NEW(ap->a, sg_ir_pred);
        *q = *p;
        q->field = h->algorithms[i].to[0];
        q->op = SG_OP_EQ;
        q->text = value;
        q->pattern = sg_sstr_literal(ap->a, value);
        q->cased = false; /* hex digests compare without case */
        return sg_ir_new_pred(ap->a, q);
    }
    if (!ap->warned_algorithm.ptr || !sg_str_ieq(ap->warned_algorithm, alg))
        sg_diag_add_sev(ap->rs->diags, SG_D_PIPELINE, SG_SEV_WARNING, (sg_loc){ap->ir->meta.file, p->line, p->col},
                        "hash algorithm '%.*s' has no column in pipeline '%.*s': its values can never match there "
                        "and are left out",
                        SG_STR_ARG(alg), SG_STR_ARG(ap->pipe->name));
    ap->warned_algorithm = alg;
    return sg_ir_new(ap->a, SG_IR_FALSE, e->line, e->col);
}

/* Renames one predicate's field (and a fieldref's other field) through
 * the maps; a field mapped to several gives an OR of copies. */
static sg_ir_expr *sg_map_expr_fields(sg_apply *ap, sg_ir_expr *e) {
    const sg_ir_pred *p = e->pred;
    const sg_str *to;
    size_t n;
    sg_resolve_field(ap, p->field, &to, &n, true, p->line, p->col);
    if (to == NULL) to = &p->field;
    const sg_str *ref_to = NULL;
    size_t ref_n = 0;
    if (p->op == SG_OP_FIELDREF) {
        sg_resolve_field(ap, p->text, &ref_to, &ref_n, false, p->line, p->col);
        if (!ref_to) ref_to = &p->text;
    }
    if (p->op == SG_OP_FIELDREF && ref_n > 1) {
        sg_diag_add(ap->rs->diags, SG_D_PIPELINE, (sg_loc){ap->ir->meta.file, p->line, p->col},
                    "field reference '%.*s' maps to several fields", SG_STR_ARG(p->text));
        ap->failed = true;
    }
    if (n == 1 && sg_str_eq(to[0], p->field) && (!ref_to || sg_str_eq(ref_to[0], p->text))) return e;
    sg_ir_expr **alts = SG_NEW_ARRAY(ap->a, sg_ir_expr *, n);
    for (size_t i = 0; i < n; i++) {
        sg_ir_pred *q = SG_NEW(ap->a, sg_ir_pred);
        *q = *p;
        q->field = to[i];
        if (ref_to) q->text = ref_to[0];
        alts[i] = sg_ir_new_pred(ap->a, q);
    }
    return sg_ir_new_nary(ap->a, SG_IR_OR, alts, n, e->line, e->col);
}

/* Renames the predicates a value map produced (they need no value mapping). */
static sg_ir_expr *sg_map_expr_renamed(sg_apply *ap, sg_ir_expr *e) {
    if (e->kind == SG_IR_PRED) return sg_map_expr_fields(ap, e);
    sg_ir_expr **kids = SG_NEW_ARRAY(ap->a, sg_ir_expr *, e->count);
    for (size_t i = 0; i < e->count; i++) kids[i] = sg_map_expr_fields(ap, e->kids[i]);
    return sg_ir_new_nary(ap->a, e->kind, kids, e->count, e->line, e->col);
}

/* An equality on a field with a value map takes the target value(s); the
 * predicate keeps its Sigma field name (renamed after this). */
static sg_ir_expr *sg_map_value(sg_apply *ap, sg_ir_expr *e, const sg_value_map *vm) {
    const sg_ir_pred *p = e->pred;
    /* `Initiated: true` and `Initiated: 'true'` name the same value */
    sg_str text = p->vtype == SG_VT_BOOL ? sg_str_from_cstr(p->bool_value ? "true" : "false") : p->text;
    if (p->op == SG_OP_EQ && (p->vtype == SG_VT_STRING || p->vtype == SG_VT_BOOL) && !p->cased)
        for (size_t i = 0; i < vm->n_values; i++) {
            if (!sg_str_ieq(vm->values[i].from, text)) continue;
            sg_ir_expr **alts = SG_NEW_ARRAY(ap->a, sg_ir_expr *, vm->values[i].n_to);
            for (size_t j = 0; j < vm->values[i].n_to; j++) {
                sg_ir_pred *q = SG_NEW(ap->a, sg_ir_pred);
                *q = *p;
                q->vtype = SG_VT_STRING;
                q->text = vm->values[i].to[j];
                q->pattern = sg_sstr_literal(ap->a, q->text);
                alts[j] = sg_ir_new_pred(ap->a, q);
            }
            return sg_ir_new_nary(ap->a, SG_IR_OR, alts, vm->values[i].n_to, e->line, e->col);
        }
    sg_diag_add(ap->rs->diags, SG_D_PIPELINE, (sg_loc){ap->ir->meta.file, p->line, p->col},
                "pipeline '%.*s' maps the values of '%.*s' and has no mapping for this one (%s '%.*s')",
                SG_STR_ARG(ap->pipe->name), SG_STR_ARG(p->field), sg_ir_op_name(p->op), SG_STR_ARG(p->text));
    ap->failed = true;
    return e;
}

static sg_ir_expr *sg_map_expr(sg_apply *ap, sg_ir_expr *e) {
    if (!e) return NULL;
    if (e->kind == SG_IR_PRED) {
        const sg_ir_pred *p = e->pred;
        if (!p->field.len) return e; /* keywords search every field */
        if (ap->mp->hashes && sg_str_eq(p->field, ap->mp->hashes->field)) return sg_split_hash(ap, e);
        for (size_t i = 0; i < ap->mp->n_value_maps; i++)
            if (sg_str_eq(p->field, ap->mp->value_maps[i].field)) {
                sg_ir_expr *v = sg_map_value(ap, e, &ap->mp->value_maps[i]);
                if (v == e) return e; /* reported */
                return sg_map_expr_renamed(ap, v);
            }
        return sg_map_expr_fields(ap, e);
    }
    if (!e->count) return e;
    sg_ir_expr **kids = SG_NEW_ARRAY(ap->a, sg_ir_expr *, e->count);
    bool changed = false;
    for (size_t i = 0; i < e->count; i++) {
        kids[i] = sg_map_expr(ap, e->kids[i]);
        changed |= kids[i] != e->kids[i];
    }
    if (!changed) return e;
    if (e->kind == SG_IR_NOT) return sg_ir_new_not(ap->a, kids[0]);
    return sg_ir_new_nary(ap->a, e->kind, kids, e->count, e->line, e->col);
}

static sg_str sg_map_one(sg_apply *ap, sg_str field, uint32_t line, uint32_t col) {
    const sg_str *to = NULL;
    size_t n;
    sg_resolve_field(ap, field, &to, &n, false, line, col);
    if (!to) return field;
    if (n > 1) {
        sg_diag_add(ap->rs->diags, SG_D_PIPELINE, (sg_loc){ap->ir->meta.file, line, col},
                    "field '%.*s' maps to several fields; a group-by or aggregated field needs exactly one",
                    SG_STR_ARG(field));
        ap->failed = true;
    }
    return to[0];
}

static void sg_list_pipelines_for(sg_buf *b, sg_pipeline *const *others, size_t n, const sg_logsource *ls) {
    size_t found = 0;
    for (size_t i = 0; i < n; i++)
        if (sg_pipe_place(others[i], ls)) {
            sg_buf_printf(b, "%s%.*s", found++ ? ", " : "", SG_STR_ARG(others[i]->name));
        }
    if (!found) sg_buf_add_cstr(b, "none");
}

static void sg_ls_text(sg_buf *b, const sg_logsource *ls) {
    bool any = false;
    if (ls->category.ptr) sg_buf_printf(b, "category=%.*s", SG_STR_ARG(ls->category)), any = true;
    if (ls->product.ptr) sg_buf_printf(b, "%sproduct=%.*s", any ? " " : "", SG_STR_ARG(ls->product)), any = true;
    if (ls->service.ptr) sg_buf_printf(b, "%sservice=%.*s", any ? " " : "", SG_STR_ARG(ls->service)), any = true;
    if (!any) sg_buf_add_cstr(b, "(none)");
}

/* Applies one log-source entry (or none: src NULL) of pipe to out. */
/* How a pipeline names fields for rules of log source src (NULL: rules no
 * entry places): the entry's map, then the pipeline's. */
static sg_mapping sg_source_mapping(const sg_pipeline *pipe, const sg_pipe_source *src) {
    const sg_pipe_hashes *hashes = src && src->hashes.field.len ? &src->hashes
                                   : pipe->hashes.field.len      ? &pipe->hashes
                                                                 : NULL;
    return (sg_mapping){{src ? src->fields : NULL, pipe->fields},
                        {src ? src->n_fields : 0, pipe->n_fields},
                        hashes,
                        src ? src->value_maps : NULL,
                        src ? src->n_value_maps : 0,
                        pipe->strict,
                        src};
}

static bool sg_apply_source(sg_ruleset *rs, const sg_pipeline *pipe, const sg_pipe_source *src, sg_ir_rule *out,
                            sg_mapping *mp_out) {
    sg_mapping mp = sg_source_mapping(pipe, src);
    sg_apply ap = {rs, out, pipe, &mp, rs->arena, false, out, {NULL, 0}};
    if (out->expr) {
        sg_ir_expr *before = out->expr;
        out->expr = sg_map_expr(&ap, out->expr);
        if (out->expr->kind == SG_IR_FALSE && before->kind != SG_IR_FALSE && !ap.failed) {
            sg_diag_add(rs->diags, SG_D_PIPELINE, (sg_loc){out->meta.file, before->line, before->col},
                        "nothing this rule tests can match in pipeline '%.*s': what it needs has no column there (see the warning)",
                        SG_STR_ARG(pipe->name));
            ap.failed = true;
        }
        if (src && src->conditions) {
            /* Ahead of a prelude or computed columns the conditions filter
             * first (cheap columns before costly parsing); otherwise they
             * lead the rule's own filter. */
            sg_ir_expr **slot = src->n_prelude || src->n_computed ? &out->prefilter : &out->expr;
            sg_ir_expr *kids[2] = {src->conditions, *slot};
            *slot = *slot ? sg_ir_new_nary(rs->arena, SG_IR_AND, kids, 2, out->expr->line, out->expr->col)
                          : src->conditions;
        }
    }
    if (src && src->n_prelude) {
        sg_str *stages = SG_NEW_ARRAY(rs->arena, sg_str, out->prelude.count + src->n_prelude);
        if (out->prelude.count) memcpy(stages, out->prelude.items, out->prelude.count * sizeof *stages);
        memcpy(stages + out->prelude.count, src->prelude, src->n_prelude * sizeof *stages);
        out->prelude = (sg_strlist){stages, out->prelude.count + src->n_prelude};
        out->prelude_for_bag = src->bag.len > 0;
    }
    if (out->agg && out->agg->origin != SG_ORIGIN_CORRELATION) {
        sg_ir_agg *g = SG_NEW(rs->arena, sg_ir_agg);
        *g = *out->agg;
        if (g->field.len) g->field = sg_map_one(&ap, g->field, g->line, g->col);
        g->group_by = SG_NEW_ARRAY(rs->arena, sg_str, g->n_group_by ? g->n_group_by : 1);
        for (size_t i = 0; i < g->n_group_by; i++) g->group_by[i] = sg_map_one(&ap, out->agg->group_by[i], g->line, g->col);
        out->agg = g;
    }
    if (src && src->table.len) out->table = src->table;
    if (src && src->n_text) out->text_columns = (sg_strlist){src->text, src->n_text};
    if (pipe->timestamp.len) out->timestamp = pipe->timestamp;
    if (pipe->n_event_names) out->event_names = pipe->event_names, out->n_event_names = pipe->n_event_names;
    if (mp_out) *mp_out = mp;
    return !ap.failed;
}

/* The fields an expression tests, each once (FIELDREF: both fields). */
typedef struct sg_field_set {
    sg_str *items;
    size_t count, cap;
    sg_arena *arena;
} sg_field_set;

static void sg_field_set_add(sg_field_set *set, sg_str field) {
    if (!field.len) return;
    for (size_t i = 0; i < set->count; i++)
        if (sg_str_eq(set->items[i], field)) return;
    if (set->count == set->cap) {
        size_t cap = set->cap ? set->cap * 2 : 8;
        sg_str *items = SG_NEW_ARRAY(set->arena, sg_str, cap);
        if (set->count) memcpy(items, set->items, set->count * sizeof *items);
        set->items = items, set->cap = cap;
    }
    set->items[set->count++] = field;
}

static sg_walk_result sg_collect_field(sg_ir_expr *e, int depth, void *ctx) {
    (void)depth;
    if (e->kind == SG_IR_PRED) {
        sg_field_set_add(ctx, e->pred->field);
        if (e->pred->op == SG_OP_FIELDREF) sg_field_set_add(ctx, e->pred->text);
    }
    return SG_WALK_CONTINUE;
}

/* unplaced: fields-only - no log-source condition places the rule, so it
 * holds only on events that carry one of the fields it tests: a Zeek rule's
 * `not id.orig_h|cidr` must not fire on every Windows event. */
static void sg_guard_unplaced(sg_ruleset *rs, sg_ir_rule *out) {
    if (!out->expr) return;
    sg_field_set set = {NULL, 0, 0, rs->arena};
    sg_ir_walk(out->expr, sg_collect_field, &set);
    if (!set.count) return;
    sg_ir_expr **exists = SG_NEW_ARRAY(rs->arena, sg_ir_expr *, set.count);
    for (size_t i = 0; i < set.count; i++) {
        sg_ir_pred *p = SG_NEW(rs->arena, sg_ir_pred);
        p->field = set.items[i];
        p->op = SG_OP_EXISTS;
        p->bool_value = true;
        p->line = out->expr->line, p->col = out->expr->col;
        exists[i] = sg_ir_new_pred(rs->arena, p);
    }
    sg_ir_expr *kids[2] = {sg_ir_new_nary(rs->arena, SG_IR_OR, exists, set.count, out->expr->line, out->expr->col),
                           out->expr};
    out->expr = sg_ir_new_nary(rs->arena, SG_IR_AND, kids, 2, out->expr->line, out->expr->col);
}

/* placement: all: the names a group-by or aggregated field has in the
 * variants that place rule r, each once, in variant order. */
static sg_strlist sg_variant_names(sg_ruleset *rs, const sg_pipeline *pipe, const sg_ir_rule *r, sg_str field,
                                   uint32_t line, uint32_t col) {
    sg_strlist names = {SG_NEW_ARRAY(rs->arena, sg_str, pipe->n_sources ? pipe->n_sources : 1), 0};
    for (size_t i = 0; i < pipe->n_sources; i++) {
        const sg_pipe_source *src = &pipe->sources[i];
        if (src->fallback || !sg_ls_match(&src->match, &r->meta.logsource)) continue;
        sg_mapping mp = sg_source_mapping(pipe, src);
        sg_ir_rule scratch = *r;
        sg_apply ap = {rs, r, pipe, &mp, rs->arena, false, &scratch, {NULL, 0}};
        sg_str name = sg_map_one(&ap, field, line, col);
        bool seen = false;
        for (size_t k = 0; k < names.count && !seen; k++) seen = sg_str_eq(names.items[k], name);
        if (!seen) names.items[names.count++] = name;
    }
    return names;
}

/* A threshold over variants that name its fields differently counts each
 * event under the name its variant gives (the first of them it has). */
static void sg_variant_agg_names(sg_ruleset *rs, const sg_pipeline *pipe, const sg_ir_rule *orig, sg_ir_rule *out) {
    const sg_ir_agg *g0 = orig->agg;
    if (!g0 || g0->origin == SG_ORIGIN_CORRELATION || !out->agg) return;
    sg_ir_agg *g = out->agg;
    if (g0->field.len) {
        sg_strlist any = sg_variant_names(rs, pipe, orig, g0->field, g0->line, g0->col);
        if (any.count > 1) g->field_any = any;
    }
    for (size_t k = 0; k < g0->n_group_by; k++) {
        sg_strlist any = sg_variant_names(rs, pipe, orig, g0->group_by[k], g0->line, g0->col);
        if (any.count < 2) continue;
        if (!g->group_by_any) g->group_by_any = SG_NEW_ARRAY(rs->arena, sg_strlist, g0->n_group_by);
        g->group_by_any[k] = any;
    }
}

static bool sg_apply_one(sg_ruleset *rs, const sg_pipeline *pipe, sg_ir_rule *out, sg_pipeline *const *others,
                         size_t n_others, sg_mapping *mp_out) {
    const sg_pipe_source *src = sg_pipe_place(pipe, &out->meta.logsource);
    if (!src && pipe->n_sources && !pipe->unplaced_fields_only) {
        sg_buf b;
        sg_buf_init(&b);
        sg_ls_text(&b, &out->meta.logsource);
        sg_buf_printf(&b, " is not a log source of pipeline '%.*s'; pipelines that place it: ", SG_STR_ARG(pipe->name));
        sg_list_pipelines_for(&b, others, n_others, &out->meta.logsource);
        sg_diag_add(rs->diags, SG_D_PIPELINE, (sg_loc){out->meta.file, out->meta.line, 1}, "%s", b.data);
        sg_buf_free(&b);
        return false;
    }
    if ((!src && pipe->n_sources) || (src && src->fallback)) {
        /* the guard names the rule's own fields, not the entry's conditions
         * (a copy in the arena: *mp_out points into it after this returns) */
        sg_pipe_source *plain = NULL;
        if (src) plain = SG_NEW(rs->arena, sg_pipe_source), *plain = *src, plain->conditions = NULL;
        if (!sg_apply_source(rs, pipe, plain, out, mp_out)) return false;
        sg_guard_unplaced(rs, out);
        if (src && src->conditions && out->expr) {
            sg_ir_expr *kids[2] = {src->conditions, out->expr};
            out->expr = sg_ir_new_nary(rs->arena, SG_IR_AND, kids, 2, out->expr->line, out->expr->col);
        }
        return true;
    }
    if (!src || !pipe->place_all) return sg_apply_source(rs, pipe, src, out, mp_out);
    /* placement: all: every entry that places the rule is a variant (its
     * conditions and its field names); the rule holds when one does. */
    size_t n_variants = 0;
    for (size_t i = 0; i < pipe->n_sources; i++)
        n_variants += !pipe->sources[i].fallback && sg_ls_match(&pipe->sources[i].match, &out->meta.logsource);
    sg_ir_expr **kids = SG_NEW_ARRAY(rs->arena, sg_ir_expr *, n_variants);
    sg_ir_rule first = *out;
    bool ok = true;
    size_t k = 0;
    for (size_t i = 0; i < pipe->n_sources; i++) {
        if (pipe->sources[i].fallback || !sg_ls_match(&pipe->sources[i].match, &out->meta.logsource)) continue;
        sg_ir_rule variant = *out;
        ok &= sg_apply_source(rs, pipe, &pipe->sources[i], &variant, k == 0 ? mp_out : NULL);
        if (!ok) break; /* the rule fails: the other variants would say it again */
        if (k == 0) first = variant;
        kids[k++] = variant.expr;
    }
    if (!ok) return false;
    sg_ir_rule orig = *out;
    *out = first;
    if (n_variants > 1) sg_variant_agg_names(rs, pipe, &orig, out);
    if (out->expr && n_variants > 1)
        out->expr = sg_ir_new_nary(rs->arena, SG_IR_OR, kids, n_variants, kids[0]->line, kids[0]->col);
    return true;
}

sg_ir_rule *sg_pipeline_apply(sg_ruleset *rs, sg_rule *r, const sg_ir_rule *ir, sg_pipeline *const *pipes,
                              size_t n, sg_pipeline *const *others, size_t n_others) {
    (void)r;
    sg_ir_rule *out = SG_NEW(rs->arena, sg_ir_rule);
    *out = *ir;
    if (ir->kind != SG_RULE_CORRELATION) {
        for (size_t i = 0; i < n; i++)
            if (!sg_apply_one(rs, pipes[i], out, others, n_others, NULL)) return NULL;
        return out;
    }
    /* A correlation: every referenced rule goes through the pipelines; the
     * group-by and aggregated fields map as the first referenced rule's do,
     * and aliases map per rule. */
    const sg_ir_agg *g0 = ir->agg;
    if (!g0) return NULL;
    sg_ir_agg *g = SG_NEW(rs->arena, sg_ir_agg);
    *g = *g0;
    g->rules = SG_NEW_ARRAY(rs->arena, sg_ir_rule *, g->n_rules ? g->n_rules : 1);
    g->group_by = SG_NEW_ARRAY(rs->arena, sg_str, g->n_group_by ? g->n_group_by : 1);
    memcpy(g->group_by, g0->group_by, g->n_group_by * sizeof *g->group_by);
    g->aliases = SG_NEW_ARRAY(rs->arena, sg_ir_alias, g->n_aliases ? g->n_aliases : 1);
    for (size_t a = 0; a < g->n_aliases; a++) {
        g->aliases[a] = g0->aliases[a];
        g->aliases[a].maps = SG_NEW_ARRAY(rs->arena, sg_ir_alias_map, g0->aliases[a].count ? g0->aliases[a].count : 1);
        memcpy(g->aliases[a].maps, g0->aliases[a].maps, g0->aliases[a].count * sizeof *g->aliases[a].maps);
    }
    bool ok = true;
    for (size_t j = 0; j < g->n_rules; j++) {
        if (!g0->rules[j]) return NULL;
        sg_ir_rule *sub = SG_NEW(rs->arena, sg_ir_rule);
        *sub = *g0->rules[j];
        for (size_t i = 0; i < n; i++) {
            sg_mapping mp;
            sg_ir_rule before = *sub;
            if (!sg_apply_one(rs, pipes[i], sub, others, n_others, &mp)) {
                ok = false;
                break;
            }
            /* the runtime keys a correlation by one name per rule */
            for (size_t k = 0; pipes[i]->place_all && k < g0->n_group_by; k++) {
                sg_strlist any = sg_variant_names(rs, pipes[i], &before, g0->group_by[k], g->line, g->col);
                if (any.count < 2) continue;
                sg_diag_add(rs->diags, SG_D_PIPELINE, (sg_loc){ir->meta.file, g->line, g->col},
                            "group-by field '%.*s' has different names in the log-source variants of pipeline "
                            "'%.*s' (e.g. '%.*s' and '%.*s'); a correlation over them is not supported",
                            SG_STR_ARG(g0->group_by[k]), SG_STR_ARG(pipes[i]->name), SG_STR_ARG(any.items[0]),
                            SG_STR_ARG(any.items[1]));
                ok = false;
            }
            if (!ok) break;
            sg_apply ap = {rs, ir, pipes[i], &mp, rs->arena, false, sub, {NULL, 0}};
            if (j > 0) { /* the computed columns of the keys and the counted field, in this rule's query too */
                if (g0->field.len) sg_map_one(&ap, g0->field, g->line, g->col);
                for (size_t k = 0; k < g->n_group_by; k++) {
                    bool is_alias = false;
                    for (size_t a = 0; a < g->n_aliases; a++) is_alias |= sg_str_eq(g->aliases[a].name, g0->group_by[k]);
                    if (!is_alias) sg_map_one(&ap, g0->group_by[k], g->line, g->col);
                }
            }
            if (j == 0) {
                if (g->field.len) g->field = sg_map_one(&ap, g->field, g->line, g->col);
                for (size_t k = 0; k < g->n_group_by; k++) {
                    bool is_alias = false;
                    for (size_t a = 0; a < g->n_aliases; a++) is_alias |= sg_str_eq(g->aliases[a].name, g->group_by[k]);
                    if (!is_alias) g->group_by[k] = sg_map_one(&ap, g->group_by[k], g->line, g->col);
                }
            }
            for (size_t a = 0; a < g->n_aliases; a++)
                for (size_t m = 0; m < g->aliases[a].count; m++)
                    if (g->aliases[a].maps[m].rule_index == j)
                        g->aliases[a].maps[m].field = sg_map_one(&ap, g->aliases[a].maps[m].field, g->line, g->col);
            ok &= !ap.failed;
        }
        g->rules[j] = sub;
    }
    if (!ok) return NULL;
    out->agg = g;
    /* The correlation's own table and timestamp: those of its rules when they agree. */
    for (size_t j = 0; j < g->n_rules; j++) {
        if (j == 0) {
            out->table = g->rules[0]->table;
            out->timestamp = g->rules[0]->timestamp;
        } else if (!sg_str_eq(out->table, g->rules[j]->table)) {
            out->table = (sg_str){NULL, 0};
        }
    }
    return out;
}
