/*
 * dbpath.c — where the index lives (dbpath.h).
 */
#include "passim/dbpath.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

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
