/*
 * filters.c — the entity and date filters of a query (filters.h).
 */
#include "filters.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "passim/entity.h"
#include "passim/format.h"
#include "passim/datecore.h"
#include "passim/schema.h"
#include "names.h"

/* A filter field and the entity type it names; DATE and -1 (published)
 * are dates. */
static const struct field {
    const char *name;
    int type;
} fields[] = {
    {"person", PX_ENT_PER}, {"place", PX_ENT_LOC}, {"org", PX_ENT_ORG},
    {"misc", PX_ENT_MISC},  {"date", PX_ENT_DATE}, {"published", -1},
    {"author", PX_ENT_AUTHOR}, /* a post's From: only (names.h) */
    /* Any type: a name filter matches every type anyway (entity_filter). */
    {"name", PX_ENT_PER},   {"entity", PX_ENT_PER},
};

#define NFIELDS (sizeof fields / sizeof *fields)

typedef struct ymd {
    int y, m, d; /* m, d are 0 when not given */
} ymd;


/* Parse "YYYY", "YYYY-MM" or "YYYY-MM-DD" (len bytes); 0 on success. */
static int
parse_ymd(const char *s, size_t len, ymd *out)
{
    char buf[16];
    if (len == 0 || len >= sizeof buf)
        return -1;
    memcpy(buf, s, len);
    buf[len] = '\0';
    int n = 0;
    *out = (ymd){0, 0, 0};
    if (len == 4 && sscanf(buf, "%4d%n", &out->y, &n) == 1 && n == 4)
        return 0;
    if (len == 7 && sscanf(buf, "%4d-%2d%n", &out->y, &out->m, &n) == 2 &&
        n == 7 && out->m >= 1 && out->m <= 12)
        return 0;
    if (len == 10 &&
        sscanf(buf, "%4d-%2d-%2d%n", &out->y, &out->m, &out->d, &n) == 3 &&
        n == 10 && out->m >= 1 && out->m <= 12 && out->d >= 1 &&
        out->d <= px_datecore_days_in_month(out->y, out->m))
        return 0;
    return -1;
}

/* The first or last day a date stands for. */
static ymd
first_day(ymd a)
{
    return (ymd){a.y, a.m ? a.m : 1, a.d ? a.d : 1};
}

static ymd
last_day(ymd a)
{
    int m = a.m ? a.m : 12;
    return (ymd){a.y, m, a.d ? a.d : px_datecore_days_in_month(a.y, m)};
}

static int
before_or_same(ymd a, ymd b)
{
    return a.y != b.y ? a.y < b.y : a.m != b.m ? a.m < b.m : a.d <= b.d;
}



/* The terms of a range, gathered for one OR. */
typedef struct termlist {
    xc_query **q;
    size_t n, cap;
} termlist;

static int
gather_term(void *ctx, const char *term, size_t len)
{
    termlist *t = ctx;
    if (t->n == t->cap) {
        size_t cap = t->cap ? 2 * t->cap : 64;
        xc_query **q = realloc(t->q, cap * sizeof *q);
        if (!q)
            return 1;
        t->q = q;
        t->cap = cap;
    }
    t->q[t->n] = NULL;
    if (xc_query_create_term(term, len, 1, &t->q[t->n]) != XC_OK)
        return 1;
    t->n++;
    return 0;
}

/* The articles with a date mention overlapping [a, b] (schema.h). */
static xc_query *
date_terms(ymd a, ymd b)
{
    termlist t = {NULL, 0, 0};
    px_day from = {a.y, a.m, a.d}, to = {b.y, b.m, b.d};
    xc_query *q = NULL;
    if (px_date_range_terms(from, to, gather_term, &t) == PX_OK)
        xc_query_create_combined(XC_OP_OR, t.q, t.n, 0, &q);
    for (size_t i = 0; i < t.n; i++)
        xc_query_destroy(t.q[i]);
    free(t.q);
    return q;
}

/* published:A..B as a range of the article date value (YYYYMMDD). */
static xc_query *
published_range(ymd a, ymd b, int open_start, int open_end)
{
    char lo[16], hi[16];
    ymd f = first_day(a), l = last_day(b);
    snprintf(lo, sizeof lo, "%04d%02d%02d", f.y, f.m, f.d);
    snprintf(hi, sizeof hi, "%04d%02d%02d", l.y, l.m, l.d);
    if (open_start)
        strcpy(lo, "00000000");
    if (open_end)
        strcpy(hi, "99999999");
    xc_query *q = NULL;
    xc_query_create_value_range(PX_SLOT_DATE, lo, strlen(lo), hi, strlen(hi),
                                &q);
    return q;
}

