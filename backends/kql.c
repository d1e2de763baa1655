/* kql.c - the Microsoft KQL target (Sentinel, Defender XDR, Azure Data
 * Explorer).
 *
 * Output of one rule:
 *   detection, no aggregation:  <Table>\n| where <predicate>
 *                               (just <predicate> when the pipeline set no table)
 *   aggregation:                <Table>\n| where <predicate>
 *                               \n| summarize X = f() by bin(<time>, <span>), g...
 *                               \n| where X <op> N
 *                               (no table: the same lines from `| where` on, a
 *                               fragment to append to a tabular source)
 *   correlation over one rule:  as an aggregation, on that rule's table
 *   correlation over several:   union (T1 | where p1 | extend sigc_rule = "r1"),
 *                                   (T2 | ...)\n| summarize ...
 *   temporal_ordered:           let sigc_events = union (...), (...)
 *                               \n| extend sigc_bucket = bin(<time>, <span>);
 *                               \nsigc_events | where sigc_rule == "r1"
 *                               \n| summarize sigc_t1 = min(<time>) by sigc_bucket, g...
 *                               then per further rule a join, a where and
 *                               a summarize (see kql_ordered)
 *
 * Sigma semantics, construct by construct (string matching is
 * case-insensitive unless the predicate is cased):
 *   EQ =~ / ==,  CONTAINS contains / contains_cs,  STARTSWITH, ENDSWITH
 *   likewise,  GLOB `matches regex "(?is)^...$"`,  numbers and booleans
 *   compared unquoted,  NULL isempty(),  EXISTS isnotempty(),  CIDR
 *   ipv4_is_in_range() / ipv6_is_in_range(),  FIELDREF with the other
 *   column as the right operand,  time parts datetime_part() /
 *   week_of_year(),  keywords `* contains "v"` (documented as the `where`
 *   form of `search "*v*"`) or `* matches regex`.
 *
 * Regexes: Sigma regexes are PCRE.  Kusto's were RE2 and are now the
 * dialect of its "Regex syntax" page (Rust-regex-like: Unicode-aware \d \w
 * \s \b, nested classes and set operators inside [...]).  kql_regex()
 * rewrites a PCRE pattern into text that means the same there, and in RE2
 * too wherever one spelling does: ASCII \d \w \s \h \v as explicit
 * ranges, every class re-emitted item by item with its literals escaped,
 * PCRE's `$` as `(?:\n?\z)` where nothing can follow it, capturing groups
 * as non-capturing ones (Kusto allows at most 16 groups), (?-i:...) around
 * what PCRE never case-folds.  \b becomes the documented (?-u:\b), which
 * RE2 would reject outright rather than match differently.  Whatever has
 * no exact form is reported: backreferences, lookaround, atomic groups,
 * possessive quantifiers, \G \K \B \R \X, recursion, conditionals,
 * verbs, (?x), counts over 1000, and the few places where the two engines'
 * anchors or case folding disagree.
 *
 * Anything the target cannot express exactly is an SG_D_UNSUPPORTED error
 * at the IR node, and emit_rule returns -1.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"

/* ------------------------------------------------------------------ */
/* Context and diagnostics                                              */

typedef struct kql_ctx {
    sg_diags *diags;
    const sg_ir_rule *rule; /* the rule whose IR is being rendered (locations, rule id) */
    const sg_ir_agg *temporal; /* set while rendering a temporal condition: RULEREF -> set_has_element */
    bool failed;
} kql_ctx;

static void kql_error(kql_ctx *c, sg_diag_id id, uint32_t line, uint32_t col, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* Reports an error located in the rule being rendered and marks the emit failed. */
static void kql_error(kql_ctx *c, sg_diag_id id, uint32_t line, uint32_t col, const char *fmt, ...) {
    size_t before = c->diags->count;
    sg_loc loc = {c->rule->meta.file, line, col};
    va_list ap;
    va_start(ap, fmt);
    sg_diag_vadd(c->diags, id, sg_diag_table[id].severity, loc, fmt, ap);
    va_end(ap);
    if (c->rule->meta.id.len) sg_diags_tag_rule(c->diags, before, c->rule->meta.id);
    c->failed = true;
}

/* ------------------------------------------------------------------ */
/* UTF-8                                                                */

/* Decodes one UTF-8 sequence at p[0..len).  Returns its length (1-4) and
 * the code point, or 0 when the bytes there are not valid UTF-8 (overlong
 * forms, surrogates and values above U+10FFFF included). */
static size_t kql_utf8_next(const unsigned char *p, size_t len, uint32_t *cp) {
    if (!len) return 0;
    unsigned char b = p[0];
    if (b < 0x80) {
        *cp = b;
        return 1;
    }
    size_t n;
    uint32_t v, min;
    if ((b & 0xE0) == 0xC0) n = 2, v = b & 0x1F, min = 0x80;
    else if ((b & 0xF0) == 0xE0) n = 3, v = b & 0x0F, min = 0x800;
    else if ((b & 0xF8) == 0xF0) n = 4, v = b & 0x07, min = 0x10000;
    else return 0;
    if (len < n) return 0;
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xC0) != 0x80) return 0;
        v = (v << 6) | (p[i] & 0x3F);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) return 0;
    *cp = v;
    return n;
}

static void kql_utf8_put(sg_buf *out, uint32_t cp) {
    char b[4];
    size_t n;
    if (cp < 0x80) b[0] = (char)cp, n = 1;
    else if (cp < 0x800) b[0] = (char)(0xC0 | (cp >> 6)), b[1] = (char)(0x80 | (cp & 0x3F)), n = 2;
    else if (cp < 0x10000)
        b[0] = (char)(0xE0 | (cp >> 12)), b[1] = (char)(0x80 | ((cp >> 6) & 0x3F)), b[2] = (char)(0x80 | (cp & 0x3F)),
        n = 3;
    else
        b[0] = (char)(0xF0 | (cp >> 18)), b[1] = (char)(0x80 | ((cp >> 12) & 0x3F)),
        b[2] = (char)(0x80 | ((cp >> 6) & 0x3F)), b[3] = (char)(0x80 | (cp & 0x3F)), n = 4;
    sg_buf_add(out, b, n);
}

/* Characters never written raw into query text: controls (C0, DEL, C1),
 * bidirectional formatting (Trojan Source), line and paragraph separators
 * (line breaks to some editors) and the byte order mark. */
