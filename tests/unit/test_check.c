/* test_check.c - unit tests of the lint checks (compiler/check.c).
 *
 * Every check gets one small rule that triggers it (asserting the check
 * id, line and column of the finding) and one that does not.  Rules are
 * compiled from strings through the real front end, then sg_check_run
 * runs over the set, as `sigc check` does.
 */
/* cmocka.h needs these first */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

/* ------------------------------------------------------------------ */
/* Helpers                                                              */

/* A file name of ordinary length, so filename_length stays quiet. */
#define FILE_A "rules/proc_creation_test_rule.yml"
#define FILE_B "other/proc_creation_test_rule.yml"

/* Lines 1-7 of most test rules; the detection starts on line 8. */
#define HEAD                                                                                       \
    "title: Test rule\n"                                                                           \
    "id: 5b6c1d2e-0f3a-4b5c-8d7e-9f0a1b2c3d4e\n"                                                   \
    "status: test\n"                                                                               \
    "logsource:\n"                                                                                 \
    "  category: process_creation\n"                                                               \
    "  product: windows\n"                                                                         \
    "detection:\n"

typedef struct fixture {
    sg_diags diags;
    sg_ruleset rs;
} fixture;

static void dump_diags(const sg_diags *d) {
    for (size_t i = 0; i < d->count; i++)
        fprintf(stderr, "  %s:%u:%u %s[%s] %s\n", d->items[i].loc.file ? d->items[i].loc.file : "",
                d->items[i].loc.line, d->items[i].loc.col, sg_severity_name(d->items[i].severity),
                sg_diag_table[d->items[i].id].id, d->items[i].message);
}

/* Compiles n files and runs the checks.  disable: a check id to switch
 * off first, or NULL.  The texts must compile without errors. */
static void load_files(fixture *f, size_t n, const char *const *names, const char *const *texts,
                       const char *disable) {
    sg_diags_init(&f->diags);
    if (disable) {
        sg_diag_id id = sg_diag_lookup(disable);
        assert_int_not_equal(id, SG_D__COUNT);
        f->diags.disabled[id] = true;
    }
    sg_ruleset_init(&f->rs, NULL, &f->diags);
    for (size_t i = 0; i < n; i++)
        sg_ruleset_add_file(&f->rs, names[i], texts[i], strlen(texts[i]));
    sg_ruleset_resolve(&f->rs);
    /* dangling_condition is the one finding the front end itself reports
     * as an error (a vacuous `all of x*` would widen the rule). */
    size_t dangling = 0;
    for (size_t i = 0; i < f->diags.count; i++)
        dangling += f->diags.items[i].id == SG_D_DANGLING_CONDITION;
    if (f->diags.by_severity[SG_SEV_ERROR] > dangling) {
        dump_diags(&f->diags);
        fail_msg("the test rule does not compile");
    }
    sg_check_run(&f->rs);
}

static void load(fixture *f, const char *text) {
    const char *names[] = {FILE_A};
    load_files(f, 1, names, &text, NULL);
}

static void unload(fixture *f) {
    sg_ruleset_free(&f->rs);
    sg_diags_free(&f->diags);
}

static size_t count_id(const fixture *f, const char *id) {
    size_t n = 0;
    for (size_t i = 0; i < f->diags.count; i++)
        n += strcmp(sg_diag_table[f->diags.items[i].id].id, id) == 0;
    return n;
}

/* The finding of check id at file:line:col, or a failure that lists
 * what was found. */
static const sg_diag *find_at(const fixture *f, const char *id, const char *file, uint32_t line,
                              uint32_t col) {
    for (size_t i = 0; i < f->diags.count; i++) {
        const sg_diag *d = &f->diags.items[i];
        if (strcmp(sg_diag_table[d->id].id, id) == 0 && d->loc.line == line && d->loc.col == col &&
            strcmp(d->loc.file, file) == 0)
            return d;
    }
    dump_diags(&f->diags);
    fail_msg("no %s finding at %s:%u:%u", id, file, line, col);
    return NULL;
}

