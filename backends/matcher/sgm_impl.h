/* sgm_impl.h - the runtime's private types, shared by its .c files (and
 * pasted after sgm.h into a generated matcher). */
#ifndef SGM_IMPL_H
#define SGM_IMPL_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <stdlib.h>
#include <string.h>

#include "sgm.h"

enum {
    SGM_V_STR,
    SGM_V_NUM,
    SGM_V_BOOL,
    SGM_V_NULL,
};

/* One value of the event: text (unescaped) in ev->text. */
typedef struct sgm_value {
    uint32_t off, len;
    uint32_t next;        /* next value of the same field id, or SGM_NONE */
    uint8_t type;
} sgm_value;

typedef struct sgm_event {
    char *text;           /* unescaped values */
    size_t text_len, text_cap;
    sgm_value *vals;      /* every scalar of the event, in order */
    uint32_t n_vals, cap_vals;
    uint32_t *head;       /* per field id: first value, or SGM_NONE */
    uint32_t *tail;
    uint32_t *touched;    /* field ids set in this event */
    uint32_t n_touched;
    const char *raw;      /* the event as JSON text */
    size_t raw_len;
    int64_t time_us;      /* event time (microseconds since 1970) */
    bool has_time;
    bool time_pending;    /* not looked for yet (sgm_event_time) */
    const char *file;     /* where it came from */
    uint64_t line;        /* JSON: line of its first byte */
    uint64_t record;      /* EVTX: record id */
    bool is_record;
} sgm_event;

typedef struct sgm_field_slot {
    const char *name;
    uint32_t len;
    uint32_t id;          /* SGM_NONE: empty slot */
} sgm_field_slot;

/* The size of sgm_index.field_grams: 2^19 bits, 64 KiB (17,702 atoms with
 * the whole corpus: about 3% of its bits set). */
#define SGM_FIELD_GRAM_LOG2 19

/* The bit of sgm_index.field_grams for an anchor gram of len bytes of an
 * atom of field f (SGM_NONE: a keyword atom). */
static inline uint32_t sgm_field_gram_bit(uint32_t g, uint32_t len, uint32_t f) {
    uint64_t k = ((uint64_t)f << 32 | g) ^ (uint64_t)len << 61;
    return (uint32_t)((k * 0x9E3779B97F4A7C15ull) >> (64 - SGM_FIELD_GRAM_LOG2));
}

/* sgm_index.pair_grams: 2^19 bits, 64 KiB, over (4-byte anchor gram, the
 * 4 bytes after it) of every atom that has 4 bytes after its anchor;
 * sgm_index.open_grams: 2^16 bits over the 4-byte anchor grams of the
 * atoms that have not (a gram found there is probed whatever follows). */
#define SGM_PAIR_GRAM_LOG2 19
#define SGM_OPEN_GRAM_LOG2 16
static inline uint32_t sgm_pair_gram_bit(uint32_t g, uint32_t next) {
    return (uint32_t)((((uint64_t)next << 32 | g) * 0xD6E8FEB86659FD93ull) >> (64 - SGM_PAIR_GRAM_LOG2));
}
static inline uint32_t sgm_open_gram_bit(uint32_t g) {
    return (uint32_t)(g * 2246822519u) >> (32 - SGM_OPEN_GRAM_LOG2);
}

struct sgm_agg_state; /* sgm_agg.c */
typedef struct sgm_json_parser sgm_json_parser; /* sgm_json.c */

typedef struct sgm_stats {
    uint64_t events, matches, inputs, failed_inputs;
    uint64_t malformed, too_long, bad_utf8, evtx_damaged, no_time;
    uint64_t regex_limit;
    uint64_t broken_regexes;    /* regexes of the tables that do not compile (damaged tables) */
    uint64_t evicted_groups, dropped_entries, late_events;
} sgm_stats;

