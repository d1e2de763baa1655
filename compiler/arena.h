/* arena.h - bump allocator and length-carrying strings.
 *
 * Ownership rule: every AST node, IR node and string produced while
 * compiling one file lives in that file's arena and dies with
 * sg_arena_free().  Nothing allocated from an arena is freed on its own.
 *
 * Out of memory is not a recoverable condition for a compiler run: the
 * allocator reports it on stderr and aborts (as jq and git do), so callers
 * never check for NULL.
 */
#ifndef SG_ARENA_H
#define SG_ARENA_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct sg_arena sg_arena;

sg_arena *sg_arena_new(void);
void sg_arena_free(sg_arena *arena);
/* Zeroed memory, aligned for any object. */
void *sg_arena_alloc(sg_arena *arena, size_t size);
/* Zeroed array of n elements; aborts on size overflow. */
void *sg_arena_array(sg_arena *arena, size_t n, size_t elem_size);
/* Forgets every allocation but keeps the newest (largest) block for reuse:
 * for scratch arenas that are emptied over and over. */
void sg_arena_reset(sg_arena *arena);
/* Bytes currently reserved by the arena (for limits and benchmarks). */
size_t sg_arena_used(const sg_arena *arena);

#define SG_NEW(arena, type) ((type *)sg_arena_alloc((arena), sizeof(type)))
#define SG_NEW_ARRAY(arena, type, n) ((type *)sg_arena_array((arena), (n), sizeof(type)))

/* A byte string with an explicit length.  Rule data may contain NUL, so
 * code never calls strlen() on it.  ptr is always followed by a NUL byte
 * when the string was made by sg_str_* helpers, for convenience in
 * messages only. */
typedef struct sg_str {
    const char *ptr;
    size_t len;
} sg_str;

#define SG_STR_LIT(s) ((sg_str){(s), sizeof(s) - 1})
#define SG_STR_FMT "%.*s"
#define SG_STR_ARG(s) (int)(s).len, (s).ptr

sg_str sg_str_from_cstr(const char *s);
sg_str sg_str_dup(sg_arena *arena, const char *ptr, size_t len);
sg_str sg_str_printf(sg_arena *arena, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
bool sg_str_eq(sg_str a, sg_str b);
bool sg_str_eq_cstr(sg_str a, const char *b);
/* ASCII case-insensitive comparison. */
bool sg_str_ieq(sg_str a, sg_str b);
bool sg_str_ieq_cstr(sg_str a, const char *b);
int sg_str_cmp(sg_str a, sg_str b);
bool sg_str_has_prefix(sg_str s, const char *prefix);
bool sg_str_has_prefix_str(sg_str s, sg_str prefix);
/* Levenshtein distance between a and b, or cap + 1 when it exceeds cap
 * (or either string is longer than 64 bytes).  For "did you mean". */
size_t sg_str_edit_distance(sg_str a, sg_str b, size_t cap);
/* True when s contains byte c. */
bool sg_str_has_byte(sg_str s, char c);

/* A growable byte buffer on the C heap, for output text.  Appends never
 * fail (OOM aborts). */
typedef struct sg_buf {
    char *data;
    size_t len;
    size_t cap;
} sg_buf;

void sg_buf_init(sg_buf *b);
void sg_buf_free(sg_buf *b);
void sg_buf_reset(sg_buf *b);
void sg_buf_add(sg_buf *b, const void *data, size_t len);
void sg_buf_add_byte(sg_buf *b, char c);
void sg_buf_add_cstr(sg_buf *b, const char *s);
void sg_buf_add_str(sg_buf *b, sg_str s);
void sg_buf_printf(sg_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sg_buf_vprintf(sg_buf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
/* Copies the buffer into the arena as a string. */
sg_str sg_buf_to_str(const sg_buf *b, sg_arena *arena);

/* Aborts with a message; the one place that handles out-of-memory. */
_Noreturn void sg_out_of_memory(void);
void *sg_xmalloc(size_t size);
void *sg_xrealloc(void *ptr, size_t size);
char *sg_xstrdup(const char *s);

#endif
