/*
 * api.h — the JSON API of passim serve, answered on a worker thread:
 * /api/search, /api/histogram, /api/article/ID (passim-serve(1)).
 *
 * Each worker thread searches with an index of its own (a px_index is
 * used by one thread at a time, passim.h), taken from a pool that opens
 * one when none is free, so that no request waits for another's.
 */
#ifndef PASSIM_QUERY_API_H
#define PASSIM_QUERY_API_H

#include <stddef.h>

#include "passim.h"

typedef struct api_pool api_pool;

/* A pool over the databases names[0, n) (borrowed; they must outlive
 * it), opened with `opts`. NULL when out of memory. */
api_pool *api_pool_create(const char *const *names, size_t n,
                          const px_index_opts *opts);
void api_pool_free(api_pool *p);

/* Open one index now, to say at start whether the databases open: PX_OK,
 * or the failure with *error (caller owns). */
px_status api_pool_check(api_pool *p, char **error);

typedef struct api_response {
    int status;         /* HTTP status */
    char *body;         /* JSON (owned; free with free()) */
    size_t len;
} api_response;

/* An error answer: {"error": message, "status": status}. */
void api_error(int status, const char *message, api_response *out);

/* Answer GET `path` ("/api/...", no query) with `query` (the part after
 * '?', or ""), on any thread. */
void api_handle(api_pool *p, const char *path, const char *query,
                api_response *out);

/* The page's first search for the page URL's `query` (the part after
 * '?'), as query/page.html would ask it: *out is {"params", "answer"}
 * (px_output_json_initial) with status 200, or status 0 and no body when
 * the URL asks no search or the search gives no answer to embed (the
 * page then asks /api/search itself, and shows its error). */
void api_initial(api_pool *p, const char *query, api_response *out);

#endif
