/*
 * check_update.c — libpassim's px_index_update (passim.h): what the
 * callbacks tell and the summary counts, checked against the files
 * written and against a search of the index it made.
 */
#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check_main.h"
#include "passim.h"
#include "xapian-c.h"

static char dir[64];
static char db[96];
static char docs[96];

typedef struct heard {
    size_t files, problems, totals;
    size_t by[PX_OUTCOME_REMOVED + 1];
    size_t total_files;
    size_t messages;
    volatile sig_atomic_t *stop; /* set after stop_after files */
    size_t stop_after;
} heard;

static void
on_file(void *ctx, const px_update_file *f)
{
    heard *h = ctx;
    ck_assert_ptr_nonnull(f->path);
    ck_assert_int_eq(f->path[0], '/');
    ck_assert_int_eq(f->outcome == PX_OUTCOME_SKIPPED, f->skipped != NULL);
    h->files++;
    h->by[f->outcome]++;
    h->messages += f->message != NULL;
    if (h->stop && h->files >= h->stop_after)
        *h->stop = 1;
}

static void
on_problem(void *ctx, const char *path, const char *message)
{
    ck_assert_ptr_nonnull(path);
    ck_assert_ptr_nonnull(message);
    ((heard *)ctx)->problems++;
}

static void
on_total(void *ctx, size_t files, uint64_t bytes)
{
    heard *h = ctx;
    (void)bytes;
    h->totals++;
    h->total_files = files;
}

static void
write_file(const char *rel, const char *text, size_t len)
{
    char path[256], cmd[320];
    snprintf(path, sizeof path, "%s/%s", docs, rel);
    snprintf(cmd, sizeof cmd, "mkdir -p \"$(dirname '%s')\"", path);
    ck_assert_int_eq(system(cmd), 0);
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(text, 1, len, f), len);
    ck_assert_int_eq(fclose(f), 0);
}

#define NTEXT 40

/* NTEXT articles, one empty file and one binary one. */
static void
setup(void)
{
    px_check_mkdtemp(dir, "/tmp/passim-update-XXXXXX");
    snprintf(db, sizeof db, "%s/db", dir);
    snprintf(docs, sizeof docs, "%s/docs", dir);
    for (int i = 0; i < NTEXT; i++) {
        char rel[32], text[200];
        snprintf(rel, sizeof rel, "part%d/a%02d.txt", i % 3, i);
        int n = snprintf(text, sizeof text, "Report %d\n\nThe ferry number "
                         "%d crossed the strait at dawn with %d cars.\n", i,
                         i, i * 7);
        write_file(rel, text, (size_t)n);
    }
    write_file("empty.txt", "", 0);
    static const char blob[] = "\x7f" "ELF\0\0\0\x01\x02\x03\0\0\0\0";
    write_file("blob.txt", blob, sizeof blob - 1);
}

static void
teardown(void)
{
    px_check_rmtree(dir);
}

static px_status
update(heard *h, px_update_summary *s, const char *folder)
{
    const char *folders[] = {folder ? folder : docs};
    px_update_opts o = {.db = db, .shards = 2, .total = 1,
                        .stop = h->stop,
                        .callbacks = {on_file, on_problem, on_total, h}};
    char *err = NULL;
    px_status rc = px_index_update(folders, 1, &o, s, &err);
    ck_assert_msg(rc == PX_OK || err != NULL || rc == PX_NOT_FOUND,
                  "a failure without a message");
    free(err);
    return rc;
}

static size_t
articles(const char *query)
{
    px_index *ix = NULL;
    char *err = NULL;
    const char *name = db;
    ck_assert_int_eq(px_index_open(&name, 1, NULL, &ix, &err), PX_OK);
    px_request rq = {.query = query, .limit = 1000, .per_article = 1};
    px_results *r = NULL;
    ck_assert_int_eq(px_search(ix, &rq, &r, &err), PX_OK);
    size_t n = r->narticles;
    px_results_free(r);
    px_index_close(ix);
    return n;
}

START_TEST(counts_agree_with_files_and_index)
{
    heard h = {0};
    px_update_summary s;
    ck_assert_int_eq(update(&h, &s, NULL), PX_OK);
    ck_assert_uint_eq(h.totals, 1);
    ck_assert_uint_eq(h.total_files, NTEXT + 2);
    ck_assert_uint_eq(h.files, NTEXT + 2);
    ck_assert_uint_eq(s.indexed, NTEXT);
    ck_assert_uint_eq(h.by[PX_OUTCOME_INDEXED], NTEXT);
    ck_assert_uint_eq(s.skipped, 2);
    ck_assert_uint_eq(h.by[PX_OUTCOME_SKIPPED], 2);
    ck_assert_uint_eq(s.failed + s.removed + s.unchanged, 0);
    ck_assert_uint_ge(s.passages, NTEXT);
    ck_assert_int_eq(s.opened, 1);
    ck_assert_int_eq(s.stopped, 0);
    ck_assert_uint_eq(articles("ferry strait"), NTEXT);
}
END_TEST

