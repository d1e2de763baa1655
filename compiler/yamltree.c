/* yaml.c - libyaml event loop building sg_ynode trees (see yaml.h).
 *
 * The loader is an explicit stack machine over libyaml's events, so a
 * deeply nested hostile file cannot overflow the C stack; the depth limit
 * is checked when a collection opens.  Children are gathered in a heap
 * vector per open collection and copied into the arena when it closes.
 */
#include "yamltree.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

const sg_yaml_limits sg_yaml_default_limits = {
    .max_depth = 64,
    .max_nodes = 200000,
    .max_documents = 1000,
};

/* An open collection.  Its children sit on the loader's one shared child
 * stack from `first` up (maps: key, value, key, value ...), so building a
 * tree allocates nothing on the heap per collection. */
typedef struct sg_yaml_frame {
    sg_ynode *node;
    size_t first; /* index of its first child on the child stack */
    size_t count;
} sg_yaml_frame;

typedef struct sg_yaml_loader {
    sg_arena *arena;
    const char *file;
    const char *data;
    size_t len;
    const sg_yaml_limits *limits;
    sg_diags *diags;
    sg_yaml_frame *stack;
    size_t depth, stack_cap;
    sg_ynode **kids;       /* the shared child stack */
    size_t n_kids, kids_cap;
    size_t nodes;
    bool failed;     /* fatal: loading stops */
    bool had_error;  /* an error that lets loading go on (duplicate keys) */
} sg_yaml_loader;

static sg_loc sg_yaml_mark_loc(const sg_yaml_loader *ld, yaml_mark_t m) {
    return (sg_loc){ld->file, (uint32_t)m.line + 1, (uint32_t)m.column + 1};
}

/* Line and column (in characters) of a byte offset, for reader errors that
 * carry only an offset. */
static sg_loc sg_yaml_offset_loc(const sg_yaml_loader *ld, size_t offset) {
    uint32_t line = 1, col = 1;
    if (offset > ld->len) offset = ld->len;
    for (size_t i = 0; i < offset; i++) {
        unsigned char c = (unsigned char)ld->data[i];
        if (c == '\n') {
            line++;
            col = 1;
        } else if ((c & 0xC0) != 0x80) {
            col++;
        }
    }
    return (sg_loc){ld->file, line, col};
}

sg_loc sg_ynode_loc(const char *file, const sg_ynode *n) {
    if (!n) return (sg_loc){file, 0, 0};
    return (sg_loc){file, n->line, n->col};
}

sg_loc sg_ynode_offset_loc(const char *file, const sg_ynode *n, size_t offset) {
    sg_loc loc = sg_ynode_loc(file, n);
    if (!n || n->kind != SG_YN_SCALAR || n->line != n->end_line || n->style == SG_YS_LITERAL ||
        n->style == SG_YS_FOLDED)
        return loc;
    if (n->style == SG_YS_DOUBLE && sg_str_has_byte(n->str, '\\')) return loc;
    uint32_t chars = n->style == SG_YS_PLAIN ? 0 : 1;
    for (size_t i = 0; i < offset && i < n->str.len; i++) {
        unsigned char c = (unsigned char)n->str.ptr[i];
        if ((c & 0xC0) != 0x80) chars++;
        if (n->style == SG_YS_SINGLE && c == '\'') chars++;
        if (n->style == SG_YS_DOUBLE && c == '"') chars++;
    }
    loc.col += chars;
    return loc;
}

/* ---- YAML 1.1 plain scalar resolution (PyYAML's implicit resolvers) ---- */

static bool sg_yaml_is_null(sg_str s) {
    return s.len == 0 || sg_str_eq_cstr(s, "~") || sg_str_eq_cstr(s, "null") ||
           sg_str_eq_cstr(s, "Null") || sg_str_eq_cstr(s, "NULL");
}

static int sg_yaml_bool_value(sg_str s) {
    static const char *const yes[] = {"yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"};
    static const char *const no[] = {"no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"};
    for (size_t i = 0; i < sizeof yes / sizeof *yes; i++)
        if (sg_str_eq_cstr(s, yes[i])) return 1;
    for (size_t i = 0; i < sizeof no / sizeof *no; i++)
        if (sg_str_eq_cstr(s, no[i])) return 0;
    return -1;
}

