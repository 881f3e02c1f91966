/*
 * passim — search a passim database; ranked passages grouped by article.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "batch.h"
#include "output.h"
#include "passim/dbpath.h"
#include "search.h"

#define PROG "passim"

typedef struct options {
    const char *db;
    int json;
    int color; /* -1 auto */
    int no_facets;
    px_search_opts search;
    px_rank_opts rank;
    const char *batch;
    const char *trec;
    char *query;
} options;

static void
usage(FILE *out)
{
    fputs("Usage: " PROG " [OPTION]... QUERY...\n"
          "Search the passim database for QUERY; print the best passages,\n"
          "grouped by article, best article first.\n"
          "\n"
          "QUERY uses Xapian's syntax: words (all must match; if no passage\n"
          "has them all, any may; a query of more than 4 words is read as\n"
          "natural language, any word may match and operators are words),\n"
          "\"a phrase\", AND, OR, NOT, a NEAR b,\n"
          "wildcards (stem*), title:word, path:word. Filters narrow to\n"
          "articles: person:\"Amara Okafor\", place:Lisbon, org:WHO, misc:...,\n"
          "date:2024-03-16 or date:2024-03..2024-06 (dates they mention),\n"
          "published:2024 or published:2024-01..2024-06 (their own date).\n"
          "\n"
          "  -d, --db PATH          database (default: $PASSIM_DB, else\n"
          "                         ${XDG_DATA_HOME:-~/.local/share}/passim/index)\n"
          "  -n, --limit N          show N articles (default 10)\n"
          "      --offset N         skip the first N articles (default 0)\n"
          "  -p, --per-article N    at most N passages per article (default 2)\n"
          "      --facets N         show the top N values of each facet (10)\n"
          "      --no-facets        no facets in text output\n"
          "      --json             print one JSON document (facets included)\n"
          "      --color WHEN       highlight matches: auto, always, never\n"
          "      --batch FILE       run each 'id<TAB>query' line of FILE\n"
          "      --trec TAG         print TREC run lines: qid Q0 docid rank\n"
          "                         score TAG, one per article\n"
          "      --bm25 K1,B        BM25 parameters of passages\n"
          "      --prf N            expand queries with terms of the top N\n"
          "                         articles (0: off)\n"
          "      --rank KEY=VALUE,...  other ranking levers (see passim(1))\n"
          "  -h, --help             show this help and exit\n"
          "  -V, --version          show the version and exit\n"
          "\n"
          "Exit status: 0 passages found, 1 none found, 2 error.\n"
          "See passim(1).\n", out);
}

static int
parse_uint(const char *opt, const char *s, uint32_t min, uint32_t *out)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (errno || end == s || *end || v < min || v > 100000 || *s == '-') {
        fprintf(stderr, PROG ": %s: '%s' is not a number from %u to 100000\n",
                opt, s, (unsigned)min);
        return -1;
    }
    *out = (uint32_t)v;
    return 0;
}

static int
parse_color(const char *s, int *out)
{
    if (strcmp(s, "auto") == 0)
        *out = -1;
    else if (strcmp(s, "always") == 0)
        *out = 1;
    else if (strcmp(s, "never") == 0)
        *out = 0;
    else {
        fprintf(stderr, PROG ": --color: '%s' is not auto, always or never\n",
                s);
        return -1;
    }
    return 0;
}

/* The query is the remaining arguments joined by spaces. */
static char *
join_args(int argc, char **argv)
{
    size_t len = 1;
    for (int i = 0; i < argc; i++)
        len += strlen(argv[i]) + 1;
    char *q = malloc(len);
    if (!q)
        return NULL;
    q[0] = '\0';
    for (int i = 0; i < argc; i++) {
        if (i)
            strcat(q, " ");
        strcat(q, argv[i]);
    }
    return q;
}

