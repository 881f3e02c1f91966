/*
 * job.c — read, hash, parse and build the documents of one file (job.h).
 */
#include "job.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "passim/article.h"
#include "passim/catalog.h"
#include "passim/passage.h"
#include "passim/schema.h"

px_job_t *
px_job_create(const char *path, int known, uint64_t known_hash,
              uint64_t max_file_size)
{
    px_job_t *job = calloc(1, sizeof *job);
    if (job && !(job->path = strdup(path))) {
        free(job);
        return NULL;
    }
    if (job) {
        job->known = known;
        job->known_hash = known_hash;
        job->max_file_size = max_file_size;
    }
    return job;
}

void
px_job_destroy(px_job_t *job)
{
    if (!job)
        return;
    for (size_t i = 0; i < job->ndocs; i++)
        xc_document_destroy(job->docs[i]);
    free(job->docs);
    free(job->path);
    free(job);
}

/* Read a whole regular file. On failure *err is the errno (EFBIG: over
 * the size limit). */
static char *
read_file(const char *path, uint64_t max, struct stat *st, size_t *len,
          int *err)
{
    *err = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0 || fstat(fd, st) != 0) {
        *err = errno;
        if (fd >= 0)
            close(fd);
        return NULL;
    }
    if (!S_ISREG(st->st_mode) || (uint64_t)st->st_size > max) {
        *err = S_ISREG(st->st_mode) ? EFBIG : EINVAL;
        close(fd);
        return NULL;
    }
    size_t cap = (size_t)st->st_size, n = 0;
    char *buf = malloc(cap + 1);
    while (buf) {
        ssize_t got = read(fd, buf + n, cap - n);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0) {
            if (got < 0)
                *err = errno;
            break;
        }
        n += (size_t)got;
        if (n == cap) /* the file grew while we read: take what it had */
            break;
    }
    if (!buf)
        *err = ENOMEM;
    close(fd);
    if (*err) {
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

static void
date_of(const struct stat *st, char date[9])
{
    struct tm tm;
    time_t t = st->st_mtim.tv_sec;
    if (!gmtime_r(&t, &tm))
        memset(&tm, 0, sizeof tm);
    unsigned y = (unsigned)(tm.tm_year + 1900) % 10000u;
    snprintf(date, 9, "%04u%02u%02u", y, (unsigned)(tm.tm_mon + 1) % 13u,
             (unsigned)tm.tm_mday % 32u);
}

static const char *
base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

static px_status
add_doc(px_job_t *job, xc_termgen *tg, const char *id, const char *date,
        const px_record_t *r)
{
    xc_document *doc = NULL;
    if (xc_document_create(&doc) != XC_OK)
        return PX_NOMEM;
    px_status rc = px_schema_passage_document(tg, doc, id, date, r);
    if (rc != PX_OK) {
        xc_document_destroy(doc);
        return rc;
    }
    job->docs[job->ndocs++] = doc;
    return PX_OK;
}

/* One document per passage; an article that is all title (a one-line
 * note) is still an article: its title is its only passage. */
static px_status
build_docs(px_job_t *job, xc_termgen *tg, const px_article_t *a)
{
    px_passages_t *ps = NULL;
    px_status rc = px_passage_split(a, NULL, &ps);
    size_t n = rc == PX_OK ? px_passages_count(ps) : 0;
    job->docs = rc == PX_OK ? calloc(n ? n : 1, sizeof *job->docs) : NULL;
    if (rc == PX_OK && !job->docs)
        rc = PX_NOMEM;
    char id[PX_ARTICLE_ID_SIZE], date[9];
    px_article_id(job->path, id);
    date_of(&job->now, date);
    const char *path = job->path, *title = px_article_title(a);
    if (!*title)
        title = base_name(path);
    for (size_t i = 0; rc == PX_OK && i < n; i++) {
        const px_passage_t *p = px_passages_get(ps, i);
        px_record_t r = {path, strlen(path), title, strlen(title), p->text,
                         p->len, (uint32_t)i, p->file_start, p->file_end};
        rc = add_doc(job, tg, id, date, &r);
    }
    if (rc == PX_OK && n == 0) {
        px_record_t r = {path, strlen(path), title, strlen(title), title,
                         strlen(title), 0, 0, (uint64_t)job->now.st_size};
        rc = add_doc(job, tg, id, date, &r);
    }
    px_passages_destroy(ps);
    return rc;
}

static void
parse_and_build(px_job_t *job, xc_termgen *tg, const char *buf, size_t len)
{
    px_article_t *a = NULL;
    job->parse_status = px_article_parse(buf, len,
                                         px_article_format_of(job->path), &a);
    if (job->parse_status != PX_OK) {
        job->outcome = PX_OUTCOME_SKIPPED;
        return;
    }
    job->repaired = px_article_repaired(a);
    job->status = build_docs(job, tg, a);
    job->outcome = PX_OUTCOME_INDEXED;
    px_article_destroy(a);
}

void
px_job_run(px_job_t *job, xc_termgen *tg)
{
    size_t len = 0;
    char *buf = read_file(job->path, job->max_file_size, &job->now, &len,
                          &job->err);
    if (!buf) {
        job->outcome = job->err == ENOENT ? PX_OUTCOME_REMOVED
                       : job->err == EFBIG ? PX_OUTCOME_SKIPPED
                                           : PX_OUTCOME_FAILED;
        if (job->err == ENOMEM)
            job->status = PX_NOMEM;
        return;
    }
    job->bytes = len;
    job->hash = px_catalog_hash(buf, len);
    if (job->known && job->known_hash == job->hash)
        job->outcome = PX_OUTCOME_TOUCHED;
    else
        parse_and_build(job, tg, buf, len);
    free(buf);
}
