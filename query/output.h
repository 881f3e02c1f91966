/*
 * output.h — printing results: text for people, JSON for programs.
 */
#ifndef PASSIM_QUERY_OUTPUT_H
#define PASSIM_QUERY_OUTPUT_H

#include <jansson.h>
#include <stdio.h>

#include "search.h"

/* Text: one block per article (rank, title, path), then its passages with
 * the query's words highlighted when `color` is set (ANSI escapes). */
void px_output_text(FILE *out, const px_results_t *r, int color);

/* The facets, when the results have them: per type, values with the
 * number of matching articles, and whether the counts are estimated. */
void px_output_facets_text(FILE *out, const px_results_t *r, int color);

/* One JSON document: query, estimated total, hits. Returns non-zero when
 * it could not be built (out of memory). */
int px_output_json(FILE *out, const px_results_t *r, const char *query);

/* The same document as a jansson value, for callers that add to it.
 * Caller owns it; NULL when out of memory. */
json_t *px_results_json(const px_results_t *r, const char *query);

/* Print doc (NULL: fail) and release it. Non-zero on failure. */
int px_output_json_doc(FILE *out, json_t *doc);

#endif
