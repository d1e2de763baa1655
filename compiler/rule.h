/* rule.h - the front end: YAML documents to typed rules, and the rule set.
 *
 * Pipeline per file: sg_yaml_load -> collection actions (global / reset /
 * repeat) -> one sg_rule per effective document -> typed top-level fields
 * (sg_rule_parse_meta) -> detection items and condition -> IR (detect.c)
 * -> threshold extension and placeholder fill-in (threshold.c).
 * After all files: correlation references and filters are resolved across
 * the whole set, and cross-rule checks run (check.c).
 *
 * The compilation unit is the rule set: correlations and filters reference
 * rules in other files, so every file's YAML tree, rules and IR live in the
 * rule set's one arena and are freed together by sg_ruleset_free().
 */
#ifndef SG_RULE_H
#define SG_RULE_H

#include "cond.h"
#include "ir.h"
#include "yamltree.h"

/* One `field|mod|mod: value(s)` entry of a selection, as written. */
typedef struct sg_ditem {
    sg_str field;          /* len 0: keyword item */
    sg_str *mods;          /* modifier names as written */
    size_t n_mods;
    sg_ynode *key;         /* NULL for keyword list items */
    sg_ynode *value;       /* scalar or sequence */
} sg_ditem;

/* A map of items (AND). */
typedef struct sg_dmap {
    sg_ynode *node;
    sg_ditem *items;
    size_t count;
} sg_dmap;

/* A search identifier of `detection:`. */
typedef struct sg_search {
    sg_str name;
    sg_ynode *key;
    sg_ynode *value;
    sg_dmap *maps;          /* OR of maps (one for a plain map) */
    size_t n_maps;
    sg_ditem *keywords;     /* keyword items of a list (OR), or NULL */
    size_t n_keywords;
    sg_ir_expr *ir;         /* lowered expression, NULL on error */
    bool referenced;        /* named by some condition */
    bool match_all;         /* every item can only match everything (placeholder) */
} sg_search;

typedef struct sg_condition {
    sg_ynode *node;         /* the scalar holding the condition text */
    sg_cond parsed;
    bool ok;
} sg_condition;

/* sigc's threshold extension block (also used for the defaults file). */
typedef struct sg_threshold {
    sg_ynode *node;
    sg_agg_type type;       /* event_count or value_count (also value_sum/avg/min/max) */
    sg_str field;
    sg_str *group_by;
    size_t n_group_by;
    int64_t timespan;
    sg_cmp_op op;
    double value;
    sg_str value_text;
    bool set;
} sg_threshold;

typedef struct sg_rule {
    sg_rule_kind kind;
    const char *file;
    size_t doc_index;
    sg_ynode *root;          /* the effective (merged) document */
    sg_ir_rule *ir;          /* always allocated; ir->expr NULL when lowering failed */
    bool has_errors;         /* an error diagnostic was reported for this rule */
    /* detection rules */
    sg_ynode *detection;
    sg_search *searches;
    size_t n_searches;
    sg_condition *conditions;
    size_t n_conditions;
    sg_ynode *timeframe;
    int64_t timeframe_s;
    sg_threshold threshold;  /* the rule's own `threshold:` block */
    bool placeholder;        /* the detection could only match everything */
    /* correlation rules */
    sg_ynode *correlation;
    sg_cond temporal_cond;   /* extended temporal condition ("a and not b") */
    bool has_temporal_cond;
    /* filter rules */
    sg_ynode *filter;
} sg_rule;

typedef struct sg_unit {
    sg_arena *arena;         /* the rule set's arena */
    const char *file;
    size_t len;              /* size of the file (its bytes are not kept) */
    sg_ydoc *docs;
    size_t n_docs;
    sg_rule **rules;
    size_t n_rules;
    bool load_failed;        /* the YAML did not load */
} sg_unit;

typedef struct sg_threshold_default {
    sg_str tag;              /* e.g. attack.t1499.002 */
    sg_logsource logsource;  /* fields set here must equal the rule's */
    sg_threshold threshold;
    const char *file;
    uint32_t line;
} sg_threshold_default;

typedef struct sg_options {
    size_t max_file_size;    /* bytes; default 1 MiB */
    sg_yaml_limits yaml;
    size_t max_windash_variants; /* default 3125 (5^5) */
    size_t max_regex_length;     /* default 8192 */
} sg_options;

extern const sg_options sg_default_options;

/* Top-level keys that misspell `related` / `references`: the
 * custom_attributes check reports them, so they are not unknown keys too. */
#define SG_N_TYPO_KEYS 5
extern const char *const sg_typo_keys[SG_N_TYPO_KEYS];

typedef struct sg_ruleset {
    sg_options opts;
    sg_diags *diags;
    sg_unit **units;
    size_t n_units, cap_units;
    sg_rule **rules;         /* every rule of every unit, in load order */
    size_t n_rules, cap_rules;
    sg_arena *arena;         /* run-level allocations (defaults, resolution) */
    sg_threshold_default *defaults;
    size_t n_defaults;
} sg_ruleset;

void sg_ruleset_init(sg_ruleset *rs, const sg_options *opts, sg_diags *diags);
void sg_ruleset_free(sg_ruleset *rs);
/* Loads the threshold defaults data file (see docs/threshold.md). */
int sg_ruleset_load_defaults(sg_ruleset *rs, const char *path, const char *data, size_t len);
/* Compiles one file's bytes.  file is kept (borrowed) for diagnostics.
 * Returns 0 when the file had no error. */
int sg_ruleset_add_file(sg_ruleset *rs, const char *file, const char *data, size_t len);
/* Resolves correlation references and filters over everything loaded. */
int sg_ruleset_resolve(sg_ruleset *rs);

/* Internal steps, exposed for unit tests. */
void sg_rule_parse_meta(sg_ruleset *rs, sg_unit *u, sg_rule *r);
void sg_rule_parse_detection(sg_ruleset *rs, sg_unit *u, sg_rule *r);
void sg_rule_parse_correlation(sg_ruleset *rs, sg_unit *u, sg_rule *r);
void sg_rule_parse_filter(sg_ruleset *rs, sg_unit *u, sg_rule *r);
/* Lowers a `field|mods: values` mapping (AND of its items) outside a
 * detection section, e.g. a pipeline's conditions; errors go to r's file. */
sg_ir_expr *sg_detect_lower_map(sg_ruleset *rs, sg_rule *r, sg_arena *a, sg_ynode *map);
/* Parses "field|mod|mod" keys. */
void sg_ditem_split_key(sg_arena *a, sg_str key, sg_ditem *out);
/* Parses a timespan such as 90m into seconds; false on error. */
bool sg_parse_timespan(sg_str s, int64_t *out, char err[128]);
/* Parses a threshold block (the extension, or a defaults entry). */
bool sg_threshold_parse(sg_ruleset *rs, const char *file, sg_ynode *node, sg_threshold *out);
/* Placeholder detection and fill-in (threshold.c). */
void sg_threshold_apply(sg_ruleset *rs, sg_unit *u, sg_rule *r);

/* Reports a diagnostic at a node and marks the rule as failed for errors. */
void sg_rule_diag(sg_ruleset *rs, sg_rule *r, sg_diag_id id, const sg_ynode *at, const char *fmt,
                  ...) __attribute__((format(printf, 5, 6)));

#endif
