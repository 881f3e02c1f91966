/*
 * pdf.c — PDF documents through poppler-glib, the engine of pdftotext.
 *
 * Each page's text comes in poppler's reading order, one line per text
 * line. Lines are gathered into paragraphs: a paragraph ends at an empty
 * line, and where the gap to the next line is more than half a line's
 * height (poppler's own text joins paragraphs with a bare newline, so
 * the gap is read from the layout it gives each character). Within a
 * paragraph, lines are unwrapped with a space, and a word hyphenated at
 * a line's end ("inter-" / "national") is joined whole. Paragraphs never
 * run across pages: each block knows the page it is on.
 *
 * The title is the document's metadata title, else its first line; the
 * date is its creation (else modification) date. A PDF's text is not in
 * its bytes, so every block spans the whole file and none is exact.
 *
 * poppler cannot be interrupted within a page, so the bounds hold between
 * pages: at most PDF_PAGES_MAX pages, PDF_TEXT_MAX bytes of text, and a
 * thread CPU-time deadline of 2 s plus 1 s per MB of file (stretched in a
 * sanitizer build, as html.c's). What they leave out is said in a->cut.
 * poppler's complaints about damaged files go to GLib's log; they are
 * kept from stderr, and the first one names the damage in `why`.
 */
#include <poppler.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "article-internal.h"

/* A line longer than this is not taken for a title (article.c's too). */
#define TITLE_LINE_MAX 300

/* The first complaint poppler logs on this thread while capture is set. */
static _Thread_local char *capture;
static _Thread_local size_t capture_size;

static void
on_poppler_log(const gchar *domain, GLogLevelFlags level, const gchar *msg,
               gpointer data)
{
    (void)domain, (void)level, (void)data;
    if (capture == NULL || capture[0] != '\0' || msg == NULL)
        return;
    /* "Syntax error at position 12: Couldn't find trailer dictionary" */
    const char *colon = strstr(msg, ": ");
    snprintf(capture, capture_size, "%s", colon != NULL ? colon + 2 : msg);
}

static void
quiet_poppler(void)
{
    static gsize done;
    if (g_once_init_enter(&done)) {
        g_log_set_handler("Poppler", G_LOG_LEVEL_MASK | G_LOG_FLAG_FATAL |
                                         G_LOG_FLAG_RECURSION,
                          on_poppler_log, NULL);
        g_once_init_leave(&done, 1);
    }
}

/* Tests shrink the bounds to reach the cuts with small files (0: the
 * defaults). */
static unsigned test_pages;
static double test_seconds;

void
pdf_test_limits(unsigned pages, double seconds)
{
    test_pages = pages;
    test_seconds = seconds;
}

typedef struct reader {
    px_article *a;
    size_t file_len;
    unsigned page;     /* the page being read, from 1 */
    size_t para;       /* arena offset of the open paragraph */
    int open;          /* a paragraph is being gathered */
    int hyphen;        /* it ends in a hyphen that joins words */
    int want_title;    /* no metadata title: the first line is the title */
    int first;         /* no line read yet */
    size_t taken;      /* bytes of text kept */
    int full;          /* PDF_TEXT_MAX reached */
} reader;

/* A line of a page's text: bytes [s, e), trimmed, and the vertical extent
 * of its characters (no extent: top > bottom). */
typedef struct pdf_line {
    size_t s, e;
    size_t next; /* where the next line starts */
    double top, bottom;
} pdf_line;

static px_status
flush(reader *r)
{
    if (!r->open)
        return PX_OK;
    r->open = 0;
    size_t before = r->a->count;
    px_status rc = article_end_block(r->a, r->para, 0, r->file_len, 0);
    if (rc == PX_OK && r->a->count > before)
        r->a->blocks[r->a->count - 1].page = r->page;
    return rc;
}

static int
lower_start(const char *s, size_t n)
{
    return n > 0 && s[0] >= 'a' && s[0] <= 'z';
}

/* Whether a line ending s[0, n) breaks a word with a hyphen: a letter
 * before the '-'. */
static int
hyphen_end(const char *s, size_t n)
{
    return n >= 2 && s[n - 1] == '-' &&
           ((s[n - 2] >= 'a' && s[n - 2] <= 'z') ||
            (s[n - 2] >= 'A' && s[n - 2] <= 'Z'));
}

