/* check.c - the lint checks of `sigc check`: pySigma's core validators.
 *
 * Every check keeps the id pySigma gives its validator (the class name in
 * snake_case, e.g. EscapedWildcardValidator -> escaped_wildcard) and
 * reports with the id's default severity from diag.def: pySigma's HIGH and
 * MEDIUM are warnings, LOW is a note.  Each finding is located at the YAML
 * node it concerns (the value, the key, the tag, the condition column).
 *
 * All checks are listed once, in sg_check_table.  A check is either a
 * rule check (called once per rule) or a set check (called once, comparing
 * rules or files across everything loaded).  Checks the user disabled
 * (diags.disabled) are not run at all.
 *
 * Values: pySigma validates a detection item's values after its modifiers
 * have been applied (SigmaDetectionItem.value).  The string checks here
 * replay the string modifiers on the raw YAML value with encode.h, so they
 * see what pySigma sees: `contains` adds wildcards, `base64` hides an
 * escaped `*`.  A modifier that makes the value something other than a
 * string (re, cidr, fieldref, exists, comparisons, time parts) or an
 * expansion (windash, base64offset give a SigmaExpansion, which pySigma's
 * string validators skip) takes the value out of those checks.
 */
#include "check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data.h"
#include "modifiers.h"

/* ------------------------------------------------------------------ */
/* Context, reporting, small helpers                                    */

/* A sorted set of ids from an embedded TSV (attack.tsv, d3fend.tsv). */
typedef struct sg_check_idset {
    sg_str *ids;
    size_t n;
} sg_check_idset;

struct sg_checker {
    sg_ruleset *rs;
    sg_diags *d;
    sg_arena *a;           /* scratch: emptied after each rule's checks */
    sg_arena *keep;        /* what lives for the whole run (the id sets) */
    bool on[64];           /* per table row: the check is enabled */
    sg_check_idset attack; /* loaded only when attacktag runs */
    sg_check_idset d3fend; /* loaded only when d3_fendtag runs */
    struct sg_check_value_walk *values; /* the enabled value checks */
};
typedef struct sg_checker sg_check_ctx;

/* Adds a finding with the check's default severity and tags it with the
 * rule's Sigma id (r may be NULL). */
__attribute__((format(printf, 5, 6))) static void sg_check_report(sg_check_ctx *c, const sg_rule *r,
                                                                  sg_diag_id id, sg_loc loc,
                                                                  const char *fmt, ...) {
    size_t from = c->d->count;
    va_list ap;
    va_start(ap, fmt);
    sg_diag_vadd(c->d, id, sg_diag_table[id].severity, loc, fmt, ap);
    va_end(ap);
    if (r) sg_diags_tag_rule(c->d, from, r->ir->meta.id);
}

static sg_loc sg_check_at(const sg_rule *r, const sg_ynode *n) {
    return sg_ynode_loc(r->file, n);
}

/* Rule data for a message: at most 80 bytes (cut at a UTF-8 boundary,
 * then "..."), NUL bytes shown as \x00 so the message is not cut short.
 * Other control bytes are left to the renderers, which escape them. */
static const char *sg_check_show(sg_check_ctx *c, sg_str s) {
    sg_buf b;
    sg_buf_init(&b);
    size_t n = s.len;
    bool cut = false;
    if (n > 80) {
        n = 80;
        while (n > 0 && ((unsigned char)s.ptr[n] & 0xC0) == 0x80)
            n--;
        cut = true;
    }
    for (size_t i = 0; i < n; i++) {
        if (s.ptr[i] == '\0')
            sg_buf_add_cstr(&b, "\\x00");
        else
            sg_buf_add_byte(&b, s.ptr[i]);
    }
    if (cut) sg_buf_add_cstr(&b, "...");
    sg_str out = sg_buf_to_str(&b, c->a);
    sg_buf_free(&b);
    return out.ptr;
}

/* Number of characters (UTF-8 code points) in s. */
static size_t sg_check_chars(sg_str s) {
    size_t n = 0;
    for (size_t i = 0; i < s.len; i++)
        n += ((unsigned char)s.ptr[i] & 0xC0) != 0x80;
    return n;
}

static bool sg_check_is_digit(char c) {
    return c >= '0' && c <= '9';
}

static bool sg_check_in_list(sg_str s, const char *const *list, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (sg_str_eq_cstr(s, list[i])) return true;
    return false;
}

/* ASCII case-insensitive ordering. */
static int sg_check_icmp(sg_str a, sg_str b) {
    size_t n = a.len < b.len ? a.len : b.len;
    for (size_t i = 0; i < n; i++) {
        int x = (unsigned char)a.ptr[i], y = (unsigned char)b.ptr[i];
        if (x >= 'A' && x <= 'Z') x += 32;
        if (y >= 'A' && y <= 'Z') y += 32;
        if (x != y) return x < y ? -1 : 1;
    }
    return a.len < b.len ? -1 : a.len > b.len ? 1 : 0;
}

/* The value node of a top-level key of the rule, or NULL. */
static sg_ynode *sg_check_top(const sg_rule *r, const char *key) {
    return sg_ymap_get(r->root, key);
}

