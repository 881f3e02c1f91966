/*
 * check_xapian_c.c — tests of the C binding of Xapian (lib/xapian-c.cc).
 *
 * Every test works on real databases in a temporary folder, because the
 * binding's job is to carry Xapian's behaviour and errors across to C
 * faithfully, and only a real database shows whether it does.
 */
#include "xapian-c.h"

#include "check_main.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ------------------------------------------------------------------ */
/* Helpers                                                             */
/* ------------------------------------------------------------------ */

/* The fixture is unchecked (it runs in the parent process), so the folder
 * is removed even when a test fails in its forked child. */
static char tmpdir[256];

static void
rm_rf(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return;
    if (S_ISDIR(st.st_mode)) {
        DIR *dir = opendir(path);
        struct dirent *ent;
        while (dir != NULL && (ent = readdir(dir)) != NULL) {
            if (strcmp(ent->d_name, ".") == 0 || strcmp(ent->d_name, "..") == 0)
                continue;
            char child[512];
            snprintf(child, sizeof child, "%s/%s", path, ent->d_name);
            rm_rf(child);
        }
        if (dir != NULL)
            closedir(dir);
        rmdir(path);
    } else {
        unlink(path);
    }
}

static void
setup_tmpdir(void)
{
    strcpy(tmpdir, "/tmp/check_xapian_c-XXXXXX");
    if (mkdtemp(tmpdir) == NULL) {
        perror("mkdtemp");
        abort();
    }
}

static void
teardown_tmpdir(void)
{
    rm_rf(tmpdir);
}

/* A path inside the temporary folder; the buffer is the caller's. */
static const char *
tmp_path(char *buf, size_t size, const char *name)
{
    snprintf(buf, size, "%s/%s", tmpdir, name);
    return buf;
}

/* A growing "a,b,c," list of what a walking callback saw. */
typedef struct strlist {
    char buf[2048];
    size_t used;
    int calls;
} strlist;

static void
strlist_append(strlist *l, const char *s, size_t len)
{
    ck_assert_uint_lt(l->used + len + 1, sizeof l->buf);
    memcpy(l->buf + l->used, s, len);
    l->used += len;
    l->buf[l->used++] = ',';
    l->buf[l->used] = '\0';
}

static int
collect_string(void *ctx, const char *s, size_t len)
{
    strlist *l = ctx;
    l->calls++;
    strlist_append(l, s, len);
    return 0;
}

static int
collect_term_freq(void *ctx, const char *term, size_t len, uint32_t freq)
{
    strlist *l = ctx;
    char num[16];
    int n = snprintf(num, sizeof num, ":%u", (unsigned)freq);
    l->calls++;
    strlist_append(l, term, len);
    l->used--; /* Put the count before the separator. */
    strlist_append(l, num, (size_t)n);
    return 0;
}

static int
stop_after_first(void *ctx, const char *s, size_t len)
{
    (void)s;
    (void)len;
    ++*(int *)ctx;
    return 1;
}

/* The test corpus: five short articles with a collapse key (slot 0), a
 * date (slot 1), a number (slot 2), a tag (slot 3 and K term) and a
 * title (S prefix). */
typedef struct article {
    const char *text, *title, *key, *date, *tag;
    double num;
} article;

static const article corpus[] = {
    {"the quick brown fox jumps", "fox story", "a", "20200115", "red", 1},
    {"the lazy brown dog sleeps", "dog story", "a", "20200220", "blue", 2},
    {"quick brown cats run", "cats", "a", "20210310", "red", 3},
    {"a brown cow eats grass", "cow", "b", "20210405", "green", 4},
    {"brown bears fish quickly", "bears", "b", "20220101", "blue", 5},
};
#define CORPUS_SIZE (sizeof corpus / sizeof corpus[0])

static void
index_article(xc_termgen *tg, xc_document *doc, const article *a)
{
    char tag[32], num[18];
    size_t num_len = xc_sortable_serialise(a->num, num);
    snprintf(tag, sizeof tag, "K%s", a->tag);
    ck_assert_int_eq(xc_document_clear(doc), XC_OK);
    ck_assert_int_eq(xc_termgen_set_document(tg, doc), XC_OK);
    ck_assert_int_eq(xc_termgen_index_text(tg, a->text, strlen(a->text), 1,
                                           NULL), XC_OK);
    ck_assert_int_eq(xc_termgen_increase_termpos(tg, 100), XC_OK);
    ck_assert_int_eq(xc_termgen_index_text(tg, a->title, strlen(a->title), 1,
                                           "S"), XC_OK);
    ck_assert_int_eq(xc_document_add_boolean_term(doc, tag, strlen(tag)),
                     XC_OK);
    ck_assert_int_eq(xc_document_add_value(doc, 0, a->key, strlen(a->key)),
                     XC_OK);
    ck_assert_int_eq(xc_document_add_value(doc, 1, a->date, strlen(a->date)),
                     XC_OK);
    ck_assert_int_eq(xc_document_add_value(doc, 2, num, num_len), XC_OK);
    ck_assert_int_eq(xc_document_add_value(doc, 3, a->tag, strlen(a->tag)),
                     XC_OK);
    ck_assert_int_eq(xc_document_set_data(doc, a->text, strlen(a->text)),
                     XC_OK);
}

/* Write the corpus to a new database at `path` and close it. */
static void
build_corpus(const char *path)
{
    xc_database *db = NULL;
    xc_termgen *tg = NULL;
    xc_document *doc = NULL;
    char *error = NULL;
    ck_assert_int_eq(xc_database_open_writable(path, &db, &error), XC_OK);
    ck_assert_ptr_null(error);
    ck_assert_int_eq(xc_termgen_create(&tg, NULL), XC_OK);
    ck_assert_int_eq(xc_document_create(&doc), XC_OK);
    for (size_t i = 0; i < CORPUS_SIZE; i++) {
        xc_docid id = 0;
        index_article(tg, doc, &corpus[i]);
        ck_assert_int_eq(xc_database_add_document(db, doc, &id), XC_OK);
        ck_assert_uint_eq(id, i + 1);
    }
    ck_assert_int_eq(xc_database_commit(db), XC_OK);
    xc_document_destroy(doc);
    xc_termgen_destroy(tg);
    xc_database_close(db);
}

static xc_database *
open_ro(const char *path)
{
    xc_database *db = NULL;
    char *error = NULL;
    xc_status st = xc_database_open(path, &db, &error);
    ck_assert_msg(st == XC_OK, "open %s: %s", path, error ? error : "");
    return db;
}

static xc_database *
open_corpus(const char *name)
{
    char path[512];
    tmp_path(path, sizeof path, name);
    build_corpus(path);
    return open_ro(path);
}

/* Run q on db; the matching docids as a bit mask (bit n = docid n). */
static unsigned
search_mask(xc_database *db, const xc_query *q)
{
    xc_enquire *enq = NULL;
    xc_mset *mset = NULL;
    unsigned mask = 0;
    ck_assert_int_eq(xc_enquire_create(db, &enq, NULL), XC_OK);
    ck_assert_int_eq(xc_enquire_set_query(enq, q, 0), XC_OK);
    ck_assert_int_eq(xc_enquire_get_mset(enq, 0, 30, 0, &mset), XC_OK);
    for (uint32_t i = 0; i < xc_mset_size(mset); i++) {
        xc_mset_item item;
        ck_assert_int_eq(xc_mset_get(mset, i, &item), XC_OK);
        mask |= 1u << item.docid;
    }
    xc_mset_destroy(mset);
    xc_enquire_destroy(enq);
    return mask;
}

#define BIT(n) (1u << (n))

/* ------------------------------------------------------------------ */
/* Status and handles                                                  */
/* ------------------------------------------------------------------ */

START_TEST(test_status_strings)
{
    for (int s = XC_OK; s < XC_STATUS_LAST; s++) {
        const char *name = xc_status_to_string((xc_status)s);
        ck_assert_ptr_nonnull(name);
        ck_assert_uint_gt(strlen(name), 0);
    }
    ck_assert_str_eq(xc_status_to_string(XC_STATUS_LAST), "unknown status");
}
END_TEST

