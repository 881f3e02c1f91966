/*
 * passim.h — libpassim: search an index of articles by passage, with
 * entity facets. The one public header; link with `pkg-config --cflags
 * --libs passim`.
 *
 *     px_index *ix = NULL;
 *     char *err = NULL;
 *     if (px_index_open(NULL, 0, NULL, &ix, &err) != PX_OK) ...
 *     px_request rq = {.query = "harbour strike", .limit = 10};
 *     px_results *r = NULL;
 *     if (px_search(ix, &rq, &r, &err) == PX_OK)
 *         for (size_t i = 0; i < r->nhits; i++) puts(r->hits[i].title);
 *     px_results_free(r);
 *     px_index_close(ix);
 *
 * Errors: every function that can fail returns a px_status and, where it
 * takes a `char **error`, sets *error to a one-line message the caller
 * frees with free() (NULL when it has none to give). Out-parameters are
 * NULL on failure.
 *
 * Ownership: what a function hands out through `**out` is the caller's,
 * freed with the matching *_free() or *_close(); every string and array
 * inside a result is owned by that result. Borrowed pointers say so.
 *
 * Threads: a px_index is used by one thread at a time; open one per
 * thread to search in parallel (they share nothing but the files).
 */
#ifndef PASSIM_H
#define PASSIM_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The one status type of the library. */
typedef enum px_status {
    PX_OK = 0,
    PX_NOMEM,            /* out of memory */
    PX_IO,               /* a file could not be read or written */
    PX_BINARY,           /* the file is not text */
    PX_ENCODING,         /* the text is not UTF-8 and could not be repaired */
    PX_TOO_LARGE,        /* the file is over the size limit */
    PX_EMPTY,            /* the file has no text to index */
    PX_UNSUPPORTED,      /* not an article type passim reads */
    PX_XAPIAN,           /* the Xapian database reported an error */
    PX_LOCKED,           /* the database is locked by another indexer */
    PX_NOT_FOUND,        /* no such database, file or entry */
    PX_QUERY_SYNTAX,     /* a malformed query */
    PX_INVALID_ARGUMENT, /* a bad argument */
    PX_TOO_COMPLEX,      /* markup too complex to parse in the time allowed */
    PX_ENCRYPTED,        /* the document needs a password */
    PX_DAMAGED,          /* the document is damaged past reading */
    PX_STATUS_LAST
} px_status;

/* A static, human-readable description of `status`. */
const char *px_status_to_string(px_status status);

/* What an entity is; facets and mentions come per type. */
typedef enum px_entity_type {
    PX_ENT_PER = 0, /* people */
    PX_ENT_LOC,     /* places */
    PX_ENT_ORG,     /* organisations */
    PX_ENT_MISC,    /* other names */
    PX_ENT_DATE,    /* dates, "YYYY", "YYYY-MM" or "YYYY-MM-DD" */
    PX_ENT_AUTHOR,  /* a post's From:, not found in its text */
    PX_ENT_TYPES
} px_entity_type;

/* An article id: 16 lower-case hex digits and a NUL. */
#define PX_ARTICLE_ID_SIZE 17

/* The index. */

typedef struct px_index px_index;

typedef struct px_index_opts {
    unsigned timeout_ms; /* for a remote database: connect and each read
                          * (0: 5000) */
    int allow_partial;   /* search the databases that work when others
                          * fail, and say which failed in the results */
} px_index_opts;

/* Open the databases names[0, n) as one index: each a database folder, a
 * folder or file holding a Xapian stub, tcp://HOST:PORT (xapian-tcpsrv)
 * or "prog:PROGRAM ARGS" (xapian-progsrv). With n == 0, $PASSIM_DB
 * (colon-separated) or else the default database (~/.local/share/passim).
 * opts may be NULL for the defaults. A database that cannot be opened is
 * reported by px_index_shard(); the index is still returned, and fails
 * px_search() unless opts->allow_partial and another one works. Fails
 * with PX_NOMEM, or PX_NOT_FOUND when no database is named and HOME is
 * not set. Close with px_index_close(). */
