/*
 * dupes.c — articles with the same text, shown once (dupes.h).
 */
#include "dupes.h"

#include <stdlib.h>
#include <string.h>

#include "passim/catalog.h"

/* The catalog entry of `id` in the first database that has one. */
static px_status
entry_of(xc_database *const *dbs, size_t ndbs, const char *id,
         px_file_info *info, char **path)
{
    px_status rc = PX_NOT_FOUND;
    for (size_t i = 0; i < ndbs && rc == PX_NOT_FOUND; i++)
        rc = px_catalog_get(dbs[i], id, info, path);
    return rc;
}

px_status
px_dupes_find(xc_database *const *dbs, size_t ndbs, const char *const *ids,
              size_t n, size_t want, px_dupes *out)
{
    out->n = n;
    out->of = calloc(n + 1, sizeof *out->of);
    out->path = calloc(n + 1, sizeof *out->path);
    out->id = calloc(n + 1, sizeof *out->id);
    uint64_t *hash = calloc(n + 1, sizeof *hash);
    unsigned char *known = calloc(n + 1, 1);
    px_status rc =
        out->of && out->path && out->id && hash && known ? PX_OK : PX_NOMEM;
    size_t distinct = 0;
    for (size_t i = 0; i < n && rc == PX_OK; i++) {
        out->of[i] = (uint32_t)i;
        strncpy(out->id[i], ids[i], PX_ARTICLE_ID_SIZE - 1);
        if (distinct >= want)
            continue;
        px_file_info info = {0};
        px_status e = entry_of(dbs, ndbs, ids[i], &info, &out->path[i]);
        if (e == PX_NOMEM)
            rc = e;
        known[i] = e == PX_OK;
        hash[i] = info.hash;
        /* Linear: the articles of one page, a few dozen. */
        for (size_t j = 0; known[i] && j < i; j++) {
            if (known[j] && out->of[j] == j && hash[j] == hash[i]) {
                out->of[i] = (uint32_t)j;
                break;
            }
        }
        distinct += out->of[i] == i;
    }
    free(hash);
    free(known);
    if (rc != PX_OK)
        px_dupes_clear(out);
    return rc;
}

/* The paths of the copies of article i, to each of h[0, n). */
static px_status
add_copies(const px_dupes *d, size_t i, px_hit *h, size_t n)
{
    for (size_t j = i + 1; j < d->n; j++) {
        if (d->of[j] != i || !d->path[j])
            continue;
        for (size_t k = 0; k < n; k++) {
            char **p = realloc(h[k].copies, (h[k].ncopies + 1) * sizeof *p);
            if (!p)
                return PX_NOMEM;
            h[k].copies = p;
            if (!(p[h[k].ncopies] = strdup(d->path[j])))
                return PX_NOMEM;
            h[k].ncopies++;
        }
    }
    return PX_OK;
}

px_status
px_dupes_attach(const px_dupes *d, px_hit *hits, size_t n)
{
    px_status rc = PX_OK;
    for (size_t h = 0, e; h < n && rc == PX_OK; h = e) {
        e = h + 1;
        while (e < n && strcmp(hits[e].article, hits[h].article) == 0)
            e++;
        for (size_t i = 0; i < d->n; i++) {
            if (strcmp(d->id[i], hits[h].article) == 0) {
                rc = add_copies(d, i, hits + h, e - h);
                break;
            }
        }
    }
    return rc;
}

void
px_dupes_clear(px_dupes *d)
{
    for (size_t i = 0; d->path && i < d->n; i++)
        free(d->path[i]);
    free(d->path);
    free(d->of);
    free(d->id);
    *d = (px_dupes){0, NULL, NULL, NULL};
}
