/* sgm_index.c - what the runtime derives from the tables (sgm_index): the
 * checks every table passes first; the prefilter's masks, lists, keyword
 * scanners and per-bucket rule sets; the filters of (gram, field) pairs
 * and of the bytes after an anchor gram; the value sets; and each rule's
 * condition as a program of steps.
 *
 * The part from the tables is a function of the tables alone.  `sigc
 * match` builds it at start-up; `sigc convert -t c` builds it from the
 * tables it writes and emits it beside them (backends/c.c), so a generated
 * matcher starts without building it; its --check-index builds it again
 * and compares (sgm_index_diff).  Built arrays are zeroed first, so the
 * same tables give the same bytes.
 */
#include <stdlib.h>
#include <string.h>

#include "sgm_impl.h"

/* ---- checks ------------------------------------------------------------- */

static bool sgm_str_ok(const sgm_tables *t, sgm_str s) {
    return (uint64_t)s.off + s.len <= t->pool_len;
}

bool sgm_tables_check(const sgm_tables *t, char *err, size_t errlen) {
    /* the table's references must stay in bounds */
    bool dispatch_ok = t->dispatch_field == SGM_NONE ||
                       (t->dispatch_field < t->n_fields && (t->channel_field == SGM_NONE || t->channel_field < t->n_fields) &&
                        (uint64_t)t->any_present + t->n_any_present <= t->n_dispatch &&
                        (uint64_t)t->any_absent + t->n_any_absent <= t->n_dispatch);
    for (uint32_t i = 0; dispatch_ok && i < t->n_buckets; i++)
        dispatch_ok = (uint64_t)t->buckets[i].rules + t->buckets[i].n_rules <= t->n_dispatch;
    for (uint32_t i = 0; dispatch_ok && i < t->n_dispatch; i++) dispatch_ok = t->dispatch[i] < t->n_rules;
    if (t->n_atoms) { /* the prefilter's references, and its table's shape */
        dispatch_ok = dispatch_ok && t->prefiltered && t->gram_bits && t->grams && ((t->gram_mask + 1) & t->gram_mask) == 0;
        for (uint32_t i = 0; dispatch_ok && i < t->n_atoms; i++) {
            const sgm_atom *a = &t->atoms[i];
            dispatch_ok = (a->field < t->n_fields || a->field == SGM_NONE) && (uint64_t)a->rules + a->n_rules <= t->n_pf &&
                          a->text.len >= 2 && (uint64_t)a->anchor + (a->text.len < 4 ? a->text.len : 4) <= a->text.len;
            for (uint32_t k = 0; dispatch_ok && k < a->n_rules; k++) dispatch_ok = t->pf[a->rules + k] < t->n_rules;
        }
        for (uint32_t i = 0; dispatch_ok && i <= t->gram_mask; i++) {
            const sgm_gram *g = &t->grams[i];
            dispatch_ok = (uint64_t)g->atoms + g->n_atoms <= t->n_pf;
            for (uint32_t k = 0; dispatch_ok && k < g->n_atoms; k++) dispatch_ok = t->pf[g->atoms + k] < t->n_atoms;
        }
        for (uint32_t i = 0; dispatch_ok && i < t->n_scan_fields; i++) dispatch_ok = t->scan_fields[i] < t->n_fields;
        for (uint32_t i = 0; dispatch_ok && t->pred_atom && i < t->n_preds; i++)
            dispatch_ok = t->pred_atom[i] == SGM_NONE || t->pred_atom[i] < t->n_atoms;
    }
    if (!dispatch_ok) {
        snprintf(err, errlen, "the tables are inconsistent (dispatch)");
        return false;
    }
    if (t->n_preds > SGM_STEP_ARG) { /* a step names a predicate in 29 bits */
        snprintf(err, errlen, "the tables are too large (%u predicates)", (unsigned)t->n_preds);
        return false;
    }
    /* every string in the pool */
    bool strings_ok = t->pool != NULL;
    for (uint32_t i = 0; strings_ok && i < t->n_fields; i++) strings_ok = sgm_str_ok(t, t->fields[i]);
    for (uint32_t i = 0; strings_ok && i < t->n_strs; i++) strings_ok = sgm_str_ok(t, t->strs[i]);
    for (uint32_t i = 0; strings_ok && i < t->n_preds; i++) strings_ok = sgm_str_ok(t, t->preds[i].text);
    for (uint32_t i = 0; strings_ok && i < t->n_regexes; i++) strings_ok = sgm_str_ok(t, t->regexes[i].pattern);
    for (uint32_t i = 0; strings_ok && i < t->n_aliases; i++) strings_ok = sgm_str_ok(t, t->aliases[i].name);
    for (uint32_t i = 0; strings_ok && i < t->n_atoms; i++) strings_ok = sgm_str_ok(t, t->atoms[i].text);
    for (uint32_t i = 0; strings_ok && i < t->n_rules; i++)
        strings_ok = sgm_str_ok(t, t->rules[i].id) && sgm_str_ok(t, t->rules[i].title) && sgm_str_ok(t, t->rules[i].level);
    if (!strings_ok) {
        snprintf(err, errlen, "damaged tables: a string outside the pool");
        return false;
    }
    for (uint32_t i = 0; i < t->n_preds; i++) {
        const sgm_pred *p = &t->preds[i];
        if ((p->field != SGM_NONE && p->field >= t->n_fields) ||
            (p->op == SGM_OP_REGEX && p->arg >= t->n_regexes) || (p->op == SGM_OP_CIDR && p->arg >= t->n_cidrs) ||
            (p->op == SGM_OP_FIELDREF && p->arg >= t->n_fields)) {
            snprintf(err, errlen, "damaged tables: predicate %u", (unsigned)i);
            return false;
        }
    }
    for (uint32_t i = 0; i < t->n_aliases; i++)
        if (t->aliases[i].field >= t->n_fields) {
            snprintf(err, errlen, "damaged tables: alias %u", (unsigned)i);
            return false;
        }
    return true;
}

