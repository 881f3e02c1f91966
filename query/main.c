/*
 * passim — search a passim database; ranked passages grouped by article.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "batch.h"
#include "output.h"
#include "serve.h"
#include "passim.h"

#define PROG "passim"
/* A step of main() returns the exit status, or GO_ON to let the next
 * step run (HACKING.md: no bare -1). */
enum { GO_ON = -1 };

typedef struct options {
    const char **db; /* every --db, in order */
    size_t ndb;
    int allow_partial;
    uint32_t timeout_ms;
    int json;
    int color; /* -1 auto */
    int no_facets;
    px_request search;
    char *levers; /* --bm25, --rank and --prf as ranking levers, in order */
    const char *batch;
    const char *trec;
    int trec_name; /* --trec-id name */
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
          "wildcards (stem*), title:word, path:word; accents are ignored.\n"
          "Filters narrow to articles: person:\"Amara Okafor\", place:Lisbon,\n"
          "org:WHO, misc:..., name:... (any type), date:2024-03-16 or\n"
          "date:2024-03..2024-06 (dates they mention), published:2024 or\n"
          "published:2024-01..2024-06 (their own date). What follows NOT,\n"
          "AND NOT or - outside brackets (words or a filter) leaves out\n"
          "whole articles. Options come before QUERY.\n"
          "\n"
          "  -d, --db DB            database: a folder, a stub file,\n"
          "                         tcp://HOST:PORT or prog:PROGRAM ARGS;\n"
          "                         repeat to search several as one\n"
          "                         (default: $PASSIM_DB, colon-separated,\n"
          "                         else ${XDG_DATA_HOME:-~/.local/share}/\n"
          "                         passim/index)\n"
          "      --allow-partial    when a database fails, search the\n"
          "                         others and warn\n"
          "      --timeout MS       wait at most MS ms for a remote\n"
          "                         database to connect or answer (5000)\n"
          "  -n, --limit N          show N articles (default 10)\n"
          "      --offset N         skip the first N articles (default 0)\n"
          "  -p, --per-article N    at most N passages per article (default 2)\n"
          "      --facets N         show the top N values of each facet (10)\n"
          "      --no-facets        no facets in text output\n"
          "      --sort date|relevance  newest article first (by its own\n"
          "                         date), or the best first (default)\n"
          "      --all-copies       show each copy of an article (same\n"
          "                         text) as an article of its own\n"
          "      --json             print one JSON document (facets included)\n"
          "      --color WHEN       highlight matches: auto, always, never\n"
          "      --batch FILE       run each 'id<TAB>query' line of FILE\n"
          "      --trec TAG         print TREC run lines: qid Q0 docid rank\n"
          "                         score TAG, one per article\n"
          "      --trec-id path|name  docids: the path without extension,\n"
          "                         relative to this folder when under it\n"
          "                         (default), or the file name alone\n"
          "      --bm25 K1,B        rank passages by BM25 with these parameters\n"
          "                         (default: the DFR scheme IneB2)\n"
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

/* Add ranking levers (checked) after those of earlier options. */
static int
add_levers(options *o, const char *more)
{
    size_t have = o->levers ? strlen(o->levers) : 0;
    char *l = realloc(o->levers, have + strlen(more) + 2);
    if (!l) {
        fputs(PROG ": out of memory\n", stderr);
        return -1;
    }
    sprintf(l + have, "%s%s", have && *more ? "," : "", more);
    o->levers = l;
    return 0;
}

/* "K1,B" for --bm25. */
static int
parse_bm25(const char *s, options *o)
{
    char *end, levers[80];
    double k1 = strtod(s, &end), b = 0;
    if (end != s && *end == ',')
        b = strtod(end + 1, &end);
    snprintf(levers, sizeof levers, "k1=%.17g,b=%.17g", k1, b);
    if (*end || !strchr(s, ',') || px_rank_check(levers, NULL) != PX_OK) {
        fprintf(stderr, PROG ": --bm25: '%s' is not K1,B (K1 from 0 to 100, "
                "B from 0 to 1), such as 1.2,0.75\n", s);
        return -1;
    }
    return add_levers(o, levers);
}

/* "key=value,key=value" for --rank. */
static int
parse_rank(const char *s, options *o)
{
    char *err = NULL;
    if (px_rank_check(s, &err) != PX_OK) {
        fprintf(stderr, PROG ": --rank: %s\n", err ? err : "out of memory");
        free(err);
        return -1;
    }
    return add_levers(o, s);
}

static int
parse_option(int c, options *o)
{
    uint32_t n = 0;
    switch (c) {
    case 'd': o->db[o->ndb++] = optarg; return 0;
    case 'A': o->allow_partial = 1; return 0;
    case 'W': return parse_uint("--timeout", optarg, 1, &o->timeout_ms);
    case 'n': return parse_uint("--limit", optarg, 1, &o->search.limit);
    case 'O': return parse_uint("--offset", optarg, 0, &o->search.offset);
    case 'p':
        return parse_uint("--per-article", optarg, 1, &o->search.per_article);
    case 'J': o->json = 1; return 0;
    case 'C': return parse_color(optarg, &o->color);
    case 'F': return parse_uint("--facets", optarg, 1, &o->search.facets);
    case 'N': o->no_facets = 1; return 0;
    case 'Y': o->search.all_copies = 1; return 0;
    case 'S':
        if (strcmp(optarg, "date") != 0 && strcmp(optarg, "relevance") != 0) {
            fprintf(stderr, PROG ": --sort: give 'date' or 'relevance', not "
                            "'%s'\n", optarg);
            return -1;
        }
        o->search.sort_date = strcmp(optarg, "date") == 0;
        return 0;
    case 'B': o->batch = optarg; return 0;
    case 'T': o->trec = optarg; return 0;
    case 'I':
        if (strcmp(optarg, "name") != 0 && strcmp(optarg, "path") != 0) {
            fprintf(stderr, PROG ": --trec-id: give 'path' or 'name', not "
                            "'%s'\n", optarg);
            return -1;
        }
        o->trec_name = strcmp(optarg, "name") == 0;
        return 0;
    case 'K': return parse_bm25(optarg, o);
    case 'R': return parse_rank(optarg, o);
    case 'P': {
        char prf[32] = "";
        if (parse_uint("--prf", optarg, 0, &n) == 0)
            snprintf(prf, sizeof prf, "prf=%u", (unsigned)n);
        if (!*prf || px_rank_check(prf, NULL) != PX_OK) {
            fputs(PROG ": --prf: give a number of articles from 0 to 64\n",
                  stderr);
            return -1;
        }
        return add_levers(o, prf);
    }
    case 'h': usage(stdout); return 1;
    case 'V': puts(PROG " " PASSIM_VERSION); return 1;
    default:
        fputs("Try '" PROG " --help' for more information.\n", stderr);
        return -1;
    }
}

/* GO_ON: go on and search; otherwise the exit status. */
static int
parse_options(int argc, char **argv, options *o)
{
    static const struct option longs[] = {
        {"db", required_argument, NULL, 'd'},
        {"allow-partial", no_argument, NULL, 'A'},
        {"timeout", required_argument, NULL, 'W'},
        {"limit", required_argument, NULL, 'n'},
        {"offset", required_argument, NULL, 'O'},
        {"per-article", required_argument, NULL, 'p'},
        {"json", no_argument, NULL, 'J'},
        {"color", required_argument, NULL, 'C'},
        {"facets", required_argument, NULL, 'F'},
        {"no-facets", no_argument, NULL, 'N'},
        {"sort", required_argument, NULL, 'S'},
        {"all-copies", no_argument, NULL, 'Y'},
        {"colour", required_argument, NULL, 'C'},
        {"batch", required_argument, NULL, 'B'},
        {"trec", required_argument, NULL, 'T'},
        {"trec-id", required_argument, NULL, 'I'},
        {"bm25", required_argument, NULL, 'K'},
        {"prf", required_argument, NULL, 'P'},
        {"rank", required_argument, NULL, 'R'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
    };
    int c;
    o->db = calloc((size_t)argc, sizeof *o->db);
    if (!o->db)
        return 2;
    /* Options end at the first word of the query ("+"), so that
     * "passim blair -brown" searches for blair without brown. */
    while ((c = getopt_long(argc, argv, "+d:n:p:hV", longs, NULL)) != -1) {
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
    o->search.rank = o->levers;
    /* A run for trec_eval names every document the qrels may judge. */
    o->search.all_copies |= o->trec != NULL;
    if (o->batch && optind < argc) {
        fputs(PROG ": --batch reads its queries from the file: give no "
              "QUERY\n", stderr);
        return 2;
    }
    if (o->batch)
        return GO_ON;
    if (optind >= argc) {
        fputs(PROG ": no query given\n"
              "Try '" PROG " --help' for more information.\n", stderr);
        return 2;
    }
    o->query = join_args(argc - optind, argv + optind);
    o->search.query = o->query;
    if (o->query && o->query[strspn(o->query, " \t\n\r\f\v")] == '\0') {
        fputs(PROG ": the query is empty: give words or filters to search "
              "for\nTry '" PROG " --help' for more information.\n", stderr);
        return 2;
    }
    return o->query ? GO_ON : 2;
}

/* Show the database failures not shown yet (reported[i] set for those
 * shown). GO_ON: go on with the databases that work; otherwise the exit
 * status (2: one failed and no partial results were asked for, or none
 * works). */
static int
check_shards(const options *o, px_index *ix, unsigned char *reported)
{
    size_t n = px_index_shards(ix), failed = 0;
    const char *name, *why;
    for (size_t i = 0; px_index_shard(ix, i, &name, &why); i++)
        failed += why != NULL;
    int partial = o->allow_partial && failed < n;
    for (size_t i = 0; px_index_shard(ix, i, &name, &why); i++) {
        if (!why || reported[i])
            continue;
        reported[i] = 1;
        if (partial)
            fprintf(stderr, PROG ": warning: %s; searching the other "
                    "databases\n", why);
        else
            fprintf(stderr, PROG ": %s\n", why);
    }
    if (failed == 0 || partial)
        return GO_ON;
    if (n > 1 && failed < n)
        fprintf(stderr, PROG ": %zu of %zu databases failed: start them, "
                "leave them out of --db, or use --allow-partial to search "
                "the others\n", failed, n);
    return 2;
}

/* The JSON document of r, with the failed databases: "warnings" and
 * "shards_failed". */
static int
print_results(const options *o, px_results *r)
{
    px_output_name_notes(stderr, PROG, r, !o->json && !o->trec);
    if (r->fell_back_to_or && !o->json && !o->trec)
        fputs(PROG ": no passage has all the words; showing passages with "
              "any of them\n", stderr);
    int color = o->color < 0 ? isatty(STDOUT_FILENO) : o->color;
    int status = r->nhits ? 0 : 1;
    if (o->trec) {
        px_output_trec(stdout, r, "1", o->trec, o->trec_name);
    } else if (o->json) {
        if (px_output_json_results(stdout, r, o->query, 0) != 0) {
            fputs(PROG ": could not write the JSON output\n", stderr);
            status = 2;
        }
    } else {
        px_output_text(stdout, r, color);
        px_output_facets_text(stdout, r, color);
    }
    return status;
}

/* The query from the command line. */
static int
search_once(options *o, px_index *ix, unsigned char *reported)
{
    px_results *r = NULL;
    char *err = NULL;
    px_status rc = px_search(ix, &o->search, &r, &err);
    int status = check_shards(o, ix, reported);
    if (rc == PX_OK && status == GO_ON)
        status = print_results(o, r);
    else if (rc != PX_OK && status == GO_ON)
        fprintf(stderr, PROG ": %s\n", err ? err : px_status_to_string(rc));
    free(err);
    px_results_free(r);
    return status == GO_ON ? 2 : status;
}

/* One query from the command line, or a batch of them. */
static int
run(options *o, px_index *ix, unsigned char *reported)
{
    if (!o->batch)
        return search_once(o, ix, reported);
    px_batch_out how = {o->trec, o->trec_name, o->json,
                        o->color < 0 ? isatty(STDOUT_FILENO) : o->color};
    return px_batch_run(ix, PROG, o->batch, &o->search, &how);
}

static int
open_and_run(options *o)
{
    px_index *ix = NULL;
    char *err = NULL;
    px_index_opts io = {o->timeout_ms, o->allow_partial};
    int status = GO_ON;
    px_status rc = px_index_open((const char *const *)o->db, o->ndb, &io,
                                 &ix, &err);
    if (rc == PX_NOT_FOUND) {
        fputs(PROG ": no database given and HOME is not set: use --db\n",
              stderr);
        status = 2;
    } else if (rc != PX_OK) {
        fprintf(stderr, PROG ": %s\n", err ? err : px_status_to_string(rc));
        status = 2;
    }
    free(err);
    unsigned char *reported =
        status == GO_ON ? calloc(px_index_shards(ix) + 1, 1) : NULL;
    if (status == GO_ON && !reported) {
        fputs(PROG ": out of memory\n", stderr);
        status = 2;
    }
    /* A remote server that goes away must give an error, not SIGPIPE. */
    if (status == GO_ON && px_index_remote(ix))
        signal(SIGPIPE, SIG_IGN);
    if (status == GO_ON)
        status = check_shards(o, ix, reported);
    if (status == GO_ON)
        status = run(o, ix, reported);
    free(reported);
    px_index_close(ix);
    return status;
}

int
main(int argc, char **argv)
{
    options o = {0};
    o.color = -1;
    o.timeout_ms = 5000;
    o.search.limit = 10;
    o.search.per_article = 2;
    o.search.facets = 10;
    if (argc > 1 && strcmp(argv[1], "serve") == 0)
        return px_serve_main(argc - 1, argv + 1);
    int status = parse_options(argc, argv, &o);
    if (status == GO_ON)
        status = open_and_run(&o);
    if (fflush(stdout) != 0 && status != 2) {
        fprintf(stderr, PROG ": writing the results: %s\n", strerror(errno));
        status = 2;
    }
    free(o.db);
    free(o.query);
    free(o.levers);
    return status;
}
