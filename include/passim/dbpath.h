/*
 * dbpath.h — where the index lives, shared by both binaries, and the
 * one reader and writer of stub files.
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

/* The stub file that `path` stands for: `path` itself when it is a file
 * that is not a single-file database, its XAPIANDB when it is a folder
 * holding no database of its own; else *stub is NULL (a database, or
 * nothing there yet). Caller owns *stub; free with free(). */
px_status px_dbpath_stub_of(const char *path, char **stub);

/* Told about each line of a stub file but blank ones and '#' comments,
 * in order: `name` is the database it names, as Xapian reads it ("auto",
 * "glass", "chert" or "honey" PATH: the path, relative to the stub's
 * folder; "remote HOST:PORT": "tcp://HOST:PORT"; "remote :PROGRAM ARGS":
 * "prog:PROGRAM ARGS"), or NULL for a line Xapian would refuse. A status
 * other than PX_OK stops the reading and is returned. */
typedef px_status (*px_dbpath_stub_fn)(void *ctx, size_t lineno,
                                       const char *line, const char *name);

/* Read the stub file `stub` line by line. PX_IO when it cannot be read;
 * else the first failure of `each`. */
px_status px_dbpath_stub_read(const char *stub, px_dbpath_stub_fn each,
                              void *ctx);

/* Write the stub file of `n` shards ("glass shard0", ...) into folder
 * `dir`, which px_dbpath_stub_read reads back. */
px_status px_dbpath_write_stub(const char *dir, size_t n);

/* The local databases behind `path`, for writing: those of its stub file
 * (px_dbpath_stub_of), else `path` itself (*n = 1). Caller owns *paths;
 * free with px_dbpath_shards_free(). PX_INVALID_ARGUMENT for a stub that
 * cannot be read, names no database, or names one that is remote or
 * written wrong. */
px_status px_dbpath_shards(const char *path, char ***paths, size_t *n);
void px_dbpath_shards_free(char **paths, size_t n);

/* The shard (0 .. n-1) that holds the file at `path`. */
size_t px_dbpath_shard_of(const char *path, size_t n);

#endif /* PASSIM_DBPATH_H */
