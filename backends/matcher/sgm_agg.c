/* sgm_agg.c - "N events per group within T" and the other aggregations,
 * over event time, in sliding windows.
 *
 * Each aggregation keeps its groups (keyed by the group-by values) in a
 * hash table; each group keeps the events that count (time, rule, value)
 * sorted by time, so events that arrive out of order within the window are
 * placed where they belong; an event older than the group's window is late:
 * counted and dropped.
 *
 * When it fires:
 *   - conditions that can only become true as events arrive (count, distinct
 *     count, sum or max above a threshold; min below one; temporal without
 *     `not` in its condition, and temporal_ordered) are tested on every event
 *     over the window ending at it, and fire as soon as they hold; the group
 *     then starts afresh, so one burst is one alert;
 *   - the others (fewer than, equal to, average, percentile, median,
 *     temporal with `not`) are tested when the window that opened with a
 *     group's first event closes, or at the end of the input.
 * Memory is bounded: at most max_groups live groups over all aggregations
 * (the stalest group is evicted first) and max_entries events per group (the
 * oldest is dropped first); both are counted in the summary.
 */
#include <stdlib.h>
#include <string.h>

#include "sgm_impl.h"

/* One event a group holds: 40 bytes. */
typedef struct sgm_entry {
    int64_t t;
    const char *file;  /* where it came from, for alerts of windows judged when they close */
    uint64_t at;       /* its line, or its record id with SGM_AT_RECORD */
    union {
        double v;      /* value_*: the number */
        uint64_t h;    /* value_count: the hash of the value */
    } x;
    uint32_t pos;      /* position of the rule in the aggregation */
    uint32_t seq;      /* arrival order, for equal times */
} sgm_entry;

#define SGM_AT_RECORD (1ull << 63)

typedef struct sgm_group {
    struct sgm_group *older, *newer; /* the global LRU list */
    uint64_t hash;                  /* of the key */
    uint32_t agg;
    uint32_t key_len, json_len;
    sgm_entry *ents;
    int64_t *times;                 /* instead of ents when the table counts times only: the
                                       first SGM_TIMES_INLINE after the key, then on the heap */
    uint32_t n, cap;
    uint32_t seq;
    int64_t last_t;                 /* the newest event time the group has seen */
    char key[];                     /* key bytes, then the group as JSON */
} sgm_group;

/* A slot of an aggregation's group table (open addressing, linear probing,
 * at most half full): the hash beside the pointer, so a probe reads the
 * group only when the hashes agree. */
typedef struct sgm_group_slot {
    uint64_t hash;
    sgm_group *g; /* NULL: empty */
} sgm_group_slot;

/* Times a counting group keeps in its own allocation: most groups of a
 * flood or brute-force rule hold a few events in their window, so they
 * need no second allocation, and their times sit beside their key. */
#define SGM_TIMES_INLINE 8

typedef struct sgm_agg_table {
    sgm_group_slot *slots;
    uint32_t n_slots, n_groups;
    uint32_t owner;      /* the rule reported when it fires */
    uint32_t entry_cap;  /* events kept per group */
    bool immediate;
    bool times_only;     /* an event_count tested as events come: its groups keep their events'
                            times only (sgm_agg_count) */
} sgm_agg_table;

struct sgm_agg_state {
    sgm_agg_table *tables;
    bool any_closing;    /* some aggregation is tested when its windows close */
    sgm_group *oldest, *newest;
    size_t live;
    char *json;          /* scratch: the group as JSON */
    size_t json_cap;
    double *scratch;     /* sorting values */
    size_t scratch_cap;
};

/* A temporal condition without `not` only becomes true as rules are seen. */
static bool sgm_agg_cond_grows(const sgm_tables *t, uint32_t node) {
    const sgm_node *n = &t->nodes[node];
    if (n->kind == SGM_N_NOT) return false;
    if (n->kind == SGM_N_AND || n->kind == SGM_N_OR)
        for (uint32_t i = 0; i < n->count; i++)
            if (!sgm_agg_cond_grows(t, t->kids[n->arg + i])) return false;
    return true;
}

