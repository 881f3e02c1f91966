/*
 * watch.h — keep a database current with folders as they change.
 *
 * px_watch_run reconciles the folders with the catalog (what was added,
 * changed or deleted while nothing watched), then follows their changes
 * on a libuv loop until SIGINT or SIGTERM, when it commits and returns.
 * A file is indexed when it is closed after writing or moved into place,
 * never while it is being written; a file that appears or changes without
 * a close (a hard link, touch) is looked at after a settle period of
 * quiet. Parsing runs on libuv's thread pool (pipeline.h); the one writer
 * commits on the loop's thread, in batches bounded in files, bytes and
 * time. When events may have been lost (queue overflow, out of watches, a
 * watch error) and every --reconcile-every seconds, it reconciles again.
 * Linux only (inotify); elsewhere it says so and fails.
 */
#ifndef PASSIM_INDEXER_WATCH_H
#define PASSIM_INDEXER_WATCH_H

#include <stddef.h>
#include <stdint.h>

#include "passim/writer.h"

typedef struct px_watch_opts {
    char *const *roots;   /* absolute folder paths */
    size_t nroots;
    unsigned settle_ms;   /* quiet before a file without a close is read */
    unsigned commit_ms;   /* during a burst, commit at least this often */
    unsigned reconcile_s; /* reconcile every so many seconds; 0 = never */
    size_t batch_files;   /* ... and commit every so many files */
    uint64_t batch_bytes; /* ... or bytes read */
    int quiet, verbose;
} px_watch_opts;

#define PX_WATCH_SETTLE_MS 100
#define PX_WATCH_COMMIT_MS 500
#define PX_WATCH_RECONCILE_S 600

/* Watch until a signal, writing through `w` (borrowed; opened with batch
 * limits the writer never reaches, since the watcher commits itself).
 * PX_OK after a clean stop; else the fatal error, already told on stderr
 * (the watcher is the front end's: it prints its own messages). */
px_status px_watch_run(px_writer *w, const px_watch_opts *opts);

#endif
