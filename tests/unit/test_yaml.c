/* test_yaml.c - the YAML loader (compiler/yamltree.c).
 *
 * Positions of keys and values (1-based, columns in characters), documents,
 * the YAML 1.1 typing of plain scalars that PyYAML (and so pySigma)
 * applies, and every hostile-input guard: duplicate keys, anchors and
 * aliases, nesting depth, node and document counts, invalid UTF-8,
 * non-scalar keys and unknown tags.  Each rejection must be a located
 * diagnostic with the right check id, never a crash.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "yamltree.h"

/* ------------------------------------------------------------------ */
/* Helpers                                                              */

typedef struct yctx {
    sg_arena *arena;
    sg_diags diags;
    sg_ydoc *docs;
    size_t ndocs;
    int rc;
} yctx;

static void yload_lim(yctx *c, const char *data, size_t len, const sg_yaml_limits *lim) {
    memset(c, 0, sizeof *c);
    c->arena = sg_arena_new();
    sg_diags_init(&c->diags);
    c->rc = sg_yaml_load(c->arena, "t.yml", data, len, lim, &c->diags, &c->docs, &c->ndocs);
}

static void yload(yctx *c, const char *text) { yload_lim(c, text, strlen(text), NULL); }

static void yfree(yctx *c) {
    sg_diags_free(&c->diags);
    sg_arena_free(c->arena);
}

/* Loads text that must load cleanly as one document; returns its root. */
static sg_ynode *yload_ok(yctx *c, const char *text) {
    yload(c, text);
    if (c->rc != 0 || c->diags.count != 0)
        fail_msg("'%s' should load, got %zu diagnostics (first: %s)", text, c->diags.count,
                 c->diags.count ? c->diags.items[0].message : "-");
    assert_int_equal(c->ndocs, 1);
    assert_non_null(c->docs[0].root);
    return c->docs[0].root;
}

/* Asserts that loading failed with exactly one diagnostic of id at line:col;
 * label names the case in failure messages. */
static void assert_one_diag_l(const yctx *c, sg_diag_id id, uint32_t line, uint32_t col, const char *label) {
    if (c->rc != -1) fail_msg("%s: the load should fail", label);
    if (c->diags.count != 1) {
        for (size_t i = 0; i < c->diags.count; i++)
            print_message("diag %zu: %s %u:%u %s\n", i, sg_diag_table[c->diags.items[i].id].id,
                          c->diags.items[i].loc.line, c->diags.items[i].loc.col, c->diags.items[i].message);
        fail_msg("%s: expected 1 diagnostic, got %zu", label, c->diags.count);
    }
    const sg_diag *d = &c->diags.items[0];
    if (d->id != id)
        fail_msg("%s: expected check %s, got %s (%s)", label, sg_diag_table[id].id, sg_diag_table[d->id].id,
                 d->message);
    assert_int_equal(d->severity, SG_SEV_ERROR);
    assert_string_equal(d->loc.file, "t.yml");
    if (d->loc.line != line || d->loc.col != col)
        fail_msg("%s: at %u:%u, want %u:%u (%s)", label, d->loc.line, d->loc.col, line, col, d->message);
}

#define assert_one_diag(c, id, line, col) assert_one_diag_l((c), (id), (line), (col), #id)

static void assert_str_eq(sg_str s, const char *want) {
    if (!sg_str_eq_cstr(s, want)) fail_msg("got '%.*s', want '%s'", SG_STR_ARG(s), want);
}

static void assert_pos(const sg_ynode *n, uint32_t line, uint32_t col) {
    assert_non_null(n);
    if (n->line != line || n->col != col)
        fail_msg("node '%.*s' at %u:%u, want %u:%u", SG_STR_ARG(n->str), n->line, n->col, line, col);
}

/* The value of the only key of a one-document, one-key file "v: <scalar>". */
static sg_ynode *scalar_of(yctx *c, const char *text) {
    sg_ynode *root = yload_ok(c, text);
    assert_int_equal(root->kind, SG_YN_MAP);
    assert_int_equal(root->count, 1);
    sg_ynode *v = root->pairs[0].value;
    assert_int_equal(v->kind, SG_YN_SCALAR);
    return v;
}

/* ------------------------------------------------------------------ */
/* Positions                                                            */

static void test_positions_block(void **state) {
    (void)state;
    yctx c;
    sg_ynode *root = yload_ok(&c,
                              "title: Suspicious cmd\n"              /* 1 */
                              "detection:\n"                         /* 2 */
                              "  sel:\n"                             /* 3 */
                              "    Image|endswith: '\\cmd.exe'\n"    /* 4 */
                              "    CommandLine:\n"                   /* 5 */
                              "      - 'a'\n"                        /* 6 */
                              "      -   b\n"                        /* 7 */
                              "  condition: sel\n");                 /* 8 */
    assert_int_equal(root->kind, SG_YN_MAP);
    assert_pos(root, 1, 1);
    assert_int_equal(root->count, 2);
    assert_pos(root->pairs[0].key, 1, 1);
    assert_str_eq(root->pairs[0].key->str, "title");
    assert_pos(root->pairs[0].value, 1, 8);
    assert_str_eq(root->pairs[0].value->str, "Suspicious cmd");

    sg_ynode *det = sg_ymap_get(root, "detection");
    assert_int_equal(det->kind, SG_YN_MAP);
    assert_pos(root->pairs[1].key, 2, 1);
    assert_pos(det, 3, 3); /* a block mapping starts at its first key */
    assert_int_equal(det->end_line, 9);

    sg_ynode *sel = sg_ymap_get(det, "sel");
    assert_pos(det->pairs[0].key, 3, 3);
    assert_pos(sel->pairs[0].key, 4, 5);
    assert_str_eq(sel->pairs[0].key->str, "Image|endswith");
    assert_pos(sel->pairs[0].value, 4, 21); /* the opening quote */
    assert_str_eq(sel->pairs[0].value->str, "\\cmd.exe");
    assert_int_equal(sel->pairs[0].value->style, SG_YS_SINGLE);

    sg_ynode *cl = sg_ymap_get(sel, "CommandLine");
    assert_int_equal(cl->kind, SG_YN_SEQ);
    assert_int_equal(cl->count, 2);
    assert_pos(cl, 6, 7);
    assert_pos(cl->items[0], 6, 9);
    assert_pos(cl->items[1], 7, 11);
    assert_str_eq(cl->items[1]->str, "b");

    sg_ypair *cond = sg_ymap_get_pair(det, "condition");
    assert_pos(cond->key, 8, 3);
    assert_pos(cond->value, 8, 14);
    assert_null(sg_ymap_get(det, "Condition")); /* exact, case-sensitive */
    yfree(&c);
}