px_status px_index_open(const char *const *names, size_t n,
                        const px_index_opts *opts, px_index **out,
                        char **error);

void px_index_close(px_index *ix);

/* How many databases the index was opened on, and database i: its name
 * and, once it failed, why (borrowed, valid until the next call on ix;
 * *why NULL while it works). Returns whether i exists. */
size_t px_index_shards(const px_index *ix);
int px_index_shard(const px_index *ix, size_t i, const char **name,
                   const char **why);

/* Whether a database of the index is remote: a remote server that goes
 * away makes writes to it raise SIGPIPE, which a front end should ignore
 * (signal(SIGPIPE, SIG_IGN)) to get an error instead. */
int px_index_remote(const px_index *ix);

/* Searching. */

/* A filter given apart from the query text: field "person", "place",
 * "org", "misc", "name", "author", "date" or "published" (dates as
 * YYYY[-MM[-DD]] or A..B), as the query syntax has them. */
typedef struct px_filter {
    const char *field;
    const char *value;
    int negated; /* leave out what it matches */
} px_filter;

typedef struct px_request {
    const char *query;         /* words, phrases and filters; may be ""
                                * with filters below */
    const px_filter *filters;  /* nfilters more (borrowed) */
    size_t nfilters;
    uint32_t limit;            /* articles (0: 10) */
    uint32_t offset;           /* articles to skip */
    uint32_t per_article;      /* passages per article (0: 2) */
    uint32_t facets;           /* values per facet type (0: no facets) */
    int sort_date;             /* newest article first, not the best */
    int all_copies;            /* list copies of an article as articles */
    int bare;                  /* no highlight spans */
    int months;                /* with facets: count the matching articles
                                  by published month (px_facets.months;
                                  local databases only) */
    const char *rank;          /* ranking levers "KEY=VALUE,..." as
                                * passim(1)'s --rank (NULL: defaults) */
} px_request;

typedef struct px_span {
    size_t start, end; /* byte offsets into the passage's text */
} px_span;

typedef struct px_hit {
    char *path;
    char *title;
    char *text;            /* the passage */
    size_t text_len;
    char article[PX_ARTICLE_ID_SIZE]; /* for px_article_get() */
    uint32_t number;       /* passage number in its article, from 0 */
    uint64_t start, end;   /* byte span in the file */
    double score;
    double article_score;  /* the article's score, from its passages */
    uint32_t article_rank; /* 1-based rank of the article */
    px_span *spans;        /* the query's words in text */
    size_t nspans;
    px_span *mentions;     /* entity mentions in text */
    int *mention_types;    /* their px_entity_type */
    size_t nmentions;
    char date[11];         /* the article's date, YYYY-MM-DD, or "" */
    int file_dated;        /* that date is its file's modification time */
    char **copies;         /* the paths of the article's copies */
    size_t ncopies;
    uint32_t page;         /* the PDF page of the passage, from 1; 0: none */
} px_hit;

typedef struct px_facet_value {
    char *value;
    uint32_t count; /* matching articles that mention it */
} px_facet_value;

typedef struct px_facets {
    px_facet_value *values[PX_ENT_TYPES]; /* most articles first */
    size_t count[PX_ENT_TYPES];
    uint32_t articles;      /* matching articles seen */
    uint32_t passages_seen; /* matching passages looked at */
    int exact;              /* every matching passage was looked at */
    /* With px_request.months: "YYYY-MM" of the articles' published dates
     * (px_hit.published) and how many matching articles each has, oldest
     * first, months without one left out. */
    px_facet_value *months;
    size_t nmonths;
} px_facets;

/* How a name filter's value was read (people type names as they remember
 * them: passim(1), FILTERS). */
