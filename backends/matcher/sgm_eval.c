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

pcre2_code *sgm_regex_compile(const sgm_tables *t, uint32_t r, char *err, size_t errlen) {
    uint32_t opts = PCRE2_UTF | PCRE2_MATCH_INVALID_UTF;
    if (t->regexes[r].flags & SGM_RE_I) opts |= PCRE2_CASELESS;
    if (t->regexes[r].flags & SGM_RE_M) opts |= PCRE2_MULTILINE;
    if (t->regexes[r].flags & SGM_RE_S) opts |= PCRE2_DOTALL;
    int code;
    PCRE2_SIZE off;
    pcre2_code *re =
        pcre2_compile((PCRE2_SPTR)sgm_text(t, t->regexes[r].pattern), t->regexes[r].pattern.len, opts, &code, &off, NULL);
    if (!re) {
        PCRE2_UCHAR msg[160];
        pcre2_get_error_message(code, msg, sizeof msg);
        snprintf(err, errlen, "regex %u does not compile at offset %zu: %s", (unsigned)r, (size_t)off, (const char *)msg);
    }
    return re;
}

/* Regex index of the engine, compiled and JIT-compiled on its first use
 * (without JIT the interpreter runs it); NULL when it does not compile (the
 * tables were damaged after sigc checked every pattern): it then matches
 * nothing, and the reading engine says so once and counts it (the run
 * ends with exit status 2).  A worker's engine leaves the event to the
 * reading thread, which tests it again: the message comes at the same
 * event as with one thread (the first to run it in input order is the
 * first its worker runs). */
static pcre2_code *sgm_regex_ready(sgm_engine *e, uint32_t index) {
    if (e->regex_state[index] != SGM_RE_UNTRIED) return e->regexes[index];
    char err[256];
    pcre2_code *re = sgm_regex_compile(e->t, index, err, sizeof err);
    e->regex_state[index] = re ? SGM_RE_READY : SGM_RE_BROKEN;
    e->regexes[index] = re;
    if (re) pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);
    else if (e->collect) e->hits_failed = true;
    else {
        sgm_progress_clear(e);
        fprintf(e->o.err, "%s: error: %s; it matches nothing\n", e->o.prog, err);
        e->st.broken_regexes++;
    }
    return re;
}

static bool sgm_regex_match(sgm_engine *e, uint32_t index, const char *p, size_t len) {
    uint32_t need = e->t->regexes[index].need;
    if (need && need <= 256 && !memchr(p, (int)(need - 1), len)) return false; /* no match can lack it */
    pcre2_code *re = sgm_regex_ready(e, index);
    if (!re) return false;
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

static SGM_ALWAYS_INLINE bool sgm_pred_value(sgm_engine *e, const sgm_pred *pr, const sgm_value *v) {
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

static SGM_ALWAYS_INLINE bool sgm_eval_pred(sgm_engine *e, const sgm_pred *pr) {
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
 * A value list (an OR of many tests of one field with one operator) looked
 * up by key (sgm_index.c builds the sets).  A slot whose key matches is
 * confirmed by its item's own test.  The OR's other kids are tested after
 * its sets (its steps, sgm_index.c): an OR's kids have no effects (but for
 * the count of regexes that hit a PCRE2 limit, which may then count one
 * fewer), so their order is free. */

static bool sgm_vset_has(sgm_engine *e, const sgm_vset *s) {
    const sgm_event *ev = &e->ev;
    const uint64_t *keys = e->ix.vset_keys + s->slots;
    const uint32_t *preds = e->ix.vset_preds + s->slots;
    for (uint32_t v = ev->head[s->field]; v != SGM_NONE; v = ev->vals[v].next) {
        const sgm_value *val = &ev->vals[v];
        if (val->type == SGM_V_NULL || val->len < s->edge) continue;
        uint64_t key = sgm_vset_key(s->op, s->cased, s->edge, ev->text + val->off, val->len);
        for (uint32_t h = sgm_vset_slot(key, s->mask); preds[h]; h = (h + 1) & s->mask)
            if (keys[h] == key && sgm_pred_value(e, &e->t->preds[preds[h] - 1], val)) return true;
    }
    return false;
}

bool sgm_eval_rule(sgm_engine *e, uint32_t r) {
    const sgm_tables *t = e->t;
    uint32_t at = e->ix.rule_step[r];
    while (at < SGM_STEP_MATCH) {
        const sgm_step *s = &e->ix.steps[at];
        bool holds;
        if (s->test & SGM_STEP_VSET) holds = sgm_vset_has(e, &e->ix.vsets[s->test & ~SGM_STEP_VSET]);
        else if ((s->test & SGM_STEP_KEY) && e->key_known) holds = e->key_bucket == s->atom;
        else if ((s->test & SGM_STEP_CHANNEL) && e->chan_known) holds = e->chan_id == s->atom;
        /* its atom was looked for in this event and is not there: false */
        else if (e->prefilter && s->atom != SGM_NONE && !(s->test & (SGM_STEP_KEY | SGM_STEP_CHANNEL)) &&
                 e->atom_seen[s->atom] != e->epoch && sgm_atom_scanned(e, s->atom))
            holds = false;
        else holds = sgm_eval_pred(e, &t->preds[s->test & SGM_STEP_ARG]);
        at = holds ? s->on_true : s->on_false;
    }
    return at == SGM_STEP_MATCH;
}
