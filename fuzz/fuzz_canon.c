/*
 * fuzz_canon.c — libFuzzer target: a name cleaned on its own, as a query
 * filter's value is, and its facet key.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "passim/canon.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    const char *s = (const char *)data + 1;
    size_t n = size - 1;
    px_entity_type type = (px_entity_type)(data[0] % 4);
    char *clean = NULL, *key = NULL;
    size_t clen = 0, klen = 0;
    if (px_canon_normalise(type, s, n, &clean, &clen) == PX_OK) {
        (void)px_canon_office_only(clean, clen);
        if (px_canon_key(clean, clen, &key, &klen) == PX_OK &&
            klen > PX_CANON_KEY_MAX)
            __builtin_trap();
        free(key);
    }
    free(clean);
    return 0;
}
