/*
 * facets_remote.c — facets with spies that run on remote shards
 * (facets_remote.h).
 */
#include "facets_remote.h"

#include <stdlib.h>
#include <string.h>

#include "passim/format.h"
#include "passim/schema.h"

/* One entity of one distinct list. */
typedef struct mention {
    char *key;   /* as filters match it (px_entity_key) */
    char *shown; /* as the list spells it */
    size_t order;
    int type;
} mention;

typedef struct mentions {
    mention *m;
    size_t n, cap;
    int oom;
} mentions;

static int
add_mention(void *ctx, int type, const char *value, size_t len)
{
    mentions *ms = ctx;
    if (type < 0 || type >= PX_ENT_TYPES)
        return 0;
    if (ms->n == ms->cap) {
        size_t cap = ms->cap ? 2 * ms->cap : 256;
        mention *more = realloc(ms->m, cap * sizeof *more);
        if (!more)
            return ms->oom = 1;
        ms->m = more;
        ms->cap = cap;
    }
    mention *m = &ms->m[ms->n];
    size_t klen = 0;
    m->key = NULL;
    m->shown = strndup(value, len);
    if (!m->shown || px_entity_key(value, len, &m->key, &klen) != PX_OK) {
        free(m->shown);
        return ms->oom = 1;
    }
    m->type = type;
    m->order = ms->n++;
    return 0;
}

/* Each distinct list stands for one article: count its entities once. */
static int
add_list(void *ctx, const char *list, size_t len, uint32_t passages)
{
    (void)passages;
    mentions *ms = ctx;
    px_entities_each(list, len, add_mention, ms);
    return ms->oom;
}

static int
count_value(void *ctx, const char *v, size_t len, uint32_t freq)
{
    (void)v;
    (void)len;
    (void)freq;
    ++*(uint32_t *)ctx;
    return 0;
}

static int
by_type_key_order(const void *a, const void *b)
{
    const mention *x = a, *y = b;
    if (x->type != y->type)
        return x->type - y->type;
    int c = strcmp(x->key, y->key);
    if (c)
        return c;
    return x->order < y->order ? -1 : x->order > y->order;
}

/* The top `top` values of type t from sorted mentions m[0, n). */
static px_status
top_of_type(const mention *m, size_t n, int t, uint32_t top, px_facets *out)
{
    px_facet_value *all = malloc((n + 1) * sizeof *all);
    size_t k = 0;
    if (!all)
        return PX_NOMEM;
    for (size_t i = 0; i < n; i++) {
        if (m[i].type != t)
            continue;
        if (k && strcmp(m[i].key, m[i - 1].key) == 0 && m[i - 1].type == t)
            all[k - 1].count++;
        else
            all[k++] = (px_facet_value){m[i].shown, 1};
    }
    qsort(all, k, sizeof *all, px_facet_value_order);
    out->count[t] = k < top ? k : top;
    out->values[t] = all;
    px_status rc = PX_OK;
    for (size_t i = 0; i < out->count[t]; i++) {
        all[i].value = strdup(all[i].value);
        if (!all[i].value) {
            out->count[t] = i;
            rc = PX_NOMEM;
            break;
        }
    }
    return rc;
}

/* One match over `query` with value-count spies on slots[0, nspies). */
static xc_status
spy_match(xc_database *db, const xc_query *query, const xc_valueno *slots,
          xc_matchspy **spies, size_t nspies, uint32_t *upper, char **error)
{
    xc_enquire *enq = NULL;
    xc_mset *mset = NULL;
    xc_status xs = xc_enquire_create(db, &enq, NULL);
    for (size_t i = 0; i < nspies && xs == XC_OK; i++) {
        xs = xc_matchspy_create_valuecount(slots[i], &spies[i], NULL);
        if (xs == XC_OK)
            xs = xc_enquire_add_matchspy(enq, spies[i]);
    }
    if (xs == XC_OK)
        xs = xc_enquire_set_query(enq, query, 0);
    if (xs == XC_OK)
        xs = xc_enquire_get_mset(enq, 0, 0, PX_FACETS_EXACT_UP_TO, &mset);
    uint32_t est = 0, lower = 0;
    if (xs == XC_OK)
        xs = xc_mset_matches(mset, &est, &lower, upper);
    if (xs != XC_OK && !*error)
        *error = px_asprintf("counting facets: %s",
                           enq ? xc_enquire_last_error(enq)
                               : xc_status_to_string(xs));
    xc_mset_destroy(mset);
    xc_enquire_destroy(enq);
    return xs;
}

