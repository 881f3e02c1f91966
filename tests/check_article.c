/*
 * check_article.c — file bytes to articles: text, Markdown and HTML.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/article/article-internal.h" /* html_tame, test limits */
#include "check_main.h"
#include "passim/article.h"

/* Parse a NUL-terminated test input; fails the test on error. */
static px_article *
parse(const char *buf, px_format format)
{
    px_article *a = NULL;
    px_status rc = px_article_parse(buf, strlen(buf), format, &a);
    ck_assert_msg(rc == PX_OK, "parse failed: %s", px_status_to_string(rc));
    ck_assert_ptr_nonnull(a);
    return a;
}

static const px_block *
block(const px_article *a, size_t i)
{
    const px_block *b = px_article_block(a, i);
    ck_assert_ptr_nonnull(b);
    ck_assert_uint_eq(strlen(b->text), b->len);
    return b;
}

/* Every exact block is the file's bytes at its span; every span lies
 * within the file and in order. */
static void
assert_spans(const char *buf, const px_article *a)
{
    size_t len = strlen(buf);
    size_t prev = 0;
    for (size_t i = 0; i < px_article_block_count(a); i++) {
        const px_block *b = block(a, i);
        ck_assert_uint_le(b->file_start, b->file_end);
        ck_assert_uint_le(b->file_end, len);
        ck_assert_uint_ge(b->file_start, prev);
        prev = b->file_end;
        if (b->exact) {
            ck_assert_uint_eq(b->file_end - b->file_start, b->len);
            ck_assert(memcmp(buf + b->file_start, b->text, b->len) == 0);
        }
    }
}

/* The span of block i is exactly the file bytes `want`. */
static void
assert_span_is(const char *buf, const px_article *a, size_t i,
               const char *want)
{
    const px_block *b = block(a, i);
    ck_assert_uint_eq(b->file_end - b->file_start, strlen(want));
    ck_assert(memcmp(buf + b->file_start, want, strlen(want)) == 0);
}

static void
assert_fails(const char *buf, size_t len, px_format format, px_status want)
{
    px_article *a = (px_article *)1;
    ck_assert_int_eq(px_article_parse(buf, len, format, &a), want);
    ck_assert_ptr_null(a);
}

START_TEST(format_by_extension)
{
    ck_assert_int_eq(px_article_format_of("a/b/news.txt"), PX_FORMAT_TEXT);
    ck_assert_int_eq(px_article_format_of("NOTES.TEXT"), PX_FORMAT_TEXT);
    ck_assert_int_eq(px_article_format_of("x.md"), PX_FORMAT_MARKDOWN);
    ck_assert_int_eq(px_article_format_of("x.Markdown"), PX_FORMAT_MARKDOWN);
    ck_assert_int_eq(px_article_format_of("x.HTM"), PX_FORMAT_HTML);
    ck_assert_int_eq(px_article_format_of("x.html"), PX_FORMAT_HTML);
    ck_assert_int_eq(px_article_format_of("x.pdf"), PX_FORMAT_PDF);
    ck_assert_int_eq(px_article_format_of("dir/X.PDF"), PX_FORMAT_PDF);
    ck_assert_int_eq(px_article_format_of("x.docx"), PX_FORMAT_NONE);
    ck_assert_int_eq(px_article_format_of("x.txt.gz"), PX_FORMAT_NONE);
    ck_assert_int_eq(px_article_format_of("x.JPG"), PX_FORMAT_NONE);
    /* Other names are read by their content. */
    ck_assert_int_eq(px_article_format_of("dir.md/README"), PX_FORMAT_UNKNOWN);
    ck_assert_int_eq(px_article_format_of("news/53134"), PX_FORMAT_UNKNOWN);
    ck_assert_int_eq(px_article_format_of(".md"), PX_FORMAT_UNKNOWN);
    ck_assert_int_eq(px_article_format_of("x.mdx"), PX_FORMAT_UNKNOWN);
    ck_assert_int_eq(px_article_format_of("x.log"), PX_FORMAT_UNKNOWN);
    ck_assert_int_eq(px_article_format_of(NULL), PX_FORMAT_NONE);
}
END_TEST

START_TEST(unknown_names_sniffed)
{
    const char *prose = "Port strike\n\nDockers in Rotterdam walked out on "
                        "Monday over pay.\n";
    ck_assert_int_eq(px_article_sniff(prose, strlen(prose)), PX_FORMAT_TEXT);
    /* Windows-1252 prose: a few bytes to repair. */
    const char *latin = "Caf\xe9 society\n\nThe caf\xe9s of Lisbon open "
                        "early, and the pastries go fast.\n";
    ck_assert_int_eq(px_article_sniff(latin, strlen(latin)), PX_FORMAT_TEXT);
    /* Bytes without NULs or control bytes that are not UTF-8 either. */
    char high[512];
    for (size_t i = 0; i < sizeof high; i++)
        high[i] = (char)(0x80 + (i * 37) % 0x7F);
    ck_assert_int_eq(px_article_sniff(high, sizeof high), PX_FORMAT_NONE);
    const char elf[] = "\x7f" "ELF\x02\x01\x01\0\0\0";
    ck_assert_int_eq(px_article_sniff(elf, sizeof elf - 1), PX_FORMAT_NONE);
    /* Parsed as text, or refused as binary. */
    px_article *a = NULL;
    ck_assert_int_eq(px_article_parse(prose, strlen(prose), PX_FORMAT_UNKNOWN,
                                      &a), PX_OK);
    ck_assert_str_eq(px_article_title(a), "Port strike");
    px_article_destroy(a);
    assert_fails(high, sizeof high, PX_FORMAT_UNKNOWN, PX_BINARY);
    assert_fails("", 0, PX_FORMAT_UNKNOWN, PX_EMPTY);
}
END_TEST

