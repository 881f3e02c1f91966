/*
 * facets.c — counting entities over matching articles (facets.h).
 */
#include "facets.h"

#include <stdlib.h>
#include <string.h>

#include "passim/format.h"
#include "passim/schema.h"

/* An open-addressing table of strings with counts. */
typedef struct counter {
    char **keys;
    char **shown;    /* the spelling shown, or NULL: the key itself */
    uint32_t *best;  /* the count of the spelling shown */
    uint32_t *counts;
    size_t cap, n;
    int oom;
} counter;

static uint64_t
hash_bytes(const char *s, size_t len)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)s[i]) * 0x100000001b3ULL;
    return h;
}

static size_t
free_slot(char **keys, size_t cap, const char *key)
{
    size_t j = hash_bytes(key, strlen(key)) & (cap - 1);
    while (keys[j])
        j = (j + 1) & (cap - 1);
    return j;
}

static int
grow(counter *c)
{
    size_t cap = c->cap ? c->cap * 2 : 256;
    char **keys = calloc(cap, sizeof *keys);
    char **shown = calloc(cap, sizeof *shown);
    uint32_t *best = calloc(cap, sizeof *best);
    uint32_t *counts = calloc(cap, sizeof *counts);
    if (!keys || !shown || !best || !counts) {
        free(keys);
        free(shown);
        free(best);
        free(counts);
        return -1;
    }
    for (size_t i = 0; i < c->cap; i++) {
        if (!c->keys[i])
            continue;
        size_t j = free_slot(keys, cap, c->keys[i]);
        keys[j] = c->keys[i];
        shown[j] = c->shown[i];
        best[j] = c->best[i];
        counts[j] = c->counts[i];
    }
    free(c->keys);
    free(c->shown);
    free(c->best);
    free(c->counts);
    *c = (counter){keys, shown, best, counts, cap, c->n, c->oom};
    return 0;
}

/* The slot of key s[0, len), added (count 0) when new; -1 on no memory. */
static long
slot_of(counter *c, const char *s, size_t len)
{
    if ((c->n + 1) * 2 > c->cap && grow(c) != 0) {
        c->oom = 1;
        return -1;
    }
    size_t i = hash_bytes(s, len) & (c->cap - 1);
    while (c->keys[i]) {
        /* Keys hold no NUL: strncmp stops at the stored key's end. */
        if (strncmp(c->keys[i], s, len) == 0 && c->keys[i][len] == '\0')
            return (long)i;
        i = (i + 1) & (c->cap - 1);
    }
    if (!(c->keys[i] = strndup(s, len))) {
        c->oom = 1;
        return -1;
    }
    c->n++;
    return (long)i;
}

/* Add one to the count of s[0, len); returns the new count, 0 on no
 * memory. */
static uint32_t
bump(counter *c, const char *s, size_t len)
{
    long i = slot_of(c, s, len);
    return i < 0 ? 0 : ++c->counts[i];
}

/* Add n to the count of key, spelled `show` n times: the spelling with
 * the most is the one shown. */
static void
add_spelling(counter *c, const char *key, size_t klen, const char *show,
             uint32_t n)
{
    long i = slot_of(c, key, klen);
    if (i < 0)
        return;
    c->counts[i] += n;
    if (n <= c->best[i])
        return;
    char *copy = strdup(show);
    if (!copy) {
        c->oom = 1;
        return;
    }
    free(c->shown[i]);
    c->shown[i] = copy;
    c->best[i] = n;
}

static void
counter_free(counter *c)
{
    for (size_t i = 0; i < c->cap; i++) {
        free(c->keys[i]);
        free(c->shown[i]);
    }
    free(c->keys);
    free(c->shown);
    free(c->best);
    free(c->counts);
    memset(c, 0, sizeof *c);
}

typedef struct spy_state {
    counter articles;
    counter types[PX_ENT_TYPES];
    uint32_t seen;
} spy_state;

/* In the spy, values are counted as written (cheap: no folding per
 * mention); merge_by_key() then merges spellings by their key, as filters
 * match them: "Port Workers' Federation" and "Port Workers’ Federation"
 * are one. An article holds one spelling per key (the indexer unifies
 * them), so adding the counts of spellings counts articles. */
static int
count_entity(void *ctx, int type, const char *value, size_t len)
{
    spy_state *s = ctx;
    if (type >= 0 && type < PX_ENT_TYPES)
        bump(&s->types[type], value, len);
    return 0;
}

/* Fold counts by value into counts by key. */
static px_status
merge_by_key(counter *by_value, counter *by_key)
{
    for (size_t i = 0; i < by_value->cap; i++) {
        const char *v = by_value->keys[i];
        char *key = NULL;
        size_t klen = 0;
        if (!v)
            continue;
        if (px_entity_key(v, strlen(v), &key, &klen) != PX_OK)
            return PX_NOMEM;
        add_spelling(by_key, key, klen, v, by_value->counts[i]);
        free(key);
        if (by_key->oom)
            return PX_NOMEM;
    }
    return PX_OK;
}

