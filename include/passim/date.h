/*
 * date.h — date expressions in text, normalised to ISO-8601 (part of the
 * entity module, see entity.h).
 *
 * What is found, and what it becomes (article date 2024-03-20, a
 * Wednesday, where one is needed):
 *   "2024-03-16", "March 16, 2024", "Mar. 16 2024", "16 March 2024",
 *   "16th of March, 2024", "Tuesday, March 16, 2024"  -> "2024-03-16"
 *   "December 2023", "Dec. 2023"                      -> "2023-12"
 *   "in 2024", "since 1999", "by 2030", "mid-2024"    -> "2024" ...
 *   "Dec. 25", "December 25", "25 December"           -> "2023-12-25"
 *   "today", "yesterday", "tomorrow"       -> "2024-03-20", "-19", "-21"
 *   "Tuesday", "on Tuesday"                           -> "2024-03-19"
 *   "last Wednesday"                                  -> "2024-03-13"
 *   "next Wednesday", "this Friday"       -> "2024-03-27", "2024-03-22"
 *
 * The rules:
 *  - A day and month without a year take the year (the article's, the one
 *    before or the one after) that puts them nearest the article date; on
 *    a tie, the earlier. "Dec. 25" in an article of 2024-01-05 is
 *    2023-12-25; "Feb. 29" takes the nearest leap year of the three, or
 *    is dropped.
 *  - A bare weekday ("on Tuesday", "Tuesday's vote") is the most recent
 *    such day on or before the article date (news reports the past; a
 *    Tuesday article's "on Tuesday" is that day). "last Tuesday" is the
 *    most recent one strictly before it (a week back on a Tuesday);
 *    "next Tuesday" the first strictly after; "this Tuesday" the first on
 *    or after. The modifier is part of the span.
 *  - Anything that needs the article date (the two rules above and
 *    today/yesterday/tomorrow) is dropped when it is unknown.
 *  - A year alone is a date only after a word that makes it one: in,
 *    since, by, until, till, during, from, through, before, after, early,
 *    late, mid(-), spring, summer, autumn, fall, winter, year ("in 2024");
 *    "2024" alone, "2,024" or "2023-24" are not.
 *  - A month alone ("in March") is not a date: "March" and "May" are
 *    verbs too often. Numeric day/month forms ("03/04/2024") are not read:
 *    they mean different days in different countries.
 *  - Days are checked: "February 30, 2024" and "2023-02-29" are no dates.
 *    Years run from 1000 to 2999.
 *  - Month and weekday names are English, capitalised or upper case,
 *    full or abbreviated (Jan. Feb. Mar. Apr. Jun. Jul. Aug. Sep. Sept.
 *    Oct. Nov. Dec.; weekday abbreviations only before a full date).
 *
 * The scan is linear and allocation-free: only digits and capitalised or
 * relative words at a word start are looked at more closely.
 */
#ifndef PASSIM_DATE_H
#define PASSIM_DATE_H

#include <stddef.h>

#include "passim/status.h"

/* Room for the longest ISO form, "YYYY-MM-DD", and its NUL. */
#define PX_DATE_ISO_MAX 11

/* One date found: text[start, end) and its ISO form, "YYYY-MM-DD",
 * "YYYY-MM" or "YYYY" (iso_len 10, 7 or 4; NUL-terminated, borrowed for
 * the call). Return 0 to go on, non-zero to stop. */
typedef int (*px_date_fn)(void *ctx, size_t start, size_t end,
                          const char *iso, size_t iso_len);

/* Call fn for each date expression in text[0, len), in order, spans never
 * overlapping. article_date is "YYYY-MM-DD", or NULL or "" when unknown.
 * Returns PX_OK, or PX_INVALID_ARGUMENT for a NULL fn, NULL text with
 * len > 0, or an article_date that is not a valid "YYYY-MM-DD". */
px_status px_date_find(const char *text, size_t len,
                       const char *article_date, px_date_fn fn, void *ctx);

/* Normalise text[0, len) that is one date expression and nothing else
 * (blanks around it aside), such as a query's "date:March 2024", into
 * out (PX_DATE_ISO_MAX bytes; "" on failure). Returns PX_OK, PX_NOT_FOUND
 * when the text is not exactly one date, or PX_INVALID_ARGUMENT. */
px_status px_date_normalise(const char *text, size_t len,
                            const char *article_date,
                            char out[PX_DATE_ISO_MAX]);

/* Whether iso is exactly a valid "YYYY-MM-DD"; if so (and the pointers
 * are not NULL) its parts go to *y, *m, *d. */
int px_date_parse_ymd(const char *iso, int *y, int *m, int *d);

#endif /* PASSIM_DATE_H */
