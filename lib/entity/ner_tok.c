/*
 * ner_tok.c — raw text split the way CoNLL-2003 (Reuters) text is split.
 *
 * The tagger was trained on that tokenisation, and its context features
 * read punctuation, so raw text must be cut the same way: punctuation is a
 * token of its own ("Paris ," "( AP )"), "'s" and "n't" are split off,
 * while abbreviations ("U.S.", "Mr.", "Corp."), numbers ("3.5", "1,000")
 * and hyphenated words stay whole. Sentences end at . ! ? and at blank
 * lines. Tokens are byte spans into the caller's text; non-ASCII bytes are
 * word characters except typographic quotes, dashes and spaces.
 */
#include "ner_internal.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* Sentences longer than this are cut, to bound the work per sentence. */
#define MAX_SENTENCE 250

static px_status
push(struct ner_toks *t, size_t start, size_t end, bool sstart)
{
    if (t->n == t->cap) {
        size_t cap = t->cap ? 2 * t->cap : 256;
        size_t *s = realloc(t->start, cap * sizeof *s);
        if (s == NULL)
            return PX_NOMEM;
        t->start = s;
        size_t *e = realloc(t->end, cap * sizeof *e);
        if (e == NULL)
            return PX_NOMEM;
        t->end = e;
        unsigned char *f = realloc(t->flags, cap);
        if (f == NULL)
            return PX_NOMEM;
        t->flags = f;
        t->cap = cap;
    }
    t->start[t->n] = start;
    t->end[t->n] = end;
    t->flags[t->n] = sstart ? PX_NER_SENT_START : 0;
    t->n++;
    return PX_OK;
}

void
ner_toks_free(struct ner_toks *toks)
{
    free(toks->start);
    free(toks->end);
    free(toks->flags);
    memset(toks, 0, sizeof *toks);
}

/* Bytes of an apostrophe or single quote at p (' or U+2018/U+2019), 0 if
 * none. */
static size_t
apostrophe_len(const unsigned char *p, size_t left)
{
    if (*p == '\'')
        return 1;
    if (left >= 3 && p[0] == 0xE2 && p[1] == 0x80 &&
        (p[2] == 0x98 || p[2] == 0x99))
        return 3;
    return 0;
}

/* Bytes of white space at p (ASCII or a no-break space), 0 if none.
 * Markdown's emphasis, code and heading marks (* ` # |) count as space:
 * they are not words, and the training text has none. */
static size_t
space_len(const unsigned char *p, size_t left)
{
    if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == '\f' ||
        *p == '\v' || *p == '*' || *p == '`' || *p == '#' || *p == '|')
        return 1;
    if (left >= 2 && p[0] == 0xC2 && p[1] == 0xA0)
        return 2;
    return 0;
}

/* Bytes of a punctuation character at p that is always a token of its own
 * (quotes, brackets, dashes, ellipsis, typographic forms), 0 if none. */
static size_t
solo_punct_len(const unsigned char *p, size_t left)
{
    if (strchr("\"()[]{}<>;!?", *p) != NULL && *p != '\0')
        return 1;
    if (left >= 3 && p[0] == 0xE2 && p[1] == 0x80 &&
        (p[2] == 0x9C || p[2] == 0x9D || p[2] == 0x93 || p[2] == 0x94 || p[2] == 0xA6))
        return 3;
    if (left >= 2 && p[0] == 0xC2 && (p[1] == 0xAB || p[1] == 0xBB))
        return 2;
    return 0;
}

static bool
is_alnum(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || c >= 0x80;
}

/* Whether w[0, len) followed by '.' is an abbreviation that keeps its dot:
 * an initial ("J."), dotted letters ("U.S"), or a common title or suffix. */
static bool
keeps_dot(const char *w, size_t len)
{
    static const char *const abbr[] = {
        "Mr", "Mrs", "Ms", "Dr", "St", "Jr", "Sr", "Inc", "Corp", "Ltd",
        "Co", "Bros", "Gen", "Sen", "Rep", "Gov", "Lt", "Col", "Capt",
        "Sgt", "Prof", "Rev", "Mt", "Ft", "Jan", "Feb", "Mar", "Apr", "Aug",
        "Sept", "Sep", "Oct", "Nov", "Dec", "No", "vs", "etc", "Adm", "Maj",
        "Cmdr", "Hon", "Messrs", "Pres", "Supt", "Dept", "Univ", "Ave",
    };

    if (len == 1 && w[0] >= 'A' && w[0] <= 'Z')
        return true;
    if (len >= 2 && memchr(w, '.', len) != NULL)
        return true;
    for (size_t k = 0; k < sizeof abbr / sizeof abbr[0]; k++)
        if (strlen(abbr[k]) == len && memcmp(abbr[k], w, len) == 0)
            return true;
    return false;
}

/* Length of the trailing clitic of word [s, e) to split off ("'s", "'",
 * "n't", "'re", ...), 0 if none. */
