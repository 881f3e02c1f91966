/*
 * facets_vote.h — one type per name across the collection.
 *
 * The tagger decides a name's type article by article, and an article
 * where it went wrong would list a company under people. In the facets a
 * name's type is the one the whole collection gives it: each article that
 * mentions the name votes with the type it was filed under (the document
 * frequencies of the name's term under each prefix), the most votes win
 * (ties: the type the name came with). The counts of a name filed under
 * several types are added up under the winner: an article files a name
 * under one type only, so the sum still counts articles.
 */
#ifndef PASSIM_QUERY_FACETS_VOTE_H
#define PASSIM_QUERY_FACETS_VOTE_H

#include <stdint.h>

#include "facets.h"
#include "passim/status.h"
#include "vote_cache.h"
#include "xapian-c.h"

/* How many values to count per type so that `top` remain after the vote
 * moved some away: a name of one list can join another's. */
uint32_t px_facets_vote_fetch(uint32_t top);

/* Move every name value of f to its collection type (as above), merge,
 * re-sort and keep the first `top` of each type. Values whose votes
 * cannot be read stay where they are. Votes are taken from and kept in
 * `cache` (NULL: none). PX_NOMEM (f is then freed). */
px_status px_facets_vote(px_facets *f, xc_database *db, px_vote_cache *cache,
                         uint32_t top);

#endif
