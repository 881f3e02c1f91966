/*
 * schema.c — passage documents, records and article ids (schema.h).
 */
#include "passim/schema.h"

#include <utf8proc.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "passim/stem.h"
#include "passim/token.h"
#include "passim/vocab.h"

uint64_t
px_article_hash(const char *path)
{
    /* FNV-1a, 64 bits: stable across runs and machines, so an article id
     * names the same file wherever the index is searched from. */
    uint64_t h = 0xcbf29ce484222325ULL;
    for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
        h ^= *p;
        h *= 0x100000001b3ULL;
    }
    return h;
}

void
px_article_id(const char *path, char id[PX_ARTICLE_ID_SIZE])
{
    snprintf(id, PX_ARTICLE_ID_SIZE, "%016" PRIx64, px_article_hash(path));
}

/* A record is a header line of decimal numbers, then the four strings
 * back to back: "R2 number start end path_len title_len text_len
 * mentions_len\n". A passage on a page of a PDF is "R3", its header
 * ending in the page; a passage with no page stays "R2", which older
 * passims read too. */
px_status
px_record_encode(const px_record *r, char **data, size_t *len)
{
    char head[200], page[16] = "";
    if (r->page > 0)
        snprintf(page, sizeof page, " %" PRIu32, r->page);
    int n = snprintf(head, sizeof head, "R%c %" PRIu32 " %" PRIu64 " %"
                     PRIu64 " %zu %zu %zu %zu%s\n", r->page > 0 ? '3' : '2',
                     r->number, r->start, r->end, r->path_len, r->title_len,
                     r->text_len, r->mentions_len, page);
    size_t total = (size_t)n + r->path_len + r->title_len + r->text_len +
                   r->mentions_len;
    char *buf = malloc(total + 1);
    *data = NULL;
    if (!buf)
        return PX_NOMEM;
    char *p = buf;
    memcpy(p, head, (size_t)n);
    p += n;
    memcpy(p, r->path, r->path_len);
    p += r->path_len;
    memcpy(p, r->title, r->title_len);
    p += r->title_len;
    memcpy(p, r->text, r->text_len);
    p += r->text_len;
    if (r->mentions_len)
        memcpy(p, r->mentions, r->mentions_len);
    buf[total] = '\0';
    *data = buf;
    *len = total;
    return PX_OK;
}

px_status
px_record_decode(const char *data, size_t len, px_record *r)
{
    memset(r, 0, sizeof *r);
    const char *nl = memchr(data, '\n', len < 200 ? len : 200);
    if (len < 3 || !nl ||
        (memcmp(data, "R2 ", 3) != 0 && memcmp(data, "R3 ", 3) != 0))
        return PX_INVALID_ARGUMENT;
    char head[200];
    memcpy(head, data, (size_t)(nl - data));
    head[nl - data] = '\0';
    uint64_t f[8] = {0};
    char *p = head + 3;
    int fields = data[1] == '3' ? 8 : 7;
    for (int i = 0; i < fields; i++) {
        char *end;
        f[i] = strtoull(p, &end, 10);
        if (end == p)
            return PX_INVALID_ARGUMENT;
        p = end;
    }
    uint64_t body = len - (size_t)(nl + 1 - data), left = body;
    for (int i = 3; i < 7; i++) {
        if (f[i] > left)
            return PX_INVALID_ARGUMENT;
        left -= f[i];
    }
    if (left != 0 || f[7] > UINT32_MAX)
        return PX_INVALID_ARGUMENT;
    r->page = (uint32_t)f[7];
    r->number = (uint32_t)f[0];
    r->start = f[1];
    r->end = f[2];
    r->path = nl + 1;
    r->path_len = (size_t)f[3];
    r->title = r->path + r->path_len;
    r->title_len = (size_t)f[4];
    r->text = r->title + r->title_len;
    r->text_len = (size_t)f[5];
    r->mentions = r->text + r->text_len;
    r->mentions_len = (size_t)f[6];
    return PX_OK;
}

size_t
px_mention_format(char line[PX_MENTION_LINE_MAX], int type, size_t start,
                  size_t end)
{
    if (type < 0 || start >= end)
        return 0;
    int n = snprintf(line, PX_MENTION_LINE_MAX, "%d %zu %zu\n", type, start,
                     end);
    return n > 0 && n < PX_MENTION_LINE_MAX ? (size_t)n : 0;
}

/* The decimal number at *p (before end), *p moved past it; -1 when none
 * or past 2^63. */
