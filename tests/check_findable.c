/*
 * check_findable.c — a word indexed is found by typing it.
 *
 * Indexes corpus/ with the real writer, then takes every distinct word of
 * every article (as the tokenizer finds it in the parsed text: the form a
 * reader sees and types) and queries it through passim's query parser as
 * typed, in lower case and capitalised, and a word with accents also
 * without them ("resume" for "résumé"). Each must find at least one
 * passage. This holds the indexer's and the query parser's tokenizing and
 * stemming to the same rules.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#include "check_main.h"
#include "passim/crawl.h"
#include "passim/article.h"
#include "passim/schema.h"
#include "passim/token.h"
#include "passim/writer.h"

/* A found file's stat, as the pipeline gives it to the writer. */
static const struct stat *
stat_of(const px_found *f)
{
    static struct stat st;
    px_found_stat(f, &st);
    return &st;
}

#define CORPUS "../corpus"

static char dir[] = "/tmp/passim-findable-XXXXXX";
static char dbpath[128];

typedef struct words {
    char **w;
    size_t n, cap;
} words;

static void
add_word(words *ws, const char *s, size_t len)
{
    for (size_t i = 0; i < ws->n; i++) {
        if (strlen(ws->w[i]) == len && memcmp(ws->w[i], s, len) == 0)
            return;
    }
    if (ws->n == ws->cap) {
        ws->cap = ws->cap ? ws->cap * 2 : 1024;
        ws->w = realloc(ws->w, ws->cap * sizeof *ws->w);
        ck_assert_ptr_nonnull(ws->w);
    }
    ws->w[ws->n] = strndup(s, len);
    ck_assert_ptr_nonnull(ws->w[ws->n]);
    ws->n++;
}

typedef struct tok_ctx {
    words *ws;
    const char *text;
} tok_ctx;

static int
on_word(void *ctx, size_t start, size_t end, const char *folded,
        size_t folded_len)
{
    (void)folded;
    (void)folded_len;
    tok_ctx *t = ctx;
    add_word(t->ws, t->text + start, end - start);
    return 0;
}

static void
words_of_file(const char *path, words *ws)
{
    FILE *f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    static char buf[1 << 20];
    size_t len = fread(buf, 1, sizeof buf, f);
    fclose(f);
    px_article *a;
    ck_assert_int_eq(px_article_parse(buf, len, px_article_format_of(path), &a),
                     PX_OK);
    tok_ctx t = {ws, px_article_title(a)};
    px_token_each(t.text, strlen(t.text), on_word, &t);
    for (size_t i = 0; i < px_article_block_count(a); i++) {
        const px_block *b = px_article_block(a, i);
        t.text = b->text;
        px_token_each(b->text, b->len, on_word, &t);
    }
    px_article_destroy(a);
}

static void
warn(void *ctx, const char *path, const char *message)
{
    (void)ctx;
    ck_abort_msg("crawl: %s: %s", path, message);
}

static void
setup(void)
{
    px_check_mkdtemp(dir, "/tmp/passim-findable-XXXXXX");
    snprintf(dbpath, sizeof dbpath, "%s/db", dir);
}

static void
teardown(void)
{
    px_check_rmtree(dir);
}

static void
index_corpus(px_found_list *found)
{
    px_writer_opts opts = {100, 1u << 26, 1ull << 28, 0, 1};
    px_writer *w;
    char *err = NULL;
    ck_assert_int_eq(px_writer_open(dbpath, &opts, &w, &err), PX_OK);
    char *root = realpath(CORPUS, NULL);
    ck_assert_ptr_nonnull(root);
    ck_assert_int_eq(px_crawl(root, found, warn, NULL), PX_OK);
    free(root);
    ck_assert_uint_ge(found->count, 25);
    for (size_t i = 0; i < found->count; i++) {
        px_outcome oc;
        char *msg = NULL;
        ck_assert_int_eq(px_writer_update(w, found->items[i].path,
                                          stat_of(&found->items[i]), &oc, &msg),
                         PX_OK);
        ck_assert_msg(oc == PX_OUTCOME_INDEXED, "%s: %s",
                      found->items[i].path, msg ? msg : "not indexed");
        free(msg);
    }
    ck_assert_int_eq(px_writer_close(w), PX_OK);
}

