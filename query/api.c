/*
 * api.c — the JSON API of passim serve (api.h).
 */
#define _GNU_SOURCE /* open_memstream */
#include "api.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output.h"

#define MAX_PARAMS 64
#define MAX_LIMIT 100
#define MAX_FACETS 1000

struct api_pool {
    const char *const *names;
    size_t n;
    px_index_opts opts;
    pthread_mutex_t lock;
    px_index **free_ix; /* indexes not in use */
    size_t nfree, cap;
};

api_pool *
api_pool_create(const char *const *names, size_t n, const px_index_opts *opts)
{
    api_pool *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->names = names;
    p->n = n;
    p->opts = *opts;
    pthread_mutex_init(&p->lock, NULL);
    return p;
}

void
api_pool_free(api_pool *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->nfree; i++)
        px_index_close(p->free_ix[i]);
    free(p->free_ix);
    pthread_mutex_destroy(&p->lock);
    free(p);
}

static px_status
take(api_pool *p, px_index **ix, char **error)
{
    pthread_mutex_lock(&p->lock);
    *ix = p->nfree ? p->free_ix[--p->nfree] : NULL;
    pthread_mutex_unlock(&p->lock);
    if (*ix)
        return PX_OK;
    return px_index_open(p->names, p->n, &p->opts, ix, error);
}

static void
give(api_pool *p, px_index *ix)
{
    pthread_mutex_lock(&p->lock);
    if (p->nfree == p->cap) {
        size_t cap = p->cap ? 2 * p->cap : 8;
        px_index **more = realloc(p->free_ix, cap * sizeof *more);
        if (more) {
            p->free_ix = more;
            p->cap = cap;
        }
    }
    if (p->nfree < p->cap) {
        p->free_ix[p->nfree++] = ix;
        ix = NULL;
    }
    pthread_mutex_unlock(&p->lock);
    px_index_close(ix); /* no room: not kept */
}

px_status
api_pool_check(api_pool *p, char **error)
{
    px_index *ix = NULL;
    px_status rc = take(p, &ix, error);
    if (rc != PX_OK)
        return rc;
    const char *name, *why;
    size_t failed = 0;
    for (size_t i = 0; px_index_shard(ix, i, &name, &why); i++) {
        if (why && !*error)
            *error = strdup(why);
        failed += why != NULL;
    }
    give(p, ix);
    if (failed && (!p->opts.allow_partial || failed == px_index_shards(ix)))
        return PX_XAPIAN;
    free(*error);
    *error = NULL;
    return PX_OK;
}

/* -- responses */

typedef struct buf {
    char *data;
    size_t len;
    FILE *f;
} buf;

static int
buf_open(buf *b)
{
    b->data = NULL;
    b->len = 0;
    b->f = open_memstream(&b->data, &b->len);
    return b->f != NULL;
}

static void
buf_close(buf *b, api_response *out, int status, int failed)
{
    if (fclose(b->f) != 0 || failed) {
        free(b->data);
        b->data = NULL;
    }
    out->status = b->data ? status : 500;
    out->body = b->data;
    out->len = b->data ? b->len : 0;
}

void
api_error(int status, const char *message, api_response *out)
{
    buf b;
    if (!buf_open(&b)) {
        *out = (api_response){500, NULL, 0};
        return;
    }
    int failed = px_output_json_error(b.f, message, status) != 0;
    buf_close(&b, out, status, failed);
}

/* -- parameters */

static int
hex(int c)
{
    return c >= '0' && c <= '9' ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* Percent-decode s[0, len) ('+' is a space) into a new string; NULL
 * when out of memory or when it decodes to a NUL byte or a bad escape. */
static char *
decode(const char *s, size_t len)
{
    char *out = malloc(len + 1), *o = out;
    if (!out)
        return NULL;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '+') {
            *o++ = ' ';
        } else if (s[i] == '%') {
            if (i + 2 >= len || hex(s[i + 1]) < 0 || hex(s[i + 2]) < 0 ||
                (hex(s[i + 1]) == 0 && hex(s[i + 2]) == 0)) {
                free(out);
                return NULL;
            }
            *o++ = (char)(hex(s[i + 1]) * 16 + hex(s[i + 2]));
            i += 2;
        } else {
            *o++ = s[i];
        }
    }
    *o = '\0';
    return out;
}

typedef struct param {
    char *key, *value;
} param;

typedef struct params {
    param p[MAX_PARAMS];
    size_t n;
} params;

static void
params_free(params *ps)
{
    for (size_t i = 0; i < ps->n; i++) {
        free(ps->p[i].key);
        free(ps->p[i].value);
    }
    ps->n = 0;
}

