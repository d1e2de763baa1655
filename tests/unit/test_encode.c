/* test_encode.c - Sigma string parsing, modifiers, CIDR and UTF-8 checks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "encode.h"

/* ---- helpers ------------------------------------------------------- */

static int setup(void **state) {
    *state = sg_arena_new();
    return 0;
}

static int teardown(void **state) {
    sg_arena_free(*state);
    return 0;
}

/* A compact, unambiguous picture of the parts, e.g. L"a\"|*|L"b":
 * L"..." literal (non-printable bytes and `"` as \xHH), * STAR, ? ONE,
 * %name% placeholder, parts separated by |.  Two adjacent L"" items would
 * show a failure to merge literals. */
static const char *describe(sg_arena *a, sg_sstring s) {
    sg_buf b;
    sg_buf_init(&b);
    for (size_t i = 0; i < s.n; i++) {
        if (i) sg_buf_add_byte(&b, '|');
        const sg_spart *p = &s.parts[i];
        switch (p->kind) {
        case SG_SP_STAR:
            assert_int_equal(p->text.len, 0);
            sg_buf_add_byte(&b, '*');
            break;
        case SG_SP_ONE:
            assert_int_equal(p->text.len, 0);
            sg_buf_add_byte(&b, '?');
            break;
        case SG_SP_PLACEHOLDER:
            assert_true(p->text.len > 0);
            sg_buf_printf(&b, "%%" SG_STR_FMT "%%", SG_STR_ARG(p->text));
            break;
        case SG_SP_LIT:
            assert_true(p->text.len > 0);
            sg_buf_add_cstr(&b, "L\"");
            for (size_t j = 0; j < p->text.len; j++) {
                unsigned char c = (unsigned char)p->text.ptr[j];
                if (c >= 0x20 && c < 0x7F && c != '"')
                    sg_buf_add_byte(&b, (char)c);
                else
                    sg_buf_printf(&b, "\\x%02X", c);
            }
            sg_buf_add_byte(&b, '"');
            break;
        }
    }
    sg_str r = sg_buf_to_str(&b, a);
    sg_buf_free(&b);
    return r.ptr;
}

static sg_sstring parse(sg_arena *a, const char *raw, bool expand) {
    return sg_sstr_parse(a, sg_str_from_cstr(raw), expand);
}

static const char *pd(sg_arena *a, const char *raw) { return describe(a, parse(a, raw, false)); }
static const char *pdx(sg_arena *a, const char *raw) { return describe(a, parse(a, raw, true)); }

static void assert_lit_bytes(sg_sstring s, const void *bytes, size_t len) {
    assert_int_equal(s.n, 1);
    assert_int_equal(s.parts[0].kind, SG_SP_LIT);
    assert_int_equal(s.parts[0].text.len, len);
    assert_memory_equal(s.parts[0].text.ptr, bytes, len);
}

static void assert_lit(sg_sstring s, const char *text) { assert_lit_bytes(s, text, strlen(text)); }

/* ---- escaping (conformance doc 2.1) ----------------------------------- */

static void test_escape_table(void **state) {
    sg_arena *a = *state;
    assert_string_equal(pd(a, "C:\\Windows"), "L\"C:\\Windows\"");
    assert_string_equal(pd(a, "C:\\\\Windows"), "L\"C:\\Windows\"");
    assert_string_equal(pd(a, "a\\*b"), "L\"a*b\"");
    assert_string_equal(pd(a, "a\\?"), "L\"a?\"");
    assert_string_equal(pd(a, "a\\\\*b"), "L\"a\\\"|*|L\"b\"");
    assert_string_equal(pd(a, "a\\\\\\*b"), "L\"a\\*b\"");
    assert_string_equal(pd(a, "a\\\\\\b"), "L\"a\\\\b\"");
    assert_string_equal(pd(a, "a\\\\\\\\b"), "L\"a\\\\b\"");
    assert_string_equal(pd(a, "a\\\\\\\\*b"), "L\"a\\\\\"|*|L\"b\"");
    assert_string_equal(pd(a, "\\\\\\\\server\\share"), "L\"\\\\server\\share\"");
    assert_string_equal(pd(a, "a\\nb"), "L\"a\\nb\"");
    assert_string_equal(pd(a, "a\\"), "L\"a\\\"");
    assert_string_equal(pd(a, "\\"), "L\"\\\"");
    assert_string_equal(pd(a, "\\\\"), "L\"\\\"");
}

