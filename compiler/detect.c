/* detect.c - detection section: items, modifiers, conditions -> IR.
 *
 * Each `field|m1|m2: values` item is lowered one value at a time.  A value
 * starts from its YAML type (string, number, boolean, null) and the
 * modifiers are applied left to right, each checked against what the value
 * is at that point, exactly as the specification chains them:
 *
 *   'cmd'  --wide-->  'c\0m\0d\0'  --base64offset-->  3 variants  --contains-->  *v*
 *
 * A string value may fan out into variants (windash, base64offset); the
 * variants of one value are an OR group, and `all` ANDs the values, never
 * the variants.  Every string variant becomes one predicate whose operator
 * is read off its wildcards: no wildcard is EQ, `*x*` CONTAINS, `x*`
 * STARTSWITH, `*x` ENDSWITH, anything else GLOB.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "modifiers.h"
#include "rule.h"

const sg_mod_info sg_mod_table[SG_MOD__COUNT] = {
#define SG_MOD(e, n, c) [SG_MOD_##e] = {n, c},
#include "modifiers.def"
#undef SG_MOD
};

sg_mod sg_mod_lookup(sg_str name) {
    for (int i = 0; i < SG_MOD__COUNT; i++)
        if (sg_str_eq_cstr(name, sg_mod_table[i].name)) return (sg_mod)i;
    return SG_MOD__COUNT;
}

void sg_ditem_split_key(sg_arena *a, sg_str key, sg_ditem *out) {
    size_t n = 1;
    for (size_t i = 0; i < key.len; i++) n += key.ptr[i] == '|';
    const char *p = key.ptr, *end = key.ptr + key.len;
    const char *bar = memchr(p, '|', key.len);
    out->field = (sg_str){p, bar ? (size_t)(bar - p) : key.len};
    out->n_mods = 0;
    out->mods = SG_NEW_ARRAY(a, sg_str, n);
    while (bar) {
        const char *start = bar + 1;
        bar = memchr(start, '|', (size_t)(end - start));
        const char *stop = bar ? bar : end;
        out->mods[out->n_mods++] = (sg_str){start, (size_t)(stop - start)};
    }
}

/* ---- value state while modifiers apply ---- */

typedef enum sg_vkind {
    SG_V_STRING,
    SG_V_NUMBER,
    SG_V_BOOL,
    SG_V_NULL,
    SG_V_REGEX,
    SG_V_CIDR,
    SG_V_EXISTS,
    SG_V_FIELDREF,
} sg_vkind;

typedef struct sg_vstate {
    sg_vkind kind;
    sg_sstring *vars;   /* SG_V_STRING: the variants */
    size_t n_vars;
    sg_str text;        /* regex pattern, fieldref field, number text */
    double num;
    bool is_int;
    int64_t ival;
    bool bval;
    unsigned re_flags;
    sg_cidr cidr;
    sg_ir_op cmp;       /* comparison (LT..GTE) or EQ */
    bool compare;       /* a compare modifier was applied */
    sg_timepart tp;
    sg_ir_op fieldref_op;
} sg_vstate;

typedef struct sg_lower {
    sg_ruleset *rs;
    sg_unit *u;
    sg_rule *r;
    sg_arena *a;
    struct sg_name_entry *by_name; /* r->searches sorted by name (condition lookups) */
} sg_lower;

typedef struct sg_name_entry {
    sg_str name;
    size_t index; /* into r->searches */
} sg_name_entry;

/* The operator a string variant is matched with, read off its wildcards. */
static sg_ir_pred *sg_pred_from_sstring(sg_lower *L, sg_str field, sg_sstring s, bool cased,
                                        const sg_ynode *at) {
    sg_ir_pred *p = SG_NEW(L->a, sg_ir_pred);
    p->field = field;
    p->vtype = SG_VT_STRING;
    p->cased = cased;
    p->pattern = s;
    p->line = at ? at->line : 0;
    p->col = at ? at->col : 0;
    p->has_placeholder = sg_sstr_has_placeholders(s);
    if (p->has_placeholder) {
        p->op = SG_OP_GLOB;
        return p;
    }
    size_t n = s.n;
    bool lead = n && s.parts[0].kind == SG_SP_STAR;
    bool trail = n && s.parts[n - 1].kind == SG_SP_STAR;
    size_t inner_from = lead ? 1 : 0, inner_to = trail && n > inner_from ? n - 1 : n;
    bool inner_literal = true;
    for (size_t i = inner_from; i < inner_to; i++)
        if (s.parts[i].kind != SG_SP_LIT) inner_literal = false;
    size_t inner = inner_to - inner_from;
    if (inner_literal && inner <= 1 && !(inner == 0 && (lead || trail))) {
        p->text = inner ? s.parts[inner_from].text : (sg_str){"", 0};
        p->op = lead && trail ? SG_OP_CONTAINS : lead ? SG_OP_ENDSWITH : trail ? SG_OP_STARTSWITH : SG_OP_EQ;
        return p;
    }
    p->op = SG_OP_GLOB;
    return p;
}

static sg_ir_pred *sg_pred_new(sg_lower *L, sg_str field, sg_ir_op op, const sg_ynode *at) {
    sg_ir_pred *p = SG_NEW(L->a, sg_ir_pred);
    p->field = field;
    p->op = op;
    p->vtype = SG_VT_NONE;
    p->line = at ? at->line : 0;
    p->col = at ? at->col : 0;
    return p;
}

static void sg_number_to_string(sg_lower *L, sg_vstate *v) {
    v->kind = SG_V_STRING;
    v->vars = SG_NEW(L->a, sg_sstring);
    *v->vars = sg_sstr_literal(L->a, v->text);
    v->n_vars = 1;
}

/* Regex edits for contains/startswith/endswith, as pySigma applies them. */
static sg_str sg_regex_wrap(sg_lower *L, sg_str re, bool front, bool back) {
    bool has_front = re.len && (re.ptr[0] == '^' || sg_str_has_prefix(re, ".*"));
    bool has_back = re.len && (re.ptr[re.len - 1] == '$' ||
                               (re.len >= 2 && re.ptr[re.len - 2] == '.' && re.ptr[re.len - 1] == '*'));
    return sg_str_printf(L->a, "%s%.*s%s", front && !has_front ? ".*" : "", SG_STR_ARG(re),
                         back && !has_back ? ".*" : "");
}