/* The passages of `query` that have an entity list (lists start with a
 * type digit; an empty value is no list). */
static xc_status
with_entities(const xc_query *query, xc_query **out)
{
    xc_query *range = NULL;
    xc_status xs = xc_query_create_value_range(PX_SLOT_ENTITIES, "0", 1,
                                               "\xff", 1, &range);
    xc_query *subs[2] = {(xc_query *)query, range};
    if (xs == XC_OK)
        xs = xc_query_create_combined(XC_OP_FILTER, subs, 2, 0, out);
    xc_query_destroy(range);
    return xs;
}

typedef struct tally {
    uint32_t articles, seen, upper;   /* over all matching passages */
    uint32_t listed, lists, lupper;   /* over those with a list */
    uint32_t listed_seen;
} tally;

/* Run both matches; the distinct lists go into ms. */
static xc_status
count_all(xc_database *db, const xc_query *query, tally *t, mentions *ms,
          char **error)
{
    static const xc_valueno art[1] = {PX_SLOT_ARTICLE};
    static const xc_valueno both[2] = {PX_SLOT_ARTICLE, PX_SLOT_ENTITIES};
    xc_matchspy *a[1] = {NULL}, *b[2] = {NULL, NULL};
    xc_query *listed = NULL;
    xc_status xs = spy_match(db, query, art, a, 1, &t->upper, error);
    if (xs == XC_OK)
        xs = xc_matchspy_total(a[0], &t->seen);
    if (xs == XC_OK)
        xs = xc_matchspy_values(a[0], 0, count_value, &t->articles);
    if (xs == XC_OK)
        xs = with_entities(query, &listed);
    if (xs == XC_OK)
        xs = spy_match(db, listed, both, b, 2, &t->lupper, error);
    if (xs == XC_OK)
        xs = xc_matchspy_total(b[0], &t->listed_seen);
    if (xs == XC_OK)
        xs = xc_matchspy_values(b[0], 0, count_value, &t->listed);
    if (xs == XC_OK)
        xs = xc_matchspy_values(b[1], 0, count_value, &t->lists);
    if (xs == XC_OK)
        xs = xc_matchspy_values(b[1], 0, add_list, ms);
    xc_query_destroy(listed);
    xc_matchspy_destroy(a[0]);
    xc_matchspy_destroy(b[0]);
    xc_matchspy_destroy(b[1]);
    return xs;
}

px_status
px_facets_remote_count(xc_database *db, const xc_query *query, uint32_t top,
                       px_facets *out, int *modified, char **error)
{
    memset(out, 0, sizeof *out);
    tally t = {0};
    mentions ms = {0};
    xc_status xs = count_all(db, query, &t, &ms, error);
    *modified = xs == XC_MODIFIED;
    px_status rc = xs != XC_OK ? PX_XAPIAN : ms.oom ? PX_NOMEM : PX_OK;
    if (rc == PX_OK)
        qsort(ms.m, ms.n, sizeof *ms.m, by_type_key_order);
    for (int type = 0; type < PX_ENT_TYPES && rc == PX_OK; type++)
        rc = top_of_type(ms.m, ms.n, type, top, out);
    for (size_t i = 0; i < ms.n; i++) {
        free(ms.m[i].key);
        free(ms.m[i].shown);
    }
    free(ms.m);
    out->articles = t.articles;
    out->passages_seen = t.seen;
    out->exact = t.seen >= t.upper && t.listed_seen >= t.lupper &&
                 t.lists == t.listed;
    if (rc != PX_OK)
        px_facets_free(out);
    return rc;
}