static int64_t
number(const char **p, const char *end)
{
    int64_t v = 0;
    const char *q = *p;
    if (q == end || *q < '0' || *q > '9')
        return -1;
    for (; q < end && *q >= '0' && *q <= '9'; q++) {
        if (v > (INT64_MAX - 9) / 10)
            return -1;
        v = v * 10 + (*q - '0');
    }
    *p = q;
    return v;
}

/* One mention line, p[0, stop), in a text of text_len bytes: its fields
 * when it is well formed and fits, else 0. */
static int
mention_line(const char *p, const char *stop, size_t text_len, int *type,
             size_t *start, size_t *end)
{
    int64_t t = number(&p, stop), s = -1, e = -1;
    if (t >= 0 && p < stop && *p == ' ' && ++p)
        s = number(&p, stop);
    if (s >= 0 && p < stop && *p == ' ' && ++p)
        e = number(&p, stop);
    if (e < 0 || p != stop || t > INT32_MAX || s >= e ||
        (uint64_t)e > text_len)
        return 0;
    *type = (int)t, *start = (size_t)s, *end = (size_t)e;
    return 1;
}

void
px_mentions_each(const char *data, size_t len, size_t text_len,
                 px_mention_fn fn, void *ctx)
{
    const char *p = data, *end = data + len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *eol = nl ? nl : end;
        int type;
        size_t s, e;
        if (mention_line(p, eol, text_len, &type, &s, &e) &&
            fn(ctx, type, s, e))
            return;
        p = nl ? nl + 1 : end;
    }
}

static int
stem_callback(void *ctx, const char *word, size_t len, const char **stem,
              size_t *stem_len)
{
    return px_stemmer_stem(ctx, word, len, stem, stem_len) != PX_OK;
}

static void
stem_destroy(void *ctx)
{
    px_stemmer_destroy(ctx);
}

px_status
px_schema_stemmer(const char *language, xc_stemmer **out)
{
    px_stemmer *st = NULL;
    *out = NULL;
    px_status rc = px_stemmer_create(language, &st);
    if (rc != PX_OK)
        return rc;
    char *err = NULL;
    if (xc_stemmer_create_callback(stem_callback, st, stem_destroy,
                                   "passim-libstemmer", out, &err) != XC_OK) {
        /* The binding calls destroy_ctx only once it owns the context. */
        px_stemmer_destroy(st);
        free(err);
        return PX_NOMEM;
    }
    return PX_OK;
}

px_status
px_schema_termgen(xc_termgen **out)
{
    xc_stemmer *st = NULL;
    xc_termgen *tg = NULL;
    *out = NULL;
    px_status rc = px_schema_stemmer(PX_LANGUAGE, &st);
    if (rc == PX_OK && xc_termgen_create(&tg, NULL) != XC_OK)
        rc = PX_NOMEM;
    if (rc == PX_OK && (xc_termgen_set_stemmer(tg, st) != XC_OK ||
                        xc_termgen_set_stemming_strategy(tg, PX_STEM_STRATEGY)
                            != XC_OK))
        rc = PX_XAPIAN;
    xc_stemmer_destroy(st);
    if (rc != PX_OK) {
        xc_termgen_destroy(tg);
        return rc;
    }
    *out = tg;
    return PX_OK;
}

static px_status
add_data(xc_document *doc, const px_record *r)
{
    char *data = NULL;
    size_t len = 0;
    px_status rc = px_record_encode(r, &data, &len);
    if (rc == PX_OK && xc_document_set_data(doc, data, len) != XC_OK)
        rc = PX_XAPIAN;
    free(data);
    return rc;
}

static px_status
add_values(xc_document *doc, const char *id, const char *date,
           const px_record *r, const px_doc_extras *extras)
{
    char num[18];
    size_t n = xc_sortable_serialise((double)r->number, num);
    xc_status xs = xc_document_add_value(doc, PX_SLOT_ARTICLE, id, strlen(id));
    if (xs == XC_OK && date)
        xs = xc_document_add_value(doc, PX_SLOT_DATE, date, strlen(date));
    if (xs == XC_OK)
        xs = xc_document_add_value(doc, PX_SLOT_PASSAGE, num, n);
    if (xs == XC_OK && extras && extras->entities_len)
        xs = xc_document_add_value(doc, PX_SLOT_ENTITIES, extras->entities,
                                   extras->entities_len);
    if (xs == XC_OK && extras && extras->file_dated)
        xs = xc_document_add_boolean_term(doc, PX_TERM_FILE_DATED,
                                          strlen(PX_TERM_FILE_DATED));
    if (xs == XC_OK && extras && extras->quoted)
        xs = xc_document_add_boolean_term(doc, PX_TERM_QUOTED,
                                          strlen(PX_TERM_QUOTED));
    for (size_t i = 0; xs == XC_OK && extras && i < extras->nterms; i++)
        xs = xc_document_add_boolean_term(doc, extras->terms[i],
                                          strlen(extras->terms[i]));
    return xs == XC_OK ? PX_OK : PX_XAPIAN;
}

