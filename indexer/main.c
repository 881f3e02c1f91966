/*
 * passim-index — crawl folders of articles into a passim database.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "passim/crawl.h"
#include "dbstatus.h"
#include "passim/pipeline.h"
#include "passim/dbpath.h"
#include "passim/format.h"
#include "progress.h"
#include "watch.h"
#include "passim/writer.h"

#define PROG "passim-index"
#define MAX_SHARDS 64
/* A new database's shards without --shards: one per CPU, at most this
 * many, since a query opens every shard (four local shards cost 8% more
 * than one database in bench/shards). */
#define DEFAULT_MAX_SHARDS 4

typedef struct options {
    const char *db;
    int quiet;
    int verbose;
    int watch;    /* --watch */
    int status;   /* --status */
    int forget;   /* --forget */
    px_writer_opts writer;
    px_watch_opts watching;
    char **roots; /* absolute folder paths */
    size_t nroots;
} options;

/* The skipped files by reason (px_job_skip_reason: a handful). */
#define SKIP_REASONS 8

typedef struct tally {
    size_t indexed, touched, unchanged, skipped, failed, removed;
    const char *reason[SKIP_REASONS]; /* static strings */
    size_t by_reason[SKIP_REASONS];
    size_t ignored; /* files not read for their names */
} tally;

static volatile sig_atomic_t stop_requested;

static void
on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

static void
usage(FILE *out)
{
    fputs("Usage: " PROG " [OPTION]... DIR...\n"
          "  or:  " PROG " --watch [OPTION]... DIR...\n"
          "  or:  " PROG " --status [--db PATH]\n"
          "  or:  " PROG " --forget [--db PATH] DIR...\n"
          "Index the articles under each DIR into a passim database: .txt,\n"
          ".md, .html, .htm, .eml, .pdf, and files of other names whose\n"
          "content is text or PDF (not images, archives and the like). New and\n"
          "changed files are indexed, files that are gone are removed,\n"
          "unchanged files are skipped unread.\n"
          "\n"
          "  -w, --watch            index, then keep following changes until\n"
          "                         SIGINT or SIGTERM (Linux: inotify; not\n"
          "                         available on other systems yet)\n"
          "      --status           print files, passages, size and last\n"
          "                         commit of the database, and exit\n"
          "      --forget           remove the files indexed under each DIR\n"
          "                         (or each file) from the database; the\n"
          "                         files themselves are left alone\n"
          "      --ignore GLOB      also ignore names matching GLOB (fnmatch;\n"
          "                         repeatable; hidden and temporary files\n"
          "                         are always ignored)\n"
          "      --ext LIST         read only files with these extensions\n"
          "                         (comma-separated, e.g. txt,md,log; an\n"
          "                         empty item: files without one)\n"
          "      --settle MS        watch: read a file changed without a\n"
          "                         close (hard link, touch) after MS of\n"
          "                         quiet (default 100)\n"
          "      --commit-interval MS  watch: during a burst, commit at\n"
          "                         least every MS (default 500)\n"
          "      --reconcile-every S   watch: crawl again every S seconds\n"
          "                         to catch anything missed (default 600;\n"
          "                         0 = never)\n"
          "  -d, --db PATH          database (default: $PASSIM_DB, else\n"
          "                         ${XDG_DATA_HOME:-~/.local/share}/passim/index)\n"
          "  -q, --quiet            no progress, no summary; errors only\n"
          "  -v, --verbose          one line per indexed or removed file\n"
          "      --max-file-size MB skip larger files (default 256)\n"
          "      --no-entities      no people, places, organisations or dates\n"
          "                         (faster; no facets or entity filters)\n"
          "      --batch-files N    commit every N changed files (default 2000;\n"
          "                         shards share them out)\n"
          "      --shards N|auto    a new database: split it into N shards\n"
          "                         written in parallel and searched as one\n"
          "                         (auto: one per CPU; default one per CPU,\n"
          "                         at most 4)\n"
          "  -h, --help             show this help and exit\n"
          "  -V, --version          show the version and exit\n"
          "\n"
          "Exit status: 0 done, 1 some files or folders could not be read,\n"
          "2 error.\n"
          "See passim-index(1).\n", out);
}

static void
warn_path(void *ctx, const char *path, const char *message)
{
    (void)ctx;
    fprintf(stderr, PROG ": %s: %s\n", path, message);
}

