/* rule.c - rule set, collection actions and typed top-level fields. */
#include "rule.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const sg_options sg_default_options = {
    .max_file_size = 1024 * 1024,
    .yaml = {.max_depth = 64, .max_nodes = 200000, .max_documents = 1000},
    .max_windash_variants = 3125,
    .max_regex_length = 8192,
};

void sg_ruleset_init(sg_ruleset *rs, const sg_options *opts, sg_diags *diags) {
    memset(rs, 0, sizeof *rs);
    rs->opts = opts ? *opts : sg_default_options;
    rs->diags = diags;
    rs->arena = sg_arena_new();
}

void sg_ruleset_free(sg_ruleset *rs) {
    for (size_t i = 0; i < rs->n_units; i++) {
        free(rs->units[i]->rules);
        free(rs->units[i]);
    }
    free(rs->units);
    free(rs->rules);
    free(rs->defaults);
    sg_arena_free(rs->arena);
    memset(rs, 0, sizeof *rs);
}

void sg_rule_diag(sg_ruleset *rs, sg_rule *r, sg_diag_id id, const sg_ynode *at, const char *fmt,
                  ...) {
    va_list ap;
    va_start(ap, fmt);
    sg_severity sev = sg_diag_table[id].severity;
    sg_loc loc = at ? sg_ynode_loc(r->file, at) : (sg_loc){r->file, r->ir ? r->ir->meta.line : 0, 0};
    sg_diag_vadd(rs->diags, id, sev, loc, fmt, ap);
    va_end(ap);
    if (sev == SG_SEV_ERROR) r->has_errors = true;
}

/* ---- collections: global / reset / repeat ---- */

/* Deep merge: maps merge key by key (recursively); otherwise the value of
 * `over` wins.  The result shares unchanged nodes with its inputs. */
static sg_ynode *sg_merge(sg_arena *a, sg_ynode *base, sg_ynode *over) {
    if (!base) return over;
    if (!over) return base;
    if (base->kind != SG_YN_MAP || over->kind != SG_YN_MAP) return over;
    sg_ynode *m = SG_NEW(a, sg_ynode);
    *m = *base;
    m->pairs = SG_NEW_ARRAY(a, sg_ypair, base->count + over->count);
    m->count = 0;
    for (size_t i = 0; i < base->count; i++) {
        sg_ypair *op = NULL;
        for (size_t j = 0; j < over->count; j++)
            if (sg_str_eq(over->pairs[j].key->str, base->pairs[i].key->str)) op = &over->pairs[j];
        m->pairs[m->count].key = base->pairs[i].key;
        m->pairs[m->count].value = op ? sg_merge(a, base->pairs[i].value, op->value)
                                      : base->pairs[i].value;
        m->count++;
    }
    for (size_t j = 0; j < over->count; j++) {
        bool found = false;
        for (size_t i = 0; i < base->count && !found; i++)
            found = sg_str_eq(over->pairs[j].key->str, base->pairs[i].key->str);
        if (!found) m->pairs[m->count++] = over->pairs[j];
    }
    return m;
}

/* A copy of map without the `action` key. */
static sg_ynode *sg_without_action(sg_arena *a, sg_ynode *map) {
    sg_ynode *m = SG_NEW(a, sg_ynode);
    *m = *map;
    m->pairs = SG_NEW_ARRAY(a, sg_ypair, map->count ? map->count : 1);
    m->count = 0;
    for (size_t i = 0; i < map->count; i++)
        if (!sg_str_eq_cstr(map->pairs[i].key->str, "action")) m->pairs[m->count++] = map->pairs[i];
    return m;
}

