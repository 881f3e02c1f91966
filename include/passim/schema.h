/*
 * schema.h — how passim lays articles out in a Xapian database.
 *
 * One Xapian document per passage. Each passage document carries:
 *  - its words as their Snowball stems with Xapian's "Z" convention, with
 *    positions (phrases, NEAR) (PX_STEM_STRATEGY); the unstemmed words
 *    are kept once per database, for wildcards (vocab.h);
 *  - the article title's stems with prefix "S" (so `title:` works and the
 *    default field searches title and text alike);
 *  - the stems of the file's path with prefix "XP" (`path:`);
 *  - a boolean term "XA" + article id, naming every passage of one article
 *    (deleting an article deletes by that term);
 *  - on the article's first passage only, its entity terms (below): entity
 *    and date filters find those passages and keep every passage of their
 *    articles (query/filters.h). Repeated on every passage they were 40%
 *    of the postings of 20 Newsgroups and a third of the indexing time
 *    (bench/README.md). An index that has them on every passage (written
 *    before) is searched the same way;
 *  - the article id in value slot PX_SLOT_ARTICLE (the collapse key), the
 *    article date as YYYYMMDD in PX_SLOT_DATE, the passage number in
 *    PX_SLOT_PASSAGE;
 *  - as document data, a record (path, title, passage number, byte span in
 *    the file, text, a PDF's page) so results show without reopening the
 *    file.
 * The catalog of files lives in the same database as user metadata (see
 * catalog.h), committed in the same transaction as the passages.
 */
#ifndef PASSIM_SCHEMA_H
#define PASSIM_SCHEMA_H

#include <stddef.h>
#include <stdint.h>

#include "passim/status.h"
#include "xapian-c.h"

typedef struct px_wild_budget px_wild_budget; /* passim/vocab.h */

#define PX_SLOT_ARTICLE 0
#define PX_SLOT_DATE 1
#define PX_SLOT_PASSAGE 2
#define PX_SLOT_ENTITIES 3 /* the article's entities (px_entities_encode) */

#define PX_PREFIX_TITLE "S"
#define PX_PREFIX_PATH "XP"
#define PX_PREFIX_ARTICLE "XA"

/* Boolean terms naming an article's entities: prefix + px_entity_key()
 * of the canonical value; dates by px_date_mention_terms(): the day,
 * month, year, decade and century that hold a mention (XDATE2024-03-16,
 * XDATE2024-03, XDATE2024, XDATEx202, XDATEc20), and for a year or month
 * mention its exact precision (XDATE=2024, XDATE=2024-03). */
#define PX_PREFIX_PER "XPER"
#define PX_PREFIX_LOC "XLOC"
#define PX_PREFIX_ORG "XORG"
#define PX_PREFIX_MISC "XMISC"
#define PX_PREFIX_DATE "XDATE"
/* A post's author, keyed as names are ("XA" is the article id's). */
#define PX_PREFIX_AUTHOR "XBY"

/* A boolean term on every passage of an article that states no date of
 * its own, whose PX_SLOT_DATE is its file's modification time: published:
 * says how many such articles it matched. Databases created since the
 * term exists say so in metadata key PX_META_FILE_DATED ("1"); in older
 * ones its absence tells nothing. */
#define PX_TERM_FILE_DATED "XDSfile"
#define PX_META_FILE_DATED "passim.file-dated-term"

/* A boolean term on a passage that quotes another post (a mail's or news
 * post's "> " lines, article.h): searches weigh such passages by
 * PX_QUOTED_WEIGHT, below the post's own words. */
#define PX_TERM_QUOTED "XQUOTED"
#define PX_QUOTED_WEIGHT 0.5

/* The longest entity key kept in a term (Xapian terms stop at 245 bytes). */
#define PX_ENTITY_KEY_MAX 200

/* The schema version, kept in metadata key PX_META_SCHEMA. */
#define PX_SCHEMA_VERSION "4"
#define PX_META_SCHEMA "passim.schema"
#define PX_META_LAST_COMMIT "passim.last-commit"
/* The folders indexed (passim-index DIR; --status lists them): a key per
 * folder, PX_META_ROOT + its absolute path, in the first shard. */
#define PX_META_ROOT "passim.root:"

/* The stemming language of index and queries alike. */
#define PX_LANGUAGE "english"

/* Which terms a passage's words become, for index and queries alike:
 * their "Z" stems with positions (STEM_ALL_Z). Schema 2 also kept every
 * word unstemmed with positions (STEM_SOME); dropping those halves the
 * terms of a passage and took indexing 20 Newsgroups from 44.9 s to
 * 27.8 s on one writer (bench/README.md). What it costs: a query word
 * always matches its stem, even capitalised or quoted ("Running" finds
 * "runs"); wildcards keep working through the vocabulary (vocab.h). */
#define PX_STEM_STRATEGY XC_STEM_ALL_Z

/* An article id: 16 lower-case hex digits of a 64-bit hash of the file's
 * absolute path, plus a NUL (PX_ARTICLE_ID_SIZE, passim.h). */

void px_article_id(const char *path, char id[PX_ARTICLE_ID_SIZE]);
/* The 64-bit hash an article id spells. */
uint64_t px_article_hash(const char *path);

/* What a passage document's data holds. Decoding fills the pointers with
 * spans of the data buffer: borrowed, valid while the buffer is. */
typedef struct px_record {
    const char *path;
    size_t path_len;
    const char *title;
    size_t title_len;
    const char *text;
    size_t text_len;
    uint32_t number; /* passage number in the article, from 0 */
    uint64_t start;  /* byte span in the file */
    uint64_t end;
    const char *mentions; /* "type start end\n" lines, spans in text */
    size_t mentions_len;
    uint32_t page; /* the PDF page of the passage, from 1; 0: not paged */
} px_record;

