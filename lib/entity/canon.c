/*
 * canon.c — canonical values for the mentions of one article (canon.h).
 *
 * Each mention is cleaned as it is added and its value kept in one arena
 * (offsets only, as the arena grows by realloc). Resolving groups equal
 * values of a type into unique values with a small hash table, then maps
 * each unique value to a longer one it is a short form of. Values are
 * taken longest first, so the longer value's own mapping is already known
 * ("Harris" -> "Kamala Harris" -> "Kamala D. Harris"), and the outcome
 * depends only on the set of values, never on the order they came in.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "passim/canon.h"
#include "passim/grow.h"
#include "passim/token.h"

/* Titles are looked for among this many leading words. */
#define TITLE_REACH 5
/* Values of more words than this are matched on their first words only. */
#define MAX_WORDS 32

typedef struct span {
    size_t s;
    size_t n;
} span_t;

typedef struct entry {
    px_entity_type type;
    size_t off; /* the cleaned value in the arena, NUL-terminated */
    size_t len;
    size_t uniq;
} entry_t;

typedef struct uniq {
    size_t entry;  /* one entry with this value */
    size_t wfirst; /* its words in the span pool */
    size_t nwords;
    size_t final;  /* the unique value it maps to (itself if none) */
} uniq_t;

struct px_canon {
    entry_t *entries;
    size_t count, cap;
    size_t *pieces; /* first entry of each piece */
    size_t npieces, pcap;
    char *arena;
    size_t alen, acap;
    uniq_t *uniqs;
    size_t nuniq;
    span_t *spans;
    int resolved;
};

static const char *const honorifics[] = {
    "Mr", "Mrs", "Ms", "Mx", "Miss", "Dr", "Prof", "Professor", "Sir",
    "Dame", "Rev", "Reverend", "Hon", "Mme", "Mlle",
};

static const char *const offices[] = {
    "President", "Vice", "Prime", "Minister", "Secretary", "Chancellor",
    "Mayor", "Senator", "Sen", "Governor", "Gov", "Representative", "Rep",
    "Congressman", "Congresswoman", "Councillor", "Councilman",
    "Councilwoman", "General", "Gen", "Lieutenant", "Lt", "Colonel", "Col",
    "Major", "Maj", "Captain", "Capt", "Sergeant", "Sgt", "Admiral", "Adm",
    "Commander", "Cmdr", "Judge", "Justice", "Chief", "CEO", "CFO", "COO",
    "Chairman", "Chairwoman", "Director", "Ambassador", "Commissioner",
    "Spokesman", "Spokeswoman", "Spokesperson", "Inspector", "Detective",
    "Officer", "Coach", "Deputy", "Premier", "Speaker", "Leader",
    "Archbishop", "Bishop", "Cardinal", "Rabbi", "Imam", "Father",
    "President-elect",
};

static const char *const royals[] = {
    "Pope", "King", "Queen", "Prince", "Princess", "Emperor", "Empress",
    "Lord", "Lady", "Sheikh", "Crown",
};

/* Lower-case words that join the words of a title or an organisation's
 * name and give no initial to its acronym. */
static const char *const joiners[] = {
    "of", "the", "for", "and", "on", "in", "at", "to", "de", "du", "des",
    "la", "le", "et", "und", "y", "&",
};

/* Cleaning one mention. */

static int
blank_at(const char *s, size_t n, size_t i, size_t *w)
{
    *w = 1;
    if (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r' ||
        s[i] == '\f' || s[i] == '\v')
        return 1;
    *w = 2;
    return i + 1 < n && s[i] == '\xC2' && s[i + 1] == '\xA0';
}

/* Copy s[0, n) to out with blanks collapsed to one space and trimmed. */
static size_t
collapse(const char *s, size_t n, char *out)
{
    size_t o = 0;
    size_t w = 1;
    int space = 0;
    for (size_t i = 0; i < n; i += w) {
        if (blank_at(s, n, i, &w)) {
            space = 1;
            continue;
        }
        w = 1;
        if (space && o > 0)
            out[o++] = ' ';
        space = 0;
        out[o++] = s[i];
    }
    return o;
}

