/* test_matcher.c - the standalone C matcher's runtime (backends/matcher/),
 * driven through the tables of the C backend (backends/c.c).
 *
 * Each test compiles YAML text the way test_kql.c does (sg_ruleset_add_file
 * + sg_ruleset_resolve, no pipeline: field names stay as written), builds
 * the tables with c_build_tables, runs an engine over JSON lines held in
 * memory and compares a compact summary of what fired:
 *
 *   "title@LINE"                      a detection matched the event of LINE
 *   "title@LINE{g=v,...}n=COUNT"      an aggregation fired at the event of
 *                                     LINE, or (a window judged when it
 *                                     closed) LINE is its last event
 *   "[late=1 evicted=2 ...]"          non-zero engine counters, at the end
 *   "BUILD-ERROR"                     c_build_tables refused the rules
 *
 * Event time comes from the field `ts` (one of the tables' default time
 * fields), a number of seconds since 1970.
 *
 * Window edges (the engine's rule, asserted below): a window of T seconds
 * is closed on both ends.  Sliding ("immediate") aggregations keep the
 * events with t >= newest - T, so two events exactly T apart count
 * together; an event with t < newest - T is late (counted, dropped).
 * Aggregations tested when their window closes (value_sum/avg/percentile/
 * median, lt/lte/eq/neq counts, temporal with `not`) open a window at a
 * group's first event t0 and take the events with t <= t0 + T.  The Sigma
 * specification (/work/shared/docs/sigma-conformance.md 5.2) only says
 * "within the timespan"; it does not settle the edge, so inclusive is
 * sigc's choice.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "c.h"
#include "matcher/sgm_impl.h"
#include "rule.h"

/* ------------------------------------------------------------------ */
/* Helpers                                                              */

/* A detection rule's head; the detection body follows. */
#define DET(title) "title: " title "\nlogsource: {product: test}\ndetection:\n"
/* The same with a name, for correlations. */
#define NDET(title) "title: " title "\nname: " title "\nlogsource: {product: test}\ndetection:\n"

typedef struct run_opts {
    size_t max_groups, max_entries;
    uint64_t regex_match_limit;
    bool no_dispatch; /* test every rule on every event, as without log-source dispatch */
    bool no_prefilter; /* test rules whose literals are not in the event too */
    /* the index: 0 built by the engine (sgm_engine_new, as `sigc match`);
     * INDEX_PREBUILT built beforehand and handed over, as a generated
     * matcher has it (built twice: the two must be the same);
     * INDEX_DAMAGED the same with one bit of it changed, and --check-index */
    int index;
} run_opts;

enum { INDEX_ENGINE, INDEX_PREBUILT, INDEX_DAMAGED };

static char *g_last; /* the last result, freed by the next run or the teardown */

static void print_diags(const sg_diags *d) {
    for (size_t i = 0; i < d->count; i++) {
        const sg_diag *x = &d->items[i];
        print_message("  %s:%u:%u: %s[%s]: %s\n", x->loc.file, x->loc.line, x->loc.col, sg_severity_name(x->severity),
                      sg_diag_table[x->id].id, x->message);
    }
}

/* Where the value after key (e.g. `"title":"`) starts in an output line;
 * the tests use titles and group values without escapes. */
static const char *field_after(const char *line, const char *key) {
    const char *p = strstr(line, key);
    return p ? p + strlen(key) : NULL;
}

/* One output line (NUL-terminated) to its compact form, appended to out. */
static void summarize_line(const char *line, sg_buf *out) {
    const char *t = field_after(line, "\"title\":\"");
    if (!t) {
        sg_buf_add_cstr(out, "?");
        return;
    }
    if (out->len) sg_buf_add_byte(out, ' ');
    while (*t && *t != '"') sg_buf_add_byte(out, *t++);
    sg_buf_add_byte(out, '@');
    const char *l = field_after(line, "\"line\":");
    while (l && *l >= '0' && *l <= '9') sg_buf_add_byte(out, *l++);
    const char *g = field_after(line, "\"group\":{");
    if (g) {
        sg_buf_add_byte(out, '{');
        for (; *g && *g != '}'; g++) {
            if (*g == '"') continue;
            sg_buf_add_byte(out, *g == ':' ? '=' : *g);
        }
        sg_buf_add_byte(out, '}');
        const char *c = field_after(line, "\"count\":");
        sg_buf_add_cstr(out, "n=");
        while (c && *c && *c != ',' && *c != '}') sg_buf_add_byte(out, *c++);
    }
}

static void add_counter(sg_buf *out, bool *open, const char *name, uint64_t v) {
    if (!v) return;
    sg_buf_printf(out, "%s%s=%llu", *open ? " " : (out->len ? " [" : "["), name, (unsigned long long)v);
    *open = true;
}

/* The IR of the detections of yaml (rs and diags initialized here, freed
 * by the caller); *n of them. */
static const sg_ir_rule **front_end(const char *yaml, sg_ruleset *rs, sg_diags *diags, size_t *n) {
    sg_diags_init(diags);
    sg_ruleset_init(rs, NULL, diags);
    int add_rc = sg_ruleset_add_file(rs, "r.yml", yaml, strlen(yaml));
    int res_rc = sg_ruleset_resolve(rs);
    if (add_rc || res_rc || diags->by_severity[SG_SEV_ERROR]) {
        print_diags(diags);
        sg_ruleset_free(rs);
        sg_diags_free(diags);
        fail_msg("the front end reported errors");
    }
    const sg_ir_rule **irs = calloc(rs->n_rules + 1, sizeof *irs);
    assert_non_null(irs);
    *n = 0;
    for (size_t i = 0; i < rs->n_rules; i++) {
        const sg_rule *r = rs->rules[i];
        if (r->kind == SG_RULE_FILTER || r->ir->suppressed) continue;
        irs[(*n)++] = r->ir;
    }
    return irs;
}

static const char *run_with(const char *yaml, const char *events, const run_opts *ro) {
    free(g_last);
    g_last = NULL;
    sg_diags diags;
    sg_ruleset rs;
    size_t n;
    const sg_ir_rule **irs = front_end(yaml, &rs, &diags, &n);
    sg_arena *arena = sg_arena_new();
    sgm_tables t;
    sg_buf res;
    sg_buf_init(&res);
    int built = c_build_tables(arena, &diags, irs, n, &t);
    if (ro && ro->no_dispatch) t.dispatch_field = SGM_NONE;
    if (built != 0) {
        sg_buf_add_cstr(&res, "BUILD-ERROR");
    } else {
        char *out_text = NULL, *err_text = NULL;
        size_t out_len = 0, err_len = 0;
        FILE *out = open_memstream(&out_text, &out_len);
        FILE *err = open_memstream(&err_text, &err_len);
        assert_non_null(out);
        assert_non_null(err);
        sgm_options o;
        sgm_options_default(&o);
        o.summary = false;
        o.with_event = false;
        o.out = out;
        o.err = err;
        o.prog = "test";
        if (ro && ro->max_groups) o.max_groups = ro->max_groups;
        if (ro && ro->max_entries) o.max_entries = ro->max_entries;
        if (ro && ro->regex_match_limit) o.regex_match_limit = ro->regex_match_limit;
        if (ro) o.no_prefilter = ro->no_prefilter;
        char msg[256];
        sgm_index pre, again;
        uint64_t *damaged = NULL;
        int index = ro ? ro->index : INDEX_ENGINE;
        if (index != INDEX_ENGINE) {
            assert_true(sgm_tables_check(&t, msg, sizeof msg));
            assert_true(sgm_index_build(&t, &pre));
            assert_true(sgm_index_build(&t, &again));
            assert_null(sgm_index_diff(&t, &pre, &again));
            sgm_index_release(&again);
        }
        if (index == INDEX_DAMAGED) { /* one bit of the (gram, field) filter */
            size_t words = ((size_t)1 << SGM_FIELD_GRAM_LOG2) / 64;
            damaged = malloc(words * sizeof *damaged);
            assert_non_null(damaged);
            assert_non_null(pre.field_grams);
            memcpy(damaged, pre.field_grams, words * sizeof *damaged);
            damaged[words / 2] ^= 1;
            free((void *)pre.field_grams);
            pre.field_grams = damaged;
            o.check_index = true;
        }
        sgm_engine *e = index == INDEX_ENGINE ? sgm_engine_new(&t, &o, msg, sizeof msg)
                                              : sgm_engine_new_indexed(&t, &pre, &o, msg, sizeof msg);
        if (!e) {
            sg_buf_printf(&res, "ENGINE-ERROR %s", msg);
            if (index != INDEX_ENGINE) sgm_index_release(&pre);
        } else {
            sgm_engine_scan_buffer(e, "ev.json", events, strlen(events));
            sgm_engine_finish(e);
            sgm_stats st = e->st;
            sgm_engine_free(e);
            if (index != INDEX_ENGINE) sgm_index_release(&pre); /* the engine only read it */
            fclose(out);
            out = NULL;
            for (char *line = out_text, *nl; line && *line; line = nl + 1) {
                nl = strchr(line, '\n');
                if (!nl) break;
                *nl = 0;
                summarize_line(line, &res);
            }
            bool open = false;
            add_counter(&res, &open, "late", st.late_events);
            add_counter(&res, &open, "evicted", st.evicted_groups);
            add_counter(&res, &open, "dropped", st.dropped_entries);
            add_counter(&res, &open, "regex", st.regex_limit);
            add_counter(&res, &open, "malformed", st.malformed);
            if (open) sg_buf_add_byte(&res, ']');
        }
        if (out) fclose(out);
        fclose(err);
        if (err_len) print_message("matcher stderr:\n%s", err_text);
        free(out_text);
        free(err_text);
    }
    if (diags.by_severity[SG_SEV_ERROR]) print_diags(&diags);
    g_last = malloc(res.len + 1);
    assert_non_null(g_last);
    if (res.len) memcpy(g_last, res.data, res.len);
    g_last[res.len] = 0;
    sg_buf_free(&res);
    sg_arena_free(arena);
    free(irs);
    sg_ruleset_free(&rs);
    sg_diags_free(&diags);
    return g_last;
}

