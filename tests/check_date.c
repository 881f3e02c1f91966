/*
 * check_date.c — date expressions found in text and normalised to ISO-8601
 * (date.h), and the calendar core they share with the article module
 * (datecore.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "passim/date.h"
#include "passim/datecore.h"

#define MAX_DATES 16

typedef struct dates {
    size_t n;
    size_t start[MAX_DATES];
    size_t end[MAX_DATES];
    char iso[MAX_DATES][PX_DATE_ISO_MAX];
    size_t stop_after;
} dates_t;

static int
collect(void *ctx, size_t start, size_t end, const char *iso, size_t iso_len)
{
    dates_t *d = ctx;
    ck_assert_uint_lt(d->n, MAX_DATES);
    ck_assert_uint_eq(strlen(iso), iso_len);
    ck_assert(iso_len == 4 || iso_len == 7 || iso_len == 10);
    ck_assert_uint_lt(start, end);
    d->start[d->n] = start;
    d->end[d->n] = end;
    memcpy(d->iso[d->n], iso, iso_len + 1);
    d->n++;
    return d->stop_after != 0 && d->n >= d->stop_after;
}

/* The ISO values found in text, '|'-separated, each as "iso@span text". */
static void
expect(const char *text, const char *article_date, const char *want)
{
    dates_t d = {0};
    char got[1024] = "";
    ck_assert_int_eq(px_date_find(text, strlen(text), article_date, collect,
                                  &d),
                     PX_OK);
    for (size_t i = 0; i < d.n; i++) {
        char one[128];
        snprintf(one, sizeof one, "%s%s=%.*s", i > 0 ? "|" : "", d.iso[i],
                 (int)(d.end[i] - d.start[i]), text + d.start[i]);
        strcat(got, one);
    }
    ck_assert_msg(strcmp(got, want) == 0,
                  "\"%s\" (%s): got \"%s\", want \"%s\"", text,
                  article_date ? article_date : "no date", got, want);
}

START_TEST(full_dates)
{
    expect("Talks began on March 16, 2024 in Lisbon.", NULL,
           "2024-03-16=March 16, 2024");
    expect("Signed 16 March 2024.", NULL, "2024-03-16=16 March 2024");
    expect("Filed 2024-03-16T09:30Z.", NULL, "2024-03-16=2024-03-16");
    expect("By Mar. 16, 2024 it was over.", NULL,
           "2024-03-16=Mar. 16, 2024");
    expect("On Sept. 3 2023 and 1st of June, 2022.", NULL,
           "2023-09-03=Sept. 3 2023|2022-06-01=1st of June, 2022");
    expect("MARCH 16, 2024", NULL, "2024-03-16=MARCH 16, 2024");
    expect("On Tuesday, March 19, 2024, they met.", NULL,
           "2024-03-19=Tuesday, March 19, 2024");
    expect("It was Sat, 16 Mar 2024.", NULL, "2024-03-16=Sat, 16 Mar 2024");
}
END_TEST

START_TEST(wrapped_and_unicode_boundaries)
{
    expect("from March\n16, 2024\xE2\x80\x94the", NULL,
           "2024-03-16=March\n16, 2024");
    expect("\xE2\x80\x9C" "16 March 2024\xE2\x80\x9D", NULL,
           "2024-03-16=16 March 2024");
    expect("on March\xC2\xA0" "16, 2024", NULL,
           "2024-03-16=March\xC2\xA0" "16, 2024");
    /* A letter before or after is no boundary. */
    expect("x2024-03-16 caf\xC3\xA9" "2024-03-16 caf\xC3\xA9" "16 March",
           "2024-03-20", "");
}
END_TEST

START_TEST(invalid_dates_rejected)
{
    expect("February 30, 2024", NULL, "");
    expect("2023-02-29 and 2024-13-01 and 2024-04-31", NULL, "");
    expect("February 29, 2023", NULL, "");
    expect("February 29, 2024", NULL, "2024-02-29=February 29, 2024");
    expect("March 32, 2024", NULL, "");
    expect("0999-01-01 and 3000-01-01", NULL, "");
    expect("2024-03-160", NULL, "");
    expect("Marching 16 times, Mayor 5, the 16 Marches", NULL, "");
    expect("16am March", NULL, "");
}
END_TEST

START_TEST(month_precision)
{
    expect("Prices rose in December 2023.", NULL, "2023-12=December 2023");
    expect("Dec. 2023 and May 2024", NULL,
           "2023-12=Dec. 2023|2024-05=May 2024");
    /* A month alone is no date. */
    expect("in March the committee may meet", "2024-01-05", "");
}
END_TEST

