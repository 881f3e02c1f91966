/*
 * watch.c — keep a database current with folders as they change
 * (watch.h).
 *
 * Events (watchfs.h) only say which path to look at again, and when
 * (now, or after a quiet settle period); the look reads the file system
 * and the catalog and does what they say: index, remove, or nothing. So
 * repeated, late or reordered events cannot leave the index wrong, and a
 * path whose job is in flight is looked at again once it is done.
 */
#define _GNU_SOURCE /* F_SETLEASE */
#include "watch.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <uv.h>

#include "passim/crawl.h"
#include "passim/pipeline.h"
#include "passim/reconcile.h"
#include "progress.h"
#include "watchfs.h"
#include "watchq.h"

#define PROG "passim-index"

/* The least time between two commits. Xapian keeps the revision before
 * the newest readable, so a reader has at least two gaps to finish a
 * query before it must reopen: commits back to back during a trickle of
 * files would starve readers (and cost a sync each) for no gain in
 * latency worth having. */
#define MIN_COMMIT_GAP_MS 25

typedef struct batch {
    size_t changes; /* anything written into the transaction */
    size_t indexed, removed, passages;
    uint64_t bytes;
    double start;   /* monotonic seconds of the first change */
} batch_t;

typedef struct watcher {
    uv_loop_t loop;
    uv_signal_t sigint, sigterm;
    uv_timer_t settle_timer, commit_timer, reconcile_timer;
    px_watchfs *fs;
    px_pipe *pipe;
    px_watchq *q;
    px_writer *w;
    const px_watch_opts *o;
    batch_t b;
    double last_commit; /* monotonic seconds */
    px_status rc;      /* the first fatal error */
    int stopping;      /* a signal came: finish what is in flight */
    int closed;        /* handles are closing */
    int watching_said; /* the "watching" line was printed */
    size_t folders_said; /* the number of folders it gave */
    int reconciling;   /* inside reconcile(): errors do not ask again */
    int enospc_said;
    const char *want_why; /* a reconcile asked for, and why (static) */
    int want_rewatch;
    int leases;        /* 0 once F_SETLEASE is known not to work here */
} watcher;

static void pump(watcher *wt);

static int
is_article(const char *path)
{
    return px_crawl_wanted(path);
}

static void
note_fatal(watcher *wt, px_status rc, const char *what)
{
    if (rc == PX_OK || wt->rc != PX_OK)
        return;
    wt->rc = rc;
    fprintf(stderr, PROG ": %s: %s\n", what,
            rc == PX_XAPIAN ? px_writer_last_error(wt->w)
                            : px_status_to_string(rc));
}

/* -- batches */

static void
commit(watcher *wt)
{
    if (wt->b.changes == 0 || wt->rc != PX_OK)
        return;
    double t0 = px_now();
    note_fatal(wt, px_writer_commit(wt->w), "commit");
    double t1 = px_now();
    if (!wt->o->quiet && wt->rc == PX_OK)
        fprintf(stderr, PROG ": committed %zu indexed, %zu removed, %zu "
                "passages in %.0f ms (batch of %.0f ms)\n", wt->b.indexed,
                wt->b.removed, wt->b.passages, (t1 - t0) * 1e3,
                (t1 - wt->b.start) * 1e3);
    memset(&wt->b, 0, sizeof wt->b);
    wt->last_commit = px_now();
    uv_timer_stop(&wt->commit_timer);
}

static void
on_commit_timer(uv_timer_t *t)
{
    watcher *wt = t->data;
    commit(wt);
    pump(wt);
}

/* Count a change into the batch; the first one starts the clock that
 * bounds a batch in time during a burst. */
static void
batch_add(watcher *wt, size_t indexed, size_t removed, size_t passages,
          uint64_t bytes)
{
    if (wt->b.changes == 0) {
        wt->b.start = px_now();
        if (!wt->closed)
            uv_timer_start(&wt->commit_timer, on_commit_timer,
                           wt->o->commit_ms, 0);
    }
    wt->b.changes++;
    wt->b.indexed += indexed;
    wt->b.removed += removed;
    wt->b.passages += passages;
    wt->b.bytes += bytes;
}