/* Compiles a regex with PCRE2 so a bad pattern is reported now. */
static void sg_check_regex(sg_lower *L, sg_str re, unsigned flags, const sg_ynode *at) {
    if (re.len > L->rs->opts.max_regex_length) {
        sg_rule_diag(L->rs, L->r, SG_D_REGEX, at, "regular expression is %zu bytes, over the limit of %zu",
                     re.len, L->rs->opts.max_regex_length);
        return;
    }
    uint32_t opts = PCRE2_UTF | PCRE2_NEVER_BACKSLASH_C | PCRE2_MATCH_INVALID_UTF;
    if (flags & SG_RE_I) opts |= PCRE2_CASELESS;
    if (flags & SG_RE_M) opts |= PCRE2_MULTILINE;
    if (flags & SG_RE_S) opts |= PCRE2_DOTALL;
    int err;
    PCRE2_SIZE off;
    pcre2_compile_context *cc = pcre2_compile_context_create(NULL);
    pcre2_set_parens_nest_limit(cc, 250);
    pcre2_code *code = pcre2_compile((PCRE2_SPTR)re.ptr, re.len, opts, &err, &off, cc);
    pcre2_compile_context_free(cc);
    if (code) {
        pcre2_code_free(code);
        return;
    }
    PCRE2_UCHAR msg[256];
    pcre2_get_error_message(err, msg, sizeof msg);
    /* The pattern may carry a `.*` that contains/endswith put in front;
     * the offset counts in the value as written. */
    size_t lead = at && at->kind == SG_YN_SCALAR && re.len >= at->str.len && sg_str_has_prefix(re, ".*") &&
                          !sg_str_has_prefix(at->str, ".*")
                      ? 2
                      : 0;
    sg_loc loc = sg_ynode_offset_loc(L->r->file, at, off >= lead ? off - lead : 0);
    sg_diag_add(L->rs->diags, SG_D_REGEX, loc, "invalid regular expression: %s (at offset %zu)",
                (const char *)msg, (size_t)off);
    L->r->has_errors = true;
}

#define SG_LOWER_ERR(L, at, ...) (sg_rule_diag((L)->rs, (L)->r, SG_D_MODIFIER, (at), __VA_ARGS__), false)
#define SG_TYPE_ERR(L, at, ...) (sg_rule_diag((L)->rs, (L)->r, SG_D_VALUE_TYPE, (at), __VA_ARGS__), false)

static const char *sg_vkind_name(sg_vkind k) {
    static const char *const names[] = {"string", "number", "boolean", "null", "regular expression",
                                        "network", "existence test", "field reference"};
    return names[k];
}

