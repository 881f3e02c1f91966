/*
 * check_pipeline.c — many files through the writer in parallel
 * (pipeline.h): px_pipeline_run over a list of generated files (text,
 * empty, binary, unreadable), its reports against what each file is, its
 * passages against the database, a second run, a stop; and px_pipe on a
 * loop of the caller's. Each test runs on a plain database (_i == 1) and
 * on one of two shards (_i == 2).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check_main.h"
#include "passim/dbpath.h"
#include "passim/pipeline.h"
#include "passim/schema.h"
#include "passim/writer.h"
#include "xapian-c.h"

enum { NTEXT_FILES = 300 };

/* What a generated file is, and so what the pipeline must make of it. */
typedef enum kind {
    K_TEXT,       /* indexed */
    K_EMPTY,      /* skipped: empty */
    K_BINARY,     /* skipped: not text */
    K_UNREADABLE  /* failed: a FIFO, or mode 000 when not root */
} kind;

typedef struct file {
    char path[160];
    kind kind;
    /* What the reports of the current run said. */
    int reports;
    px_outcome outcome;
    int has_msg;
    char skipped[32];
} file;

/* top: one folder per TCase, made and removed outside the tests'
 * processes (an unchecked fixture), so a failing test leaves nothing
 * behind; dir: each test's own folder in it. */
static char top[] = "/tmp/passim-pipeline-XXXXXX";
static char dir[64], tree[96], dbpath[96];
static file files[NTEXT_FILES + 2];
static size_t nfiles;

/* A word of letters only, its own for file i ("zq" + i in base 26). */
static void
own_word(char *w, size_t i)
{
    char *p = w;
    *p++ = 'z';
    *p++ = 'q';
    do {
        *p++ = (char)('a' + i % 26);
        i /= 26;
    } while (i);
    *p = '\0';
}

static void
write_bytes(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(data, 1, len, f), len);
    ck_assert_int_eq(fclose(f), 0);
}

static file *
add_file(const char *name, kind k)
{
    file *f = &files[nfiles++];
    memset(f, 0, sizeof *f);
    snprintf(f->path, sizeof f->path, "%s/%s", tree, name);
    f->kind = k;
    return f;
}

/* 300 files: one in 15 empty, one in 15 binary, the rest text of one to
 * three paragraphs ("quokka" in exactly one; three are more than one
 * passage); then a FIFO, and a file of mode 000 unless running as root
 * (who reads it anyway). */
static const char filler[] =
    "The wind came from the west and the boats stayed in, while the "
    "fishermen mended nets on the quay and talked of the season. ";
static void
setup_top(void)
{
    px_check_mkdtemp(top, "/tmp/passim-pipeline-XXXXXX");
}

static void
teardown_top(void)
{
    px_check_rmtree(top);
}

static void
setup(void)
{
    char tmpl[64];
    snprintf(tmpl, sizeof tmpl, "%s/run-XXXXXX", top);
    px_check_mkdtemp(dir, tmpl);
    snprintf(tree, sizeof tree, "%s/tree", dir);
    snprintf(dbpath, sizeof dbpath, "%s/db", dir);
    ck_assert_int_eq(mkdir(tree, 0755), 0);
    nfiles = 0;
    for (size_t i = 0; i < NTEXT_FILES; i++) {
        char name[32], word[16], text[4096];
        snprintf(name, sizeof name, "f%03zu.txt", i);
        kind k = i % 15 == 0 ? K_EMPTY : i % 15 == 7 ? K_BINARY : K_TEXT;
        file *f = add_file(name, k);
        if (k == K_EMPTY) {
            write_bytes(f->path, "", 0);
        } else if (k == K_BINARY) {
            unsigned char bin[600];
            for (size_t b = 0; b < sizeof bin; b++)
                bin[b] = (unsigned char)(b * 37 + i);
            write_bytes(f->path, bin, sizeof bin);
        } else {
            own_word(word, i);
            int len = snprintf(text, sizeof text,
                               "Report %s\n\nThe %s report names a quokka "
                               "seen near the river on a cold morning.\n",
                               word, word);
            for (size_t p = 0; p < i % 3; p++)
                len += snprintf(text + len, sizeof text - (size_t)len,
                                "\nParagraph %zu of the %s report goes on "
                                "about the weather, the tides and the "
                                "harbour master's boat. %s%s%s\n", p, word,
                                filler, filler, filler);
            write_bytes(f->path, text, (size_t)len);
        }
    }
    file *fifo = add_file("pipe.txt", K_UNREADABLE);
    ck_assert_int_eq(mkfifo(fifo->path, 0644), 0);
    if (geteuid() != 0) {
        file *locked = add_file("locked.txt", K_UNREADABLE);
        write_bytes(locked->path, "Locked\n\nNobody reads this.\n", 27);
        ck_assert_int_eq(chmod(locked->path, 0), 0);
    }
}

