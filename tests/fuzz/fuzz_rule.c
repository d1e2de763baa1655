/* fuzz_rule.c - libFuzzer target: arbitrary bytes as a rule file through
 * the whole front end (YAML, rules, detection, conditions, correlations,
 * filters, threshold fill-in) and every check. */
#include <stddef.h>
#include <stdint.h>

#include "check.h"
#include "data.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    sg_diags diags;
    sg_diags_init(&diags);
    sg_ruleset rs;
    sg_ruleset_init(&rs, NULL, &diags);
    sg_ruleset_load_defaults(&rs, "thresholds.yml", sg_data_thresholds, sg_data_thresholds_len);
    sg_ruleset_add_file(&rs, "fuzz.yml", (const char *)data, size);
    sg_ruleset_resolve(&rs);
    sg_check_run(&rs);
    sg_buf b;
    sg_buf_init(&b);
    for (size_t i = 0; i < rs.n_rules; i++)
        if (!rs.rules[i]->has_errors) sg_ir_dump(&b, rs.rules[i]->ir);
    sg_buf_free(&b);
    sg_ruleset_free(&rs);
    sg_diags_free(&diags);
    return 0;
}
