/*
 * watchfs.c — changes under a set of folders, from inotify (watchfs.h).
 */
#define _DEFAULT_SOURCE /* DT_DIR in struct dirent */
#include "watchfs.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "passim/crawl.h"
#include "passim/format.h"

#ifdef __linux__
#include <sys/inotify.h>

/* IN_DONT_FOLLOW: a watch is on the folder itself, never through a link,
 * so a link to a folder elsewhere does not make events with paths that
 * name the target by its link. IN_EXCL_UNLINK: no events from files
 * already unlinked but still open. */
#define WATCH_MASK                                                         \
    (IN_CLOSE_WRITE | IN_MOVED_FROM | IN_MOVED_TO | IN_CREATE | IN_DELETE | \
     IN_DELETE_SELF | IN_MOVE_SELF | IN_MODIFY | IN_ATTRIB | IN_ONLYDIR |   \
     IN_DONT_FOLLOW | IN_EXCL_UNLINK)

/* A folder renamed within the tree shows as IN_MOVED_FROM then
 * IN_MOVED_TO with one cookie. The kernel queues the two together, but a
 * read may end between them: an unmatched IN_MOVED_FROM waits this long
 * for its pair before it counts as moved out of the tree. */
#define MOVE_PAIR_MS 20

typedef struct wd_path {
    int wd;
    int root;
    char *path;
} wd_path;

typedef struct pending_move {
    uint32_t cookie;
    char *path;
} pending_move;

struct px_watchfs {
    uv_poll_t poll;
    uv_timer_t move_timer;
    uv_timer_t rescan_timer;
    int fd;
    int closing; /* handles still to close */
    px_watchfs_fn fn;
    void *ctx;
    wd_path *map; /* sorted by wd: the kernel hands out growing numbers */
    size_t nmap, capmap;
    pending_move *moves;
    size_t nmoves, capmoves;
    /* Folders whose watch could not be added at the path an event gave
     * (renamed or moved meanwhile): their nearest existing ancestor in
     * the tree is walked again (rescan_later()). */
    char **rescans;
    size_t nrescans, caprescans;
};

static void rescan_later(px_watchfs *fs, const char *dir);

static void
emit(px_watchfs *fs, px_fs_kind kind, const char *path, const char *old,
     int err)
{
    px_fs_event ev = {kind, path, old, err};
    fs->fn(fs->ctx, &ev);
}

/* Is `path` the folder `dir` or under it? */
static int
under(const char *path, const char *dir)
{
    size_t n = strlen(dir);
    return strncmp(path, dir, n) == 0 && (path[n] == '/' || path[n] == '\0');
}

/* -- the map from watch descriptor to path */