static void test_wildcards(void **state) {
    sg_arena *a = *state;
    assert_string_equal(pd(a, "*"), "*");
    assert_string_equal(pd(a, "**"), "*|*");
    assert_string_equal(pd(a, "a?b*"), "L\"a\"|?|L\"b\"|*");
    assert_string_equal(pd(a, "*\\*x\\?*"), "*|L\"*x?\"|*");
    sg_sstring s = parse(a, "a*b", false);
    assert_true(sg_sstr_has_wildcards(s));
    assert_false(sg_sstr_has_placeholders(s));
    assert_false(sg_sstr_has_wildcards(parse(a, "a\\*b", false)));
    assert_true(sg_sstr_has_wildcards(parse(a, "?", false)));
}

static void test_empty(void **state) {
    sg_arena *a = *state;
    sg_sstring s = parse(a, "", false);
    assert_int_equal(s.n, 0);
    assert_int_equal(parse(a, "", true).n, 0);
    assert_int_equal(sg_sstr_literal(a, SG_STR_LIT("")).n, 0);
    assert_int_equal(sg_sstr_literal_text(a, s).len, 0);
    assert_string_equal(sg_sstr_to_sigma(a, s).ptr, "");
    assert_true(sg_sstr_equal(s, parse(a, "", true)));
}

static void test_nul_bytes(void **state) {
    sg_arena *a = *state;
    static const char raw[] = "a\0*b\\\0c"; /* 7 bytes */
    sg_sstring s = sg_sstr_parse(a, (sg_str){raw, sizeof raw - 1}, false);
    assert_string_equal(describe(a, s), "L\"a\\x00\"|*|L\"b\\\\x00c\"");
    assert_int_equal(s.parts[0].text.len, 2);
    assert_int_equal(s.parts[2].text.len, 4);
    sg_str lit = sg_sstr_literal_text(a, s);
    assert_int_equal(lit.len, 6);
    assert_memory_equal(lit.ptr, "a\0b\\\0c", 6);
    assert_string_equal(sg_sstr_to_sigma(a, s).ptr, "a\\x00*b\\\\x00c");

    sg_sstring l = sg_sstr_literal(a, (sg_str){"x\0*", 3});
    assert_lit_bytes(l, "x\0*", 3);
    assert_false(sg_sstr_has_wildcards(l));

    /* a trailing NUL is data, not a terminator */
    sg_sstring t = sg_sstr_parse(a, (sg_str){"ab\0", 3}, false);
    assert_lit_bytes(t, "ab\0", 3);
}

static void test_literal_copies(void **state) {
    sg_arena *a = *state;
    char buf[] = "a*b";
    sg_sstring s = sg_sstr_literal(a, (sg_str){buf, 3});
    buf[0] = 'z';
    assert_lit(s, "a*b");
    char raw[] = "x\\*y";
    sg_sstring p = sg_sstr_parse(a, (sg_str){raw, 4}, false);
    raw[0] = 'q';
    assert_lit(p, "x*y");
}

/* ---- expand ------------------------------------------------------------ */

static void test_expand(void **state) {
    sg_arena *a = *state;
    assert_string_equal(pdx(a, "%Servers%"), "%Servers%");
    assert_string_equal(pdx(a, "a%x%b"), "L\"a\"|%x%|L\"b\"");
    assert_string_equal(pdx(a, "*%a%%b%*"), "*|%a%|%b%|*");
    assert_string_equal(pdx(a, "\\%x%"), "L\"%x%\"");
    assert_string_equal(pdx(a, "\\\\%x%"), "L\"%x%\"");
    assert_string_equal(pdx(a, "100\\%"), "L\"100%\"");
    assert_string_equal(pdx(a, "a%%b"), "L\"a%%b\"");
    assert_string_equal(pdx(a, "%a b%"), "L\"%a b%\"");
    assert_string_equal(pdx(a, "%x*y%"), "L\"%x\"|*|L\"y%\"");
    assert_string_equal(pdx(a, "%%x%"), "L\"%\"|%x%");
    assert_true(sg_sstr_has_placeholders(parse(a, "%x%", true)));
    /* names are \w+ as in Python: a letter is a word character, a dash is not */
    assert_string_equal(pdx(a, "%\xC3\xA9%"), "%\xC3\xA9%");
    assert_string_equal(pdx(a, "%a\xE2\x80\x93" "b%"), "L\"%a\\xE2\\x80\\x93b%\"");

    /* without expand, % is plain and \% stays two characters */
    assert_string_equal(pd(a, "%x%"), "L\"%x%\"");
    assert_string_equal(pd(a, "\\%x%"), "L\"\\%x%\"");
    assert_false(sg_sstr_has_placeholders(parse(a, "%x%", false)));
}

/* ---- equality, literal text, Sigma text ------------------------------- */

