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
    px_record_t r = {"/a/b.txt", 8, "Title", 5, "some\ntext\0x", 11, 7, 100,
                     211, "0 0 4\n", 6};
    char *data;
    size_t len;
    ck_assert_int_eq(px_record_encode(&r, &data, &len), PX_OK);
    px_record_t back;
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
    free(data);
}
END_TEST

START_TEST(record_rejects_garbage)
{
    px_record_t r;
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
    int text, stem, title, path, article, entity;
} terms_seen;

static int
see_term(void *ctx, const char *term, size_t len, uint32_t freq)
{
    (void)freq;
    terms_seen *s = ctx;
    s->text += len == 8 && memcmp(term, "turbines", 8) == 0;
    s->stem += len == 7 && memcmp(term, "Zturbin", 7) == 0;
    /* Title and path words: stems only under STEM_ALL_Z. */
    int z = PX_STEM_STRATEGY == XC_STEM_ALL_Z;
    const char *title = z ? "ZSwind" : "Swind";
    const char *path = z ? "ZXPenergi" : "XPenergy";
    s->title += len == strlen(title) && memcmp(term, title, len) == 0;
    s->path += len == strlen(path) && memcmp(term, path, len) == 0;
    s->article += len == 18 && memcmp(term, "XA", 2) == 0;
    s->entity += len == 16 && memcmp(term, "XPERamara okafor", 16) == 0;
    return 0;
}

START_TEST(passage_document_terms)
{
    xc_termgen *tg;
    xc_document *doc;
    ck_assert_int_eq(px_schema_termgen(&tg), PX_OK);
    ck_assert_int_eq(xc_document_create(&doc), XC_OK);
    px_record_t r = {"/news/energy/a.txt", 18, "Wind", 4,
                     "Turbines spin.", 14, 0, 0, 14, NULL, 0};
    char per[] = "XPERamara okafor", day[] = "XDATE2024-03-16";
    char *terms[] = {per, day};
    px_doc_extras extras = {terms, 2, "0Amara Okafor\n", 14};
    ck_assert_int_eq(px_schema_passage_document(tg, doc, "0123456789abcdef",
                                                "20240316", &r, &extras),
                     PX_OK);
    terms_seen s = {0};
    const char *v;
    size_t len;
    ck_assert_int_eq(xc_document_terms(doc, see_term, &s), XC_OK);
    /* STEM_ALL_Z keeps the stems only: no unstemmed "turbines". */
    ck_assert_int_eq(s.text, PX_STEM_STRATEGY == XC_STEM_ALL_Z ? 0 : 1);
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
    ck_assert_int_eq(px_schema_qparser(NULL, &qp), PX_OK);
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

static Suite *
make_suite(void)
{
    Suite *s = suite_create("schema");
    TCase *t = tcase_create("record");
    tcase_add_test(t, record_round_trip);
    tcase_add_test(t, record_rejects_garbage);
    suite_add_tcase(s, t);
    t = tcase_create("article_id");
    tcase_add_test(t, article_id_is_stable);
    suite_add_tcase(s, t);
    t = tcase_create("entities");
    tcase_add_test(t, entity_list_and_keys);
    suite_add_tcase(s, t);
    t = tcase_create("document");
    tcase_add_test(t, passage_document_terms);
    suite_add_tcase(s, t);
    t = tcase_create("qparser");
    tcase_add_test(t, qparser_uses_same_stems);
    suite_add_tcase(s, t);
    return s;
}

PX_CHECK_MAIN(make_suite)
