/* test_detect.c - the front end to IR: detection items, every value
 * modifier and chain, conditions, legacy aggregations, correlation and
 * filter rules, collections, the threshold extension and placeholder
 * fill-in (detect.c, rule.c, corr.c, threshold.c).
 *
 * Each test compiles YAML text the way the CLI does (sg_ruleset_add_file,
 * then sg_ruleset_resolve, default options) and compares the IR dump
 * (sg_ir_dump) exactly, or walks the IR for fields the dump does not show.
 * Errors are asserted by check id and exact line:column.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rule.h"

/* ------------------------------------------------------------------ */
/* Helpers                                                              */

/* Every detection test body starts at line 4 of its file. */
#define HDR "title: t\nlogsource: {product: windows}\ndetection:\n"

typedef struct dctx {
    sg_diags diags;
    sg_ruleset rs;
    int add_rc, resolve_rc;
    sg_buf dump;
} dctx;

static void dinit(dctx *c, const sg_options *opts) {
    memset(c, 0, sizeof *c);
    sg_diags_init(&c->diags);
    sg_ruleset_init(&c->rs, opts, &c->diags);
    sg_buf_init(&c->dump);
}

static void dadd(dctx *c, const char *file, const char *text) {
    int rc = sg_ruleset_add_file(&c->rs, file, text, strlen(text));
    if (rc) c->add_rc = rc;
}

static void dresolve(dctx *c) { c->resolve_rc = sg_ruleset_resolve(&c->rs); }

/* Compiles one file with default options. */
static void compile(dctx *c, const char *text) {
    dinit(c, NULL);
    dadd(c, "r.yml", text);
    dresolve(c);
}

/* Compiles HDR + body. */
static void compile_det(dctx *c, const char *body) {
    sg_buf b;
    sg_buf_init(&b);
    sg_buf_add_cstr(&b, HDR);
    sg_buf_add_cstr(&b, body);
    sg_buf_add_byte(&b, '\0');
    compile(c, b.data);
    sg_buf_free(&b);
}

static void dfree(dctx *c) {
    sg_ruleset_free(&c->rs);
    sg_diags_free(&c->diags);
    sg_buf_free(&c->dump);
}

static void print_diags(const dctx *c) {
    for (size_t i = 0; i < c->diags.count; i++) {
        const sg_diag *d = &c->diags.items[i];
        print_message("  %s:%u:%u: %s[%s]: %s\n", d->loc.file, d->loc.line, d->loc.col,
                      sg_severity_name(d->severity), sg_diag_table[d->id].id, d->message);
    }
}

/* No diagnostics at all, and both steps report success. */
static void assert_clean(const dctx *c) {
    if (c->diags.count || c->add_rc || c->resolve_rc) {
        print_diags(c);
        fail_msg("expected a clean compile, got %zu diagnostics", c->diags.count);
    }
}

/* A diagnostic of id at line:col whose message contains substr (or NULL). */
static const sg_diag *find_diag(const dctx *c, sg_diag_id id, uint32_t line, uint32_t col, const char *substr) {
    for (size_t i = 0; i < c->diags.count; i++) {
        const sg_diag *d = &c->diags.items[i];
        if (d->id == id && d->loc.line == line && d->loc.col == col && (!substr || strstr(d->message, substr)))
            return d;
    }
    return NULL;
}

static void assert_diag(const dctx *c, sg_diag_id id, uint32_t line, uint32_t col, const char *substr) {
    if (!find_diag(c, id, line, col, substr)) {
        print_diags(c);
        fail_msg("no %s diagnostic at %u:%u containing '%s'", sg_diag_table[id].id, line, col,
                 substr ? substr : "");
    }
}

/* Exactly one diagnostic: id at line:col (and the compile failed when it is an error). */
static void assert_only_diag(const dctx *c, sg_diag_id id, uint32_t line, uint32_t col, const char *substr) {
    if (c->diags.count != 1) {
        print_diags(c);
        fail_msg("expected exactly one diagnostic (%s), got %zu", sg_diag_table[id].id, c->diags.count);
    }
    assert_diag(c, id, line, col, substr);
    if (sg_diag_table[id].severity == SG_SEV_ERROR) assert_true(c->add_rc != 0 || c->resolve_rc != 0);
}

static size_t count_diags(const dctx *c, sg_diag_id id) {
    size_t n = 0;
    for (size_t i = 0; i < c->diags.count; i++) n += c->diags.items[i].id == id;
    return n;
}

static sg_rule *rule_at(const dctx *c, size_t i) {
    if (i >= c->rs.n_rules) fail_msg("rule %zu of %zu", i, c->rs.n_rules);
    return c->rs.rules[i];
}

/* The IR dump of rule i from its "expr:" block on (or from "aggregate"). */
static const char *dump_from(dctx *c, size_t i, const char *marker) {
    sg_buf_reset(&c->dump);
    sg_ir_dump(&c->dump, rule_at(c, i)->ir);
    sg_buf_add_byte(&c->dump, '\0');
    const char *p = strstr(c->dump.data, marker);
    if (!p) fail_msg("no '%s' in the dump:\n%s", marker, c->dump.data);
    return p;
}

static const char *expr_dump(dctx *c, size_t i) { return dump_from(c, i, "expr:\n") + 6; }
static const char *agg_dump(dctx *c, size_t i) { return dump_from(c, i, "aggregate "); }

static void assert_text(const char *got, const char *want) {
    if (strcmp(got, want) != 0) fail_msg("got:\n%s\nwant:\n%s", got, want);
}

static void assert_expr(dctx *c, const char *want) { assert_text(expr_dump(c, 0), want); }

static sg_ir_expr *root_expr(const dctx *c) {
    sg_ir_expr *e = rule_at(c, 0)->ir->expr;
    assert_non_null(e);
    return e;
}

static sg_ir_expr *kid(sg_ir_expr *e, size_t i) {
    assert_non_null(e);
    if (i >= e->count) fail_msg("child %zu of %zu", i, e->count);
    return e->kids[i];
}

static sg_ir_pred *pred_of(sg_ir_expr *e) {
    assert_non_null(e);
    assert_int_equal(e->kind, SG_IR_PRED);
    return e->pred;
}

static void assert_bytes(sg_str s, const char *want, size_t len) {
    if (s.len != len || memcmp(s.ptr, want, len) != 0) fail_msg("bytes differ (got %zu bytes, want %zu)", s.len, len);
}

/* A Sigma string as literal bytes, <*>, <?> and <%name%>. */
static const char *pattern_text(sg_buf *b, sg_sstring s) {
    sg_buf_reset(b);
    for (size_t i = 0; i < s.n; i++) {
        switch (s.parts[i].kind) {
        case SG_SP_LIT: sg_buf_add_str(b, s.parts[i].text); break;
        case SG_SP_STAR: sg_buf_add_cstr(b, "<*>"); break;
        case SG_SP_ONE: sg_buf_add_cstr(b, "<?>"); break;
        case SG_SP_PLACEHOLDER: sg_buf_printf(b, "<%%%.*s%%>", SG_STR_ARG(s.parts[i].text)); break;
        }
    }
    sg_buf_add_byte(b, '\0');
    return b->data;
}

/* Compiles a rule with the single item "A<key>: <value>" (line 5, key at col 5). */
static void compile_item(dctx *c, const char *key_mods, const char *value) {
    char body[512];
    snprintf(body, sizeof body, "  sel:\n    A%s: %s\n  condition: sel\n", key_mods, value);
    compile_det(c, body);
}

/* ------------------------------------------------------------------ */
/* Plain values                                                          */

static void test_plain_values(void **state) {
    (void)state;
    dctx c;
    compile_det(&c, "  sel:\n"           /* 4 */
                    "    A: x\n"         /* 5 */
                    "    B: 4624\n"      /* 6 */
                    "    C: 1.5\n"       /* 7 */
                    "    D: true\n"      /* 8 */
                    "    E: ''\n"        /* 9 */
                    "    F: null\n"      /* 10 */
                    "    G: []\n"        /* 11 */
                    "    H: 0x10\n"      /* 12 */
                    "    I: [x, null]\n" /* 13 */
                    "    J: 'yes'\n"     /* 14 */
                    "    K: no\n"        /* 15 */
                    "    L: '4624'\n"    /* 16 */
                    "  condition: sel\n");
    assert_clean(&c);
    assert_expr(&c, "  and\n"
                    "    \"A\" eq \"x\"\n"
                    "    \"B\" eq num:4624\n"
                    "    \"C\" eq num:1.5\n"
                    "    \"D\" eq bool:true\n"
                    "    \"E\" eq \"\"\n"
                    "    \"F\" null\n"
                    "    \"G\" null\n"
                    "    \"H\" eq num:0x10\n"
                    "    or\n"
                    "      \"I\" eq \"x\"\n"
                    "      \"I\" null\n"
                    "    \"J\" eq \"yes\"\n"
                    "    \"K\" eq bool:no\n"
                    "    \"L\" eq \"4624\"\n");
    sg_ir_expr *e = root_expr(&c);
    assert_int_equal(e->kind, SG_IR_AND);
    sg_ir_pred *a = pred_of(kid(e, 0));
    assert_int_equal(a->vtype, SG_VT_STRING);
    assert_false(a->cased);
    assert_int_equal(a->line, 5);
    assert_int_equal(a->col, 8);
    sg_ir_pred *b = pred_of(kid(e, 1));
    assert_int_equal(b->vtype, SG_VT_NUMBER);
    assert_true(b->is_int);
    assert_int_equal(b->int_value, 4624);
    sg_ir_pred *cc = pred_of(kid(e, 2));
    assert_false(cc->is_int);
    assert_true(cc->num == 1.5);
    sg_ir_pred *d = pred_of(kid(e, 3));
    assert_int_equal(d->vtype, SG_VT_BOOL);
    assert_true(d->bool_value);
    sg_ir_pred *h = pred_of(kid(e, 7));
    assert_int_equal(h->int_value, 16);
    assert_true(h->num == 16.0);
    sg_ir_pred *i1 = pred_of(kid(kid(e, 8), 1));
    assert_int_equal(i1->line, 13);
    assert_int_equal(i1->col, 12);
    assert_false(pred_of(kid(e, 10))->bool_value); /* the dump shows the text as written */
    assert_int_equal(pred_of(kid(e, 11))->vtype, SG_VT_STRING);
    dfree(&c);
}

static void test_wildcard_ops(void **state) {
    (void)state;
    dctx c;
    compile_det(&c, "  sel:\n"
                    "    A: 'foo*'\n"
                    "    B: '*foo'\n"
                    "    C: '*foo*'\n"
                    "    D: 'f?o'\n"
                    "    E: 'a*b'\n"
                    "    F: '**'\n"
                    "  condition: sel\n");
    assert_clean(&c);
    assert_expr(&c, "  and\n"
                    "    \"A\" startswith \"foo\"\n"
                    "    \"B\" endswith \"foo\"\n"
                    "    \"C\" contains \"foo\"\n"
                    "    \"D\" glob [\"f\" ? \"o\"]\n"
                    "    \"E\" glob [\"a\" * \"b\"]\n"
                    "    \"F\" glob [* *]\n");
    dfree(&c);
}