static px_status or_of_terms(const char *const *terms, const size_t *lens,
                             size_t n, xc_query **out);

/* A date filter value: "A", "A..B", "A..", "..B". */
static px_status
date_filter(int type, const char *v, size_t len, xc_query **q, char **error)
{
    const char *dots = NULL;
    for (size_t i = 0; i + 1 < len && !dots; i++)
        dots = v[i] == '.' && v[i + 1] == '.' ? v + i : NULL;
    size_t alen = dots ? (size_t)(dots - v) : len;
    const char *b = dots ? dots + 2 : v;
    size_t blen = dots ? len - alen - 2 : len;
    ymd a = {0, 1, 1}, z = {9999, 12, 31};
    int open_a = dots && alen == 0, open_b = dots && blen == 0;
    if ((!open_a && parse_ymd(v, alen, &a) != 0) ||
        (!open_b && parse_ymd(b, blen, &z) != 0) ||
        (!open_a && !open_b && !before_or_same(first_day(a), last_day(z)))) {
        *error = px_asprintf("malformed date filter '%.*s': use YYYY, YYYY-MM "
                        "or YYYY-MM-DD, or a range A..B", (int)len, v);
        return PX_QUERY_SYNTAX;
    }
    if (type < 0)
        *q = published_range(a, z, open_a, open_b);
    else
        *q = date_terms(open_a ? (ymd){0, 1, 1} : first_day(a),
                        open_b ? (ymd){9999, 12, 31} : last_day(z));
    return *q ? PX_OK : PX_NOMEM;
}

/* The field named at s (followed by ':'), or NULL. */
static const struct field *
field_at(const char *s, size_t *name_len)
{
    for (size_t i = 0; i < NFIELDS; i++) {
        size_t n = strlen(fields[i].name);
        if (strncmp(s, fields[i].name, n) == 0 && s[n] == ':' && s[n + 1] &&
            s[n + 1] != ' ') {
            *name_len = n;
            return &fields[i];
        }
    }
    return NULL;
}

/* The value after "field:": a quoted string or a run without spaces. */
static const char *
value_at(const char *s, size_t *len, const char **after)
{
    if (*s == '"') {
        const char *close = strchr(s + 1, '"');
        const char *end = close ? close : s + strlen(s);
        *len = (size_t)(end - s - 1);
        *after = close ? close + 1 : end;
        return s + 1;
    }
    *len = strcspn(s, " \t\n)");
    *after = s + *len;
    return s;
}

/* *to = *to op q, op AND or OR (q is consumed). */
static px_status
combine_into(xc_query **to, xc_query *q, xc_query_op op)
{
    if (!q)
        return PX_NOMEM;
    if (!*to) {
        *to = q;
        return PX_OK;
    }
    xc_query *both = NULL, *subs[2] = {*to, q};
    xc_query_create_combined(op, subs, 2, 0, &both);
    xc_query_destroy(*to);
    xc_query_destroy(q);
    *to = both;
    return both ? PX_OK : PX_NOMEM;
}

static px_status
add_filter(px_filters *f, xc_query *q, int per_article, int negated)
{
    f->count++;
    f->published += !per_article;
    if (negated)
        return combine_into(per_article ? &f->article_not : &f->filter_not,
                            q, XC_OP_OR);
    return combine_into(per_article ? &f->article : &f->filter, q,
                        XC_OP_AND);
}

/* A name filter is kept as typed: what it means depends on the names
 * the index holds (names.h), resolved when the filters are joined. */
static px_status
add_name(px_filters *f, const struct field *fld, const char *v, size_t len,
         int negated)
{
    px_name_match *m = realloc(f->names, (f->nnames + 1) * sizeof *m);
    if (!m)
        return PX_NOMEM;
    f->names = m;
    m += f->nnames;
    memset(m, 0, sizeof *m);
    m->field = px_asprintf("%s", fld->name);
    m->typed = px_asprintf("%.*s", (int)len, v);
    m->negated = negated;
    f->nnames++;
    f->count++;
    return m->field && m->typed ? PX_OK : PX_NOMEM;
}