/* text triggers exactly one finding of id, at line:col of FILE_A. */
static void expect_one(const char *text, const char *id, uint32_t line, uint32_t col) {
    fixture f;
    load(&f, text);
    if (count_id(&f, id) != 1) {
        dump_diags(&f.diags);
        fail_msg("expected one %s finding, got %zu", id, count_id(&f, id));
    }
    const sg_diag *d = find_at(&f, id, FILE_A, line, col);
    assert_int_equal(d->severity, sg_diag_table[d->id].severity);
    assert_true(d->severity != SG_SEV_ERROR || d->id == SG_D_DANGLING_CONDITION);
    unload(&f);
}

/* text triggers no finding of id. */
static void expect_none(const char *text, const char *id) {
    fixture f;
    load(&f, text);
    if (count_id(&f, id) != 0) {
        dump_diags(&f.diags);
        fail_msg("expected no %s finding, got %zu", id, count_id(&f, id));
    }
    unload(&f);
}

static void assert_message_has(const sg_diag *d, const char *part) {
    if (!strstr(d->message, part)) fail_msg("message '%s' does not contain '%s'", d->message, part);
}

/* ------------------------------------------------------------------ */
/* Conditions                                                           */

static void test_dangling_detection(void **state) {
    (void)state;
    expect_one(HEAD "  sel:\n"
                    "    Image: a.exe\n"
                    "  unused:\n"
                    "    Image: b.exe\n"
                    "  condition: sel\n",
               "dangling_detection", 10, 3);
    /* referenced by name, by pattern and by them */
    expect_none(HEAD "  sel:\n"
                     "    Image: a.exe\n"
                     "  filter_a:\n"
                     "    Image: b.exe\n"
                     "  condition: sel and not 1 of filter_*\n",
                "dangling_detection");
    expect_none(HEAD "  sel:\n"
                     "    Image: a.exe\n"
                     "  other:\n"
                     "    Image: b.exe\n"
                     "  condition: 1 of them\n",
                "dangling_detection");
}

/* Resolution of identifiers: prefix ranges, inner '*', private '_' names,
 * legacy `near`. */
static void test_dangling_detection_patterns(void **state) {
    (void)state;
    fixture f;
    load(&f, HEAD "  se:\n"
                  "    A: 1\n"
                  "  sel:\n"
                  "    A: 2\n"
                  "  sel_a:\n"
                  "    A: 3\n"
                  "  selb:\n"
                  "    A: 4\n"
                  "  x_mid_y:\n"
                  "    A: 5\n"
                  "  _private:\n"
                  "    A: 6\n"
                  "  condition: 1 of sel* or 1 of x*y or 1 of them\n");
    /* them covers se; x*y covers x_mid_y; only _private is left */
    assert_int_equal(count_id(&f, "dangling_detection"), 1);
    find_at(&f, "dangling_detection", FILE_A, 18, 3);
    unload(&f);
    load(&f, HEAD "  se:\n"
                  "    A: 1\n"
                  "  sel_a:\n"
                  "    A: 3\n"
                  "  _private:\n"
                  "    A: 6\n"
                  "  condition: 1 of sel* and not 1 of _p*\n");
    assert_int_equal(count_id(&f, "dangling_detection"), 1);
    find_at(&f, "dangling_detection", FILE_A, 8, 3);
    unload(&f);
}

static void test_dangling_condition(void **state) {
    (void)state;
    /* column of the pattern: "  condition: " is 13 characters, the pattern at offset 12 */
    expect_one(HEAD "  sel:\n"
                    "    Image: a.exe\n"
                    "  condition: sel or 1 of filter*\n",
               "dangling_condition", 10, 26);
    /* quoted: the quote counts */
    expect_one(HEAD "  sel:\n"
                    "    Image: a.exe\n"
                    "  condition: 'sel or 1 of x*'\n",
               "dangling_condition", 10, 27);
    expect_none(HEAD "  sel:\n"
                     "    Image: a.exe\n"
                     "  filter_x:\n"
                     "    Image: b.exe\n"
                     "  condition: sel and not 1 of filter*\n",
                "dangling_condition");
    /* them over private names only; a pattern with an inner '*' */
    expect_one(HEAD "  _sel:\n"
                    "    Image: a.exe\n"
                    "  condition: _sel or 1 of them\n",
               "dangling_condition", 10, 27);
    expect_one(HEAD "  sel_a:\n"
                    "    Image: a.exe\n"
                    "  condition: sel_a or 1 of s*b\n",
               "dangling_condition", 10, 28);
    expect_none(HEAD "  sel_ab:\n"
                     "    Image: a.exe\n"
                     "  condition: 1 of s*b\n",
                "dangling_condition");
}

