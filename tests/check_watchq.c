/*
 * check_watchq.c — the watcher's table of paths (indexer/watchq.h): the
 * FIFO of paths due for a look, in-flight and dirty marks, releasing,
 * walking every entry, and a table of many paths.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "watchq.h"

static px_watchq *
make_queue(void)
{
    px_watchq *q = NULL;
    ck_assert_int_eq(px_watchq_create(&q), PX_OK);
    ck_assert_ptr_nonnull(q);
    return q;
}

static px_wq_entry *
entry(px_watchq *q, const char *path)
{
    px_wq_entry *e = px_watchq_get(q, path, 1);
    ck_assert_ptr_nonnull(e);
    ck_assert_str_eq(e->path, path);
    return e;
}

static void
path_of(char *buf, size_t size, size_t i)
{
    snprintf(buf, size, "/home/u/w/%zu/file-%zu.txt", i % 37, i);
}

/* get(create) makes an entry once, with no flags and its own copy of the
 * path; get without create finds it and makes nothing new. */
START_TEST(get_creates_once)
{
    px_watchq *q = make_queue();
    char path[64] = "/a/b.txt";
    ck_assert_ptr_null(px_watchq_get(q, path, 0));
    px_wq_entry *e = entry(q, path);
    ck_assert_uint_eq(e->flags, 0);
    ck_assert_ptr_ne(e->path, path);
    strcpy(path, "/a/c.txt"); /* the entry kept its own copy */
    ck_assert_str_eq(e->path, "/a/b.txt");
    ck_assert_ptr_eq(px_watchq_get(q, "/a/b.txt", 0), e);
    ck_assert_ptr_eq(px_watchq_get(q, "/a/b.txt", 1), e);
    ck_assert_ptr_null(px_watchq_get(q, "/a/c.txt", 0));
    ck_assert_ptr_null(px_watchq_get(q, "/a/b.tx", 0));
    ck_assert_uint_eq(px_watchq_ready(q), 0);
    px_watchq_destroy(q);
    px_watchq_destroy(NULL);
}
END_TEST

/* Entries come out in the order they were pushed, READY while queued
 * and not after; an empty FIFO pops NULL. */
START_TEST(fifo_order)
{
    enum { N = 200 };
    px_watchq *q = make_queue();
    px_wq_entry *pushed[N];
    char path[64];
    /* Pushed in a scrambled order of paths (i * 7 mod N). */
    for (size_t i = 0; i < N; i++) {
        path_of(path, sizeof path, (i * 7) % N);
        pushed[i] = entry(q, path);
        px_watchq_push(q, pushed[i]);
        ck_assert(pushed[i]->flags & PX_WQ_READY);
        ck_assert_uint_eq(px_watchq_ready(q), i + 1);
    }
    for (size_t i = 0; i < N; i++) {
        px_wq_entry *e = px_watchq_pop(q);
        ck_assert_ptr_eq(e, pushed[i]);
        ck_assert(!(e->flags & PX_WQ_READY));
        /* (After N / 2, that one is back in the FIFO.) */
        ck_assert_uint_eq(px_watchq_ready(q), N - i - 1 + (i > N / 2));
        /* Interleave: push one back, it goes to the end. */
        if (i == N / 2) {
            px_watchq_push(q, e);
            ck_assert_uint_eq(px_watchq_ready(q), N - i);
        }
    }
    ck_assert_ptr_eq(px_watchq_pop(q), pushed[N / 2]);
    ck_assert_ptr_null(px_watchq_pop(q));
    ck_assert_uint_eq(px_watchq_ready(q), 0);
    /* The FIFO works again once emptied. */
    px_watchq_push(q, pushed[3]);
    px_watchq_push(q, pushed[1]);
    ck_assert_ptr_eq(px_watchq_pop(q), pushed[3]);
    ck_assert_ptr_eq(px_watchq_pop(q), pushed[1]);
    ck_assert_ptr_null(px_watchq_pop(q));
    px_watchq_destroy(q);
}
END_TEST

/* Pushing an entry that is READY already leaves one place in the FIFO,
 * its first. */
