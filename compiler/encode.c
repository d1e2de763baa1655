/* encode.c - Sigma string values and the value modifiers that rewrite them.
 *
 * Everything here works on sg_sstring parts, never on rendered text.  All
 * results are built with a small part builder (sg_pbuild) that keeps the
 * pending literal bytes in a heap buffer, merges adjacent literals, and
 * copies the finished parts and their text into the caller's arena.
 *
 * Reference behaviour is pySigma (sigma/types.py SigmaString, sigma/
 * modifiers.py); see docs/sigma-conformance.md sections 2.1 and 3.
 */
#include "encode.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

/* ------------------------------------------------------------------ */
/* Part builder                                                         */
/* ------------------------------------------------------------------ */

typedef struct sg_pbuild {
    sg_arena *arena;
    sg_spart *parts; /* heap, copied into the arena by pb_finish */
    size_t n, cap;
    sg_buf lit; /* literal bytes not yet turned into a part */
} sg_pbuild;

static void pb_init(sg_pbuild *pb, sg_arena *arena) {
    pb->arena = arena;
    pb->parts = NULL;
    pb->n = pb->cap = 0;
    sg_buf_init(&pb->lit);
}

static void pb_push(sg_pbuild *pb, sg_spart_kind kind, sg_str text) {
    if (pb->n == pb->cap) {
        size_t cap = pb->cap ? pb->cap * 2 : 8;
        if (cap > SIZE_MAX / sizeof(sg_spart)) sg_out_of_memory();
        pb->parts = sg_xrealloc(pb->parts, cap * sizeof(sg_spart));
        pb->cap = cap;
    }
    pb->parts[pb->n].kind = kind;
    pb->parts[pb->n].text = text;
    pb->n++;
}

/* Turns the pending literal bytes (if any) into one LIT part. */
static void pb_flush(sg_pbuild *pb) {
    if (pb->lit.len == 0) return;
    pb_push(pb, SG_SP_LIT, sg_buf_to_str(&pb->lit, pb->arena));
    sg_buf_reset(&pb->lit);
}

static void pb_lit(sg_pbuild *pb, const void *p, size_t len) {
    if (len) sg_buf_add(&pb->lit, p, len);
}

static void pb_byte(sg_pbuild *pb, unsigned char c) { sg_buf_add_byte(&pb->lit, (char)c); }

/* Wildcards carry empty text (encode.h: only wildcards have empty text). */
static void pb_wild(sg_pbuild *pb, sg_spart_kind kind) {
    pb_flush(pb);
    pb_push(pb, kind, (sg_str){"", 0});
}

static void pb_placeholder(sg_pbuild *pb, const char *name, size_t len) {
    pb_flush(pb);
    pb_push(pb, SG_SP_PLACEHOLDER, sg_str_dup(pb->arena, name, len));
}

/* Appends a copy of an existing part (literals merge with neighbours). */
static void pb_part(sg_pbuild *pb, const sg_spart *p) {
    switch (p->kind) {
    case SG_SP_LIT: pb_lit(pb, p->text.ptr, p->text.len); break;
    case SG_SP_STAR:
    case SG_SP_ONE: pb_wild(pb, p->kind); break;
    case SG_SP_PLACEHOLDER: pb_placeholder(pb, p->text.ptr, p->text.len); break;
    }
}

static sg_sstring pb_finish(sg_pbuild *pb) {
    pb_flush(pb);
    sg_sstring s = {NULL, pb->n};
    if (pb->n) {
        s.parts = SG_NEW_ARRAY(pb->arena, sg_spart, pb->n);
        memcpy(s.parts, pb->parts, pb->n * sizeof(sg_spart));
    }
    free(pb->parts);
    sg_buf_free(&pb->lit);
    pb->parts = NULL;
    pb->n = pb->cap = 0;
    return s;
}

/* ------------------------------------------------------------------ */
/* UTF-8                                                                */
/* ------------------------------------------------------------------ */

static bool utf8_cont(unsigned char c) { return (c & 0xC0) == 0x80; }

/* Strictly decodes one UTF-8 sequence at p (n > 0 bytes available).
 * Returns its length (1..4) and the code point, or 0 when the bytes at p
 * are not a well-formed sequence: a stray continuation byte, an overlong
 * form (C0, C1, E0 80..9F, F0 80..8F), a surrogate (ED A0..BF), a value
 * above U+10FFFF (F4 90.., F5..FF) or a truncated sequence.  This is the
 * table of well-formed byte sequences from Unicode chapter 3 (D92). */
