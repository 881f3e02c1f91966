/*
 * writer.c — the one writer (writer.h).
 */
#include "writer.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "passim/catalog.h"
#include "passim/dbpath.h"
#include "passim/format.h"
#include "passim/schema.h"

struct px_writer {
    xc_database *db;
    px_catalog_t *cat;
    xc_termgen *tg; /* for px_writer_update, on the writer's thread */
    px_writer_opts opts;
    int in_txn;
    size_t batch_files;
    uint64_t batch_bytes;
    px_writer_stats stats;
};

/* Create a new database at `path` all at once: built in a sibling folder
 * and renamed into place, so that a SIGKILL while Xapian creates its files
 * leaves no half-made database that the next run cannot open. */
static px_status
create_database(const char *path, char **error)
{
    char *tmp = px_format("%s.creating-%ld", path, (long)getpid());
    xc_database *db = NULL;
    char *xerr = NULL;
    if (!tmp)
        return PX_NOMEM;
    xc_status xs = xc_database_open_writable(tmp, &db, &xerr);
    if (xs == XC_OK)
        xs = xc_database_set_metadata(db, PX_META_SCHEMA,
                                      strlen(PX_META_SCHEMA),
                                      PX_SCHEMA_VERSION,
                                      strlen(PX_SCHEMA_VERSION));
    if (xs == XC_OK)
        xs = xc_database_commit(db);
    xc_database_close(db);
    px_status rc = PX_OK;
    if (xs != XC_OK) {
        *error = px_format("cannot create database %s: %s", path,
                           xerr ? xerr : xc_status_to_string(xs));
        rc = PX_XAPIAN;
    } else if (rename(tmp, path) != 0 && errno != EEXIST &&
               errno != ENOTEMPTY) {
        *error = px_format("cannot create database %s: %s", path,
                           strerror(errno));
        rc = PX_IO;
    }
    free(xerr);
    free(tmp);
    return rc;
}

static px_status
open_database(const char *path, xc_database **db, char **error)
{
    char *xerr = NULL;
    if (px_dbpath_make_parent(path) != PX_OK) {
        *error = px_format("cannot create the folder of database %s: %s",
                           path, strerror(errno));
        return PX_IO;
    }
    struct stat st;
    if (stat(path, &st) != 0 && errno == ENOENT) {
        px_status rc = create_database(path, error);
        if (rc != PX_OK)
            return rc;
    }
    xc_status xs = xc_database_open_writable(path, db, &xerr);
    px_status rc = PX_OK;
    if (xs == XC_LOCKED) {
        *error = px_format("database %s is locked by another indexer "
                           "(is passim-index already running on it?)", path);
        rc = PX_LOCKED;
    } else if (xs != XC_OK) {
        *error = px_format("cannot open database %s: %s", path,
                           xerr ? xerr : xc_status_to_string(xs));
        rc = PX_XAPIAN;
    }
    free(xerr);
    return rc;
}

static px_status
check_schema(xc_database *db, const char *path, char **error)
{
    char *v = NULL;
    size_t len = 0;
    if (xc_database_get_metadata(db, PX_META_SCHEMA, strlen(PX_META_SCHEMA),
                                 &v, &len) != XC_OK) {
        *error = px_format("cannot read database %s: %s", path,
                        xc_database_last_error(db));
        return PX_XAPIAN;
    }
    px_status rc = PX_OK;
    if (!v) {
        if (xc_database_set_metadata(db, PX_META_SCHEMA, strlen(PX_META_SCHEMA),
                                     PX_SCHEMA_VERSION,
                                     strlen(PX_SCHEMA_VERSION)) != XC_OK)
            rc = PX_XAPIAN;
    } else if (strcmp(v, PX_SCHEMA_VERSION) != 0) {
        *error = px_format("database %s has schema %s, this passim writes %s: "
                        "index into a new database", path, v,
                        PX_SCHEMA_VERSION);
        rc = PX_INVALID_ARGUMENT;
    }
    free(v);
    return rc;
}