static void
teardown(void)
{
    px_check_rmtree(dir);
}

static void
forget_reports(void)
{
    for (size_t i = 0; i < nfiles; i++) {
        files[i].reports = 0;
        files[i].outcome = PX_OUTCOME_UNCHANGED;
        files[i].has_msg = 0;
        files[i].skipped[0] = '\0';
    }
}

static file *
file_of(const char *path)
{
    for (size_t i = 0; i < nfiles; i++)
        if (strcmp(files[i].path, path) == 0)
            return &files[i];
    ck_abort_msg("reported a path that is not in the list: %s", path);
    return NULL;
}

/* The list source: files[0, nfiles) in order, as a crawl finds them. */
typedef struct list_src {
    size_t next;
    size_t given;
} list_src;

static px_status
list_next(void *ctx, px_found *f, int *got)
{
    list_src *src = ctx;
    *got = 0;
    if (src->next == nfiles)
        return PX_OK;
    file *fl = &files[src->next++];
    struct stat st;
    ck_assert_int_eq(stat(fl->path, &st), 0);
    f->path = fl->path;
    f->size = (uint64_t)st.st_size;
    f->mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
    f->ino = (uint64_t)st.st_ino;
    *got = 1;
    src->given++;
    return PX_OK;
}

typedef struct run_ctx {
    size_t reports;
    size_t stop_after; /* 0: never */
    volatile sig_atomic_t stop;
} run_ctx;

static void
on_report(void *ctx, const char *path, uint64_t size, px_outcome outcome,
          const char *msg, const char *skipped)
{
    run_ctx *r = ctx;
    file *f = file_of(path);
    struct stat st;
    if (stat(path, &st) == 0)
        ck_assert_uint_eq(size, (uint64_t)st.st_size);
    f->reports++;
    f->outcome = outcome;
    f->has_msg = msg != NULL;
    snprintf(f->skipped, sizeof f->skipped, "%s", skipped ? skipped : "");
    ck_assert(outcome == PX_OUTCOME_SKIPPED ? skipped != NULL
                                            : skipped == NULL);
    if (++r->reports == r->stop_after)
        r->stop = 1;
}

static px_writer *
open_writer(unsigned shards)
{
    px_writer_opts o = {PX_WRITER_BATCH_FILES, PX_WRITER_BATCH_BYTES,
                        PX_WRITER_MAX_FILE_SIZE, 0, shards};
    px_writer *w = NULL;
    char *err = NULL;
    px_status rc = px_writer_open(dbpath, &o, &w, &err);
    ck_assert_msg(rc == PX_OK, "open %s: %s", dbpath, err ? err : "?");
    ck_assert_uint_eq(px_writer_shards(w), shards);
    return w;
}

/* One px_pipeline_run over the whole list; returns the reports. */
static size_t
run(px_writer *w, unsigned inflight, run_ctx *r)
{
    list_src src = {0, 0};
    px_pipeline_opts o = {inflight, on_report, r, &r->stop, list_next, &src};
    forget_reports();
    ck_assert_int_eq(px_pipeline_run(w, &o), PX_OK);
    return r->reports;
}

static uint32_t
termfreq(xc_database *db, const char *term)
{
    uint32_t n = 0;
    ck_assert_int_eq(xc_database_termfreq(db, term, strlen(term), &n), XC_OK);
    return n;
}

static uint32_t
passages_of(xc_database *db, const char *path)
{
    char term[8 + PX_ARTICLE_ID_SIZE];
    char id[PX_ARTICLE_ID_SIZE];
    px_article_id(path, id);
    snprintf(term, sizeof term, "%s%s", PX_PREFIX_ARTICLE, id);
    return termfreq(db, term);
}

static uint32_t
doccount(xc_database *db)
{
    uint32_t n = 0;
    ck_assert_int_eq(xc_database_doccount(db, &n), XC_OK);
    return n;
}

static xc_database *
open_reader(const char *path)
{
    xc_database *db = NULL;
    char *err = NULL;
    xc_status xs = xc_database_open(path, &db, &err);
    ck_assert_msg(xs == XC_OK, "open %s: %s", path, err ? err : "?");
    return db;
}