/* Take one filter at s (after its field name); append nothing to rest. */
static px_status
take_filter(px_filters *f, const struct field *fld, const char *s,
            int negated, const char **after, char **error)
{
    size_t len;
    const char *v = value_at(s, &len, after);
    if (fld->type != PX_ENT_DATE && fld->type >= 0)
        return add_name(f, fld, v, len, negated);
    xc_query *q = NULL;
    px_status rc = date_filter(fld->type, v, len, &q, error);
    return rc == PX_OK ? add_filter(f, q, fld->type >= 0, negated) : rc;
}

/* Whether rest[0, *n) ends with the word `w` (after blanks): if so, cut
 * it (and the blanks) off. */
static int
cut_word(char *rest, size_t *n, const char *w)
{
    size_t e = *n, l = strlen(w);
    while (e > 0 && strchr(" \t\n", rest[e - 1]))
        e--;
    if (e < l || memcmp(rest + e - l, w, l) != 0 ||
        (e > l && !strchr(" \t\n(", rest[e - l - 1])))
        return 0;
    *n = e - l;
    return 1;
}

/* Where the unit that starts at u ends: a phrase, a group in brackets,
 * or a run of non-blanks. */
static const char *
unit_end(const char *u)
{
    if (*u == '"') {
        const char *close = strchr(u + 1, '"');
        return close ? close + 1 : u + strlen(u);
    }
    if (*u == '(') {
        int depth = 0;
        for (const char *p = u; *p; p++) {
            depth += (*p == '(') - (*p == ')');
            if (depth == 0)
                return p + 1;
        }
        return u + strlen(u);
    }
    return u + strcspn(u, " \t\n)");
}

/* The length of a negation at s ("-" glued to what follows, or "NOT" and
 * blanks), 0 if none. */
static size_t
negation_at(const char *s)
{
    if (s[0] == '-' && s[1] && !strchr(" \t\n-)", s[1]))
        return 1;
    if (strncmp(s, "NOT", 3) != 0 || !s[3] || !strchr(" \t\n", s[3]))
        return 0;
    size_t k = 3;
    while (s[k] && strchr(" \t\n", s[k]))
        k++;
    return s[k] && s[k] != ')' ? k : 0;
}

/* Take a negated unit of words at s (after its negation) into not_text. */
static px_status
take_not(px_filters *f, const char *u, const char **after)
{
    const char *e = unit_end(u);
    size_t have = f->not_text ? strlen(f->not_text) : 0, len = (size_t)(e - u);
    char *t = realloc(f->not_text, have + len + 5);
    if (!t)
        return PX_NOMEM;
    if (have)
        memcpy(t + have, " OR ", 4);
    memcpy(t + have + (have ? 4 : 0), u, len);
    t[have + (have ? 4 : 0) + len] = '\0';
    f->not_text = t;
    *after = e;
    return PX_OK;
}

px_status
px_filters_extract(const char *query, px_filters *out, char **error)
{
    memset(out, 0, sizeof *out);
    *error = NULL;
    char *rest = malloc(strlen(query) + 1);
    if (!rest)
        return PX_NOMEM;
    size_t n = 0;
    int in_quote = 0, depth = 0;
    px_status rc = PX_OK;
    const char *s = query;
    while (*s && rc == PX_OK) {
        size_t name_len;
        int word_start = s == query || strchr(" \t\n(", s[-1]);
        int minus = word_start && *s == '-';
        const char *at = s + minus;
        const struct field *fld = word_start ? field_at(at, &name_len) : NULL;
        size_t neg = !fld && word_start && !in_quote && depth == 0
                         ? negation_at(s) : 0;
        if (neg && !field_at(s + neg, &name_len)) {
            /* Words after a top-level negation exclude whole articles. */
            if (*s != '-')
                cut_word(rest, &n, "AND");
            rc = take_not(out, s + neg, &s);
            continue;
        }
        if (!fld) {
            in_quote ^= *s == '"';
            depth += !in_quote ? (*s == '(') - (*s == ')') : 0;
            rest[n++] = *s++;
            continue;
        }
        /* "-org:X", "NOT org:X" and "AND NOT org:X" exclude. */
        int negated = minus || cut_word(rest, &n, "NOT");
        if (negated && !minus)
            cut_word(rest, &n, "AND");
        rc = take_filter(out, fld, at + name_len + 1, negated, &s, error);
    }
    rest[n] = '\0';
    out->rest = rest;
    if (rc != PX_OK)
        px_filters_free(out);
    return rc;
}

