/*
 * check_token.c — the tokenizer: spans, folding, and Xapian's word rules.
 *
 * Expected words are the terms Xapian 1.4's TermGenerator indexes for the
 * same text (checked against it when these cases were written).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "passim/token.h"

#define MAX_WORDS 64

struct words {
    size_t n;
    size_t start[MAX_WORDS];
    size_t end[MAX_WORDS];
    char folded[MAX_WORDS][PX_TOKEN_MAX_WORD + 1];
    size_t stop_after; /* stop once this many are seen; 0 never */
};

static int
collect(void *ctx, size_t start, size_t end, const char *folded,
        size_t folded_len)
{
    struct words *w = ctx;

    ck_assert_uint_lt(w->n, MAX_WORDS);
    ck_assert_uint_le(folded_len, PX_TOKEN_MAX_WORD);
    ck_assert_uint_eq(strlen(folded), folded_len);
    w->start[w->n] = start;
    w->end[w->n] = end;
    memcpy(w->folded[w->n], folded, folded_len + 1);
    w->n++;
    return w->stop_after != 0 && w->n >= w->stop_after;
}

static void
tokenize(const char *text, struct words *w)
{
    memset(w, 0, sizeof *w);
    ck_assert_int_eq(px_token_each(text, strlen(text), collect, w), PX_OK);
}

/* Assert the folded words of text, given as one '|'-separated string. */
static void
expect_words(const char *text, const char *expected)
{
    struct words w;
    char got[MAX_WORDS * (PX_TOKEN_MAX_WORD + 1)] = "";

    tokenize(text, &w);
    for (size_t i = 0; i < w.n; i++) {
        if (i > 0)
            strcat(got, "|");
        strcat(got, w.folded[i]);
    }
    ck_assert_msg(strcmp(got, expected) == 0, "\"%s\": got \"%s\", want \"%s\"",
                  text, got, expected);
}

/* Assert that word i of text spans exactly `span`. */
static void
expect_span(const char *text, size_t i, const char *span)
{
    struct words w;

    tokenize(text, &w);
    ck_assert_uint_lt(i, w.n);
    ck_assert_uint_eq(w.end[i] - w.start[i], strlen(span));
    ck_assert_msg(memcmp(text + w.start[i], span, strlen(span)) == 0,
                  "word %zu of \"%s\" is not \"%s\"", i, text, span);
}

START_TEST(spans_are_exact_byte_offsets)
{
    struct words w;
    const char *text = "  Hello, wörld!\tbye";

    tokenize(text, &w);
    ck_assert_uint_eq(w.n, 3);
    ck_assert_uint_eq(w.start[0], 2);
    ck_assert_uint_eq(w.end[0], 7);
    ck_assert_uint_eq(w.start[1], 9);
    ck_assert_uint_eq(w.end[1], 15); /* "wörld" is 6 bytes */
    ck_assert_uint_eq(w.start[2], 17); /* after "!\t" */
    ck_assert_uint_eq(w.end[2], 20);
    expect_span("in the U.S. today", 2, "U.S");
    expect_span("fish+chips", 0, "fish");
    expect_span("fish+chips", 1, "chips");
    expect_span("I like C++.", 2, "C++");
    expect_span("don\xe2\x80\x99t stop", 0, "don\xe2\x80\x99t");
}
END_TEST

START_TEST(folding_lowercases_unicode)
{
    expect_words("Hello WORLD MiXeD", "hello|world|mixed");
    expect_words("Café CAFÉ ÉCOLE Ærøskøbing", "café|café|école|ærøskøbing");
    expect_words("ΣΊΣΥΦΟΣ Москва", "σίσυφοσ|москва");
    expect_words("straße ẞ ǅemal", "straße|ß|ǆemal");
    expect_words("ＡＢＣ", "ａｂｃ");
}
END_TEST

START_TEST(apostrophes_join_letters)
{
    expect_words("don't", "don't");
    expect_words("don\xe2\x80\x99t", "don't");     /* U+2019 */
    expect_words("don\xe2\x80\x9bt", "don't");     /* U+201B */
    expect_words("\xe2\x80\x98quoted\xe2\x80\x99", "quoted");
    expect_words("the dogs' 'tis o'clock", "the|dogs|tis|o'clock");
    expect_words("a''b", "a|b");
    expect_words("AT&T M&S x\xc2\xb7y", "at&t|m&s|x\xc2\xb7y");
}
END_TEST

