/*
 * article.c — one article by its id, every passage in order
 * (px_article_get(), passim.h): the passages its "XA" term names, read
 * from their records.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "passim.h"
#include "filedated.h"
#include "index.h"
#include "passim/format.h"
#include "passim/grow.h"
#include "passim/schema.h"
#include "search.h"


typedef struct docids {
    xc_docid *id;
    size_t n, cap;
    int oom; /* the walk stopped for want of memory */
} docids;

static int
add_docid(void *ctx, xc_docid docid)
{
    docids *d = ctx;
    if (px_grow((void **)&d->id, &d->cap, d->n + 1, sizeof *d->id) != PX_OK)
        return d->oom = 1;
    d->id[d->n++] = docid;
    return 0;
}

/* Passage p from record r. */
static px_status
passage_of(const px_record *r, px_passage_view *p)
{
    p->text = px_dup_n(r->text, r->text_len);
    p->text_len = r->text_len;
    p->number = r->number;
    p->start = r->start;
    p->end = r->end;
    p->page = r->page;
    if (!p->text)
        return PX_NOMEM;
    return px_record_mentions(r, &p->mentions, &p->mention_types,
                              &p->nmentions);
}

/* The article's own fields, from its first passage document. */
static px_status
head_of(xc_document *doc, const px_record *r, px_article_view *a)
{
    const char *v = NULL;
    size_t len = 0;
    a->path = px_dup_n(r->path, r->path_len);
    a->title = px_dup_n(r->title, r->title_len);
    if (!a->path || !a->title)
        return PX_NOMEM;
    if (xc_document_get_value(doc, PX_SLOT_DATE, &v, &len) != XC_OK)
        return PX_XAPIAN;
    if (len == 8)
        snprintf(a->date, sizeof a->date, "%.4s-%.2s-%.2s", v, v + 4, v + 6);
    return PX_OK;
}

static px_status
read_passage(xc_database *db, xc_docid id, px_article_view *a, size_t i)
{
    xc_document *doc = NULL;
    const char *data = NULL;
    size_t len = 0;
    px_record r;
    px_status rc = xc_database_get_document(db, id, &doc) == XC_OK &&
                           xc_document_get_data(doc, &data, &len) == XC_OK
                       ? PX_OK : PX_XAPIAN;
    if (rc == PX_OK && px_record_decode(data, len, &r) != PX_OK)
        rc = PX_XAPIAN; /* replaced under the reader */
    if (rc == PX_OK)
        rc = passage_of(&r, &a->passages[i]);
    if (rc == PX_OK && i == 0)
        rc = head_of(doc, &r, a);
    xc_document_destroy(doc);
    return rc;
}

static int
by_number(const void *x, const void *y)
{
    const px_passage_view *a = x, *b = y;
    return (a->number > b->number) - (a->number < b->number);
}

static int
valid_id(const char *id)
{
    size_t n = id ? strlen(id) : 0;
    return n == PX_ARTICLE_ID_SIZE - 1 &&
           strspn(id, "0123456789abcdef") == n;
}

static px_status
read_article(xc_database *db, const char *id, px_article_view *a)
{
    char term[sizeof PX_PREFIX_ARTICLE + PX_ARTICLE_ID_SIZE];
    docids d = {0};
    int modified = 0;
    unsigned char dated = 0;
    snprintf(term, sizeof term, "%s%s", PX_PREFIX_ARTICLE, id);
    px_status rc = xc_database_postlist(db, term, strlen(term), add_docid,
                                        &d) == XC_OK ? PX_OK : PX_XAPIAN;
    if (rc == PX_OK && d.oom)
        rc = PX_NOMEM;
    if (rc == PX_OK && d.n == 0)
        rc = PX_NOT_FOUND;
    if (rc == PX_OK && !(a->passages = calloc(d.n, sizeof *a->passages)))
        rc = PX_NOMEM;
    for (size_t i = 0; rc == PX_OK && i < d.n; i++) {
        a->npassages = i + 1; /* freed whole even when read in part */
        rc = read_passage(db, d.id[i], a, i);
    }
    if (rc == PX_OK)
        rc = px_file_dated_mark(db, d.id, 1, &dated, &modified);
    a->file_dated = dated;
    if (rc == PX_OK)
        qsort(a->passages, a->npassages, sizeof *a->passages, by_number);
    free(d.id);
    return rc;
}

px_status
px_article_get(px_index *ix, const char *id, px_article_view **out,
               char **error)
{
    xc_database *db = NULL;
    *out = NULL;
    if (error)
        *error = NULL;
    if (!valid_id(id)) {
        if (error)
            *error = px_asprintf("'%s' is not an article id (16 hex digits)",
                                 id ? id : "");
        return PX_INVALID_ARGUMENT;
    }
    px_status rc = px_index_group(ix, &db);
    px_article_view *a = rc == PX_OK ? calloc(1, sizeof *a) : NULL;
    if (rc == PX_OK && !a)
        rc = PX_NOMEM;
    if (rc == PX_OK) {
        memcpy(a->id, id, PX_ARTICLE_ID_SIZE);
        rc = read_article(db, id, a);
    }
    if (rc != PX_OK) {
        if (error && !*error)
            *error = px_asprintf("article %s: %s", id,
                                 rc == PX_NOT_FOUND ? "not in the index"
                                                    : px_status_to_string(rc));
        px_article_view_free(a);
        return rc;
    }
    *out = a;
    return PX_OK;
}

void
px_article_view_free(px_article_view *a)
{
    if (!a)
        return;
    for (size_t i = 0; i < a->npassages; i++) {
        free(a->passages[i].text);
        free(a->passages[i].mentions);
        free(a->passages[i].mention_types);
    }
    free(a->passages);
    free(a->path);
    free(a->title);
    free(a);
}
