/*
 * names.c — what a name filter's value means in this collection (names.h).
 */
#include "names.h"

#include <stdlib.h>
#include <string.h>

#include "passim/entity.h"
#include "passim/format.h"
#include "passim/schema.h"

#define NAME_TYPES 4 /* PER, LOC, ORG, MISC */

/* The entity types a filter searches: [lo, hi). */
typedef struct types {
    int lo, hi;
} types;

/* author: searches a post's authors only; every other name filter the
 * four name types, never the authors. */
static types
types_of(const px_name_match *m)
{
    if (strcmp(m->field, "author") == 0)
        return (types){PX_ENT_AUTHOR, PX_ENT_AUTHOR + 1};
    return (types){0, NAME_TYPES};
}

/* A name key met in the walk, with its articles (summed over types: an
 * article files a name under one type only). */
typedef struct cand {
    char *key;
    uint32_t articles;
    int dist; /* suggestions: edit distance to the typed key */
} cand;

typedef struct cands {
    cand *c;
    size_t n, cap;
} cands;

typedef struct walk {
    const char *key; /* the typed key */
    size_t klen;
    size_t kwords; /* its number of words */
    size_t plen;   /* the prefix of the terms walked */
    int suggest;   /* also gather the closest keys */
    int max_dist;
    cands longer, close;
    int failed;
    types ty;
} walk;

static int
push(cands *l, const char *key, size_t len, uint32_t articles, int dist)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 16;
        cand *c = realloc(l->c, cap * sizeof *c);
        if (!c)
            return 1;
        l->c = c;
        l->cap = cap;
    }
    char *k = malloc(len + 1);
    if (!k)
        return 1;
    memcpy(k, key, len);
    k[len] = '\0';
    l->c[l->n++] = (cand){k, articles, dist};
    return 0;
}

static void
cands_free(cands *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->c[i].key);
    free(l->c);
    *l = (cands){NULL, 0, 0};
}

/* Whether key (len bytes) is longer than w->key and ends with its words. */
static int
ends_with_words(const walk *w, const char *key, size_t len)
{
    return len > w->klen + 1 && key[len - w->klen - 1] == ' ' &&
           memcmp(key + len - w->klen, w->key, w->klen) == 0;
}

/* Levenshtein distance of a and b, or max + 1 once it exceeds max. */
static int
distance(const char *a, size_t la, const char *b, size_t lb, int max)
{
    if (la > PX_ENTITY_KEY_MAX || lb > PX_ENTITY_KEY_MAX ||
        (la > lb ? la - lb : lb - la) > (size_t)max)
        return max + 1;
    int row[PX_ENTITY_KEY_MAX + 1];
    for (size_t j = 0; j <= lb; j++)
        row[j] = (int)j;
    for (size_t i = 1; i <= la; i++) {
        int diag = row[0], low = (int)i;
        row[0] = (int)i;
        for (size_t j = 1; j <= lb; j++) {
            int up = row[j];
            int sub = diag + (a[i - 1] != b[j - 1]);
            int best = up + 1 < row[j - 1] + 1 ? up + 1 : row[j - 1] + 1;
            row[j] = sub < best ? sub : best;
            diag = up;
            if (row[j] < low)
                low = row[j];
        }
        if (low > max)
            return max + 1;
    }
    return row[lb];
}

/* The last n words of key (len bytes), as a span. */
static const char *
last_words(const char *key, size_t len, size_t n, size_t *out_len)
{
    size_t i = len;
    while (i > 0 && n > 0) {
        i--;
        if (key[i] == ' ')
            n--;
    }
    const char *s = key + i + (n == 0 && key[i] == ' ');
    *out_len = (size_t)(key + len - s);
    return s;
}

/* How close key is to the typed key: the whole key, or its last words as
 * many as the typed value has ("Mourino" for "Jose Mourinho"). */