/* Commit when nothing is left to do, or when the batch is full; the
 * commit timer bounds it in time during a burst. */
static void
maybe_commit(watcher *wt)
{
    if (wt->b.changes == 0)
        return;
    int idle = px_watchq_ready(wt->q) == 0 && px_pipe_busy(wt->pipe) == 0;
    int full = wt->b.indexed + wt->b.removed >= wt->o->batch_files ||
               wt->b.bytes >= wt->o->batch_bytes;
    double since_ms = (px_now() - wt->last_commit) * 1e3;
    if (full || (idle && since_ms >= MIN_COMMIT_GAP_MS)) {
        commit(wt);
    } else if (idle && !wt->closed) {
        /* Too soon after the last commit: the timer commits at the gap. */
        uint64_t wait = (uint64_t)(MIN_COMMIT_GAP_MS - since_ms) + 1;
        if (uv_timer_get_due_in(&wt->commit_timer) > wait ||
            !uv_is_active((uv_handle_t *)&wt->commit_timer))
            uv_timer_start(&wt->commit_timer, on_commit_timer, wait, 0);
    }
}

/* -- looking at a path */

/* The file at `path` is gone (or is no article any more): remove what
 * the index has for it. */
static void
forget_file(watcher *wt, const char *path)
{
    if (!px_writer_has(wt->w, path))
        return;
    note_fatal(wt, px_writer_remove(wt->w, path), path);
    batch_add(wt, 0, 1, 0, 0);
    if (wt->o->verbose)
        fprintf(stderr, PROG ": removed %s\n", path);
}

/* Look at an entry popped from the FIFO: start its job, or remove it, or
 * nothing when the catalog says it is unchanged. */
static void
look(watcher *wt, px_wq_entry *e)
{
    struct stat st;
    if (stat(e->path, &st) != 0) {
        if (errno == ENOENT || errno == ENOTDIR)
            forget_file(wt, e->path);
        else
            fprintf(stderr, PROG ": %s: %s\n", e->path, strerror(errno));
    } else if (!S_ISREG(st.st_mode)) {
        forget_file(wt, e->path);
    } else {
        int started = 0;
        note_fatal(wt, px_pipe_add(wt->pipe, e->path, &st, &started),
                   e->path);
        if (started)
            e->flags |= PX_WQ_INFLIGHT;
    }
    px_watchq_release(wt->q, e);
}

static void
on_job_done(void *ctx, const px_job *job, const char *msg)
{
    watcher *wt = ctx;
    px_wq_entry *e = px_watchq_get(wt->q, job->path, 0);
    if (e) {
        e->flags &= ~(unsigned)PX_WQ_INFLIGHT;
        if (e->flags & PX_WQ_DIRTY) {
            e->flags &= ~(unsigned)PX_WQ_DIRTY;
            px_watchq_push(wt->q, e);
        }
        px_watchq_release(wt->q, e);
    }
    if (msg)
        fprintf(stderr, PROG ": %s: %s\n", job->path, msg);
    switch (job->outcome) {
    case PX_OUTCOME_INDEXED:
    case PX_OUTCOME_SKIPPED:
        batch_add(wt, 1, 0, job->ndocs, job->bytes);
        if (wt->o->verbose && job->outcome == PX_OUTCOME_INDEXED)
            fprintf(stderr, PROG ": indexed %s\n", job->path);
        break;
    case PX_OUTCOME_TOUCHED:
        batch_add(wt, 0, 0, 0, job->bytes);
        break;
    case PX_OUTCOME_REMOVED:
        batch_add(wt, 0, 1, 0, 0);
        if (wt->o->verbose)
            fprintf(stderr, PROG ": removed %s\n", job->path);
        break;
    default:
        break;
    }
    pump(wt);
}

/* Ask for a look at `path` now. A path being written keeps waiting for
 * its close unless `closed` (this is the close). */
static void
want_look(watcher *wt, const char *path, int closed)
{
    px_wq_entry *e = px_watchq_get(wt->q, path, 1);
    if (!e) {
        note_fatal(wt, PX_NOMEM, path);
        return;
    }
    if (closed)
        e->flags &= ~(unsigned)PX_WQ_WRITING;
    if (!(e->flags & PX_WQ_WRITING))
        px_watchq_push(wt->q, e);
    px_watchq_release(wt->q, e);
}