static void test_equal(void **state) {
    sg_arena *a = *state;
    assert_true(sg_sstr_equal(parse(a, "a*b", false), parse(a, "a*b", false)));
    assert_false(sg_sstr_equal(parse(a, "a*b", false), parse(a, "a?b", false)));
    assert_false(sg_sstr_equal(parse(a, "a*b", false), parse(a, "a\\*b", false)));
    assert_true(sg_sstr_equal(parse(a, "a\\*b", false), sg_sstr_literal(a, SG_STR_LIT("a*b"))));
    assert_false(sg_sstr_equal(parse(a, "%x%", true), parse(a, "%x%", false)));
    assert_false(sg_sstr_equal(parse(a, "%x%", true), parse(a, "%y%", true)));
}

static void test_literal_text(void **state) {
    sg_arena *a = *state;
    sg_str t = sg_sstr_literal_text(a, parse(a, "a*b?c%x%d", true));
    assert_int_equal(t.len, 4);
    assert_memory_equal(t.ptr, "abcd", 4);
}

static void test_to_sigma(void **state) {
    sg_arena *a = *state;
    static const char *const same[] = {
        "C:\\Windows", "a\\*b", "a\\?", "a\\\\*b", "a\\\\\\*b", "a*b?c", "*", "a\\nb", "a\\",
        "\\\\\\\\server\\share", "x\\\\\\\\*", "\xC3\xA9t\xC3\xA9*",
    };
    /* Parsing the printed form gives back the same parts. */
    for (size_t i = 0; i < sizeof same / sizeof same[0]; i++) {
        sg_sstring s = parse(a, same[i], false);
        sg_str txt = sg_sstr_to_sigma(a, s);
        assert_true(sg_sstr_equal(s, sg_sstr_parse(a, txt, false)));
    }
    assert_string_equal(sg_sstr_to_sigma(a, parse(a, "C:\\\\Windows", false)).ptr, "C:\\Windows");
    assert_string_equal(sg_sstr_to_sigma(a, parse(a, "a\\*b", false)).ptr, "a\\*b");
    assert_string_equal(sg_sstr_to_sigma(a, parse(a, "a\\\\*b", false)).ptr, "a\\\\*b");
    assert_string_equal(sg_sstr_to_sigma(a, parse(a, "a\\\\\\*b", false)).ptr, "a\\\\\\*b");
    assert_string_equal(sg_sstr_to_sigma(a, parse(a, "a\\", false)).ptr, "a\\");
    assert_string_equal(sg_sstr_to_sigma(a, parse(a, "a\\\\\\\\b", false)).ptr, "a\\\\\\b");
    assert_string_equal(sg_sstr_to_sigma(a, parse(a, "*%Servers%?", true)).ptr, "*%Servers%?");
    assert_string_equal(sg_sstr_to_sigma(a, parse(a, "\xC3\xA9\x7F\x01\xFF", false)).ptr,
                        "\xC3\xA9\\x7F\\x01\\xFF");
}

/* ---- contains / startswith / endswith --------------------------------- */

static void test_contains_family(void **state) {
    sg_arena *a = *state;
    assert_string_equal(describe(a, sg_sstr_contains(a, parse(a, "abc", false))), "*|L\"abc\"|*");
    assert_string_equal(describe(a, sg_sstr_contains(a, parse(a, "*abc", false))), "*|L\"abc\"|*");
    assert_string_equal(describe(a, sg_sstr_contains(a, parse(a, "abc*", false))), "*|L\"abc\"|*");
    assert_string_equal(describe(a, sg_sstr_contains(a, parse(a, "*abc*", false))), "*|L\"abc\"|*");
    assert_string_equal(describe(a, sg_sstr_contains(a, parse(a, "*", false))), "*");
    assert_string_equal(describe(a, sg_sstr_contains(a, parse(a, "", false))), "*");
    /* an escaped star is a literal: the wildcard is still added */
    assert_string_equal(describe(a, sg_sstr_contains(a, parse(a, "a\\*", false))), "*|L\"a*\"|*");
    assert_string_equal(describe(a, sg_sstr_contains(a, parse(a, "?a?", false))), "*|?|L\"a\"|?|*");
    assert_string_equal(describe(a, sg_sstr_contains(a, parse(a, "%x%", true))), "*|%x%|*");

    assert_string_equal(describe(a, sg_sstr_startswith(a, parse(a, "abc", false))), "L\"abc\"|*");
    assert_string_equal(describe(a, sg_sstr_startswith(a, parse(a, "abc*", false))), "L\"abc\"|*");
    assert_string_equal(describe(a, sg_sstr_startswith(a, parse(a, "*abc", false))), "*|L\"abc\"|*");
    assert_string_equal(describe(a, sg_sstr_startswith(a, parse(a, "", false))), "*");

    assert_string_equal(describe(a, sg_sstr_endswith(a, parse(a, "abc", false))), "*|L\"abc\"");
    assert_string_equal(describe(a, sg_sstr_endswith(a, parse(a, "*abc", false))), "*|L\"abc\"");
    assert_string_equal(describe(a, sg_sstr_endswith(a, parse(a, "abc*", false))), "*|L\"abc\"|*");
    assert_string_equal(describe(a, sg_sstr_endswith(a, parse(a, "", false))), "*");
}