static int
closeness(const walk *w, const char *key, size_t len)
{
    int d = distance(w->key, w->klen, key, len, w->max_dist);
    size_t tlen = 0;
    const char *tail = last_words(key, len, w->kwords, &tlen);
    if (tail != key) {
        int t = distance(w->key, w->klen, tail, tlen, w->max_dist);
        d = t < d ? t : d;
    }
    return d;
}

static int
walk_term(void *ctx, const char *term, size_t len, uint32_t freq)
{
    walk *w = ctx;
    const char *key = term + w->plen;
    size_t klen = len - w->plen;
    if (freq == 0)
        return 0;
    if (ends_with_words(w, key, klen) && push(&w->longer, key, klen, freq, 0))
        w->failed = 1;
    if (!w->failed && w->suggest) {
        int d = closeness(w, key, klen);
        if (d <= w->max_dist && push(&w->close, key, klen, freq, d))
            w->failed = 1;
    }
    return w->failed;
}

static int
by_key(const void *a, const void *b)
{
    return strcmp(((const cand *)a)->key, ((const cand *)b)->key);
}

static int
by_closeness(const void *a, const void *b)
{
    const cand *x = a, *y = b;
    if (x->dist != y->dist)
        return x->dist - y->dist;
    if (x->articles != y->articles)
        return x->articles > y->articles ? -1 : 1;
    return strcmp(x->key, y->key);
}

/* One entry per key (a key met under several types adds its articles),
 * then sorted by `order`. */
static void
merge_sort(cands *l, int (*order)(const void *, const void *))
{
    if (l->n == 0)
        return;
    qsort(l->c, l->n, sizeof *l->c, by_key);
    size_t k = 0;
    for (size_t i = 1; i < l->n; i++) {
        if (strcmp(l->c[i].key, l->c[k].key) == 0) {
            l->c[k].articles += l->c[i].articles;
            free(l->c[i].key);
        } else {
            l->c[++k] = l->c[i];
        }
    }
    l->n = k + 1;
    qsort(l->c, l->n, sizeof *l->c, order);
}

static size_t
count_words(const char *key, size_t len)
{
    size_t n = len > 0;
    for (size_t i = 0; i < len; i++)
        n += key[i] == ' ';
    return n;
}

/* Walk every name term once, gathering the longer names and, when
 * w->suggest, the closest ones. */
static xc_status
walk_names(xc_database *db, walk *w)
{
    xc_status xs = XC_OK;
    for (int t = w->ty.lo; t < w->ty.hi && xs == XC_OK && !w->failed; t++) {
        const char *prefix = px_entity_prefix(t);
        w->plen = strlen(prefix);
        xs = xc_database_allterms(db, prefix, walk_term, w);
    }
    if (xs == XC_OK && !w->failed) {
        merge_sort(&w->longer, by_closeness);
        merge_sort(&w->close, by_closeness);
        /* Only the closest: "Mourino" means Mourinho, not Moreno. */
        size_t k = 0;
        while (k < w->close.n && w->close.c[k].dist == w->close.c[0].dist)
            k++;
        for (size_t i = k; i < w->close.n; i++)
            free(w->close.c[i].key);
        w->close.n = k;
    }
    return xs;
}

/* The term of `key` under name type t, into term (PX_ENTITY_KEY_MAX + 16
 * bytes); its length. */
static size_t
name_term(int t, const char *key, size_t klen, char *term)
{
    const char *prefix = px_entity_prefix(t);
    size_t plen = strlen(prefix);
    memcpy(term, prefix, plen);
    memcpy(term + plen, key, klen);
    return plen + klen;
}

/* The articles that name key under any name type. */
static xc_status
key_articles(xc_database *db, types ty, const char *key, size_t klen,
             uint32_t *n)
{
    char term[PX_ENTITY_KEY_MAX + 16];
    *n = 0;
    for (int t = ty.lo; t < ty.hi; t++) {
        uint32_t f = 0;
        xc_status xs =
            xc_database_termfreq(db, term, name_term(t, key, klen, term), &f);
        if (xs != XC_OK)
            return xs;
        *n += f;
    }
    return XC_OK;
}