static void
spy(void *ctx, xc_document *doc, double weight)
{
    (void)weight;
    spy_state *s = ctx;
    const char *id, *ents;
    size_t id_len, ents_len;
    s->seen++;
    if (xc_document_get_value(doc, PX_SLOT_ARTICLE, &id, &id_len) != XC_OK ||
        bump(&s->articles, id, id_len) != 1)
        return;
    if (xc_document_get_value(doc, PX_SLOT_ENTITIES, &ents, &ents_len) == XC_OK)
        px_entities_each(ents, ents_len, count_entity, s);
}

int
px_facet_value_order(const void *a, const void *b)
{
    const px_facet_value *x = a, *y = b;
    if (x->count != y->count)
        return x->count > y->count ? -1 : 1;
    return strcmp(x->value, y->value);
}

/* Move the top `top` entries of c into out (sorted); c keeps the rest. */
static px_status
top_values(counter *c, uint32_t top, px_facet_value **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    if (c->n == 0)
        return PX_OK;
    px_facet_value *all = malloc(c->n * sizeof *all);
    if (!all)
        return PX_NOMEM;
    size_t k = 0;
    for (size_t i = 0; i < c->cap; i++) {
        if (c->keys[i])
            all[k++] = (px_facet_value){c->shown[i] ? c->shown[i]
                                                    : c->keys[i],
                                        c->counts[i]};
    }
    qsort(all, k, sizeof *all, px_facet_value_order);
    size_t keep = k < top ? k : top;
    for (size_t i = 0; i < k; i++) {
        if (i < keep)
            all[i].value = strdup(all[i].value);
    }
    *out = all;
    *n = keep;
    for (size_t i = 0; i < keep; i++) {
        if (!all[i].value)
            return PX_NOMEM;
    }
    return PX_OK;
}

static px_status
run_spy(xc_database *db, const xc_query *query, spy_state *s,
        uint32_t *upper, int *modified, char **error)
{
    xc_enquire *enq = NULL;
    xc_matchspy *ms = NULL;
    xc_mset *mset = NULL;
    xc_status xs = xc_enquire_create(db, &enq, NULL);
    if (xs == XC_OK)
        xs = xc_matchspy_create_callback(spy, s, &ms, NULL);
    if (xs == XC_OK)
        xs = xc_enquire_set_query(enq, query, 0);
    /* Not BoolWeight, though no weight is needed: Xapian 1.4.22's boolean
     * match reports "Unexpected end of posting list" (DatabaseCorruptError)
     * on a glass database after documents were replaced, where BM25 reads
     * the same posting list without fault (tests/e2e/test_facets.py). */
    if (xs == XC_OK)
        xs = xc_enquire_add_matchspy(enq, ms);
    if (xs == XC_OK)
        xs = xc_enquire_get_mset(enq, 0, 0, PX_FACETS_EXACT_UP_TO, &mset);
    uint32_t est = 0, lower = 0;
    if (xs == XC_OK)
        xs = xc_mset_matches(mset, &est, &lower, upper);
    *modified = xs == XC_MODIFIED;
    if (xs != XC_OK && error && !*error)
        *error = px_asprintf("counting facets: %s",
                           enq ? xc_enquire_last_error(enq)
                               : xc_status_to_string(xs));
    xc_mset_destroy(mset);
    xc_enquire_destroy(enq);
    xc_matchspy_destroy(ms);
    return xs == XC_OK ? PX_OK : PX_XAPIAN;
}

px_status
px_facets_count(xc_database *db, const xc_query *query, uint32_t top,
                px_facets *out, int *modified, char **error)
{
    memset(out, 0, sizeof *out);
    spy_state s;
    memset(&s, 0, sizeof s);
    uint32_t upper = 0;
    px_status rc = run_spy(db, query, &s, &upper, modified, error);
    for (int t = 0; t < PX_ENT_TYPES; t++) {
        counter by_key;
        memset(&by_key, 0, sizeof by_key);
        if (s.types[t].oom)
            rc = PX_NOMEM;
        if (rc == PX_OK)
            rc = merge_by_key(&s.types[t], &by_key);
        if (rc == PX_OK)
            rc = top_values(&by_key, top, &out->values[t], &out->count[t]);
        counter_free(&by_key);
        counter_free(&s.types[t]);
    }
    if (s.articles.oom && rc == PX_OK)
        rc = PX_NOMEM;
    out->articles = (uint32_t)s.articles.n;
    out->passages_seen = s.seen;
    out->exact = s.seen >= upper;
    counter_free(&s.articles);
    if (rc != PX_OK)
        px_facets_free(out);
    return rc;
}

void
px_facets_free(px_facets *f)
{
    for (int t = 0; t < PX_ENT_TYPES; t++) {
        for (size_t i = 0; i < f->count[t]; i++)
            free(f->values[t][i].value);
        free(f->values[t]);
    }
    memset(f, 0, sizeof *f);
}
