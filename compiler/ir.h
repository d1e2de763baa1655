/* ir.h - the normalized intermediate representation every backend reads.
 *
 * A rule becomes:
 *   - meta: what the rule says about itself (id, title, level, tags, log
 *     source, where it came from), copied out of the YAML;
 *   - expr: a boolean expression (AND / OR / NOT) over typed predicates, after
 *     every value modifier has been applied: a predicate is one field, one
 *     operator, one value and its case sensitivity.  Value lists became OR
 *     (or AND under |all) of predicates; windash and base64offset variants
 *     became OR groups; `1 of sel*` became OR over the selections;
 *   - agg: optionally one aggregation node.  Legacy `| count() by f > N`,
 *     Sigma 2 correlation rules and sigc's threshold extension (including
 *     filled-in placeholder detections) all become this one node, so a
 *     backend implements "N events per group within T" once.
 *
 * Ownership: IR nodes live in the arena of the compilation unit that built
 * them; backends only borrow.
 */
#ifndef SG_IR_H
#define SG_IR_H

#include "cond.h"
#include "encode.h"

typedef enum sg_ir_op {
    SG_OP_EQ,         /* string: whole-value equality with text; number/bool: equality */
    SG_OP_CONTAINS,   /* text occurs in the value */
    SG_OP_STARTSWITH, /* value starts with text */
    SG_OP_ENDSWITH,   /* value ends with text */
    SG_OP_GLOB,       /* pattern with wildcards inside (whole-value match) */
    SG_OP_REGEX,      /* text is a PCRE pattern (unanchored search), regex_flags */
    SG_OP_CIDR,       /* value is an IP address inside cidr */
    SG_OP_LT,         /* numeric comparisons against num */
    SG_OP_LTE,
    SG_OP_GT,
    SG_OP_GTE,
    SG_OP_NULL,       /* Field: null - the field is absent or empty */
    SG_OP_EXISTS,     /* |exists: true (false is NOT EXISTS) */
    SG_OP_FIELDREF,   /* the value equals (or fieldref_op) the value of field text */
} sg_ir_op;

typedef enum sg_ir_vtype {
    SG_VT_STRING,
    SG_VT_NUMBER,
    SG_VT_BOOL,
    SG_VT_NONE, /* NULL / EXISTS / CIDR / FIELDREF */
} sg_ir_vtype;

typedef enum sg_timepart {
    SG_TP_NONE,
    SG_TP_MINUTE,
    SG_TP_HOUR,
    SG_TP_DAY,
    SG_TP_WEEK,
    SG_TP_MONTH,
    SG_TP_YEAR,
} sg_timepart;

enum {
    SG_RE_I = 1, /* |i: ignore case */
    SG_RE_M = 2, /* |m: multi-line */
    SG_RE_S = 4, /* |s: dot matches newline */
};

typedef struct sg_ir_pred {
    sg_str field;          /* len 0: keyword (full-text search over the event) */
    sg_ir_op op;
    sg_ir_vtype vtype;
    bool cased;            /* case-sensitive (|cased, and always for regex) */
    sg_str text;           /* EQ/CONTAINS/STARTSWITH/ENDSWITH: the literal bytes;
                              REGEX: the pattern; FIELDREF: the other field;
                              numbers and booleans: the value as written */
    sg_sstring pattern;    /* the full Sigma string (GLOB, and placeholders) */
    bool has_placeholder;  /* pattern holds %name% parts (|expand) */
    double num;            /* numbers, comparisons and time parts */
    bool is_int;           /* num is an integer (int_value exact) */
    int64_t int_value;
    bool bool_value;
    unsigned regex_flags;  /* SG_RE_* */
    sg_cidr cidr;
    sg_ir_op fieldref_op;  /* FIELDREF: EQ, CONTAINS, STARTSWITH or ENDSWITH */
    sg_timepart timepart;  /* compare a part of the timestamp field */
    uint32_t line, col;    /* where the value is written */
} sg_ir_pred;