static int sg_yaml_digit(char c, int base) {
    int v;
    if (c >= '0' && c <= '9') v = c - '0';
    else if (c >= 'a' && c <= 'f') v = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F') v = c - 'A' + 10;
    else return -1;
    return v < base ? v : -1;
}

/* Accumulates digits of base (underscores allowed), detecting overflow. */
static bool sg_yaml_digits(const char *p, size_t n, int base, uint64_t *out, bool *overflow) {
    uint64_t v = 0;
    bool any = false;
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '_') continue;
        int d = sg_yaml_digit(p[i], base);
        if (d < 0) return false;
        any = true;
        if (__builtin_mul_overflow(v, (uint64_t)base, &v) ||
            __builtin_add_overflow(v, (uint64_t)d, &v))
            *overflow = true;
    }
    *out = v;
    return any;
}

/* int: [-+]?0b[01_]+ | [-+]?0[0-7_]+ | [-+]?(0|[1-9][0-9_]*) | [-+]?0x[0-9a-fA-F_]+
 * (sexagesimal forms are left as strings). */
static bool sg_yaml_parse_int(sg_str s, int64_t *out, bool *overflow) {
    const char *p = s.ptr;
    size_t n = s.len;
    bool neg = false;
    *overflow = false;
    if (n && (p[0] == '-' || p[0] == '+')) {
        neg = p[0] == '-';
        p++;
        n--;
    }
    if (!n) return false;
    uint64_t v = 0;
    bool ok;
    if (n > 2 && p[0] == '0' && p[1] == 'b') ok = sg_yaml_digits(p + 2, n - 2, 2, &v, overflow);
    else if (n > 2 && p[0] == '0' && p[1] == 'x') ok = sg_yaml_digits(p + 2, n - 2, 16, &v, overflow);
    else if (n > 1 && p[0] == '0') ok = sg_yaml_digits(p + 1, n - 1, 8, &v, overflow);
    else if (p[0] >= '1' && p[0] <= '9') ok = sg_yaml_digits(p, n, 10, &v, overflow);
    else if (n == 1 && p[0] == '0') ok = true, v = 0;
    else return false;
    if (!ok) return false;
    if (!*overflow && v > (uint64_t)INT64_MAX + (neg ? 1u : 0u)) *overflow = true;
    if (*overflow) {
        *out = neg ? INT64_MIN : INT64_MAX;
    } else {
        *out = neg ? (int64_t)(0 - v) : (int64_t)v;
    }
    return true;
}

/* float: [-+]?([0-9][0-9_]*)?\.[0-9_]*([eE][-+][0-9]+)? (needs a dot), .inf, .nan */
static bool sg_yaml_parse_float(sg_str s, double *out) {
    const char *p = s.ptr;
    size_t n = s.len, i = 0;
    if (sg_str_eq_cstr(s, ".nan") || sg_str_eq_cstr(s, ".NaN") || sg_str_eq_cstr(s, ".NAN")) {
        *out = NAN;
        return true;
    }
    if (n && (p[0] == '-' || p[0] == '+')) i++;
    sg_str rest = {p + i, n - i};
    if (sg_str_eq_cstr(rest, ".inf") || sg_str_eq_cstr(rest, ".Inf") || sg_str_eq_cstr(rest, ".INF")) {
        *out = p[0] == '-' ? -INFINITY : INFINITY;
        return true;
    }
    size_t int_digits = 0, frac_digits = 0;
    while (i < n && ((p[i] >= '0' && p[i] <= '9') || (p[i] == '_' && int_digits))) {
        if (p[i] != '_') int_digits++;
        i++;
    }
    if (i >= n || p[i] != '.') return false;
    /* Without an integer part PyYAML wants no sign and a digit right after the dot. */
    if (!int_digits && (i != 0 || i + 1 >= n || p[i + 1] < '0' || p[i + 1] > '9')) return false;
    i++;
    while (i < n && ((p[i] >= '0' && p[i] <= '9') || p[i] == '_')) {
        if (p[i] != '_') frac_digits++;
        i++;
    }
    if (!int_digits && !frac_digits) return false;
    if (i < n && (p[i] == 'e' || p[i] == 'E')) {
        i++;
        if (i >= n || (p[i] != '-' && p[i] != '+')) return false;
        i++;
        size_t exp_digits = 0;
        while (i < n && p[i] >= '0' && p[i] <= '9') i++, exp_digits++;
        if (!exp_digits) return false;
    }
    if (i != n) return false;
    char tmp[128];
    size_t k = 0;
    for (size_t j = 0; j < n && k < sizeof tmp - 1; j++)
        if (p[j] != '_') tmp[k++] = p[j];
    tmp[k] = '\0';
    *out = strtod(tmp, NULL);
    return true;
}