static const char *run(const char *yaml, const char *events) { return run_with(yaml, events, NULL); }

static int teardown_all(void **state) {
    (void)state;
    free(g_last);
    g_last = NULL;
    return 0;
}

/* ------------------------------------------------------------------ */
/* Constructs                                                           */

static void test_eq_case_insensitive(void **state) {
    (void)state;
    const char *r = DET("eq") "  sel:\n    User: Admin\n  condition: sel\n";
    assert_string_equal(run(r, "{\"User\":\"Admin\"}\n"
                               "{\"User\":\"aDMIN\"}\n"
                               "{\"User\":\"Admin2\"}\n"
                               "{\"User\":\"Adm\"}\n"
                               "{\"Other\":\"Admin\"}\n"),
                        "eq@1 eq@2");
}

static void test_cased(void **state) {
    (void)state;
    const char *r = DET("cased") "  sel:\n    User|cased: Admin\n  condition: sel\n";
    assert_string_equal(run(r, "{\"User\":\"admin\"}\n{\"User\":\"Admin\"}\n{\"User\":\"ADMIN\"}\n"), "cased@2");
    /* cased substring */
    r = DET("cc") "  sel:\n    Cmd|cased|contains: Evil\n  condition: sel\n";
    assert_string_equal(run(r, "{\"Cmd\":\"an evil one\"}\n{\"Cmd\":\"an Evil one\"}\n"), "cc@2");
}

static void test_wildcards(void **state) {
    (void)state;
    const char *r = DET("glob") "  sel:\n    Cmd: 'a*b?c'\n  condition: sel\n";
    assert_string_equal(run(r, "{\"Cmd\":\"aXXbYc\"}\n"   /* 1 yes */
                               "{\"Cmd\":\"abYc\"}\n"     /* 2 yes: * may be empty */
                               "{\"Cmd\":\"abc\"}\n"      /* 3 no: ? needs one character */
                               "{\"Cmd\":\"aXbYYc\"}\n"   /* 4 no */
                               "{\"Cmd\":\"AxB\xc3\xa9\x43\"}\n" /* 5 yes: ? is one UTF-8 character, any case */
                               "{\"Cmd\":\"aXbYcZ\"}\n"), /* 6 no: whole value */
                        "glob@1 glob@2 glob@5");
    /* `?` is one character even when a star before it backtracks: two `?`
     * never match the bytes of one 3-byte character (the euro sign) */
    r = DET("q2") "  sel:\n    Cmd: '*??Zq'\n  condition: sel\n";
    assert_string_equal(run(r, "{\"Cmd\":\"\xe2\x82\xacZq\"}\n{\"Cmd\":\"a\xe2\x82\xacZq\"}\n"
                               "{\"Cmd\":\"\xe2\x82\xac\xe2\x82\xacZq\"}\n{\"Cmd\":\"xZq\"}\n"),
                        "q2@2 q2@3");
    /* an escaped star is literal */
    r = DET("lit") "  sel:\n    Cmd: 'x\\*y'\n  condition: sel\n";
    assert_string_equal(run(r, "{\"Cmd\":\"xzy\"}\n{\"Cmd\":\"x*y\"}\n{\"Cmd\":\"xy\"}\n"), "lit@2");
    /* a backslash before an ordinary character is itself; `\\*` is a
     * literal backslash then a wildcard; `\*` after text is a literal star */
    r = DET("bs") "  sel:\n    Image: 'C:\\Win\\\\*.exe'\n  condition: sel\n"
        "---\n" DET("bstar") "  sel:\n    Image: 'C:\\Win\\*.exe'\n  condition: sel\n";
    assert_string_equal(run(r, "{\"Image\":\"C:\\\\Win\\\\cmd.exe\"}\n"  /* bs */
                               "{\"Image\":\"C:\\\\Win\\\\cmd.dll\"}\n"
                               "{\"Image\":\"C:\\\\Wincmd.exe\"}\n"
                               "{\"Image\":\"C:\\\\Win*.exe\"}\n"),         /* bstar */
                        "bs@1 bstar@4");
}

static void test_contains_startswith_endswith(void **state) {
    (void)state;
    const char *r = DET("c") "  sel:\n    Cmd|contains: EVIL\n  condition: sel\n"
                    "---\n" DET("s") "  sel:\n    Cmd|startswith: 'run '\n  condition: sel\n"
                    "---\n" DET("e") "  sel:\n    Cmd|endswith: '.EXE'\n  condition: sel\n";
    assert_string_equal(run(r, "{\"Cmd\":\"my evil thing\"}\n"  /* c */
                               "{\"Cmd\":\"RUN it.exe\"}\n"     /* s e */
                               "{\"Cmd\":\"ev il\"}\n"          /* none */
                               "{\"Cmd\":\"x run y.exe z\"}\n"  /* none */
                               "{\"Cmd\":\"run\"}\n"),          /* none: shorter than 'run ' */
                        "c@1 s@2 e@2");
    /* a wildcard inside contains */
    r = DET("cw") "  sel:\n    Cmd|contains: 'a*z'\n  condition: sel\n";
    assert_string_equal(run(r, "{\"Cmd\":\"xxaBBzyy\"}\n{\"Cmd\":\"zzza\"}\n"), "cw@1");
}

/* Value lists of four or more items are looked up in hash sets (value
 * sets, sgm_index.c): equals, cased or not, startswith and endswith with
 * 8- and 4-byte edges; items too short for a set, and items of another
 * operator, tested one by one in the same OR; value lists under a NOT
 * (their steps swap where they go on to).  Run with the index built by
 * the engine and built beforehand (as a generated matcher has it). */
static void test_value_sets(void **state) {
    (void)state;
    const char *r = DET("eq") "  sel:\n    Img: [alpha.exe, beta.exe, gamma.exe, delta.exe, x]\n  condition: sel\n"
                    "---\n" DET("eqcased") "  sel:\n    Img|cased: [Alpha, Beta, Gamma, Delta]\n  condition: sel\n"
                    "---\n" DET("sw") "  sel:\n    Img|startswith: ['C:\\Windows\\', 'C:\\Users\\', 'D:\\Data\\',"
                    " 'E:\\Tools\\', 'ab']\n  condition: sel\n"
                    "---\n" DET("ew") "  sel:\n    Img|endswith: ['.dll', '.scr', '.cpl', '.ocx', '.sys']\n"
                    "  condition: sel\n"
                    "---\n" DET("mixed") "  a:\n    Img: [one1, two2, three3, four4]\n  b:\n    Img|re: '^q+$'\n"
                    "  condition: a or b\n"
                    /* under a NOT: a set that holds makes the rule fail */
                    "---\n" DET("notlist") "  a:\n    Img: [alpha.exe, beta.exe, gamma.exe, delta.exe]\n"
                    "  condition: not a\n"
                    "---\n" DET("notmix") "  a:\n    Img|endswith: ['.dll', '.scr', '.cpl', '.ocx']\n  b:\n"
                    "    Img|re: '^q+$'\n  condition: not (a or b)\n";
    const char *ev = "{\"Img\":\"GAMMA.EXE\"}\n"            /* eq */
                     "{\"Img\":\"x\"}\n"                    /* eq: a short item, tested alone */
                     "{\"Img\":\"Beta\"}\n"                 /* eqcased */
                     "{\"Img\":\"beta\"}\n"                 /* none: cased */
                     "{\"Img\":\"c:\\\\windows\\\\x.dll\"}\n" /* sw ew */
                     "{\"Img\":\"abc\"}\n"                  /* sw: 'ab' is too short for the set */
                     "{\"Img\":\"e:\\\\tools\"}\n"          /* none: shorter than the item */
                     "{\"Img\":\"a.SYS\"}\n"                /* ew */
                     "{\"Img\":\"qqq\"}\n"                  /* mixed, by the regex */
                     "{\"Img\":[\"zz\", \"THREE3\"]}\n";  /* mixed, the second value */
    const char *want = "eq@1 notmix@1 eq@2 notlist@2 notmix@2 eqcased@3 notlist@3 notmix@3 notlist@4 notmix@4 "
                       "sw@5 ew@5 notlist@5 sw@6 notlist@6 notmix@6 notlist@7 notmix@7 ew@8 notlist@8 notmix@8 "
                       "mixed@9 notlist@9 mixed@10 notlist@10 notmix@10";
    assert_string_equal(run(r, ev), want);
    run_opts pre = {0, 0, 0, false, false, INDEX_PREBUILT};
    assert_string_equal(run_with(r, ev, &pre), want);
}