static size_t utf8_decode(const unsigned char *p, size_t n, uint32_t *cp) {
    unsigned char c = p[0];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if (c < 0xC2) return 0; /* continuation byte, or overlong 2-byte lead */
    if (c < 0xE0) {
        if (n < 2 || !utf8_cont(p[1])) return 0;
        *cp = ((uint32_t)(c & 0x1F) << 6) | (p[1] & 0x3F);
        return 2;
    }
    if (c < 0xF0) {
        if (n < 3) return 0;
        unsigned char lo = 0x80, hi = 0xBF;
        if (c == 0xE0) lo = 0xA0; /* overlong */
        if (c == 0xED) hi = 0x9F; /* UTF-16 surrogates D800..DFFF */
        if (p[1] < lo || p[1] > hi || !utf8_cont(p[2])) return 0;
        *cp = ((uint32_t)(c & 0x0F) << 12) | ((uint32_t)(p[1] & 0x3F) << 6) | (p[2] & 0x3F);
        return 3;
    }
    if (c < 0xF5) {
        if (n < 4) return 0;
        unsigned char lo = 0x80, hi = 0xBF;
        if (c == 0xF0) lo = 0x90; /* overlong */
        if (c == 0xF4) hi = 0x8F; /* above U+10FFFF */
        if (p[1] < lo || p[1] > hi || !utf8_cont(p[2]) || !utf8_cont(p[3])) return 0;
        *cp = ((uint32_t)(c & 0x07) << 18) | ((uint32_t)(p[1] & 0x3F) << 12) |
              ((uint32_t)(p[2] & 0x3F) << 6) | (p[3] & 0x3F);
        return 4;
    }
    return 0; /* F5..FF never appear in UTF-8 */
}

/* Decodes one character, mapping a byte that does not start a valid
 * sequence to the Latin-1 code point of that byte (length 1). */
static size_t utf8_decode_lenient(const unsigned char *p, size_t n, uint32_t *cp) {
    size_t k = utf8_decode(p, n, cp);
    if (k == 0) {
        *cp = p[0];
        k = 1;
    }
    return k;
}

/* Python's \w for str patterns: alphanumeric (Unicode letters and numbers)
 * or `_`.  Exact for ASCII and Latin-1; above U+00FF this approximates:
 * a code point is a word character unless it lies in a block of
 * punctuation, spaces, symbols, combining marks or private use.  windash
 * values and placeholder names are ASCII in practice. */
static bool cp_is_word(uint32_t cp) {
    if (cp < 0x80)
        return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9') ||
               cp == '_';
    if (cp <= 0xFF) {
        /* Latin-1: ª ² ³ µ ¹ º ¼ ½ ¾ and the letters except × and ÷. */
        if (cp == 0xAA || cp == 0xB2 || cp == 0xB3 || cp == 0xB5 || cp == 0xB9 || cp == 0xBA ||
            (cp >= 0xBC && cp <= 0xBE))
            return true;
        return cp >= 0xC0 && cp != 0xD7 && cp != 0xF7;
    }
    static const uint32_t non_word[][2] = {
        {0x02C2, 0x02C5},   {0x02D2, 0x02DF},   {0x02E5, 0x02EB},   {0x02ED, 0x02ED},
        {0x02EF, 0x036F},   /* modifier symbols, combining marks */
        {0x037E, 0x037E},   {0x0387, 0x0387},   {0x055A, 0x055F},   {0x0589, 0x058A},
        {0x05BE, 0x05BE},   {0x0600, 0x060F},   {0x066A, 0x066D},   {0x1680, 0x1680},
        {0x2000, 0x206F},   /* general punctuation: spaces, dashes, quotes */
        {0x20A0, 0x20FF},   /* currency, combining marks for symbols */
        {0x2190, 0x245F},   /* arrows, math operators, technical, control pictures */
        {0x2500, 0x2775},   /* box drawing, blocks, shapes, symbols, dingbats */
        {0x2794, 0x2BFF},   {0x2E00, 0x2E7F},   {0x3000, 0x3004},   {0x3008, 0x3020},
        {0x3030, 0x3030},   {0xD800, 0xF8FF}, /* surrogates, private use */
        {0xFE00, 0xFE0F},   {0xFE10, 0xFE6F},   {0xFEFF, 0xFEFF},   {0xFF01, 0xFF0F},
        {0xFF1A, 0xFF20},   {0xFF3B, 0xFF40},   {0xFF5B, 0xFF65},   {0xFFF0, 0xFFFF},
        {0x1F000, 0x1FAFF}, /* emoji and pictographs */
        {0xE0000, 0x10FFFF},
    };
    for (size_t i = 0; i < sizeof non_word / sizeof non_word[0]; i++)
        if (cp >= non_word[i][0] && cp <= non_word[i][1]) return false;
    return true;
}

