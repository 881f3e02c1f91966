/*
 * facets_vote.c — one type per name across the collection (facets_vote.h).
 */
#define _GNU_SOURCE /* qsort_r */
#include "facets_vote.h"

#include <stdlib.h>
#include <string.h>

#include "passim/schema.h"

#define NAME_TYPES PX_VOTE_TYPES /* dates are not voted on */

/* One name value met in the lists, with its key and winning type. */
typedef struct item {
    char *value; /* taken from the lists */
    char key[PX_ENTITY_KEY_MAX + 1];
    uint32_t count, best; /* articles; articles of the spelling shown */
    int type;
    int keyed; /* key holds its key */
    size_t klen;
} item;

/* For bench/facet-types only: PASSIM_FACET_VOTES=0 lists each name under
 * the type its articles gave it, as before the vote, for comparison. */
static int
voting(void)
{
    const char *v = getenv("PASSIM_FACET_VOTES");
    return v == NULL || strcmp(v, "0") != 0;
}

uint32_t
px_facets_vote_fetch(uint32_t top)
{
    return top > (UINT32_MAX - 16) / 3 ? UINT32_MAX : 3 * top + 16;
}

/* The votes of type t on `key`: the document frequency of its term under
 * t's prefix. 0 when it cannot be read. */
static int
vote_of(xc_database *db, int t, const char *key, size_t klen, uint32_t *n)
{
    char term[PX_ENTITY_KEY_MAX + 16];
    const char *prefix = px_entity_prefix(t);
    size_t plen = strlen(prefix);
    memcpy(term, prefix, plen);
    memcpy(term + plen, key, klen);
    return xc_database_termfreq(db, term, plen + klen, n) == XC_OK;
}

/* The votes on `key`: the document frequency of its term under each name
 * prefix, from the cache when it has them. 0 when they cannot be read. */
static int
votes_of(xc_database *db, px_vote_cache *cache, const char *key,
         size_t klen, uint32_t votes[NAME_TYPES])
{
    if (cache && px_vote_cache_get(cache, key, klen, votes))
        return 1;
    for (int t = 0; t < NAME_TYPES; t++)
        if (!vote_of(db, t, key, klen, &votes[t]))
            return 0;
    if (cache) /* out of memory: the next search asks again */
        (void)px_vote_cache_put(cache, key, klen, votes);
    return 1;
}

/* The type the collection files `key` under most; `type` on ties or
 * errors. */
static int
winner(xc_database *db, px_vote_cache *cache, const char *key, size_t klen,
       int type)
{
    uint32_t votes[NAME_TYPES] = {0};
    int best = type;
    if (!votes_of(db, cache, key, klen, votes))
        return type;
    for (int t = 0; t < NAME_TYPES; t++)
        if (votes[t] > votes[best])
            best = t;
    return best;
}

static int
by_type_key(const void *a, const void *b)
{
    const item *x = a, *y = b;
    if (x->type != y->type)
        return x->type - y->type;
    return strcmp(x->key, y->key);
}

/* Take the name values out of f into items, each with its key. */
static void
take_items(px_facets *f, item *it, size_t *n)
{
    size_t k = 0;
    for (int t = 0; t < NAME_TYPES; t++) {
        for (size_t i = 0; i < f->count[t]; i++) {
            item *x = &it[k++];
            size_t klen = 0;
            x->value = f->values[t][i].value;
            x->count = x->best = f->values[t][i].count;
            x->type = t;
            x->keyed = px_entity_key_buf(x->value, strlen(x->value), x->key,
                                         &klen) == PX_OK;
            x->klen = klen;
        }
        free(f->values[t]);
        f->values[t] = NULL;
        f->count[t] = 0;
    }
    *n = k;
}

static int
by_key(const void *a, const void *b, void *arg)
{
    const item *sort_items = arg; /* per call: searches run in parallel */
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    int c = strcmp(sort_items[x].key, sort_items[y].key);
    return c ? c : (x > y) - (x < y);
}

/* Number the items' keys: group[i] is the same for items of one key (an
 * item without a key is alone); size[g] counts the items of group g. */
static px_status
group_keys(const item *it, size_t n, size_t *group, size_t *size)
{
    size_t *order = malloc((n + 1) * sizeof *order), g = 0;
    if (!order)
        return PX_NOMEM;
    for (size_t i = 0; i < n; i++)
        order[i] = i;
    qsort_r(order, n, sizeof *order, by_key, (void *)it);
    for (size_t i = 0; i < n; i++) {
        const item *x = &it[order[i]], *prev = i ? &it[order[i - 1]] : NULL;
        if (i > 0 &&
            !(x->keyed && prev->keyed && strcmp(x->key, prev->key) == 0))
            g++;
        group[order[i]] = g;
        size[g] = 0;
    }
    for (size_t i = 0; i < n; i++)
        size[group[i]]++;
    free(order);
    return PX_OK;
}

/* How far down its list an item is likely to be voted on: the top, and a
 * little more for the names the vote moves away. */
#define LIKELY_VOTED(top) ((top) + (top) / 2 + 4)

/* Read the votes of the keys likely to be voted on that the cache lacks,
 * prefix by prefix in key order: neighbouring terms share the postlist
 * table's blocks, where one key at a time jumps between four regions of
 * it. An error leaves the rest to be read one by one. */
