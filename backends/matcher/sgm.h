/* sgm.h - the C matcher's runtime: tables that the C backend derives from the
 * IR, and the fixed engine that those tables drive.
 *
 * The same runtime serves two programs:
 *   - the file `sigc convert -t c` writes: this header's text, the tables as
 *     const initializers, then the runtime's .c files, pasted in (the
 *     SGM_GENERATED build); it needs only libc and PCRE2 (libevtx when the
 *     program is linked with -levtx);
 *   - `sigc match`, which builds the same tables in memory and links the
 *     same runtime, so both behave alike.
 *
 * Nothing here includes a sigc header: the files must stand alone.
 *
 * Tables.  Every string carries its length (rule data may hold NUL) and
 * lies in one pool of text (sgm_str).  A
 * rule's expression is a tree of nodes; AND/OR/NOT list their children in
 * kids[].  Field names are interned: a predicate names its field by id, and
 * the event reader fills one slot per id with the values it finds there.
 * An event field answers to several names (see sgm_json.c): its dotted path
 * ("Event.EventData.Image"), its own key ("Image"), and for an XML
 * attribute also "<element>_<attribute>" ("Provider_Name").
 */
#ifndef SGM_H
#define SGM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define SGM_NONE 0xFFFFFFFFu
/* An aggregation's group-by or aggregated field id with this bit set:
 * u32[id & ~SGM_ANY_OF] is a count n, then n field ids; the value is that of
 * the first of them the event has (log-source variants that name one field
 * differently). */
#define SGM_ANY_OF 0x80000000u

/* A string of the tables: len bytes at t->pool + off.  Offsets, not
 * pointers: the generated tables are then read-only data that the loader
 * never relocates (a pointer per string meant some 100,000 relocations and
 * copied pages at each start with the whole corpus). */
typedef struct sgm_str {
    uint32_t off;
    uint32_t len;
} sgm_str;

typedef enum sgm_op {
    SGM_OP_EQ,          /* whole value equals text */
    SGM_OP_CONTAINS,    /* text occurs in the value */
    SGM_OP_STARTSWITH,
    SGM_OP_ENDSWITH,
    SGM_OP_GLOB,        /* text is a pattern: `*`, `?` wildcards, `\` escapes the next byte */
    SGM_OP_REGEX,       /* arg: regex index; unanchored search */
    SGM_OP_CIDR,        /* arg: cidr index */
    SGM_OP_NUM_EQ,      /* the value read as a number equals num (or its text equals text) */
    SGM_OP_LT,
    SGM_OP_LTE,
    SGM_OP_GT,
    SGM_OP_GTE,
    SGM_OP_BOOL,        /* the value is the boolean num != 0 (true/false, any case) */
    SGM_OP_NULL,        /* the field is absent, null or empty */
    SGM_OP_EXISTS,      /* the field is present */
    SGM_OP_FIELDREF,    /* arg: the other field; fieldref_op compares the two values */
} sgm_op;

enum {
    SGM_PF_CASED = 1,   /* compare bytes exactly (otherwise ASCII case-insensitive, text is folded) */
};

typedef enum sgm_timepart {
    SGM_TP_NONE,
    SGM_TP_MINUTE,
    SGM_TP_HOUR,
    SGM_TP_DAY,
    SGM_TP_WEEK,
    SGM_TP_MONTH,
    SGM_TP_YEAR,
} sgm_timepart;

typedef struct sgm_pred {
    uint8_t op;          /* sgm_op */
    uint8_t flags;       /* SGM_PF_* */
    uint8_t timepart;    /* compare a part of this field read as a time */
    uint8_t fieldref_op; /* FIELDREF: EQ, CONTAINS, STARTSWITH or ENDSWITH */
    uint32_t field;      /* field id; SGM_NONE: a keyword (any value of the event) */
    uint32_t arg;        /* REGEX / CIDR index; FIELDREF field id; CONTAINS: the offset of the
                            needle byte looked for first (its rarest that case does not change) */
    sgm_str text;
    double num;
} sgm_pred;

typedef struct sgm_regex {
    sgm_str pattern;
    uint32_t flags;      /* SGM_RE_* */
    uint32_t need;       /* a byte every match holds, plus 1 (looked for with memchr
                            before the regex runs); 0: none known */
} sgm_regex;

enum {
    SGM_RE_I = 1,
    SGM_RE_M = 2,
    SGM_RE_S = 4,
};

