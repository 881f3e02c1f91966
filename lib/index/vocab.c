/*
 * vocab.c — the vocabulary of unstemmed words, for wildcards (vocab.h).
 */
#include "passim/vocab.h"

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "passim/grow.h"
#include "passim/schema.h"
#include "passim/token.h"

/* ---- A list of words under way ----------------------------------- */

struct px_words_builder {
    char *buf;
    size_t len, cap;
    size_t *offs; /* where each word starts in buf */
    size_t n, ncap;
    int nomem;
};

px_words_builder *
px_words_builder_create(void)
{
    return calloc(1, sizeof(px_words_builder));
}


static int
on_word(void *ctx, size_t start, size_t end, const char *folded, size_t len)
{
    px_words_builder *b = ctx;
    (void)start;
    (void)end;
    if (px_grow((void **)&b->buf, &b->cap, b->len + len + 1, 1) != 0 ||
        px_grow((void **)&b->offs, &b->ncap, b->n + 1, sizeof *b->offs) != 0) {
        b->nomem = 1;
        return 1;
    }
    b->offs[b->n++] = b->len;
    memcpy(b->buf + b->len, folded, len);
    b->len += len;
    b->buf[b->len++] = '\0';
    return 0;
}

px_status
px_words_builder_add(px_words_builder *b, const char *text, size_t len)
{
    px_status rc = px_token_each(text, len, on_word, b);
    return rc == PX_OK && b->nomem ? PX_NOMEM : rc;
}

/* qsort has no context argument: the base lives in a thread-local. */
static _Thread_local const char *tl_base;

static int
cmp_offs_tl(const void *a, const void *b)
{
    return strcmp(tl_base + *(const size_t *)a, tl_base + *(const size_t *)b);
}

px_status
px_words_finish(px_words_builder *b, px_words *out)
{
    *out = (px_words){0};
    if (b->n == 0)
        return PX_OK;
    tl_base = b->buf;
    qsort(b->offs, b->n, sizeof *b->offs, cmp_offs_tl);
    char *buf = malloc(b->len);
    if (!buf)
        return PX_NOMEM;
    size_t len = 0, n = 0;
    const char *prev = NULL;
    for (size_t i = 0; i < b->n; i++) {
        const char *w = b->buf + b->offs[i];
        if (prev && strcmp(prev, w) == 0)
            continue;
        size_t l = strlen(w) + 1;
        memcpy(buf + len, w, l);
        len += l;
        n++;
        prev = w;
    }
    *out = (px_words){buf, len, n};
    return PX_OK;
}

void
px_words_builder_destroy(px_words_builder *b)
{
    if (!b)
        return;
    free(b->buf);
    free(b->offs);
    free(b);
}

px_status
px_words_append(px_words *w, size_t *cap, const char *word, size_t len)
{
    if (w->len + len + 1 > *cap) {
        size_t grown = *cap ? *cap * 2 : 16 * 1024;
        while (grown < w->len + len + 1)
            grown *= 2;
        char *buf = realloc(w->buf, grown);
        if (!buf)
            return PX_NOMEM;
        w->buf = buf;
        *cap = grown;
    }
    memcpy(w->buf + w->len, word, len);
    w->buf[w->len + len] = '\0';
    w->len += len + 1;
    w->n++;
    return PX_OK;
}

void
px_words_clear(px_words *w)
{
    free(w->buf);
    *w = (px_words){0};
}

/* ---- The writer's side: the words met in this run ------------------ */

struct px_vocab {
    char **slots; /* open addressing; NULL = empty */
    size_t cap, used;
    int fresh; /* the database had no vocabulary: no need to ask it */
};

static uint64_t
hash_word(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 0x100000001b3ULL;
    }
    return h;
}

static int
found_key(void *ctx, const char *key, size_t len)
{
    (void)key;
    (void)len;
    *(int *)ctx = 1;
    return 1;
}

