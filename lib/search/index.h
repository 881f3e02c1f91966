/*
 * index.h — what the search module's files share about an index
 * (passim.h's px_index, index.c).
 */
#ifndef PASSIM_SEARCH_INDEX_H
#define PASSIM_SEARCH_INDEX_H

#include "passim.h"
#include "xapian-c.h"

/* The open databases of ix as one (borrowed): PX_XAPIAN when none is
 * open. */
px_status px_index_group(px_index *ix, xc_database **db);

#endif
