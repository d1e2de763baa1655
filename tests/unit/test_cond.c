/* test_cond.c - unit tests of the condition parser (compiler/cond.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h> /* after the headers it needs */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cond.h"

/* ------------------------------------------------------------------ */
/* Helpers                                                              */

static int setup_arena(void **state) {
    *state = sg_arena_new();
    return 0;
}

static int teardown_arena(void **state) {
    sg_arena_free(*state);
    return 0;
}

/* Parses a C string that must be valid. */
static sg_cond parse_ok_len(sg_arena *arena, const char *text, size_t len, bool allow_agg) {
    sg_cond c;
    sg_cond_error err;
    int rc = sg_cond_parse(arena, (sg_str){text, len}, allow_agg, &c, &err);
    if (rc != 0) fail_msg("'%s' should parse, got error at %u: %s", text, err.offset, err.message);
    assert_non_null(c.expr);
    return c;
}

static sg_cond parse_ok(sg_arena *arena, const char *text) {
    return parse_ok_len(arena, text, strlen(text), true);
}

/* Renders a tree as or(a,and(b,c)), one_of(sel*), all_of(<them>). */
static void dump_node(sg_buf *b, const sg_cond_node *n) {
    switch (n->kind) {
    case SG_COND_IDENT:
        sg_buf_add_str(b, n->name);
        return;
    case SG_COND_AND:
    case SG_COND_OR:
        sg_buf_add_cstr(b, n->kind == SG_COND_AND ? "and(" : "or(");
        dump_node(b, n->left);
        sg_buf_add_byte(b, ',');
        dump_node(b, n->right);
        sg_buf_add_byte(b, ')');
        return;
    case SG_COND_NOT:
        assert_null(n->right);
        sg_buf_add_cstr(b, "not(");
        dump_node(b, n->left);
        sg_buf_add_byte(b, ')');
        return;
    case SG_COND_ONE_OF:
    case SG_COND_ALL_OF:
        sg_buf_add_cstr(b, n->kind == SG_COND_ONE_OF ? "one_of(" : "all_of(");
        if (n->them) {
            assert_true(sg_str_eq_cstr(n->name, "them"));
            sg_buf_add_cstr(b, "<them>");
        } else {
            sg_buf_add_str(b, n->name);
        }
        sg_buf_add_byte(b, ')');
        return;
    }
    fail_msg("bad node kind %d", (int)n->kind);
}

static void assert_tree_len(const char *text, size_t len, const char *expected) {
    sg_arena *arena = sg_arena_new();
    sg_cond c = parse_ok_len(arena, text, len, true);
    sg_buf b;
    sg_buf_init(&b);
    dump_node(&b, c.expr);
    if (strcmp(b.data, expected) != 0)
        fail_msg("'%s': expected %s, got %s", text, expected, b.data);
    sg_buf_free(&b);
    sg_arena_free(arena);
}

static void assert_tree(const char *text, const char *expected) {
    assert_tree_len(text, strlen(text), expected);
}

static void assert_span(const sg_cond_node *n, uint32_t offset, uint32_t length) {
    assert_int_equal(n->offset, offset);
    assert_int_equal(n->length, length);
}

/* One expected failure. */
typedef struct err_case {
    const char *text;
    size_t len; /* 0: strlen(text) */
    bool allow_agg;
    uint32_t offset;
    const char *message;
} err_case;

/* Runs every case and reports all mismatches at once. */
static void check_errors(const err_case *cases, size_t n) {
    int bad = 0;
    for (size_t i = 0; i < n; i++) {
        const err_case *ec = &cases[i];
        sg_arena *arena = sg_arena_new();
        sg_cond c = {(sg_cond_node *)1, (sg_cond_agg *)1};
        sg_cond_error err;
        size_t len = ec->len ? ec->len : strlen(ec->text);
        int rc = sg_cond_parse(arena, (sg_str){ec->text, len}, ec->allow_agg, &c, &err);
        if (rc != -1) {
            print_error("case %zu '%s': parsed, expected error '%s'\n", i, ec->text, ec->message);
            bad++;
        } else if (err.offset != ec->offset || strcmp(err.message, ec->message) != 0) {
            print_error("case %zu '%s':\n  expected %u: %s\n  got      %u: %s\n", i, ec->text,
                        ec->offset, ec->message, err.offset, err.message);
            bad++;
        } else if (c.expr != NULL || c.agg != NULL) {
            print_error("case %zu '%s': out not cleared on error\n", i, ec->text);
            bad++;
        }
        sg_arena_free(arena);
    }
    if (bad) fail_msg("%d of %zu error cases failed", bad, n);
}

#define CHECK_ERRORS(cases) check_errors((cases), sizeof(cases) / sizeof((cases)[0]))