static bool sgm_agg_increasing(const sgm_tables *t, const sgm_agg *a) {
    switch (a->type) {
    case SGM_AGG_EVENT_COUNT:
    case SGM_AGG_VALUE_COUNT:
    case SGM_AGG_VALUE_MAX: return a->cmp == SGM_CMP_GT || a->cmp == SGM_CMP_GTE;
    case SGM_AGG_VALUE_SUM: return false; /* values may be negative */
    case SGM_AGG_VALUE_MIN: return a->cmp == SGM_CMP_LT || a->cmp == SGM_CMP_LTE;
    case SGM_AGG_TEMPORAL:
        /* "a and not b": b may still come within the window */
        if (a->condition != SGM_NONE) return sgm_agg_cond_grows(t, a->condition);
        return a->cmp == SGM_CMP_NONE || a->cmp == SGM_CMP_GT || a->cmp == SGM_CMP_GTE;
    case SGM_AGG_TEMPORAL_ORDERED: return true;
    default: return false;
    }
}

int sgm_agg_init(sgm_engine *e) {
    const sgm_tables *t = e->t;
    struct sgm_agg_state *s = calloc(1, sizeof *s);
    if (!s) return -1;
    e->agg = s;
    s->tables = calloc(t->n_aggs ? t->n_aggs : 1, sizeof *s->tables);
    if (!s->tables) return -1;
    for (uint32_t r = 0; r < t->n_rules; r++)
        if (t->rules[r].agg != SGM_NONE) s->tables[t->rules[r].agg].owner = r;
    for (uint32_t a = 0; a < t->n_aggs; a++) {
        const sgm_agg *g = &t->aggs[a];
        sgm_agg_table *at = &s->tables[a];
        at->immediate = sgm_agg_increasing(t, g);
        size_t cap = e->o.max_entries ? e->o.max_entries : 1;
        /* a count above N needs only the last N+1 events */
        if (g->type == SGM_AGG_EVENT_COUNT && at->immediate && g->threshold >= 0 && g->threshold + 2 < (double)cap)
            cap = (size_t)g->threshold + 2;
        at->entry_cap = (uint32_t)(cap > UINT32_MAX ? UINT32_MAX : cap);
        at->times_only = g->type == SGM_AGG_EVENT_COUNT && at->immediate;
        s->any_closing |= !at->immediate;
    }
    /* rule -> aggregations it feeds */
    e->ix.feed_first = calloc(t->n_rules ? t->n_rules : 1, sizeof *e->ix.feed_first);
    e->ix.feed_count = calloc(t->n_rules ? t->n_rules : 1, sizeof *e->ix.feed_count);
    size_t total = 0;
    for (uint32_t a = 0; a < t->n_aggs; a++) total += t->aggs[a].n_rules;
    e->ix.feeds = calloc(total ? total : 1, sizeof *e->ix.feeds);
    if (!e->ix.feed_first || !e->ix.feed_count || !e->ix.feeds) return -1;
    for (uint32_t a = 0; a < t->n_aggs; a++)
        for (uint32_t j = 0; j < t->aggs[a].n_rules; j++) e->ix.feed_count[t->u32[t->aggs[a].rules + j]]++;
    uint32_t at = 0;
    for (uint32_t r = 0; r < t->n_rules; r++) {
        e->ix.feed_first[r] = at;
        at += e->ix.feed_count[r];
        e->ix.feed_count[r] = 0;
    }
    for (uint32_t a = 0; a < t->n_aggs; a++)
        for (uint32_t j = 0; j < t->aggs[a].n_rules; j++) {
            uint32_t r = t->u32[t->aggs[a].rules + j];
            /* feeds[] holds (aggregation << 8 | position) would limit sizes; keep both in two slots */
            e->ix.feeds[e->ix.feed_first[r] + e->ix.feed_count[r]++] = a;
        }
    return 0;
}

