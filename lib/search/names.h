/*
 * names.h — what a name filter's value means in this collection.
 *
 * People type names as they remember them: "person:Mourinho" for the
 * "Jose Mourinho" the articles name, "Jose" for "José", a typo. A name
 * filter's value is case- and accent-folded as the indexer folds entity
 * keys (schema.h), then resolved against the names the index holds, under
 * any name type (the facets list a name under the type the collection
 * gives it, so a filter must find it under all of them):
 *  - the value itself, when some article names it;
 *  - and the longer names that end with the value's words ("Abramovich"
 *    for "Roman Abramovich"), when that is unambiguous: one such name, or
 *    one named by at least PX_NAMES_DOMINANT times as many articles as
 *    all the others together ("Blair": Tony Blair, not Cherie Blair). An
 *    ambiguous value matches only itself, and the others are listed;
 *  - when nothing matches, the closest names (edit distance on the
 *    folded keys) are listed, for a "did you mean".
 * The candidates come from one walk of the name terms (four prefixes),
 * done only for a filter whose value is not already a full name of the
 * collection's.
 */
#ifndef PASSIM_QUERY_NAMES_H
#define PASSIM_QUERY_NAMES_H

#include <stddef.h>
#include <stdint.h>

#include "passim/status.h"
#include "xapian-c.h"

#define PX_NAMES_DOMINANT 3

/* px_name_outcome, px_name_count, px_name_match: passim.h. */

/* Resolve m->typed (m->field and m->typed set by the caller) on db: fill
 * the rest of *m (replacing what an earlier call filled in) and set *q to the OR of the matched names' terms under
 * every name type (caller owns; free with xc_query_destroy()). A value
 * that matches nothing gives a query that matches nothing. PX_XAPIAN
 * with *modified set when the database changed under the reader. */
px_status px_names_resolve(xc_database *db, px_name_match *m, xc_query **q,
                           int *modified);

/* Free what px_names_resolve() filled in (field and typed too). */
void px_name_match_clear(px_name_match *m);

#endif
