/*
 * vote_cache.h — the collection's votes on name types, kept between
 * searches.
 *
 * A name's votes (facets_vote.h: the document frequency of its key under
 * each name prefix) depend on the collection only, and the same names come
 * back query after query: a long-lived searcher (a server, a batch) keeps
 * them here instead of asking the postlist table four times a name and a
 * shard. The owner clears the cache whenever the database may have
 * changed. Not thread-safe: one searcher, one thread at a time.
 */
#ifndef PASSIM_QUERY_VOTE_CACHE_H
#define PASSIM_QUERY_VOTE_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "passim/status.h"

#define PX_VOTE_TYPES 4 /* PER, LOC, ORG, MISC */

/* At most this many names are kept; one more empties the cache. */
#define PX_VOTE_CACHE_MAX 65536

typedef struct px_vote_cache px_vote_cache;

/* NULL when out of memory. */
px_vote_cache *px_vote_cache_create(void);

/* 1 and votes[] filled when key[0, klen) is kept, else 0. */
int px_vote_cache_get(const px_vote_cache *c, const char *key, size_t klen,
                      uint32_t votes[PX_VOTE_TYPES]);

/* Keep key's votes (a key kept already is left as it is). PX_NOMEM leaves
 * the cache as it was. */
px_status px_vote_cache_put(px_vote_cache *c, const char *key, size_t klen,
                            const uint32_t votes[PX_VOTE_TYPES]);

/* How many names are kept. */
size_t px_vote_cache_size(const px_vote_cache *c);

/* Forget every name (the database changed). */
void px_vote_cache_clear(px_vote_cache *c);

/* NULL is a no-op. */
void px_vote_cache_destroy(px_vote_cache *c);

#endif
