/* spl.c - the Splunk SPL backend.
 *
 * A detection becomes one query: a `search` part (the implied first
 * command), then at most one `| where` part.
 *
 *   search part   terms the search command matches exactly: F="v" with `*`
 *                 wildcards, F IN (...), F=4688, F=true, F=* (exists), NOT,
 *                 AND, OR.  Field values in search terms match
 *                 case-insensitively, which is Sigma's default.
 *   where part    eval expressions for what search terms cannot state
 *                 exactly: match() with an anchored regex for a literal
 *                 `*` or a control character in a value, the `?` wildcard,
 *                 |cased, empty values, floats; match() for |re;
 *                 cidrmatch(); numeric comparisons through tonumber();
 *                 fieldref; null; keywords (substring of _raw); minute and
 *                 hour of _time.
 *
 * The split rule (never an OR across the two parts): the condition's
 * top-level conjuncts are sorted (AND children, and by De Morgan the
 * negated children of a negated OR that search cannot state whole:
 * `not 1 of filter*`).  A conjunct that search expresses exactly
 * goes to search; any other conjunct goes to `| where` whole, in eval
 * syntax, and a *superset* of it (when one exists) also goes to search so
 * the index still narrows the events:
 *
 *   search = AND of exact(S-conjuncts) and superset(W-conjuncts)
 *   where  = AND of W-conjuncts
 *
 * Since superset(W) contains W, search AND where equals the condition.  The
 * superset of a predicate replaces what search cannot say by `*` (a
 * literal `*` is the wildcard itself, `?` becomes `*`, |cased is dropped);
 * of an AND it is the AND of the children's supersets; of an OR it exists
 * only when every child has one; of a NOT only when the child is exact.
 *
 * Null handling in where: eval comparisons on an absent field give null,
 * and NOT null is still null, so `NOT match(F, ...)` would drop events
 * without F, while Sigma's (and search's) NOT keeps them.  A predicate
 * under an odd number of NOTs is therefore guarded:
 * (isnotnull(F) AND match(F, ...)), which is false, not null, for a
 * missing F.  In positive position a null already behaves as false.
 *
 * Sigma `F: null` (absent or empty) is (isnull(F) OR F=="") in where:
 * search has no documented way to match an empty value (`NOT F=*` alone
 * misses a present empty field, e.g. from JSON).  Keywords are substring
 * matches over the raw event in Sigma; a quoted search term "v" matches
 * whole indexed segments, not substrings, so keywords are
 * match(_raw, "(?i)...") in where.
 *
 * Aggregations (legacy count, threshold, placeholders, correlations):
 *   <query>
 *   | bin _time span=<T>
 *   | stats <func> as <name> by _time <group-by...>
 *   | search <name> <op> <N>
 * Correlations over several rules read them with `| multisearch` (one
 * bracketed `search` per rule, tagged with `| eval sigc_rule="<ref>"`, the
 * correlation's aliases as further evals).  bin gives tumbling windows, as
 * pySigma's backend does.  near is refused.
 *
 * temporal_ordered (rules r1..rn, in that order, within one bucket and
 * group: events e1..en of r1..rn with t1 <= ... <= tn) is computed
 * greedily, which is exact: T1 = the first r1 time, Tk = the first rk time
 * at or after T(k-1); the group matches when Tn exists.  The original
 * time is kept in sigc_t before bin, then per rule:
 *   | eval sigc_tk=if(sigc_rule=="rk" AND sigc_t>=sigc_T(k-1), sigc_t, null())
 *   | eventstats min(sigc_tk) as sigc_Tk by _time <group-by...>
 *   ... | stats min(sigc_Tn) as sigc_last by _time <group-by...>
 *   | search sigc_last=*
 * (no sigc_t>=... for k = 1; min ignores the nulls, and a comparison with
 * a missing sigc_T(k-1) is not true).  A rule named twice is refused (its
 * events would carry one tag), as is a condition other than all rules.
 *
 * Escaping, one function per context: spl_quote_search_value (a double-
 * quoted search term), spl_quote_where_string (an eval string literal),
 * spl_quote_regex (a regex inside an eval string literal), spl_quote_field
 * (a field name in search, eval or stats position), spl_emit_comment.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "encode.h"

typedef struct spl_ctx {
    sg_diags *diags;
    const sg_ir_rule *rule; /* the rule being emitted (timestamp field) */
    const char *file;       /* file of the rule whose nodes are being checked */
    bool failed;
} spl_ctx;

__attribute__((format(printf, 4, 5))) static void spl_unsupported(spl_ctx *c, uint32_t line, uint32_t col,
                                                                  const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    sg_diag_vadd(c->diags, SG_D_UNSUPPORTED, SG_SEV_ERROR, (sg_loc){c->file, line, col}, fmt, ap);
    va_end(ap);
    c->failed = true;
}

/* ------------------------------------------------------------------ */
/* Bytes and names                                                      */

static bool spl_is_ctl(unsigned char ch) { return ch < 0x20 || ch == 0x7f; }

static bool spl_has_ctl(sg_str s) {
    for (size_t i = 0; i < s.len; i++)
        if (spl_is_ctl((unsigned char)s.ptr[i])) return true;
    return false;
}

/* ch is one of the bytes of set (never true for NUL, unlike strchr). */
static bool spl_in_set(unsigned char ch, const char *set) { return ch && strchr(set, ch); }