/* Applies one modifier to the value state.  Returns false after reporting. */
static bool sg_apply_mod(sg_lower *L, sg_vstate *v, sg_mod m, size_t pos, const sg_ynode *at,
                         const sg_ynode *key) {
    const char *name = sg_mod_table[m].name;
    switch (m) {
    case SG_MOD_CONTAINS:
    case SG_MOD_STARTSWITH:
    case SG_MOD_ENDSWITH:
        if (v->kind == SG_V_NUMBER) sg_number_to_string(L, v);
        if (v->kind == SG_V_STRING) {
            for (size_t i = 0; i < v->n_vars; i++)
                v->vars[i] = m == SG_MOD_CONTAINS     ? sg_sstr_contains(L->a, v->vars[i])
                             : m == SG_MOD_STARTSWITH ? sg_sstr_startswith(L->a, v->vars[i])
                                                      : sg_sstr_endswith(L->a, v->vars[i]);
            return true;
        }
        if (v->kind == SG_V_REGEX) {
            v->text = sg_regex_wrap(L, v->text, m != SG_MOD_STARTSWITH, m != SG_MOD_ENDSWITH);
            return true;
        }
        if (v->kind == SG_V_FIELDREF) {
            if (v->fieldref_op != SG_OP_EQ)
                return SG_LOWER_ERR(L, key, "'%s' after another position modifier on a field reference", name);
            v->fieldref_op = m == SG_MOD_CONTAINS ? SG_OP_CONTAINS : m == SG_MOD_STARTSWITH ? SG_OP_STARTSWITH : SG_OP_ENDSWITH;
            return true;
        }
        return SG_TYPE_ERR(L, at, "'%s' cannot apply to a %s value", name, sg_vkind_name(v->kind));
    case SG_MOD_BASE64:
    case SG_MOD_BASE64OFFSET:
    case SG_MOD_WIDE:
    case SG_MOD_UTF16LE:
    case SG_MOD_UTF16BE:
    case SG_MOD_UTF16:
    case SG_MOD_WINDASH: {
        if (v->kind == SG_V_NUMBER) sg_number_to_string(L, v);
        if (v->kind != SG_V_STRING)
            return SG_TYPE_ERR(L, at, "'%s' cannot apply to a %s value", name, sg_vkind_name(v->kind));
        if (m == SG_MOD_BASE64 || m == SG_MOD_BASE64OFFSET) {
            size_t mult = m == SG_MOD_BASE64 ? 1 : 3;
            sg_sstring *out = SG_NEW_ARRAY(L->a, sg_sstring, v->n_vars * mult);
            for (size_t i = 0; i < v->n_vars; i++) {
                bool ok = m == SG_MOD_BASE64 ? sg_sstr_base64(L->a, v->vars[i], &out[i])
                                             : sg_sstr_base64offset(L->a, v->vars[i], &out[i * 3]);
                if (!ok)
                    return SG_TYPE_ERR(L, at, "'%s' needs a value without wildcards (put contains/startswith/endswith after it)", name);
            }
            v->vars = out;
            v->n_vars *= mult;
            return true;
        }
        if (m == SG_MOD_WINDASH) {
            size_t total = 0;
            sg_sstring **each = SG_NEW_ARRAY(L->a, sg_sstring *, v->n_vars);
            size_t *counts = SG_NEW_ARRAY(L->a, size_t, v->n_vars);
            for (size_t i = 0; i < v->n_vars; i++) {
                counts[i] = sg_sstr_windash(L->a, v->vars[i], L->rs->opts.max_windash_variants, &each[i]);
                if (!counts[i])
                    return SG_TYPE_ERR(L, at, "windash would give more than %zu variants",
                                       L->rs->opts.max_windash_variants);
                total += counts[i];
            }
            if (total > L->rs->opts.max_windash_variants)
                return SG_TYPE_ERR(L, at, "windash would give more than %zu variants", L->rs->opts.max_windash_variants);
            sg_sstring *out = SG_NEW_ARRAY(L->a, sg_sstring, total);
            size_t k = 0;
            for (size_t i = 0; i < v->n_vars; i++)
                for (size_t j = 0; j < counts[i]; j++) out[k++] = each[i][j];
            v->vars = out;
            v->n_vars = total;
            return true;
        }
        for (size_t i = 0; i < v->n_vars; i++)
            v->vars[i] = m == SG_MOD_UTF16BE ? sg_sstr_utf16be(L->a, v->vars[i])
                         : m == SG_MOD_UTF16 ? sg_sstr_utf16(L->a, v->vars[i])
                                             : sg_sstr_utf16le(L->a, v->vars[i]);
        return true;
    }
    case SG_MOD_RE:
        if (pos != 0) return SG_LOWER_ERR(L, key, "'re' must be the first modifier");
        return true; /* the value was read raw */
    case SG_MOD_I:
    case SG_MOD_IGNORECASE:
    case SG_MOD_M:
    case SG_MOD_MULTILINE:
    case SG_MOD_S:
    case SG_MOD_DOTALL:
        if (v->kind != SG_V_REGEX) return SG_LOWER_ERR(L, key, "'%s' is a regex flag and needs 're' before it", name);
        v->re_flags |= (m == SG_MOD_I || m == SG_MOD_IGNORECASE) ? SG_RE_I
                       : (m == SG_MOD_M || m == SG_MOD_MULTILINE) ? SG_RE_M
                                                                  : SG_RE_S;
        return true;
    case SG_MOD_CIDR:
    case SG_MOD_FIELDREF:
        if (pos != 0) return SG_LOWER_ERR(L, key, "'%s' must be the first modifier", name);
        return true; /* applied when the value was read */
    case SG_MOD_EXISTS:
        return true; /* checked and applied when the value was read */
    case SG_MOD_LT:
    case SG_MOD_LTE:
    case SG_MOD_GT:
    case SG_MOD_GTE:
        if (v->kind != SG_V_NUMBER)
            return SG_TYPE_ERR(L, at, "'%s' compares numbers; the value is a %s", name, sg_vkind_name(v->kind));
        if (v->compare) return SG_LOWER_ERR(L, key, "only one comparison modifier is allowed");
        v->compare = true;
        v->cmp = m == SG_MOD_LT ? SG_OP_LT : m == SG_MOD_LTE ? SG_OP_LTE : m == SG_MOD_GT ? SG_OP_GT : SG_OP_GTE;
        return true;
    case SG_MOD_MINUTE:
    case SG_MOD_HOUR:
    case SG_MOD_DAY:
    case SG_MOD_WEEK:
    case SG_MOD_MONTH:
    case SG_MOD_YEAR:
        if (v->compare) return SG_LOWER_ERR(L, key, "'%s' must come before the comparison modifier", name);
        if (v->tp != SG_TP_NONE) return SG_LOWER_ERR(L, key, "only one time-part modifier is allowed");
        if (v->kind != SG_V_NUMBER)
            return SG_TYPE_ERR(L, at, "'%s' compares a part of a timestamp with a number; the value is a %s",
                               name, sg_vkind_name(v->kind));
        v->tp = m == SG_MOD_MINUTE ? SG_TP_MINUTE : m == SG_MOD_HOUR ? SG_TP_HOUR : m == SG_MOD_DAY ? SG_TP_DAY
                : m == SG_MOD_WEEK ? SG_TP_WEEK : m == SG_MOD_MONTH ? SG_TP_MONTH : SG_TP_YEAR;
        return true;
    case SG_MOD_ALL:
    case SG_MOD_EXPAND:
    case SG_MOD_CASED:
    case SG_MOD_NEQ:
    case SG_MOD__COUNT:
        return true;
    }
    return true;
}

typedef struct sg_item_flags {
    bool all, cased, neq, expand, re, cidr, exists, fieldref, compare, timepart;
    sg_mod *mods;
    size_t n;
} sg_item_flags;

