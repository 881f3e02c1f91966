/*
 * dbopen.c — opening the databases passim searches as one (dbopen.h).
 */
#include "passim/dbopen.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "passim/dbpath.h"
#include "passim/format.h"

/* Stubs may name stubs; a loop of them stops here. */
#define STUB_DEPTH 8

/* ------------------------------------------------------------------ */
/* $PASSIM_DB                                                          */
/* ------------------------------------------------------------------ */

/* Length of the entry at the start of p. */
static size_t
entry_length(const char *p)
{
    if (strncmp(p, "prog:", 5) == 0)
        return strlen(p);
    if (strncmp(p, "tcp://", 6) != 0)
        return strcspn(p, ":");
    const char *host = p + 6;
    if (*host == '[') {
        const char *close = strchr(host, ']');
        host = close ? close : host + strlen(host);
    }
    const char *colon = strchr(host, ':');
    if (!colon)
        return strlen(p);
    return (size_t)(colon + 1 - p) + strcspn(colon + 1, ":");
}

px_status
px_names_split(const char *value, char ***names, size_t *n)
{
    size_t cap = 1;
    for (const char *p = value; *p; p++)
        cap += *p == ':';
    *n = 0;
    *names = calloc(cap, sizeof **names);
    if (!*names)
        return PX_NOMEM;
    for (const char *p = value; *p;) {
        size_t len = entry_length(p);
        if (len > 0) {
            char *name = strndup(p, len);
            if (!name) {
                px_names_free(*names, *n);
                *names = NULL;
                *n = 0;
                return PX_NOMEM;
            }
            (*names)[(*n)++] = name;
        }
        p += len + (p[len] == ':');
    }
    return PX_OK;
}

void
px_names_free(char **names, size_t n)
{
    for (size_t i = 0; names && i < n; i++)
        free(names[i]);
    free(names);
}

/* ------------------------------------------------------------------ */
/* One shard                                                           */
/* ------------------------------------------------------------------ */

/* A new shard named `name` (taken: freed here on failure). */
static px_shard *
shard_add(px_shards *s, char *name, px_shard_kind kind)
{
    px_shard *more = name ? realloc(s->shard, (s->n + 1) * sizeof *more)
                            : NULL;
    if (!more) {
        free(name);
        return NULL;
    }
    s->shard = more;
    px_shard *sh = &s->shard[s->n++];
    memset(sh, 0, sizeof *sh);
    sh->name = name;
    sh->kind = kind;
    return sh;
}

static px_status
fail(px_shard *sh, char *message)
{
    free(sh->error);
    sh->error = message;
    return message ? PX_OK : PX_NOMEM;
}

static px_status
open_local(px_shard *sh)
{
    char *err = NULL;
    xc_status xs = xc_database_open(sh->name, &sh->db, &err);
    /* A writer committing at that moment can discard the revision being
     * opened, or have it read as damaged ("Expected block 4 to be level
     * 1, not 0"): open again, as a reader does for a search (search.c's
     * check()); a real fault fails again and is reported. */
    for (int i = 0; (xs == XC_MODIFIED || xs == XC_CORRUPT) && i < 10; i++) {
        free(err);
        err = NULL;
        xs = xc_database_open(sh->name, &sh->db, &err);
    }
    px_status rc = PX_OK;
    struct stat st;
    if (xs == XC_OK && stat(sh->name, &st) == 0) {
        sh->dev = (unsigned long long)st.st_dev;
        sh->ino = (unsigned long long)st.st_ino;
    }
    if (xs == XC_NOT_FOUND ||
        (xs == XC_OPENING && access(sh->name, F_OK) != 0))
        rc = fail(sh, px_asprintf("no index at %s: run 'passim-index DIR' to "
                                "build one, or name it with --db",
                                sh->name));
    else if (xs != XC_OK)
        rc = fail(sh, px_asprintf("cannot open database %s: %s", sh->name,
                                err ? err : xc_status_to_string(xs)));
    free(err);
    return rc;
}

/* "HOST:PORT" (HOST may be [IPv6]) into host and port; -1 if malformed. */
static int
split_host_port(const char *hp, char *host, size_t size, unsigned *port)
{
    const char *colon = strrchr(hp, ':');
    char *end = NULL;
    unsigned long p = colon ? strtoul(colon + 1, &end, 10) : 0;
    if (!colon || end == colon + 1 || *end || p == 0 || p > 65535)
        return -1;
    size_t len = (size_t)(colon - hp);
    if (len >= 2 && hp[0] == '[' && hp[len - 1] == ']') {
        hp++;
        len -= 2;
    }
    if (len == 0 || len >= size)
        return -1;
    memcpy(host, hp, len);
    host[len] = '\0';
    *port = (unsigned)p;
    return 0;
}