static void test_them_single(void **state) {
    (void)state;
    expect_one(HEAD "  selection:\n"
                    "    Image: a.exe\n"
                    "  condition: 1 of them\n",
               "them_condition_with_single_detection", 10, 19);
    expect_none(HEAD "  selection:\n"
                     "    Image: a.exe\n"
                     "  filter:\n"
                     "    Image: b.exe\n"
                     "  condition: 1 of them\n",
                "them_condition_with_single_detection");
    expect_none(HEAD "  selection:\n"
                     "    Image: a.exe\n"
                     "  condition: selection\n",
                "them_condition_with_single_detection");
}

static void test_all_of_them(void **state) {
    (void)state;
    expect_one(HEAD "  sel_a:\n"
                    "    Image: a.exe\n"
                    "  sel_b:\n"
                    "    User: b\n"
                    "  condition: all  of them\n",
               "all_of_them_condition", 12, 14);
    expect_none(HEAD "  sel_a:\n"
                     "    Image: a.exe\n"
                     "  sel_b:\n"
                     "    User: b\n"
                     "  condition: all of sel_*\n",
                "all_of_them_condition");
}

/* ------------------------------------------------------------------ */
/* Log source                                                           */

#define SYSMON_HEAD                                                                                \
    "title: Test rule\n"                                                                           \
    "id: 5b6c1d2e-0f3a-4b5c-8d7e-9f0a1b2c3d4e\n"                                                   \
    "logsource:\n"                                                                                 \
    "  product: windows\n"                                                                         \
    "  service: sysmon\n"                                                                          \
    "detection:\n"                                                                                 \
    "  selection:\n"

static void test_specific_logsource(void **state) {
    (void)state;
    /* EventID 1: process_creation; located at the value, in a list too */
    expect_one(SYSMON_HEAD "    EventID: 1\n"
                           "  condition: selection\n",
               "specific_instead_of_generic_logsource", 8, 14);
    expect_one(SYSMON_HEAD "    EventID:\n"
                           "      - 4000\n"
                           "      - 255\n"
                           "  condition: selection\n",
               "specific_instead_of_generic_logsource", 10, 9);
    expect_one("title: Test rule\n"
               "id: 5b6c1d2e-0f3a-4b5c-8d7e-9f0a1b2c3d4e\n"
               "logsource:\n"
               "  product: windows\n"
               "  service: security\n"
               "detection:\n"
               "  selection:\n"
               "    EventID: 4688\n"
               "  condition: selection\n",
               "specific_instead_of_generic_logsource", 8, 14);
    /* a string, an id without a generic category, another service */
    expect_none(SYSMON_HEAD "    EventID: '1'\n"
                            "  condition: selection\n",
                "specific_instead_of_generic_logsource");
    expect_none(SYSMON_HEAD "    EventID: 30\n"
                            "  condition: selection\n",
                "specific_instead_of_generic_logsource");
    expect_none("title: Test rule\n"
                "id: 5b6c1d2e-0f3a-4b5c-8d7e-9f0a1b2c3d4e\n"
                "logsource:\n"
                "  product: windows\n"
                "  service: security\n"
                "detection:\n"
                "  selection:\n"
                "    EventID: 4624\n"
                "  condition: selection\n",
                "specific_instead_of_generic_logsource");
}

static void test_fieldname_logsource(void **state) {
    (void)state;
    expect_one("title: Test rule\n"
               "id: 5b6c1d2e-0f3a-4b5c-8d7e-9f0a1b2c3d4e\n"
               "logsource:\n"
               "  product: windows\n"
               "  servce: sysmon\n"
               "detection:\n"
               "  sel:\n"
               "    Image: a.exe\n"
               "  condition: sel\n",
               "fieldname_logsource", 5, 3);
    expect_none("title: Test rule\n"
                "id: 5b6c1d2e-0f3a-4b5c-8d7e-9f0a1b2c3d4e\n"
                "logsource:\n"
                "  product: windows\n"
                "  service: sysmon\n"
                "  definition: 'Requirements: Sysmon'\n"
                "detection:\n"
                "  sel:\n"
                "    Image: a.exe\n"
                "  condition: sel\n",
                "fieldname_logsource");
}

