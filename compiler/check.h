/* check.h - the lint checks of `sigc check` (pySigma's validators and more).
 *
 * Each check has an id in diag.def and reports located findings through
 * the rule set's diagnostics list.  Per-rule checks read the front-end
 * records (sg_rule: YAML nodes with positions, detection items as written)
 * and the IR; set checks (duplicate ids, titles, file names) compare rules
 * across everything loaded.
 */
#ifndef SG_CHECK_H
#define SG_CHECK_H

#include "rule.h"

/* Runs every enabled check over the whole rule set. */
void sg_check_run(sg_ruleset *rs);

/* The same in steps, so a rule is checked right after its file is loaded
 * (while its YAML tree is still in cache): sg_check_rule per rule, then
 * sg_checker_finish for the checks across rules.  Diagnostics disabled in
 * rs->diags must be set before sg_checker_new. */
typedef struct sg_checker sg_checker;
sg_checker *sg_checker_new(sg_ruleset *rs);
void sg_check_rule(sg_checker *c, sg_rule *r);
void sg_checker_finish(sg_checker *c);

#endif
