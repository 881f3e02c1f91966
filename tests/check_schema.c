/*
 * check_schema.c — records, article ids, passage documents and the query
 * parser of the index schema.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "passim/schema.h"

START_TEST(record_round_trip)
{
    px_record r = {"/a/b.txt", 8, "Title", 5, "some\ntext\0x", 11, 7, 100,
                     211, "0 0 4\n", 6, 0};
    char *data;
    size_t len;
    ck_assert_int_eq(px_record_encode(&r, &data, &len), PX_OK);
    px_record back;
    ck_assert_int_eq(px_record_decode(data, len, &back), PX_OK);
    ck_assert_uint_eq(back.number, 7);
    ck_assert_uint_eq(back.start, 100);
    ck_assert_uint_eq(back.end, 211);
    ck_assert_uint_eq(back.path_len, 8);
    ck_assert_int_eq(memcmp(back.path, "/a/b.txt", 8), 0);
    ck_assert_int_eq(memcmp(back.title, "Title", 5), 0);
    ck_assert_uint_eq(back.text_len, 11);
    ck_assert_int_eq(memcmp(back.text, "some\ntext\0x", 11), 0);
    ck_assert_uint_eq(back.mentions_len, 6);
    ck_assert_int_eq(memcmp(back.mentions, "0 0 4\n", 6), 0);
    ck_assert_uint_eq(back.page, 0);
    /* A passage without a page is written as before (older readers). */
    ck_assert_int_eq(memcmp(data, "R2 ", 3), 0);
    free(data);
}
END_TEST

/* A PDF passage's page goes in an "R3" record; "R2" records, written
 * before pages were, read with page 0. */
START_TEST(record_page_round_trip)
{
    px_record r = {"/a/b.pdf", 8, "Title", 5, "text", 4, 3, 0, 999,
                     "", 0, 17};
    char *data;
    size_t len;
    ck_assert_int_eq(px_record_encode(&r, &data, &len), PX_OK);
    ck_assert_int_eq(memcmp(data, "R3 ", 3), 0);
    px_record back;
    ck_assert_int_eq(px_record_decode(data, len, &back), PX_OK);
    ck_assert_uint_eq(back.page, 17);
    ck_assert_uint_eq(back.number, 3);
    ck_assert_uint_eq(back.end, 999);
    ck_assert_uint_eq(back.text_len, 4);
    ck_assert_int_eq(memcmp(back.text, "text", 4), 0);
    free(data);
    const char old[] = "R2 1 0 10 2 1 3 0\n/aTabc";
    ck_assert_int_eq(px_record_decode(old, sizeof old - 1, &back), PX_OK);
    ck_assert_uint_eq(back.page, 0);
    ck_assert_int_eq(memcmp(back.text, "abc", 3), 0);
    /* An R3 record without its page is not one. */
    const char short3[] = "R3 1 0 10 2 1 3 0\n/aTabc";
    ck_assert_int_eq(px_record_decode(short3, sizeof short3 - 1, &back),
                     PX_INVALID_ARGUMENT);
}
END_TEST

START_TEST(record_rejects_garbage)
{
    px_record r;
    ck_assert_int_eq(px_record_decode("hello", 5, &r), PX_INVALID_ARGUMENT);
    ck_assert_int_eq(px_record_decode("R2 1 2 3 4 5 6 7\nabc", 20, &r),
                     PX_INVALID_ARGUMENT);
    ck_assert_int_eq(px_record_decode("R2 x\n", 5, &r), PX_INVALID_ARGUMENT);
    /* An old record format is not read as this one. */
    ck_assert_int_eq(px_record_decode("R1 0 0 0 0 0 0\n", 15, &r),
                     PX_INVALID_ARGUMENT);
}
END_TEST

