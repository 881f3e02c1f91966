/*
 * reconcile.h — bringing an index level with its folders: one walk that
 * the one-shot run (px_index_update) and the watcher share.
 *
 * A reconcile forgets which catalogued files were seen, walks the folders
 * one file at a time, and at the end removes every catalogued file under
 * them that the walk did not find, but for those under folders it could
 * not list (their files are not known to be gone). What to do with each
 * file found is the caller's: plan it at once (px_writer_plan, through
 * the pipeline) or queue it for later; either way it must be marked seen
 * before the end, which px_writer_plan and px_writer_has both do.
 */
#ifndef PASSIM_RECONCILE_H
#define PASSIM_RECONCILE_H

#include <stddef.h>

#include "passim/crawl.h"
#include "passim/status.h"
#include "passim/writer.h"

typedef struct px_reconcile px_reconcile;

/* Start a reconcile of `w` (borrowed) with roots[0, n) (absolute folder
 * paths, borrowed until the end). A root that is not a folder is warned
 * about and makes it PX_NOT_FOUND before anything changes. Caller owns
 * *out; end it with px_reconcile_finish() or px_reconcile_free(). */
px_status px_reconcile_start(px_writer *w, char *const *roots, size_t n,
                             px_crawl_warn_fn warn, void *ctx,
                             px_reconcile **out);

/* The next file: *got 1 and *f (f->path valid until the next call), or
 * *got 0 when every root is walked. */
px_status px_reconcile_next(px_reconcile *r, px_found *f, int *got);

/* Once every file was taken and marked seen: remove the catalogued files
 * the walk did not find (*removed), and say how many folders could not be
 * listed (*unread). Into the writer's current batch; not committed. */
px_status px_reconcile_finish(px_reconcile *r, size_t *removed,
                              size_t *unread);

/* How many files the walk passed over for their names. */
size_t px_reconcile_ignored(const px_reconcile *r);

/* End it (after px_reconcile_finish, or instead of it: nothing removed). */
void px_reconcile_free(px_reconcile *r);

#endif /* PASSIM_RECONCILE_H */
