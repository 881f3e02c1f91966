/*
 * stem.c — libstemmer behind a bounded word -> stem cache.
 *
 * The cache is an open-addressing hash table whose entries point into one
 * arena holding each word followed by its stem. Both are fixed in size, so
 * a stemmer's memory is bounded; when either fills, the whole cache is
 * cleared and refills with the words in use, which in a stream of prose
 * are mostly the same few thousand. Clearing costs nothing per entry and
 * never leaves a stale pointer, unlike evicting single entries.
 */
#include "passim/stem.h"
#include "passim/hash.h"

#include <utf8proc.h>

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libstemmer.h>

/* At most 64k slots kept at most three quarters full, so probes stay
 * short. The cache starts at FIRST_SLOTS and doubles as it fills: a query
 * stems a few hundred words, and each word in a table of 64k slots
 * touched a page of its own (a page fault each, a third of a small
 * query's). */
#define CACHE_SLOTS (1u << 16)
#define FIRST_SLOTS 512u

/* Room for the words and stems of a cache of n slots: 16 bytes an entry
 * on average, more than English prose needs (its words average under 8
 * bytes). */
#define ARENA_FOR(n) ((n) / 4 * 3 * 16u)

/* Longer words are rare and would crowd the arena: stem them uncached. */
#define MAX_CACHED_WORD 64

struct slot {
    uint64_t hash;
    uint32_t off;      /* word, then stem, at arena + off */
    uint16_t word_len; /* 0 for an empty slot: empty words are not cached */
    uint16_t stem_len;
};

struct px_stemmer {
    struct sb_stemmer *sb; /* NULL for "none": every word is its own stem */
    struct slot *slots;
    size_t nslots;     /* a power of two up to CACHE_SLOTS */
    char *arena;
    size_t arena_size; /* ARENA_FOR(nslots) */
    size_t arena_used;
    size_t entries;
    size_t hits;
    size_t misses;
};

/* Whether libstemmer offers `language`, to tell a name it does not know
 * from a failure to allocate, which sb_stemmer_new() reports alike. */
static bool
language_known(const char *language)
{
    for (const char **name = sb_stemmer_list(); *name != NULL; name++) {
        if (strcmp(*name, language) == 0)
            return true;
    }
    return false;
}

static px_status
open_stemmer(px_stemmer *st, const char *language)
{
    if (strcmp(language, "none") == 0 || language[0] == '\0')
        return PX_OK;
    st->sb = sb_stemmer_new(language, NULL);
    if (st->sb == NULL)
        return language_known(language) ? PX_NOMEM : PX_NOT_FOUND;
    return PX_OK;
}

/* The cache is made on the first word, not with the stemmer: a query
 * creates several stemmers and stems a handful of words. */
static bool
have_cache(px_stemmer *st)
{
    if (st->slots != NULL)
        return true;
    st->slots = calloc(FIRST_SLOTS, sizeof *st->slots);
    st->arena = malloc(ARENA_FOR(FIRST_SLOTS));
    if (st->slots != NULL && st->arena != NULL) {
        st->nslots = FIRST_SLOTS;
        st->arena_size = ARENA_FOR(FIRST_SLOTS);
        return true;
    }
    free(st->slots);
    free(st->arena);
    st->slots = NULL;
    st->arena = NULL;
    return false;
}

px_status
px_stemmer_create(const char *language, px_stemmer **out)
{
    px_stemmer *st;
    px_status rc;

    if (out == NULL)
        return PX_INVALID_ARGUMENT;
    *out = NULL;
    if (language == NULL)
        return PX_INVALID_ARGUMENT;
    st = calloc(1, sizeof *st);
    if (st == NULL)
        return PX_NOMEM;
    rc = open_stemmer(st, language);
    if (rc != PX_OK) {
        px_stemmer_destroy(st);
        return rc;
    }
    *out = st;
    return PX_OK;
}

/* The slot holding word, or the empty slot where it belongs. */
static struct slot *
find_slot(px_stemmer *st, const char *word, size_t len, uint64_t h)
{
    size_t i = (size_t)h & (st->nslots - 1);

    for (;; i = (i + 1) & (st->nslots - 1)) {
        struct slot *s = &st->slots[i];
        if (s->word_len == 0)
            return s;
        if (s->hash == h && s->word_len == len &&
            memcmp(st->arena + s->off, word, len) == 0)
            return s;
    }
}

static void
clear_cache(px_stemmer *st)
{
    memset(st->slots, 0, st->nslots * sizeof *st->slots);
    st->arena_used = 0;
    st->entries = 0;
}

/* Double the cache (slots and arena); false when it is as large as it
 * gets, or memory runs out (it stays as it was). */