static void test_positions_flow(void **state) {
    (void)state;
    yctx c;
    sg_ynode *root = yload_ok(&c, "logsource: {product: windows, service: security}\n"
                                  "tags: [a.b, 'c.d']\n");
    sg_ynode *ls = sg_ymap_get(root, "logsource");
    assert_pos(ls, 1, 12);
    assert_pos(ls->pairs[0].key, 1, 13);
    assert_pos(ls->pairs[0].value, 1, 22);
    assert_pos(ls->pairs[1].key, 1, 31);
    assert_pos(ls->pairs[1].value, 1, 40);
    sg_ynode *tags = sg_ymap_get(root, "tags");
    assert_pos(tags, 2, 7);
    assert_pos(tags->items[0], 2, 8);
    assert_pos(tags->items[1], 2, 13);
    yfree(&c);
}

/* Columns count characters, not bytes: é and ü are 2 bytes, 😀 4 bytes. */
static void test_positions_utf8(void **state) {
    (void)state;
    yctx c;
    sg_ynode *root = yload_ok(&c, "t\xc3\xa9tle: '\xc3\xbc\xc3\xbc' # c\n"
                                  "x: {\xf0\x9f\x98\x80: a, b: c}\n"
                                  "\xc3\xa9\xc3\xa9\xc3\xa9: [\xc3\xbc, \xc3\x9f]\n");
    assert_pos(root->pairs[0].key, 1, 1);
    assert_str_eq(root->pairs[0].key->str, "t\xc3\xa9tle");
    assert_pos(root->pairs[0].value, 1, 8);
    sg_ynode *x = root->pairs[1].value;
    assert_pos(x, 2, 4);
    assert_pos(x->pairs[0].key, 2, 5);
    assert_pos(x->pairs[0].value, 2, 8);
    assert_pos(x->pairs[1].key, 2, 11);
    assert_pos(x->pairs[1].value, 2, 14);
    sg_ynode *seq = root->pairs[2].value;
    assert_pos(seq, 3, 6);
    assert_pos(seq->items[0], 3, 7);
    assert_pos(seq->items[1], 3, 10);
    yfree(&c);
}

/* ------------------------------------------------------------------ */
/* Documents                                                            */

static void test_multi_document(void **state) {
    (void)state;
    yctx c;
    yload(&c, "# header comment\n"
              "---\n"
              "a: 1\n"
              "---\n"
              "---\n"
              "b: 2\n"
              "...\n"
              "---\n"
              "- x\n");
    assert_int_equal(c.rc, 0);
    assert_int_equal(c.diags.count, 0);
    assert_int_equal(c.ndocs, 4);
    assert_int_equal(c.docs[0].line, 2);
    assert_int_equal(c.docs[0].root->kind, SG_YN_MAP);
    assert_int_equal(sg_ymap_get(c.docs[0].root, "a")->ival, 1);
    assert_int_equal(c.docs[1].line, 4);
    assert_null(c.docs[1].root); /* an empty document */
    assert_int_equal(c.docs[2].line, 5);
    assert_int_equal(sg_ymap_get(c.docs[2].root, "b")->ival, 2);
    assert_int_equal(c.docs[3].line, 8);
    assert_int_equal(c.docs[3].root->kind, SG_YN_SEQ);
    assert_pos(c.docs[3].root->items[0], 9, 3);
    yfree(&c);

    /* implicit single document; empty and comment-only files have none */
    yload(&c, "\n\na: 1\n");
    assert_int_equal(c.rc, 0);
    assert_int_equal(c.ndocs, 1);
    assert_int_equal(c.docs[0].line, 3);
    yfree(&c);
    yload(&c, "");
    assert_int_equal(c.rc, 0);
    assert_int_equal(c.ndocs, 0);
    yfree(&c);
    yload(&c, "# nothing\n");
    assert_int_equal(c.rc, 0);
    assert_int_equal(c.ndocs, 0);
    yfree(&c);
}

static void test_document_limit(void **state) {
    (void)state;
    sg_yaml_limits lim = {.max_depth = 64, .max_nodes = 1000, .max_documents = 2};
    const char *text = "a: 1\n---\nb: 2\n---\nc: 3\n";
    yctx c;
    yload_lim(&c, text, strlen(text), &lim);
    assert_one_diag(&c, SG_D_LIMIT_DOCUMENTS, 4, 1);
    assert_int_equal(c.ndocs, 2); /* the documents before the error are kept */
    assert_non_null(sg_ymap_get(c.docs[1].root, "b"));
    yfree(&c);

    text = "a: 1\n---\nb: 2\n";
    yload_lim(&c, text, strlen(text), &lim);
    assert_int_equal(c.rc, 0);
    assert_int_equal(c.ndocs, 2);
    yfree(&c);
}