static bool kql_is_hidden(uint32_t cp) {
    return cp < 0x20 || (cp >= 0x7F && cp < 0xA0) || cp == 0x061C || cp == 0x200E || cp == 0x200F ||
           (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0x2028 || cp == 0x2029 ||
           cp == 0xFEFF;
}

/* ------------------------------------------------------------------ */
/* Escaping: strings, field names, comments                             */

/* Writes s as a KQL string literal between quote characters (" or ').
 * Escapes (Kusto.Language LexicalGrammar): \" \' \\ \n \r \t, and \uXXXX
 * for every other hidden character (NUL included).  Returns false when s is
 * not valid UTF-8: KQL strings are Unicode, so such bytes cannot be said. */
static bool kql_quote_lit(sg_buf *out, sg_str s, char quote) {
    const unsigned char *p = (const unsigned char *)s.ptr;
    sg_buf_add_byte(out, quote);
    for (size_t i = 0; i < s.len;) {
        uint32_t cp;
        size_t n = kql_utf8_next(p + i, s.len - i, &cp);
        if (!n) return false;
        if (cp == (uint32_t)quote || cp == '\\') {
            sg_buf_add_byte(out, '\\');
            sg_buf_add_byte(out, (char)cp);
        } else if (cp == '\n') {
            sg_buf_add_cstr(out, "\\n");
        } else if (cp == '\r') {
            sg_buf_add_cstr(out, "\\r");
        } else if (cp == '\t') {
            sg_buf_add_cstr(out, "\\t");
        } else if (kql_is_hidden(cp)) {
            sg_buf_printf(out, "\\u%04X", (unsigned)cp);
        } else {
            sg_buf_add(out, p + i, n);
        }
        i += n;
    }
    sg_buf_add_byte(out, quote);
    return true;
}

/* A double-quoted KQL string literal; false on invalid UTF-8. */
static bool kql_quote_string(sg_buf *out, sg_str s) { return kql_quote_lit(out, s, '"'); }

/* Words that cannot stand as a bare column name: the query keywords of
 * Kusto.Language's SyntaxFacts that are not allowed as identifiers, the
 * engine keywords it lists as needing brackets, type names, the boolean
 * literals, and a few function-like words for good measure.  Bracketing
 * is always valid, so the list errs on the side of more. */
static const char *const kql_keywords[] = {
    "FALSE", "False", "GB", "MB", "TRUE", "True", "__crossCluster", "__crossDB", "__executeAndCache",
    "__isFuzzy", "__packedColumn", "__projectAway", "__sourceColumnIndex", "__unique", "accumulate", "alias",
    "and", "application", "as", "asc", "bagexpansion", "between", "bin", "bin_legacy", "blockedprincipals",
    "bool", "boolean", "by", "byte", "bytes", "cachingpolicy", "callout", "callouts", "callstacks", "cancel",
    "char", "characters", "clusteradmin", "concurrency", "configuration", "consume", "container",
    "containers", "contains", "contains_cs", "containscs", "count", "dataexport", "datascope", "datasize",
    "datastats", "datatable", "date", "datetime", "datetime_pattern", "days", "decimal", "declare", "desc",
    "dimensions", "disabled", "distinct", "double", "dryrun", "dynamic", "earliest", "empty", "enabled",
    "encodingpolicy", "endswith", "endswith_cs", "entity_group", "evaluate", "exclude", "expandoutput",
    "expired_tables_cleanup", "extend", "extent_tags_retention", "extentsize", "external", "external_data",
    "externaldata", "false", "filesystem", "filter", "find", "first", "flags", "float", "follower", "for",
    "format_datetime", "getschema", "graph_shards", "graph_snapshots_drop_by_retention",
    "graph_snapshots_optimize", "guid", "harddelete", "hardretention", "has", "has_all", "has_any", "has_cs",
    "hasprefix", "hasprefix_cs", "hassuffix", "hassuffix_cs", "hot_window", "identity", "in", "include",
    "int", "int16", "int32", "int64", "int8", "invoke", "join", "journal", "kind", "last", "latest", "let",
    "like", "likecs", "limit", "long", "materialize", "mdm", "missing", "mvapply", "mvexpand", "network",
    "not", "notcontains", "notcontainscs", "notlike", "notlikecs", "null", "of", "on", "or", "order",
    "others", "parse", "partitioning", "pathformat", "print", "project", "queries", "query_results", "real",
    "rebalance", "recoverability", "regex", "relaxed", "reset", "restrict", "restricted_view_access",
    "row_level_security", "rowstore", "rowstore_references", "rowstore_sealinfo", "rowstorepolicy",
    "rowstores", "run", "sample", "sandbox", "sandboxes", "scan", "seal", "seals", "search", "serialize",
    "servicepoints", "set", "sharding", "shards", "shuffle", "simple", "single", "softdelete",
    "softretention", "sort", "sql", "startofday", "startofmonth", "startofweek", "startofyear",
    "startswith", "startswith_cs", "statistics", "stored_query_result", "stored_query_results",
    "storedqueryresultcontainers", "string", "summarize", "tablepurge", "take", "threadpools", "throw",
    "time", "timespan", "title", "to", "top", "toscalar", "totable", "transactions", "trim", "true", "uint",
    "uint16", "uint32", "uint64", "uint8", "ulong", "union", "uniqueid", "unrestrictedviewers", "until",
    "unused", "utilization", "uuid", "verbose", "viewers", "views", "violations", "where", "with",
    "writeaheadlog",
};

static bool kql_is_keyword(sg_str s) {
    for (size_t i = 0; i < sizeof kql_keywords / sizeof *kql_keywords; i++)
        if (sg_str_eq_cstr(s, kql_keywords[i])) return true;
    return false;
}

/* [A-Za-z_][A-Za-z0-9_]* and not a keyword. */
static bool kql_is_bare_name(sg_str s) {
    if (!s.len) return false;
    for (size_t i = 0; i < s.len; i++) {
        char ch = s.ptr[i];
        bool alpha = (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || ch == '_';
        if (!alpha && !(i > 0 && ch >= '0' && ch <= '9')) return false;
    }
    return !kql_is_keyword(s);
}

/* A column (or table) name: bare when it may be, otherwise ['name'] with
 * the string escapes of a single-quoted literal.  False on invalid UTF-8. */
static bool kql_quote_field(sg_buf *out, sg_str name) {
    if (kql_is_bare_name(name)) {
        sg_buf_add_str(out, name);
        return true;
    }
    sg_buf_add_byte(out, '[');
    if (!kql_quote_lit(out, name, '\'')) return false;
    sg_buf_add_byte(out, ']');
    return true;
}

/* Field name with error reporting at line:col. */
static void kql_field(kql_ctx *c, sg_buf *out, sg_str name, uint32_t line, uint32_t col) {
    if (!kql_quote_field(out, name))
        kql_error(c, SG_D_UNSUPPORTED, line, col, "the field name is not valid UTF-8, which a KQL name cannot hold");
}

/* String literal with error reporting at line:col. */
static void kql_string(kql_ctx *c, sg_buf *out, sg_str s, uint32_t line, uint32_t col) {
    if (!kql_quote_string(out, s))
        kql_error(c, SG_D_UNSUPPORTED, line, col,
                  "the value holds bytes that are not valid UTF-8 (e.g. from |wide); KQL strings are Unicode text");
}

/* Whether a field is a text column: read out of a property bag (a
 * pipeline's `bag:` / `members:`) or named by its `text:`.  Numbers and
 * booleans are compared as the text written there. */
static bool kql_text_column(const kql_ctx *c, sg_str field) {
    for (size_t i = 0; i < c->rule->n_columns; i++)
        if (c->rule->columns[i].bag.len && sg_str_eq(c->rule->columns[i].name, field)) return true;
    for (size_t i = 0; i < c->rule->text_columns.count; i++)
        if (sg_str_eq(c->rule->text_columns.items[i], field)) return true;
    return false;
}

/* One comment line: `// text\n`.  Line breaks and other controls become
 * spaces; bidi controls, separators and invalid bytes are shown as text
 * (\u202E, \xFF) so the comment can neither end early nor reorder what a
 * reader sees. */
static void kql_emit_comment(sg_buf *out, sg_str text) {
    const unsigned char *p = (const unsigned char *)text.ptr;
    sg_buf_add_cstr(out, "// ");
    for (size_t i = 0; i < text.len;) {
        uint32_t cp;
        size_t n = kql_utf8_next(p + i, text.len - i, &cp);
        if (!n) {
            sg_buf_printf(out, "\\x%02X", p[i]);
            i++;
            continue;
        }
        if (cp < 0x20 || (cp >= 0x7F && cp < 0xA0)) sg_buf_add_byte(out, ' ');
        else if (kql_is_hidden(cp)) sg_buf_printf(out, "\\u%04X", (unsigned)cp);
        else sg_buf_add(out, p + i, n);
        i += n;
    }
    sg_buf_add_byte(out, '\n');
}

/* ------------------------------------------------------------------ */
/* Numbers and timespans                                                */

/* A real literal: the shortest %g form that reads back exactly, with ".0"
 * added when it would otherwise read as a long; real(nan) / real(+inf). */
static void kql_double(sg_buf *out, double v) {
    if (isnan(v)) {
        sg_buf_add_cstr(out, "real(nan)");
        return;
    }
    if (isinf(v)) {
        sg_buf_add_cstr(out, v > 0 ? "real(+inf)" : "real(-inf)");
        return;
    }
    char tmp[40];
    if (v == floor(v) && fabs(v) < 1e15) {
        snprintf(tmp, sizeof tmp, "%.1f", v); /* 100.0, not 1e+02 */
        sg_buf_add_cstr(out, tmp);
        return;
    }
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(tmp, sizeof tmp, "%.*g", prec, v);
        if (strtod(tmp, NULL) == v) break;
    }
    sg_buf_add_cstr(out, tmp);
    if (!strpbrk(tmp, ".e")) sg_buf_add_cstr(out, ".0");
}

static void kql_number(sg_buf *out, const sg_ir_pred *p) {
    if (p->is_int) sg_buf_printf(out, "%lld", (long long)p->int_value);
    else kql_double(out, p->num);
}

/* A timespan literal in the largest unit that divides it: 1d, 2h, 5m, 90s. */
static void kql_timespan(sg_buf *out, int64_t secs) {
    if (secs % 86400 == 0) sg_buf_printf(out, "%lldd", (long long)(secs / 86400));
    else if (secs % 3600 == 0) sg_buf_printf(out, "%lldh", (long long)(secs / 3600));
    else if (secs % 60 == 0) sg_buf_printf(out, "%lldm", (long long)(secs / 60));
    else sg_buf_printf(out, "%llds", (long long)secs);
}

/* ------------------------------------------------------------------ */
/* Regex building blocks                                                */

/* Writes one code point as a regex literal.  Outside a class the PCRE/RE2
 * metacharacters are escaped; inside one also `-`, `^`, `[` and the `&`
 * and `~` of the Rust-style set operators (`&&`, `~~`); every form used is
 * valid in both dialects.  `<` and `>` are never escaped (`\<` is a word
 * boundary in the new dialect).  Invisible characters become \x{HEX}. */
static void kql_re_cp(sg_buf *out, uint32_t cp, bool in_class) {
    static const char outside[] = "\\.+*?()|[]{}^$";
    static const char inside[] = "\\[]^-&~";
    if (cp >= 0x20 && cp < 0x7F) {
        if (strchr(in_class ? inside : outside, (int)cp)) sg_buf_add_byte(out, '\\');
        sg_buf_add_byte(out, (char)cp);
        return;
    }
    bool raw = cp > 0xA0 && !kql_is_hidden(cp) && !(cp >= 0x2000 && cp <= 0x206F) && cp != 0x1680 &&
               cp != 0x180E && cp != 0x3000 && !(cp >= 0xD800 && cp <= 0xF8FF) && cp < 0xE0000;
    if (raw) kql_utf8_put(out, cp);
    else sg_buf_printf(out, "\\x{%X}", (unsigned)cp);
}

/* Literal bytes as regex text; false on invalid UTF-8. */
static bool kql_re_literal(sg_buf *out, sg_str s) {
    const unsigned char *p = (const unsigned char *)s.ptr;
    for (size_t i = 0; i < s.len;) {
        uint32_t cp;
        size_t n = kql_utf8_next(p + i, s.len - i, &cp);
        if (!n) return false;
        kql_re_cp(out, cp, false);
        i += n;
    }
    return true;
}

/* A Sigma wildcard pattern as a whole-value regex: literal parts escaped,
 * `*` -> `.*`, `?` -> `.` (one character), under (?s) so `.` also matches
 * a line break, and (?i) unless cased.  False on invalid UTF-8. */
static bool kql_glob_regex(sg_buf *out, sg_sstring s, bool cased) {
    sg_buf_add_cstr(out, cased ? "(?s)^" : "(?is)^");
    for (size_t i = 0; i < s.n; i++) {
        switch (s.parts[i].kind) {
        case SG_SP_LIT:
            if (!kql_re_literal(out, s.parts[i].text)) return false;
            break;
        case SG_SP_STAR: sg_buf_add_cstr(out, ".*"); break;
        case SG_SP_ONE: sg_buf_add_byte(out, '.'); break;
        case SG_SP_PLACEHOLDER: return false; /* reported before we get here */
        }
    }
    sg_buf_add_byte(out, '$');
    return true;
}

/* ------------------------------------------------------------------ */
/* PCRE -> KQL regex                                                    */

/* PCRE's ASCII Perl classes (no UCP) and \h \v, as code point ranges: in
 * the new dialect \d \w \s are Unicode-aware, so they are always written
 * out.  PCRE2's \s includes VT. */
typedef struct kql_range {
    uint32_t lo, hi;
} kql_range;

static const kql_range kql_cls_d[] = {{'0', '9'}};
static const kql_range kql_cls_w[] = {{'0', '9'}, {'A', 'Z'}, {'_', '_'}, {'a', 'z'}};
static const kql_range kql_cls_s[] = {{0x09, 0x0D}, {0x20, 0x20}};
static const kql_range kql_cls_h[] = {{0x09, 0x09}, {0x20, 0x20},     {0xA0, 0xA0},     {0x1680, 0x1680},
                                      {0x180E, 0x180E}, {0x2000, 0x200A}, {0x202F, 0x202F}, {0x205F, 0x205F},
                                      {0x3000, 0x3000}};
static const kql_range kql_cls_v[] = {{0x0A, 0x0D}, {0x85, 0x85}, {0x2028, 0x2029}};

typedef struct kql_perl_class {
    char letter; /* lower case; upper case is the complement */
    const kql_range *ranges;
    size_t n;
} kql_perl_class;

static const kql_perl_class kql_perl_classes[] = {
    {'d', kql_cls_d, 1}, {'w', kql_cls_w, 4}, {'s', kql_cls_s, 2}, {'h', kql_cls_h, 9}, {'v', kql_cls_v, 3},
};

static const kql_perl_class *kql_perl_class_of(unsigned char ch) {
    unsigned char lower = (unsigned char)(ch | 0x20);
    for (size_t i = 0; i < sizeof kql_perl_classes / sizeof *kql_perl_classes; i++)
        if (kql_perl_classes[i].letter == (char)lower && (ch == lower || ch == (unsigned char)(lower - 0x20)))
            return &kql_perl_classes[i];
    return NULL;
}

/* Class items for the ranges, or for their complement over all of Unicode
 * (written as explicit ranges, since neither dialect can negate one item
 * inside a class the same way). */
static void kql_re_ranges(sg_buf *out, const kql_range *r, size_t n, bool negate) {
    if (!negate) {
        for (size_t i = 0; i < n; i++) {
            kql_re_cp(out, r[i].lo, true);
            if (r[i].hi > r[i].lo) {
                sg_buf_add_byte(out, '-');
                kql_re_cp(out, r[i].hi, true);
            }
        }
        return;
    }
    uint32_t from = 0;
    for (size_t i = 0; i <= n; i++) {
        uint32_t to = i < n ? r[i].lo : 0x110000;
        if (to > from) {
            kql_re_cp(out, from, true);
            if (to - 1 > from) {
                sg_buf_add_byte(out, '-');
                kql_re_cp(out, to - 1, true);
            }
        }
        if (i < n) from = r[i].hi + 1;
    }
}

#define KQL_RE_MAX_DEPTH 256

typedef enum kql_re_last {
    KQL_RE_NONE,   /* start of the pattern, of a group or of an alternative */
    KQL_RE_ATOM,   /* something a quantifier may follow */
    KQL_RE_ASSERT, /* an anchor or boundary */
    KQL_RE_QUANT,  /* a complete quantifier */
} kql_re_last;

typedef struct kql_re {
    const unsigned char *p;
    size_t len, i;
    sg_buf *out;
    char err[200];
    unsigned fl;                     /* SG_RE_I / SG_RE_M in effect here */
    unsigned saved[KQL_RE_MAX_DEPTH]; /* fl at each open group */
    size_t depth;
    kql_re_last last;
} kql_re;

static bool kql_re_fail(kql_re *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static bool kql_re_fail(kql_re *r, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->err, sizeof r->err, fmt, ap);
    va_end(ap);
    return false;
}

static bool kql_is_hex(unsigned char ch) {
    return (ch >= '0' && ch <= '9') || ((ch | 0x20) >= 'a' && (ch | 0x20) <= 'f');
}

static uint32_t kql_hex_val(unsigned char ch) {
    return ch <= '9' ? (uint32_t)(ch - '0') : (uint32_t)((ch | 0x20) - 'a' + 10);
}

/* The escapes that stand for one character, read after the backslash at
 * r->i (which points at the letter).  Sets *cp and advances past the
 * escape; returns 1, 0 when the escape is not a single-character one, or
 * -1 after an error.  in_class: \b is backspace and \1..\7 are octal. */
static int kql_re_char_escape(kql_re *r, bool in_class, uint32_t *cp) {
    const unsigned char *p = r->p;
    size_t i = r->i;
    unsigned char ch = p[i];
    uint32_t v = 0;
    switch (ch) {
    case 'a': v = 0x07; i++; break;
    case 'e': v = 0x1B; i++; break;
    case 'f': v = 0x0C; i++; break;
    case 'n': v = 0x0A; i++; break;
    case 'r': v = 0x0D; i++; break;
    case 't': v = 0x09; i++; break;
    case 'b':
        if (!in_class) return 0;
        v = 0x08;
        i++;
        break;
    case 'x':
        i++;
        if (i < r->len && p[i] == '{') {
            size_t j = i + 1;
            while (j < r->len && kql_is_hex(p[j]) && v <= 0x10FFFF) v = v * 16 + kql_hex_val(p[j++]);
            if (j == i + 1 || j >= r->len || p[j] != '}') return kql_re_fail(r, "a malformed \\x{...} escape"), -1;
            i = j + 1;
        } else {
            for (int k = 0; k < 2 && i < r->len && kql_is_hex(p[i]); k++) v = v * 16 + kql_hex_val(p[i++]);
        }
        break;
    case 'o':
        i++;
        if (i >= r->len || p[i] != '{') return kql_re_fail(r, "a malformed \\o{...} escape"), -1;
        i++;
        {
            size_t start = i;
            while (i < r->len && p[i] >= '0' && p[i] <= '7' && v <= 0x10FFFF) v = v * 8 + (uint32_t)(p[i++] - '0');
            if (i == start || i >= r->len || p[i] != '}') return kql_re_fail(r, "a malformed \\o{...} escape"), -1;
            i++;
        }
        break;
    case 'c':
        i++;
        if (i >= r->len || p[i] < 0x20 || p[i] > 0x7E) return kql_re_fail(r, "a malformed \\c escape"), -1;
        v = (uint32_t)((p[i] >= 'a' && p[i] <= 'z') ? p[i] - 0x20 : p[i]) ^ 0x40;
        i++;
        break;
    case '0':
        /* \0 and up to two more octal digits */
        i++;
        for (int k = 0; k < 2 && i < r->len && p[i] >= '0' && p[i] <= '7'; k++) v = v * 8 + (uint32_t)(p[i++] - '0');
        break;
    default:
        if (in_class && ch >= '1' && ch <= '7') {
            /* in a class there are no backreferences: up to three octal digits */
            for (int k = 0; k < 3 && i < r->len && p[i] >= '0' && p[i] <= '7'; k++) v = v * 8 + (uint32_t)(p[i++] - '0');
            break;
        }
        if (in_class && (ch == '8' || ch == '9')) {
            v = ch;
            i++;
            break;
        }
        return 0;
    }
    if (v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        return kql_re_fail(r, "a character escape beyond Unicode (U+%X)", (unsigned)v), -1;
    *cp = v;
    r->i = i;
    return 1;
}

/* \p{Name}, \P{Name}, \pL at r->i (the p/P): copied when the name means the
 * same in every dialect (general categories, scripts, Any).  PCRE never
 * applies caseless matching to a property (\p{Lu} stays upper case under
 * (?i)) while KQL case-folds it, so under (?i) it is wrapped in (?-i:...),
 * which cannot be done inside a class. */
static bool kql_re_property(kql_re *r, bool in_class) {
    const unsigned char *p = r->p;
    bool neg = p[r->i] == 'P';
    size_t i = r->i + 1;
    size_t name_from, name_to;
    if (i < r->len && p[i] == '{') {
        name_from = ++i;
        while (i < r->len && p[i] != '}') i++;
        if (i >= r->len) return kql_re_fail(r, "an unterminated \\p{...}");
        name_to = i++;
    } else if (i < r->len) {
        name_from = i;
        name_to = ++i;
    } else {
        return kql_re_fail(r, "a \\p without a property name");
    }
    if (name_from < name_to && p[name_from] == '^') {
        neg = !neg;
        name_from++;
    }
    sg_str name = {(const char *)p + name_from, name_to - name_from};
    bool ok = name.len > 0 && name.len < 40;
    for (size_t k = 0; k < name.len; k++)
        if (!((name.ptr[k] >= 'A' && name.ptr[k] <= 'Z') || (name.ptr[k] >= 'a' && name.ptr[k] <= 'z') ||
              name.ptr[k] == '_'))
            ok = false;
    /* PCRE's own pseudo-properties have no counterpart */
    static const char *const pcre_only[] = {"Xan", "Xps", "Xsp", "Xwd", "Xuc", "L&", "Lc"};
    for (size_t k = 0; ok && k < sizeof pcre_only / sizeof *pcre_only; k++)
        if (sg_str_eq_cstr(name, pcre_only[k])) ok = false;
    if (!ok)
        return kql_re_fail(r, "the Unicode property \\p{%.*s} has no KQL counterpart", SG_STR_ARG(name));
    bool fold = (r->fl & SG_RE_I) != 0;
    if (fold && in_class)
        return kql_re_fail(r, "a Unicode property inside a class in case-insensitive mode (PCRE does not case-fold it, KQL does)");
    sg_buf_printf(r->out, "%s\\%c{%.*s}%s", fold ? "(?-i:" : "", neg ? 'P' : 'p', SG_STR_ARG(name), fold ? ")" : "");
    r->i = i;
    return true;
}

static const char *const kql_posix_names[] = {"alnum", "alpha", "ascii", "blank", "cntrl", "digit", "graph",
                                              "lower", "print", "punct", "space", "upper", "word", "xdigit"};

/* A bracketed class at r->i ('[').  PCRE rules: `]` first is literal, `-`
 * first or last (or next to a class escape) is literal, POSIX [:name:]
 * items, escapes.  Re-emitted item by item with every literal escaped, so
 * the new dialect's nested classes and set operators cannot appear. */
static bool kql_re_class(kql_re *r) {
    const unsigned char *p = r->p;
    size_t i = r->i + 1;
    sg_buf_add_byte(r->out, '[');
    if (i < r->len && p[i] == '^') {
        sg_buf_add_byte(r->out, '^');
        i++;
    }
    bool first = true;
    bool pending = false; /* a single character waiting to see whether a range follows */
    uint32_t pending_cp = 0;
    bool range = false; /* pending is the low end of a range: `lo-` was read */
    for (;;) {
        if (i >= r->len) return kql_re_fail(r, "an unterminated character class");
        unsigned char ch = p[i];
        bool single = false;
        uint32_t cp = 0;
        if (ch == ']' && !first) {
            i++;
            break;
        }
        first = false;
        if (ch == '[' && i + 1 < r->len && (p[i + 1] == ':' || p[i + 1] == '.' || p[i + 1] == '=')) {
            size_t j = i + 2;
            while (j + 1 < r->len && !(p[j] == p[i + 1] && p[j + 1] == ']')) j++;
            if (j + 1 >= r->len) return kql_re_fail(r, "an unterminated POSIX class");
            if (p[i + 1] != ':') return kql_re_fail(r, "POSIX collating elements are not supported");
            sg_str name = {(const char *)p + i + 2, j - (i + 2)};
            bool neg = name.len && name.ptr[0] == '^';
            if (neg) name.ptr++, name.len--;
            bool known = false;
            for (size_t k = 0; k < sizeof kql_posix_names / sizeof *kql_posix_names; k++)
                known |= sg_str_eq_cstr(name, kql_posix_names[k]);
            if (!known) return kql_re_fail(r, "the POSIX class [:%.*s:] has no KQL counterpart", SG_STR_ARG(name));
            /* PCRE case-folds [:upper:] and [:lower:] but not [:alpha:] and the
             * like; KQL folds them all.  Classes without letters are safe. */
            static const char *const caseless_safe[] = {"blank", "cntrl", "digit", "punct", "space", "xdigit"};
            bool safe = false;
            for (size_t k = 0; k < sizeof caseless_safe / sizeof *caseless_safe; k++)
                safe |= sg_str_eq_cstr(name, caseless_safe[k]);
            if ((r->fl & SG_RE_I) && !safe)
                return kql_re_fail(r, "the POSIX class [:%.*s:] in case-insensitive mode (PCRE and KQL case-fold it differently)",
                                   SG_STR_ARG(name));
            if (range) return kql_re_fail(r, "a range ending in a POSIX class");
            if (pending) kql_re_cp(r->out, pending_cp, true), pending = false;
            sg_buf_printf(r->out, "[:%s%.*s:]", neg ? "^" : "", SG_STR_ARG(name));
            i = j + 2;
            continue;
        }
        if (ch == '\\') {
            if (i + 1 >= r->len) return kql_re_fail(r, "a trailing backslash");
            unsigned char e = p[i + 1];
            const kql_perl_class *pc = kql_perl_class_of(e);
            if (pc) {
                if (range) return kql_re_fail(r, "a range ending in a class escape");
                if (pc->letter == 'w' && (r->fl & SG_RE_I))
                    return kql_re_fail(r, "\\%c inside a class in case-insensitive mode (PCRE does not case-fold it, KQL does)", e);
                if (pending) kql_re_cp(r->out, pending_cp, true), pending = false;
                kql_re_ranges(r->out, pc->ranges, pc->n, e != pc->letter);
                i += 2;
                continue;
            }
            if (e == 'p' || e == 'P') {
                if (range) return kql_re_fail(r, "a range ending in a property");
                if (pending) kql_re_cp(r->out, pending_cp, true), pending = false;
                r->i = i + 1;
                if (!kql_re_property(r, true)) return false;
                i = r->i;
                continue;
            }
            if (e == 'E') { /* a stray \E is ignored */
                i += 2;
                continue;
            }
            if (e == 'Q') return kql_re_fail(r, "\\Q...\\E inside a character class");
            r->i = i + 1;
            int got = kql_re_char_escape(r, true, &cp);
            if (got < 0) return false;
            if (got > 0) {
                i = r->i;
                single = true;
            } else if (e < 0x80 && !((e >= '0' && e <= '9') || ((e | 0x20) >= 'a' && (e | 0x20) <= 'z'))) {
                cp = e; /* escaped punctuation is itself */
                i += 2;
                single = true;
            } else if (e >= 0x80) {
                size_t n = kql_utf8_next(p + i + 1, r->len - i - 1, &cp);
                if (!n) return kql_re_fail(r, "invalid UTF-8 in the pattern");
                i += 1 + n;
                single = true;
            } else {
                return kql_re_fail(r, "the escape \\%c inside a character class has no KQL counterpart", e);
            }
        } else {
            size_t n = kql_utf8_next(p + i, r->len - i, &cp);
            if (!n) return kql_re_fail(r, "invalid UTF-8 in the pattern");
            /* `-` starts a range only between two single characters */
            if (cp == '-' && pending && !range && i + 1 < r->len && p[i + 1] != ']') {
                range = true;
                i++;
                continue;
            }
            i += n;
            single = true;
        }
        if (single) {
            if (range) {
                kql_re_cp(r->out, pending_cp, true);
                sg_buf_add_byte(r->out, '-');
                kql_re_cp(r->out, cp, true);
                pending = range = false;
            } else {
                if (pending) kql_re_cp(r->out, pending_cp, true);
                pending = true;
                pending_cp = cp;
            }
        }
    }
    if (pending) kql_re_cp(r->out, pending_cp, true);
    if (range) kql_re_cp(r->out, '-', true);
    sg_buf_add_byte(r->out, ']');
    r->i = i;
    return true;
}

/* Skips one escape starting at the backslash at i (\Q...\E as a whole). */
static size_t kql_re_skip_escape(const unsigned char *p, size_t len, size_t i) {
    if (i + 1 < len && p[i + 1] == 'Q') {
        for (i += 2; i + 1 < len; i++)
            if (p[i] == '\\' && p[i + 1] == 'E') return i + 2;
        return len;
    }
    return i + 2 < len ? i + 2 : len;
}

/* Skips a class starting at '[' at i. */
static size_t kql_re_skip_class(const unsigned char *p, size_t len, size_t i) {
    i++;
    if (i < len && p[i] == '^') i++;
    if (i < len && p[i] == ']') i++;
    while (i < len && p[i] != ']') {
        if (p[i] == '\\') i = kql_re_skip_escape(p, len, i);
        else if (p[i] == '[' && i + 1 < len && p[i + 1] == ':') {
            size_t j = i + 2;
            while (j + 1 < len && !(p[j] == ':' && p[j + 1] == ']')) j++;
            i = j + 2;
        } else i++;
    }
    return i < len ? i + 1 : len;
}

/* True when nothing after position i can consume a character: only `)`,
 * quantifiers on groups, and alternatives (skipped to the end of their
 * group) follow until the end of the pattern.  Then PCRE's `$` (end, or
 * before a final newline) can be written `(?:\n?\z)` with the same result. */
static bool kql_re_terminal(const unsigned char *p, size_t len, size_t i) {
    while (i < len) {
        unsigned char ch = p[i];
        if (ch == ')') {
            i++;
            /* A quantifier on the group that just closed: `?` (or {0,1})
             * is harmless, but a repeat could enter the group again and
             * consume the newline PCRE's `$` left in place. */
            if (i < len && p[i] == '?') {
                i++;
                if (i < len && p[i] == '?') i++;
            } else if (i < len && (p[i] == '*' || p[i] == '+')) {
                return false;
            } else if (i < len && p[i] == '{') {
                size_t j = i + 1;
                unsigned long hi = 0;
                bool comma = false, digits_after = false;
                while (j < len && ((p[j] >= '0' && p[j] <= '9') || p[j] == ',')) {
                    if (p[j] == ',') comma = true, hi = 0;
                    else hi = hi * 10 + (unsigned long)(p[j] - '0'), digits_after = true;
                    if (hi > 100000) hi = 100000;
                    j++;
                }
                if (j < len && p[j] == '}') {
                    if ((comma && !digits_after) || hi > 1) return false;
                    i = j + 1;
                    if (i < len && p[i] == '?') i++;
                }
            }
            continue;
        }
        if (ch == '|') {
            /* skip the rest of this group: find its closing parenthesis */
            size_t depth = 0;
            i++;
            while (i < len) {
                if (p[i] == '\\') i = kql_re_skip_escape(p, len, i);
                else if (p[i] == '[') i = kql_re_skip_class(p, len, i);
                else if (p[i] == '(' && i + 2 < len && p[i + 1] == '?' && p[i + 2] == '#') {
                    while (i < len && p[i] != ')') i++;
                    i++;
                } else if (p[i] == '(') depth++, i++;
                else if (p[i] == ')') {
                    if (depth == 0) break;
                    depth--, i++;
                } else i++;
            }
            continue;
        }
        if (ch == '$') { /* another end anchor consumes nothing */
            i++;
            continue;
        }
        return false;
    }
    return true;
}

/* Capturing groups opened before position end (PCRE decides between a
 * backreference and an octal escape by them). */
static size_t kql_re_groups_before(const unsigned char *p, size_t end) {
    size_t n = 0;
    for (size_t i = 0; i < end;) {
        if (p[i] == '\\') {
            i = kql_re_skip_escape(p, end, i);
        } else if (p[i] == '[') {
            i = kql_re_skip_class(p, end, i);
        } else if (p[i] == '(') {
            unsigned char k = i + 2 < end ? p[i + 2] : 0, k2 = i + 3 < end ? p[i + 3] : 0;
            if (i + 1 < end && p[i + 1] == '?') {
                if ((k == '<' && k2 != '=' && k2 != '!') || k == '\'' || (k == 'P' && k2 == '<')) n++;
                else if (k == '#')
                    while (i + 1 < end && p[i + 1] != ')') i++;
            } else if (!(i + 1 < end && p[i + 1] == '*')) {
                n++;
            }
            i++;
        } else {
            i++;
        }
    }
    return n;
}

/* Length of the escape at i (a backslash) when it matches exactly one
 * character (a character, Perl class or property escape), else 0. */
static size_t kql_re_atom_escape_len(const unsigned char *p, size_t len, size_t i) {
    if (i + 1 >= len) return 0;
    unsigned char e = p[i + 1];
    if (e && strchr("dDwWsShHvVaefnrt", e)) return 2;
    if (e == 'x' || e == 'o' || e == 'p' || e == 'P') {
        if (i + 2 < len && p[i + 2] == '{') {
            size_t j = i + 3;
            while (j < len && p[j] != '}') j++;
            return j < len ? j + 1 - i : 0;
        }
        if (e == 'o') return 0;
        if (e != 'x') return i + 2 < len ? 3 : 0;
        size_t j = i + 2;
        for (int k = 0; k < 2 && j < len && kql_is_hex(p[j]); k++) j++;
        return j - i;
    }
    if (e == 'c') return i + 2 < len ? 3 : 0;
    if (e == '0') {
        size_t j = i + 2;
        for (int k = 0; k < 2 && j < len && p[j] >= '0' && p[j] <= '7'; k++) j++;
        return j - i;
    }
    if (e >= 0x80) {
        uint32_t cp;
        size_t n = kql_utf8_next(p + i + 1, len - i - 1, &cp);
        return n ? 1 + n : 0;
    }
    bool alnum = (e >= '0' && e <= '9') || ((e | 0x20) >= 'a' && (e | 0x20) <= 'z');
    return alnum ? 0 : 2;
}

/* True when the item at j must consume a character: a single-character
 * atom not followed by a quantifier that allows zero.  A multi-line `^`
 * followed by one cannot match at the very end of the value, which is the
 * only place PCRE's `^` (not after a final newline) and KQL's differ. */
static bool kql_re_consumes(const unsigned char *p, size_t len, size_t j) {
    if (j >= len) return false;
    unsigned char ch = p[j];
    size_t end;
    if (ch == '.') {
        end = j + 1;
    } else if (ch == '[') {
        end = kql_re_skip_class(p, len, j);
    } else if (ch == '\\') {
        size_t n = kql_re_atom_escape_len(p, len, j);
        if (!n) return false;
        end = j + n;
    } else if (ch && strchr("()|*+?{^$", ch)) {
        return false;
    } else {
        uint32_t cp;
        size_t n = kql_utf8_next(p + j, len - j, &cp);
        if (!n) return false;
        end = j + n;
    }
    if (end < len && (p[end] == '*' || p[end] == '?')) return false;
    if (end + 1 < len && p[end] == '{' && (p[end + 1] == '0' || p[end + 1] == ',')) return false;
    return true;
}

/* Reads a `{n}`, `{n,}`, `{n,m}` quantifier at r->i; returns its length or
 * 0 when the brace is a literal in PCRE.  *bad is set for `{,m}` (whose
 * meaning depends on the PCRE2 version) and for counts over 1000 (RE2's
 * limit). */
static size_t kql_re_braces(const kql_re *r, bool *bad) {
    const unsigned char *p = r->p;
    size_t i = r->i + 1, len = r->len;
    *bad = false;
    size_t d1 = i;
    unsigned long n1 = 0, n2 = 0;
    while (i < len && p[i] >= '0' && p[i] <= '9') n1 = n1 * 10 + (unsigned long)(p[i++] - '0'), n1 = n1 > 100000 ? 100000 : n1;
    bool has1 = i > d1;
    bool comma = i < len && p[i] == ',';
    if (comma) i++;
    size_t d2 = i;
    while (comma && i < len && p[i] >= '0' && p[i] <= '9') n2 = n2 * 10 + (unsigned long)(p[i++] - '0'), n2 = n2 > 100000 ? 100000 : n2;
    bool has2 = comma && i > d2;
    if (i >= len || p[i] != '}') return 0;
    if (!has1 && !has2) return 0;
    if (!has1) *bad = true;
    if (n1 > 1000 || n2 > 1000) *bad = true;
    return i + 1 - r->i;
}

/* The quantifier at r->i (`*`, `+`, `?`, or braces of length blen). */
static bool kql_re_quantifier(kql_re *r, size_t blen) {
    if (r->last == KQL_RE_ASSERT) return kql_re_fail(r, "a quantifier on an anchor or assertion");
    if (r->last != KQL_RE_ATOM) return kql_re_fail(r, "a quantifier that follows no repeatable item");
    sg_buf_add(r->out, r->p + r->i, blen);
    r->i += blen;
    if (r->i < r->len && r->p[r->i] == '+') return kql_re_fail(r, "possessive quantifiers (*+, ++, ?+, {n}+) are not supported by KQL");
    if (r->i < r->len && r->p[r->i] == '?') {
        sg_buf_add_byte(r->out, '?');
        r->i++;
    }
    r->last = KQL_RE_QUANT;
    return true;
}

/* `(` at r->i: every kind of group PCRE knows. */
static bool kql_re_group(kql_re *r) {
    const unsigned char *p = r->p;
    size_t i = r->i + 1, len = r->len;
    if (i < len && p[i] == '*') return kql_re_fail(r, "PCRE verbs and (*...) assertions are not supported by KQL");
    bool flags_only = false;
    unsigned new_fl = r->fl;
    if (i < len && p[i] == '?') {
        unsigned char k = i + 1 < len ? p[i + 1] : 0;
        unsigned char k2 = i + 2 < len ? p[i + 2] : 0;
        if (k == '#') { /* comment: dropped */
            while (i < len && p[i] != ')') i++;
            if (i >= len) return kql_re_fail(r, "an unterminated comment");
            r->i = i + 1;
            return true;
        }
        if (k == '=' || k == '!' || (k == '<' && (k2 == '=' || k2 == '!')))
            return kql_re_fail(r, "lookahead and lookbehind assertions are not supported by KQL");
        if (k == '>') return kql_re_fail(r, "atomic groups (?>...) are not supported by KQL");
        if (k == '|') return kql_re_fail(r, "branch reset groups (?|...) are not supported by KQL");
        if (k == '(') return kql_re_fail(r, "conditional groups (?(...)...) are not supported by KQL");
        if (k == 'R' || k == '&' || (k >= '0' && k <= '9') || ((k == '+' || k == '-') && k2 >= '0' && k2 <= '9') ||
            (k == 'P' && k2 == '>'))
            return kql_re_fail(r, "recursion and subroutine calls are not supported by KQL");
        if (k == 'P' && k2 == '=') return kql_re_fail(r, "backreferences are not supported by KQL");
        if (k == 'C') return kql_re_fail(r, "callouts are not supported by KQL");
        if (k == ':') {
            i += 2;
        } else if (k == '<' || k == '\'' || (k == 'P' && k2 == '<')) {
            /* named group: only matching matters, so non-capturing */
            unsigned char close = k == '\'' ? '\'' : '>';
            i += k == 'P' ? 3 : 2;
            while (i < len && p[i] != close) i++;
            if (i >= len) return kql_re_fail(r, "an unterminated group name");
            i++;
        } else {
            /* option setting: (?flags) or (?flags:...) */
            char on[8], off[8];
            size_t non = 0, noff = 0;
            bool minus = false;
            i++;
            while (i < len && p[i] != ')' && p[i] != ':') {
                unsigned char f = p[i++];
                if (f == '-') {
                    if (minus) return kql_re_fail(r, "a malformed option setting");
                    minus = true;
                } else if (f == 'i' || f == 'm' || f == 's' || f == 'U') {
                    char *dst = minus ? off : on;
                    size_t *n = minus ? &noff : &non;
                    if (!memchr(dst, f, *n) && *n < sizeof on) dst[(*n)++] = (char)f;
                    unsigned bit = f == 'i' ? SG_RE_I : f == 'm' ? SG_RE_M : 0;
                    new_fl = minus ? new_fl & ~bit : new_fl | bit;
                } else if (f == 'n' || f == 'J') {
                    /* no auto-capture, duplicate names: nothing to match differently */
                } else if (f == 'x') {
                    return kql_re_fail(r, "the extended (?x) option is not supported here");
                } else {
                    return kql_re_fail(r, "the option (?%c) has no KQL counterpart", f);
                }
            }
            if (i >= len) return kql_re_fail(r, "an unterminated option setting");
            flags_only = p[i] == ')';
            i++;
            if (non || noff) {
                sg_buf_add_cstr(r->out, "(?");
                sg_buf_add(r->out, on, non);
                if (noff) {
                    sg_buf_add_byte(r->out, '-');
                    sg_buf_add(r->out, off, noff);
                }
                sg_buf_add_cstr(r->out, flags_only ? ")" : ":");
            } else if (!flags_only) {
                sg_buf_add_cstr(r->out, "(?:");
            }
            r->i = i;
            if (flags_only) {
                /* applies to the rest of the enclosing group */
                r->fl = new_fl;
                return true;
            }
            goto open;
        }
    } else {
        i = r->i + 1; /* a capturing group becomes non-capturing */
    }
    sg_buf_add_cstr(r->out, "(?:");
    r->i = i;
open:
    if (r->depth >= KQL_RE_MAX_DEPTH) return kql_re_fail(r, "groups nested too deeply");
    r->saved[r->depth++] = r->fl;
    r->fl = new_fl;
    r->last = KQL_RE_NONE;
    return true;
}

/* An escape outside a class, at r->i (the backslash). */
static bool kql_re_escape(kql_re *r) {
    const unsigned char *p = r->p;
    if (r->i + 1 >= r->len) return kql_re_fail(r, "a trailing backslash");
    unsigned char e = p[r->i + 1];
    const kql_perl_class *pc = kql_perl_class_of(e);
    if (pc) {
        /* PCRE's \\w ignores (?i) (no U+212A KELVIN SIGN for k); KQL would fold the class */
        bool fold = pc->letter == 'w' && (r->fl & SG_RE_I);
        if (fold) sg_buf_add_cstr(r->out, "(?-i:");
        sg_buf_add_cstr(r->out, e == pc->letter ? "[" : "[^");
        kql_re_ranges(r->out, pc->ranges, pc->n, false);
        sg_buf_add_byte(r->out, ']');
        if (fold) sg_buf_add_byte(r->out, ')');
        r->i += 2;
        r->last = KQL_RE_ATOM;
        return true;
    }
    switch (e) {
    case 'b':
        /* PCRE's word boundary is ASCII; the current KQL engine's \b is
         * Unicode-aware, and (?-u:\b) is its documented ASCII form */
        sg_buf_add_cstr(r->out, "(?-u:\\b)");
        r->i += 2;
        r->last = KQL_RE_ASSERT;
        return true;
    case 'B':
        /* (?-u:\B) could match inside a multi-byte character, so the engine
         * rejects it on text; \B would be Unicode-aware */
        return kql_re_fail(r, "\\B (an ASCII non-boundary) has no KQL counterpart");
    case 'A':
    case 'z':
        sg_buf_printf(r->out, "\\%c", e);
        r->i += 2;
        r->last = KQL_RE_ASSERT;
        return true;
    case 'Z':
        if (!kql_re_terminal(p, r->len, r->i + 2))
            return kql_re_fail(r, "\\Z before more pattern (it also matches before a final newline, which KQL cannot say there)");
        sg_buf_add_cstr(r->out, "(?:\\n?\\z)");
        r->i += 2;
        r->last = KQL_RE_ASSERT;
        return true;
    case 'G': return kql_re_fail(r, "\\G is not supported by KQL");
    case 'K': return kql_re_fail(r, "\\K is not supported by KQL");
    case 'g':
    case 'k': return kql_re_fail(r, "backreferences are not supported by KQL");
    case 'R':
    case 'X':
    case 'C':
    case 'N': return kql_re_fail(r, "the escape \\%c has no KQL counterpart", e);
    case 'p':
    case 'P':
        r->i++;
        if (!kql_re_property(r, false)) return false;
        r->last = KQL_RE_ATOM;
        return true;
    case 'Q': {
        /* literal text up to \E */
        size_t i = r->i + 2;
        while (i < r->len && !(p[i] == '\\' && i + 1 < r->len && p[i + 1] == 'E')) {
            uint32_t cp;
            size_t n = kql_utf8_next(p + i, r->len - i, &cp);
            if (!n) return kql_re_fail(r, "invalid UTF-8 in the pattern");
            kql_re_cp(r->out, cp, false);
            i += n;
            r->last = KQL_RE_ATOM;
        }
        r->i = i < r->len ? i + 2 : i;
        return true;
    }
    case 'E':
        r->i += 2;
        return true;
    default: break;
    }
    if (e >= '1' && e <= '9') {
        /* PCRE: a backreference when the number is under 10, starts with 8
         * or 9, or that many groups came before; else up to three octal digits */
        size_t j = r->i + 1;
        unsigned long n = 0;
        while (j < r->len && p[j] >= '0' && p[j] <= '9' && n < 100000) n = n * 10 + (unsigned long)(p[j++] - '0');
        if (n < 10 || e >= '8' || n <= kql_re_groups_before(p, r->i))
            return kql_re_fail(r, "backreferences are not supported by KQL");
        uint32_t v = 0;
        j = r->i + 1;
        for (int k = 0; k < 3 && j < r->len && p[j] >= '0' && p[j] <= '7'; k++) v = v * 8 + (uint32_t)(p[j++] - '0');
        r->i = j;
        kql_re_cp(r->out, v, false);
        r->last = KQL_RE_ATOM;
        return true;
    }
    uint32_t cp;
    r->i++;
    int got = kql_re_char_escape(r, false, &cp);
    if (got < 0) return false;
    if (got == 0) {
        r->i--;
        if (e < 0x80 && ((e >= '0' && e <= '9') || ((e | 0x20) >= 'a' && (e | 0x20) <= 'z')))
            return kql_re_fail(r, "the escape \\%c has no KQL counterpart", e);
        size_t n = kql_utf8_next(p + r->i + 1, r->len - r->i - 1, &cp);
        if (!n) return kql_re_fail(r, "invalid UTF-8 in the pattern");
        r->i += 1 + n;
    }
    kql_re_cp(r->out, cp, false);
    r->last = KQL_RE_ATOM;
    return true;
}

/* Rewrites the PCRE pattern re (flags SG_RE_*) as a KQL regex into out.
 * Returns false with a message in err when a construct cannot be said. */
static bool kql_regex(sg_buf *out, sg_str re, unsigned flags, char err[200]) {
    kql_re r;
    memset(&r, 0, sizeof r);
    r.p = (const unsigned char *)re.ptr;
    r.len = re.len;
    r.out = out;
    r.fl = flags & (SG_RE_I | SG_RE_M);
    if (flags) {
        sg_buf_add_cstr(out, "(?");
        if (flags & SG_RE_I) sg_buf_add_byte(out, 'i');
        if (flags & SG_RE_M) sg_buf_add_byte(out, 'm');
        if (flags & SG_RE_S) sg_buf_add_byte(out, 's');
        sg_buf_add_byte(out, ')');
    }
    bool ok = true;
    while (ok && r.i < r.len) {
        unsigned char ch = r.p[r.i];
        switch (ch) {
        case '\\': ok = kql_re_escape(&r); break;
        case '[':
            ok = kql_re_class(&r);
            r.last = KQL_RE_ATOM;
            break;
        case '(': ok = kql_re_group(&r); break;
        case ')':
            if (!r.depth) {
                ok = kql_re_fail(&r, "an unmatched ')'");
                break;
            }
            r.fl = r.saved[--r.depth];
            sg_buf_add_byte(out, ')');
            r.i++;
            r.last = KQL_RE_ATOM;
            break;
        case '|':
            sg_buf_add_byte(out, '|');
            r.i++;
            r.last = KQL_RE_NONE;
            break;
        case '^':
            if ((r.fl & SG_RE_M) && !kql_re_consumes(r.p, r.len, r.i + 1)) {
                ok = kql_re_fail(&r, "'^' in multi-line mode must be followed by a character it cannot do without "
                                     "(PCRE's '^' does not match after a final newline, KQL's does)");
                break;
            }
            sg_buf_add_byte(out, '^');
            r.i++;
            r.last = KQL_RE_ASSERT;
            break;
        case '$':
            if (r.fl & SG_RE_M) {
                sg_buf_add_byte(out, '$'); /* before any newline or at the end: same in both */
            } else if (kql_re_terminal(r.p, r.len, r.i + 1)) {
                sg_buf_add_cstr(out, "(?:\\n?\\z)");
            } else {
                ok = kql_re_fail(&r, "'$' before more pattern (PCRE's '$' also matches before a final newline, which KQL cannot say there)");
                break;
            }
            r.i++;
            r.last = KQL_RE_ASSERT;
            break;
        case '.':
            sg_buf_add_byte(out, '.');
            r.i++;
            r.last = KQL_RE_ATOM;
            break;
        case '*':
        case '+':
        case '?': ok = kql_re_quantifier(&r, 1); break;
        case '{': {
            bool bad;
            size_t blen = kql_re_braces(&r, &bad);
            if (blen && bad) {
                ok = kql_re_fail(&r, "the quantifier %.*s is not supported by KQL (counts up to 1000, both bounds written)",
                                 (int)blen, (const char *)r.p + r.i);
                break;
            }
            if (blen) {
                ok = kql_re_quantifier(&r, blen);
                break;
            }
            kql_re_cp(out, '{', false); /* a literal brace */
            r.i++;
            r.last = KQL_RE_ATOM;
            break;
        }
        default: {
            uint32_t cp;
            size_t n = kql_utf8_next(r.p + r.i, r.len - r.i, &cp);
            if (!n) {
                ok = kql_re_fail(&r, "invalid UTF-8 in the pattern");
                break;
            }
            kql_re_cp(out, cp, false);
            r.i += n;
            r.last = KQL_RE_ATOM;
            break;
        }
        }
    }
    if (ok && r.depth) ok = kql_re_fail(&r, "an unterminated group");
    if (!ok) snprintf(err, 200, "%s", r.err);
    return ok;
}

/* ------------------------------------------------------------------ */
/* Predicates                                                           */

static const char *kql_op_word(sg_ir_op op, bool cased) {
    switch (op) {
    case SG_OP_CONTAINS: return cased ? "contains_cs" : "contains";
    case SG_OP_STARTSWITH: return cased ? "startswith_cs" : "startswith";
    case SG_OP_ENDSWITH: return cased ? "endswith_cs" : "endswith";
    default: return cased ? "==" : "=~";
    }
}

/* `lhs matches regex "<glob as regex>"`. */
static void kql_glob(kql_ctx *c, const sg_ir_pred *p, sg_buf *out) {
    sg_buf re;
    sg_buf_init(&re);
    if (!kql_glob_regex(&re, p->pattern, p->cased)) {
        kql_error(c, SG_D_UNSUPPORTED, p->line, p->col,
                  "the value holds bytes that are not valid UTF-8 (e.g. from |wide); KQL strings are Unicode text");
    } else {
        sg_buf_add_cstr(out, " matches regex ");
        kql_string(c, out, (sg_str){re.data, re.len}, p->line, p->col);
    }
    sg_buf_free(&re);
}

/* The first placeholder name of a pattern, for the message. */
static sg_str kql_placeholder_name(sg_sstring s) {
    for (size_t i = 0; i < s.n; i++)
        if (s.parts[i].kind == SG_SP_PLACEHOLDER) return s.parts[i].text;
    return (sg_str){"", 0};
}

/* A keyword: full-text search over every column.  `* contains "v"` is the
 * documented `where` form of `search "*v*"`; anything else (cased, inner
 * wildcards) goes through the documented `* matches regex`. */
static void kql_keyword(kql_ctx *c, const sg_ir_pred *p, sg_buf *out) {
    if (p->vtype != SG_VT_STRING ||
        !(p->op == SG_OP_EQ || p->op == SG_OP_CONTAINS || p->op == SG_OP_STARTSWITH || p->op == SG_OP_ENDSWITH ||
          p->op == SG_OP_GLOB)) {
        kql_error(c, SG_D_UNSUPPORTED, p->line, p->col, "a keyword search with '%s' has no KQL form",
                  sg_ir_op_name(p->op));
        return;
    }
    if (p->op == SG_OP_CONTAINS && !p->cased) {
        sg_buf_add_cstr(out, "* contains ");
        kql_string(c, out, p->text, p->line, p->col);
        return;
    }
    sg_buf_add_cstr(out, "*");
    if (p->pattern.n || p->op == SG_OP_GLOB) {
        kql_glob(c, p, out);
        return;
    }
    /* no pattern: build one from the text and the operator */
    sg_spart parts[3];
    size_t n = 0;
    if (p->op == SG_OP_CONTAINS || p->op == SG_OP_ENDSWITH) parts[n++] = (sg_spart){SG_SP_STAR, {"", 0}};
    if (p->text.len) parts[n++] = (sg_spart){SG_SP_LIT, p->text};
    if (p->op == SG_OP_CONTAINS || p->op == SG_OP_STARTSWITH) parts[n++] = (sg_spart){SG_SP_STAR, {"", 0}};
    sg_ir_pred q = *p;
    q.pattern = (sg_sstring){parts, n};
    kql_glob(c, &q, out);
}

/* One predicate. */
static void kql_pred(kql_ctx *c, const sg_ir_pred *p, sg_buf *out) {
    if (p->has_placeholder) {
        sg_str name = kql_placeholder_name(p->pattern);
        kql_error(c, SG_D_UNSUPPORTED, p->line, p->col, "placeholder %%%.*s%% needs a pipeline value",
                  SG_STR_ARG(name));
        return;
    }
    if (p->timepart) {
        static const char *const parts[] = {"", "minute", "hour", "day", "week_of_year", "month", "year"};
        if (!p->field.len || p->vtype != SG_VT_NUMBER ||
            !(p->op == SG_OP_EQ || p->op == SG_OP_LT || p->op == SG_OP_LTE || p->op == SG_OP_GT || p->op == SG_OP_GTE)) {
            kql_error(c, SG_D_UNSUPPORTED, p->line, p->col, "this time-part comparison has no KQL form");
            return;
        }
        if (p->timepart == SG_TP_WEEK) {
            sg_buf_add_cstr(out, "week_of_year(");
        } else {
            sg_buf_printf(out, "datetime_part(\"%s\", ", parts[p->timepart]);
        }
        kql_field(c, out, p->field, p->line, p->col);
        sg_buf_printf(out, ") %s ", sg_ir_op_symbol(p->op));
        kql_number(out, p);
        return;
    }
    if (!p->field.len) {
        kql_keyword(c, p, out);
        return;
    }
    /* the forms where a function wraps the field */
    if (p->op == SG_OP_CIDR || p->op == SG_OP_NULL || p->op == SG_OP_EXISTS) {
        sg_buf_add_cstr(out, p->op == SG_OP_NULL     ? "isempty("
                             : p->op == SG_OP_EXISTS ? "isnotempty("
                             : p->cidr.family == 6   ? "ipv6_is_in_range("
                                                     : "ipv4_is_in_range(");
        kql_field(c, out, p->field, p->line, p->col);
        if (p->op == SG_OP_CIDR) {
            sg_buf_add_cstr(out, ", ");
            kql_string(c, out, p->text, p->line, p->col);
        }
        sg_buf_add_byte(out, ')');
        return;
    }
    bool text = kql_text_column(c, p->field);
    if (text && (p->op == SG_OP_LT || p->op == SG_OP_LTE || p->op == SG_OP_GT || p->op == SG_OP_GTE)) {
        sg_buf_add_cstr(out, "todouble(");
        kql_field(c, out, p->field, p->line, p->col);
        sg_buf_add_byte(out, ')');
    } else {
        kql_field(c, out, p->field, p->line, p->col);
    }
    switch (p->op) {
    case SG_OP_EQ:
        if (text && p->vtype != SG_VT_STRING) {
            sg_buf_add_cstr(out, p->vtype == SG_VT_BOOL ? " =~ " : " == ");
            kql_string(c, out, p->vtype == SG_VT_BOOL ? sg_str_from_cstr(p->bool_value ? "true" : "false") : p->text,
                       p->line, p->col);
        } else if (p->vtype == SG_VT_NUMBER) {
            sg_buf_add_cstr(out, " == ");
            kql_number(out, p);
        } else if (p->vtype == SG_VT_BOOL) {
            sg_buf_add_cstr(out, p->bool_value ? " == true" : " == false");
        } else {
            sg_buf_printf(out, " %s ", kql_op_word(p->op, p->cased));
            kql_string(c, out, p->text, p->line, p->col);
        }
        return;
    case SG_OP_CONTAINS:
    case SG_OP_STARTSWITH:
    case SG_OP_ENDSWITH:
        sg_buf_printf(out, " %s ", kql_op_word(p->op, p->cased));
        kql_string(c, out, p->text, p->line, p->col);
        return;
    case SG_OP_GLOB: kql_glob(c, p, out); return;
    case SG_OP_REGEX: {
        sg_buf re;
        char err[200];
        sg_buf_init(&re);
        if (!kql_regex(&re, p->text, p->regex_flags, err)) {
            kql_error(c, SG_D_UNSUPPORTED, p->line, p->col, "regular expression: %s", err);
        } else {
            sg_buf_add_cstr(out, " matches regex ");
            kql_string(c, out, (sg_str){re.data, re.len}, p->line, p->col);
        }
        sg_buf_free(&re);
        return;
    }
    case SG_OP_LT:
    case SG_OP_LTE:
    case SG_OP_GT:
    case SG_OP_GTE:
        sg_buf_printf(out, " %s ", sg_ir_op_symbol(p->op));
        kql_number(out, p);
        return;
    case SG_OP_CIDR:
    case SG_OP_NULL:
    case SG_OP_EXISTS: return; /* handled above */
    case SG_OP_FIELDREF:
        sg_buf_printf(out, " %s ", kql_op_word(p->fieldref_op, p->cased));
        kql_field(c, out, p->text, p->line, p->col);
        return;
    }
}

/* ------------------------------------------------------------------ */
/* Expressions                                                          */

/* Whether an OR member may join an `in` list, and with which members:
 * string equality (same field, same case sensitivity) or number equality
 * (same field). */
static bool kql_foldable(const sg_ir_expr *e) {
    if (e->kind != SG_IR_PRED) return false;
    const sg_ir_pred *p = e->pred;
    return p->op == SG_OP_EQ && p->field.len && !p->timepart && !p->has_placeholder &&
           (p->vtype == SG_VT_STRING || p->vtype == SG_VT_NUMBER);
}

static bool kql_same_list(const sg_ir_expr *a, const sg_ir_expr *b) {
    const sg_ir_pred *p = a->pred, *q = b->pred;
    return p->vtype == q->vtype && sg_str_eq(p->field, q->field) && (p->vtype == SG_VT_NUMBER || p->cased == q->cased);
}

/* OR member i is rendered in the list of an earlier member. */
static bool kql_folded_away(const sg_ir_expr *e, size_t i) {
    if (!kql_foldable(e->kids[i])) return false;
    for (size_t j = 0; j < i; j++)
        if (kql_foldable(e->kids[j]) && kql_same_list(e->kids[j], e->kids[i])) return true;
    return false;
}

/* Members that join member i's list (i included). */
static size_t kql_list_size(const sg_ir_expr *e, size_t i) {
    if (!kql_foldable(e->kids[i])) return 1;
    size_t n = 1;
    for (size_t j = i + 1; j < e->count; j++)
        if (kql_foldable(e->kids[j]) && kql_same_list(e->kids[i], e->kids[j])) n++;
    return n;
}

/* Terms an OR renders as (after folding); an AND's members. */
static size_t kql_terms(const sg_ir_expr *e) {
    if (e->kind == SG_IR_AND) return e->count;
    if (e->kind != SG_IR_OR) return 1;
    size_t n = 0;
    for (size_t i = 0; i < e->count; i++) n += !kql_folded_away(e, i);
    return n;
}

/* The label a referenced rule's events carry in the sigc_rule column. */
static sg_str kql_label(const sg_ir_agg *g, size_t i) { return g->rule_refs[i]; }

static void kql_expr(kql_ctx *c, const sg_ir_expr *e, sg_buf *out);

/* `F in~ ("a", "b")` (cased: in; numbers: in) for member i and the later
 * members of its list. */
static void kql_in_list(kql_ctx *c, const sg_ir_expr *e, size_t i, sg_buf *out) {
    const sg_ir_pred *p = e->kids[i]->pred;
    bool text = kql_text_column(c, p->field);
    kql_field(c, out, p->field, p->line, p->col);
    sg_buf_add_cstr(out, p->vtype == SG_VT_STRING && !p->cased ? " in~ (" : " in (");
    for (size_t j = i; j < e->count; j++) {
        if (j > i && !(kql_foldable(e->kids[j]) && kql_same_list(e->kids[i], e->kids[j]))) continue;
        const sg_ir_pred *q = e->kids[j]->pred;
        if (j > i) sg_buf_add_cstr(out, ", ");
        if (q->vtype == SG_VT_NUMBER && !text) kql_number(out, q);
        else kql_string(c, out, q->text, q->line, q->col);
    }
    sg_buf_add_byte(out, ')');
}

/* A member of an AND / OR: parenthesised when it is itself a group. */
static void kql_member(kql_ctx *c, const sg_ir_expr *k, sg_buf *out) {
    bool group = (k->kind == SG_IR_AND || k->kind == SG_IR_OR) && kql_terms(k) > 1;
    if (group) sg_buf_add_byte(out, '(');
    kql_expr(c, k, out);
    if (group) sg_buf_add_byte(out, ')');
}

/* Past this many terms an AND / OR is split into parenthesised groups, so
 * the parse tree stays shallow: Kusto's parser refuses a flat chain of a
 * few hundred terms ("Query syntax depth exceeds maximum safe limit"). */
#define KQL_MAX_TERMS 64

/* Terms idx[0..n) of an AND / OR (OR members carry their `in` lists). */
static void kql_terms_out(kql_ctx *c, const sg_ir_expr *e, const size_t *idx, size_t n, sg_buf *out) {
    const char *sep = e->kind == SG_IR_AND ? " and " : " or ";
    if (n <= KQL_MAX_TERMS) {
        for (size_t k = 0; k < n; k++) {
            if (k) sg_buf_add_cstr(out, sep);
            if (e->kind == SG_IR_OR && kql_list_size(e, idx[k]) > 1) kql_in_list(c, e, idx[k], out);
            else kql_member(c, e->kids[idx[k]], out);
        }
        return;
    }
    size_t chunk = KQL_MAX_TERMS;
    while ((n + chunk - 1) / chunk > KQL_MAX_TERMS) chunk *= KQL_MAX_TERMS;
    for (size_t k = 0; k < n; k += chunk) {
        size_t m = n - k < chunk ? n - k : chunk;
        if (k) sg_buf_add_cstr(out, sep);
        if (m > 1) sg_buf_add_byte(out, '(');
        kql_terms_out(c, e, idx + k, m, out);
        if (m > 1) sg_buf_add_byte(out, ')');
    }
}

static void kql_expr(kql_ctx *c, const sg_ir_expr *e, sg_buf *out) {
    switch (e->kind) {
    case SG_IR_TRUE: sg_buf_add_cstr(out, "true"); return;
    case SG_IR_FALSE: sg_buf_add_cstr(out, "false"); return;
    case SG_IR_PRED: kql_pred(c, e->pred, out); return;
    case SG_IR_NOT:
        sg_buf_add_cstr(out, "not(");
        kql_expr(c, e->kids[0], out);
        sg_buf_add_byte(out, ')');
        return;
    case SG_IR_AND:
    case SG_IR_OR: {
        size_t *idx = sg_xmalloc(e->count * sizeof *idx);
        size_t n = 0;
        for (size_t i = 0; i < e->count; i++)
            if (e->kind == SG_IR_AND || !kql_folded_away(e, i)) idx[n++] = i;
        kql_terms_out(c, e, idx, n, out);
        free(idx);
        return;
    }
    case SG_IR_RULEREF:
        if (!c->temporal || e->rule_index >= c->temporal->n_rules) {
            kql_error(c, SG_D_UNSUPPORTED, e->line, e->col, "a rule reference outside a temporal condition");
            return;
        }
        sg_buf_add_cstr(out, "set_has_element(Rules, ");
        kql_string(c, out, kql_label(c->temporal, e->rule_index), e->line, e->col);
        sg_buf_add_byte(out, ')');
        return;
    }
}

/* ------------------------------------------------------------------ */
/* Pipelines and aggregations                                           */

/* Starts a pipeline stage: a line break unless it is the first text. */
static void kql_stage(sg_buf *out, size_t start) {
    if (out->len > start) sg_buf_add_byte(out, '\n');
}

/* `| where <expr>` unless the expression matches everything. */
static void kql_where(kql_ctx *c, const sg_ir_expr *e, sg_buf *out, size_t start) {
    if (e->kind == SG_IR_TRUE) return;
    kql_stage(out, start);
    sg_buf_add_cstr(out, "| where ");
    kql_expr(c, e, out);
}

static void kql_threshold(sg_buf *out, const sg_ir_agg *g) {
    if (g->threshold_is_int) sg_buf_printf(out, "%lld", (long long)g->threshold_int);
    else kql_double(out, g->threshold);
}

/* The event-time column: the rule's (set by the pipeline), else the one
 * every referenced rule agrees on, else TimeGenerated (Sentinel, Log
 * Analytics).  Returns false after an error when referenced rules disagree. */
static bool kql_time_column(kql_ctx *c, const sg_ir_rule *rule, sg_str *out) {
    if (rule->timestamp.len) {
        *out = rule->timestamp;
        return true;
    }
    *out = SG_STR_LIT("TimeGenerated");
    const sg_ir_agg *g = rule->agg;
    if (rule->kind != SG_RULE_CORRELATION || !g) return true;
    sg_str seen = {0};
    for (size_t i = 0; i < g->n_rules; i++) {
        sg_str ts = g->rules[i] ? g->rules[i]->timestamp : (sg_str){0};
        if (!ts.len) continue;
        if (seen.len && !sg_str_eq(seen, ts)) {
            kql_error(c, SG_D_PIPELINE, g->line, g->col,
                      "the referenced rules have different time columns (%.*s, %.*s) and the correlation sets none",
                      SG_STR_ARG(seen), SG_STR_ARG(ts));
            return false;
        }
        seen = ts;
    }
    if (seen.len) *out = seen;
    return true;
}

/* `| summarize <agg> by bin(<time>, <span>), g...` and the threshold test.
 * Temporal types read the sigc_rule column the union adds. */
static void kql_summarize(kql_ctx *c, const sg_ir_rule *rule, const sg_ir_agg *g, sg_buf *out, size_t start) {
    sg_str ts;
    if (!kql_time_column(c, rule, &ts)) return;
    kql_stage(out, start);
    sg_buf_add_cstr(out, "| summarize ");
    const char *name = "EventCount";
    bool rule_set = false;
    switch (g->type) {
    case SG_AGG_EVENT_COUNT: sg_buf_add_cstr(out, "EventCount = count()"); break;
    case SG_AGG_TEMPORAL:
        if (g->temporal_condition) {
            sg_buf_add_cstr(out, "Rules = make_set(sigc_rule)");
            rule_set = true;
        } else {
            /* count_distinct is exact; dcount is an estimate */
            sg_buf_add_cstr(out, "RuleCount = count_distinct(sigc_rule)");
            name = "RuleCount";
        }
        break;
    default: {
        static const struct {
            sg_agg_type type;
            const char *name, *fn;
        } fns[] = {
            {SG_AGG_VALUE_COUNT, "ValueCount", "count_distinct"}, {SG_AGG_VALUE_SUM, "ValueSum", "sum"},
            {SG_AGG_VALUE_AVG, "ValueAvg", "avg"},                 {SG_AGG_VALUE_MIN, "ValueMin", "min"},
            {SG_AGG_VALUE_MAX, "ValueMax", "max"},                 {SG_AGG_VALUE_PERCENTILE, "ValuePercentile", "percentile"},
            {SG_AGG_VALUE_MEDIAN, "ValueMedian", "percentile"},
        };
        size_t k = 0;
        while (k < sizeof fns / sizeof *fns && fns[k].type != g->type) k++;
        if (k == sizeof fns / sizeof *fns) {
            kql_error(c, SG_D_UNSUPPORTED, g->line, g->col, "the %s aggregation has no KQL form", sg_agg_type_name(g->type));
            return;
        }
        name = fns[k].name;
        sg_buf_printf(out, "%s = %s(", name, fns[k].fn);
        kql_field(c, out, g->field, g->line, g->col);
        if (g->type == SG_AGG_VALUE_PERCENTILE) sg_buf_printf(out, ", %d", g->percentile);
        if (g->type == SG_AGG_VALUE_MEDIAN) sg_buf_add_cstr(out, ", 50");
        sg_buf_add_byte(out, ')');
        break;
    }
    }
    if (g->timespan > 0 || g->n_group_by) sg_buf_add_cstr(out, " by ");
    if (g->timespan > 0) {
        sg_buf_add_cstr(out, "bin(");
        kql_field(c, out, ts, g->line, g->col);
        sg_buf_add_cstr(out, ", ");
        kql_timespan(out, g->timespan);
        sg_buf_add_byte(out, ')');
    }
    for (size_t i = 0; i < g->n_group_by; i++) {
        if (i || g->timespan > 0) sg_buf_add_cstr(out, ", ");
        kql_field(c, out, g->group_by[i], g->line, g->col);
    }
    if (rule_set) {
        /* the extended temporal condition over the set of rules seen */
        kql_stage(out, start);
        sg_buf_add_cstr(out, "| where ");
        c->temporal = g;
        kql_expr(c, g->temporal_condition, out);
        c->temporal = NULL;
        return;
    }
    if (g->op == SG_CMP_NONE) return;
    kql_stage(out, start);
    sg_buf_printf(out, "| where %s %s ", name, sg_cmp_op_text(g->op));
    kql_threshold(out, g);
}

/* ------------------------------------------------------------------ */
/* Rules                                                                */

static void kql_table(kql_ctx *c, const sg_ir_rule *r, sg_buf *out, uint32_t line, uint32_t col) {
    if (!kql_quote_field(out, r->table))
        kql_error(c, SG_D_PIPELINE, line, col, "the table name is not valid UTF-8");
}

/* The rows a rule reads: its table, then what its pipeline puts before
 * the rule's own filter (the log source's prefilter, prelude stages and
 * the computed columns the rule uses), each stage after sep ("\n" between
 * lines, " " inside a union branch). */
static void kql_source(kql_ctx *c, const sg_ir_rule *r, sg_buf *out, const char *sep, uint32_t line, uint32_t col) {
    kql_table(c, r, out, line, col);
    const sg_ir_rule *self = c->rule;
    c->rule = r;
    if (r->prefilter && r->prefilter->kind != SG_IR_TRUE) {
        sg_buf_printf(out, "%s| where ", sep);
        kql_expr(c, r->prefilter, out);
    }
    bool reads_bag = false;
    for (size_t i = 0; i < r->n_columns; i++) reads_bag |= r->columns[i].bag.len > 0;
    for (size_t i = 0; i < r->prelude.count && (reads_bag || !r->prelude_for_bag); i++) {
        sg_buf_printf(out, "%s| ", sep);
        sg_buf_add_str(out, r->prelude.items[i]);
    }
    for (size_t i = 0; i < r->n_columns; i++) {
        const sg_ir_column *k = &r->columns[i];
        if (i) sg_buf_add_cstr(out, ", ");
        else sg_buf_printf(out, "%s| extend ", sep);
        kql_field(c, out, k->name, line, col);
        sg_buf_add_cstr(out, " = ");
        if (k->bag.len) {
            sg_buf_add_cstr(out, "tostring(");
            sg_buf_add_str(out, k->bag);
            for (size_t b = 0, e; b <= k->member.len; b = e + 1) {
                e = b;
                while (e < k->member.len && !(k->dotted && k->member.ptr[e] == '.')) e++;
                sg_buf_add_byte(out, '[');
                kql_string(c, out, (sg_str){k->member.ptr + b, e - b}, line, col);
                sg_buf_add_byte(out, ']');
            }
            sg_buf_add_byte(out, ')');
        } else {
            sg_buf_add_str(out, k->expr);
        }
    }
    c->rule = self;
}

static void kql_detection(kql_ctx *c, const sg_ir_rule *r, sg_buf *out, size_t start) {
    if (!r->expr) {
        kql_error(c, SG_D_UNSUPPORTED, r->meta.line, 0, "the rule has no detection expression");
        return;
    }
    const sg_ir_agg *g = r->agg;
    if (r->table.len) kql_source(c, r, out, "\n", r->meta.line, 0);
    else if (r->prefilter || r->prelude.count || r->n_columns)
        kql_error(c, SG_D_PIPELINE, r->meta.line, 0, "the pipeline computes columns but names no table to compute them on");
    if (!g) {
        if (r->table.len) {
            kql_where(c, r->expr, out, start);
        } else {
            kql_expr(c, r->expr, out);
        }
        return;
    }
    if (g->type == SG_AGG_NEAR) {
        kql_error(c, SG_D_UNSUPPORTED, g->line, g->col, "the legacy 'near' aggregation has no exact KQL form");
        return;
    }
    if (g->type == SG_AGG_TEMPORAL || g->type == SG_AGG_TEMPORAL_ORDERED) {
        kql_error(c, SG_D_UNSUPPORTED, g->line, g->col, "a %s aggregation needs a correlation rule",
                  sg_agg_type_name(g->type));
        return;
    }
    kql_where(c, r->expr, out, start);
    kql_summarize(c, r, g, out, start);
}

/* `| extend alias = field, ...` (and sigc_rule = "label" when labelled)
 * for referenced rule i, starting with prefix when there is anything. */
static void kql_extends(kql_ctx *c, const sg_ir_agg *g, size_t i, bool label, const char *prefix, sg_buf *out) {
    bool any = false;
    for (size_t a = 0; a < g->n_aliases; a++)
        for (size_t m = 0; m < g->aliases[a].count; m++) {
            if (g->aliases[a].maps[m].rule_index != i) continue;
            sg_buf_add_cstr(out, any ? ", " : prefix);
            any = true;
            kql_field(c, out, g->aliases[a].name, g->line, g->col);
            sg_buf_add_cstr(out, " = ");
            kql_field(c, out, g->aliases[a].maps[m].field, g->line, g->col);
        }
    if (label) {
        sg_buf_add_cstr(out, any ? ", " : prefix);
        sg_buf_add_cstr(out, "sigc_rule = ");
        kql_string(c, out, kql_label(g, i), g->line, g->col);
    }
}

/* union (T1 | where p1 | extend ..., sigc_rule = "r1"),\n    (T2 | ...):
 * one branch per referenced rule, each labelled with its reference. */
static void kql_union(kql_ctx *c, const sg_ir_agg *g, sg_buf *out) {
    const sg_ir_rule *self = c->rule;
    for (size_t i = 0; i < g->n_rules; i++) {
        const sg_ir_rule *t = g->rules[i];
        sg_buf_add_cstr(out, i ? ",\n    (" : "union (");
        kql_source(c, t, out, " ", g->line, g->col);
        if (t->expr->kind != SG_IR_TRUE) {
            sg_buf_add_cstr(out, " | where ");
            c->rule = t;
            kql_expr(c, t->expr, out);
            c->rule = self;
        }
        kql_extends(c, g, i, true, " | extend ", out);
        sg_buf_add_byte(out, ')');
    }
}

/* `sigc_bucket, g...`: the keys of every ordered step. */
static void kql_ordered_keys(kql_ctx *c, const sg_ir_agg *g, sg_buf *out) {
    sg_buf_add_cstr(out, "sigc_bucket");
    for (size_t i = 0; i < g->n_group_by; i++) {
        sg_buf_add_cstr(out, ", ");
        kql_field(c, out, g->group_by[i], g->line, g->col);
    }
}

/* temporal_ordered over the same fixed buckets as temporal: within one
 * bin(<time>, <span>) bucket and group, events e1..en of the rules in
 * order with t1 <= ... <= tn.  Computed greedily, which is exact: T1 is
 * the earliest rule-1 time, Tk the earliest rule-k time >= T(k-1); the
 * group fires when Tn exists.
 *   let sigc_events = union (...), (...)
 *   | extend sigc_bucket = bin(<time>, <span>);
 *   sigc_events
 *   | where sigc_rule == "r1"
 *   | summarize sigc_t1 = min(<time>) by sigc_bucket, g...
 *   | join kind=inner (sigc_events | where sigc_rule == "r2") on sigc_bucket, g...
 *   | where <time> >= sigc_t1
 *   | summarize sigc_t2 = min(<time>) by sigc_bucket, g...
 *   ...
 *   | project sigc_bucket, g..., LastTime = sigc_tn */
static void kql_ordered(kql_ctx *c, const sg_ir_rule *r, const sg_ir_agg *g, sg_buf *out) {
    sg_str ts;
    if (!kql_time_column(c, r, &ts)) return;
    if (g->temporal_condition || g->op != SG_CMP_GTE || !g->threshold_is_int ||
        g->threshold_int != (int64_t)g->n_rules) {
        kql_error(c, SG_D_UNSUPPORTED, g->line, g->col,
                  "temporal_ordered: only the default condition (every rule, in order) has a KQL form");
        return;
    }
    if (g->timespan <= 0) {
        kql_error(c, SG_D_UNSUPPORTED, g->line, g->col, "temporal_ordered: KQL output needs a positive timespan");
        return;
    }
    for (size_t i = 0; i < g->n_group_by; i++)
        if (sg_str_eq(g->group_by[i], ts)) {
            kql_error(c, SG_D_UNSUPPORTED, g->line, g->col,
                      "temporal_ordered: grouping by the time column %.*s has no KQL form", SG_STR_ARG(ts));
            return;
        }
    sg_buf_add_cstr(out, "let sigc_events = ");
    kql_union(c, g, out);
    sg_buf_add_cstr(out, "\n| extend sigc_bucket = bin(");
    kql_field(c, out, ts, g->line, g->col);
    sg_buf_add_cstr(out, ", ");
    kql_timespan(out, g->timespan);
    sg_buf_add_cstr(out, ");\nsigc_events\n| where sigc_rule == ");
    kql_string(c, out, kql_label(g, 0), g->line, g->col);
    for (size_t k = 1; k <= g->n_rules; k++) {
        if (k > 1) {
            sg_buf_add_cstr(out, "\n| join kind=inner (sigc_events | where sigc_rule == ");
            kql_string(c, out, kql_label(g, k - 1), g->line, g->col);
            sg_buf_add_cstr(out, ") on ");
            kql_ordered_keys(c, g, out);
            sg_buf_add_cstr(out, "\n| where ");
            kql_field(c, out, ts, g->line, g->col);
            sg_buf_printf(out, " >= sigc_t%zu", k - 1);
        }
        sg_buf_printf(out, "\n| summarize sigc_t%zu = min(", k);
        kql_field(c, out, ts, g->line, g->col);
        sg_buf_add_cstr(out, ") by ");
        kql_ordered_keys(c, g, out);
    }
    sg_buf_add_cstr(out, "\n| project ");
    kql_ordered_keys(c, g, out);
    sg_buf_printf(out, ", LastTime = sigc_t%zu", g->n_rules);
}

static void kql_correlation(kql_ctx *c, const sg_ir_rule *r, sg_buf *out, size_t start) {
    const sg_ir_agg *g = r->agg;
    if (!g) {
        kql_error(c, SG_D_UNSUPPORTED, r->meta.line, 0, "the correlation has no aggregation");
        return;
    }
    for (size_t i = 0; i < g->n_rules; i++) {
        const sg_ir_rule *t = g->rules ? g->rules[i] : NULL;
        if (!t) {
            kql_error(c, SG_D_REFERENCE, g->line, g->col, "rule '%.*s' is not resolved", SG_STR_ARG(g->rule_refs[i]));
            return;
        }
        if (t->kind != SG_RULE_DETECTION || t->agg || !t->expr) {
            kql_error(c, SG_D_UNSUPPORTED, g->line, g->col,
                      "rule '%.*s' is a correlation or aggregates itself; KQL output for chained correlations is not supported",
                      SG_STR_ARG(g->rule_refs[i]));
            return;
        }
        for (size_t j = 0; j < i; j++)
            if (sg_str_eq(kql_label(g, i), kql_label(g, j))) {
                kql_error(c, SG_D_UNSUPPORTED, g->line, g->col, "rule '%.*s' is listed twice",
                          SG_STR_ARG(g->rule_refs[i]));
                return;
            }
    }
    bool temporal = g->type == SG_AGG_TEMPORAL || g->type == SG_AGG_TEMPORAL_ORDERED;
    const sg_ir_rule *self = c->rule;
    if (g->n_rules == 1 && !temporal) {
        const sg_ir_rule *t = g->rules[0];
        if (t->table.len) kql_source(c, t, out, "\n", g->line, g->col);
        c->rule = t;
        kql_where(c, t->expr, out, start);
        c->rule = self;
        bool aliased = false;
        for (size_t a = 0; a < g->n_aliases; a++) aliased |= g->aliases[a].count > 0;
        if (aliased) kql_stage(out, start);
        kql_extends(c, g, 0, false, "| extend ", out);
        kql_summarize(c, r, g, out, start);
        return;
    }
    for (size_t i = 0; i < g->n_rules; i++)
        if (!g->rules[i]->table.len) {
            kql_error(c, SG_D_PIPELINE, g->line, g->col,
                      "rule '%.*s' has no table: a correlation over several rules needs every rule's table from the pipeline",
                      SG_STR_ARG(g->rule_refs[i]));
            return;
        }
    if (g->type == SG_AGG_TEMPORAL_ORDERED) {
        kql_ordered(c, r, g, out);
        return;
    }
    kql_union(c, g, out);
    kql_summarize(c, r, g, out, start);
}

static int kql_emit_rule(sg_diags *diags, const sg_ir_rule *rule, sg_buf *out) {
    kql_ctx c = {diags, rule, NULL, false};
    size_t start = out->len;
    switch (rule->kind) {
    case SG_RULE_DETECTION: kql_detection(&c, rule, out, start); break;
    case SG_RULE_CORRELATION: kql_correlation(&c, rule, out, start); break;
    case SG_RULE_FILTER:
        kql_error(&c, SG_D_UNSUPPORTED, rule->meta.line, 0,
                  "a filter rule has no query of its own: it is applied to the rules it names");
        break;
    }
    if (c.failed) {
        out->len = start;
        return -1;
    }
    return 0;
}

const sg_backend sg_backend_kql = {"kql", "Microsoft KQL (Sentinel, Defender XDR, Azure Data Explorer)", ".kql",
                                   kql_emit_rule, kql_emit_comment, NULL, NULL};