static sg_rule *sg_unit_new_rule(sg_ruleset *rs, sg_unit *u, sg_ynode *root, size_t doc_index,
                                 uint32_t line) {
    sg_rule *r = SG_NEW(u->arena, sg_rule);
    r->file = u->file;
    r->doc_index = doc_index;
    r->root = root;
    r->ir = SG_NEW(u->arena, sg_ir_rule);
    r->ir->meta.file = u->file;
    r->ir->meta.line = line;
    r->ir->meta.doc_index = doc_index;
    if (sg_ymap_get(root, "correlation")) r->kind = SG_RULE_CORRELATION;
    else if (sg_ymap_get(root, "filter")) r->kind = SG_RULE_FILTER;
    else r->kind = SG_RULE_DETECTION;
    r->ir->kind = r->kind;
    u->rules = sg_xrealloc(u->rules, (u->n_rules + 1) * sizeof *u->rules);
    u->rules[u->n_rules++] = r;
    if (rs->n_rules == rs->cap_rules) {
        rs->cap_rules = rs->cap_rules ? rs->cap_rules * 2 : 256;
        rs->rules = sg_xrealloc(rs->rules, rs->cap_rules * sizeof *rs->rules);
    }
    rs->rules[rs->n_rules++] = r;
    return r;
}

/* Walks the documents of a unit and creates its rules, applying the
 * collection actions.  Successive `action: global` documents accumulate
 * (as the Sigma wiki and sigmac define it); `reset` clears the template;
 * `repeat` merges into the previous rule and emits a new one.  As in every
 * Sigma implementation, the global template's scalars win over the
 * document's own. */
static void sg_unit_collect(sg_ruleset *rs, sg_unit *u) {
    sg_ynode *global = NULL;
    sg_ynode *previous = NULL;
    for (size_t i = 0; i < u->n_docs; i++) {
        sg_ynode *root = u->docs[i].root;
        if (!root) continue;
        sg_loc loc = {u->file, u->docs[i].line, 1};
        if (root->kind != SG_YN_MAP) {
            sg_diag_add(rs->diags, SG_D_RULE_STRUCTURE, sg_ynode_loc(u->file, root),
                        "a Sigma rule must be a mapping, not a %s", sg_ynode_kind_name(root));
            continue;
        }
        sg_ynode *action = sg_ymap_get(root, "action");
        if (action) {
            if (!sg_ynode_is_str(action)) {
                sg_diag_add(rs->diags, SG_D_COLLECTION, sg_ynode_loc(u->file, action),
                            "'action' must be global, reset or repeat");
                continue;
            }
            if (sg_str_eq_cstr(action->str, "global")) {
                global = sg_merge(u->arena, global, sg_without_action(u->arena, root));
                continue;
            }
            if (sg_str_eq_cstr(action->str, "reset")) {
                global = NULL;
                continue;
            }
            if (sg_str_eq_cstr(action->str, "repeat")) {
                if (!previous) {
                    sg_diag_add(rs->diags, SG_D_COLLECTION, sg_ynode_loc(u->file, action),
                                "'action: repeat' without a rule before it");
                    continue;
                }
                sg_ynode *merged = sg_merge(u->arena, previous, sg_without_action(u->arena, root));
                sg_unit_new_rule(rs, u, merged, i, loc.line);
                previous = merged;
                continue;
            }
            sg_diag_add(rs->diags, SG_D_COLLECTION, sg_ynode_loc(u->file, action),
                        "unknown action '%.*s': expected global, reset or repeat",
                        SG_STR_ARG(action->str));
            continue;
        }
        sg_ynode *eff = root;
        /* Correlation and filter documents are never merged with the template. */
        if (global && !sg_ymap_get(root, "correlation") && !sg_ymap_get(root, "filter"))
            eff = sg_merge(u->arena, root, global);
        sg_unit_new_rule(rs, u, eff, i, loc.line);
        previous = eff;
    }
}