START_TEST(year_with_context)
{
    expect("Elections are due in 2024.", NULL, "2024=2024");
    expect("since 1999, by 2030, In 2020, mid-2024, early 2025", NULL,
           "1999=1999|2030=2030|2020=2020|2024=2024|2025=2025");
    expect("The 2024 budget; 2024 alone.", NULL, "");
    expect("in 2,024 cases, in 2023-24, in 20245, in 2024th", NULL, "");
    expect("in 999 and in 3000", NULL, "");
}
END_TEST

START_TEST(day_month_without_year)
{
    /* The year that puts the day nearest the article date. */
    expect("due Dec. 25", "2024-03-20", "2023-12-25=Dec. 25");
    expect("due December 25", "2024-10-01", "2024-12-25=December 25");
    expect("due 25 December", "2024-01-05", "2023-12-25=25 December");
    expect("by Jan. 3", "2024-12-20", "2025-01-03=Jan. 3");
    expect("on March 16", "2024-03-20", "2024-03-16=March 16");
    /* Feb. 29 takes the nearest year where it exists. */
    expect("Feb. 29", "2025-01-10", "2024-02-29=Feb. 29");
    expect("Feb. 29", "2026-03-01", "");
    /* No article date: dropped. */
    expect("due Dec. 25", NULL, "");
    expect("due Dec. 25", "", "");
}
END_TEST

START_TEST(relative_days)
{
    expect("Yesterday it rained; today it is dry; tomorrow, snow.",
           "2024-03-01",
           "2024-02-29=Yesterday|2024-03-01=today|2024-03-02=tomorrow");
    expect("yesterday", "2024-01-01", "2023-12-31=yesterday");
    expect("tomorrow", "2023-12-31", "2024-01-01=tomorrow");
    expect("today\xE2\x80\x99s vote and today's", "2024-03-20",
           "2024-03-20=today|2024-03-20=today");
    expect("todays and yesterdays and Todayx", "2024-03-20", "");
}
END_TEST

START_TEST(weekdays)
{
    /* 2024-03-20 is a Wednesday. */
    expect("said on Tuesday", "2024-03-20", "2024-03-19=Tuesday");
    expect("said on Wednesday", "2024-03-20", "2024-03-20=Wednesday");
    expect("Thursday's vote", "2024-03-20", "2024-03-14=Thursday");
    expect("last Wednesday", "2024-03-20", "2024-03-13=last Wednesday");
    expect("Last Tuesday", "2024-03-20", "2024-03-19=Last Tuesday");
    expect("next Wednesday", "2024-03-20", "2024-03-27=next Wednesday");
    expect("next Friday", "2024-03-20", "2024-03-22=next Friday");
    expect("this Friday", "2024-03-20", "2024-03-22=this Friday");
    /* Abbreviations are too often words to stand alone. */
    expect("Wed. Sat down. Sun rose.", "2024-03-20", "");
}
END_TEST

START_TEST(weekdays_across_boundaries)
{
    /* 2024-03-01 is a Friday; 2024-01-01 a Monday; 2023-12-31 a Sunday. */
    expect("on Thursday", "2024-03-01", "2024-02-29=Thursday");
    expect("last Saturday", "2024-03-01", "2024-02-24=last Saturday");
    expect("on Sunday", "2024-01-01", "2023-12-31=Sunday");
    expect("next Monday", "2023-12-31", "2024-01-01=next Monday");
    expect("next Sunday", "2023-12-31", "2024-01-07=next Sunday");
    expect("on Friday", "2023-01-05", "2022-12-30=Friday");
}
END_TEST

START_TEST(relative_dropped_without_article_date)
{
    expect("Yesterday, on Tuesday, last Friday and tomorrow", NULL, "");
    /* Absolute dates are still found around them. */
    expect("Yesterday, March 16, 2024, and tomorrow", NULL,
           "2024-03-16=March 16, 2024");
}
END_TEST

START_TEST(several_and_stop)
{
    const char *text = "2024-01-02, then 3 February 2024, then in 2025.";
    dates_t d = {.stop_after = 2};
    ck_assert_int_eq(px_date_find(text, strlen(text), NULL, collect, &d),
                     PX_OK);
    ck_assert_uint_eq(d.n, 2);
    ck_assert_str_eq(d.iso[0], "2024-01-02");
    ck_assert_str_eq(d.iso[1], "2024-02-03");
    ck_assert_uint_eq(d.start[1], 17);
    ck_assert_uint_eq(d.end[1], 32);
}
END_TEST

START_TEST(bad_arguments)
{
    dates_t d = {0};
    ck_assert_int_eq(px_date_find("x", 1, NULL, NULL, NULL),
                     PX_INVALID_ARGUMENT);
    ck_assert_int_eq(px_date_find(NULL, 1, NULL, collect, &d),
                     PX_INVALID_ARGUMENT);
    ck_assert_int_eq(px_date_find(NULL, 0, NULL, collect, &d), PX_OK);
    ck_assert_int_eq(px_date_find("x", 1, "2024-02-30", collect, &d),
                     PX_INVALID_ARGUMENT);
    ck_assert_int_eq(px_date_find("x", 1, "March 3, 2024", collect, &d),
                     PX_INVALID_ARGUMENT);
    ck_assert_uint_eq(d.n, 0);
}
END_TEST