size_t sg_utf8_check(const char *p, size_t len) {
    const unsigned char *u = (const unsigned char *)p;
    size_t i = 0;
    while (i < len) {
        uint32_t cp;
        size_t k = utf8_decode(u + i, len - i, &cp);
        if (k == 0) return i;
        i += k;
    }
    return (size_t)-1;
}

/* ------------------------------------------------------------------ */
/* Parsing                                                              */
/* ------------------------------------------------------------------ */

/* Appends text with every `\%` replaced by `%` (left to right, like
 * Python's str.replace). */
static void pb_lit_unescape_pct(sg_pbuild *pb, const char *p, size_t len) {
    size_t start = 0;
    for (size_t i = 0; i + 1 < len; i++) {
        if (p[i] == '\\' && p[i + 1] == '%') {
            pb_lit(pb, p + start, i - start);
            pb_byte(pb, '%');
            start = i + 2;
            i++;
        }
    }
    pb_lit(pb, p + start, len - start);
}

/* The expand modifier, run on the already unescaped literal parts exactly
 * as pySigma's SigmaString.insert_placeholders does: in each literal part,
 * find `%name%` with the regex (?<!\\)%(\w+)% (not preceded by a backslash
 * of the *parsed* text), make it a placeholder, and replace `\%` by `%` in
 * the text between placeholders.  Because the escape step keeps `\%` as two
 * characters, both `\%x%` and `\\%x%` in the rule end up as literal `%x%`. */
static void pb_lit_expand(sg_pbuild *pb, sg_str t) {
    const char *p = t.ptr;
    size_t len = t.len, last = 0, pos = 0;
    while (pos < len) {
        if (p[pos] == '%' && (pos == 0 || p[pos - 1] != '\\')) {
            /* name: the longest run of word characters (\w+) */
            const unsigned char *u = (const unsigned char *)p;
            size_t j = pos + 1;
            while (j < len) {
                uint32_t cp;
                size_t k = utf8_decode_lenient(u + j, len - j, &cp);
                if (!cp_is_word(cp)) break;
                j += k;
            }
            if (j > pos + 1 && j < len && p[j] == '%') {
                pb_lit_unescape_pct(pb, p + last, pos - last);
                pb_placeholder(pb, p + pos + 1, j - pos - 1);
                pos = last = j + 1;
                continue;
            }
        }
        pos++;
    }
    pb_lit_unescape_pct(pb, p + last, len - last);
}

/* The escape algorithm of the specification (pySigma SigmaString.__init__),
 * scanning one byte at a time:
 *   `\` + `*`, `?` or `\`  -> that character, literal
 *   `\` + any other byte   -> `\` and that byte, both literal
 *   `\` as the last byte   -> literal `\`
 *   `*` / `?`              -> STAR / ONE wildcard
 * So `a\\*b` is `a\` STAR `b`, and `a\nb` keeps its backslash.  The
 * scanner is byte based; `*`, `?` and `\` are ASCII and never occur
 * inside a UTF-8 multi-byte sequence, so this equals the per-character
 * Python loop. */
sg_sstring sg_sstr_parse(sg_arena *arena, sg_str raw, bool expand) {
    /* Fast path: most values have no escape, wildcard or placeholder. */
    bool plain = true;
    for (size_t i = 0; i < raw.len && plain; i++) {
        char c = raw.ptr[i];
        plain = c != '\\' && c != '*' && c != '?' && !(expand && c == '%');
    }
    if (plain) {
        if (!raw.len) return (sg_sstring){NULL, 0};
        sg_spart *part = SG_NEW(arena, sg_spart);
        part->kind = SG_SP_LIT;
        part->text = sg_str_dup(arena, raw.ptr, raw.len);
        return (sg_sstring){part, 1};
    }
    sg_pbuild pb;
    pb_init(&pb, arena);
    const char *p = raw.ptr;
    size_t n = raw.len, run = 0; /* run: start of the pending plain bytes */
    for (size_t i = 0; i < n; i++) {
        char c = p[i];
        if (c != '\\' && c != '*' && c != '?') continue;
        pb_lit(&pb, p + run, i - run);
        if (c == '\\') {
            if (i + 1 == n) {
                pb_byte(&pb, '\\');
                run = n;
                break;
            }
            char d = p[++i];
            if (d != '*' && d != '?' && d != '\\') pb_byte(&pb, '\\');
            pb_byte(&pb, (unsigned char)d);
        } else {
            pb_wild(&pb, c == '*' ? SG_SP_STAR : SG_SP_ONE);
        }
        run = i + 1;
    }
    pb_lit(&pb, p + run, n - run);
    sg_sstring s = pb_finish(&pb);
    if (!expand) return s;

    pb_init(&pb, arena);
    for (size_t i = 0; i < s.n; i++) {
        if (s.parts[i].kind == SG_SP_LIT)
            pb_lit_expand(&pb, s.parts[i].text);
        else
            pb_part(&pb, &s.parts[i]);
    }
    return pb_finish(&pb);
}

