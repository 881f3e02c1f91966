/*
 * index.c — libpassim's index and search (passim.h) over the shards
 * (dbopen.h) and the searcher (search.h).
 *
 * An index keeps its shards and one searcher, made again only when the
 * ranking levers or the group of open shards change, so that a batch of
 * requests shares the parsers and the stemmer. A search that fails
 * because a shard stopped answering probes the shards: those that fail
 * are left out and, when the caller allows partial results and some
 * still work, the search runs again on those.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "passim.h"
#include "passim/dbopen.h"
#include "index.h"
#include "passim/dbpath.h"
#include "passim/format.h"
#include "search.h"

struct px_index {
    px_shards *sh;
    char **names; /* as opened */
    size_t nnames;
    px_index_opts opts;
    px_searcher *searcher; /* on searcher_db, ranking by levers */
    xc_database *searcher_db;
    char *levers;            /* the searcher's ("" for the defaults) */
    unsigned long searches;  /* run so far */
    unsigned long generation; /* the shards' when the searcher was made */
};

/* The names to open when the caller gives none: $PASSIM_DB split at
 * colons, else the default database. */
static px_status
default_names(char ***names, size_t *n)
{
    const char *env = getenv("PASSIM_DB");
    px_status rc = PX_OK;
    *names = NULL;
    *n = 0;
    if (env && *env)
        rc = px_names_split(env, names, n);
    if (rc != PX_OK || *n > 0)
        return rc;
    char *path = NULL;
    free(*names);
    *names = malloc(sizeof **names);
    if (!*names)
        return PX_NOMEM;
    rc = px_dbpath_resolve(NULL, &path);
    if (rc != PX_OK)
        return rc;
    (*names)[(*n)++] = path;
    return PX_OK;
}

static px_status
copy_names(const char *const *names, size_t n, char ***out, size_t *nout)
{
    *out = calloc(n + 1, sizeof **out);
    *nout = 0;
    if (!*out)
        return PX_NOMEM;
    for (size_t i = 0; i < n; i++) {
        if (!((*out)[i] = strdup(names[i])))
            return PX_NOMEM;
        (*nout)++;
    }
    return PX_OK;
}

px_status
px_index_open(const char *const *names, size_t n, const px_index_opts *opts,
              px_index **out, char **error)
{
    *out = NULL;
    if (error)
        *error = NULL;
    px_index *ix = calloc(1, sizeof *ix);
    if (!ix)
        return PX_NOMEM;
    if (opts)
        ix->opts = *opts;
    if (ix->opts.timeout_ms == 0)
        ix->opts.timeout_ms = 5000;
    px_status rc = n > 0 ? copy_names(names, n, &ix->names, &ix->nnames)
                         : default_names(&ix->names, &ix->nnames);
    if (rc == PX_OK)
        rc = px_shards_open((const char *const *)ix->names, ix->nnames,
                            ix->opts.timeout_ms, &ix->sh);
    if (rc != PX_OK) {
        if (error)
            *error = px_asprintf("%s", rc == PX_NOT_FOUND
                                           ? "no database given and HOME is "
                                             "not set"
                                           : px_status_to_string(rc));
        px_index_close(ix);
        return rc;
    }
    *out = ix;
    return PX_OK;
}

void
px_index_close(px_index *ix)
{
    if (!ix)
        return;
    px_searcher_destroy(ix->searcher);
    free(ix->levers);
    px_shards_close(ix->sh);
    px_names_free(ix->names, ix->nnames);
    free(ix);
}

size_t
px_index_shards(const px_index *ix)
{
    return ix && ix->sh ? ix->sh->n : 0;
}

int
px_index_shard(const px_index *ix, size_t i, const char **name,
               const char **why)
{
    if (i >= px_index_shards(ix))
        return 0;
    *name = ix->sh->shard[i].name;
    *why = ix->sh->shard[i].error;
    return 1;
}

int
px_index_remote(const px_index *ix)
{
    return ix && ix->sh && ix->sh->remote;
}

/* Ranking levers "KEY=VALUE,..." applied to r; the first bad one in
 * *error. */
