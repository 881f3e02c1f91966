/*
 * ner-train.c — trains the entity tagger's model from CoNLL-2003 eng.train.
 *
 *   ner-train [--epochs N] [--bits B] [--min-weight W] [--dev FILE]
 *             [--lower P] [--recase P] TRAIN OUT
 *
 * An averaged perceptron over the tagger's own features and greedy decoder
 * (lib/entity/ner_feat.c), learning from its own predicted history as it
 * will see it at run time. Weights live in a dense table of 2^B rows while
 * training; the averaged weights are quantised to int16 with one scale,
 * rows whose weights are all below W are dropped, and the rest are written
 * sparsely (see ner_internal.h). With --dev, F1 on that file is printed
 * after each epoch. --lower P presents a fraction P of the documents of
 * each epoch all in lower case; --recase P rewrites the headlines of a
 * fraction P in sentence or title case (see augment()).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "ner_conll.h"

struct trainer {
    uint32_t bits;
    float *w;          /* current weights */
    double *u;         /* sum of c * update, for averaging */
    float *avg;        /* averaged weights, for --dev */
    double c;          /* updates so far (the averaging clock) */
    const unsigned char *gold;   /* the current document's labels */
    size_t updates;
    float p_lower, p_head;       /* augmentation rates (--lower, --recase) */
    uint64_t rng;
    char *scratch;               /* rewritten words of one document */
};

static void
score_with(const float *table, uint32_t bits, const uint64_t *feats,
           size_t nf, float *scores)
{
    memset(scores, 0, NER_NT * sizeof *scores);
    for (size_t f = 0; f < nf; f++) {
        const float *row = table + (size_t)ner_bucket(feats[f], bits) * NER_NT;
        for (int k = 0; k < NER_NT; k++)
            scores[k] += row[k];
    }
}

static void
train_score(void *ctx, const uint64_t *feats, size_t nf, float *scores)
{
    struct trainer *t = ctx;
    score_with(t->w, t->bits, feats, nf, scores);
}

static void
avg_score(void *ctx, const uint64_t *feats, size_t nf, float *scores)
{
    struct trainer *t = ctx;
    score_with(t->avg, t->bits, feats, nf, scores);
}

static void
train_observe(void *ctx, size_t i, const uint64_t *feats, size_t nf,
              int pred)
{
    struct trainer *t = ctx;
    int gold = t->gold[i];

    t->c += 1;
    if (pred == gold)
        return;
    t->updates++;
    for (size_t f = 0; f < nf; f++) {
        size_t row = (size_t)ner_bucket(feats[f], t->bits) * NER_NT;
        t->w[row + gold] += 1;
        t->u[row + gold] += t->c;
        t->w[row + pred] -= 1;
        t->u[row + pred] -= t->c;
    }
}

static void
average(struct trainer *t)
{
    size_t n = ((size_t)1 << t->bits) * NER_NT;

    for (size_t k = 0; k < n; k++)
        t->avg[k] = (float)((double)t->w[k] - t->u[k] / t->c);
}

/* Document k of c: [start[k], start[k + 1]). */
static size_t
doc_starts(const struct ner_conll *c, size_t *start)
{
    size_t nd = 0;

    for (size_t i = 0; i < c->n; i++)
        if (i == 0 || (c->flags[i] & PX_NER_DOC_START))
            start[nd++] = i;
    start[nd] = c->n;
    return nd;
}

static void
words_of(const struct ner_conll *c, size_t s, size_t e, struct ner_word *w)
{
    for (size_t i = s; i < e; i++) {
        w[i - s].s = c->words[i];
        w[i - s].len = strlen(c->words[i]);
    }
}


/* Augmentation, so that what CoNLL's Reuters text lacks is learnt from it
 * all the same: a document written all in lower case (web text, posts),
 * and headlines in sentence case or title case instead of capitals (as
 * most sites write them), with the gold names capitalised. */
enum { AUG_NONE, AUG_LOWER, AUG_SENTENCE, AUG_TITLE };

static uint64_t next_random(uint64_t *state);

static int
all_caps_word(const char *w)
{
    int upper = 0;
    for (; *w; w++) {
        if (*w >= 'a' && *w <= 'z')
            return 0;
        upper |= *w >= 'A' && *w <= 'Z';
    }
    return upper;
}

