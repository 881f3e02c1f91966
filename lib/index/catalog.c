/*
 * catalog.c — the catalog of indexed files (catalog.h).
 *
 * The entries live in the database only: metadata "F" + article id ->
 * "size mtime_ns inode hash passages\npath", read when a file is looked up
 * (a writable database reads its own uncommitted changes). Keying by
 * article id keeps keys short whatever the path's length. In memory there
 * is only the set of article ids seen in this run, 8 bytes a file: an
 * index of 188,000 files held 45 MB of catalog in memory before.
 */
#include "passim/catalog.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "passim/idset.h"
#include "passim/schema.h"

struct px_catalog {
    xc_database *db;
    px_idset seen; /* the ids looked up or written since loading */
    px_file_info found; /* what px_catalog_lookup returns */
};

static int
parse_value(const char *v, size_t len, px_file_info *info, const char **path)
{
    const char *nl = memchr(v, '\n', len);
    if (!nl)
        return -1;
    uint64_t mtime;
    unsigned passages;
    if (sscanf(v, "%" SCNu64 " %" SCNu64 " %" SCNu64 " %" SCNx64 " %u",
               &info->size, &mtime, &info->inode, &info->hash,
               &passages) != 5)
        return -1;
    info->mtime_ns = (int64_t)mtime;
    info->passages = passages;
    *path = nl + 1;
    return 0;
}

static void
meta_key(uint64_t id, char key[2 + PX_ARTICLE_ID_SIZE])
{
    snprintf(key, 2 + PX_ARTICLE_ID_SIZE, "%s%016" PRIx64,
             PX_META_FILE_PREFIX, id);
}

/* The entry stored under `key` whose path is `path` (any path if NULL):
 * 1 found (*info, and *stored when asked: caller frees), 0 none, -1 a
 * database error. An entry that does not parse counts as none: the file
 * is then indexed again as new, which is always safe. */
static int
read_entry(xc_database *db, const char *key, const char *path,
           px_file_info *info, char **stored)
{
    char *value = NULL;
    size_t len = 0;
    const char *p = NULL;
    if (xc_database_get_metadata(db, key, strlen(key), &value, &len) != XC_OK)
        return -1;
    int found = value && parse_value(value, len, info, &p) == 0 &&
                (!path || strcmp(p, path) == 0);
    if (found && stored)
        *stored = strdup(p);
    free(value);
    return found && (!stored || *stored) ? 1 : 0;
}

px_status
px_catalog_load(xc_database *db, px_catalog **out)
{
    px_catalog *cat = calloc(1, sizeof *cat);
    *out = cat;
    if (!cat)
        return PX_NOMEM;
    cat->db = db;
    return PX_OK;
}

const px_file_info *
px_catalog_lookup(px_catalog *cat, const char *path)
{
    uint64_t id = px_article_hash(path);
    char key[2 + PX_ARTICLE_ID_SIZE];
    meta_key(id, key);
    /* Without room to mark it seen, the entry is reported unseen at the end
     * of a crawl and its file indexed again: slower, never wrong. */
    (void)px_idset_add(&cat->seen, id);
    return read_entry(cat->db, key, path, &cat->found, NULL) == 1
               ? &cat->found : NULL;
}

px_status
px_catalog_get(xc_database *db, const char *id, px_file_info *info,
               char **path)
{
    char key[2 + PX_ARTICLE_ID_SIZE];
    *path = NULL;
    snprintf(key, sizeof key, "%s%.16s", PX_META_FILE_PREFIX, id);
    int found = read_entry(db, key, NULL, info, path);
    return found == 1 ? PX_OK : found == 0 ? PX_NOT_FOUND : PX_XAPIAN;
}

