/* sgm_eval.c - predicates and rule expressions over one event.
 *
 * Strings compare ASCII case-insensitively unless the predicate is cased
 * (the tables hold case-insensitive texts already folded).  A field with
 * several values (arrays, two names for one field) holds a predicate when
 * any value does.  Numbers compare by value when the event's text reads as
 * a number, else by text.  Regexes run through PCRE2 with the match, depth
 * and heap limits of the options; a regex that hits a limit does not match
 * and is counted.
 */
#include <arpa/inet.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sgm_impl.h"

const unsigned char sgm_fold[256] = {
#define SGM_F4(i) SGM_F1(i), SGM_F1(i + 1), SGM_F1(i + 2), SGM_F1(i + 3)
#define SGM_F1(i) (unsigned char)((i) >= 'A' && (i) <= 'Z' ? (i) + 32 : (i))
#define SGM_F16(i) SGM_F4(i), SGM_F4(i + 4), SGM_F4(i + 8), SGM_F4(i + 12)
    SGM_F16(0),   SGM_F16(16),  SGM_F16(32),  SGM_F16(48),  SGM_F16(64),  SGM_F16(80),  SGM_F16(96),  SGM_F16(112),
    SGM_F16(128), SGM_F16(144), SGM_F16(160), SGM_F16(176), SGM_F16(192), SGM_F16(208), SGM_F16(224), SGM_F16(240),
#undef SGM_F16
#undef SGM_F4
#undef SGM_F1
};

/* Reads a whole value as a number: decimal (JSON or with a leading '+'),
 * or hexadecimal 0x.... */
