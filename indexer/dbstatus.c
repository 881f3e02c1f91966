/*
 * dbstatus.c — what a database holds (dbstatus.h).
 */
#include "dbstatus.h"

#include <dirent.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "passim/catalog.h"
#include "passim/dbpath.h"
#include "passim/format.h"
#include "passim/grow.h"
#include "passim/schema.h"
#include "xapian-c.h"

#define PROG "passim-index"

/* The bytes of the files in the database's folder (a Xapian database is
 * one flat folder). */
static uint64_t
disk_size(const char *dir)
{
    uint64_t total = 0;
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t a = strlen(dir), b = strlen(e->d_name);
        char *p = malloc(a + b + 2);
        if (!p)
            break;
        memcpy(p, dir, a);
        p[a] = '/';
        memcpy(p + a + 1, e->d_name, b + 1);
        struct stat st;
        if (lstat(p, &st) == 0 && S_ISREG(st.st_mode))
            total += (uint64_t)st.st_size;
        free(p);
    }
    closedir(d);
    return total;
}

static void
print_last_commit(xc_database *db, FILE *out)
{
    char *v = NULL;
    size_t len = 0;
    if (xc_database_get_metadata(db, PX_META_LAST_COMMIT,
                                 strlen(PX_META_LAST_COMMIT), &v,
                                 &len) != XC_OK || !v) {
        fputs("last commit: never\n", out);
        free(v);
        return;
    }
    time_t t = (time_t)strtoll(v, NULL, 10);
    struct tm tm;
    char when[64] = "?";
    if (localtime_r(&t, &tm))
        strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S %z", &tm);
    fprintf(out, "last commit: %s (%lld)\n", when, (long long)t);
    free(v);
}

/* The bytes of a database: its own files, and its shards' (a Xapian
 * database is one flat folder; a sharded one holds one per shard). */
static uint64_t
db_size(const char *path)
{
    char **paths = NULL;
    size_t n = 0;
    uint64_t total = disk_size(path);
    if (px_dbpath_shards(path, &paths, &n) == PX_OK && n > 0 &&
        strcmp(paths[0], path) != 0) {
        for (size_t i = 0; i < n; i++)
            total += disk_size(paths[i]);
    }
    px_dbpath_shards_free(paths, n);
    return total;
}

/* Open a database, or reopen it while an indexer committing meanwhile
 * discards the revision being read, as passim does. */
static xc_status
open_retrying(const char *path, xc_database **db, char **err)
{
    xc_status xs = xc_database_open(path, db, err);
    for (int i = 0; xs == XC_MODIFIED && i < 10; i++) {
        free(*err);
        *err = NULL;
        xs = xc_database_open(path, db, err);
    }
    return xs;
}

/* The folders indexed (PX_META_ROOT keys) and the files under each. */
typedef struct roots {
    char **path;
    size_t *files;
    size_t n, path_cap, files_cap;
    px_status rc;
} roots;

static int
add_root(void *ctx, const char *key, size_t len)
{
    roots *r = ctx;
    size_t skip = strlen(PX_META_ROOT);
    if (px_grow((void **)&r->path, &r->path_cap, r->n + 1, sizeof *r->path) !=
            PX_OK ||
        px_grow((void **)&r->files, &r->files_cap, r->n + 1,
                sizeof *r->files) != PX_OK ||
        !(r->path[r->n] = px_asprintf("%.*s", (int)(len - skip), key + skip))) {
        r->rc = PX_NOMEM;
        return 1;
    }
    r->files[r->n++] = 0;
    return 0;
}

static void
count_under_roots(void *ctx, const char *path, const px_file_info *info)
{
    roots *r = ctx;
    (void)info;
    for (size_t i = 0; i < r->n; i++) {
        size_t n = strlen(r->path[i]);
        if (strncmp(path, r->path[i], n) == 0 &&
            (path[n] == '/' || (n == 1 && path[0] == '/')))
            r->files[i]++;
    }
}

static void
roots_free(roots *r)
{
    for (size_t i = 0; i < r->n; i++)
        free(r->path[i]);
    free(r->path);
    free(r->files);
}

static void
print_roots(const roots *r, FILE *out)
{
    for (size_t i = 0; i < r->n; i++)
        fprintf(out, "root: %s (%zu file%s)\n", r->path[i], r->files[i],
                r->files[i] == 1 ? "" : "s");
}

/* The files catalogued in one database (a shard or the only one), and
 * under each root. */
static px_status
count_files(const char *path, size_t *files, roots *r, char **err)
{
    xc_database *db = NULL;
    px_catalog *cat = NULL;
    xc_status xs = open_retrying(path, &db, err);
    if (xs != XC_OK)
        return PX_XAPIAN;
    px_status rc = PX_XAPIAN;
    for (int i = 0; rc == PX_XAPIAN && i < 10; i++) {
        px_catalog_destroy(cat);
        cat = NULL;
        if (i > 0 && xc_database_reopen(db) != XC_OK)
            break;
        rc = px_catalog_load(db, &cat);
    }
    if (rc == PX_OK && r->n)
        px_catalog_each_unseen(cat, count_under_roots, r);
    if (rc == PX_OK)
        *files += px_catalog_count(cat);
    else
        *err = px_asprintf("%s", rc == PX_XAPIAN ? xc_database_last_error(db)
                                              : px_status_to_string(rc));
    px_catalog_destroy(cat);
    xc_database_close(db);
    return rc;
}

/* Each shard holds its own part of the catalog: sum them. */
static px_status
count_all_files(const char *path, size_t *files, roots *r, char **err)
{
    char **paths = NULL;
    size_t n = 0;
    px_status rc = px_dbpath_shards(path, &paths, &n);
    *files = 0;
    for (size_t i = 0; rc == PX_OK && i < n; i++)
        rc = count_files(paths[i], files, r, err);
    if (rc != PX_OK && !*err)
        *err = px_asprintf("%s", px_status_to_string(rc));
    px_dbpath_shards_free(paths, n);
    return rc;
}

int
px_dbstatus_print(const char *path, FILE *out)
{
    xc_database *db = NULL;
    char *err = NULL;
    size_t files = 0;
    uint32_t docs = 0;
    xc_status xs = open_retrying(path, &db, &err);
    if (xs != XC_OK) {
        fprintf(stderr, PROG ": cannot open database %s: %s\n", path,
                err ? err : "unknown error");
        free(err);
        return 2;
    }
    roots r = {0};
    if (xc_database_metadata_keys(db, PX_META_ROOT, add_root, &r) != XC_OK)
        r.rc = PX_XAPIAN;
    px_status rc = r.rc != PX_OK ? r.rc : count_all_files(path, &files, &r,
                                                           &err);
    if (rc == PX_OK && xc_database_doccount(db, &docs) != XC_OK) {
        rc = PX_XAPIAN;
        err = px_asprintf("%s", xc_database_last_error(db));
    }
    if (rc != PX_OK) {
        fprintf(stderr, PROG ": cannot read database %s: %s\n", path,
                err ? err : px_status_to_string(rc));
    } else {
        uint64_t bytes = db_size(path);
        fprintf(out, "database: %s\nfiles: %zu\npassages: %" PRIu32 "\n"
                "size: %.1f MB (%" PRIu64 " bytes)\n", path, files, docs,
                (double)bytes / 1e6, bytes);
        print_last_commit(db, out);
        print_roots(&r, out);
    }
    roots_free(&r);
    free(err);
    xc_database_close(db);
    return rc == PX_OK ? 0 : 2;
}
