/*
 * job.c — read, hash, parse and build the documents of one file (job.h).
 */
#include "passim/job.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "passim/entities.h"
#include "passim/article.h"
#include "passim/catalog.h"
#include "passim/passage.h"
#include "passim/schema.h"

px_job *
px_job_create(const char *path, int known, uint64_t known_hash,
              uint64_t max_file_size)
{
    px_job *job = calloc(1, sizeof *job);
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
px_job_destroy(px_job *job)
{
    if (!job)
        return;
    for (size_t i = 0; i < job->ndocs; i++)
        xc_document_destroy(job->docs[i]);
    px_words_clear(&job->words);
    free(job->docs);
    free(job->cut);
    free(job->why);
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

/* The article's date: from its content (front matter, HTML meta, a
 * dateline) or else the file's mtime (then 1 is returned). iso gets
 * "YYYY-MM-DD", ymd "YYYYMMDD" for the sortable value slot. */
static int
article_date(const px_article *a, const struct stat *st, char iso[11],
             char ymd[9])
{
    const char *d = px_article_date(a);
    int file_dated = !(d && strlen(d) == 10);
    if (!file_dated) {
        memcpy(iso, d, 11);
    } else {
        struct tm tm;
        time_t t = st->st_mtim.tv_sec;
        if (!gmtime_r(&t, &tm))
            memset(&tm, 0, sizeof tm);
        unsigned y = (unsigned)(tm.tm_year + 1900) % 10000u;
        snprintf(iso, 11, "%04u-%02u-%02u", y, (unsigned)(tm.tm_mon + 1) % 13u,
                 (unsigned)tm.tm_mday % 32u);
    }
    memcpy(ymd, iso, 4);
    memcpy(ymd + 4, iso + 5, 2);
    memcpy(ymd + 6, iso + 8, 2);
    ymd[8] = '\0';
    return file_dated;
}

static const char *
base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

typedef struct article_ctx {
    char id[PX_ARTICLE_ID_SIZE];
    char ymd[9];
    px_doc_extras extras;
} article_ctx;

/* The article's entity terms go on its first passage only: filters join
 * the other passages to it by article (query/filters.h). On every
 * passage they were 40% of the postings of 20 Newsgroups and a third of
 * the indexing time (bench/README.md). */
static px_status
add_doc(px_job *job, xc_termgen *tg, const article_ctx *ac,
        const px_record *r, int quoted)
{
    xc_document *doc = NULL;
    px_doc_extras extras = ac->extras;
    extras.quoted = quoted;
    if (job->ndocs > 0)
        extras.nterms = 0;
    if (xc_document_create(&doc) != XC_OK)
        return PX_NOMEM;
    px_status rc = px_schema_passage_document(tg, doc, ac->id, ac->ymd, r,
                                              &extras);
    if (rc != PX_OK) {
        xc_document_destroy(doc);
        return rc;
    }
    job->docs[job->ndocs++] = doc;
    return PX_OK;
}

/* The article's distinct words, for the index's vocabulary: what its
 * passages, title and path were indexed from. */
static px_status
collect_words(px_job *job, const char *title, const px_passages *ps)
{
    px_words_builder *b = px_words_builder_create();
    if (!b)
        return PX_NOMEM;
    px_status rc = px_words_builder_add(b, title, strlen(title));
    if (rc == PX_OK)
        rc = px_words_builder_add(b, job->path, strlen(job->path));
    for (size_t i = 0; rc == PX_OK && i < px_passages_count(ps); i++) {
        const px_passage *p = px_passages_get(ps, i);
        rc = px_words_builder_add(b, p->text, p->len);
    }
    if (rc == PX_OK)
        rc = px_words_finish(b, &job->words);
    px_words_builder_destroy(b);
    return rc;
}

/* One document per passage; an article that is all title (a one-line
 * note) is still an article: its title is its only passage. */
static px_status
write_docs(px_job *job, xc_termgen *tg, const px_article *a,
           const px_passages *ps, const article_ctx *ac,
           const px_article_entities *ents)
{
    size_t n = px_passages_count(ps);
    const char *path = job->path, *title = px_article_title(a);
    if (!*title)
        title = base_name(path);
    job->docs = calloc(n ? n : 1, sizeof *job->docs);
    px_status rc = job->docs ? PX_OK : PX_NOMEM;
    for (size_t i = 0; rc == PX_OK && i < n; i++) {
        const px_passage *p = px_passages_get(ps, i);
        const char *m = ents->mentions ? ents->mentions[i] : NULL;
        px_record r = {path, strlen(path), title, strlen(title), p->text,
                         p->len, (uint32_t)i, p->file_start, p->file_end,
                         m, m ? strlen(m) : 0, p->page};
        rc = add_doc(job, tg, ac, &r, p->quoted);
    }
    if (rc == PX_OK && n == 0) {
        px_record r = {path, strlen(path), title, strlen(title), title,
                         strlen(title), 0, 0, (uint64_t)job->now.st_size,
                         NULL, 0, 0};
        rc = add_doc(job, tg, ac, &r, 0);
    }
    if (rc == PX_OK)
        rc = collect_words(job, title, ps);
    return rc;
}

/* PASSIM_PASSAGE_MAX, a benchmark knob (bench/README.md): the longest
 * passage in bytes; 0 makes each article one passage (article-level
 * ranking). Unset: the defaults. */
static const px_passage_opts *
passage_opts(px_passage_opts *o)
{
    const char *s = getenv("PASSIM_PASSAGE_MAX");
    if (!s || !*s)
        return NULL;
    size_t n = (size_t)strtoull(s, NULL, 10);
    o->max_len = n ? n : SIZE_MAX / 2;
    o->min_len = n ? PX_PASSAGE_MIN_LEN : SIZE_MAX / 2;
    return o;
}

static px_status
build_docs(px_job *job, xc_termgen *tg, const px_article *a)
{
    px_passage_opts popts;
    px_passages *ps = NULL;
    px_article_entities ents = {0};
    article_ctx ac;
    char iso[11];
    px_article_id(job->path, ac.id);
    int file_dated = article_date(a, &job->now, iso, ac.ymd);
    px_status rc = px_passage_split(a, passage_opts(&popts), &ps);
    /* Dates that need the article's date ("Dec. 25", "last Tuesday") are
     * resolved only against a date the article states: a file's mtime is
     * often the day it was copied, and would fill the facets with dates
     * nobody wrote. The mtime still dates the article for published:. */
    if (rc == PX_OK && !job->no_entities)
        rc = px_entities_extract(a, ps, px_article_date(a), &ents);
    ac.extras = (px_doc_extras){ents.terms, ents.nterms, ents.slot,
                                ents.slot_len, file_dated, 0};
    if (rc == PX_OK)
        rc = write_docs(job, tg, a, ps, &ac, &ents);
    px_article_entities_free(&ents);
    px_passages_destroy(ps);
    return rc;
}

static void
parse_and_build(px_job *job, xc_termgen *tg, const char *buf, size_t len)
{
    px_article *a = NULL;
    char why[200];
    job->parse_status = px_article_parse_why(buf, len,
                                             px_article_format_of(job->path),
                                             &a, why, sizeof why);
    if (job->parse_status != PX_OK) {
        job->outcome = PX_OUTCOME_SKIPPED;
        if (why[0] != '\0')
            job->why = strdup(why);
        return;
    }
    job->repaired = px_article_repaired(a);
    if (px_article_cut(a) != NULL)
        job->cut = strdup(px_article_cut(a));
    job->status = build_docs(job, tg, a);
    job->outcome = PX_OUTCOME_INDEXED;
    px_article_destroy(a);
}

const char *
px_job_skip_reason(const px_job *job)
{
    if (job->outcome != PX_OUTCOME_SKIPPED)
        return NULL;
    if (job->err == EFBIG)
        return "over --max-file-size";
    switch (job->parse_status) {
    case PX_BINARY: return "not text";
    case PX_EMPTY: return "empty";
    case PX_TOO_COMPLEX: return "too complex";
    case PX_ENCRYPTED: return "encrypted PDF";
    case PX_DAMAGED: return "damaged PDF";
    case PX_UNSUPPORTED: return "not a format passim reads";
    default: return px_status_to_string(job->parse_status);
    }
}

void
px_job_run(px_job *job, xc_termgen *tg)
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