START_TEST(second_run_reads_nothing_and_removes_the_gone)
{
    heard h = {0};
    px_update_summary s;
    ck_assert_int_eq(update(&h, &s, NULL), PX_OK);
    char path[256];
    snprintf(path, sizeof path, "%s/part1/a01.txt", docs);
    ck_assert_int_eq(unlink(path), 0);
    heard h2 = {0};
    ck_assert_int_eq(update(&h2, &s, NULL), PX_OK);
    ck_assert_uint_eq(s.removed, 1);
    ck_assert_uint_eq(s.indexed, 0);
    ck_assert_uint_eq(s.unchanged + s.skipped, NTEXT + 1);
    ck_assert_uint_eq(s.bytes_read, 0); /* unchanged files are not read */
    ck_assert_uint_eq(articles("ferry strait"), NTEXT - 1);
}
END_TEST

START_TEST(a_folder_that_is_not_one)
{
    heard h = {0};
    px_update_summary s;
    char file[256];
    snprintf(file, sizeof file, "%s/part0/a00.txt", docs);
    ck_assert_int_eq(update(&h, &s, file), PX_NOT_FOUND);
    ck_assert_uint_eq(h.problems, 1);
    ck_assert_uint_eq(h.files, 0);
    snprintf(file, sizeof file, "%s/nowhere", dir);
    ck_assert_int_eq(update(&h, &s, file), PX_NOT_FOUND);
    ck_assert_uint_eq(h.problems, 2);
    ck_assert_uint_eq(h.files, 0);
}
END_TEST

/* A folder that cannot be listed is a problem and counts as a failure,
 * and the files the index has under it are not taken as gone. */
/* Run the rest of a test as a user that permissions bind (root reads
 * every folder), who is given the tree first. */
static void
not_as_root(void)
{
    if (geteuid() != 0)
        return;
    char cmd[160];
    snprintf(cmd, sizeof cmd, "chown -R 65534:65534 '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
    ck_assert_int_eq(setgid(65534), 0);
    ck_assert_int_eq(setuid(65534), 0);
}

START_TEST(an_unreadable_folder_keeps_its_files)
{
    heard h = {0};
    px_update_summary s;
    ck_assert_int_eq(update(&h, &s, NULL), PX_OK);
    not_as_root();
    char part[256];
    snprintf(part, sizeof part, "%s/part2", docs);
    ck_assert_int_eq(chmod(part, 0), 0);
    heard h2 = {0};
    px_status rc = update(&h2, &s, NULL);
    chmod(part, 0755);
    ck_assert_int_eq(rc, PX_OK);
    ck_assert_uint_eq(h2.problems, 1);
    ck_assert_uint_eq(s.failed, 1);
    ck_assert_uint_eq(s.removed, 0);
    ck_assert_uint_eq(articles("ferry strait"), NTEXT);
}
END_TEST

START_TEST(stop_commits_what_was_done)
{
    volatile sig_atomic_t stop = 0;
    heard h = {.stop = &stop, .stop_after = 5};
    px_update_summary s;
    ck_assert_int_eq(update(&h, &s, NULL), PX_OK);
    ck_assert_int_eq(s.stopped, 1);
    ck_assert_uint_lt(h.files, NTEXT + 2);
    size_t found = articles("ferry strait");
    ck_assert_uint_eq(found, s.indexed);
    /* The next run does the rest, and removes nothing. */
    heard h2 = {0};
    ck_assert_int_eq(update(&h2, &s, NULL), PX_OK);
    ck_assert_uint_eq(s.removed, 0);
    ck_assert_uint_eq(articles("ferry strait"), NTEXT);
}
END_TEST

/* Another writer holds a shard: the update says so and opens nothing. */
START_TEST(a_locked_database)
{
    heard h = {0};
    px_update_summary s;
    ck_assert_int_eq(update(&h, &s, NULL), PX_OK);
    char shard[160];
    snprintf(shard, sizeof shard, "%s/shard1", db);
    xc_database *held = NULL;
    char *xerr = NULL;
    ck_assert_int_eq(xc_database_open_writable(shard, &held, &xerr), XC_OK);
    const char *folders[] = {docs};
    px_update_opts o = {.db = db};
    char *err = NULL;
    ck_assert_int_eq(px_index_update(folders, 1, &o, &s, &err), PX_LOCKED);
    ck_assert_ptr_nonnull(err);
    ck_assert_ptr_nonnull(strstr(err, "locked"));
    ck_assert_int_eq(s.opened, 0);
    free(err);
    xc_database_close(held);
    ck_assert_int_eq(px_index_update(folders, 1, &o, &s, &err), PX_OK);
    ck_assert_uint_eq(s.unchanged, NTEXT + 2);
}
END_TEST

int
main(void)
{
    const px_check_case cases[] = {
        {"counts_agree_with_files_and_index",
         counts_agree_with_files_and_index},
        {"second_run_reads_nothing_and_removes_the_gone",
         second_run_reads_nothing_and_removes_the_gone},
        {"a_folder_that_is_not_one", a_folder_that_is_not_one},
        {"an_unreadable_folder_keeps_its_files",
         an_unreadable_folder_keeps_its_files},
        {"stop_commits_what_was_done", stop_commits_what_was_done},
        {"a_locked_database", a_locked_database},
    };
    Suite *s = suite_create("update");
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        TCase *tc = tcase_create(cases[i].name);
        tcase_add_checked_fixture(tc, setup, teardown);
        tcase_add_test(tc, cases[i].test);
        suite_add_tcase(s, tc);
    }
    return px_check_run(s);
}