static bool spl_is_alpha(unsigned char ch) { return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z'); }
static bool spl_is_digit(unsigned char ch) { return ch >= '0' && ch <= '9'; }

/* [A-Za-z_][A-Za-z0-9_.]* */
static bool spl_name_is_bare(sg_str f) {
    if (!f.len || !(spl_is_alpha((unsigned char)f.ptr[0]) || f.ptr[0] == '_')) return false;
    for (size_t i = 1; i < f.len; i++) {
        unsigned char ch = (unsigned char)f.ptr[i];
        if (!spl_is_alpha(ch) && !spl_is_digit(ch) && ch != '_' && ch != '.') return false;
    }
    return true;
}

/* Words of the search language that a bare field name must not be. */
static bool spl_name_is_reserved(sg_str f) {
    static const char *const words[] = {"AND", "OR", "NOT", "IN", "XOR"};
    for (size_t i = 0; i < sizeof words / sizeof *words; i++)
        if (sg_str_ieq_cstr(f, words[i])) return true;
    return false;
}

/* A field name can be written (quoted when needed) in search and eval
 * positions.  Quote characters and backslashes inside quoted field names
 * have no documented escape, `*` in a field name is a field wildcard, and
 * a backtick could start a macro: such names are refused. */
static bool spl_field_writable(sg_str f) {
    if (!f.len || spl_has_ctl(f)) return false;
    for (size_t i = 0; i < f.len; i++)
        if (spl_in_set((unsigned char)f.ptr[i], "\"'\\`*")) return false;
    return true;
}

typedef enum spl_field_pos {
    SPL_POS_SEARCH, /* F="v": bare, or "double quoted" */
    SPL_POS_EVAL,   /* where/eval: always 'single quoted' ('.' is eval's concatenation) */
    SPL_POS_STATS,  /* bin/stats/by lists and eval targets: bare names only */
} spl_field_pos;

/* Writes a field name for its position.  The caller has checked it with
 * spl_field_writable (and spl_name_is_bare for SPL_POS_STATS). */
static void spl_quote_field(sg_buf *out, sg_str f, spl_field_pos pos) {
    switch (pos) {
    case SPL_POS_SEARCH:
        if (spl_name_is_bare(f) && !spl_name_is_reserved(f)) {
            sg_buf_add_str(out, f);
        } else {
            sg_buf_add_byte(out, '"');
            sg_buf_add_str(out, f);
            sg_buf_add_byte(out, '"');
        }
        break;
    case SPL_POS_EVAL:
        sg_buf_add_byte(out, '\'');
        sg_buf_add_str(out, f);
        sg_buf_add_byte(out, '\'');
        break;
    case SPL_POS_STATS: sg_buf_add_str(out, f); break;
    }
}

/* The name a group-by or aggregated field has in bin/stats: the field's
 * own when it is bare, else the field renamed first (`| rename "c-ip" AS
 * c_ip`): every byte outside [A-Za-z0-9_.] becomes '_', and a name that
 * does not start with a letter or '_' gets a leading '_'. */
static void spl_stats_name(sg_buf *out, sg_str f) {
    if (spl_name_is_bare(f)) {
        sg_buf_add_str(out, f);
        return;
    }
    if (!f.len || !(spl_is_alpha((unsigned char)f.ptr[0]) || f.ptr[0] == '_')) sg_buf_add_byte(out, '_');
    for (size_t i = 0; i < f.len; i++) {
        unsigned char ch = (unsigned char)f.ptr[i];
        sg_buf_add_byte(out, spl_is_alpha(ch) || spl_is_digit(ch) || ch == '_' || ch == '.' ? (char)ch : '_');
    }
}

/* ------------------------------------------------------------------ */
/* Quoting                                                              */

/* A double-quoted search term.  Inside quotes the search language reads
 * `\\` as a backslash and `\"` as a quote; `*` is always a wildcard (it
 * cannot be escaped, so callers only pass `*` they mean as a wildcard);
 * macros in backticks are not expanded inside quoted values.  text never
 * holds control characters (they go to where). */
static void spl_quote_search_value(sg_buf *out, sg_str text) {
    sg_buf_add_byte(out, '"');
    for (size_t i = 0; i < text.len; i++) {
        char ch = text.ptr[i];
        if (ch == '\\' || ch == '"') sg_buf_add_byte(out, '\\');
        sg_buf_add_byte(out, ch);
    }
    sg_buf_add_byte(out, '"');
}

/* An eval string literal: `\` -> `\\`, `"` -> `\"`.  text never holds
 * control characters (regexes spell them \xHH; other texts are checked). */
static void spl_quote_where_string(sg_buf *out, sg_str text) {
    sg_buf_add_byte(out, '"');
    for (size_t i = 0; i < text.len; i++) {
        char ch = text.ptr[i];
        if (ch == '\\' || ch == '"') sg_buf_add_byte(out, '\\');
        sg_buf_add_byte(out, ch);
    }
    sg_buf_add_byte(out, '"');
}

/* A regex as the second argument of match(): an eval string whose
 * content is the PCRE pattern, so every backslash of the pattern is
 * doubled (the eval string layer takes one away, as the Splunk docs show
 * for replace()).  Patterns with raw control characters are refused
 * before this point. */
static void spl_quote_regex(sg_buf *out, sg_str regex) { spl_quote_where_string(out, regex); }

/* One literal byte inside a regex.  Letters, digits, non-ASCII bytes and
 * harmless punctuation stay; regex metacharacters get a backslash; bytes
 * that would need another escaping layer (`"`, `\`, backtick) and control
 * characters are spelled \xHH. */
static void spl_regex_lit_byte(sg_buf *out, unsigned char ch) {
    if (spl_is_alpha(ch) || spl_is_digit(ch) || ch >= 0x80 || spl_in_set(ch, " _-,/:;=@%&~<>!'")) {
        sg_buf_add_byte(out, (char)ch);
    } else if (spl_is_ctl(ch) || ch == '"' || ch == '\\' || ch == '`') {
        sg_buf_printf(out, "\\x%02x", ch);
    } else {
        sg_buf_add_byte(out, '\\');
        sg_buf_add_byte(out, (char)ch);
    }
}

/* The regex for a Sigma string matched against a whole value: `*` is
 * `.*`, `?` is `.`, anchored with ^ and \z ($ would also match before a
 * final newline).  Leading and trailing `*` drop the anchor instead. */
static void spl_glob_regex(sg_buf *out, sg_sstring s, bool cased) {
    size_t from = 0, to = s.n;
    while (from < to && s.parts[from].kind == SG_SP_STAR) from++;
    while (to > from && s.parts[to - 1].kind == SG_SP_STAR) to--;
    bool dot = false;
    for (size_t i = from; i < to; i++) dot |= s.parts[i].kind != SG_SP_LIT;
    if (!cased || dot) sg_buf_printf(out, "(?%s%s)", cased ? "" : "i", dot ? "s" : "");
    if (from == 0) sg_buf_add_byte(out, '^');
    for (size_t i = from; i < to; i++) {
        const sg_spart *p = &s.parts[i];
        if (p->kind == SG_SP_STAR) sg_buf_add_cstr(out, ".*");
        else if (p->kind == SG_SP_ONE) sg_buf_add_byte(out, '.');
        else
            for (size_t k = 0; k < p->text.len; k++) spl_regex_lit_byte(out, (unsigned char)p->text.ptr[k]);
    }
    if (to == s.n) sg_buf_add_cstr(out, "\\z");
}

/* Shortest decimal text that reads back as v; false for values SPL
 * literals cannot spell (inf, nan, exponent form). */
static bool spl_format_double(sg_buf *out, double v) {
    if (!isfinite(v)) return false;
    char tmp[64];
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(tmp, sizeof tmp, "%.*g", prec, v);
        if (strtod(tmp, NULL) == v) break;
    }
    if (strchr(tmp, 'e') || strchr(tmp, 'n') || strchr(tmp, 'i')) return false;
    sg_buf_add_cstr(out, tmp);
    return true;
}

static bool spl_number_ok(const sg_ir_pred *p) {
    if (p->is_int) return true;
    sg_buf tmp;
    sg_buf_init(&tmp);
    bool ok = spl_format_double(&tmp, p->num);
    sg_buf_free(&tmp);
    return ok;
}

/* A number as an eval literal; negative numbers in parentheses so that
 * `==-5` never depends on how the eval lexer reads `=-`. */
static void spl_eval_number(sg_buf *out, const sg_ir_pred *p) {
    bool neg = p->is_int ? p->int_value < 0 : p->num < 0;
    if (neg) sg_buf_add_byte(out, '(');
    if (p->is_int) sg_buf_printf(out, "%lld", (long long)p->int_value);
    else spl_format_double(out, p->num);
    if (neg) sg_buf_add_byte(out, ')');
}

/* ------------------------------------------------------------------ */
/* Comments                                                             */

/* Decodes one UTF-8 sequence at s[i]; returns its length (0 when invalid). */
static size_t spl_utf8_decode(sg_str s, size_t i, uint32_t *cp) {
    unsigned char b0 = (unsigned char)s.ptr[i];
    size_t n = b0 < 0x80 ? 1 : (b0 & 0xe0) == 0xc0 ? 2 : (b0 & 0xf0) == 0xe0 ? 3 : (b0 & 0xf8) == 0xf0 ? 4 : 0;
    if (!n || i + n > s.len) return 0;
    uint32_t v = n == 1 ? b0 : n == 2 ? b0 & 0x1fu : n == 3 ? b0 & 0x0fu : b0 & 0x07u;
    for (size_t k = 1; k < n; k++) {
        unsigned char b = (unsigned char)s.ptr[i + k];
        if ((b & 0xc0) != 0x80) return 0;
        v = v << 6 | (b & 0x3fu);
    }
    static const uint32_t min[] = {0, 0, 0x80, 0x800, 0x10000};
    if (v < min[n] || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff)) return 0;
    *cp = v;
    return n;
}

static bool spl_is_bidi(uint32_t cp) {
    return cp == 0x061c || cp == 0x200e || cp == 0x200f || (cp >= 0x202a && cp <= 0x202e) ||
           (cp >= 0x2066 && cp <= 0x2069);
}

/* One ``` comment ``` line.  Backticks are dropped (three end the
 * comment, one starts a macro), line breaks become spaces, other control
 * characters and invalid bytes are shown as \xHH, C1 controls, bidi
 * controls and the (zero-width) BOM as \uXXXX, so the line reads the same
 * in any viewer. */
static void spl_emit_comment(sg_buf *out, sg_str text) {
    sg_buf_add_cstr(out, "``` ");
    for (size_t i = 0; i < text.len;) {
        uint32_t cp;
        size_t n = spl_utf8_decode(text, i, &cp);
        if (!n) {
            sg_buf_printf(out, "\\x%02x", (unsigned char)text.ptr[i]);
            i++;
            continue;
        }
        if (cp == '`') {
            /* dropped */
        } else if (cp == '\n' || cp == '\r' || cp == 0x85 || cp == 0x2028 || cp == 0x2029) {
            sg_buf_add_byte(out, ' ');
        } else if (cp < 0x20 || cp == 0x7f) {
            sg_buf_printf(out, "\\x%02x", (unsigned)cp);
        } else if ((cp >= 0x80 && cp < 0xa0) || spl_is_bidi(cp) || cp == 0xfeff) {
            sg_buf_printf(out, "\\u%04X", (unsigned)cp);
        } else {
            sg_buf_add(out, text.ptr + i, n);
        }
        i += n;
    }
    sg_buf_add_cstr(out, " ```\n");
}