/* ---- UTF-16 ------------------------------------------------------------ */

static void test_wide(void **state) {
    sg_arena *a = *state;
    assert_lit_bytes(sg_sstr_utf16le(a, parse(a, "cmd", false)), "c\0m\0d\0", 6);
    assert_lit_bytes(sg_sstr_utf16be(a, parse(a, "cmd", false)), "\0c\0m\0d", 6);
    assert_lit_bytes(sg_sstr_utf16(a, parse(a, "cmd", false)), "\xFF\xFE" "c\0m\0d\0", 8);
    /* U+00E9, U+20AC, U+1F600 (surrogate pair D83D DE00) */
    sg_sstring u = parse(a, "\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80", false);
    assert_lit_bytes(sg_sstr_utf16le(a, u), "\xE9\x00\xAC\x20\x3D\xD8\x00\xDE", 8);
    assert_lit_bytes(sg_sstr_utf16be(a, u), "\x00\xE9\x20\xAC\xD8\x3D\xDE\x00", 8);
    /* invalid UTF-8 bytes become Latin-1 code points */
    assert_lit_bytes(sg_sstr_utf16le(a, parse(a, "\xFF" "a\xC3", false)), "\xFF\x00" "a\x00\xC3\x00", 6);
    assert_lit_bytes(sg_sstr_utf16le(a, parse(a, "\xED\xA0\x80", false)),
                     "\xED\x00\xA0\x00\x80\x00", 6);
    /* NUL is a character too */
    assert_lit_bytes(sg_sstr_utf16le(a, sg_sstr_literal(a, (sg_str){"a\0", 2})), "a\0\0\0", 4);
    /* empty */
    assert_int_equal(sg_sstr_utf16le(a, parse(a, "", false)).n, 0);
    assert_lit_bytes(sg_sstr_utf16(a, parse(a, "", false)), "\xFF\xFE", 2);
}

static void test_wide_keeps_wildcards(void **state) {
    sg_arena *a = *state;
    sg_sstring s = parse(a, "*a?b\\*c*", false);
    assert_string_equal(describe(a, sg_sstr_utf16le(a, s)),
                        "*|L\"a\\x00\"|?|L\"b\\x00*\\x00c\\x00\"|*");
    assert_string_equal(describe(a, sg_sstr_utf16be(a, s)),
                        "*|L\"\\x00a\"|?|L\"\\x00b\\x00*\\x00c\"|*");
    assert_string_equal(describe(a, sg_sstr_utf16(a, s)),
                        "L\"\\xFF\\xFE\"|*|L\"a\\x00\"|?|L\"b\\x00*\\x00c\\x00\"|*");
    assert_string_equal(describe(a, sg_sstr_utf16le(a, parse(a, "x%h%", true))), "L\"x\\x00\"|%h%");
}

/* ---- base64 ------------------------------------------------------------ */

