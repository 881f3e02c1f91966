/*
 * entities.h — the entities of one article, ready for its passages.
 *
 * The article (its title and passages, joined as one document so the
 * tagger's document-level evidence spans the whole article) is tagged for
 * names, scanned for dates (resolved against the article's date), and the
 * mentions are given canonical values within the article. What comes out
 * is what every passage document of the article carries — boolean terms
 * for filters and an encoded list for the facet spy — and, per passage,
 * the spans of its own mentions for highlighting.
 */
#ifndef PASSIM_ENTITIES_H
#define PASSIM_ENTITIES_H

#include <stddef.h>

#include "passim/article.h"
#include "passim/passage.h"
#include "passim/status.h"

/* Entities kept per article, at most: a long document listing thousands
 * of names would otherwise bloat every one of its passages. */
#define PX_ENTITIES_MAX 256
/* A longer value is not a name but a tagging accident; leaving it out
 * bounds the list every passage carries to 256 x 128 bytes. */
#define PX_ENTITY_VALUE_MAX 128

typedef struct px_article_entities {
    char *slot;          /* encoded list (schema.h px_entities_each) */
    size_t slot_len;
    char **terms;        /* boolean terms for every passage */
    size_t nterms;
    char **mentions;     /* per passage: "T start end\n" lines, or NULL */
    size_t *mentions_len;
    size_t *mentions_cap;
    size_t npassages;
} px_article_entities;

/* Extract the entities of article `a`, cut into `ps`; `date` is the
 * article's date, "YYYY-MM-DD", or NULL. Free with
 * px_article_entities_free(). */
px_status px_entities_extract(const px_article *a, const px_passages *ps,
                              const char *date, px_article_entities *out);

void px_article_entities_free(px_article_entities *e);

#endif