/* The base name of a path (after the last '/'). */
static const char *sg_check_basename(const char *path) {
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

/* ------------------------------------------------------------------ */
/* Embedded id sets                                                     */

static int sg_check_str_qcmp(const void *a, const void *b) {
    return sg_str_cmp(*(const sg_str *)a, *(const sg_str *)b);
}

/* Reads the first column of `<id>\t<kind>\t<name>` lines; '#' lines are
 * comments.  Sorted here so lookups never depend on the file's order. */
static void sg_check_idset_load(sg_arena *a, const char *data, size_t len, sg_check_idset *out) {
    size_t lines = 1;
    for (const char *p = data, *stop = data + len; (p = memchr(p, '\n', (size_t)(stop - p))) != NULL; p++) lines++;
    out->ids = SG_NEW_ARRAY(a, sg_str, lines);
    out->n = 0;
    size_t i = 0;
    while (i < len) {
        size_t start = i;
        const char *nl = memchr(data + i, '\n', len - i);
        size_t end = nl ? (size_t)(nl - data) : len;
        i = nl ? end + 1 : len;
        if (end > start && data[end - 1] == '\r') end--;
        if (end == start || data[start] == '#') continue;
        const char *tab = memchr(data + start, '\t', end - start);
        size_t id_len = tab ? (size_t)(tab - (data + start)) : end - start;
        if (id_len) out->ids[out->n++] = (sg_str){data + start, id_len};
    }
    /* the files come sorted by id: sorted again only when they are not (a
     * merge sort of sorted ATT&CK ids was most of `sigc check` on one rule) */
    bool sorted = true;
    for (size_t k = 1; sorted && k < out->n; k++) sorted = sg_check_str_qcmp(&out->ids[k - 1], &out->ids[k]) <= 0;
    if (!sorted) qsort(out->ids, out->n, sizeof *out->ids, sg_check_str_qcmp);
}

static bool sg_check_idset_has(const sg_check_idset *set, sg_str id) {
    return set->n && bsearch(&id, set->ids, set->n, sizeof *set->ids, sg_check_str_qcmp) != NULL;
}

/* ------------------------------------------------------------------ */
/* Detection items as pySigma sees them                                  */

/* One pySigma SigmaDetectionItem: a field (or none), its modifiers, and
 * its values.  A `field|mods: value(s)` entry of a map is one item.  A
 * search whose value is a list of plain values is ONE keyword item with
 * all of them (SigmaDetection.from_definition); in a list that mixes maps
 * and plain values, each plain value is an item of its own. */
typedef struct sg_check_item {
    sg_str field;       /* len 0: keyword */
    const sg_str *mods; /* as written */
    size_t n_mods;
    sg_mod *mod;         /* looked up; valid only when mods_known */
    bool mods_known;     /* every modifier exists (else the front end reported it) */
    const sg_ynode *key; /* NULL for plain keywords */
    const sg_ynode *at;  /* the value as written: a scalar or a sequence */
    sg_ynode *const *values;
    size_t n_values;
} sg_check_item;

typedef void (*sg_check_item_fn)(sg_check_ctx *c, sg_rule *r, const sg_check_item *it,
                                 const void *arg);

static void sg_check_item_init(sg_check_ctx *c, sg_check_item *it, sg_str field, const sg_str *mods,
                               size_t n_mods, const sg_ynode *key, sg_ynode *const *value) {
    memset(it, 0, sizeof *it);
    it->field = field;
    it->mods = mods;
    it->n_mods = n_mods;
    it->key = key;
    it->at = *value;
    it->mod = SG_NEW_ARRAY(c->a, sg_mod, n_mods ? n_mods : 1);
    it->mods_known = true;
    for (size_t i = 0; i < n_mods; i++) {
        it->mod[i] = sg_mod_lookup(mods[i]);
        if (it->mod[i] == SG_MOD__COUNT) it->mods_known = false;
    }
    const sg_ynode *v = *value;
    if (v->kind == SG_YN_SEQ) {
        it->values = v->items;
        it->n_values = v->count;
    } else if (v->kind == SG_YN_SCALAR) {
        it->values = value;
        it->n_values = 1;
    }
}

static size_t sg_check_mod_count(const sg_check_item *it, sg_mod m) {
    size_t n = 0;
    for (size_t i = 0; i < it->n_mods; i++)
        n += it->mods_known && it->mod[i] == m;
    return n;
}

static bool sg_check_has_mod(const sg_check_item *it, sg_mod m) {
    return sg_check_mod_count(it, m) > 0;
}

/* Calls fn for every detection item of every search identifier. */
static void sg_check_each_item(sg_check_ctx *c, sg_rule *r, sg_check_item_fn fn, const void *arg) {
    sg_check_item it;
    for (size_t i = 0; i < r->n_searches; i++) {
        const sg_search *s = &r->searches[i];
        for (size_t m = 0; m < s->n_maps; m++) {
            for (size_t k = 0; k < s->maps[m].count; k++) {
                const sg_ditem *d = &s->maps[m].items[k];
                sg_check_item_init(c, &it, d->field, d->mods, d->n_mods, d->key, &d->value);
                if (it.n_values) fn(c, r, &it, arg);
            }
        }
        if (!s->n_keywords) continue;
        if (s->n_maps == 0 && s->value->kind == SG_YN_SEQ) {
            /* a list of plain values: one keyword item */
            sg_check_item_init(c, &it, (sg_str){"", 0}, NULL, 0, NULL, &s->value);
            fn(c, r, &it, arg);
            continue;
        }
        for (size_t k = 0; k < s->n_keywords; k++) {
            sg_check_item_init(c, &it, (sg_str){"", 0}, NULL, 0, NULL, &s->keywords[k].value);
            fn(c, r, &it, arg);
        }
    }
}

/* The value v of item it after its modifiers, as the SigmaString pySigma's
 * string validators inspect.  False when the value is not a string then:
 * not a YAML string to begin with (numbers, booleans, null), a modifier
 * that changes its type, or an expansion (windash, base64offset). */
static bool sg_check_string_value(sg_check_ctx *c, const sg_check_item *it, const sg_ynode *v,
                                  sg_sstring *out) {
    if (v->kind != SG_YN_SCALAR || v->type != SG_YT_STR || !it->mods_known) return false;
    bool expand = false;
    for (size_t i = 0; i < it->n_mods; i++) {
        sg_mod m = it->mod[i];
        sg_mod_class cls = sg_mod_table[m].cls;
        if (cls == SG_MC_TYPE || cls == SG_MC_REGEX_FLAG || cls == SG_MC_COMPARE ||
            cls == SG_MC_TIMEPART)
            return false;
        if (m == SG_MOD_WINDASH || m == SG_MOD_BASE64OFFSET) return false;
        if (m == SG_MOD_EXPAND) expand = true;
    }
    sg_sstring s = sg_sstr_parse(c->a, v->str, expand);
    for (size_t i = 0; i < it->n_mods; i++) {
        sg_sstring t;
        switch (it->mod[i]) {
        case SG_MOD_CONTAINS:
            s = sg_sstr_contains(c->a, s);
            break;
        case SG_MOD_STARTSWITH:
            s = sg_sstr_startswith(c->a, s);
            break;
        case SG_MOD_ENDSWITH:
            s = sg_sstr_endswith(c->a, s);
            break;
        case SG_MOD_BASE64:
            if (!sg_sstr_base64(c->a, s, &t))
                return false; /* wildcards: the front end reported it */
            s = t;
            break;
        case SG_MOD_WIDE:
        case SG_MOD_UTF16LE:
            s = sg_sstr_utf16le(c->a, s);
            break;
        case SG_MOD_UTF16BE:
            s = sg_sstr_utf16be(c->a, s);
            break;
        case SG_MOD_UTF16:
            s = sg_sstr_utf16(c->a, s);
            break;
        default:
            break; /* all, cased, expand, neq: the string is unchanged */
        }
    }
    *out = s;
    return true;
}

/* Walks every string value (after modifiers) of every item. */
typedef void (*sg_check_value_fn)(sg_check_ctx *c, sg_rule *r, const sg_check_item *it,
                                  const sg_ynode *v, sg_sstring s);
typedef struct sg_check_value_walk {
    sg_check_value_fn fns[8];
    size_t n;
} sg_check_value_walk;

/* Every value check sees each string value once: the value is parsed and
 * its modifiers replayed one time, then each enabled check looks at it. */
static void sg_check_values_of_item(sg_check_ctx *c, sg_rule *r, const sg_check_item *it,
                                    const void *arg) {
    const sg_check_value_walk *w = arg;
    for (size_t i = 0; i < it->n_values; i++) {
        sg_sstring s;
        if (!sg_check_string_value(c, it, it->values[i], &s)) continue;
        for (size_t k = 0; k < w->n; k++) w->fns[k](c, r, it, it->values[i], s);
    }
}

/* ------------------------------------------------------------------ */
/* Conditions                                                           */

typedef void (*sg_check_leaf_fn)(sg_check_ctx *c, sg_rule *r, const sg_condition *cond,
                                 const sg_cond_node *n, void *arg);

/* Calls fn on every leaf (identifier, `x of pattern`) of a parsed
 * condition.  Iterative: `a or b or c ...` folds into a left-deep tree as
 * deep as the condition is long. */
static void sg_check_cond_leaves(sg_check_ctx *c, sg_rule *r, const sg_condition *cond,
                                 sg_check_leaf_fn fn, void *arg) {
    size_t cap = 32, n = 0;
    const sg_cond_node **stack = sg_xmalloc(cap * sizeof *stack);
    stack[n++] = cond->parsed.expr;
    while (n) {
        const sg_cond_node *x = stack[--n];
        if (!x) continue;
        if (n + 2 > cap) {
            cap *= 2;
            stack = sg_xrealloc(stack, cap * sizeof *stack);
        }
        switch (x->kind) {
        case SG_COND_AND:
        case SG_COND_OR:
            stack[n++] = x->right;
            stack[n++] = x->left;
            break;
        case SG_COND_NOT:
            stack[n++] = x->left;
            break;
        default:
            fn(c, r, cond, x, arg);
            break;
        }
    }
    free(stack);
}

/* True when every condition of the rule parsed (the checks that read the
 * condition tree skip a rule whose condition the front end rejected). */
static bool sg_check_conditions_ok(const sg_rule *r) {
    if (!r->n_conditions) return false;
    for (size_t i = 0; i < r->n_conditions; i++)
        if (!r->conditions[i].ok) return false;
    return true;
}

/* The search identifiers of a rule sorted by name, so a condition leaf
 * is resolved by binary search instead of a scan over every identifier
 * (a long `a or b or ...` condition over many identifiers stays fast).
 * Names are unique: a repeated key is a YAML error. */
typedef struct sg_check_name {
    sg_str name;
    size_t index; /* into r->searches */
} sg_check_name;

typedef struct sg_check_names {
    sg_check_name *v;
    size_t n;
} sg_check_names;

static int sg_check_name_cmp(const void *a, const void *b) {
    return sg_str_cmp(((const sg_check_name *)a)->name, ((const sg_check_name *)b)->name);
}

static sg_check_names sg_check_names_of(sg_check_ctx *c, const sg_rule *r) {
    sg_check_names ns = {SG_NEW_ARRAY(c->a, sg_check_name, r->n_searches ? r->n_searches : 1),
                         r->n_searches};
    for (size_t i = 0; i < r->n_searches; i++)
        ns.v[i] = (sg_check_name){r->searches[i].name, i};
    qsort(ns.v, ns.n, sizeof *ns.v, sg_check_name_cmp);
    return ns;
}

/* Compares name with prefix, looking only at the first len(prefix)
 * bytes of name: 0 when name starts with prefix.  Monotonic over the
 * sorted names, so the names with a prefix are one contiguous range. */
static int sg_check_prefix_cmp(sg_str name, sg_str prefix) {
    size_t n = name.len < prefix.len ? name.len : prefix.len;
    int x = n ? memcmp(name.ptr, prefix.ptr, n) : 0;
    if (x) return x;
    return name.len < prefix.len ? -1 : 0;
}

/* [*lo, *hi): the names that start with prefix (exact: equal to it). */
static void sg_check_names_range(const sg_check_names *ns, sg_str key, bool prefix, size_t *lo,
                                 size_t *hi) {
    size_t a = 0, b = ns->n;
    while (a < b) { /* first name >= key */
        size_t m = a + (b - a) / 2;
        int x = prefix ? sg_check_prefix_cmp(ns->v[m].name, key) : sg_str_cmp(ns->v[m].name, key);
        if (x < 0)
            a = m + 1;
        else
            b = m;
    }
    *lo = a;
    b = ns->n;
    while (a < b) { /* first name > key */
        size_t m = a + (b - a) / 2;
        int x = prefix ? sg_check_prefix_cmp(ns->v[m].name, key) : sg_str_cmp(ns->v[m].name, key);
        if (x <= 0)
            a = m + 1;
        else
            b = m;
    }
    *hi = a;
}

/* How a condition leaf selects identifiers. */
typedef enum sg_check_sel {
    SG_SEL_EXACT,  /* an identifier, or a pattern without '*' */
    SG_SEL_PREFIX, /* `x*` with one trailing '*' (the common `selection_*`) */
    SG_SEL_THEM,   /* every identifier not starting with '_' */
    SG_SEL_GLOB,   /* anything else: sg_cond_pattern_matches on each name */
} sg_check_sel;

static sg_check_sel sg_check_leaf_sel(const sg_cond_node *n, sg_str *key) {
    *key = n->name;
    if (n->kind == SG_COND_IDENT) return SG_SEL_EXACT;
    if (n->them) return SG_SEL_THEM;
    const char *star = memchr(n->name.ptr, '*', n->name.len);
    if (!star) return SG_SEL_EXACT;
    size_t plen = (size_t)(star - n->name.ptr);
    if (plen > 0 && plen + 1 == n->name.len) {
        /* names starting with '_' only match patterns starting with '_':
         * a prefix range already honours that */
        key->len = plen;
        return SG_SEL_PREFIX;
    }
    return SG_SEL_GLOB;
}

typedef struct sg_check_refs {
    sg_check_names names;
    bool *used; /* per search index */
    int *delta; /* prefix ranges, as +1 / -1 over sorted positions (n + 1) */
    bool them;  /* some leaf is `x of them` */
} sg_check_refs;

static void sg_check_mark_leaf(sg_check_ctx *c, sg_rule *r, const sg_condition *cond,
                               const sg_cond_node *n, void *arg) {
    (void)c;
    (void)cond;
    sg_check_refs *refs = arg;
    sg_str key;
    size_t lo, hi;
    switch (sg_check_leaf_sel(n, &key)) {
    case SG_SEL_EXACT:
    case SG_SEL_PREFIX:
        sg_check_names_range(&refs->names, key, sg_check_leaf_sel(n, &key) == SG_SEL_PREFIX, &lo,
                             &hi);
        if (lo < hi) refs->delta[lo]++, refs->delta[hi]--;
        break;
    case SG_SEL_THEM:
        refs->them = true;
        break;
    case SG_SEL_GLOB:
        for (size_t i = 0; i < r->n_searches; i++)
            if (sg_cond_pattern_matches(n->name, false, r->searches[i].name)) refs->used[i] = true;
        break;
    }
}

/* dangling_detection: a search identifier no condition refers to, by
 * name or through an `x of pattern` / `x of them`. */
static void sg_check_dangling_detection(sg_check_ctx *c, sg_rule *r) {
    if (!r->n_searches || !sg_check_conditions_ok(r)) return;
    sg_check_refs refs = {sg_check_names_of(c, r), SG_NEW_ARRAY(c->a, bool, r->n_searches),
                          SG_NEW_ARRAY(c->a, int, r->n_searches + 1), false};
    for (size_t i = 0; i < r->n_conditions; i++) {
        const sg_condition *cond = &r->conditions[i];
        sg_check_cond_leaves(c, r, cond, sg_check_mark_leaf, &refs);
        const sg_cond_agg *agg = cond->parsed.agg;
        for (size_t k = 0; agg && k < agg->n_near; k++) {
            sg_cond_node id = {.kind = SG_COND_IDENT, .name = agg->near[k].name};
            sg_check_mark_leaf(c, r, cond, &id, &refs);
        }
    }
    int depth = 0;
    for (size_t k = 0; k < refs.names.n; k++) {
        depth += refs.delta[k];
        const sg_check_name *nm = &refs.names.v[k];
        bool private_name = nm->name.len && nm->name.ptr[0] == '_';
        if (depth > 0 || (refs.them && !private_name)) refs.used[nm->index] = true;
    }
    for (size_t i = 0; i < r->n_searches; i++)
        if (!refs.used[i])
            sg_check_report(c, r, SG_D_DANGLING_DETECTION, sg_check_at(r, r->searches[i].key),
                            "search identifier '%s' is not used by any condition",
                            sg_check_show(c, r->searches[i].name));
}

/* Byte offset of needle in s, or SIZE_MAX. */
static size_t sg_check_find(sg_str s, const char *needle) {
    size_t n = strlen(needle);
    for (size_t i = 0; n <= s.len && i + n <= s.len; i++)
        if (memcmp(s.ptr + i, needle, n) == 0) return i;
    return SIZE_MAX;
}

/* Python's \s for ASCII text. */
static bool sg_check_is_space(char ch) {
    return ch == ' ' || (ch >= '\t' && ch <= '\r') || (ch >= 0x1c && ch <= 0x1f);
}

/* Offset of the first match of the regex `all\s+of\s+them` (pySigma's
 * test, unanchored: "ball of themes" matches too), or SIZE_MAX. */
static size_t sg_check_find_all_of_them(sg_str s) {
    for (size_t i = 0; i + 3 <= s.len; i++) {
        if (memcmp(s.ptr + i, "all", 3) != 0) continue;
        size_t j = i + 3, k;
        for (k = j; k < s.len && sg_check_is_space(s.ptr[k]); k++) {
        }
        if (k == j || k + 2 > s.len || memcmp(s.ptr + k, "of", 2) != 0) continue;
        j = k + 2;
        for (k = j; k < s.len && sg_check_is_space(s.ptr[k]); k++) {
        }
        if (k == j || k + 4 > s.len || memcmp(s.ptr + k, "them", 4) != 0) continue;
        return i;
    }
    return SIZE_MAX;
}

/* The conditions as strings: pySigma reads detection.condition as text. */
static bool sg_check_cond_text(const sg_condition *cond, sg_str *out) {
    const sg_ynode *n = cond->node;
    if (!n || n->kind != SG_YN_SCALAR || n->type != SG_YT_STR) return false;
    *out = n->str;
    return true;
}

/* them_condition_with_single_detection: pySigma tests whether "them"
 * occurs anywhere in a condition string while the detection has exactly
 * one search identifier.  One finding per rule, at the first occurrence. */
static void sg_check_them_single(sg_check_ctx *c, sg_rule *r) {
    if (r->n_searches != 1) return;
    for (size_t i = 0; i < r->n_conditions; i++) {
        sg_str t;
        if (!sg_check_cond_text(&r->conditions[i], &t)) continue;
        size_t at = sg_check_find(t, "them");
        if (at == SIZE_MAX) continue;
        sg_check_report(
            c, r, SG_D_THEM_SINGLE_DETECTION, sg_ynode_offset_loc(r->file, r->conditions[i].node, at),
            "the condition says 'them' but the only search identifier is '%s': name it instead",
            sg_check_show(c, r->searches[0].name));
        return;
    }
}

/* all_of_them_condition: one finding per rule, at the first match. */
static void sg_check_all_of_them(sg_check_ctx *c, sg_rule *r) {
    for (size_t i = 0; i < r->n_conditions; i++) {
        sg_str t;
        if (!sg_check_cond_text(&r->conditions[i], &t)) continue;
        size_t at = sg_check_find_all_of_them(t);
        if (at == SIZE_MAX) continue;
        sg_check_report(
            c, r, SG_D_ALL_OF_THEM, sg_ynode_offset_loc(r->file, r->conditions[i].node, at),
            "'all of them' is discouraged: name the selections, e.g. 'all of selection*'");
        return;
    }
}

/* ------------------------------------------------------------------ */
/* Log source                                                           */

/* pySigma's specific_to_generic_logsource_mapping (validators/core/
 * logsources.py).  Its Python dict literal repeats some keys; the last
 * value wins, which is what this table holds.  Every EventID 1-29 and 255
 * of windows/sysmon is there. */
typedef struct sg_check_generic {
    int64_t event_id;
    const char *category;
} sg_check_generic;

static const sg_check_generic sg_check_sysmon_generic[] = {
    {1, "process_creation"},
    {2, "file_change"},
    {3, "network_connection"},
    {4, "sysmon_status"},
    {5, "process_termination"},
    {6, "driver_load"},
    {7, "image_load"},
    {8, "create_remote_thread"},
    {9, "raw_access_thread"},
    {10, "process_access"},
    {11, "file_event"},
    {12, "registry_event"},
    {13, "registry_event"},
    {14, "registry_event"},
    {15, "create_stream_hash"},
    {16, "sysmon_status"},
    {17, "pipe_created"},
    {18, "pipe_created"},
    {19, "wmi_event"},
    {20, "wmi_event"},
    {21, "wmi_event"},
    {22, "dns_query"},
    {23, "file_delete"},
    {24, "clipboard_change"},
    {25, "process_tampering"},
    {26, "file_delete_detected"},
    {27, "file_block_executable"},
    {28, "file_block_shredding"},
    {29, "file_executable_detected"},
    {255, "sysmon_error"},
};

static const sg_check_generic sg_check_security_generic[] = {
    {4688, "process_creation"},
};

typedef struct sg_check_generic_set {
    const char *service;
    const sg_check_generic *map;
    size_t n;
} sg_check_generic_set;

static void sg_check_specific_item(sg_check_ctx *c, sg_rule *r, const sg_check_item *it,
                                   const void *arg) {
    const sg_check_generic_set *set = arg;
    if (!sg_str_eq_cstr(it->field, "EventID") || !it->mods_known) return;
    /* only numbers stay numbers: `all` is the one modifier that keeps them */
    for (size_t i = 0; i < it->n_mods; i++)
        if (it->mod[i] != SG_MOD_ALL) return;
    for (size_t i = 0; i < it->n_values; i++) {
        const sg_ynode *v = it->values[i];
        int64_t id;
        if (v->kind != SG_YN_SCALAR || v->int_overflow) continue;
        if (v->type == SG_YT_INT)
            id = v->ival;
        else if (v->type == SG_YT_FLOAT && v->fval == (double)(int64_t)v->fval)
            id = (int64_t)v->fval;
        else
            continue;
        for (size_t k = 0; k < set->n; k++)
            if (set->map[k].event_id == id)
                sg_check_report(
                    c, r, SG_D_SPECIFIC_LOGSOURCE, sg_check_at(r, v),
                    "EventID %lld of product windows, service %s has a generic log source: "
                    "use 'category: %s' instead",
                    (long long)id, set->service, set->map[k].category);
    }
}

/* specific_instead_of_generic_logsource: a rule for windows/sysmon or
 * windows/security (any category; pySigma's log source containment)
 * selecting an EventID for which a generic category exists. */
static void sg_check_specific_logsource(sg_check_ctx *c, sg_rule *r) {
    static const sg_check_generic_set sets[] = {
        {"sysmon", sg_check_sysmon_generic,
         sizeof sg_check_sysmon_generic / sizeof *sg_check_sysmon_generic},
        {"security", sg_check_security_generic,
         sizeof sg_check_security_generic / sizeof *sg_check_security_generic},
    };
    const sg_logsource *ls = &r->ir->meta.logsource;
    if (!sg_str_eq_cstr(ls->product, "windows")) return;
    for (size_t i = 0; i < sizeof sets / sizeof *sets; i++)
        if (sg_str_eq_cstr(ls->service, sets[i].service))
            sg_check_each_item(c, r, sg_check_specific_item, &sets[i]);
}

/* fieldname_logsource: a logsource key other than category, product,
 * service and definition. */
static void sg_check_fieldname_logsource(sg_check_ctx *c, sg_rule *r) {
    static const char *const known[] = {"category", "product", "service", "definition"};
    const sg_ynode *ls = sg_check_top(r, "logsource");
    if (!ls || ls->kind != SG_YN_MAP) return;
    for (size_t i = 0; i < ls->count; i++) {
        const sg_ynode *k = ls->pairs[i].key;
        if (!sg_check_in_list(k->str, known, 4))
            sg_check_report(
                c, r, SG_D_FIELDNAME_LOGSOURCE, sg_check_at(r, k),
                "unknown logsource key '%s': use category, product, service or definition",
                sg_check_show(c, k->str));
    }
}

/* ------------------------------------------------------------------ */
/* Metadata                                                             */

/* identifier_existence: no `id` (or `id: null`).  Reported at the rule. */
static void sg_check_identifier_existence(sg_check_ctx *c, sg_rule *r) {
    const sg_ynode *id = sg_check_top(r, "id");
    if (id && !(id->kind == SG_YN_SCALAR && id->type == SG_YT_NULL)) return;
    sg_check_report(c, r, SG_D_IDENTIFIER_EXISTENCE, sg_check_at(r, id ? id : r->root),
                    "the %s has no 'id': give it a UUID",
                    r->kind == SG_RULE_CORRELATION ? "correlation rule"
                    : r->kind == SG_RULE_FILTER    ? "filter"
                                                   : "rule");
}

/* custom_attributes: top-level keys that misspell `related` or
 * `references` (pySigma's fixed list; it stops at the first one, every
 * one is reported here). */
static void sg_check_custom_attributes(sg_check_ctx *c, sg_rule *r) {
    const char *const *typos = sg_typo_keys;
    for (size_t i = 0; i < r->root->count; i++) {
        const sg_ynode *k = r->root->pairs[i].key;
        if (sg_check_in_list(k->str, typos, SG_N_TYPO_KEYS))
            sg_check_report(c, r, SG_D_CUSTOM_ATTRIBUTES, sg_check_at(r, k),
                            "'%s' looks like a misspelling of '%s'", sg_check_show(c, k->str),
                            k->str.ptr[0] == 'r' && k->str.len == 9 ? "references" : "related");
    }
}

/* A list item and its position, for finding repeats by sorting. */
typedef struct sg_check_entry {
    const sg_ynode *node;
    size_t order;
} sg_check_entry;

static int sg_check_entry_cmp(const void *pa, const void *pb) {
    const sg_check_entry *a = pa, *b = pb;
    int x = sg_str_cmp(a->node->str, b->node->str);
    return x ? x : a->order < b->order ? -1 : a->order > b->order;
}

/* Reports each later occurrence of a string already in a list node, naming
 * the first (duplicate_references, duplicate_tag: pySigma counts equal
 * strings).  Sorting keeps a list of many thousand items fast. */
static void sg_check_list_duplicates(sg_check_ctx *c, sg_rule *r, sg_diag_id id, const char *key,
                                     const char *what) {
    const sg_ynode *l = sg_check_top(r, key);
    if (!l || l->kind != SG_YN_SEQ || l->count < 2) return;
    sg_check_entry *e = SG_NEW_ARRAY(c->a, sg_check_entry, l->count);
    size_t n = 0;
    for (size_t i = 0; i < l->count; i++) {
        const sg_ynode *x = l->items[i];
        if (x->kind == SG_YN_SCALAR && x->type != SG_YT_NULL) e[n++] = (sg_check_entry){x, i};
    }
    qsort(e, n, sizeof *e, sg_check_entry_cmp);
    for (size_t i = 1, first = 0; i < n; i++) {
        if (!sg_str_eq(e[first].node->str, e[i].node->str)) {
            first = i; /* a new group of equal strings, in list order */
            continue;
        }
        const sg_ynode *x = e[i].node, *y = e[first].node;
        sg_check_report(c, r, id, sg_check_at(r, x),
                        "%s '%s' is already listed at line %u, column %u", what,
                        sg_check_show(c, x->str), (unsigned)y->line, (unsigned)y->col);
    }
}

static void sg_check_duplicate_references(sg_check_ctx *c, sg_rule *r) {
    sg_check_list_duplicates(c, r, SG_D_DUPLICATE_REFERENCES, "references", "reference");
}

static void sg_check_duplicate_tag(sg_check_ctx *c, sg_rule *r) {
    sg_check_list_duplicates(c, r, SG_D_DUPLICATE_TAG, "tags", "tag");
}

/* ---- set checks: ids, titles, file names ---- */

typedef struct sg_check_key {
    sg_str key;
    const sg_rule *rule;
    const sg_ynode *node;
    size_t order;
} sg_check_key;

static int sg_check_key_icmp(const void *pa, const void *pb) {
    const sg_check_key *a = pa, *b = pb;
    int x = sg_check_icmp(a->key, b->key);
    return x ? x : a->order < b->order ? -1 : a->order > b->order;
}

static int sg_check_key_cmp(const void *pa, const void *pb) {
    const sg_check_key *a = pa, *b = pb;
    int x = sg_str_cmp(a->key, b->key);
    return x ? x : a->order < b->order ? -1 : a->order > b->order;
}

/* Sorts keys and reports every member of each group of equal keys,
 * naming another member (the first in load order, or the second for the
 * first itself). */
static void sg_check_report_groups(sg_check_ctx *c, sg_check_key *keys, size_t n, bool icase,
                                   sg_diag_id id, const char *what) {
    qsort(keys, n, sizeof *keys, icase ? sg_check_key_icmp : sg_check_key_cmp);
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        while (j < n && (icase ? sg_check_icmp(keys[i].key, keys[j].key)
                               : sg_str_cmp(keys[i].key, keys[j].key)) == 0)
            j++;
        size_t size = j - i;
        for (size_t k = i; size > 1 && k < j; k++) {
            const sg_check_key *other = &keys[k == i ? i + 1 : i];
            char more[48] = "";
            if (size > 2) snprintf(more, sizeof more, " (and %zu more)", size - 2);
            sg_check_report(c, keys[k].rule, id, sg_check_at(keys[k].rule, keys[k].node),
                            "%s '%s' is also used by %s:%u%s", what, sg_check_show(c, keys[k].key),
                            other->rule->file, (unsigned)other->node->line, more);
        }
        i = j;
    }
}

