/*
 * output_json.c — results as one JSON document (output.h).
 *
 * Written straight into one buffer, then out in one write: building a
 * jansson tree, dumping it piece by piece and freeing it took more time
 * than the rest of a small query. The layout is jansson's JSON_INDENT(2)
 * (which this replaced): two spaces an indent, "key": value, empty
 * containers as [] and {}, reals as %.17g with ".0" added when they would
 * read as integers, non-ASCII as is and control characters escaped.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "output.h"
#include "passim/utf8.h"

typedef struct writer {
    char *buf;
    size_t n, cap;
    int oom;
    int depth;
    int first; /* nothing in the open container yet */
} writer;

static void
put(writer *w, const char *s, size_t len)
{
    if (w->oom)
        return;
    if (w->n + len > w->cap) {
        size_t cap = w->cap ? w->cap : 16384;
        while (cap < w->n + len)
            cap *= 2;
        char *b = realloc(w->buf, cap);
        if (!b) {
            w->oom = 1;
            return;
        }
        w->buf = b;
        w->cap = cap;
    }
    memcpy(w->buf + w->n, s, len);
    w->n += len;
}

static void
puts_(writer *w, const char *s)
{
    put(w, s, strlen(s));
}

/* A new line at the current depth, after a comma unless first. */
static void
next_line(writer *w)
{
    static const char spaces[] = "                                ";
    if (!w->first)
        put(w, ",", 1);
    put(w, "\n", 1);
    for (int d = 2 * w->depth; d > 0; d -= (int)sizeof spaces - 1)
        put(w, spaces, d < (int)sizeof spaces - 1 ? (size_t)d
                                                   : sizeof spaces - 1);
    w->first = 0;
}

static void
open_(writer *w, char c)
{
    put(w, &c, 1);
    w->depth++;
    w->first = 1;
}

static void
close_(writer *w, char c)
{
    w->depth--;
    if (!w->first) {
        w->first = 1; /* no comma before the closing line */
        next_line(w);
    }
    put(w, &c, 1);
    w->first = 0;
}

#define ONES 0x0101010101010101ULL
#define HIGHS 0x8080808080808080ULL

static uint64_t
load8(const char *s)
{
    uint64_t v;
    memcpy(&v, s, 8);
    return v;
}

/* Whether none of the 8 bytes of v needs escaping: no control character,
 * quote or backslash (bitwise tests on all 8 at once). */
static int
plain8(uint64_t v)
{
    uint64_t q = v ^ (ONES * '"'), b = v ^ (ONES * '\\');
    uint64_t low = (v - ONES * 0x20) & ~v & HIGHS;
    uint64_t zq = (q - ONES) & ~q & HIGHS, zb = (b - ONES) & ~b & HIGHS;
    return (low | zq | zb) == 0;
}

/* The quoted, escaped form of valid UTF-8 s[0, len). */
static void
string_valid(writer *w, const char *s, size_t len)
{
    put(w, "\"", 1);
    size_t from = 0;
    for (size_t i = 0; i < len; i++) {
        while (i + 8 <= len && plain8(load8(s + i)))
            i += 8;
        if (i >= len)
            break;
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        put(w, s + from, i - from);
        from = i + 1;
        char esc[8];
        switch (c) {
        case '"': put(w, "\\\"", 2); break;
        case '\\': put(w, "\\\\", 2); break;
        case '\b': put(w, "\\b", 2); break;
        case '\f': put(w, "\\f", 2); break;
        case '\n': put(w, "\\n", 2); break;
        case '\r': put(w, "\\r", 2); break;
        case '\t': put(w, "\\t", 2); break;
        default:
            snprintf(esc, sizeof esc, "\\u%04X", (unsigned)c);
            put(w, esc, 6);
        }
    }
    put(w, s + from, len - from);
    put(w, "\"", 1);
}

static int
valid_utf8(const char *s, size_t len)
{
    for (size_t i = 0; i < len;) {
        if (i + 8 <= len && (load8(s + i) & HIGHS) == 0) {
            i += 8;
            continue;
        }
        if ((unsigned char)s[i] < 0x80) {
            i++;
            continue;
        }
        uint32_t cp;
        size_t n = px_utf8_decode(s + i, len - i, &cp);
        if (n == 0)
            return 0;
        i += n;
    }
    return 1;
}

