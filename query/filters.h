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
 */
#ifndef PASSIM_QUERY_FILTERS_H
#define PASSIM_QUERY_FILTERS_H

#include "passim/status.h"
#include "xapian-c.h"

typedef struct px_filters {
    xc_query *filter; /* AND of every filter; NULL when there is none */
    char *rest;       /* the query text without the filters */
    int count;
} px_filters;

/* Split `query`. PX_QUERY_SYNTAX with *error (caller owns; free with
 * free()) for a malformed filter, such as an impossible date. Free the
 * result with px_filters_free(). */
px_status px_filters_extract(const char *query, px_filters *out,
                             char **error);

void px_filters_free(px_filters *f);

#endif
