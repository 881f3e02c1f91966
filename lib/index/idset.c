/*
 * idset.c — a set of 64-bit ids (idset.h).
 */
#include "passim/idset.h"

#include <stdlib.h>
#include <string.h>

static size_t
slot_of(uint64_t id, size_t mask)
{
    return (size_t)((id * 0x9e3779b97f4a7c15ULL) >> 32) & mask;
}

int
px_idset_has(const px_idset *s, uint64_t id)
{
    if (id == 0)
        return s->has_zero;
    if (s->cap == 0)
        return 0;
    size_t m = s->cap - 1;
    for (size_t i = slot_of(id, m); s->slots[i] != 0; i = (i + 1) & m) {
        if (s->slots[i] == id)
            return 1;
    }
    return 0;
}

/* Insert into a set with room (see px_idset_add). */
static void
put(px_idset *s, uint64_t id)
{
    size_t m = s->cap - 1, i = slot_of(id, m);
    while (s->slots[i] != 0 && s->slots[i] != id)
        i = (i + 1) & m;
    if (s->slots[i] == 0) {
        s->slots[i] = id;
        s->n++;
    }
}

static px_status
grow(px_idset *s)
{
    size_t cap = s->cap ? s->cap * 2 : 1024;
    px_idset bigger = {calloc(cap, sizeof(uint64_t)), cap, 0, s->has_zero};
    if (!bigger.slots)
        return PX_NOMEM;
    for (size_t i = 0; i < s->cap; i++) {
        if (s->slots[i])
            put(&bigger, s->slots[i]);
    }
    free(s->slots);
    *s = bigger;
    return PX_OK;
}

px_status
px_idset_add(px_idset *s, uint64_t id)
{
    if (id == 0) {
        s->has_zero = 1;
        return PX_OK;
    }
    if ((s->n + 1) * 2 > s->cap && grow(s) != PX_OK)
        return PX_NOMEM;
    put(s, id);
    return PX_OK;
}

void
px_idset_clear(px_idset *s)
{
    free(s->slots);
    memset(s, 0, sizeof *s);
}