/* The outcome a file of kind k has on a first run. */
static px_outcome
first_outcome(kind k)
{
    return k == K_TEXT ? PX_OUTCOME_INDEXED
           : k == K_UNREADABLE ? PX_OUTCOME_FAILED : PX_OUTCOME_SKIPPED;
}

/* The database holds what the reports say: every indexed file's passages
 * (in its own shard when there are several), none of the others', the
 * word all indexed files share once each, and as many passages in all as
 * the writer says it committed. */
static void
check_database(size_t committed)
{
    xc_database *db = open_reader(dbpath); /* follows the stub */
    uint32_t total = doccount(db), sum = 0, indexed = 0;
    for (size_t i = 0; i < nfiles; i++) {
        uint32_t n = passages_of(db, files[i].path);
        if (files[i].kind == K_TEXT) {
            ck_assert_msg(n >= 1, "%s: no passages", files[i].path);
            indexed++;
        } else {
            ck_assert_msg(n == 0, "%s: %u passages", files[i].path, n);
        }
        sum += n;
    }
    ck_assert_uint_eq(sum, total);
    ck_assert_uint_eq(total, committed);
    ck_assert_uint_gt(total, indexed); /* some files have more than one */
    ck_assert_uint_eq(termfreq(db, "Zquokka"), indexed);
    xc_database_close(db);

    char **paths = NULL;
    size_t n = 0;
    ck_assert_int_eq(px_dbpath_shards(dbpath, &paths, &n), PX_OK);
    if (n > 1) {
        uint32_t in_shards = 0;
        for (size_t s = 0; s < n; s++) {
            xc_database *sh = open_reader(paths[s]);
            uint32_t here = 0;
            for (size_t i = 0; i < nfiles; i++) {
                uint32_t k = passages_of(sh, files[i].path);
                if (k > 0)
                    ck_assert_uint_eq(px_dbpath_shard_of(files[i].path, n), s);
                here += k;
            }
            ck_assert_uint_eq(here, doccount(sh));
            ck_assert_uint_gt(here, 0); /* both shards got files */
            in_shards += here;
            xc_database_close(sh);
        }
        ck_assert_uint_eq(in_shards, total);
    }
    px_dbpath_shards_free(paths, n);
}

/* Every file reported exactly once, with the outcome its kind calls for:
 * a skip's reason and a failure's message said. */
START_TEST(run_reports_each_file_once)
{
    unsigned shards = (unsigned)_i;
    px_writer *w = open_writer(shards);
    run_ctx r = {0};
    ck_assert_uint_eq(run(w, 8, &r), nfiles);
    size_t counts[4] = {0};
    for (size_t i = 0; i < nfiles; i++) {
        file *f = &files[i];
        ck_assert_msg(f->reports == 1, "%s reported %d times", f->path,
                      f->reports);
        ck_assert_msg(f->outcome == first_outcome(f->kind),
                      "%s: outcome %d, want %d", f->path, f->outcome,
                      first_outcome(f->kind));
        if (f->kind == K_EMPTY)
            ck_assert_str_eq(f->skipped, "empty");
        if (f->kind == K_BINARY)
            ck_assert_str_eq(f->skipped, "not text");
        if (f->kind != K_TEXT)
            ck_assert_msg(f->has_msg, "%s: no message", f->path);
        counts[f->kind]++;
    }
    ck_assert_uint_gt(counts[K_TEXT], 0);
    ck_assert_uint_gt(counts[K_EMPTY], 0);
    ck_assert_uint_gt(counts[K_BINARY], 0);
    ck_assert_uint_eq(counts[K_UNREADABLE], geteuid() == 0 ? 1 : 2);
    ck_assert_int_eq(px_writer_commit(w), PX_OK);
    px_writer_stats st;
    px_writer_get_stats(w, &st);
    check_database(st.passages_added);
    ck_assert_int_eq(px_writer_close(w), PX_OK);
}
END_TEST

/* A second run over the same files finds them unchanged (but for those
 * it could not read, which it tries again) and writes nothing. */
