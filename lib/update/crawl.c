/*
 * crawl.c — finding the articles under a folder (crawl.h).
 */
#include "passim/crawl.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "passim/article.h"
#include "passim/format.h"

/* Folders already walked, by device and inode, so that links that lead
 * back up the tree or to the same folder twice are walked once. */
typedef struct seen_dirs {
    dev_t *dev;
    ino_t *ino;
    size_t n, cap;
} seen_dirs;

static int
ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* The user's --ignore patterns, set once before any crawl or watch. */
static char **ignore_globs;
static size_t nignore_globs;

px_status
px_crawl_ignore_add(const char *glob)
{
    char **p = realloc(ignore_globs, (nignore_globs + 1) * sizeof *p);
    if (!p)
        return PX_NOMEM;
    ignore_globs = p;
    ignore_globs[nignore_globs] = strdup(glob);
    if (!ignore_globs[nignore_globs])
        return PX_NOMEM;
    nignore_globs++;
    return PX_OK;
}

/* The user's --ext list: ",txt,log," (lower case, a comma each side),
 * or NULL for passim's own choice. */
static char *only_exts;

void
px_crawl_ignore_clear(void)
{
    for (size_t i = 0; i < nignore_globs; i++)
        free(ignore_globs[i]);
    free(ignore_globs);
    ignore_globs = NULL;
    nignore_globs = 0;
    free(only_exts);
    only_exts = NULL;
}

px_status
px_crawl_names_set(const char *const *globs, size_t n, const char *exts)
{
    px_status rc = PX_OK;
    px_crawl_ignore_clear();
    for (size_t i = 0; rc == PX_OK && i < n; i++)
        rc = px_crawl_ignore_add(globs[i]);
    if (rc == PX_OK && exts)
        rc = px_crawl_only_exts(exts);
    return rc;
}

px_status
px_crawl_only_exts(const char *list)
{
    size_t n = strlen(list), o = 0;
    char *l = malloc(n + 3);
    if (!l)
        return PX_NOMEM;
    l[o++] = ',';
    for (size_t i = 0; i < n; i++) {
        int starts = i == 0 || list[i - 1] == ',';
        if (!(starts && list[i] == '.'))  /* ".txt" as "txt" */
            l[o++] = (char)tolower((unsigned char)list[i]);
    }
    memcpy(l + o, ",", 2);
    free(only_exts);
    only_exts = l;
    return PX_OK;
}

/* Is the extension of `path` in the --ext list? */
static int
listed_ext(const char *path)
{
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    const char *dot = strrchr(base, '.');
    const char *ext = dot && dot != base ? dot + 1 : "";
    size_t n = strlen(ext);
    for (const char *item = only_exts + 1; *item; item++) {
        const char *comma = strchr(item, ',');
        if ((size_t)(comma - item) == n && strncasecmp(item, ext, n) == 0)
            return 1;
        item = comma;
    }
    return 0;
}

int
px_crawl_wanted(const char *path)
{
    if (only_exts)
        return listed_ext(path);
    return px_article_format_of(path) != PX_FORMAT_NONE;
}

static int
matches_glob(const char *name)
{
    for (size_t i = 0; i < nignore_globs; i++) {
        if (fnmatch(ignore_globs[i], name, 0) == 0)
            return 1;
    }
    return 0;
}

int
px_crawl_ignored(const char *name)
{
    static const char *const suffixes[] = {
        "~", ".swp", ".swo", ".swx", ".part", ".crdownload", ".tmp",
        ".partial", ".kate-swp",
    };
    size_t n = strlen(name);
    if (n == 0 || name[0] == '.' || name[0] == '#' || name[0] == '~')
        return 1;
    for (size_t i = 0; i < sizeof suffixes / sizeof *suffixes; i++) {
        if (ends_with(name, suffixes[i]))
            return 1;
    }
    return matches_glob(name);
}

static int
is_dir_at(const char *dir, const char *name)
{
    char *p = px_asprintf("%s/%s", dir, name);
    struct stat st;
    int yes = p && stat(p, &st) == 0 && S_ISDIR(st.st_mode);
    free(p);
    return yes;
}

int
px_crawl_maildir_tmp(const char *dir, const char *name)
{
    return strcmp(name, "tmp") == 0 && is_dir_at(dir, "cur") &&
           is_dir_at(dir, "new");
}

/* Record a folder; 1 if it was new, 0 if walked already, -1 on no memory. */
static int
mark_dir(seen_dirs *s, const struct stat *st)
{
    for (size_t i = 0; i < s->n; i++) {
        if (s->dev[i] == st->st_dev && s->ino[i] == st->st_ino)
            return 0;
    }
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 64;
        dev_t *d = realloc(s->dev, cap * sizeof *d);
        if (d)
            s->dev = d;
        ino_t *i = d ? realloc(s->ino, cap * sizeof *i) : NULL;
        if (!i)
            return -1;
        s->ino = i;
        s->cap = cap;
    }
    s->dev[s->n] = st->st_dev;
    s->ino[s->n++] = st->st_ino;
    return 1;
}

