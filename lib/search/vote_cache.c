/*
 * vote_cache.c — names to their votes, in an open-addressing hash table
 * (vote_cache.h).
 */
#include "vote_cache.h"

#include <stdlib.h>
#include <string.h>

#include "passim/hash.h"

typedef struct slot {
    char *key; /* NULL: empty */
    size_t klen;
    uint64_t hash;
    uint32_t votes[PX_VOTE_TYPES];
} slot;

struct px_vote_cache {
    slot *slots;
    size_t cap; /* a power of two */
    size_t n;
};

enum { FIRST_CAP = 256 };

px_vote_cache *
px_vote_cache_create(void)
{
    px_vote_cache *c = calloc(1, sizeof *c);
    if (c && !(c->slots = calloc(FIRST_CAP, sizeof *c->slots))) {
        free(c);
        return NULL;
    }
    if (c)
        c->cap = FIRST_CAP;
    return c;
}

/* The slot holding key, or the empty one where it would go. */
static slot *
find(slot *slots, size_t cap, const char *key, size_t klen, uint64_t h)
{
    for (size_t i = h & (cap - 1);; i = (i + 1) & (cap - 1)) {
        slot *s = &slots[i];
        if (!s->key || (s->hash == h && s->klen == klen &&
                        memcmp(s->key, key, klen) == 0))
            return s;
    }
}

int
px_vote_cache_get(const px_vote_cache *c, const char *key, size_t klen,
                  uint32_t votes[PX_VOTE_TYPES])
{
    uint64_t h = px_hash_bytes(key, klen);
    const slot *s = find(c->slots, c->cap, key, klen, h);
    if (!s->key)
        return 0;
    memcpy(votes, s->votes, sizeof s->votes);
    return 1;
}

/* Twice the slots, the names moved over; PX_NOMEM leaves c as it was. */
static px_status
grow(px_vote_cache *c)
{
    size_t cap = c->cap * 2;
    slot *slots = calloc(cap, sizeof *slots);
    if (!slots)
        return PX_NOMEM;
    for (size_t i = 0; i < c->cap; i++) {
        slot *s = &c->slots[i];
        if (s->key)
            *find(slots, cap, s->key, s->klen, s->hash) = *s;
    }
    free(c->slots);
    c->slots = slots;
    c->cap = cap;
    return PX_OK;
}

px_status
px_vote_cache_put(px_vote_cache *c, const char *key, size_t klen,
                  const uint32_t votes[PX_VOTE_TYPES])
{
    if (c->n >= PX_VOTE_CACHE_MAX)
        px_vote_cache_clear(c);
    if (2 * (c->n + 1) > c->cap && grow(c) != PX_OK)
        return PX_NOMEM;
    uint64_t h = px_hash_bytes(key, klen);
    slot *s = find(c->slots, c->cap, key, klen, h);
    if (s->key)
        return PX_OK;
    char *copy = malloc(klen + 1);
    if (!copy)
        return PX_NOMEM;
    memcpy(copy, key, klen);
    copy[klen] = '\0';
    *s = (slot){copy, klen, h, {0}};
    memcpy(s->votes, votes, sizeof s->votes);
    c->n++;
    return PX_OK;
}

size_t
px_vote_cache_size(const px_vote_cache *c)
{
    return c->n;
}

void
px_vote_cache_clear(px_vote_cache *c)
{
    for (size_t i = 0; i < c->cap; i++) {
        free(c->slots[i].key);
        c->slots[i].key = NULL;
    }
    c->n = 0;
}

void
px_vote_cache_destroy(px_vote_cache *c)
{
    if (!c)
        return;
    px_vote_cache_clear(c);
    free(c->slots);
    free(c);
}
