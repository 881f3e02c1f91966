/*
 * pipeline.c — many files through the writer, parsing in parallel
 * (pipeline.h).
 */
#include "pipeline.h"

#include <stdlib.h>

#include "passim/schema.h"

#define DEFAULT_INFLIGHT 8

struct px_pipe {
    uv_loop_t *loop;
    uv_mutex_t lock; /* guards the free term generators */
    xc_termgen **free_tg;
    size_t nfree;
    unsigned inflight; /* the most jobs at once */
    size_t busy;       /* jobs running now */
    px_writer_t *w;
    px_pipe_done_fn done;
    void *ctx;
    px_status rc;
    /* For px_pipeline_run only: the source and the report callback. */
    const px_pipeline_opts *opts;
    int source_done;
};

typedef struct work {
    uv_work_t req;
    px_pipe_t *p;
    px_job_t *job;
    uint64_t size; /* as found */
    px_status rc; /* of applying the job */
    char *msg;
    int applied;
} work_t;

static xc_termgen *
take_termgen(px_pipe_t *p)
{
    uv_mutex_lock(&p->lock);
    xc_termgen *tg = p->nfree ? p->free_tg[--p->nfree] : NULL;
    uv_mutex_unlock(&p->lock);
    return tg;
}

static void
give_termgen(px_pipe_t *p, xc_termgen *tg)
{
    uv_mutex_lock(&p->lock);
    p->free_tg[p->nfree++] = tg;
    uv_mutex_unlock(&p->lock);
}

/* On a pool thread. There are as many term generators as jobs in flight,
 * so one is always free. The job is applied here too, under its shard's
 * lock (writer.h): Xapian's inverter is most of a writer's time, and
 * with shards two pool threads can feed it at once. */
static void
run_job(uv_work_t *req)
{
    work_t *wk = req->data;
    xc_termgen *tg = take_termgen(wk->p);
    px_job_run(wk->job, tg);
    give_termgen(wk->p, tg);
    wk->rc = px_writer_apply(wk->p->w, wk->job, &wk->msg);
    wk->applied = 1;
}

static void submit_next(px_pipe_t *p);

/* On the loop's thread. */
static void
job_done(uv_work_t *req, int status)
{
    work_t *wk = req->data;
    px_pipe_t *p = wk->p;
    char *msg = wk->msg;
    p->busy--;
    if (status == 0 && wk->applied && p->rc == PX_OK)
        p->rc = wk->rc;
    if (p->done)
        p->done(p->ctx, wk->job, msg);
    else if (p->opts->report)
        p->opts->report(p->opts->ctx, wk->job->path, wk->size,
                        wk->job->outcome, msg);
    free(msg);
    px_job_destroy(wk->job);
    free(wk);
    if (p->opts)
        submit_next(p);
}

static px_status
start_job(px_pipe_t *p, px_job_t *job, uint64_t size)
{
    work_t *wk = calloc(1, sizeof *wk);
    if (!wk) {
        px_job_destroy(job);
        return PX_NOMEM;
    }
    *wk = (work_t){.p = p, .job = job, .size = size};
    wk->req.data = wk;
    if (uv_queue_work(p->loop, &wk->req, run_job, job_done) != 0) {
        px_job_destroy(job);
        free(wk);
        return PX_NOMEM;
    }
    p->busy++;
    return PX_OK;
}

static int
stopping(const px_pipe_t *p)
{
    return p->rc != PX_OK || (p->opts->stop && *p->opts->stop);
}

/* Plan files from the source until one needs work, and start it;
 * unchanged files are reported at once. */
static void
submit_next(px_pipe_t *p)
{
    while (!p->source_done && !stopping(p)) {
        px_found_t f;
        int got = 0;
        p->rc = p->opts->next(p->opts->next_ctx, &f, &got);
        if (p->rc != PX_OK || !got) {
            p->source_done = 1;
            return;
        }
        struct stat st;
        px_found_stat(&f, &st);
        px_job_t *job = NULL;
        p->rc = px_writer_plan(p->w, f.path, &st, &job);
        if (p->rc != PX_OK)
            return;
        if (!job) {
            if (p->opts->report)
                p->opts->report(p->opts->ctx, f.path, f.size,
                                PX_OUTCOME_UNCHANGED, NULL);
            continue;
        }
        p->rc = start_job(p, job, f.size);
        return;
    }
}

static px_status
make_termgens(px_pipe_t *p, unsigned n)
{
    p->free_tg = calloc(n, sizeof *p->free_tg);
    if (!p->free_tg)
        return PX_NOMEM;
    for (; p->nfree < n; p->nfree++) {
        px_status rc = px_schema_termgen(&p->free_tg[p->nfree]);
        if (rc != PX_OK)
            return rc;
    }
    return PX_OK;
}

static px_status
pipe_init(px_pipe_t *p, uv_loop_t *loop, px_writer_t *w, unsigned inflight)
{
    p->loop = loop;
    p->w = w;
    p->inflight = inflight ? inflight : DEFAULT_INFLIGHT;
    if (uv_mutex_init(&p->lock) != 0)
        return PX_NOMEM;
    return make_termgens(p, p->inflight);
}

static void
pipe_fini(px_pipe_t *p)
{
    for (size_t i = 0; i < p->nfree; i++)
        xc_termgen_destroy(p->free_tg[i]);
    free(p->free_tg);
    uv_mutex_destroy(&p->lock);
}

px_status
px_pipeline_run(px_writer_t *w, const px_pipeline_opts *opts)
{
    px_pipe_t p = {.opts = opts, .rc = PX_OK};
    uv_loop_t loop;
    if (uv_loop_init(&loop) != 0)
        return PX_NOMEM;
    px_status rc = pipe_init(&p, &loop, w, opts->inflight);
    for (unsigned i = 0; rc == PX_OK && i < p.inflight; i++)
        submit_next(&p);
    if (rc == PX_OK) {
        uv_run(&loop, UV_RUN_DEFAULT);
        rc = p.rc;
    }
    pipe_fini(&p);
    uv_loop_close(&loop);
    return rc;
}

px_status
px_pipe_create(uv_loop_t *loop, px_writer_t *w, unsigned inflight,
               px_pipe_done_fn done, void *ctx, px_pipe_t **out)
{
    *out = NULL;
    px_pipe_t *p = calloc(1, sizeof *p);
    if (!p)
        return PX_NOMEM;
    p->done = done;
    p->ctx = ctx;
    px_status rc = pipe_init(p, loop, w, inflight);
    if (rc != PX_OK) {
        pipe_fini(p);
        free(p);
        return rc;
    }
    *out = p;
    return PX_OK;
}

int
px_pipe_has_room(const px_pipe_t *p)
{
    return p->busy < p->inflight;
}

size_t
px_pipe_busy(const px_pipe_t *p)
{
    return p->busy;
}

px_status
px_pipe_add(px_pipe_t *p, const char *path, const struct stat *st,
            int *started)
{
    *started = 0;
    if (p->rc != PX_OK)
        return p->rc;
    px_job_t *job = NULL;
    p->rc = px_writer_plan(p->w, path, st, &job);
    if (p->rc == PX_OK && job) {
        p->rc = start_job(p, job, (uint64_t)st->st_size);
        *started = p->rc == PX_OK;
    }
    return p->rc;
}

px_status
px_pipe_status(const px_pipe_t *p)
{
    return p->rc;
}

void
px_pipe_destroy(px_pipe_t *p)
{
    if (!p)
        return;
    pipe_fini(p);
    free(p);
}
