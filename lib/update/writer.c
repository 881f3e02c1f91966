/*
 * writer.c — the one writer (writer.h).
 */
#include "passim/writer.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>
#include <uv.h>

#include "passim/catalog.h"
#include "passim/dbpath.h"
#include "passim/format.h"
#include "passim/grow.h"
#include "passim/idset.h"
#include "passim/schema.h"
#include "passim/store.h"
#include "passim/vocab.h"

/* One Xapian database with its part of the catalog and its own batch.
 * Its lock makes every call on it from any thread one at a time, so jobs
 * for different shards apply in parallel on the pool's threads. */
typedef struct shard {
    uv_mutex_t lock;
    xc_database *db;
    px_catalog *cat;
    px_vocab *vocab; /* the words of the batch under way */
    const px_writer_opts *opts;
    size_t max_files;    /* its share of the batch: opts' over the shards */
    uint64_t max_bytes;
    int in_txn;
    /* A shard that had no files when it opened (a first run) plans
     * without its database, so that planning never waits for the shard's
     * writer: a file it has not planned before cannot be catalogued. On
     * 20 Newsgroups with two shards, the loop's thread had spent 10.9 of
     * 19.2 s waiting for a shard's lock to plan the next file. */
    int fresh;
    uv_mutex_t plan_lock; /* guards planned */
    px_idset planned;
    /* Every shard's words go to the first shard too (vocab.h): a later
     * shard keeps the words it stores and hands them over when it
     * commits. */
    struct shard *first; /* NULL for the first shard */
    size_t index;
    px_words pending;
    size_t pending_cap;
    int pending_lost; /* out of memory: the mark must stay stale */
    size_t batch_files;
    uint64_t batch_bytes;
    /* A write failed (a full disk, say): the shard's transaction is
     * cancelled and nothing more is written to it in this run, since
     * Xapian 1.4 can abort the process in a later commit after such a
     * failure (see fail_shard()). */
    int broken;
    char *path;            /* the shard's folder, for its free space */
    size_t batch_passages; /* passages of the batch, counted at commit */
    size_t batch_changes;  /* files of the batch, likewise */
    px_writer_stats stats;
} shard;

struct px_writer {
    shard *shards;
    size_t nshards;
    size_t failed;  /* the shard whose error px_writer_last_error tells */
    xc_termgen *tg; /* for px_writer_update, on the caller's thread */
    px_writer_opts opts;
};

static px_status begin_batch(shard *s);
static px_status commit_shard(shard *s);

static px_status
open_shard(shard *s, const char *path, const px_writer_opts *opts,
           char **error)
{
    s->opts = opts;
    if (uv_mutex_init(&s->lock) != 0)
        return PX_NOMEM;
    if (uv_mutex_init(&s->plan_lock) != 0) {
        uv_mutex_destroy(&s->lock);
        return PX_NOMEM;
    }
    s->path = strdup(path);
    px_status rc = s->path ? px_store_open_writable(path, &s->db, error)
                           : PX_NOMEM;
    if (rc == PX_OK)
        rc = px_catalog_load(s->db, &s->cat);
    if (rc == PX_OK)
        rc = px_vocab_create(s->db, &s->vocab);
    if (rc == PX_OK)
        rc = px_catalog_is_empty(s->cat, &s->fresh);
    return rc;
}

static void
close_shards(px_writer *w, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        px_catalog_destroy(w->shards[i].cat);
        px_vocab_destroy(w->shards[i].vocab);
        xc_database_close(w->shards[i].db);
        free(w->shards[i].path);
        px_idset_clear(&w->shards[i].planned);
        px_words_clear(&w->shards[i].pending);
        uv_mutex_destroy(&w->shards[i].plan_lock);
        uv_mutex_destroy(&w->shards[i].lock);
    }
    free(w->shards);
}

