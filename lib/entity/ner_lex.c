/*
 * ner_lex.c — what the tagger knows beyond its training text: gazetteers,
 * dictionary words and word clusters (ner_internal.h, struct ner_lex).
 *
 * Both come embedded in the library as text: the lexicon that
 * tools/ner-gazetteer.py builds at build time from Debian packages, and
 * the Brown clusters that tools/word-clusters learnt from unlabelled text
 * (model/clusters.txt). They are parsed once per process into hash
 * tables keyed by the same token hashes the features use, so a lookup
 * costs one probe. Place names are tokenised by the tagger's own
 * tokenizer, so "Viana do Castelo" or "Guinea-Bissau" match the tokens
 * the tagger will see.
 */
#include "ner_internal.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* Place names longer than this many tokens are left out. */
#define MAX_PHRASE 8

static px_status
table_init(struct ner_table *t, size_t want)
{
    size_t cap = 64;

    while (cap < 2 * want)
        cap *= 2;
    t->keys = calloc(cap, sizeof *t->keys);
    t->vals = calloc(cap, sizeof *t->vals);
    t->mask = cap - 1;
    return t->keys && t->vals ? PX_OK : PX_NOMEM;
}

static void
table_free(struct ner_table *t)
{
    free(t->keys);
    free(t->vals);
    memset(t, 0, sizeof *t);
}

/* The slot of a key: where it is, or the empty one where it would go.
 * A slot keeps 32 bits of the mixed hash (never 0, which marks an empty
 * slot); its place comes from the other 32, so two keys that share a
 * slot and its bits are one in 2^32 per probe. */
static size_t
table_slot(const struct ner_table *t, uint64_t key, uint32_t *fp)
{
    uint64_t m = ner_mix(key);
    size_t i = (size_t)m & t->mask;

    *fp = (uint32_t)(m >> 32) | 1u;
    while (t->keys[i] != 0 && t->keys[i] != *fp)
        i = (i + 1) & t->mask;
    return i;
}

uint32_t
ner_table_get(const struct ner_table *t, uint64_t key)
{
    uint32_t fp;
    if (t->keys == NULL)
        return 0;
    size_t i = table_slot(t, key, &fp);
    return t->keys[i] == fp ? t->vals[i] : 0;
}

/* OR bits into key's value; returns its slot. */
static size_t
table_or(struct ner_table *t, uint64_t key, uint32_t bits)
{
    uint32_t fp;
    size_t i = table_slot(t, key, &fp);
    t->keys[i] = fp;
    t->vals[i] |= bits;
    return i;
}

static size_t
count_lines(const char *s, size_t n)
{
    size_t lines = 0;
    for (size_t i = 0; i < n; i++)
        lines += s[i] == '\n';
    return lines + 1;
}

static uint32_t
kind_bit(char k)
{
    switch (k) {
    case 'g':
        return NER_GAZ_PLACE;
    case 'c':
        return NER_GAZ_COUNTRY;
    case 's':
        return NER_GAZ_REGION;
    case 'w':
        return NER_LEX_LOWER;
    case 'p':
        return NER_LEX_PROPER;
    case 'o':
        return NER_LEX_ORGWORD;
    default:
        return 0;
    }
}

/* One place name: its tokens' hashes chained into the phrase key; its
 * first token remembers the longest phrase it opens. */
static px_status
add_phrase(struct ner_lex *lex, const char *s, size_t n, uint32_t bits,
           struct ner_toks *toks)
{
    toks->n = 0;
    if (ner_tok_split(s, n, toks) != PX_OK)
        return PX_NOMEM;
    if (toks->n == 0 || toks->n > MAX_PHRASE)
        return PX_OK;
    uint64_t h = NER_SEQ_SEED, first = 0;
    for (size_t k = 0; k < toks->n; k++) {
        uint64_t w =
            ner_hash_lower(s + toks->start[k], toks->end[k] - toks->start[k]);
        if (k == 0)
            first = w;
        h = ner_seq_next(h, w);
    }
    table_or(&lex->phrases, h, bits);
    uint32_t cur = ner_table_get(&lex->words, first);
    uint32_t longest = (cur >> NER_LEX_LEN_SHIFT) & 0xFu;
    if (toks->n > longest) {
        size_t i = table_or(&lex->words, first, 0);
        lex->words.vals[i] = (cur & ~(0xFu << NER_LEX_LEN_SHIFT)) |
                             (uint32_t)toks->n << NER_LEX_LEN_SHIFT;
    }
    return PX_OK;
}