typedef struct sgm_cidr {
    uint8_t family;      /* 4 or 6 */
    uint8_t prefix;
    uint8_t addr[16];
} sgm_cidr;

typedef enum sgm_node_kind {
    SGM_N_TRUE,
    SGM_N_FALSE,
    SGM_N_PRED,          /* arg: predicate */
    SGM_N_AND,           /* kids[arg .. arg+count) */
    SGM_N_OR,
    SGM_N_NOT,           /* kids[arg] */
    SGM_N_RULEREF,       /* temporal conditions: arg = position in the aggregation's rules */
} sgm_node_kind;

typedef struct sgm_node {
    uint8_t kind;
    uint32_t count;
    uint32_t arg;
} sgm_node;

typedef enum sgm_agg_type {
    SGM_AGG_EVENT_COUNT,
    SGM_AGG_VALUE_COUNT,
    SGM_AGG_VALUE_SUM,
    SGM_AGG_VALUE_AVG,
    SGM_AGG_VALUE_MIN,
    SGM_AGG_VALUE_MAX,
    SGM_AGG_VALUE_PERCENTILE,
    SGM_AGG_VALUE_MEDIAN,
    SGM_AGG_TEMPORAL,
    SGM_AGG_TEMPORAL_ORDERED,
} sgm_agg_type;

typedef enum sgm_cmp {
    SGM_CMP_NONE, /* temporal without a condition: all rules */
    SGM_CMP_GT,
    SGM_CMP_GTE,
    SGM_CMP_LT,
    SGM_CMP_LTE,
    SGM_CMP_EQ,
    SGM_CMP_NEQ,
} sgm_cmp;

/* "N events per group within T" and its relatives.  The rules it reads are
 * u32[rules .. rules+n_rules); for rule position j, its group-by field ids
 * are u32[groups + j*n_group .. +n_group) and its aggregated field is
 * u32[fields + j] (aliases give each rule its own names).  names:
 * strs[names .. names+n_group), the group-by names for the output. */
typedef struct sgm_agg {
    uint8_t type;        /* sgm_agg_type */
    uint8_t cmp;         /* sgm_cmp */
    uint8_t percentile;
    uint32_t rules, n_rules;
    uint32_t groups, n_group;
    uint32_t fields;     /* SGM_NONE: no aggregated field */
    uint32_t names;
    uint32_t condition;  /* temporal: node of RULEREFs, or SGM_NONE (all rules) */
    int64_t window_us;   /* 0: no window (the whole input) */
    double threshold;
} sgm_agg;

typedef struct sgm_rule {
    sgm_str id, title, level;
    uint32_t tags, n_tags; /* strs[tags .. tags+n_tags) */
    uint32_t expr;         /* node, or SGM_NONE for a correlation */
    uint32_t agg;          /* aggregation, or SGM_NONE */
    uint8_t report;        /* 0: only feeds correlations (not reported itself) */
} sgm_rule;

/* Another name events give a field (Winlogbeat's winlog.event_id for
 * EventID...): a value found under name fills the field's slot too. */
typedef struct sgm_alias {
    sgm_str name;
    uint32_t field;
} sgm_alias;

/* Log-source dispatch: each event is tested only against the rules of its
 * own log source, chosen by the value of one field (the Windows event id)
 * and by whether another (the channel) is present.  A rule that can only
 * hold when the key field equals K is listed under K (buckets, sorted by
 * key); the others in any_present (rules that can hold on an event that
 * has the channel field) and any_absent (on one that has not).  The lists
 * are runs of rule indexes in dispatch[], each in rule order. */
typedef struct sgm_bucket {
    double key;
    uint32_t rules, n_rules;         /* dispatch[rules .. rules+n_rules) */
} sgm_bucket;

/* The required-literal prefilter: for each rule, literals one of which
 * every match must contain in a given field (an atom: field, folded text);
 * an event is tested against a rule that has atoms only when one of them
 * occurs.  Each atom is found through one 4-byte gram of its text (at
 * anchor): the events' values are scanned once for the grams of all atoms
 * (gram_bits filters, grams is an open-addressing table of gram_mask + 1
 * slots), and a gram found is checked against its atoms.  Lists of atoms
 * (per gram) and of rules (per atom) are runs in pf[]. */
typedef struct sgm_atom {
    uint32_t field;        /* SGM_NONE: a keyword, in any value of the event */
    uint32_t anchor;       /* offset of the gram in text */
    sgm_str text;          /* ASCII-folded */
    uint32_t rules, n_rules;
} sgm_atom;

