/*
 * search.c — one query against the index (search.h).
 */
#include "search.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "facets_remote.h"
#include "facets_vote.h"
#include "dupes.h"
#include "filedated.h"
#include "filters.h"
#include "highlight.h"
#include "passim/format.h"
#include "passim/utf8.h"
#include "rerank.h"

#define PX_RETRIES 12

/* Bounds on one query, so that any query answers or fails within a
 * second on news-bbc (2,225 articles): 20,000 words took 10 s, 60 KB of
 * random bytes 42 s, 10,000 times "NOT said" 6 s. Typed and pasted
 * questions stay far below (SciFact's longest claim: 32 words). */
#define PX_QUERY_MAX_BYTES 4096
#define PX_QUERY_MAX_WORDS 256

static void
free_hits(px_results *r)
{
    for (size_t i = 0; i < r->nhits; i++) {
        free(r->hits[i].path);
        free(r->hits[i].title);
        free(r->hits[i].text);
        free(r->hits[i].spans);
        free(r->hits[i].mentions);
        free(r->hits[i].mention_types);
        for (size_t k = 0; k < r->hits[i].ncopies; k++)
            free(r->hits[i].copies[k]);
        free(r->hits[i].copies);
    }
    free(r->hits);
    r->hits = NULL;
    r->nhits = 0;
    r->narticles = 0;
}

void
px_results_free(px_results *r)
{
    if (!r)
        return;
    free_hits(r);
    px_facets_free(&r->facets);
    for (size_t i = 0; i < r->nnames; i++)
        px_name_match_clear(&r->names[i]);
    free(r->names);
    for (size_t i = 0; i < r->nfailed; i++) {
        free(r->failed[i].name);
        free(r->failed[i].why);
    }
    free(r->failed);
    free(r);
}

char *
px_dup_n(const char *s, size_t n)
{
    char *p = malloc(n + 1);
    if (p) {
        memcpy(p, s, n);
        p[n] = '\0';
    }
    return p;
}

static int
count_mention(void *ctx, int type, size_t start, size_t end)
{
    (void)type, (void)start, (void)end;
    ++*(size_t *)ctx;
    return 0;
}

typedef struct kept {
    px_span *spans;
    int *types;
    size_t n;
} kept;

static int
keep_mention(void *ctx, int type, size_t start, size_t end)
{
    kept *k = ctx;
    k->spans[k->n] = (px_span){start, end};
    k->types[k->n++] = type;
    return 0;
}

px_status
px_record_mentions(const px_record *r, px_span **spans, int **types,
                   size_t *n)
{
    size_t count = 0;
    *spans = NULL;
    *types = NULL;
    *n = 0;
    px_mentions_each(r->mentions, r->mentions_len, r->text_len,
                     count_mention, &count);
    if (count == 0)
        return PX_OK;
    kept k = {malloc(count * sizeof *k.spans), malloc(count * sizeof *k.types),
              0};
    if (!k.spans || !k.types) {
        free(k.spans);
        free(k.types);
        return PX_NOMEM;
    }
    px_mentions_each(r->mentions, r->mentions_len, r->text_len,
                     keep_mention, &k);
    *spans = k.spans;
    *types = k.types;
    *n = k.n;
    return PX_OK;
}

/* Fill a hit of article `id` from a passage document's data, data[0,
 * len). */
static px_status
hit_from_data(const char *id, const char *data, size_t len, px_hit *h)
{
    px_record r;
    if (px_record_decode(data, len, &r) != PX_OK)
        return PX_INVALID_ARGUMENT;
    h->path = px_dup_n(r.path, r.path_len);
    h->title = px_dup_n(r.title, r.title_len);
    h->text = px_dup_n(r.text, r.text_len);
    h->text_len = r.text_len;
    h->number = r.number;
    h->start = r.start;
    h->end = r.end;
    h->page = r.page;
    if (!h->path || !h->title || !h->text)
        return PX_NOMEM;
    if (px_record_mentions(&r, &h->mentions, &h->mention_types,
                           &h->nmentions) != PX_OK)
        return PX_NOMEM;
    memcpy(h->article, id, PX_ARTICLE_ID_SIZE);
    return PX_OK;
}

static int
add_matching(void *ctx, const char *term, size_t len)
{
    return px_termset_add(ctx, term, len) != PX_OK;
}

static int
by_article_then_rank(const void *a, const void *b)
{
    const px_hit *x = a, *y = b;
    if (x->article_rank != y->article_rank)
        return x->article_rank < y->article_rank ? -1 : 1;
    return x->score > y->score ? -1 : x->score < y->score;
}

struct px_searcher {
    xc_database *db;
    px_parsers parsers;
    px_stemmer *stemmer;
    px_rank_opts rank;
    px_vote_cache *votes; /* name types, until the database changes */
};

px_status
px_searcher_create(xc_database *db, const px_rank_opts *rank,
                   px_searcher **out)
{
    px_searcher *s = calloc(1, sizeof *s);
    *out = NULL;
    if (!s)
        return PX_NOMEM;
    s->db = db;
    if (rank)
        s->rank = *rank;
    else
        px_rank_defaults(&s->rank);
    px_status rc = px_parsers_create(db, &s->parsers);
    if (rc == PX_OK)
        rc = px_stemmer_create(PX_LANGUAGE, &s->stemmer);
    if (rc == PX_OK && !(s->votes = px_vote_cache_create()))
        rc = PX_NOMEM;
    if (rc != PX_OK) {
        px_searcher_destroy(s);
        return rc;
    }
    *out = s;
    return PX_OK;
}

void
px_searcher_destroy(px_searcher *s)
{
    if (!s)
        return;
    px_parsers_destroy(&s->parsers);
    px_stemmer_destroy(s->stemmer);
    px_vote_cache_destroy(s->votes);
    free(s);
}

void
px_searcher_forget(px_searcher *s)
{
    px_vote_cache_clear(s->votes);
}

