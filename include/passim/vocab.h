/*
 * vocab.h — the index's vocabulary of unstemmed words, for wildcards.
 *
 * Passages are indexed with stems only (schema.h), which keeps the writer
 * fast but leaves nothing for a wildcard such as "negotiat*" to match:
 * "negotiations" is indexed as its stem "negoti". So every word the
 * indexer meets is also kept once per database, as the user metadata key
 * PX_META_WORD + word; a wildcard expands over those keys, and each word
 * found stands for its stem. Metadata, not terms: a term needs a document,
 * and a document of words would count in the collection statistics, so a
 * sharded index would rank differently from the same index in one piece.
 *
 * The words go in once: a writer remembers the words it has met (up to
 * PX_VOCAB_REMEMBER of them, a few tens of MB) and, for a word it has
 * not, asks the database before adding it, unless the database had no
 * vocabulary when the writer opened it. Words whose articles are gone
 * stay; they only expand to stems that match nothing.
 */
#ifndef PASSIM_VOCAB_H
#define PASSIM_VOCAB_H

#include <stddef.h>
#include <stdint.h>

#include "passim/status.h"
#include "passim/stem.h"
#include "xapian-c.h"

#define PX_META_WORD "W"

/* The most words one wildcard expands to (Xapian's default is unlimited;
 * omega's is 1000). */
#define PX_VOCAB_MAX_EXPANSION 1000

/* A list of distinct words: NUL-terminated, back to back, sorted. */
typedef struct px_words {
    char *buf;
    size_t len; /* bytes used in buf */
    size_t n;   /* words */
} px_words;

/* Add the words of text[0, len) (as px_token_each folds them) to a
 * collection under way; px_words_finish sorts it and drops duplicates. */
typedef struct px_words_builder px_words_builder;
px_words_builder *px_words_builder_create(void);
px_status px_words_builder_add(px_words_builder *b, const char *text,
                               size_t len);
px_status px_words_finish(px_words_builder *b, px_words *out);
void px_words_builder_destroy(px_words_builder *b);
/* Append word[0, len) to w, whose buffer holds *cap bytes (grown as
 * needed; 0 for none yet). Not sorted, duplicates kept. */
px_status px_words_append(px_words *w, size_t *cap, const char *word,
                          size_t len);
void px_words_clear(px_words *w);

/* The most words a writer remembers before it forgets them all. */
#define PX_VOCAB_REMEMBER 1000000

/* A writer's side, for the database `db` it writes. */
typedef struct px_vocab px_vocab;
px_status px_vocab_create(xc_database *db, px_vocab **out);
/* Told of each word px_vocab_add stores (borrowed for the call). */
typedef void (*px_vocab_stored_fn)(void *ctx, const char *word, size_t len);
/* Store the words of `words` that `db` lacks (inside a transaction, which
 * must be committed: the words are remembered as stored), telling
 * `stored` (may be NULL) of each. */
px_status px_vocab_add(px_vocab *v, xc_database *db, const px_words *words,
                       px_vocab_stored_fn stored, void *ctx);
/* Forget the words met so far (they are asked of the database again). */
void px_vocab_forget(px_vocab *v);
void px_vocab_destroy(px_vocab *v);

/* A sharded database keeps every shard's words in its first shard as
 * well: a server that hands out the shards as one database shows a
 * client only the first shard's metadata (Xapian reads a group's
 * metadata from its first member), and wildcards there would miss the
 * other shards' words. Shard k's part is marked, in the first shard,
 * with the revision of shard k it holds (key PX_META_VOCAB_UNION + k);
 * a stale mark (a crash between the two commits, a database written
 * before the union) makes the writer copy shard k's words again. */
#define PX_META_VOCAB_UNION "passim.vocab-union."
/* *stale is 1 unless db0's union holds `revision` of shard `shard`. */
px_status px_vocab_union_stale(xc_database *db0, size_t shard,
                               uint64_t revision, int *stale);
/* Mark db0's union as holding `revision` of shard `shard` (inside db0's
 * transaction). */
px_status px_vocab_union_mark(xc_database *db0, size_t shard,
                              uint64_t revision);
/* Store every word of dbk that db0 lacks in db0 (inside its transaction),
 * through db0's writer side v0. */
px_status px_vocab_union_copy(px_vocab *v0, xc_database *db0,
                              xc_database *dbk);

/* A reader's side: call fn for each distinct stem of the words in `db`
 * that start with `pattern` (folded), at most PX_VOCAB_MAX_EXPANSION
 * words. fn returns non-zero to stop. */
typedef int (*px_stem_fn)(void *ctx, const char *stem, size_t len);
px_status px_vocab_expand(xc_database *db, px_stemmer *st,
                          const char *pattern, size_t len, px_stem_fn fn,
                          void *ctx);

/* Wildcards in queries. Xapian's own wildcards expand over unstemmed
 * terms, which the index no longer has; so px_vocab_rewrite turns each
 * "word*" of a query (outside quotes; "title:word*" and "path:word*" too)
 * into a field of passim's ("pxwild:word"), and the fields that
 * px_vocab_add_wildcard_fields gives a parser expand it over the
 * vocabulary of `db` into the OR (OP_SYNONYM) of the stems found, in the
 * text and title, the title or the path. *out is the caller's; NULL when
 * the query has no wildcard. */
px_status px_vocab_rewrite(const char *query, char **out);
/* The words all the wildcards of one parse may expand to, together: 200
 * one-letter wildcards ORed (each up to PX_VOCAB_MAX_EXPANSION words) took
 * 46 s on news-bbc; three of them, under 2,000 words, 0.73 s. */
#define PX_VOCAB_MAX_TOTAL_EXPANSION 2000

/* A count of the expansions made since `used` was last set to 0, shared by
 * the parsers that take it; `exceeded` says a parse failed for going over
 * PX_VOCAB_MAX_TOTAL_EXPANSION. */
typedef struct px_wild_budget {
    size_t used;
    int exceeded;
} px_wild_budget;

/* `defaults`: the term prefixes of the parser's unprefixed field ("" for
 * the text, PX_PREFIX_TITLE for titles; at most two), which "word*"
 * searches too. `budget` (borrowed, may be NULL for no total limit) must
 * outlive qp. */
px_status px_vocab_add_wildcard_fields(xc_qparser *qp, xc_database *db,
                                       const char *const *defaults,
                                       size_t ndefaults,
                                       px_wild_budget *budget);

#endif /* PASSIM_VOCAB_H */
