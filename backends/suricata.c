/* suricata.c - Suricata 7 rules from the network-observable part of Sigma.
 *
 * The pipeline (compiler/data/pipelines/suricata.yml) places a rule: its
 * `table` is the rule header's protocol and addresses ("http $HOME_NET any
 * -> $EXTERNAL_NET any"), its `prelude` the options that lead every rule
 * ("flow:established"), and its field map names what Suricata inspects:
 *   - a sticky buffer (http.uri.raw, http.user_agent, dns.query, tls.sni...);
 *     a suffix #query or #stem inspects the part of a URI buffer after or
 *     before its first '?' (through an anchored pcre);
 *   - a header field: ip.src, ip.dst, port.src, port.dst.
 * A field the pipeline does not map is an error (unmapped: error), so a rule
 * about Image or CommandLine never becomes a looser network rule.
 *
 * Suricata ANDs the options of a rule and has no OR, so the detection is
 * brought to a disjunction of conjunctions and each conjunction becomes one
 * rule (one sid each, the same msg), at most SUR_MAX_BRANCHES of them.
 * Negation is `content:!` / `pcre:!`, which Suricata tests inside a buffer
 * that exists: a negated item also requires its buffer.
 *
 * Thresholds (legacy count, the threshold extension, filled-in placeholders
 * and event_count correlations of one rule), counted per source, per
 * destination, per pair or per rule, become
 * `threshold: type both, track by_src, count N, seconds T;`: one alert per
 * window once N matches are seen.
 *
 * Escaping, one function per context: sur_content (content: printable bytes
 * as they are, every other byte and `"` `;` `:` `\` `|` as |HH|), sur_pcre
 * (a regex: `"` `;` `/` and non-printable bytes as \xHH, so nothing ends the
 * option or the pattern), sur_text (msg and metadata text: `"` `;` `\`
 * backslash-escaped, controls as spaces), sur_reference_url (`"` `;` `\`
 * percent-encoded) and sur_emit_comment.
 *
 * Sids: each Sigma rule owns a block of SUR_BLOCK sids, chosen from a hash
 * of its id within SUR_SLOTS blocks above the base (--sid-base, default
 * 1000000000); its rules take the block's first sids in order.  Two rules of
 * one run whose ids hash to the same block: the later one (in input order)
 * moves to the next free block and a warning says so.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "encode.h"

#define SUR_MAX_BRANCHES 64
#define SUR_BLOCK 100u
/* What Suricata 7 reads: a rule line of at most 8191 bytes (its rule reader
 * reads lines into DETECT_MAX_RULE_SIZE, 8192, and takes what is left over
 * for another rule), and, as Debian builds it (Hyperscan for single
 * patterns, spm-hs), contents of at most 4000 bytes. */
#define SUR_MAX_LINE 8191u
#define SUR_MAX_CONTENT 4000u
#define SUR_SLOTS 10000000u
#define SUR_DEFAULT_BASE 1000000000u

static uint64_t sur_sid_base = SUR_DEFAULT_BASE;

/* ---- errors ---------------------------------------------------------- */

typedef struct sur_ctx {
    sg_diags *diags;
    const sg_ir_rule *rule;
    bool failed;
} sur_ctx;

__attribute__((format(printf, 4, 5))) static void sur_error(sur_ctx *c, uint32_t line, uint32_t col, const char *fmt,
                                                            ...) {
    va_list ap;
    va_start(ap, fmt);
    sg_diag_vadd(c->diags, SG_D_UNSUPPORTED, SG_SEV_ERROR,
                 (sg_loc){c->rule->meta.file, line ? line : c->rule->meta.line, col ? col : 1}, fmt, ap);
    va_end(ap);
    c->failed = true;
}

/* ---- escaping ------------------------------------------------------ */

static bool sur_printable(unsigned char b) { return b >= 0x20 && b < 0x7f; }

/* content:"..." text: printable ASCII as it is, all else as |HH HH|. */
static void sur_content(sg_buf *out, const char *p, size_t n, bool lower) {
    bool hex = false;
    for (size_t i = 0; i < n; i++) {
        unsigned char b = (unsigned char)p[i];
        if (lower && b >= 'A' && b <= 'Z') b = (unsigned char)(b + 32);
        bool plain = sur_printable(b) && !strchr("\";:\\|", b);
        if (plain) {
            if (hex) sg_buf_add_byte(out, '|'), hex = false;
            sg_buf_add_byte(out, (char)b);
        } else {
            sg_buf_printf(out, hex ? " %02X" : "|%02X", b);
            hex = true;
        }
    }
    if (hex) sg_buf_add_byte(out, '|');
}

/* One byte of a pcre pattern that must not appear as it is. */
static bool sur_pcre_hide(unsigned char b) { return !sur_printable(b) || b == '"' || b == ';' || b == '/'; }

/* A PCRE pattern inside pcre:"/.../": escapes keep their meaning, but an
 * escaped or bare `"` `;` `/` and every non-printable byte are written
 * \xHH, which means the same byte to PCRE and nothing to the rule parser. */
static void sur_pcre(sg_buf *out, const char *p, size_t n) {
    for (size_t i = 0; i < n; i++) {
        unsigned char b = (unsigned char)p[i];
        if (b == '\\' && i + 1 < n) {
            unsigned char nb = (unsigned char)p[i + 1];
            if (sur_pcre_hide(nb)) sg_buf_printf(out, "\\x%02X", nb);
            else sg_buf_add_byte(out, '\\'), sg_buf_add_byte(out, (char)nb);
            i++;
        } else if (sur_pcre_hide(b)) {
            sg_buf_printf(out, "\\x%02X", b);
        } else {
            sg_buf_add_byte(out, (char)b);
        }
    }
}

/* A literal byte string as a regex (for wildcards and URI parts), in
 * lower case for a buffer Suricata lowercases (as sur_content). */
static void sur_pcre_literal(sg_buf *out, const char *p, size_t n, bool lower) {
    for (size_t i = 0; i < n; i++) {
        unsigned char b = (unsigned char)p[i];
        if (lower && b >= 'A' && b <= 'Z') b = (unsigned char)(b + 32);
        if (sur_pcre_hide(b) || b == '\\') sg_buf_printf(out, "\\x%02X", b);
        else if (strchr(".^$|?*+()[]{}", b)) sg_buf_add_byte(out, '\\'), sg_buf_add_byte(out, (char)b);
        else sg_buf_add_byte(out, (char)b);
    }
}

/* A reference:url address (printable, no space): the bytes Suricata's
 * option syntax gives a meaning ('"', ';', '\\') percent-encoded, as a web
 * address writes them, so the value holds no quote or escape at all. */
static void sur_reference_url(sg_buf *out, const char *p, size_t n) {
    for (size_t i = 0; i < n; i++) {
        unsigned char b = (unsigned char)p[i];
        if (b == '"' || b == ';' || b == '\\') sg_buf_printf(out, "%%%02X", b);
        else sg_buf_add_byte(out, (char)b);
    }
}

