/*
 * rerank.h — the second stage of long queries: the top articles of the
 * first ranking (their best passage's score) rescored by how much of the
 * query they match.
 *
 * Each word of the query weighs its inverse document frequency
 * log((N + 1) / (df + 0.5)) (df: passages with the word's stem). An
 * article's coverage is the share of that weight its passages' words
 * carry (in text or title; the passages of the result set, up to
 * `cover_depth` an article), its title coverage the share its title
 * matches. Its score becomes score * coverage^`coverage` * (1 +
 * `title_cover` * title coverage). Only the `rerank` best articles are
 * rescored; the rest follow them, scaled by the smallest factor. Every lever and its measured effect is in
 * bench/README.md.
 */
#ifndef PASSIM_QUERY_RERANK_H
#define PASSIM_QUERY_RERANK_H

#include <stddef.h>

#include "passim/status.h"
#include "passim/token.h"
#include "rank.h"
#include "xapian-c.h"

#define PX_RERANK_WORDS 64

/* The words of one query and their weights. */
typedef struct px_rerank {
    char word[PX_RERANK_WORDS][PX_TOKEN_MAX_WORD + 1]; /* the stem */
    double idf[PX_RERANK_WORDS];
    size_t n;
    double total;
} px_rerank;

/* Which words of the query an article matches: bit 1 anywhere, bit 2 in
 * its title. */
typedef struct px_rerank_match {
    unsigned char how[PX_RERANK_WORDS];
} px_rerank_match;

/* Does `o` rescore at all? */
int px_rerank_on(const px_rank_opts *o);

/* Read the words of ranking query `q` and their document frequencies in
 * db. */
px_status px_rerank_init(px_rerank *r, xc_database *db, const xc_query *q);

/* The words each of the passages docids[0, n) (in increasing order)
 * has: m[i] gains those of docids[i] (m[i] cleared first by the caller).
 * One walk of each word's posting lists. */
px_status px_rerank_match_all(const px_rerank *r, xc_database *db,
                              const xc_docid *docids, size_t n,
                              px_rerank_match *m);

/* The factor scaling the score of an article matching *m. */
double px_rerank_factor(const px_rerank *r, const px_rank_opts *o,
                        const px_rerank_match *m);

#endif /* PASSIM_QUERY_RERANK_H */