/* An OR of n terms. */
static px_status
or_of_terms(const char *const *terms, const size_t *lens, size_t n,
            xc_query **out)
{
    xc_query **subs = calloc(n ? n : 1, sizeof *subs);
    px_status rc = subs ? PX_OK : PX_NOMEM;
    size_t made = 0;
    for (; rc == PX_OK && made < n; made++) {
        if (xc_query_create_term(terms[made], lens[made], 1, &subs[made]) !=
            XC_OK)
            rc = PX_NOMEM;
    }
    if (rc == PX_OK &&
        xc_query_create_combined(XC_OP_OR, subs, n, 0, out) != XC_OK)
        rc = PX_NOMEM;
    for (size_t i = 0; subs && i < made; i++)
        xc_query_destroy(subs[i]);
    free(subs);
    return rc;
}

/* The article ids an mset holds, one item per article (collapsed on
 * PX_SLOT_ARTICLE), as a filter on their passages: locally a walk of the
 * article slot; a remote shard cannot run that, so there an OR of the
 * articles' "XA" terms (no articles: match nothing). */
static px_status
articles_query(xc_mset *mset, int remote, xc_query **out)
{
    uint32_t n = xc_mset_size(mset);
    char (*terms)[sizeof PX_PREFIX_ARTICLE + PX_ARTICLE_ID_SIZE] =
        malloc((n ? n : 1) * sizeof *terms);
    const char **keys = calloc(n ? n : 1, sizeof *keys);
    size_t *lens = calloc(n ? n : 1, sizeof *lens);
    px_status rc = terms && keys && lens ? PX_OK : PX_NOMEM;
    const size_t skip = remote ? 0 : strlen(PX_PREFIX_ARTICLE);
    for (uint32_t i = 0; rc == PX_OK && i < n; i++) {
        const char *id = NULL;
        size_t len = 0;
        if (xc_mset_collapse_key(mset, i, &id, &len) != XC_OK ||
            len >= PX_ARTICLE_ID_SIZE) {
            rc = PX_XAPIAN;
            break;
        }
        lens[i] = (size_t)snprintf(terms[i], sizeof terms[i], "%s%.*s",
                                   PX_PREFIX_ARTICLE, (int)len, id) - skip;
        keys[i] = terms[i] + skip;
    }
    if (rc == PX_OK && !remote &&
        xc_query_create_value_in(PX_SLOT_ARTICLE, keys, lens, n, out) !=
            XC_OK)
        rc = PX_NOMEM;
    if (rc == PX_OK && remote)
        rc = or_of_terms(keys, lens, n, out);
    free(terms);
    free(keys);
    free(lens);
    return rc;
}

/* The articles whose first passage matches `q`, as a query on their
 * passages. */
static px_status
join_articles(xc_database *db, const xc_query *q, int remote,
              xc_query **out, int *modified, char **error)
{
    xc_enquire *enq = NULL;
    xc_mset *mset = NULL;
    xc_status xs = xc_enquire_create(db, &enq, NULL);
    if (xs == XC_OK)
        xs = xc_enquire_set_query(enq, q, 0);
    if (xs == XC_OK)
        xs = xc_enquire_set_weighting_bool(enq);
    if (xs == XC_OK)
        xs = xc_enquire_set_collapse_key(enq, PX_SLOT_ARTICLE, 1);
    uint32_t docs = 0;
    if (xs == XC_OK)
        xs = xc_database_doccount(db, &docs);
    if (xs == XC_OK)
        xs = xc_enquire_get_mset(enq, 0, docs, 0, &mset);
    px_status rc = xs == XC_OK ? articles_query(mset, remote, out) : PX_XAPIAN;
    if (xs == XC_MODIFIED)
        *modified = 1;
    else if (rc != PX_OK)
        *error = px_asprintf("cannot read the articles of the filters: %s",
                             enq && *xc_enquire_last_error(enq)
                                 ? xc_enquire_last_error(enq)
                                 : xc_status_to_string(xs));
    xc_mset_destroy(mset);
    xc_enquire_destroy(enq);
    return rc;
}

/* *to = (*to, or every passage) AND NOT not (not is consumed). */
static px_status
and_not_into(xc_query **to, xc_query *not)
{
    xc_query *base = *to;
    if (!base && xc_query_create_match_all(&base) != XC_OK) {
        xc_query_destroy(not);
        return PX_NOMEM;
    }
    xc_query *out = NULL, *subs[2] = {base, not};
    xc_status xs = xc_query_create_combined(XC_OP_AND_NOT, subs, 2, 0, &out);
    if (base != *to)
        xc_query_destroy(base);
    xc_query_destroy(not);
    xc_query_destroy(*to);
    *to = out;
    return xs == XC_OK ? PX_OK : PX_NOMEM;
}

