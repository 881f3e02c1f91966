/*
 * facets.c — counting entities over matching articles (facets.h).
 */
#include "facets.h"

#include <stdlib.h>
#include <string.h>

#include "passim/format.h"
#include "passim/schema.h"

/* Strings copied into blocks freed all at once: a query of a common word
 * counts tens of thousands of distinct values, and a malloc and a free
 * for each cost more than the counting. */
typedef struct block {
    struct block *next;
    size_t used, cap;
    char data[];
} block;

typedef struct arena {
    block *head;
} arena;

#define ARENA_BLOCK 65536

static const char *
arena_copy(arena *a, const char *s, size_t len)
{
    block *b = a->head;
    if (!b || b->cap - b->used < len + 1) {
        size_t cap = len + 1 > ARENA_BLOCK ? len + 1 : ARENA_BLOCK;
        b = malloc(sizeof *b + cap);
        if (!b)
            return NULL;
        *b = (block){a->head, 0, cap};
        a->head = b;
    }
    char *p = b->data + b->used;
    memcpy(p, s, len);
    p[len] = '\0';
    b->used += len + 1;
    return p;
}

static void
arena_free(arena *a)
{
    while (a->head) {
        block *next = a->head->next;
        free(a->head);
        a->head = next;
    }
}

/* One string of a counter: a value, an article id or a key. */
typedef struct entry {
    const char *s;     /* in the arena, NUL-terminated */
    const char *shown; /* keys: the spelling shown */
    uint64_t hash;
    uint32_t len;
    uint32_t count;
    uint32_t best;     /* keys: the number of articles spelling it so */
} entry;

/* Strings with counts: entries in the order met, found through an
 * open-addressing table of their indexes (+ 1; 0: free), so that growing
 * moves 4 bytes an entry and clears no entries. */
typedef struct counter {
    entry *e;
    size_t n, ecap;
    uint32_t *slot;
    size_t cap;
    arena *mem;
    int oom;
} counter;

/* A 64-bit hash, 8 bytes a step. */
static uint64_t
hash_bytes(const char *s, size_t len)
{
    uint64_t h = 0x9e3779b97f4a7c15ULL ^ len, w;
    for (; len >= 8; s += 8, len -= 8) {
        memcpy(&w, s, 8);
        h = (h ^ w) * 0xff51afd7ed558ccdULL;
        h ^= h >> 32;
    }
    w = 0;
    memcpy(&w, s, len);
    h = (h ^ w) * 0xc4ceb9fe1a85ec53ULL;
    return h ^ (h >> 29);
}

static int
grow(counter *c)
{
    size_t cap = c->cap ? c->cap * 2 : 1024;
    uint32_t *slot = calloc(cap, sizeof *slot);
    entry *e = realloc(c->e, cap / 2 * sizeof *e);
    if (!slot || !e) {
        free(slot);
        if (e)
            c->e = e;
        return -1;
    }
    for (size_t i = 0; i < c->n; i++) {
        size_t j = e[i].hash & (cap - 1);
        while (slot[j])
            j = (j + 1) & (cap - 1);
        slot[j] = (uint32_t)i + 1;
    }
    free(c->slot);
    c->slot = slot;
    c->cap = cap;
    c->e = e;
    c->ecap = cap / 2;
    return 0;
}

/* The entry of s[0, len), added (count 0) when new; NULL on no memory. */
static entry *
entry_of(counter *c, const char *s, size_t len)
{
    if (c->n + 1 > c->ecap && grow(c) != 0) {
        c->oom = 1;
        return NULL;
    }
    uint64_t h = hash_bytes(s, len);
    size_t i = h & (c->cap - 1);
    for (; c->slot[i]; i = (i + 1) & (c->cap - 1)) {
        entry *e = &c->e[c->slot[i] - 1];
        if (e->hash == h && e->len == len && memcmp(e->s, s, len) == 0)
            return e;
    }
    const char *copy = arena_copy(c->mem, s, len);
    if (!copy) {
        c->oom = 1;
        return NULL;
    }
    entry *e = &c->e[c->n];
    *e = (entry){copy, NULL, h, (uint32_t)len, 0, 0};
    c->slot[i] = (uint32_t)++c->n;
    return e;
}

