/* fuzz_events.c - libFuzzer target: arbitrary bytes as an event stream
 * through the C matcher's reader (sgm_run.c: JSON lines or concatenated
 * pretty-printed values, resynchronisation after errors) and event parser
 * (sgm_json.c), then the rules of a tiny fixed table set (sgm_eval.c) and
 * one count aggregation (sgm_agg.c).
 *
 * The tables name the fields the evtx_dump layout and flat events use
 * (dotted paths, own keys, element_attribute names, time fields), so field
 * lookup, the event time and a windowed aggregation all see fuzzed values.
 * The first input byte picks a small max_event half of the time, so the
 * "event longer than N bytes" path is reached too.  Output and diagnostics
 * go to memory streams that are thrown away.
 *
 * Run: build-fuzz/tests/fuzz/fuzz_events CORPUS_DIR SEED_DIR -max_len=65536,
 * seeded with some ../shared/corpus/sigmahq/regression_data .json files and
 * a few JSON lines (flat events, numeric and ISO times, broken lines).  Every
 * input it crashed on goes to regress_events/ (replay_events.sh). */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "matcher/sgm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Every string of the tables, in one pool: the tables hold offsets into it
 * (sgm_str).  Each entry's offset and length are enum constants that chain
 * (an entry starts where the one before ends). */
#define FE_STRINGS(X) \
    X(fe_s_eventid, "EventID") \
    X(fe_s_image, "Image") \
    X(fe_s_event_system_timecreated_systemtime, "Event.System.TimeCreated.SystemTime") \
    X(fe_s_timestamp, "@timestamp") \
    X(fe_s_provider_name, "Provider_Name") \
    X(fe_s_commandline, "CommandLine") \
    X(fe_s_event_eventdata_targetfilename, "Event.EventData.TargetFilename") \
    X(fe_s_data, "Data") \
    X(fe_s_sourceip, "SourceIp") \
    X(fe_s_computer, "Computer") \
    X(fe_s_attack, "attack") \
    X(fe_s_winlog_event_id, "winlog.event_id") \
    X(fe_s_winlog_computer_name, "winlog.computer_name") \
    X(fe_s_1, "1") \
    X(fe_s_cmd_exe, "\\cmd.exe") \
    X(fe_s_mimikatz, "mimikatz") \
    X(fe_s_empty, "") \
    X(fe_s_temp_exe, "*\\\\temp\\\\*.exe") \
    X(fe_s_microsoft_windows_sysmon, "Microsoft-Windows-Sysmon") \
    X(fe_s_i_b_invoke_iex_b_http, "(?i)\\b(?:invoke|iex)\\b.*http") \
    X(fe_s_r0, "r0") \
    X(fe_s_process, "process") \
    X(fe_s_high, "high") \
    X(fe_s_r1, "r1") \
    X(fe_s_any_event, "any event") \
    X(fe_s_low, "low") \
    X(fe_s_r2, "r2") \
    X(fe_s_misc, "misc") \
    X(fe_s_r3, "r3") \
    X(fe_s_burst, "burst") \
    X(fe_s_medium, "medium")

enum {
    fe_s_start_ = -1,
#define FE_ENUM(name, lit) name##_off, name##_last = name##_off + (int)sizeof lit - 2,
    FE_STRINGS(FE_ENUM)
#undef FE_ENUM
};

#define FE_LIT(name, lit) lit
static const char fe_pool[] = FE_STRINGS(FE_LIT);
#undef FE_LIT

#define S(name) {(uint32_t)name##_off, (uint32_t)(name##_last + 1 - name##_off)}

static const sgm_str fe_fields[] = {
    S(fe_s_eventid),                              /* 0 */
    S(fe_s_image),                                /* 1 */
    S(fe_s_event_system_timecreated_systemtime),  /* 2 */
    S(fe_s_timestamp),                           /* 3 */
    S(fe_s_provider_name),                        /* 4 */
    S(fe_s_commandline),                          /* 5 */
    S(fe_s_event_eventdata_targetfilename),       /* 6 */
    S(fe_s_data),                                 /* 7 */
    S(fe_s_sourceip),                             /* 8 */
    S(fe_s_computer),                             /* 9 */
};