bool sgm_value_number(const char *p, size_t len, double *out) {
    /* the common case first: [+-]digits[.digits], at most 15 digits, whose
     * integer m and m / 10^k are exact in a double, so the value is what
     * strtod reads (the quotient of two exact doubles is rounded once) */
    static const double pow10[] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
    if (len == 1 && p[0] >= '0' && p[0] <= '9') { /* the commonest: Level, Task, LogonType... */
        *out = p[0] - '0';
        return true;
    }
    size_t at = len && (p[0] == '-' || p[0] == '+') ? 1 : 0, digits = 0, frac = 0, dot = 0;
    uint64_t m = 0;
    for (; at < len && digits <= 15; at++) {
        if (p[at] >= '0' && p[at] <= '9') {
            m = m * 10 + (uint64_t)(p[at] - '0');
            digits++;
            frac += dot;
        } else if (p[at] == '.' && !dot && digits) {
            dot = 1;
        } else {
            break;
        }
    }
    if (at == len && digits && digits <= 15 && !(dot && !frac)) {
        double v = (double)m / pow10[frac];
        *out = p[0] == '-' ? -v : v;
        return true;
    }
    char buf[64];
    if (len == 0 || len >= sizeof buf) return false;
    memcpy(buf, p, len);
    buf[len] = 0;
    char *end;
    if (len > 2 && buf[0] == '0' && (buf[1] == 'x' || buf[1] == 'X')) {
        for (size_t i = 2; i < len; i++)
            if (!((buf[i] >= '0' && buf[i] <= '9') || (buf[i] >= 'a' && buf[i] <= 'f') || (buf[i] >= 'A' && buf[i] <= 'F')))
                return false;
        *out = (double)strtoull(buf + 2, &end, 16);
        return true;
    }
    for (size_t i = 0; i < len; i++) {
        char c = buf[i];
        if (!((c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E')) return false;
    }
    double v = strtod(buf, &end);
    if (end != buf + len || !isfinite(v)) return false;
    *out = v;
    return true;
}

/* a folded to compare with b, which is folded already (a needle). */
static bool sgm_eq_fold(const char *a, const char *b, size_t n) {
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t x, y;
        memcpy(&x, a + i, 8);
        memcpy(&y, b + i, 8);
        if (sgm_fold8(x) != y) return false;
    }
    for (; i < n; i++)
        if (sgm_fold[(unsigned char)a[i]] != (unsigned char)b[i]) return false;
    return true;
}

/* b is the folded needle when !cased. */
static bool sgm_bytes_eq(const char *a, const char *b, size_t n, bool cased) {
    return cased ? memcmp(a, b, n) == 0 : sgm_eq_fold(a, b, n);
}

/* hint: the offset of the needle byte to look for first (sgm_pred.arg of
 * a contains predicate: its rarest byte that case does not change); out of
 * range or a letter when case is ignored: the first byte (cased) or the
 * first that is not a letter. */
static bool sgm_find(const char *hay, size_t hn, const char *needle, size_t nn, bool cased, uint32_t hint) {
    if (nn == 0) return true;
    if (nn > hn) return false;
    size_t k = 0;
    if (hint < nn && (cased || !(needle[hint] >= 'a' && needle[hint] <= 'z'))) k = hint;
    else if (!cased)
        while (k < nn && needle[k] >= 'a' && needle[k] <= 'z') k++;
    if (k < nn) { /* needle[k] is looked for with memchr, then the whole needle compared at its place */
        const char *p = hay + k, *end = hay + hn - nn + k + 1; /* needle[k] may sit in [p, end) */
        while (p < end) {
            const char *q = memchr(p, needle[k], (size_t)(end - p));
            if (!q) return false;
            if (cased ? memcmp(q - k, needle, nn) == 0 : sgm_eq_fold(q - k, needle, nn)) return true;
            p = q + 1;
        }
        return false;
    }
    unsigned char first = (unsigned char)needle[0]; /* every byte a letter, case ignored */
    for (size_t i = 0; i + nn <= hn; i++)
        if (sgm_fold[(unsigned char)hay[i]] == first && sgm_eq_fold(hay + i + 1, needle + 1, nn - 1)) return true;
    return false;
}

/* Pattern bytes: `*` any run, `?` one byte... one UTF-8 character, `\x`
 * the literal byte x.  Iterative with one backtrack point (the last star),
 * so linear-time in practice and never recursive.  Stars and `?` step over
 * whole characters. */
static size_t sgm_glob_char_len(const unsigned char *s, size_t left) {
    size_t n = 1;
    if (s[0] >= 0xC0)
        while (n < left && n < 4 && (s[n] & 0xC0) == 0x80) n++;
    return n;
}

static bool sgm_glob(const char *pat, size_t pn, const char *str, size_t sn, bool cased) {
    size_t p = 0, s = 0, star_p = SIZE_MAX, star_s = 0;
    while (s < sn) {
        if (p < pn && pat[p] == '*') {
            star_p = ++p;
            star_s = s;
            continue;
        }
        if (p < pn && pat[p] == '?') {
            p++;
            s += sgm_glob_char_len((const unsigned char *)str + s, sn - s);
            continue;
        }
        if (p < pn) {
            size_t lp = p;
            if (pat[lp] == '\\' && lp + 1 < pn) lp++;
            unsigned char a = (unsigned char)str[s], b = (unsigned char)pat[lp];
            if (cased ? a == b : sgm_fold[a] == b) {
                p = lp + 1;
                s++;
                continue;
            }
        }
        if (star_p == SIZE_MAX) return false;
        /* the star takes one more character, never part of one, so a `?`
         * after it cannot start inside a multi-byte character */
        p = star_p;
        star_s += sgm_glob_char_len((const unsigned char *)str + star_s, sn - star_s);
        s = star_s;
    }
    while (p < pn && pat[p] == '*') p++;
    return p == pn;
}

static bool sgm_ip_parse(const char *p, size_t len, int *family, uint8_t addr[16]) {
    char buf[64];
    if (len == 0 || len >= sizeof buf) return false;
    memcpy(buf, p, len);
    buf[len] = 0;
    if (memchr(buf, ':', len)) {
        char *pct = strchr(buf, '%'); /* a scope id */
        if (pct) *pct = 0;
        if (inet_pton(AF_INET6, buf, addr) != 1) return false;
        *family = 6;
        return true;
    }
    if (inet_pton(AF_INET, buf, addr) != 1) return false;
    *family = 4;
    return true;
}

static bool sgm_cidr_has(const sgm_cidr *c, const char *p, size_t len) {
    int family;
    uint8_t a[16];
    if (!sgm_ip_parse(p, len, &family, a) || family != c->family) return false;
    unsigned bits = c->prefix, i = 0;
    for (; bits >= 8; bits -= 8, i++)
        if (a[i] != c->addr[i]) return false;
    if (bits) {
        uint8_t mask = (uint8_t)(0xFF << (8 - bits));
        if ((a[i] & mask) != (c->addr[i] & mask)) return false;
    }
    return true;
}

static bool sgm_regex_match(sgm_engine *e, uint32_t index, const char *p, size_t len) {
    pcre2_code *re = e->regexes[index];
    if (!re) return false;
    uint32_t need = e->t->regexes[index].need;
    if (need && need <= 256 && !memchr(p, (int)(need - 1), len)) return false; /* no match can lack it */
    if (!e->regex_jitted[index]) { /* on first use; without JIT the interpreter runs it */
        pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);
        e->regex_jitted[index] = 1;
    }
    int rc = pcre2_match(re, (PCRE2_SPTR)p, len, 0, 0, e->match_data, e->match_ctx);
    if (rc >= 0) return true;
    if (rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT || rc == PCRE2_ERROR_HEAPLIMIT ||
        rc == PCRE2_ERROR_JIT_STACKLIMIT)
        e->st.regex_limit++;
    return false;
}

static bool sgm_cmp_num(uint8_t op, double v, double n) {
    switch (op) {
    case SGM_OP_LT: return v < n;
    case SGM_OP_LTE: return v <= n;
    case SGM_OP_GT: return v > n;
    case SGM_OP_GTE: return v >= n;
    default: return v == n;
    }
}

static bool sgm_leap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

/* 52 or 53: a year has 53 ISO weeks when it starts on a Thursday, or on a
 * Wednesday in a leap year. */
static int64_t sgm_iso_weeks(int64_t y) {
    int64_t p = (y + y / 4 - y / 100 + y / 400) % 7;
    int64_t q = ((y - 1) + (y - 1) / 4 - (y - 1) / 100 + (y - 1) / 400) % 7;
    return p == 4 || q == 3 ? 53 : 52;
}

/* A part of a time (UTC). */
static bool sgm_time_part(const char *p, size_t len, uint8_t part, double *out) {
    int64_t us;
    if (!sgm_parse_time(p, len, &us)) return false;
    int64_t secs = us >= 0 ? us / 1000000 : -((-us + 999999) / 1000000);
    int64_t days = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
    int64_t sod = secs - days * 86400;
    /* civil from days (Howard Hinnant) */
    int64_t z = days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t y = (int64_t)yoe + era * 400;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    unsigned d = doy - (153 * mp + 2) / 5 + 1;
    unsigned m = mp < 10 ? mp + 3 : mp - 9;
    y += m <= 2;
    switch (part) {
    case SGM_TP_MINUTE: *out = (double)((sod / 60) % 60); return true;
    case SGM_TP_HOUR: *out = (double)(sod / 3600); return true;
    case SGM_TP_DAY: *out = d; return true;
    case SGM_TP_MONTH: *out = m; return true;
    case SGM_TP_YEAR: *out = (double)y; return true;
    case SGM_TP_WEEK: { /* ISO 8601 week of the year */
        static const unsigned cum[12] = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334};
        int64_t wday = ((days % 7 + 7) % 7 + 3) % 7 + 1; /* Monday 1 .. Sunday 7; 1970-01-01 was a Thursday */
        int64_t ord = cum[m - 1] + d + (m > 2 && sgm_leap(y) ? 1 : 0);
        int64_t week = (ord - wday + 10) / 7;
        if (week < 1) week = sgm_iso_weeks(y - 1);
        else if (week > sgm_iso_weeks(y)) week = 1;
        *out = (double)week;
        return true;
    }
    default: return false;
    }
}