px_status
px_writer_open(const char *path, const px_writer_opts *opts,
               px_writer_t **out, char **error)
{
    *out = NULL;
    *error = NULL;
    px_writer_t *w = calloc(1, sizeof *w);
    if (!w)
        return PX_NOMEM;
    w->opts = *opts;
    px_status rc = open_database(path, &w->db, error);
    if (rc == PX_OK)
        rc = check_schema(w->db, path, error);
    if (rc == PX_OK)
        rc = px_catalog_load(w->db, &w->cat);
    if (rc == PX_OK)
        rc = px_schema_termgen(&w->tg);
    if (rc != PX_OK) {
        if (!*error)
            *error = px_format("cannot open database %s: %s", path,
                            px_status_to_string(rc));
        px_catalog_destroy(w->cat);
        xc_termgen_destroy(w->tg);
        xc_database_close(w->db);
        free(w);
        return rc;
    }
    *out = w;
    return PX_OK;
}

static px_status
begin_batch(px_writer_t *w)
{
    if (w->in_txn)
        return PX_OK;
    if (xc_database_begin_transaction(w->db, 1) != XC_OK)
        return PX_XAPIAN;
    w->in_txn = 1;
    return PX_OK;
}

static px_status
note_commit_time(px_writer_t *w)
{
    char stamp[32];
    snprintf(stamp, sizeof stamp, "%lld", (long long)time(NULL));
    return xc_database_set_metadata(w->db, PX_META_LAST_COMMIT,
                                    strlen(PX_META_LAST_COMMIT), stamp,
                                    strlen(stamp)) == XC_OK
               ? PX_OK : PX_XAPIAN;
}

px_status
px_writer_commit(px_writer_t *w)
{
    if (!w->in_txn)
        return PX_OK;
    px_status rc = note_commit_time(w);
    if (rc == PX_OK && xc_database_commit_transaction(w->db) != XC_OK)
        rc = PX_XAPIAN;
    w->in_txn = 0;
    w->batch_files = 0;
    w->batch_bytes = 0;
    if (rc == PX_OK)
        w->stats.commits++;
    return rc;
}

/* Count one changed file into the batch; commit when it is full. */
static px_status
batch_add(px_writer_t *w, uint64_t bytes)
{
    w->batch_files++;
    w->batch_bytes += bytes;
    if (w->batch_files >= w->opts.batch_files ||
        w->batch_bytes >= w->opts.batch_bytes)
        return px_writer_commit(w);
    return PX_OK;
}

static px_status
delete_passages(px_writer_t *w, const char *path)
{
    char id[PX_ARTICLE_ID_SIZE];
    char term[sizeof PX_PREFIX_ARTICLE + PX_ARTICLE_ID_SIZE];
    px_article_id(path, id);
    snprintf(term, sizeof term, "%s%s", PX_PREFIX_ARTICLE, id);
    return xc_database_delete_documents_by_term(w->db, term, strlen(term))
                   == XC_OK ? PX_OK : PX_XAPIAN;
}

px_status
px_writer_remove(px_writer_t *w, const char *path)
{
    px_status rc = begin_batch(w);
    if (rc == PX_OK)
        rc = delete_passages(w, path);
    if (rc == PX_OK)
        rc = px_catalog_remove(w->cat, w->db, path);
    if (rc == PX_OK)
        rc = batch_add(w, 0);
    return rc;
}

const char *
px_writer_last_error(const px_writer_t *w)
{
    return xc_database_last_error(w->db);
}

void
px_writer_get_stats(const px_writer_t *w, px_writer_stats *stats)
{
    *stats = w->stats;
}