static void test_keywords(void **state) {
    (void)state;
    const char *r = DET("kw") "  keywords:\n    - mimikatz\n    - 'sekurlsa::'\n  condition: keywords\n";
    assert_string_equal(run(r, "{\"a\":{\"b\":\"run MIMIKATZ now\"}}\n"  /* 1 nested value, any case */
                               "{\"mimikatz\":\"key only\"}\n"           /* 2 keys are not values */
                               "{\"arr\":[\"x\",\"y sekurlsa::logonpasswords\"]}\n" /* 3 array element */
                               "{\"x\":\"nothing here\"}\n"              /* 4 */
                               "{\"x\":null,\"y\":true}\n"),             /* 5 */
                        "kw@1 kw@3");
    /* a number as a keyword is text */
    r = DET("kn") "  keywords:\n    - 4624\n  condition: keywords\n";
    assert_string_equal(run(r, "{\"id\":4624}\n{\"msg\":\"event 4624 seen\"}\n{\"id\":4625}\n"), "kn@1 kn@2");
}

static void test_null_and_exists(void **state) {
    (void)state;
    const char *r = DET("isnull") "  sel:\n    User: null\n  condition: sel\n"
                    "---\n" DET("ex") "  sel:\n    User|exists: true\n  condition: sel\n"
                    "---\n" DET("nex") "  sel:\n    User|exists: false\n  condition: sel\n";
    /* `null` holds when the field is absent, null or empty; `exists` when the
     * field has a value, even an empty string: a JSON null is no value, as a
     * SIEM that drops null fields sees it, so {"User": null} is null and
     * does not exist. */
    assert_string_equal(run(r, "{\"Other\":1}\n"
                               "{\"User\":null}\n"
                               "{\"User\":\"\"}\n"
                               "{\"User\":\"bob\"}\n"
                               "{\"User\":[]}\n"),
                        "isnull@1 nex@1 isnull@2 nex@2 isnull@3 ex@3 ex@4 isnull@5 nex@5");
}

static void test_numbers(void **state) {
    (void)state;
    const char *r = DET("num") "  sel:\n    EventID: 4624\n  condition: sel\n";
    assert_string_equal(run(r, "{\"EventID\":4624}\n"      /* 1 */
                               "{\"EventID\":\"4624\"}\n"  /* 2 a number as a string */
                               "{\"EventID\":4624.0}\n"    /* 3 by value */
                               "{\"EventID\":\"0x1210\"}\n" /* 4 hex 4624 */
                               "{\"EventID\":4625}\n"      /* 5 */
                               "{\"EventID\":\"4624abc\"}\n" /* 6 */
                               "{\"EventID\":[1,4624]}\n"),  /* 7 any element */
                        "num@1 num@2 num@3 num@4 num@7");
    r = DET("gt") "  sel:\n    Size|gt: 10\n  condition: sel\n"
        "---\n" DET("gte") "  sel:\n    Size|gte: 10\n  condition: sel\n"
        "---\n" DET("lt") "  sel:\n    Size|lt: 0.5\n  condition: sel\n"
        "---\n" DET("lte") "  sel:\n    Size|lte: -2\n  condition: sel\n";
    assert_string_equal(run(r, "{\"Size\":11}\n"       /* 1 gt gte */
                               "{\"Size\":10}\n"       /* 2 gte */
                               "{\"Size\":\"12\"}\n"   /* 3 gt gte */
                               "{\"Size\":10.5}\n"     /* 4 gt gte */
                               "{\"Size\":\"abc\"}\n"  /* 5 none */
                               "{\"Size\":0.25}\n"     /* 6 lt */
                               "{\"Size\":-2}\n"       /* 7 lt lte */
                               "{\"Size\":\"0x10\"}\n" /* 8 hex 16: gt gte */
                               "{\"Size\":true}\n"),   /* 9 none */
                        "gt@1 gte@1 gte@2 gt@3 gte@3 gt@4 gte@4 lt@6 lt@7 lte@7 gt@8 gte@8");
}

/* |neq is `not` equal (without a pipeline, an absent field is not equal) */
static void test_neq(void **state) {
    (void)state;
    const char *r = DET("ne") "  sel:\n    User|neq: bob\n  condition: sel\n";
    assert_string_equal(run(r, "{\"User\":\"bob\"}\n{\"User\":\"BOB\"}\n{\"User\":\"al\"}\n{}\n"), "ne@3 ne@4");
}

static void test_booleans(void **state) {
    (void)state;
    const char *r = DET("t") "  sel:\n    Elevated: true\n  condition: sel\n"
                    "---\n" DET("f") "  sel:\n    Elevated: false\n  condition: sel\n";
    assert_string_equal(run(r, "{\"Elevated\":true}\n{\"Elevated\":false}\n{\"Elevated\":\"True\"}\n"
                               "{\"Elevated\":1}\n{\"Elevated\":\"yes\"}\n{}\n"),
                        "t@1 f@2 t@3");
}

static void test_cidr(void **state) {
    (void)state;
    const char *r = DET("v4") "  sel:\n    Ip|cidr: 10.0.0.0/8\n  condition: sel\n"
                    "---\n" DET("v4b") "  sel:\n    Ip|cidr: 192.168.0.0/23\n  condition: sel\n"
                    "---\n" DET("v6") "  sel:\n    Ip|cidr: 'fe80::/10'\n  condition: sel\n";
    assert_string_equal(run(r, "{\"Ip\":\"10.1.2.3\"}\n"       /* 1 v4 */
                               "{\"Ip\":\"11.0.0.1\"}\n"       /* 2 */
                               "{\"Ip\":\"not-an-ip\"}\n"      /* 3 */
                               "{\"Ip\":\"192.168.1.5\"}\n"    /* 4 v4b */
                               "{\"Ip\":\"192.168.2.1\"}\n"    /* 5 */
                               "{\"Ip\":\"FE80::1%eth0\"}\n"   /* 6 v6 (scope id) */
                               "{\"Ip\":\"febf:ffff::1\"}\n"   /* 7 v6 (last of /10) */
                               "{\"Ip\":\"fec0::1\"}\n"        /* 8 */
                               "{\"Ip\":\"::ffff:10.1.2.3\"}\n" /* 9 a v6 address is not in a v4 net */
                               "{\"Ip\":\"10.1.2\"}\n"         /* 10 */
                               "{\"Ip\":10}\n"),               /* 11 */
                        "v4@1 v4b@4 v6@6 v6@7");
}

static void test_fieldref(void **state) {
    (void)state;
    const char *r = DET("ref") "  sel:\n    User|fieldref: Target\n  condition: sel\n"
                    "---\n" DET("refc") "  sel:\n    Cmd|fieldref|contains: Image\n  condition: sel\n";
    assert_string_equal(run(r, "{\"User\":\"Bob\",\"Target\":\"bob\"}\n"   /* 1 ref */
                               "{\"User\":\"Bob\",\"Target\":\"alice\"}\n" /* 2 */
                               "{\"User\":\"Bob\"}\n"                      /* 3 */
                               "{\"Cmd\":\"C:\\\\x\\\\A.EXE -q\",\"Image\":\"a.exe\"}\n" /* 4 refc */
                               "{\"Cmd\":\"b.exe -q\",\"Image\":\"a.exe\"}\n"),           /* 5 */
                        "ref@1 refc@4");
}

static void test_encodings(void **state) {
    (void)state;
    const char *r = DET("b64") "  sel:\n    Cmd|base64: secret\n  condition: sel\n"
                    "---\n" DET("b64off") "  sel:\n    Cmd|base64offset|contains: 'http://'\n  condition: sel\n"
                    "---\n" DET("wide") "  sel:\n    Cmd|utf16le|base64offset|contains: cmd\n  condition: sel\n";
    assert_string_equal(run(r, "{\"Cmd\":\"c2VjcmV0\"}\n"                             /* 1 b64 */
                               "{\"Cmd\":\"secret\"}\n"                               /* 2 */
                               "{\"Cmd\":\"x aHR0cDovL2V2aWwuZXhhbXBsZQ== y\"}\n"     /* 3 off, offset 0 */
                               "{\"Cmd\":\"WGh0dHA6Ly9ldmlsLmV4YW1wbGU=\"}\n"         /* 4 off, offset 1 */
                               "{\"Cmd\":\"WFlodHRwOi8vZXZpbC5leGFtcGxl\"}\n"         /* 5 off, offset 2 */
                               "{\"Cmd\":\"Zm9vYmFyIG5vIHVybA==\"}\n"                 /* 6 */
                               "{\"Cmd\":\"-e cgB1AG4AIABjAG0AZAAgAG4AbwB3AA==\"}\n"  /* 7 wide */
                               "{\"Cmd\":\"YQByAHUAbgAgAGMAbQBkACAAbgBvAHcA\"}\n"     /* 8 wide */
                               "{\"Cmd\":\"YQBiAHIAdQBuACAAYwBtAGQAIABuAG8AdwA=\"}\n" /* 9 wide */
                               "{\"Cmd\":\"cgB1AG4AIABwAG8AdwBlAHIAcwBoAGUAbABsAA==\"}\n" /* 10 */
                               "{\"Cmd\":\"cnVuIGNtZCBub3c=\"}\n"),                   /* 11 utf-8, not utf-16 */
                        "b64@1 b64off@3 b64off@4 b64off@5 wide@7 wide@8 wide@9");
}

