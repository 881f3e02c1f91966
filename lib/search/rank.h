/*
 * rank.h — how passim turns query text into a ranking query, and passage
 * scores into article scores.
 *
 * Short queries (at most `long_query` words) keep Xapian's syntax with AND
 * as the default operator (search.c falls back to OR when nothing has
 * every word). Longer ones are read as natural language: OR of their words
 * (the weighting scheme decides: IneB2 by default), stop words dropped,
 * operators taken as words (`lower` and `exact` only matter on an index
 * that keeps unstemmed words: schema 3 has stems only, so `exact` is 0);
 * a second stage then rescores their top articles (rerank.h). Text the
 * full syntax cannot parse is parsed again without operators, so a query
 * never fails on its punctuation. On top of the query that selects the
 * passages come ranking-only terms (AND_MAYBE): adjacent words near each
 * other, and the terms of pseudo-relevance feedback. Title matches weigh
 * `title` times text matches (long queries; short ones only gain when it
 * is over 1). Every lever and its measured effect is in bench/README.md.
 */
#ifndef PASSIM_QUERY_RANK_H
#define PASSIM_QUERY_RANK_H

#include <stddef.h>
#include <stdint.h>

#include "passim/status.h"
#include "passim/vocab.h"
#include "xapian-c.h"

/* Weighting schemes of passages (the `scheme` lever, by number: 0 BM25,
 * 1 BM25+, 2 PL2, 3 PL2+, 4 DPH, 5 DLH, 6 InL2, 7 IfB2, 8 IneB2, 9 BB2). */
enum {
    PX_SCHEME_BM25, PX_SCHEME_BM25PLUS, PX_SCHEME_PL2, PX_SCHEME_PL2PLUS,
    PX_SCHEME_DPH, PX_SCHEME_DLH, PX_SCHEME_INL2, PX_SCHEME_IFB2,
    PX_SCHEME_INEB2, PX_SCHEME_BB2, PX_SCHEMES
};

typedef struct px_rank_opts {
    uint32_t scheme;       /* PX_SCHEME_*: how passages are weighted */
    double k1, b, k3;      /* BM25 of passages; k3: query-word frequency */
    double c;              /* DFR schemes' length normalisation c */
    double delta;          /* BM25+ and PL2+ lower bound */
    uint32_t long_query;   /* more words than this: natural language, OR */
    int stopwords;         /* drop stop words from long queries */
    uint32_t lower;        /* long queries: 1 lower-case the first word
                            * (so it is stemmed), 2 every word */
    double title;          /* weight of title matches (text: 1) */
    double exact;          /* long queries: weight of unstemmed matches */
    double proximity;      /* weight of adjacent words within `window` */
    uint32_t window;
    double fusion;         /* article = best passage + fusion * the next */
    uint32_t depth;        /* passages of an article that count */
    uint32_t prf_docs;     /* pseudo-relevance feedback: top articles, */
    uint32_t prf_terms;    /* the terms taken from them, */
    double prf_weight;     /* and their weight (top term) */
    uint32_t rerank;       /* long queries: top articles rescored (rerank.h) */
    double coverage;       /* exponent of their share of the query matched */
    double title_cover;    /* weight of the share their title matches */
    uint32_t cover_depth;  /* passages of each whose words count */
} px_rank_opts;

/* The defaults: the settings kept on SciFact train (bench/README.md). */
void px_rank_defaults(px_rank_opts *o);

/* Set the weighting scheme of `o` on `enq`. */
px_status px_rank_weighting(xc_enquire *enq, const px_rank_opts *o);

/* Set lever `key` (scheme, c, delta, k1, b, k3, long, lower, exact, stopwords, title, proximity, window,
 * fusion, depth, prf, prf-terms, prf-weight, rerank, coverage,
 * title-cover, cover-depth) to `value`. Returns -1 for an
 * unknown key or a value out of its range. */
int px_rank_set(px_rank_opts *o, const char *key, double value);

/* The parsers a searcher keeps for all its queries. */
typedef struct px_parsers {
    xc_qparser *all;   /* text and title, for the selecting query */
    xc_qparser *stop;  /* the same, dropping stop words */
    xc_qparser *text;  /* passage text only, dropping stop words */
    xc_qparser *title; /* titles only, dropping stop words */
    xc_qparser *exact; /* passage text, unstemmed, dropping stop words */
    px_wild_budget *budget; /* the wildcard expansions of one parse, shared */
} px_parsers;

px_status px_parsers_create(xc_database *db, px_parsers *p);
void px_parsers_destroy(px_parsers *p);

/* Words of `text` as the ranking counts them: white-space separated,
 * without operators (AND, OR, NOT, XOR, NEAR) and bare punctuation. */
int px_rank_count_words(const char *text);

/* The query selecting and ranking passages for `text` with default
 * operator `op`. PX_QUERY_SYNTAX with *error (caller owns; free with
 * free()) only when even the plain parse fails. Caller owns *q; free with
 * xc_query_destroy(). */
px_status px_rank_query(const px_parsers *p, const px_rank_opts *o,
                        const char *text, xc_query_op op, xc_query **q,
                        char **error);

/* `q` with the ranking-only evidence added (title for short queries,
 * proximity). Caller
 * owns *out; free with xc_query_destroy(). */
px_status px_rank_boost(const px_parsers *p, const px_rank_opts *o,
                        const char *text, const xc_query *q, xc_query **out);

/* `q` expanded by pseudo-relevance feedback from the documents `docids`
 * (the best passages of the top articles) on `enq`, whose query is `q`.
 * OR when `widen` (natural-language queries), else AND_MAYBE. Caller owns
 * *out; free with xc_query_destroy(). */
px_status px_rank_expand(xc_enquire *enq, const px_rank_opts *o,
                         const xc_docid *docids, size_t n, int widen,
                         const xc_query *q, xc_query **out);

#endif
