/*
 * passage.h — cutting an article into passages, the unit passim ranks.
 *
 * A passage is a paragraph (an article block). A block longer than
 * `max_len` bytes is split at sentence boundaries into pieces of at most
 * about max_len (a single sentence longer than that is cut at a word
 * boundary); a block shorter than `min_len` is merged with its neighbour
 * (the next one, or the previous one at the end) when the merge stays under
 * max_len, both are quoted or neither (article.h) and, in a PDF, both
 * are on one page. Every passage keeps its byte span in the file: exact
 * when its blocks were exact, otherwise the span of the blocks it came
 * from; and its page.
 */
#ifndef PASSIM_PASSAGE_H
#define PASSIM_PASSAGE_H

#include <stddef.h>

#include "passim/article.h"
#include "passim/status.h"

typedef struct px_passage_opts {
    size_t min_len; /* merge blocks shorter than this (bytes); default 200 */
    size_t max_len; /* split blocks longer than this (bytes); default 1200,
                       also used when 0 */
} px_passage_opts;

#define PX_PASSAGE_MIN_LEN 200
#define PX_PASSAGE_MAX_LEN 1200

typedef struct px_passage {
    const char *text; /* UTF-8, NUL-terminated; borrowed from the list */
    size_t len;
    size_t file_start;
    size_t file_end;
    int exact; /* text == file bytes [file_start, file_end): one piece of
                  an exact block; else the span of the blocks it came from */
    int quoted; /* its blocks are a post's quoted reply (never merged with
                   the post's own words) */
    unsigned page; /* the PDF page of its blocks, from 1; 0: not paged */
} px_passage;

typedef struct px_passages px_passages;

/* Split article `a` (opts may be NULL for the defaults). Merged blocks are
 * joined with "\n\n". Caller owns *out; free with px_passages_destroy(). It
 * does not borrow from `a`. */
px_status px_passage_split(const px_article *a, const px_passage_opts *opts,
                           px_passages **out);

size_t px_passages_count(const px_passages *p);
/* Passage i (borrowed, valid until destroy). */
const px_passage *px_passages_get(const px_passages *p, size_t i);

void px_passages_destroy(px_passages *p);

#endif /* PASSIM_PASSAGE_H */