static void test_windash(void **state) {
    (void)state;
    const char *r = DET("wd") "  sel:\n    Cmd|windash|contains: ' -enc '\n  condition: sel\n";
    assert_string_equal(run(r, "{\"Cmd\":\"ps -enc AAA\"}\n"
                               "{\"Cmd\":\"ps /enc AAA\"}\n"
                               "{\"Cmd\":\"ps \xe2\x80\x93" "enc AAA\"}\n" /* en dash */
                               "{\"Cmd\":\"ps enc AAA\"}\n"
                               "{\"Cmd\":\"ps -encx AAA\"}\n"),
                        "wd@1 wd@2 wd@3");
}

static void test_regex(void **state) {
    (void)state;
    const char *r = DET("re") "  sel:\n    Cmd|re: 'ab\\d+$'\n  condition: sel\n"
                    "---\n" DET("rei") "  sel:\n    Cmd|re|i: '^ab\\d+$'\n  condition: sel\n";
    assert_string_equal(run(r, "{\"Cmd\":\"xab12\"}\n"   /* re (unanchored search) */
                               "{\"Cmd\":\"AB12\"}\n"    /* rei */
                               "{\"Cmd\":\"ab12\"}\n"    /* re rei */
                               "{\"Cmd\":\"ab12x\"}\n"), /* none */
                        "re@1 rei@2 re@3 rei@3");
}

/* A catastrophic regex hits PCRE2's match limit on a long value: no match,
 * counted, and the scan goes on with the next events. */
static void test_regex_catastrophic(void **state) {
    (void)state;
    const char *r = DET("bad") "  sel:\n    Cmd|re: '^(a+)+$'\n  condition: sel\n"
                    "---\n" DET("next") "  sel:\n    Cmd: ok\n  condition: sel\n";
    char events[512];
    char as[101];
    memset(as, 'a', 100);
    as[100] = 0;
    snprintf(events, sizeof events, "{\"Cmd\":\"%sb\"}\n{\"Cmd\":\"ok\"}\n{\"Cmd\":\"aaa\"}\n", as);
    run_opts o = {0, 0, 100000, false, false, INDEX_ENGINE};
    assert_string_equal(run_with(r, events, &o), "next@2 bad@3 [regex=1]");
}

/* Rules that repeat a test share one predicate, and one regex; tests that
 * differ in field, case or regex flags stay apart. */
static void test_shared_tests(void **state) {
    (void)state;
    const char *r = DET("a") "  sel:\n    Cmd|contains: evil\n    Cmd|re: 'x\\d'\n  condition: sel\n"
                    "---\n" DET("b") "  sel:\n    Cmd|re: 'x\\d'\n    Cmd|contains: evil\n  condition: sel\n"
                    "---\n" DET("c") "  sel:\n    Cmd|contains|cased: evil\n  condition: sel\n"
                    "---\n" DET("d") "  sel:\n    Cmd|re|i: 'x\\d'\n  condition: sel\n"
                    "---\n" DET("e") "  sel:\n    Other|contains: evil\n  condition: sel\n"
                    "---\n" DET("f") "  sel:\n    Cmd|contains: evil\n  condition: not sel\n";
    assert_string_equal(run(r, "{\"Cmd\":\"EVIL x1\"}\n"        /* a b d */
                               "{\"Cmd\":\"evil X1\"}\n"        /* c d */
                               "{\"Other\":\"evil\",\"Cmd\":\"\"}\n"), /* e f */
                        "a@1 b@1 d@1 c@2 d@2 e@3 f@3");
    sg_diags diags;
    sg_ruleset rs;
    size_t n;
    const sg_ir_rule **irs = front_end(r, &rs, &diags, &n);
    sg_arena *arena = sg_arena_new();
    sgm_tables t;
    assert_int_equal(c_build_tables(arena, &diags, irs, n, &t), 0);
    assert_int_equal(t.n_regexes, 2); /* x\d, x\d with i */
    assert_int_equal(t.n_preds, 5);   /* Cmd contains evil (a b f), Cmd re, cased, re|i, Other */
    sg_arena_free(arena);
    free(irs);
    sg_ruleset_free(&rs);
    sg_diags_free(&diags);
}

static void test_lists_and_all(void **state) {
    (void)state;
    const char *r = DET("any") "  sel:\n    Cmd|contains:\n      - foo\n      - bar\n  condition: sel\n"
                    "---\n" DET("all") "  sel:\n    Cmd|contains|all:\n      - foo\n      - bar\n  condition: sel\n";
    assert_string_equal(run(r, "{\"Cmd\":\"foo\"}\n{\"Cmd\":\"a bar\"}\n{\"Cmd\":\"bar foo\"}\n{\"Cmd\":\"baz\"}\n"),
                        "any@1 any@2 any@3 all@3");
}

static void test_conditions(void **state) {
    (void)state;
    const char *r = DET("one") "  sel_a:\n    A: 1\n  sel_b:\n    B: 1\n  other:\n    C: 1\n"
                    "  condition: 1 of sel_* and not other\n"
                    "---\n" DET("them") "  sel_a:\n    A: 1\n  sel_b:\n    B: 1\n  condition: all of them\n";
    assert_string_equal(run(r, "{\"A\":1}\n"              /* one */
                               "{\"B\":1,\"C\":1}\n"      /* not other fails */
                               "{\"A\":1,\"B\":1}\n"      /* one them */
                               "{\"C\":1}\n"),            /* none */
                        "one@1 one@3 them@3");
}

static void test_nested_fields(void **state) {
    (void)state;
    const char *r = DET("own") "  sel:\n    Image|endswith: '\\cmd.exe'\n  condition: sel\n"
                    "---\n" DET("path") "  sel:\n    Event.EventData.Image|endswith: '\\cmd.exe'\n  condition: sel\n"
                    "---\n" DET("attr") "  sel:\n    Provider_Name: Sysmon\n  condition: sel\n";
    assert_string_equal(run(r, "{\"Event\":{\"EventData\":{\"Image\":\"C:\\\\cmd.exe\"}}}\n" /* own path */
                               "{\"Image\":\"C:\\\\cmd.exe\"}\n"                             /* own */
                               "{\"Event\":{\"Other\":{\"Image\":\"C:\\\\cmd.exe\"}}}\n"     /* own */
                               "{\"Event\":{\"System\":{\"Provider\":{\"#attributes\":{\"Name\":\"Sysmon\"}}}}}\n" /* attr */
                               "{\"Event\":{\"EventData\":{\"Image\":\"C:\\\\x.exe\"}}}\n"), /* none */
                        "own@1 path@1 own@2 own@3 attr@4");
    /* arrays: any element of an array answers to the array's names */
    r = DET("arr") "  sel:\n    Tags: b\n  condition: sel\n";
    assert_string_equal(run(r, "{\"Tags\":[\"a\",\"b\"]}\n{\"Tags\":[\"a\",[\"c\",\"B\"]]}\n{\"Tags\":[\"a\"]}\n"
                               "{\"Tags\":[{\"x\":\"b\"}]}\n"),
                        "arr@1 arr@2");
}

static void test_timepart(void **state) {
    (void)state;
    const char *r = DET("h") "  sel:\n    When|hour: 13\n  condition: sel\n";
    assert_string_equal(run(r, "{\"When\":\"2024-03-01T13:59:00Z\"}\n{\"When\":\"2024-03-01T14:00:00Z\"}\n"
                               "{\"When\":\"2024-03-01T15:30:00+02:00\"}\n{\"When\":\"noon\"}\n"),
                        "h@1 h@3");
}

/* |expand needs a pipeline's values: the matcher refuses it rather than
 * matching the placeholder's text. */
static void test_expand_refused(void **state) {
    (void)state;
    const char *r = DET("exp") "  sel:\n    User|expand: '%admins%'\n  condition: sel\n";
    assert_string_equal(run(r, "{\"User\":\"%admins%\"}\n"), "BUILD-ERROR");
}

/* ------------------------------------------------------------------ */
/* Aggregations                                                         */

