/* sgm_evtx.c - reads Windows .evtx files for the C matcher through libevtx
 * and turns every record into one line of JSON in the layout that
 * evtx_dump (omerbenamram/evtx) writes:
 *
 *   {"Event":{"#attributes":{"xmlns":"..."},"System":{"Provider":{"#attributes":
 *    {"Name":"...","Guid":"5770385F-..."}},"EventID":11,...},
 *    "EventData":{"RuleName":"-","Image":"C:\\Windows\\system32\\cmd.exe",...}}}
 *
 * libevtx hands out each record as XML text; a small XML reader here builds
 * a tree of the record and writes it out as JSON with evtx_dump's rules:
 *   - an element with attributes gets a "#attributes" object (attributes
 *     with an empty value are left out); text beside attributes or child
 *     elements goes under "#text";
 *   - an element with only text is that text; an empty element is null;
 *   - EventData / UserData: <Data Name="X">v</Data> becomes "X":"v" (an
 *     empty named Data is ""); when no Data there has a Name, the Data
 *     values are gathered as "Data":{"#text":v} or "Data":{"#text":[v,...]};
 *   - a repeated sibling element gets a numbered key: "Header",
 *     "Header_1", "Header_2"...;
 *   - a plain decimal integer that fits in int64 is written as a JSON
 *     number, every other value as a string.
 * libevtx formats some typed values differently from evtx_dump; these are
 * rewritten to evtx_dump's form: a FILETIME "...:SS.nnnnnnnnnZ" keeps six
 * fractional digits, a zero-padded hex integer "0x0000000000a1b2c3" loses
 * its leading zeros ("0xa1b2c3"), and a braced upper-case GUID
 * "{5770385F-...}" loses its braces when it is an attribute value or an
 * EventData value (a GUID that was logged as a string keeps them in
 * evtx_dump; the XML no longer says which is which, so this is a guess that
 * fits Sysmon and Security logs).
 *
 * The JSON is one line, valid UTF-8 (invalid bytes become U+FFFD).  Records
 * whose XML is larger than 16 MiB or nests deeper than 64 elements, and
 * records that libevtx cannot read, are reported and skipped.
 *
 * libevtx is optional and needs no header: its functions are declared
 * here.  By default the library is opened at run time (dlopen), the first
 * time an .evtx file is read, so a program built without -levtx reads .evtx
 * files wherever libevtx is installed and otherwise says it cannot.  With
 * -DSGM_EVTX_LINKED the references are plain and -levtx is required (sigc
 * itself builds so when meson finds libevtx).
 *
 * Besides the runtime's own headers only libc's are used: the file is
 * pasted as is into the generated matcher.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sgm_impl.h"

/* ---- libevtx, declared by hand ------------------------------------------
 * libevtx's handles are all typedefs of intptr_t (libevtx/types.h,
 * libevtx/error.h); the typedefs below have the same type under names of
 * our own, so these declarations are compatible with <libevtx.h>. */
typedef intptr_t sgm_evtx_lib_file_t;   /* libevtx_file_t */
typedef intptr_t sgm_evtx_lib_record_t; /* libevtx_record_t */
typedef intptr_t sgm_evtx_lib_error_t;  /* libevtx_error_t */

/* LIBEVTX_OPEN_READ in libevtx/definitions.h: LIBEVTX_ACCESS_FLAG_READ = 0x01 */
#define SGM_EVTX_OPEN_READ 0x01

#define SGM_EVTX_MAX_XML ((size_t)16 * 1024 * 1024)
#define SGM_EVTX_MAX_DEPTH 64
#define SGM_EVTX_NIL SIZE_MAX

/* The libevtx functions used here, as one table of pointers.  The list
 * below is expanded three times: the table's members, the extern
 * declarations of a linked build, and the loader. */
#define SGM_EVTX_FUNCTIONS(X)                                                                                       \
    X(int, file_initialize, (sgm_evtx_lib_file_t * *file, sgm_evtx_lib_error_t * *error))                          \
    X(int, file_free, (sgm_evtx_lib_file_t * *file, sgm_evtx_lib_error_t * *error))                                \
    X(int, file_open,                                                                                               \
      (sgm_evtx_lib_file_t * file, const char *filename, int access_flags, sgm_evtx_lib_error_t **error))           \
    X(int, file_close, (sgm_evtx_lib_file_t * file, sgm_evtx_lib_error_t * *error))                                \
    X(int, file_get_number_of_records,                                                                              \
      (sgm_evtx_lib_file_t * file, int *number_of_records, sgm_evtx_lib_error_t **error))                           \
    X(int, file_get_record_by_index,                                                                                \
      (sgm_evtx_lib_file_t * file, int record_index, sgm_evtx_lib_record_t **record, sgm_evtx_lib_error_t **error)) \
    X(int, record_free, (sgm_evtx_lib_record_t * *record, sgm_evtx_lib_error_t * *error))                          \
    X(int, record_get_identifier,                                                                                   \
      (sgm_evtx_lib_record_t * record, uint64_t *identifier, sgm_evtx_lib_error_t **error))                         \
    X(int, record_get_utf8_xml_string_size,                                                                         \
      (sgm_evtx_lib_record_t * record, size_t *utf8_string_size, sgm_evtx_lib_error_t **error))                     \
    X(int, record_get_utf8_xml_string,                                                                              \
      (sgm_evtx_lib_record_t * record, uint8_t *utf8_string, size_t utf8_string_size,                               \
       sgm_evtx_lib_error_t **error))                                                                               \
    X(int, error_sprint, (sgm_evtx_lib_error_t * error, char *string, size_t size))                                 \
    X(void, error_free, (sgm_evtx_lib_error_t * *error))                                                            \
    X(int, file_is_corrupted, (sgm_evtx_lib_file_t * file, sgm_evtx_lib_error_t * *error))

#define SGM_EVTX_MEMBER(ret, name, params) ret(*name) params;
static struct sgm_evtx_lib {
    int state; /* 0 not tried, 1 loaded, -1 not available */
    SGM_EVTX_FUNCTIONS(SGM_EVTX_MEMBER)
} sgm_lx;

