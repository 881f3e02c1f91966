/*
 * check_ner.c — the entity tagger: loading its model, finding mentions in
 * raw text as exact byte spans, tagging pre-tokenised words, and the
 * mention list. The sentences are written for these tests, not taken from
 * CoNLL-2003, so they check that the tagger generalises to new text.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "passim/entity.h"
#include "passim/ner.h"

static px_ner *ner;

static void
setup(void)
{
    ck_assert_int_eq(px_ner_load_default(&ner), PX_OK);
    ck_assert_ptr_nonnull(ner);
}

static void
teardown(void)
{
    px_ner_destroy(ner);
    ner = NULL;
}

/* Whether mentions holds exactly `type` over the bytes of `needle`'s
 * first occurrence in text. */
static int
has_mention(const char *text, const px_mentions *m, px_entity_type type,
            const char *needle)
{
    const char *at = strstr(text, needle);

    ck_assert_ptr_nonnull(at);
    size_t start = (size_t)(at - text), end = start + strlen(needle);
    for (size_t i = 0; i < m->count; i++)
        if (m->items[i].start == start && m->items[i].end == end)
            return m->items[i].type == type;
    return 0;
}

static px_mentions
tag(const char *text)
{
    px_mentions m = {0};

    ck_assert_int_eq(px_ner_tag_text(ner, text, strlen(text), &m), PX_OK);
    return m;
}

START_TEST(test_people_and_place)
{
    const char *text =
        "Chancellor Olaf Scholz met Emmanuel Macron in Paris on Monday.";
    px_mentions m = tag(text);

    ck_assert_uint_eq(m.count, 3);
    ck_assert_int_eq(m.items[0].type, PX_ENT_PER);
    ck_assert_uint_eq(m.items[0].start, 11);
    ck_assert_uint_eq(m.items[0].end, 22);
    ck_assert_int_eq(m.items[1].type, PX_ENT_PER);
    ck_assert_uint_eq(m.items[1].start, 27);
    ck_assert_uint_eq(m.items[1].end, 42);
    ck_assert_int_eq(m.items[2].type, PX_ENT_LOC);
    ck_assert_uint_eq(m.items[2].start, 46);
    ck_assert_uint_eq(m.items[2].end, 51);
    px_mentions_free(&m);
}
END_TEST

START_TEST(test_organisation)
{
    const char *text = "A spokesman for the International Monetary Fund "
                       "said the outbreak in Kenya was under control.";
    px_mentions m = tag(text);

    ck_assert(has_mention(text, &m, PX_ENT_ORG,
                          "International Monetary Fund"));
    ck_assert(has_mention(text, &m, PX_ENT_LOC, "Kenya"));
    px_mentions_free(&m);
}
END_TEST

/* A company named like a person is told by what follows its name in the
 * document ("Dalgren shares", "Bosch, which"); a person stays one. */
START_TEST(test_company_named_like_a_person)
{
    const char *firm =
        "Dalgren sees orders grow\n\nThe pump maker Dalgren has posted a "
        "rise in yearly profits. Dalgren shares rose 4% in early trading. "
        "\"Demand stays solid,\" Dalgren said in a statement.";
    px_mentions m = tag(firm);
    ck_assert(has_mention(firm, &m, PX_ENT_ORG, "Dalgren"));
    for (size_t i = 0; i < m.count; i++)
        ck_assert_int_ne(m.items[i].type, PX_ENT_PER);
    px_mentions_free(&m);

    const char *person =
        "Rick Parry has posted a letter to the club. Parry, who joined in "
        "2003, said he was pleased. Parry shares the view of the board.";
    m = tag(person);
    ck_assert(has_mention(person, &m, PX_ENT_PER, "Rick Parry"));
    /* Each later "Parry" is the person too. */
    size_t later = 0;
    for (size_t i = 0; i < m.count; i++) {
        const px_mention *x = &m.items[i];
        if (x->end - x->start == 5 &&
            strncmp(person + x->start, "Parry", 5) == 0) {
            ck_assert_int_eq(x->type, PX_ENT_PER);
            later++;
        }
    }
    ck_assert_uint_eq(later, 2);
    px_mentions_free(&m);
}
END_TEST

