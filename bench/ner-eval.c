/*
 * ner-eval.c — scores the entity tagger on a CoNLL-2003 file (bench/ner).
 *
 *   ner-eval [--model PATH] FILE          precision, recall, F1, speed
 *   ner-eval [--model PATH] --tags FILE   FILE with a predicted IOB1 column
 *   ner-eval [--model PATH] --data DIR GOLD.tsv...
 *                                         stand-off gold spans over DIR
 *                                         (bench/ner-gold); --errors lists
 *                                         missed (-) and spurious (+) ones
 *
 * FILE is CoNLL-2003 or UNER (tab separated, IOB2; it has no MISC, so a
 * predicted MISC counts as O there).
 * Only the words of FILE are given to the tagger. Chunks are counted the
 * way conlleval counts them: a mention is correct only when its start, end
 * and type all match. Speed is measured twice: on the pre-tokenised words
 * (px_ner_tag_tokens) and on the same text joined into raw text, one
 * sentence a line and a blank line between documents (px_ner_tag_text,
 * with its own tokenizer); the best of several runs counts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ner_conll.h"
#include "passim/ner.h"

#define RUNS 5

struct counts {
    size_t gold[NER_TYPES], pred[NER_TYPES], correct[NER_TYPES];
};

static double
now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Chunks of the public tags of one sentence, as conlleval forms them;
 * type and begin are scratch space for n tokens. */
static size_t
pred_chunks(const unsigned char *tags, size_t n, int *type,
            unsigned char *begin, struct ner_chunk *out)
{
    for (size_t i = 0; i < n; i++) {
        type[i] = tags[i] == PX_NER_O ? -1 : (int)PX_NER_TYPE(tags[i]);
        begin[i] = (tags[i] & PX_NER_BEGIN) != 0;
    }
    return ner_chunks(type, begin, n, out);
}

/* Scratch space for scoring sentences of up to n tokens. */
struct scratch {
    struct ner_chunk *g, *p;
    int *type;
    unsigned char *begin;
};

static size_t
gold_chunks(const unsigned char *gold, size_t n, struct ner_chunk *out)
{
    size_t nc = 0;

    for (size_t i = 0; i < n; i++) {
        int part = ner_tag_part(gold[i]);
        if (part == NER_B || part == NER_U)
            out[nc++] = (struct ner_chunk){i, i + 1, ner_tag_type(gold[i])};
        if (part == NER_L || part == NER_U)
            out[nc - 1].end = i + 1;
    }
    return nc;
}

/* Whether MISC is scored: a gold set without it (UNER) counts a
 * predicted MISC as O. */
static int score_misc = 1;

static size_t
drop_misc(struct ner_chunk *p, size_t np)
{
    size_t k = 0;
    for (size_t i = 0; i < np; i++)
        if (score_misc || p[i].type != 3)
            p[k++] = p[i];
    return k;
}

static void
count_sentence(const unsigned char *gold, const unsigned char *tags, size_t n,
               const struct scratch *sc, struct counts *c)
{
    struct ner_chunk *g = sc->g, *p = sc->p;
    size_t ng = gold_chunks(gold, n, g);
    size_t np = drop_misc(p, pred_chunks(tags, n, sc->type, sc->begin, p));
    size_t j = 0;

    for (size_t k = 0; k < ng; k++)
        c->gold[g[k].type]++;
    for (size_t k = 0; k < np; k++) {
        c->pred[p[k].type]++;
        while (j < ng && g[j].start < p[k].start)
            j++;
        if (j < ng && g[j].start == p[k].start && g[j].end == p[k].end &&
            g[j].type == p[k].type)
            c->correct[p[k].type]++;
    }
}

static void
print_line(const char *name, size_t gold, size_t pred, size_t correct,
           double *f1_out)
{
    double p = pred ? 100.0 * (double)correct / (double)pred : 0;
    double r = gold ? 100.0 * (double)correct / (double)gold : 0;
    double f1 = p + r > 0 ? 2 * p * r / (p + r) : 0;

    printf("%-8s precision %6.2f  recall %6.2f  F1 %6.2f  (%zu gold, %zu "
           "found, %zu correct)\n", name, p, r, f1, gold, pred, correct);
    *f1_out = f1;
}

