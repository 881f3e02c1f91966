/*
 * grow.h — room in a growing array.
 */
#ifndef PASSIM_GROW_H
#define PASSIM_GROW_H

#include <stddef.h>

#include "passim/status.h"

/* Make *items (an array of `size`-byte elements with room for *cap) hold
 * at least `need`, doubling from 16; *items and *cap change only on
 * success. PX_NOMEM when out of memory or the size would overflow. */
px_status px_grow(void **items, size_t *cap, size_t need, size_t size);

#endif /* PASSIM_GROW_H */
