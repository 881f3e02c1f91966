/*
 * watchq.h — what the watcher knows about each path it was told about.
 *
 * Events do not carry work, they say "look at this path again": the
 * watcher then reads the file system and the catalog, so events that come
 * twice, late or out of order cannot leave the index wrong. This table
 * keeps, per path, whether it is due for a look (in a FIFO), waiting for a
 * settle period of quiet, being written by someone (a write was seen and no
 * close yet), being indexed by a job (in flight), or changed again while in
 * flight (dirty: look again when the job is done). A path with none of
 * these states is not in the table.
 */
#ifndef PASSIM_INDEXER_WATCHQ_H
#define PASSIM_INDEXER_WATCHQ_H

#include <stddef.h>

#include "passim/status.h"

enum {
    PX_WQ_READY = 1,    /* in the FIFO of paths to look at */
    PX_WQ_SETTLING = 2, /* look at it once quiet until `due` */
    PX_WQ_WRITING = 4,  /* written to, not closed yet */
    PX_WQ_INFLIGHT = 8, /* a job for it is running */
    PX_WQ_DIRTY = 16    /* changed while in flight */
};

typedef struct px_wq_entry {
    char *path;
    unsigned flags;
    double due; /* monotonic seconds, when SETTLING */
    struct px_wq_entry *hnext; /* hash chain */
    struct px_wq_entry *rnext; /* ready FIFO */
} px_wq_entry;

typedef struct px_watchq px_watchq;

/* An empty table. Caller owns *out; free with px_watchq_destroy(). */
px_status px_watchq_create(px_watchq **out);

/* The entry for `path` (borrowed; valid until released), created with no
 * flags when absent and `create` is set; NULL when absent or out of
 * memory. */
px_wq_entry *px_watchq_get(px_watchq *q, const char *path, int create);

/* Ask for a look at the entry: appended to the FIFO, or marked dirty when
 * a job for it is in flight. */
void px_watchq_push(px_watchq *q, px_wq_entry *e);

/* The first entry of the FIFO (its READY flag cleared), or NULL. */
px_wq_entry *px_watchq_pop(px_watchq *q);

size_t px_watchq_ready(const px_watchq *q);

/* Free the entry if it has no flags left. */
void px_watchq_release(px_watchq *q, px_wq_entry *e);

/* Call fn for every entry; fn may release the entry it is given, and no
 * other. */
typedef void (*px_watchq_fn)(void *ctx, px_wq_entry *e);
void px_watchq_each(px_watchq *q, px_watchq_fn fn, void *ctx);

void px_watchq_destroy(px_watchq *q);

#endif