static int
ends_with(const char *v, size_t n, const char *tail)
{
    size_t t = strlen(tail);
    return n >= t && memcmp(v + n - t, tail, t) == 0;
}

/* Drop quotes, brackets, clause punctuation and Markdown emphasis
 * ("**Henrik Vos**") around the value. */
static size_t
trim_punct(char *v, size_t n)
{
    static const char *const open_q[] = {"\"", "'", "(", "[", "{", "*", "_",
                                         "`", "\xE2\x80\x9C",
                                         "\xE2\x80\x98"};
    static const char *const close_q[] = {"\"", ")", "]", "}", ",", ";",
                                          ":", "!", "?", "*", "_", "`",
                                          "\xE2\x80\x9D"};
    int again = 1;
    while (again && n > 0) {
        again = 0;
        for (size_t i = 0; i < sizeof open_q / sizeof open_q[0]; i++) {
            size_t t = strlen(open_q[i]);
            if (n >= t && memcmp(v, open_q[i], t) == 0) {
                memmove(v, v + t, n - t), n -= t, again = 1;
                break;
            }
        }
        for (size_t i = 0; i < sizeof close_q / sizeof close_q[0]; i++)
            if (ends_with(v, n, close_q[i]))
                n -= strlen(close_q[i]), again = 1;
        while (n > 0 && v[n - 1] == ' ')
            n--;
        while (n > 0 && v[0] == ' ')
            memmove(v, v + 1, n - 1), n--;
    }
    return n;
}

/* "Okafor's", "Okafor’s" -> "Okafor"; "Reuters'" -> "Reuters". */
static size_t
strip_possessive(const char *v, size_t n)
{
    if (ends_with(v, n, "'s") && n > 2 && v[n - 3] != ' ')
        return n - 2;
    if (ends_with(v, n, "\xE2\x80\x99s") && n > 4 && v[n - 5] != ' ')
        return n - 4;
    if (ends_with(v, n, "s'"))
        return n - 1;
    if (ends_with(v, n, "s\xE2\x80\x99"))
        return n - 3;
    return n;
}

/* Split v[0, n) at its spaces; at most MAX_WORDS words. */
static size_t
split(const char *v, size_t n, span_t *w)
{
    size_t k = 0;
    size_t i = 0;
    while (i < n && k < MAX_WORDS) {
        const char *sp = memchr(v + i, ' ', n - i);
        size_t e = sp != NULL ? (size_t)(sp - v) : n;
        w[k++] = (span_t){.s = i, .n = e - i};
        i = e + 1;
    }
    return k;
}

/* Whether word w of v is in the list, a '.' after it allowed ("Dr."). */
static int
word_in(const char *v, span_t w, const char *const *list, size_t count)
{
    size_t n = w.n > 1 && v[w.s + w.n - 1] == '.' ? w.n - 1 : w.n;
    for (size_t i = 0; i < count; i++)
        if (strlen(list[i]) == n && memcmp(v + w.s, list[i], n) == 0)
            return 1;
    return 0;
}

#define IN(v, w, list) word_in(v, w, list, sizeof list / sizeof list[0])

static int
roman(const char *v, span_t w)
{
    if (w.n == 0 || w.n > 6)
        return 0;
    for (size_t i = 0; i < w.n; i++)
        if (strchr("IVXLCDM", v[w.s + i]) == NULL || v[w.s + i] == '\0')
            return 0;
    return 1;
}

static int
capitalised(const char *v, span_t w)
{
    unsigned char c = (unsigned char)v[w.s];
    return (c >= 'A' && c <= 'Z') || c >= 0x80;
}

/* "Secretary of State", "Chancellor of the Exchequer": the words after
 * title word k that belong to it (joiners and one capitalised word), when
 * a name still follows them. */
static size_t
title_object(const char *v, const span_t *w, size_t nw, size_t k)
{
    size_t j = k + 1;
    while (j < nw && IN(v, w[j], joiners))
        j++;
    if (j == k + 1 || j + 1 >= nw || !capitalised(v, w[j]))
        return 0;
    return j + 1 - (k + 1);
}