/* Up to max digits at p[i..n); returns how many. */
static size_t sg_yaml_ndigits(const char *p, size_t n, size_t i, size_t max) {
    size_t d = 0;
    while (i + d < n && d < max && p[i + d] >= '0' && p[i + d] <= '9') d++;
    return d;
}

/* PyYAML's timestamp: YYYY-MM-DD, or YYYY-M[M]-D[D] followed by a time
 * (T|t|blanks) H[H]:MM:SS[.fraction] and an optional zone [blanks](Z|+-H[H][:MM]). */
static bool sg_yaml_is_date(sg_str s) {
    const char *p = s.ptr;
    size_t n = s.len, i, d;
    if (sg_yaml_ndigits(p, n, 0, 4) != 4 || n < 5 || p[4] != '-') return false;
    size_t md = sg_yaml_ndigits(p, n, 5, 2);
    i = 5 + md;
    if (!md || i >= n || p[i] != '-') return false;
    size_t dd = sg_yaml_ndigits(p, n, ++i, 2);
    i += dd;
    if (!dd) return false;
    if (i == n) return md == 2 && dd == 2;
    if (p[i] == 'T' || p[i] == 't') i++;
    else if (p[i] == ' ' || p[i] == '\t')
        while (i < n && (p[i] == ' ' || p[i] == '\t')) i++;
    else return false;
    if (!(d = sg_yaml_ndigits(p, n, i, 2))) return false;
    i += d;
    for (int k = 0; k < 2; k++) {
        if (i >= n || p[i] != ':' || sg_yaml_ndigits(p, n, i + 1, 2) != 2) return false;
        i += 3;
    }
    if (i < n && p[i] == '.')
        for (i++; i < n && p[i] >= '0' && p[i] <= '9'; i++) {}
    if (i == n) return true;
    while (i < n && (p[i] == ' ' || p[i] == '\t')) i++;
    if (i < n && p[i] == 'Z') return i + 1 == n;
    if (i >= n || (p[i] != '-' && p[i] != '+')) return false;
    if (!(d = sg_yaml_ndigits(p, n, ++i, 2))) return false;
    i += d;
    if (i < n && p[i] == ':') {
        if (sg_yaml_ndigits(p, n, i + 1, 2) != 2) return false;
        i += 3;
    }
    return i == n;
}

static void sg_yaml_resolve_plain(sg_ynode *n) {
    sg_str s = n->str;
    int b;
    /* Most plain scalars are ordinary words: the first byte rules out every
     * special form without any comparison. */
    unsigned char c0 = s.len ? (unsigned char)s.ptr[0] : 0;
    bool maybe_word = s.len <= 5 && strchr("~nNyYtTfFoO", c0) != NULL;
    bool maybe_number = (c0 >= '0' && c0 <= '9') || c0 == '-' || c0 == '+' || c0 == '.';
    if (s.len && !maybe_word && !maybe_number) {
        n->type = SG_YT_STR;
        return;
    }
    if (sg_yaml_is_null(s)) {
        n->type = SG_YT_NULL;
    } else if ((b = sg_yaml_bool_value(s)) >= 0) {
        n->type = SG_YT_BOOL;
        n->bval = b == 1;
    } else if (sg_yaml_parse_int(s, &n->ival, &n->int_overflow)) {
        n->type = SG_YT_INT;
        n->fval = (double)n->ival;
    } else if (sg_yaml_parse_float(s, &n->fval)) {
        n->type = SG_YT_FLOAT;
    } else if (sg_yaml_is_date(s)) {
        n->type = SG_YT_DATE;
    } else {
        n->type = SG_YT_STR;
    }
}