/* msg and metadata text. */
static void sur_text(sg_buf *out, const char *p, size_t n) {
    for (size_t i = 0; i < n; i++) {
        unsigned char b = (unsigned char)p[i];
        if (b == '"' || b == ';' || b == '\\') sg_buf_add_byte(out, '\\'), sg_buf_add_byte(out, (char)b);
        else if (b < 0x20 || b == 0x7f) sg_buf_add_byte(out, ' ');
        else sg_buf_add_byte(out, (char)b);
    }
}

/* # comment lines: line breaks and other controls (C0, DEL, C1) become
 * spaces; the bidi controls, U+2028/U+2029 and the BOM are written \uXXXX,
 * so a comment can neither end early nor reorder what a reader sees. */
static void sur_emit_comment(sg_buf *out, sg_str text) {
    const unsigned char *p = (const unsigned char *)text.ptr;
    sg_buf_add_cstr(out, "# ");
    for (size_t i = 0; i < text.len; i++) {
        uint32_t cp = p[i];
        size_t n = 1; /* other bytes, and 4-byte sequences, are copied a byte at a time */
        if (p[i] >= 0xC2 && p[i] <= 0xDF && i + 1 < text.len && (p[i + 1] & 0xC0) == 0x80)
            cp = (uint32_t)(p[i] & 0x1F) << 6 | (p[i + 1] & 0x3F), n = 2;
        else if ((p[i] & 0xF0) == 0xE0 && i + 2 < text.len && (p[i + 1] & 0xC0) == 0x80 && (p[i + 2] & 0xC0) == 0x80)
            cp = (uint32_t)(p[i] & 0x0F) << 12 | (uint32_t)(p[i + 1] & 0x3F) << 6 | (p[i + 2] & 0x3F), n = 3;
        if (cp < 0x20 || cp == 0x7f || (n == 2 && cp < 0xA0))
            sg_buf_add_byte(out, ' ');
        else if (n == 3 && (cp == 0x200E || cp == 0x200F || (cp >= 0x2028 && cp <= 0x202E) ||
                            (cp >= 0x2066 && cp <= 0x2069) || cp == 0xFEFF))
            sg_buf_printf(out, "\\u%04X", (unsigned)cp);
        else if (n == 2 && cp == 0x061C)
            sg_buf_add_cstr(out, "\\u061C");
        else
            sg_buf_add(out, p + i, n);
        i += n - 1;
    }
    sg_buf_add_byte(out, '\n');
}

/* ---- disjunctive normal form ---------------------------------------- */

typedef struct sur_lit {
    const sg_ir_pred *p;
    bool neg;
} sur_lit;

typedef struct sur_conj {
    sur_lit *lits;
    size_t n;
} sur_conj;

typedef struct sur_dnf {
    sur_conj *conj;
    size_t n;
} sur_dnf;

static void sur_dnf_free(sur_dnf *d) {
    for (size_t i = 0; i < d->n; i++) free(d->conj[i].lits);
    free(d->conj);
    d->conj = NULL, d->n = 0;
}

static bool sur_dnf_push(sur_dnf *d, sur_conj c) {
    if (d->n >= SUR_MAX_BRANCHES) {
        free(c.lits);
        return false;
    }
    d->conj = sg_xrealloc(d->conj, (d->n + 1) * sizeof *d->conj);
    d->conj[d->n++] = c;
    return true;
}

static sur_conj sur_conj_join(const sur_conj *a, const sur_conj *b) {
    sur_conj c = {sg_xmalloc((a->n + b->n + 1) * sizeof *c.lits), a->n + b->n};
    if (a->n) memcpy(c.lits, a->lits, a->n * sizeof *c.lits);
    if (b->n) memcpy(c.lits + a->n, b->lits, b->n * sizeof *c.lits);
    return c;
}

/* e (negated when neg) into out; false when it needs more than
 * SUR_MAX_BRANCHES rules or holds what has no rule form. */
static bool sur_to_dnf(sur_ctx *c, const sg_ir_expr *e, bool neg, sur_dnf *out) {
    out->conj = NULL, out->n = 0;
    switch (e->kind) {
    case SG_IR_TRUE:
    case SG_IR_FALSE:
        if ((e->kind == SG_IR_TRUE) != neg) return sur_dnf_push(out, (sur_conj){sg_xmalloc(sizeof(sur_lit)), 0});
        return true; /* matches nothing: no rule */
    case SG_IR_PRED: {
        sur_conj one = {sg_xmalloc(sizeof(sur_lit)), 1};
        one.lits[0] = (sur_lit){e->pred, neg};
        return sur_dnf_push(out, one);
    }
    case SG_IR_NOT: return sur_to_dnf(c, e->kids[0], !neg, out);
    case SG_IR_RULEREF:
        sur_error(c, e->line, e->col, "a temporal correlation has no Suricata rule form");
        return false;
    case SG_IR_AND:
    case SG_IR_OR: break;
    }
    bool is_or = (e->kind == SG_IR_OR) != neg;
    if (is_or) {
        for (size_t k = 0; k < e->count; k++) {
            sur_dnf kid;
            if (!sur_to_dnf(c, e->kids[k], neg, &kid)) {
                sur_dnf_free(&kid);
                return false;
            }
            for (size_t i = 0; i < kid.n; i++) {
                if (!sur_dnf_push(out, kid.conj[i])) {
                    for (size_t j = i + 1; j < kid.n; j++) free(kid.conj[j].lits);
                    free(kid.conj);
                    return false;
                }
            }
            free(kid.conj);
        }
        return true;
    }
    /* a conjunction: the cross product of the children's disjunctions */
    sur_dnf acc = {NULL, 0};
    sur_dnf_push(&acc, (sur_conj){sg_xmalloc(sizeof(sur_lit)), 0});
    for (size_t k = 0; k < e->count; k++) {
        sur_dnf kid, next = {NULL, 0};
        bool ok = sur_to_dnf(c, e->kids[k], neg, &kid);
        for (size_t i = 0; ok && i < acc.n; i++)
            for (size_t j = 0; ok && j < kid.n; j++) ok = sur_dnf_push(&next, sur_conj_join(&acc.conj[i], &kid.conj[j]));
        sur_dnf_free(&kid);
        sur_dnf_free(&acc);
        acc = next;
        if (!ok) {
            sur_dnf_free(&acc);
            return false;
        }
    }
    *out = acc;
    return true;
}

/* The pipeline variant a conjunction belongs to: its suricata.header
 * condition, or none. */
static sg_str sur_conj_header(const sur_conj *c) {
    for (size_t i = 0; i < c->n; i++)
        if (!c->lits[i].neg && sg_str_eq_cstr(c->lits[i].p->field, "suricata.header")) return c->lits[i].p->text;
    return (sg_str){"", 0};
}

/* ---- one conjunction as one rule -------------------------------------- */

typedef enum sur_field_kind {
    SUR_BUFFER,
    SUR_IP_SRC,
    SUR_IP_DST,
    SUR_PORT_SRC,
    SUR_PORT_DST,
    SUR_PROTO,
} sur_field_kind;

