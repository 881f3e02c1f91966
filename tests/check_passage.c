/*
 * check_passage.c — articles to passages: sentence splits, merges, spans.
 */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "passim/article.h"
#include "passim/passage.h"
#include "passim/utf8.h"

typedef struct fixture {
    const char *buf;
    px_article *a;
    px_passages *p;
} fixture;

/* Parse buf and split it with opts (NULL: defaults). */
static fixture
split(const char *buf, px_format format, const px_passage_opts *opts)
{
    fixture f = {.buf = buf};
    ck_assert_int_eq(px_article_parse(buf, strlen(buf), format, &f.a), PX_OK);
    ck_assert_int_eq(px_passage_split(f.a, opts, &f.p), PX_OK);
    ck_assert_ptr_nonnull(f.p);
    return f;
}

static void
done(fixture *f)
{
    px_passages_destroy(f->p);
    px_article_destroy(f->a);
}

static const px_passage *
get(const fixture *f, size_t i)
{
    const px_passage *p = px_passages_get(f->p, i);
    ck_assert_ptr_nonnull(p);
    ck_assert_uint_eq(strlen(p->text), p->len);
    return p;
}

/* Spans in order and within the file; exact passages are the file bytes;
 * no passage over max (when splitting could honour it). */
static void
assert_passages(const fixture *f, size_t max)
{
    size_t len = strlen(f->buf);
    size_t prev = 0;
    for (size_t i = 0; i < px_passages_count(f->p); i++) {
        const px_passage *p = get(f, i);
        ck_assert_uint_gt(p->len, 0);
        ck_assert_uint_le(p->len, max);
        ck_assert_uint_ge(p->file_start, prev);
        ck_assert_uint_le(p->file_start, p->file_end);
        ck_assert_uint_le(p->file_end, len);
        prev = p->file_end;
        if (p->exact) {
            ck_assert_uint_eq(p->file_end - p->file_start, p->len);
            ck_assert(memcmp(f->buf + p->file_start, p->text, p->len) == 0);
        }
    }
}

static int
ends_with(const px_passage *p, const char *s)
{
    size_t n = strlen(s);
    return p->len >= n && memcmp(p->text + p->len - n, s, n) == 0;
}

START_TEST(split_at_sentences)
{
    px_passage_opts o = {0, 30};
    fixture f = split("T\n\nMr. Brown met Dr. Green. They talked for hours. "
                        "J. Smith left.",
                        PX_FORMAT_TEXT, &o);
    ck_assert_uint_eq(px_passages_count(f.p), 3);
    ck_assert_str_eq(get(&f, 0)->text, "Mr. Brown met Dr. Green.");
    ck_assert_str_eq(get(&f, 1)->text, "They talked for hours.");
    ck_assert_str_eq(get(&f, 2)->text, "J. Smith left.");
    for (size_t i = 0; i < 3; i++)
        ck_assert(get(&f, i)->exact);
    assert_passages(&f, 30);
    done(&f);
}
END_TEST

START_TEST(split_not_after_abbreviations)
{
    /* Every period below is followed by a capital, but only those that end
     * sentences may be cut at. */
    const char *abbr[] = {"Mr.", "Mrs.", "Dr.", "St.", "U.S.", "Jan.", "J.",
                          "e.g.", "Prof."};
    char buf[8192] = "T\n\n";
    for (int r = 0; r < 6; r++) {
        for (size_t i = 0; i < sizeof abbr / sizeof abbr[0]; i++) {
            strcat(buf, "Later ");
            strcat(buf, abbr[i]);
            strcat(buf, " Smith and friends went to the market again. ");
        }
    }
    px_passage_opts o = {0, 200};
    fixture f = split(buf, PX_FORMAT_TEXT, &o);
    ck_assert_uint_gt(px_passages_count(f.p), 10);
    for (size_t i = 0; i < px_passages_count(f.p); i++) {
        const px_passage *p = get(&f, i);
        ck_assert_msg(ends_with(p, "again."), "bad cut: ...%s",
                      p->text + (p->len > 30 ? p->len - 30 : 0));
        ck_assert(strncmp(p->text, "Later ", 6) == 0);
    }
    assert_passages(&f, 200);
    done(&f);
}
END_TEST