static size_t
find_slot(const px_watchfs *fs, int wd)
{
    size_t lo = 0, hi = fs->nmap;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (fs->map[mid].wd < wd)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static wd_path *
lookup(px_watchfs *fs, int wd)
{
    size_t i = find_slot(fs, wd);
    return i < fs->nmap && fs->map[i].wd == wd ? &fs->map[i] : NULL;
}

/* Record (or, for a folder watched already, rename) a watch. */
static int
map_put(px_watchfs *fs, int wd, const char *path, int root)
{
    char *copy = strdup(path);
    if (!copy)
        return -1;
    size_t i = find_slot(fs, wd);
    if (i < fs->nmap && fs->map[i].wd == wd) {
        free(fs->map[i].path);
        fs->map[i].path = copy;
        fs->map[i].root |= root;
        return 0;
    }
    if (fs->nmap == fs->capmap) {
        size_t cap = fs->capmap ? fs->capmap * 2 : 64;
        wd_path *m = realloc(fs->map, cap * sizeof *m);
        if (!m) {
            free(copy);
            return -1;
        }
        fs->map = m;
        fs->capmap = cap;
    }
    memmove(&fs->map[i + 1], &fs->map[i], (fs->nmap - i) * sizeof *fs->map);
    fs->map[i] = (wd_path){wd, root, copy};
    fs->nmap++;
    return 0;
}

static void
map_remove_at(px_watchfs *fs, size_t i)
{
    free(fs->map[i].path);
    memmove(&fs->map[i], &fs->map[i + 1],
            (fs->nmap - i - 1) * sizeof *fs->map);
    fs->nmap--;
}

/* Release the watches of `dir` and every folder under it. */
static void
drop_under(px_watchfs *fs, const char *dir)
{
    for (size_t i = fs->nmap; i-- > 0;) {
        if (under(fs->map[i].path, dir)) {
            inotify_rm_watch(fs->fd, fs->map[i].wd);
            map_remove_at(fs, i);
        }
    }
}

/* The folders under `from` are now under `to`. */
static void
rename_under(px_watchfs *fs, const char *from, const char *to)
{
    size_t nf = strlen(from), nt = strlen(to);
    for (size_t i = 0; i < fs->nmap; i++) {
        const char *p = fs->map[i].path;
        if (!under(p, from))
            continue;
        size_t rest = strlen(p + nf);
        char *np = malloc(nt + rest + 1);
        if (!np)
            continue; /* stale until the next reconcile re-adds it */
        memcpy(np, to, nt);
        memcpy(np + nt, p + nf, rest + 1);
        free(fs->map[i].path);
        fs->map[i].path = np;
    }
}

/* -- adding watches */

static int
is_subdir(const char *dir, const struct dirent *e)
{
    if (e->d_type == DT_DIR)
        return 1;
    if (e->d_type != DT_UNKNOWN)
        return 0;
    char *p = px_asprintf("%s/%s", dir, e->d_name);
    struct stat st;
    int yes = p && lstat(p, &st) == 0 && S_ISDIR(st.st_mode);
    free(p);
    return yes;
}

/* Watch one folder, then walk it; -1 when out of watches, to stop the
 * walk (every further folder would fail the same way). */
static int
add_tree(px_watchfs *fs, const char *dir, int root)
{
    int wd = inotify_add_watch(fs->fd, dir, WATCH_MASK);
    if (wd < 0) {
        int err = errno;
        /* A folder that went or became a link meanwhile is no error; but
         * one that went because it or a folder above it was renamed
         * before this event was read must still be watched under its new
         * name: never leave a folder deaf on a guess. */
        if (err == ENOENT && !root)
            rescan_later(fs, dir);
        else if (err != ENOENT && err != ENOTDIR && err != ELOOP)
            emit(fs, PX_FS_ERROR, dir, NULL, err);
        return err == ENOSPC ? -1 : 0;
    }
    if (map_put(fs, wd, dir, root) != 0) {
        emit(fs, PX_FS_ERROR, dir, NULL, ENOMEM);
        return 0;
    }
    DIR *d = opendir(dir);
    if (!d)
        return 0; /* unreadable: the crawl says so */
    struct dirent *e;
    int rc = 0;
    while (rc == 0 && (e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0 ||
            px_crawl_ignored(e->d_name) || !is_subdir(dir, e) ||
            px_crawl_maildir_tmp(dir, e->d_name))
            continue;
        char *sub = px_asprintf("%s/%s", dir, e->d_name);
        if (sub)
            rc = add_tree(fs, sub, 0);
        free(sub);
    }
    closedir(d);
    return rc;
}

void
px_watchfs_add_tree(px_watchfs *fs, const char *dir, int root)
{
    add_tree(fs, dir, root);
}

void
px_watchfs_drop_all(px_watchfs *fs)
{
    while (fs->nmap > 0) {
        inotify_rm_watch(fs->fd, fs->map[fs->nmap - 1].wd);
        map_remove_at(fs, fs->nmap - 1);
    }
}

size_t
px_watchfs_count(const px_watchfs *fs)
{
    return fs->nmap;
}

/* -- folders to walk again */

/* Whether the watch map holds `dir` at that path. */
static int
watched_at(const px_watchfs *fs, const char *dir)
{
    for (size_t i = 0; i < fs->nmap; i++)
        if (strcmp(fs->map[i].path, dir) == 0)
            return 1;
    return 0;
}

/* The root of the tree `path` is in, or NULL. */
static const char *
root_of(const px_watchfs *fs, const char *path)
{
    for (size_t i = 0; i < fs->nmap; i++)
        if (fs->map[i].root && under(path, fs->map[i].path))
            return fs->map[i].path;
    return NULL;
}

/* The nearest folder at or above `path` that exists, inside its root
 * (cut in place), or NULL when even the root is gone. */
static char *
existing_ancestor(const px_watchfs *fs, char *path)
{
    const char *root = root_of(fs, path);
    size_t rlen = root ? strlen(root) : 0;
    struct stat st;
    while (root && strlen(path) >= rlen) {
        if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode))
            return path;
        char *slash = strrchr(path, '/');
        if (!slash)
            break;
        *slash = '\0';
    }
    return NULL;
}

static void
on_rescan_timer(uv_timer_t *t)
{
    px_watchfs *fs = t->data;
    while (fs->nrescans > 0) {
        char *dir = fs->rescans[--fs->nrescans];
        char *at = existing_ancestor(fs, dir);
        if (at) {
            add_tree(fs, at, 0);
            emit(fs, PX_FS_DIR_NEW, at, NULL, 0);
        }
        free(dir);
    }
}

/* A watch for `dir` failed with ENOENT. When its parent is watched at
 * its own path and exists, the folder was deleted or renamed in it, and
 * the parent's watch reports that (its new name is walked then). Else a
 * folder above it was renamed before its events were read: walk the
 * nearest existing ancestor once the queued events are handled. */