/* ------------------------------------------------------------------ */
/* Predicates: what each context can say                                */

static bool spl_is_string_pred(const sg_ir_pred *p) {
    return p->vtype == SG_VT_STRING && !p->timepart &&
           (p->op == SG_OP_EQ || p->op == SG_OP_CONTAINS || p->op == SG_OP_STARTSWITH || p->op == SG_OP_ENDSWITH ||
            p->op == SG_OP_GLOB);
}

/* A Sigma string a quoted search term states exactly: no `?`, no literal
 * `*`, no control character, not empty (search cannot match an empty
 * value), and not |cased. */
static bool spl_string_in_search(const sg_ir_pred *p) {
    if (p->cased || !p->field.len || p->pattern.n == 0) return false;
    for (size_t i = 0; i < p->pattern.n; i++) {
        const sg_spart *s = &p->pattern.parts[i];
        if (s->kind == SG_SP_ONE || s->kind == SG_SP_PLACEHOLDER) return false;
        if (s->kind == SG_SP_LIT && (spl_has_ctl(s->text) || sg_str_has_byte(s->text, '*'))) return false;
    }
    return true;
}

/* The predicate is stated exactly by a search term. */
static bool spl_pred_in_search(const sg_ir_pred *p) {
    if (!p->field.len || p->timepart) return false;
    if (spl_is_string_pred(p)) return spl_string_in_search(p);
    if (p->op == SG_OP_EQ && p->vtype == SG_VT_NUMBER) return p->is_int;
    if (p->op == SG_OP_EQ && p->vtype == SG_VT_BOOL) return true;
    return p->op == SG_OP_EXISTS;
}

/* A search term that contains the predicate's matches exists: a string
 * without control characters, with `?` and literal `*` widened to `*`
 * and the case ignored. */
static bool spl_pred_has_superset(const sg_ir_pred *p) {
    if (spl_pred_in_search(p)) return true;
    if (!spl_is_string_pred(p) || !p->field.len || p->has_placeholder || p->pattern.n == 0) return false;
    for (size_t i = 0; i < p->pattern.n; i++)
        if (p->pattern.parts[i].kind == SG_SP_LIT && spl_has_ctl(p->pattern.parts[i].text)) return false;
    return true;
}

static bool spl_expr_in_search(const sg_ir_expr *e) {
    switch (e->kind) {
    case SG_IR_PRED: return spl_pred_in_search(e->pred);
    case SG_IR_AND:
    case SG_IR_OR:
    case SG_IR_NOT:
        for (size_t i = 0; i < e->count; i++)
            if (!spl_expr_in_search(e->kids[i])) return false;
        return true;
    default: return false;
    }
}

static bool spl_expr_has_superset(const sg_ir_expr *e) {
    if (spl_expr_in_search(e)) return true;
    switch (e->kind) {
    case SG_IR_PRED: return spl_pred_has_superset(e->pred);
    case SG_IR_AND:
        for (size_t i = 0; i < e->count; i++)
            if (spl_expr_has_superset(e->kids[i])) return true;
        return false;
    case SG_IR_OR:
        for (size_t i = 0; i < e->count; i++)
            if (!spl_expr_has_superset(e->kids[i])) return false;
        return true;
    default: return false; /* NOT of an inexact child, constants */
    }
}

/* The event-time field a time part may compare: the pipeline's timestamp
 * field or _time; both are Splunk's _time. */
static bool spl_is_event_time(const spl_ctx *c, sg_str field) {
    if (sg_str_eq_cstr(field, "_time")) return true;
    return c->rule->timestamp.len && sg_str_eq(field, c->rule->timestamp);
}

/* Reports what no SPL in this backend can state exactly. */
static void spl_check_pred(spl_ctx *c, const sg_ir_pred *p) {
    uint32_t l = p->line, k = p->col;
    if (p->field.len && !spl_field_writable(p->field)) {
        spl_unsupported(c, l, k,
                        "field name '%.*s' cannot be written in SPL (quotes, backslashes, backticks, '*' and control "
                        "characters have no escape in field names)",
                        SG_STR_ARG(p->field));
        return;
    }
    if (p->has_placeholder) {
        spl_unsupported(c, l, k, "a %%placeholder%% value (|expand) is not supported by the SPL backend");
        return;
    }
    if (!p->field.len && !spl_is_string_pred(p)) {
        spl_unsupported(c, l, k, "this keyword cannot be expressed in SPL");
        return;
    }
    if (spl_is_string_pred(p)) {
        /* the quoting functions copy bytes >= 0x80 as they are: SPL text is
         * UTF-8, so other bytes (from |wide, |utf16...) cannot be said */
        bool utf8 = sg_utf8_check(p->text.ptr, p->text.len) == (size_t)-1;
        for (size_t i = 0; i < p->pattern.n; i++)
            if (p->pattern.parts[i].kind == SG_SP_LIT)
                utf8 &= sg_utf8_check(p->pattern.parts[i].text.ptr, p->pattern.parts[i].text.len) == (size_t)-1;
        if (!utf8) {
            spl_unsupported(c, l, k, "the value holds bytes that are not valid UTF-8 (e.g. from |wide); SPL "
                                     "strings are Unicode text");
            return;
        }
    }
    if (p->timepart) {
        if (!spl_is_event_time(c, p->field)) {
            spl_unsupported(c, l, k,
                            "|%s on '%.*s': SPL compares time parts only of the event time (_time%s%.*s)",
                            sg_timepart_name(p->timepart), SG_STR_ARG(p->field), c->rule->timestamp.len ? " or " : "",
                            SG_STR_ARG(c->rule->timestamp));
        } else if (p->timepart != SG_TP_MINUTE && p->timepart != SG_TP_HOUR) {
            spl_unsupported(c, l, k,
                            "|%s: SPL's strftime() uses the searching user's time zone, so only |minute and |hour "
                            "(computed from the epoch in UTC) are exact",
                            sg_timepart_name(p->timepart));
        } else if (!spl_number_ok(p)) {
            spl_unsupported(c, l, k, "the number '%.*s' cannot be written as an SPL literal", SG_STR_ARG(p->text));
        }
        return;
    }
    switch (p->op) {
    case SG_OP_EQ:
    case SG_OP_LT:
    case SG_OP_LTE:
    case SG_OP_GT:
    case SG_OP_GTE:
        if (p->vtype == SG_VT_NUMBER && !spl_number_ok(p))
            spl_unsupported(c, l, k, "the number '%.*s' cannot be written as an SPL literal", SG_STR_ARG(p->text));
        break;
    case SG_OP_REGEX:
        if (spl_has_ctl(p->text))
            spl_unsupported(c, l, k,
                            "a regex with a raw control character cannot be placed in an SPL string; "
                            "write it as \\xHH");
        break;
    case SG_OP_FIELDREF:
        if (!spl_field_writable(p->text))
            spl_unsupported(c, l, k, "field name '%.*s' cannot be written in SPL", SG_STR_ARG(p->text));
        else if (p->fieldref_op == SG_OP_CONTAINS)
            spl_unsupported(c, l, k,
                            "|fieldref|contains: SPL eval has no substring test that takes another field's value "
                            "literally");
        break;
    default: break;
    }
}

static void spl_check_expr(spl_ctx *c, const sg_ir_expr *e) {
    switch (e->kind) {
    case SG_IR_PRED: spl_check_pred(c, e->pred); return;
    case SG_IR_RULEREF: spl_unsupported(c, e->line, e->col, "a rule reference inside a detection"); return;
    default:
        for (size_t i = 0; i < e->count; i++) spl_check_expr(c, e->kids[i]);
    }
}

/* ------------------------------------------------------------------ */
/* Search terms                                                         */

/* The value of a search term: a number, true/false, or a quoted string
 * with `*` for each STAR.  Called for a superset term too, where `?`
 * becomes `*` and a literal `*` byte stays: both then act as the wildcard,
 * so the term matches more, never less. */
static void spl_search_value(sg_buf *out, const sg_ir_pred *p) {
    if (p->vtype == SG_VT_NUMBER) {
        if (p->int_value < 0) sg_buf_printf(out, "\"%lld\"", (long long)p->int_value); /* = compares text */
        else sg_buf_printf(out, "%lld", (long long)p->int_value);
        return;
    }
    if (p->vtype == SG_VT_BOOL) {
        sg_buf_add_cstr(out, p->bool_value ? "true" : "false");
        return;
    }
    sg_buf text;
    sg_buf_init(&text);
    for (size_t i = 0; i < p->pattern.n; i++) {
        const sg_spart *s = &p->pattern.parts[i];
        if (s->kind == SG_SP_LIT) sg_buf_add_str(&text, s->text);
        else sg_buf_add_byte(&text, '*');
    }
    spl_quote_search_value(out, (sg_str){text.data ? text.data : "", text.len});
    sg_buf_free(&text);
}

