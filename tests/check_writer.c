/*
 * check_writer.c — the crawl and the writer, driven directly: the cases
 * that are races from the command line (a file vanishing between the crawl
 * and its indexing, a second writer) made deterministic.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_main.h"
#include "passim/crawl.h"
#include "passim/dbpath.h"
#include "passim/vocab.h"
#include "passim/writer.h"
#include "xapian-c.h"

/* A found file's stat, as the pipeline gives it to the writer. */
static const struct stat *
stat_of(const px_found *f)
{
    static struct stat st;
    px_found_stat(f, &st);
    return &st;
}

static char dir[] = "/tmp/passim-writer-XXXXXX";
static char tree[128], dbpath[128];
static const px_writer_opts opts = {1000, 1u << 26, 1ull << 28, 0, 1};

static void
write_file(const char *name, const char *text)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", tree, name);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
}

static void
setup(void)
{
    px_check_mkdtemp(dir, "/tmp/passim-writer-XXXXXX");
    snprintf(tree, sizeof tree, "%s/tree", dir);
    snprintf(dbpath, sizeof dbpath, "%s/db", dir);
    ck_assert_int_eq(mkdir(tree, 0755), 0);
    write_file("a.txt", "Alpha\n\nThe first article talks of apples.\n");
    write_file("b.md", "# Beta\n\nThe second article talks of bananas.\n");
    write_file("c.txt", "Gamma\n\nThe third article talks of cherries.\n");
    write_file(".hidden.txt", "Hidden\n\nNever indexed.\n");
    write_file("d.txt~", "Backup\n\nNever indexed.\n");
    write_file("e.jpg", "not an article");
}

static void
teardown(void)
{
    px_check_rmtree(dir);
}

static int warnings;

static void
warn(void *ctx, const char *path, const char *message)
{
    (void)ctx;
    (void)path;
    (void)message;
    warnings++;
}

/* Bring every file found up to date through w. */
static void
index_all(px_writer *w, const px_found_list *found)
{
    for (size_t i = 0; i < found->count; i++) {
        px_outcome oc;
        char *msg = NULL;
        ck_assert_int_eq(px_writer_update(w, found->items[i].path,
                                          stat_of(&found->items[i]), &oc,
                                          &msg), PX_OK);
        free(msg);
    }
}

START_TEST(crawl_finds_articles_only)
{
    px_found_list found = {0};
    ck_assert_int_eq(px_crawl(tree, &found, warn, NULL), PX_OK);
    ck_assert_uint_eq(found.count, 3);
    ck_assert_ptr_nonnull(strstr(found.items[0].path, "/a.txt"));
    ck_assert_ptr_nonnull(strstr(found.items[1].path, "/b.md"));
    ck_assert_ptr_nonnull(strstr(found.items[2].path, "/c.txt"));
    px_found_list_free(&found);
}
END_TEST

START_TEST(ignored_names)
{
    ck_assert(px_crawl_ignored(".x.txt"));
    ck_assert(px_crawl_ignored("x.txt~"));
    ck_assert(px_crawl_ignored("x.txt.swp"));
    ck_assert(px_crawl_ignored("x.part"));
    ck_assert(px_crawl_ignored("#x.txt#"));
    ck_assert(!px_crawl_ignored("x.txt"));
    ck_assert(!px_crawl_ignored("notes.md"));
}
END_TEST