START_TEST(second_run_unchanged)
{
    unsigned shards = (unsigned)_i;
    px_writer *w = open_writer(shards);
    run_ctx r = {0};
    ck_assert_uint_eq(run(w, 8, &r), nfiles);
    ck_assert_int_eq(px_writer_close(w), PX_OK);
    xc_database *db = open_reader(dbpath);
    uint32_t before = doccount(db);
    xc_database_close(db);

    w = open_writer(shards); /* an existing database keeps its shards */
    r = (run_ctx){0};
    ck_assert_uint_eq(run(w, 8, &r), nfiles);
    for (size_t i = 0; i < nfiles; i++) {
        file *f = &files[i];
        px_outcome want = f->kind == K_UNREADABLE ? PX_OUTCOME_FAILED
                                                  : PX_OUTCOME_UNCHANGED;
        ck_assert_uint_eq(f->reports, 1);
        ck_assert_msg(f->outcome == want, "%s: outcome %d on the second run",
                      f->path, f->outcome);
    }
    ck_assert_int_eq(px_writer_commit(w), PX_OK);
    px_writer_stats st;
    px_writer_get_stats(w, &st);
    ck_assert_uint_eq(st.passages_added, 0);
    ck_assert_uint_eq(st.files_committed, 0);
    ck_assert_int_eq(px_writer_close(w), PX_OK);
    db = open_reader(dbpath);
    ck_assert_uint_eq(doccount(db), before);
    xc_database_close(db);
}
END_TEST

/* Once `stop` is set no job starts: the reports are those of the files
 * before it and those in flight at the time. A run after it does the
 * rest, and finds the first run's files done. */
START_TEST(stop_starts_no_more_jobs)
{
    enum { INFLIGHT = 4, STOP_AFTER = 25 };
    unsigned shards = (unsigned)_i;
    px_writer *w = open_writer(shards);
    run_ctx r = {.stop_after = STOP_AFTER};
    size_t reported = run(w, INFLIGHT, &r);
    ck_assert_uint_ge(reported, STOP_AFTER);
    ck_assert_uint_le(reported, STOP_AFTER + INFLIGHT);
    int done_first[NTEXT_FILES + 2];
    size_t seen = 0;
    for (size_t i = 0; i < nfiles; i++) {
        ck_assert_int_le(files[i].reports, 1);
        done_first[i] = files[i].reports == 1 &&
                        files[i].outcome != PX_OUTCOME_FAILED;
        seen += (size_t)files[i].reports;
    }
    ck_assert_uint_eq(seen, reported);
    ck_assert_int_eq(px_writer_close(w), PX_OK);

    w = open_writer(shards);
    r = (run_ctx){0};
    ck_assert_uint_eq(run(w, INFLIGHT, &r), nfiles);
    for (size_t i = 0; i < nfiles; i++) {
        file *f = &files[i];
        px_outcome want = done_first[i] ? PX_OUTCOME_UNCHANGED
                                        : first_outcome(f->kind);
        ck_assert_uint_eq(f->reports, 1);
        ck_assert_msg(f->outcome == want, "%s: outcome %d, want %d",
                      f->path, f->outcome, want);
    }
    ck_assert_int_eq(px_writer_commit(w), PX_OK);
    ck_assert_int_eq(px_writer_close(w), PX_OK);
    /* The two runs' passages together: what one run makes. */
    xc_database *db = open_reader(dbpath);
    uint32_t total = doccount(db), sum = 0;
    for (size_t i = 0; i < nfiles; i++)
        sum += passages_of(db, files[i].path);
    ck_assert_uint_eq(sum, total);
    xc_database_close(db);
}
END_TEST

/* A stop set before the run starts nothing at all. */
START_TEST(stop_before_start)
{
    px_writer *w = open_writer((unsigned)_i);
    run_ctx r = {0};
    r.stop = 1;
    ck_assert_uint_eq(run(w, 4, &r), 0);
    ck_assert_int_eq(px_writer_close(w), PX_OK);
}
END_TEST

typedef struct pipe_ctx {
    size_t done;
} pipe_ctx;

static void
on_done(void *ctx, const px_job *job, const char *msg)
{
    pipe_ctx *c = ctx;
    file *f = file_of(job->path);
    f->reports++;
    f->outcome = job->outcome;
    f->has_msg = msg != NULL;
    c->done++;
}

/* Add files[from, to) to the pipe as the watcher does, waiting on the
 * loop for room; returns how many jobs started. */
static size_t
pipe_add_range(uv_loop_t *loop, px_pipe *p, size_t from, size_t to)
{
    size_t started = 0;
    for (size_t i = from; i < to; i++) {
        while (!px_pipe_has_room(p))
            uv_run(loop, UV_RUN_ONCE);
        struct stat st;
        int s = -1;
        ck_assert_int_eq(stat(files[i].path, &st), 0);
        ck_assert_int_eq(px_pipe_add(p, files[i].path, &st, &s), PX_OK);
        ck_assert(s == 0 || s == 1);
        started += (size_t)s;
        ck_assert_uint_le(px_pipe_busy(p), 2);
    }
    return started;
}