static void spl_search_pred(sg_buf *out, const sg_ir_pred *p) {
    spl_quote_field(out, p->field, SPL_POS_SEARCH);
    if (p->op == SG_OP_EXISTS) {
        sg_buf_add_cstr(out, "=*");
        return;
    }
    sg_buf_add_byte(out, '=');
    spl_search_value(out, p);
}

/* A predicate that may share an IN list with others on the same field. */
static bool spl_in_listable(const sg_ir_expr *e) {
    return e->kind == SG_IR_PRED && e->pred->op != SG_OP_EXISTS && spl_pred_in_search(e->pred);
}

static void spl_search_expr(sg_buf *out, const sg_ir_expr *e, bool parens);

/* OR over exact children; children on one field become F IN (...).
 * under_not: a lone IN list is parenthesised too (NOT (F IN (...))). */
static void spl_search_or(sg_buf *out, const sg_ir_expr *e, bool parens, bool under_not) {
    bool *used = sg_xmalloc(e->count * sizeof *used);
    memset(used, 0, e->count * sizeof *used);
    size_t terms = 0;
    for (size_t i = 0; i < e->count; i++) {
        if (!spl_in_listable(e->kids[i])) {
            terms++;
            continue;
        }
        if (used[i]) continue;
        terms++;
        for (size_t j = i + 1; j < e->count; j++)
            if (spl_in_listable(e->kids[j]) && sg_str_eq(e->kids[j]->pred->field, e->kids[i]->pred->field))
                used[j] = true;
    }
    memset(used, 0, e->count * sizeof *used);
    bool wrap = parens && (terms > 1 || under_not);
    if (wrap) sg_buf_add_byte(out, '(');
    bool first = true;
    for (size_t i = 0; i < e->count; i++) {
        if (used[i]) continue;
        if (!first) sg_buf_add_cstr(out, " OR ");
        first = false;
        const sg_ir_expr *k = e->kids[i];
        size_t same = 0;
        if (spl_in_listable(k))
            for (size_t j = i + 1; j < e->count; j++)
                if (spl_in_listable(e->kids[j]) && sg_str_eq(e->kids[j]->pred->field, k->pred->field)) same++;
        if (!same) {
            spl_search_expr(out, k, true);
            continue;
        }
        spl_quote_field(out, k->pred->field, SPL_POS_SEARCH);
        sg_buf_add_cstr(out, " IN (");
        spl_search_value(out, k->pred);
        for (size_t j = i + 1; j < e->count; j++)
            if (spl_in_listable(e->kids[j]) && sg_str_eq(e->kids[j]->pred->field, k->pred->field)) {
                used[j] = true;
                sg_buf_add_cstr(out, ", ");
                spl_search_value(out, e->kids[j]->pred);
            }
        sg_buf_add_byte(out, ')');
    }
    if (wrap) sg_buf_add_byte(out, ')');
    free(used);
}

/* An expression search states exactly (spl_expr_in_search).  Every group
 * is parenthesised: OR-versus-AND precedence in search is not something
 * to rely on. */
static void spl_search_expr(sg_buf *out, const sg_ir_expr *e, bool parens) {
    switch (e->kind) {
    case SG_IR_PRED: spl_search_pred(out, e->pred); return;
    case SG_IR_NOT:
        sg_buf_add_cstr(out, "NOT ");
        if (e->kids[0]->kind == SG_IR_OR) spl_search_or(out, e->kids[0], true, true);
        else spl_search_expr(out, e->kids[0], true);
        return;
    case SG_IR_OR: spl_search_or(out, e, parens, false); return;
    case SG_IR_AND:
        if (parens) sg_buf_add_byte(out, '(');
        for (size_t i = 0; i < e->count; i++) {
            if (i) sg_buf_add_cstr(out, " AND ");
            spl_search_expr(out, e->kids[i], true);
        }
        if (parens) sg_buf_add_byte(out, ')');
        return;
    default: return;
    }
}

/* A superset of e as search terms (spl_expr_has_superset(e) holds). */
static void spl_superset_expr(sg_buf *out, const sg_ir_expr *e, bool parens) {
    if (spl_expr_in_search(e)) {
        spl_search_expr(out, e, parens);
        return;
    }
    switch (e->kind) {
    case SG_IR_PRED: spl_search_pred(out, e->pred); return;
    case SG_IR_AND:
    case SG_IR_OR: {
        /* AND: the children that have one (dropping the others widens);
         * OR: every child has one. */
        size_t n = 0;
        for (size_t i = 0; i < e->count; i++) n += spl_expr_has_superset(e->kids[i]);
        bool wrap = parens && n > 1;
        if (wrap) sg_buf_add_byte(out, '(');
        bool first = true;
        for (size_t i = 0; i < e->count; i++) {
            if (!spl_expr_has_superset(e->kids[i])) continue;
            if (!first) sg_buf_add_cstr(out, e->kind == SG_IR_AND ? " AND " : " OR ");
            first = false;
            spl_superset_expr(out, e->kids[i], n > 1 || parens);
        }
        if (wrap) sg_buf_add_byte(out, ')');
        return;
    }
    default: return;
    }
}

/* ------------------------------------------------------------------ */
/* Where (eval) expressions                                             */

/* The field a predicate reads in eval: keywords read the raw event. */
static void spl_eval_field(sg_buf *out, const sg_ir_pred *p) {
    spl_quote_field(out, p->field.len ? p->field : SG_STR_LIT("_raw"), SPL_POS_EVAL);
}

/* The guard that makes a predicate false (not null) when what it reads
 * is missing; empty when the predicate is never null. */
static void spl_where_guard(sg_buf *out, const sg_ir_pred *p) {
    if (p->timepart || p->op == SG_OP_NULL || p->op == SG_OP_EXISTS) return;
    if (p->vtype == SG_VT_NUMBER) {
        sg_buf_add_cstr(out, "isnotnull(tonumber(");
        spl_eval_field(out, p);
        sg_buf_add_cstr(out, "))");
        return;
    }
    sg_buf_add_cstr(out, "isnotnull(");
    spl_eval_field(out, p);
    sg_buf_add_byte(out, ')');
    if (p->op == SG_OP_FIELDREF) {
        sg_buf_add_cstr(out, " AND isnotnull(");
        spl_quote_field(out, p->text, SPL_POS_EVAL);
        sg_buf_add_byte(out, ')');
    }
}

/* `x` or `lower(x)` for a field in eval. */
static void spl_eval_cased(sg_buf *out, sg_str field, bool cased) {
    if (!cased) sg_buf_add_cstr(out, "lower(");
    spl_quote_field(out, field, SPL_POS_EVAL);
    if (!cased) sg_buf_add_byte(out, ')');
}