/* A MIME mail: encoded words in its headers; a multipart/alternative
 * whose plain part (quoted-printable ISO-8859-1) is read and whose HTML
 * part is not; a base64 KOI8-R part; an attachment left out and said. */
static const char mime_mail[] =
    "From: =?utf-8?q?Zo=C3=AB_=C3=85ngstr=C3=B6m?= <zoe@example.org>\n"
    "To: team@example.org\n"
    "Subject: =?iso-8859-1?q?Re=3A_=DCberweisung_f=FCr?=\n"
    "  =?iso-8859-1?q?_die_Kl=E4ranlage?=\n"
    "Date: Tue, 03 Mar 2026 10:00:00 +0100\n"
    "MIME-Version: 1.0\n"
    "Content-Type: multipart/mixed; boundary=\"outer\"\n"
    "\n"
    "This is a multi-part message in MIME format.\n"
    "--outer\n"
    "Content-Type: multipart/alternative;\n"
    " boundary=\"inner\"\n"
    "\n"
    "--inner\n"
    "Content-Type: text/plain; charset=\"iso-8859-1\"\n"
    "Content-Transfer-Encoding: quoted-printable\n"
    "\n"
    "Die Kl=E4ranlage in G=F6rlitz braucht eine neue Pumpe, sagt die =\n"
    "Stadt.\n"
    "\n"
    "-- \n"
    "Zo=EB\n"
    "--inner\n"
    "Content-Type: text/html; charset=utf-8\n"
    "\n"
    "<p>htmlonlyword</p>\n"
    "--inner--\n"
    "--outer\n"
    "Content-Type: text/plain; charset=koi8-r\n"
    "Content-Transfer-Encoding: base64\n"
    "\n"
    "8NLJ18XUIMnaIO3P08vX2S4=\n"
    "--outer\n"
    "Content-Type: application/octet-stream; name=\"x.bin\"\n"
    "Content-Disposition: attachment; filename=\"x.bin\"\n"
    "Content-Transfer-Encoding: base64\n"
    "\n"
    "AAECAwQFBgcICQ==\n"
    "--outer--\n";

START_TEST(mime_parts_and_charsets)
{
    px_article *a = parse(mime_mail, PX_FORMAT_MAIL);
    ck_assert_str_eq(px_article_title(a), "Überweisung für die Kläranlage");
    ck_assert_str_eq(px_article_author(a), "Zoë Ångström");
    ck_assert_str_eq(px_article_date(a), "2026-03-03");
    ck_assert_uint_eq(px_article_block_count(a), 2);
    ck_assert_str_eq(block(a, 0)->text, "Die Kläranlage in Görlitz braucht "
                     "eine neue Pumpe, sagt die Stadt.");
    ck_assert_str_eq(block(a, 1)->text, "Привет из Москвы.");
    /* Decoded text is not the file's bytes: each block spans its part. */
    const char *plain = strstr(mime_mail, "Die Kl=E4");
    ck_assert(!block(a, 0)->exact);
    ck_assert_uint_le(block(a, 0)->file_start, (size_t)(plain - mime_mail));
    ck_assert_uint_ge(block(a, 0)->file_end, (size_t)(plain - mime_mail));
    ck_assert_ptr_nonnull(strstr(px_article_cut(a), "1 attachment"));
    assert_spans(mime_mail, a);
    px_article_destroy(a);

    /* One part, base64 of UTF-8, no multipart: decoded. And a MIME mail
     * with nothing but an HTML part is read through the HTML reader. */
    a = parse("From: a@example.org\nSubject: b64\nMIME-Version: 1.0\n"
              "Content-Type: text/plain; charset=utf-8\n"
              "Content-Transfer-Encoding: base64\n\n"
              "R3LDvMOfZSBhdXMgS8O2bG4u\n", PX_FORMAT_MAIL);
    ck_assert_str_eq(block(a, 0)->text, "Grüße aus Köln.");
    px_article_destroy(a);
    a = parse("From: a@example.org\nSubject: html\n"
              "Content-Type: text/html; charset=windows-1252\n\n"
              "<html><body><p>Caf\xe9 <b>cr\xe8me</b></p><script>x()</script>"
              "</body></html>\n", PX_FORMAT_MAIL);
    ck_assert_str_eq(px_article_title(a), "html");
    ck_assert_str_eq(block(a, 0)->text, "Café crème");
    px_article_destroy(a);
}
END_TEST