START_TEST(push_ready_does_not_duplicate)
{
    px_watchq *q = make_queue();
    px_wq_entry *a = entry(q, "/a"), *b = entry(q, "/b");
    px_watchq_push(q, a);
    px_watchq_push(q, b);
    px_watchq_push(q, a);
    px_watchq_push(q, a);
    ck_assert_uint_eq(px_watchq_ready(q), 2);
    ck_assert_ptr_eq(px_watchq_pop(q), a);
    ck_assert_ptr_eq(px_watchq_pop(q), b);
    ck_assert_ptr_null(px_watchq_pop(q));
    /* A push ends SETTLING: it is due now. */
    a->flags |= PX_WQ_SETTLING;
    px_watchq_push(q, a);
    ck_assert_uint_eq(a->flags, PX_WQ_READY);
    ck_assert_ptr_eq(px_watchq_pop(q), a);
    px_watchq_destroy(q);
}
END_TEST

/* Pushing an entry whose job is in flight marks it DIRTY and queues
 * nothing; once the job is done, the watcher pushes it again. */
START_TEST(push_inflight_marks_dirty)
{
    px_watchq *q = make_queue();
    px_wq_entry *a = entry(q, "/a"), *b = entry(q, "/b");
    px_watchq_push(q, a);
    ck_assert_ptr_eq(px_watchq_pop(q), a);
    a->flags |= PX_WQ_INFLIGHT;
    px_watchq_push(q, a);
    px_watchq_push(q, a);
    ck_assert_uint_eq(a->flags, PX_WQ_INFLIGHT | PX_WQ_DIRTY);
    ck_assert_uint_eq(px_watchq_ready(q), 0);
    px_watchq_push(q, b);
    ck_assert_ptr_eq(px_watchq_pop(q), b);
    ck_assert_ptr_null(px_watchq_pop(q)); /* a was not queued */
    /* The job ends: dirty means look again. */
    a->flags &= ~(unsigned)(PX_WQ_INFLIGHT | PX_WQ_DIRTY);
    px_watchq_push(q, a);
    ck_assert_uint_eq(px_watchq_ready(q), 1);
    ck_assert_ptr_eq(px_watchq_pop(q), a);
    px_watchq_destroy(q);
}
END_TEST

/* Release frees an entry with no flags and keeps any other; the others
 * in its hash chain stay findable. */
START_TEST(release_frees_only_flagless)
{
    enum { N = 300 };
    static const unsigned kinds[] = {0, PX_WQ_READY, PX_WQ_SETTLING,
                                     PX_WQ_WRITING, PX_WQ_INFLIGHT,
                                     PX_WQ_INFLIGHT | PX_WQ_DIRTY};
    const size_t nkinds = sizeof kinds / sizeof *kinds;
    px_watchq *q = make_queue();
    char path[64];
    for (size_t i = 0; i < N; i++) {
        path_of(path, sizeof path, i);
        px_wq_entry *e = entry(q, path);
        unsigned k = kinds[i % nkinds];
        if (k & PX_WQ_READY)
            px_watchq_push(q, e);
        e->flags |= k;
    }
    for (size_t i = 0; i < N; i++) {
        path_of(path, sizeof path, i);
        px_watchq_release(q, px_watchq_get(q, path, 0));
    }
    size_t kept = 0;
    for (size_t i = 0; i < N; i++) {
        path_of(path, sizeof path, i);
        px_wq_entry *e = px_watchq_get(q, path, 0);
        if (kinds[i % nkinds] == 0) {
            ck_assert_msg(e == NULL, "%s released but still there", path);
        } else {
            ck_assert_msg(e != NULL, "%s lost", path);
            ck_assert_uint_eq(e->flags, kinds[i % nkinds]);
            kept++;
        }
    }
    ck_assert_uint_eq(kept, N - (N + nkinds - 1) / nkinds);
    /* The READY ones are still queued, in order, and released once
     * popped with no flags left. */
    size_t popped = 0;
    for (px_wq_entry *e; (e = px_watchq_pop(q)); popped++) {
        ck_assert_uint_eq(e->flags, 0);
        char *p = strdup(e->path);
        px_watchq_release(q, e);
        ck_assert_ptr_null(px_watchq_get(q, p, 0));
        free(p);
    }
    ck_assert_uint_eq(popped, N / nkinds);
    /* A released path comes back as a new, flagless entry. */
    path_of(path, sizeof path, 0);
    ck_assert_uint_eq(entry(q, path)->flags, 0);
    px_watchq_destroy(q);
}
END_TEST

typedef struct visit_ctx {
    px_watchq *q;
    size_t n;
    unsigned char *seen; /* per path index */
    size_t released;
} visit_ctx;