static void test_document_limit_default(void **state) {
    (void)state;
    /* 1001 empty-mapping documents: over the default of 1000. */
    sg_buf b;
    sg_buf_init(&b);
    for (int i = 0; i < 1001; i++) sg_buf_add_cstr(&b, "--- {}\n");
    yctx c;
    yload_lim(&c, b.data, b.len, NULL);
    assert_one_diag(&c, SG_D_LIMIT_DOCUMENTS, 1001, 1);
    assert_int_equal(c.ndocs, 1000);
    yfree(&c);
    sg_buf_free(&b);
}

/* ------------------------------------------------------------------ */
/* YAML 1.1 typing of plain scalars (PyYAML's resolvers)                */

typedef struct tcase {
    const char *text;
    sg_yscalar_type type;
    int64_t ival;   /* INT, and BOOL as 0/1 */
    double fval;    /* FLOAT */
} tcase;

static void check_cases(const tcase *cases, size_t n) {
    for (size_t i = 0; i < n; i++) {
        char doc[128];
        snprintf(doc, sizeof doc, "v: %s\n", cases[i].text);
        yctx c;
        sg_ynode *v = scalar_of(&c, doc);
        if (v->type != cases[i].type)
            fail_msg("'%s': type %d, want %d", cases[i].text, (int)v->type, (int)cases[i].type);
        switch (v->type) {
        case SG_YT_INT:
            if (v->ival != cases[i].ival || v->int_overflow)
                fail_msg("'%s': %lld, want %lld", cases[i].text, (long long)v->ival, (long long)cases[i].ival);
            assert_true(v->fval == (double)cases[i].ival);
            break;
        case SG_YT_BOOL:
            if (v->bval != (cases[i].ival != 0)) fail_msg("'%s': wrong boolean", cases[i].text);
            break;
        case SG_YT_FLOAT:
            if (isnan(cases[i].fval)) assert_true(isnan(v->fval));
            else if (v->fval != cases[i].fval) fail_msg("'%s': %g, want %g", cases[i].text, v->fval, cases[i].fval);
            break;
        default: break;
        }
        yfree(&c);
    }
}

static void test_type_bool(void **state) {
    (void)state;
    static const tcase cases[] = {
        {"yes", SG_YT_BOOL, 1, 0},   {"Yes", SG_YT_BOOL, 1, 0},   {"YES", SG_YT_BOOL, 1, 0},
        {"on", SG_YT_BOOL, 1, 0},    {"On", SG_YT_BOOL, 1, 0},    {"ON", SG_YT_BOOL, 1, 0},
        {"true", SG_YT_BOOL, 1, 0},  {"True", SG_YT_BOOL, 1, 0},  {"TRUE", SG_YT_BOOL, 1, 0},
        {"no", SG_YT_BOOL, 0, 0},    {"No", SG_YT_BOOL, 0, 0},    {"NO", SG_YT_BOOL, 0, 0},
        {"off", SG_YT_BOOL, 0, 0},   {"Off", SG_YT_BOOL, 0, 0},   {"OFF", SG_YT_BOOL, 0, 0},
        {"false", SG_YT_BOOL, 0, 0}, {"False", SG_YT_BOOL, 0, 0}, {"FALSE", SG_YT_BOOL, 0, 0},
        /* other case forms and the YAML 1.1 y/n are strings in PyYAML */
        {"yEs", SG_YT_STR, 0, 0},    {"oN", SG_YT_STR, 0, 0},     {"tRUE", SG_YT_STR, 0, 0},
        {"y", SG_YT_STR, 0, 0},      {"n", SG_YT_STR, 0, 0},      {"yes please", SG_YT_STR, 0, 0},
    };
    check_cases(cases, sizeof cases / sizeof *cases);
}

static void test_type_int(void **state) {
    (void)state;
    static const tcase cases[] = {
        {"0", SG_YT_INT, 0, 0},          {"4624", SG_YT_INT, 4624, 0},     {"-12", SG_YT_INT, -12, 0},
        {"+7", SG_YT_INT, 7, 0},         {"0x17", SG_YT_INT, 23, 0},       {"0xFf", SG_YT_INT, 255, 0},
        {"-0x10", SG_YT_INT, -16, 0},    {"010", SG_YT_INT, 8, 0},         {"-010", SG_YT_INT, -8, 0},
        {"0b101", SG_YT_INT, 5, 0},      {"1_000", SG_YT_INT, 1000, 0},    {"0x_1_0", SG_YT_INT, 16, 0},
        {"08", SG_YT_STR, 0, 0},         {"0o17", SG_YT_STR, 0, 0},        {"0x", SG_YT_STR, 0, 0},
        {"0b102", SG_YT_STR, 0, 0},      {"12abc", SG_YT_STR, 0, 0},       {"1 2", SG_YT_STR, 0, 0},
        {"+", SG_YT_STR, 0, 0},          {"0X17", SG_YT_STR, 0, 0},
    };
    check_cases(cases, sizeof cases / sizeof *cases);
}

