/*
 * writer.h — the one writer: files in, passages and catalog out.
 *
 * The writer owns the writable database, the catalog and the term
 * generator. It decides per file whether anything must be done (catalog:
 * size, mtime, inode; then a content hash), parses and splits the article,
 * replaces its passages, and records it in the catalog, all inside the
 * current batch, one Xapian transaction. A batch commits when it holds
 * enough files or bytes, or when asked.
 *
 * A database may be several shards (dbpath.h), each with its own part of
 * the catalog, its own batch and its own lock: every function here may be
 * called from any thread, and jobs of different shards apply in parallel.
 */
#ifndef PASSIM_WRITER_H
#define PASSIM_WRITER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "passim/job.h"
#include "passim/status.h"

typedef struct px_writer_opts {
    size_t batch_files;     /* commit after this many changed files */
    size_t batch_bytes;     /* ... or this many bytes read */
    uint64_t max_file_size; /* larger files are skipped with a message */
    int no_entities;        /* do not extract people, places, dates... */
    unsigned shards;        /* a new database: this many shards (0, 1: one
                               plain database); an existing one keeps its */
} px_writer_opts;

#define PX_WRITER_BATCH_FILES 2000
#define PX_WRITER_BATCH_BYTES (64u << 20)
#define PX_WRITER_MAX_FILE_SIZE (256ull << 20)


typedef struct px_writer px_writer;

/* Open the database at `path` for writing (creating it and its folders).
 * PX_LOCKED when another indexer holds it. On failure *error holds a
 * message naming the database: caller owns; free with free(). */
px_status px_writer_open(const char *path, const px_writer_opts *opts,
                         px_writer **out, char **error);

/* Plan the work for the file at `path` (absolute, as found; `st` from
 * stat()): *job is NULL when the catalog says the file is unchanged (it is
 * then marked seen), else a job to run (px_job_run, on any thread) and to
 * apply here. Caller owns *job; free with px_job_destroy(). */
px_status px_writer_plan(px_writer *w, const char *path,
                         const struct stat *st, px_job **job);

/* Apply a job that has run: write its passages and catalog entry into the
 * current batch. *message (caller owns; free with free(); NULL when there
 * is nothing to say) explains a skip, a failure or a repair. Returns
 * non-OK only for errors that stop the run (database, memory). */
px_status px_writer_apply(px_writer *w, const px_job *job,
                          char **message);

/* Plan, run and apply on this thread: bring the file at `path` (absolute, as found; `st` from stat()) up to
 * date. *outcome says what was done; *message (caller owns; free with
 * free(); NULL when there is nothing to say) explains a skip, a failure or
 * a repair. Returns non-OK only for database errors, which are fatal. */
px_status px_writer_update(px_writer *w, const char *path,
                           const struct stat *st, px_outcome *outcome,
                           char **message);

/* Remove a file's passages and catalog entry (absent is fine). */
px_status px_writer_remove(px_writer *w, const char *path);

/* Remove every catalogued file under one of `roots` (absolute folder
 * paths) that was not passed to px_writer_update since the writer opened,
 * but for those under one of `keep` (folders the crawl could not read:
 * their files are not known to be gone); *removed counts them. */
px_status px_writer_remove_unseen(px_writer *w, char *const *roots,
                                  size_t nroots, char *const *keep,
                                  size_t nkeep, size_t *removed);

/* For the watcher, which keeps one writer open for a long time. */

/* Start a reconcile: forget which files were seen, so that a crawl
 * followed by px_writer_remove_unseen removes exactly the files the crawl
 * did not find. */
void px_writer_begin_reconcile(px_writer *w);

/* Does the catalog hold `path`? (Marks it seen, as a crawl would.) */
int px_writer_has(px_writer *w, const char *path);

/* Remove every catalogued file under the folder `dir` (absolute); *removed
 * counts them. Clears the seen marks (see px_writer_begin_reconcile). */
px_status px_writer_remove_under(px_writer *w, const char *dir,
                                 size_t *removed);

/* Record `root` (absolute) as a folder indexed into the database, or
 * (forget) take it out of the list, with every root under it; both are
 * committed with the next commit. */
px_status px_writer_note_root(px_writer *w, const char *root, int forget);

/* Commit the current batch, if any. */
px_status px_writer_commit(px_writer *w);

/* The last database error, for messages (borrowed). */
const char *px_writer_last_error(const px_writer *w);

/* Figures of this run. */
typedef struct px_writer_stats {
    size_t passages_added; /* committed */
    size_t files_committed; /* files indexed or removed, committed */
    size_t commits;
    uint64_t bytes_read;
} px_writer_stats;
void px_writer_get_stats(px_writer *w, px_writer_stats *stats);

/* How many shards the database has (1: a plain database). */
size_t px_writer_shards(const px_writer *w);

/* Commit what is pending and close. */
px_status px_writer_close(px_writer *w);

#endif /* PASSIM_WRITER_H */