typedef enum sg_ir_kind {
    SG_IR_TRUE,    /* matches every event */
    SG_IR_FALSE,   /* matches nothing (e.g. an empty OR) */
    SG_IR_PRED,
    SG_IR_AND,
    SG_IR_OR,
    SG_IR_NOT,
    SG_IR_RULEREF, /* temporal correlation conditions: rule_index into agg->rules */
} sg_ir_kind;

typedef struct sg_ir_expr sg_ir_expr;
struct sg_ir_expr {
    sg_ir_kind kind;
    uint32_t line, col;
    sg_ir_pred *pred;      /* SG_IR_PRED */
    size_t count;          /* AND / OR: children; NOT: 1 */
    sg_ir_expr **kids;
    size_t rule_index;     /* SG_IR_RULEREF */
};

typedef enum sg_agg_type {
    SG_AGG_EVENT_COUNT,
    SG_AGG_VALUE_COUNT,
    SG_AGG_VALUE_SUM,
    SG_AGG_VALUE_AVG,
    SG_AGG_VALUE_MIN,
    SG_AGG_VALUE_MAX,
    SG_AGG_VALUE_PERCENTILE,
    SG_AGG_VALUE_MEDIAN,
    SG_AGG_TEMPORAL,
    SG_AGG_TEMPORAL_ORDERED,
    SG_AGG_NEAR, /* legacy `| near`: expr, then near_exprs within the window */
} sg_agg_type;

typedef enum sg_agg_origin {
    SG_ORIGIN_LEGACY,      /* condition: sel | count() ... with timeframe */
    SG_ORIGIN_CORRELATION, /* a Sigma 2 correlation rule */
    SG_ORIGIN_THRESHOLD,   /* sigc's threshold extension block */
    SG_ORIGIN_PLACEHOLDER, /* a placeholder detection filled in from the extension or defaults */
} sg_agg_origin;

struct sg_ir_rule;

typedef struct sg_ir_alias_map {
    size_t rule_index; /* into agg->rules */
    sg_str field;
} sg_ir_alias_map;

typedef struct sg_ir_alias {
    sg_str name;
    sg_ir_alias_map *maps;
    size_t count;
} sg_ir_alias;

typedef struct sg_strlist {
    sg_str *items;
    size_t count;
} sg_strlist;

typedef struct sg_ir_agg {
    sg_agg_type type;
    sg_agg_origin origin;
    sg_str field;          /* value_*: the aggregated field; value_count: distinct field */
    sg_str *group_by;
    size_t n_group_by;
    /* placement: all: when the pipeline's variants name a group-by key or
     * the aggregated field differently, every name, in variant order; an
     * event's value is that of the first of them it has.  NULL / count 0:
     * the one name above. */
    sg_strlist *group_by_any; /* n_group_by lists, or NULL */
    sg_strlist field_any;
    int64_t timespan;      /* window in seconds; 0 = none given */
    sg_cmp_op op;          /* SG_CMP_NONE for temporal without a condition */
    double threshold;
    sg_str threshold_text;
    bool threshold_is_int;
    int64_t threshold_int;
    int percentile;        /* value_percentile */
    /* correlations: the referenced rules, resolved across the loaded set */
    sg_str *rule_refs;     /* as written */
    struct sg_ir_rule **rules;
    size_t n_rules;
    sg_ir_alias *aliases;
    size_t n_aliases;
    sg_ir_expr *temporal_condition; /* RULEREF expression, or NULL */
    bool generate;
    /* legacy near */
    sg_ir_expr **near_exprs;
    bool *near_negated;
    size_t n_near;
    uint32_t line, col;    /* where the aggregation is stated */
} sg_ir_agg;

typedef enum sg_rule_kind {
    SG_RULE_DETECTION,
    SG_RULE_CORRELATION,
    SG_RULE_FILTER,
} sg_rule_kind;

typedef struct sg_logsource {
    sg_str category, product, service, definition;
} sg_logsource;

typedef struct sg_ir_meta {
    sg_str id, name, title, status, level, description, author, license, taxonomy;
    sg_str date, modified;
    sg_strlist tags, references, falsepositives, fields, scope;
    sg_logsource logsource;
    const char *file;      /* path as given on the command line */
    uint32_t line;         /* line of the document start */
    size_t doc_index;      /* 0-based document index in the file */
} sg_ir_meta;

