/*
 * pipeline.c — many files through the writer, parsing in parallel
 * (pipeline.h).
 */
#include "passim/pipeline.h"

#include <stdlib.h>

#include "passim/dbpath.h"
#include "passim/schema.h"

#define DEFAULT_INFLIGHT 32

typedef struct work work_t;

/* The parsed jobs waiting for one shard's writer thread, in the order
 * they were parsed. */
typedef struct wqueue {
    px_pipe *p;
    work_t *head, *tail;
    uv_cond_t ready;
    uv_thread_t thread;
    int has_cond, has_thread;
} wqueue;

struct px_pipe {
    uv_loop_t *loop;
    uv_mutex_t lock; /* guards the free term generators */
    xc_termgen **free_tg;
    size_t nfree;
    unsigned inflight; /* the most jobs at once */
    size_t busy;       /* jobs parsing, waiting or being applied */
    px_writer *w;
    px_pipe_done_fn done;
    void *ctx;
    px_status rc;
    /* One writer thread per shard applies its jobs, so that a pool thread
     * never waits for a shard's lock: it parses the next file instead. */
    uv_mutex_t qlock; /* guards the queues, the applied list and quit */
    wqueue *queues;
    size_t nwriters;
    int quit;
    work_t *applied, *applied_tail; /* for the loop to finish */
    uv_async_t wake;                /* tells the loop about them */
    int wake_open;
    /* For px_pipeline_run only: the source and the report callback. */
    const px_pipeline_opts *opts;
    int source_done;
};

struct work {
    uv_work_t req;
    px_pipe *p;
    px_job *job;
    uint64_t size; /* as found */
    px_status rc; /* of applying the job */
    char *msg;
    /* On the loop's thread: the pool is done with req, the writer with
     * the job. The work is finished when both are. */
    int pool_done, writer_done;
    work_t *next;
};

static xc_termgen *
take_termgen(px_pipe *p)
{
    uv_mutex_lock(&p->lock);
    xc_termgen *tg = p->nfree ? p->free_tg[--p->nfree] : NULL;
    uv_mutex_unlock(&p->lock);
    return tg;
}

static void
give_termgen(px_pipe *p, xc_termgen *tg)
{
    uv_mutex_lock(&p->lock);
    p->free_tg[p->nfree++] = tg;
    uv_mutex_unlock(&p->lock);
}

static void
append(work_t **head, work_t **tail, work_t *wk)
{
    wk->next = NULL;
    if (*tail)
        (*tail)->next = wk;
    else
        *head = wk;
    *tail = wk;
}

/* On a pool thread. There are as many term generators as jobs in flight,
 * so one is always free. The parsed job goes to its shard's writer. */
static void
run_job(uv_work_t *req)
{
    work_t *wk = req->data;
    px_pipe *p = wk->p;
    xc_termgen *tg = take_termgen(p);
    px_job_run(wk->job, tg);
    give_termgen(p, tg);
    wqueue *q = &p->queues[px_dbpath_shard_of(wk->job->path, p->nwriters)];
    uv_mutex_lock(&p->qlock);
    append(&q->head, &q->tail, wk);
    uv_cond_signal(&q->ready);
    uv_mutex_unlock(&p->qlock);
}

/* On a writer thread: apply its shard's jobs as they come, until told to
 * quit with nothing left. */
static void
writer_main(void *arg)
{
    wqueue *q = arg;
    px_pipe *p = q->p;
    uv_mutex_lock(&p->qlock);
    for (;;) {
        while (!q->head && !p->quit)
            uv_cond_wait(&q->ready, &p->qlock);
        work_t *wk = q->head;
        if (!wk)
            break;
        q->head = wk->next;
        if (!q->head)
            q->tail = NULL;
        uv_mutex_unlock(&p->qlock);
        wk->rc = px_writer_apply(p->w, wk->job, &wk->msg);
        uv_mutex_lock(&p->qlock);
        append(&p->applied, &p->applied_tail, wk);
        uv_async_send(&p->wake);
    }
    uv_mutex_unlock(&p->qlock);
}

static void submit_next(px_pipe *p);

/* On the loop's thread, once a job is applied (or could not be run). */
static void
finish(px_pipe *p, work_t *wk)
{
    char *msg = wk->msg;
    p->busy--;
    if (wk->writer_done && p->rc == PX_OK)
        p->rc = wk->rc;
    if (p->done)
        p->done(p->ctx, wk->job, msg);
    else if (p->opts->report)
        p->opts->report(p->opts->ctx, wk->job->path, wk->size,
                        wk->job->outcome, msg,
                        px_job_skip_reason(wk->job));
    free(msg);
    px_job_destroy(wk->job);
    free(wk);
}

static void
finish_and_go_on(px_pipe *p, work_t *wk)
{
    finish(p, wk);
    if (p->opts)
        submit_next(p);
}

/* Keep the loop alive exactly while jobs are in flight (uv_ref and
 * uv_unref do nothing twice). */
static void
hold_loop(px_pipe *p)
{
    if (p->busy > 0)
        uv_ref((uv_handle_t *)&p->wake);
    else
        uv_unref((uv_handle_t *)&p->wake);
}

/* On the loop's thread: the writers have applied jobs. */
static void
on_wake(uv_async_t *h)
{
    px_pipe *p = h->data;
    uv_mutex_lock(&p->qlock);
    work_t *wk = p->applied;
    p->applied = p->applied_tail = NULL;
    uv_mutex_unlock(&p->qlock);
    while (wk) {
        work_t *next = wk->next;
        wk->writer_done = 1;
        if (wk->pool_done)
            finish_and_go_on(p, wk);
        wk = next;
    }
    hold_loop(p);
}