static int
first_doc(void *ctx, xc_docid docid)
{
    *(xc_docid *)ctx = docid;
    return 1;
}

typedef struct spelling {
    const char *key;
    size_t klen;
    char *value;
} spelling;

static int
spelling_of(void *ctx, int type, const char *value, size_t len)
{
    spelling *s = ctx;
    char key[PX_ENTITY_KEY_MAX + 1];
    size_t klen = 0;
    (void)type;
    if (px_entity_key_buf(value, len, key, &klen) != PX_OK || klen != s->klen ||
        memcmp(key, s->key, klen) != 0)
        return 0;
    s->value = malloc(len + 1);
    if (s->value) {
        memcpy(s->value, value, len);
        s->value[len] = '\0';
    }
    return 1;
}

/* The name as an article that names it writes it (its entity list), or
 * the key itself when none can be read. Caller owns the result. */
static char *
spelled(xc_database *db, types ty, const char *key, size_t klen)
{
    char term[PX_ENTITY_KEY_MAX + 16];
    xc_docid docid = 0;
    for (int t = ty.lo; t < ty.hi && docid == 0; t++) {
        if (xc_database_postlist(db, term, name_term(t, key, klen, term),
                                 first_doc, &docid) != XC_OK)
            docid = 0;
    }
    spelling s = {key, klen, NULL};
    xc_document *doc = NULL;
    const char *v = NULL;
    size_t len = 0;
    if (docid && xc_database_get_document(db, docid, &doc) == XC_OK &&
        xc_document_get_value(doc, PX_SLOT_ENTITIES, &v, &len) == XC_OK)
        px_entities_each(v, len, spelling_of, &s);
    xc_document_destroy(doc);
    if (!s.value) {
        s.value = malloc(klen + 1);
        if (s.value) {
            memcpy(s.value, key, klen);
            s.value[klen] = '\0';
        }
    }
    return s.value;
}

/* Append the terms of key under every name type to the OR being built. */
static px_status
add_key_terms(xc_query **subs, size_t *n, types ty, const char *key,
              size_t klen)
{
    char term[PX_ENTITY_KEY_MAX + 16];
    for (int t = ty.lo; t < ty.hi; t++) {
        subs[*n] = NULL;
        if (xc_query_create_term(term, name_term(t, key, klen, term), 1,
                                 &subs[*n]) != XC_OK)
            return PX_NOMEM;
        (*n)++;
    }
    return PX_OK;
}

/* The OR of the terms of keys[0, n) under every name type. */
static px_status
names_query(types ty, const char *const *keys, size_t nkeys, xc_query **q)
{
    xc_query *subs[2 * NAME_TYPES];
    size_t n = 0;
    px_status rc = PX_OK;
    for (size_t i = 0; i < nkeys && rc == PX_OK; i++)
        rc = add_key_terms(subs, &n, ty, keys[i], strlen(keys[i]));
    if (rc == PX_OK &&
        xc_query_create_combined(XC_OP_OR, subs, n, 0, q) != XC_OK)
        rc = PX_NOMEM;
    for (size_t i = 0; i < n; i++)
        xc_query_destroy(subs[i]);
    return rc;
}

/* Whether the first longer name is the one the value means: the only
 * one, or named by PX_NAMES_DOMINANT times the articles of the rest. */
static int
unambiguous(const cands *l)
{
    uint64_t rest = 0;
    for (size_t i = 1; i < l->n; i++)
        rest += l->c[i].articles;
    return l->n > 0 && (uint64_t)l->c[0].articles >= PX_NAMES_DOMINANT * rest;
}

static px_status
list_others(xc_database *db, px_name_match *m, const cands *l, size_t from)
{
    for (size_t i = from; i < l->n && m->nothers < PX_NAMES_LISTED; i++) {
        px_name_count *o = &m->others[m->nothers];
        o->value = spelled(db, types_of(m), l->c[i].key, strlen(l->c[i].key));
        o->articles = l->c[i].articles;
        if (!o->value)
            return PX_NOMEM;
        m->nothers++;
    }
    return PX_OK;
}

