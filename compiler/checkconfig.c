/* checkconfig.c - sigma-cli validation configuration (see checkconfig.h). */
#include "checkconfig.h"

#include <stdlib.h>
#include <string.h>

static bool sg_cfg_id(sg_diags *diags, const char *file, sg_ynode *n, sg_diag_id *out) {
    if (!sg_ynode_is_str(n)) {
        sg_diag_add(diags, SG_D_RULE_STRUCTURE, sg_ynode_loc(file, n), "a check name must be a string");
        return false;
    }
    char name[128];
    if (n->str.len >= sizeof name) {
        sg_diag_add(diags, SG_D_RULE_VALUE, sg_ynode_loc(file, n), "unknown check '%.*s'", SG_STR_ARG(n->str));
        return false;
    }
    memcpy(name, n->str.ptr, n->str.len);
    name[n->str.len] = '\0';
    *out = sg_diag_lookup(name);
    if (*out == SG_D__COUNT) {
        sg_diag_add(diags, SG_D_RULE_VALUE, sg_ynode_loc(file, n), "unknown check '%s' (see 'sigc list checks')", name);
        return false;
    }
    return true;
}

int sg_check_config_load(sg_check_config *cfg, const char *file, const char *data, size_t len, sg_diags *diags) {
    memset(cfg, 0, sizeof *cfg);
    cfg->arena = sg_arena_new();
    for (int i = 0; i < SG_D__COUNT; i++) cfg->enabled[i] = true;
    size_t errors = diags->by_severity[SG_SEV_ERROR];
    sg_ydoc *docs;
    size_t ndocs;
    if (sg_yaml_load(cfg->arena, file, data, len, &sg_yaml_default_limits, diags, &docs, &ndocs) != 0) return -1;
    sg_ynode *root = ndocs ? docs[0].root : NULL;
    if (root && root->kind != SG_YN_MAP) {
        sg_diag_add(diags, SG_D_RULE_STRUCTURE, sg_ynode_loc(file, root), "a validation config must be a mapping");
        return -1;
    }
    for (size_t i = 0; root && i < root->count; i++) {
        sg_ynode *k = root->pairs[i].key, *v = root->pairs[i].value;
        if (sg_str_eq_cstr(k->str, "validators")) {
            if (v->kind != SG_YN_SEQ) {
                sg_diag_add(diags, SG_D_RULE_STRUCTURE, sg_ynode_loc(file, v), "'validators' must be a list");
                continue;
            }
            cfg->has_validators = true;
            for (int d = 0; d < SG_D__COUNT; d++) cfg->enabled[d] = false;
            for (size_t j = 0; j < v->count; j++) {
                sg_ynode *it = v->items[j];
                if (sg_ynode_is_str(it) && sg_str_eq_cstr(it->str, "all")) {
                    for (int d = 0; d < SG_D__COUNT; d++) cfg->enabled[d] = true;
                    continue;
                }
                bool off = sg_ynode_is_str(it) && it->str.len && it->str.ptr[0] == '-';
                sg_ynode name = *it;
                if (off) name.str = (sg_str){it->str.ptr + 1, it->str.len - 1};
                sg_diag_id id;
                if (sg_cfg_id(diags, file, &name, &id)) cfg->enabled[id] = !off;
            }
        } else if (sg_str_eq_cstr(k->str, "exclusions")) {
            if (v->kind != SG_YN_MAP) {
                sg_diag_add(diags, SG_D_RULE_STRUCTURE, sg_ynode_loc(file, v), "'exclusions' must map rule ids to check names");
                continue;
            }
            cfg->exclusions = SG_NEW_ARRAY(cfg->arena, sg_check_exclusion, v->count ? v->count : 1);
            for (size_t j = 0; j < v->count; j++) {
                sg_ynode *names = v->pairs[j].value;
                sg_check_exclusion *ex = &cfg->exclusions[cfg->n_exclusions++];
                ex->rule_id = v->pairs[j].key->str;
                size_t n = names->kind == SG_YN_SEQ ? names->count : 1;
                sg_ynode **items = names->kind == SG_YN_SEQ ? names->items : &v->pairs[j].value;
                ex->ids = SG_NEW_ARRAY(cfg->arena, sg_diag_id, n ? n : 1);
                for (size_t q = 0; q < n; q++)
                    if (sg_cfg_id(diags, file, items[q], &ex->ids[ex->count])) ex->count++;
            }
        } else if (sg_str_eq_cstr(k->str, "config")) {
            /* per-validator parameters: sigc's checks take none */
        } else {
            sg_diag_add(diags, SG_D_UNKNOWN_KEY, sg_ynode_loc(file, k),
                        "unknown key '%.*s' in a validation config (validators, exclusions, config)", SG_STR_ARG(k->str));
        }
    }
    return diags->by_severity[SG_SEV_ERROR] > errors ? -1 : 0;
}

void sg_check_config_disable(const sg_check_config *cfg, sg_diags *target) {
    if (!cfg->has_validators) return;
    for (int i = 0; i < SG_D__COUNT; i++)
        if (!cfg->enabled[i]) target->disabled[i] = true;
}

static bool sg_cfg_excluded(const sg_check_config *cfg, const sg_diag *d) {
    if (!d->rule_id) return false;
    for (size_t i = 0; i < cfg->n_exclusions; i++) {
        const sg_check_exclusion *ex = &cfg->exclusions[i];
        if (!sg_str_ieq(ex->rule_id, sg_str_from_cstr(d->rule_id))) continue;
        for (size_t j = 0; j < ex->count; j++)
            if (ex->ids[j] == d->id) return true;
    }
    return false;
}

void sg_check_config_filter(const sg_check_config *cfg, sg_diags *d) {
    size_t w = 0;
    for (size_t r = 0; r < d->count; r++) {
        if (sg_cfg_excluded(cfg, &d->items[r])) {
            d->by_severity[d->items[r].severity]--;
            free(d->items[r].message);
            free(d->items[r].rule_id);
            continue;
        }
        d->items[w++] = d->items[r];
    }
    d->count = w;
}

void sg_check_config_free(sg_check_config *cfg) {
    sg_arena_free(cfg->arena);
    memset(cfg, 0, sizeof *cfg);
}
