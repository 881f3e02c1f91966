/*
 * article.h — from the bytes of a file to an article: title and text blocks.
 *
 * passim reads .txt and .md (title: the first heading, else the first
 * non-empty line), files of other names whose content is text (as .txt),
 * .html/.htm (title from <title>, else the first <h1>;
 * visible text from a real HTML parser, gumbo, with script and style
 * dropped and entities decoded), .eml posts, and .pdf (or any file that
 * starts "%PDF-"): the text of each page as poppler (pdftotext's engine)
 * reads it, in its reading order, each block knowing its page; title and
 * date from the document's metadata when it has them. Binary files are
 * refused (PX_BINARY);
 * invalid UTF-8 is repaired (utf8.h) and the article says how many bytes.
 *
 * An article is a list of blocks, one per paragraph (text) or block element
 * (HTML), each with its clean UTF-8 text and the byte span it came from in
 * the file. When a block's text is byte-for-byte the file's bytes (plain
 * text, valid UTF-8, no markup removed) the block is `exact`, and any
 * sub-span of its text maps to the file by adding file_start. A PDF's
 * blocks span the whole file: its text is not in its bytes.
 */
#ifndef PASSIM_ARTICLE_H
#define PASSIM_ARTICLE_H

#include <stddef.h>

#include "passim/status.h"

typedef enum px_format {
    PX_FORMAT_NONE = 0, /* not an article */
    PX_FORMAT_TEXT,
    PX_FORMAT_MARKDOWN,
    PX_FORMAT_HTML,
    PX_FORMAT_UNKNOWN,  /* read as text when the content is text */
    PX_FORMAT_MAIL,     /* a mail or news post (RFC 5322 headers) */
    PX_FORMAT_PDF       /* a PDF document (read through poppler) */
} px_format;

/* The format for a file name, by its extension (case-insensitive):
 * .txt, .text -> TEXT; .md, .markdown -> MARKDOWN; .html, .htm -> HTML;
 * .eml -> MAIL; .pdf -> PDF;
 * the extensions of images, sound, video, archives, office documents,
 * fonts and programs -> NONE; any other, or none -> UNKNOWN. */
px_format px_article_format_of(const char *path);

/* What an UNKNOWN file holds, by its first bytes: PDF when they are
 * "%PDF-"; TEXT when they are text (valid UTF-8, or repairable with few
 * bytes to repair; no NUL; few control bytes), else NONE. */
px_format px_article_sniff(const char *buf, size_t len);

typedef struct px_block {
    const char *text;  /* UTF-8, NUL-terminated; borrowed from the article */
    size_t len;        /* bytes of text */
    size_t file_start; /* byte span in the file the block came from */
    size_t file_end;
    int exact;         /* text == file bytes [file_start, file_end) */
    int quoted;        /* a post's quoted reply ("> " lines): indexed, but
                        * ranked below the post's own words */
    unsigned page;     /* the PDF page it is on, from 1; 0: not paged */
} px_block;

typedef struct px_article px_article;

/* Parse buf[0, len) as `format`. Returns PX_BINARY for binary data and
 * PX_EMPTY when there is no text at all (no title, no blocks); for a PDF,
 * PX_ENCRYPTED when it needs a password and PX_DAMAGED when poppler
 * cannot read it. Caller owns *out; free with px_article_destroy(). */
px_status px_article_parse(const char *buf, size_t len, px_format format,
                           px_article **out);

/* px_article_parse(), and when it refuses the file, why as a sentence for
 * the user in why[0, size) ("" when the status says it all): "encrypted
 * PDF (needs a password)", "damaged PDF: " and poppler's words. */
px_status px_article_parse_why(const char *buf, size_t len, px_format format,
                               px_article **out, char *why, size_t size);

/* The title (borrowed, valid until destroy; "" when none was found). The
 * title line or heading is not repeated as a block. */
const char *px_article_title(const px_article *a);

size_t px_article_block_count(const px_article *a);
/* Block i (borrowed, valid until destroy). */
const px_block *px_article_block(const px_article *a, size_t i);

/* The article's own date, "YYYY-MM-DD" (borrowed, valid until destroy),
 * or NULL when it gives none. Taken, most trusted first, from a front
 * matter field (`date:`, `published:`, `pubdate:` ...) of a Markdown or
 * text file; an HTML <meta> (name "date", "dc.date", "dcterms.date",
 * "pubdate", property "article:published_time", itemprop "datePublished")
 * or the first <time datetime>; else a dateline at the start of the first
 * or second block ("LISBON, March 16, 2024 — ...", "NAIROBI, 4 December
 * 2023 -", or a block that is only a date). Only a full, valid day counts;
 * a time or zone after it is ignored. */
const char *px_article_date(const px_article *a);

/* A mail or news post's author (its From:, the display name when it has
 * one), or NULL. */
const char *px_article_author(const px_article *a);

/* How many invalid UTF-8 bytes were repaired (0 for clean text). */
size_t px_article_repaired(const px_article *a);

/* What parsing had to leave out or change to stay within its bounds, as a
 * sentence for the user (borrowed, valid until destroy), or NULL when
 * nothing: HTML nested deeper than 256 levels, misnested over and over,
 * or too complex to parse in time (then read as plain paragraphs); the
 * pages of a PDF past 2,000, past 32 MB of text or past its CPU-time
 * deadline. */
const char *px_article_cut(const px_article *a);

void px_article_destroy(px_article *a);

#endif /* PASSIM_ARTICLE_H */
