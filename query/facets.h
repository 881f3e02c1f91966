/*
 * facets.h — which people, places, organisations and dates the matching
 * articles are about, with the number of matching articles for each.
 *
 * A match spy (a C callback through the binding) looks at every matching
 * passage, counts each article once (by its id), and adds the article's
 * entities (value slot PX_SLOT_ENTITIES) to per-type counts. Counting is
 * exact while the match looks at every matching passage, which it is asked
 * to do up to PX_FACETS_EXACT_UP_TO passages; beyond that the counts are of
 * the passages seen and the result says they are estimated.
 */
#ifndef PASSIM_QUERY_FACETS_H
#define PASSIM_QUERY_FACETS_H

#include <stddef.h>
#include <stdint.h>

#include "passim/entity.h"
#include "passim/status.h"
#include "xapian-c.h"

#define PX_FACETS_EXACT_UP_TO 200000

typedef struct px_facet_value {
    char *value;
    uint32_t count; /* matching articles mentioning it */
} px_facet_value;

typedef struct px_facets {
    px_facet_value *values[PX_ENT_TYPES]; /* most articles first */
    size_t count[PX_ENT_TYPES];
    uint32_t articles;       /* matching articles seen */
    uint32_t passages_seen;  /* matching passages the spy looked at */
    int exact;               /* every matching passage was seen */
} px_facets;

/* Count the facets of `query` on db, keeping the top `top` values of each
 * type. A database modified under the reader gives PX_XAPIAN with
 * *modified set, so the caller can reopen and retry; other failures set
 * *error (caller owns; free with free()) when it is NULL. Free the result
 * with px_facets_free(). */
px_status px_facets_count(xc_database *db, const xc_query *query,
                          uint32_t top, px_facets *out, int *modified,
                          char **error);

void px_facets_free(px_facets *f);

/* qsort order of facet values: most articles first, then by value. */
int px_facet_value_order(const void *a, const void *b);

#endif