/* A keyword scanner (sgm_run.c, sgm_kw_value): keyword atoms, each found
 * through step of its 4-byte grams, at consecutive offsets, where step is
 * the shortest atom's length less 3.  Every occurrence of an atom then
 * holds one of those grams at a multiple of step, so a value is looked at
 * every step-th byte only.  The offsets are those around the atom's anchor
 * (the gram sigc found least common in logs), not its first ones: the
 * first gram of "event::drop", "even", is in the schema address every
 * event of the evtx_dump layout carries (.../events/event).  Its entries (sgm_index.kw_entries) are sorted by gram;
 * its SGM_KW_WORDS words of bits (sgm_index.kw_bits, a bit per gram by
 * SGM_KW_BIT) filter them; its words of sgm_index.kw_atoms hold a bit per
 * atom of the tables: those it finds. */
typedef struct sgm_kw_entry {
    uint32_t gram, atom, off;
} sgm_kw_entry;

typedef struct sgm_kw_scan {
    uint32_t step;              /* 0: an atom shorter than 4 bytes; not used */
    uint32_t shortest;          /* a value shorter than this holds none */
    uint32_t first, n;          /* its entries */
    uint32_t bits, atoms;       /* where its words start in kw_bits, kw_atoms */
} sgm_kw_scan;

#define SGM_KW_WORDS 1024u      /* 2^16 bits */
/* The bit of a gram: of its four bytes as read, bit 5 of each set, so
 * letters in either case fall together (and a few other pairs, @ and `,
 * [ and {, which only let a gram through that the entries then turn
 * down): the scan folds only the grams the bits let through. */
#define SGM_KW_BIT(g) ((uint32_t)(((uint32_t)(g) | 0x20202020u) * 2654435761u) >> 16)
#define SGM_KW_CHANNEL_MAX 256u /* a longer channel name has no scanner of its own */

/* A value set (sgm_eval.c): the items of a value list, by key, in mask + 1
 * slots from sgm_index.vset_keys[slots] and vset_preds[slots] (the item's
 * predicate + 1; 0: an empty slot). */
typedef struct sgm_vset {
    uint32_t field;
    uint8_t op;
    uint8_t cased;
    uint8_t edge;     /* startswith, endswith: the bytes a key is made of (8 or 4) */
    uint8_t unused;   /* 0: the struct has no padding, so indexes compare bytewise */
    uint32_t mask;    /* slots - 1 */
    uint32_t slots;
} sgm_vset;

/* One step of a rule's condition (sgm_index.steps): a test, and where to
 * go on from it.  A rule's condition tree is laid out as a program of its
 * tests in the order they run, each naming the step after it when it
 * holds and when it does not (AND, OR and NOT become those jumps), so a
 * rule is tested by a loop over a few adjacent steps instead of a walk
 * over nodes, kids and predicates far apart in the tables. */
typedef struct sgm_step {
    uint32_t test;              /* a predicate (| SGM_STEP_KEY or SGM_STEP_CHANNEL), or
                                   SGM_STEP_VSET | a value set */
    uint32_t atom;              /* the predicate's atom (sgm_tables.pred_atom), or SGM_NONE;
                                   KEY: the bucket of its number; CHANNEL: its channel */
    uint32_t on_true, on_false; /* the next step, or SGM_STEP_MATCH / SGM_STEP_FAIL */
} sgm_step;

#define SGM_STEP_VSET 0x80000000u
/* The log-source tests every rule of a Windows log source begins with,
 * answered from what the event's EventID and Channel are, worked out once
 * per event (sgm_engine.key_bucket, chan_id): an EventID equal to a
 * number some bucket has, a Channel equal to a text (case ignored). */
#define SGM_STEP_KEY 0x40000000u
#define SGM_STEP_CHANNEL 0x20000000u
#define SGM_STEP_ARG 0x1FFFFFFFu
#define SGM_STEP_MATCH 0xFFFFFFFEu /* the rule matches */
#define SGM_STEP_FAIL 0xFFFFFFFFu  /* it does not (SGM_NONE) */