sg_sstring sg_sstr_literal(sg_arena *arena, sg_str text) {
    sg_pbuild pb;
    pb_init(&pb, arena);
    pb_lit(&pb, text.ptr, text.len);
    return pb_finish(&pb);
}

bool sg_sstr_has_wildcards(sg_sstring s) {
    for (size_t i = 0; i < s.n; i++)
        if (s.parts[i].kind == SG_SP_STAR || s.parts[i].kind == SG_SP_ONE) return true;
    return false;
}

bool sg_sstr_has_placeholders(sg_sstring s) {
    for (size_t i = 0; i < s.n; i++)
        if (s.parts[i].kind == SG_SP_PLACEHOLDER) return true;
    return false;
}

bool sg_sstr_equal(sg_sstring a, sg_sstring b) {
    if (a.n != b.n) return false;
    for (size_t i = 0; i < a.n; i++) {
        if (a.parts[i].kind != b.parts[i].kind) return false;
        if (a.parts[i].kind == SG_SP_LIT || a.parts[i].kind == SG_SP_PLACEHOLDER)
            if (!sg_str_eq(a.parts[i].text, b.parts[i].text)) return false;
    }
    return true;
}

/* Placeholders are not literal parts and are dropped like wildcards. */
sg_str sg_sstr_literal_text(sg_arena *arena, sg_sstring s) {
    sg_buf b;
    sg_buf_init(&b);
    for (size_t i = 0; i < s.n; i++)
        if (s.parts[i].kind == SG_SP_LIT) sg_buf_add_str(&b, s.parts[i].text);
    sg_str r = sg_buf_to_str(&b, arena);
    sg_buf_free(&b);
    return r;
}

/* Escaping choice: `*` and `?` in literals always become `\*` / `\?`.  A
 * literal backslash is doubled only where a single one would be read as an
 * escape: before a literal `*`, `?` or `\` (whose output starts with `\`),
 * before a STAR/ONE wildcard, or before a placeholder.  `C:\Windows` stays
 * readable.  Bytes outside printable ASCII that are not part of a valid
 * UTF-8 sequence (controls, NUL, DEL, stray high bytes) are shown as \xHH,
 * so the text is for humans and not re-parseable when such bytes occur. */
sg_str sg_sstr_to_sigma(sg_arena *arena, sg_sstring s) {
    sg_buf b;
    sg_buf_init(&b);
    for (size_t i = 0; i < s.n; i++) {
        const sg_spart *pt = &s.parts[i];
        switch (pt->kind) {
        case SG_SP_STAR: sg_buf_add_byte(&b, '*'); break;
        case SG_SP_ONE: sg_buf_add_byte(&b, '?'); break;
        case SG_SP_PLACEHOLDER:
            sg_buf_add_byte(&b, '%');
            sg_buf_add_str(&b, pt->text);
            sg_buf_add_byte(&b, '%');
            break;
        case SG_SP_LIT: {
            const unsigned char *u = (const unsigned char *)pt->text.ptr;
            size_t len = pt->text.len;
            for (size_t j = 0; j < len;) {
                unsigned char c = u[j];
                if (c == '*' || c == '?') {
                    sg_buf_add_byte(&b, '\\');
                    sg_buf_add_byte(&b, (char)c);
                    j++;
                } else if (c == '\\') {
                    bool ambiguous = (j + 1 < len)
                                         ? (u[j + 1] == '*' || u[j + 1] == '?' || u[j + 1] == '\\')
                                         : (i + 1 < s.n); /* a non-literal part follows */
                    sg_buf_add_cstr(&b, ambiguous ? "\\\\" : "\\");
                    j++;
                } else if (c >= 0x20 && c < 0x7F) {
                    sg_buf_add_byte(&b, (char)c);
                    j++;
                } else {
                    uint32_t cp;
                    size_t k = c >= 0x80 ? utf8_decode(u + j, len - j, &cp) : 0;
                    if (k) {
                        sg_buf_add(&b, u + j, k);
                        j += k;
                    } else {
                        sg_buf_printf(&b, "\\x%02X", c);
                        j++;
                    }
                }
            }
            break;
        }
        }
    }
    sg_str r = sg_buf_to_str(&b, arena);
    sg_buf_free(&b);
    return r;
}