START_TEST(mail_and_news_posts)
{
    /* A news post as 20 Newsgroups has them: headers, a folded one, a
     * quoted reply, a signature. */
    const char *post =
        "From: jdoe@example.edu (Jane Q. Doe)\n"
        "Subject: Re: RE: Fwd: Orbital debris\n"
        " and launch costs\n"
        "Date: Tue, 20 Apr 1993 14:03:11 GMT\n"
        "Organization: Example University\n"
        "Nntp-Posting-Host: ws1.example.edu\n"
        "Lines: 9\n"
        "\n"
        "In article <1@x.org> bob@x.org writes:\n"
        ">Debris is the problem.\n"
        "\n"
        "Launch costs matter more.\n"
        "\n"
        "-- \n"
        "Jane Doe, sigword department\n";
    px_article *a = parse(post, PX_FORMAT_UNKNOWN);
    ck_assert_str_eq(px_article_title(a), "Orbital debris and launch costs");
    ck_assert_str_eq(px_article_author(a), "Jane Q. Doe");
    ck_assert_str_eq(px_article_date(a), "1993-04-20");
    ck_assert_uint_eq(px_article_block_count(a), 2);
    ck_assert_str_eq(block(a, 0)->text, "In article <1@x.org> bob@x.org "
                     "writes:\n>Debris is the problem.");
    ck_assert_str_eq(block(a, 1)->text, "Launch costs matter more.");
    ck_assert(block(a, 0)->quoted);
    ck_assert(!block(a, 1)->quoted);
    assert_spans(post, a);
    px_article_destroy(a);

    /* A mail (.eml), CRLF, an mbox line, a display name in quotes, no
     * subject: the title is the body's first line. */
    const char *mail = "From someone Tue Apr 20 1993\r\n"
                       "From: \"Doe, Jane\" <jane@example.org>\r\n"
                       "To: team@example.org\r\n"
                       "\r\n"
                       "Agenda for Monday\r\n\r\nItem one.\r\n";
    a = parse(mail, PX_FORMAT_MAIL);
    ck_assert_str_eq(px_article_title(a), "Agenda for Monday");
    ck_assert_str_eq(px_article_author(a), "Doe, Jane");
    ck_assert_ptr_null(px_article_date(a));
    ck_assert_str_eq(block(a, 0)->text, "Item one.");
    px_article_destroy(a);
    ck_assert_int_eq(px_article_format_of("inbox/1.EML"), PX_FORMAT_MAIL);

    /* Not posts: a "From:" line alone, headers with no From:, a From:
     * in a paragraph. Their first lines stay the titles. */
    const char *notes[] = {
        "From: the editor\n\nA note.\n",
        "Title: Port strike\nDate: 2024-03-16\n\nDockers walked out.\n",
        "Port strike\nFrom: the editor\nSubject: pay\n\nText.\n",
    };
    const char *titles[] = {"From: the editor", "Title: Port strike",
                            "Port strike"};
    for (size_t i = 0; i < 3; i++) {
        a = parse(notes[i], PX_FORMAT_TEXT);
        ck_assert_str_eq(px_article_title(a), titles[i]);
        ck_assert_ptr_null(px_article_author(a));
        px_article_destroy(a);
    }
}
END_TEST

START_TEST(data_lines_left_out)
{
    const char *buf =
        "Attachment\n"
        "\n"
        "Here is the file.\n"
        "mQCNAitfksQAAAEEAKceEjWI9f5KMJyKP0LOgC5dGHRpbMY2xhOo8kpEHMDyuf8a\n"
        "1BfDQSj53kosTz6HRoshSDzLVuL1/40vPjmMNtFR+vyZ4jvd3rL4iuq2umMmex3M\n"
        "AJIiF6Tsm+YMqBwm==\n"
        "\n"
        "00003020  de 3b 69 23 82 30 59 18 44 71 35 62 92 69 92 db\n"
        "00003030  30 0e 87 53 a9 39 29 28 36 09 1a 15 90 51 dd 78\n"
        "\n"
        "Scores: 12 34 56 78 90 12 34 56 78\n"
        "https://example.com/a/very/long/path/that/is/not/base64/at/all\n"
        "Pneumonoultramicroscopicsilicovolcanoconiosisandmore\n";
    px_article *a = parse(buf, PX_FORMAT_TEXT);
    ck_assert_uint_eq(px_article_block_count(a), 2);
    ck_assert_str_eq(block(a, 0)->text, "Here is the file.");
    /* A table of numbers, a URL and a long word are words. */
    ck_assert(strstr(block(a, 1)->text, "Scores: 12 34") == block(a, 1)->text);
    ck_assert_ptr_nonnull(strstr(block(a, 1)->text, "Pneumono"));
    ck_assert_str_eq(px_article_cut(a),
                     "5 lines of base64 or hex dump left out (data, not words)");
    assert_spans(buf, a);
    px_article_destroy(a);
}
END_TEST

START_TEST(txt_title_and_blocks)
{
    const char *buf = "Ad sales boost profit\n"
                      "\n"
                      "Quarterly profits jumped 76%.\n"
                      "\n"
                      "  The firm, which is now one of the biggest investors,\n"
                      "  benefited from sales.  \n"
                      "\n\n\n"
                      "Last one.";
    px_article *a = parse(buf, PX_FORMAT_TEXT);
    ck_assert_str_eq(px_article_title(a), "Ad sales boost profit");
    ck_assert_uint_eq(px_article_block_count(a), 3);
    ck_assert_str_eq(block(a, 0)->text, "Quarterly profits jumped 76%.");
    /* Newlines and inner indentation stay; the ends are trimmed. */
    ck_assert_str_eq(block(a, 1)->text,
                     "The firm, which is now one of the biggest investors,\n"
                     "  benefited from sales.");
    ck_assert_str_eq(block(a, 2)->text, "Last one.");
    for (size_t i = 0; i < 3; i++)
        ck_assert(block(a, i)->exact);
    assert_spans(buf, a);
    ck_assert_uint_eq(px_article_repaired(a), 0);
    ck_assert_ptr_null(px_article_block(a, 3));
    px_article_destroy(a);
}
END_TEST