/* Explicit tags: only the core scalar tags are accepted. */
static bool sg_yaml_apply_tag(sg_yaml_loader *ld, sg_ynode *n, const char *tag) {
    static const char prefix[] = "tag:yaml.org,2002:";
    if (!tag || strcmp(tag, "!") == 0) return true;
    const char *t = strncmp(tag, prefix, sizeof prefix - 1) == 0 ? tag + sizeof prefix - 1 : NULL;
    if (t && strcmp(t, "str") == 0) {
        n->type = SG_YT_STR;
        return true;
    }
    if (t && (strcmp(t, "int") == 0 || strcmp(t, "float") == 0 || strcmp(t, "bool") == 0 ||
              strcmp(t, "null") == 0)) {
        sg_yaml_resolve_plain(n);
        bool ok = (strcmp(t, "int") == 0 && n->type == SG_YT_INT) ||
                  (strcmp(t, "float") == 0 && (n->type == SG_YT_FLOAT || n->type == SG_YT_INT)) ||
                  (strcmp(t, "bool") == 0 && n->type == SG_YT_BOOL) ||
                  (strcmp(t, "null") == 0 && n->type == SG_YT_NULL);
        if (ok && strcmp(t, "float") == 0) n->type = SG_YT_FLOAT;
        if (ok) return true;
        sg_diag_add(ld->diags, SG_D_YAML_TAG, (sg_loc){ld->file, n->line, n->col},
                    "value does not match its tag '!!%s'", t);
        return false;
    }
    sg_diag_add(ld->diags, SG_D_YAML_TAG, (sg_loc){ld->file, n->line, n->col},
                "YAML tag '%s' is not used by Sigma", tag);
    return false;
}

/* ---- the stack machine ---- */

static sg_ynode *sg_yaml_new_node(sg_yaml_loader *ld, sg_ynode_kind kind, yaml_mark_t start) {
    if (++ld->nodes > ld->limits->max_nodes) {
        sg_diag_add(ld->diags, SG_D_LIMIT_YAML_NODES, sg_yaml_mark_loc(ld, start),
                    "more than %zu YAML nodes in one file", ld->limits->max_nodes);
        ld->failed = true;
        return NULL;
    }
    sg_ynode *n = SG_NEW(ld->arena, sg_ynode);
    n->kind = kind;
    n->line = (uint32_t)start.line + 1;
    n->col = (uint32_t)start.column + 1;
    n->end_line = n->line;
    return n;
}

static void sg_yaml_frame_push_child(sg_yaml_loader *ld, sg_yaml_frame *f, sg_ynode *child) {
    if (ld->n_kids == ld->kids_cap) {
        ld->kids_cap = ld->kids_cap ? ld->kids_cap * 2 : 256;
        ld->kids = sg_xrealloc(ld->kids, ld->kids_cap * sizeof *ld->kids);
    }
    ld->kids[ld->n_kids++] = child;
    f->count++;
}

static int sg_yaml_key_cmp(const void *pa, const void *pb) {
    const sg_ypair *a = *(sg_ypair *const *)pa, *b = *(sg_ypair *const *)pb;
    int c = sg_str_cmp(a->key->str, b->key->str);
    if (c) return c;
    if (a->key->line != b->key->line) return a->key->line < b->key->line ? -1 : 1;
    return a->key->col < b->key->col ? -1 : a->key->col > b->key->col;
}

static void sg_yaml_report_duplicate(sg_yaml_loader *ld, const sg_ynode *k, const sg_ynode *first) {
    sg_diag_add(ld->diags, SG_D_YAML_DUPLICATE_KEY, (sg_loc){ld->file, k->line, k->col},
                "duplicate key '%.*s' (first defined at line %u)", SG_STR_ARG(k->str), first->line);
    ld->had_error = true;
}

/* Reports each key that repeats an earlier key of the same map, naming the
 * first line.  Small maps (all of a normal rule) compare pairwise; large
 * ones sort, so a hostile map with many keys stays O(n log n). */