static sur_field_kind sur_field(sg_str f) {
    if (sg_str_eq_cstr(f, "ip.src")) return SUR_IP_SRC;
    if (sg_str_eq_cstr(f, "ip.dst")) return SUR_IP_DST;
    if (sg_str_eq_cstr(f, "port.src")) return SUR_PORT_SRC;
    if (sg_str_eq_cstr(f, "port.dst")) return SUR_PORT_DST;
    if (sg_str_eq_cstr(f, "ip.proto")) return SUR_PROTO;
    return SUR_BUFFER;
}

/* One side of the header (addresses or ports): at most one positive item
 * and any number of negated ones. */
typedef struct sur_side {
    sg_buf pos;  /* empty: any */
    sg_buf neg;  /* "a,b": the excluded items */
    size_t n_neg;
} sur_side;

static void sur_side_render(sg_buf *out, sur_side *s) {
    if (!s->pos.len && !s->n_neg) {
        sg_buf_add_cstr(out, "any");
    } else if (!s->n_neg) {
        sg_buf_add(out, s->pos.data, s->pos.len);
    } else if (!s->pos.len) { /* everything but: !a, or ![a,b] */
        sg_buf_add_cstr(out, s->n_neg > 1 ? "![" : "!");
        sg_buf_add(out, s->neg.data, s->neg.len);
        if (s->n_neg > 1) sg_buf_add_byte(out, ']');
    } else { /* a set less some of it: [a,!b,!c] */
        sg_buf_add_byte(out, '[');
        sg_buf_add(out, s->pos.data, s->pos.len);
        for (size_t i = 0; i < s->neg.len; i++) {
            if (i == 0 || s->neg.data[i - 1] == ',') sg_buf_add_cstr(out, ",!");
            if (s->neg.data[i] != ',') sg_buf_add_byte(out, s->neg.data[i]);
        }
        sg_buf_add_byte(out, ']');
    }
}

static void sur_cidr_text(sg_buf *out, const sg_cidr *ci) {
    if (ci->family == 4) {
        sg_buf_printf(out, "%u.%u.%u.%u", ci->addr[0], ci->addr[1], ci->addr[2], ci->addr[3]);
        if (ci->prefix != 32) sg_buf_printf(out, "/%u", ci->prefix);
        return;
    }
    for (int i = 0; i < 16; i += 2) sg_buf_printf(out, "%s%x", i ? ":" : "", (unsigned)(ci->addr[i] << 8 | ci->addr[i + 1]));
    if (ci->prefix != 128) sg_buf_printf(out, "/%u", ci->prefix);
}

static bool sur_side_add(sur_ctx *c, sur_side *s, const sur_lit *l, const char *what, const sg_buf *item) {
    if (l->neg) {
        if (s->n_neg++) sg_buf_add_byte(&s->neg, ',');
        sg_buf_add(&s->neg, item->data, item->len);
        return true;
    }
    if (s->pos.len && !(s->pos.len == item->len && memcmp(s->pos.data, item->data, item->len) == 0)) {
        sur_error(c, l->p->line, l->p->col, "two conditions on %s in one rule: Suricata's header holds one", what);
        return false;
    }
    sg_buf_reset(&s->pos);
    sg_buf_add(&s->pos, item->data, item->len);
    return true;
}

static bool sur_address(sur_ctx *c, sur_side *s, const sur_lit *l, const char *what) {
    const sg_ir_pred *p = l->p;
    sg_cidr ci;
    char err[128];
    if (p->op == SG_OP_CIDR) {
        ci = p->cidr;
    } else if (p->op != SG_OP_EQ || p->vtype == SG_VT_NUMBER || !sg_cidr_parse(p->text, &ci, err) ||
               ci.prefix != (ci.family == 4 ? 32u : 128u)) {
        sur_error(c, p->line, p->col, "%s takes an IP address or a cidr network, not this value", what);
        return false;
    }
    sg_buf item;
    sg_buf_init(&item);
    sur_cidr_text(&item, &ci);
    bool ok = sur_side_add(c, s, l, what, &item);
    sg_buf_free(&item);
    return ok;
}

static bool sur_port(sur_ctx *c, sur_side *s, const sur_lit *l, const char *what) {
    const sg_ir_pred *p = l->p;
    if (p->vtype != SG_VT_NUMBER || !p->is_int || p->int_value < 0 || p->int_value > 65535 ||
        (p->op != SG_OP_EQ && p->op != SG_OP_LT && p->op != SG_OP_LTE && p->op != SG_OP_GT && p->op != SG_OP_GTE)) {
        sur_error(c, p->line, p->col, "%s takes a port number (0-65535) or a comparison with one", what);
        return false;
    }
    int64_t v = p->int_value, lo = 0, hi = 65535;
    switch (p->op) {
    case SG_OP_LT: hi = v - 1; break;
    case SG_OP_LTE: hi = v; break;
    case SG_OP_GT: lo = v + 1; break;
    case SG_OP_GTE: lo = v; break;
    default: lo = hi = v; break;
    }
    if (lo > hi) {
        sur_error(c, p->line, p->col, "%s: no port satisfies this comparison", what);
        return false;
    }
    sg_buf item;
    sg_buf_init(&item);
    if (lo == hi) sg_buf_printf(&item, "%lld", (long long)lo);
    else if (hi == 65535) sg_buf_printf(&item, "%lld:", (long long)lo);
    else if (lo == 0) sg_buf_printf(&item, ":%lld", (long long)hi);
    else sg_buf_printf(&item, "%lld:%lld", (long long)lo, (long long)hi);
    bool ok = sur_side_add(c, s, l, what, &item);
    sg_buf_free(&item);
    return ok;
}

/* A wildcard pattern as the body of an anchored regex: `*` any run, `?` one
 * UTF-8 character; within a URI stem (stem) neither runs past a '?'.  The
 * literal parts are lowercased when lower is set (http.host, which Suricata
 * lowercases).  The longest literal part goes to *lit, for a content
 * prefilter. */
static void sur_glob_regex(sg_buf *out, const sg_sstring *g, sg_buf *lit, bool stem, bool lower) {
    for (size_t i = 0; i < g->n; i++) {
        const sg_spart *part = &g->parts[i];
        if (part->kind == SG_SP_STAR) {
            sg_buf_add_cstr(out, stem ? "[^?]*" : ".*");
        } else if (part->kind == SG_SP_ONE) {
            sg_buf_add_cstr(out, stem ? "(?:[\\x00-\\x3E\\x40-\\x7F]|[\\xC0-\\xF7][\\x80-\\xBF]+)"
                                      : "(?:[\\x00-\\x7F]|[\\xC0-\\xF7][\\x80-\\xBF]+)");
        } else {
            sur_pcre_literal(out, part->text.ptr, part->text.len, lower);
            if (part->text.len > lit->len) sg_buf_reset(lit), sg_buf_add(lit, part->text.ptr, part->text.len);
        }
    }
}