START_TEST(txt_title_line_not_repeated)
{
    /* The title line is taken out of its paragraph; the rest stays. */
    const char *buf = "\n\n  Title line  \nsecond line\nthird\n\nNext.\n";
    px_article *a = parse(buf, PX_FORMAT_TEXT);
    ck_assert_str_eq(px_article_title(a), "Title line");
    ck_assert_uint_eq(px_article_block_count(a), 2);
    ck_assert_str_eq(block(a, 0)->text, "second line\nthird");
    ck_assert_str_eq(block(a, 1)->text, "Next.");
    assert_spans(buf, a);
    px_article_destroy(a);

    a = parse("Only a title\n", PX_FORMAT_TEXT);
    ck_assert_str_eq(px_article_title(a), "Only a title");
    ck_assert_uint_eq(px_article_block_count(a), 0);
    px_article_destroy(a);
}
END_TEST

START_TEST(txt_long_first_line)
{
    /* A first line too long to be a title stays a block; the title is its
     * first words. */
    char buf[2000];
    buf[0] = '\0';
    while (strlen(buf) < 1500)
        strcat(buf, "word after word ");
    strcat(buf, "end.\n\nSecond.");
    px_article *a = parse(buf, PX_FORMAT_TEXT);
    const char *t = px_article_title(a);
    ck_assert_uint_gt(strlen(t), 100);
    ck_assert_uint_le(strlen(t), 300);
    ck_assert(strncmp(buf, t, strlen(t)) == 0);
    ck_assert(t[strlen(t) - 1] != ' ');
    ck_assert_uint_eq(px_article_block_count(a), 2);
    ck_assert_uint_eq(block(a, 0)->file_start, 0);
    ck_assert_str_eq(block(a, 1)->text, "Second.");
    assert_spans(buf, a);
    px_article_destroy(a);
}
END_TEST

START_TEST(long_titles_capped_in_every_format)
{
    /* A title of every format is cut at a word within 300 bytes (it is
     * copied into every passage); the text keeps what was cut. */
    static const char *const head[] = {"# ", "<html><head><title>"};
    static const char *const tail[] = {"\n\nBody one.\n",
                                       "</title></head><body><p>Body one."
                                       "</p></body></html>"};
    static const px_format format[] = {PX_FORMAT_MARKDOWN, PX_FORMAT_HTML};
    char *words = malloc(120001), *buf = malloc(121000);
    words[0] = '\0';
    size_t n = 0;
    while (n < 120000 - 8) {
        memcpy(words + n, "caf\xc3\xa9 ab ", 9);
        n += 9;
    }
    words[n] = '\0';
    for (int i = 0; i < 2; i++) {
        snprintf(buf, 121000, "%s%s%s", head[i], words, tail[i]);
        px_article *a = parse(buf, format[i]);
        const char *t = px_article_title(a);
        ck_assert_uint_gt(strlen(t), 150);
        ck_assert_uint_le(strlen(t), 300);
        ck_assert(strncmp(words, t, strlen(t)) == 0);
        ck_assert(t[strlen(t) - 1] != ' ');
        px_article_destroy(a);
    }
    /* No blank at all: cut at a character start, never inside one. */
    memset(words, 'x', 1000);
    memcpy(words + 299, "\xc3\xa9", 2);
    words[1000] = '\0';
    snprintf(buf, 121000, "%s%s%s", head[0], words, tail[0]);
    px_article *a = parse(buf, PX_FORMAT_MARKDOWN);
    ck_assert_uint_eq(strlen(px_article_title(a)), 299);
    px_article_destroy(a);
    free(words);
    free(buf);
}
END_TEST

START_TEST(txt_crlf)
{
    const char *buf = "Title\r\n\r\nPara one\r\nline two\r\n \r\nPara two\r\n";
    px_article *a = parse(buf, PX_FORMAT_TEXT);
    ck_assert_str_eq(px_article_title(a), "Title");
    ck_assert_uint_eq(px_article_block_count(a), 2);
    ck_assert_str_eq(block(a, 0)->text, "Para one\r\nline two");
    ck_assert_str_eq(block(a, 1)->text, "Para two");
    ck_assert(block(a, 0)->exact && block(a, 1)->exact);
    assert_spans(buf, a);
    px_article_destroy(a);
}
END_TEST

START_TEST(txt_bom)
{
    const char *buf = "\xEF\xBB\xBFTitle\n\nBody text.";
    px_article *a = parse(buf, PX_FORMAT_TEXT);
    ck_assert_str_eq(px_article_title(a), "Title");
    ck_assert_uint_eq(px_article_block_count(a), 1);
    ck_assert_str_eq(block(a, 0)->text, "Body text.");
    ck_assert_uint_eq(block(a, 0)->file_start, 10);
    ck_assert(block(a, 0)->exact);
    assert_spans(buf, a);
    px_article_destroy(a);
}
END_TEST

