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
#include <unistd.h>

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

static int
exists_in(const char *dir, const char *file)
{
    char *p = px_asprintf("%s/%s", dir, file);
    int yes = p && access(p, F_OK) == 0;
    free(p);
    return yes;
}

/* Does the file at `path` start as a single-file glass database does? */
static int
single_file_database(const char *path)
{
    char magic[16] = {0};
    FILE *f = fopen(path, "rb");
    size_t got = f ? fread(magic, 1, sizeof magic - 1, f) : 0;
    if (f)
        fclose(f);
    return got >= 8 && memcmp(magic + 2, "Xapian", 6) == 0;
}

px_status
px_dbpath_stub_of(const char *path, char **stub)
{
    struct stat st;
    *stub = NULL;
    if (stat(path, &st) != 0)
        return PX_OK;
    if (S_ISDIR(st.st_mode)) {
        if (exists_in(path, "iamglass") || exists_in(path, "iamchert") ||
            exists_in(path, "iamhoney") || !exists_in(path, PX_DBPATH_STUB))
            return PX_OK;
        *stub = px_asprintf("%s/%s", path, PX_DBPATH_STUB);
    } else {
        if (single_file_database(path))
            return PX_OK;
        *stub = strdup(path);
    }
    return *stub ? PX_OK : PX_NOMEM;
}

/* `rest` of a local line, relative to the stub's folder. */
static char *
stub_path(const char *stub, const char *rest)
{
    if (rest[0] == '/')
        return strdup(rest);
    const char *slash = strrchr(stub, '/');
    if (!slash)
        return strdup(rest);
    return px_asprintf("%.*s/%s", (int)(slash - stub), stub, rest);
}

static int
is_type(const char *line, size_t len, const char *type)
{
    return len == strlen(type) && strncmp(line, type, len) == 0;
}

/* The database one line names (see px_dbpath_stub_fn), or NULL with
 * *nomem clear for a line Xapian would refuse. */
static char *
stub_name(const char *stub, const char *line, int *nomem)
{
    const char *space = strchr(line, ' ');
    const char *rest = space ? space + 1 : "";
    size_t len = space ? (size_t)(space - line) : strlen(line);
    char *name = NULL;
    *nomem = 0;
    if (!*rest)
        return NULL;
    if (is_type(line, len, "auto") || is_type(line, len, "glass") ||
        is_type(line, len, "chert") || is_type(line, len, "honey"))
        name = stub_path(stub, rest);
    else if (is_type(line, len, "remote"))
        name = rest[0] == ':' ? px_asprintf("prog:%s", rest + 1)
                              : px_asprintf("tcp://%s", rest);
    else
        return NULL;
    *nomem = name == NULL;
    return name;
}

px_status
px_dbpath_stub_read(const char *stub, px_dbpath_stub_fn each, void *ctx)
{
    FILE *f = fopen(stub, "r");
    if (!f)
        return PX_IO;
    char line[4096];
    size_t lineno = 0;
    px_status rc = PX_OK;
    while (rc == PX_OK && fgets(line, sizeof line, f)) {
        lineno++;
        line[strcspn(line, "\r\n")] = '\0';
        if (line[0] == '\0' || line[0] == '#')
            continue;
        int nomem = 0;
        char *name = stub_name(stub, line, &nomem);
        rc = nomem ? PX_NOMEM : each(ctx, lineno, line, name);
        free(name);
    }
    fclose(f);
    return rc;
}

typedef struct local_list {
    char **paths;
    size_t n;
} local_list;

/* A writer writes local databases only. */
static px_status
add_local(void *ctx, size_t lineno, const char *line, const char *name)
{
    (void)lineno;
    (void)line;
    local_list *l = ctx;
    if (!name || strncmp(name, "tcp://", 6) == 0 ||
        strncmp(name, "prog:", 5) == 0)
        return PX_INVALID_ARGUMENT;
    char **grown = realloc(l->paths, (l->n + 1) * sizeof *grown);
    if (!grown)
        return PX_NOMEM;
    l->paths = grown;
    if (!(grown[l->n] = strdup(name)))
        return PX_NOMEM;
    l->n++;
    return PX_OK;
}

px_status
px_dbpath_shards(const char *path, char ***paths, size_t *n)
{
    *paths = NULL;
    *n = 0;
    char *stub = NULL;
    local_list l = {0};
    px_status rc = px_dbpath_stub_of(path, &stub);
    if (rc == PX_OK && stub) {
        rc = px_dbpath_stub_read(stub, add_local, &l);
        if (rc == PX_IO || (rc == PX_OK && l.n == 0))
            rc = PX_INVALID_ARGUMENT;
    } else if (rc == PX_OK) {
        rc = add_local(&l, 0, path, path);
    }
    free(stub);
    if (rc != PX_OK) {
        px_dbpath_shards_free(l.paths, l.n);
        return rc;
    }
    *paths = l.paths;
    *n = l.n;
    return PX_OK;
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