#if defined(SGM_EVTX_LINKED)
/* Linked with -levtx: plain references. */
#define SGM_EVTX_EXTERN(ret, name, params) extern ret libevtx_##name params;
SGM_EVTX_FUNCTIONS(SGM_EVTX_EXTERN)
#define SGM_EVTX_TAKE(ret, name, params) sgm_lx.name = libevtx_##name;
static int sgm_evtx_load(void)
{
    if (sgm_lx.state == 0) {
        SGM_EVTX_FUNCTIONS(SGM_EVTX_TAKE)
        sgm_lx.state = 1;
    }
    return sgm_lx.state;
}
#else
/* Otherwise libevtx is looked up at run time, the first time an .evtx file
 * is read: the program needs no -levtx to build and reads .evtx files on
 * every machine that has libevtx installed (Debian: libevtx1). */
#include <dlfcn.h>
#define SGM_EVTX_FIND(ret, name, params)                                                                            \
    {                                                                                                               \
        void *sym = dlsym(lib, "libevtx_" #name);                                                                   \
        if (sym == NULL) ok = 0;                                                                                    \
        memcpy(&sgm_lx.name, &sym, sizeof sym);                                                                     \
    }
static int sgm_evtx_load(void)
{
    if (sgm_lx.state == 0) {
        int ok = 1;
        void *lib = dlopen("libevtx.so.1", RTLD_NOW | RTLD_LOCAL);
        if (lib == NULL) lib = dlopen("libevtx.so", RTLD_NOW | RTLD_LOCAL);
        if (lib == NULL) {
            sgm_lx.state = -1;
            return -1;
        }
        SGM_EVTX_FUNCTIONS(SGM_EVTX_FIND)
        sgm_lx.state = ok ? 1 : -1;
    }
    return sgm_lx.state;
}
#endif

int sgm_evtx_available(void)
{
    return sgm_evtx_load() == 1;
}

/* ---- growing byte buffer -------------------------------------------------
 * A failed allocation sets oom and turns later writes into no-ops; the
 * caller checks oom once at the end. */
typedef struct sgm_evtx_buf {
    char *data;
    size_t len, cap;
    int oom;
} sgm_evtx_buf;

static int sgm_evtx_buf_reserve(sgm_evtx_buf *b, size_t extra)
{
    size_t need, cap;
    char *p;

    if (b->oom)
        return -1;
    if (extra <= b->cap - b->len)
        return 0;
    if (extra > SIZE_MAX - b->len - 1) {
        b->oom = 1;
        return -1;
    }
    need = b->len + extra + 1; /* room for a terminating NUL */
    cap = b->cap ? b->cap : 4096;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    p = realloc(b->data, cap);
    if (p == NULL) {
        b->oom = 1;
        return -1;
    }
    b->data = p;
    b->cap = cap;
    return 0;
}

static void sgm_evtx_buf_put(sgm_evtx_buf *b, const void *p, size_t n)
{
    if (n == 0 || sgm_evtx_buf_reserve(b, n) != 0)
        return;
    memcpy(b->data + b->len, p, n);
    b->len += n;
}

static void sgm_evtx_buf_putc(sgm_evtx_buf *b, char c)
{
    if (sgm_evtx_buf_reserve(b, 1) != 0)
        return;
    b->data[b->len++] = c;
}

static void sgm_evtx_buf_puts(sgm_evtx_buf *b, const char *s)
{
    sgm_evtx_buf_put(b, s, strlen(s)); /* only for literals of this file */
}

static void sgm_evtx_buf_free(sgm_evtx_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
    b->oom = 0;
}

/* ---- the record tree ------------------------------------------------------ */
enum { SGM_EVTX_ELEM = 0, SGM_EVTX_TEXT = 1 };

typedef struct sgm_evtx_node {
    const char *str; /* element: its name (in the XML); text: the decoded text (in the arena) */
    size_t len;
    size_t attr_first, attr_count;
    size_t first_child, last_child, next; /* node indices or SGM_EVTX_NIL */
    int kind;
    int has_elem_child;
} sgm_evtx_node;

typedef struct sgm_evtx_attr {
    const char *name;
    size_t name_len;
    const char *value; /* decoded, in the arena */
    size_t value_len;
} sgm_evtx_attr;

/* Counts the keys already written in one object, for the "_N" suffixes. */
typedef struct sgm_evtx_slot {
    size_t parent; /* SGM_EVTX_NIL: free */
    const char *key;
    size_t key_len;
    size_t count;
} sgm_evtx_slot;

typedef struct sgm_evtx_state {
    uint8_t *xml; /* the record's XML as libevtx gave it */
    size_t xml_cap;
    char *arena; /* decoded text; never larger than the XML */
    size_t arena_len, arena_cap;
    sgm_evtx_node *nodes;
    size_t node_count, node_cap, elem_count;
    sgm_evtx_attr *attrs;
    size_t attr_count, attr_cap;
    sgm_evtx_slot *slots;
    size_t slot_cap; /* a power of two, or 0 */
    sgm_evtx_buf out;     /* the JSON of the current record */
    sgm_evtx_buf scratch; /* a value's text pieces joined */
    char errmsg[160];     /* why the current record's XML was refused */
} sgm_evtx_state;

static void sgm_evtx_state_free(sgm_evtx_state *st)
{
    free(st->xml);
    free(st->arena);
    free(st->nodes);
    free(st->attrs);
    free(st->slots);
    sgm_evtx_buf_free(&st->out);
    sgm_evtx_buf_free(&st->scratch);
    memset(st, 0, sizeof *st);
}

static void sgm_evtx_fail(sgm_evtx_state *st, const char *what, size_t offset)
{
    snprintf(st->errmsg, sizeof st->errmsg, "malformed record XML at byte %zu: %s", offset, what);
}

/* Grows an array of elements of size `size` to hold at least one more. */
static int sgm_evtx_grow(void **arr, size_t *cap, size_t count, size_t size)
{
    size_t ncap;
    void *p;

    if (count < *cap)
        return 0;
    ncap = *cap ? *cap * 2 : 256;
    if (ncap < *cap || ncap > SIZE_MAX / size)
        return -1;
    p = realloc(*arr, ncap * size);
    if (p == NULL)
        return -1;
    *arr = p;
    *cap = ncap;
    return 0;
}

static size_t sgm_evtx_add_node(sgm_evtx_state *st, size_t parent, int kind, const char *s, size_t len)
{
    sgm_evtx_node *n;
    size_t id;
    void *arr = st->nodes;

    if (sgm_evtx_grow(&arr, &st->node_cap, st->node_count, sizeof *st->nodes) != 0) {
        snprintf(st->errmsg, sizeof st->errmsg, "out of memory");
        return SGM_EVTX_NIL;
    }
    st->nodes = arr;
    id = st->node_count++;
    n = &st->nodes[id];
    n->str = s;
    n->len = len;
    n->attr_first = st->attr_count;
    n->attr_count = 0;
    n->first_child = n->last_child = n->next = SGM_EVTX_NIL;
    n->kind = kind;
    n->has_elem_child = 0;
    if (kind == SGM_EVTX_ELEM)
        st->elem_count++;
    if (parent != SGM_EVTX_NIL) {
        sgm_evtx_node *p = &st->nodes[parent];
        if (p->last_child == SGM_EVTX_NIL)
            p->first_child = id;
        else
            st->nodes[p->last_child].next = id;
        p->last_child = id;
        if (kind == SGM_EVTX_ELEM)
            p->has_elem_child = 1;
    }
    return id;
}

/* ---- XML reading -------------------------------------------------------- */
static int sgm_evtx_is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Decodes one entity reference at s[0] == '&' (n bytes available) into dst.
 * Returns the number of input bytes used, or 0 when this is no entity
 * reference we know (the '&' is then taken literally: libevtx does not
 * escape '&' in text).  *out_len receives the bytes written (at most 4,
 * never more than the input used). */
static size_t sgm_evtx_entity(const char *s, size_t n, char *dst, size_t *out_len)
{
    size_t i, end;
    uint32_t cp = 0;
    static const struct {
        const char *name;
        size_t len;
        char ch;
    } named[] = {{"lt", 2, '<'}, {"gt", 2, '>'}, {"amp", 3, '&'}, {"quot", 4, '"'}, {"apos", 4, '\''}};

    for (end = 1; end < n && end < 12 && s[end] != ';'; end++)
        ;
    if (end >= n || s[end] != ';' || end < 2)
        return 0;
    if (s[1] != '#') {
        for (i = 0; i < sizeof named / sizeof named[0]; i++) {
            if (end - 1 == named[i].len && memcmp(s + 1, named[i].name, named[i].len) == 0) {
                dst[0] = named[i].ch;
                *out_len = 1;
                return end + 1;
            }
        }
        return 0;
    }
    if (s[2] == 'x' || s[2] == 'X') {
        if (end < 4)
            return 0;
        for (i = 3; i < end; i++) {
            int v = sgm_hex_value((char)s[i]);
            if (v < 0 || cp > 0x10FFFF)
                return 0;
            cp = cp * 16 + (uint32_t)v;
        }
    } else {
        if (end < 3)
            return 0;
        for (i = 2; i < end; i++) {
            if (s[i] < '0' || s[i] > '9' || cp > 0x10FFFF)
                return 0;
            cp = cp * 10 + (uint32_t)(s[i] - '0');
        }
    }
    if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        cp = 0xFFFD;
    *out_len = sgm_utf8_put(dst, cp);
    return end + 1;
}

/* Appends the decoded form of s[0..n) to the arena; returns its start. */
static const char *sgm_evtx_decode(sgm_evtx_state *st, const char *s, size_t n, size_t *out_len)
{
    char *start = st->arena + st->arena_len;
    char *d = start;
    size_t i = 0;

    while (i < n) {
        const char *amp = memchr(s + i, '&', n - i);
        size_t run = amp ? (size_t)(amp - (s + i)) : n - i;
        size_t used, wrote = 0;

        memcpy(d, s + i, run);
        d += run;
        i += run;
        if (i >= n)
            break;
        used = sgm_evtx_entity(s + i, n - i, d, &wrote);
        if (used == 0) {
            *d++ = '&';
            i++;
        } else {
            d += wrote;
            i += used;
        }
    }
    *out_len = (size_t)(d - start);
    st->arena_len += *out_len;
    return start;
}

static int sgm_evtx_name_char(unsigned char c)
{
    return !(sgm_evtx_is_space(c) || c == '/' || c == '>' || c == '<' || c == '=' || c == '"' || c == '\'' ||
             c == '&');
}

/* Skips to just past the terminator term (tlen bytes) from pos; 0 if absent. */
static int sgm_evtx_skip_past(const char *x, size_t n, size_t *pos, const char *term, size_t tlen)
{
    size_t i;

    for (i = *pos; i + tlen <= n; i++) {
        if (x[i] == term[0] && memcmp(x + i, term, tlen) == 0) {
            *pos = i + tlen;
            return 1;
        }
    }
    return 0;
}

static int sgm_evtx_starts(const char *x, size_t n, size_t pos, const char *lit, size_t litlen)
{
    return n - pos >= litlen && memcmp(x + pos, lit, litlen) == 0;
}

/* Parses the record's XML into st->nodes (node 0 is the root element).
 * Returns 0, or -1 with st->errmsg set. */
static int sgm_evtx_parse(sgm_evtx_state *st, const char *x, size_t n)
{
    size_t stack[SGM_EVTX_MAX_DEPTH];
    size_t depth = 0, pos = 0;
    int have_root = 0;

    st->node_count = st->elem_count = st->attr_count = 0;
    st->arena_len = 0;
    if (n >= 3 && memcmp(x, "\xEF\xBB\xBF", 3) == 0)
        pos = 3;

    while (pos < n) {
        if (x[pos] != '<') {
            size_t start = pos;
            const char *lt = memchr(x + pos, '<', n - pos);
            pos = lt ? (size_t)(lt - x) : n;
            if (depth == 0) {
                size_t i;
                for (i = start; i < pos; i++) {
                    if (!sgm_evtx_is_space((unsigned char)x[i])) {
                        sgm_evtx_fail(st, "text outside the root element", i);
                        return -1;
                    }
                }
            } else {
                size_t len;
                const char *t = sgm_evtx_decode(st, x + start, pos - start, &len);
                if (sgm_evtx_add_node(st, stack[depth - 1], SGM_EVTX_TEXT, t, len) == SGM_EVTX_NIL)
                    return -1;
            }
            continue;
        }
        if (sgm_evtx_starts(x, n, pos, "<?", 2)) {
            size_t at = pos;
            pos += 2;
            if (!sgm_evtx_skip_past(x, n, &pos, "?>", 2)) {
                sgm_evtx_fail(st, "unterminated processing instruction", at);
                return -1;
            }
            continue;
        }
        if (sgm_evtx_starts(x, n, pos, "<!--", 4)) {
            size_t at = pos;
            pos += 4;
            if (!sgm_evtx_skip_past(x, n, &pos, "-->", 3)) {
                sgm_evtx_fail(st, "unterminated comment", at);
                return -1;
            }
            continue;
        }
        if (sgm_evtx_starts(x, n, pos, "<![CDATA[", 9)) {
            size_t at = pos, start = pos + 9;
            pos = start;
            if (!sgm_evtx_skip_past(x, n, &pos, "]]>", 3)) {
                sgm_evtx_fail(st, "unterminated CDATA section", at);
                return -1;
            }
            if (depth == 0) {
                sgm_evtx_fail(st, "CDATA outside the root element", at);
                return -1;
            } else {
                size_t len = pos - 3 - start;
                char *t = st->arena + st->arena_len;
                memcpy(t, x + start, len);
                st->arena_len += len;
                if (sgm_evtx_add_node(st, stack[depth - 1], SGM_EVTX_TEXT, t, len) == SGM_EVTX_NIL)
                    return -1;
            }
            continue;
        }
        if (sgm_evtx_starts(x, n, pos, "<!", 2)) { /* <!DOCTYPE ...> and the like */
            size_t at = pos;
            if (!sgm_evtx_skip_past(x, n, &pos, ">", 1)) {
                sgm_evtx_fail(st, "unterminated declaration", at);
                return -1;
            }
            continue;
        }
        if (sgm_evtx_starts(x, n, pos, "</", 2)) {
            size_t at = pos, ns, nl;
            const sgm_evtx_node *open;
            pos += 2;
            ns = pos;
            while (pos < n && sgm_evtx_name_char((unsigned char)x[pos]))
                pos++;
            nl = pos - ns;
            while (pos < n && sgm_evtx_is_space((unsigned char)x[pos]))
                pos++;
            if (pos >= n || x[pos] != '>') {
                sgm_evtx_fail(st, "bad end tag", at);
                return -1;
            }
            pos++;
            if (depth == 0) {
                sgm_evtx_fail(st, "end tag without start tag", at);
                return -1;
            }
            open = &st->nodes[stack[depth - 1]];
            if (nl != open->len || memcmp(x + ns, open->str, nl) != 0) {
                sgm_evtx_fail(st, "end tag does not match start tag", at);
                return -1;
            }
            depth--;
            if (depth == 0)
                break; /* the root element is complete */
            continue;
        }
        /* a start tag */
        {
            size_t at = pos, ns, id;
            pos++;
            ns = pos;
            while (pos < n && sgm_evtx_name_char((unsigned char)x[pos]))
                pos++;
            if (pos == ns) {
                sgm_evtx_fail(st, "bad start tag", at);
                return -1;
            }
            if (depth == 0 && have_root) {
                sgm_evtx_fail(st, "more than one root element", at);
                return -1;
            }
            if (depth >= SGM_EVTX_MAX_DEPTH) {
                snprintf(st->errmsg, sizeof st->errmsg, "record XML nests deeper than %d elements",
                         SGM_EVTX_MAX_DEPTH);
                return -1;
            }
            id = sgm_evtx_add_node(st, depth ? stack[depth - 1] : SGM_EVTX_NIL, SGM_EVTX_ELEM, x + ns, pos - ns);
            if (id == SGM_EVTX_NIL)
                return -1;
            have_root = 1;
            for (;;) {
                size_t an, anl, vs;
                char q;
                sgm_evtx_attr *a;
                void *arr;

                while (pos < n && sgm_evtx_is_space((unsigned char)x[pos]))
                    pos++;
                if (pos >= n) {
                    sgm_evtx_fail(st, "unterminated start tag", at);
                    return -1;
                }
                if (x[pos] == '>') {
                    pos++;
                    stack[depth++] = id;
                    break;
                }
                if (x[pos] == '/') {
                    if (pos + 1 >= n || x[pos + 1] != '>') {
                        sgm_evtx_fail(st, "bad empty-element tag", pos);
                        return -1;
                    }
                    pos += 2;
                    break;
                }
                an = pos;
                while (pos < n && sgm_evtx_name_char((unsigned char)x[pos]))
                    pos++;
                anl = pos - an;
                while (pos < n && sgm_evtx_is_space((unsigned char)x[pos]))
                    pos++;
                if (anl == 0 || pos >= n || x[pos] != '=') {
                    sgm_evtx_fail(st, "bad attribute", an);
                    return -1;
                }
                pos++;
                while (pos < n && sgm_evtx_is_space((unsigned char)x[pos]))
                    pos++;
                if (pos >= n || (x[pos] != '"' && x[pos] != '\'')) {
                    sgm_evtx_fail(st, "attribute value without quotes", pos);
                    return -1;
                }
                q = x[pos++];
                vs = pos;
                {
                    const char *qe = memchr(x + pos, q, n - pos);
                    if (qe == NULL) {
                        sgm_evtx_fail(st, "unterminated attribute value", vs);
                        return -1;
                    }
                    pos = (size_t)(qe - x);
                }
                arr = st->attrs;
                if (sgm_evtx_grow(&arr, &st->attr_cap, st->attr_count, sizeof *st->attrs) != 0) {
                    snprintf(st->errmsg, sizeof st->errmsg, "out of memory");
                    return -1;
                }
                st->attrs = arr;
                a = &st->attrs[st->attr_count++];
                a->name = x + an;
                a->name_len = anl;
                a->value = sgm_evtx_decode(st, x + vs, pos - vs, &a->value_len);
                st->nodes[id].attr_count++;
                pos++; /* the closing quote */
            }
            if (depth == 0)
                break; /* <Root/> */
        }
    }
    if (depth != 0) {
        sgm_evtx_fail(st, "unexpected end of the XML", n);
        return -1;
    }
    if (!have_root) {
        snprintf(st->errmsg, sizeof st->errmsg, "record XML has no element");
        return -1;
    }
    /* what follows the root element is ignored when it is blank, comments or PIs */
    return 0;
}

/* ---- JSON writing --------------------------------------------------------- */

/* Writes s[0..n) as the inside of a JSON string: escapes, and U+FFFD for
 * every byte that does not start a valid UTF-8 sequence. */
static void sgm_evtx_json_chars(sgm_evtx_buf *b, const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0, run = 0;
    static const char hex[] = "0123456789abcdef";

    while (i < n) {
        unsigned char c = s[i];
        size_t k = 0;

        if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
            i++;
            continue;
        }
        if (c >= 0x80) { /* validate one UTF-8 sequence */
            unsigned char lo = 0x80, hi = 0xBF;
            size_t need = 0, j;
            if (c >= 0xC2 && c <= 0xDF)
                need = 1;
            else if (c >= 0xE0 && c <= 0xEF) {
                need = 2;
                if (c == 0xE0)
                    lo = 0xA0;
                else if (c == 0xED)
                    hi = 0x9F;
            } else if (c >= 0xF0 && c <= 0xF4) {
                need = 3;
                if (c == 0xF0)
                    lo = 0x90;
                else if (c == 0xF4)
                    hi = 0x8F;
            }
            if (need > 0 && n - i > need) {
                k = need;
                for (j = 1; j <= need; j++) {
                    unsigned char cc = s[i + j];
                    if (j == 1 ? (cc < lo || cc > hi) : (cc < 0x80 || cc > 0xBF)) {
                        k = 0;
                        break;
                    }
                }
            }
            if (k > 0) {
                i += k + 1;
                continue;
            }
        }
        /* c must be escaped or replaced: flush the clean run first */
        sgm_evtx_buf_put(b, s + run, i - run);
        if (c >= 0x80) {
            sgm_evtx_buf_put(b, "\xEF\xBF\xBD", 3);
        } else if (c == '"') {
            sgm_evtx_buf_put(b, "\\\"", 2);
        } else if (c == '\\') {
            sgm_evtx_buf_put(b, "\\\\", 2);
        } else if (c == '\n') {
            sgm_evtx_buf_put(b, "\\n", 2);
        } else if (c == '\r') {
            sgm_evtx_buf_put(b, "\\r", 2);
        } else if (c == '\t') {
            sgm_evtx_buf_put(b, "\\t", 2);
        } else {
            char e[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
            sgm_evtx_buf_put(b, e, 6);
        }
        i++;
        run = i;
    }
    sgm_evtx_buf_put(b, s + run, n - run);
}

static void sgm_evtx_json_string(sgm_evtx_buf *b, const char *s, size_t n)
{
    sgm_evtx_buf_putc(b, '"');
    sgm_evtx_json_chars(b, s, n);
    sgm_evtx_buf_putc(b, '"');
}

static int sgm_evtx_is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* A plain decimal integer without leading zeros that fits in int64. */
static int sgm_evtx_is_int64(const char *s, size_t n)
{
    static const char max[] = "9223372036854775807";
    static const char min[] = "9223372036854775808";
    int neg = 0;
    size_t i;

    if (n > 0 && s[0] == '-') {
        neg = 1;
        s++;
        n--;
    }
    if (n == 0 || n > 19 || (s[0] == '0' && (n > 1 || neg)))
        return 0;
    for (i = 0; i < n; i++)
        if (!sgm_evtx_is_digit(s[i]))
            return 0;
    if (n == 19 && memcmp(s, neg ? min : max, 19) > 0)
        return 0;
    return 1;
}

/* "{XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX}" with upper-case hex digits,
 * as libevtx writes a GUID value. */
static int sgm_evtx_is_braced_guid(const char *s, size_t n)
{
    size_t i;

    if (n != 38 || s[0] != '{' || s[37] != '}')
        return 0;
    for (i = 1; i < 37; i++) {
        char c = s[i];
        if (i == 9 || i == 14 || i == 19 || i == 24) {
            if (c != '-')
                return 0;
        } else if (!sgm_evtx_is_digit(c) && !(c >= 'A' && c <= 'F')) {
            return 0;
        }
    }
    return 1;
}

/* "YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ", as libevtx writes a FILETIME/SYSTEMTIME. */
static int sgm_evtx_is_nano_time(const char *s, size_t n)
{
    static const char pat[] = "dddd-dd-ddTdd:dd:dd.dddddddddZ";
    size_t i;

    if (n != sizeof pat - 1)
        return 0;
    for (i = 0; i < n; i++) {
        if (pat[i] == 'd' ? !sgm_evtx_is_digit(s[i]) : s[i] != pat[i])
            return 0;
    }
    return 1;
}

/* "0x" and 8 or 16 lower-case hex digits with a leading zero, as libevtx
 * writes HexInt32/HexInt64; returns how many leading zeros to drop. */
static size_t sgm_evtx_padded_hex(const char *s, size_t n)
{
    size_t i, z = 0;

    if ((n != 10 && n != 18) || s[0] != '0' || s[1] != 'x' || s[2] != '0')
        return 0;
    for (i = 2; i < n; i++)
        if (!sgm_evtx_is_digit(s[i]) && !(s[i] >= 'a' && s[i] <= 'f'))
            return 0;
    while (2 + z < n - 1 && s[2 + z] == '0')
        z++;
    return z;
}

/* Writes one value: a number when it is a plain int64, else a string;
 * trailing blanks are dropped, as evtx_dump does. */
static void sgm_evtx_json_scalar(sgm_evtx_buf *b, const char *s, size_t n, int guid_ok)
{
    size_t z;

    while (n > 0 && sgm_evtx_is_space((unsigned char)s[n - 1]))
        n--; /* evtx_dump drops trailing blanks ("cmd.exe " -> "cmd.exe") */
    if (guid_ok && sgm_evtx_is_braced_guid(s, n)) {
        sgm_evtx_json_string(b, s + 1, 36);
        return;
    }
    if (sgm_evtx_is_nano_time(s, n)) {
        sgm_evtx_buf_putc(b, '"');
        sgm_evtx_buf_put(b, s, 26);
        sgm_evtx_buf_put(b, "Z\"", 2);
        return;
    }
    z = sgm_evtx_padded_hex(s, n);
    if (z > 0) {
        sgm_evtx_buf_put(b, "\"0x", 3);
        sgm_evtx_buf_put(b, s + 2 + z, n - 2 - z);
        sgm_evtx_buf_putc(b, '"');
        return;
    }
    if (sgm_evtx_is_int64(s, n)) {
        sgm_evtx_buf_put(b, s, n);
        return;
    }
    sgm_evtx_json_string(b, s, n);
}

/* A text child that counts: whitespace between child elements is layout. */
static int sgm_evtx_text_counts(const sgm_evtx_node *parent, const sgm_evtx_node *t)
{
    size_t i;

    if (t->len == 0)
        return 0;
    if (!parent->has_elem_child)
        return 1;
    for (i = 0; i < t->len; i++)
        if (!sgm_evtx_is_space((unsigned char)t->str[i]))
            return 1;
    return 0;
}

static int sgm_evtx_has_text(const sgm_evtx_state *st, const sgm_evtx_node *e)
{
    size_t c;

    for (c = e->first_child; c != SGM_EVTX_NIL; c = st->nodes[c].next)
        if (st->nodes[c].kind == SGM_EVTX_TEXT && sgm_evtx_text_counts(e, &st->nodes[c]))
            return 1;
    return 0;
}

static int sgm_evtx_has_attr_text(const sgm_evtx_state *st, const sgm_evtx_node *e)
{
    size_t i;

    for (i = 0; i < e->attr_count; i++)
        if (st->attrs[e->attr_first + i].value_len > 0)
            return 1;
    return 0;
}

/* Writes the element's text (its counting text children joined). */
static void sgm_evtx_text_value(sgm_evtx_state *st, const sgm_evtx_node *e, int guid_ok)
{
    size_t c, pieces = 0, only = SGM_EVTX_NIL;

    for (c = e->first_child; c != SGM_EVTX_NIL; c = st->nodes[c].next) {
        if (st->nodes[c].kind == SGM_EVTX_TEXT && sgm_evtx_text_counts(e, &st->nodes[c])) {
            pieces++;
            only = c;
        }
    }
    if (pieces == 1) {
        sgm_evtx_json_scalar(&st->out, st->nodes[only].str, st->nodes[only].len, guid_ok);
        return;
    }
    st->scratch.len = 0;
    for (c = e->first_child; c != SGM_EVTX_NIL; c = st->nodes[c].next)
        if (st->nodes[c].kind == SGM_EVTX_TEXT && sgm_evtx_text_counts(e, &st->nodes[c]))
            sgm_evtx_buf_put(&st->scratch, st->nodes[c].str, st->nodes[c].len);
    if (st->scratch.oom) {
        st->out.oom = 1;
        return;
    }
    sgm_evtx_json_scalar(&st->out, st->scratch.data ? st->scratch.data : "", st->scratch.len, guid_ok);
}

static int sgm_evtx_name_is(const char *s, size_t n, const char *lit)
{
    size_t l = strlen(lit);
    return n == l && memcmp(s, lit, l) == 0;
}

static const sgm_evtx_attr *sgm_evtx_find_attr(const sgm_evtx_state *st, const sgm_evtx_node *e, const char *name)
{
    size_t i;

    for (i = 0; i < e->attr_count; i++) {
        const sgm_evtx_attr *a = &st->attrs[e->attr_first + i];
        if (sgm_evtx_name_is(a->name, a->name_len, name))
            return a;
    }
    return NULL;
}

/* Writes "key" (plus "_N" when the object already has that key N times)
 * and the colon. */
static void sgm_evtx_key(sgm_evtx_state *st, size_t parent, const char *key, size_t len)
{
    size_t h = 2166136261u, i, mask = st->slot_cap - 1, count = 0;
    char num[24];

    for (i = 0; i < len; i++)
        h = (h ^ (unsigned char)key[i]) * 16777619u;
    h ^= parent * 0x9E3779B9u;
    for (i = h & mask;; i = (i + 1) & mask) {
        sgm_evtx_slot *s = &st->slots[i];
        if (s->parent == SGM_EVTX_NIL) {
            s->parent = parent;
            s->key = key;
            s->key_len = len;
            s->count = 1;
            break;
        }
        if (s->parent == parent && s->key_len == len && memcmp(s->key, key, len) == 0) {
            count = s->count++;
            break;
        }
    }
    sgm_evtx_buf_putc(&st->out, '"');
    sgm_evtx_json_chars(&st->out, key, len);
    if (count > 0) {
        int k = snprintf(num, sizeof num, "_%zu", count);
        if (k > 0)
            sgm_evtx_buf_put(&st->out, num, (size_t)k);
    }
    sgm_evtx_buf_put(&st->out, "\":", 2);
}

static void sgm_evtx_element_value(sgm_evtx_state *st, size_t id, int in_container, int guid_ok);
static void sgm_evtx_element_body(sgm_evtx_state *st, size_t id, int in_container);

/* The value of a Data element in EventData/UserData: "" when empty. */
static void sgm_evtx_data_value(sgm_evtx_state *st, size_t id)
{
    const sgm_evtx_node *e = &st->nodes[id];

    if (e->has_elem_child)
        sgm_evtx_element_body(st, id, 0);
    else if (!sgm_evtx_has_text(st, e))
        sgm_evtx_buf_put(&st->out, "\"\"", 2);
    else
        sgm_evtx_text_value(st, e, 1);
}

static void sgm_evtx_element_body(sgm_evtx_state *st, size_t id, int in_container)
{
    const sgm_evtx_node *e = &st->nodes[id];
    int wrote = 0, flatten = 0, positional_done = 0;
    size_t c, i, positional = 0;

    if (in_container) {
        for (c = e->first_child; c != SGM_EVTX_NIL; c = st->nodes[c].next) {
            const sgm_evtx_node *k = &st->nodes[c];
            if (k->kind == SGM_EVTX_ELEM && sgm_evtx_name_is(k->str, k->len, "Data")) {
                const sgm_evtx_attr *a = sgm_evtx_find_attr(st, k, "Name");
                positional++;
                if (a != NULL && a->value_len > 0)
                    flatten = 1;
            }
        }
    }
    sgm_evtx_buf_putc(&st->out, '{');
    if (sgm_evtx_has_attr_text(st, e)) {
        int first = 1;
        sgm_evtx_buf_puts(&st->out, "\"#attributes\":{");
        for (i = 0; i < e->attr_count; i++) {
            const sgm_evtx_attr *a = &st->attrs[e->attr_first + i];
            if (a->value_len == 0)
                continue;
            if (!first)
                sgm_evtx_buf_putc(&st->out, ',');
            first = 0;
            sgm_evtx_json_string(&st->out, a->name, a->name_len);
            sgm_evtx_buf_putc(&st->out, ':');
            sgm_evtx_json_scalar(&st->out, a->value, a->value_len, 1);
        }
        sgm_evtx_buf_putc(&st->out, '}');
        wrote = 1;
    }
    if (sgm_evtx_has_text(st, e)) {
        if (wrote)
            sgm_evtx_buf_putc(&st->out, ',');
        wrote = 1;
        sgm_evtx_buf_puts(&st->out, "\"#text\":");
        sgm_evtx_text_value(st, e, in_container);
    }
    for (c = e->first_child; c != SGM_EVTX_NIL; c = st->nodes[c].next) {
        const sgm_evtx_node *k = &st->nodes[c];
        if (k->kind != SGM_EVTX_ELEM)
            continue;
        if (in_container && sgm_evtx_name_is(k->str, k->len, "Data")) {
            if (flatten) {
                const sgm_evtx_attr *a = sgm_evtx_find_attr(st, k, "Name");
                if (a == NULL || a->value_len == 0)
                    continue; /* evtx_dump drops a nameless Data beside named ones */
                if (wrote)
                    sgm_evtx_buf_putc(&st->out, ',');
                wrote = 1;
                sgm_evtx_key(st, id, a->value, a->value_len);
                sgm_evtx_data_value(st, c);
            } else if (!positional_done) {
                size_t d;
                int first = 1;
                positional_done = 1;
                if (wrote)
                    sgm_evtx_buf_putc(&st->out, ',');
                wrote = 1;
                sgm_evtx_key(st, id, "Data", 4);
                sgm_evtx_buf_puts(&st->out, "{\"#text\":");
                if (positional > 1)
                    sgm_evtx_buf_putc(&st->out, '[');
                for (d = c; d != SGM_EVTX_NIL; d = st->nodes[d].next) {
                    const sgm_evtx_node *dn = &st->nodes[d];
                    if (dn->kind != SGM_EVTX_ELEM || !sgm_evtx_name_is(dn->str, dn->len, "Data"))
                        continue;
                    if (!first)
                        sgm_evtx_buf_putc(&st->out, ',');
                    first = 0;
                    sgm_evtx_data_value(st, d);
                }
                if (positional > 1)
                    sgm_evtx_buf_putc(&st->out, ']');
                sgm_evtx_buf_putc(&st->out, '}');
            }
            continue;
        }
        if (wrote)
            sgm_evtx_buf_putc(&st->out, ',');
        wrote = 1;
        sgm_evtx_key(st, id, k->str, k->len);
        sgm_evtx_element_value(st, c,
                               sgm_evtx_name_is(k->str, k->len, "EventData") ||
                                   sgm_evtx_name_is(k->str, k->len, "UserData"),
                               0);
    }
    sgm_evtx_buf_putc(&st->out, '}');
}

static void sgm_evtx_element_value(sgm_evtx_state *st, size_t id, int in_container, int guid_ok)
{
    const sgm_evtx_node *e = &st->nodes[id];
    int has_text = sgm_evtx_has_text(st, e), has_attr = sgm_evtx_has_attr_text(st, e);

    if (!e->has_elem_child && !has_text && !has_attr)
        sgm_evtx_buf_put(&st->out, "null", 4);
    else if (!e->has_elem_child && !has_attr)
        sgm_evtx_text_value(st, e, guid_ok);
    else
        sgm_evtx_element_body(st, id, in_container);
}

/* Converts the XML x[0..n) to JSON in st->out.  Returns 0, or -1 with
 * st->errmsg set. */
static int sgm_evtx_convert(sgm_evtx_state *st, const char *x, size_t n)
{
    size_t i, want;

    st->errmsg[0] = '\0';
    if (st->arena_cap < n + 1) {
        char *p = realloc(st->arena, n + 1);
        if (p == NULL) {
            snprintf(st->errmsg, sizeof st->errmsg, "out of memory");
            return -1;
        }
        st->arena = p;
        st->arena_cap = n + 1;
    }
    if (sgm_evtx_parse(st, x, n) != 0)
        return -1;
    /* the key counters: at least twice as many slots as elements */
    want = 64;
    while (want < 2 * st->elem_count + 2)
        want *= 2;
    if (st->slot_cap < want) {
        void *p;
        if (want > SIZE_MAX / sizeof *st->slots || (p = realloc(st->slots, want * sizeof *st->slots)) == NULL) {
            snprintf(st->errmsg, sizeof st->errmsg, "out of memory");
            return -1;
        }
        st->slots = p;
        st->slot_cap = want;
    }
    for (i = 0; i < st->slot_cap; i++)
        st->slots[i].parent = SGM_EVTX_NIL;

    st->out.len = 0;
    st->out.oom = 0;
    st->scratch.oom = 0;
    sgm_evtx_buf_putc(&st->out, '{');
    sgm_evtx_json_string(&st->out, st->nodes[0].str, st->nodes[0].len);
    sgm_evtx_buf_putc(&st->out, ':');
    sgm_evtx_element_value(st, 0, 0, 0);
    sgm_evtx_buf_putc(&st->out, '}');
    if (st->out.oom || sgm_evtx_buf_reserve(&st->out, 1) != 0) {
        snprintf(st->errmsg, sizeof st->errmsg, "out of memory");
        return -1;
    }
    st->out.data[st->out.len] = '\0';
    return 0;
}

/* ---- reading the file ----------------------------------------------------- */

/* Takes libevtx's message out of *error (freeing it) as one line.  The
 * backtrace starts with the innermost cause ("libcfile_file_open_with_
 * error_code: no such file: x."), the plain message is the outermost
 * ("libevtx_file_open: unable to open file: x."): take the cause, without
 * the function name and the final period. */
static void sgm_evtx_lib_message(sgm_evtx_lib_error_t **error, char *out, size_t outlen)
{
    char tmp[2048];
    size_t i, len, start = 0;

    if (outlen == 0)
        return;
    snprintf(out, outlen, "unknown libevtx error");
    if (error == NULL || *error == NULL)
        return;
    tmp[0] = '\0';
    if (sgm_lx.error_sprint(*error, tmp, sizeof tmp) < 0)
        tmp[0] = '\0';
    tmp[sizeof tmp - 1] = '\0';
    sgm_lx.error_free(error);
    *error = NULL;
    for (len = 0; tmp[len] != '\0' && tmp[len] != '\n' && tmp[len] != '\r'; len++)
        ;
    for (i = 0; i < len; i++) { /* a leading "identifier: " is the function */
        char c = tmp[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'))
            break;
    }
    if (i > 0 && i + 1 < len && tmp[i] == ':' && tmp[i + 1] == ' ')
        start = i + 2;
    while (len > start && (tmp[len - 1] == '.' || tmp[len - 1] == ' '))
        len--;
    if (len == start)
        return;
    for (i = start; i < len; i++)
        if ((unsigned char)tmp[i] < 0x20)
            tmp[i] = ' ';
    snprintf(out, outlen, "%.*s", (int)(len - start), tmp + start);
}

/* The caller names the file: err holds only what went wrong. */
static void sgm_evtx_set_err(char *err, size_t errlen, const char *what, const char *detail)
{
    if (err == NULL || errlen == 0)
        return;
    if (detail != NULL)
        snprintf(err, errlen, "%s: %s", what, detail);
    else
        snprintf(err, errlen, "%s", what);
}

static void sgm_evtx_report(sgm_evtx_error_fn on_error, void *ctx, uint64_t index, const char *what,
                            const char *detail)
{
    char msg[1200];

    if (on_error == NULL)
        return;
    if (detail != NULL)
        snprintf(msg, sizeof msg, "%s: %s", what, detail);
    else
        snprintf(msg, sizeof msg, "%s", what);
    on_error(ctx, index, msg);
}

int sgm_evtx_read(const char *path, sgm_evtx_event_fn on_event, sgm_evtx_error_fn on_error, void *ctx, char *err,
                  size_t errlen)
{
    sgm_evtx_lib_file_t *file = NULL;
    sgm_evtx_lib_error_t *error = NULL;
    sgm_evtx_state st;
    char detail[1024];
    int count = 0, i, result = 0;

    if (err != NULL && errlen > 0)
        err[0] = '\0';
    if (!sgm_evtx_available()) {
        sgm_evtx_set_err(err, errlen, "cannot read .evtx files: libevtx is not installed (Debian: apt-get install libevtx1)", NULL);
        return -1;
    }
    if (path == NULL || on_event == NULL) {
        sgm_evtx_set_err(err, errlen, "sgm_evtx_read: no path or no event callback", NULL);
        return -1;
    }
    if (sgm_lx.file_initialize(&file, &error) != 1) {
        sgm_evtx_lib_message(&error, detail, sizeof detail);
        sgm_evtx_set_err(err, errlen, "cannot set up libevtx", detail);
        return -1;
    }
    if (sgm_lx.file_open(file, path, SGM_EVTX_OPEN_READ, &error) != 1) {
        sgm_evtx_lib_message(&error, detail, sizeof detail);
        sgm_evtx_set_err(err, errlen, "cannot open the .evtx file", detail);
        sgm_lx.file_free(&file, NULL);
        return -1;
    }
    if (sgm_lx.file_get_number_of_records(file, &count, &error) != 1) {
        sgm_evtx_lib_message(&error, detail, sizeof detail);
        sgm_evtx_set_err(err, errlen, "cannot count the records", detail);
        sgm_lx.file_close(file, NULL);
        sgm_lx.file_free(&file, NULL);
        return -1;
    }

    memset(&st, 0, sizeof st);
    for (i = 0; i < count; i++) {
        sgm_evtx_lib_record_t *record = NULL;
        uint64_t id = 0, index = (uint64_t)i;
        size_t size = 0, len;

        if (sgm_lx.file_get_record_by_index(file, i, &record, &error) != 1) {
            sgm_evtx_lib_message(&error, detail, sizeof detail);
            sgm_evtx_report(on_error, ctx, index, "cannot read the record", detail);
            if (record != NULL)
                sgm_lx.record_free(&record, NULL);
            continue;
        }
        if (sgm_lx.record_get_identifier(record, &id, &error) != 1) {
            if (error != NULL)
                sgm_lx.error_free(&error);
            error = NULL;
            id = 0;
        }
        if (sgm_lx.record_get_utf8_xml_string_size(record, &size, &error) != 1) {
            sgm_evtx_lib_message(&error, detail, sizeof detail);
            sgm_evtx_report(on_error, ctx, index, "cannot render the record as XML", detail);
            sgm_lx.record_free(&record, NULL);
            continue;
        }
        if (size == 0 || size - 1 > SGM_EVTX_MAX_XML) {
            snprintf(detail, sizeof detail, "%zu bytes", size);
            sgm_evtx_report(on_error, ctx, index,
                            size == 0 ? "the record has no XML" : "the record's XML is larger than 16 MiB",
                            size == 0 ? NULL : detail);
            sgm_lx.record_free(&record, NULL);
            continue;
        }
        if (st.xml_cap < size) {
            uint8_t *p = realloc(st.xml, size);
            if (p == NULL) {
                sgm_evtx_report(on_error, ctx, index, "out of memory", NULL);
                sgm_lx.record_free(&record, NULL);
                continue;
            }
            st.xml = p;
            st.xml_cap = size;
        }
        if (sgm_lx.record_get_utf8_xml_string(record, st.xml, size, &error) != 1) {
            sgm_evtx_lib_message(&error, detail, sizeof detail);
            sgm_evtx_report(on_error, ctx, index, "cannot render the record as XML", detail);
            sgm_lx.record_free(&record, NULL);
            continue;
        }
        sgm_lx.record_free(&record, NULL);

        len = size; /* the size counts the terminating NUL */
        while (len > 0 && st.xml[len - 1] == 0)
            len--;
        if (sgm_evtx_convert(&st, (const char *)st.xml, len) != 0) {
            sgm_evtx_report(on_error, ctx, index, st.errmsg, NULL);
            continue;
        }
        if (on_event(ctx, st.out.data, st.out.len, id) != 0) {
            result = 1;
            break;
        }
    }
    /* libevtx skips a chunk it cannot read (a truncated file) without a
     * word: say so, as one more damaged record after the last one */
    if (result == 0 && sgm_lx.file_is_corrupted(file, &error) == 1)
        sgm_evtx_report(on_error, ctx, (uint64_t)count,
                        "the file is damaged or truncated: libevtx could not read all of it", NULL);
    if (error != NULL)
        sgm_lx.error_free(&error);
    sgm_evtx_state_free(&st);
    sgm_lx.file_close(file, NULL);
    sgm_lx.file_free(&file, NULL);
    return result;
}