/* "K1,B" for --bm25. */
static int
parse_bm25(const char *s, px_rank_opts *r)
{
    char *end;
    double k1 = strtod(s, &end), b = 0;
    if (end != s && *end == ',')
        b = strtod(end + 1, &end);
    if (*end || px_rank_set(r, "k1", k1) || px_rank_set(r, "b", b) ||
        !strchr(s, ',')) {
        fprintf(stderr, PROG ": --bm25: '%s' is not K1,B (K1 from 0 to 100, "
                "B from 0 to 1), such as 1.2,0.75\n", s);
        return -1;
    }
    return 0;
}

/* "key=value,key=value" for --rank. */
static int
parse_rank(const char *s, px_rank_opts *r)
{
    char key[32];
    const char *p = s;
    while (*p) {
        size_t n = strcspn(p, "=,");
        char *end = NULL;
        double v = 0;
        if (p[n] == '=' && n < sizeof key) {
            memcpy(key, p, n);
            key[n] = '\0';
            v = strtod(p + n + 1, &end);
        }
        if (!end || end == p + n + 1 || (*end && *end != ',') ||
            px_rank_set(r, key, v) != 0) {
            fprintf(stderr, PROG ": --rank: cannot use '%s': give "
                    "KEY=VALUE pairs, keys as passim(1) lists them\n", p);
            return -1;
        }
        p = *end ? end + 1 : end;
    }
    return 0;
}

static int
parse_option(int c, options *o)
{
    uint32_t n = 0;
    switch (c) {
    case 'd': o->db = optarg; return 0;
    case 'n': return parse_uint("--limit", optarg, 1, &o->search.limit);
    case 'O': return parse_uint("--offset", optarg, 0, &o->search.offset);
    case 'p':
        return parse_uint("--per-article", optarg, 1, &o->search.per_article);
    case 'J': o->json = 1; return 0;
    case 'C': return parse_color(optarg, &o->color);
    case 'F': return parse_uint("--facets", optarg, 1, &o->search.facets);
    case 'N': o->no_facets = 1; return 0;
    case 'B': o->batch = optarg; return 0;
    case 'T': o->trec = optarg; return 0;
    case 'K': return parse_bm25(optarg, &o->rank);
    case 'R': return parse_rank(optarg, &o->rank);
    case 'P':
        if (parse_uint("--prf", optarg, 0, &n) != 0 ||
            (n && px_rank_set(&o->rank, "prf", n) != 0)) {
            fputs(PROG ": --prf: give a number of articles from 0 to 64\n",
                  stderr);
            return -1;
        }
        o->rank.prf_docs = n;
        return 0;
    case 'h': usage(stdout); return 1;
    case 'V': puts(PROG " " PASSIM_VERSION); return 1;
    default:
        fputs("Try '" PROG " --help' for more information.\n", stderr);
        return -1;
    }
}

