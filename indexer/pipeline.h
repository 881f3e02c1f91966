/*
 * pipeline.h — many files through the writer, parsing in parallel.
 *
 * Jobs (job.h) run on libuv's thread pool, each with a term generator of
 * its own taken from a pool; their results are applied by the one writer on
 * the loop's thread as they finish. At most `inflight` jobs exist at once,
 * which bounds memory whatever the number of files.
 */
#ifndef PASSIM_INDEXER_PIPELINE_H
#define PASSIM_INDEXER_PIPELINE_H

#include <signal.h>
#include <stddef.h>

#include "crawl.h"
#include "writer.h"

/* Told about each file once it is done (msg may be NULL). */
typedef void (*px_pipeline_report_fn)(void *ctx, size_t index,
                                      const char *path, px_outcome outcome,
                                      const char *msg);

typedef struct px_pipeline_opts {
    unsigned inflight;             /* jobs at once; 0 = default */
    px_pipeline_report_fn report;
    void *ctx;
    volatile sig_atomic_t *stop;   /* when set, start no more jobs */
} px_pipeline_opts;

/* Bring every file of `found` up to date through `w`. Returns the first
 * error that stops the run (database, memory); files are reported as they
 * finish, not necessarily in order. */
px_status px_pipeline_run(px_writer_t *w, const px_found_list *found,
                          const px_pipeline_opts *opts);

#endif
