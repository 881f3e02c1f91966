/*
 * rank.c — ranking queries and their evidence (rank.h).
 */
#include "rank.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "passim/format.h"
#include "passim/schema.h"
#include "passim/token.h"
#include "passim/vocab.h"

/* English function words: dropped from long queries, never from short
 * ones (where "the who" may be what the user means). */
static const char *const stop_words[] = {
    "a", "about", "above", "after", "again", "against", "all", "am", "an",
    "and", "any", "are", "as", "at", "be", "because", "been", "before",
    "being", "below", "between", "both", "but", "by", "can", "could", "did",
    "do", "does", "doing", "down", "during", "each", "few", "for", "from",
    "further", "had", "has", "have", "having", "he", "her", "here", "hers",
    "herself", "him", "himself", "his", "how", "i", "if", "in", "into", "is",
    "it", "its", "itself", "just", "may", "me", "might", "more", "most",
    "must", "my", "myself", "no", "nor", "not", "now", "of", "off", "on",
    "once", "only", "or", "other", "our", "ours", "ourselves", "out", "over",
    "own", "same", "shall", "she", "should", "so", "some", "such", "than",
    "that", "the", "their", "theirs", "them", "themselves", "then", "there",
    "these", "they", "this", "those", "through", "to", "too", "under",
    "until", "up", "very", "was", "we", "were", "what", "when", "where",
    "which", "while", "who", "whom", "why", "will", "with", "would", "you",
    "your", "yours", "yourself", "yourselves",
};
#define NSTOP (sizeof stop_words / sizeof *stop_words)

void
px_rank_defaults(px_rank_opts *o)
{
    *o = (px_rank_opts){
        .scheme = PX_SCHEME_INEB2, .c = 4, .delta = 1.0, .k1 = 0.6,
        .b = 0.4, .k3 = 1.0, .long_query = 4, .stopwords = 1, .lower = 2,
        .title = 0.4, .exact = 0, .proximity = 0.0, .window = 8,
        .fusion = 0.0,
        .depth = 2, .prf_docs = 0, .prf_terms = 10, .prf_weight = 0.3,
        .rerank = 100, .coverage = 0.5, .title_cover = 0, .cover_depth = 2,
    };
}

static int
set_count(uint32_t *field, double v, double max)
{
    if (v < 0 || v > max || v != (double)(uint32_t)v)
        return -1;
    *field = (uint32_t)v;
    return 0;
}

static int
set_weight(double *field, double v, double max)
{
    if (!(v >= 0 && v <= max))
        return -1;
    *field = v;
    return 0;
}

static int
set_lever(px_rank_opts *o, const char *key, double v)
{
    static const struct {
        const char *key;
        size_t off;
        int count;
        double max;
    } levers[] = {
        {"scheme", offsetof(px_rank_opts, scheme), 1, PX_SCHEMES - 1},
        {"c", offsetof(px_rank_opts, c), 0, 10000},
        {"delta", offsetof(px_rank_opts, delta), 0, 100},
        {"k1", offsetof(px_rank_opts, k1), 0, 100},
        {"b", offsetof(px_rank_opts, b), 0, 1},
        {"k3", offsetof(px_rank_opts, k3), 0, 1000},
        {"long", offsetof(px_rank_opts, long_query), 1, 1000},
        {"lower", offsetof(px_rank_opts, lower), 1, 2},
        {"exact", offsetof(px_rank_opts, exact), 0, 100},
        {"title", offsetof(px_rank_opts, title), 0, 100},
        {"proximity", offsetof(px_rank_opts, proximity), 0, 100},
        {"window", offsetof(px_rank_opts, window), 1, 1000},
        {"fusion", offsetof(px_rank_opts, fusion), 0, 10},
        {"depth", offsetof(px_rank_opts, depth), 1, 100},
        {"prf", offsetof(px_rank_opts, prf_docs), 1, 64},
        {"prf-terms", offsetof(px_rank_opts, prf_terms), 1, 64},
        {"prf-weight", offsetof(px_rank_opts, prf_weight), 0, 100},
        {"rerank", offsetof(px_rank_opts, rerank), 1, 10000},
        {"coverage", offsetof(px_rank_opts, coverage), 0, 100},
        {"title-cover", offsetof(px_rank_opts, title_cover), 0, 100},
        {"cover-depth", offsetof(px_rank_opts, cover_depth), 1, 100},
    };
    if (strcmp(key, "stopwords") == 0 && (v == 0 || v == 1)) {
        o->stopwords = (int)v;
        return 0;
    }
    for (size_t i = 0; i < sizeof levers / sizeof *levers; i++) {
        if (strcmp(key, levers[i].key) != 0)
            continue;
        char *field = (char *)o + levers[i].off;
        return levers[i].count
                   ? set_count((uint32_t *)(void *)field, v, levers[i].max)
                   : set_weight((double *)(void *)field, v, levers[i].max);
    }
    return -1;
}

