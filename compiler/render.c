/* render.c - writes a diagnostics list as text, JSON, SARIF or GitHub
 * workflow commands.
 *
 * Messages and file names are untrusted: they quote rule data, which may
 * hold any byte.  Each output context therefore has exactly one escaping
 * function, and nothing reaches the output without going through it:
 *
 *   sg_report_text_escape      terminal text: C0/C1 controls, DEL and
 *                              invalid UTF-8 become \xHH, so one diagnostic
 *                              is one line and no ESC reaches a terminal
 *   sg_json_add_string         JSON string literals (also used by SARIF)
 *   sg_report_uri_add          SARIF artifact URIs (percent-encoding)
 *   sg_report_gh_escape        workflow command data and properties, as
 *                              actions/toolkit's command.ts escapes them
 *
 * All of them read text through sg_report_utf8_next(), a strict UTF-8
 * decoder (no overlongs, no surrogates, nothing above U+10FFFF) that
 * reports each maximal ill-formed subpart as one error, as Unicode
 * recommends for U+FFFD substitution.
 *
 * Output is assembled in a buffer and written in large chunks; the only
 * failure is a stream error, reported once at the end (ferror after
 * fflush).
 */
#include "render.h"

#include <string.h>

#ifndef SIGC_VERSION
#define SIGC_VERSION "0.0.0"
#endif

/* Returned in *cp by sg_report_utf8_next() for an ill-formed sequence. */
#define SG_REPORT_BAD_UTF8 UINT32_MAX
/* Buffered output is written out when it grows past this many bytes. */
#define SG_REPORT_CHUNK 65536

#define SG_ANSI_RESET "\033[0m"
#define SG_ANSI_BOLD "\033[1m"
#define SG_ANSI_RED "\033[1;31m"
#define SG_ANSI_MAGENTA "\033[1;35m"
#define SG_ANSI_CYAN "\033[1;36m"

static const char sg_report_hex[] = "0123456789ABCDEF";
static const char sg_report_hex_lower[] = "0123456789abcdef";

/* Decodes one character from s[0..len), len >= 1.  Returns the number of
 * bytes consumed (>= 1) and stores the code point in *cp, or
 * SG_REPORT_BAD_UTF8 when the bytes consumed are an ill-formed sequence
 * (a maximal subpart: a valid lead byte and the valid continuation bytes
 * that follow it, or a single stray byte). */
static size_t sg_report_utf8_next(const unsigned char *s, size_t len, uint32_t *cp) {
    unsigned c = s[0];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    size_t need;          /* continuation bytes after the lead */
    unsigned lo = 0x80;   /* allowed range of the first continuation byte */
    unsigned hi = 0xBF;
    uint32_t v;
    if (c >= 0xC2 && c <= 0xDF) {
        need = 1;
        v = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        need = 2;
        v = c & 0x0F;
        if (c == 0xE0) lo = 0xA0; /* overlong */
        if (c == 0xED) hi = 0x9F; /* surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
        need = 3;
        v = c & 0x07;
        if (c == 0xF0) lo = 0x90; /* overlong */
        if (c == 0xF4) hi = 0x8F; /* above U+10FFFF */
    } else {
        *cp = SG_REPORT_BAD_UTF8; /* C0, C1, F5-FF or a stray continuation */
        return 1;
    }
    size_t i = 1;
    for (; i <= need; i++) {
        if (i >= len) break;
        unsigned t = s[i];
        if (t < lo || t > hi) break;
        v = (v << 6) | (t & 0x3F);
        lo = 0x80;
        hi = 0xBF;
    }
    if (i <= need) {
        *cp = SG_REPORT_BAD_UTF8;
        return i;
    }
    *cp = v;
    return need + 1;
}

/* True for characters a terminal may act on: C0 controls, DEL and C1
 * controls (U+0080-U+009F; U+009B is a one-character CSI). */
static bool sg_report_is_control(uint32_t cp) { return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F); }

static void sg_report_add_hex_byte(sg_buf *b, unsigned char c) {
    char esc[4] = {'\\', 'x', sg_report_hex_lower[c >> 4], sg_report_hex_lower[c & 0xF]};
    sg_buf_add(b, esc, sizeof esc);
}

/* Appends s for a terminal or a log: controls and each byte of an
 * ill-formed UTF-8 sequence become \xHH; everything else is copied. */
static void sg_report_text_escape(sg_buf *b, const char *s, size_t len) {
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < len) {
        uint32_t cp;
        size_t n = sg_report_utf8_next(p + i, len - i, &cp);
        if (cp == SG_REPORT_BAD_UTF8 || sg_report_is_control(cp)) {
            for (size_t k = 0; k < n; k++) sg_report_add_hex_byte(b, p[i + k]);
        } else {
            sg_buf_add(b, p + i, n);
        }
        i += n;
    }
}

