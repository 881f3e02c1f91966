/*
 * dbpath.c — where the index lives (dbpath.h).
 */
#include "passim/dbpath.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "passim/format.h"

px_status
px_dbpath_resolve(const char *option, char **out)
{
    *out = NULL;
    const char *env = getenv("PASSIM_DB");
    const char *given = option ? option : (env && *env ? env : NULL);
    if (given) {
        *out = strdup(given);
        return *out ? PX_OK : PX_NOMEM;
    }
    const char *xdg = getenv("XDG_DATA_HOME");
    const char *home = getenv("HOME");
    const char *base = xdg && *xdg ? xdg : NULL;
    const char *tail = base ? "/passim/index" : "/.local/share/passim/index";
    if (!base)
        base = home && *home ? home : NULL;
    if (!base)
        return PX_NOT_FOUND;
    size_t len = strlen(base) + strlen(tail) + 1;
    char *path = malloc(len);
    if (!path)
        return PX_NOMEM;
    snprintf(path, len, "%s%s", base, tail);
    *out = path;
    return PX_OK;
}

px_status
px_dbpath_make_parent(const char *path)
{
    char *copy = strdup(path);
    if (!copy)
        return PX_NOMEM;
    char *slash = strrchr(copy, '/');
    if (slash)
        *slash = '\0';
    px_status rc = PX_OK;
    /* mkdir -p: create each ancestor in turn, tolerating those that exist. */
    for (char *p = copy + 1; slash && rc == PX_OK; p++) {
        if (*p != '/' && *p != '\0')
            continue;
        char saved = *p;
        *p = '\0';
        if (mkdir(copy, 0755) != 0 && errno != EEXIST)
            rc = PX_IO;
        *p = saved;
        if (saved == '\0')
            break;
    }
    free(copy);
    return rc;
}

void
px_dbpath_shards_free(char **paths, size_t n)
{
    for (size_t i = 0; paths && i < n; i++)
        free(paths[i]);
    free(paths);
}

/* Read "glass NAME" lines; NAME is relative to the stub's folder, as
 * Xapian reads it. */
static px_status
read_stub(FILE *f, const char *dir, char ***paths, size_t *n)
{
    char line[512];
    px_status rc = PX_OK;
    while (rc == PX_OK && fgets(line, sizeof line, f)) {
        char name[256];
        if (sscanf(line, "glass %255s", name) != 1)
            continue;
        char **grown = realloc(*paths, (*n + 1) * sizeof *grown);
        if (!grown)
            return PX_NOMEM;
        *paths = grown;
        grown[*n] = px_asprintf("%s/%s", dir, name);
        rc = grown[*n] ? PX_OK : PX_NOMEM;
        *n += rc == PX_OK;
    }
    return rc == PX_OK && *n == 0 ? PX_INVALID_ARGUMENT : rc;
}

px_status
px_dbpath_shards(const char *path, char ***paths, size_t *n)
{
    *paths = NULL;
    *n = 0;
    char *stub = px_asprintf("%s/%s", path, PX_DBPATH_STUB);
    if (!stub)
        return PX_NOMEM;
    FILE *f = fopen(stub, "r");
    free(stub);
    px_status rc = PX_OK;
    if (f) {
        rc = read_stub(f, path, paths, n);
        fclose(f);
    } else if ((*paths = malloc(sizeof **paths)) && (**paths = strdup(path))) {
        *n = 1;
    } else {
        rc = PX_NOMEM;
    }
    if (rc != PX_OK) {
        px_dbpath_shards_free(*paths, *n);
        *paths = NULL;
        *n = 0;
    }
    return rc;
}

px_status
px_dbpath_write_stub(const char *dir, size_t n)
{
    char *stub = px_asprintf("%s/%s", dir, PX_DBPATH_STUB);
    FILE *f = stub ? fopen(stub, "w") : NULL;
    free(stub);
    if (!f)
        return PX_IO;
    for (size_t i = 0; i < n; i++)
        fprintf(f, "glass shard%zu\n", i);
    return fclose(f) == 0 ? PX_OK : PX_IO;
}

size_t
px_dbpath_shard_of(const char *path, size_t n)
{
    /* FNV-1a, as article ids: stable across runs and machines. */
    uint64_t h = 0xcbf29ce484222325ULL;
    for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
        h ^= *p;
        h *= 0x100000001b3ULL;
    }
    return n > 1 ? (size_t)(h % n) : 0;
}
