/* fileio.h - reading inputs with a size cap, and the sorted directory walk. */
#ifndef SG_FILEIO_H
#define SG_FILEIO_H

#include "arena.h"

typedef enum sg_read_status {
    SG_READ_OK,
    SG_READ_TOO_LARGE, /* more than max bytes: nothing returned */
    SG_READ_ERROR,     /* errno describes it */
} sg_read_status;

/* Reads a whole file ("-" is standard input) into a heap buffer, stopping
 * as soon as more than max bytes arrive, so an endless stream is refused
 * promptly.  *data is NUL-terminated for convenience; *len is exact. */
sg_read_status sg_read_file(const char *path, size_t max, char **data, size_t *len);

typedef struct sg_pathlist {
    char **items;
    size_t count, cap;
} sg_pathlist;

/* Expands one command-line argument: a file is taken as is; a directory is
 * walked recursively for *.yml and *.yaml, skipping hidden entries, without
 * following symbolic links to directories, sorted byte-wise so output is
 * deterministic.  Returns 0, or -1 with errno set (the path is still
 * appended so the caller can report it). */
int sg_collect_paths(const char *arg, sg_pathlist *out);
void sg_pathlist_free(sg_pathlist *l);

#endif