START_TEST(txt_latin1_repaired)
{
    const char *buf = "Caf\xE9 news\n\n"
                      "The caf\xE9 serves \x93" "coffee\x94.\n\n"
                      "Clean para.\n";
    px_article *a = parse(buf, PX_FORMAT_TEXT);
    ck_assert_str_eq(px_article_title(a), "Caf\xC3\xA9 news");
    ck_assert_uint_eq(px_article_block_count(a), 2);
    ck_assert_str_eq(block(a, 0)->text, "The caf\xC3\xA9 serves "
                                        "\xE2\x80\x9C" "coffee\xE2\x80\x9D.");
    ck_assert(!block(a, 0)->exact);
    assert_span_is(buf, a, 0, "The caf\xE9 serves \x93" "coffee\x94.");
    /* A clean block of a repaired file is still exact. */
    ck_assert(block(a, 1)->exact);
    assert_spans(buf, a);
    ck_assert_uint_eq(px_article_repaired(a), 4);
    px_article_destroy(a);
}
END_TEST

START_TEST(md_headings)
{
    const char *buf = "# The *Title* #\n"
                      "\n"
                      "Intro paragraph with **bold**.\n"
                      "## Section two\n"
                      "Body of two.\n"
                      "\n"
                      "### C#\n"
                      "---\n"
                      "#hashtag is text\n";
    px_article *a = parse(buf, PX_FORMAT_MARKDOWN);
    ck_assert_str_eq(px_article_title(a), "The *Title*");
    ck_assert_uint_eq(px_article_block_count(a), 5);
    ck_assert_str_eq(block(a, 0)->text, "Intro paragraph with **bold**.");
    ck_assert(block(a, 0)->exact);
    ck_assert_str_eq(block(a, 1)->text, "Section two");
    ck_assert(!block(a, 1)->exact);
    assert_span_is(buf, a, 1, "Section two");
    ck_assert_str_eq(block(a, 2)->text, "Body of two.");
    ck_assert_str_eq(block(a, 3)->text, "C#");
    ck_assert_str_eq(block(a, 4)->text, "#hashtag is text");
    ck_assert(block(a, 4)->exact);
    assert_spans(buf, a);
    px_article_destroy(a);
}
END_TEST

START_TEST(md_title_without_heading)
{
    /* When the first content is not a heading, the first line is the
     * title and a later heading is an ordinary block. */
    const char *buf = "First line\n\n# Heading\n\nText.";
    px_article *a = parse(buf, PX_FORMAT_MARKDOWN);
    ck_assert_str_eq(px_article_title(a), "First line");
    ck_assert_uint_eq(px_article_block_count(a), 2);
    ck_assert_str_eq(block(a, 0)->text, "Heading");
    ck_assert_str_eq(block(a, 1)->text, "Text.");
    px_article_destroy(a);
}
END_TEST

START_TEST(md_front_matter)
{
    const char *buf = "---\r\n"
                      "title: Ignored\r\n"
                      "date: 2024-03-01\r\n"
                      "---\r\n"
                      "\r\n"
                      "# Real title\r\n"
                      "\r\n"
                      "Body.\r\n";
    px_article *a = parse(buf, PX_FORMAT_MARKDOWN);
    ck_assert_str_eq(px_article_title(a), "Real title");
    ck_assert_uint_eq(px_article_block_count(a), 1);
    ck_assert_str_eq(block(a, 0)->text, "Body.");
    assert_spans(buf, a);
    px_article_destroy(a);

    /* A "---" with no closing line is not front matter. */
    a = parse("---\nnot closed\n\nText.", PX_FORMAT_MARKDOWN);
    ck_assert_str_eq(px_article_title(a), "not closed");
    ck_assert_uint_eq(px_article_block_count(a), 1);
    ck_assert_str_eq(block(a, 0)->text, "Text.");
    px_article_destroy(a);

    const char *only = "---\ndate: 2024-01-01\n---\n";
    assert_fails(only, strlen(only), PX_FORMAT_MARKDOWN, PX_EMPTY);
}
END_TEST

START_TEST(html_title_and_blocks)
{
    const char *buf = "<!DOCTYPE html><html><head><title> My \n Page </title>"
                      "</head><body><h1>Heading</h1><p>First para.</p>"
                      "<div>Div text<p>inner</p>tail</div>"
                      "<ul><li>one</li><li>two</li></ul>"
                      "<table><tr><td>c1</td><td>c2</td></tr></table>"
                      "</body></html>";
    px_article *a = parse(buf, PX_FORMAT_HTML);
    ck_assert_str_eq(px_article_title(a), "My Page");
    const char *want[] = {"Heading", "First para.", "Div text", "inner",
                          "tail",    "one",         "two",      "c1",
                          "c2"};
    ck_assert_uint_eq(px_article_block_count(a), 9);
    for (size_t i = 0; i < 9; i++) {
        ck_assert_str_eq(block(a, i)->text, want[i]);
        ck_assert(!block(a, i)->exact);
        assert_span_is(buf, a, i, want[i]);
    }
    assert_spans(buf, a);
    px_article_destroy(a);
}
END_TEST