static px_status
add_matched(xc_database *db, px_name_match *m, const char *key, size_t klen,
            uint32_t articles)
{
    px_name_count *c = &m->matched[m->nmatched];
    c->value = spelled(db, types_of(m), key, klen);
    c->articles = articles;
    if (!c->value)
        return PX_NOMEM;
    m->nmatched++;
    return PX_OK;
}

/* Decide from the walk what m matches; the keys to search go to keys. */
static px_status
decide(xc_database *db, px_name_match *m, const walk *w, uint32_t exact,
       const char *keys[2], size_t *nkeys)
{
    px_status rc = PX_OK;
    *nkeys = 0;
    if (unambiguous(&w->longer)) {
        const cand *c = &w->longer.c[0];
        keys[(*nkeys)++] = c->key;
        rc = add_matched(db, m, c->key, strlen(c->key), c->articles);
        if (rc == PX_OK)
            rc = list_others(db, m, &w->longer, 1);
        m->outcome = PX_NAME_EXTENDED;
    }
    if (rc == PX_OK && exact) {
        keys[(*nkeys)++] = w->key;
        rc = add_matched(db, m, w->key, w->klen, exact);
    }
    if (rc != PX_OK || m->outcome == PX_NAME_EXTENDED) {
        /* decided above */
    } else if (w->longer.n) {
        rc = list_others(db, m, &w->longer, 0);
        m->outcome = exact ? PX_NAME_AMBIGUOUS : PX_NAME_NONE;
    } else {
        m->outcome = exact ? PX_NAME_EXACT : PX_NAME_NONE;
        if (!exact)
            rc = list_others(db, m, &w->close, 0);
    }
    return rc;
}

/* Forget what an earlier resolution filled in (a retry resolves again on
 * the reopened database); the field, value and negation stay. */
static void
forget_outcome(px_name_match *m)
{
    for (size_t i = 0; i < m->nmatched; i++)
        free(m->matched[i].value);
    for (size_t i = 0; i < m->nothers; i++)
        free(m->others[i].value);
    m->nmatched = m->nothers = 0;
    m->outcome = PX_NAME_EXACT;
}

px_status
px_names_resolve(xc_database *db, px_name_match *m, xc_query **q, int *modified)
{
    *q = NULL;
    forget_outcome(m);
    char *key = NULL;
    size_t klen = 0;
    px_status rc = px_entity_key(m->typed, strlen(m->typed), &key, &klen);
    if (rc != PX_OK)
        return rc;
    uint32_t exact = 0;
    types ty = types_of(m);
    xc_status xs = key_articles(db, ty, key, klen, &exact);
    walk w = {key, klen,   count_words(key, klen),
              0,   !exact, klen <= 4 ? 1 : klen <= 8 ? 2 : 3,
              {0}, {0},    0, ty};
    /* A value that is some article's name with more than one word is
     * taken as written: the walk is for surnames and typos. */
    if (xs == XC_OK && (!exact || w.kwords == 1) && klen > 0)
        xs = walk_names(db, &w);
    const char *keys[2];
    size_t nkeys = 0;
    if (xs != XC_OK)
        rc = PX_XAPIAN;
    else if (w.failed)
        rc = PX_NOMEM;
    else
        rc = decide(db, m, &w, exact, keys, &nkeys);
    if (rc == PX_OK && nkeys == 0)
        keys[nkeys++] = key; /* matches nothing, as the value does */
    if (rc == PX_OK)
        rc = names_query(ty, keys, nkeys, q);
    if (xs == XC_MODIFIED)
        *modified = 1;
    cands_free(&w.longer);
    cands_free(&w.close);
    free(key);
    return rc;
}

void
px_name_match_clear(px_name_match *m)
{
    forget_outcome(m);
    free(m->field);
    free(m->typed);
    memset(m, 0, sizeof *m);
}