px_status
px_vocab_create(xc_database *db, px_vocab **out)
{
    int any = 0;
    *out = NULL;
    if (xc_database_metadata_keys(db, PX_META_WORD, found_key, &any) != XC_OK)
        return PX_XAPIAN;
    *out = calloc(1, sizeof **out);
    if (!*out)
        return PX_NOMEM;
    (*out)->fresh = !any;
    return PX_OK;
}

static px_status
rehash(px_vocab *v)
{
    size_t cap = v->cap ? v->cap * 2 : 4096;
    char **slots = calloc(cap, sizeof *slots);
    if (!slots)
        return PX_NOMEM;
    for (size_t i = 0; i < v->cap; i++) {
        if (!v->slots[i])
            continue;
        size_t j = hash_word(v->slots[i]) & (cap - 1);
        while (slots[j])
            j = (j + 1) & (cap - 1);
        slots[j] = v->slots[i];
    }
    free(v->slots);
    v->slots = slots;
    v->cap = cap;
    return PX_OK;
}

/* 1 if `w` was new (and is now remembered), 0 if met before, -1 when out
 * of memory. */
static int
remember(px_vocab *v, const char *w)
{
    if ((v->used + 1) * 2 > v->cap && rehash(v) != PX_OK)
        return -1;
    size_t j = hash_word(w) & (v->cap - 1);
    for (; v->slots[j]; j = (j + 1) & (v->cap - 1)) {
        if (strcmp(v->slots[j], w) == 0)
            return 0;
    }
    if (!(v->slots[j] = strdup(w)))
        return -1;
    v->used++;
    return 1;
}

/* Store `w` unless the database has it; *added says which. */
static px_status
add_new_word(const px_vocab *v, xc_database *db, const char *w, size_t len,
             int *added)
{
    char key[sizeof PX_META_WORD + PX_TOKEN_MAX_WORD * 4 + 1];
    size_t plen = sizeof PX_META_WORD - 1;
    *added = 0;
    if (plen + len >= sizeof key)
        return PX_OK; /* longer than any word Xapian indexes */
    memcpy(key, PX_META_WORD, plen);
    memcpy(key + plen, w, len);
    if (!v->fresh) {
        char *value = NULL;
        size_t vlen = 0;
        if (xc_database_get_metadata(db, key, plen + len, &value, &vlen) !=
            XC_OK)
            return PX_XAPIAN;
        int known = value != NULL;
        free(value);
        if (known)
            return PX_OK;
    }
    if (xc_database_set_metadata(db, key, plen + len, "1", 1) != XC_OK)
        return PX_XAPIAN;
    *added = 1;
    return PX_OK;
}

px_status
px_vocab_add(px_vocab *v, xc_database *db, const px_words *words,
             px_vocab_stored_fn stored, void *ctx)
{
    /* The words met are remembered for the whole run, up to a bound:
     * past it, forget them (and ask the database again). */
    if (v->used > PX_VOCAB_REMEMBER)
        px_vocab_forget(v);
    const char *w = words->buf, *end = words->buf + words->len;
    while (w < end) {
        size_t len = strlen(w);
        int fresh = remember(v, w);
        if (fresh < 0)
            return PX_NOMEM;
        int added = 0;
        if (fresh) {
            px_status rc = add_new_word(v, db, w, len, &added);
            if (rc != PX_OK)
                return rc;
        }
        if (added && stored)
            stored(ctx, w, len);
        w += len + 1;
    }
    return PX_OK;
}

/* ---- A sharded database's first shard: every shard's words --------- */

static void
union_key(size_t shard, char key[64])
{
    snprintf(key, 64, "%s%zu", PX_META_VOCAB_UNION, shard);
}

px_status
px_vocab_union_stale(xc_database *db0, size_t shard, uint64_t revision,
                     int *stale)
{
    char key[64], want[32], *value = NULL;
    size_t len = 0;
    union_key(shard, key);
    *stale = 1;
    if (xc_database_get_metadata(db0, key, strlen(key), &value, &len) !=
        XC_OK)
        return PX_XAPIAN;
    int n = snprintf(want, sizeof want, "%" PRIu64, revision);
    *stale = !value || len != (size_t)n || memcmp(value, want, len) != 0;
    free(value);
    return PX_OK;
}

