/*
 * check_stem.c — the cached Snowball stemmer.
 *
 * Expected stems are what Xapian::Stem gives for the same words, since the
 * stemmer stands in for Xapian's own.
 */
#include <stdio.h>
#include <string.h>

#include <libstemmer.h>

#include "check_main.h"
#include "passim/stem.h"

static px_stemmer *
create(const char *language)
{
    px_stemmer *st = NULL;

    ck_assert_int_eq(px_stemmer_create(language, &st), PX_OK);
    ck_assert_ptr_nonnull(st);
    return st;
}

static void
expect_stem(px_stemmer *st, const char *word, const char *expected)
{
    const char *stem = NULL;
    size_t len = 0;

    ck_assert_int_eq(px_stemmer_stem(st, word, strlen(word), &stem, &len),
                     PX_OK);
    ck_assert_ptr_nonnull(stem);
    ck_assert_msg(len == strlen(expected) &&
                      memcmp(stem, expected, len) == 0,
                  "stem of \"%s\": got \"%.*s\", want \"%s\"", word, (int)len,
                  stem, expected);
}

START_TEST(english_stems_known_words)
{
    px_stemmer *st = create("english");

    expect_stem(st, "running", "run");
    expect_stem(st, "connection", "connect");
    expect_stem(st, "connections", "connect");
    expect_stem(st, "generously", "generous");
    expect_stem(st, "happiness", "happi");
    expect_stem(st, "ponies", "poni");
    expect_stem(st, "caresses", "caress");
    /* Accents fold before stemming (indexing and queries alike). */
    expect_stem(st, "café", "cafe");
    expect_stem(st, "résumé", "resum");
    expect_stem(st, "resume", "resum");
    expect_stem(st, "don't", "don't");
    expect_stem(st, "1990s", "1990s");
    expect_stem(st, "", "");
    px_stemmer_destroy(st);
}
END_TEST

START_TEST(other_languages)
{
    px_stemmer *st = create("french");

    expect_stem(st, "continuellement", "continuel");
    px_stemmer_destroy(st);
    st = create("german");
    expect_stem(st, "häuser", "haus");
    px_stemmer_destroy(st);
}
END_TEST

START_TEST(cache_counts_hits_and_misses)
{
    px_stemmer *st = create("english");
    size_t hits = 99, misses = 99;

    px_stemmer_stats(st, &hits, &misses);
    ck_assert_uint_eq(hits, 0);
    ck_assert_uint_eq(misses, 0);
    expect_stem(st, "running", "run");
    expect_stem(st, "connection", "connect");
    expect_stem(st, "running", "run");
    expect_stem(st, "running", "run");
    expect_stem(st, "connection", "connect");
    px_stemmer_stats(st, &hits, &misses);
    ck_assert_uint_eq(hits, 3);
    ck_assert_uint_eq(misses, 2);
    px_stemmer_destroy(st);
}
END_TEST

/* Assert that st stems word as libstemmer itself does, uncached. */
static void
expect_snowball(px_stemmer *st, struct sb_stemmer *sb, const char *word)
{
    const sb_symbol *want = sb_stemmer_stem(sb, (const sb_symbol *)word,
                                            (int)strlen(word));
    char copy[512];

    ck_assert_ptr_nonnull(want);
    ck_assert_int_lt(sb_stemmer_length(sb), (int)sizeof copy);
    memcpy(copy, want, (size_t)sb_stemmer_length(sb));
    copy[sb_stemmer_length(sb)] = '\0';
    expect_stem(st, word, copy);
}

/* The i-th of many distinct words, with English suffixes to strip. */
static void
make_word(char *buf, size_t size, unsigned i)
{
    char letters[8];
    size_t n = 0;

    do {
        letters[n++] = (char)('a' + i % 26);
        i /= 26;
    } while (i > 0);
    letters[n] = '\0';
    snprintf(buf, size, "con%sationally", letters);
}

