/*
 * progress.h — "files done of total, MB/s, time left" on a terminal.
 *
 * Shown only when stderr is a TTY and not silenced; redrawn at most five
 * times a second on one line, erased when done. Never written into a pipe.
 */
#ifndef PASSIM_INDEXER_PROGRESS_H
#define PASSIM_INDEXER_PROGRESS_H

#include <stddef.h>
#include <stdint.h>

typedef struct px_progress {
    int enabled;
    size_t total_files;
    uint64_t total_bytes;
    double start;     /* monotonic seconds */
    double last_draw;
} px_progress;

/* Monotonic time in seconds. */
double px_now(void);

void px_progress_start(px_progress *p, int enabled, size_t total_files,
                       uint64_t total_bytes);
void px_progress_update(px_progress *p, size_t files_done,
                        uint64_t bytes_done);
void px_progress_clear(px_progress *p);

#endif