/* Add one to the count of s[0, len); returns the new count, 0 on no
 * memory. */
static uint32_t
bump(counter *c, const char *s, size_t len)
{
    entry *e = entry_of(c, s, len);
    return e ? ++e->count : 0;
}

/* Add n to the count of key, spelled `show` n times: the spelling with
 * the most is the one shown; of equals, the last in byte order, so that
 * the choice does not depend on the table's order and lower case wins
 * ("Graphics" over "GRAPHICS"). */
static void
add_spelling(counter *c, const char *key, size_t klen, const char *show,
             uint32_t n)
{
    entry *e = entry_of(c, key, klen);
    if (!e)
        return;
    e->count += n;
    if (n > e->best || (n == e->best && strcmp(show, e->shown) > 0)) {
        e->shown = show;
        e->best = n;
    }
}

static void
counter_free(counter *c)
{
    free(c->e);
    free(c->slot);
    c->e = NULL;
    c->slot = NULL;
    c->n = c->ecap = c->cap = 0;
}

typedef struct spy_state {
    arena mem; /* the strings of every counter below */
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

/* Fold counts by value into counts by key. The spellings shown point
 * into by_value's arena. */
static px_status
merge_by_key(counter *by_value, counter *by_key)
{
    for (size_t i = 0; i < by_value->n; i++) {
        const entry *v = &by_value->e[i];
        char key[PX_ENTITY_KEY_MAX + 1];
        size_t klen = 0;
        if (px_entity_key_buf(v->s, v->len, key, &klen) != PX_OK)
            return PX_NOMEM;
        add_spelling(by_key, key, klen, v->s, v->count);
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

/* True when key entry x comes after y in px_facet_value_order. */
static int
after(const entry *x, const entry *y)
{
    if (x->count != y->count)
        return x->count < y->count;
    return strcmp(x->shown, y->shown) > 0;
}

/* Restore the heap order (the entry that comes last at the root) below
 * position i of h[0, n). */
static void
sift_down(const entry **h, size_t n, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < n && after(h[l], h[m]))
            m = l;
        if (r < n && after(h[r], h[m]))
            m = r;
        if (m == i)
            return;
        const entry *t = h[i];
        h[i] = h[m];
        h[m] = t;
        i = m;
    }
}

/* The top `top` keys of c, copied into out (sorted): a heap of the best
 * `top` seen, not a sort of every key. */
static px_status
top_values(const counter *c, uint32_t top, px_facet_value **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    size_t keep = c->n < top ? c->n : top;
    if (keep == 0)
        return PX_OK;
    const entry **h = malloc(keep * sizeof *h);
    px_facet_value *all = calloc(keep, sizeof *all);
    if (!h || !all) {
        free(h);
        free(all);
        return PX_NOMEM;
    }
    size_t k = 0;
    for (size_t i = 0; i < c->n; i++) {
        const entry *e = &c->e[i];
        if (k < keep) {
            h[k++] = e;
            if (k == keep) {
                for (size_t j = keep / 2; j-- > 0;)
                    sift_down(h, keep, j);
            }
        } else if (after(h[0], e)) {
            h[0] = e;
            sift_down(h, keep, 0);
        }
    }
    for (size_t i = 0; i < keep; i++)
        all[i] = (px_facet_value){(char *)h[i]->shown, h[i]->count};
    free(h);
    qsort(all, keep, sizeof *all, px_facet_value_order);
    *out = all;
    *n = keep;
    px_status rc = PX_OK;
    for (size_t i = 0; i < keep; i++) {
        /* The spellings live in the counting's arena: copy them out (a
         * failed copy leaves NULL, which px_facets_free takes). */
        all[i].value = strdup(all[i].value);
        if (!all[i].value)
            rc = PX_NOMEM;
    }
    return rc;
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
    s.articles.mem = &s.mem;
    for (int t = 0; t < PX_ENT_TYPES; t++)
        s.types[t].mem = &s.mem;
    uint32_t upper = 0;
    px_status rc = run_spy(db, query, &s, &upper, modified, error);
    for (int t = 0; t < PX_ENT_TYPES; t++) {
        counter by_key = {.mem = &s.mem};
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
    arena_free(&s.mem);
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
