/* index.c — libpassim's smallest indexer: bring a database level with a
 * folder, one line per file indexed or removed, a summary at the end.
 * cc index.c $(pkg-config --cflags --libs passim)
 * Usage: index DB FOLDER */
#include <passim.h>
#include <stdio.h>
#include <stdlib.h>

static void
on_file(void *ctx, const px_update_file *f)
{
    (void)ctx;
    if (f->outcome == PX_OUTCOME_INDEXED || f->outcome == PX_OUTCOME_REMOVED)
        printf("%s %s\n", f->outcome == PX_OUTCOME_INDEXED ? "+" : "-",
               f->path);
}

int
main(int argc, char **argv)
{
    if (argc != 3) {
        fputs("usage: index DB FOLDER\n", stderr);
        return 2;
    }
    const char *folders[] = {argv[2]};
    px_update_opts o = {.db = argv[1], .callbacks = {.file = on_file}};
    px_update_summary s;
    char *err = NULL;
    px_status rc = px_index_update(folders, 1, &o, &s, &err);
    if (rc != PX_OK)
        fprintf(stderr, "index: %s\n", err ? err : px_status_to_string(rc));
    else
        printf("%zu indexed, %zu unchanged, %zu removed\n", s.indexed,
               s.unchanged, s.removed);
    free(err);
    return rc == PX_OK ? 0 : 2;
}
