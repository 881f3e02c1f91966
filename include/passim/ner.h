/*
 * ner.h — name mentions (people, places, organisations, other names) in
 * English text, found by a statistical tagger.
 *
 * The tagger is a greedy averaged perceptron over hashed features of the
 * words only (no part-of-speech tags, which raw articles do not have), with
 * BILOU labels and non-local features drawn from the rest of the document.
 * Its model is built from CoNLL-2003 eng.train by tools/ner-train and
 * embedded in the library; see bench/README.md for how to rebuild it.
 *
 * A model is read-only once loaded: any number of threads may tag with one
 * px_ner at the same time.
 */
#ifndef PASSIM_NER_H
#define PASSIM_NER_H

#include <stddef.h>

#include "passim/entity.h"
#include "passim/status.h"

typedef struct px_ner px_ner;

/* Per-token flags for px_ner_tag_tokens: the token opens a sentence, or a
 * document (an article; a document start is also a sentence start). */
#define PX_NER_SENT_START 0x01u
#define PX_NER_DOC_START 0x02u

/* Per-token tags px_ner_tag_tokens writes: PX_NER_O outside any mention;
 * otherwise (type + 1), with PX_NER_BEGIN set on a mention's first token. */
#define PX_NER_O 0x00u
#define PX_NER_BEGIN 0x80u
#define PX_NER_TYPE(tag) ((px_entity_type)(((tag) & 0x7Fu) - 1u))

/* Load the default model: the file named by the environment variable
 * PASSIM_NER_MODEL if it is set, else the model embedded in the library.
 * Caller owns *out; free with px_ner_destroy(). PX_NOT_FOUND if the library
 * was built without a model, PX_IO or PX_UNSUPPORTED if the override cannot
 * be read or is not a model, PX_NOMEM. */
px_status px_ner_load_default(px_ner **out);

/* Load a model file written by tools/ner-train. Caller owns *out; free with
 * px_ner_destroy(). PX_IO, PX_UNSUPPORTED (not a model of this version),
 * PX_NOMEM, PX_INVALID_ARGUMENT. */
px_status px_ner_load(const char *path, px_ner **out);

/* Free a model; px_ner_destroy(NULL) does nothing. */
void px_ner_destroy(px_ner *ner);

/* Find the mentions in UTF-8 text[0, len), one document (an article), and
 * append them to *out in text order as byte spans [start, end) into text.
 * The text is split into CoNLL-style tokens (punctuation and "'s" are
 * tokens of their own) and sentences (at . ! ? and blank lines). On
 * failure *out keeps what it held before. PX_INVALID_ARGUMENT, PX_NOMEM. */
px_status px_ner_tag_text(const px_ner *ner, const char *text, size_t len,
                          px_mentions *out);

/* Tag n pre-tokenised words (NUL-terminated, borrowed for the call), with
 * flags[i] a combination of PX_NER_SENT_START and PX_NER_DOC_START (NULL:
 * one document of one sentence). Writes n tags (PX_NER_O or type + 1, with
 * PX_NER_BEGIN) to tags. PX_INVALID_ARGUMENT, PX_NOMEM. */
px_status px_ner_tag_tokens(const px_ner *ner, const char *const *words,
                            size_t n, const unsigned char *flags,
                            unsigned char *tags);

#endif /* PASSIM_NER_H */