/* identifier_uniqueness: the same id on more than one rule of the set.
 * pySigma compares UUID objects, so case does not matter. */
static void sg_check_identifier_uniqueness(sg_check_ctx *c) {
    sg_check_key *keys = SG_NEW_ARRAY(c->a, sg_check_key, c->rs->n_rules ? c->rs->n_rules : 1);
    size_t n = 0;
    for (size_t i = 0; i < c->rs->n_rules; i++) {
        const sg_rule *r = c->rs->rules[i];
        const sg_ynode *id = sg_check_top(r, "id");
        if (!id || id->kind != SG_YN_SCALAR || id->type != SG_YT_STR || !id->str.len) continue;
        keys[n++] = (sg_check_key){id->str, r, id, i};
    }
    sg_check_report_groups(c, keys, n, true, SG_D_IDENTIFIER_UNIQUENESS, "id");
}

/* duplicate_title: the same title (exact text) on more than one rule. */
static void sg_check_duplicate_title(sg_check_ctx *c) {
    sg_check_key *keys = SG_NEW_ARRAY(c->a, sg_check_key, c->rs->n_rules ? c->rs->n_rules : 1);
    size_t n = 0;
    for (size_t i = 0; i < c->rs->n_rules; i++) {
        const sg_rule *r = c->rs->rules[i];
        const sg_ynode *t = sg_check_top(r, "title");
        if (!t || t->kind != SG_YN_SCALAR || t->type != SG_YT_STR) continue;
        keys[n++] = (sg_check_key){t->str, r, t, i};
    }
    sg_check_report_groups(c, keys, n, false, SG_D_DUPLICATE_TITLE, "title");
}