START_TEST(test_null_handles)
{
    uint32_t count = 7;
    xc_database_close(NULL);
    xc_document_destroy(NULL);
    xc_stemmer_destroy(NULL);
    xc_termgen_destroy(NULL);
    xc_query_destroy(NULL);
    xc_qparser_destroy(NULL);
    xc_matchspy_destroy(NULL);
    xc_enquire_destroy(NULL);
    xc_mset_destroy(NULL);
    ck_assert_int_eq(xc_database_doccount(NULL, &count), XC_INVALID_ARGUMENT);
    ck_assert_uint_eq(count, 0);
    ck_assert_int_eq(xc_document_create(NULL), XC_INVALID_ARGUMENT);
    ck_assert_ptr_null(xc_query_describe(NULL));
    ck_assert_int_eq(xc_query_is_empty(NULL), 1);
    ck_assert_uint_eq(xc_mset_size(NULL), 0);
    ck_assert_ptr_nonnull(xc_database_last_error(NULL));
}
END_TEST

/* ------------------------------------------------------------------ */
/* Databases and documents                                             */
/* ------------------------------------------------------------------ */

START_TEST(test_document_api)
{
    xc_document *doc = NULL;
    const char *p = NULL;
    size_t len = 99;
    strlist terms = {0};
    ck_assert_int_eq(xc_document_create(&doc), XC_OK);
    ck_assert_int_eq(xc_document_set_data(doc, "a\0b", 3), XC_OK);
    ck_assert_int_eq(xc_document_get_data(doc, &p, &len), XC_OK);
    ck_assert_uint_eq(len, 3);
    ck_assert_mem_eq(p, "a\0b", 3);
    ck_assert_int_eq(xc_document_add_posting(doc, "cat", 3, 1, 1), XC_OK);
    ck_assert_int_eq(xc_document_add_posting(doc, "cat", 3, 5, 1), XC_OK);
    ck_assert_int_eq(xc_document_add_term(doc, "bird", 4, 3), XC_OK);
    ck_assert_int_eq(xc_document_add_boolean_term(doc, "Kx", 2), XC_OK);
    ck_assert_int_eq(xc_document_terms(doc, collect_term_freq, &terms), XC_OK);
    ck_assert_str_eq(terms.buf, "Kx:0,bird:3,cat:2,");
    ck_assert_int_eq(xc_document_add_value(doc, 4, "v", 1), XC_OK);
    ck_assert_int_eq(xc_document_get_value(doc, 4, &p, &len), XC_OK);
    ck_assert_uint_eq(len, 1);
    ck_assert_int_eq(xc_document_get_value(doc, 5, &p, &len), XC_OK);
    ck_assert_uint_eq(len, 0);
    ck_assert_int_eq(xc_document_clear(doc), XC_OK);
    ck_assert_int_eq(xc_document_get_data(doc, &p, &len), XC_OK);
    ck_assert_uint_eq(len, 0);
    terms.used = 0;
    terms.buf[0] = '\0';
    ck_assert_int_eq(xc_document_terms(doc, collect_term_freq, &terms), XC_OK);
    ck_assert_str_eq(terms.buf, "");
    xc_document_destroy(doc);
}
END_TEST

START_TEST(test_sortable)
{
    char buf[18];
    size_t len = xc_sortable_serialise(42.5, buf);
    ck_assert_uint_gt(len, 0);
    ck_assert_uint_le(len, 18);
    ck_assert(xc_sortable_unserialise(buf, len) == 42.5);
    char lo[18], hi[18];
    size_t lo_len = xc_sortable_serialise(-3.0, lo);
    size_t hi_len = xc_sortable_serialise(7.0, hi);
    size_t n = lo_len < hi_len ? lo_len : hi_len;
    ck_assert_int_lt(memcmp(lo, hi, n), 0);
}
END_TEST

/* Documents written, committed, and read back after reopening. */
START_TEST(test_write_reopen)
{
    char path[512];
    xc_database *db = open_corpus("db");
    uint32_t count = 0, freq = 0;
    xc_docid last = 0;
    uint64_t rev = 0;
    ck_assert_int_eq(xc_database_doccount(db, &count), XC_OK);
    ck_assert_uint_eq(count, CORPUS_SIZE);
    ck_assert_int_eq(xc_database_lastdocid(db, &last), XC_OK);
    ck_assert_uint_eq(last, CORPUS_SIZE);
    ck_assert_int_eq(xc_database_termfreq(db, "brown", 5, &freq), XC_OK);
    ck_assert_uint_eq(freq, 5);
    ck_assert_int_eq(xc_database_termfreq(db, "Kred", 4, &freq), XC_OK);
    ck_assert_uint_eq(freq, 2);
    ck_assert_int_eq(xc_database_revision(db, &rev), XC_OK);
    ck_assert_uint_ge(rev, 1);
    xc_database_close(db);
    /* Unwritten reopen of the same path sees the same thing. */
    db = open_ro(tmp_path(path, sizeof path, "db"));
    ck_assert_int_eq(xc_database_reopen(db), XC_OK);
    ck_assert_int_eq(xc_database_doccount(db, &count), XC_OK);
    ck_assert_uint_eq(count, CORPUS_SIZE);
    xc_database_close(db);
}
END_TEST

START_TEST(test_read_documents)
{
    xc_database *db = open_corpus("db");
    xc_document *doc = NULL;
    const char *p = NULL;
    size_t len = 0;
    strlist terms = {0}, posts = {0};
    ck_assert_int_eq(xc_database_get_document(db, 3, &doc), XC_OK);
    ck_assert_int_eq(xc_document_get_data(doc, &p, &len), XC_OK);
    ck_assert_uint_eq(len, strlen(corpus[2].text));
    ck_assert_mem_eq(p, corpus[2].text, len);
    ck_assert_int_eq(xc_document_get_value(doc, 1, &p, &len), XC_OK);
    ck_assert_uint_eq(len, 8);
    ck_assert_mem_eq(p, "20210310", 8);
    ck_assert_int_eq(xc_document_terms(doc, collect_term_freq, &terms), XC_OK);
    ck_assert_str_eq(terms.buf,
                     "Kred:0,Scats:1,brown:1,cats:1,quick:1,run:1,");
    xc_document_destroy(doc);
    doc = NULL;
    ck_assert_int_eq(xc_database_get_document(db, 99, &doc), XC_NOT_FOUND);
    ck_assert_ptr_null(doc);
    ck_assert_uint_gt(strlen(xc_database_last_error(db)), 0);
    ck_assert_int_eq(xc_database_allterms(db, "S", collect_term_freq, &posts),
                     XC_OK);
    ck_assert_str_eq(posts.buf,
                     "Sbears:1,Scats:1,Scow:1,Sdog:1,Sfox:1,Sstory:2,");
    xc_database_close(db);
}
END_TEST

static int
collect_docid(void *ctx, xc_docid docid)
{
    *(unsigned *)ctx |= 1u << docid;
    return 0;
}

START_TEST(test_modify_documents)
{
    char path[512];
    xc_database *db = NULL;
    xc_document *doc = NULL;
    unsigned mask = 0;
    uint32_t count = 0;
    build_corpus(tmp_path(path, sizeof path, "db"));
    ck_assert_int_eq(xc_database_open_writable(path, &db, NULL), XC_OK);
    ck_assert_int_eq(xc_document_create(&doc), XC_OK);
    ck_assert_int_eq(xc_document_add_term(doc, "replaced", 8, 1), XC_OK);
    ck_assert_int_eq(xc_database_replace_document(db, 2, doc), XC_OK);
    ck_assert_int_eq(xc_database_delete_document(db, 1), XC_OK);
    ck_assert_int_eq(xc_database_delete_document(db, 1), XC_NOT_FOUND);
    ck_assert_int_eq(xc_database_delete_documents_by_term(db, "Kblue", 5),
                     XC_OK);
    ck_assert_int_eq(xc_database_delete_documents_by_term(db, "Knone", 5),
                     XC_OK);
    ck_assert_int_eq(xc_database_commit(db), XC_OK);
    ck_assert_int_eq(xc_database_doccount(db, &count), XC_OK);
    /* 1 deleted; 2 replaced (so no longer blue); 5 blue. */
    ck_assert_uint_eq(count, 3);
    ck_assert_int_eq(xc_database_postlist(db, "brown", 5, collect_docid,
                                          &mask), XC_OK);
    ck_assert_uint_eq(mask, BIT(3) | BIT(4));
    mask = 0;
    ck_assert_int_eq(xc_database_postlist(db, "replaced", 8, collect_docid,
                                          &mask), XC_OK);
    ck_assert_uint_eq(mask, BIT(2));
    xc_document_destroy(doc);
    xc_database_close(db);
}
END_TEST

