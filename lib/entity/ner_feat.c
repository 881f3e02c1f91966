/*
 * ner_feat.c — the tagger's features and its greedy BILOU decoder.
 *
 * Every string a feature needs (the word, its lower-cased form, its shape,
 * prefixes and suffixes) is hashed once per token when a document is
 * prepared; a feature is then one multiply-and-mix of a template number
 * and those hashes, so tagging allocates nothing per token. The features
 * follow Ratinov & Roth (2009): local ones over a window of two words each
 * side, the two previous labels, and two non-local ones from the rest of
 * the document (how the same word is written elsewhere, and how the tagger
 * labelled it earlier: their "extended prediction history").
 */
#include "ner_internal.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define FNV_OFFSET 0xcbf29ce484222325ull
#define FNV_PRIME 0x100000001b3ull

/* Hashes standing for the words before a sentence's start and after its
 * end, so that context features stay inside the sentence. */
#define PAD_BEFORE 0x5bf03635f0b1ea77ull
#define PAD_AFTER 0x9c6ea5c1d2e8b7a3ull

static inline uint64_t
mix(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ull;
    x ^= x >> 33;
    return x;
}

static inline uint64_t
feat(unsigned tpl, uint64_t v)
{
    return mix(v + (uint64_t)tpl * 0x9e3779b97f4a7c15ull);
}

static inline uint64_t
pair(uint64_t a, uint64_t b)
{
    return mix(a) ^ (b * 0x2545f4914f6cdd1dull);
}

static inline char
lower_byte(unsigned char c)
{
    return (char)(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
}

/* Whether s[i] opens a Latin-1 capital letter (U+00C0-U+00DE but U+00D7),
 * so that "Zürich" and "Ángel" are capitalised like ASCII names. */
static inline bool
latin1_upper(const char *s, size_t i, size_t len)
{
    unsigned char c = (unsigned char)s[i];
    unsigned char d = i + 1 < len ? (unsigned char)s[i + 1] : 0;

    return c == 0xC3 && d >= 0x80 && d <= 0x9E && d != 0x97;
}

/* The shape of a byte: X, x, d, the punctuation itself, or x for the lead
 * byte of a non-ASCII character (continuation bytes add nothing). */
static inline char
shape_byte(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return 'X';
    if (c >= 'a' && c <= 'z')
        return 'x';
    if (c >= '0' && c <= '9')
        return 'd';
    if (c >= 0xC0)
        return 'x';
    if (c >= 0x80)
        return 0;
    return (char)c;
}

static uint64_t
fnv(const char *s, size_t len)
{
    uint64_t h = FNV_OFFSET;

    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)lower_byte((unsigned char)s[i])) * FNV_PRIME;
    return h;
}

static uint32_t
word_class(const char *s, size_t len)
{
    uint32_t cls = 0;
    bool upper = false, lower = false;

    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c >= 'A' && c <= 'Z') || latin1_upper(s, i, len))
            upper = true;
        else if ((c >= 'a' && c <= 'z') || c >= 0xC0)
            lower = true;
        else if (c >= '0' && c <= '9')
            cls |= NER_C_DIGIT;
    }
    if (upper || lower)
        cls |= NER_C_ALPHA;
    if (len > 0 && ((s[0] >= 'A' && s[0] <= 'Z') || latin1_upper(s, 0, len)))
        cls |= NER_C_INITCAP;
    if (upper && !lower)
        cls |= NER_C_ALLCAP;
    if (lower && !upper)
        cls |= NER_C_LOWER;
    return cls;
}

/* Hash one word: exact, lower-cased, collapsed shape, prefixes of 2-4 and
 * suffixes of 1-4 bytes of the lower-cased form. */