static void test_type_float(void **state) {
    (void)state;
    static const tcase cases[] = {
        {"1.5", SG_YT_FLOAT, 0, 1.5},          {"-2.25", SG_YT_FLOAT, 0, -2.25},
        {"1.", SG_YT_FLOAT, 0, 1.0},           {".5", SG_YT_FLOAT, 0, 0.5},
        {"1.0e+5", SG_YT_FLOAT, 0, 100000.0},  {"2.5E-1", SG_YT_FLOAT, 0, 0.25},
        {"1_0.5", SG_YT_FLOAT, 0, 10.5},       {".inf", SG_YT_FLOAT, 0, INFINITY},
        {"-.Inf", SG_YT_FLOAT, 0, -INFINITY},  {"+.INF", SG_YT_FLOAT, 0, INFINITY},
        {".nan", SG_YT_FLOAT, 0, NAN},         {".NaN", SG_YT_FLOAT, 0, NAN},
        /* PyYAML needs a dot and a signed exponent */
        {"1e5", SG_YT_STR, 0, 0},              {"1.0e5", SG_YT_STR, 0, 0},
        {"1E+5", SG_YT_STR, 0, 0},             {".", SG_YT_STR, 0, 0},
        {"1.2.3", SG_YT_STR, 0, 0},            {"inf", SG_YT_STR, 0, 0},
        {"nan", SG_YT_STR, 0, 0},              {".nAn", SG_YT_STR, 0, 0},
        /* PyYAML's float forms without an integer part take no sign */
        {"-.5", SG_YT_STR, 0, 0},              {"+.5", SG_YT_STR, 0, 0},
        {"._5", SG_YT_STR, 0, 0},              {".5_5", SG_YT_FLOAT, 0, 0.55},
    };
    check_cases(cases, sizeof cases / sizeof *cases);
}

static void test_type_null(void **state) {
    (void)state;
    static const tcase cases[] = {
        {"~", SG_YT_NULL, 0, 0},    {"null", SG_YT_NULL, 0, 0}, {"Null", SG_YT_NULL, 0, 0},
        {"NULL", SG_YT_NULL, 0, 0}, {"", SG_YT_NULL, 0, 0},     {"nULL", SG_YT_STR, 0, 0},
        {"None", SG_YT_STR, 0, 0},  {"~~", SG_YT_STR, 0, 0},
    };
    check_cases(cases, sizeof cases / sizeof *cases);
}

static void test_type_date(void **state) {
    (void)state;
    static const tcase cases[] = {
        {"2024-01-02", SG_YT_DATE, 0, 0},
        {"2024-01-02T10:20:30Z", SG_YT_DATE, 0, 0},
        {"2024-1-2 3:04:05.5 +01:00", SG_YT_DATE, 0, 0},
        {"2024-01-02t10:20:30-5", SG_YT_DATE, 0, 0},
        /* PyYAML's timestamp needs two-digit month and day without a time */
        {"2024-1-2", SG_YT_STR, 0, 0},
        {"2024/01/02", SG_YT_STR, 0, 0},
        {"2024-01-02 report", SG_YT_STR, 0, 0},
        {"2024-01-02T10", SG_YT_STR, 0, 0},
        {"24-01-02", SG_YT_STR, 0, 0},
    };
    check_cases(cases, sizeof cases / sizeof *cases);
    yctx c;
    sg_ynode *v = scalar_of(&c, "date: 2024-01-02\n");
    assert_str_eq(v->str, "2024-01-02"); /* the text is kept */
    assert_string_equal(sg_ynode_kind_name(v), "date");
    assert_false(sg_ynode_is_str(v));
    yfree(&c);
}

/* Quoted and block scalars are always strings. */
static void test_type_quoted(void **state) {
    (void)state;
    static const struct {
        const char *text;
        const char *value;
        sg_yscalar_style style;
    } cases[] = {
        {"'1'", "1", SG_YS_SINGLE},       {"\"yes\"", "yes", SG_YS_DOUBLE}, {"'null'", "null", SG_YS_SINGLE},
        {"'0x17'", "0x17", SG_YS_SINGLE}, {"\"1.5\"", "1.5", SG_YS_DOUBLE}, {"''", "", SG_YS_SINGLE},
        {"'~'", "~", SG_YS_SINGLE},       {"'2024-01-02'", "2024-01-02", SG_YS_SINGLE},
        {"|\n  10\n", "10\n", SG_YS_LITERAL}, {">-\n  true\n", "true", SG_YS_FOLDED},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char doc[64];
        snprintf(doc, sizeof doc, "v: %s\n", cases[i].text);
        yctx c;
        sg_ynode *v = scalar_of(&c, doc);
        if (v->type != SG_YT_STR) fail_msg("%s: not a string", cases[i].text);
        assert_int_equal(v->style, cases[i].style);
        assert_str_eq(v->str, cases[i].value);
        assert_true(sg_ynode_is_str(v));
        yfree(&c);
    }
}

