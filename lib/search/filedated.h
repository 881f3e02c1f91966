/*
 * filedated.h — which articles are dated by their file's time.
 *
 * An article that states no date of its own (no dateline, front matter or
 * HTML meta date) is dated by its file's modification time, which is often
 * the day it was copied: published: and --sort date then use that time.
 * The indexer marks such articles (schema.h's PX_TERM_FILE_DATED), so that
 * passim can say how many of the matches that concerns, and which.
 */
#ifndef PASSIM_QUERY_FILEDATED_H
#define PASSIM_QUERY_FILEDATED_H

#include <stddef.h>
#include <stdint.h>

#include "passim/status.h"
#include "xapian-c.h"

/* The number of articles among the passages `sel` matches that are dated
 * by their file's time. *known is 0 when db predates the mark (then
 * *articles is 0 and means nothing). *modified is set when the database
 * changed under the reader. */
px_status px_file_dated_count(xc_database *db, const xc_query *sel,
                              uint32_t *articles, int *known, int *modified);

/* Which of the passages docids[0, n) (any order) are of such articles:
 * dated[i] set to 1 for those, left alone for the others. */
px_status px_file_dated_mark(xc_database *db, const xc_docid *docids, size_t n,
                             unsigned char *dated, int *modified);

#endif