START_TEST(test_transactions)
{
    char path[512];
    xc_database *db = NULL;
    xc_document *doc = NULL;
    uint32_t count = 0;
    ck_assert_int_eq(xc_database_open_writable(tmp_path(path, sizeof path, "t"),
                                               &db, NULL), XC_OK);
    ck_assert_int_eq(xc_document_create(&doc), XC_OK);
    ck_assert_int_eq(xc_database_begin_transaction(db, 1), XC_OK);
    ck_assert_int_eq(xc_database_add_document(db, doc, NULL), XC_OK);
    ck_assert_int_eq(xc_database_commit_transaction(db), XC_OK);
    ck_assert_int_eq(xc_database_begin_transaction(db, 0), XC_OK);
    ck_assert_int_eq(xc_database_add_document(db, doc, NULL), XC_OK);
    ck_assert_int_eq(xc_database_add_document(db, doc, NULL), XC_OK);
    ck_assert_int_eq(xc_database_cancel_transaction(db), XC_OK);
    ck_assert_int_eq(xc_database_doccount(db, &count), XC_OK);
    ck_assert_uint_eq(count, 1);
    /* No transaction in progress: Xapian's InvalidOperationError. */
    ck_assert_int_eq(xc_database_commit_transaction(db), XC_INVALID_ARGUMENT);
    ck_assert_uint_gt(strlen(xc_database_last_error(db)), 0);
    xc_database_close(db);
    db = open_ro(path);
    ck_assert_int_eq(xc_database_doccount(db, &count), XC_OK);
    ck_assert_uint_eq(count, 1);
    xc_database_close(db);
    xc_document_destroy(doc);
}
END_TEST

START_TEST(test_metadata)
{
    char path[512];
    xc_database *db = NULL;
    char *value = NULL;
    size_t len = 0;
    strlist keys = {0};
    int stops = 0;
    tmp_path(path, sizeof path, "m");
    ck_assert_int_eq(xc_database_open_writable(path, &db, NULL), XC_OK);
    ck_assert_int_eq(xc_database_set_metadata(db, "px.a", 4, "1\0x", 3), XC_OK);
    ck_assert_int_eq(xc_database_set_metadata(db, "px.b", 4, "2", 1), XC_OK);
    ck_assert_int_eq(xc_database_set_metadata(db, "other", 5, "3", 1), XC_OK);
    ck_assert_int_eq(xc_database_set_metadata(db, "px.b", 4, "", 0), XC_OK);
    ck_assert_int_eq(xc_database_commit(db), XC_OK);
    xc_database_close(db);
    db = open_ro(path);
    ck_assert_int_eq(xc_database_get_metadata(db, "px.a", 4, &value, &len),
                     XC_OK);
    ck_assert_uint_eq(len, 3);
    ck_assert_mem_eq(value, "1\0x", 4); /* NUL-terminated too. */
    free(value);
    ck_assert_int_eq(xc_database_get_metadata(db, "px.b", 4, &value, &len),
                     XC_OK);
    ck_assert_ptr_null(value);
    ck_assert_uint_eq(len, 0);
    ck_assert_int_eq(xc_database_metadata_keys(db, "px.", collect_string,
                                               &keys), XC_OK);
    ck_assert_str_eq(keys.buf, "px.a,");
    ck_assert_int_eq(xc_database_metadata_keys(db, NULL, stop_after_first,
                                               &stops), XC_OK);
    ck_assert_int_eq(stops, 1);
    xc_database_close(db);
}
END_TEST

/* A stub database file names its shards; opening the stub opens them. */
START_TEST(test_stub_database)
{
    char a[512], b[512], stub[512];
    xc_database *db = NULL;
    uint32_t count = 0;
    build_corpus(tmp_path(a, sizeof a, "a"));
    build_corpus(tmp_path(b, sizeof b, "b"));
    FILE *f = fopen(tmp_path(stub, sizeof stub, "stub"), "w");
    ck_assert_ptr_nonnull(f);
    fprintf(f, "auto %s\nauto %s\n", a, b);
    fclose(f);
    db = open_ro(stub);
    ck_assert_int_eq(xc_database_doccount(db, &count), XC_OK);
    ck_assert_uint_eq(count, 2 * CORPUS_SIZE);
    xc_database_close(db);
}
END_TEST

START_TEST(test_add_database)
{
    char path[512];
    xc_database *a = open_corpus("a");
    xc_database *b = open_corpus("b");
    xc_database *w = NULL;
    xc_query *q = NULL;
    uint32_t count = 0;
    ck_assert_int_eq(xc_database_add(a, b), XC_OK);
    xc_database_close(b);
    ck_assert_int_eq(xc_database_doccount(a, &count), XC_OK);
    ck_assert_uint_eq(count, 2 * CORPUS_SIZE);
    ck_assert_int_eq(xc_query_create_term("fox", 3, 1, &q), XC_OK);
    /* Shards interleave docids: doc 1 of each is 1 and 2. */
    ck_assert_uint_eq(search_mask(a, q), BIT(1) | BIT(2));
    ck_assert_int_eq(xc_database_open_writable(tmp_path(path, sizeof path, "w"),
                                               &w, NULL), XC_OK);
    ck_assert_int_eq(xc_database_add(w, a), XC_INVALID_ARGUMENT);
    ck_assert_uint_gt(strlen(xc_database_last_error(w)), 0);
    ck_assert_int_eq(xc_database_add(a, w), XC_INVALID_ARGUMENT);
    xc_database_close(w);
    xc_query_destroy(q);
    xc_database_close(a);
}
END_TEST

/* A group starts empty and searches what is added, while each shard's
 * own handle stays usable and may be closed first. */
