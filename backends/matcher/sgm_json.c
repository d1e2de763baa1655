/* sgm_json.c - one JSON event into the matcher's field slots.
 *
 * The parser reads one complete JSON value (the stream reader in sgm_run.c
 * finds its end) and records every scalar of it.  A scalar answers to
 * several field names, so the same rule reads flat events (Winlogbeat or
 * Sysmon for Linux style: {"Image": ...}) and the evtx_dump layout
 * ({"Event": {"EventData": {"Image": ...}}}):
 *   - its dotted path without "#attributes" and "#text" parts
 *     ("Event.System.Provider.Name");
 *   - its own key ("Image"); under "#text" the element's key;
 *   - under "#attributes", also "<element>_<attribute>" ("Provider_Name").
 * Array elements answer to the array's names.  Only names some rule uses
 * are looked up (the slot table holds exactly those).
 */
#include <stdlib.h>
#include <string.h>
#if defined(__SSE2__) && (defined(__GNUC__) || defined(__clang__))
#define SGM_JSON_SSE2 1 /* strings are copied 16 bytes a step */
#include <emmintrin.h>
#endif

#include "sgm_impl.h"

#define SGM_JSON_MAX_DEPTH 128
#define SGM_JSON_PATH_MAX 4096

void sgm_event_init(sgm_event *ev, uint32_t n_fields) {
    memset(ev, 0, sizeof *ev);
    size_t n = n_fields ? n_fields : 1;
    ev->head = malloc(n * sizeof *ev->head);
    ev->tail = malloc(n * sizeof *ev->tail);
    ev->touched = malloc(n * sizeof *ev->touched);
    if (ev->head)
        for (size_t i = 0; i < n; i++) ev->head[i] = SGM_NONE;
}

void sgm_event_free(sgm_event *ev) {
    free(ev->text);
    free(ev->vals);
    free(ev->head);
    free(ev->tail);
    free(ev->touched);
    memset(ev, 0, sizeof *ev);
}

static void sgm_json_reset(sgm_event *ev) {
    for (uint32_t i = 0; i < ev->n_touched; i++) ev->head[ev->touched[i]] = SGM_NONE;
    ev->n_touched = 0;
    ev->n_vals = 0;
    ev->text_len = 0;
    ev->has_time = false;
    ev->time_pending = false;
}

static uint32_t sgm_json_field_id(const sgm_engine *e, const char *p, size_t len) {
    if (!e->ix.slots || !(e->ix.name_lens[len / 64 % 4] >> (len % 64) & 1)) return SGM_NONE;
    uint32_t i = sgm_name_hash(p, len) & e->ix.slot_mask;
    for (;;) {
        const sgm_field_slot *s = &e->ix.slots[i];
        if (s->id == SGM_NONE) return SGM_NONE;
        if (s->len == len && memcmp(s->name, p, len) == 0) return s->id;
        i = (i + 1) & e->ix.slot_mask;
    }
}

/* The field ids a value's path gives (the dotted path, its innermost key,
 * element_attribute), remembered per path: events of one source repeat a few
 * dozen paths, and a hit costs one comparison instead of up to three hash
 * lookups.  Paths longer than SGM_PATH_CACHE_TEXT are looked up each time. */
#define SGM_PATH_CACHE 1024 /* slots, a power of two; a path takes one (by a hash of its tail): few collide */
#define SGM_PATH_CACHE_TEXT 56
typedef struct sgm_path_ids {
    uint32_t len;                      /* 0: empty slot */
    uint32_t shape;                    /* the #text / #attributes context, as in sgm_json_leaf */
    uint32_t n_ids;                    /* the field ids the path has (none twice) */
    uint32_t ids[3];
    uint64_t tail;                     /* its last 8 bytes, or all of a shorter path */
    char text[SGM_PATH_CACHE_TEXT];
} sgm_path_ids;

/* The parser's state for one event (the engine keeps one). */
struct sgm_json_parser {
    sgm_path_ids cache[SGM_PATH_CACHE]; /* cleared when the parser is made */
    sgm_engine *e;
    const char *p, *start, *end;
    const char *msg;
    char path[SGM_JSON_PATH_MAX];
    size_t path_len;
    /* the last two keys of the path (offsets into path), and whether the
     * innermost object is "#attributes" */
    size_t key_off[SGM_JSON_MAX_DEPTH + 1];
    size_t key_len[SGM_JSON_MAX_DEPTH + 1];
    bool key_skip[SGM_JSON_MAX_DEPTH + 1]; /* "#attributes" / "#text": not in the dotted path */
    int depth;
};