/* The files the file-name checks look at: units that gave at least one
 * rule and came from a path (not standard input). */
static bool sg_check_unit_named(const sg_unit *u) {
    return u->n_rules > 0 && strcmp(u->file, "<stdin>") != 0;
}

static const sg_rule *sg_check_unit_rule(const sg_unit *u) {
    return u->rules[0];
}

/* duplicate_filename: the same base name at different paths.  One finding
 * per file (pySigma lists the rules), a whole-file location. */
static void sg_check_duplicate_filename(sg_check_ctx *c) {
    sg_check_key *keys = SG_NEW_ARRAY(c->a, sg_check_key, c->rs->n_units ? c->rs->n_units : 1);
    size_t n = 0;
    for (size_t i = 0; i < c->rs->n_units; i++) {
        const sg_unit *u = c->rs->units[i];
        if (!sg_check_unit_named(u)) continue;
        keys[n++] = (sg_check_key){sg_str_from_cstr(sg_check_basename(u->file)),
                                   sg_check_unit_rule(u), NULL, i};
    }
    qsort(keys, n, sizeof *keys, sg_check_key_cmp);
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        while (j < n && sg_str_cmp(keys[i].key, keys[j].key) == 0)
            j++;
        for (size_t k = i; k < j; k++) {
            /* another file of the group at a different path (the same path given twice is one file)
             */
            const char *other = NULL;
            for (size_t m = i; m < j && !other; m++)
                if (strcmp(keys[m].rule->file, keys[k].rule->file) != 0) other = keys[m].rule->file;
            if (other)
                sg_check_report(
                    c, keys[k].rule, SG_D_DUPLICATE_FILENAME, (sg_loc){keys[k].rule->file, 0, 0},
                    "file name '%s' is also used by %s", sg_check_show(c, keys[k].key), other);
        }
        i = j;
    }
}

