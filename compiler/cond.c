/* cond.c - lexer and parser of the Sigma condition language (see cond.h).
 *
 * Structure
 *
 *   The lexer is a pure function of a byte position: sg_cond_lex(p, pos)
 *   skips blanks and returns the token that starts there.  The parser keeps
 *   one current token and peeks at most one token ahead (to tell `1 of x`
 *   from an identifier), so every byte is lexed a small constant number of
 *   times and parsing is linear in the length of the condition.
 *
 *   The expression part is recursive descent, one function per grammar
 *   level (or > and > not > primary).  `and` / `or` chains are loops that
 *   fold to the left, so a flat chain of any length costs no stack.  A run
 *   of `not` is also a loop: the `not` offsets go in a local array and are
 *   wrapped around the operand afterwards.  The only recursion left is for
 *   `(`, and p->depth counts open parentheses plus pending `not`s; it is
 *   checked *before* going one level deeper, so the parser never nests more
 *   than SG_COND_MAX_DEPTH parentheses (4 C frames each) however hostile
 *   the input.
 *
 *   The aggregation part after `|` is a flat sequence and is parsed with
 *   straight-line code.
 *
 * Errors
 *
 *   The first error stops the parse.  Its offset is the byte where the
 *   problem starts: the unexpected token (the text length for the end of
 *   the condition), the bad byte inside a word, or the `(` of an unclosed
 *   parenthesis.  Messages are short, lower case and have no final period.
 *
 * Keywords
 *
 *   Words are maximal runs of [A-Za-z0-9_.*-]; a keyword is a word equal to
 *   the lower-case keyword, so `not_filter` and `filter-1` are identifiers.
 *   Words are then checked against the character set of their role
 *   (identifier, pattern, field, number).  A word that differs from a
 *   keyword only by case is reported where it can only have been meant as
 *   the keyword (`a AND b`, `NOT a`, `ALL of x`); elsewhere it stays an
 *   identifier, as in other Sigma implementations.
 */
#include "cond.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Largest threshold that a double represents together with all smaller
 * integers: 2^53. */
#define SG_COND_MAX_EXACT 9007199254740992ULL
/* Words quoted in messages are cut to this many bytes. */
#define SG_COND_SHOW_MAX 40

/* ------------------------------------------------------------------ */
/* Tokens                                                               */

typedef enum sg_cond_tok_kind {
    SG_TK_END,
    SG_TK_WORD,
    SG_TK_LPAREN,
    SG_TK_RPAREN,
    SG_TK_PIPE,
    SG_TK_COMMA,
    SG_TK_CMP,
    SG_TK_ERROR, /* a byte that starts no token; see hint */
} sg_cond_tok_kind;

typedef struct sg_cond_tok {
    sg_cond_tok_kind kind;
    uint32_t off; /* byte offset of the token */
    uint32_t len; /* byte length (0 for SG_TK_END) */
    sg_cmp_op op; /* SG_TK_CMP */
    /* SG_TK_ERROR: complete message, or NULL to describe the byte at off */
    const char *hint;
} sg_cond_tok;

typedef struct sg_cond_parser {
    sg_arena *arena;
    const char *s;
    size_t len;
    sg_cond_tok cur;
    unsigned depth; /* open parentheses + pending `not`s */
    bool failed;
    sg_cond_error *err;
} sg_cond_parser;

/* What came before an operand, for "expected an identifier after ..." */
typedef enum sg_cond_ctx {
    SG_CTX_START,
    SG_CTX_AND,
    SG_CTX_OR,
    SG_CTX_NOT,
    SG_CTX_LPAREN,
} sg_cond_ctx;

static bool sg_cond_is_word_byte(unsigned char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-' || c == '*' || c == '.';
}

