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
    const size_t full = len;
    uint64_t h = 0x9e3779b97f4a7c15ULL ^ len, w;
    for (; len >= 8; s += 8, len -= 8) {
        memcpy(&w, s, 8);
        h = (h ^ w) * 0xff51afd7ed558ccdULL;
        h ^= h >> 32;
    }
    w = 0;
    if (len && full >= 8) {
        /* The last 8 bytes, overlapping those already taken. */
        memcpy(&w, s + len - 8, 8);
    } else {
        for (size_t i = 0; i < len; i++)
            w |= (uint64_t)(unsigned char)s[i] << (8 * i);
    }
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
    counter months;  /* "YYYY-MM" of each article counted */
    int by_month;    /* count them */
    uint32_t seen;
    uint32_t cap;  /* past this many passages, only count them (0: none) */
    /* With a cap, the articles' entity lists are kept (in mem) and
     * counted once the spy is known complete: a spy that passes its cap
     * is dropped, and counting is most of its work. */
    const char **lists;
    size_t *list_lens, nlists, lists_cap;
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

/* A byte of a skeleton: ASCII letters (lower-cased), digits and '_';
 * 0 for the rest. */
static const unsigned char skeleton_of[256] = {
    ['0'] = '0', ['1'] = '1', ['2'] = '2', ['3'] = '3', ['4'] = '4',
    ['5'] = '5', ['6'] = '6', ['7'] = '7', ['8'] = '8', ['9'] = '9',
    ['A'] = 'a', ['B'] = 'b', ['C'] = 'c', ['D'] = 'd', ['E'] = 'e',
    ['F'] = 'f', ['G'] = 'g', ['H'] = 'h', ['I'] = 'i', ['J'] = 'j',
    ['K'] = 'k', ['L'] = 'l', ['M'] = 'm', ['N'] = 'n', ['O'] = 'o',
    ['P'] = 'p', ['Q'] = 'q', ['R'] = 'r', ['S'] = 's', ['T'] = 't',
    ['U'] = 'u', ['V'] = 'v', ['W'] = 'w', ['X'] = 'x', ['Y'] = 'y',
    ['Z'] = 'z', ['_'] = '_', ['a'] = 'a', ['b'] = 'b', ['c'] = 'c',
    ['d'] = 'd', ['e'] = 'e', ['f'] = 'f', ['g'] = 'g', ['h'] = 'h',
    ['i'] = 'i', ['j'] = 'j', ['k'] = 'k', ['l'] = 'l', ['m'] = 'm',
    ['n'] = 'n', ['o'] = 'o', ['p'] = 'p', ['q'] = 'q', ['r'] = 'r',
    ['s'] = 's', ['t'] = 't', ['u'] = 'u', ['v'] = 'v', ['w'] = 'w',
    ['x'] = 'x', ['y'] = 'y', ['z'] = 'z',
};

/* What every spelling of one entity key has in common: its ASCII letters,
 * digits and '_', lower-cased, in order (px_entity_key() folds ASCII to
 * lower case, keeps every word character, and drops or keeps other bytes
 * only). Writes them to out; returns their number, or -1 when `ascii` is
 * asked for and s has a byte past ASCII. */
static long
skeleton(const char *s, size_t len, int ascii, char *out)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        unsigned char k = skeleton_of[c];
        if (k)
            out[n++] = (char)k;
        else if (c >= 0x80 && ascii)
            return -1;
    }
    return (long)n;
}

/* Fold counts by value into counts by key, which filters match: the
 * values of one key are counted together and shown by their most common
 * spelling.
 *
 * Folding every value was most of the counting for common words (68,000
 * values for 'writes'), so values are first grouped by skeleton(): the
 * values of one key share one (for ASCII within PX_ENTITY_KEY_MAX,
 * skeleton(value) is skeleton(key); for other values the key's is used).
 * A group of one value is one key, which needs no folding: its value is
 * a candidate as it is (shown set). Only the values of groups of several
 * are folded, into by_key. The spellings shown point into the arena. */