/* ------------------------------------------------------------------ */
/* contains / startswith / endswith                                     */
/* ------------------------------------------------------------------ */

static bool first_is_star(sg_sstring s) { return s.n && s.parts[0].kind == SG_SP_STAR; }
static bool last_is_star(sg_sstring s) { return s.n && s.parts[s.n - 1].kind == SG_SP_STAR; }

/* pySigma: prepend `*` unless the string starts with the STAR wildcard,
 * then append `*` unless it (now) ends with one.  An escaped literal `*`
 * does not count.  The empty string becomes a single `*` under all three. */
static sg_sstring add_stars(sg_arena *arena, sg_sstring s, bool lead, bool trail) {
    /* Parts are immutable, so the result shares them: a star next to a
     * part never merges with it, and nothing is copied but the array. */
    bool add_lead = lead && !first_is_star(s);
    bool ends_star = s.n ? last_is_star(s) : add_lead;
    bool add_trail = trail && !ends_star;
    if (!add_lead && !add_trail) return s;
    sg_sstring out = {SG_NEW_ARRAY(arena, sg_spart, s.n + 2), 0};
    if (add_lead) out.parts[out.n++] = (sg_spart){SG_SP_STAR, {"", 0}};
    if (s.n) memcpy(out.parts + out.n, s.parts, s.n * sizeof *s.parts);
    out.n += s.n;
    if (add_trail) out.parts[out.n++] = (sg_spart){SG_SP_STAR, {"", 0}};
    return out;
}

sg_sstring sg_sstr_contains(sg_arena *arena, sg_sstring s) { return add_stars(arena, s, true, true); }
sg_sstring sg_sstr_startswith(sg_arena *arena, sg_sstring s) { return add_stars(arena, s, false, true); }
sg_sstring sg_sstr_endswith(sg_arena *arena, sg_sstring s) { return add_stars(arena, s, true, false); }

/* ------------------------------------------------------------------ */
/* UTF-16                                                               */
/* ------------------------------------------------------------------ */

static void pb_unit16(sg_pbuild *pb, uint32_t unit, bool big_endian) {
    unsigned char hi = (unsigned char)(unit >> 8), lo = (unsigned char)(unit & 0xFF);
    pb_byte(pb, big_endian ? hi : lo);
    pb_byte(pb, big_endian ? lo : hi);
}

/* Literal bytes -> code points (UTF-8, invalid bytes as Latin-1) ->
 * UTF-16 code units; code points above U+FFFF become a surrogate pair. */
static void pb_lit_utf16(sg_pbuild *pb, sg_str t, bool big_endian) {
    const unsigned char *u = (const unsigned char *)t.ptr;
    for (size_t i = 0; i < t.len;) {
        uint32_t cp;
        i += utf8_decode_lenient(u + i, t.len - i, &cp);
        if (cp >= 0x10000) {
            cp -= 0x10000;
            pb_unit16(pb, 0xD800 | (cp >> 10), big_endian);
            pb_unit16(pb, 0xDC00 | (cp & 0x3FF), big_endian);
        } else {
            pb_unit16(pb, cp, big_endian);
        }
    }
}

static sg_sstring utf16_encode(sg_arena *arena, sg_sstring s, bool big_endian, bool bom) {
    sg_pbuild pb;
    pb_init(&pb, arena);
    if (bom) pb_lit(&pb, "\xFF\xFE", 2); /* before everything, even a leading wildcard */
    for (size_t i = 0; i < s.n; i++) {
        if (s.parts[i].kind == SG_SP_LIT)
            pb_lit_utf16(&pb, s.parts[i].text, big_endian);
        else
            pb_part(&pb, &s.parts[i]);
    }
    return pb_finish(&pb);
}