typedef struct run_ctx {
    px_searcher *s;
    xc_enquire *enq;
    xc_mset *mset;
    px_termset wildcards;
    px_termset qterms;  /* the ranking query's terms */
    int per_hit_terms;  /* highlight from each hit's matching terms */
    px_filters filters;
    xc_query *filter; /* the filters joined on the database as opened */
    int joined;       /* filter is set for the database as opened */
    const px_search_opts *opts;
    const xc_query *query; /* the ranking query */
    int is_long;
    uint32_t extra;   /* articles fetched beyond the page, for copies */
    uint32_t items;   /* passages the last fetch asked for */
    int short_of_copies; /* copies left the page short of a full mset */
    int modified; /* a call met DatabaseModifiedError: reopen, retry */
    xc_status failed; /* the first failure of this attempt */
} run_ctx;

/* A binding status as a passim status, noting a database modified under
 * the reader (documents are read lazily, so any call may meet it). A
 * document that vanished or reads as damaged while a writer commits is
 * taken the same way: the retry on a reopened database settles it, and a
 * real fault fails again there and is reported. */
static px_status
check(run_ctx *c, xc_status xs)
{
    if (xs == XC_MODIFIED || xs == XC_NOT_FOUND || xs == XC_CORRUPT)
        c->modified = 1;
    if (xs != XC_OK && c->failed == XC_OK)
        c->failed = xs;
    return xs == XC_OK ? PX_OK : PX_XAPIAN;
}

/* Item i's article id: its collapse key, which the match read. */
static px_status
read_article_id(run_ctx *c, xc_mset *m, uint32_t i,
                char id[PX_ARTICLE_ID_SIZE])
{
    const char *v = NULL;
    size_t len = 0;
    px_status rc = check(c, xc_mset_collapse_key(m, i, &v, &len));
    if (len >= PX_ARTICLE_ID_SIZE)
        len = PX_ARTICLE_ID_SIZE - 1;
    if (rc == PX_OK)
        memcpy(id, v, len);
    id[len] = '\0';
    return rc;
}

/* The article date of a passage (PX_SLOT_DATE, YYYYMMDD) as YYYY-MM-DD. */
static xc_status
read_date(xc_document *doc, char date[11])
{
    const char *v = NULL;
    size_t len = 0;
    xc_status xs = xc_document_get_value(doc, PX_SLOT_DATE, &v, &len);
    date[0] = '\0';
    if (xs == XC_OK && len == 8)
        snprintf(date, 11, "%.4s-%.2s-%.2s", v, v + 4, v + 6);
    return xs;
}

/* Item i of result set m as hit h; *docid gets its passage's docid. */
static px_status
collect_hit(run_ctx *c, xc_mset *m, uint32_t i, px_hit *h, xc_docid *docid)
{
    xc_mset_item item = {0};
    xc_document *doc = NULL;
    px_termset terms = {0};
    const char *data = NULL;
    size_t len = 0;
    px_status rc = check(c, xc_mset_get(m, i, &item));
    *docid = item.docid;
    if (rc == PX_OK)
        rc = check(c, xc_mset_get_document(m, i, &doc));
    if (rc == PX_OK)
        rc = check(c, xc_document_get_data(doc, &data, &len));
    /* The article id is the item's collapse key, which the match read. */
    char id[PX_ARTICLE_ID_SIZE];
    if (rc == PX_OK)
        rc = read_article_id(c, m, i, id);
    if (rc == PX_OK)
        rc = hit_from_data(id, data, len, h);
    if (rc == PX_OK)
        rc = check(c, read_date(doc, h->date));
    /* Data that is no passage record was read while a writer replaced the
     * document: retry on a reopened database like any modification. */
    if (rc == PX_INVALID_ARGUMENT) {
        c->modified = 1;
        if (c->failed == XC_OK)
            c->failed = XC_CORRUPT;
    }
    h->score = item.weight;
    if (rc == PX_OK && !c->opts->bare && c->per_hit_terms)
        rc = check(c, xc_enquire_matching_terms(c->enq, item.docid,
                                                add_matching, &terms));
    if (rc == PX_OK && !c->opts->bare)
        rc = px_highlight(h, c->per_hit_terms ? &terms : &c->qterms,
                          &c->wildcards, c->s->stemmer);
    px_termset_clear(&terms);
    xc_document_destroy(doc);
    return rc;
}

/* The articles of a result set, scored from their passages. */
typedef struct article {
    char id[PX_ARTICLE_ID_SIZE];
    double score;
    uint32_t first;  /* its best passage's index in the result set */
    uint32_t passages;
    uint32_t rank;   /* 1-based, by score */
    uint32_t shown;
    int tier;        /* 0 rescored by the second stage (or no second
                      * stage), 1 after them */
} article;

typedef struct articles {
    article *a;
    size_t n;
    uint32_t *slot;  /* open addressing: index + 1, 0 = empty */
    size_t mask;
    uint32_t *of;    /* the article of each result */
    article **order; /* by rank, copies included */
    px_dupes dupes;  /* over order */
    size_t distinct; /* articles that are no copy */
} articles;

static void
articles_free(articles *as)
{
    free(as->a);
    free(as->slot);
    free(as->of);
    free(as->order);
    px_dupes_clear(&as->dupes);
}

static size_t
hash_id(const char *id)
{
    size_t h = 5381;
    for (; *id; id++)
        h = h * 33 + (unsigned char)*id;
    return h;
}

/* The slot of article `id`: its index + 1, or the empty slot where it
 * would go. */
static size_t
slot_of(const articles *as, const char *id)
{
    size_t h = hash_id(id) & as->mask;
    while (as->slot[h] && strcmp(as->a[as->slot[h] - 1].id, id) != 0)
        h = (h + 1) & as->mask;
    return h;
}

/* The article `id` of the result set, or NULL. */
static article *
find_article(const articles *as, const char *id)
{
    uint32_t k = as->slot[slot_of(as, id)];
    return k ? &as->a[k - 1] : NULL;
}