START_TEST(acronyms_drop_their_dots)
{
    expect_words("U.S.A.", "usa");
    expect_words("the U.S. army", "the|us|army");
    expect_words("P.T.O", "pto");
    expect_words("U.S.army", "u|s|army");
    expect_words("U.s. A. I.B.M's", "u|s|a|ibm|s");
    expect_words("u.s.a.", "u|s|a");
}
END_TEST

START_TEST(numbers_keep_separators_between_digits)
{
    expect_words("pi is 3.14", "pi|is|3.14");
    expect_words("1,000,000 people", "1,000,000|people");
    expect_words("3. .5 1.a a.1", "3|5|1|a|a|1");
    expect_words("1990s 5-6 1/2", "1990s|5|6|1|2");
    expect_words("\xd9\xa3\xd9\xab\xd9\xa1", "\xd9\xa3|\xd9\xa1"); /* ٣٫١ */
}
END_TEST

START_TEST(plus_and_hash_suffixes)
{
    expect_words("C++ C# F#", "c++|c#|f#");
    expect_words("C+++ C++++", "c+++|c");
    expect_words("fish+chips a+ X++y", "fish|chips|a+|x|y");
}
END_TEST

START_TEST(zero_width_characters_inside_words)
{
    expect_words("zero\xe2\x80\x8bwidth", "zerowidth");
    expect_span("zero\xe2\x80\x8bwidth", 0, "zero\xe2\x80\x8bwidth");
    expect_words("two\xe2\x80\x8d\xe2\x80\x8dzw", "two|zw");
    expect_words("12\xe2\x81\xa0" "34", "1234");
    expect_words("\xef\xbb\xbf" "bom", "bom");
}
END_TEST

START_TEST(invalid_utf8_separates_words)
{
    struct words w;

    expect_words("caf\xe9 bar", "caf|bar");
    expect_words("a\xffz", "a|z");
    expect_words("\xc0\xafx", "x");               /* overlong '/' */
    expect_words("ab\xed\xa0\x80" "cd", "ab|cd"); /* a surrogate */
    expect_words("abc\xe2\x82", "abc");           /* truncated */
    tokenize("a\xffz", &w);
    ck_assert_uint_eq(w.start[1], 2);
    ck_assert_uint_eq(w.end[1], 3);
}
END_TEST

START_TEST(non_latin_scripts)
{
    expect_words("中文分词 日本語", "中文分词|日本語");
    expect_words("한국어 텍스트", "한국어|텍스트");
    expect_words("हिन्दी العربية", "हिन्दी|العربية");
    expect_words("עִבְרִית", "עִבְרִית");
    expect_words("e\xcc\x81t\xc3\xa9", "e\xcc\x81t\xc3\xa9");
    expect_words("smile\xf0\x9f\x98\x80" "face", "smile|face");
    expect_words("snake_case_name", "snake_case_name");
}
END_TEST

START_TEST(overlong_words_are_skipped)
{
    char text[200];
    struct words w;

    /* 64 bytes is Xapian's limit: kept; 65 is dropped with no position. */
    memset(text, 'a', 64);
    strcpy(text + 64, " next");
    tokenize(text, &w);
    ck_assert_uint_eq(w.n, 2);
    ck_assert_uint_eq(w.end[0], 64);
    memset(text, 'a', 65);
    strcpy(text + 65, " next");
    tokenize(text, &w);
    ck_assert_uint_eq(w.n, 1);
    ck_assert_str_eq(w.folded[0], "next");
    ck_assert_uint_eq(w.start[0], 66);
}
END_TEST

START_TEST(callback_stops_early)
{
    struct words w;
    const char *text = "one two three four";

    memset(&w, 0, sizeof w);
    w.stop_after = 2;
    ck_assert_int_eq(px_token_each(text, strlen(text), collect, &w), PX_OK);
    ck_assert_uint_eq(w.n, 2);
    ck_assert_str_eq(w.folded[1], "two");
}
END_TEST

START_TEST(empty_text_and_bad_arguments)
{
    struct words w;

    tokenize("", &w);
    ck_assert_uint_eq(w.n, 0);
    tokenize(" ... -- !?", &w);
    ck_assert_uint_eq(w.n, 0);
    ck_assert_int_eq(px_token_each(NULL, 0, collect, &w), PX_OK);
    ck_assert_int_eq(px_token_each("x", 1, NULL, NULL), PX_INVALID_ARGUMENT);
}
END_TEST

