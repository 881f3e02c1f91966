/*
 * catalog.c — the catalog of indexed files (catalog.h).
 *
 * In memory: an open-addressing hash table keyed by path. In the database:
 * metadata "F" + article id -> "size mtime_ns inode hash passages\npath".
 * Keying by article id keeps keys short whatever the path's length.
 */
#include "passim/catalog.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "passim/schema.h"

typedef struct entry {
    char *path; /* NULL: empty slot; TOMBSTONE: removed */
    px_file_info_t info;
    int seen;
} entry_t;

static char tombstone_mark;
#define TOMBSTONE (&tombstone_mark)

struct px_catalog {
    entry_t *slots;
    size_t cap;   /* a power of two */
    size_t count; /* live entries */
    size_t used;  /* live entries and tombstones */
};

static uint64_t
hash_str(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    while (*s) {
        h ^= (unsigned char)*s++;
        h *= 0x100000001b3ULL;
    }
    return h;
}

/* The slot holding `path`, or the slot where it would go. */
static entry_t *
find_slot(const px_catalog_t *cat, const char *path)
{
    size_t mask = cat->cap - 1, i = hash_str(path) & mask;
    entry_t *free_slot = NULL;
    for (;;) {
        entry_t *e = &cat->slots[i];
        if (!e->path)
            return free_slot ? free_slot : e;
        if (e->path == TOMBSTONE) {
            if (!free_slot)
                free_slot = e;
        } else if (strcmp(e->path, path) == 0) {
            return e;
        }
        i = (i + 1) & mask;
    }
}

static px_status
grow(px_catalog_t *cat)
{
    size_t old_cap = cat->cap;
    entry_t *old = cat->slots;
    size_t cap = old_cap ? old_cap * 2 : 1024;
    while (cat->count * 2 >= cap)
        cap *= 2;
    entry_t *slots = calloc(cap, sizeof *slots);
    if (!slots)
        return PX_NOMEM;
    cat->slots = slots;
    cat->cap = cap;
    cat->used = cat->count;
    for (size_t i = 0; i < old_cap; i++) {
        if (old[i].path && old[i].path != TOMBSTONE)
            *find_slot(cat, old[i].path) = old[i];
    }
    free(old);
    return PX_OK;
}

/* Insert or update in memory only. */
static px_status
set_entry(px_catalog_t *cat, const char *path, const px_file_info_t *info,
          int seen)
{
    if ((cat->used + 1) * 4 >= cat->cap * 3 && grow(cat) != PX_OK)
        return PX_NOMEM;
    entry_t *e = find_slot(cat, path);
    if (!e->path || e->path == TOMBSTONE) {
        char *copy = strdup(path);
        if (!copy)
            return PX_NOMEM;
        if (!e->path)
            cat->used++;
        e->path = copy;
        cat->count++;
    }
    e->info = *info;
    e->seen = seen;
    return PX_OK;
}

static int
parse_value(const char *v, size_t len, px_file_info_t *info, const char **path)
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

typedef struct load_ctx {
    px_catalog_t *cat;
    xc_database *db;
    px_status rc;
} load_ctx;

static int
load_key(void *ctx, const char *key, size_t key_len)
{
    load_ctx *lc = ctx;
    char *value = NULL;
    size_t len = 0;
    if (xc_database_get_metadata(lc->db, key, key_len, &value, &len) != XC_OK) {
        lc->rc = PX_XAPIAN;
        return 1;
    }
    px_file_info_t info;
    const char *path;
    /* An entry that does not parse is dropped: the file is then indexed
     * again as new, which is always safe. */
    if (value && parse_value(value, len, &info, &path) == 0)
        lc->rc = set_entry(lc->cat, path, &info, 0);
    free(value);
    return lc->rc != PX_OK;
}

px_status
px_catalog_load(xc_database *db, px_catalog_t **out)
{
    px_catalog_t *cat = calloc(1, sizeof *cat);
    *out = NULL;
    if (!cat || grow(cat) != PX_OK) {
        free(cat);
        return PX_NOMEM;
    }
    load_ctx lc = {cat, db, PX_OK};
    if (xc_database_metadata_keys(db, PX_META_FILE_PREFIX, load_key, &lc)
            != XC_OK && lc.rc == PX_OK)
        lc.rc = PX_XAPIAN;
    if (lc.rc != PX_OK) {
        px_catalog_destroy(cat);
        return lc.rc;
    }
    *out = cat;
    return PX_OK;
}

const px_file_info_t *
px_catalog_lookup(px_catalog_t *cat, const char *path)
{
    entry_t *e = find_slot(cat, path);
    if (!e->path || e->path == TOMBSTONE)
        return NULL;
    e->seen = 1;
    return &e->info;
}

static void
meta_key(const char *path, char key[2 + PX_ARTICLE_ID_SIZE])
{
    char id[PX_ARTICLE_ID_SIZE];
    px_article_id(path, id);
    snprintf(key, 2 + PX_ARTICLE_ID_SIZE, "%s%s", PX_META_FILE_PREFIX, id);
}

px_status
px_catalog_put(px_catalog_t *cat, xc_database *db, const char *path,
               const px_file_info_t *info)
{
    char key[2 + PX_ARTICLE_ID_SIZE];
    meta_key(path, key);
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
    return set_entry(cat, path, info, 1);
}

px_status
px_catalog_remove(px_catalog_t *cat, xc_database *db, const char *path)
{
    char key[2 + PX_ARTICLE_ID_SIZE];
    meta_key(path, key);
    if (xc_database_set_metadata(db, key, strlen(key), "", 0) != XC_OK)
        return PX_XAPIAN;
    entry_t *e = find_slot(cat, path);
    if (e->path && e->path != TOMBSTONE) {
        free(e->path);
        e->path = TOMBSTONE;
        cat->count--;
    }
    return PX_OK;
}

size_t
px_catalog_count(const px_catalog_t *cat)
{
    return cat->count;
}

void
px_catalog_each_unseen(px_catalog_t *cat, px_catalog_fn fn, void *ctx)
{
    for (size_t i = 0; i < cat->cap; i++) {
        entry_t *e = &cat->slots[i];
        if (e->path && e->path != TOMBSTONE && !e->seen)
            fn(ctx, e->path, &e->info);
    }
}

void
px_catalog_clear_seen(px_catalog_t *cat)
{
    for (size_t i = 0; i < cat->cap; i++)
        cat->slots[i].seen = 0;
}

void
px_catalog_destroy(px_catalog_t *cat)
{
    if (!cat)
        return;
    for (size_t i = 0; i < cat->cap; i++) {
        if (cat->slots[i].path && cat->slots[i].path != TOMBSTONE)
            free(cat->slots[i].path);
    }
    free(cat->slots);
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
