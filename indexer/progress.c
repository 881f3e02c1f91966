/*
 * progress.c — progress on a terminal (progress.h).
 */
#include "progress.h"

#include <stdio.h>
#include <time.h>

double
px_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void
px_progress_start(px_progress *p, int enabled, size_t total_files,
                  uint64_t total_bytes)
{
    p->enabled = enabled;
    p->total_files = total_files;
    p->total_bytes = total_bytes;
    p->start = px_now();
    p->last_draw = 0;
}

void
px_progress_update(px_progress *p, size_t files_done, uint64_t bytes_done)
{
    if (!p->enabled)
        return;
    double now = px_now();
    if (now - p->last_draw < 0.2 && files_done < p->total_files)
        return;
    p->last_draw = now;
    double elapsed = now - p->start;
    double rate = elapsed > 0 ? (double)bytes_done / elapsed : 0;
    double left = rate > 0 && p->total_bytes > bytes_done
                      ? (double)(p->total_bytes - bytes_done) / rate : 0;
    unsigned secs = (unsigned)(left + 0.5);
    fprintf(stderr, "\r\033[Kpassim-index: %zu/%zu files, %.1f MB/s, "
            "%u:%02u left", files_done, p->total_files, rate / 1e6,
            secs / 60, secs % 60);
    fflush(stderr);
}

void
px_progress_clear(px_progress *p)
{
    if (p->enabled && p->last_draw > 0) {
        fputs("\r\033[K", stderr);
        fflush(stderr);
    }
}