/* The predicate itself, in eval syntax (spl_check_pred passed). */
static void spl_where_core(sg_buf *out, const sg_ir_pred *p) {
    if (p->timepart) {
        /* minute / hour of the epoch seconds: exact, in UTC */
        sg_buf_add_cstr(out, p->timepart == SG_TP_MINUTE ? "floor('_time'/60)%60" : "floor('_time'/3600)%24");
        sg_buf_add_cstr(out, sg_ir_op_symbol(p->op));
        spl_eval_number(out, p);
        return;
    }
    if (spl_is_string_pred(p)) {
        if (p->pattern.n == 0) { /* the empty string, in any case */
            spl_eval_field(out, p);
            sg_buf_add_cstr(out, "==\"\"");
            return;
        }
        sg_buf re;
        sg_buf_init(&re);
        spl_glob_regex(&re, p->pattern, p->cased);
        sg_buf_add_cstr(out, "match(");
        spl_eval_field(out, p);
        sg_buf_add_cstr(out, ", ");
        spl_quote_regex(out, (sg_str){re.data ? re.data : "", re.len});
        sg_buf_add_byte(out, ')');
        sg_buf_free(&re);
        return;
    }
    if (p->op == SG_OP_EQ && p->vtype == SG_VT_BOOL) {
        sg_buf_add_cstr(out, "lower(");
        spl_eval_field(out, p);
        sg_buf_printf(out, ")==\"%s\"", p->bool_value ? "true" : "false");
        return;
    }
    switch (p->op) {
    case SG_OP_EQ: /* numbers */
    case SG_OP_LT:
    case SG_OP_LTE:
    case SG_OP_GT:
    case SG_OP_GTE:
        sg_buf_add_cstr(out, "tonumber(");
        spl_eval_field(out, p);
        sg_buf_printf(out, ")%s", sg_ir_op_symbol(p->op));
        spl_eval_number(out, p);
        return;
    case SG_OP_NULL:
        sg_buf_add_cstr(out, "(isnull(");
        spl_eval_field(out, p);
        sg_buf_add_cstr(out, ") OR ");
        spl_eval_field(out, p);
        sg_buf_add_cstr(out, "==\"\")");
        return;
    case SG_OP_EXISTS:
        sg_buf_add_cstr(out, "isnotnull(");
        spl_eval_field(out, p);
        sg_buf_add_byte(out, ')');
        return;
    case SG_OP_REGEX: {
        sg_buf re;
        sg_buf_init(&re);
        unsigned f = p->regex_flags;
        if (f) sg_buf_printf(&re, "(?%s%s%s)", f & SG_RE_I ? "i" : "", f & SG_RE_M ? "m" : "", f & SG_RE_S ? "s" : "");
        sg_buf_add_str(&re, p->text);
        sg_buf_add_cstr(out, "match(");
        spl_eval_field(out, p);
        sg_buf_add_cstr(out, ", ");
        spl_quote_regex(out, (sg_str){re.data ? re.data : "", re.len});
        sg_buf_add_byte(out, ')');
        sg_buf_free(&re);
        return;
    }
    case SG_OP_CIDR:
        sg_buf_add_cstr(out, "cidrmatch(");
        spl_quote_where_string(out, p->text);
        sg_buf_add_cstr(out, ", ");
        spl_eval_field(out, p);
        sg_buf_add_byte(out, ')');
        return;
    case SG_OP_FIELDREF: {
        sg_str a = p->field, b = p->text;
        if (p->fieldref_op == SG_OP_EQ) {
            spl_eval_cased(out, a, p->cased);
            sg_buf_add_cstr(out, "==");
            spl_eval_cased(out, b, p->cased);
            return;
        }
        /* startswith / endswith: compare the leading or trailing len(B)
         * characters of A with B; every value starts and ends with "". */
        sg_buf_add_cstr(out, "(len(");
        spl_quote_field(out, b, SPL_POS_EVAL);
        sg_buf_add_cstr(out, ")==0 OR ");
        if (p->fieldref_op == SG_OP_ENDSWITH) {
            sg_buf_add_cstr(out, "(len(");
            spl_quote_field(out, a, SPL_POS_EVAL);
            sg_buf_add_cstr(out, ")>=len(");
            spl_quote_field(out, b, SPL_POS_EVAL);
            sg_buf_add_cstr(out, ") AND ");
        }
        if (!p->cased) sg_buf_add_cstr(out, "lower(");
        sg_buf_add_cstr(out, "substr(");
        spl_quote_field(out, a, SPL_POS_EVAL);
        if (p->fieldref_op == SG_OP_STARTSWITH) {
            sg_buf_add_cstr(out, ", 1, len(");
            spl_quote_field(out, b, SPL_POS_EVAL);
            sg_buf_add_cstr(out, "))");
        } else {
            sg_buf_add_cstr(out, ", len(");
            spl_quote_field(out, a, SPL_POS_EVAL);
            sg_buf_add_cstr(out, ")-len(");
            spl_quote_field(out, b, SPL_POS_EVAL);
            sg_buf_add_cstr(out, ")+1)");
        }
        if (!p->cased) sg_buf_add_byte(out, ')');
        sg_buf_add_cstr(out, "==");
        spl_eval_cased(out, b, p->cased);
        sg_buf_add_byte(out, ')');
        if (p->fieldref_op == SG_OP_ENDSWITH) sg_buf_add_byte(out, ')');
        return;
    }
    default: return;
    }
}

/* The core ends in its own parentheses (a call or a parenthesised
 * group), so NOT can stand right before it. */
static bool spl_core_delimited(const sg_ir_pred *p) {
    if (p->timepart) return false;
    if (spl_is_string_pred(p)) return p->pattern.n != 0; /* match(...) */
    switch (p->op) {
    case SG_OP_NULL:
    case SG_OP_EXISTS:
    case SG_OP_REGEX:
    case SG_OP_CIDR: return true;
    case SG_OP_FIELDREF: return p->fieldref_op != SG_OP_EQ;
    default: return false; /* comparisons */
    }
}

/* neg: the predicate sits under an odd number of NOTs, so a null result
 * must become false first (see the file comment).  after_not: it is the
 * operand of NOT, so a comparison gets parentheses. */
static void spl_where_pred(sg_buf *out, const sg_ir_pred *p, bool neg, bool after_not) {
    sg_buf guard;
    sg_buf_init(&guard);
    if (neg) spl_where_guard(&guard, p);
    if (guard.len) {
        sg_buf_add_byte(out, '(');
        sg_buf_add(out, guard.data, guard.len);
        sg_buf_add_cstr(out, " AND ");
        spl_where_core(out, p);
        sg_buf_add_byte(out, ')');
    } else if (after_not && !spl_core_delimited(p)) {
        sg_buf_add_byte(out, '(');
        spl_where_core(out, p);
        sg_buf_add_byte(out, ')');
    } else {
        spl_where_core(out, p);
    }
    sg_buf_free(&guard);
}

static void spl_where_expr(sg_buf *out, const sg_ir_expr *e, bool neg, bool parens) {
    switch (e->kind) {
    case SG_IR_TRUE: sg_buf_add_cstr(out, "1==1"); return;
    case SG_IR_FALSE: sg_buf_add_cstr(out, "1==0"); return;
    case SG_IR_PRED: spl_where_pred(out, e->pred, neg, false); return;
    case SG_IR_NOT:
        sg_buf_add_cstr(out, "NOT ");
        if (e->kids[0]->kind == SG_IR_PRED) spl_where_pred(out, e->kids[0]->pred, !neg, true);
        else spl_where_expr(out, e->kids[0], !neg, true);
        return;
    case SG_IR_AND:
    case SG_IR_OR:
        if (parens) sg_buf_add_byte(out, '(');
        for (size_t i = 0; i < e->count; i++) {
            if (i) sg_buf_add_cstr(out, e->kind == SG_IR_AND ? " AND " : " OR ");
            spl_where_expr(out, e->kids[i], neg, true);
        }
        if (parens) sg_buf_add_byte(out, ')');
        return;
    default: return;
    }
}

/* ------------------------------------------------------------------ */
/* One detection: search part and where part                            */

/* A top-level conjunct: e, negated when neg. */
typedef struct spl_conj {
    const sg_ir_expr *e;
    bool neg;
} spl_conj;

typedef struct spl_conjs {
    spl_conj *items;
    size_t n, cap;
    sg_ir_expr **owned; /* OR nodes made here (freed with their kids arrays) */
    size_t n_owned;
} spl_conjs;

static void spl_conjs_add(spl_conjs *cs, const sg_ir_expr *e, bool neg) {
    if (cs->n == cs->cap) {
        cs->cap = cs->cap ? cs->cap * 2 : 16;
        cs->items = sg_xrealloc(cs->items, cs->cap * sizeof *cs->items);
    }
    cs->items[cs->n++] = (spl_conj){e, neg};
}

static void spl_conjs_free(spl_conjs *cs) {
    for (size_t i = 0; i < cs->n_owned; i++) {
        free(cs->owned[i]->kids);
        free(cs->owned[i]);
    }
    free(cs->owned);
    free(cs->items);
}

/* Splits the condition into conjuncts: AND children, and by De Morgan
 * the children of a negated OR that search cannot state whole (`not 1 of
 * filter*` is NOT f1 AND NOT f2 ...), so a filter that needs where does
 * not pull its siblings out of search.  The children search states
 * exactly stay together as one negated OR (IN lists still form).  Double
 * negations cancel. */
