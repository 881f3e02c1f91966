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

int
px_dbstatus_print(const char *path, FILE *out)
{
    xc_database *db = NULL;
    char *err = NULL;
    xc_status xs = xc_database_open(path, &db, &err);
    /* An indexer committing meanwhile can discard the revision being read:
     * open or reread, as passim does. */
    for (int i = 0; xs == XC_MODIFIED && i < 10; i++) {
        free(err);
        err = NULL;
        xs = xc_database_open(path, &db, &err);
    }
    if (xs != XC_OK) {
        fprintf(stderr, PROG ": cannot open database %s: %s\n", path,
                err ? err : "unknown error");
        free(err);
        return 2;
    }
    px_catalog_t *cat = NULL;
    uint32_t docs = 0;
    px_status rc = PX_XAPIAN;
    for (int i = 0; rc == PX_XAPIAN && i < 10; i++) {
        px_catalog_destroy(cat);
        cat = NULL;
        if (i > 0 && xc_database_reopen(db) != XC_OK)
            break;
        rc = px_catalog_load(db, &cat);
        if (rc == PX_OK && xc_database_doccount(db, &docs) != XC_OK)
            rc = PX_XAPIAN;
    }
    if (rc != PX_OK) {
        fprintf(stderr, PROG ": cannot read database %s: %s\n", path,
                rc == PX_XAPIAN ? xc_database_last_error(db)
                                : px_status_to_string(rc));
    } else {
        uint64_t bytes = disk_size(path);
        fprintf(out, "database: %s\nfiles: %zu\npassages: %" PRIu32 "\n"
                "size: %.1f MB (%" PRIu64 " bytes)\n", path,
                px_catalog_count(cat), docs, (double)bytes / 1e6, bytes);
        print_last_commit(db, out);
    }
    px_catalog_destroy(cat);
    xc_database_close(db);
    return rc == PX_OK ? 0 : 2;
}
