/*
 * dbpath.h — where the index lives, shared by both binaries.
 *
 * --db PATH wins, then $PASSIM_DB, then
 * ${XDG_DATA_HOME:-$HOME/.local/share}/passim/index.
 */
#ifndef PASSIM_DBPATH_H
#define PASSIM_DBPATH_H

#include <stddef.h>

#include "passim/status.h"

/* Resolve the database path. `option` is the --db value or NULL. Caller
 * owns *out; free with free(). PX_NOT_FOUND when neither HOME nor
 * XDG_DATA_HOME is set and no path was given. */
px_status px_dbpath_resolve(const char *option, char **out);

/* Create the folders above `path` (mkdir -p of its parent). */
px_status px_dbpath_make_parent(const char *path);

/* A database written by `passim-index --shards N` is a folder holding N
 * Xapian databases ("shard0", "shard1", ...) and a stub file XAPIANDB
 * listing them, which Xapian opens as one database: readers need not
 * know. Files go to a shard by a hash of their path (px_dbpath_shard_of),
 * so a re-run or the watcher finds each file's catalog entry again. */
#define PX_DBPATH_STUB "XAPIANDB"

/* The databases behind `path`: its shards when it holds a stub file,
 * else `path` itself (*n = 1). Caller owns *paths; free with
 * px_dbpath_shards_free(). PX_INVALID_ARGUMENT for an unreadable stub. */
px_status px_dbpath_shards(const char *path, char ***paths, size_t *n);
void px_dbpath_shards_free(char **paths, size_t n);

/* Write the stub file of `n` shards into folder `dir`. */
px_status px_dbpath_write_stub(const char *dir, size_t n);

/* The shard (0 .. n-1) that holds the file at `path`. */
size_t px_dbpath_shard_of(const char *path, size_t n);

#endif /* PASSIM_DBPATH_H */
