/*
 * store.c — making and opening the databases passim writes (store.h).
 */
#include "passim/store.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "passim/dbpath.h"
#include "passim/format.h"
#include "passim/schema.h"

/* A new database marks the articles dated by their file's time
 * (schema.h): say so, so that a reader can trust the term's absence. */
static xc_status
mark_file_dated(xc_database *db)
{
    return xc_database_set_metadata(db, PX_META_FILE_DATED,
                                    strlen(PX_META_FILE_DATED), "1", 1);
}

/* Create a new database at `path` all at once: built in a sibling folder
 * and renamed into place, so that a SIGKILL while Xapian creates its files
 * leaves no half-made database that the next run cannot open. */
static px_status
create_database(const char *path, char **error)
{
    char *tmp = px_asprintf("%s.creating-%ld", path, (long)getpid());
    xc_database *db = NULL;
    char *xerr = NULL;
    if (!tmp)
        return PX_NOMEM;
    xc_status xs = xc_database_open_writable(tmp, &db, &xerr);
    if (xs == XC_OK)
        xs = xc_database_set_metadata(db, PX_META_SCHEMA,
                                      strlen(PX_META_SCHEMA),
                                      PX_SCHEMA_VERSION,
                                      strlen(PX_SCHEMA_VERSION));
    if (xs == XC_OK)
        xs = mark_file_dated(db);
    if (xs == XC_OK)
        xs = xc_database_commit(db);
    xc_database_close(db);
    px_status rc = PX_OK;
    if (xs != XC_OK) {
        *error = px_asprintf("cannot create database %s: %s", path,
                           xerr ? xerr : xc_status_to_string(xs));
        rc = PX_XAPIAN;
    } else if (rename(tmp, path) != 0 && errno != EEXIST &&
               errno != ENOTEMPTY) {
        *error = px_asprintf("cannot create database %s: %s", path,
                           strerror(errno));
        rc = PX_IO;
    }
    free(xerr);
    free(tmp);
    return rc;
}

static px_status
open_database(const char *path, xc_database **db, char **error)
{
    char *xerr = NULL;
    if (px_dbpath_make_parent(path) != PX_OK) {
        *error = px_asprintf("cannot create the folder of database %s: %s",
                           path, strerror(errno));
        return PX_IO;
    }
    struct stat st;
    if (stat(path, &st) != 0 && errno == ENOENT) {
        px_status rc = create_database(path, error);
        if (rc != PX_OK)
            return rc;
    }
    xc_status xs = xc_database_open_writable(path, db, &xerr);
    px_status rc = PX_OK;
    if (xs == XC_LOCKED) {
        *error = px_asprintf("database %s is locked by another indexer "
                           "(is passim-index already running on it?)", path);
        rc = PX_LOCKED;
    } else if (xs != XC_OK) {
        *error = px_asprintf("cannot open database %s: %s", path,
                           xerr ? xerr : xc_status_to_string(xs));
        rc = PX_XAPIAN;
    }
    free(xerr);
    return rc;
}

static px_status
check_schema(xc_database *db, const char *path, char **error)
{
    char *v = NULL;
    size_t len = 0;
    if (xc_database_get_metadata(db, PX_META_SCHEMA, strlen(PX_META_SCHEMA),
                                 &v, &len) != XC_OK) {
        *error = px_asprintf("cannot read database %s: %s", path,
                        xc_database_last_error(db));
        return PX_XAPIAN;
    }
    px_status rc = PX_OK;
    if (!v) {
        if (xc_database_set_metadata(db, PX_META_SCHEMA, strlen(PX_META_SCHEMA),
                                     PX_SCHEMA_VERSION,
                                     strlen(PX_SCHEMA_VERSION)) != XC_OK ||
            mark_file_dated(db) != XC_OK)
            rc = PX_XAPIAN;
    } else if (strcmp(v, PX_SCHEMA_VERSION) != 0) {
        *error = px_asprintf("database %s has schema %s, this passim "
                             "writes %s: index into a new database", path, v,
                             PX_SCHEMA_VERSION);
        rc = PX_INVALID_ARGUMENT;
    }
    free(v);
    return rc;
}

/* A new sharded database at `path`, all at once as create_database does:
 * its shards and stub are made in a sibling folder renamed into place. */
static px_status
create_sharded(const char *path, size_t n, char **error)
{
    char *tmp = px_asprintf("%s.creating-%ld", path, (long)getpid());
    px_status rc = tmp ? PX_OK : PX_NOMEM;
    if (rc == PX_OK && (px_dbpath_make_parent(path) != PX_OK ||
                        mkdir(tmp, 0777) != 0))
        rc = PX_IO;
    for (size_t i = 0; rc == PX_OK && i < n; i++) {
        char *sub = px_asprintf("%s/shard%zu", tmp, i);
        rc = sub ? create_database(sub, error) : PX_NOMEM;
        free(sub);
    }
    if (rc == PX_OK)
        rc = px_dbpath_write_stub(tmp, n);
    if (rc == PX_OK && rename(tmp, path) != 0 && errno != EEXIST &&
        errno != ENOTEMPTY)
        rc = PX_IO;
    if (rc == PX_IO && !*error)
        *error = px_asprintf("cannot create database %s: %s", path,
                           strerror(errno));
    free(tmp);
    return rc;
}


px_status
px_store_create(const char *path, unsigned nshards, char **error)
{
    *error = NULL;
    if (px_dbpath_make_parent(path) != PX_OK) {
        *error = px_asprintf("cannot create the folder of database %s: %s",
                             path, strerror(errno));
        return PX_IO;
    }
    return nshards > 1 ? create_sharded(path, nshards, error)
                       : create_database(path, error);
}

px_status
px_store_open_writable(const char *path, xc_database **db, char **error)
{
    *db = NULL;
    *error = NULL;
    px_status rc = open_database(path, db, error);
    if (rc == PX_OK)
        rc = check_schema(*db, path, error);
    if (rc != PX_OK) {
        xc_database_close(*db);
        *db = NULL;
    }
    return rc;
}