/* The escaping table of the conformance inventory (section 2.1), single-quoted YAML. */
static void test_escaping(void **state) {
    (void)state;
    static const struct {
        const char *yaml;
        sg_ir_op op;
        const char *parsed;
    } cases[] = {
        {"'C:\\Windows'", SG_OP_EQ, "C:\\Windows"},
        {"'C:\\\\Windows'", SG_OP_EQ, "C:\\Windows"},
        {"'a\\*b'", SG_OP_EQ, "a*b"},
        {"'a\\?'", SG_OP_EQ, "a?"},
        {"'a\\\\*b'", SG_OP_GLOB, "a\\<*>b"},
        {"'a\\\\\\*b'", SG_OP_EQ, "a\\*b"},
        {"'a\\\\\\b'", SG_OP_EQ, "a\\\\b"},
        {"'a\\\\\\\\b'", SG_OP_EQ, "a\\\\b"},
        {"'a\\\\\\\\*b'", SG_OP_GLOB, "a\\\\<*>b"},
        {"'\\\\\\\\server\\share'", SG_OP_EQ, "\\\\server\\share"},
        {"'a\\nb'", SG_OP_EQ, "a\\nb"},
        {"'a\\'", SG_OP_EQ, "a\\"},
        /* and around the edges */
        {"'a?b'", SG_OP_GLOB, "a<?>b"},
        {"'\\*'", SG_OP_EQ, "*"},
        {"'\\\\'", SG_OP_EQ, "\\"},
        {"'x\\\\'", SG_OP_EQ, "x\\"},
        {"'C:\\Windows\\*'", SG_OP_EQ, "C:\\Windows*"},
        {"'C:\\Windows\\\\*'", SG_OP_STARTSWITH, "C:\\Windows\\<*>"},
        {"'%x%'", SG_OP_EQ, "%x%"},
        {"'a\\%b'", SG_OP_EQ, "a\\%b"}, /* without expand \% stays two characters */
        {"\"a\\\\*b\"", SG_OP_EQ, "a*b"}, /* double quotes: YAML unescapes first */
    };
    sg_buf pb;
    sg_buf_init(&pb);
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        dctx c;
        compile_item(&c, "", cases[i].yaml);
        assert_clean(&c);
        sg_ir_pred *p = pred_of(root_expr(&c));
        const char *got = pattern_text(&pb, p->pattern);
        if (strcmp(got, cases[i].parsed) != 0 || p->op != cases[i].op)
            fail_msg("%s: parsed '%s' op %s, want '%s' op %s", cases[i].yaml, got, sg_ir_op_name(p->op),
                     cases[i].parsed, sg_ir_op_name(cases[i].op));
        dfree(&c);
    }
    sg_buf_free(&pb);
}

/* ------------------------------------------------------------------ */
/* contains / startswith / endswith                                      */

static void test_position_modifiers(void **state) {
    (void)state;
    dctx c;
    compile_det(&c, "  sel:\n"
                    "    A|contains: foo\n"
                    "    B|contains: '*foo*'\n"
                    "    C|contains: 'foo*'\n"
                    "    D|startswith: foo\n"
                    "    E|startswith: 'foo*'\n"
                    "    F|endswith: foo\n"
                    "    G|endswith: '*foo'\n"
                    "    H|startswith: '*foo'\n"
                    "    I|contains: 'foo\\*'\n"
                    "    J|contains: 'a*b'\n"
                    "    K|contains: 4624\n"
                    "    L|contains: [a, b]\n"
                    "    M|contains: '\\\\'\n"
                    "  condition: sel\n");
    assert_clean(&c);
    assert_expr(&c, "  and\n"
                    "    \"A\" contains \"foo\"\n"
                    "    \"B\" contains \"foo\"\n"
                    "    \"C\" contains \"foo\"\n"
                    "    \"D\" startswith \"foo\"\n"
                    "    \"E\" startswith \"foo\"\n"
                    "    \"F\" endswith \"foo\"\n"
                    "    \"G\" endswith \"foo\"\n"
                    "    \"H\" contains \"foo\"\n"
                    "    \"I\" contains \"foo*\"\n"
                    "    \"J\" glob [* \"a\" * \"b\" *]\n"
                    "    \"K\" contains \"4624\"\n"
                    "    or\n"
                    "      \"L\" contains \"a\"\n"
                    "      \"L\" contains \"b\"\n"
                    "    \"M\" contains \"\\\\\"\n");
    /* no doubled wildcards anywhere */
    sg_ir_pred *b = pred_of(kid(root_expr(&c), 1));
    assert_int_equal(b->pattern.n, 3);
    dfree(&c);
}

/* ------------------------------------------------------------------ */
/* all                                                                   */

static void test_all(void **state) {
    (void)state;
    dctx c;
    compile_det(&c, "  sel:\n"
                    "    A|contains|all: [a, b]\n"
                    "    B|all: [x, y]\n"
                    "    C|all: one\n"
                    "    D|windash|contains|all: ['-a', b]\n"
                    "    E|base64offset|contains|all: [foobar, abc]\n"
                    "  condition: sel\n");
    assert_clean(&c);
    assert_expr(&c, "  and\n"
                    "    \"A\" contains \"a\"\n"
                    "    \"A\" contains \"b\"\n"
                    "    \"B\" eq \"x\"\n"
                    "    \"B\" eq \"y\"\n"
                    "    \"C\" eq \"one\"\n"
                    "    or\n"
                    "      \"D\" contains \"-a\"\n"
                    "      \"D\" contains \"/a\"\n"
                    "      \"D\" contains \"\\xe2\\x80\\x93a\"\n"
                    "      \"D\" contains \"\\xe2\\x80\\x94a\"\n"
                    "      \"D\" contains \"\\xe2\\x80\\x95a\"\n"
                    "    \"D\" contains \"b\"\n"
                    "    or\n"
                    "      \"E\" contains \"Zm9vYmFy\"\n"
                    "      \"E\" contains \"Zvb2Jhc\"\n"
                    "      \"E\" contains \"mb29iYX\"\n"
                    "    or\n"
                    "      \"E\" contains \"YWJj\"\n"
                    "      \"E\" contains \"FiY\"\n"
                    "      \"E\" contains \"hYm\"\n");
    dfree(&c);

    /* keywords with |all are ANDed */
    compile_det(&c, "  kw:\n"
                    "    '|all':\n"
                    "      - evil\n"
                    "      - 'bad*'\n"
                    "  condition: kw\n");
    assert_clean(&c);
    assert_expr(&c, "  and\n"
                    "    <keyword> contains \"evil\"\n"
                    "    <keyword> contains \"bad\"\n");
    dfree(&c);
}

/* ------------------------------------------------------------------ */
/* Encodings                                                             */

static void test_base64(void **state) {
    (void)state;
    dctx c;
    compile_det(&c, "  sel:\n"
                    "    A|base64: foo\n"
                    "    B|base64|contains: foobar\n"
                    "    C|base64offset: foobar\n"
                    "    D|base64offset|contains: foobar\n"
                    "    E|base64|startswith: [a, ab]\n"
                    "  condition: sel\n");
    assert_clean(&c);
    assert_expr(&c, "  and\n"
                    "    \"A\" eq \"Zm9v\"\n"
                    "    \"B\" contains \"Zm9vYmFy\"\n"
                    "    or\n"
                    "      \"C\" eq \"Zm9vYmFy\"\n"
                    "      \"C\" eq \"Zvb2Jhc\"\n"
                    "      \"C\" eq \"mb29iYX\"\n"
                    "    or\n"
                    "      \"D\" contains \"Zm9vYmFy\"\n"
                    "      \"D\" contains \"Zvb2Jhc\"\n"
                    "      \"D\" contains \"mb29iYX\"\n"
                    "    or\n"
                    "      \"E\" startswith \"YQ==\"\n"
                    "      \"E\" startswith \"YWI=\"\n");
    dfree(&c);

    /* a wildcard before base64 is a type error at the value */
    compile_item(&c, "|contains|base64", "x");
    assert_only_diag(&c, SG_D_VALUE_TYPE, 5, 24, "'base64' needs a value without wildcards");
    assert_null(rule_at(&c, 0)->ir->expr);
    dfree(&c);
    compile_item(&c, "|base64offset", "'a*'");
    assert_only_diag(&c, SG_D_VALUE_TYPE, 5, 21, "'base64offset' needs a value without wildcards");
    dfree(&c);
}

static void test_utf16(void **state) {
    (void)state;
    dctx c;
    compile_det(&c, "  sel:\n"
                    "    A|wide: ab\n"
                    "    B|utf16le: ab\n"
                    "    C|utf16be: ab\n"
                    "    D|utf16: ab\n"
                    "    E|wide: \"\\u00e9\\U0001F600\"\n"
                    "    F|wide|contains: 'a*'\n"
                    "  condition: sel\n");
    assert_clean(&c);
    sg_ir_expr *e = root_expr(&c);
    assert_int_equal(e->count, 6);
    assert_bytes(pred_of(kid(e, 0))->text, "a\0b\0", 4);
    assert_bytes(pred_of(kid(e, 1))->text, "a\0b\0", 4);
    assert_bytes(pred_of(kid(e, 2))->text, "\0a\0b", 4);
    assert_bytes(pred_of(kid(e, 3))->text, "\xff\xfe" "a\0b\0", 6);
    assert_bytes(pred_of(kid(e, 4))->text, "\xe9\0\x3d\xd8\x00\xde", 6);
    for (size_t i = 0; i < 5; i++) assert_int_equal(pred_of(kid(e, i))->op, SG_OP_EQ);
    /* wildcards stay wildcards: contains of "a\0" then * */
    sg_ir_pred *f = pred_of(kid(e, 5));
    assert_int_equal(f->op, SG_OP_CONTAINS);
    assert_bytes(f->text, "a\0", 2);
    dfree(&c);

    /* the conformance example: cmd -> wide -> base64offset -> contains */
    compile_item(&c, "|wide|base64offset|contains", "cmd");
    assert_clean(&c);
    assert_expr(&c, "  or\n"
                    "    \"A\" contains \"YwBtAGQA\"\n"
                    "    \"A\" contains \"MAbQBkA\"\n"
                    "    \"A\" contains \"jAG0AZA\"\n");
    dfree(&c);
}

static void test_windash(void **state) {
    (void)state;
    dctx c;
    compile_item(&c, "|windash", "'-a'");
    assert_clean(&c);
    assert_expr(&c, "  or\n"
                    "    \"A\" eq \"-a\"\n"
                    "    \"A\" eq \"/a\"\n"
                    "    \"A\" eq \"\\xe2\\x80\\x93a\"\n"
                    "    \"A\" eq \"\\xe2\\x80\\x94a\"\n"
                    "    \"A\" eq \"\\xe2\\x80\\x95a\"\n");
    dfree(&c);

    /* a slash position keeps its original first */
    compile_item(&c, "|windash|contains", "' /c '");
    assert_clean(&c);
    sg_ir_expr *e = root_expr(&c);
    assert_int_equal(e->count, 5);
    assert_bytes(pred_of(kid(e, 0))->text, " /c ", 4);
    assert_bytes(pred_of(kid(e, 1))->text, " -c ", 4);
    dfree(&c);

    /* two positions: 25 variants, the leftmost varying slowest */
    compile_item(&c, "|windash", "'x -a /b'");
    assert_clean(&c);
    e = root_expr(&c);
    assert_int_equal(e->kind, SG_IR_OR);
    assert_int_equal(e->count, 25);
    assert_bytes(pred_of(kid(e, 0))->text, "x -a /b", 7);
    assert_bytes(pred_of(kid(e, 1))->text, "x -a -b", 7);
    assert_bytes(pred_of(kid(e, 5))->text, "x /a /b", 7);
    assert_bytes(pred_of(kid(e, 24))->text, "x \xe2\x80\x95" "a \xe2\x80\x95" "b", 11);
    dfree(&c);

    /* a dash inside a word is not a flag: one variant */
    compile_item(&c, "|windash", "a-b");
    assert_clean(&c);
    assert_expr(&c, "  \"A\" eq \"a-b\"\n");
    dfree(&c);

    /* 5 positions are 3125 variants (the default limit); 6 are too many */
    compile_item(&c, "|windash", "'-a -b -c -d -e'");
    assert_clean(&c);
    assert_int_equal(root_expr(&c)->count, 3125);
    dfree(&c);
    compile_item(&c, "|windash", "'-a -b -c -d -e -f'");
    assert_only_diag(&c, SG_D_VALUE_TYPE, 5, 16, "more than 3125 variants");
    dfree(&c);
}

/* ------------------------------------------------------------------ */
/* Regular expressions                                                   */

static void test_regex(void **state) {
    (void)state;
    dctx c;
    compile_det(&c, "  sel:\n"
                    "    A|re: 'ab+c'\n"
                    "    B|re|i: x\n"
                    "    C|re|m: x\n"
                    "    D|re|s: x\n"
                    "    E|re|ignorecase|multiline|dotall: x\n"
                    "    F|re|i|i: x\n"
                    "    G|re: 123\n"
                    "    H|re|contains: abc\n"
                    "    I|re|startswith: '^abc'\n"
                    "    J|re|endswith: 'abc$'\n"
                    "    K|re: ['a\\d', 'b*']\n"
                    "  condition: sel\n");
    assert_clean(&c);
    assert_expr(&c, "  and\n"
                    "    \"A\" regex \"ab+c\"\n"
                    "    \"B\" regex \"x\" flags=i\n"
                    "    \"C\" regex \"x\" flags=m\n"
                    "    \"D\" regex \"x\" flags=s\n"
                    "    \"E\" regex \"x\" flags=ims\n"
                    "    \"F\" regex \"x\" flags=i\n"
                    "    \"G\" regex \"123\"\n"
                    "    \"H\" regex \".*abc.*\"\n"
                    "    \"I\" regex \"^abc.*\"\n"
                    "    \"J\" regex \".*abc$\"\n"
                    "    or\n"
                    "      \"K\" regex \"a\\\\d\"\n"
                    "      \"K\" regex \"b*\"\n");
    sg_ir_expr *e = root_expr(&c);
    assert_true(pred_of(kid(e, 0))->cased); /* regexes are case-sensitive ... */
    assert_false(pred_of(kid(e, 1))->cased); /* ... unless |i */
    assert_int_equal(pred_of(kid(e, 4))->regex_flags, SG_RE_I | SG_RE_M | SG_RE_S);
    assert_int_equal(pred_of(kid(e, 0))->vtype, SG_VT_STRING);
    dfree(&c);
}

