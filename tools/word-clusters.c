/*
 * word-clusters.c — Brown clusters of the words of raw text, for the entity
 * tagger's word-cluster features.
 *
 *   word-clusters [--clusters C] [--min-count N] [-o OUT] FILE...
 *
 * FILE is UTF-8 text ("-" reads standard input), cut into tokens by the
 * tagger's own tokenizer (ner_tok_split) so that the clusters cover the
 * words the tagger sees. Case is kept; every ASCII digit becomes '0'.
 * Words seen fewer than N times (default 3) are not clustered, though
 * their bigrams count in the other words' marginals. The result goes to
 * OUT, or to standard output without -o (or with -o -).
 *
 * The clustering is Brown et al. (1992) in the restricted form of Liang
 * (2005): the C most frequent words (default 256) start as clusters; each
 * further word, most frequent first, joins as a cluster of its own and
 * then the two clusters whose merge loses the least average mutual
 * information (AMI) between adjacent clusters are merged, so C + 1
 * clusters are compared at a time. At the end the C clusters are merged
 * the same way down to one, and the path from that root to a word's
 * cluster (0 for the branch with more tokens, 1 for the other) is the
 * bit string of each of its words, so there are C distinct strings.
 * Bigrams are adjacent tokens of one sentence.
 *
 * The loss of merging every pair is kept in a table and updated after each
 * merge in O(C^2) (Brown et al.'s identity: a merge of a and b changes the
 * loss of another pair c, d only through the terms of a, b and a + b);
 * pairs with the merged cluster are recomputed in O(C) each.
 *
 * Output: one line per word, "<bits>\t<word>\t<count>", sorted by bits,
 * then by count descending, then by the word's bytes. Ties are broken by
 * frequency and byte order throughout, so the same input always gives the
 * same bytes.
 */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ner_internal.h"

/* Input is tokenised in pieces of at most this many bytes, cut at a blank
 * line where there is one. */
#define CHUNK_BYTES (4u << 20)
/* Separates sentences in the token stream. */
#define SEP UINT32_MAX
/* n log n is looked up below this count and computed above it. */
#define NLOGN_MAX (1 << 18)
/* Progress goes to stderr after every this many words. */
#define PROGRESS_EVERY 5000
#define MAX_CLUSTERS 4096

static double
now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- The vocabulary: every distinct token and its count. ---- */

struct word {
    size_t off; /* its bytes in the arena */
    uint32_t len, count;
};

struct vocab {
    char *arena;
    size_t used, room;
    struct word *w;
    uint32_t n, cap;
    uint32_t *table; /* open addressing over word ids; SEP if free */
    size_t mask;
};

static uint64_t
hash_bytes(const char *s, size_t len)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)s[i]) * 0x100000001b3ull;
    return h ^ (h >> 29);
}

static px_status
vocab_rehash(struct vocab *v)
{
    size_t size = v->mask ? 2 * (v->mask + 1) : (size_t)1 << 16;
    uint32_t *t = malloc(size * sizeof *t);

    if (t == NULL)
        return PX_NOMEM;
    memset(t, 0xff, size * sizeof *t);
    for (uint32_t id = 0; id < v->n; id++) {
        size_t i =
            hash_bytes(v->arena + v->w[id].off, v->w[id].len) & (size - 1);
        while (t[i] != SEP)
            i = (i + 1) & (size - 1);
        t[i] = id;
    }
    free(v->table);
    v->table = t;
    v->mask = size - 1;
    return PX_OK;
}

/* Append a new word s[0, len) to the arena and the word list. */
static px_status
vocab_push(struct vocab *v, const char *s, size_t len)
{
    if (v->used + len > v->room) {
        size_t room = v->room ? 2 * v->room : (size_t)1 << 20;
        while (room < v->used + len)
            room *= 2;
        char *a = realloc(v->arena, room);
        if (a == NULL)
            return PX_NOMEM;
        v->arena = a;
        v->room = room;
    }
    if (v->n == v->cap) {
        uint32_t cap = v->cap ? 2 * v->cap : 1 << 16;
        struct word *w = realloc(v->w, cap * sizeof *w);
        if (w == NULL)
            return PX_NOMEM;
        v->w = w;
        v->cap = cap;
    }
    memcpy(v->arena + v->used, s, len);
    v->w[v->n] = (struct word){v->used, (uint32_t)len, 0};
    v->used += len;
    return PX_OK;
}

/* Count one occurrence of s[0, len); its word id goes to *id. */
static px_status
vocab_add(struct vocab *v, const char *s, size_t len, uint32_t *id)
{
    px_status rc = PX_OK;

    if (v->mask == 0 || 2 * ((size_t)v->n + 1) > v->mask + 1)
        rc = vocab_rehash(v);
    if (rc != PX_OK)
        return rc;
    size_t i = hash_bytes(s, len) & v->mask;
    for (; v->table[i] != SEP; i = (i + 1) & v->mask) {
        struct word *w = &v->w[v->table[i]];
        if (w->len == len && memcmp(v->arena + w->off, s, len) == 0)
            break;
    }
    if (v->table[i] == SEP) {
        rc = vocab_push(v, s, len);
        if (rc != PX_OK)
            return rc;
        v->table[i] = v->n++;
    }
    *id = v->table[i];
    v->w[*id].count++;
    return PX_OK;
}