START_TEST(html_h1_title)
{
    /* Without <title>, the first <h1> is the title and not a block. */
    const char *buf = "<p>Lead</p><h1>The <em>Big</em> News</h1><p>Body</p>"
                      "<h1>Second</h1>";
    px_article *a = parse(buf, PX_FORMAT_HTML);
    ck_assert_str_eq(px_article_title(a), "The Big News");
    ck_assert_uint_eq(px_article_block_count(a), 3);
    ck_assert_str_eq(block(a, 0)->text, "Lead");
    ck_assert_str_eq(block(a, 1)->text, "Body");
    ck_assert_str_eq(block(a, 2)->text, "Second");
    px_article_destroy(a);

    /* A first heading that repeats <title> is not a block either. */
    a = parse("<title>Same</title><h1>Same</h1><p>Body</p>", PX_FORMAT_HTML);
    ck_assert_str_eq(px_article_title(a), "Same");
    ck_assert_uint_eq(px_article_block_count(a), 1);
    ck_assert_str_eq(block(a, 0)->text, "Body");
    px_article_destroy(a);
}
END_TEST

START_TEST(html_hidden_content_dropped)
{
    const char *buf = "<html><head><style>p { color: red }</style>"
                      "<script>var x = '<p>no</p>';</script></head><body>"
                      "<p>Seen</p><script>document.write('no')</script>"
                      "<style>.x{}</style><noscript>no</noscript>"
                      "<template><p>no</p></template><p hidden>no</p>"
                      "<svg><title>no</title><text>no</text></svg>"
                      "<!-- no --><p>Also <script>no</script>seen</p>"
                      "</body></html>";
    px_article *a = parse(buf, PX_FORMAT_HTML);
    ck_assert_str_eq(px_article_title(a), "");
    ck_assert_uint_eq(px_article_block_count(a), 2);
    ck_assert_str_eq(block(a, 0)->text, "Seen");
    ck_assert_str_eq(block(a, 1)->text, "Also seen");
    px_article_destroy(a);
}
END_TEST

START_TEST(html_entities)
{
    const char *buf = "<p>Fish &amp; chips at the caf&eacute; &#8217;n&#x2019;"
                      " &lt;tag&gt; 5&nbsp;km</p>";
    px_article *a = parse(buf, PX_FORMAT_HTML);
    ck_assert_uint_eq(px_article_block_count(a), 1);
    ck_assert_str_eq(block(a, 0)->text,
                     "Fish & chips at the caf\xC3\xA9 \xE2\x80\x99n\xE2\x80\x99"
                     " <tag> 5 km");
    assert_span_is(buf, a, 0,
                   "Fish &amp; chips at the caf&eacute; &#8217;n&#x2019;"
                   " &lt;tag&gt; 5&nbsp;km");
    px_article_destroy(a);
}
END_TEST

START_TEST(html_nested_inline)
{
    const char *buf = "<p>  One <b>bold <i>and\n\n italic</i></b>,"
                      "<a href='#'>link</a><br>next   line  </p>";
    px_article *a = parse(buf, PX_FORMAT_HTML);
    ck_assert_uint_eq(px_article_block_count(a), 1);
    ck_assert_str_eq(block(a, 0)->text,
                     "One bold and italic,link next line");
    assert_span_is(buf, a, 0,
                   "One <b>bold <i>and\n\n italic</i></b>,"
                   "<a href='#'>link</a><br>next   line");
    px_article_destroy(a);
}
END_TEST

START_TEST(html_repaired_and_bom)
{
    const char *buf = "\xEF\xBB\xBF<title>Caf\xE9</title><p>\x93Hi\x94 there</p>";
    px_article *a = parse(buf, PX_FORMAT_HTML);
    ck_assert_str_eq(px_article_title(a), "Caf\xC3\xA9");
    ck_assert_uint_eq(px_article_repaired(a), 3);
    ck_assert_uint_eq(px_article_block_count(a), 1);
    ck_assert_str_eq(block(a, 0)->text,
                     "\xE2\x80\x9CHi\xE2\x80\x9D there");
    /* The span is in the file's bytes, before repair. */
    assert_span_is(buf, a, 0, "\x93Hi\x94 there");
    px_article_destroy(a);
}
END_TEST

/* A growing buffer for generated pages. */
typedef struct page {
    char *s;
    size_t len;
    size_t cap;
} page;

static void
add(page *p, const char *s)
{
    size_t n = strlen(s);
    if (p->len + n + 1 > p->cap) {
        p->cap = (p->len + n + 1) * 2;
        p->s = realloc(p->s, p->cap);
        ck_assert_ptr_nonnull(p->s);
    }
    memcpy(p->s + p->len, s, n + 1);
    p->len += n;
}

/* All block texts joined by newlines (caller frees). */
static char *
joined(const px_article *a)
{
    page p = {0};
    add(&p, "");
    for (size_t i = 0; i < px_article_block_count(a); i++) {
        add(&p, block(a, i)->text);
        add(&p, "\n");
    }
    return p.s;
}