void sg_json_add_string(sg_buf *b, const char *s, size_t len) {
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    sg_buf_add_byte(b, '"');
    while (i < len) {
        uint32_t cp;
        size_t n = sg_report_utf8_next(p + i, len - i, &cp);
        switch (cp) {
        case '"': sg_buf_add(b, "\\\"", 2); break;
        case '\\': sg_buf_add(b, "\\\\", 2); break;
        case '\b': sg_buf_add(b, "\\b", 2); break;
        case '\f': sg_buf_add(b, "\\f", 2); break;
        case '\n': sg_buf_add(b, "\\n", 2); break;
        case '\r': sg_buf_add(b, "\\r", 2); break;
        case '\t': sg_buf_add(b, "\\t", 2); break;
        case 0x2028: sg_buf_add(b, "\\u2028", 6); break; /* line breaks in JavaScript */
        case 0x2029: sg_buf_add(b, "\\u2029", 6); break;
        case SG_REPORT_BAD_UTF8: sg_buf_add(b, "\\ufffd", 6); break;
        default:
            if (sg_report_is_control(cp)) sg_buf_printf(b, "\\u%04x", (unsigned)cp);
            else sg_buf_add(b, p + i, n);
            break;
        }
        i += n;
    }
    sg_buf_add_byte(b, '"');
}

/* Appends a file path as a URI reference (RFC 3986).  Absolute paths
 * become file:// URIs; relative ones lose any leading "./" and stay
 * relative (to %SRCROOT%).  Every byte outside unreserved, sub-delims,
 * '@' and '/' is percent-encoded: spaces, '%', '#', '?', controls,
 * non-ASCII bytes, and also ':', which in a first segment would read as
 * a scheme.  Returns true when the URI is absolute. */
static bool sg_report_uri_add(sg_buf *b, const char *path) {
    bool absolute = path[0] == '/';
    if (absolute) {
        sg_buf_add_cstr(b, "file://");
    } else {
        while (path[0] == '.' && path[1] == '/') {
            path += 2;
            while (path[0] == '/') path++;
        }
    }
    for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
        unsigned c = *p;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            strchr("-._~!$&'()*+,;=@/", (int)c)) {
            sg_buf_add_byte(b, (char)c);
        } else {
            char esc[3] = {'%', sg_report_hex[c >> 4], sg_report_hex[c & 0xF]};
            sg_buf_add(b, esc, sizeof esc);
        }
    }
    return absolute;
}

/* Appends s as workflow command text (actions/toolkit escapeData, or
 * escapeProperty when property is set).  The runner decodes only these
 * %XX forms, so other controls and ill-formed UTF-8 are shown as \xHH. */
static void sg_report_gh_escape(sg_buf *b, const char *s, bool property) {
    const unsigned char *p = (const unsigned char *)s;
    size_t len = strlen(s);
    size_t i = 0;
    while (i < len) {
        uint32_t cp;
        size_t n = sg_report_utf8_next(p + i, len - i, &cp);
        if (cp == '%') sg_buf_add(b, "%25", 3);
        else if (cp == '\r') sg_buf_add(b, "%0D", 3);
        else if (cp == '\n') sg_buf_add(b, "%0A", 3);
        else if (property && cp == ':') sg_buf_add(b, "%3A", 3);
        else if (property && cp == ',') sg_buf_add(b, "%2C", 3);
        else if (cp == SG_REPORT_BAD_UTF8 || sg_report_is_control(cp))
            for (size_t k = 0; k < n; k++) sg_report_add_hex_byte(b, p[i + k]);
        else sg_buf_add(b, p + i, n);
        i += n;
    }
}

/* The check id of d, robust to an out-of-range id. */
static const char *sg_report_check_id(const sg_diag *d) {
    return d->id < SG_D__COUNT ? sg_diag_table[d->id].id : "unknown";
}

/* The file of d, or NULL when the finding has none. */
static const char *sg_report_file(const sg_diag *d) {
    return d->loc.file && d->loc.file[0] ? d->loc.file : NULL;
}

/* SARIF "level" for a severity. */
static const char *sg_report_sarif_level(sg_severity sev) {
    switch (sev) {
    case SG_SEV_ERROR: return "error";
    case SG_SEV_WARNING: return "warning";
    default: return "note";
    }
}

/* Writes b out when it is large (or when force is set) and empties it. */
static void sg_report_flush(FILE *out, sg_buf *b, bool force) {
    if (b->len == 0 || (!force && b->len < SG_REPORT_CHUNK)) return;
    if (!ferror(out)) fwrite(b->data, 1, b->len, out);
    sg_buf_reset(b);
}