px_status
px_writer_close(px_writer_t *w)
{
    if (!w)
        return PX_OK;
    px_status rc = px_writer_commit(w);
    if (rc == PX_OK && xc_database_commit(w->db) != XC_OK)
        rc = PX_XAPIAN;
    px_catalog_destroy(w->cat);
    xc_termgen_destroy(w->tg);
    xc_database_close(w->db);
    free(w);
    return rc;
}

static void
info_from_stat(const struct stat *st, uint64_t hash, uint32_t passages,
               px_file_info_t *info)
{
    info->size = (uint64_t)st->st_size;
    info->mtime_ns = (int64_t)st->st_mtim.tv_sec * 1000000000 +
                     st->st_mtim.tv_nsec;
    info->inode = (uint64_t)st->st_ino;
    info->hash = hash;
    info->passages = passages;
}

static int
same_stat(const px_file_info_t *info, const struct stat *st)
{
    px_file_info_t now;
    info_from_stat(st, 0, 0, &now);
    return info->size == now.size && info->mtime_ns == now.mtime_ns &&
           info->inode == now.inode;
}

px_status
px_writer_plan(px_writer_t *w, const char *path, const struct stat *st,
               px_job_t **job)
{
    const px_file_info_t *info = px_catalog_lookup(w->cat, path);
    *job = NULL;
    /* A hash of 0 marks a file catalogued without being read (it was over
     * the size limit): look again, since the limit may have been raised. */
    if (info && same_stat(info, st) && info->hash != 0)
        return PX_OK;
    *job = px_job_create(path, info != NULL, info ? info->hash : 0,
                         w->opts.max_file_size);
    if (*job)
        (*job)->no_entities = w->opts.no_entities;
    return *job ? PX_OK : PX_NOMEM;
}

/* Replace the file's passages with the job's documents. A file passim
 * cannot index (binary, empty, too large) is catalogued with none, so an
 * unchanged one is not read again on the next run. */
static px_status
replace_passages(px_writer_t *w, const px_job_t *job)
{
    px_status rc = begin_batch(w);
    if (rc == PX_OK)
        rc = delete_passages(w, job->path);
    for (size_t i = 0; rc == PX_OK && i < job->ndocs; i++) {
        if (xc_database_add_document(w->db, job->docs[i], NULL) != XC_OK)
            rc = PX_XAPIAN;
    }
    px_file_info_t info;
    info_from_stat(&job->now, job->hash, (uint32_t)job->ndocs, &info);
    if (rc == PX_OK)
        rc = px_catalog_put(w->cat, w->db, job->path, &info);
    if (rc == PX_OK) {
        w->stats.passages_added += job->ndocs;
        rc = batch_add(w, job->bytes);
    }
    return rc;
}

static px_status
record_touch(px_writer_t *w, const px_job_t *job)
{
    const px_file_info_t *old = px_catalog_lookup(w->cat, job->path);
    px_file_info_t info;
    info_from_stat(&job->now, job->hash, old ? old->passages : 0, &info);
    px_status rc = begin_batch(w);
    if (rc == PX_OK)
        rc = px_catalog_put(w->cat, w->db, job->path, &info);
    return rc;
}

/* What to tell the user about a job, or NULL. */
static char *
job_message(const px_writer_t *w, const px_job_t *job)
{
    switch (job->outcome) {
    case PX_OUTCOME_REMOVED:
        return px_format("vanished while being indexed");
    case PX_OUTCOME_FAILED:
        return px_format("cannot read: %s", strerror(job->err));
    case PX_OUTCOME_SKIPPED:
        if (job->err == EFBIG)
            return px_format("skipped: %.1f MB is over the limit of %.1f MB "
                          "(--max-file-size)",
                          (double)job->now.st_size / 1e6,
                          (double)w->opts.max_file_size / 1e6);
        return px_format("skipped: %s", px_status_to_string(job->parse_status));
    case PX_OUTCOME_INDEXED:
        if (job->repaired)
            return px_format("repaired %zu bytes of invalid UTF-8 (read as "
                          "Windows-1252)", job->repaired);
        return NULL;
    default:
        return NULL;
    }
}