uint32_t sgm_bucket_of(const sgm_tables *t, double key) {
    uint32_t lo = 0, hi = t->n_buckets;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (t->buckets[mid].key < key) lo = mid + 1;
        else hi = mid;
    }
    return lo < t->n_buckets && t->buckets[lo].key == key ? lo : SGM_NONE;
}

/* ---- the prefilter's lists and masks ------------------------------------ */

/* A key-less dispatch list: its rules are marked with bit in rule_any, and
 * those without atoms copied to np from pos on.  Returns the new end. */
static uint32_t sgm_np_list(const sgm_tables *t, uint8_t *rule_any, uint32_t *np, uint32_t start, uint32_t n, uint8_t bit,
                            uint32_t pos) {
    for (uint32_t i = 0; i < n; i++) {
        uint32_t r = t->dispatch[start + i];
        rule_any[r] |= bit;
        if (!t->prefiltered[r]) np[pos++] = r;
    }
    return pos;
}

/* The scan masks (see sgm_index.scan_masks): a bucket's context is what
 * the atoms of its rules and of the key-less rules of its channel state
 * are about.  False when memory runs out. */
static bool sgm_scan_masks_build(const sgm_tables *t, sgm_index *ix) {
    uint32_t w = ix->mask_words = t->n_fields / 64 + 1, n_ctx = (t->n_buckets + 2) * 2, m = 2 * w;
    uint64_t *masks = calloc((size_t)n_ctx * m, sizeof *masks);
    ix->scan_masks = masks;
    /* each rule's atoms' bits (+ n_fields + 1 for an atom under 4 bytes), a run per rule in bits[] */
    uint32_t *first = calloc((size_t)t->n_rules + 1, sizeof *first), *bits = malloc(((size_t)t->n_pf + 1) * sizeof *bits);
    uint64_t *own = malloc((size_t)m * sizeof *own);
    bool ok = masks && first && bits && own;
    for (uint32_t i = 0; ok && i < t->n_atoms; i++)
        for (uint32_t k = 0; k < t->atoms[i].n_rules; k++) first[t->pf[t->atoms[i].rules + k] + 1]++;
    for (uint32_t r = 0; ok && r < t->n_rules; r++) first[r + 1] += first[r];
    for (uint32_t i = 0; ok && i < t->n_atoms; i++) {
        uint32_t b = (t->atoms[i].field == SGM_NONE ? t->n_fields : t->atoms[i].field) +
                     (t->atoms[i].text.len < 4 ? t->n_fields + 1 : 0);
        for (uint32_t k = 0; k < t->atoms[i].n_rules; k++) bits[first[t->pf[t->atoms[i].rules + k]]++] = b;
    }
    for (uint32_t r = t->n_rules; ok && r > 0; r--) first[r] = first[r - 1]; /* back to the starts */
    if (ok) first[0] = 0;
    /* a short atom sets its field's bit in both masks */
#define SGM_MASK_SET(mask, b) ((mask)[(b) >> 6] |= (uint64_t)1 << ((b) & 63))
#define SGM_MASK_ADD_RULES(mask, list, n)                                                     \
    for (uint32_t i_ = 0; i_ < (n); i_++)                                                     \
        for (uint32_t r_ = (list)[i_], j_ = first[r_]; j_ < first[r_ + 1]; j_++) {            \
            uint32_t b_ = bits[j_] > t->n_fields ? bits[j_] - t->n_fields - 1 : bits[j_];      \
            SGM_MASK_SET(mask, b_);                                                           \
            if (bits[j_] > t->n_fields) SGM_MASK_SET((mask) + w, b_);                         \
        }
    if (ok) {
        uint64_t *none_present = masks + (size_t)t->n_buckets * 2 * m, *none_absent = none_present + m;
        uint64_t *all = none_absent + m;
        SGM_MASK_ADD_RULES(none_present, t->dispatch + t->any_present, t->n_any_present);
        SGM_MASK_ADD_RULES(none_absent, t->dispatch + t->any_absent, t->n_any_absent);
        for (uint32_t k = 0; k < t->n_buckets; k++) {
            memset(own, 0, (size_t)m * sizeof *own);
            SGM_MASK_ADD_RULES(own, t->dispatch + t->buckets[k].rules, t->buckets[k].n_rules);
            for (uint32_t i = 0; i < m; i++) {
                masks[(size_t)k * 2 * m + i] = own[i] | none_present[i];
                masks[((size_t)k * 2 + 1) * m + i] = own[i] | none_absent[i];
            }
        }
        for (uint32_t i = 0; i < t->n_scan_fields; i++) SGM_MASK_SET(all, t->scan_fields[i]);
        if (t->keyword_atoms) SGM_MASK_SET(all, t->n_fields);
        for (uint32_t i = 0; t->short_atoms && i < w; i++) all[w + i] = all[i];
    }
#undef SGM_MASK_ADD_RULES
#undef SGM_MASK_SET
    free(first);
    free(bits);
    free(own);
    return ok;
}