static bool
grow_cache(px_stemmer *st)
{
    if (st->nslots >= CACHE_SLOTS)
        return false;
    size_t n = st->nslots * 2;
    struct slot *slots = calloc(n, sizeof *slots);
    char *arena = realloc(st->arena, ARENA_FOR(n));
    if (arena != NULL) {
        st->arena = arena;
        st->arena_size = ARENA_FOR(n);
    }
    if (slots == NULL || arena == NULL) {
        free(slots);
        return false;
    }
    for (size_t i = 0; i < st->nslots; i++) {
        const struct slot *s = &st->slots[i];
        if (s->word_len == 0)
            continue;
        size_t j = (size_t)s->hash & (n - 1);
        while (slots[j].word_len != 0)
            j = (j + 1) & (n - 1);
        slots[j] = *s;
    }
    free(st->slots);
    st->slots = slots;
    st->nslots = n;
    return true;
}

/* Cache word -> stem, clearing the cache first if it is full. Returns
 * the cached copy of the stem. */
static const char *
remember(px_stemmer *st, const char *word, size_t len, uint64_t h,
         const char *stem, size_t stem_len)
{
    struct slot *s;

    while ((st->entries >= st->nslots / 4 * 3 ||
            st->arena_size - st->arena_used < len + stem_len) &&
           grow_cache(st)) {
    }
    if (st->entries >= st->nslots / 4 * 3 ||
        st->arena_size - st->arena_used < len + stem_len)
        clear_cache(st);
    s = find_slot(st, word, len, h);
    s->hash = h;
    s->off = (uint32_t)st->arena_used;
    s->word_len = (uint16_t)len;
    s->stem_len = (uint16_t)stem_len;
    memcpy(st->arena + st->arena_used, word, len);
    memcpy(st->arena + st->arena_used + len, stem, stem_len);
    st->arena_used += len + stem_len;
    st->entries++;
    return st->arena + s->off + len;
}

/* Run libstemmer itself; its result lives in its own buffer until the next
 * call on the same stemmer. */
static px_status
snowball(px_stemmer *st, const char *word, size_t len, const char **stem,
         size_t *stem_len)
{
    const sb_symbol *r;

    if (len > INT_MAX)
        return PX_INVALID_ARGUMENT;
    /* Accents fold before stemming, in indexing and in queries alike:
     * "résumé" and "resume", "café" and "cafe" are one word. */
    utf8proc_uint8_t *folded = NULL;
    size_t i = 0;
    while (i < len && (unsigned char)word[i] < 0x80)
        i++;
    if (i < len) {
        utf8proc_ssize_t n = utf8proc_map(
            (const utf8proc_uint8_t *)word, (utf8proc_ssize_t)len, &folded,
            UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_STRIPMARK);
        if (n >= 0) {
            word = (const char *)folded;
            len = (size_t)n;
        }
    }
    r = sb_stemmer_stem(st->sb, (const sb_symbol *)word, (int)len);
    free(folded);
    if (r == NULL)
        return PX_NOMEM;
    *stem = (const char *)r;
    *stem_len = (size_t)sb_stemmer_length(st->sb);
    return PX_OK;
}

px_status
px_stemmer_stem(px_stemmer *st, const char *word, size_t len,
                const char **stem, size_t *stem_len)
{
    const struct slot *s;
    uint64_t h;
    px_status rc;

    if (stem != NULL)
        *stem = NULL;
    if (stem_len != NULL)
        *stem_len = 0;
    if (st == NULL || stem == NULL || stem_len == NULL ||
        (word == NULL && len > 0))
        return PX_INVALID_ARGUMENT;
    if (st->sb == NULL || len == 0) {
        *stem = len == 0 ? "" : word;
        *stem_len = len;
        return PX_OK;
    }
    /* Without a cache (out of memory) stemming still works, uncached. */
    if (len > MAX_CACHED_WORD || !have_cache(st))
        return snowball(st, word, len, stem, stem_len);
    h = px_hash_bytes(word, len);
    s = find_slot(st, word, len, h);
    if (s->word_len != 0) {
        st->hits++;
        *stem = st->arena + s->off + s->word_len;
        *stem_len = s->stem_len;
        return PX_OK;
    }
    st->misses++;
    rc = snowball(st, word, len, stem, stem_len);
    if (rc == PX_OK && *stem_len <= UINT16_MAX)
        *stem = remember(st, word, len, h, *stem, *stem_len);
    return rc;
}

void
px_stemmer_stats(const px_stemmer *st, size_t *hits, size_t *misses)
{
    if (hits != NULL)
        *hits = st != NULL ? st->hits : 0;
    if (misses != NULL)
        *misses = st != NULL ? st->misses : 0;
}

void
px_stemmer_destroy(px_stemmer *st)
{
    if (st == NULL)
        return;
    if (st->sb != NULL)
        sb_stemmer_delete(st->sb);
    free(st->slots);
    free(st->arena);
    free(st);
}
