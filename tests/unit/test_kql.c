/* test_kql.c - the KQL backend (backends/kql.c).
 *
 * Each test compiles YAML text the way the CLI does (sg_ruleset_add_file,
 * then sg_ruleset_resolve), sets the pipeline's table and time column on
 * the IR by hand, calls sg_backend_kql.emit_rule and compares the query
 * text exactly.  Unsupported constructs are asserted by check id and the
 * exact line:column of the IR node, with an empty output and -1.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "rule.h"

extern const sg_backend sg_backend_kql;

/* ------------------------------------------------------------------ */
/* Helpers                                                              */

/* Every detection body starts at line 4. */
#define HDR "title: t\nlogsource: {product: windows}\ndetection:\n"

typedef struct kctx {
    sg_diags diags;
    sg_ruleset rs;
    int add_rc, resolve_rc;
    size_t front_diags; /* diagnostics from the front end */
    sg_buf out;
    int rc;
} kctx;

static void kfree(kctx *c) {
    sg_ruleset_free(&c->rs);
    sg_diags_free(&c->diags);
    sg_buf_free(&c->out);
}

static void print_diags(const kctx *c, size_t from) {
    for (size_t i = from; i < c->diags.count; i++) {
        const sg_diag *d = &c->diags.items[i];
        print_message("  %s:%u:%u: %s[%s]: %s\n", d->loc.file, d->loc.line, d->loc.col, sg_severity_name(d->severity),
                      sg_diag_table[d->id].id, d->message);
    }
}

/* Compiles one file; the front end must report no error. */
static void kcompile(kctx *c, const char *yaml) {
    memset(c, 0, sizeof *c);
    sg_diags_init(&c->diags);
    sg_ruleset_init(&c->rs, NULL, &c->diags);
    sg_buf_init(&c->out);
    c->add_rc = sg_ruleset_add_file(&c->rs, "r.yml", yaml, strlen(yaml));
    c->resolve_rc = sg_ruleset_resolve(&c->rs);
    c->front_diags = c->diags.count;
    if (c->add_rc || c->resolve_rc || c->diags.by_severity[SG_SEV_ERROR]) {
        print_diags(c, 0);
        fail_msg("the front end reported errors");
    }
}

static sg_ir_rule *kir(kctx *c, size_t i) {
    if (i >= c->rs.n_rules) fail_msg("rule %zu of %zu", i, c->rs.n_rules);
    return c->rs.rules[i]->ir;
}

/* Sets the pipeline fields of every rule (table and time column). */
static void kset(kctx *c, const char *table, const char *ts) {
    for (size_t i = 0; i < c->rs.n_rules; i++) {
        c->rs.rules[i]->ir->table = sg_str_from_cstr(table ? table : "");
        c->rs.rules[i]->ir->timestamp = sg_str_from_cstr(ts ? ts : "");
    }
}

/* Emits rule i into c->out (NUL-terminated); returns the output text. */
static const char *kemit(kctx *c, size_t i) {
    sg_buf_reset(&c->out);
    c->rc = sg_backend_kql.emit_rule(&c->diags, kir(c, i), &c->out);
    sg_buf_add_byte(&c->out, '\0');
    c->out.len--;
    return c->out.data;
}

static void assert_text(const char *got, const char *want) {
    if (strcmp(got, want) != 0) fail_msg("got:\n%s\nwant:\n%s", got, want);
}

/* Emits rule i and compares, expecting success and no new diagnostic. */
static void assert_rule(kctx *c, size_t i, const char *want) {
    size_t before = c->diags.count;
    const char *got = kemit(c, i);
    if (c->rc != 0 || c->diags.count != before) {
        print_diags(c, before);
        fail_msg("emit failed (rc %d) for:\n%s", c->rc, want);
    }
    assert_text(got, want);
}

/* Compiles HDR + body, sets table (may be NULL), emits rule 0 and compares. */
static void expect(const char *body, const char *table, const char *want) {
    kctx c;
    sg_buf b;
    sg_buf_init(&b);
    sg_buf_add_cstr(&b, HDR);
    sg_buf_add_cstr(&b, body);
    sg_buf_add_byte(&b, '\0');
    kcompile(&c, b.data);
    sg_buf_free(&b);
    kset(&c, table, NULL);
    assert_rule(&c, 0, want);
    kfree(&c);
}

/* One item "A<key_mods>: <value>" on line 5 (the value at column 5 +
 * strlen("A<key_mods>: ")), emitted without a table. */
static void expect_item(const char *key_mods, const char *value, const char *want) {
    char body[4096];
    snprintf(body, sizeof body, "  sel:\n    A%s: %s\n  condition: sel\n", key_mods, value);
    expect(body, NULL, want);
}

/* Emits rule i expecting failure: exactly one new diagnostic, of id at
 * line:col, whose message contains substr; the output stays empty. */
static void assert_fails(kctx *c, size_t i, sg_diag_id id, uint32_t line, uint32_t col, const char *substr) {
    size_t before = c->diags.count;
    const char *got = kemit(c, i);
    if (c->rc != -1 || c->diags.count != before + 1) {
        print_diags(c, before);
        fail_msg("expected one %s diagnostic and rc -1, got rc %d and %zu diagnostics; output:\n%s",
                 sg_diag_table[id].id, c->rc, c->diags.count - before, got);
    }
    const sg_diag *d = &c->diags.items[before];
    if (d->id != id || d->loc.line != line || d->loc.col != col || !strstr(d->message, substr)) {
        print_diags(c, before);
        fail_msg("want %s at %u:%u containing '%s'", sg_diag_table[id].id, line, col, substr);
    }
    assert_int_equal(d->severity, SG_SEV_ERROR);
    assert_string_equal(d->loc.file, "r.yml");
    assert_int_equal(c->out.len, 0);
}

static void expect_item_fails(const char *key_mods, const char *value, const char *substr) {
    char body[4096];
    snprintf(body, sizeof body, HDR "  sel:\n    A%s: %s\n  condition: sel\n", key_mods, value);
    kctx c;
    kcompile(&c, body);
    assert_fails(&c, 0, SG_D_UNSUPPORTED, 5, (uint32_t)(5 + strlen("A") + strlen(key_mods) + 2), substr);
    kfree(&c);
}

/* ------------------------------------------------------------------ */
/* The backend record and the registry                                  */

static void test_registry(void **state) {
    (void)state;
    assert_ptr_equal(sg_backend_find("kql"), &sg_backend_kql);
    assert_string_equal(sg_backend_kql.name, "kql");
    assert_string_equal(sg_backend_kql.file_ext, ".kql");
    assert_non_null(strstr(sg_backend_kql.description, "KQL"));
}

/* ------------------------------------------------------------------ */
/* Output shape                                                         */

static void test_table_and_predicate_only(void **state) {
    (void)state;
    expect("  sel:\n    A: x\n  condition: sel\n", "SecurityEvent", "SecurityEvent\n| where A =~ \"x\"");
    expect("  sel:\n    A: x\n  condition: sel\n", NULL, "A =~ \"x\"");
    /* a table name that is not an identifier is bracketed */
    expect("  sel:\n    A: x\n  condition: sel\n", "My-Table", "['My-Table']\n| where A =~ \"x\"");

    /* constant expressions */
    kctx c;
    kcompile(&c, HDR "  sel:\n    A: x\n  condition: sel\n");
    kset(&c, "T", NULL);
    sg_ir_expr f = {.kind = SG_IR_FALSE}, t = {.kind = SG_IR_TRUE};
    kir(&c, 0)->expr = &f;
    assert_rule(&c, 0, "T\n| where false");
    kir(&c, 0)->expr = &t;
    assert_rule(&c, 0, "T");
    kset(&c, NULL, NULL);
    assert_rule(&c, 0, "true");
    kfree(&c);
}

/* ------------------------------------------------------------------ */
/* Predicates                                                           */