static void sg_yaml_check_duplicates(sg_yaml_loader *ld, sg_ynode *map) {
    if (map->count < 2) return;
    if (map->count <= 32) {
        for (size_t i = 1; i < map->count; i++)
            for (size_t j = 0; j < i; j++)
                if (sg_str_eq(map->pairs[i].key->str, map->pairs[j].key->str)) {
                    sg_yaml_report_duplicate(ld, map->pairs[i].key, map->pairs[j].key);
                    break;
                }
        return;
    }
    sg_ypair **sorted = sg_xmalloc(map->count * sizeof *sorted);
    for (size_t i = 0; i < map->count; i++) sorted[i] = &map->pairs[i];
    qsort(sorted, map->count, sizeof *sorted, sg_yaml_key_cmp);
    for (size_t i = 1; i < map->count; i++) {
        size_t first = i - 1;
        while (first > 0 && sg_str_eq(sorted[first - 1]->key->str, sorted[i]->key->str)) first--;
        if (sg_str_eq(sorted[first]->key->str, sorted[i]->key->str))
            sg_yaml_report_duplicate(ld, sorted[i]->key, sorted[first]->key);
    }
    free(sorted);
}

static void sg_yaml_close(sg_yaml_loader *ld, sg_yaml_frame *f, yaml_mark_t end) {
    sg_ynode *n = f->node;
    sg_ynode **children = ld->kids ? ld->kids + f->first : NULL; /* NULL: no child yet in this file */
    n->end_line = (uint32_t)end.line + 1;
    if (n->kind == SG_YN_MAP) {
        n->count = (uint32_t)(f->count / 2);
        n->pairs = SG_NEW_ARRAY(ld->arena, sg_ypair, n->count);
        for (size_t i = 0; i < n->count; i++) {
            n->pairs[i].key = children[2 * i];
            n->pairs[i].value = children[2 * i + 1];
        }
        sg_yaml_check_duplicates(ld, n);
    } else {
        n->count = (uint32_t)f->count;
        n->items = SG_NEW_ARRAY(ld->arena, sg_ynode *, n->count);
        if (n->count) memcpy(n->items, children, n->count * sizeof *n->items);
    }
    ld->n_kids = f->first; /* pop this collection's children */
}

/* Attaches a finished node to the open collection (or the document). */
static void sg_yaml_attach(sg_yaml_loader *ld, sg_ynode *n, sg_ydoc *doc) {
    if (ld->depth == 0) {
        doc->root = n;
        return;
    }
    sg_yaml_frame *f = &ld->stack[ld->depth - 1];
    if (f->node->kind == SG_YN_MAP && f->count % 2 == 0 && n->kind != SG_YN_SCALAR) {
        sg_diag_add(ld->diags, SG_D_YAML_KEY_TYPE, (sg_loc){ld->file, n->line, n->col},
                    "a mapping key must be a plain string, not a %s",
                    n->kind == SG_YN_MAP ? "mapping" : "sequence");
        ld->had_error = true;
    }
    sg_yaml_frame_push_child(ld, f, n);
}

static bool sg_yaml_open(sg_yaml_loader *ld, sg_ynode *n, yaml_mark_t mark) {
    if (ld->depth >= ld->limits->max_depth) {
        sg_diag_add(ld->diags, SG_D_LIMIT_YAML_DEPTH, sg_yaml_mark_loc(ld, mark),
                    "YAML nesting deeper than %u levels", ld->limits->max_depth);
        ld->failed = true;
        return false;
    }
    if (ld->depth == ld->stack_cap) {
        ld->stack_cap = ld->stack_cap ? ld->stack_cap * 2 : 16;
        ld->stack = sg_xrealloc(ld->stack, ld->stack_cap * sizeof *ld->stack);
    }
    ld->stack[ld->depth++] = (sg_yaml_frame){n, ld->n_kids, 0};
    return true;
}

