/*
 * dateterms.c — the terms of date mentions and of date ranges (schema.h).
 *
 * A mention stands for an interval of days at the precision it was
 * written: "2004" all of 2004, "March 2004" all of March, "16 March 2004"
 * one day. A range filter matches an article when some mention's
 * interval overlaps the range. Each mention is indexed with the terms of
 * the blocks that contain it (its century, decade, year, month, day, down
 * to its own precision), and a year or month mention also with an exact
 * term for its precision. A range is cut into the fewest aligned blocks
 * (centuries, decades, years, months, days); a block matches the mentions
 * inside it through its own term, and the coarser mentions around it
 * through the exact terms of its year and month. So a range of centuries
 * is a few dozen terms, never one per day, and it matches exactly.
 */
#include <stdio.h>
#include <string.h>

#include "passim/schema.h"

static int
days_in_month(int y, int m)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return days[m - 1] + (m == 2 && leap);
}

static int
day_cmp(px_day a, px_day b)
{
    if (a.y != b.y)
        return a.y < b.y ? -1 : 1;
    if (a.m != b.m)
        return a.m < b.m ? -1 : 1;
    return (a.d > b.d) - (a.d < b.d);
}

/* Call fn with a date term: PX_PREFIX_DATE, `mark` ("" or "=", or "c"
 * and "x" for centuries and decades, whose number n is printed with
 * `width` digits), then y, y-m or y-m-d as far as m and d are given. */
static int
emit(px_term_fn fn, void *ctx, const char *mark, int width, int n, int y,
     int m, int d)
{
    char term[48];
    int len;
    if (width > 0)
        len = snprintf(term, sizeof term, "%s%s%0*d", PX_PREFIX_DATE, mark,
                       width, n);
    else if (m == 0)
        len = snprintf(term, sizeof term, "%s%s%04d", PX_PREFIX_DATE, mark,
                       y);
    else if (d == 0)
        len = snprintf(term, sizeof term, "%s%s%04d-%02d", PX_PREFIX_DATE,
                       mark, y, m);
    else
        len = snprintf(term, sizeof term, "%s%s%04d-%02d-%02d",
                       PX_PREFIX_DATE, mark, y, m, d);
    return fn(ctx, term, (size_t)len);
}

px_status
px_date_mention_terms(const char *iso, size_t len, px_term_fn fn, void *ctx)
{
    int y = 0, m = 0, d = 0, n = 0;
    char buf[16];
    if (iso == NULL || len == 0 || len >= sizeof buf || fn == NULL)
        return PX_INVALID_ARGUMENT;
    memcpy(buf, iso, len);
    buf[len] = '\0';
    int got = sscanf(buf, "%4d-%2d-%2d%n", &y, &m, &d, &n);
    if (got < 1 || y < 0 || y > 9999)
        return PX_INVALID_ARGUMENT;
    int r = emit(fn, ctx, "c", 2, y / 100, 0, 0, 0) ||
            emit(fn, ctx, "x", 3, y / 10, 0, 0, 0) ||
            emit(fn, ctx, "", 0, 0, y, 0, 0);
    if (!r && got == 1)
        r = emit(fn, ctx, "=", 0, 0, y, 0, 0);
    if (!r && got >= 2)
        r = emit(fn, ctx, "", 0, 0, y, m, 0);
    if (!r && got == 2)
        r = emit(fn, ctx, "=", 0, 0, y, m, 0);
    if (!r && got == 3)
        r = emit(fn, ctx, "", 0, 0, y, m, d);
    return r ? PX_NOMEM : PX_OK;
}

/* The block that starts at day c and ends by b, as large as it can be:
 * its term is written through fn; returns the day after it. */
static px_day
block(px_day c, px_day b, px_term_fn fn, void *ctx, int *r)
{
    if (c.m == 1 && c.d == 1) {
        static const int spans[] = {100, 10, 1};
        static const char *const marks[] = {"c", "x", ""};
        static const int widths[] = {2, 3, 0};
        for (int k = 0; k < 3; k++) {
            px_day end = {c.y + spans[k] - 1, 12, 31};
            if (c.y % spans[k] == 0 && day_cmp(end, b) <= 0) {
                *r = emit(fn, ctx, marks[k], widths[k], c.y / spans[k], c.y,
                          0, 0);
                return (px_day){c.y + spans[k], 1, 1};
            }
        }
    }
    px_day month_end = {c.y, c.m, days_in_month(c.y, c.m)};
    /* Year mentions overlap any part of their year, month mentions any
     * part of their month. */
    *r = emit(fn, ctx, "=", 0, 0, c.y, 0, 0);
    if (c.d == 1 && day_cmp(month_end, b) <= 0) {
        *r = *r || emit(fn, ctx, "", 0, 0, c.y, c.m, 0);
        return c.m == 12 ? (px_day){c.y + 1, 1, 1}
                         : (px_day){c.y, c.m + 1, 1};
    }
    *r = *r || emit(fn, ctx, "=", 0, 0, c.y, c.m, 0) ||
         emit(fn, ctx, "", 0, 0, c.y, c.m, c.d);
    if (c.d < month_end.d)
        return (px_day){c.y, c.m, c.d + 1};
    return c.m == 12 ? (px_day){c.y + 1, 1, 1} : (px_day){c.y, c.m + 1, 1};
}

px_status
px_date_range_terms(px_day a, px_day b, px_term_fn fn, void *ctx)
{
    if (fn == NULL || a.y < 0 || b.y > 9999 || a.m < 1 || a.m > 12 ||
        b.m < 1 || b.m > 12 || a.d < 1 || a.d > days_in_month(a.y, a.m) ||
        b.d < 1 || b.d > days_in_month(b.y, b.m) || day_cmp(a, b) > 0)
        return PX_INVALID_ARGUMENT;
    int r = 0;
    for (px_day c = a; !r && c.y <= 9999 && day_cmp(c, b) <= 0;)
        c = block(c, b, fn, ctx, &r);
    return r ? PX_NOMEM : PX_OK;
}