static void
vocab_free(struct vocab *v)
{
    free(v->arena);
    free(v->w);
    free(v->table);
}

/* ---- Reading: text to a stream of word ids. ---- */

/* The corpus as word ids, with SEP between sentences. */
struct corpus {
    struct vocab vocab;
    uint32_t *ids;
    size_t n, cap, tokens;
};

static px_status
corpus_push(struct corpus *c, uint32_t id)
{
    if (c->n == c->cap) {
        size_t cap = c->cap ? 2 * c->cap : (size_t)1 << 20;
        uint32_t *ids = realloc(c->ids, cap * sizeof *ids);
        if (ids == NULL)
            return PX_NOMEM;
        c->ids = ids;
        c->cap = cap;
    }
    c->ids[c->n++] = id;
    return PX_OK;
}

/* Tokenise text[0, len) and append its tokens; digits in the text are
 * rewritten to '0' once the token boundaries are known. */
static px_status
corpus_add_text(struct corpus *c, char *text, size_t len, struct ner_toks *toks)
{
    toks->n = 0;
    px_status rc = ner_tok_split(text, len, toks);

    for (size_t i = 0; rc == PX_OK && i < toks->n; i++) {
        if ((toks->flags[i] & PX_NER_SENT_START) && c->n > 0 &&
            c->ids[c->n - 1] != SEP)
            rc = corpus_push(c, SEP);
        char *s = text + toks->start[i];
        size_t n = toks->end[i] - toks->start[i];
        for (size_t k = 0; k < n; k++)
            if (s[k] >= '0' && s[k] <= '9')
                s[k] = '0';
        uint32_t id = 0;
        if (rc == PX_OK)
            rc = vocab_add(&c->vocab, s, n, &id);
        if (rc == PX_OK)
            rc = corpus_push(c, id);
        c->tokens++;
    }
    return rc;
}

/* Where to cut buf[0, len): after its last blank line, else after its
 * last newline, else at its end. */
static size_t
find_cut(const char *buf, size_t len)
{
    for (size_t i = len; i >= 2; i--)
        if (buf[i - 1] == '\n' && buf[i - 2] == '\n')
            return i;
    for (size_t i = len; i >= 1; i--)
        if (buf[i - 1] == '\n')
            return i;
    return len;
}

/* Read all of f in chunks that end at paragraph boundaries. */
static px_status
corpus_read(struct corpus *c, FILE *f, char *buf, struct ner_toks *toks)
{
    size_t len = 0;
    px_status rc = PX_OK;
    bool eof = false;

    while (rc == PX_OK && (!eof || len > 0)) {
        if (!eof) {
            size_t want = CHUNK_BYTES - len;
            size_t got = fread(buf + len, 1, want, f);
            len += got;
            eof = got < want;
            if (ferror(f))
                return PX_IO;
        }
        size_t cut = eof ? len : find_cut(buf, len);
        rc = corpus_add_text(c, buf, cut, toks);
        memmove(buf, buf + cut, len - cut);
        len -= cut;
    }
    return rc;
}

/* Read every file named in paths[0, n) ("-": standard input). */
static int
read_inputs(struct corpus *c, char **paths, int n)
{
    char *buf = malloc(CHUNK_BYTES);
    struct ner_toks toks = {0};
    px_status rc = buf ? PX_OK : PX_NOMEM;

    for (int i = 0; rc == PX_OK && i < n; i++) {
        bool std_in = strcmp(paths[i], "-") == 0;
        FILE *f = std_in ? stdin : fopen(paths[i], "rb");
        if (f == NULL) {
            fprintf(stderr,
                    "word-clusters: cannot open %s: %s; give text "
                    "files, or - for standard input\n",
                    paths[i], strerror(errno));
            rc = PX_IO;
            break;
        }
        if (c->n > 0 && c->ids[c->n - 1] != SEP)
            rc = corpus_push(c, SEP);
        if (rc == PX_OK)
            rc = corpus_read(c, f, buf, &toks);
        if (rc == PX_IO)
            fprintf(stderr, "word-clusters: cannot read %s: %s\n", paths[i],
                    strerror(errno));
        if (!std_in)
            fclose(f);
    }
    if (rc == PX_NOMEM)
        fprintf(stderr, "word-clusters: out of memory reading the input\n");
    free(buf);
    ner_toks_free(&toks);
    return rc == PX_OK ? 0 : -1;
}

/* ---- Bigram statistics of the words to cluster. ---- */

/* A bigram of word r (by rank) with a word ranked before it or itself:
 * fwd = n(r, other), back = n(other, r). */
struct edge {
    uint32_t other, fwd, back;
};