/* A string of n copies of unit followed by tail, on the heap. */
static char *repeat(const char *unit, size_t n, const char *tail, size_t *len_out) {
    size_t ul = strlen(unit), tl = strlen(tail);
    char *s = malloc(ul * n + tl + 1);
    assert_non_null(s);
    for (size_t i = 0; i < n; i++)
        memcpy(s + i * ul, unit, ul);
    memcpy(s + ul * n, tail, tl + 1);
    *len_out = ul * n + tl;
    return s;
}

/* ------------------------------------------------------------------ */
/* Expression structure                                                 */

static void test_single_identifier(void **state) {
    sg_cond c = parse_ok(*state, "  selection\t");
    assert_int_equal(c.expr->kind, SG_COND_IDENT);
    assert_true(sg_str_eq_cstr(c.expr->name, "selection"));
    assert_int_equal(c.expr->name.ptr[c.expr->name.len], '\0'); /* arena copy, terminated */
    assert_span(c.expr, 2, 9);
    assert_null(c.expr->left);
    assert_null(c.expr->right);
    assert_null(c.agg);
}

static void test_precedence(void **state) {
    (void)state;
    assert_tree("a or b and c", "or(a,and(b,c))");
    assert_tree("a and b or c", "or(and(a,b),c)");
    assert_tree("a and b or c and d", "or(and(a,b),and(c,d))");
    assert_tree("a or b and c or d", "or(or(a,and(b,c)),d)");
}

static void test_left_associative(void **state) {
    (void)state;
    assert_tree("a and b and c", "and(and(a,b),c)");
    assert_tree("a or b or c or d", "or(or(or(a,b),c),d)");
}

static void test_not_binding(void **state) {
    (void)state;
    assert_tree("not a and b", "and(not(a),b)");
    assert_tree("not a or b", "or(not(a),b)");
    assert_tree("a and not b", "and(a,not(b))");
    assert_tree("not a or not b and c", "or(not(a),and(not(b),c))");
    assert_tree("not not a", "not(not(a))");
    assert_tree("not not not a and b", "and(not(not(not(a))),b)");
}

static void test_parentheses(void **state) {
    (void)state;
    assert_tree("(a or b) and c", "and(or(a,b),c)");
    assert_tree("a and (b or c)", "and(a,or(b,c))");
    assert_tree("not (a or b)", "not(or(a,b))");
    assert_tree("((a))", "a");
    assert_tree("(a)and(b)", "and(a,b)");
    assert_tree("((a or b) and (c or not d))", "and(or(a,b),or(c,not(d)))");
}

static void test_spans(void **state) {
    sg_arena *arena = *state;
    sg_cond c = parse_ok(arena, "a or b and c");
    assert_span(c.expr, 0, 12);
    assert_span(c.expr->left, 0, 1);
    assert_span(c.expr->right, 5, 7);
    assert_span(c.expr->right->right, 11, 1);

    /* binary nodes cover their operands' parentheses */
    c = parse_ok(arena, "(a or b) and c");
    assert_span(c.expr, 0, 14);
    assert_span(c.expr->left, 1, 6);

    c = parse_ok(arena, "x or (a or b)");
    assert_span(c.expr, 0, 13);

    c = parse_ok(arena, "not (a or b)");
    assert_int_equal(c.expr->kind, SG_COND_NOT);
    assert_span(c.expr, 0, 12);
    assert_span(c.expr->left, 5, 6);

    c = parse_ok(arena, "not\n\tnot a");
    assert_span(c.expr, 0, 10);
    assert_span(c.expr->left, 5, 5);
    assert_span(c.expr->left->left, 9, 1);

    c = parse_ok(arena, "  all of sel_*  ");
    assert_span(c.expr, 2, 12);

    c = parse_ok(arena, "sel | count() > 1");
    assert_span(c.expr, 0, 3);
}

static void test_quantifiers(void **state) {
    sg_arena *arena = *state;
    sg_cond c = parse_ok(arena, "1 of sel*");
    assert_int_equal(c.expr->kind, SG_COND_ONE_OF);
    assert_false(c.expr->them);
    assert_true(sg_str_eq_cstr(c.expr->name, "sel*"));
    assert_span(c.expr, 0, 9);

    c = parse_ok(arena, "any of sel_*");
    assert_int_equal(c.expr->kind, SG_COND_ONE_OF);
    assert_true(sg_str_eq_cstr(c.expr->name, "sel_*"));

    c = parse_ok(arena, "all of them");
    assert_int_equal(c.expr->kind, SG_COND_ALL_OF);
    assert_true(c.expr->them);
    assert_true(sg_str_eq_cstr(c.expr->name, "them"));
    assert_span(c.expr, 0, 11);

    c = parse_ok(arena, "1 of them");
    assert_int_equal(c.expr->kind, SG_COND_ONE_OF);
    assert_true(c.expr->them);

    c = parse_ok(arena, "all of *");
    assert_int_equal(c.expr->kind, SG_COND_ALL_OF);
    assert_true(sg_str_eq_cstr(c.expr->name, "*"));

    assert_tree("1 of sel* and not 1 of filter*", "and(one_of(sel*),not(one_of(filter*)))");
    assert_tree("all of sel_* or any of them", "or(all_of(sel_*),one_of(<them>))");
    assert_tree("not all of them", "not(all_of(<them>))");
    assert_tree("(1 of a*-x)", "one_of(a*-x)");
    /* a pattern without '*' is allowed, and so are look-alikes of them */
    assert_tree("all of sel", "all_of(sel)");
    assert_tree("1 of them_*", "one_of(them_*)");
}