/* The index of article `id`, added when new. */
static uint32_t
article_of(articles *as, const char *id, uint32_t item)
{
    size_t h = slot_of(as, id);
    if (as->slot[h])
        return as->slot[h] - 1;
    article *a = &as->a[as->n];
    memcpy(a->id, id, PX_ARTICLE_ID_SIZE);
    a->first = item;
    as->slot[h] = (uint32_t)++as->n;
    return (uint32_t)(as->n - 1);
}

/* --sort date: the result set is in date order already (prepare()). */
static int
by_first(const void *x, const void *y)
{
    const article *a = *(article *const *)x, *b = *(article *const *)y;
    return a->first < b->first ? -1 : a->first > b->first;
}

static int
by_score(const void *x, const void *y)
{
    const article *a = *(article *const *)x, *b = *(article *const *)y;
    if (a->tier != b->tier)
        return a->tier < b->tier ? -1 : 1;
    if (a->score != b->score)
        return a->score > b->score ? -1 : 1;
    return a->first < b->first ? -1 : a->first > b->first;
}

/* A passage of the result set and its article, for the second stage. */
typedef struct candidate {
    xc_docid docid;
    uint32_t article;
} candidate;

static int
by_docid(const void *x, const void *y)
{
    const candidate *a = x, *b = y;
    return a->docid < b->docid ? -1 : a->docid > b->docid;
}

/* The passages of the result set whose article is among the first
 * `top`, by docid. */
static px_status
candidates(run_ctx *c, uint32_t n, const articles *as, size_t top,
           candidate *cs, size_t *ncs)
{
    px_status rc = PX_OK;
    *ncs = 0;
    for (uint32_t i = 0; i < n && rc == PX_OK; i++) {
        xc_mset_item item = {0};
        if (as->of[i] >= top)
            continue;
        rc = check(c, xc_mset_get(c->mset, i, &item));
        cs[*ncs].docid = item.docid;
        cs[(*ncs)++].article = as->of[i];
    }
    qsort(cs, *ncs, sizeof *cs, by_docid);
    return rc;
}

/* The words the articles [0, top) match, from the passages cs[0, n). */
static px_status
match_articles(run_ctx *c, const px_rerank *r, const candidate *cs, size_t n,
               px_rerank_match *am)
{
    xc_docid *ids = malloc((n + 1) * sizeof *ids);
    px_rerank_match *pm = calloc(n + 1, sizeof *pm);
    px_status rc = ids && pm ? PX_OK : PX_NOMEM;
    for (size_t i = 0; i < n && rc == PX_OK; i++)
        ids[i] = cs[i].docid;
    if (rc == PX_OK)
        rc = px_rerank_match_all(r, c->s->db, ids, n, pm);
    for (size_t i = 0; i < n && rc == PX_OK; i++) {
        for (size_t w = 0; w < r->n; w++)
            am[cs[i].article].how[w] |= pm[i].how[w];
    }
    free(ids);
    free(pm);
    return rc;
}

/* The second stage of a long query (rerank.h): its best `rerank`
 * articles (by the first stage, articles in order of their best passage)
 * rescored by the words their passages in the result set have, the rest
 * after them (tier 1). */
static px_status
rescore(run_ctx *c, uint32_t n, articles *as)
{
    const px_rank_opts *o = &c->s->rank;
    size_t top = as->n < o->rerank ? as->n : o->rerank, ncs = 0;
    px_rerank r;
    px_rerank_match *m = calloc(top + 1, sizeof *m);
    candidate *cs = calloc((size_t)n + 1, sizeof *cs);
    px_status rc = m && cs ? PX_OK : PX_NOMEM;
    if (rc == PX_OK)
        rc = px_rerank_init(&r, c->s->db, c->query);
    if (rc == PX_OK)
        rc = candidates(c, n, as, top, cs, &ncs);
    if (rc == PX_OK)
        rc = match_articles(c, &r, cs, ncs, m);
    /* The rest scaled by the smallest factor: their scores stay below
     * (trec_eval orders by score). */
    double least = 1;
    for (size_t i = 0; i < top && rc == PX_OK; i++) {
        double f = px_rerank_factor(&r, o, &m[i]);
        as->a[i].score *= f;
        least = f < least ? f : least;
    }
    for (size_t i = top; i < as->n && rc == PX_OK; i++) {
        as->a[i].tier = 1;
        as->a[i].score *= least;
    }
    free(m);
    free(cs);
    if (rc == PX_XAPIAN)
        check(c, XC_ERROR);
    return rc;
}

/* Rank the articles of as->order, a copy of a better one (dupes.h)
 * getting no rank of its own (0). */
static px_status
rank_distinct(run_ctx *c, articles *as)
{
    const char **ids = calloc(as->n + 1, sizeof *ids);
    if (!ids)
        return PX_NOMEM;
    for (size_t i = 0; i < as->n; i++)
        ids[i] = as->order[i]->id;
    xc_database *const *dbs = c->opts->ncatalogs ? c->opts->catalogs
                                                 : &c->s->db;
    size_t ndbs = c->opts->ncatalogs ? c->opts->ncatalogs : 1;
    size_t want = c->opts->all_copies
                      ? 0 : (size_t)c->opts->offset + c->opts->limit;
    px_status rc = px_dupes_find(dbs, ndbs, ids, as->n, want, &as->dupes);
    free(ids);
    as->distinct = 0;
    for (size_t i = 0; rc == PX_OK && i < as->n; i++)
        as->order[i]->rank = as->dupes.of[i] == i
                                 ? (uint32_t)++as->distinct : 0;
    return rc;
}

/* Score each article of the result set: its best passage, plus `fusion`
 * times each next one up to `depth` passages; then rank them. */
