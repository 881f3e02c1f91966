/*
 * crawl.h — finding the articles under a folder.
 *
 * A recursive walk that follows symbolic links (a folder reached twice, as
 * through a link loop, is walked once and the loop reported), skips hidden
 * and temporary files, and keeps the files whose names passim reads:
 * all but those of images, archives and other files that are not text
 * (article.h), or those of the --ext list. Paths are absolute and NUL-terminated, byte strings as the
 * file system gave them (they need not be UTF-8).
 */
#ifndef PASSIM_CRAWL_H
#define PASSIM_CRAWL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "passim/status.h"

/* A file found: what the catalog compares (crawl lists reach hundreds of
 * thousands of files, so not a whole struct stat). */
typedef struct px_found {
    char *path; /* in the list's own blocks */
    uint64_t size;
    int64_t mtime_ns;
    uint64_t ino;
} px_found;

typedef struct px_found_list {
    px_found *items;
    size_t count, cap;
    unsigned long long bytes; /* total size of the files found */
    struct px_path_block *blocks; /* where the paths are kept */
    char **unread; /* folders that are there but could not be listed */
    size_t nunread;
} px_found_list;

/* f's fields in a struct stat of a regular file (the rest zero). */
void px_found_stat(const px_found *f, struct stat *st);

/* Called with a message about something the crawl could not do (an
 * unreadable folder, a link loop); `path` names it. */
typedef void (*px_crawl_warn_fn)(void *ctx, const char *path,
                                 const char *message);

/* Is `name` (a file name, not a path) hidden or temporary: dot files,
 * editor swap and backup files, partial downloads, or a name matching one
 * of the patterns added with px_crawl_ignore_add? */
int px_crawl_ignored(const char *name);

/* Is dir/name a Maildir's tmp folder (a "tmp" beside "cur" and "new"),
 * where a mail client writes the messages it has not delivered yet? Its
 * files are half-written by design: the crawl and the watcher skip it,
 * and see each message when it is renamed into new/. */
int px_crawl_maildir_tmp(const char *dir, const char *name);

/* Also ignore names matching the fnmatch(3) pattern `glob` (copied), in
 * the crawl and in the watcher alike. Process-wide; call before crawling,
 * from one thread. PX_NOMEM when out of memory. */
px_status px_crawl_ignore_add(const char *glob);

/* Read only files whose extensions are in `list` (comma-separated, case
 * and leading dots ignored; an empty item for files without one), by
 * their content where passim does not know the extension. Process-wide,
 * like px_crawl_ignore_add. */
px_status px_crawl_only_exts(const char *list);

/* Is the file at `path` one to read, by its name: in the --ext list when
 * there is one, else any name but those of files that are not text
 * (article.h's PX_FORMAT_NONE)? Hidden and ignored names are the
 * caller's to check (px_crawl_ignored). */
int px_crawl_wanted(const char *path);

/* Replace the patterns and the --ext list with globs[0, n) and exts
 * (NULL: every name passim reads), as px_crawl_ignore_add and
 * px_crawl_only_exts do. Process-wide, like them. */
px_status px_crawl_names_set(const char *const *globs, size_t n,
                             const char *exts);

/* Forget the patterns and the --ext list (at exit, for leak checkers). */
void px_crawl_ignore_clear(void);

/* Append the articles under the folder `root` (absolute) to `list`, sorted
 * by path within each folder. */
px_status px_crawl(const char *root, px_found_list *list,
                   px_crawl_warn_fn warn, void *ctx);

void px_found_list_free(px_found_list *list);

/* The same walk one file at a time, holding only the folders on the way
 * down: a run over hundreds of thousands of files need not keep a list.
 * open: PX_NOT_FOUND (warned) when root is not a folder. */
typedef struct px_crawler px_crawler;
px_status px_crawler_open(const char *root, px_crawl_warn_fn warn, void *ctx,
                          px_crawler **out);
/* The next article: *got 1 and *f (f->path valid until the next call), or
 * *got 0 at the end. */
px_status px_crawler_next(px_crawler *c, px_found *f, int *got);
/* The folders the walk found but could not list (not those that vanished):
 * the files the index has under them are not to be taken as gone. Valid
 * until the crawler is closed. */
void px_crawler_unread(const px_crawler *c, char *const **dirs, size_t *n);
/* How many files the walk passed over for their names (px_crawl_wanted). */
size_t px_crawler_ignored(const px_crawler *c);
void px_crawler_close(px_crawler *c);

#endif /* PASSIM_CRAWL_H */