static void test_regex_errors(void **state) {
    (void)state;
    dctx c;
    compile_item(&c, "|contains|re", "x");
    assert_only_diag(&c, SG_D_MODIFIER, 5, 5, "'re' must be the first modifier");
    dfree(&c);
    compile_item(&c, "|i", "x");
    assert_only_diag(&c, SG_D_MODIFIER, 5, 5, "'i' is a regex flag and needs 're' before it");
    dfree(&c);
    compile_item(&c, "|contains|dotall", "x");
    assert_only_diag(&c, SG_D_MODIFIER, 5, 5, "'dotall' is a regex flag");
    dfree(&c);
    compile_item(&c, "|re|cased", "x");
    assert_only_diag(&c, SG_D_MODIFIER, 5, 5, "'cased' has no meaning with 're'");
    dfree(&c);
    compile_item(&c, "|re|base64", "x");
    assert_only_diag(&c, SG_D_MODIFIER, 5, 5, "'base64' cannot apply to a regular expression");
    dfree(&c);

    /* a bad pattern points into the value: plain, single-quoted with '' and UTF-8 */
    compile_det(&c, "  sel:\n"
                    "    A|re: a(b\n"
                    "    B|re: 'x(y'\n"
                    "    C|re: 'it''s('\n"
                    "    D|re: '\xc3\xa9(x'\n"
                    "    E|re: \"x(y\"\n"
                    "    F|re: '[z-a]'\n"
                    "  condition: sel\n");
    assert_int_equal(c.diags.count, 6);
    assert_diag(&c, SG_D_REGEX, 5, 14, "missing closing parenthesis");
    assert_diag(&c, SG_D_REGEX, 6, 15, "missing closing parenthesis");
    assert_diag(&c, SG_D_REGEX, 7, 18, NULL);
    assert_diag(&c, SG_D_REGEX, 8, 15, NULL);
    assert_diag(&c, SG_D_REGEX, 9, 15, NULL); /* double-quoted without escapes: exact too */
    assert_diag(&c, SG_D_REGEX, 10, 15, "range out of order");
    assert_int_equal(c.add_rc, -1);
    assert_true(rule_at(&c, 0)->has_errors);
    dfree(&c);
}

static void test_regex_length_limit(void **state) {
    (void)state;
    sg_options o = sg_default_options;
    o.max_regex_length = 8;
    dctx c;
    dinit(&c, &o);
    dadd(&c, "r.yml", HDR "  sel:\n    A|re: 'abcdefgh'\n    B|re: 'abcdefghi'\n  condition: sel\n");
    dresolve(&c);
    assert_only_diag(&c, SG_D_REGEX, 6, 11, "over the limit of 8");
    dfree(&c);
}

/* ------------------------------------------------------------------ */
/* cidr                                                                  */

static void test_cidr(void **state) {
    (void)state;
    dctx c;
    compile_det(&c, "  sel:\n"
                    "    A|cidr: 10.0.0.0/8\n"
                    "    B|cidr: '2001:db8::/32'\n"
                    "    C|cidr: [192.168.0.0/16, 172.16.0.0/12]\n"
                    "    D|cidr: 10.1.2.3\n"
                    "  condition: sel\n");
    assert_clean(&c);
    assert_expr(&c, "  and\n"
                    "    \"A\" cidr 10.0.0.0/8\n"
                    "    \"B\" cidr 2001:db8::/32\n"
                    "    or\n"
                    "      \"C\" cidr 192.168.0.0/16\n"
                    "      \"C\" cidr 172.16.0.0/12\n"
                    "    \"D\" cidr 10.1.2.3/32\n");
    sg_ir_pred *a = pred_of(kid(root_expr(&c), 0));
    assert_int_equal(a->cidr.family, 4);
    assert_int_equal(a->cidr.prefix, 8);
    assert_int_equal(a->cidr.addr[0], 10);
    sg_ir_pred *b = pred_of(kid(root_expr(&c), 1));
    assert_int_equal(b->cidr.family, 6);
    assert_int_equal(b->cidr.prefix, 32);
    assert_int_equal(b->cidr.addr[0], 0x20);
    assert_int_equal(b->cidr.addr[3], 0xb8);
    dfree(&c);

    compile_item(&c, "|cidr", "10.0.0.1/8");
    assert_only_diag(&c, SG_D_VALUE_TYPE, 5, 13, "host bits set");
    dfree(&c);
    compile_item(&c, "|cidr", "'2001:db8::1/32'");
    assert_only_diag(&c, SG_D_VALUE_TYPE, 5, 13, "host bits");
    dfree(&c);
    compile_item(&c, "|cidr", "not-an-ip");
    assert_only_diag(&c, SG_D_VALUE_TYPE, 5, 13, "invalid cidr");
    dfree(&c);
    compile_item(&c, "|contains|cidr", "10.0.0.0/8");
    assert_only_diag(&c, SG_D_MODIFIER, 5, 5, "'cidr' must be the first modifier");
    dfree(&c);
    compile_item(&c, "|cidr|contains", "10.0.0.0/8");
    assert_only_diag(&c, SG_D_MODIFIER, 5, 5, "cannot be combined with cidr");
    dfree(&c);
}

/* ------------------------------------------------------------------ */
/* Comparisons and time parts                                            */

static void test_compare(void **state) {
    (void)state;
    dctx c;
    compile_det(&c, "  sel:\n"
                    "    A|gt: 5\n"
                    "    B|gte: -1\n"
                    "    C|lt: 1.5\n"
                    "    D|lte: 0x10\n"
                    "    E|gt: [1, 2]\n"
                    "  condition: sel\n");
    assert_clean(&c);
    assert_expr(&c, "  and\n"
                    "    \"A\" gt num:5\n"
                    "    \"B\" gte num:-1\n"
                    "    \"C\" lt num:1.5\n"
                    "    \"D\" lte num:0x10\n"
                    "    or\n"
                    "      \"E\" gt num:1\n"
                    "      \"E\" gt num:2\n");
    sg_ir_expr *e = root_expr(&c);
    assert_int_equal(pred_of(kid(e, 1))->int_value, -1);
    assert_int_equal(pred_of(kid(e, 3))->int_value, 16);
    assert_true(pred_of(kid(e, 2))->num == 1.5);
    assert_int_equal(pred_of(kid(e, 0))->vtype, SG_VT_NUMBER);
    dfree(&c);

    /* a string, even '5', is a type error at the value */
    compile_item(&c, "|gt", "'5'");
    assert_only_diag(&c, SG_D_VALUE_TYPE, 5, 11, "needs a number, not the string '5'");
    dfree(&c);
    compile_item(&c, "|lte", "abc");
    assert_only_diag(&c, SG_D_VALUE_TYPE, 5, 12, "needs a number");
    dfree(&c);
    compile_item(&c, "|gt", "true");
    assert_only_diag(&c, SG_D_VALUE_TYPE, 5, 11, NULL);
    dfree(&c);
    compile_item(&c, "|gt|lt", "5");
    assert_only_diag(&c, SG_D_MODIFIER, 5, 5, "only one comparison modifier");
    dfree(&c);
    compile_item(&c, "|gt|contains", "5");
    assert_only_diag(&c, SG_D_MODIFIER, 5, 5, "cannot be combined with a numeric comparison");
    dfree(&c);
    compile_item(&c, "|gt", "9223372036854775808");
    assert_only_diag(&c, SG_D_VALUE_TYPE, 5, 11, "does not fit in 64 bits");
    dfree(&c);
    compile_item(&c, "", "-9223372036854775809");
    assert_only_diag(&c, SG_D_VALUE_TYPE, 5, 8, "does not fit in 64 bits");
    dfree(&c);
}

static void test_timeparts(void **state) {
    (void)state;
    dctx c;
    compile_det(&c, "  sel:\n"
                    "    A|minute: 5\n"
                    "    B|hour|gte: 3\n"
                    "    C|day|lt: 15\n"
                    "    D|week: 52\n"
                    "    E|month|gt: 6\n"
                    "    F|year|lte: 2024\n"
                    "  condition: sel\n");
    assert_clean(&c);
    assert_expr(&c, "  and\n"
                    "    \"A\" eq(minute) num:5\n"
                    "    \"B\" gte(hour) num:3\n"
                    "    \"C\" lt(day) num:15\n"
                    "    \"D\" eq(week) num:52\n"
                    "    \"E\" gt(month) num:6\n"
                    "    \"F\" lte(year) num:2024\n");
    assert_int_equal(pred_of(kid(root_expr(&c), 1))->timepart, SG_TP_HOUR);
    dfree(&c);

    compile_item(&c, "|gt|hour", "3");
    assert_only_diag(&c, SG_D_MODIFIER, 5, 5, "'hour' must come before the comparison modifier");
    dfree(&c);
    compile_item(&c, "|hour|day", "3");
    assert_only_diag(&c, SG_D_MODIFIER, 5, 5, "only one time-part modifier");
    dfree(&c);
    compile_item(&c, "|hour", "noon");
    assert_only_diag(&c, SG_D_VALUE_TYPE, 5, 13, "needs a number");
    dfree(&c);
    compile_item(&c, "|hour|contains", "3");
    assert_only_diag(&c, SG_D_MODIFIER, 5, 5, "cannot be combined");
    dfree(&c);
}

/* ------------------------------------------------------------------ */
/* exists, fieldref, expand, cased, neq                                  */

static void test_exists(void **state) {
    (void)state;
    dctx c;
    compile_det(&c, "  sel:\n"
                    "    A|exists: true\n"
                    "    B|exists: false\n"
                    "    C|exists: yes\n"
                    "    D|exists: Off\n"
                    "  condition: sel\n");
    assert_clean(&c);
    assert_expr(&c, "  and\n"
                    "    \"A\" exists\n"
                    "    not\n"
                    "      \"B\" exists\n"
                    "    \"C\" exists\n"
                    "    not\n"
                    "      \"D\" exists\n");
    dfree(&c);

    compile_item(&c, "|exists|contains", "true");
    assert_only_diag(&c, SG_D_MODIFIER, 5, 5, "'exists' cannot be combined");
    dfree(&c);
    compile_item(&c, "|contains|exists", "true");
    assert_only_diag(&c, SG_D_MODIFIER, 5, 5, "'exists' cannot be combined");
    dfree(&c);
    compile_item(&c, "|exists", "'true'");
    assert_only_diag(&c, SG_D_VALUE_TYPE, 5, 15, "'exists' needs true or false");
    dfree(&c);
    compile_item(&c, "|exists", "1");
    assert_only_diag(&c, SG_D_VALUE_TYPE, 5, 15, NULL);
    dfree(&c);
    compile_det(&c, "  sel:\n    '|exists': true\n  condition: sel\n");
    assert_only_diag(&c, SG_D_MODIFIER, 5, 5, "'exists' needs a field");
    dfree(&c);
}