/* ------------------------------------------------------------------ */
/* Metadata                                                             */

#define BODY                                                                                       \
    "logsource:\n"                                                                                 \
    "  category: process_creation\n"                                                               \
    "  product: windows\n"                                                                         \
    "detection:\n"                                                                                 \
    "  sel:\n"                                                                                     \
    "    Image: a.exe\n"                                                                           \
    "  condition: sel\n"

static void test_identifier_existence(void **state) {
    (void)state;
    expect_one("title: Test rule\n" BODY, "identifier_existence", 1, 1);
    expect_none("title: Test rule\n"
                "id: 5b6c1d2e-0f3a-4b5c-8d7e-9f0a1b2c3d4e\n" BODY,
                "identifier_existence");
}

static void test_identifier_uniqueness(void **state) {
    (void)state;
    const char *names[] = {FILE_A, "rules/proc_creation_second_rule.yml"};
    const char *same[] = {"title: One\nid: 5b6c1d2e-0f3a-4b5c-8d7e-9f0a1b2c3d4e\n" BODY,
                          "title: Two\n\nid: 5B6C1D2E-0F3A-4B5C-8D7E-9F0A1B2C3D4E\n" BODY};
    fixture f;
    load_files(&f, 2, names, same, NULL);
    assert_int_equal(count_id(&f, "identifier_uniqueness"), 2);
    assert_message_has(find_at(&f, "identifier_uniqueness", names[0], 2, 5),
                       "rules/proc_creation_second_rule.yml:3");
    assert_message_has(find_at(&f, "identifier_uniqueness", names[1], 3, 5), FILE_A ":2");
    unload(&f);

    const char *differ[] = {"title: One\nid: 5b6c1d2e-0f3a-4b5c-8d7e-9f0a1b2c3d4e\n" BODY,
                            "title: Two\nid: 6b6c1d2e-0f3a-4b5c-8d7e-9f0a1b2c3d4e\n" BODY};
    load_files(&f, 2, names, differ, NULL);
    assert_int_equal(count_id(&f, "identifier_uniqueness"), 0);
    unload(&f);
}

static void test_duplicate_title(void **state) {
    (void)state;
    const char *names[] = {FILE_A, FILE_B};
    const char *same[] = {"title: Same title\nid: 5b6c1d2e-0f3a-4b5c-8d7e-9f0a1b2c3d4e\n" BODY,
                          "id: 6b6c1d2e-0f3a-4b5c-8d7e-9f0a1b2c3d4e\ntitle: Same title\n" BODY};
    fixture f;
    load_files(&f, 2, names, same, NULL);
    assert_int_equal(count_id(&f, "duplicate_title"), 2);
    assert_message_has(find_at(&f, "duplicate_title", FILE_A, 1, 8), FILE_B ":2");
    assert_message_has(find_at(&f, "duplicate_title", FILE_B, 2, 8), FILE_A ":1");
    unload(&f);

    const char *differ[] = {"title: Same title\nid: 5b6c1d2e-0f3a-4b5c-8d7e-9f0a1b2c3d4e\n" BODY,
                            "title: Same Title\nid: 6b6c1d2e-0f3a-4b5c-8d7e-9f0a1b2c3d4e\n" BODY};
    load_files(&f, 2, names, differ, NULL);
    assert_int_equal(count_id(&f, "duplicate_title"), 0);
    unload(&f);
}

static void test_duplicate_references(void **state) {
    (void)state;
    expect_one("title: Test rule\n"
               "id: 5b6c1d2e-0f3a-4b5c-8d7e-9f0a1b2c3d4e\n"
               "references:\n"
               "  - https://example.org/a\n"
               "  - https://example.org/b\n"
               "  - https://example.org/a\n" BODY,
               "duplicate_references", 6, 5);
    expect_none("title: Test rule\n"
                "id: 5b6c1d2e-0f3a-4b5c-8d7e-9f0a1b2c3d4e\n"
                "references:\n"
                "  - https://example.org/a\n"
                "  - https://example.org/A\n" BODY,
                "duplicate_references");
}

