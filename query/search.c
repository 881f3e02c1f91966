/*
 * search.c — one query against the index (search.h).
 */
#include "search.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "filters.h"
#include "highlight.h"

#define PX_RETRIES 5

static char *
format(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *s = n < 0 ? NULL : malloc((size_t)n + 1);
    if (s) {
        va_start(ap, fmt);
        vsnprintf(s, (size_t)n + 1, fmt, ap);
        va_end(ap);
    }
    return s;
}

static void
free_hits(px_results_t *r)
{
    for (size_t i = 0; i < r->nhits; i++) {
        free(r->hits[i].path);
        free(r->hits[i].title);
        free(r->hits[i].text);
        free(r->hits[i].spans);
    }
    free(r->hits);
    r->hits = NULL;
    r->nhits = 0;
    r->narticles = 0;
}

void
px_results_free(px_results_t *r)
{
    if (!r)
        return;
    free_hits(r);
    px_facets_free(&r->facets);
    free(r);
}

static char *
dup_n(const char *s, size_t n)
{
    char *p = malloc(n + 1);
    if (p) {
        memcpy(p, s, n);
        p[n] = '\0';
    }
    return p;
}

/* Fill a hit from a passage document whose data is data[0, len). */
static px_status
hit_from_document(xc_document *doc, const char *data, size_t len,
                  px_hit_t *h)
{
    const char *id;
    size_t id_len;
    px_record_t r;
    if (px_record_decode(data, len, &r) != PX_OK)
        return PX_INVALID_ARGUMENT;
    h->path = dup_n(r.path, r.path_len);
    h->title = dup_n(r.title, r.title_len);
    h->text = dup_n(r.text, r.text_len);
    h->text_len = r.text_len;
    h->number = r.number;
    h->start = r.start;
    h->end = r.end;
    if (!h->path || !h->title || !h->text)
        return PX_NOMEM;
    if (xc_document_get_value(doc, PX_SLOT_ARTICLE, &id, &id_len) != XC_OK)
        return PX_XAPIAN;
    if (id_len >= PX_ARTICLE_ID_SIZE)
        id_len = PX_ARTICLE_ID_SIZE - 1;
    memcpy(h->article, id, id_len);
    h->article[id_len] = '\0';
    return PX_OK;
}

static int
add_matching(void *ctx, const char *term, size_t len)
{
    return px_termset_add(ctx, term, len) != PX_OK;
}

/* The article rank (1-based) of `id` among the first n items, adding it
 * when new. */
static uint32_t
article_rank(char (*ids)[PX_ARTICLE_ID_SIZE], size_t *n, const char *id)
{
    for (size_t i = 0; i < *n; i++) {
        if (strcmp(ids[i], id) == 0)
            return (uint32_t)(i + 1);
    }
    memcpy(ids[*n], id, PX_ARTICLE_ID_SIZE);
    return (uint32_t)++*n;
}

static int
by_article_then_rank(const void *a, const void *b)
{
    const px_hit_t *x = a, *y = b;
    if (x->article_rank != y->article_rank)
        return x->article_rank < y->article_rank ? -1 : 1;
    return x->score > y->score ? -1 : x->score < y->score;
}

typedef struct run_ctx {
    xc_enquire *enq;
    xc_mset *mset;
    px_stemmer_t *stemmer;
    px_termset wildcards;
    px_filters filters;
    const px_search_opts *opts;
    int modified; /* a call met DatabaseModifiedError: reopen, retry */
} run_ctx;

/* A binding status as a passim status, noting a database modified under
 * the reader (documents are read lazily, so any call may meet it). */
static px_status
check(run_ctx *c, xc_status xs)
{
    if (xs == XC_MODIFIED)
        c->modified = 1;
    return xs == XC_OK ? PX_OK : PX_XAPIAN;
}

static px_status
collect_hit(run_ctx *c, uint32_t i, px_hit_t *h)
{
    xc_mset_item item = {0};
    xc_document *doc = NULL;
    px_termset terms = {0};
    const char *data = NULL;
    size_t len = 0;
    px_status rc = check(c, xc_mset_get(c->mset, i, &item));
    if (rc == PX_OK)
        rc = check(c, xc_mset_get_document(c->mset, i, &doc));
    if (rc == PX_OK)
        rc = check(c, xc_document_get_data(doc, &data, &len));
    if (rc == PX_OK)
        rc = hit_from_document(doc, data, len, h);
    h->score = item.weight;
    if (rc == PX_OK)
        rc = check(c, xc_enquire_matching_terms(c->enq, item.docid,
                                                add_matching, &terms));
    if (rc == PX_OK)
        rc = px_highlight(h, &terms, &c->wildcards, c->stemmer);
    px_termset_clear(&terms);
    xc_document_destroy(doc);
    return rc;
}