static void test_string_operators(void **state) {
    (void)state;
    expect_item("", "x", "A =~ \"x\"");
    expect_item("", "''", "A =~ \"\"");
    expect_item("|cased", "x", "A == \"x\"");
    expect_item("|contains", "x", "A contains \"x\"");
    expect_item("|contains|cased", "x", "A contains_cs \"x\"");
    expect_item("|startswith", "x", "A startswith \"x\"");
    expect_item("|startswith|cased", "x", "A startswith_cs \"x\"");
    expect_item("|endswith", "'\\cmd.exe'", "A endswith \"\\\\cmd.exe\"");
    expect_item("|endswith|cased", "x", "A endswith_cs \"x\"");
    /* wildcards at the ends choose the operator */
    expect_item("", "'*x*'", "A contains \"x\"");
    expect_item("", "'x*'", "A startswith \"x\"");
    expect_item("", "'*x'", "A endswith \"x\"");
    /* an escaped wildcard is a literal star: plain equality */
    expect_item("", "'a\\*b'", "A =~ \"a*b\"");
    expect_item("|contains", "'a\\?b'", "A contains \"a?b\"");
    /* a number under a string modifier is text */
    expect_item("|contains", "4624", "A contains \"4624\"");
}

static void test_glob(void **state) {
    (void)state;
    /* whole-value match, (?s) so `*` spans line breaks, (?i) unless cased */
    expect_item("", "'foo*bar?'", "A matches regex \"(?is)^foo.*bar.$\"");
    expect_item("|cased", "'foo*bar'", "A matches regex \"(?s)^foo.*bar$\"");
    expect_item("|contains", "'a?b'", "A matches regex \"(?is)^.*a.b.*$\"");
    /* literal parts are regex-escaped (and then string-escaped) */
    expect_item("", "'C:\\Win*\\x.exe'", "A matches regex \"(?is)^C:\\\\\\\\Win.*\\\\\\\\x\\\\.exe$\"");
    expect_item("", "'(a)*[b]{1}|^$+.'", "A matches regex \"(?is)^\\\\(a\\\\).*\\\\[b\\\\]\\\\{1\\\\}\\\\|\\\\^\\\\$\\\\+\\\\.$\"");
    /* `<` and `>` stay unescaped (\< is a word boundary in KQL's regex) */
    expect_item("", "'<a*>'", "A matches regex \"(?is)^<a.*>$\"");
    /* an escaped star next to a wildcard stays literal */
    expect_item("", "'a\\**'", "A startswith \"a*\"");
    expect_item("", "'a\\*b*c'", "A matches regex \"(?is)^a\\\\*b.*c$\"");
}

static void test_numbers_and_booleans(void **state) {
    (void)state;
    expect_item("", "4688", "A == 4688");
    expect_item("", "-5", "A == -5");
    expect_item("", "0x10", "A == 16");
    expect_item("", "1.5", "A == 1.5");
    expect_item("", "100.0", "A == 100.0");
    expect_item("", "0.1", "A == 0.1");
    expect_item("", "1.0e+20", "A == 1e+20");
    expect_item("", "123456789012345.0", "A == 123456789012345.0");
    expect_item("", "1.5e-7", "A == 1.5e-07");
    expect_item("", ".inf", "A == real(+inf)");
    expect_item("", "-.inf", "A == real(-inf)");
    expect_item("", ".nan", "A == real(nan)");
    expect_item("|lt", "5", "A < 5");
    expect_item("|lte", "5", "A <= 5");
    expect_item("|gt", "2.5", "A > 2.5");
    expect_item("|gte", "-1", "A >= -1");
    expect_item("", "true", "A == true");
    expect_item("", "no", "A == false");
    /* a quoted number is a string */
    expect_item("", "'4688'", "A =~ \"4688\"");
}

static void test_null_and_exists(void **state) {
    (void)state;
    expect_item("", "null", "isempty(A)");
    expect_item("", "[]", "isempty(A)");
    expect_item("|exists", "true", "isnotempty(A)");
    expect_item("|exists", "false", "not(isnotempty(A))");
    expect_item("|neq", "null", "not(isempty(A))");
}

static void test_cidr(void **state) {
    (void)state;
    expect_item("|cidr", "10.0.0.0/8", "ipv4_is_in_range(A, \"10.0.0.0/8\")");
    expect_item("|cidr", "192.168.1.1", "ipv4_is_in_range(A, \"192.168.1.1/32\")");
    expect_item("|cidr", "'fe80::/10'", "ipv6_is_in_range(A, \"fe80::/10\")");
    expect_item("|cidr", "[10.0.0.0/8, '2001:db8::/32']",
                "ipv4_is_in_range(A, \"10.0.0.0/8\") or ipv6_is_in_range(A, \"2001:db8::/32\")");
}

static void test_fieldref(void **state) {
    (void)state;
    expect_item("|fieldref", "B", "A =~ B");
    expect_item("|fieldref|cased", "B", "A == B");
    expect_item("|fieldref|contains", "B", "A contains B");
    expect_item("|fieldref|startswith", "B", "A startswith B");
    expect_item("|fieldref|endswith|cased", "B", "A endswith_cs B");
    expect_item("|fieldref", "c-uri", "A =~ ['c-uri']");
}

static void test_timeparts(void **state) {
    (void)state;
    expect_item("|minute", "30", "datetime_part(\"minute\", A) == 30");
    expect_item("|hour|lt", "6", "datetime_part(\"hour\", A) < 6");
    expect_item("|day|gte", "15", "datetime_part(\"day\", A) >= 15");
    expect_item("|week", "3", "week_of_year(A) == 3");
    expect_item("|month|lte", "6", "datetime_part(\"month\", A) <= 6");
    expect_item("|year|gt", "2020", "datetime_part(\"year\", A) > 2020");
}

static void test_keywords(void **state) {
    (void)state;
    /* full-text search: the documented `where` form of `search "*v*"` */
    expect("  kw:\n    - evil\n  condition: kw\n", NULL, "* contains \"evil\"");
    expect("  kw:\n    - evil\n    - 'bad thing'\n  condition: kw\n", "T",
           "T\n| where * contains \"evil\" or * contains \"bad thing\"");
    /* inner wildcards: the documented `* matches regex` */
    expect("  kw:\n    - 'ba*d'\n  condition: kw\n", NULL, "* matches regex \"(?is)^.*ba.*d.*$\"");
    expect("  kw:\n    - 'a?c'\n  condition: kw\n", NULL, "* matches regex \"(?is)^.*a.c.*$\"");
    /* a number keyword is searched as text */
    expect("  kw:\n    - 4624\n  condition: kw\n", NULL, "* contains \"4624\"");
    /* keywords and fields together */
    expect("  kw:\n    - evil\n  sel:\n    A: x\n  condition: kw and sel\n", NULL, "* contains \"evil\" and A =~ \"x\"");

    /* a cased keyword (not writable in YAML, set on the IR): regex, which is case-sensitive */
    kctx c;
    kcompile(&c, HDR "  kw:\n    - 'a.b'\n  condition: kw\n");
    kir(&c, 0)->expr->pred->cased = true;
    assert_rule(&c, 0, "* matches regex \"(?s)^.*a\\\\.b.*$\"");
    /* a keyword predicate with no pattern builds one from its text */
    sg_ir_pred *p = kir(&c, 0)->expr->pred;
    p->pattern = (sg_sstring){NULL, 0};
    p->op = SG_OP_STARTSWITH;
    assert_rule(&c, 0, "* matches regex \"(?s)^a\\\\.b.*$\"");
    /* a keyword with a non-string operator cannot be said */
    p->op = SG_OP_CIDR;
    p->vtype = SG_VT_NONE;
    assert_fails(&c, 0, SG_D_UNSUPPORTED, 5, 7, "keyword search with 'cidr'");
    kfree(&c);
}

