/*
 * serve.c — `passim serve`: options, then the server (serve.h).
 */
#include "serve.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "server.h"

#define PROG "passim"

static void
usage(FILE *out)
{
    fputs("Usage: " PROG " serve [OPTION]...\n"
          "Serve a search page and its JSON API over the index, on\n"
          "http://127.0.0.1:8080/ (or the next free port).\n"
          "\n"
          "  -d, --db PATH          a database (repeatable; default: $PASSIM_DB,\n"
          "                         else ${XDG_DATA_HOME:-~/.local/share}/passim/index)\n"
          "      --bind ADDR        listen on ADDR (default 127.0.0.1); any other\n"
          "                         than loopback lets whoever reaches it read\n"
          "                         the whole index\n"
          "      --port N           listen on port N (0: any free one; default\n"
          "                         8080 or the next free one)\n"
          "      --allow-partial    answer from the databases that work when\n"
          "                         others fail (else 503)\n"
          "      --idle-timeout MS  close a connection idle, or slow to send its\n"
          "                         request, for MS (default 10000)\n"
          "      --max-connections N  at most N connections at once (default 256)\n"
          "  -q, --quiet            no messages but errors\n"
          "  -h, --help             show this help and exit\n"
          "See passim-serve(1).\n", out);
}

static int
number(const char *opt, const char *s, unsigned long min, unsigned long max,
       unsigned long *out)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (!*s || *s == '-' || *end || errno || v < min || v > max) {
        fprintf(stderr, PROG " serve: %s: '%s' is not a number from %lu to "
                "%lu\n", opt, s, min, max);
        return -1;
    }
    *out = v;
    return 0;
}

typedef struct options {
    const char **db;
    size_t ndb;
    server_opts server;
    px_index_opts index;
} options;

/* 0: serve; otherwise the exit status. */
static int
parse(int argc, char **argv, options *o)
{
    static const struct option longs[] = {
        {"db", required_argument, NULL, 'd'},
        {"bind", required_argument, NULL, 'b'},
        {"port", required_argument, NULL, 'p'},
        {"allow-partial", no_argument, NULL, 'a'},
        {"idle-timeout", required_argument, NULL, 'i'},
        {"max-connections", required_argument, NULL, 'm'},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    unsigned long v;
    int c;
    o->db = calloc((size_t)argc + 1, sizeof *o->db);
    if (!o->db)
        return 2;
    while ((c = getopt_long(argc, argv, "d:qh", longs, NULL)) != -1) {
        switch (c) {
        case 'd': o->db[o->ndb++] = optarg; break;
        case 'b': o->server.bind = optarg; break;
        case 'p':
            if (number("--port", optarg, 0, 65535, &v) != 0)
                return 2;
            o->server.port = (int)v;
            break;
        case 'a': o->index.allow_partial = 1; break;
        case 'i':
            if (number("--idle-timeout", optarg, 100, 3600000, &v) != 0)
                return 2;
            o->server.idle_ms = (unsigned)v;
            break;
        case 'm':
            if (number("--max-connections", optarg, 1, 100000, &v) != 0)
                return 2;
            o->server.max_conns = (unsigned)v;
            break;
        case 'q': o->server.quiet = 1; break;
        case 'h': usage(stdout); return 1;
        default:
            fputs("Try '" PROG " serve --help' for more information.\n",
                  stderr);
            return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, PROG " serve: '%s': serve takes no query\n",
                argv[optind]);
        return 2;
    }
    return 0;
}

int
px_serve_main(int argc, char **argv)
{
    options o = {.server = {"127.0.0.1", -1, 10000, 256, 0}};
    int status = parse(argc, argv, &o);
    if (status != 0) {
        free(o.db);
        return status == 1 ? 0 : status;
    }
    api_pool *pool = api_pool_create(o.db, o.ndb, &o.index);
    if (!pool) {
        fputs(PROG ": out of memory\n", stderr);
        free(o.db);
        return 2;
    }
    char *err = NULL;
    px_status rc = api_pool_check(pool, &err);
    if (rc == PX_NOT_FOUND) {
        fputs(PROG ": no database given and HOME is not set: use --db\n",
              stderr);
        status = 2;
    } else if (rc != PX_OK) {
        /* Served anyway: searches say 503 until the database is there. */
        fprintf(stderr, PROG ": warning: %s\n",
                err ? err : px_status_to_string(rc));
    }
    free(err);
    if (status == 0)
        status = server_run(&o.server, pool);
    api_pool_free(pool);
    free(o.db);
    return status;
}