static px_status
apply_levers(const char *s, px_rank_opts *r, char **error)
{
    char key[32];
    const char *p = s ? s : "";
    while (*p) {
        size_t n = strcspn(p, "=,");
        char *end = NULL;
        double v = 0;
        if (p[n] == '=' && n < sizeof key) {
            memcpy(key, p, n);
            key[n] = '\0';
            v = strtod(p + n + 1, &end);
        }
        if (!end || end == p + n + 1 || (*end && *end != ',') ||
            px_rank_set(r, key, v) != 0) {
            if (error)
                *error = px_asprintf("cannot use '%s': give KEY=VALUE "
                                     "pairs, keys as passim(1) lists them",
                                     p);
            return PX_INVALID_ARGUMENT;
        }
        p = *end ? end + 1 : end;
    }
    return PX_OK;
}

px_status
px_rank_check(const char *levers, char **error)
{
    px_rank_opts r;
    px_rank_defaults(&r);
    if (error)
        *error = NULL;
    return apply_levers(levers, &r, error);
}

/* The searcher for `levers` on the open shards, made when it changed. */
static px_status
searcher_for(px_index *ix, const char *levers, char **error)
{
    const char *want = levers ? levers : "";
    if (ix->searcher && ix->searcher_db == ix->sh->db &&
        strcmp(ix->levers, want) == 0) {
        if (ix->generation != ix->sh->generation)
            px_searcher_forget(ix->searcher); /* a writer committed */
        ix->generation = ix->sh->generation;
        return PX_OK;
    }
    px_searcher_destroy(ix->searcher);
    ix->searcher = NULL;
    free(ix->levers);
    ix->levers = strdup(want);
    if (!ix->levers)
        return PX_NOMEM;
    px_rank_opts r;
    px_rank_defaults(&r);
    px_status rc = apply_levers(want, &r, error);
    if (rc == PX_OK)
        rc = px_searcher_create(ix->sh->db, &r, &ix->searcher);
    ix->searcher_db = rc == PX_OK ? ix->sh->db : NULL;
    ix->generation = ix->sh->generation;
    return rc;
}

static const char *const filter_fields[] = {
    "person", "place", "org", "misc", "name", "entity", "author", "date",
    "published",
};

static int
known_field(const char *f)
{
    for (size_t i = 0; i < sizeof filter_fields / sizeof *filter_fields; i++)
        if (f && strcmp(f, filter_fields[i]) == 0)
            return 1;
    return 0;
}

/* The query text with the request's filters written after it in the
 * query syntax: caller frees. */
static px_status
query_text(const px_request *req, char **out, char **error)
{
    size_t len = strlen(req->query ? req->query : "") + 1;
    for (size_t i = 0; i < req->nfilters; i++) {
        const px_filter *f = &req->filters[i];
        if (!known_field(f->field) || !f->value || strchr(f->value, '"')) {
            *error = px_asprintf("filter %s: %s", f->field ? f->field : "?",
                                 known_field(f->field)
                                     ? "give a value without '\"'"
                                     : "no such field");
            return PX_INVALID_ARGUMENT;
        }
        len += strlen(f->field) + strlen(f->value) + 6;
    }
    char *q = malloc(len), *p = q;
    if (!q)
        return PX_NOMEM;
    p += sprintf(p, "%s", req->query ? req->query : "");
    for (size_t i = 0; i < req->nfilters; i++) {
        const px_filter *f = &req->filters[i];
        p += sprintf(p, "%s%s%s:\"%s\"", p > q ? " " : "",
                     f->negated ? "-" : "", f->field, f->value);
    }
    *out = q;
    return PX_OK;
}

/* The open shards' own handles, whose catalogs find copies (dupes.h). */
static xc_database **
catalogs_of(const px_shards *sh, size_t *n)
{
    xc_database **dbs = calloc(sh->n + 1, sizeof *dbs);
    *n = 0;
    for (size_t i = 0; dbs && i < sh->n; i++)
        if (sh->shard[i].db)
            dbs[(*n)++] = sh->shard[i].db;
    return dbs;
}

/* Whether the shards that work may be searched: none failed, or partial
 * results are allowed and one works. Else *error says why not. */
