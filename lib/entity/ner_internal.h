/*
 * ner_internal.h — what the tagger, its trainer (tools/ner-train.c) and its
 * benchmark share: the label set, the features, greedy decoding and the
 * model file layout. Not installed; the public API is passim/ner.h.
 *
 * Training and tagging go through the same feature and decoding code, with
 * a different scorer (float weights while training, quantised int16 rows
 * at run time), so that what the trainer measures is what users get.
 */
#ifndef PASSIM_NER_INTERNAL_H
#define PASSIM_NER_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "passim/ner.h"
#include "passim/status.h"

/* BILOU labels: 0 is O; type t (px_entity_type, 0..3) has B, I, L, U at
 * 1 + 4t + part. */
#define NER_TYPES 4
#define NER_NT 17
enum { NER_B = 0, NER_I, NER_L, NER_U };

static inline int
ner_tag(int type, int part)
{
    return 1 + 4 * type + part;
}

static inline int
ner_tag_type(int tag)
{
    return tag == 0 ? -1 : (tag - 1) / 4;
}

static inline int
ner_tag_part(int tag)
{
    return tag == 0 ? -1 : (tag - 1) % 4;
}

/* At most this many features fire for one token. */
#define NER_MAX_FEATS 64

#define NER_FNV_OFFSET 0xcbf29ce484222325ull
#define NER_FNV_PRIME 0x100000001b3ull
#define NER_SEQ_SEED 0x6a09e667f3bcc909ull

static inline uint64_t
ner_mix(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ull;
    x ^= x >> 33;
    return x;
}

/* The hash of a word lower-cased (ASCII letters only), at most its first
 * 64 bytes: the key of the features and of every lexicon table. */
static inline uint64_t
ner_hash_lower(const char *s, size_t len)
{
    uint64_t h = NER_FNV_OFFSET;

    if (len > 64)
        len = 64;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        h = (h ^ (c >= 'A' && c <= 'Z' ? c + 32u : c)) * NER_FNV_PRIME;
    }
    return h;
}

/* The hash of a word as the clusters key it: case kept, every ASCII digit
 * read as 0 (tools/word-clusters writes them so). */
static inline uint64_t
ner_hash_cluster_word(const char *s, size_t len)
{
    uint64_t h = NER_FNV_OFFSET ^ 0x5cu;

    if (len > 64)
        len = 64;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        h = (h ^ (c >= '0' && c <= '9' ? '0' : c)) * NER_FNV_PRIME;
    }
    return h;
}

/* The key of a phrase of words: their lower-case hashes chained. */
static inline uint64_t
ner_seq_next(uint64_t h, uint64_t word)
{
    return ner_mix(h ^ word) + word;
}

/* An open-addressing table of 64-bit hashes (kept as 32-bit fingerprints)
 * to 32-bit values (0: absent). */
struct ner_table {
    uint32_t *keys, *vals;
    size_t mask;
};

uint32_t ner_table_get(const struct ner_table *t, uint64_t key);

/* What the tagger knows beyond its training text (ner_lex.c): place
 * names by phrase; by lower-cased word, its dictionary facts, the length
 * of the longest place name it opens and the Brown cluster path of its
 * most frequent spelling (for words a text writes without capitals); by
 * word as written, its cluster path. A path is kept as its length (5
 * bits) and first 20 bits. */
#define NER_GAZ_PLACE 0x01u   /* GeoNames */
#define NER_GAZ_COUNTRY 0x02u /* ISO 3166-1 and -3 */
#define NER_GAZ_REGION 0x04u  /* ISO 3166-2 */
#define NER_GAZ_ANY 0x07u
#define NER_GAZ_KINDS 3
#define NER_LEX_LOWER 0x01u   /* the dictionary writes it in lower case */
#define NER_LEX_PROPER 0x02u  /* the dictionary writes it capitalised */
#define NER_LEX_ORGWORD 0x04u /* a company designator or organisation noun */
#define NER_LEX_LEN_SHIFT 3      /* 4 bits: longest place name opened */
#define NER_LEX_CLUSTER_SHIFT 7  /* 25 bits: the path, as above */
#define NER_LEX_NOT_CLUSTER 0x7Fu

struct ner_lex {
    struct ner_table phrases, words, clusters;
};

/* Parse a lexicon ("K<TAB>text" lines, tools/ner-gazetteer.py) and a
 * cluster file ("PATH<TAB>WORD<TAB>COUNT" lines; may be empty) into lex.
 * Caller owns lex's tables; free with ner_lex_free(). PX_NOMEM. */
px_status ner_lex_parse(struct ner_lex *lex, const char *gaz, size_t gaz_len,
                        const char *clusters, size_t clusters_len);
void ner_lex_free(struct ner_lex *lex);

/* The embedded lexicon and clusters, parsed once per process (borrowed,
 * valid for the process's life; empty tables if memory ran out). For the
 * trainer's and the benchmark's ablations only, PASSIM_NER_ABLATE may
 * name parts to leave out: "gazetteer", "clusters" or both, with a
 * comma; a model must be scored with the parts it was trained with. */
const struct ner_lex *ner_lex_default(void);

/* One word of a document: borrowed bytes, not NUL-terminated. */
struct ner_word {
    const char *s;
    size_t len;
};