static void test_fieldref(void **state) {
    (void)state;
    dctx c;
    compile_det(&c, "  sel:\n"
                    "    A|fieldref: B\n"
                    "    C|fieldref|contains: D\n"
                    "    E|fieldref|startswith: F\n"
                    "    G|fieldref|endswith: H\n"
                    "    I|fieldref|cased: J\n"
                    "    K|fieldref|neq: L\n"
                    "    M|fieldref: [N, O]\n"
                    "  condition: sel\n");
    assert_clean(&c);
    assert_expr(&c, "  and\n"
                    "    \"A\" fieldref eq \"B\"\n"
                    "    \"C\" fieldref contains \"D\"\n"
                    "    \"E\" fieldref startswith \"F\"\n"
                    "    \"G\" fieldref endswith \"H\"\n"
                    "    \"I\" fieldref eq \"J\" cased\n"
                    "    not\n"
                    "      \"K\" fieldref eq \"L\"\n"
                    "    or\n"
                    "      \"M\" fieldref eq \"N\"\n"
                    "      \"M\" fieldref eq \"O\"\n");
    sg_ir_pred *p = pred_of(kid(root_expr(&c), 1));
    assert_int_equal(p->fieldref_op, SG_OP_CONTAINS);
    assert_int_equal(p->vtype, SG_VT_NONE);
    dfree(&c);

    compile_item(&c, "|contains|fieldref", "B");
    assert_only_diag(&c, SG_D_MODIFIER, 5, 5, "'fieldref' must be the first modifier");
    dfree(&c);
    compile_item(&c, "|fieldref", "'B*'");
    assert_only_diag(&c, SG_D_VALUE_TYPE, 5, 17, "cannot contain wildcards");
    dfree(&c);
    compile_item(&c, "|fieldref|base64", "B");
    assert_only_diag(&c, SG_D_MODIFIER, 5, 5, "cannot apply to a field reference");
    dfree(&c);
    compile_item(&c, "|fieldref|contains|startswith", "B");
    assert_only_diag(&c, SG_D_MODIFIER, 5, 5, "after another position modifier");
    dfree(&c);
    compile_item(&c, "|fieldref|re", "B");
    assert_only_diag(&c, SG_D_MODIFIER, 5, 5, "cannot be combined");
    dfree(&c);
}

static void test_expand(void **state) {
    (void)state;
    dctx c;
    compile_det(&c, "  sel:\n"
                    "    A|expand: '%Admins%'\n"
                    "    B|expand|contains: '%x%'\n"
                    "    C: '%Admins%'\n"
                    "    D|expand: 'a\\%b%c'\n"
                    "    E|expand: 'pre%x%post'\n"
                    "  condition: sel\n");
    assert_clean(&c);
    assert_expr(&c, "  and\n"
                    "    \"A\" glob [%Admins%]\n"
                    "    \"B\" glob [* %x% *]\n"
                    "    \"C\" eq \"%Admins%\"\n"
                    "    \"D\" eq \"a%b%c\"\n"
                    "    \"E\" glob [\"pre\" %x% \"post\"]\n");
    sg_ir_expr *e = root_expr(&c);
    assert_true(pred_of(kid(e, 0))->has_placeholder);
    assert_false(pred_of(kid(e, 2))->has_placeholder);
    dfree(&c);
}

static void test_cased_neq(void **state) {
    (void)state;
    dctx c;
    compile_det(&c, "  sel:\n"
                    "    A|cased: Foo\n"
                    "    B|contains|cased: Foo\n"
                    "    C|cased|startswith: Foo\n"
                    "    D|neq: x\n"
                    "    E|neq: [x, y]\n"
                    "    F|neq|contains|cased: z\n"
                    "  condition: sel\n");
    assert_clean(&c);
    assert_expr(&c, "  and\n"
                    "    \"A\" eq \"Foo\" cased\n"
                    "    \"B\" contains \"Foo\" cased\n"
                    "    \"C\" startswith \"Foo\" cased\n"
                    "    not\n"
                    "      \"D\" eq \"x\"\n"
                    "    not\n"
                    "      or\n"
                    "        \"E\" eq \"x\"\n"
                    "        \"E\" eq \"y\"\n"
                    "    not\n"
                    "      \"F\" contains \"z\" cased\n");
    assert_true(pred_of(kid(root_expr(&c), 0))->cased);
    dfree(&c);
}

/* ------------------------------------------------------------------ */
/* Modifier errors, null, keywords, lists                                */

static void test_unknown_modifier(void **state) {
    (void)state;
    dctx c;
    compile_det(&c, "  sel:\n"
                    "    A: x\n"
                    "    Image|endswith|bogus: x\n"
                    "  condition: sel\n");
    assert_only_diag(&c, SG_D_MODIFIER, 6, 5, "unknown modifier 'bogus'");
    assert_null(rule_at(&c, 0)->ir->expr);
    dfree(&c);
    compile_det(&c, "  sel:\n"
                    "    - A: x\n"
                    "    - 'B||contains': x\n"
                    "  condition: sel\n");
    assert_only_diag(&c, SG_D_MODIFIER, 6, 7, "empty modifier name");
    dfree(&c);
    /* modifier names are case-sensitive */
    compile_item(&c, "|Contains", "x");
    assert_only_diag(&c, SG_D_MODIFIER, 5, 5, "unknown modifier 'Contains'");
    dfree(&c);
}

static void test_null_values(void **state) {
    (void)state;
    dctx c;
    compile_det(&c, "  sel:\n"
                    "    A: ~\n"
                    "    B: []\n"
                    "    C|neq: null\n"
                    "    D|neq: []\n"
                    "    E|contains: []\n"
                    "  condition: sel\n");
    assert_clean(&c);
    assert_expr(&c, "  and\n"
                    "    \"A\" null\n"
                    "    \"B\" null\n"
                    "    not\n"
                    "      \"C\" null\n"
                    "    not\n"
                    "      \"D\" null\n"
                    "    \"E\" null\n");
    dfree(&c);

    /* a double-quoted \0 is a real NUL byte, kept with its length */
    compile_item(&c, "|contains", "\"a\\0b\"");
    assert_clean(&c);
    sg_ir_pred *p = pred_of(root_expr(&c));
    assert_int_equal(p->op, SG_OP_CONTAINS);
    assert_bytes(p->text, "a\0b", 3);
    dfree(&c);

    compile_item(&c, "|contains", "null");
    assert_only_diag(&c, SG_D_VALUE_TYPE, 5, 17, "null cannot take modifiers");
    dfree(&c);
    compile_det(&c, "  kw:\n    - evil\n    - null\n  condition: kw\n");
    assert_only_diag(&c, SG_D_VALUE_TYPE, 6, 7, "null must be bound to a field");
    dfree(&c);
    compile_det(&c, "  kw: []\n  condition: kw\n");
    assert_only_diag(&c, SG_D_DETECTION, 4, 7, "'kw' is an empty list");
    dfree(&c);
    compile_det(&c, "  sel:\n  condition: sel\n");
    assert_diag(&c, SG_D_DETECTION, 4, 7, "'sel' has no value");
    dfree(&c);
}

static void test_keywords(void **state) {
    (void)state;
    dctx c;
    compile_det(&c, "  kw:\n"
                    "    - evil\n"
                    "    - 'a*b'\n"
                    "    - 42\n"
                    "    - '*x'\n"
                    "  condition: kw\n");
    assert_clean(&c);
    assert_expr(&c, "  or\n"
                    "    <keyword> contains \"evil\"\n"
                    "    <keyword> glob [* \"a\" * \"b\" *]\n"
                    "    <keyword> contains \"42\"\n"
                    "    <keyword> contains \"x\"\n");
    sg_ir_pred *p = pred_of(kid(root_expr(&c), 0));
    assert_int_equal(p->field.len, 0);
    assert_int_equal(p->line, 5);
    assert_int_equal(p->col, 7);
    assert_int_equal(pred_of(kid(root_expr(&c), 2))->vtype, SG_VT_STRING);
    dfree(&c);

    /* one scalar is one keyword; keyword items take modifiers too */
    compile_det(&c, "  kw: evil\n"
                    "  k2:\n"
                    "    '|re': 'a.c'\n"
                    "  condition: kw or k2\n");
    assert_clean(&c);
    assert_expr(&c, "  or\n"
                    "    <keyword> contains \"evil\"\n"
                    "    <keyword> regex \"a.c\"\n");
    dfree(&c);
}

static void test_list_of_maps(void **state) {
    (void)state;
    dctx c;
    compile_det(&c, "  sel:\n"
                    "    - A: x\n"
                    "    - B: y\n"
                    "      C: z\n"
                    "    - kw1\n"
                    "    - kw2\n"
                    "  condition: sel\n");
    assert_clean(&c);
    assert_expr(&c, "  or\n"
                    "    \"A\" eq \"x\"\n"
                    "    and\n"
                    "      \"B\" eq \"y\"\n"
                    "      \"C\" eq \"z\"\n"
                    "    <keyword> contains \"kw1\"\n"
                    "    <keyword> contains \"kw2\"\n");
    sg_rule *r = rule_at(&c, 0);
    assert_int_equal(r->n_searches, 1);
    assert_int_equal(r->searches[0].n_maps, 2);
    assert_int_equal(r->searches[0].n_keywords, 2);
    assert_true(r->searches[0].referenced);
    dfree(&c);

    compile_det(&c, "  sel:\n    - [a, b]\n  condition: sel\n");
    assert_only_diag(&c, SG_D_DETECTION, 5, 7, "not nested lists");
    dfree(&c);
    compile_det(&c, "  sel:\n    A:\n      B: c\n  condition: sel\n");
    assert_only_diag(&c, SG_D_DETECTION, 6, 7, "cannot be a mapping");
    dfree(&c);
    compile_det(&c, "  sel:\n    A: [[x]]\n  condition: sel\n");
    assert_only_diag(&c, SG_D_VALUE_TYPE, 5, 9, "not a list");
    dfree(&c);
}

static void test_split_key(void **state) {
    (void)state;
    sg_arena *a = sg_arena_new();
    sg_ditem it;
    sg_ditem_split_key(a, SG_STR_LIT("Image|endswith|all"), &it);
    assert_true(sg_str_eq_cstr(it.field, "Image"));
    assert_int_equal(it.n_mods, 2);
    assert_true(sg_str_eq_cstr(it.mods[0], "endswith"));
    assert_true(sg_str_eq_cstr(it.mods[1], "all"));
    sg_ditem_split_key(a, SG_STR_LIT("|all"), &it);
    assert_int_equal(it.field.len, 0);
    assert_int_equal(it.n_mods, 1);
    sg_ditem_split_key(a, SG_STR_LIT("Field"), &it);
    assert_true(sg_str_eq_cstr(it.field, "Field"));
    assert_int_equal(it.n_mods, 0);
    sg_ditem_split_key(a, SG_STR_LIT("A||b|"), &it);
    assert_int_equal(it.n_mods, 3);
    assert_int_equal(it.mods[0].len, 0);
    assert_true(sg_str_eq_cstr(it.mods[1], "b"));
    assert_int_equal(it.mods[2].len, 0);
    sg_arena_free(a);
}

/* ------------------------------------------------------------------ */
/* Conditions                                                            */

#define SELS                \
    "  sel1:\n"   /* 4 */   \
    "    A: x\n"  /* 5 */   \
    "  sel2:\n"   /* 6 */   \
    "    B: y\n"  /* 7 */   \
    "  _hidden:\n" /* 8 */  \
    "    C: z\n"  /* 9 */   \
    "  filter:\n" /* 10 */  \
    "    D: w\n"  /* 11 */

static void check_condition(const char *cond, const char *want) {
    char body[512];
    snprintf(body, sizeof body, SELS "  condition: %s\n", cond);
    dctx c;
    compile_det(&c, body);
    assert_clean(&c);
    const char *got = expr_dump(&c, 0);
    if (strcmp(got, want) != 0) fail_msg("condition '%s':\ngot:\n%s\nwant:\n%s", cond, got, want);
    dfree(&c);
}