/* Whether the sentence [s, e) of c is written in capitals. */
static int
caps_sentence(const struct ner_conll *c, size_t s, size_t e)
{
    size_t caps = 0, alpha = 0;
    for (size_t i = s; i < e; i++) {
        const char *w = c->words[i];
        int a = 0;
        for (const char *p = w; *p; p++)
            a |= (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z');
        alpha += a;
        caps += a && all_caps_word(w);
    }
    return alpha >= 2 && caps * 10 >= alpha * 7;
}

/* Write word w recased into *p: lower case, or with a capital first. */
static void
recase(const char *w, int capital, char **p, struct ner_word *out)
{
    out->s = *p;
    for (size_t k = 0; w[k]; k++) {
        char ch = w[k];
        if (ch >= 'A' && ch <= 'Z' && !(k == 0 && capital))
            ch = (char)(ch + 32);
        *(*p)++ = ch;
    }
    out->len = (size_t)(*p - out->s);
}

/* Rewrite the words w of document [s, e) of c in mode `aug`. */
static void
augment(const struct trainer *t, const struct ner_conll *c, size_t s,
        size_t e, int aug, struct ner_word *w)
{
    static const char *const small[] = {"a", "an", "the", "of", "in", "on",
                                        "at", "to", "for", "and", "or", "by"};
    char *p = t->scratch;
    size_t ss = s;
    while (ss < e) {
        size_t se = ss + 1;
        while (se < e && !(c->flags[se] & PX_NER_SENT_START))
            se++;
        int head = aug == AUG_LOWER || caps_sentence(c, ss, se);
        for (size_t i = ss; head && i < se; i++) {
            const char *word = c->words[i];
            int name = c->gold[i] != 0, cap = 0;
            if (aug == AUG_SENTENCE)
                cap = name || i == ss;
            else if (aug == AUG_TITLE) {
                cap = 1;
                for (size_t k = 0; k < sizeof small / sizeof *small; k++)
                    if (!name && i > ss && strcasecmp(word, small[k]) == 0)
                        cap = 0;
            }
            recase(word, cap, &p, &w[i - s]);
        }
        ss = se;
    }
}

static int
pick_augmentation(struct trainer *t)
{
    double r = (double)(next_random(&t->rng) >> 11) / 9007199254740992.0;
    if (r < (double)t->p_lower)
        return AUG_LOWER;
    if (r < (double)(t->p_lower + t->p_head))
        return (next_random(&t->rng) & 1) ? AUG_SENTENCE : AUG_TITLE;
    return AUG_NONE;
}

/* Count gold, predicted and correct chunks of BILOU labels. */
static void
count_chunks(const unsigned char *gold, const unsigned char *pred, size_t n,
             size_t *ng, size_t *np, size_t *nc)
{
    size_t gs = 0, ps = 0;

    for (size_t i = 0; i < n; i++) {
        int g = ner_tag_part(gold[i]), p = ner_tag_part(pred[i]);
        if (g == NER_B || g == NER_U)
            gs = i;
        if (p == NER_B || p == NER_U)
            ps = i;
        if (g == NER_L || g == NER_U)
            (*ng)++;
        if (p == NER_L || p == NER_U) {
            (*np)++;
            if ((g == NER_L || g == NER_U) && gs == ps &&
                ner_tag_type(gold[i]) == ner_tag_type(pred[i]))
                (*nc)++;
        }
    }
}

/* Run the tagger over every document of c; train on it when `learn`. */
static int
run_corpus(struct trainer *t, const struct ner_conll *c, const size_t *order,
           const size_t *start, size_t nd, int learn, unsigned char *pred)
{
    struct ner_doc doc = {0};
    struct ner_word *w = malloc(c->n * sizeof *w);
    struct ner_scorer sc = {learn ? train_score : avg_score,
                            learn ? train_observe : NULL, t};

    if (w == NULL)
        return -1;
    for (size_t k = 0; k < nd; k++) {
        size_t d = order[k], s = start[d], e = start[d + 1];
        words_of(c, s, e, w);
        int aug = learn ? pick_augmentation(t) : AUG_NONE;
        if (aug != AUG_NONE)
            augment(t, c, s, e, aug, w);
        if (ner_doc_prepare(&doc, w, c->flags + s, e - s) != PX_OK) {
            free(w);
            ner_doc_free(&doc);
            return -1;
        }
        t->gold = c->gold + s;
        ner_decode(&doc, &sc, pred + s);
    }
    ner_doc_free(&doc);
    free(w);
    return 0;
}

static double
dev_f1(struct trainer *t, const struct ner_conll *dev)
{
    size_t *start = malloc((dev->n + 2) * sizeof *start);
    size_t *order = malloc((dev->n + 1) * sizeof *order);
    unsigned char *pred = malloc(dev->n);
    size_t ng = 0, np = 0, nc = 0;
    double f1 = -1;

    if (start != NULL && order != NULL && pred != NULL) {
        size_t nd = doc_starts(dev, start);
        for (size_t k = 0; k < nd; k++)
            order[k] = k;
        average(t);
        if (run_corpus(t, dev, order, start, nd, 0, pred) == 0) {
            count_chunks(dev->gold, pred, dev->n, &ng, &np, &nc);
            f1 = 200.0 * (double)nc / (double)(ng + np);
        }
    }
    free(start);
    free(order);
    free(pred);
    return f1;
}

static uint64_t
next_random(uint64_t *state)
{
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    return *state;
}

static int
train(struct trainer *t, const struct ner_conll *c, int epochs,
      const struct ner_conll *dev)
{
    size_t *start = malloc((c->n + 2) * sizeof *start);
    size_t *order = malloc((c->n + 1) * sizeof *order);
    unsigned char *pred = malloc(c->n);
    uint64_t seed = 0x853c49e6748fea9bull;
    int rc = start && order && pred ? 0 : -1;
    size_t nd = rc == 0 ? doc_starts(c, start) : 0;

    for (size_t k = 0; k < nd; k++)
        order[k] = k;
    for (int ep = 0; rc == 0 && ep < epochs; ep++) {
        for (size_t k = nd; k > 1; k--) {
            size_t j = (size_t)(next_random(&seed) % k), x = order[k - 1];
            order[k - 1] = order[j];
            order[j] = x;
        }
        t->updates = 0;
        rc = run_corpus(t, c, order, start, nd, 1, pred);
        fprintf(stderr, "ner-train: epoch %d: %zu of %zu tokens wrong", ep + 1,
                t->updates, c->n);
        if (dev != NULL)
            fprintf(stderr, ", dev F1 %.2f", dev_f1(t, dev));
        fputc('\n', stderr);
    }
    free(start);
    free(order);
    free(pred);
    return rc;
}

/* Quantise the averaged weights and write the sparse model to path. */
static int
write_model(struct trainer *t, const char *path, float min_weight)
{
    size_t buckets = (size_t)1 << t->bits, words = buckets / 64;
    size_t rank_bytes = (words * 4 + 7) & ~(size_t)7;
    uint64_t *bitmap = calloc(words, sizeof *bitmap);
    uint32_t *rank = calloc(rank_bytes / 4, sizeof *rank);
    int16_t *row = malloc(NER_NT * sizeof *row);
    float max = 0;
    uint32_t nrows = 0;

    average(t);
    for (size_t k = 0; k < buckets * NER_NT; k++)
        max = fmaxf(max, fabsf(t->avg[k]));
    float scale = max > 0 ? 32767.0f / max : 1.0f;
    for (size_t b = 0; b < buckets; b++) {
        float m = 0;
        for (int k = 0; k < NER_NT; k++)
            m = fmaxf(m, fabsf(t->avg[b * NER_NT + k]));
        if (m >= min_weight && lroundf(m * scale) != 0)
            bitmap[b / 64] |= (uint64_t)1 << (b % 64);
    }
    for (size_t k = 0; k < words; k++) {
        rank[k] = nrows;
        for (uint64_t x = bitmap[k]; x != 0; x &= x - 1)
            nrows++;
    }
    struct ner_header h = {NER_MAGIC, NER_NT, t->bits, nrows, scale};
    unsigned char header[NER_HEADER_SIZE] = {0};
    memcpy(header, &h, sizeof h);
    FILE *f = fopen(path, "wb");
    int rc = bitmap && rank && row && f ? 0 : -1;
    if (rc == 0 && (fwrite(header, 1, sizeof header, f) != sizeof header ||
                    fwrite(bitmap, 8, words, f) != words ||
                    fwrite(rank, 1, rank_bytes, f) != rank_bytes))
        rc = -1;
    for (size_t b = 0; rc == 0 && b < buckets; b++) {
        if (!(bitmap[b / 64] >> (b % 64) & 1))
            continue;
        for (int k = 0; k < NER_NT; k++)
            row[k] = (int16_t)lroundf(t->avg[b * NER_NT + k] * scale);
        if (fwrite(row, sizeof *row, NER_NT, f) != NER_NT)
            rc = -1;
    }
    if (f != NULL && fclose(f) != 0)
        rc = -1;
    if (rc == 0)
        fprintf(stderr, "ner-train: %u of %zu rows kept, %.1f MB\n", nrows,
                buckets,
                (double)(NER_HEADER_SIZE + words * 8 + rank_bytes +
                         (size_t)nrows * NER_NT * 2) / 1e6);
    free(bitmap);
    free(rank);
    free(row);
    return rc;
}

static void
usage(void)
{
    fprintf(stderr, "usage: ner-train [--epochs N] [--bits B] "
                    "[--min-weight W] [--dev FILE] [--lower P] "
                    "[--recase P] TRAIN OUT\n");
    exit(2);
}

/* Bytes of all the words of c, for the augmentation's scratch space. */
static size_t
strlen_total(const struct ner_conll *c)
{
    size_t n = 0;
    for (size_t i = 0; i < c->n; i++)
        n += strlen(c->words[i]);
    return n;
}

int
main(int argc, char **argv)
{
    int epochs = 10, argi = 1;
    float min_weight = 0.05f;
    const char *dev_path = NULL;
    struct trainer t = {.bits = 21, .rng = 0x2545f4914f6cdd1dull};
    struct ner_conll train_set, dev_set;

    for (; argi + 1 < argc && strncmp(argv[argi], "--", 2) == 0; argi += 2) {
        if (strcmp(argv[argi], "--epochs") == 0)
            epochs = atoi(argv[argi + 1]);
        else if (strcmp(argv[argi], "--bits") == 0)
            t.bits = (uint32_t)atoi(argv[argi + 1]);
        else if (strcmp(argv[argi], "--min-weight") == 0)
            min_weight = strtof(argv[argi + 1], NULL);
        else if (strcmp(argv[argi], "--dev") == 0)
            dev_path = argv[argi + 1];
        else if (strcmp(argv[argi], "--lower") == 0)
            t.p_lower = strtof(argv[argi + 1], NULL);
        else if (strcmp(argv[argi], "--recase") == 0)
            t.p_head = strtof(argv[argi + 1], NULL);
        else
            usage();
    }
    if (argc - argi != 2 || epochs < 1 || t.bits < 10 || t.bits > 24)
        usage();
    clock_t t0 = clock();
    if (ner_conll_read(argv[argi], &train_set) != PX_OK ||
        (dev_path && ner_conll_read(dev_path, &dev_set) != PX_OK)) {
        fprintf(stderr, "ner-train: cannot read %s; give the path of a "
                        "CoNLL-2003 file\n", dev_path ? dev_path : argv[argi]);
        return 1;
    }
    size_t n = ((size_t)1 << t.bits) * NER_NT;
    t.scratch = malloc(train_set.n * 2 + strlen_total(&train_set));
    t.w = calloc(n, sizeof *t.w);
    t.u = calloc(n, sizeof *t.u);
    t.avg = calloc(n, sizeof *t.avg);
    if (t.scratch == NULL || t.w == NULL || t.u == NULL || t.avg == NULL ||
        train(&t, &train_set, epochs, dev_path ? &dev_set : NULL) != 0 ||
        write_model(&t, argv[argi + 1], min_weight) != 0) {
        fprintf(stderr, "ner-train: training or writing %s failed\n",
                argv[argi + 1]);
        return 1;
    }
    fprintf(stderr, "ner-train: %zu tokens, %d epochs, %.1f s\n",
            train_set.n, epochs, (double)(clock() - t0) / CLOCKS_PER_SEC);
    ner_conll_free(&train_set);
    if (dev_path)
        ner_conll_free(&dev_set);
    free(t.scratch);
    free(t.w);
    free(t.u);
    free(t.avg);
    return 0;
}
