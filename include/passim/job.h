/*
 * job.h — the work on one file that needs no database: read it, hash it,
 * parse it, cut it into passages and build their Xapian documents.
 *
 * The writer plans a job on its thread (it owns the catalog), a job runs
 * on any thread with that thread's own term generator, and the writer
 * applies the result on its thread (it owns the database). So parsing runs
 * in parallel while one writer commits.
 */
#ifndef PASSIM_JOB_H
#define PASSIM_JOB_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "passim.h"
#include "passim/status.h"
#include "passim/vocab.h"
#include "xapian-c.h"

/* px_outcome: passim.h. */

typedef struct px_job {
    /* Input, set when the job is planned. */
    char *path;
    int known;           /* the catalog has the file */
    uint64_t known_hash; /* its content hash there */
    uint64_t max_file_size;
    int no_entities;     /* skip entity extraction */
    /* Output, set by px_job_run. */
    px_outcome outcome;
    int err;             /* errno when the file could not be read */
    struct stat now;     /* the file as it was read */
    uint64_t hash;
    uint64_t bytes;
    size_t repaired;     /* invalid UTF-8 bytes repaired */
    char *cut;           /* what parsing left out (px_article_cut), owned */
    px_status parse_status;
    xc_document **docs;  /* one per passage */
    size_t ndocs;
    px_words words;      /* the article's distinct words (vocab.h) */
    px_status status;    /* PX_OK, or what failed (out of memory, Xapian) */
    char *why;           /* why parsing refused the file, when it said more
                          * than parse_status (a damaged PDF), owned */
} px_job;

/* A job for `path` (copied). NULL when out of memory. */
px_job *px_job_create(const char *path, int known, uint64_t known_hash,
                        uint64_t max_file_size);

/* Do the work, with `tg` (borrowed; one per thread). */
void px_job_run(px_job *job, xc_termgen *tg);

/* Why a skipped job's file was skipped, for a count by reason: a short
 * phrase ("not text", "empty", "over --max-file-size"); NULL when it was
 * not skipped. */
const char *px_job_skip_reason(const px_job *job);

void px_job_destroy(px_job *job);

#endif