START_TEST(html_deep_nesting_tamed)
{
    /* 100,000 nested <div>s: gumbo alone walks its whole stack at each,
     * minutes of work; the tamed page keeps every word. */
    page p = {0};
    add(&p, "<title>Deep</title><p>first words</p>");
    for (int i = 0; i < 100000; i++)
        add(&p, i % 1000 == 0 ? "<div>inner " : "<div>");
    add(&p, "<p>last words</p>");
    px_article *a = parse(p.s, PX_FORMAT_HTML);
    ck_assert_str_eq(px_article_title(a), "Deep");
    ck_assert_ptr_nonnull(px_article_cut(a));
    ck_assert_ptr_nonnull(strstr(px_article_cut(a), "deeper than 256"));
    ck_assert_str_eq(block(a, 0)->text, "first words");
    size_t n = px_article_block_count(a);
    ck_assert_str_eq(block(a, n - 1)->text, "last words");
    assert_spans(p.s, a);
    assert_span_is(p.s, a, n - 1, "last words");
    char *all = joined(a);
    size_t inner = 0;
    for (const char *q = all; (q = strstr(q, "inner")) != NULL; q++)
        inner++;
    ck_assert_uint_eq(inner, 100);
    ck_assert_uint_ge(n, 100); /* the blocks stay apart */
    free(all);
    px_article_destroy(a);
    free(p.s);
}
END_TEST

START_TEST(html_misnesting_tamed)
{
    /* The adoption agency's worst case, over and over. */
    page p = {0};
    char w[64];
    for (int i = 0; i < 3000; i++) {
        snprintf(w, sizeof w, "<a><b><div>w%d</a>", i);
        add(&p, w);
    }
    px_article *a = parse(p.s, PX_FORMAT_HTML);
    ck_assert_ptr_nonnull(px_article_cut(a));
    ck_assert_ptr_nonnull(strstr(px_article_cut(a), "misnested"));
    char *all = joined(a);
    const char *at = all;
    for (int i = 0; i < 3000; i++) { /* every word, in order */
        snprintf(w, sizeof w, "w%d\n", i);
        at = strstr(at, w);
        ck_assert_msg(at != NULL, "lost %s", w);
    }
    free(all);
    px_article_destroy(a);
    free(p.s);
}
END_TEST

START_TEST(html_ordinary_pages_untouched)
{
    /* Sloppy but ordinary markup is parsed as is, and its balanced rewrite
     * would read the same: the taming only changes what it must. */
    const char *buf =
        "<!DOCTYPE html><html><head><title>Sloppy</title></head><body>"
        "<p>One<p>Two <b>bold <i>both</b> italic</i>"
        "<ul><li>item one<li>item two<ul><li>inner</ul></ul>"
        "<table><tr><td>cell a<td>cell b<tr><td>cell c</table>"
        "<dl><dt>term<dd>definition</dl><div><span>end</div></span>";
    px_article *a = parse(buf, PX_FORMAT_HTML);
    ck_assert_ptr_null(px_article_cut(a));
    ck_assert_int_eq(html_needs_taming(buf, strlen(buf)), 0);
    html_tamed t;
    ck_assert_int_eq(html_tame(buf, strlen(buf), 0, &t), PX_OK);
    px_article *b = NULL;
    ck_assert_int_eq(px_article_parse(t.text, t.len, PX_FORMAT_HTML, &b),
                     PX_OK);
    char *ja = joined(a), *jb = joined(b);
    ck_assert_str_eq(ja, jb);
    ck_assert_ptr_nonnull(strstr(ja, "item two\ninner\n"));
    free(ja), free(jb);
    px_article_destroy(b);
    html_tamed_free(&t);
    px_article_destroy(a);
}
END_TEST

START_TEST(html_block_before_any_text)
{
    /* Found by fuzz_article (UBSan, clang): a block ends before the arena
     * exists, and NULL + 0 is undefined. */
    const char *buf = "<div><section><p>Only words</p></section></div>";
    px_article *a = parse(buf, PX_FORMAT_HTML);
    ck_assert_uint_eq(px_article_block_count(a), 1);
    ck_assert_str_eq(block(a, 0)->text, "Only words");
    assert_span_is(buf, a, 0, "Only words");
    px_article_destroy(a);
}
END_TEST

START_TEST(html_too_slow_read_flat)
{
    /* A parse that runs out of budget is read again as paragraphs; one
     * that cannot be read even so is refused, not half-indexed. */
    page p = {0};
    add(&p, "<title>Slow</title><meta name=date content=2024-05-06>");
    char w[64];
    for (int i = 0; i < 2000; i++) {
        snprintf(w, sizeof w, "<p><span>w%d</span> <em>&amp;</em>", i);
        add(&p, w);
    }
    html_test_limit_allocations(30000);
    px_article *a = parse(p.s, PX_FORMAT_HTML);
    html_test_limit_allocations(0);
    ck_assert_ptr_nonnull(px_article_cut(a));
    ck_assert_ptr_nonnull(strstr(px_article_cut(a), "plain paragraphs"));
    ck_assert_str_eq(px_article_title(a), "Slow");
    ck_assert_str_eq(px_article_date(a), "2024-05-06");
    ck_assert_uint_eq(px_article_block_count(a), 2000);
    ck_assert_str_eq(block(a, 1999)->text, "w1999 &");
    assert_spans(p.s, a);
    px_article_destroy(a);

    html_test_limit_allocations(10);
    px_article *b = (px_article *)1;
    ck_assert_int_eq(px_article_parse(p.s, p.len, PX_FORMAT_HTML, &b),
                     PX_TOO_COMPLEX);
    html_test_limit_allocations(0);
    ck_assert_ptr_null(b);
    free(p.s);
}
END_TEST