/* Looks every modifier up and checks the rules that do not depend on the value. */
static bool sg_item_mods(sg_lower *L, const sg_ditem *it, sg_item_flags *f) {
    memset(f, 0, sizeof *f);
    f->mods = SG_NEW_ARRAY(L->a, sg_mod, it->n_mods ? it->n_mods : 1);
    bool ok = true;
    const sg_ynode *key = it->key;
    for (size_t i = 0; i < it->n_mods; i++) {
        sg_mod m = sg_mod_lookup(it->mods[i]);
        if (m == SG_MOD__COUNT) {
            if (it->mods[i].len == 0)
                ok = SG_LOWER_ERR(L, key, "empty modifier name in '%.*s'", SG_STR_ARG(key->str));
            else {
                const char *hint = NULL;
                size_t best = 3;
                for (int k = 0; k < SG_MOD__COUNT; k++) {
                    size_t d = sg_str_edit_distance(it->mods[i], sg_str_from_cstr(sg_mod_table[k].name), 2);
                    if (d < best) best = d, hint = sg_mod_table[k].name;
                }
                if (hint)
                    ok = SG_LOWER_ERR(L, key, "unknown modifier '%.*s' (did you mean '%s'?)", SG_STR_ARG(it->mods[i]), hint);
                else
                    ok = SG_LOWER_ERR(L, key, "unknown modifier '%.*s'", SG_STR_ARG(it->mods[i]));
            }
            continue;
        }
        f->mods[f->n++] = m;
        switch (m) {
        case SG_MOD_ALL: f->all = true; break;
        case SG_MOD_CASED: f->cased = true; break;
        case SG_MOD_NEQ: f->neq = true; break;
        case SG_MOD_EXPAND: f->expand = true; break;
        case SG_MOD_RE: f->re = true; break;
        case SG_MOD_CIDR: f->cidr = true; break;
        case SG_MOD_EXISTS: f->exists = true; break;
        case SG_MOD_FIELDREF: f->fieldref = true; break;
        default:
            if (sg_mod_table[m].cls == SG_MC_COMPARE) f->compare = true;
            if (sg_mod_table[m].cls == SG_MC_TIMEPART) f->timepart = true;
            break;
        }
    }
    if (!ok) return false;
    if (f->exists && it->n_mods != 1)
        return SG_LOWER_ERR(L, key, "'exists' cannot be combined with other modifiers");
    if (f->exists && !it->field.len) return SG_LOWER_ERR(L, key, "'exists' needs a field");
    if (f->fieldref && !it->field.len) return SG_LOWER_ERR(L, key, "'fieldref' needs a field");
    if ((f->re + f->cidr + f->fieldref + f->exists) > 1)
        return SG_LOWER_ERR(L, key, "re, cidr, fieldref and exists cannot be combined");
    if ((f->re || f->cidr || f->fieldref) && f->n && f->mods[0] != SG_MOD_RE && f->mods[0] != SG_MOD_CIDR &&
        f->mods[0] != SG_MOD_FIELDREF)
        return SG_LOWER_ERR(L, key, "'%s' must be the first modifier",
                            f->re ? "re" : f->cidr ? "cidr" : "fieldref");
    for (size_t i = 0; i < f->n; i++) {
        sg_mod_class c = sg_mod_table[f->mods[i]].cls;
        if ((f->cidr || f->compare || f->timepart) && (c == SG_MC_WILDCARD || c == SG_MC_ENCODING))
            return SG_LOWER_ERR(L, key, "'%s' cannot be combined with %s", sg_mod_table[f->mods[i]].name,
                                f->cidr ? "cidr" : "a numeric comparison");
        if (f->re && c == SG_MC_ENCODING)
            return SG_LOWER_ERR(L, key, "'%s' cannot apply to a regular expression", sg_mod_table[f->mods[i]].name);
        if (f->fieldref && c == SG_MC_ENCODING)
            return SG_LOWER_ERR(L, key, "'%s' cannot apply to a field reference", sg_mod_table[f->mods[i]].name);
    }
    if (f->re && f->cased)
        return SG_LOWER_ERR(L, key, "'cased' has no meaning with 're' (regexes are case-sensitive; use 'i' to ignore case)");
    return true;
}

/* Reads a YAML value into the initial state for these modifiers. */
static bool sg_value_init(sg_lower *L, const sg_ditem *it, const sg_item_flags *f, sg_ynode *vn,
                          sg_vstate *v) {
    memset(v, 0, sizeof *v);
    v->cmp = SG_OP_EQ;
    v->fieldref_op = SG_OP_EQ;
    if (vn->kind != SG_YN_SCALAR)
        return SG_TYPE_ERR(L, vn, "a detection value must be a string, number, boolean or null, not a %s",
                           sg_ynode_kind_name(vn));
    if (f->exists) {
        if (vn->type != SG_YT_BOOL) return SG_TYPE_ERR(L, vn, "'exists' needs true or false");
        v->kind = SG_V_EXISTS;
        v->bval = vn->bval;
        return true;
    }
    if (vn->type == SG_YT_NULL) {
        if (!it->field.len) return SG_TYPE_ERR(L, vn, "null must be bound to a field");
        if (f->n && !(f->n == 1 && (f->all || f->neq)))
            return SG_TYPE_ERR(L, vn, "null cannot take modifiers");
        v->kind = SG_V_NULL;
        return true;
    }
    if (vn->type == SG_YT_BOOL) {
        if (f->n && !(f->all || f->neq)) return SG_TYPE_ERR(L, vn, "a boolean value cannot take these modifiers");
        v->kind = SG_V_BOOL;
        v->bval = vn->bval;
        v->text = vn->str;
        return true;
    }
    if (vn->type == SG_YT_INT || vn->type == SG_YT_FLOAT) {
        if (vn->int_overflow) return SG_TYPE_ERR(L, vn, "number '%.*s' does not fit in 64 bits", SG_STR_ARG(vn->str));
        if (f->re || f->fieldref || f->cidr) {
            /* Treat as text: `|re: 123` is a pattern, not a number. */
        } else {
            v->kind = SG_V_NUMBER;
            v->text = vn->str;
            v->num = vn->fval;
            v->is_int = vn->type == SG_YT_INT;
            v->ival = vn->ival;
            if (v->is_int) v->num = (double)vn->ival;
            return true;
        }
    }
    /* strings (and dates, kept as text) */
    if (f->compare || f->timepart)
        return SG_TYPE_ERR(L, vn, "a numeric comparison needs a number, not the string '%.*s'", SG_STR_ARG(vn->str));
    if (f->re) {
        v->kind = SG_V_REGEX;
        v->text = vn->str;
        return true;
    }
    if (f->fieldref) {
        v->kind = SG_V_FIELDREF;
        v->text = vn->str;
        if (sg_str_has_byte(vn->str, '*') || sg_str_has_byte(vn->str, '?'))
            return SG_TYPE_ERR(L, vn, "a field reference cannot contain wildcards");
        return true;
    }
    if (f->cidr) {
        char err[128];
        v->kind = SG_V_CIDR;
        if (!sg_cidr_parse(vn->str, &v->cidr, err)) return SG_TYPE_ERR(L, vn, "invalid cidr: %s", err);
        return true;
    }
    v->kind = SG_V_STRING;
    v->vars = SG_NEW(L->a, sg_sstring);
    *v->vars = sg_sstr_parse(L->a, vn->str, f->expand);
    v->n_vars = 1;
    return true;
}