static bool sgm_pred_value(sgm_engine *e, const sgm_pred *pr, const sgm_value *v) {
    const char *s = e->ev.text + v->off;
    size_t n = v->len;
    bool cased = pr->flags & SGM_PF_CASED;
    if (pr->timepart) {
        double part;
        return v->type != SGM_V_NULL && sgm_time_part(s, n, pr->timepart, &part) && sgm_cmp_num(pr->op, part, pr->num);
    }
    switch (pr->op) {
    case SGM_OP_EQ: return n == pr->text.len && sgm_bytes_eq(s, sgm_text(e->t, pr->text), n, cased);
    case SGM_OP_CONTAINS: return sgm_find(s, n, sgm_text(e->t, pr->text), pr->text.len, cased, pr->arg);
    case SGM_OP_STARTSWITH: return n >= pr->text.len && sgm_bytes_eq(s, sgm_text(e->t, pr->text), pr->text.len, cased);
    case SGM_OP_ENDSWITH:
        return n >= pr->text.len && sgm_bytes_eq(s + n - pr->text.len, sgm_text(e->t, pr->text), pr->text.len, cased);
    case SGM_OP_GLOB: return sgm_glob(sgm_text(e->t, pr->text), pr->text.len, s, n, cased);
    case SGM_OP_REGEX: return sgm_regex_match(e, pr->arg, s, n);
    case SGM_OP_CIDR: return sgm_cidr_has(&e->t->cidrs[pr->arg], s, n);
    case SGM_OP_NUM_EQ: {
        double d;
        if (sgm_value_number(s, n, &d)) return d == pr->num;
        return v->type == SGM_V_STR && n == pr->text.len && sgm_eq_fold(s, sgm_text(e->t, pr->text), n);
    }
    case SGM_OP_LT:
    case SGM_OP_LTE:
    case SGM_OP_GT:
    case SGM_OP_GTE: {
        double d;
        return sgm_value_number(s, n, &d) && sgm_cmp_num(pr->op, d, pr->num);
    }
    case SGM_OP_BOOL:
        return pr->num != 0 ? n == 4 && sgm_eq_fold(s, "true", 4) : n == 5 && sgm_eq_fold(s, "false", 5);
    default: return false;
    }
}