static px_status
parse_gazetteer(struct ner_lex *lex, const char *s, size_t n)
{
    struct ner_toks toks = {0};
    px_status rc = PX_OK;
    for (size_t at = 0; rc == PX_OK && at < n;) {
        const char *nl = memchr(s + at, '\n', n - at);
        size_t end = nl ? (size_t)(nl - s) : n;
        if (end - at > 2 && s[at + 1] == '\t') {
            uint32_t bits = kind_bit(s[at]);
            const char *w = s + at + 2;
            size_t len = end - at - 2;
            /* Place names are phrases; the rest are facts of one word. */
            if (bits != 0 && strchr("gcs", s[at]) != NULL)
                rc = add_phrase(lex, w, len, bits, &toks);
            else if (bits != 0)
                table_or(&lex->words, ner_hash_lower(w, len), bits);
        }
        at = end + 1;
    }
    ner_toks_free(&toks);
    return rc;
}

/* A path of `len` bits as the tables keep it: its first 20 bits (the
 * longest prefix a feature reads) and its length, 25 bits in all. */
static uint32_t
cluster_code(uint32_t path, uint32_t len)
{
    if (len > 20) {
        path >>= len - 20;
        len = 20;
    }
    return len << 20 | path;
}

/* A cluster line, "PATH<TAB>WORD<TAB>COUNT". The lower-cased form keeps
 * the path of its most frequent spelling (counts[] by words slot), for
 * words a text writes without capitals. */
static void
add_cluster(struct ner_lex *lex, const char *s, size_t n, uint32_t *counts)
{
    const char *tab = memchr(s, '\t', n);
    if (tab == NULL || tab == s || tab - s > 31)
        return;
    uint32_t path = 0, len = (uint32_t)(tab - s);
    for (const char *p = s; p < tab; p++)
        path = path << 1 | (uint32_t)(*p == '1');
    const char *w = tab + 1, *tab2 = memchr(w, '\t', n - (size_t)(w - s));
    size_t wl = tab2 ? (size_t)(tab2 - w) : n - (size_t)(w - s);
    unsigned long long count = tab2 ? strtoull(tab2 + 1, NULL, 10) : 1;
    uint32_t code = cluster_code(path, len),
             c32 = count >= 0xFFFFFFFFull ? 0xFFFFFFFEu : (uint32_t)count;
    uint64_t key = ner_hash_cluster_word(w, wl);
    if (ner_table_get(&lex->clusters, key) == 0)
        table_or(&lex->clusters, key, code);
    size_t i = table_or(&lex->words, ner_hash_lower(w, wl), 0);
    if (counts[i] < c32 || (lex->words.vals[i] >> NER_LEX_CLUSTER_SHIFT) == 0) {
        counts[i] = c32;
        lex->words.vals[i] = (lex->words.vals[i] & NER_LEX_NOT_CLUSTER) |
                             code << NER_LEX_CLUSTER_SHIFT;
    }
}

static px_status
parse_clusters(struct ner_lex *lex, const char *s, size_t n)
{
    uint32_t *counts = calloc(lex->words.mask + 1, sizeof *counts);
    if (counts == NULL)
        return PX_NOMEM;
    for (size_t at = 0; at < n;) {
        const char *nl = memchr(s + at, '\n', n - at);
        size_t end = nl ? (size_t)(nl - s) : n;
        add_cluster(lex, s + at, end - at, counts);
        at = end + 1;
    }
    free(counts);
    return PX_OK;
}

px_status
ner_lex_parse(struct ner_lex *lex, const char *gaz, size_t gaz_len,
              const char *clusters, size_t clusters_len)
{
    size_t g = gaz_len ? count_lines(gaz, gaz_len) : 0;
    size_t c = clusters_len ? count_lines(clusters, clusters_len) : 0;

    memset(lex, 0, sizeof *lex);
    px_status rc = table_init(&lex->phrases, g);
    if (rc == PX_OK)
        rc = table_init(&lex->words, g + c);
    if (rc == PX_OK)
        rc = table_init(&lex->clusters, c);
    if (rc == PX_OK)
        rc = parse_gazetteer(lex, gaz, gaz_len);
    if (rc == PX_OK && clusters_len > 0)
        rc = parse_clusters(lex, clusters, clusters_len);
    if (rc != PX_OK)
        ner_lex_free(lex);
    return rc;
}

void
ner_lex_free(struct ner_lex *lex)
{
    table_free(&lex->phrases);
    table_free(&lex->words);
    table_free(&lex->clusters);
}

static struct ner_lex embedded;
static pthread_once_t embedded_once = PTHREAD_ONCE_INIT;

static void
load_embedded(void)
{
    const char *ablate = getenv("PASSIM_NER_ABLATE");
    int no_gaz = ablate && strstr(ablate, "gazetteer");
    int no_clusters = ablate && strstr(ablate, "clusters");

    if (ner_lex_parse(&embedded, (const char *)px_ner_gazetteer_data,
                      no_gaz ? 0 : px_ner_gazetteer_size,
                      (const char *)px_ner_clusters_data,
                      no_clusters ? 0 : px_ner_clusters_size) != PX_OK)
        memset(&embedded, 0, sizeof embedded);
}

const struct ner_lex *
ner_lex_default(void)
{
    pthread_once(&embedded_once, load_embedded);
    return &embedded;
}