static const sgm_str fe_strs[] = {S(fe_s_attack), S(fe_s_image)};

/* other names events give fields (Winlogbeat's) */
static const sgm_alias fe_aliases[] = {{S(fe_s_winlog_event_id), 0}, {S(fe_s_winlog_computer_name), 9}};

static const sgm_pred fe_preds[] = {
    /* op, flags, timepart, fieldref_op, field, arg, text, num */
    {SGM_OP_NUM_EQ, 0, 0, 0, 0, 0, S(fe_s_1), 1},                       /* 0 */
    {SGM_OP_ENDSWITH, 0, 0, 0, 1, 0, S(fe_s_cmd_exe), 0},             /* 1 */
    {SGM_OP_CONTAINS, 0, 0, 0, SGM_NONE, 0, S(fe_s_mimikatz), 0},       /* 2: keyword */
    {SGM_OP_REGEX, 0, 0, 0, 5, 0, S(fe_s_empty), 0},                         /* 3 */
    {SGM_OP_GLOB, 0, 0, 0, 6, 0, S(fe_s_temp_exe), 0},           /* 4 */
    {SGM_OP_CIDR, 0, 0, 0, 8, 0, S(fe_s_empty), 0},                          /* 5 */
    {SGM_OP_EXISTS, 0, 0, 0, 0, 0, S(fe_s_empty), 0},                        /* 6 */
    {SGM_OP_GTE, 0, SGM_TP_HOUR, 0, 2, 0, S(fe_s_empty), 12},                /* 7 */
    {SGM_OP_FIELDREF, 0, 0, SGM_OP_CONTAINS, 5, 1, S(fe_s_empty), 0},        /* 8 */
    {SGM_OP_EQ, SGM_PF_CASED, 0, 0, 4, 0, S(fe_s_microsoft_windows_sysmon), 0}, /* 9 */
    {SGM_OP_NULL, 0, 0, 0, 7, 0, S(fe_s_empty), 0},                          /* 10 */
    {SGM_OP_BOOL, 0, 0, 0, 9, 0, S(fe_s_empty), 1},                          /* 11 */
    {SGM_OP_LT, 0, 0, 0, 0, 0, S(fe_s_empty), 100},                          /* 12 */
};

static const sgm_regex fe_regexes[] = {{S(fe_s_i_b_invoke_iex_b_http), 0, 0}};

static const sgm_cidr fe_cidrs[] = {{4, 8, {10, 0, 0, 0}}};

/* rule 0: EventID=1 and (Image endswith or keyword or regex or glob or cidr)
 * rule 1: EventID exists (feeds the aggregation, not reported)
 * rule 2: hour >= 12 or fieldref or provider or null or bool or EventID < 100
 * rule 3: count() by Image >= 3 within 60s over rule 1 */
static const sgm_node fe_nodes[] = {
    {SGM_N_PRED, 0, 0},  /* 0 */
    {SGM_N_PRED, 0, 1},  /* 1 */
    {SGM_N_PRED, 0, 2},  /* 2 */
    {SGM_N_PRED, 0, 3},  /* 3 */
    {SGM_N_PRED, 0, 4},  /* 4 */
    {SGM_N_PRED, 0, 5},  /* 5 */
    {SGM_N_OR, 5, 0},    /* 6: kids[0..5) = 1..5 */
    {SGM_N_AND, 2, 5},   /* 7: kids[5..7) = 0, 6 */
    {SGM_N_PRED, 0, 6},  /* 8 */
    {SGM_N_PRED, 0, 7},  /* 9 */
    {SGM_N_PRED, 0, 8},  /* 10 */
    {SGM_N_PRED, 0, 9},  /* 11 */
    {SGM_N_PRED, 0, 10}, /* 12 */
    {SGM_N_PRED, 0, 11}, /* 13 */
    {SGM_N_PRED, 0, 12}, /* 14 */
    {SGM_N_NOT, 1, 13},  /* 15: kids[13] = 12 */
    {SGM_N_OR, 6, 7},    /* 16: kids[7..13) = 9, 10, 11, 15, 13, 14 */
};