static void test_placeholder(void **state) {
    (void)state;
    expect_item_fails("|expand", "'%admins%'", "placeholder %admins% needs a pipeline value");
    expect_item_fails("|expand", "'C:\\%x% %dir%'", "placeholder %dir% needs a pipeline value");
}

/* ------------------------------------------------------------------ */
/* Boolean structure                                                    */

static void test_and_or_not(void **state) {
    (void)state;
    expect("  sel:\n    A: x\n    B: y\n  condition: sel\n", NULL, "A =~ \"x\" and B =~ \"y\"");
    /* every OR inside an AND is parenthesised, and every AND inside an OR */
    expect("  sel:\n    A: x\n  b:\n    B: y\n  c:\n    C: z\n  condition: sel and (b or c)\n", NULL,
           "A =~ \"x\" and (B =~ \"y\" or C =~ \"z\")");
    expect("  sel:\n    A: x\n  b:\n    B: y\n  c:\n    C: z\n  condition: sel or (b and c)\n", NULL,
           "A =~ \"x\" or (B =~ \"y\" and C =~ \"z\")");
    /* not() holds a group without doubled parentheses */
    expect("  sel:\n    A: x\n  f:\n    B: y\n    C: z\n  condition: sel and not f\n", NULL,
           "A =~ \"x\" and not(B =~ \"y\" and C =~ \"z\")");
    expect("  sel:\n    A: x\n  b:\n    B: y\n  c:\n    C: z\n  condition: not (sel and not b) or (c and b)\n", NULL,
           "not(A =~ \"x\" and not(B =~ \"y\")) or (C =~ \"z\" and B =~ \"y\")");
    /* list of maps: OR of ANDs */
    expect("  sel:\n    - A: x\n      B: y\n    - C: z\n  condition: sel\n", NULL,
           "(A =~ \"x\" and B =~ \"y\") or C =~ \"z\"");
    /* |all: AND of contains */
    expect_item("|contains|all", "[a, b]", "A contains \"a\" and A contains \"b\"");
}

static void test_in_lists(void **state) {
    (void)state;
    expect_item("", "[a, b, c]", "A in~ (\"a\", \"b\", \"c\")");
    expect_item("|cased", "[a, b]", "A in (\"a\", \"b\")");
    expect_item("", "[4624, 4625, 1.5]", "A in (4624, 4625, 1.5)");
    /* only equality folds; the list takes the place of its first member */
    expect_item("", "[a, 'b*', c]", "A in~ (\"a\", \"c\") or A startswith \"b\"");
    /* strings and numbers, cased and not, stay in separate lists */
    expect_item("", "[a, 1, b, 2, '3']", "A in~ (\"a\", \"b\", \"3\") or A in (1, 2)");
    /* a single equality is not a list */
    expect_item("", "[a, 'b*']", "A =~ \"a\" or A startswith \"b\"");
    /* a folded OR is one term: no parentheses inside an AND */
    expect("  sel:\n    A: [a, b]\n    B: x\n  condition: sel\n", NULL, "A in~ (\"a\", \"b\") and B =~ \"x\"");
    /* lists from different fields */
    expect("  sel:\n    - A: a\n    - B: b\n    - A: c\n    - B: d\n  condition: sel\n", NULL,
           "A in~ (\"a\", \"c\") or B in~ (\"b\", \"d\")");
    /* the same field in separate selections also folds */
    expect("  a:\n    A: x\n  b:\n    A: y\n  condition: a or b\n", NULL, "A in~ (\"x\", \"y\")");
}

/* A long OR is split into parenthesised groups of 64 so Kusto's parser
 * does not refuse the depth. */
static void test_long_chains(void **state) {
    (void)state;
    sg_buf body, want;
    sg_buf_init(&body);
    sg_buf_init(&want);
    sg_buf_add_cstr(&body, "  sel:\n    A|contains:\n");
    for (int i = 0; i < 130; i++) sg_buf_printf(&body, "      - v%d\n", i);
    sg_buf_add_cstr(&body, "  condition: sel\n");
    sg_buf_add_byte(&body, '\0');
    for (int i = 0; i < 130; i++) {
        if (i) sg_buf_add_cstr(&want, " or ");
        if (i == 0 || i == 64 || i == 128) sg_buf_add_byte(&want, '(');
        sg_buf_printf(&want, "A contains \"v%d\"", i);
        if (i == 63 || i == 127 || i == 129) sg_buf_add_byte(&want, ')');
    }
    sg_buf_add_byte(&want, '\0');
    expect(body.data, NULL, want.data);
    sg_buf_free(&body);
    sg_buf_free(&want);

    /* 64 terms stay flat */
    sg_buf_init(&body);
    sg_buf_init(&want);
    sg_buf_add_cstr(&body, "  sel:\n    A|endswith:\n");
    for (int i = 0; i < 64; i++) {
        sg_buf_printf(&body, "      - v%d\n", i);
        sg_buf_printf(&want, "%sA endswith \"v%d\"", i ? " or " : "", i);
    }
    sg_buf_add_cstr(&body, "  condition: sel\n");
    sg_buf_add_byte(&body, '\0');
    sg_buf_add_byte(&want, '\0');
    expect(body.data, NULL, want.data);
    sg_buf_free(&body);
    sg_buf_free(&want);
}

/* ------------------------------------------------------------------ */
/* Names and strings                                                    */

static void test_field_names(void **state) {
    (void)state;
    expect("  sel:\n    _a1: x\n  condition: sel\n", NULL, "_a1 =~ \"x\"");
    expect("  sel:\n    c-uri: x\n  condition: sel\n", NULL, "['c-uri'] =~ \"x\"");
    expect("  sel:\n    a.b: x\n  condition: sel\n", NULL, "['a.b'] =~ \"x\"");
    expect("  sel:\n    1abc: x\n  condition: sel\n", NULL, "['1abc'] =~ \"x\"");
    expect("  sel:\n    'a b': x\n  condition: sel\n", NULL, "['a b'] =~ \"x\"");
    expect("  sel:\n    \"it's\\\\x\": x\n  condition: sel\n", NULL, "['it\\'s\\\\x'] =~ \"x\"");
    expect("  sel:\n    \"\\u00dcml\\u202eaut\": x\n  condition: sel\n", NULL, "['\xc3\x9cml\\u202Eaut'] =~ \"x\"");
    /* keywords and literals of KQL */
    expect("  sel:\n    where: x\n    'true': y\n    contains: z\n    Where: w\n  condition: sel\n", NULL,
           "['where'] =~ \"x\" and ['true'] =~ \"y\" and ['contains'] =~ \"z\" and Where =~ \"w\"");
}

static void test_hostile_strings(void **state) {
    (void)state;
    /* one string literal: quotes, backslashes, comment markers, line breaks,
     * tab, NUL, DEL, a bidi override and a line separator are all escaped */
    expect_item("", "\"q\\\"b\\\\c\\\\*/ // x\\r\\ny\\u202Ez\\0e\\x7f\\u2028\\tend\"",
                "A =~ \"q\\\"b\\\\c*/ // x\\r\\ny\\u202Ez\\u0000e\\u007F\\u2028\\tend\"");
    expect_item("", "\"it's\"", "A =~ \"it's\"");
    /* printable non-ASCII stays as it is */
    expect_item("", "\"\\u00e9\\u4e2d\"", "A =~ \"\xc3\xa9\xe4\xb8\xad\"");
    /* in a regex the controls become \x{...} first */
    expect_item("", "\"a*\\r\\n\\0\\u202e\"", "A matches regex \"(?is)^a.*\\\\x{D}\\\\x{A}\\\\x{0}\\\\x{202E}$\"");
    /* |wide of ASCII is text with NULs; of anything else, bytes that are not UTF-8 */
    expect_item("|wide", "ab", "A =~ \"a\\u0000b\\u0000\"");
    expect_item_fails("|wide", "\"\\u00e9\"", "not valid UTF-8");
    expect_item_fails("|wide|contains", "'a\xc3\xa9*b'", "not valid UTF-8");
    expect_item("|wide|base64offset|contains", "ab",
                "A contains \"YQBiA\" or A contains \"EAYg\" or A contains \"hAGIA\"");
}

