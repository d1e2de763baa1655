/* test_render.c - the four diagnostic output formats (render.c).
 *
 * Every format is written into a memory stream and compared with the
 * exact expected text.  Hostile messages and file names (quotes,
 * backslash, CR/LF, ESC, DEL, C1 controls, invalid UTF-8, U+2028, '%',
 * ',' and ':') go through every format.  JSON and SARIF output is also
 * run through a strict JSON well-formedness checker (below), which has
 * its own tests so it can be trusted.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "render.h"

/* ---- a strict JSON checker (RFC 8259), independent of render.c ---- */

typedef struct jcheck {
    const unsigned char *p;
    const unsigned char *end;
    int depth;
} jcheck;

static bool jc_value(jcheck *j);

static void jc_ws(jcheck *j) {
    while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r'))
        j->p++;
}

static bool jc_literal(jcheck *j, const char *word) {
    size_t n = strlen(word);
    if ((size_t)(j->end - j->p) < n || memcmp(j->p, word, n) != 0) return false;
    j->p += n;
    return true;
}

static int jc_hex(unsigned c) {
    if (c >= '0' && c <= '9') return (int)(c - '0');
    if (c >= 'a' && c <= 'f') return (int)(c - 'a' + 10);
    if (c >= 'A' && c <= 'F') return (int)(c - 'A' + 10);
    return -1;
}

/* Reads the 4 hex digits after "\u"; -1 when malformed. */
static long jc_u4(jcheck *j) {
    if (j->end - j->p < 4) return -1;
    long v = 0;
    for (int i = 0; i < 4; i++) {
        int h = jc_hex(j->p[i]);
        if (h < 0) return -1;
        v = v * 16 + h;
    }
    j->p += 4;
    return v;
}

/* Length of the well-formed UTF-8 sequence at p (Unicode table 3-7), or 0. */
static size_t jc_utf8(const unsigned char *p, const unsigned char *end) {
    size_t avail = (size_t)(end - p);
    unsigned c = p[0];
    size_t n;
    unsigned lo = 0x80, hi = 0xBF;
    if (c < 0x80) return 1;
    if (c >= 0xC2 && c <= 0xDF) n = 2;
    else if (c == 0xE0) n = 3, lo = 0xA0;
    else if (c == 0xED) n = 3, hi = 0x9F;
    else if (c >= 0xE1 && c <= 0xEF) n = 3;
    else if (c == 0xF0) n = 4, lo = 0x90;
    else if (c == 0xF4) n = 4, hi = 0x8F;
    else if (c >= 0xF1 && c <= 0xF3) n = 4;
    else return 0;
    if (avail < n) return 0;
    if (p[1] < lo || p[1] > hi) return 0;
    for (size_t i = 2; i < n; i++)
        if (p[i] < 0x80 || p[i] > 0xBF) return 0;
    return n;
}

static bool jc_string(jcheck *j) {
    if (j->p >= j->end || *j->p != '"') return false;
    j->p++;
    while (j->p < j->end) {
        unsigned c = *j->p;
        if (c == '"') {
            j->p++;
            return true;
        }
        if (c < 0x20) return false;
        if (c == '\\') {
            j->p++;
            if (j->p >= j->end) return false;
            unsigned e = *j->p++;
            if (strchr("\"\\/bfnrt", (int)e) && e) continue;
            if (e != 'u') return false;
            long u = jc_u4(j);
            if (u < 0) return false;
            if (u >= 0xDC00 && u <= 0xDFFF) return false; /* lone low surrogate */
            if (u >= 0xD800 && u <= 0xDBFF) {
                if (!jc_literal(j, "\\u")) return false;
                long lo = jc_u4(j);
                if (lo < 0xDC00 || lo > 0xDFFF) return false;
            }
            continue;
        }
        size_t n = jc_utf8(j->p, j->end);
        if (n == 0) return false;
        j->p += n;
    }
    return false;
}

static bool jc_digits(jcheck *j) {
    const unsigned char *start = j->p;
    while (j->p < j->end && *j->p >= '0' && *j->p <= '9') j->p++;
    return j->p > start;
}

static bool jc_number(jcheck *j) {
    if (j->p < j->end && *j->p == '-') j->p++;
    if (j->p >= j->end) return false;
    if (*j->p == '0') j->p++;
    else if (*j->p >= '1' && *j->p <= '9') jc_digits(j);
    else return false;
    if (j->p < j->end && *j->p == '.') {
        j->p++;
        if (!jc_digits(j)) return false;
    }
    if (j->p < j->end && (*j->p == 'e' || *j->p == 'E')) {
        j->p++;
        if (j->p < j->end && (*j->p == '+' || *j->p == '-')) j->p++;
        if (!jc_digits(j)) return false;
    }
    return true;
}

