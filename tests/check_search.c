/*
 * check_search.c — libpassim's search (passim.h) on an index of corpus/
 * and three posts, made by the real passim-index ($PASSIM_INDEX).
 *
 * The figures are not written here: each test checks the index against
 * itself (a facet's count against the filter on its value, pages against
 * the whole list, an article against its hits).
 */
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check_main.h"
#include "passim.h"
#include "xapian-c.h"

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

/* The folder only, for tests that build databases of their own. */
static void
setup_dir(void)
{
    px_check_mkdtemp(dir, "/tmp/passim-search-XXXXXX");
    snprintf(db, sizeof db, "%s/db", dir);
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
            ck_assert_uint_eq(page->hits[i].article_rank,
                              all->hits[seen].article_rank);
        }
        px_results_free(page);
    }
    ck_assert_uint_eq(seen, all->nhits);
    px_results_free(all);
    px_index_close(ix);
}
END_TEST

/* Each article keeps its best passages, and its rank, on a page of any
 * size: one passage of each names the tide three times, another once
 * among many words, so the short page's result set is cut between an
 * article's two passages. */
START_TEST(pages_keep_each_articles_passages)
{
    for (int i = 0; i < 6; i++) {
        /* Passages of at least PX_PASSAGE_MIN_LEN bytes each. */
        const char *more = "Boats, nets, gulls, ropes, oars, buoys, masts, "
                           "sails, decks, hulls, keels, anchors, cranes, "
                           "quays, piers, slipways, winches, cleats, ";
        char rel[32], text[2048];
        snprintf(rel, sizeof rel, "tides/%d.txt", i);
        snprintf(text, sizeof text,
                 "Table %d\n\nThe tide, the tide and the tide%s. %s%s"
                 "and a harbour.\n\n%s%s and one tide %s.\n",
                 i, i % 2 ? " again" : "", more, more, more, more,
                 i % 3 ? "today" : "at dusk");
        write_file(rel, text);
    }
    index_docs();
    px_index *ix = open_index();
    px_request rq = {.query = "tide", .limit = 100, .per_article = 2};
    px_results *all = search(ix, &rq);
    ck_assert_uint_eq(all->narticles, 6);
    ck_assert_uint_eq(all->nhits, 12);
    for (uint32_t limit = 1; limit <= 3; limit++) {
        for (uint32_t off = 0; off + limit <= 6; off += limit) {
            rq.limit = limit;
            rq.offset = off;
            px_results *page = search(ix, &rq);
            ck_assert_uint_eq(page->narticles, limit);
            ck_assert_uint_eq(page->nhits, 2 * limit);
            for (size_t i = 0; i < page->nhits; i++) {
                const px_hit *got = &page->hits[i], *want = &all->hits[2 * off + i];
                ck_assert_str_eq(got->article, want->article);
                ck_assert_uint_eq(got->number, want->number);
                ck_assert_uint_eq(got->article_rank, want->article_rank);
                ck_assert_double_eq_tol(got->score, want->score, 1e-9);
            }
            px_results_free(page);
        }
    }
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

/* The articles `type` counts for `value` in the facets of `query`. */
static uint32_t
facet_count(px_index *ix, const char *query, int type, const char *value)
{
    px_request rq = {.query = query, .facets = 20};
    px_results *r = search(ix, &rq);
    uint32_t n = 0;
    ck_assert(r->have_facets);
    for (size_t i = 0; i < r->facets.count[type]; i++)
        if (strcmp(r->facets.values[type][i].value, value) == 0)
            n = r->facets.values[type][i].count;
    px_results_free(r);
    return n;
}

static void
write_kestrel(const char *name, int person)
{
    write_file(name, person ? "Visit\n\nMr Kestrel met the minister in "
                              "Lisbon. Mr Kestrel said the talks went "
                              "well.\n"
                            : "Profits\n\nShares of Kestrel rose after "
                              "Kestrel reported profits. Kestrel employs "
                              "4,000 people.\n");
}

/* A long-lived index keeps the collection's votes on name types between
 * searches (vote_cache.h), and forgets them when a writer commits: a name
 * that two articles file under people and one under organisations is a
 * person, until two more articles file it under organisations. */
START_TEST(name_types_follow_commits_under_an_open_index)
{
    write_kestrel("k/p1", 1);
    write_kestrel("k/p2", 1);
    write_kestrel("k/o1", 0);
    index_docs();
    px_index *ix = open_index();
    ck_assert_uint_eq(facet_count(ix, "Kestrel", PX_ENT_PER, "Kestrel"), 3);
    ck_assert_uint_eq(facet_count(ix, "Kestrel", PX_ENT_PER, "Kestrel"), 3);
    write_kestrel("k/o2", 0);
    write_kestrel("k/o3", 0);
    index_docs();
    ck_assert_uint_eq(facet_count(ix, "Kestrel", PX_ENT_ORG, "Kestrel"), 5);
    ck_assert_uint_eq(facet_count(ix, "Kestrel", PX_ENT_PER, "Kestrel"), 0);
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

/* A database of its own at dir/NAME, plain (--shards 1), of the folder
 * `docs` (relative to the source root, or absolute). */
static void
build_db(const char *name, const char *docs, char *out, size_t size)
{
    char cmd[768];
    const char *bin = getenv("PASSIM_INDEX");
    ck_assert_msg(bin != NULL, "PASSIM_INDEX is not set");
    snprintf(out, size, "%s/%s", dir, name);
    snprintf(cmd, sizeof cmd, "'%s' --quiet --shards 1 --db '%s' '%s'", bin,
             out, docs);
    ck_assert_int_eq(system(cmd), 0);
}

/* dir/docs-NAME/FILE with `text`; the folder's path in out. */
static void
write_doc(const char *name, const char *file, const char *text, char *out,
          size_t size)
{
    char rel[128];
    snprintf(rel, sizeof rel, "../docs-%s/%s", name, file);
    write_file(rel, text); /* write_file writes under dir/docs */
    snprintf(out, size, "%s/docs-%s", dir, name);
}

static px_index *
open_names(const char *const *names, size_t n, int allow_partial)
{
    px_index_opts o = {0, allow_partial};
    px_index *ix = NULL;
    char *err = NULL;
    ck_assert_int_eq(px_index_open(names, n, &o, &ix, &err), PX_OK);
    ck_assert_ptr_null(err);
    ck_assert_uint_eq(px_index_shards(ix), n);
    return ix;
}

/* How many articles `query` finds in the database at `path` alone. */
static size_t
articles_in(const char *path, const char *query)
{
    px_index *ix = open_names(&path, 1, 0);
    px_request rq = {.query = query, .limit = 1000, .per_article = 1};
    px_results *r = search(ix, &rq);
    size_t n = r->narticles;
    px_results_free(r);
    px_index_close(ix);
    return n;
}

/* Overwrite every file of the database folder `db` in place with a byte
 * pattern, keeping their inodes and sizes: what a reader has open reads
 * as garbage from then on. */
static void
damage_in_place(const char *folder)
{
    static const char *const files[] = {"iamglass", "postlist.glass",
                                        "termlist.glass", "docdata.glass",
                                        "position.glass"};
    char path[256], junk[4096];
    memset(junk, 0xa5, sizeof junk);
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        snprintf(path, sizeof path, "%s/%s", folder, files[i]);
        struct stat st;
        if (stat(path, &st) != 0)
            continue;
        int fd = open(path, O_WRONLY);
        ck_assert_int_ge(fd, 0);
        for (off_t done = 0; done < st.st_size;) {
            size_t n = (size_t)(st.st_size - done) < sizeof junk
                           ? (size_t)(st.st_size - done)
                           : sizeof junk;
            ck_assert_int_eq(write(fd, junk, n), (ssize_t)n);
            done += (off_t)n;
        }
        ck_assert_int_eq(close(fd), 0);
    }
}

static int
under(const char *path, const char *folder)
{
    size_t n = strlen(folder);
    return strncmp(path, folder, n) == 0 && path[n] == '/';
}

/* Two databases, one large (the corpus) and one small (three articles
 * of its own), opened as one index: the large one is damaged after the
 * open and before the first search. With allow_partial the search gives
 * the small one's articles, exactly, and names the large one as failed.
 * (Without allow_partial, and with the folder removed rather than
 * damaged, the library falls short today: reported with the tests,
 * which are not in this suite yet.) */
START_TEST(dead_shard_left_out_with_allow_partial)
{
    char big[128], small[128], small_docs[128];
    build_db("big", "corpus", big, sizeof big);
    write_doc("small", "a.txt", "Quay\n\nThe harbour wall was mended.\n",
              small_docs, sizeof small_docs);
    write_doc("small", "b.txt", "Ferry\n\nThe harbour ferry sails at "
              "dawn.\n", small_docs, sizeof small_docs);
    write_doc("small", "c.txt", "Tide\n\nA high tide in the harbour.\n",
              small_docs, sizeof small_docs);
    build_db("small", small_docs, small, sizeof small);
    /* The large one has tables of more than one block, so a search reads
     * blocks the open did not (a one-block table is all in memory). */
    char postlist[160];
    struct stat st;
    snprintf(postlist, sizeof postlist, "%s/postlist.glass", big);
    ck_assert_int_eq(stat(postlist, &st), 0);
    ck_assert_int_gt(st.st_size, 8192);
    const char *query = "harbour";
    size_t in_small = articles_in(small, query);
    size_t in_big = articles_in(big, query);
    ck_assert_uint_eq(in_small, 3);
    ck_assert_uint_gt(in_big, 0);

    const char *names[2] = {big, small};
    px_index *ix = open_names(names, 2, 1);
    damage_in_place(big);
    px_request rq = {.query = query, .limit = 1000, .per_article = 1};
    for (int round = 0; round < 2; round++) {
        px_results *r = search(ix, &rq);
        ck_assert_uint_eq(r->narticles, in_small);
        for (size_t i = 0; i < r->nhits; i++)
            ck_assert_msg(under(r->hits[i].path, small_docs),
                          "a hit from the dead database: %s",
                          r->hits[i].path);
        ck_assert_uint_eq(r->nfailed, 1);
        ck_assert_str_eq(r->failed[0].name, big);
        ck_assert_ptr_nonnull(r->failed[0].why);
        ck_assert_ptr_null(strchr(r->failed[0].why, '\n'));
        px_results_free(r);
    }
    const char *name, *why;
    ck_assert(px_index_shard(ix, 0, &name, &why));
    ck_assert_str_eq(name, big);
    ck_assert_ptr_nonnull(why);
    ck_assert(px_index_shard(ix, 1, &name, &why));
    ck_assert_str_eq(name, small);
    ck_assert_ptr_null(why);
    px_index_close(ix);
}
END_TEST

static uint64_t
revision_of(const char *path)
{
    xc_database *x = NULL;
    uint64_t rev = 0;
    ck_assert_int_eq(xc_database_open(path, &x, NULL), XC_OK);
    ck_assert_int_eq(xc_database_revision(x, &rev), XC_OK);
    xc_database_close(x);
    return rev;
}

/* Articles `query` finds through ix, and whether one is under `folder`. */
static size_t
found_under(px_index *ix, const char *query, const char *folder,
            size_t *under_folder)
{
    px_request rq = {.query = query, .limit = 1000, .per_article = 1};
    px_results *r = search(ix, &rq);
    size_t n = r->narticles;
    *under_folder = 0;
    for (size_t i = 0; i < r->nhits; i++)
        *under_folder += under(r->hits[i].path, folder);
    ck_assert_uint_eq(r->nfailed, 0);
    px_results_free(r);
    return n;
}

/* Build dir/NAME from a folder of one article naming `word`, then `more`
 * runs that each add an article (and so a commit). */
static void
build_revisions(const char *name, const char *word, int more, char *out,
                size_t outsize, char *docs, size_t docsize)
{
    char text[160], file[32];
    snprintf(text, sizeof text, "Lamp\n\nThe lamp room keeps the %s.\n",
             word);
    write_doc(name, "lamp.txt", text, docs, docsize);
    build_db(name, docs, out, outsize);
    for (int i = 0; i < more; i++) {
        snprintf(file, sizeof file, "more%d.txt", i);
        snprintf(text, sizeof text, "More %d\n\nThe %s again, %d.\n", i,
                 word, i);
        write_doc(name, file, text, docs, docsize);
        build_db(name, docs, out, outsize);
    }
}

/* Swap the folder `fresh` in at `at` (the old one moved aside, kept, as a
 * deployment that renames a rebuilt database into place does). */
static void
swap_in(const char *fresh, const char *at)
{
    char aside[160];
    snprintf(aside, sizeof aside, "%s.old", at);
    ck_assert_int_eq(rename(at, aside), 0);
    ck_assert_int_eq(rename(fresh, at), 0);
}

/* A database rebuilt elsewhere and renamed over the one an open index
 * reads, at a later revision than it: the next search of the same index
 * finds the new content and not the old. (At the same revision the
 * library does not see the new one today: reported with its test, which
 * is not in this suite yet.) */
START_TEST(replaced_by_a_later_revision)
{
    char db1[128], db2[128], docs1[128], docs2[128];
    build_revisions("old", "oldlampword", 0, db1, sizeof db1, docs1,
                    sizeof docs1);
    build_revisions("new", "newlampword", 2, db2, sizeof db2, docs2,
                    sizeof docs2);
    ck_assert_uint_ne(revision_of(db1), revision_of(db2));
    const char *name = db1;
    px_index *ix = open_names(&name, 1, 0);
    size_t in_docs;
    ck_assert_uint_eq(found_under(ix, "oldlampword", docs1, &in_docs), 1);
    ck_assert_uint_eq(found_under(ix, "newlampword", docs2, &in_docs), 0);
    swap_in(db2, db1);
    ck_assert_uint_eq(found_under(ix, "newlampword", docs2, &in_docs), 3);
    ck_assert_uint_eq(in_docs, 3);
    ck_assert_uint_eq(found_under(ix, "oldlampword", docs1, &in_docs), 0);
    /* Both have a lamp.txt: the one found is the new one's. */
    ck_assert_uint_eq(found_under(ix, "lamp", docs2, &in_docs), 1);
    ck_assert_uint_eq(in_docs, 1);
    px_index_close(ix);
}
END_TEST

/* The same without allow_partial: the search fails, and its message
 * names the database that died. */
START_TEST(dead_shard_named_without_allow_partial)
{
    char big[128], small[128], small_docs[128];
    build_db("big", "corpus", big, sizeof big);
    write_doc("small", "a.txt", "Quay\n\nThe harbour wall was mended.\n",
              small_docs, sizeof small_docs);
    build_db("small", small_docs, small, sizeof small);
    const char *names[2] = {big, small};
    px_index *ix = open_names(names, 2, 0);
    damage_in_place(big);
    px_request rq = {.query = "harbour", .limit = 1000, .per_article = 1};
    for (int round = 0; round < 2; round++) {
        px_results *r = NULL;
        char *err = NULL;
        ck_assert_int_eq(px_search(ix, &rq, &r, &err), PX_XAPIAN);
        ck_assert_ptr_null(r);
        ck_assert_ptr_nonnull(err);
        ck_assert_ptr_null(strchr(err, '\n'));
        ck_assert_msg(strstr(err, big) != NULL,
                      "search %d: the message does not name %s: %s", round,
                      big, err);
        free(err);
    }
    px_index_close(ix);
}
END_TEST

/* A database whose folder is removed between two searches: the next
 * search leaves it out (allow_partial) and names it. */
START_TEST(removed_shard_left_out_with_allow_partial)
{
    char one[128], two[128], docs_one[128], docs_two[128], cmd[300];
    write_doc("one", "a.txt", "Quay\n\nThe harbour wall was mended.\n",
              docs_one, sizeof docs_one);
    write_doc("two", "b.txt", "Ferry\n\nThe harbour ferry sails at "
              "dawn.\n", docs_two, sizeof docs_two);
    build_db("one", docs_one, one, sizeof one);
    build_db("two", docs_two, two, sizeof two);
    const char *names[2] = {one, two};
    px_index *ix = open_names(names, 2, 1);
    px_request rq = {.query = "harbour", .limit = 1000, .per_article = 1};
    px_results *r = search(ix, &rq);
    ck_assert_uint_eq(r->narticles, 2);
    ck_assert_uint_eq(r->nfailed, 0);
    px_results_free(r);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", one);
    ck_assert_int_eq(system(cmd), 0);
    r = search(ix, &rq);
    ck_assert_msg(r->narticles == 1, "%zu articles from a removed database "
                  "and the other (nfailed %zu)", r->narticles, r->nfailed);
    ck_assert_uint_eq(r->nfailed, 1);
    ck_assert_str_eq(r->failed[0].name, one);
    ck_assert(under(r->hits[0].path, docs_two));
    px_results_free(r);
    px_index_close(ix);
}
END_TEST

/* The same with a database at the same revision as the one it replaces
 * (each made by one passim-index run): the next search must still see
 * the new one. */
START_TEST(replaced_at_the_same_revision)
{
    char db1[128], db2[128], docs1[128], docs2[128];
    build_revisions("old", "oldlampword", 0, db1, sizeof db1, docs1,
                    sizeof docs1);
    build_revisions("new", "newlampword", 0, db2, sizeof db2, docs2,
                    sizeof docs2);
    ck_assert_uint_eq(revision_of(db1), revision_of(db2));
    const char *name = db1;
    px_index *ix = open_names(&name, 1, 0);
    size_t in_docs;
    ck_assert_uint_eq(found_under(ix, "oldlampword", docs1, &in_docs), 1);
    swap_in(db2, db1);
    size_t n = found_under(ix, "newlampword", docs2, &in_docs);
    ck_assert_msg(n == 1, "the new database's article not found (%zu)", n);
    ck_assert_uint_eq(found_under(ix, "oldlampword", docs1, &in_docs), 0);
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
        {"pages_keep_each_articles_passages",
         pages_keep_each_articles_passages},
        {"article_by_id", article_by_id},
        {"bad_requests_explained", bad_requests_explained},
        {"writes_under_an_open_index", writes_under_an_open_index},
        {"a_missing_database", a_missing_database},
        {"name_types_follow_commits_under_an_open_index",
         name_types_follow_commits_under_an_open_index},
    };
    Suite *s = suite_create("search");
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        TCase *tc = tcase_create(cases[i].name);
        tcase_add_checked_fixture(tc, setup, teardown);
        tcase_add_test(tc, cases[i].test);
        suite_add_tcase(s, tc);
    }
    TCase *tc = tcase_create("a_shard_dies_between_open_and_search");
    tcase_add_checked_fixture(tc, setup_dir, teardown);
    tcase_add_test(tc, dead_shard_left_out_with_allow_partial);
    tcase_add_test(tc, dead_shard_named_without_allow_partial);
    tcase_add_test(tc, removed_shard_left_out_with_allow_partial);
    suite_add_tcase(s, tc);
    tc = tcase_create("a_database_replaced_under_a_reader");
    tcase_add_checked_fixture(tc, setup_dir, teardown);
    tcase_add_test(tc, replaced_by_a_later_revision);
    tcase_add_test(tc, replaced_at_the_same_revision);
    suite_add_tcase(s, tc);
    return px_check_run(s);
}
