/*
 * datecore.h — the small calendar and date-parsing core that the article
 * module (an article's own date) and the entity module (dates in its text)
 * share. It lives in the article module because that module may depend on
 * libc only, while the entity module may depend on it.
 *
 * Everything here is ASCII, allocation-free and proleptic Gregorian. A
 * parsed date has a precision: year, year-month or year-month-day; its ISO
 * form is "YYYY", "YYYY-MM" or "YYYY-MM-DD".
 */
#ifndef PASSIM_DATECORE_H
#define PASSIM_DATECORE_H

#include <stddef.h>

/* Room for the longest ISO form, "YYYY-MM-DD", and its NUL. */
#define PX_DATECORE_ISO_MAX 11

/* Years outside this range are never taken for dates. */
#define PX_DATECORE_YEAR_MIN 1000
#define PX_DATECORE_YEAR_MAX 2999

/* A date as text gave it: year 0 when the text named none ("March 16"),
 * day 0 for month precision ("December 2023"), month 0 (and day 0) for year
 * precision. */
typedef struct px_datecore {
    int year;
    int month;
    int day;
} px_datecore;

/* Days in month m (1-12) of year y; 29 for February of year 0 (unknown),
 * so that "Feb. 29" survives until a year is chosen. 0 for a bad month. */
int px_datecore_days_in_month(int y, int m);

/* Whether y-m-d is a real day, y within the year range. */
int px_datecore_valid(int y, int m, int d);

/* Days since 1970-01-01 for a valid y-m-d, and back. */
long px_datecore_to_days(int y, int m, int d);
void px_datecore_from_days(long days, int *y, int *m, int *d);

/* ISO weekday of a day number: 1 = Monday ... 7 = Sunday. */
int px_datecore_weekday_of(long days);

/* A month name at s[0, len): "March", "MARCH", "Mar", "Mar.", "Sept."
 * (capitalised or all upper case, as news writes them), not followed by a
 * letter or digit. Returns 1-12 and its length in *used (the '.' of an
 * abbreviation included), or 0 when there is none. */
int px_datecore_month(const char *s, size_t len, size_t *used);

/* A weekday name at s[0, len), full ("Tuesday") or abbreviated ("Tue",
 * "Tues."), same rules as px_datecore_month. Returns 1 (Monday) to 7 and
 * *used, or 0. */
int px_datecore_weekday(const char *s, size_t len, size_t *used);

/* A date written at the very start of s[0, len): "2024-03-16" (a time may
 * follow: "2024-03-16T09:30Z"), "March 16, 2024", "Mar. 16 2024",
 * "16 March 2024", "16th of March, 2024", "March 16" and "16 March" (year
 * 0), "December 2023" (month precision). Day and month are checked ("Feb.
 * 30" is no date). Returns the bytes it covers, or 0 when s does not start
 * with a date; *out is filled only on success. */
size_t px_datecore_parse(const char *s, size_t len, px_datecore *out);

/* Like px_datecore_parse() but for a whole field value, such as a front
 * matter `date:` or an HTML meta content: blanks and quotes around it and
 * a leading weekday ("Sat, 16 Mar 2024 10:00:00 +0000") are skipped, and
 * only a full day (year, month and day) is accepted. Returns 1 and *out,
 * or 0. */
int px_datecore_parse_day(const char *s, size_t len, px_datecore *out);

/* Write the ISO form of d at its precision ("YYYY-MM-DD", "YYYY-MM" or
 * "YYYY") into out (PX_DATECORE_ISO_MAX bytes). Returns its length, or 0
 * (and "") when d has no valid year. */
size_t px_datecore_format(const px_datecore *d,
                          char out[PX_DATECORE_ISO_MAX]);

#endif /* PASSIM_DATECORE_H */