static int
searchable(const px_index *ix, char **error)
{
    size_t failed = px_shards_failed(ix->sh), n = ix->sh->n;
    if (failed == 0 || (ix->opts.allow_partial && failed < n))
        return 1;
    for (size_t i = 0; i < n; i++) {
        const char *why = ix->sh->shard[i].error;
        if (why && error && !*error)
            *error = n > 1 ? px_asprintf("%zu of %zu databases failed: %s",
                                         failed, n, why)
                           : px_asprintf("%s", why);
    }
    return 0;
}

/* The failed shards, into the results. */
static px_status
note_failed(const px_index *ix, px_results *r)
{
    size_t failed = px_shards_failed(ix->sh);
    if (failed == 0)
        return PX_OK;
    r->failed = calloc(failed, sizeof *r->failed);
    if (!r->failed)
        return PX_NOMEM;
    for (size_t i = 0; i < ix->sh->n; i++) {
        const px_shard *s = &ix->sh->shard[i];
        if (!s->error)
            continue;
        px_shard_failure *f = &r->failed[r->nfailed++];
        f->name = strdup(s->name);
        f->why = strdup(s->error);
        if (!f->name || !f->why)
            return PX_NOMEM;
    }
    return PX_OK;
}

/* One search on the shards that work; *again when a shard failed in it
 * and the others may be searched instead. */
static px_status
search_once(px_index *ix, const px_request *req, const char *query,
            px_results **out, char **error, int *again)
{
    px_search_opts o = {
        .query = query, .limit = req->limit ? req->limit : 10,
        .offset = req->offset,
        .per_article = req->per_article ? req->per_article : 2,
        .facets = req->facets, .months = req->months, .bare = req->bare,
        .remote = ix->sh->remote,
        .sort_date = req->sort_date, .all_copies = req->all_copies,
    };
    *again = 0;
    xc_database **catalogs = catalogs_of(ix->sh, &o.ncatalogs);
    o.catalogs = catalogs;
    px_status rc = catalogs ? searcher_for(ix, req->rank, error) : PX_NOMEM;
    if (rc == PX_OK)
        rc = px_searcher_run(ix->searcher, &o, out, error);
    free(catalogs);
    if (rc != PX_XAPIAN || px_shards_probe(ix->sh) == 0)
        return rc;
    /* The shards were regrouped: a new group handle, a new searcher (the
     * old handle's address may be the new one's). */
    px_searcher_destroy(ix->searcher);
    ix->searcher = NULL;
    if (px_shards_failed(ix->sh) < ix->sh->n && ix->opts.allow_partial) {
        free(*error);
        *error = NULL;
        *again = 1;
    } else {
        /* Say which database failed, not what the search met. */
        free(*error);
        *error = NULL;
        searchable(ix, error);
    }
    return rc;
}

px_status
px_search(px_index *ix, const px_request *req, px_results **out,
          char **error)
{
    char *query = NULL, *ignored = NULL;
    *out = NULL;
    if (!error)
        error = &ignored;
    *error = NULL;
    px_status rc = query_text(req, &query, error);
    int again = 1;
    /* A long-lived index sees what writers committed since its last
     * search, and a database removed or replaced since (dbopen.h). A
     * first search needs none: the shards were just opened. */
    if (rc == PX_OK && ix->searches++ > 0 && px_shards_refresh(ix->sh)) {
        /* Shards opened afresh: a new group, a new searcher. */
        px_searcher_destroy(ix->searcher);
        ix->searcher = NULL;
    }
    while (rc == PX_OK && again) {
        if (!searchable(ix, error)) {
            rc = PX_XAPIAN;
            break;
        }
        rc = search_once(ix, req, query, out, error, &again);
        if (again) { /* on the shards that are left */
            px_results_free(*out);
            *out = NULL;
            rc = PX_OK;
        }
    }
    if (rc == PX_OK)
        rc = note_failed(ix, *out);
    if (rc != PX_OK) {
        px_results_free(*out);
        *out = NULL;
    }
    free(query);
    free(ignored);
    return rc;
}

px_status
px_index_group(px_index *ix, xc_database **db)
{
    *db = ix && ix->sh ? ix->sh->db : NULL;
    return *db ? PX_OK : PX_XAPIAN;
}
