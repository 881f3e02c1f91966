/*
 * entities.c — the entities of one article (entities.h).
 */
#include "entities.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "passim/canon.h"
#include "passim/date.h"
#include "passim/ner.h"
#include "passim/schema.h"

/* The tagger's model, loaded once per process and shared read-only by
 * every worker thread. */
static px_ner_t *model;
static px_status model_status = PX_NOT_FOUND;
static pthread_once_t model_once = PTHREAD_ONCE_INIT;

static void
load_model(void)
{
    model_status = px_ner_load_default(&model);
}

/* The article as one text: title, then each passage, joined by blank
 * lines; offsets[i] is where passage i starts. */
typedef struct joined {
    char *text;
    size_t len;
    size_t *offsets; /* npassages + 1 entries; the last is the end */
} joined;

static px_status
join_article(const px_article_t *a, const px_passages_t *ps, joined *j)
{
    size_t n = px_passages_count(ps), len = strlen(px_article_title(a)) + 2;
    for (size_t i = 0; i < n; i++)
        len += px_passages_get(ps, i)->len + 2;
    j->text = malloc(len + 1);
    j->offsets = malloc((n + 1) * sizeof *j->offsets);
    if (!j->text || !j->offsets)
        return PX_NOMEM;
    size_t at = 0;
    const char *title = px_article_title(a);
    memcpy(j->text, title, strlen(title));
    at += strlen(title);
    for (size_t i = 0; i < n; i++) {
        const px_passage_t *p = px_passages_get(ps, i);
        memcpy(j->text + at, "\n\n", 2);
        at += 2;
        j->offsets[i] = at;
        memcpy(j->text + at, p->text, p->len);
        at += p->len;
    }
    j->offsets[n] = at;
    j->text[at] = '\0';
    j->len = at;
    return PX_OK;
}

typedef struct date_ctx {
    px_mentions_t *dates;
    char (*iso)[PX_DATE_ISO_MAX];
    size_t cap;
    px_status rc;
} date_ctx;

static int
on_date(void *ctx, size_t start, size_t end, const char *iso, size_t iso_len)
{
    date_ctx *d = ctx;
    size_t i = d->dates->count;
    if (i == d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 16;
        char (*p)[PX_DATE_ISO_MAX] = realloc(d->iso, cap * sizeof *p);
        if (!p) {
            d->rc = PX_NOMEM;
            return 1;
        }
        d->iso = p;
        d->cap = cap;
    }
    d->rc = px_mentions_add(d->dates, PX_ENT_DATE, start, end);
    if (d->rc == PX_OK)
        memcpy(d->iso[i], iso, iso_len + 1);
    return d->rc != PX_OK;
}

/* The distinct entities of an article: (type, canonical value). */
typedef struct entset {
    int types[PX_ENTITIES_MAX];
    char *values[PX_ENTITIES_MAX];
    size_t n;
} entset;

static px_status
entset_add(entset *s, int type, const char *value)
{
    if (!*value || s->n == PX_ENTITIES_MAX)
        return PX_OK;
    for (size_t i = 0; i < s->n; i++) {
        if (s->types[i] == type && strcmp(s->values[i], value) == 0)
            return PX_OK;
    }
    if (!(s->values[s->n] = strdup(value)))
        return PX_NOMEM;
    s->types[s->n++] = type;
    return PX_OK;
}

/* Append "T start end\n" for a mention to the list of the passage that
 * holds it (title mentions belong to no passage). */
static px_status
note_mention(px_article_entities *out, const joined *j, int type,
             size_t start, size_t end)
{
    size_t i = 0;
    while (i < out->npassages && start >= j->offsets[i + 1] + 2)
        i++;
    if (i == out->npassages || start < j->offsets[i] ||
        end > j->offsets[i + 1])
        return PX_OK;
    char line[64];
    int n = snprintf(line, sizeof line, "%d %zu %zu\n", type,
                     start - j->offsets[i], end - j->offsets[i]);
    size_t old = out->mentions[i] ? strlen(out->mentions[i]) : 0;
    char *p = realloc(out->mentions[i], old + (size_t)n + 1);
    if (!p)
        return PX_NOMEM;
    memcpy(p + old, line, (size_t)n + 1);
    out->mentions[i] = p;
    return PX_OK;
}

static px_status
add_term(px_article_entities *out, const char *prefix, const char *value,
         size_t len)
{
    char **t = realloc(out->terms, (out->nterms + 1) * sizeof *t);
    if (!t)
        return PX_NOMEM;
    out->terms = t;
    size_t plen = strlen(prefix);
    char *term = malloc(plen + len + 1);
    if (!term)
        return PX_NOMEM;
    memcpy(term, prefix, plen);
    memcpy(term + plen, value, len);
    term[plen + len] = '\0';
    out->terms[out->nterms++] = term;
    return PX_OK;
}

/* The boolean terms of one entity: names by key; dates by day, month
 * and year, so date:2024-03 finds "March 16, 2024". */