static px_status
open_shards(px_writer *w, const char *path, char **error)
{
    struct stat st;
    char **paths = NULL;
    size_t n = 0, opened = 0;
    px_status rc = PX_OK;
    if (stat(path, &st) != 0 && errno == ENOENT)
        rc = px_store_create(path, w->opts.shards, error);
    if (rc == PX_OK)
        rc = px_dbpath_shards(path, &paths, &n);
    if (rc == PX_INVALID_ARGUMENT)
        *error = px_asprintf("cannot write database %s: it is neither a "
                             "database nor a stub file listing local "
                             "databases, one a line (remote ones cannot "
                             "be written)", path);
    if (rc == PX_OK && !(w->shards = calloc(n, sizeof *w->shards)))
        rc = PX_NOMEM;
    for (; rc == PX_OK && opened < n; opened++)
        rc = open_shard(&w->shards[opened], paths[opened], &w->opts, error);
    if (rc != PX_OK && w->shards) {
        close_shards(w, opened);
        w->shards = NULL;
    }
    w->nshards = rc == PX_OK ? n : 0;
    for (size_t i = 0; i < w->nshards; i++) {
        shard *sh = &w->shards[i];
        sh->max_files = w->opts.batch_files / n ? w->opts.batch_files / n : 1;
        sh->max_bytes = w->opts.batch_bytes / n ? w->opts.batch_bytes / n : 1;
        sh->first = i > 0 ? &w->shards[0] : NULL;
        sh->index = i;
    }
    px_dbpath_shards_free(paths, n);
    return rc;
}

/* Bring the first shard's union of words up to date with every later
 * shard whose mark is stale (vocab.h): a crash between their commits, or
 * a database written before the union. Nothing else runs yet. */
static px_status
repair_union(px_writer *w)
{
    shard *f = &w->shards[0];
    px_status rc = PX_OK;
    for (size_t k = 1; rc == PX_OK && k < w->nshards; k++) {
        uint64_t rev = 0;
        int stale = 0;
        if (xc_database_revision(w->shards[k].db, &rev) != XC_OK)
            rc = PX_XAPIAN;
        if (rc == PX_OK)
            rc = px_vocab_union_stale(f->db, k, rev, &stale);
        if (rc == PX_OK && stale)
            rc = begin_batch(f);
        if (rc == PX_OK && stale)
            rc = px_vocab_union_copy(f->vocab, f->db, w->shards[k].db);
        if (rc == PX_OK && stale)
            rc = px_vocab_union_mark(f->db, k, rev);
    }
    return rc == PX_OK ? commit_shard(f) : rc;
}

px_status
px_writer_open(const char *path, const px_writer_opts *opts,
               px_writer **out, char **error)
{
    *out = NULL;
    *error = NULL;
    px_writer *w = calloc(1, sizeof *w);
    if (!w)
        return PX_NOMEM;
    w->opts = *opts;
    px_status rc = open_shards(w, path, error);
    if (rc == PX_OK)
        rc = repair_union(w);
    if (rc == PX_OK)
        rc = px_schema_termgen(&w->tg);
    if (rc != PX_OK) {
        if (!*error)
            *error = px_asprintf("cannot open database %s: %s", path,
                               px_status_to_string(rc));
        close_shards(w, w->nshards);
        xc_termgen_destroy(w->tg);
        free(w);
        return rc;
    }
    *out = w;
    return PX_OK;
}

size_t
px_writer_shards(const px_writer *w)
{
    return w->nshards;
}

static shard *
shard_of(px_writer *w, const char *path)
{
    return &w->shards[px_dbpath_shard_of(path, w->nshards)];
}

/* The functions on one shard below expect its lock held. */

#define ROOM_FIXED (4u << 20)
#define ROOM_PER_BYTE 24u

/* After a failed write: cancel the shard's transaction and write to it
 * no more (shard.broken). The error stays on the handle for
 * px_writer_last_error(). */
static px_status
fail_shard(shard *s, px_status rc)
{
    if (rc != PX_XAPIAN || s->broken)
        return rc;
    s->broken = 1;
    if (s->in_txn) {
        /* Keep the first error's message: the cancel may fail too. */
        char *why = strdup(xc_database_last_error(s->db));
        xc_database_cancel_transaction(s->db);
        if (why)
            xc_database_set_error(s->db, why);
        free(why);
    }
    s->in_txn = 0;
    s->batch_files = s->batch_changes = s->batch_passages = 0;
    s->batch_bytes = 0;
    px_vocab_forget(s->vocab);
    return rc;
}

static px_status
begin_batch(shard *s)
{
    if (s->broken)
        return PX_XAPIAN;
    if (s->in_txn)
        return PX_OK;
    if (xc_database_begin_transaction(s->db, 1) != XC_OK)
        return PX_XAPIAN;
    s->in_txn = 1;
    return PX_OK;
}