/* The lists the prefiltered scan works from: the dispatch lists less the
 * prefiltered rules, which of those rules sit in the key-less lists, and
 * the masks of what it scans.  False when memory runs out. */
static bool sgm_np_build(const sgm_tables *t, sgm_index *ix) {
    uint32_t n = t->n_rules ? t->n_rules : 1;
    uint8_t *rule_any = calloc(n, 1);
    uint32_t *np = calloc((size_t)t->n_dispatch + n + 1, sizeof *np);
    uint32_t *np_bucket = calloc((size_t)t->n_buckets + 1, sizeof *np_bucket);
    uint32_t *np_bucket_n = calloc((size_t)t->n_buckets + 1, sizeof *np_bucket_n);
    ix->rule_any = rule_any;
    ix->np = np;
    ix->np_bucket = np_bucket;
    ix->np_bucket_n = np_bucket_n;
    if (!rule_any || !np || !np_bucket || !np_bucket_n || !sgm_scan_masks_build(t, ix)) return false;
    for (uint32_t a = 0; a < t->n_atoms; a++) {
        const unsigned char *text = (const unsigned char *)sgm_text(t, t->atoms[a].text);
        if (t->atoms[a].text.len == 2 && text[0] < 0x80 && text[1] < 0x80) ix->pair_end[text[1]] = 1;
    }
    uint32_t pos = 0;
    for (uint32_t k = 0; k < t->n_buckets; k++) {
        np_bucket[k] = pos;
        for (uint32_t i = 0; i < t->buckets[k].n_rules; i++) {
            uint32_t r = t->dispatch[t->buckets[k].rules + i];
            if (!t->prefiltered[r]) np[pos++] = r;
        }
        np_bucket_n[k] = pos - np_bucket[k];
    }
    ix->np_present = pos;
    pos = sgm_np_list(t, rule_any, np, t->any_present, t->n_any_present, 1, pos);
    ix->n_np_present = pos - ix->np_present;
    ix->np_absent = pos;
    pos = sgm_np_list(t, rule_any, np, t->any_absent, t->n_any_absent, 2, pos);
    ix->n_np_absent = pos - ix->np_absent;
    ix->np_all = pos;
    for (uint32_t r = 0; r < t->n_rules; r++)
        if (!t->prefiltered[r]) np[pos++] = r;
    ix->n_np_all = pos - ix->np_all;
    ix->n_np = pos;
    uint32_t words = t->n_rules / 64 + 1;
    uint64_t *bits = calloc((size_t)t->n_buckets * words + 1, sizeof *bits);
    ix->bucket_rules = bits;
    if (!bits) return false;
    for (uint32_t k = 0; k < t->n_buckets; k++)
        for (uint32_t i = 0; i < t->buckets[k].n_rules; i++) {
            uint32_t r = t->dispatch[t->buckets[k].rules + i];
            bits[(size_t)k * words + r / 64] |= (uint64_t)1 << (r % 64);
        }
    return true;
}

/* ---- keyword scanners --------------------------------------------------- */

static int sgm_kw_entry_cmp(const void *a, const void *b) {
    const sgm_kw_entry *x = a, *y = b;
    /* by gram, then atom and offset: the order does not depend on qsort's */
    if (x->gram != y->gram) return x->gram < y->gram ? -1 : 1;
    if (x->atom != y->atom) return x->atom < y->atom ? -1 : 1;
    return x->off < y->off ? -1 : x->off > y->off;
}

/* The channel a rule requires, as a conjunct of its condition (Channel
 * equals text, case-insensitively): false when it has none. */
static bool sgm_channel_pred(const sgm_tables *t, uint32_t node, sgm_str *text) {
    if (node >= t->n_nodes || t->nodes[node].kind != SGM_N_PRED || t->nodes[node].arg >= t->n_preds) return false;
    const sgm_pred *p = &t->preds[t->nodes[node].arg];
    if (p->field != t->channel_field || p->op != SGM_OP_EQ || (p->flags & SGM_PF_CASED) || p->timepart) return false;
    *text = p->text;
    return true;
}

static bool sgm_rule_channel(const sgm_tables *t, uint32_t r, sgm_str *text) {
    uint32_t x = t->rules[r].expr;
    if (sgm_channel_pred(t, x, text)) return true;
    if (x >= t->n_nodes || t->nodes[x].kind != SGM_N_AND) return false;
    for (uint32_t i = 0; i < t->nodes[x].count && (uint64_t)t->nodes[x].arg + i < t->n_kids; i++)
        if (sgm_channel_pred(t, t->kids[t->nodes[x].arg + i], text)) return true;
    return false;
}

/* Scanner g, of the keyword atoms marked in want (n_atoms bits): its
 * entries from *n_entries on (room for step per atom was made), its bits
 * and atoms words. */