static px_status
open_remote(px_shard *sh, unsigned timeout_ms)
{
    char *err = NULL;
    xc_status xs;
    if (sh->kind == PX_SHARD_TCP) {
        char host[256];
        unsigned port = 0;
        if (split_host_port(sh->name + 6, host, sizeof host, &port) != 0)
            return fail(sh, px_asprintf("%s: give a remote database as "
                                      "tcp://HOST:PORT", sh->name));
        xs = xc_database_open_remote_tcp(host, port, timeout_ms, timeout_ms,
                                         &sh->db, &err);
    } else {
        /* Xapian splits the arguments at spaces, without quoting. */
        char *program = strdup(sh->name + 5);
        if (!program)
            return PX_NOMEM;
        char *space = strchr(program, ' ');
        if (space)
            *space = '\0';
        xs = xc_database_open_remote_prog(program, space ? space + 1 : "",
                                          timeout_ms, &sh->db, &err);
        free(program);
    }
    px_status rc = PX_OK;
    if (xs != XC_OK)
        rc = fail(sh, px_asprintf("cannot reach shard %s: %s", sh->name,
                                err ? err : xc_status_to_string(xs)));
    free(err);
    return rc;
}

/* ------------------------------------------------------------------ */
/* Stub files                                                          */
/* ------------------------------------------------------------------ */

static px_status add_name(px_shards *s, const char *name, int depth,
                          unsigned timeout_ms);

typedef struct stub_ctx {
    px_shards *s;
    const char *stub;
    int depth;
    unsigned timeout_ms;
} stub_ctx;

/* One line of a stub file (dbpath.h reads it): the database it names, or
 * a shard that failed with the line's error. */
static px_status
stub_line(void *ctx, size_t lineno, const char *line, const char *name)
{
    stub_ctx *c = ctx;
    if (name)
        return add_name(c->s, name, c->depth + 1, c->timeout_ms);
    px_shard *sh = shard_add(c->s, px_asprintf("%s:%zu", c->stub, lineno),
                             PX_SHARD_LOCAL);
    if (!sh)
        return PX_NOMEM;
    return fail(sh, px_asprintf("%s:%zu: cannot read '%s': a stub database "
                                "names one database a line, as 'auto PATH', "
                                "'remote HOST:PORT' or 'remote :PROGRAM "
                                "ARGS'", c->stub, lineno, line));
}

static px_status
read_stub(px_shards *s, const char *stub, int depth, unsigned timeout_ms)
{
    stub_ctx c = {s, stub, depth, timeout_ms};
    px_status rc = depth > STUB_DEPTH ? PX_INVALID_ARGUMENT
                   : px_dbpath_stub_read(stub, stub_line, &c);
    if (rc != PX_IO && rc != PX_INVALID_ARGUMENT)
        return rc;
    px_shard *sh = shard_add(s, strdup(stub), PX_SHARD_LOCAL);
    return !sh ? PX_NOMEM
               : fail(sh, px_asprintf("cannot read the stub database %s: %s",
                                      stub, rc == PX_IO ? "unreadable"
                                      : "stubs nest too deep"));
}

static px_status
add_name(px_shards *s, const char *name, int depth, unsigned timeout_ms)
{
    px_shard_kind kind = strncmp(name, "tcp://", 6) == 0 ? PX_SHARD_TCP
                         : strncmp(name, "prog:", 5) == 0 ? PX_SHARD_PROG
                                                          : PX_SHARD_LOCAL;
    char *stub = NULL;
    if (kind == PX_SHARD_LOCAL && px_dbpath_stub_of(name, &stub) != PX_OK)
        return PX_NOMEM;
    if (stub) {
        px_status rc = read_stub(s, stub, depth, timeout_ms);
        free(stub);
        return rc;
    }
    px_shard *sh = shard_add(s, strdup(name), kind);
    if (!sh)
        return PX_NOMEM;
    return kind == PX_SHARD_LOCAL ? open_local(sh)
                                  : open_remote(sh, timeout_ms);
}

/* ------------------------------------------------------------------ */
/* The group                                                           */
/* ------------------------------------------------------------------ */