static void spl_collect(spl_conjs *cs, const sg_ir_expr *e, bool neg) {
    if (e->kind == SG_IR_AND && !neg) {
        for (size_t i = 0; i < e->count; i++) spl_collect(cs, e->kids[i], false);
        return;
    }
    if (e->kind == SG_IR_NOT) {
        spl_collect(cs, e->kids[0], !neg);
        return;
    }
    if (e->kind != SG_IR_OR || !neg || spl_expr_in_search(e)) {
        spl_conjs_add(cs, e, neg);
        return;
    }
    size_t n_exact = 0;
    for (size_t i = 0; i < e->count; i++) n_exact += spl_expr_in_search(e->kids[i]);
    if (n_exact > 1) {
        sg_ir_expr *g = sg_xmalloc(sizeof *g);
        memset(g, 0, sizeof *g);
        g->kind = SG_IR_OR;
        g->line = e->line;
        g->col = e->col;
        g->kids = sg_xmalloc(n_exact * sizeof *g->kids);
        for (size_t i = 0; i < e->count; i++)
            if (spl_expr_in_search(e->kids[i])) g->kids[g->count++] = e->kids[i];
        cs->owned = sg_xrealloc(cs->owned, (cs->n_owned + 1) * sizeof *cs->owned);
        cs->owned[cs->n_owned++] = g;
        spl_conjs_add(cs, g, true);
    }
    for (size_t i = 0; i < e->count; i++)
        if (n_exact <= 1 || !spl_expr_in_search(e->kids[i])) spl_collect(cs, e->kids[i], true);
}

/* A conjunct in search: exact, or its superset (the negation of an
 * inexact expression has none, see spl_query). */
static void spl_search_conj(sg_buf *out, spl_conj c, bool parens) {
    if (!c.neg) {
        spl_superset_expr(out, c.e, parens);
        return;
    }
    sg_buf_add_cstr(out, "NOT ");
    if (c.e->kind == SG_IR_OR) spl_search_or(out, c.e, true, true);
    else spl_search_expr(out, c.e, true);
}

static void spl_where_conj(sg_buf *out, spl_conj c, bool parens) {
    if (!c.neg) {
        spl_where_expr(out, c.e, false, parens);
        return;
    }
    sg_buf_add_cstr(out, "NOT ");
    if (c.e->kind == SG_IR_PRED) spl_where_pred(out, c.e->pred, true, true);
    else spl_where_expr(out, c.e, true, true);
}

/* Writes the query of a checked expression.  sep goes before `| where`
 * ("\n" at top level, " " inside a multisearch bracket). */
static void spl_query(sg_buf *out, const sg_ir_expr *e, const char *sep) {
    if (e->kind == SG_IR_TRUE) {
        sg_buf_add_byte(out, '*');
        return;
    }
    spl_conjs cs = {0};
    spl_collect(&cs, e, false);
    bool *exact = sg_xmalloc(cs.n * sizeof *exact), *in_search = sg_xmalloc(cs.n * sizeof *in_search);
    size_t n_search = 0, n_where = 0;
    for (size_t i = 0; i < cs.n; i++) {
        exact[i] = spl_expr_in_search(cs.items[i].e);
        /* a superset of NOT x needs x exact, and then NOT x is exact */
        in_search[i] = exact[i] || (!cs.items[i].neg && spl_expr_has_superset(cs.items[i].e));
        n_search += in_search[i];
        n_where += !exact[i];
    }
    if (!n_search) sg_buf_add_byte(out, '*');
    bool first = true;
    for (size_t i = 0; i < cs.n; i++) {
        if (!in_search[i]) continue;
        if (!first) sg_buf_add_cstr(out, " AND ");
        first = false;
        spl_search_conj(out, cs.items[i], n_search > 1);
    }
    if (n_where) {
        sg_buf_add_cstr(out, sep);
        sg_buf_add_cstr(out, "| where ");
        first = true;
        for (size_t i = 0; i < cs.n; i++) {
            if (exact[i]) continue;
            if (!first) sg_buf_add_cstr(out, " AND ");
            first = false;
            spl_where_conj(out, cs.items[i], n_where > 1);
        }
    }
    free(exact);
    free(in_search);
    spl_conjs_free(&cs);
}

/* ------------------------------------------------------------------ */
/* Aggregations                                                         */

static bool spl_stats_field_ok(spl_ctx *c, sg_str f, uint32_t line, uint32_t col, const char *what) {
    if (spl_name_is_bare(f)) return true;
    spl_unsupported(c, line, col, "%s '%.*s': the SPL backend writes only [A-Za-z_][A-Za-z0-9_.]* names in stats", what,
                    SG_STR_ARG(f));
    return false;
}

/* The fields stats groups by or aggregates, in order (the aggregated one
 * last); n is at most n_group_by + 1. */
static size_t spl_stats_fields(const sg_ir_agg *g, sg_str *fields) {
    size_t n = 0;
    for (size_t i = 0; i < g->n_group_by; i++) fields[n++] = g->group_by[i];
    bool temporal = g->type == SG_AGG_TEMPORAL || g->type == SG_AGG_TEMPORAL_ORDERED;
    if (!temporal && g->type != SG_AGG_EVENT_COUNT && g->field.len) fields[n++] = g->field;
    return n;
}

/* A group-by or aggregated field that is not bare is renamed before the
 * buckets: it must be writable in a rename, and its new name must clash
 * with no other field of the statistic, alias or sigc's own names. */
static void spl_check_stats_fields(spl_ctx *c, const sg_ir_agg *g, uint32_t line, uint32_t col) {
    sg_str *fields = sg_xmalloc((g->n_group_by + 1) * sizeof *fields);
    size_t n = spl_stats_fields(g, fields);
    sg_buf a, b;
    sg_buf_init(&a);
    sg_buf_init(&b);
    for (size_t i = 0; i < n; i++) {
        if (spl_name_is_bare(fields[i])) continue;
        if (!spl_field_writable(fields[i])) {
            spl_unsupported(c, line, col, "field '%.*s' cannot be written in SPL", SG_STR_ARG(fields[i]));
            continue;
        }
        sg_buf_reset(&a);
        spl_stats_name(&a, fields[i]);
        sg_str renamed = {a.data, a.len};
        bool clash = renamed.len >= 5 && !memcmp(renamed.ptr, "sigc_", 5);
        for (size_t j = 0; j < n && !clash; j++) {
            if (j == i || sg_str_eq(fields[j], fields[i])) continue;
            sg_buf_reset(&b);
            spl_stats_name(&b, fields[j]);
            clash = sg_str_eq(renamed, (sg_str){b.data, b.len}) || sg_str_eq(renamed, fields[j]);
        }
        for (size_t k = 0; k < g->n_aliases && !clash; k++) clash = sg_str_eq(renamed, g->aliases[k].name);
        if (clash)
            spl_unsupported(c, line, col, "field '%.*s' is renamed to '%.*s' for stats, which another field already is",
                            SG_STR_ARG(fields[i]), SG_STR_ARG(renamed));
    }
    sg_buf_free(&a);
    sg_buf_free(&b);
    free(fields);
}

/* `| rename "c-ip" AS c_ip` for the fields of the statistic that are not bare. */
static void spl_emit_renames(sg_buf *out, const sg_ir_agg *g) {
    sg_str *fields = sg_xmalloc((g->n_group_by + 1) * sizeof *fields);
    size_t n = spl_stats_fields(g, fields);
    bool any = false;
    for (size_t i = 0; i < n; i++) {
        if (spl_name_is_bare(fields[i])) continue;
        bool seen = false;
        for (size_t j = 0; j < i && !seen; j++) seen = sg_str_eq(fields[j], fields[i]);
        if (seen) continue;
        sg_buf_add_cstr(out, any ? ", " : "\n| rename ");
        any = true;
        spl_quote_field(out, fields[i], SPL_POS_SEARCH);
        sg_buf_add_cstr(out, " AS ");
        spl_stats_name(out, fields[i]);
    }
    free(fields);
}

/* A span in the largest unit that divides it exactly. */
static void spl_span(sg_buf *out, int64_t s) {
    if (s % 86400 == 0) sg_buf_printf(out, "%lldd", (long long)(s / 86400));
    else if (s % 3600 == 0) sg_buf_printf(out, "%lldh", (long long)(s / 3600));
    else if (s % 60 == 0) sg_buf_printf(out, "%lldm", (long long)(s / 60));
    else sg_buf_printf(out, "%llds", (long long)s);
}

/* A rule name of a correlation as the value of sigc_rule: an eval string
 * (| eval), so no control characters.  The extended temporal condition
 * also reads it as a quoted search term: no `*`, and no two names equal
 * but for case (search terms ignore case; dc() does not). */
