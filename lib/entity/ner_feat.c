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
 * labelled it earlier: their "extended prediction history"), and their
 * knowledge from outside the training text (ner_lex.c): whether a run of
 * words is a place name in a gazetteer, how a dictionary writes the word,
 * and the prefixes of its Brown cluster path, for it and its neighbours.
 */
#include "ner_internal.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* Hashes standing for the words before a sentence's start and after its
 * end, so that context features stay inside the sentence. */
#define PAD_BEFORE 0x5bf03635f0b1ea77ull
#define PAD_AFTER 0x9c6ea5c1d2e8b7a3ull

static inline uint64_t
feat(unsigned tpl, uint64_t v)
{
    return ner_mix(v + (uint64_t)tpl * 0x9e3779b97f4a7c15ull);
}

static inline uint64_t
pair(uint64_t a, uint64_t b)
{
    return ner_mix(a) ^ (b * 0x2545f4914f6cdd1dull);
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

/* Whether s[0, len) is a lower-case word that may stand inside a name:
 * "Bank of England", "Meet the Fockers", "Viana do Castelo". */
static bool
name_joiner(const char *s, size_t len)
{
    static const char *const list[] = {
        "of", "the", "and", "for", "de", "del", "della", "di", "da", "do",
        "dos", "das", "du", "des", "la", "le", "les", "van", "von", "der",
        "den", "ter", "bin", "ibn", "al", "el", "y", "e", "upon", "on",
        "in", "at", "to", "with", "a", "an", "und", "et", "zu", "or",
    };
    if (len == 0 || len > 5)
        return false;
    for (size_t k = 0; k < sizeof list / sizeof list[0]; k++)
        if (list[k][0] == s[0] && strlen(list[k]) == len &&
            memcmp(list[k], s, len) == 0)
            return true;
    return false;
}

/* Whether s[0, len) is only . ! ? or ; (a sentence's punctuation). */
static bool
sentence_punct(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (s[i] != '.' && s[i] != '!' && s[i] != '?' && s[i] != ';')
            return false;
    return len > 0;
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
    if (sentence_punct(s, len))
        cls |= NER_C_PUNCT;
    if (lower && !upper && name_joiner(s, len))
        cls |= NER_C_JOIN;
    if (lower && !upper)
        cls |= NER_C_LOWER;
    return cls;
}

/* Hash one word: exact, lower-cased, collapsed shape, prefixes of 2-4 and
 * suffixes of 1-4 bytes of the lower-cased form. */
static void
tokinfo_fill(struct ner_tokinfo *t, const char *s, size_t len)
{
    uint64_t w = NER_FNV_OFFSET, lo = NER_FNV_OFFSET, sh = NER_FNV_OFFSET;
    char last = 0;

    if (len > 64)
        len = 64;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        w = (w ^ c) * NER_FNV_PRIME;
        lo = (lo ^ (unsigned char)lower_byte(c)) * NER_FNV_PRIME;
        char k = latin1_upper(s, i, len) ? 'X' : shape_byte(c);
        if (k != 0 && k != last)
            sh = (sh ^ (unsigned char)k) * NER_FNV_PRIME;
        if (k != 0)
            last = k;
        if (i >= 1 && i <= 3)
            t->pre[i - 1] = lo;
    }
    for (size_t k = len + 1; k <= 4; k++)
        if (k >= 2)
            t->pre[k - 2] = lo;
    for (size_t k = 1; k <= 4; k++)
        t->suf[k - 1] =
            ner_hash_lower(s + (len > k ? len - k : 0), len > k ? k : len);
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
    size_t i = (size_t)ner_mix(key) & mask;

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

/* The word's dictionary facts and cluster path; a word the clusters do
 * not know as written takes the path of its most frequent spelling. */
static void
lookup_word(struct ner_tokinfo *t, const struct ner_word *w,
            const struct ner_lex *lex)
{
    uint32_t v = ner_table_get(&lex->words, t->lower);
    uint32_t c = 0;

    t->lex = (uint8_t)(v & 7u);
    c = ner_table_get(&lex->clusters,
                          ner_hash_cluster_word(w->s, w->len));
    if (c == 0)
        c = v >> NER_LEX_CLUSTER_SHIFT;
    t->cluster = c == 0 ? 0 : (c >> 20) << 24 | (c & 0xFFFFFu);
}

/* The longest place name that opens at token i without crossing the
 * sentence's end e: its length (0 if none) and kinds. */
static size_t
longest_place(const struct ner_doc *doc, const struct ner_lex *lex, size_t i,
              size_t e, uint64_t *kinds)
{
    uint32_t v = ner_table_get(&lex->words, doc->tok[i].lower);
    size_t most = (size_t)(v >> NER_LEX_LEN_SHIFT) & 0xF, found = 0;
    uint64_t h = NER_SEQ_SEED;

    for (size_t k = 0; k < most && i + k < e; k++) {
        h = ner_seq_next(h, doc->tok[i + k].lower);
        uint32_t bits = ner_table_get(&lex->phrases, h) & NER_GAZ_ANY;
        if (bits != 0) {
            found = k + 1;
            *kinds = bits;
        }
    }
    return found;
}

/* Mark the place names of sentence [s, e), longest first, left to right,
 * with their BILOU part for each list that has them. */
static void
mark_places(struct ner_doc *doc, const struct ner_lex *lex, size_t s,
            size_t e)
{
    for (size_t i = s; i < e;) {
        uint64_t kinds = 0;
        size_t len = longest_place(doc, lex, i, e, &kinds);
        if (len == 0) {
            i++;
            continue;
        }
        for (size_t j = 0; j < len; j++) {
            unsigned part = len == 1 ? NER_U : j == 0 ? NER_B
                            : j + 1 == len ? NER_L : NER_I;
            for (unsigned k = 0; k < NER_GAZ_KINDS; k++)
                if (kinds >> k & 1)
                    doc->tok[i + j].gaz |= (uint16_t)((1 + part) << (3 * k));
        }
        i += len;
    }
}

static void
mark_lexicon(struct ner_doc *doc, const struct ner_word *words)
{
    const struct ner_lex *lex = doc->lex ? doc->lex : ner_lex_default();
    size_t s = 0;

    for (size_t i = 0; i < doc->n; i++)
        lookup_word(&doc->tok[i], &words[i], lex);
    while (s < doc->n) {
        size_t e = s + 1;
        while (e < doc->n && !(doc->tok[e].cls & NER_C_SSTART))
            e++;
        mark_places(doc, lex, s, e);
        s = e;
    }
}

static void
add_context(uint64_t *set, uint64_t h)
{
    for (unsigned k = 0; k < NER_CONTEXTS; k++) {
        if (set[k] == h)
            return;
        if (set[k] == 0) {
            set[k] = h;
            return;
        }
    }
}

/* Remember the words around occurrence i of a capitalised word (inside
 * its sentence). */
static void
note_context(const struct ner_doc *doc, struct ner_slot *sl, size_t i)
{
    if (!(doc->tok[i].cls & NER_C_SSTART))
        add_context(sl->before, doc->tok[i - 1].lower | 1);
    if (i + 1 < doc->n && !(doc->tok[i + 1].cls & NER_C_SSTART))
        add_context(sl->after, doc->tok[i + 1].lower | 1);
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
        memset(t, 0, sizeof *t);
        /* Reuters, whose text the tagger learnt from, writes "U.S.";
         * most sites write "US". */
        if (words[i].len == 2 && memcmp(words[i].s, "US", 2) == 0)
            tokinfo_fill(t, "U.S.", 4);
        else
            tokinfo_fill(t, words[i].s, words[i].len);
        if (i == 0 || (sflags != NULL && (sflags[i] & PX_NER_SENT_START)))
            t->cls |= NER_C_SSTART;
    }
    mark_caps_sentences(doc);
    mark_lexicon(doc, words);
    for (size_t i = 0; i < n; i++) {
        struct ner_tokinfo *t = &doc->tok[i];
        t->slot = slot_find(doc, t->lower);
        struct ner_slot *sl = &doc->slots[t->slot];
        if (t->cls & NER_C_SCAPS)
            continue;
        if (t->cls & (NER_C_INITCAP | NER_C_ALLCAP))
            note_context(doc, sl, i);
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

/* Which place lists match token j (3 bits), 0 outside the sentence. */
static unsigned
gaz_kinds(const struct ner_doc *doc, size_t s, size_t e, long j)
{
    if (j < (long)s || j >= (long)e)
        return 0;
    unsigned g = doc->tok[j].gaz, kinds = 0;
    for (unsigned k = 0; k < NER_GAZ_KINDS; k++)
        if (g >> (3 * k) & 7)
            kinds |= 1u << k;
    return kinds;
}

static unsigned
lex_at(const struct ner_doc *doc, size_t s, size_t e, long j)
{
    if (j < (long)s || j >= (long)e)
        return 8;
    return doc->tok[j].lex & 7u;
}

/* Prefix of p bits of token j's cluster path, with the length used. */
static uint64_t
cluster_prefix(const struct ner_doc *doc, size_t s, size_t e, long j,
               unsigned p)
{
    if (j < (long)s || j >= (long)e || doc->tok[j].cluster == 0)
        return 0xFFFFFFFFu;
    uint32_t c = doc->tok[j].cluster, len = c >> 24, path = c & 0xFFFFFFu;
    if (len > p)
        return (uint64_t)(path >> (len - p)) | (uint64_t)p << 24;
    return (uint64_t)path | (uint64_t)len << 24;
}

/* Gazetteers, dictionary and clusters (see ner_lex.c) for token i. */
static size_t
lexicon_feats(const struct ner_doc *doc, size_t s, size_t e, size_t i,
              uint64_t *out)
{
    static const unsigned prefixes[4] = {4, 6, 10, 20};
    const struct ner_tokinfo *t = &doc->tok[i];
    long j = (long)i;
    unsigned cc = case_code(doc, i, s, e, 0);
    size_t n = 0;

    for (unsigned k = 0; k < NER_GAZ_KINDS; k++)
        if (t->gaz >> (3 * k) & 7)
            out[n++] = feat(50 + k, t->gaz >> (3 * k) & 7);
    unsigned kinds = gaz_kinds(doc, s, e, j);
    if (kinds != 0)
        out[n++] = feat(53, kinds * 8 + cc);
    out[n++] = feat(54, gaz_kinds(doc, s, e, j - 1) * 8 +
                            gaz_kinds(doc, s, e, j + 1));
    out[n++] = feat(55, (t->lex & 7u) | cc << 3 |
                            ((t->cls & NER_C_SSTART) != 0) << 6);
    out[n++] = feat(56, lex_at(doc, s, e, j + 1) |
                            case_code(doc, i, s, e, 1) << 4);
    out[n++] = feat(57, lex_at(doc, s, e, j - 1) |
                            case_code(doc, i, s, e, -1) << 4);
    for (unsigned k = 0; k < 4; k++)
        out[n++] = feat(58 + k, cluster_prefix(doc, s, e, j, prefixes[k]));
    out[n++] = feat(62, cluster_prefix(doc, s, e, j - 1, 4));
    out[n++] = feat(63, cluster_prefix(doc, s, e, j + 1, 4));
    out[n++] = feat(64, cluster_prefix(doc, s, e, j - 1, 10));
    out[n++] = feat(65, cluster_prefix(doc, s, e, j + 1, 10));
    return n;
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
    const struct ner_slot *sl = &doc->slots[t->slot];
    out[n++] = feat(23, sl->seen | (t->cls & 0x67u) << 8);
    /* What surrounds the word at its other capitalised occurrences. */
    for (unsigned k = 0; (t->cls & (NER_C_INITCAP | NER_C_ALLCAP)) &&
                         k < NER_CONTEXTS; k++) {
        if (sl->before[k] != 0 && sl->before[k] != (lm1 | 1))
            out[n++] = feat(70, sl->before[k]);
        if (sl->after[k] != 0 && sl->after[k] != (lp1 | 1))
            out[n++] = feat(71, sl->after[k]);
    }
    if (t->cls & NER_C_SCAPS)
        out[n++] = feat(24, t->lower);
    out[n++] = feat(25, pair(lm2, lm1));
    out[n++] = feat(26, pair(lp1, lp2));
    out[n++] = feat(27, pair(doc->tok[i].suf[2], lp1));
    n += lexicon_feats(doc, s, e, i, out + n);
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

/* Whether c, outside any mention or opening one, may follow an open
 * mention p by closing p at the word before (see decode_sentence). */
static inline bool
closes(int p, int c, bool last)
{
    int pp = ner_tag_part(p), cp = ner_tag_part(c);

    if (pp != NER_B && pp != NER_I)
        return false;
    return c == 0 || cp == NER_U || (cp == NER_B && !last);
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
        /* Sentence punctuation is never part of a name, nor is a word
         * the dictionary writes in lower case (but for a joiner) part of
         * one that opened with a capital: "Procuracy arrived". */
        const struct ner_tokinfo *t = &doc->tok[i];
        int only = (t->cls & NER_C_PUNCT) ? 1 : NER_NT;
        int open = ner_tag_part(p1) == NER_B || ner_tag_part(p1) == NER_I;
        if (open && (t->cls & NER_C_LOWER) && !(t->cls & NER_C_JOIN) &&
            (t->lex & NER_LEX_LOWER) &&
            (doc->tok[i - 1].cls & (NER_C_INITCAP | NER_C_ALLCAP)))
            only = 1;
        for (int c = 0; c < only; c++)
            if ((valid_next(p1, c, last) || closes(p1, c, last)) &&
                (best < 0 || scores[c] > scores[best]))
                best = c;
        /* A mention left open when the word is best outside one (or
         * opens another) ends at the word before: greedy decoding never
         * drags "Castelo" on into "Castelo for the occasion." */
        if (!valid_next(p1, best, last)) {
            int part = ner_tag_part(p1) == NER_B ? NER_U : NER_L;
            tags[i - 1] = (unsigned char)ner_tag(ner_tag_type(p1), part);
            p1 = tags[i - 1];
        }
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