/* What an article gives its passage documents besides their text: entity
 * terms (the indexer gives them to the first passage only) and the encoded
 * entity list (every passage: facets read it). Either may be empty. */
typedef struct px_doc_extras {
    char *const *terms;
    size_t nterms;
    const char *entities;
    size_t entities_len;
    int file_dated; /* the date is the file's time: PX_TERM_FILE_DATED */
    int quoted;     /* the passage is a quoted reply: PX_TERM_QUOTED */
} px_doc_extras;

/* A passage's entity mentions (px_record.mentions): one line per
 * mention, "type start end\n" in decimal, the span in the passage's text.
 * px_mention_format() writes one line into line[PX_MENTION_LINE_MAX] and
 * returns its length (0 for a negative type or an empty span). */
#define PX_MENTION_LINE_MAX 64
size_t px_mention_format(char line[PX_MENTION_LINE_MAX], int type,
                         size_t start, size_t end);

typedef int (*px_mention_fn)(void *ctx, int type, size_t start, size_t end);
/* Call fn for each well-formed mention of data[0, len) whose span lies in
 * a text of text_len bytes (others are skipped; stops when fn returns
 * non-zero). */
void px_mentions_each(const char *data, size_t len, size_t text_len,
                        px_mention_fn fn, void *ctx);

/* Serialise r. Caller owns *data; free with free(). */
px_status px_record_encode(const px_record *r, char **data, size_t *len);
/* PX_INVALID_ARGUMENT when data is not a record. */
px_status px_record_decode(const char *data, size_t len, px_record *r);

/* The key of an entity value as its terms hold it: case-folded as the
 * tokenizer folds words (token.h), white space single, at most
 * PX_ENTITY_KEY_MAX bytes cut at a character boundary. Caller owns *key;
 * free with free(). */
px_status px_entity_key(const char *value, size_t len, char **key,
                        size_t *key_len);
/* The same into key (PX_ENTITY_KEY_MAX + 1 bytes), allocating nothing
 * for ASCII values (px_token_fold_ascii()). */
px_status px_entity_key_buf(const char *value, size_t len,
                            char key[PX_ENTITY_KEY_MAX + 1], size_t *key_len);

/* A calendar day, and a callback taking terms (non-zero: stop). */
typedef struct px_day {
    int y, m, d;
} px_day;
typedef int (*px_term_fn)(void *ctx, const char *term, size_t len);

/* The XDATE terms of a date mention, ISO "YYYY", "YYYY-MM" or
 * "YYYY-MM-DD" (len bytes, year 0-9999), each passed to fn. A mention
 * stands for all the days it names. PX_INVALID_ARGUMENT for another
 * form; PX_NOMEM when fn stops. */
px_status px_date_mention_terms(const char *iso, size_t len, px_term_fn fn,
                                void *ctx);

/* The XDATE terms whose OR matches exactly the articles with a mention
 * that overlaps the days [a, b] (a <= b, years 0-9999): the range cut
 * into aligned centuries, decades, years, months and days, a few dozen
 * terms at most. PX_INVALID_ARGUMENT for an impossible day or a > b;
 * PX_NOMEM when fn stops. */
px_status px_date_range_terms(px_day a, px_day b, px_term_fn fn, void *ctx);

/* The term prefix of entity type `type` (entity.h's px_entity_type), or
 * NULL for an unknown type. */
const char *px_entity_prefix(int type);

/* An article's entities for PX_SLOT_ENTITIES: one line per entity, its
 * type as one digit then its display value ("0Vladimir Putin\n"), the
 * lines sorted. */
typedef int (*px_entity_fn)(void *ctx, int type, const char *value,
                            size_t len);
/* Encode entities i < n, of types[i] and values[i] (NUL-terminated); one
 * whose type is not a digit, or whose value is empty or holds a line
 * break, is left out. Caller owns *data (NUL-terminated); free with
 * free(). */
px_status px_entities_encode(const int *types, const char *const *values,
                             size_t n, char **data, size_t *len);
/* Call fn for each entity of an encoded list (stops when fn returns
 * non-zero). */
void px_entities_each(const char *data, size_t len, px_entity_fn fn,
                      void *ctx);

/* A Xapian stemmer doing its work with passim's cached libstemmer stemmer
 * (stem.h) for `language`; each one owns its own px_stemmer, so give each
 * thread its own. Caller owns *out; free with xc_stemmer_destroy(). */
px_status px_schema_stemmer(const char *language, xc_stemmer **out);

/* The term generator used for every passage: passim's stemmer, PX_STEM_STRATEGY.
 * Caller owns *out; free with xc_termgen_destroy(). */
px_status px_schema_termgen(xc_termgen **out);

/* Fill `doc` (cleared first) with passage `r` of an article whose id is
 * `id` and whose date is `date` (YYYYMMDD, or NULL when unknown), using
 * tg; `extras` (may be NULL) adds the article's entities. */
px_status px_schema_passage_document(xc_termgen *tg, xc_document *doc,
                                     const char *id, const char *date,
                                     const px_record *r,
                                     const px_doc_extras *extras);

/* A query parser set up for passim's schema on db: passim's stemmer, the
 * default field searching text and title, `title:` and `path:` prefixes
 * (entity and date filters are passim's own: query/filters.h). Its
 * wildcards count against `budget` (vocab.h; borrowed, may be NULL).
 * Caller owns *out; free with xc_qparser_destroy(). */
px_status px_schema_qparser(xc_database *db, px_wild_budget *budget,
                            xc_qparser **out);

#endif /* PASSIM_SCHEMA_H */