static bool sg_cond_is_blank(unsigned char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static sg_cond_tok sg_cond_make_tok(sg_cond_tok_kind kind, size_t off, size_t len) {
    sg_cond_tok t = {kind, (uint32_t)off, (uint32_t)len, SG_CMP_NONE, NULL};
    return t;
}

/* Returns the token starting at the first non-blank byte at or after pos.
 * Never reads past p->len. */
static sg_cond_tok sg_cond_lex(const sg_cond_parser *p, size_t pos) {
    const unsigned char *s = (const unsigned char *)p->s;
    size_t n = p->len;
    while (pos < n && sg_cond_is_blank(s[pos]))
        pos++;
    if (pos >= n) return sg_cond_make_tok(SG_TK_END, n, 0);

    unsigned char c = s[pos];
    unsigned char c2 = pos + 1 < n ? s[pos + 1] : 0;
    bool has2 = pos + 1 < n;
    sg_cond_tok t;
    if (sg_cond_is_word_byte(c)) {
        size_t end = pos + 1;
        while (end < n && sg_cond_is_word_byte(s[end]))
            end++;
        return sg_cond_make_tok(SG_TK_WORD, pos, end - pos);
    }
    switch (c) {
    case '(':
        return sg_cond_make_tok(SG_TK_LPAREN, pos, 1);
    case ')':
        return sg_cond_make_tok(SG_TK_RPAREN, pos, 1);
    case ',':
        return sg_cond_make_tok(SG_TK_COMMA, pos, 1);
    case '|':
        if (has2 && c2 == '|') {
            t = sg_cond_make_tok(SG_TK_ERROR, pos, 2);
            t.hint = "'||' is not an operator: use 'or'";
            return t;
        }
        return sg_cond_make_tok(SG_TK_PIPE, pos, 1);
    case '<':
    case '>': {
        bool eq = has2 && c2 == '=';
        t = sg_cond_make_tok(SG_TK_CMP, pos, eq ? 2 : 1);
        t.op = c == '<' ? (eq ? SG_CMP_LTE : SG_CMP_LT) : (eq ? SG_CMP_GTE : SG_CMP_GT);
        return t;
    }
    case '=':
        if (has2 && (c2 == '>' || c2 == '<')) {
            t = sg_cond_make_tok(SG_TK_ERROR, pos, 2);
            t.hint =
                c2 == '>' ? "invalid operator '=>': use '>='" : "invalid operator '=<': use '<='";
            return t;
        }
        t = sg_cond_make_tok(SG_TK_CMP, pos, has2 && c2 == '=' ? 2 : 1);
        t.op = SG_CMP_EQ; /* "=" is the same as "==" */
        return t;
    case '!':
        if (has2 && c2 == '=') {
            t = sg_cond_make_tok(SG_TK_CMP, pos, 2);
            t.op = SG_CMP_NEQ;
            return t;
        }
        t = sg_cond_make_tok(SG_TK_ERROR, pos, 1);
        t.hint = "invalid character '!': use 'not'";
        return t;
    case '&':
        t = sg_cond_make_tok(SG_TK_ERROR, pos, 1);
        t.hint = "invalid character '&': use 'and'";
        return t;
    default:
        return sg_cond_make_tok(SG_TK_ERROR, pos, 1);
    }
}

static void sg_cond_advance(sg_cond_parser *p) {
    p->cur = sg_cond_lex(p, (size_t)p->cur.off + p->cur.len);
}

static sg_cond_tok sg_cond_peek(const sg_cond_parser *p) {
    return sg_cond_lex(p, (size_t)p->cur.off + p->cur.len);
}

static sg_str sg_cond_text(const sg_cond_parser *p, sg_cond_tok t) {
    return (sg_str){p->s + t.off, t.len};
}

/* True when t is the word kw exactly (keywords are lower case). */
static bool sg_cond_is(const sg_cond_parser *p, sg_cond_tok t, const char *kw) {
    return t.kind == SG_TK_WORD && sg_str_eq_cstr(sg_cond_text(p, t), kw);
}

/* True when t is kw in another case, e.g. "AND" or "Not" for "and"/"not". */
static bool sg_cond_is_miscased(const sg_cond_parser *p, sg_cond_tok t, const char *kw) {
    if (t.kind != SG_TK_WORD) return false;
    sg_str w = sg_cond_text(p, t);
    return sg_str_ieq_cstr(w, kw) && !sg_str_eq_cstr(w, kw);
}

/* ------------------------------------------------------------------ */
/* Errors                                                               */

static void sg_cond_vfail(sg_cond_parser *p, size_t off, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));
static void sg_cond_vfail(sg_cond_parser *p, size_t off, const char *fmt, va_list ap) {
    if (p->failed) return; /* the first error wins */
    p->failed = true;
    if (!p->err) return;
    p->err->offset = (uint32_t)off;
    vsnprintf(p->err->message, sizeof p->err->message, fmt, ap);
}