static void test_keyword_substrings(void **state) {
    (void)state;
    assert_tree("not_filter and selection_and_x or filter-1",
                "or(and(not_filter,selection_and_x),filter-1)");
    assert_tree("notify and android or orange", "or(and(notify,android),orange)");
    assert_tree("nota and anda or ora", "or(and(nota,anda),ora)");
    assert_tree("of_x and them_all and 1of and anyof", "and(and(and(of_x,them_all),1of),anyof)");
    assert_tree("not not_x", "not(not_x)");
    assert_tree("a-and-b or _private", "or(a-and-b,_private)");
    /* aggregation words are plain identifiers in the expression */
    assert_tree("count and near or by and min", "or(and(count,near),and(by,min))");
    /* a quantifier word without `of` is an identifier, as in pySigma */
    assert_tree("any and all or 1", "or(and(any,all),1)");
    /* a mis-cased keyword where an identifier fits stays an identifier */
    assert_tree("a and NOT", "and(a,NOT)");
}

static void test_whitespace(void **state) {
    (void)state;
    assert_tree("\ta\r\nand\n  b ", "and(a,b)");
    assert_tree("not(a)", "not(a)");
}

static void test_them_name_is_copied(void **state) {
    sg_cond c = parse_ok(*state, "all of them");
    assert_int_equal(c.expr->name.len, 4);
    assert_int_equal(c.expr->name.ptr[4], '\0');
}

/* ------------------------------------------------------------------ */
/* Errors                                                               */

static void test_syntax_errors(void **state) {
    (void)state;
    static const err_case cases[] = {
        {"", 0, true, 0, "empty condition"},
        {"   \n", 0, true, 0, "empty condition"},
        {"a and", 0, true, 5, "expected an identifier after 'and'"},
        {"a or", 0, true, 4, "expected an identifier after 'or'"},
        {"a and or b", 0, true, 6, "expected an identifier after 'and'"},
        {"not", 0, true, 3, "expected an identifier after 'not'"},
        {"a and not )", 0, true, 10, "expected an identifier after 'not'"},
        {"()", 0, true, 1, "expected an identifier after '('"},
        {"a )", 0, true, 2, "unbalanced ')'"},
        {")", 0, true, 0, "unbalanced ')'"},
        {"(a))", 0, true, 3, "unbalanced ')'"},
        {"(a", 0, true, 0, "unexpected end of condition: expected ')'"},
        {"x and (a or (b)", 0, true, 6, "unexpected end of condition: expected ')'"},
        {"and a", 0, true, 0, "condition cannot start with 'and'"},
        {", a", 0, true, 0, "condition cannot start with ','"},
        {"| count() > 1", 0, true, 0, "expected a condition before '|'"},
        {"a b", 0, true, 2, "expected 'and' or 'or' before 'b'"},
        {"(a b)", 0, true, 3, "expected 'and', 'or' or ')' before 'b'"},
        {"a not b", 0, true, 2, "expected 'and' or 'or' before 'not'"},
        {"a == b", 0, true, 2, "expected 'and' or 'or' before '=='"},
        {"a (b)", 0, true, 2, "expected 'and' or 'or' before '('"},
        {"2 of sel*", 0, true, 0, "only '1 of', 'any of' and 'all of' are valid"},
        {"a and none of them", 0, true, 6, "only '1 of', 'any of' and 'all of' are valid"},
        {"sel*", 0, true, 0, "a wildcard needs a quantifier: use '1 of sel*' or 'all of sel*'"},
        {"a and not sel_*", 0, true, 10,
         "a wildcard needs a quantifier: use '1 of sel_*' or 'all of sel_*'"},
        {"1 of", 0, true, 4, "expected a pattern or 'them' after 'of'"},
        {"all of (a)", 0, true, 7, "expected a pattern or 'them' after 'of'"},
        {"all of and", 0, true, 7, "expected a pattern or 'them' after 'of'"},
        {"them", 0, true, 0, "'them' needs a quantifier: '1 of them' or 'all of them'"},
        {"of x", 0, true, 0, "'of' needs a quantifier: '1 of', 'any of' or 'all of'"},
        {"1 of them of x", 0, true, 10, "expected 'and' or 'or' before 'of'"},
        {"a & b", 0, true, 2, "invalid character '&': use 'and'"},
        {"a || b", 0, true, 2, "'||' is not an operator: use 'or'"},
        {"!a", 0, true, 0, "invalid character '!': use 'not'"},
        {"a.b", 0, true, 1, "invalid character '.' in identifier"},
        {"1 of sel.x*", 0, true, 8, "invalid character '.' in pattern"},
        {"a and \"b\"", 0, true, 6, "invalid character '\"' in condition"},
        {"a and \xc3\xa9", 0, true, 6, "invalid byte 0xc3 in condition"},
        {"a and\tb\x01", 0, true, 7, "invalid byte 0x01 in condition"},
    };
    CHECK_ERRORS(cases);
}

