/*
 * check_dbpath.c — where the index lives (dbpath.h): the --db option and
 * the environment, the folders above a database, the stub file of a
 * sharded database, and which shard a file goes to.
 *
 * Check runs each test in a child process of its own, so the setenv()
 * calls here do not leak from one test into the next.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check_main.h"
#include "passim/dbpath.h"

/* One folder per TCase, made and removed outside the tests' processes
 * (an unchecked fixture), so that a failing test leaves nothing behind;
 * the tests of a TCase use names of their own in it. */
static char dir[] = "/tmp/passim-dbpath-XXXXXX";

static void
setup(void)
{
    px_check_mkdtemp(dir, "/tmp/passim-dbpath-XXXXXX");
}

static void
teardown(void)
{
    px_check_rmtree(dir);
}

/* The environment px_dbpath_resolve reads, set (NULL: unset). */
static void
set_env(const char *passim_db, const char *xdg, const char *home)
{
    const char *names[3] = {"PASSIM_DB", "XDG_DATA_HOME", "HOME"};
    const char *values[3] = {passim_db, xdg, home};
    for (int i = 0; i < 3; i++) {
        if (values[i])
            ck_assert_int_eq(setenv(names[i], values[i], 1), 0);
        else
            ck_assert_int_eq(unsetenv(names[i]), 0);
    }
}

/* px_dbpath_resolve(option) with the environment as it is, which must
 * succeed: its path. Caller frees. */
static char *
resolve(const char *option)
{
    char *out = (char *)"not set";
    px_status rc = px_dbpath_resolve(option, &out);
    ck_assert_msg(rc == PX_OK, "resolve: %s", px_status_to_string(rc));
    ck_assert_ptr_nonnull(out);
    return out;
}

static void
resolves_to(const char *option, const char *want)
{
    char *got = resolve(option);
    ck_assert_str_eq(got, want);
    free(got);
}

static char *
joined(const char *a, const char *b)
{
    size_t n = strlen(a) + strlen(b) + 1;
    char *s = malloc(n);
    ck_assert_ptr_nonnull(s);
    snprintf(s, n, "%s%s", a, b);
    return s;
}

/* --db wins over everything, then $PASSIM_DB, then $XDG_DATA_HOME, then
 * $HOME; each step is tried with all the later ones set. */
START_TEST(resolve_precedence)
{
    const char *opt = "/from/option", *env = "/from/env",
               *xdg = "/from/xdg", *home = "/from/home";
    char *xdg_path = joined(xdg, "/passim/index");
    char *home_path = joined(home, "/.local/share/passim/index");

    set_env(env, xdg, home);
    resolves_to(opt, opt);
    resolves_to(NULL, env);
    set_env(NULL, xdg, home);
    resolves_to(opt, opt);
    resolves_to(NULL, xdg_path);
    set_env(NULL, NULL, home);
    resolves_to(NULL, home_path);
    /* The option needs no environment at all. */
    set_env(NULL, NULL, NULL);
    resolves_to(opt, opt);
    free(xdg_path);
    free(home_path);
}
END_TEST

/* Empty values count as unset. */
START_TEST(resolve_ignores_empty_values)
{
    const char *xdg = "/from/xdg", *home = "/from/home";
    char *xdg_path = joined(xdg, "/passim/index");
    char *home_path = joined(home, "/.local/share/passim/index");
    set_env("", xdg, home);
    resolves_to(NULL, xdg_path);
    set_env("", "", home);
    resolves_to(NULL, home_path);
    set_env(NULL, "", home);
    resolves_to(NULL, home_path);
    free(xdg_path);
    free(home_path);
}
END_TEST

/* With neither HOME nor XDG_DATA_HOME (unset or empty) and no option:
 * PX_NOT_FOUND and *out NULL. */