static int
parse_size_mb(const char *s, uint64_t *out)
{
    char *end;
    errno = 0;
    double mb = strtod(s, &end);
    if (errno || end == s || *end || mb <= 0 || mb > 1e7)
        return -1;
    *out = (uint64_t)(mb * 1048576.0);
    return 0;
}

static int
parse_count(const char *s, size_t *out)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (errno || end == s || *end || v == 0)
        return -1;
    *out = v;
    return 0;
}

static int
parse_uint(const char *s, unsigned max, unsigned *out)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (errno || end == s || *end || *s == '-' || v > max)
        return -1;
    *out = (unsigned)v;
    return 0;
}

/* One shard per CPU, at most `most`: each shard's writer is one thread. */
static unsigned
shards_per_cpu(unsigned most)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1u : n > (long)most ? most : (unsigned)n;
}

static int
parse_shards(const char *s, unsigned *out)
{
    if (strcmp(s, "auto") == 0) {
        *out = shards_per_cpu(MAX_SHARDS);
        return 0;
    }
    return parse_uint(s, MAX_SHARDS, out) != 0 || *out == 0 ? -1 : 0;
}

/* The options of watch mode and --ignore; 0 when taken, 2 on error, -1
 * when `c` is not one of them. */
static int
parse_watch_option(int c, options *o)
{
    static const char *const names[] = {"--settle", "--commit-interval",
                                        "--reconcile-every"};
    unsigned *fields[] = {&o->watching.settle_ms, &o->watching.commit_ms,
                          &o->watching.reconcile_s};
    switch (c) {
    case 'w': o->watch = 1; return 0;
    case 'S': o->status = 1; return 0;
    case 'F': o->forget = 1; return 0;
    case 'X':
    case 'I':
        if ((c == 'I' ? px_crawl_ignore_add : px_crawl_only_exts)(optarg) !=
            PX_OK) {
            fputs(PROG ": out of memory\n", stderr);
            return 2;
        }
        return 0;
    case 's': case 'c': case 'r': {
        int i = c == 's' ? 0 : c == 'c' ? 1 : 2;
        if (parse_uint(optarg, 86400000u, fields[i]) != 0) {
            fprintf(stderr, PROG ": %s: '%s' is not a number\n", names[i],
                    optarg);
            return 2;
        }
        return 0;
    }
    default:
        return -1;
    }
}

/* The absolute path of `arg`, which --forget allows to be gone: then its
 * folder's real path and its last name. NULL (errno set) when neither
 * exists. */
static char *
absolute(const char *arg, int may_be_gone)
{
    char *abs = realpath(arg, NULL);
    if (abs || !may_be_gone || errno != ENOENT)
        return abs;
    char *copy = strdup(arg);
    if (!copy)
        return NULL;
    size_t n = strlen(copy);
    while (n > 1 && copy[n - 1] == '/')
        copy[--n] = '\0';
    char *slash = strrchr(copy, '/');
    const char *name = slash ? slash + 1 : copy;
    char *dir = slash == copy ? strdup("/")
                : slash ? (*slash = '\0', realpath(copy, NULL))
                        : realpath(".", NULL);
    abs = dir && *name ? px_asprintf("%s%s%s", dir,
                                     strcmp(dir, "/") ? "/" : "", name)
                       : NULL;
    if (!abs && dir)
        errno = ENOENT;
    free(dir);
    free(copy);
    return abs;
}

/* Turn the folder arguments into absolute paths. */
static int
resolve_roots(options *o, char **argv, int argc)
{
    o->roots = calloc((size_t)argc, sizeof *o->roots);
    if (!o->roots)
        return -1;
    for (int i = 0; i < argc; i++) {
        char *abs = absolute(argv[i], o->forget);
        if (!abs) {
            fprintf(stderr, PROG ": %s: %s\n", argv[i], strerror(errno));
            return -1;
        }
        o->roots[o->nroots++] = abs;
    }
    return 0;
}

