/*
 * batch.h — many queries in one process, and TREC run output.
 *
 * A batch file holds one query per line, "id<TAB>query" (blank lines are
 * skipped). The whole file is checked before any query runs, so a
 * malformed line stops the batch with nothing printed. Every query goes
 * through one index (passim.h): the databases are opened once, and the
 * parsers and the stemmer serve all queries.
 */
#ifndef PASSIM_QUERY_BATCH_H
#define PASSIM_QUERY_BATCH_H

#include <stdio.h>

#include "passim.h"

/* How to print each query's results. */
typedef struct px_batch_out {
    const char *trec; /* TREC run tag; NULL: text or JSON */
    int trec_name;    /* TREC docids are file names (--trec-id name) */
    int json;
    int color;
} px_batch_out;

/* TREC run lines for results `r` of query `qid`: "qid Q0 docid rank score
 * tag", one per article, best first. The docid is the article's path
 * without its extension, relative to the current folder when the file is
 * under it ("business/152"), with blanks and '%' written as %XX so that
 * it is one field; with `name`, the file name alone without extension
 * (for collections whose files are named by document id, as BEIR's). */
void px_output_trec(FILE *out, const px_results *r, const char *qid,
                    const char *tag, int name);

/* Run every query of the batch file at `path` on ix as `req` asks (its
 * query ignored). Messages go to stderr prefixed by `prog`. Returns the
 * exit status: 0 when some query found passages, 1 when none did, 2 on
 * an error (a malformed line: nothing runs). */
int px_batch_run(px_index *ix, const char *prog, const char *path,
                 const px_request *req, const px_batch_out *how);

#endif
