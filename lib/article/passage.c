/*
 * passage.c — article blocks to passages: long blocks split at sentence
 * boundaries, short ones merged with a neighbour.
 *
 * Work is linear in the article's size. Each block is cut into pieces of
 * at most max_len bytes, looking at no more than max_len bytes per cut;
 * each piece is appended to one arena of passage texts, and a merge only
 * ever joins the last two passages, which sit at the arena's tail.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "passim/passage.h"

struct px_passages {
    px_passage *items;
    size_t count;
    size_t cap;
    char *text; /* passage texts in order, each NUL-terminated */
    size_t text_len;
    size_t text_cap;
};

/* A run of a block's text: [off, off + len) of b->text. */
typedef struct piece {
    const px_block *b;
    size_t off;
    size_t len;
} piece_t;

/* Words that end in a period without ending the sentence ("Mr. Smith",
 * "Jan. 5"). Company suffixes such as "Inc." are left out on purpose: they
 * end sentences more often than not. */
static const char *const abbrevs[] = {
    "Mr",   "Mrs",  "Ms",   "Messrs", "Mme",  "Mlle", "Dr",   "Prof",
    "St",   "Sr",   "Jr",   "Mt",     "Ft",   "Gen",  "Col",  "Lt",
    "Maj",  "Sgt",  "Capt", "Cmdr",   "Adm",  "Rev",  "Hon",  "Rt",
    "Gov",  "Sen",  "Rep",  "Pres",   "Supt", "Det",  "Insp", "No",
    "Nos",  "Vol",  "vol",  "pp",     "Fig",  "fig",  "vs",   "cf",
    "approx", "Jan", "Feb", "Mar",    "Apr",  "Jun",  "Jul",  "Aug",
    "Sep",  "Sept", "Oct",  "Nov",    "Dec",  "Ave",  "Blvd", "Rd",
};

static int
space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
           c == '\v';
}

static int
alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Whether the '.' at t[i] ends an abbreviation or an initial rather than
 * a sentence: a known word, a single letter ("J. Smith"), or a word with
 * inner periods ("U.S.", "e.g."). */
static int
abbreviation(const char *t, size_t i)
{
    size_t w = i;
    int dotted = 0;
    while (w > 0 && i - w < 16 && (alpha(t[w - 1]) || t[w - 1] == '.')) {
        dotted |= t[w - 1] == '.';
        w--;
    }
    if (w == i || (w > 0 && (alpha(t[w - 1]) || (t[w - 1] >= '0' && t[w - 1] <= '9'))))
        return 0;
    if (i - w == 1 || dotted)
        return 1;
    for (size_t k = 0; k < sizeof abbrevs / sizeof abbrevs[0]; k++)
        if (strncmp(abbrevs[k], t + w, i - w) == 0 && abbrevs[k][i - w] == '\0')
            return 1;
    return 0;
}

/* Bytes of a closing quote or bracket at t[0, n), or 0. */
static size_t
closer(const char *t, size_t n)
{
    if (n >= 1 && (t[0] == '"' || t[0] == '\'' || t[0] == ')' || t[0] == ']'))
        return 1;
    if (n >= 3 && memcmp(t, "\xE2\x80", 2) == 0 &&
        (t[2] == '\x99' || t[2] == '\x9D'))
        return 3; /* ’ ” */
    if (n >= 2 && memcmp(t, "\xC2\xBB", 2) == 0)
        return 2; /* » */
    return 0;
}

/* Whether t[0, n) can start a sentence: an upper-case letter (ASCII,
 * Latin-1 or Cyrillic), a digit, or an opening quote or bracket. */
static int
starter(const char *t, size_t n)
{
    unsigned char c = (unsigned char)t[0];
    unsigned char c1 = n >= 2 ? (unsigned char)t[1] : 0;
    if ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '"' ||
        c == '\'' || c == '(' || c == '[')
        return 1;
    if (c == 0xC3)
        return c1 >= 0x80 && c1 <= 0x9E && c1 != 0x97;
    if (c == 0xD0)
        return c1 >= 0x80 && c1 <= 0xAF;
    if (c == 0xC2)
        return c1 == 0xAB; /* « */
    return n >= 3 && c == 0xE2 && c1 == 0x80 &&
           (t[2] == '\x98' || t[2] == '\x9C'); /* ‘ “ */
}

