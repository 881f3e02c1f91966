/*
 * ner_conll.c — reading CoNLL-2003 files for the trainer and the benchmark.
 * The tab-separated layout of UNER's files (a token number, the word, an
 * IOB2 tag; "# newdoc" lines open documents) is read as well.
 *
 * Only the first column (the word) and the last (the IOB1 name tag) are
 * read: the part-of-speech and chunk columns are ignored on purpose, as
 * raw text has neither. Chunks are formed with conlleval's rules, so the
 * BILOU labels here describe exactly the spans conlleval scores.
 */
#include "ner_conll.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int
type_of(const char *tag)
{
    static const char *const names[NER_TYPES] = {"PER", "LOC", "ORG",
                                                 "MISC"};

    if (strlen(tag) < 3 || tag[1] != '-')
        return -1;
    for (int t = 0; t < NER_TYPES; t++)
        if (strcmp(tag + 2, names[t]) == 0)
            return t;
    return -1;
}

size_t
ner_chunks(const int *type, const unsigned char *begin, size_t n,
           struct ner_chunk *out)
{
    size_t nc = 0;

    for (size_t i = 0; i < n; i++) {
        if (type[i] < 0)
            continue;
        bool starts = i == 0 || begin[i] || type[i - 1] != type[i];
        if (starts) {
            out[nc].start = i;
            out[nc].type = type[i];
            nc++;
        }
        bool ends = i + 1 == n || begin[i + 1] || type[i + 1] != type[i];
        if (ends)
            out[nc - 1].end = i + 1;
    }
    return nc;
}

static void
chunks_to_bilou(const struct ner_chunk *c, size_t nc, unsigned char *out)
{
    for (size_t k = 0; k < nc; k++) {
        size_t s = c[k].start, e = c[k].end;
        if (e - s == 1) {
            out[s] = (unsigned char)ner_tag(c[k].type, NER_U);
            continue;
        }
        out[s] = (unsigned char)ner_tag(c[k].type, NER_B);
        for (size_t i = s + 1; i + 1 < e; i++)
            out[i] = (unsigned char)ner_tag(c[k].type, NER_I);
        out[e - 1] = (unsigned char)ner_tag(c[k].type, NER_L);
    }
}

/* Gold BILOU labels for every sentence, from the IOB1 types and B- flags. */
static px_status
gold_labels(struct ner_conll *c, const int *type, const unsigned char *begin)
{
    struct ner_chunk *ch = malloc((c->n + 1) * sizeof *ch);
    size_t s = 0;

    if (ch == NULL)
        return PX_NOMEM;
    memset(c->gold, 0, c->n);
    while (s < c->n) {
        size_t e = s + 1;
        while (e < c->n && !(c->flags[e] & PX_NER_SENT_START))
            e++;
        size_t nc = ner_chunks(type + s, begin + s, e - s, ch);
        chunks_to_bilou(ch, nc, c->gold + s);
        s = e;
    }
    free(ch);
    return PX_OK;
}

static px_status
read_all(const char *path, char **out, size_t *size)
{
    FILE *f = fopen(path, "rb");
    size_t cap = 1 << 20, n = 0, got;
    char *buf = malloc(cap + 1);

    if (f == NULL || buf == NULL) {
        if (f != NULL)
            fclose(f);
        free(buf);
        return f == NULL ? PX_IO : PX_NOMEM;
    }
    while ((got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            char *b = realloc(buf, 2 * cap + 1);
            if (b == NULL) {
                free(buf);
                fclose(f);
                return PX_NOMEM;
            }
            buf = b;
            cap *= 2;
        }
    }
    fclose(f);
    buf[n] = '\0';
    *out = buf;
    *size = n;
    return PX_OK;
}

/* A line of the tab-separated layout (UNER, CoNLL-U-like): number, word,
 * IOB2 tag, then columns that are ignored. */
static void
parse_tabbed(struct ner_conll *c, char *line, unsigned char flags, int *type,
             unsigned char *begin)
{
    char *word = strchr(line, '\t') + 1;
    char *tag = strchr(word, '\t');
    if (tag == NULL)
        tag = word + strlen(word);
    else
        *tag++ = '\0';
    char *rest = strchr(tag, '\t');
    if (rest != NULL)
        *rest = '\0';
    c->words[c->n] = word;
    c->flags[c->n] = flags;
    type[c->n] = type_of(tag);
    begin[c->n] = tag[0] == 'B';
    if (type[c->n] == 3)
        c->has_misc = 1;
    c->n++;
}

/* Split buf into lines in place and record each token line. */
static px_status
parse(struct ner_conll *c, size_t size, int *type, unsigned char *begin)
{
    unsigned char pending = PX_NER_SENT_START | PX_NER_DOC_START;
    char *p = c->buf, *end = c->buf + size;

    while (p < end) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        char *le = nl ? nl : end;
        *le = '\0';
        if (le > p && le[-1] == '\r')
            le[-1] = '\0';
        char *sp = strchr(p, ' ');
        if (p[0] == '\0') {
            pending |= PX_NER_SENT_START;
        } else if (strncmp(p, "-DOCSTART-", 10) == 0 ||
                   strncmp(p, "# newdoc", 8) == 0) {
            pending |= PX_NER_SENT_START | PX_NER_DOC_START;
        } else if (p[0] == '#') {
            /* A comment of the CoNLL-U-like layout. */
        } else if (strchr(p, '\t') != NULL) {
            parse_tabbed(c, p, pending, type, begin);
            pending = 0;
        } else if (sp != NULL) {
            char *tag = strrchr(p, ' ') + 1;
            *sp = '\0';
            c->words[c->n] = p;
            c->flags[c->n] = pending;
            type[c->n] = type_of(tag);
            begin[c->n] = tag[0] == 'B';
            if (type[c->n] == 3)
                c->has_misc = 1;
            c->n++;
            pending = 0;
        }
        p = le + 1;
    }
    return PX_OK;
}

px_status
ner_conll_read(const char *path, struct ner_conll *c)
{
    size_t size = 0, lines = 1;
    px_status rc;

    memset(c, 0, sizeof *c);
    rc = read_all(path, &c->buf, &size);
    if (rc != PX_OK)
        return rc;
    for (size_t i = 0; i < size; i++)
        lines += c->buf[i] == '\n';
    c->words = malloc(lines * sizeof *c->words);
    c->flags = malloc(lines);
    c->gold = malloc(lines);
    int *type = malloc(lines * sizeof *type);
    unsigned char *begin = malloc(lines);
    if (c->words == NULL || c->flags == NULL || c->gold == NULL ||
        type == NULL || begin == NULL)
        rc = PX_NOMEM;
    if (rc == PX_OK)
        rc = parse(c, size, type, begin);
    if (rc == PX_OK)
        rc = gold_labels(c, type, begin);
    free(type);
    free(begin);
    if (rc != PX_OK)
        ner_conll_free(c);
    return rc;
}

void
ner_conll_free(struct ner_conll *c)
{
    free(c->buf);
    free(c->words);
    free(c->flags);
    free(c->gold);
    memset(c, 0, sizeof *c);
}
