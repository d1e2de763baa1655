/* test_pipeline.c - pipeline files (compiler/pipeline.c): loading and its
 * errors, placing a rule by log source, field renames (1:1 and 1:N),
 * conditions, strict unmapped fields, the hashes split, and correlations.
 * Each test applies a pipeline to a compiled rule and compares the IR dump
 * of the result exactly, or the diagnostic's id and position. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "pipeline.h"

typedef struct pctx {
    sg_diags diags;
    sg_ruleset rs;
    sg_pipeline *pipe;
    sg_ir_rule *out;
    sg_buf dump;
} pctx;

static const char PIPE[] =
    "name: test-pipe\n"
    "target: kql\n"
    "description: for tests\n"
    "timestamp: When\n"
    "logsources:\n"
    "  - match: {category: process_creation, product: windows}\n"
    "    table: Procs\n"
    "    conditions: {Kind: start}\n"
    "    fields: {Image: Path, User: [Account, Domain]}\n"
    "    hashes:\n"
    "      field: Hashes\n"
    "      algorithms: {SHA256: Sha256, MD5: Md5}\n"
    "  - match: {product: linux}\n"
    "    table: Syslog\n"
    "fields: {CommandLine: Cmd}\n"
    "unmapped: error\n";

static void load_pipe(pctx *c, const char *pipe_text) {
    memset(c, 0, sizeof *c);
    sg_diags_init(&c->diags);
    sg_ruleset_init(&c->rs, NULL, &c->diags);
    sg_buf_init(&c->dump);
    c->pipe = sg_pipeline_load(&c->rs, "p.yml", pipe_text, strlen(pipe_text), false);
}

/* Compiles rule_text, applies the pipeline to its first rule (or, for a
 * correlation file, to its last rule) and dumps the result. */
static void apply(pctx *c, const char *rule_text) {
    assert_non_null(c->pipe);
    assert_int_equal(sg_ruleset_add_file(&c->rs, "r.yml", rule_text, strlen(rule_text)), 0);
    assert_int_equal(sg_ruleset_resolve(&c->rs), 0);
    sg_rule *r = c->rs.rules[c->rs.n_rules - 1];
    sg_pipeline *pipes[1] = {c->pipe};
    c->out = sg_pipeline_apply(&c->rs, r, r->ir, pipes, 1, pipes, 1);
    if (c->out) sg_ir_dump(&c->dump, c->out);
}

static void done(pctx *c) {
    sg_buf_free(&c->dump);
    sg_ruleset_free(&c->rs);
    sg_diags_free(&c->diags);
}

static void assert_diag(const pctx *c, const char *id, uint32_t line, uint32_t col, const char *needle) {
    for (size_t i = 0; i < c->diags.count; i++) {
        const sg_diag *d = &c->diags.items[i];
        if (strcmp(sg_diag_table[d->id].id, id) == 0 && d->loc.line == line && d->loc.col == col &&
            strstr(d->message, needle))
            return;
    }
    for (size_t i = 0; i < c->diags.count; i++)
        print_message("  %u:%u %s %s\n", c->diags.items[i].loc.line, c->diags.items[i].loc.col,
                      sg_diag_table[c->diags.items[i].id].id, c->diags.items[i].message);
    fail_msg("no %s at %u:%u containing '%s'", id, line, col, needle);
}

#define RULE_HEAD "title: t\nid: 11111111-2222-4333-8444-555555555555\nlogsource: {category: process_creation, product: windows}\ndetection:\n"

static void test_place_rename_conditions(void **state) {
    (void)state;
    pctx c;
    load_pipe(&c, PIPE);
    apply(&c, RULE_HEAD "  sel:\n    Image|endswith: '\\cmd.exe'\n    User: admin\n    CommandLine|contains: whoami\n"
                        "  condition: sel\n");
    assert_non_null(c.out);
    assert_true(sg_str_eq_cstr(c.out->table, "Procs"));
    assert_true(sg_str_eq_cstr(c.out->timestamp, "When"));
    assert_string_equal(strstr(c.dump.data, "expr:"), "expr:\n"
                                                      "  and\n"
                                                      "    \"Kind\" eq \"start\"\n"
                                                      "    \"Path\" endswith \"\\\\cmd.exe\"\n"
                                                      "    or\n"
                                                      "      \"Account\" eq \"admin\"\n"
                                                      "      \"Domain\" eq \"admin\"\n"
                                                      "    \"Cmd\" contains \"whoami\"\n");
    /* the rule's own IR is untouched */
    sg_buf own;
    sg_buf_init(&own);
    sg_ir_dump(&own, c.rs.rules[0]->ir);
    assert_non_null(strstr(own.data, "\"Image\" endswith"));
    sg_buf_free(&own);
    done(&c);
}