START_TEST(resolve_without_home)
{
    const char *cases[][3] = {
        {NULL, NULL, NULL}, {"", NULL, NULL}, {NULL, "", ""}, {"", "", ""}};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        set_env(cases[i][0], cases[i][1], cases[i][2]);
        char *out = (char *)"not set";
        ck_assert_int_eq(px_dbpath_resolve(NULL, &out), PX_NOT_FOUND);
        ck_assert_ptr_null(out);
    }
}
END_TEST

static int
is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* mkdir -p of a deep path's parent: every folder above it made, the last
 * component not; again is fine; a file in the way is PX_IO. */
START_TEST(make_parent_deep)
{
    char path[512], probe[512];
    snprintf(path, sizeof path, "%s/a/bb/ccc/d/e/f/g/h/db", dir);
    ck_assert_int_eq(px_dbpath_make_parent(path), PX_OK);
    /* Walk from the deepest folder up to dir: every one is there. */
    snprintf(probe, sizeof probe, "%s", path);
    ck_assert(access(probe, F_OK) != 0); /* db itself is not made */
    size_t folders = 0;
    for (char *slash; (slash = strrchr(probe, '/')) &&
                      strlen(probe) > strlen(dir);) {
        *slash = '\0';
        ck_assert_msg(is_dir(probe), "%s is not a folder", probe);
        folders++;
    }
    ck_assert_uint_eq(folders, 9); /* a .. h, and dir itself */
    ck_assert_int_eq(px_dbpath_make_parent(path), PX_OK);

    /* A file where a folder should be. */
    char file[512];
    snprintf(file, sizeof file, "%s/a/bb/plain", dir);
    FILE *f = fopen(file, "w");
    ck_assert_ptr_nonnull(f);
    fclose(f);
    snprintf(path, sizeof path, "%s/a/bb/plain/x/db", dir);
    ck_assert_int_eq(px_dbpath_make_parent(path), PX_IO);
    /* A name without a folder needs nothing made. */
    ck_assert_int_eq(px_dbpath_make_parent("db"), PX_OK);
}
END_TEST

/* A relative path is made relative to the working folder (which is
 * put back after, for a run without fork). */
START_TEST(make_parent_relative)
{
    int here = open(".", O_RDONLY);
    ck_assert_int_ge(here, 0);
    ck_assert_int_eq(chdir(dir), 0);
    ck_assert_int_eq(px_dbpath_make_parent("rel/one/two/db"), PX_OK);
    ck_assert(is_dir("rel/one/two"));
    ck_assert(access("rel/one/two/db", F_OK) != 0);
    ck_assert_int_eq(fchdir(here), 0);
    close(here);
    char path[512];
    snprintf(path, sizeof path, "%s/rel/one/two", dir);
    ck_assert(is_dir(path));
}
END_TEST

/* The shards px_dbpath_shards finds behind `path`. */
static char **
shards_of(const char *path, size_t *n)
{
    char **paths = NULL;
    px_status rc = px_dbpath_shards(path, &paths, n);
    ck_assert_msg(rc == PX_OK, "shards of %s: %s", path,
                  px_status_to_string(rc));
    ck_assert_ptr_nonnull(paths);
    return paths;
}

static void
write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    ck_assert_int_eq(fclose(f), 0);
}

/* Write `text` as the stub of folder `sub` under dir; its path in out. */
static void
write_stub_text(const char *sub, const char *text, char *out, size_t size)
{
    char stub[512];
    snprintf(out, size, "%s/%s", dir, sub);
    ck_assert_int_eq(mkdir(out, 0755), 0);
    snprintf(stub, sizeof stub, "%s/%s", out, PX_DBPATH_STUB);
    write_text(stub, text);
}

static void
assert_invalid(const char *path)
{
    char **paths = (char **)1;
    size_t n = 99;
    ck_assert_int_eq(px_dbpath_shards(path, &paths, &n), PX_INVALID_ARGUMENT);
    ck_assert_ptr_null(paths);
    ck_assert_uint_eq(n, 0);
}