static void test_duplicate_filename(void **state) {
    (void)state;
    const char *names[] = {FILE_A, FILE_B};
    const char *texts[] = {"title: One\nid: 5b6c1d2e-0f3a-4b5c-8d7e-9f0a1b2c3d4e\n" BODY,
                           "title: Two\nid: 6b6c1d2e-0f3a-4b5c-8d7e-9f0a1b2c3d4e\n" BODY};
    fixture f;
    load_files(&f, 2, names, texts, NULL);
    assert_int_equal(count_id(&f, "duplicate_filename"), 2);
    assert_message_has(find_at(&f, "duplicate_filename", FILE_A, 0, 0), FILE_B);
    assert_message_has(find_at(&f, "duplicate_filename", FILE_B, 0, 0), FILE_A);
    unload(&f);

    const char *other[] = {FILE_A, "rules/proc_creation_other_rule.yml"};
    load_files(&f, 2, other, texts, NULL);
    assert_int_equal(count_id(&f, "duplicate_filename"), 0);
    unload(&f);
}

static void test_filename_length(void **state) {
    (void)state;
    const char *text = "title: One\nid: 5b6c1d2e-0f3a-4b5c-8d7e-9f0a1b2c3d4e\n" BODY;
    const char *short_name[] = {"rules/t.yml"};
    fixture f;
    load_files(&f, 1, short_name, &text, NULL);
    assert_int_equal(count_id(&f, "filename_length"), 1);
    find_at(&f, "filename_length", short_name[0], 0, 0);
    unload(&f);

    const char *long_name[] = {
        "r/proc_creation_win_a_very_long_file_name_that_goes_on_and_on_and_on_and_on_"
        "and_on_and_on.yml"}; /* 91 characters */
    assert_int_equal(strlen(long_name[0]) - 2, 91);
    load_files(&f, 1, long_name, &text, NULL);
    assert_int_equal(count_id(&f, "filename_length"), 1);
    unload(&f);

    /* exactly 10 characters, and a normal one */
    const char *ok_names[] = {"abcdef.yml", FILE_A};
    const char *texts[] = {text, "title: Two\nid: 6b6c1d2e-0f3a-4b5c-8d7e-9f0a1b2c3d4e\n" BODY};
    load_files(&f, 2, ok_names, texts, NULL);
    assert_int_equal(count_id(&f, "filename_length"), 0);
    unload(&f);
}

static void test_custom_attributes(void **state) {
    (void)state;
    expect_one("title: Test rule\n"
               "id: 5b6c1d2e-0f3a-4b5c-8d7e-9f0a1b2c3d4e\n"
               "realted:\n"
               "  - id: 6b6c1d2e-0f3a-4b5c-8d7e-9f0a1b2c3d4e\n"
               "    type: derived\n" BODY,
               "custom_attributes", 3, 1);
    expect_none("title: Test rule\n"
                "id: 5b6c1d2e-0f3a-4b5c-8d7e-9f0a1b2c3d4e\n"
                "related:\n"
                "  - id: 6b6c1d2e-0f3a-4b5c-8d7e-9f0a1b2c3d4e\n"
                "    type: derived\n" BODY,
                "custom_attributes");
}

/* ------------------------------------------------------------------ */
/* Modifiers                                                            */