static sg_ir_expr *sg_value_to_ir(sg_lower *L, const sg_ditem *it, const sg_item_flags *f,
                                  sg_vstate *v, sg_ynode *vn) {
    sg_str field = it->field;
    sg_ir_pred *p;
    switch (v->kind) {
    case SG_V_STRING: {
        sg_ir_expr **kids = SG_NEW_ARRAY(L->a, sg_ir_expr *, v->n_vars);
        for (size_t i = 0; i < v->n_vars; i++) {
            sg_sstring s = v->vars[i];
            /* Keywords are full-text searches: a substring anywhere in the event. */
            if (!field.len) s = sg_sstr_contains(L->a, s);
            kids[i] = sg_ir_new_pred(L->a, sg_pred_from_sstring(L, field, s, f->cased, vn));
        }
        return sg_ir_new_nary(L->a, SG_IR_OR, kids, v->n_vars, vn->line, vn->col);
    }
    case SG_V_NUMBER:
        p = sg_pred_new(L, field, v->compare ? v->cmp : SG_OP_EQ, vn);
        p->vtype = SG_VT_NUMBER;
        p->text = v->text;
        p->num = v->num;
        p->is_int = v->is_int;
        p->int_value = v->ival;
        p->timepart = v->tp;
        if (!field.len) { /* a number used as a keyword is searched as text */
            p->op = SG_OP_CONTAINS;
            p->vtype = SG_VT_STRING;
            p->pattern = sg_sstr_contains(L->a, sg_sstr_literal(L->a, v->text));
        }
        break;
    case SG_V_BOOL:
        p = sg_pred_new(L, field, SG_OP_EQ, vn);
        p->vtype = SG_VT_BOOL;
        p->bool_value = v->bval;
        p->text = v->text;
        break;
    case SG_V_NULL:
        p = sg_pred_new(L, field, SG_OP_NULL, vn);
        break;
    case SG_V_EXISTS:
        p = sg_pred_new(L, field, SG_OP_EXISTS, vn);
        if (!v->bval) return sg_ir_new_not(L->a, sg_ir_new_pred(L->a, p));
        break;
    case SG_V_REGEX:
        sg_check_regex(L, v->text, v->re_flags, vn);
        p = sg_pred_new(L, field, SG_OP_REGEX, vn);
        p->vtype = SG_VT_STRING;
        p->text = v->text;
        p->regex_flags = v->re_flags;
        p->cased = !(v->re_flags & SG_RE_I);
        break;
    case SG_V_CIDR:
        p = sg_pred_new(L, field, SG_OP_CIDR, vn);
        p->cidr = v->cidr;
        p->text = sg_cidr_format(L->a, &v->cidr);
        break;
    case SG_V_FIELDREF:
        p = sg_pred_new(L, field, SG_OP_FIELDREF, vn);
        p->text = v->text;
        p->fieldref_op = v->fieldref_op;
        p->cased = f->cased;
        break;
    default:
        return NULL;
    }
    return sg_ir_new_pred(L->a, p);
}

/* Lowers one item: every value through the modifiers, then OR (AND with all). */
static sg_ir_expr *sg_item_to_ir(sg_lower *L, sg_ditem *it) {
    sg_item_flags f;
    if (!sg_item_mods(L, it, &f)) return NULL;
    sg_ynode *value = it->value;
    size_t nvals = 1;
    sg_ynode **vals = &it->value;
    if (value->kind == SG_YN_SEQ) {
        nvals = value->count;
        vals = value->items;
        if (nvals == 0) {
            if (!it->field.len) {
                sg_rule_diag(L->rs, L->r, SG_D_DETECTION, value, "an empty keyword list matches nothing");
                return NULL;
            }
            /* `Field: []` means null, as in pySigma (negated under neq, like `Field|neq: null`). */
            sg_ir_expr *null_e = sg_ir_new_pred(L->a, sg_pred_new(L, it->field, SG_OP_NULL, value));
            return f.neq ? sg_ir_new_not(L->a, null_e) : null_e;
        }
    } else if (value->kind == SG_YN_MAP) {
        sg_rule_diag(L->rs, L->r, SG_D_DETECTION, value, "the value of '%.*s' cannot be a mapping",
                     SG_STR_ARG(it->key ? it->key->str : it->field));
        return NULL;
    }
    sg_ir_expr **kids = SG_NEW_ARRAY(L->a, sg_ir_expr *, nvals);
    bool ok = true;
    for (size_t i = 0; i < nvals; i++) {
        sg_vstate v;
        if (!sg_value_init(L, it, &f, vals[i], &v)) {
            ok = false;
            continue;
        }
        bool vok = true;
        for (size_t m = 0; m < f.n && vok; m++) vok = sg_apply_mod(L, &v, f.mods[m], m, vals[i], it->key);
        if (!vok) {
            ok = false;
            /* A modifier-order error is the same for every value: report once. */
            break;
        }
        kids[i] = sg_value_to_ir(L, it, &f, &v, vals[i]);
        if (!kids[i]) ok = false;
    }
    if (!ok) return NULL;
    sg_ynode *at = it->key ? it->key : value;
    sg_ir_expr *e = sg_ir_new_nary(L->a, f.all ? SG_IR_AND : SG_IR_OR, kids, nvals, at->line, at->col);
    if (f.neq) e = sg_ir_new_not(L->a, e);
    return e;
}

static bool sg_ditem_match_all(const sg_ditem *it) {
    if (it->n_mods) return false;
    sg_ynode *v = it->value;
    if (v->kind != SG_YN_SCALAR || v->type != SG_YT_STR) return false;
    for (size_t i = 0; i < v->str.len; i++)
        if (v->str.ptr[i] != '*') return false;
    return v->str.len > 0;
}