static void sgm_group_unlink(struct sgm_agg_state *s, sgm_group *g) {
    if (g->older) g->older->newer = g->newer;
    else s->oldest = g->newer;
    if (g->newer) g->newer->older = g->older;
    else s->newest = g->older;
    g->older = g->newer = NULL;
}

static void sgm_group_touch(struct sgm_agg_state *s, sgm_group *g) {
    if (s->newest == g) return;
    if (g->older || g->newer || s->oldest == g) sgm_group_unlink(s, g);
    g->older = s->newest;
    if (s->newest) s->newest->newer = g;
    s->newest = g;
    if (!s->oldest) s->oldest = g;
}

/* Where a counting group's first times sit: after its key and JSON, aligned. */
static int64_t *sgm_group_inline_times(sgm_group *g) {
    uintptr_t p = (uintptr_t)(g->key + g->key_len + g->json_len);
    return (int64_t *)((p + 7) & ~(uintptr_t)7);
}

/* A group's memory, its events' with it. */
static void sgm_group_release(sgm_group *g) {
    free(g->ents);
    if (g->times != sgm_group_inline_times(g)) free(g->times);
    free(g);
}

/* Takes g out of its table: the slots after it that probed past its slot
 * move back (no tombstones). */
static void sgm_group_free(struct sgm_agg_state *s, sgm_group *g) {
    sgm_agg_table *at = &s->tables[g->agg];
    uint32_t mask = at->n_slots - 1, i = (uint32_t)g->hash & mask;
    while (at->slots[i].g && at->slots[i].g != g) i = (i + 1) & mask;
    if (at->slots[i].g) {
        at->slots[i].g = NULL;
        for (uint32_t j = (i + 1) & mask; at->slots[j].g; j = (j + 1) & mask) {
            uint32_t home = (uint32_t)at->slots[j].hash & mask;
            /* the entry at j may fill the hole at i when its home is not in (i, j] */
            if ((j > i && (home <= i || home > j)) || (j < i && home <= i && home > j)) {
                at->slots[i] = at->slots[j];
                at->slots[j].g = NULL;
                i = j;
            }
        }
        at->n_groups--;
    }
    sgm_group_unlink(s, g);
    s->live--;
    sgm_group_release(g);
}

void sgm_agg_free(sgm_engine *e) {
    struct sgm_agg_state *s = e->agg;
    if (!s) return;
    /* every group goes, so their tables are not kept up on the way */
    for (sgm_group *g = s->oldest, *next; g; g = next) {
        next = g->newer;
        sgm_group_release(g);
    }
    if (s->tables)
        for (uint32_t a = 0; a < e->t->n_aggs; a++) free(s->tables[a].slots);
    free(s->tables);
    free(s->json);
    free(s->scratch);
    free(s);
    e->agg = NULL;
}

static bool sgm_agg_grow(sgm_agg_table *at) {
    if (at->n_slots >= (1u << 31)) return false;
    uint32_t n = at->n_slots ? at->n_slots * 2 : 64, mask = n - 1;
    sgm_group_slot *b = calloc(n, sizeof *b);
    if (!b) return false;
    for (uint32_t i = 0; i < at->n_slots; i++) {
        if (!at->slots[i].g) continue;
        uint32_t j = (uint32_t)at->slots[i].hash & mask;
        while (b[j].g) j = (j + 1) & mask;
        b[j] = at->slots[i];
    }
    free(at->slots);
    at->slots = b;
    at->n_slots = n;
    return true;
}

