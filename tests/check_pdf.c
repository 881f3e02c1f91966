/*
 * check_pdf.c — PDF documents to articles through poppler: pages, their
 * paragraphs and page numbers, metadata, and the files poppler refuses.
 *
 * The PDFs are written here, by hand: Helvetica text lines, an Info
 * dictionary, and for the encrypted one a standard security handler whose
 * user password is not empty.
 */
#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/article/article-internal.h" /* pdf_test_limits */
#include "check_main.h"
#include "passim/article.h"
#include "passim/passage.h"

typedef struct pdfbuf {
    char *s;
    size_t len;
    size_t off[64]; /* offset of object i */
    int nobj;
} pdfbuf;

static void
put(pdfbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    ck_assert_int_ge(n, 0);
    b->s = realloc(b->s, b->len + (size_t)n + 1);
    ck_assert_ptr_nonnull(b->s);
    va_start(ap, fmt);
    vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

static void
obj(pdfbuf *b, const char *body)
{
    b->off[++b->nobj] = b->len;
    put(b, "%d 0 obj\n%s\nendobj\n", b->nobj, body);
}

/* The content stream of one page: its lines top down, 13 points apart;
 * an empty line leaves a gap (which reads as a paragraph break). */
static char *
page_content(const char *const *lines)
{
    pdfbuf c = {0};
    put(&c, "BT /F1 10 Tf 13 TL 56 780 Td\n");
    for (size_t i = 0; lines[i] != NULL; i++)
        put(&c, lines[i][0] != '\0' ? "(%s) Tj T*\n" : "T* T*\n", lines[i]);
    put(&c, "ET\n");
    return c.s;
}

/* A PDF of `npages` pages (each a NULL-ended list of lines); info is the
 * Info dictionary's entries or NULL; encrypted adds a security handler. */
static pdfbuf
make_pdf(const char *const *const *pages, int npages, const char *info,
         int encrypted)
{
    pdfbuf b = {0};
    char body[4096];
    put(&b, "%%PDF-1.4\n%%\xE2\xE3\xCF\xD3\n");
    obj(&b, "<< /Type /Catalog /Pages 2 0 R >>");
    int n = snprintf(body, sizeof body, "<< /Type /Pages /Count %d /Kids [",
                     npages);
    for (int i = 0; i < npages; i++)
        n += snprintf(body + n, sizeof body - (size_t)n, "%d 0 R ", 5 + 2 * i);
    snprintf(body + n, sizeof body - (size_t)n, "] >>");
    obj(&b, body);
    obj(&b, "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica "
            "/Encoding /WinAnsiEncoding >>");
    for (int i = 0; i < npages; i++) {
        char *c = page_content(pages[i]);
        snprintf(body, sizeof body, "<< /Length %zu >>\nstream\n%sendstream",
                 strlen(c), c);
        free(c);
        obj(&b, body);
        snprintf(body, sizeof body, "<< /Type /Page /Parent 2 0 R /MediaBox "
                 "[0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> "
                 "/Contents %d 0 R >>", 4 + 2 * i);
        obj(&b, body);
    }
    snprintf(body, sizeof body, "<< %s >>", info ? info : "");
    obj(&b, body);
    int info_obj = b.nobj;
    if (encrypted)
        obj(&b, "<< /Filter /Standard /V 1 /R 2 /O <4F4F4F4F4F4F4F4F4F4F4F4F"
                "4F4F4F4F4F4F4F4F4F4F4F4F4F4F4F4F4F4F4F4F> /U <5A5A5A5A5A5A"
                "5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A> /P -44 "
                ">>");
    size_t xref = b.len;
    put(&b, "xref\n0 %d\n0000000000 65535 f \n", b.nobj + 1);
    for (int i = 1; i <= b.nobj; i++)
        put(&b, "%010zu 00000 n \n", b.off[i]);
    put(&b, "trailer\n<< /Size %d /Root 1 0 R /Info %d 0 R", b.nobj + 1,
        info_obj);
    if (encrypted)
        put(&b, " /Encrypt %d 0 R /ID [<0123456789ABCDEF0123456789ABCDEF>"
            "<0123456789ABCDEF0123456789ABCDEF>]", b.nobj);
    put(&b, " >>\nstartxref\n%zu\n%%%%EOF\n", xref);
    return b;
}

static const char *const page1[] = {
    "The first paragraph of page one runs over two lines, and its inter-",
    "national word was hyphenated at the end of the first.",
    "",
    "A second paragraph on page one.",
    NULL,
};
static const char *const page2[] = {
    "Page two holds the pagetwoword paragraph.",
    NULL,
};
static const char *const *const two_pages[] = {page1, page2};

#define META "/Title (Metadata Title) /CreationDate (D:20240316120000Z)"

static px_article *
parse_pdf(const pdfbuf *b, px_format f)
{
    px_article *a = NULL;
    char why[200] = "x";
    px_status rc = px_article_parse_why(b->s, b->len, f, &a, why, sizeof why);
    ck_assert_msg(rc == PX_OK, "parse: %s (%s)", px_status_to_string(rc), why);
    ck_assert_str_eq(why, "");
    return a;
}

START_TEST(pages_blocks_and_metadata)
{
    pdfbuf b = make_pdf(two_pages, 2, META, 0);
    px_article *a = parse_pdf(&b, PX_FORMAT_PDF);
    ck_assert_str_eq(px_article_title(a), "Metadata Title");
    ck_assert_str_eq(px_article_date(a), "2024-03-16");
    ck_assert_ptr_null(px_article_cut(a));
    ck_assert_uint_eq(px_article_block_count(a), 3);
    const px_block *b0 = px_article_block(a, 0), *b1 = px_article_block(a, 1),
                     *b2 = px_article_block(a, 2);
    /* Lines unwrapped, the hyphenated word joined. */
    ck_assert_str_eq(b0->text, "The first paragraph of page one runs over two "
                               "lines, and its international word was "
                               "hyphenated at the end of the first.");
    ck_assert_str_eq(b1->text, "A second paragraph on page one.");
    ck_assert_str_eq(b2->text, "Page two holds the pagetwoword paragraph.");
    ck_assert_uint_eq(b0->page, 1);
    ck_assert_uint_eq(b1->page, 1);
    ck_assert_uint_eq(b2->page, 2);
    for (size_t i = 0; i < 3; i++) {
        const px_block *k = px_article_block(a, i);
        ck_assert(!k->exact);
        ck_assert_uint_eq(k->file_start, 0);
        ck_assert_uint_eq(k->file_end, b.len);
    }
    px_article_destroy(a);
    free(b.s);
}
END_TEST

/* Short blocks merge as ever, but not across a page: each passage keeps
 * its page. */
START_TEST(passages_keep_their_page)
{
    pdfbuf b = make_pdf(two_pages, 2, META, 0);
    px_article *a = parse_pdf(&b, PX_FORMAT_PDF);
    px_passages *ps = NULL;
    ck_assert_int_eq(px_passage_split(a, NULL, &ps), PX_OK);
    ck_assert_uint_eq(px_passages_count(ps), 2);
    const px_passage *p0 = px_passages_get(ps, 0);
    const px_passage *p1 = px_passages_get(ps, 1);
    ck_assert_uint_eq(p0->page, 1);
    ck_assert_ptr_nonnull(strstr(p0->text, "A second paragraph"));
    ck_assert_uint_eq(p1->page, 2);
    ck_assert_str_eq(p1->text, "Page two holds the pagetwoword paragraph.");
    px_passages_destroy(ps);
    px_article_destroy(a);
    free(b.s);
}
END_TEST

/* No metadata: the first line is the title, not repeated as a block; a
 * file of another name that starts "%PDF-" is read as one. */
START_TEST(title_from_first_line_and_sniffed)
{
    static const char *const lines[] = {"Report on Wind Farms", "",
                                        "Turbines spin in the windy north.",
                                        NULL};
    static const char *const *const pages[] = {lines};
    pdfbuf b = make_pdf(pages, 1, NULL, 0);
    ck_assert_int_eq(px_article_sniff(b.s, b.len), PX_FORMAT_PDF);
    px_article *a = parse_pdf(&b, PX_FORMAT_UNKNOWN);
    ck_assert_str_eq(px_article_title(a), "Report on Wind Farms");
    ck_assert_ptr_null(px_article_date(a));
    ck_assert_uint_eq(px_article_block_count(a), 1);
    ck_assert_str_eq(px_article_block(a, 0)->text,
                     "Turbines spin in the windy north.");
    ck_assert_uint_eq(px_article_block(a, 0)->page, 1);
    px_article_destroy(a);
    free(b.s);
}
END_TEST

START_TEST(encrypted_refused)
{
    pdfbuf b = make_pdf(two_pages, 2, META, 1);
    px_article *a = (px_article *)1;
    char why[200];
    ck_assert_int_eq(px_article_parse_why(b.s, b.len, PX_FORMAT_PDF, &a, why,
                                          sizeof why),
                     PX_ENCRYPTED);
    ck_assert_ptr_null(a);
    ck_assert_str_eq(why, "encrypted PDF (needs a password)");
    free(b.s);
}
END_TEST

/* Cut short anywhere, a PDF is read in part or refused as damaged, with
 * poppler's words; never a crash. Without its trailer it is refused. */
START_TEST(truncated_refused_or_partial)
{
    pdfbuf b = make_pdf(two_pages, 2, META, 0);
    for (size_t cut = 0; cut <= 16; cut++) {
        size_t len = b.len * cut / 16;
        px_article *a = NULL;
        char why[200];
        px_status rc = px_article_parse_why(b.s, len, PX_FORMAT_PDF, &a, why,
                                            sizeof why);
        ck_assert_msg(rc == PX_OK || rc == PX_DAMAGED || rc == PX_EMPTY,
                      "%zu bytes: %s", len, px_status_to_string(rc));
        if (rc == PX_DAMAGED)
            ck_assert_msg(strncmp(why, "damaged PDF: ", 13) == 0, "%s", why);
        ck_assert(rc == PX_OK ? a != NULL : a == NULL);
        px_article_destroy(a);
    }
    px_article *a = NULL;
    char why[200];
    ck_assert_int_eq(px_article_parse_why(b.s, b.len / 2, PX_FORMAT_PDF, &a,
                                          why, sizeof why),
                     PX_DAMAGED);
    ck_assert_ptr_nonnull(strstr(why, "trailer"));
    const char junk[] = "%PDF-1.7\nnothing of a PDF here\n";
    ck_assert_int_eq(px_article_parse_why(junk, sizeof junk - 1,
                                          PX_FORMAT_UNKNOWN, &a, why,
                                          sizeof why),
                     PX_DAMAGED);
    free(b.s);
}
END_TEST

/* The page cap and the CPU-time deadline stop between pages, and say
 * what they left out. */
START_TEST(bounds_cut_pages)
{
    pdfbuf b = make_pdf(two_pages, 2, META, 0);
    pdf_test_limits(1, 0);
    px_article *a = parse_pdf(&b, PX_FORMAT_PDF);
    pdf_test_limits(0, 0);
    ck_assert_uint_eq(px_article_block_count(a), 2);
    ck_assert_uint_eq(px_article_block(a, 1)->page, 1);
    ck_assert_ptr_nonnull(px_article_cut(a));
    ck_assert_str_eq(px_article_cut(a), "pages 2 to 2 left out (passim reads "
                                        "the first 1 pages of a PDF)");
    px_article_destroy(a);
    pdf_test_limits(0, 1e-9);
    a = parse_pdf(&b, PX_FORMAT_PDF);
    pdf_test_limits(0, 0);
    ck_assert_uint_eq(px_article_block_count(a), 2);
    ck_assert_ptr_nonnull(strstr(px_article_cut(a), "CPU time"));
    px_article_destroy(a);
    free(b.s);
}
END_TEST

/* Pages without text (a scan) and no title: nothing to index. */
START_TEST(no_text_is_empty)
{
    static const char *const none[] = {NULL};
    static const char *const *const pages[] = {none, none};
    pdfbuf b = make_pdf(pages, 2, NULL, 0);
    px_article *a = (px_article *)1;
    ck_assert_int_eq(px_article_parse(b.s, b.len, PX_FORMAT_PDF, &a),
                     PX_EMPTY);
    ck_assert_ptr_null(a);
    free(b.s);
}
END_TEST

static Suite *
make_suite(void)
{
    const px_check_case cases[] = {
        {"pages_blocks_and_metadata", pages_blocks_and_metadata},
        {"passages_keep_their_page", passages_keep_their_page},
        {"title_from_first_line_and_sniffed",
         title_from_first_line_and_sniffed},
        {"encrypted_refused", encrypted_refused},
        {"truncated_refused_or_partial", truncated_refused_or_partial},
        {"bounds_cut_pages", bounds_cut_pages},
        {"no_text_is_empty", no_text_is_empty},
    };
    return px_check_suite("pdf", cases, sizeof cases / sizeof cases[0]);
}

PX_CHECK_MAIN(make_suite)
