/*
 * update.c — px_index_update (passim.h): the one-shot run over folders.
 *
 * The reconcile (reconcile.h) walks the folders and feeds the pipeline
 * (pipeline.h), which parses on libuv's thread pool while the writer
 * applies; what the walk did not find is removed at the end, and the
 * folders are recorded as the index's.
 */
#include "passim.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "passim/crawl.h"
#include "passim/dbpath.h"
#include "passim/format.h"
#include "passim/pipeline.h"
#include "passim/reconcile.h"
#include "passim/writer.h"

typedef struct run {
    const px_update_opts *o;
    px_update_summary *s;
    px_reconcile *rec;
} run;

static void
problem(void *ctx, const char *path, const char *message)
{
    const px_update_opts *o = ctx;
    if (o->callbacks.problem)
        o->callbacks.problem(o->callbacks.ctx, path, message);
}

static void
no_problem(void *ctx, const char *path, const char *message)
{
    (void)ctx;
    (void)path;
    (void)message;
}

static void
count(px_update_summary *s, px_outcome oc)
{
    switch (oc) {
    case PX_OUTCOME_UNCHANGED: s->unchanged++; break;
    case PX_OUTCOME_TOUCHED: s->touched++; break;
    case PX_OUTCOME_INDEXED: s->indexed++; break;
    case PX_OUTCOME_SKIPPED: s->skipped++; break;
    case PX_OUTCOME_FAILED: s->failed++; break;
    case PX_OUTCOME_REMOVED: s->removed++; break;
    }
}

static void
file_done(void *ctx, const char *path, uint64_t size, px_outcome oc,
          const char *msg, const char *skipped)
{
    run *r = ctx;
    count(r->s, oc);
    px_update_file f = {path, size, oc, msg, skipped};
    if (r->o->callbacks.file)
        r->o->callbacks.file(r->o->callbacks.ctx, &f);
}

static px_status
next_file(void *ctx, px_found *f, int *got)
{
    return px_reconcile_next(((run *)ctx)->rec, f, got);
}

/* What the folders hold, by a walk of its own, so that the run itself
 * keeps no list of files. */
static px_status
total(char *const *roots, size_t n, size_t *files, uint64_t *bytes)
{
    px_status rc = PX_OK;
    *files = 0;
    *bytes = 0;
    for (size_t i = 0; rc == PX_OK && i < n; i++) {
        px_crawler *c = NULL;
        px_found f;
        int got = 1;
        rc = px_crawler_open(roots[i], no_problem, NULL, &c);
        while (rc == PX_OK && got) {
            rc = px_crawler_next(c, &f, &got);
            *files += (size_t)got;
            *bytes += got ? f.size : 0;
        }
        px_crawler_close(c);
    }
    return rc;
}

/* The folders as absolute paths; a missing one is told as a problem. */
static px_status
absolute_roots(const char *const *folders, size_t n,
               const px_update_opts *o, char ***out)
{
    char **roots = calloc(n ? n : 1, sizeof *roots);
    px_status rc = roots ? PX_OK : PX_NOMEM;
    for (size_t i = 0; rc == PX_OK && i < n; i++) {
        if (!(roots[i] = realpath(folders[i], NULL))) {
            rc = errno == ENOMEM ? PX_NOMEM : PX_NOT_FOUND;
            if (rc == PX_NOT_FOUND)
                problem((void *)o, folders[i], strerror(errno));
        }
    }
    if (rc != PX_OK && roots) {
        for (size_t i = 0; i < n; i++)
            free(roots[i]);
        free(roots);
        roots = NULL;
    }
    *out = roots;
    return rc;
}

/* Walk, index and remove: everything but opening and closing. */
static px_status
reconcile(px_writer *w, char *const *roots, size_t n, run *r)
{
    const px_update_opts *o = r->o;
    px_status rc = px_reconcile_start(w, roots, n, problem, (void *)o,
                                      &r->rec);
    if (rc == PX_OK && o->total && o->callbacks.total) {
        size_t files;
        uint64_t bytes;
        rc = total(roots, n, &files, &bytes);
        if (rc == PX_OK)
            o->callbacks.total(o->callbacks.ctx, files, bytes);
    }
    if (rc == PX_OK) {
        px_pipeline_opts po = {0, file_done, r, o->stop, next_file, r};
        rc = px_pipeline_run(w, &po);
    }
    r->s->stopped = o->stop && *o->stop;
    if (rc == PX_OK && !r->s->stopped) {
        size_t unread = 0;
        rc = px_reconcile_finish(r->rec, &r->s->removed, &unread);
        r->s->failed += unread; /* a folder unread counts as a file */
    }
    r->s->ignored = r->rec ? px_reconcile_ignored(r->rec) : 0;
    px_reconcile_free(r->rec);
    r->rec = NULL;
    for (size_t i = 0; rc == PX_OK && !r->s->stopped && i < n; i++)
        rc = px_writer_note_root(w, roots[i], 0);
    return rc;
}

static px_writer_opts
writer_opts(const px_update_opts *o)
{
    px_writer_opts wo = {
        o->batch_files ? o->batch_files : PX_WRITER_BATCH_FILES,
        o->batch_bytes ? o->batch_bytes : PX_WRITER_BATCH_BYTES,
        o->max_file_size ? o->max_file_size : PX_WRITER_MAX_FILE_SIZE,
        o->no_entities, o->shards};
    return wo;
}

/* The run on an open writer; the final commit too may fail (a full disk),
 * and then says why. */
static px_status
update(px_writer *w, char *const *roots, size_t n, run *r, char **error)
{
    px_status rc = reconcile(w, roots, n, r);
    if (rc == PX_OK)
        rc = px_writer_commit(w);
    if (rc != PX_OK && rc != PX_NOT_FOUND)
        *error = px_asprintf("%s", rc == PX_XAPIAN ? px_writer_last_error(w)
                                                   : px_status_to_string(rc));
    return rc;
}

px_status
px_index_update(const char *const *folders, size_t n,
                const px_update_opts *opts, px_update_summary *summary,
                char **error)
{
    px_update_summary local;
    px_update_summary *s = summary ? summary : &local;
    memset(s, 0, sizeof *s);
    *error = NULL;
    char *db = NULL;
    char **roots = NULL;
    px_writer *w = NULL;
    px_status rc = opts->db ? ((db = strdup(opts->db)) ? PX_OK : PX_NOMEM)
                            : px_dbpath_resolve(NULL, &db);
    if (rc == PX_NOT_FOUND)
        *error = px_asprintf("no database given and HOME is not set");
    if (rc == PX_OK)
        rc = px_crawl_names_set(opts->ignore, opts->nignore, opts->exts);
    if (rc == PX_OK)
        rc = absolute_roots(folders, n, opts, &roots);
    px_writer_opts wo = writer_opts(opts);
    if (rc == PX_OK)
        rc = px_writer_open(db, &wo, &w, error);
    run r = {opts, s, NULL};
    s->opened = w != NULL;
    if (rc == PX_OK)
        rc = update(w, roots, n, &r, error);
    if (w) {
        px_writer_stats st;
        px_writer_get_stats(w, &st);
        s->passages = st.passages_added;
        s->files_committed = st.files_committed;
        s->bytes_read = st.bytes_read;
        px_status closed = px_writer_close(w);
        if (closed != PX_OK && rc == PX_OK) {
            rc = closed;
            *error = px_asprintf("database %s: the final commit failed", db);
        }
    }
    for (size_t i = 0; roots && i < n; i++)
        free(roots[i]);
    free(roots);
    free(db);
    px_crawl_ignore_clear();
    return rc;
}