static bool sgm_fold_eq_both(const char *a, const char *b, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (sgm_fold[(unsigned char)a[i]] != sgm_fold[(unsigned char)b[i]]) return false;
    return true;
}

static bool sgm_fieldref(sgm_engine *e, const sgm_pred *pr) {
    const sgm_event *ev = &e->ev;
    bool cased = pr->flags & SGM_PF_CASED;
    for (uint32_t a = ev->head[pr->field]; a != SGM_NONE; a = ev->vals[a].next)
        for (uint32_t b = ev->head[pr->arg]; b != SGM_NONE; b = ev->vals[b].next) {
            const char *x = ev->text + ev->vals[a].off, *y = ev->text + ev->vals[b].off;
            size_t xn = ev->vals[a].len, yn = ev->vals[b].len;
            bool hit;
            switch (pr->fieldref_op) {
            case SGM_OP_CONTAINS:
                hit = false;
                for (size_t i = 0; !hit && i + yn <= xn; i++)
                    hit = cased ? memcmp(x + i, y, yn) == 0 : sgm_fold_eq_both(x + i, y, yn);
                break;
            case SGM_OP_STARTSWITH: hit = xn >= yn && (cased ? memcmp(x, y, yn) == 0 : sgm_fold_eq_both(x, y, yn)); break;
            case SGM_OP_ENDSWITH:
                hit = xn >= yn && (cased ? memcmp(x + xn - yn, y, yn) == 0 : sgm_fold_eq_both(x + xn - yn, y, yn));
                break;
            default: hit = xn == yn && (cased ? memcmp(x, y, xn) == 0 : sgm_fold_eq_both(x, y, xn)); break;
            }
            if (hit) return true;
        }
    return false;
}

static bool sgm_eval_pred(sgm_engine *e, const sgm_pred *pr) {
    const sgm_event *ev = &e->ev;
    if (pr->field == SGM_NONE) { /* a keyword: any value of the event */
        for (uint32_t v = 0; v < ev->n_vals; v++)
            if (ev->vals[v].type != SGM_V_NULL && sgm_pred_value(e, pr, &ev->vals[v])) return true;
        return false;
    }
    uint32_t first = ev->head[pr->field];
    switch (pr->op) {
    case SGM_OP_EXISTS: /* a JSON null is no value: the field is there only in name (as a SIEM sees it) */
        for (uint32_t v = first; v != SGM_NONE; v = ev->vals[v].next)
            if (ev->vals[v].type != SGM_V_NULL) return true;
        return false;
    case SGM_OP_NULL:
        for (uint32_t v = first; v != SGM_NONE; v = ev->vals[v].next)
            if (ev->vals[v].len && ev->vals[v].type != SGM_V_NULL) return false;
        return true;
    case SGM_OP_FIELDREF: return sgm_fieldref(e, pr);
    default: break;
    }
    for (uint32_t v = first; v != SGM_NONE; v = ev->vals[v].next)
        if (ev->vals[v].type != SGM_V_NULL && sgm_pred_value(e, pr, &ev->vals[v])) return true;
    return false;
}