static void test_strict_unmapped(void **state) {
    (void)state;
    pctx c;
    load_pipe(&c, PIPE);
    apply(&c, RULE_HEAD "  sel:\n    Company: acme\n  condition: sel\n");
    assert_null(c.out);
    assert_diag(&c, "pipeline", 6, 14, "field 'Company' has no mapping in pipeline 'test-pipe'");
    done(&c);
}

static void test_not_placed(void **state) {
    (void)state;
    pctx c;
    load_pipe(&c, PIPE);
    apply(&c, "title: t\nlogsource: {category: dns, product: windows}\ndetection:\n  sel:\n    q: x\n  condition: sel\n");
    assert_null(c.out);
    assert_diag(&c, "pipeline", 1, 1, "category=dns product=windows is not a log source of pipeline 'test-pipe'");
    done(&c);
}

static void test_hashes_split(void **state) {
    (void)state;
    pctx c;
    load_pipe(&c, PIPE);
    apply(&c, RULE_HEAD "  sel:\n    Hashes|contains:\n      - 'SHA256=AB12'\n      - 'md5=cd34'\n  condition: sel\n");
    assert_non_null(c.out);
    assert_string_equal(strstr(c.dump.data, "expr:"), "expr:\n"
                                                      "  and\n"
                                                      "    \"Kind\" eq \"start\"\n"
                                                      "    or\n"
                                                      "      \"Sha256\" eq \"AB12\"\n"
                                                      "      \"Md5\" eq \"cd34\"\n");
    done(&c);
    /* an algorithm with no column can never match: left out with one
     * warning per rule; a rule left with nothing is an error */
    load_pipe(&c, PIPE);
    apply(&c, RULE_HEAD "  sel:\n    Hashes|contains:\n      - 'IMPHASH=EE'\n      - 'imphash=FF'\n      - 'MD5=cd34'\n"
                        "  condition: sel\n");
    assert_non_null(c.out);
    assert_string_equal(strstr(c.dump.data, "expr:"), "expr:\n"
                                                      "  and\n"
                                                      "    \"Kind\" eq \"start\"\n"
                                                      "    \"Md5\" eq \"cd34\"\n");
    assert_diag(&c, "pipeline", 7, 9, "hash algorithm 'IMPHASH' has no column in pipeline 'test-pipe'");
    assert_int_equal(c.diags.by_severity[SG_SEV_WARNING], 1);
    assert_int_equal(c.diags.by_severity[SG_SEV_ERROR], 0);
    done(&c);
    load_pipe(&c, PIPE);
    apply(&c, RULE_HEAD "  sel:\n    Hashes|contains: 'IMPHASH=EE'\n  condition: sel\n");
    assert_null(c.out);
    assert_diag(&c, "pipeline", 6, 22, "hash algorithm 'IMPHASH' has no column in pipeline 'test-pipe'");
    assert_diag(&c, "pipeline", 6, 22, "nothing this rule tests can match in pipeline 'test-pipe'");
    done(&c);
    load_pipe(&c, PIPE);
    apply(&c, RULE_HEAD "  sel:\n    Hashes|endswith: 'AB12'\n  condition: sel\n");
    assert_null(c.out);
    assert_diag(&c, "pipeline", 6, 22, "write ALGORITHM=value with contains");
    done(&c);
}

static const char PIPE_VALUES[] =
    "name: vals\n"
    "target: kql\n"
    "logsources:\n"
    "  - match: {category: registry_event}\n"
    "    table: Reg\n"
    "    values:\n"
    "      EventType: {CreateKey: KeyCreated, DeleteKey: [KeyDeleted, ValueDeleted]}\n"
    "    fields: {EventType: Action}\n";