START_TEST(test_database_group)
{
    xc_database *g = NULL, *a = open_corpus("a"), *b = open_corpus("b");
    xc_query *q = NULL;
    uint32_t count = 1;
    ck_assert_int_eq(xc_database_create_group(NULL, NULL),
                     XC_INVALID_ARGUMENT);
    ck_assert_int_eq(xc_database_create_group(&g, NULL), XC_OK);
    ck_assert_int_eq(xc_database_doccount(g, &count), XC_OK);
    ck_assert_uint_eq(count, 0);
    ck_assert_int_eq(xc_database_add(g, a), XC_OK);
    ck_assert_int_eq(xc_database_add(g, b), XC_OK);
    xc_database_close(b);
    ck_assert_int_eq(xc_database_doccount(g, &count), XC_OK);
    ck_assert_uint_eq(count, 2 * CORPUS_SIZE);
    ck_assert_int_eq(xc_database_doccount(a, &count), XC_OK);
    ck_assert_uint_eq(count, CORPUS_SIZE);
    ck_assert_int_eq(xc_query_create_term("fox", 3, 1, &q), XC_OK);
    ck_assert_uint_eq(search_mask(g, q), BIT(1) | BIT(2));
    xc_query_destroy(q);
    xc_database_close(a);
    xc_database_close(g);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Stemmers and term generation                                        */
/* ------------------------------------------------------------------ */

/* The test stemmer: strips one trailing "s". */
typedef struct strip_s {
    char buf[64];
    int calls;
    int destroyed;
} strip_s;

static strip_s strip_ctx;

static int
strip_s_stem(void *ctx, const char *word, size_t len, const char **stem,
             size_t *stem_len)
{
    strip_s *s = ctx;
    s->calls++;
    if (len == 0 || len > sizeof s->buf || word[len - 1] != 's')
        return 1;
    memcpy(s->buf, word, len - 1);
    *stem = s->buf;
    *stem_len = len - 1;
    return 0;
}

static void
strip_s_destroy(void *ctx)
{
    ((strip_s *)ctx)->destroyed++;
}

static xc_stemmer *
make_strip_s(void)
{
    xc_stemmer *stemmer = NULL;
    char *error = NULL;
    memset(&strip_ctx, 0, sizeof strip_ctx);
    ck_assert_int_eq(xc_stemmer_create_callback(strip_s_stem, &strip_ctx,
                                                strip_s_destroy, "strip_s",
                                                &stemmer, &error), XC_OK);
    ck_assert_ptr_null(error);
    return stemmer;
}

START_TEST(test_stemmer_callback)
{
    xc_stemmer *stemmer = make_strip_s();
    char *stem = NULL;
    size_t len = 0;
    ck_assert_int_eq(xc_stemmer_stem(stemmer, "cats", 4, &stem, &len), XC_OK);
    ck_assert_str_eq(stem, "cat");
    ck_assert_uint_eq(len, 3);
    free(stem);
    ck_assert_int_eq(xc_stemmer_stem(stemmer, "dog", 3, &stem, &len), XC_OK);
    ck_assert_str_eq(stem, "dog");
    free(stem);
    ck_assert_int_eq(strip_ctx.calls, 2);
    xc_stemmer_destroy(stemmer);
    ck_assert_int_eq(strip_ctx.destroyed, 1);
}
END_TEST

START_TEST(test_stemmer_builtin)
{
    xc_stemmer *stemmer = NULL;
    char *error = NULL, *stem = NULL;
    size_t len = 0;
    ck_assert_int_eq(xc_stemmer_create_builtin("english", &stemmer, &error),
                     XC_OK);
    ck_assert_int_eq(xc_stemmer_stem(stemmer, "running", 7, &stem, &len),
                     XC_OK);
    ck_assert_str_eq(stem, "run");
    free(stem);
    xc_stemmer_destroy(stemmer);
    stemmer = NULL;
    ck_assert_int_eq(xc_stemmer_create_builtin("klingon", &stemmer, &error),
                     XC_INVALID_ARGUMENT);
    ck_assert_ptr_null(stemmer);
    ck_assert_ptr_nonnull(error);
    ck_assert_ptr_nonnull(strstr(error, "klingon"));
    free(error);
}
END_TEST

/* STEM_SOME: unstemmed terms with positions plus Z-prefixed stems; the
 * stemmer's context lives until the last user lets go. */
START_TEST(test_termgen_stem_some)
{
    xc_stemmer *stemmer = make_strip_s();
    xc_termgen *tg = NULL;
    xc_document *doc = NULL;
    xc_termpos pos = 0;
    strlist terms = {0};
    ck_assert_int_eq(xc_termgen_create(&tg, NULL), XC_OK);
    ck_assert_int_eq(xc_termgen_set_stemmer(tg, stemmer), XC_OK);
    xc_stemmer_destroy(stemmer);
    ck_assert_int_eq(strip_ctx.destroyed, 0);
    ck_assert_int_eq(xc_termgen_set_stemming_strategy(tg, XC_STEM_SOME), XC_OK);
    ck_assert_int_eq(xc_document_create(&doc), XC_OK);
    ck_assert_int_eq(xc_termgen_set_document(tg, doc), XC_OK);
    ck_assert_int_eq(xc_termgen_index_text(tg, "cats chase rats", 15, 1, NULL),
                     XC_OK);
    ck_assert_int_eq(xc_termgen_get_termpos(tg, &pos), XC_OK);
    ck_assert_uint_eq(pos, 3);
    ck_assert_int_eq(xc_termgen_index_text_without_positions(tg, "dogs", 4, 1,
                                                             "X"), XC_OK);
    ck_assert_int_eq(xc_document_terms(doc, collect_term_freq, &terms), XC_OK);
    ck_assert_str_eq(terms.buf, "Xdogs:1,ZXdog:1,Zcat:1,Zchase:1,Zrat:1,"
                                "cats:1,chase:1,rats:1,");
    ck_assert_int_gt(strip_ctx.calls, 0);
    /* set_document restarts the positions. */
    ck_assert_int_eq(xc_termgen_set_document(tg, doc), XC_OK);
    ck_assert_int_eq(xc_termgen_get_termpos(tg, &pos), XC_OK);
    ck_assert_uint_eq(pos, 0);
    /* NULL lets go of the document: it can then be destroyed (or used on
     * another thread) while the generator lives on, and indexing goes
     * nowhere near it. */
    ck_assert_int_eq(xc_termgen_set_document(tg, NULL), XC_OK);
    xc_document_destroy(doc);
    ck_assert_int_eq(xc_termgen_index_text(tg, "mice", 4, 1, NULL), XC_OK);
    xc_termgen_destroy(tg);
    ck_assert_int_eq(strip_ctx.destroyed, 1);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Queries                                                             */
/* ------------------------------------------------------------------ */

START_TEST(test_query_build)
{
    xc_database *db = open_corpus("db");
    xc_query *t[2] = {NULL, NULL}, *q = NULL, *s = NULL, *r = NULL;
    strlist terms = {0};
    ck_assert_int_eq(xc_query_create_term("quick", 5, 1, &t[0]), XC_OK);
    ck_assert_int_eq(xc_query_create_term("brown", 5, 1, &t[1]), XC_OK);
    ck_assert_int_eq(xc_query_create_combined(XC_OP_AND, t, 2, 0, &q), XC_OK);
    ck_assert_uint_eq(search_mask(db, q), BIT(1) | BIT(3));
    ck_assert_int_eq(xc_query_terms(q, collect_string, &terms), XC_OK);
    ck_assert_str_eq(terms.buf, "brown,quick,");
    char *desc = xc_query_describe(q);
    ck_assert_ptr_nonnull(strstr(desc, "AND"));
    free(desc);
    ck_assert_int_eq(xc_query_create_scaled(2.0, q, &s), XC_OK);
    ck_assert_uint_eq(search_mask(db, s), BIT(1) | BIT(3));
    xc_query_destroy(q);
    ck_assert_int_eq(xc_query_create_combined(XC_OP_PHRASE, t, 2, 0, &q),
                     XC_OK);
    ck_assert_uint_eq(search_mask(db, q), BIT(1) | BIT(3));
    xc_query_destroy(q);
    ck_assert_int_eq(xc_query_create_value_range(1, "20210101", 8, "20211231",
                                                 8, &r), XC_OK);
    ck_assert_uint_eq(search_mask(db, r), BIT(3) | BIT(4));
    ck_assert_int_eq(xc_query_create_combined((xc_query_op)99, t, 2, 0, &q),
                     XC_INVALID_ARGUMENT);
    ck_assert_ptr_null(q);
    ck_assert_int_eq(xc_query_create_combined(XC_OP_OR, NULL, 0, 0, &q), XC_OK);
    ck_assert(xc_query_is_empty(q));
    xc_query_destroy(q);
    ck_assert_int_eq(xc_query_create_match_all(&q), XC_OK);
    ck_assert(!xc_query_is_empty(q));
    ck_assert_uint_eq(search_mask(db, q), 0x3e);
    xc_query_destroy(q);
    xc_query_destroy(r);
    xc_query_destroy(s);
    xc_query_destroy(t[0]);
    xc_query_destroy(t[1]);
    xc_database_close(db);
}
END_TEST

static xc_qparser *
make_parser(xc_database *db)
{
    xc_qparser *qp = NULL;
    char *error = NULL;
    ck_assert_int_eq(xc_qparser_create(&qp, &error), XC_OK);
    ck_assert_ptr_null(error);
    ck_assert_int_eq(xc_qparser_set_database(qp, db), XC_OK);
    ck_assert_int_eq(xc_qparser_add_prefix(qp, "title", "S"), XC_OK);
    ck_assert_int_eq(xc_qparser_add_boolean_prefix(qp, "tag", "K"), XC_OK);
    ck_assert_int_eq(xc_qparser_add_date_range(qp, 1, "published"), XC_OK);
    ck_assert_int_eq(xc_qparser_add_number_range(qp, 2, "num"), XC_OK);
    return qp;
}

/* Parse `text` with `flags` and run it on db. */
static unsigned
parse_mask(xc_qparser *qp, xc_database *db, const char *text, unsigned flags)
{
    xc_query *q = NULL;
    xc_status st = xc_qparser_parse(qp, text, flags, NULL, &q);
    ck_assert_msg(st == XC_OK, "parse '%s': %s", text,
                  xc_qparser_last_error(qp));
    unsigned mask = search_mask(db, q);
    xc_query_destroy(q);
    return mask;
}

START_TEST(test_qparser_fields)
{
    xc_database *db = open_corpus("db");
    xc_qparser *qp = make_parser(db);
    ck_assert_uint_eq(parse_mask(qp, db, "title:story", XC_FLAG_DEFAULT),
                      BIT(1) | BIT(2));
    ck_assert_uint_eq(parse_mask(qp, db, "tag:red", XC_FLAG_DEFAULT),
                      BIT(1) | BIT(3));
    ck_assert_uint_eq(parse_mask(qp, db, "brown tag:blue", XC_FLAG_DEFAULT),
                      BIT(2) | BIT(5));
    ck_assert_uint_eq(parse_mask(qp, db, "published:20210101..20211231",
                                 XC_FLAG_DEFAULT), BIT(3) | BIT(4));
    ck_assert_uint_eq(parse_mask(qp, db, "brown published:20220101..",
                                 XC_FLAG_DEFAULT), BIT(5));
    ck_assert_uint_eq(parse_mask(qp, db, "num:2..4", XC_FLAG_DEFAULT),
                      BIT(2) | BIT(3) | BIT(4));
    xc_qparser_destroy(qp);
    xc_database_close(db);
}
END_TEST

START_TEST(test_qparser_default_op)
{
    xc_database *db = open_corpus("db");
    xc_qparser *qp = make_parser(db);
    ck_assert_uint_eq(parse_mask(qp, db, "quick brown", XC_FLAG_DEFAULT),
                      0x3e);
    ck_assert_int_eq(xc_qparser_set_default_op(qp, XC_OP_AND), XC_OK);
    ck_assert_uint_eq(parse_mask(qp, db, "quick brown", XC_FLAG_DEFAULT),
                      BIT(1) | BIT(3));
    ck_assert_int_eq(xc_qparser_set_default_op(qp, XC_OP_OR), XC_OK);
    ck_assert_uint_eq(parse_mask(qp, db, "quick brown", XC_FLAG_DEFAULT),
                      0x3e);
    ck_assert_int_eq(xc_qparser_set_default_op(qp, XC_OP_XOR),
                     XC_INVALID_ARGUMENT);
    ck_assert_uint_gt(strlen(xc_qparser_last_error(qp)), 0);
    xc_qparser_destroy(qp);
    xc_database_close(db);
}
END_TEST

START_TEST(test_qparser_wildcard)
{
    xc_database *db = open_corpus("db");
    xc_qparser *qp = make_parser(db);
    xc_query *q = NULL;
    ck_assert_uint_eq(parse_mask(qp, db, "qui*",
                                 XC_FLAG_DEFAULT | XC_FLAG_WILDCARD),
                      BIT(1) | BIT(3) | BIT(5));
    ck_assert_uint_eq(parse_mask(qp, db, "title:st*",
                                 XC_FLAG_DEFAULT | XC_FLAG_WILDCARD),
                      BIT(1) | BIT(2));
    /* Without the flag the star is dropped: "qui" matches nothing. */
    ck_assert_uint_eq(parse_mask(qp, db, "qui*", XC_FLAG_DEFAULT), 0);
    /* Past max_expansion, Xapian reports the wildcard when matching. */
    ck_assert_int_eq(xc_qparser_set_max_expansion(qp, 1), XC_OK);
    ck_assert_int_eq(xc_qparser_parse(qp, "qui*", XC_FLAG_WILDCARD, NULL, &q),
                     XC_OK);
    xc_enquire *enq = NULL;
    xc_mset *mset = NULL;
    ck_assert_int_eq(xc_enquire_create(db, &enq, NULL), XC_OK);
    ck_assert_int_eq(xc_enquire_set_query(enq, q, 0), XC_OK);
    ck_assert_int_ne(xc_enquire_get_mset(enq, 0, 10, 0, &mset), XC_OK);
    ck_assert_ptr_null(mset);
    ck_assert_uint_gt(strlen(xc_enquire_last_error(enq)), 0);
    xc_enquire_destroy(enq);
    xc_query_destroy(q);
    xc_qparser_destroy(qp);
    xc_database_close(db);
}
END_TEST

START_TEST(test_qparser_stem_stop)
{
    xc_stemmer *stemmer = make_strip_s();
    xc_qparser *qp = NULL;
    xc_query *q = NULL;
    strlist terms = {0}, stops = {0};
    static const char *const words[] = {"the", "a"};
    ck_assert_int_eq(xc_qparser_create(&qp, NULL), XC_OK);
    ck_assert_int_eq(xc_qparser_set_stemmer(qp, stemmer), XC_OK);
    xc_stemmer_destroy(stemmer);
    ck_assert_int_eq(xc_qparser_set_stemming_strategy(qp, XC_STEM_SOME), XC_OK);
    ck_assert_int_eq(xc_qparser_set_stopwords(qp, words, 2), XC_OK);
    ck_assert_int_eq(xc_qparser_parse(qp, "the cats", XC_FLAG_DEFAULT, NULL,
                                      &q), XC_OK);
    ck_assert_int_eq(xc_query_terms(q, collect_string, &terms), XC_OK);
    ck_assert_str_eq(terms.buf, "Zcat,");
    ck_assert_int_eq(xc_qparser_stoplist(qp, collect_string, &stops), XC_OK);
    ck_assert_str_eq(stops.buf, "the,");
    xc_query_destroy(q);
    ck_assert_int_eq(strip_ctx.destroyed, 0);
    xc_qparser_destroy(qp);
    ck_assert_int_eq(strip_ctx.destroyed, 1);
}
END_TEST

/* A malformed query is a status and a message, never an abort. */
START_TEST(test_qparser_syntax_error)
{
    xc_qparser *qp = NULL;
    xc_query *q = NULL;
    ck_assert_int_eq(xc_qparser_create(&qp, NULL), XC_OK);
    ck_assert_int_eq(xc_qparser_parse(qp, "foo AND", XC_FLAG_DEFAULT, NULL, &q),
                     XC_QUERY_SYNTAX);
    ck_assert_ptr_null(q);
    ck_assert_ptr_nonnull(strstr(xc_qparser_last_error(qp), "Syntax"));
    /* A range no processor accepts is malformed too. */
    ck_assert_int_eq(xc_qparser_add_date_range(qp, 1, "published"), XC_OK);
    ck_assert_int_eq(xc_qparser_parse(qp, "a..b", XC_FLAG_DEFAULT, NULL, &q),
                     XC_QUERY_SYNTAX);
    ck_assert_ptr_null(q);
    /* The parser is still usable afterwards. */
    ck_assert_int_eq(xc_qparser_parse(qp, "foo", XC_FLAG_DEFAULT, "S", &q),
                     XC_OK);
    char *desc = xc_query_describe(q);
    ck_assert_ptr_nonnull(strstr(desc, "Sfoo"));
    free(desc);
    xc_query_destroy(q);
    xc_qparser_destroy(qp);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Searching                                                           */
/* ------------------------------------------------------------------ */

static xc_enquire *
make_enquire(xc_database *db, const char *term)
{
    xc_enquire *enq = NULL;
    xc_query *q = NULL;
    ck_assert_int_eq(xc_enquire_create(db, &enq, NULL), XC_OK);
    ck_assert_int_eq(xc_query_create_term(term, strlen(term), 1, &q), XC_OK);
    ck_assert_int_eq(xc_enquire_set_query(enq, q, 0), XC_OK);
    xc_query_destroy(q);
    return enq;
}

START_TEST(test_mset_iteration)
{
    xc_database *db = open_corpus("db");
    xc_enquire *enq = make_enquire(db, "brown");
    xc_mset *mset = NULL;
    xc_mset_item item;
    uint32_t est = 0, lo = 0, hi = 0;
    ck_assert_int_eq(xc_enquire_set_weighting_bm25(enq, 1.2, 0, 1, 0.5, 0.5),
                     XC_OK);
    ck_assert_int_eq(xc_enquire_get_mset(enq, 1, 3, 0, &mset), XC_OK);
    ck_assert_uint_eq(xc_mset_size(mset), 3);
    ck_assert_int_eq(xc_mset_matches(mset, &est, &lo, &hi), XC_OK);
    ck_assert_uint_eq(est, 5);
    ck_assert_uint_le(lo, est);
    ck_assert_uint_ge(hi, est);
    ck_assert_int_eq(xc_mset_fetch(mset), XC_OK);
    for (uint32_t i = 0; i < xc_mset_size(mset); i++) {
        xc_document *doc = NULL;
        const char *data = NULL;
        size_t len = 0;
        ck_assert_int_eq(xc_mset_get(mset, i, &item), XC_OK);
        ck_assert_uint_eq(item.rank, i + 1);
        ck_assert(item.weight > 0.0);
        ck_assert_int_eq(xc_mset_get_document(mset, i, &doc), XC_OK);
        ck_assert_int_eq(xc_document_get_data(doc, &data, &len), XC_OK);
        ck_assert_mem_eq(data, corpus[item.docid - 1].text, len);
        xc_document_destroy(doc);
    }
    ck_assert_int_eq(xc_mset_get(mset, 3, &item), XC_INVALID_ARGUMENT);
    ck_assert_uint_eq(item.docid, 0);
    ck_assert_uint_gt(strlen(xc_mset_last_error(mset)), 0);
    xc_mset_destroy(mset);
    xc_enquire_destroy(enq);
    xc_database_close(db);
}
END_TEST

/* Two matches of "quick", best first, weights finite and not negative
 * (DPH and DLH may weigh a word this common in five documents at 0). */
static void
check_weighted(xc_enquire *enq)
{
    xc_mset *mset = NULL;
    xc_mset_item a, b;
    ck_assert_int_eq(xc_enquire_get_mset(enq, 0, 10, 0, &mset), XC_OK);
    ck_assert_uint_eq(xc_mset_size(mset), 2);
    ck_assert_int_eq(xc_mset_get(mset, 0, &a), XC_OK);
    ck_assert_int_eq(xc_mset_get(mset, 1, &b), XC_OK);
    ck_assert(a.weight >= b.weight && b.weight >= 0.0);
    ck_assert(a.weight < 1e9);
    xc_mset_destroy(mset);
}

START_TEST(test_weighting_schemes)
{
    xc_database *db = open_corpus("db");
    xc_enquire *enq = make_enquire(db, "quick");
    ck_assert_int_eq(xc_enquire_set_weighting_bm25plus(enq, 1.2, 0, 1, 0.75,
                                                       0.5, 1.0), XC_OK);
    check_weighted(enq);
    ck_assert_int_eq(xc_enquire_set_weighting_pl2(enq, 1.0), XC_OK);
    check_weighted(enq);
    ck_assert_int_eq(xc_enquire_set_weighting_pl2plus(enq, 1.0, 0.8), XC_OK);
    check_weighted(enq);
    ck_assert_int_eq(xc_enquire_set_weighting_dph(enq), XC_OK);
    check_weighted(enq);
    ck_assert_int_eq(xc_enquire_set_weighting_dlh(enq), XC_OK);
    check_weighted(enq);
    ck_assert_int_eq(xc_enquire_set_weighting_inl2(enq, 1.0), XC_OK);
    check_weighted(enq);
    ck_assert_int_eq(xc_enquire_set_weighting_ifb2(enq, 64.0), XC_OK);
    check_weighted(enq);
    ck_assert_int_eq(xc_enquire_set_weighting_ineb2(enq, 4.0), XC_OK);
    check_weighted(enq);
    ck_assert_int_eq(xc_enquire_set_weighting_bb2(enq, 1.0), XC_OK);
    check_weighted(enq);
    ck_assert_int_eq(xc_enquire_set_weighting_tfidf(enq, "ntn"), XC_OK);
    check_weighted(enq);
    ck_assert_int_eq(xc_enquire_set_weighting_lm(enq, 0, 2, 2000, 0), XC_OK);
    xc_enquire_destroy(enq);
    xc_database_close(db);
}
END_TEST

/* Parameters out of Xapian's range are refused with a message. */
START_TEST(test_weighting_invalid)
{
    xc_database *db = open_corpus("db");
    xc_enquire *enq = make_enquire(db, "quick");
    ck_assert_int_eq(xc_enquire_set_weighting_pl2(enq, 0.0),
                     XC_INVALID_ARGUMENT);
    ck_assert_uint_gt(strlen(xc_enquire_last_error(enq)), 0);
    ck_assert_int_eq(xc_enquire_set_weighting_ineb2(enq, -1.0),
                     XC_INVALID_ARGUMENT);
    ck_assert_int_eq(xc_enquire_set_weighting_tfidf(enq, "zzz"),
                     XC_INVALID_ARGUMENT);
    ck_assert_int_eq(xc_enquire_set_weighting_tfidf(enq, NULL),
                     XC_INVALID_ARGUMENT);
    ck_assert_int_eq(xc_enquire_set_weighting_lm(enq, 0, 9, 0, 0),
                     XC_INVALID_ARGUMENT);
    ck_assert_int_eq(xc_enquire_set_weighting_dph(NULL), XC_INVALID_ARGUMENT);
    /* The enquire still works with its last good scheme. */
    ck_assert_int_eq(xc_enquire_set_weighting_ifb2(enq, 1.0), XC_OK);
    check_weighted(enq);
    xc_enquire_destroy(enq);
    xc_database_close(db);
}
END_TEST

START_TEST(test_weighting_and_sort)
{
    xc_database *db = open_corpus("db");
    xc_enquire *enq = make_enquire(db, "brown");
    xc_mset *mset = NULL;
    xc_mset_item item;
    ck_assert_int_eq(xc_enquire_set_weighting_bool(enq), XC_OK);
    ck_assert_int_eq(xc_enquire_set_sort_by_value(enq, 2, 1), XC_OK);
    ck_assert_int_eq(xc_enquire_get_mset(enq, 0, 10, 0, &mset), XC_OK);
    ck_assert_uint_eq(xc_mset_size(mset), 5);
    for (uint32_t i = 0; i < 5; i++) {
        ck_assert_int_eq(xc_mset_get(mset, i, &item), XC_OK);
        ck_assert_uint_eq(item.docid, 5 - i);
        ck_assert(item.weight == 0.0);
    }
    xc_mset_destroy(mset);
    ck_assert_int_eq(xc_enquire_set_sort_by_value(enq, 2, 0), XC_OK);
    ck_assert_int_eq(xc_enquire_get_mset(enq, 0, 1, 0, &mset), XC_OK);
    ck_assert_int_eq(xc_mset_get(mset, 0, &item), XC_OK);
    ck_assert_uint_eq(item.docid, 1);
    xc_mset_destroy(mset);
    ck_assert_int_eq(
        xc_enquire_set_sort_by_value_then_relevance(enq, 2, 1), XC_OK);
    ck_assert_int_eq(xc_enquire_get_mset(enq, 0, 1, 0, &mset), XC_OK);
    ck_assert_int_eq(xc_mset_get(mset, 0, &item), XC_OK);
    ck_assert_uint_eq(item.docid, 5);
    xc_mset_destroy(mset);
    ck_assert_int_eq(xc_enquire_set_sort_by_value_then_relevance(NULL, 2, 1),
                     XC_INVALID_ARGUMENT);
    xc_enquire_destroy(enq);
    xc_database_close(db);
}
END_TEST

/* Count the results per collapse key (slot 0: "a" or "b"). */
static void
count_keys(xc_mset *mset, int *a, int *b, uint32_t *collapsed)
{
    *a = *b = 0;
    *collapsed = 0;
    for (uint32_t i = 0; i < xc_mset_size(mset); i++) {
        xc_document *doc = NULL;
        xc_mset_item item;
        const char *key = NULL;
        size_t len = 0;
        ck_assert_int_eq(xc_mset_get(mset, i, &item), XC_OK);
        *collapsed += item.collapse_count;
        ck_assert_int_eq(xc_mset_get_document(mset, i, &doc), XC_OK);
        ck_assert_int_eq(xc_document_get_value(doc, 0, &key, &len), XC_OK);
        ck_assert_uint_eq(len, 1);
        *(key[0] == 'a' ? a : b) += 1;
        /* The collapse key is the value, without reading the document. */
        const char *ckey = NULL;
        size_t clen = 0;
        ck_assert_int_eq(xc_mset_collapse_key(mset, i, &ckey, &clen), XC_OK);
        ck_assert_uint_eq(clen, 1);
        ck_assert_int_eq(ckey[0], key[0]);
        xc_document_destroy(doc);
    }
}

START_TEST(test_collapse_key)
{
    xc_database *db = open_corpus("db");
    xc_enquire *enq = make_enquire(db, "brown");
    xc_mset *mset = NULL;
    int a = 0, b = 0;
    uint32_t collapsed = 0;
    ck_assert_int_eq(xc_enquire_set_collapse_key(enq, 0, 2), XC_OK);
    ck_assert_int_eq(xc_enquire_get_mset(enq, 0, 10, 10, &mset), XC_OK);
    count_keys(mset, &a, &b, &collapsed);
    /* Three "a" documents, at most two kept; both "b" documents kept. */
    ck_assert_int_eq(a, 2);
    ck_assert_int_eq(b, 2);
    ck_assert_uint_ge(collapsed, 1);
    xc_mset_destroy(mset);
    ck_assert_int_eq(xc_enquire_set_collapse_key(enq, 0, 1), XC_OK);
    ck_assert_int_eq(xc_enquire_get_mset(enq, 0, 10, 10, &mset), XC_OK);
    count_keys(mset, &a, &b, &collapsed);
    ck_assert_int_eq(a, 1);
    ck_assert_int_eq(b, 1);
    xc_mset_destroy(mset);
    xc_enquire_destroy(enq);
    xc_database_close(db);
}
END_TEST

START_TEST(test_matching_terms)
{
    xc_database *db = open_corpus("db");
    xc_qparser *qp = make_parser(db);
    xc_enquire *enq = NULL;
    xc_query *q = NULL;
    strlist terms = {0};
    int stops = 0;
    ck_assert_int_eq(xc_qparser_parse(qp, "quick lazy cow", XC_FLAG_DEFAULT,
                                      NULL, &q), XC_OK);
    ck_assert_int_eq(xc_enquire_create(db, &enq, NULL), XC_OK);
    ck_assert_int_eq(xc_enquire_set_query(enq, q, 0), XC_OK);
    ck_assert_int_eq(xc_enquire_matching_terms(enq, 1, collect_string, &terms),
                     XC_OK);
    ck_assert_str_eq(terms.buf, "quick,");
    terms.used = 0;
    ck_assert_int_eq(xc_enquire_matching_terms(enq, 4, collect_string, &terms),
                     XC_OK);
    ck_assert_str_eq(terms.buf, "cow,");
    ck_assert_int_eq(xc_enquire_matching_terms(enq, 2, stop_after_first,
                                               &stops), XC_OK);
    ck_assert_int_eq(stops, 1);
    xc_enquire_destroy(enq);
    xc_query_destroy(q);
    xc_qparser_destroy(qp);
    xc_database_close(db);
}
END_TEST

START_TEST(test_term_in)
{
    xc_database *db = open_corpus("db");
    const xc_docid ids[] = {1, 2, 3, 5};
    unsigned char has[4] = {0, 0, 0, 0};
    /* "quick" is in 1 and 3; "Kred" (tag) in 1 and 3 too; "cow" in 4. */
    ck_assert_int_eq(xc_database_term_in(db, "quick", 5, ids, 4, has), XC_OK);
    ck_assert_mem_eq(has, "\1\0\1\0", 4);
    memset(has, 0, sizeof has);
    ck_assert_int_eq(xc_database_term_in(db, "cow", 3, ids, 4, has), XC_OK);
    ck_assert_mem_eq(has, "\0\0\0\0", 4);
    ck_assert_int_eq(xc_database_term_in(db, "nosuchterm", 10, ids, 4, has),
                     XC_OK);
    ck_assert_int_eq(xc_database_term_in(db, "brown", 5, ids, 0, NULL), XC_OK);
    ck_assert_int_eq(xc_database_term_in(db, "brown", 5, ids, 1, NULL),
                     XC_INVALID_ARGUMENT);
    xc_database_close(db);
}
END_TEST

typedef struct eset_seen {
    int n;
    uint32_t first, min;
} eset_seen;

static int
eset_collect(void *ctx, const char *term, size_t len, uint32_t permille)
{
    eset_seen *s = ctx;
    ck_assert_uint_gt(len, 0);
    ck_assert_ptr_nonnull(term);
    ck_assert_uint_le(permille, 1000);
    if (s->n++ == 0)
        s->first = permille;
    if (permille < s->min)
        s->min = permille;
    return 0;
}

START_TEST(test_eset)
{
    xc_database *db = open_corpus("db");
    xc_enquire *enq = make_enquire(db, "quick");
    static const xc_docid rel[] = {1, 3};
    eset_seen seen = {0, 0, 1000};
    ck_assert_int_eq(xc_enquire_get_eset(enq, rel, 2, 4, eset_collect, &seen),
                     XC_OK);
    ck_assert_int_eq(seen.n, 4);
    ck_assert_uint_eq(seen.first, 1000);
    ck_assert_uint_le(seen.min, 1000);
    memset(&seen, 0, sizeof seen);
    ck_assert_int_eq(xc_enquire_get_eset(enq, NULL, 0, 4, eset_collect, &seen),
                     XC_OK);
    ck_assert_int_eq(seen.n, 0);
    xc_enquire_destroy(enq);
    xc_database_close(db);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Match spies                                                         */
/* ------------------------------------------------------------------ */

typedef struct spy_seen {
    int calls;
    size_t data_bytes;
} spy_seen;

static void
spy_collect(void *ctx, xc_document *doc, double weight)
{
    spy_seen *s = ctx;
    const char *data = NULL;
    size_t len = 0;
    (void)weight;
    s->calls++;
    if (xc_document_get_data(doc, &data, &len) == XC_OK)
        s->data_bytes += len;
}

START_TEST(test_matchspies)
{
    xc_database *db = open_corpus("db");
    xc_enquire *enq = make_enquire(db, "brown");
    xc_matchspy *cb = NULL, *vc = NULL;
    xc_mset *mset = NULL;
    spy_seen seen = {0, 0};
    strlist values = {0};
    uint32_t total = 0;
    ck_assert_int_eq(xc_matchspy_create_callback(spy_collect, &seen, &cb, NULL),
                     XC_OK);
    ck_assert_int_eq(xc_matchspy_create_valuecount(3, &vc, NULL), XC_OK);
    ck_assert_int_eq(xc_enquire_add_matchspy(enq, cb), XC_OK);
    ck_assert_int_eq(xc_enquire_add_matchspy(enq, vc), XC_OK);
    ck_assert_int_eq(xc_enquire_get_mset(enq, 0, 10, 10, &mset), XC_OK);
    xc_mset_destroy(mset);
    ck_assert_int_eq(seen.calls, 5);
    ck_assert_uint_gt(seen.data_bytes, 0);
    ck_assert_int_eq(xc_matchspy_total(vc, &total), XC_OK);
    ck_assert_uint_eq(total, 5);
    ck_assert_int_eq(xc_matchspy_values(vc, 0, collect_term_freq, &values),
                     XC_OK);
    ck_assert_str_eq(values.buf, "blue:2,red:2,green:1,");
    values.used = 0;
    ck_assert_int_eq(xc_matchspy_values(vc, 1, collect_term_freq, &values),
                     XC_OK);
    ck_assert_str_eq(values.buf, "blue:2,");
    ck_assert_int_eq(xc_matchspy_total(cb, &total), XC_INVALID_ARGUMENT);
    ck_assert_uint_gt(strlen(xc_matchspy_last_error(cb)), 0);
    ck_assert_int_eq(xc_enquire_clear_matchspies(enq), XC_OK);
    ck_assert_int_eq(xc_enquire_get_mset(enq, 0, 10, 10, &mset), XC_OK);
    xc_mset_destroy(mset);
    ck_assert_int_eq(seen.calls, 5);
    xc_enquire_destroy(enq);
    xc_matchspy_destroy(cb);
    xc_matchspy_destroy(vc);
    xc_database_close(db);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Remote databases                                                    */
/* ------------------------------------------------------------------ */

START_TEST(test_remote_prog)
{
    char path[512];
    xc_database *db = NULL;
    uint32_t count = 0, total = 0;
    char *error = NULL;
    /* scripts/deps.sh installs xapian-tools: its absence is a set-up bug. */
    ck_assert_msg(access("/usr/bin/xapian-progsrv", X_OK) == 0,
                  "xapian-progsrv is missing: run scripts/deps.sh");
    build_corpus(tmp_path(path, sizeof path, "db"));
    ck_assert_int_eq(xc_database_open_remote_prog("xapian-progsrv", path, 0,
                                                  &db, &error), XC_OK);
    ck_assert_int_eq(xc_database_doccount(db, &count), XC_OK);
    ck_assert_uint_eq(count, CORPUS_SIZE);
    xc_enquire *enq = make_enquire(db, "brown");
    xc_matchspy *vc = NULL;
    xc_mset *mset = NULL;
    ck_assert_int_eq(xc_matchspy_create_valuecount(0, &vc, NULL), XC_OK);
    ck_assert_int_eq(xc_enquire_add_matchspy(enq, vc), XC_OK);
    ck_assert_int_eq(xc_enquire_get_mset(enq, 0, 10, 10, &mset), XC_OK);
    ck_assert_uint_eq(xc_mset_size(mset), 5);
    ck_assert_int_eq(xc_matchspy_total(vc, &total), XC_OK);
    ck_assert_uint_eq(total, 5);
    xc_mset_destroy(mset);
    xc_enquire_destroy(enq);
    xc_matchspy_destroy(vc);
    xc_database_close(db);
}
END_TEST

START_TEST(test_remote_tcp_refused)
{
    xc_database *db = NULL;
    char *error = NULL;
    /* Port 1 on the loopback has no server: the connection is refused. */
    ck_assert_int_eq(xc_database_open_remote_tcp("127.0.0.1", 1, 500, 500, &db,
                                                 &error), XC_NETWORK);
    ck_assert_ptr_null(db);
    ck_assert_ptr_nonnull(error);
    ck_assert_ptr_nonnull(strstr(error, "127.0.0.1"));
    free(error);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Errors                                                              */
/* ------------------------------------------------------------------ */

START_TEST(test_error_missing)
{
    char path[512];
    xc_database *db = (xc_database *)&db; /* Must be reset to NULL. */
    char *error = NULL;
    tmp_path(path, sizeof path, "no-such-db");
    xc_status st = xc_database_open(path, &db, &error);
    ck_assert_msg(st == XC_NOT_FOUND || st == XC_OPENING, "status %d", st);
    ck_assert_ptr_null(db);
    ck_assert_ptr_nonnull(error);
    ck_assert_ptr_nonnull(strstr(error, path));
    free(error);
    /* A NULL error pointer is tolerated. */
    ck_assert_int_ne(xc_database_open(path, &db, NULL), XC_OK);
    ck_assert_ptr_null(db);
}
END_TEST

START_TEST(test_error_locked)
{
    char path[512];
    xc_database *first = NULL, *second = NULL;
    char *error = NULL;
    tmp_path(path, sizeof path, "locked");
    ck_assert_int_eq(xc_database_open_writable(path, &first, NULL), XC_OK);
    ck_assert_int_eq(xc_database_open_writable(path, &second, &error),
                     XC_LOCKED);
    ck_assert_ptr_null(second);
    ck_assert_ptr_nonnull(error);
    ck_assert_ptr_nonnull(strstr(error, path));
    free(error);
    /* Closing the first writer releases the lock. */
    xc_database_close(first);
    ck_assert_int_eq(xc_database_open_writable(path, &second, NULL), XC_OK);
    xc_database_close(second);
}
END_TEST

static void
scribble(const char *dir, const char *name)
{
    char path[1024];
    int n = snprintf(path, sizeof path, "%s/%s", dir, name);
    ck_assert(n > 0 && (size_t)n < sizeof path);
    FILE *f = fopen(path, "r+");
    ck_assert_msg(f != NULL, "no %s", path);
    for (int i = 0; i < 4096; i++)
        fputc("garbage!"[i % 8], f);
    fclose(f);
}

/* Damaged files: a status and a message from whichever call notices. */
START_TEST(test_error_corrupt)
{
    char path[512];
    xc_database *db = NULL;
    char *error = NULL;
    uint32_t count = 0;
    build_corpus(tmp_path(path, sizeof path, "db"));
    scribble(path, "postlist.glass");
    scribble(path, "iamglass");
    xc_status st = xc_database_open(path, &db, &error);
    if (st == XC_OK) {
        xc_query *q = NULL;
        ck_assert_int_eq(xc_query_create_term("brown", 5, 1, &q), XC_OK);
        xc_enquire *enq = NULL;
        xc_mset *mset = NULL;
        ck_assert_int_eq(xc_enquire_create(db, &enq, NULL), XC_OK);
        ck_assert_int_eq(xc_enquire_set_query(enq, q, 0), XC_OK);
        st = xc_enquire_get_mset(enq, 0, 10, 0, &mset);
        ck_assert_int_ne(st, XC_OK);
        ck_assert_uint_gt(strlen(xc_enquire_last_error(enq)), 0);
        (void)xc_database_doccount(db, &count);
        xc_enquire_destroy(enq);
        xc_query_destroy(q);
        xc_database_close(db);
    } else {
        ck_assert_ptr_null(db);
        ck_assert_ptr_nonnull(error);
        ck_assert_uint_gt(strlen(error), 0);
        free(error);
    }
}
END_TEST

START_TEST(test_error_readonly)
{
    xc_database *db = open_corpus("db");
    xc_document *doc = NULL;
    xc_docid id = 42;
    ck_assert_int_eq(xc_document_create(&doc), XC_OK);
    ck_assert_int_eq(xc_database_set_metadata(db, "k", 1, "v", 1),
                     XC_INVALID_ARGUMENT);
    ck_assert_ptr_nonnull(strstr(xc_database_last_error(db), "read-only"));
    ck_assert_int_eq(xc_database_add_document(db, doc, &id),
                     XC_INVALID_ARGUMENT);
    ck_assert_uint_eq(id, 0);
    ck_assert_int_eq(xc_database_replace_document(db, 1, doc),
                     XC_INVALID_ARGUMENT);
    ck_assert_int_eq(xc_database_delete_document(db, 1), XC_INVALID_ARGUMENT);
    ck_assert_int_eq(xc_database_delete_documents_by_term(db, "a", 1),
                     XC_INVALID_ARGUMENT);
    ck_assert_int_eq(xc_database_begin_transaction(db, 1), XC_INVALID_ARGUMENT);
    ck_assert_int_eq(xc_database_commit_transaction(db), XC_INVALID_ARGUMENT);
    ck_assert_int_eq(xc_database_cancel_transaction(db), XC_INVALID_ARGUMENT);
    ck_assert_int_eq(xc_database_commit(db), XC_INVALID_ARGUMENT);
    xc_document_destroy(doc);
    xc_database_close(db);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Suite                                                               */
/* ------------------------------------------------------------------ */

static void
add_case(Suite *s, const char *name, const TTest *test)
{
    TCase *tc = tcase_create(name);
    tcase_add_unchecked_fixture(tc, setup_tmpdir, teardown_tmpdir);
    tcase_add_test(tc, test);
    suite_add_tcase(s, tc);
}

static Suite *
make_suite(void)
{
    Suite *s = suite_create("xapian-c");
    add_case(s, "status_strings", test_status_strings);
    add_case(s, "null_handles", test_null_handles);
    add_case(s, "document_api", test_document_api);
    add_case(s, "sortable", test_sortable);
    add_case(s, "write_reopen", test_write_reopen);
    add_case(s, "read_documents", test_read_documents);
    add_case(s, "modify_documents", test_modify_documents);
    add_case(s, "transactions", test_transactions);
    add_case(s, "metadata", test_metadata);
    add_case(s, "stub_database", test_stub_database);
    add_case(s, "add_database", test_add_database);
    add_case(s, "database_group", test_database_group);
    add_case(s, "stemmer_callback", test_stemmer_callback);
    add_case(s, "stemmer_builtin", test_stemmer_builtin);
    add_case(s, "termgen_stem_some", test_termgen_stem_some);
    add_case(s, "query_build", test_query_build);
    add_case(s, "qparser_fields", test_qparser_fields);
    add_case(s, "qparser_default_op", test_qparser_default_op);
    add_case(s, "qparser_wildcard", test_qparser_wildcard);
    add_case(s, "qparser_stem_stop", test_qparser_stem_stop);
    add_case(s, "qparser_syntax_error", test_qparser_syntax_error);
    add_case(s, "mset_iteration", test_mset_iteration);
    add_case(s, "weighting_and_sort", test_weighting_and_sort);
    add_case(s, "weighting_schemes", test_weighting_schemes);
    add_case(s, "weighting_invalid", test_weighting_invalid);
    add_case(s, "collapse_key", test_collapse_key);
    add_case(s, "matching_terms", test_matching_terms);
    add_case(s, "term_in", test_term_in);
    add_case(s, "eset", test_eset);
    add_case(s, "matchspies", test_matchspies);
    add_case(s, "remote_prog", test_remote_prog);
    add_case(s, "remote_tcp_refused", test_remote_tcp_refused);
    add_case(s, "error_missing", test_error_missing);
    add_case(s, "error_locked", test_error_locked);
    add_case(s, "error_corrupt", test_error_corrupt);
    add_case(s, "error_readonly", test_error_readonly);
    return s;
}

PX_CHECK_MAIN(make_suite)