static px_status
merge_by_key(counter *by_value, counter *by_key, arena *mem)
{
    counter groups = {.mem = mem};
    uint32_t *group_of = malloc((by_value->n + 1) * sizeof *group_of);
    char key[PX_ENTITY_KEY_MAX + 1], skel[PX_ENTITY_KEY_MAX + 1];
    size_t klen = 0;
    px_status rc = group_of ? PX_OK : PX_NOMEM;
    for (size_t i = 0; i < by_value->n && rc == PX_OK; i++) {
        const entry *v = &by_value->e[i];
        long n = v->len <= PX_ENTITY_KEY_MAX ? skeleton(v->s, v->len, 1, skel)
                                            : -1;
        if (n < 0) {
            rc = px_entity_key_buf(v->s, v->len, key, &klen);
            n = skeleton(key, klen, 0, skel);
        }
        entry *g = rc == PX_OK ? entry_of(&groups, skel, (size_t)n) : NULL;
        if (rc == PX_OK && !g)
            rc = PX_NOMEM;
        if (rc == PX_OK) {
            g->count++;
            group_of[i] = (uint32_t)(g - groups.e);
        }
    }
    for (size_t i = 0; i < by_value->n && rc == PX_OK; i++) {
        entry *v = &by_value->e[i];
        if (groups.e[group_of[i]].count == 1) {
            v->shown = v->s;
            continue;
        }
        rc = px_entity_key_buf(v->s, v->len, key, &klen);
        if (rc == PX_OK)
            add_spelling(by_key, key, klen, v->s, v->count);
        if (rc == PX_OK && by_key->oom)
            rc = PX_NOMEM;
    }
    free(group_of);
    counter_free(&groups);
    return rc == PX_OK ? PX_OK : PX_NOMEM;
}

/* The article's published month, from its YYYYMMDD date. */
static void
count_month(spy_state *s, xc_document *doc)
{
    const char *d;
    size_t len;
    if (xc_document_get_value(doc, PX_SLOT_DATE, &d, &len) != XC_OK ||
        len < 6)
        return;
    char month[7] = {d[0], d[1], d[2], d[3], '-', d[4], d[5]};
    bump(&s->months, month, sizeof month);
}

/* Count passage doc's article, unless already counted. */
static void
count_passage(spy_state *s, xc_document *doc)
{
    const char *id, *ents;
    size_t id_len, ents_len;
    if (xc_document_get_value(doc, PX_SLOT_ARTICLE, &id, &id_len) != XC_OK ||
        bump(&s->articles, id, id_len) != 1)
        return;
    if (s->by_month)
        count_month(s, doc);
    if (xc_document_get_value(doc, PX_SLOT_ENTITIES, &ents, &ents_len) !=
        XC_OK)
        return;
    if (!s->cap) {
        px_entities_each(ents, ents_len, count_entity, s);
        return;
    }
    if (s->nlists == s->lists_cap) {
        size_t cap = s->lists_cap ? 2 * s->lists_cap : 64;
        const char **l = realloc(s->lists, cap * sizeof *l);
        size_t *n = l ? realloc(s->list_lens, cap * sizeof *n) : NULL;
        if (l)
            s->lists = l;
        if (!l || !n) {
            s->articles.oom = 1;
            return;
        }
        s->list_lens = n;
        s->lists_cap = cap;
    }
    const char *copy = arena_copy(&s->mem, ents, ents_len);
    if (!copy) {
        s->articles.oom = 1;
        return;
    }
    s->lists[s->nlists] = copy;
    s->list_lens[s->nlists++] = ents_len;
}

