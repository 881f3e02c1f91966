/*
 * hash.h — FNV-1a over bytes, for the hash tables of short keys (the
 * stemmer's cache of words, the searcher's cache of name votes): keys are
 * short, so a byte at a time is fast enough.
 */
#ifndef PASSIM_HASH_H
#define PASSIM_HASH_H

#include <stddef.h>
#include <stdint.h>

static inline uint64_t
px_hash_bytes(const char *s, size_t len)
{
    uint64_t h = 14695981039346656037u;
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211u;
    }
    return h;
}

#endif