int
px_rank_set(px_rank_opts *o, const char *key, double v)
{
    if (set_lever(o, key, v) != 0)
        return -1;
    /* BM25's parameters (--bm25 K1,B) choose BM25 over a DFR scheme. */
    if ((strcmp(key, "k1") == 0 || strcmp(key, "b") == 0) &&
        o->scheme != PX_SCHEME_BM25PLUS)
        o->scheme = PX_SCHEME_BM25;
    return 0;
}

px_status
px_rank_weighting(xc_enquire *enq, const px_rank_opts *o)
{
    double c = o->c > 0 ? o->c : 1.0;
    xc_status xs;
    switch (o->scheme) {
    case PX_SCHEME_BM25PLUS:
        xs = xc_enquire_set_weighting_bm25plus(enq, o->k1, 0, o->k3, o->b,
                                               0.5, o->delta);
        break;
    case PX_SCHEME_PL2: xs = xc_enquire_set_weighting_pl2(enq, c); break;
    case PX_SCHEME_PL2PLUS:
        xs = xc_enquire_set_weighting_pl2plus(enq, c, o->delta > 0 ? o->delta
                                                                   : 0.8);
        break;
    case PX_SCHEME_DPH: xs = xc_enquire_set_weighting_dph(enq); break;
    case PX_SCHEME_DLH: xs = xc_enquire_set_weighting_dlh(enq); break;
    case PX_SCHEME_INL2: xs = xc_enquire_set_weighting_inl2(enq, c); break;
    case PX_SCHEME_IFB2: xs = xc_enquire_set_weighting_ifb2(enq, c); break;
    case PX_SCHEME_INEB2: xs = xc_enquire_set_weighting_ineb2(enq, c); break;
    case PX_SCHEME_BB2: xs = xc_enquire_set_weighting_bb2(enq, c); break;
    default:
        xs = xc_enquire_set_weighting_bm25(enq, o->k1, 0, o->k3, o->b, 0.5);
    }
    return xs == XC_OK ? PX_OK : PX_XAPIAN;
}

static int
is_stop_word(const char *w, size_t len)
{
    for (size_t i = 0; i < NSTOP; i++) {
        if (strlen(stop_words[i]) == len && memcmp(stop_words[i], w, len) == 0)
            return 1;
    }
    return 0;
}

/* A parser for passim's schema whose unprefixed words search `prefix`
 * only, dropping stop words, stemming by `strategy`. */
static px_status
field_parser(xc_database *db, px_wild_budget *budget, const char *prefix,
             xc_stem_strategy strategy, xc_qparser **out)
{
    xc_stemmer *st = NULL;
    px_status rc = px_schema_stemmer(PX_LANGUAGE, &st);
    if (rc == PX_OK && xc_qparser_create(out, NULL) != XC_OK)
        rc = PX_NOMEM;
    xc_status xs = rc == PX_OK ? XC_OK : XC_ERROR;
    if (xs == XC_OK)
        xs = xc_qparser_set_stemmer(*out, st);
    if (xs == XC_OK)
        xs = xc_qparser_set_stemming_strategy(*out, strategy);
    if (xs == XC_OK)
        xs = xc_qparser_set_database(*out, db);
    if (xs == XC_OK)
        xs = xc_qparser_add_prefix(*out, "", prefix);
    if (xs == XC_OK)
        xs = xc_qparser_add_prefix(*out, "title", PX_PREFIX_TITLE);
    if (xs == XC_OK)
        xs = xc_qparser_add_prefix(*out, "path", PX_PREFIX_PATH);
    if (xs == XC_OK)
        xs = xc_qparser_set_stopwords(*out, stop_words, NSTOP);
    xc_stemmer_destroy(st);
    if (rc == PX_OK && xs == XC_OK)
        rc = px_vocab_add_wildcard_fields(*out, db, &prefix, 1, budget);
    return rc == PX_OK && xs != XC_OK ? PX_XAPIAN : rc;
}