START_TEST(vanished_between_crawl_and_index)
{
    px_found_list found = {0};
    px_writer *w;
    char *err = NULL;
    ck_assert_int_eq(px_crawl(tree, &found, warn, NULL), PX_OK);
    ck_assert_int_eq(px_writer_open(dbpath, &opts, &w, &err), PX_OK);
    ck_assert_int_eq(unlink(found.items[1].path), 0);
    px_outcome oc[3];
    for (size_t i = 0; i < 3; i++) {
        char *msg = NULL;
        ck_assert_int_eq(px_writer_update(w, found.items[i].path,
                                          stat_of(&found.items[i]), &oc[i], &msg),
                         PX_OK);
        if (i == 1)
            ck_assert_ptr_nonnull(strstr(msg, "vanished"));
        free(msg);
    }
    ck_assert_int_eq(oc[0], PX_OUTCOME_INDEXED);
    ck_assert_int_eq(oc[1], PX_OUTCOME_REMOVED);
    ck_assert_int_eq(oc[2], PX_OUTCOME_INDEXED);
    px_writer_stats st;
    /* The stats count what is committed only. */
    px_writer_get_stats(w, &st);
    ck_assert_uint_eq(st.passages_added, 0);
    ck_assert_int_eq(px_writer_commit(w), PX_OK);
    px_writer_get_stats(w, &st);
    ck_assert_uint_eq(st.passages_added, 2);
    ck_assert_uint_eq(st.files_committed, 3);
    ck_assert_int_eq(px_writer_close(w), PX_OK);
    px_found_list_free(&found);
}
END_TEST

START_TEST(second_writer_is_locked_out)
{
    px_writer *w, *w2 = NULL;
    char *err = NULL;
    ck_assert_int_eq(px_writer_open(dbpath, &opts, &w, &err), PX_OK);
    ck_assert_int_eq(px_writer_open(dbpath, &opts, &w2, &err), PX_LOCKED);
    ck_assert_ptr_null(w2);
    ck_assert_ptr_nonnull(strstr(err, "locked by another indexer"));
    free(err);
    ck_assert_int_eq(px_writer_close(w), PX_OK);
}
END_TEST

START_TEST(removes_unseen_under_roots_only)
{
    px_found_list found = {0};
    px_writer *w;
    char *err = NULL;
    ck_assert_int_eq(px_crawl(tree, &found, warn, NULL), PX_OK);
    ck_assert_int_eq(px_writer_open(dbpath, &opts, &w, &err), PX_OK);
    index_all(w, &found);
    ck_assert_int_eq(px_writer_close(w), PX_OK);
    /* A new writer has seen nothing yet: under another root nothing goes,
     * under the tree's root everything it did not see goes. */
    ck_assert_int_eq(px_writer_open(dbpath, &opts, &w, &err), PX_OK);
    static char none[] = "/nonexistent";
    char *other[] = {none}, *mine[] = {tree};
    size_t removed;
    ck_assert_int_eq(px_writer_remove_unseen(w, other, 1, NULL, 0, &removed),
                     PX_OK);
    ck_assert_uint_eq(removed, 0);
    px_outcome oc;
    char *msg = NULL;
    ck_assert_int_eq(px_writer_update(w, found.items[0].path,
                                      stat_of(&found.items[0]), &oc, &msg), PX_OK);
    ck_assert_int_eq(oc, PX_OUTCOME_UNCHANGED);
    /* Under a folder the crawl could not read, nothing goes. */
    ck_assert_int_eq(px_writer_remove_unseen(w, mine, 1, mine, 1, &removed),
                     PX_OK);
    ck_assert_uint_eq(removed, 0);
    ck_assert_int_eq(px_writer_remove_unseen(w, mine, 1, NULL, 0, &removed),
                     PX_OK);
    ck_assert_uint_eq(removed, 2);
    ck_assert_int_eq(px_writer_close(w), PX_OK);
    px_found_list_free(&found);
}
END_TEST