static void test_keyword_case_errors(void **state) {
    (void)state;
    static const err_case cases[] = {
        {"a AND b", 0, true, 2, "condition keywords are lower case: use 'and'"},
        {"a Or b", 0, true, 2, "condition keywords are lower case: use 'or'"},
        {"(a AND b)", 0, true, 3, "condition keywords are lower case: use 'and'"},
        {"NOT a", 0, true, 0, "condition keywords are lower case: use 'not'"},
        {"a and Not (b)", 0, true, 6, "condition keywords are lower case: use 'not'"},
        {"ALL of them", 0, true, 0, "condition keywords are lower case: use 'all'"},
        {"Any of sel*", 0, true, 0, "condition keywords are lower case: use 'any'"},
        {"1 OF sel*", 0, true, 2, "condition keywords are lower case: use 'of'"},
        {"all of THEM", 0, true, 7, "condition keywords are lower case: use 'them'"},
        {"s | COUNT() > 1", 0, true, 4, "condition keywords are lower case: use 'count'"},
        {"s | Sum(x) > 1", 0, true, 4, "condition keywords are lower case: use 'sum'"},
        {"s | count() BY x > 1", 0, true, 12, "condition keywords are lower case: use 'by'"},
        {"s | NEAR a", 0, true, 4, "condition keywords are lower case: use 'near'"},
        {"s | near a AND b", 0, true, 11, "condition keywords are lower case: use 'and'"},
        {"s | near a and NOT b", 0, true, 15, "condition keywords are lower case: use 'not'"},
    };
    CHECK_ERRORS(cases);
}

static void test_aggregation_errors(void **state) {
    (void)state;
    static const err_case cases[] = {
        {"a and b | count() > 1", 0, false, 8, "aggregation is not allowed here"},
        {"a | near b", 0, false, 2, "aggregation is not allowed here"},
        {"(a | count() > 1)", 0, true, 0, "unclosed '(' before '|'"},
        {"a | count() > 1 x", 0, true, 16, "unexpected 'x' after the aggregation"},
        {"a | count() > 1 | count() > 2", 0, true, 16, "unexpected '|' after the aggregation"},
        {"a |", 0, true, 3,
         "expected an aggregation function (count, min, max, avg, sum or near) after '|'"},
        {"a | foo() > 1", 0, true, 4,
         "expected an aggregation function (count, min, max, avg, sum or near) after '|'"},
        {"a | count > 1", 0, true, 10, "expected '(' after 'count'"},
        {"a | count(", 0, true, 10, "expected a field name or ')' after '('"},
        {"a | count(x > 1", 0, true, 12, "expected ')' after the field name"},
        {"a | count(x*) > 1", 0, true, 11, "invalid character '*' in field name"},
        {"a | sum() > 1", 0, true, 8, "'sum' requires a field name, e.g. sum(Field)"},
        {"a | min( ) > 1", 0, true, 9, "'min' requires a field name, e.g. min(Field)"},
        {"a | count() by > 1", 0, true, 15, "expected a field name after 'by'"},
        {"a | count() by a, > 1", 0, true, 18, "expected a field name after ','"},
        {"a | count() by a b > 1", 0, true, 17,
         "expected ',' or a comparison operator after the field name"},
        {"a | count() 5", 0, true, 12, "expected 'by' or a comparison operator after ')'"},
        {"a | count()", 0, true, 11, "expected 'by' or a comparison operator after ')'"},
        {"a | count() >", 0, true, 13, "expected a number after '>'"},
        {"a | count() >= x", 0, true, 15, "expected a number after '>='"},
        {"a | count() = (", 0, true, 14, "expected a number after '=='"},
        {"a | count() > -5", 0, true, 14, "threshold must be >= 0"},
        {"a | count() > 1.5.2", 0, true, 14, "invalid number '1.5.2'"},
        {"a | count() > 5.", 0, true, 14, "invalid number '5.'"},
        {"a | count() > 1e5", 0, true, 14, "invalid number '1e5'"},
        {"a | count() > 9007199254740993", 0, true, 14,
         "threshold is too large: the maximum is 9007199254740992"},
        {"a | count() > 9007199254740992.5", 0, true, 14,
         "threshold is too large: the maximum is 9007199254740992"},
        {"a | count() > 99999999999999999999999999999", 0, true, 14,
         "threshold is too large: the maximum is 9007199254740992"},
        {"a | count() => 5", 0, true, 12, "invalid operator '=>': use '>='"},
        {"a | count() =< 5", 0, true, 12, "invalid operator '=<': use '<='"},
        {"a | near", 0, true, 8, "expected an identifier after 'near'"},
        {"a | near b and", 0, true, 14, "expected an identifier after 'and'"},
        {"a | near not", 0, true, 12, "expected an identifier after 'not'"},
        {"a | near (b)", 0, true, 9, "expected an identifier after 'near'"},
        {"a | near b or c", 0, true, 11, "only 'and' can join the identifiers of 'near'"},
        {"a | near b c", 0, true, 11, "expected 'and' before 'c'"},
        {"a | near b*", 0, true, 9, "a wildcard needs a quantifier: use '1 of b*' or 'all of b*'"},
    };
    CHECK_ERRORS(cases);
}

