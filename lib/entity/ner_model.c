/*
 * ner_model.c — loading the tagger's model and scoring with it.
 *
 * The model is a hashed feature table stored sparsely: a bitmap says which
 * of the 2^bits buckets have weights, a rank per 64 buckets plus a
 * population count turns a bucket into its row, and each row holds the
 * int16 weights of all labels side by side, so a feature costs one cache
 * line. The embedded model is used in place; a file is read into memory.
 */
#include "ner_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A portable population count: the compiler's builtin becomes a library
 * call on x86-64 without -mpopcnt, which is slower than this. */
static inline unsigned
popcount64(uint64_t x)
{
    x = x - ((x >> 1) & 0x5555555555555555ull);
    x = (x & 0x3333333333333333ull) + ((x >> 2) & 0x3333333333333333ull);
    x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0full;
    return (unsigned)((x * 0x0101010101010101ull) >> 56);
}

px_status
ner_model_parse(struct px_ner *ner, const void *data, size_t size)
{
    struct ner_header h;

    if (size < NER_HEADER_SIZE)
        return PX_UNSUPPORTED;
    memcpy(&h, data, sizeof h);
    if (memcmp(h.magic, NER_MAGIC, 8) != 0 || h.nt != NER_NT ||
        h.bits < 6 || h.bits > 26)
        return PX_UNSUPPORTED;
    size_t words = (size_t)1 << (h.bits - 6);
    size_t rank_bytes = (words * 4 + 7) & ~(size_t)7;
    size_t need = NER_HEADER_SIZE + words * 8 + rank_bytes +
                  (size_t)h.nrows * NER_NT * 2;
    if (size < need)
        return PX_UNSUPPORTED;
    const unsigned char *p = data;
    ner->bits = h.bits;
    ner->nrows = h.nrows;
    ner->bitmap = (const uint64_t *)(const void *)(p + NER_HEADER_SIZE);
    ner->rank = (const uint32_t *)(const void *)(p + NER_HEADER_SIZE +
                                                 words * 8);
    ner->rows = (const int16_t *)(const void *)(p + NER_HEADER_SIZE +
                                                words * 8 + rank_bytes);
    /* A corrupt rank table would index past the rows. */
    uint32_t last = ner->rank[words - 1] + popcount64(ner->bitmap[words - 1]);
    return last == h.nrows ? PX_OK : PX_UNSUPPORTED;
}

void
ner_model_score(void *ctx, const uint64_t *feats, size_t nf, float *scores)
{
    const struct px_ner *ner = ctx;
    const int16_t *rows[NER_MAX_FEATS];
    size_t nr = 0;
    int32_t acc[NER_NT] = {0};

    /* Find every row first, so that their loads overlap. */
    for (size_t f = 0; f < nf; f++) {
        uint32_t b = ner_bucket(feats[f], ner->bits);
        uint64_t word = ner->bitmap[b >> 6];
        uint64_t bit = (uint64_t)1 << (b & 63);
        if (!(word & bit))
            continue;
        uint32_t row = ner->rank[b >> 6] + popcount64(word & (bit - 1));
        rows[nr] = ner->rows + (size_t)row * NER_NT;
        __builtin_prefetch(rows[nr]);
        nr++;
    }
    for (size_t r = 0; r < nr; r++)
        for (int k = 0; k < NER_NT; k++)
            acc[k] += rows[r][k];
    for (int k = 0; k < NER_NT; k++)
        scores[k] = (float)acc[k];
}

/* Read a whole file into memory aligned for the model's tables. */
static px_status
read_file(const char *path, void **out, size_t *out_size)
{
    FILE *f = fopen(path, "rb");
    px_status rc = PX_IO;
    void *buf = NULL;
    long size = -1;

    if (f == NULL)
        return PX_IO;
    if (fseek(f, 0, SEEK_END) == 0)
        size = ftell(f);
    if (size >= 0 && fseek(f, 0, SEEK_SET) == 0) {
        buf = malloc((size_t)size + 8);
        if (buf == NULL)
            rc = PX_NOMEM;
        else if (fread(buf, 1, (size_t)size, f) == (size_t)size)
            rc = PX_OK;
    }
    fclose(f);
    if (rc != PX_OK) {
        free(buf);
        return rc;
    }
    *out = buf;
    *out_size = (size_t)size;
    return PX_OK;
}

px_status
px_ner_load(const char *path, px_ner **out)
{
    void *data = NULL;
    size_t size = 0;

    if (out == NULL)
        return PX_INVALID_ARGUMENT;
    *out = NULL;
    if (path == NULL)
        return PX_INVALID_ARGUMENT;
    px_status rc = read_file(path, &data, &size);
    if (rc != PX_OK)
        return rc;
    px_ner *ner = calloc(1, sizeof *ner);
    if (ner == NULL)
        rc = PX_NOMEM;
    if (rc == PX_OK)
        rc = ner_model_parse(ner, data, size);
    if (rc != PX_OK) {
        free(ner);
        free(data);
        return rc;
    }
    ner->owned = data;
    *out = ner;
    return PX_OK;
}

px_status
px_ner_load_default(px_ner **out)
{
    if (out == NULL)
        return PX_INVALID_ARGUMENT;
    *out = NULL;
    const char *path = getenv("PASSIM_NER_MODEL");
    if (path != NULL && path[0] != '\0')
        return px_ner_load(path, out);
    if (px_ner_model_size == 0)
        return PX_NOT_FOUND;
    px_ner *ner = calloc(1, sizeof *ner);
    if (ner == NULL)
        return PX_NOMEM;
    px_status rc = ner_model_parse(ner, px_ner_model_data,
                                   px_ner_model_size);
    if (rc != PX_OK) {
        free(ner);
        return rc;
    }
    *out = ner;
    return PX_OK;
}

void
px_ner_destroy(px_ner *ner)
{
    if (ner == NULL)
        return;
    free(ner->owned);
    free(ner);
}