static void test_legacy_count(void **state) {
    (void)state;
    const char *r = DET("flood") "  sel:\n    Action: fail\n  timeframe: 1m\n  condition: sel | count() by host > 2\n";
    assert_string_equal(run(r, "{\"ts\":0,\"host\":\"a\",\"Action\":\"fail\"}\n"
                               "{\"ts\":1,\"host\":\"b\",\"Action\":\"fail\"}\n"
                               "{\"ts\":5,\"host\":\"a\",\"Action\":\"ok\"}\n"
                               "{\"ts\":10,\"host\":\"a\",\"Action\":\"fail\"}\n"
                               "{\"ts\":11,\"host\":\"b\",\"Action\":\"fail\"}\n"
                               "{\"ts\":20,\"host\":\"a\",\"Action\":\"fail\"}\n"   /* 6: a has 3 > 2 */
                               "{\"ts\":30,\"host\":\"a\",\"Action\":\"fail\"}\n"   /* a starts afresh */
                               "{\"ts\":40,\"host\":\"a\",\"Action\":\"fail\"}\n"
                               "{\"ts\":200,\"host\":\"a\",\"Action\":\"fail\"}\n"), /* 30, 40 out of the window */
                        "flood@6{host=a}n=3");
}

static void test_legacy_value_count(void **state) {
    (void)state;
    const char *r = DET("spray") "  sel:\n    Action: fail\n  timeframe: 1m\n"
                    "  condition: sel | count(user) by src > 2\n";
    assert_string_equal(run(r, "{\"ts\":0,\"src\":\"x\",\"user\":\"u1\",\"Action\":\"fail\"}\n"
                               "{\"ts\":1,\"src\":\"x\",\"user\":\"U1\",\"Action\":\"fail\"}\n" /* distinct: case kept */
                               "{\"ts\":2,\"src\":\"x\",\"user\":\"u1\",\"Action\":\"fail\"}\n"
                               "{\"ts\":3,\"src\":\"x\",\"Action\":\"fail\"}\n"                 /* no user: not counted */
                               "{\"ts\":4,\"src\":\"y\",\"user\":\"u2\",\"Action\":\"fail\"}\n" /* other group */
                               "{\"ts\":5,\"src\":\"x\",\"user\":\"u2\",\"Action\":\"fail\"}\n"), /* 6: u1 U1 u2 */
                        "spray@6{src=x}n=3");
}

/* Log-source dispatch (rules sorted by the EventID they need, and by
 * whether they need a Channel) picks the same matches, in the same order,
 * as testing every rule on every event: numbers as text, "4688.0", null,
 * a missing EventID, several values, NOT and OR around the keys. */
static void test_dispatch(void **state) {
    (void)state;
    const char *r = DET("p1") "  sel:\n    EventID: 1\n    Image|endswith: x.exe\n  condition: sel\n"
                    "---\n" DET("p4688") "  sel:\n    EventID: 4688\n  condition: sel\n"
                    "---\n" DET("either") "  a:\n    EventID: 1\n  b:\n    EventID: 4688\n  condition: a or b\n"
                    "---\n" DET("notone") "  a:\n    EventID: 1\n  condition: not a\n"
                    "---\n" DET("nochan") "  a:\n    Channel|exists: false\n    q: v\n  condition: a\n"
                    "---\n" DET("chan") "  a:\n    Channel|exists: true\n  condition: a\n"
                    "---\n" DET("never") "  a:\n    EventID: 1\n  b:\n    EventID: 2\n  condition: a and b\n"
                    "---\n" DET("any") "  kw: [zzz]\n  condition: kw\n"
                    /* of any EventID (one branch has none), testing one: an EventID no
                     * bucket has, or several, is not it; a Channel, case ignored */
                    "---\n" DET("orq") "  a:\n    EventID: 1\n  b:\n    q: w\n  condition: a or b\n"
                    "---\n" DET("chaneq") "  a:\n    Channel: security\n  b:\n    q: w\n  condition: a or b\n";
    const char *ev = "{\"EventID\":1,\"Image\":\"C:\\\\x.exe\",\"Channel\":\"c\"}\n"
                     "{\"EventID\":\"4688\",\"Channel\":\"Security\"}\n"
                     "{\"EventID\":\"4688.0\"}\n"
                     "{\"EventID\":null,\"q\":\"v\"}\n"
                     "{\"q\":\"v\",\"k\":\"zzz\"}\n"
                     "{\"EventID\":[1,4688],\"Image\":\"x.exe\"}\n"
                     "{\"EventID\":\"abc\",\"Channel\":null,\"q\":\"v\"}\n"
                     "{\"EventID\":77,\"q\":\"x\",\"Channel\":\"SECURITY\"}\n"
                     "{\"EventID\":77,\"Channel\":[\"a\",\"Security\"]}\n"
                     "{\"EventID\":1,\"q\":\"w\"}\n"
                     /* as long as the last Channel worked out, not the same */
                     "{\"EventID\":77,\"Channel\":\"SECURITZ\"}\n";
    const char *want = "p1@1 either@1 chan@1 orq@1 p4688@2 either@2 notone@2 chan@2 chaneq@2 p4688@3 either@3 "
                       "notone@3 notone@4 nochan@4 notone@5 nochan@5 any@5 p1@6 p4688@6 either@6 orq@6 notone@7 "
                       "nochan@7 notone@8 chan@8 chaneq@8 notone@9 chan@9 chaneq@9 either@10 orq@10 chaneq@10 "
                       "notone@11 chan@11";
    assert_string_equal(run(r, ev), want);
    run_opts all = {0, 0, 0, true, false, INDEX_ENGINE};
    assert_string_equal(run_with(r, ev, &all), want);
}

/* The required-literal prefilter (rules tested only when one of the
 * literals every match needs is in the event) picks the same matches as
 * testing every rule: contains/startswith/endswith/equals, glob literal
 * runs, keywords in any value, 3-byte and 2-byte non-ASCII literals, cased
 * values folded, AND (one part suffices), OR (every branch), NOT (none). */
static void test_prefilter(void **state) {
    (void)state;
    const char *r = DET("c4") "  sel:\n    CommandLine|contains: mimikatz\n  condition: sel\n"
                    "---\n" DET("glob") "  sel:\n    Image: '*\\evil*.exe'\n  condition: sel\n"
                    "---\n" DET("kw") "  kw: [sekurlsa]\n  condition: kw\n"
                    "---\n" DET("short3") "  sel:\n    CommandLine|endswith: ' /c'\n  condition: sel\n"
                    "---\n" DET("cyr") "  sel:\n    CommandLine|contains: \"\\u0430\"\n  condition: sel\n"
                    "---\n" DET("cased") "  sel:\n    CommandLine|contains|cased: MiXeD\n  condition: sel\n"
                    "---\n" DET("and") "  a:\n    CommandLine|contains: dump\n  b:\n    User|startswith: adm\n"
                    "  condition: a and b\n"
                    "---\n" DET("or") "  a:\n    CommandLine|contains: dump\n  b:\n    Pid: 7\n  condition: a or b\n"
                    "---\n" DET("not") "  a:\n    CommandLine|contains: zzzz\n  condition: not a\n"
                    "---\n" DET("re") "  a:\n    CommandLine|re: 'net(1)? +user[0-9]* /add'\n  condition: a\n"
                    "---\n" DET("reopt") "  a:\n    CommandLine|re: 'abcd?e'\n  condition: a\n"
                    "---\n" DET("realt") "  a:\n    CommandLine|re: 'qqqq|wwww'\n  condition: a\n"
                    "---\n" DET("rei") "  a:\n    CommandLine|re|i: 'kill'\n  condition: a\n";
    const char *ev = "{\"CommandLine\":\"run MIMIKATZ now\",\"User\":\"x\"}\n"
                     "{\"Image\":\"C:\\\\EVIL\\\\EvilTool.EXE\",\"CommandLine\":\"zzzz\"}\n"
                     "{\"Other\":\"x sekurlsa::logonpasswords\"}\n"
                     "{\"CommandLine\":\"cmd /C\",\"Pid\":7}\n"
                     "{\"CommandLine\":\"p\u0430ypal\"}\n"
                     "{\"CommandLine\":\"a mixed b MiXeD\"}\n"
                     "{\"CommandLine\":\"lsass DUMP\",\"User\":\"Admin\"}\n"
                     "{\"CommandLine\":\"zzzz\"}\n"
                     "{\"CommandLine\":\"NET  USER x /ADD net1 user2 /add abce wwww \\u212aILL\"}\n";
    const char *want = "c4@1 not@1 glob@2 kw@3 not@3 short3@4 or@4 not@4 cyr@5 not@5 cased@6 not@6 and@7 or@7 not@7 "
                       "not@9 re@9 reopt@9 realt@9 rei@9";
    assert_string_equal(run(r, ev), want);
    run_opts all = {0, 0, 0, false, true, INDEX_ENGINE};
    assert_string_equal(run_with(r, ev, &all), want);
    /* the index built beforehand, as a generated matcher has it */
    run_opts pre = {0, 0, 0, false, false, INDEX_PREBUILT};
    assert_string_equal(run_with(r, ev, &pre), want);
    /* --check-index finds a bit changed in it */
    run_opts damaged = {0, 0, 0, false, false, INDEX_DAMAGED};
    assert_string_equal(run_with(r, ev, &damaged),
                        "ENGINE-ERROR the index emitted with the tables is not the one they give (field_grams differs)");
}