static void
prefetch(const item *it, size_t n, const size_t *group, const size_t *size,
         xc_database *db, px_vote_cache *cache, uint32_t top)
{
    size_t *want = malloc((n + 1) * sizeof *want), k = 0;
    uint32_t(*votes)[NAME_TYPES] = malloc((n + 1) * sizeof *votes);
    uint32_t seen[NAME_TYPES] = {0}, dummy[NAME_TYPES];
    if (want && votes)
        for (size_t i = 0; i < n; i++) {
            const item *x = &it[i];
            if (x->keyed && (seen[x->type]++ < LIKELY_VOTED(top) ||
                             size[group[i]] > 1) &&
                !px_vote_cache_get(cache, x->key, x->klen, dummy))
                want[k++] = i;
        }
    qsort_r(want, k, sizeof *want, by_key, (void *)it);
    size_t u = 0; /* one of each key */
    for (size_t j = 0; j < k; j++)
        if (u == 0 || strcmp(it[want[u - 1]].key, it[want[j]].key) != 0)
            want[u++] = want[j];
    k = u;
    int ok = 1;
    for (int t = 0; t < NAME_TYPES && ok; t++)
        for (size_t j = 0; j < k && ok; j++)
            ok = vote_of(db, t, it[want[j]].key, it[want[j]].klen,
                         &votes[j][t]);
    for (size_t j = 0; j < k && ok; j++)
        if (px_vote_cache_put(cache, it[want[j]].key, it[want[j]].klen,
                              votes[j]) != PX_OK)
            break;
    free(want);
    free(votes);
}

/* Give every item its type. Each type's list is voted on from the top
 * until `top` of its values stayed, and so is every value whose key is
 * counted under another type too (merged, it may climb into view); a
 * value further down cannot be shown under its type. The vote depends on
 * the key only, so every item of a key voted on goes where the vote sent
 * it, and a name's count adds up every article that names it. */
static px_status
vote_items(item *it, size_t n, xc_database *db, px_vote_cache *cache,
           uint32_t top)
{
    size_t *group = calloc(n + 1, sizeof *group);
    size_t *size = calloc(n + 1, sizeof *size);
    int *type = malloc((n + 1) * sizeof *type);
    if (!group || !size || !type || group_keys(it, n, group, size) != PX_OK) {
        free(group);
        free(size);
        free(type);
        return PX_NOMEM;
    }
    uint32_t stayed[NAME_TYPES] = {0};
    if (cache)
        prefetch(it, n, group, size, db, cache, top);
    for (size_t i = 0; i < n; i++)
        type[group[i]] = -1;
    for (size_t i = 0; i < n; i++) {
        item *x = &it[i];
        int t = x->type;
        size_t g = group[i];
        if (!x->keyed || (type[g] < 0 && stayed[t] >= top && size[g] < 2))
            continue;
        if (type[g] < 0)
            type[g] = winner(db, cache, x->key, x->klen, t);
        x->type = type[g];
        stayed[t] += x->type == t;
    }
    /* A key first met below the voted part of one list and voted on in
     * a later list follows that vote. */
    for (size_t i = 0; i < n; i++)
        if (it[i].keyed && type[group[i]] >= 0)
            it[i].type = type[group[i]];
    free(group);
    free(size);
    free(type);
    return PX_OK;
}

/* Merge the items of one (type, key), showing the most used spelling, and
 * put each type's back into f, most articles first, at most `top`. */
static px_status
scatter(px_facets *f, item *it, size_t n, uint32_t top)
{
    size_t k = 0;
    qsort(it, n, sizeof *it, by_type_key);
    for (size_t i = 0; i < n; i++) {
        if (k > 0 && it[k - 1].type == it[i].type &&
            strcmp(it[k - 1].key, it[i].key) == 0) {
            item *m = &it[k - 1];
            m->count += it[i].count;
            if (it[i].best > m->best) {
                free(m->value);
                m->value = it[i].value;
                m->best = it[i].best;
            } else {
                free(it[i].value);
            }
            it[i].value = NULL;
            continue;
        }
        item x = it[i];
        it[i].value = NULL;
        it[k++] = x;
    }
    for (int t = 0; t < NAME_TYPES; t++) {
        size_t c = 0;
        for (size_t i = 0; i < k; i++)
            c += it[i].type == t;
        f->values[t] = calloc(c + 1, sizeof *f->values[t]);
        if (!f->values[t])
            return PX_NOMEM;
        for (size_t i = 0; i < k; i++) {
            if (it[i].type != t)
                continue;
            f->values[t][f->count[t]++] =
                (px_facet_value){it[i].value, it[i].count};
            it[i].value = NULL;
        }
        qsort(f->values[t], f->count[t], sizeof *f->values[t],
              px_facet_value_order);
    }
    for (int t = 0; t < PX_ENT_TYPES; t++) {
        for (size_t i = top; i < f->count[t]; i++)
            free(f->values[t][i].value);
        if (f->count[t] > top)
            f->count[t] = top;
    }
    return PX_OK;
}

px_status
px_facets_vote(px_facets *f, xc_database *db, px_vote_cache *cache,
               uint32_t top)
{
    size_t total = 0;
    for (int t = 0; t < NAME_TYPES; t++)
        total += f->count[t];
    item *it = calloc(total + 1, sizeof *it);
    size_t n = 0;
    px_status rc = it ? PX_OK : PX_NOMEM;
    if (rc == PX_OK)
        take_items(f, it, &n);
    if (rc == PX_OK && voting())
        rc = vote_items(it, n, db, cache, top);
    if (rc == PX_OK)
        rc = scatter(f, it, n, top);
    for (size_t i = 0; it && i < n; i++)
        free(it[i].value);
    free(it);
    if (rc != PX_OK)
        px_facets_free(f);
    return rc;
}