static void sgm_kw_build(const sgm_tables *t, const uint64_t *want, uint32_t g, sgm_kw_scan *scans,
                         sgm_kw_entry *entries, uint32_t *n_entries, uint64_t *bits, uint64_t *atoms) {
    uint32_t words = t->n_atoms / 64 + 1, shortest = UINT32_MAX;
    sgm_kw_scan *k = &scans[g];
    k->first = *n_entries;
    k->bits = g * SGM_KW_WORDS;
    k->atoms = g * words;
    for (uint32_t a = 0; a < t->n_atoms; a++)
        if (sgm_mask_has(want, a) && t->atoms[a].text.len < shortest) shortest = t->atoms[a].text.len;
    if (shortest < 4) return; /* step 0 */
    k->step = shortest == UINT32_MAX ? 1 : shortest - 3;
    k->shortest = shortest == UINT32_MAX ? 4 : shortest;
    memcpy(atoms + k->atoms, want, (size_t)words * sizeof *atoms);
    uint64_t *b = bits + k->bits;
    for (uint32_t a = 0; a < t->n_atoms; a++) {
        if (!sgm_mask_has(want, a)) continue;
        const unsigned char *s = (const unsigned char *)sgm_text(t, t->atoms[a].text);
        /* step offsets from first, around the anchor, within the atom's
         * len - 3 grams (step <= len - 3: no atom is shorter than shortest) */
        uint32_t len = t->atoms[a].text.len, half = (k->step - 1) / 2, anchor = t->atoms[a].anchor;
        uint32_t first = anchor > half ? anchor - half : 0;
        if (first > len - 3 - k->step) first = len - 3 - k->step;
        for (uint32_t off = first; off < first + k->step; off++) {
            uint32_t gram = (uint32_t)s[off] | (uint32_t)s[off + 1] << 8 | (uint32_t)s[off + 2] << 16 | (uint32_t)s[off + 3] << 24;
            entries[k->first + k->n++] = (sgm_kw_entry){gram, a, off};
            b[SGM_KW_BIT(gram) >> 6] |= (uint64_t)1 << (SGM_KW_BIT(gram) & 63);
        }
    }
    qsort(entries + k->first, k->n, sizeof *entries, sgm_kw_entry_cmp);
    *n_entries += k->n;
}

/* The keyword scanners: one per channel that a key-less rule with keyword
 * atoms requires, and one for the other channels; which one each of the
 * index's channels (ix->channels, the steps' Channel texts, built first)
 * takes.  Left out (every keyword atom at every byte) without dispatch on
 * a channel.  Needs rule_any.  False when memory runs out. */
static bool sgm_kw_index(const sgm_tables *t, sgm_index *ix) {
    if (!t->keyword_atoms || t->channel_field == SGM_NONE || t->dispatch_field == SGM_NONE) return true;
    uint32_t words = t->n_atoms / 64 + 1, n_kw_steps = 0;
    uint8_t *has_kw = calloc((size_t)t->n_rules + 1, 1);
    uint32_t *chan = malloc(((size_t)t->n_rules + 1) * sizeof *chan); /* per rule: its channel's index, or SGM_NONE */
    uint8_t *bucket_kw = calloc((size_t)t->n_buckets + 1, 1);
    uint32_t *of_channel = malloc(((size_t)ix->n_channels + 1) * sizeof *of_channel);
    uint64_t *want = malloc((size_t)words * sizeof *want);
    ix->bucket_kw = bucket_kw;
    ix->kw_of_channel = of_channel;
    bool ok = has_kw && chan && bucket_kw && of_channel && want;
    for (uint32_t c = 0; ok && c < ix->n_channels; c++) of_channel[c] = SGM_NONE;
    for (uint32_t a = 0; ok && a < t->n_atoms; a++)
        if (t->atoms[a].field == SGM_NONE)
            for (uint32_t i = 0; i < t->atoms[a].n_rules; i++) has_kw[t->pf[t->atoms[a].rules + i]] = 1;
    for (uint32_t k = 0; ok && k < t->n_buckets; k++)
        for (uint32_t i = 0; i < t->buckets[k].n_rules; i++) bucket_kw[k] |= has_kw[t->dispatch[t->buckets[k].rules + i]];
    for (uint32_t i = 0; ok && i < t->n_any_present; i++) {
        uint32_t r = t->dispatch[t->any_present + i];
        sgm_str c;
        chan[r] = SGM_NONE;
        if (!has_kw[r] || !sgm_rule_channel(t, r, &c)) continue;
        /* its channel among the steps' (a scanner of its own the first time) */
        uint32_t id = 0;
        while (id < ix->n_channels && !(ix->channels[id].len == c.len &&
                                         memcmp(sgm_text(t, ix->channels[id]), sgm_text(t, c), c.len) == 0))
            id++;
        if (id == ix->n_channels) continue; /* none (longer than a CHANNEL step takes): scanned everywhere */
        if (of_channel[id] == SGM_NONE) of_channel[id] = ix->n_kw_channels++;
        chan[r] = of_channel[id];
    }
    uint32_t n_scans = ix->n_kw_channels + 1;
    for (uint32_t c = 0; ok && c < ix->n_channels; c++) /* the other channels: the last scanner */
        if (of_channel[c] == SGM_NONE) of_channel[c] = ix->n_kw_channels;
    /* a scanner holds at most step (the shortest atom less 3) entries per atom */
    for (uint32_t a = 0; ok && a < t->n_atoms; a++)
        if (t->atoms[a].field == SGM_NONE && t->atoms[a].text.len > 3) n_kw_steps += t->atoms[a].text.len - 3;
    sgm_kw_scan *scans = ok ? calloc(n_scans, sizeof *scans) : NULL;
    sgm_kw_entry *entries = ok ? calloc((size_t)n_scans * n_kw_steps + 1, sizeof *entries) : NULL;
    uint64_t *bits = ok ? calloc((size_t)n_scans * SGM_KW_WORDS, sizeof *bits) : NULL;
    uint64_t *atoms = ok ? calloc((size_t)n_scans * words, sizeof *atoms) : NULL;
    ix->kw_scans = scans;
    ix->kw_entries = entries;
    ix->kw_bits = bits;
    ix->kw_atoms = atoms;
    ok = ok && scans && entries && bits && atoms;
    for (uint32_t g = 0; ok && g < n_scans; g++) {
        /* the keyword atoms of the key-less rules that hold on channel g */
        memset(want, 0, (size_t)words * sizeof *want);
        for (uint32_t a = 0; a < t->n_atoms; a++) {
            if (t->atoms[a].field != SGM_NONE) continue;
            for (uint32_t i = 0; i < t->atoms[a].n_rules; i++) {
                uint32_t r = t->pf[t->atoms[a].rules + i];
                if ((ix->rule_any[r] & 1) && (chan[r] == SGM_NONE || chan[r] == g)) want[a >> 6] |= (uint64_t)1 << (a & 63);
            }
        }
        sgm_kw_build(t, want, g, scans, entries, &ix->n_kw_entries, bits, atoms);
    }
    if (ok && ix->n_kw_entries) { /* room was made for the longest step: give back the rest */
        sgm_kw_entry *fit = realloc(entries, (size_t)ix->n_kw_entries * sizeof *fit);
        if (fit) ix->kw_entries = fit;
    }
    free(has_kw);
    free(chan);
    free(want);
    return ok;
}