static void sg_yaml_report_parser_error(sg_yaml_loader *ld, yaml_parser_t *p) {
    if (p->error == YAML_READER_ERROR) {
        const char *what = p->problem ? p->problem : "cannot read input";
        sg_diag_id id = strstr(what, "UTF") || strstr(what, "octet") ? SG_D_YAML_ENCODING
                                                                      : SG_D_YAML_SYNTAX;
        if (strstr(what, "control characters") || strstr(what, "Unicode character")) id = SG_D_YAML_ENCODING;
        sg_diag_add(ld->diags, id, sg_yaml_offset_loc(ld, p->problem_offset), "%s", what);
    } else if (p->error == YAML_MEMORY_ERROR) {
        sg_out_of_memory();
    } else {
        const char *problem = p->problem ? p->problem : "invalid YAML";
        if (p->context)
            sg_diag_add(ld->diags, SG_D_YAML_SYNTAX, sg_yaml_mark_loc(ld, p->problem_mark),
                        "%s %s (line %zu)", problem, p->context, p->context_mark.line + 1);
        else
            sg_diag_add(ld->diags, SG_D_YAML_SYNTAX, sg_yaml_mark_loc(ld, p->problem_mark), "%s",
                        problem);
    }
    ld->failed = true;
}

static sg_yscalar_style sg_yaml_style(yaml_scalar_style_t s) {
    switch (s) {
    case YAML_SINGLE_QUOTED_SCALAR_STYLE: return SG_YS_SINGLE;
    case YAML_DOUBLE_QUOTED_SCALAR_STYLE: return SG_YS_DOUBLE;
    case YAML_LITERAL_SCALAR_STYLE: return SG_YS_LITERAL;
    case YAML_FOLDED_SCALAR_STYLE: return SG_YS_FOLDED;
    default: return SG_YS_PLAIN;
    }
}

static bool sg_yaml_reject_anchor(sg_yaml_loader *ld, const yaml_char_t *anchor, yaml_mark_t m) {
    if (!anchor) return false;
    sg_diag_add(ld->diags, SG_D_YAML_ALIAS, sg_yaml_mark_loc(ld, m),
                "YAML anchor '&%s' is not allowed in a Sigma rule", (const char *)anchor);
    ld->failed = true;
    return true;
}

