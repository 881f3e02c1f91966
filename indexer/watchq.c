/*
 * watchq.c — the watcher's table of paths (watchq.h).
 */
#include "watchq.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct px_watchq {
    px_wq_entry **buckets;
    size_t nbuckets; /* a power of two */
    size_t count;
    px_wq_entry *head, *tail; /* the FIFO */
    size_t nready;
};

static size_t
hash(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return (size_t)h;
}

px_status
px_watchq_create(px_watchq **out)
{
    px_watchq *q = calloc(1, sizeof *q);
    if (q)
        q->buckets = calloc(64, sizeof *q->buckets);
    if (!q || !q->buckets) {
        free(q);
        *out = NULL;
        return PX_NOMEM;
    }
    q->nbuckets = 64;
    *out = q;
    return PX_OK;
}

/* Double the buckets when chains grow long; on no memory keep going with
 * longer chains. */
static void
grow(px_watchq *q)
{
    size_t n = q->nbuckets * 2;
    px_wq_entry **b = calloc(n, sizeof *b);
    if (!b)
        return;
    for (size_t i = 0; i < q->nbuckets; i++) {
        px_wq_entry *e = q->buckets[i], *next;
        for (; e; e = next) {
            next = e->hnext;
            size_t k = hash(e->path) & (n - 1);
            e->hnext = b[k];
            b[k] = e;
        }
    }
    free(q->buckets);
    q->buckets = b;
    q->nbuckets = n;
}

px_wq_entry *
px_watchq_get(px_watchq *q, const char *path, int create)
{
    size_t k = hash(path) & (q->nbuckets - 1);
    for (px_wq_entry *e = q->buckets[k]; e; e = e->hnext) {
        if (strcmp(e->path, path) == 0)
            return e;
    }
    if (!create)
        return NULL;
    px_wq_entry *e = calloc(1, sizeof *e);
    if (e && !(e->path = strdup(path))) {
        free(e);
        return NULL;
    }
    if (!e)
        return NULL;
    e->hnext = q->buckets[k];
    q->buckets[k] = e;
    if (++q->count > 2 * q->nbuckets)
        grow(q);
    return e;
}

void
px_watchq_push(px_watchq *q, px_wq_entry *e)
{
    e->flags &= ~(unsigned)PX_WQ_SETTLING;
    if (e->flags & PX_WQ_INFLIGHT) {
        e->flags |= PX_WQ_DIRTY;
        return;
    }
    if (e->flags & PX_WQ_READY)
        return;
    e->flags |= PX_WQ_READY;
    e->rnext = NULL;
    if (q->tail)
        q->tail->rnext = e;
    else
        q->head = e;
    q->tail = e;
    q->nready++;
}

px_wq_entry *
px_watchq_pop(px_watchq *q)
{
    px_wq_entry *e = q->head;
    if (!e)
        return NULL;
    q->head = e->rnext;
    if (!q->head)
        q->tail = NULL;
    e->rnext = NULL;
    e->flags &= ~(unsigned)PX_WQ_READY;
    q->nready--;
    return e;
}

size_t
px_watchq_ready(const px_watchq *q)
{
    return q->nready;
}

void
px_watchq_release(px_watchq *q, px_wq_entry *e)
{
    if (e->flags)
        return;
    px_wq_entry **pp = &q->buckets[hash(e->path) & (q->nbuckets - 1)];
    while (*pp && *pp != e)
        pp = &(*pp)->hnext;
    if (*pp)
        *pp = e->hnext;
    q->count--;
    free(e->path);
    free(e);
}

void
px_watchq_each(px_watchq *q, px_watchq_fn fn, void *ctx)
{
    for (size_t i = 0; i < q->nbuckets; i++) {
        px_wq_entry *e = q->buckets[i], *next;
        for (; e; e = next) {
            next = e->hnext;
            fn(ctx, e);
        }
    }
}

void
px_watchq_destroy(px_watchq *q)
{
    if (!q)
        return;
    for (size_t i = 0; i < q->nbuckets; i++) {
        px_wq_entry *e = q->buckets[i], *next;
        for (; e; e = next) {
            next = e->hnext;
            free(e->path);
            free(e);
        }
    }
    free(q->buckets);
    free(q);
}