START_TEST(sharded_database)
{
    px_found_list found = {0};
    px_writer *w, *w2 = NULL;
    char *err = NULL, sharded[160];
    px_writer_opts three = opts;
    three.shards = 3;
    snprintf(sharded, sizeof sharded, "%s-sharded", dbpath);
    ck_assert_int_eq(px_crawl(tree, &found, warn, NULL), PX_OK);
    ck_assert_int_eq(px_writer_open(sharded, &three, &w, &err), PX_OK);
    ck_assert_uint_eq(px_writer_shards(w), 3);
    for (size_t i = 0; i < found.count; i++) {
        px_outcome oc;
        char *msg = NULL;
        ck_assert_int_eq(px_writer_update(w, found.items[i].path,
                                          stat_of(&found.items[i]), &oc, &msg),
                         PX_OK);
        ck_assert_int_eq(oc, PX_OUTCOME_INDEXED);
        free(msg);
    }
    ck_assert_int_eq(px_writer_close(w), PX_OK);
    /* Reopened without --shards it keeps its three, finds every file in
     * its shard's catalog, and a second writer is locked out. */
    ck_assert_int_eq(px_writer_open(sharded, &opts, &w, &err), PX_OK);
    ck_assert_uint_eq(px_writer_shards(w), 3);
    ck_assert_int_eq(px_writer_open(sharded, &opts, &w2, &err), PX_LOCKED);
    free(err);
    for (size_t i = 0; i < found.count; i++)
        ck_assert(px_writer_has(w, found.items[i].path));
    ck_assert_int_eq(px_writer_close(w), PX_OK);
    px_found_list_free(&found);
}
END_TEST

/* Each of N shards commits after its share of the batch, so that N
 * writers hold in memory what one would. */
START_TEST(shards_share_the_batch)
{
    char name[32];
    for (int i = 0; i < 8; i++) {
        snprintf(name, sizeof name, "more%d.txt", i);
        write_file(name, "More\n\nYet another short article.\n");
    }
    px_found_list found = {0};
    px_writer *w;
    char *err = NULL, sharded[160];
    px_writer_opts two = opts;
    two.shards = 2;
    two.batch_files = 4;
    snprintf(sharded, sizeof sharded, "%s-two", dbpath);
    ck_assert_int_eq(px_crawl(tree, &found, warn, NULL), PX_OK);
    ck_assert_uint_eq(found.count, 11);
    ck_assert_int_eq(px_writer_open(sharded, &two, &w, &err), PX_OK);
    for (size_t i = 0; i < found.count; i++) {
        px_outcome oc;
        char *msg = NULL;
        struct stat now;
        ck_assert_int_eq(stat(found.items[i].path, &now), 0);
        const struct stat *st = stat_of(&found.items[i]);
        ck_assert_int_eq(st->st_size, now.st_size);
        ck_assert_uint_eq(st->st_ino, now.st_ino);
        ck_assert_int_eq(st->st_mtim.tv_sec, now.st_mtim.tv_sec);
        ck_assert_int_eq(st->st_mtim.tv_nsec, now.st_mtim.tv_nsec);
        ck_assert_int_eq(px_writer_update(w, found.items[i].path, st, &oc,
                                          &msg), PX_OK);
        free(msg);
    }
    /* Shares of 2 files: at least 5 commits for 11 files whatever their
     * split (whole batches of 4 each would make at most 2). */
    px_writer_stats stats;
    px_writer_get_stats(w, &stats);
    ck_assert_uint_ge(stats.commits, 5);
    ck_assert_int_eq(px_writer_close(w), PX_OK);
    px_found_list_free(&found);
}
END_TEST

static px_outcome
update(px_writer *w, const char *path)
{
    struct stat st;
    px_outcome oc;
    char *msg = NULL;
    ck_assert_int_eq(stat(path, &st), 0);
    ck_assert_int_eq(px_writer_update(w, path, &st, &oc, &msg), PX_OK);
    free(msg);
    return oc;
}

/* A fresh database plans a file it has not met without reading its
 * catalog; a second sighting of the same file must still read it. */