START_TEST(article_id_is_stable)
{
    char a[PX_ARTICLE_ID_SIZE], b[PX_ARTICLE_ID_SIZE], c[PX_ARTICLE_ID_SIZE];
    px_article_id("/x/one.txt", a);
    px_article_id("/x/one.txt", b);
    px_article_id("/x/two.txt", c);
    ck_assert_str_eq(a, b);
    ck_assert_str_ne(a, c);
    ck_assert_uint_eq(strlen(a), 16);
    /* FNV-1a of the empty string: the id must not change across versions,
     * or every existing index would need rebuilding. */
    px_article_id("", a);
    ck_assert_str_eq(a, "cbf29ce484222325");
}
END_TEST

typedef struct terms_seen {
    int text, stem, title, path, article, entity, file_dated;
} terms_seen;

static int
see_term(void *ctx, const char *term, size_t len, uint32_t freq)
{
    (void)freq;
    terms_seen *s = ctx;
    s->text += len == 8 && memcmp(term, "turbines", 8) == 0;
    s->stem += len == 7 && memcmp(term, "Zturbin", 7) == 0;
    s->title += len == 6 && memcmp(term, "ZSwind", 6) == 0;
    s->path += len == 9 && memcmp(term, "ZXPenergi", 9) == 0;
    s->article += len == 18 && memcmp(term, "XA", 2) == 0;
    s->entity += len == 16 && memcmp(term, "XPERamara okafor", 16) == 0;
    s->file_dated += len == strlen(PX_TERM_FILE_DATED) &&
                     memcmp(term, PX_TERM_FILE_DATED, len) == 0;
    return 0;
}

START_TEST(passage_document_terms)
{
    xc_termgen *tg;
    xc_document *doc;
    ck_assert_int_eq(px_schema_termgen(&tg), PX_OK);
    ck_assert_int_eq(xc_document_create(&doc), XC_OK);
    px_record r = {"/news/energy/a.txt", 18, "Wind", 4,
                     "Turbines spin.", 14, 0, 0, 14, NULL, 0, 0};
    char per[] = "XPERamara okafor", day[] = "XDATE2024-03-16";
    char *terms[] = {per, day};
    px_doc_extras extras = {terms, 2, "0Amara Okafor\n", 14, 0, 0};
    ck_assert_int_eq(px_schema_passage_document(tg, doc, "0123456789abcdef",
                                                "20240316", &r, &extras),
                     PX_OK);
    terms_seen s = {0};
    const char *v;
    size_t len;
    ck_assert_int_eq(xc_document_terms(doc, see_term, &s), XC_OK);
    /* Stems only (STEM_ALL_Z): the unstemmed word is in the vocabulary. */
    ck_assert_int_eq(s.text, 0);
    ck_assert_int_eq(s.stem, 1);
    ck_assert_int_eq(s.title, 1);
    ck_assert_int_eq(s.path, 1);
    ck_assert_int_eq(s.article, 1);
    ck_assert_int_eq(s.entity, 1);
    ck_assert_int_eq(xc_document_get_value(doc, PX_SLOT_ENTITIES, &v, &len),
                     XC_OK);
    ck_assert_uint_eq(len, 14);
    ck_assert_int_eq(xc_document_get_value(doc, PX_SLOT_DATE, &v, &len), XC_OK);
    ck_assert_uint_eq(len, 8);
    ck_assert_int_eq(memcmp(v, "20240316", 8), 0);
    ck_assert_int_eq(s.file_dated, 0);
    /* An article dated by its file's time says so on every passage. */
    extras.file_dated = 1;
    extras.nterms = 0;
    ck_assert_int_eq(px_schema_passage_document(tg, doc, "0123456789abcdef",
                                                "20240316", &r, &extras),
                     PX_OK);
    s = (terms_seen){0};
    ck_assert_int_eq(xc_document_terms(doc, see_term, &s), XC_OK);
    ck_assert_int_eq(s.file_dated, 1);
    ck_assert_int_eq(s.entity, 0);
    xc_document_destroy(doc);
    xc_termgen_destroy(tg);
}
END_TEST

static int
collect_query_terms(void *ctx, const char *term, size_t len)
{
    char *buf = ctx;
    strncat(buf, term, len);
    strcat(buf, " ");
    return 0;
}