static px_status
entity_terms(px_article_entities *out, int type, const char *value)
{
    const char *prefix = px_entity_prefix(type);
    if (type == PX_ENT_DATE) {
        size_t len = strlen(value);
        px_status rc = add_term(out, prefix, value, len);
        if (rc == PX_OK && len > 7)
            rc = add_term(out, prefix, value, 7);
        if (rc == PX_OK && len > 4)
            rc = add_term(out, prefix, value, 4);
        return rc;
    }
    char *key = NULL;
    size_t klen = 0;
    px_status rc = px_entity_key(value, strlen(value), &key, &klen);
    if (rc == PX_OK && klen)
        rc = add_term(out, prefix, key, klen);
    free(key);
    return rc;
}

static int
by_type_value(const void *a, const void *b)
{
    const char *x = *(char *const *)a, *y = *(char *const *)b;
    return strcmp(x, y);
}

/* Encode the set as sorted "Tvalue\n" lines and make its terms. */
static px_status
finish(px_article_entities *out, entset *s)
{
    char **lines = calloc(s->n + 1, sizeof *lines);
    size_t total = 0;
    px_status rc = lines ? PX_OK : PX_NOMEM;
    for (size_t i = 0; rc == PX_OK && i < s->n; i++) {
        size_t len = strlen(s->values[i]);
        if (!(lines[i] = malloc(len + 3)))
            rc = PX_NOMEM;
        else
            snprintf(lines[i], len + 3, "%d%s\n", s->types[i], s->values[i]);
        total += len + 2;
        if (rc == PX_OK)
            rc = entity_terms(out, s->types[i], s->values[i]);
    }
    if (rc == PX_OK)
        qsort(lines, s->n, sizeof *lines, by_type_value);
    if (rc == PX_OK && !(out->slot = malloc(total + 1)))
        rc = PX_NOMEM;
    for (size_t i = 0; lines && i < s->n; i++) {
        if (rc == PX_OK) {
            memcpy(out->slot + out->slot_len, lines[i], strlen(lines[i]));
            out->slot_len += strlen(lines[i]);
        }
        free(lines[i]);
    }
    free(lines);
    return rc;
}

/* Names: tag, give canonical values, collect. */
static px_status
collect_names(const joined *j, entset *s, px_article_entities *out)
{
    px_mentions_t names = {0};
    px_canon_t *c = NULL;
    px_status rc = px_ner_tag_text(model, j->text, j->len, &names);
    if (rc == PX_OK)
        rc = px_canon_create(&c);
    if (rc == PX_OK)
        rc = px_canon_add(c, j->text, j->len, &names, NULL);
    if (rc == PX_OK)
        rc = px_canon_resolve(c);
    for (size_t i = 0; rc == PX_OK && i < names.count; i++) {
        const px_mention_t *m = &names.items[i];
        const char *value = px_canon_value(c, 0, i);
        rc = entset_add(s, m->type, value ? value : "");
        if (rc == PX_OK)
            rc = note_mention(out, j, m->type, m->start, m->end);
    }
    px_canon_destroy(c);
    px_mentions_free(&names);
    return rc;
}

static px_status
collect_dates(const joined *j, const char *date, entset *s,
              px_article_entities *out)
{
    px_mentions_t dates = {0};
    date_ctx d = {&dates, NULL, 0, PX_OK};
    px_status rc = px_date_find(j->text, j->len, date, on_date, &d);
    if (rc == PX_OK)
        rc = d.rc;
    for (size_t i = 0; rc == PX_OK && i < dates.count; i++) {
        rc = entset_add(s, PX_ENT_DATE, d.iso[i]);
        if (rc == PX_OK)
            rc = note_mention(out, j, PX_ENT_DATE, dates.items[i].start,
                              dates.items[i].end);
    }
    free(d.iso);
    px_mentions_free(&dates);
    return rc;
}

px_status
px_entities_extract(const px_article_t *a, const px_passages_t *ps,
                    const char *date, px_article_entities *out)
{
    memset(out, 0, sizeof *out);
    pthread_once(&model_once, load_model);
    out->npassages = px_passages_count(ps);
    out->mentions = calloc(out->npassages + 1, sizeof *out->mentions);
    joined j = {0};
    entset s;
    s.n = 0;
    px_status rc = out->mentions ? join_article(a, ps, &j) : PX_NOMEM;
    /* Without a model (a build that has none) names are left out; dates
     * still work. */
    if (rc == PX_OK && model_status == PX_OK)
        rc = collect_names(&j, &s, out);
    if (rc == PX_OK)
        rc = collect_dates(&j, date, &s, out);
    if (rc == PX_OK)
        rc = finish(out, &s);
    for (size_t i = 0; i < s.n; i++)
        free(s.values[i]);
    free(j.text);
    free(j.offsets);
    if (rc != PX_OK)
        px_article_entities_free(out);
    return rc;
}

void
px_article_entities_free(px_article_entities *e)
{
    for (size_t i = 0; i < e->nterms; i++)
        free(e->terms[i]);
    free(e->terms);
    for (size_t i = 0; e->mentions && i < e->npassages; i++)
        free(e->mentions[i]);
    free(e->mentions);
    free(e->slot);
    memset(e, 0, sizeof *e);
}