START_TEST(fresh_database_plans_a_file_once_without_the_catalog)
{
    px_writer *w;
    char *err = NULL, path[256];
    snprintf(path, sizeof path, "%s/a.txt", tree);
    ck_assert_int_eq(px_writer_open(dbpath, &opts, &w, &err), PX_OK);
    ck_assert_int_eq(update(w, path), PX_OUTCOME_INDEXED);
    ck_assert_int_eq(update(w, path), PX_OUTCOME_UNCHANGED);
    write_file("a.txt", "Alpha\n\nThe first article, rewritten, talks of "
                        "apricots.\n\nAnd of plums.\n");
    ck_assert_int_eq(update(w, path), PX_OUTCOME_INDEXED);
    ck_assert_int_eq(px_writer_close(w), PX_OK);
    /* The rewrite replaced the first version's passages. */
    xc_database *db = NULL;
    uint32_t docs = 0;
    ck_assert_int_eq(xc_database_open(dbpath, &db, &err), XC_OK);
    ck_assert_int_eq(xc_database_doccount(db, &docs), XC_OK);
    xc_database_close(db);
    ck_assert_uint_eq(docs, 1);
}
END_TEST

/* "General Procuracy" is the organisation "Procuracy" named with a
 * title; replacing its value while later lookups still searched the old
 * one was a use after free that the ASan build reports. */
START_TEST(titled_organisation_is_one_entity)
{
    px_writer *w;
    char *err = NULL, path[256];
    write_file("procuracy.txt",
               "The inquiry in Moscow\n\nWhen the General Procuracy got the "
               "papers, nothing happened for a month. The Procuracy said the "
               "case belonged elsewhere.\n\nIn March a group from the "
               "General Procuracy arrived. General Dynamics sold tanks.\n");
    snprintf(path, sizeof path, "%s/procuracy.txt", tree);
    ck_assert_int_eq(px_writer_open(dbpath, &opts, &w, &err), PX_OK);
    ck_assert_int_eq(update(w, path), PX_OUTCOME_INDEXED);
    ck_assert_int_eq(px_writer_close(w), PX_OK);
    xc_database *db = NULL;
    uint32_t n = 0, company = 0;
    ck_assert_int_eq(xc_database_open(dbpath, &db, &err), XC_OK);
    /* "General Procuracy" and "the Procuracy" are one entity, under
     * whichever type and spelling the tagger's mentions give it (the
     * case read freed memory in drop_stray_titles under ASan). */
    static const char *const prefixes[] = {"XPER", "XLOC", "XORG", "XMISC"};
    for (size_t i = 0; i < 4; i++) {
        char term[64];
        uint32_t f = 0;
        snprintf(term, sizeof term, "%sprocuracy", prefixes[i]);
        ck_assert_int_eq(xc_database_termfreq(db, term, strlen(term), &f),
                         XC_OK);
        n += f;
        snprintf(term, sizeof term, "%sgeneral procuracy", prefixes[i]);
        ck_assert_int_eq(xc_database_termfreq(db, term, strlen(term), &f),
                         XC_OK);
        n += f;
    }
    /* A company named with an office word keeps it. */
    ck_assert_int_eq(xc_database_termfreq(db, "XORGgeneral dynamics", 20,
                                          &company), XC_OK);
    xc_database_close(db);
    ck_assert_uint_eq(n, 1);
    ck_assert_uint_eq(company, 1);
}
END_TEST

typedef struct in_first_ctx {
    xc_database *first;
    size_t words, missing;
    char some[64]; /* a word of the later shard, for the repair below */
} in_first_ctx;

static int
check_in_first(void *ctx, const char *key, size_t len)
{
    in_first_ctx *c = ctx;
    char *value = NULL;
    size_t vlen = 0;
    ck_assert_int_eq(xc_database_get_metadata(c->first, key, len, &value,
                                              &vlen), XC_OK);
    c->words++;
    c->missing += value == NULL;
    if (len < sizeof c->some) {
        memcpy(c->some, key, len);
        c->some[len] = '\0';
    }
    free(value);
    return 0;
}

/* Every word of the second shard, in the first: what a server handing
 * the shards out as one database shows. */
static in_first_ctx
words_in_first(char **paths)
{
    in_first_ctx c = {0};
    xc_database *later = NULL;
    char *err = NULL;
    ck_assert_int_eq(xc_database_open(paths[0], &c.first, &err), XC_OK);
    ck_assert_int_eq(xc_database_open(paths[1], &later, &err), XC_OK);
    ck_assert_int_eq(xc_database_metadata_keys(later, "W", check_in_first,
                                               &c), XC_OK);
    xc_database_close(later);
    xc_database_close(c.first);
    return c;
}