/* Turn the result set into hits for articles [offset, offset + limit). */
static px_status
collect(run_ctx *c, px_results_t *r)
{
    uint32_t n = xc_mset_size(c->mset);
    char (*ids)[PX_ARTICLE_ID_SIZE] = calloc(n + 1, sizeof *ids);
    r->hits = calloc(n + 1, sizeof *r->hits);
    if (!ids || !r->hits) {
        free(ids);
        return PX_NOMEM;
    }
    size_t narticles = 0;
    uint32_t lo = c->opts->offset, hi = lo + c->opts->limit;
    px_status rc = PX_OK;
    for (uint32_t i = 0; i < n && rc == PX_OK; i++) {
        px_hit_t *h = &r->hits[r->nhits];
        rc = collect_hit(c, i, h);
        h->article_rank = article_rank(ids, &narticles, h->article);
        r->nhits++;
        if (rc == PX_OK && (h->article_rank <= lo || h->article_rank > hi)) {
            free(h->path);
            free(h->title);
            free(h->text);
            free(h->spans);
            memset(h, 0, sizeof *h);
            r->nhits--;
        }
    }
    free(ids);
    qsort(r->hits, r->nhits, sizeof *r->hits, by_article_then_rank);
    r->narticles = narticles > lo ? (narticles > hi ? hi : narticles) - lo : 0;
    return rc;
}

/* Fetch enough passages to cover offset + limit articles. An article
 * gives at most per_article passages (the collapse), so a full result set
 * of want * per_article passages holds at least `want` articles, and a
 * shorter one holds every match. */
static xc_status
fetch(run_ctx *c, px_results_t *r)
{
    /* In 64 bits: (offset + limit) * per_article can pass 2^32. */
    uint64_t want = ((uint64_t)c->opts->offset + c->opts->limit) *
                    c->opts->per_article;
    uint32_t items = want > UINT32_MAX ? UINT32_MAX : (uint32_t)want;
    xc_mset_destroy(c->mset);
    c->mset = NULL;
    xc_status xs = xc_enquire_get_mset(c->enq, 0, items, 100, &c->mset);
    if (xs == XC_OK) {
        uint32_t lo, hi;
        xc_mset_matches(c->mset, &r->estimated, &lo, &hi);
    }
    return xs;
}

static int
has_words(const char *q)
{
    for (; *q; q++) {
        if (*q != ' ' && *q != '\t' && *q != '\n')
            return 1;
    }
    return 0;
}

/* Parse the query text left once the filters are out, and filter it: a
 * query of filters alone matches every passage of the articles they
 * select. */
static px_status
build_query(run_ctx *c, xc_qparser *qp, xc_query **q, char **error)
{
    unsigned flags = XC_FLAG_DEFAULT | XC_FLAG_WILDCARD | XC_FLAG_PURE_NOT;
    const char *text = c->filters.rest;
    xc_query *parsed = NULL;
    xc_status xs = has_words(text)
                       ? xc_qparser_parse(qp, text, flags, NULL, &parsed)
                       : xc_query_create_match_all(&parsed);
    if (xs != XC_OK) {
        *error = format("malformed query: %s", xc_qparser_last_error(qp));
        return xs == XC_QUERY_SYNTAX ? PX_QUERY_SYNTAX : PX_XAPIAN;
    }
    if (!c->filters.filter) {
        *q = parsed;
        return PX_OK;
    }
    xc_query *subs[2] = {parsed, c->filters.filter};
    xs = xc_query_create_combined(XC_OP_FILTER, subs, 2, 0, q);
    xc_query_destroy(parsed);
    return xs == XC_OK ? PX_OK : PX_NOMEM;
}

