/* registry.c - the table of targets, built from backends.def. */
#include <string.h>

#include "backend.h"

#define SG_BACKEND(sym) extern const sg_backend sg_backend_##sym;
#include "backends.def"
#undef SG_BACKEND

const sg_backend *const sg_backends[] = {
#define SG_BACKEND(sym) &sg_backend_##sym,
#include "backends.def"
#undef SG_BACKEND
    NULL,
};

const size_t sg_n_backends = sizeof sg_backends / sizeof *sg_backends - 1;

const sg_backend *sg_backend_find(const char *name) {
    for (size_t i = 0; i < sg_n_backends; i++)
        if (strcmp(sg_backends[i]->name, name) == 0) return sg_backends[i];
    return NULL;
}
