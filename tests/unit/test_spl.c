/* test_spl.c - the Splunk SPL backend (backends/spl.c).
 *
 * Each test compiles YAML text the way the CLI does (sg_ruleset_add_file,
 * sg_ruleset_resolve, default options), calls sg_backend_spl.emit_rule on
 * one rule's IR and compares the whole query text.  Unsupported constructs
 * are asserted by check id and exact line:column; hostile strings are
 * checked to stay inside one quoted token that reads back to the input.
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
#include "data.h"
#include "rule.h"

/* ------------------------------------------------------------------ */
/* Helpers                                                              */

/* Detection bodies start at line 4. */
#define HDR "title: t\nlogsource: {product: windows}\ndetection:\n"

typedef struct sctx {
    sg_diags diags;
    sg_ruleset rs;
    int add_rc, resolve_rc;
    size_t compile_diags; /* diagnostics before emitting */
    sg_buf out;
    int rc;
} sctx;

/* The backend, through the registry (backends.def lists it). */
static const sg_backend *spl(void) {
    const sg_backend *be = sg_backend_find("spl");
    if (!be) fail_msg("no 'spl' backend in the registry");
    return be;
}

static void print_diags(const sctx *c) {
    for (size_t i = 0; i < c->diags.count; i++) {
        const sg_diag *d = &c->diags.items[i];
        print_message("  %s:%u:%u: %s[%s]: %s\n", d->loc.file, d->loc.line, d->loc.col, sg_severity_name(d->severity),
                      sg_diag_table[d->id].id, d->message);
    }
}

static void s_init(sctx *c) {
    memset(c, 0, sizeof *c);
    sg_diags_init(&c->diags);
    sg_ruleset_init(&c->rs, NULL, &c->diags);
    sg_buf_init(&c->out);
}

static void s_free(sctx *c) {
    sg_ruleset_free(&c->rs);
    sg_diags_free(&c->diags);
    sg_buf_free(&c->out);
}

static void s_add(sctx *c, const char *file, const char *text) {
    int rc = sg_ruleset_add_file(&c->rs, file, text, strlen(text));
    if (rc) c->add_rc = rc;
}

/* Compiles text as r.yml; the compile must report no error. */
static void s_compile(sctx *c, const char *text) {
    s_init(c);
    s_add(c, "r.yml", text);
    c->resolve_rc = sg_ruleset_resolve(&c->rs);
    c->compile_diags = c->diags.count;
    if (c->add_rc || c->resolve_rc || c->diags.by_severity[SG_SEV_ERROR]) {
        print_diags(c);
        fail_msg("the rule did not compile cleanly");
    }
}

static sg_ir_rule *s_ir(sctx *c, size_t i) {
    if (i >= c->rs.n_rules) fail_msg("rule %zu of %zu", i, c->rs.n_rules);
    return c->rs.rules[i]->ir;
}

/* Emits rule i; the text is NUL-terminated in c->out. */
static const char *s_emit(sctx *c, size_t i) {
    sg_buf_reset(&c->out);
    c->rc = spl()->emit_rule(&c->diags, s_ir(c, i), &c->out);
    sg_buf_add_byte(&c->out, '\0');
    return c->out.data;
}

static void assert_text(const char *got, const char *want) {
    if (strcmp(got, want) != 0) fail_msg("got:\n%s\nwant:\n%s", got, want);
}

/* Emits rule i of a compiled context and compares. */
static void assert_emit(sctx *c, size_t i, const char *want) {
    const char *got = s_emit(c, i);
    if (c->rc != 0 || c->diags.count != c->compile_diags) {
        print_diags(c);
        fail_msg("emit failed (rc %d)", c->rc);
    }
    assert_text(got, want);
}

/* Compiles a whole file and checks the query of rule i. */
static void check_rule(const char *yaml, size_t i, const char *want) {
    sctx c;
    s_compile(&c, yaml);
    assert_emit(&c, i, want);
    s_free(&c);
}

/* HDR + body, rule 0. */
static void check_det(const char *body, const char *want) {
    sg_buf b;
    sg_buf_init(&b);
    sg_buf_add_cstr(&b, HDR);
    sg_buf_add_cstr(&b, body);
    sg_buf_add_byte(&b, '\0');
    check_rule(b.data, 0, want);
    sg_buf_free(&b);
}

/* Emitting rule i fails with exactly one unsupported error at file:line:col
 * whose message contains substr. */
static void assert_unsupported_in(sctx *c, size_t i, const char *file, uint32_t line, uint32_t col,
                                  const char *substr) {
    s_emit(c, i);
    size_t n = c->diags.count - c->compile_diags;
    const sg_diag *d = n ? &c->diags.items[c->compile_diags] : NULL;
    if (c->rc != -1 || n != 1 || d->id != SG_D_UNSUPPORTED || d->severity != SG_SEV_ERROR ||
        strcmp(d->loc.file, file) != 0 || d->loc.line != line || d->loc.col != col || !strstr(d->message, substr)) {
        print_diags(c);
        fail_msg("want rc -1 and one unsupported error at %s:%u:%u containing '%s' (rc %d, %zu new)", file, line, col,
                 substr, c->rc, n);
    }
}

static void check_unsupported(const char *yaml, size_t i, uint32_t line, uint32_t col, const char *substr) {
    sctx c;
    s_compile(&c, yaml);
    assert_unsupported_in(&c, i, "r.yml", line, col, substr);
    s_free(&c);
}

static void check_det_unsupported(const char *body, uint32_t line, uint32_t col, const char *substr) {
    sg_buf b;
    sg_buf_init(&b);
    sg_buf_add_cstr(&b, HDR);
    sg_buf_add_cstr(&b, body);
    sg_buf_add_byte(&b, '\0');
    check_unsupported(b.data, 0, line, col, substr);
    sg_buf_free(&b);
}

/* Reads the SPL double-quoted token at *p (search and eval strings share
 * the rules: \\ and \" are the only escapes we write) into out, and
 * advances *p past the closing quote.  Fails on an unterminated token. */
static void read_quoted(const char **p, sg_buf *out) {
    const char *s = *p;
    if (*s != '"') fail_msg("no quoted token at: %s", s);
    s++;
    sg_buf_reset(out);
    for (;;) {
        if (!*s) fail_msg("unterminated token");
        if (*s == '\\' && (s[1] == '\\' || s[1] == '"')) {
            sg_buf_add_byte(out, s[1]);
            s += 2;
            continue;
        }
        if (*s == '\\') fail_msg("stray backslash escape in token: %s", s);
        if (*s == '"') break;
        sg_buf_add_byte(out, *s++);
    }
    *p = s + 1;
}