sg_sstring sg_sstr_utf16le(sg_arena *arena, sg_sstring s) { return utf16_encode(arena, s, false, false); }
sg_sstring sg_sstr_utf16be(sg_arena *arena, sg_sstring s) { return utf16_encode(arena, s, true, false); }
sg_sstring sg_sstr_utf16(sg_arena *arena, sg_sstring s) { return utf16_encode(arena, s, false, true); }

/* ------------------------------------------------------------------ */
/* base64                                                               */
/* ------------------------------------------------------------------ */

static const char sg_b64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static void b64_append(sg_buf *b, const unsigned char *u, size_t len) {
    size_t i = 0;
    for (; i + 3 <= len; i += 3) {
        uint32_t v = ((uint32_t)u[i] << 16) | ((uint32_t)u[i + 1] << 8) | u[i + 2];
        char q[4] = {sg_b64_alphabet[(v >> 18) & 63], sg_b64_alphabet[(v >> 12) & 63],
                     sg_b64_alphabet[(v >> 6) & 63], sg_b64_alphabet[v & 63]};
        sg_buf_add(b, q, 4);
    }
    if (len - i == 1) {
        uint32_t v = (uint32_t)u[i] << 16;
        char q[4] = {sg_b64_alphabet[(v >> 18) & 63], sg_b64_alphabet[(v >> 12) & 63], '=', '='};
        sg_buf_add(b, q, 4);
    } else if (len - i == 2) {
        uint32_t v = ((uint32_t)u[i] << 16) | ((uint32_t)u[i + 1] << 8);
        char q[4] = {sg_b64_alphabet[(v >> 18) & 63], sg_b64_alphabet[(v >> 12) & 63],
                     sg_b64_alphabet[(v >> 6) & 63], '='};
        sg_buf_add(b, q, 4);
    }
}

sg_str sg_base64_encode(sg_arena *arena, const void *data, size_t len) {
    sg_buf b;
    sg_buf_init(&b);
    b64_append(&b, data, len);
    sg_str r = sg_buf_to_str(&b, arena);
    sg_buf_free(&b);
    return r;
}

static bool plain_literal(sg_sstring s) { return !sg_sstr_has_wildcards(s) && !sg_sstr_has_placeholders(s); }

bool sg_sstr_base64(sg_arena *arena, sg_sstring s, sg_sstring *out) {
    if (!plain_literal(s)) return false;
    sg_str bytes = sg_sstr_literal_text(arena, s);
    *out = sg_sstr_literal(arena, sg_base64_encode(arena, bytes.ptr, bytes.len));
    return true;
}

/* base64offset as pySigma's SigmaBase64OffsetModifier computes it.  The
 * value can sit at any byte offset of a larger base64-encoded blob; only
 * the offset mod 3 matters.  For i = 0, 1, 2: encode i spaces followed by
 * the value, drop the first start[i] characters (they depend on the
 * spaces) and the last end[(len + i) % 3] characters (they depend on the
 * bytes that follow the value), where len is the byte length:
 *   start = {0, 2, 3}, end = {0, 3, 2}.
 * The cut is clamped like a Python slice, so it may yield an empty text. */
bool sg_sstr_base64offset(sg_arena *arena, sg_sstring s, sg_sstring out[3]) {
    static const size_t start_cut[3] = {0, 2, 3};
    static const size_t end_cut[3] = {0, 3, 2};
    if (!plain_literal(s)) return false;
    sg_str bytes = sg_sstr_literal_text(arena, s);
    sg_buf in, enc;
    sg_buf_init(&in);
    sg_buf_init(&enc);
    for (size_t i = 0; i < 3; i++) {
        sg_buf_reset(&in);
        sg_buf_reset(&enc);
        sg_buf_add(&in, "  ", i);
        sg_buf_add(&in, bytes.ptr, bytes.len);
        b64_append(&enc, (const unsigned char *)in.data, in.len);
        size_t from = start_cut[i];
        size_t cut = end_cut[(bytes.len + i) % 3];
        size_t to = enc.len > cut ? enc.len - cut : 0;
        sg_str piece = {enc.data ? enc.data : "", 0};
        if (to > from) {
            piece.ptr = enc.data + from;
            piece.len = to - from;
        }
        out[i] = sg_sstr_literal(arena, piece);
    }
    sg_buf_free(&in);
    sg_buf_free(&enc);
    return true;
}

/* ------------------------------------------------------------------ */
/* windash                                                              */
/* ------------------------------------------------------------------ */

/* Code point ending just before byte k of u (k > 0), decoded the same way
 * as forwards: a valid sequence ending at k, else the Latin-1 byte. */
