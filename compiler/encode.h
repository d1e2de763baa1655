/* encode.h - Sigma string values and the value modifiers that rewrite them.
 *
 * A Sigma string is parsed once into parts: literal bytes, the wildcards
 * `*` (any run) and `?` (one character), and `%name%` placeholders (only
 * under |expand).  Escaping follows the specification exactly:
 * `\` before `*`, `?` or `\` yields that character as a literal; `\`
 * before anything else (or at the end) is a literal backslash and the
 * next character is read normally.  Under |expand, `\%` is a literal `%`.
 *
 * The transformations (contains/startswith/endswith, base64, base64offset,
 * wide/utf16le/utf16be/utf16, windash) work on parts and never on a
 * rendered text, so a literal `*` can never turn into a wildcard.
 */
#ifndef SG_ENCODE_H
#define SG_ENCODE_H

#include "arena.h"

typedef enum sg_spart_kind {
    SG_SP_LIT,         /* literal bytes in text */
    SG_SP_STAR,        /* `*` wildcard */
    SG_SP_ONE,         /* `?` wildcard */
    SG_SP_PLACEHOLDER, /* %name% under |expand; text is the name */
} sg_spart_kind;

typedef struct sg_spart {
    sg_spart_kind kind;
    sg_str text;
} sg_spart;

/* Adjacent literal parts are always merged; no part has empty text except
 * wildcards.  An empty string has n == 0. */
typedef struct sg_sstring {
    sg_spart *parts;
    size_t n;
} sg_sstring;

/* Parses a YAML string value. expand: recognise %name% placeholders.
 * As in pySigma, expand runs after unescaping, on each literal part: a
 * `%name%` (name = \w+) not preceded by a backslash of the parsed text
 * becomes a placeholder and `\%` becomes `%`; so `\%x%` and `\\%x%` are
 * both the literal `%x%`.  raw may contain NUL bytes. */
sg_sstring sg_sstr_parse(sg_arena *arena, sg_str raw, bool expand);
/* Builds a string of one literal part (no wildcard processing). */
sg_sstring sg_sstr_literal(sg_arena *arena, sg_str text);
bool sg_sstr_has_wildcards(sg_sstring s); /* any STAR or ONE */
bool sg_sstr_has_placeholders(sg_sstring s);
bool sg_sstr_equal(sg_sstring a, sg_sstring b);
/* Concatenation of the literal parts (wildcards and placeholders dropped). */
sg_str sg_sstr_literal_text(sg_arena *arena, sg_sstring s);
/* Sigma text form: literals with `*`, `?` and `\` re-escaped, wildcards
 * as `*` / `?`, placeholders as %name%.  Used by the IR dump.
 * Literal `*` and `?` always become `\*` / `\?`; a literal `\` is doubled
 * only where a single one would read as an escape (before a literal `*`,
 * `?` or `\`, or before a wildcard or placeholder), so `C:\Windows` stays
 * as written.  Bytes that are neither printable ASCII nor part of a valid
 * UTF-8 sequence (NUL, controls, DEL, invalid bytes, e.g. after |wide) are
 * shown as \xHH: the result is for humans and is not re-parseable when
 * such bytes occur.  A literal `%` is not escaped. */
sg_str sg_sstr_to_sigma(sg_arena *arena, sg_sstring s);

/* contains: a leading and a trailing STAR unless already there.
 * startswith: trailing STAR; endswith: leading STAR. */
sg_sstring sg_sstr_contains(sg_arena *arena, sg_sstring s);
sg_sstring sg_sstr_startswith(sg_arena *arena, sg_sstring s);
sg_sstring sg_sstr_endswith(sg_arena *arena, sg_sstring s);

/* Encodings of literal parts.  Each returns a new string; wildcards are
 * kept in place.  wide == utf16le: UTF-8 decoded to code points, written as
 * UTF-16LE (surrogate pairs above U+FFFF).  utf16be: big endian.  utf16: a
 * byte order mark FF FE, then UTF-16LE.  Invalid UTF-8 bytes are encoded
 * as the code point of the byte (Latin-1), never dropped. */
sg_sstring sg_sstr_utf16le(sg_arena *arena, sg_sstring s);
sg_sstring sg_sstr_utf16be(sg_arena *arena, sg_sstring s);
sg_sstring sg_sstr_utf16(sg_arena *arena, sg_sstring s);

/* base64 of the bytes of a wildcard-free string (standard alphabet, with
 * '=' padding).  Returns false when s has wildcards or placeholders. */
bool sg_sstr_base64(sg_arena *arena, sg_sstring s, sg_sstring *out);
/* base64offset: the three variants (offset 0, 1, 2) as pySigma computes
 * them: for i in 0..2, b64(i spaces + bytes)[start[i] : len - end[(len+i)%3]]
 * with start = {0,2,3}, end = {0,3,2}.  "foobar" -> Zm9vYmFy, Zvb2Jhc, mb29iYX.
 * out must hold 3.  Returns false when s has wildcards or placeholders. */
bool sg_sstr_base64offset(sg_arena *arena, sg_sstring s, sg_sstring out[3]);
/* windash: every `-` or `/` that starts a word (not preceded by a word
 * character, followed by one) is replaced by each of - / U+2013 U+2014
 * U+2015 (UTF-8), giving 5^n variants in a stable order (the original
 * first).  Returns the number of variants written to *out (arena array),
 * or 0 when it would exceed max_variants.
 * Order: the leftmost position varies slowest (as in pySigma); at each
 * position the original character comes first, then the other four in
 * the order - / U+2013 U+2014 U+2015.  pySigma always starts with `-`, so
 * for a `/` position the first two variants are swapped relative to it.
 * Word boundaries are those of Python's \b within each literal part (a
 * part edge counts as the string edge); "word character" is exact for
 * ASCII and Latin-1 and approximated above U+00FF. */
size_t sg_sstr_windash(sg_arena *arena, sg_sstring s, size_t max_variants, sg_sstring **out);

/* Base64 of raw bytes (used by the above and by backends). */
sg_str sg_base64_encode(sg_arena *arena, const void *data, size_t len);

/* An IP network from |cidr. */
typedef struct sg_cidr {
    int family;          /* 4 or 6 */
    uint8_t addr[16];    /* network address, big endian; 4 bytes used for v4 */
    unsigned prefix;     /* 0..32 or 0..128 */
} sg_cidr;

/* Parses "a.b.c.d/n" or an IPv6 CIDR (a bare address means /32 or /128).
 * Like Python's ip_network, an IPv4 prefix may also be a netmask or
 * hostmask ("10.0.0.0/255.0.0.0"); IPv6 scope ids ("%eth0") are rejected.
 * Strict like pySigma: host bits set is an error ("host bits set: did you
 * mean 10.0.0.0/8?").  On error returns false and writes a message
 * (<= 120 chars) to err (err may be NULL). */
bool sg_cidr_parse(sg_str text, sg_cidr *out, char err[128]);
/* Canonical text of the network ("10.0.0.0/8", "2001:db8::/32"), from
 * inet_ntop: IPv4-mapped addresses print as ::ffff:1.2.3.4 (Python 3.11
 * prints ::ffff:102:304 instead). */
sg_str sg_cidr_format(sg_arena *arena, const sg_cidr *c);

/* Validates UTF-8; returns the byte offset of the first bad sequence or
 * (size_t)-1 when valid. */
size_t sg_utf8_check(const char *p, size_t len);

#endif