/* If the '.', '!' or '?' at t[i] ends a sentence, the offset just after it
 * and any closing quotes; else 0. */
static size_t
sentence_end(const char *t, size_t i, size_t end)
{
    size_t j = i + 1;
    size_t k;
    while (j < end && (t[j] == '.' || t[j] == '!' || t[j] == '?'))
        j++;
    while (j < end && (k = closer(t + j, end - j)) > 0)
        j += k;
    if (j >= end || !space(t[j]))
        return 0;
    for (k = j; k < end && space(t[k]); k++)
        ;
    if (k >= end || !starter(t + k, end - k))
        return 0;
    if (t[i] == '.' && j == i + 1 && abbreviation(t, i))
        return 0;
    return j;
}

static int
continuation(char c)
{
    return ((unsigned char)c & 0xC0) == 0x80;
}

/* Where to end the piece starting at pos, when [pos, end) is longer than
 * max: the sentence end nearest an even share of what is left, else the
 * last space within max bytes, else max bytes back to a character start. */
static size_t
choose_cut(const char *t, size_t pos, size_t end, size_t max)
{
    size_t left = end - pos;
    size_t target = pos + left / ((left + max - 1) / max);
    size_t limit = pos + max;
    size_t best = 0;
    for (size_t i = pos; i < limit; i++) {
        if (t[i] != '.' && t[i] != '!' && t[i] != '?')
            continue;
        size_t b = sentence_end(t, i, end);
        if (b == 0 || b > limit)
            continue;
        if (best == 0 || (b > target ? b - target : target - b) <
                             (best > target ? best - target : target - best))
            best = b;
        if (b > target)
            break;
    }
    if (best > pos)
        return best;
    for (size_t i = limit; i > pos; i--)
        if (space(t[i]))
            return i;
    while (limit > pos + 1 && continuation(t[limit]))
        limit--;
    while (limit < end && continuation(t[limit]))
        limit++; /* max is under one character: overshoot, do not split it */
    return limit;
}

/* The passage list. */

static px_status
reserve(px_passages *p, size_t extra)
{
    if (p->text_cap - p->text_len < extra) {
        size_t cap = p->text_cap > 0 ? p->text_cap : 4096;
        while (cap - p->text_len < extra) {
            if (cap > SIZE_MAX / 2)
                return PX_NOMEM;
            cap *= 2;
        }
        char *text = realloc(p->text, cap);
        if (text == NULL)
            return PX_NOMEM;
        p->text = text, p->text_cap = cap;
    }
    if (p->count == p->cap) {
        size_t cap = p->cap > 0 ? p->cap * 2 : 32;
        px_passage *items = realloc(p->items, cap * sizeof *items);
        if (items == NULL)
            return PX_NOMEM;
        p->items = items, p->cap = cap;
    }
    return PX_OK;
}

/* Add a piece as a new passage at the tail. */
static px_status
push(px_passages *p, const piece_t *pc)
{
    px_status rc = reserve(p, pc->len + 1);
    if (rc != PX_OK)
        return rc;
    const px_block *b = pc->b;
    memcpy(p->text + p->text_len, b->text + pc->off, pc->len);
    p->text_len += pc->len;
    p->text[p->text_len++] = '\0';
    px_passage *ps = &p->items[p->count++];
    *ps = (px_passage){.len = pc->len, .exact = b->exact,
                         .quoted = b->quoted,
                         .file_start = b->file_start, .file_end = b->file_end,
                         .page = b->page};
    if (b->exact) {
        ps->file_start = b->file_start + pc->off;
        ps->file_end = ps->file_start + pc->len;
    }
    return PX_OK;
}

/* Join the last two passages into one, separated by a blank line. */
static px_status
join_last(px_passages *p)
{
    px_status rc = reserve(p, 1);
    if (rc != PX_OK)
        return rc;
    px_passage *a = &p->items[p->count - 2];
    const px_passage *b = &p->items[p->count - 1];
    size_t b_off = p->text_len - b->len - 1;
    memmove(p->text + b_off + 1, p->text + b_off, b->len + 1);
    p->text[b_off - 1] = '\n';
    p->text[b_off] = '\n';
    p->text_len++;
    a->len += 2 + b->len;
    a->file_start = a->file_start < b->file_start ? a->file_start : b->file_start;
    a->file_end = a->file_end > b->file_end ? a->file_end : b->file_end;
    a->exact = 0;
    p->count--;
    return PX_OK;
}

