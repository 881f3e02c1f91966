/*
 * catalog.h — the catalog of indexed files.
 *
 * For every file indexed, the catalog remembers its path, size, mtime,
 * inode, a content hash and how many passages it gave. It lives in the same
 * Xapian database as the passages (user metadata "F" + article id) and is
 * written in the same transaction, so after any crash the catalog and the
 * passages agree. Entries are read from the database when looked up, so
 * memory does not grow with the number of files beyond 8 bytes a file
 * (the ids seen in this run); the indexer compares each file it finds
 * against its entry to skip unchanged files without reading them.
 */
#ifndef PASSIM_CATALOG_H
#define PASSIM_CATALOG_H

#include <stddef.h>
#include <stdint.h>

#include "passim/status.h"
#include "xapian-c.h"

#define PX_META_FILE_PREFIX "F"

typedef struct px_file_info {
    uint64_t size;
    int64_t mtime_ns;
    uint64_t inode;
    uint64_t hash;     /* content hash (px_catalog_hash) */
    uint32_t passages;
} px_file_info;

typedef struct px_catalog px_catalog;

/* The catalog of db, which must outlive it. Caller owns *out; free with
 * px_catalog_destroy(). */
px_status px_catalog_load(xc_database *db, px_catalog **out);

/* The entry for `path`, or NULL (also on a database error: the file is
 * then indexed as new). Borrowed, valid until the next lookup. Looking a
 * path up marks it seen (see px_catalog_each_unseen). */
const px_file_info *px_catalog_lookup(px_catalog *cat, const char *path);

/* The entry of the article whose id is `id` (px_article_id()), read from
 * db without a catalog (the query side): *info and *path (caller owns;
 * free with free()). PX_NOT_FOUND when there is none, PX_XAPIAN on a
 * database error (*path NULL on both). */
px_status px_catalog_get(xc_database *db, const char *id,
                         px_file_info *info, char **path);

/* *empty is 1 when the catalog has no entry at all. */
px_status px_catalog_is_empty(const px_catalog *cat, int *empty);

/* Record `info` for `path` in db (writable; inside the caller's
 * transaction), and mark it seen. */
px_status px_catalog_put(px_catalog *cat, xc_database *db, const char *path,
                         const px_file_info *info);

/* Forget `path` in db. Removing an absent path is PX_OK. */
px_status px_catalog_remove(px_catalog *cat, xc_database *db,
                            const char *path);

/* The number of entries (a walk of the database's keys). */
size_t px_catalog_count(const px_catalog *cat);

/* Call fn for every path not looked up or put since loading (or since
 * px_catalog_clear_seen). The path is borrowed for the call; fn may not
 * change the catalog: collect the paths, then remove them. */
typedef void (*px_catalog_fn)(void *ctx, const char *path,
                              const px_file_info *info);
void px_catalog_each_unseen(px_catalog *cat, px_catalog_fn fn, void *ctx);
void px_catalog_clear_seen(px_catalog *cat);

void px_catalog_destroy(px_catalog *cat);

/* A fast 64-bit hash of file contents. */
uint64_t px_catalog_hash(const char *data, size_t len);

#endif /* PASSIM_CATALOG_H */