static void
rescan_later(px_watchfs *fs, const char *dir)
{
    char *parent = strdup(dir);
    char *slash = parent ? strrchr(parent, '/') : NULL;
    struct stat st;
    if (slash)
        *slash = '\0';
    int explained = slash && watched_at(fs, parent) &&
                    lstat(parent, &st) == 0 && S_ISDIR(st.st_mode);
    if (!explained && parent && fs->nrescans == fs->caprescans) {
        size_t cap = fs->caprescans ? 2 * fs->caprescans : 8;
        char **r = realloc(fs->rescans, cap * sizeof *r);
        if (r) {
            fs->rescans = r;
            fs->caprescans = cap;
        }
    }
    if (explained || !parent || fs->nrescans == fs->caprescans) {
        if (!explained)
            emit(fs, PX_FS_LOST, dir, NULL, 0); /* reconcile instead */
        free(parent);
        return;
    }
    fs->rescans[fs->nrescans++] = parent;
    uv_timer_start(&fs->rescan_timer, on_rescan_timer, MOVE_PAIR_MS, 0);
}

/* -- folder moves */

static void
flush_moves(px_watchfs *fs)
{
    while (fs->nmoves > 0) {
        pending_move m = fs->moves[--fs->nmoves];
        drop_under(fs, m.path);
        emit(fs, PX_FS_DIR_GONE, m.path, NULL, 0);
        free(m.path);
    }
}

static void
on_move_timer(uv_timer_t *t)
{
    flush_moves(t->data);
}

static void
hold_move(px_watchfs *fs, uint32_t cookie, const char *path)
{
    char *copy = strdup(path);
    if (copy && fs->nmoves == fs->capmoves) {
        size_t cap = fs->capmoves ? fs->capmoves * 2 : 8;
        pending_move *m = realloc(fs->moves, cap * sizeof *m);
        if (m) {
            fs->moves = m;
            fs->capmoves = cap;
        }
    }
    if (!copy || fs->nmoves == fs->capmoves) {
        /* No memory to wait for the pair: count it as moved out now. */
        free(copy);
        drop_under(fs, path);
        emit(fs, PX_FS_DIR_GONE, path, NULL, 0);
        return;
    }
    fs->moves[fs->nmoves++] = (pending_move){cookie, copy};
    uv_timer_start(&fs->move_timer, on_move_timer, MOVE_PAIR_MS, 0);
}

/* A folder arrived under `path`: renamed within the tree when a held
 * IN_MOVED_FROM has the same cookie, else new to the tree. */
static void
dir_arrived(px_watchfs *fs, uint32_t cookie, const char *path)
{
    for (size_t i = 0; cookie && i < fs->nmoves; i++) {
        if (fs->moves[i].cookie != cookie)
            continue;
        char *old = fs->moves[i].path;
        fs->moves[i] = fs->moves[--fs->nmoves];
        rename_under(fs, old, path);
        /* Walk it too: a folder made in it (or it itself) before the
         * rename was read could not be watched at its old path. A folder
         * watched already keeps its watch (the kernel gives the same
         * descriptor back). */
        add_tree(fs, path, 0);
        emit(fs, PX_FS_DIR_MOVED, path, old, 0);
        free(old);
        return;
    }
    add_tree(fs, path, 0);
    emit(fs, PX_FS_DIR_NEW, path, NULL, 0);
}

/* -- events */

static void
dir_event(px_watchfs *fs, const struct inotify_event *ev, const char *path)
{
    if (ev->mask & (IN_CREATE | IN_MOVED_TO))
        dir_arrived(fs, ev->mask & IN_MOVED_TO ? ev->cookie : 0, path);
    else if (ev->mask & IN_MOVED_FROM)
        hold_move(fs, ev->cookie, path);
    else if (ev->mask & IN_DELETE) {
        drop_under(fs, path);
        emit(fs, PX_FS_DIR_GONE, path, NULL, 0);
    }
}

static void
file_event(px_watchfs *fs, uint32_t mask, const char *path)
{
    if (mask & (IN_CLOSE_WRITE | IN_MOVED_TO))
        emit(fs, PX_FS_CLOSED, path, NULL, 0);
    else if (mask & (IN_DELETE | IN_MOVED_FROM))
        emit(fs, PX_FS_GONE, path, NULL, 0);
    else if (mask & IN_CREATE)
        emit(fs, PX_FS_CREATED, path, NULL, 0);
    else if (mask & IN_ATTRIB)
        emit(fs, PX_FS_ATTRIB, path, NULL, 0);
    else if (mask & IN_MODIFY)
        emit(fs, PX_FS_WRITTEN, path, NULL, 0);
}

/* An event on a watched folder itself: only a root's deletion or move
 * matters (other folders are reported by their parent's watch). */
