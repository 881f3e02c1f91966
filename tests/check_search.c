/*
 * check_search.c — libpassim's search (passim.h) on an index of corpus/
 * and three posts, made by the real passim-index ($PASSIM_INDEX).
 *
 * The figures are not written here: each test checks the index against
 * itself (a facet's count against the filter on its value, pages against
 * the whole list, an article against its hits).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_main.h"
#include "passim.h"

static char dir[64];
static char db[96];

static void
write_file(const char *rel, const char *text)
{
    char path[256], cmd[320];
    snprintf(path, sizeof path, "%s/docs/%s", dir, rel);
    snprintf(cmd, sizeof cmd, "mkdir -p \"$(dirname '%s')\"", path);
    ck_assert_int_eq(system(cmd), 0);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    ck_assert_int_eq(fclose(f), 0);
}

static void
index_docs(void)
{
    char cmd[512];
    const char *bin = getenv("PASSIM_INDEX");
    ck_assert_msg(bin != NULL, "PASSIM_INDEX is not set");
    snprintf(cmd, sizeof cmd, "'%s' --quiet --db '%s' corpus '%s/docs'", bin,
             db, dir);
    ck_assert_int_eq(system(cmd), 0);
}

static void
setup(void)
{
    px_check_mkdtemp(dir, "/tmp/passim-search-XXXXXX");
    snprintf(db, sizeof db, "%s/db", dir);
    write_file("news/1", "From: Jane Doe <jdoe@example.edu>\n"
                         "Subject: Harbour dredging\n\n"
                         "The harbour needs dredging before winter.\n");
    write_file("news/2", "From: jdoe@example.edu (Jane Doe)\n"
                         "Subject: Re: Harbour dredging\n\n"
                         "> The harbour needs dredging.\n\n"
                         "The port authority agrees on the harbour.\n");
    write_file("news/3", "From: Bob Smith <bob@example.com>\n"
                         "Subject: Ferries\n\n"
                         "Harbour ferries run late again.\n");
    index_docs();
}

static void
teardown(void)
{
    px_check_rmtree(dir);
}

static px_index *
open_index(void)
{
    px_index *ix = NULL;
    char *err = NULL;
    const char *name = db;
    ck_assert_int_eq(px_index_open(&name, 1, NULL, &ix, &err), PX_OK);
    ck_assert_ptr_null(err);
    ck_assert_uint_ge(px_index_shards(ix), 1); /* its shards: --shards auto */
    return ix;
}

static px_results *
search(px_index *ix, const px_request *rq)
{
    px_results *r = NULL;
    char *err = NULL;
    px_status rc = px_search(ix, rq, &r, &err);
    ck_assert_msg(rc == PX_OK, "search %s: %s", rq->query, err ? err : "?");
    ck_assert_ptr_nonnull(r);
    return r;
}

static size_t
articles_with(px_index *ix, const char *query, const char *field,
              const char *value, int negated)
{
    px_filter f = {field, value, negated};
    px_request rq = {.query = query, .filters = &f, .nfilters = 1,
                     .limit = 1000, .per_article = 1};
    px_results *r = search(ix, &rq);
    size_t n = r->narticles;
    px_results_free(r);
    return n;
}

/* Every value of every facet, as a filter, finds at least the articles
 * the facet counts (a surname may also find the full name), and with the
 * filter negated exactly the others. */
START_TEST(facet_values_filter_to_their_counts)
{
    static const char *const fields[PX_ENT_TYPES] = {
        "person", "place", "org", "misc", "date", "author"};
    px_index *ix = open_index();
    px_request rq = {.query = "the OR harbour", .limit = 1000,
                     .per_article = 1, .facets = 1000};
    px_results *all = search(ix, &rq);
    ck_assert(all->have_facets);
    ck_assert(all->facets.exact);
    ck_assert_uint_gt(all->narticles, 20);
    size_t checked = 0;
    for (int t = 0; t < PX_ENT_TYPES; t++) {
        ck_assert_msg(all->facets.count[t] > 0, "no %s facet", fields[t]);
        for (size_t i = 0; i < all->facets.count[t]; i++) {
            const px_facet_value *v = &all->facets.values[t][i];
            size_t with = articles_with(ix, rq.query, fields[t], v->value, 0);
            size_t without =
                articles_with(ix, rq.query, fields[t], v->value, 1);
            ck_assert_msg(with >= v->count, "%s:%s: %zu articles, facet %u",
                          fields[t], v->value, with, v->count);
            ck_assert_uint_eq(with + without, all->narticles);
            checked++;
        }
    }
    ck_assert_uint_gt(checked, 30);
    /* The authors are the posts' From: lines, by display name. */
    ck_assert_uint_eq(articles_with(ix, rq.query, "author", "Jane Doe", 0),
                      2);
    ck_assert_uint_eq(articles_with(ix, rq.query, "author", "Doe", 0), 2);
    ck_assert_uint_eq(articles_with(ix, rq.query, "person", "Jane Doe", 0),
                      0);
    px_results_free(all);
    px_index_close(ix);
}
END_TEST