int sg_ruleset_add_file(sg_ruleset *rs, const char *file, const char *data, size_t len) {
    size_t errors_before = rs->diags->by_severity[SG_SEV_ERROR];
    sg_unit *u = sg_xmalloc(sizeof *u);
    memset(u, 0, sizeof *u);
    u->arena = rs->arena; /* one compilation unit: correlations cross files */
    u->file = file;
    u->len = len;
    if (rs->n_units == rs->cap_units) {
        rs->cap_units = rs->cap_units ? rs->cap_units * 2 : 64;
        rs->units = sg_xrealloc(rs->units, rs->cap_units * sizeof *rs->units);
    }
    rs->units[rs->n_units++] = u;

    if (len > rs->opts.max_file_size) {
        sg_diag_add(rs->diags, SG_D_LIMIT_FILE_SIZE, (sg_loc){file, 0, 0},
                    "file is %zu bytes, over the limit of %zu (--max-file-size)", len,
                    rs->opts.max_file_size);
        u->load_failed = true;
        return -1;
    }
    if (sg_yaml_load(u->arena, file, data, len, &rs->opts.yaml, rs->diags, &u->docs,
                     &u->n_docs) != 0) {
        u->load_failed = true;
        return -1;
    }
    size_t first_rule = u->n_rules;
    sg_unit_collect(rs, u);
    for (size_t i = first_rule; i < u->n_rules; i++) {
        sg_rule *r = u->rules[i];
        size_t diag_from = rs->diags->count;
        sg_rule_parse_meta(rs, u, r);
        switch (r->kind) {
        case SG_RULE_DETECTION:
            sg_rule_parse_detection(rs, u, r);
            sg_threshold_apply(rs, u, r);
            break;
        case SG_RULE_CORRELATION: sg_rule_parse_correlation(rs, u, r); break;
        case SG_RULE_FILTER: sg_rule_parse_filter(rs, u, r); break;
        }
        sg_diags_tag_rule(rs->diags, diag_from, r->ir->meta.id);
    }
    return rs->diags->by_severity[SG_SEV_ERROR] > errors_before ? -1 : 0;
}

/* ---- typed top-level fields ---- */

typedef enum sg_field_type {
    SG_FT_STRING,
    SG_FT_STRING_LIST,
    SG_FT_DATE,
    SG_FT_MAP,
    SG_FT_ANY,
} sg_field_type;

typedef struct sg_field_spec {
    const char *name;
    sg_field_type type;
    unsigned kinds; /* bit per sg_rule_kind where the key belongs */
} sg_field_spec;

#define SG_K_DET (1u << SG_RULE_DETECTION)
#define SG_K_COR (1u << SG_RULE_CORRELATION)
#define SG_K_FIL (1u << SG_RULE_FILTER)
#define SG_K_ALL (SG_K_DET | SG_K_COR | SG_K_FIL)

static const sg_field_spec sg_top_fields[] = {
    {"title", SG_FT_STRING, SG_K_ALL},
    {"id", SG_FT_STRING, SG_K_ALL},
    {"name", SG_FT_STRING, SG_K_ALL},
    {"related", SG_FT_ANY, SG_K_ALL},
    {"status", SG_FT_STRING, SG_K_DET | SG_K_COR},
    {"description", SG_FT_STRING, SG_K_ALL},
    {"license", SG_FT_STRING, SG_K_ALL},
    {"author", SG_FT_STRING, SG_K_ALL},
    {"references", SG_FT_STRING_LIST, SG_K_ALL},
    {"date", SG_FT_DATE, SG_K_ALL},
    {"modified", SG_FT_DATE, SG_K_ALL},
    {"tags", SG_FT_STRING_LIST, SG_K_ALL},
    {"logsource", SG_FT_MAP, SG_K_DET | SG_K_FIL},
    {"detection", SG_FT_MAP, SG_K_DET},
    {"fields", SG_FT_STRING_LIST, SG_K_DET | SG_K_COR},
    {"falsepositives", SG_FT_STRING_LIST, SG_K_DET | SG_K_COR},
    {"level", SG_FT_STRING, SG_K_DET | SG_K_COR},
    {"scope", SG_FT_STRING_LIST, SG_K_DET | SG_K_COR},
    {"taxonomy", SG_FT_STRING, SG_K_ALL},
    {"correlation", SG_FT_MAP, SG_K_COR},
    {"generate", SG_FT_ANY, SG_K_COR},
    {"filter", SG_FT_MAP, SG_K_FIL},
    {"threshold", SG_FT_MAP, SG_K_DET},
    /* SigmaHQ's own conventions (sigmahq_conventions.md): where a rule's
     * regression events are, and tests that simulate it. */
    {"regression_tests_path", SG_FT_STRING, SG_K_ALL},
    {"simulation", SG_FT_ANY, SG_K_ALL},
};

