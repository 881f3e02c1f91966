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

typedef struct px_span {
    size_t start, end; /* byte offsets into the hit's text */
} px_span_t;

typedef struct px_hit {
    char *path;
    char *title;
    char *text;
    size_t text_len;
    char article[PX_ARTICLE_ID_SIZE];
    uint32_t number; /* passage number in its article */
    uint64_t start, end; /* byte span in the file */
    double score;
    double article_score; /* the article's score, from its passages */
    uint32_t article_rank; /* 1-based rank of the article */
    px_span_t *spans;
    size_t nspans;
    px_span_t *mentions;   /* entity mentions in text (from the index) */
    int *mention_types;    /* their px_entity_type */
    size_t nmentions;
    char date[11];         /* the article's date, YYYY-MM-DD, or "" */
    int file_dated;        /* that date is its file's time (filedated.h) */
    char **copies;         /* the paths of the article's copies (dupes.h) */
    size_t ncopies;
    uint32_t page;         /* the PDF page of the passage, from 1; 0: none */
} px_hit_t;

typedef struct px_results {
    px_hit_t *hits; /* grouped by article, articles in rank order */
    size_t nhits;
    size_t narticles;
    uint32_t estimated; /* estimated matching passages */
    int fell_back_to_or;
    int filters;        /* how many entity/date filters the query had */
    int have_facets;
    px_facets facets;
    /* With a published: filter: how many matching articles are dated by
     * their file's time (filedated.h), when the database knows. */
    uint32_t file_dated;
    int file_dated_known;
    int published; /* the query had a published: filter */
    /* Bytes of the query that were not UTF-8, read as Windows-1252. */
    size_t query_repaired;
    /* What each name filter matched in this collection (names.h). */
    px_name_match *names;
    size_t nnames;
} px_results_t;

typedef struct px_search_opts {
    const char *query;
    uint32_t limit;       /* articles to show */
    uint32_t offset;      /* articles to skip */
    uint32_t per_article; /* passages per article */
    uint32_t facets;      /* top values per facet type; 0 = no facets */
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
typedef struct px_searcher px_searcher_t;

/* A searcher on db (borrowed; it must outlive the searcher) ranking with
 * `rank` (copied; NULL for px_rank_defaults()). Caller owns *out; free
 * with px_searcher_destroy(). */
px_status px_searcher_create(xc_database *db, const px_rank_opts *rank,
                             px_searcher_t **out);

void px_searcher_destroy(px_searcher_t *s);

/* Run opts->query. On PX_QUERY_SYNTAX (or PX_XAPIAN), *error holds a
 * one-line message: caller owns; free with free(). Caller owns *out; free
 * with px_results_free(). */
px_status px_search(px_searcher_t *s, const px_search_opts *opts,
                    px_results_t **out, char **error);

void px_results_free(px_results_t *r);

#endif