typedef enum px_name_outcome {
    PX_NAME_EXACT = 0, /* the value as typed, nothing longer */
    PX_NAME_EXTENDED,  /* the value and one longer name that ends with it */
    PX_NAME_AMBIGUOUS, /* the value only; several longer names end with it */
    PX_NAME_NONE       /* no article names it (suggestions listed) */
} px_name_outcome;

#define PX_NAMES_LISTED 5

typedef struct px_name_count {
    char *value;       /* as an article writes it */
    uint32_t articles; /* articles that name it */
} px_name_count;

typedef struct px_name_match {
    char *field; /* "person", "author", ... as typed */
    char *typed; /* the value as typed */
    int negated;
    px_name_outcome outcome;
    px_name_count matched[2]; /* nmatched: the value, the longer name */
    size_t nmatched;
    /* PX_NAME_AMBIGUOUS: the longer names; PX_NAME_NONE: the closest. */
    px_name_count others[PX_NAMES_LISTED];
    size_t nothers;
} px_name_match;

/* A database that failed during the search (allow_partial). */
typedef struct px_shard_failure {
    char *name;
    char *why;
} px_shard_failure;

typedef struct px_results {
    px_hit *hits;       /* grouped by article, articles in rank order, an
                         * article's best passage first */
    size_t nhits;
    size_t narticles;
    uint32_t estimated; /* estimated matching passages */
    int fell_back_to_or; /* no passage had every word: any word matched */
    int filters;        /* how many entity and date filters there were */
    int have_facets;
    px_facets facets;
    /* With a published: filter: how many matching articles are dated by
     * their file's time, when the index knows (file_dated_known). */
    uint32_t file_dated;
    int file_dated_known;
    int published;        /* there was a published: filter */
    size_t query_repaired; /* query bytes not UTF-8, read as Windows-1252 */
    px_name_match *names; /* what each name filter matched */
    size_t nnames;
    px_shard_failure *failed; /* databases left out (allow_partial) */
    size_t nfailed;
} px_results;

/* Run one request. PX_QUERY_SYNTAX for a malformed query or filter,
 * PX_INVALID_ARGUMENT for bad ranking levers, PX_XAPIAN when a database
 * fails (and no other may be searched instead): *error says which and
 * why. A database modified under the search is reopened and the search
 * run again, and every search after an index's first sees what writers
 * committed since the one before. Free *out with px_results_free(). */
px_status px_search(px_index *ix, const px_request *req, px_results **out,
                    char **error);

void px_results_free(px_results *r);

/* Check ranking levers ("KEY=VALUE,...") without searching: PX_OK, or
 * PX_INVALID_ARGUMENT with *error naming the first bad one. */
px_status px_rank_check(const char *levers, char **error);

/* One article. */

typedef struct px_passage_view {
    char *text;
    size_t text_len;
    uint32_t number;     /* from 0 */
    uint64_t start, end; /* byte span in the file */
    uint32_t page;       /* PDF page from 1; 0: none */
    px_span *mentions;   /* entity mentions in text */
    int *mention_types;  /* their px_entity_type */
    size_t nmentions;
} px_passage_view;

typedef struct px_article_view {
    char id[PX_ARTICLE_ID_SIZE];
    char *path;
    char *title;
    char date[11];       /* YYYY-MM-DD, or "" */
    int file_dated;      /* that date is its file's modification time */
    px_passage_view *passages; /* in article order */
    size_t npassages;
} px_article_view;

/* The article with id `id` (a px_hit's `article`), every passage in
 * order: PX_NOT_FOUND when the index has no such article. Free *out with
 * px_article_view_free(). */
px_status px_article_get(px_index *ix, const char *id,
                         px_article_view **out, char **error);

void px_article_view_free(px_article_view *a);

/* -- Updating an index from folders */