static void test_base64_raw(void **state) {
    sg_arena *a = *state;
    static const struct {
        const char *in, *out;
    } v[] = {{"", ""},          {"f", "Zg=="},         {"fo", "Zm8="},       {"foo", "Zm9v"},
             {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"}};
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        sg_str e = sg_base64_encode(a, v[i].in, strlen(v[i].in));
        assert_int_equal(e.len, strlen(v[i].out));
        assert_memory_equal(e.ptr, v[i].out, e.len);
    }
    sg_str e = sg_base64_encode(a, "\0\xFF\xFE", 3);
    assert_string_equal(e.ptr, "AP/+");
}

static void test_base64(void **state) {
    sg_arena *a = *state;
    sg_sstring out;
    assert_true(sg_sstr_base64(a, parse(a, "foobar", false), &out));
    assert_lit(out, "Zm9vYmFy");
    /* escaped wildcard characters are plain bytes */
    assert_true(sg_sstr_base64(a, parse(a, "a\\*", false), &out));
    assert_lit(out, "YSo=");
    assert_true(sg_sstr_base64(a, sg_sstr_utf16le(a, parse(a, "cmd", false)), &out));
    assert_lit(out, "YwBtAGQA");
    assert_true(sg_sstr_base64(a, sg_sstr_utf16(a, parse(a, "a", false)), &out));
    assert_lit(out, "//5hAA==");
    assert_true(sg_sstr_base64(a, parse(a, "", false), &out));
    assert_int_equal(out.n, 0);
    /* refused: wildcards and placeholders */
    assert_false(sg_sstr_base64(a, parse(a, "foo*", false), &out));
    assert_false(sg_sstr_base64(a, parse(a, "f?o", false), &out));
    assert_false(sg_sstr_base64(a, sg_sstr_contains(a, parse(a, "foo", false)), &out));
    assert_false(sg_sstr_base64(a, parse(a, "%x%", true), &out));
}

static void assert_offsets(sg_arena *a, sg_sstring s, const char *o0, const char *o1, const char *o2) {
    sg_sstring out[3];
    assert_true(sg_sstr_base64offset(a, s, out));
    assert_string_equal(describe(a, out[0]), describe(a, sg_sstr_literal(a, sg_str_from_cstr(o0))));
    assert_string_equal(describe(a, out[1]), describe(a, sg_sstr_literal(a, sg_str_from_cstr(o1))));
    assert_string_equal(describe(a, out[2]), describe(a, sg_sstr_literal(a, sg_str_from_cstr(o2))));
}

static void test_base64offset(void **state) {
    sg_arena *a = *state;
    assert_offsets(a, parse(a, "foobar", false), "Zm9vYmFy", "Zvb2Jhc", "mb29iYX");
    assert_offsets(a, parse(a, "http", false), "aHR0c", "h0dH", "odHRw");
    assert_offsets(a, sg_sstr_utf16le(a, parse(a, "cmd", false)), "YwBtAGQA", "MAbQBkA", "jAG0AZA");
    /* values from Python: b64(i*b' ' + x)[start : end] */
    assert_offsets(a, parse(a, "a", false), "Y", "", "h");
    assert_offsets(a, parse(a, "ab", false), "YW", "Fi", "hY");
    assert_offsets(a, parse(a, "", false), "", "", "");
    /* a literal (escaped) star is data */
    assert_offsets(a, parse(a, "a\\*b", false), "YSpi", "EqY", "hKm");

    sg_sstring out[3];
    assert_false(sg_sstr_base64offset(a, parse(a, "foo*", false), out));
    assert_false(sg_sstr_base64offset(a, parse(a, "?", false), out));
    assert_false(sg_sstr_base64offset(a, parse(a, "a%x%", true), out));
}

/* ---- windash ----------------------------------------------------------- */

static void test_windash_basic(void **state) {
    sg_arena *a = *state;
    sg_sstring *v;
    size_t n = sg_sstr_windash(a, parse(a, "-a", false), 1000, &v);
    assert_int_equal(n, 5);
    assert_lit(v[0], "-a");
    assert_lit(v[1], "/a");
    assert_lit(v[2], "\xE2\x80\x93" "a");
    assert_lit(v[3], "\xE2\x80\x94" "a");
    assert_lit(v[4], "\xE2\x80\x95" "a");

    n = sg_sstr_windash(a, parse(a, "/c", false), 1000, &v);
    assert_int_equal(n, 5);
    assert_lit(v[0], "/c");
    assert_lit(v[1], "-c");
    assert_lit(v[2], "\xE2\x80\x93" "c");

    /* nothing to replace: the input as the single variant */
    n = sg_sstr_windash(a, parse(a, "a-b c- -- / x/y", false), 1000, &v);
    assert_int_equal(n, 1);
    assert_lit(v[0], "a-b c- -- / x/y");

    n = sg_sstr_windash(a, parse(a, "", false), 1000, &v);
    assert_int_equal(n, 1);
    assert_int_equal(v[0].n, 0);
}

static bool has_substr(sg_str s, const char *needle) {
    size_t n = strlen(needle);
    for (size_t i = 0; i + n <= s.len; i++)
        if (memcmp(s.ptr + i, needle, n) == 0) return true;
    return false;
}

static void test_windash_25(void **state) {
    sg_arena *a = *state;
    sg_sstring *v;
    size_t n = sg_sstr_windash(a, parse(a, "x -a a-b /c", false), 100, &v);
    assert_int_equal(n, 25);
    assert_lit(v[0], "x -a a-b /c");
    assert_lit(v[1], "x -a a-b -c");
    assert_lit(v[5], "x /a a-b /c");
    assert_lit(v[24], "x \xE2\x80\x95" "a a-b \xE2\x80\x95" "c");
    /* all variants differ, and a-b is never touched */
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(v[i].n, 1);
        assert_true(has_substr(v[i].parts[0].text, " a-b "));
        for (size_t j = 0; j < i; j++) assert_false(sg_sstr_equal(v[i], v[j]));
    }
}