/* Paths are packed into blocks of PATH_BLOCK bytes (a longer path gets a
 * block of its own): a malloc per path cost a third more. */
#define PATH_BLOCK (256u << 10)

struct px_path_block {
    struct px_path_block *next;
    size_t used, cap;
    char data[];
};

static char *
keep_path(px_found_list *list, const char *path)
{
    size_t n = strlen(path) + 1;
    struct px_path_block *b = list->blocks;
    if (!b || b->cap - b->used < n) {
        size_t cap = n > PATH_BLOCK ? n : PATH_BLOCK;
        struct px_path_block *nb = malloc(sizeof *nb + cap);
        if (!nb)
            return NULL;
        *nb = (struct px_path_block){list->blocks, 0, cap};
        list->blocks = b = nb;
    }
    char *kept = memcpy(b->data + b->used, path, n);
    b->used += n;
    return kept;
}

void
px_found_stat(const px_found *f, struct stat *st)
{
    memset(st, 0, sizeof *st);
    st->st_mode = S_IFREG;
    st->st_size = (off_t)f->size;
    st->st_ino = (ino_t)f->ino;
    st->st_mtim.tv_sec = (time_t)(f->mtime_ns / 1000000000);
    st->st_mtim.tv_nsec = (long)(f->mtime_ns % 1000000000);
}

/* Add a copy of f (its path is copied into the list's blocks). */
static px_status
add_found(px_found_list *list, const px_found *f)
{
    char *kept = keep_path(list, f->path);
    if (!kept)
        return PX_NOMEM;
    if (list->count == list->cap) {
        size_t cap = list->cap ? list->cap * 2 : 256;
        px_found *items = realloc(list->items, cap * sizeof *items);
        if (!items)
            return PX_NOMEM;
        list->items = items;
        list->cap = cap;
    }
    list->items[list->count] = *f;
    list->items[list->count++].path = kept;
    list->bytes += (unsigned long long)f->size;
    return PX_OK;
}

static int
by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names in a folder, sorted, hidden and temporary ones left out. */
static char **
list_dir(const char *dir, size_t *count, int *err)
{
    DIR *d = opendir(dir);
    *count = 0;
    *err = d ? 0 : errno;
    if (!d)
        return NULL;
    char **names = NULL;
    size_t cap = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (px_crawl_ignored(e->d_name) ||
            px_crawl_maildir_tmp(dir, e->d_name))
            continue;
        if (*count == cap) {
            cap = cap ? cap * 2 : 32;
            char **p = realloc(names, cap * sizeof *p);
            if (!p)
                break;
            names = p;
        }
        names[*count] = strdup(e->d_name);
        if (names[*count])
            (*count)++;
    }
    closedir(d);
    if (*count)
        qsort(names, *count, sizeof *names, by_name);
    return names;
}

/* One folder being walked: its sorted names and the next one to visit. */
typedef struct frame {
    char *dir;
    char **names;
    size_t n, next;
} frame;

struct px_crawler {
    frame *stack; /* the folders from the root down to the current one */
    size_t depth, cap;
    seen_dirs seen;
    px_crawl_warn_fn warn;
    void *ctx;
    char *path; /* the last file returned */
    char **unread; /* folders that could not be listed */
    size_t nunread;
    size_t ignored; /* files not read for their names */
};

static void
pop_frame(px_crawler *c)
{
    frame *f = &c->stack[--c->depth];
    for (size_t i = f->next; i < f->n; i++)
        free(f->names[i]);
    free(f->names);
    free(f->dir);
}

/* Walk into the folder `dir` (taken): its names go on the stack. */
static px_status
push_dir(px_crawler *c, char *dir)
{
    size_t n;
    int err;
    char **names = list_dir(dir, &n, &err);
    if (err) {
        c->warn(c->ctx, dir, strerror(err));
        /* A folder that is there but cannot be read keeps what the index
         * has of it (px_crawler_unread); one that is gone does not. */
        char **more = err == ENOENT ? NULL
                      : realloc(c->unread, (c->nunread + 1) * sizeof *more);
        if (more) {
            c->unread = more;
            c->unread[c->nunread++] = dir;
            return PX_OK;
        }
        free(dir);
        return err == ENOENT ? PX_OK : PX_NOMEM;
    }
    if (c->depth == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 16;
        frame *more = realloc(c->stack, cap * sizeof *more);
        if (!more) {
            for (size_t i = 0; i < n; i++)
                free(names[i]);
            free(names);
            free(dir);
            return PX_NOMEM;
        }
        c->stack = more;
        c->cap = cap;
    }
    c->stack[c->depth++] = (frame){dir, names, n, 0};
    return PX_OK;
}

/* Look at `path` (taken): 1 when it is an article (then c->path), 0 when
 * it was a folder walked into, or skipped with a warning. */