START_TEST(qparser_uses_same_stems)
{
    xc_qparser *qp;
    xc_query *q;
    ck_assert_int_eq(px_schema_qparser(NULL, NULL, &qp), PX_OK);
    ck_assert_int_eq(xc_qparser_parse(qp, "turbines title:wind", XC_FLAG_DEFAULT,
                                      NULL, &q), XC_OK);
    char buf[256] = "";
    ck_assert_int_eq(xc_query_terms(q, collect_query_terms, buf), XC_OK);
    ck_assert_ptr_nonnull(strstr(buf, "Zturbin "));
    ck_assert_ptr_nonnull(strstr(buf, "ZSwind "));
    xc_query_destroy(q);
    xc_qparser_destroy(qp);
}
END_TEST

static int
see_entity(void *ctx, int type, const char *value, size_t len)
{
    char *buf = ctx;
    snprintf(buf + strlen(buf), 64, "%d:%.*s;", type, (int)len, value);
    return 0;
}

START_TEST(entity_list_and_keys)
{
    char buf[256] = "";
    px_entities_each("0Amara Okafor\n1Lisbon\n4 2024-03-16\nbad\n", 38,
                     see_entity, buf);
    ck_assert_str_eq(buf, "0:Amara Okafor;1:Lisbon;4: 2024-03-16;");
    char *key;
    size_t klen;
    ck_assert_int_eq(px_entity_key("  Amara   OKAFOR ", 17, &key, &klen), PX_OK);
    ck_assert_str_eq(key, "amara okafor");
    ck_assert_uint_eq(klen, 12);
    free(key);
    ck_assert_str_eq(px_entity_prefix(0), "XPER");
    ck_assert_ptr_null(px_entity_prefix(9));
}
END_TEST

START_TEST(entity_list_encodes_sorted)
{
    const int types[] = {1, 0, 3, 0, 12, 2, -1};
    const char *values[] = {"Lisbon", "Amara Okafor", "Two\nlines", "",
                            "Bad type", "Reuters", "Negative"};
    char *data = NULL;
    size_t len = 0;
    ck_assert_int_eq(px_entities_encode(types, values, 7, &data, &len),
                     PX_OK);
    /* Sorted; a line break, an empty value or a type that is not one
     * digit would break the list, and is left out. */
    ck_assert_str_eq(data, "0Amara Okafor\n1Lisbon\n2Reuters\n");
    ck_assert_uint_eq(len, strlen(data));
    char buf[256] = "";
    px_entities_each(data, len, see_entity, buf);
    ck_assert_str_eq(buf, "0:Amara Okafor;1:Lisbon;2:Reuters;");
    free(data);
    ck_assert_int_eq(px_entities_encode(types, values, 0, &data, &len),
                     PX_OK);
    ck_assert_uint_eq(len, 0);
    free(data);
}
END_TEST

static int
see_mention(void *ctx, int type, size_t start, size_t end)
{
    char *buf = ctx;
    snprintf(buf + strlen(buf), 64, "%d:%zu-%zu;", type, start, end);
    return 0;
}

START_TEST(mention_lines_round_trip)
{
    char line[PX_MENTION_LINE_MAX];
    ck_assert_uint_eq(px_mention_format(line, 2, 5, 12), 7);
    ck_assert_str_eq(line, "2 5 12\n");
    ck_assert_uint_eq(px_mention_format(line, 0, 4, 4), 0);
    ck_assert_uint_eq(px_mention_format(line, -1, 0, 4), 0);
    size_t n = px_mention_format(line, 1, (size_t)-2, (size_t)-1);
    ck_assert_uint_gt(n, 0);
    ck_assert_uint_lt(n, PX_MENTION_LINE_MAX);
    /* Well-formed lines inside a 20-byte text are read; the rest (past
     * the text, empty spans, stray characters, numbers past 2^63, a
     * missing field) are skipped, not guessed at. */
    const char *data = "0 0 5\n1 3 30\n2 7 7\n3 1 2x\n"
                       "1 99999999999999999999 3\n4 2\n\n2 15 20";
    char buf[256] = "";
    px_mentions_each(data, strlen(data), 20, see_mention, buf);
    ck_assert_str_eq(buf, "0:0-5;2:15-20;");
}
END_TEST

