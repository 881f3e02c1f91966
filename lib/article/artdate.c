/*
 * artdate.c — an article's own date (px_article_date): what the article
 * says about itself, in this order of trust:
 *  1. a front matter field (date, published, pubdate, ...) of a Markdown
 *     or text file, or an HTML <meta> date or <time datetime> (html.c);
 *  2. a dateline at the start of the first or second block: "LISBON,
 *     March 16, 2024 — ...", "NAIROBI, 4 December 2023 -", or a block
 *     that is only a date ("March 16, 2024").
 * Only a full day counts; anything less leaves the date unknown, and the
 * indexer falls back to the file's mtime.
 */
#include <string.h>

#include "article-internal.h"
#include "passim/datecore.h"

/* How far into a block a dateline's date may start: a place name or two
 * ("SAN FRANCISCO, Calif., ") fits, a sentence mentioning a date does not. */
#define DATELINE_REACH 80

/* Front matter keys that give the date, most trusted first. */
static const char *const date_keys[] = {
    "date", "published", "pubdate", "publishdate", "published_at",
    "date_published", "created",
};

int
article_date_from_field(px_article *a, const char *s, size_t n)
{
    px_datecore d;
    if (a->date[0] != '\0' || !px_datecore_parse_day(s, n, &d))
        return 0;
    return px_datecore_format(&d, a->date) == 10;
}

static int
key_is(const char *s, size_t n, const char *key)
{
    if (strlen(key) != n)
        return 0;
    for (size_t i = 0; i < n; i++)
        if ((s[i] | 0x20) != key[i])
            return 0;
    return 1;
}

/* The value of `key` in the raw front matter ("key: value" lines, any
 * case), or 0 when it has none. */
static int
front_matter_value(const px_article *a, const char *key, const char **v,
                   size_t *vn)
{
    const char *p = a->front_matter;
    const char *end = p + a->front_matter_len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *e = nl != NULL ? nl : end;
        const char *colon = memchr(p, ':', (size_t)(e - p));
        if (colon != NULL && key_is(p, (size_t)(colon - p), key)) {
            *v = colon + 1;
            *vn = (size_t)(e - colon - 1);
            return 1;
        }
        p = nl != NULL ? nl + 1 : end;
    }
    return 0;
}

static void
date_from_front_matter(px_article *a)
{
    const char *v = NULL;
    size_t vn = 0;
    if (a->front_matter == NULL)
        return;
    for (size_t i = 0; i < sizeof date_keys / sizeof date_keys[0]; i++)
        if (front_matter_value(a, date_keys[i], &v, &vn) &&
            article_date_from_field(a, v, vn))
            return;
}

/* What may follow a dateline's date: the end of the block, or a dash
 * (ASCII, en or em), colon, bar or parenthesis ("(Reuters)"). */
static int
dateline_end(const char *s, size_t len, size_t p)
{
    while (p < len && (s[p] == ' ' || s[p] == '\t'))
        p++;
    if (p + 1 < len && memcmp(s + p, "\xC2\xA0", 2) == 0)
        p += 2;
    if (p == len)
        return 1;
    if (s[p] != '\0' && strchr("-:|(", s[p]) != NULL)
        return 1;
    return p + 2 < len && (memcmp(s + p, "\xE2\x80\x94", 3) == 0 ||
                           memcmp(s + p, "\xE2\x80\x93", 3) == 0);
}

static int
dateline_at(px_article *a, const char *s, size_t len, size_t p)
{
    px_datecore d = {0};
    size_t used = 0;
    if (px_datecore_weekday(s + p, len - p, &used) >= 1 && used >= 6) {
        p += used;
        p += p < len && s[p] == ',';
        p += p < len && s[p] == ' ';
    }
    size_t n = px_datecore_parse(s + p, len - p, &d);
    if (n == 0 || d.year == 0 || d.day == 0 || !dateline_end(s, len, p + n))
        return 0;
    return px_datecore_format(&d, a->date) == 10;
}

/* A date at the block's start, or after a place: the text before it is
 * commas and words without digits, and the date follows a ", ". */
static int
date_from_dateline(px_article *a, const px_block *b)
{
    const char *s = b->text;
    if (dateline_at(a, s, b->len, 0))
        return 1;
    for (size_t p = 0; p < b->len && p < DATELINE_REACH; p++) {
        if (s[p] >= '0' && s[p] <= '9')
            return 0;
        if (s[p] == ',' && p + 2 < b->len && s[p + 1] == ' ' &&
            dateline_at(a, s, b->len, p + 2))
            return 1;
    }
    return 0;
}

void
article_find_date(px_article *a)
{
    date_from_front_matter(a);
    for (size_t i = 0; i < a->count && i < 2 && a->date[0] == '\0'; i++)
        date_from_dateline(a, &a->blocks[i]);
}

const char *
px_article_date(const px_article *a)
{
    return a != NULL && a->date[0] != '\0' ? a->date : NULL;
}