static void test_invalid_modifier_combinations(void **state) {
    (void)state;
    /* all without contains, at the key */
    expect_one(HEAD "  sel:\n"
                    "    CommandLine|all:\n"
                    "      - a\n"
                    "      - b\n"
                    "  condition: sel\n",
               "invalid_modifier_combinations", 9, 5);
    /* base64offset without contains */
    expect_one(HEAD "  sel:\n"
                    "    CommandLine|base64offset: abc\n"
                    "  condition: sel\n",
               "invalid_modifier_combinations", 9, 5);
    /* windash with all (contains is there, so only this one) */
    expect_one(HEAD "  sel:\n"
                    "    CommandLine|windash|contains|all:\n"
                    "      - ' -a'\n"
                    "      - ' -b'\n"
                    "  condition: sel\n",
               "invalid_modifier_combinations", 9, 5);
    /* a repeated modifier */
    fixture f;
    load(&f, HEAD "  sel:\n"
                  "    CommandLine|contains|contains: abc\n"
                  "  condition: sel\n");
    assert_int_equal(count_id(&f, "invalid_modifier_combinations"), 1);
    assert_message_has(find_at(&f, "invalid_modifier_combinations", FILE_A, 9, 5),
                       "'contains' applied more than once");
    unload(&f);
    expect_none(HEAD "  sel:\n"
                     "    CommandLine|contains|all:\n"
                     "      - a\n"
                     "      - b\n"
                     "    Payload|base64|base64: x\n"
                     "    Data|base64offset|contains: abc\n"
                     "    '|all':\n"
                     "      - k1\n"
                     "      - k2\n"
                     "  condition: sel\n",
                "invalid_modifier_combinations");
}

static void test_invalid_all_modifier(void **state) {
    (void)state;
    expect_one(HEAD "  sel:\n"
                    "    CommandLine|contains|all: abc\n"
                    "  condition: sel\n",
               "sigmahq_invalid_all_modifier", 9, 5);
    expect_none(HEAD "  sel:\n"
                     "    CommandLine|contains|all: [abc, def]\n"
                     "  condition: sel\n",
                "sigmahq_invalid_all_modifier");
}

/* ------------------------------------------------------------------ */
/* Tags                                                                 */

/* A rule whose tags are `tags` (a YAML list body); the first tag is on line 4, column 7. */
static char *rule_with_tags(const char *tags) {
    static char buf[2048];
    snprintf(buf, sizeof buf,
             "title: Test rule\n"
             "id: 5b6c1d2e-0f3a-4b5c-8d7e-9f0a1b2c3d4e\n"
             "tags:\n"
             "%s" BODY,
             tags);
    return buf;
}

static void tag_case(const char *id, const char *bad, const char *good) {
    char line[256];
    snprintf(line, sizeof line, "    - %s\n", bad);
    expect_one(rule_with_tags(line), id, 4, 7);
    snprintf(line, sizeof line, "    - %s\n", good);
    expect_none(rule_with_tags(line), id);
}

static void test_tag_format(void **state) {
    (void)state;
    tag_case("tag_format", "attack.T1059", "attack.t1059.001");
    tag_case("tag_format", "attack.t1059 x", "detection.threat-hunting");
}

static void test_namespace_tag(void **state) {
    (void)state;
    tag_case("namespace_tag", "foo.bar", "car.2016-04-005");
}

static void test_attack_tag(void **state) {
    (void)state;
    tag_case("attacktag", "attack.t9999", "attack.t1059.001");
    tag_case("attacktag", "attack.execution-x", "attack.execution");
    tag_case("attacktag", "attack.T1059", "attack.g0016");
}

static void test_d3fend_tag(void **state) {
    (void)state;
    tag_case("d3_fendtag", "d3fend.d3-nosuch", "d3fend.d3-am");
    tag_case("d3_fendtag", "d3fend.d3f-accesstoken", "d3fend.d3f-AccessToken");
}

static void test_car_tag(void **state) {
    (void)state;
    tag_case("cartag", "car.2016-04-05", "car.2016-04-005");
}

static void test_cve_tag(void **state) {
    (void)state;
    tag_case("cvetag", "cve.2021.44228", "cve.2021-44228");
}

static void test_detection_tag(void **state) {
    (void)state;
    tag_case("detection_tag", "detection.hunting", "detection.emerging-threats");
}

static void test_stp_tag(void **state) {
    (void)state;
    tag_case("stptag", "stp.6", "stp.3k");
    tag_case("stptag", "stp.3x", "stp.1");
}

static void test_tlp_tags(void **state) {
    (void)state;
    tag_case("tlpv1_tag", "tlp.clear", "tlp.white");
    tag_case("tlpv2_tag", "tlp.white", "tlp.amber-strict");
    tag_case("tlptag", "tlp.purple", "tlp.white");
    expect_none(rule_with_tags("    - tlp.clear\n"), "tlptag");
}

