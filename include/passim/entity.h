/*
 * entity.h — people, places, organisations, other names and dates in text.
 *
 * Three steps, each its own part of the entity module:
 *  1. px_ner_* (ner.h): a statistical tagger finds name mentions (PER,
 *     LOC, ORG, MISC) in text, as byte spans; its model is built from
 *     CoNLL-2003 train by tools/ner-train and embedded in the library.
 *  2. px_date_* (date.h): date expressions found and normalised to
 *     ISO-8601, with an article date to resolve "Dec. 25" or "yesterday".
 *  3. px_canon_* (canon.h): the mentions of one article turned into
 *     canonical values: titles, honorifics and possessives stripped, a
 *     surname after a full name mapped to the full name.
 * This header holds what they share: the entity types and mention lists.
 * The module depends on libc, the text module (token.h) and the article
 * module's date core (datecore.h) only.
 */
#ifndef PASSIM_ENTITY_H
#define PASSIM_ENTITY_H

#include <stddef.h>

#include "passim/status.h"

#include "passim.h" /* px_entity_type */

/* "PER", "LOC", "ORG", "MISC", "DATE", "AUTHOR". */
const char *px_entity_type_name(px_entity_type type);

/* One mention: text[start, end) of the text it was found in. */
typedef struct px_mention {
    px_entity_type type;
    size_t start;
    size_t end;
} px_mention;

/* A growable list of mentions; zero-initialise, free with
 * px_mentions_free(). */
typedef struct px_mentions {
    px_mention *items;
    size_t count, cap;
} px_mentions;

px_status px_mentions_add(px_mentions *list, px_entity_type type,
                          size_t start, size_t end);
void px_mentions_free(px_mentions *list);

#endif /* PASSIM_ENTITY_H */