static void
pipe_drain(uv_loop_t *loop, px_pipe *p)
{
    while (px_pipe_busy(p) > 0)
        uv_run(loop, UV_RUN_ONCE);
    ck_assert_int_eq(px_pipe_status(p), PX_OK);
}

/* px_pipe on a loop of the caller's: two jobs at once, each started file
 * done exactly once; after a commit the database has their passages; an
 * unchanged file starts no job. */
START_TEST(pipe_on_a_loop)
{
    enum { FEW = 20 };
    unsigned shards = (unsigned)_i;
    uv_loop_t loop;
    ck_assert_int_eq(uv_loop_init(&loop), 0);
    px_writer *w = open_writer(shards);
    pipe_ctx c = {0};
    px_pipe *p = NULL;
    ck_assert_int_eq(px_pipe_create(&loop, w, 2, on_done, &c, &p), PX_OK);
    ck_assert(px_pipe_has_room(p));
    ck_assert_uint_eq(px_pipe_busy(p), 0);
    forget_reports();
    /* A few of the files, and the FIFO (the last but one, or last). */
    size_t fifo = NTEXT_FILES;
    ck_assert_uint_eq(files[fifo].kind, K_UNREADABLE);
    size_t started = pipe_add_range(&loop, p, 0, FEW);
    started += pipe_add_range(&loop, p, fifo, fifo + 1);
    ck_assert_uint_eq(started, FEW + 1); /* a fresh database plans all */
    pipe_drain(&loop, p);
    ck_assert_uint_eq(c.done, started);
    size_t indexed = 0;
    for (size_t i = 0; i < nfiles; i++) {
        int added = i < FEW || i == fifo;
        ck_assert_int_eq(files[i].reports, added);
        if (added)
            ck_assert_msg(files[i].outcome == first_outcome(files[i].kind),
                          "%s: outcome %d", files[i].path, files[i].outcome);
        indexed += added && files[i].kind == K_TEXT;
    }
    ck_assert_uint_gt(indexed, 0);
    ck_assert_int_eq(px_writer_commit(w), PX_OK);
    px_writer_stats st;
    px_writer_get_stats(w, &st);
    xc_database *db = open_reader(dbpath);
    uint32_t total = doccount(db), sum = 0;
    for (size_t i = 0; i < FEW; i++) {
        uint32_t n = passages_of(db, files[i].path);
        ck_assert_uint_eq(n > 0, files[i].kind == K_TEXT);
        sum += n;
    }
    ck_assert_uint_eq(sum, total);
    ck_assert_uint_eq(total, st.passages_added);
    ck_assert_uint_eq(termfreq(db, "Zquokka"), indexed);
    xc_database_close(db);

    /* Again: only the FIFO, which could not be read, starts a job. */
    forget_reports();
    c.done = 0;
    started = pipe_add_range(&loop, p, 0, FEW);
    started += pipe_add_range(&loop, p, fifo, fifo + 1);
    ck_assert_uint_eq(started, 1);
    pipe_drain(&loop, p);
    ck_assert_uint_eq(c.done, 1);
    ck_assert_int_eq(files[fifo].reports, 1);
    ck_assert_int_eq(files[fifo].outcome, PX_OUTCOME_FAILED);
    ck_assert(files[fifo].has_msg);

    px_pipe_destroy(p);
    ck_assert_int_eq(px_writer_close(w), PX_OK);
    ck_assert_int_eq(uv_loop_close(&loop), 0);
}
END_TEST

static Suite *
make_suite(void)
{
    const px_check_case cases[] = {
        {"run_reports_each_file_once", run_reports_each_file_once},
        {"second_run_unchanged", second_run_unchanged},
        {"stop_starts_no_more_jobs", stop_starts_no_more_jobs},
        {"stop_before_start", stop_before_start},
        {"pipe_on_a_loop", pipe_on_a_loop},
    };
    Suite *s = suite_create("pipeline");
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        TCase *tc = tcase_create(cases[i].name);
        tcase_add_unchecked_fixture(tc, setup_top, teardown_top);
        tcase_add_checked_fixture(tc, setup, teardown);
        /* _i: 1, a plain database; 2, two shards. */
        tcase_add_loop_test(tc, cases[i].test, 1, 3);
        suite_add_tcase(s, tc);
    }
    return s;
}

PX_CHECK_MAIN(make_suite)
