/*
 * reconcile.c — an index level with its folders (reconcile.h).
 */
#include "passim/reconcile.h"

#include <stdlib.h>

struct px_reconcile {
    px_writer *w;
    char *const *roots;
    size_t nroots;
    px_crawler **crawlers; /* one per root, walked in turn */
    size_t root;
};

px_status
px_reconcile_start(px_writer *w, char *const *roots, size_t n,
                   px_crawl_warn_fn warn, void *ctx, px_reconcile **out)
{
    *out = NULL;
    px_reconcile *r = calloc(1, sizeof *r);
    if (!r || !(r->crawlers = calloc(n ? n : 1, sizeof *r->crawlers))) {
        free(r);
        return PX_NOMEM;
    }
    r->w = w;
    r->roots = roots;
    r->nroots = n;
    /* Every crawler first: a root that is not a folder stops it before
     * anything is looked at. */
    px_status rc = PX_OK;
    for (size_t i = 0; rc == PX_OK && i < n; i++)
        rc = px_crawler_open(roots[i], warn, ctx, &r->crawlers[i]);
    if (rc != PX_OK) {
        px_reconcile_free(r);
        return rc;
    }
    px_writer_begin_reconcile(w);
    *out = r;
    return PX_OK;
}

px_status
px_reconcile_next(px_reconcile *r, px_found *f, int *got)
{
    *got = 0;
    while (r->root < r->nroots) {
        px_status rc = px_crawler_next(r->crawlers[r->root], f, got);
        if (rc != PX_OK || *got)
            return rc;
        r->root++;
    }
    return PX_OK;
}

px_status
px_reconcile_finish(px_reconcile *r, size_t *removed, size_t *unread)
{
    char **keep = NULL;
    size_t nkeep = 0;
    *removed = 0;
    for (size_t i = 0; i < r->nroots; i++) {
        char *const *dirs;
        size_t n;
        px_crawler_unread(r->crawlers[i], &dirs, &n);
        char **more = n ? realloc(keep, (nkeep + n) * sizeof *more) : keep;
        if (n && !more) {
            free(keep);
            return PX_NOMEM;
        }
        keep = more;
        for (size_t k = 0; k < n; k++)
            keep[nkeep++] = dirs[k];
    }
    *unread = nkeep;
    px_status rc = px_writer_remove_unseen(r->w, r->roots, r->nroots, keep,
                                           nkeep, removed);
    free(keep);
    return rc;
}

size_t
px_reconcile_ignored(const px_reconcile *r)
{
    size_t n = 0;
    for (size_t i = 0; i < r->nroots; i++)
        n += r->crawlers[i] ? px_crawler_ignored(r->crawlers[i]) : 0;
    return n;
}

void
px_reconcile_free(px_reconcile *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->nroots; i++)
        px_crawler_close(r->crawlers[i]);
    free(r->crawlers);
    free(r);
}