static px_status
note_commit_time(shard *s)
{
    char stamp[32];
    snprintf(stamp, sizeof stamp, "%lld", (long long)time(NULL));
    return xc_database_set_metadata(s->db, PX_META_LAST_COMMIT,
                                    strlen(PX_META_LAST_COMMIT), stamp,
                                    strlen(stamp)) == XC_OK
               ? PX_OK : PX_XAPIAN;
}

static void
keep_for_first(void *ctx, const char *word, size_t len)
{
    shard *s = ctx;
    if (px_words_append(&s->pending, &s->pending_cap, word, len) != PX_OK)
        s->pending_lost = 1;
}

/* After a later shard's commit: its new words, and the revision they
 * bring the first shard's union to, into the first shard's batch. Lock
 * order: a later shard's, then the first's (never the other way). */
static px_status
hand_words_to_first(shard *s)
{
    shard *f = s->first;
    uint64_t rev = 0;
    if (xc_database_revision(s->db, &rev) != XC_OK)
        return PX_XAPIAN;
    uv_mutex_lock(&f->lock);
    px_status rc = begin_batch(f);
    if (rc == PX_OK)
        rc = px_vocab_add(f->vocab, f->db, &s->pending, NULL, NULL);
    if (rc == PX_OK && !s->pending_lost)
        rc = px_vocab_union_mark(f->db, s->index, rev);
    uv_mutex_unlock(&f->lock);
    s->pending.len = s->pending.n = 0;
    s->pending_lost = 0;
    return rc;
}

/* Whether the shard's disk has room for a commit of its batch. A commit
 * that meets a full disk can abort the process from inside libxapian
 * 1.4 (up to 1.4.29 and master): in glass_values.cc, merge_changes()'s
 * write of the value slots throws ENOSPC, and while that unwinds
 * ~ValueUpdater() writes again and throws from a destructor, which is
 * std::terminate (issue 15). No catch can stop it, so a commit is not
 * tried without room for it. The room asked for is a generous bound
 * measured on news-bbc (an index is about 10 times its text; a commit
 * rewrites some of the tables' upper blocks too). It is a check, not a
 * reservation: another process filling the disk meanwhile can still
 * reach the abort (a reserve file freed just before each commit would
 * close that window). */
static px_status
room_to_commit(shard *s)
{
    struct statvfs fs;
    if (!s->path || statvfs(s->path, &fs) != 0)
        return PX_OK; /* cannot tell: let Xapian try */
    uint64_t free_bytes = (uint64_t)fs.f_bavail * fs.f_frsize;
    uint64_t need = ROOM_FIXED + ROOM_PER_BYTE * s->batch_bytes;
    if (free_bytes >= need)
        return PX_OK;
    char *why = px_asprintf("the disk holding %s is full: %.1f MB free, a "
                            "commit of this batch needs about %.1f MB (%s)",
                            s->path, (double)free_bytes / 1e6,
                            (double)need / 1e6, strerror(ENOSPC));
    xc_database_set_error(s->db, why ? why : strerror(ENOSPC));
    free(why);
    return PX_XAPIAN;
}

static px_status
commit_shard(shard *s)
{
    if (s->broken)
        return PX_XAPIAN;
    if (!s->in_txn)
        return PX_OK;
    px_status rc = room_to_commit(s);
    if (rc != PX_OK)
        return fail_shard(s, rc);
    rc = note_commit_time(s);
    if (rc == PX_OK && xc_database_commit_transaction(s->db) != XC_OK)
        rc = PX_XAPIAN;
    if (rc != PX_OK) { /* the words it remembers as stored may not be */
        px_vocab_forget(s->vocab);
        s->broken = 1;
    }
    s->in_txn = 0;
    s->batch_files = 0;
    s->batch_bytes = 0;
    if (rc == PX_OK) {
        s->stats.commits++;
        s->stats.passages_added += s->batch_passages;
        s->stats.files_committed += s->batch_changes;
    }
    s->batch_passages = s->batch_changes = 0;
    if (rc == PX_OK && s->first)
        rc = hand_words_to_first(s);
    return rc;
}

/* Count one changed file into the batch; commit when it is full. Each
 * shard's batch is its share of the options' (open_shards), so that N
 * writers hold what one would: each holds its batch in memory until the
 * commit. */