/* Pages of three articles, one after the other, are the whole list. */
START_TEST(pages_make_the_whole_list)
{
    px_index *ix = open_index();
    px_request rq = {.query = "harbour OR port OR strike", .limit = 1000,
                     .per_article = 1};
    px_results *all = search(ix, &rq);
    ck_assert_uint_gt(all->narticles, 6);
    size_t seen = 0;
    for (uint32_t off = 0; off < all->narticles + 3; off += 3) {
        rq.limit = 3;
        rq.offset = off;
        px_results *page = search(ix, &rq);
        ck_assert_uint_le(page->narticles, 3);
        for (size_t i = 0; i < page->nhits; i++, seen++) {
            ck_assert_str_eq(page->hits[i].article, all->hits[seen].article);
            ck_assert_uint_eq(page->hits[i].article_rank + off,
                              all->hits[seen].article_rank);
        }
        px_results_free(page);
    }
    ck_assert_uint_eq(seen, all->nhits);
    px_results_free(all);
    px_index_close(ix);
}
END_TEST

/* An article by its id: every passage in order, the hits' among them. */
START_TEST(article_by_id)
{
    px_index *ix = open_index();
    px_request rq = {.query = "flood", .limit = 5, .per_article = 3};
    px_results *r = search(ix, &rq);
    ck_assert_uint_gt(r->nhits, 0);
    for (size_t i = 0; i < r->nhits; i++) {
        const px_hit *h = &r->hits[i];
        px_article_view *a = NULL;
        char *err = NULL;
        ck_assert_int_eq(px_article_get(ix, h->article, &a, &err), PX_OK);
        ck_assert_str_eq(a->id, h->article);
        ck_assert_str_eq(a->path, h->path);
        ck_assert_str_eq(a->title, h->title);
        ck_assert_str_eq(a->date, h->date);
        ck_assert_int_eq(a->file_dated, h->file_dated);
        ck_assert_uint_gt(a->npassages, h->number);
        for (size_t k = 0; k < a->npassages; k++)
            ck_assert_uint_eq(a->passages[k].number, k);
        const px_passage_view *p = &a->passages[h->number];
        ck_assert_uint_eq(p->text_len, h->text_len);
        ck_assert(memcmp(p->text, h->text, h->text_len) == 0);
        ck_assert_uint_eq(p->nmentions, h->nmentions);
        px_article_view_free(a);
    }
    px_results_free(r);
    px_article_view *a = NULL;
    char *err = NULL;
    ck_assert_int_eq(px_article_get(ix, "0123456789abcdef", &a, &err),
                     PX_NOT_FOUND);
    ck_assert_ptr_null(a);
    ck_assert_ptr_nonnull(err);
    free(err);
    ck_assert_int_eq(px_article_get(ix, "../../etc/passwd", &a, &err),
                     PX_INVALID_ARGUMENT);
    free(err);
    px_index_close(ix);
}
END_TEST

static void
assert_fails(px_index *ix, const px_request *rq, px_status want)
{
    px_results *r = NULL;
    char *err = NULL;
    ck_assert_int_eq(px_search(ix, rq, &r, &err), want);
    ck_assert_ptr_null(r);
    ck_assert_ptr_nonnull(err);
    ck_assert_ptr_null(strchr(err, '\n'));
    free(err);
}

