/*
 * facets_remote.h — facets where some shard is remote.
 *
 * facets.h counts with a C callback match spy, which a stock xapian-tcpsrv
 * or xapian-progsrv cannot run. Here only Xapian's own ValueCountMatchSpy
 * runs, on the servers: one on the article id (PX_SLOT_ARTICLE) counts the
 * matching articles; one on the article's encoded entity list
 * (PX_SLOT_ENTITIES), over the matching passages that have entities,
 * returns each distinct list once. Every passage of an article carries the
 * same list, so each distinct list stands for at least one article, and an
 * entity's count is the number of distinct lists naming it.
 *
 * That count is exact when no two matching articles have the same non-empty
 * list — which holds exactly when the number of distinct lists equals the
 * number of distinct articles among the passages that have a list — and the
 * spies saw every matching passage. Otherwise the counts are lower bounds
 * and the result says they are estimated (px_facets.exact is 0).
 */
#ifndef PASSIM_QUERY_FACETS_REMOTE_H
#define PASSIM_QUERY_FACETS_REMOTE_H

#include "facets.h"

/* The facets of `query` on db, as px_facets_count() gives them (same
 * contract, same ownership), counted with spies that run remotely. */
px_status px_facets_remote_count(xc_database *db, const xc_query *query,
                                 uint32_t top, px_facets *out, int *modified,
                                 char **error);

#endif