/* ------------------------------------------------------------------ */
/* Search terms                                                         */

static void test_equality_and_wildcards(void **state) {
    (void)state;
    check_det("  sel:\n"
              "    Image|endswith: '\\cmd.exe'\n"
              "    ParentImage|startswith: 'C:\\Windows\\'\n"
              "    CommandLine|contains: ' -enc '\n"
              "    OriginalFileName: 'a*b'\n"
              "    User: 'say \"hi\"'\n"
              "  condition: sel\n",
              "Image=\"*\\\\cmd.exe\" AND ParentImage=\"C:\\\\Windows\\\\*\" AND CommandLine=\"* -enc *\" AND "
              "OriginalFileName=\"a*b\" AND User=\"say \\\"hi\\\"\"");
    /* a lone predicate: no AND, no parentheses */
    check_det("  sel:\n    A: x\n  condition: sel\n", "A=\"x\"");
    /* `\\*` is a backslash then a wildcard */
    check_det("  sel:\n    A: 'x\\\\*'\n  condition: sel\n", "A=\"x\\\\*\"");
}

static void test_in_lists(void **state) {
    (void)state;
    check_det("  sel:\n    A: [x, 'y*', 4]\n  condition: sel\n", "A IN (\"x\", \"y*\", 4)");
    /* two fields under one OR: one IN per field, other terms kept */
    check_det("  s1:\n    A: [x, y]\n  s2:\n    B: z\n  s3:\n    A: w\n  condition: 1 of s*\n",
              "A IN (\"x\", \"y\", \"w\") OR B=\"z\"");
    /* an IN list under NOT is parenthesised */
    check_det("  sel:\n    B: q\n  f:\n    A: [x, y]\n  condition: sel and not f\n",
              "B=\"q\" AND NOT (A IN (\"x\", \"y\"))");
}

static void test_boolean_structure(void **state) {
    (void)state;
    /* every group in parentheses, whatever search's own precedence */
    check_det("  a:\n    A: '1'\n  b:\n    B: '2'\n  c:\n    C: '3'\n  d:\n    D: '4'\n"
              "  condition: a and (b or c) and not (c and d)\n",
              "A=\"1\" AND (B=\"2\" OR C=\"3\") AND NOT (C=\"3\" AND D=\"4\")");
    check_det("  a:\n    - A: '1'\n      B: '2'\n    - C: '3'\n  condition: a\n",
              "(A=\"1\" AND B=\"2\") OR C=\"3\"");
    check_det("  a:\n    A: '1'\n  b:\n    B: '2'\n  condition: not (a or b)\n", "NOT (A=\"1\" OR B=\"2\")");
}

static void test_numbers_and_booleans(void **state) {
    (void)state;
    check_det("  sel:\n    EventID: 4688\n    Neg: -5\n    Flag: true\n    Off: false\n  condition: sel\n",
              "EventID=4688 AND Neg=\"-5\" AND Flag=true AND Off=false");
    /* search `=` compares text, so a float is compared as a number in where */
    check_det("  sel:\n    A: x\n    R: 1.5\n  condition: sel\n", "A=\"x\"\n| where tonumber('R')==1.5");
    check_det("  sel:\n    A|gt: 5\n    B|gte: 6\n    C|lt: -7\n    D|lte: 8.25\n  condition: sel\n",
              "*\n| where tonumber('A')>5 AND tonumber('B')>=6 AND tonumber('C')<(-7) AND tonumber('D')<=8.25");
    /* under NOT a non-numeric value stays excluded from the comparison */
    check_det("  sel:\n    A: x\n  f:\n    N|gt: 5\n  condition: sel and not f\n",
              "A=\"x\"\n| where NOT (isnotnull(tonumber('N')) AND tonumber('N')>5)");
}

static void test_exists_and_null(void **state) {
    (void)state;
    check_det("  sel:\n    A|exists: true\n    B|exists: false\n  condition: sel\n", "A=* AND NOT B=*");
    /* null is absent or empty: where, exactly */
    check_det("  sel:\n    A: x\n    B: null\n  condition: sel\n", "A=\"x\"\n| where (isnull('B') OR 'B'==\"\")");
    check_det("  sel:\n    A: x\n  f:\n    B: null\n  condition: sel and not f\n",
              "A=\"x\"\n| where NOT (isnull('B') OR 'B'==\"\")");
    /* the empty string: search cannot match an empty value */
    check_det("  sel:\n    A: x\n    E: ''\n  condition: sel\n", "A=\"x\"\n| where 'E'==\"\"");
    check_det("  sel:\n    A: x\n  f:\n    E: ''\n  condition: sel and not f\n",
              "A=\"x\"\n| where NOT (isnotnull('E') AND 'E'==\"\")");
}

/* ------------------------------------------------------------------ */
/* What search cannot say: where, with a superset term in search        */

static void test_literal_star(void **state) {
    (void)state;
    /* search cannot escape `*`: a wildcard term (superset) plus an exact match() */
    check_det("  sel:\n    CommandLine|contains: '/tn \\*'\n  condition: sel\n",
              "CommandLine=\"*/tn **\"\n| where match('CommandLine', \"(?i)/tn \\\\*\")");
    check_det("  sel:\n    A: 'a\\*b'\n    B: c\n  condition: sel\n",
              "A=\"a*b\" AND B=\"c\"\n| where match('A', \"(?i)^a\\\\*b\\\\z\")");
}

static void test_question_mark(void **state) {
    (void)state;
    /* `?` is one character: never widened to `*` without the exact filter */
    check_det("  sel:\n    A: 'foo?bar'\n  condition: sel\n",
              "A=\"foo*bar\"\n| where match('A', \"(?is)^foo.bar\\\\z\")");
    /* a literal `?` is an ordinary character in a search term */
    check_det("  sel:\n    A: 'foo\\?bar'\n  condition: sel\n", "A=\"foo?bar\"");
}

static void test_cased(void **state) {
    (void)state;
    check_det("  sel:\n    A|cased: 'ABC'\n    B|cased|contains: 'X.Y'\n  condition: sel\n",
              "A=\"ABC\" AND B=\"*X.Y*\"\n| where match('A', \"^ABC\\\\z\") AND match('B', \"X\\\\.Y\")");
}