static px_status
score_articles(run_ctx *c, uint32_t n, articles *as)
{
    const px_rank_opts *o = &c->s->rank;
    size_t cap = 16;
    while (cap < 2 * (size_t)n)
        cap *= 2;
    as->mask = cap - 1;
    as->a = calloc(n + 1, sizeof *as->a);
    as->slot = calloc(cap, sizeof *as->slot);
    as->of = calloc(n + 1, sizeof *as->of);
    article **order = as->order = calloc(n + 1, sizeof *order);
    px_status rc = as->a && as->slot && as->of && order ? PX_OK : PX_NOMEM;
    for (uint32_t i = 0; i < n && rc == PX_OK; i++) {
        xc_mset_item item = {0};
        char id[PX_ARTICLE_ID_SIZE];
        rc = check(c, xc_mset_get(c->mset, i, &item));
        if (rc == PX_OK)
            rc = read_article_id(c, c->mset, i, id);
        if (rc != PX_OK)
            break;
        article *a = &as->a[as->of[i] = article_of(as, id, i)];
        if (a->passages++ == 0)
            a->score = item.weight;
        else if (a->passages <= o->depth)
            a->score += o->fusion * item.weight;
    }
    if (rc == PX_OK && c->is_long && px_rerank_on(o))
        rc = rescore(c, n, as);
    for (size_t i = 0; rc == PX_OK && i < as->n; i++)
        order[i] = &as->a[i];
    if (rc == PX_OK)
        qsort(order, as->n, sizeof *order,
              c->opts->sort_date ? by_first : by_score);
    if (rc == PX_OK)
        rc = rank_distinct(c, as);
    return rc;
}

/* Which hits (their passages docids[0, r->nhits)) are dated by their
 * file's time (filedated.h). */
static px_status
mark_file_dated(run_ctx *c, px_results *r, const xc_docid *docids)
{
    unsigned char *dated = calloc(r->nhits + 1, 1);
    if (!dated)
        return PX_NOMEM;
    px_status rc = px_file_dated_mark(c->s->db, docids, r->nhits, dated,
                                      &c->modified);
    for (size_t i = 0; rc == PX_OK && i < r->nhits; i++)
        r->hits[i].file_dated = dated[i];
    free(dated);
    return rc;
}

/* Passages per article the result set keeps: those shown, and those the
 * article's score counts. */
static uint32_t
collapse_max(const run_ctx *c)
{
    const px_rank_opts *o = &c->s->rank;
    uint32_t depth = o->fusion > 0 ? o->depth : 1;
    if (c->is_long && px_rerank_on(o) && o->cover_depth > depth)
        depth = o->cover_depth;
    return depth > c->opts->per_article ? depth : c->opts->per_article;
}

static px_status set_ranking(run_ctx *c, const xc_query *q);

/* Whether the page (ranks in (offset, offset + limit]; a copy has rank
 * 0) shows article a, and wants more of its passages. */
static int
wants_more(const run_ctx *c, const article *a)
{
    uint32_t lo = c->opts->offset, hi = lo + c->opts->limit;
    return a->rank > lo && a->rank <= hi && a->shown < c->opts->per_article;
}

/* Item i of result set m as the next hit of r, a passage of article a;
 * docids[] gets its docid. */
static px_status
add_hit(run_ctx *c, xc_mset *m, uint32_t i, article *a, px_results *r,
        xc_docid *docids)
{
    px_status rc = collect_hit(c, m, i, &r->hits[r->nhits],
                               &docids[r->nhits]);
    px_hit *h = &r->hits[r->nhits++];
    h->article_rank = a->rank;
    h->article_score = a->score;
    a->shown++;
    return rc;
}

/* The ranking query restricted to the page's articles that want more
 * passages (wants_more()) and have more in the index than the result set
 * holds (their article term's frequency): FILTER(query, OR(their article
 * terms)). *n gets how many; none, and *out stays NULL. */
static px_status
page_query(run_ctx *c, const articles *as, size_t *n, xc_query **out)
{
    xc_query **terms = calloc(c->opts->limit + 1, sizeof *terms);
    px_status rc = terms ? PX_OK : PX_NOMEM;
    *n = 0;
    for (size_t i = 0; i < as->n && rc == PX_OK && *n < c->opts->limit;
         i++) {
        if (!wants_more(c, &as->a[i]))
            continue;
        char term[sizeof PX_PREFIX_ARTICLE + PX_ARTICLE_ID_SIZE];
        int len = snprintf(term, sizeof term, "%s%s", PX_PREFIX_ARTICLE,
                           as->a[i].id);
        uint32_t passages = 0;
        rc = check(c, xc_database_termfreq(c->s->db, term, (size_t)len,
                                           &passages));
        if (rc != PX_OK || passages <= as->a[i].passages)
            continue;
        if (xc_query_create_term(term, (size_t)len, 1, &terms[(*n)++]) !=
            XC_OK)
            rc = PX_NOMEM;
    }
    xc_query *any = NULL;
    if (rc == PX_OK && *n &&
        xc_query_create_combined(XC_OP_OR, terms, *n, 0, &any) != XC_OK)
        rc = PX_NOMEM;
    xc_query *both[2] = {(xc_query *)c->query, any};
    if (rc == PX_OK && any &&
        xc_query_create_combined(XC_OP_FILTER, both, 2, 0, out) != XC_OK)
        rc = PX_NOMEM;
    for (size_t i = 0; i < *n; i++)
        xc_query_destroy(terms[i]);
    free(terms);
    xc_query_destroy(any);
    return rc;
}

static int
has_docid(const xc_docid *docids, size_t n, xc_docid d)
{
    for (size_t i = 0; i < n; i++) {
        if (docids[i] == d)
            return 1;
    }
    return 0;
}

/* Add to the page the passages of its articles that result set m (the
 * ranking query on those articles alone) has beyond those shown. */