static void test_windash_boundaries(void **state) {
    sg_arena *a = *state;
    sg_sstring *v;
    /* "--x": only the second dash starts a word */
    size_t n = sg_sstr_windash(a, parse(a, "--x", false), 100, &v);
    assert_int_equal(n, 5);
    assert_lit(v[1], "-/x");
    /* "_-x": `_` is a word character, so no boundary */
    assert_int_equal(sg_sstr_windash(a, parse(a, "_-x", false), 100, &v), 1);
    /* "-_": `_` is a word character after the dash */
    assert_int_equal(sg_sstr_windash(a, parse(a, "-_", false), 100, &v), 5);
    /* "\xC3\xA9-x": é is a word character */
    assert_int_equal(sg_sstr_windash(a, parse(a, "\xC3\xA9-x", false), 100, &v), 1);
    /* "-\xC3\xA9": dash before a letter */
    assert_int_equal(sg_sstr_windash(a, parse(a, "-\xC3\xA9", false), 100, &v), 5);
    /* the inserted dashes are targets only: an en dash is not a source */
    assert_int_equal(sg_sstr_windash(a, parse(a, "\xE2\x80\x93x", false), 100, &v), 1);
}

static void test_windash_parts(void **state) {
    sg_arena *a = *state;
    sg_sstring *v;
    /* wildcards and part edges: "*-a" -> the dash starts a literal part */
    size_t n = sg_sstr_windash(a, parse(a, "*-a*", false), 100, &v);
    assert_int_equal(n, 5);
    assert_string_equal(describe(a, v[0]), "*|L\"-a\"|*");
    assert_string_equal(describe(a, v[1]), "*|L\"/a\"|*");
    /* "a*-b": the dash is first in its part, so no word character before it */
    assert_int_equal(sg_sstr_windash(a, parse(a, "a*-b", false), 100, &v), 5);
    /* "-*a": nothing after the dash in its part */
    assert_int_equal(sg_sstr_windash(a, parse(a, "-*a", false), 100, &v), 1);
    /* escaped star is literal text, not a word character */
    n = sg_sstr_windash(a, parse(a, "\\*-a", false), 100, &v);
    assert_int_equal(n, 5);
    assert_string_equal(describe(a, v[1]), "L\"*/a\"");
    /* placeholders are kept */
    n = sg_sstr_windash(a, parse(a, "%p% -x", true), 100, &v);
    assert_int_equal(n, 5);
    assert_string_equal(describe(a, v[1]), "%p%|L\" /x\"");
    /* after |wide the following byte is NUL: no match (as in pySigma) */
    assert_int_equal(sg_sstr_windash(a, sg_sstr_utf16le(a, parse(a, "-a", false)), 100, &v), 1);
    /* NUL before the dash is not a word character */
    n = sg_sstr_windash(a, sg_sstr_literal(a, (sg_str){"\0-a", 3}), 100, &v);
    assert_int_equal(n, 5);
    assert_lit_bytes(v[1], "\0/a", 3);
}

static void test_windash_cap(void **state) {
    sg_arena *a = *state;
    sg_sstring *v = NULL;
    assert_int_equal(sg_sstr_windash(a, parse(a, "-a -b -c", false), 125, &v), 125);
    assert_int_equal(sg_sstr_windash(a, parse(a, "-a -b -c", false), 124, &v), 0);
    assert_int_equal(sg_sstr_windash(a, parse(a, "-a", false), 4, &v), 0);
    assert_int_equal(sg_sstr_windash(a, parse(a, "a", false), 0, &v), 0);
    assert_int_equal(sg_sstr_windash(a, parse(a, "a", false), 1, &v), 1);
    /* 5^40 overflows 64 bits: must be refused, not wrap around */
    sg_buf b;
    sg_buf_init(&b);
    for (int i = 0; i < 40; i++) sg_buf_add_cstr(&b, " -x");
    sg_str big = sg_buf_to_str(&b, a);
    sg_buf_free(&b);
    assert_int_equal(sg_sstr_windash(a, sg_sstr_literal(a, big), SIZE_MAX, &v), 0);
    assert_int_equal(sg_sstr_windash(a, sg_sstr_literal(a, big), 100000, &v), 0);
}

/* ---- CIDR -------------------------------------------------------------- */

static bool cidr_ok(sg_arena *a, const char *in, const char *canon) {
    sg_cidr c;
    char err[128] = "";
    if (!sg_cidr_parse(sg_str_from_cstr(in), &c, err)) {
        print_error("unexpected error for %s: %s\n", in, err);
        return false;
    }
    sg_str f = sg_cidr_format(a, &c);
    if (!sg_str_eq_cstr(f, canon)) {
        print_error("%s formats as %s, want %s\n", in, f.ptr, canon);
        return false;
    }
    return true;
}