static bool sgm_json_fail(sgm_json_parser *ps, const char *msg) {
    if (!ps->msg) ps->msg = msg;
    return false;
}

static bool sgm_json_reserve_text(sgm_event *ev, size_t more) {
    return sgm_reserve(&ev->text, &ev->text_cap, ev->text_len + more);
}

static void sgm_json_link(sgm_event *ev, uint32_t id, uint32_t v) {
    if (id == SGM_NONE) return;
    if (ev->head[id] == SGM_NONE) {
        ev->head[id] = v;
        ev->touched[ev->n_touched++] = id;
    } else {
        if (ev->tail[id] == v) return; /* two names of one field: once */
        ev->vals[ev->tail[id]].next = v;
    }
    ev->tail[id] = v;
}

/* Records a scalar whose text is ev->text[off, off+len). */
static bool sgm_json_leaf(sgm_json_parser *ps, uint32_t off, uint32_t len, uint8_t type) {
    sgm_event *ev = &ps->e->ev;
    if (ev->n_vals == ev->cap_vals) {
        uint32_t cap = ev->cap_vals ? ev->cap_vals * 2 : 256;
        sgm_value *n = realloc(ev->vals, cap * sizeof *n);
        if (!n) return sgm_json_fail(ps, "out of memory");
        ev->vals = n;
        ev->cap_vals = cap;
    }
    uint32_t v = ev->n_vals++;
    ev->vals[v] = (sgm_value){off, len, SGM_NONE, type};
    int d = ps->depth;
    if (d == 0) return true; /* a scalar outside any object has no name */
    /* innermost named key: skip "#text" to its element */
    int k = d;
    bool is_text = ps->key_len[k] == 5 && memcmp(ps->path + ps->key_off[k], "#text", 5) == 0 && ps->key_skip[k];
    if (is_text && k > 1) k--;
    bool attribute = !is_text && k >= 3 && ps->key_skip[k - 1];
    uint32_t shape = (uint32_t)is_text | (uint32_t)attribute << 1;
    sgm_path_ids *c = NULL;
    if (ps->path_len && ps->path_len <= SGM_PATH_CACHE_TEXT) {
        uint64_t tail = 0; /* the last 8 bytes, or all of a shorter path */
        if (ps->path_len >= 8) memcpy(&tail, ps->path + ps->path_len - 8, 8);
        else memcpy(&tail, ps->path, ps->path_len);
        c = &ps->cache[((tail ^ ps->path_len) * 0x9E3779B97F4A7C15ull) >> 54]; /* the shape is compared, not hashed */
        if (c->len == ps->path_len && c->shape == shape && c->tail == tail) {
            /* the tail matched: the bytes before it, a word at a time */
            bool same = true;
            for (size_t i = 0; same && i + 8 < ps->path_len; i += 8) {
                uint64_t x, y;
                memcpy(&x, c->text + i, 8);
                memcpy(&y, ps->path + i, 8);
                same = x == y;
            }
            if (same) {
                for (uint32_t i = 0; i < c->n_ids; i++) sgm_json_link(ev, c->ids[i], v);
                return true;
            }
        }
        c->tail = tail; /* the slot is this path's from here on */
    }
    uint32_t ids[3] = {SGM_NONE, SGM_NONE, SGM_NONE};
    sgm_engine *e = ps->e;
    ids[0] = sgm_json_field_id(e, ps->path, ps->path_len);
    if (ps->key_off[k] != 0 || ps->key_len[k] != ps->path_len) /* a top-level key is its own path: looked up once */
        ids[1] = sgm_json_field_id(e, ps->path + ps->key_off[k], ps->key_len[k]);
    /* element_attribute: the key's parent is "#attributes", whose parent is the element */
    if (attribute) {
        char name[512];
        size_t el = ps->key_len[k - 2], at = ps->key_len[k];
        if (el + 1 + at <= sizeof name) {
            memcpy(name, ps->path + ps->key_off[k - 2], el);
            name[el] = '_';
            memcpy(name + el + 1, ps->path + ps->key_off[k], at);
            ids[2] = sgm_json_field_id(e, name, el + 1 + at);
        }
    }
    for (int i = 0; i < 3; i++) sgm_json_link(ev, ids[i], v);
    if (c) {
        c->len = (uint32_t)ps->path_len;
        c->shape = shape;
        c->n_ids = 0;
        for (int i = 0; i < 3; i++) {
            bool dup = ids[i] == SGM_NONE;
            for (uint32_t j = 0; j < c->n_ids && !dup; j++) dup = c->ids[j] == ids[i];
            if (!dup) c->ids[c->n_ids++] = ids[i];
        }
        memcpy(c->text, ps->path, ps->path_len);
    }
    return true;
}