/* What was done with one file. */
typedef enum px_outcome {
    PX_OUTCOME_UNCHANGED, /* the catalog says nothing changed: not read */
    PX_OUTCOME_TOUCHED,   /* its metadata changed, its content did not */
    PX_OUTCOME_INDEXED,   /* its passages were written */
    PX_OUTCOME_SKIPPED,   /* not indexable (binary, empty, too large) */
    PX_OUTCOME_FAILED,    /* could not be read: left as it was */
    PX_OUTCOME_REMOVED    /* gone: its passages were removed */
} px_outcome;

/* One file done (all borrowed for the call). */
typedef struct px_update_file {
    const char *path;    /* absolute, bytes as the file system gave them */
    uint64_t size;       /* as found */
    px_outcome outcome;
    const char *message; /* why it was skipped, failed or repaired; NULL */
    const char *skipped; /* a skip's reason in a few words, for counts
                            ("not text", "empty"); NULL when not skipped */
} px_update_file;

/* Told on the calling thread, each optional. */
typedef struct px_update_callbacks {
    /* a file is done (files finish in no particular order) */
    void (*file)(void *ctx, const px_update_file *f);
    /* something that is not one file went wrong: a folder that cannot be
     * listed, a link loop, a folder argument that is not one */
    void (*problem)(void *ctx, const char *path, const char *message);
    /* before the first file, when `total` is set: what the folders hold,
     * from a walk of its own (for a progress bar) */
    void (*total)(void *ctx, size_t files, uint64_t bytes);
    void *ctx;
} px_update_callbacks;

typedef struct px_update_opts {
    const char *db;         /* NULL: $PASSIM_DB, else the default */
    unsigned shards;        /* a new database: this many shards (0, 1: one) */
    size_t batch_files;     /* commit every so many changed files; 0: 2000 */
    uint64_t batch_bytes;   /* ... or bytes read; 0: 64 MB */
    uint64_t max_file_size; /* larger files are skipped; 0: 256 MB */
    int no_entities;        /* no people, places, organisations or dates */
    int total;              /* walk the folders first for callbacks.total */
    const char *const *ignore; /* also ignore names matching these fnmatch
                                  patterns (hidden and temporary files are
                                  always ignored) */
    size_t nignore;
    const char *exts;       /* read only these extensions ("txt,md", an
                               empty item: none); NULL: every text file */
    volatile sig_atomic_t *stop; /* when set (by a signal handler, say),
                                    start no more files; what is done
                                    commits */
    px_update_callbacks callbacks;
} px_update_opts;

typedef struct px_update_summary {
    size_t indexed, touched, unchanged, skipped, removed;
    size_t failed;          /* files and folders that could not be read */
    size_t ignored;         /* files passed over for their names */
    size_t passages;        /* passages committed */
    size_t files_committed; /* files indexed or removed, committed */
    uint64_t bytes_read;
    int stopped;            /* *stop was set: files are left for next time */
    int opened;             /* the database was opened: a failure came
                               during the run, and what was committed
                               before it (files_committed) stays */
} px_update_summary;

/* Bring the index `opts->db` (created when absent) level with the
 * folders[0, n) (absolute or relative paths): new and changed files are
 * indexed, files gone are removed (but for those under folders that could
 * not be listed), unchanged files are not read; then the folders are
 * recorded as the index's. Files are parsed in parallel. Problems with
 * single files are told through the callbacks and counted, never fatal;
 * the status is non-OK only when the run could not go on (a folder
 * argument that is not one: PX_NOT_FOUND, before anything is written; a
 * locked database: PX_LOCKED; a database or disk error: PX_XAPIAN or
 * PX_IO, with what was committed before it kept); *error then says why
 * (NULL for PX_NOT_FOUND: callbacks.problem was told which folder). *summary (may be NULL)
 * is filled either way. The ignore patterns and exts apply to the crawl
 * of this call (they are process-wide while it runs: one update at a
 * time per process). */
px_status px_index_update(const char *const *folders, size_t n,
                          const px_update_opts *opts,
                          px_update_summary *summary, char **error);

#ifdef __cplusplus
}
#endif

#endif /* PASSIM_H */