START_TEST(test_punctuation_stays_out)
{
    /* A possessive, a comma, brackets and curly quotes next to names must
     * not end up inside their spans. */
    const char *text = "Toyota\xe2\x80\x99s chief, Akio Toyoda, told "
                       "reporters in Tokyo (Japan) that \xe2\x80\x9c"
                       "Nissan\xe2\x80\x9d was a rival.";
    px_mentions m = tag(text);

    ck_assert(has_mention(text, &m, PX_ENT_PER, "Akio Toyoda"));
    ck_assert(has_mention(text, &m, PX_ENT_LOC, "Tokyo"));
    ck_assert(has_mention(text, &m, PX_ENT_LOC, "Japan"));
    ck_assert(has_mention(text, &m, PX_ENT_ORG, "Toyota"));
    px_mentions_free(&m);
}
END_TEST

/* Every span lies inside the text, is non-empty, starts and ends on
 * character boundaries and not on white space, and follows the last. */
START_TEST(test_spans_valid)
{
    const char *text =
        "BRUSSELS, March 3 \xe2\x80\x94 The European Commission fined "
        "Google \xe2\x82\xac" "2.4 billion on Tuesday.\n\nMargrethe "
        "Vestager, the competition commissioner, said the U.S. company "
        "had abused its dominance. Z\xc3\xbcrich-based analysts at UBS "
        "expected an appeal to the General Court in Luxembourg.";
    size_t len = strlen(text), prev_end = 0;
    px_mentions m = tag(text);

    ck_assert_uint_ge(m.count, 5);
    for (size_t i = 0; i < m.count; i++) {
        const px_mention *x = &m.items[i];
        ck_assert_uint_lt(x->start, x->end);
        ck_assert_uint_le(x->end, len);
        ck_assert_uint_ge(x->start, prev_end);
        ck_assert_int_ne((unsigned char)text[x->start] & 0xC0, 0x80);
        ck_assert(x->end == len ||
                  ((unsigned char)text[x->end] & 0xC0) != 0x80);
        ck_assert(strchr(" \n,.", text[x->start]) == NULL);
        ck_assert(strchr(" \n,.", text[x->end - 1]) == NULL ||
                  text[x->end - 1] == '.');
        ck_assert_int_lt(x->type, PX_ENT_DATE);
        prev_end = x->end;
    }
    ck_assert(has_mention(text, &m, PX_ENT_ORG, "European Commission"));
    ck_assert(has_mention(text, &m, PX_ENT_PER, "Margrethe Vestager"));
    px_mentions_free(&m);
}
END_TEST

START_TEST(test_empty_and_bad_arguments)
{
    px_mentions m = {0};

    ck_assert_int_eq(px_ner_tag_text(ner, "", 0, &m), PX_OK);
    ck_assert_int_eq(px_ner_tag_text(ner, NULL, 0, &m), PX_OK);
    ck_assert_int_eq(px_ner_tag_text(ner, " \n\t ,", 5, &m), PX_OK);
    ck_assert_uint_eq(m.count, 0);
    ck_assert_int_eq(px_ner_tag_text(NULL, "Paris", 5, &m), PX_INVALID_ARGUMENT);
    ck_assert_int_eq(px_ner_tag_text(ner, NULL, 3, &m), PX_INVALID_ARGUMENT);
    ck_assert_int_eq(px_ner_tag_text(ner, "Paris", 5, NULL),
                     PX_INVALID_ARGUMENT);
    ck_assert_int_eq(px_ner_tag_tokens(ner, NULL, 0, NULL, NULL), PX_OK);
    px_mentions_free(&m);
}
END_TEST

START_TEST(test_tag_tokens)
{
    const char *const words[] = {"Angela", "Merkel", "met", "Volkswagen",
                                 "executives", "in", "Munich", ".", ""};
    unsigned char flags[9] = {PX_NER_DOC_START | PX_NER_SENT_START};
    unsigned char tags[9];

    ck_assert_int_eq(px_ner_tag_tokens(ner, words, 9, flags, tags), PX_OK);
    ck_assert_uint_eq(tags[0], (PX_ENT_PER + 1) | PX_NER_BEGIN);
    ck_assert_uint_eq(tags[1], PX_ENT_PER + 1);
    ck_assert_uint_eq(tags[2], PX_NER_O);
    ck_assert_uint_eq(tags[3], (PX_ENT_ORG + 1) | PX_NER_BEGIN);
    ck_assert_uint_eq(tags[4], PX_NER_O);
    ck_assert_uint_eq(tags[6], (PX_ENT_LOC + 1) | PX_NER_BEGIN);
    ck_assert_uint_eq(tags[7], PX_NER_O);
    ck_assert_uint_eq(tags[8], PX_NER_O);
}
END_TEST