static void sg_report_text_one(sg_buf *b, const sg_diag *d, bool color) {
    const char *file = sg_report_file(d);
    if (color) sg_buf_add_cstr(b, SG_ANSI_BOLD);
    if (file) {
        sg_report_text_escape(b, file, strlen(file));
        if (d->loc.line) {
            sg_buf_printf(b, ":%lu", (unsigned long)d->loc.line);
            if (d->loc.col) sg_buf_printf(b, ":%lu", (unsigned long)d->loc.col);
        }
    } else {
        sg_buf_add_cstr(b, "sigc"); /* no file: name the tool, as clang does */
    }
    sg_buf_add_byte(b, ':');
    if (color) sg_buf_add_cstr(b, SG_ANSI_RESET);
    sg_buf_add_byte(b, ' ');
    if (color) {
        sg_buf_add_cstr(b, d->severity == SG_SEV_ERROR     ? SG_ANSI_RED
                           : d->severity == SG_SEV_WARNING ? SG_ANSI_MAGENTA
                                                           : SG_ANSI_CYAN);
    }
    sg_buf_add_cstr(b, sg_severity_name(d->severity));
    if (color) sg_buf_add_cstr(b, SG_ANSI_RESET);
    sg_buf_printf(b, "[%s]: ", sg_report_check_id(d));
    sg_report_text_escape(b, d->message, strlen(d->message));
    sg_buf_add_byte(b, '\n');
}

static void sg_report_json_one(sg_buf *b, const sg_diag *d) {
    const char *file = sg_report_file(d);
    sg_buf_add_cstr(b, "{\"file\":");
    if (file) sg_json_add_string(b, file, strlen(file));
    else sg_buf_add_cstr(b, "null");
    sg_buf_printf(b, ",\"line\":%lu,\"column\":%lu,\"severity\":\"%s\",\"check\":",
                  (unsigned long)d->loc.line, (unsigned long)d->loc.col,
                  sg_severity_name(d->severity));
    const char *check = sg_report_check_id(d);
    sg_json_add_string(b, check, strlen(check));
    sg_buf_add_cstr(b, ",\"message\":");
    sg_json_add_string(b, d->message, strlen(d->message));
    sg_buf_add_cstr(b, ",\"rule_id\":");
    if (d->rule_id) sg_json_add_string(b, d->rule_id, strlen(d->rule_id));
    else sg_buf_add_cstr(b, "null");
    sg_buf_add_byte(b, '}');
}

static void sg_report_sarif_head(sg_buf *b, const char *version) {
    sg_buf_add_cstr(b, "{\n"
                       "  \"$schema\": \"https://json.schemastore.org/sarif-2.1.0.json\",\n"
                       "  \"version\": \"2.1.0\",\n"
                       "  \"runs\": [\n"
                       "    {\n"
                       "      \"tool\": {\n"
                       "        \"driver\": {\n"
                       "          \"name\": \"sigc\",\n"
                       "          \"version\": ");
    sg_json_add_string(b, version, strlen(version));
    sg_buf_add_cstr(b, ",\n"
                       "          \"informationUri\": \"https://github.com/sigc/sigc\",\n"
                       "          \"rules\": [\n");
    /* One reporting rule per check, in table order: ruleIndex == sg_diag_id. */
    for (size_t i = 0; i < SG_D__COUNT; i++) {
        const sg_diag_info *info = &sg_diag_table[i];
        sg_buf_add_cstr(b, "            {\"id\":");
        sg_json_add_string(b, info->id, strlen(info->id));
        sg_buf_add_cstr(b, ",\"shortDescription\":{\"text\":");
        sg_json_add_string(b, info->summary, strlen(info->summary));
        sg_buf_printf(b, "},\"defaultConfiguration\":{\"level\":\"%s\"}}%s\n",
                      sg_report_sarif_level(info->severity), i + 1 < SG_D__COUNT ? "," : "");
    }
    /* Columns count characters (sg_loc), not SARIF's default UTF-16 units. */
    sg_buf_add_cstr(b, "          ]\n"
                       "        }\n"
                       "      },\n"
                       "      \"columnKind\": \"unicodeCodePoints\",\n"
                       "      \"results\": [");
}