static void
print_counts(const struct counts *k)
{
    static const char *const names[NER_TYPES] = {"PER", "LOC", "ORG",
                                                 "MISC"};
    size_t g = 0, p = 0, ok = 0;
    double f1;

    if (!score_misc)
        printf("(the gold set has no MISC: PER, LOC, ORG scored; a "
               "predicted MISC counts as O)\n");
    for (int t = 0; t < NER_TYPES; t++) {
        if (t == 3 && !score_misc)
            continue;
        print_line(names[t], k->gold[t], k->pred[t], k->correct[t], &f1);
        g += k->gold[t];
        p += k->pred[t];
        ok += k->correct[t];
    }
    print_line("overall", g, p, ok, &f1);
    printf("overall F1 = %.2f\n", f1);
}

static int
report(const struct ner_conll *c, const unsigned char *tags)
{
    struct scratch sc = {malloc(c->n * sizeof *sc.g),
                         malloc(c->n * sizeof *sc.p),
                         malloc(c->n * sizeof *sc.type), malloc(c->n)};
    struct counts k = {{0}, {0}, {0}};
    size_t s = 0;

    if (!sc.g || !sc.p || !sc.type || !sc.begin)
        s = c->n;
    while (s < c->n) {
        size_t e = s + 1;
        while (e < c->n && !(c->flags[e] & PX_NER_SENT_START))
            e++;
        count_sentence(c->gold + s, tags + s, e - s, &sc, &k);
        s = e;
    }
    print_counts(&k);
    int bad = !sc.g || !sc.p || !sc.type || !sc.begin;
    free(sc.g);
    free(sc.p);
    free(sc.type);
    free(sc.begin);
    return bad ? -1 : 0;
}

/* The words of c as raw text: a line per sentence, a blank line between
 * documents. Caller owns the result; free with free(). */
static char *
raw_text(const struct ner_conll *c, size_t *len)
{
    size_t cap = 1;
    for (size_t i = 0; i < c->n; i++)
        cap += strlen(c->words[i]) + 2;
    char *text = malloc(cap), *p = text;
    if (text == NULL)
        return NULL;
    for (size_t i = 0; i < c->n; i++) {
        if (i > 0)
            *p++ = (c->flags[i] & PX_NER_DOC_START)    ? '\n'
                   : (c->flags[i] & PX_NER_SENT_START) ? '\n'
                                                       : ' ';
        if (i > 0 && (c->flags[i] & PX_NER_DOC_START))
            *p++ = '\n';
        size_t l = strlen(c->words[i]);
        memcpy(p, c->words[i], l);
        p += l;
    }
    *p = '\0';
    *len = (size_t)(p - text);
    return text;
}

/* Best tokens per second over RUNS runs of each entry point. */
static int
speed(const px_ner *ner, const struct ner_conll *c, unsigned char *tags)
{
    size_t len = 0;
    char *text = raw_text(c, &len);
    double best_tok = 1e30, best_raw = 1e30;
    px_mentions m = {0};

    if (text == NULL)
        return -1;
    for (int r = 0; r < RUNS; r++) {
        double t0 = now();
        if (px_ner_tag_tokens(ner, c->words, c->n, c->flags, tags) != PX_OK)
            return -1;
        double t1 = now();
        m.count = 0;
        if (px_ner_tag_text(ner, text, len, &m) != PX_OK)
            return -1;
        double t2 = now();
        best_tok = t1 - t0 < best_tok ? t1 - t0 : best_tok;
        best_raw = t2 - t1 < best_raw ? t2 - t1 : best_raw;
    }
    printf("speed: %.0f tokens/s on words, %.0f tokens/s (%.1f MB/s) on raw "
           "text; %zu tokens, %zu mentions in raw text\n",
           (double)c->n / best_tok, (double)c->n / best_raw,
           (double)len / best_raw / 1e6, c->n, m.count);
    px_mentions_free(&m);
    free(text);
    return 0;
}

/* Stand-off gold (bench/ner-gold, .tsv files): "FILE<TAB>START<TAB>END<TAB>TYPE"
 * lines, byte spans into the files of a data folder, which are read from
 * there at run time; no article text is kept in the repository. */
struct span {
    char file[128];
    size_t start, end;
    int type;
};

static int
type_index(const char *name)
{
    static const char *const names[NER_TYPES] = {"PER", "LOC", "ORG",
                                                 "MISC"};
    for (int t = 0; t < NER_TYPES; t++)
        if (strcmp(name, names[t]) == 0)
            return t;
    return -1;
}

