/*
 * check_catalog.c — the catalog of files, in the database.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_main.h"
#include "passim/catalog.h"

static char dir[] = "/tmp/passim-catalog-XXXXXX";

static void
setup(void)
{
    px_check_mkdtemp(dir, "/tmp/passim-catalog-XXXXXX");
}

static void
teardown(void)
{
    px_check_rmtree(dir);
}

static xc_database *
open_db(void)
{
    char path[96];
    snprintf(path, sizeof path, "%s/db", dir);
    xc_database *db = NULL;
    ck_assert_int_eq(xc_database_open_writable(path, &db, NULL), XC_OK);
    return db;
}

static void
count_unseen(void *ctx, const char *path, const px_file_info *info)
{
    (void)path;
    (void)info;
    ++*(int *)ctx;
}

START_TEST(put_survives_reopen)
{
    xc_database *db = open_db();
    px_catalog *cat;
    ck_assert_int_eq(px_catalog_load(db, &cat), PX_OK);
    ck_assert_uint_eq(px_catalog_count(cat), 0);
    px_file_info a = {123, 1700000000123456789LL, 42, 0xdeadbeef, 3};
    ck_assert_int_eq(px_catalog_put(cat, db, "/x/a.txt", &a), PX_OK);
    ck_assert_int_eq(px_catalog_put(cat, db, "/x/b b.md", &a), PX_OK);
    ck_assert_int_eq(xc_database_commit(db), XC_OK);
    px_catalog_destroy(cat);
    xc_database_close(db);

    db = open_db();
    ck_assert_int_eq(px_catalog_load(db, &cat), PX_OK);
    ck_assert_uint_eq(px_catalog_count(cat), 2);
    const px_file_info *got = px_catalog_lookup(cat, "/x/a.txt");
    ck_assert_ptr_nonnull(got);
    ck_assert_uint_eq(got->size, 123);
    ck_assert_int_eq(got->mtime_ns, 1700000000123456789LL);
    ck_assert_uint_eq(got->inode, 42);
    ck_assert_uint_eq(got->hash, 0xdeadbeef);
    ck_assert_uint_eq(got->passages, 3);
    ck_assert_ptr_null(px_catalog_lookup(cat, "/x/c.txt"));
    int unseen = 0;
    px_catalog_each_unseen(cat, count_unseen, &unseen);
    ck_assert_int_eq(unseen, 1); /* "/x/b b.md" was not looked up */
    px_catalog_destroy(cat);
    xc_database_close(db);
}
END_TEST

START_TEST(remove_forgets)
{
    xc_database *db = open_db();
    px_catalog *cat;
    ck_assert_int_eq(px_catalog_load(db, &cat), PX_OK);
    px_file_info a = {1, 2, 3, 4, 5};
    ck_assert_int_eq(px_catalog_put(cat, db, "/x/a.txt", &a), PX_OK);
    ck_assert_int_eq(px_catalog_remove(cat, db, "/x/a.txt"), PX_OK);
    ck_assert_int_eq(px_catalog_remove(cat, db, "/x/never.txt"), PX_OK);
    ck_assert_ptr_null(px_catalog_lookup(cat, "/x/a.txt"));
    ck_assert_int_eq(xc_database_commit(db), XC_OK);
    px_catalog_destroy(cat);
    ck_assert_int_eq(px_catalog_load(db, &cat), PX_OK);
    ck_assert_uint_eq(px_catalog_count(cat), 0);
    px_catalog_destroy(cat);
    xc_database_close(db);
}
END_TEST

START_TEST(many_entries_grow)
{
    xc_database *db = open_db();
    px_catalog *cat;
    ck_assert_int_eq(px_catalog_load(db, &cat), PX_OK);
    char path[64];
    for (int i = 0; i < 5000; i++) {
        px_file_info info = {(uint64_t)i, i, (uint64_t)i, (uint64_t)i, 1};
        snprintf(path, sizeof path, "/corpus/%05d.txt", i);
        ck_assert_int_eq(px_catalog_put(cat, db, path, &info), PX_OK);
        if (i % 3 == 0)
            ck_assert_int_eq(px_catalog_remove(cat, db, path), PX_OK);
    }
    ck_assert_uint_eq(px_catalog_count(cat), 5000 - 1667);
    snprintf(path, sizeof path, "/corpus/%05d.txt", 4999);
    ck_assert_uint_eq(px_catalog_lookup(cat, path)->size, 4999);
    px_catalog_destroy(cat);
    xc_database_close(db);
}
END_TEST

/* The writer looks entries up inside its transaction (watch mode changes
 * the same file twice in one batch): lookups read what was put and
 * removed before the commit. */
START_TEST(lookup_reads_its_transaction)
{
    xc_database *db = open_db();
    px_catalog *cat;
    ck_assert_int_eq(px_catalog_load(db, &cat), PX_OK);
    ck_assert_int_eq(xc_database_begin_transaction(db, 1), XC_OK);
    px_file_info a = {7, 8, 9, 10, 2}, b = {70, 80, 90, 100, 4};
    ck_assert_int_eq(px_catalog_put(cat, db, "/t/a.txt", &a), PX_OK);
    ck_assert_uint_eq(px_catalog_lookup(cat, "/t/a.txt")->size, 7);
    ck_assert_int_eq(px_catalog_put(cat, db, "/t/a.txt", &b), PX_OK);
    ck_assert_uint_eq(px_catalog_lookup(cat, "/t/a.txt")->passages, 4);
    ck_assert_uint_eq(px_catalog_count(cat), 1);
    ck_assert_int_eq(px_catalog_remove(cat, db, "/t/a.txt"), PX_OK);
    ck_assert_ptr_null(px_catalog_lookup(cat, "/t/a.txt"));
    ck_assert_int_eq(px_catalog_put(cat, db, "/t/b.txt", &a), PX_OK);
    ck_assert_int_eq(xc_database_commit_transaction(db), XC_OK);
    ck_assert_uint_eq(px_catalog_count(cat), 1);
    /* Seen marks last until cleared: then every entry is unseen. */
    int unseen = 0;
    px_catalog_each_unseen(cat, count_unseen, &unseen);
    ck_assert_int_eq(unseen, 0);
    px_catalog_clear_seen(cat);
    px_catalog_each_unseen(cat, count_unseen, &unseen);
    ck_assert_int_eq(unseen, 1);
    px_catalog_destroy(cat);
    xc_database_close(db);
}
END_TEST

START_TEST(hash_tells_content_apart)
{
    ck_assert_uint_eq(px_catalog_hash("abcdefghij", 10),
                      px_catalog_hash("abcdefghij", 10));
    ck_assert_uint_ne(px_catalog_hash("abcdefghij", 10),
                      px_catalog_hash("abcdefghik", 10));
    ck_assert_uint_ne(px_catalog_hash("", 0), px_catalog_hash("\0", 1));
}
END_TEST

static Suite *
make_suite(void)
{
    Suite *s = suite_create("catalog");
    TCase *t = tcase_create("database");
    tcase_add_checked_fixture(t, setup, teardown);
    tcase_add_test(t, put_survives_reopen);
    tcase_add_test(t, remove_forgets);
    tcase_add_test(t, many_entries_grow);
    tcase_add_test(t, lookup_reads_its_transaction);
    suite_add_tcase(s, t);
    t = tcase_create("hash");
    tcase_add_test(t, hash_tells_content_apart);
    suite_add_tcase(s, t);
    return s;
}

PX_CHECK_MAIN(make_suite)