static px_status
batch_add(shard *s, uint64_t bytes)
{
    s->batch_files++;
    s->batch_changes++;
    s->batch_bytes += bytes;
    if (s->batch_files >= s->max_files || s->batch_bytes >= s->max_bytes)
        return commit_shard(s);
    return PX_OK;
}

static px_status
delete_passages(shard *s, const char *path)
{
    char id[PX_ARTICLE_ID_SIZE];
    char term[sizeof PX_PREFIX_ARTICLE + PX_ARTICLE_ID_SIZE];
    px_article_id(path, id);
    snprintf(term, sizeof term, "%s%s", PX_PREFIX_ARTICLE, id);
    return xc_database_delete_documents_by_term(s->db, term, strlen(term))
                   == XC_OK ? PX_OK : PX_XAPIAN;
}

static px_status
remove_file(shard *s, const char *path)
{
    px_status rc = begin_batch(s);
    if (rc == PX_OK)
        rc = delete_passages(s, path);
    if (rc == PX_OK)
        rc = px_catalog_remove(s->cat, s->db, path);
    if (rc == PX_OK)
        rc = batch_add(s, 0);
    return rc;
}

typedef struct roots_under {
    const char *dir;
    size_t len;
    char **keys;
    size_t n, cap;
    px_status rc;
} roots_under;

/* A root key at or under r->dir: kept for removal. */
static int
root_under(void *ctx, const char *key, size_t len)
{
    roots_under *r = ctx;
    const char *path = key + strlen(PX_META_ROOT);
    size_t plen = len - strlen(PX_META_ROOT);
    if (plen < r->len || memcmp(path, r->dir, r->len) != 0 ||
        (plen > r->len && path[r->len] != '/' && r->len > 1))
        return 0;
    if (px_grow((void **)&r->keys, &r->cap, r->n + 1, sizeof *r->keys) !=
            PX_OK ||
        !(r->keys[r->n] = px_asprintf("%.*s", (int)len, key))) {
        r->rc = PX_NOMEM;
        return 1;
    }
    r->n++;
    return 0;
}

static px_status
forget_roots_under(shard *s, const char *dir)
{
    roots_under r = {dir, strlen(dir), NULL, 0, 0, PX_OK};
    if (xc_database_metadata_keys(s->db, PX_META_ROOT, root_under, &r) !=
        XC_OK)
        r.rc = PX_XAPIAN;
    for (size_t i = 0; i < r.n; i++) {
        if (r.rc == PX_OK && xc_database_set_metadata(
                                 s->db, r.keys[i], strlen(r.keys[i]), "",
                                 0) != XC_OK)
            r.rc = PX_XAPIAN;
        free(r.keys[i]);
    }
    free(r.keys);
    return r.rc;
}

/* Is `key` set in s's database? (A run that changes nothing must not
 * commit just to note its root again.) */
static int
has_key(shard *s, const char *key)
{
    char *value = NULL;
    size_t len = 0;
    int has = xc_database_get_metadata(s->db, key, strlen(key), &value,
                                       &len) == XC_OK && len > 0;
    free(value);
    return has;
}

px_status
px_writer_note_root(px_writer *w, const char *root, int forget)
{
    shard *s = &w->shards[0];
    char *key = px_asprintf("%s%s", PX_META_ROOT, root);
    if (!key)
        return PX_NOMEM;
    uv_mutex_lock(&s->lock);
    px_status rc = PX_OK;
    if (forget || !has_key(s, key))
        rc = begin_batch(s);
    if (rc == PX_OK && forget)
        rc = forget_roots_under(s, root);
    else if (rc == PX_OK && s->in_txn &&
             xc_database_set_metadata(s->db, key, strlen(key), "1", 1) !=
                 XC_OK)
        rc = PX_XAPIAN;
    free(key);
    rc = fail_shard(s, rc);
    uv_mutex_unlock(&s->lock);
    return rc;
}

px_status
px_writer_remove(px_writer *w, const char *path)
{
    shard *s = shard_of(w, path);
    uv_mutex_lock(&s->lock);
    px_status rc = fail_shard(s, remove_file(s, path));
    uv_mutex_unlock(&s->lock);
    return rc;
}