static void test_duplicate_tag(void **state) {
    (void)state;
    expect_one(rule_with_tags("    - attack.execution\n"
                              "    - attack.t1059\n"
                              "    - attack.execution\n"),
               "duplicate_tag", 6, 7);
    expect_none(rule_with_tags("    - attack.execution\n"
                               "    - attack.t1059\n"),
                "duplicate_tag");
}

/* ------------------------------------------------------------------ */
/* Values                                                               */

static void test_double_wildcard(void **state) {
    (void)state;
    expect_one(HEAD "  sel:\n"
                    "    Image: 'C:\\Temp\\x**.exe'\n"
                    "  condition: sel\n",
               "double_wildcard", 9, 12);
    /* contains does not add a second '*' to '*a' */
    expect_none(HEAD "  sel:\n"
                     "    Image|contains: '*a'\n"
                     "    CommandLine: 'a*b*c'\n"
                     "  condition: sel\n",
                "double_wildcard");
}

static void test_number_as_string(void **state) {
    (void)state;
    expect_one(HEAD "  sel:\n"
                    "    Image: a.exe\n"
                    "    Port:\n"
                    "      - 80\n"
                    "      - '443'\n"
                    "  condition: sel\n",
               "number_as_string", 12, 9);
    expect_one(HEAD "  sel:\n"
                    "    Code: \"-1_000\"\n"
                    "  condition: sel\n",
               "number_as_string", 9, 11);
    /* a YAML number, a space, a hex text, and contains (the value becomes *443*) */
    expect_none(HEAD "  sel:\n"
                     "    Port: 443\n"
                     "    Code: '12 34'\n"
                     "    Flags: '0x10'\n"
                     "    Data|contains: '443'\n"
                     "  condition: sel\n",
                "number_as_string");
}

static void test_control_character(void **state) {
    (void)state;
    expect_one(HEAD "  sel:\n"
                    "    Image: \"C:\\temp\\a.exe\"\n"
                    "  condition: sel\n",
               "control_character", 9, 12);
    /* single quotes keep the backslash; wide's NUL bytes are intended */
    expect_none(HEAD "  sel:\n"
                     "    Image: 'C:\\temp\\a.exe'\n"
                     "    Data|wide|contains: cmd\n"
                     "  condition: sel\n",
                "control_character");
}

static void test_wildcards_instead_of_modifiers(void **state) {
    (void)state;
    fixture f;
    load(&f, HEAD "  sel:\n"
                  "    CommandLine: '*foo*'\n"
                  "    Image:\n"
                  "      - '*\\a.exe'\n"
                  "      - '*\\b.exe'\n"
                  "    ParentImage: 'C:\\Windows*'\n"
                  "  keywords:\n"
                  "    - '*x*'\n"
                  "    - '*y*'\n"
                  "  condition: sel or keywords\n");
    assert_int_equal(count_id(&f, "wildcards_instead_of_modifiers"), 4);
    assert_message_has(find_at(&f, "wildcards_instead_of_modifiers", FILE_A, 9, 18), "'contains'");
    assert_message_has(find_at(&f, "wildcards_instead_of_modifiers", FILE_A, 11, 7), "'endswith'");
    assert_message_has(find_at(&f, "wildcards_instead_of_modifiers", FILE_A, 13, 18),
                       "'startswith'");
    assert_message_has(find_at(&f, "wildcards_instead_of_modifiers", FILE_A, 15, 5), "'contains'");
    unload(&f);
    /* a lone '*', an inner wildcard, the modifier present, a value without
     * the shape among others, regular expressions */
    expect_none(HEAD "  sel:\n"
                     "    CommandLine: '*'\n"
                     "    Image: '*\\a*.exe'\n"
                     "    ParentImage|endswith: '*\\b.exe'\n"
                     "    User:\n"
                     "      - '*adm*'\n"
                     "      - root\n"
                     "    Path|re: '.*x.*'\n"
                     "  condition: sel\n",
                "wildcards_instead_of_modifiers");
}