/* -1: go on and search; otherwise the exit status. */
static int
parse_options(int argc, char **argv, options *o)
{
    static const struct option longs[] = {
        {"db", required_argument, NULL, 'd'},
        {"limit", required_argument, NULL, 'n'},
        {"offset", required_argument, NULL, 'O'},
        {"per-article", required_argument, NULL, 'p'},
        {"json", no_argument, NULL, 'J'},
        {"color", required_argument, NULL, 'C'},
        {"facets", required_argument, NULL, 'F'},
        {"no-facets", no_argument, NULL, 'N'},
        {"colour", required_argument, NULL, 'C'},
        {"batch", required_argument, NULL, 'B'},
        {"trec", required_argument, NULL, 'T'},
        {"bm25", required_argument, NULL, 'K'},
        {"prf", required_argument, NULL, 'P'},
        {"rank", required_argument, NULL, 'R'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
    };
    int c;
    while ((c = getopt_long(argc, argv, "d:n:p:hV", longs, NULL)) != -1) {
        int r = parse_option(c, o);
        if (r != 0)
            return r < 0 ? 2 : 0;
    }
    if (o->trec && !*o->trec) {
        fputs(PROG ": --trec: give a run tag, such as 'passim'\n", stderr);
        return 2;
    }
    if ((o->no_facets && !o->json) || o->trec)
        o->search.facets = 0;
    o->search.bare = o->trec != NULL;
    if (o->batch && optind < argc) {
        fputs(PROG ": --batch reads its queries from the file: give no "
              "QUERY\n", stderr);
        return 2;
    }
    if (o->batch)
        return -1;
    if (optind >= argc) {
        fputs(PROG ": no query given\n"
              "Try '" PROG " --help' for more information.\n", stderr);
        return 2;
    }
    o->query = join_args(argc - optind, argv + optind);
    o->search.query = o->query;
    return o->query ? -1 : 2;
}

static xc_database *
open_db(const char *path)
{
    xc_database *db = NULL;
    char *err = NULL;
    xc_status xs = xc_database_open(path, &db, &err);
    /* A writer committing at that moment can discard the revision being
     * opened: open again, as a reader does for a search. */
    for (int i = 0; xs == XC_MODIFIED && i < 10; i++) {
        free(err);
        err = NULL;
        xs = xc_database_open(path, &db, &err);
    }
    if (xs == XC_NOT_FOUND || (xs == XC_OPENING && access(path, F_OK) != 0))
        fprintf(stderr, PROG ": no index at %s: run 'passim-index DIR' "
                "to build one, or name it with --db\n", path);
    else if (xs != XC_OK)
        fprintf(stderr, PROG ": cannot open database %s: %s\n", path,
                err ? err : xc_status_to_string(xs));
    free(err);
    return db;
}

static int
search_and_print(const options *o, px_searcher_t *s)
{
    px_results_t *r = NULL;
    char *err = NULL;
    px_status rc = px_search(s, &o->search, &r, &err);
    if (rc != PX_OK) {
        fprintf(stderr, PROG ": %s\n", err ? err : px_status_to_string(rc));
        free(err);
        return 2;
    }
    if (r->fell_back_to_or && !o->json && !o->trec)
        fputs(PROG ": no passage has all the words; showing passages with "
              "any of them\n", stderr);
    int color = o->color < 0 ? isatty(STDOUT_FILENO) : o->color;
    int status = r->nhits ? 0 : 1;
    if (o->trec) {
        px_output_trec(stdout, r, "1", o->trec);
    } else if (o->json) {
        if (px_output_json(stdout, r, o->query) != 0) {
            fputs(PROG ": could not write the JSON output\n", stderr);
            status = 2;
        }
    } else {
        px_output_text(stdout, r, color);
        px_output_facets_text(stdout, r, color);
    }
    px_results_free(r);
    return status;
}

/* One query from the command line, or a batch of them. */
static int
run(const options *o, xc_database *db)
{
    px_searcher_t *s = NULL;
    px_status rc = px_searcher_create(db, &o->rank, &s);
    if (rc != PX_OK) {
        fprintf(stderr, PROG ": cannot set up the search: %s\n",
                px_status_to_string(rc));
        return 2;
    }
    int status;
    if (o->batch) {
        px_batch_out how = {o->trec, o->json,
                            o->color < 0 ? isatty(STDOUT_FILENO) : o->color};
        status = px_batch_run(s, PROG, o->batch, &o->search, &how);
    } else {
        status = search_and_print(o, s);
    }
    px_searcher_destroy(s);
    return status;
}

int
main(int argc, char **argv)
{
    options o = {0};
    o.color = -1;
    o.search.limit = 10;
    o.search.per_article = 2;
    o.search.facets = 10;
    px_rank_defaults(&o.rank);
    int status = parse_options(argc, argv, &o);
    char *dbpath = NULL;
    if (status < 0 && px_dbpath_resolve(o.db, &dbpath) != PX_OK) {
        fputs(PROG ": no database given and HOME is not set: use --db\n",
              stderr);
        status = 2;
    }
    if (status < 0) {
        xc_database *db = open_db(dbpath);
        status = db ? run(&o, db) : 2;
        xc_database_close(db);
    }
    if (fflush(stdout) != 0 && status != 2) {
        fprintf(stderr, PROG ": writing the results: %s\n", strerror(errno));
        status = 2;
    }
    free(dbpath);
    free(o.query);
    return status;
}