struct stats {
    uint32_t nwords;  /* words to cluster */
    uint32_t *id;     /* rank -> vocabulary id */
    int64_t nbigrams; /* bigrams in the corpus, of any words */
    int64_t *nl, *nr; /* by rank: bigrams with the word left, right */
    size_t *first;    /* by rank: its edges [first[r], first[r + 1]) */
    struct edge *edges;
};

struct ranked {
    const char *s;
    uint32_t len, count, id;
};

/* More frequent first, then by bytes. */
static int
cmp_ranked(const void *pa, const void *pb)
{
    const struct ranked *a = pa, *b = pb;
    if (a->count != b->count)
        return a->count > b->count ? -1 : 1;
    int c = memcmp(a->s, b->s, a->len < b->len ? a->len : b->len);
    if (c != 0)
        return c;
    return a->len < b->len ? -1 : a->len > b->len;
}

/* Rank the words seen at least min_count times; rank[id] is SEP for the
 * others. */
static int
rank_words(const struct vocab *v, uint32_t min_count, struct stats *st,
           uint32_t *rank)
{
    struct ranked *r = malloc(((size_t)v->n + 1) * sizeof *r);

    if (r == NULL)
        return -1;
    for (uint32_t id = 0; id < v->n; id++)
        r[id] = (struct ranked){v->arena + v->w[id].off, v->w[id].len,
                                v->w[id].count, id};
    qsort(r, v->n, sizeof *r, cmp_ranked);
    st->nwords = 0;
    while (st->nwords < v->n && r[st->nwords].count >= min_count)
        st->nwords++;
    st->id = malloc(((size_t)st->nwords + 1) * sizeof *st->id);
    if (st->id == NULL) {
        free(r);
        return -1;
    }
    for (uint32_t id = 0; id < v->n; id++)
        rank[id] = SEP;
    for (uint32_t k = 0; k < st->nwords; k++) {
        st->id[k] = r[k].id;
        rank[r[k].id] = k;
    }
    free(r);
    return 0;
}

static int
cmp_u64(const void *pa, const void *pb)
{
    uint64_t a = *(const uint64_t *)pa, b = *(const uint64_t *)pb;
    return a < b ? -1 : a > b;
}

/* Count the marginals and list the bigrams of two ranked words as keys
 * (later rank << 32 | earlier rank << 1 | 1 if the later is on the
 * right), sorted. */
static uint64_t *
bigram_keys(const struct corpus *c, const uint32_t *rank, struct stats *st,
            size_t *nkeys)
{
    uint64_t *keys = malloc((c->n + 1) * sizeof *keys);
    size_t nk = 0;

    if (keys == NULL)
        return NULL;
    for (size_t i = 1; i < c->n; i++) {
        if (c->ids[i - 1] == SEP || c->ids[i] == SEP)
            continue;
        uint32_t a = rank[c->ids[i - 1]], b = rank[c->ids[i]];
        st->nbigrams++;
        if (a != SEP)
            st->nl[a]++;
        if (b != SEP)
            st->nr[b]++;
        if (a == SEP || b == SEP)
            continue;
        uint64_t hi = a > b ? a : b, lo = a > b ? b : a;
        keys[nk++] = hi << 32 | lo << 1 | (uint64_t)(b > a);
    }
    qsort(keys, nk, sizeof *keys, cmp_u64);
    *nkeys = nk;
    return keys;
}

/* Group sorted keys into each word's edges. */
static int
build_edges(struct stats *st, const uint64_t *keys, size_t nk)
{
    size_t ne = 0;

    st->edges = malloc((nk + 1) * sizeof *st->edges);
    if (st->edges == NULL)
        return -1;
    for (size_t i = 0; i < nk; i++) {
        uint32_t hi = (uint32_t)(keys[i] >> 32);
        uint32_t lo = (uint32_t)(keys[i] & 0xffffffffu) >> 1;
        if (i == 0 || (keys[i] >> 1) != (keys[i - 1] >> 1)) {
            st->edges[ne++] = (struct edge){lo, 0, 0};
            st->first[hi + 1] = ne;
        }
        if (keys[i] & 1)
            st->edges[ne - 1].back++;
        else
            st->edges[ne - 1].fwd++;
    }
    /* Words with no edges start where the previous word ended. */
    for (uint32_t r = 1; r <= st->nwords; r++)
        if (st->first[r] < st->first[r - 1])
            st->first[r] = st->first[r - 1];
    return 0;
}

static int
stats_build(const struct corpus *c, uint32_t min_count, struct stats *st)
{
    uint32_t *rank = malloc(((size_t)c->vocab.n + 1) * sizeof *rank);
    uint64_t *keys = NULL;
    size_t nk = 0;
    int rc = rank ? rank_words(&c->vocab, min_count, st, rank) : -1;

    if (rc == 0) {
        st->nl = calloc((size_t)st->nwords + 1, sizeof *st->nl);
        st->nr = calloc((size_t)st->nwords + 1, sizeof *st->nr);
        st->first = calloc((size_t)st->nwords + 1, sizeof *st->first);
        rc = st->nl && st->nr && st->first ? 0 : -1;
    }
    if (rc == 0)
        keys = bigram_keys(c, rank, st, &nk);
    if (rc == 0 && keys == NULL)
        rc = -1;
    if (rc == 0)
        rc = build_edges(st, keys, nk);
    free(keys);
    free(rank);
    return rc;
}

