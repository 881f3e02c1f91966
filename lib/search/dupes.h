/*
 * dupes.h — articles with the same text, shown once.
 *
 * The same article is often saved twice (a download and its copy, a
 * folder synced into another). Its copies match a query alike and would
 * fill the page with one text; passim shows the best-ranked copy and
 * lists the paths of the others with it. Two articles are copies when the
 * content hashes their catalog entries hold (catalog.h) are equal; the
 * entries are read, by article id, from the databases that hold the
 * articles (each shard keeps its own catalog).
 */
#ifndef PASSIM_QUERY_DUPES_H
#define PASSIM_QUERY_DUPES_H

#include <stddef.h>
#include <stdint.h>

#include "passim/schema.h"
#include "passim/status.h"
#include "search.h"
#include "xapian-c.h"

typedef struct px_dupes {
    size_t n;
    uint32_t *of; /* of[i]: the first article with i's text (i itself) */
    char **path;  /* path[i]: i's path in the catalog, or NULL */
    char (*id)[PX_ARTICLE_ID_SIZE]; /* the article ids, in rank order */
} px_dupes;

/* Find the copies among ids[0, n) (article ids in rank order), reading
 * the catalogs of dbs[0, ndbs) until `want` distinct texts are found:
 * later articles are their own (of[i] = i). An article without a catalog
 * entry is a copy of none. Free with px_dupes_clear(). */
px_status px_dupes_find(xc_database *const *dbs, size_t ndbs,
                        const char *const *ids, size_t n, size_t want,
                        px_dupes *out);

/* Give each of hits[0, n) (grouped by article) the paths of its
 * article's copies (px_hit.copies). */
px_status px_dupes_attach(const px_dupes *d, px_hit *hits, size_t n);

void px_dupes_clear(px_dupes *d);

#endif