/* Keys that the `custom_attributes` check reports as typos; they are not
 * reported again as unknown keys. */
const char *const sg_typo_keys[SG_N_TYPO_KEYS] = {"realted", "relatde", "relted", "rlated", "reference"};

static const sg_field_spec *sg_find_field(sg_str key) {
    for (size_t i = 0; i < sizeof sg_top_fields / sizeof *sg_top_fields; i++)
        if (sg_str_eq_cstr(key, sg_top_fields[i].name)) return &sg_top_fields[i];
    return NULL;
}

static const char *sg_kind_name(sg_rule_kind k) {
    return k == SG_RULE_CORRELATION ? "correlation rule" : k == SG_RULE_FILTER ? "filter" : "rule";
}

static bool sg_is_uuid(sg_str s) {
    static const char shape[] = "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx";
    if (s.len != sizeof shape - 1) return false;
    for (size_t i = 0; i < s.len; i++) {
        char c = s.ptr[i];
        if (shape[i] == '-') {
            if (c != '-') return false;
        } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
            return false;
        }
    }
    return true;
}

/* YYYY-MM-DD (also the legacy YYYY/MM/DD and unpadded month/day). */
static bool sg_valid_date(sg_str s) {
    int y = 0, m = 0, d = 0;
    size_t i = 0;
    char sep = 0;
    for (int k = 0; k < 4; k++, i++) {
        if (i >= s.len || s.ptr[i] < '0' || s.ptr[i] > '9') return false;
        y = y * 10 + (s.ptr[i] - '0');
    }
    if (i >= s.len || (s.ptr[i] != '-' && s.ptr[i] != '/')) return false;
    sep = s.ptr[i++];
    int digits = 0;
    while (i < s.len && s.ptr[i] >= '0' && s.ptr[i] <= '9' && digits < 2) m = m * 10 + (s.ptr[i++] - '0'), digits++;
    if (!digits || i >= s.len || s.ptr[i] != sep) return false;
    i++;
    digits = 0;
    while (i < s.len && s.ptr[i] >= '0' && s.ptr[i] <= '9' && digits < 2) d = d * 10 + (s.ptr[i++] - '0'), digits++;
    if (!digits || i != s.len) return false;
    if (y < 1000 || y > 3999 || m < 1 || m > 12 || d < 1) return false;
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (d > mdays[m - 1]) return false;
    if (m == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) return false;
    return true;
}

static bool sg_expect_string(sg_ruleset *rs, sg_rule *r, sg_ynode *key, sg_ynode *v, sg_str *out) {
    if (v && v->kind == SG_YN_SCALAR && v->type != SG_YT_NULL) {
        /* Numbers and dates given where text is expected keep their text. */
        if (v->type == SG_YT_STR || v->type == SG_YT_DATE) {
            *out = v->str;
            return true;
        }
    }
    sg_rule_diag(rs, r, SG_D_RULE_STRUCTURE, v ? v : key, "'%.*s' must be a string, not a %s",
                 SG_STR_ARG(key->str), sg_ynode_kind_name(v));
    return false;
}