/* A stub written for N shards gives back the N shards, in order, under
 * the folder; for each N from 1 to 12. */
START_TEST(stub_round_trip)
{
    for (size_t want = 1; want <= 12; want++) {
        char db[512];
        snprintf(db, sizeof db, "%s/db%zu", dir, want);
        ck_assert_int_eq(mkdir(db, 0755), 0);
        ck_assert_int_eq(px_dbpath_write_stub(db, want), PX_OK);
        size_t n = 0;
        char **paths = shards_of(db, &n);
        ck_assert_uint_eq(n, want);
        for (size_t i = 0; i < n; i++) {
            char expect[600];
            snprintf(expect, sizeof expect, "%s/shard%zu", db, i);
            ck_assert_str_eq(paths[i], expect);
        }
        px_dbpath_shards_free(paths, n);
    }
    /* Writing again replaces the stub (a smaller count wins). */
    char db[512];
    snprintf(db, sizeof db, "%s/db12", dir);
    ck_assert_int_eq(px_dbpath_write_stub(db, 3), PX_OK);
    size_t n = 0;
    char **paths = shards_of(db, &n);
    ck_assert_uint_eq(n, 3);
    px_dbpath_shards_free(paths, n);
}
END_TEST

/* The stub cannot be written into a folder that is not there. */
START_TEST(stub_write_needs_folder)
{
    char db[512];
    snprintf(db, sizeof db, "%s/no/such/folder", dir);
    ck_assert_int_eq(px_dbpath_write_stub(db, 2), PX_IO);
}
END_TEST

/* A folder without a stub, or no folder at all, is one database: the
 * path itself. */
START_TEST(no_stub_is_the_path)
{
    char db[512];
    snprintf(db, sizeof db, "%s/plain", dir);
    ck_assert_int_eq(mkdir(db, 0755), 0);
    const char *cases[] = {db, "/nonexistent/passim/db", "relative/db"};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        size_t n = 0;
        char **paths = shards_of(cases[i], &n);
        ck_assert_uint_eq(n, 1);
        ck_assert_str_eq(paths[0], cases[i]);
        ck_assert_ptr_ne(paths[0], cases[i]); /* a copy */
        px_dbpath_shards_free(paths, n);
    }
    px_dbpath_shards_free(NULL, 0);
}
END_TEST

/* "glass NAME" lines name folders relative to the stub's folder, in the
 * order they come. */
START_TEST(stub_glass_lines_relative)
{
    char db[512];
    write_stub_text("rel", "glass one\nglass sub/two\nglass ../three\n", db,
                    sizeof db);
    size_t n = 0;
    char **paths = shards_of(db, &n);
    ck_assert_uint_eq(n, 3);
    const char *names[] = {"one", "sub/two", "../three"};
    for (size_t i = 0; i < n; i++) {
        char expect[600];
        snprintf(expect, sizeof expect, "%s/%s", db, names[i]);
        ck_assert_str_eq(paths[i], expect);
    }
    px_dbpath_shards_free(paths, n);
}
END_TEST

/* A stub with no usable line: PX_INVALID_ARGUMENT, nothing handed out. */
START_TEST(stub_without_databases)
{
    static const char *const texts[] = {"", "\n\n\n", "glass\n",
                                        "nonsense words here\n"};
    for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
        char sub[32], db[512];
        snprintf(sub, sizeof sub, "bad%zu", i);
        write_stub_text(sub, texts[i], db, sizeof db);
        assert_invalid(db);
    }
}
END_TEST

/* Xapian's stub syntax as the search side reads it (lib/search/dbopen.c),
 * which the owner means dbpath.c to share: "auto", "glass", "chert",
 * "honey" lines, relative to the stub's folder unless absolute; blank
 * lines and '#' comments skipped; "remote" lines name no folder to write
 * and make the stub unusable here. Some of these fail with the reader of
 * today, which knows "glass" lines only. */