static const uint32_t fe_kids[] = {1, 2, 3, 4, 5, 0, 6, 9, 10, 11, 15, 13, 14, 12};

/* u32: [0] rules of the aggregation, [1] its group-by field, [2] field */
static const uint32_t fe_u32[] = {1, 1};

static const sgm_agg fe_aggs[] = {{SGM_AGG_EVENT_COUNT, SGM_CMP_GTE, 0, 0, 1, 1, 1, SGM_NONE, 1, SGM_NONE,
                                   60 * 1000000LL, 3}};

static const sgm_rule fe_rules[] = {
    {S(fe_s_r0), S(fe_s_process), S(fe_s_high), 0, 1, 7, SGM_NONE, 1},
    {S(fe_s_r1), S(fe_s_any_event), S(fe_s_low), 0, 0, 8, SGM_NONE, 0},
    {S(fe_s_r2), S(fe_s_misc), S(fe_s_empty), 0, 0, 16, SGM_NONE, 1},
    {S(fe_s_r3), S(fe_s_burst), S(fe_s_medium), 0, 0, SGM_NONE, 0, 1},
};

static const uint32_t fe_time_fields[] = {2, 3};

static sgm_tables fe_tables(void) {
    sgm_tables t = {0};
    t.generator = "fuzz_events";
    t.pool = fe_pool;
    t.pool_len = sizeof fe_pool - 1;
    t.dispatch_field = SGM_NONE; /* no log-source dispatch and no prefilter: every rule on every event */
    t.channel_field = SGM_NONE;
    t.fields = fe_fields;
    t.n_fields = sizeof fe_fields / sizeof *fe_fields;
    t.strs = fe_strs;
    t.n_strs = 2;
    t.preds = fe_preds;
    t.n_preds = sizeof fe_preds / sizeof *fe_preds;
    t.nodes = fe_nodes;
    t.n_nodes = sizeof fe_nodes / sizeof *fe_nodes;
    t.kids = fe_kids;
    t.n_kids = sizeof fe_kids / sizeof *fe_kids;
    t.regexes = fe_regexes;
    t.n_regexes = 1;
    t.cidrs = fe_cidrs;
    t.n_cidrs = 1;
    t.aggs = fe_aggs;
    t.n_aggs = 1;
    t.u32 = fe_u32;
    t.n_u32 = sizeof fe_u32 / sizeof *fe_u32;
    t.rules = fe_rules;
    t.n_rules = sizeof fe_rules / sizeof *fe_rules;
    t.time_fields = fe_time_fields;
    t.n_time_fields = 2;
    t.aliases = fe_aliases;
    t.n_aliases = sizeof fe_aliases / sizeof *fe_aliases;
    return t;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static sgm_tables tables;
    static int ready;
    if (!ready) {
        tables = fe_tables();
        ready = 1;
    }
    char *out_buf = NULL, *err_buf = NULL;
    size_t out_len = 0, err_len = 0;
    FILE *out = open_memstream(&out_buf, &out_len);
    FILE *err = open_memstream(&err_buf, &err_len);
    if (!out || !err) abort();
    sgm_options o;
    sgm_options_default(&o);
    o.out = out;
    o.err = err;
    o.prog = "fuzz_events";
    o.max_groups = 64;
    o.max_entries = 16;
    if (size > 0 && (data[0] & 1)) o.max_event = 1u + data[0];
    if (size > 1 && (data[1] & 1)) o.format = SGM_FMT_CSV;
    char msg[256];
    sgm_engine *e = sgm_engine_new(&tables, &o, msg, sizeof msg);
    if (!e) {
        fprintf(stderr, "fuzz_events: %s\n", msg);
        abort();
    }
    sgm_engine_scan_buffer(e, "fuzz.json", (const char *)data, size);
    sgm_engine_finish(e);
    sgm_engine_free(e);
    fclose(out);
    fclose(err);
    free(out_buf);
    free(err_buf);
    return 0;
}