/* filename_length: base name shorter than 10 or longer than 90 characters
 * (pySigma's defaults), one finding per file. */
static void sg_check_filename_length(sg_check_ctx *c) {
    for (size_t i = 0; i < c->rs->n_units; i++) {
        const sg_unit *u = c->rs->units[i];
        if (!sg_check_unit_named(u)) continue;
        sg_str base = sg_str_from_cstr(sg_check_basename(u->file));
        size_t len = sg_check_chars(base);
        if (len < 10 || len > 90)
            sg_check_report(c, sg_check_unit_rule(u), SG_D_FILENAME_LENGTH, (sg_loc){u->file, 0, 0},
                            "file name '%s' is %zu characters long: keep it between 10 and 90",
                            sg_check_show(c, base), len);
    }
}

/* ------------------------------------------------------------------ */
/* Tags                                                                 */

/* A tag check: true when (namespace, name) is wrong.  pySigma splits a
 * tag at its first '.'; a tag without one is a front-end error. */
typedef bool (*sg_check_tag_bad_fn)(const sg_check_ctx *c, sg_str ns, sg_str name);

static void sg_check_each_tag(sg_check_ctx *c, sg_rule *r, sg_diag_id id, sg_check_tag_bad_fn bad,
                              const char *what) {
    const sg_ynode *tags = sg_check_top(r, "tags");
    if (!tags || tags->kind != SG_YN_SEQ) return;
    for (size_t i = 0; i < tags->count; i++) {
        const sg_ynode *t = tags->items[i];
        if (t->kind != SG_YN_SCALAR || t->type != SG_YT_STR) continue;
        const char *dot = memchr(t->str.ptr, '.', t->str.len);
        if (!dot) continue;
        sg_str ns = {t->str.ptr, (size_t)(dot - t->str.ptr)};
        sg_str name = {dot + 1, t->str.len - ns.len - 1};
        if (bad(c, ns, name))
            sg_check_report(c, r, id, sg_check_at(r, t), "tag '%s' %s", sg_check_show(c, t->str),
                            what);
    }
}

/* tag_format: ^[a-z0-9\-\_]+\.[a-z0-9\-\_\.]+$ on the whole tag. */
static bool sg_check_tag_char(char ch, bool dot_ok) {
    return (ch >= 'a' && ch <= 'z') || sg_check_is_digit(ch) || ch == '-' || ch == '_' ||
           (dot_ok && ch == '.');
}

static bool sg_check_bad_format(const sg_check_ctx *c, sg_str ns, sg_str name) {
    (void)c;
    if (!ns.len || !name.len) return true;
    for (size_t i = 0; i < ns.len; i++)
        if (!sg_check_tag_char(ns.ptr[i], false)) return true;
    for (size_t i = 0; i < name.len; i++)
        if (!sg_check_tag_char(name.ptr[i], true)) return true;
    return false;
}