/* Tagging leaves the model as it was (it is shared read-only between
 * threads): the same text twice gives the same mentions. */
START_TEST(test_model_is_read_only)
{
    const char *text = "Rafael Nadal beat Novak Djokovic at Roland Garros.";
    px_mentions a = tag(text), b = tag(text);

    ck_assert_uint_gt(a.count, 0);
    ck_assert_uint_eq(a.count, b.count);
    for (size_t i = 0; i < a.count; i++) {
        ck_assert_int_eq(a.items[i].type, b.items[i].type);
        ck_assert_uint_eq(a.items[i].start, b.items[i].start);
        ck_assert_uint_eq(a.items[i].end, b.items[i].end);
    }
    px_mentions_free(&a);
    px_mentions_free(&b);
}
END_TEST

START_TEST(test_load_errors)
{
    px_ner *other = (px_ner *)1;
    char path[] = "/tmp/check_ner_XXXXXX";
    int fd = mkstemp(path);

    ck_assert_int_eq(px_ner_load("/nonexistent/ner.model", &other), PX_IO);
    ck_assert_ptr_null(other);
    ck_assert_int_ge(fd, 0);
    FILE *f = fdopen(fd, "w");
    ck_assert_ptr_nonnull(f);
    for (int i = 0; i < 100; i++)
        fputs("not a model ", f);
    fclose(f);
    other = (px_ner *)1;
    ck_assert_int_eq(px_ner_load(path, &other), PX_UNSUPPORTED);
    ck_assert_ptr_null(other);
    remove(path);
    px_ner_destroy(NULL);
}
END_TEST

START_TEST(test_mentions_list)
{
    px_mentions m = {0};

    for (size_t i = 0; i < 100; i++)
        ck_assert_int_eq(px_mentions_add(&m, PX_ENT_ORG, i, i + 2), PX_OK);
    ck_assert_uint_eq(m.count, 100);
    ck_assert_uint_eq(m.items[99].start, 99);
    ck_assert_uint_eq(m.items[99].end, 101);
    ck_assert_int_eq(px_mentions_add(&m, PX_ENT_ORG, 5, 4),
                     PX_INVALID_ARGUMENT);
    ck_assert_int_eq(px_mentions_add(&m, PX_ENT_TYPES, 0, 1),
                     PX_INVALID_ARGUMENT);
    px_mentions_free(&m);
    ck_assert_ptr_null(m.items);
    ck_assert_uint_eq(m.count, 0);
    ck_assert_str_eq(px_entity_type_name(PX_ENT_PER), "PER");
    ck_assert_str_eq(px_entity_type_name(PX_ENT_MISC), "MISC");
    ck_assert_str_eq(px_entity_type_name(PX_ENT_DATE), "DATE");
}
END_TEST

static Suite *
make_suite(void)
{
    Suite *s = suite_create("ner");
    TCase *tc = tcase_create("text");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_people_and_place);
    tcase_add_test(tc, test_organisation);
    tcase_add_test(tc, test_company_named_like_a_person);
    tcase_add_test(tc, test_punctuation_stays_out);
    tcase_add_test(tc, test_spans_valid);
    tcase_add_test(tc, test_empty_and_bad_arguments);
    suite_add_tcase(s, tc);
    tc = tcase_create("tokens");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_tag_tokens);
    tcase_add_test(tc, test_model_is_read_only);
    suite_add_tcase(s, tc);
    tc = tcase_create("model");
    tcase_add_test(tc, test_load_errors);
    tcase_add_test(tc, test_mentions_list);
    suite_add_tcase(s, tc);
    return s;
}

PX_CHECK_MAIN(make_suite)