START_TEST(empty_files)
{
    assert_fails("", 0, PX_FORMAT_TEXT, PX_EMPTY);
    assert_fails(NULL, 0, PX_FORMAT_TEXT, PX_EMPTY);
    assert_fails(" \n\t\r\n\n  ", 8, PX_FORMAT_TEXT, PX_EMPTY);
    assert_fails("\xEF\xBB\xBF\n", 4, PX_FORMAT_MARKDOWN, PX_EMPTY);
    assert_fails("#\n\n", 3, PX_FORMAT_MARKDOWN, PX_EMPTY);
    const char *html = "<html><head><script>x()</script></head>"
                       "<body> <p> </p> </body></html>";
    assert_fails(html, strlen(html), PX_FORMAT_HTML, PX_EMPTY);
    assert_fails("", 0, PX_FORMAT_HTML, PX_EMPTY);
}
END_TEST

START_TEST(binary_files)
{
    const char bin[] = "Title\n\nSome text\0\x01\x02 more";
    assert_fails(bin, sizeof bin, PX_FORMAT_TEXT, PX_BINARY);
    assert_fails(bin, sizeof bin, PX_FORMAT_HTML, PX_BINARY);
    char ctl[256];
    for (size_t i = 0; i < sizeof ctl; i++)
        ctl[i] = (char)(i % 3 == 0 ? 0x02 : 'a');
    assert_fails(ctl, sizeof ctl, PX_FORMAT_MARKDOWN, PX_BINARY);
}
END_TEST

START_TEST(bad_arguments)
{
    assert_fails("x", 1, PX_FORMAT_NONE, PX_UNSUPPORTED);
    assert_fails(NULL, 5, PX_FORMAT_TEXT, PX_INVALID_ARGUMENT);
    ck_assert_int_eq(px_article_parse("x", 1, PX_FORMAT_TEXT, NULL),
                     PX_INVALID_ARGUMENT);
    px_article_destroy(NULL);
    ck_assert_str_eq(px_article_title(NULL), "");
    ck_assert_uint_eq(px_article_block_count(NULL), 0);
}
END_TEST

START_TEST(large_text)
{
    /* 50 MB of paragraphs parse, every one a block with an exact span. */
    const char *para = "Quarterly profits at US media giant TimeWarner jumped "
                       "76% to $1.13bn (\xC2\xA3" "600m) for the three months "
                       "to December.\nThe firm benefited from sales.\n\n";
    size_t plen = strlen(para);
    size_t n = 50u * 1000 * 1000 / plen;
    char *buf = malloc(n * plen + 16);
    ck_assert_ptr_nonnull(buf);
    memcpy(buf, "Title\n\n", 7);
    for (size_t i = 0; i < n; i++)
        memcpy(buf + 7 + i * plen, para, plen);
    size_t len = 7 + n * plen;
    px_article *a = NULL;
    ck_assert_int_eq(px_article_parse(buf, len, PX_FORMAT_TEXT, &a), PX_OK);
    ck_assert_uint_eq(px_article_block_count(a), n);
    const px_block *last = block(a, n - 1);
    ck_assert_uint_eq(last->len, plen - 2);
    ck_assert_uint_eq(last->file_end, len - 2);
    ck_assert(last->exact);
    ck_assert(memcmp(buf + last->file_start, last->text, last->len) == 0);
    px_article_destroy(a);
    free(buf);
}
END_TEST

static Suite *
make_suite(void)
{
    const px_check_case cases[] = {
        {"format_by_extension", format_by_extension},
        {"unknown_names_sniffed", unknown_names_sniffed},
        {"mime_parts_and_charsets", mime_parts_and_charsets},
        {"mail_and_news_posts", mail_and_news_posts},
        {"data_lines_left_out", data_lines_left_out},
        {"html_deep_nesting_tamed", html_deep_nesting_tamed},
        {"html_misnesting_tamed", html_misnesting_tamed},
        {"html_ordinary_pages_untouched", html_ordinary_pages_untouched},
        {"html_block_before_any_text", html_block_before_any_text},
        {"html_too_slow_read_flat", html_too_slow_read_flat},
        {"txt_title_and_blocks", txt_title_and_blocks},
        {"txt_title_line_not_repeated", txt_title_line_not_repeated},
        {"txt_long_first_line", txt_long_first_line},
        {"long_titles_capped_in_every_format",
         long_titles_capped_in_every_format},
        {"txt_crlf", txt_crlf},
        {"txt_bom", txt_bom},
        {"txt_latin1_repaired", txt_latin1_repaired},
        {"md_headings", md_headings},
        {"md_title_without_heading", md_title_without_heading},
        {"md_front_matter", md_front_matter},
        {"html_title_and_blocks", html_title_and_blocks},
        {"html_h1_title", html_h1_title},
        {"html_hidden_content_dropped", html_hidden_content_dropped},
        {"html_entities", html_entities},
        {"html_nested_inline", html_nested_inline},
        {"html_repaired_and_bom", html_repaired_and_bom},
        {"empty_files", empty_files},
        {"binary_files", binary_files},
        {"bad_arguments", bad_arguments},
        {"large_text", large_text},
    };
    return px_check_suite("article", cases, sizeof cases / sizeof cases[0]);
}

PX_CHECK_MAIN(make_suite)
