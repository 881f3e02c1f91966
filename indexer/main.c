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
/* A step of main() returns the exit status, or GO_ON to let the next
 * step run (HACKING.md: no bare -1). */
enum { GO_ON = -1 };
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
    const char **ignore; /* --ignore patterns (argv's) */
    size_t nignore;
    const char *exts;    /* --ext */
} options;

/* The skipped files by reason (px_update_file.skipped: a handful). */
#define SKIP_REASONS 8

typedef struct skips {
    const char *reason[SKIP_REASONS]; /* static strings */
    size_t by_reason[SKIP_REASONS];
} skips;

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

/* The options of watch mode and --ignore: 0 when taken, 2 on error,
 * GO_ON when `c` is not one of them. */
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
        o->exts = optarg;
        return 0;
    case 'I': {
        const char **more = realloc(o->ignore,
                                    (o->nignore + 1) * sizeof *more);
        if (!more) {
            fputs(PROG ": out of memory\n", stderr);
            return 2;
        }
        o->ignore = more;
        o->ignore[o->nignore++] = optarg;
        return 0;
    }
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
        return GO_ON;
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
static px_status
resolve_roots(options *o, char **argv, int argc)
{
    o->roots = calloc((size_t)argc, sizeof *o->roots);
    if (!o->roots) {
        fputs(PROG ": out of memory\n", stderr);
        return PX_NOMEM;
    }
    for (int i = 0; i < argc; i++) {
        char *abs = absolute(argv[i], o->forget);
        if (!abs) {
            fprintf(stderr, PROG ": %s: %s\n", argv[i], strerror(errno));
            return PX_NOT_FOUND;
        }
        o->roots[o->nroots++] = abs;
    }
    return PX_OK;
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
        if (taken != GO_ON) {
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
        return GO_ON;
    if (optind >= argc) {
        fputs(PROG ": no folder given\n"
              "Try '" PROG " --help' for more information.\n", stderr);
        return 2;
    }
    return resolve_roots(o, argv + optind, argc - optind) == PX_OK ? GO_ON
                                                                   : 2;
}

static void
count_skip(skips *t, const char *why)
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

typedef struct run_state {
    const options *o;
    skips sk;
    px_progress prog;
    size_t done;
    uint64_t bytes;
} run_state;

static void
on_file(void *ctx, const px_update_file *f)
{
    run_state *rs = ctx;
    px_progress_clear(&rs->prog);
    if (f->message)
        fprintf(stderr, PROG ": %s: %s\n", f->path, f->message);
    else if (rs->o->verbose && f->outcome == PX_OUTCOME_INDEXED)
        fprintf(stderr, PROG ": indexed %s\n", f->path);
    if (f->skipped)
        count_skip(&rs->sk, f->skipped);
    rs->done++;
    rs->bytes += f->size;
    px_progress_update(&rs->prog, rs->done, rs->bytes);
}

/* A crawl warning, which may come while the progress line is shown. */
static void
on_problem(void *ctx, const char *path, const char *message)
{
    px_progress_clear(&((run_state *)ctx)->prog);
    warn_path(NULL, path, message);
}

static void
on_total(void *ctx, size_t files, uint64_t bytes)
{
    run_state *rs = ctx;
    px_progress_start(&rs->prog, 1, files, bytes);
}

/* " (2 not text, 1 empty)", or "" when nothing was skipped. */
static void
skip_reasons(const skips *t, char *out, size_t size)
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
summary(const options *o, const px_update_summary *t, const skips *sk,
        double secs)
{
    if (o->quiet)
        return;
    char why[256] = "";
    skip_reasons(sk, why, sizeof why);
    char ignored[64] = "";
    if (t->ignored)
        snprintf(ignored, sizeof ignored, ", %zu not read for their names",
                 t->ignored);
    fprintf(stderr, PROG ": %zu indexed, %zu unchanged, %zu touched, "
            "%zu skipped%s, %zu unreadable, %zu removed%s; %zu passages, "
            "%.1f MB read in %.2f s\n", t->indexed, t->unchanged, t->touched,
            t->skipped, why, t->failed, t->removed, ignored,
            t->passages, (double)t->bytes_read / 1e6, secs);
}

/* After an error: what it was (a full disk named as such), and what the
 * database kept: only what was committed before it. */
static void
failure_summary(const char *dbpath, const px_update_summary *s,
                const char *why)
{
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
            "next run indexes the rest\n", s->files_committed, s->passages);
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
    int status = px_watch_run(w, &o->watching) == PX_OK ? 0 : 2;
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
    run_state rs = {.o = o};
    px_update_opts uo = {
        .db = dbpath, .shards = o->writer.shards,
        .batch_files = o->writer.batch_files,
        .batch_bytes = o->writer.batch_bytes,
        .max_file_size = o->writer.max_file_size,
        .no_entities = o->writer.no_entities,
        .total = !o->quiet && isatty(STDERR_FILENO),
        .ignore = o->ignore, .nignore = o->nignore, .exts = o->exts,
        .stop = &stop_requested,
        .callbacks = {on_file, on_problem, on_total, &rs},
    };
    px_update_summary t;
    char *err = NULL;
    px_status rc = px_index_update((const char *const *)o->roots, o->nroots,
                                   &uo, &t, &err);
    px_progress_clear(&rs.prog);
    if (rc == PX_OK)
        summary(o, &t, &rs.sk, px_now() - start);
    else if (rc == PX_NOT_FOUND) /* a folder that is not: told already */
        ;
    else if (t.opened)
        failure_summary(dbpath, &t, err ? err : px_status_to_string(rc));
    else
        fprintf(stderr, PROG ": %s\n", err ? err : px_status_to_string(rc));
    free(err);
    if (rc == PX_OK && t.stopped) {
        fputs(PROG ": interrupted; what was indexed is committed, the rest "
              "is indexed on the next run\n", stderr);
        return 130;
    }
    return rc != PX_OK ? 2 : t.failed ? 1 : 0;
}

/* Watch mode reads the --ignore and --ext lists process-wide (crawl.h);
 * px_index_update takes them as options instead. */
static int
set_names(const options *o)
{
    px_status rc = px_crawl_names_set(o->ignore, o->nignore, o->exts);
    if (rc != PX_OK)
        fputs(PROG ": out of memory\n", stderr);
    return rc == PX_OK ? 0 : 2;
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
    if (status == GO_ON && px_dbpath_resolve(o.db, &dbpath) != PX_OK) {
        fputs(PROG ": no database given and HOME is not set: use --db\n",
              stderr);
        status = 2;
    }
    /* passim reads a colon-separated PASSIM_DB as several databases; the
     * indexer writes one, and a path with a colon would be a surprise. */
    const char *env = getenv("PASSIM_DB");
    if (status == GO_ON && !o.db && env && strchr(env, ':')) {
        fprintf(stderr, PROG ": PASSIM_DB names several databases (%s); "
                "passim-index writes one: name it with --db\n", env);
        status = 2;
    }
    if (status == GO_ON && o.status) {
        status = px_dbstatus_print(dbpath, stdout);
    } else if (status == GO_ON && o.forget) {
        status = run_forget(&o, dbpath);
    } else if (status == GO_ON && o.watch) {
        status = set_names(&o);
        if (status == 0)
            status = run_watch(&o, dbpath);
    } else if (status == GO_ON) {
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
    free(o.ignore);
    px_crawl_ignore_clear();
    return status;
}