static inline void sgm_json_ws(sgm_json_parser *ps) {
    while (ps->p < ps->end && (unsigned char)*ps->p <= ' ' &&
           (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r'))
        ps->p++;
}

int sgm_hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

size_t sgm_utf8_put(char *out, uint32_t cp) {
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Length of the valid UTF-8 sequence at p (0 when invalid). */
static size_t sgm_json_utf8_len(const unsigned char *p, const unsigned char *end) {
    unsigned c = p[0];
    size_t n;
    uint32_t min;
    if (c < 0xC2) return 0;
    if (c < 0xE0) n = 2, min = 0x80;
    else if (c < 0xF0) n = 3, min = 0x800;
    else if (c < 0xF5) n = 4, min = 0x10000;
    else return 0;
    if ((size_t)(end - p) < n) return 0;
    uint32_t cp = c & (0x3F >> (n - 1));
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (p[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
    return n;
}

static bool sgm_json_u4(sgm_json_parser *ps, uint32_t *out) {
    if (ps->end - ps->p < 4) return sgm_json_fail(ps, "truncated \\u escape");
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) {
        int h = sgm_hex_value(ps->p[i]);
        if (h < 0) return sgm_json_fail(ps, "bad \\u escape");
        v = v << 4 | (uint32_t)h;
    }
    ps->p += 4;
    *out = v;
    return true;
}

/* The index of the lowest byte of w whose top bit is set (w != 0). */
static inline unsigned sgm_first_flagged_byte(uint64_t w) {
#if defined(__GNUC__) || defined(__clang__)
    return (unsigned)__builtin_ctzll(w) >> 3;
#else
    unsigned k = 0;
    while (!(w & 0x80)) w >>= 8, k++;
    return k;
#endif
}

/* A string at ps->p (on the quote) unescaped into ev->text. */
static bool sgm_json_string(sgm_json_parser *ps, uint32_t *off, uint32_t *len) {
    sgm_event *ev = &ps->e->ev;
    ps->p++;
    /* the unescaped text is never longer than the rest of the raw event */
    if (!sgm_json_reserve_text(ev, (size_t)(ps->end - ps->p) + 4)) return sgm_json_fail(ps, "out of memory");
    char *out = ev->text + ev->text_len;
    char *o = out;
    for (;;) {
        /* sixteen bytes, then eight, at a time while none is a quote, a
         * backslash, a control character or non-ASCII (most of any log) */
#if defined(SGM_JSON_SSE2)
        while (ps->end - ps->p >= 16) {
            __m128i w = _mm_loadu_si128((const __m128i *)(const void *)ps->p);
            _mm_storeu_si128((__m128i *)(void *)o, w); /* room: as below */
            /* as signed bytes, control characters and non-ASCII are below 0x20 */
            __m128i special = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(w, _mm_set1_epi8('"')),
                                                        _mm_cmpeq_epi8(w, _mm_set1_epi8('\\'))),
                                           _mm_cmplt_epi8(w, _mm_set1_epi8(0x20)));
            unsigned mask = (unsigned)_mm_movemask_epi8(special);
            if (mask) {
                unsigned k = (unsigned)__builtin_ctz(mask);
                o += k;
                ps->p += k;
                goto special_byte;
            }
            o += 16;
            ps->p += 16;
        }
#endif
        while (ps->end - ps->p >= 8) {
            uint64_t w;
            memcpy(&w, ps->p, 8);
            const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
            uint64_t quote = w ^ (ones * '"'), bslash = w ^ (ones * '\\');
            uint64_t special = (w & highs) | ((w - ones * 0x20) & ~w & highs) | ((quote - ones) & ~quote & highs) |
                               ((bslash - ones) & ~bslash & highs);
            memcpy(o, ps->p, 8); /* room: the rest of the event, and 4 more */
            if (special) { /* the bytes before the first special one (its flag is exact) */
                unsigned k = sgm_first_flagged_byte(special);
                o += k;
                ps->p += k;
                break;
            }
            o += 8;
            ps->p += 8;
        }
#if defined(SGM_JSON_SSE2)
    special_byte:
#endif
        if (ps->p >= ps->end) return sgm_json_fail(ps, "unterminated string");
        unsigned char c = (unsigned char)*ps->p;
        if (c == '"') {
            ps->p++;
            break;
        }
        if (c < 0x20) return sgm_json_fail(ps, "control character in string");
        if (c == '\\') {
            if (ps->end - ps->p < 2) return sgm_json_fail(ps, "unterminated string");
            ps->p++;
            char x = *ps->p++;
            switch (x) {
            case '"': *o++ = '"'; break;
            case '\\': *o++ = '\\'; break;
            case '/': *o++ = '/'; break;
            case 'b': *o++ = '\b'; break;
            case 'f': *o++ = '\f'; break;
            case 'n': *o++ = '\n'; break;
            case 'r': *o++ = '\r'; break;
            case 't': *o++ = '\t'; break;
            case 'u': {
                uint32_t cp;
                if (!sgm_json_u4(ps, &cp)) return false;
                if (cp >= 0xD800 && cp <= 0xDBFF && ps->end - ps->p >= 6 && ps->p[0] == '\\' && ps->p[1] == 'u') {
                    const char *save = ps->p;
                    ps->p += 2;
                    uint32_t lo;
                    if (!sgm_json_u4(ps, &lo)) return false;
                    if (lo >= 0xDC00 && lo <= 0xDFFF) cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                    else ps->p = save, cp = 0xFFFD;
                } else if (cp >= 0xD800 && cp <= 0xDFFF) {
                    cp = 0xFFFD; /* a lone surrogate */
                }
                o += sgm_utf8_put(o, cp);
                break;
            }
            default: ps->p--; return sgm_json_fail(ps, "bad escape in string");
            }
            continue;
        }
        if (c < 0x80) {
            *o++ = (char)c;
            ps->p++;
            continue;
        }
        size_t n = sgm_json_utf8_len((const unsigned char *)ps->p, (const unsigned char *)ps->end);
        if (!n) return sgm_json_fail(ps, "invalid UTF-8");
        memcpy(o, ps->p, n);
        o += n;
        ps->p += n;
    }
    *off = (uint32_t)ev->text_len;
    *len = (uint32_t)(o - out);
    ev->text_len += (size_t)(o - out);
    return true;
}

static bool sgm_json_raw_leaf(sgm_json_parser *ps, const char *from, uint8_t type) {
    sgm_event *ev = &ps->e->ev;
    size_t n = (size_t)(ps->p - from);
    if (!sgm_json_reserve_text(ev, n)) return sgm_json_fail(ps, "out of memory");
    memcpy(ev->text + ev->text_len, from, n);
    uint32_t off = (uint32_t)ev->text_len;
    ev->text_len += n;
    return sgm_json_leaf(ps, off, (uint32_t)n, type);
}

static bool sgm_json_number(sgm_json_parser *ps) {
    const char *from = ps->p;
    if (ps->p < ps->end && *ps->p == '-') ps->p++;
    if (ps->p >= ps->end || *ps->p < '0' || *ps->p > '9') return sgm_json_fail(ps, "bad number");
    if (*ps->p == '0') ps->p++;
    else
        while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9') ps->p++;
    if (ps->p < ps->end && *ps->p == '.') {
        ps->p++;
        if (ps->p >= ps->end || *ps->p < '0' || *ps->p > '9') return sgm_json_fail(ps, "bad number");
        while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9') ps->p++;
    }
    if (ps->p < ps->end && (*ps->p == 'e' || *ps->p == 'E')) {
        ps->p++;
        if (ps->p < ps->end && (*ps->p == '+' || *ps->p == '-')) ps->p++;
        if (ps->p >= ps->end || *ps->p < '0' || *ps->p > '9') return sgm_json_fail(ps, "bad number");
        while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9') ps->p++;
    }
    return sgm_json_raw_leaf(ps, from, SGM_V_NUM);
}

static bool sgm_json_word(sgm_json_parser *ps, const char *w, size_t n, uint8_t type) {
    if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, w, n) != 0) return sgm_json_fail(ps, "unexpected character");
    const char *from = ps->p;
    ps->p += n;
    if (type == SGM_V_NULL) {
        (void)from;
        return sgm_json_leaf(ps, (uint32_t)ps->e->ev.text_len, 0, SGM_V_NULL);
    }
    return sgm_json_raw_leaf(ps, from, type);
}