/* A column the query computes from the table's own, named by a pipeline
 * (`computed:` and `bag:` in compiler/pipeline.h).  The backend adds it
 * after the table, the prefilter and the prelude. */
typedef struct sg_ir_column {
    sg_str name;
    sg_str expr;   /* target-language expression (computed:), or */
    sg_str bag;    /* a property bag (bag:, members:): the column is the text of its member */
    sg_str member; /* the member: one key (bag:) or a dotted path of keys (members:) */
    bool dotted;   /* member is a path: split it at each '.' */
} sg_ir_column;

/* Other names events give a field (pipeline `event-names`; the C matcher
 * reads events, so it must know them): winlog.event_id for EventID... */
typedef struct sg_ir_event_name {
    sg_str field;
    const sg_str *names;
    size_t n_names;
} sg_ir_event_name;

typedef struct sg_ir_rule {
    sg_rule_kind kind;
    sg_ir_meta meta;
    /* Set by the pipeline (compiler/pipeline.c) for the chosen target. */
    sg_str table;          /* KQL: the table to query; SPL: unused (conditions carry index/source) */
    sg_str timestamp;      /* the event-time field aggregations bucket on */
    sg_ir_expr *prefilter; /* log-source conditions that run before the prelude, or NULL */
    sg_strlist prelude;    /* query stages between the table (and prefilter) and the rule */
    bool prelude_for_bag;  /* the prelude only builds the bag: skip it when no column reads the bag */
    sg_ir_column *columns; /* computed columns the rule uses */
    size_t n_columns;
    sg_strlist text_columns; /* table columns that hold numbers as text (pipeline `text:`) */
    const sg_ir_event_name *event_names; /* C matcher: other names of fields in events */
    size_t n_event_names;
    sg_ir_expr *expr;      /* detection: the match expression; NULL for correlations */
    sg_ir_agg *agg;        /* NULL for a plain detection */
    bool suppressed;       /* only referenced by a correlation without generate */
} sg_ir_rule;

/* Constructors (arena-allocated). */
sg_ir_expr *sg_ir_new(sg_arena *a, sg_ir_kind kind, uint32_t line, uint32_t col);
sg_ir_expr *sg_ir_new_pred(sg_arena *a, sg_ir_pred *p);
/* n-ary node from a list; flattens nested nodes of the same kind, drops
 * TRUE from AND and FALSE from OR, folds constants; count 1 returns the child. */
sg_ir_expr *sg_ir_new_nary(sg_arena *a, sg_ir_kind kind, sg_ir_expr **kids, size_t count,
                           uint32_t line, uint32_t col);
sg_ir_expr *sg_ir_new_not(sg_arena *a, sg_ir_expr *e);

/* A generic walker: the callback returns SG_WALK_CONTINUE, SG_WALK_PRUNE
 * (skip the node's children) or SG_WALK_ABORT. */
typedef enum sg_walk_result {
    SG_WALK_CONTINUE,
    SG_WALK_PRUNE,
    SG_WALK_ABORT,
} sg_walk_result;
typedef sg_walk_result (*sg_ir_visit_fn)(sg_ir_expr *e, int depth, void *ctx);
/* Pre-order walk; returns SG_WALK_ABORT if a callback aborted. */
sg_walk_result sg_ir_walk(sg_ir_expr *e, sg_ir_visit_fn fn, void *ctx);

/* Names for dumps and messages. */
const char *sg_ir_op_name(sg_ir_op op);
/* "<", "<=", ">", ">=" for the comparison operators, "==" for any other. */
const char *sg_ir_op_symbol(sg_ir_op op);
const char *sg_agg_type_name(sg_agg_type t);
const char *sg_agg_origin_name(sg_agg_origin o);
const char *sg_timepart_name(sg_timepart t);

/* Stable text dump of a rule's IR (golden tests, `sigc dump-ir`). */
void sg_ir_dump(sg_buf *out, const sg_ir_rule *rule);

#endif