START_TEST(cache_stays_bounded_and_correct)
{
    px_stemmer *st = create("english");
    struct sb_stemmer *sb = sb_stemmer_new("english", NULL);
    char word[32];
    size_t hits, misses;

    /* Far more distinct words than the cache holds: every stem must stay
     * right across the clearings, and the first word must have been
     * forgotten (a miss again) by the end. */
    ck_assert_ptr_nonnull(sb);
    for (unsigned i = 0; i < 150000; i++) {
        make_word(word, sizeof word, i);
        expect_snowball(st, sb, word);
    }
    px_stemmer_stats(st, &hits, &misses);
    ck_assert_uint_eq(hits, 0);
    ck_assert_uint_eq(misses, 150000);
    make_word(word, sizeof word, 0);
    expect_snowball(st, sb, word);
    px_stemmer_stats(st, &hits, &misses);
    ck_assert_uint_eq(misses, 150001);
    make_word(word, sizeof word, 149999);
    expect_snowball(st, sb, word);
    px_stemmer_stats(st, &hits, &misses);
    ck_assert_uint_eq(hits, 1);
    sb_stemmer_delete(sb);
    px_stemmer_destroy(st);
}
END_TEST

START_TEST(cache_keeps_words_as_it_grows)
{
    px_stemmer *st = create("english");
    struct sb_stemmer *sb = sb_stemmer_new("english", NULL);
    char word[32];
    size_t hits, misses;

    /* The cache starts small and doubles: words met before it grew are
     * still found, with the right stems. */
    ck_assert_ptr_nonnull(sb);
    for (int pass = 0; pass < 2; pass++) {
        for (unsigned i = 0; i < 20000; i++) {
            make_word(word, sizeof word, i);
            expect_snowball(st, sb, word);
        }
    }
    px_stemmer_stats(st, &hits, &misses);
    ck_assert_uint_eq(misses, 20000);
    ck_assert_uint_eq(hits, 20000);
    sb_stemmer_delete(sb);
    px_stemmer_destroy(st);
}
END_TEST

START_TEST(long_words_are_stemmed_uncached)
{
    px_stemmer *st = create("english");
    struct sb_stemmer *sb = sb_stemmer_new("english", NULL);
    char word[300];
    size_t hits, misses;

    ck_assert_ptr_nonnull(sb);
    memset(word, 'x', 250);
    strcpy(word + 250, "ationally");
    expect_snowball(st, sb, word);
    expect_snowball(st, sb, word);
    expect_stem(st, "connections", "connect");
    px_stemmer_stats(st, &hits, &misses);
    ck_assert_uint_eq(hits + misses, 1);
    sb_stemmer_delete(sb);
    px_stemmer_destroy(st);
}
END_TEST

START_TEST(none_is_identity)
{
    px_stemmer *st = create("none");
    const char *word = "running connections";
    const char *stem = NULL;
    size_t len = 0, hits, misses;

    ck_assert_int_eq(px_stemmer_stem(st, word, 7, &stem, &len), PX_OK);
    ck_assert_uint_eq(len, 7);
    ck_assert_int_eq(memcmp(stem, "running", 7), 0);
    expect_stem(st, "Connections", "Connections");
    px_stemmer_stats(st, &hits, &misses);
    ck_assert_uint_eq(hits + misses, 0);
    px_stemmer_destroy(st);
}
END_TEST

START_TEST(unknown_language_is_not_found)
{
    px_stemmer *st = (px_stemmer *)&st;

    ck_assert_int_eq(px_stemmer_create("klingon", &st), PX_NOT_FOUND);
    ck_assert_ptr_null(st);
    st = (px_stemmer *)&st;
    ck_assert_int_eq(px_stemmer_create(NULL, &st), PX_INVALID_ARGUMENT);
    ck_assert_ptr_null(st);
    px_stemmer_destroy(NULL);
}
END_TEST

static Suite *
make_suite(void)
{
    const px_check_case cases[] = {
        {"english", english_stems_known_words},
        {"languages", other_languages},
        {"cache_stats", cache_counts_hits_and_misses},
        {"cache_bounded", cache_stays_bounded_and_correct},
        {"cache_grows", cache_keeps_words_as_it_grows},
        {"long_words", long_words_are_stemmed_uncached},
        {"none", none_is_identity},
        {"unknown_language", unknown_language_is_not_found},
    };
    return px_check_suite("stem", cases, sizeof cases / sizeof cases[0]);
}

PX_CHECK_MAIN(make_suite)