px_status
px_writer_apply(px_writer_t *w, const px_job_t *job, char **message)
{
    *message = NULL;
    w->stats.bytes_read += job->bytes;
    if (job->status != PX_OK)
        return job->status;
    px_status rc = PX_OK;
    switch (job->outcome) {
    case PX_OUTCOME_REMOVED:
        rc = px_writer_remove(w, job->path);
        break;
    case PX_OUTCOME_TOUCHED:
        rc = record_touch(w, job);
        break;
    case PX_OUTCOME_SKIPPED:
        /* Still too large, and catalogued so: say so again, write nothing. */
        if (job->err == EFBIG && job->known && job->known_hash == 0)
            break;
        rc = replace_passages(w, job);
        break;
    case PX_OUTCOME_INDEXED:
        rc = replace_passages(w, job);
        break;
    default: /* unreadable: keep what the index has */
        break;
    }
    *message = job_message(w, job);
    return rc;
}

px_status
px_writer_update(px_writer_t *w, const char *path, const struct stat *st,
                 px_outcome *outcome, char **message)
{
    px_job_t *job = NULL;
    *message = NULL;
    *outcome = PX_OUTCOME_UNCHANGED;
    px_status rc = px_writer_plan(w, path, st, &job);
    if (rc != PX_OK || !job)
        return rc;
    px_job_run(job, w->tg);
    *outcome = job->outcome;
    rc = px_writer_apply(w, job, message);
    px_job_destroy(job);
    return rc;
}

typedef struct unseen_ctx {
    char *const *roots;
    size_t nroots;
    char **paths;
    size_t n, cap;
    int oom;
} unseen_ctx;

static int
under_root(const char *path, const char *root)
{
    size_t n = strlen(root);
    return strncmp(path, root, n) == 0 &&
           (path[n] == '/' || (n > 0 && root[n - 1] == '/'));
}

static void
collect_unseen(void *ctx, const char *path, const px_file_info_t *info)
{
    (void)info;
    unseen_ctx *u = ctx;
    size_t i = 0;
    while (i < u->nroots && !under_root(path, u->roots[i]))
        i++;
    if (i == u->nroots || u->oom)
        return;
    if (u->n == u->cap) {
        size_t cap = u->cap ? u->cap * 2 : 64;
        char **p = realloc(u->paths, cap * sizeof *p);
        if (!p) {
            u->oom = 1;
            return;
        }
        u->paths = p;
        u->cap = cap;
    }
    u->paths[u->n] = strdup(path);
    if (!u->paths[u->n])
        u->oom = 1;
    else
        u->n++;
}

px_status
px_writer_remove_unseen(px_writer_t *w, char *const *roots, size_t nroots,
                        size_t *removed)
{
    unseen_ctx u = {roots, nroots, NULL, 0, 0, 0};
    px_catalog_each_unseen(w->cat, collect_unseen, &u);
    px_status rc = u.oom ? PX_NOMEM : PX_OK;
    for (size_t i = 0; i < u.n; i++) {
        if (rc == PX_OK)
            rc = px_writer_remove(w, u.paths[i]);
        free(u.paths[i]);
    }
    free(u.paths);
    *removed = rc == PX_OK ? u.n : 0;
    return rc;
}

void
px_writer_begin_reconcile(px_writer_t *w)
{
    px_catalog_clear_seen(w->cat);
}

int
px_writer_has(px_writer_t *w, const char *path)
{
    return px_catalog_lookup(w->cat, path) != NULL;
}

/* The catalog can only list unseen entries: clearing the marks first
 * makes that every entry. */
px_status
px_writer_remove_under(px_writer_t *w, const char *dir, size_t *removed)
{
    char *roots[1] = {(char *)dir};
    px_catalog_clear_seen(w->cat);
    return px_writer_remove_unseen(w, roots, 1, removed);
}