/* Append the spans of one gold file to *v. */
static int
read_spans(const char *path, struct span **v, size_t *n, size_t *cap)
{
    FILE *f = fopen(path, "r");
    char line[512], type[16];
    if (f == NULL)
        return -1;
    while (fgets(line, sizeof line, f) != NULL) {
        struct span sp;
        if (line[0] == '#' || sscanf(line, "%127s %zu %zu %15s", sp.file,
                                     &sp.start, &sp.end, type) != 4)
            continue;
        if ((sp.type = type_index(type)) < 0 || sp.end <= sp.start)
            continue;
        if (*n == *cap) {
            *cap = *cap ? 2 * *cap : 1024;
            struct span *w = realloc(*v, *cap * sizeof *w);
            if (w == NULL) {
                fclose(f);
                return -1;
            }
            *v = w;
        }
        (*v)[(*n)++] = sp;
    }
    fclose(f);
    return 0;
}

static int
by_file_start(const void *a, const void *b)
{
    const struct span *x = a, *y = b;
    int c = strcmp(x->file, y->file);
    if (c != 0)
        return c;
    return (x->start > y->start) - (x->start < y->start);
}

static char *
slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    if (f != NULL && fseek(f, 0, SEEK_END) == 0) {
        long size = ftell(f);
        rewind(f);
        buf = size >= 0 ? malloc((size_t)size + 1) : NULL;
        if (buf != NULL && fread(buf, 1, (size_t)size, f) != (size_t)size) {
            free(buf);
            buf = NULL;
        } else if (buf != NULL) {
            buf[size] = '\0';
            *len = (size_t)size;
        }
    }
    if (f != NULL)
        fclose(f);
    return buf;
}

/* With --errors, every missed and every spurious mention is printed. */
static int show_errors;

static void
print_error(const char *file, const char *text, char sign, size_t start,
            size_t end, int type)
{
    static const char *const names[NER_TYPES] = {"PER", "LOC", "ORG",
                                                 "MISC"};
    printf("%c %s %-4s %.*s\n", sign, file, names[type], (int)(end - start),
           text + start);
}

static void
list_errors(const char *text, const struct span *g, size_t ng,
            const px_mentions *m)
{
    for (size_t j = 0; j < ng; j++) {
        int found = 0;
        for (size_t i = 0; i < m->count; i++)
            found |= g[j].start == m->items[i].start &&
                     g[j].end == m->items[i].end &&
                     g[j].type == (int)m->items[i].type;
        if (!found)
            print_error(g[j].file, text, '-', g[j].start, g[j].end,
                        g[j].type);
    }
    for (size_t i = 0; i < m->count; i++) {
        int found = 0;
        for (size_t j = 0; j < ng; j++)
            found |= g[j].start == m->items[i].start &&
                     g[j].end == m->items[i].end &&
                     g[j].type == (int)m->items[i].type;
        if (!found)
            print_error(g[0].file, text, '+', m->items[i].start,
                        m->items[i].end, (int)m->items[i].type);
    }
}

/* Score the tagger on one file's gold spans g[0, ng). */
static int
score_file(const px_ner *ner, const char *dir, const struct span *g,
           size_t ng, struct counts *k)
{
    char path[4096];
    size_t len = 0;
    snprintf(path, sizeof path, "%s/%s", dir, g[0].file);
    char *text = slurp(path, &len);
    px_mentions m = {0};
    if (text == NULL) {
        fprintf(stderr, "ner-eval: cannot read %s\n", path);
        return -1;
    }
    int bad = px_ner_tag_text(ner, text, len, &m) != PX_OK;
    if (!bad && show_errors)
        list_errors(text, g, ng, &m);
    for (size_t i = 0; i < ng; i++)
        k->gold[g[i].type]++;
    for (size_t i = 0; !bad && i < m.count; i++) {
        const px_mention *p = &m.items[i];
        if (p->type < 0 || p->type >= NER_TYPES)
            continue;
        k->pred[p->type]++;
        for (size_t j = 0; j < ng; j++)
            if (g[j].start == p->start && g[j].end == p->end &&
                g[j].type == (int)p->type)
                k->correct[p->type]++;
    }
    px_mentions_free(&m);
    free(text);
    return bad ? -1 : 0;
}

static int
score_standoff(const px_ner *ner, const char *dir, char **gold, int ngold)
{
    struct span *v = NULL;
    size_t n = 0, cap = 0, files = 0;
    struct counts k = {{0}, {0}, {0}};
    int bad = 0;

    for (int i = 0; !bad && i < ngold; i++)
        if (read_spans(gold[i], &v, &n, &cap) != 0) {
            fprintf(stderr, "ner-eval: cannot read %s\n", gold[i]);
            bad = 1;
        }
    if (!bad && n > 0)
        qsort(v, n, sizeof *v, by_file_start);
    for (size_t i = 0; !bad && i < n;) {
        size_t e = i + 1;
        while (e < n && strcmp(v[e].file, v[i].file) == 0)
            e++;
        bad = score_file(ner, dir, v + i, e - i, &k) != 0;
        files++;
        i = e;
    }
    if (!bad) {
        printf("%zu files, %zu gold mentions\n", files, n);
        print_counts(&k);
    }
    free(v);
    return bad;
}