px_status
px_parsers_create(xc_database *db, px_parsers *p)
{
    memset(p, 0, sizeof *p);
    p->budget = calloc(1, sizeof *p->budget);
    px_status rc = p->budget ? PX_OK : PX_NOMEM;
    if (rc == PX_OK)
        rc = px_schema_qparser(db, p->budget, &p->all);
    if (rc == PX_OK)
        rc = px_schema_qparser(db, p->budget, &p->stop);
    if (rc == PX_OK &&
        xc_qparser_set_stopwords(p->stop, stop_words, NSTOP) != XC_OK)
        rc = PX_XAPIAN;
    if (rc == PX_OK)
        rc = field_parser(db, p->budget, "", PX_STEM_STRATEGY, &p->text);
    if (rc == PX_OK)
        rc = field_parser(db, p->budget, PX_PREFIX_TITLE, PX_STEM_STRATEGY,
                          &p->title);
    if (rc == PX_OK)
        rc = field_parser(db, p->budget, "", XC_STEM_NONE, &p->exact);
    if (rc != PX_OK)
        px_parsers_destroy(p);
    return rc;
}

void
px_parsers_destroy(px_parsers *p)
{
    xc_qparser_destroy(p->all);
    xc_qparser_destroy(p->stop);
    xc_qparser_destroy(p->text);
    xc_qparser_destroy(p->title);
    xc_qparser_destroy(p->exact);
    free(p->budget);
    memset(p, 0, sizeof *p);
}

/* Does text[0, len) count as a word: not an operator, not punctuation? */
static int
counts(const char *w, size_t len)
{
    static const char *const ops[] = {"AND", "OR", "NOT", "XOR", "NEAR"};
    for (size_t i = 0; i < sizeof ops / sizeof *ops; i++) {
        if (strlen(ops[i]) == len && memcmp(ops[i], w, len) == 0)
            return 0;
    }
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)w[i];
        if ((c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z')
            || c >= 0x80)
            return 1;
    }
    return 0;
}

int
px_rank_count_words(const char *q)
{
    int n = 0;
    while (*q) {
        size_t skip = strspn(q, " \t\n\r");
        size_t len = strcspn(q + skip, " \t\n\r");
        n += len && counts(q + skip, len);
        q += skip + len;
    }
    return n;
}

static char *
syntax_message(const char *what)
{
    static const char lead[] = "malformed query: ";
    char *s = malloc(sizeof lead + strlen(what));
    if (s) {
        memcpy(s, lead, sizeof lead - 1);
        strcpy(s + sizeof lead - 1, what);
    }
    return s;
}

/* Parse with the full syntax, then without any operator: natural language
 * ("0-dimensional biomaterials (NOT ...)", "Figure: x*") must not fail. */
static xc_status
parse(const px_parsers *p, xc_qparser *qp, const char *text, unsigned flags,
      xc_query_op op, xc_query **q)
{
    char *wild = NULL;
    if (px_vocab_rewrite(text, &wild) != PX_OK)
        return XC_NOMEM;
    if (wild)
        text = wild;
    xc_status xs = xc_qparser_set_default_op(qp, op);
    if (xs == XC_OK)
        xs = xc_qparser_parse(qp, text, flags, NULL, q);
    if (xs == XC_QUERY_SYNTAX && flags != 0 && !p->budget->exceeded)
        xs = xc_qparser_parse(qp, text, 0, NULL, q);
    if (p->budget->exceeded) { /* the caller says so */
        if (xs == XC_OK)
            xc_query_destroy(*q);
        *q = NULL;
        xs = XC_QUERY_SYNTAX;
    }
    free(wild);
    return xs;
}

static xc_query *
scaled(double w, xc_query *q)
{
    xc_query *s = NULL;
    if (q)
        xc_query_create_scaled(w, q, &s);
    xc_query_destroy(q);
    return s;
}

/* A long query with its title matches weighted apart: OR(text, title *
 * weight, unstemmed text * exact). The text part may be empty (a query
 * of title: words). */