int sg_yaml_load(sg_arena *arena, const char *file, const char *data, size_t len,
                 const sg_yaml_limits *limits, sg_diags *diags, sg_ydoc **docs_out,
                 size_t *ndocs_out) {
    sg_yaml_loader ld = {.arena = arena, .file = file, .data = data, .len = len,
                         .limits = limits ? limits : &sg_yaml_default_limits, .diags = diags};
    size_t ndocs = 0, cap = 4;
    sg_ydoc *docs = sg_xmalloc(cap * sizeof *docs);
    sg_ydoc *doc = NULL;
    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser)) sg_out_of_memory();
    yaml_parser_set_input_string(&parser, (const unsigned char *)data, len);
    yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING);

    bool done = false;
    while (!done && !ld.failed) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&parser, &ev)) {
            sg_yaml_report_parser_error(&ld, &parser);
            break;
        }
        switch (ev.type) {
        case YAML_STREAM_END_EVENT:
            done = true;
            break;
        case YAML_DOCUMENT_START_EVENT:
            if (ndocs == ld.limits->max_documents) {
                sg_diag_add(diags, SG_D_LIMIT_DOCUMENTS, sg_yaml_mark_loc(&ld, ev.start_mark),
                            "more than %zu YAML documents in one file", ld.limits->max_documents);
                ld.failed = true;
                break;
            }
            if (ndocs == cap) {
                cap *= 2;
                docs = sg_xrealloc(docs, cap * sizeof *docs);
            }
            doc = &docs[ndocs++];
            doc->root = NULL;
            doc->line = (uint32_t)ev.start_mark.line + 1;
            break;
        case YAML_ALIAS_EVENT:
            sg_diag_add(diags, SG_D_YAML_ALIAS, sg_yaml_mark_loc(&ld, ev.start_mark),
                        "YAML alias '*%s' is not allowed in a Sigma rule",
                        (const char *)ev.data.alias.anchor);
            ld.failed = true;
            break;
        case YAML_SCALAR_EVENT: {
            if (sg_yaml_reject_anchor(&ld, ev.data.scalar.anchor, ev.start_mark)) break;
            sg_ynode *n = sg_yaml_new_node(&ld, SG_YN_SCALAR, ev.start_mark);
            if (!n) break;
            n->end_line = (uint32_t)ev.end_mark.line + 1;
            /* libyaml gives an empty document an empty plain scalar: keep root NULL. */
            if (ld.depth == 0 && ev.data.scalar.length == 0 && ev.data.scalar.plain_implicit &&
                ev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE && !ev.data.scalar.tag)
                break;
            n->str = sg_str_dup(arena, (const char *)ev.data.scalar.value, ev.data.scalar.length);
            n->style = sg_yaml_style(ev.data.scalar.style);
            n->type = SG_YT_STR;
            if (ev.data.scalar.plain_implicit && n->style == SG_YS_PLAIN) sg_yaml_resolve_plain(n);
            if (ev.data.scalar.tag && !sg_yaml_apply_tag(&ld, n, (const char *)ev.data.scalar.tag))
                ld.failed = true;
            sg_yaml_attach(&ld, n, doc);
            break;
        }
        case YAML_SEQUENCE_START_EVENT:
        case YAML_MAPPING_START_EVENT: {
            bool is_map = ev.type == YAML_MAPPING_START_EVENT;
            const yaml_char_t *anchor = is_map ? ev.data.mapping_start.anchor
                                               : ev.data.sequence_start.anchor;
            const yaml_char_t *tag = is_map ? ev.data.mapping_start.tag : ev.data.sequence_start.tag;
            if (sg_yaml_reject_anchor(&ld, anchor, ev.start_mark)) break;
            if (tag && strcmp((const char *)tag, is_map ? "tag:yaml.org,2002:map"
                                                        : "tag:yaml.org,2002:seq") != 0) {
                sg_diag_add(diags, SG_D_YAML_TAG, sg_yaml_mark_loc(&ld, ev.start_mark),
                            "YAML tag '%s' is not used by Sigma", (const char *)tag);
                ld.failed = true;
                break;
            }
            sg_ynode *n = sg_yaml_new_node(&ld, is_map ? SG_YN_MAP : SG_YN_SEQ, ev.start_mark);
            if (!n) break;
            sg_yaml_attach(&ld, n, doc);
            sg_yaml_open(&ld, n, ev.start_mark);
            break;
        }
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT:
            if (ld.depth) {
                sg_yaml_close(&ld, &ld.stack[ld.depth - 1], ev.end_mark);
                ld.depth--;
            }
            break;
        default:
            break;
        }
        yaml_event_delete(&ev);
    }
    free(ld.kids);
    free(ld.stack);
    yaml_parser_delete(&parser);

    sg_ydoc *out = SG_NEW_ARRAY(arena, sg_ydoc, ndocs ? ndocs : 1);
    if (ndocs) memcpy(out, docs, ndocs * sizeof *docs);
    free(docs);
    *docs_out = out;
    *ndocs_out = ndocs;
    return ld.failed || ld.had_error ? -1 : 0;
}

sg_ypair *sg_ymap_get_pair(const sg_ynode *map, const char *key) {
    if (!map || map->kind != SG_YN_MAP) return NULL;
    for (size_t i = 0; i < map->count; i++)
        if (sg_str_eq_cstr(map->pairs[i].key->str, key)) return &map->pairs[i];
    return NULL;
}

sg_ynode *sg_ymap_get(const sg_ynode *map, const char *key) {
    sg_ypair *p = sg_ymap_get_pair(map, key);
    return p ? p->value : NULL;
}

bool sg_ynode_is_str(const sg_ynode *n) {
    return n && n->kind == SG_YN_SCALAR && n->type == SG_YT_STR;
}

const char *sg_ynode_kind_name(const sg_ynode *n) {
    if (!n) return "nothing";
    if (n->kind == SG_YN_MAP) return "mapping";
    if (n->kind == SG_YN_SEQ) return "list";
    switch (n->type) {
    case SG_YT_INT:
    case SG_YT_FLOAT: return "number";
    case SG_YT_BOOL: return "boolean";
    case SG_YT_NULL: return "null";
    case SG_YT_DATE: return "date";
    default: return "string";
    }
}
