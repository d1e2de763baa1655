/* yaml.h - libyaml events to a position-keeping node tree.
 *
 * sg_yaml_load() turns one file into documents of sg_ynode.  Every node
 * keeps the line and column where it starts, so any later stage can point
 * at the exact key or value.  Plain scalars are typed with the YAML 1.1
 * rules that pySigma (PyYAML) applies, so `yes` is a boolean, `010` is 8,
 * `0x17` is 23, `~` is null and `2024-01-02` is a date; quoted scalars are
 * always strings.
 *
 * Limits, each a located error: nesting depth, nodes per file, documents
 * per file.  Anchors and aliases are rejected (a rule never needs them and
 * they are the alias-bomb vector).  Duplicate mapping keys are errors that
 * name both lines.  Scalar bytes are kept with their length: a
 * double-quoted "\0" is a real NUL byte in the value.
 */
#ifndef SG_YAML_H
#define SG_YAML_H

#include "diag.h"

typedef enum sg_ynode_kind {
    SG_YN_SCALAR,
    SG_YN_MAP,
    SG_YN_SEQ,
} sg_ynode_kind;

typedef enum sg_yscalar_type {
    SG_YT_STR,
    SG_YT_INT,
    SG_YT_FLOAT,
    SG_YT_BOOL,
    SG_YT_NULL,
    SG_YT_DATE, /* a plain YYYY-MM-DD[...] timestamp; text kept in str */
} sg_yscalar_type;

typedef enum sg_yscalar_style {
    SG_YS_PLAIN,
    SG_YS_SINGLE,
    SG_YS_DOUBLE,
    SG_YS_LITERAL,
    SG_YS_FOLDED,
} sg_yscalar_style;

typedef struct sg_ynode sg_ynode;

typedef struct sg_ypair {
    sg_ynode *key; /* always a scalar */
    sg_ynode *value;
} sg_ypair;

/* 64 bytes a node: a rule set of thousands of files holds hundreds of
 * thousands of them. */
struct sg_ynode {
    uint8_t kind;           /* sg_ynode_kind */
    uint8_t type;           /* sg_yscalar_type (scalars) */
    uint8_t style;          /* sg_yscalar_style (scalars) */
    bool int_overflow;      /* an integer that does not fit int64 */
    uint32_t line, col;     /* 1-based start position */
    uint32_t end_line;      /* 1-based line where the node ends */
    /* scalars */
    sg_str str;             /* the scalar's value bytes (after YAML unescaping) */
    int64_t ival;
    double fval;
    bool bval;
    /* collections */
    uint32_t count;         /* at most the node limit */
    union {
        sg_ypair *pairs;    /* SG_YN_MAP: count pairs, in file order */
        sg_ynode **items;   /* SG_YN_SEQ: count items */
    };
};

typedef struct sg_ydoc {
    sg_ynode *root;         /* NULL for an empty document */
    uint32_t line;          /* line of the document start */
} sg_ydoc;

typedef struct sg_yaml_limits {
    unsigned max_depth;     /* default 64 */
    size_t max_nodes;       /* default 200000 per file */
    size_t max_documents;   /* default 1000 per file */
} sg_yaml_limits;

extern const sg_yaml_limits sg_yaml_default_limits;

/* Loads every document of data[0..len).  file names positions in diags.
 * Returns 0 on success, -1 after adding at least one error diagnostic (the
 * documents parsed before the error are still returned). */
int sg_yaml_load(sg_arena *arena, const char *file, const char *data, size_t len,
                 const sg_yaml_limits *limits, sg_diags *diags, sg_ydoc **docs_out,
                 size_t *ndocs_out);

/* Helpers over nodes. */
sg_loc sg_ynode_loc(const char *file, const sg_ynode *n);
/* The position of byte `offset` inside scalar n's value (a condition, a
 * regex): exact for single-line plain and quoted scalars, counting
 * characters and the quote doubling of single-quoted ones; otherwise (block
 * scalars, escapes in double quotes) the scalar's start. */
sg_loc sg_ynode_offset_loc(const char *file, const sg_ynode *n, size_t offset);
/* The value of key in a map, or NULL (exact, case-sensitive match). */
sg_ynode *sg_ymap_get(const sg_ynode *map, const char *key);
sg_ypair *sg_ymap_get_pair(const sg_ynode *map, const char *key);
bool sg_ynode_is_str(const sg_ynode *n);
const char *sg_ynode_kind_name(const sg_ynode *n); /* "string", "number", "mapping", ... */

#endif