static void sg_parse_string_list(sg_ruleset *rs, sg_unit *u, sg_rule *r, sg_ynode *key,
                                 sg_ynode *v, sg_strlist *out) {
    if (!v || v->kind != SG_YN_SEQ) {
        sg_rule_diag(rs, r, SG_D_RULE_STRUCTURE, v ? v : key, "'%.*s' must be a list of strings, not a %s",
                     SG_STR_ARG(key->str), sg_ynode_kind_name(v));
        return;
    }
    out->items = SG_NEW_ARRAY(u->arena, sg_str, v->count ? v->count : 1);
    for (size_t i = 0; i < v->count; i++) {
        sg_ynode *it = v->items[i];
        if (it->kind != SG_YN_SCALAR || it->type == SG_YT_NULL) {
            sg_rule_diag(rs, r, SG_D_RULE_STRUCTURE, it, "items of '%.*s' must be strings, not a %s",
                         SG_STR_ARG(key->str), sg_ynode_kind_name(it));
            continue;
        }
        out->items[out->count++] = it->str;
    }
}

static bool sg_in_list_ci(sg_str s, const char *const *list, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (sg_str_ieq_cstr(s, list[i])) return true;
    return false;
}

static sg_str sg_lower_copy(sg_arena *a, sg_str s) {
    sg_str c = sg_str_dup(a, s.ptr, s.len);
    char *p = (char *)c.ptr;
    for (size_t i = 0; i < c.len; i++)
        if (p[i] >= 'A' && p[i] <= 'Z') p[i] = (char)(p[i] + 32);
    return c;
}

static void sg_parse_logsource(sg_ruleset *rs, sg_unit *u, sg_rule *r, sg_ynode *v) {
    sg_logsource *ls = &r->ir->meta.logsource;
    bool any = false;
    for (size_t i = 0; i < v->count; i++) {
        sg_ynode *k = v->pairs[i].key, *val = v->pairs[i].value;
        sg_str *slot = NULL;
        if (sg_str_eq_cstr(k->str, "category")) slot = &ls->category;
        else if (sg_str_eq_cstr(k->str, "product")) slot = &ls->product;
        else if (sg_str_eq_cstr(k->str, "service")) slot = &ls->service;
        else if (sg_str_eq_cstr(k->str, "definition")) slot = &ls->definition;
        if (!slot) continue; /* extra keys: the fieldname_logsource check reports them */
        if (val->kind != SG_YN_SCALAR || val->type == SG_YT_NULL) {
            sg_rule_diag(rs, r, SG_D_RULE_STRUCTURE, val, "logsource '%.*s' must be a string",
                         SG_STR_ARG(k->str));
            continue;
        }
        *slot = val->str;
        if (slot != &ls->definition) any = true;
    }
    (void)u;
    if (!any)
        sg_rule_diag(rs, r, SG_D_RULE_STRUCTURE, v,
                     "logsource needs at least one of category, product or service");
}

static void sg_parse_related(sg_ruleset *rs, sg_rule *r, sg_ynode *v) {
    static const char *const types[] = {"derived", "obsolete", "merged", "renamed", "similar"};
    if (v->kind != SG_YN_SEQ) {
        sg_rule_diag(rs, r, SG_D_RULE_STRUCTURE, v, "'related' must be a list of {id, type}");
        return;
    }
    for (size_t i = 0; i < v->count; i++) {
        sg_ynode *it = v->items[i];
        if (it->kind != SG_YN_MAP) {
            sg_rule_diag(rs, r, SG_D_RULE_STRUCTURE, it, "'related' items must be {id, type} mappings");
            continue;
        }
        sg_ynode *id = sg_ymap_get(it, "id"), *type = sg_ymap_get(it, "type");
        if (!sg_ynode_is_str(id))
            sg_rule_diag(rs, r, SG_D_RULE_STRUCTURE, id ? id : it, "a 'related' item needs a string 'id'");
        else if (!sg_is_uuid(id->str))
            sg_rule_diag(rs, r, SG_D_ID_NOT_UUID, id, "related id '%.*s' is not a UUID", SG_STR_ARG(id->str));
        if (!sg_ynode_is_str(type))
            sg_rule_diag(rs, r, SG_D_RULE_STRUCTURE, type ? type : it, "a 'related' item needs a string 'type'");
        else if (!sg_in_list_ci(type->str, types, 5))
            sg_rule_diag(rs, r, SG_D_RULE_VALUE, type,
                         "related type '%.*s' is not one of derived, obsolete, merged, renamed, similar",
                         SG_STR_ARG(type->str));
    }
}