static const char *cidr_err(const char *in, size_t len) {
    static char err[128];
    sg_cidr c;
    memset(err, 0, sizeof err);
    if (sg_cidr_parse((sg_str){in, len}, &c, err)) return NULL;
    assert_true(strlen(err) > 0);
    assert_true(strlen(err) <= 120);
    return err;
}

static const char *cerr(const char *in) { return cidr_err(in, strlen(in)); }

static void test_cidr_v4(void **state) {
    sg_arena *a = *state;
    assert_true(cidr_ok(a, "10.0.0.0/8", "10.0.0.0/8"));
    assert_true(cidr_ok(a, "192.168.1.0/24", "192.168.1.0/24"));
    assert_true(cidr_ok(a, "192.168.1.128/25", "192.168.1.128/25"));
    assert_true(cidr_ok(a, "0.0.0.0/0", "0.0.0.0/0"));
    assert_true(cidr_ok(a, "10.1.2.3", "10.1.2.3/32"));
    assert_true(cidr_ok(a, "10.1.2.3/32", "10.1.2.3/32"));
    assert_true(cidr_ok(a, "10.0.0.0/255.0.0.0", "10.0.0.0/8"));
    assert_true(cidr_ok(a, "10.0.0.0/0.255.255.255", "10.0.0.0/8"));
    assert_true(cidr_ok(a, "10.0.0.0/08", "10.0.0.0/8"));

    sg_cidr c;
    char err[128];
    assert_true(sg_cidr_parse(SG_STR_LIT("172.16.0.0/12"), &c, err));
    assert_int_equal(c.family, 4);
    assert_int_equal(c.prefix, 12);
    assert_memory_equal(c.addr, "\xAC\x10\x00\x00", 4);
}

static void test_cidr_v4_errors(void **state) {
    (void)state;
    const char *e = cerr("10.0.0.1/8");
    assert_non_null(e);
    assert_string_equal(e, "host bits set: did you mean 10.0.0.0/8?");
    e = cerr("192.168.1.130/25");
    assert_non_null(e);
    assert_non_null(strstr(e, "192.168.1.128/25"));
    assert_non_null(cerr("10.0.0.0/33"));
    assert_non_null(strstr(cerr("10.0.0.0/33"), "33"));
    assert_non_null(cerr("10.0.0.0/99999999999999999999"));
    assert_non_null(cerr("garbage"));
    assert_non_null(cerr("10.0.0/8"));
    assert_non_null(cerr("256.0.0.0/8"));
    assert_non_null(cerr("010.0.0.0/8"));
    assert_non_null(cerr("10.0.0.0/"));
    assert_non_null(cerr("10.0.0.0/8/8"));
    assert_non_null(cerr("10.0.0.0/-1"));
    assert_non_null(cerr("10.0.0.0/+8"));
    assert_non_null(cerr("10.0.0.0/ 8"));
    assert_non_null(cerr(" 10.0.0.0/8"));
    assert_non_null(cerr("10.0.0.0/255.0.255.0"));
    assert_non_null(cerr("10.0.0.*"));
    assert_non_null(cerr(""));
    assert_non_null(cerr("/8"));
    assert_non_null(cidr_err("10.0.0.0\0/8", 11));
    assert_non_null(cerr("1111111111111111111111111111111111111111111111111111111111111111111111/8"));
}