/* The IOB1 tag conlleval reads for token i: I-TYPE, or B-TYPE where a
 * mention starts right after one of the same type. */
static void
iob1(const struct ner_conll *c, const unsigned char *tags, size_t i,
     char *out)
{
    static const char *const names[NER_TYPES] = {"PER", "LOC", "ORG",
                                                 "MISC"};

    if (tags[i] == PX_NER_O) {
        strcpy(out, "O");
        return;
    }
    int b = (tags[i] & PX_NER_BEGIN) && i > 0 &&
            !(c->flags[i] & PX_NER_SENT_START) && tags[i - 1] != PX_NER_O &&
            PX_NER_TYPE(tags[i - 1]) == PX_NER_TYPE(tags[i]);
    sprintf(out, "%c-%s", b ? 'B' : 'I', names[PX_NER_TYPE(tags[i])]);
}

/* Print path's lines with the predicted tag appended, in file order. */
static int
print_tags(const char *path, const struct ner_conll *c,
           const unsigned char *tags)
{
    FILE *f = fopen(path, "r");
    char *line = NULL, tag[16];
    size_t cap = 0, i = 0;
    ssize_t got;

    if (f == NULL)
        return -1;
    while ((got = getline(&line, &cap, f)) >= 0) {
        while (got > 0 && (line[got - 1] == '\n' || line[got - 1] == '\r'))
            line[--got] = '\0';
        if (got == 0) {
            putchar('\n');
        } else if (strncmp(line, "-DOCSTART-", 10) == 0) {
            printf("%s O\n", line);
        } else if (line[0] == '#') {
            printf("%s\n", line);
        } else if (strchr(line, '\t') != NULL && i < c->n) {
            iob1(c, tags, i++, tag);
            printf("%s\t%s\n", line, tag);
        } else if (strchr(line, ' ') != NULL && i < c->n) {
            iob1(c, tags, i++, tag);
            printf("%s %s\n", line, tag);
        }
    }
    free(line);
    fclose(f);
    return 0;
}

int
main(int argc, char **argv)
{
    const char *model = NULL, *path = NULL, *data = NULL;
    int tags_only = 0, ngold = 0;
    char **gold = calloc((size_t)argc, sizeof *gold);
    px_ner *ner = NULL;
    struct ner_conll c;

    for (int i = 1; gold != NULL && i < argc; i++) {
        if (strcmp(argv[i], "--tags") == 0)
            tags_only = 1;
        else if (strcmp(argv[i], "--errors") == 0)
            show_errors = 1;
        else if (strcmp(argv[i], "--model") == 0 && i + 1 < argc)
            model = argv[++i];
        else if (strcmp(argv[i], "--data") == 0 && i + 1 < argc)
            data = argv[++i];
        else if (data != NULL)
            gold[ngold++] = argv[i];
        else
            path = argv[i];
    }
    if (gold == NULL || (path == NULL && ngold == 0)) {
        fprintf(stderr, "usage: ner-eval [--model PATH] [--tags] FILE\n"
                        "       ner-eval [--model PATH] --data DIR GOLD.tsv..."
                        "\n");
        free(gold);
        return 2;
    }
    px_status rc = model ? px_ner_load(model, &ner) : px_ner_load_default(&ner);
    if (rc != PX_OK) {
        fprintf(stderr, "ner-eval: cannot load the model %s: %s; train one "
                "with tools/ner-train (bench/README.md)\n",
                model ? model : "(default)", px_status_to_string(rc));
        return 1;
    }
    if (ngold > 0) {
        int bad = score_standoff(ner, data, gold, ngold);
        free(gold);
        px_ner_destroy(ner);
        return bad;
    }
    free(gold);
    if (ner_conll_read(path, &c) != PX_OK) {
        fprintf(stderr, "ner-eval: cannot read %s\n", path);
        return 1;
    }
    score_misc = c.has_misc;
    unsigned char *tags = malloc(c.n + 1);
    int bad = tags == NULL;
    if (!bad && tags_only)
        bad = px_ner_tag_tokens(ner, c.words, c.n, c.flags, tags) != PX_OK ||
              print_tags(path, &c, tags) != 0;
    else if (!bad) {
        bad = speed(ner, &c, tags) != 0;
        if (!bad)
            bad = report(&c, tags) != 0;
    }
    free(tags);
    ner_conll_free(&c);
    px_ner_destroy(ner);
    return bad;
}
