/* cond.h - the Sigma condition language.
 *
 * Parses the string of `detection.condition` (and the temporal correlation
 * condition) into a small tree with byte spans, so errors point at the
 * column inside the condition.  Grammar, loosest binding first:
 *
 *   condition ::= or_expr [ "|" aggregation ]
 *   or_expr   ::= and_expr ( "or" and_expr )*
 *   and_expr  ::= not_expr ( "and" not_expr )*
 *   not_expr  ::= "not" not_expr | primary
 *   primary   ::= "(" or_expr ")" | QUANT "of" PATTERN | IDENT
 *   QUANT     ::= "1" | "any" | "all"
 *   PATTERN   ::= "them" | [A-Za-z0-9_*-]+
 *   aggregation ::= FUNC "(" [FIELD] ")" [ "by" FIELD ("," FIELD)* ] CMP NUMBER
 *                 | "near" ["not"] IDENT ( "and" ["not"] IDENT )*
 *   FUNC ::= count | min | max | avg | sum        CMP ::= == | = | != | < | <= | > | >=
 *
 * Keywords are lower case and whole words: `not_filter` is an identifier.
 */
#ifndef SG_COND_H
#define SG_COND_H

#include "arena.h"

typedef enum sg_cond_kind {
    SG_COND_IDENT,  /* name */
    SG_COND_AND,    /* left, right */
    SG_COND_OR,     /* left, right */
    SG_COND_NOT,    /* left */
    SG_COND_ONE_OF, /* "1 of" / "any of": pattern or them */
    SG_COND_ALL_OF, /* "all of": pattern or them */
} sg_cond_kind;

typedef struct sg_cond_node {
    sg_cond_kind kind;
    uint32_t offset; /* byte offset of the node's first token in the condition */
    uint32_t length; /* byte length of the node's text */
    sg_str name;     /* IDENT: the identifier; *_OF: the pattern ("them" when them) */
    bool them;       /* *_OF over `them` */
    struct sg_cond_node *left, *right;
} sg_cond_node;

typedef enum sg_cmp_op {
    SG_CMP_NONE = 0,
    SG_CMP_LT,
    SG_CMP_LTE,
    SG_CMP_GT,
    SG_CMP_GTE,
    SG_CMP_EQ,
    SG_CMP_NEQ,
} sg_cmp_op;

typedef enum sg_agg_func {
    SG_AGGF_COUNT,
    SG_AGGF_MIN,
    SG_AGGF_MAX,
    SG_AGGF_AVG,
    SG_AGGF_SUM,
    SG_AGGF_NEAR,
} sg_agg_func;

typedef struct sg_cond_near_item {
    sg_str name;
    bool negated;
    uint32_t offset;
} sg_cond_near_item;

typedef struct sg_cond_agg {
    sg_agg_func func;
    uint32_t offset;   /* of the function name */
    sg_str field;      /* argument of the function; len 0 for count() */
    uint32_t field_offset;
    sg_str *group_by;  /* fields after "by" */
    uint32_t *group_by_offset;
    size_t n_group_by;
    sg_cmp_op op;
    sg_str threshold_text; /* the number as written */
    uint32_t threshold_offset;
    double threshold;      /* its value */
    sg_cond_near_item *near; /* SG_AGGF_NEAR only */
    size_t n_near;
} sg_cond_agg;

typedef struct sg_cond {
    sg_cond_node *expr; /* the search expression, never NULL on success */
    sg_cond_agg *agg;   /* NULL when there is no "| ..." part */
} sg_cond;

typedef struct sg_cond_error {
    uint32_t offset;    /* byte offset in the condition where the problem is */
    char message[200];
} sg_cond_error;

/* Nesting of parentheses and `not` beyond this is an error (no deep recursion). */
#define SG_COND_MAX_DEPTH 64

/* Parses text.  Returns 0 and fills *out, or -1 and fills *err.
 * allow_aggregation=false rejects a "|" part (temporal correlation conditions). */
int sg_cond_parse(sg_arena *arena, sg_str text, bool allow_aggregation, sg_cond *out,
                  sg_cond_error *err);

/* True when a selector pattern ("sel*", "them") matches identifier name,
 * following the Sigma rules: `*` matches any run, the whole name must match,
 * and names starting with '_' match only patterns that start with '_'.
 * For `them` every name not starting with '_' matches. */
bool sg_cond_pattern_matches(sg_str pattern, bool them, sg_str name);

const char *sg_cmp_op_text(sg_cmp_op op); /* "<", "<=", ... */

#endif
