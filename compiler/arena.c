/* arena.c - bump allocator, strings and growable buffers. */
#include "arena.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define SG_ARENA_ALIGN 16
#define SG_ARENA_MIN_BLOCK (16 * 1024)

typedef struct sg_arena_block {
    struct sg_arena_block *next;
    size_t size; /* usable bytes after the header */
    size_t used;
    _Alignas(SG_ARENA_ALIGN) unsigned char data[];
} sg_arena_block;

struct sg_arena {
    sg_arena_block *head;
    size_t total;
};

_Noreturn void sg_out_of_memory(void) {
    fputs("sigc: fatal: out of memory\n", stderr);
    abort();
}

void *sg_xmalloc(size_t size) {
    void *p = malloc(size ? size : 1);
    if (!p) sg_out_of_memory();
    return p;
}

void *sg_xrealloc(void *ptr, size_t size) {
    void *p = realloc(ptr, size ? size : 1);
    if (!p) sg_out_of_memory();
    return p;
}

char *sg_xstrdup(const char *s) {
    size_t n = strlen(s) + 1;
    char *p = sg_xmalloc(n);
    memcpy(p, s, n);
    return p;
}

/* Large blocks are 2 MiB aligned and advised for transparent huge pages:
 * a big compilation then takes a few hundred page faults, not tens of
 * thousands (measured on the SigmaHQ corpus: most of `check`'s system time). */
static void *sg_arena_block_alloc(size_t size) {
    const size_t huge = 2 * 1024 * 1024;
    if (size < huge) return sg_xmalloc(size);
    size_t rounded = (size + huge - 1) & ~(huge - 1);
    void *p = aligned_alloc(huge, rounded);
    if (!p) sg_out_of_memory();
#ifdef MADV_HUGEPAGE
    madvise(p, rounded, MADV_HUGEPAGE);
#endif
    return p;
}

sg_arena *sg_arena_new(void) {
    sg_arena *a = sg_xmalloc(sizeof *a);
    a->head = NULL;
    a->total = 0;
    return a;
}

void sg_arena_free(sg_arena *arena) {
    if (!arena) return;
    sg_arena_block *b = arena->head;
    while (b) {
        sg_arena_block *next = b->next;
        free(b);
        b = next;
    }
    free(arena);
}

void *sg_arena_alloc(sg_arena *arena, size_t size) {
    size_t need = (size + SG_ARENA_ALIGN - 1) & ~(size_t)(SG_ARENA_ALIGN - 1);
    if (need < size) sg_out_of_memory();
    sg_arena_block *b = arena->head;
    if (!b || b->size - b->used < need) {
        size_t block = need > SG_ARENA_MIN_BLOCK ? need : SG_ARENA_MIN_BLOCK;
        /* Blocks double up to 2 MiB, so a large compilation touches few,
         * large regions (transparent huge pages where enabled). */
        if (b && b->size * 2 > block && b->size < 2 * 1024 * 1024) block = b->size * 2;
        if (block >= 1024 * 1024) block = ((block + sizeof(sg_arena_block) + 2 * 1024 * 1024 - 1) & ~(size_t)(2 * 1024 * 1024 - 1)) - sizeof(sg_arena_block);
        if (block > SIZE_MAX - sizeof(sg_arena_block)) sg_out_of_memory();
        sg_arena_block *nb = sg_arena_block_alloc(sizeof(sg_arena_block) + block);
        nb->size = block;
        nb->used = 0;
        nb->next = b;
        arena->head = nb;
        arena->total += block;
        b = nb;
    }
    void *p = b->data + b->used;
    b->used += need;
    memset(p, 0, size);
    return p;
}

void *sg_arena_array(sg_arena *arena, size_t n, size_t elem_size) {
    size_t total;
    if (__builtin_mul_overflow(n, elem_size, &total)) sg_out_of_memory();
    return sg_arena_alloc(arena, total);
}

void sg_arena_reset(sg_arena *arena) {
    sg_arena_block *keep = arena->head;
    if (!keep) return;
    sg_arena_block *b = keep->next;
    while (b) {
        sg_arena_block *next = b->next;
        free(b);
        b = next;
    }
    keep->next = NULL;
    keep->used = 0;
    arena->total = keep->size;
}

size_t sg_arena_used(const sg_arena *arena) { return arena->total; }

sg_str sg_str_from_cstr(const char *s) { return (sg_str){s, s ? strlen(s) : 0}; }

sg_str sg_str_dup(sg_arena *arena, const char *ptr, size_t len) {
    char *p = sg_arena_alloc(arena, len + 1);
    if (len) memcpy(p, ptr, len);
    p[len] = '\0';
    return (sg_str){p, len};
}