/* The first value of a field in the current event (empty when absent). */
static void sgm_agg_value(const sgm_engine *e, uint32_t field, const char **p, size_t *n, bool *present) {
    *p = "";
    *n = 0;
    *present = false;
    if (field == SGM_NONE) return;
    if (field & SGM_ANY_OF) {
        const uint32_t *ids = e->t->u32 + (field & ~SGM_ANY_OF);
        for (uint32_t i = 1; i <= ids[0]; i++) {
            sgm_agg_value(e, ids[i], p, n, present);
            if (*present) return;
        }
        return;
    }
    uint32_t v = e->ev.head[field];
    if (v == SGM_NONE) return;
    *p = e->ev.text + e->ev.vals[v].off;
    *n = e->ev.vals[v].len;
    *present = e->ev.vals[v].type != SGM_V_NULL;
}

/* Appends a JSON string to the scratch buffer. */
static bool sgm_agg_json_str(struct sgm_agg_state *s, size_t *len, const char *p, size_t n) {
    if (!sgm_reserve(&s->json, &s->json_cap, *len + n * 6 + 3)) return false;
    char *o = s->json + *len;
    *o++ = '"';
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c == '"' || c == '\\') {
            *o++ = '\\';
            *o++ = (char)c;
        } else if (c < 0x20 || c == 0x7F) {
            static const char hex[] = "0123456789abcdef";
            memcpy(o, "\\u00", 4);
            o[4] = hex[c >> 4];
            o[5] = hex[c & 15];
            o += 6;
        } else {
            *o++ = (char)c;
        }
    }
    *o++ = '"';
    *len = (size_t)(o - s->json);
    return true;
}

static void sgm_agg_retire(sgm_engine *e, sgm_group *g);

static sgm_group *sgm_agg_group(sgm_engine *e, uint32_t a, uint32_t pos) {
    const sgm_tables *t = e->t;
    const sgm_agg *g = &t->aggs[a];
    struct sgm_agg_state *s = e->agg;
    sgm_agg_table *at = &s->tables[a];
    /* the key: each value with its length (so "a|b" + "c" != "a" + "b|c") */
    size_t klen = 0;
    for (uint32_t k = 0; k < g->n_group; k++) {
        const char *p;
        size_t n;
        bool present;
        sgm_agg_value(e, t->u32[g->groups + pos * g->n_group + k], &p, &n, &present);
        if (!sgm_reserve(&e->keybuf, &e->keybuf_cap, klen + n + 9)) return NULL;
        e->keybuf[klen++] = present ? 1 : 0;
        uint32_t n32 = (uint32_t)n;
        memcpy(e->keybuf + klen, &n32, sizeof n32);
        klen += sizeof n32;
        memcpy(e->keybuf + klen, p, n);
        klen += n;
    }
    uint64_t h = sgm_hash(e->keybuf, klen);
    if (at->n_slots)
        for (uint32_t i = (uint32_t)h & (at->n_slots - 1); at->slots[i].g; i = (i + 1) & (at->n_slots - 1)) {
            sgm_group *gr = at->slots[i].g;
            if (at->slots[i].hash == h && gr->key_len == klen && memcmp(gr->key, e->keybuf, klen) == 0) return gr;
        }
    /* a new group: make room first */
    while (s->live >= e->o.max_groups && s->oldest) {
        sgm_agg_retire(e, s->oldest);
        e->st.evicted_groups++;
    }
    if (at->n_groups + 1 > at->n_slots / 2 && !sgm_agg_grow(at)) return NULL;
    size_t jlen = 0;
    if (!sgm_reserve(&s->json, &s->json_cap, 2)) return NULL;
    s->json[jlen++] = '{';
    for (uint32_t k = 0; k < g->n_group; k++) {
        const char *p;
        size_t n;
        bool present;
        sgm_agg_value(e, t->u32[g->groups + pos * g->n_group + k], &p, &n, &present);
        sgm_str name = t->strs[g->names + k];
        if (k && !sgm_reserve(&s->json, &s->json_cap, jlen + 1)) return NULL;
        if (k) s->json[jlen++] = ',';
        if (!sgm_agg_json_str(s, &jlen, sgm_text(t, name), name.len)) return NULL;
        if (!sgm_reserve(&s->json, &s->json_cap, jlen + 6)) return NULL;
        s->json[jlen++] = ':';
        if (present) {
            if (!sgm_agg_json_str(s, &jlen, p, n)) return NULL;
        } else {
            memcpy(s->json + jlen, "null", 4);
            jlen += 4;
        }
    }
    if (!sgm_reserve(&s->json, &s->json_cap, jlen + 1)) return NULL;
    s->json[jlen++] = '}';
    size_t inline_times = at->times_only ? (at->entry_cap < SGM_TIMES_INLINE ? at->entry_cap : SGM_TIMES_INLINE) : 0;
    sgm_group *gr = malloc(sizeof *gr + klen + jlen + 1 + (inline_times ? 7 + inline_times * sizeof(int64_t) : 0));
    if (!gr) return NULL;
    memset(gr, 0, sizeof *gr);
    memcpy(gr->key, e->keybuf, klen);
    memcpy(gr->key + klen, s->json, jlen);
    gr->hash = h;
    gr->key_len = (uint32_t)klen;
    gr->json_len = (uint32_t)jlen;
    gr->agg = a;
    if (inline_times) {
        gr->times = sgm_group_inline_times(gr);
        gr->cap = (uint32_t)inline_times;
    }
    uint32_t i = (uint32_t)h & (at->n_slots - 1);
    while (at->slots[i].g) i = (i + 1) & (at->n_slots - 1);
    at->slots[i] = (sgm_group_slot){h, gr};
    at->n_groups++;
    s->live++;
    return gr;
}

