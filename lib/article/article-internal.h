/*
 * article-internal.h — what the article module's files share: the article
 * struct, the block builder that text and HTML parsing both feed, and the
 * UTF-8 helpers that work on sub-ranges of a file.
 *
 * Block texts live in one arena, each NUL-terminated, in block order. While
 * an article is being built the arena may move (it grows by realloc), so
 * blocks record only their length; article_finish() points them into the
 * arena once it stops moving.
 */
#ifndef PASSIM_ARTICLE_INTERNAL_H
#define PASSIM_ARTICLE_INTERNAL_H

#include <stddef.h>

#include "passim/article.h"
#include "passim/datecore.h"
#include "passim/status.h"
#include "passim/utf8.h"

struct px_article {
    char *title;         /* owned, never NULL once parsed */
    px_block *blocks;  /* owned */
    size_t count;
    size_t cap;
    char *text;          /* the arena of block texts */
    size_t text_len;
    size_t text_cap;
    size_t repaired;     /* invalid UTF-8 bytes repaired */
    /* Markdown front matter (between the opening and closing "---"),
     * kept raw so that a later reader can pick a `date:` out of it; NULL
     * when the file has none. */
    char *front_matter;
    size_t front_matter_len;
    /* The article's own date, "YYYY-MM-DD", or "" when none was found
     * (px_article_date()). */
    char date[PX_DATECORE_ISO_MAX];
    /* What parsing left out and why, for the user ("" when nothing). */
    char cut[160];
    char *author; /* a post's From: (mail.c), or NULL */
};

/* Make room for `extra` more arena bytes. */
px_status article_reserve(px_article *a, size_t extra);

/* Append s[0, n) to the arena (the block under construction). */
px_status article_append(px_article *a, const char *s, size_t n);

/* Append buf[0, n) to the arena, repairing invalid UTF-8 and counting the
 * repairs in a->repaired. Sets *clean to 1 when nothing needed repair. */
px_status article_append_repaired(px_article *a, const char *buf, size_t n,
                                  int *clean);

/* Close the block whose text started at arena offset `start`: NUL-terminate
 * it and add its descriptor. An empty block is discarded instead. */
px_status article_end_block(px_article *a, size_t start, size_t file_start,
                            size_t file_end, int exact);

/* Set the title to a copy of s[0, n). */
px_status article_set_title(px_article *a, const char *s, size_t n);

/* Point every block's text into the arena; call once building is done. */
void article_finish(px_article *a);

/* Plain text from buf[pos, len): Markdown with TEXT_MARKDOWN; with
 * TEXT_POST, a post's body, whose quoting lines ("> ...") make blocks of
 * their own, marked quoted. */
#define TEXT_MARKDOWN 1
#define TEXT_POST 2
px_status text_parse(px_article *a, const char *buf, size_t len,
                     size_t pos, int flags);

/* Is s[0, n) (a line, blanks at its ends trimmed) data rather than
 * words: base64 of at least JUNK_BASE64_MIN bytes (any length right after
 * such a line: `after_junk`), or a hex dump? */
#define JUNK_BASE64_MIN 40
int junk_line(const char *s, size_t n, int after_junk);

/* A post: title, date and author from its headers, its body as text
 * without the signature; plain text when it has no post's headers. */
px_status mail_parse(px_article *a, const char *buf, size_t len,
                     size_t skip);

/* Where the line at buf[p] ends (its '\n', else len). */
size_t mail_line_end(const char *buf, size_t len, size_t p);

/* Where a post's signature starts in buf[body, len) (the last "-- "
 * alone on a line), else len. */
size_t mail_signature_start(const char *buf, size_t len, size_t body);

/* A post's MIME headers (mail.c reads them, mime.c decodes the body):
 * the spans of its Content-Type and Content-Transfer-Encoding values. */
typedef struct mail_mime {
    size_t type_s, type_e, cte_s, cte_e;
} mail_mime;

/* Whether a body so labelled needs MIME decoding: multipart, not plain
 * text, a charset other than UTF-8, base64 or quoted-printable. */
int mime_body_needs_decoding(const char *buf, mail_mime m);

/* Read the MIME body at buf[body, len) into a (mime.c). */
px_status mime_body(px_article *a, const char *buf, size_t len,
                    size_t body, mail_mime m);

/* Header text s[0, n) with its RFC 2047 encoded words decoded to UTF-8
 * (other bytes as they are). Caller frees *out. */
px_status mime_decode_words(const char *s, size_t n, char **out,
                            size_t *out_len);

/* Parse HTML buf[0, len), where the text proper starts at `skip` (after a
 * BOM), into the empty article `a`; kind is the buffer's classification. */
