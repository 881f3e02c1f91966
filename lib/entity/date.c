/*
 * date.c — date expressions in text (date.h), on top of the parsing core
 * the article module shares (datecore.h).
 *
 * The scan looks at a byte only where a date could start: a digit, a
 * capital, or the 't'/'y' of today/tomorrow/yesterday, at a word start.
 * Everything else costs one comparison, so text without dates goes by at
 * memory speed; a match resumes the scan after its span.
 */
#include <stdint.h>
#include <string.h>

#include "passim/date.h"
#include "passim/datecore.h"

/* The article date as a day number, when known. */
typedef struct anchor {
    int known;
    long day;
    int year;
} anchor_t;

/* A match: its span and value (year 0: not a date after all). */
typedef struct found {
    size_t start;
    size_t end;
    px_datecore d;
} found;

/* Words that make a following year a date ("in 2024"). */
static const char *const year_words[] = {
    "in", "since", "by", "until", "till", "during", "from", "through",
    "before", "after", "early", "late", "mid", "spring", "summer",
    "autumn", "fall", "winter", "year",
};

static int
is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int
is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Whether a multi-byte character led by byte b (and b2 after it) is
 * punctuation or a blank rather than a letter: Latin-1 punctuation
 * (U+0080-U+00BF, U+00D7, U+00F7), general punctuation (U+2000-U+206F)
 * and CJK punctuation (U+3000-U+303F). */
static int
punct_multi(unsigned char b, unsigned char b2)
{
    if (b == 0xC2)
        return 1;
    if (b == 0xC3)
        return b2 == 0x97 || b2 == 0xB7;
    if (b == 0xE2)
        return b2 == 0x80 || b2 == 0x81;
    return b == 0xE3 && b2 == 0x80;
}

/* Whether the character ending just before p is part of a word. */
static int
word_before(const char *s, size_t p)
{
    if (p == 0)
        return 0;
    unsigned char c = (unsigned char)s[p - 1];
    if (c < 0x80)
        return is_digit((char)c) || is_alpha((char)c);
    size_t q = p - 1;
    while (q > 0 && ((unsigned char)s[q] & 0xC0) == 0x80 && p - q < 4)
        q--;
    return !punct_multi((unsigned char)s[q], (unsigned char)s[q + 1]);
}

/* Whether the character at p is part of a word. */
static int
word_at(const char *s, size_t len, size_t p)
{
    if (p >= len)
        return 0;
    unsigned char c = (unsigned char)s[p];
    if (c < 0x80)
        return is_digit((char)c) || is_alpha((char)c);
    return !(p + 1 < len && punct_multi(c, (unsigned char)s[p + 1]));
}

/* Whether s[p, p + n) is `word` with any case of its first letter. */
static int
word_is(const char *s, size_t p, size_t n, const char *word)
{
    return strlen(word) == n && (s[p] | 0x20) == word[0] &&
           memcmp(s + p + 1, word + 1, n - 1) == 0;
}

/* The word right before p, past one blank (or the '-' of "mid-"): its
 * span in *ws, *we, or 0 when there is none. */
static int
prev_word(const char *s, size_t p, size_t *ws, size_t *we)
{
    if (p < 2 || (s[p - 1] != ' ' && s[p - 1] != '-'))
        return 0;
    size_t e = p - 1;
    size_t b = e;
    while (b > 0 && is_alpha(s[b - 1]) && e - b < 16)
        b--;
    if (b == e || word_before(s, b))
        return 0;
    *ws = b;
    *we = e;
    return 1;
}

static int
year_context(const char *s, size_t p)
{
    size_t ws = 0;
    size_t we = 0;
    if (!prev_word(s, p, &ws, &we))
        return 0;
    if (s[p - 1] == '-')
        return word_is(s, ws, we - ws, "mid");
    for (size_t i = 0; i < sizeof year_words / sizeof year_words[0]; i++)
        if (word_is(s, ws, we - ws, year_words[i]))
            return 1;
    return 0;
}

/* "in 2024": four digits of a year, not part of a longer number, a range
 * ("2023-24") or a time. */