typedef struct sgm_gram {
    uint32_t gram;         /* len (2 to 4) folded bytes, the first in the low byte */
    uint32_t len;
    uint32_t atoms, n_atoms; /* n_atoms 0: an empty slot */
} sgm_gram;

/* gram_bits: 2^16 bits for grams of 2 bytes, 2^16 for 3, 2^20 for 4 (the
 * anchors of most atoms: a sparse map, so few bytes of an event lead to a
 * lookup), in that order. */
#define SGM_GRAM_BIT(g, len) \
    ((len) == 4 ? 131072u + ((uint32_t)((uint32_t)(g) * 2654435761u) >> 12) \
                : ((uint32_t)(len) - 2) * 65536u + ((uint32_t)((uint32_t)(g) * 2654435761u) >> 16))
#define SGM_GRAM_BITS_TOTAL (131072u + 1048576u)

typedef struct sgm_tables {
    const char *generator;           /* e.g. "sigc 0.1.0" */
    const char *pool;                /* the text of every sgm_str */
    uint32_t pool_len;
    const sgm_str *fields;
    uint32_t n_fields;
    const sgm_str *strs;
    uint32_t n_strs;
    const sgm_pred *preds;
    uint32_t n_preds;
    const sgm_node *nodes;
    uint32_t n_nodes;
    const uint32_t *kids;
    uint32_t n_kids;
    const sgm_regex *regexes;
    uint32_t n_regexes;
    const sgm_cidr *cidrs;
    uint32_t n_cidrs;
    const sgm_agg *aggs;
    uint32_t n_aggs;
    const uint32_t *u32;             /* aggregation lists */
    uint32_t n_u32;
    const sgm_rule *rules;
    uint32_t n_rules;
    const uint32_t *time_fields;     /* event time: the first of these the event has */
    uint32_t n_time_fields;
    const sgm_alias *aliases;        /* other names of fields in events */
    uint32_t n_aliases;
    uint32_t dispatch_field;         /* SGM_NONE: no dispatch, every rule on every event */
    uint32_t channel_field;          /* SGM_NONE: no channel split */
    const sgm_bucket *buckets;
    uint32_t n_buckets;
    const uint32_t *dispatch;
    uint32_t n_dispatch;
    uint32_t any_present, n_any_present, any_absent, n_any_absent;
    const sgm_atom *atoms;
    uint32_t n_atoms;
    const sgm_gram *grams;
    uint32_t gram_mask;              /* slots - 1; grams unused when n_atoms is 0 */
    const uint64_t *gram_bits;       /* SGM_GRAM_BITS_TOTAL bits */
    const uint32_t *pf;
    uint32_t n_pf;
    const uint32_t *scan_fields;     /* the fields atoms are about */
    uint32_t n_scan_fields;
    const uint8_t *prefiltered;      /* per rule: 1 when it has atoms */
    uint32_t keyword_atoms;          /* atoms with no field: every value is scanned for them */
    uint32_t short_atoms;            /* atoms of 2 or 3 bytes: grams that short are looked up too */
    const uint32_t *pred_atom;       /* per predicate: the atom it needs (false when the event
                                        lacks it), or SGM_NONE; unused when n_atoms is 0 */
} sgm_tables;

/* The text of a string of the tables t. */
static inline const char *sgm_text(const sgm_tables *t, sgm_str s) { return t->pool + s.off; }

/* A gram's slot in grams (masked). */
#define SGM_GRAM_SLOT(g, len) ((uint32_t)(((uint32_t)(g) ^ (uint32_t)(len) << 28) * 2246822519u) >> 8)

/* ---- running ---------------------------------------------------------- */

typedef enum sgm_format {
    SGM_FMT_JSON,
    SGM_FMT_CSV,
} sgm_format;

/* A progress line (input, share read, events, rate, matches) on err during
 * long scans, redrawn in place: when err is a terminal (auto), always, never. */
typedef enum sgm_progress { SGM_PROGRESS_AUTO, SGM_PROGRESS_ALWAYS, SGM_PROGRESS_NEVER } sgm_progress;

#define SGM_MAX_JOBS 256u