static void
warn_path(void *ctx, const char *path, const char *message)
{
    (void)ctx;
    fprintf(stderr, PROG ": %s: %s\n", path, message);
}

/* Crawl a folder new to the tree (its watches are in place, so a file
 * that arrives during the crawl is seen one way or the other) and look
 * at every article in it. */
static void
crawl_new_dir(watcher *wt, const char *dir)
{
    struct stat st;
    /* Gone again (renamed or deleted): its later events say where. */
    if (lstat(dir, &st) != 0 && errno == ENOENT)
        return;
    px_found_list found = {0};
    px_status rc = px_crawl(dir, &found, warn_path, NULL);
    if (rc == PX_NOMEM)
        note_fatal(wt, rc, dir);
    for (size_t i = 0; i < found.count; i++)
        want_look(wt, found.items[i].path, 0);
    px_found_list_free(&found);
}

typedef struct prefix_ctx {
    const char *dir;
    size_t n;
} prefix_ctx;

/* A job in flight under a folder that went may write its file back:
 * look at it again when it is done. */
static void
mark_dirty_under(void *ctx, px_wq_entry *e)
{
    const prefix_ctx *pc = ctx;
    if ((e->flags & PX_WQ_INFLIGHT) &&
        (pc->n == 0 ||
         (strncmp(e->path, pc->dir, pc->n) == 0 && e->path[pc->n] == '/')))
        e->flags |= PX_WQ_DIRTY;
}

static void
forget_dir(watcher *wt, const char *dir)
{
    size_t removed = 0;
    note_fatal(wt, px_writer_remove_under(wt->w, dir, &removed), dir);
    prefix_ctx pc = {dir, strlen(dir)};
    px_watchq_each(wt->q, mark_dirty_under, &pc);
    if (removed == 0)
        return;
    batch_add(wt, 0, removed, 0, 0);
    if (wt->o->verbose)
        fprintf(stderr, PROG ": removed %zu files under %s\n", removed, dir);
}

/* -- the settle period */

/* Does some process have the file open for writing? A read lease is
 * refused (EAGAIN) exactly then; it is released at once. 1 yes, 0 no,
 * -1 when this file system or this user cannot take leases. */
static int
open_for_writing(watcher *wt, const char *path)
{
    if (!wt->leases)
        return -1;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (fd < 0)
        return 0; /* gone or unreadable: the look says which */
    int r = 0;
    if (fcntl(fd, F_SETLEASE, F_RDLCK) == 0) {
        fcntl(fd, F_SETLEASE, F_UNLCK);
    } else {
        int err = errno;
        r = err == EAGAIN ? 1 : -1;
        if (err == EINVAL)
            wt->leases = 0;
    }
    close(fd);
    return r;
}

static void on_settle_timer(uv_timer_t *t);

static void
arm_settle(watcher *wt, double due)
{
    if (wt->closed)
        return;
    double ms = (due - px_now()) * 1e3;
    uint64_t when = ms > 0 ? (uint64_t)ms + 1 : 0;
    if (!uv_is_active((uv_handle_t *)&wt->settle_timer) ||
        uv_timer_get_due_in(&wt->settle_timer) > when)
        uv_timer_start(&wt->settle_timer, on_settle_timer, when, 0);
}

/* Something happened to `path` that is not a close: look at it once it
 * has been quiet for the settle period. `writing`: it was written to. */
static void
want_settle(watcher *wt, const char *path, int writing)
{
    px_wq_entry *e = px_watchq_get(wt->q, path, 1);
    if (!e) {
        note_fatal(wt, PX_NOMEM, path);
        return;
    }
    if (writing)
        e->flags |= PX_WQ_WRITING;
    e->flags |= PX_WQ_SETTLING;
    e->due = px_now() + wt->o->settle_ms / 1e3;
    arm_settle(wt, e->due);
}

typedef struct settle_scan {
    watcher *wt;
    double now, next;
} settle_scan;