/* The number of leading words that are a title, given that a name of
 * nw - k - 1 words follows a title word k. */
static size_t
title_words(const char *v, const span_t *w, size_t nw)
{
    if (nw < 2)
        return 0;
    if (IN(v, w[0], honorifics))
        return 1;
    size_t top = nw - 2;
    if (top >= TITLE_REACH)
        top = TITLE_REACH - 1;
    for (size_t k = top + 1; k-- > 0;) {
        size_t rest = nw - k - 1;
        int office = rest >= 1 && IN(v, w[k], offices);
        int royal = rest >= 2 && IN(v, w[k], royals) &&
                    !roman(v, w[nw - 1]);
        if (!office && !royal)
            continue;
        size_t j = 0;
        while (j < k && (capitalised(v, w[j]) || IN(v, w[j], joiners)))
            j++;
        if (j == k)
            return k + 1 + title_object(v, w, nw, k);
    }
    return 0;
}

static size_t
strip_titles(char *v, size_t n)
{
    span_t w[MAX_WORDS];
    for (int round = 0; round < 4; round++) {
        size_t nw = split(v, n, w);
        size_t t = nw < MAX_WORDS ? title_words(v, w, nw) : 0;
        if (t == 0)
            break;
        size_t from = w[t].s;
        memmove(v, v + from, n - from);
        n -= from;
    }
    return n;
}

/* Clean s[0, n) into out (n + 1 bytes); returns the value's length. */
static size_t
clean(px_entity_type type, const char *s, size_t n, char *out)
{
    size_t len = trim_punct(out, collapse(s, n, out));
    len = trim_punct(out, strip_possessive(out, len));
    if (len > 4 && memcmp(out, "the ", 4) == 0) {
        memmove(out, out + 4, len - 4);
        len -= 4;
    }
    /* A title may have stood outside the emphasis: "Mayor **Henrik Vos". */
    if (type == PX_ENT_PER)
        len = trim_punct(out, strip_titles(out, len));
    out[len] = '\0';
    return len;
}

px_status
px_canon_normalise(px_entity_type type, const char *s, size_t len,
                   char **out, size_t *out_len)
{
    if (out != NULL)
        *out = NULL;
    if (out_len != NULL)
        *out_len = 0;
    if (out == NULL || out_len == NULL || (s == NULL && len > 0) ||
        len == SIZE_MAX)
        return PX_INVALID_ARGUMENT;
    char *v = malloc(len + 1);
    if (v == NULL)
        return PX_NOMEM;
    *out_len = clean(type, s != NULL ? s : "", len, v);
    *out = v;
    return PX_OK;
}

int
px_canon_office_only(const char *value, size_t len)
{
    span_t w[MAX_WORDS];
    size_t nw = split(value, len, w);

    for (size_t k = 0; k < nw && k < MAX_WORDS; k++) {
        if (!IN(value, w[k], offices))
            continue;
        if (k + 1 == nw || IN(value, w[k + 1], joiners))
            return 1;
    }
    return 0;
}

/* Building. */

px_status
px_canon_create(px_canon **out)
{
    if (out == NULL)
        return PX_INVALID_ARGUMENT;
    *out = calloc(1, sizeof **out);
    return *out != NULL ? PX_OK : PX_NOMEM;
}


static px_status
add_one(px_canon *c, px_entity_type type, const char *s, size_t n)
{
    void *arena = c->arena;
    void *entries = c->entries;
    px_status rc = n < SIZE_MAX - c->alen - 1
                       ? px_grow(&arena, &c->acap, c->alen + n + 1, 1)
                       : PX_NOMEM;
    c->arena = arena;
    if (rc == PX_OK)
        rc = px_grow(&entries, &c->cap, c->count + 1, sizeof *c->entries);
    c->entries = entries;
    if (rc != PX_OK)
        return rc;
    size_t len = clean(type, s, n, c->arena + c->alen);
    c->entries[c->count++] = (entry_t){.type = type, .off = c->alen,
                                       .len = len};
    c->alen += len + 1;
    return PX_OK;
}