static void
stats_free(struct stats *st)
{
    free(st->id);
    free(st->nl);
    free(st->nr);
    free(st->first);
    free(st->edges);
}

/* ---- The clustering. ---- */

/*
 * Active clusters sit in slots [0, k). Quantities are scaled by the number
 * of bigrams N: for clusters x, y with n(x, y) bigrams and marginals nl,
 * nr, N q(x, y) = n log n + n (log N - log nl(x) - log nr(y)).
 */
struct brown {
    int cap, k;        /* slots; active slots [0, k) */
    double logn;       /* log N */
    double *nlogn;     /* n log n for n < NLOGN_MAX */
    int64_t *n2, *nt;  /* n2[x * cap + y] = n(x, y); nt its transpose */
    double *q2;        /* q(x, y) + q(y, x); q(x, x) on the diagonal */
    double *loss;      /* [x * cap + y], x < y: AMI lost merging x, y */
    double *lpl, *lpr; /* log(nl(x) + nl(y)), log(nr(x) + nr(y)) */
    int64_t *nl, *nr, *count;
    double *lnl, *lnr; /* log nl, log nr (0 when the count is 0) */
    uint32_t *cluster; /* slot -> cluster id (the rank of its first word) */
    int *node;         /* slot -> tree node, in the final phase */
    double *qm;        /* scratch row */
    int *list;         /* scratch row */
    unsigned char *mark;
    /* Clusters as a union-find forest over word ranks. */
    uint32_t *parent, *slot_of;
};

static inline double
qterm(const double *nlogn, double logn, int64_t n, double lx, double ly)
{
    double a = n < NLOGN_MAX ? nlogn[n] : (double)n * log((double)n);
    return a + (double)n * (logn - lx - ly);
}

static double
safe_log(int64_t n)
{
    return n > 0 ? log((double)n) : 0.0;
}

static int
brown_create(struct brown *b, int cap, int64_t nbigrams, uint32_t nwords)
{
    size_t m = (size_t)cap * (size_t)cap;

    memset(b, 0, sizeof *b);
    b->cap = cap;
    b->logn = safe_log(nbigrams);
    b->nlogn = malloc(NLOGN_MAX * sizeof *b->nlogn);
    b->n2 = calloc(m, sizeof *b->n2);
    b->nt = calloc(m, sizeof *b->nt);
    b->q2 = calloc(m, sizeof *b->q2);
    b->loss = calloc(m, sizeof *b->loss);
    b->lpl = calloc(m, sizeof *b->lpl);
    b->lpr = calloc(m, sizeof *b->lpr);
    b->nl = calloc((size_t)cap, sizeof *b->nl);
    b->nr = calloc((size_t)cap, sizeof *b->nr);
    b->count = calloc((size_t)cap, sizeof *b->count);
    b->lnl = calloc((size_t)cap, sizeof *b->lnl);
    b->lnr = calloc((size_t)cap, sizeof *b->lnr);
    b->cluster = calloc((size_t)cap, sizeof *b->cluster);
    b->node = calloc((size_t)cap, sizeof *b->node);
    b->qm = calloc((size_t)cap, sizeof *b->qm);
    b->list = calloc((size_t)cap, sizeof *b->list);
    b->mark = calloc((size_t)cap, 1);
    b->parent = calloc((size_t)nwords + 1, sizeof *b->parent);
    b->slot_of = calloc((size_t)nwords + 1, sizeof *b->slot_of);
    if (!b->nlogn || !b->n2 || !b->nt || !b->q2 || !b->loss || !b->lpl ||
        !b->lpr || !b->nl || !b->nr || !b->count || !b->lnl || !b->lnr ||
        !b->cluster || !b->node || !b->qm || !b->list || !b->mark ||
        !b->parent || !b->slot_of)
        return -1;
    b->nlogn[0] = 0;
    for (int n = 1; n < NLOGN_MAX; n++)
        b->nlogn[n] = (double)n * log((double)n);
    return 0;
}

static void
brown_destroy(struct brown *b)
{
    void *p[] = {b->nlogn, b->n2,   b->nt,      b->q2,     b->loss,
                 b->lpl,   b->lpr,  b->nl,      b->nr,     b->count,
                 b->lnl,   b->lnr,  b->cluster, b->node,   b->qm,
                 b->list,  b->mark, b->parent,  b->slot_of};
    for (size_t i = 0; i < sizeof p / sizeof p[0]; i++)
        free(p[i]);
}

/* The cluster (its root id) word rank r belongs to. */
static uint32_t
find_cluster(struct brown *b, uint32_t r)
{
    while (b->parent[r] != r) {
        b->parent[r] = b->parent[b->parent[r]];
        r = b->parent[r];
    }
    return r;
}