static void sg_cond_fail(sg_cond_parser *p, size_t off, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void sg_cond_fail(sg_cond_parser *p, size_t off, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    sg_cond_vfail(p, off, fmt, ap);
    va_end(ap);
}

/* Reports the lexical error carried by an SG_TK_ERROR token. */
static void sg_cond_fail_lex(sg_cond_parser *p, sg_cond_tok t) {
    unsigned char c = (unsigned char)p->s[t.off];
    if (t.hint)
        sg_cond_fail(p, t.off, "%s", t.hint);
    else if (c == '\0')
        sg_cond_fail(p, t.off, "NUL byte in condition");
    else if (c > 0x20 && c < 0x7f)
        sg_cond_fail(p, t.off, "invalid character '%c' in condition", c);
    else
        sg_cond_fail(p, t.off, "invalid byte 0x%02x in condition", c);
}

/* Reports an unexpected token t at its offset: a lexical error when t is
 * one, fmt otherwise. */
static void sg_cond_fail_tok(sg_cond_parser *p, sg_cond_tok t, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void sg_cond_fail_tok(sg_cond_parser *p, sg_cond_tok t, const char *fmt, ...) {
    if (t.kind == SG_TK_ERROR) {
        sg_cond_fail_lex(p, t);
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    sg_cond_vfail(p, t.off, fmt, ap);
    va_end(ap);
}

static void sg_cond_fail_case(sg_cond_parser *p, sg_cond_tok t, const char *kw) {
    sg_cond_fail(p, t.off, "condition keywords are lower case: use '%s'", kw);
}

/* Describes a token for a message: 'word' (cut when long), '(', ... */
static const char *sg_cond_show(const sg_cond_parser *p, sg_cond_tok t, char *buf, size_t size) {
    switch (t.kind) {
    case SG_TK_END:
        return "the end of the condition";
    case SG_TK_WORD:
    case SG_TK_CMP:
    case SG_TK_LPAREN:
    case SG_TK_RPAREN:
    case SG_TK_PIPE:
    case SG_TK_COMMA:
        if (t.len > SG_COND_SHOW_MAX)
            snprintf(buf, size, "'%.*s...'", SG_COND_SHOW_MAX, p->s + t.off);
        else
            snprintf(buf, size, "'%.*s'", (int)t.len, p->s + t.off);
        return buf;
    case SG_TK_ERROR:
        break;
    }
    return "an invalid character";
}

/* The token in operand position cannot start an operand. */
static void sg_cond_fail_operand(sg_cond_parser *p, sg_cond_ctx ctx) {
    static const char *const after[] = {"", "and", "or", "not", "("};
    sg_cond_tok t = p->cur;
    char buf[SG_COND_SHOW_MAX + 8];
    if (t.kind == SG_TK_ERROR) {
        sg_cond_fail_lex(p, t);
        return;
    }
    if (ctx != SG_CTX_START) {
        sg_cond_fail(p, t.off, "expected an identifier after '%s'", after[ctx]);
        return;
    }
    if (t.kind == SG_TK_END)
        sg_cond_fail(p, 0, "empty condition");
    else if (t.kind == SG_TK_RPAREN)
        sg_cond_fail(p, t.off, "unbalanced ')'");
    else if (t.kind == SG_TK_PIPE)
        sg_cond_fail(p, t.off, "expected a condition before '|'");
    else
        sg_cond_fail(p, t.off, "condition cannot start with %s",
                     sg_cond_show(p, t, buf, sizeof buf));
}

/* The token after a complete operand is not `and`, `or` or a valid end. */
static void sg_cond_fail_operator(sg_cond_parser *p, bool in_paren) {
    sg_cond_tok t = p->cur;
    char buf[SG_COND_SHOW_MAX + 8];
    if (t.kind == SG_TK_ERROR)
        sg_cond_fail_lex(p, t);
    else if (sg_cond_is_miscased(p, t, "and"))
        sg_cond_fail_case(p, t, "and");
    else if (sg_cond_is_miscased(p, t, "or"))
        sg_cond_fail_case(p, t, "or");
    else if (in_paren)
        sg_cond_fail(p, t.off, "expected 'and', 'or' or ')' before %s",
                     sg_cond_show(p, t, buf, sizeof buf));
    else
        sg_cond_fail(p, t.off, "expected 'and' or 'or' before %s",
                     sg_cond_show(p, t, buf, sizeof buf));
}

/* Checks the bytes of a word against its role: identifiers take
 * [A-Za-z0-9_-], patterns add '*', fields add '.'. */
static bool sg_cond_check_word(sg_cond_parser *p, sg_cond_tok t, bool star_ok, bool dot_ok,
                               const char *role) {
    for (uint32_t i = 0; i < t.len; i++) {
        char c = p->s[t.off + i];
        if ((c == '*' && !star_ok) || (c == '.' && !dot_ok)) {
            sg_cond_fail(p, (size_t)t.off + i, "invalid character '%c' in %s", c, role);
            return false;
        }
    }
    return true;
}

/* An identifier in the expression or in `near`: a wildcard here means a
 * missing quantifier, which gets its own message. */
static bool sg_cond_check_ident(sg_cond_parser *p, sg_cond_tok t) {
    if (sg_str_has_byte(sg_cond_text(p, t), '*')) {
        int n = t.len > SG_COND_SHOW_MAX ? SG_COND_SHOW_MAX : (int)t.len;
        sg_cond_fail(p, t.off, "a wildcard needs a quantifier: use '1 of %.*s' or 'all of %.*s'", n,
                     p->s + t.off, n, p->s + t.off);
        return false;
    }
    return sg_cond_check_word(p, t, false, false, "identifier");
}

/* ------------------------------------------------------------------ */
/* Expression                                                           */

static sg_cond_node *sg_cond_new_node(sg_cond_parser *p, sg_cond_kind kind, size_t start,
                                      size_t end) {
    sg_cond_node *n = SG_NEW(p->arena, sg_cond_node);
    n->kind = kind;
    n->offset = (uint32_t)start;
    n->length = (uint32_t)(end - start);
    return n;
}

static bool sg_cond_starts_operand(const sg_cond_parser *p, sg_cond_tok t) {
    return t.kind == SG_TK_LPAREN ||
           (t.kind == SG_TK_WORD && !sg_cond_is(p, t, "and") && !sg_cond_is(p, t, "or"));
}

static sg_cond_node *sg_cond_parse_or(sg_cond_parser *p, sg_cond_ctx ctx, size_t *start,
                                      size_t *end);

/* QUANT "of" PATTERN, with p->cur on the quantifier and `of` the next
 * token (possibly mis-cased). */
static sg_cond_node *sg_cond_parse_quantified(sg_cond_parser *p, sg_cond_tok of, size_t *start,
                                              size_t *end) {
    sg_cond_tok q = p->cur;
    bool all = sg_cond_is(p, q, "all");
    if (!all && !sg_cond_is(p, q, "any") && !sg_cond_is(p, q, "1")) {
        if (sg_cond_is_miscased(p, q, "any") || sg_cond_is_miscased(p, q, "all"))
            sg_cond_fail_case(p, q, sg_str_ieq_cstr(sg_cond_text(p, q), "any") ? "any" : "all");
        else
            sg_cond_fail(p, q.off, "only '1 of', 'any of' and 'all of' are valid");
        return NULL;
    }
    if (!sg_cond_is(p, of, "of")) {
        sg_cond_fail_case(p, of, "of");
        return NULL;
    }
    sg_cond_advance(p); /* quantifier */
    sg_cond_advance(p); /* of */

    sg_cond_tok pat = p->cur;
    bool them = sg_cond_is(p, pat, "them");
    if (sg_cond_is_miscased(p, pat, "them")) {
        sg_cond_fail_case(p, pat, "them");
        return NULL;
    }
    if (pat.kind != SG_TK_WORD || sg_cond_is(p, pat, "and") || sg_cond_is(p, pat, "or") ||
        sg_cond_is(p, pat, "not") || sg_cond_is(p, pat, "of")) {
        sg_cond_fail_tok(p, pat, "expected a pattern or 'them' after 'of'");
        return NULL;
    }
    if (!them && !sg_cond_check_word(p, pat, true, false, "pattern")) return NULL;

    *start = q.off;
    *end = (size_t)pat.off + pat.len;
    sg_cond_node *n = sg_cond_new_node(p, all ? SG_COND_ALL_OF : SG_COND_ONE_OF, *start, *end);
    n->name = sg_str_dup(p->arena, p->s + pat.off, pat.len);
    n->them = them;
    sg_cond_advance(p);
    return n;
}

/* primary ::= "(" or_expr ")" | QUANT "of" PATTERN | IDENT
 * *start / *end receive the extent of the text, parentheses included. */
static sg_cond_node *sg_cond_parse_primary(sg_cond_parser *p, sg_cond_ctx ctx, size_t *start,
                                           size_t *end) {
    sg_cond_tok t = p->cur;
    if (t.kind == SG_TK_LPAREN) {
        if (p->depth >= SG_COND_MAX_DEPTH) {
            sg_cond_fail(p, t.off, "condition nested deeper than %d levels", SG_COND_MAX_DEPTH);
            return NULL;
        }
        p->depth++;
        sg_cond_advance(p);
        size_t is, ie;
        sg_cond_node *inner = sg_cond_parse_or(p, SG_CTX_LPAREN, &is, &ie);
        p->depth--;
        if (!inner) return NULL;
        if (p->cur.kind == SG_TK_RPAREN) {
            *start = t.off;
            *end = (size_t)p->cur.off + 1;
            sg_cond_advance(p);
            return inner;
        }
        if (p->cur.kind == SG_TK_END)
            sg_cond_fail(p, t.off, "unexpected end of condition: expected ')'");
        else if (p->cur.kind == SG_TK_PIPE)
            sg_cond_fail(p, t.off, "unclosed '(' before '|'");
        else
            sg_cond_fail_operator(p, true);
        return NULL;
    }

    if (t.kind != SG_TK_WORD || sg_cond_is(p, t, "and") || sg_cond_is(p, t, "or")) {
        sg_cond_fail_operand(p, ctx);
        return NULL;
    }
    /* One token of lookahead: any word followed by `of` is a quantifier
     * (and must be a valid one). */
    sg_cond_tok next = sg_cond_peek(p);
    if (next.kind == SG_TK_WORD && sg_str_ieq_cstr(sg_cond_text(p, next), "of"))
        return sg_cond_parse_quantified(p, next, start, end);
    if (sg_cond_is(p, t, "of")) {
        sg_cond_fail(p, t.off, "'of' needs a quantifier: '1 of', 'any of' or 'all of'");
        return NULL;
    }
    if (sg_cond_is(p, t, "them")) {
        sg_cond_fail(p, t.off, "'them' needs a quantifier: '1 of them' or 'all of them'");
        return NULL;
    }
    if (!sg_cond_check_ident(p, t)) return NULL;
    *start = t.off;
    *end = (size_t)t.off + t.len;
    sg_cond_node *n = sg_cond_new_node(p, SG_COND_IDENT, *start, *end);
    n->name = sg_str_dup(p->arena, p->s + t.off, t.len);
    sg_cond_advance(p);
    return n;
}

/* not_expr ::= "not" not_expr | primary
 * Iterative: collect the `not`s, parse the primary, wrap inside out. */
static sg_cond_node *sg_cond_parse_not(sg_cond_parser *p, sg_cond_ctx ctx, size_t *start,
                                       size_t *end) {
    uint32_t nots[SG_COND_MAX_DEPTH];
    unsigned n = 0;
    for (;;) {
        if (sg_cond_is(p, p->cur, "not")) {
            if (p->depth >= SG_COND_MAX_DEPTH) {
                p->depth -= n;
                sg_cond_fail(p, p->cur.off, "condition nested deeper than %d levels",
                             SG_COND_MAX_DEPTH);
                return NULL;
            }
            /* depth < MAX and depth >= n, so n stays below the array size */
            nots[n++] = p->cur.off;
            p->depth++;
            ctx = SG_CTX_NOT;
            sg_cond_advance(p);
            continue;
        }
        /* `NOT x`: a mis-cased `not` directly before an operand */
        if (sg_cond_is_miscased(p, p->cur, "not") && sg_cond_starts_operand(p, sg_cond_peek(p))) {
            p->depth -= n;
            sg_cond_fail_case(p, p->cur, "not");
            return NULL;
        }
        break;
    }
    sg_cond_node *node = sg_cond_parse_primary(p, ctx, start, end);
    p->depth -= n;
    if (!node) return NULL;
    while (n > 0) {
        n--;
        sg_cond_node *wrap = sg_cond_new_node(p, SG_COND_NOT, nots[n], *end);
        wrap->left = node;
        node = wrap;
        *start = nots[n];
    }
    return node;
}

/* The two binary levels, loosest first:
 *   or_expr  ::= and_expr ( "or" and_expr )*
 *   and_expr ::= not_expr ( "and" not_expr )*
 * Both fold to the left with a loop, so a long chain never recurses. */
static const struct {
    const char *keyword;
    sg_cond_kind kind;
    sg_cond_ctx ctx; /* what the operand after the keyword follows */
} sg_cond_levels[] = {
    {"or", SG_COND_OR, SG_CTX_OR},
    {"and", SG_COND_AND, SG_CTX_AND},
};

static sg_cond_node *sg_cond_parse_level(sg_cond_parser *p, int level, sg_cond_ctx ctx, size_t *start,
                                         size_t *end) {
    if (level == 2) return sg_cond_parse_not(p, ctx, start, end);
    sg_cond_node *left = sg_cond_parse_level(p, level + 1, ctx, start, end);
    while (left && sg_cond_is(p, p->cur, sg_cond_levels[level].keyword)) {
        sg_cond_advance(p);
        size_t rs, re;
        sg_cond_node *right = sg_cond_parse_level(p, level + 1, sg_cond_levels[level].ctx, &rs, &re);
        if (!right) return NULL;
        sg_cond_node *n = sg_cond_new_node(p, sg_cond_levels[level].kind, *start, re);
        n->left = left;
        n->right = right;
        left = n;
        *end = re;
    }
    return left;
}

static sg_cond_node *sg_cond_parse_or(sg_cond_parser *p, sg_cond_ctx ctx, size_t *start, size_t *end) {
    return sg_cond_parse_level(p, 0, ctx, start, end);
}

/* ------------------------------------------------------------------ */
/* Aggregation                                                          */

/* Makes room for element n of an arena array of capacity *cap (doubling;
 * the old copy stays in the arena, at most as large as the new one). */
static void *sg_cond_grow(sg_arena *arena, void *old, size_t n, size_t *cap, size_t elem) {
    if (n < *cap) return old;
    size_t ncap = *cap ? *cap * 2 : 4;
    void *grown = sg_arena_array(arena, ncap, elem);
    if (n) memcpy(grown, old, n * elem);
    *cap = ncap;
    return grown;
}

/* NUMBER ::= [0-9]+ ( "." [0-9]+ )?, at most 2^53.  p->cur is the token
 * after the comparison operator. */
static bool sg_cond_parse_threshold(sg_cond_parser *p, sg_cond_agg *agg) {
    static const double exact_pow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                         1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                         1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
    sg_cond_tok t = p->cur;
    const char *op = sg_cmp_op_text(agg->op);
    char buf[SG_COND_SHOW_MAX + 8];
    if (t.kind != SG_TK_WORD) {
        sg_cond_fail_tok(p, t, "expected a number after '%s'", op);
        return false;
    }
    const char *s = p->s + t.off;
    size_t n = t.len;
    if (s[0] == '-') {
        sg_cond_fail(p, t.off, "threshold must be >= 0");
        return false;
    }
    if (s[0] < '0' || s[0] > '9') {
        sg_cond_fail(p, t.off, "expected a number after '%s'", op);
        return false;
    }

    /* Scan digits.  ip: the integer part (saturating above 2^53); mant: all
     * digits as one integer while it is exact; frac: digits after '.'. */
    uint64_t ip = 0, mant = 0;
    bool ip_big = false, mant_big = false, frac_nonzero = false, dot = false;
    size_t frac = 0, i = 0;
    for (; i < n; i++) {
        char c = s[i];
        if (c == '.' && !dot && i > 0 && i + 1 < n) {
            dot = true;
            continue;
        }
        if (c < '0' || c > '9') break;
        unsigned d = (unsigned)(c - '0');
        if (dot) {
            frac++;
            if (d) frac_nonzero = true;
        } else if (!ip_big) {
            ip = ip * 10 + d;
            if (ip > SG_COND_MAX_EXACT) ip_big = true;
        }
        if (!mant_big) {
            mant = mant * 10 + d;
            if (mant > SG_COND_MAX_EXACT) mant_big = true;
        }
    }
    if (i < n || (dot && frac == 0)) {
        sg_cond_fail(p, t.off, "invalid number %s", sg_cond_show(p, t, buf, sizeof buf));
        return false;
    }
    if (ip_big || (ip == SG_COND_MAX_EXACT && frac_nonzero)) {
        sg_cond_fail(p, t.off, "threshold is too large: the maximum is %llu",
                     (unsigned long long)SG_COND_MAX_EXACT);
        return false;
    }
    agg->threshold_text = sg_str_dup(p->arena, s, n);
    agg->threshold_offset = t.off;
    if (!mant_big && frac < sizeof exact_pow10 / sizeof exact_pow10[0])
        /* Both operands are exact doubles, so the quotient is correctly
         * rounded, and this path does not depend on the C locale. */
        agg->threshold = (double)mant / exact_pow10[frac];
    else
        /* Many significant digits: strtod rounds them correctly. */
        agg->threshold = strtod(agg->threshold_text.ptr, NULL);
    sg_cond_advance(p);
    return true;
}

/* "near" ["not"] IDENT ( "and" ["not"] IDENT )*, p->cur on `near`. */
static bool sg_cond_parse_near(sg_cond_parser *p, sg_cond_agg *agg) {
    size_t cap = 0;
    const char *after = "near";
    /* no field and no threshold: empty strings, offsets at `near` */
    agg->field = sg_str_dup(p->arena, "", 0);
    agg->field_offset = agg->offset;
    agg->threshold_text = sg_str_dup(p->arena, "", 0);
    agg->threshold_offset = agg->offset;
    sg_cond_advance(p);
    for (;;) {
        bool negated = false;
        if (sg_cond_is(p, p->cur, "not")) {
            negated = true;
            after = "not";
            sg_cond_advance(p);
        } else if (sg_cond_is_miscased(p, p->cur, "not") && sg_cond_peek(p).kind == SG_TK_WORD) {
            sg_cond_fail_case(p, p->cur, "not");
            return false;
        }
        sg_cond_tok t = p->cur;
        if (t.kind != SG_TK_WORD || sg_cond_is(p, t, "and") || sg_cond_is(p, t, "or") ||
            sg_cond_is(p, t, "not") || sg_cond_is(p, t, "of") || sg_cond_is(p, t, "them")) {
            sg_cond_fail_tok(p, t, "expected an identifier after '%s'", after);
            return false;
        }
        if (!sg_cond_check_ident(p, t)) return false;
        agg->near = sg_cond_grow(p->arena, agg->near, agg->n_near, &cap, sizeof *agg->near);
        sg_cond_near_item *item = &agg->near[agg->n_near++];
        item->name = sg_str_dup(p->arena, p->s + t.off, t.len);
        item->negated = negated;
        item->offset = t.off;
        sg_cond_advance(p);

        if (p->cur.kind == SG_TK_END) return true;
        if (sg_cond_is(p, p->cur, "and")) {
            after = "and";
            sg_cond_advance(p);
            continue;
        }
        if (sg_cond_is_miscased(p, p->cur, "and")) {
            sg_cond_fail_case(p, p->cur, "and");
        } else if (sg_cond_is(p, p->cur, "or")) {
            sg_cond_fail(p, p->cur.off, "only 'and' can join the identifiers of 'near'");
        } else {
            char buf[SG_COND_SHOW_MAX + 8];
            sg_cond_fail_tok(p, p->cur, "expected 'and' before %s",
                             sg_cond_show(p, p->cur, buf, sizeof buf));
        }
        return false;
    }
}

/* aggregation, p->cur on the `|`. */
static sg_cond_agg *sg_cond_parse_agg(sg_cond_parser *p) {
    static const struct {
        const char *name;
        sg_agg_func func;
    } funcs[] = {{"count", SG_AGGF_COUNT}, {"min", SG_AGGF_MIN}, {"max", SG_AGGF_MAX},
                 {"avg", SG_AGGF_AVG},     {"sum", SG_AGGF_SUM}, {"near", SG_AGGF_NEAR}};
    sg_cond_advance(p);
    sg_cond_tok f = p->cur;
    const char *fname = NULL;
    sg_agg_func func = SG_AGGF_COUNT;
    for (size_t i = 0; i < sizeof funcs / sizeof funcs[0]; i++) {
        if (sg_cond_is(p, f, funcs[i].name)) {
            fname = funcs[i].name;
            func = funcs[i].func;
        } else if (sg_cond_is_miscased(p, f, funcs[i].name)) {
            sg_cond_fail_case(p, f, funcs[i].name);
            return NULL;
        }
    }
    if (!fname) {
        sg_cond_fail_tok(p, f,
                         "expected an aggregation function (count, min, max, avg, sum or near) "
                         "after '|'");
        return NULL;
    }
    sg_cond_agg *agg = SG_NEW(p->arena, sg_cond_agg);
    agg->func = func;
    agg->offset = f.off;
    if (func == SG_AGGF_NEAR) return sg_cond_parse_near(p, agg) ? agg : NULL;

    /* FUNC "(" [FIELD] ")" */
    sg_cond_advance(p);
    if (p->cur.kind != SG_TK_LPAREN) {
        sg_cond_fail_tok(p, p->cur, "expected '(' after '%s'", fname);
        return NULL;
    }
    sg_cond_advance(p);
    bool has_field = p->cur.kind == SG_TK_WORD;
    agg->field_offset = p->cur.off; /* where the field is or would be */
    if (has_field) {
        if (!sg_cond_check_word(p, p->cur, false, true, "field name")) return NULL;
        agg->field = sg_str_dup(p->arena, p->s + p->cur.off, p->cur.len);
        sg_cond_advance(p);
    } else {
        agg->field = sg_str_dup(p->arena, "", 0);
    }
    if (p->cur.kind != SG_TK_RPAREN) {
        sg_cond_fail_tok(p, p->cur,
                         has_field ? "expected ')' after the field name"
                                   : "expected a field name or ')' after '('");
        return NULL;
    }
    if (!has_field && func != SG_AGGF_COUNT) {
        sg_cond_fail(p, p->cur.off, "'%s' requires a field name, e.g. %s(Field)", fname, fname);
        return NULL;
    }
    sg_cond_advance(p);

    /* [ "by" FIELD ( "," FIELD )* ] */
    if (sg_cond_is_miscased(p, p->cur, "by")) {
        sg_cond_fail_case(p, p->cur, "by");
        return NULL;
    }
    if (sg_cond_is(p, p->cur, "by")) {
        size_t cap = 0;
        const char *after = "by";
        sg_cond_advance(p);
        for (;;) {
            sg_cond_tok t = p->cur;
            if (t.kind != SG_TK_WORD) {
                sg_cond_fail_tok(p, t, "expected a field name after '%s'", after);
                return NULL;
            }
            if (!sg_cond_check_word(p, t, false, true, "field name")) return NULL;
            if (agg->n_group_by == cap) { /* grow the two parallel arrays together */
                size_t ocap = cap;
                agg->group_by = sg_cond_grow(p->arena, agg->group_by, agg->n_group_by, &ocap,
                                             sizeof *agg->group_by);
                agg->group_by_offset = sg_cond_grow(p->arena, agg->group_by_offset, agg->n_group_by,
                                                    &cap, sizeof *agg->group_by_offset);
            }
            agg->group_by[agg->n_group_by] = sg_str_dup(p->arena, p->s + t.off, t.len);
            agg->group_by_offset[agg->n_group_by] = t.off;
            agg->n_group_by++;
            sg_cond_advance(p);
            if (p->cur.kind != SG_TK_COMMA) break;
            after = ",";
            sg_cond_advance(p);
        }
    }

    /* CMP NUMBER */
    if (p->cur.kind != SG_TK_CMP) {
        sg_cond_fail_tok(p, p->cur,
                         agg->n_group_by ? "expected ',' or a comparison operator after the "
                                           "field name"
                                         : "expected 'by' or a comparison operator after ')'");
        return NULL;
    }
    agg->op = p->cur.op;
    sg_cond_advance(p);
    if (!sg_cond_parse_threshold(p, agg)) return NULL;
    if (p->cur.kind != SG_TK_END) {
        char buf[SG_COND_SHOW_MAX + 8];
        sg_cond_fail_tok(p, p->cur, "unexpected %s after the aggregation",
                         sg_cond_show(p, p->cur, buf, sizeof buf));
        return NULL;
    }
    return agg;
}

/* ------------------------------------------------------------------ */
/* Public API                                                           */

int sg_cond_parse(sg_arena *arena, sg_str text, bool allow_aggregation, sg_cond *out,
                  sg_cond_error *err) {
    sg_cond_parser p = {0};
    p.arena = arena;
    p.s = text.ptr ? text.ptr : "";
    p.len = text.ptr ? text.len : 0;
    p.err = err;
    if (err) {
        err->offset = 0;
        err->message[0] = '\0';
    }
    out->expr = NULL;
    out->agg = NULL;
    if (p.len > UINT32_MAX) {
        sg_cond_fail(&p, 0, "condition is too long");
        return -1;
    }

    p.cur = sg_cond_lex(&p, 0);
    size_t start, end;
    sg_cond_node *expr = sg_cond_parse_or(&p, SG_CTX_START, &start, &end);
    if (!expr) return -1;

    sg_cond_agg *agg = NULL;
    switch (p.cur.kind) {
    case SG_TK_END:
        break;
    case SG_TK_PIPE:
        if (!allow_aggregation) {
            sg_cond_fail(&p, p.cur.off, "aggregation is not allowed here");
            return -1;
        }
        agg = sg_cond_parse_agg(&p);
        if (!agg) return -1;
        break;
    case SG_TK_RPAREN:
        sg_cond_fail(&p, p.cur.off, "unbalanced ')'");
        return -1;
    default:
        sg_cond_fail_operator(&p, false);
        return -1;
    }
    out->expr = expr;
    out->agg = agg;
    return 0;
}

bool sg_cond_pattern_matches(sg_str pattern, bool them, sg_str name) {
    bool private_name = name.len > 0 && name.ptr[0] == '_';
    if (them) return !private_name;
    if (private_name && !(pattern.len > 0 && pattern.ptr[0] == '_')) return false;

    /* Glob match of the whole name, '*' matching any run (also empty).
     * Greedy with one backtrack point: on a mismatch, retry after the
     * latest '*' with it swallowing one more byte.  Earlier stars never
     * need revisiting, so this is O(len(pattern) * len(name)) at worst. */
    size_t pi = 0, ni = 0;
    size_t star = SIZE_MAX, star_ni = 0;
    while (ni < name.len) {
        if (pi < pattern.len && pattern.ptr[pi] == '*') {
            star = pi++;
            star_ni = ni;
        } else if (pi < pattern.len && pattern.ptr[pi] == name.ptr[ni]) {
            pi++;
            ni++;
        } else if (star != SIZE_MAX) {
            pi = star + 1;
            ni = ++star_ni;
        } else {
            return false;
        }
    }
    while (pi < pattern.len && pattern.ptr[pi] == '*')
        pi++;
    return pi == pattern.len;
}

const char *sg_cmp_op_text(sg_cmp_op op) {
    switch (op) {
    case SG_CMP_LT:
        return "<";
    case SG_CMP_LTE:
        return "<=";
    case SG_CMP_GT:
        return ">";
    case SG_CMP_GTE:
        return ">=";
    case SG_CMP_EQ:
        return "==";
    case SG_CMP_NEQ:
        return "!=";
    case SG_CMP_NONE:
        break;
    }
    return "";
}