static int
bare_year(const char *s, size_t len, size_t p, found *f)
{
    int y = 0;
    for (size_t i = 0; i < 4; i++) {
        if (p + i >= len || !is_digit(s[p + i]))
            return 0;
        y = y * 10 + (s[p + i] - '0');
    }
    size_t e = p + 4;
    if (y < PX_DATECORE_YEAR_MIN || y > PX_DATECORE_YEAR_MAX ||
        word_at(s, len, e))
        return 0;
    if (e + 1 < len && s[e] != '\0' && strchr(",.-/:", s[e]) != NULL &&
        is_digit(s[e + 1]))
        return 0;
    if (!year_context(s, p))
        return 0;
    *f = (found){.start = p, .end = e, .d = {.year = y}};
    return 1;
}

/* Give a day and month without a year the year nearest the anchor. */
static int
nearest_year(const anchor_t *a, px_datecore *d)
{
    long best = 0;
    int best_year = 0;
    if (!a->known)
        return 0;
    for (int y = a->year - 1; y <= a->year + 1; y++) {
        if (!px_datecore_valid(y, d->month, d->day))
            continue;
        long dist = px_datecore_to_days(y, d->month, d->day) - a->day;
        dist = dist < 0 ? -dist : dist;
        if (best_year == 0 || dist < best)
            best = dist, best_year = y;
    }
    d->year = best_year;
    return best_year != 0;
}

static void
set_day(found *f, long day)
{
    px_datecore_from_days(day, &f->d.year, &f->d.month, &f->d.day);
}

/* A written date at p ("March 16, 2024", "16 March", "2024-03-16"). */
static int
written(const char *s, size_t len, size_t p, const anchor_t *a, found *f)
{
    px_datecore d = {0};
    size_t n = px_datecore_parse(s + p, len - p, &d);
    if (n == 0)
        return 0;
    /* Without a year it takes the nearest one, or stays yearless (and is
     * skipped, its span still consumed) when there is no article date. */
    if (d.year == 0)
        nearest_year(a, &d);
    *f = (found){.start = p, .end = p + n, .d = d};
    return 1;
}

/* The modifier before a weekday: 'l'ast, 'n'ext, 't'his or 0. */
static char
weekday_modifier(const char *s, size_t p, size_t *start)
{
    size_t ws = 0;
    size_t we = 0;
    if (!prev_word(s, p, &ws, &we) || s[p - 1] != ' ')
        return 0;
    size_t n = we - ws;
    if (!word_is(s, ws, n, "last") && !word_is(s, ws, n, "next") &&
        !word_is(s, ws, n, "this"))
        return 0;
    *start = ws;
    return (char)(s[ws] | 0x20);
}

/* "Tuesday" resolved against the anchor, "last/next/this Tuesday", or
 * "Tuesday, March 16, 2024" (the written date wins). */
static int
weekday(const char *s, size_t len, size_t p, const anchor_t *a, found *f)
{
    size_t used = 0;
    int w = px_datecore_weekday(s + p, len - p, &used);
    if (w == 0)
        return 0;
    size_t q = p + used;
    q += q < len && s[q] == ',';
    q += q < len && s[q] == ' ';
    if (q > p + used && written(s, len, q, a, f)) {
        f->start = p;
        return 1;
    }
    if (used < 6 || !a->known)
        return 0;
    size_t start = p;
    char mod = weekday_modifier(s, p, &start);
    int today = px_datecore_weekday_of(a->day);
    long back = (today - w + 7) % 7;
    long ahead = (w - today + 7) % 7;
    long day = a->day - back;
    if (mod == 'l')
        day = a->day - (back == 0 ? 7 : back);
    else if (mod == 'n')
        day = a->day + (ahead == 0 ? 7 : ahead);
    else if (mod == 't')
        day = a->day + ahead;
    *f = (found){.start = start, .end = p + used};
    set_day(f, day);
    return 1;
}

/* "today", "yesterday", "tomorrow", any case of the first letter. */
static int
relative(const char *s, size_t len, size_t p, const anchor_t *a, found *f)
{
    static const struct {
        const char *word;
        int delta;
    } words[] = {{"today", 0}, {"yesterday", -1}, {"tomorrow", 1}};
    size_t e = p;
    while (e < len && is_alpha(s[e]) && e - p < 10)
        e++;
    if (!a->known || word_at(s, len, e))
        return 0;
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
        if (word_is(s, p, e - p, words[i].word)) {
            *f = (found){.start = p, .end = e};
            set_day(f, a->day + words[i].delta);
            return 1;
        }
    }
    return 0;
}