/* Where a buffer's value lies: the whole buffer, or a URI part. */
typedef enum sur_part { SUR_WHOLE, SUR_QUERY, SUR_STEM } sur_part;

/* The buffers of a response; the others belong to the request, and
 * Suricata 7 refuses a rule that tests both. */
static bool sur_response_buffer(sg_str f) {
    static const char *const resp[] = {"http.stat_code", "http.stat_msg", "http.response_body", "http.response_line",
                                       "http.response_header", "http.server", "http.location", "file.data"};
    for (size_t i = 0; i < sizeof resp / sizeof *resp; i++)
        if (sg_str_eq_cstr(f, resp[i])) return true;
    return false;
}

/* One item on a sticky buffer: its content or pcre options into opts (the
 * caller writes the buffer's name once before all of its items); the
 * buffer in *buffer. */
static bool sur_buffer_item(sur_ctx *c, sg_buf *opts, const sur_lit *l, sg_str *buffer) {
    const sg_ir_pred *p = l->p;
    sg_str field = p->field;
    sur_part part = SUR_WHOLE;
    const char *hash = memchr(field.ptr, '#', field.len);
    if (hash) {
        sg_str suffix = {hash + 1, field.len - (size_t)(hash + 1 - field.ptr)};
        part = sg_str_eq_cstr(suffix, "query") ? SUR_QUERY : sg_str_eq_cstr(suffix, "stem") ? SUR_STEM : SUR_WHOLE;
        if (part == SUR_WHOLE) {
            sur_error(c, p->line, p->col, "unknown buffer part '#%.*s' in the pipeline (query or stem)", (int)(suffix.len), suffix.ptr);
            return false;
        }
        field.len = (size_t)(hash - field.ptr);
    }
    /* buffers Suricata lowercases (and where it refuses nocase) */
    bool host = sg_str_eq_cstr(field, "http.host") || sg_str_eq_cstr(field, "ja3.hash") ||
                sg_str_eq_cstr(field, "ja3s.hash");
    switch (p->op) {
    case SG_OP_EQ:
    case SG_OP_CONTAINS:
    case SG_OP_STARTSWITH:
    case SG_OP_ENDSWITH:
    case SG_OP_GLOB:
    case SG_OP_REGEX: break;
    case SG_OP_CIDR:
        sur_error(c, p->line, p->col, "cidr on '%.*s': only ip.src and ip.dst take networks", (int)(field.len), field.ptr);
        return false;
    case SG_OP_NULL:
    case SG_OP_EXISTS:
        sur_error(c, p->line, p->col, "null and exists on '%.*s' have no exact Suricata form", (int)(field.len), field.ptr);
        return false;
    case SG_OP_FIELDREF:
        sur_error(c, p->line, p->col, "fieldref has no Suricata form");
        return false;
    default:
        /* the status code is three digits: byte_test reads it as a number */
        if (sg_str_eq_cstr(field, "http.stat_code") && part == SUR_WHOLE && p->is_int && p->int_value >= 0 &&
            p->int_value <= 999 && !p->timepart) {
            static const char *const ops[] = {[SG_OP_LT] = "<", [SG_OP_LTE] = "<=", [SG_OP_GT] = ">",
                                              [SG_OP_GTE] = ">="};
            if (l->neg) { /* not (x op v) is x op' v on a number that is there */
                static const char *const inv[] = {[SG_OP_LT] = ">=", [SG_OP_LTE] = ">", [SG_OP_GT] = "<=",
                                                  [SG_OP_GTE] = "<"};
                sg_buf_printf(opts, "byte_test:3,%s,%lld,0,string,dec; ", inv[p->op], (long long)p->int_value);
            } else {
                sg_buf_printf(opts, "byte_test:3,%s,%lld,0,string,dec; ", ops[p->op], (long long)p->int_value);
            }
            *buffer = field;
            return true;
        }
        sur_error(c, p->line, p->col, "a numeric comparison on '%.*s' has no Suricata form", (int)(field.len), field.ptr);
        return false;
    }
    if (p->timepart) {
        sur_error(c, p->line, p->col, "time parts have no Suricata form");
        return false;
    }
    if (p->vtype == SG_VT_BOOL) {
        sur_error(c, p->line, p->col, "a boolean on '%.*s' has no Suricata form", (int)(field.len), field.ptr);
        return false;
    }
    if (host && p->cased && p->op != SG_OP_REGEX) {
        for (size_t i = 0; i < p->text.len; i++)
            if (p->text.ptr[i] >= 'A' && p->text.ptr[i] <= 'Z') {
                sur_error(c, p->line, p->col, "Suricata lowercases this buffer: a cased value with capitals never matches");
                return false;
            }
    }
    *buffer = field;
    bool nocase = !p->cased && !host;
    if (part == SUR_WHOLE && p->op != SG_OP_GLOB && p->op != SG_OP_REGEX) {
        if (!p->text.len) {
            if (p->op != SG_OP_EQ) {
                sur_error(c, p->line, p->col, "an empty value matches any '%.*s': write exists instead", (int)(field.len), field.ptr);
                return false;
            }
            sg_buf_add_cstr(opts, l->neg ? "bsize:>0; " : "bsize:0; ");
            return true;
        }
        if (p->text.len > SUR_MAX_CONTENT) {
            sur_error(c, p->line, p->col, "a %zu-byte value: Suricata takes contents of at most %u bytes",
                      p->text.len, SUR_MAX_CONTENT);
            return false;
        }
        sg_buf_add_cstr(opts, l->neg ? "content:!\"" : "content:\"");
        sur_content(opts, p->text.ptr, p->text.len, host);
        sg_buf_add_cstr(opts, "\"; ");
        if (nocase) sg_buf_add_cstr(opts, "nocase; ");
        if (p->op == SG_OP_EQ || p->op == SG_OP_STARTSWITH) sg_buf_add_cstr(opts, "startswith; ");
        if (p->op == SG_OP_EQ || p->op == SG_OP_ENDSWITH) sg_buf_add_cstr(opts, "endswith; ");
        return true;
    }
    /* a regex: wildcards, regexes, and every test on a URI part */
    sg_buf re, lit;
    sg_buf_init(&re);
    sg_buf_init(&lit);
    const char *lead = part == SUR_QUERY ? "^[^?]*\\?" : "^";
    switch (p->op) {
    case SG_OP_EQ:
        sg_buf_add_cstr(&re, lead);
        sur_pcre_literal(&re, p->text.ptr, p->text.len, false);
        sg_buf_add_cstr(&re, part == SUR_STEM ? "(?:\\?|$)" : "$");
        sg_buf_add(&lit, p->text.ptr, p->text.len);
        break;
    case SG_OP_STARTSWITH:
        sg_buf_add_cstr(&re, lead);
        sur_pcre_literal(&re, p->text.ptr, p->text.len, false);
        sg_buf_add(&lit, p->text.ptr, p->text.len);
        break;
    case SG_OP_ENDSWITH:
        sg_buf_add_cstr(&re, part == SUR_QUERY ? "\\?.*" : part == SUR_STEM ? "^[^?]*" : "");
        sur_pcre_literal(&re, p->text.ptr, p->text.len, false);
        sg_buf_add_cstr(&re, part == SUR_STEM ? "(?:\\?|$)" : "$");
        sg_buf_add(&lit, p->text.ptr, p->text.len);
        break;
    case SG_OP_CONTAINS:
        sg_buf_add_cstr(&re, part == SUR_QUERY ? "\\?.*" : "^[^?]*");
        sur_pcre_literal(&re, p->text.ptr, p->text.len, false);
        sg_buf_add(&lit, p->text.ptr, p->text.len);
        break;
    case SG_OP_GLOB:
        sg_buf_add_cstr(&re, lead);
        sur_glob_regex(&re, &p->pattern, &lit, part == SUR_STEM, host && !p->cased);
        sg_buf_add_cstr(&re, part == SUR_STEM ? "(?:\\?|$)" : "$");
        break;
    default: /* SG_OP_REGEX */
        if (part != SUR_WHOLE) {
            sur_error(c, p->line, p->col, "a regex on a URI part has no exact Suricata form");
            sg_buf_free(&re);
            sg_buf_free(&lit);
            return false;
        }
        sg_buf_add(&re, p->text.ptr, p->text.len);
        break;
    }
    /* a literal part of the value, as the fast pattern a pcre wants (its
     * first SUR_MAX_CONTENT bytes: any part of it is in a match as well) */
    if (!l->neg && lit.len >= 2 && p->op != SG_OP_REGEX) {
        sg_buf_add_cstr(opts, "content:\"");
        sur_content(opts, lit.data, lit.len < SUR_MAX_CONTENT ? lit.len : SUR_MAX_CONTENT, host);
        sg_buf_add_cstr(opts, "\"; ");
        if (nocase) sg_buf_add_cstr(opts, "nocase; ");
    }
    sg_buf_add_cstr(opts, l->neg ? "pcre:!\"/" : "pcre:\"/");
    if (p->op == SG_OP_REGEX) sur_pcre(opts, re.data ? re.data : "", re.len);
    else sg_buf_add(opts, re.data ? re.data : "", re.len);
    sg_buf_add_byte(opts, '/');
    bool icase = p->op == SG_OP_REGEX ? (p->regex_flags & SG_RE_I) != 0 : nocase;
    if (icase) sg_buf_add_byte(opts, 'i');
    if (p->op == SG_OP_REGEX && (p->regex_flags & SG_RE_M)) sg_buf_add_byte(opts, 'm');
    if (p->op != SG_OP_REGEX || (p->regex_flags & SG_RE_S)) sg_buf_add_byte(opts, 's');
    sg_buf_add_cstr(opts, "\"; ");
    sg_buf_free(&re);
    sg_buf_free(&lit);
    return true;
}