/* How many passages the query finds. */
static uint32_t
hits(xc_database *db, xc_qparser *qp, const char *text)
{
    xc_query *q = NULL;
    xc_enquire *enq = NULL;
    xc_mset *mset = NULL;
    ck_assert_msg(xc_qparser_parse(qp, text, XC_FLAG_DEFAULT | XC_FLAG_WILDCARD,
                                   NULL, &q) == XC_OK,
                  "'%s' does not parse: %s", text, xc_qparser_last_error(qp));
    ck_assert_int_eq(xc_enquire_create(db, &enq, NULL), XC_OK);
    ck_assert_int_eq(xc_enquire_set_query(enq, q, 0), XC_OK);
    ck_assert_int_eq(xc_enquire_get_mset(enq, 0, 1, 0, &mset), XC_OK);
    uint32_t n = xc_mset_size(mset);
    xc_mset_destroy(mset);
    xc_enquire_destroy(enq);
    xc_query_destroy(q);
    return n;
}

static void
lower_ascii(char *s)
{
    for (; *s; s++)
        *s = (char)tolower((unsigned char)*s);
}

START_TEST(every_word_is_found)
{
    px_found_list found = {0};
    index_corpus(&found);
    words ws = {0};
    for (size_t i = 0; i < found.count; i++)
        words_of_file(found.items[i].path, &ws);
    px_found_list_free(&found);
    ck_assert_uint_gt(ws.n, 2000);

    xc_database *db;
    xc_qparser *qp;
    ck_assert_int_eq(xc_database_open(dbpath, &db, NULL), XC_OK);
    ck_assert_int_eq(px_schema_qparser(db, NULL, &qp), PX_OK);
    size_t accented = 0;
    for (size_t i = 0; i < ws.n; i++) {
        char *typed = ws.w[i];
        char *folded;
        size_t flen;
        ck_assert_int_eq(px_token_fold(typed, strlen(typed), &folded, &flen),
                         PX_OK);
        char *capital = strdup(folded);
        capital[0] = (char)toupper((unsigned char)capital[0]);
        ck_assert_msg(hits(db, qp, typed) > 0, "'%s' as typed: not found",
                      typed);
        ck_assert_msg(hits(db, qp, folded) > 0, "'%s' (from '%s'): not found",
                      folded, typed);
        ck_assert_msg(hits(db, qp, capital) > 0, "'%s' (from '%s'): not found",
                      capital, typed);
        lower_ascii(capital);
        free(capital);
        utf8proc_uint8_t *plain = NULL;
        if (utf8proc_map((const utf8proc_uint8_t *)folded,
                         (utf8proc_ssize_t)flen, &plain,
                         UTF8PROC_STABLE | UTF8PROC_COMPOSE |
                             UTF8PROC_STRIPMARK) >= 0 &&
            strcmp((char *)plain, folded) != 0) {
            ck_assert_msg(hits(db, qp, (char *)plain) > 0,
                          "'%s' (from '%s', without accents): not found",
                          (char *)plain, typed);
            accented++;
        }
        free(plain);
        free(folded);
        free(typed);
    }
    /* corpus/ has accented names and words (São Paulo, Inês, Zürich). */
    ck_assert_uint_gt(accented, 10);
    free(ws.w);
    xc_qparser_destroy(qp);
    xc_database_close(db);
}
END_TEST

static Suite *
make_suite(void)
{
    Suite *s = suite_create("findable");
    TCase *t = tcase_create("corpus");
    tcase_add_checked_fixture(t, setup, teardown);
    tcase_set_timeout(t, 300);
    tcase_add_test(t, every_word_is_found);
    suite_add_tcase(s, t);
    return s;
}

PX_CHECK_MAIN(make_suite)
