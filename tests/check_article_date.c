/*
 * check_article_date.c — an article's own date (px_article_date): front
 * matter, HTML meta and <time>, and datelines.
 */
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "passim/article.h"

/* The date of buf parsed as `format`, compared with want (NULL: none). */
static void
expect_date(const char *buf, px_format format, const char *want)
{
    px_article *a = NULL;
    px_status rc = px_article_parse(buf, strlen(buf), format, &a);
    ck_assert_msg(rc == PX_OK, "parse failed: %s", px_status_to_string(rc));
    const char *got = px_article_date(a);
    if (want == NULL)
        ck_assert_msg(got == NULL, "\"%s\": got %s, want none", buf, got);
    else
        ck_assert_msg(got != NULL && strcmp(got, want) == 0,
                      "\"%s\": got %s, want %s", buf,
                      got != NULL ? got : "none", want);
    px_article_destroy(a);
}

START_TEST(front_matter_date)
{
    expect_date("---\ntitle: T\ndate: 2024-03-16\n---\n# T\n\nBody.\n",
                PX_FORMAT_MARKDOWN, "2024-03-16");
    expect_date("---\r\nDate: \"2024-03-16T09:30:00+01:00\"\r\n---\r\nBody.",
                PX_FORMAT_MARKDOWN, "2024-03-16");
    expect_date("---\ndate: March 16, 2024\n---\nBody.", PX_FORMAT_MARKDOWN,
                "2024-03-16");
    expect_date("---\npubDate: Sat, 16 Mar 2024 10:00:00 +0000\n---\nBody.",
                PX_FORMAT_MARKDOWN, "2024-03-16");
    /* date: wins over published:, whatever the order of the lines. */
    expect_date("---\npublished: 2023-01-01\ndate: '2024-03-16'\n---\nB.",
                PX_FORMAT_MARKDOWN, "2024-03-16");
    /* A bad date falls through to the next key. */
    expect_date("---\ndate: soon\npublished: 2023-01-01\n---\nB.",
                PX_FORMAT_MARKDOWN, "2023-01-01");
    /* Plain text may have front matter too; it is not text. */
    px_article *a = NULL;
    const char *txt = "---\ndate: 2024-03-16\n---\nTitle\n\nBody.\n";
    ck_assert_int_eq(px_article_parse(txt, strlen(txt), PX_FORMAT_TEXT, &a),
                     PX_OK);
    ck_assert_str_eq(px_article_date(a), "2024-03-16");
    ck_assert_str_eq(px_article_title(a), "Title");
    px_article_destroy(a);
    /* In plain text, "---" lines around prose are separators. */
    txt = "---\nNot yaml\n---\nBody.\n";
    ck_assert_int_eq(px_article_parse(txt, strlen(txt), PX_FORMAT_TEXT, &a),
                     PX_OK);
    ck_assert_str_eq(px_article_title(a), "---");
    ck_assert_ptr_null(px_article_date(a));
    px_article_destroy(a);
}
END_TEST

START_TEST(front_matter_without_date)
{
    expect_date("---\ntitle: T\n---\nBody.", PX_FORMAT_MARKDOWN, NULL);
    expect_date("---\ndate: 2024-02-30\n---\nBody.", PX_FORMAT_MARKDOWN,
                NULL);
    expect_date("---\ndate: December 2023\n---\nBody.", PX_FORMAT_MARKDOWN,
                NULL);
    expect_date("---\nupdate: 2024-03-16\n---\nBody.", PX_FORMAT_MARKDOWN,
                NULL);
}
END_TEST

START_TEST(html_meta_date)
{
    expect_date("<html><head><title>T</title>"
                "<meta name=\"date\" content=\"2024-03-16\"></head>"
                "<body><p>Body.</p></body></html>",
                PX_FORMAT_HTML, "2024-03-16");
    expect_date("<head><meta property=\"article:published_time\" "
                "content=\"2024-03-16T08:00:00Z\"></head><p>Body.</p>",
                PX_FORMAT_HTML, "2024-03-16");
    expect_date("<head><meta name=\"DC.date\" content=\"16 March 2024\">"
                "</head><p>Body.</p>",
                PX_FORMAT_HTML, "2024-03-16");
    expect_date("<head><meta name=\"description\" content=\"2023-01-01\">"
                "<meta itemprop=\"datePublished\" content=\"2024-03-16\">"
                "</head><p>Body.</p>",
                PX_FORMAT_HTML, "2024-03-16");
    /* A meta date wins over a dateline. */
    expect_date("<head><meta name=\"date\" content=\"2024-03-16\"></head>"
                "<p>LISBON, March 1, 2024 - Body.</p>",
                PX_FORMAT_HTML, "2024-03-16");
}
END_TEST

