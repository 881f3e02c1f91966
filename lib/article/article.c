/*
 * article.c — format detection, the article builder, plain text and
 * Markdown parsing, and the public article API. HTML is in html.c.
 *
 * Text is parsed on the file's own bytes, line by line: every delimiter
 * that matters (newline, '#', '-') is ASCII, which invalid UTF-8 cannot
 * disturb, so file offsets stay true and only the text of a block that
 * holds invalid bytes is repaired (and loses `exact`).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "article-internal.h"
#include "passim/article.h"

/* A first line longer than this is a paragraph, not a title line: it stays
 * a block, and the title is its first words. */
#define TITLE_MAX 300

/* The line being looked at: its bytes [start, end) without the newline,
 * its content [s, e) without surrounding blanks, and where the next line
 * starts. */
typedef struct line {
    size_t start;
    size_t end;
    size_t s;
    size_t e;
    size_t next;
} line_t;

/* The paragraph being gathered: file span of its content, or open == 0. */
typedef struct para {
    int open;
    int quoted; /* its lines are a quoted reply (TEXT_POST) */
    size_t s;
    size_t e;
} para_t;

static int
lower_ascii(int c)
{
    return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

static int
ext_is(const char *ext, const char *want)
{
    while (*ext != '\0' && *want != '\0' && lower_ascii(*ext) == *want)
        ext++, want++;
    return *ext == '\0' && *want == '\0';
}

/* Extensions of files that are not text, skipped unread. */
static const char *const not_text[] = {
    "7z", "a", "aac", "ai", "apk", "avi", "bin", "bmp", "bz2", "class",
    "db", "deb", "dll", "dmg", "doc", "docx", "dylib", "eot", "epub", "exe",
    "flac", "gif", "gz", "heic", "ico", "img", "iso", "jar", "jpeg", "jpg",
    "m4a", "m4v", "mkv", "mov", "mp3", "mp4", "mpeg", "mpg", "o", "odp",
    "ods", "odt", "ogg", "opus", "otf", "png", "ppt", "pptx", "psd",
    "pyc", "rar", "rpm", "so", "sqlite", "svgz", "tar", "tgz", "tif",
    "tiff", "ttf", "wav", "webm", "webp", "wma", "wmv", "woff", "woff2",
    "xls", "xlsx", "xz", "zip", "zst",
};

px_format
px_article_format_of(const char *path)
{
    if (path == NULL)
        return PX_FORMAT_NONE;
    const char *slash = strrchr(path, '/');
    const char *base = slash != NULL ? slash + 1 : path;
    const char *dot = strrchr(base, '.');
    if (dot == NULL || dot == base)
        return PX_FORMAT_UNKNOWN;
    dot++;
    if (ext_is(dot, "txt") || ext_is(dot, "text"))
        return PX_FORMAT_TEXT;
    if (ext_is(dot, "md") || ext_is(dot, "markdown"))
        return PX_FORMAT_MARKDOWN;
    if (ext_is(dot, "html") || ext_is(dot, "htm"))
        return PX_FORMAT_HTML;
    if (ext_is(dot, "eml"))
        return PX_FORMAT_MAIL;
    if (ext_is(dot, "pdf"))
        return PX_FORMAT_PDF;
    for (size_t i = 0; i < sizeof not_text / sizeof *not_text; i++)
        if (ext_is(dot, not_text[i]))
            return PX_FORMAT_NONE;
    return PX_FORMAT_UNKNOWN;
}

/* How much of a file of unknown name is looked at, and how many of its
 * bytes may need repair for it still to be text: Windows-1252 prose has
 * a few accented letters in a hundred; random bytes have one in two. */
#define SNIFF_BYTES 8192
#define SNIFF_MAX_REPAIRS_PERCENT 5

px_format
px_article_sniff(const char *buf, size_t len)
{
    size_t n = len < SNIFF_BYTES ? len : SNIFF_BYTES, bad = 0;
    if (buf != NULL && len >= 5 && memcmp(buf, "%PDF-", 5) == 0)
        return PX_FORMAT_PDF;
    if (buf == NULL || px_utf8_classify(buf, n) == PX_TEXT_BINARY)
        return PX_FORMAT_NONE;
    /* The sample ends on a character, not inside one cut in two. */
    for (int back = 0; n < len && back < 3 && (buf[n] & 0xC0) == 0x80;
         back++)
        n--;
    utf8_repair_into(buf, n, NULL, &bad);
    return bad * 100 > n * SNIFF_MAX_REPAIRS_PERCENT ? PX_FORMAT_NONE
                                                     : PX_FORMAT_TEXT;
}

/* The builder. */

px_status
article_reserve(px_article *a, size_t extra)
{
    if (a->text_cap - a->text_len >= extra)
        return PX_OK;
    size_t cap = a->text_cap > 0 ? a->text_cap : 4096;
    while (cap - a->text_len < extra) {
        if (cap > SIZE_MAX / 2)
            return PX_NOMEM;
        cap *= 2;
    }
    char *text = realloc(a->text, cap);
    if (text == NULL)
        return PX_NOMEM;
    a->text = text;
    a->text_cap = cap;
    return PX_OK;
}

px_status
article_append(px_article *a, const char *s, size_t n)
{
    px_status rc = article_reserve(a, n);
    if (rc == PX_OK) {
        memcpy(a->text + a->text_len, s, n);
        a->text_len += n;
    }
    return rc;
}

px_status
article_append_repaired(px_article *a, const char *buf, size_t n,
                        int *clean)
{
    if (utf8_valid_prefix(buf, n) == n) {
        *clean = 1;
        return article_append(a, buf, n);
    }
    *clean = 0;
    if (n > SIZE_MAX / 3)
        return PX_NOMEM;
    size_t repaired = 0;
    size_t need = utf8_repair_into(buf, n, NULL, NULL);
    px_status rc = article_reserve(a, need);
    if (rc == PX_OK) {
        a->text_len += utf8_repair_into(buf, n, a->text + a->text_len,
                                        &repaired);
        a->repaired += repaired;
    }
    return rc;
}

px_status
article_end_block(px_article *a, size_t start, size_t file_start,
                  size_t file_end, int exact)
{
    if (a->text_len == start)
        return PX_OK;
    px_status rc = article_append(a, "", 1);
    if (rc == PX_OK && a->count == a->cap) {
        size_t cap = a->cap > 0 ? a->cap * 2 : 64;
        px_block *blocks = realloc(a->blocks, cap * sizeof *blocks);
        if (blocks == NULL)
            rc = PX_NOMEM;
        else
            a->blocks = blocks, a->cap = cap;
    }
    if (rc != PX_OK) {
        a->text_len = start;
        return rc;
    }
    a->blocks[a->count++] = (px_block){
        .text = NULL,
        .len = a->text_len - 1 - start,
        .file_start = file_start,
        .file_end = file_end,
        .exact = exact,
    };
    return PX_OK;
}

/* The length of a title cut to at most TITLE_MAX bytes: at the last
 * blank in its second half, else at a character start. Every format's
 * title comes through here: an HTML <title> or a Markdown heading of 120
 * KB was copied into every passage (a 64 MB index, issue 15). */
static size_t
capped_title(const char *s, size_t n)
{
    if (n <= TITLE_MAX)
        return n;
    for (size_t p = TITLE_MAX; p > TITLE_MAX / 2; p--)
        if (s[p] == ' ' || s[p] == '\t')
            return p;
    size_t e = TITLE_MAX;
    while (e > 0 && ((unsigned char)s[e] & 0xC0) == 0x80)
        e--;
    return e;
}

px_status
article_set_title(px_article *a, const char *s, size_t n)
{
    n = capped_title(s, n);
    char *title = malloc(n + 1);
    if (title == NULL)
        return PX_NOMEM;
    memcpy(title, s, n);
    title[n] = '\0';
    free(a->title);
    a->title = title;
    return PX_OK;
}

void
article_finish(px_article *a)
{
    size_t off = 0;
    for (size_t i = 0; i < a->count; i++) {
        a->blocks[i].text = a->text + off;
        off += a->blocks[i].len + 1;
    }
}

/* Plain text and Markdown. */

static int
blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

/* Read the line starting at pos (pos < len). */
static line_t
read_line(const char *buf, size_t len, size_t pos)
{
    line_t l = {.start = pos};
    const char *nl = memchr(buf + pos, '\n', len - pos);
    l.end = nl != NULL ? (size_t)(nl - buf) : len;
    l.next = nl != NULL ? l.end + 1 : len;
    l.s = l.start;
    l.e = l.end;
    while (l.s < l.e && blank(buf[l.s]))
        l.s++;
    while (l.e > l.s && blank(buf[l.e - 1]))
        l.e--;
    return l;
}

/* The text of a Markdown ATX heading ("## Title ##") in *hs, *he, or 0
 * when the line is not one. Up to three spaces of indent are allowed. */
static int
md_heading(const char *buf, const line_t *l, size_t *hs, size_t *he)
{
    size_t p = l->s;
    size_t hashes = 0;
    if (l->s - l->start > 3)
        return 0;
    while (p < l->e && buf[p] == '#')
        p++, hashes++;
    if (hashes == 0 || hashes > 6 || (p < l->e && !blank(buf[p])))
        return 0;
    size_t e = l->e;
    while (e > p && buf[e - 1] == '#')
        e--;
    if (e > p && !blank(buf[e - 1]))
        e = l->e; /* "# C#" keeps its '#': a closing run follows a blank */
    while (p < e && blank(buf[p]))
        p++;
    while (e > p && blank(buf[e - 1]))
        e--;
    *hs = p;
    *he = e;
    return 1;
}

/* A line of three or more '-', '*', '_' or '=' only (and blanks): a
 * Markdown thematic break or Setext underline, markup and not text. */
static int
md_rule(const char *buf, const line_t *l)
{
    char c = buf[l->s];
    size_t n = 0;
    if (c != '-' && c != '*' && c != '_' && c != '=')
        return 0;
    for (size_t p = l->s; p < l->e; p++) {
        if (buf[p] == c)
            n++;
        else if (!blank(buf[p]))
            return 0;
    }
    return n >= 3;
}

static int
line_is(const char *buf, const line_t *l, const char *what)
{
    size_t n = strlen(what);
    return l->start == l->s && l->e - l->s == n &&
           memcmp(buf + l->s, what, n) == 0;
}

/* Whether the line after the opening "---" is a YAML "key:" line. Plain
 * text asks for it, since "---" lines there may be mere separators. */
static int
key_char(char c)
{
    int l = lower_ascii(c);
    return c == '_' || c == '-' || (c >= '0' && c <= '9') ||
           (l >= 'a' && l <= 'z');
}

static int
yaml_key_line(const char *buf, size_t len, size_t pos)
{
    size_t p = pos;
    while (p < len && key_char(buf[p]))
        p++;
    return p > pos && p < len && buf[p] == ':';
}

/* Skip YAML front matter ("---" on the first line up to a closing "---"
 * or "...") and keep its raw text. Returns where the body starts. */
static px_status
md_front_matter(px_article *a, const char *buf, size_t len, size_t *pos,
                int markdown)
{
    if (*pos >= len)
        return PX_OK;
    line_t open = read_line(buf, len, *pos);
    if (!line_is(buf, &open, "---") ||
        (!markdown && !yaml_key_line(buf, len, open.next)))
        return PX_OK;
    for (size_t p = open.next; p < len;) {
        line_t l = read_line(buf, len, p);
        if (line_is(buf, &l, "---") || line_is(buf, &l, "...")) {
            size_t n = l.start - open.next;
            a->front_matter = malloc(n + 1);
            if (a->front_matter == NULL)
                return PX_NOMEM;
            memcpy(a->front_matter, buf + open.next, n);
            a->front_matter[n] = '\0';
            a->front_matter_len = n;
            *pos = l.next;
            return PX_OK;
        }
        p = l.next;
    }
    return PX_OK;
}

/* Add file bytes [s, e) as a block: exact when they are valid UTF-8 and
 * `markup_removed` is 0. */
static px_status
add_span_block(px_article *a, const char *buf, size_t s, size_t e,
               int markup_removed)
{
    size_t start = a->text_len;
    int clean = 0;
    px_status rc = article_append_repaired(a, buf + s, e - s, &clean);
    if (rc == PX_OK)
        rc = article_end_block(a, start, s, e, clean && !markup_removed);
    return rc;
}

static px_status
flush_para(px_article *a, const char *buf, para_t *p)
{
    if (!p->open)
        return PX_OK;
    p->open = 0;
    size_t before = a->count;
    px_status rc = add_span_block(a, buf, p->s, p->e, 0);
    if (a->count > before)
        a->blocks[a->count - 1].quoted = p->quoted;
    return rc;
}

/* Whether a post's line quotes another post: its text starts with '>',
 * as mail and news readers quote. */
static int
quoting_line(const char *buf, const line_t *l)
{
    return l->s < l->e && buf[l->s] == '>';
}

/* Whether l introduces the quote on the next line ("In article <...>,
 * bob@x.org writes:"): it ends with ':' and the next line quotes. */
static int
attribution_line(const char *buf, size_t len, const line_t *l)
{
    if (l->s == l->e || buf[l->e - 1] != ':' || l->next >= len)
        return 0;
    line_t next = read_line(buf, len, l->next);
    return quoting_line(buf, &next);
}

static px_status
set_title_span(px_article *a, const char *buf, size_t s, size_t e)
{
    size_t start = a->text_len;
    int clean = 0;
    px_status rc = article_append_repaired(a, buf + s, e - s, &clean);
    if (rc == PX_OK)
        rc = article_set_title(a, a->text + start, a->text_len - start);
    a->text_len = start;
    return rc;
}

/* Where to end the title taken from a first line too long to be one: at
 * the last space within TITLE_MAX bytes (ASCII, so never inside a UTF-8
 * sequence), else at a character start. */
static size_t
title_cut(const char *buf, const line_t *l)
{
    size_t e = l->s + TITLE_MAX;
    for (size_t p = e; p > l->s + TITLE_MAX / 2; p--)
        if (blank(buf[p]))
            return p;
    while (e > l->s && ((unsigned char)buf[e] & 0xC0) == 0x80)
        e--;
    return e;
}

/* One non-blank line: the title, a heading, a rule, or paragraph text. */
static px_status
text_line(px_article *a, const char *buf, const line_t *l, int markdown,
          para_t *para)
{
    size_t hs = 0;
    size_t he = 0;
    int heading = markdown && md_heading(buf, l, &hs, &he);
    if (heading && he == hs)
        return PX_OK; /* an empty heading says nothing */
    if (markdown && !heading && md_rule(buf, l))
        return flush_para(a, buf, para);
    if (a->title == NULL && (heading || l->e - l->s <= TITLE_MAX))
        return heading ? set_title_span(a, buf, hs, he)
                       : set_title_span(a, buf, l->s, l->e);
    if (a->title == NULL) {
        px_status rc = set_title_span(a, buf, l->s, title_cut(buf, l));
        if (rc != PX_OK)
            return rc;
    }
    if (heading) {
        px_status rc = flush_para(a, buf, para);
        if (rc == PX_OK)
            rc = add_span_block(a, buf, hs, he, 1);
        return rc;
    }
    if (!para->open)
        para->open = 1, para->s = l->s;
    para->e = l->e;
    return PX_OK;
}

px_status
text_parse(px_article *a, const char *buf, size_t len, size_t pos,
           int flags)
{
    para_t para = {0};
    int markdown = (flags & TEXT_MARKDOWN) != 0;
    /* Plain text may carry front matter too (notes exported from static
     * site tools do); it holds the article's date, not its text. */
    px_status rc = md_front_matter(a, buf, len, &pos, markdown);
    size_t junk = 0;
    int is_junk = 0;
    while (rc == PX_OK && pos < len) {
        line_t l = read_line(buf, len, pos);
        is_junk = l.s < l.e && junk_line(buf + l.s, l.e - l.s, is_junk);
        junk += is_junk;
        int quoted = (flags & TEXT_POST) &&
                     (quoting_line(buf, &l) || attribution_line(buf, len, &l));
        if (l.s == l.e || is_junk || (para.open && para.quoted != quoted))
            rc = flush_para(a, buf, &para);
        if (rc == PX_OK && l.s != l.e && !is_junk) {
            if (!para.open)
                para.quoted = quoted;
            rc = text_line(a, buf, &l, markdown, &para);
        }
        pos = l.next;
    }
    if (rc == PX_OK)
        rc = flush_para(a, buf, &para);
    if (junk > 0 && a->cut[0] == '\0')
        snprintf(a->cut, sizeof a->cut, "%zu line%s of base64 or hex dump "
                 "left out (data, not words)", junk, junk == 1 ? "" : "s");
    return rc;
}

/* The public API. */

static size_t
bom_len(const char *buf, size_t len)
{
    return len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
}

px_status
px_article_parse(const char *buf, size_t len, px_format format,
                 px_article **out)
{
    return px_article_parse_why(buf, len, format, out, NULL, 0);
}

px_status
px_article_parse_why(const char *buf, size_t len, px_format format,
                     px_article **out, char *why, size_t size)
{
    if (out != NULL)
        *out = NULL;
    if (why != NULL && size > 0)
        why[0] = '\0';
    if (out == NULL || (buf == NULL && len > 0))
        return PX_INVALID_ARGUMENT;
    if (format == PX_FORMAT_UNKNOWN && len > 0 &&
        (format = px_article_sniff(buf, len)) == PX_FORMAT_NONE)
        return PX_BINARY;
    if (format == PX_FORMAT_UNKNOWN)
        format = PX_FORMAT_TEXT;
    if (format != PX_FORMAT_TEXT && format != PX_FORMAT_MARKDOWN &&
        format != PX_FORMAT_HTML && format != PX_FORMAT_MAIL &&
        format != PX_FORMAT_PDF)
        return PX_UNSUPPORTED;
    /* A PDF is binary by nature; poppler reads it. */
    px_text_kind kind = format == PX_FORMAT_PDF ? PX_TEXT_UTF8
                                                : px_utf8_classify(buf, len);
    if (kind == PX_TEXT_BINARY)
        return PX_BINARY;
    if (len == 0)
        return PX_EMPTY;
    px_article *a = calloc(1, sizeof *a);
    if (a == NULL)
        return PX_NOMEM;
    size_t skip = bom_len(buf, len);
    px_status rc = format == PX_FORMAT_PDF
                       ? pdf_parse(a, buf, len, why, size)
                   : format == PX_FORMAT_HTML
                       ? html_parse(a, buf, len, skip, kind)
                   : format == PX_FORMAT_TEXT || format == PX_FORMAT_MAIL
                       ? mail_parse(a, buf, len, skip)
                       : text_parse(a, buf, len, skip, TEXT_MARKDOWN);
    if (rc == PX_OK) {
        article_finish(a);
        article_find_date(a);
    }
    if (rc == PX_OK && a->title == NULL)
        rc = article_set_title(a, "", 0);
    if (rc == PX_OK && a->title[0] == '\0' && a->count == 0)
        rc = PX_EMPTY;
    if (rc == PX_OK)
        *out = a;
    else
        px_article_destroy(a);
    return rc;
}

const char *
px_article_title(const px_article *a)
{
    return a != NULL && a->title != NULL ? a->title : "";
}

size_t
px_article_block_count(const px_article *a)
{
    return a != NULL ? a->count : 0;
}

const px_block *
px_article_block(const px_article *a, size_t i)
{
    return a != NULL && i < a->count ? &a->blocks[i] : NULL;
}

const char *
px_article_cut(const px_article *a)
{
    return a != NULL && a->cut[0] != '\0' ? a->cut : NULL;
}

size_t
px_article_repaired(const px_article *a)
{
    return a != NULL ? a->repaired : 0;
}

void
px_article_destroy(px_article *a)
{
    if (a == NULL)
        return;
    free(a->title);
    free(a->blocks);
    free(a->text);
    free(a->front_matter);
    free(a->author);
    free(a);
}

const char *
px_article_author(const px_article *a)
{
    return a != NULL ? a->author : NULL;
}