/* Bad requests fail with a one-line reason and no results. */
START_TEST(bad_requests_explained)
{
    px_index *ix = open_index();
    /* (A bracket left open is read leniently, as words.) */
    px_request rq = {.query = "harbour published:2025..2024"};
    assert_fails(ix, &rq, PX_QUERY_SYNTAX);
    rq.query = "harbour date:2024-02-30";
    assert_fails(ix, &rq, PX_QUERY_SYNTAX);
    rq.query = "harbour";
    rq.rank = "k1=bad";
    assert_fails(ix, &rq, PX_INVALID_ARGUMENT);
    rq.rank = NULL;
    px_filter f = {"colour", "red", 0};
    rq.filters = &f;
    rq.nfilters = 1;
    assert_fails(ix, &rq, PX_INVALID_ARGUMENT);
    f = (px_filter){"person", "say \"hi\"", 0};
    assert_fails(ix, &rq, PX_INVALID_ARGUMENT);
    ck_assert_int_eq(px_rank_check("coverage=0.3,k1=1.2", NULL), PX_OK);
    /* The index still serves a good request after them. */
    rq.nfilters = 0;
    px_results *r = search(ix, &rq);
    ck_assert_uint_gt(r->nhits, 0);
    px_results_free(r);
    px_index_close(ix);
}
END_TEST

/* What a writer commits while the index is open shows in its next
 * search; an article it removes goes. */
START_TEST(writes_under_an_open_index)
{
    px_index *ix = open_index();
    px_request rq = {.query = "zyxwordnew"};
    px_results *r = NULL;
    char *err = NULL;
    ck_assert_int_eq(px_search(ix, &rq, &r, &err), PX_OK);
    ck_assert_uint_eq(r->nhits, 0);
    px_results_free(r);
    write_file("late.txt", "Late\n\nThe zyxwordnew arrives late.\n");
    index_docs();
    r = search(ix, &rq);
    ck_assert_uint_eq(r->narticles, 1);
    px_results_free(r);
    char path[128];
    snprintf(path, sizeof path, "%s/docs/late.txt", dir);
    ck_assert_int_eq(unlink(path), 0);
    index_docs();
    r = search(ix, &rq);
    ck_assert_uint_eq(r->nhits, 0);
    px_results_free(r);
    px_index_close(ix);
}
END_TEST

/* A database that cannot be opened: reported, and searching fails with
 * its name unless partial results are allowed. */
START_TEST(a_missing_database)
{
    char missing[128];
    snprintf(missing, sizeof missing, "%s/nothing-here", dir);
    const char *names[2] = {db, missing};
    px_index *ix = NULL;
    char *err = NULL;
    ck_assert_int_eq(px_index_open(names, 2, NULL, &ix, &err), PX_OK);
    const char *name, *why;
    size_t last = px_index_shards(ix) - 1;
    ck_assert(px_index_shard(ix, 0, &name, &why));
    ck_assert_ptr_null(why);
    ck_assert(px_index_shard(ix, last, &name, &why));
    ck_assert_str_eq(name, missing);
    ck_assert_ptr_nonnull(why);
    ck_assert(!px_index_shard(ix, last + 1, &name, &why));
    px_request rq = {.query = "harbour"};
    assert_fails(ix, &rq, PX_XAPIAN);
    px_index_close(ix);
    px_index_opts o = {0, 1};
    ck_assert_int_eq(px_index_open(names, 2, &o, &ix, &err), PX_OK);
    px_results *r = search(ix, &rq);
    ck_assert_uint_gt(r->nhits, 0);
    ck_assert_uint_eq(r->nfailed, 1);
    ck_assert_str_eq(r->failed[0].name, missing);
    px_results_free(r);
    px_index_close(ix);
}
END_TEST

int
main(void)
{
    const px_check_case cases[] = {
        {"facet_values_filter_to_their_counts",
         facet_values_filter_to_their_counts},
        {"pages_make_the_whole_list", pages_make_the_whole_list},
        {"article_by_id", article_by_id},
        {"bad_requests_explained", bad_requests_explained},
        {"writes_under_an_open_index", writes_under_an_open_index},
        {"a_missing_database", a_missing_database},
    };
    Suite *s = suite_create("search");
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        TCase *tc = tcase_create(cases[i].name);
        tcase_add_checked_fixture(tc, setup, teardown);
        tcase_add_test(tc, cases[i].test);
        suite_add_tcase(s, tc);
    }
    return px_check_run(s);
}