/* A quiet file is looked at unless someone still has it open for
 * writing: then its close (IN_CLOSE_WRITE) will come. Without leases, a
 * file seen written waits for its close. */
static void
settle_one(void *ctx, px_wq_entry *e)
{
    settle_scan *s = ctx;
    if (!(e->flags & PX_WQ_SETTLING))
        return;
    if (e->due > s->now) {
        if (s->next == 0 || e->due < s->next)
            s->next = e->due;
        return;
    }
    e->flags &= ~(unsigned)PX_WQ_SETTLING;
    int open = open_for_writing(s->wt, e->path);
    if (open == 0 || (open < 0 && !(e->flags & PX_WQ_WRITING))) {
        e->flags &= ~(unsigned)PX_WQ_WRITING;
        px_watchq_push(s->wt->q, e);
    }
    px_watchq_release(s->wt->q, e);
}

static void
on_settle_timer(uv_timer_t *t)
{
    watcher *wt = t->data;
    settle_scan s = {wt, px_now(), 0};
    px_watchq_each(wt->q, settle_one, &s);
    if (s.next > 0)
        arm_settle(wt, s.next);
    pump(wt);
}

/* -- reconciling */

/* Bring the index level with the folders with the one-shot run's
 * reconcile (reconcile.h): every file found is queued for a look (the
 * writer's plan skips unchanged ones cheaply), every catalogued file not
 * found is removed. A root that is not a folder any more is left out
 * (its files may come back: a disk not mounted yet; if it was deleted,
 * its events removed them).
 * `rewatch`: drop every watch first, since after lost events their paths
 * may be stale. */
static void
reconcile(watcher *wt, int rewatch)
{
    const px_watch_opts *o = wt->o;
    wt->reconciling = 1;
    if (rewatch)
        px_watchfs_drop_all(wt->fs);
    for (size_t i = 0; i < o->nroots; i++)
        px_watchfs_add_tree(wt->fs, o->roots[i], 1);
    /* The roots that are folders: one that is gone is not a reason to
     * leave the others as they are. */
    char **here = calloc(o->nroots ? o->nroots : 1, sizeof *here);
    size_t nhere = 0;
    for (size_t i = 0; here && i < o->nroots; i++) {
        struct stat st;
        if (stat(o->roots[i], &st) == 0 && S_ISDIR(st.st_mode))
            here[nhere++] = o->roots[i];
        else
            fprintf(stderr, PROG ": %s: not a folder any more: left out "
                    "of the reconcile\n", o->roots[i]);
    }
    px_reconcile *r = NULL;
    px_status rc = here ? px_reconcile_start(wt->w, here, nhere, warn_path,
                                             NULL, &r) : PX_NOMEM;
    px_found f;
    int got = rc == PX_OK;
    while (rc == PX_OK && got && (rc = px_reconcile_next(r, &f, &got)) ==
           PX_OK && got) {
        px_writer_has(wt->w, f.path); /* marks it seen */
        want_look(wt, f.path, 0);
    }
    size_t removed = 0, unread = 0;
    if (rc == PX_OK && wt->rc == PX_OK)
        rc = px_reconcile_finish(r, &removed, &unread);
    px_reconcile_free(r);
    free(here);
    if (rc != PX_NOT_FOUND) /* gone since the stat: the next one sees */
        note_fatal(wt, rc, "reconcile");
    if (removed) {
        batch_add(wt, 0, removed, 0, 0);
        if (o->verbose)
            fprintf(stderr, PROG ": removed %zu files that are gone\n",
                    removed);
    }
    prefix_ctx all = {"", 0};
    px_watchq_each(wt->q, mark_dirty_under, &all);
    wt->reconciling = 0;
}

static void
on_reconcile_timer(uv_timer_t *t)
{
    watcher *wt = t->data;
    const char *why = wt->want_why;
    if (!wt->o->quiet && (why || wt->o->verbose))
        fprintf(stderr, PROG ": reconciling (%s)\n", why ? why : "periodic");
    int rewatch = wt->want_rewatch;
    wt->want_why = NULL;
    wt->want_rewatch = 0;
    reconcile(wt, rewatch);
    pump(wt);
}

/* Events may have been lost: reconcile soon, from the loop (not from
 * inside the event being handled). */