static void test_value_maps(void **state) {
    (void)state;
    pctx c;
    load_pipe(&c, PIPE_VALUES);
    apply(&c, "title: t\nlogsource: {category: registry_event}\ndetection:\n  sel:\n    EventType:\n      - createkey\n"
              "      - DeleteKey\n  condition: sel\n");
    assert_non_null(c.out);
    assert_string_equal(strstr(c.dump.data, "expr:"), "expr:\n"
                                                      "  or\n"
                                                      "    \"Action\" eq \"KeyCreated\"\n"
                                                      "    \"Action\" eq \"KeyDeleted\"\n"
                                                      "    \"Action\" eq \"ValueDeleted\"\n");
    done(&c);
    /* a value the map does not name, or another operator, is refused */
    load_pipe(&c, PIPE_VALUES);
    apply(&c, "title: t\nlogsource: {category: registry_event}\ndetection:\n  sel:\n    EventType: RenameKey\n"
              "  condition: sel\n");
    assert_null(c.out);
    assert_diag(&c, "pipeline", 5, 16, "has no mapping for this one (eq 'RenameKey')");
    done(&c);
    load_pipe(&c, PIPE_VALUES);
    apply(&c, "title: t\nlogsource: {category: registry_event}\ndetection:\n  sel:\n    EventType|contains: Key\n"
              "  condition: sel\n");
    assert_null(c.out);
    assert_diag(&c, "pipeline", 5, 25, "(contains 'Key')");
    done(&c);
}

/* `Initiated: true` (a boolean) maps like the string 'true'. */
static void test_value_maps_bool(void **state) {
    (void)state;
    pctx c;
    load_pipe(&c, "name: net\ntarget: kql\nlogsources:\n  - match: {category: network_connection}\n    table: Net\n"
                  "    values:\n      Initiated: {'true': [Out, OutFailed], 'false': In}\n"
                  "    fields: {Initiated: Action}\n");
    apply(&c, "title: t\nlogsource: {category: network_connection}\ndetection:\n  a:\n    Initiated: true\n"
              "  b:\n    Initiated: 'false'\n  condition: a or b\n");
    assert_non_null(c.out);
    assert_string_equal(strstr(c.dump.data, "expr:"), "expr:\n"
                                                      "  or\n"
                                                      "    \"Action\" eq \"Out\"\n"
                                                      "    \"Action\" eq \"OutFailed\"\n"
                                                      "    \"Action\" eq \"In\"\n");
    done(&c);
}

static const char PIPE_COMPUTED[] =
    "name: comp\n"
    "target: kql\n"
    "unmapped: error\n"
    "logsources:\n"
    "  - match: {category: pipe_created}\n"
    "    table: Dev\n"
    "    conditions: {ActionType: Pipe}\n"
    "    computed: {PipeName: 'tostring(Extra.Pipe)', Unused: 'tostring(Extra.X)', Proc: 'tolower(P)'}\n"
    "    fields: {Image: Proc}\n"
    "  - match: {product: windows, service: sysmon}\n"
    "    table: Event\n"
    "    conditions: {Source: Sysmon}\n"
    "    prelude: ['extend Bag = parse_json(Data)', 'where isnotempty(Bag)']\n"
    "    bag: Bag\n"
    "    fields: {EventID: EventID}\n"
    "  - match: {product: aws}\n"
    "    table: Trail\n"
    "    members: {requestParameters: 'parse_json(Req)'}\n"
    "    fields: {eventName: EventName}\n";

/* Computed columns are recorded only when the rule uses them (a field
 * mapped to one, or named like one); with computed columns or a prelude the
 * log source's conditions become the prefilter; with a bag any unmapped
 * field is a bag member. */