/* ---- the filter of (anchor gram, field) --------------------------------- */

/* field_grams, and the filters of what follows a 4-byte anchor
 * (pair_grams, open_grams). */
static bool sgm_field_grams_build(const sgm_tables *t, sgm_index *ix) {
    uint64_t *fg = calloc(((size_t)1 << SGM_FIELD_GRAM_LOG2) / 64, sizeof *fg);
    uint64_t *pair = calloc(((size_t)1 << SGM_PAIR_GRAM_LOG2) / 64, sizeof *pair);
    uint64_t *open = calloc(((size_t)1 << SGM_OPEN_GRAM_LOG2) / 64, sizeof *open);
    ix->field_grams = fg;
    ix->pair_grams = pair;
    ix->open_grams = open;
    if (!fg || !pair || !open) return false;
    for (uint32_t a = 0; a < t->n_atoms; a++) {
        const sgm_atom *at = &t->atoms[a];
        const unsigned char *text = (const unsigned char *)sgm_text(t, at->text) + at->anchor;
        uint32_t len = at->text.len < 4 ? at->text.len : 4, g = 0; /* anchor + len <= text.len: checked */
        for (uint32_t i = 0; i < len; i++) g |= (uint32_t)text[i] << (8 * i);
        uint32_t bit = sgm_field_gram_bit(g, len, at->field);
        fg[bit >> 6] |= (uint64_t)1 << (bit & 63);
        if (len < 4) continue;
        if ((uint64_t)at->anchor + 8 <= at->text.len) {
            uint32_t next = (uint32_t)text[4] | (uint32_t)text[5] << 8 | (uint32_t)text[6] << 16 | (uint32_t)text[7] << 24;
            bit = sgm_pair_gram_bit(g, next);
            pair[bit >> 6] |= (uint64_t)1 << (bit & 63);
        } else {
            bit = sgm_open_gram_bit(g);
            open[bit >> 6] |= (uint64_t)1 << (bit & 63);
        }
    }
    return true;
}

/* ---- value sets ------------------------------------------------------------
 * An OR over SGM_VSET_MIN or more tests of one field with one operator
 * (equals, startswith or endswith; cased or not), as a rule's value list
 * gives, is one hash lookup per value of the field, not one test per item
 * (sgm_eval.c).  The key (sgm_vset_key): for startswith and endswith, 8
 * edge bytes in a set of items that long or longer, 4 in a set of items of 4
 * to 7 bytes (file extensions: '.exe', '.dll'); shorter items are tested
 * one by one, as are the OR's other kids. */
#define SGM_VSET_MIN 4

/* The edge of a startswith or endswith item (0: too short for a set). */
static uint8_t sgm_vset_edge(const sgm_pred *p) {
    if (p->op == SGM_OP_EQ) return 0;
    return p->text.len >= 8 ? 8 : p->text.len >= 4 ? 4 : 0;
}

/* Whether the predicate can be an item of a value set. */
static bool sgm_vset_item(const sgm_tables *t, uint32_t kid) {
    const sgm_node *k = &t->nodes[kid];
    if (k->kind != SGM_N_PRED) return false;
    const sgm_pred *p = &t->preds[k->arg];
    if (p->field == SGM_NONE || p->timepart) return false;
    return p->op == SGM_OP_EQ || ((p->op == SGM_OP_STARTSWITH || p->op == SGM_OP_ENDSWITH) && sgm_vset_edge(p));
}