/* What the runtime derives from the tables to find fields, rules and
 * values fast.  Read-only once made: the engines of -j's threads share
 * their reading engine's (sgm_engine_clone).  The part "from the tables"
 * is a function of the tables alone: sgm_index_build makes it at start-up
 * (`sigc match`), or `sigc convert -t c` makes it when it writes the
 * tables and emits it beside them as const arrays (sgm_ix), so a generated
 * matcher starts without building it. */
typedef struct sgm_index {
    bool owned;                 /* the part from the tables was built here (and is freed with it) */
    bool prefilter;             /* it holds the prefilter's parts (the tables have atoms) */
    /* ---- made at every start-up ---- */
    sgm_field_slot *slots;      /* open addressing, names of t->fields */
    uint32_t slot_mask;
    uint64_t name_lens[4];      /* bit n % 256: some field name is n bytes long (a name no
                                   field has the length of is looked up no further) */
    uint32_t *feed_first;       /* per rule: aggregations it feeds, in feeds[] (sgm_agg.c) */
    uint32_t *feed_count;
    uint32_t *feeds;
    /* ---- from the tables ---- */
    /* What the prefilter scans, per dispatch context (the event's bucket,
     * or none, and whether it has the channel; last: every rule may apply):
     * two masks of mask_words words, bit f for field f, bit n_fields for the
     * keyword atoms: the first, the fields the atoms of the rules that can
     * apply are about (a Sysmon network event is not scanned for command
     * lines); the second, those with atoms under 4 bytes among them (the
     * others are looked at for 4-byte grams only). */
    const uint64_t *scan_masks; /* (n_buckets + 2) * 2 contexts of 2 * mask_words words */
    uint32_t mask_words;
    /* Keywords (atoms of no field) are looked for in every value, and the
     * rules every Windows event may meet have some.  Events of a channel
     * are scanned only for the keyword atoms of the key-less rules that can
     * hold on that channel, at a stride (sgm_kw_scan): one scanner per
     * channel such a rule requires, the last for any other channel;
     * kw_of_channel says which one each of the channels (below) takes; none
     * (NULL) without dispatch on a channel or without keyword atoms. */
    const sgm_kw_scan *kw_scans;      /* n_kw_channels + 1 */
    const sgm_kw_entry *kw_entries;   /* n_kw_entries */
    const uint64_t *kw_bits;          /* SGM_KW_WORDS per scanner */
    const uint64_t *kw_atoms;         /* n_atoms / 64 + 1 per scanner */
    const uint32_t *kw_of_channel;    /* n_channels: a kw_scans index */
    uint32_t n_kw_channels, n_kw_entries;
    const uint8_t *bucket_kw;   /* per bucket: 1 when its own rules have keyword atoms */
    /* A filter of 2^SGM_FIELD_GRAM_LOG2 bits over (anchor gram, field) of
     * every atom, keyword atoms with the field SGM_NONE (sgm_run.c,
     * sgm_prefilter_hit). */
    const uint64_t *field_grams;
    const uint64_t *pair_grams, *open_grams; /* see SGM_PAIR_GRAM_LOG2 */
    /* per byte: 1 when an atom of 2 ASCII bytes (rare punctuation: '^^',
     * '&&') ends with it; ASCII text is looked at for 2-byte grams there only */
    uint8_t pair_end[256];
    /* the dispatch lists without the prefiltered rules (those come from cand) */
    const uint32_t *np, *np_bucket, *np_bucket_n; /* n_np; n_buckets each */
    uint32_t n_np, np_present, n_np_present, np_absent, n_np_absent, np_all, n_np_all;
    const uint8_t *rule_any;    /* per rule: 1 listed in any_present, 2 in any_absent */
    /* per bucket, n_rules / 64 + 1 words: bit r set when rule r is in its
     * dispatch list (a candidate rule is kept when its bit is) */
    const uint64_t *bucket_rules;
    /* A rule's value list (an OR of many equality, startswith or endswith
     * tests of one field) is looked up in a hash set, not tested value by
     * value (sgm_eval.c). */
    const sgm_vset *vsets;            /* n_vsets */
    const uint64_t *vset_keys;        /* n_vset_slots */
    const uint32_t *vset_preds;       /* n_vset_slots */
    uint32_t n_vsets, n_vset_slots;
    /* The rules' conditions as programs (sgm_step): per rule its first
     * step, or SGM_STEP_MATCH / SGM_STEP_FAIL when it needs no test. */
    const sgm_step *steps;            /* n_steps */
    const uint32_t *rule_step;        /* n_rules */
    uint32_t n_steps;
    const sgm_str *channels;          /* the texts of CHANNEL steps (folded, in the pool) */
    uint32_t n_channels;
} sgm_index;

