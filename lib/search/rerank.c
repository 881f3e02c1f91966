/*
 * rerank.c — rescoring the top articles of a long query (rerank.h).
 */
#include "rerank.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "passim/schema.h"

int
px_rerank_on(const px_rank_opts *o)
{
    return o->rerank > 0 && (o->coverage > 0 || o->title_cover > 0);
}

/* The word a term stands for: its stem without the "Z" and the title
 * prefix; *title tells whether it was a title term. NULL for a term of
 * another field or too long. */
static const char *
word_of(const char *term, size_t len, size_t *wlen, int *title)
{
    *title = 0;
    if (len < 2 || term[0] != 'Z')
        return NULL;
    term++;
    len--;
    if (term[0] == PX_PREFIX_TITLE[0]) {
        *title = 1;
        term++;
        len--;
    }
    if (len == 0 || len > PX_TOKEN_MAX_WORD ||
        (term[0] >= 'A' && term[0] <= 'Z'))
        return NULL;
    *wlen = len;
    return term;
}

static long
find_word(const px_rerank *r, const char *w, size_t len)
{
    for (size_t i = 0; i < r->n; i++) {
        if (strlen(r->word[i]) == len && memcmp(r->word[i], w, len) == 0)
            return (long)i;
    }
    return -1;
}

static int
add_query_term(void *ctx, const char *term, size_t len)
{
    px_rerank *r = ctx;
    size_t wlen;
    int title;
    const char *w = word_of(term, len, &wlen, &title);
    if (!w || r->n == PX_RERANK_WORDS || find_word(r, w, wlen) >= 0)
        return 0;
    memcpy(r->word[r->n], w, wlen);
    r->word[r->n][wlen] = '\0';
    r->n++;
    return 0;
}

/* A word's weight: the inverse frequency of its text stem (of its title
 * stem when the text never has it); 0 for a word no passage has. */
static px_status
word_idf(xc_database *db, const char *w, uint32_t n, double *idf)
{
    char term[PX_TOKEN_MAX_WORD + 3] = "Z";
    uint32_t df = 0;
    strcpy(term + 1, w);
    if (xc_database_termfreq(db, term, strlen(term), &df) != XC_OK)
        return PX_XAPIAN;
    if (df == 0) {
        term[1] = PX_PREFIX_TITLE[0];
        strcpy(term + 2, w);
        if (xc_database_termfreq(db, term, strlen(term), &df) != XC_OK)
            return PX_XAPIAN;
    }
    *idf = df ? log((n + 1.0) / (df + 0.5)) : 0;
    return PX_OK;
}

px_status
px_rerank_init(px_rerank *r, xc_database *db, const xc_query *q)
{
    uint32_t n = 0;
    memset(r, 0, sizeof *r);
    if (xc_query_terms(q, add_query_term, r) != XC_OK ||
        xc_database_doccount(db, &n) != XC_OK)
        return PX_XAPIAN;
    for (size_t i = 0; i < r->n; i++) {
        if (word_idf(db, r->word[i], n, &r->idf[i]) != PX_OK)
            return PX_XAPIAN;
        r->total += r->idf[i];
    }
    return PX_OK;
}

/* Mark word i in m[j] with `bits` for each passage docids[j] that has
 * `term`. */
static px_status
mark(xc_database *db, const char *term, const xc_docid *docids, size_t n,
     size_t i, unsigned char bits, unsigned char *has, px_rerank_match *m)
{
    memset(has, 0, n);
    if (xc_database_term_in(db, term, strlen(term), docids, n, has) != XC_OK)
        return PX_XAPIAN;
    for (size_t j = 0; j < n; j++) {
        if (has[j])
            m[j].how[i] |= bits;
    }
    return PX_OK;
}

px_status
px_rerank_match_all(const px_rerank *r, xc_database *db,
                    const xc_docid *docids, size_t n, px_rerank_match *m)
{
    unsigned char *has = malloc(n + 1);
    char term[PX_TOKEN_MAX_WORD + 3];
    px_status rc = has ? PX_OK : PX_NOMEM;
    for (size_t i = 0; i < r->n && rc == PX_OK; i++) {
        snprintf(term, sizeof term, "Z%s", r->word[i]);
        rc = mark(db, term, docids, n, i, 1, has, m);
        snprintf(term, sizeof term, "Z%s%s", PX_PREFIX_TITLE, r->word[i]);
        if (rc == PX_OK)
            rc = mark(db, term, docids, n, i, 3, has, m);
    }
    free(has);
    return rc;
}

double
px_rerank_factor(const px_rerank *r, const px_rank_opts *o,
                 const px_rerank_match *m)
{
    double any = 0, title = 0;
    if (r->total <= 0)
        return 1;
    for (size_t i = 0; i < r->n; i++) {
        any += m->how[i] & 1 ? r->idf[i] : 0;
        title += m->how[i] & 2 ? r->idf[i] : 0;
    }
    return pow(any / r->total, o->coverage) *
           (1 + o->title_cover * title / r->total);
}
