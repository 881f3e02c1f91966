#include "passim/grow.h"

#include <stdint.h>
#include <stdlib.h>

px_status
px_grow(void **items, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return PX_OK;
    size_t n = *cap > 0 ? *cap : 16;
    while (n < need) {
        if (n > SIZE_MAX / 2 / size)
            return PX_NOMEM;
        n *= 2;
    }
    void *p = realloc(*items, n * size);
    if (p == NULL)
        return PX_NOMEM;
    *items = p;
    *cap = n;
    return PX_OK;
}
