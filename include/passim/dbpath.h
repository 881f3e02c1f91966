/*
 * dbpath.h — where the index lives, shared by both binaries.
 *
 * --db PATH wins, then $PASSIM_DB, then
 * ${XDG_DATA_HOME:-$HOME/.local/share}/passim/index.
 */
#ifndef PASSIM_DBPATH_H
#define PASSIM_DBPATH_H

#include "passim/status.h"

/* Resolve the database path. `option` is the --db value or NULL. Caller
 * owns *out; free with free(). PX_NOT_FOUND when neither HOME nor
 * XDG_DATA_HOME is set and no path was given. */
px_status px_dbpath_resolve(const char *option, char **out);

/* Create the folders above `path` (mkdir -p of its parent). */
px_status px_dbpath_make_parent(const char *path);

#endif /* PASSIM_DBPATH_H */