static void test_conditions(void **state) {
    (void)state;
    check_condition("1 of sel* and not filter", "  and\n"
                                                "    or\n"
                                                "      \"A\" eq \"x\"\n"
                                                "      \"B\" eq \"y\"\n"
                                                "    not\n"
                                                "      \"D\" eq \"w\"\n");
    check_condition("all of them", "  and\n"
                                   "    \"A\" eq \"x\"\n"
                                   "    \"B\" eq \"y\"\n"
                                   "    \"D\" eq \"w\"\n");
    check_condition("1 of them", "  or\n"
                                 "    \"A\" eq \"x\"\n"
                                 "    \"B\" eq \"y\"\n"
                                 "    \"D\" eq \"w\"\n");
    check_condition("all of sel*", "  and\n"
                                   "    \"A\" eq \"x\"\n"
                                   "    \"B\" eq \"y\"\n");
    check_condition("any of sel*", "  or\n"
                                   "    \"A\" eq \"x\"\n"
                                   "    \"B\" eq \"y\"\n");
    check_condition("1 of _*", "  \"C\" eq \"z\"\n");
    check_condition("not not sel1", "  \"A\" eq \"x\"\n");
    check_condition("not sel1", "  not\n    \"A\" eq \"x\"\n");
    check_condition("(sel1 or sel2) and not (filter or _hidden)", "  and\n"
                                                                  "    or\n"
                                                                  "      \"A\" eq \"x\"\n"
                                                                  "      \"B\" eq \"y\"\n"
                                                                  "    not\n"
                                                                  "      or\n"
                                                                  "        \"D\" eq \"w\"\n"
                                                                  "        \"C\" eq \"z\"\n");
    check_condition("sel1 or sel2 and filter", "  or\n"
                                               "    \"A\" eq \"x\"\n"
                                               "    and\n"
                                               "      \"B\" eq \"y\"\n"
                                               "      \"D\" eq \"w\"\n");
    /* a condition list is an OR */
    check_condition("\n    - sel1\n    - sel2 and filter", "  or\n"
                                                          "    \"A\" eq \"x\"\n"
                                                          "    and\n"
                                                          "      \"B\" eq \"y\"\n"
                                                          "      \"D\" eq \"w\"\n");
}

static void test_condition_errors(void **state) {
    (void)state;
    dctx c;
    /* plain: 'nope' at offset 9 of a value starting in column 14 */
    compile_det(&c, SELS "  condition: sel1 and nope\n");
    assert_only_diag(&c, SG_D_CONDITION, 12, 23, "'nope'");
    assert_null(rule_at(&c, 0)->ir->expr);
    dfree(&c);
    /* `1 of sel` without a wildcard names exactly 'sel', which does not
     * exist; a selector over nothing is an error, never a vacuous match */
    compile_det(&c, SELS "  condition: sel1 or 1 of sel\n");
    assert_only_diag(&c, SG_D_DANGLING_CONDITION, 12, 27, "'sel'");
    assert_null(rule_at(&c, 0)->ir->expr);
    dfree(&c);
    compile_det(&c, SELS "  condition: sel1 or all of nothing*\n");
    assert_only_diag(&c, SG_D_DANGLING_CONDITION, 12, 29, "'nothing*'");
    dfree(&c);
    /* single-quoted: one more for the quote */
    compile_det(&c, SELS "  condition: 'sel1 and nope'\n");
    assert_only_diag(&c, SG_D_CONDITION, 12, 24, "'nope'");
    dfree(&c);
    /* a quote is not a condition character: the error is at the first of '' */
    compile_det(&c, SELS "  condition: '1 of sel''* or nope'\n");
    assert_only_diag(&c, SG_D_CONDITION, 12, 23, "invalid character");
    dfree(&c);
    compile_det(&c, SELS "  condition: \"sel1 and nope\"\n");
    assert_only_diag(&c, SG_D_CONDITION, 12, 24, "'nope'");
    dfree(&c);
    /* in a condition list, the item's own column */
    compile_det(&c, SELS "  condition:\n    - sel1\n    - sel1 or nope\n");
    assert_only_diag(&c, SG_D_CONDITION, 14, 15, "'nope'");
    dfree(&c);
    compile_det(&c, SELS "  condition: [sel1, 'nope']\n");
    assert_only_diag(&c, SG_D_CONDITION, 12, 22, "'nope'");
    dfree(&c);
    /* multi-line scalars: the scalar's start */
    compile_det(&c, SELS "  condition: >\n    sel1 and\n    nope\n");
    assert_only_diag(&c, SG_D_CONDITION, 12, 14, "'nope'");
    dfree(&c);
    /* a syntax error at its offset */
    compile_det(&c, SELS "  condition: sel1 and\n");
    assert_only_diag(&c, SG_D_CONDITION, 12, 22, NULL);
    dfree(&c);
    compile_det(&c, SELS "  condition: sel1 AND sel2\n");
    assert_int_equal(count_diags(&c, SG_D_CONDITION), 1);
    assert_int_equal(c.diags.items[0].loc.line, 12);
    dfree(&c);
    /* the condition's type and presence */
    compile_det(&c, SELS "  condition: 5\n");
    assert_only_diag(&c, SG_D_CONDITION, 12, 14, "must be a string, not a number");
    dfree(&c);
    compile_det(&c, SELS "  condition: []\n");
    assert_only_diag(&c, SG_D_CONDITION, 12, 14, "empty");
    dfree(&c);
    compile_det(&c, SELS);
    assert_only_diag(&c, SG_D_RULE_STRUCTURE, 4, 3, "no 'condition'");
    dfree(&c);
}

/* ------------------------------------------------------------------ */
/* Legacy aggregations                                                   */

static void test_legacy_aggregation(void **state) {
    (void)state;
    dctx c;
    compile_det(&c, "  sel:\n"
                    "    A: x\n"
                    "  condition: sel | count() by SourceIp > 10\n"
                    "  timeframe: 5m\n");
    assert_clean(&c);
    assert_text(expr_dump(&c, 0), "  \"A\" eq \"x\"\n"
                                  "aggregate event_count from legacy\n"
                                  "  group-by: \"SourceIp\"\n"
                                  "  timespan: 300s\n"
                                  "  condition: > 10\n");
    sg_ir_agg *g = rule_at(&c, 0)->ir->agg;
    assert_int_equal(g->type, SG_AGG_EVENT_COUNT);
    assert_int_equal(g->origin, SG_ORIGIN_LEGACY);
    assert_int_equal(g->op, SG_CMP_GT);
    assert_true(g->threshold == 10.0);
    assert_true(g->threshold_is_int);
    assert_int_equal(g->threshold_int, 10);
    assert_int_equal(g->line, 6);
    assert_int_equal(g->col, 20); /* at "count" */
    dfree(&c);

    compile_det(&c, "  sel:\n"
                    "    A: x\n"
                    "  condition: sel | count(User) by Src >= 5\n"
                    "  timeframe: 1h\n");
    assert_clean(&c);
    assert_text(agg_dump(&c, 0), "aggregate value_count from legacy\n"
                                 "  field: \"User\"\n"
                                 "  group-by: \"Src\"\n"
                                 "  timespan: 3600s\n"
                                 "  condition: >= 5\n");
    dfree(&c);

    compile_det(&c, "  sel:\n"
                    "    A: x\n"
                    "  b:\n"
                    "    B: y\n"
                    "  f:\n"
                    "    C: z\n"
                    "  condition: sel | near b and not f\n"
                    "  timeframe: 30s\n");
    assert_clean(&c);
    assert_text(expr_dump(&c, 0), "  \"A\" eq \"x\"\n"
                                  "aggregate near from legacy\n"
                                  "  timespan: 30s\n"
                                  "  near:\n"
                                  "    \"B\" eq \"y\"\n"
                                  "  near not:\n"
                                  "    \"C\" eq \"z\"\n");
    dfree(&c);

    compile_det(&c, "  sel:\n    A: x\n  b:\n    B: y\n  condition: sel | near b\n");
    assert_only_diag(&c, SG_D_CONDITION, 8, 14, "needs a 'timeframe'");
    dfree(&c);
    compile_det(&c, "  sel:\n    A: x\n  condition: sel | near nope\n  timeframe: 1m\n");
    assert_only_diag(&c, SG_D_CONDITION, 6, 25, "'nope'");
    dfree(&c);
    compile_det(&c, "  sel:\n    A: x\n  condition: [sel | count() > 1, sel]\n");
    assert_only_diag(&c, SG_D_CONDITION, 6, 15, "cannot be part of a condition list");
    dfree(&c);
    compile_det(&c, "  sel:\n    A: x\n  condition: sel | count() > 1\n  timeframe: 5x\n");
    assert_only_diag(&c, SG_D_RULE_VALUE, 7, 14, "unknown unit");
    dfree(&c);
    compile_det(&c, "  sel:\n    A: x\n  condition: sel\n  timeframe: 5\n");
    assert_only_diag(&c, SG_D_RULE_VALUE, 7, 14, "'timeframe' must be a timespan");
    dfree(&c);
}

/* ------------------------------------------------------------------ */
/* Correlation rules                                                     */

#define BASE_RULES                                   \
    "title: failed\n"            /* 1 */             \
    "name: failed_login\n"       /* 2 */             \
    "logsource: {product: windows}\n"                \
    "detection:\n"                                   \
    "  sel:\n"                                       \
    "    EventID: 4625\n"                            \
    "  condition: sel\n"         /* 7 */             \
    "---\n"                      /* 8 */             \
    "title: success\n"                               \
    "id: 6f7c3a2e-31b4-4c1e-9d6a-0c3e5f1b2a44\n"     \
    "name: success_login\n"                          \
    "logsource: {product: windows}\n"                \
    "detection:\n"                                   \
    "  sel:\n"                                       \
    "    EventID: 4624\n"                            \
    "  condition: sel\n"         /* 16 */            \
    "---\n"                      /* 17 */

static void test_correlation_event_count(void **state) {
    (void)state;
    dctx c;
    compile(&c, BASE_RULES "title: many failures\n" /* 18 */
                           "correlation:\n"
                           "  type: event_count\n"
                           "  rules: [failed_login]\n"
                           "  group-by: [User, Host]\n"
                           "  timespan: 5m\n"
                           "  condition: {gte: 10}\n");
    assert_clean(&c);
    assert_int_equal(c.rs.n_rules, 3);
    sg_rule *r = rule_at(&c, 2);
    assert_int_equal(r->kind, SG_RULE_CORRELATION);
    assert_null(r->ir->expr);
    assert_text(agg_dump(&c, 2), "aggregate event_count from correlation\n"
                                 "  group-by: \"User\" \"Host\"\n"
                                 "  timespan: 300s\n"
                                 "  condition: >= 10\n"
                                 "  rule: \"failed_login\" -> \"failed\"\n");
    sg_ir_agg *g = r->ir->agg;
    assert_ptr_equal(g->rules[0], rule_at(&c, 0)->ir);
    assert_int_equal(g->line, 20);
    /* without generate the referenced rule is not emitted on its own */
    assert_true(rule_at(&c, 0)->ir->suppressed);
    assert_false(rule_at(&c, 1)->ir->suppressed);
    dfree(&c);

    /* reference by id, generate keeps the rule, a single string for rules and group-by */
    compile(&c, BASE_RULES "title: by id\n"
                           "correlation:\n"
                           "  type: event_count\n"
                           "  rules: 6f7c3a2e-31b4-4c1e-9d6a-0c3e5f1b2a44\n"
                           "  group-by: User\n"
                           "  timespan: 2d\n"
                           "  generate: true\n"
                           "  condition: {lt: 3}\n");
    assert_clean(&c);
    assert_text(agg_dump(&c, 2), "aggregate event_count from correlation\n"
                                 "  group-by: \"User\"\n"
                                 "  timespan: 172800s\n"
                                 "  condition: < 3\n"
                                 "  rule: \"6f7c3a2e-31b4-4c1e-9d6a-0c3e5f1b2a44\" -> \"success\"\n"
                                 "  generate: true\n");
    assert_false(rule_at(&c, 1)->ir->suppressed);
    dfree(&c);
}

static void test_correlation_value_count(void **state) {
    (void)state;
    dctx c;
    compile(&c, BASE_RULES "title: spray\n"           /* 18 */
                           "correlation:\n"            /* 19 */
                           "  type: value_count\n"     /* 20 */
                           "  rules: [failed_login]\n" /* 21 */
                           "  group-by: [Src]\n"       /* 22 */
                           "  timespan: 1h\n"          /* 23 */
                           "  condition: {gt: 3}\n");  /* 24 */
    assert_only_diag(&c, SG_D_CORRELATION, 24, 14, "needs 'field'");
    assert_null(rule_at(&c, 2)->ir->agg);
    dfree(&c);

    compile(&c, BASE_RULES "title: spray\n"
                           "correlation:\n"
                           "  type: value_count\n"
                           "  rules: [failed_login]\n"
                           "  group-by: [Src]\n"
                           "  timespan: 1h\n"
                           "  condition: {gt: 3, field: [User]}\n");
    assert_clean(&c);
    assert_text(agg_dump(&c, 2), "aggregate value_count from correlation\n"
                                 "  field: \"User\"\n"
                                 "  group-by: \"Src\"\n"
                                 "  timespan: 3600s\n"
                                 "  condition: > 3\n"
                                 "  rule: \"failed_login\" -> \"failed\"\n");
    dfree(&c);
}

