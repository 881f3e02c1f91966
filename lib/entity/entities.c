/*
 * entities.c — the entities of one article (entities.h).
 */
#include "passim/entities.h"

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
static px_ner *model;
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
    size_t *offsets; /* where passage i starts */
    size_t *ends;    /* where passage i ends */
} joined;

static px_status
join_article(const px_article *a, const px_passages *ps, joined *j)
{
    size_t n = px_passages_count(ps), len = strlen(px_article_title(a)) + 2;
    for (size_t i = 0; i < n; i++)
        len += px_passages_get(ps, i)->len + 2;
    j->text = malloc(len + 1);
    j->offsets = malloc((n + 1) * sizeof *j->offsets);
    j->ends = malloc((n + 1) * sizeof *j->ends);
    if (!j->text || !j->offsets || !j->ends)
        return PX_NOMEM;
    size_t at = 0;
    const char *title = px_article_title(a);
    memcpy(j->text, title, strlen(title));
    at += strlen(title);
    for (size_t i = 0; i < n; i++) {
        const px_passage *p = px_passages_get(ps, i);
        memcpy(j->text + at, "\n\n", 2);
        at += 2;
        j->offsets[i] = at;
        memcpy(j->text + at, p->text, p->len);
        at += p->len;
        j->ends[i] = at;
    }
    j->text[at] = '\0';
    j->len = at;
    return PX_OK;
}