static bool sgm_json_value(sgm_json_parser *ps);

/* Pushes key text onto the path.  Returns false when the path is too long. */
static bool sgm_json_push_key(sgm_json_parser *ps, const char *k, size_t n) {
    int d = ps->depth + 1;
    bool skip = (n == 11 && memcmp(k, "#attributes", 11) == 0) || (n == 5 && memcmp(k, "#text", 5) == 0);
    size_t need = ps->path_len + 1 + n;
    if (need >= sizeof ps->path) return sgm_json_fail(ps, "field path too long");
    /* the key's own text is kept after the dotted path when it is skipped there */
    if (!skip) {
        if (ps->path_len) ps->path[ps->path_len++] = '.';
        memcpy(ps->path + ps->path_len, k, n);
        ps->key_off[d] = ps->path_len;
        ps->path_len += n;
    } else {
        memcpy(ps->path + ps->path_len + 1, k, n);
        ps->key_off[d] = ps->path_len + 1;
    }
    ps->key_len[d] = n;
    ps->key_skip[d] = skip;
    ps->depth = d;
    return true;
}

static void sgm_json_pop_key(sgm_json_parser *ps, size_t saved_len) {
    ps->path_len = saved_len;
    ps->depth--;
}

/* A key at ps->p (on the quote).  Nearly every key has no escape, control
 * or non-ASCII byte: its text is then taken where it stands in the event,
 * found sixteen bytes at a time (or byte by byte near the end); any other
 * key is unescaped into ev->text, which the caller takes back. */