static bool sgm_vset_same(const sgm_tables *t, uint32_t kid_a, uint32_t kid_b) {
    const sgm_pred *a = &t->preds[t->nodes[kid_a].arg], *b = &t->preds[t->nodes[kid_b].arg];
    return a->field == b->field && a->op == b->op && (a->flags & SGM_PF_CASED) == (b->flags & SGM_PF_CASED) &&
           sgm_vset_edge(a) == sgm_vset_edge(b);
}

/* The value lists of the OR nodes, while the index is built (the steps
 * take them in, sgm_steps_build): per node its plan + 1, or 0; a plan's
 * value sets (in sgm_index.vsets) and its kids in no set. */
typedef struct sgm_or_plan {
    uint32_t first_set, n_sets;
    uint32_t first_kid, n_kids; /* in kids */
} sgm_or_plan;

typedef struct sgm_plans {
    uint32_t *of_node;
    sgm_or_plan *v;
    uint32_t n, cap;
    uint32_t *kids;
    uint32_t n_kids, cap_kids;
} sgm_plans;

/* Room for n + more items in *arr (capacity *cap, doubled from 16, new room
 * zeroed).  False when memory runs out (the array stays as it was). */
static bool sgm_grow(void **arr, uint32_t n, uint32_t more, uint32_t *cap, size_t size) {
    if ((uint64_t)n + more <= *cap) return true;
    uint64_t c = *cap ? *cap : 16;
    while (c < (uint64_t)n + more) c *= 2;
    if (c > UINT32_MAX) return false;
    char *p = realloc(*arr, (size_t)c * size);
    if (!p) return false;
    memset(p + (size_t)*cap * size, 0, (size_t)(c - *cap) * size);
    *arr = p;
    *cap = (uint32_t)c;
    return true;
}

static bool sgm_vsets_build(const sgm_tables *t, sgm_index *ix, sgm_plans *pl) {
    uint32_t cap_sets = 0, cap_slots = 0;
    sgm_vset *sets = NULL;
    uint32_t *preds = NULL;
    uint64_t *keys = NULL;
    uint32_t cap_keys = 0;
    uint32_t *group = NULL, cap_group = 0; /* per kid of the node: the index of its group's first kid, or
                                              SGM_NONE; then the groups' first kids */
    bool ok = (pl->of_node = calloc(t->n_nodes ? t->n_nodes : 1, sizeof *pl->of_node)) != NULL;
    for (uint32_t node = 0; ok && node < t->n_nodes; node++) {
        const sgm_node *n = &t->nodes[node];
        if (n->kind != SGM_N_OR || n->count < SGM_VSET_MIN) continue;
        const uint32_t *kids = t->kids + n->arg;
        if (n->count > cap_group) {
            uint32_t *g = realloc(group, 2 * (size_t)n->count * sizeof *g);
            if (!g) {
                ok = false;
                break;
            }
            group = g;
            cap_group = n->count;
        }
        /* each item kid joins the group of the first kid like it (the
         * groups' first kids are listed at the end of group[], from the top) */
        uint32_t n_heads = 0;
        for (uint32_t i = 0; i < n->count; i++) {
            group[i] = SGM_NONE;
            if (!sgm_vset_item(t, kids[i])) continue;
            for (uint32_t h = 0; h < n_heads && group[i] == SGM_NONE; h++)
                if (sgm_vset_same(t, kids[i], kids[group[n->count + h]])) group[i] = group[n->count + h];
            if (group[i] == SGM_NONE) group[i] = i, group[n->count + n_heads++] = i;
        }
        uint32_t first_set = ix->n_vsets, first_kid = pl->n_kids;
        for (uint32_t hd = 0; ok && hd < n_heads; hd++) {
            uint32_t i = group[n->count + hd];
            uint32_t members = 0;
            for (uint32_t j = i; j < n->count; j++) members += group[j] == i;
            if (members < SGM_VSET_MIN) continue;
            uint32_t slots = 16;
            while (slots < members * 2) slots *= 2;
            if (!sgm_grow((void **)&sets, ix->n_vsets, 1, &cap_sets, sizeof *sets) ||
                !sgm_grow((void **)&keys, ix->n_vset_slots, slots, &cap_keys, sizeof *keys) ||
                !sgm_grow((void **)&preds, ix->n_vset_slots, slots, &cap_slots, sizeof *preds)) {
                ok = false;
                break;
            }
            sgm_vset *s = &sets[ix->n_vsets++];
            const sgm_pred *p0 = &t->preds[t->nodes[kids[i]].arg];
            *s = (sgm_vset){p0->field, p0->op, (p0->flags & SGM_PF_CASED) != 0, sgm_vset_edge(p0), 0, slots - 1,
                            ix->n_vset_slots};
            ix->n_vset_slots += slots;
            uint64_t *s_keys = keys + s->slots;
            uint32_t *s_preds = preds + s->slots;
            for (uint32_t j = i; j < n->count; j++) {
                if (group[j] != i) continue;
                uint32_t pi = t->nodes[kids[j]].arg;
                const sgm_pred *p = &t->preds[pi];
                uint64_t key = sgm_vset_key(s->op, s->cased, s->edge, sgm_text(t, p->text), p->text.len);
                uint32_t h = sgm_vset_slot(key, s->mask);
                while (s_preds[h]) h = (h + 1) & s->mask;
                s_keys[h] = key;
                s_preds[h] = pi + 1;
                group[j] = SGM_NONE - 1; /* in a set */
            }
        }
        if (!ok || ix->n_vsets == first_set) continue; /* no list here: the OR stays as it is */
        for (uint32_t i = 0; ok && i < n->count; i++) {
            if (group[i] == SGM_NONE - 1) continue;
            ok = sgm_grow((void **)&pl->kids, pl->n_kids, 1, &pl->cap_kids, sizeof *pl->kids);
            if (ok) pl->kids[pl->n_kids++] = kids[i];
        }
        if (ok) ok = sgm_grow((void **)&pl->v, pl->n, 1, &pl->cap, sizeof *pl->v);
        if (!ok) break;
        pl->v[pl->n] = (sgm_or_plan){first_set, ix->n_vsets - first_set, first_kid, pl->n_kids - first_kid};
        pl->of_node[node] = ++pl->n;
    }
    free(group);
    ix->vsets = sets;
    ix->vset_keys = keys;
    ix->vset_preds = preds;
    return ok;
}