START_TEST(split_punctuation_and_quotes)
{
    px_passage_opts o = {0, 25};
    fixture f = split("T\n\nHe said \"Stop here.\" Then he left! "
                        "Did she? \xE2\x80\x9CYes,\xE2\x80\x9D she said. "
                        "It cost 3.5m. 2005 was good.",
                        PX_FORMAT_TEXT, &o);
    const char *want[] = {"He said \"Stop here.\"", "Then he left! Did she?",
                          "\xE2\x80\x9CYes,\xE2\x80\x9D she said.",
                          "It cost 3.5m.", "2005 was good."};
    ck_assert_uint_eq(px_passages_count(f.p), 5);
    for (size_t i = 0; i < 5; i++)
        ck_assert_str_eq(get(&f, i)->text, want[i]);
    assert_passages(&f, 25);
    done(&f);
}
END_TEST

START_TEST(split_long_sentence_at_words)
{
    /* No sentence boundary: cut at spaces, never inside a word. */
    char buf[4096] = "T\n\n";
    while (strlen(buf) < 3000)
        strcat(buf, "lorem ipsum dolor sit amet ");
    px_passage_opts o = {0, 100};
    fixture f = split(buf, PX_FORMAT_TEXT, &o);
    ck_assert_uint_ge(px_passages_count(f.p), 30);
    char *joined = calloc(1, strlen(buf));
    ck_assert_ptr_nonnull(joined);
    for (size_t i = 0; i < px_passages_count(f.p); i++) {
        const px_passage *p = get(&f, i);
        ck_assert(p->text[0] != ' ' && p->text[p->len - 1] != ' ');
        if (i > 0)
            strcat(joined, " ");
        strcat(joined, p->text);
    }
    ck_assert_str_eq(joined, px_article_block(f.a, 0)->text);
    free(joined);
    assert_passages(&f, 100);
    done(&f);
}
END_TEST

START_TEST(split_without_spaces_keeps_utf8)
{
    /* A run with no space at all is cut between characters. */
    char buf[4096] = "T\n\n";
    while (strlen(buf) < 3000)
        strcat(buf, "\xC3\xA9\xE2\x82\xAC");
    px_passage_opts o = {0, 100};
    fixture f = split(buf, PX_FORMAT_TEXT, &o);
    size_t total = 0;
    for (size_t i = 0; i < px_passages_count(f.p); i++) {
        const px_passage *p = get(&f, i);
        ck_assert_int_eq(px_utf8_classify(p->text, p->len), PX_TEXT_UTF8);
        total += p->len;
    }
    ck_assert_uint_eq(total, strlen(buf) - 3);
    assert_passages(&f, 100);
    done(&f);
}
END_TEST

START_TEST(merge_short_paragraphs)
{
    const char *buf = "Title\n\nShort one.\n\nShort two.\n\nShort three.\n";
    fixture f = split(buf, PX_FORMAT_TEXT, NULL);
    ck_assert_uint_eq(px_passages_count(f.p), 1);
    const px_passage *p = get(&f, 0);
    ck_assert_str_eq(p->text, "Short one.\n\nShort two.\n\nShort three.");
    ck_assert(!p->exact);
    ck_assert_uint_eq(p->file_start, strstr(buf, "Short one.") - buf);
    ck_assert_uint_eq(p->file_end, strstr(buf, "three.") + 6 - buf);
    done(&f);
}
END_TEST

/* A post's quoted reply and its own words are never one passage, short
 * as they are: the quote ranks below (schema.h). */