static size_t
clitic_len(const unsigned char *s, size_t len)
{
    static const char *const tails[] = {"n't", "'s", "'S", "'re", "'ve",
                                        "'ll", "'d", "'m"};

    for (size_t k = 0; k < sizeof tails / sizeof tails[0]; k++) {
        size_t l = strlen(tails[k]);
        if (len > l && memcmp(s + len - l, tails[k], l) == 0)
            return l;
    }
    if (len > 4 && memcmp(s + len - 4, "\xe2\x80\x99s", 4) == 0)
        return 4;
    if (len > 2 && s[len - 1] == '\'' && s[len - 2] == 's')
        return 1;
    return 0;
}

struct splitter {
    const unsigned char *text;
    struct ner_toks *out;
    bool sstart;
    size_t in_sentence;
};

static px_status
emit(struct splitter *sp, size_t start, size_t end)
{
    if (sp->in_sentence >= MAX_SENTENCE)
        sp->sstart = true;
    px_status rc = push(sp->out, start, end, sp->sstart);
    sp->in_sentence = sp->sstart ? 1 : sp->in_sentence + 1;
    sp->sstart = false;
    const unsigned char *p = sp->text + start;
    size_t len = end - start;
    if (len == 1 && (*p == '.' || *p == '!' || *p == '?'))
        sp->sstart = true;
    return rc;
}

/* Split the core of a chunk, [s, e) with no leading or trailing solo
 * punctuation, into word, trailing dots or commas, and clitics. */
static px_status
split_core(struct splitter *sp, size_t s, size_t e)
{
    const unsigned char *t = sp->text;
    size_t tail_start = e;
    px_status rc = PX_OK;

    /* Trailing ',' ':' and a sentence-final '.' are tokens of their own. */
    while (tail_start > s && (t[tail_start - 1] == ',' ||
                              t[tail_start - 1] == ':' ||
                              t[tail_start - 1] == '.'))
        tail_start--;
    size_t word_end = tail_start;
    if (word_end < e && t[word_end] == '.' && word_end > s &&
        keeps_dot((const char *)t + s, word_end - s))
        word_end++;
    if (word_end > s) {
        size_t cl = clitic_len(t + s, word_end - s);
        if (cl > 0 && word_end - cl > s && is_alnum(t[word_end - cl - 1])) {
            rc = emit(sp, s, word_end - cl);
            if (rc == PX_OK)
                rc = emit(sp, word_end - cl, word_end);
        } else if (word_end - s > 1 &&
                   apostrophe_len(t + word_end - 1, 1) == 1) {
            rc = emit(sp, s, word_end - 1);
            if (rc == PX_OK)
                rc = emit(sp, word_end - 1, word_end);
        } else if (word_end - s > 3 &&
                   apostrophe_len(t + word_end - 3, 3) == 3) {
            rc = emit(sp, s, word_end - 3);
            if (rc == PX_OK)
                rc = emit(sp, word_end - 3, word_end);
        } else {
            rc = emit(sp, s, word_end);
        }
    }
    if (rc == PX_OK && word_end < e && e - word_end >= 3 &&
        memcmp(t + word_end, "...", 3) == 0)
        return emit(sp, word_end, e);
    for (size_t k = word_end; rc == PX_OK && k < e; k++)
        rc = emit(sp, k, k + 1);
    return rc;
}

/* Split one run of non-space bytes [s, e). */
static px_status
split_chunk(struct splitter *sp, size_t s, size_t e)
{
    const unsigned char *t = sp->text;
    px_status rc = PX_OK;
    size_t k = s, core = s;

    while (k < e && rc == PX_OK) {
        size_t pl = solo_punct_len(t + k, e - k);
        /* A quote opening a word is a token, but not the "'s" of a
         * possessive written apart. */
        if (pl == 0 && k == core) {
            pl = apostrophe_len(t + k, e - k);
            if (pl > 0 && k + pl < e && (t[k + pl] == 's' || t[k + pl] == 'S')
                && (k + pl + 1 == e || !is_alnum(t[k + pl + 1])))
                pl = 0;
        }
        if (pl == 0) {
            k++;
            continue;
        }
        if (k > core)
            rc = split_core(sp, core, k);
        if (rc == PX_OK)
            rc = emit(sp, k, k + pl);
        k += pl;
        core = k;
    }
    if (rc == PX_OK && core < e)
        rc = split_core(sp, core, e);
    return rc;
}

px_status
ner_tok_split(const char *text, size_t len, struct ner_toks *out)
{
    struct splitter sp = {(const unsigned char *)text, out, true, 0};
    const unsigned char *t = sp.text;
    size_t i = 0;
    px_status rc = PX_OK;

    while (i < len && rc == PX_OK) {
        size_t newlines = 0, sl;
        while (i < len && (sl = space_len(t + i, len - i)) > 0) {
            newlines += t[i] == '\n';
            i += sl;
        }
        if (newlines >= 2)
            sp.sstart = true;
        size_t s = i;
        while (i < len && space_len(t + i, len - i) == 0)
            i++;
        if (i > s)
            rc = split_chunk(&sp, s, i);
    }
    if (rc != PX_OK)
        ner_toks_free(out);
    return rc;
}