static void test_computed_and_bag(void **state) {
    (void)state;
    pctx c;
    load_pipe(&c, PIPE_COMPUTED);
    apply(&c, "title: t\nlogsource: {category: pipe_created}\ndetection:\n  sel:\n    PipeName: '\\x'\n"
              "    Image|endswith: '\\y.exe'\n  condition: sel\n");
    assert_non_null(c.out);
    assert_string_equal(strstr(c.dump.data, "prefilter:"), "prefilter:\n"
                                                           "  \"ActionType\" eq \"Pipe\"\n"
                                                           "column: \"PipeName\" = \"tostring(Extra.Pipe)\"\n"
                                                           "column: \"Proc\" = \"tolower(P)\"\n"
                                                           "expr:\n"
                                                           "  and\n"
                                                           "    \"PipeName\" eq \"\\\\x\"\n"
                                                           "    \"Proc\" endswith \"\\\\y.exe\"\n");
    done(&c);
    /* strict: a field neither mapped nor computed is still an error */
    load_pipe(&c, PIPE_COMPUTED);
    apply(&c, "title: t\nlogsource: {category: pipe_created}\ndetection:\n  sel:\n    Other: x\n  condition: sel\n");
    assert_null(c.out);
    assert_diag(&c, "pipeline", 5, 12, "field 'Other' has no mapping in pipeline 'comp'");
    done(&c);
    load_pipe(&c, PIPE_COMPUTED);
    apply(&c, "title: t\nlogsource: {product: windows, service: sysmon}\ndetection:\n  sel:\n    EventID: 1\n"
              "    Image|endswith: '\\y.exe'\n    DestinationPort: 445\n  condition: sel\n");
    assert_non_null(c.out);
    assert_string_equal(strstr(c.dump.data, "prefilter:"), "prefilter:\n"
                                                           "  \"Source\" eq \"Sysmon\"\n"
                                                           "prelude: \"extend Bag = parse_json(Data)\"\n"
                                                           "prelude: \"where isnotempty(Bag)\"\n"
                                                           "column: \"Image\" from bag \"Bag\"\n"
                                                           "column: \"DestinationPort\" from bag \"Bag\"\n"
                                                           "expr:\n"
                                                           "  and\n"
                                                           "    \"EventID\" eq num:1\n"
                                                           "    \"Image\" endswith \"\\\\y.exe\"\n"
                                                           "    \"DestinationPort\" eq num:445\n");
    done(&c);
}

/* A field under a members: prefix reads the member path of its expression;
 * the bare prefix and other fields follow the maps (strict: errors). */
static void test_members(void **state) {
    (void)state;
    pctx c;
    load_pipe(&c, PIPE_COMPUTED);
    apply(&c, "title: t\nlogsource: {product: aws}\ndetection:\n  sel:\n    eventName: PutBucketPolicy\n"
              "    requestParameters.policy.Statement|contains: Allow\n  condition: sel\n");
    assert_non_null(c.out);
    assert_string_equal(strstr(c.dump.data, "column:"),
                        "column: \"requestParameters.policy.Statement\" from bag \"parse_json(Req)\" path \"policy.Statement\"\n"
                        "expr:\n"
                        "  and\n"
                        "    \"EventName\" eq \"PutBucketPolicy\"\n"
                        "    \"requestParameters.policy.Statement\" contains \"Allow\"\n");
    done(&c);
    load_pipe(&c, PIPE_COMPUTED);
    apply(&c, "title: t\nlogsource: {product: aws}\ndetection:\n  sel:\n    requestParameters: x\n  condition: sel\n");
    assert_null(c.out);
    assert_diag(&c, "pipeline", 5, 24, "field 'requestParameters' has no mapping");
    done(&c);
}

static void test_correlation_group_by(void **state) {
    (void)state;
    pctx c;
    load_pipe(&c, PIPE);
    apply(&c, RULE_HEAD "  sel:\n    Image|endswith: '\\net.exe'\n  condition: sel\nname: base\n"
                        "---\n"
                        "title: many\nid: 11111111-2222-4333-8444-666666666666\n"
                        "correlation:\n  type: value_count\n  rules: [base]\n  group-by: [CommandLine]\n"
                        "  timespan: 5m\n  condition: {gte: 3, field: Image}\n");
    assert_non_null(c.out);
    assert_non_null(c.out->agg);
    assert_true(sg_str_eq_cstr(c.out->agg->field, "Path"));
    assert_true(sg_str_eq_cstr(c.out->agg->group_by[0], "Cmd"));
    assert_true(sg_str_eq_cstr(c.out->table, "Procs"));
    assert_true(sg_str_eq_cstr(c.out->agg->rules[0]->table, "Procs"));
    done(&c);
}

