/*
 * highlight.h — where the query's words are in a passage.
 *
 * Xapian tells which of the query's terms a passage matched (including the
 * expansions of wildcards); passim's tokenizer (token.h), which follows the
 * indexer's word rules, finds each word of the passage with its byte span,
 * and a word is highlighted when its folded form, or its stem with the "Z"
 * convention, is one of those terms (with or without the title prefix).
 */
#ifndef PASSIM_QUERY_HIGHLIGHT_H
#define PASSIM_QUERY_HIGHLIGHT_H

#include <stddef.h>

#include "passim/stem.h"
#include "search.h"

/* A set of terms (the matched terms of one passage). */
typedef struct px_termset {
    char **terms;
    size_t n, cap;
} px_termset;

px_status px_termset_add(px_termset *s, const char *term, size_t len);
void px_termset_clear(px_termset *s);

/* Fill hit->spans with the words of hit->text matching `terms` or
 * starting with one of `wildcards` (folded prefixes of the query's "word*"
 * patterns: Xapian reports a wildcard's expansions as no matching term). */
px_status px_highlight(px_hit *hit, const px_termset *terms,
                       const px_termset *wildcards, px_stemmer *stemmer);

/* Add to `out` the folded prefix of every "prefix*" pattern in `query`. */
px_status px_wildcards_of(const char *query, px_termset *out);

#endif