static bool sgm_json_key(sgm_json_parser *ps, const char **k, uint32_t *n) {
    const char *p = ps->p + 1, *q = p;
#if defined(SGM_JSON_SSE2)
    while (ps->end - q >= 16) {
        __m128i w = _mm_loadu_si128((const __m128i *)(const void *)q);
        __m128i quote = _mm_cmpeq_epi8(w, _mm_set1_epi8('"'));
        __m128i special = _mm_or_si128(_mm_or_si128(quote, _mm_cmpeq_epi8(w, _mm_set1_epi8('\\'))),
                                       _mm_cmplt_epi8(w, _mm_set1_epi8(0x20)));
        unsigned mask = (unsigned)_mm_movemask_epi8(special);
        if (!mask) {
            q += 16;
            continue;
        }
        unsigned at = (unsigned)__builtin_ctz(mask);
        if (!((unsigned)_mm_movemask_epi8(quote) >> at & 1)) goto general;
        q += at;
        goto found;
    }
#endif
    while (q < ps->end && *q != '"') {
        if (*q == '\\' || (unsigned char)*q < 0x20 || (unsigned char)*q >= 0x80) goto general;
        q++;
    }
    if (q >= ps->end) goto general; /* unterminated: reported there */
#if defined(SGM_JSON_SSE2)
found:
#endif
    *k = p;
    *n = (uint32_t)(q - p);
    ps->p = q + 1;
    return true;
general: {
    uint32_t off;
    if (!sgm_json_string(ps, &off, n)) return false;
    *k = ps->e->ev.text + off;
    return true;
}
}

static bool sgm_json_object(sgm_json_parser *ps) {
    ps->p++;
    sgm_json_ws(ps);
    if (ps->p < ps->end && *ps->p == '}') {
        ps->p++;
        return true;
    }
    sgm_event *ev = &ps->e->ev;
    for (;;) {
        sgm_json_ws(ps);
        if (ps->p >= ps->end || *ps->p != '"') return sgm_json_fail(ps, "expected a key");
        size_t mark = ev->text_len;
        const char *key;
        uint32_t klen;
        if (!sgm_json_key(ps, &key, &klen)) return false;
        size_t saved = ps->path_len;
        if (!sgm_json_push_key(ps, key, klen)) return false;
        ev->text_len = mark; /* the key's text is in the path now */
        sgm_json_ws(ps);
        if (ps->p >= ps->end || *ps->p != ':') return sgm_json_fail(ps, "expected ':'");
        ps->p++;
        sgm_json_ws(ps);
        if (!sgm_json_value(ps)) return false;
        sgm_json_pop_key(ps, saved);
        sgm_json_ws(ps);
        if (ps->p < ps->end && *ps->p == ',') {
            ps->p++;
            continue;
        }
        if (ps->p < ps->end && *ps->p == '}') {
            ps->p++;
            return true;
        }
        return sgm_json_fail(ps, "expected ',' or '}'");
    }
}