px_status
px_catalog_put(px_catalog *cat, xc_database *db, const char *path,
               const px_file_info *info)
{
    uint64_t id = px_article_hash(path);
    char key[2 + PX_ARTICLE_ID_SIZE];
    meta_key(id, key);
    char head[128];
    int n = snprintf(head, sizeof head,
                     "%" PRIu64 " %" PRId64 " %" PRIu64 " %" PRIx64 " %u\n",
                     info->size, info->mtime_ns, info->inode, info->hash,
                     (unsigned)info->passages);
    size_t plen = strlen(path);
    char *value = malloc((size_t)n + plen + 1);
    if (!value)
        return PX_NOMEM;
    memcpy(value, head, (size_t)n);
    memcpy(value + n, path, plen + 1);
    xc_status xs = xc_database_set_metadata(db, key, strlen(key), value,
                                            (size_t)n + plen);
    free(value);
    if (xs != XC_OK)
        return PX_XAPIAN;
    return px_idset_add(&cat->seen, id);
}

px_status
px_catalog_remove(px_catalog *cat, xc_database *db, const char *path)
{
    (void)cat;
    char key[2 + PX_ARTICLE_ID_SIZE];
    meta_key(px_article_hash(path), key);
    return xc_database_set_metadata(db, key, strlen(key), "", 0) == XC_OK
               ? PX_OK : PX_XAPIAN;
}

static int
count_key(void *ctx, const char *key, size_t len)
{
    (void)key;
    (void)len;
    ++*(size_t *)ctx;
    return 0;
}

static int
note_any(void *ctx, const char *key, size_t len)
{
    (void)key;
    (void)len;
    *(int *)ctx = 1;
    return 1; /* one is enough */
}

px_status
px_catalog_is_empty(const px_catalog *cat, int *empty)
{
    int any = 0;
    xc_status xs = xc_database_metadata_keys(cat->db, PX_META_FILE_PREFIX,
                                             note_any, &any);
    *empty = !any;
    return xs == XC_OK ? PX_OK : PX_XAPIAN;
}

size_t
px_catalog_count(const px_catalog *cat)
{
    size_t n = 0;
    xc_database_metadata_keys(cat->db, PX_META_FILE_PREFIX, count_key, &n);
    return n;
}

typedef struct unseen_ctx {
    px_catalog *cat;
    px_catalog_fn fn;
    void *ctx;
} unseen_ctx;

static int
visit_unseen(void *ctx, const char *key, size_t len)
{
    unseen_ctx *u = ctx;
    const size_t plen = strlen(PX_META_FILE_PREFIX);
    char hex[PX_ARTICLE_ID_SIZE], *end = NULL;
    if (len != plen + PX_ARTICLE_ID_SIZE - 1)
        return 0;
    memcpy(hex, key + plen, PX_ARTICLE_ID_SIZE - 1);
    hex[PX_ARTICLE_ID_SIZE - 1] = '\0';
    uint64_t id = strtoull(hex, &end, 16);
    if (*end || px_idset_has(&u->cat->seen, id))
        return 0;
    char k[2 + PX_ARTICLE_ID_SIZE], *path = NULL;
    px_file_info info;
    memcpy(k, key, len);
    k[len] = '\0';
    if (read_entry(u->cat->db, k, NULL, &info, &path) == 1)
        u->fn(u->ctx, path, &info);
    free(path);
    return 0;
}

void
px_catalog_each_unseen(px_catalog *cat, px_catalog_fn fn, void *ctx)
{
    unseen_ctx u = {cat, fn, ctx};
    xc_database_metadata_keys(cat->db, PX_META_FILE_PREFIX, visit_unseen, &u);
}

void
px_catalog_clear_seen(px_catalog *cat)
{
    px_idset_clear(&cat->seen);
}

void
px_catalog_destroy(px_catalog *cat)
{
    if (!cat)
        return;
    px_idset_clear(&cat->seen);
    free(cat);
}

uint64_t
px_catalog_hash(const char *data, size_t len)
{
    /* FNV-1a over 8-byte words, then the tail: fast enough to hash a file
     * while it is being indexed anyway, and only used to tell "touched"
     * from "changed", not for security. */
    uint64_t h = 0xcbf29ce484222325ULL ^ len;
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t w;
        memcpy(&w, data + i, 8);
        h = (h ^ w) * 0x100000001b3ULL;
        h ^= h >> 29;
    }
    for (; i < len; i++)
        h = (h ^ (unsigned char)data[i]) * 0x100000001b3ULL;
    return h;
}