static px_status
add_terms(xc_termgen *tg, xc_document *doc, const char *id,
          const px_record *r)
{
    char term[sizeof PX_PREFIX_ARTICLE + PX_ARTICLE_ID_SIZE];
    snprintf(term, sizeof term, "%s%s", PX_PREFIX_ARTICLE, id);
    xc_status xs = xc_document_add_boolean_term(doc, term, strlen(term));
    if (xs == XC_OK)
        xs = xc_termgen_set_document(tg, doc);
    if (xs == XC_OK)
        xs = xc_termgen_index_text(tg, r->text, r->text_len, 1, NULL);
    if (xs == XC_OK)
        xs = xc_termgen_increase_termpos(tg, 100);
    if (xs == XC_OK)
        xs = xc_termgen_index_text(tg, r->title, r->title_len, 1,
                                   PX_PREFIX_TITLE);
    if (xs == XC_OK)
        xs = xc_termgen_index_text_without_positions(tg, r->path, r->path_len,
                                                     1, PX_PREFIX_PATH);
    /* Let go of the document: it may go to the writer's thread while this
     * generator indexes the next one here. */
    xc_status let_go = xc_termgen_set_document(tg, NULL);
    return xs == XC_OK && let_go == XC_OK ? PX_OK : PX_XAPIAN;
}

px_status
px_schema_passage_document(xc_termgen *tg, xc_document *doc, const char *id,
                           const char *date, const px_record *r,
                           const px_doc_extras *extras)
{
    px_status rc = xc_document_clear(doc) == XC_OK ? PX_OK : PX_XAPIAN;
    if (rc == PX_OK)
        rc = add_terms(tg, doc, id, r);
    if (rc == PX_OK)
        rc = add_values(doc, id, date, r, extras);
    if (rc == PX_OK)
        rc = add_data(doc, r);
    return rc;
}

px_status
px_schema_qparser(xc_database *db, px_wild_budget *budget, xc_qparser **out)
{
    static const char *const text_and_title[] = {"", PX_PREFIX_TITLE};
    xc_stemmer *st = NULL;
    xc_qparser *qp = NULL;
    *out = NULL;
    px_status rc = px_schema_stemmer(PX_LANGUAGE, &st);
    if (rc == PX_OK && xc_qparser_create(&qp, NULL) != XC_OK)
        rc = PX_NOMEM;
    xc_status xs = rc == PX_OK ? XC_OK : XC_ERROR;
    if (xs == XC_OK)
        xs = xc_qparser_set_stemmer(qp, st);
    if (xs == XC_OK)
        xs = xc_qparser_set_stemming_strategy(qp, PX_STEM_STRATEGY);
    if (xs == XC_OK && db)
        xs = xc_qparser_set_database(qp, db);
    /* Unprefixed words search the text and the title alike. */
    if (xs == XC_OK)
        xs = xc_qparser_add_prefix(qp, "", "");
    if (xs == XC_OK)
        xs = xc_qparser_add_prefix(qp, "", PX_PREFIX_TITLE);
    if (xs == XC_OK)
        xs = xc_qparser_add_prefix(qp, "title", PX_PREFIX_TITLE);
    if (xs == XC_OK)
        xs = xc_qparser_add_prefix(qp, "path", PX_PREFIX_PATH);
    if (xs == XC_OK)
        xs = xc_qparser_set_max_expansion(qp, 1000);
    xc_stemmer_destroy(st);
    if (rc == PX_OK && xs != XC_OK)
        rc = PX_XAPIAN;
    if (rc == PX_OK)
        rc = px_vocab_add_wildcard_fields(qp, db, text_and_title, 2, budget);
    if (rc != PX_OK) {
        xc_qparser_destroy(qp);
        return rc;
    }
    *out = qp;
    return PX_OK;
}

const char *
px_entity_prefix(int type)
{
    static const char *const prefixes[] = {
        PX_PREFIX_PER, PX_PREFIX_LOC, PX_PREFIX_ORG, PX_PREFIX_MISC,
        PX_PREFIX_DATE, PX_PREFIX_AUTHOR,
    };
    if (type < 0 || type >= (int)(sizeof prefixes / sizeof *prefixes))
        return NULL;
    return prefixes[type];
}