static void test_load_errors(void **state) {
    (void)state;
    pctx c;
    load_pipe(&c, "name: x\ntarget: kql\nbogus: 1\n");
    assert_null(c.pipe);
    assert_diag(&c, "pipeline", 3, 1, "unknown key 'bogus' in a pipeline");
    done(&c);
    load_pipe(&c, "target: kql\n");
    assert_null(c.pipe);
    assert_diag(&c, "pipeline", 1, 1, "the pipeline has no 'name'");
    done(&c);
    load_pipe(&c, "name: x\ntarget: kql\nlogsources:\n  - table: T\n");
    assert_null(c.pipe);
    assert_diag(&c, "pipeline", 4, 5, "needs 'match'");
    done(&c);
    load_pipe(&c, "name: x\ntarget: kql\nlogsources:\n  - match: {category: a}\n    conditions: {F|contians: 1}\n");
    assert_null(c.pipe);
    assert_diag(&c, "modifier", 5, 18, "unknown modifier 'contians'");
    done(&c);
    load_pipe(&c, "name: x\ntarget: kql\nhashes: {field: Hashes}\n");
    assert_null(c.pipe);
    assert_diag(&c, "pipeline", 3, 9, "'hashes' needs exactly 'field' and 'algorithms'");
    done(&c);
    /* computed columns, members, preludes, text lists and bags: located errors */
    load_pipe(&c, "name: x\ntarget: kql\nlogsources:\n  - match: {category: a}\n    computed: {C: [e1, e2]}\n");
    assert_null(c.pipe);
    assert_diag(&c, "pipeline", 5, 19, "computed column 'C' needs exactly one expression");
    done(&c);
    load_pipe(&c, "name: x\ntarget: kql\nlogsources:\n  - match: {category: a}\n    members: [a, b]\n");
    assert_null(c.pipe);
    assert_diag(&c, "pipeline", 5, 14, "'fields' must map Sigma fields to target fields");
    done(&c);
    load_pipe(&c, "name: x\ntarget: kql\nlogsources:\n  - match: {category: a}\n    prelude: [extend a = 1, {x: y}]\n");
    assert_null(c.pipe);
    assert_diag(&c, "pipeline", 5, 29, "'a prelude stage' must be a non-empty string");
    done(&c);
    load_pipe(&c, "name: x\ntarget: kql\nlogsources:\n  - match: {category: a}\n    text: ''\n");
    assert_null(c.pipe);
    assert_diag(&c, "pipeline", 5, 11, "'a text column' must be a non-empty string");
    done(&c);
    load_pipe(&c, "name: x\ntarget: kql\nlogsources:\n  - match: {category: a}\n    bag: [B]\n");
    assert_null(c.pipe);
    assert_diag(&c, "pipeline", 5, 10, "'bag' must be a non-empty string");
    done(&c);
    load_pipe(&c, "name: x\ntarget: kql\nunpackers: {u: {prelude: [s]}}\nlogsources:\n  - match: {category: a}\n");
    assert_null(c.pipe);
    assert_diag(&c, "pipeline", 3, 16, "unpacker 'u' needs exactly 'prelude' and 'bag'");
    done(&c);
    load_pipe(&c, "name: x\ntarget: kql\nunpackers: {u: {prelude: [s], bag: B}}\nlogsources:\n"
                  "  - match: {category: a}\n    unpack: v\n");
    assert_null(c.pipe);
    assert_diag(&c, "pipeline", 6, 13, "'unpack' names no entry of the pipeline's 'unpackers'");
    done(&c);
}

/* placement: all - every entry that places the rule is a variant, ORed;
 * fallback entries place only what no regular entry places, and a rule so
 * placed (or unplaced under `unplaced: fields-only`) also needs one of its
 * own fields; event-names reach the IR. */
static const char MATCHER_PIPE[] =
    "name: m\n"
    "target: c\n"
    "placement: all\n"
    "unplaced: fields-only\n"
    "event-names: {EventID: [winlog.event_id]}\n"
    "logsources:\n"
    "  - match: {category: process_creation, product: windows}\n"
    "    conditions: {EventID: 1}\n"
    "  - match: {category: process_creation, product: windows}\n"
    "    conditions: {EventID: 4688}\n"
    "    fields: {Image: NewProcessName}\n"
    "  - match: {product: windows}\n"
    "    fallback: true\n"
    "    conditions: {Channel|exists: true}\n";