/* The arrays of the index's part from the tables, with how many items each
 * holds (for tables t): X(member, count).  One list for what frees them
 * (sgm_index_release), compares them (sgm_index_diff) and writes them
 * (backends/c.c).  The keyword scanners' arrays are empty without them. */
#define SGM_IX_SCANS(ix) ((ix)->kw_scans ? (size_t)(ix)->n_kw_channels + 1 : 0)
#define SGM_INDEX_ARRAYS(X, t, ix)                                                    \
    X(scan_masks, (size_t)((t)->n_buckets + 2) * 2 * 2 * (ix)->mask_words)           \
    X(kw_scans, SGM_IX_SCANS(ix))                                                     \
    X(kw_entries, (ix)->n_kw_entries)                                                 \
    X(kw_bits, SGM_IX_SCANS(ix) * SGM_KW_WORDS)                                       \
    X(kw_atoms, SGM_IX_SCANS(ix) * ((t)->n_atoms / 64 + 1))                           \
    X(kw_of_channel, SGM_IX_SCANS(ix) ? (ix)->n_channels : 0)                         \
    X(bucket_kw, SGM_IX_SCANS(ix) ? (t)->n_buckets : 0)                               \
    X(field_grams, ((size_t)1 << SGM_FIELD_GRAM_LOG2) / 64)                           \
    X(pair_grams, ((size_t)1 << SGM_PAIR_GRAM_LOG2) / 64)                             \
    X(open_grams, ((size_t)1 << SGM_OPEN_GRAM_LOG2) / 64)                             \
    X(np, (ix)->n_np)                                                                 \
    X(np_bucket, (t)->n_buckets)                                                      \
    X(np_bucket_n, (t)->n_buckets)                                                    \
    X(rule_any, (t)->n_rules)                                                         \
    X(bucket_rules, (size_t)(t)->n_buckets * ((t)->n_rules / 64 + 1))                 \
    X(vsets, (ix)->n_vsets)                                                           \
    X(vset_keys, (ix)->n_vset_slots)                                                  \
    X(vset_preds, (ix)->n_vset_slots)                                                 \
    X(steps, (ix)->n_steps)                                                           \
    X(rule_step, (t)->n_rules)                                                        \
    X(channels, (ix)->n_channels)

/* sgm_index.c.  The checks a table must pass before anything reads it
 * (references in bounds, strings in the pool): false with a message in err. */
bool sgm_tables_check(const sgm_tables *t, char *err, size_t errlen);
/* Builds the part of ix from the tables (checked); the rest is left zero.
 * False when memory runs out (ix released). */
bool sgm_index_build(const sgm_tables *t, sgm_index *ix);
/* Frees what ix owns: the start-up part always, the part from the tables
 * when it was built (owned). */
void sgm_index_release(sgm_index *ix);
/* The first part of the tables' part in which a and b differ (its name),
 * or NULL when they are the same. */
const char *sgm_index_diff(const sgm_tables *t, const sgm_index *a, const sgm_index *b);

/* The bucket whose key is key, or SGM_NONE (the buckets are sorted by key). */
uint32_t sgm_bucket_of(const sgm_tables *t, double key);

/* The first slot of a key in a value set (sgm_index.c builds the sets,
 * sgm_eval.c looks values up). */