px_status
px_canon_add(px_canon *c, const char *text, size_t len,
             const px_mentions *mentions, size_t *piece)
{
    if (piece != NULL)
        *piece = 0;
    if (c == NULL || mentions == NULL || (text == NULL && len > 0))
        return PX_INVALID_ARGUMENT;
    for (size_t i = 0; i < mentions->count; i++) {
        const px_mention *m = &mentions->items[i];
        if (m->start > m->end || m->end > len || m->type >= PX_ENT_TYPES)
            return PX_INVALID_ARGUMENT;
    }
    void *pieces = c->pieces;
    px_status rc = px_grow(&pieces, &c->pcap, c->npieces + 1, sizeof(size_t));
    c->pieces = pieces;
    size_t first = c->count;
    size_t first_off = c->alen;
    for (size_t i = 0; rc == PX_OK && i < mentions->count; i++) {
        const px_mention *m = &mentions->items[i];
        rc = add_one(c, m->type, text + m->start, m->end - m->start);
    }
    if (rc != PX_OK) {
        c->count = first;
        c->alen = first_off;
        return rc;
    }
    c->pieces[c->npieces] = first;
    if (piece != NULL)
        *piece = c->npieces;
    c->npieces++;
    c->resolved = 0;
    return PX_OK;
}

/* Resolving. */

static const char *
value_of(const px_canon *c, size_t e)
{
    return c->arena + c->entries[e].off;
}

/* FNV-1a over the type and the value. */
static size_t
hash_entry(const px_canon *c, size_t e)
{
    uint64_t h = 1469598103934665603ULL ^ (uint64_t)c->entries[e].type;
    const unsigned char *v = (const unsigned char *)value_of(c, e);
    for (size_t i = 0; i < c->entries[e].len; i++)
        h = (h ^ v[i]) * 1099511628211ULL;
    return (size_t)h;
}

static int
same_entry(const px_canon *c, size_t a, size_t b)
{
    const entry_t *x = &c->entries[a];
    const entry_t *y = &c->entries[b];
    return x->type == y->type && x->len == y->len &&
           memcmp(value_of(c, a), value_of(c, b), x->len) == 0;
}

/* Group equal (type, value) entries into unique values. */
static px_status
dedupe(px_canon *c)
{
    size_t cap = 16;
    while (cap < c->count * 2)
        cap *= 2;
    size_t *table = malloc(cap * sizeof *table);
    c->uniqs = malloc((c->count + 1) * sizeof *c->uniqs);
    if (table == NULL || c->uniqs == NULL) {
        free(table);
        return PX_NOMEM;
    }
    memset(table, 0xFF, cap * sizeof *table);
    for (size_t e = 0; e < c->count; e++) {
        size_t h = hash_entry(c, e) & (cap - 1);
        while (table[h] != SIZE_MAX &&
               !same_entry(c, c->uniqs[table[h]].entry, e))
            h = (h + 1) & (cap - 1);
        if (table[h] == SIZE_MAX) {
            c->uniqs[c->nuniq] = (uniq_t){.entry = e, .final = c->nuniq};
            table[h] = c->nuniq++;
        }
        c->entries[e].uniq = table[h];
    }
    free(table);
    return PX_OK;
}

/* Split every unique value into words, into one pool of spans. */
static px_status
split_all(px_canon *c)
{
    c->spans = malloc((c->nuniq * MAX_WORDS + 1) * sizeof *c->spans);
    if (c->spans == NULL)
        return PX_NOMEM;
    for (size_t i = 0; i < c->nuniq; i++) {
        const entry_t *e = &c->entries[c->uniqs[i].entry];
        c->uniqs[i].wfirst = i * MAX_WORDS;
        c->uniqs[i].nwords = split(c->arena + e->off, e->len,
                                   c->spans + i * MAX_WORDS);
    }
    return PX_OK;
}