static size_t
index_of(const char *path)
{
    const char *dash = strrchr(path, '-');
    ck_assert_ptr_nonnull(dash);
    return (size_t)strtoul(dash + 1, NULL, 10);
}

/* Marks each visit; releases the visited entry when it has no flags (and
 * only that one, as watchq.h allows). */
static void
visit(void *ctx, px_wq_entry *e)
{
    visit_ctx *v = ctx;
    size_t i = index_of(e->path);
    ck_assert_uint_lt(i, v->n);
    v->seen[i]++;
    if (e->flags == 0) {
        px_watchq_release(v->q, e);
        v->released++;
    }
}

/* each visits every entry exactly once, even as it releases them. */
START_TEST(each_visits_once_and_may_release)
{
    enum { N = 5000 };
    px_watchq *q = make_queue();
    char path[64];
    for (size_t i = 0; i < N; i++) {
        path_of(path, sizeof path, i);
        px_wq_entry *e = entry(q, path);
        if (i % 3 == 0)
            e->flags = PX_WQ_WRITING;
    }
    visit_ctx v = {q, N, calloc(N, 1), 0};
    ck_assert_ptr_nonnull(v.seen);
    px_watchq_each(q, visit, &v);
    for (size_t i = 0; i < N; i++)
        ck_assert_msg(v.seen[i] == 1, "entry %zu visited %u times", i,
                      v.seen[i]);
    ck_assert_uint_eq(v.released, N - (N + 2) / 3);
    /* A second walk sees only those left, once each. */
    memset(v.seen, 0, N);
    v.released = 0;
    px_watchq_each(q, visit, &v);
    for (size_t i = 0; i < N; i++)
        ck_assert_uint_eq(v.seen[i], i % 3 == 0);
    ck_assert_uint_eq(v.released, 0);
    free(v.seen);
    px_watchq_destroy(q);
}
END_TEST

/* 50,000 paths: the table grows many times over; every entry is found
 * again (and the same), the FIFO keeps its order across the growth, and
 * half released leaves exactly the other half. */
START_TEST(many_paths)
{
    enum { N = 50000 };
    px_watchq *q = make_queue();
    px_wq_entry **made = malloc(N * sizeof *made);
    ck_assert_ptr_nonnull(made);
    char path[64];
    for (size_t i = 0; i < N; i++) {
        path_of(path, sizeof path, i);
        made[i] = entry(q, path);
        if (i % 2 == 0)
            px_watchq_push(q, made[i]);
    }
    ck_assert_uint_eq(px_watchq_ready(q), N / 2);
    for (size_t i = 0; i < N; i++) {
        path_of(path, sizeof path, i);
        ck_assert_ptr_eq(px_watchq_get(q, path, 0), made[i]);
        ck_assert_ptr_eq(px_watchq_get(q, path, 1), made[i]);
    }
    for (size_t i = 0; i < N; i += 2) {
        ck_assert_ptr_eq(px_watchq_pop(q), made[i]);
        ck_assert_uint_eq(px_watchq_ready(q), (N - i) / 2 - 1);
    }
    ck_assert_ptr_null(px_watchq_pop(q));
    for (size_t i = 0; i < N; i += 2)
        px_watchq_release(q, made[i]);
    visit_ctx v = {q, N, calloc(N, 1), 0};
    ck_assert_ptr_nonnull(v.seen);
    for (size_t i = 1; i < N; i += 2)
        made[i]->flags = PX_WQ_SETTLING; /* kept by visit() */
    px_watchq_each(q, visit, &v);
    for (size_t i = 0; i < N; i++) {
        ck_assert_uint_eq(v.seen[i], i % 2);
        path_of(path, sizeof path, i);
        ck_assert(!!px_watchq_get(q, path, 0) == (i % 2 == 1));
    }
    free(v.seen);
    free(made);
    px_watchq_destroy(q);
}
END_TEST

static Suite *
make_suite(void)
{
    const px_check_case cases[] = {
        {"get_creates_once", get_creates_once},
        {"fifo_order", fifo_order},
        {"push_ready_does_not_duplicate", push_ready_does_not_duplicate},
        {"push_inflight_marks_dirty", push_inflight_marks_dirty},
        {"release_frees_only_flagless", release_frees_only_flagless},
        {"each_visits_once_and_may_release",
         each_visits_once_and_may_release},
        {"many_paths", many_paths},
    };
    return px_check_suite("watchq", cases, sizeof cases / sizeof *cases);
}

PX_CHECK_MAIN(make_suite)
