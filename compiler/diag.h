/* diag.h - located diagnostics.
 *
 * The compiler never prints: it appends sg_diag records to an sg_diags
 * list, and only the CLI renders them (text, JSON, SARIF, GitHub).  Every
 * diagnostic has a stable check id from diag.def (never reused, never
 * renamed) so CI configurations can exclude them and SARIF consumers can
 * key on them.
 */
#ifndef SG_DIAG_H
#define SG_DIAG_H

#include "arena.h"

typedef enum sg_severity {
    SG_SEV_NOTE = 0,
    SG_SEV_WARNING = 1,
    SG_SEV_ERROR = 2,
} sg_severity;

/* One id per kind of finding: SG_DIAG(ENUM_NAME, "check-id", default severity, "summary"). */
typedef enum sg_diag_id {
#define SG_DIAG(name, id, sev, summary) SG_D_##name,
#include "diag.def"
#undef SG_DIAG
    SG_D__COUNT
} sg_diag_id;

typedef struct sg_diag_info {
    const char *id;      /* stable check id, e.g. "yaml-duplicate-key" */
    sg_severity severity; /* default severity */
    const char *summary; /* one line, for `sigc list checks` and SARIF rules */
} sg_diag_info;

extern const sg_diag_info sg_diag_table[SG_D__COUNT];

/* A position in a source file.  line and col are 1-based; 0 means unknown
 * (a whole-file finding).  col counts characters, not bytes. */
typedef struct sg_loc {
    const char *file; /* borrowed: outlives the diagnostics list */
    uint32_t line;
    uint32_t col;
} sg_loc;

typedef struct sg_diag {
    sg_diag_id id;
    sg_severity severity;
    sg_loc loc;
    char *message; /* heap, owned by the list */
    char *rule_id; /* heap or NULL: the Sigma id of the rule concerned */
} sg_diag;

typedef struct sg_diags {
    sg_diag *items;
    size_t count;
    size_t cap;
    size_t by_severity[3];
    /* Checks switched off by the user (`-x ID`); their findings are dropped. */
    bool disabled[SG_D__COUNT];
} sg_diags;

void sg_diags_init(sg_diags *d);
void sg_diags_free(sg_diags *d);
/* Adds a diagnostic with the check's default severity. */
void sg_diag_add(sg_diags *d, sg_diag_id id, sg_loc loc, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Adds a diagnostic with an explicit severity. */
void sg_diag_add_sev(sg_diags *d, sg_diag_id id, sg_severity sev, sg_loc loc, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
void sg_diag_vadd(sg_diags *d, sg_diag_id id, sg_severity sev, sg_loc loc, const char *fmt,
                  va_list ap) __attribute__((format(printf, 5, 0)));
/* Sets rule_id on diagnostics [from, count) that have none. */
void sg_diags_tag_rule(sg_diags *d, size_t from, sg_str rule_id);
/* Stable sort by file, line, column, id, message. */
void sg_diags_sort(sg_diags *d);
/* Looks a check id up by name; returns SG_D__COUNT when unknown. */
sg_diag_id sg_diag_lookup(const char *id);
const char *sg_severity_name(sg_severity sev);
/* Parses "error", "warning", "note" (also "info"); false when unknown. */
bool sg_severity_parse(const char *s, sg_severity *out);

#endif