static void
tokinfo_fill(struct ner_tokinfo *t, const char *s, size_t len)
{
    uint64_t w = FNV_OFFSET, lo = FNV_OFFSET, sh = FNV_OFFSET;
    char last = 0;

    if (len > 64)
        len = 64;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        w = (w ^ c) * FNV_PRIME;
        lo = (lo ^ (unsigned char)lower_byte(c)) * FNV_PRIME;
        char k = latin1_upper(s, i, len) ? 'X' : shape_byte(c);
        if (k != 0 && k != last)
            sh = (sh ^ (unsigned char)k) * FNV_PRIME;
        if (k != 0)
            last = k;
        if (i >= 1 && i <= 3)
            t->pre[i - 1] = lo;
    }
    for (size_t k = len + 1; k <= 4; k++)
        if (k >= 2)
            t->pre[k - 2] = lo;
    for (size_t k = 1; k <= 4; k++)
        t->suf[k - 1] = fnv(s + (len > k ? len - k : 0), len > k ? k : len);
    t->word = w;
    t->lower = lo;
    t->shape = sh;
    t->cls = word_class(s, len);
}

static void
doc_clear_slots(struct ner_doc *doc, size_t n)
{
    size_t want = 64;

    while (want < 2 * n)
        want *= 2;
    doc->nslots = want;
    memset(doc->slots, 0, want * sizeof *doc->slots);
}

static uint32_t
slot_find(struct ner_doc *doc, uint64_t key)
{
    size_t mask = doc->nslots - 1;
    size_t i = (size_t)mix(key) & mask;

    while (doc->slots[i].used && doc->slots[i].key != key)
        i = (i + 1) & mask;
    doc->slots[i].used = 1;
    doc->slots[i].key = key;
    return (uint32_t)i;
}

static px_status
doc_reserve(struct ner_doc *doc, size_t n)
{
    if (n > doc->cap) {
        struct ner_tokinfo *t = realloc(doc->tok, n * sizeof *t);
        if (t == NULL)
            return PX_NOMEM;
        doc->tok = t;
        doc->cap = n;
    }
    size_t want = 64;
    while (want < 2 * n)
        want *= 2;
    if (want > doc->slots_cap) {
        struct ner_slot *s = realloc(doc->slots, want * sizeof *s);
        if (s == NULL)
            return PX_NOMEM;
        doc->slots = s;
        doc->slots_cap = want;
    }
    return PX_OK;
}

/* Mark the tokens of sentences written (mostly) in capitals, such as
 * headlines, whose case says nothing about names. */
static void
mark_caps_sentences(struct ner_doc *doc)
{
    size_t s = 0;

    while (s < doc->n) {
        size_t e = s + 1, caps = 0, alpha = 0;
        while (e < doc->n && !(doc->tok[e].cls & NER_C_SSTART))
            e++;
        for (size_t i = s; i < e; i++) {
            alpha += (doc->tok[i].cls & NER_C_ALPHA) != 0;
            caps += (doc->tok[i].cls & NER_C_ALLCAP) != 0;
        }
        if (alpha > 0 && caps * 10 >= alpha * 7 && alpha >= 2)
            for (size_t i = s; i < e; i++)
                doc->tok[i].cls |= NER_C_SCAPS;
        s = e;
    }
}

px_status
ner_doc_prepare(struct ner_doc *doc, const struct ner_word *words,
                const unsigned char *sflags, size_t n)
{
    if (doc_reserve(doc, n) != PX_OK)
        return PX_NOMEM;
    doc->n = n;
    doc_clear_slots(doc, n);
    for (size_t i = 0; i < n; i++) {
        struct ner_tokinfo *t = &doc->tok[i];
        tokinfo_fill(t, words[i].s, words[i].len);
        if (i == 0 || (sflags != NULL && (sflags[i] & PX_NER_SENT_START)))
            t->cls |= NER_C_SSTART;
    }
    mark_caps_sentences(doc);
    for (size_t i = 0; i < n; i++) {
        struct ner_tokinfo *t = &doc->tok[i];
        t->slot = slot_find(doc, t->lower);
        struct ner_slot *sl = &doc->slots[t->slot];
        if (t->cls & NER_C_SCAPS)
            continue;
        if (t->cls & NER_C_LOWER)
            sl->seen |= NER_SEEN_LOWER;
        else if ((t->cls & NER_C_INITCAP) && (t->cls & NER_C_SSTART))
            sl->seen |= NER_SEEN_CAP_START;
        else if (t->cls & NER_C_INITCAP)
            sl->seen |= NER_SEEN_CAP_MID;
    }
    return PX_OK;
}