/* (Re)build s->db from the open shards. */
static px_status
regroup(px_shards *s)
{
    xc_database_close(s->db);
    s->db = NULL;
    s->remote = 0;
    s->generation++;
    size_t open = s->n - px_shards_failed(s);
    if (open == 0)
        return PX_OK;
    if (xc_database_create_group(&s->db, NULL) != XC_OK)
        return PX_NOMEM;
    for (size_t i = 0; i < s->n; i++) {
        px_shard *sh = &s->shard[i];
        if (!sh->db)
            continue;
        if (xc_database_add(s->db, sh->db) != XC_OK) {
            px_status rc = fail(sh, px_asprintf("cannot add shard %s: %s",
                                              sh->name,
                                              xc_database_last_error(s->db)));
            xc_database_close(sh->db);
            sh->db = NULL;
            if (rc != PX_OK)
                return rc;
            continue;
        }
        s->remote |= sh->kind != PX_SHARD_LOCAL;
    }
    return PX_OK;
}

px_status
px_shards_open(const char *const *names, size_t n, unsigned timeout_ms,
               px_shards **out)
{
    px_shards *s = calloc(1, sizeof *s);
    px_status rc = s ? PX_OK : PX_NOMEM;
    if (s)
        s->timeout_ms = timeout_ms;
    for (size_t i = 0; i < n && rc == PX_OK; i++)
        rc = add_name(s, names[i], 0, timeout_ms);
    if (rc == PX_OK)
        rc = regroup(s);
    if (rc != PX_OK) {
        px_shards_close(s);
        s = NULL;
    }
    *out = s;
    return rc;
}

size_t
px_shards_failed(const px_shards *s)
{
    size_t failed = 0;
    for (size_t i = 0; i < s->n; i++)
        failed += s->shard[i].db == NULL;
    return failed;
}

size_t
px_shards_probe(px_shards *s)
{
    size_t failed = 0;
    /* The failed match may have left the other connections in the middle
     * of an exchange, so every shard is opened afresh: one that cannot be
     * is the one that failed. */
    xc_database_close(s->db);
    s->db = NULL;
    for (size_t i = 0; i < s->n; i++) {
        px_shard *sh = &s->shard[i];
        if (!sh->db)
            continue;
        xc_database_close(sh->db);
        sh->db = NULL;
        px_status rc = sh->kind == PX_SHARD_LOCAL
                           ? open_local(sh)
                           : open_remote(sh, s->timeout_ms);
        /* A server may let one connect and still fail every request:
         * ask it one round trip. */
        if (rc == PX_OK && sh->db && xc_database_reopen(sh->db) != XC_OK) {
            fail(sh, px_asprintf("shard %s stopped answering: %s", sh->name,
                               xc_database_last_error(sh->db)));
            xc_database_close(sh->db);
            sh->db = NULL;
        }
        if (rc != PX_OK && !sh->error)
            fail(sh, px_asprintf("shard %s failed", sh->name));
        failed += sh->db == NULL;
    }
    if (regroup(s) != PX_OK)
        failed = s->n;
    return failed;
}

/* Is the local shard's folder still the one opened? */
static int
same_folder(const px_shard *sh)
{
    struct stat st;
    return stat(sh->name, &st) == 0 &&
           (unsigned long long)st.st_dev == sh->dev &&
           (unsigned long long)st.st_ino == sh->ino;
}

size_t
px_shards_refresh(px_shards *s)
{
    size_t changed = 0;
    for (size_t i = 0; i < s->n; i++) {
        px_shard *sh = &s->shard[i];
        struct stat st;
        if (sh->kind != PX_SHARD_LOCAL || (sh->db && same_folder(sh)))
            continue;
        /* A failed one is tried again once its folder is back. */
        if (!sh->db && (stat(sh->name, &st) != 0 || !sh->error))
            continue;
        xc_database_close(sh->db);
        sh->db = NULL;
        free(sh->error);
        sh->error = NULL;
        if (open_local(sh) != PX_OK || (!sh->db && !sh->error))
            fail(sh, px_asprintf("cannot open database %s", sh->name));
        changed++;
    }
    if (changed && regroup(s) != PX_OK)
        return s->n;
    int newer = 1; /* a failure: the search says, and nothing is kept */
    if (!changed && s->db &&
        (xc_database_reopen_changed(s->db, &newer) != XC_OK || newer))
        s->generation++;
    return changed;
}

void
px_shards_close(px_shards *s)
{
    if (!s)
        return;
    xc_database_close(s->db);
    for (size_t i = 0; i < s->n; i++) {
        xc_database_close(s->shard[i].db);
        free(s->shard[i].name);
        free(s->shard[i].error);
    }
    free(s->shard);
    free(s);
}