typedef struct commit_task {
    shard *s;
    px_status rc;
} commit_task;

static void
commit_locked(void *arg)
{
    commit_task *t = arg;
    uv_mutex_lock(&t->s->lock);
    t->rc = commit_shard(t->s);
    uv_mutex_unlock(&t->s->lock);
}

/* Shards commit in parallel, each on a thread of its own but the first:
 * a commit is mostly Xapian writing its tables, and the last one of a
 * run was 6% of the time of 20 Newsgroups spent on one core. A shard
 * whose thread cannot start (or cannot be allocated) commits here. */
px_status
px_writer_commit(px_writer *w)
{
    commit_task *tasks = calloc(w->nshards, sizeof *tasks);
    uv_thread_t *threads = calloc(w->nshards, sizeof *threads);
    char *started = calloc(w->nshards, 1);
    int spawn = tasks && threads && started;
    px_status rc = PX_OK;
    for (size_t i = 0; i < w->nshards; i++) {
        commit_task one = {&w->shards[i], PX_OK};
        commit_task *t = spawn ? &tasks[i] : &one;
        *t = one;
        if (spawn && i > 0)
            started[i] = uv_thread_create(&threads[i], commit_locked, t) == 0;
        if (!spawn || !started[i])
            commit_locked(t);
        if (!spawn && rc == PX_OK)
            rc = t->rc;
    }
    for (size_t i = 0; spawn && i < w->nshards; i++) {
        if (started[i])
            uv_thread_join(&threads[i]);
        if (rc == PX_OK)
            rc = tasks[i].rc;
    }
    free(tasks);
    free(threads);
    free(started);
    /* The later shards' commits handed their words to the first shard,
     * maybe after it committed: commit those too. */
    if (rc == PX_OK && w->nshards > 1) {
        commit_task first = {&w->shards[0], PX_OK};
        commit_locked(&first);
        rc = first.rc;
    }
    return rc;
}

/* The error of the first shard that has one (a run stops at the first
 * error, so there is rarely more than one). */
const char *
px_writer_last_error(const px_writer *w)
{
    for (size_t i = 0; i < w->nshards; i++) {
        const char *e = xc_database_last_error(w->shards[i].db);
        if (e && *e)
            return e;
    }
    return w->nshards ? xc_database_last_error(w->shards[0].db) : "";
}

void
px_writer_get_stats(px_writer *w, px_writer_stats *stats)
{
    memset(stats, 0, sizeof *stats);
    for (size_t i = 0; i < w->nshards; i++) {
        shard *s = &w->shards[i];
        uv_mutex_lock(&s->lock);
        stats->passages_added += s->stats.passages_added;
        stats->commits += s->stats.commits;
        stats->files_committed += s->stats.files_committed;
        stats->bytes_read += s->stats.bytes_read;
        uv_mutex_unlock(&s->lock);
    }
}

px_status
px_writer_close(px_writer *w)
{
    if (!w)
        return PX_OK;
    px_status rc = px_writer_commit(w);
    for (size_t i = 0; rc == PX_OK && i < w->nshards; i++) {
        if (xc_database_commit(w->shards[i].db) != XC_OK)
            rc = PX_XAPIAN;
    }
    /* A broken shard is closed without the commit that closing makes:
     * its transaction was cancelled and nothing is pending. */
    for (size_t i = 0; i < w->nshards; i++)
        if (w->shards[i].broken)
            xc_database_abandon(w->shards[i].db);
    close_shards(w, w->nshards);
    xc_termgen_destroy(w->tg);
    free(w);
    return rc;
}

static void
info_from_stat(const struct stat *st, uint64_t hash, uint32_t passages,
               px_file_info *info)
{
    info->size = (uint64_t)st->st_size;
    info->mtime_ns = (int64_t)st->st_mtim.tv_sec * 1000000000 +
                     st->st_mtim.tv_nsec;
    info->inode = (uint64_t)st->st_ino;
    info->hash = hash;
    info->passages = passages;
}

static int
same_stat(const px_file_info *info, const struct stat *st)
{
    px_file_info now;
    info_from_stat(st, 0, 0, &now);
    return info->size == now.size && info->mtime_ns == now.mtime_ns &&
           info->inode == now.inode;
}

/* 1 when the file is certainly not catalogued: its shard was fresh and
 * has not planned it before. */