static void
ask_reconcile(watcher *wt, const char *why, int rewatch)
{
    if (wt->reconciling || wt->stopping)
        return;
    wt->want_why = why;
    wt->want_rewatch |= rewatch;
    uint64_t every = wt->o->reconcile_s * 1000ull;
    uv_timer_start(&wt->reconcile_timer, on_reconcile_timer, 0, every);
}

static unsigned long
max_user_watches(void)
{
    unsigned long n = 0;
    FILE *f = fopen("/proc/sys/fs/inotify/max_user_watches", "r");
    if (f) {
        if (fscanf(f, "%lu", &n) != 1)
            n = 0;
        fclose(f);
    }
    return n;
}

static void
watch_error(watcher *wt, const px_fs_event *ev)
{
    if (ev->err != ENOSPC) {
        fprintf(stderr, PROG ": %s: cannot watch: %s; reconciling\n",
                ev->path, strerror(ev->err));
        ask_reconcile(wt, "after a watch error", 0);
        return;
    }
    if (!wt->enospc_said) {
        unsigned long n = max_user_watches();
        fprintf(stderr, PROG ": %s: cannot watch: out of inotify watches "
                "(fs.inotify.max_user_watches is %lu); folders not watched "
                "are brought up to date by reconciles only: raise the limit, "
                "e.g. sysctl fs.inotify.max_user_watches=%lu\n", ev->path, n,
                n ? n * 4 : 524288);
        wt->enospc_said = 1;
    }
    ask_reconcile(wt, "out of inotify watches", 0);
}

static void
on_fs_event(void *ctx, const px_fs_event *ev)
{
    watcher *wt = ctx;
    switch (ev->kind) {
    case PX_FS_CLOSED:
    case PX_FS_GONE:
        if (is_article(ev->path))
            want_look(wt, ev->path, 1);
        break;
    case PX_FS_CREATED:
    case PX_FS_ATTRIB:
    case PX_FS_WRITTEN:
        if (is_article(ev->path))
            want_settle(wt, ev->path, ev->kind == PX_FS_WRITTEN);
        break;
    case PX_FS_DIR_NEW:
        crawl_new_dir(wt, ev->path);
        break;
    case PX_FS_DIR_GONE:
        forget_dir(wt, ev->path);
        break;
    case PX_FS_DIR_MOVED:
        forget_dir(wt, ev->old);
        crawl_new_dir(wt, ev->path);
        break;
    case PX_FS_LOST:
        fprintf(stderr, PROG ": the inotify queue overflowed: events were "
                "lost; reconciling\n");
        ask_reconcile(wt, "after lost events", 1);
        break;
    case PX_FS_ERROR:
        watch_error(wt, ev);
        break;
    }
    pump(wt);
}

/* -- starting and stopping */

static void
close_handles(watcher *wt)
{
    wt->closed = 1;
    px_watchfs_close(wt->fs);
    wt->fs = NULL;
    uv_close((uv_handle_t *)&wt->sigint, NULL);
    uv_close((uv_handle_t *)&wt->sigterm, NULL);
    uv_close((uv_handle_t *)&wt->settle_timer, NULL);
    uv_close((uv_handle_t *)&wt->commit_timer, NULL);
    uv_close((uv_handle_t *)&wt->reconcile_timer, NULL);
}

/* Stop taking events; pump() commits and closes once the jobs in flight
 * are done. */
static void
stop(watcher *wt)
{
    if (wt->stopping)
        return;
    wt->stopping = 1;
    uv_timer_stop(&wt->reconcile_timer);
    uv_timer_stop(&wt->settle_timer);
}