static void test_correlation_temporal(void **state) {
    (void)state;
    dctx c;
    compile(&c, BASE_RULES "title: fail then success\n"
                           "correlation:\n"
                           "  type: temporal_ordered\n"
                           "  rules: [failed_login, success_login]\n"
                           "  group-by: [u]\n"
                           "  timespan: 10m\n"
                           "  aliases:\n"
                           "    u:\n"
                           "      failed_login: TargetUserName\n"
                           "      success_login: User\n");
    assert_clean(&c);
    assert_text(agg_dump(&c, 2), "aggregate temporal_ordered from correlation\n"
                                 "  group-by: \"u\"\n"
                                 "  timespan: 600s\n"
                                 "  condition: >= 2\n"
                                 "  rule: \"failed_login\" -> \"failed\"\n"
                                 "  rule: \"success_login\" -> \"success\"\n"
                                 "  alias \"u\": #0=\"TargetUserName\" #1=\"User\"\n");
    dfree(&c);

    /* the extended temporal condition */
    compile(&c, BASE_RULES "title: fail without success\n"
                           "correlation:\n"
                           "  type: temporal\n"
                           "  rules: [failed_login, success_login]\n"
                           "  timespan: 10m\n"
                           "  condition: 'failed_login and not success_login'\n");
    assert_clean(&c);
    assert_text(agg_dump(&c, 2), "aggregate temporal from correlation\n"
                                 "  timespan: 600s\n"
                                 "  rule: \"failed_login\" -> \"failed\"\n"
                                 "  rule: \"success_login\" -> \"success\"\n"
                                 "  temporal-condition:\n"
                                 "    and\n"
                                 "      rule #0\n"
                                 "      not\n"
                                 "        rule #1\n");
    dfree(&c);

    compile(&c, BASE_RULES "title: t\n"
                           "correlation:\n"
                           "  type: temporal\n"
                           "  rules: [failed_login, success_login]\n"
                           "  timespan: 10m\n"
                           "  condition: 'failed_login and other'\n"); /* 23 */
    assert_only_diag(&c, SG_D_CORRELATION, 23, 14, "'other'");
    dfree(&c);

    /* every listed rule must appear in the condition */
    compile(&c, BASE_RULES "title: t\n"
                           "correlation:\n"
                           "  type: temporal\n"
                           "  rules: [failed_login, success_login]\n" /* 21 */
                           "  timespan: 10m\n"
                           "  condition: 'not failed_login'\n");
    assert_only_diag(&c, SG_D_CORRELATION, 21, 25, "'success_login' is in 'rules' but not in the temporal condition");
    dfree(&c);

    compile(&c, BASE_RULES "title: t\n"
                           "correlation:\n"
                           "  type: temporal\n"
                           "  rules: [failed_login]\n" /* 21 */
                           "  timespan: 10m\n");
    assert_only_diag(&c, SG_D_CORRELATION, 21, 10, "at least two rules");
    dfree(&c);
}