static void test_regex(void **state) {
    (void)state;
    check_det("  sel:\n    A|re: 'foo\\d+\"x\\\\y'\n  condition: sel\n",
              "*\n| where match('A', \"foo\\\\d+\\\"x\\\\\\\\y\")");
    check_det("  sel:\n    A|re|i|m|s: '^a.b$'\n  condition: sel\n", "*\n| where match('A', \"(?ims)^a.b$\")");
    /* negated: an event without the field matches, as in search */
    check_det("  sel:\n    B: x\n  f:\n    A|re: 'z'\n  condition: sel and not f\n",
              "B=\"x\"\n| where NOT (isnotnull('A') AND match('A', \"z\"))");
}

static void test_cidr(void **state) {
    (void)state;
    check_det("  sel:\n    Ip|cidr: [10.0.0.0/8, '2001:db8::/32']\n  condition: sel\n",
              "*\n| where cidrmatch(\"10.0.0.0/8\", 'Ip') OR cidrmatch(\"2001:db8::/32\", 'Ip')");
}

static void test_fieldref(void **state) {
    (void)state;
    check_det("  sel:\n    A|fieldref: B\n  condition: sel\n", "*\n| where lower('A')==lower('B')");
    check_det("  sel:\n    A|fieldref|cased: B\n  condition: sel\n", "*\n| where 'A'=='B'");
    check_det("  sel:\n    A|fieldref|startswith: B\n  condition: sel\n",
              "*\n| where (len('B')==0 OR lower(substr('A', 1, len('B')))==lower('B'))");
    check_det("  sel:\n    A|fieldref|endswith: B\n  condition: sel\n",
              "*\n| where (len('B')==0 OR (len('A')>=len('B') AND "
              "lower(substr('A', len('A')-len('B')+1))==lower('B')))");
    check_det("  sel:\n    C: x\n  f:\n    A|fieldref: B\n  condition: sel and not f\n",
              "C=\"x\"\n| where NOT (isnotnull('A') AND isnotnull('B') AND lower('A')==lower('B'))");
    check_det_unsupported("  sel:\n    A|fieldref|contains: B\n  condition: sel\n", 5, 26, "|fieldref|contains");
}

static void test_keywords(void **state) {
    (void)state;
    /* a keyword is a substring of the raw event, not an indexed term */
    check_det("  kw:\n    - 'evil'\n    - 'bad thing'\n  condition: kw\n",
              "*\n| where match('_raw', \"(?i)evil\") OR match('_raw', \"(?i)bad thing\")");
    check_det("  sel:\n    A: x\n  kw:\n    - 'C:\\temp\\*'\n  condition: sel and kw\n",
              "A=\"x\"\n| where match('_raw', \"(?i)C:\\\\x5ctemp\\\\*\")");
    /* `\\*` in Sigma is a literal star; an unescaped one is a wildcard */
    check_det("  kw:\n    - 'foo*bar'\n  condition: kw\n", "*\n| where match('_raw', \"(?is)foo.*bar\")");
}

static void test_or_across_parts(void **state) {
    (void)state;
    /* an OR with a where-only child goes to where whole; search keeps a
     * superset only when every child has one */
    check_det("  a:\n    A: 'x\\*y'\n  b:\n    B: z\n  condition: a or b\n",
              "A=\"x*y\" OR B=\"z\"\n| where match('A', \"(?i)^x\\\\*y\\\\z\") OR match('B', \"(?i)^z\\\\z\")");
    check_det("  a:\n    A|re: 'x'\n  b:\n    B: z\n  c:\n    C: w\n  condition: c and (a or b)\n",
              "C=\"w\"\n| where match('A', \"x\") OR match('B', \"(?i)^z\\\\z\")");
    /* AND inside a where conjunct: the supersets of its children stay in search */
    check_det("  a:\n    - A: 'p?q'\n      B: r\n    - C|re: 's'\n  d:\n    D: t\n  condition: d and a\n",
              "D=\"t\"\n| where (match('A', \"(?is)^p.q\\\\z\") AND match('B', \"(?i)^r\\\\z\")) OR match('C', \"s\")");
}

static void test_filters_de_morgan(void **state) {
    (void)state;
    /* `not 1 of filter*` with one filter needing where: NOT (a OR b OR c)
     * is NOT (a OR b) AND NOT c, so the exact filters stay in search */
    check_det("  sel:\n    P: x\n"
              "  filter_a:\n    Image|startswith: ['C:\\A\\', 'C:\\B\\']\n"
              "  filter_b:\n    Image: null\n"
              "  filter_c:\n    Device|contains: floppy\n"
              "  filter_d:\n    Name|re: 'z'\n"
              "  condition: sel and not 1 of filter_*\n",
              "P=\"x\" AND NOT (Image IN (\"C:\\\\A\\\\*\", \"C:\\\\B\\\\*\") OR Device=\"*floppy*\")\n"
              "| where NOT (isnull('Image') OR 'Image'==\"\") AND NOT (isnotnull('Name') AND match('Name', \"z\"))");
    /* one exact child: no group of one */
    check_det("  sel:\n    P: x\n  f1:\n    A: y\n  f2:\n    B|re: z\n  condition: sel and not (f1 or f2)\n",
              "P=\"x\" AND NOT A=\"y\"\n| where NOT (isnotnull('B') AND match('B', \"z\"))");
    /* a negated AND is one conjunct: where whole, no superset of a NOT */
    check_det("  sel:\n    P: x\n  f:\n    A: y\n    B|re: z\n  condition: sel and not f\n",
              "P=\"x\"\n| where NOT ((isnotnull('A') AND match('A', \"(?i)^y\\\\z\")) AND (isnotnull('B') AND "
              "match('B', \"z\")))");
}

static void test_superset_of_and(void **state) {
    (void)state;
    check_det("  a:\n    - A: 'p?q'\n      B|re: r\n    - C: 's?'\n  condition: a\n",
              "A=\"p*q\" OR C=\"s*\"\n| where (match('A', \"(?is)^p.q\\\\z\") AND match('B', \"r\")) OR "
              "match('C', \"(?is)^s.\\\\z\")");
}