static void spl_check_refs(spl_ctx *c, const sg_ir_agg *g) {
    bool in_search = g->type == SG_AGG_TEMPORAL && g->temporal_condition;
    for (size_t i = 0; i < g->n_rules; i++) {
        sg_str r = g->rule_refs[i];
        if (spl_has_ctl(r) || (in_search && sg_str_has_byte(r, '*'))) {
            spl_unsupported(c, g->line, g->col, "rule name '%.*s' cannot be written as an SPL value", SG_STR_ARG(r));
            continue;
        }
        if (!in_search) continue;
        for (size_t j = 0; j < i; j++)
            if (sg_str_ieq(r, g->rule_refs[j]) && !sg_str_eq(r, g->rule_refs[j]))
                spl_unsupported(c, g->line, g->col,
                                "rule names '%.*s' and '%.*s' differ only in case, which SPL search terms ignore",
                                SG_STR_ARG(g->rule_refs[j]), SG_STR_ARG(r));
    }
}

/* The extended temporal condition over values(sigc_rule). */
static void spl_rule_cond(sg_buf *out, const sg_ir_agg *g, const sg_ir_expr *e, bool parens) {
    switch (e->kind) {
    case SG_IR_RULEREF:
        sg_buf_add_cstr(out, "sigc_rules=");
        spl_quote_search_value(out, g->rule_refs[e->rule_index]);
        return;
    case SG_IR_NOT:
        sg_buf_add_cstr(out, "NOT ");
        spl_rule_cond(out, g, e->kids[0], true);
        return;
    case SG_IR_AND:
    case SG_IR_OR:
        if (parens) sg_buf_add_byte(out, '(');
        for (size_t i = 0; i < e->count; i++) {
            if (i) sg_buf_add_cstr(out, e->kind == SG_IR_AND ? " AND " : " OR ");
            spl_rule_cond(out, g, e->kids[i], true);
        }
        if (parens) sg_buf_add_byte(out, ')');
        return;
    default: return;
    }
}

static bool spl_cond_refs_ok(const sg_ir_agg *g, const sg_ir_expr *e) {
    if (e->kind == SG_IR_RULEREF) return e->rule_index < g->n_rules;
    if (e->kind != SG_IR_AND && e->kind != SG_IR_OR && e->kind != SG_IR_NOT) return false;
    for (size_t i = 0; i < e->count; i++)
        if (!spl_cond_refs_ok(g, e->kids[i])) return false;
    return true;
}

/* The evals of one correlation branch: the rule tag and the aliases. */
static void spl_branch_evals(sg_buf *out, const sg_ir_agg *g, size_t j, bool tag, const char *sep) {
    if (tag) {
        sg_buf_add_cstr(out, sep);
        sg_buf_add_cstr(out, "| eval sigc_rule=");
        spl_quote_where_string(out, g->rule_refs[j]);
    }
    bool any = false;
    for (size_t a = 0; a < g->n_aliases; a++)
        for (size_t m = 0; m < g->aliases[a].count; m++) {
            if (g->aliases[a].maps[m].rule_index != j) continue;
            if (!any) {
                sg_buf_add_cstr(out, sep);
                sg_buf_add_cstr(out, "| eval ");
            } else {
                sg_buf_add_cstr(out, ", ");
            }
            any = true;
            spl_quote_field(out, g->aliases[a].name, SPL_POS_STATS);
            sg_buf_add_byte(out, '=');
            spl_quote_field(out, g->aliases[a].maps[m].field, SPL_POS_EVAL);
        }
}

/* Checks an aggregation and its rules; false after diagnostics. */
static bool spl_check_agg(spl_ctx *c, const sg_ir_rule *rule) {
    const sg_ir_agg *g = rule->agg;
    uint32_t l = g->line, k = g->col;
    if (g->type == SG_AGG_NEAR) {
        spl_unsupported(c, l, k, "the legacy 'near' aggregation is not supported by the SPL backend");
        return false;
    }
    if (g->type == SG_AGG_TEMPORAL_ORDERED) {
        if (g->temporal_condition || g->op != SG_CMP_GTE || !g->threshold_is_int ||
            g->threshold_int != (int64_t)g->n_rules)
            spl_unsupported(c, l, k, "temporal_ordered: only the condition that every rule occurs, in order, is "
                                     "supported by the SPL backend");
        for (size_t i = 0; i < g->n_rules; i++)
            for (size_t j = 0; j < i; j++)
                if (sg_str_eq(g->rule_refs[i], g->rule_refs[j]) ||
                    (g->rules && g->rules[i] && g->rules[i] == g->rules[j]))
                    spl_unsupported(c, l, k,
                                    "temporal_ordered: rule '%.*s' is referenced twice, which the SPL backend cannot "
                                    "tell apart",
                                    SG_STR_ARG(g->rule_refs[i]));
        for (size_t i = 0; i < g->n_group_by; i++)
            if (g->group_by[i].len >= 5 && !memcmp(g->group_by[i].ptr, "sigc_", 5))
                spl_unsupported(c, l, k, "temporal_ordered: group-by field '%.*s' would clash with the fields "
                                         "the SPL backend computes (sigc_*)",
                                SG_STR_ARG(g->group_by[i]));
        if (c->failed) return false;
    }
    if (rule->timestamp.len && !sg_str_eq_cstr(rule->timestamp, "_time"))
        spl_unsupported(c, l, k, "SPL buckets events on _time; the pipeline's timestamp field '%.*s' is not supported",
                        SG_STR_ARG(rule->timestamp));
    if (g->timespan < 0) spl_unsupported(c, l, k, "a negative timespan");
    spl_check_stats_fields(c, g, l, k);
    bool temporal = g->type == SG_AGG_TEMPORAL || g->type == SG_AGG_TEMPORAL_ORDERED;
    if (!temporal && g->type != SG_AGG_EVENT_COUNT && !g->field.len)
        spl_unsupported(c, l, k, "%s needs a field", sg_agg_type_name(g->type));
    if (g->op == SG_CMP_NONE && !(temporal && g->temporal_condition))
        spl_unsupported(c, l, k, "an aggregation without a condition");
    /* stats only produces groups that have events, so an event or rule
     * count is at least 1: a condition that holds only for zero (eq 0,
     * lt 1, lte 0) would silently never match.  (dc() can be 0.) */
    bool counts = g->type == SG_AGG_EVENT_COUNT || temporal;
    if (counts && ((g->op == SG_CMP_EQ && g->threshold == 0) || (g->op == SG_CMP_LT && g->threshold <= 1) ||
                   (g->op == SG_CMP_LTE && g->threshold < 1)))
        spl_unsupported(c, l, k,
                        "the condition holds only for groups without events, which SPL stats never produces");
    if (g->op != SG_CMP_NONE && !g->threshold_is_int) {
        sg_buf tmp;
        sg_buf_init(&tmp);
        if (!spl_format_double(&tmp, g->threshold))
            spl_unsupported(c, l, k, "the threshold '%.*s' cannot be written as an SPL literal",
                            SG_STR_ARG(g->threshold_text));
        sg_buf_free(&tmp);
    }
    if (g->type == SG_AGG_VALUE_PERCENTILE && (g->percentile < 1 || g->percentile > 99))
        spl_unsupported(c, l, k, "percentile %d is outside 1-99", g->percentile);
    if (temporal && g->temporal_condition && !spl_cond_refs_ok(g, g->temporal_condition))
        spl_unsupported(c, l, k, "the temporal condition is malformed");
    if (g->origin == SG_ORIGIN_CORRELATION || g->n_rules) {
        spl_check_refs(c, g);
        for (size_t a = 0; a < g->n_aliases; a++) {
            spl_stats_field_ok(c, g->aliases[a].name, l, k, "alias");
            for (size_t m = 0; m < g->aliases[a].count; m++)
                if (!spl_field_writable(g->aliases[a].maps[m].field))
                    spl_unsupported(c, l, k, "alias field '%.*s' cannot be written in SPL",
                                    SG_STR_ARG(g->aliases[a].maps[m].field));
        }
        if (!g->n_rules) spl_unsupported(c, l, k, "a correlation without rules");
        for (size_t j = 0; j < g->n_rules; j++) {
            const sg_ir_rule *r = g->rules ? g->rules[j] : NULL;
            if (!r || !r->expr) {
                spl_unsupported(c, l, k, "correlation rule '%.*s' was not compiled", SG_STR_ARG(g->rule_refs[j]));
                continue;
            }
            if (r->kind != SG_RULE_DETECTION || r->agg) {
                spl_unsupported(c, l, k,
                                "correlation rule '%.*s' is itself an aggregation; chained correlations are not "
                                "supported by the SPL backend",
                                SG_STR_ARG(g->rule_refs[j]));
                continue;
            }
            const char *saved = c->file;
            c->file = r->meta.file;
            spl_check_expr(c, r->expr);
            c->file = saved;
        }
    } else if (!rule->expr) {
        spl_unsupported(c, l, k, "the rule has no compiled detection");
    } else {
        spl_check_expr(c, rule->expr);
    }
    return !c->failed;
}

