/* checkconfig.h - sigma-cli's validation configuration for `sigc check -c`.
 *
 * The same YAML file SigmaHQ's CI passes to `sigma check -c`:
 *
 *   validators:          # applied in order: all, -name (off), name (on)
 *     - all
 *     - -escaped_wildcard
 *   exclusions:          # per rule id, checks whose findings are dropped
 *     5e2b9a1c-...:
 *       - number_as_string
 *
 * Names are check ids (`sigc list checks`); pySigma's validator names are
 * the same ids.  An unknown name is a located error.
 */
#ifndef SG_CHECKCONFIG_H
#define SG_CHECKCONFIG_H

#include "yamltree.h"

typedef struct sg_check_exclusion {
    sg_str rule_id;
    sg_diag_id *ids;
    size_t count;
} sg_check_exclusion;

typedef struct sg_check_config {
    sg_arena *arena;
    bool has_validators;
    bool enabled[SG_D__COUNT];
    sg_check_exclusion *exclusions;
    size_t n_exclusions;
} sg_check_config;

/* Loads file's bytes; returns 0, or -1 after located diagnostics. */
int sg_check_config_load(sg_check_config *cfg, const char *file, const char *data, size_t len, sg_diags *diags);
/* Switches off in target every check the config's validators leave off. */
void sg_check_config_disable(const sg_check_config *cfg, sg_diags *target);
/* Drops the findings the exclusions name. */
void sg_check_config_filter(const sg_check_config *cfg, sg_diags *d);
void sg_check_config_free(sg_check_config *cfg);

#endif