static void test_cidr_v6(void **state) {
    sg_arena *a = *state;
    assert_true(cidr_ok(a, "2001:db8::/32", "2001:db8::/32"));
    assert_true(cidr_ok(a, "2001:0DB8:0000::/32", "2001:db8::/32"));
    assert_true(cidr_ok(a, "::/0", "::/0"));
    assert_true(cidr_ok(a, "::1", "::1/128"));
    assert_true(cidr_ok(a, "fe80::/10", "fe80::/10"));
    assert_true(cidr_ok(a, "2001:db8:0:0:1:0:0:0/80", "2001:db8:0:0:1::/80"));
    assert_true(cidr_ok(a, "2001:db8::1:0:0:1/128", "2001:db8::1:0:0:1/128"));

    sg_cidr c;
    char err[128];
    assert_true(sg_cidr_parse(SG_STR_LIT("2001:db8::/32"), &c, err));
    assert_int_equal(c.family, 6);
    assert_int_equal(c.prefix, 32);
    assert_memory_equal(c.addr, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\0", 16);

    const char *e = cerr("2001:db8::1/32");
    assert_non_null(e);
    assert_string_equal(e, "host bits set: did you mean 2001:db8::/32?");
    e = cerr("fe80::1:2/100");
    assert_non_null(e);
    assert_string_equal(e, "host bits set: did you mean fe80::/100?");
    assert_non_null(cerr("2001:db8::/129"));
    assert_non_null(cerr("2001:db8:::/32"));
    assert_non_null(cerr("2001:db8::g/128"));
    assert_non_null(cerr("::/ffff::"));
    assert_non_null(cerr("1:2:3:4:5:6:7:8:9/128"));
    assert_non_null(cerr("::/-1"));
    assert_non_null(cerr("fe80::%eth0/64")); /* scope ids are not networks */
    assert_true(sg_cidr_parse(SG_STR_LIT("::ffff:1.2.3.0/120"), &c, err));
    assert_int_equal(c.prefix, 120);
}

/* ---- UTF-8 check ------------------------------------------------------- */

static size_t u8(const char *p, size_t n) { return sg_utf8_check(p, n); }

static void test_utf8_check(void **state) {
    (void)state;
    const size_t ok = (size_t)-1;
    assert_int_equal(u8("", 0), ok);
    assert_int_equal(u8("abc", 3), ok);
    assert_int_equal(u8("a\0b", 3), ok);
    assert_int_equal(u8("\xC3\xA9", 2), ok);
    assert_int_equal(u8("\xE2\x82\xAC", 3), ok);
    assert_int_equal(u8("\xF0\x9F\x98\x80", 4), ok);     /* valid 4-byte */
    assert_int_equal(u8("\xF4\x8F\xBF\xBF", 4), ok);     /* U+10FFFF */
    assert_int_equal(u8("\xEF\xBF\xBF", 3), ok);         /* U+FFFF */
    assert_int_equal(u8("\xED\x9F\xBF", 3), ok);         /* U+D7FF */
    assert_int_equal(u8("\xEE\x80\x80", 3), ok);         /* U+E000 */
    assert_int_equal(u8("ab\xC0\x80", 4), 2);            /* overlong NUL */
    assert_int_equal(u8("\xC1\xBF", 2), 0);              /* overlong */
    assert_int_equal(u8("\xE0\x80\xAF", 3), 0);          /* overlong 3-byte */
    assert_int_equal(u8("\xF0\x8F\xBF\xBF", 4), 0);      /* overlong 4-byte */
    assert_int_equal(u8("x\xED\xA0\x80", 4), 1);         /* surrogate D800 */
    assert_int_equal(u8("\xED\xBF\xBF", 3), 0);          /* surrogate DFFF */
    assert_int_equal(u8("\xF4\x90\x80\x80", 4), 0);      /* U+110000 */
    assert_int_equal(u8("abc\xF5\x80\x80\x80", 7), 3);   /* F5 lead */
    assert_int_equal(u8("\xFF", 1), 0);
    assert_int_equal(u8("\x80", 1), 0);                  /* stray continuation */
    assert_int_equal(u8("\xC3", 1), 0);                  /* truncated */
    assert_int_equal(u8("ok\xE2\x82", 4), 2);            /* truncated 3-byte */
    assert_int_equal(u8("\xF0\x9F\x98", 3), 0);          /* truncated 4-byte */
    assert_int_equal(u8("\xC3(", 2), 0);                 /* bad continuation */
    assert_int_equal(u8("\xC3\xA9\xC3", 3), 2);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_escape_table, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wildcards, setup, teardown),
        cmocka_unit_test_setup_teardown(test_empty, setup, teardown),
        cmocka_unit_test_setup_teardown(test_nul_bytes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_literal_copies, setup, teardown),
        cmocka_unit_test_setup_teardown(test_expand, setup, teardown),
        cmocka_unit_test_setup_teardown(test_equal, setup, teardown),
        cmocka_unit_test_setup_teardown(test_literal_text, setup, teardown),
        cmocka_unit_test_setup_teardown(test_to_sigma, setup, teardown),
        cmocka_unit_test_setup_teardown(test_contains_family, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wide, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wide_keeps_wildcards, setup, teardown),
        cmocka_unit_test_setup_teardown(test_base64_raw, setup, teardown),
        cmocka_unit_test_setup_teardown(test_base64, setup, teardown),
        cmocka_unit_test_setup_teardown(test_base64offset, setup, teardown),
        cmocka_unit_test_setup_teardown(test_windash_basic, setup, teardown),
        cmocka_unit_test_setup_teardown(test_windash_25, setup, teardown),
        cmocka_unit_test_setup_teardown(test_windash_boundaries, setup, teardown),
        cmocka_unit_test_setup_teardown(test_windash_parts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_windash_cap, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cidr_v4, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cidr_v4_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cidr_v6, setup, teardown),
        cmocka_unit_test_setup_teardown(test_utf8_check, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
