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

/* A query matching fewer passages has its facets counted by its ranked
 * match (px_facets_spy_create()); a second match of its own costs less
 * for more: the ranked match weighs and collapses every passage it looks
 * at, which costs more a passage than counting facets in a match of
 * their own (callgrind: even at 256 passages on 20 Newsgroups). */
#define PX_FACETS_JOINT_UP_TO 256

/* px_facet_value and px_facets: passim.h. */

/* Count the facets of `query` on db, keeping the top `top` values of each
 * type. A database modified under the reader gives PX_XAPIAN with
 * *modified set, so the caller can reopen and retry; other failures set
 * *error (caller owns; free with free()) when it is NULL. Free the result
 * with px_facets_free(). */
px_status px_facets_count(xc_database *db, const xc_query *query,
                          uint32_t top, int months, px_facets *out,
                          int *modified, char **error);

/* The same counted by a spy added to a match the caller runs (its own
 * ranked search), sparing a second match when the query matches few
 * passages. Create it with a cap (0: none), add px_facets_spy_handle() to
 * the enquire and get the result set with check_at_least `cap`. When the
 * match met fewer passages than `cap`, it looked at every one
 * (px_facets_spy_complete()): finish with the match's upper bound of
 * matching passages (0 for a complete capped spy). Otherwise the spy
 * stopped counting at the cap: count with px_facets_count(), which costs
 * less for many passages than a ranked match looking at each (it weighs
 * and collapses each). The match must select the passages the facets
 * are about; the spy sees them before collapsing. `months`: count the
 * articles by published month too (px_facets.months). */
typedef struct px_facets_spy px_facets_spy;
px_status px_facets_spy_create(uint32_t cap, int months,
                               px_facets_spy **out);
xc_matchspy *px_facets_spy_handle(px_facets_spy *f);
int px_facets_spy_complete(const px_facets_spy *f);
px_status px_facets_spy_finish(px_facets_spy *f, uint32_t top,
                               uint32_t upper, px_facets *out);
void px_facets_spy_destroy(px_facets_spy *f);

void px_facets_free(px_facets *f);

/* qsort order of facet values: most articles first, then by value. */
int px_facet_value_order(const void *a, const void *b);

#endif