px_status
px_vocab_union_mark(xc_database *db0, size_t shard, uint64_t revision)
{
    char key[64], rev[32];
    union_key(shard, key);
    int n = snprintf(rev, sizeof rev, "%" PRIu64, revision);
    return xc_database_set_metadata(db0, key, strlen(key), rev, (size_t)n) ==
                   XC_OK
               ? PX_OK
               : PX_XAPIAN;
}

typedef struct copy_ctx {
    px_vocab *v0;
    xc_database *db0;
    px_words chunk;
    size_t cap;
    px_status rc;
} copy_ctx;

static px_status
flush_chunk(copy_ctx *c)
{
    if (c->chunk.len && c->rc == PX_OK)
        c->rc = px_vocab_add(c->v0, c->db0, &c->chunk, NULL, NULL);
    c->chunk.len = c->chunk.n = 0;
    return c->rc;
}

static int
copy_key(void *ctx, const char *key, size_t len)
{
    copy_ctx *c = ctx;
    const size_t plen = sizeof PX_META_WORD - 1;
    if (len <= plen)
        return 0;
    c->rc = px_words_append(&c->chunk, &c->cap, key + plen, len - plen);
    if (c->rc != PX_OK)
        return 1;
    return c->chunk.n >= 4096 && flush_chunk(c) != PX_OK;
}

px_status
px_vocab_union_copy(px_vocab *v0, xc_database *db0, xc_database *dbk)
{
    copy_ctx c = {v0, db0, {0}, 0, PX_OK};
    if (xc_database_metadata_keys(dbk, PX_META_WORD, copy_key, &c) != XC_OK &&
        c.rc == PX_OK)
        c.rc = PX_XAPIAN;
    flush_chunk(&c);
    px_words_clear(&c.chunk);
    return c.rc;
}

void
px_vocab_forget(px_vocab *v)
{
    for (size_t i = 0; i < v->cap; i++)
        free(v->slots[i]);
    free(v->slots);
    v->slots = NULL;
    v->cap = v->used = 0;
}

void
px_vocab_destroy(px_vocab *v)
{
    if (!v)
        return;
    px_vocab_forget(v);
    free(v);
}

/* ---- The reader's side -------------------------------------------- */

typedef struct expand_ctx {
    px_stemmer *st;
    px_stem_fn fn;
    void *ctx;
    size_t words;
    char (*seen)[PX_TOKEN_MAX_WORD * 4 + 1];
    size_t nseen;
} expand_ctx;

static int
seen_stem(expand_ctx *c, const char *stem, size_t len)
{
    for (size_t i = 0; i < c->nseen; i++) {
        if (strlen(c->seen[i]) == len && memcmp(c->seen[i], stem, len) == 0)
            return 1;
    }
    if (len < sizeof c->seen[0]) {
        memcpy(c->seen[c->nseen], stem, len);
        c->seen[c->nseen++][len] = '\0';
    }
    return 0;
}

static int
on_vocab_key(void *ctx, const char *term, size_t len)
{
    expand_ctx *c = ctx;
    size_t plen = sizeof PX_META_WORD - 1;
    const char *stem;
    size_t slen;
    if (c->words++ >= PX_VOCAB_MAX_EXPANSION)
        return 1;
    if (px_stemmer_stem(c->st, term + plen, len - plen, &stem, &slen) != PX_OK)
        return 0;
    if (seen_stem(c, stem, slen))
        return 0;
    return c->fn(c->ctx, stem, slen);
}