START_TEST(normalise)
{
    char out[PX_DATE_ISO_MAX];
    const char *in[] = {" March 16, 2024 ", "2024-03-16", "December 2023",
                        "2024", "yesterday"};
    const char *want[] = {"2024-03-16", "2024-03-16", "2023-12", "2024",
                          "2024-03-19"};
    for (size_t i = 0; i < sizeof in / sizeof in[0]; i++) {
        ck_assert_int_eq(px_date_normalise(in[i], strlen(in[i]),
                                           "2024-03-20", out),
                         PX_OK);
        ck_assert_str_eq(out, want[i]);
    }
    const char *bad[] = {"", "March", "March 16, 2024 and May 2024",
                         "on March 16, 2024", "2024x", "yesterday"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ck_assert_int_eq(px_date_normalise(bad[i], strlen(bad[i]), NULL, out),
                         PX_NOT_FOUND);
        ck_assert_str_eq(out, "");
    }
}
END_TEST

START_TEST(parse_ymd)
{
    int y = 0;
    int m = 0;
    int d = 0;
    ck_assert(px_date_parse_ymd("2024-02-29", &y, &m, &d));
    ck_assert_int_eq(y * 10000 + m * 100 + d, 20240229);
    ck_assert(!px_date_parse_ymd("2023-02-29", &y, &m, &d));
    ck_assert(!px_date_parse_ymd("2024-2-9", NULL, NULL, NULL));
    ck_assert(!px_date_parse_ymd("2024-02-290", NULL, NULL, NULL));
    ck_assert(!px_date_parse_ymd("29 February 2024", NULL, NULL, NULL));
    ck_assert(!px_date_parse_ymd(NULL, NULL, NULL, NULL));
}
END_TEST

START_TEST(calendar_core)
{
    int y = 0;
    int m = 0;
    int d = 0;
    ck_assert_int_eq(px_datecore_to_days(1970, 1, 1), 0);
    ck_assert_int_eq(px_datecore_to_days(2000, 3, 1), 11017);
    ck_assert_int_eq(px_datecore_weekday_of(px_datecore_to_days(2024, 3, 20)),
                     3);
    for (long day = -800000; day < 400000; day += 97) {
        px_datecore_from_days(day, &y, &m, &d);
        ck_assert_int_eq(px_datecore_to_days(y, m, d), day);
    }
    ck_assert_int_eq(px_datecore_days_in_month(1900, 2), 28);
    ck_assert_int_eq(px_datecore_days_in_month(2000, 2), 29);
    ck_assert_int_eq(px_datecore_days_in_month(0, 2), 29);
    ck_assert_int_eq(px_datecore_days_in_month(2024, 13), 0);
    size_t used = 0;
    ck_assert_int_eq(px_datecore_month("Sept. 3", 7, &used), 9);
    ck_assert_uint_eq(used, 5);
    ck_assert_int_eq(px_datecore_month("May.", 4, &used), 5);
    ck_assert_uint_eq(used, 3);
    ck_assert_int_eq(px_datecore_month("march", 5, &used), 0);
    ck_assert_int_eq(px_datecore_month("MArch", 5, &used), 0);
    ck_assert_int_eq(px_datecore_weekday("Thurs.", 6, &used), 4);
    px_datecore v = {0};
    const char *field = " \"Sat, 16 Mar 2024 10:00 +0000\"";
    ck_assert(px_datecore_parse_day(field, strlen(field), &v));
    ck_assert_int_eq(v.year * 10000 + v.month * 100 + v.day, 20240316);
    ck_assert(!px_datecore_parse_day("March 2024", 10, &v));
    ck_assert(!px_datecore_parse_day("March 16", 8, &v));
}
END_TEST

static Suite *
make_suite(void)
{
    const px_check_case cases[] = {
        {"full_dates", full_dates},
        {"wrapped_and_unicode_boundaries", wrapped_and_unicode_boundaries},
        {"invalid_dates_rejected", invalid_dates_rejected},
        {"month_precision", month_precision},
        {"year_with_context", year_with_context},
        {"day_month_without_year", day_month_without_year},
        {"relative_days", relative_days},
        {"weekdays", weekdays},
        {"weekdays_across_boundaries", weekdays_across_boundaries},
        {"relative_dropped_without_article_date",
         relative_dropped_without_article_date},
        {"several_and_stop", several_and_stop},
        {"bad_arguments", bad_arguments},
        {"normalise", normalise},
        {"parse_ymd", parse_ymd},
        {"calendar_core", calendar_core},
    };
    return px_check_suite("date", cases, sizeof cases / sizeof cases[0]);
}

PX_CHECK_MAIN(make_suite)
