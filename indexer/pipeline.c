/*
 * pipeline.c — many files through the writer, parsing in parallel
 * (pipeline.h).
 */
#include "pipeline.h"

#include <stdlib.h>
#include <uv.h>

#include "passim/schema.h"

#define DEFAULT_INFLIGHT 8

typedef struct pipeline {
    uv_loop_t loop;
    uv_mutex_t lock; /* guards the free term generators */
    xc_termgen **free_tg;
    size_t nfree;
    px_writer_t *w;
    const px_found_list *found;
    const px_pipeline_opts *opts;
    size_t next;     /* next file to plan */
    px_status rc;
} pipeline_t;

typedef struct work {
    uv_work_t req;
    pipeline_t *p;
    px_job_t *job;
    size_t index;
} work_t;

static xc_termgen *
take_termgen(pipeline_t *p)
{
    uv_mutex_lock(&p->lock);
    xc_termgen *tg = p->nfree ? p->free_tg[--p->nfree] : NULL;
    uv_mutex_unlock(&p->lock);
    return tg;
}

static void
give_termgen(pipeline_t *p, xc_termgen *tg)
{
    uv_mutex_lock(&p->lock);
    p->free_tg[p->nfree++] = tg;
    uv_mutex_unlock(&p->lock);
}

/* On a pool thread. There are as many term generators as jobs in flight,
 * so one is always free. */
static void
run_job(uv_work_t *req)
{
    work_t *wk = req->data;
    xc_termgen *tg = take_termgen(wk->p);
    px_job_run(wk->job, tg);
    give_termgen(wk->p, tg);
}

static void submit_next(pipeline_t *p);

/* On the loop's thread. */
static void
job_done(uv_work_t *req, int status)
{
    work_t *wk = req->data;
    pipeline_t *p = wk->p;
    char *msg = NULL;
    if (status == 0 && p->rc == PX_OK)
        p->rc = px_writer_apply(p->w, wk->job, &msg);
    if (p->opts->report)
        p->opts->report(p->opts->ctx, wk->index, wk->job->path,
                        wk->job->outcome, msg);
    free(msg);
    px_job_destroy(wk->job);
    free(wk);
    submit_next(p);
}

static int
stopping(const pipeline_t *p)
{
    return p->rc != PX_OK || (p->opts->stop && *p->opts->stop);
}

/* Plan files until one needs work, and queue it; unchanged files are
 * reported at once. */
static void
submit_next(pipeline_t *p)
{
    while (p->next < p->found->count && !stopping(p)) {
        size_t i = p->next++;
        const px_found_t *f = &p->found->items[i];
        px_job_t *job = NULL;
        p->rc = px_writer_plan(p->w, f->path, &f->st, &job);
        if (p->rc != PX_OK)
            return;
        if (!job) {
            if (p->opts->report)
                p->opts->report(p->opts->ctx, i, f->path,
                                PX_OUTCOME_UNCHANGED, NULL);
            continue;
        }
        work_t *wk = calloc(1, sizeof *wk);
        if (!wk) {
            px_job_destroy(job);
            p->rc = PX_NOMEM;
            return;
        }
        *wk = (work_t){.p = p, .job = job, .index = i};
        wk->req.data = wk;
        uv_queue_work(&p->loop, &wk->req, run_job, job_done);
        return;
    }
}

static px_status
make_termgens(pipeline_t *p, unsigned n)
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

px_status
px_pipeline_run(px_writer_t *w, const px_found_list *found,
                const px_pipeline_opts *opts)
{
    pipeline_t p = {.w = w, .found = found, .opts = opts, .rc = PX_OK};
    unsigned n = opts->inflight ? opts->inflight : DEFAULT_INFLIGHT;
    if (uv_loop_init(&p.loop) != 0)
        return PX_NOMEM;
    if (uv_mutex_init(&p.lock) != 0) {
        uv_loop_close(&p.loop);
        return PX_NOMEM;
    }
    px_status rc = make_termgens(&p, n);
    for (unsigned i = 0; rc == PX_OK && i < n; i++)
        submit_next(&p);
    if (rc == PX_OK) {
        uv_run(&p.loop, UV_RUN_DEFAULT);
        rc = p.rc;
    }
    for (size_t i = 0; i < p.nfree; i++)
        xc_termgen_destroy(p.free_tg[i]);
    free(p.free_tg);
    uv_mutex_destroy(&p.lock);
    uv_loop_close(&p.loop);
    return rc;
}
