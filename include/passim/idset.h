/*
 * idset.h — a set of 64-bit ids (article hashes), 8 bytes an id.
 *
 * Open addressing with linear probing; not thread-safe: callers lock.
 */
#ifndef PASSIM_IDSET_H
#define PASSIM_IDSET_H

#include <stddef.h>
#include <stdint.h>

#include "passim/status.h"

typedef struct px_idset {
    uint64_t *slots; /* 0 marks an empty slot; id 0 is kept apart */
    size_t cap, n;   /* cap: a power of two, or 0 */
    int has_zero;
} px_idset;

/* An empty set is all zero: px_idset s = {0}. */
int px_idset_has(const px_idset *s, uint64_t id);

/* Add `id` (present already is fine); PX_NOMEM leaves the set as it was. */
px_status px_idset_add(px_idset *s, uint64_t id);

/* Empty the set and free its memory. */
void px_idset_clear(px_idset *s);

#endif /* PASSIM_IDSET_H */