/* Parses "[ value, ... ]" or "{ "key": value, ... }". */
static bool jc_container(jcheck *j, bool object) {
    char close = object ? '}' : ']';
    if (++j->depth > 200) return false;
    j->p++;
    jc_ws(j);
    if (j->p < j->end && *j->p == close) {
        j->p++;
        j->depth--;
        return true;
    }
    for (;;) {
        jc_ws(j);
        if (object) {
            if (!jc_string(j)) return false;
            jc_ws(j);
            if (j->p >= j->end || *j->p != ':') return false;
            j->p++;
        }
        if (!jc_value(j)) return false;
        jc_ws(j);
        if (j->p >= j->end) return false;
        if (*j->p == ',') {
            j->p++;
            continue;
        }
        if (*j->p != close) return false;
        j->p++;
        j->depth--;
        return true;
    }
}

static bool jc_value(jcheck *j) {
    jc_ws(j);
    if (j->p >= j->end) return false;
    switch (*j->p) {
    case '{': return jc_container(j, true);
    case '[': return jc_container(j, false);
    case '"': return jc_string(j);
    case 't': return jc_literal(j, "true");
    case 'f': return jc_literal(j, "false");
    case 'n': return jc_literal(j, "null");
    default: return jc_number(j);
    }
}

/* True when s[0..len) is exactly one JSON value with optional whitespace. */
static bool json_valid_n(const char *s, size_t len) {
    jcheck j = {(const unsigned char *)s, (const unsigned char *)s + len, 0};
    if (!jc_value(&j)) return false;
    jc_ws(&j);
    return j.p == j.end;
}

static bool json_valid(const char *s) { return json_valid_n(s, strlen(s)); }

/* ---- helpers ---- */

static sg_loc loc(const char *file, uint32_t line, uint32_t col) {
    return (sg_loc){file, line, col};
}

/* Renders d in fmt into a heap string (caller frees). */
static char *render_opts(const sg_diags *d, sg_report_format fmt, bool color, const char *version) {
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    assert_non_null(f);
    sg_report_opts opts = {.color = color, .tool_version = version};
    assert_int_equal(sg_report_write(f, d, fmt, &opts), 0);
    assert_int_equal(fclose(f), 0);
    assert_non_null(text);
    assert_int_equal(strlen(text), len); /* no NUL ever written */
    return text;
}

static char *render(const sg_diags *d, sg_report_format fmt) {
    return render_opts(d, fmt, false, "9.8.7");
}

static size_t count_char(const char *s, char c) {
    size_t n = 0;
    for (; *s; s++) n += *s == c;
    return n;
}

static size_t count_substr(const char *s, const char *sub) {
    size_t n = 0;
    for (const char *p = strstr(s, sub); p; p = strstr(p + 1, sub)) n++;
    return n;
}

static void assert_json_string(const char *in, size_t len, const char *expected) {
    sg_buf b;
    sg_buf_init(&b);
    sg_json_add_string(&b, in, len);
    assert_non_null(b.data);
    assert_string_equal(b.data, expected);
    assert_true(json_valid(b.data));
    sg_buf_free(&b);
}

/* The hostile message: quotes, backslash, LF, CR, ESC sequence, TAB, DEL,
 * an invalid byte, a C1 CSI, U+2028, '%', ',' and ':', and a valid é. */
#define HOSTILE_MSG                                                                             \
    "say \"hi\" \\ back\nline2\r\x1b[31mred\t\x7f \xff \xc2\x9b \xe2\x80\xa8 100% a,b:c \xc3\xa9"
#define HOSTILE_FILE "dir/a b,c:d%e#f?.yml"

/* A list exercising every kind of location. */
static void fill_basic(sg_diags *d) {
    sg_diags_init(d);
    sg_diag_add(d, SG_D_YAML_SYNTAX, loc("rules/a.yml", 3, 5), "%s", "mapping values are not allowed");
    sg_diag_add(d, SG_D_UNKNOWN_KEY, loc("rules/a.yml", 7, 0), "unknown key '%s'", "foo");
    sg_diags_tag_rule(d, 0, SG_STR_LIT("929a690e-bef0-4204-a928-ef5e620d6fcc"));
    sg_diag_add(d, SG_D_PLACEHOLDER_FILLED, loc("<stdin>", 0, 0), "%s", "filled in");
    sg_diag_add(d, SG_D_IO, loc(NULL, 0, 0), "%s", "cannot open 'x': No such file");
}

static void fill_hostile(sg_diags *d) {
    sg_diags_init(d);
    sg_diag_add(d, SG_D_DETECTION, loc(HOSTILE_FILE, 2, 4), "%s", HOSTILE_MSG);
}

/* ---- the JSON checker itself ---- */

static void test_checker_accepts(void **state) {
    (void)state;
    assert_true(json_valid("[]"));
    assert_true(json_valid(" {} \n"));
    assert_true(json_valid("{\"a\":[1,-2.5e+3,0,true,false,null,\"x\\u00e9\\n\"]}"));
    assert_true(json_valid("\"\\ud83d\\ude00 \xf0\x9f\x98\x80\""));
    assert_true(json_valid("[{\"a\":{\"b\":[]}}]"));
}