/* A sharded database's first shard holds every shard's words; a first
 * shard that lost some (a crash between commits, a database from before
 * the union) gets them back when a writer opens the database. */
START_TEST(first_shard_holds_every_shard_words)
{
    px_found_list found = {0};
    px_writer *w;
    char *err = NULL, sharded[160], **paths = NULL;
    size_t n = 0;
    px_writer_opts two = opts;
    two.shards = 2;
    snprintf(sharded, sizeof sharded, "%s-union", dbpath);
    /* Files go to shards by a hash of their path, which holds a random
     * folder: add files until the second shard has one of its own. */
    for (int i = 0, later = 0; !later; i++) {
        char name[32], path[256], text[96];
        snprintf(name, sizeof name, "u%d.txt", i);
        snprintf(text, sizeof text, "Union %d\n\nWord%dword of its own.\n",
                 i, i);
        write_file(name, text);
        snprintf(path, sizeof path, "%s/%s", tree, name);
        later = px_dbpath_shard_of(path, 2) == 1;
    }
    ck_assert_int_eq(px_crawl(tree, &found, warn, NULL), PX_OK);
    ck_assert_int_eq(px_writer_open(sharded, &two, &w, &err), PX_OK);
    index_all(w, &found);
    ck_assert_int_eq(px_writer_close(w), PX_OK);
    px_found_list_free(&found);
    ck_assert_int_eq(px_dbpath_shards(sharded, &paths, &n), PX_OK);
    ck_assert_uint_eq(n, 2);
    in_first_ctx c = words_in_first(paths);
    ck_assert_uint_gt(c.words, 0);
    ck_assert_uint_eq(c.missing, 0);
    /* Take one of them out of the first shard, with its mark. */
    xc_database *first = NULL;
    ck_assert_int_eq(xc_database_open_writable(paths[0], &first, &err), XC_OK);
    ck_assert_int_eq(xc_database_set_metadata(first, c.some, strlen(c.some),
                                              "", 0), XC_OK);
    ck_assert_int_eq(xc_database_set_metadata(first, PX_META_VOCAB_UNION "1",
                                              strlen(PX_META_VOCAB_UNION "1"),
                                              "", 0), XC_OK);
    ck_assert_int_eq(xc_database_commit(first), XC_OK);
    xc_database_close(first);
    ck_assert_uint_eq(words_in_first(paths).missing, 1);
    ck_assert_int_eq(px_writer_open(sharded, &opts, &w, &err), PX_OK);
    ck_assert_int_eq(px_writer_close(w), PX_OK);
    ck_assert_uint_eq(words_in_first(paths).missing, 0);
    px_dbpath_shards_free(paths, n);
}
END_TEST

static Suite *
make_suite(void)
{
    Suite *s = suite_create("writer");
    TCase *t = tcase_create("crawl");
    tcase_add_checked_fixture(t, setup, teardown);
    tcase_add_test(t, crawl_finds_articles_only);
    tcase_add_test(t, ignored_names);
    suite_add_tcase(s, t);
    t = tcase_create("writer");
    tcase_add_checked_fixture(t, setup, teardown);
    tcase_add_test(t, vanished_between_crawl_and_index);
    tcase_add_test(t, second_writer_is_locked_out);
    tcase_add_test(t, removes_unseen_under_roots_only);
    tcase_add_test(t, sharded_database);
    tcase_add_test(t, shards_share_the_batch);
    tcase_add_test(t, fresh_database_plans_a_file_once_without_the_catalog);
    tcase_add_test(t, titled_organisation_is_one_entity);
    tcase_add_test(t, first_shard_holds_every_shard_words);
    suite_add_tcase(s, t);
    return s;
}

PX_CHECK_MAIN(make_suite)