static px_status
add_page_passages(run_ctx *c, xc_mset *m, articles *as, px_results *r,
                  xc_docid *docids, size_t cap)
{
    px_status rc = PX_OK;
    for (uint32_t i = 0; i < xc_mset_size(m) && rc == PX_OK; i++) {
        char id[PX_ARTICLE_ID_SIZE];
        xc_mset_item item = {0};
        rc = read_article_id(c, m, i, id);
        if (rc == PX_OK)
            rc = check(c, xc_mset_get(m, i, &item));
        article *a = rc == PX_OK ? find_article(as, id) : NULL;
        if (a && wants_more(c, a) && r->nhits < cap &&
            !has_docid(docids, r->nhits, item.docid))
            rc = add_hit(c, m, i, a, r, docids);
    }
    return rc;
}

/* A result set cut at c->items passages may hold fewer of an article's
 * best per_article passages than the article has: the rest rank below
 * the cut. The page's articles short of them are searched again alone,
 * so that an article shows the same passages on any page. */
static px_status
fill_page(run_ctx *c, articles *as, px_results *r, xc_docid *docids,
          size_t cap)
{
    size_t n = 0;
    xc_query *q = NULL;
    xc_mset *m = NULL;
    px_status rc = page_query(c, as, &n, &q);
    if (rc != PX_OK || !q)
        return rc;
    /* The facets spy counted the first match; it sees no other. */
    rc = check(c, xc_enquire_clear_matchspies(c->enq));
    if (rc == PX_OK)
        rc = set_ranking(c, q);
    uint64_t items = (uint64_t)n * collapse_max(c);
    if (rc == PX_OK)
        rc = check(c, xc_enquire_get_mset(c->enq, 0,
                                          items > UINT32_MAX
                                              ? UINT32_MAX
                                              : (uint32_t)items,
                                          0, &m));
    if (rc == PX_OK)
        rc = add_page_passages(c, m, as, r, docids, cap);
    xc_mset_destroy(m);
    xc_query_destroy(q);
    px_status back = set_ranking(c, c->query);
    return rc == PX_OK ? back : rc;
}

/* Turn the result set into hits for articles [offset, offset + limit),
 * at most per_article passages each (the best). The hits' article_rank
 * counts from the first article of the whole list. */
static px_status
collect(run_ctx *c, px_results *r)
{
    uint32_t n = xc_mset_size(c->mset);
    articles as = {0};
    px_status rc = score_articles(c, n, &as);
    r->hits = rc == PX_OK ? calloc(n + 1, sizeof *r->hits) : NULL;
    if (rc == PX_OK && !r->hits)
        rc = PX_NOMEM;
    uint32_t lo = c->opts->offset, hi = lo + c->opts->limit;
    xc_docid *docids = rc == PX_OK ? calloc(n + 1, sizeof *docids) : NULL;
    if (rc == PX_OK && !docids)
        rc = PX_NOMEM;
    for (uint32_t i = 0; i < n && rc == PX_OK; i++) {
        article *a = &as.a[as.of[i]];
        if (wants_more(c, a))
            rc = add_hit(c, c->mset, i, a, r, docids);
    }
    if (rc == PX_OK && n >= c->items)
        rc = fill_page(c, &as, r, docids, n);
    if (rc == PX_OK)
        rc = mark_file_dated(c, r, docids);
    free(docids);
    if (rc == PX_OK)
        qsort(r->hits, r->nhits, sizeof *r->hits, by_article_then_rank);
    if (rc == PX_OK)
        rc = px_dupes_attach(&as.dupes, r->hits, r->nhits);
    r->narticles = as.distinct > lo
                       ? (as.distinct > hi ? hi : as.distinct) - lo : 0;
    c->short_of_copies = as.distinct < hi && as.distinct < as.n &&
                         n >= c->items;
    articles_free(&as);
    return rc;
}

/* Fetch enough passages to cover offset + limit articles. An article
 * gives at most collapse_max passages, so a full result set of want *
 * collapse_max passages holds at least `want` articles, and a shorter one
 * holds every match. */