/* Whether passage i can take n more bytes of a piece quoted or not as
 * `quoted`, on page `page`: the quote of a post and its own words are
 * never one passage, nor are two pages of a PDF. */
static int
fits(const px_passages *p, size_t i, size_t n, int quoted,
     unsigned page, const px_passage_opts *o)
{
    return p->items[i].len + 2 + n <= o->max_len &&
           p->items[i].quoted == quoted && p->items[i].page == page;
}

/* Add a piece: a short last passage takes it in if the two fit; failing
 * that, the short passage joins the one before it if they fit. */
static px_status
add_piece(px_passages *p, const piece_t *pc, const px_passage_opts *o)
{
    px_status rc = PX_OK;
    size_t last = p->count - 1;
    int absorb = p->count > 0 && p->items[last].len < o->min_len &&
                 fits(p, last, pc->len, pc->b->quoted, pc->b->page, o);
    if (p->count >= 2 && !absorb && p->items[last].len < o->min_len &&
        fits(p, last - 1, p->items[last].len, p->items[last].quoted,
             p->items[last].page, o))
        rc = join_last(p);
    if (rc == PX_OK)
        rc = push(p, pc);
    if (rc == PX_OK && absorb)
        rc = join_last(p);
    return rc;
}

/* Cut one block into pieces of at most max bytes and add them. */
static px_status
split_block(px_passages *p, const px_block *b, const px_passage_opts *o)
{
    const char *t = b->text;
    size_t pos = 0;
    size_t end = b->len;
    px_status rc = PX_OK;
    while (end > 0 && space(t[end - 1]))
        end--;
    while (pos < end && space(t[pos]))
        pos++;
    while (rc == PX_OK && pos < end) {
        size_t cut = end - pos > o->max_len ? choose_cut(t, pos, end, o->max_len)
                                            : end;
        size_t e = cut;
        while (e > pos && space(t[e - 1]))
            e--;
        piece_t pc = {.b = b, .off = pos, .len = e - pos};
        if (pc.len > 0)
            rc = add_piece(p, &pc, o);
        for (pos = cut; pos < end && space(t[pos]); pos++)
            ;
    }
    return rc;
}

px_status
px_passage_split(const px_article *a, const px_passage_opts *opts,
                 px_passages **out)
{
    px_passage_opts o = {PX_PASSAGE_MIN_LEN, PX_PASSAGE_MAX_LEN};
    px_status rc = PX_OK;
    if (out != NULL)
        *out = NULL;
    if (out == NULL || a == NULL)
        return PX_INVALID_ARGUMENT;
    if (opts != NULL)
        o = *opts;
    if (o.max_len == 0)
        o.max_len = PX_PASSAGE_MAX_LEN;
    px_passages *p = calloc(1, sizeof *p);
    if (p == NULL)
        return PX_NOMEM;
    size_t n = px_article_block_count(a);
    for (size_t i = 0; i < n && rc == PX_OK; i++)
        rc = split_block(p, px_article_block(a, i), &o);
    if (rc == PX_OK && p->count >= 2 && p->items[p->count - 1].len < o.min_len &&
        fits(p, p->count - 2, p->items[p->count - 1].len,
             p->items[p->count - 1].quoted, p->items[p->count - 1].page,
             &o))
        rc = join_last(p);
    if (rc != PX_OK) {
        px_passages_destroy(p);
        return rc;
    }
    for (size_t i = 0, off = 0; i < p->count; i++) {
        p->items[i].text = p->text + off;
        off += p->items[i].len + 1;
    }
    *out = p;
    return PX_OK;
}

size_t
px_passages_count(const px_passages *p)
{
    return p != NULL ? p->count : 0;
}

const px_passage *
px_passages_get(const px_passages *p, size_t i)
{
    return p != NULL && i < p->count ? &p->items[i] : NULL;
}

void
px_passages_destroy(px_passages *p)
{
    if (p == NULL)
        return;
    free(p->items);
    free(p->text);
    free(p);
}