px_status
px_filters_exclude(xc_database *db, const xc_query *q, int remote,
                   xc_query **filter, int *modified, char **error)
{
    xc_query *not = NULL;
    px_status rc = join_articles(db, q, remote, &not, modified, error);
    return rc == PX_OK ? and_not_into(filter, not) : rc;
}

/* The OR of the published: ranges left out and of every passage of the
 * articles the other negated filters select, or NULL for none. */
static px_status
excluded(const px_filters *f, xc_query *article_not, xc_database *db,
         int remote, xc_query **out, int *modified, char **error)
{
    *out = NULL;
    if (article_not) {
        px_status rc = join_articles(db, article_not, remote, out, modified,
                                     error);
        if (rc != PX_OK)
            return rc;
    }
    if (!f->filter_not)
        return PX_OK;
    /* f keeps its own query (a retry joins again): the OR refers to it. */
    xc_query *either = NULL, *subs[2] = {f->filter_not, *out};
    xc_status xs = xc_query_create_combined(XC_OP_OR, subs, *out ? 2 : 1, 0,
                                            &either);
    xc_query_destroy(*out);
    *out = either;
    return xs == XC_OK ? PX_OK : PX_NOMEM;
}

/* A copy of q (an AND of one is q itself). */
static xc_query *
copy_query(xc_query *q)
{
    xc_query *c = NULL;
    xc_query_create_combined(XC_OP_AND, &q, 1, 0, &c);
    return c;
}

/* Resolve the name filters on db (names.h) and join them to the date
 * filters: *article the AND of the positive ones, *article_not the OR of
 * the negated ones (NULL when there are none). */
static px_status
resolve_names(px_filters *f, xc_database *db, xc_query **article,
              xc_query **article_not, int *modified)
{
    *article = *article_not = NULL;
    px_status rc = PX_OK;
    if (f->article)
        rc = combine_into(article, copy_query(f->article), XC_OP_AND);
    if (rc == PX_OK && f->article_not)
        rc = combine_into(article_not, copy_query(f->article_not),
                          XC_OP_OR);
    for (size_t i = 0; i < f->nnames && rc == PX_OK; i++) {
        px_name_match *m = &f->names[i];
        xc_query *q = NULL;
        rc = px_names_resolve(db, m, &q, modified);
        if (rc == PX_OK)
            rc = m->negated ? combine_into(article_not, q, XC_OP_OR)
                         : combine_into(article, q, XC_OP_AND);
    }
    return rc;
}

px_status
px_filters_join(px_filters *f, xc_database *db, int remote, xc_query **out,
                int *modified, char **error)
{
    *out = NULL;
    xc_query *article = NULL, *article_not = NULL, *subs[2];
    size_t n = 0;
    px_status rc = resolve_names(f, db, &article, &article_not, modified);
    if (rc == PX_OK && article) {
        rc = join_articles(db, article, remote, &subs[n], modified, error);
        n += rc == PX_OK;
    }
    if (rc == PX_OK && f->filter)
        subs[n++] = f->filter;
    if (rc == PX_OK && n &&
        xc_query_create_combined(XC_OP_AND, subs, n, 0, out) != XC_OK)
        rc = PX_NOMEM;
    if (article && n)
        xc_query_destroy(subs[0]);
    xc_query *not = NULL;
    if (rc == PX_OK)
        rc = excluded(f, article_not, db, remote, &not, modified, error);
    if (rc == PX_OK && not)
        rc = and_not_into(out, not);
    if (rc != PX_OK) {
        xc_query_destroy(*out);
        *out = NULL;
    }
    xc_query_destroy(article);
    xc_query_destroy(article_not);
    return rc;
}

void
px_filters_free(px_filters *f)
{
    xc_query_destroy(f->article);
    xc_query_destroy(f->filter);
    xc_query_destroy(f->article_not);
    xc_query_destroy(f->filter_not);
    for (size_t i = 0; i < f->nnames; i++)
        px_name_match_clear(&f->names[i]);
    free(f->names);
    free(f->not_text);
    free(f->rest);
    memset(f, 0, sizeof *f);
}