static void test_type_tags(void **state) {
    (void)state;
    yctx c;
    sg_ynode *v = scalar_of(&c, "v: !!str 123\n");
    assert_int_equal(v->type, SG_YT_STR);
    assert_str_eq(v->str, "123");
    yfree(&c);
    v = scalar_of(&c, "v: !!str yes\n");
    assert_int_equal(v->type, SG_YT_STR);
    yfree(&c);
    v = scalar_of(&c, "v: !!str\n"); /* empty, forced to a string */
    assert_int_equal(v->type, SG_YT_STR);
    assert_int_equal(v->str.len, 0);
    yfree(&c);
    v = scalar_of(&c, "v: !<tag:yaml.org,2002:str> 0x17\n");
    assert_int_equal(v->type, SG_YT_STR);
    yfree(&c);
    v = scalar_of(&c, "v: !!int '12'\n");
    assert_int_equal(v->type, SG_YT_INT);
    assert_int_equal(v->ival, 12);
    yfree(&c);
    v = scalar_of(&c, "v: !!float 3\n");
    assert_int_equal(v->type, SG_YT_FLOAT);
    assert_true(v->fval == 3.0);
    yfree(&c);
    v = scalar_of(&c, "v: !!bool \"on\"\n");
    assert_int_equal(v->type, SG_YT_BOOL);
    assert_true(v->bval);
    yfree(&c);
    v = scalar_of(&c, "v: !!null ''\n");
    assert_int_equal(v->type, SG_YT_NULL);
    yfree(&c);
    sg_ynode *root = yload_ok(&c, "a: !!map {k: v}\nb: !!seq [1]\n");
    assert_int_equal(sg_ymap_get(root, "a")->kind, SG_YN_MAP);
    assert_int_equal(sg_ymap_get(root, "b")->kind, SG_YN_SEQ);
    yfree(&c);
}

static void test_tag_errors(void **state) {
    (void)state;
    yctx c;
    yload(&c, "a: 1\nb: !foo x\n");
    assert_one_diag(&c, SG_D_YAML_TAG, 2, 4);
    assert_non_null(strstr(c.diags.items[0].message, "!foo"));
    yfree(&c);
    yload(&c, "b: !!binary aGk=\n");
    assert_one_diag(&c, SG_D_YAML_TAG, 1, 4);
    yfree(&c);
    yload(&c, "b: !!int abc\n");
    assert_one_diag(&c, SG_D_YAML_TAG, 1, 4);
    assert_non_null(strstr(c.diags.items[0].message, "!!int"));
    yfree(&c);
    yload(&c, "b: !!bool maybe\n");
    assert_one_diag(&c, SG_D_YAML_TAG, 1, 4);
    yfree(&c);
    yload(&c, "b: !!set {x}\n");
    assert_one_diag(&c, SG_D_YAML_TAG, 1, 4);
    yfree(&c);
    yload(&c, "b: !!map [1]\n");
    assert_one_diag(&c, SG_D_YAML_TAG, 1, 4);
    yfree(&c);
    yload(&c, "b:\n  - !local {x: 1}\n");
    assert_one_diag(&c, SG_D_YAML_TAG, 2, 5);
    yfree(&c);
    yload(&c, "%TAG !e! tag:example.com,2000:\n---\nb: !e!thing x\n");
    assert_one_diag(&c, SG_D_YAML_TAG, 3, 4);
    assert_non_null(strstr(c.diags.items[0].message, "tag:example.com,2000:thing"));
    yfree(&c);
}

/* ------------------------------------------------------------------ */
/* Integers that do not fit int64                                        */

static void test_int_overflow(void **state) {
    (void)state;
    static const struct {
        const char *text;
        bool overflow;
        int64_t value;
    } cases[] = {
        {"9223372036854775807", false, INT64_MAX},
        {"9223372036854775808", true, INT64_MAX},
        {"-9223372036854775808", false, INT64_MIN},
        {"-9223372036854775809", true, INT64_MIN},
        {"99999999999999999999999", true, INT64_MAX},
        {"0x7fffffffffffffff", false, INT64_MAX},
        {"0x8000000000000000", true, INT64_MAX},
        {"0x10000000000000000", true, INT64_MAX},
        {"0b1111111111111111111111111111111111111111111111111111111111111111", true, INT64_MAX},
        {"01777777777777777777777", true, INT64_MAX},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char doc[128];
        snprintf(doc, sizeof doc, "v: %s\n", cases[i].text);
        yctx c;
        sg_ynode *v = scalar_of(&c, doc);
        assert_int_equal(v->type, SG_YT_INT);
        if (v->int_overflow != cases[i].overflow) fail_msg("'%s': overflow flag wrong", cases[i].text);
        assert_true(v->ival == cases[i].value);
        assert_str_eq(v->str, cases[i].text); /* the text as written is kept */
        yfree(&c);
    }
}

/* ------------------------------------------------------------------ */
/* Duplicate keys                                                        */

static void test_duplicate_keys(void **state) {
    (void)state;
    yctx c;
    yload(&c, "title: a\n"
              "detection:\n"
              "  sel:\n"
              "    A: 1\n"
              "  condition: sel\n"
              "title: b\n");
    assert_one_diag(&c, SG_D_YAML_DUPLICATE_KEY, 6, 1);
    assert_non_null(strstr(c.diags.items[0].message, "'title'"));
    assert_non_null(strstr(c.diags.items[0].message, "line 1"));
    yfree(&c);

    /* inside a selection and inside the detection, both reported */
    yload(&c, "detection:\n"
              "  sel:\n"
              "    Image: a\n"
              "    User: x\n"
              "    Image: b\n"
              "  condition: sel\n"
              "  condition: not sel\n");
    assert_int_equal(c.rc, -1);
    assert_int_equal(c.diags.count, 2);
    sg_diags_sort(&c.diags);
    assert_int_equal(c.diags.items[0].id, SG_D_YAML_DUPLICATE_KEY);
    assert_int_equal(c.diags.items[0].loc.line, 5);
    assert_int_equal(c.diags.items[0].loc.col, 5);
    assert_non_null(strstr(c.diags.items[0].message, "line 3"));
    assert_int_equal(c.diags.items[1].loc.line, 7);
    assert_int_equal(c.diags.items[1].loc.col, 3);
    assert_non_null(strstr(c.diags.items[1].message, "line 6"));
    yfree(&c);

    /* three times: the second and third both name the first */
    yload(&c, "{k: 1, x: 0, k: 2, k: 3}\n");
    assert_int_equal(c.diags.count, 2);
    for (size_t i = 0; i < 2; i++) {
        assert_int_equal(c.diags.items[i].id, SG_D_YAML_DUPLICATE_KEY);
        assert_non_null(strstr(c.diags.items[i].message, "line 1"));
    }
    sg_diags_sort(&c.diags);
    assert_int_equal(c.diags.items[0].loc.col, 14);
    assert_int_equal(c.diags.items[1].loc.col, 20);
    yfree(&c);

    /* the same key in different maps, and keys differing in case, are fine */
    sg_ynode *root = yload_ok(&c, "a: {k: 1}\nb: {k: 2}\nK: 3\nk: 4\n");
    assert_int_equal(root->count, 4);
    yfree(&c);
}