/* "proto src sport -> dst dport" (the pipeline's table) into its six parts. */
static bool sur_header_parse(sg_str t, sg_str parts[6]) {
    size_t n = 0, i = 0;
    while (i < t.len && n < 6) {
        while (i < t.len && t.ptr[i] == ' ') i++;
        if (i >= t.len) break;
        size_t s = i;
        if (t.ptr[i] == '[') {
            while (i < t.len && t.ptr[i] != ']') i++;
            if (i < t.len) i++;
        } else {
            while (i < t.len && t.ptr[i] != ' ') i++;
        }
        parts[n++] = (sg_str){t.ptr + s, i - s};
    }
    while (i < t.len && t.ptr[i] == ' ') i++;
    return n == 6 && i == t.len &&
           (sg_str_eq_cstr(parts[3], "->") || sg_str_eq_cstr(parts[3], "<>") || sg_str_eq_cstr(parts[3], "=>"));
}

/* A header side from the pipeline, narrowed by the rule's own items: the
 * rule's items win when the pipeline says any. */
static bool sur_side_merge(sur_ctx *c, sg_buf *out, sg_str base, sur_side *s, const char *what) {
    bool any = sg_str_eq_cstr(base, "any");
    if (!s->pos.len && !s->n_neg) {
        sg_buf_add(out, base.ptr, base.len);
        return true;
    }
    if (!any) {
        if (s->pos.len) {
            sur_error(c, 0, 0, "the rule sets %s, which this log source already fixes in the pipeline", what);
            return false;
        }
        /* the pipeline's set, less the rule's exclusions */
        sg_buf_add_byte(out, '[');
        sg_buf_add(out, base.ptr, base.len);
        for (size_t i = 0; i < s->neg.len; i++) {
            if (i == 0 || s->neg.data[i - 1] == ',') sg_buf_add_cstr(out, ",!");
            if (s->neg.data[i] != ',') sg_buf_add_byte(out, s->neg.data[i]);
        }
        sg_buf_add_byte(out, ']');
        return true;
    }
    sur_side_render(out, s);
    return true;
}

/* The threshold option of an aggregation, or an error. */
/* swap: the rule matches the server's packets (response buffers), where
 * the client is the destination. */
static bool sur_threshold(sur_ctx *c, const sg_ir_agg *g, sg_buf *opts, bool swap) {
    if (g->type != SG_AGG_EVENT_COUNT) {
        sur_error(c, g->line, g->col, "only event counts have a Suricata form (threshold)");
        return false;
    }
    if (!g->threshold_is_int || (g->op != SG_CMP_GTE && g->op != SG_CMP_GT) || g->threshold_int < 0 ||
        g->threshold_int > 1000000000) {
        sur_error(c, g->line, g->col, "Suricata counts up to a threshold: the condition must be gt or gte a count");
        return false;
    }
    if (g->timespan <= 0 || g->timespan > 86400 * 365) {
        sur_error(c, g->line, g->col, "Suricata's threshold needs a timespan (1 s to 1 year)");
        return false;
    }
    bool by_src = false, by_dst = false;
    for (size_t i = 0; i < g->n_group_by; i++) {
        sur_field_kind k = sur_field(g->group_by[i]);
        if (k == SUR_IP_SRC) by_src = true;
        else if (k == SUR_IP_DST) by_dst = true;
        else {
            sur_error(c, g->line, g->col, "Suricata counts per source or destination address, not per '%.*s'", (int)(g->group_by[i].len), g->group_by[i].ptr);
            return false;
        }
    }
    if (swap) {
        bool t = by_src;
        by_src = by_dst, by_dst = t;
    }
    int64_t count = g->op == SG_CMP_GT ? g->threshold_int + 1 : g->threshold_int;
    if (count < 1) count = 1;
    sg_buf_printf(opts, "threshold: type both, track %s, count %lld, seconds %lld; ",
                  by_src && by_dst ? "by_both" : by_src ? "by_src" : by_dst ? "by_dst" : "by_rule", (long long)count,
                  (long long)g->timespan);
    return true;
}

