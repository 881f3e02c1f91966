/*
 * watchfs.h — changes under a set of folders, from Linux's inotify.
 *
 * libuv's uv_fs_event hides what the watcher needs (IN_CLOSE_WRITE, move
 * cookies, IN_Q_OVERFLOW), so this module reads inotify itself through a
 * uv_poll_t on a non-blocking inotify descriptor. It watches every folder
 * of a tree (symbolic links are not followed: folders reached through one
 * are kept current by reconciles only), keeps the map from watch
 * descriptor to folder path current when folders are renamed, and turns
 * raw events into the few kinds the watcher acts on. Names ignored by the
 * crawl (px_crawl_ignored) are ignored here too.
 */
#ifndef PASSIM_INDEXER_WATCHFS_H
#define PASSIM_INDEXER_WATCHFS_H

#include <stddef.h>
#include <uv.h>

#include "passim/status.h"

typedef enum px_fs_kind {
    PX_FS_CLOSED,   /* a file was closed after writing, or moved in */
    PX_FS_GONE,     /* a file was deleted or moved away */
    PX_FS_CREATED,  /* a file appeared (it may be written next) */
    PX_FS_ATTRIB,   /* a file's metadata changed (touch, chmod, link) */
    PX_FS_WRITTEN,  /* a file was written to and is not closed yet */
    PX_FS_DIR_NEW,  /* a folder appeared (created or moved in): it and
                       the folders under it are watched already */
    PX_FS_DIR_GONE, /* a folder went (deleted or moved out): its watches
                       are released */
    PX_FS_DIR_MOVED,/* a folder was renamed within the tree: `path` is the
                       new name, `old` the old one */
    PX_FS_LOST,     /* events were lost (queue overflow) */
    PX_FS_ERROR     /* a watch failed: `err` is the errno, `path` names the
                       folder (ENOSPC: out of inotify watches) */
} px_fs_kind;

typedef struct px_fs_event {
    px_fs_kind kind;
    const char *path; /* borrowed for the call */
    const char *old;  /* PX_FS_DIR_MOVED only */
    int err;          /* PX_FS_ERROR only */
} px_fs_event;

typedef void (*px_watchfs_fn)(void *ctx, const px_fs_event *ev);

typedef struct px_watchfs px_watchfs;

/* Start reading inotify on `loop`; events go to fn. PX_UNSUPPORTED where
 * there is no inotify. Caller owns *out; close with px_watchfs_close(). */
px_status px_watchfs_open(uv_loop_t *loop, px_watchfs_fn fn, void *ctx,
                          px_watchfs **out);

/* Watch `dir` (absolute) and every folder under it; `root` marks a folder
 * given by the user, whose own deletion or move is reported. A failure is
 * reported through fn as PX_FS_ERROR and the walk goes on. */
void px_watchfs_add_tree(px_watchfs *fs, const char *dir, int root);

/* Release every watch (before re-adding them all, after events were
 * lost and paths may be stale). */
void px_watchfs_drop_all(px_watchfs *fs);

/* Folders watched now. */
size_t px_watchfs_count(const px_watchfs *fs);

/* Stop and free; the memory goes in libuv's close callbacks, so run the
 * loop afterwards. NULL does nothing. */
void px_watchfs_close(px_watchfs *fs);

#endif