/* A JSON string from bytes that may not be UTF-8 (a file name can be
 * anything): invalid bytes are repaired as the indexer repairs text. */
static void
string_n(writer *w, const char *s, size_t len)
{
    if (valid_utf8(s, len)) {
        string_valid(w, s, len);
        return;
    }
    char *fixed = NULL;
    size_t fixed_len = 0;
    if (px_utf8_repair(s, len, &fixed, &fixed_len, NULL) != PX_OK) {
        w->oom = 1;
        return;
    }
    string_valid(w, fixed, fixed_len);
    free(fixed);
}

static void
key(writer *w, const char *k)
{
    next_line(w);
    string_valid(w, k, strlen(k));
    put(w, ": ", 2);
}

static void
int_value(writer *w, int64_t v)
{
    char num[24], *p = num + sizeof num;
    uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    do {
        *--p = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        *--p = '-';
    put(w, p, (size_t)(num + sizeof num - p));
}

/* As jansson writes a real. */
static void
real_value(writer *w, double v)
{
    char num[40];
    int n = snprintf(num, sizeof num, "%.17g", v);
    if (n < 0 || (size_t)n >= sizeof num - 3) {
        w->oom = 1;
        return;
    }
    if (!strchr(num, '.') && !strchr(num, 'e')) {
        memcpy(num + n, ".0", 3);
        n += 2;
    }
    /* No '+' and no leading zeros in the exponent. */
    char *e = strchr(num, 'e');
    if (e) {
        char *start = e + 1, *end = start + 1;
        if (*start == '-')
            start++;
        while (*end == '0')
            end++;
        if (end != start) {
            memmove(start, end, (size_t)(num + n + 1 - end));
            n -= (int)(end - start);
        }
    }
    put(w, num, (size_t)n);
}

static void
key_string(writer *w, const char *k, const char *s)
{
    key(w, k);
    string_n(w, s, strlen(s));
}

static void
key_int(writer *w, const char *k, int64_t v)
{
    key(w, k);
    int_value(w, v);
}

static void
key_bool(writer *w, const char *k, int v)
{
    key(w, k);
    puts_(w, v ? "true" : "false");
}

static const char *const type_names[] = {"person", "place", "org", "misc",
                                         "date",   "author"};

static void
strings(writer *w, const char *k, const char *const *s, size_t n)
{
    key(w, k);
    open_(w, '[');
    for (size_t i = 0; i < n; i++) {
        next_line(w);
        string_n(w, s[i], strlen(s[i]));
    }
    close_(w, ']');
}

static void
hit(writer *w, const px_hit *h)
{
    next_line(w);
    open_(w, '{');
    key_string(w, "path", h->path);
    strings(w, "copies", (const char *const *)h->copies, h->ncopies);
    key_string(w, "title", h->title);
    key_string(w, "published", h->date);
    key_bool(w, "published_is_file_time", h->file_dated);
    key_string(w, "article", h->article);
    key_int(w, "article_rank", h->article_rank);
    key_int(w, "passage", h->number);
    key_int(w, "start", (int64_t)h->start);
    key_int(w, "end", (int64_t)h->end);
    if (h->page > 0)
        key_int(w, "page", h->page);
    key(w, "score");
    real_value(w, h->score);
    key(w, "text");
    string_n(w, h->text, h->text_len);
    key(w, "highlights");
    open_(w, '[');
    for (size_t i = 0; i < h->nspans; i++) {
        next_line(w);
        open_(w, '[');
        next_line(w);
        int_value(w, (int64_t)h->spans[i].start);
        next_line(w);
        int_value(w, (int64_t)h->spans[i].end);
        close_(w, ']');
    }
    close_(w, ']');
    /* The passage's entity mentions, typed as the facets are named. */
    key(w, "entities");
    open_(w, '[');
    for (size_t i = 0; i < h->nmentions; i++) {
        int t = h->mention_types[i];
        if (t < 0 || t >= (int)(sizeof type_names / sizeof *type_names))
            continue;
        next_line(w);
        open_(w, '{');
        key_string(w, "type", type_names[t]);
        key_int(w, "start", (int64_t)h->mentions[i].start);
        key_int(w, "end", (int64_t)h->mentions[i].end);
        close_(w, '}');
    }
    close_(w, ']');
    close_(w, '}');
}

static void
facets(writer *w, const px_results *r)
{
    open_(w, '{');
    for (int t = 0; t < PX_ENT_TYPES; t++) {
        key(w, type_names[t]);
        open_(w, '[');
        for (size_t i = 0; i < r->facets.count[t]; i++) {
            const px_facet_value *v = &r->facets.values[t][i];
            next_line(w);
            open_(w, '{');
            key_string(w, "value", v->value);
            key_int(w, "count", v->count);
            close_(w, '}');
        }
        close_(w, ']');
    }
    close_(w, '}');
}

static void
name_counts(writer *w, const char *k, const px_name_count *c, size_t n)
{
    key(w, k);
    open_(w, '[');
    for (size_t i = 0; i < n; i++) {
        next_line(w);
        open_(w, '{');
        key_string(w, "value", c[i].value);
        key_int(w, "articles", c[i].articles);
        close_(w, '}');
    }
    close_(w, ']');
}

/* What each name filter matched (names.h). */
static void
name_filters(writer *w, const px_results *r)
{
    static const char *const outcomes[] = {"exact", "extended", "ambiguous",
                                           "none"};
    key(w, "name_filters");
    open_(w, '[');
    for (size_t i = 0; i < r->nnames; i++) {
        const px_name_match *m = &r->names[i];
        next_line(w);
        open_(w, '{');
        key_string(w, "field", m->field);
        key_string(w, "value", m->typed);
        key_bool(w, "negated", m->negated);
        key_string(w, "outcome", outcomes[m->outcome]);
        name_counts(w, "matched", m->matched, m->nmatched);
        name_counts(w, m->outcome == PX_NAME_NONE ? "did_you_mean"
                                                  : "others",
                    m->others, m->nothers);
        close_(w, '}');
    }
    close_(w, ']');
}


/* "months": [{"value": "YYYY-MM", "count": N}, ...], oldest first. */
static void
months_array(writer *w, const px_results *r)
{
    key(w, "months");
    open_(w, '[');
    for (size_t i = 0; i < r->facets.nmonths; i++) {
        next_line(w);
        open_(w, '{');
        key_string(w, "value", r->facets.months[i].value);
        key_int(w, "count", r->facets.months[i].count);
        close_(w, '}');
    }
    close_(w, ']');
}

int
px_output_json(FILE *out, const px_results *r, const char *query,
               const px_json_notes *notes, int months)
{
    writer w = {0};
    open_(&w, '{');
    key_string(&w, "query", query);
    key_int(&w, "estimated_total", r->estimated);
    key_int(&w, "articles", (int64_t)r->narticles);
    key_bool(&w, "fell_back_to_or", r->fell_back_to_or);
    key(&w, "hits");
    open_(&w, '[');
    for (size_t i = 0; i < r->nhits; i++)
        hit(&w, &r->hits[i]);
    close_(&w, ']');
    key(&w, "facets");
    facets(&w, r);
    key_bool(&w, "facets_exact", r->have_facets ? r->facets.exact : 1);
    key_int(&w, "facet_articles", r->facets.articles);
    if (months)
        months_array(&w, r);
    name_filters(&w, r);
    if (r->published && r->file_dated_known)
        key_int(&w, "file_dated_articles", r->file_dated);
    if (notes) {
        strings(&w, "warnings", notes->warnings, notes->n);
        strings(&w, "shards_failed", notes->failed, notes->n);
    }
    close_(&w, '}');
    put(&w, "\n", 1);
    int rc = w.oom ? -1 : 0;
    if (rc == 0 && fwrite(w.buf, 1, w.n, out) != w.n)
        rc = -1;
    free(w.buf);
    return rc;
}

/* Write a finished document out in one piece. */
static int
flush_doc(writer *w, FILE *out)
{
    put(w, "\n", 1);
    int rc = w->oom ? -1 : 0;
    if (rc == 0 && fwrite(w->buf, 1, w->n, out) != w->n)
        rc = -1;
    free(w->buf);
    return rc;
}

int
px_output_json_results(FILE *out, const px_results *r, const char *query,
                       int months)
{
    const char **warnings = calloc(r->nfailed + 1, sizeof *warnings);
    const char **failed = calloc(r->nfailed + 1, sizeof *failed);
    px_json_notes notes = {warnings, failed, r->nfailed};
    int rc = -1;
    for (size_t i = 0; warnings && failed && i < r->nfailed; i++) {
        warnings[i] = r->failed[i].why;
        failed[i] = r->failed[i].name;
    }
    if (warnings && failed)
        rc = px_output_json(out, r, query, &notes, months);
    free(warnings);
    free(failed);
    return rc;
}

int
px_output_json_initial(FILE *out, const px_results *r, const char *query,
                       const char *const *keys, const char *const *values,
                       size_t n)
{
    writer w = {0};
    open_(&w, '{');
    key(&w, "params");
    open_(&w, '[');
    for (size_t i = 0; i < n; i++) {
        next_line(&w);
        open_(&w, '[');
        string_n(&w, keys[i], strlen(keys[i]));
        put(&w, ", ", 2);
        string_n(&w, values[i], strlen(values[i]));
        w.first = 1; /* on one line */
        close_(&w, ']');
    }
    close_(&w, ']');
    key(&w, "answer");
    int rc = flush_doc(&w, out);
    if (rc == 0)
        rc = px_output_json_results(out, r, query, 1);
    if (rc == 0 && fputs("}\n", out) == EOF)
        rc = -1;
    return rc;
}

int
px_output_json_months(FILE *out, const px_results *r, const char *query)
{
    writer w = {0};
    open_(&w, '{');
    key_string(&w, "query", query);
    key_int(&w, "articles", r->facets.articles);
    key_bool(&w, "exact", r->have_facets ? r->facets.exact : 1);
    months_array(&w, r);
    close_(&w, '}');
    return flush_doc(&w, out);
}

int
px_output_json_article(FILE *out, const px_article_view *a)
{
    writer w = {0};
    open_(&w, '{');
    key_string(&w, "article", a->id);
    key_string(&w, "title", a->title ? a->title : "");
    key_string(&w, "path", a->path ? a->path : "");
    key_string(&w, "published", a->date);
    key_bool(&w, "published_is_file_time", a->file_dated);
    key(&w, "passages");
    open_(&w, '[');
    for (size_t i = 0; i < a->npassages; i++) {
        const px_passage_view *p = &a->passages[i];
        next_line(&w);
        open_(&w, '{');
        key_int(&w, "passage", p->number);
        key_int(&w, "start", (int64_t)p->start);
        key_int(&w, "end", (int64_t)p->end);
        if (p->page > 0)
            key_int(&w, "page", p->page);
        key(&w, "text");
        string_n(&w, p->text, p->text_len);
        key(&w, "entities");
        open_(&w, '[');
        for (size_t k = 0; k < p->nmentions; k++) {
            int t = p->mention_types[k];
            if (t < 0 || t >= (int)(sizeof type_names / sizeof *type_names))
                continue;
            next_line(&w);
            open_(&w, '{');
            key_string(&w, "type", type_names[t]);
            key_int(&w, "start", (int64_t)p->mentions[k].start);
            key_int(&w, "end", (int64_t)p->mentions[k].end);
            close_(&w, '}');
        }
        close_(&w, ']');
        close_(&w, '}');
    }
    close_(&w, ']');
    close_(&w, '}');
    return flush_doc(&w, out);
}

int
px_output_json_error(FILE *out, const char *message, int status)
{
    writer w = {0};
    open_(&w, '{');
    key_string(&w, "error", message);
    key_int(&w, "status", status);
    close_(&w, '}');
    return flush_doc(&w, out);
}