/* classtype and priority from the tags and the level. */
static void sur_meta(const sg_ir_rule *r, sg_buf *opts) {
    const sg_ir_meta *m = &r->meta;
    const char *classtype = "misc-activity";
    if (sg_str_eq_cstr(m->level, "medium")) classtype = "bad-unknown";
    if (sg_str_eq_cstr(m->level, "high") || sg_str_eq_cstr(m->level, "critical")) classtype = "attempted-admin";
    for (size_t i = 0; i < m->tags.count; i++) {
        sg_str t = m->tags.items[i];
        if (sg_str_eq_cstr(t, "attack.t1499") || (t.len > 13 && memcmp(t.ptr, "attack.t1499.", 13) == 0) ||
            sg_str_eq_cstr(t, "attack.t1498") || (t.len > 13 && memcmp(t.ptr, "attack.t1498.", 13) == 0))
            classtype = "attempted-dos";
        else if (sg_str_eq_cstr(t, "attack.reconnaissance") || sg_str_eq_cstr(t, "attack.discovery"))
            classtype = "attempted-recon";
        else if (sg_str_eq_cstr(t, "attack.initial-access") || sg_str_eq_cstr(t, "attack.t1190"))
            classtype = "web-application-attack";
        else if (sg_str_eq_cstr(t, "attack.command-and-control"))
            classtype = "trojan-activity";
    }
    int priority = sg_str_eq_cstr(m->level, "critical") || sg_str_eq_cstr(m->level, "high") ? 1
                   : sg_str_eq_cstr(m->level, "medium")                                     ? 2
                   : sg_str_eq_cstr(m->level, "low")                                        ? 3
                                                                                            : 4;
    sg_buf_printf(opts, "classtype:%s; priority:%d; ", classtype, priority);
    for (size_t i = 0; i < m->references.count; i++) {
        sg_str ref = m->references.items[i];
        size_t skip = 0;
        if (ref.len > 8 && memcmp(ref.ptr, "https://", 8) == 0) skip = 8;
        else if (ref.len > 7 && memcmp(ref.ptr, "http://", 7) == 0) skip = 7;
        if (!skip) continue; /* reference:url takes web addresses */
        bool clean = true; /* a comma or space would split the value */
        for (size_t k = skip; k < ref.len; k++) clean &= sur_printable((unsigned char)ref.ptr[k]) && ref.ptr[k] != ' ';
        if (!clean) continue;
        sg_buf_add_cstr(opts, "reference:url,");
        sur_reference_url(opts, ref.ptr + skip, ref.len - skip);
        sg_buf_add_cstr(opts, "; ");
    }
    sg_buf_add_cstr(opts, "metadata: sigma_id ");
    bool id_ok = m->id.len > 0;
    for (size_t k = 0; k < m->id.len; k++) {
        char ch = m->id.ptr[k];
        id_ok &= (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '-' ||
                 ch == '_' || ch == '.';
    }
    if (id_ok) sg_buf_add(opts, m->id.ptr, m->id.len);
    else sg_buf_add_cstr(opts, "none");
    if (m->level.len) {
        sg_buf_add_cstr(opts, ", sigma_level ");
        for (size_t k = 0; k < m->level.len; k++) {
            char ch = m->level.ptr[k];
            sg_buf_add_byte(opts, (ch >= 'a' && ch <= 'z') ? ch : '_');
        }
    }
    for (size_t i = 0; i < m->tags.count; i++) {
        sg_str t = m->tags.items[i];
        if (t.len < 9 || memcmp(t.ptr, "attack.t", 8) != 0) continue;
        bool ok = true;
        for (size_t k = 8; k < t.len; k++) ok &= (t.ptr[k] >= '0' && t.ptr[k] <= '9') || t.ptr[k] == '.';
        if (!ok) continue;
        sg_buf_add_cstr(opts, ", mitre_technique_id T");
        sg_buf_add(opts, t.ptr + 8, t.len - 8);
    }
    sg_buf_add_cstr(opts, "; ");
}

/* The rules of one Sigma rule, sids from first_sid on; *n_out rules.
 * Returns 0, or -1 after located errors (out unchanged then). */
static int sur_render(sg_diags *diags, const sg_ir_rule *rule, uint64_t first_sid, sg_buf *out, size_t *n_out) {
    sur_ctx c = {diags, rule, false};
    const sg_ir_rule *det = rule;
    const sg_ir_agg *agg = rule->agg;
    if (rule->kind == SG_RULE_CORRELATION) {
        if (!agg || agg->n_rules != 1 || !agg->rules[0] || agg->rules[0]->agg || !agg->rules[0]->expr) {
            sur_error(&c, agg ? agg->line : 0, agg ? agg->col : 0,
                      "a correlation has a Suricata form only as an event count over one detection rule");
            return -1;
        }
        det = agg->rules[0];
    }
    if (agg && agg->type == SG_AGG_NEAR) {
        sur_error(&c, agg->line, agg->col, "the legacy 'near' has no Suricata form");
        return -1;
    }
    sg_str table_parts[6];
    bool has_table = det->table.len && sur_header_parse(det->table, table_parts);
    if (det->table.len && !has_table) {
        sur_error(&c, 0, 0, "the pipeline's rule header is not 'PROTO SRC SPORT -> DST DPORT'");
        return -1;
    }
    if (!det->expr) {
        sur_error(&c, 0, 0, "the rule has nothing to match");
        return -1;
    }
    sur_dnf dnf;
    if (!sur_to_dnf(&c, det->expr, false, &dnf)) {
        if (!c.failed)
            sur_error(&c, det->expr->line, det->expr->col,
                      "the condition needs more than 64 Suricata rules (Suricata has no OR between options)");
        sur_dnf_free(&dnf);
        return -1;
    }
    if (!dnf.n) {
        sur_error(&c, det->expr->line, det->expr->col, "the condition can never hold");
        sur_dnf_free(&dnf);
        return -1;
    }
    /* A threshold counts per Suricata rule: over a condition split into
     * several rules each would count apart, and N matches spread over them
     * would never alert.  Only the pipeline's variants (one header each)
     * may stand side by side. */
    if (agg) {
        for (size_t a = 0; a < dnf.n && !c.failed; a++) {
            sg_str ha = sur_conj_header(&dnf.conj[a]);
            for (size_t b = a + 1; b < dnf.n; b++)
                if (sg_str_eq(ha, sur_conj_header(&dnf.conj[b]))) {
                    sur_error(&c, det->expr->line, det->expr->col,
                              "a threshold over a condition with OR: Suricata would count each of its %zu rules "
                              "apart; write one rule per alternative",
                              dnf.n);
                    break;
                }
        }
        if (c.failed) {
            sur_dnf_free(&dnf);
            return -1;
        }
    }
    sg_buf thr, thr_resp;
    sg_buf_init(&thr);
    sg_buf_init(&thr_resp);
    if (agg && sur_threshold(&c, agg, &thr, false)) sur_threshold(&c, agg, &thr_resp, true);
    sg_buf meta;
    sg_buf_init(&meta);
    sur_meta(rule, &meta);
    sg_buf all;
    sg_buf_init(&all);
    for (size_t k = 0; k < dnf.n && !c.failed; k++) {
        sur_side sides[4];
        for (int s = 0; s < 4; s++) sg_buf_init(&sides[s].pos), sg_buf_init(&sides[s].neg), sides[s].n_neg = 0;
        sg_buf opts;
        sg_buf_init(&opts);
        for (size_t i = 0; i < det->prelude.count; i++) {
            sg_buf_add(&opts, det->prelude.items[i].ptr, det->prelude.items[i].len);
            sg_buf_add_cstr(&opts, "; ");
        }
        /* a log source with several variants (placement: all) names each
         * variant's header and leading options in its conditions, as the
         * pseudo-fields suricata.header and suricata.options; suricata.each
         * names what a rule without a buffer of its own inspects */
        sg_str parts[6];
        bool has_header = has_table, contradiction = false;
        const char *proto = NULL; /* ip.proto: the header's protocol */
        if (has_table) memcpy(parts, table_parts, sizeof parts);
        sg_str variant_header = {NULL, 0}, each = {NULL, 0};
        for (size_t i = 0; i < dnf.conj[k].n; i++) {
            const sur_lit *l = &dnf.conj[k].lits[i];
            bool is_header = sg_str_eq_cstr(l->p->field, "suricata.header");
            bool is_each = sg_str_eq_cstr(l->p->field, "suricata.each");
            if (!is_header && !is_each && !sg_str_eq_cstr(l->p->field, "suricata.options")) continue;
            if (l->neg || l->p->op != SG_OP_EQ) {
                sur_error(&c, l->p->line, l->p->col,
                          "suricata.header, suricata.options and suricata.each take one value, not negated");
                break;
            }
            if (is_each) {
                each = l->p->text;
            } else if (!is_header) {
                sg_buf_add(&opts, l->p->text.ptr, l->p->text.len);
                sg_buf_add_cstr(&opts, "; ");
            } else if (variant_header.ptr && !sg_str_eq(variant_header, l->p->text)) {
                contradiction = true; /* two variants' headers at once: this branch cannot hold */
            } else if (!sur_header_parse(l->p->text, parts)) {
                sur_error(&c, l->p->line, l->p->col, "suricata.header is not 'PROTO SRC SPORT -> DST DPORT'");
                break;
            } else {
                variant_header = l->p->text;
                has_header = true;
            }
        }
        if (!has_header && !c.failed)
            sur_error(&c, 0, 0, "the pipeline gives this log source no rule header (table: or suricata.header)");
        if (contradiction || c.failed) {
            sg_buf_free(&opts);
            continue;
        }
        struct sur_group {
            sg_str buffer;
            sg_buf opts;
        } *groups = NULL;
        size_t n_groups = 0;
        for (size_t i = 0; i < dnf.conj[k].n && !c.failed; i++) {
            const sur_lit *l = &dnf.conj[k].lits[i];
            if (!l->p->field.len) {
                sur_error(&c, l->p->line, l->p->col, "keywords have no Suricata buffer to search");
                break;
            }
            if (sg_str_eq_cstr(l->p->field, "suricata.header") || sg_str_eq_cstr(l->p->field, "suricata.options") ||
                sg_str_eq_cstr(l->p->field, "suricata.each"))
                continue;
            if (l->p->op == SG_OP_EXISTS && sur_field(l->p->field) != SUR_BUFFER) {
                /* every packet has addresses, ports and a protocol */
                if (l->neg) contradiction = true;
                continue;
            }
            switch (sur_field(l->p->field)) {
            case SUR_IP_SRC: sur_address(&c, &sides[0], l, "ip.src"); break;
            case SUR_IP_DST: sur_address(&c, &sides[2], l, "ip.dst"); break;
            case SUR_PORT_SRC: sur_port(&c, &sides[1], l, "port.src"); break;
            case SUR_PORT_DST: sur_port(&c, &sides[3], l, "port.dst"); break;
            case SUR_PROTO: {
                /* the transport protocol: the header's, when the log source leaves it open (ip) */
                static const char *const protos[] = {"tcp", "udp", "icmp", "sctp"};
                const char *found = NULL;
                for (size_t q = 0; q < 4 && !found; q++)
                    if (l->p->op == SG_OP_EQ && l->p->vtype == SG_VT_STRING && sg_str_ieq_cstr(l->p->text, protos[q]))
                        found = protos[q];
                if (!found || l->neg) {
                    sur_error(&c, l->p->line, l->p->col, "the protocol must be one of tcp, udp, icmp, sctp%s",
                              l->neg ? ", and not negated (a Suricata header names one protocol)" : "");
                } else if (proto && strcmp(proto, found) != 0) {
                    contradiction = true; /* two protocols at once: this branch cannot hold */
                } else if (!sg_str_eq_cstr(parts[0], "ip") && !sg_str_eq_cstr(parts[0], found)) {
                    contradiction = true; /* the log source's protocol is another */
                } else {
                    proto = found;
                }
                break;
            }
            case SUR_BUFFER: {
                sg_str buffer = {NULL, 0};
                sg_buf item;
                sg_buf_init(&item);
                if (sur_buffer_item(&c, &item, l, &buffer)) {
                    size_t g = 0;
                    while (g < n_groups && !sg_str_eq(groups[g].buffer, buffer)) g++;
                    if (g == n_groups) {
                        groups = sg_xrealloc(groups, (n_groups + 1) * sizeof *groups);
                        groups[n_groups].buffer = buffer;
                        sg_buf_init(&groups[n_groups++].opts);
                    }
                    sg_buf_add(&groups[g].opts, item.data, item.len);
                }
                sg_buf_free(&item);
                break;
            }
            }
        }
        /* each buffer named once, its items after it, in order of first use */
        bool request = false, response = false;
        for (size_t g = 0; g < n_groups; g++) {
            sg_buf_add(&opts, groups[g].buffer.ptr, groups[g].buffer.len);
            sg_buf_add_cstr(&opts, "; ");
            sg_buf_add(&opts, groups[g].opts.data, groups[g].opts.len);
            if (sur_response_buffer(groups[g].buffer)) response = true;
            else request = true;
            sg_buf_free(&groups[g].opts);
        }
        /* a rule that inspects no buffer would match every packet of the
         * protocol: the log source's suricata.each makes it match once per
         * transaction (an HTTP request, a TLS ClientHello), as the log does */
        if (!n_groups && each.len) {
            sg_buf_add(&opts, each.ptr, each.len);
            sg_buf_add_cstr(&opts, "; ");
            request = true;
        }
        free(groups);
        if (request && response && !c.failed)
            sur_error(&c, det->expr->line, det->expr->col,
                      "Suricata 7 cannot test a request and its response in one rule (e.g. the URI and the status)");
        if (response && !c.failed) {
            /* Suricata matches response buffers on the server's packets: the
             * header then reads from the server to the client */
            sg_str t = parts[1];
            parts[1] = parts[4], parts[4] = t;
            t = parts[2], parts[2] = parts[5], parts[5] = t;
            sur_side ts = sides[0];
            sides[0] = sides[2], sides[2] = ts;
            ts = sides[1], sides[1] = sides[3], sides[3] = ts;
        }
        if (!c.failed && !contradiction) {
            /* proto: `ip` has no ports; with a port, one rule for tcp and one for udp */
            bool ports = sides[1].pos.len || sides[1].n_neg || sides[3].pos.len || sides[3].n_neg;
            bool both = ports && !proto && sg_str_eq_cstr(parts[0], "ip");
            for (int v = 0; v < (both ? 2 : 1) && !c.failed; v++) {
                sg_buf line;
                sg_buf_init(&line);
                sg_buf_add_cstr(&line, "alert ");
                if (proto) sg_buf_add_cstr(&line, proto);
                else if (both) sg_buf_add_cstr(&line, v ? "udp" : "tcp");
                else sg_buf_add(&line, parts[0].ptr, parts[0].len);
                /* the names of the rule's fields on each side of the header */
                static const char *const what_request[4] = {"ip.src", "port.src", "ip.dst", "port.dst"};
                static const char *const what_response[4] = {"ip.dst", "port.dst", "ip.src", "port.src"};
                const char *const *what = response ? what_response : what_request;
                static const int slot[4] = {1, 2, 4, 5};
                for (int s = 0; s < 4; s++) {
                    sg_buf_add_byte(&line, ' ');
                    if (!sur_side_merge(&c, &line, parts[slot[s]], &sides[s], what[s])) break;
                    if (s == 1) sg_buf_printf(&line, " %.*s", (int)parts[3].len, parts[3].ptr);
                }
                sg_buf_add_cstr(&line, " (msg:\"");
                sur_text(&line, rule->meta.title.ptr, rule->meta.title.len);
                sg_buf_add_cstr(&line, "\"; ");
                sg_buf_add(&line, opts.data ? opts.data : "", opts.len);
                const sg_buf *t = response ? &thr_resp : &thr;
                sg_buf_add(&line, t->data ? t->data : "", t->len);
                sg_buf_add(&line, meta.data, meta.len);
                sg_buf_printf(&line, "sid:%llu; rev:1;)\n", (unsigned long long)(first_sid + *n_out + 0));
                if (!c.failed && line.len - 1 > SUR_MAX_LINE)
                    sur_error(&c, det->expr->line, det->expr->col,
                              "the Suricata rule would be %zu bytes long: Suricata reads at most %u bytes per rule",
                              line.len - 1, SUR_MAX_LINE);
                if (!c.failed) {
                    sg_buf_add(&all, line.data, line.len);
                    (*n_out)++;
                }
                sg_buf_free(&line);
            }
        }
        for (int s = 0; s < 4; s++) sg_buf_free(&sides[s].pos), sg_buf_free(&sides[s].neg);
        sg_buf_free(&opts);
        if (*n_out > SUR_BLOCK) {
            sur_error(&c, det->expr->line, det->expr->col, "the rule needs more Suricata rules than its sid block holds");
        }
    }
    sur_dnf_free(&dnf);
    sg_buf_free(&thr);
    sg_buf_free(&thr_resp);
    sg_buf_free(&meta);
    if (!c.failed) sg_buf_add(out, all.data, all.len);
    sg_buf_free(&all);
    return c.failed ? -1 : 0;
}

/* ---- sids ------------------------------------------------------------ */

static uint32_t sur_slot_of(sg_str id) {
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < id.len; i++) h = (h ^ (unsigned char)id.ptr[i]) * 16777619u;
    return h % SUR_SLOTS;
}