px_status html_parse(px_article *a, const char *buf, size_t len,
                     size_t skip, px_text_kind kind);

/* Taming hostile HTML before gumbo sees it (htmltame.c). A page whose
 * open elements would nest deeper than HTML_TAME_DEPTH, or that misnests
 * formatting elements over blocks more than HTML_TAME_MISNESTED times,
 * makes gumbo's work grow with the square of its size. */
#define HTML_TAME_DEPTH 256
#define HTML_TAME_MISNESTED 1024

typedef struct tame_map {
    size_t out; /* rewritten offset where a run copied from the input starts */
    size_t in;  /* its offset in the input */
} tame_map;

typedef struct html_tamed {
    char *text; /* the rewritten markup, NUL-terminated; owned */
    size_t len;
    tame_map *map; /* owned */
    size_t nmap;
    size_t dropped; /* start tags past the depth cap: left out or made
                     * siblings */
} html_tamed;

/* Whether buf[0, len) needs taming (one linear scan). */
int html_needs_taming(const char *buf, size_t len);

/* Rewrite buf[0, len) into *out: balanced and depth-capped, or, when
 * `flat`, text and paragraph breaks only. Free with html_tamed_free(). */
px_status html_tame(const char *buf, size_t len, int flat, html_tamed *out);

/* The input offset of rewritten offset `pos`. */
size_t html_tamed_offset(const html_tamed *t, size_t pos);

void html_tamed_free(html_tamed *t);

/* The calling thread's CPU time in seconds (the monotonic clock when the
 * system has no such clock), for the deadlines of gumbo and poppler. */
double article_cpu_now(void);

/* A sanitizer build runs gumbo three times slower (a tamed page of
 * 200,000 tags: 0.39 s, 1.11 s under ASan + UBSan), and its deadline
 * stretches to match, lest a linear parse on a busy machine be read flat.
 * poppler's deadline stretches alike. */
#if defined(__SANITIZE_ADDRESS__)
#define DEADLINE_STRETCH 4.0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define DEADLINE_STRETCH 4.0
#endif
#endif
#ifndef DEADLINE_STRETCH
#define DEADLINE_STRETCH 1.0
#endif

/* Read the PDF buf[0, len) into the empty article `a` through poppler:
 * each page's paragraphs as blocks that know their page, the title and
 * date from the document's metadata. PX_ENCRYPTED or PX_DAMAGED when
 * poppler cannot open it, with a sentence saying so in why[0, size).
 * Bounded: PDF_PAGES_MAX pages, PDF_TEXT_MAX bytes of text and a CPU-time
 * deadline, the cut said in a->cut. */
#define PDF_PAGES_MAX 2000
#define PDF_TEXT_MAX ((size_t)32 << 20)
px_status pdf_parse(px_article *a, const char *buf, size_t len, char *why,
                    size_t size);

/* For tests only: read at most `pages` pages of a PDF, within `seconds`
 * of CPU time (0: the defaults). */
void pdf_test_limits(unsigned pages, double seconds);

/* For tests only: gumbo runs out of budget after `calls` allocations in
 * every later parse (0 restores the CPU-time deadline alone). */
void html_test_limit_allocations(unsigned long calls);

/* Set a->date from a field value (front matter, HTML meta) holding a full
 * date; returns whether it did. A date already set is kept. */
int article_date_from_field(px_article *a, const char *s, size_t n);

/* Find the article's date once parsing is done (artdate.c): front matter,
 * then a dateline; a date html.c already set is kept. */
void article_find_date(px_article *a);

/* The length of the longest valid UTF-8 prefix of buf[0, len). */
size_t utf8_valid_prefix(const char *buf, size_t len);

/* Repair buf[0, len) into out (NULL: only measure). Returns the output
 * length; *repaired (may be NULL) receives the bytes repaired. The output
 * needs at most 3 * len bytes. */
size_t utf8_repair_into(const char *buf, size_t len, char *out,
                        size_t *repaired);

/* Like utf8_repair_into() but writing into a fresh buffer and recording
 * where each repair happened, so that offsets into the repaired text can be
 * mapped back to the file with utf8_map_offset(). Caller owns *out and
 * *marks; free both with free(). */
typedef struct utf8_mark {
    size_t out_end; /* output offset just after a repaired byte's expansion */
    size_t extra;   /* output bytes added by all repairs up to this one */
} utf8_mark;

px_status utf8_repair_marked(const char *buf, size_t len, char **out,
                             size_t *out_len, utf8_mark **marks,
                             size_t *nmarks);

/* The input offset for output offset `pos` of a marked repair. */
size_t utf8_map_offset(const utf8_mark *marks, size_t nmarks, size_t pos);

#endif /* PASSIM_ARTICLE_INTERNAL_H */