static int sgm_agg_cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static int sgm_agg_cmp_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static bool sgm_agg_cmp(uint8_t cmp, double v, double n) {
    switch (cmp) {
    case SGM_CMP_GT: return v > n;
    case SGM_CMP_GTE: return v >= n;
    case SGM_CMP_LT: return v < n;
    case SGM_CMP_LTE: return v <= n;
    case SGM_CMP_EQ: return v == n;
    case SGM_CMP_NEQ: return v != n;
    default: return true;
    }
}

static bool sgm_agg_cond(const sgm_tables *t, uint32_t node, const bool *seen) {
    const sgm_node *n = &t->nodes[node];
    switch (n->kind) {
    case SGM_N_TRUE: return true;
    case SGM_N_RULEREF: return seen[n->arg];
    case SGM_N_AND:
        for (uint32_t i = 0; i < n->count; i++)
            if (!sgm_agg_cond(t, t->kids[n->arg + i], seen)) return false;
        return true;
    case SGM_N_OR:
        for (uint32_t i = 0; i < n->count; i++)
            if (sgm_agg_cond(t, t->kids[n->arg + i], seen)) return true;
        return false;
    case SGM_N_NOT: return !sgm_agg_cond(t, t->kids[n->arg], seen);
    default: return false;
    }
}

