/* search.c — libpassim's smallest front end: the titles of the articles
 * that best match a query. cc search.c $(pkg-config --cflags --libs passim)
 * Usage: search DB QUERY */
#include <passim.h>
#include <stdio.h>
#include <stdlib.h>

int
main(int argc, char **argv)
{
    px_index *ix = NULL;
    px_results *r = NULL;
    char *err = NULL;
    if (argc != 3) {
        fputs("usage: search DB QUERY\n", stderr);
        return 2;
    }
    const char *db = argv[1];
    px_request rq = {.query = argv[2], .limit = 5, .per_article = 1};
    px_status rc = px_index_open(&db, 1, NULL, &ix, &err);
    if (rc == PX_OK)
        rc = px_search(ix, &rq, &r, &err);
    if (rc != PX_OK)
        fprintf(stderr, "search: %s\n", err ? err : px_status_to_string(rc));
    for (size_t i = 0; r && i < r->nhits; i++)
        printf("%u. %s\n", (unsigned)r->hits[i].article_rank,
               r->hits[i].title);
    px_results_free(r);
    px_index_close(ix);
    free(err);
    return rc == PX_OK ? 0 : 2;
}