/* On the loop's thread, once a job has run on the pool: it is queued for
 * its writer, unless the pool could not run it. */
static void
job_done(uv_work_t *req, int status)
{
    work_t *wk = req->data;
    px_pipe *p = wk->p;
    wk->pool_done = 1;
    if (status == 0 && !wk->writer_done)
        return;
    finish_and_go_on(p, wk);
    hold_loop(p);
}

static px_status
start_job(px_pipe *p, px_job *job, uint64_t size)
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
    hold_loop(p);
    return PX_OK;
}

static int
stopping(const px_pipe *p)
{
    return p->rc != PX_OK || (p->opts->stop && *p->opts->stop);
}

/* Plan files from the source until one needs work, and start it;
 * unchanged files are reported at once. */
static void
submit_next(px_pipe *p)
{
    while (!p->source_done && !stopping(p)) {
        px_found f;
        int got = 0;
        p->rc = p->opts->next(p->opts->next_ctx, &f, &got);
        if (p->rc != PX_OK || !got) {
            p->source_done = 1;
            return;
        }
        struct stat st;
        px_found_stat(&f, &st);
        px_job *job = NULL;
        p->rc = px_writer_plan(p->w, f.path, &st, &job);
        if (p->rc != PX_OK)
            return;
        if (!job) {
            if (p->opts->report)
                p->opts->report(p->opts->ctx, f.path, f.size,
                                PX_OUTCOME_UNCHANGED, NULL, NULL);
            continue;
        }
        p->rc = start_job(p, job, f.size);
        return;
    }
}

static px_status
make_termgens(px_pipe *p, unsigned n)
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
start_writers(px_pipe *p)
{
    size_t n = px_writer_shards(p->w);
    if (uv_mutex_init(&p->qlock) != 0)
        return PX_NOMEM;
    p->queues = calloc(n, sizeof *p->queues);
    if (!p->queues) {
        uv_mutex_destroy(&p->qlock);
        return PX_NOMEM;
    }
    p->nwriters = n;
    for (size_t i = 0; i < p->nwriters; i++) {
        wqueue *q = &p->queues[i];
        q->p = p;
        q->has_cond = uv_cond_init(&q->ready) == 0;
        q->has_thread =
            q->has_cond && uv_thread_create(&q->thread, writer_main, q) == 0;
        if (!q->has_thread)
            return PX_NOMEM;
    }
    return PX_OK;
}

static void
stop_writers(px_pipe *p)
{
    if (!p->queues)
        return;
    uv_mutex_lock(&p->qlock);
    p->quit = 1;
    for (size_t i = 0; i < p->nwriters; i++) {
        if (p->queues[i].has_cond)
            uv_cond_signal(&p->queues[i].ready);
    }
    uv_mutex_unlock(&p->qlock);
    for (size_t i = 0; i < p->nwriters; i++) {
        wqueue *q = &p->queues[i];
        if (q->has_thread)
            uv_thread_join(&q->thread);
        if (q->has_cond)
            uv_cond_destroy(&q->ready);
    }
    uv_mutex_destroy(&p->qlock);
    free(p->queues);
    p->queues = NULL;
}

static px_status
pipe_init(px_pipe *p, uv_loop_t *loop, px_writer *w, unsigned inflight)
{
    p->loop = loop;
    p->w = w;
    p->inflight = inflight ? inflight : DEFAULT_INFLIGHT;
    if (uv_mutex_init(&p->lock) != 0)
        return PX_NOMEM;
    if (uv_async_init(loop, &p->wake, on_wake) != 0)
        return PX_NOMEM;
    p->wake.data = p;
    p->wake_open = 1;
    uv_unref((uv_handle_t *)&p->wake);
    px_status rc = start_writers(p);
    return rc == PX_OK ? make_termgens(p, p->inflight) : rc;
}

/* Only once no job is in flight. Runs the loop to close the wake-up
 * handle. */
static void
pipe_fini(px_pipe *p)
{
    stop_writers(p);
    if (p->wake_open) {
        uv_close((uv_handle_t *)&p->wake, NULL);
        uv_run(p->loop, UV_RUN_NOWAIT); /* its close callback only */
    }
    for (size_t i = 0; i < p->nfree; i++)
        xc_termgen_destroy(p->free_tg[i]);
    free(p->free_tg);
    uv_mutex_destroy(&p->lock);
}

px_status
px_pipeline_run(px_writer *w, const px_pipeline_opts *opts)
{
    px_pipe p = {.opts = opts, .rc = PX_OK};
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
px_pipe_create(uv_loop_t *loop, px_writer *w, unsigned inflight,
               px_pipe_done_fn done, void *ctx, px_pipe **out)
{
    *out = NULL;
    px_pipe *p = calloc(1, sizeof *p);
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
px_pipe_has_room(const px_pipe *p)
{
    return p->busy < p->inflight;
}

size_t
px_pipe_busy(const px_pipe *p)
{
    return p->busy;
}

px_status
px_pipe_add(px_pipe *p, const char *path, const struct stat *st,
            int *started)
{
    *started = 0;
    if (p->rc != PX_OK)
        return p->rc;
    px_job *job = NULL;
    p->rc = px_writer_plan(p->w, path, st, &job);
    if (p->rc == PX_OK && job) {
        p->rc = start_job(p, job, (uint64_t)st->st_size);
        *started = p->rc == PX_OK;
    }
    return p->rc;
}

px_status
px_pipe_status(const px_pipe *p)
{
    return p->rc;
}

void
px_pipe_destroy(px_pipe *p)
{
    if (!p)
        return;
    pipe_fini(p);
    free(p);
}