static int
first_plan_of_fresh(shard *s, const char *path)
{
    if (!s->fresh)
        return 0;
    uint64_t id = px_article_hash(path);
    uv_mutex_lock(&s->plan_lock);
    int first = !px_idset_has(&s->planned, id) &&
                px_idset_add(&s->planned, id) == PX_OK;
    uv_mutex_unlock(&s->plan_lock);
    return first;
}

px_status
px_writer_plan(px_writer *w, const char *path, const struct stat *st,
               px_job **job)
{
    shard *s = shard_of(w, path);
    int unchanged = 0, known = 0;
    uint64_t known_hash = 0;
    if (!first_plan_of_fresh(s, path)) {
        uv_mutex_lock(&s->lock);
        const px_file_info *info = px_catalog_lookup(s->cat, path);
        /* A hash of 0 marks a file catalogued without being read (it was
         * over the size limit): look again, since the limit may have been
         * raised. */
        unchanged = info && same_stat(info, st) && info->hash != 0;
        known = info != NULL;
        known_hash = info ? info->hash : 0;
        uv_mutex_unlock(&s->lock);
    }
    *job = NULL;
    if (unchanged)
        return PX_OK;
    *job = px_job_create(path, known, known_hash, w->opts.max_file_size);
    if (*job)
        (*job)->no_entities = w->opts.no_entities;
    return *job ? PX_OK : PX_NOMEM;
}

/* Replace the file's passages with the job's documents. A file passim
 * cannot index (binary, empty, too large) is catalogued with none, so an
 * unchanged one is not read again on the next run. */
static px_status
replace_passages(shard *s, const px_job *job)
{
    px_status rc = begin_batch(s);
    if (rc == PX_OK)
        rc = delete_passages(s, job->path);
    for (size_t i = 0; rc == PX_OK && i < job->ndocs; i++) {
        if (xc_database_add_document(s->db, job->docs[i], NULL) != XC_OK)
            rc = PX_XAPIAN;
    }
    if (rc == PX_OK)
        rc = px_vocab_add(s->vocab, s->db, &job->words,
                          s->first ? keep_for_first : NULL, s);
    px_file_info info;
    info_from_stat(&job->now, job->hash, (uint32_t)job->ndocs, &info);
    if (rc == PX_OK)
        rc = px_catalog_put(s->cat, s->db, job->path, &info);
    if (rc == PX_OK) {
        s->batch_passages += job->ndocs;
        rc = batch_add(s, job->bytes);
    }
    return rc;
}

static px_status
record_touch(shard *s, const px_job *job)
{
    const px_file_info *old = px_catalog_lookup(s->cat, job->path);
    px_file_info info;
    info_from_stat(&job->now, job->hash, old ? old->passages : 0, &info);
    px_status rc = begin_batch(s);
    if (rc == PX_OK)
        rc = px_catalog_put(s->cat, s->db, job->path, &info);
    return rc;
}

static px_status
apply_job(shard *s, const px_job *job)
{
    switch (job->outcome) {
    case PX_OUTCOME_REMOVED:
        return remove_file(s, job->path);
    case PX_OUTCOME_TOUCHED:
        return record_touch(s, job);
    case PX_OUTCOME_SKIPPED:
        /* Still too large, and catalogued so: say so again, write nothing. */
        if (job->err == EFBIG && job->known && job->known_hash == 0)
            return PX_OK;
        return replace_passages(s, job);
    case PX_OUTCOME_INDEXED:
        return replace_passages(s, job);
    default: /* unreadable: keep what the index has */
        return PX_OK;
    }
}

/* What to tell the user about a job, or NULL. */
static char *
job_message(const px_writer *w, const px_job *job)
{
    switch (job->outcome) {
    case PX_OUTCOME_REMOVED:
        return px_asprintf("vanished while being indexed");
    case PX_OUTCOME_FAILED:
        return px_asprintf("cannot read: %s", strerror(job->err));
    case PX_OUTCOME_SKIPPED:
        if (job->err == EFBIG)
            return px_asprintf("skipped: %.1f MB is over the limit of %.1f MB "
                          "(--max-file-size)",
                          (double)job->now.st_size / 1e6,
                          (double)w->opts.max_file_size / 1e6);
        return px_asprintf("skipped: %s", job->why ? job->why
                           : px_status_to_string(job->parse_status));
    case PX_OUTCOME_INDEXED:
        if (job->repaired && job->cut)
            return px_asprintf("repaired %zu bytes of invalid UTF-8 (read as "
                               "Windows-1252); %s", job->repaired, job->cut);
        if (job->repaired)
            return px_asprintf("repaired %zu bytes of invalid UTF-8 (read as "
                          "Windows-1252)", job->repaired);
        if (job->cut)
            return px_asprintf("%s", job->cut);
        return NULL;
    default:
        return NULL;
    }
}