/* Parses one search identifier's value into maps / keywords and lowers it. */
static void sg_search_build(sg_lower *L, sg_search *s) {
    sg_ynode *v = s->value;
    sg_arena *a = L->a;
    size_t nmaps = 0, nkw = 0;
    if (v->kind == SG_YN_MAP) {
        nmaps = 1;
    } else if (v->kind == SG_YN_SEQ) {
        for (size_t i = 0; i < v->count; i++) {
            if (v->items[i]->kind == SG_YN_MAP) nmaps++;
            else if (v->items[i]->kind == SG_YN_SCALAR) nkw++;
            else {
                sg_rule_diag(L->rs, L->r, SG_D_DETECTION, v->items[i],
                             "items of '%.*s' must be mappings or keyword strings, not nested lists",
                             SG_STR_ARG(s->name));
                return;
            }
        }
        if (v->count == 0) {
            sg_rule_diag(L->rs, L->r, SG_D_DETECTION, v, "'%.*s' is an empty list", SG_STR_ARG(s->name));
            return;
        }
    } else if (v->kind == SG_YN_SCALAR && v->type != SG_YT_NULL) {
        nkw = 1;
    } else {
        sg_rule_diag(L->rs, L->r, SG_D_DETECTION, v, "'%.*s' has no value", SG_STR_ARG(s->name));
        return;
    }
    s->maps = SG_NEW_ARRAY(a, sg_dmap, nmaps ? nmaps : 1);
    s->keywords = SG_NEW_ARRAY(a, sg_ditem, nkw ? nkw : 1);
    sg_ynode **maps = v->kind == SG_YN_SEQ ? v->items : &s->value;
    size_t nsrc = v->kind == SG_YN_SEQ ? v->count : 1;
    for (size_t i = 0; i < nsrc; i++) {
        sg_ynode *n = maps[i];
        if (n->kind == SG_YN_MAP) {
            sg_dmap *dm = &s->maps[s->n_maps++];
            dm->node = n;
            dm->items = SG_NEW_ARRAY(a, sg_ditem, n->count ? n->count : 1);
            if (n->count == 0)
                sg_rule_diag(L->rs, L->r, SG_D_DETECTION, n, "an empty mapping in '%.*s'", SG_STR_ARG(s->name));
            for (size_t k = 0; k < n->count; k++) {
                sg_ditem *it = &dm->items[dm->count++];
                sg_ditem_split_key(a, n->pairs[k].key->str, it);
                it->key = n->pairs[k].key;
                it->value = n->pairs[k].value;
            }
        } else {
            sg_ditem *it = &s->keywords[s->n_keywords++];
            it->field = (sg_str){"", 0};
            it->value = n;
        }
    }
    /* lower: OR over maps and keywords, AND inside a map */
    size_t total = s->n_maps + (s->n_keywords ? 1 : 0);
    sg_ir_expr **alts = SG_NEW_ARRAY(a, sg_ir_expr *, total ? total : 1);
    bool ok = true, all_match_all = total > 0;
    size_t k = 0;
    for (size_t i = 0; i < s->n_maps; i++) {
        sg_dmap *dm = &s->maps[i];
        sg_ir_expr **parts = SG_NEW_ARRAY(a, sg_ir_expr *, dm->count ? dm->count : 1);
        for (size_t j = 0; j < dm->count; j++) {
            parts[j] = sg_item_to_ir(L, &dm->items[j]);
            if (!parts[j]) ok = false;
            if (!sg_ditem_match_all(&dm->items[j])) all_match_all = false;
        }
        if (!dm->count) all_match_all = false;
        if (ok) alts[k++] = sg_ir_new_nary(a, SG_IR_AND, parts, dm->count, dm->node->line, dm->node->col);
    }
    if (s->n_keywords) {
        sg_ir_expr **kws = SG_NEW_ARRAY(a, sg_ir_expr *, s->n_keywords);
        for (size_t j = 0; j < s->n_keywords; j++) {
            kws[j] = sg_item_to_ir(L, &s->keywords[j]);
            if (!kws[j]) ok = false;
            if (!sg_ditem_match_all(&s->keywords[j])) all_match_all = false;
        }
        if (ok) alts[k++] = sg_ir_new_nary(a, SG_IR_OR, kws, s->n_keywords, v->line, v->col);
    }
    s->match_all = all_match_all;
    if (ok) s->ir = sg_ir_new_nary(a, SG_IR_OR, alts, k, v->line, v->col);
}

/* ---- conditions ---- */

/* Condition lookups go through a name index, so a hostile condition with
 * thousands of names over thousands of searches stays O(n log n). */
static int sg_name_entry_cmp(const void *a, const void *b) {
    return sg_str_cmp(((const sg_name_entry *)a)->name, ((const sg_name_entry *)b)->name);
}

static sg_name_entry *sg_build_name_index(sg_arena *a, const sg_search *searches, size_t n) {
    sg_name_entry *idx = SG_NEW_ARRAY(a, sg_name_entry, n ? n : 1);
    for (size_t i = 0; i < n; i++) idx[i] = (sg_name_entry){searches[i].name, i};
    qsort(idx, n, sizeof *idx, sg_name_entry_cmp);
    return idx;
}