/* A unique value's text and words, for matching. */
typedef struct view {
    const char *v;
    const span_t *w;
    size_t n;
} view;

static view
view_of(const px_canon *c, size_t u)
{
    const uniq_t *q = &c->uniqs[u];
    return (view){.v = value_of(c, q->entry), .w = c->spans + q->wfirst,
                    .n = q->nwords};
}

static int
same_word(const view *a, size_t i, const view *b, size_t j)
{
    return a->w[i].n == b->w[j].n &&
           memcmp(a->v + a->w[i].s, b->v + b->w[j].s, a->w[i].n) == 0;
}

/* PER: all of s's words in l, in order, the last words the same. */
static int
per_short(const view *s, const view *l)
{
    if (s->n == 0 || s->n >= l->n || !same_word(s, s->n - 1, l, l->n - 1))
        return 0;
    size_t j = 0;
    for (size_t i = 0; i + 1 < s->n; i++, j++) {
        while (j + 1 < l->n && !same_word(s, i, l, j))
            j++;
        if (j + 1 >= l->n)
            return 0;
    }
    return 1;
}

/* Whether s's words are l's words from word `at` on. */
static int
run_at(const view *s, const view *l, size_t at)
{
    for (size_t i = 0; i < s->n; i++)
        if (!same_word(s, i, l, at + i))
            return 0;
    return 1;
}

/* ORG: "WHO" or "W.H.O." for "World Health Organization". */
static int
acronym(const view *s, const view *l)
{
    const char *a = s->v + s->w[0].s;
    size_t k = 0;
    size_t letters = 0;
    for (size_t i = 0; i < s->w[0].n; i++)
        letters += a[i] != '.';
    if (letters < 2 || l->n < 2)
        return 0;
    for (size_t j = 0; j < l->n; j++) {
        if (IN(l->v, l->w[j], joiners))
            continue;
        char c = l->v[l->w[j].s];
        while (k < s->w[0].n && a[k] == '.')
            k++;
        if (c < 'A' || c > 'Z' || k == s->w[0].n || a[k] != c)
            return 0;
        k++;
    }
    while (k < s->w[0].n && a[k] == '.')
        k++;
    return k == s->w[0].n;
}

static int
org_short(const view *s, const view *l)
{
    if (s->n == 0 || s->n >= l->n)
        return 0;
    if (run_at(s, l, 0))
        return 1;
    for (size_t at = 1; s->n >= 2 && at + s->n <= l->n; at++)
        if (run_at(s, l, at))
            return 1;
    /* "Commission" for "European Commission": the head noun alone, not
     * the object of an "of" ("England" is no "Bank of England"). */
    if (s->n == 1 && same_word(s, 0, l, l->n - 1) &&
        !IN(l->v, l->w[l->n - 2], joiners))
        return 1;
    return s->n == 1 && acronym(s, l);
}

/* A name the tagger typed otherwise that opens an organisation's longer
 * name: "Kasumi" (tagged a person) for "Kasumi Semiconductor". */
static int
other_short(const view *s, const view *l)
{
    return s->n >= 1 && s->n < l->n && run_at(s, l, 0);
}

/* The one longer value of type `to` that s, a value of another type,
 * is a short form of, or SIZE_MAX: an organisation's name a person's
 * value opens ("Kasumi", tagged a person, for "Kasumi Semiconductor"),
 * or a person's name an organisation's or other name's value ends
 * ("Carvalho", tagged an organisation in a headline, for "Inês
 * Carvalho"). */
static size_t
long_of_other(const px_canon *c, const view *s, px_entity_type to)
{
    size_t found = SIZE_MAX;
    for (size_t j = 0; j < c->nuniq; j++) {
        if (c->entries[c->uniqs[j].entry].type != to ||
            c->uniqs[j].nwords <= s->n)
            continue;
        view l = view_of(c, j);
        if (!(to == PX_ENT_ORG ? other_short(s, &l) : per_short(s, &l)))
            continue;
        if (found != SIZE_MAX && found != c->uniqs[j].final)
            return SIZE_MAX;
        found = c->uniqs[j].final;
    }
    return found;
}