sg_str sg_str_printf(sg_arena *arena, const char *fmt, ...) {
    sg_buf b;
    sg_buf_init(&b);
    va_list ap;
    va_start(ap, fmt);
    sg_buf_vprintf(&b, fmt, ap);
    va_end(ap);
    sg_str s = sg_buf_to_str(&b, arena);
    sg_buf_free(&b);
    return s;
}

bool sg_str_eq(sg_str a, sg_str b) {
    return a.len == b.len && (a.len == 0 || memcmp(a.ptr, b.ptr, a.len) == 0);
}

bool sg_str_eq_cstr(sg_str a, const char *b) {
    /* One pass, no strlen: this runs for every key lookup. */
    for (size_t i = 0; i < a.len; i++)
        if (b[i] != a.ptr[i] || b[i] == '\0') return false;
    return b[a.len] == '\0';
}

static unsigned char sg_ascii_lower(unsigned char c) {
    return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + 32) : c;
}

bool sg_str_ieq(sg_str a, sg_str b) {
    if (a.len != b.len) return false;
    for (size_t i = 0; i < a.len; i++)
        if (sg_ascii_lower((unsigned char)a.ptr[i]) != sg_ascii_lower((unsigned char)b.ptr[i]))
            return false;
    return true;
}

bool sg_str_ieq_cstr(sg_str a, const char *b) { return sg_str_ieq(a, sg_str_from_cstr(b)); }

int sg_str_cmp(sg_str a, sg_str b) {
    size_t n = a.len < b.len ? a.len : b.len;
    int c = n ? memcmp(a.ptr, b.ptr, n) : 0;
    if (c) return c;
    return a.len < b.len ? -1 : a.len > b.len ? 1 : 0;
}

bool sg_str_has_prefix(sg_str s, const char *prefix) {
    size_t n = strlen(prefix);
    return s.len >= n && memcmp(s.ptr, prefix, n) == 0;
}

bool sg_str_has_prefix_str(sg_str s, sg_str prefix) {
    return s.len >= prefix.len && (prefix.len == 0 || memcmp(s.ptr, prefix.ptr, prefix.len) == 0);
}

bool sg_str_has_byte(sg_str s, char c) { return s.len && memchr(s.ptr, c, s.len) != NULL; }

void sg_buf_init(sg_buf *b) {
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
}

void sg_buf_free(sg_buf *b) {
    free(b->data);
    sg_buf_init(b);
}

void sg_buf_reset(sg_buf *b) { b->len = 0; }

static void sg_buf_reserve(sg_buf *b, size_t extra) {
    size_t need;
    if (__builtin_add_overflow(b->len, extra + 1, &need)) sg_out_of_memory();
    if (need <= b->cap) return;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < need) {
        if (cap > SIZE_MAX / 2) sg_out_of_memory();
        cap *= 2;
    }
    b->data = sg_xrealloc(b->data, cap);
    b->cap = cap;
}

void sg_buf_add(sg_buf *b, const void *data, size_t len) {
    sg_buf_reserve(b, len);
    if (len) memcpy(b->data + b->len, data, len);
    b->len += len;
    b->data[b->len] = '\0';
}

void sg_buf_add_byte(sg_buf *b, char c) { sg_buf_add(b, &c, 1); }
void sg_buf_add_cstr(sg_buf *b, const char *s) { sg_buf_add(b, s, strlen(s)); }
void sg_buf_add_str(sg_buf *b, sg_str s) { sg_buf_add(b, s.ptr, s.len); }

void sg_buf_vprintf(sg_buf *b, const char *fmt, va_list ap) {
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0) return;
    sg_buf_reserve(b, (size_t)n);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
}

void sg_buf_printf(sg_buf *b, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    sg_buf_vprintf(b, fmt, ap);
    va_end(ap);
}

sg_str sg_buf_to_str(const sg_buf *b, sg_arena *arena) {
    return sg_str_dup(arena, b->data ? b->data : "", b->len);
}

size_t sg_str_edit_distance(sg_str a, sg_str b, size_t cap) {
    if (a.len > 64 || b.len > 64) return cap + 1;
    size_t row[65];
    for (size_t j = 0; j <= b.len; j++) row[j] = j;
    for (size_t i = 1; i <= a.len; i++) {
        size_t diag = row[0], best = i;
        row[0] = i;
        for (size_t j = 1; j <= b.len; j++) {
            size_t up = row[j];
            size_t cost = a.ptr[i - 1] == b.ptr[j - 1] ? 0 : 1;
            size_t v = diag + cost;
            if (up + 1 < v) v = up + 1;
            if (row[j - 1] + 1 < v) v = row[j - 1] + 1;
            row[j] = v;
            diag = up;
            if (v < best) best = v;
        }
        if (best > cap) return cap + 1;
    }
    return row[b.len] <= cap ? row[b.len] : cap + 1;
}