static void test_threshold_block(void **state) {
    (void)state;
    const char *r = DET("tb") "  sel:\n    Action: get\n  condition: sel\n"
                    "threshold:\n  type: event_count\n  group-by: [ip]\n  timespan: 1m\n  condition: {gte: 3}\n"
                    "---\n" DET("tv") "  sel:\n    Action: get\n  condition: sel\n"
                    "threshold:\n  type: value_count\n  field: port\n  group-by: [ip]\n  timespan: 1m\n"
                    "  condition: {gte: 2}\n";
    assert_string_equal(run(r, "{\"ts\":0,\"ip\":\"1\",\"port\":80,\"Action\":\"get\"}\n"
                               "{\"ts\":1,\"ip\":\"1\",\"port\":80,\"Action\":\"get\"}\n"
                               "{\"ts\":2,\"ip\":\"2\",\"port\":81,\"Action\":\"get\"}\n"
                               "{\"ts\":3,\"ip\":\"1\",\"port\":443,\"Action\":\"get\"}\n"), /* tb: 3; tv: 80, 443 */
                        "tb@4{ip=1}n=3 tv@4{ip=1}n=2");
    /* a placeholder detection (`EventID: '*'`) with a block: every event of
     * the log source counts */
    r = DET("ph") "  sel:\n    EventID: '*'\n  condition: sel\n"
        "threshold:\n  type: event_count\n  group-by: [ip]\n  timespan: 10s\n  condition: {gt: 1}\n";
    assert_string_equal(run(r, "{\"ts\":0,\"ip\":\"1\"}\n{\"ts\":20,\"ip\":\"1\"}\n{\"ts\":21,\"ip\":\"1\"}\n"),
                        "ph@3{ip=1}n=2");
}

#define BASE_A NDET("ra") "  sel:\n    Kind: a\n  condition: sel\n---\n"
#define BASE_B NDET("rb") "  sel:\n    Kind: b\n  condition: sel\n---\n"
#define CORR(title, body) "title: " title "\ncorrelation:\n" body

static void test_corr_event_count(void **state) {
    (void)state;
    const char *r = BASE_A CORR("ec", "  type: event_count\n  rules: [ra]\n  group-by: [host]\n  timespan: 1m\n"
                                      "  condition: {gte: 3}\n");
    /* the base rule is only used by the correlation: not reported itself */
    assert_string_equal(run(r, "{\"ts\":0,\"host\":\"h\",\"Kind\":\"a\"}\n"
                               "{\"ts\":30,\"host\":\"h\",\"Kind\":\"a\"}\n"
                               "{\"ts\":30,\"host\":\"g\",\"Kind\":\"a\"}\n"
                               "{\"ts\":31,\"host\":\"h\",\"Kind\":\"b\"}\n"
                               "{\"ts\":59,\"host\":\"h\",\"Kind\":\"a\"}\n"),
                        "ec@5{host=h}n=3");
}

static void test_corr_value_count(void **state) {
    (void)state;
    const char *r = BASE_A CORR("vc", "  type: value_count\n  rules: [ra]\n  group-by: [host]\n  timespan: 1m\n"
                                      "  condition: {gt: 1, field: user}\n");
    assert_string_equal(run(r, "{\"ts\":0,\"host\":\"h\",\"user\":\"x\",\"Kind\":\"a\"}\n"
                               "{\"ts\":1,\"host\":\"h\",\"user\":\"x\",\"Kind\":\"a\"}\n"
                               "{\"ts\":2,\"host\":\"g\",\"user\":\"y\",\"Kind\":\"a\"}\n"
                               "{\"ts\":3,\"host\":\"h\",\"user\":\"y\",\"Kind\":\"a\"}\n"),
                        "vc@4{host=h}n=2");
}

static void test_corr_temporal(void **state) {
    (void)state;
    const char *r = BASE_A BASE_B CORR("tmp", "  type: temporal\n  rules: [ra, rb]\n  group-by: [host]\n"
                                              "  timespan: 1m\n");
    assert_string_equal(run(r, "{\"ts\":0,\"host\":\"h\",\"Kind\":\"b\"}\n"
                               "{\"ts\":1,\"host\":\"g\",\"Kind\":\"a\"}\n"   /* other group */
                               "{\"ts\":10,\"host\":\"h\",\"Kind\":\"a\"}\n"  /* any order: fires */
                               "{\"ts\":100,\"host\":\"g\",\"Kind\":\"b\"}\n"), /* g's a is 99 s older */
                        "tmp@3{host=h}n=2");
}

static void test_corr_temporal_ordered(void **state) {
    (void)state;
    const char *r = BASE_A BASE_B CORR("ord", "  type: temporal_ordered\n  rules: [ra, rb]\n  group-by: [host]\n"
                                              "  timespan: 1m\n");
    assert_string_equal(run(r, "{\"ts\":0,\"host\":\"h\",\"Kind\":\"b\"}\n"   /* b then a: no */
                               "{\"ts\":10,\"host\":\"h\",\"Kind\":\"a\"}\n"
                               "{\"ts\":20,\"host\":\"g\",\"Kind\":\"a\"}\n"
                               "{\"ts\":30,\"host\":\"g\",\"Kind\":\"b\"}\n"  /* a then b: fires */
                               "{\"ts\":40,\"host\":\"h\",\"Kind\":\"b\"}\n"), /* h: a(10) then b(40): fires */
                        "ord@4{host=g}n=2 ord@5{host=h}n=2");
    /* order is event time, not arrival: b (t=20) arrives before a (t=10) */
    assert_string_equal(run(r, "{\"ts\":20,\"host\":\"h\",\"Kind\":\"b\"}\n{\"ts\":10,\"host\":\"h\",\"Kind\":\"a\"}\n"),
                        "ord@2{host=h}n=2");
    /* equal times keep the arrival order */
    assert_string_equal(run(r, "{\"ts\":5,\"host\":\"h\",\"Kind\":\"b\"}\n{\"ts\":5,\"host\":\"h\",\"Kind\":\"a\"}\n"
                               "{\"ts\":7,\"host\":\"g\",\"Kind\":\"a\"}\n{\"ts\":7,\"host\":\"g\",\"Kind\":\"b\"}\n"),
                        "ord@4{host=g}n=2");
}

static void test_corr_temporal_condition(void **state) {
    (void)state;
    const char *r = BASE_A BASE_B CORR("tc", "  type: temporal\n  rules: [ra, rb]\n  group-by: [host]\n"
                                             "  timespan: 1m\n  condition: ra and not rb\n");
    /* "ra and not rb" can only be decided when the window closes: g's rb
     * (t=10) comes after its ra (t=2) but within the minute, so g's first
     * window must not fire; f has ra alone and fires when the event at t=100
     * shows f's window is over; g's second window (ra at t=100) fires at the
     * end.  h has both from the start.  An alert of a closed window names
     * the window's last event (line 4 for f, line 6 for g). */
    assert_string_equal(run(r, "{\"ts\":0,\"host\":\"h\",\"Kind\":\"b\"}\n{\"ts\":1,\"host\":\"h\",\"Kind\":\"a\"}\n"
                               "{\"ts\":2,\"host\":\"g\",\"Kind\":\"a\"}\n{\"ts\":3,\"host\":\"f\",\"Kind\":\"a\"}\n"
                               "{\"ts\":10,\"host\":\"g\",\"Kind\":\"b\"}\n"
                               "{\"ts\":100,\"host\":\"g\",\"Kind\":\"a\"}\n"), /* closes g's window 2..62 */
                        "tc@4{host=f}n=1 tc@6{host=g}n=1");
    /* an `or` condition only grows: it fires at once */
    r = BASE_A BASE_B CORR("tor", "  type: temporal\n  rules: [ra, rb]\n  group-by: [host]\n"
                                  "  timespan: 1m\n  condition: ra or rb\n");
    assert_string_equal(run(r, "{\"ts\":0,\"host\":\"h\",\"Kind\":\"b\"}\n{\"ts\":1,\"host\":\"h\",\"Kind\":\"c\"}\n"),
                        "tor@1{host=h}n=1");
}

/* A correlation over a rule that aggregates itself (here its threshold
 * block) would count the rule's raw matches, not its alerts: refused. */
static void test_corr_of_aggregating_rule_refused(void **state) {
    (void)state;
    const char *r = NDET("base") "  sel:\n    Kind: a\n  condition: sel\n"
                    "threshold:\n  type: event_count\n  group-by: [host]\n  timespan: 1m\n  condition: {gte: 3}\n"
                    "---\n" CORR("chain", "  type: event_count\n  rules: [base]\n  group-by: [host]\n  timespan: 1m\n"
                                         "  condition: {gte: 1}\n");
    assert_string_equal(run(r, "{\"ts\":0,\"host\":\"h\",\"Kind\":\"a\"}\n"), "BUILD-ERROR");
}

/* temporal_ordered with a condition of its own (the draft's "r1 and not r2"):
 * no defined order semantics, so refused rather than silently ignored. */