void
ner_doc_free(struct ner_doc *doc)
{
    free(doc->tok);
    free(doc->slots);
    memset(doc, 0, sizeof *doc);
}

/* 0 padding, 1 initial capital, 2 all capitals, 3 lower case, 4 other. */
static unsigned
case_code(const struct ner_doc *doc, size_t i, size_t s, size_t e, long d)
{
    long j = (long)i + d;

    if (j < (long)s || j >= (long)e)
        return 0;
    uint32_t c = doc->tok[j].cls;
    if (c & NER_C_ALLCAP)
        return 2;
    if (c & NER_C_INITCAP)
        return 1;
    return (c & NER_C_LOWER) ? 3 : 4;
}

static uint64_t
lower_at(const struct ner_doc *doc, size_t s, size_t e, long j)
{
    if (j < (long)s)
        return PAD_BEFORE;
    if (j >= (long)e)
        return PAD_AFTER;
    return doc->tok[j].lower;
}

static uint64_t
shape_at(const struct ner_doc *doc, size_t s, size_t e, long j)
{
    if (j < (long)s)
        return PAD_BEFORE;
    if (j >= (long)e)
        return PAD_AFTER;
    return doc->tok[j].shape;
}

/* The features of token i that do not depend on labels, for the sentence
 * [s, e). Returns how many were written to out. */
static size_t
static_feats(const struct ner_doc *doc, size_t s, size_t e, size_t i,
             uint64_t *out)
{
    const struct ner_tokinfo *t = &doc->tok[i];
    long j = (long)i;
    size_t n = 0;
    uint64_t lm1 = lower_at(doc, s, e, j - 1), lp1 = lower_at(doc, s, e, j + 1);
    uint64_t lm2 = lower_at(doc, s, e, j - 2), lp2 = lower_at(doc, s, e, j + 2);
    uint64_t sm1 = shape_at(doc, s, e, j - 1), sp1 = shape_at(doc, s, e, j + 1);

    out[n++] = feat(1, 0);
    out[n++] = feat(2, t->word);
    out[n++] = feat(3, t->lower);
    out[n++] = feat(4, t->shape);
    for (unsigned k = 0; k < 3; k++)
        out[n++] = feat(5 + k, t->pre[k]);
    for (unsigned k = 0; k < 4; k++)
        out[n++] = feat(8 + k, t->suf[k]);
    out[n++] = feat(12, lm1);
    out[n++] = feat(13, lp1);
    out[n++] = feat(14, lm2);
    out[n++] = feat(15, lp2);
    out[n++] = feat(16, pair(lm1, t->lower));
    out[n++] = feat(17, pair(t->lower, lp1));
    out[n++] = feat(18, sm1);
    out[n++] = feat(19, sp1);
    out[n++] = feat(20, pair(pair(sm1, t->shape), sp1));
    unsigned cp = 0;
    for (long d = -2; d <= 2; d++)
        cp = cp * 5 + case_code(doc, i, s, e, d);
    out[n++] = feat(21, cp);
    out[n++] = feat(22, pair(t->shape, (t->cls & NER_C_SSTART) != 0));
    uint32_t seen = doc->slots[t->slot].seen;
    out[n++] = feat(23, seen | (t->cls & 0x67u) << 8);
    if (t->cls & NER_C_SCAPS)
        out[n++] = feat(24, t->lower);
    out[n++] = feat(25, pair(lm2, lm1));
    out[n++] = feat(26, pair(lp1, lp2));
    out[n++] = feat(27, pair(doc->tok[i].suf[2], lp1));
    return n;
}