START_TEST(entity_key_buf_agrees)
{
    char longv[301];
    memset(longv, 'A', 300);
    longv[300] = '\0';
    longv[150] = ' ';
    const char *values[] = {
        "  Amara   OKAFOR ", "U.S.", ">Ruth", "O'Brien", "1993-05-13",
        "\xc3\x89" "cole Polytechnique", "Don\xe2\x80\x99t Panic", "C++",
        "", "  ", "Port Workers\xe2\x80\x99 Federation", longv,
    };
    for (size_t i = 0; i < sizeof values / sizeof *values; i++) {
        char *want = NULL, got[PX_ENTITY_KEY_MAX + 1];
        size_t wlen = 0, glen = 0;
        size_t len = strlen(values[i]);
        ck_assert_int_eq(px_entity_key(values[i], len, &want, &wlen), PX_OK);
        ck_assert_int_eq(px_entity_key_buf(values[i], len, got, &glen),
                         PX_OK);
        ck_assert_uint_eq(glen, wlen);
        ck_assert_str_eq(got, want);
        free(want);
    }
}
END_TEST

/* Date ranges: a brute-force check of px_date_range_terms() against
 * px_date_mention_terms() over random mentions (years, months and days)
 * and random ranges, open ends included. */

typedef struct strset {
    char (*s)[48];
    size_t n, cap;
} strset;

static int
strset_add(void *ctx, const char *term, size_t len)
{
    strset *t = ctx;
    if (t->n == t->cap) {
        t->cap = t->cap ? 2 * t->cap : 64;
        t->s = realloc(t->s, t->cap * sizeof *t->s);
        ck_assert_ptr_nonnull(t->s);
    }
    ck_assert_uint_lt(len, 48);
    memcpy(t->s[t->n], term, len);
    t->s[t->n++][len] = '\0';
    return 0;
}

static int
strset_meets(const strset *a, const strset *b)
{
    for (size_t i = 0; i < a->n; i++)
        for (size_t j = 0; j < b->n; j++)
            if (strcmp(a->s[i], b->s[j]) == 0)
                return 1;
    return 0;
}

/* Days since 0000-03-01 (a proleptic Gregorian count). */
static long
day_number(int y, int m, int d)
{
    y -= m <= 2;
    long era = y / 400, yoe = y - era * 400;
    long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    return era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy;
}

static int
month_days(int y, int m)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return days[m - 1] + (m == 2 && leap);
}

typedef struct mention {
    char iso[40];
    long from, to;
    strset terms;
} mention;

static unsigned long long rng = 0x9e3779b97f4a7c15ull;

static int
rnd(int n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (int)(rng % (unsigned long long)n);
}

static void
random_mention(mention *m)
{
    int y = rnd(10) == 0 ? rnd(10000) : 1890 + rnd(240);
    int mo = 1 + rnd(12), d = 1 + rnd(month_days(y, mo)), p = rnd(3);
    memset(m, 0, sizeof *m);
    if (p == 0) {
        snprintf(m->iso, sizeof m->iso, "%04d", y);
        m->from = day_number(y, 1, 1);
        m->to = day_number(y, 12, 31);
    } else if (p == 1) {
        snprintf(m->iso, sizeof m->iso, "%04d-%02d", y, mo);
        m->from = day_number(y, mo, 1);
        m->to = day_number(y, mo, month_days(y, mo));
    } else {
        snprintf(m->iso, sizeof m->iso, "%04d-%02d-%02d", y, mo, d);
        m->from = m->to = day_number(y, mo, d);
    }
    ck_assert_int_eq(px_date_mention_terms(m->iso, strlen(m->iso),
                                           strset_add, &m->terms),
                     PX_OK);
}

static px_day
random_day(void)
{
    int y = rnd(8) == 0 ? rnd(10000) : 1880 + rnd(260);
    int mo = 1 + rnd(12);
    return (px_day){y, mo, 1 + rnd(month_days(y, mo))};
}

/* How many of ms[0, n) the range [a, b] matches; checks each mention's
 * match against the overlap of its days with the range. */
