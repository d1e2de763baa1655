/* modifiers.h - the table of value modifiers (modifiers.def). */
#ifndef SG_MODIFIERS_H
#define SG_MODIFIERS_H

#include "arena.h"

typedef enum sg_mod_class {
    SG_MC_WILDCARD,   /* contains / startswith / endswith */
    SG_MC_FLAG,       /* all, expand, cased, neq: no value change */
    SG_MC_ENCODING,   /* string to string (or variants) */
    SG_MC_TYPE,       /* changes what the value is: re, cidr, exists, fieldref */
    SG_MC_REGEX_FLAG, /* i, m, s after re */
    SG_MC_COMPARE,    /* lt, lte, gt, gte */
    SG_MC_TIMEPART,   /* minute ... year */
} sg_mod_class;

typedef enum sg_mod {
#define SG_MOD(e, name, cls) SG_MOD_##e,
#include "modifiers.def"
#undef SG_MOD
    SG_MOD__COUNT
} sg_mod;

typedef struct sg_mod_info {
    const char *name;
    sg_mod_class cls;
} sg_mod_info;

extern const sg_mod_info sg_mod_table[SG_MOD__COUNT];
/* SG_MOD__COUNT when unknown. */
sg_mod sg_mod_lookup(sg_str name);

#endif