static void test_nul_byte(void **state) {
    (void)state;
    static const err_case cases[] = {
        {"a and\0b", 7, true, 5, "NUL byte in condition"},
        {"\0", 1, true, 0, "NUL byte in condition"},
        {"a\0", 2, true, 1, "NUL byte in condition"},
        {"ab\0cd", 5, true, 2, "NUL byte in condition"},
        {"a | count() > 1\0", 16, true, 15, "NUL byte in condition"},
        {"a | count(\0) > 1", 16, true, 10, "NUL byte in condition"},
    };
    CHECK_ERRORS(cases);
    /* the length is authoritative: a NUL just past it is not read */
    assert_tree_len("a and b\0garbage", 7, "and(a,b)");
}

static void test_null_error_pointer(void **state) {
    sg_cond c;
    assert_int_equal(sg_cond_parse(*state, SG_STR_LIT("a and"), true, &c, NULL), -1);
    assert_int_equal(sg_cond_parse(*state, SG_STR_LIT("a and b"), true, &c, NULL), 0);
    assert_int_equal(sg_cond_parse(*state, (sg_str){NULL, 0}, true, &c, NULL), -1);
}

/* ------------------------------------------------------------------ */
/* Nesting limits                                                       */

static void expect_depth_error(const char *text, size_t len, uint32_t offset) {
    sg_arena *arena = sg_arena_new();
    sg_cond c;
    sg_cond_error err;
    assert_int_equal(sg_cond_parse(arena, (sg_str){text, len}, true, &c, &err), -1);
    assert_int_equal(err.offset, offset);
    assert_string_equal(err.message, "condition nested deeper than 64 levels");
    sg_arena_free(arena);
}

static void test_depth_parentheses(void **state) {
    sg_arena *arena = *state;
    size_t len;
    /* exactly 64 levels are fine */
    char *open = repeat("(", 64, "a", &len);
    char *s = malloc(len + 64 + 1);
    memcpy(s, open, len);
    memset(s + len, ')', 64);
    s[len + 64] = '\0';
    sg_cond c = parse_ok_len(arena, s, len + 64, true);
    assert_int_equal(c.expr->kind, SG_COND_IDENT);
    assert_span(c.expr, 64, 1);
    free(s);
    free(open);

    /* 65 fail at the 65th '(' */
    open = repeat("(", 65, "a)", &len);
    expect_depth_error(open, len, 64);
    free(open);

    /* 10,000 fail at the same place, without recursing further */
    open = repeat("(", 10000, "", &len);
    expect_depth_error(open, len, 64);
    free(open);
}

static void test_depth_not(void **state) {
    sg_arena *arena = *state;
    size_t len;
    char *s = repeat("not ", 64, "a", &len);
    sg_cond c = parse_ok_len(arena, s, len, true);
    const sg_cond_node *n = c.expr;
    for (int i = 0; i < 64; i++) {
        assert_int_equal(n->kind, SG_COND_NOT);
        assert_span(n, (uint32_t)(4 * i), (uint32_t)(len - 4 * (size_t)i));
        n = n->left;
    }
    assert_int_equal(n->kind, SG_COND_IDENT);
    free(s);

    s = repeat("not ", 65, "a", &len);
    expect_depth_error(s, len, 256);
    free(s);

    s = repeat("not ", 100000, "a", &len);
    expect_depth_error(s, len, 256);
    free(s);
}

