/*
 * fuzz_query.c — libFuzzer target: a query, filters and all, run on a
 * real index and its results printed as text and JSON.
 *
 * $PASSIM_FUZZ_DB names the database (scripts/fuzz.sh indexes corpus/
 * into one). The first byte of an input picks the options (bit 0: newest
 * first; 1: facets; 2: no highlights; 3: copies as articles; 4-5: passages
 * per article less one; 6-7: articles to skip); the rest is the query.
 * One searcher serves every input, as in a batch.
 *
 * Promised, else a trap: a failed query says why in one line; every span
 * and mention lies in its passage's text; passages come grouped by
 * article, in rank order, no more than asked for.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "passim/dbopen.h"
#include "fuzz.h"
#include "output.h"
#include "search.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static px_shards *shards;
static px_searcher *searcher;
static FILE *devnull;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    const char *db = getenv("PASSIM_FUZZ_DB");
    if (!db || !*db) {
        fputs("fuzz_query: set PASSIM_FUZZ_DB to an index "
              "(scripts/fuzz.sh makes one of corpus/)\n", stderr);
        exit(2);
    }
    if (px_shards_open(&db, 1, 5000, &shards) != PX_OK || !shards->db) {
        fprintf(stderr, "fuzz_query: cannot open %s: %s\n", db,
                shards && shards->shard[0].error ? shards->shard[0].error
                                                 : "out of memory");
        exit(2);
    }
    if (px_searcher_create(shards->db, NULL, &searcher) != PX_OK ||
        !(devnull = fopen("/dev/null", "w"))) {
        fputs("fuzz_query: cannot set up the search\n", stderr);
        exit(2);
    }
    return 0;
}

static void
check_spans(const px_span *spans, size_t n, size_t text_len)
{
    for (size_t i = 0; i < n; i++)
        CHECK(spans[i].start < spans[i].end && spans[i].end <= text_len);
}

static void
check_results(const px_results *r, const px_search_opts *o)
{
    CHECK(r->narticles <= o->limit);
    CHECK(r->nhits <= (size_t)o->limit * o->per_article);
    for (size_t i = 0; i < r->nhits; i++) {
        const px_hit *h = &r->hits[i];
        CHECK(h->path && h->title && h->text);
        CHECK(strlen(h->text) <= h->text_len); /* text may hold NULs */
        check_spans(h->spans, h->nspans, h->text_len);
        check_spans(h->mentions, h->nmentions, h->text_len);
        CHECK(h->article_rank > o->offset &&
              h->article_rank - o->offset <= r->narticles);
        if (i > 0) {
            const px_hit *p = &r->hits[i - 1];
            CHECK(h->article_rank == p->article_rank ||
                  h->article_rank == p->article_rank + 1);
            CHECK(h->article_rank != p->article_rank ||
                  strcmp(h->article, p->article) == 0);
        }
    }
}

static void
print(const px_results *r, const char *query)
{
    px_output_text(devnull, r, 1);
    px_output_facets_text(devnull, r, 1);
    px_output_name_notes(devnull, "passim", r, 1);
    CHECK(px_output_json(devnull, r, query, NULL, 0) == 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    char *query = malloc(size);
    if (!query)
        return 0;
    memcpy(query, data + 1, size - 1);
    query[size - 1] = '\0';
    uint8_t b = data[0];
    px_search_opts o = {.query = query, .limit = 10};
    o.sort_date = b & 1;
    o.facets = b & 2 ? 5 : 0;
    o.bare = (b >> 2) & 1;
    o.all_copies = (b >> 3) & 1;
    o.per_article = 1 + ((b >> 4) & 3);
    o.offset = (b >> 6) & 3;
    px_results *r = NULL;
    char *error = NULL;
    px_status rc = px_searcher_run(searcher, &o, &r, &error);
    if (rc == PX_OK) {
        check_results(r, &o);
        print(r, query);
    } else {
        CHECK(rc == PX_QUERY_SYNTAX || rc == PX_XAPIAN || rc == PX_NOMEM);
        CHECK(rc == PX_NOMEM || (error && *error && !strchr(error, '\n')));
    }
    free(error);
    px_results_free(r);
    free(query);
    return 0;
}
