/* check.c - lint checks (placeholder until the validators land). */
#include "check.h"

void sg_check_run(sg_ruleset *rs) { (void)rs; }