static bool sgm_json_array(sgm_json_parser *ps) {
    ps->p++;
    sgm_json_ws(ps);
    if (ps->p < ps->end && *ps->p == ']') {
        ps->p++;
        return true;
    }
    for (;;) {
        sgm_json_ws(ps);
        if (!sgm_json_value(ps)) return false;
        sgm_json_ws(ps);
        if (ps->p < ps->end && *ps->p == ',') {
            ps->p++;
            continue;
        }
        if (ps->p < ps->end && *ps->p == ']') {
            ps->p++;
            return true;
        }
        return sgm_json_fail(ps, "expected ',' or ']'");
    }
}

static bool sgm_json_value(sgm_json_parser *ps) {
    if (ps->p >= ps->end) return sgm_json_fail(ps, "unexpected end of event");
    if (ps->depth >= SGM_JSON_MAX_DEPTH) return sgm_json_fail(ps, "nested too deeply");
    switch (*ps->p) {
    case '{': return sgm_json_object(ps); /* its keys count towards the depth */
    case '[': {
        int saved = ps->depth;
        if (++ps->depth > SGM_JSON_MAX_DEPTH) return sgm_json_fail(ps, "nested too deeply");
        /* an array keeps its key: copy the innermost key to the new level */
        ps->key_off[ps->depth] = ps->key_off[saved];
        ps->key_len[ps->depth] = ps->key_len[saved];
        ps->key_skip[ps->depth] = ps->key_skip[saved];
        bool ok = sgm_json_array(ps);
        ps->depth = saved;
        return ok;
    }
    case '"': {
        uint32_t off, len;
        if (!sgm_json_string(ps, &off, &len)) return false;
        return sgm_json_leaf(ps, off, len, SGM_V_STR);
    }
    case 't': return sgm_json_word(ps, "true", 4, SGM_V_BOOL);
    case 'f': return sgm_json_word(ps, "false", 5, SGM_V_BOOL);
    case 'n': return sgm_json_word(ps, "null", 4, SGM_V_NULL);
    default: return sgm_json_number(ps);
    }
}

int sgm_json_parse_event(sgm_engine *e, const char *text, size_t len, size_t *err_off, const char **msg) {
    sgm_json_reset(&e->ev);
    if (!e->json) { /* once per engine: its path buffers are not cleared per event */
        if (!(e->json = malloc(sizeof *e->json))) {
            *err_off = 0;
            *msg = "out of memory";
            return -1;
        }
        memset(e->json->cache, 0, sizeof e->json->cache);
    }
    sgm_json_parser *ps = e->json;
    ps->e = e;
    ps->msg = NULL;
    ps->path_len = 0;
    ps->depth = 0;
    ps->p = ps->start = text;
    ps->end = text + len;
    sgm_json_ws(ps);
    bool ok = ps->p < ps->end && (*ps->p == '{' || *ps->p == '[') ? sgm_json_value(ps)
                                                                    : sgm_json_fail(ps, "an event must be a JSON object");
    if (ok) {
        sgm_json_ws(ps);
        if (ps->p != ps->end) ok = sgm_json_fail(ps, "text after the event");
    }
    if (!ok) {
        *err_off = (size_t)(ps->p - text);
        *msg = ps->msg ? ps->msg : "malformed JSON";
        return -1;
    }
    e->ev.raw = text;
    e->ev.raw_len = len;
    e->ev.time_pending = true;
    if (e->t->n_aggs) sgm_event_time(e);
    return 0;
}