static size_t
check_range(mention *ms, size_t n, px_day a, px_day b)
{
    strset q = {NULL, 0, 0};
    ck_assert_int_eq(px_date_range_terms(a, b, strset_add, &q), PX_OK);
    ck_assert_uint_le(q.n, 400);
    long from = day_number(a.y, a.m, a.d), to = day_number(b.y, b.m, b.d);
    size_t count = 0;
    for (size_t i = 0; i < n; i++) {
        int want = ms[i].from <= to && ms[i].to >= from;
        int got = strset_meets(&ms[i].terms, &q);
        ck_assert_msg(want == got, "%s against %04d-%02d-%02d..%04d-%02d-%02d:"
                      " got %d, want %d", ms[i].iso, a.y, a.m, a.d, b.y, b.m,
                      b.d, got, want);
        count += got;
    }
    free(q.s);
    return count;
}

START_TEST(date_ranges_are_exact_and_monotone)
{
    enum { MENTIONS = 400, RANGES = 300 };
    mention *ms = calloc(MENTIONS, sizeof *ms);
    ck_assert_ptr_nonnull(ms);
    for (size_t i = 0; i < MENTIONS; i++)
        random_mention(&ms[i]);
    for (int r = 0; r < RANGES; r++) {
        px_day a = random_day(), b = random_day();
        if (day_number(a.y, a.m, a.d) > day_number(b.y, b.m, b.d)) {
            px_day t = a;
            a = b;
            b = t;
        }
        if (rnd(6) == 0)
            a = (px_day){0, 1, 1};
        if (rnd(6) == 0)
            b = (px_day){9999, 12, 31};
        size_t inner = check_range(ms, MENTIONS, a, b);
        /* Widening never loses an article. */
        px_day wa = a.y > 0 ? (px_day){a.y - 1, 1, 1} : a;
        px_day wb = b.y < 9999 ? (px_day){b.y + 1, 12, 31} : b;
        ck_assert_uint_le(inner, check_range(ms, MENTIONS, wa, wb));
    }
    /* A year as a range is the year. */
    size_t y = check_range(ms, MENTIONS, (px_day){2004, 1, 1},
                           (px_day){2004, 12, 31});
    ck_assert_uint_le(y, check_range(ms, MENTIONS, (px_day){2004, 1, 1},
                                     (px_day){2005, 12, 31}));
    for (size_t i = 0; i < MENTIONS; i++)
        free(ms[i].terms.s);
    free(ms);
    px_day bad = {2024, 2, 30};
    strset q = {NULL, 0, 0};
    ck_assert_int_eq(px_date_range_terms(bad, bad, strset_add, &q),
                     PX_INVALID_ARGUMENT);
    ck_assert_int_eq(px_date_mention_terms("March", 5, strset_add, &q),
                     PX_INVALID_ARGUMENT);
    free(q.s);
}
END_TEST

static Suite *
make_suite(void)
{
    Suite *s = suite_create("schema");
    TCase *t = tcase_create("record");
    tcase_add_test(t, record_round_trip);
    tcase_add_test(t, record_rejects_garbage);
    tcase_add_test(t, record_page_round_trip);
    suite_add_tcase(s, t);
    t = tcase_create("article_id");
    tcase_add_test(t, article_id_is_stable);
    suite_add_tcase(s, t);
    t = tcase_create("entities");
    tcase_add_test(t, entity_list_and_keys);
    tcase_add_test(t, entity_key_buf_agrees);
    tcase_add_test(t, entity_list_encodes_sorted);
    tcase_add_test(t, mention_lines_round_trip);
    suite_add_tcase(s, t);
    t = tcase_create("document");
    tcase_add_test(t, passage_document_terms);
    suite_add_tcase(s, t);
    t = tcase_create("qparser");
    tcase_add_test(t, qparser_uses_same_stems);
    suite_add_tcase(s, t);
    t = tcase_create("date_ranges");
    tcase_add_test(t, date_ranges_are_exact_and_monotone);
    suite_add_tcase(s, t);
    return s;
}

PX_CHECK_MAIN(make_suite)