static void test_checker_rejects(void **state) {
    (void)state;
    assert_false(json_valid(""));
    assert_false(json_valid("[1,]"));
    assert_false(json_valid("{\"a\":1,}"));
    assert_false(json_valid("{a:1}"));
    assert_false(json_valid("[01]"));
    assert_false(json_valid("[1.]"));
    assert_false(json_valid("[1] x"));
    assert_false(json_valid("[\"a\nb\"]"));         /* raw control */
    assert_false(json_valid("[\"\\x41\"]"));        /* bad escape */
    assert_false(json_valid("[\"\\u12\"]"));        /* short \u */
    assert_false(json_valid("[\"\\udc00\"]"));      /* lone surrogate */
    assert_false(json_valid("[\"\xff\"]"));         /* invalid UTF-8 */
    assert_false(json_valid("[\"\xc0\xaf\"]"));     /* overlong */
    assert_false(json_valid("[\"\xed\xa0\x80\"]")); /* encoded surrogate */
    assert_false(json_valid("[\"abc]"));
    assert_false(json_valid("[tru]"));
    assert_false(json_valid("{\"a\" 1}"));
}

/* ---- format names ---- */

static void test_format_parse(void **state) {
    (void)state;
    sg_report_format f = SG_REPORT_TEXT;
    assert_true(sg_report_format_parse("text", &f));
    assert_int_equal(f, SG_REPORT_TEXT);
    assert_true(sg_report_format_parse("json", &f));
    assert_int_equal(f, SG_REPORT_JSON);
    assert_true(sg_report_format_parse("sarif", &f));
    assert_int_equal(f, SG_REPORT_SARIF);
    assert_true(sg_report_format_parse("github", &f));
    assert_int_equal(f, SG_REPORT_GITHUB);
    f = SG_REPORT_SARIF;
    assert_false(sg_report_format_parse("", &f));
    assert_false(sg_report_format_parse("TEXT", &f));
    assert_false(sg_report_format_parse("jsonl", &f));
    assert_false(sg_report_format_parse("git", &f));
    assert_false(sg_report_format_parse(NULL, &f));
    assert_int_equal(f, SG_REPORT_SARIF); /* untouched on failure */
}

/* ---- sg_json_add_string ---- */

static void test_json_string_plain(void **state) {
    (void)state;
    assert_json_string("", 0, "\"\"");
    assert_json_string("abc", 3, "\"abc\"");
    assert_json_string("a\"b\\c/d", 7, "\"a\\\"b\\\\c/d\"");
    assert_json_string("\b\f\n\r\t", 5, "\"\\b\\f\\n\\r\\t\"");
    assert_json_string("\x01\x1b\x1f\x7f", 4, "\"\\u0001\\u001b\\u001f\\u007f\"");
    assert_json_string("a\0b", 3, "\"a\\u0000b\"");
    /* only len bytes are read */
    assert_json_string("abcdef", 2, "\"ab\"");
}

