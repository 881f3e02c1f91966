/*
 * filedated.c — which articles are dated by their file's time
 * (filedated.h).
 */
#include "filedated.h"

#include <stdlib.h>
#include <string.h>

#include "passim/schema.h"

static px_status
status_of(xc_status xs, int *modified)
{
    if (xs == XC_MODIFIED)
        *modified = 1;
    return xs == XC_OK ? PX_OK : PX_XAPIAN;
}

px_status
px_file_dated_count(xc_database *db, const xc_query *sel, uint32_t *articles,
                    int *known, int *modified)
{
    char *v = NULL;
    *articles = 0;
    xc_status xs = xc_database_get_metadata(
        db, PX_META_FILE_DATED, strlen(PX_META_FILE_DATED), &v, NULL);
    *known = xs == XC_OK && v && strcmp(v, "1") == 0;
    free(v);
    if (!*known)
        return status_of(xs, modified);
    xc_query *term = NULL, *both = NULL;
    xc_enquire *enq = NULL;
    xc_mset *mset = NULL;
    uint32_t docs = 0;
    xs = xc_query_create_term(PX_TERM_FILE_DATED, strlen(PX_TERM_FILE_DATED), 1,
                              &term);
    xc_query *subs[2] = {(xc_query *)sel, term};
    if (xs == XC_OK)
        xs = xc_query_create_combined(XC_OP_FILTER, subs, 2, 0, &both);
    if (xs == XC_OK)
        xs = xc_enquire_create(db, &enq, NULL);
    if (xs == XC_OK)
        xs = xc_enquire_set_query(enq, both, 0);
    if (xs == XC_OK)
        xs = xc_enquire_set_weighting_bool(enq);
    if (xs == XC_OK)
        xs = xc_enquire_set_collapse_key(enq, PX_SLOT_ARTICLE, 1);
    if (xs == XC_OK)
        xs = xc_database_doccount(db, &docs);
    if (xs == XC_OK)
        xs = xc_enquire_get_mset(enq, 0, docs, 0, &mset);
    if (xs == XC_OK)
        *articles = xc_mset_size(mset);
    xc_mset_destroy(mset);
    xc_enquire_destroy(enq);
    xc_query_destroy(both);
    xc_query_destroy(term);
    return status_of(xs, modified);
}

static int
by_docid(const void *a, const void *b)
{
    xc_docid x = *(const xc_docid *)a, y = *(const xc_docid *)b;
    return x < y ? -1 : x > y;
}

px_status
px_file_dated_mark(xc_database *db, const xc_docid *docids, size_t n,
                   unsigned char *dated, int *modified)
{
    xc_docid *sorted = malloc((n + 1) * sizeof *sorted);
    unsigned char *has = calloc(n + 1, 1);
    px_status rc = sorted && has ? PX_OK : PX_NOMEM;
    if (rc == PX_OK) {
        memcpy(sorted, docids, n * sizeof *sorted);
        qsort(sorted, n, sizeof *sorted, by_docid);
        rc = status_of(xc_database_term_in(db, PX_TERM_FILE_DATED,
                                           strlen(PX_TERM_FILE_DATED), sorted,
                                           n, has),
                       modified);
    }
    for (size_t i = 0; rc == PX_OK && i < n; i++) {
        xc_docid *at = bsearch(&docids[i], sorted, n, sizeof *sorted, by_docid);
        dated[i] |= has[at - sorted];
    }
    free(sorted);
    free(has);
    return rc;
}