/* ---- value sets ------------------------------------------------------
 * An OR over SGM_VSET_MIN or more tests of one field with one operator
 * (equals, startswith or endswith; cased or not), as a rule's value list
 * gives, is one hash lookup per value of the field, not one test per item.
 * The key: for equals, a hash of the whole (folded) value; for startswith
 * and endswith, its first or last edge bytes (folded): 8 in a set of items
 * that long or longer, 4 in a set of items of 4 to 7 bytes (file
 * extensions: '.exe', '.dll'); shorter items are tested one by one.  A
 * slot whose key matches is confirmed by its item's own test.  The OR's
 * other kids are tested after its sets: an OR's kids have no effects (but
 * for the count of regexes that hit a PCRE2 limit, which may then count one
 * fewer), so their order is free. */
#define SGM_VSET_MIN 4

typedef struct sgm_vset {
    uint32_t field;
    uint8_t op;
    bool cased;
    uint8_t edge;     /* startswith, endswith: the bytes a key is made of (8 or 4) */
    uint32_t mask;    /* slots - 1 */
    uint64_t *keys;
    uint32_t *preds;  /* per slot: the item's predicate + 1; 0: empty */
} sgm_vset;

typedef struct sgm_or_plan {
    uint32_t first_set, n_sets; /* in e->ix.vsets */
    uint32_t first_kid, n_kids; /* in e->ix.plan_kids: the kids in no set */
} sgm_or_plan;

static uint64_t sgm_vset_key(uint8_t op, bool cased, uint8_t edge, const char *p, size_t n) {
    if (op == SGM_OP_EQ) return sgm_hash_as(p, n, !cased);
    uint64_t w = 0; /* n >= edge */
    memcpy(&w, op == SGM_OP_STARTSWITH ? p : p + n - edge, edge);
    return cased ? w : sgm_fold8(w);
}

/* The edge of a startswith or endswith item (0: too short for a set). */
static uint8_t sgm_vset_edge(const sgm_pred *p) {
    if (p->op == SGM_OP_EQ) return 0;
    return p->text.len >= 8 ? 8 : p->text.len >= 4 ? 4 : 0;
}