static int
parse_options(int argc, char **argv, options *o)
{
    static const struct option longs[] = {
        {"db", required_argument, NULL, 'd'},
        {"quiet", no_argument, NULL, 'q'},
        {"verbose", no_argument, NULL, 'v'},
        {"max-file-size", required_argument, NULL, 'M'},
        {"batch-files", required_argument, NULL, 'B'},
        {"no-entities", no_argument, NULL, 'E'},
        {"shards", required_argument, NULL, 'H'},
        {"watch", no_argument, NULL, 'w'},
        {"status", no_argument, NULL, 'S'},
        {"forget", no_argument, NULL, 'F'},
        {"ignore", required_argument, NULL, 'I'},
        {"ext", required_argument, NULL, 'X'},
        {"settle", required_argument, NULL, 's'},
        {"commit-interval", required_argument, NULL, 'c'},
        {"reconcile-every", required_argument, NULL, 'r'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
    };
    int c;
    while ((c = getopt_long(argc, argv, "d:qvwhV", longs, NULL)) != -1) {
        int taken = parse_watch_option(c, o);
        if (taken >= 0) {
            if (taken)
                return taken;
            continue;
        }
        switch (c) {
        case 'd': o->db = optarg; break;
        case 'q': o->quiet = 1; break;
        case 'v': o->verbose = 1; break;
        case 'M':
            if (parse_size_mb(optarg, &o->writer.max_file_size) != 0) {
                fprintf(stderr, PROG ": --max-file-size: '%s' is not a size "
                        "in MB\n", optarg);
                return 2;
            }
            break;
        case 'B':
            if (parse_count(optarg, &o->writer.batch_files) != 0) {
                fprintf(stderr, PROG ": --batch-files: '%s' is not a "
                        "positive number\n", optarg);
                return 2;
            }
            break;
        case 'E': o->writer.no_entities = 1; break;
        case 'H':
            if (parse_shards(optarg, &o->writer.shards) != 0) {
                fprintf(stderr, PROG ": --shards: '%s' is not a number from "
                        "1 to %d, or auto\n", optarg, MAX_SHARDS);
                return 2;
            }
            break;
        case 'h': usage(stdout); return 0;
        case 'V': puts(PROG " " PASSIM_VERSION); return 0;
        default:
            fputs("Try '" PROG " --help' for more information.\n", stderr);
            return 2;
        }
    }
    if (o->forget + o->status + o->watch > 1) {
        fputs(PROG ": --forget, --status and --watch go alone\n", stderr);
        return 2;
    }
    if (o->status && optind < argc) {
        fputs(PROG ": --status takes no folder\n", stderr);
        return 2;
    }
    if (o->status)
        return -1;
    if (optind >= argc) {
        fputs(PROG ": no folder given\n"
              "Try '" PROG " --help' for more information.\n", stderr);
        return 2;
    }
    return resolve_roots(o, argv + optind, argc - optind) == 0 ? -1 : 2;
}

static void
count_skip(tally *t, const char *why)
{
    size_t i = 0;
    while (i < SKIP_REASONS - 1 && t->reason[i] && strcmp(t->reason[i], why))
        i++;
    if (!t->reason[i])
        t->reason[i] = why;
    else if (strcmp(t->reason[i], why) != 0)
        t->reason[i] = "other reasons"; /* the last slot takes the rest */
    t->by_reason[i]++;
}

static void
count_outcome(tally *t, px_outcome oc)
{
    switch (oc) {
    case PX_OUTCOME_UNCHANGED: t->unchanged++; break;
    case PX_OUTCOME_TOUCHED: t->touched++; break;
    case PX_OUTCOME_INDEXED: t->indexed++; break;
    case PX_OUTCOME_SKIPPED: t->skipped++; break;
    case PX_OUTCOME_FAILED: t->failed++; break;
    case PX_OUTCOME_REMOVED: t->removed++; break;
    }
}

static void
report(const options *o, const char *path, px_outcome oc, const char *msg)
{
    if (msg)
        fprintf(stderr, PROG ": %s: %s\n", path, msg);
    else if (o->verbose && oc == PX_OUTCOME_INDEXED)
        fprintf(stderr, PROG ": indexed %s\n", path);
}

typedef struct run_state {
    const options *o;
    tally *t;
    px_progress prog;
    size_t done;
    uint64_t bytes;
    px_crawler **crawlers; /* one per root, walked in turn */
    size_t root;
} run_state;

static void
on_file_done(void *ctx, const char *path, uint64_t size, px_outcome oc,
             const char *msg, const char *skipped)
{
    run_state *rs = ctx;
    px_progress_clear(&rs->prog);
    report(rs->o, path, oc, msg);
    count_outcome(rs->t, oc);
    if (skipped)
        count_skip(rs->t, skipped);
    rs->done++;
    rs->bytes += size;
    px_progress_update(&rs->prog, rs->done, rs->bytes);
}

/* The pipeline's source: the roots' files, one root after the other. */
static px_status
next_file(void *ctx, px_found *f, int *got)
{
    run_state *rs = ctx;
    *got = 0;
    while (rs->root < rs->o->nroots) {
        px_status rc = px_crawler_next(rs->crawlers[rs->root], f, got);
        if (rc != PX_OK || *got)
            return rc;
        rs->root++;
    }
    return PX_OK;
}

static void
no_warning(void *ctx, const char *path, const char *message)
{
    (void)ctx;
    (void)path;
    (void)message;
}

/* How many files and bytes the roots hold, for the progress line: a walk
 * of its own, so that the run itself keeps no list of files. */
static px_status
count_files(const options *o, size_t *files, uint64_t *bytes)
{
    px_status rc = PX_OK;
    *files = 0;
    *bytes = 0;
    for (size_t i = 0; rc == PX_OK && i < o->nroots; i++) {
        px_crawler *c = NULL;
        px_found f;
        int got = 1;
        rc = px_crawler_open(o->roots[i], no_warning, NULL, &c);
        while (rc == PX_OK && got) {
            rc = px_crawler_next(c, &f, &got);
            *files += (size_t)got;
            *bytes += got ? f.size : 0;
        }
        px_crawler_close(c);
    }
    return rc;
}

/* A crawl warning, which now comes while the progress line is shown. */
static void
warn_in_run(void *ctx, const char *path, const char *message)
{
    px_progress_clear(&((run_state *)ctx)->prog);
    warn_path(NULL, path, message);
}

/* Open a crawler on every root first: a root that is not a folder stops
 * the run before anything is indexed. */
static px_status
open_crawlers(run_state *rs)
{
    for (size_t i = 0; i < rs->o->nroots; i++) {
        px_status rc = px_crawler_open(rs->o->roots[i], warn_in_run, rs,
                                       &rs->crawlers[i]);
        if (rc != PX_OK)
            return rc;
    }
    return PX_OK;
}

/* Remove the files under the roots that the crawl did not find, but for
 * those under folders it could not read (each counted unreadable). */
static px_status
remove_gone(const options *o, px_writer *w, px_crawler **crawlers,
            tally *t)
{
    char **keep = NULL;
    size_t nkeep = 0;
    for (size_t i = 0; i < o->nroots; i++) {
        char *const *dirs;
        size_t n;
        px_crawler_unread(crawlers[i], &dirs, &n);
        char **more = n ? realloc(keep, (nkeep + n) * sizeof *more) : keep;
        if (n && !more) {
            free(keep);
            return PX_NOMEM;
        }
        keep = more;
        for (size_t k = 0; k < n; k++)
            keep[nkeep++] = dirs[k];
    }
    t->failed += nkeep; /* an unreadable folder counts as an unreadable file */
    px_status rc = px_writer_remove_unseen(w, o->roots, o->nroots, keep,
                                           nkeep, &t->removed);
    free(keep);
    return rc;
}

/* Bring every file under the roots up to date, parsing on worker threads
 * while the crawl goes on; stops early on a signal. */
static px_status
index_roots(const options *o, px_writer *w, tally *t)
{
    run_state rs = {.o = o, .t = t};
    int show = !o->quiet && isatty(STDERR_FILENO);
    size_t files = 0;
    uint64_t bytes = 0;
    rs.crawlers = calloc(o->nroots ? o->nroots : 1, sizeof *rs.crawlers);
    px_status rc = rs.crawlers ? open_crawlers(&rs) : PX_NOMEM;
    if (rc == PX_OK && show)
        rc = count_files(o, &files, &bytes);
    if (rc == PX_OK) {
        px_progress_start(&rs.prog, show, files, bytes);
        px_pipeline_opts po = {0, on_file_done, &rs, &stop_requested,
                               next_file, &rs};
        rc = px_pipeline_run(w, &po);
        px_progress_clear(&rs.prog);
    }
    if (rc == PX_OK && !stop_requested)
        rc = remove_gone(o, w, rs.crawlers, t);
    for (size_t i = 0; rs.crawlers && i < o->nroots; i++) {
        t->ignored += rs.crawlers[i] ? px_crawler_ignored(rs.crawlers[i]) : 0;
        px_crawler_close(rs.crawlers[i]);
    }
    free(rs.crawlers);
    return rc;
}

/* " (2 not text, 1 empty)", or "" when nothing was skipped. */
static void
skip_reasons(const tally *t, char *out, size_t size)
{
    size_t used = 0;
    for (size_t i = 0; i < SKIP_REASONS && t->reason[i] && used < size; i++)
        used += (size_t)snprintf(out + used, size - used, "%s%zu %s",
                                 i ? ", " : " (", t->by_reason[i],
                                 t->reason[i]);
    if (used > 0 && used + 1 < size)
        memcpy(out + used, ")", 2);
}

static void
summary(const options *o, const tally *t, px_writer *w, double secs)
{
    if (o->quiet)
        return;
    px_writer_stats s;
    px_writer_get_stats(w, &s);
    char why[256] = "";
    skip_reasons(t, why, sizeof why);
    char ignored[64] = "";
    if (t->ignored)
        snprintf(ignored, sizeof ignored, ", %zu not read for their names",
                 t->ignored);
    fprintf(stderr, PROG ": %zu indexed, %zu unchanged, %zu touched, "
            "%zu skipped%s, %zu unreadable, %zu removed%s; %zu passages, "
            "%.1f MB read in %.2f s\n", t->indexed, t->unchanged, t->touched,
            t->skipped, why, t->failed, t->removed, ignored,
            s.passages_added, (double)s.bytes_read / 1e6, secs);
}

/* After an error: what it was (a full disk named as such), and what the
 * database kept: only what was committed before it. */
static void
failure_summary(const char *dbpath, px_writer *w, px_status rc)
{
    const char *why = rc == PX_XAPIAN ? px_writer_last_error(w)
                                      : px_status_to_string(rc);
    px_writer_stats s;
    px_writer_get_stats(w, &s);
    if (strstr(why, strerror(ENOSPC)) || strstr(why, strerror(EDQUOT))) {
        struct statvfs fs;
        double free_mb = statvfs(dbpath, &fs) == 0
                             ? (double)fs.f_bavail * (double)fs.f_frsize / 1e6
                             : 0;
        fprintf(stderr, PROG ": database %s: the disk is full (%.1f MB "
                "free): free some space or index into a database on "
                "another disk, then run again\n", dbpath, free_mb);
    } else {
        fprintf(stderr, PROG ": database %s: %s\n", dbpath, why);
    }
    fprintf(stderr, PROG ": stopped: %zu files (%zu passages) were "
            "committed before the error; the database is usable, and the "
            "next run indexes the rest\n", s.files_committed,
            s.passages_added);
}

/* The writer on dbpath, or NULL after saying why. */
static px_writer *
open_writer(const char *dbpath, const px_writer_opts *opts)
{
    px_writer *w = NULL;
    char *err = NULL;
    px_status rc = px_writer_open(dbpath, opts, &w, &err);
    if (rc != PX_OK)
        fprintf(stderr, PROG ": %s\n", err ? err : px_status_to_string(rc));
    free(err);
    return rc == PX_OK ? w : NULL;
}

/* Watch mode: the watcher commits itself (in batches bounded in time as
 * well as size), so the writer is opened with limits it never reaches. */
static int
run_watch(options *o, const char *dbpath)
{
    px_writer_opts wo = o->writer;
    wo.batch_files = SIZE_MAX;
    wo.batch_bytes = SIZE_MAX;
    px_writer *w = open_writer(dbpath, &wo);
    if (!w)
        return 2;
    px_status rc = PX_OK;
    for (size_t i = 0; rc == PX_OK && i < o->nroots; i++)
        rc = px_writer_note_root(w, o->roots[i], 0);
    if (rc != PX_OK) {
        fprintf(stderr, PROG ": %s\n", px_writer_last_error(w));
        px_writer_close(w);
        return 2;
    }
    o->watching.roots = o->roots;
    o->watching.nroots = o->nroots;
    o->watching.batch_files = o->writer.batch_files;
    o->watching.batch_bytes = o->writer.batch_bytes;
    o->watching.quiet = o->quiet;
    o->watching.verbose = o->verbose;
    int status = px_watch_run(w, &o->watching);
    if (px_writer_close(w) != PX_OK) {
        fprintf(stderr, PROG ": database %s: the final commit failed\n",
                dbpath);
        status = 2;
    }
    return status;
}

/* --forget: the files indexed under each root (or the root itself, a
 * file) leave the index; the files stay where they are. */
static px_status
forget_roots(const options *o, px_writer *w)
{
    px_status rc = PX_OK;
    for (size_t i = 0; rc == PX_OK && i < o->nroots; i++) {
        size_t n = 0;
        if (px_writer_has(w, o->roots[i]))
            rc = px_writer_remove(w, o->roots[i]), n = 1;
        else
            rc = px_writer_remove_under(w, o->roots[i], &n);
        if (rc == PX_OK)
            rc = px_writer_note_root(w, o->roots[i], 1);
        if (rc == PX_OK && !o->quiet && n)
            fprintf(stderr, PROG ": %s: %zu file%s forgotten\n", o->roots[i],
                    n, n == 1 ? "" : "s");
        else if (rc == PX_OK && !o->quiet)
            fprintf(stderr, PROG ": %s: nothing indexed there\n",
                    o->roots[i]);
    }
    return rc == PX_OK ? px_writer_commit(w) : rc;
}

static int
run_forget(const options *o, const char *dbpath)
{
    px_writer *w = open_writer(dbpath, &o->writer);
    if (!w)
        return 2;
    px_status rc = forget_roots(o, w);
    if (rc != PX_OK)
        fprintf(stderr, PROG ": %s\n", rc == PX_XAPIAN
                ? px_writer_last_error(w) : px_status_to_string(rc));
    if (px_writer_close(w) != PX_OK && rc == PX_OK) {
        fprintf(stderr, PROG ": database %s: the final commit failed\n",
                dbpath);
        rc = PX_XAPIAN;
    }
    return rc == PX_OK ? 0 : 2;
}

static int
run(const options *o, const char *dbpath)
{
    double start = px_now();
    px_writer *w = open_writer(dbpath, &o->writer);
    if (!w)
        return 2;
    tally t = {0};
    px_status rc = index_roots(o, w, &t);
    for (size_t i = 0; rc == PX_OK && !stop_requested && i < o->nroots; i++)
        rc = px_writer_note_root(w, o->roots[i], 0);
    /* The final commit too may find the disk full; the summary counts
     * what was committed. */
    px_status closed = rc == PX_OK ? px_writer_commit(w) : rc;
    if (closed == PX_OK)
        summary(o, &t, w, px_now() - start);
    else
        failure_summary(dbpath, w, rc == PX_OK ? PX_XAPIAN : rc);
    if (px_writer_close(w) != PX_OK && closed == PX_OK) {
        fprintf(stderr, PROG ": database %s: the final commit failed\n",
                dbpath);
        closed = PX_XAPIAN;
    }
    rc = closed;
    if (stop_requested && rc == PX_OK) {
        fputs(PROG ": interrupted; what was indexed is committed, the rest "
              "is indexed on the next run\n", stderr);
        return 130;
    }
    return rc != PX_OK ? 2 : t.failed ? 1 : 0;
}

int
main(int argc, char **argv)
{
    options o = {0};
    o.writer.batch_files = PX_WRITER_BATCH_FILES;
    o.writer.batch_bytes = PX_WRITER_BATCH_BYTES;
    o.writer.max_file_size = PX_WRITER_MAX_FILE_SIZE;
    o.writer.shards = shards_per_cpu(DEFAULT_MAX_SHARDS);
    o.watching.settle_ms = PX_WATCH_SETTLE_MS;
    o.watching.commit_ms = PX_WATCH_COMMIT_MS;
    o.watching.reconcile_s = PX_WATCH_RECONCILE_S;
    int status = parse_options(argc, argv, &o);
    char *dbpath = NULL;
    if (status < 0 && px_dbpath_resolve(o.db, &dbpath) != PX_OK) {
        fputs(PROG ": no database given and HOME is not set: use --db\n",
              stderr);
        status = 2;
    }
    /* passim reads a colon-separated PASSIM_DB as several databases; the
     * indexer writes one, and a path with a colon would be a surprise. */
    const char *env = getenv("PASSIM_DB");
    if (status < 0 && !o.db && env && strchr(env, ':')) {
        fprintf(stderr, PROG ": PASSIM_DB names several databases (%s); "
                "passim-index writes one: name it with --db\n", env);
        status = 2;
    }
    if (status < 0 && o.status) {
        status = px_dbstatus_print(dbpath, stdout);
    } else if (status < 0 && o.forget) {
        status = run_forget(&o, dbpath);
    } else if (status < 0 && o.watch) {
        status = run_watch(&o, dbpath);
    } else if (status < 0) {
        struct sigaction sa = {0};
        sa.sa_handler = on_signal;
        sigaction(SIGINT, &sa, NULL);
        sigaction(SIGTERM, &sa, NULL);
        status = run(&o, dbpath);
    }
    free(dbpath);
    for (size_t i = 0; i < o.nroots; i++)
        free(o.roots[i]);
    free(o.roots);
    px_crawl_ignore_clear();
    return status;
}