static uint32_t cp_before(const unsigned char *u, size_t k) {
    for (size_t back = 2; back <= 4 && back <= k; back++) {
        uint32_t cp;
        if (utf8_decode(u + k - back, back, &cp) == back) return cp;
    }
    return u[k - 1];
}

/* `\B[-/]\b` within one literal part: the byte at k is `-` or `/`, the
 * character before it is not a word character (or k is the start of the
 * part), and the character after it is a word character. */
static bool windash_at(const unsigned char *u, size_t len, size_t k) {
    if (u[k] != '-' && u[k] != '/') return false;
    if (k + 1 >= len) return false;
    if (k > 0 && cp_is_word(cp_before(u, k))) return false;
    uint32_t next;
    utf8_decode_lenient(u + k + 1, len - k - 1, &next);
    return cp_is_word(next);
}

typedef struct windash_pos {
    size_t part, off;
} windash_pos;

/* Replacement lists: the original character first, then the others in
 * pySigma's order - / U+2013 U+2014 U+2015. */
static const char *const windash_from_dash[5] = {"-", "/", "\xE2\x80\x93", "\xE2\x80\x94", "\xE2\x80\x95"};
static const char *const windash_from_slash[5] = {"/", "-", "\xE2\x80\x93", "\xE2\x80\x94", "\xE2\x80\x95"};

/* Positions are found in the input only (the inserted dashes are never
 * sources).  Variant v uses, for position j (0 = leftmost), replacement
 * digit j of v written in base 5 with the leftmost position most
 * significant, so the leftmost position varies slowest as in pySigma's
 * recursive replace_placeholders, and variant 0 is the input itself. */
size_t sg_sstr_windash(sg_arena *arena, sg_sstring s, size_t max_variants, sg_sstring **out) {
    windash_pos *pos = NULL;
    size_t npos = 0, cap = 0;
    for (size_t i = 0; i < s.n; i++) {
        if (s.parts[i].kind != SG_SP_LIT) continue;
        const unsigned char *u = (const unsigned char *)s.parts[i].text.ptr;
        size_t len = s.parts[i].text.len;
        for (size_t k = 0; k < len; k++) {
            if (!windash_at(u, len, k)) continue;
            if (npos == cap) {
                cap = cap ? cap * 2 : 8;
                pos = sg_xrealloc(pos, cap * sizeof *pos);
            }
            pos[npos++] = (windash_pos){i, k};
        }
    }

    size_t count = 1;
    for (size_t j = 0; j < npos; j++) {
        if (count > max_variants / 5) { /* 5 * count would exceed the cap */
            free(pos);
            *out = NULL;
            return 0;
        }
        count *= 5;
    }
    if (count > max_variants) {
        free(pos);
        *out = NULL;
        return 0;
    }

    sg_sstring *res = SG_NEW_ARRAY(arena, sg_sstring, count);
    unsigned char *digit = sg_xmalloc(npos ? npos : 1);
    for (size_t v = 0; v < count; v++) {
        size_t rest = v;
        for (size_t j = npos; j-- > 0;) {
            digit[j] = (unsigned char)(rest % 5);
            rest /= 5;
        }
        sg_pbuild pb;
        pb_init(&pb, arena);
        size_t j = 0;
        for (size_t i = 0; i < s.n; i++) {
            if (s.parts[i].kind != SG_SP_LIT) {
                pb_part(&pb, &s.parts[i]);
                continue;
            }
            const char *t = s.parts[i].text.ptr;
            size_t from = 0;
            for (; j < npos && pos[j].part == i; j++) {
                size_t k = pos[j].off;
                const char *const *alts = t[k] == '-' ? windash_from_dash : windash_from_slash;
                pb_lit(&pb, t + from, k - from);
                pb_lit(&pb, alts[digit[j]], strlen(alts[digit[j]]));
                from = k + 1;
            }
            pb_lit(&pb, t + from, s.parts[i].text.len - from);
        }
        res[v] = pb_finish(&pb);
    }
    free(digit);
    free(pos);
    *out = res;
    return count;
}

/* ------------------------------------------------------------------ */
/* CIDR                                                                 */
/* ------------------------------------------------------------------ */

static void cidr_err(char *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void cidr_err(char *err, const char *fmt, ...) {
    if (!err) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, 128, fmt, ap);
    va_end(ap);
}

