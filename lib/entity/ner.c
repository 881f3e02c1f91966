/*
 * ner.c — tagging words and raw text with a loaded model.
 *
 * Both entry points turn their input into documents of borrowed words,
 * run the shared decoder (ner_feat.c) with the model's scorer and then the
 * second stage (ner_post.c). Working memory is allocated per call and per
 * document, never per token.
 */
#include "ner_internal.h"

#include <stdlib.h>
#include <string.h>

static void
to_public(const unsigned char *bilou, size_t n, unsigned char *tags)
{
    for (size_t i = 0; i < n; i++) {
        int t = bilou[i], part = ner_tag_part(t);
        if (t == 0) {
            tags[i] = PX_NER_O;
            continue;
        }
        tags[i] = (unsigned char)(ner_tag_type(t) + 1);
        if (part == NER_B || part == NER_U)
            tags[i] |= PX_NER_BEGIN;
    }
}

/* Tag words[0, n) as documents split at PX_NER_DOC_START; BILOU labels go
 * to bilou[0, n). */
static px_status
tag_docs(const px_ner *ner, const struct ner_word *words, size_t n,
         const unsigned char *flags, unsigned char *bilou)
{
    struct ner_doc doc = {0};
    struct ner_scorer sc = {ner_model_score, NULL, (void *)ner};
    px_status rc = PX_OK;
    size_t s = 0;

    while (s < n && rc == PX_OK) {
        size_t e = s + 1;
        while (e < n && !(flags != NULL && (flags[e] & PX_NER_DOC_START)))
            e++;
        rc = ner_doc_prepare(&doc, words + s, flags ? flags + s : NULL,
                             e - s);
        if (rc == PX_OK) {
            ner_decode(&doc, &sc, bilou + s);
            rc = ner_post(&doc, words + s, bilou + s);
        }
        s = e;
    }
    ner_doc_free(&doc);
    return rc;
}

px_status
px_ner_tag_tokens(const px_ner *ner, const char *const *words, size_t n,
                  const unsigned char *flags, unsigned char *tags)
{
    if (ner == NULL || (n > 0 && (words == NULL || tags == NULL)))
        return PX_INVALID_ARGUMENT;
    if (n == 0)
        return PX_OK;
    struct ner_word *w = malloc(n * sizeof *w);
    unsigned char *bilou = malloc(n);
    px_status rc = (w == NULL || bilou == NULL) ? PX_NOMEM : PX_OK;
    for (size_t i = 0; rc == PX_OK && i < n; i++) {
        w[i].s = words[i];
        w[i].len = strlen(words[i]);
    }
    if (rc == PX_OK)
        rc = tag_docs(ner, w, n, flags, bilou);
    if (rc == PX_OK)
        to_public(bilou, n, tags);
    free(w);
    free(bilou);
    return rc;
}

/* The ASCII a typographic character stands for in CoNLL's text (curly
 * quotes, dashes, ellipsis), or NULL. `c` points at a lead byte. */
static const char *
ascii_for(const unsigned char *c, size_t left, size_t *used)
{
    static const struct {
        const char *utf8, *ascii;
    } map[] = {
        {"\xe2\x80\x98", "'"}, {"\xe2\x80\x99", "'"}, {"\xe2\x80\x9c", "\""},
        {"\xe2\x80\x9d", "\""}, {"\xe2\x80\x93", "-"}, {"\xe2\x80\x94", "-"},
        {"\xe2\x80\xa6", "..."}, {"\xc2\xab", "\""}, {"\xc2\xbb", "\""},
    };

    for (size_t k = 0; k < sizeof map / sizeof map[0]; k++) {
        size_t l = strlen(map[k].utf8);
        if (l <= left && memcmp(c, map[k].utf8, l) == 0) {
            *used = l;
            return map[k].ascii;
        }
    }
    return NULL;
}

/* The words of text's tokens, typographic punctuation written the way the
 * training data writes it. The rewritten bytes go to buf (at most len + 2
 * bytes per token are needed, as no rewrite is longer than its source
 * except a lone ellipsis). */
static void
tokens_to_words(const char *text, const struct ner_toks *toks, char *buf,
                struct ner_word *w)
{
    char *p = buf;

    for (size_t i = 0; i < toks->n; i++) {
        const unsigned char *s = (const unsigned char *)text + toks->start[i];
        size_t len = toks->end[i] - toks->start[i];
        w[i].s = p;
        for (size_t k = 0; k < len;) {
            size_t used = 1;
            const char *a = s[k] >= 0xC2 ? ascii_for(s + k, len - k, &used)
                                         : NULL;
            if (a != NULL) {
                size_t al = strlen(a);
                memcpy(p, a, al);
                p += al;
            } else {
                *p++ = (char)s[k];
            }
            k += used;
        }
        w[i].len = (size_t)(p - w[i].s);
    }
}

static px_status
add_mentions(const struct ner_toks *toks, const unsigned char *bilou,
             px_mentions *out)
{
    size_t begin = 0;

    for (size_t i = 0; i < toks->n; i++) {
        int t = bilou[i], part = ner_tag_part(t);
        if (part == NER_B || part == NER_U)
            begin = toks->start[i];
        if (part == NER_L || part == NER_U) {
            px_status rc = px_mentions_add(out,
                                           (px_entity_type)ner_tag_type(t),
                                           begin, toks->end[i]);
            if (rc != PX_OK)
                return rc;
        }
    }
    return PX_OK;
}

px_status
px_ner_tag_text(const px_ner *ner, const char *text, size_t len,
                px_mentions *out)
{
    struct ner_toks toks = {0};

    if (ner == NULL || out == NULL || (text == NULL && len > 0))
        return PX_INVALID_ARGUMENT;
    px_status rc = ner_tok_split(text, len, &toks);
    if (rc != PX_OK || toks.n == 0) {
        ner_toks_free(&toks);
        return rc;
    }
    struct ner_word *w = malloc(toks.n * sizeof *w);
    unsigned char *bilou = malloc(toks.n);
    char *buf = malloc(len + 2 * toks.n);
    size_t before = out->count;
    if (w == NULL || bilou == NULL || buf == NULL)
        rc = PX_NOMEM;
    if (rc == PX_OK) {
        tokens_to_words(text, &toks, buf, w);
        rc = tag_docs(ner, w, toks.n, toks.flags, bilou);
    }
    if (rc == PX_OK)
        rc = add_mentions(&toks, bilou, out);
    if (rc != PX_OK)
        out->count = before;
    free(w);
    free(bilou);
    free(buf);
    ner_toks_free(&toks);
    return rc;
}