/* Tests entries [from, to) of a group.  *value: what is reported. */
static bool sgm_agg_test(sgm_engine *e, const sgm_agg *g, const sgm_group *gr, uint32_t from, uint32_t to,
                         double *value) {
    struct sgm_agg_state *s = e->agg;
    uint32_t n = to - from;
    const sgm_entry *en = gr->ents + from;
    switch (g->type) {
    case SGM_AGG_EVENT_COUNT: *value = n; break;
    case SGM_AGG_VALUE_COUNT: {
        if (!sgm_reserve((char **)&s->scratch, &s->scratch_cap, (size_t)n * sizeof(uint64_t) + 8)) return false;
        uint64_t *hs = (uint64_t *)s->scratch;
        for (uint32_t i = 0; i < n; i++) hs[i] = en[i].x.h;
        qsort(hs, n, sizeof *hs, sgm_agg_cmp_u64);
        uint32_t d = 0;
        for (uint32_t i = 0; i < n; i++) d += i == 0 || hs[i] != hs[i - 1];
        *value = d;
        break;
    }
    case SGM_AGG_VALUE_SUM:
    case SGM_AGG_VALUE_AVG: {
        double sum = 0;
        for (uint32_t i = 0; i < n; i++) sum += en[i].x.v;
        *value = g->type == SGM_AGG_VALUE_SUM ? sum : n ? sum / n : 0;
        if (!n) return false;
        break;
    }
    case SGM_AGG_VALUE_MIN:
    case SGM_AGG_VALUE_MAX: {
        if (!n) return false;
        double m = en[0].x.v;
        for (uint32_t i = 1; i < n; i++)
            if (g->type == SGM_AGG_VALUE_MIN ? en[i].x.v < m : en[i].x.v > m) m = en[i].x.v;
        *value = m;
        break;
    }
    case SGM_AGG_VALUE_PERCENTILE:
    case SGM_AGG_VALUE_MEDIAN: {
        if (!n) return false;
        if (!sgm_reserve((char **)&s->scratch, &s->scratch_cap, (size_t)n * sizeof(double) + 8)) return false;
        double *vs = s->scratch;
        for (uint32_t i = 0; i < n; i++) vs[i] = en[i].x.v;
        qsort(vs, n, sizeof *vs, sgm_agg_cmp_double);
        double pct = g->type == SGM_AGG_VALUE_MEDIAN ? 50 : g->percentile;
        /* linear interpolation between closest ranks */
        double rank = pct / 100.0 * (n - 1);
        uint32_t lo = (uint32_t)rank; /* rank >= 0: truncation is floor */
        uint32_t hi = lo + ((double)lo < rank && lo + 1 < n);
        *value = vs[lo] + (vs[hi] - vs[lo]) * (rank - lo);
        break;
    }
    case SGM_AGG_TEMPORAL: {
        bool seen[256] = {0};
        uint32_t distinct = 0;
        for (uint32_t i = 0; i < n; i++)
            if (en[i].pos < 256 && !seen[en[i].pos]) seen[en[i].pos] = true, distinct++;
        *value = distinct;
        if (g->condition != SGM_NONE) return sgm_agg_cond(e->t, g->condition, seen);
        if (g->cmp != SGM_CMP_NONE) return sgm_agg_cmp(g->cmp, distinct, g->threshold);
        return distinct == g->n_rules;
    }
    case SGM_AGG_TEMPORAL_ORDERED: {
        uint32_t need = 0;
        for (uint32_t i = 0; i < n && need < g->n_rules; i++)
            if (en[i].pos == need) need++;
        *value = need;
        return need == g->n_rules;
    }
    default: return false;
    }
    return sgm_agg_cmp(g->cmp, *value, g->threshold);
}

/* closed: the window was judged when it closed, not on the event at hand. */
static void sgm_agg_fire(sgm_engine *e, uint32_t a, const sgm_group *gr, uint32_t from, uint32_t to, double value,
                         bool closed) {
    struct sgm_agg_state *s = e->agg;
    const sgm_entry *last = &gr->ents[to - 1];
    sgm_where where = {last->file, last->at & ~SGM_AT_RECORD, (last->at & SGM_AT_RECORD) != 0};
    sgm_report_match(e, s->tables[a].owner, gr->key + gr->key_len, gr->json_len, value, gr->ents[from].t, last->t, true,
                     closed ? &where : NULL);
}

static void sgm_agg_drop_front(sgm_group *gr, uint32_t k) {
    if (!k) return;
    memmove(gr->ents, gr->ents + k, (size_t)(gr->n - k) * sizeof *gr->ents);
    gr->n -= k;
}

/* Close-evaluated aggregations: test and drop the windows that end before
 * time `now` (all of them when flush). */