/* Prefix length of a contiguous mask (ones from the left), or -1. */
static int mask_prefix(const uint8_t *m, size_t nbytes) {
    int prefix = 0;
    size_t i = 0;
    for (; i < nbytes && m[i] == 0xFF; i++) prefix += 8;
    if (i < nbytes) {
        uint8_t b = m[i];
        while (b & 0x80) {
            prefix++;
            b = (uint8_t)(b << 1);
        }
        if (b) return -1;
        for (i++; i < nbytes; i++)
            if (m[i]) return -1;
    }
    return prefix;
}

/* Like Python's ipaddress.ip_network(text) with strict=True:
 *   address            -> /32 or /128
 *   address/N          -> N in 0..32 or 0..128 (decimal digits only)
 *   IPv4/a.b.c.d       -> a netmask (ones then zeros) or else a hostmask
 * then every bit after the prefix must be zero. */
bool sg_cidr_parse(sg_str text, sg_cidr *out, char err[128]) {
    char buf[64];
    if (text.len == 0) {
        cidr_err(err, "empty CIDR value");
        return false;
    }
    if (text.len >= sizeof buf || memchr(text.ptr, '\0', text.len)) {
        cidr_err(err, "invalid CIDR value (too long or contains NUL)");
        return false;
    }
    memcpy(buf, text.ptr, text.len);
    buf[text.len] = '\0';

    char *slash = strchr(buf, '/');
    char *plen = NULL;
    if (slash) {
        *slash = '\0';
        plen = slash + 1;
        if (strchr(plen, '/')) {
            cidr_err(err, "invalid CIDR '%s/%s': more than one '/'", buf, plen);
            return false;
        }
    }

    sg_cidr c;
    memset(&c, 0, sizeof c);
    bool v6 = strchr(buf, ':') != NULL;
    unsigned maxlen = v6 ? 128 : 32;
    size_t nbytes = v6 ? 16 : 4;
    c.family = v6 ? 6 : 4;
    if (inet_pton(v6 ? AF_INET6 : AF_INET, buf, c.addr) != 1) {
        cidr_err(err, "invalid %s address '%.60s'", v6 ? "IPv6" : "IPv4", buf);
        return false;
    }

    if (!plen) {
        c.prefix = maxlen;
    } else if (*plen == '\0') {
        cidr_err(err, "missing prefix length after '/'");
        return false;
    } else if (strspn(plen, "0123456789") == strlen(plen)) {
        unsigned long v = 0;
        for (const char *d = plen; *d; d++) {
            v = v * 10 + (unsigned long)(*d - '0');
            if (v > 1000) break; /* clearly out of range; avoid overflow */
        }
        if (v > maxlen) {
            cidr_err(err, "prefix length /%.10s%s out of range 0..%u", plen,
                     strlen(plen) > 10 ? "..." : "", maxlen);
            return false;
        }
        c.prefix = (unsigned)v;
    } else {
        uint8_t m[4];
        int p = -1;
        if (!v6 && inet_pton(AF_INET, plen, m) == 1) {
            p = mask_prefix(m, 4);
            if (p < 0) { /* hostmask: zeros then ones */
                for (size_t i = 0; i < 4; i++) m[i] = (uint8_t)~m[i];
                p = mask_prefix(m, 4);
            }
        }
        if (p < 0) {
            cidr_err(err, "invalid prefix length or netmask '%.40s'", plen);
            return false;
        }
        c.prefix = (unsigned)p;
    }

    /* Strict: the address must be the network address. */
    uint8_t net[16];
    memcpy(net, c.addr, sizeof net);
    for (size_t i = 0; i < nbytes; i++) {
        unsigned bit0 = (unsigned)i * 8;
        if (bit0 + 8 <= c.prefix) continue;
        net[i] = bit0 >= c.prefix ? 0 : (uint8_t)(net[i] & (0xFF00u >> (c.prefix - bit0)));
    }
    if (memcmp(net, c.addr, nbytes) != 0) {
        char ntext[INET6_ADDRSTRLEN];
        inet_ntop(v6 ? AF_INET6 : AF_INET, net, ntext, sizeof ntext);
        cidr_err(err, "host bits set: did you mean %s/%u?", ntext, c.prefix);
        return false;
    }
    *out = c;
    return true;
}

sg_str sg_cidr_format(sg_arena *arena, const sg_cidr *c) {
    char text[INET6_ADDRSTRLEN];
    if (!inet_ntop(c->family == 6 ? AF_INET6 : AF_INET, c->addr, text, sizeof text))
        return sg_str_dup(arena, "", 0);
    return sg_str_printf(arena, "%s/%u", text, c->prefix);
}