/* ---- the backend interface ------------------------------------------- */

static int sur_emit_rule(sg_diags *diags, const sg_ir_rule *rule, sg_buf *out) {
    size_t n = 0;
    return sur_render(diags, rule, sur_sid_base + (uint64_t)sur_slot_of(rule->meta.id) * SUR_BLOCK, out, &n);
}

static int sur_emit_all(sg_diags *diags, const sg_ir_rule *const *rules, size_t n, sg_buf *out) {
    /* blocks taken so far, by slot (open addressing over the run's rules) */
    size_t cap = 16;
    while (cap < n * 2 + 2) cap *= 2;
    uint32_t *taken = sg_xmalloc(cap * sizeof *taken);
    size_t *owner = sg_xmalloc(cap * sizeof *owner);
    for (size_t i = 0; i < cap; i++) taken[i] = UINT32_MAX;
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        const sg_ir_rule *r = rules[i];
        uint32_t slot = sur_slot_of(r->meta.id), want = slot;
        for (;;) {
            size_t h = (slot * 2654435761u) & (cap - 1);
            while (taken[h] != UINT32_MAX && taken[h] != slot) h = (h + 1) & (cap - 1);
            if (taken[h] == UINT32_MAX) {
                taken[h] = slot;
                owner[h] = i;
                break;
            }
            if (slot == want)
                sg_diag_add_sev(diags, SG_D_UNSUPPORTED, SG_SEV_WARNING, (sg_loc){r->meta.file, r->meta.line, 1},
                            "sid collision: this rule's id and that of '%.*s' (%s:%u) pick the same sids; this rule "
                            "takes the next free block",
                            SG_STR_ARG(rules[owner[h]]->meta.title), rules[owner[h]]->meta.file,
                            rules[owner[h]]->meta.line);
            slot = (slot + 1) % SUR_SLOTS;
        }
        if (i) sg_buf_add_byte(out, '\n');
        sg_buf head;
        sg_buf_init(&head);
        sg_buf_printf(&head, "%.*s: %.*s (%.*s)", SG_STR_ARG(r->meta.id), SG_STR_ARG(r->meta.title),
                      SG_STR_ARG(r->meta.level));
        sur_emit_comment(out, (sg_str){head.data, head.len});
        sg_buf_reset(&head);
        sg_buf_printf(&head, "source: %s:%u", r->meta.file, r->meta.line);
        sur_emit_comment(out, (sg_str){head.data, head.len});
        sg_buf_free(&head);
        size_t count = 0;
        if (sur_render(diags, r, sur_sid_base + (uint64_t)slot * SUR_BLOCK, out, &count) != 0) rc = -1;
    }
    free(taken);
    free(owner);
    return rc;
}

/* --sid-base N / -O sid-base=N */
static int sur_set_option(const char *key, const char *value) {
    if (strcmp(key, "sid-base") != 0) return -1;
    char *end;
    unsigned long long v = strtoull(value, &end, 10);
    if (!*value || *end || value[0] == '-' || v < 1 || v > 4294967295ull - (uint64_t)SUR_SLOTS * SUR_BLOCK) return -2;
    sur_sid_base = v;
    return 0;
}

const sg_backend sg_backend_suricata = {"suricata", "Suricata 7 IDS rules (network log sources)", ".rules",
                                        sur_emit_rule, sur_emit_comment, sur_emit_all, sur_set_option};