static void spl_threshold_number(sg_buf *out, const sg_ir_agg *g) {
    if (g->threshold_is_int) sg_buf_printf(out, "%lld", (long long)g->threshold_int);
    else spl_format_double(out, g->threshold);
}

/* `| search <name> <op> <N>`; negative thresholds in `| where`, where the
 * number cannot be misread as a search term. */
static void spl_threshold(sg_buf *out, const sg_ir_agg *g, const char *name) {
    bool neg = g->threshold_is_int ? g->threshold_int < 0 : g->threshold < 0;
    if (!neg) {
        sg_buf_printf(out, "\n| search %s %s ", name, g->op == SG_CMP_EQ ? "=" : sg_cmp_op_text(g->op));
        spl_threshold_number(out, g);
        return;
    }
    static const char *const ops[] = {"", "<", "<=", ">", ">=", "==", "!="};
    sg_buf_printf(out, "\n| where %s%s(", name, ops[g->op]);
    spl_threshold_number(out, g);
    sg_buf_add_byte(out, ')');
}

/* ` by _time <group-by...>` of stats and eventstats (nothing without
 * buckets and group-by). */
static void spl_by(sg_buf *out, const sg_ir_agg *g) {
    if (g->timespan <= 0 && !g->n_group_by) return;
    sg_buf_add_cstr(out, " by");
    if (g->timespan > 0) sg_buf_add_cstr(out, " _time");
    for (size_t i = 0; i < g->n_group_by; i++) {
        sg_buf_add_byte(out, ' ');
        spl_stats_name(out, g->group_by[i]);
    }
}

/* temporal_ordered after the buckets: the first time of each rule at or
 * after the previous rule's (see the comment at the top). */
static void spl_emit_ordered(sg_buf *out, const sg_ir_agg *g) {
    for (size_t j = 0; j < g->n_rules; j++) {
        sg_buf_printf(out, "\n| eval sigc_t%zu=if(sigc_rule==", j + 1);
        spl_quote_where_string(out, g->rule_refs[j]);
        if (j) sg_buf_printf(out, " AND sigc_t>=sigc_T%zu", j);
        sg_buf_add_cstr(out, ", sigc_t, null())");
        sg_buf_printf(out, "\n| eventstats min(sigc_t%zu) as sigc_T%zu", j + 1, j + 1);
        spl_by(out, g);
    }
    sg_buf_printf(out, "\n| stats min(sigc_T%zu) as sigc_last", g->n_rules);
    spl_by(out, g);
    sg_buf_add_cstr(out, "\n| search sigc_last=*");
}

static void spl_emit_agg(sg_buf *out, const sg_ir_rule *rule) {
    const sg_ir_agg *g = rule->agg;
    bool corr = g->origin == SG_ORIGIN_CORRELATION || g->n_rules;
    bool temporal = g->type == SG_AGG_TEMPORAL;
    bool ordered = g->type == SG_AGG_TEMPORAL_ORDERED;
    /* the events */
    if (!corr) {
        spl_query(out, rule->expr, "\n");
    } else if (g->n_rules == 1) {
        spl_query(out, g->rules[0]->expr, "\n");
        spl_branch_evals(out, g, 0, temporal || ordered, "\n");
    } else {
        /* multisearch runs each bracket as its own search (only streaming
         * commands inside: where and eval are). */
        sg_buf_add_cstr(out, "| multisearch");
        for (size_t j = 0; j < g->n_rules; j++) {
            sg_buf_add_cstr(out, " [ search ");
            spl_query(out, g->rules[j]->expr, " ");
            spl_branch_evals(out, g, j, true, " ");
            sg_buf_add_cstr(out, " ]");
        }
    }
    spl_emit_renames(out, g);
    /* the buckets (temporal_ordered keeps each event's own time) */
    if (ordered) sg_buf_add_cstr(out, "\n| eval sigc_t=_time");
    if (g->timespan > 0) {
        sg_buf_add_cstr(out, "\n| bin _time span=");
        spl_span(out, g->timespan);
    }
    if (ordered) {
        spl_emit_ordered(out, g);
        return;
    }
    /* the statistic */
    const char *name = "event_count";
    sg_buf_add_cstr(out, "\n| stats ");
    switch (g->type) {
    case SG_AGG_EVENT_COUNT: sg_buf_add_cstr(out, "count"); break;
    case SG_AGG_VALUE_COUNT: name = "value_count"; sg_buf_add_cstr(out, "dc("); break;
    case SG_AGG_VALUE_SUM: name = "value_sum"; sg_buf_add_cstr(out, "sum("); break;
    case SG_AGG_VALUE_AVG: name = "value_avg"; sg_buf_add_cstr(out, "avg("); break;
    case SG_AGG_VALUE_MIN: name = "value_min"; sg_buf_add_cstr(out, "min("); break;
    case SG_AGG_VALUE_MAX: name = "value_max"; sg_buf_add_cstr(out, "max("); break;
    /* exactperc: perc() approximates above 1000 distinct values;
     * exactperc50 is the median (the lower middle value for an even count) */
    case SG_AGG_VALUE_PERCENTILE:
        name = "value_percentile";
        sg_buf_printf(out, "exactperc%d(", g->percentile);
        break;
    case SG_AGG_VALUE_MEDIAN: name = "value_median"; sg_buf_add_cstr(out, "exactperc50("); break;
    case SG_AGG_TEMPORAL:
        if (g->temporal_condition) {
            name = "sigc_rules";
            sg_buf_add_cstr(out, "values(sigc_rule)");
        } else {
            name = "rule_count";
            sg_buf_add_cstr(out, "dc(sigc_rule)");
        }
        break;
    default: break;
    }
    if (g->type != SG_AGG_EVENT_COUNT && g->type != SG_AGG_TEMPORAL) {
        spl_stats_name(out, g->field);
        sg_buf_add_byte(out, ')');
    }
    sg_buf_printf(out, " as %s", name);
    spl_by(out, g);
    /* the condition */
    if (temporal && g->temporal_condition) {
        sg_buf_add_cstr(out, "\n| search ");
        spl_rule_cond(out, g, g->temporal_condition, false);
    } else {
        spl_threshold(out, g, name);
    }
}

/* ------------------------------------------------------------------ */
/* Entry point                                                          */

/* Computed columns, preludes and their prefilter are KQL pipeline features. */
static bool spl_plain_source(spl_ctx *c, const sg_ir_rule *r) {
    if (!r->prefilter && !r->prelude.count && !r->n_columns) return true;
    spl_unsupported(c, r->meta.line, 1, "the pipeline computes columns (computed:, members:, prelude:, bag:), which only KQL output has");
    return false;
}

static int spl_emit_rule(sg_diags *diags, const sg_ir_rule *rule, sg_buf *out) {
    spl_ctx c = {diags, rule, rule->meta.file, false};
    if (!spl_plain_source(&c, rule)) return -1;
    if (rule->agg)
        for (size_t j = 0; j < rule->agg->n_rules; j++)
            if (rule->agg->rules && rule->agg->rules[j] && !spl_plain_source(&c, rule->agg->rules[j])) return -1;
    if (rule->kind == SG_RULE_FILTER) {
        spl_unsupported(&c, rule->meta.line, 1, "a filter is applied to the rules it names, not converted on its own");
        return -1;
    }
    if (rule->agg) {
        if (!spl_check_agg(&c, rule)) return -1;
        spl_emit_agg(out, rule);
        return 0;
    }
    if (!rule->expr) {
        spl_unsupported(&c, rule->meta.line, 1, "the rule has no compiled detection");
        return -1;
    }
    spl_check_expr(&c, rule->expr);
    if (c.failed) return -1;
    spl_query(out, rule->expr, "\n");
    return 0;
}

const sg_backend sg_backend_spl = {"spl", "Splunk SPL search", ".spl", spl_emit_rule, spl_emit_comment, NULL, NULL};