/* After slot s's counts changed: its logs, pair logs and q2 row. */
static void
refresh_slot(struct brown *b, int s)
{
    int cap = b->cap;

    b->lnl[s] = safe_log(b->nl[s]);
    b->lnr[s] = safe_log(b->nr[s]);
    for (int x = 0; x < b->k; x++) {
        double l = safe_log(b->nl[s] + b->nl[x]);
        double r = safe_log(b->nr[s] + b->nr[x]);
        b->lpl[s * cap + x] = b->lpl[x * cap + s] = l;
        b->lpr[s * cap + x] = b->lpr[x * cap + s] = r;
        double q =
            qterm(b->nlogn, b->logn, b->n2[s * cap + x], b->lnl[s], b->lnr[x]);
        if (x != s)
            q += qterm(b->nlogn, b->logn, b->n2[x * cap + s], b->lnl[x],
                       b->lnr[s]);
        b->q2[s * cap + x] = b->q2[x * cap + s] = q;
    }
}

/* The AMI (scaled by N) lost by merging slots c and d, from scratch. */
static double
pair_loss(const struct brown *b, int c, int d)
{
    int cap = b->cap;
    const int64_t *rc = b->n2 + c * cap, *rd = b->n2 + d * cap;
    const int64_t *tc = b->nt + c * cap, *td = b->nt + d * cap;
    const double *qc = b->q2 + c * cap, *qd = b->q2 + d * cap;
    double lpl = b->lpl[c * cap + d], lpr = b->lpr[c * cap + d];
    double s = 0;

    for (int x = 0; x < b->k; x++) {
        if (x == c || x == d)
            continue;
        s += qc[x] + qd[x] -
             qterm(b->nlogn, b->logn, rc[x] + rd[x], lpl, b->lnr[x]) -
             qterm(b->nlogn, b->logn, tc[x] + td[x], b->lnl[x], lpr);
    }
    int64_t self = rc[c] + rc[d] + rd[c] + rd[d];
    return s + qc[c] + qd[d] + qc[d] - qterm(b->nlogn, b->logn, self, lpl, lpr);
}

/* What cluster x contributes to the loss of merging c and d (c, d, x
 * distinct): q2(c, x) + q2(d, x) - q2(c + d, x). The loss of a pair is the
 * sum of this over the other active clusters, plus terms of c and d. */
static inline double
pair_term(const struct brown *b, int x, int c, int d)
{
    int cap = b->cap;
    const int64_t *in = b->nt + x * cap, *out = b->n2 + x * cap;
    double lpl = b->lpl[c * cap + d], lpr = b->lpr[c * cap + d];

    return b->q2[x * cap + c] + b->q2[x * cap + d] -
           qterm(b->nlogn, b->logn, in[c] + in[d], lpl, b->lnr[x]) -
           qterm(b->nlogn, b->logn, out[c] + out[d], b->lnl[x], lpr);
}

/* New slot s joined: add its term to the loss of every older pair. Only
 * pairs with a cluster that has bigrams with s change. */
static void
add_term_of(struct brown *b, int s)
{
    int cap = b->cap, nz = 0;
    int *list = b->list;

    for (int c = 0; c < s; c++) {
        b->mark[c] = b->n2[s * cap + c] != 0 || b->nt[s * cap + c] != 0;
        if (b->mark[c])
            list[nz++] = c;
    }
    for (int i = 0; i < nz; i++) {
        int c = list[i];
        for (int d = 0; d < s; d++) {
            if (d == c || (b->mark[d] && d < c))
                continue;
            int lo = c < d ? c : d, hi = c < d ? d : c;
            b->loss[lo * cap + hi] += pair_term(b, s, lo, hi);
        }
    }
}

/* Word rank r, seen `count` times, joins as a cluster of its own in a new
 * slot. */
static void
brown_add(struct brown *b, const struct stats *st, uint32_t r, uint32_t count)
{
    int cap = b->cap, s = b->k++;

    for (int x = 0; x < b->k; x++)
        b->n2[s * cap + x] = b->n2[x * cap + s] = b->nt[s * cap + x] =
            b->nt[x * cap + s] = 0;
    for (size_t e = st->first[r]; e < st->first[r + 1]; e++) {
        const struct edge *ed = &st->edges[e];
        int x =
            ed->other == r ? s : (int)b->slot_of[find_cluster(b, ed->other)];
        b->n2[s * cap + x] += ed->fwd;
        b->n2[x * cap + s] += ed->back;
        b->nt[x * cap + s] += ed->fwd;
        b->nt[s * cap + x] += ed->back;
    }
    b->nl[s] = st->nl[r];
    b->nr[s] = st->nr[r];
    b->count[s] = count;
    b->cluster[s] = b->parent[r] = r;
    b->slot_of[r] = (uint32_t)s;
    refresh_slot(b, s);
    add_term_of(b, s);
    for (int c = 0; c < s; c++)
        b->loss[c * cap + s] = pair_loss(b, c, s);
}

/* Before slots a and m merge into a: swap the terms of a and m for the
 * term of their union in the loss of every other pair. b->qm must hold
 * q2(a + m, c) for every c. */
