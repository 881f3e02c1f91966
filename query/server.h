/*
 * server.h — passim serve's HTTP server on a libuv loop.
 *
 * Connections are read on the loop's thread; a request for the API runs
 * on libuv's thread pool (api.h), so a slow search never holds up the
 * others; the page is answered from memory. Every response carries the
 * security headers of passim-serve(1), and only GET and HEAD are taken.
 */
#ifndef PASSIM_QUERY_SERVER_H
#define PASSIM_QUERY_SERVER_H

#include "api.h"

typedef struct server_opts {
    const char *bind;      /* address to listen on */
    int port;              /* -1: 8080 or the next free one; 0: any */
    unsigned idle_ms;      /* close a connection idle this long */
    unsigned max_conns;    /* at most this many connections at once */
    int quiet;
} server_opts;

/* Serve until SIGINT or SIGTERM; the exit status (0 after a clean stop,
 * 2 when it could not listen: said on stderr). */
int server_run(const server_opts *o, api_pool *pool);

#endif
