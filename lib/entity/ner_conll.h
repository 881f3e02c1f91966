/*
 * ner_conll.h — CoNLL-2003 files as the trainer and the benchmark read
 * them: words, sentence and document starts, and gold BILOU labels.
 */
#ifndef PASSIM_NER_CONLL_H
#define PASSIM_NER_CONLL_H

#include "ner_internal.h"

struct ner_conll {
    size_t n;               /* tokens, -DOCSTART- lines excluded */
    const char **words;     /* NUL-terminated, into buf */
    unsigned char *flags;   /* PX_NER_SENT_START | PX_NER_DOC_START */
    unsigned char *gold;    /* BILOU labels */
    int has_misc;           /* some gold mention is MISC */
    char *buf;
};

/* A span of tokens [start, end) of one type. */
struct ner_chunk {
    size_t start, end;
    int type;
};

/* Read a CoNLL-2003 file (word first, IOB1 name tag last, space
 * separated) or a UNER file (tab separated: number, word, IOB2 tag).
 * Caller owns *c; free with ner_conll_free(). PX_IO, PX_NOMEM. */
px_status ner_conll_read(const char *path, struct ner_conll *c);
void ner_conll_free(struct ner_conll *c);

/* conlleval's chunks of one sentence: type[i] is a type or -1 for O,
 * begin[i] is set for a B- tag. Writes at most n chunks; returns how many. */
size_t ner_chunks(const int *type, const unsigned char *begin, size_t n,
                  struct ner_chunk *out);

#endif /* PASSIM_NER_CONLL_H */