typedef struct sgm_options {
    sgm_format format;
    bool with_event;       /* print the matching event (default on) */
    bool summary;          /* the summary on stderr (default on) */
    size_t max_event;      /* bytes of one event (longer ones are skipped) */
    size_t max_groups;     /* live aggregation groups, all rules together */
    size_t max_entries;    /* events kept per group */
    uint64_t regex_match_limit;
    uint32_t regex_depth_limit;
    size_t regex_heap_limit_kib;
    int progress;          /* sgm_progress: a progress line on err */
    bool no_prefilter;     /* test every rule of the event's log source (benchmarks) */
    bool check_index;      /* build the index from the tables and compare it with the one
                              emitted beside them (a check of the generator) */
    unsigned jobs;         /* threads testing rules on JSON input (1: the reading thread alone) */
    FILE *out;             /* matches */
    FILE *err;             /* diagnostics and the summary */
    const char *prog;      /* prefix of messages */
} sgm_options;

void sgm_options_default(sgm_options *o);

typedef struct sgm_engine sgm_engine;
struct sgm_index; /* sgm_impl.h: what the runtime derives from the tables */

/* Checks the tables, builds their index and compiles the regexes.  NULL
 * with a message in err. */
sgm_engine *sgm_engine_new(const sgm_tables *t, const sgm_options *o, char *err, size_t errlen);
/* The same with the index that `sigc convert -t c` built from the tables
 * when it wrote them (NULL: built here): the tables were checked then, and
 * only what depends on the options is made here (o->check_index: the index
 * is built again and must be the same). */
sgm_engine *sgm_engine_new_indexed(const sgm_tables *t, const struct sgm_index *ix, const sgm_options *o, char *err,
                                   size_t errlen);
/* Scans one input: "-" is stdin; a name ending in .evtx is read through
 * libevtx; anything else is a stream of JSON values (JSON lines or
 * pretty-printed).  Bad events are counted, reported and skipped.  Returns
 * 0, or -1 when the input cannot be opened or read at all (reported). */
int sgm_engine_scan(sgm_engine *e, const char *path);
/* Scans JSON text held in memory (name for positions).  Both scan calls
 * keep the name pointer (aggregation windows report where their events came
 * from): it must live as long as the engine. */
int sgm_engine_scan_buffer(sgm_engine *e, const char *name, const char *data, size_t len);
/* Ends the input: closes open windows, prints the summary.  Returns the
 * number of matches. */
uint64_t sgm_engine_finish(sgm_engine *e);
void sgm_engine_free(sgm_engine *e);
/* Inputs that could not be opened or read at all. */
uint64_t sgm_engine_unreadable(const sgm_engine *e);
/* Regexes of the tables that did not compile when first run (they match
 * nothing; each was reported): damaged tables, as sigc checks every one. */
uint64_t sgm_engine_broken_regexes(const sgm_engine *e);
/* 0, or the errno of a write to the output that failed (the scan stopped
 * there: later inputs are not read); after sgm_engine_finish, which flushes
 * what is left, it covers every write. */
int sgm_engine_output_error(const sgm_engine *e);

/* The generated program's main: [options] [FILE...] (stdin without files).
 * Exit codes: 0 no match, 1 matches, 2 usage or input errors. */
int sgm_main(const sgm_tables *t, const struct sgm_index *ix, int argc, char **argv);
/* Parses the matcher options shared by sgm_main and `sigc match`; returns
 * 1 when argv[*i] (and maybe its value) was one, advancing *i; 0 when it
 * is not a matcher option; -1 on a bad value (reported on o->err). */
int sgm_parse_option(sgm_options *o, int argc, char **argv, int *i);
extern const char sgm_options_help[];

/* ---- EVTX (sgm_evtx.c) -------------------------------------------------- */
/* One record as JSON text in the evtx_dump layout; return nonzero to stop reading. */
typedef int (*sgm_evtx_event_fn)(void *ctx, const char *json, size_t len, uint64_t record_id);
/* A record that could not be read or converted: reported, skipped, the scan goes on. */
typedef void (*sgm_evtx_error_fn)(void *ctx, uint64_t record_index, const char *message);
/* 1 when libevtx can be used: linked in, or found at run time. */
int sgm_evtx_available(void);
/* Reads every record of the file at path in order.  Returns 0 when the file was read
 * (damaged records are reported through on_error and skipped), -1 when the file itself
 * cannot be opened or read (message in err), 1 when on_event asked to stop. */
int sgm_evtx_read(const char *path, sgm_evtx_event_fn on_event, sgm_evtx_error_fn on_error, void *ctx, char *err,
                  size_t errlen);

#endif
