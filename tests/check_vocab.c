/*
 * check_vocab.c — the vocabulary of unstemmed words and wildcards
 * (vocab.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_main.h"
#include "passim/schema.h"
#include "passim/vocab.h"

static char dir[] = "/tmp/passim-vocab-XXXXXX";

static void
make_dir(void)
{
    px_check_mkdtemp(dir, "/tmp/passim-vocab-XXXXXX");
}

static void
remove_dir(void)
{
    px_check_rmtree(dir);
}

static void
words_of(const char *text, px_words *w)
{
    px_words_builder *b = px_words_builder_create();
    ck_assert_ptr_nonnull(b);
    ck_assert_int_eq(px_words_builder_add(b, text, strlen(text)), PX_OK);
    ck_assert_int_eq(px_words_finish(b, w), PX_OK);
    px_words_builder_destroy(b);
}

START_TEST(words_sorted_distinct_folded)
{
    px_words w;
    words_of("Negotiations, negotiating; NEGOTIATIONS and talks.", &w);
    ck_assert_uint_eq(w.n, 4);
    const char *want[] = {"and", "negotiating", "negotiations", "talks"};
    const char *p = w.buf;
    for (size_t i = 0; i < 4; i++) {
        ck_assert_str_eq(p, want[i]);
        p += strlen(p) + 1;
    }
    ck_assert_uint_eq((size_t)(p - w.buf), w.len);
    px_words_clear(&w);
    words_of("", &w);
    ck_assert_uint_eq(w.n, 0);
    px_words_clear(&w);
}
END_TEST

static void
rewrites(const char *query, const char *want)
{
    char *out = NULL;
    ck_assert_int_eq(px_vocab_rewrite(query, &out), PX_OK);
    if (!want)
        ck_assert_msg(out == NULL, "%s -> %s", query, out);
    else
        ck_assert_msg(out && strcmp(out, want) == 0, "%s -> %s", query,
                      out ? out : "(unchanged)");
    free(out);
}

START_TEST(rewrite_wildcards)
{
    rewrites("negotiat*", "pxwild:negotiat");
    rewrites("wind negotiat* NOT (port*)", "wind pxwild:negotiat NOT "
                                           "(pxwild:port)");
    rewrites("title:wind* path:energ*", "pxwildtitle:wind pxwildpath:energ");
    rewrites("\"wind farm*\" turb*", "\"wind farm*\" pxwild:turb");
    rewrites("person:jo* x", NULL); /* not a field with stems */
    rewrites("a*b wind", NULL);     /* not a trailing wildcard */
    rewrites("* wind", NULL);
    rewrites("plain words", NULL);
    /* NEAR and ADJ take single terms: beside a wildcard they are AND. */
    rewrites("zimb* NEAR blair", "pxwild:zimb AND blair");
    rewrites("blair NEAR/3 (zimb*)", "blair AND (pxwild:zimb)");
    rewrites("a ADJ/2 b* ADJ c", "a AND pxwild:b AND c");
    rewrites("a NEAR b", NULL);
    rewrites("\"x* NEAR y\" z", NULL);
    rewrites("NEARLY x*", "NEARLY pxwild:x");
}
END_TEST

static xc_database *
writable(const char *name)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    xc_database *db = NULL;
    ck_assert_int_eq(xc_database_open_writable(path, &db, NULL), XC_OK);
    return db;
}

static void
add_words(xc_database *db, px_vocab *v, const char *text)
{
    px_words w;
    words_of(text, &w);
    ck_assert_int_eq(px_vocab_add(v, db, &w, NULL, NULL), PX_OK);
    px_words_clear(&w);
}

typedef struct stems {
    char buf[512];
    int n;
} stems;

static int
add_stem(void *ctx, const char *stem, size_t len)
{
    stems *s = ctx;
    snprintf(s->buf + strlen(s->buf), sizeof s->buf - strlen(s->buf), "%.*s ",
             (int)len, stem);
    s->n++;
    return 0;
}

static void
expands(xc_database *db, const char *pattern, const char *want, int n)
{
    px_stemmer *st = NULL;
    ck_assert_int_eq(px_stemmer_create(PX_LANGUAGE, &st), PX_OK);
    stems s = {"", 0};
    ck_assert_int_eq(px_vocab_expand(db, st, pattern, strlen(pattern),
                                     add_stem, &s), PX_OK);
    ck_assert_msg(strcmp(s.buf, want) == 0 && s.n == n, "%s -> '%s'",
                  pattern, s.buf);
    px_stemmer_destroy(st);
}

START_TEST(words_stored_once_and_expanded)
{
    make_dir();
    xc_database *db = writable("one");
    px_vocab *v = NULL;
    ck_assert_int_eq(px_vocab_create(db, &v), PX_OK);
    add_words(db, v, "Negotiations resumed; negotiating goes on.");
    add_words(db, v, "They negotiate. Talks resumed.");
    ck_assert_int_eq(xc_database_commit(db), XC_OK);
    px_vocab_destroy(v);
    /* A writer on a database that has a vocabulary asks it first. */
    ck_assert_int_eq(px_vocab_create(db, &v), PX_OK);
    add_words(db, v, "negotiate again");
    px_vocab_forget(v);
    add_words(db, v, "again");
    ck_assert_int_eq(xc_database_commit(db), XC_OK);
    /* Three words, one stem: expanded once. */
    expands(db, "negotiat", "negoti ", 1);
    expands(db, "resum", "resum ", 1);
    expands(db, "again", "again ", 1);
    expands(db, "zzz", "", 0);
    px_vocab_destroy(v);
    xc_database_close(db);
    remove_dir();
}
END_TEST

START_TEST(group_expands_every_member)
{
    make_dir();
    xc_database *a = writable("a"), *b = writable("b");
    px_vocab *va = NULL, *vb = NULL;
    ck_assert_int_eq(px_vocab_create(a, &va), PX_OK);
    ck_assert_int_eq(px_vocab_create(b, &vb), PX_OK);
    add_words(a, va, "graphics");
    add_words(b, vb, "graph graphing grapes");
    px_vocab_destroy(va);
    px_vocab_destroy(vb);
    xc_database_close(a);
    xc_database_close(b);
    char pa[256], pb[256];
    snprintf(pa, sizeof pa, "%s/a", dir);
    snprintf(pb, sizeof pb, "%s/b", dir);
    xc_database *g = NULL, *ra = NULL, *rb = NULL;
    ck_assert_int_eq(xc_database_create_group(&g, NULL), XC_OK);
    ck_assert_int_eq(xc_database_open(pa, &ra, NULL), XC_OK);
    ck_assert_int_eq(xc_database_open(pb, &rb, NULL), XC_OK);
    ck_assert_int_eq(xc_database_add(g, ra), XC_OK);
    ck_assert_int_eq(xc_database_add(g, rb), XC_OK);
    /* Xapian alone would read the first member's keys only. */
    expands(g, "graph", "graph graphic ", 2);
    expands(g, "grape", "grape ", 1);
    xc_database_close(ra);
    xc_database_close(rb);
    xc_database_close(g);
    remove_dir();
}
END_TEST

static Suite *
make_suite(void)
{
    const px_check_case cases[] = {
        {"words_sorted_distinct_folded", words_sorted_distinct_folded},
        {"rewrite_wildcards", rewrite_wildcards},
        {"words_stored_once_and_expanded", words_stored_once_and_expanded},
        {"group_expands_every_member", group_expands_every_member},
    };
    return px_check_suite("vocab", cases, sizeof cases / sizeof cases[0]);
}

PX_CHECK_MAIN(make_suite)