START_TEST(html_time_date)
{
    expect_date("<h1>T</h1><p>By A. Writer, <time datetime=\"2024-03-16\">"
                "Saturday</time></p><p>Body.</p>",
                PX_FORMAT_HTML, "2024-03-16");
    /* A <time> deep in the text is an event, not the article's date. */
    expect_date("<h1>T</h1><p>One.</p><p>Two.</p><p>Three "
                "<time datetime=\"2024-03-16\">then</time>.</p>",
                PX_FORMAT_HTML, NULL);
}
END_TEST

START_TEST(datelines)
{
    expect_date("Title\n\nLISBON, March 16, 2024 \xE2\x80\x94 Talks began.",
                PX_FORMAT_TEXT, "2024-03-16");
    expect_date("Title\n\nNAIROBI, 4 December 2023 \xE2\x80\x93 Rain.",
                PX_FORMAT_TEXT, "2023-12-04");
    expect_date("Title\n\nMarch 16, 2024 \xE2\x80\x94 Talks began.",
                PX_FORMAT_TEXT, "2024-03-16");
    expect_date("Title\n\nSAN FRANCISCO, Calif., Mar. 16, 2024 (Reuters) - "
                "Shares rose.",
                PX_FORMAT_TEXT, "2024-03-16");
    expect_date("# Title\n\nLONDON, Tuesday, March 19, 2024--Rain.",
                PX_FORMAT_MARKDOWN, "2024-03-19");
    expect_date("# Title\n\nMarch 16, 2024\n\nBody.", PX_FORMAT_MARKDOWN,
                "2024-03-16");
    expect_date("# Title\n\nBy Jane Doe\n\nLISBON, 2024-03-16: Body.",
                PX_FORMAT_MARKDOWN, "2024-03-16");
    expect_date("<h1>T</h1><p>NAIROBI, 4 December 2023 &mdash; Rain.</p>",
                PX_FORMAT_HTML, "2023-12-04");
}
END_TEST

START_TEST(no_dateline)
{
    /* A date inside a sentence is not a dateline. */
    expect_date("Title\n\nTalks began on March 16, 2024 in Lisbon.",
                PX_FORMAT_TEXT, NULL);
    expect_date("Title\n\nMarch 16, 2024 was a cold day.", PX_FORMAT_TEXT,
                NULL);
    /* No year, or a month only: not a full day. */
    expect_date("Title\n\nLONDON, March 16 (Reuters) - Rain.", PX_FORMAT_TEXT,
                NULL);
    expect_date("Title\n\nDecember 2023 \xE2\x80\x94 Rain.", PX_FORMAT_TEXT,
                NULL);
    /* Only the first two blocks. */
    expect_date("Title\n\nOne.\n\nTwo.\n\nLISBON, March 16, 2024 - Three.",
                PX_FORMAT_TEXT, NULL);
    /* Digits before the comma: a sentence, not a place. */
    expect_date("Title\n\nIn 3 cities, March 16, 2024 - x", PX_FORMAT_TEXT,
                NULL);
    expect_date("Title\n\nFebruary 30, 2024 \xE2\x80\x94 x", PX_FORMAT_TEXT,
                NULL);
    ck_assert_ptr_null(px_article_date(NULL));
}
END_TEST

static Suite *
make_suite(void)
{
    const px_check_case cases[] = {
        {"front_matter_date", front_matter_date},
        {"front_matter_without_date", front_matter_without_date},
        {"html_meta_date", html_meta_date},
        {"html_time_date", html_time_date},
        {"datelines", datelines},
        {"no_dateline", no_dateline},
    };
    return px_check_suite("article_date", cases, sizeof cases / sizeof cases[0]);
}

PX_CHECK_MAIN(make_suite)