/* Split "a=1&b=2" into decoded pairs; a message when it cannot be. */
static const char *
params_parse(const char *q, params *ps)
{
    ps->n = 0;
    while (*q) {
        size_t len = strcspn(q, "&");
        const char *eq = memchr(q, '=', len);
        if (len > 0) {
            if (ps->n == MAX_PARAMS)
                return "too many parameters";
            size_t klen = eq ? (size_t)(eq - q) : len;
            char *k = decode(q, klen);
            char *v = eq ? decode(eq + 1, len - klen - 1) : strdup("");
            if (!k || !v) {
                free(k);
                free(v);
                return "a parameter is not percent-encoded text";
            }
            ps->p[ps->n++] = (param){k, v};
        }
        q += len + (q[len] == '&');
    }
    return NULL;
}

static const char *const filter_fields[] = {
    "person", "place", "org", "misc", "name", "author", "date", "published",
};

static int
is_filter(const char *key, int *negated)
{
    size_t len = strlen(key);
    *negated = len > 1 && key[len - 1] == '!';
    len -= (size_t)*negated;
    for (size_t i = 0; i < sizeof filter_fields / sizeof *filter_fields; i++)
        if (strlen(filter_fields[i]) == len &&
            strncmp(filter_fields[i], key, len) == 0)
            return (int)i;
    return -1;
}

static int
number(const char *s, unsigned long max, uint32_t *out)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (!*s || *s == '-' || *end || errno || v > max)
        return -1;
    *out = (uint32_t)v;
    return 0;
}

/* "0" or "1". */
static int
flag(const char *s, int *out)
{
    if ((s[0] != '0' && s[0] != '1') || s[1])
        return -1;
    *out = s[0] == '1';
    return 0;
}

typedef struct request {
    px_request rq;
    px_filter filters[MAX_PARAMS];
    char message[160];
} request;

/* The request the parameters make; a message when they make none. */
static const char *
make_request(const params *ps, request *r)
{
    px_request *rq = &r->rq;
    *rq = (px_request){.query = "", .limit = 10, .per_article = 2,
                       .facets = 10};
    rq->filters = r->filters;
    for (size_t i = 0; i < ps->n; i++) {
        const char *k = ps->p[i].key, *v = ps->p[i].value;
        int neg, f = is_filter(k, &neg);
        int bad = 0, known = 1;
        if (f >= 0)
            r->filters[rq->nfilters++] = (px_filter){filter_fields[f], v, neg};
        else if (strcmp(k, "q") == 0)
            rq->query = v;
        else if (strcmp(k, "offset") == 0)
            bad = number(v, 1000000, &rq->offset);
        else if (strcmp(k, "limit") == 0)
            bad = number(v, MAX_LIMIT, &rq->limit) || rq->limit == 0;
        else if (strcmp(k, "per_article") == 0)
            bad = number(v, 100, &rq->per_article) || rq->per_article == 0;
        else if (strcmp(k, "facets") == 0)
            bad = number(v, MAX_FACETS, &rq->facets);
        else if (strcmp(k, "months") == 0)
            bad = flag(v, &rq->months);
        else if (strcmp(k, "sort") == 0 && (strcmp(v, "date") == 0 ||
                                            strcmp(v, "relevance") == 0))
            rq->sort_date = strcmp(v, "date") == 0;
        else
            bad = 1, known = strcmp(k, "sort") == 0;
        if (bad) {
            snprintf(r->message, sizeof r->message, "%s: '%.64s' is not %s", k,
                     v, known ? "a value it takes"
                              : "a parameter passim knows");
            return r->message;
        }
    }
    if (rq->query[strspn(rq->query, " \t\r\n")] == '\0' && rq->nfilters == 0)
        return "give words (q) or a filter to search for";
    return NULL;
}

/* The HTTP status of a failed search. */
static int
status_of(px_status rc)
{
    switch (rc) {
    case PX_QUERY_SYNTAX:
    case PX_INVALID_ARGUMENT: return 400;
    case PX_XAPIAN: return 503;
    case PX_NOT_FOUND: return 404;
    default: return 500;
    }
}

/* Run request r: *res, or the error answer in *out. */
static px_status
run(api_pool *p, const request *r, px_results **res, api_response *out)
{
    px_index *ix = NULL;
    char *err = NULL;
    px_status rc = take(p, &ix, &err);
    if (rc == PX_OK) {
        rc = px_search(ix, &r->rq, res, &err);
        give(p, ix);
    }
    if (rc != PX_OK)
        api_error(status_of(rc), err ? err : px_status_to_string(rc), out);
    free(err);
    return rc;
}

static void
search(api_pool *p, const char *query, int months, api_response *out)
{
    params ps;
    request r;
    const char *why = params_parse(query, &ps);
    if (!why)
        why = make_request(&ps, &r);
    if (why) {
        api_error(400, why, out);
        params_free(&ps);
        return;
    }
    /* The histogram: months counted over every match, nothing shown.
     * /api/search?months=1 gives the same months beside its hits. */
    if (months) {
        r.rq.months = 1;
        r.rq.limit = 1;
        r.rq.per_article = 1;
        r.rq.offset = 0;
        r.rq.facets = 1;
        r.rq.bare = 1;
    }
    px_results *res = NULL;
    buf b;
    if (run(p, &r, &res, out) != PX_OK) {
        /* *out holds the error */
    } else if (!buf_open(&b)) {
        *out = (api_response){500, NULL, 0};
    } else {
        int failed = months ? px_output_json_months(b.f, res, r.rq.query)
                            : px_output_json_results(b.f, res, r.rq.query,
                                                     r.rq.months);
        buf_close(&b, out, 200, failed != 0);
    }
    px_results_free(res);
    params_free(&ps);
}