/* What one token contributes to features, hashed once per token. */
struct ner_tokinfo {
    uint64_t word, lower, shape;
    uint64_t pre[3], suf[4];
    uint32_t cls;    /* NER_C_* bits */
    uint32_t slot;   /* index of its entry in the document table */
    uint32_t cluster; /* Brown path bits, length in the top byte; 0: none */
    uint16_t gaz;    /* per place list k, 3 bits at 3k: 0, or 1 + B/I/L/U */
    uint8_t lex;     /* NER_LEX_* bits */
};

/* Token classes (ner_tokinfo.cls). */
#define NER_C_INITCAP 0x01u
#define NER_C_ALLCAP 0x02u
#define NER_C_LOWER 0x04u
#define NER_C_DIGIT 0x08u
#define NER_C_ALPHA 0x10u
#define NER_C_SSTART 0x20u  /* opens a sentence */
#define NER_C_SCAPS 0x40u   /* in a sentence written in capitals */
#define NER_C_PUNCT 0x80u   /* only . ! ? ; (never inside a name) */
#define NER_C_JOIN 0x100u   /* a lower-case word that joins names: of, de */

/* A document's table of lower-cased forms: how each is written elsewhere
 * in the document, and how the tagger labelled it so far. */
#define NER_CONTEXTS 3

struct ner_slot {
    uint64_t key;
    uint32_t seen;      /* NER_SEEN_* bits */
    uint16_t hist[NER_TYPES + 1];
    uint16_t used;
    /* The words before and after its capitalised occurrences (the first
     * NER_CONTEXTS distinct ones), for Ratinov & Roth's context
     * aggregation: what surrounds the name elsewhere in the document. */
    uint64_t before[NER_CONTEXTS], after[NER_CONTEXTS];
};

#define NER_SEEN_LOWER 0x01u
#define NER_SEEN_CAP_MID 0x02u
#define NER_SEEN_CAP_START 0x04u

/* The working state for one document, reused across documents. */
struct ner_doc {
    size_t n, cap;
    struct ner_tokinfo *tok;
    struct ner_slot *slots;
    size_t nslots, slots_cap;
    const struct ner_lex *lex; /* NULL: ner_lex_default() */
};

/* Prepare doc for words[0, n) with sflags[i] & PX_NER_SENT_START marking
 * sentence starts (token 0 always starts one): hash every token and fill
 * the document table. Grows doc's buffers as needed. PX_NOMEM. */
px_status ner_doc_prepare(struct ner_doc *doc, const struct ner_word *words,
                          const unsigned char *sflags, size_t n);
void ner_doc_free(struct ner_doc *doc);

/* How decoding asks for scores and, while training, reports each step. */
struct ner_scorer {
    void (*score)(void *ctx, const uint64_t *feats, size_t nf,
                  float *scores);
    void (*observe)(void *ctx, size_t i, const uint64_t *feats, size_t nf,
                    int pred);
    void *ctx;
};

/* Label every token of a prepared document greedily, left to right, with
 * BILOU labels (0..NER_NT-1) written to tags[0, doc->n). */
void ner_decode(struct ner_doc *doc, const struct ner_scorer *scorer,
                unsigned char *tags);

/* The second stage over a decoded document (ner_post.c): words w[0,
 * doc->n) and their BILOU labels, mended in place. PX_NOMEM. */
px_status ner_post(const struct ner_doc *doc, const struct ner_word *w,
                   unsigned char *bilou);

/* The model file: a header, then a bitmap of the non-zero feature buckets,
 * the rank of each bitmap word, and the non-zero rows of NER_NT int16
 * weights, all little-endian and 8-byte aligned. */
#define NER_MAGIC "PXNER\0v1"
#define NER_HEADER_SIZE 64

struct ner_header {
    char magic[8];
    uint32_t nt;
    uint32_t bits;
    uint32_t nrows;
    float scale;
};

/* The run-time model: views into data (owned when `owned` is set). */
struct px_ner {
    uint32_t bits, nrows;
    const uint64_t *bitmap;
    const uint32_t *rank;
    const int16_t *rows;
    void *owned;
};

/* Parse a model image of `size` bytes into ner (views into data, which must
 * be 8-byte aligned and outlive ner). PX_UNSUPPORTED if it is not one. */
px_status ner_model_parse(struct px_ner *ner, const void *data, size_t size);

/* The run-time scorer over a parsed model. */
void ner_model_score(void *ctx, const uint64_t *feats, size_t nf,
                     float *scores);

/* The bucket of a feature hash in a table of 2^bits rows. */
static inline uint32_t
ner_bucket(uint64_t h, uint32_t bits)
{
    return (uint32_t)(h >> (64 - bits));
}

/* CoNLL-style tokens of raw text: byte spans and sentence starts. */
struct ner_toks {
    size_t n, cap;
    size_t *start, *end;
    unsigned char *flags;
};

px_status ner_tok_split(const char *text, size_t len, struct ner_toks *out);
void ner_toks_free(struct ner_toks *toks);

/* The embedded model, lexicon and clusters (generated C sources, written
 * at build time by ner_embed). */
extern const unsigned char px_ner_model_data[];
extern const size_t px_ner_model_size;
extern const unsigned char px_ner_gazetteer_data[];
extern const size_t px_ner_gazetteer_size;
extern const unsigned char px_ner_clusters_data[];
extern const size_t px_ner_clusters_size;

#endif /* PASSIM_NER_INTERNAL_H */