static void
spy(void *ctx, xc_document *doc, double weight)
{
    (void)weight;
    spy_state *s = ctx;
    /* Past the cap of a joint spy its counts are dropped (facets.h): the
     * passages are only counted. */
    if (++s->seen > s->cap && s->cap)
        return;
    count_passage(s, doc);
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

/* Offer candidate e to the heap h of at most `keep` (k so far). */
static void
offer(const entry **h, size_t keep, size_t *k, const entry *e)
{
    if (*k < keep) {
        h[(*k)++] = e;
        if (*k == keep) {
            for (size_t j = keep / 2; j-- > 0;)
                sift_down(h, keep, j);
        }
    } else if (after(h[0], e)) {
        h[0] = e;
        sift_down(h, keep, 0);
    }
}

/* The top `top` candidates (entries with a spelling shown) of a and b,
 * copied into out (sorted): a heap of the best `top` seen, not a sort of
 * every key. */
static px_status
top_values(const counter *a, const counter *b, uint32_t top,
           px_facet_value **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    size_t keep = a->n + b->n < top ? a->n + b->n : top;
    if (keep == 0)
        return PX_OK;
    const entry **h = malloc(keep * sizeof *h);
    if (!h)
        return PX_NOMEM;
    size_t k = 0;
    for (size_t i = 0; i < a->n; i++) {
        if (a->e[i].shown)
            offer(h, keep, &k, &a->e[i]);
    }
    for (size_t i = 0; i < b->n; i++) {
        if (b->e[i].shown)
            offer(h, keep, &k, &b->e[i]);
    }
    px_facet_value *all = k ? calloc(k, sizeof *all) : NULL;
    if (k && !all) {
        free(h);
        return PX_NOMEM;
    }
    for (size_t i = 0; i < k; i++)
        all[i] = (px_facet_value){(char *)h[i]->shown, h[i]->count};
    free(h);
    if (k)
        qsort(all, k, sizeof *all, px_facet_value_order);
    *out = all;
    *n = k;
    px_status rc = PX_OK;
    for (size_t i = 0; i < k; i++) {
        /* The spellings live in the counting's arena: copy them out (a
         * failed copy leaves NULL, which px_facets_free takes). */
        all[i].value = strdup(all[i].value);
        if (!all[i].value)
            rc = PX_NOMEM;
    }
    return rc;
}

static int
by_value(const void *a, const void *b)
{
    return strcmp(((const px_facet_value *)a)->value,
                  ((const px_facet_value *)b)->value);
}

/* The months counted, oldest first (their strings copied out). */
static px_status
month_values(const counter *c, px_facets *out)
{
    if (c->n == 0)
        return PX_OK;
    out->months = calloc(c->n, sizeof *out->months);
    if (!out->months)
        return PX_NOMEM;
    for (size_t i = 0; i < c->n; i++) {
        out->months[i] = (px_facet_value){strdup(c->e[i].s), c->e[i].count};
        out->nmonths++;
        if (!out->months[i].value)
            return PX_NOMEM;
    }
    qsort(out->months, out->nmonths, sizeof *out->months, by_value);
    return PX_OK;
}

struct px_facets_spy {
    spy_state s;
    xc_matchspy *ms;
};

px_status
px_facets_spy_create(uint32_t cap, int months, px_facets_spy **out)
{
    px_facets_spy *f = calloc(1, sizeof *f);
    *out = NULL;
    if (!f)
        return PX_NOMEM;
    f->s.cap = cap;
    f->s.by_month = months;
    f->s.articles.mem = &f->s.mem;
    f->s.months.mem = &f->s.mem;
    for (int t = 0; t < PX_ENT_TYPES; t++)
        f->s.types[t].mem = &f->s.mem;
    if (xc_matchspy_create_callback(spy, &f->s, &f->ms, NULL) != XC_OK) {
        free(f);
        return PX_NOMEM;
    }
    *out = f;
    return PX_OK;
}

xc_matchspy *
px_facets_spy_handle(px_facets_spy *f)
{
    return f->ms;
}

int
px_facets_spy_complete(const px_facets_spy *f)
{
    return !f->s.cap || f->s.seen < f->s.cap;
}

px_status
px_facets_spy_finish(px_facets_spy *f, uint32_t top, uint32_t upper,
                     px_facets *out)
{
    spy_state *s = &f->s;
    px_status rc = PX_OK;
    memset(out, 0, sizeof *out);
    for (size_t i = 0; i < s->nlists; i++)
        px_entities_each(s->lists[i], s->list_lens[i], count_entity, s);
    for (int t = 0; t < PX_ENT_TYPES; t++) {
        counter by_key = {.mem = &s->mem};
        if (s->types[t].oom)
            rc = PX_NOMEM;
        if (rc == PX_OK)
            rc = merge_by_key(&s->types[t], &by_key, &s->mem);
        if (rc == PX_OK)
            rc = top_values(&s->types[t], &by_key, top, &out->values[t],
                            &out->count[t]);
        counter_free(&by_key);
    }
    if ((s->articles.oom || s->months.oom) && rc == PX_OK)
        rc = PX_NOMEM;
    if (rc == PX_OK)
        rc = month_values(&s->months, out);
    out->articles = (uint32_t)s->articles.n;
    out->passages_seen = s->seen;
    out->exact = s->seen >= upper;
    if (rc != PX_OK)
        px_facets_free(out);
    return rc;
}

void
px_facets_spy_destroy(px_facets_spy *f)
{
    if (!f)
        return;
    for (int t = 0; t < PX_ENT_TYPES; t++)
        counter_free(&f->s.types[t]);
    counter_free(&f->s.articles);
    counter_free(&f->s.months);
    arena_free(&f->s.mem);
    free(f->s.lists);
    free(f->s.list_lens);
    xc_matchspy_destroy(f->ms);
    free(f);
}

/* A match of its own over `query`, the spy looking at every passage. */
px_status
px_facets_count(xc_database *db, const xc_query *query, uint32_t top,
                int months, px_facets *out, int *modified, char **error)
{
    memset(out, 0, sizeof *out);
    px_facets_spy *f = NULL;
    xc_enquire *enq = NULL;
    xc_mset *mset = NULL;
    uint32_t upper = 0;
    xc_status xs = px_facets_spy_create(0, months, &f) == PX_OK ? XC_OK
                                                                : XC_NOMEM;
    if (xs == XC_OK)
        xs = xc_enquire_create(db, &enq, NULL);
    if (xs == XC_OK)
        xs = xc_enquire_set_query(enq, query, 0);
    /* Not BoolWeight, though no weight is needed: Xapian 1.4.22's boolean
     * match reports "Unexpected end of posting list" (DatabaseCorruptError)
     * on a glass database after documents were replaced, where BM25 reads
     * the same posting list without fault (tests/e2e/test_facets.py). */
    if (xs == XC_OK)
        xs = xc_enquire_add_matchspy(enq, f->ms);
    if (xs == XC_OK)
        xs = xc_enquire_get_mset(enq, 0, 0, PX_FACETS_EXACT_UP_TO, &mset);
    if (xs == XC_OK)
        xs = xc_mset_matches(mset, NULL, NULL, &upper);
    *modified = xs == XC_MODIFIED;
    if (xs != XC_OK && error && !*error)
        *error = px_asprintf("counting facets: %s",
                             enq ? xc_enquire_last_error(enq)
                                 : xc_status_to_string(xs));
    px_status rc = xs == XC_OK ? PX_OK : xs == XC_NOMEM ? PX_NOMEM
                                                         : PX_XAPIAN;
    if (rc == PX_OK)
        rc = px_facets_spy_finish(f, top, upper, out);
    xc_mset_destroy(mset);
    xc_enquire_destroy(enq);
    px_facets_spy_destroy(f);
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
    for (size_t i = 0; i < f->nmonths; i++)
        free(f->months[i].value);
    free(f->months);
    memset(f, 0, sizeof *f);
}
