/*
 * datecore.c — calendar arithmetic and the parsing of one written date,
 * shared by the article date (article.c, html.c) and the date finder of
 * the entity module (lib/entity/date.c).
 *
 * The parser reads ASCII only and never looks behind s: the caller decides
 * where a date may start (a word boundary) and the parser makes sure each
 * piece it takes ends at one, so "Marching 16" or "2024-03-160" are not
 * dates.
 */
#include <string.h>

#include "passim/datecore.h"

typedef struct name {
    const char *s;
    int value;
    int full; /* a full name; abbreviations may take a '.' */
} name_t;

static const name_t months[] = {
    {"january", 1, 1}, {"february", 2, 1}, {"march", 3, 1},
    {"april", 4, 1}, {"may", 5, 1}, {"june", 6, 1}, {"july", 7, 1},
    {"august", 8, 1}, {"september", 9, 1}, {"october", 10, 1},
    {"november", 11, 1}, {"december", 12, 1}, {"jan", 1, 0},
    {"feb", 2, 0}, {"mar", 3, 0}, {"apr", 4, 0}, {"jun", 6, 0},
    {"jul", 7, 0}, {"aug", 8, 0}, {"sep", 9, 0}, {"sept", 9, 0},
    {"oct", 10, 0}, {"nov", 11, 0}, {"dec", 12, 0},
};

static const name_t weekdays[] = {
    {"monday", 1, 1}, {"tuesday", 2, 1}, {"wednesday", 3, 1},
    {"thursday", 4, 1}, {"friday", 5, 1}, {"saturday", 6, 1},
    {"sunday", 7, 1}, {"mon", 1, 0}, {"tue", 2, 0}, {"tues", 2, 0},
    {"wed", 3, 0}, {"thu", 4, 0}, {"thur", 4, 0}, {"thurs", 4, 0},
    {"fri", 5, 0}, {"sat", 6, 0}, {"sun", 7, 0},
};

static int
is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int
is_upper(char c)
{
    return c >= 'A' && c <= 'Z';
}

static int
is_lower(char c)
{
    return c >= 'a' && c <= 'z';
}

/* Whether the character at s[p] continues a word: an ASCII letter or
 * digit, or a multi-byte character other than Latin-1 punctuation and
 * blanks (U+0080-U+00BF) and general punctuation (U+2000-U+206F: dashes,
 * curly quotes), which end a date as well as ASCII punctuation does. */
static int
wordish(const char *s, size_t len, size_t p)
{
    unsigned char c = (unsigned char)s[p];
    if (c < 0x80)
        return is_digit((char)c) || is_upper((char)c) || is_lower((char)c);
    if (c == 0xC2)
        return 0;
    if (c == 0xE2 && p + 1 < len &&
        ((unsigned char)s[p + 1] == 0x80 || (unsigned char)s[p + 1] == 0x81))
        return 0;
    return 1;
}

static int
is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int
px_datecore_days_in_month(int y, int m)
{
    static const int days[] = {31, 28, 31, 30, 31, 30,
                               31, 31, 30, 31, 30, 31};
    if (m < 1 || m > 12)
        return 0;
    if (m == 2 && (y == 0 || is_leap(y)))
        return 29;
    return days[m - 1];
}

int
px_datecore_valid(int y, int m, int d)
{
    return y >= PX_DATECORE_YEAR_MIN && y <= PX_DATECORE_YEAR_MAX &&
           d >= 1 && d <= px_datecore_days_in_month(y, m);
}

/* The civil-from-days algorithms of Howard Hinnant's "chrono-compatible
 * low-level date algorithms", which are exact over the whole range. */