typedef struct date_ctx {
    px_mentions *dates;
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

/* A title left on its own ("Mr" where the tagger missed the name) is
 * not a person. */
static int
lone_title(int type, const char *value)
{
    static const char *const titles[] = {
        "Mr", "Mrs", "Ms", "Dr", "Sir", "Lord", "Lady", "Miss", "Prof",
    };
    if (type != PX_ENT_PER)
        return 0;
    for (size_t i = 0; i < sizeof titles / sizeof *titles; i++) {
        if (strcmp(value, titles[i]) == 0)
            return 1;
    }
    return 0;
}

static px_status
entset_add(entset *s, int type, const char *value)
{
    if (!*value || s->n == PX_ENTITIES_MAX ||
        strlen(value) > PX_ENTITY_VALUE_MAX || lone_title(type, value))
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
 * holds it (title mentions belong to no passage). Passages are found by
 * binary search and lists grow geometrically: an article can have
 * thousands of mentions. */
static px_status
note_mention(px_article_entities *out, const joined *j, int type,
             size_t start, size_t end)
{
    size_t lo = 0, hi = out->npassages;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (j->offsets[mid] <= start)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0 || end > j->ends[lo - 1])
        return PX_OK;
    size_t i = lo - 1;
    char line[PX_MENTION_LINE_MAX];
    size_t n = px_mention_format(line, type, start - j->offsets[i],
                                 end - j->offsets[i]);
    if (n == 0)
        return PX_OK;
    if (out->mentions_len[i] + n + 1 > out->mentions_cap[i]) {
        size_t cap = (out->mentions_cap[i] + (size_t)n + 1) * 2;
        char *p = realloc(out->mentions[i], cap);
        if (!p)
            return PX_NOMEM;
        out->mentions[i] = p;
        out->mentions_cap[i] = cap;
    }
    memcpy(out->mentions[i] + out->mentions_len[i], line, n + 1);
    out->mentions_len[i] += n;
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

/* A date term made by px_date_mention_terms(); non-zero to stop. */
static int
add_date_term(void *ctx, const char *term, size_t len)
{
    return add_term(ctx, "", term, len) != PX_OK;
}

/* The boolean terms of one entity: names by key; dates by the blocks of
 * days that hold them (schema.h), so that date ranges are exact. */
static px_status
entity_terms(px_article_entities *out, int type, const char *value)
{
    const char *prefix = px_entity_prefix(type);
    if (type == PX_ENT_DATE)
        return px_date_mention_terms(value, strlen(value), add_date_term,
                                     out);
    char *key = NULL;
    size_t klen = 0;
    px_status rc = px_entity_key(value, strlen(value), &key, &klen);
    if (rc == PX_OK && klen)
        rc = add_term(out, prefix, key, klen);
    free(key);
    return rc;
}

/* Encode the set (schema.h's entity list) and make its terms. */
static px_status
finish(px_article_entities *out, entset *s)
{
    px_status rc = PX_OK;
    for (size_t i = 0; rc == PX_OK && i < s->n; i++)
        rc = entity_terms(out, s->types[i], s->values[i]);
    if (rc == PX_OK)
        rc = px_entities_encode(s->types, (const char *const *)s->values,
                                s->n, &out->slot, &out->slot_len);
    return rc;
}

/* One article's name mentions with their canonical values, made
 * consistent: the tagger may call "São Paulo" a place in one sentence and
 * a person in the next, or keep a title it should not ("CEO Kenji
 * Watanabe" as an organisation); within an article a value has one type
 * and one spelling. */
typedef struct named {
    px_mentions m;
    char **value; /* canonical value of mention i (owned) */
    char **key;   /* its key (owned) */
} named;

static void
named_free(named *n)
{
    for (size_t i = 0; i < n->m.count; i++) {
        free(n->value[i]);
        free(n->key[i]);
    }
    free(n->value);
    free(n->key);
    px_mentions_free(&n->m);
}

static int
all_caps(const char *s)
{
    for (; *s; s++) {
        if (*s >= 'a' && *s <= 'z')
            return 0;
    }
    return 1;
}

static int
cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A title the tagger kept on a non-person: if the value without it is a
 * value of another mention, it is that mention's entity (unify() then
 * settles its type). The values are replaced only after every lookup:
 * the sorted copy points at them. */
static px_status
drop_stray_titles(named *n)
{
    size_t count = n->m.count;
    char **sorted = malloc((count + 1) * sizeof *sorted);
    char **bare = calloc(count + 1, sizeof *bare);
    px_status rc = sorted && bare ? PX_OK : PX_NOMEM;
    if (rc == PX_OK) {
        memcpy(sorted, n->value, count * sizeof *sorted);
        qsort(sorted, count, sizeof *sorted, cmp_str);
    }
    for (size_t i = 0; rc == PX_OK && i < count; i++) {
        size_t len = 0;
        if (n->m.items[i].type == PX_ENT_PER)
            continue;
        rc = px_canon_normalise(PX_ENT_PER, n->value[i], strlen(n->value[i]),
                                &bare[i], &len);
        if (rc == PX_OK && (strcmp(bare[i], n->value[i]) == 0 ||
                            !bsearch(&bare[i], sorted, count, sizeof *sorted,
                                     cmp_str))) {
            free(bare[i]);
            bare[i] = NULL;
        }
    }
    for (size_t i = 0; bare && i < count; i++) {
        if (bare[i] && rc == PX_OK) {
            free(n->value[i]);
            n->value[i] = bare[i];
        } else {
            free(bare[i]);
        }
    }
    free(bare);
    free(sorted);
    return rc;
}

/* The mentions qsort's comparators look at: per thread, since articles
 * are processed on several worker threads at once. */
static _Thread_local const named *sort_named;

static int
by_key_then_index(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    int c = strcmp(sort_named->key[x], sort_named->key[y]);
    return c ? c : (x > y) - (x < y);
}

static int
by_value_then_index(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    int c = strcmp(sort_named->value[x], sort_named->value[y]);
    return c ? c : (x > y) - (x < y);
}

/* Within one key's group g[0, k) (in position order): the majority type
 * (ties: the first seen; whole names weigh three times a short form's
 * vote) and the spelling most used, preferring one not
 * in capitals (datelines shout "SÃO PAULO"). */
static void
unify_group(named *n, size_t *g, size_t k)
{
    size_t votes[PX_ENT_TYPES] = {0};
    int best_type = n->m.items[g[0]].type;
    size_t vlen = strlen(n->value[g[0]]);
    for (size_t i = 0; i < k; i++) {
        const px_mention *m = &n->m.items[g[i]];
        /* A mention that spells the whole name ("Tidewind Energy") says
         * more of its type than a short form ("Tidewind"). */
        votes[m->type] += m->end - m->start >= vlen ? 3 : 1;
        if (votes[m->type] > votes[best_type])
            best_type = m->type;
    }
    qsort(g, k, sizeof *g, by_value_then_index);
    size_t best = g[0], best_score = 0;
    for (size_t i = 0; i < k;) {
        size_t run = i;
        while (run < k && strcmp(n->value[g[run]], n->value[g[i]]) == 0)
            run++;
        size_t score = (run - i) + !all_caps(n->value[g[i]]) * (k + 1);
        if (score > best_score) {
            best_score = score;
            best = g[i];
        }
        i = run;
    }
    for (size_t i = 0; i < k; i++) {
        n->m.items[g[i]].type = best_type;
        if (g[i] == best || strcmp(n->value[g[i]], n->value[best]) == 0)
            continue;
        char *copy = strdup(n->value[best]);
        if (copy) {
            free(n->value[g[i]]);
            n->value[g[i]] = copy;
        }
    }
}

/* One type and one spelling per key; sorting keeps it n log n, as an
 * article can hold thousands of mentions. */
static px_status
unify(named *n)
{
    size_t count = n->m.count;
    size_t *order = malloc((count + 1) * sizeof *order);
    if (!order)
        return PX_NOMEM;
    for (size_t i = 0; i < count; i++)
        order[i] = i;
    sort_named = n;
    qsort(order, count, sizeof *order, by_key_then_index);
    for (size_t i = 0; i < count;) {
        size_t end = i + 1;
        while (end < count && strcmp(n->key[order[end]], n->key[order[i]]) == 0)
            end++;
        unify_group(n, order + i, end - i);
        i = end;
    }
    sort_named = NULL;
    free(order);
    return PX_OK;
}

/* Whether some person's mention in n ends with the words w[0, len). */
static int
person_ends_with(const joined *j, const named *n, const char *w, size_t len)
{
    for (size_t i = 0; i < n->m.count; i++) {
        const px_mention *m = &n->m.items[i];
        size_t ml = m->end - m->start;
        if (m->type != PX_ENT_PER || ml < len ||
            memcmp(j->text + m->end - len, w, len) != 0)
            continue;
        if (ml == len || j->text[m->end - len - 1] == ' ')
            return 1;
    }
    return 0;
}

/* A mention of another type that is a title and a name ("Governor Ana
 * Lima", "Interior Minister Carvalho" tagged as organisations) is the
 * person, the title left out: if what follows the title is two words or
 * more, or ends a person's name the article gives. */
static px_status
titled_people(const joined *j, named *n)
{
    px_status rc = PX_OK;
    for (size_t i = 0; rc == PX_OK && i < n->m.count; i++) {
        px_mention *m = &n->m.items[i];
        char *bare = NULL;
        size_t len = 0;
        if (m->type == PX_ENT_PER || m->type == PX_ENT_DATE)
            continue;
        rc = px_canon_normalise(PX_ENT_PER, j->text + m->start,
                                m->end - m->start, &bare, &len);
        size_t ml = m->end - m->start;
        if (rc == PX_OK && len > 0 && len + 2 < ml &&
            memcmp(j->text + m->end - len, bare, len) == 0 &&
            (memchr(bare, ' ', len) != NULL ||
             person_ends_with(j, n, bare, len))) {
            m->type = PX_ENT_PER;
            m->start = m->end - len;
        }
        free(bare);
    }
    return rc;
}

static px_status
canonical_values(const joined *j, named *n)
{
    px_canon *c = NULL;
    n->value = calloc(n->m.count + 1, sizeof *n->value);
    n->key = calloc(n->m.count + 1, sizeof *n->key);
    px_status rc = n->value && n->key ? titled_people(j, n) : PX_NOMEM;
    if (rc == PX_OK)
        rc = px_canon_create(&c);
    if (rc == PX_OK)
        rc = px_canon_add(c, j->text, j->len, &n->m, NULL);
    if (rc == PX_OK)
        rc = px_canon_resolve(c);
    for (size_t i = 0; rc == PX_OK && i < n->m.count; i++) {
        const char *v = px_canon_value(c, 0, i);
        if (!(n->value[i] = strdup(v ? v : "")))
            rc = PX_NOMEM;
    }
    px_canon_destroy(c);
    if (rc == PX_OK)
        rc = drop_stray_titles(n);
    for (size_t i = 0; rc == PX_OK && i < n->m.count; i++) {
        size_t klen;
        rc = px_entity_key(n->value[i], strlen(n->value[i]), &n->key[i],
                           &klen);
    }
    if (rc == PX_OK)
        rc = unify(n);
    return rc;
}

/* Names: tag, give canonical values, collect. */
static px_status
collect_names(const joined *j, entset *s, px_article_entities *out)
{
    named n = {{0}, NULL, NULL};
    px_status rc = px_ner_tag_text(model, j->text, j->len, &n.m);
    if (rc == PX_OK)
        rc = canonical_values(j, &n);
    for (size_t i = 0; rc == PX_OK && i < n.m.count; i++) {
        const px_mention *m = &n.m.items[i];
        /* "Cabinet Secretary", "Minister of Finance": an office, no one's
         * name. */
        if ((m->type == PX_ENT_PER || m->type == PX_ENT_MISC) &&
            px_canon_office_only(n.value[i], strlen(n.value[i])))
            continue;
        rc = entset_add(s, m->type, n.value[i]);
        if (rc == PX_OK)
            rc = note_mention(out, j, m->type, m->start, m->end);
    }
    named_free(&n);
    return rc;
}

static px_status
collect_dates(const joined *j, const char *date, entset *s,
              px_article_entities *out)
{
    px_mentions dates = {0};
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
px_entities_extract(const px_article *a, const px_passages *ps,
                    const char *date, px_article_entities *out)
{
    memset(out, 0, sizeof *out);
    pthread_once(&model_once, load_model);
    out->npassages = px_passages_count(ps);
    out->mentions = calloc(out->npassages + 1, sizeof *out->mentions);
    out->mentions_len = calloc(out->npassages + 1, sizeof *out->mentions_len);
    out->mentions_cap = calloc(out->npassages + 1, sizeof *out->mentions_cap);
    joined j = {0};
    entset s;
    s.n = 0;
    px_status rc = out->mentions && out->mentions_len && out->mentions_cap
                       ? join_article(a, ps, &j) : PX_NOMEM;
    /* Without a model (a build that has none) names are left out; dates
     * still work. */
    /* The author first: the set is bounded, and a post has one. */
    const char *author = px_article_author(a);
    if (rc == PX_OK && author)
        rc = entset_add(&s, PX_ENT_AUTHOR, author);
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
    free(j.ends);
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
    free(e->mentions_len);
    free(e->mentions_cap);
    free(e->slot);
    memset(e, 0, sizeof *e);
}
