/*
 * http.h — reading HTTP/1.1 requests, behind an interface of our own so
 * that the parser (http-parser 2.9 today, llhttp later) can change.
 *
 * Only what the server needs is kept: the method, the request target and
 * the Host header; bodies are read and dropped. Limits are checked as the
 * bytes come, so an oversized request costs no more than its limit.
 */
#ifndef PASSIM_QUERY_HTTP_H
#define PASSIM_QUERY_HTTP_H

#include <stddef.h>

#define HTTP_MAX_TARGET 8192   /* request line's target: else 414 */
#define HTTP_MAX_HEADERS 16384 /* all header bytes: else 431 */

typedef enum http_state {
    HTTP_MORE,        /* all of `data` taken; the request is not done */
    HTTP_DONE,        /* a request is complete (*used bytes taken) */
    HTTP_BAD,         /* not HTTP: 400 */
    HTTP_TOO_LONG,    /* target over HTTP_MAX_TARGET: 414 */
    HTTP_TOO_LARGE    /* headers over HTTP_MAX_HEADERS: 431 */
} http_state;

typedef struct http_request {
    const char *method; /* "GET", "HEAD", ... (static) */
    const char *target; /* as sent: path and query, NUL-terminated */
    const char *host;   /* the Host header, or NULL */
    int keep_alive;
} http_request;

typedef struct http_reader http_reader;

/* NULL when out of memory. */
http_reader *http_reader_create(void);

/* Feed bytes; on HTTP_DONE, *used says how many were taken (the rest
 * belongs to the next request) and the request is readable until
 * http_reader_reset(). */
http_state http_reader_feed(http_reader *r, const char *data, size_t len,
                            size_t *used);

/* The request just completed (borrowed, valid until reset). */
const http_request *http_reader_request(const http_reader *r);

/* Ready for the next request on the same connection. */
void http_reader_reset(http_reader *r);

void http_reader_free(http_reader *r);

#endif