static bool sg_check_bad_namespace(const sg_check_ctx *c, sg_str ns, sg_str name) {
    static const char *const known[] = {"attack",    "car", "cve", "d3fend",
                                        "detection", "stp", "tlp"};
    (void)c;
    (void)name;
    return !sg_check_in_list(ns, known, sizeof known / sizeof *known);
}

static bool sg_check_bad_attack(const sg_check_ctx *c, sg_str ns, sg_str name) {
    return sg_str_eq_cstr(ns, "attack") && !sg_check_idset_has(&c->attack, name);
}

static bool sg_check_bad_d3fend(const sg_check_ctx *c, sg_str ns, sg_str name) {
    return sg_str_eq_cstr(ns, "d3fend") && !sg_check_idset_has(&c->d3fend, name);
}

/* Reads n ASCII digits at s[*i]. */
static bool sg_check_digits(sg_str s, size_t *i, size_t n) {
    for (size_t k = 0; k < n; k++, (*i)++)
        if (*i >= s.len || !sg_check_is_digit(s.ptr[*i])) return false;
    return true;
}

/* car: \d{4}-\d{2}-\d{3}$ */
static bool sg_check_bad_car(const sg_check_ctx *c, sg_str ns, sg_str name) {
    (void)c;
    if (!sg_str_eq_cstr(ns, "car")) return false;
    size_t i = 0;
    bool ok = sg_check_digits(name, &i, 4) && i < name.len && name.ptr[i++] == '-' &&
              sg_check_digits(name, &i, 2) && i < name.len && name.ptr[i++] == '-' &&
              sg_check_digits(name, &i, 3) && i == name.len;
    return !ok;
}

/* cve: ^\d+-\d+$ */
static bool sg_check_bad_cve(const sg_check_ctx *c, sg_str ns, sg_str name) {
    (void)c;
    if (!sg_str_eq_cstr(ns, "cve")) return false;
    size_t i = 0, a = 0, b = 0;
    while (i < name.len && sg_check_is_digit(name.ptr[i]))
        i++, a++;
    if (!a || i >= name.len || name.ptr[i++] != '-') return true;
    while (i < name.len && sg_check_is_digit(name.ptr[i]))
        i++, b++;
    return !b || i != name.len;
}

/* detection: re.match("dfir|emerging-threats|threat-hunting"), anchored
 * at the start only, as in pySigma. */
static bool sg_check_bad_detection(const sg_check_ctx *c, sg_str ns, sg_str name) {
    (void)c;
    return sg_str_eq_cstr(ns, "detection") && !sg_str_has_prefix(name, "dfir") &&
           !sg_str_has_prefix(name, "emerging-threats") &&
           !sg_str_has_prefix(name, "threat-hunting");
}

/* stp: ^[1-5]{1}[auk]{0,1}$ */
static bool sg_check_bad_stp(const sg_check_ctx *c, sg_str ns, sg_str name) {
    (void)c;
    if (!sg_str_eq_cstr(ns, "stp")) return false;
    if (name.len < 1 || name.len > 2 || name.ptr[0] < '1' || name.ptr[0] > '5') return true;
    return name.len == 2 && name.ptr[1] != 'a' && name.ptr[1] != 'u' && name.ptr[1] != 'k';
}

static const char *const sg_check_tlp1[] = {"white", "green", "amber", "red"};
static const char *const sg_check_tlp2[] = {"clear", "green", "amber", "amber-strict", "red"};

static bool sg_check_bad_tlpv1(const sg_check_ctx *c, sg_str ns, sg_str name) {
    (void)c;
    return sg_str_eq_cstr(ns, "tlp") && !sg_check_in_list(name, sg_check_tlp1, 4);
}

static bool sg_check_bad_tlpv2(const sg_check_ctx *c, sg_str ns, sg_str name) {
    (void)c;
    return sg_str_eq_cstr(ns, "tlp") && !sg_check_in_list(name, sg_check_tlp2, 5);
}

static bool sg_check_bad_tlp(const sg_check_ctx *c, sg_str ns, sg_str name) {
    return sg_check_bad_tlpv1(c, ns, name) && sg_check_bad_tlpv2(c, ns, name);
}

/* ------------------------------------------------------------------ */
/* Modifiers                                                            */

static void sg_check_modifiers_item(sg_check_ctx *c, sg_rule *r, const sg_check_item *it,
                                    const void *arg) {
    (void)arg;
    if (!it->n_mods || !it->mods_known) return;
    sg_loc at = sg_check_at(r, it->key ? it->key : it->at);
    const char *key = sg_check_show(c, it->key ? it->key->str : it->field);
    bool contains = sg_check_has_mod(it, SG_MOD_CONTAINS), all = sg_check_has_mod(it, SG_MOD_ALL);
    if (it->field.len && all && !contains)
        sg_check_report(c, r, SG_D_INVALID_MODIFIER_COMBINATIONS, at,
                        "[high] '%s': a field can only have one value, so 'all' without 'contains' "
                        "cannot match",
                        key);
    if (sg_check_has_mod(it, SG_MOD_BASE64OFFSET) && !contains)
        sg_check_report(
            c, r, SG_D_INVALID_MODIFIER_COMBINATIONS, at,
            "[high] '%s': 'base64offset' needs 'contains' after it (the encoded text sits inside "
            "other characters)",
            key);
    if (sg_check_has_mod(it, SG_MOD_WINDASH) && all)
        sg_check_report(c, r, SG_D_INVALID_MODIFIER_COMBINATIONS, at,
                        "[high] '%s': 'windash' with 'all' requires every dash variant at once",
                        key);
    /* a modifier applied twice (base64 twice is a legitimate double encoding) */
    sg_buf rep;
    sg_buf_init(&rep);
    for (size_t i = 0; i < it->n_mods; i++) {
        sg_mod m = it->mod[i];
        if (m == SG_MOD_BASE64) continue;
        bool first = true;
        for (size_t j = 0; j < i; j++)
            first &= it->mod[j] != m;
        if (!first || sg_check_mod_count(it, m) < 2) continue;
        sg_buf_printf(&rep, "%s'%s'", rep.len ? ", " : "", sg_mod_table[m].name);
    }
    if (rep.len)
        sg_check_report(c, r, SG_D_INVALID_MODIFIER_COMBINATIONS, at,
                        "[medium] '%s': %.*s applied more than once", key, (int)rep.len, rep.data);
    sg_buf_free(&rep);
}

/* invalid_modifier_combinations, at the item's key. */
static void sg_check_invalid_modifiers(sg_check_ctx *c, sg_rule *r) {
    sg_check_each_item(c, r, sg_check_modifiers_item, NULL);
}

static void sg_check_all_single_item(sg_check_ctx *c, sg_rule *r, const sg_check_item *it,
                                     const void *arg) {
    (void)arg;
    if (!it->field.len || !it->key || !sg_check_has_mod(it, SG_MOD_ALL) || it->n_values >= 2)
        return;
    sg_check_report(c, r, SG_D_SIGMAHQ_INVALID_ALL_MODIFIER, sg_check_at(r, it->key),
                    "'%s' has a single value: 'all' only makes sense with a list",
                    sg_check_show(c, it->key->str));
}

/* sigmahq_invalid_all_modifier (pySigma-validators-sigmaHQ): `all` on a
 * field-bound item with fewer than two values. */
static void sg_check_invalid_all(sg_check_ctx *c, sg_rule *r) {
    sg_check_each_item(c, r, sg_check_all_single_item, NULL);
}

/* ------------------------------------------------------------------ */
/* Values                                                               */

static void sg_check_double_wildcard_value(sg_check_ctx *c, sg_rule *r, const sg_check_item *it,
                                           const sg_ynode *v, sg_sstring s) {
    (void)it;
    for (size_t i = 1; i < s.n; i++)
        if (s.parts[i - 1].kind == SG_SP_STAR && s.parts[i].kind == SG_SP_STAR) {
            sg_check_report(c, r, SG_D_DOUBLE_WILDCARD, sg_check_at(r, v),
                            "'%s' has consecutive '*' wildcards", sg_check_show(c, v->str));
            return;
        }
}

/* double_wildcard: two `*` wildcards in a row (after the modifiers). */