px_status
px_writer_apply(px_writer *w, const px_job *job, char **message)
{
    *message = NULL;
    shard *s = shard_of(w, job->path);
    uv_mutex_lock(&s->lock);
    s->stats.bytes_read += job->bytes;
    px_status rc = job->status;
    if (rc == PX_OK)
        rc = fail_shard(s, apply_job(s, job));
    uv_mutex_unlock(&s->lock);
    if (job->status == PX_OK)
        *message = job_message(w, job);
    return rc;
}

px_status
px_writer_update(px_writer *w, const char *path, const struct stat *st,
                 px_outcome *outcome, char **message)
{
    px_job *job = NULL;
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
    char *const *keep; /* folders whose files stay */
    size_t nkeep;
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
collect_unseen(void *ctx, const char *path, const px_file_info *info)
{
    (void)info;
    unseen_ctx *u = ctx;
    size_t i = 0;
    while (i < u->nroots && !under_root(path, u->roots[i]))
        i++;
    if (i == u->nroots || u->oom)
        return;
    for (size_t k = 0; k < u->nkeep; k++) {
        if (under_root(path, u->keep[k]))
            return;
    }
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

/* Remove the unseen files of one shard under `roots` (lock held). */
static px_status
remove_unseen_in(shard *s, char *const *roots, size_t nroots,
                 char *const *keep, size_t nkeep, size_t *removed)
{
    unseen_ctx u = {roots, nroots, keep, nkeep, NULL, 0, 0, 0};
    px_catalog_each_unseen(s->cat, collect_unseen, &u);
    px_status rc = u.oom ? PX_NOMEM : PX_OK;
    for (size_t i = 0; i < u.n; i++) {
        if (rc == PX_OK)
            rc = remove_file(s, u.paths[i]);
        free(u.paths[i]);
    }
    free(u.paths);
    *removed += rc == PX_OK ? u.n : 0;
    return rc;
}

/* remove_unseen_in on every shard; `clear` first clears the seen marks,
 * which makes every entry unseen. */
static px_status
remove_unseen_all(px_writer *w, char *const *roots, size_t nroots,
                  char *const *keep, size_t nkeep, int clear,
                  size_t *removed)
{
    px_status rc = PX_OK;
    *removed = 0;
    for (size_t i = 0; rc == PX_OK && i < w->nshards; i++) {
        shard *s = &w->shards[i];
        uv_mutex_lock(&s->lock);
        if (clear)
            px_catalog_clear_seen(s->cat);
        rc = fail_shard(s, remove_unseen_in(s, roots, nroots, keep, nkeep,
                                            removed));
        uv_mutex_unlock(&s->lock);
    }
    return rc;
}

px_status
px_writer_remove_unseen(px_writer *w, char *const *roots, size_t nroots,
                        char *const *keep, size_t nkeep, size_t *removed)
{
    return remove_unseen_all(w, roots, nroots, keep, nkeep, 0, removed);
}

void
px_writer_begin_reconcile(px_writer *w)
{
    for (size_t i = 0; i < w->nshards; i++) {
        uv_mutex_lock(&w->shards[i].lock);
        px_catalog_clear_seen(w->shards[i].cat);
        uv_mutex_unlock(&w->shards[i].lock);
    }
}

int
px_writer_has(px_writer *w, const char *path)
{
    shard *s = shard_of(w, path);
    uv_mutex_lock(&s->lock);
    int has = px_catalog_lookup(s->cat, path) != NULL;
    uv_mutex_unlock(&s->lock);
    return has;
}

px_status
px_writer_remove_under(px_writer *w, const char *dir, size_t *removed)
{
    char *roots[1] = {(char *)dir};
    return remove_unseen_all(w, roots, 1, NULL, 0, 1, removed);
}