static void
pump(watcher *wt)
{
    px_wq_entry *e;
    while (!wt->stopping && wt->rc == PX_OK &&
           px_pipe_has_room(wt->pipe) && (e = px_watchq_pop(wt->q)))
        look(wt, e);
    note_fatal(wt, px_pipe_status(wt->pipe), "indexing");
    if (wt->rc != PX_OK)
        stop(wt);
    maybe_commit(wt);
    int idle = px_watchq_ready(wt->q) == 0 && px_pipe_busy(wt->pipe) == 0;
    /* Said once the start is done, and with -v whenever the number of
     * folders watched changed. */
    size_t folders = wt->fs ? px_watchfs_count(wt->fs) : 0;
    if (idle && wt->b.changes == 0 && !wt->stopping &&
        (!wt->watching_said ||
         (wt->o->verbose && folders != wt->folders_said))) {
        wt->watching_said = 1;
        wt->folders_said = folders;
        if (!wt->o->quiet)
            fprintf(stderr, PROG ": watching %zu folder%s\n", folders,
                    folders == 1 ? "" : "s");
    }
    if (wt->stopping && !wt->closed && px_pipe_busy(wt->pipe) == 0) {
        commit(wt);
        close_handles(wt);
    }
}

static void
on_signal(uv_signal_t *h, int signum)
{
    watcher *wt = h->data;
    if (!wt->o->quiet)
        fprintf(stderr, PROG ": %s: committing and stopping\n",
                signum == SIGINT ? "interrupted" : "terminated");
    stop(wt);
    pump(wt);
}

static void
init_handles(watcher *wt)
{
    uv_signal_init(&wt->loop, &wt->sigint);
    uv_signal_init(&wt->loop, &wt->sigterm);
    uv_timer_init(&wt->loop, &wt->settle_timer);
    uv_timer_init(&wt->loop, &wt->commit_timer);
    uv_timer_init(&wt->loop, &wt->reconcile_timer);
    wt->sigint.data = wt->sigterm.data = wt;
    wt->settle_timer.data = wt->commit_timer.data = wt;
    wt->reconcile_timer.data = wt;
}

static int
start_handles(watcher *wt)
{
    if (uv_signal_start(&wt->sigint, on_signal, SIGINT) != 0 ||
        uv_signal_start(&wt->sigterm, on_signal, SIGTERM) != 0)
        return -1;
    uint64_t every = wt->o->reconcile_s * 1000ull;
    if (every)
        uv_timer_start(&wt->reconcile_timer, on_reconcile_timer, every,
                       every);
    return 0;
}

static px_status
open_parts(watcher *wt)
{
    px_status rc = px_watchq_create(&wt->q);
    if (rc == PX_OK)
        rc = px_pipe_create(&wt->loop, wt->w, 0, on_job_done, wt, &wt->pipe);
    if (rc == PX_OK)
        rc = px_watchfs_open(&wt->loop, on_fs_event, wt, &wt->fs);
    if (rc == PX_UNSUPPORTED)
        fputs(PROG ": --watch needs inotify (Linux); on this system it is "
              "not available: run " PROG " without --watch instead\n",
              stderr);
    else if (rc != PX_OK)
        fprintf(stderr, PROG ": cannot start watching: %s\n",
                rc == PX_IO ? strerror(errno) : px_status_to_string(rc));
    return rc;
}

px_status
px_watch_run(px_writer *w, const px_watch_opts *opts)
{
    watcher *wt = calloc(1, sizeof *wt);
    if (!wt || uv_loop_init(&wt->loop) != 0) {
        free(wt);
        fputs(PROG ": out of memory\n", stderr);
        return PX_NOMEM;
    }
    wt->w = w;
    wt->o = opts;
    wt->leases = 1;
    /* A lease break would be signalled with SIGIO, whose default action
     * ends the process; the lease is held for a moment only, so ignore
     * it. */
    signal(SIGIO, SIG_IGN);
    init_handles(wt);
    px_status rc = open_parts(wt);
    if (rc == PX_OK && start_handles(wt) != 0) {
        fputs(PROG ": cannot handle signals\n", stderr);
        rc = PX_IO;
    }
    if (rc == PX_OK) {
        reconcile(wt, 0);
        pump(wt);
    } else {
        close_handles(wt);
    }
    uv_run(&wt->loop, UV_RUN_DEFAULT);
    if (rc == PX_OK)
        rc = wt->rc;
    px_pipe_destroy(wt->pipe);
    px_watchq_destroy(wt->q);
    if (uv_loop_close(&wt->loop) != 0)
        fputs(PROG ": internal error: handles left open\n", stderr);
    free(wt);
    return rc;
}