static inline uint32_t sgm_vset_slot(uint64_t key, uint32_t mask) {
    return (uint32_t)((key * 0x9E3779B97F4A7C15ull) >> 32) & mask;
}

struct sgm_engine {
    const sgm_tables *t;
    sgm_options o;
    sgm_index ix;
    const sgm_engine *base;     /* a clone: whose ix it reads (NULL: its own) */
    /* per regex: compiled and JIT-compiled on its first use, so start-up
     * stays short (NULL before, and when it does not compile) */
    pcre2_code **regexes;
    uint8_t *regex_state;       /* per regex: SGM_RE_UNTRIED, SGM_RE_READY, SGM_RE_BROKEN */
    pcre2_match_data *match_data;
    pcre2_match_context *match_ctx;
    sgm_event ev;
    sgm_json_parser *json;      /* the parser's state, reused */
    uint64_t *rule_matches;     /* per rule */
    struct sgm_agg_state *agg;  /* per aggregation */
    sgm_stats st;
    uint64_t matches_flushed;   /* st.matches at the last flush of the output */
    int out_errno;              /* the output failed (a closed pipe, a full disk): its errno;
                                   the scan stops, as nothing more can be reported */
    char *keybuf;               /* group key scratch */
    size_t keybuf_cap;
    int64_t last_time_us;       /* for events without a time */
    bool csv_header_done;
    uint32_t *stamp;            /* per rule: the epoch its atom was last seen in */
    uint32_t epoch;             /* per event */
    uint32_t *val_epoch;        /* per value of the event: the epoch it was scanned in */
    uint32_t val_cap;
    uint32_t *cand, n_cand;     /* the rules whose literals this event holds, as found */
    uint32_t *atom_seen;        /* per atom: the epoch it was last found in */
    const uint64_t *scan_mask;  /* this event's */
    const sgm_kw_scan *kw_now;  /* this event's; NULL: every keyword atom, at every byte */
    /* the event's log source for KEY and CHANNEL steps: its one EventID, a
     * number, and the bucket of that number (SGM_NONE: none has it); its
     * one Channel and which of ix.channels it is (SGM_NONE: none) */
    bool key_known, chan_known;
    bool chan_present;          /* it has a Channel that is not null */
    uint32_t key_bucket, chan_id;
    /* the last Channel value worked out, as it was, and its id: the next
     * event mostly has the same */
    char chan_last[SGM_KW_CHANNEL_MAX];
    uint32_t chan_last_len, chan_last_id;
    uint32_t *order, *order2;   /* scratch: the rules to test, in rule order */
    bool prefilter;             /* the tables have atoms and the option allows them */
    /* -j N: the workers' engines collect the rules that match (no output) */
    bool collect;
    bool hits_failed;           /* out of memory while collecting */
    uint32_t *hits, n_hits, cap_hits;
    struct sgm_par *par;        /* the worker threads, once started */
    /* the progress line */
    bool progress_on;
    bool out_is_terminal;       /* matches and the line share the screen */
    int progress_len;           /* characters shown now (0: no line) */
    double progress_t0, progress_next;
    const char *input_name;     /* the input being read */
    uint64_t input_size;        /* its size (0: unknown, a pipe) */
    uint64_t input_done;        /* bytes of it read so far */
    uint64_t bytes_done;        /* bytes of all inputs */
};

/* sgm_run.c: the progress line, redrawn at most four times a second; cleared
 * before anything else is written to the terminal. */
void sgm_progress_tick(sgm_engine *e);
/* Flushes the matches reported since the last flush (always: whatever is
 * pending), so a reader downstream sees them now; false once the output has
 * failed (e->out_errno). */
bool sgm_out_flush(sgm_engine *e, bool always);
void sgm_progress_clear(sgm_engine *e);

/* Eight bytes at once as sgm_fold does them: 'A'..'Z' get 0x20 added.  Per
 * byte b under 0x80, b + 0x3f reaches 0x80 from 'A' on and b + 0x25 from
 * one past 'Z' on; no sum carries into the next byte. */