static void test_json_string_unicode(void **state) {
    (void)state;
    /* valid multi-byte characters pass through */
    assert_json_string("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", 9,
                       "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"");
    assert_json_string("\xef\xbf\xbd", 3, "\"\xef\xbf\xbd\""); /* a real U+FFFD */
    /* JavaScript line terminators and C1 controls are escaped */
    assert_json_string("\xe2\x80\xa8|\xe2\x80\xa9", 7, "\"\\u2028|\\u2029\"");
    assert_json_string("\xc2\x80\xc2\x9b\xc2\x9f\xc2\xa0", 8,
                       "\"\\u0080\\u009b\\u009f\xc2\xa0\"");
}

static void test_json_string_invalid_utf8(void **state) {
    (void)state;
    assert_json_string("\xff", 1, "\"\\ufffd\"");
    assert_json_string("a\x80z", 3, "\"a\\ufffdz\"");
    /* overlong encodings: each byte is its own ill-formed subpart */
    assert_json_string("\xc0\xaf", 2, "\"\\ufffd\\ufffd\"");
    assert_json_string("\xe0\x80\xaf", 3, "\"\\ufffd\\ufffd\\ufffd\"");
    /* UTF-16 surrogates and code points above U+10FFFF */
    assert_json_string("\xed\xa0\x80", 3, "\"\\ufffd\\ufffd\\ufffd\"");
    assert_json_string("\xf4\x90\x80\x80", 4, "\"\\ufffd\\ufffd\\ufffd\\ufffd\"");
    assert_json_string("\xf5", 1, "\"\\ufffd\"");
    /* a truncated sequence is one maximal subpart */
    assert_json_string("\xe2\x82", 2, "\"\\ufffd\"");
    assert_json_string("\xe2\x82" "A", 3, "\"\\ufffdA\"");
    assert_json_string("\xf0\x9f\x98" "x\"", 5, "\"\\ufffdx\\\"\"");
    /* a sequence cut by the length limit */
    assert_json_string("\xc3\xa9", 1, "\"\\ufffd\"");
}

/* ---- text ---- */

static void test_text_basic(void **state) {
    (void)state;
    sg_diags d;
    fill_basic(&d);
    char *out = render(&d, SG_REPORT_TEXT);
    assert_string_equal(out,
                        "rules/a.yml:3:5: error[yaml_syntax]: mapping values are not allowed\n"
                        "rules/a.yml:7: warning[unknown_key]: unknown key 'foo'\n"
                        "<stdin>: note[placeholder_filled]: filled in\n"
                        "sigc: error[io_error]: cannot open 'x': No such file\n");
    free(out);
    sg_diags_free(&d);
}

static void test_text_color(void **state) {
    (void)state;
    sg_diags d;
    fill_basic(&d);
    char *out = render_opts(&d, SG_REPORT_TEXT, true, NULL);
    assert_string_equal(
        out, "\033[1mrules/a.yml:3:5:\033[0m \033[1;31merror\033[0m[yaml_syntax]: "
             "mapping values are not allowed\n"
             "\033[1mrules/a.yml:7:\033[0m \033[1;35mwarning\033[0m[unknown_key]: unknown key 'foo'\n"
             "\033[1m<stdin>:\033[0m \033[1;36mnote\033[0m[placeholder_filled]: filled in\n"
             "\033[1msigc:\033[0m \033[1;31merror\033[0m[io_error]: cannot open 'x': No such file\n");
    free(out);
    sg_diags_free(&d);
}

static void test_text_severity_override(void **state) {
    (void)state;
    sg_diags d;
    sg_diags_init(&d);
    sg_diag_add_sev(&d, SG_D_YAML_SYNTAX, SG_SEV_NOTE, loc("x.yml", 1, 1), "%s", "m");
    char *out = render(&d, SG_REPORT_TEXT);
    assert_string_equal(out, "x.yml:1:1: note[yaml_syntax]: m\n");
    free(out);
    sg_diags_free(&d);
}

static void test_text_hostile(void **state) {
    (void)state;
    sg_diags d;
    fill_hostile(&d);
    sg_diag_add(&d, SG_D_IO, loc("evil\n\x1b]0;title\x07.yml", 1, 0), "%s", "\x1b[2J\r\n");
    char *out = render_opts(&d, SG_REPORT_TEXT, true, NULL);
    assert_string_equal(
        out, "\033[1m" HOSTILE_FILE ":2:4:\033[0m \033[1;31merror\033[0m[detection]: "
             "say \"hi\" \\ back\\x0aline2\\x0d\\x1b[31mred\\x09\\x7f \\xff \\xc2\\x9b "
             "\xe2\x80\xa8 100% a,b:c \xc3\xa9\n"
             "\033[1mevil\\x0a\\x1b]0;title\\x07.yml:1:\033[0m \033[1;31merror\033[0m[io_error]: "
             "\\x1b[2J\\x0d\\x0a\n");
    /* one line per diagnostic; the only ESC bytes are our own colour codes */
    assert_int_equal(count_char(out, '\n'), 2);
    assert_int_equal(count_char(out, '\033'), 8);
    free(out);

    out = render(&d, SG_REPORT_TEXT);
    assert_null(strchr(out, '\033'));
    assert_null(strchr(out, '\r'));
    assert_int_equal(count_char(out, '\n'), 2);
    free(out);
    sg_diags_free(&d);
}

static void test_text_empty(void **state) {
    (void)state;
    sg_diags d;
    sg_diags_init(&d);
    char *out = render(&d, SG_REPORT_TEXT);
    assert_string_equal(out, "");
    free(out);
    free(render(&d, SG_REPORT_GITHUB));
    sg_diags_free(&d);
}

/* ---- json ---- */

static void test_json_basic(void **state) {
    (void)state;
    sg_diags d;
    fill_basic(&d);
    char *out = render(&d, SG_REPORT_JSON);
    assert_string_equal(
        out,
        "[\n"
        "  {\"file\":\"rules/a.yml\",\"line\":3,\"column\":5,\"severity\":\"error\","
        "\"check\":\"yaml_syntax\",\"message\":\"mapping values are not allowed\","
        "\"rule_id\":\"929a690e-bef0-4204-a928-ef5e620d6fcc\"},\n"
        "  {\"file\":\"rules/a.yml\",\"line\":7,\"column\":0,\"severity\":\"warning\","
        "\"check\":\"unknown_key\",\"message\":\"unknown key 'foo'\","
        "\"rule_id\":\"929a690e-bef0-4204-a928-ef5e620d6fcc\"},\n"
        "  {\"file\":\"<stdin>\",\"line\":0,\"column\":0,\"severity\":\"note\","
        "\"check\":\"placeholder_filled\",\"message\":\"filled in\",\"rule_id\":null},\n"
        "  {\"file\":null,\"line\":0,\"column\":0,\"severity\":\"error\","
        "\"check\":\"io_error\",\"message\":\"cannot open 'x': No such file\",\"rule_id\":null}\n"
        "]\n");
    assert_true(json_valid(out));
    free(out);
    sg_diags_free(&d);
}

static void test_json_hostile(void **state) {
    (void)state;
    sg_diags d;
    fill_hostile(&d);
    sg_diags_tag_rule(&d, 0, SG_STR_LIT("id\"\n\xff"));
    char *out = render(&d, SG_REPORT_JSON);
    assert_string_equal(out, "[\n"
                             "  {\"file\":\"" HOSTILE_FILE "\",\"line\":2,\"column\":4,"
                             "\"severity\":\"error\",\"check\":\"detection\",\"message\":"
                             "\"say \\\"hi\\\" \\\\ back\\nline2\\r\\u001b[31mred\\t\\u007f "
                             "\\ufffd \\u009b \\u2028 100% a,b:c \xc3\xa9\","
                             "\"rule_id\":\"id\\\"\\n\\ufffd\"}\n"
                             "]\n");
    assert_true(json_valid(out));
    assert_null(strchr(out, '\033'));
    free(out);
    sg_diags_free(&d);
}

static void test_json_empty(void **state) {
    (void)state;
    sg_diags d;
    sg_diags_init(&d);
    char *out = render(&d, SG_REPORT_JSON);
    assert_string_equal(out, "[]\n");
    assert_true(json_valid(out));
    free(out);
    sg_diags_free(&d);
}

/* Enough output to pass the internal flush threshold several times. */
static void test_json_large(void **state) {
    (void)state;
    sg_diags d;
    sg_diags_init(&d);
    for (uint32_t i = 1; i <= 3000; i++)
        sg_diag_add(&d, SG_D_REGEX, loc("big.yml", i, i % 7), "pattern %u: %s", (unsigned)i,
                    "\"(a+)+\"\n\xff");
    char *out = render(&d, SG_REPORT_JSON);
    assert_true(strlen(out) > 3 * 65536);
    assert_true(json_valid(out));
    assert_int_equal(count_char(out, '\n'), 3002);
    assert_non_null(strstr(out, "\"line\":3000,\"column\":4,"));
    free(out);
    out = render(&d, SG_REPORT_SARIF);
    assert_true(json_valid(out));
    assert_int_equal(count_substr(out, "\"ruleId\":\"regex\""), 3000);
    free(out);
    sg_diags_free(&d);
}

/* ---- sarif ---- */

/* The expected document: fixed head, one rule line per table entry built
 * from sg_diag_table, then the given results text and the fixed tail. */
static char *sarif_expected(const char *version, const char *results) {
    static const char *const level[] = {"note", "warning", "error"};
    sg_buf b;
    sg_buf_init(&b);
    sg_buf_printf(&b,
                  "{\n"
                  "  \"$schema\": \"https://json.schemastore.org/sarif-2.1.0.json\",\n"
                  "  \"version\": \"2.1.0\",\n"
                  "  \"runs\": [\n"
                  "    {\n"
                  "      \"tool\": {\n"
                  "        \"driver\": {\n"
                  "          \"name\": \"sigc\",\n"
                  "          \"version\": \"%s\",\n"
                  "          \"informationUri\": \"https://github.com/sigc/sigc\",\n"
                  "          \"rules\": [\n",
                  version);
    for (int i = 0; i < SG_D__COUNT; i++) {
        const sg_diag_info *r = &sg_diag_table[i];
        /* the table is plain ASCII: no escaping needed in the expectation */
        assert_null(strpbrk(r->summary, "\"\\"));
        sg_buf_printf(&b,
                      "            {\"id\":\"%s\",\"shortDescription\":{\"text\":\"%s\"},"
                      "\"defaultConfiguration\":{\"level\":\"%s\"}}%s\n",
                      r->id, r->summary, level[r->severity], i + 1 < SG_D__COUNT ? "," : "");
    }
    sg_buf_printf(&b,
                  "          ]\n"
                  "        }\n"
                  "      },\n"
                  "      \"columnKind\": \"unicodeCodePoints\",\n"
                  "      \"results\": [%s]\n"
                  "    }\n"
                  "  ]\n"
                  "}\n",
                  results);
    return b.data;
}

static void test_sarif_empty(void **state) {
    (void)state;
    sg_diags d;
    sg_diags_init(&d);
    char *out = render(&d, SG_REPORT_SARIF);
    char *expected = sarif_expected("9.8.7", "");
    assert_string_equal(out, expected);
    assert_true(json_valid(out));
    free(expected);
    free(out);
    sg_diags_free(&d);
}

static void test_sarif_default_version(void **state) {
    (void)state;
    sg_diags d;
    sg_diags_init(&d);
    char *out = render_opts(&d, SG_REPORT_SARIF, true, NULL);
    char *expected = sarif_expected(SIGC_VERSION, "");
    assert_string_equal(out, expected);
    free(expected);
    free(out);
    sg_diags_free(&d);
}

/* Each rule appears once, in table order, and nothing else has an "id". */
static void test_sarif_rules(void **state) {
    (void)state;
    sg_diags d;
    sg_diags_init(&d);
    char *out = render(&d, SG_REPORT_SARIF);
    assert_int_equal(count_substr(out, "{\"id\":"), SG_D__COUNT);
    assert_int_equal(count_substr(out, "\"defaultConfiguration\""), SG_D__COUNT);
    const char *prev = out;
    for (int i = 0; i < SG_D__COUNT; i++) {
        char needle[128];
        snprintf(needle, sizeof needle, "{\"id\":\"%s\",", sg_diag_table[i].id);
        const char *at = strstr(out, needle);
        assert_non_null(at);
        assert_true(at > prev);
        assert_null(strstr(at + 1, needle));
        prev = at;
    }
    free(out);
    sg_diags_free(&d);
}

static void test_sarif_results(void **state) {
    (void)state;
    sg_diags d;
    fill_basic(&d);
    sg_diag_add_sev(&d, SG_D_REFERENCE, SG_SEV_WARNING, loc("./x/./y.yml", 9, 1), "%s", "ref");
    char *out = render(&d, SG_REPORT_SARIF);
    sg_buf r;
    sg_buf_init(&r);
    sg_buf_printf(&r,
                  "\n        {\"ruleId\":\"yaml_syntax\",\"ruleIndex\":%d,\"level\":\"error\","
                  "\"message\":{\"text\":\"mapping values are not allowed\"},"
                  "\"locations\":[{\"physicalLocation\":{\"artifactLocation\":"
                  "{\"uri\":\"rules/a.yml\",\"uriBaseId\":\"%%SRCROOT%%\"},"
                  "\"region\":{\"startLine\":3,\"startColumn\":5}}}]},"
                  "\n        {\"ruleId\":\"unknown_key\",\"ruleIndex\":%d,\"level\":\"warning\","
                  "\"message\":{\"text\":\"unknown key 'foo'\"},"
                  "\"locations\":[{\"physicalLocation\":{\"artifactLocation\":"
                  "{\"uri\":\"rules/a.yml\",\"uriBaseId\":\"%%SRCROOT%%\"},"
                  "\"region\":{\"startLine\":7}}}]},"
                  "\n        {\"ruleId\":\"placeholder_filled\",\"ruleIndex\":%d,\"level\":\"note\","
                  "\"message\":{\"text\":\"filled in\"},"
                  "\"locations\":[{\"physicalLocation\":{\"artifactLocation\":"
                  "{\"uri\":\"%%3Cstdin%%3E\",\"uriBaseId\":\"%%SRCROOT%%\"}}}]},"
                  "\n        {\"ruleId\":\"io_error\",\"ruleIndex\":%d,\"level\":\"error\","
                  "\"message\":{\"text\":\"cannot open 'x': No such file\"}},"
                  "\n        {\"ruleId\":\"reference\",\"ruleIndex\":%d,\"level\":\"warning\","
                  "\"message\":{\"text\":\"ref\"},"
                  "\"locations\":[{\"physicalLocation\":{\"artifactLocation\":"
                  "{\"uri\":\"x/./y.yml\",\"uriBaseId\":\"%%SRCROOT%%\"},"
                  "\"region\":{\"startLine\":9,\"startColumn\":1}}}]}"
                  "\n      ",
                  (int)SG_D_YAML_SYNTAX, (int)SG_D_UNKNOWN_KEY, (int)SG_D_PLACEHOLDER_FILLED,
                  (int)SG_D_IO, (int)SG_D_REFERENCE);
    char *expected = sarif_expected("9.8.7", r.data);
    assert_string_equal(out, expected);
    assert_true(json_valid(out));
    free(expected);
    sg_buf_free(&r);
    free(out);
    sg_diags_free(&d);
}

/* Every result's ruleIndex points at the rule named by its ruleId. */
static void test_sarif_rule_index(void **state) {
    (void)state;
    sg_diags d;
    sg_diags_init(&d);
    for (int i = SG_D__COUNT - 1; i >= 0; i--)
        sg_diag_add(&d, (sg_diag_id)i, loc("r.yml", 1, 1), "check %d", i);
    char *out = render(&d, SG_REPORT_SARIF);
    assert_true(json_valid(out));

    /* the rules array, in order */
    const char *rules[SG_D__COUNT];
    const char *p = out;
    for (int i = 0; i < SG_D__COUNT; i++) {
        p = strstr(p, "{\"id\":\"");
        assert_non_null(p);
        p += 7;
        rules[i] = p;
    }
    size_t seen = 0;
    for (const char *q = strstr(out, "{\"ruleId\":\""); q; q = strstr(q + 1, "{\"ruleId\":\"")) {
        q += 11;
        const char *quote = strchr(q, '"');
        assert_non_null(quote);
        size_t n = (size_t)(quote - q);
        int index = -1;
        assert_int_equal(sscanf(quote, "\",\"ruleIndex\":%d,", &index), 1);
        assert_true(index >= 0 && index < SG_D__COUNT);
        assert_int_equal(strlen(sg_diag_table[index].id), n);
        assert_memory_equal(sg_diag_table[index].id, q, n);
        assert_memory_equal(rules[index], q, n);
        assert_int_equal(rules[index][n], '"');
        seen++;
    }
    assert_int_equal(seen, SG_D__COUNT);
    free(out);
    sg_diags_free(&d);
}

/* Renders one diagnostic at file and returns its artifactLocation text. */
static char *sarif_artifact(const char *file) {
    sg_diags d;
    sg_diags_init(&d);
    sg_diag_add(&d, SG_D_RULE_VALUE, loc(file, 1, 2), "%s", "m");
    char *out = render(&d, SG_REPORT_SARIF);
    assert_true(json_valid(out));
    const char *start = strstr(out, "\"artifactLocation\":");
    assert_non_null(start);
    start += strlen("\"artifactLocation\":");
    const char *end = strstr(start, "},\"region\":{\"startLine\":1,\"startColumn\":2}}}]}");
    assert_non_null(end);
    size_t n = (size_t)(end - start) + 1;
    char *s = malloc(n + 1);
    assert_non_null(s);
    memcpy(s, start, n);
    s[n] = '\0';
    free(out);
    sg_diags_free(&d);
    return s;
}

static void assert_artifact(const char *file, const char *expected) {
    char *got = sarif_artifact(file);
    assert_string_equal(got, expected);
    free(got);
}

static void test_sarif_paths(void **state) {
    (void)state;
    assert_artifact("rules/a.yml", "{\"uri\":\"rules/a.yml\",\"uriBaseId\":\"%SRCROOT%\"}");
    assert_artifact("./rules/a b.yml", "{\"uri\":\"rules/a%20b.yml\",\"uriBaseId\":\"%SRCROOT%\"}");
    assert_artifact("././/x.yml", "{\"uri\":\"x.yml\",\"uriBaseId\":\"%SRCROOT%\"}");
    assert_artifact("../up.yml", "{\"uri\":\"../up.yml\",\"uriBaseId\":\"%SRCROOT%\"}");
    assert_artifact("dir/100%.yml", "{\"uri\":\"dir/100%25.yml\",\"uriBaseId\":\"%SRCROOT%\"}");
    assert_artifact(HOSTILE_FILE,
                    "{\"uri\":\"dir/a%20b,c%3Ad%25e%23f%3F.yml\",\"uriBaseId\":\"%SRCROOT%\"}");
    assert_artifact("r/\xc3\xa9t\xc3\xa9/\xff.yml",
                    "{\"uri\":\"r/%C3%A9t%C3%A9/%FF.yml\",\"uriBaseId\":\"%SRCROOT%\"}");
    assert_artifact("a\"b\\c\n<d>.yml",
                    "{\"uri\":\"a%22b%5Cc%0A%3Cd%3E.yml\",\"uriBaseId\":\"%SRCROOT%\"}");
    assert_artifact("sub-delims/!$&'()*+,;=@~_.yml",
                    "{\"uri\":\"sub-delims/!$&'()*+,;=@~_.yml\",\"uriBaseId\":\"%SRCROOT%\"}");
    /* absolute paths: file URIs with no base */
    assert_artifact("/home/u/rules/a b#1.yml", "{\"uri\":\"file:///home/u/rules/a%20b%231.yml\"}");
    assert_artifact("/x.yml", "{\"uri\":\"file:///x.yml\"}");
}

static void test_sarif_hostile(void **state) {
    (void)state;
    sg_diags d;
    fill_hostile(&d);
    sg_diags_tag_rule(&d, 0, SG_STR_LIT("rid"));
    char *out = render(&d, SG_REPORT_SARIF);
    sg_buf r;
    sg_buf_init(&r);
    sg_buf_printf(&r,
                  "\n        {\"ruleId\":\"detection\",\"ruleIndex\":%d,\"level\":\"error\","
                  "\"message\":{\"text\":"
                  "\"say \\\"hi\\\" \\\\ back\\nline2\\r\\u001b[31mred\\t\\u007f "
                  "\\ufffd \\u009b \\u2028 100%% a,b:c \xc3\xa9\"},"
                  "\"locations\":[{\"physicalLocation\":{\"artifactLocation\":"
                  "{\"uri\":\"dir/a%%20b,c%%3Ad%%25e%%23f%%3F.yml\",\"uriBaseId\":\"%%SRCROOT%%\"},"
                  "\"region\":{\"startLine\":2,\"startColumn\":4}}}]}"
                  "\n      ",
                  (int)SG_D_DETECTION);
    char *expected = sarif_expected("9.8.7", r.data);
    assert_string_equal(out, expected);
    assert_true(json_valid(out));
    assert_null(strchr(out, '\033'));
    free(expected);
    sg_buf_free(&r);
    free(out);

    /* a hostile tool version is escaped too */
    out = render_opts(&d, SG_REPORT_SARIF, false, "1\"\n\xff");
    assert_non_null(strstr(out, "\"version\": \"1\\\"\\n\\ufffd\",\n"));
    assert_true(json_valid(out));
    free(out);
    sg_diags_free(&d);
}

/* ---- github ---- */

static void test_github_basic(void **state) {
    (void)state;
    sg_diags d;
    fill_basic(&d);
    char *out = render(&d, SG_REPORT_GITHUB);
    assert_string_equal(out,
                        "::error file=rules/a.yml,line=3,col=5,title=sigc yaml_syntax::"
                        "mapping values are not allowed\n"
                        "::warning file=rules/a.yml,line=7,title=sigc unknown_key::unknown key 'foo'\n"
                        "::notice file=<stdin>,title=sigc placeholder_filled::filled in\n"
                        "::error title=sigc io_error::cannot open 'x': No such file\n");
    free(out);
    sg_diags_free(&d);
}

static void test_github_hostile(void **state) {
    (void)state;
    sg_diags d;
    fill_hostile(&d);
    sg_diag_add(&d, SG_D_IO, loc("a\r\nb%0A.yml", 0, 3), "%s", "::error::injected\n::warning::x%0A");
    char *out = render_opts(&d, SG_REPORT_GITHUB, true, NULL); /* colour never applies */
    assert_string_equal(out,
                        "::error file=dir/a b%2Cc%3Ad%25e#f?.yml,line=2,col=4,title=sigc detection::"
                        "say \"hi\" \\ back%0Aline2%0D\\x1b[31mred\\x09\\x7f \\xff \\xc2\\x9b "
                        "\xe2\x80\xa8 100%25 a,b:c \xc3\xa9\n"
                        "::error file=a%0D%0Ab%250A.yml,title=sigc io_error::"
                        "::error::injected%0A::warning::x%250A\n");
    assert_int_equal(count_char(out, '\n'), 2);
    assert_null(strchr(out, '\r'));
    assert_null(strchr(out, '\033'));
    free(out);
    sg_diags_free(&d);
}

/* ---- write errors ---- */

static void test_write_error(void **state) {
    (void)state;
    sg_diags d;
    fill_basic(&d);
    sg_report_opts opts = {.color = false, .tool_version = "1"};

    /* a stream opened for reading only cannot be written */
    FILE *f = fopen("/dev/null", "r");
    assert_non_null(f);
    for (int fmt = SG_REPORT_TEXT; fmt <= SG_REPORT_GITHUB; fmt++)
        assert_int_equal(sg_report_write(f, &d, (sg_report_format)fmt, &opts), -1);
    fclose(f);

    /* ENOSPC surfaces at flush time at the latest */
    f = fopen("/dev/full", "w");
    if (f) {
        assert_int_equal(sg_report_write(f, &d, SG_REPORT_SARIF, &opts), -1);
        fclose(f);
    }

    /* and a healthy stream reports success with no options at all */
    f = fopen("/dev/null", "w");
    assert_non_null(f);
    assert_int_equal(sg_report_write(f, &d, SG_REPORT_JSON, NULL), 0);
    fclose(f);
    sg_diags_free(&d);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_checker_accepts),
        cmocka_unit_test(test_checker_rejects),
        cmocka_unit_test(test_format_parse),
        cmocka_unit_test(test_json_string_plain),
        cmocka_unit_test(test_json_string_unicode),
        cmocka_unit_test(test_json_string_invalid_utf8),
        cmocka_unit_test(test_text_basic),
        cmocka_unit_test(test_text_color),
        cmocka_unit_test(test_text_severity_override),
        cmocka_unit_test(test_text_hostile),
        cmocka_unit_test(test_text_empty),
        cmocka_unit_test(test_json_basic),
        cmocka_unit_test(test_json_hostile),
        cmocka_unit_test(test_json_empty),
        cmocka_unit_test(test_json_large),
        cmocka_unit_test(test_sarif_empty),
        cmocka_unit_test(test_sarif_default_version),
        cmocka_unit_test(test_sarif_rules),
        cmocka_unit_test(test_sarif_results),
        cmocka_unit_test(test_sarif_rule_index),
        cmocka_unit_test(test_sarif_paths),
        cmocka_unit_test(test_sarif_hostile),
        cmocka_unit_test(test_github_basic),
        cmocka_unit_test(test_github_hostile),
        cmocka_unit_test(test_write_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
