/*
 * token.h — passim's word tokenizer, in C, with byte offsets.
 *
 * It follows the word rules of Xapian's TermGenerator and QueryParser (which
 * is what indexes and parses queries), so that a word it finds, folded the
 * way it folds it, is exactly the term Xapian indexed: the highlighter and
 * the entity extractor rely on that. A word is a run of Unicode letters,
 * digits, marks and connector punctuation; an apostrophe (' or U+2019)
 * between two word characters stays inside the word (as '); an acronym
 * "U.S.A." is one word "usa"; digits joined by '.' or ',' stay one word
 * ("3.14"); up to three trailing '+' or '#' stay ("c++", "c#").
 *
 * Spans are byte offsets into the caller's buffer, never copies (STYLE.md).
 */
#ifndef PASSIM_TOKEN_H
#define PASSIM_TOKEN_H

#include <stddef.h>

#include "passim/status.h"

/* Xapian's TermGenerator drops terms longer than this many bytes (its
 * default max_word_length) without giving them a position; so does
 * px_token_each, so that the n-th word reported is Xapian's position n. */
#define PX_TOKEN_MAX_WORD 64

/* One word: text[start, end) in the caller's buffer, and its folded form
 * (lower case, apostrophes normalised, acronym dots dropped), `folded_len`
 * bytes (at most PX_TOKEN_MAX_WORD, NUL-terminated), borrowed for the call
 * only. The span runs from the word's first character to the last one that
 * is part of the folded form: "U.S." spans "U.S", "fish+chips" starts with
 * "fish". Return 0 to go on, non-zero to stop. */
typedef int (*px_token_fn)(void *ctx, size_t start, size_t end,
                           const char *folded, size_t folded_len);

/* Call fn for every word of text[0, len), in order. Invalid UTF-8 bytes
 * separate words; words folding to more than PX_TOKEN_MAX_WORD bytes are
 * skipped. It allocates nothing: returns PX_OK, or PX_INVALID_ARGUMENT for
 * a NULL fn (or NULL text with len > 0). */
px_status px_token_each(const char *text, size_t len, px_token_fn fn,
                        void *ctx);

/* Fold one word as the tokenizer does: caller owns *out (NUL-terminated);
 * free with free(). When word[0, len) holds exactly one word (whatever its
 * length) *out is the folded form px_token_each reports for it; otherwise
 * each character is folded on its own (word characters lower-cased, curly
 * apostrophes straightened, zero-width characters dropped). PX_ENCODING if
 * the text is not valid UTF-8, PX_NOMEM if memory runs out. */
px_status px_token_fold(const char *word, size_t len, char **out,
                        size_t *out_len);

/* px_token_fold() of ASCII text that needs no word rule, without
 * allocating: split at the bytes that end every word, two or more pieces
 * holding a letter, digit or '_' (several words), none (no word), or one
 * made of letters, digits and '_' alone (one plain word). Writes the fold
 * and a NUL to out (room for len + 1 bytes) and returns its length; for
 * other text -1, writing nothing: use px_token_fold(). */
long px_token_fold_ascii(const char *text, size_t len, char *out);

#endif /* PASSIM_TOKEN_H */
