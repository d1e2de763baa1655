/* pipeline.h - processing pipelines: a target's schema as data.
 *
 * A pipeline maps Sigma's field names and log sources (category / product
 * / service) onto one target's schema.  It is a YAML file:
 *
 *   name: sentinel-windows            # what -p names it
 *   target: kql                       # the backend(s) it serves (a string or a list)
 *   description: one line for `sigc list pipelines`
 *   timestamp: TimeGenerated          # event-time field for aggregations
 *   logsources:                       # the first entry that matches places the rule
 *     - match: {category: process_creation, product: windows}
 *       table: SecurityEvent          # KQL table (unused by SPL)
 *       conditions: {EventID: 4688}   # ANDed in front; Sigma syntax, modifiers allowed
 *       fields: {Image: NewProcessName, ParentImage: ParentProcessName}
 *   fields: {User: SubjectUserName}   # for every log source, after its own map
 *   unmapped: keep                    # keep (default) or error: a field no map names
 *   placement: first                  # first (default): the first entry that matches places
 *                                     #   the rule; all: every entry that matches is a variant
 *                                     #   (its conditions, its field names), ORed
 *   unplaced: error                   # error (default), or fields-only: a rule no entry
 *                                     #   places keeps its own fields; instead of log-source
 *                                     #   conditions it holds only on events that have one of
 *                                     #   the fields it tests (a rule of keywords only: any event)
 *   event-names:                      # (target c) the names other log shippers give
 *     EventID: [winlog.event_id]      #   a field in events, so the matcher reads them too
 *   logsources entry `fallback: true`: places only rules that no regular entry places; as
 *                                     #   with unplaced, the rule also needs one of its fields
 *   values:                           # per log source: Sigma values -> target values
 *     EventType: {CreateKey: RegistryKeyCreated, DeleteValue: RegistryValueDeleted}
 *   hashes:                           # Sysmon's combined Hashes field, split
 *     field: Hashes                   #   `Hashes|contains: SHA256=ab..` becomes
 *     algorithms: {SHA256: SHA256, MD5: MD5, SHA1: SHA1}   #   SHA256 == "ab.."
 *   computed:                         # per log source (KQL): columns the query computes
 *     PipeName: 'tostring(parse_json(AdditionalFields).PipeName)'
 *   prelude: ['extend Bag = ...']     # per log source (KQL): stages after the table
 *   bag: Bag                          # per log source (KQL): a field no map names is
 *                                     #   the text of the bag's member of that name
 *   text: [ResultType]                # per log source (KQL): columns holding numbers as
 *                                     #   text (a number is compared as its text)
 *   members:                          # per log source (KQL): a field PREFIX.a.b no map
 *     requestParameters: 'parse_json(RequestParameters)'   # names is the text of
 *                                     #   member path a.b of the prefix's expression
 *   unpack: event-data                # per log source: the prelude and bag of
 *   unpackers:                        #   an unpacker the pipeline names once
 *     event-data: {prelude: [...], bag: Bag}
 *
 * A hashes value whose algorithm has no column can never match there: it
 * becomes false with a warning (the rest of the rule still converts), and a
 * rule left with nothing that can match is an error.
 *
 * With a prelude or computed columns, the log source's conditions run
 * first (a cheap filter ahead of costly parsing); the rule's own filter
 * comes after the computed columns.  Computed and bag columns are added
 * (`| extend`) only when the rule uses them, and a prelude beside a bag
 * only when a column reads the bag.
 *
 * A field may map to a list of fields: the predicate then holds if any of
 * them matches (an OR of copies).  Field maps rename predicates, fieldref
 * targets, group-by and aggregated fields, and alias fields.
 *
 * Several pipelines apply in order (-p a -p b): each renames what the one
 * before produced and adds its conditions; the last one that sets a table
 * or timestamp wins.  A rule whose log source no entry matches is a located
 * error naming its log source and the built-in pipelines that could place it.
 */
#ifndef SG_PIPELINE_H
#define SG_PIPELINE_H

#include "rule.h"

typedef struct sg_field_map {
    sg_str from;
    sg_str *to; /* one or more target fields */
    size_t n_to;
} sg_field_map;

/* Splits `ALG=value` predicates on a combined hashes field into one column
 * per algorithm.  An algorithm with no column is a located error. */
typedef struct sg_pipe_hashes {
    sg_str field;            /* len 0: not configured */
    sg_field_map *algorithms; /* algorithm name (case-insensitive) -> column */
    size_t n_algorithms;
} sg_pipe_hashes;

/* A value map of one Sigma field (`values:`): equality predicates on the
 * field take the mapped value(s) (a list gives an OR); any other value or
 * operator on the field is a located error, never passed through unmapped. */
typedef struct sg_value_map {
    sg_str field;          /* Sigma field name */
    sg_field_map *values;  /* Sigma value (case-insensitive) -> target value(s) */
    size_t n_values;
} sg_value_map;

typedef struct sg_pipe_source {
    sg_logsource match;      /* fields set here must equal the rule's */
    sg_str table;
    sg_ir_expr *conditions;  /* lowered at load time, or NULL */
    sg_field_map *fields;
    size_t n_fields;
    sg_pipe_hashes hashes;
    sg_value_map *value_maps;
    size_t n_value_maps;
    sg_field_map *computed;  /* column name -> expression (to[0]) */
    size_t n_computed;
    sg_str *prelude;
    size_t n_prelude;
    sg_str bag;              /* len 0: none */
    sg_field_map *members;   /* field prefix -> bag expression (to[0]) */
    size_t n_members;
    sg_str *text;            /* target columns that hold numbers as text */
    size_t n_text;
    bool fallback;           /* fallback: true - places only rules no regular entry places */
    uint32_t line;
} sg_pipe_source;

typedef struct sg_pipeline {
    sg_str name, description, timestamp;
    sg_str *targets;
    size_t n_targets;
    sg_pipe_source *sources;
    size_t n_sources;
    sg_field_map *fields;    /* global map */
    size_t n_fields;
    sg_pipe_hashes hashes;   /* global hashes split (a log source's own wins) */
    bool strict;             /* unmapped: error */
    bool place_all;          /* placement: all */
    bool unplaced_fields_only; /* unplaced: fields-only */
    sg_ir_event_name *event_names; /* event-names: field -> names events give it */
    size_t n_event_names;
    const char *file;
    bool builtin;
} sg_pipeline;

/* Loads a pipeline file into the rule set's arena.  Returns NULL after
 * located diagnostics. */
sg_pipeline *sg_pipeline_load(sg_ruleset *rs, const char *file, const char *data, size_t len, bool builtin);
bool sg_pipeline_serves(const sg_pipeline *p, const char *target);

/* The built-in pipelines (compiler/data/pipelines/NAME.yml, compiled in). */
typedef struct sg_builtin_pipeline {
    const char *name; /* NULL ends the table */
    const char *data;
    size_t len;
} sg_builtin_pipeline;
extern const sg_builtin_pipeline sg_builtin_pipelines[];
extern const size_t sg_n_builtin_pipelines;

/* Applies pipelines[0..n) to rule r's IR for target, returning a new IR
 * rule (r's own IR is not changed; shared subtrees stay shared).  Returns
 * NULL after a located diagnostic.  others/n_others: every pipeline known
 * for the target, to name the ones that could place an unplaced rule. */
sg_ir_rule *sg_pipeline_apply(sg_ruleset *rs, sg_rule *r, const sg_ir_rule *ir, sg_pipeline *const *pipes,
                              size_t n, sg_pipeline *const *others, size_t n_others);

#endif
