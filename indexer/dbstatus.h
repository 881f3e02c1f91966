/*
 * dbstatus.h — `passim-index --status`: what a database holds.
 *
 * Opens the database read-only, so it works while an indexer writes it.
 */
#ifndef PASSIM_INDEXER_DBSTATUS_H
#define PASSIM_INDEXER_DBSTATUS_H

#include <stdio.h>

/* Print files (catalog entries), passages (documents), size on disk and
 * the last commit time of the database at `path` to `out`, one "name:
 * value" line each. Returns the exit status: 0, or 2 after a message on
 * stderr when the database cannot be read. */
int px_dbstatus_print(const char *path, FILE *out);

#endif