/* -- the page's first search */

/* What query/page.html asks first for a URL: its queryPairs() (q trimmed,
 * the filters with a value, sort=date) and these. */
static const char *const page_extra[][2] = {
    {"limit", "10"}, {"per_article", "2"}, {"facets", "11"}, {"months", "1"},
};
#define PAGE_EXTRA (sizeof page_extra / sizeof *page_extra)

/* s without the spaces around it, in place. */
static void
trim(char *s)
{
    static const char spaces[] = " \t\n\r\f\v";
    char *v = s + strspn(s, spaces);
    size_t len = strlen(v);
    while (len > 0 && strchr(spaces, v[len - 1]))
        len--;
    memmove(s, v, len);
    s[len] = '\0';
}

/* Move the page's pairs of `from` into `to`; 0 when the URL asks no
 * search (nothing to look for, or an article to read). */
static int
page_params(params *from, params *to)
{
    int search = 0;
    to->n = 0;
    for (size_t i = 0; i < from->n; i++) {
        param *x = &from->p[i];
        int neg, keep = 0;
        if (strcmp(x->key, "article") == 0)
            return 0;
        if (strcmp(x->key, "q") == 0) {
            trim(x->value);
            keep = *x->value != '\0';
        } else if (strcmp(x->key, "sort") == 0) {
            keep = strcmp(x->value, "date") == 0;
        } else {
            keep = is_filter(x->key, &neg) >= 0 && *x->value;
        }
        search |= keep && strcmp(x->key, "sort") != 0;
        if (keep && to->n + PAGE_EXTRA < MAX_PARAMS) {
            to->p[to->n++] = *x;
            *x = (param){NULL, NULL};
        }
    }
    return search;
}

static int
page_request(params *ps)
{
    for (size_t i = 0; i < PAGE_EXTRA; i++) {
        char *k = strdup(page_extra[i][0]), *v = strdup(page_extra[i][1]);
        ps->p[ps->n++] = (param){k, v};
        if (!k || !v)
            return -1;
    }
    return 0;
}

void
api_initial(api_pool *p, const char *page_query, api_response *out)
{
    params url, ps;
    request r;
    *out = (api_response){0, NULL, 0};
    ps.n = 0;
    int ok = params_parse(page_query, &url) == NULL &&
             page_params(&url, &ps) && page_request(&ps) == 0 &&
             make_request(&ps, &r) == NULL;
    px_results *res = NULL;
    api_response err = {0, NULL, 0};
    buf b;
    if (ok && run(p, &r, &res, &err) == PX_OK && buf_open(&b)) {
        const char *keys[MAX_PARAMS], *values[MAX_PARAMS];
        for (size_t i = 0; i < ps.n; i++) {
            keys[i] = ps.p[i].key;
            values[i] = ps.p[i].value;
        }
        int failed = px_output_json_initial(b.f, res, r.rq.query, keys,
                                            values, ps.n);
        buf_close(&b, out, 200, failed != 0);
    }
    free(err.body);
    px_results_free(res);
    params_free(&url);
    params_free(&ps);
}

static int
is_article_id(const char *s)
{
    size_t n = strspn(s, "0123456789abcdef");
    return n == PX_ARTICLE_ID_SIZE - 1 && s[n] == '\0';
}

static void
article(api_pool *p, const char *id, api_response *out)
{
    if (!is_article_id(id)) {
        api_error(400, "an article id is 16 hexadecimal digits", out);
        return;
    }
    px_index *ix = NULL;
    px_article_view *a = NULL;
    char *err = NULL;
    px_status rc = take(p, &ix, &err);
    if (rc == PX_OK) {
        rc = px_article_get(ix, id, &a, &err);
        give(p, ix);
    }
    buf b;
    if (rc == PX_NOT_FOUND) {
        api_error(404, "no such article in the index", out);
    } else if (rc != PX_OK) {
        api_error(status_of(rc), err ? err : px_status_to_string(rc), out);
    } else if (!buf_open(&b)) {
        *out = (api_response){500, NULL, 0};
    } else {
        int failed = px_output_json_article(b.f, a);
        buf_close(&b, out, 200, failed != 0);
    }
    free(err);
    px_article_view_free(a);
}

void
api_handle(api_pool *p, const char *path, const char *query,
           api_response *out)
{
    if (strcmp(path, "/api/search") == 0)
        search(p, query, 0, out);
    else if (strcmp(path, "/api/histogram") == 0)
        search(p, query, 1, out);
    else if (strncmp(path, "/api/article/", 13) == 0)
        article(p, path + 13, out);
    else
        api_error(404, "no such page", out);
}