void sg_rule_parse_meta(sg_ruleset *rs, sg_unit *u, sg_rule *r) {
    sg_ir_meta *m = &r->ir->meta;
    sg_ynode *root = r->root;
    unsigned kind_bit = 1u << r->kind;
    for (size_t i = 0; i < root->count; i++) {
        sg_ynode *k = root->pairs[i].key, *v = root->pairs[i].value;
        const sg_field_spec *spec = sg_find_field(k->str);
        if (!spec || !(spec->kinds & kind_bit)) {
            bool typo = false;
            for (size_t t = 0; t < sizeof sg_typo_keys / sizeof *sg_typo_keys; t++)
                typo |= sg_str_eq_cstr(k->str, sg_typo_keys[t]);
            if (!typo)
                sg_rule_diag(rs, r, SG_D_UNKNOWN_KEY, k,
                             spec ? "'%.*s' has no meaning in a %s" : "unknown key '%.*s' in a %s",
                             SG_STR_ARG(k->str), sg_kind_name(r->kind));
            continue;
        }
        sg_str s;
        switch (spec->type) {
        case SG_FT_STRING:
            if (!sg_expect_string(rs, r, k, v, &s)) break;
            if (sg_str_eq_cstr(k->str, "title")) m->title = s;
            else if (sg_str_eq_cstr(k->str, "id")) m->id = s;
            else if (sg_str_eq_cstr(k->str, "name")) m->name = s;
            else if (sg_str_eq_cstr(k->str, "status")) m->status = sg_lower_copy(u->arena, s);
            else if (sg_str_eq_cstr(k->str, "description")) m->description = s;
            else if (sg_str_eq_cstr(k->str, "license")) m->license = s;
            else if (sg_str_eq_cstr(k->str, "author")) m->author = s;
            else if (sg_str_eq_cstr(k->str, "level")) m->level = sg_lower_copy(u->arena, s);
            else if (sg_str_eq_cstr(k->str, "taxonomy")) m->taxonomy = s;
            break;
        case SG_FT_DATE:
            if (!v || v->kind != SG_YN_SCALAR || (v->type != SG_YT_DATE && v->type != SG_YT_STR) ||
                !sg_valid_date(v->str)) {
                sg_rule_diag(rs, r, SG_D_RULE_VALUE, v ? v : k,
                             "'%.*s' must be a date in the form YYYY-MM-DD", SG_STR_ARG(k->str));
                break;
            }
            if (sg_str_eq_cstr(k->str, "date")) m->date = v->str;
            else m->modified = v->str;
            break;
        case SG_FT_STRING_LIST: {
            sg_strlist *l = sg_str_eq_cstr(k->str, "tags")             ? &m->tags
                            : sg_str_eq_cstr(k->str, "references")     ? &m->references
                            : sg_str_eq_cstr(k->str, "fields")         ? &m->fields
                            : sg_str_eq_cstr(k->str, "falsepositives") ? &m->falsepositives
                                                                       : &m->scope;
            sg_parse_string_list(rs, u, r, k, v, l);
            break;
        }
        case SG_FT_MAP:
            if (!v || v->kind != SG_YN_MAP) {
                sg_rule_diag(rs, r, SG_D_RULE_STRUCTURE, v ? v : k, "'%.*s' must be a mapping, not a %s",
                             SG_STR_ARG(k->str), sg_ynode_kind_name(v));
                break;
            }
            if (sg_str_eq_cstr(k->str, "logsource")) sg_parse_logsource(rs, u, r, v);
            else if (sg_str_eq_cstr(k->str, "detection")) r->detection = v;
            else if (sg_str_eq_cstr(k->str, "correlation")) r->correlation = v;
            else if (sg_str_eq_cstr(k->str, "filter")) r->filter = v;
            else if (sg_str_eq_cstr(k->str, "threshold")) sg_threshold_parse(rs, r->file, v, &r->threshold);
            break;
        case SG_FT_ANY:
            if (sg_str_eq_cstr(k->str, "related")) sg_parse_related(rs, r, v);
            break;
        }
    }
    /* Required fields and value domains. */
    sg_ynode *title = sg_ymap_get(root, "title");
    if (!title)
        sg_rule_diag(rs, r, SG_D_RULE_STRUCTURE, root, "the %s has no 'title'", sg_kind_name(r->kind));
    else if (m->title.len > 256)
        sg_rule_diag(rs, r, SG_D_RULE_VALUE, title, "title is %zu characters long, over 256", m->title.len);
    sg_ynode *id = sg_ymap_get(root, "id");
    if (m->id.len && !sg_is_uuid(m->id))
        sg_rule_diag(rs, r, SG_D_ID_NOT_UUID, id, "id '%.*s' is not a UUID; the rule still compiles",
                     SG_STR_ARG(m->id));
    sg_ynode *name = sg_ymap_get(root, "name");
    if (name && sg_ynode_is_str(name) && name->str.len == 0)
        sg_rule_diag(rs, r, SG_D_RULE_VALUE, name, "'name' must not be empty");
    static const char *const statuses[] = {"stable", "test", "experimental", "deprecated", "unsupported"};
    if (m->status.len && !sg_in_list_ci(m->status, statuses, 5))
        sg_rule_diag(rs, r, SG_D_RULE_VALUE, sg_ymap_get(root, "status"),
                     "status '%.*s' is not one of stable, test, experimental, deprecated, unsupported",
                     SG_STR_ARG(m->status));
    static const char *const levels[] = {"informational", "low", "medium", "high", "critical"};
    if (m->level.len && !sg_in_list_ci(m->level, levels, 5))
        sg_rule_diag(rs, r, SG_D_RULE_VALUE, sg_ymap_get(root, "level"),
                     "level '%.*s' is not one of informational, low, medium, high, critical",
                     SG_STR_ARG(m->level));
    sg_ynode *tags = sg_ymap_get(root, "tags");
    for (size_t i = 0; tags && tags->kind == SG_YN_SEQ && i < tags->count; i++) {
        sg_ynode *t = tags->items[i];
        if (t->kind == SG_YN_SCALAR && !sg_str_has_byte(t->str, '.'))
            sg_rule_diag(rs, r, SG_D_RULE_VALUE, t, "tag '%.*s' has no namespace (namespace.name)",
                         SG_STR_ARG(t->str));
    }
    sg_ynode *tax = sg_ymap_get(root, "taxonomy");
    if (tax && sg_ynode_is_str(tax) && tax->str.len == 0)
        sg_rule_diag(rs, r, SG_D_RULE_VALUE, tax, "'taxonomy' must not be empty");
    if (r->kind != SG_RULE_CORRELATION && !sg_ymap_get(root, "logsource"))
        sg_rule_diag(rs, r, SG_D_RULE_STRUCTURE, root, "the %s has no 'logsource'", sg_kind_name(r->kind));
    if (r->kind == SG_RULE_DETECTION && !sg_ymap_get(root, "detection"))
        sg_rule_diag(rs, r, SG_D_RULE_STRUCTURE, root, "the rule has no 'detection'");
}