static void test_placement_all_and_fallback(void **state) {
    (void)state;
    pctx c;
    load_pipe(&c, MATCHER_PIPE);
    apply(&c, RULE_HEAD "  sel:\n    Image|endswith: '\\x.exe'\n  condition: sel\n");
    assert_non_null(c.out);
    assert_string_equal(strstr(c.dump.data, "expr:"), "expr:\n"
                                                      "  or\n"
                                                      "    and\n"
                                                      "      \"EventID\" eq num:1\n"
                                                      "      \"Image\" endswith \"\\\\x.exe\"\n"
                                                      "    and\n"
                                                      "      \"EventID\" eq num:4688\n"
                                                      "      \"NewProcessName\" endswith \"\\\\x.exe\"\n");
    assert_int_equal(c.out->n_event_names, 1);
    assert_true(sg_str_eq_cstr(c.out->event_names[0].names[0], "winlog.event_id"));
    done(&c);
    /* a Windows rule no regular entry places: the fallback's conditions, and one of its fields */
    load_pipe(&c, MATCHER_PIPE);
    apply(&c, "title: t\nlogsource: {product: windows, service: odd}\ndetection:\n  sel:\n    A: 1\n    B: 2\n"
              "  condition: not sel\n");
    assert_non_null(c.out);
    assert_string_equal(strstr(c.dump.data, "expr:"), "expr:\n"
                                                      "  and\n"
                                                      "    \"Channel\" exists\n"
                                                      "    or\n"
                                                      "      \"A\" exists\n"
                                                      "      \"B\" exists\n"
                                                      "    not\n"
                                                      "      and\n"
                                                      "        \"A\" eq num:1\n"
                                                      "        \"B\" eq num:2\n");
    done(&c);
    /* no entry at all (unplaced: fields-only): only the field guard; keywords alone: as written */
    load_pipe(&c, MATCHER_PIPE);
    apply(&c, "title: t\nlogsource: {product: zeek}\ndetection:\n  sel:\n    q|contains: x\n  condition: sel\n");
    assert_non_null(c.out);
    assert_string_equal(strstr(c.dump.data, "expr:"), "expr:\n"
                                                      "  and\n"
                                                      "    \"q\" exists\n"
                                                      "    \"q\" contains \"x\"\n");
    done(&c);
    load_pipe(&c, MATCHER_PIPE);
    apply(&c, "title: t\nlogsource: {product: zeek}\ndetection:\n  kw: [evil]\n  condition: kw\n");
    assert_non_null(c.out);
    assert_string_equal(strstr(c.dump.data, "expr:"), "expr:\n  <keyword> contains \"evil\"\n");
    done(&c);
}

/* placement: all with variants that name a threshold's fields differently:
 * every name, in variant order; a correlation over such a rule is refused. */
static void test_placement_all_agg_names(void **state) {
    (void)state;
    pctx c;
    load_pipe(&c, MATCHER_PIPE);
    apply(&c, RULE_HEAD "  sel:\n    Image|endswith: '\\x.exe'\n  condition: sel\n"
                        "threshold:\n  type: value_count\n  field: Image\n  group-by: [User, Image]\n"
                        "  timespan: 1m\n  condition: {gte: 3}\n");
    assert_non_null(c.out);
    assert_non_null(strstr(c.dump.data, "  field: \"Image\"|\"NewProcessName\"\n"
                                        "  group-by: \"User\" \"Image\"|\"NewProcessName\"\n"));
    assert_null(c.out->agg->group_by_any[0].items);
    assert_int_equal(c.out->agg->group_by_any[1].count, 2);
    done(&c);
    load_pipe(&c, MATCHER_PIPE);
    apply(&c, RULE_HEAD "  sel:\n    Image|endswith: '\\x.exe'\n  condition: sel\nname: base\n"
                        "---\n"
                        "title: many\nid: 11111111-2222-4333-8444-666666666666\n"
                        "correlation:\n  type: event_count\n  rules: [base]\n  group-by: [Image]\n"
                        "  timespan: 5m\n  condition: {gte: 3}\n");
    assert_null(c.out);
    assert_diag(&c, "pipeline", 13, 3, "group-by field 'Image' has different names in the log-source variants");
    done(&c);
}