static xc_status
parse_fields(const px_parsers *p, const px_rank_opts *o, const char *text,
             const char *original, unsigned flags, xc_query **q)
{
    xc_query *part[3] = {NULL, NULL, NULL};
    size_t n = 2;
    xc_status xs = parse(p, p->text, text, flags, XC_OP_OR, &part[0]);
    if (xs == XC_OK)
        xs = parse(p, p->title, text, flags, XC_OP_OR, &part[1]);
    if (xs == XC_OK && o->title > 0)
        part[1] = scaled(o->title, part[1]);
    if (xs == XC_OK && o->exact > 0)
        xs = parse(p, p->exact, original, flags, XC_OP_OR, &part[2]);
    if (xs == XC_OK && o->exact > 0 && part[2])
        part[n++] = scaled(o->exact, part[2]);
    if (xs == XC_OK && part[1])
        xs = xc_query_create_combined(XC_OP_OR, part, o->title > 0 ? n : 1,
                                      0, q);
    for (size_t i = 0; i < 3; i++)
        xc_query_destroy(part[i]);
    return xs;
}

/* A copy of natural-language `text` with ASCII capitals lower-cased: in
 * its first word (capitalised only because it starts the sentence) or in
 * every word. The parser leaves capitalised words unstemmed, so "Vitamin"
 * would miss "vitamins". NULL when out of memory. */
static char *
lowered(const char *text, uint32_t how)
{
    char *s = strdup(text);
    if (!s)
        return NULL;
    char *p = s + strspn(s, " \t\n\r");
    char *end = how == 1 ? p + strcspn(p, " \t\n\r") : p + strlen(p);
    for (; p < end; p++) {
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    }
    return s;
}

static px_status
parse_query(const px_parsers *p, const px_rank_opts *o, const char *text,
            const char *original, int is_long, xc_query_op op, xc_query **q,
            char **error)
{
    unsigned flags = is_long ? XC_FLAG_PHRASE | XC_FLAG_WILDCARD
                             : XC_FLAG_DEFAULT | XC_FLAG_WILDCARD |
                                   XC_FLAG_PURE_NOT;
    xc_qparser *qp = is_long && o->stopwords ? p->stop : p->all;
    xc_status xs;
    if (is_long && o->stopwords && o->title != 1.0) {
        qp = p->text;
        xs = parse_fields(p, o, text, original, flags, q);
    } else {
        xs = parse(p, qp, text, flags, op, q);
    }
    if (xs == XC_OK)
        return PX_OK;
    *q = NULL;
    if (p->budget->exceeded) {
        *error = px_asprintf("the query's wildcards match more than %d "
                             "words in all: make them longer or fewer",
                             PX_VOCAB_MAX_TOTAL_EXPANSION);
        return PX_QUERY_SYNTAX;
    }
    *error = syntax_message(xc_qparser_last_error(qp));
    return xs == XC_QUERY_SYNTAX ? PX_QUERY_SYNTAX : PX_XAPIAN;
}

/* A new query starts its wildcard budget afresh. */
static void
forget_expansions(const px_parsers *p)
{
    p->budget->used = 0;
    p->budget->exceeded = 0;
}

px_status
px_rank_query(const px_parsers *p, const px_rank_opts *o, const char *text,
              xc_query_op op, xc_query **q, char **error)
{
    int is_long = o->long_query &&
                  px_rank_count_words(text) > (int)o->long_query;
    char *low = is_long && o->lower ? lowered(text, o->lower) : NULL;
    if (is_long && o->lower && !low)
        return PX_NOMEM;
    forget_expansions(p);
    px_status rc = parse_query(p, o, low ? low : text, text, is_long, op, q,
                               error);
    free(low);
    return rc;
}

/* Collecting the query's content words for the proximity pairs. */
typedef struct words {
    char (*w)[PX_TOKEN_MAX_WORD + 1];
    size_t n, cap;
} words;

static int
add_word(void *ctx, size_t start, size_t end, const char *folded,
         size_t len)
{
    words *ws = ctx;
    (void)start;
    (void)end;
    if (is_stop_word(folded, len) || ws->n == ws->cap)
        return 0;
    memcpy(ws->w[ws->n], folded, len + 1);
    ws->n++;
    return 0;
}

/* OR of NEAR(a, b) for each adjacent pair of content words; NULL when the
 * query has fewer than two. */