static inline uint64_t sgm_fold8(uint64_t x) {
    const uint64_t low7 = 0x7f7f7f7f7f7f7f7full, highs = 0x8080808080808080ull;
    uint64_t h = x & low7;
    uint64_t upper = (h + 0x3f3f3f3f3f3f3f3full) & ~(h + 0x2525252525252525ull) & ~x & highs;
    return x | upper >> 2;
}

/* sgm_fold8 on four bytes (32-bit constants, which fit in instructions). */
static inline uint32_t sgm_fold4(uint32_t x) {
    uint32_t h = x & 0x7f7f7f7fu;
    uint32_t upper = (h + 0x3f3f3f3fu) & ~(h + 0x25252525u) & ~x & 0x80808080u;
    return x | upper >> 2;
}

/* Four bytes read with memcpy, in text order: the first lowest (as grams hold them). */
static inline uint32_t sgm_le32(uint32_t w) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    return __builtin_bswap32(w);
#else
    return w;
#endif
}

/* A hash of n bytes, eight a step, of the bytes as they are or ASCII-folded
 * (fold: the hash of the folded text, for case-insensitive value sets in
 * sgm_eval.c). */
static inline uint64_t sgm_hash_as(const char *p, size_t n, bool fold) {
    uint64_t h = 0x9E3779B97F4A7C15ull ^ n;
    for (; n >= 8; p += 8, n -= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        h = (h ^ (fold ? sgm_fold8(w) : w)) * 0xff51afd7ed558ccdull;
        h ^= h >> 32;
    }
    uint64_t w = 0;
    memcpy(&w, p, n);
    h = (h ^ (fold ? sgm_fold8(w) : w)) * 0xc4ceb9fe1a85ec53ull;
    h ^= h >> 29;
    return h;
}

/* The bytes as they are: field names in the engine's field table (built in
 * sgm_run.c, looked up for every value in sgm_json.c), group keys and
 * counted values of aggregations (sgm_agg.c). */
static inline uint64_t sgm_hash(const char *p, size_t n) { return sgm_hash_as(p, n, false); }

/* The key of a value in a value set: for equals, a hash of the whole
 * (folded) value; for startswith and endswith, its first or last edge bytes
 * (folded). */
static inline uint64_t sgm_vset_key(uint8_t op, bool cased, uint8_t edge, const char *p, size_t n) {
    if (op == SGM_OP_EQ) return sgm_hash_as(p, n, !cased);
    uint64_t w = 0; /* n >= edge */
    memcpy(&w, op == SGM_OP_STARTSWITH ? p : p + n - edge, edge);
    return cased ? w : sgm_fold8(w);
}

/* sgm_run.c: whether the prefilter looked for atom in this event (when it
 * did and did not find it, a predicate that needs it is false). */
bool sgm_atom_scanned(const sgm_engine *e, uint32_t atom);

/* A hint to load the line of p before it is read (a no-op without GCC's builtin). */
#if defined(__GNUC__) || defined(__clang__)
#define SGM_PREFETCH(p) __builtin_prefetch(p)
#else
#define SGM_PREFETCH(p) ((void)(p))
#endif

/* A function inlined into its callers whatever its size (the predicate
 * tests, in the loop over a rule's steps), or kept out of line (the rare
 * path of a hot loop). */
#if defined(__GNUC__) || defined(__clang__)
#define SGM_ALWAYS_INLINE inline __attribute__((always_inline))
#define SGM_NOINLINE __attribute__((noinline))
#else
#define SGM_ALWAYS_INLINE inline
#define SGM_NOINLINE
#endif

/* Bit b of a scan mask (sgm_index.scan_masks). */
static inline bool sgm_mask_has(const uint64_t *mask, uint32_t b) { return mask[b >> 6] >> (b & 63) & 1; }

static inline uint32_t sgm_name_hash(const char *p, size_t n) { return (uint32_t)sgm_hash(p, n); }