long
px_datecore_to_days(int y, int m, int d)
{
    long yy = (long)y - (m <= 2);
    long era = (yy >= 0 ? yy : yy - 399) / 400;
    long yoe = yy - era * 400;
    long doy = (153L * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void
px_datecore_from_days(long days, int *y, int *m, int *d)
{
    long z = days + 719468;
    long era = (z >= 0 ? z : z - 146096) / 146097;
    long doe = z - era * 146097;
    long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

int
px_datecore_weekday_of(long days)
{
    /* 1970-01-01 was a Thursday (4). */
    long w = (days + 3) % 7;
    return (int)(w < 0 ? w + 7 : w) + 1;
}

/* Look the word at s up in a table: capitalised ("March") or all upper
 * case ("MARCH"), ending at a word boundary. */
static int
lookup(const name_t *table, size_t n, const char *s, size_t len,
       size_t *used)
{
    if (len == 0 || !is_upper(s[0]))
        return 0;
    size_t w = 1;
    int upper = len > 1 && is_upper(s[1]);
    while (w < len && (upper ? is_upper(s[w]) : is_lower(s[w])))
        w++;
    if (w < len && wordish(s, len, w))
        return 0;
    for (size_t i = 0; i < n; i++) {
        const char *t = table[i].s;
        if (strlen(t) != w)
            continue;
        size_t k = 0;
        while (k < w && (s[k] | 0x20) == t[k])
            k++;
        if (k < w)
            continue;
        *used = w + (!table[i].full && w < len && s[w] == '.');
        return table[i].value;
    }
    return 0;
}

int
px_datecore_month(const char *s, size_t len, size_t *used)
{
    return lookup(months, sizeof months / sizeof months[0], s, len, used);
}

int
px_datecore_weekday(const char *s, size_t len, size_t *used)
{
    return lookup(weekdays, sizeof weekdays / sizeof weekdays[0], s, len,
                  used);
}

/* Exactly `n` digits at s[p] and no more. Returns the value or -1. */
static int
digits(const char *s, size_t len, size_t p, size_t n)
{
    int v = 0;
    for (size_t i = 0; i < n; i++) {
        if (p + i >= len || !is_digit(s[p + i]))
            return -1;
        v = v * 10 + (s[p + i] - '0');
    }
    return p + n < len && is_digit(s[p + n]) ? -1 : v;
}

/* A gap between the words of a date: one to three blanks (a line break
 * included, as plain text wraps) or a no-break space. Returns where the
 * next word starts, or 0 when there is no gap. */
static size_t
gap(const char *s, size_t len, size_t p)
{
    if (p + 1 < len && s[p] == '\xC2' && s[p + 1] == '\xA0')
        return p + 2;
    size_t q = p;
    while (q < len && q - p < 3 &&
           (s[q] == ' ' || s[q] == '\t' || s[q] == '\n' || s[q] == '\r'))
        q++;
    return q > p ? q : 0;
}

/* A four-digit year at s[p] that is not part of a longer number ("2,500",
 * "2024.5"). Returns it, with its end in *end, or 0. */
static int
year_at(const char *s, size_t len, size_t p, size_t *end)
{
    int y = digits(s, len, p, 4);
    if (y < PX_DATECORE_YEAR_MIN || y > PX_DATECORE_YEAR_MAX)
        return 0;
    if (p + 5 < len && (s[p + 4] == ',' || s[p + 4] == '.') &&
        is_digit(s[p + 5]))
        return 0;
    if (p + 4 < len && wordish(s, len, p + 4))
        return 0;
    *end = p + 4;
    return y;
}

/* A day of the month at s[p], with an optional ordinal suffix ("16th").
 * Returns 1-31, with its end in *end, or 0. */
static int
day_at(const char *s, size_t len, size_t p, size_t *end)
{
    size_t n = p < len && is_digit(s[p]) && p + 1 < len &&
                       is_digit(s[p + 1])
                   ? 2
                   : 1;
    int d = digits(s, len, p, n);
    if (d < 1 || d > 31)
        return 0;
    size_t q = p + n;
    if (q + 1 < len && is_lower(s[q]) && is_lower(s[q + 1])) {
        const char *suf = s + q;
        if (memcmp(suf, "st", 2) != 0 && memcmp(suf, "nd", 2) != 0 &&
            memcmp(suf, "rd", 2) != 0 && memcmp(suf, "th", 2) != 0)
            return 0;
        q += 2;
    }
    if (q < len && wordish(s, len, q))
        return 0;
    *end = q;
    return d;
}

/* An optional year after a day: ", 2024" or " 2024". Sets d->year and
 * returns the new end, or p when there is none. */
static size_t
trailing_year(const char *s, size_t len, size_t p, px_datecore *d)
{
    size_t q = p < len && s[p] == ',' ? p + 1 : p;
    size_t g = gap(s, len, q);
    size_t end = 0;
    if (g == 0)
        return p;
    int y = year_at(s, len, g, &end);
    if (y == 0)
        return p;
    d->year = y;
    return end;
}

/* "2024-03-16", with a time or anything but a digit after it. */
static size_t
parse_iso(const char *s, size_t len, px_datecore *d)
{
    if (len < 10 || s[4] != '-' || s[7] != '-')
        return 0;
    int y = digits(s, len, 0, 4);
    int m = digits(s, len, 5, 2);
    int day = digits(s, len, 8, 2);
    if (y < 0 || m < 0 || day < 0 || !px_datecore_valid(y, m, day))
        return 0;
    *d = (px_datecore){.year = y, .month = m, .day = day};
    return 10;
}

/* "16 March 2024", "16th of March", "16 Mar." */
static size_t
parse_day_month(const char *s, size_t len, px_datecore *d)
{
    size_t p = 0;
    size_t used = 0;
    int day = day_at(s, len, 0, &p);
    if (day == 0 || (p = gap(s, len, p)) == 0)
        return 0;
    if (p + 3 < len && memcmp(s + p, "of", 2) == 0) {
        size_t q = gap(s, len, p + 2);
        if (q != 0)
            p = q;
    }
    int m = px_datecore_month(s + p, len - p, &used);
    if (m == 0 || day > px_datecore_days_in_month(0, m))
        return 0;
    *d = (px_datecore){.month = m, .day = day};
    return trailing_year(s, len, p + used, d);
}

/* "March 16, 2024", "Mar. 16", "December 2023". */
static size_t
parse_month_first(const char *s, size_t len, px_datecore *d)
{
    size_t used = 0;
    size_t end = 0;
    int m = px_datecore_month(s, len, &used);
    size_t p = m != 0 ? gap(s, len, used) : 0;
    if (p == 0)
        return 0;
    int y = year_at(s, len, p, &end);
    if (y != 0) {
        *d = (px_datecore){.year = y, .month = m};
        return end;
    }
    int day = day_at(s, len, p, &end);
    if (day == 0 || day > px_datecore_days_in_month(0, m))
        return 0;
    *d = (px_datecore){.month = m, .day = day};
    return trailing_year(s, len, end, d);
}

size_t
px_datecore_parse(const char *s, size_t len, px_datecore *out)
{
    px_datecore d = {0};
    size_t n = 0;
    if (s == NULL || out == NULL || len == 0)
        return 0;
    if (is_digit(s[0])) {
        n = parse_iso(s, len, &d);
        if (n == 0)
            n = parse_day_month(s, len, &d);
    } else if (is_upper(s[0])) {
        n = parse_month_first(s, len, &d);
    }
    /* A day given with its year must exist in that year: no Feb. 29, 2023. */
    if (n != 0 && d.year != 0 && d.day != 0 &&
        !px_datecore_valid(d.year, d.month, d.day))
        n = 0;
    if (n != 0)
        *out = d;
    return n;
}

static int
field_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '"' ||
           c == '\'';
}

int
px_datecore_parse_day(const char *s, size_t len, px_datecore *out)
{
    size_t p = 0;
    size_t used = 0;
    px_datecore d = {0};
    if (s == NULL || out == NULL)
        return 0;
    while (p < len && field_blank(s[p]))
        p++;
    if (px_datecore_weekday(s + p, len - p, &used) != 0) {
        p += used;
        if (p < len && s[p] == ',')
            p++;
        while (p < len && field_blank(s[p]))
            p++;
    }
    if (px_datecore_parse(s + p, len - p, &d) == 0 || d.year == 0 ||
        d.day == 0)
        return 0;
    *out = d;
    return 1;
}

static void
put_digits(char *out, int v, int n)
{
    for (int i = n - 1; i >= 0; i--, v /= 10)
        out[i] = (char)('0' + v % 10);
}

size_t
px_datecore_format(const px_datecore *d, char out[PX_DATECORE_ISO_MAX])
{
    out[0] = '\0';
    if (d == NULL || d->year < PX_DATECORE_YEAR_MIN ||
        d->year > PX_DATECORE_YEAR_MAX || d->month < 0 || d->month > 12)
        return 0;
    size_t n = 4;
    put_digits(out, d->year, 4);
    if (d->month > 0) {
        out[4] = '-';
        put_digits(out + 5, d->month, 2);
        n = 7;
    }
    if (d->month > 0 && d->day > 0 &&
        px_datecore_valid(d->year, d->month, d->day)) {
        out[7] = '-';
        put_digits(out + 8, d->day, 2);
        n = 10;
    }
    out[n] = '\0';
    return n;
}