static xc_query *
proximity_query(const px_rank_opts *o, const char *text)
{
    char buf[32][PX_TOKEN_MAX_WORD + 1];
    words ws = {buf, 0, 32};
    xc_query *pairs[31] = {0}, *or = NULL;
    size_t np = 0;
    px_token_each(text, strlen(text), add_word, &ws);
    for (size_t i = 0; i + 1 < ws.n; i++) {
        xc_query *t[2] = {NULL, NULL};
        xc_query_create_term(ws.w[i], strlen(ws.w[i]), 1, &t[0]);
        xc_query_create_term(ws.w[i + 1], strlen(ws.w[i + 1]), 1, &t[1]);
        if (t[0] && t[1] &&
            xc_query_create_combined(XC_OP_NEAR, t, 2, o->window,
                                     &pairs[np]) == XC_OK)
            np++;
        xc_query_destroy(t[0]);
        xc_query_destroy(t[1]);
    }
    if (np)
        xc_query_create_combined(XC_OP_OR, pairs, np, 0, &or);
    for (size_t i = 0; i < np; i++)
        xc_query_destroy(pairs[i]);
    return or;
}

/* q combined with the evidence subs[0, n) (NULLs skipped) by op. */
static px_status
combine(xc_query_op op, const xc_query *q, xc_query **subs, size_t n,
        xc_query **out)
{
    xc_query *all[3];
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (subs[i])
            all[k++] = subs[i];
    }
    xc_status xs = XC_OK;
    if (k == 0) {
        xs = xc_query_create_combined(XC_OP_OR, (xc_query *const *)&q, 1, 0,
                                      out);
    } else {
        xc_query *ev = NULL, *two[2];
        xs = xc_query_create_combined(XC_OP_OR, all, k, 0, &ev);
        two[0] = (xc_query *)q;
        two[1] = ev;
        if (xs == XC_OK)
            xs = xc_query_create_combined(op, two, 2, 0, out);
        xc_query_destroy(ev);
    }
    for (size_t i = 0; i < n; i++)
        xc_query_destroy(subs[i]);
    return xs == XC_OK ? PX_OK : PX_NOMEM;
}

px_status
px_rank_boost(const px_parsers *p, const px_rank_opts *o, const char *text,
              const xc_query *q, xc_query **out)
{
    xc_query *ev[2] = {NULL, NULL};
    int is_long = o->long_query &&
                  px_rank_count_words(text) > (int)o->long_query;
    if (o->title > 1 && !is_long) {
        xc_query *t = NULL;
        forget_expansions(p);
        if (parse(p, p->title, text, 0, XC_OP_OR, &t) == XC_OK)
            ev[0] = scaled(o->title - 1, t);
    }
    if (o->proximity > 0)
        ev[1] = scaled(o->proximity, proximity_query(o, text));
    return combine(XC_OP_AND_MAYBE, q, ev, 2, out);
}

/* Expansion terms: stems of passage text only ("Z" then a lower-case
 * letter or digit), not titles, paths, ids or entities. */
typedef struct expansion {
    xc_query *terms[64];
    size_t n;
    double weight;
} expansion;

static int
add_expansion(void *ctx, const char *term, size_t len, uint32_t permille)
{
    expansion *e = ctx;
    unsigned char c = len > 1 ? (unsigned char)term[1] : 0;
    if (len < 3 || term[0] != 'Z' || !((c >= 'a' && c <= 'z') ||
                                       (c >= '0' && c <= '9') || c >= 0x80))
        return 0;
    xc_query *t = NULL;
    if (xc_query_create_term(term, len, 1, &t) == XC_OK)
        e->terms[e->n] = scaled(e->weight * permille / 1000.0, t);
    if (e->terms[e->n])
        e->n++;
    return e->n == sizeof e->terms / sizeof *e->terms;
}

px_status
px_rank_expand(xc_enquire *enq, const px_rank_opts *o,
               const xc_docid *docids, size_t n, int widen,
               const xc_query *q, xc_query **out)
{
    expansion e = {{0}, 0, o->prf_weight};
    uint32_t want = o->prf_terms * 2 + 10; /* room for what is filtered */
    xc_status xs = xc_enquire_get_eset(enq, docids, n, want, add_expansion,
                                       &e);
    xc_query *sub = NULL;
    if (xs == XC_OK && e.n > o->prf_terms) {
        for (size_t i = o->prf_terms; i < e.n; i++)
            xc_query_destroy(e.terms[i]);
        e.n = o->prf_terms;
    }
    if (xs == XC_OK && e.n)
        xs = xc_query_create_combined(XC_OP_OR, e.terms, e.n, 0, &sub);
    for (size_t i = 0; i < e.n; i++)
        xc_query_destroy(e.terms[i]);
    if (xs != XC_OK)
        return PX_XAPIAN;
    return combine(widen ? XC_OP_OR : XC_OP_AND_MAYBE, q, &sub, 1, out);
}