START_TEST(quoted_blocks_kept_apart)
{
    const char *buf = "From: a@example.org\nSubject: Re: pumps\n\n"
                      "Own words first.\n\n"
                      "On Monday, Bob wrote:\n> Quoted one.\n> Quoted two.\n"
                      "Own words again.\n\nAnd more of them.\n";
    fixture f = split(buf, PX_FORMAT_MAIL, NULL);
    ck_assert_uint_eq(px_passages_count(f.p), 3);
    ck_assert_str_eq(get(&f, 0)->text, "Own words first.");
    ck_assert(!get(&f, 0)->quoted);
    ck_assert_str_eq(get(&f, 1)->text,
                     "On Monday, Bob wrote:\n> Quoted one.\n> Quoted two.");
    ck_assert(get(&f, 1)->quoted);
    ck_assert(get(&f, 1)->exact);
    ck_assert_str_eq(get(&f, 2)->text,
                     "Own words again.\n\nAnd more of them.");
    ck_assert(!get(&f, 2)->quoted);
    assert_passages(&f, PX_PASSAGE_MAX_LEN);
    done(&f);
    /* Not a post: '>' lines are text like any other. */
    f = split("Title\n\nOne.\n> two.\n", PX_FORMAT_TEXT, NULL);
    ck_assert_uint_eq(px_passages_count(f.p), 1);
    ck_assert(!get(&f, 0)->quoted);
    done(&f);
}
END_TEST

/* n bytes of sentences, ending in a period. */
static void
fill(char *out, size_t n)
{
    static const char s[] = "The quick brown fox jumps over the lazy dog. ";
    size_t k = 0;
    while (k + sizeof s - 1 <= n) {
        memcpy(out + k, s, sizeof s - 1);
        k += sizeof s - 1;
    }
    out[k - 1] = '\0';
}

START_TEST(merge_limits)
{
    char big[1200];
    char buf[4096];
    fill(big, 1100); /* 1079 bytes */
    /* A short paragraph after a long one joins it at the end when the two
     * fit, and not when they do not. */
    snprintf(buf, sizeof buf, "T\n\n%s\n\nShort tail.", big);
    fixture f = split(buf, PX_FORMAT_TEXT, NULL);
    ck_assert_uint_eq(px_passages_count(f.p), 1);
    ck_assert(ends_with(get(&f, 0), ".\n\nShort tail."));
    done(&f);

    snprintf(buf, sizeof buf,
             "T\n\n%s\n\nA short paragraph that is long enough not to fit "
             "with the long paragraph before it: the two together would be "
             "well over the limit.", big);
    f = split(buf, PX_FORMAT_TEXT, NULL);
    ck_assert_uint_eq(px_passages_count(f.p), 2);
    ck_assert(get(&f, 0)->exact && get(&f, 1)->exact);
    assert_passages(&f, 1200);
    done(&f);

    /* A short paragraph first joins the next one. */
    snprintf(buf, sizeof buf, "T\n\nShort head.\n\n%s", big);
    f = split(buf, PX_FORMAT_TEXT, NULL);
    ck_assert_uint_eq(px_passages_count(f.p), 1);
    ck_assert(strncmp(get(&f, 0)->text, "Short head.\n\nThe quick", 22) == 0);
    done(&f);
}
END_TEST

START_TEST(exact_spans_of_split_block)
{
    /* Pieces of a long exact block keep exact sub-spans, CRLF and all. */
    char big[4000];
    char buf[4200];
    fill(big, 3500);
    snprintf(buf, sizeof buf, "Title\r\n\r\n%s\r\n", big);
    fixture f = split(buf, PX_FORMAT_TEXT, NULL);
    ck_assert_uint_eq(px_passages_count(f.p), 3);
    for (size_t i = 0; i < 3; i++) {
        ck_assert(get(&f, i)->exact);
        ck_assert(ends_with(get(&f, i), "dog."));
        /* Balanced pieces, not two full ones and a scrap. */
        ck_assert_uint_gt(get(&f, i)->len, 900);
    }
    assert_passages(&f, 1200);
    done(&f);
}
END_TEST

START_TEST(spans_of_inexact_blocks)
{
    /* HTML blocks are not exact: a passage takes its blocks' span. */
    const char *buf = "<title>T</title><p>One &amp; two.</p><p>Three.</p>";
    fixture f = split(buf, PX_FORMAT_HTML, NULL);
    ck_assert_uint_eq(px_passages_count(f.p), 1);
    const px_passage *p = get(&f, 0);
    ck_assert_str_eq(p->text, "One & two.\n\nThree.");
    ck_assert(!p->exact);
    ck_assert_uint_eq(p->file_start, strstr(buf, "One") - buf);
    ck_assert_uint_eq(p->file_end, strstr(buf, "Three.") + 6 - buf);
    done(&f);
}
END_TEST