/* Add line text s[0, n) (not empty) to the open paragraph, or open one. */
static px_status
add_line(reader *r, const char *s, size_t n)
{
    px_article *a = r->a;
    if (r->taken + n > PDF_TEXT_MAX) {
        r->full = 1;
        return PX_OK;
    }
    px_status rc = PX_OK;
    int dummy = 0;
    if (r->open && r->hyphen && lower_start(s, n))
        a->text_len--; /* "inter-" + "national" */
    else if (r->open)
        rc = article_append(a, " ", 1);
    if (!r->open)
        r->open = 1, r->para = a->text_len;
    if (rc == PX_OK)
        rc = article_append_repaired(a, s, n, &dummy);
    r->hyphen = hyphen_end(s, n);
    r->taken += n + 1;
    return rc;
}

static int
line_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

/* A new paragraph starts at `cur` after `prev`: it lies more than half a
 * line's height below, or above (a new column). */
static int
gap_breaks(const pdf_line *prev, const pdf_line *cur)
{
    if (prev->top > prev->bottom || cur->top > cur->bottom)
        return 0;
    double height = prev->bottom - prev->top;
    return cur->top < prev->top || cur->top - prev->bottom > 0.5 * height;
}

/* The next line of text[0, len) from pos; its extent from rects (one per
 * character of the text, or NULL) counted from character *ci. */
static pdf_line
next_line(const char *text, size_t len, size_t pos, const PopplerRectangle *rects,
          guint nrects, guint *ci)
{
    pdf_line l = {.s = pos, .top = 1, .bottom = 0};
    size_t e = pos;
    while (e < len && text[e] != '\n') {
        unsigned char c = (unsigned char)text[e];
        if (rects != NULL && *ci < nrects && (c & 0xC0) != 0x80 &&
            !line_blank((char)c)) {
            const PopplerRectangle *rc = &rects[*ci];
            double top = rc->y1 < rc->y2 ? rc->y1 : rc->y2;
            double bottom = rc->y1 < rc->y2 ? rc->y2 : rc->y1;
            if (l.top > l.bottom || top < l.top)
                l.top = top;
            if (l.top > l.bottom || bottom > l.bottom)
                l.bottom = bottom;
        }
        if ((c & 0xC0) != 0x80)
            ++*ci;
        e++;
    }
    if (e < len)
        ++*ci; /* the newline has its rectangle too */
    l.e = e;
    l.next = e < len ? e + 1 : len;
    while (l.s < l.e && line_blank(text[l.s]))
        l.s++;
    while (l.e > l.s && line_blank(text[l.e - 1]))
        l.e--;
    return l;
}

/* One non-empty line: the title, or a paragraph's text. */
static px_status
take_line(reader *r, const char *s, size_t n)
{
    int first = r->first;
    r->first = 0;
    if (first && !r->want_title && strlen(r->a->title) == n &&
        memcmp(r->a->title, s, n) == 0)
        return PX_OK; /* the title again, as the first line */
    if (r->want_title && n <= TITLE_LINE_MAX) {
        r->want_title = 0;
        return article_set_title(r->a, s, n);
    }
    if (r->want_title) {
        px_status rc = article_set_title(r->a, s, n); /* capped there */
        r->want_title = 0;
        if (rc != PX_OK)
            return rc;
    }
    return add_line(r, s, n);
}

/* The paragraphs of one page's text. rects may be NULL (no layout). */
static px_status
read_text(reader *r, const char *text, const PopplerRectangle *rects,
          guint nrects)
{
    size_t len = strlen(text), pos = 0;
    guint ci = 0;
    pdf_line prev = {.top = 1, .bottom = 0};
    px_status rc = PX_OK;
    while (rc == PX_OK && pos < len && !r->full) {
        pdf_line l = next_line(text, len, pos, rects, nrects, &ci);
        pos = l.next;
        if (l.s == l.e) {
            rc = flush(r);
            continue;
        }
        if (r->open && gap_breaks(&prev, &l))
            rc = flush(r);
        if (rc == PX_OK)
            rc = take_line(r, text + l.s, l.e - l.s);
        prev = l;
    }
    return rc == PX_OK ? flush(r) : rc;
}

static px_status
read_page(reader *r, PopplerPage *page)
{
    char *text = poppler_page_get_text(page);
    if (text == NULL)
        return PX_OK;
    PopplerRectangle *rects = NULL;
    guint nrects = 0;
    if (!poppler_page_get_text_layout(page, &rects, &nrects) ||
        nrects != (guint)g_utf8_strlen(text, -1)) {
        g_free(rects); /* no layout to trust: empty lines alone break */
        rects = NULL, nrects = 0;
    }
    px_status rc = read_text(r, text, rects, nrects);
    g_free(rects);
    g_free(text);
    return rc;
}