/* Fold runs of white space to one space and trim the ends, in place. */
static size_t
squeeze_spaces(char *s, size_t len)
{
    size_t out = 0;
    int space = 0;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
            space = out > 0;
            continue;
        }
        if (space)
            s[out++] = ' ';
        space = 0;
        s[out++] = c;
    }
    s[out] = '\0';
    return out;
}

px_status
px_entity_key(const char *value, size_t len, char **key, size_t *key_len)
{
    *key = NULL;
    char *folded = NULL;
    size_t n = 0;
    px_status rc = px_token_fold(value, len, &folded, &n);
    if (rc != PX_OK)
        return rc;
    /* Accents fold too: "José Mourinho" is "Jose Mourinho". */
    size_t i = 0;
    while (i < n && (unsigned char)folded[i] < 0x80)
        i++;
    if (i < n) {
        utf8proc_uint8_t *plain = NULL;
        utf8proc_ssize_t m = utf8proc_map(
            (const utf8proc_uint8_t *)folded, (utf8proc_ssize_t)n, &plain,
            UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_STRIPMARK);
        if (m < 0) {
            free(folded);
            return PX_NOMEM;
        }
        free(folded);
        folded = (char *)plain;
        n = (size_t)m;
    }
    n = squeeze_spaces(folded, n);
    if (n > PX_ENTITY_KEY_MAX) {
        n = PX_ENTITY_KEY_MAX;
        while (n > 0 && ((unsigned char)folded[n] & 0xC0) == 0x80)
            n--;
        folded[n] = '\0';
    }
    *key = folded;
    *key_len = n;
    return PX_OK;
}

px_status
px_entity_key_buf(const char *value, size_t len,
                  char key[PX_ENTITY_KEY_MAX + 1], size_t *key_len)
{
    /* An ASCII fold is no longer than its text, so within the limit no
     * cut is due. */
    long n = len <= PX_ENTITY_KEY_MAX ? px_token_fold_ascii(value, len, key)
                                      : -1;
    if (n >= 0) {
        *key_len = squeeze_spaces(key, (size_t)n);
        return PX_OK;
    }
    char *k = NULL;
    px_status rc = px_entity_key(value, len, &k, key_len);
    if (rc == PX_OK)
        memcpy(key, k, *key_len + 1);
    free(k);
    return rc;
}

static int
entity_fits(int type, const char *value)
{
    return type >= 0 && type <= 9 && value[0] != '\0' &&
           strchr(value, '\n') == NULL;
}

static int
by_line(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The lines of the entities that fit, each "Tvalue\n"; *total their
 * length. Caller frees each and the array. */
static char **
entity_lines(const int *types, const char *const *values, size_t n,
             size_t *count, size_t *total)
{
    char **lines = calloc(n + 1, sizeof *lines);
    *count = *total = 0;
    for (size_t i = 0; lines && i < n; i++) {
        if (!entity_fits(types[i], values[i]))
            continue;
        size_t len = strlen(values[i]);
        char *line = malloc(len + 3);
        if (!line) {
            for (size_t j = 0; j < *count; j++)
                free(lines[j]);
            free(lines);
            return NULL;
        }
        line[0] = (char)('0' + types[i]);
        memcpy(line + 1, values[i], len);
        memcpy(line + 1 + len, "\n", 2);
        lines[(*count)++] = line;
        *total += len + 2;
    }
    return lines;
}

px_status
px_entities_encode(const int *types, const char *const *values, size_t n,
                   char **data, size_t *len)
{
    size_t count = 0, total = 0;
    char **lines = entity_lines(types, values, n, &count, &total);
    char *out = lines ? malloc(total + 1) : NULL;
    *data = NULL;
    *len = 0;
    if (lines)
        qsort(lines, count, sizeof *lines, by_line);
    for (size_t i = 0; i < count; i++) {
        size_t l = strlen(lines[i]);
        if (out)
            memcpy(out + *len, lines[i], l);
        *len += l;
        free(lines[i]);
    }
    free(lines);
    if (!out)
        return *len = 0, PX_NOMEM;
    out[*len] = '\0';
    *data = out;
    return PX_OK;
}

void
px_entities_each(const char *data, size_t len, px_entity_fn fn, void *ctx)
{
    const char *end = data + len;
    while (data < end) {
        const char *nl = memchr(data, '\n', (size_t)(end - data));
        const char *stop = nl ? nl : end;
        if (stop - data >= 2 && data[0] >= '0' && data[0] <= '9' &&
            fn(ctx, data[0] - '0', data + 1, (size_t)(stop - data - 1)))
            return;
        data = nl ? nl + 1 : end;
    }
}
