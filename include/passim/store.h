/*
 * store.h — making and opening the databases passim writes.
 *
 * A database is one Xapian database, or a folder of shards with a stub
 * file (dbpath.h); each carries the schema version passim wrote it with
 * (schema.h's PX_META_SCHEMA). Readers open them through dbopen.h.
 */
#ifndef PASSIM_STORE_H
#define PASSIM_STORE_H

#include "passim/status.h"
#include "xapian-c.h"

/* Create the database at `path` when nothing is there: one database, or
 * (nshards > 1) a folder of that many shards and their stub. Either is
 * built in a sibling folder and renamed into place, so that a process
 * killed on the way leaves no half-made database. The folders above
 * `path` are made as needed. On failure *error (caller owns; free with
 * free()) names the database. */
px_status px_store_create(const char *path, unsigned nshards, char **error);

/* Open one database (a plain one or a shard: created when absent) for
 * writing and check its schema, stamping a database that has none yet.
 * PX_LOCKED when another writer holds it; PX_INVALID_ARGUMENT when it
 * has another schema. Caller owns *db; close with xc_database_close().
 * On failure *error (caller owns) names the database. */
px_status px_store_open_writable(const char *path, xc_database **db,
                                 char **error);

#endif /* PASSIM_STORE_H */