static void test_matcher_keys_errors(void **state) {
    (void)state;
    pctx c;
    load_pipe(&c, "name: x\ntarget: c\nplacement: some\n");
    assert_null(c.pipe);
    assert_diag(&c, "pipeline", 3, 12, "'placement' must be first or all");
    done(&c);
    load_pipe(&c, "name: x\ntarget: c\nunplaced: ignore\n");
    assert_null(c.pipe);
    assert_diag(&c, "pipeline", 3, 11, "'unplaced' must be error or fields-only");
    done(&c);
    load_pipe(&c, "name: x\ntarget: c\nlogsources:\n  - match: {product: a}\n    fallback: maybe\n");
    assert_null(c.pipe);
    assert_diag(&c, "pipeline", 5, 15, "'fallback' must be true or false");
    done(&c);
    load_pipe(&c, "name: x\ntarget: c\nlogsources:\n  - match: {}\n");
    assert_null(c.pipe);
    assert_diag(&c, "pipeline", 4, 5, "only a fallback entry may match every rule");
    done(&c);
    load_pipe(&c, "name: x\ntarget: c\nevent-names: [a, b]\n");
    assert_null(c.pipe);
    assert_diag(&c, "pipeline", 3, 14, "'fields' must map Sigma fields to target fields");
    done(&c);
    load_pipe(&c, "name: x\ntarget: kql\nplacement: all\nlogsources:\n  - match: {product: a}\n    bag: B\n");
    assert_null(c.pipe);
    assert_diag(&c, "pipeline", 5, 1, "with 'placement: all' a logsources entry cannot have a prelude");
    done(&c);
}

/* `unpack: NAME` gives a log source the named unpacker's prelude and bag,
 * whether the unpackers come before or after the log sources. */
static void test_unpackers(void **state) {
    (void)state;
    pctx c;
    load_pipe(&c, "name: x\ntarget: kql\nlogsources:\n  - match: {category: a}\n    table: T\n    unpack: u\n"
                  "unpackers:\n  u:\n    prelude: ['extend B = parse_json(D)', 'where isnotempty(B)']\n    bag: B\n");
    apply(&c, "title: t\nlogsource: {category: a}\ndetection:\n  sel:\n    F: x\n  condition: sel\n");
    assert_non_null(c.out);
    assert_string_equal(strstr(c.dump.data, "prelude:"), "prelude: \"extend B = parse_json(D)\"\n"
                                                         "prelude: \"where isnotempty(B)\"\n"
                                                         "column: \"F\" from bag \"B\"\n"
                                                         "expr:\n"
                                                         "  \"F\" eq \"x\"\n");
    done(&c);
}

static void test_builtins_load(void **state) {
    (void)state;
    /* Every pipeline compiled into sigc loads without a diagnostic. */
    assert_true(sg_n_builtin_pipelines >= 7);
    for (size_t i = 0; i < sg_n_builtin_pipelines; i++) {
        pctx c;
        memset(&c, 0, sizeof c);
        sg_diags_init(&c.diags);
        sg_ruleset_init(&c.rs, NULL, &c.diags);
        sg_buf_init(&c.dump);
        const sg_builtin_pipeline *b = &sg_builtin_pipelines[i];
        sg_pipeline *p = sg_pipeline_load(&c.rs, b->name, b->data, b->len, true);
        if (!p || c.diags.count) fail_msg("built-in pipeline %s does not load cleanly", b->name);
        assert_true(sg_str_eq_cstr(p->name, b->name));
        done(&c);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_place_rename_conditions),
        cmocka_unit_test(test_strict_unmapped),
        cmocka_unit_test(test_not_placed),
        cmocka_unit_test(test_hashes_split),
        cmocka_unit_test(test_value_maps),
        cmocka_unit_test(test_value_maps_bool),
        cmocka_unit_test(test_computed_and_bag),
        cmocka_unit_test(test_members),
        cmocka_unit_test(test_unpackers),
        cmocka_unit_test(test_correlation_group_by),
        cmocka_unit_test(test_load_errors),
        cmocka_unit_test(test_placement_all_and_fallback),
        cmocka_unit_test(test_placement_all_agg_names),
        cmocka_unit_test(test_matcher_keys_errors),
        cmocka_unit_test(test_builtins_load),
    };
    return cmocka_run_group_tests_name("pipeline.c", tests, NULL, NULL);
}
