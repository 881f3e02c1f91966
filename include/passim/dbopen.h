/*
 * dbopen.h — opening the databases passim searches as one.
 *
 * The user names one or more databases ("shards"): repeated --db, a
 * colon-separated $PASSIM_DB, or a Xapian stub database file. Each name is
 *  - tcp://HOST:PORT   a database served by xapian-tcpsrv;
 *  - prog:PROGRAM ARGS a database served by running PROGRAM with ARGS
 *                      (split at spaces, no shell quoting), typically
 *                      "prog:ssh HOST xapian-progsrv /path/to/index";
 *  - anything else     a local path: a database folder, a folder holding
 *                      a XAPIANDB stub, or a stub file.
 * passim reads stub files itself (Xapian's syntax: "auto PATH",
 * "glass PATH", "remote HOST:PORT", "remote :PROGRAM ARGS"; relative paths
 * are relative to the stub's folder) so that every shard in them gets the
 * timeout and its own name in messages, and one that fails can be left out.
 *
 * Each shard keeps its own handle; a group handle searches the open ones as
 * one (Xapian's multi-database: statistics, ranking and collapse are those
 * of a single database holding every document).
 */
#ifndef PASSIM_DBOPEN_H
#define PASSIM_DBOPEN_H

#include <stddef.h>

#include "passim/status.h"
#include "xapian-c.h"

typedef enum px_shard_kind {
    PX_SHARD_LOCAL,
    PX_SHARD_TCP,
    PX_SHARD_PROG
} px_shard_kind;

typedef struct px_shard {
    char *name;      /* tcp://HOST:PORT, prog:..., or the local path */
    px_shard_kind kind;
    xc_database *db; /* NULL once it failed */
    char *error;     /* why it failed: a one-line message, else NULL */
    int reported;    /* the caller has shown the error (for its own use) */
    unsigned long long dev, ino; /* a local shard's folder when opened */
} px_shard;

typedef struct px_shards {
    px_shard *shard;
    size_t n;
    xc_database *db; /* the open shards as one; NULL when none is open */
    int remote;      /* some open shard is remote */
    unsigned timeout_ms;
    /* Changes whenever what db reads may have changed: a regroup, or a
     * reopen that found a new revision. What a reader kept of the
     * collection is good while it stays the same. */
    unsigned long generation;
} px_shards;

/* Split a $PASSIM_DB value at colons into database names: a tcp://HOST:PORT
 * keeps its own colon (HOST may be [IPv6]), a prog: entry runs to the end of
 * the value, empty entries are skipped. Caller owns *names and each string;
 * free with px_names_free(). */
px_status px_names_split(const char *value, char ***names, size_t *n);

void px_names_free(char **names, size_t n);

/* Open every database in names[0, n), expanding stub files, waiting at
 * most timeout_ms (connect and each read) for a remote one. A shard that
 * cannot be opened is kept with its error set; the group opens the others.
 * PX_NOMEM is the only failure. Caller owns *out; free with
 * px_shards_close(). */
px_status px_shards_open(const char *const *names, size_t n,
                         unsigned timeout_ms, px_shards **out);

/* How many shards have failed so far. */
size_t px_shards_failed(const px_shards *s);

/* After a search failed: open every shard that was open again, mark those
 * that cannot be as failed, and regroup the others. Returns how many shards
 * failed now (0: the failure was not a shard's). */
size_t px_shards_probe(px_shards *s);

/* Before a search on shards open for a while: see what writers committed
 * (Xapian's reopen), and open afresh every local shard whose folder is
 * gone or is another one (replaced by a rename: a reopen compares
 * revisions only, and the old files stay readable). A shard that cannot
 * be opened again is marked failed. Returns how many shards were
 * opened afresh or failed (0: none); s->generation moves on when any of
 * this changed what the group reads. */
size_t px_shards_refresh(px_shards *s);

void px_shards_close(px_shards *s);

#endif