static uint32_t sgm_vset_slot(uint64_t key, uint32_t mask) {
    return (uint32_t)((key * 0x9E3779B97F4A7C15ull) >> 32) & mask;
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

#define SGM_GROW(arr, n, cap)                                                                         \
    ((n) < (cap) || ((cap) = (cap) ? (cap) * 2 : 16,                                                  \
                     (arr) = sgm_vsets_grow((arr), (cap), sizeof *(arr)), (arr) != NULL))

static void *sgm_vsets_grow(void *p, uint32_t cap, size_t size) {
    void *n = realloc(p, (size_t)cap * size);
    if (!n) free(p);
    return n;
}

bool sgm_vsets_init(sgm_engine *e) {
    const sgm_tables *t = e->t;
    uint32_t n_sets = 0, cap_sets = 0, n_plans = 0, cap_plans = 0, n_kids = 0, cap_kids = 0;
    uint32_t *group = NULL, cap_group = 0; /* per kid of the node: the index of its group's first kid, or
                                              SGM_NONE; then the groups' first kids */
    e->ix.or_plan = malloc((t->n_nodes ? t->n_nodes : 1) * sizeof *e->ix.or_plan);
    if (!e->ix.or_plan) return false;
    for (uint32_t node = 0; node < t->n_nodes; node++) {
        e->ix.or_plan[node] = SGM_NONE;
        const sgm_node *n = &t->nodes[node];
        if (n->kind != SGM_N_OR || n->count < SGM_VSET_MIN) continue;
        const uint32_t *kids = t->kids + n->arg;
        if (n->count > cap_group) {
            uint32_t *g = realloc(group, 2 * (size_t)n->count * sizeof *g);
            if (!g) goto oom;
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
        uint32_t first_set = n_sets, first_kid = n_kids;
        for (uint32_t hd = 0; hd < n_heads; hd++) {
            uint32_t i = group[n->count + hd];
            uint32_t members = 0;
            for (uint32_t j = i; j < n->count; j++) members += group[j] == i;
            if (members < SGM_VSET_MIN) continue;
            if (!SGM_GROW(e->ix.vsets, n_sets, cap_sets)) goto oom;
            sgm_vset *s = &e->ix.vsets[n_sets++];
            const sgm_pred *p0 = &t->preds[t->nodes[kids[i]].arg];
            uint32_t slots = 16;
            while (slots < members * 2) slots *= 2;
            *s = (sgm_vset){p0->field, p0->op, (p0->flags & SGM_PF_CASED) != 0, sgm_vset_edge(p0), slots - 1, NULL, NULL};
            s->keys = malloc(slots * sizeof *s->keys);
            s->preds = calloc(slots, sizeof *s->preds);
            if (!s->keys || !s->preds) goto oom;
            for (uint32_t j = i; j < n->count; j++) {
                if (group[j] != i) continue;
                uint32_t pi = t->nodes[kids[j]].arg;
                const sgm_pred *p = &t->preds[pi];
                uint64_t key = sgm_vset_key(s->op, s->cased, s->edge, sgm_text(t, p->text), p->text.len);
                uint32_t h = sgm_vset_slot(key, s->mask);
                while (s->preds[h]) h = (h + 1) & s->mask;
                s->keys[h] = key;
                s->preds[h] = pi + 1;
                group[j] = SGM_NONE - 1; /* in a set */
            }
        }
        if (n_sets == first_set) continue; /* no list here: the OR stays as it is */
        for (uint32_t i = 0; i < n->count; i++) {
            if (group[i] == SGM_NONE - 1) continue;
            if (!SGM_GROW(e->ix.plan_kids, n_kids, cap_kids)) goto oom;
            e->ix.plan_kids[n_kids++] = kids[i];
        }
        if (!SGM_GROW(e->ix.or_plans, n_plans, cap_plans)) goto oom;
        e->ix.or_plans[n_plans] = (sgm_or_plan){first_set, n_sets - first_set, first_kid, n_kids - first_kid};
        e->ix.or_plan[node] = n_plans++;
    }
    free(group);
    e->ix.n_vsets = n_sets;
    return true;
oom:
    free(group);
    e->ix.n_vsets = n_sets;
    return false;
}

void sgm_vsets_free(sgm_engine *e) {
    for (uint32_t i = 0; e->ix.vsets && i < e->ix.n_vsets; i++) {
        free(e->ix.vsets[i].keys);
        free(e->ix.vsets[i].preds);
    }
    free(e->ix.vsets);
    free(e->ix.or_plans);
    free(e->ix.plan_kids);
    free(e->ix.or_plan);
}

static bool sgm_vset_has(sgm_engine *e, const sgm_vset *s) {
    const sgm_event *ev = &e->ev;
    for (uint32_t v = ev->head[s->field]; v != SGM_NONE; v = ev->vals[v].next) {
        const sgm_value *val = &ev->vals[v];
        if (val->type == SGM_V_NULL || val->len < s->edge) continue;
        uint64_t key = sgm_vset_key(s->op, s->cased, s->edge, ev->text + val->off, val->len);
        for (uint32_t h = sgm_vset_slot(key, s->mask); s->preds[h]; h = (h + 1) & s->mask)
            if (s->keys[h] == key && sgm_pred_value(e, &e->t->preds[s->preds[h] - 1], val)) return true;
    }
    return false;
}

bool sgm_eval_node(sgm_engine *e, uint32_t node) {
    const sgm_tables *t = e->t;
    const sgm_node *n = &t->nodes[node];
    if (n->kind == SGM_N_OR && e->ix.or_plan[node] != SGM_NONE) {
        const sgm_or_plan *pl = &e->ix.or_plans[e->ix.or_plan[node]];
        for (uint32_t i = 0; i < pl->n_sets; i++)
            if (sgm_vset_has(e, &e->ix.vsets[pl->first_set + i])) return true;
        for (uint32_t i = 0; i < pl->n_kids; i++)
            if (sgm_eval_node(e, e->ix.plan_kids[pl->first_kid + i])) return true;
        return false;
    }
    switch (n->kind) {
    case SGM_N_TRUE: return true;
    case SGM_N_FALSE: return false;
    case SGM_N_PRED:
        /* its atom was looked for in this event and is not there: false */
        if (e->prefilter && t->pred_atom[n->arg] != SGM_NONE && e->atom_seen[t->pred_atom[n->arg]] != e->epoch &&
            sgm_atom_scanned(e, t->pred_atom[n->arg]))
            return false;
        return sgm_eval_pred(e, &t->preds[n->arg]);
    case SGM_N_AND:
        for (uint32_t i = 0; i < n->count; i++)
            if (!sgm_eval_node(e, t->kids[n->arg + i])) return false;
        return true;
    case SGM_N_OR:
        for (uint32_t i = 0; i < n->count; i++)
            if (sgm_eval_node(e, t->kids[n->arg + i])) return true;
        return false;
    case SGM_N_NOT: return !sgm_eval_node(e, t->kids[n->arg]);
    default: return false;
    }
}