px_status
px_vocab_expand(xc_database *db, px_stemmer *st, const char *pattern,
                size_t len, px_stem_fn fn, void *ctx)
{
    size_t plen = sizeof PX_META_WORD - 1;
    char prefix[sizeof PX_META_WORD + PX_TOKEN_MAX_WORD * 4 + 1];
    if (plen + len >= sizeof prefix)
        return PX_OK;
    memcpy(prefix, PX_META_WORD, plen);
    memcpy(prefix + plen, pattern, len);
    prefix[plen + len] = '\0';
    expand_ctx c = {st, fn, ctx, 0, NULL, 0};
    c.seen = malloc(PX_VOCAB_MAX_EXPANSION * sizeof *c.seen);
    if (!c.seen)
        return PX_NOMEM;
    xc_status xs = xc_database_metadata_keys(db, prefix, on_vocab_key, &c);
    free(c.seen);
    return xs == XC_OK ? PX_OK : PX_XAPIAN;
}

/* ---- Wildcards in queries ------------------------------------------ */

typedef struct wild_field {
    const char *field;     /* passim's field */
    const char *user;      /* the field the user typed, "" for none */
    const char *prefix[2]; /* term prefixes of the stems (NULL: unused) */
} wild_field;

static const wild_field wild_fields[] = {
    {"pxwild", "", {NULL, NULL}}, /* the parser's defaults, stemmed */
    {"pxwildtitle", "title", {"Z" PX_PREFIX_TITLE, NULL}},
    {"pxwildpath", "path", {"Z" PX_PREFIX_PATH, NULL}},
};
#define NWILD (sizeof wild_fields / sizeof *wild_fields)

static int
is_break(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '(' ||
           c == ')' || c == '"' || c == '+' || c == '-';
}

/* The wildcard field for what precedes "word*" (`field` up to the colon,
 * flen 0 when there is none); NULL when it has no wildcard field. */
static const wild_field *
wild_field_for(const char *field, size_t flen)
{
    for (size_t i = 0; i < NWILD; i++) {
        if (strlen(wild_fields[i].user) == flen &&
            memcmp(wild_fields[i].user, field, flen) == 0)
            return &wild_fields[i];
    }
    return NULL;
}

typedef struct strbuf {
    char *s;
    size_t len, cap;
} strbuf;

static int
put(strbuf *b, const char *s, size_t len)
{
    if (px_grow((void **)&b->s, &b->cap, b->len + len + 1, 1) != 0)
        return -1;
    memcpy(b->s + b->len, s, len);
    b->len += len;
    b->s[b->len] = '\0';
    return 0;
}

/* A token text[start, star) followed by '*' and a break (or the end). */
static int
put_token(strbuf *b, const char *tok, size_t len, int wild, int *changed)
{
    const char *colon = memchr(tok, ':', len);
    size_t flen = colon ? (size_t)(colon - tok) : 0;
    const char *word = colon ? colon + 1 : tok;
    size_t wlen = len - (size_t)(word - tok);
    const wild_field *f = wild ? wild_field_for(tok, flen) : NULL;
    if (!f || wlen == 0)
        return put(b, tok, len + (size_t)(wild != 0));
    *changed = 1;
    if (put(b, f->field, strlen(f->field)) != 0 || put(b, ":", 1) != 0)
        return -1;
    return put(b, word, wlen);
}

/* Xapian's NEAR and ADJ take single terms, and a wildcard becomes the OR
 * of its words: Xapian 1.4.22 then throws from inside its parser and
 * leaks what the parser holds (LeakSanitizer shows it with Xapian alone,
 * no passim code involved). So an operand that is a wildcard makes the
 * operator an AND: "zimb* NEAR mugabe" finds both words in a passage. */