/* Try every form that may start at p (a word start). */
static int
match_at(const char *s, size_t len, size_t p, const anchor_t *a, found *f)
{
    char c = s[p];
    if (is_digit(c))
        return written(s, len, p, a, f) || bare_year(s, len, p, f);
    if (c >= 'A' && c <= 'Z')
        return weekday(s, len, p, a, f) || written(s, len, p, a, f) ||
               relative(s, len, p, a, f);
    return relative(s, len, p, a, f);
}

static int
may_start(char c)
{
    return is_digit(c) || (c >= 'A' && c <= 'Z') || c == 't' || c == 'y';
}

int
px_date_parse_ymd(const char *iso, int *y, int *m, int *d)
{
    px_datecore v = {0};
    if (iso == NULL || strlen(iso) != 10 ||
        px_datecore_parse(iso, 10, &v) != 10 || v.year == 0 || v.day == 0 ||
        iso[4] != '-')
        return 0;
    if (y != NULL && m != NULL && d != NULL)
        *y = v.year, *m = v.month, *d = v.day;
    return 1;
}

static px_status
make_anchor(const char *article_date, anchor_t *a)
{
    int m = 0;
    int d = 0;
    *a = (anchor_t){0};
    if (article_date == NULL || article_date[0] == '\0')
        return PX_OK;
    if (!px_date_parse_ymd(article_date, &a->year, &m, &d))
        return PX_INVALID_ARGUMENT;
    a->known = 1;
    a->day = px_datecore_to_days(a->year, m, d);
    return PX_OK;
}

px_status
px_date_find(const char *text, size_t len, const char *article_date,
             px_date_fn fn, void *ctx)
{
    anchor_t a;
    if (fn == NULL || (text == NULL && len > 0))
        return PX_INVALID_ARGUMENT;
    px_status rc = make_anchor(article_date, &a);
    for (size_t p = 0; rc == PX_OK && p < len; p++) {
        found f;
        char iso[PX_DATE_ISO_MAX];
        if (!may_start(text[p]) || word_before(text, p) ||
            !match_at(text, len, p, &a, &f))
            continue;
        size_t n = px_datecore_format(&f.d, iso);
        if (n != 0 && fn(ctx, f.start, f.end, iso, n) != 0)
            break;
        p = f.end - 1;
    }
    return rc;
}

/* The one date of px_date_normalise(), and whether there was more. */
typedef struct single {
    size_t count;
    size_t start;
    size_t end;
    char iso[PX_DATE_ISO_MAX];
} single;

static int
take_single(void *ctx, size_t start, size_t end, const char *iso,
            size_t iso_len)
{
    single *one = ctx;
    if (one->count++ > 0)
        return 1;
    one->start = start;
    one->end = end;
    memcpy(one->iso, iso, iso_len + 1);
    return 0;
}

static int
blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static int
lone_year(const char *s, char out[PX_DATE_ISO_MAX])
{
    px_datecore d = {0};
    for (size_t i = 0; i < 4; i++) {
        if (!is_digit(s[i]))
            return 0;
        d.year = d.year * 10 + (s[i] - '0');
    }
    return px_datecore_format(&d, out) == 4;
}

px_status
px_date_normalise(const char *text, size_t len, const char *article_date,
                  char out[PX_DATE_ISO_MAX])
{
    single one = {0};
    if (out == NULL)
        return PX_INVALID_ARGUMENT;
    out[0] = '\0';
    px_status rc = px_date_find(text, len, article_date, take_single, &one);
    if (rc != PX_OK)
        return rc;
    size_t s = 0;
    size_t e = len;
    while (s < e && blank(text[s]))
        s++;
    while (e > s && blank(text[e - 1]))
        e--;
    /* A year on its own needs no context here: the caller says it is a
     * date. */
    if (one.count == 0 && e - s == 4 && lone_year(text + s, out))
        return PX_OK;
    if (one.count != 1 || one.start != s || one.end != e)
        return PX_NOT_FOUND;
    memcpy(out, one.iso, sizeof one.iso);
    return PX_OK;
}
