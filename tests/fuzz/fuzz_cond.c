/* fuzz_cond.c - libFuzzer target: arbitrary bytes as a condition string. */
#include <stddef.h>
#include <stdint.h>

#include "cond.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    sg_arena *a = sg_arena_new();
    sg_cond c;
    sg_cond_error err;
    sg_cond_parse(a, (sg_str){(const char *)data, size}, size && data[0] == '|', &c, &err);
    sg_arena_free(a);
    return 0;
}