/* First position in the index whose name is >= key. */
static size_t sg_name_lower_bound(const sg_name_entry *idx, size_t n, sg_str key) {
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (sg_str_cmp(idx[mid].name, key) < 0) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

static int sg_size_cmp(const void *a, const void *b) {
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return x < y ? -1 : x > y;
}

/* The searches a selector pattern names, in declaration order.  A pattern
 * whose only `*` is at the end is a prefix: a range of the index. */
static size_t sg_select_searches(sg_lower *L, const sg_cond_node *c, size_t n_searches, size_t **out_p) {
    size_t k = 0, from = 0, to = n_searches;
    sg_str pat = c->name;
    size_t star = pat.len;
    for (size_t i = 0; i < pat.len; i++)
        if (pat.ptr[i] == '*') {
            star = i;
            break;
        }
    if (!c->them && star + 1 >= pat.len) { /* "abc" or "abc*" */
        sg_str prefix = {pat.ptr, star};
        from = sg_name_lower_bound(L->by_name, n_searches, prefix);
        to = from;
        while (to < n_searches && sg_str_has_prefix_str(L->by_name[to].name, prefix)) to++;
    }
    size_t *out = SG_NEW_ARRAY(L->a, size_t, to > from ? to - from : 1);
    for (size_t i = from; i < to; i++)
        if (sg_cond_pattern_matches(pat, c->them, L->by_name[i].name)) out[k++] = L->by_name[i].index;
    qsort(out, k, sizeof *out, sg_size_cmp);
    *out_p = out;
    return k;
}

static sg_ir_expr *sg_cond_to_ir(sg_lower *L, const sg_ynode *cn, const sg_cond_node *c, sg_search *searches,
                                 size_t n_searches) {
    /* IR nodes carry the condition scalar's position; the exact column of a
     * token is computed only for a diagnostic (it costs a scan). */
    sg_loc loc = sg_ynode_loc(L->r->file, cn);
    switch (c->kind) {
    case SG_COND_IDENT: {
        sg_search *s = NULL;
        size_t at = sg_name_lower_bound(L->by_name, n_searches, c->name);
        if (at < n_searches && sg_str_eq(L->by_name[at].name, c->name)) s = &searches[L->by_name[at].index];
        if (!s) {
            loc = sg_ynode_offset_loc(L->r->file, cn, c->offset);
            const sg_search *hint = NULL;
            size_t best = 3;
            for (size_t i = 0; i < n_searches; i++) {
                size_t d = sg_str_edit_distance(c->name, searches[i].name, 2);
                if (d < best) best = d, hint = &searches[i];
            }
            if (hint)
                sg_diag_add(L->rs->diags, SG_D_CONDITION, loc,
                            "condition names '%.*s', which is not a search identifier of the detection (did you mean '%.*s'?)",
                            SG_STR_ARG(c->name), SG_STR_ARG(hint->name));
            else
                sg_diag_add(L->rs->diags, SG_D_CONDITION, loc, "condition names '%.*s', which is not a search identifier of the detection",
                            SG_STR_ARG(c->name));
            L->r->has_errors = true;
            return NULL;
        }
        s->referenced = true;
        return s->ir;
    }
    case SG_COND_AND:
    case SG_COND_OR: {
        /* `a and b and c ...` is a left-leaning chain as long as the
         * condition: gather it with a loop, so only parentheses recurse
         * (and the parser bounds those). */
        size_t n = 1;
        for (const sg_cond_node *x = c; x->kind == c->kind; x = x->left) n++;
        sg_ir_expr **kids = SG_NEW_ARRAY(L->a, sg_ir_expr *, n);
        const sg_cond_node *x = c;
        bool ok = true;
        for (size_t i = n - 1; i > 0; i--, x = x->left)
            if (!(kids[i] = sg_cond_to_ir(L, cn, x->right, searches, n_searches))) ok = false;
        if (!(kids[0] = sg_cond_to_ir(L, cn, x, searches, n_searches))) ok = false;
        if (!ok) return NULL;
        return sg_ir_new_nary(L->a, c->kind == SG_COND_AND ? SG_IR_AND : SG_IR_OR, kids, n, loc.line, loc.col);
    }
    case SG_COND_NOT: {
        sg_ir_expr *k = sg_cond_to_ir(L, cn, c->left, searches, n_searches);
        return k ? sg_ir_new_not(L->a, k) : NULL;
    }
    case SG_COND_ONE_OF:
    case SG_COND_ALL_OF: {
        size_t *hits;
        size_t nhits = sg_select_searches(L, c, n_searches, &hits), k = 0;
        sg_ir_expr **kids = SG_NEW_ARRAY(L->a, sg_ir_expr *, nhits ? nhits : 1);
        bool ok = true;
        for (size_t h = 0; h < nhits; h++) {
            sg_search *sr = &searches[hits[h]];
            sr->referenced = true;
            if (!sr->ir) ok = false;
            else kids[k++] = sr->ir;
        }
        if (!ok) return NULL;
        if (k == 0) {
            /* `all of x*` over nothing would be vacuously true: the rule would
             * match every event.  pySigma calls this dangling_condition; here
             * it is an error, never a silently widened rule. */
            sg_loc at = sg_ynode_offset_loc(L->r->file, cn, c->offset + c->length - (uint32_t)c->name.len);
            sg_diag_add(L->rs->diags, SG_D_DANGLING_CONDITION, at,
                            c->them ? "'them' matches no search identifier (every identifier starts with '_')"
                                    : "pattern '%.*s' matches no search identifier of the detection",
                            SG_STR_ARG(c->name));
            L->r->has_errors = true;
            return NULL;
        }
        return sg_ir_new_nary(L->a, c->kind == SG_COND_ALL_OF ? SG_IR_AND : SG_IR_OR, kids, k, loc.line, loc.col);
    }
    }
    return NULL;
}

bool sg_parse_timespan(sg_str s, int64_t *out, char err[128]) {
    if (s.len < 2) {
        snprintf(err, 128, "'%.*s' is not a timespan: write a number and a unit (s, m, h, d, w, M, y)", SG_STR_ARG(s));
        return false;
    }
    int64_t n = 0;
    size_t i = 0;
    for (; i + 1 < s.len; i++) {
        char c = s.ptr[i];
        if (c < '0' || c > '9') {
            snprintf(err, 128, "'%.*s' is not a timespan: write a whole number and a unit (s, m, h, d, w, M, y)", SG_STR_ARG(s));
            return false;
        }
        if (__builtin_mul_overflow(n, 10, &n) || __builtin_add_overflow(n, c - '0', &n)) {
            snprintf(err, 128, "timespan '%.*s' is too large", SG_STR_ARG(s));
            return false;
        }
    }
    int64_t unit;
    switch (s.ptr[s.len - 1]) {
    case 's': unit = 1; break;
    case 'm': unit = 60; break;
    case 'h': unit = 3600; break;
    case 'd': unit = 86400; break;
    case 'w': unit = 604800; break;
    case 'M': unit = 2629746; break;
    case 'y': unit = 31556952; break;
    default:
        snprintf(err, 128, "timespan '%.*s' has an unknown unit: use s, m, h, d, w, M or y", SG_STR_ARG(s));
        return false;
    }
    if (__builtin_mul_overflow(n, unit, out) || *out > (int64_t)100 * 31556952) {
        snprintf(err, 128, "timespan '%.*s' is longer than 100 years", SG_STR_ARG(s));
        return false;
    }
    if (*out == 0) {
        snprintf(err, 128, "timespan '%.*s' is zero", SG_STR_ARG(s));
        return false;
    }
    return true;
}

static sg_ir_agg *sg_legacy_agg(sg_lower *L, const sg_ynode *cn, const sg_cond_agg *ca, sg_search *searches,
                                size_t n_searches) {
    sg_ir_agg *g = SG_NEW(L->a, sg_ir_agg);
    sg_loc loc = sg_ynode_offset_loc(L->r->file, cn, ca->offset);
    g->origin = SG_ORIGIN_LEGACY;
    g->line = loc.line;
    g->col = loc.col;
    g->timespan = L->r->timeframe_s;
    if (ca->func == SG_AGGF_NEAR) {
        g->type = SG_AGG_NEAR;
        g->near_exprs = SG_NEW_ARRAY(L->a, sg_ir_expr *, ca->n_near);
        g->near_negated = SG_NEW_ARRAY(L->a, bool, ca->n_near);
        for (size_t i = 0; i < ca->n_near; i++) {
            sg_cond_node id = {.kind = SG_COND_IDENT, .offset = ca->near[i].offset, .name = ca->near[i].name};
            g->near_exprs[i] = sg_cond_to_ir(L, cn, &id, searches, n_searches);
            g->near_negated[i] = ca->near[i].negated;
            if (!g->near_exprs[i]) return NULL;
        }
        g->n_near = ca->n_near;
        if (!L->r->timeframe)
            sg_rule_diag(L->rs, L->r, SG_D_CONDITION, cn, "'near' needs a 'timeframe' in the detection");
        return g;
    }
    switch (ca->func) {
    case SG_AGGF_COUNT: g->type = ca->field.len ? SG_AGG_VALUE_COUNT : SG_AGG_EVENT_COUNT; break;
    case SG_AGGF_MIN: g->type = SG_AGG_VALUE_MIN; break;
    case SG_AGGF_MAX: g->type = SG_AGG_VALUE_MAX; break;
    case SG_AGGF_AVG: g->type = SG_AGG_VALUE_AVG; break;
    case SG_AGGF_SUM: g->type = SG_AGG_VALUE_SUM; break;
    default: break;
    }
    g->field = ca->field;
    g->group_by = ca->group_by;
    g->n_group_by = ca->n_group_by;
    g->op = ca->op;
    g->threshold = ca->threshold;
    g->threshold_text = ca->threshold_text;
    g->threshold_is_int = ca->threshold == (double)(int64_t)ca->threshold;
    g->threshold_int = (int64_t)ca->threshold;
    return g;
}

void sg_rule_parse_detection(sg_ruleset *rs, sg_unit *u, sg_rule *r) {
    sg_ynode *det = r->detection;
    if (!det) return;
    sg_lower L = {rs, u, r, u->arena, NULL};
    r->searches = SG_NEW_ARRAY(u->arena, sg_search, det->count ? det->count : 1);
    sg_ynode *cond = NULL;
    for (size_t i = 0; i < det->count; i++) {
        sg_ynode *k = det->pairs[i].key, *v = det->pairs[i].value;
        if (sg_str_eq_cstr(k->str, "condition")) {
            cond = v;
            continue;
        }
        if (r->kind == SG_RULE_FILTER && sg_str_eq_cstr(k->str, "rules")) continue;
        if (sg_str_eq_cstr(k->str, "timeframe")) {
            char err[128];
            r->timeframe = v;
            if (!sg_ynode_is_str(v)) sg_rule_diag(rs, r, SG_D_RULE_VALUE, v, "'timeframe' must be a timespan such as 5m");
            else if (!sg_parse_timespan(v->str, &r->timeframe_s, err)) sg_rule_diag(rs, r, SG_D_RULE_VALUE, v, "%s", err);
            continue;
        }
        sg_search *s = &r->searches[r->n_searches++];
        s->name = k->str;
        s->key = k;
        s->value = v;
    }
    for (size_t i = 0; i < r->n_searches; i++) sg_search_build(&L, &r->searches[i]);
    L.by_name = sg_build_name_index(u->arena, r->searches, r->n_searches);
    if (!cond) {
        sg_rule_diag(rs, r, SG_D_RULE_STRUCTURE, det, "the detection has no 'condition'");
        return;
    }
    size_t ncond = cond->kind == SG_YN_SEQ ? cond->count : 1;
    sg_ynode **cnodes = cond->kind == SG_YN_SEQ ? cond->items : &cond;
    if (ncond == 0) {
        sg_rule_diag(rs, r, SG_D_CONDITION, cond, "the condition list is empty");
        return;
    }
    r->conditions = SG_NEW_ARRAY(u->arena, sg_condition, ncond);
    r->n_conditions = ncond;
    sg_ir_expr **exprs = SG_NEW_ARRAY(u->arena, sg_ir_expr *, ncond);
    bool ok = true;
    sg_ir_agg *agg = NULL;
    for (size_t i = 0; i < ncond; i++) {
        sg_ynode *cn = cnodes[i];
        sg_condition *c = &r->conditions[i];
        c->node = cn;
        if (cn->kind != SG_YN_SCALAR || cn->type != SG_YT_STR) {
            sg_rule_diag(rs, r, SG_D_CONDITION, cn, "a condition must be a string, not a %s", sg_ynode_kind_name(cn));
            ok = false;
            continue;
        }
        sg_cond_error err;
        if (sg_cond_parse(u->arena, cn->str, true, &c->parsed, &err) != 0) {
            sg_diag_add(rs->diags, SG_D_CONDITION, sg_ynode_offset_loc(r->file, cn, err.offset), "%s", err.message);
            r->has_errors = true;
            ok = false;
            continue;
        }
        c->ok = true;
        exprs[i] = sg_cond_to_ir(&L, cn, c->parsed.expr, r->searches, r->n_searches);
        if (!exprs[i]) ok = false;
        if (c->parsed.agg) {
            if (ncond > 1) {
                sg_rule_diag(rs, r, SG_D_CONDITION, cn, "an aggregation cannot be part of a condition list");
                ok = false;
                continue;
            }
            agg = sg_legacy_agg(&L, cn, c->parsed.agg, r->searches, r->n_searches);
            if (!agg) ok = false;
        }
    }
    if (!ok || r->has_errors) return;
    r->ir->expr = sg_ir_new_nary(u->arena, SG_IR_OR, exprs, ncond, cond->line, cond->col);
    r->ir->agg = agg;
}

sg_ir_expr *sg_detect_lower_map(sg_ruleset *rs, sg_rule *r, sg_arena *a, sg_ynode *map) {
    sg_lower L = {rs, NULL, r, a, NULL};
    if (!map || map->kind != SG_YN_MAP) {
        sg_rule_diag(rs, r, SG_D_DETECTION, map, "conditions must be a mapping of field: value");
        return NULL;
    }
    sg_ir_expr **parts = SG_NEW_ARRAY(a, sg_ir_expr *, map->count ? map->count : 1);
    bool ok = true;
    for (size_t i = 0; i < map->count; i++) {
        sg_ditem it = {0};
        sg_ditem_split_key(a, map->pairs[i].key->str, &it);
        it.key = map->pairs[i].key;
        it.value = map->pairs[i].value;
        if (!(parts[i] = sg_item_to_ir(&L, &it))) ok = false;
    }
    return ok ? sg_ir_new_nary(a, SG_IR_AND, parts, map->count, map->line, map->col) : NULL;
}