/* Many distinct keys stay cheap (the check sorts instead of comparing pairs). */
static void test_many_keys(void **state) {
    (void)state;
    sg_buf b;
    sg_buf_init(&b);
    for (int i = 0; i < 20000; i++) sg_buf_printf(&b, "k%d: %d\n", i, i);
    sg_buf_add_cstr(&b, "k7: dup\n");
    yctx c;
    yload_lim(&c, b.data, b.len, NULL);
    assert_one_diag(&c, SG_D_YAML_DUPLICATE_KEY, 20001, 1);
    assert_non_null(strstr(c.diags.items[0].message, "line 8"));
    yfree(&c);
    sg_buf_free(&b);
}

/* ------------------------------------------------------------------ */
/* Anchors and aliases                                                   */

static void test_anchors_aliases(void **state) {
    (void)state;
    yctx c;
    yload(&c, "a: &x 1\nb: *x\n");
    assert_one_diag(&c, SG_D_YAML_ALIAS, 1, 4);
    assert_non_null(strstr(c.diags.items[0].message, "&x"));
    yfree(&c);
    yload(&c, "a: *undefined\n");
    assert_one_diag(&c, SG_D_YAML_ALIAS, 1, 4);
    assert_non_null(strstr(c.diags.items[0].message, "*undefined"));
    yfree(&c);
    yload(&c, "a: 1\nsel: &s\n  k: v\n");
    assert_one_diag(&c, SG_D_YAML_ALIAS, 2, 6);
    yfree(&c);
    yload(&c, "a:\n  - x\n  - &l [1, 2]\n");
    assert_one_diag(&c, SG_D_YAML_ALIAS, 3, 5);
    yfree(&c);
    /* the "billion laughs" shape: rejected at the first anchor */
    yload(&c, "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
              "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
              "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
              "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
              "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
              "f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
              "g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n"
              "h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]\n"
              "i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]\n");
    assert_one_diag(&c, SG_D_YAML_ALIAS, 1, 4);
    yfree(&c);
}

/* ------------------------------------------------------------------ */
/* Nesting depth                                                         */

static void test_depth_limit_small(void **state) {
    (void)state;
    sg_yaml_limits lim = {.max_depth = 3, .max_nodes = 1000, .max_documents = 10};
    yctx c;
    yload_lim(&c, "[[[1]]]", 7, &lim);
    assert_int_equal(c.rc, 0);
    assert_int_equal(c.diags.count, 0);
    yfree(&c);
    yload_lim(&c, "[[[[1]]]]", 9, &lim);
    assert_one_diag(&c, SG_D_LIMIT_YAML_DEPTH, 1, 4);
    assert_non_null(strstr(c.diags.items[0].message, "3 levels"));
    yfree(&c);
    const char *block = "a:\n  b:\n    c:\n      d: 1\n";
    yload_lim(&c, block, strlen(block), &lim);
    assert_one_diag(&c, SG_D_LIMIT_YAML_DEPTH, 4, 7);
    yfree(&c);
}

static void test_depth_flow_5000(void **state) {
    (void)state;
    enum { N = 5000 };
    char *s = malloc(2 * N + 2);
    memset(s, '[', N);
    memset(s + N, ']', N);
    s[2 * N] = '\n';
    yctx c;
    yload_lim(&c, s, 2 * N + 1, NULL);
    /* the 65th collection opens past the default depth of 64 */
    assert_one_diag(&c, SG_D_LIMIT_YAML_DEPTH, 1, 65);
    yfree(&c);
    /* never closed: still the depth error, not a syntax error */
    yload_lim(&c, s, N, NULL);
    assert_one_diag(&c, SG_D_LIMIT_YAML_DEPTH, 1, 65);
    yfree(&c);
    free(s);
}

static void test_depth_flow_100000(void **state) {
    (void)state;
    enum { N = 100000 };
    char *s = malloc(N);
    memset(s, '[', N);
    yctx c;
    yload_lim(&c, s, N, NULL);
    assert_one_diag(&c, SG_D_LIMIT_YAML_DEPTH, 1, 65);
    yfree(&c);
    /* same for flow mappings */
    for (size_t i = 0; i < N; i += 4) memcpy(s + i, "{a: ", 4);
    yload_lim(&c, s, N, NULL);
    assert_one_diag(&c, SG_D_LIMIT_YAML_DEPTH, 1, 4 * 64 + 1);
    yfree(&c);
    free(s);
}

