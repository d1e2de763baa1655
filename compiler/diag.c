/* diag.c - the diagnostics list. */
#include "diag.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const sg_diag_info sg_diag_table[SG_D__COUNT] = {
#define SG_DIAG(name, id, sev, summary) [SG_D_##name] = {id, sev, summary},
#include "diag.def"
#undef SG_DIAG
};

void sg_diags_init(sg_diags *d) { memset(d, 0, sizeof *d); }

void sg_diags_free(sg_diags *d) {
    for (size_t i = 0; i < d->count; i++) {
        free(d->items[i].message);
        free(d->items[i].rule_id);
    }
    free(d->items);
    memset(d, 0, sizeof *d);
}

void sg_diag_vadd(sg_diags *d, sg_diag_id id, sg_severity sev, sg_loc loc, const char *fmt,
                  va_list ap) {
    if (id < SG_D__COUNT && d->disabled[id]) return;
    if (d->count == d->cap) {
        d->cap = d->cap ? d->cap * 2 : 32;
        d->items = sg_xrealloc(d->items, d->cap * sizeof *d->items);
    }
    sg_buf b;
    sg_buf_init(&b);
    sg_buf_vprintf(&b, fmt, ap);
    sg_diag *x = &d->items[d->count++];
    x->id = id;
    x->severity = sev;
    x->loc = loc;
    x->message = b.data ? b.data : sg_xstrdup("");
    x->rule_id = NULL;
    d->by_severity[sev]++;
}

void sg_diag_add(sg_diags *d, sg_diag_id id, sg_loc loc, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    sg_diag_vadd(d, id, sg_diag_table[id].severity, loc, fmt, ap);
    va_end(ap);
}

void sg_diag_add_sev(sg_diags *d, sg_diag_id id, sg_severity sev, sg_loc loc, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    sg_diag_vadd(d, id, sev, loc, fmt, ap);
    va_end(ap);
}

void sg_diags_tag_rule(sg_diags *d, size_t from, sg_str rule_id) {
    if (!rule_id.len) return;
    for (size_t i = from; i < d->count; i++) {
        if (d->items[i].rule_id) continue;
        char *s = sg_xmalloc(rule_id.len + 1);
        memcpy(s, rule_id.ptr, rule_id.len);
        s[rule_id.len] = '\0';
        d->items[i].rule_id = s;
    }
}

static int sg_diag_cmp(const void *pa, const void *pb) {
    const sg_diag *a = pa, *b = pb;
    int c = strcmp(a->loc.file ? a->loc.file : "", b->loc.file ? b->loc.file : "");
    if (c) return c;
    if (a->loc.line != b->loc.line) return a->loc.line < b->loc.line ? -1 : 1;
    if (a->loc.col != b->loc.col) return a->loc.col < b->loc.col ? -1 : 1;
    if (a->id != b->id) return a->id < b->id ? -1 : 1;
    return strcmp(a->message, b->message);
}

void sg_diags_sort(sg_diags *d) {
    if (d->count > 1) qsort(d->items, d->count, sizeof *d->items, sg_diag_cmp);
}

sg_diag_id sg_diag_lookup(const char *id) {
    for (int i = 0; i < SG_D__COUNT; i++)
        if (strcmp(sg_diag_table[i].id, id) == 0) return (sg_diag_id)i;
    return SG_D__COUNT;
}

const char *sg_severity_name(sg_severity sev) {
    switch (sev) {
    case SG_SEV_ERROR: return "error";
    case SG_SEV_WARNING: return "warning";
    default: return "note";
    }
}

bool sg_severity_parse(const char *s, sg_severity *out) {
    if (strcmp(s, "error") == 0) *out = SG_SEV_ERROR;
    else if (strcmp(s, "warning") == 0) *out = SG_SEV_WARNING;
    else if (strcmp(s, "note") == 0 || strcmp(s, "info") == 0) *out = SG_SEV_NOTE;
    else return false;
    return true;
}