static int
is_space_char(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static int
is_proximity_op(const char *t, size_t n)
{
    size_t k = n >= 4 && memcmp(t, "NEAR", 4) == 0   ? 4
               : n >= 3 && memcmp(t, "ADJ", 3) == 0 ? 3
                                                    : 0;
    if (k == 0 || (k < n && t[k] != '/'))
        return 0;
    for (size_t i = k + 1; i < n; i++)
        if (t[i] < '0' || t[i] > '9')
            return 0;
    return 1;
}

static int
is_wild_token(const char *t, size_t n)
{
    while (n > 0 && t[n - 1] == ')')
        n--;
    return n > 1 && t[n - 1] == '*' && memchr(t, '"', n) == NULL;
}

typedef struct span {
    const char *s;
    size_t n;
} span;

/* The tokens of q between blanks, into a fresh array (NULL: no memory). */
static span *
blank_tokens(const char *q, size_t *count)
{
    size_t cap = 1;
    for (const char *p = q; *p; p++)
        cap += is_space_char(*p);
    span *t = malloc(cap * sizeof *t);
    size_t n = 0;
    for (const char *p = q; t != NULL && *p;) {
        while (*p && is_space_char(*p))
            p++;
        const char *start = p;
        while (*p && !is_space_char(*p))
            p++;
        if (p > start)
            t[n++] = (span){start, (size_t)(p - start)};
    }
    *count = n;
    return t;
}

/* q with each NEAR or ADJ beside a wildcard made AND; *out NULL when
 * there is none. */
static px_status
near_wildcards_to_and(const char *q, char **out)
{
    size_t n = 0;
    *out = NULL;
    span *t = blank_tokens(q, &n);
    if (t == NULL)
        return PX_NOMEM;
    strbuf b = {0};
    int changed = 0, quoted = 0, failed = 0;
    const char *copied = q;
    for (size_t i = 0; i < n && !failed; i++) {
        int op = !quoted && is_proximity_op(t[i].s, t[i].n) &&
                 ((i > 0 && is_wild_token(t[i - 1].s, t[i - 1].n)) ||
                  (i + 1 < n && is_wild_token(t[i + 1].s, t[i + 1].n)));
        for (size_t k = 0; k < t[i].n; k++)
            quoted ^= t[i].s[k] == '"';
        if (!op)
            continue;
        changed = 1;
        failed = put(&b, copied, (size_t)(t[i].s - copied)) != 0 ||
                 put(&b, "AND", 3) != 0;
        copied = t[i].s + t[i].n;
    }
    if (!failed && changed)
        failed = put(&b, copied, strlen(copied)) != 0;
    free(t);
    if (failed || !changed) {
        free(b.s);
        return failed ? PX_NOMEM : PX_OK;
    }
    *out = b.s;
    return PX_OK;
}

static px_status
rewrite_wildcards(const char *query, char **out)
{
    strbuf b = {0};
    int quoted = 0, changed = 0;
    const char *p = query;
    *out = NULL;
    while (*p) {
        if (is_break(*p)) {
            quoted ^= *p == '"';
            if (put(&b, p++, 1) != 0)
                goto nomem;
            continue;
        }
        const char *tok = p;
        while (*p && !is_break(*p) && *p != '*')
            p++;
        int wild = *p == '*' && !quoted && (p[1] == '\0' || is_break(p[1]));
        if (put_token(&b, tok, (size_t)(p - tok), wild, &changed) != 0)
            goto nomem;
        if (wild)
            p++;
        else if (*p == '*') {
            if (put(&b, p++, 1) != 0)
                goto nomem;
        }
    }
    if (changed)
        *out = b.s;
    else
        free(b.s);
    return PX_OK;
nomem:
    free(b.s);
    return PX_NOMEM;
}

px_status
px_vocab_rewrite(const char *query, char **out)
{
    char *anded = NULL;
    px_status rc = near_wildcards_to_and(query, &anded);
    if (rc == PX_OK)
        rc = rewrite_wildcards(anded != NULL ? anded : query, out);
    if (rc == PX_OK && *out == NULL && anded != NULL) {
        *out = anded;
        anded = NULL;
    }
    free(anded);
    return rc;
}

typedef struct wild_ctx {
    xc_database *db;
    px_wild_budget *budget; /* borrowed, may be NULL */
    px_stemmer *st;
    char prefix[2][8]; /* term prefixes of the stems ("": unused) */
} wild_ctx;

typedef struct stem_queries {
    const wild_ctx *c;
    xc_query **q;
    size_t n, cap;
    int failed;
    size_t stems; /* the words found: a term each in one or two fields */
} stem_queries;

static int
add_stem_query(void *ctx, const char *stem, size_t len)
{
    stem_queries *sq = ctx;
    sq->stems++;
    for (size_t i = 0; i < 2 && sq->c->prefix[i][0]; i++) {
        char term[8 + PX_TOKEN_MAX_WORD * 4 + 1];
        size_t plen = strlen(sq->c->prefix[i]);
        if (plen + len >= sizeof term)
            continue;
        memcpy(term, sq->c->prefix[i], plen);
        memcpy(term + plen, stem, len);
        if (px_grow((void **)&sq->q, &sq->cap, sq->n + 1, sizeof *sq->q) != 0 ||
            xc_query_create_term(term, plen + len, 1, &sq->q[sq->n]) !=
                XC_OK) {
            sq->failed = 1;
            return 1;
        }
        sq->n++;
    }
    return 0;
}

static int
expand_field(void *ctx, const char *text, size_t len, xc_query **out)
{
    wild_ctx *c = ctx;
    char *folded = NULL;
    size_t flen = 0;
    stem_queries sq = {c, NULL, 0, 0, 0, 0};
    *out = NULL;
    /* Over budget: match nothing, and let the caller say so. Failing here
     * would throw through Xapian's parser, which leaks what it holds. */
    if (c->budget != NULL && c->budget->exceeded)
        return 0;
    /* The stemmer is made on first use: most queries have no wildcard. */
    if (!c->st && px_stemmer_create(PX_LANGUAGE, &c->st) != PX_OK)
        return 1;
    if (px_token_fold(text, len, &folded, &flen) != PX_OK)
        return 0; /* not a word: matches nothing */
    px_status rc = px_vocab_expand(c->db, c->st, folded, flen,
                                   add_stem_query, &sq);
    free(folded);
    int failed = rc != PX_OK || sq.failed;
    if (!failed && c->budget != NULL) {
        c->budget->used += sq.stems;
        c->budget->exceeded = c->budget->used > PX_VOCAB_MAX_TOTAL_EXPANSION;
    }
    if (!failed && sq.n && !(c->budget != NULL && c->budget->exceeded) &&
        xc_query_create_combined(XC_OP_SYNONYM, sq.q, sq.n, 0, out) != XC_OK)
        failed = 1;
    for (size_t i = 0; i < sq.n; i++)
        xc_query_destroy(sq.q[i]);
    free(sq.q);
    return failed;
}

static void
destroy_wild_ctx(void *ctx)
{
    wild_ctx *c = ctx;
    px_stemmer_destroy(c->st);
    free(c);
}

px_status
px_vocab_add_wildcard_fields(xc_qparser *qp, xc_database *db,
                             const char *const *defaults, size_t ndefaults,
                             px_wild_budget *budget)
{
    for (size_t i = 0; db && i < NWILD; i++) {
        wild_ctx *c = calloc(1, sizeof *c);
        if (!c)
            return PX_NOMEM;
        c->db = db;
        c->budget = budget;
        /* The unprefixed field searches what the parser's default does. */
        int plain = wild_fields[i].user[0] == '\0';
        for (size_t k = 0; k < 2; k++) {
            const char *p = plain ? (k < ndefaults ? defaults[k] : NULL)
                                  : wild_fields[i].prefix[k];
            if (p && strlen(p) + (plain ? 1 : 0) < sizeof c->prefix[k])
                snprintf(c->prefix[k], sizeof c->prefix[k], "%s%s",
                         plain ? "Z" : "", p);
        }
        if (xc_qparser_add_field_callback(qp, wild_fields[i].field,
                                          expand_field, c, destroy_wild_ctx)
            != XC_OK)
            return PX_XAPIAN;
    }
    return PX_OK;
}
