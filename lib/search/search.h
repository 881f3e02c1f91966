/*
 * search.h — one query against the index: ranked passages grouped by
 * article, with highlight spans.
 *
 * Passages are ranked by BM25 with the evidence of rank.h; at most
 * `per_article` passages of one article are kept (Xapian's collapse on the
 * article id). An article's score comes from its passages: its best one,
 * plus a fraction of the next (px_rank_opts.fusion); articles come in the
 * order of their scores. For short queries the default operator is AND;
 * when AND finds nothing and the query has more than one word, it is run
 * again with OR and the results say so. Long queries are OR from the
 * start. A reader that meets a database modified under it reopens and
 * tries again.
 */
#ifndef PASSIM_QUERY_SEARCH_H
#define PASSIM_QUERY_SEARCH_H

#include <stddef.h>
#include <stdint.h>

#include "facets.h"
#include "names.h"
#include "passim/schema.h"
#include "passim/status.h"
#include "rank.h"
#include "xapian-c.h"

/* The results (px_span, px_hit, px_results): passim.h. */

typedef struct px_search_opts {
    const char *query;
    uint32_t limit;       /* articles to show */
    uint32_t offset;      /* articles to skip */
    uint32_t per_article; /* passages per article */
    uint32_t facets;      /* top values per facet type; 0 = no facets */
    int months;           /* ... and articles by published month */
    int bare;             /* no highlight spans (machine output) */
    int remote;           /* a shard is remote: facets_remote.h counts */
    int sort_date;        /* newest article first, not the best */
    int all_copies;       /* show copies of an article as articles */
    /* The databases whose catalogs hold the articles (each shard's own
     * handle), for finding copies (dupes.h); none: the searcher's. */
    xc_database *const *catalogs;
    size_t ncatalogs;
} px_search_opts;

/* What every query of one process shares: the database, the parsers, the
 * stemmer and the ranking settings. */
typedef struct px_searcher px_searcher;

/* A searcher on db (borrowed; it must outlive the searcher) ranking with
 * `rank` (copied; NULL for px_rank_defaults()). Caller owns *out; free
 * with px_searcher_destroy(). */
px_status px_searcher_create(xc_database *db, const px_rank_opts *rank,
                             px_searcher **out);

void px_searcher_destroy(px_searcher *s);

/* Forget what the searcher kept of the collection between queries (the
 * votes on name types, vote_cache.h): the database may have changed. */
void px_searcher_forget(px_searcher *s);

/* Run opts->query. On PX_QUERY_SYNTAX (or PX_XAPIAN), *error holds a
 * one-line message: caller owns; free with free(). Caller owns *out; free
 * with px_results_free(). */
px_status px_searcher_run(px_searcher *s, const px_search_opts *opts,
                          px_results **out, char **error);

void px_results_free(px_results *r);

/* A copy of s[0, n) with a NUL after it, or NULL. */
char *px_dup_n(const char *s, size_t n);

/* The entity mentions the indexer kept for a passage (schema.h), lines
 * that do not fit its text dropped: *n spans and their types, owned by
 * the caller (NULL when none). */
px_status px_record_mentions(const px_record *r, px_span **spans,
                             int **types, size_t *n);

#endif