static double
deadline_for(size_t len)
{
    if (test_seconds > 0)
        return test_seconds;
    return DEADLINE_STRETCH * (2.0 + 1.0 * (double)len / 1e6);
}

/* Read pages in order until done or a bound is reached, said in a->cut. */
static px_status
read_pages(reader *r, PopplerDocument *doc)
{
    int n = poppler_document_get_n_pages(doc);
    unsigned cap = test_pages > 0 ? test_pages : PDF_PAGES_MAX;
    double deadline = article_cpu_now() + deadline_for(r->file_len);
    px_status rc = PX_OK;
    int i = 0;
    for (; rc == PX_OK && i < n && (unsigned)i < cap && !r->full; i++) {
        if (i > 0 && article_cpu_now() > deadline)
            break;
        PopplerPage *page = poppler_document_get_page(doc, i);
        r->page = (unsigned)i + 1;
        if (page != NULL)
            rc = read_page(r, page);
        if (page != NULL)
            g_object_unref(page);
    }
    if (rc != PX_OK || i >= n)
        return rc;
    char *cut = r->a->cut;
    size_t size = sizeof r->a->cut;
    if (r->full)
        snprintf(cut, size, "text past %zu MB left out (from page %d of %d)",
                 PDF_TEXT_MAX >> 20, i, n);
    else if ((unsigned)i >= cap)
        snprintf(cut, size, "pages %d to %d left out (passim reads the "
                 "first %u pages of a PDF)", i + 1, n, cap);
    else
        snprintf(cut, size, "pages %d to %d left out: not read within %.1f s "
                 "of CPU time", i + 1, n, deadline_for(r->file_len));
    return rc;
}

/* The metadata title, when it has a word; *has says whether it did. */
static px_status
meta_title(px_article *a, PopplerDocument *doc, int *has)
{
    char *t = poppler_document_get_title(doc);
    px_status rc = PX_OK;
    *has = 0;
    if (t != NULL) {
        char *s = g_strstrip(t);
        if (*s != '\0' && g_utf8_validate(s, -1, NULL)) {
            rc = article_set_title(a, s, strlen(s));
            *has = 1;
        }
    }
    g_free(t);
    return rc;
}

static void
meta_date(px_article *a, PopplerDocument *doc)
{
    GDateTime *d = poppler_document_get_creation_date_time(doc);
    if (d == NULL)
        d = poppler_document_get_modification_date_time(doc);
    if (d == NULL)
        return;
    char *iso = g_date_time_format(d, "%Y-%m-%d");
    if (iso != NULL)
        (void)article_date_from_field(a, iso, strlen(iso));
    g_free(iso);
    g_date_time_unref(d);
}

/* Why poppler would not open the file, as a status and a sentence. */
static px_status
open_failed(const GError *err, const char *logged, char *why, size_t size)
{
    if (err != NULL && err->domain == POPPLER_ERROR &&
        err->code == POPPLER_ERROR_ENCRYPTED) {
        snprintf(why, size, "encrypted PDF (needs a password)");
        return PX_ENCRYPTED;
    }
    const char *msg = err != NULL ? err->message : "poppler cannot read it";
    if (logged[0] != '\0')
        snprintf(why, size, "damaged PDF: %s (%s)", msg, logged);
    else
        snprintf(why, size, "damaged PDF: %s", msg);
    return PX_DAMAGED;
}

static px_status
read_document(px_article *a, PopplerDocument *doc, size_t len)
{
    int has_title = 0;
    px_status rc = meta_title(a, doc, &has_title);
    meta_date(a, doc);
    reader r = {.a = a, .file_len = len, .want_title = !has_title,
                .first = 1};
    if (rc == PX_OK)
        rc = read_pages(&r, doc);
    return rc;
}

px_status
pdf_parse(px_article *a, const char *buf, size_t len, char *why,
          size_t size)
{
    char logged[128] = "", none[1];
    if (why == NULL || size == 0)
        why = none, size = sizeof none;
    quiet_poppler();
    capture = logged, capture_size = sizeof logged;
    GBytes *bytes = g_bytes_new_static(buf, len);
    GError *err = NULL;
    PopplerDocument *doc = poppler_document_new_from_bytes(bytes, NULL, &err);
    px_status rc = doc != NULL ? read_document(a, doc, len)
                               : open_failed(err, logged, why, size);
    capture = NULL;
    if (doc != NULL)
        g_object_unref(doc);
    if (err != NULL)
        g_error_free(err);
    g_bytes_unref(bytes);
    return rc;
}
