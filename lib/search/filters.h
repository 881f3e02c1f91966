/*
 * filters.h — the entity and date filters of a query.
 *
 * person:"Vladimir Putin", place:Donetsk, org:…, misc:…, date:2024-03-16,
 * date:2024-03..2024-06 (articles mentioning such a date) and
 * published:2024-03..2024-06 (the article's own date) are taken out of the
 * query text before Xapian's parser sees it: their values are matched the
 * way the indexer stores them (case-folded entity keys, ISO dates), which
 * Xapian's boolean prefixes cannot do. What remains is parsed as usual and
 * filtered by them all.
 *
 * Entity and date-mention terms are on the first passage of each article
 * only (schema.h), so those filters are joined: px_filters_join() finds
 * the articles whose first passage matches and filters by their "XA"
 * terms, which every passage carries. published: ranges are on every
 * passage and filter directly. A filter, a word, a phrase or a group
 * written after "-", "NOT" or "AND NOT" (outside brackets) excludes the
 * articles it would select, whole.
 */
#ifndef PASSIM_QUERY_FILTERS_H
#define PASSIM_QUERY_FILTERS_H

#include "names.h"
#include "passim/status.h"
#include "xapian-c.h"

typedef struct px_filters {
    xc_query *article; /* AND of the date filters, or NULL */
    xc_query *filter;  /* AND of the published: ranges, or NULL */
    /* The negated ones ("-org:Arsenal", "NOT person:X", "AND NOT ..."):
     * OR of each kind; an article that matches one is left out whole. */
    xc_query *article_not, *filter_not;
    char *rest;       /* the query text without the filters */
    /* The words, phrases and groups after a top-level "-", "NOT" or "AND
     * NOT", joined by " OR ", or NULL: an article that matches them in any
     * passage is left out (px_filters_exclude()). */
    char *not_text;
    /* The name filters, as typed; px_filters_join() resolves them on the
     * database (names.h) and fills in what each matched. */
    px_name_match *names;
    size_t nnames;
    int count;
    int published; /* how many published: filters */
} px_filters;

/* Split `query`. PX_QUERY_SYNTAX with *error (caller owns; free with
 * free()) for a malformed filter, such as an impossible date. Free the
 * result with px_filters_free(). */
px_status px_filters_extract(const char *query, px_filters *out,
                             char **error);

/* The filter on passages in `db` (*out NULL when there is none): the
 * published: ranges AND the passages of every article whose first
 * passage matches f->article. *modified is set when the database changed
 * under the reader (reopen and try again). `remote`: some shard is
 * remote, and cannot run the local join. Caller owns *out. */
px_status px_filters_join(px_filters *f, xc_database *db, int remote,
                          xc_query **out, int *modified, char **error);

/* *filter (the result of px_filters_join(), NULL for none) AND NOT every
 * passage of the articles of which some passage matches q. Same errors as
 * px_filters_join(). */
px_status px_filters_exclude(xc_database *db, const xc_query *q, int remote,
                             xc_query **filter, int *modified, char **error);

void px_filters_free(px_filters *f);

#endif