/* Map unique value u to the one longer value it is a short form of, if
 * exactly one (after their own mapping) fits. */
static void
resolve_one(px_canon *c, size_t u)
{
    px_entity_type type = c->entries[c->uniqs[u].entry].type;
    view s = view_of(c, u);
    size_t found = SIZE_MAX;
    if (type == PX_ENT_DATE)
        return;
    for (size_t j = 0; j < c->nuniq; j++) {
        if ((type != PX_ENT_PER && type != PX_ENT_ORG) ||
            c->entries[c->uniqs[j].entry].type != type ||
            c->uniqs[j].nwords <= s.n)
            continue;
        view l = view_of(c, j);
        if (!(type == PX_ENT_PER ? per_short(&s, &l) : org_short(&s, &l)))
            continue;
        if (found != SIZE_MAX && found != c->uniqs[j].final)
            return;
        found = c->uniqs[j].final;
    }
    if (found == SIZE_MAX && type == PX_ENT_PER)
        found = long_of_other(c, &s, PX_ENT_ORG);
    if (found == SIZE_MAX && (type == PX_ENT_ORG || type == PX_ENT_MISC))
        found = long_of_other(c, &s, PX_ENT_PER);
    if (found != SIZE_MAX)
        c->uniqs[u].final = found;
}

px_status
px_canon_resolve(px_canon *c)
{
    if (c == NULL)
        return PX_INVALID_ARGUMENT;
    free(c->uniqs);
    free(c->spans);
    c->uniqs = NULL;
    c->spans = NULL;
    c->nuniq = 0;
    c->resolved = 0;
    px_status rc = dedupe(c);
    if (rc == PX_OK)
        rc = split_all(c);
    if (rc != PX_OK)
        return rc;
    /* Longest first: a longer value's mapping is known when a shorter one
     * looks at it. */
    for (size_t w = MAX_WORDS + 1; w-- > 0;)
        for (size_t u = 0; u < c->nuniq; u++)
            if (c->uniqs[u].nwords == w)
                resolve_one(c, u);
    c->resolved = 1;
    return PX_OK;
}

/* Cut a key at a character boundary within PX_CANON_KEY_MAX bytes. */
static size_t
key_cut(const char *k, size_t n)
{
    if (n <= PX_CANON_KEY_MAX)
        return n;
    n = PX_CANON_KEY_MAX;
    while (n > 0 && ((unsigned char)k[n] & 0xC0) == 0x80)
        n--;
    while (n > 0 && k[n - 1] == ' ')
        n--;
    return n;
}

px_status
px_canon_key(const char *value, size_t len, char **out, size_t *out_len)
{
    char *folded = NULL;
    size_t n = 0;
    if (out != NULL)
        *out = NULL;
    if (out_len != NULL)
        *out_len = 0;
    if (out == NULL || out_len == NULL || (value == NULL && len > 0))
        return PX_INVALID_ARGUMENT;
    px_status rc = px_token_fold(value != NULL ? value : "", len, &folded,
                                 &n);
    if (rc != PX_OK)
        return rc;
    n = key_cut(folded, collapse(folded, n, folded));
    folded[n] = '\0';
    *out = folded;
    *out_len = n;
    return PX_OK;
}

const char *
px_canon_value(const px_canon *c, size_t piece, size_t i)
{
    if (c == NULL || !c->resolved || piece >= c->npieces)
        return NULL;
    size_t end = piece + 1 < c->npieces ? c->pieces[piece + 1] : c->count;
    size_t e = c->pieces[piece] + i;
    if (i >= end - c->pieces[piece])
        return NULL;
    const uniq_t *u = &c->uniqs[c->entries[e].uniq];
    return c->arena + c->entries[c->uniqs[u->final].entry].off;
}

void
px_canon_destroy(px_canon *c)
{
    if (c == NULL)
        return;
    free(c->entries);
    free(c->pieces);
    free(c->arena);
    free(c->uniqs);
    free(c->spans);
    free(c);
}