static void
swap_terms(struct brown *b, int a, int m, double lnl_u, double lnr_u)
{
    int cap = b->cap;
    const double *T = b->nlogn, logn = b->logn;
    const int64_t *ia = b->nt + a * cap, *oa = b->n2 + a * cap;
    const int64_t *im = b->nt + m * cap, *om = b->n2 + m * cap;
    const double *qa = b->q2 + a * cap, *qm = b->q2 + m * cap, *qu = b->qm;

    for (int c = 0; c < b->k; c++) {
        if (c == a || c == m)
            continue;
        const double *lplc = b->lpl + c * cap, *lprc = b->lpr + c * cap;
        double *lc = b->loss + c * cap;
        for (int d = c + 1; d < b->k; d++) {
            if (d == a || d == m)
                continue;
            int64_t i1 = ia[c] + ia[d], o1 = oa[c] + oa[d];
            int64_t i2 = im[c] + im[d], o2 = om[c] + om[d];
            double fa = qa[c] + qa[d] - qterm(T, logn, i1, lplc[d], b->lnr[a]) -
                        qterm(T, logn, o1, b->lnl[a], lprc[d]);
            double fm = qm[c] + qm[d] - qterm(T, logn, i2, lplc[d], b->lnr[m]) -
                        qterm(T, logn, o2, b->lnl[m], lprc[d]);
            double fu = qu[c] + qu[d] -
                        qterm(T, logn, i1 + i2, lplc[d], lnr_u) -
                        qterm(T, logn, o1 + o2, lnl_u, lprc[d]);
            lc[d] += fu - fa - fm;
        }
    }
}

/* Move slot src's contents to slot dst (src is the last active slot). */
static void
move_slot(struct brown *b, int src, int dst)
{
    int cap = b->cap;
    int64_t *mi[] = {b->n2, b->nt};
    double *md[] = {b->q2, b->lpl, b->lpr};

    for (int x = 0; x < b->k; x++) {
        for (int j = 0; j < 2; j++) {
            mi[j][dst * cap + x] = mi[j][src * cap + x];
            mi[j][x * cap + dst] = mi[j][x * cap + src];
        }
        for (int j = 0; j < 3; j++) {
            md[j][dst * cap + x] = md[j][src * cap + x];
            md[j][x * cap + dst] = md[j][x * cap + src];
        }
        if (x != src && x != dst)
            b->loss[x < dst ? x * cap + dst : dst * cap + x] =
                b->loss[x * cap + src];
    }
    for (int j = 0; j < 2; j++)
        mi[j][dst * cap + dst] = mi[j][src * cap + src];
    for (int j = 0; j < 3; j++)
        md[j][dst * cap + dst] = md[j][src * cap + src];
    b->nl[dst] = b->nl[src];
    b->nr[dst] = b->nr[src];
    b->count[dst] = b->count[src];
    b->lnl[dst] = b->lnl[src];
    b->lnr[dst] = b->lnr[src];
    b->cluster[dst] = b->cluster[src];
    b->node[dst] = b->node[src];
    b->slot_of[b->cluster[dst]] = (uint32_t)dst;
}

/* q2 of the union of slots a and m with every slot, into b->qm. */
static void
union_q2(struct brown *b, int a, int m, double lnl_u, double lnr_u)
{
    int cap = b->cap;

    for (int c = 0; c < b->k; c++) {
        int64_t o = b->n2[a * cap + c] + b->n2[m * cap + c];
        int64_t i = b->nt[a * cap + c] + b->nt[m * cap + c];
        b->qm[c] = qterm(b->nlogn, b->logn, o, lnl_u, b->lnr[c]) +
                   qterm(b->nlogn, b->logn, i, b->lnl[c], lnr_u);
    }
}

/* Merge slot m into slot a (a < m); the last slot then moves to m. */
static void
brown_merge(struct brown *b, int a, int m)
{
    int cap = b->cap;
    double lnl_u = safe_log(b->nl[a] + b->nl[m]);
    double lnr_u = safe_log(b->nr[a] + b->nr[m]);

    union_q2(b, a, m, lnl_u, lnr_u);
    swap_terms(b, a, m, lnl_u, lnr_u);
    int64_t self = b->n2[a * cap + a] + b->n2[a * cap + m] +
                   b->n2[m * cap + a] + b->n2[m * cap + m];
    for (int x = 0; x < b->k; x++) {
        b->n2[a * cap + x] += b->n2[m * cap + x];
        b->nt[a * cap + x] += b->nt[m * cap + x];
        b->n2[x * cap + a] = b->nt[a * cap + x];
        b->nt[x * cap + a] = b->n2[a * cap + x];
    }
    b->n2[a * cap + a] = b->nt[a * cap + a] = self;
    b->nl[a] += b->nl[m];
    b->nr[a] += b->nr[m];
    b->count[a] += b->count[m];
    b->parent[b->cluster[m]] = b->cluster[a];
    if (m != b->k - 1)
        move_slot(b, b->k - 1, m);
    b->k--;
    refresh_slot(b, a);
    for (int x = 0; x < b->k; x++)
        if (x != a)
            b->loss[x < a ? x * cap + a : a * cap + x] = pair_loss(b, a, x);
}