/* Every local type, with comments and blank lines between. */
START_TEST(stub_local_types_and_comments)
{
    char db[512];
    write_stub_text("types",
                    "# written by hand\n"
                    "\n"
                    "auto a\n"
                    "#glass commented-out\n"
                    "glass b\n"
                    "\n"
                    "chert c\n"
                    "honey d\n",
                    db, sizeof db);
    size_t n = 0;
    char **paths = shards_of(db, &n);
    ck_assert_uint_eq(n, 4);
    const char *names[] = {"a", "b", "c", "d"};
    for (size_t i = 0; i < n; i++) {
        char expect[600];
        snprintf(expect, sizeof expect, "%s/%s", db, names[i]);
        ck_assert_str_eq(paths[i], expect);
    }
    px_dbpath_shards_free(paths, n);
}
END_TEST

/* "auto" alone: the stub of a database made by hand. */
START_TEST(stub_auto_lines)
{
    char db[512];
    write_stub_text("auto", "auto shard0\nauto shard1\n", db, sizeof db);
    size_t n = 0;
    char **paths = shards_of(db, &n);
    ck_assert_uint_eq(n, 2);
    for (size_t i = 0; i < n; i++) {
        char expect[600];
        snprintf(expect, sizeof expect, "%s/shard%zu", db, i);
        ck_assert_str_eq(paths[i], expect);
    }
    px_dbpath_shards_free(paths, n);
}
END_TEST

/* An absolute name is taken as it is, as Xapian reads it. */
START_TEST(stub_absolute_names)
{
    char db[512], abs[600], text[1300];
    snprintf(abs, sizeof abs, "%s/elsewhere", dir);
    snprintf(text, sizeof text, "auto %s\nglass %s2\n", abs, abs);
    write_stub_text("abs", text, db, sizeof db);
    size_t n = 0;
    char **paths = shards_of(db, &n);
    ck_assert_uint_eq(n, 2);
    ck_assert_str_eq(paths[0], abs);
    char abs2[620];
    snprintf(abs2, sizeof abs2, "%s2", abs);
    ck_assert_str_eq(paths[1], abs2);
    px_dbpath_shards_free(paths, n);
}
END_TEST

/* Comments only: no database. */
START_TEST(stub_comments_only)
{
    char db[512];
    write_stub_text("comments", "# glass a\n#auto b\n\n", db, sizeof db);
    assert_invalid(db);
}
END_TEST

/* A remote database cannot be written: the stub fails, whatever else it
 * lists. */
START_TEST(stub_remote_lines_fail)
{
    static const char *const texts[] = {
        "remote localhost:33333\n",
        "glass shard0\nremote localhost:33333\n",
        "remote :xapian-progsrv /srv/db\nglass shard0\n",
    };
    for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
        char sub[32], db[512];
        snprintf(sub, sizeof sub, "remote%zu", i);
        write_stub_text(sub, texts[i], db, sizeof db);
        assert_invalid(db);
    }
}
END_TEST

/* The same path goes to the same shard each time it is asked, from a
 * copy of its string too, always below n; n <= 1 is shard 0. */
START_TEST(shard_of_stable)
{
    char path[128], copy[128];
    for (int i = 0; i < 500; i++) {
        snprintf(path, sizeof path, "/home/u/notes/%d/file-%d.txt", i % 7, i);
        memcpy(copy, path, sizeof path);
        ck_assert_uint_eq(px_dbpath_shard_of(path, 0), 0);
        ck_assert_uint_eq(px_dbpath_shard_of(path, 1), 0);
        for (size_t n = 2; n <= 16; n++) {
            size_t s = px_dbpath_shard_of(path, n);
            ck_assert_uint_lt(s, n);
            ck_assert_uint_eq(px_dbpath_shard_of(copy, n), s);
            ck_assert_uint_eq(px_dbpath_shard_of(path, n), s);
        }
    }
    ck_assert_uint_eq(px_dbpath_shard_of("", 1), 0);
    ck_assert_uint_lt(px_dbpath_shard_of("", 4), 4);
}
END_TEST