/* ---- the rules' steps ------------------------------------------------------
 * A condition becomes steps by sgm_step_node(node, T, F): the steps that
 * go on to T when the node holds and to F when it does not; it returns the
 * first.  AND: each kid goes on to the next kid when it holds, to F when
 * not; OR the other way round; NOT swaps T and F; a value list tests its
 * sets first, then its other kids (as the OR itself would: an OR's kids
 * have no effects, so their order is free).  The steps are made from the
 * last to the first (a kid's targets are the steps made before it), then
 * turned around, so a rule's steps run forward in memory. */

typedef struct sgm_steps {
    sgm_step *v;
    uint32_t n, cap;
    sgm_str *channels;
    uint32_t n_channels, cap_channels;
    bool failed;
} sgm_steps;

/* A KEY or CHANNEL step for predicate p, if it is one (sgm_impl.h). */
static bool sgm_step_source(const sgm_tables *t, sgm_steps *st, const sgm_pred *p, uint32_t *flag, uint32_t *arg) {
    if (p->timepart || p->field == SGM_NONE) return false;
    if (p->field == t->dispatch_field && p->op == SGM_OP_NUM_EQ) {
        uint32_t b = sgm_bucket_of(t, p->num);
        if (b == SGM_NONE) return false;
        *flag = SGM_STEP_KEY;
        *arg = b;
        return true;
    }
    if (p->field != t->channel_field || p->op != SGM_OP_EQ || (p->flags & SGM_PF_CASED) || p->text.len > SGM_KW_CHANNEL_MAX)
        return false;
    uint32_t c = 0;
    while (c < st->n_channels && !(st->channels[c].len == p->text.len &&
                                    memcmp(sgm_text(t, st->channels[c]), sgm_text(t, p->text), p->text.len) == 0))
        c++;
    if (c == st->n_channels) {
        if (!sgm_grow((void **)&st->channels, st->n_channels, 1, &st->cap_channels, sizeof *st->channels)) {
            st->failed = true;
            return false;
        }
        st->channels[st->n_channels++] = p->text;
    }
    *flag = SGM_STEP_CHANNEL;
    *arg = c;
    return true;
}

static uint32_t sgm_step_add(sgm_steps *st, sgm_step s) {
    if (!sgm_grow((void **)&st->v, st->n, 1, &st->cap, sizeof *st->v)) {
        st->failed = true;
        return SGM_STEP_FAIL;
    }
    st->v[st->n] = s;
    return st->n++;
}

static uint32_t sgm_step_node(const sgm_tables *t, const sgm_plans *pl, sgm_steps *st, uint32_t node, uint32_t on_true,
                              uint32_t on_false) {
    const sgm_node *n = &t->nodes[node];
    uint32_t at;
    if (n->kind == SGM_N_OR && pl->of_node[node]) {
        const sgm_or_plan *p = &pl->v[pl->of_node[node] - 1];
        at = on_false;
        for (uint32_t i = p->n_kids; i-- > 0;) at = sgm_step_node(t, pl, st, pl->kids[p->first_kid + i], on_true, at);
        for (uint32_t i = p->n_sets; i-- > 0;)
            at = sgm_step_add(st, (sgm_step){SGM_STEP_VSET | (p->first_set + i), SGM_NONE, on_true, at});
        return at;
    }
    switch (n->kind) {
    case SGM_N_TRUE: return on_true;
    case SGM_N_PRED: {
        /* the log-source keys have no atoms: arg is then the bucket or channel */
        uint32_t flag = 0, arg = t->pred_atom ? t->pred_atom[n->arg] : SGM_NONE;
        sgm_step_source(t, st, &t->preds[n->arg], &flag, &arg);
        return sgm_step_add(st, (sgm_step){flag | n->arg, arg, on_true, on_false});
    }
    case SGM_N_AND:
        at = on_true;
        for (uint32_t i = n->count; i-- > 0;) at = sgm_step_node(t, pl, st, t->kids[n->arg + i], at, on_false);
        return at;
    case SGM_N_OR:
        at = on_false;
        for (uint32_t i = n->count; i-- > 0;) at = sgm_step_node(t, pl, st, t->kids[n->arg + i], on_true, at);
        return at;
    case SGM_N_NOT: return sgm_step_node(t, pl, st, t->kids[n->arg], on_false, on_true);
    default: return on_false; /* FALSE; a rule reference holds in no event */
    }
}