/* The pair of slots whose merge loses the least (the first on ties). */
static void
best_pair(const struct brown *b, int *pa, int *pm)
{
    double best = INFINITY;

    *pa = 0;
    *pm = 1;
    for (int c = 0; c < b->k; c++)
        for (int d = c + 1; d < b->k; d++)
            if (b->loss[c * b->cap + d] < best) {
                best = b->loss[c * b->cap + d];
                *pa = c;
                *pm = d;
            }
}

/* The AMI of the active clusters, in bits. */
static double
brown_ami(const struct brown *b, int64_t nbigrams)
{
    double s = 0;

    for (int c = 0; c < b->k; c++)
        for (int d = c; d < b->k; d++)
            s += b->q2[c * b->cap + d];
    return nbigrams > 0 ? s / (double)nbigrams / log(2.0) : 0;
}

/* ---- The hierarchy and the output. ---- */

/* The binary tree over the final clusters: leaves 0..nleaves-1, then one
 * node per merge. */
struct tree {
    int nleaves, nnodes;
    int *up;            /* node -> parent node, -1 at the root */
    unsigned char *bit; /* node -> its branch under its parent */
    char *paths;        /* leaf l's bits at paths + l * (nleaves + 1) */
};

static void
print_progress(const struct brown *b, const struct stats *st, uint32_t done,
               double t0)
{
    fprintf(stderr,
            "word-clusters: %u of %u words, %d clusters, AMI %.4f "
            "bits, %.1f s\n",
            done, st->nwords, b->k, brown_ami(b, st->nbigrams), now() - t0);
}

/* The windowed phase: every word joins, and past C clusters the best pair
 * merges. */
static void
cluster_words(struct brown *b, const struct stats *st, const struct vocab *v,
              int clusters, double t0)
{
    for (uint32_t r = 0; r < st->nwords; r++) {
        brown_add(b, st, r, v->w[st->id[r]].count);
        if (b->k > clusters) {
            int a, m;
            best_pair(b, &a, &m);
            brown_merge(b, a, m);
        }
        if ((r + 1) % PROGRESS_EVERY == 0)
            print_progress(b, st, r + 1, t0);
    }
}

/* The final phase: merge the remaining clusters into one tree, the branch
 * with more tokens on the 0 side. */
static int
build_tree(struct brown *b, struct tree *t)
{
    int n = b->k;

    t->nleaves = n;
    t->nnodes = n > 0 ? 2 * n - 1 : 0;
    t->up = malloc(((size_t)t->nnodes + 1) * sizeof *t->up);
    t->bit = calloc((size_t)t->nnodes + 1, 1);
    t->paths = calloc((size_t)n * (size_t)(n + 1) + 1, 1);
    if (t->up == NULL || t->bit == NULL || t->paths == NULL)
        return -1;
    for (int s = 0; s < n; s++)
        b->node[s] = s;
    for (int next = n; b->k > 1; next++) {
        int a, m;
        best_pair(b, &a, &m);
        bool a_left = b->count[a] >= b->count[m];
        t->up[b->node[a]] = t->up[b->node[m]] = next;
        t->bit[b->node[a]] = !a_left;
        t->bit[b->node[m]] = a_left;
        brown_merge(b, a, m);
        b->node[a] = next;
    }
    if (t->nnodes > 0)
        t->up[t->nnodes - 1] = -1;
    return 0;
}

/* Each leaf's bits, root first ("0" when the root is the only leaf). */
static void
tree_paths(struct tree *t)
{
    for (int l = 0; l < t->nleaves; l++) {
        char *p = t->paths + (size_t)l * (size_t)(t->nleaves + 1);
        int len = 0;
        for (int x = l; t->up[x] >= 0; x = t->up[x])
            p[len++] = (char)('0' + t->bit[x]);
        for (int i = 0; i < len / 2; i++) {
            char c = p[i];
            p[i] = p[len - 1 - i];
            p[len - 1 - i] = c;
        }
        if (len == 0)
            p[0] = '0';
    }
}

static void
tree_free(struct tree *t)
{
    free(t->up);
    free(t->bit);
    free(t->paths);
}

struct out_line {
    const char *path, *s;
    uint32_t len, count;
};

/* By bits, then more frequent first, then by bytes. */
static int
cmp_out(const void *pa, const void *pb)
{
    const struct out_line *a = pa, *b = pb;
    int c = strcmp(a->path, b->path);
    if (c != 0)
        return c;
    struct ranked ra = {a->s, a->len, a->count, 0};
    struct ranked rb = {b->s, b->len, b->count, 0};
    return cmp_ranked(&ra, &rb);
}

static int
write_clusters(const char *path, const struct out_line *lines, uint32_t n)
{
    FILE *f = path ? fopen(path, "w") : stdout;

    if (f == NULL)
        return -1;
    for (uint32_t i = 0; i < n; i++)
        fprintf(f, "%s\t%.*s\t%u\n", lines[i].path, (int)lines[i].len,
                lines[i].s, lines[i].count);
    int rc = ferror(f) ? -1 : 0;
    if (path ? fclose(f) != 0 : fflush(f) != 0)
        rc = -1;
    return rc;
}