static void test_correlation_errors(void **state) {
    (void)state;
    dctx c;
    compile(&c, BASE_RULES "title: ref\n"
                           "correlation:\n"
                           "  type: event_count\n"
                           "  rules:\n"
                           "    - failed_login\n"
                           "    - nope\n" /* 23 */
                           "  timespan: 10m\n"
                           "  condition: {gte: 1}\n");
    assert_only_diag(&c, SG_D_REFERENCE, 23, 7, "'nope'");
    assert_int_equal(c.add_rc, 0);
    assert_int_equal(c.resolve_rc, -1);
    dfree(&c);

    /* references resolve across files */
    dinit(&c, NULL);
    dadd(&c, "corr.yml", "title: c\n"
                         "correlation:\n"
                         "  type: event_count\n"
                         "  rules: [failed_login]\n"
                         "  timespan: 1m\n"
                         "  condition: {gte: 1}\n");
    dadd(&c, "base.yml", BASE_RULES);
    dresolve(&c);
    assert_clean(&c);
    assert_ptr_equal(rule_at(&c, 0)->ir->agg->rules[0], rule_at(&c, 1)->ir);
    dfree(&c);

    static const struct {
        const char *body;
        sg_diag_id id;
        uint32_t line, col;
        const char *msg;
    } cases[] = {
        {"  type: counting\n  rules: [failed_login]\n  timespan: 1h\n", SG_D_CORRELATION, 20, 9,
         "unknown correlation type 'counting'"},
        {"  rules: [failed_login]\n  timespan: 1h\n  condition: {gte: 1}\n", SG_D_CORRELATION, 20, 3, "no 'type'"},
        {"  type: event_count\n  timespan: 1h\n  condition: {gte: 1}\n", SG_D_CORRELATION, 20, 3, "no 'rules'"},
        {"  type: event_count\n  rules: [failed_login]\n  condition: {gte: 1}\n", SG_D_CORRELATION, 20, 3,
         "no 'timespan'"},
        {"  type: event_count\n  rules: [failed_login]\n  timespan: 1h\n", SG_D_CORRELATION, 20, 3,
         "needs a 'condition'"},
        {"  type: event_count\n  rules: [failed_login]\n  timespan: 1h\n  condition: {gte: 1, lte: 5}\n",
         SG_D_CORRELATION, 23, 23, "exactly one comparison"},
        {"  type: event_count\n  rules: [failed_login]\n  timespan: 1h\n  condition: {more: 1}\n",
         SG_D_CORRELATION, 23, 15, "unknown key 'more'"},
        {"  type: event_count\n  rules: [failed_login]\n  timespan: 1h\n  condition: {gte: 9223372036854775808}\n",
         SG_D_CORRELATION, 23, 20, "from 0 to 2^53"},
        {"  type: event_count\n  rules: [failed_login]\n  timespan: 1h\n  condition: {gte: -1}\n",
         SG_D_CORRELATION, 23, 20, "from 0 to 2^53"},
        {"  type: event_count\n  rules: [failed_login]\n  timespan: 99999999999d\n  condition: {gte: 1}\n",
         SG_D_CORRELATION, 22, 13, "longer than 100 years"},
        {"  type: event_count\n  rules: [failed_login]\n  timespan: 0s\n  condition: {gte: 1}\n",
         SG_D_CORRELATION, 22, 13, "is zero"},
        {"  type: event_count\n  rules: [failed_login]\n  timespan: 1h\n  condition: 5\n", SG_D_CORRELATION, 23,
         14, "must be a mapping"},
        {"  type: event_count\n  rules: []\n  timespan: 1h\n  condition: {gte: 1}\n", SG_D_CORRELATION, 21, 10,
         "non-empty list"},
        {"  type: event_count\n  rules: [failed_login]\n  timespan: 1h\n  condition: {gte: 1}\n  generate: maybe\n",
         SG_D_CORRELATION, 24, 13, "'generate' must be true or false"},
        {"  type: event_count\n  rules: [failed_login]\n  timespan: 1h\n  condition: {gte: 1}\n  extra: 1\n",
         SG_D_CORRELATION, 24, 3, "unknown key 'extra'"},
        {"  type: event_count\n  rules: [failed_login]\n  timespan: 1h\n  condition: {gte: 1}\n"
         "  aliases:\n    a:\n      other: F\n",
         SG_D_CORRELATION, 26, 7, "not in 'rules'"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        sg_buf b;
        sg_buf_init(&b);
        sg_buf_printf(&b, "%stitle: c\ncorrelation:\n%s", BASE_RULES, cases[i].body); /* correlation: line 19 */
        sg_buf_add_byte(&b, '\0');
        compile(&c, b.data);
        sg_buf_free(&b);
        if (!find_diag(&c, cases[i].id, cases[i].line, cases[i].col, cases[i].msg) ||
            count_diags(&c, cases[i].id) != 1) {
            print_diags(&c);
            fail_msg("correlation case %zu: want %s at %u:%u '%s'", i, sg_diag_table[cases[i].id].id, cases[i].line,
                     cases[i].col, cases[i].msg);
        }
        assert_true(rule_at(&c, 2)->has_errors);
        dfree(&c);
    }
}

/* ------------------------------------------------------------------ */
/* Filters                                                               */

static const char filter_rules[] =
    "title: r1\n"
    "id: 11111111-1111-1111-1111-111111111111\n"
    "logsource: {product: windows, category: process_creation}\n"
    "detection:\n"
    "  sel:\n"
    "    A: x\n"
    "  condition: sel\n"
    "---\n"
    "title: r2\n"
    "name: r2n\n"
    "logsource: {product: linux}\n"
    "detection:\n"
    "  sel:\n"
    "    A: y\n"
    "  condition: sel\n"
    "---\n"
    "title: c\n"
    "correlation:\n"
    "  type: event_count\n"
    "  rules: [r2n]\n"
    "  timespan: 1m\n"
    "  generate: true\n"
    "  condition: {gte: 1}\n"
    "---\n";

static void test_filters(void **state) {
    (void)state;
    dctx c;
    sg_buf b;
    sg_buf_init(&b);
    sg_buf_printf(&b, "%s"
                      "title: f-any\n"
                      "logsource: {product: windows}\n"
                      "filter:\n"
                      "  rules: any\n"
                      "  selection:\n"
                      "    User: admin\n"
                      "  condition: not selection\n"
                      "---\n"
                      "title: f-list\n"
                      "logsource: {product: linux}\n"
                      "filter:\n"
                      "  rules: [r2n, 11111111-1111-1111-1111-111111111111]\n"
                      "  selection:\n"
                      "    Host: h\n"
                      "  condition: not selection\n"
                      "---\n"
                      "title: f-other-category\n"
                      "logsource: {product: windows, category: dns}\n"
                      "filter:\n"
                      "  rules: any\n"
                      "  selection:\n"
                      "    Q: q\n"
                      "  condition: not selection\n"
                      "---\n"
                      "title: f-empty-list\n"
                      "logsource: {category: process_creation}\n"
                      "filter:\n"
                      "  rules: []\n"
                      "  selection:\n"
                      "    Z: z\n"
                      "  condition: selection\n",
                  filter_rules);
    sg_buf_add_byte(&b, '\0');
    compile(&c, b.data);
    sg_buf_free(&b);
    assert_clean(&c);
    assert_int_equal(c.rs.n_rules, 7);
    /* r1: the windows filter and the [] (= any) filter; the list names it but its logsource is linux */
    assert_text(expr_dump(&c, 0), "  and\n"
                                  "    \"A\" eq \"x\"\n"
                                  "    not\n"
                                  "      \"User\" eq \"admin\"\n"
                                  "    \"Z\" eq \"z\"\n");
    /* r2: only the list that names it */
    assert_text(expr_dump(&c, 1), "  and\n"
                                  "    \"A\" eq \"y\"\n"
                                  "    not\n"
                                  "      \"Host\" eq \"h\"\n");
    /* never applied to correlations; a filter keeps its own expression */
    assert_null(rule_at(&c, 2)->ir->expr);
    assert_int_equal(rule_at(&c, 3)->kind, SG_RULE_FILTER);
    assert_text(expr_dump(&c, 3), "  not\n"
                                  "    \"User\" eq \"admin\"\n");
    dfree(&c);
}

static void test_filter_errors(void **state) {
    (void)state;
    dctx c;
    compile(&c, "title: f\n"
                "logsource: {product: windows}\n"
                "filter:\n"
                "  selection:\n"
                "    User: admin\n"
                "  condition: not selection\n");
    assert_only_diag(&c, SG_D_FILTER, 4, 3, "no 'rules'");
    dfree(&c);
    compile(&c, "title: f\n"
                "logsource: {product: windows}\n"
                "filter:\n"
                "  rules: some\n"
                "  selection:\n"
                "    User: admin\n"
                "  condition: not selection\n");
    assert_only_diag(&c, SG_D_FILTER, 4, 10, "'any' or a list");
    dfree(&c);
    /* an empty or non-string item would otherwise match every rule without id or name */
    sg_buf b;
    sg_buf_init(&b);
    sg_buf_printf(&b, "%s"
                      "title: f\n"                       /* 25 */
                      "logsource: {product: windows}\n"
                      "filter:\n"
                      "  rules: ['', {a: b}, ~, ok]\n"   /* 28 */
                      "  selection:\n"
                      "    User: admin\n"
                      "  condition: not selection\n",
                  filter_rules);
    sg_buf_add_byte(&b, '\0');
    compile(&c, b.data);
    sg_buf_free(&b);
    assert_int_equal(c.diags.count, 3);
    assert_diag(&c, SG_D_FILTER, 28, 11, "non-empty rule ids or names");
    assert_diag(&c, SG_D_FILTER, 28, 15, NULL);
    assert_diag(&c, SG_D_FILTER, 28, 23, NULL);
    assert_text(expr_dump(&c, 0), "  \"A\" eq \"x\"\n");
    assert_text(expr_dump(&c, 1), "  \"A\" eq \"y\"\n");
    dfree(&c);
    compile(&c, "title: f\n"
                "logsource: {product: windows}\n"
                "filter:\n"
                "  rules: any\n"
                "  selection:\n"
                "    User: admin\n"
                "  condition: selection | count() > 5\n");
    assert_only_diag(&c, SG_D_FILTER, 4, 3, "cannot aggregate");
    dfree(&c);
    compile(&c, "title: f\n"
                "logsource: {product: windows}\n"
                "filter:\n"
                "  rules: any\n"
                "  selection:\n"
                "    User: admin\n"
                "  condition: not sel\n");
    assert_only_diag(&c, SG_D_CONDITION, 7, 18, "'sel'");
    dfree(&c);
}

/* ------------------------------------------------------------------ */
/* Collections                                                           */

static void test_collections(void **state) {
    (void)state;
    dctx c;
    compile(&c, "action: global\n"                  /* 1 */
                "title: g\n"
                "logsource: {product: windows}\n"
                "detection:\n"
                "  g1:\n"
                "    A: x\n"
                "---\n"                             /* 7 */
                "action: global\n"
                "level: high\n"
                "detection:\n"
                "  condition: sel and g1\n"
                "---\n"                             /* 12 */
                "detection:\n"
                "  sel:\n"
                "    B: y\n"
                "---\n"                             /* 16 */
                "title: own\n"
                "level: low\n"
                "detection:\n"
                "  sel:\n"
                "    B: z\n"
                "---\n"                             /* 22 */
                "action: reset\n"
                "---\n"                             /* 24 */
                "title: nog\n"
                "logsource: {product: linux}\n"
                "detection:\n"
                "  sel:\n"
                "    C: 1\n"
                "  condition: sel\n"
                "---\n"                             /* 31 */
                "action: repeat\n"
                "detection:\n"
                "  sel:\n"
                "    C: 2\n");
    assert_clean(&c);
    assert_int_equal(c.rs.n_rules, 4);
    /* successive globals accumulate */
    sg_rule *r = rule_at(&c, 0);
    assert_true(sg_str_eq_cstr(r->ir->meta.title, "g"));
    assert_true(sg_str_eq_cstr(r->ir->meta.level, "high"));
    assert_int_equal(r->ir->meta.line, 12);
    assert_int_equal(r->doc_index, 2);
    assert_text(expr_dump(&c, 0), "  and\n"
                                  "    \"B\" eq \"y\"\n"
                                  "    \"A\" eq \"x\"\n");
    /* the global template's scalars win over the document's own */
    r = rule_at(&c, 1);
    assert_true(sg_str_eq_cstr(r->ir->meta.title, "g"));
    assert_true(sg_str_eq_cstr(r->ir->meta.level, "high"));
    assert_text(expr_dump(&c, 1), "  and\n"
                                  "    \"B\" eq \"z\"\n"
                                  "    \"A\" eq \"x\"\n");
    /* after reset nothing is merged; repeat merges into the previous rule */
    assert_true(sg_str_eq_cstr(rule_at(&c, 2)->ir->meta.title, "nog"));
    assert_null(rule_at(&c, 2)->ir->meta.level.ptr);
    assert_text(expr_dump(&c, 2), "  \"C\" eq num:1\n");
    assert_true(sg_str_eq_cstr(rule_at(&c, 3)->ir->meta.title, "nog"));
    assert_int_equal(rule_at(&c, 3)->ir->meta.line, 31);
    assert_text(expr_dump(&c, 3), "  \"C\" eq num:2\n");
    dfree(&c);

    /* correlations and filters are never merged with the global template */
    compile(&c, "action: global\n"
                "logsource: {product: windows}\n"
                "level: high\n"
                "---\n"
                "title: base\n"
                "name: b\n"
                "detection:\n"
                "  sel:\n"
                "    A: 1\n"
                "  condition: sel\n"
                "---\n"
                "title: c\n"
                "correlation:\n"
                "  type: event_count\n"
                "  rules: [b]\n"
                "  timespan: 1m\n"
                "  condition: {gte: 2}\n");
    assert_clean(&c);
    assert_int_equal(c.rs.n_rules, 2);
    assert_null(rule_at(&c, 1)->ir->meta.level.ptr);
    assert_null(sg_ymap_get(rule_at(&c, 1)->root, "logsource"));
    dfree(&c);
}

static void test_collection_errors(void **state) {
    (void)state;
    dctx c;
    compile(&c, "action: repeat\n"
                "title: x\n");
    assert_only_diag(&c, SG_D_COLLECTION, 1, 9, "without a rule before it");
    assert_int_equal(c.rs.n_rules, 0);
    dfree(&c);
    compile(&c, "title: a\n---\naction: bogus\n");
    assert_diag(&c, SG_D_COLLECTION, 3, 9, "unknown action 'bogus'");
    assert_int_equal(count_diags(&c, SG_D_COLLECTION), 1);
    dfree(&c);
    compile(&c, "action: [global]\n");
    assert_only_diag(&c, SG_D_COLLECTION, 1, 9, "must be global, reset or repeat");
    dfree(&c);
    compile(&c, "- a\n- b\n");
    assert_only_diag(&c, SG_D_RULE_STRUCTURE, 1, 1, "must be a mapping");
    dfree(&c);
    /* an empty trailing document is not a rule */
    compile(&c, HDR "  sel:\n    A: x\n  condition: sel\n---\n");
    assert_clean(&c);
    assert_int_equal(c.rs.n_rules, 1);
    dfree(&c);
}

/* ------------------------------------------------------------------ */
/* The threshold extension                                               */

static void test_threshold_block(void **state) {
    (void)state;
    dctx c;
    compile(&c, HDR "  sel:\n"
                    "    A: x\n"
                    "  condition: sel\n"
                    "threshold:\n" /* 7 */
                    "  type: value_count\n"
                    "  field: Port\n"
                    "  group-by: [Src, Dst]\n"
                    "  timespan: 1m\n"
                    "  condition: {gte: 20}\n");
    assert_clean(&c);
    assert_text(expr_dump(&c, 0), "  \"A\" eq \"x\"\n"
                                  "aggregate value_count from threshold\n"
                                  "  field: \"Port\"\n"
                                  "  group-by: \"Src\" \"Dst\"\n"
                                  "  timespan: 60s\n"
                                  "  condition: >= 20\n");
    sg_ir_agg *g = rule_at(&c, 0)->ir->agg;
    assert_int_equal(g->origin, SG_ORIGIN_THRESHOLD);
    assert_int_equal(g->line, 8);
    assert_int_equal(g->col, 3);
    dfree(&c);

    compile(&c, HDR "  sel:\n"
                    "    A: x\n"
                    "  condition: sel\n"
                    "threshold:\n"
                    "  group-by: Src\n"
                    "  timespan: 2h\n"
                    "  condition: {eq: 0}\n");
    assert_clean(&c);
    assert_text(agg_dump(&c, 0), "aggregate event_count from threshold\n"
                                 "  group-by: \"Src\"\n"
                                 "  timespan: 7200s\n"
                                 "  condition: == 0\n");
    dfree(&c);
}

static void test_threshold_errors(void **state) {
    (void)state;
    dctx c;
    compile(&c, HDR "  sel:\n"
                    "    A: x\n"
                    "  condition: sel\n"
                    "threshold:\n"           /* 7 */
                    "  type: sum\n"          /* 8 */
                    "  bogus: 1\n"           /* 9 */
                    "  timespan: 1q\n"       /* 10 */
                    "  condition: {gte: abc}\n" /* 11 */
                    "  group-by: [a, [b]]\n"  /* 12 */
                    "  field: ''\n");         /* 13 */
    assert_int_equal(c.diags.count, 6);
    assert_diag(&c, SG_D_THRESHOLD, 8, 9, "'sum' is not event_count or value_count");
    assert_diag(&c, SG_D_THRESHOLD, 9, 3, "unknown key 'bogus'");
    assert_diag(&c, SG_D_THRESHOLD, 10, 13, "unknown unit");
    assert_diag(&c, SG_D_THRESHOLD, 11, 20, "whole number");
    assert_diag(&c, SG_D_THRESHOLD, 12, 17, "field names");
    assert_diag(&c, SG_D_THRESHOLD, 13, 10, "field name");
    assert_true(rule_at(&c, 0)->has_errors);
    assert_null(rule_at(&c, 0)->ir->agg);
    assert_int_equal(c.add_rc, -1);
    dfree(&c);

    static const struct {
        const char *block;
        uint32_t line, col;
        const char *msg;
    } cases[] = {
        {"  condition: {gte: 1}\n", 8, 3, "no 'timespan'"},
        {"  timespan: 1m\n", 8, 3, "no 'condition'"},
        {"  type: value_count\n  timespan: 1m\n  condition: {gte: 1}\n", 8, 3, "needs 'field'"},
        {"  timespan: 1m\n  condition: {gte: 1, lt: 5}\n", 9, 14, "one comparison"},
        {"  timespan: 1m\n  condition: {above: 1}\n", 9, 15, "unknown comparison 'above'"},
        {"  timespan: 1m\n  condition: {gte: 1.5}\n", 9, 20, "whole number"},
        {"  timespan: 1m\n  condition: {gte: -3}\n", 9, 20, "whole number"},
        {"  timespan: 1m\n  condition: {gte: 9223372036854775808}\n", 9, 20, "whole number"},
        {"  timespan: 0s\n  condition: {gte: 1}\n", 8, 13, "is zero"},
        {"  timespan: 99999999999d\n  condition: {gte: 1}\n", 8, 13, "longer than 100 years"},
        {"  timespan: 60\n  condition: {gte: 1}\n", 8, 13, "must be a string"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        sg_buf b;
        sg_buf_init(&b);
        sg_buf_printf(&b, HDR "  sel:\n    A: x\n  condition: sel\nthreshold:\n%s", cases[i].block);
        sg_buf_add_byte(&b, '\0');
        compile(&c, b.data);
        sg_buf_free(&b);
        if (c.diags.count != 1 || !find_diag(&c, SG_D_THRESHOLD, cases[i].line, cases[i].col, cases[i].msg)) {
            print_diags(&c);
            fail_msg("threshold case %zu: want %u:%u '%s'", i, cases[i].line, cases[i].col, cases[i].msg);
        }
        assert_int_equal(c.add_rc, -1);
        dfree(&c);
    }

    compile(&c, HDR "  sel:\n    A: x\n  condition: sel\nthreshold: 5\n");
    assert_only_diag(&c, SG_D_RULE_STRUCTURE, 7, 12, "'threshold' must be a mapping");
    dfree(&c);
    /* a condition that already aggregates */
    compile(&c, HDR "  sel:\n"
                    "    A: x\n"
                    "  condition: sel | count() > 5\n"
                    "  timeframe: 1m\n"
                    "threshold:\n" /* 8 */
                    "  timespan: 1m\n"
                    "  condition: {gte: 1}\n");
    assert_only_diag(&c, SG_D_THRESHOLD, 9, 3, "already aggregates");
    dfree(&c);
}

/* ------------------------------------------------------------------ */
/* Placeholder detections                                                */

static const char ph_defaults[] = "defaults:\n"
                                  "  - tags: [attack.t1499.002, attack.t1499]\n" /* 2 */
                                  "    logsource: {category: network_connection}\n"
                                  "    threshold:\n"
                                  "      type: event_count\n"
                                  "      group-by: [SourceIp]\n"
                                  "      timespan: 1m\n"
                                  "      condition: {gte: 200}\n"
                                  "  - tags: [attack.t1110]\n" /* 9 */
                                  "    threshold:\n"
                                  "      type: value_count\n"
                                  "      field: TargetUserName\n"
                                  "      group-by: IpAddress\n"
                                  "      timespan: 10m\n"
                                  "      condition: {gt: 10}\n";

static void test_placeholder_from_block(void **state) {
    (void)state;
    dctx c;
    compile(&c, "title: flood\n"
                "logsource: {category: network_connection}\n"
                "detection:\n"
                "  sel:\n" /* 4 */
                "    EventID: '*'\n"
                "  condition: sel\n"
                "threshold:\n"
                "  group-by: [SourceIp]\n"
                "  timespan: 1m\n"
                "  condition: {gte: 100}\n");
    assert_only_diag(&c, SG_D_PLACEHOLDER_FILLED, 4, 3, "rule's threshold block: count >= 100 per SourceIp within 60s");
    assert_int_equal(c.add_rc, 0);
    assert_text(expr_dump(&c, 0), "  true\n"
                                  "aggregate event_count from placeholder\n"
                                  "  group-by: \"SourceIp\"\n"
                                  "  timespan: 60s\n"
                                  "  condition: >= 100\n");
    assert_true(rule_at(&c, 0)->placeholder);
    dfree(&c);
}

static void test_placeholder_from_defaults(void **state) {
    (void)state;
    dctx c;
    dinit(&c, NULL);
    assert_int_equal(sg_ruleset_load_defaults(&c.rs, "defaults.yml", ph_defaults, strlen(ph_defaults)), 0);
    assert_int_equal(c.rs.n_defaults, 3); /* one per tag */
    dadd(&c, "r.yml", "title: flood\n"
                      "logsource: {category: network_connection, product: windows}\n"
                      "tags: [ATTACK.T1499.002]\n"
                      "detection:\n"
                      "  sel:\n" /* 5 */
                      "    EventID: '*'\n"
                      "  condition: sel\n"
                      "---\n"
                      "title: spray\n"
                      "logsource: {product: windows, service: security}\n"
                      "tags: [attack.t1110]\n"
                      "detection:\n"
                      "  sel:\n" /* 13 */
                      "    - EventID: '*'\n"
                      "    - Other: '**'\n"
                      "  condition: sel\n");
    dresolve(&c);
    assert_int_equal(c.diags.count, 2);
    assert_diag(&c, SG_D_PLACEHOLDER_FILLED, 5, 3, "defaults.yml:2, tag attack.t1499.002");
    assert_diag(&c, SG_D_PLACEHOLDER_FILLED, 13, 3,
                "defaults.yml:9, tag attack.t1110): distinct TargetUserName count > 10 per IpAddress within 600s");
    assert_int_equal(c.add_rc, 0);
    assert_text(expr_dump(&c, 0), "  true\n"
                                  "aggregate event_count from placeholder\n"
                                  "  group-by: \"SourceIp\"\n"
                                  "  timespan: 60s\n"
                                  "  condition: >= 200\n");
    assert_text(expr_dump(&c, 1), "  true\n"
                                  "aggregate value_count from placeholder\n"
                                  "  field: \"TargetUserName\"\n"
                                  "  group-by: \"IpAddress\"\n"
                                  "  timespan: 600s\n"
                                  "  condition: > 10\n");
    dfree(&c);
}

static void test_placeholder_unfilled(void **state) {
    (void)state;
    dctx c;
    dinit(&c, NULL);
    assert_int_equal(sg_ruleset_load_defaults(&c.rs, "defaults.yml", ph_defaults, strlen(ph_defaults)), 0);
    /* the tag matches but the defaults entry's logsource does not */
    dadd(&c, "r.yml", "title: flood\n"
                      "logsource: {category: webserver}\n"
                      "tags: [attack.t1499.002]\n"
                      "detection:\n"
                      "  sel:\n" /* 5 */
                      "    EventID: '*'\n"
                      "  condition: sel\n"
                      "---\n"
                      "title: kw\n"
                      "logsource: {product: windows}\n"
                      "detection:\n"
                      "  kw: '*'\n" /* 12 */
                      "  condition: kw\n"
                      "---\n"
                      "title: not a placeholder\n"
                      "logsource: {product: windows}\n"
                      "detection:\n"
                      "  sel:\n"
                      "    EventID: '*'\n"
                      "    User: x\n"
                      "  condition: sel\n");
    dresolve(&c);
    assert_int_equal(c.diags.count, 2);
    assert_diag(&c, SG_D_PLACEHOLDER_DETECTION, 5, 3, "matches every event");
    assert_diag(&c, SG_D_PLACEHOLDER_DETECTION, 12, 3, NULL);
    assert_int_equal(c.add_rc, -1);
    assert_true(rule_at(&c, 0)->has_errors);
    assert_null(rule_at(&c, 0)->ir->agg);
    assert_false(rule_at(&c, 2)->placeholder);
    assert_text(expr_dump(&c, 2), "  and\n"
                                  "    \"EventID\" glob [*]\n"
                                  "    \"User\" eq \"x\"\n");
    dfree(&c);

    /* with no defaults loaded at all */
    compile(&c, HDR "  sel:\n    EventID: '*'\n  condition: sel\n");
    assert_only_diag(&c, SG_D_PLACEHOLDER_DETECTION, 4, 3, "placeholder");
    dfree(&c);
}

static void test_defaults_errors(void **state) {
    (void)state;
    dctx c;
    dinit(&c, NULL);
    const char *bad = "defaults: 5\n";
    assert_int_equal(sg_ruleset_load_defaults(&c.rs, "d.yml", bad, strlen(bad)), -1);
    assert_int_equal(c.diags.count, 1);
    assert_diag(&c, SG_D_THRESHOLD, 1, 1, "needs a 'defaults' list");
    dfree(&c);
    dinit(&c, NULL);
    bad = "defaults:\n"
          "  - threshold: {timespan: 1m, condition: {gte: 1}}\n"
          "  - tags: [x.y]\n"
          "    threshold: {timespan: 1m}\n";
    assert_int_equal(sg_ruleset_load_defaults(&c.rs, "d.yml", bad, strlen(bad)), -1);
    assert_int_equal(c.diags.count, 2);
    assert_diag(&c, SG_D_THRESHOLD, 2, 5, "needs 'tags'");
    assert_diag(&c, SG_D_THRESHOLD, 4, 16, "no 'condition'");
    assert_int_equal(c.rs.n_defaults, 0);
    dfree(&c);
}

/* ------------------------------------------------------------------ */
/* Timespans and limits                                                  */

static void test_timespan(void **state) {
    (void)state;
    static const struct {
        const char *text;
        bool ok;
        int64_t seconds;
        const char *msg;
    } cases[] = {
        {"30s", true, 30, NULL},
        {"90m", true, 5400, NULL},
        {"1h", true, 3600, NULL},
        {"2d", true, 172800, NULL},
        {"1w", true, 604800, NULL},
        {"1M", true, 2629746, NULL},
        {"1y", true, 31556952, NULL},
        {"100y", true, 3155695200, NULL},
        {"0100s", true, 100, NULL},
        {"0s", false, 0, "is zero"},
        {"000m", false, 0, "is zero"},
        {"1.5h", false, 0, "whole number"},
        {"99999999999d", false, 0, "longer than 100 years"},
        {"101y", false, 0, "longer than 100 years"},
        {"9223372036854775807s", false, 0, "longer than 100 years"},
        {"99999999999999999999s", false, 0, "too large"},
        {"5q", false, 0, "unknown unit"},
        {"5H", false, 0, "unknown unit"},
        {"10", false, 0, "unknown unit"},
        {"", false, 0, "not a timespan"},
        {"m", false, 0, "not a timespan"},
        {"1", false, 0, "not a timespan"},
        {"-1s", false, 0, "whole number"},
        {"+1s", false, 0, "whole number"},
        {"1 m", false, 0, "whole number"},
        {" 1m", false, 0, "whole number"},
        {"1m ", false, 0, "whole number"},
        {"1hm", false, 0, "whole number"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        int64_t out = -1;
        char err[128] = "";
        bool ok = sg_parse_timespan(sg_str_from_cstr(cases[i].text), &out, err);
        if (ok != cases[i].ok) fail_msg("'%s': got %s (%s)", cases[i].text, ok ? "ok" : "error", err);
        if (ok && out != cases[i].seconds)
            fail_msg("'%s': %lld seconds, want %lld", cases[i].text, (long long)out, (long long)cases[i].seconds);
        if (!ok && !strstr(err, cases[i].msg)) fail_msg("'%s': message '%s' lacks '%s'", cases[i].text, err, cases[i].msg);
    }
}

static void test_limits(void **state) {
    (void)state;
    sg_options o = sg_default_options;
    o.max_file_size = 16;
    dctx c;
    dinit(&c, &o);
    dadd(&c, "big.yml", HDR "  sel:\n    A: x\n  condition: sel\n");
    dresolve(&c);
    assert_only_diag(&c, SG_D_LIMIT_FILE_SIZE, 0, 0, "over the limit of 16");
    assert_int_equal(c.rs.n_rules, 0);
    assert_true(c.rs.units[0]->load_failed);
    dfree(&c);

    o = sg_default_options;
    o.yaml.max_depth = 3;
    dinit(&c, &o);
    dadd(&c, "deep.yml", HDR "  sel:\n    A: [x]\n  condition: sel\n");
    dresolve(&c);
    assert_only_diag(&c, SG_D_LIMIT_YAML_DEPTH, 5, 8, "deeper than 3");
    assert_int_equal(c.rs.n_rules, 0);
    dfree(&c);

    o = sg_default_options;
    o.max_windash_variants = 24;
    dinit(&c, &o);
    dadd(&c, "w.yml", HDR "  sel:\n    A|windash: ['-a', '-b -c']\n  condition: sel\n");
    dresolve(&c);
    assert_only_diag(&c, SG_D_VALUE_TYPE, 5, 23, "more than 24 variants");
    dfree(&c);

    /* a YAML error stops the file before any rule exists */
    compile(&c, HDR "  sel:\n    A: x\n    A: y\n  condition: sel\n");
    assert_only_diag(&c, SG_D_YAML_DUPLICATE_KEY, 6, 5, "line 5");
    assert_int_equal(c.rs.n_rules, 0);
    dfree(&c);
}

/* The rule's diagnostics carry its id. */
static void test_diag_rule_id(void **state) {
    (void)state;
    dctx c;
    compile(&c, "title: t\n"
                "id: 11111111-2222-3333-4444-555555555555\n"
                "logsource: {product: windows}\n"
                "detection:\n"
                "  sel:\n"
                "    A|nope: x\n"
                "  condition: sel\n");
    assert_only_diag(&c, SG_D_MODIFIER, 6, 5, NULL);
    assert_string_equal(c.diags.items[0].rule_id, "11111111-2222-3333-4444-555555555555");
    dfree(&c);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_values),
        cmocka_unit_test(test_wildcard_ops),
        cmocka_unit_test(test_escaping),
        cmocka_unit_test(test_position_modifiers),
        cmocka_unit_test(test_all),
        cmocka_unit_test(test_base64),
        cmocka_unit_test(test_utf16),
        cmocka_unit_test(test_windash),
        cmocka_unit_test(test_regex),
        cmocka_unit_test(test_regex_errors),
        cmocka_unit_test(test_regex_length_limit),
        cmocka_unit_test(test_cidr),
        cmocka_unit_test(test_compare),
        cmocka_unit_test(test_timeparts),
        cmocka_unit_test(test_exists),
        cmocka_unit_test(test_fieldref),
        cmocka_unit_test(test_expand),
        cmocka_unit_test(test_cased_neq),
        cmocka_unit_test(test_unknown_modifier),
        cmocka_unit_test(test_null_values),
        cmocka_unit_test(test_keywords),
        cmocka_unit_test(test_list_of_maps),
        cmocka_unit_test(test_split_key),
        cmocka_unit_test(test_conditions),
        cmocka_unit_test(test_condition_errors),
        cmocka_unit_test(test_legacy_aggregation),
        cmocka_unit_test(test_correlation_event_count),
        cmocka_unit_test(test_correlation_value_count),
        cmocka_unit_test(test_correlation_temporal),
        cmocka_unit_test(test_correlation_errors),
        cmocka_unit_test(test_filters),
        cmocka_unit_test(test_filter_errors),
        cmocka_unit_test(test_collections),
        cmocka_unit_test(test_collection_errors),
        cmocka_unit_test(test_threshold_block),
        cmocka_unit_test(test_threshold_errors),
        cmocka_unit_test(test_placeholder_from_block),
        cmocka_unit_test(test_placeholder_from_defaults),
        cmocka_unit_test(test_placeholder_unfilled),
        cmocka_unit_test(test_defaults_errors),
        cmocka_unit_test(test_timespan),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_diag_rule_id),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
