/* fileio.c - capped reads and the sorted recursive walk. */
#include "fileio.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

sg_read_status sg_read_file(const char *path, size_t max, char **data, size_t *len) {
    bool is_stdin = strcmp(path, "-") == 0;
    int fd = is_stdin ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return SG_READ_ERROR;
    struct stat st;
    if (!is_stdin && fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
        close(fd);
        errno = EISDIR;
        return SG_READ_ERROR;
    }
    size_t cap = 64 * 1024, n = 0;
    char *buf = sg_xmalloc(cap + 1);
    for (;;) {
        if (n == cap) {
            if (cap > max) break;
            cap *= 2;
            buf = sg_xrealloc(buf, cap + 1);
        }
        ssize_t got = read(fd, buf + n, cap - n);
        if (got < 0) {
            if (errno == EINTR) continue;
            int saved = errno;
            free(buf);
            if (!is_stdin) close(fd);
            errno = saved;
            return SG_READ_ERROR;
        }
        if (got == 0) break;
        n += (size_t)got;
        if (n > max) break;
    }
    if (!is_stdin) close(fd);
    if (n > max) {
        free(buf);
        return SG_READ_TOO_LARGE;
    }
    buf[n] = '\0';
    *data = buf;
    *len = n;
    return SG_READ_OK;
}

static void sg_pathlist_add(sg_pathlist *l, const char *p) {
    if (l->count == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 64;
        l->items = sg_xrealloc(l->items, l->cap * sizeof *l->items);
    }
    l->items[l->count++] = sg_xstrdup(p);
}

void sg_pathlist_free(sg_pathlist *l) {
    for (size_t i = 0; i < l->count; i++) free(l->items[i]);
    free(l->items);
    memset(l, 0, sizeof *l);
}

static int sg_name_cmp(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool sg_is_rule_file(const char *name) {
    size_t n = strlen(name);
    return (n > 4 && strcmp(name + n - 4, ".yml") == 0) || (n > 5 && strcmp(name + n - 5, ".yaml") == 0);
}

static int sg_walk(const char *dir, sg_pathlist *out, int depth) {
    if (depth > 64) {
        errno = ELOOP;
        return -1;
    }
    DIR *d = opendir(dir);
    if (!d) return -1;
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.') continue; /* ., .., .git and other hidden entries */
        if (n == cap) {
            cap = cap ? cap * 2 : 32;
            names = sg_xrealloc(names, cap * sizeof *names);
        }
        names[n++] = sg_xstrdup(e->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof *names, sg_name_cmp);
    int rc = 0;
    size_t dlen = strlen(dir);
    for (size_t i = 0; i < n; i++) {
        size_t plen = dlen + 1 + strlen(names[i]) + 1;
        char *p = sg_xmalloc(plen);
        snprintf(p, plen, "%s%s%s", dir, dlen && dir[dlen - 1] == '/' ? "" : "/", names[i]);
        struct stat st;
        if (lstat(p, &st) == 0) {
            if (S_ISDIR(st.st_mode)) {
                if (sg_walk(p, out, depth + 1) != 0) rc = -1;
            } else if (sg_is_rule_file(names[i]) && (S_ISREG(st.st_mode) || S_ISLNK(st.st_mode))) {
                sg_pathlist_add(out, p);
            }
        }
        free(p);
        free(names[i]);
    }
    free(names);
    return rc;
}

int sg_collect_paths(const char *arg, sg_pathlist *out) {
    struct stat st;
    if (strcmp(arg, "-") != 0 && stat(arg, &st) == 0 && S_ISDIR(st.st_mode)) return sg_walk(arg, out, 0);
    sg_pathlist_add(out, arg);
    return 0;
}