static void
self_event(px_watchfs *fs, const struct inotify_event *ev, wd_path *w)
{
    if (ev->mask & IN_IGNORED) {
        map_remove_at(fs, (size_t)(w - fs->map));
        return;
    }
    if (!w->root || !(ev->mask & (IN_DELETE_SELF | IN_MOVE_SELF)))
        return;
    char *path = strdup(w->path);
    if (!path)
        return;
    drop_under(fs, path);
    emit(fs, PX_FS_DIR_GONE, path, NULL, 0);
    free(path);
}

static void
handle_event(px_watchfs *fs, const struct inotify_event *ev)
{
    if (ev->mask & IN_Q_OVERFLOW) {
        emit(fs, PX_FS_LOST, "", NULL, 0);
        return;
    }
    wd_path *w = lookup(fs, ev->wd);
    if (!w)
        return; /* a watch released already */
    if (ev->len == 0 || ev->name[0] == '\0') {
        self_event(fs, ev, w);
        return;
    }
    if (px_crawl_ignored(ev->name) ||
        ((ev->mask & IN_ISDIR) && px_crawl_maildir_tmp(w->path, ev->name)))
        return;
    char *path = px_asprintf("%s/%s", w->path, ev->name);
    if (!path) {
        emit(fs, PX_FS_LOST, w->path, NULL, 0);
        return;
    }
    if (ev->mask & IN_ISDIR)
        dir_event(fs, ev, path);
    else
        file_event(fs, ev->mask, path);
    free(path);
}

static void
on_readable(uv_poll_t *h, int status, int events)
{
    (void)events;
    px_watchfs *fs = h->data;
    if (status < 0) {
        emit(fs, PX_FS_ERROR, "inotify", NULL, -status);
        return;
    }
    _Alignas(struct inotify_event) char buf[64 * 1024];
    for (;;) {
        ssize_t n = read(fs->fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            if (n < 0 && errno != EAGAIN)
                emit(fs, PX_FS_ERROR, "inotify", NULL, errno);
            return;
        }
        for (char *p = buf; p < buf + n;) {
            const struct inotify_event *ev = (const void *)p;
            handle_event(fs, ev);
            p += sizeof *ev + ev->len;
        }
    }
}

/* -- life cycle */

px_status
px_watchfs_open(uv_loop_t *loop, px_watchfs_fn fn, void *ctx,
                px_watchfs **out)
{
    *out = NULL;
    px_watchfs *fs = calloc(1, sizeof *fs);
    if (!fs)
        return PX_NOMEM;
    fs->fn = fn;
    fs->ctx = ctx;
    fs->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (fs->fd < 0) {
        int err = errno;
        free(fs);
        return err == ENOMEM ? PX_NOMEM : PX_IO;
    }
    uv_timer_init(loop, &fs->move_timer);
    fs->move_timer.data = fs;
    uv_timer_init(loop, &fs->rescan_timer);
    fs->rescan_timer.data = fs;
    uv_poll_init(loop, &fs->poll, fs->fd);
    fs->poll.data = fs;
    uv_poll_start(&fs->poll, UV_READABLE, on_readable);
    *out = fs;
    return PX_OK;
}

static void
on_closed(uv_handle_t *h)
{
    px_watchfs *fs = h->data;
    if (--fs->closing > 0)
        return;
    close(fs->fd);
    for (size_t i = 0; i < fs->nmap; i++)
        free(fs->map[i].path);
    free(fs->map);
    for (size_t i = 0; i < fs->nmoves; i++)
        free(fs->moves[i].path);
    free(fs->moves);
    for (size_t i = 0; i < fs->nrescans; i++)
        free(fs->rescans[i]);
    free(fs->rescans);
    free(fs);
}

void
px_watchfs_close(px_watchfs *fs)
{
    if (!fs)
        return;
    fs->closing = 3;
    uv_close((uv_handle_t *)&fs->poll, on_closed);
    uv_close((uv_handle_t *)&fs->move_timer, on_closed);
    uv_close((uv_handle_t *)&fs->rescan_timer, on_closed);
}

#else /* no inotify */

/* Elsewhere the watcher would need uv_fs_event and a settle period for
 * every change; that fallback is not written yet. */
px_status
px_watchfs_open(uv_loop_t *loop, px_watchfs_fn fn, void *ctx,
                px_watchfs **out)
{
    (void)loop;
    (void)fn;
    (void)ctx;
    *out = NULL;
    return PX_UNSUPPORTED;
}

void
px_watchfs_add_tree(px_watchfs *fs, const char *dir, int root)
{
    (void)fs;
    (void)dir;
    (void)root;
}

void
px_watchfs_drop_all(px_watchfs *fs)
{
    (void)fs;
}

size_t
px_watchfs_count(const px_watchfs *fs)
{
    (void)fs;
    return 0;
}

void
px_watchfs_close(px_watchfs *fs)
{
    (void)fs;
}

#endif