static void test_corr_ordered_condition_refused(void **state) {
    (void)state;
    const char *r = BASE_A BASE_B CORR("ord", "  type: temporal_ordered\n  rules: [ra, rb]\n  group-by: [host]\n"
                                              "  timespan: 1m\n  condition: ra and not rb\n");
    assert_string_equal(run(r, "{\"ts\":0,\"host\":\"h\",\"Kind\":\"a\"}\n"), "BUILD-ERROR");
}

static void test_corr_value_sum_avg(void **state) {
    (void)state;
    const char *r = BASE_A CORR("sum", "  type: value_sum\n  rules: [ra]\n  group-by: [host]\n  timespan: 1m\n"
                                       "  condition: {gt: 100, field: bytes}\n")
        "\n---\n" CORR("avg", "  type: value_avg\n  rules: [ra]\n  group-by: [host]\n  timespan: 1m\n"
                              "  condition: {gte: 50, field: bytes}\n");
    /* tested when the window opened by the group's first event closes: at
     * the first later event past it, or at the end of the input; the alert
     * names the window's last event (line 2) */
    assert_string_equal(run(r, "{\"ts\":0,\"host\":\"h\",\"bytes\":60,\"Kind\":\"a\"}\n"
                               "{\"ts\":10,\"host\":\"h\",\"bytes\":\"50\",\"Kind\":\"a\"}\n"
                               "{\"ts\":20,\"host\":\"h\",\"bytes\":\"n/a\",\"Kind\":\"a\"}\n" /* not a number: skipped */
                               "{\"ts\":30,\"host\":\"g\",\"bytes\":10,\"Kind\":\"a\"}\n"
                               "{\"ts\":61,\"host\":\"h\",\"bytes\":1,\"Kind\":\"a\"}\n"),  /* closes h's window 0..60 */
                        "sum@2{host=h}n=110 avg@2{host=h}n=55");
}

static void test_corr_percentile_median(void **state) {
    (void)state;
    const char *r = BASE_A CORR("p90", "  type: value_percentile\n  rules: [ra]\n  group-by: [host]\n"
                                       "  timespan: 1m\n  condition: {gte: 90, field: v, percentile: 90}\n")
        "\n---\n" CORR("med", "  type: value_median\n  rules: [ra]\n  group-by: [host]\n  timespan: 1m\n"
                              "  condition: {lt: 3, field: v}\n");
    /* values 1..10: p90 = 9.1 by linear interpolation (fails gte 90);
     * median 5.5 (fails lt 3).  Group g: 1, 2, 100 -> p90 80.4, median 2. */
    assert_string_equal(run(r, "{\"ts\":0,\"host\":\"h\",\"v\":1,\"Kind\":\"a\"}\n"
                               "{\"ts\":1,\"host\":\"h\",\"v\":2,\"Kind\":\"a\"}\n"
                               "{\"ts\":2,\"host\":\"h\",\"v\":3,\"Kind\":\"a\"}\n"
                               "{\"ts\":3,\"host\":\"h\",\"v\":4,\"Kind\":\"a\"}\n"
                               "{\"ts\":4,\"host\":\"h\",\"v\":5,\"Kind\":\"a\"}\n"
                               "{\"ts\":5,\"host\":\"h\",\"v\":6,\"Kind\":\"a\"}\n"
                               "{\"ts\":6,\"host\":\"h\",\"v\":7,\"Kind\":\"a\"}\n"
                               "{\"ts\":7,\"host\":\"h\",\"v\":8,\"Kind\":\"a\"}\n"
                               "{\"ts\":8,\"host\":\"h\",\"v\":9,\"Kind\":\"a\"}\n"
                               "{\"ts\":9,\"host\":\"h\",\"v\":10,\"Kind\":\"a\"}\n"
                               "{\"ts\":0,\"host\":\"g\",\"v\":100,\"Kind\":\"a\"}\n"
                               "{\"ts\":1,\"host\":\"g\",\"v\":1,\"Kind\":\"a\"}\n"
                               "{\"ts\":2,\"host\":\"g\",\"v\":2,\"Kind\":\"a\"}\n"),
                        "med@13{host=g}n=2");
    /* the percentile itself: 75th of 1, 2, 100 = 2 + (100 - 2) * 0.5 */
    r = BASE_A CORR("p75", "  type: value_percentile\n  rules: [ra]\n  group-by: [host]\n"
                           "  timespan: 1m\n  condition: {gte: 51, field: v, percentile: 75}\n");
    assert_string_equal(run(r, "{\"ts\":0,\"host\":\"g\",\"v\":100,\"Kind\":\"a\"}\n"
                               "{\"ts\":1,\"host\":\"g\",\"v\":1,\"Kind\":\"a\"}\n"
                               "{\"ts\":2,\"host\":\"g\",\"v\":2,\"Kind\":\"a\"}\n"),
                        "p75@3{host=g}n=51");
}

static void test_legacy_min_max(void **state) {
    (void)state;
    const char *r = DET("mx") "  sel:\n    Kind: a\n  timeframe: 1m\n  condition: sel | max(v) by host > 100\n"
                    "---\n" DET("mn") "  sel:\n    Kind: a\n  timeframe: 1m\n  condition: sel | min(v) by host < 0\n";
    assert_string_equal(run(r, "{\"ts\":0,\"host\":\"h\",\"v\":50,\"Kind\":\"a\"}\n"
                               "{\"ts\":1,\"host\":\"h\",\"v\":101,\"Kind\":\"a\"}\n"  /* mx */
                               "{\"ts\":2,\"host\":\"h\",\"v\":-1,\"Kind\":\"a\"}\n"   /* mn */
                               "{\"ts\":3,\"host\":\"h\",\"v\":100,\"Kind\":\"a\"}\n"),
                        "mx@2{host=h}n=101 mn@3{host=h}n=-1");
}

/* A count below a threshold is only known when the window closes. */
static void test_count_lt_at_close(void **state) {
    (void)state;
    const char *r = DET("few") "  sel:\n    Kind: a\n  timeframe: 1m\n  condition: sel | count() by host < 2\n";
    assert_string_equal(run(r, "{\"ts\":0,\"host\":\"h\",\"Kind\":\"a\"}\n"
                               "{\"ts\":0,\"host\":\"g\",\"Kind\":\"a\"}\n"
                               "{\"ts\":30,\"host\":\"g\",\"Kind\":\"a\"}\n"
                               "{\"ts\":100,\"host\":\"h\",\"Kind\":\"a\"}\n"), /* closes h's first window */
                        "few@1{host=h}n=1 few@4{host=h}n=1");
}

/* ---- window edges ---- */

static void test_window_inclusive_edge(void **state) {
    (void)state;
    const char *r = DET("two") "  sel:\n    Kind: a\n  timeframe: 1m\n  condition: sel | count() by host > 1\n";
    /* exactly T = 60 s apart: in one window */
    assert_string_equal(run(r, "{\"ts\":0,\"host\":\"h\",\"Kind\":\"a\"}\n{\"ts\":60,\"host\":\"h\",\"Kind\":\"a\"}\n"),
                        "two@2{host=h}n=2");
    /* 61 s apart: not */
    assert_string_equal(run(r, "{\"ts\":0,\"host\":\"h\",\"Kind\":\"a\"}\n{\"ts\":61,\"host\":\"h\",\"Kind\":\"a\"}\n"),
                        "");
    /* milliseconds: ISO times 60.000 s and 60.001 s apart */
    assert_string_equal(run(r, "{\"ts\":\"2024-01-01T00:00:00Z\",\"host\":\"h\",\"Kind\":\"a\"}\n"
                               "{\"ts\":\"2024-01-01T00:01:00.001Z\",\"host\":\"h\",\"Kind\":\"a\"}\n"
                               "{\"ts\":\"2024-01-01T00:02:00.001Z\",\"host\":\"h\",\"Kind\":\"a\"}\n"),
                        "two@3{host=h}n=2");
    /* the close-evaluated path has the same edge: sum over [t0, t0 + T] */
    const char *s = BASE_A CORR("sum", "  type: value_sum\n  rules: [ra]\n  group-by: [host]\n  timespan: 1m\n"
                                       "  condition: {gte: 2, field: v}\n");
    assert_string_equal(run(s, "{\"ts\":0,\"host\":\"h\",\"v\":1,\"Kind\":\"a\"}\n"
                               "{\"ts\":60,\"host\":\"h\",\"v\":1,\"Kind\":\"a\"}\n"
                               "{\"ts\":200,\"host\":\"g\",\"v\":1,\"Kind\":\"a\"}\n"),
                        "sum@2{host=h}n=2");
    assert_string_equal(run(s, "{\"ts\":0,\"host\":\"h\",\"v\":1,\"Kind\":\"a\"}\n"
                               "{\"ts\":61,\"host\":\"h\",\"v\":1,\"Kind\":\"a\"}\n"),
                        "");
}