static xc_status
fetch(run_ctx *c, px_results *r, uint32_t check_at_least)
{
    /* In 64 bits: (offset + limit) * per_article can pass 2^32. */
    uint64_t top = (uint64_t)c->opts->offset + c->opts->limit + c->extra;
    if (c->is_long && px_rerank_on(&c->s->rank) && top < c->s->rank.rerank)
        top = c->s->rank.rerank;
    uint64_t want = top * collapse_max(c);
    uint32_t items = want > UINT32_MAX ? UINT32_MAX : (uint32_t)want;
    c->items = items;
    xc_mset_destroy(c->mset);
    c->mset = NULL;
    xc_status xs = xc_enquire_get_mset(c->enq, 0, items, check_at_least,
                                       &c->mset);
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

/* q restricted by the query's filters (q is consumed). */
static px_status
filtered(run_ctx *c, xc_query *q, xc_query **out)
{
    if (!c->filter || !q) {
        *out = q;
        return q ? PX_OK : PX_NOMEM;
    }
    xc_query *subs[2] = {q, c->filter};
    xc_status xs = xc_query_create_combined(XC_OP_FILTER, subs, 2, 0, out);
    xc_query_destroy(q);
    return xs == XC_OK ? PX_OK : PX_NOMEM;
}

/* The query selecting passages (*sel, for the facets) and the one ranking
 * them (*q): a query of filters alone matches every passage of the
 * articles they select. */
static px_status
build_query(run_ctx *c, xc_query_op op, xc_query **sel, xc_query **q,
            char **error)
{
    const char *text = c->filters.rest;
    xc_query *parsed = NULL, *ranked = NULL;
    px_status rc = PX_OK;
    if (!has_words(text)) {
        if (xc_query_create_match_all(&parsed) != XC_OK)
            rc = PX_NOMEM;
        if (rc == PX_OK && xc_query_create_match_all(&ranked) != XC_OK)
            rc = PX_NOMEM;
    } else {
        rc = px_rank_query(&c->s->parsers, &c->s->rank, text, op, &parsed,
                           error);
        if (rc == PX_OK)
            rc = px_rank_boost(&c->s->parsers, &c->s->rank, text, parsed,
                               &ranked);
    }
    if (rc == PX_OK)
        rc = filtered(c, parsed, sel);
    else
        xc_query_destroy(parsed);
    if (rc == PX_OK)
        rc = filtered(c, ranked, q);
    else
        xc_query_destroy(ranked);
    return rc;
}

/* The ranking query q with the passages that quote another post (their
 * term, schema.h) weighed by PX_QUOTED_WEIGHT: OR(q AND_NOT quoted,
 * SCALE(q FILTER quoted)). Each passage matches one side, so counts and
 * facets stay; an index without quoted passages gets q as it is. */
static xc_status
weigh_quoted(run_ctx *c, const xc_query *q, xc_query **out)
{
    uint32_t n = 0;
    xc_query *mark = NULL, *side[2] = {NULL, NULL}, *in = NULL;
    xc_query *both[2];
    *out = NULL;
    xc_status xs = xc_database_termfreq(c->s->db, PX_TERM_QUOTED,
                                        strlen(PX_TERM_QUOTED), &n);
    if (xs != XC_OK || n == 0)
        return xs;
    xs = xc_query_create_term(PX_TERM_QUOTED, strlen(PX_TERM_QUOTED), 1,
                              &mark);
    both[0] = (xc_query *)q, both[1] = mark;
    if (xs == XC_OK)
        xs = xc_query_create_combined(XC_OP_AND_NOT, both, 2, 0, &side[0]);
    if (xs == XC_OK)
        xs = xc_query_create_combined(XC_OP_FILTER, both, 2, 0, &in);
    if (xs == XC_OK)
        xs = xc_query_create_scaled(PX_QUOTED_WEIGHT, in, &side[1]);
    if (xs == XC_OK)
        xs = xc_query_create_combined(XC_OP_OR, side, 2, 0, out);
    xc_query_destroy(mark);
    xc_query_destroy(in);
    xc_query_destroy(side[0]);
    xc_query_destroy(side[1]);
    return xs;
}

/* Set the ranking query q on the enquire, quoted passages weighed. */
static px_status
set_ranking(run_ctx *c, const xc_query *q)
{
    xc_query *w = NULL;
    px_status rc = check(c, weigh_quoted(c, q, &w));
    if (rc == PX_OK)
        rc = check(c, xc_enquire_set_query(c->enq, w ? w : q, 0));
    xc_query_destroy(w);
    return rc;
}

/* Pseudo-relevance feedback: expand the ranking query `*q` (set on the
 * enquire) with terms of the best passages of its top articles. */
static px_status
feedback(run_ctx *c, xc_query_op op, xc_query **q)
{
    const px_rank_opts *o = &c->s->rank;
    xc_docid ids[64];
    xc_mset *top = NULL;
    uint32_t n = o->prf_docs > 64 ? 64 : o->prf_docs;
    px_status rc = check(c, xc_enquire_get_mset(c->enq, 0, n, 0, &top));
    n = rc == PX_OK ? xc_mset_size(top) : 0;
    for (uint32_t i = 0; i < n && rc == PX_OK; i++) {
        xc_mset_item item = {0};
        rc = check(c, xc_mset_get(top, i, &item));
        ids[i] = item.docid;
    }
    xc_mset_destroy(top);
    xc_query *wider = NULL, *fq = NULL;
    if (rc == PX_OK && n)
        rc = px_rank_expand(c->enq, o, ids, n, op == XC_OP_OR, *q, &wider);
    if (rc == PX_OK && wider)
        rc = filtered(c, wider, &fq);
    if (rc == PX_OK && fq) {
        xc_query_destroy(*q);
        *q = fq;
        rc = set_ranking(c, fq);
    }
    return rc;
}

static int
has_qterm(const px_termset *s, const char *prefix, const char *rest,
          size_t rest_len)
{
    size_t plen = strlen(prefix);
    for (size_t i = 0; i < s->n; i++) {
        const char *t = s->terms[i];
        if (strncmp(t, prefix, plen) == 0 && strlen(t + plen) == rest_len &&
            memcmp(t + plen, rest, rest_len) == 0)
            return 1;
    }
    return 0;
}

/* Whether every passage holding a word that query term t highlights
 * (highlight.c) has t, or the query has another term highlighting the
 * word that every such passage has: the "Z" stem of the word. */
static int
covered(run_ctx *c, const char *t)
{
    if (t[0] == 'Z' && t[1] != PX_PREFIX_TITLE[0])
        return 1; /* a stem of the text: a passage's words give theirs */
    if (t[0] == 'Z')
        return has_qterm(&c->qterms, "Z", t + 2, strlen(t + 2));
    if (t[0] >= 'A' && t[0] <= 'Z' && t[0] != PX_PREFIX_TITLE[0])
        return 1; /* a path, article or entity term: highlights no word */
    /* An unstemmed word of the title ("S") or the text: the index may
     * hold no such term, or the passage no such title. */
    const char *w = t[0] == PX_PREFIX_TITLE[0] ? t + 1 : t, *stem;
    size_t slen;
    return px_stemmer_stem(c->s->stemmer, w, strlen(w), &stem, &slen) ==
               PX_OK &&
           has_qterm(&c->qterms, "Z", stem, slen);
}

/* The terms that highlight the hits of query q. A word of a passage is
 * highlighted when its term is one of the passage's matching terms: the
 * query's terms the passage has. The passage holding a word has its "Z"
 * stem, so when every term of the query is such a stem or comes with
 * one (covered()), the query's terms give the same spans without reading
 * each hit's term list. Otherwise (title:word, say) each hit's matching
 * terms are read. */
static px_status
query_terms(run_ctx *c, const xc_query *q)
{
    px_termset_clear(&c->qterms);
    c->per_hit_terms = 0;
    if (xc_query_terms(q, add_matching, &c->qterms) != XC_OK)
        return PX_NOMEM;
    for (size_t i = 0; i < c->qterms.n && !c->per_hit_terms; i++)
        c->per_hit_terms = !covered(c, c->qterms.terms[i]);
    return PX_OK;
}

static px_status
prepare(run_ctx *c, char **error)
{
    const px_rank_opts *o = &c->s->rank;
    if (xc_enquire_create(c->s->db, &c->enq, error) != XC_OK)
        return PX_XAPIAN;
    if (px_rank_weighting(c->enq, o) != PX_OK ||
        xc_enquire_set_collapse_key(c->enq, PX_SLOT_ARTICLE,
                                    collapse_max(c)) != XC_OK)
        return PX_XAPIAN;
    /* Newest first; an article's passages stay in order of relevance, so
     * the collapse keeps its best (its passages share its date). */
    if (c->opts->sort_date &&
        xc_enquire_set_sort_by_value_then_relevance(c->enq, PX_SLOT_DATE,
                                                    1) != XC_OK)
        return PX_XAPIAN;
    return PX_OK;
}

/* Copies of articles (dupes.h) took places on the page: fetch further
 * until the page is full or the matches end. The facets spy counted the
 * first match already and is not run again. */
static px_status
refetch_past_copies(run_ctx *c, px_results *r, xc_status *xs)
{
    px_status rc = PX_OK;
    uint32_t estimated = r->estimated;
    if (xc_enquire_clear_matchspies(c->enq) != XC_OK)
        return PX_XAPIAN;
    for (int round = 0; round < 4 && rc == PX_OK && c->short_of_copies;
         round++) {
        uint32_t page = c->opts->offset + c->opts->limit;
        c->extra = c->extra ? 2 * c->extra : page > 16 ? page : 16;
        free_hits(r);
        *xs = fetch(c, r, 0);
        rc = *xs == XC_OK ? collect(c, r) : check(c, *xs);
    }
    r->estimated = estimated;
    c->extra = 0;
    return rc;
}

/* One attempt: build the query with `op` as the default operator, run,
 * collect. */
/* The articles that match the query's negated words anywhere are left
 * out whole (filters.h): "Chelsea NOT Arsenal" drops an article that
 * names Arsenal in any passage. */
static px_status
exclude_words(run_ctx *c, char **error)
{
    xc_query *not = NULL;
    px_status rc = px_rank_query(&c->s->parsers, &c->s->rank,
                                 c->filters.not_text, XC_OP_OR, &not, error);
    if (rc == PX_OK)
        rc = px_filters_exclude(c->s->db, not, c->opts->remote, &c->filter,
                                &c->modified, error);
    xc_query_destroy(not);
    return rc;
}

/* The message for a search that failed with rc and said nothing. */
static char *
failure(const run_ctx *c, px_status rc)
{
    const char *why = c->enq ? xc_enquire_last_error(c->enq) : "";
    if (!*why && c->failed != XC_OK)
        why = xc_status_to_string(c->failed);
    if (!*why)
        return px_asprintf("search failed: %s", px_status_to_string(rc));
    return px_asprintf("search failed (%s): %s", px_status_to_string(rc),
                       why);
}

static xc_status
attempt(run_ctx *c, xc_query_op op, px_results *r, px_status *rc,
        char **error)
{
    xc_query *sel = NULL, *q = NULL;
    xc_status xs = XC_OK;
    c->modified = 0;
    c->failed = XC_OK;
    *rc = prepare(c, error);
    /* The join reads only the database: the AND-to-OR fallback reuses it,
     * a reopen (run_with_retries) drops it. */
    if (*rc == PX_OK && !c->joined) {
        *rc = px_filters_join(&c->filters, c->s->db, c->opts->remote,
                              &c->filter, &c->modified, error);
        if (*rc == PX_OK && c->filters.not_text)
            *rc = exclude_words(c, error);
        c->joined = *rc == PX_OK;
    }
    if (*rc == PX_OK)
        *rc = build_query(c, op, &sel, &q, error);
    if (*rc == PX_OK)
        *rc = set_ranking(c, q);
    if (*rc == PX_OK && c->s->rank.prf_docs && has_words(c->filters.rest))
        *rc = feedback(c, op, &q);
    if (*rc == PX_OK && !c->opts->bare)
        *rc = query_terms(c, q);
    c->query = q;
    /* The facets of a query matching few passages are counted by the
     * ranked match itself (facets.h), rather than by a second match over
     * the same passages: it selects the same ones (its evidence only
     * weighs them) unless feedback widened it. A remote shard cannot run
     * facets.c's callback spy. */
    px_facets_spy *fs = NULL;
    if (*rc == PX_OK && c->opts->facets && !c->opts->remote &&
        !(c->s->rank.prf_docs && has_words(c->filters.rest))) {
        *rc = px_facets_spy_create(PX_FACETS_JOINT_UP_TO, c->opts->months,
                                   &fs);
        if (*rc == PX_OK &&
            xc_enquire_add_matchspy(c->enq, px_facets_spy_handle(fs)) !=
                XC_OK)
            *rc = PX_XAPIAN;
    }
    if (*rc == PX_OK) {
        xs = fetch(c, r, fs ? PX_FACETS_JOINT_UP_TO : 100);
        if (xs != XC_OK)
            *rc = check(c, xs);
    }
    if (*rc == PX_OK)
        *rc = collect(c, r);
    if (*rc == PX_OK && c->short_of_copies)
        *rc = refetch_past_copies(c, r, &xs);
    r->published = c->filters.published > 0;
    if (*rc == PX_OK && r->published)
        *rc = px_file_dated_count(c->s->db, sel, &r->file_dated,
                                  &r->file_dated_known, &c->modified);
    if (*rc == PX_OK && c->opts->facets && r->nhits) {
        /* More values than shown are counted: the collection's vote on
         * each name's type (facets_vote.h) moves some between lists. */
        uint32_t want = px_facets_vote_fetch(c->opts->facets);
        if (fs && px_facets_spy_complete(fs))
            *rc = px_facets_spy_finish(fs, want, 0, &r->facets);
        else if (c->opts->remote)
            *rc = px_facets_remote_count(c->s->db, sel, want, &r->facets,
                                         &c->modified, error);
        else
            *rc = px_facets_count(c->s->db, sel, want, c->opts->months,
                                  &r->facets, &c->modified, error);
        if (*rc == PX_OK)
            *rc = px_facets_vote(&r->facets, c->s->db, c->s->votes,
                                 c->opts->facets);
        r->have_facets = *rc == PX_OK;
    }
    if (c->modified)
        xs = XC_MODIFIED;
    if (*rc != PX_OK && !*error)
        *error = failure(c, *rc);
    xc_query_destroy(sel);
    xc_query_destroy(q);
    xc_mset_destroy(c->mset);
    c->mset = NULL;
    xc_enquire_destroy(c->enq);
    c->enq = NULL;
    px_facets_spy_destroy(fs); /* after the enquire that held it */
    return xs;
}

static void
forget_join(run_ctx *c)
{
    xc_query_destroy(c->filter);
    c->filter = NULL;
    c->joined = 0;
}

/* Reopening meets a commit at times too: then pause and try again. */
static xc_status
reopen(xc_database *db, const struct timespec *pause)
{
    xc_status xs = xc_database_reopen(db);
    for (int i = 0; xs == XC_MODIFIED && i < 3; i++) {
        nanosleep(pause, NULL);
        xs = xc_database_reopen(db);
    }
    return xs;
}

/* Run with `op`, reopening the database when a writer changed it under
 * the reader. */
static px_status
run_with_retries(run_ctx *c, xc_query_op op, px_results *r, char **error)
{
    px_status rc = PX_XAPIAN;
    for (int i = 0; i < PX_RETRIES; i++) {
        free_hits(r);
        px_facets_free(&r->facets);
        r->have_facets = 0;
        free(*error);
        *error = NULL;
        if (attempt(c, op, r, &rc, error) != XC_MODIFIED)
            return rc;
        /* Back off a little more each time: a writer in a burst of commits
         * is let past rather than raced. */
        struct timespec pause = {0, (long)i * 5000000L};
        nanosleep(&pause, NULL);
        forget_join(c);
        px_searcher_forget(c->s);
        if (reopen(c->s->db, &pause) != XC_OK) {
            free(*error);
            *error = px_asprintf("cannot reopen the database: %s",
                                 xc_database_last_error(c->s->db));
            return PX_XAPIAN;
        }
    }
    free(*error);
    *error = px_asprintf("the database changed under the search %d times "
                         "in a row (a writer is committing fast): try again",
                         PX_RETRIES);
    return PX_XAPIAN;
}

/* PX_QUERY_SYNTAX with a message when `q` is over the bounds. */
static px_status
within_bounds(const char *q, char **error)
{
    size_t len = strlen(q);
    if (len > PX_QUERY_MAX_BYTES) {
        *error = px_asprintf("the query is too long: %zu bytes (at most %d)",
                             len, PX_QUERY_MAX_BYTES);
        return *error ? PX_QUERY_SYNTAX : PX_NOMEM;
    }
    int words = px_rank_count_words(q);
    if (words > PX_QUERY_MAX_WORDS) {
        *error = px_asprintf("the query is too long: %d words (at most %d)",
                             words, PX_QUERY_MAX_WORDS);
        return *error ? PX_QUERY_SYNTAX : PX_NOMEM;
    }
    return PX_OK;
}

/* `q` as valid UTF-8, its invalid bytes read as Windows-1252 as the
 * indexer reads text: *fixed is NULL when q is valid already, else the
 * caller's to free. */
static px_status
query_as_utf8(const char *q, char **fixed, size_t *repaired)
{
    size_t len = 0;
    px_status rc = px_utf8_repair(q, strlen(q), fixed, &len, repaired);
    if (rc == PX_OK && *repaired == 0) {
        free(*fixed);
        *fixed = NULL;
    }
    return rc;
}

px_status
px_searcher_run(px_searcher *s, const px_search_opts *opts,
                px_results **out, char **error)
{
    *out = NULL;
    *error = NULL;
    px_results *r = calloc(1, sizeof *r);
    run_ctx c = {.s = s, .opts = opts, .failed = XC_OK};
    char *fixed = NULL;
    px_status rc = r ? PX_OK : PX_NOMEM;
    if (rc == PX_OK)
        rc = query_as_utf8(opts->query, &fixed, &r->query_repaired);
    const char *query = fixed ? fixed : opts->query;
    if (rc == PX_OK)
        rc = within_bounds(query, error);
    if (rc == PX_OK)
        rc = px_filters_extract(query, &c.filters, error);
    if (rc == PX_OK)
        rc = px_wildcards_of(c.filters.rest, &c.wildcards);
    if (rc == PX_OK)
        r->filters = c.filters.count;
    int words = rc == PX_OK ? px_rank_count_words(c.filters.rest) : 0;
    int is_long = s->rank.long_query && words > (int)s->rank.long_query;
    c.is_long = is_long;
    if (rc == PX_OK)
        rc = run_with_retries(&c, is_long ? XC_OP_OR : XC_OP_AND, r, error);
    if (rc == PX_OK && !is_long && r->nhits == 0 && words > 1) {
        rc = run_with_retries(&c, XC_OP_OR, r, error);
        r->fell_back_to_or = rc == PX_OK && r->nhits > 0;
    }
    forget_join(&c);
    if (r) {
        /* The results say what the name filters matched. */
        r->names = c.filters.names;
        r->nnames = c.filters.nnames;
        c.filters.names = NULL;
        c.filters.nnames = 0;
    }
    px_termset_clear(&c.wildcards);
    px_termset_clear(&c.qterms);
    px_filters_free(&c.filters);
    free(fixed);
    if (rc != PX_OK) {
        px_results_free(r);
        return rc;
    }
    *out = r;
    return PX_OK;
}