static void test_depth_block_5000(void **state) {
    (void)state;
    enum { N = 5000 };
    sg_buf b;
    sg_buf_init(&b);
    for (int i = 0; i < N; i++) {
        for (int j = 0; j < i; j++) sg_buf_add_byte(&b, ' ');
        sg_buf_add_cstr(&b, i == N - 1 ? "k: v\n" : "k:\n");
    }
    yctx c;
    yload_lim(&c, b.data, b.len, NULL);
    /* level k (0-based) opens at line k+1, column k+1 */
    assert_one_diag(&c, SG_D_LIMIT_YAML_DEPTH, 65, 65);
    yfree(&c);
    /* block sequences too */
    sg_buf_reset(&b);
    for (int i = 0; i < N; i++) {
        for (int j = 0; j < 2 * i; j++) sg_buf_add_byte(&b, ' ');
        sg_buf_add_cstr(&b, i == N - 1 ? "- x\n" : "-\n");
    }
    yload_lim(&c, b.data, b.len, NULL);
    assert_one_diag(&c, SG_D_LIMIT_YAML_DEPTH, 65, 129);
    yfree(&c);
    sg_buf_free(&b);
}

/* ------------------------------------------------------------------ */
/* Node limit                                                            */

static void test_node_limit(void **state) {
    (void)state;
    sg_yaml_limits lim = {.max_depth = 64, .max_nodes = 4, .max_documents = 10};
    yctx c;
    yload_lim(&c, "[1, 2, 3]", 9, &lim);
    assert_int_equal(c.rc, 0);
    yfree(&c);
    yload_lim(&c, "[1, 2, 3, 4]", 12, &lim);
    assert_one_diag(&c, SG_D_LIMIT_YAML_NODES, 1, 11);
    assert_non_null(strstr(c.diags.items[0].message, "4 YAML nodes"));
    yfree(&c);
    /* the count is per file, across documents */
    const char *two = "--- [1]\n--- [2, 3]\n";
    yload_lim(&c, two, strlen(two), &lim);
    assert_one_diag(&c, SG_D_LIMIT_YAML_NODES, 2, 9);
    yfree(&c);
    /* collections count too: {a: {b: c}} is 5 nodes */
    yload_lim(&c, "{a: {b: c}}", 11, &lim);
    assert_one_diag(&c, SG_D_LIMIT_YAML_NODES, 1, 9);
    yfree(&c);
}

static void test_node_limit_default(void **state) {
    (void)state;
    /* a 200001-item list: 200002 nodes, over the default 200000 */
    sg_buf b;
    sg_buf_init(&b);
    for (int i = 0; i < 200001; i++) sg_buf_add_cstr(&b, "- 1\n");
    yctx c;
    yload_lim(&c, b.data, b.len, NULL);
    assert_one_diag(&c, SG_D_LIMIT_YAML_NODES, 200000, 3);
    yfree(&c);
    sg_buf_free(&b);
}

/* ------------------------------------------------------------------ */
/* Encoding                                                              */

static void test_invalid_utf8(void **state) {
    (void)state;
    static const struct {
        const char *data;
        uint32_t line, col;
    } cases[] = {
        {"a: x\nb: \xc0\x80\n", 2, 4},             /* overlong NUL */
        {"a: \xed\xa0\x80\n", 1, 4},               /* UTF-16 surrogate */
        {"a: \xf5\x80\x80\x80\n", 1, 4},           /* above U+10FFFF */
        {"a: 'x\xf5'\n", 1, 6},                    /* F5 lead byte */
        {"a: x\xf5", 1, 5},                        /* F5 at the very end */
        {"\xc3\xa9\xc3\xa9: \x80\n", 1, 5},        /* lone continuation byte after é é */
        {"a: \xe2\x82\n", 1, 5},                   /* truncated: at the byte that breaks it */
        {"a: \xf4\x90\x80\x80\n", 1, 4},           /* U+110000 */
        {"a: b\x01\n", 1, 5},                      /* a raw control character */
        {"x: 1\ny: 2\nz: \xff\n", 3, 4},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        yctx c;
        yload_lim(&c, cases[i].data, strlen(cases[i].data), NULL);
        char label[32];
        snprintf(label, sizeof label, "case %zu", i);
        assert_one_diag_l(&c, SG_D_YAML_ENCODING, cases[i].line, cases[i].col, label);
        yfree(&c);
    }
}

static void test_nul_in_double_quoted(void **state) {
    (void)state;
    yctx c;
    sg_ynode *v = scalar_of(&c, "v: \"a\\0b\"\n");
    assert_int_equal(v->type, SG_YT_STR);
    assert_int_equal(v->str.len, 3);
    assert_memory_equal(v->str.ptr, "a\0b", 3);
    yfree(&c);
    v = scalar_of(&c, "v: \"\\x07\\u202e\\t\"\n");
    assert_int_equal(v->str.len, 5);
    assert_memory_equal(v->str.ptr, "\x07\xe2\x80\xae\t", 5);
    yfree(&c);
    /* no escapes in single quotes */
    v = scalar_of(&c, "v: 'a\\0b'\n");
    assert_int_equal(v->str.len, 4);
    assert_memory_equal(v->str.ptr, "a\\0b", 4);
    yfree(&c);
    /* a raw NUL byte in the file is not allowed */
    yload_lim(&c, "v: a\0b\n", 7, NULL);
    assert_one_diag(&c, SG_D_YAML_ENCODING, 1, 5);
    yfree(&c);
}

/* ------------------------------------------------------------------ */
/* Keys, syntax errors, helpers                                          */