static void test_timeparts(void **state) {
    (void)state;
    check_det("  sel:\n    _time|hour: 3\n    _time|minute|gte: 30\n  condition: sel\n",
              "*\n| where floor('_time'/3600)%24==3 AND floor('_time'/60)%60>=30");
    check_det_unsupported("  sel:\n    TimeCreated|hour: 3\n  condition: sel\n", 5, 23, "only of the event time");
    check_det_unsupported("  sel:\n    _time|day: 3\n  condition: sel\n", 5, 16, "time zone");
    /* the pipeline's timestamp field is the event time */
    sctx c;
    s_compile(&c, HDR "  sel:\n    TimeCreated|hour: 3\n  condition: sel\n");
    s_ir(&c, 0)->timestamp = SG_STR_LIT("TimeCreated");
    assert_emit(&c, 0, "*\n| where floor('_time'/3600)%24==3");
    s_free(&c);
}

static void test_placeholder_unsupported(void **state) {
    (void)state;
    check_det_unsupported("  sel:\n    A|expand: '%var%'\n  condition: sel\n", 5, 15, "placeholder");
}

static void test_constants(void **state) {
    (void)state;
    sctx c;
    s_compile(&c, HDR "  sel:\n    A: x\n  condition: sel\n");
    sg_ir_expr t = {.kind = SG_IR_TRUE}, f = {.kind = SG_IR_FALSE};
    s_ir(&c, 0)->expr = &t;
    assert_emit(&c, 0, "*");
    s_ir(&c, 0)->expr = &f;
    assert_emit(&c, 0, "*\n| where 1==0");
    s_free(&c);
}

/* ------------------------------------------------------------------ */
/* Hostile strings and names                                            */

static void test_hostile_values(void **state) {
    (void)state;
    static const char *const values[] = {
        "q\"b\\c|d[e]f`g`h",
        "a \" OR B=\"x",
        "x\\",
        "]] | delete",
        "```c``` `macro`",
        "\xe2\x80\xae\x65vil", /* U+202E, then "evil" */
        "\\\"\\\\\"",
    };
    for (size_t i = 0; i < sizeof values / sizeof *values; i++) {
        /* the value through the IR, bypassing YAML quoting */
        sctx c;
        s_compile(&c, HDR "  sel:\n    A: x\n  condition: sel\n");
        sg_ir_pred *p = s_ir(&c, 0)->expr->pred;
        sg_str v = sg_str_from_cstr(values[i]);
        p->text = v;
        p->pattern = sg_sstr_literal(c.rs.arena, v);
        const char *got = s_emit(&c, 0);
        assert_int_equal(c.rc, 0);
        if (strncmp(got, "A=", 2) != 0) fail_msg("got %s", got);
        const char *q = got + 2;
        sg_buf tok;
        sg_buf_init(&tok);
        read_quoted(&q, &tok);
        if (*q != '\0') fail_msg("text after the token: %s", q);
        if (tok.len != v.len || memcmp(tok.data, v.ptr, v.len) != 0) fail_msg("token does not read back: %s", got);
        sg_buf_free(&tok);
        s_free(&c);
    }
}

static void test_hostile_line_breaks(void **state) {
    (void)state;
    /* CR, LF, NUL, tab: no search term can hold them; \xHH in the regex,
     * no superset term, the query stays on two lines */
    check_det("  sel:\n    A: \"a\\r\\nb\\0c\\td\"\n  condition: sel\n",
              "*\n| where match('A', \"(?i)^a\\\\x0d\\\\x0ab\\\\x00c\\\\x09d\\\\z\")");
    /* quote, backslash, pipe, bracket and backtick inside the eval string */
    sctx c;
    s_compile(&c, HDR "  sel:\n    A|cased: 'q\"b\\c|[`]'\n  condition: sel\n");
    const char *got = s_emit(&c, 0);
    assert_int_equal(c.rc, 0);
    assert_text(got, "A=\"q\\\"b\\\\c|[`]\"\n| where match('A', \"^q\\\\x22b\\\\x5cc\\\\|\\\\[\\\\x60\\\\]\\\\z\")");
    const char *w = strstr(got, "\"^");
    sg_buf tok;
    sg_buf_init(&tok);
    read_quoted(&w, &tok);
    assert_text(w, ")");
    sg_buf_add_byte(&tok, '\0');
    assert_text(tok.data, "^q\\x22b\\x5cc\\|\\[\\x60\\]\\z");
    sg_buf_free(&tok);
    s_free(&c);
    /* a regex's own quote and backslash */
    check_det("  sel:\n    A|re: 'a\"b\\\\\"'\n  condition: sel\n", "*\n| where match('A', \"a\\\"b\\\\\\\\\\\"\")");
    check_det_unsupported("  sel:\n    A|re: \"a\\nb\"\n  condition: sel\n", 5, 11, "control character");
}

/* Bytes that are not UTF-8 (|utf16le of a non-ASCII letter) cannot be an
 * SPL string: refused at the value, never written raw (nor as U+FFFD by
 * -f json). */
static void test_non_utf8_unsupported(void **state) {
    (void)state;
    check_det_unsupported("  sel:\n    A|utf16le|contains: 'caf\xc3\xa9'\n  condition: sel\n", 5, 25, "not valid UTF-8");
    check_det_unsupported("  sel:\n    B|wide: 'x\xc3\xa9'\n  condition: sel\n", 5, 13, "not valid UTF-8");
    /* |wide of ASCII is UTF-8 with NULs: a where test, as any control character */
    check_det("  sel:\n    A|wide: 'ab'\n  condition: sel\n", "*\n| where match('A', \"(?i)^a\\\\x00b\\\\x00\\\\z\")");
}

static void test_field_names(void **state) {
    (void)state;
    check_det("  sel:\n    'c-uri': x\n    Event.Data.Name: y\n    'field name': z\n    OR: w\n  condition: sel\n",
              "\"c-uri\"=\"x\" AND Event.Data.Name=\"y\" AND \"field name\"=\"z\" AND \"OR\"=\"w\"");
    check_det("  sel:\n    'c-uri|re': x\n    Event.Data.Name|re: y\n  condition: sel\n",
              "*\n| where match('c-uri', \"x\") AND match('Event.Data.Name', \"y\")");
    check_det_unsupported("  sel:\n    'a\"b': x\n  condition: sel\n", 5, 12, "field name 'a\"b'");
    check_det_unsupported("  sel:\n    \"a'b\": x\n  condition: sel\n", 5, 12, "cannot be written");
    check_det_unsupported("  sel:\n    'a*': x\n  condition: sel\n", 5, 11, "cannot be written");
    check_det_unsupported("  sel:\n    A|fieldref: \"b'c\"\n  condition: sel\n", 5, 17, "field name 'b'c'");
}

