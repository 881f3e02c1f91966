/*
 * highlight.c — where the query's words are in a passage (highlight.h).
 */
#include "highlight.h"

#include <stdlib.h>
#include <string.h>

#include "passim/schema.h"
#include "passim/token.h"

px_status
px_termset_add(px_termset *s, const char *term, size_t len)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 16;
        char **t = realloc(s->terms, cap * sizeof *t);
        if (!t)
            return PX_NOMEM;
        s->terms = t;
        s->cap = cap;
    }
    char *copy = malloc(len + 1);
    if (!copy)
        return PX_NOMEM;
    memcpy(copy, term, len);
    copy[len] = '\0';
    s->terms[s->n++] = copy;
    return PX_OK;
}

void
px_termset_clear(px_termset *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->terms[i]);
    free(s->terms);
    memset(s, 0, sizeof *s);
}

static int
has_term(const px_termset *s, const char *prefix, const char *word,
         size_t len)
{
    size_t plen = strlen(prefix);
    for (size_t i = 0; i < s->n; i++) {
        const char *t = s->terms[i];
        if (strncmp(t, prefix, plen) == 0 && strlen(t + plen) == len &&
            memcmp(t + plen, word, len) == 0)
            return 1;
    }
    return 0;
}

typedef struct hl_ctx {
    px_hit *hit;
    const px_termset *terms;
    const px_termset *wildcards;
    px_stemmer *stemmer;
    size_t cap;
    px_status rc;
    int any_first;               /* stem every word (see first_bytes()) */
    unsigned char first[256];    /* first bytes of the terms' stems */
    unsigned char word_first[256]; /* first bytes a term's word may have */
} hl_ctx;

/* The first bytes a word may have to match one of `terms`: as itself
 * (the term, or "S" + it: words of any term's first byte, and of an "S"
 * term's second), or by its stem ("Z" or "Z" + title terms: the stem's
 * first byte). English Snowball stemming keeps a word's first byte (it
 * only rewrites endings; checked on every word of 20 Newsgroups), so a
 * word whose first byte starts no stem needs no stemming to tell that it
 * matches none: most words of a passage. Other languages may change it
 * (German folds "ü" to "u"): there every word is stemmed. */
static void
first_bytes(hl_ctx *c)
{
    c->any_first = strcmp(PX_LANGUAGE, "english") != 0;
    memset(c->first, 0, sizeof c->first);
    memset(c->word_first, 0, sizeof c->word_first);
    for (size_t i = 0; i < c->terms->n; i++) {
        const char *t = c->terms->terms[i];
        c->word_first[(unsigned char)t[0]] = 1;
        if (t[0] == PX_PREFIX_TITLE[0] && t[0])
            c->word_first[(unsigned char)t[1]] = 1;
        if (t[0] != 'Z')
            continue;
        t += strncmp(t + 1, PX_PREFIX_TITLE, strlen(PX_PREFIX_TITLE)) == 0
                 ? 1 + strlen(PX_PREFIX_TITLE)
                 : 1;
        c->first[(unsigned char)t[0]] = 1;
    }
}

static int
has_prefix(const px_termset *s, const char *word, size_t len)
{
    for (size_t i = 0; i < s->n; i++) {
        size_t plen = strlen(s->terms[i]);
        if (plen <= len && memcmp(word, s->terms[i], plen) == 0)
            return 1;
    }
    return 0;
}

static int
matches(hl_ctx *c, const char *folded, size_t len)
{
    if (len == 0)
        return 0;
    unsigned char b = (unsigned char)folded[0];
    if (has_prefix(c->wildcards, folded, len) ||
        (c->word_first[b] &&
         (has_term(c->terms, "", folded, len) ||
          has_term(c->terms, PX_PREFIX_TITLE, folded, len))))
        return 1;
    const char *stem;
    size_t slen;
    if (!c->any_first && !c->first[b])
        return 0;
    if (px_stemmer_stem(c->stemmer, folded, len, &stem, &slen) != PX_OK)
        return 0;
    return has_term(c->terms, "Z", stem, slen) ||
           has_term(c->terms, "Z" PX_PREFIX_TITLE, stem, slen);
}

static int
on_word(void *ctx, size_t start, size_t end, const char *folded,
        size_t folded_len)
{
    hl_ctx *c = ctx;
    if (!matches(c, folded, folded_len))
        return 0;
    px_hit *h = c->hit;
    if (h->nspans == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 8;
        px_span *s = realloc(h->spans, cap * sizeof *s);
        if (!s) {
            c->rc = PX_NOMEM;
            return 1;
        }
        h->spans = s;
        c->cap = cap;
    }
    h->spans[h->nspans].start = start;
    h->spans[h->nspans++].end = end;
    return 0;
}

px_status
px_highlight(px_hit *hit, const px_termset *terms,
             const px_termset *wildcards, px_stemmer *stemmer)
{
    hl_ctx c = {hit, terms, wildcards, stemmer, 0, PX_OK, 0, {0}, {0}};
    if (terms->n == 0 && wildcards->n == 0)
        return PX_OK;
    first_bytes(&c);
    px_status rc = px_token_each(hit->text, hit->text_len, on_word, &c);
    return rc != PX_OK ? rc : c.rc;
}

static int
is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '(' ||
           c == '"' || c == '+' || c == '-';
}

px_status
px_wildcards_of(const char *query, px_termset *out)
{
    for (const char *star = strchr(query, '*'); star;
         star = strchr(star + 1, '*')) {
        const char *start = star;
        while (start > query && !is_space(start[-1]))
            start--;
        const char *colon = memchr(start, ':', (size_t)(star - start));
        if (colon)
            start = colon + 1;
        char *folded = NULL;
        size_t len = 0;
        if (star == start ||
            px_token_fold(start, (size_t)(star - start), &folded, &len) != PX_OK)
            continue;
        px_status rc = len ? px_termset_add(out, folded, len) : PX_OK;
        free(folded);
        if (rc != PX_OK)
            return rc;
    }
    return PX_OK;
}