static void sgm_agg_close(sgm_engine *e, uint32_t a, sgm_group *gr, int64_t now, bool flush) {
    const sgm_agg *g = &e->t->aggs[a];
    while (gr->n) {
        int64_t start = gr->ents[0].t;
        if (!flush && (g->window_us == 0 || now - start <= g->window_us)) return;
        uint32_t end = 0;
        while (end < gr->n && (g->window_us == 0 || gr->ents[end].t - start <= g->window_us)) end++;
        double value;
        if (sgm_agg_test(e, g, gr, 0, end, &value)) sgm_agg_fire(e, a, gr, 0, end, value, true);
        sgm_agg_drop_front(gr, end);
    }
}

/* A group leaves memory (evicted, or quiet for longer than its window):
 * what its open windows hold is judged first, so no alert is lost. */
static void sgm_agg_retire(sgm_engine *e, sgm_group *g) {
    struct sgm_agg_state *s = e->agg;
    if (!s->tables[g->agg].immediate) sgm_agg_close(e, g->agg, g, 0, true);
    sgm_group_free(s, g);
}

/* Groups that have seen nothing for longer than their window (by the time
 * of the event at hand) are done: their windows are judged now, not at the
 * end of the input, and their memory goes.  The groups are in order of
 * activity, so the walk stops at the first one still live. */
void sgm_agg_sweep(sgm_engine *e, int64_t now) {
    struct sgm_agg_state *s = e->agg;
    while (s && s->oldest) {
        sgm_group *g = s->oldest;
        int64_t window = e->t->aggs[g->agg].window_us;
        if (window == 0 || g->last_t >= now - window) break;
        sgm_agg_retire(e, g);
    }
}

/* The next size of a group's event array of cap (0: none yet), at most
 * limit: doubled, without the doubling overflowing. */
static uint32_t sgm_agg_grown_cap(uint32_t cap, uint32_t limit) {
    uint32_t n = !cap ? 8 : cap > limit / 2 ? limit : cap * 2;
    return n > limit ? limit : n;
}

/* An event at time now for a counting group (its table's times_only): what
 * sgm_agg_feed does for an event_count tested as events come, on the
 * events' times alone. */
static void sgm_agg_count(sgm_engine *e, uint32_t a, sgm_group *gr, int64_t now) {
    const sgm_agg *g = &e->t->aggs[a];
    sgm_agg_table *at = &e->agg->tables[a];
    int64_t *ts = gr->times;
    /* late: older than the window that ends at the group's newest event */
    if (gr->n && g->window_us && now < ts[gr->n - 1] - g->window_us) {
        e->st.late_events++;
        return;
    }
    if (gr->n == gr->cap) {
        if (gr->cap >= at->entry_cap) {
            memmove(ts, ts + 1, (size_t)(gr->n - 1) * sizeof *ts);
            gr->n--;
            e->st.dropped_entries++;
        } else {
            uint32_t cap = sgm_agg_grown_cap(gr->cap, at->entry_cap);
            bool inside = ts == sgm_group_inline_times(gr);
            int64_t *nt = inside ? malloc((size_t)cap * sizeof *nt) : realloc(ts, (size_t)cap * sizeof *nt);
            if (!nt) return;
            if (inside) memcpy(nt, ts, (size_t)gr->n * sizeof *nt);
            gr->times = ts = nt;
            gr->cap = cap;
        }
    }
    gr->seq++;
    uint32_t i = gr->n;
    while (i > 0 && ts[i - 1] > now) {
        ts[i] = ts[i - 1];
        i--;
    }
    ts[i] = now;
    gr->n++;
    /* the window ends at the newest event */
    uint32_t k = 0;
    if (g->window_us)
        while (k < gr->n && ts[k] < ts[gr->n - 1] - g->window_us) k++;
    if (k) {
        memmove(ts, ts + k, (size_t)(gr->n - k) * sizeof *ts);
        gr->n -= k;
    }
    if (gr->n && sgm_agg_cmp(g->cmp, gr->n, g->threshold)) {
        sgm_report_match(e, at->owner, gr->key + gr->key_len, gr->json_len, gr->n, ts[0], ts[gr->n - 1], true, NULL);
        gr->n = 0; /* one burst, one alert */
    }
}