static void test_key_type(void **state) {
    (void)state;
    yctx c;
    yload(&c, "a: 1\n? [x, y]\n: c\n");
    assert_one_diag(&c, SG_D_YAML_KEY_TYPE, 2, 3);
    assert_non_null(strstr(c.diags.items[0].message, "sequence"));
    yfree(&c);
    yload(&c, "{[a]: b}\n");
    assert_one_diag(&c, SG_D_YAML_KEY_TYPE, 1, 2);
    yfree(&c);
    yload(&c, "sel:\n  ? {k: v}\n  : x\n");
    assert_one_diag(&c, SG_D_YAML_KEY_TYPE, 2, 5);
    assert_non_null(strstr(c.diags.items[0].message, "mapping"));
    yfree(&c);
    /* scalar keys of any type are kept as their text */
    sg_ynode *root = yload_ok(&c, "1: a\ntrue: b\n~: c\n'q': d\n");
    assert_int_equal(root->count, 4);
    assert_str_eq(root->pairs[0].key->str, "1");
    assert_int_equal(root->pairs[0].key->type, SG_YT_INT);
    assert_str_eq(root->pairs[1].key->str, "true");
    assert_str_eq(root->pairs[2].key->str, "~");
    assert_non_null(sg_ymap_get(root, "q"));
    yfree(&c);
}

static void test_syntax_error(void **state) {
    (void)state;
    yctx c;
    yload(&c, "a: 1\nb: [1, 2\n");
    assert_int_equal(c.rc, -1);
    assert_int_equal(c.diags.count, 1);
    assert_int_equal(c.diags.items[0].id, SG_D_YAML_SYNTAX);
    assert_true(c.diags.items[0].loc.line >= 2);
    yfree(&c);
    yload(&c, "a: 1\n b: 2\n");
    assert_int_equal(c.rc, -1);
    assert_int_equal(c.diags.count, 1);
    assert_int_equal(c.diags.items[0].id, SG_D_YAML_SYNTAX);
    assert_int_equal(c.diags.items[0].loc.line, 2);
    yfree(&c);
    /* a tab where indentation is expected */
    yload(&c, "a:\n\t- b\n");
    assert_int_equal(c.rc, -1);
    assert_int_equal(c.diags.items[0].id, SG_D_YAML_SYNTAX);
    assert_int_equal(c.diags.items[0].loc.line, 2);
    yfree(&c);
}

static void test_helpers(void **state) {
    (void)state;
    yctx c;
    sg_ynode *root = yload_ok(&c, "s: x\ni: 1\nf: 1.5\nb: no\nn: ~\nm: {}\nl: []\n");
    static const char *const want[][2] = {{"s", "string"}, {"i", "number"}, {"f", "number"}, {"b", "boolean"},
                                          {"n", "null"},   {"m", "mapping"}, {"l", "list"}};
    for (size_t i = 0; i < sizeof want / sizeof *want; i++)
        assert_string_equal(sg_ynode_kind_name(sg_ymap_get(root, want[i][0])), want[i][1]);
    assert_string_equal(sg_ynode_kind_name(NULL), "nothing");
    assert_int_equal(sg_ymap_get(root, "m")->count, 0);
    assert_int_equal(sg_ymap_get(root, "l")->count, 0);
    assert_null(sg_ymap_get(root, "missing"));
    assert_null(sg_ymap_get(sg_ymap_get(root, "l"), "x")); /* not a map */
    assert_null(sg_ymap_get(NULL, "x"));
    sg_loc loc = sg_ynode_loc("f", sg_ymap_get(root, "f"));
    assert_int_equal(loc.line, 3);
    assert_int_equal(loc.col, 4);
    loc = sg_ynode_loc("f", NULL);
    assert_int_equal(loc.line, 0);
    assert_int_equal(loc.col, 0);
    yfree(&c);
}

/* Errors stop the load but keep what was loaded; nothing leaks (ASan). */
static void test_error_keeps_earlier_documents(void **state) {
    (void)state;
    yctx c;
    yload(&c, "a: 1\n---\nb: [1, {c: &x 2}]\n---\nd: 3\n");
    assert_one_diag(&c, SG_D_YAML_ALIAS, 3, 12);
    assert_int_equal(c.ndocs, 2);
    assert_non_null(sg_ymap_get(c.docs[0].root, "a"));
    yfree(&c);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_positions_block),
        cmocka_unit_test(test_positions_flow),
        cmocka_unit_test(test_positions_utf8),
        cmocka_unit_test(test_multi_document),
        cmocka_unit_test(test_document_limit),
        cmocka_unit_test(test_document_limit_default),
        cmocka_unit_test(test_type_bool),
        cmocka_unit_test(test_type_int),
        cmocka_unit_test(test_type_float),
        cmocka_unit_test(test_type_null),
        cmocka_unit_test(test_type_date),
        cmocka_unit_test(test_type_quoted),
        cmocka_unit_test(test_type_tags),
        cmocka_unit_test(test_tag_errors),
        cmocka_unit_test(test_int_overflow),
        cmocka_unit_test(test_duplicate_keys),
        cmocka_unit_test(test_many_keys),
        cmocka_unit_test(test_anchors_aliases),
        cmocka_unit_test(test_depth_limit_small),
        cmocka_unit_test(test_depth_flow_5000),
        cmocka_unit_test(test_depth_flow_100000),
        cmocka_unit_test(test_depth_block_5000),
        cmocka_unit_test(test_node_limit),
        cmocka_unit_test(test_node_limit_default),
        cmocka_unit_test(test_invalid_utf8),
        cmocka_unit_test(test_nul_in_double_quoted),
        cmocka_unit_test(test_key_type),
        cmocka_unit_test(test_syntax_error),
        cmocka_unit_test(test_helpers),
        cmocka_unit_test(test_error_keeps_earlier_documents),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