/* The features that depend on the labels chosen so far: the previous two,
 * and the labels this word received earlier in the document. */
static size_t
dynamic_feats(const struct ner_doc *doc, size_t i, int p1, int p2,
              uint64_t *out)
{
    const struct ner_tokinfo *t = &doc->tok[i];
    size_t n = 0;

    out[n++] = feat(40, (uint64_t)p1);
    out[n++] = feat(41, (uint64_t)(p2 * NER_NT + p1));
    out[n++] = feat(42, pair(t->lower, (uint64_t)p1));
    out[n++] = feat(43, pair(t->shape, (uint64_t)p1));
    if (!(t->cls & (NER_C_INITCAP | NER_C_ALLCAP)))
        return n;
    const uint16_t *h = doc->slots[t->slot].hist;
    unsigned best = 0, total = 0;
    for (unsigned k = 0; k <= NER_TYPES; k++) {
        total += h[k];
        if (h[k] > h[best])
            best = k;
    }
    if (total == 0)
        return n;
    out[n++] = feat(44, best);
    for (unsigned k = 1; k <= NER_TYPES; k++)
        if (h[k] > 0)
            out[n++] = feat(45, k * 4 + (h[k] * 3 >= total * 2) * 2 +
                                    (h[k] == total));
    return n;
}

/* Whether label c may follow label p, c being the sentence's last if
 * `last`: inside a mention only I or L of its type; outside, O, B or U. */
static inline bool
valid_next(int p, int c, bool last)
{
    int pp = ner_tag_part(p), cp = ner_tag_part(c);

    if (pp == NER_B || pp == NER_I) {
        if (ner_tag_type(c) != ner_tag_type(p))
            return false;
        return last ? cp == NER_L : (cp == NER_I || cp == NER_L);
    }
    if (c == 0 || cp == NER_U)
        return true;
    return cp == NER_B && !last;
}

static void
history_add(struct ner_doc *doc, size_t i, int tag)
{
    struct ner_tokinfo *t = &doc->tok[i];
    uint16_t *h = doc->slots[t->slot].hist;
    int k = ner_tag_type(tag) + 1;

    if ((t->cls & (NER_C_INITCAP | NER_C_ALLCAP)) && h[k] < UINT16_MAX)
        h[k]++;
}

static void
decode_sentence(struct ner_doc *doc, size_t s, size_t e,
                const struct ner_scorer *sc, unsigned char *tags)
{
    uint64_t feats[NER_MAX_FEATS];
    float scores[NER_NT];
    int p1 = 0, p2 = 0;

    for (size_t i = s; i < e; i++) {
        size_t nf = static_feats(doc, s, e, i, feats);
        nf += dynamic_feats(doc, i, p1, p2, feats + nf);
        sc->score(sc->ctx, feats, nf, scores);
        bool last = i + 1 == e;
        int best = -1;
        for (int c = 0; c < NER_NT; c++)
            if (valid_next(p1, c, last) &&
                (best < 0 || scores[c] > scores[best]))
                best = c;
        if (sc->observe != NULL)
            sc->observe(sc->ctx, i, feats, nf, best);
        tags[i] = (unsigned char)best;
        history_add(doc, i, best);
        p2 = p1;
        p1 = best;
    }
}

void
ner_decode(struct ner_doc *doc, const struct ner_scorer *scorer,
           unsigned char *tags)
{
    size_t s = 0;

    while (s < doc->n) {
        size_t e = s + 1;
        while (e < doc->n && !(doc->tok[e].cls & NER_C_SSTART))
            e++;
        decode_sentence(doc, s, e, scorer, tags);
        s = e;
    }
}