void sgm_agg_feed(sgm_engine *e, uint32_t rule) {
    const sgm_tables *t = e->t;
    struct sgm_agg_state *s = e->agg;
    int64_t now = e->ev.has_time ? e->ev.time_us : e->last_time_us;
    for (uint32_t f = 0; f < e->ix.feed_count[rule]; f++) {
        uint32_t a = e->ix.feeds[e->ix.feed_first[rule] + f];
        const sgm_agg *g = &t->aggs[a];
        sgm_agg_table *at = &s->tables[a];
        /* the rule's position in this aggregation (a rule may appear once) */
        uint32_t pos = 0;
        while (pos < g->n_rules && t->u32[g->rules + pos] != rule) pos++;
        if (pos == g->n_rules) continue;
        sgm_entry en = {now, e->ev.file, e->ev.is_record ? (e->ev.record | SGM_AT_RECORD) : e->ev.line, {0}, pos, 0};
        if (g->fields != SGM_NONE) {
            const char *p;
            size_t n;
            bool present;
            sgm_agg_value(e, t->u32[g->fields + pos], &p, &n, &present);
            if (g->type == SGM_AGG_VALUE_COUNT) {
                if (!present) continue; /* only events that carry the field count */
                en.x.h = sgm_hash(p, n);
            } else if (g->type != SGM_AGG_EVENT_COUNT && g->type != SGM_AGG_TEMPORAL &&
                       g->type != SGM_AGG_TEMPORAL_ORDERED) {
                if (!present || !sgm_value_number(p, n, &en.x.v)) continue;
            }
        }
        sgm_group *gr = sgm_agg_group(e, a, pos);
        if (!gr) continue;
        sgm_group_touch(s, gr);
        if (!gr->n && !gr->seq) gr->last_t = now;
        if (now > gr->last_t) gr->last_t = now;
        if (at->times_only) {
            sgm_agg_count(e, a, gr, now);
            continue;
        }
        if (!at->immediate) sgm_agg_close(e, a, gr, now, false);
        /* late: older than the window that ends at the group's newest event */
        if (gr->n && g->window_us && now < gr->ents[gr->n - 1].t - g->window_us) {
            e->st.late_events++;
            continue;
        }
        if (gr->n == gr->cap) {
            if (gr->cap >= at->entry_cap) {
                sgm_agg_drop_front(gr, 1);
                e->st.dropped_entries++;
            } else {
                uint32_t cap = sgm_agg_grown_cap(gr->cap, at->entry_cap);
                sgm_entry *ne = realloc(gr->ents, (size_t)cap * sizeof *ne);
                if (!ne) continue;
                gr->ents = ne;
                gr->cap = cap;
            }
        }
        en.seq = gr->seq++;
        uint32_t i = gr->n;
        while (i > 0 && gr->ents[i - 1].t > en.t) {
            gr->ents[i] = gr->ents[i - 1];
            i--;
        }
        gr->ents[i] = en;
        gr->n++;
        if (!at->immediate) continue;
        /* the window ends at the newest event */
        if (g->window_us) {
            int64_t newest = gr->ents[gr->n - 1].t;
            uint32_t k = 0;
            while (k < gr->n && gr->ents[k].t < newest - g->window_us) k++;
            sgm_agg_drop_front(gr, k);
        }
        double value;
        if (gr->n && sgm_agg_test(e, g, gr, 0, gr->n, &value)) {
            sgm_agg_fire(e, a, gr, 0, gr->n, value, false);
            gr->n = 0; /* one burst, one alert */
        }
    }
}

void sgm_agg_finish(sgm_engine *e) {
    struct sgm_agg_state *s = e->agg;
    if (!s || !s->any_closing) return;
    /* oldest first, so the output follows the groups' activity */
    for (sgm_group *g = s->oldest; g; g = g->newer)
        if (!s->tables[g->agg].immediate) sgm_agg_close(e, g->agg, g, 0, true);
}