static void test_depth_mixed(void **state) {
    sg_arena *arena = *state;
    size_t len;
    /* 32 x "not (" = 64 levels */
    char *open = repeat("not (", 32, "a", &len);
    char *s = malloc(len + 32 + 1);
    memcpy(s, open, len);
    memset(s + len, ')', 32);
    s[len + 32] = '\0';
    sg_cond c = parse_ok_len(arena, s, len + 32, true);
    assert_int_equal(c.expr->kind, SG_COND_NOT);
    free(s);
    free(open);

    /* the 33rd `not` is level 65 */
    open = repeat("not (", 33, "a", &len);
    expect_depth_error(open, len, 32 * 5);
    free(open);

    /* depth is released when a parenthesis closes: siblings do not add up */
    open = repeat("(a) and ", 1000, "a", &len);
    parse_ok_len(arena, open, len, true);
    free(open);
    open = repeat("not a and ", 1000, "a", &len);
    parse_ok_len(arena, open, len, true);
    free(open);
}

static void test_long_flat_chain(void **state) {
    sg_arena *arena = *state;
    size_t len;
    char *s = repeat("a and ", 100000, "b", &len);
    sg_cond c = parse_ok_len(arena, s, len, true);
    /* left-folded: walk down the left spine without recursion */
    const sg_cond_node *n = c.expr;
    size_t ands = 0;
    while (n->kind == SG_COND_AND) {
        assert_int_equal(n->offset, 0);
        ands++;
        n = n->left;
    }
    assert_int_equal(ands, 100000);
    assert_int_equal(n->kind, SG_COND_IDENT);
    assert_span(c.expr, 0, (uint32_t)len);
    assert_true(sg_str_eq_cstr(c.expr->right->name, "b"));
    free(s);
}

/* ------------------------------------------------------------------ */
/* Aggregation                                                          */

static void test_agg_count_by(void **state) {
    /*           0         1         2
     *           0123456789012345678901 */
    sg_cond c = parse_ok(*state, "sel | count() by x > 5");
    assert_tree("sel | count() by x > 5", "sel");
    sg_cond_agg *a = c.agg;
    assert_non_null(a);
    assert_int_equal(a->func, SG_AGGF_COUNT);
    assert_int_equal(a->offset, 6);
    assert_int_equal(a->field.len, 0);
    assert_int_equal(a->field_offset, 12);
    assert_int_equal(a->n_group_by, 1);
    assert_true(sg_str_eq_cstr(a->group_by[0], "x"));
    assert_int_equal(a->group_by_offset[0], 17);
    assert_int_equal(a->op, SG_CMP_GT);
    assert_true(sg_str_eq_cstr(a->threshold_text, "5"));
    assert_int_equal(a->threshold_offset, 21);
    assert_true(a->threshold == 5.0);
    assert_null(a->near);
    assert_int_equal(a->n_near, 0);
}

static void test_agg_count_field_two_groups(void **state) {
    /*           0         1         2
     *           0123456789012345678901234567 */
    sg_cond c = parse_ok(*state, "sel | count(F) by a, b >= 10");
    sg_cond_agg *a = c.agg;
    assert_non_null(a);
    assert_int_equal(a->func, SG_AGGF_COUNT);
    assert_true(sg_str_eq_cstr(a->field, "F"));
    assert_int_equal(a->field_offset, 12);
    assert_int_equal(a->n_group_by, 2);
    assert_true(sg_str_eq_cstr(a->group_by[0], "a"));
    assert_true(sg_str_eq_cstr(a->group_by[1], "b"));
    assert_int_equal(a->group_by_offset[0], 18);
    assert_int_equal(a->group_by_offset[1], 21);
    assert_int_equal(a->op, SG_CMP_GTE);
    assert_int_equal(a->threshold_offset, 26);
    assert_true(a->threshold == 10.0);
}

static void test_agg_sum_decimal(void **state) {
    /*           0         1
     *           0123456789012345678 */
    sg_cond c = parse_ok(*state, "sel | sum(x) < 3.5");
    sg_cond_agg *a = c.agg;
    assert_int_equal(a->func, SG_AGGF_SUM);
    assert_int_equal(a->offset, 6);
    assert_true(sg_str_eq_cstr(a->field, "x"));
    assert_int_equal(a->field_offset, 10);
    assert_int_equal(a->n_group_by, 0);
    assert_null(a->group_by);
    assert_int_equal(a->op, SG_CMP_LT);
    assert_true(sg_str_eq_cstr(a->threshold_text, "3.5"));
    assert_int_equal(a->threshold_offset, 15);
    assert_true(a->threshold == 3.5);
}