static void test_escaped_wildcard(void **state) {
    (void)state;
    expect_one(HEAD "  sel:\n"
                    "    CommandLine|contains: 'a\\*b'\n"
                    "  condition: sel\n",
               "escaped_wildcard", 9, 27);
    /* wildcards proper; base64 hides the literal '*'; regex */
    expect_none(HEAD "  sel:\n"
                     "    CommandLine|contains: 'a*b'\n"
                     "    Data|base64: 'a\\*b'\n"
                     "    Path|re: 'a\\*b'\n"
                     "  condition: sel\n",
                "escaped_wildcard");
}

/* ------------------------------------------------------------------ */
/* Disabling, and a clean rule                                          */

static void test_disabled_check(void **state) {
    (void)state;
    const char *text = HEAD "  sel:\n"
                            "    CommandLine|contains: 'a\\*b'\n"
                            "    Port: '443'\n"
                            "  condition: sel\n";
    const char *names[] = {FILE_A};
    fixture f;
    load_files(&f, 1, names, &text, NULL);
    assert_int_equal(count_id(&f, "escaped_wildcard"), 1);
    assert_int_equal(count_id(&f, "number_as_string"), 1);
    unload(&f);
    load_files(&f, 1, names, &text, "escaped_wildcard");
    assert_int_equal(count_id(&f, "escaped_wildcard"), 0);
    assert_int_equal(count_id(&f, "number_as_string"), 1);
    unload(&f);
}

static void test_clean_rule(void **state) {
    (void)state;
    fixture f;
    load(&f, "title: Clean rule\n"
             "id: 5b6c1d2e-0f3a-4b5c-8d7e-9f0a1b2c3d4e\n"
             "status: test\n"
             "references:\n"
             "  - https://example.org/a\n"
             "tags:\n"
             "  - attack.execution\n"
             "  - attack.t1059.001\n"
             "  - detection.threat-hunting\n"
             "logsource:\n"
             "  category: process_creation\n"
             "  product: windows\n"
             "detection:\n"
             "  selection:\n"
             "    Image|endswith: '\\powershell.exe'\n"
             "    CommandLine|contains|all:\n"
             "      - ' -enc '\n"
             "      - ' -nop '\n"
             "  filter_main:\n"
             "    User: SYSTEM\n"
             "  condition: selection and not 1 of filter_main*\n"
             "level: high\n");
    if (f.diags.count) {
        dump_diags(&f.diags);
        fail_msg("a clean rule has findings");
    }
    unload(&f);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dangling_detection),
        cmocka_unit_test(test_dangling_detection_patterns),
        cmocka_unit_test(test_dangling_condition),
        cmocka_unit_test(test_them_single),
        cmocka_unit_test(test_all_of_them),
        cmocka_unit_test(test_specific_logsource),
        cmocka_unit_test(test_fieldname_logsource),
        cmocka_unit_test(test_identifier_existence),
        cmocka_unit_test(test_identifier_uniqueness),
        cmocka_unit_test(test_duplicate_title),
        cmocka_unit_test(test_duplicate_references),
        cmocka_unit_test(test_duplicate_filename),
        cmocka_unit_test(test_filename_length),
        cmocka_unit_test(test_custom_attributes),
        cmocka_unit_test(test_invalid_modifier_combinations),
        cmocka_unit_test(test_invalid_all_modifier),
        cmocka_unit_test(test_tag_format),
        cmocka_unit_test(test_namespace_tag),
        cmocka_unit_test(test_attack_tag),
        cmocka_unit_test(test_d3fend_tag),
        cmocka_unit_test(test_car_tag),
        cmocka_unit_test(test_cve_tag),
        cmocka_unit_test(test_detection_tag),
        cmocka_unit_test(test_stp_tag),
        cmocka_unit_test(test_tlp_tags),
        cmocka_unit_test(test_duplicate_tag),
        cmocka_unit_test(test_double_wildcard),
        cmocka_unit_test(test_number_as_string),
        cmocka_unit_test(test_control_character),
        cmocka_unit_test(test_wildcards_instead_of_modifiers),
        cmocka_unit_test(test_escaped_wildcard),
        cmocka_unit_test(test_disabled_check),
        cmocka_unit_test(test_clean_rule),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