/* Python's int(): surrounding whitespace, a sign, ASCII digits with single
 * underscores between them.  (Python also accepts non-ASCII decimal
 * digits and Unicode spaces; those are not recognised here.) */
static bool sg_check_is_python_int(sg_str s) {
    size_t i = 0, n = s.len;
    while (i < n && sg_check_is_space(s.ptr[i]))
        i++;
    while (n > i && sg_check_is_space(s.ptr[n - 1]))
        n--;
    if (i < n && (s.ptr[i] == '+' || s.ptr[i] == '-')) i++;
    if (i >= n || !sg_check_is_digit(s.ptr[i])) return false;
    bool underscore = false;
    for (; i < n; i++) {
        if (sg_check_is_digit(s.ptr[i]))
            underscore = false;
        else if (s.ptr[i] == '_' && !underscore)
            underscore = true;
        else
            return false;
    }
    return !underscore;
}

static void sg_check_number_value(sg_check_ctx *c, sg_rule *r, const sg_check_item *it,
                                  const sg_ynode *v, sg_sstring s) {
    (void)it;
    /* pySigma: one plain part, no space in it, and int() accepts it */
    if (s.n != 1 || s.parts[0].kind != SG_SP_LIT || sg_str_has_byte(s.parts[0].text, ' ')) return;
    if (!sg_check_is_python_int(s.parts[0].text)) return;
    sg_check_report(
        c, r, SG_D_NUMBER_AS_STRING, sg_check_at(r, v),
        "the number '%s' is written as a string: without quotes it is matched as a number",
        sg_check_show(c, v->str));
}

/* number_as_string: a quoted string value that is a whole integer.  YAML
 * numbers are never reported (they are SigmaNumber in pySigma). */

static void sg_check_control_item(sg_check_ctx *c, sg_rule *r, const sg_check_item *it,
                                  const void *arg) {
    (void)arg;
    if (!it->mods_known || sg_check_has_mod(it, SG_MOD_RE)) return;
    for (size_t i = 0; i < it->n_values; i++) {
        const sg_ynode *v = it->values[i];
        if (v->kind != SG_YN_SCALAR || v->type != SG_YT_STR) continue;
        for (size_t k = 0; k < v->str.len; k++) {
            unsigned char ch = (unsigned char)v->str.ptr[k];
            if (ch >= 31) continue;
            sg_check_report(c, r, SG_D_CONTROL_CHARACTER, sg_check_at(r, v),
                            "'%s' contains the control character 0x%02x: in a double-quoted string "
                            "write \\\\ for a backslash",
                            sg_check_show(c, v->str), ch);
            break;
        }
    }
}

/* control_character: a character below 0x1f (pySigma: ord(c) < 31) in a
 * string value.  This reads the value as written, before encodings: the
 * NUL bytes that `wide` inserts are intended, and a base64-encoded tab is
 * still the mistake the check is after.  Regular expressions are skipped,
 * as in pySigma. */
static void sg_check_control_character(sg_check_ctx *c, sg_rule *r) {
    sg_check_each_item(c, r, sg_check_control_item, NULL);
}

static void sg_check_escaped_value(sg_check_ctx *c, sg_rule *r, const sg_check_item *it,
                                   const sg_ynode *v, sg_sstring s) {
    (void)it;
    for (size_t i = 0; i < s.n; i++) {
        if (s.parts[i].kind != SG_SP_LIT) continue;
        if (!sg_str_has_byte(s.parts[i].text, '*') && !sg_str_has_byte(s.parts[i].text, '?'))
            continue;
        sg_check_report(
            c, r, SG_D_ESCAPED_WILDCARD, sg_check_at(r, v),
            "'%s' has an escaped wildcard (a literal '*' or '?'): make sure the escape is intended",
            sg_check_show(c, v->str));
        return;
    }
}

/* escaped_wildcard: a literal `*` or `?` (written `\*` / `\?`) in the
 * value after its modifiers (base64 hides it). */

/* The original value (before modifiers) as pySigma parses it, and its
 * length in characters (a wildcard counts one). */
typedef struct sg_check_orig {
    sg_sstring s;
    size_t len;
} sg_check_orig;

static bool sg_check_special_in(sg_sstring s, size_t from, size_t to) {
    for (size_t i = from; i < to; i++)
        if (s.parts[i].kind == SG_SP_STAR || s.parts[i].kind == SG_SP_ONE) return true;
    return false;
}

static void sg_check_wildcards_item(sg_check_ctx *c, sg_rule *r, const sg_check_item *it,
                                    const void *arg) {
    (void)arg;
    /* An empty list is `all([])` in pySigma and reported there; here it is
     * not a wildcard question.  `re` values are SigmaString.from_str (no
     * wildcards at all); non-strings never qualify. */
    if (!it->n_values || !it->mods_known || sg_check_has_mod(it, SG_MOD_RE)) return;
    bool as_contains = true, as_ends = true, as_starts = true;
    for (size_t i = 0; i < it->n_values; i++) {
        const sg_ynode *v = it->values[i];
        if (v->kind != SG_YN_SCALAR || v->type != SG_YT_STR) return;
        sg_sstring s = sg_sstr_parse(c->a, v->str, false);
        size_t len = 0;
        for (size_t k = 0; k < s.n; k++)
            len += s.parts[k].kind == SG_SP_LIT ? sg_check_chars(s.parts[k].text) : 1;
        bool lead = s.n && s.parts[0].kind == SG_SP_STAR,
             trail = s.n && s.parts[s.n - 1].kind == SG_SP_STAR;
        if (len <= 1) return;
        /* value[1:-1] / value[1:] / value[:-1] hold no wildcard */
        if (!(lead && trail && !sg_check_special_in(s, 1, s.n - 1))) as_contains = false;
        if (!(lead && !sg_check_special_in(s, 1, s.n))) as_ends = false;
        if (!(trail && !sg_check_special_in(s, 0, s.n - 1))) as_starts = false;
    }
    const char *use = NULL;
    if (as_contains && !sg_check_has_mod(it, SG_MOD_CONTAINS))
        use = "contains";
    else if (as_ends && !sg_check_has_mod(it, SG_MOD_ENDSWITH))
        use = "endswith";
    else if (as_starts && !sg_check_has_mod(it, SG_MOD_STARTSWITH))
        use = "startswith";
    if (!use) return;
    char more[48] = "";
    if (it->n_values > 1)
        snprintf(more, sizeof more, " (and the other %zu values)", it->n_values - 1);
    sg_check_report(c, r, SG_D_WILDCARDS_INSTEAD_OF_MODIFIERS, sg_check_at(r, it->at),
                    "'%s'%s: use the '%s' modifier instead of the '*' wildcard%s",
                    sg_check_show(c, it->values[0]->str), more, use,
                    strcmp(use, "contains") == 0 ? "s" : "");
}

/* wildcards_instead_of_modifiers: every value of an item is `*x*`, `*x` or
 * `x*` with no other wildcard, and the matching modifier is not there.
 * pySigma tests the three shapes in that order and reports one per item;
 * located at the item's value (the list, for several values). */
static void sg_check_wildcards_instead(sg_check_ctx *c, sg_rule *r) {
    sg_check_each_item(c, r, sg_check_wildcards_item, NULL);
}

/* ------------------------------------------------------------------ */
/* The table                                                            */

typedef enum sg_check_kind {
    SG_CHECK_RULE,   /* rule_fn per rule */
    SG_CHECK_DETECT, /* rule_fn per detection or filter rule (they have a detection section) */
    SG_CHECK_SET,    /* set_fn once for the whole set */
    SG_CHECK_VALUE,  /* value_fn per string value after modifiers (one shared walk) */
    SG_CHECK_TAG,    /* tag_bad per tag (namespace.name); tag_what completes the message */
} sg_check_kind;

typedef struct sg_check_def {
    sg_diag_id id;
    sg_check_kind kind;
    void (*rule_fn)(sg_check_ctx *c, sg_rule *r);
    void (*set_fn)(sg_check_ctx *c);
    sg_check_value_fn value_fn;
    sg_check_tag_bad_fn tag_bad;
    const char *tag_what;
} sg_check_def;