static void test_agg_functions_and_operators(void **state) {
    sg_arena *arena = *state;
    sg_cond c = parse_ok(arena, "sel | min(f) = 2");
    assert_int_equal(c.agg->func, SG_AGGF_MIN);
    assert_int_equal(c.agg->op, SG_CMP_EQ);

    /*              0123456789012 */
    c = parse_ok(arena, "sel|max(f)==2");
    assert_int_equal(c.agg->func, SG_AGGF_MAX);
    assert_int_equal(c.agg->op, SG_CMP_EQ);
    assert_int_equal(c.agg->offset, 4);
    assert_int_equal(c.agg->field_offset, 8);
    assert_int_equal(c.agg->threshold_offset, 12);

    c = parse_ok(arena, "sel | avg(Event.Size) != 0.25");
    assert_int_equal(c.agg->func, SG_AGGF_AVG);
    assert_int_equal(c.agg->op, SG_CMP_NEQ);
    assert_true(sg_str_eq_cstr(c.agg->field, "Event.Size"));
    assert_true(c.agg->threshold == 0.25);

    c = parse_ok(arena, "sel | count(dst-ip) by src.ip, host_name <= 0");
    assert_int_equal(c.agg->op, SG_CMP_LTE);
    assert_true(sg_str_eq_cstr(c.agg->field, "dst-ip"));
    assert_true(sg_str_eq_cstr(c.agg->group_by[0], "src.ip"));
    assert_true(sg_str_eq_cstr(c.agg->group_by[1], "host_name"));
    assert_true(c.agg->threshold == 0.0);

    c = parse_ok(arena, "1 of sel* | count ( ) by a,b,c,d,e,f > 1");
    assert_int_equal(c.agg->n_group_by, 6);
    assert_true(sg_str_eq_cstr(c.agg->group_by[5], "f"));
    assert_int_equal(c.agg->group_by_offset[5], 35);
    assert_int_equal(c.agg->field_offset, 20);

    c = parse_ok(arena, "sel | count() > 9007199254740992");
    assert_true(c.agg->threshold == 9007199254740992.0);
    c = parse_ok(arena, "sel | count() > 0.1");
    assert_true(c.agg->threshold == 0.1);
    c = parse_ok(arena, "sel | count() > 007");
    assert_true(c.agg->threshold == 7.0);
    c = parse_ok(arena, "sel | count() > 3.14159265358979323846264338327950288");
    assert_true(c.agg->threshold == 3.14159265358979323846264338327950288);
}

static void test_agg_near(void **state) {
    /*           0         1         2
     *           0123456789012345678901234567 */
    sg_cond c = parse_ok(*state, "sel | near a and not b and c");
    sg_cond_agg *a = c.agg;
    assert_non_null(a);
    assert_int_equal(a->func, SG_AGGF_NEAR);
    assert_int_equal(a->offset, 6);
    assert_int_equal(a->op, SG_CMP_NONE);
    assert_int_equal(a->n_group_by, 0);
    assert_int_equal(a->n_near, 3);
    assert_true(sg_str_eq_cstr(a->near[0].name, "a"));
    assert_false(a->near[0].negated);
    assert_int_equal(a->near[0].offset, 11);
    assert_true(sg_str_eq_cstr(a->near[1].name, "b"));
    assert_true(a->near[1].negated);
    assert_int_equal(a->near[1].offset, 21);
    assert_true(sg_str_eq_cstr(a->near[2].name, "c"));
    assert_false(a->near[2].negated);
    assert_int_equal(a->near[2].offset, 27);

    c = parse_ok(*state, "sel | near not a and b and c and d and e");
    assert_int_equal(c.agg->n_near, 5);
    assert_true(c.agg->near[0].negated);
    assert_true(sg_str_eq_cstr(c.agg->near[4].name, "e"));
}

static void test_agg_not_allowed_plain_ok(void **state) {
    sg_cond c = parse_ok_len(*state, "a and not b", 11, false);
    assert_null(c.agg);
    assert_int_equal(c.expr->kind, SG_COND_AND);
}

/* ------------------------------------------------------------------ */
/* Patterns                                                             */

#define MATCH(pat, name) sg_cond_pattern_matches(SG_STR_LIT(pat), false, SG_STR_LIT(name))

static void test_pattern_basic(void **state) {
    (void)state;
    assert_true(MATCH("sel*", "sel"));
    assert_true(MATCH("sel*", "selection"));
    assert_true(MATCH("sel*", "sel_1"));
    assert_false(MATCH("sel*", "xsel"));
    assert_false(MATCH("sel*", "Sel"));
    /* the whole name must match */
    assert_true(MATCH("sel", "sel"));
    assert_false(MATCH("sel", "sel1"));
    assert_false(MATCH("sel", "se"));
    assert_false(MATCH("*sel", "sel_x"));
    assert_true(MATCH("*sel", "my_sel"));
    assert_true(MATCH("*_a_*", "x_a_y"));
    assert_true(MATCH("a*b*c", "abc"));
    assert_true(MATCH("a*b*c", "axxbyyc"));
    assert_false(MATCH("a*b*c", "axxbyycd"));
    assert_true(MATCH("a**", "a"));
    assert_true(MATCH("*", "anything"));
    assert_true(MATCH("*", ""));
    assert_false(MATCH("", "a"));
}