START_TEST(options_and_ownership)
{
    const char *buf = "Title only\n";
    fixture f = split(buf, PX_FORMAT_TEXT, NULL);
    ck_assert_uint_eq(px_passages_count(f.p), 0);
    ck_assert_ptr_null(px_passages_get(f.p, 0));
    done(&f);

    /* max_len 0 means the default; passages outlive their article. */
    px_passage_opts o = {0, 0};
    f = split("T\n\nAlpha.\n\nBeta.", PX_FORMAT_TEXT, &o);
    px_article_destroy(f.a);
    f.a = NULL;
    ck_assert_uint_eq(px_passages_count(f.p), 2);
    ck_assert_str_eq(get(&f, 0)->text, "Alpha.");
    ck_assert_str_eq(get(&f, 1)->text, "Beta.");
    done(&f);

    px_passages *p = (px_passages *)1;
    ck_assert_int_eq(px_passage_split(NULL, NULL, &p), PX_INVALID_ARGUMENT);
    px_passages_destroy(NULL);
    ck_assert_uint_eq(px_passages_count(NULL), 0);
}
END_TEST

START_TEST(large_input)
{
    /* 50 MB: long paragraphs get split, short ones merged, all exact. */
    const char *para = "Quarterly profits at US media giant TimeWarner jumped "
                       "76% to $1.13bn for the three months to December. "
                       "Mr. Parsons said the firm was pleased. ";
    size_t plen = strlen(para);
    size_t len = 50u * 1000 * 1000;
    char *buf = malloc(len + 1);
    ck_assert_ptr_nonnull(buf);
    size_t k = 0;
    for (unsigned int i = 0; k + 64 * plen + 2 < len; i++) {
        size_t reps = 1 + (i * 7919u) % 40; /* 1 to 40 sentences */
        for (size_t r = 0; r < reps; r++, k += plen)
            memcpy(buf + k, para, plen);
        buf[k - 1] = '\n', buf[k++] = '\n';
    }
    buf[k] = '\0';
    fixture f = split(buf, PX_FORMAT_TEXT, NULL);
    size_t n = px_passages_count(f.p);
    ck_assert_uint_gt(n, 30000);
    size_t exact = 0;
    size_t prev = 0;
    for (size_t i = 0; i < n; i++) {
        const px_passage *p = get(&f, i);
        ck_assert_uint_le(p->len, 1200);
        ck_assert_uint_ge(p->file_start, prev);
        prev = p->file_end;
        if (p->exact) {
            exact++;
            ck_assert(memcmp(buf + p->file_start, p->text, p->len) == 0);
        }
    }
    ck_assert_uint_gt(exact, n / 2);
    done(&f);
    free(buf);
}
END_TEST

static Suite *
make_suite(void)
{
    const px_check_case cases[] = {
        {"split_at_sentences", split_at_sentences},
        {"split_not_after_abbreviations", split_not_after_abbreviations},
        {"split_punctuation_and_quotes", split_punctuation_and_quotes},
        {"split_long_sentence_at_words", split_long_sentence_at_words},
        {"split_without_spaces_keeps_utf8", split_without_spaces_keeps_utf8},
        {"quoted_blocks_kept_apart", quoted_blocks_kept_apart},
        {"merge_short_paragraphs", merge_short_paragraphs},
        {"merge_limits", merge_limits},
        {"exact_spans_of_split_block", exact_spans_of_split_block},
        {"spans_of_inexact_blocks", spans_of_inexact_blocks},
        {"options_and_ownership", options_and_ownership},
        {"large_input", large_input},
    };
    return px_check_suite("passage", cases, sizeof cases / sizeof cases[0]);
}

PX_CHECK_MAIN(make_suite)