static const sg_check_def sg_check_table[] = {
    /* conditions (pySigma validators/core/condition.py) */
    {SG_D_DANGLING_DETECTION, SG_CHECK_DETECT, sg_check_dangling_detection, NULL, NULL, NULL, NULL},
    {SG_D_THEM_SINGLE_DETECTION, SG_CHECK_DETECT, sg_check_them_single, NULL, NULL, NULL, NULL},
    {SG_D_ALL_OF_THEM, SG_CHECK_DETECT, sg_check_all_of_them, NULL, NULL, NULL, NULL},
    /* log sources (logsources.py) */
    {SG_D_SPECIFIC_LOGSOURCE, SG_CHECK_DETECT, sg_check_specific_logsource, NULL, NULL, NULL, NULL},
    {SG_D_FIELDNAME_LOGSOURCE, SG_CHECK_RULE, sg_check_fieldname_logsource, NULL, NULL, NULL, NULL},
    /* metadata (metadata.py) */
    {SG_D_IDENTIFIER_EXISTENCE, SG_CHECK_RULE, sg_check_identifier_existence, NULL, NULL, NULL, NULL},
    {SG_D_IDENTIFIER_UNIQUENESS, SG_CHECK_SET, NULL, sg_check_identifier_uniqueness, NULL, NULL, NULL},
    {SG_D_DUPLICATE_TITLE, SG_CHECK_SET, NULL, sg_check_duplicate_title, NULL, NULL, NULL},
    {SG_D_DUPLICATE_REFERENCES, SG_CHECK_RULE, sg_check_duplicate_references, NULL, NULL, NULL, NULL},
    {SG_D_DUPLICATE_FILENAME, SG_CHECK_SET, NULL, sg_check_duplicate_filename, NULL, NULL, NULL},
    {SG_D_FILENAME_LENGTH, SG_CHECK_SET, NULL, sg_check_filename_length, NULL, NULL, NULL},
    {SG_D_CUSTOM_ATTRIBUTES, SG_CHECK_RULE, sg_check_custom_attributes, NULL, NULL, NULL, NULL},
    /* modifiers (modifiers.py), and SigmaHQ's all-on-one-value */
    {SG_D_INVALID_MODIFIER_COMBINATIONS, SG_CHECK_DETECT, sg_check_invalid_modifiers, NULL, NULL, NULL, NULL},
    {SG_D_SIGMAHQ_INVALID_ALL_MODIFIER, SG_CHECK_DETECT, sg_check_invalid_all, NULL, NULL, NULL, NULL},
    /* tags (tags.py) */
    {SG_D_TAG_FORMAT, SG_CHECK_TAG, NULL, NULL, NULL, sg_check_bad_format,
     "is not namespace.name in lower case letters, digits, '-' and '_'"},
    {SG_D_NAMESPACE_TAG, SG_CHECK_TAG, NULL, NULL, NULL, sg_check_bad_namespace,
     "has an unknown namespace (attack, car, cve, d3fend, detection, stp, tlp)"},
    {SG_D_ATTACK_TAG, SG_CHECK_TAG, NULL, NULL, NULL, sg_check_bad_attack,
     "is not a MITRE ATT&CK tactic, technique, group, software or mitigation id"},
    {SG_D_D3FEND_TAG, SG_CHECK_TAG, NULL, NULL, NULL, sg_check_bad_d3fend,
     "is not a MITRE D3FEND tactic, technique or artifact id"},
    {SG_D_CAR_TAG, SG_CHECK_TAG, NULL, NULL, NULL, sg_check_bad_car,
     "is not of the form car.NNNN-NN-NNN"},
    {SG_D_CVE_TAG, SG_CHECK_TAG, NULL, NULL, NULL, sg_check_bad_cve,
     "is not of the form cve.YYYY-NNNN"},
    {SG_D_DETECTION_TAG, SG_CHECK_TAG, NULL, NULL, NULL, sg_check_bad_detection,
     "is not detection.dfir, detection.emerging-threats or detection.threat-hunting"},
    {SG_D_STP_TAG, SG_CHECK_TAG, NULL, NULL, NULL, sg_check_bad_stp,
     "is not of the form stp.N (1-5) with an optional a, u or k"},
    {SG_D_TLPV1_TAG, SG_CHECK_TAG, NULL, NULL, NULL, sg_check_bad_tlpv1,
     "is not a TLP 1.0 label (white, green, amber, red)"},
    {SG_D_TLPV2_TAG, SG_CHECK_TAG, NULL, NULL, NULL, sg_check_bad_tlpv2,
     "is not a TLP 2.0 label (clear, green, amber, amber-strict, red)"},
    {SG_D_TLP_TAG, SG_CHECK_TAG, NULL, NULL, NULL, sg_check_bad_tlp,
     "is not a TLP label (white, clear, green, amber, amber-strict, red)"},
    {SG_D_DUPLICATE_TAG, SG_CHECK_RULE, sg_check_duplicate_tag, NULL, NULL, NULL, NULL},
    /* values (values.py) */
    {SG_D_DOUBLE_WILDCARD, SG_CHECK_VALUE, NULL, NULL, sg_check_double_wildcard_value, NULL, NULL},
    {SG_D_NUMBER_AS_STRING, SG_CHECK_VALUE, NULL, NULL, sg_check_number_value, NULL, NULL},
    {SG_D_CONTROL_CHARACTER, SG_CHECK_DETECT, sg_check_control_character, NULL, NULL, NULL, NULL},
    {SG_D_WILDCARDS_INSTEAD_OF_MODIFIERS, SG_CHECK_DETECT, sg_check_wildcards_instead, NULL, NULL, NULL, NULL},
    {SG_D_ESCAPED_WILDCARD, SG_CHECK_VALUE, NULL, NULL, sg_check_escaped_value, NULL, NULL},
};

#define SG_CHECK_COUNT (sizeof sg_check_table / sizeof *sg_check_table)

_Static_assert(SG_CHECK_COUNT <= 64, "sg_checker.on holds 64 rows");

sg_checker *sg_checker_new(sg_ruleset *rs) {
    sg_checker *c = sg_xmalloc(sizeof *c);
    memset(c, 0, sizeof *c);
    c->rs = rs;
    c->d = rs->diags;
    c->a = sg_arena_new();
    c->keep = sg_arena_new();
    for (size_t k = 0; k < SG_CHECK_COUNT; k++) c->on[k] = !c->d->disabled[sg_check_table[k].id];
    if (!c->d->disabled[SG_D_ATTACK_TAG]) sg_check_idset_load(c->keep, sg_data_attack, sg_data_attack_len, &c->attack);
    if (!c->d->disabled[SG_D_D3FEND_TAG]) sg_check_idset_load(c->keep, sg_data_d3fend, sg_data_d3fend_len, &c->d3fend);
    c->values = SG_NEW(c->keep, sg_check_value_walk);
    for (size_t k = 0; k < SG_CHECK_COUNT; k++)
        if (c->on[k] && sg_check_table[k].kind == SG_CHECK_VALUE) c->values->fns[c->values->n++] = sg_check_table[k].value_fn;
    return c;
}

void sg_check_rule(sg_checker *c, sg_rule *r) {
    if (!r->root || r->root->kind != SG_YN_MAP) return;
    bool detect = r->kind != SG_RULE_CORRELATION;
    for (size_t k = 0; k < SG_CHECK_COUNT; k++) {
        const sg_check_def *def = &sg_check_table[k];
        if (!c->on[k] || (def->kind != SG_CHECK_RULE && def->kind != SG_CHECK_DETECT) ||
            (def->kind == SG_CHECK_DETECT && !detect))
            continue;
        def->rule_fn(c, r);
    }
    for (size_t k = 0; k < SG_CHECK_COUNT; k++)
        if (c->on[k] && sg_check_table[k].kind == SG_CHECK_TAG)
            sg_check_each_tag(c, r, sg_check_table[k].id, sg_check_table[k].tag_bad, sg_check_table[k].tag_what);
    if (detect && c->values->n) sg_check_each_item(c, r, sg_check_values_of_item, c->values);
    sg_arena_reset(c->a);
}

void sg_checker_finish(sg_checker *c) {
    for (size_t k = 0; k < SG_CHECK_COUNT; k++)
        if (c->on[k] && sg_check_table[k].kind == SG_CHECK_SET) sg_check_table[k].set_fn(c);
    sg_arena_free(c->a);
    sg_arena_free(c->keep);
    free(c);
}

void sg_check_run(sg_ruleset *rs) {
    sg_checker *c = sg_checker_new(rs);
    for (size_t i = 0; i < rs->n_rules; i++) sg_check_rule(c, rs->rules[i]);
    sg_checker_finish(c);
}