static px_status
prepare(xc_database *db, xc_enquire **enq, xc_qparser **qp,
        const px_search_opts *opts, char **error)
{
    px_status rc = px_schema_qparser(db, qp);
    if (rc == PX_OK && xc_enquire_create(db, enq, error) != XC_OK)
        rc = PX_XAPIAN;
    if (rc == PX_OK &&
        (xc_enquire_set_weighting_bm25(*enq, 1.2, 0, 1, 0.75, 0.5) != XC_OK ||
         xc_enquire_set_collapse_key(*enq, PX_SLOT_ARTICLE,
                                     opts->per_article) != XC_OK))
        rc = PX_XAPIAN;
    return rc;
}

/* One attempt: parse with `op` as the default operator, run, collect. */
static xc_status
attempt(xc_database *db, run_ctx *c, xc_query_op op, px_results_t *r,
        px_status *rc, char **error)
{
    xc_qparser *qp = NULL;
    xc_query *q = NULL;
    xc_status xs = XC_OK;
    *rc = prepare(db, &c->enq, &qp, c->opts, error);
    if (*rc == PX_OK && xc_qparser_set_default_op(qp, op) != XC_OK)
        *rc = PX_XAPIAN;
    if (*rc == PX_OK)
        *rc = build_query(c, qp, &q, error);
    if (*rc == PX_OK && xc_enquire_set_query(c->enq, q, 0) != XC_OK)
        *rc = PX_XAPIAN;
    if (*rc == PX_OK) {
        xs = fetch(c, r);
        if (xs != XC_OK)
            *rc = PX_XAPIAN;
    }
    c->modified = 0;
    if (*rc == PX_OK)
        *rc = collect(c, r);
    if (*rc == PX_OK && c->opts->facets && r->nhits) {
        *rc = px_facets_count(db, q, c->opts->facets, &r->facets,
                              &c->modified);
        r->have_facets = *rc == PX_OK;
    }
    if (c->modified)
        xs = XC_MODIFIED;
    if (*rc != PX_OK && !*error)
        *error = format("search failed: %s", xc_enquire_last_error(c->enq));
    xc_query_destroy(q);
    xc_qparser_destroy(qp);
    xc_mset_destroy(c->mset);
    c->mset = NULL;
    xc_enquire_destroy(c->enq);
    c->enq = NULL;
    return xs;
}

/* Run with `op`, reopening the database when a writer changed it under
 * the reader. */
static px_status
run_with_retries(xc_database *db, run_ctx *c, xc_query_op op,
                 px_results_t *r, char **error)
{
    px_status rc = PX_XAPIAN;
    for (int i = 0; i < PX_RETRIES; i++) {
        free_hits(r);
        px_facets_free(&r->facets);
        r->have_facets = 0;
        free(*error);
        *error = NULL;
        if (attempt(db, c, op, r, &rc, error) != XC_MODIFIED)
            return rc;
        if (xc_database_reopen(db) != XC_OK)
            break;
    }
    return rc;
}

static int
count_words(const char *q)
{
    int n = 0, in_word = 0;
    for (; *q; q++) {
        int space = *q == ' ' || *q == '\t' || *q == '\n';
        n += !space && !in_word;
        in_word = !space;
    }
    return n;
}

px_status
px_search(xc_database *db, const px_search_opts *opts, px_results_t **out,
          char **error)
{
    *out = NULL;
    *error = NULL;
    px_results_t *r = calloc(1, sizeof *r);
    run_ctx c = {NULL, NULL, NULL, {0}, {0}, opts, 0};
    px_status rc = r ? px_stemmer_create(PX_LANGUAGE, &c.stemmer) : PX_NOMEM;
    if (rc == PX_OK)
        rc = px_filters_extract(opts->query, &c.filters, error);
    if (rc == PX_OK)
        rc = px_wildcards_of(c.filters.rest, &c.wildcards);
    if (rc == PX_OK)
        r->filters = c.filters.count;
    if (rc == PX_OK)
        rc = run_with_retries(db, &c, XC_OP_AND, r, error);
    if (rc == PX_OK && r->nhits == 0 && count_words(c.filters.rest) > 1) {
        rc = run_with_retries(db, &c, XC_OP_OR, r, error);
        r->fell_back_to_or = rc == PX_OK && r->nhits > 0;
    }
    px_stemmer_destroy(c.stemmer);
    px_termset_clear(&c.wildcards);
    px_filters_free(&c.filters);
    if (rc != PX_OK) {
        px_results_free(r);
        return rc;
    }
    *out = r;
    return PX_OK;
}