static bool sgm_steps_build(const sgm_tables *t, sgm_index *ix, const sgm_plans *pl) {
    sgm_steps st = {NULL, 0, 0, NULL, 0, 0, false};
    uint32_t *first = calloc(t->n_rules ? t->n_rules : 1, sizeof *first);
    ix->rule_step = first;
    if (!first) return false;
    for (uint32_t r = 0; r < t->n_rules && !st.failed; r++) {
        uint32_t base = st.n;
        first[r] = t->rules[r].expr == SGM_NONE ? SGM_STEP_FAIL
                                                 : sgm_step_node(t, pl, &st, t->rules[r].expr, SGM_STEP_MATCH, SGM_STEP_FAIL);
        /* turned around: step base + i becomes base + n - 1 - i */
        uint32_t n = st.n - base;
#define SGM_STEP_TURN(x) ((x) >= SGM_STEP_MATCH ? (x) : base + n - 1 - ((x) - base))
        for (uint32_t i = 0; i < n / 2 && !st.failed; i++) {
            sgm_step tmp = st.v[base + i];
            st.v[base + i] = st.v[base + n - 1 - i];
            st.v[base + n - 1 - i] = tmp;
        }
        for (uint32_t i = 0; i < n && !st.failed; i++) {
            st.v[base + i].on_true = SGM_STEP_TURN(st.v[base + i].on_true);
            st.v[base + i].on_false = SGM_STEP_TURN(st.v[base + i].on_false);
        }
        first[r] = SGM_STEP_TURN(first[r]);
#undef SGM_STEP_TURN
    }
    ix->steps = st.v;
    ix->n_steps = st.n;
    ix->channels = st.channels;
    ix->n_channels = st.n_channels;
    return !st.failed;
}

/* ---- the whole ------------------------------------------------------------ */

bool sgm_index_build(const sgm_tables *t, sgm_index *ix) {
    memset(ix, 0, sizeof *ix);
    ix->owned = true;
    /* the steps first: the keyword scanners map their channels */
    sgm_plans plans = {NULL, NULL, 0, 0, NULL, 0, 0};
    bool ok = sgm_vsets_build(t, ix, &plans) && sgm_steps_build(t, ix, &plans);
    free(plans.of_node);
    free(plans.v);
    free(plans.kids);
    if (ok && t->n_atoms && t->prefiltered && t->pred_atom) {
        ix->prefilter = true;
        ok = sgm_np_build(t, ix) && sgm_kw_index(t, ix) && sgm_field_grams_build(t, ix);
    }
    if (!ok) sgm_index_release(ix);
    return ok;
}

void sgm_index_release(sgm_index *ix) {
    free(ix->slots);
    free(ix->feed_first);
    free(ix->feed_count);
    free(ix->feeds);
    if (ix->owned) {
#define SGM_IX_FREE(name, count) free((void *)ix->name);
        SGM_INDEX_ARRAYS(SGM_IX_FREE, (const sgm_tables *)NULL, ix)
#undef SGM_IX_FREE
    }
    memset(ix, 0, sizeof *ix);
}

/* Whether n items of size bytes at a and b are the same (none, or both
 * missing: the same). */
static bool sgm_same(const void *a, const void *b, size_t n, size_t size) {
    if (!n || a == b) return true;
    return a && b && memcmp(a, b, n * size) == 0;
}

const char *sgm_index_diff(const sgm_tables *t, const sgm_index *a, const sgm_index *b) {
#define SGM_SAME_ARRAY(name, n) \
    if (!sgm_same(a->name, b->name, (n), sizeof *a->name)) return #name;
#define SGM_SAME_COUNT(name) \
    if (a->name != b->name) return #name
    /* the counts first: the arrays' lengths are a's */
    SGM_SAME_COUNT(prefilter);
    SGM_SAME_COUNT(n_vsets);
    SGM_SAME_COUNT(n_vset_slots);
    SGM_SAME_COUNT(n_steps);
    SGM_SAME_COUNT(n_channels);
    SGM_SAME_COUNT(mask_words);
    SGM_SAME_COUNT(n_np);
    SGM_SAME_COUNT(np_present);
    SGM_SAME_COUNT(n_np_present);
    SGM_SAME_COUNT(np_absent);
    SGM_SAME_COUNT(n_np_absent);
    SGM_SAME_COUNT(np_all);
    SGM_SAME_COUNT(n_np_all);
    SGM_SAME_COUNT(n_kw_channels);
    SGM_SAME_COUNT(n_kw_entries);
    if ((a->kw_scans == NULL) != (b->kw_scans == NULL)) return "kw_scans";
    SGM_SAME_ARRAY(pair_end, 256)
    SGM_INDEX_ARRAYS(SGM_SAME_ARRAY, t, a)
#undef SGM_SAME_ARRAY
#undef SGM_SAME_COUNT
    return NULL;
}