/* Room for need bytes in *buf (capacity *cap, doubled from 256 as needed).
 * False when memory runs out (buf and cap unchanged). */
static inline bool sgm_reserve(char **buf, size_t *cap, size_t need) {
    if (need <= *cap) return true;
    size_t c = *cap ? *cap : 256;
    while (c < need) c *= 2;
    char *n = realloc(*buf, c);
    if (!n) return false;
    *buf = n;
    *cap = c;
    return true;
}

/* sgm_json.c */
void sgm_event_init(sgm_event *ev, uint32_t n_fields);
void sgm_event_free(sgm_event *ev);
/* Parses one complete JSON value into the event.  Returns 0, or -1 with
 * *err_off (offset in text) and a message. */
int sgm_json_parse_event(sgm_engine *e, const char *text, size_t len, size_t *err_off, const char **msg);
bool sgm_parse_time(const char *p, size_t len, int64_t *out_us);
/* Finds the parsed event's time (has_time, time_us) if not done yet: at
 * once when aggregations need every event's, else when a match is
 * reported (1.5% of the time went to times no one read). */
void sgm_event_time(sgm_engine *e);

/* sgm_eval.c: regex r of the tables compiled (not JIT-compiled); NULL with
 * a message in err when it does not compile. */
enum { SGM_RE_UNTRIED, SGM_RE_READY, SGM_RE_BROKEN };
pcre2_code *sgm_regex_compile(const sgm_tables *t, uint32_t r, char *err, size_t errlen);

/* sgm_eval.c */
/* Whether rule r's condition holds for the event (its steps). */
bool sgm_eval_rule(sgm_engine *e, uint32_t r);
bool sgm_value_number(const char *p, size_t len, double *out);
/* ASCII case folding table. */
extern const unsigned char sgm_fold[256];

/* a folded to compare with b, which is folded already (a needle). */
static inline bool sgm_eq_fold(const char *a, const char *b, size_t n) {
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t x, y;
        memcpy(&x, a + i, 8);
        memcpy(&y, b + i, 8);
        if (sgm_fold8(x) != y) return false;
    }
    for (; i < n; i++)
        if (sgm_fold[(unsigned char)a[i]] != (unsigned char)b[i]) return false;
    return true;
}

/* sgm_agg.c */
int sgm_agg_init(sgm_engine *e);
void sgm_agg_free(sgm_engine *e);
/* Rule `rule` matched the current event: feed its aggregations. */
void sgm_agg_feed(sgm_engine *e, uint32_t rule);
/* Every event, before the rules: groups quiet for longer than their window
 * (by the time now) are judged and dropped. */
void sgm_agg_sweep(sgm_engine *e, int64_t now);
/* End of input: close the windows that wait for their end. */
void sgm_agg_finish(sgm_engine *e);

/* sgm_json.c, shared with sgm_evtx.c */
/* The value of a hexadecimal digit, or -1. */
int sgm_hex_value(char c);
/* Writes code point cp as UTF-8 (1 to 4 bytes) at out; returns the count. */
size_t sgm_utf8_put(char *out, uint32_t cp);

/* sgm_run.c */
/* Where an event came from, kept by aggregation windows. */
typedef struct sgm_where {
    const char *file;
    uint64_t at;     /* line, or record id when is_record */
    bool is_record;
} sgm_where;
/* One match.  Plain rules: group_json NULL, the current event.  An
 * aggregation that fires on the current event: group, value and window,
 * closed NULL.  A window judged when it closed: closed says where its last
 * event came from, and the current event (some later one) is not printed. */
void sgm_report_match(sgm_engine *e, uint32_t rule, const char *group_json, size_t group_len, double value,
                      int64_t first_us, int64_t last_us, bool aggregated, const sgm_where *closed);
void sgm_json_write_string(FILE *f, const char *p, size_t len);
void sgm_write_time(FILE *f, int64_t us);

/* ---- sgm_run.c: the event loop and the stream reader ---------------------- */