static int
visit(px_crawler *c, char *path, struct stat *st, px_status *rc)
{
    if (stat(path, st) != 0) {
        /* Listed, then gone before its turn: the walk runs while earlier
         * files are indexed, so say it as the pipeline does. */
        int err = errno;
        struct stat link;
        int broken = err == ENOENT && lstat(path, &link) == 0;
        char msg[160];
        snprintf(msg, sizeof msg, err == ELOOP
                 ? "not followed: symbolic link loop"
                 : broken ? "skipped: a symbolic link to nothing"
                 : err == ENOENT ? "vanished while being indexed"
                                 : "skipped: %s", strerror(err));
        c->warn(c->ctx, path, msg);
        free(path);
        return 0;
    }
    if (S_ISREG(st->st_mode) && px_crawl_wanted(path)) {
        free(c->path);
        c->path = path;
        return 1;
    }
    if (S_ISREG(st->st_mode))
        c->ignored++;
    if (S_ISDIR(st->st_mode)) {
        int fresh = mark_dir(&c->seen, st);
        if (fresh < 0) {
            *rc = PX_NOMEM;
        } else if (fresh) {
            *rc = push_dir(c, path);
            return 0;
        } else {
            c->warn(c->ctx, path, "not followed: folder already walked "
                    "(a symbolic link loop or a second link to it)");
        }
    }
    free(path);
    return 0;
}

px_status
px_crawler_open(const char *root, px_crawl_warn_fn warn, void *ctx,
                px_crawler **out)
{
    *out = NULL;
    struct stat st;
    if (stat(root, &st) != 0) {
        warn(ctx, root, strerror(errno));
        return PX_NOT_FOUND;
    }
    if (!S_ISDIR(st.st_mode)) {
        warn(ctx, root, "not a folder");
        return PX_NOT_FOUND;
    }
    px_crawler *c = calloc(1, sizeof *c);
    char *dir = strdup(root);
    px_status rc = c && dir ? PX_OK : PX_NOMEM;
    if (rc == PX_OK) {
        c->warn = warn;
        c->ctx = ctx;
        rc = mark_dir(&c->seen, &st) < 0 ? PX_NOMEM : push_dir(c, dir);
        dir = NULL;
    }
    free(dir);
    if (rc != PX_OK) {
        px_crawler_close(c);
        return rc;
    }
    *out = c;
    return PX_OK;
}

px_status
px_crawler_next(px_crawler *c, px_found *f, int *got)
{
    *got = 0;
    px_status rc = PX_OK;
    while (c->depth > 0 && rc == PX_OK) {
        frame *top = &c->stack[c->depth - 1];
        if (top->next == top->n) {
            pop_frame(c);
            continue;
        }
        char *name = top->names[top->next++];
        char *path = px_asprintf("%s/%s", top->dir, name);
        free(name);
        if (!path)
            return PX_NOMEM;
        struct stat st;
        if (visit(c, path, &st, &rc)) {
            *f = (px_found){c->path, (uint64_t)st.st_size,
                              (int64_t)st.st_mtim.tv_sec * 1000000000 +
                                  st.st_mtim.tv_nsec,
                              (uint64_t)st.st_ino};
            *got = 1;
            return PX_OK;
        }
    }
    return rc;
}

void
px_crawler_unread(const px_crawler *c, char *const **dirs, size_t *n)
{
    *dirs = c ? c->unread : NULL;
    *n = c ? c->nunread : 0;
}

size_t
px_crawler_ignored(const px_crawler *c)
{
    return c->ignored;
}

void
px_crawler_close(px_crawler *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->nunread; i++)
        free(c->unread[i]);
    free(c->unread);
    while (c->depth > 0)
        pop_frame(c);
    free(c->stack);
    free(c->seen.dev);
    free(c->seen.ino);
    free(c->path);
    free(c);
}

px_status
px_crawl(const char *root, px_found_list *list, px_crawl_warn_fn warn,
         void *ctx)
{
    px_crawler *c = NULL;
    px_status rc = px_crawler_open(root, warn, ctx, &c);
    px_found f;
    int got = 1;
    while (rc == PX_OK && got) {
        rc = px_crawler_next(c, &f, &got);
        if (rc == PX_OK && got)
            rc = add_found(list, &f);
    }
    for (size_t i = 0; rc == PX_OK && c && i < c->nunread; i++) {
        char **more = realloc(list->unread,
                              (list->nunread + 1) * sizeof *more);
        if (!more)
            rc = PX_NOMEM;
        else if ((more[list->nunread] = strdup(c->unread[i])) != NULL)
            list->nunread++;
        if (more)
            list->unread = more;
    }
    px_crawler_close(c);
    return rc;
}

void
px_found_list_free(px_found_list *list)
{
    for (size_t i = 0; i < list->nunread; i++)
        free(list->unread[i]);
    free(list->unread);
    while (list->blocks) {
        struct px_path_block *next = list->blocks->next;
        free(list->blocks);
        list->blocks = next;
    }
    free(list->items);
    memset(list, 0, sizeof *list);
}
