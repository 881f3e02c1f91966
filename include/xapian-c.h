/*
 * xapian-c.h — a thin, general C binding of Xapian.
 *
 * Xapian is a C++ library; passim is C. This header is the whole boundary:
 * opaque handles, every call returning an xc_status and filling
 * out-parameters, and the text of the last error kept on the handle that
 * produced it (constructors, which have no handle yet, hand the message back
 * through an `char **error` out-parameter: caller owns; free with free()).
 * No exception ever crosses into C: every entry point catches everything.
 *
 * Xapian's DatabaseModifiedError has its own status, XC_MODIFIED, meaning
 * "reopen the database and try again". Where Xapian wants a subclass (a
 * stemmer, a match spy), the binding takes a C callback.
 *
 * Conventions: `*_destroy(NULL)` does nothing. `const char *` results are
 * borrowed (the comment says until when); `char *` results are the caller's,
 * freed with free(). Strings are (pointer, length) pairs where they may hold
 * NUL bytes, NUL-terminated otherwise.
 */
#ifndef XAPIAN_C_H
#define XAPIAN_C_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
#define XC_NOEXCEPT noexcept
extern "C" {
#else
#define XC_NOEXCEPT
#endif

typedef enum xc_status {
    XC_OK = 0,
    XC_ERROR,            /* any other Xapian::Error */
    XC_NOMEM,            /* std::bad_alloc */
    XC_NOT_FOUND,        /* no such database, document or key */
    XC_LOCKED,           /* the database is locked by another writer */
    XC_MODIFIED,         /* DatabaseModifiedError: reopen and retry */
    XC_CORRUPT,          /* the database files are damaged */
    XC_OPENING,          /* the database could not be opened (not corruption) */
    XC_QUERY_SYNTAX,     /* QueryParserError: a malformed query */
    XC_INVALID_ARGUMENT, /* bad argument, or a call on the wrong kind of handle */
    XC_NETWORK,          /* remote database unreachable, or a network timeout */
    XC_STATUS_LAST
} xc_status;

/* Return a static, human-readable name for `status`. */
const char *xc_status_to_string(xc_status status) XC_NOEXCEPT;

typedef uint32_t xc_docid;
typedef uint32_t xc_valueno;
typedef uint32_t xc_termpos;

typedef struct xc_database xc_database;
typedef struct xc_document xc_document;
typedef struct xc_stemmer xc_stemmer;
typedef struct xc_termgen xc_termgen;
typedef struct xc_qparser xc_qparser;
typedef struct xc_query xc_query;
typedef struct xc_enquire xc_enquire;
typedef struct xc_mset xc_mset;
typedef struct xc_matchspy xc_matchspy;

/* Callbacks used to walk lists (terms, metadata keys, ...). Return 0 to go
 * on, non-zero to stop early. Strings are borrowed for the call only. */
typedef int (*xc_string_fn)(void *ctx, const char *s, size_t len);
typedef int (*xc_term_freq_fn)(void *ctx, const char *term, size_t len,
                               uint32_t freq);
typedef int (*xc_docid_fn)(void *ctx, xc_docid docid);

/* ------------------------------------------------------------------ */
/* Databases                                                           */
/* ------------------------------------------------------------------ */

/* Open a database read-only. `path` may be a database folder or a stub
 * database file. On success *db is the caller's; free with
 * xc_database_close(). On failure *db is NULL and *error (if non-NULL)
 * holds a message: caller owns; free with free(). */
xc_status xc_database_open(const char *path, xc_database **db,
                           char **error) XC_NOEXCEPT;

/* Open (creating if needed) a database for writing. Fails with XC_LOCKED
 * when another writer holds it. Same ownership as xc_database_open(). */
xc_status xc_database_open_writable(const char *path, xc_database **db,
                                    char **error) XC_NOEXCEPT;

/* Open a remote database served by xapian-tcpsrv. Timeouts are in
 * milliseconds; 0 means Xapian's default. Same ownership as
 * xc_database_open(). */
xc_status xc_database_open_remote_tcp(const char *host, unsigned port,
                                      unsigned timeout_ms,
                                      unsigned connect_timeout_ms,
                                      xc_database **db,
                                      char **error) XC_NOEXCEPT;

/* Open a remote database by running `program args` (xapian-progsrv,
 * usually through ssh). */
xc_status xc_database_open_remote_prog(const char *program, const char *args,
                                       unsigned timeout_ms, xc_database **db,
                                       char **error) XC_NOEXCEPT;

/* A read-only database of no shards yet: xc_database_add() gives it
 * some, so that a caller can keep each shard's own handle apart from the
 * group searching them all. *db is the caller's; free with
 * xc_database_close(). */
xc_status xc_database_create_group(xc_database **db,
                                   char **error) XC_NOEXCEPT;

/* Add `other`'s shards to `db`, so that `db` searches both as one. `other`
 * stays the caller's. Read-only databases only. */
xc_status xc_database_add(xc_database *db, xc_database *other) XC_NOEXCEPT;

/* Bring a read-only database to its latest committed revision. */
xc_status xc_database_reopen(xc_database *db) XC_NOEXCEPT;

/* The same, with *changed set to 1 when the database may have changed
 * (Xapian's reopen() returning true), else 0. */
xc_status xc_database_reopen_changed(xc_database *db,
                                     int *changed) XC_NOEXCEPT;

/* Commit pending changes (writable) and release the handle. NULL is a
 * no-op. Errors during the final commit are lost: call
 * xc_database_commit() first when they matter. */
void xc_database_close(xc_database *db) XC_NOEXCEPT;

/* After a failed write: let xc_database_close() release `db` without the
 * commit it would make (Xapian 1.4 may abort the process in a commit
 * after a write failed on a full disk). */
void xc_database_abandon(xc_database *db) XC_NOEXCEPT;

/* Set the message xc_database_last_error() gives (to keep a first error
 * over a later one). */
void xc_database_set_error(xc_database *db, const char *message) XC_NOEXCEPT;

/* The message of the last failed call on `db`; borrowed, valid until the
 * next call on `db`. Never NULL. */
const char *xc_database_last_error(const xc_database *db) XC_NOEXCEPT;

xc_status xc_database_doccount(xc_database *db, uint32_t *count) XC_NOEXCEPT;
xc_status xc_database_lastdocid(xc_database *db, xc_docid *docid) XC_NOEXCEPT;
xc_status xc_database_termfreq(xc_database *db, const char *term, size_t len,
                               uint32_t *freq) XC_NOEXCEPT;
xc_status xc_database_revision(xc_database *db, uint64_t *revision) XC_NOEXCEPT;
/* Which of the documents docids[0, n) (in increasing order) index `term`:
 * has[i] is set to 1 for those that do and left alone for the others. One
 * walk of the term's posting list, skipping between the documents. */
xc_status xc_database_term_in(xc_database *db, const char *term, size_t len,
                              const xc_docid *docids, size_t n,
                              unsigned char *has) XC_NOEXCEPT;

/* Fetch a document. *doc is the caller's; free with
 * xc_document_destroy(). XC_NOT_FOUND if there is no such document. */
xc_status xc_database_get_document(xc_database *db, xc_docid docid,
                                   xc_document **doc) XC_NOEXCEPT;

/* Call fn for every document indexed by `term`, in docid order. */
xc_status xc_database_postlist(xc_database *db, const char *term, size_t len,
                               xc_docid_fn fn, void *ctx) XC_NOEXCEPT;

/* Call fn for every term starting with `prefix` with its term frequency. */
xc_status xc_database_allterms(xc_database *db, const char *prefix,
                               xc_term_freq_fn fn, void *ctx) XC_NOEXCEPT;

/* User metadata. get: *value is the caller's (free with free()), NUL
 * terminated for convenience, *len its length; an absent key gives XC_OK
 * with *value NULL. */
xc_status xc_database_get_metadata(xc_database *db, const char *key,
                                   size_t key_len, char **value,
                                   size_t *len) XC_NOEXCEPT;
/* Setting an empty value deletes the key. Writable only. */
xc_status xc_database_set_metadata(xc_database *db, const char *key,
                                   size_t key_len, const char *value,
                                   size_t len) XC_NOEXCEPT;
/* Call fn for every metadata key starting with `prefix`. */
xc_status xc_database_metadata_keys(xc_database *db, const char *prefix,
                                    xc_string_fn fn, void *ctx) XC_NOEXCEPT;

/* Writing (writable databases only). A transaction groups changes so that
 * they are committed together or not at all. */
xc_status xc_database_begin_transaction(xc_database *db, int flushed) XC_NOEXCEPT;
xc_status xc_database_commit_transaction(xc_database *db) XC_NOEXCEPT;
xc_status xc_database_cancel_transaction(xc_database *db) XC_NOEXCEPT;
xc_status xc_database_commit(xc_database *db) XC_NOEXCEPT;

xc_status xc_database_add_document(xc_database *db, const xc_document *doc,
                                   xc_docid *docid) XC_NOEXCEPT;
xc_status xc_database_replace_document(xc_database *db, xc_docid docid,
                                       const xc_document *doc) XC_NOEXCEPT;
xc_status xc_database_delete_document(xc_database *db, xc_docid docid) XC_NOEXCEPT;
/* Delete every document indexed by `term` (none is not an error). */
xc_status xc_database_delete_documents_by_term(xc_database *db,
                                               const char *term,
                                               size_t len) XC_NOEXCEPT;

/* ------------------------------------------------------------------ */
/* Documents                                                           */
/* ------------------------------------------------------------------ */

/* A new empty document: caller owns; free with xc_document_destroy(). */
xc_status xc_document_create(xc_document **doc) XC_NOEXCEPT;
void xc_document_destroy(xc_document *doc) XC_NOEXCEPT;
const char *xc_document_last_error(const xc_document *doc) XC_NOEXCEPT;

/* Remove all terms, values and data, to reuse the handle. */
xc_status xc_document_clear(xc_document *doc) XC_NOEXCEPT;

xc_status xc_document_set_data(xc_document *doc, const char *data,
                               size_t len) XC_NOEXCEPT;
/* *data is borrowed: valid until the next call on `doc`. */
xc_status xc_document_get_data(xc_document *doc, const char **data,
                               size_t *len) XC_NOEXCEPT;

xc_status xc_document_add_term(xc_document *doc, const char *term, size_t len,
                               uint32_t wdf_inc) XC_NOEXCEPT;
xc_status xc_document_add_boolean_term(xc_document *doc, const char *term,
                                       size_t len) XC_NOEXCEPT;
xc_status xc_document_add_posting(xc_document *doc, const char *term,
                                  size_t len, xc_termpos pos,
                                  uint32_t wdf_inc) XC_NOEXCEPT;

xc_status xc_document_add_value(xc_document *doc, xc_valueno slot,
                                const char *value, size_t len) XC_NOEXCEPT;
/* *value is borrowed: valid until the next call on `doc`; an empty slot
 * gives length 0. */
xc_status xc_document_get_value(xc_document *doc, xc_valueno slot,
                                const char **value, size_t *len) XC_NOEXCEPT;

/* Call fn for every term of the document, in sorted order. */
xc_status xc_document_terms(xc_document *doc, xc_term_freq_fn fn,
                            void *ctx) XC_NOEXCEPT;

/* Xapian::sortable_serialise: writes at most 18 bytes to buf, returns the
 * number written. */
size_t xc_sortable_serialise(double value, char buf[18]) XC_NOEXCEPT;
double xc_sortable_unserialise(const char *buf, size_t len) XC_NOEXCEPT;

/* ------------------------------------------------------------------ */
/* Stemmers                                                            */
/* ------------------------------------------------------------------ */

/* Stem `word` (UTF-8, lower case, `len` bytes). Set *stem and *stem_len to
 * the result, borrowed until the next call with the same ctx. Return 0 on
 * success; non-zero makes the word its own stem. */
typedef int (*xc_stem_fn)(void *ctx, const char *word, size_t len,
                          const char **stem, size_t *stem_len);

/* A stemmer whose work is done by fn(ctx, ...). Xapian may keep the stemmer
 * alive inside term generators and query parsers it was given to; when the
 * last of them lets go, destroy_ctx(ctx) is called (if non-NULL). Xapian
 * calls fn from the thread using that term generator or query parser only.
 * *stemmer is the caller's; free with xc_stemmer_destroy(). */
xc_status xc_stemmer_create_callback(xc_stem_fn fn, void *ctx,
                                     void (*destroy_ctx)(void *ctx),
                                     const char *description,
                                     xc_stemmer **stemmer,
                                     char **error) XC_NOEXCEPT;
/* Xapian's own Snowball stemmer for `language` ("english", "none"). */
xc_status xc_stemmer_create_builtin(const char *language, xc_stemmer **stemmer,
                                    char **error) XC_NOEXCEPT;
void xc_stemmer_destroy(xc_stemmer *stemmer) XC_NOEXCEPT;
/* The message of the last failed call on `stemmer`; borrowed, valid until
 * the next call on `stemmer`. Never NULL. */
const char *xc_stemmer_last_error(const xc_stemmer *stemmer) XC_NOEXCEPT;
/* Stem through Xapian (for tests). *stem caller owns; free with free(). */
xc_status xc_stemmer_stem(xc_stemmer *stemmer, const char *word, size_t len,
                          char **stem, size_t *stem_len) XC_NOEXCEPT;

typedef enum xc_stem_strategy {
    XC_STEM_NONE,
    XC_STEM_SOME,           /* unstemmed terms with positions + Z stems */
    XC_STEM_ALL,            /* stemmed terms only, no Z prefix */
    XC_STEM_ALL_Z,          /* Z-prefixed stemmed terms only */
    XC_STEM_SOME_FULL_POS   /* like SOME, but Z stems carry positions too */
} xc_stem_strategy;

/* ------------------------------------------------------------------ */
/* Term generation                                                     */
/* ------------------------------------------------------------------ */

xc_status xc_termgen_create(xc_termgen **tg, char **error) XC_NOEXCEPT;
void xc_termgen_destroy(xc_termgen *tg) XC_NOEXCEPT;
const char *xc_termgen_last_error(const xc_termgen *tg) XC_NOEXCEPT;

/* The stemmer is shared, not copied: `stemmer` may be destroyed after. */
xc_status xc_termgen_set_stemmer(xc_termgen *tg, xc_stemmer *stemmer) XC_NOEXCEPT;
xc_status xc_termgen_set_stemming_strategy(xc_termgen *tg,
                                           xc_stem_strategy s) XC_NOEXCEPT;
/* Terms go into `doc` (borrowed; it must outlive the indexing calls) and
 * positions restart at 0. The generator shares the document until it is
 * given another: pass NULL to let go of it before the document is used or
 * destroyed on another thread (Xapian's sharing is not thread-safe). */
xc_status xc_termgen_set_document(xc_termgen *tg, xc_document *doc) XC_NOEXCEPT;
/* Index `len` bytes of UTF-8 text; prefix may be NULL or "" for none. */
xc_status xc_termgen_index_text(xc_termgen *tg, const char *text, size_t len,
                                uint32_t wdf_inc, const char *prefix) XC_NOEXCEPT;
/* Index without positional information. */
xc_status xc_termgen_index_text_without_positions(xc_termgen *tg,
                                                  const char *text, size_t len,
                                                  uint32_t wdf_inc,
                                                  const char *prefix) XC_NOEXCEPT;
xc_status xc_termgen_increase_termpos(xc_termgen *tg, xc_termpos delta) XC_NOEXCEPT;
xc_status xc_termgen_get_termpos(xc_termgen *tg, xc_termpos *pos) XC_NOEXCEPT;

/* ------------------------------------------------------------------ */
/* Queries                                                             */
/* ------------------------------------------------------------------ */

typedef enum xc_query_op {
    XC_OP_AND,
    XC_OP_OR,
    XC_OP_AND_NOT,
    XC_OP_XOR,
    XC_OP_AND_MAYBE,
    XC_OP_FILTER,
    XC_OP_NEAR,
    XC_OP_PHRASE,
    XC_OP_SYNONYM,
    XC_OP_ELITE_SET
} xc_query_op;

/* A query matching one term. *q caller owns; free with xc_query_destroy(). */
xc_status xc_query_create_term(const char *term, size_t len, uint32_t wqf,
                               xc_query **q) XC_NOEXCEPT;
/* Combine n subqueries with op (window is for NEAR/PHRASE, 0 = default).
 * The subqueries stay the caller's. */
xc_status xc_query_create_combined(xc_query_op op, xc_query *const *subs,
                                   size_t n, uint32_t window,
                                   xc_query **q) XC_NOEXCEPT;
/* A query whose weights are `factor` times those of `sub`. */
xc_status xc_query_create_scaled(double factor, const xc_query *sub,
                                 xc_query **q) XC_NOEXCEPT;
/* Documents whose value in `slot` lies in [begin, end] (byte-wise). */
xc_status xc_query_create_value_range(xc_valueno slot, const char *begin,
                                      size_t begin_len, const char *end,
                                      size_t end_len, xc_query **q) XC_NOEXCEPT;
/* Documents whose value in `slot` is one of the n keys (lens[i] bytes
 * each), found by walking the slot's values: for local databases only
 * (a remote server cannot run it). */
xc_status xc_query_create_value_in(xc_valueno slot, const char *const *keys,
                                   const size_t *lens, size_t n,
                                   xc_query **q) XC_NOEXCEPT;
/* The query that matches every document. */
xc_status xc_query_create_match_all(xc_query **q) XC_NOEXCEPT;
void xc_query_destroy(xc_query *q) XC_NOEXCEPT;

int xc_query_is_empty(const xc_query *q) XC_NOEXCEPT;
/* Call fn for each distinct term of the query, in sorted order. */
xc_status xc_query_terms(const xc_query *q, xc_string_fn fn,
                         void *ctx) XC_NOEXCEPT;
/* Xapian's description of the query. Caller owns; free with free(). */
char *xc_query_describe(const xc_query *q) XC_NOEXCEPT;

/* ------------------------------------------------------------------ */
/* Query parsing                                                       */
/* ------------------------------------------------------------------ */

enum {
    XC_FLAG_BOOLEAN = 1,
    XC_FLAG_PHRASE = 2,
    XC_FLAG_LOVEHATE = 4,
    XC_FLAG_BOOLEAN_ANY_CASE = 8,
    XC_FLAG_WILDCARD = 16,
    XC_FLAG_PURE_NOT = 32,
    XC_FLAG_PARTIAL = 64,
    XC_FLAG_SPELLING_CORRECTION = 128,
    XC_FLAG_SYNONYM = 256,
    XC_FLAG_AUTO_SYNONYMS = 512,
    XC_FLAG_AUTO_MULTIWORD_SYNONYMS = 1024,
    XC_FLAG_CJK_NGRAM = 2048,
    XC_FLAG_DEFAULT = XC_FLAG_PHRASE | XC_FLAG_BOOLEAN | XC_FLAG_LOVEHATE
};

xc_status xc_qparser_create(xc_qparser **qp, char **error) XC_NOEXCEPT;
void xc_qparser_destroy(xc_qparser *qp) XC_NOEXCEPT;
const char *xc_qparser_last_error(const xc_qparser *qp) XC_NOEXCEPT;

/* The database is used for wildcard expansion; borrowed, it must outlive
 * parsing. */
xc_status xc_qparser_set_database(xc_qparser *qp, xc_database *db) XC_NOEXCEPT;
xc_status xc_qparser_set_stemmer(xc_qparser *qp, xc_stemmer *stemmer) XC_NOEXCEPT;
xc_status xc_qparser_set_stemming_strategy(xc_qparser *qp,
                                           xc_stem_strategy s) XC_NOEXCEPT;
/* op is XC_OP_AND, XC_OP_OR, XC_OP_NEAR, XC_OP_PHRASE or XC_OP_ELITE_SET. */
xc_status xc_qparser_set_default_op(xc_qparser *qp, xc_query_op op) XC_NOEXCEPT;
/* Words in `words` (n of them) are dropped from queries where that does
 * not change the meaning (Xapian's SimpleStopper). */
xc_status xc_qparser_set_stopwords(xc_qparser *qp, const char *const *words,
                                   size_t n) XC_NOEXCEPT;
xc_status xc_qparser_set_max_expansion(xc_qparser *qp,
                                       uint32_t max) XC_NOEXCEPT;
/* field:words searches terms with `prefix` (probabilistic). */
xc_status xc_qparser_add_prefix(xc_qparser *qp, const char *field,
                                const char *prefix) XC_NOEXCEPT;
/* field:text becomes whatever query fn makes of text (Xapian's
 * FieldProcessor): fn sets *out (NULL matches nothing) and returns 0, or
 * returns non-zero to fail the parse with a syntax error. destroy_ctx (may
 * be NULL) is called on ctx when the parser lets go of the field. */
typedef int (*xc_field_fn)(void *ctx, const char *text, size_t len,
                           xc_query **out);
xc_status xc_qparser_add_field_callback(xc_qparser *qp, const char *field,
                                        xc_field_fn fn, void *ctx,
                                        void (*destroy_ctx)(void *)) XC_NOEXCEPT;
/* field:value filters on the boolean term prefix+value. */
xc_status xc_qparser_add_boolean_prefix(xc_qparser *qp, const char *field,
                                        const char *prefix) XC_NOEXCEPT;
/* field:A..B ranges on value `slot` holding dates as YYYYMMDD strings. */
xc_status xc_qparser_add_date_range(xc_qparser *qp, xc_valueno slot,
                                    const char *field) XC_NOEXCEPT;
/* field:A..B ranges on value `slot` holding sortable_serialise()d numbers. */
xc_status xc_qparser_add_number_range(xc_qparser *qp, xc_valueno slot,
                                      const char *field) XC_NOEXCEPT;
/* Parse `text`. XC_QUERY_SYNTAX with the message on the parser for a
 * malformed query. *q caller owns; free with xc_query_destroy(). */
xc_status xc_qparser_parse(xc_qparser *qp, const char *text, unsigned flags,
                           const char *default_prefix,
                           xc_query **q) XC_NOEXCEPT;
/* Call fn for each stop word dropped by the last parse. */
xc_status xc_qparser_stoplist(xc_qparser *qp, xc_string_fn fn,
                              void *ctx) XC_NOEXCEPT;

/* ------------------------------------------------------------------ */
/* Match spies                                                         */
/* ------------------------------------------------------------------ */

/* Called for every candidate document the match looks at. `doc` is
 * borrowed for the call only. */
typedef void (*xc_spy_fn)(void *ctx, xc_document *doc, double weight);

/* A match spy calling fn(ctx, ...); ctx is borrowed and must outlive the
 * spy and every enquire it was added to. Runs only on local databases.
 * *spy caller owns; free with xc_matchspy_destroy(). */
xc_status xc_matchspy_create_callback(xc_spy_fn fn, void *ctx,
                                      xc_matchspy **spy,
                                      char **error) XC_NOEXCEPT;
/* Xapian's ValueCountMatchSpy on `slot`: works on remote shards too. */
xc_status xc_matchspy_create_valuecount(xc_valueno slot, xc_matchspy **spy,
                                        char **error) XC_NOEXCEPT;
void xc_matchspy_destroy(xc_matchspy *spy) XC_NOEXCEPT;
/* The message of the last failed call on `spy`; borrowed, valid until the
 * next call on `spy`. Never NULL. */
const char *xc_matchspy_last_error(const xc_matchspy *spy) XC_NOEXCEPT;
/* For a value-count spy: how many documents it looked at, and each value
 * seen with its count (most frequent first, at most `max`; 0 = all). */
xc_status xc_matchspy_total(xc_matchspy *spy, uint32_t *total) XC_NOEXCEPT;
xc_status xc_matchspy_values(xc_matchspy *spy, uint32_t max,
                             xc_term_freq_fn fn, void *ctx) XC_NOEXCEPT;

/* ------------------------------------------------------------------ */
/* Searching                                                           */
/* ------------------------------------------------------------------ */

/* `db` is borrowed; it must outlive the enquire and its results. */
xc_status xc_enquire_create(xc_database *db, xc_enquire **enq,
                            char **error) XC_NOEXCEPT;
void xc_enquire_destroy(xc_enquire *enq) XC_NOEXCEPT;
const char *xc_enquire_last_error(const xc_enquire *enq) XC_NOEXCEPT;

/* The query is copied. query_length is the length of the query for BM25's
 * wqf normalisation; 0 means the number of its terms. */
xc_status xc_enquire_set_query(xc_enquire *enq, const xc_query *q,
                               uint32_t query_length) XC_NOEXCEPT;
xc_status xc_enquire_set_weighting_bm25(xc_enquire *enq, double k1, double k2,
                                        double k3, double b,
                                        double min_normlen) XC_NOEXCEPT;
xc_status xc_enquire_set_weighting_bool(xc_enquire *enq) XC_NOEXCEPT;
/* Xapian's other weighting schemes, parameters as Xapian names them. The
 * DFR schemes (PL2, PL2+, InL2, IfB2, IneB2, BB2) take c > 0; DPH and DLH
 * take none. `normalisation` is TfIdfWeight's three-letter string, such
 * as "ntn". LM: select_smoothing 1 two-stage, 2 Dirichlet, 3 absolute
 * discount, 4 Jelinek-Mercer, 5 Dirichlet+. A parameter out of Xapian's range gives
 * XC_INVALID_ARGUMENT. */
xc_status xc_enquire_set_weighting_bm25plus(xc_enquire *enq, double k1,
                                            double k2, double k3, double b,
                                            double min_normlen,
                                            double delta) XC_NOEXCEPT;
xc_status xc_enquire_set_weighting_pl2(xc_enquire *enq, double c) XC_NOEXCEPT;
xc_status xc_enquire_set_weighting_pl2plus(xc_enquire *enq, double c,
                                           double delta) XC_NOEXCEPT;
xc_status xc_enquire_set_weighting_dph(xc_enquire *enq) XC_NOEXCEPT;
xc_status xc_enquire_set_weighting_dlh(xc_enquire *enq) XC_NOEXCEPT;
xc_status xc_enquire_set_weighting_inl2(xc_enquire *enq, double c) XC_NOEXCEPT;
xc_status xc_enquire_set_weighting_ifb2(xc_enquire *enq, double c) XC_NOEXCEPT;
xc_status xc_enquire_set_weighting_ineb2(xc_enquire *enq,
                                         double c) XC_NOEXCEPT;
xc_status xc_enquire_set_weighting_bb2(xc_enquire *enq, double c) XC_NOEXCEPT;
xc_status xc_enquire_set_weighting_tfidf(xc_enquire *enq,
                                         const char *normalisation)
    XC_NOEXCEPT;
xc_status xc_enquire_set_weighting_lm(xc_enquire *enq, double param_log,
                                      int select_smoothing,
                                      double param_smoothing1,
                                      double param_smoothing2) XC_NOEXCEPT;
/* At most collapse_max documents per distinct value of `slot`. */
xc_status xc_enquire_set_collapse_key(xc_enquire *enq, xc_valueno slot,
                                      uint32_t collapse_max) XC_NOEXCEPT;
/* Order by value `slot` (descending when reverse) instead of relevance. */
xc_status xc_enquire_set_sort_by_value(xc_enquire *enq, xc_valueno slot,
                                       int reverse) XC_NOEXCEPT;
/* Order by value `slot` (descending when reverse), then by relevance
 * among documents with the same value. */
xc_status xc_enquire_set_sort_by_value_then_relevance(xc_enquire *enq,
                                                      xc_valueno slot,
                                                      int reverse) XC_NOEXCEPT;
/* The spy is shared, not copied: it must outlive the enquire. */
xc_status xc_enquire_add_matchspy(xc_enquire *enq, xc_matchspy *spy) XC_NOEXCEPT;
xc_status xc_enquire_clear_matchspies(xc_enquire *enq) XC_NOEXCEPT;

/* Run the match. *mset caller owns; free with xc_mset_destroy(). */
xc_status xc_enquire_get_mset(xc_enquire *enq, uint32_t first,
                              uint32_t maxitems, uint32_t checkatleast,
                              xc_mset **mset) XC_NOEXCEPT;
/* Call fn for each query term that matches document `docid`, in query
 * order. */
xc_status xc_enquire_matching_terms(xc_enquire *enq, xc_docid docid,
                                    xc_string_fn fn, void *ctx) XC_NOEXCEPT;
/* Expansion terms from the documents `docids` (pseudo-relevance feedback):
 * fn(term, weight scaled to an integer permille of the top weight). */
xc_status xc_enquire_get_eset(xc_enquire *enq, const xc_docid *docids,
                              size_t n, uint32_t maxterms, xc_term_freq_fn fn,
                              void *ctx) XC_NOEXCEPT;

/* ------------------------------------------------------------------ */
/* Results                                                             */
/* ------------------------------------------------------------------ */

void xc_mset_destroy(xc_mset *mset) XC_NOEXCEPT;
const char *xc_mset_last_error(const xc_mset *mset) XC_NOEXCEPT;
uint32_t xc_mset_size(const xc_mset *mset) XC_NOEXCEPT;
/* Estimated, lower and upper bound of the number of matching documents. */
xc_status xc_mset_matches(const xc_mset *mset, uint32_t *estimated,
                          uint32_t *lower, uint32_t *upper) XC_NOEXCEPT;

typedef struct xc_mset_item {
    xc_docid docid;
    double weight;
    uint32_t rank;
    uint32_t collapse_count;
} xc_mset_item;

/* Item i (0-based) of the result set. */
xc_status xc_mset_get(xc_mset *mset, uint32_t i, xc_mset_item *item) XC_NOEXCEPT;
/* The collapse key of item i (empty without collapsing): the value the
 * match read, without reading the document. Borrowed, valid until the
 * next call on `mset`. */
xc_status xc_mset_collapse_key(xc_mset *mset, uint32_t i, const char **key,
                               size_t *len) XC_NOEXCEPT;
/* The document of item i. *doc caller owns; free with xc_document_destroy(). */
xc_status xc_mset_get_document(xc_mset *mset, uint32_t i,
                               xc_document **doc) XC_NOEXCEPT;
/* Ask Xapian to fetch the documents of all items ahead of time. */
xc_status xc_mset_fetch(xc_mset *mset) XC_NOEXCEPT;

#ifdef __cplusplus
}
#endif

#endif /* XAPIAN_C_H */