/* Every clustered word with its leaf's bits, sorted and written. `leaf`
 * maps word ranks to leaves. */
static int
output(const char *path, const struct stats *st, const struct vocab *v,
       const struct tree *t, const int *leaf)
{
    struct out_line *lines = malloc(((size_t)st->nwords + 1) * sizeof *lines);

    if (lines == NULL)
        return -1;
    for (uint32_t r = 0; r < st->nwords; r++) {
        const struct word *w = &v->w[st->id[r]];
        lines[r] = (struct out_line){t->paths + (size_t)leaf[r] *
                                                    (size_t)(t->nleaves + 1),
                                     v->arena + w->off, w->len, w->count};
    }
    qsort(lines, st->nwords, sizeof *lines, cmp_out);
    int rc = write_clusters(path, lines, st->nwords);
    free(lines);
    return rc;
}

/* ---- The command. ---- */

struct options {
    int clusters;
    uint32_t min_count;
    const char *out;
    char **inputs;
    int ninputs;
};

static void
usage(void)
{
    fprintf(stderr, "usage: word-clusters [--clusters C] [--min-count N] "
                    "[-o OUT] FILE...  (FILE - reads standard input)\n");
    exit(2);
}

static void
parse_options(int argc, char **argv, struct options *o)
{
    int i = 1;

    *o = (struct options){256, 3, NULL, NULL, 0};
    for (; i < argc && argv[i][0] == '-' && argv[i][1] != '\0'; i += 2) {
        if (strcmp(argv[i], "--") == 0) {
            i++;
            break;
        }
        if (i + 1 >= argc)
            usage();
        if (strcmp(argv[i], "--clusters") == 0)
            o->clusters = atoi(argv[i + 1]);
        else if (strcmp(argv[i], "--min-count") == 0)
            o->min_count = (uint32_t)atoi(argv[i + 1]);
        else if (strcmp(argv[i], "-o") == 0)
            o->out = strcmp(argv[i + 1], "-") == 0 ? NULL : argv[i + 1];
        else
            usage();
    }
    if (i >= argc || o->clusters < 2 || o->clusters > MAX_CLUSTERS ||
        o->min_count < 1)
        usage();
    o->inputs = argv + i;
    o->ninputs = argc - i;
}

/* Cluster the words of st and write them; 0 or -1 (out of memory). */
static int
run(const struct options *o, const struct stats *st, const struct vocab *v,
    double t0)
{
    int cap =
        (st->nwords < (uint32_t)o->clusters ? (int)st->nwords : o->clusters) +
        1;
    struct brown b = {0};
    struct tree t = {0};
    int *leaf = malloc(((size_t)st->nwords + 1) * sizeof *leaf);
    int rc = leaf ? brown_create(&b, cap, st->nbigrams, st->nwords) : -1;

    if (rc == 0) {
        cluster_words(&b, st, v, o->clusters, t0);
        for (uint32_t r = 0; r < st->nwords; r++)
            leaf[r] = (int)b.slot_of[find_cluster(&b, r)];
        fprintf(stderr, "word-clusters: %d clusters, AMI %.4f bits, %.1f s\n",
                b.k, brown_ami(&b, st->nbigrams), now() - t0);
        rc = build_tree(&b, &t);
    }
    if (rc == 0) {
        tree_paths(&t);
        rc = output(o->out, st, v, &t, leaf);
        if (rc == 0)
            fprintf(stderr, "word-clusters: %u words in %d clusters, %.1f s\n",
                    st->nwords, t.nleaves, now() - t0);
        if (rc != 0)
            fprintf(stderr, "word-clusters: cannot write %s: %s\n",
                    o->out ? o->out : "standard output", strerror(errno));
    } else {
        fprintf(stderr, "word-clusters: out of memory\n");
    }
    brown_destroy(&b);
    tree_free(&t);
    free(leaf);
    return rc;
}

int
main(int argc, char **argv)
{
    struct options o;
    struct corpus c = {0};
    struct stats st = {0};
    double t0 = now();

    parse_options(argc, argv, &o);
    int rc = read_inputs(&c, o.inputs, o.ninputs);
    if (rc == 0 && stats_build(&c, o.min_count, &st) != 0) {
        fprintf(stderr, "word-clusters: out of memory counting bigrams\n");
        rc = -1;
    }
    free(c.ids);
    c.ids = NULL;
    if (rc != 0) {
        stats_free(&st);
        vocab_free(&c.vocab);
        return 1;
    }
    fprintf(stderr,
            "word-clusters: %zu tokens, %u types, %u words seen %u "
            "times or more, %lld bigrams, %.1f s\n",
            c.tokens, c.vocab.n, st.nwords, o.min_count, (long long)st.nbigrams,
            now() - t0);
    rc = run(&o, &st, &c.vocab, t0);
    stats_free(&st);
    vocab_free(&c.vocab);
    return rc == 0 ? 0 : 1;
}