static unsigned long long seed = 0x853c49e6748fea9bULL;

static unsigned
rnd(unsigned n)
{
    seed ^= seed << 13;
    seed ^= seed >> 7;
    seed ^= seed << 17;
    return (unsigned)(seed % n);
}

/* 10,000 paths over n shards: each shard within 20% of the mean. */
static void
assert_even(const char *what, char (*paths)[96], size_t npaths, size_t n)
{
    size_t count[16] = {0};
    for (size_t i = 0; i < npaths; i++)
        count[px_dbpath_shard_of(paths[i], n)]++;
    double mean = (double)npaths / (double)n;
    for (size_t s = 0; s < n; s++)
        ck_assert_msg(count[s] >= 0.8 * mean && count[s] <= 1.2 * mean,
                      "%s over %zu shards: shard %zu has %zu of %zu (mean "
                      "%.0f)", what, n, s, count[s], npaths, mean);
}

START_TEST(shard_of_spreads_evenly)
{
    enum { N = 10000 };
    static char seq[N][96], rand_names[N][96];
    static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789-_";
    for (size_t i = 0; i < N; i++) {
        /* Numbered files, as a mail folder or an export has them. */
        snprintf(seq[i], sizeof seq[i], "/home/user/mail/inbox/%zu", i);
        /* Names of random letters in a few folders. */
        int len = snprintf(rand_names[i], sizeof rand_names[i],
                           "/srv/docs/%c/", "abcdefgh"[rnd(8)]);
        unsigned name_len = 3 + rnd(20);
        for (unsigned k = 0; k < name_len; k++)
            rand_names[i][len++] = alphabet[rnd(sizeof alphabet - 1)];
        memcpy(rand_names[i] + len, ".txt", 5);
    }
    for (size_t n = 2; n <= 8; n++) {
        assert_even("numbered files", seq, N, n);
        assert_even("random names", rand_names, N, n);
    }
}
END_TEST

static Suite *
make_suite(void)
{
    const px_check_case cases[] = {
        {"resolve_precedence", resolve_precedence},
        {"resolve_ignores_empty_values", resolve_ignores_empty_values},
        {"resolve_without_home", resolve_without_home},
        {"make_parent_deep", make_parent_deep},
        {"make_parent_relative", make_parent_relative},
        {"stub_round_trip", stub_round_trip},
        {"stub_write_needs_folder", stub_write_needs_folder},
        {"no_stub_is_the_path", no_stub_is_the_path},
        {"stub_glass_lines_relative", stub_glass_lines_relative},
        {"stub_without_databases", stub_without_databases},
        {"shard_of_stable", shard_of_stable},
        {"shard_of_spreads_evenly", shard_of_spreads_evenly},
    };
    Suite *s = suite_create("dbpath");
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        TCase *tc = tcase_create(cases[i].name);
        tcase_add_unchecked_fixture(tc, setup, teardown);
        tcase_add_test(tc, cases[i].test);
        suite_add_tcase(s, tc);
    }
    /* What the owner's coming stub reader is to do (see above): one TCase,
     * named for it, whose tests may fail with today's reader. */
    TCase *tc = tcase_create("xapian_stub_syntax");
    tcase_add_unchecked_fixture(tc, setup, teardown);
    tcase_add_test(tc, stub_local_types_and_comments);
    tcase_add_test(tc, stub_auto_lines);
    tcase_add_test(tc, stub_absolute_names);
    tcase_add_test(tc, stub_comments_only);
    tcase_add_test(tc, stub_remote_lines_fail);
    suite_add_tcase(s, tc);
    return s;
}

PX_CHECK_MAIN(make_suite)