static void test_comment(void **state) {
    (void)state;
    static const struct {
        const char *in;
        const char *want;
    } cases[] = {
        {"title: plain", "``` title: plain ```\n"},
        {"a```b`c", "``` abc ```\n"},
        {"line1\nline2\r\nx", "``` line1 line2  x ```\n"},
        {"rtl \xe2\x80\xae" "gnp.exe", "``` rtl \\u202Egnp.exe ```\n"},
        {"iso \xe2\x81\xa6x\xe2\x81\xa9 lrm \xe2\x80\x8e", "``` iso \\u2066x\\u2069 lrm \\u200E ```\n"},
        {"ls \xe2\x80\xa8 ps \xe2\x80\xa9 nel \xc2\x85", "``` ls   ps   nel   ```\n"},
        {"bell \x07 del \x7f bad \xff\xc3", "``` bell \\x07 del \\x7f bad \\xff\\xc3 ```\n"},
        {"caf\xc3\xa9 \xf0\x9f\x94\x92", "``` caf\xc3\xa9 \xf0\x9f\x94\x92 ```\n"},
        {"bom \xef\xbb\xbfx alm \xd8\x9c", "``` bom \\uFEFFx alm \\u061C ```\n"},
        {"", "```  ```\n"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        sg_buf b;
        sg_buf_init(&b);
        spl()->emit_comment(&b, sg_str_from_cstr(cases[i].in));
        sg_buf_add_byte(&b, '\0');
        assert_text(b.data, cases[i].want);
        sg_buf_free(&b);
    }
}

/* ------------------------------------------------------------------ */
/* Aggregations                                                         */

static void test_legacy_count(void **state) {
    (void)state;
    check_det("  sel:\n    EventID: 4625\n  timeframe: 10m\n  condition: sel | count() by Host, User > 5\n",
              "EventID=4625\n| bin _time span=10m\n| stats count as event_count by _time Host User\n"
              "| search event_count > 5");
    /* without timeframe: no buckets */
    check_det("  sel:\n    A: x\n  condition: sel | count(B) >= 3\n",
              "A=\"x\"\n| stats dc(B) as value_count\n| search value_count >= 3");
    check_det("  sel:\n    A: x\n  timeframe: 90s\n  condition: sel | sum(Bytes) by Src > 1000\n",
              "A=\"x\"\n| bin _time span=90s\n| stats sum(Bytes) as value_sum by _time Src\n| search value_sum > 1000");
    check_det("  sel:\n    A: x\n  timeframe: 2d\n  condition: sel | avg(T) = 2.5\n",
              "A=\"x\"\n| bin _time span=2d\n| stats avg(T) as value_avg by _time\n| search value_avg = 2.5");
    check_det("  sel:\n    A: x\n  timeframe: 1h\n  condition: sel | min(T) < 2\n",
              "A=\"x\"\n| bin _time span=1h\n| stats min(T) as value_min by _time\n| search value_min < 2");
    check_det("  sel:\n    A: x\n  timeframe: 1h\n  condition: sel | max(T) != 2\n",
              "A=\"x\"\n| bin _time span=1h\n| stats max(T) as value_max by _time\n| search value_max != 2");
    /* the where part stays before the statistics */
    check_det("  sel:\n    A: 'a?'\n  timeframe: 1m\n  condition: sel | count() > 1\n",
              "A=\"a*\"\n| where match('A', \"(?is)^a.\\\\z\")\n| bin _time span=1m\n"
              "| stats count as event_count by _time\n| search event_count > 1");
}

static void test_threshold_block(void **state) {
    (void)state;
    check_det("  sel:\n    A: x\n  condition: sel\n"
              "threshold:\n  type: value_count\n  field: Port\n  group-by: [Src, Dst]\n  timespan: 120m\n"
              "  condition: {gte: 20}\n",
              "A=\"x\"\n| bin _time span=2h\n| stats dc(Port) as value_count by _time Src Dst\n"
              "| search value_count >= 20");
    /* a count that holds only without events never matches: refused */
    check_unsupported(HDR "  sel:\n    A: x\n  condition: sel\nthreshold:\n  timespan: 1h\n  condition: {eq: 0}\n",
                      0, 8, 3, "without events");
}

static void test_threshold_operators(void **state) {
    (void)state;
    sctx c;
    s_compile(&c, HDR "  sel:\n    A: x\n  timeframe: 1m\n  condition: sel | sum(B) > 5\n");
    sg_ir_agg *g = s_ir(&c, 0)->agg;
    g->op = SG_CMP_EQ;
    assert_emit(&c, 0, "A=\"x\"\n| bin _time span=1m\n| stats sum(B) as value_sum by _time\n| search value_sum = 5");
    g->op = SG_CMP_NEQ;
    assert_emit(&c, 0, "A=\"x\"\n| bin _time span=1m\n| stats sum(B) as value_sum by _time\n| search value_sum != 5");
    /* a negative number goes to where, where it cannot read as a term */
    g->op = SG_CMP_LT;
    g->threshold = -5;
    g->threshold_int = -5;
    assert_emit(&c, 0, "A=\"x\"\n| bin _time span=1m\n| stats sum(B) as value_sum by _time\n| where value_sum<(-5)");
    g->threshold_is_int = false;
    g->threshold = -0.25;
    assert_emit(&c, 0, "A=\"x\"\n| bin _time span=1m\n| stats sum(B) as value_sum by _time\n| where value_sum<(-0.25)");
    s_free(&c);
}

static void test_placeholder_rule(void **state) {
    (void)state;
    /* the seed rule's shape: a placeholder filled in from the defaults */
    sctx c;
    s_init(&c);
    assert_int_equal(sg_ruleset_load_defaults(&c.rs, "thresholds.yml", sg_data_thresholds, sg_data_thresholds_len), 0);
    s_add(&c, "r.yml",
          "title: Flood\nid: x\ntags: [attack.t1499.002]\nlogsource: {category: network_connection, product: windows}\n"
          "detection:\n  selection:\n    EventID: '*'\n  condition: selection\n");
    c.resolve_rc = sg_ruleset_resolve(&c.rs);
    c.compile_diags = c.diags.count;
    assert_int_equal(c.diags.by_severity[SG_SEV_ERROR], 0);
    assert_emit(&c, 0, "*\n| bin _time span=1m\n| stats count as event_count by _time SourceIp\n"
                       "| search event_count >= 200");
    s_free(&c);
}

static void test_near_unsupported(void **state) {
    (void)state;
    check_det_unsupported("  a:\n    A: x\n  b:\n    B: y\n  timeframe: 1m\n  condition: a | near b\n", 9, 18, "near");
}

static void test_agg_fields(void **state) {
    (void)state;
    /* fields stats cannot name bare are renamed first */
    check_det("  sel:\n    A: x\n  timeframe: 1m\n  condition: sel | count() by c-ip > 5\n",
              "A=\"x\"\n| rename \"c-ip\" AS c_ip\n| bin _time span=1m\n"
              "| stats count as event_count by _time c_ip\n| search event_count > 5");
    check_det("  sel:\n    A: x\n  timeframe: 1m\n  condition: sel | sum(a-b) by 9x, c-ip > 5\n",
              "A=\"x\"\n| rename \"9x\" AS _9x, \"c-ip\" AS c_ip, \"a-b\" AS a_b\n| bin _time span=1m\n"
              "| stats sum(a_b) as value_sum by _time _9x c_ip\n| search value_sum > 5");
    /* ... unless the new name is taken, or the old one cannot be written */
    check_det_unsupported("  sel:\n    A: x\n  timeframe: 1m\n  condition: sel | count() by c-ip, c_ip > 5\n", 7, 20,
                          "renamed to 'c_ip'");
    check_det_unsupported("  sel:\n    A: x\n  condition: sel\nthreshold:\n  type: event_count\n"
                          "  group-by: [\"c'ip\"]\n  timespan: 1m\n  condition: {gte: 5}\n",
                          8, 3, "field 'c'ip' cannot be written");
}

/* ------------------------------------------------------------------ */
/* Correlations                                                         */

#define BASE_RULES                                                                                  \
    "title: Failed\nname: failed\nlogsource: {product: windows}\ndetection:\n  sel:\n"              \
    "    EventID: 4625\n  condition: sel\n---\n"                                                    \
    "title: Success\nname: success\nlogsource: {product: windows}\ndetection:\n  sel:\n"           \
    "    EventID: 4624\n    Name|contains: 'a?b'\n  condition: sel\n---\n"

static void test_correlation_single_rule(void **state) {
    (void)state;
    check_rule(BASE_RULES "title: c\ncorrelation:\n  type: event_count\n  rules: [failed]\n"
                          "  group-by: [TargetUserName]\n  timespan: 10m\n  condition: {gte: 20}\n",
               2,
               "EventID=4625\n| bin _time span=10m\n| stats count as event_count by _time TargetUserName\n"
               "| search event_count >= 20");
    check_rule(BASE_RULES "title: c\ncorrelation:\n  type: value_count\n  rules: [success]\n"
                          "  group-by: [IpAddress]\n  timespan: 30m\n  condition: {gte: 5, field: TargetUserName}\n",
               2,
               "EventID=4624 AND Name=\"*a*b*\"\n| where match('Name', \"(?is)a.b\")\n| bin _time span=30m\n"
               "| stats dc(TargetUserName) as value_count by _time IpAddress\n| search value_count >= 5");
    check_rule(BASE_RULES "title: c\ncorrelation:\n  type: value_percentile\n  rules: [failed]\n"
                          "  group-by: [Host]\n  timespan: 1d\n  condition: {gte: 100, field: Size, percentile: 95}\n",
               2,
               "EventID=4625\n| bin _time span=1d\n| stats exactperc95(Size) as value_percentile by _time Host\n"
               "| search value_percentile >= 100");
    check_rule(BASE_RULES "title: c\ncorrelation:\n  type: value_median\n  rules: [failed]\n"
                          "  timespan: 1h\n  condition: {lt: 7.5, field: Size}\n",
               2,
               "EventID=4625\n| bin _time span=1h\n| stats exactperc50(Size) as value_median by _time\n"
               "| search value_median < 7.5");
    check_rule(BASE_RULES "title: c\ncorrelation:\n  type: value_avg\n  rules: [failed]\n"
                          "  timespan: 45s\n  condition: {gt: 3, field: Size}\n",
               2,
               "EventID=4625\n| bin _time span=45s\n| stats avg(Size) as value_avg by _time\n"
               "| search value_avg > 3");
    check_rule(BASE_RULES "title: c\ncorrelation:\n  type: value_sum\n  rules: [failed]\n"
                          "  timespan: 45s\n  condition: {gt: 3, field: Size}\n",
               2,
               "EventID=4625\n| bin _time span=45s\n| stats sum(Size) as value_sum by _time\n"
               "| search value_sum > 3");
}

static void test_correlation_multisearch(void **state) {
    (void)state;
    check_rule(BASE_RULES "title: c\ncorrelation:\n  type: event_count\n  rules: [failed, success]\n"
                          "  group-by: [Host]\n  timespan: 5m\n  condition: {gte: 3}\n",
               2,
               "| multisearch [ search EventID=4625 | eval sigc_rule=\"failed\" ] [ search EventID=4624 AND "
               "Name=\"*a*b*\" | where match('Name', \"(?is)a.b\") | eval sigc_rule=\"success\" ]\n"
               "| bin _time span=5m\n| stats count as event_count by _time Host\n| search event_count >= 3");
}

static void test_correlation_temporal(void **state) {
    (void)state;
    /* aliases: one eval per branch; no condition means every rule */
    check_rule(BASE_RULES "title: c\ncorrelation:\n  type: temporal\n  rules: [failed, success]\n"
                          "  aliases:\n    usr:\n      failed: TargetUserName\n      success: 'Subject-User'\n"
                          "  group-by: [usr]\n  timespan: 90m\n",
               2,
               "| multisearch [ search EventID=4625 | eval sigc_rule=\"failed\" | eval usr='TargetUserName' ] "
               "[ search EventID=4624 AND Name=\"*a*b*\" | where match('Name', \"(?is)a.b\") "
               "| eval sigc_rule=\"success\" | eval usr='Subject-User' ]\n"
               "| bin _time span=90m\n| stats dc(sigc_rule) as rule_count by _time usr\n| search rule_count >= 2");
    /* the extended condition over the rules seen per group */
    check_rule(BASE_RULES "title: c\ncorrelation:\n  type: temporal\n  rules: [failed, success]\n"
                          "  group-by: [Host]\n  timespan: 2h\n  condition: failed and not success\n",
               2,
               "| multisearch [ search EventID=4625 | eval sigc_rule=\"failed\" ] [ search EventID=4624 AND "
               "Name=\"*a*b*\" | where match('Name', \"(?is)a.b\") | eval sigc_rule=\"success\" ]\n"
               "| bin _time span=2h\n| stats values(sigc_rule) as sigc_rules by _time Host\n"
               "| search sigc_rules=\"failed\" AND NOT sigc_rules=\"success\"");
}

#define THIRD_RULE                                                                                  \
    "---\ntitle: Exec\nname: exec\nlogsource: {product: windows}\ndetection:\n  sel:\n"              \
    "    EventID: 4688\n  condition: sel\n"

static void test_correlation_temporal_ordered(void **state) {
    (void)state;
    /* two rules, group-by: the first success at or after the first failure */
    check_rule(BASE_RULES "title: c\ncorrelation:\n  type: temporal_ordered\n  rules: [failed, success]\n"
                          "  group-by: [Host]\n  timespan: 1h\n",
               2,
               "| multisearch [ search EventID=4625 | eval sigc_rule=\"failed\" ] [ search EventID=4624 AND "
               "Name=\"*a*b*\" | where match('Name', \"(?is)a.b\") | eval sigc_rule=\"success\" ]\n"
               "| eval sigc_t=_time\n| bin _time span=1h\n"
               "| eval sigc_t1=if(sigc_rule==\"failed\", sigc_t, null())\n"
               "| eventstats min(sigc_t1) as sigc_T1 by _time Host\n"
               "| eval sigc_t2=if(sigc_rule==\"success\" AND sigc_t>=sigc_T1, sigc_t, null())\n"
               "| eventstats min(sigc_t2) as sigc_T2 by _time Host\n"
               "| stats min(sigc_T2) as sigc_last by _time Host\n| search sigc_last=*");
    /* two rules, no group-by: by _time only */
    check_rule(BASE_RULES "title: c\ncorrelation:\n  type: temporal_ordered\n  rules: [success, failed]\n"
                          "  timespan: 10m\n",
               2,
               "| multisearch [ search EventID=4624 AND Name=\"*a*b*\" | where match('Name', \"(?is)a.b\") "
               "| eval sigc_rule=\"success\" ] [ search EventID=4625 | eval sigc_rule=\"failed\" ]\n"
               "| eval sigc_t=_time\n| bin _time span=10m\n"
               "| eval sigc_t1=if(sigc_rule==\"success\", sigc_t, null())\n"
               "| eventstats min(sigc_t1) as sigc_T1 by _time\n"
               "| eval sigc_t2=if(sigc_rule==\"failed\" AND sigc_t>=sigc_T1, sigc_t, null())\n"
               "| eventstats min(sigc_t2) as sigc_T2 by _time\n"
               "| stats min(sigc_T2) as sigc_last by _time\n| search sigc_last=*");
    /* three rules, two group-by fields, an alias renamed in each branch;
     * the explicit condition "all rules" is the default */
    check_rule(BASE_RULES "title: c\ncorrelation:\n  type: temporal_ordered\n  rules: [failed, success, exec]\n"
                          "  aliases:\n    usr:\n      failed: TargetUserName\n      success: 'Subject-User'\n"
                          "      exec: SubjectUserName\n"
                          "  group-by: [usr, Host]\n  timespan: 2h\n  condition: {gte: 3}\n" THIRD_RULE,
               2,
               "| multisearch [ search EventID=4625 | eval sigc_rule=\"failed\" | eval usr='TargetUserName' ] "
               "[ search EventID=4624 AND Name=\"*a*b*\" | where match('Name', \"(?is)a.b\") "
               "| eval sigc_rule=\"success\" | eval usr='Subject-User' ] "
               "[ search EventID=4688 | eval sigc_rule=\"exec\" | eval usr='SubjectUserName' ]\n"
               "| eval sigc_t=_time\n| bin _time span=2h\n"
               "| eval sigc_t1=if(sigc_rule==\"failed\", sigc_t, null())\n"
               "| eventstats min(sigc_t1) as sigc_T1 by _time usr Host\n"
               "| eval sigc_t2=if(sigc_rule==\"success\" AND sigc_t>=sigc_T1, sigc_t, null())\n"
               "| eventstats min(sigc_t2) as sigc_T2 by _time usr Host\n"
               "| eval sigc_t3=if(sigc_rule==\"exec\" AND sigc_t>=sigc_T2, sigc_t, null())\n"
               "| eventstats min(sigc_t3) as sigc_T3 by _time usr Host\n"
               "| stats min(sigc_T3) as sigc_last by _time usr Host\n| search sigc_last=*");
    /* three rules, no group-by */
    check_rule(BASE_RULES "title: c\ncorrelation:\n  type: temporal_ordered\n  rules: [exec, failed, success]\n"
                          "  timespan: 30s\n" THIRD_RULE,
               2,
               "| multisearch [ search EventID=4688 | eval sigc_rule=\"exec\" ] [ search EventID=4625 "
               "| eval sigc_rule=\"failed\" ] [ search EventID=4624 AND Name=\"*a*b*\" "
               "| where match('Name', \"(?is)a.b\") | eval sigc_rule=\"success\" ]\n"
               "| eval sigc_t=_time\n| bin _time span=30s\n"
               "| eval sigc_t1=if(sigc_rule==\"exec\", sigc_t, null())\n"
               "| eventstats min(sigc_t1) as sigc_T1 by _time\n"
               "| eval sigc_t2=if(sigc_rule==\"failed\" AND sigc_t>=sigc_T1, sigc_t, null())\n"
               "| eventstats min(sigc_t2) as sigc_T2 by _time\n"
               "| eval sigc_t3=if(sigc_rule==\"success\" AND sigc_t>=sigc_T2, sigc_t, null())\n"
               "| eventstats min(sigc_t3) as sigc_T3 by _time\n"
               "| stats min(sigc_T3) as sigc_last by _time\n| search sigc_last=*");
}

static void test_correlation_unsupported(void **state) {
    (void)state;
    /* temporal_ordered: a rule named twice, a condition other than all rules */
    check_unsupported(BASE_RULES "title: c\ncorrelation:\n  type: temporal_ordered\n"
                                 "  rules: [failed, success, failed]\n  group-by: [Host]\n  timespan: 1h\n",
                      2, 20, 3, "referenced twice");
    check_unsupported(BASE_RULES "title: c\ncorrelation:\n  type: temporal_ordered\n  rules: [failed, success]\n"
                                 "  timespan: 1h\n  condition: failed and not success\n",
                      2, 20, 3, "temporal_ordered");
    check_unsupported(BASE_RULES "title: c\ncorrelation:\n  type: temporal_ordered\n  rules: [failed, success]\n"
                                 "  timespan: 1h\n  condition: {gte: 1}\n",
                      2, 20, 3, "temporal_ordered");
    check_unsupported(BASE_RULES "title: c\ncorrelation:\n  type: temporal_ordered\n  rules: [failed, success]\n"
                                 "  group-by: [sigc_t]\n  timespan: 1h\n",
                      2, 20, 3, "sigc_");
    /* the referenced rule's predicate is where the error is */
    check_unsupported("title: b\nname: b\nlogsource: {product: windows}\ndetection:\n  sel:\n    A|expand: '%x%'\n"
                      "  condition: sel\n---\n"
                      "title: c\ncorrelation:\n  type: event_count\n  rules: [b]\n  timespan: 1h\n"
                      "  condition: {gte: 2}\n",
                      1, 6, 15, "placeholder");
    /* a rule name with a wildcard is fine as an eval value */
    check_rule("title: a\nname: 'a*'\nlogsource: {product: windows}\ndetection:\n  sel:\n    A: x\n"
               "  condition: sel\n---\n"
               "title: b\nname: b\nlogsource: {product: windows}\ndetection:\n  sel:\n    B: y\n"
               "  condition: sel\n---\n"
               "title: c\ncorrelation:\n  type: temporal\n  rules: ['a*', b]\n  timespan: 1h\n",
               2,
               "| multisearch [ search A=\"x\" | eval sigc_rule=\"a*\" ] [ search B=\"y\" | eval sigc_rule=\"b\" ]\n"
               "| bin _time span=1h\n| stats dc(sigc_rule) as rule_count by _time\n| search rule_count >= 2");
}

static void test_correlation_hostile_name(void **state) {
    (void)state;
    /* a rule name's quotes, backslashes, pipes and brackets stay inside
     * the eval string of its multisearch bracket */
    sctx c;
    s_compile(&c, "title: a\nname: 'q\"\\x | y ] ['\nlogsource: {product: windows}\ndetection:\n  sel:\n    A: x\n"
                  "  condition: sel\n---\n"
                  "title: b\nname: b\nlogsource: {product: windows}\ndetection:\n  sel:\n    B: y\n"
                  "  condition: sel\n---\n"
                  "title: c\ncorrelation:\n  type: temporal\n  rules: ['q\"\\x | y ] [', b]\n  timespan: 1h\n");
    assert_emit(&c, 2,
                "| multisearch [ search A=\"x\" | eval sigc_rule=\"q\\\"\\\\x | y ] [\" ] [ search B=\"y\" | eval "
                "sigc_rule=\"b\" ]\n| bin _time span=1h\n| stats dc(sigc_rule) as rule_count by _time\n"
                "| search rule_count >= 2");
    const char *q = strstr(c.out.data, "sigc_rule=") + 10;
    sg_buf tok;
    sg_buf_init(&tok);
    read_quoted(&q, &tok);
    sg_buf_add_byte(&tok, '\0');
    assert_text(tok.data, "q\"\\x | y ] [");
    assert_true(strncmp(q, " ] [ search B=", 13) == 0);
    sg_buf_free(&tok);
    s_free(&c);
    /* names equal but for case cannot be told apart by a search term */
    check_unsupported("title: a\nname: Up\nlogsource: {product: windows}\ndetection:\n  sel:\n    A: x\n"
                      "  condition: sel\n---\n"
                      "title: b\nname: up\nlogsource: {product: windows}\ndetection:\n  sel:\n    B: y\n"
                      "  condition: sel\n---\n"
                      "title: c\ncorrelation:\n  type: temporal\n  rules: [Up, up]\n  timespan: 1h\n"
                      "  condition: Up and not up\n",
                      2, 19, 3, "differ only in case");
}

static void test_filter_rule_unsupported(void **state) {
    (void)state;
    sctx c;
    s_compile(&c, HDR "  sel:\n    A: x\n  condition: sel\n");
    s_ir(&c, 0)->kind = SG_RULE_FILTER;
    s_ir(&c, 0)->meta.line = 1;
    assert_unsupported_in(&c, 0, "r.yml", 1, 1, "filter");
    s_free(&c);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_equality_and_wildcards),
        cmocka_unit_test(test_in_lists),
        cmocka_unit_test(test_boolean_structure),
        cmocka_unit_test(test_numbers_and_booleans),
        cmocka_unit_test(test_exists_and_null),
        cmocka_unit_test(test_literal_star),
        cmocka_unit_test(test_question_mark),
        cmocka_unit_test(test_cased),
        cmocka_unit_test(test_regex),
        cmocka_unit_test(test_cidr),
        cmocka_unit_test(test_fieldref),
        cmocka_unit_test(test_keywords),
        cmocka_unit_test(test_or_across_parts),
        cmocka_unit_test(test_filters_de_morgan),
        cmocka_unit_test(test_superset_of_and),
        cmocka_unit_test(test_timeparts),
        cmocka_unit_test(test_placeholder_unsupported),
        cmocka_unit_test(test_constants),
        cmocka_unit_test(test_hostile_values),
        cmocka_unit_test(test_hostile_line_breaks),
        cmocka_unit_test(test_non_utf8_unsupported),
        cmocka_unit_test(test_field_names),
        cmocka_unit_test(test_comment),
        cmocka_unit_test(test_legacy_count),
        cmocka_unit_test(test_threshold_block),
        cmocka_unit_test(test_threshold_operators),
        cmocka_unit_test(test_placeholder_rule),
        cmocka_unit_test(test_near_unsupported),
        cmocka_unit_test(test_agg_fields),
        cmocka_unit_test(test_correlation_single_rule),
        cmocka_unit_test(test_correlation_multisearch),
        cmocka_unit_test(test_correlation_temporal),
        cmocka_unit_test(test_correlation_temporal_ordered),
        cmocka_unit_test(test_correlation_unsupported),
        cmocka_unit_test(test_correlation_hostile_name),
        cmocka_unit_test(test_filter_rule_unsupported),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
