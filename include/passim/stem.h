/*
 * stem.h — Snowball stemming (libstemmer) with a cache.
 *
 * One stemmer serves indexing and query parsing alike (it is plugged into
 * Xapian as its stemmer), so a word indexed is found by typing it. Stemming
 * the same words over and over was a third of indexing time uncached, so
 * each stemmer keeps a bounded cache of word -> stem.
 *
 * A px_stemmer is not thread-safe: use one per thread.
 */
#ifndef PASSIM_STEM_H
#define PASSIM_STEM_H

#include <stddef.h>

#include "passim/status.h"

typedef struct px_stemmer px_stemmer;

/* A stemmer for `language` (a libstemmer name such as "english"; "none"
 * makes every word its own stem). PX_NOT_FOUND for an unknown language.
 * Caller owns *out; free with px_stemmer_destroy(). */
px_status px_stemmer_create(const char *language, px_stemmer **out);

/* Stem a lower-case UTF-8 word. *stem is borrowed: valid until the next
 * call on `st` (it may point into the cache). */
px_status px_stemmer_stem(px_stemmer *st, const char *word, size_t len,
                          const char **stem, size_t *stem_len);

/* Cache figures, for tests and benchmarks. */
void px_stemmer_stats(const px_stemmer *st, size_t *hits, size_t *misses);

void px_stemmer_destroy(px_stemmer *st);

#endif /* PASSIM_STEM_H */
