/*
 * output_json.c — results as one JSON document, written with jansson.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "output.h"
#include "passim/utf8.h"

/* A JSON string from bytes that may not be UTF-8 (a file name can be
 * anything): invalid bytes are repaired as the indexer repairs text. */
static json_t *
string_n(const char *s, size_t len)
{
    json_t *j = json_stringn(s, len);
    if (j)
        return j;
    char *fixed = NULL;
    size_t fixed_len = 0;
    if (px_utf8_repair(s, len, &fixed, &fixed_len, NULL) != PX_OK)
        return NULL;
    j = json_stringn(fixed, fixed_len);
    free(fixed);
    return j;
}

static json_t *
spans_json(const px_hit_t *h)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < h->nspans; i++)
        json_array_append_new(a, json_pack("[II]", (json_int_t)h->spans[i].start,
                                           (json_int_t)h->spans[i].end));
    return a;
}

/* The passage's entity mentions, typed as the facets are named. */
static json_t *
mentions_json(const px_hit_t *h)
{
    static const char *const names[] = {"person", "place", "org", "misc",
                                        "date"};
    json_t *a = json_array();
    for (size_t i = 0; a && i < h->nmentions; i++) {
        int t = h->mention_types[i];
        if (t < 0 || t >= (int)(sizeof names / sizeof *names))
            continue;
        json_array_append_new(a, json_pack("{s:s, s:I, s:I}", "type",
                                           names[t], "start",
                                           (json_int_t)h->mentions[i].start,
                                           "end",
                                           (json_int_t)h->mentions[i].end));
    }
    return a;
}

static json_t *
hit_json(const px_hit_t *h)
{
    return json_pack("{s:o, s:o, s:s, s:I, s:I, s:I, s:I, s:f, s:o, s:o, "
                     "s:o}",
                     "path", string_n(h->path, strlen(h->path)),
                     "title", string_n(h->title, strlen(h->title)),
                     "article", h->article,
                     "article_rank", (json_int_t)h->article_rank,
                     "passage", (json_int_t)h->number,
                     "start", (json_int_t)h->start,
                     "end", (json_int_t)h->end,
                     "score", h->score,
                     "text", string_n(h->text, h->text_len),
                     "highlights", spans_json(h),
                     "entities", mentions_json(h));
}

static json_t *
facets_json(const px_results_t *r)
{
    static const char *const names[PX_ENT_TYPES] = {
        "person", "place", "org", "misc", "date",
    };
    json_t *o = json_object();
    for (int t = 0; o && t < PX_ENT_TYPES; t++) {
        json_t *a = json_array();
        for (size_t i = 0; a && i < r->facets.count[t]; i++) {
            const px_facet_value *v = &r->facets.values[t][i];
            json_array_append_new(a, json_pack("{s:o, s:I}", "value",
                                               string_n(v->value,
                                                        strlen(v->value)),
                                               "count", (json_int_t)v->count));
        }
        json_object_set_new(o, names[t], a);
    }
    return o;
}

json_t *
px_results_json(const px_results_t *r, const char *query)
{
    json_t *hits = json_array();
    for (size_t i = 0; hits && i < r->nhits; i++) {
        json_t *h = hit_json(&r->hits[i]);
        if (!h || json_array_append_new(hits, h) != 0) {
            json_decref(hits);
            return NULL;
        }
    }
    return json_pack("{s:o, s:I, s:I, s:b, s:o, s:o, s:b, s:I}",
                            "query", string_n(query, strlen(query)),
                            "estimated_total", (json_int_t)r->estimated,
                            "articles", (json_int_t)r->narticles,
                            "fell_back_to_or", r->fell_back_to_or,
                            "hits", hits,
                            "facets", facets_json(r),
                            "facets_exact", r->have_facets ? r->facets.exact
                                                            : 1,
                            "facet_articles",
                            (json_int_t)r->facets.articles);
}

int
px_output_json_doc(FILE *out, json_t *doc)
{
    if (!doc)
        return -1;
    int rc = json_dumpf(doc, out, JSON_INDENT(2));
    if (fputc('\n', out) == EOF)
        rc = -1;
    json_decref(doc);
    return rc;
}

int
px_output_json(FILE *out, const px_results_t *r, const char *query)
{
    return px_output_json_doc(out, px_results_json(r, query));
}