static void test_window_out_of_order_and_equal_times(void **state) {
    (void)state;
    const char *r = DET("three") "  sel:\n    Kind: a\n  timeframe: 1m\n  condition: sel | count() by host >= 3\n";
    /* out of order within the window */
    assert_string_equal(run(r, "{\"ts\":50,\"host\":\"h\",\"Kind\":\"a\"}\n{\"ts\":10,\"host\":\"h\",\"Kind\":\"a\"}\n"
                               "{\"ts\":30,\"host\":\"h\",\"Kind\":\"a\"}\n"),
                        "three@3{host=h}n=3");
    /* equal timestamps */
    assert_string_equal(run(r, "{\"ts\":7,\"host\":\"h\",\"Kind\":\"a\"}\n{\"ts\":7,\"host\":\"h\",\"Kind\":\"a\"}\n"
                               "{\"ts\":7,\"host\":\"h\",\"Kind\":\"a\"}\n"),
                        "three@3{host=h}n=3");
    /* an out-of-order event that falls before the newest's window is late */
    assert_string_equal(run(r, "{\"ts\":200,\"host\":\"h\",\"Kind\":\"a\"}\n{\"ts\":100,\"host\":\"h\",\"Kind\":\"a\"}\n"
                               "{\"ts\":190,\"host\":\"h\",\"Kind\":\"a\"}\n{\"ts\":139,\"host\":\"h\",\"Kind\":\"a\"}\n"),
                        "[late=2]");
    /* events without a time count at the latest time seen */
    assert_string_equal(run(r, "{\"ts\":500,\"host\":\"h\",\"Kind\":\"x\"}\n{\"host\":\"h\",\"Kind\":\"a\"}\n"
                               "{\"host\":\"h\",\"Kind\":\"a\"}\n{\"host\":\"h\",\"Kind\":\"a\"}\n"),
                        "three@4{host=h}n=3");
    /* exactly T older than the newest is not late */
    assert_string_equal(run(r, "{\"ts\":200,\"host\":\"h\",\"Kind\":\"a\"}\n{\"ts\":140,\"host\":\"h\",\"Kind\":\"a\"}\n"
                               "{\"ts\":150,\"host\":\"h\",\"Kind\":\"a\"}\n"),
                        "three@3{host=h}n=3");
}

static void test_groups_kept_apart(void **state) {
    (void)state;
    const char *r = DET("pair") "  sel:\n    Kind: a\n  timeframe: 1m\n  condition: sel | count() by host > 1\n"
                    "---\n" DET("two") "  sel:\n    Kind: a\n  timeframe: 1m\n"
                    "  condition: sel | count() by host, user > 1\n";
    /* key parts keep their lengths: ("ab", "c") is not ("a", "bc"); an
     * absent field is not the empty string */
    assert_string_equal(run(r, "{\"ts\":0,\"host\":\"a\",\"Kind\":\"a\"}\n"
                               "{\"ts\":1,\"host\":\"b\",\"Kind\":\"a\"}\n"
                               "{\"ts\":2,\"host\":\"A\",\"Kind\":\"a\"}\n"
                               "{\"ts\":3,\"host\":\"\",\"Kind\":\"a\"}\n"
                               "{\"ts\":4,\"Kind\":\"a\"}\n"),
                        "");
}

static void test_eviction_counters(void **state) {
    (void)state;
    const char *r = DET("two") "  sel:\n    Kind: a\n  timeframe: 1m\n  condition: sel | count() by host > 1\n";
    /* one live group: a, b, a, b each evict the other */
    run_opts o = {1, 0, 0, false, false, INDEX_ENGINE};
    assert_string_equal(run_with(r, "{\"ts\":0,\"host\":\"a\",\"Kind\":\"a\"}\n{\"ts\":1,\"host\":\"b\",\"Kind\":\"a\"}\n"
                                    "{\"ts\":2,\"host\":\"a\",\"Kind\":\"a\"}\n{\"ts\":3,\"host\":\"b\",\"Kind\":\"a\"}\n"
                                    "{\"ts\":4,\"host\":\"b\",\"Kind\":\"a\"}\n",
                                 &o),
                        "two@5{host=b}n=2 [evicted=3]");
    /* two live groups: the stalest goes first */
    run_opts o2 = {2, 0, 0, false, false, INDEX_ENGINE};
    assert_string_equal(run_with(r, "{\"ts\":0,\"host\":\"a\",\"Kind\":\"a\"}\n{\"ts\":1,\"host\":\"b\",\"Kind\":\"a\"}\n"
                                    "{\"ts\":2,\"host\":\"a\",\"Kind\":\"a\"}\n",
                                 &o2),
                        "two@3{host=a}n=2");
    assert_string_equal(run_with(r, "{\"ts\":0,\"host\":\"a\",\"Kind\":\"a\"}\n{\"ts\":1,\"host\":\"b\",\"Kind\":\"a\"}\n"
                                    "{\"ts\":2,\"host\":\"c\",\"Kind\":\"a\"}\n{\"ts\":3,\"host\":\"b\",\"Kind\":\"a\"}\n"
                                    "{\"ts\":4,\"host\":\"a\",\"Kind\":\"a\"}\n",
                                 &o2),
                        "two@4{host=b}n=2 [evicted=2]");
    /* max_entries: a value_count keeps the newest events only, so it can
     * under-count, never over-count */
    const char *v = DET("vc") "  sel:\n    Kind: a\n  timeframe: 1m\n  condition: sel | count(user) by host > 2\n";
    run_opts o3 = {0, 2, 0, false, false, INDEX_ENGINE};
    assert_string_equal(run_with(v, "{\"ts\":0,\"host\":\"h\",\"user\":\"x\",\"Kind\":\"a\"}\n"
                                    "{\"ts\":1,\"host\":\"h\",\"user\":\"y\",\"Kind\":\"a\"}\n"
                                    "{\"ts\":2,\"host\":\"h\",\"user\":\"z\",\"Kind\":\"a\"}\n",
                                 &o3),
                        "[dropped=1]");
    run_opts o4 = {0, 3, 0, false, false, INDEX_ENGINE};
    assert_string_equal(run_with(v, "{\"ts\":0,\"host\":\"h\",\"user\":\"x\",\"Kind\":\"a\"}\n"
                                    "{\"ts\":1,\"host\":\"h\",\"user\":\"y\",\"Kind\":\"a\"}\n"
                                    "{\"ts\":2,\"host\":\"h\",\"user\":\"z\",\"Kind\":\"a\"}\n",
                                 &o4),
                        "vc@3{host=h}n=3");
    /* and an event_count, whose groups keep their events' times only */
    const char *c = DET("ec") "  sel:\n    Kind: a\n  timeframe: 1m\n  condition: sel | count() by host > 2\n";
    const char *three = "{\"ts\":0,\"host\":\"h\",\"Kind\":\"a\"}\n{\"ts\":1,\"host\":\"h\",\"Kind\":\"a\"}\n"
                        "{\"ts\":2,\"host\":\"h\",\"Kind\":\"a\"}\n";
    assert_string_equal(run_with(c, three, &o3), "[dropped=1]");
    assert_string_equal(run_with(c, three, &o4), "ec@3{host=h}n=3");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_eq_case_insensitive),
        cmocka_unit_test(test_cased),
        cmocka_unit_test(test_wildcards),
        cmocka_unit_test(test_contains_startswith_endswith),
        cmocka_unit_test(test_value_sets),
        cmocka_unit_test(test_keywords),
        cmocka_unit_test(test_null_and_exists),
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_neq),
        cmocka_unit_test(test_booleans),
        cmocka_unit_test(test_cidr),
        cmocka_unit_test(test_fieldref),
        cmocka_unit_test(test_encodings),
        cmocka_unit_test(test_windash),
        cmocka_unit_test(test_regex),
        cmocka_unit_test(test_regex_catastrophic),
        cmocka_unit_test(test_shared_tests),
        cmocka_unit_test(test_lists_and_all),
        cmocka_unit_test(test_conditions),
        cmocka_unit_test(test_nested_fields),
        cmocka_unit_test(test_timepart),
        cmocka_unit_test(test_expand_refused),
        cmocka_unit_test(test_legacy_count),
        cmocka_unit_test(test_legacy_value_count),
        cmocka_unit_test(test_dispatch),
        cmocka_unit_test(test_prefilter),
        cmocka_unit_test(test_threshold_block),
        cmocka_unit_test(test_corr_event_count),
        cmocka_unit_test(test_corr_value_count),
        cmocka_unit_test(test_corr_temporal),
        cmocka_unit_test(test_corr_temporal_ordered),
        cmocka_unit_test(test_corr_temporal_condition),
        cmocka_unit_test(test_corr_of_aggregating_rule_refused),
        cmocka_unit_test(test_corr_ordered_condition_refused),
        cmocka_unit_test(test_corr_value_sum_avg),
        cmocka_unit_test(test_corr_percentile_median),
        cmocka_unit_test(test_legacy_min_max),
        cmocka_unit_test(test_count_lt_at_close),
        cmocka_unit_test(test_window_inclusive_edge),
        cmocka_unit_test(test_window_out_of_order_and_equal_times),
        cmocka_unit_test(test_groups_kept_apart),
        cmocka_unit_test(test_eviction_counters),
    };
    return cmocka_run_group_tests(tests, NULL, teardown_all);
}
