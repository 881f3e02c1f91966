/*
 * output.h — printing results: text for people, JSON for programs.
 */
#ifndef PASSIM_QUERY_OUTPUT_H
#define PASSIM_QUERY_OUTPUT_H

#include <stdio.h>

#include "passim.h"

/* Text: one block per article (rank, title, path), then its passages with
 * the query's words highlighted when `color` is set (ANSI escapes). */
void px_output_text(FILE *out, const px_results *r, int color);

/* The facets, when the results have them: per type, values with the
 * number of matching articles, and whether the counts are estimated. */
void px_output_facets_text(FILE *out, const px_results *r, int color);

/* Notes for people on how the query was read and what the filters
 * matched (on stderr): bytes of the query that were not UTF-8; a name
 * filter that matched no name ("no person named ...; did you mean ..."),
 * how many articles a published: filter matched by their file's time;
 * and with `all` a name value taken for a longer name or an ambiguous one. */
void px_output_name_notes(FILE *out, const char *prog,
                          const px_results *r, int all);

/* Notes on failed databases for the JSON document: n warnings, and the
 * n databases they are about. */
typedef struct px_json_notes {
    const char *const *warnings;
    const char *const *failed;
    size_t n;
} px_json_notes;

/* One JSON document: query, estimated total, hits, facets; with `notes`
 * (may be NULL: no such keys) "warnings" and "shards_failed" too; with
 * `months` (the request asked px_request.months) "months", as
 * px_output_json_months has it. Returns non-zero when it could not be
 * built (out of memory) or written. */
int px_output_json(FILE *out, const px_results *r, const char *query,
                   const px_json_notes *notes, int months);

/* px_output_json with the results' failed databases as its notes. */
int px_output_json_results(FILE *out, const px_results *r,
                           const char *query, int months);

/* The answer passim serve puts in its page for the page's first search:
 * {"params": [[key, value], ...] (the API request it answers, keys[i] =
 * values[i], n of them), "answer": px_output_json_results with months}. */
int px_output_json_initial(FILE *out, const px_results *r, const char *query,
                           const char *const *keys,
                           const char *const *values, size_t n);

/* The matching articles by published month (px_facets.months): {"query",
 * "articles", "exact", "months": [{"value": "YYYY-MM", "count"}]}. */
int px_output_json_months(FILE *out, const px_results *r, const char *query);

/* One article and its passages with their entities (px_article_get). */
int px_output_json_article(FILE *out, const px_article_view *a);

/* {"error": message, "status": status}. */
int px_output_json_error(FILE *out, const char *message, int status);

#endif