void sgm_event_time(sgm_engine *e) {
    if (!e->ev.time_pending) return;
    e->ev.time_pending = false;
    /* the first time field present that reads as a time */
    const sgm_tables *t = e->t;
    const sgm_value *day = NULL; /* the value it came from when that is a date alone */
    for (uint32_t i = 0; i < t->n_time_fields && !e->ev.has_time; i++) {
        uint32_t id = t->time_fields[i];
        for (uint32_t v = e->ev.head[id]; v != SGM_NONE; v = e->ev.vals[v].next) {
            const sgm_value *val = &e->ev.vals[v];
            if (sgm_parse_time(e->ev.text + val->off, val->len, &e->ev.time_us)) {
                e->ev.has_time = true;
                if (val->len == 10) day = val;
                break;
            }
        }
    }
    /* W3C extended logs (IIS, and servers writing its fields) give the day
     * and the time of day apart, in UTC: date 2026-04-20, time 10:00:01 */
    uint32_t tod = day ? sgm_json_field_id(e, "time", 4) : SGM_NONE;
    for (uint32_t v = tod == SGM_NONE ? SGM_NONE : e->ev.head[tod]; v != SGM_NONE; v = e->ev.vals[v].next) {
        const sgm_value *val = &e->ev.vals[v];
        char both[48];
        if (val->len < 8 || val->len > sizeof both - 11) continue;
        memcpy(both, e->ev.text + day->off, 10);
        both[10] = 'T';
        memcpy(both + 11, e->ev.text + val->off, val->len);
        if (sgm_parse_time(both, 11 + val->len, &e->ev.time_us)) break;
    }
}

/* ---- time --------------------------------------------------------------- */

static int64_t sgm_days_from_civil(int64_t y, unsigned m, unsigned d) {
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = (unsigned)(y - era * 400);
    const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static bool sgm_digits(const char *p, size_t n, int *out) {
    int v = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9') return false;
        v = v * 10 + (p[i] - '0');
    }
    *out = v;
    return true;
}

/* ISO 8601 / RFC 3339 ("2025-10-24T23:41:48.497170Z", "2025-10-24 23:41:48.482",
 * offsets +hh:mm), or a number of seconds (milliseconds when above 1e11)
 * since 1970. */
bool sgm_parse_time(const char *p, size_t len, int64_t *out_us) {
    int Y, M, D, h = 0, mi = 0, s = 0;
    if (len >= 10 && p[4] == '-' && p[7] == '-' && sgm_digits(p, 4, &Y) && sgm_digits(p + 5, 2, &M) &&
        sgm_digits(p + 8, 2, &D)) {
        if (M < 1 || M > 12 || D < 1 || D > 31) return false;
        size_t i = 10;
        int64_t frac_us = 0, offset_s = 0;
        if (i < len && (p[i] == 'T' || p[i] == ' ' || p[i] == 't')) {
            if (len - i < 9 || p[i + 3] != ':' || p[i + 6] != ':' || !sgm_digits(p + i + 1, 2, &h) ||
                !sgm_digits(p + i + 4, 2, &mi) || !sgm_digits(p + i + 7, 2, &s))
                return false;
            if (h > 23 || mi > 59 || s > 60) return false;
            i += 9;
            if (i < len && (p[i] == '.' || p[i] == ',')) {
                i++;
                int64_t scale = 100000;
                size_t start = i;
                while (i < len && p[i] >= '0' && p[i] <= '9') {
                    frac_us += (p[i] - '0') * scale;
                    scale /= 10;
                    i++;
                }
                if (i == start) return false;
            }
            if (i < len && (p[i] == 'Z' || p[i] == 'z')) {
                i++;
            } else if (i < len && (p[i] == '+' || p[i] == '-')) {
                int oh, om = 0;
                if (len - i < 3 || !sgm_digits(p + i + 1, 2, &oh)) return false;
                size_t j = i + 3;
                if (j < len && p[j] == ':') j++;
                if (j + 2 <= len && sgm_digits(p + j, 2, &om)) j += 2;
                offset_s = (int64_t)(oh * 3600 + om * 60) * (p[i] == '-' ? -1 : 1);
                i = j;
            }
        }
        if (i != len) return false;
        int64_t days = sgm_days_from_civil(Y, (unsigned)M, (unsigned)D);
        *out_us = ((days * 86400 + h * 3600 + mi * 60 + s) - offset_s) * 1000000 + frac_us;
        return true;
    }
    double v;
    if (len && len < 32 && sgm_value_number(p, len, &v) && v >= 0 && v < 1e16) {
        if (v > 1e11) v /= 1000.0; /* milliseconds */
        if (v >= 9e12) return false; /* microseconds would not fit in int64 */
        *out_us = (int64_t)(v * 1e6);
        return true;
    }
    return false;
}