static void sg_report_sarif_one(sg_buf *b, const sg_diag *d) {
    const char *check = sg_report_check_id(d);
    const char *file = sg_report_file(d);
    sg_buf_add_cstr(b, "{\"ruleId\":");
    sg_json_add_string(b, check, strlen(check));
    if (d->id < SG_D__COUNT) sg_buf_printf(b, ",\"ruleIndex\":%d", (int)d->id);
    sg_buf_printf(b, ",\"level\":\"%s\",\"message\":{\"text\":",
                  sg_report_sarif_level(d->severity));
    sg_json_add_string(b, d->message, strlen(d->message));
    sg_buf_add_byte(b, '}');
    if (file) {
        /* The URI is pure ASCII without '"' or '\', but goes through the
         * JSON escaper all the same. */
        sg_buf uri;
        sg_buf_init(&uri);
        bool absolute = sg_report_uri_add(&uri, file);
        sg_buf_add_cstr(b, ",\"locations\":[{\"physicalLocation\":{\"artifactLocation\":{\"uri\":");
        sg_json_add_string(b, uri.data ? uri.data : "", uri.len);
        sg_buf_free(&uri);
        if (!absolute) sg_buf_add_cstr(b, ",\"uriBaseId\":\"%SRCROOT%\"");
        sg_buf_add_byte(b, '}');
        if (d->loc.line) {
            sg_buf_printf(b, ",\"region\":{\"startLine\":%lu", (unsigned long)d->loc.line);
            if (d->loc.col) sg_buf_printf(b, ",\"startColumn\":%lu", (unsigned long)d->loc.col);
            sg_buf_add_byte(b, '}');
        }
        sg_buf_add_cstr(b, "}}]");
    }
    sg_buf_add_byte(b, '}');
}

static void sg_report_github_one(sg_buf *b, const sg_diag *d) {
    const char *file = sg_report_file(d);
    sg_buf_add_cstr(b, d->severity == SG_SEV_ERROR     ? "::error "
                       : d->severity == SG_SEV_WARNING ? "::warning "
                                                       : "::notice ");
    if (file) {
        sg_buf_add_cstr(b, "file=");
        sg_report_gh_escape(b, file, true);
        if (d->loc.line) {
            sg_buf_printf(b, ",line=%lu", (unsigned long)d->loc.line);
            if (d->loc.col) sg_buf_printf(b, ",col=%lu", (unsigned long)d->loc.col);
        }
        sg_buf_add_byte(b, ',');
    }
    sg_buf_add_cstr(b, "title=");
    sg_report_gh_escape(b, "sigc ", true);
    sg_report_gh_escape(b, sg_report_check_id(d), true);
    sg_buf_add_cstr(b, "::");
    sg_report_gh_escape(b, d->message, false);
    sg_buf_add_byte(b, '\n');
}

bool sg_report_format_parse(const char *name, sg_report_format *out) {
    static const struct {
        const char *name;
        sg_report_format fmt;
    } names[] = {
        {"text", SG_REPORT_TEXT},
        {"json", SG_REPORT_JSON},
        {"sarif", SG_REPORT_SARIF},
        {"github", SG_REPORT_GITHUB},
    };
    if (!name) return false;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (strcmp(name, names[i].name) == 0) {
            *out = names[i].fmt;
            return true;
        }
    }
    return false;
}

int sg_report_write(FILE *out, const sg_diags *d, sg_report_format fmt,
                    const sg_report_opts *opts) {
    bool color = opts && opts->color;
    const char *version = opts && opts->tool_version ? opts->tool_version : SIGC_VERSION;
    sg_buf b;
    sg_buf_init(&b);

    if (fmt == SG_REPORT_JSON) sg_buf_add_cstr(&b, d->count ? "[\n" : "[");
    else if (fmt == SG_REPORT_SARIF) sg_report_sarif_head(&b, version);

    for (size_t i = 0; i < d->count; i++) {
        const sg_diag *x = &d->items[i];
        switch (fmt) {
        case SG_REPORT_JSON:
            sg_buf_add_cstr(&b, "  ");
            sg_report_json_one(&b, x);
            sg_buf_add_cstr(&b, i + 1 < d->count ? ",\n" : "\n");
            break;
        case SG_REPORT_SARIF:
            sg_buf_add_cstr(&b, i ? ",\n        " : "\n        ");
            sg_report_sarif_one(&b, x);
            break;
        case SG_REPORT_GITHUB: sg_report_github_one(&b, x); break;
        case SG_REPORT_TEXT:
        default: sg_report_text_one(&b, x, color); break;
        }
        sg_report_flush(out, &b, false);
    }

    if (fmt == SG_REPORT_JSON) {
        sg_buf_add_cstr(&b, "]\n");
    } else if (fmt == SG_REPORT_SARIF) {
        sg_buf_add_cstr(&b, d->count ? "\n      ]\n" : "]\n");
        sg_buf_add_cstr(&b, "    }\n"
                            "  ]\n"
                            "}\n");
    }
    sg_report_flush(out, &b, true);
    sg_buf_free(&b);
    if (fflush(out) != 0 || ferror(out)) return -1;
    return 0;
}