static void
expect_fold(const char *word, const char *expected)
{
    char *out = NULL;
    size_t len = 0;

    ck_assert_int_eq(px_token_fold(word, strlen(word), &out, &len), PX_OK);
    ck_assert_ptr_nonnull(out);
    ck_assert_uint_eq(len, strlen(expected));
    ck_assert_str_eq(out, expected);
    free(out);
}

START_TEST(fold_matches_the_tokenizer)
{
    char longword[101], folded[101];

    expect_fold("Don\xe2\x80\x99t", "don't");
    expect_fold("U.S.A.", "usa");
    expect_fold("C++", "c++");
    expect_fold("ÉCOLE", "école");
    expect_fold("", "");
    /* PX_TOKEN_MAX_WORD limits what the tokenizer reports, not folding. */
    memset(longword, 'Q', 100);
    longword[100] = '\0';
    memset(folded, 'q', 100);
    folded[100] = '\0';
    expect_fold(longword, folded);
}
END_TEST

START_TEST(fold_of_several_words_folds_each_character)
{
    char *out = (char *)"sentinel";
    size_t len = 7;

    expect_fold("New York", "new york");
    expect_fold("Rock \xe2\x80\x99n\xe2\x80\x99 Roll", "rock 'n' roll");
    expect_fold("...", "...");
    ck_assert_int_eq(px_token_fold("caf\xe9", 4, &out, &len), PX_ENCODING);
    ck_assert_ptr_null(out);
    ck_assert_uint_eq(len, 0);
}
END_TEST

/* px_token_fold() as its contract reads, from px_token_each(): one word
 * folds as the tokenizer reports it, anything else character by
 * character (for ASCII: lower case). */
static void
oracle_fold(const char *text, char *out)
{
    struct words w;

    tokenize(text, &w);
    if (w.n == 1) {
        strcpy(out, w.folded[0]);
        return;
    }
    size_t i = 0;
    for (; text[i]; i++)
        out[i] = (char)(text[i] >= 'A' && text[i] <= 'Z' ? text[i] + 32
                                                         : text[i]);
    out[i] = '\0';
}

START_TEST(fold_of_ascii_follows_the_tokenizer)
{
    /* ASCII takes a fast path: it must agree with the tokenizer's rules
     * for words, infixes, acronyms and suffixes. */
    static const char *const samples[] = {
        ">Ruth", "1993-05-13", "C/++", "C++/x", "Christmas-card",
        "  Bill   Clinton ", " Israel ", "U.S. Army", "U.S.", "AT&T",
        "Don't", "3,000 men", "-A", "O'Brien (", "x@y.z", "R$", "a_b",
        "Ahem...You", "#1 fan", "c# ", "(", "", " ",
    };
    static const char alphabet[] = "aZ0_ .'&+#-,;:/@()>\tQy9";
    char text[64], want[64]; /* longer than any sample */
    uint32_t seed = 12345;

    for (size_t i = 0; i < sizeof samples / sizeof *samples; i++) {
        oracle_fold(samples[i], want);
        expect_fold(samples[i], want);
    }
    for (int n = 0; n < 20000; n++) {
        size_t len = 0;
        seed = seed * 1103515245u + 12345u;
        for (size_t k = (seed >> 16) % 12; len < k; len++) {
            seed = seed * 1103515245u + 12345u;
            text[len] = alphabet[(seed >> 16) % (sizeof alphabet - 1)];
        }
        text[len] = '\0';
        oracle_fold(text, want);
        expect_fold(text, want);
    }
}
END_TEST

static Suite *
make_suite(void)
{
    const px_check_case cases[] = {
        {"spans", spans_are_exact_byte_offsets},
        {"folding", folding_lowercases_unicode},
        {"apostrophes", apostrophes_join_letters},
        {"acronyms", acronyms_drop_their_dots},
        {"numbers", numbers_keep_separators_between_digits},
        {"suffixes", plus_and_hash_suffixes},
        {"zero_width", zero_width_characters_inside_words},
        {"invalid_utf8", invalid_utf8_separates_words},
        {"scripts", non_latin_scripts},
        {"overlong", overlong_words_are_skipped},
        {"early_stop", callback_stops_early},
        {"empty", empty_text_and_bad_arguments},
        {"fold_word", fold_matches_the_tokenizer},
        {"fold_text", fold_of_several_words_folds_each_character},
        {"fold_ascii", fold_of_ascii_follows_the_tokenizer},
    };
    return px_check_suite("token", cases, sizeof cases / sizeof cases[0]);
}

PX_CHECK_MAIN(make_suite)