static void test_pattern_underscore(void **state) {
    (void)state;
    assert_false(MATCH("*", "_hidden"));
    assert_false(MATCH("*hidden", "_hidden"));
    assert_false(MATCH("_x", "x"));
    assert_true(MATCH("_*", "_hidden"));
    assert_true(MATCH("_hid*", "_hidden"));
    assert_true(MATCH("_hidden", "_hidden"));
    assert_true(MATCH("sel*", "sel_"));
}

static void test_pattern_them(void **state) {
    (void)state;
    sg_str them = SG_STR_LIT("them");
    assert_true(sg_cond_pattern_matches(them, true, SG_STR_LIT("selection")));
    assert_true(sg_cond_pattern_matches(them, true, SG_STR_LIT("x")));
    assert_false(sg_cond_pattern_matches(them, true, SG_STR_LIT("_private")));
    /* a literal pattern "them" without the flag is just a name */
    assert_true(sg_cond_pattern_matches(them, false, SG_STR_LIT("them")));
    assert_false(sg_cond_pattern_matches(them, false, SG_STR_LIT("selection")));
}

static void test_pattern_no_backtracking_blowup(void **state) {
    (void)state;
    /* exponential in a naive recursive matcher; quadratic at worst here */
    char name[4001];
    memset(name, 'a', 4000);
    name[4000] = '\0';
    sg_str pat = SG_STR_LIT("*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b");
    assert_false(sg_cond_pattern_matches(pat, false, (sg_str){name, 4000}));
    name[3999] = 'b';
    assert_true(sg_cond_pattern_matches(pat, false, (sg_str){name, 4000}));
}

static void test_cmp_op_text(void **state) {
    (void)state;
    assert_string_equal(sg_cmp_op_text(SG_CMP_LT), "<");
    assert_string_equal(sg_cmp_op_text(SG_CMP_LTE), "<=");
    assert_string_equal(sg_cmp_op_text(SG_CMP_GT), ">");
    assert_string_equal(sg_cmp_op_text(SG_CMP_GTE), ">=");
    assert_string_equal(sg_cmp_op_text(SG_CMP_EQ), "==");
    assert_string_equal(sg_cmp_op_text(SG_CMP_NEQ), "!=");
    assert_string_equal(sg_cmp_op_text(SG_CMP_NONE), "");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_single_identifier, setup_arena, teardown_arena),
        cmocka_unit_test(test_precedence),
        cmocka_unit_test(test_left_associative),
        cmocka_unit_test(test_not_binding),
        cmocka_unit_test(test_parentheses),
        cmocka_unit_test_setup_teardown(test_spans, setup_arena, teardown_arena),
        cmocka_unit_test_setup_teardown(test_quantifiers, setup_arena, teardown_arena),
        cmocka_unit_test(test_keyword_substrings),
        cmocka_unit_test(test_whitespace),
        cmocka_unit_test_setup_teardown(test_them_name_is_copied, setup_arena, teardown_arena),
        cmocka_unit_test(test_syntax_errors),
        cmocka_unit_test(test_keyword_case_errors),
        cmocka_unit_test(test_aggregation_errors),
        cmocka_unit_test(test_nul_byte),
        cmocka_unit_test_setup_teardown(test_null_error_pointer, setup_arena, teardown_arena),
        cmocka_unit_test_setup_teardown(test_depth_parentheses, setup_arena, teardown_arena),
        cmocka_unit_test_setup_teardown(test_depth_not, setup_arena, teardown_arena),
        cmocka_unit_test_setup_teardown(test_depth_mixed, setup_arena, teardown_arena),
        cmocka_unit_test_setup_teardown(test_long_flat_chain, setup_arena, teardown_arena),
        cmocka_unit_test_setup_teardown(test_agg_count_by, setup_arena, teardown_arena),
        cmocka_unit_test_setup_teardown(test_agg_count_field_two_groups, setup_arena,
                                        teardown_arena),
        cmocka_unit_test_setup_teardown(test_agg_sum_decimal, setup_arena, teardown_arena),
        cmocka_unit_test_setup_teardown(test_agg_functions_and_operators, setup_arena,
                                        teardown_arena),
        cmocka_unit_test_setup_teardown(test_agg_near, setup_arena, teardown_arena),
        cmocka_unit_test_setup_teardown(test_agg_not_allowed_plain_ok, setup_arena, teardown_arena),
        cmocka_unit_test(test_pattern_basic),
        cmocka_unit_test(test_pattern_underscore),
        cmocka_unit_test(test_pattern_them),
        cmocka_unit_test(test_pattern_no_backtracking_blowup),
        cmocka_unit_test(test_cmp_op_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
