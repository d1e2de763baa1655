/* fuzz_pipeline.c - libFuzzer target: arbitrary bytes as a pipeline file
 * (`sigc convert -p FILE` reads untrusted ones), loaded, applied to fixed
 * rules that use every mapping (fields, values, hashes, computed columns,
 * members, bags, correlations) and rendered by every backend. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "backend.h"
#include "pipeline.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Kept equal to pipeline_rules.yml, which replay.sh converts with each
 * kept pipeline crasher (regress/*.pipeline.yml). */
static const char RULES[] =
    "title: a\nid: 11111111-2222-4333-8444-555555555555\nname: a\n"
    "logsource: {category: process_creation, product: windows, service: sysmon}\n"
    "detection:\n  sel:\n    Image|endswith: '\\x.exe'\n    EventType: CreateKey\n    Initiated: true\n"
    "    Hashes|contains: ['IMPHASH=AA', 'SHA256=BB']\n    requestParameters.a.b: 3\n    Port|gt: 4\n"
    "    CommandLine|fieldref: ParentCommandLine\n  condition: sel\n"
    "---\n"
    "title: b\nid: 11111111-2222-4333-8444-666666666666\n"
    "correlation: {type: value_count, rules: [a], group-by: [User], timespan: 5m, condition: {gte: 2, field: Image}}\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    sg_diags diags;
    sg_diags_init(&diags);
    sg_ruleset rs;
    sg_ruleset_init(&rs, NULL, &diags);
    sg_ruleset_add_file(&rs, "r.yml", RULES, sizeof RULES - 1);
    sg_ruleset_resolve(&rs);
    sg_pipeline *p = sg_pipeline_load(&rs, "p.yml", (const char *)data, size, false);
    if (p) {
        sg_pipeline *pipes[1] = {p};
        sg_buf b;
        sg_buf_init(&b);
        for (size_t i = 0; i < rs.n_rules; i++) {
            sg_rule *r = rs.rules[i];
            if (r->has_errors) continue;
            sg_ir_rule *ir = sg_pipeline_apply(&rs, r, r->ir, pipes, 1, pipes, 1);
            if (!ir) continue;
            sg_ir_dump(&b, ir);
            for (size_t k = 0; k < sg_n_backends; k++) sg_backends[k]->emit_rule(&diags, ir, &b);
        }
        sg_buf_free(&b);
    }
    sg_ruleset_free(&rs);
    sg_diags_free(&diags);
    return 0;
}