static void test_comment(void **state) {
    (void)state;
    sg_buf b;
    sg_buf_init(&b);
    sg_backend_kql.emit_comment(&b, SG_STR_LIT("title: Whoami"));
    sg_buf_add_byte(&b, '\0');
    assert_string_equal(b.data, "// title: Whoami\n");
    sg_buf_reset(&b);
    /* line breaks and controls become spaces; bidi and separators are shown escaped */
    static const char hostile[] = "a\r\nb\tc\0d*/e\xe2\x80\xae" "f\xe2\x80\xa8g\xe2\x81\xa6h\x7f\xc2\x85i\xff\xc3\xa9";
    sg_backend_kql.emit_comment(&b, (sg_str){hostile, sizeof hostile - 1});
    sg_buf_add_byte(&b, '\0');
    assert_string_equal(b.data, "// a  b c d*/e\\u202Ef\\u2028g\\u2066h  i\\xFF\xc3\xa9\n");
    assert_null(memchr(b.data, '\r', b.len));
    assert_ptr_equal(strchr(b.data, '\n'), b.data + b.len - 2);
    sg_buf_free(&b);
}

/* ------------------------------------------------------------------ */
/* Regular expressions                                                  */

static void test_regex(void **state) {
    (void)state;
    static const struct {
        const char *mods, *value, *want; /* want: the regex as KQL string content */
    } cases[] = {
        {"|re", "'foo.*bar'", "foo.*bar"},
        {"|re", "'-(W|R)\\s?'", "-(?:W|R)[\\\\x{9}-\\\\x{D} ]?"},
        {"|re|i", "'abc'", "(?i)abc"},
        {"|re|m|s", "'a.b'", "(?ms)a.b"},
        {"|re|i|m|s", "'x'", "(?ims)x"},
        /* ASCII Perl classes are written out (KQL's are Unicode-aware) */
        {"|re", "'\\d\\D\\w\\W\\s\\S'", "[0-9][^0-9][0-9A-Z_a-z][^0-9A-Z_a-z][\\\\x{9}-\\\\x{D} ][^\\\\x{9}-\\\\x{D} ]"},
        {"|re", "'[\\w.-]+@[^\\s\\d]'", "[0-9A-Z_a-z.\\\\-]+@[^\\\\x{9}-\\\\x{D} 0-9]"},
        {"|re", "'[\\D]'", "[\\\\x{0}-/:-\\\\x{10FFFF}]"},
        {"|re", "'\\h'", "[\\\\x{9} \\\\x{A0}\\\\x{1680}\\\\x{180E}\\\\x{2000}-\\\\x{200A}\\\\x{202F}\\\\x{205F}\\\\x{3000}]"},
        {"|re", "'\\V'", "[^\\\\x{A}-\\\\x{D}\\\\x{85}\\\\x{2028}-\\\\x{2029}]"},
        /* under (?i) \w and \p{} keep PCRE's case-sensitive meaning */
        {"|re|i", "'\\w\\p{Lu}'", "(?i)(?-i:[0-9A-Z_a-z])(?-i:\\\\p{Lu})"},
        {"|re", "'\\p{Lu}\\P{Greek}\\pL\\p{^Ll}'", "\\\\p{Lu}\\\\P{Greek}\\\\p{L}\\\\P{Ll}"},
        /* PCRE's $ (end, or before a final newline) where nothing follows */
        {"|re", "'a$'", "a(?:\\\\n?\\\\z)"},
        {"|re", "'(a$|b)$'", "(?:a(?:\\\\n?\\\\z)|b)(?:\\\\n?\\\\z)"},
        {"|re", "'(a$)?'", "(?:a(?:\\\\n?\\\\z))?"},
        {"|re", "'a\\Z'", "a(?:\\\\n?\\\\z)"},
        {"|re|m", "'a$b'", "(?m)a$b"},
        {"|re", "'(?m)a$b'", "(?m)a$b"},
        {"|re", "'(?m:a$)b'", "(?m:a$)b"},
        {"|re", "'^a\\z\\A'", "^a\\\\z\\\\A"},
        {"|re|m", "'^a'", "(?m)^a"},
        {"|re|m", "'^[ab]+'", "(?m)^[ab]+"},
        /* groups: capturing and named become non-capturing; comments go */
        {"|re", "'(a)(?<n>b)(?P<m>c)(?''o''d)(?:e)(?#note)f'", "(?:a)(?:b)(?:c)(?:d)(?:e)f"},
        {"|re", "'(?i)a(?-i:b)(?s-i:c)(?n)d'", "(?i)a(?-i:b)(?s-i:c)d"},
        /* escapes of one character */
        {"|re", "'\\x41\\x{263A}\\101\\0\\cA\\e\\a\\o{101}\\18'", "A\xe2\x98\xba" "A\\\\x{0}\\\\x{1}\\\\x{1B}\\\\x{7}A\\\\x{1}8"},
        {"|re", "'\\Q.*\\E\\.\\<\\>\\/'", "\\\\.\\\\*\\\\.<>/"},
        {"|re", "'\\bfoo'", "(?-u:\\\\b)foo"},
        /* classes are rewritten item by item */
        {"|re", "'[]a-]'", "[\\\\]a\\\\-]"},
        {"|re", "'[a\\-z&&~[]'", "[a\\\\-z\\\\&\\\\&\\\\~\\\\[]"},
        {"|re", "'[^a-z\\x{100}-\\x{200}]'", "[^a-z\xc4\x80-\xc8\x80]"},
        {"|re", "'[[:alpha:][:^digit:]\\b]'", "[[:alpha:][:^digit:]\\\\x{8}]"},
        {"|re|i", "'[[:digit:][:space:]]'", "(?i)[[:digit:][:space:]]"},
        /* quantifiers */
        {"|re", "'x{2,5}?y{3}z{2,}a{x'", "x{2,5}?y{3}z{2,}a\\\\{x"},
        {"|re", "'a}b{'", "a\\\\}b\\\\{"},
        /* non-ASCII literals pass; invisible ones are escaped */
        {"|re", "\"\\u00e9+\\u202e\"", "\xc3\xa9+\\\\x{202E}"},
        /* the string quoting around it */
        {"|re", "'\"x\"\\\\'", "\\\"x\\\"\\\\\\\\"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char want[1024];
        snprintf(want, sizeof want, "A matches regex \"%s\"", cases[i].want);
        expect_item(cases[i].mods, cases[i].value, want);
    }
}

static void test_regex_unsupported(void **state) {
    (void)state;
    static const struct {
        const char *mods, *value, *msg;
    } cases[] = {
        {"|re", "'(a)\\1'", "backreferences"},
        {"|re", "'(a)(b)(c)(d)(e)(f)(g)(h)(i)(j)\\10'", "backreferences"},
        {"|re", "'(?<n>a)\\k<n>'", "backreferences"},
        {"|re", "'(?<n>a)\\g{n}'", "backreferences"},
        {"|re", "'(?P<n>a)(?P=n)'", "backreferences"},
        {"|re", "'a(?=b)'", "lookahead and lookbehind"},
        {"|re", "'a(?!b)'", "lookahead and lookbehind"},
        {"|re", "'(?<=a)b'", "lookahead and lookbehind"},
        {"|re", "'(?<!a)b'", "lookahead and lookbehind"},
        {"|re", "'(?>a+)b'", "atomic groups"},
        {"|re", "'a*+'", "possessive"},
        {"|re", "'a++'", "possessive"},
        {"|re", "'a?+'", "possessive"},
        {"|re", "'a{2}+'", "possessive"},
        {"|re", "'\\Ga'", "\\G"},
        {"|re", "'a\\Kb'", "\\K"},
        {"|re", "'(a(?R)?b)'", "recursion"},
        {"|re", "'(a)(?1)'", "recursion"},
        {"|re", "'(a)(?(1)b|c)'", "conditional"},
        {"|re", "'(*UTF)a'", "verbs"},
        {"|re", "'(?|(a)|(b))'", "branch reset"},
        {"|re", "'(?x) a b'", "(?x)"},
        {"|re", "'a\\Bb'", "\\B"},
        {"|re", "'\\R'", "\\R"},
        {"|re", "'\\X'", "\\X"},
        {"|re", "'a{1001}'", "counts up to 1000"},
        {"|re", "'a{,3}'", "{,3}"},
        {"|re", "'a$b'", "'$' before more pattern"},
        {"|re", "'(a$)+'", "'$' before more pattern"},
        {"|re", "'(?m:x)a$b'", "'$' before more pattern"},
        {"|re", "'a\\Zb'", "\\Z before more pattern"},
        {"|re|m", "'^a*'", "multi-line mode"},
        {"|re|m", "'^(a)'", "multi-line mode"},
        {"|re|i", "'[\\w.]'", "case-insensitive mode"},
        {"|re|i", "'[\\p{L}]'", "case-insensitive mode"},
        {"|re|i", "'[[:alpha:]]'", "case-insensitive mode"},
        {"|re", "'\\p{Xan}'", "\\p{Xan}"},
        {"|re", "'[[:<:]]a'", "[:<:]"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char msg[200];
        snprintf(msg, sizeof msg, "regular expression: ");
        expect_item_fails(cases[i].mods, cases[i].value, msg);
        expect_item_fails(cases[i].mods, cases[i].value, cases[i].msg);
    }
}

/* ------------------------------------------------------------------ */
/* Aggregations                                                         */

static void test_legacy_aggregations(void **state) {
    (void)state;
    expect("  sel:\n    A: x\n  condition: sel | count() by Host > 5\n  timeframe: 5m\n", "T",
           "T\n| where A =~ \"x\"\n| summarize EventCount = count() by bin(TimeGenerated, 5m), Host\n"
           "| where EventCount > 5");
    expect("  sel:\n    A: x\n  condition: sel | count(User) by Host, c-ip >= 3\n  timeframe: 90s\n", "T",
           "T\n| where A =~ \"x\"\n| summarize ValueCount = count_distinct(User) by bin(TimeGenerated, 90s), Host, ['c-ip']\n"
           "| where ValueCount >= 3");
    /* no timeframe: no bin */
    expect("  sel:\n    A: x\n  condition: sel | max(Bytes) != 2.5\n", "T",
           "T\n| where A =~ \"x\"\n| summarize ValueMax = max(Bytes)\n| where ValueMax != 2.5");
    expect("  sel:\n    A: x\n  condition: sel | min(Bytes) by H == 0\n", "T",
           "T\n| where A =~ \"x\"\n| summarize ValueMin = min(Bytes) by H\n| where ValueMin == 0");
    expect("  sel:\n    A: x\n  condition: sel | avg(Bytes) < 10\n  timeframe: 1h\n", "T",
           "T\n| where A =~ \"x\"\n| summarize ValueAvg = avg(Bytes) by bin(TimeGenerated, 1h)\n| where ValueAvg < 10");
    expect("  sel:\n    A: x\n  condition: sel | sum(Bytes) <= 1.5\n  timeframe: 1d\n", "T",
           "T\n| where A =~ \"x\"\n| summarize ValueSum = sum(Bytes) by bin(TimeGenerated, 1d)\n| where ValueSum <= 1.5");
    /* without a table: the pipeline fragment */
    expect("  sel:\n    A: x\n  condition: sel | count() > 5\n  timeframe: 5m\n", NULL,
           "| where A =~ \"x\"\n| summarize EventCount = count() by bin(TimeGenerated, 5m)\n| where EventCount > 5");

    /* the time column and the span units */
    kctx c;
    kcompile(&c, HDR "  sel:\n    A: x\n  condition: sel | count() > 5\n  timeframe: 60s\n");
    kset(&c, "DeviceProcessEvents", "Timestamp");
    assert_rule(&c, 0,
                "DeviceProcessEvents\n| where A =~ \"x\"\n| summarize EventCount = count() by bin(Timestamp, 1m)\n"
                "| where EventCount > 5");
    static const struct {
        int64_t secs;
        const char *span;
    } spans[] = {{1, "1s"}, {59, "59s"}, {60, "1m"}, {61, "61s"}, {3600, "1h"}, {5400, "90m"}, {86400, "1d"},
                 {90000, "25h"}, {604800, "7d"}};
    for (size_t i = 0; i < sizeof spans / sizeof *spans; i++) {
        kir(&c, 0)->agg->timespan = spans[i].secs;
        char want[256];
        snprintf(want, sizeof want,
                 "DeviceProcessEvents\n| where A =~ \"x\"\n| summarize EventCount = count() by bin(Timestamp, %s)\n"
                 "| where EventCount > 5",
                 spans[i].span);
        assert_rule(&c, 0, want);
    }
    kfree(&c);

    /* near has no exact form; the error sits at the aggregation */
    kcompile(&c, HDR "  sel:\n    A: x\n  b:\n    B: y\n  condition: sel | near b\n  timeframe: 1m\n");
    kset(&c, "T", NULL);
    assert_fails(&c, 0, SG_D_UNSUPPORTED, 8, 20, "'near'");
    kfree(&c);
}

static void test_threshold_and_placeholder(void **state) {
    (void)state;
    expect("  sel:\n    A: x\n  condition: sel\nthreshold:\n  type: value_count\n  field: Port\n"
           "  group-by: [Src, Dst]\n  timespan: 1m\n  condition: {gte: 20}\n",
           "T",
           "T\n| where A =~ \"x\"\n| summarize ValueCount = count_distinct(Port) by bin(TimeGenerated, 1m), Src, Dst\n"
           "| where ValueCount >= 20");
    /* a filled-in placeholder matches every event: no where clause */
    expect("  sel:\n    EventID: '*'\n  condition: sel\nthreshold:\n  group-by: SourceIp\n  timespan: 60s\n"
           "  condition: {gte: 200}\n",
           "W3CIISLog",
           "W3CIISLog\n| summarize EventCount = count() by bin(TimeGenerated, 1m), SourceIp\n| where EventCount >= 200");
    expect("  sel:\n    EventID: '*'\n  condition: sel\nthreshold:\n  timespan: 1h\n  condition: {gte: 200}\n", NULL,
           "| summarize EventCount = count() by bin(TimeGenerated, 1h)\n| where EventCount >= 200");
}

/* ------------------------------------------------------------------ */
/* Correlations                                                         */

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
    "    Host|re: 'a(?=b)'\n"    /* 16 */            \
    "  condition: sel\n"         /* 17 */            \
    "---\n"                      /* 18 */            \
    "title: c\n"                 /* 19 */            \
    "correlation:\n"             /* 20 */

static void test_correlation_one_rule(void **state) {
    (void)state;
    kctx c;
    kcompile(&c, BASE_RULES "  type: event_count\n"
                            "  rules: [failed_login]\n"
                            "  group-by: [User, Host]\n"
                            "  timespan: 5m\n"
                            "  condition: {gte: 10}\n");
    kset(&c, "SecurityEvent", NULL);
    assert_rule(&c, 2,
                "SecurityEvent\n| where EventID == 4625\n| summarize EventCount = count() by bin(TimeGenerated, 5m), User, Host\n"
                "| where EventCount >= 10");
    /* the rule's own table is used; the correlation's time column wins */
    kir(&c, 0)->table = SG_STR_LIT("SigninLogs");
    kir(&c, 0)->timestamp = SG_STR_LIT("Ignored");
    kir(&c, 2)->timestamp = SG_STR_LIT("EventTime");
    assert_rule(&c, 2,
                "SigninLogs\n| where EventID == 4625\n| summarize EventCount = count() by bin(EventTime, 5m), User, Host\n"
                "| where EventCount >= 10");
    /* without one, the referenced rule's */
    kir(&c, 2)->timestamp = (sg_str){0};
    assert_rule(&c, 2,
                "SigninLogs\n| where EventID == 4625\n| summarize EventCount = count() by bin(Ignored, 5m), User, Host\n"
                "| where EventCount >= 10");
    kfree(&c);

    kcompile(&c, BASE_RULES "  type: value_sum\n"
                            "  rules: [failed_login]\n"
                            "  group-by: [u]\n"
                            "  timespan: 2h\n"
                            "  aliases:\n"
                            "    u:\n"
                            "      failed_login: TargetUserName\n"
                            "  condition: {gt: 100, field: Bytes}\n");
    kset(&c, "SecurityEvent", NULL);
    assert_rule(&c, 2,
                "SecurityEvent\n| where EventID == 4625\n| extend u = TargetUserName\n"
                "| summarize ValueSum = sum(Bytes) by bin(TimeGenerated, 2h), u\n| where ValueSum > 100");
    kfree(&c);

    kcompile(&c, BASE_RULES "  type: value_percentile\n"
                            "  rules: failed_login\n"
                            "  timespan: 1d\n"
                            "  condition: {gt: 3.5, field: Port, percentile: 95}\n");
    kset(&c, NULL, NULL);
    assert_rule(&c, 2,
                "| where EventID == 4625\n| summarize ValuePercentile = percentile(Port, 95) by bin(TimeGenerated, 1d)\n"
                "| where ValuePercentile > 3.5");
    kfree(&c);

    kcompile(&c, BASE_RULES "  type: value_median\n"
                            "  rules: failed_login\n"
                            "  timespan: 1d\n"
                            "  condition: {lt: 7, field: Port}\n");
    kset(&c, "T", NULL);
    assert_rule(&c, 2,
                "T\n| where EventID == 4625\n| summarize ValueMedian = percentile(Port, 50) by bin(TimeGenerated, 1d)\n"
                "| where ValueMedian < 7");
    kfree(&c);

    kcompile(&c, BASE_RULES "  type: value_avg\n"
                            "  rules: failed_login\n"
                            "  timespan: 1d\n"
                            "  condition: {eq: 7, field: Port}\n");
    kset(&c, "T", NULL);
    assert_rule(&c, 2,
                "T\n| where EventID == 4625\n| summarize ValueAvg = avg(Port) by bin(TimeGenerated, 1d)\n"
                "| where ValueAvg == 7");
    kfree(&c);
}

static void test_correlation_union(void **state) {
    (void)state;
    kctx c;
    kcompile(&c, BASE_RULES "  type: event_count\n"
                            "  rules: [failed_login, success_login]\n"
                            "  group-by: [u]\n"
                            "  timespan: 1h\n"
                            "  aliases:\n"
                            "    u:\n"
                            "      failed_login: TargetUserName\n"
                            "      success_login: User\n"
                            "  condition: {gte: 10}\n");
    kset(&c, "SecurityEvent", NULL);
    kir(&c, 1)->table = SG_STR_LIT("SigninLogs");
    /* the second rule's regex cannot be said: the error is in that rule */
    assert_fails(&c, 2, SG_D_UNSUPPORTED, 16, 14, "lookahead");
    assert_string_equal(c.diags.items[c.diags.count - 1].rule_id, "6f7c3a2e-31b4-4c1e-9d6a-0c3e5f1b2a44");
    kir(&c, 1)->expr = kir(&c, 1)->expr->kids[0];
    assert_rule(&c, 2,
                "union (SecurityEvent | where EventID == 4625 | extend u = TargetUserName, sigc_rule = \"failed_login\"),\n"
                "    (SigninLogs | where EventID == 4624 | extend u = User, sigc_rule = \"success_login\")\n"
                "| summarize EventCount = count() by bin(TimeGenerated, 1h), u\n"
                "| where EventCount >= 10");
    /* a rule without a table cannot join a union */
    kir(&c, 1)->table = (sg_str){0};
    assert_fails(&c, 2, SG_D_PIPELINE, 21, 3, "rule 'success_login' has no table");
    /* referenced rules with different time columns and none on the correlation */
    kir(&c, 1)->table = SG_STR_LIT("SigninLogs");
    kir(&c, 0)->timestamp = SG_STR_LIT("Timestamp");
    kir(&c, 1)->timestamp = SG_STR_LIT("TimeGenerated");
    assert_fails(&c, 2, SG_D_PIPELINE, 21, 3, "different time columns");
    kir(&c, 2)->timestamp = SG_STR_LIT("T0");
    assert_rule(&c, 2,
                "union (SecurityEvent | where EventID == 4625 | extend u = TargetUserName, sigc_rule = \"failed_login\"),\n"
                "    (SigninLogs | where EventID == 4624 | extend u = User, sigc_rule = \"success_login\")\n"
                "| summarize EventCount = count() by bin(T0, 1h), u\n"
                "| where EventCount >= 10");
    kfree(&c);

    kcompile(&c, BASE_RULES "  type: value_count\n"
                            "  rules: [failed_login, 6f7c3a2e-31b4-4c1e-9d6a-0c3e5f1b2a44]\n"
                            "  group-by: [Src]\n"
                            "  timespan: 1h\n"
                            "  condition: {gt: 3, field: User}\n");
    kset(&c, "T", NULL);
    kir(&c, 1)->expr = kir(&c, 1)->expr->kids[0];
    assert_rule(&c, 2,
                "union (T | where EventID == 4625 | extend sigc_rule = \"failed_login\"),\n"
                "    (T | where EventID == 4624 | extend sigc_rule = \"6f7c3a2e-31b4-4c1e-9d6a-0c3e5f1b2a44\")\n"
                "| summarize ValueCount = count_distinct(User) by bin(TimeGenerated, 1h), Src\n"
                "| where ValueCount > 3");
    /* a branch whose rule matches everything has no where */
    sg_ir_expr t = {.kind = SG_IR_TRUE};
    kir(&c, 0)->expr = &t;
    assert_rule(&c, 2,
                "union (T | extend sigc_rule = \"failed_login\"),\n"
                "    (T | where EventID == 4624 | extend sigc_rule = \"6f7c3a2e-31b4-4c1e-9d6a-0c3e5f1b2a44\")\n"
                "| summarize ValueCount = count_distinct(User) by bin(TimeGenerated, 1h), Src\n"
                "| where ValueCount > 3");
    kfree(&c);
}

static void test_correlation_temporal(void **state) {
    (void)state;
    kctx c;
    kcompile(&c, BASE_RULES "  type: temporal\n"
                            "  rules: [failed_login, success_login]\n"
                            "  group-by: [u]\n"
                            "  timespan: 10m\n"
                            "  aliases:\n"
                            "    u:\n"
                            "      failed_login: TargetUserName\n"
                            "      success_login: User\n");
    kset(&c, "SecurityEvent", NULL);
    kir(&c, 1)->expr = kir(&c, 1)->expr->kids[0];
    assert_rule(&c, 2,
                "union (SecurityEvent | where EventID == 4625 | extend u = TargetUserName, sigc_rule = \"failed_login\"),\n"
                "    (SecurityEvent | where EventID == 4624 | extend u = User, sigc_rule = \"success_login\")\n"
                "| summarize RuleCount = count_distinct(sigc_rule) by bin(TimeGenerated, 10m), u\n"
                "| where RuleCount >= 2");
    kfree(&c);

    /* the extended temporal condition over the set of rules seen */
    kcompile(&c, BASE_RULES "  type: temporal\n"
                            "  rules: [failed_login, success_login]\n"
                            "  timespan: 90s\n"
                            "  condition: 'failed_login and not success_login'\n");
    kset(&c, "SecurityEvent", NULL);
    kir(&c, 1)->expr = kir(&c, 1)->expr->kids[0];
    assert_rule(&c, 2,
                "union (SecurityEvent | where EventID == 4625 | extend sigc_rule = \"failed_login\"),\n"
                "    (SecurityEvent | where EventID == 4624 | extend sigc_rule = \"success_login\")\n"
                "| summarize Rules = make_set(sigc_rule) by bin(TimeGenerated, 90s)\n"
                "| where set_has_element(Rules, \"failed_login\") and not(set_has_element(Rules, \"success_login\"))");
    kfree(&c);

    kcompile(&c, BASE_RULES "  type: temporal\n"
                            "  rules: [failed_login, success_login]\n"
                            "  timespan: 1h\n"
                            "  condition: 'failed_login or success_login'\n");
    kset(&c, "T", NULL);
    kir(&c, 1)->expr = kir(&c, 1)->expr->kids[0];
    assert_rule(&c, 2,
                "union (T | where EventID == 4625 | extend sigc_rule = \"failed_login\"),\n"
                "    (T | where EventID == 4624 | extend sigc_rule = \"success_login\")\n"
                "| summarize Rules = make_set(sigc_rule) by bin(TimeGenerated, 1h)\n"
                "| where set_has_element(Rules, \"failed_login\") or set_has_element(Rules, \"success_login\")");
    kfree(&c);
}

/* A third detection after the correlation document (rule 3). */
#define THIRD_RULE                                   \
    "---\n"                                          \
    "title: third\n"                                 \
    "name: logoff\n"                                 \
    "logsource: {product: windows}\n"                \
    "detection:\n"                                   \
    "  sel:\n"                                       \
    "    EventID: 4634\n"                            \
    "  condition: sel\n"

static void test_correlation_temporal_ordered(void **state) {
    (void)state;
    kctx c;
    /* two rules, grouped by an alias */
    kcompile(&c, BASE_RULES "  type: temporal_ordered\n"
                            "  rules: [failed_login, success_login]\n"
                            "  group-by: [u]\n"
                            "  timespan: 10m\n"
                            "  aliases:\n"
                            "    u:\n"
                            "      failed_login: TargetUserName\n"
                            "      success_login: User\n");
    kset(&c, "SecurityEvent", NULL);
    kir(&c, 1)->table = SG_STR_LIT("SigninLogs");
    kir(&c, 1)->expr = kir(&c, 1)->expr->kids[0];
    assert_rule(&c, 2,
                "let sigc_events = union (SecurityEvent | where EventID == 4625 | extend u = TargetUserName, sigc_rule = \"failed_login\"),\n"
                "    (SigninLogs | where EventID == 4624 | extend u = User, sigc_rule = \"success_login\")\n"
                "| extend sigc_bucket = bin(TimeGenerated, 10m);\n"
                "sigc_events\n"
                "| where sigc_rule == \"failed_login\"\n"
                "| summarize sigc_t1 = min(TimeGenerated) by sigc_bucket, u\n"
                "| join kind=inner (sigc_events | where sigc_rule == \"success_login\") on sigc_bucket, u\n"
                "| where TimeGenerated >= sigc_t1\n"
                "| summarize sigc_t2 = min(TimeGenerated) by sigc_bucket, u\n"
                "| project sigc_bucket, u, LastTime = sigc_t2");
    /* the referenced rules' time columns must agree when the correlation sets none */
    kir(&c, 0)->timestamp = SG_STR_LIT("Timestamp");
    kir(&c, 1)->timestamp = SG_STR_LIT("TimeGenerated");
    assert_fails(&c, 2, SG_D_PIPELINE, 21, 3, "different time columns");
    /* grouping by the time column would rename it in the join */
    kir(&c, 2)->timestamp = SG_STR_LIT("u");
    assert_fails(&c, 2, SG_D_UNSUPPORTED, 21, 3, "grouping by the time column u");
    /* a window of zero has no buckets */
    kir(&c, 2)->timestamp = (sg_str){0};
    kir(&c, 1)->timestamp = SG_STR_LIT("Timestamp");
    kir(&c, 2)->agg->timespan = 0;
    assert_fails(&c, 2, SG_D_UNSUPPORTED, 21, 3, "positive timespan");
    kfree(&c);

    /* two rules, no group-by: buckets only */
    kcompile(&c, BASE_RULES "  type: temporal_ordered\n"
                            "  rules: [success_login, failed_login]\n"
                            "  timespan: 90s\n");
    kset(&c, "T", NULL);
    kir(&c, 1)->expr = kir(&c, 1)->expr->kids[0];
    kir(&c, 2)->timestamp = SG_STR_LIT("Timestamp");
    assert_rule(&c, 2,
                "let sigc_events = union (T | where EventID == 4624 | extend sigc_rule = \"success_login\"),\n"
                "    (T | where EventID == 4625 | extend sigc_rule = \"failed_login\")\n"
                "| extend sigc_bucket = bin(Timestamp, 90s);\n"
                "sigc_events\n"
                "| where sigc_rule == \"success_login\"\n"
                "| summarize sigc_t1 = min(Timestamp) by sigc_bucket\n"
                "| join kind=inner (sigc_events | where sigc_rule == \"failed_login\") on sigc_bucket\n"
                "| where Timestamp >= sigc_t1\n"
                "| summarize sigc_t2 = min(Timestamp) by sigc_bucket\n"
                "| project sigc_bucket, LastTime = sigc_t2");
    kfree(&c);

    /* three rules, two group-by fields, an alias on one rule only */
    kcompile(&c, BASE_RULES "  type: temporal_ordered\n"
                            "  rules: [failed_login, success_login, logoff]\n"
                            "  group-by: [Host, u]\n"
                            "  timespan: 1h\n"
                            "  aliases:\n"
                            "    u:\n"
                            "      failed_login: TargetUserName\n"
                            "      success_login: User\n"
                            "      logoff: Account\n" THIRD_RULE);
    kset(&c, "SecurityEvent", NULL);
    kir(&c, 1)->expr = kir(&c, 1)->expr->kids[0];
    assert_rule(&c, 2,
                "let sigc_events = union (SecurityEvent | where EventID == 4625 | extend u = TargetUserName, sigc_rule = \"failed_login\"),\n"
                "    (SecurityEvent | where EventID == 4624 | extend u = User, sigc_rule = \"success_login\"),\n"
                "    (SecurityEvent | where EventID == 4634 | extend u = Account, sigc_rule = \"logoff\")\n"
                "| extend sigc_bucket = bin(TimeGenerated, 1h);\n"
                "sigc_events\n"
                "| where sigc_rule == \"failed_login\"\n"
                "| summarize sigc_t1 = min(TimeGenerated) by sigc_bucket, Host, u\n"
                "| join kind=inner (sigc_events | where sigc_rule == \"success_login\") on sigc_bucket, Host, u\n"
                "| where TimeGenerated >= sigc_t1\n"
                "| summarize sigc_t2 = min(TimeGenerated) by sigc_bucket, Host, u\n"
                "| join kind=inner (sigc_events | where sigc_rule == \"logoff\") on sigc_bucket, Host, u\n"
                "| where TimeGenerated >= sigc_t2\n"
                "| summarize sigc_t3 = min(TimeGenerated) by sigc_bucket, Host, u\n"
                "| project sigc_bucket, Host, u, LastTime = sigc_t3");
    kfree(&c);

    /* three rules without group-by; the unsupported regex of a branch fails the whole query */
    kcompile(&c, BASE_RULES "  type: temporal_ordered\n"
                            "  rules: [logoff, failed_login, success_login]\n"
                            "  timespan: 5m\n" THIRD_RULE);
    kset(&c, "T", NULL);
    assert_fails(&c, 2, SG_D_UNSUPPORTED, 16, 14, "lookahead");
    kir(&c, 1)->expr = kir(&c, 1)->expr->kids[0];
    assert_rule(&c, 2,
                "let sigc_events = union (T | where EventID == 4634 | extend sigc_rule = \"logoff\"),\n"
                "    (T | where EventID == 4625 | extend sigc_rule = \"failed_login\"),\n"
                "    (T | where EventID == 4624 | extend sigc_rule = \"success_login\")\n"
                "| extend sigc_bucket = bin(TimeGenerated, 5m);\n"
                "sigc_events\n"
                "| where sigc_rule == \"logoff\"\n"
                "| summarize sigc_t1 = min(TimeGenerated) by sigc_bucket\n"
                "| join kind=inner (sigc_events | where sigc_rule == \"failed_login\") on sigc_bucket\n"
                "| where TimeGenerated >= sigc_t1\n"
                "| summarize sigc_t2 = min(TimeGenerated) by sigc_bucket\n"
                "| join kind=inner (sigc_events | where sigc_rule == \"success_login\") on sigc_bucket\n"
                "| where TimeGenerated >= sigc_t2\n"
                "| summarize sigc_t3 = min(TimeGenerated) by sigc_bucket\n"
                "| project sigc_bucket, LastTime = sigc_t3");
    /* a rule without a table cannot join the union */
    kir(&c, 3)->table = (sg_str){0};
    assert_fails(&c, 2, SG_D_PIPELINE, 21, 3, "rule 'logoff' has no table");
    kfree(&c);

    /* only the default condition (every rule, in order) has a form */
    kcompile(&c, BASE_RULES "  type: temporal_ordered\n" /* 21 */
                            "  rules: [failed_login, success_login]\n"
                            "  timespan: 10m\n"
                            "  condition: {gte: 1}\n");
    kset(&c, "T", NULL);
    kir(&c, 1)->expr = kir(&c, 1)->expr->kids[0];
    assert_fails(&c, 2, SG_D_UNSUPPORTED, 21, 3, "only the default condition");
    kfree(&c);
    kcompile(&c, BASE_RULES "  type: temporal_ordered\n" /* 21 */
                            "  rules: [failed_login, success_login]\n"
                            "  timespan: 10m\n"
                            "  condition: 'failed_login and success_login'\n");
    kset(&c, "T", NULL);
    kir(&c, 1)->expr = kir(&c, 1)->expr->kids[0];
    assert_fails(&c, 2, SG_D_UNSUPPORTED, 21, 3, "only the default condition");
    kfree(&c);
    /* {gte: <number of rules>} is the default written out */
    kcompile(&c, BASE_RULES "  type: temporal_ordered\n"
                            "  rules: [failed_login, success_login]\n"
                            "  timespan: 10m\n"
                            "  condition: {gte: 2}\n");
    kset(&c, "T", NULL);
    kir(&c, 1)->expr = kir(&c, 1)->expr->kids[0];
    assert_rule(&c, 2,
                "let sigc_events = union (T | where EventID == 4625 | extend sigc_rule = \"failed_login\"),\n"
                "    (T | where EventID == 4624 | extend sigc_rule = \"success_login\")\n"
                "| extend sigc_bucket = bin(TimeGenerated, 10m);\n"
                "sigc_events\n"
                "| where sigc_rule == \"failed_login\"\n"
                "| summarize sigc_t1 = min(TimeGenerated) by sigc_bucket\n"
                "| join kind=inner (sigc_events | where sigc_rule == \"success_login\") on sigc_bucket\n"
                "| where TimeGenerated >= sigc_t1\n"
                "| summarize sigc_t2 = min(TimeGenerated) by sigc_bucket\n"
                "| project sigc_bucket, LastTime = sigc_t2");
    kfree(&c);

    /* a rule listed twice stays unsupported */
    kcompile(&c, BASE_RULES "  type: temporal_ordered\n" /* 21 */
                            "  rules: [failed_login, failed_login]\n"
                            "  timespan: 10m\n");
    kset(&c, "T", NULL);
    assert_fails(&c, 2, SG_D_UNSUPPORTED, 21, 3, "listed twice");
    kfree(&c);
}

static void test_correlation_errors(void **state) {
    (void)state;
    kctx c;
    kcompile(&c, BASE_RULES "  type: event_count\n"
                            "  rules: [failed_login]\n"
                            "  timespan: 5m\n"
                            "  condition: {gte: 10}\n"
                            "---\n"
                            "title: outer\n"
                            "correlation:\n"
                            "  type: event_count\n" /* 28 */
                            "  rules: [failed_login, failed_login]\n"
                            "  timespan: 5m\n"
                            "  condition: {gte: 2}\n");
    kset(&c, "T", NULL);
    assert_fails(&c, 3, SG_D_UNSUPPORTED, 28, 3, "listed twice");
    /* point the outer correlation at the inner one */
    sg_ir_rule *inner = kir(&c, 2);
    kir(&c, 3)->agg->rules[1] = inner;
    kir(&c, 3)->agg->rule_refs[1] = SG_STR_LIT("c");
    assert_fails(&c, 3, SG_D_UNSUPPORTED, 28, 3, "chained correlations");
    kir(&c, 3)->agg->rules[1] = NULL;
    assert_fails(&c, 3, SG_D_REFERENCE, 28, 3, "not resolved");
    kfree(&c);
}

static void test_filter_rule(void **state) {
    (void)state;
    kctx c;
    kcompile(&c, "title: f\nlogsource: {product: windows}\nfilter:\n  rules: any\n  sel:\n    A: x\n  condition: not sel\n");
    assert_int_equal(kir(&c, 0)->kind, SG_RULE_FILTER);
    assert_fails(&c, 0, SG_D_UNSUPPORTED, 1, 0, "filter rule");
    kfree(&c);
}

static void test_diag_rule_id(void **state) {
    (void)state;
    kctx c;
    kcompile(&c, "title: t\nid: 11111111-2222-3333-4444-555555555555\nlogsource: {product: windows}\n"
                 "detection:\n  sel:\n    A|re: '(a)\\1'\n  condition: sel\n");
    assert_fails(&c, 0, SG_D_UNSUPPORTED, 6, 11, "backreferences");
    assert_string_equal(c.diags.items[c.diags.count - 1].rule_id, "11111111-2222-3333-4444-555555555555");
    /* emitting appends: what was in the buffer stays on success and on failure */
    sg_buf_reset(&c.out);
    sg_buf_add_cstr(&c.out, "keep");
    assert_int_equal(sg_backend_kql.emit_rule(&c.diags, kir(&c, 0), &c.out), -1);
    assert_int_equal(c.out.len, 4);
    kfree(&c);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_registry),
        cmocka_unit_test(test_table_and_predicate_only),
        cmocka_unit_test(test_string_operators),
        cmocka_unit_test(test_glob),
        cmocka_unit_test(test_numbers_and_booleans),
        cmocka_unit_test(test_null_and_exists),
        cmocka_unit_test(test_cidr),
        cmocka_unit_test(test_fieldref),
        cmocka_unit_test(test_timeparts),
        cmocka_unit_test(test_keywords),
        cmocka_unit_test(test_placeholder),
        cmocka_unit_test(test_and_or_not),
        cmocka_unit_test(test_in_lists),
        cmocka_unit_test(test_long_chains),
        cmocka_unit_test(test_field_names),
        cmocka_unit_test(test_hostile_strings),
        cmocka_unit_test(test_comment),
        cmocka_unit_test(test_regex),
        cmocka_unit_test(test_regex_unsupported),
        cmocka_unit_test(test_legacy_aggregations),
        cmocka_unit_test(test_threshold_and_placeholder),
        cmocka_unit_test(test_correlation_one_rule),
        cmocka_unit_test(test_correlation_union),
        cmocka_unit_test(test_correlation_temporal),
        cmocka_unit_test(test_correlation_temporal_ordered),
        cmocka_unit_test(test_correlation_errors),
        cmocka_unit_test(test_filter_rule),
        cmocka_unit_test(test_diag_rule_id),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
