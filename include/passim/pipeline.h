/*
 * pipeline.h — many files through the writer, parsing in parallel.
 *
 * Jobs (job.h) run on libuv's thread pool, each with a term generator of
 * its own taken from a pool; each parsed job then waits for its shard's
 * writer thread, one per shard, which applies the shard's jobs in turn. A
 * pool thread never waits for a writer: with two shards on two cores it
 * had spent nearly as long waiting for a shard's lock as the writers
 * spent holding them. At most `inflight` jobs exist at once (parsing,
 * waiting or being applied), which bounds memory whatever the number of
 * files; the caller hears of each on the loop's thread once applied.
 *
 * Two ways in: px_pipeline_run() takes a source of files and runs a loop of
 * its own until they are done (the one-shot crawl); a px_pipe lives on
 * the caller's loop and takes files one at a time as they come (the
 * watcher).
 */
#ifndef PASSIM_PIPELINE_H
#define PASSIM_PIPELINE_H

#include <signal.h>
#include <stddef.h>
#include <uv.h>

#include "passim/crawl.h"
#include "passim/writer.h"

/* Told about each file once it is done: its size as found; msg may be
 * NULL; skipped: why a skipped file was (px_job_skip_reason()), else
 * NULL. */
typedef void (*px_pipeline_report_fn)(void *ctx, const char *path,
                                      uint64_t size, px_outcome outcome,
                                      const char *msg, const char *skipped);

/* Where a run's files come from, one at a time (a crawler, a list): *got
 * 1 and *f (its path valid until the next call), or *got 0 at the end. */
typedef px_status (*px_pipeline_next_fn)(void *ctx, px_found *f, int *got);

typedef struct px_pipeline_opts {
    unsigned inflight;             /* jobs at once; 0 = default */
    px_pipeline_report_fn report;
    void *ctx;
    volatile sig_atomic_t *stop;   /* when set, start no more jobs */
    px_pipeline_next_fn next;
    void *next_ctx;
} px_pipeline_opts;

/* Bring every file `opts->next` gives up to date through `w`. Returns
 * the first error that stops the run (database, memory, the source's);
 * files are reported as they finish, not necessarily in order. */
px_status px_pipeline_run(px_writer *w, const px_pipeline_opts *opts);

/* A pipeline on the caller's loop, fed one file at a time. */
typedef struct px_pipe px_pipe;

/* Told on the loop's thread about each job once the writer has applied
 * it (`job` borrowed for the call; msg may be NULL). */
typedef void (*px_pipe_done_fn)(void *ctx, const px_job *job,
                                const char *msg);

/* A pipeline on `loop` writing through `w` (both borrowed; they must
 * outlive it), `inflight` jobs at once (0 = default). Caller owns *out;
 * free with px_pipe_destroy(). */
px_status px_pipe_create(uv_loop_t *loop, px_writer *w, unsigned inflight,
                         px_pipe_done_fn done, void *ctx, px_pipe **out);

/* Can it take another job without waiting? */
int px_pipe_has_room(const px_pipe *p);

/* Jobs queued or running. */
size_t px_pipe_busy(const px_pipe *p);

/* Plan the file at `path` (`st` from stat()) and start its job: *started
 * is 1 when a job runs (done is called later), 0 when the catalog says
 * the file is unchanged. Call only when px_pipe_has_room(). Non-OK for
 * errors that stop the run (database, memory), also those met applying
 * earlier jobs. */
px_status px_pipe_add(px_pipe *p, const char *path, const struct stat *st,
                      int *started);

/* The first error that stopped the pipeline, else PX_OK. */
px_status px_pipe_status(const px_pipe *p);

/* Free the pipeline; only once px_pipe_busy() is 0. */
void px_pipe_destroy(px_pipe *p);

#endif