/* One event, parsed into e->ev: the bookkeeping every event gets (count,
 * time, the aggregation sweep), then its rules tested. */
void sgm_event_begin(sgm_engine *e);
void sgm_event_rules(sgm_engine *e);
/* Rule r matched the event in e->ev: report it, feed its aggregations. */
void sgm_rule_effects(sgm_engine *e, uint32_t r);

/* Where a byte is: line and column (1-based) from the start of the text. */
typedef struct sgm_pos {
    uint64_t line, col;
} sgm_pos;

/* Nesting the scanner follows (the parser refuses deeper values anyway). */
#define SGM_READER_MAX_DEPTH 256

/* The stream reader's state. */
typedef struct sgm_reader {
    sgm_engine *e;
    const char *name;
    char *buf;
    size_t cap, len;   /* bytes in buf */
    size_t pos;        /* scanning position */
    size_t start;      /* where the current value starts (SIZE_MAX: between values) */
    uint64_t line;     /* line at pos */
    size_t line_start; /* offset of that line's first byte (may be negative across refills: kept as base) */
    uint64_t col_base; /* column of buf[line_start] - 1 when the line began before a refill */
    uint64_t start_line, start_col;
    int depth;
    uint64_t kinds[SGM_READER_MAX_DEPTH / 64]; /* per open level: 1 for '[', 0 for '{' */
    char last;         /* the last byte of the value outside strings and blanks ('"' after a string) */
    bool in_string, escape;
    bool skipping;     /* after an error: until a line that starts with '{' */
    bool at_line_start;
    bool in_array;     /* inside a top-level array: its elements are the events */
} sgm_reader;

bool sgm_reader_init(sgm_reader *rd, sgm_engine *e, const char *name);
/* Keeps the unfinished value (or nothing) and makes room for more bytes. */
bool sgm_reader_compact(sgm_reader *rd);
/* The length of line p[0, n) (its break left out) without the blanks and
 * carriage return at its end. */
static inline size_t sgm_trim_line(const char *p, size_t n) {
    while (n && (p[n - 1] == '\r' || p[n - 1] == ' ' || p[n - 1] == '\t')) n--;
    return n;
}
/* Scans buf[pos, len): events are parsed and run as they end.  eof: no
 * more bytes will come. */
void sgm_reader_scan(sgm_reader *rd, bool eof);
/* Appends n bytes and scans them.  False when memory runs out. */
bool sgm_reader_feed(sgm_reader *rd, const char *p, size_t n);
/* Between events at the start of a line, in no array and skipping nothing:
 * the next line may be taken as a whole JSON line. */
bool sgm_reader_clean(const sgm_reader *rd);
/* Reads what is there, at most n bytes (see sgm_run.c). */
size_t sgm_read_some(FILE *in, char *buf, size_t n, bool *failed);

/* sgm_run.c: an engine for one of -j's threads, with options o, that reads
 * base's index (base must outlive it) and has all else of its own: its
 * regexes are copies of base's, JIT-compiled anew on their first use.
 * NULL with a message in err. */
sgm_engine *sgm_engine_clone(const sgm_engine *base, const sgm_options *o, char *err, size_t errlen);

/* sgm_par.c: -j N */
typedef struct sgm_par sgm_par;
/* The engine's worker threads (e->o.jobs engines in all, the reading
 * thread's second one among them), started at once: each makes its engine
 * from the tables and prebuilt, or (prebuilt NULL) as a clone of e, which
 * must then be whole.  NULL (a warning reported) when they cannot start. */
sgm_par *sgm_par_start(sgm_engine *e, const sgm_index *prebuilt);
/* Scans a stream of JSON values with the engine's worker threads; output as
 * sgm_scan_stream's.  1 when there are none (nothing read: scan on one
 * thread), 0 or -1 as sgm_scan_stream. */
int sgm_par_scan_stream(sgm_engine *e, const char *name, FILE *in);
void sgm_par_free(sgm_par *p);

#endif
