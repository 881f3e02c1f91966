/*
 * output_text.c — results as text for people.
 *
 * Passage text is shown with its white space folded to single spaces and,
 * when long, cropped to a window that starts shortly before the first
 * highlighted word, cut at word boundaries.
 */
#include <inttypes.h>
#include <string.h>

#include "output.h"

#define WINDOW 480  /* bytes of passage shown */
#define LEAD 120    /* bytes shown before the first highlight */

#define BOLD "\033[1m"
#define DIM "\033[2m"
#define MATCH "\033[1;31m"
#define RESET "\033[0m"

static int
is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
           c == '\v';
}

static int
in_span(const px_hit *h, size_t i, size_t *end)
{
    for (size_t k = 0; k < h->nspans; k++) {
        if (h->spans[k].start == i) {
            *end = h->spans[k].end;
            return 1;
        }
    }
    return 0;
}

/* Move `i` back to the start of a word (and of a UTF-8 character). */
static size_t
word_start(const char *t, size_t i)
{
    size_t floor = i > 40 ? i - 40 : 0;
    while (i > floor && !is_space(t[i - 1]))
        i--;
    while (i > 0 && ((unsigned char)t[i] & 0xC0) == 0x80)
        i--;
    return i;
}

static void
window(const px_hit *h, size_t *from, size_t *to)
{
    *from = 0;
    *to = h->text_len;
    if (h->text_len <= WINDOW)
        return;
    size_t first = h->nspans ? h->spans[0].start : 0;
    *from = first > LEAD ? word_start(h->text, first - LEAD) : 0;
    *to = *from + WINDOW < h->text_len ? *from + WINDOW : h->text_len;
    while (*to < h->text_len && !is_space(h->text[*to]))
        (*to)++;
}

static void
print_passage(FILE *out, const px_hit *h, int color)
{
    size_t from, to;
    window(h, &from, &to);
    fputs("    ", out);
    if (from > 0)
        fputs("… ", out);
    int space = 0;
    for (size_t i = from; i < to; i++) {
        size_t end;
        if (color && in_span(h, i, &end)) {
            if (space)
                fputc(' ', out);
            fputs(MATCH, out);
            fwrite(h->text + i, 1, end - i, out);
            fputs(RESET, out);
            i = end - 1;
            space = 0;
        } else if (is_space(h->text[i])) {
            space = 1;
        } else {
            if (space)
                fputc(' ', out);
            space = 0;
            fputc(h->text[i], out);
        }
    }
    fputs(to < h->text_len ? " …\n" : "\n", out);
}

void
px_output_text(FILE *out, const px_results *r, int color)
{
    uint32_t article = 0;
    for (size_t i = 0; i < r->nhits; i++) {
        const px_hit *h = &r->hits[i];
        if (h->article_rank != article) {
            article = h->article_rank;
            fprintf(out, "%s%s%u. %s%s", i ? "\n" : "", color ? BOLD : "",
                    article, h->title, color ? RESET : "");
            if (*h->date)
                fprintf(out, " %s(%s%s)%s", color ? DIM : "", h->date,
                        h->file_dated ? ", the file's time" : "",
                        color ? RESET : "");
            fprintf(out, "\n   %s%s%s\n", color ? DIM : "", h->path,
                    color ? RESET : "");
            for (size_t k = 0; k < h->ncopies; k++)
                fprintf(out, "   %salso at %s%s\n", color ? DIM : "",
                        h->copies[k], color ? RESET : "");
        }
        char page[24] = "";
        if (h->page > 0)
            snprintf(page, sizeof page, "p. %u, ", (unsigned)h->page);
        fprintf(out, "  %s[passage %u, %sbytes %llu-%llu, score %.3f]%s\n",
                color ? DIM : "", (unsigned)h->number + 1, page,
                (unsigned long long)h->start, (unsigned long long)h->end,
                h->score, color ? RESET : "");
        print_passage(out, h, color);
    }
}

static const char *const facet_names[PX_ENT_TYPES] = {
    "people", "places", "organisations", "other names", "dates",
    "authors",
};

void
px_output_facets_text(FILE *out, const px_results *r, int color)
{
    if (!r->have_facets)
        return;
    const px_facets *f = &r->facets;
    size_t any = 0;
    for (int t = 0; t < PX_ENT_TYPES; t++)
        any += f->count[t];
    if (!any)
        return;
    fprintf(out, "\n%sFacets%s (matching articles%s):\n", color ? BOLD : "",
            color ? RESET : "", f->exact ? "" : ", estimated");
    for (int t = 0; t < PX_ENT_TYPES; t++) {
        if (f->count[t] == 0)
            continue;
        fprintf(out, "  %-14s", facet_names[t]);
        for (size_t i = 0; i < f->count[t]; i++)
            fprintf(out, "%s%s (%u)", i ? ", " : "", f->values[t][i].value,
                    (unsigned)f->values[t][i].count);
        fputc('\n', out);
    }
}

/* "A (3), B (2)" */
static void
name_list(FILE *out, const px_name_count *c, size_t n)
{
    for (size_t i = 0; i < n; i++)
        fprintf(out, "%s%s (%" PRIu32 ")", i ? ", " : "", c[i].value,
                c[i].articles);
}

static const char *
kind_of(const char *field)
{
    if (strcmp(field, "person") == 0)
        return "person";
    if (strcmp(field, "place") == 0)
        return "place";
    if (strcmp(field, "org") == 0)
        return "organisation";
    return "name";
}

static void
name_note(FILE *out, const char *prog, const px_name_match *m, int all)
{
    if (m->outcome == PX_NAME_NONE) {
        fprintf(out, "%s: no %s named \"%s\" in the index", prog,
                kind_of(m->field), m->typed);
        if (m->nothers) {
            fputs("; did you mean ", out);
            name_list(out, m->others, m->nothers);
            fputs("?", out);
        }
        fputs("\n", out);
    } else if (all && m->outcome == PX_NAME_EXTENDED) {
        fprintf(out, "%s: %s:%s matched ", prog, m->field, m->typed);
        name_list(out, m->matched, m->nmatched);
        if (m->nothers) {
            fputs("; not ", out);
            name_list(out, m->others, m->nothers);
            fputs(" (give the full name for one of them)", out);
        }
        fputs("\n", out);
    } else if (all && m->outcome == PX_NAME_AMBIGUOUS) {
        fprintf(out, "%s: %s:%s matched only \"%s\" as written: several "
                "names end so (", prog, m->field, m->typed,
                m->nmatched ? m->matched[0].value : m->typed);
        name_list(out, m->others, m->nothers);
        fputs("); give the full name\n", out);
    }
}

void
px_output_name_notes(FILE *out, const char *prog, const px_results *r,
                     int all)
{
    if (r->query_repaired)
        fprintf(out, "%s: the query is not valid UTF-8: %zu byte%s read as "
                "Windows-1252\n", prog, r->query_repaired,
                r->query_repaired == 1 ? "" : "s");
    for (size_t i = 0; i < r->nnames; i++)
        name_note(out, prog, &r->names[i], all);
    if (!r->published || !r->nhits || (r->file_dated_known && !r->file_dated))
        return;
    if (r->file_dated_known)
        fprintf(out, "%s: published: %" PRIu32 " of the matching articles "
                "state no date of their own; their file's modification time "
                "stood for it\n", prog, r->file_dated);
    else
        fprintf(out, "%s: published: an article that states no date of its "
                "own is dated by its file's modification time (this "
                "database does not record which: index into a new one to "
                "know)\n", prog);
}
