/*
 * htmltame.c — keep gumbo's work linear on hostile HTML.
 *
 * gumbo 0.10 follows the HTML5 tree construction algorithm, whose scope
 * checks, Noah's-ark clause and adoption agency walk the stack of open
 * elements or the list of active formatting elements at every tag: 200,000
 * nested <div>s (1 MB) cost 397 s, and 20,000 repeats of
 * `<a><b><div>x</a>` 5 s. Browsers cap the depth of the tree they build
 * (Chrome at 512); gumbo has no such option. So the markup is scanned once
 * first, the stack of open elements simulated roughly as gumbo would build
 * it (implied ends of <p>, <li>, table cells; misnested formatting end tags
 * leaving the blocks inside them open, as the adoption agency does), and a
 * page whose simulated depth passes HTML_TAME_DEPTH, or that misnests
 * formatting elements often, is rewritten before gumbo sees it:
 *
 *   balanced: every element is closed explicitly and in order, end tags
 *   that close nothing are dropped, and a start tag that would nest deeper
 *   than the cap is dropped (its text stays) or, for a block, closes the
 *   deepest element and takes its place, so that paragraphs stay apart;
 *   gumbo's stack never grows past the cap and it never runs the adoption
 *   agency;
 *   flat: text and paragraph breaks only (the title, metas and <time>s
 *   kept), for a page that still took too long (html.c's deadline).
 *
 * Text is copied byte for byte, so an offset map takes any position in the
 * rewritten text back to the input. The scan is linear: a tag is looked up
 * on the stack only when a per-tag count says it is there, and the scan
 * never walks more than the cap.
 */
#include <gumbo.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "article-internal.h"
#include "passim/grow.h"

enum {
    F_VOID = 1 << 0,       /* no content, never pushed */
    F_FORMATTING = 1 << 1, /* on the list of active formatting elements */
    F_SPECIAL = 1 << 2,    /* "special" in the HTML5 sense */
    F_SCOPE = 1 << 3,      /* bounds an element scope */
    F_CLOSES_P = 1 << 4,   /* its start tag closes an open <p> */
    F_RAW = 1 << 5,        /* raw text or RCDATA content */
    F_ROOT = 1 << 6,       /* html, head, body: gumbo merges them */
    F_BLOCK = 1 << 7,      /* a paragraph break in flat output */
};

static const unsigned char flags_of_tag[GUMBO_TAG_LAST + 1] = {
    [GUMBO_TAG_HTML] = F_ROOT | F_SPECIAL | F_SCOPE,
    [GUMBO_TAG_HEAD] = F_ROOT | F_SPECIAL,
    [GUMBO_TAG_BODY] = F_ROOT | F_SPECIAL,
    [GUMBO_TAG_FRAMESET] = F_ROOT | F_SPECIAL,
    [GUMBO_TAG_TITLE] = F_RAW | F_SPECIAL,
    [GUMBO_TAG_TEXTAREA] = F_RAW | F_SPECIAL,
    [GUMBO_TAG_SCRIPT] = F_RAW | F_SPECIAL,
    [GUMBO_TAG_STYLE] = F_RAW | F_SPECIAL,
    [GUMBO_TAG_XMP] = F_RAW | F_SPECIAL | F_CLOSES_P | F_BLOCK,
    [GUMBO_TAG_IFRAME] = F_RAW | F_SPECIAL,
    [GUMBO_TAG_NOEMBED] = F_RAW | F_SPECIAL,
    [GUMBO_TAG_NOFRAMES] = F_RAW | F_SPECIAL,
    [GUMBO_TAG_NOSCRIPT] = F_RAW | F_SPECIAL,
    [GUMBO_TAG_PLAINTEXT] = F_RAW | F_SPECIAL | F_CLOSES_P | F_BLOCK,
    [GUMBO_TAG_AREA] = F_VOID | F_SPECIAL,
    [GUMBO_TAG_BASE] = F_VOID | F_SPECIAL,
    [GUMBO_TAG_BASEFONT] = F_VOID | F_SPECIAL,
    [GUMBO_TAG_BGSOUND] = F_VOID | F_SPECIAL,
    [GUMBO_TAG_BR] = F_VOID | F_SPECIAL,
    [GUMBO_TAG_COL] = F_VOID | F_SPECIAL,
    [GUMBO_TAG_EMBED] = F_VOID | F_SPECIAL,
    [GUMBO_TAG_FRAME] = F_VOID | F_SPECIAL,
    [GUMBO_TAG_HR] = F_VOID | F_SPECIAL | F_CLOSES_P | F_BLOCK,
    [GUMBO_TAG_IMAGE] = F_VOID,
    [GUMBO_TAG_IMG] = F_VOID | F_SPECIAL,
    [GUMBO_TAG_INPUT] = F_VOID | F_SPECIAL,
    [GUMBO_TAG_KEYGEN] = F_VOID | F_SPECIAL,
    [GUMBO_TAG_LINK] = F_VOID | F_SPECIAL,
    [GUMBO_TAG_META] = F_VOID | F_SPECIAL,
    [GUMBO_TAG_PARAM] = F_VOID | F_SPECIAL,
    [GUMBO_TAG_SOURCE] = F_VOID | F_SPECIAL,
    [GUMBO_TAG_TRACK] = F_VOID | F_SPECIAL,
    [GUMBO_TAG_WBR] = F_VOID | F_SPECIAL,
    [GUMBO_TAG_ISINDEX] = F_VOID | F_SPECIAL,
    [GUMBO_TAG_A] = F_FORMATTING,
    [GUMBO_TAG_B] = F_FORMATTING,
    [GUMBO_TAG_BIG] = F_FORMATTING,
    [GUMBO_TAG_CODE] = F_FORMATTING,
    [GUMBO_TAG_EM] = F_FORMATTING,
    [GUMBO_TAG_FONT] = F_FORMATTING,
    [GUMBO_TAG_I] = F_FORMATTING,
    [GUMBO_TAG_NOBR] = F_FORMATTING,
    [GUMBO_TAG_S] = F_FORMATTING,
    [GUMBO_TAG_SMALL] = F_FORMATTING,
    [GUMBO_TAG_STRIKE] = F_FORMATTING,
    [GUMBO_TAG_STRONG] = F_FORMATTING,
    [GUMBO_TAG_TT] = F_FORMATTING,
    [GUMBO_TAG_U] = F_FORMATTING,
    [GUMBO_TAG_APPLET] = F_SPECIAL | F_SCOPE,
    [GUMBO_TAG_CAPTION] = F_SPECIAL | F_SCOPE | F_BLOCK,
    [GUMBO_TAG_MARQUEE] = F_SPECIAL | F_SCOPE,
    [GUMBO_TAG_OBJECT] = F_SPECIAL | F_SCOPE,
    [GUMBO_TAG_TEMPLATE] = F_SPECIAL | F_SCOPE,
    [GUMBO_TAG_TABLE] = F_SPECIAL | F_SCOPE | F_CLOSES_P | F_BLOCK,
    [GUMBO_TAG_TD] = F_SPECIAL | F_SCOPE | F_BLOCK,
    [GUMBO_TAG_TH] = F_SPECIAL | F_SCOPE | F_BLOCK,
    [GUMBO_TAG_BUTTON] = F_SPECIAL,
    [GUMBO_TAG_TR] = F_SPECIAL | F_BLOCK,
    [GUMBO_TAG_TBODY] = F_SPECIAL,
    [GUMBO_TAG_THEAD] = F_SPECIAL,
    [GUMBO_TAG_TFOOT] = F_SPECIAL,
    [GUMBO_TAG_COLGROUP] = F_SPECIAL,
    [GUMBO_TAG_SELECT] = F_SPECIAL,
    [GUMBO_TAG_LI] = F_SPECIAL | F_CLOSES_P | F_BLOCK,
    [GUMBO_TAG_DD] = F_SPECIAL | F_CLOSES_P | F_BLOCK,
    [GUMBO_TAG_DT] = F_SPECIAL | F_CLOSES_P | F_BLOCK,
    [GUMBO_TAG_P] = F_SPECIAL | F_CLOSES_P | F_BLOCK,
    [GUMBO_TAG_ADDRESS] = F_SPECIAL | F_CLOSES_P | F_BLOCK,
    [GUMBO_TAG_ARTICLE] = F_SPECIAL | F_CLOSES_P | F_BLOCK,
    [GUMBO_TAG_ASIDE] = F_SPECIAL | F_CLOSES_P | F_BLOCK,
    [GUMBO_TAG_BLOCKQUOTE] = F_SPECIAL | F_CLOSES_P | F_BLOCK,
    [GUMBO_TAG_CENTER] = F_SPECIAL | F_CLOSES_P | F_BLOCK,
    [GUMBO_TAG_DETAILS] = F_SPECIAL | F_CLOSES_P | F_BLOCK,
    [GUMBO_TAG_DIR] = F_SPECIAL | F_CLOSES_P | F_BLOCK,
    [GUMBO_TAG_DIV] = F_SPECIAL | F_CLOSES_P | F_BLOCK,
    [GUMBO_TAG_DL] = F_SPECIAL | F_CLOSES_P | F_BLOCK,
    [GUMBO_TAG_FIELDSET] = F_SPECIAL | F_CLOSES_P | F_BLOCK,
    [GUMBO_TAG_FIGCAPTION] = F_SPECIAL | F_CLOSES_P | F_BLOCK,
    [GUMBO_TAG_FIGURE] = F_SPECIAL | F_CLOSES_P | F_BLOCK,
    [GUMBO_TAG_FOOTER] = F_SPECIAL | F_CLOSES_P | F_BLOCK,
    [GUMBO_TAG_FORM] = F_SPECIAL | F_CLOSES_P | F_BLOCK,
    [GUMBO_TAG_HEADER] = F_SPECIAL | F_CLOSES_P | F_BLOCK,
    [GUMBO_TAG_HGROUP] = F_SPECIAL | F_CLOSES_P | F_BLOCK,
    [GUMBO_TAG_H1] = F_SPECIAL | F_CLOSES_P | F_BLOCK,
    [GUMBO_TAG_H2] = F_SPECIAL | F_CLOSES_P | F_BLOCK,
    [GUMBO_TAG_H3] = F_SPECIAL | F_CLOSES_P | F_BLOCK,
    [GUMBO_TAG_H4] = F_SPECIAL | F_CLOSES_P | F_BLOCK,
    [GUMBO_TAG_H5] = F_SPECIAL | F_CLOSES_P | F_BLOCK,
    [GUMBO_TAG_H6] = F_SPECIAL | F_CLOSES_P | F_BLOCK,
    [GUMBO_TAG_LISTING] = F_SPECIAL | F_CLOSES_P | F_BLOCK,
    [GUMBO_TAG_MAIN] = F_SPECIAL | F_CLOSES_P | F_BLOCK,
    [GUMBO_TAG_MENU] = F_SPECIAL | F_CLOSES_P | F_BLOCK,
    [GUMBO_TAG_NAV] = F_SPECIAL | F_CLOSES_P | F_BLOCK,
    [GUMBO_TAG_OL] = F_SPECIAL | F_CLOSES_P | F_BLOCK,
    [GUMBO_TAG_PRE] = F_SPECIAL | F_CLOSES_P | F_BLOCK,
    [GUMBO_TAG_SECTION] = F_SPECIAL | F_CLOSES_P | F_BLOCK,
    [GUMBO_TAG_SUMMARY] = F_SPECIAL | F_CLOSES_P | F_BLOCK,
    [GUMBO_TAG_UL] = F_SPECIAL | F_CLOSES_P | F_BLOCK,
};

static unsigned int
flags(GumboTag tag)
{
    return (unsigned int)tag <= GUMBO_TAG_LAST ? flags_of_tag[tag] : 0;
}

/* --- Tokens ------------------------------------------------------------ */

typedef enum { T_TEXT, T_START, T_END, T_OTHER, T_RAW, T_EOF } tkind;

typedef struct token {
    tkind kind;
    size_t s, e; /* its bytes in the input */
    GumboTag tag;
    uint32_t name; /* hash of the lower-cased name (unknown tags) */
    size_t name_at;
    size_t name_len;
    int self_closing;
} token;

typedef struct scanner {
    const char *b;
    size_t n;
    size_t pos;
    size_t raw_name; /* input offset of the raw element's name */
    size_t raw_len;  /* its length; 0 when not in raw text */
    int plaintext;
} scanner;

static int
is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

static int
blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!is_space(s[i]))
            return 0;
    return 1;
}

static int
is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* The first needle[0, k) in s[0, n), or NULL (memmem is not C11). */
static const char *
find(const char *s, size_t n, const char *needle, size_t k)
{
    const char *end = s + n;
    while ((size_t)(end - s) >= k) {
        const char *p = memchr(s, needle[0], (size_t)(end - s) - k + 1);
        if (p == NULL)
            return NULL;
        if (memcmp(p, needle, k) == 0)
            return p;
        s = p + 1;
    }
    return NULL;
}

/* The end of a comment opened at b[i] ("<!--"), past its "-->". */
static size_t
comment_end(const scanner *sc, size_t i)
{
    const char *p = find(sc->b + i + 2, sc->n - i - 2, "-->", 3);
    return p != NULL ? (size_t)(p - sc->b) + 3 : sc->n;
}

static size_t
past_gt(const scanner *sc, size_t i)
{
    const char *p = memchr(sc->b + i, '>', sc->n - i);
    return p != NULL ? (size_t)(p - sc->b) + 1 : sc->n;
}

/* Skip a tag's attributes from b[i]; returns the offset past its '>' and
 * whether a '/' came right before it. */
static size_t
attributes_end(const scanner *sc, size_t i, int *slash)
{
    const char *b = sc->b;
    *slash = 0;
    while (i < sc->n) {
        char c = b[i];
        if (c == '>')
            return i + 1;
        if (c == '"' || c == '\'') {
            const char *q = memchr(b + i + 1, c, sc->n - i - 1);
            i = q != NULL ? (size_t)(q - b) + 1 : sc->n;
            *slash = 0;
            continue;
        }
        *slash = c == '/';
        i++;
    }
    return sc->n;
}

static uint32_t
name_hash(const char *s, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        h = (h ^ (c >= 'A' && c <= 'Z' ? c + 32 : c)) * 16777619u;
    }
    return h;
}

/* A start or end tag at b[i] whose name starts at b[name]. */
static void
tag_token(scanner *sc, size_t i, size_t name, tkind kind, token *t)
{
    size_t e = name;
    while (e < sc->n && !is_space(sc->b[e]) && sc->b[e] != '/' &&
           sc->b[e] != '>')
        e++;
    t->kind = kind;
    t->s = i;
    t->tag = gumbo_tagn_enum(sc->b + name, (unsigned int)(e - name));
    t->name = name_hash(sc->b + name, e - name);
    t->name_at = name, t->name_len = e - name;
    t->e = attributes_end(sc, e, &t->self_closing);
    if (kind == T_START && (flags(t->tag) & F_RAW)) {
        sc->raw_name = name, sc->raw_len = e - name;
        sc->plaintext = t->tag == GUMBO_TAG_PLAINTEXT;
    }
}

/* The end of raw text starting at b[i]: the next "</name" followed by a
 * blank, '/' or '>'. */
static size_t
raw_end(const scanner *sc, size_t i)
{
    const char *b = sc->b;
    size_t k = sc->raw_len;
    while (i < sc->n) {
        const char *lt = find(b + i, sc->n - i, "</", 2);
        if (lt == NULL)
            return sc->n;
        size_t at = (size_t)(lt - b);
        size_t after = at + 2 + k;
        if (after <= sc->n &&
            strncasecmp(b + at + 2, b + sc->raw_name, k) == 0 &&
            (after == sc->n || is_space(b[after]) || b[after] == '/' ||
             b[after] == '>'))
            return at;
        i = at + 2;
    }
    return sc->n;
}

static void
markup_token(scanner *sc, size_t i, token *t)
{
    const char *b = sc->b;
    size_t n = sc->n;
    char c = i + 1 < n ? b[i + 1] : '\0';
    t->kind = T_OTHER, t->s = i;
    if (c == '!' && i + 3 < n && b[i + 2] == '-' && b[i + 3] == '-')
        t->e = comment_end(sc, i);
    else if (c == '!' || c == '?')
        t->e = past_gt(sc, i);
    else if (c == '/' && i + 2 < n && is_alpha(b[i + 2]))
        tag_token(sc, i, i + 2, T_END, t);
    else if (c == '/')
        t->e = past_gt(sc, i);
    else if (is_alpha(c))
        tag_token(sc, i, i + 1, T_START, t);
    else {
        const char *lt = memchr(b + i + 1, '<', n - i - 1);
        t->kind = T_TEXT, t->e = lt != NULL ? (size_t)(lt - b) : n;
    }
}

static void
next_token(scanner *sc, token *t)
{
    size_t i = sc->pos;
    memset(t, 0, sizeof *t);
    t->s = i;
    if (i >= sc->n) {
        t->kind = T_EOF, t->e = i;
    } else if (sc->raw_len > 0) {
        t->kind = T_RAW;
        t->e = sc->plaintext ? sc->n : raw_end(sc, i);
        sc->raw_len = 0;
    } else if (sc->b[i] == '<') {
        markup_token(sc, i, t);
    } else {
        const char *lt = memchr(sc->b + i, '<', sc->n - i);
        t->kind = T_TEXT, t->e = lt != NULL ? (size_t)(lt - sc->b) : sc->n;
    }
    sc->pos = t->e;
}

/* --- The simulated stack of open elements ------------------------------ */

typedef struct open_el {
    GumboTag tag;
    uint32_t name;
    size_t name_at; /* its name in the input, for the end tag we write */
    size_t name_len;
    size_t tag_end; /* the end of its start tag: attributes lie between */
} open_el;

typedef struct tamer {
    scanner sc;
    open_el stack[HTML_TAME_DEPTH];
    size_t depth;
    unsigned int count[GUMBO_TAG_LAST + 1]; /* open elements of each tag */
    size_t foreign;                         /* open svg and math elements */
    int emit;                               /* rewrite (else only measure) */
    int flat;
    int over;         /* the cap was passed */
    int drop_raw;     /* the raw text after a dropped start tag goes too */
    size_t misnested; /* formatting end tags over open blocks */
    /* Measuring only: formatting elements closed by something else stay
     * on gumbo's list of active formatting elements, and gumbo opens them
     * again before the next text. */
    open_el pending[HTML_TAME_DEPTH];
    size_t npending;
    html_tamed *out;
    size_t out_cap;
    size_t map_cap;
    px_status rc;
} tamer;

static int
same(const open_el *el, const token *t)
{
    return el->tag == t->tag &&
           (t->tag != GUMBO_TAG_UNKNOWN || el->name == t->name);
}


/* Append s[0, n) to the output; `in` is its offset in the input, or
 * SIZE_MAX for markup the rewrite made up. */
static void
put(tamer *tm, const char *s, size_t n, size_t in)
{
    html_tamed *o = tm->out;
    if (!tm->emit || n == 0 || tm->rc != PX_OK)
        return;
    tm->rc = px_grow((void **)&o->text, &tm->out_cap, o->len + n + 1, 1);
    if (tm->rc == PX_OK && in != SIZE_MAX) {
        const tame_map *last = o->nmap > 0 ? &o->map[o->nmap - 1] : NULL;
        if (last == NULL || last->in + (o->len - last->out) != in) {
            tm->rc = px_grow((void **)&o->map, &tm->map_cap, o->nmap + 1,
                          sizeof *o->map);
            if (tm->rc == PX_OK)
                o->map[o->nmap++] = (tame_map){.out = o->len, .in = in};
        }
    }
    if (tm->rc != PX_OK)
        return;
    memcpy(o->text + o->len, s, n);
    o->len += n;
    o->text[o->len] = '\0';
}

static void
put_token(tamer *tm, const token *t)
{
    put(tm, tm->sc.b + t->s, t->e - t->s, t->s);
}

static void
put_end_tag(tamer *tm, const open_el *el)
{
    put(tm, "</", 2, SIZE_MAX);
    put(tm, tm->sc.b + el->name_at, el->name_len, SIZE_MAX);
    put(tm, ">", 1, SIZE_MAX);
}

static void
pop(tamer *tm)
{
    open_el *el = &tm->stack[--tm->depth];
    tm->count[el->tag]--;
    if (el->tag == GUMBO_TAG_SVG || el->tag == GUMBO_TAG_MATH)
        tm->foreign--;
    if (!tm->emit && (flags(el->tag) & F_SCOPE))
        tm->npending = 0; /* a marker on gumbo's list: cleared to it */
}

/* Pop the current element, closed by something other than its own end
 * tag. */
static void
pop_implied(tamer *tm)
{
    const open_el *el = &tm->stack[tm->depth - 1];
    put_end_tag(tm, el);
    if (!tm->emit && (flags(el->tag) & F_FORMATTING)) {
        if (tm->npending == HTML_TAME_DEPTH)
            tm->over = 1;
        else
            tm->pending[tm->npending++] = *el;
    }
    pop(tm);
}

/* Close the elements above stack[i] and it, with end tags when
 * rewriting. */
static void
pop_to(tamer *tm, size_t i)
{
    while (tm->depth > i)
        pop_implied(tm);
}

static void
push(tamer *tm, const open_el *el)
{
    tm->stack[tm->depth++] = *el;
    tm->count[el->tag]++;
    if (el->tag == GUMBO_TAG_SVG || el->tag == GUMBO_TAG_MATH)
        tm->foreign++;
}

/* Before text or a start tag gumbo opens the pending formatting elements
 * again. */
static void
reconstruct(tamer *tm)
{
    for (size_t i = 0; i < tm->npending && !tm->over; i++) {
        if (tm->depth == HTML_TAME_DEPTH)
            tm->over = 1;
        else
            push(tm, &tm->pending[i]);
    }
    tm->npending = 0;
}

/* A formatting end tag for an element gumbo closed already drops it from
 * its list; returns whether there was one. */
static int
forget_pending(tamer *tm, const token *t)
{
    for (size_t i = tm->npending; i-- > 0;) {
        if (same(&tm->pending[i], t)) {
            memmove(&tm->pending[i], &tm->pending[i + 1],
                    (tm->npending - i - 1) * sizeof *tm->pending);
            tm->npending--;
            return 1;
        }
    }
    return 0;
}

static int
same_attributes(const tamer *tm, const open_el *a, const open_el *b)
{
    size_t la = a->tag_end - (a->name_at + a->name_len);
    size_t lb = b->tag_end - (b->name_at + b->name_len);
    return a->tag == b->tag && la == lb &&
           memcmp(tm->sc.b + a->name_at + a->name_len,
                  tm->sc.b + b->name_at + b->name_len, la) == 0;
}

/* Noah's ark: gumbo keeps no more than three like formatting elements on
 * its list, dropping the earliest. */
static void
noahs_ark(tamer *tm, const open_el *el)
{
    size_t like = 0;
    size_t first = 0;
    for (size_t i = 0; i < tm->npending; i++)
        if (same_attributes(tm, &tm->pending[i], el) && like++ == 0)
            first = i;
    if (like < 3)
        return;
    memmove(&tm->pending[first], &tm->pending[first + 1],
            (tm->npending - first - 1) * sizeof *tm->pending);
    tm->npending--;
}

/* The position of the nearest open element like t, searching down no
 * further than an element for which `stop` says so; -1 when none. */
static long
find_open(const tamer *tm, const token *t, unsigned int stop)
{
    if (tm->count[t->tag] == 0)
        return -1;
    for (size_t i = tm->depth; i-- > 0;) {
        if (same(&tm->stack[i], t))
            return (long)i;
        if (flags(tm->stack[i].tag) & stop)
            return -1;
    }
    return -1;
}

static long
find_tag(const tamer *tm, GumboTag tag, unsigned int stop)
{
    token t = {.tag = tag};
    return tag == GUMBO_TAG_UNKNOWN ? -1 : find_open(tm, &t, stop);
}

/* The nearest open <li> (or <dd>, <dt>) a new one closes: gumbo looks
 * down the stack no further than a special element other than <address>,
 * <div> and <p>. -1 when none. */
static long
find_item(const tamer *tm, GumboTag a, GumboTag b)
{
    if (tm->count[a] == 0 && tm->count[b] == 0)
        return -1;
    for (size_t i = tm->depth; i-- > 0;) {
        GumboTag t = tm->stack[i].tag;
        if (t == a || t == b)
            return (long)i;
        if ((flags(t) & F_SPECIAL) && t != GUMBO_TAG_ADDRESS &&
            t != GUMBO_TAG_DIV && t != GUMBO_TAG_P)
            return -1;
    }
    return -1;
}

static int
is_heading(GumboTag tag)
{
    return tag >= GUMBO_TAG_H1 && tag <= GUMBO_TAG_H6;
}

/* Where the ends a start tag implies begin: an open <p>, a sibling <li>,
 * <dt> or <dd>, a table cell or row, a table in a table, an <option>, an
 * <a> in an <a>, a heading in a heading. -1 when none. */
static long
implied_from(const tamer *tm, GumboTag tag)
{
    long at = -1;
    if (flags(tag) & F_CLOSES_P)
        at = find_tag(tm, GUMBO_TAG_P, F_SCOPE);
    if (at >= 0)
        return at;
    switch (tag) {
    case GUMBO_TAG_LI:
        return find_item(tm, GUMBO_TAG_LI, GUMBO_TAG_LI);
    case GUMBO_TAG_DD:
    case GUMBO_TAG_DT:
        return find_item(tm, GUMBO_TAG_DD, GUMBO_TAG_DT);
    case GUMBO_TAG_TR:
    case GUMBO_TAG_TD:
    case GUMBO_TAG_TH: {
        long td = find_tag(tm, GUMBO_TAG_TD, F_SCOPE);
        long th = find_tag(tm, GUMBO_TAG_TH, F_SCOPE);
        at = td > th ? td : th;
        return at < 0 && tag == GUMBO_TAG_TR
                   ? find_tag(tm, GUMBO_TAG_TR, F_SCOPE)
                   : at;
    }
    case GUMBO_TAG_TABLE:
        /* only straight inside a table: a cell is a scope */
        return find_tag(tm, GUMBO_TAG_TABLE, F_SCOPE);
    case GUMBO_TAG_OPTION:
    case GUMBO_TAG_OPTGROUP:
        return find_tag(tm, GUMBO_TAG_OPTION, F_SPECIAL);
    case GUMBO_TAG_A:
        return find_tag(tm, GUMBO_TAG_A, F_SCOPE);
    default:
        break;
    }
    if (is_heading(tag) && tm->depth > 0 &&
        is_heading(tm->stack[tm->depth - 1].tag))
        return (long)tm->depth - 1;
    return -1;
}

static void
implied_ends(tamer *tm, GumboTag tag)
{
    long at = implied_from(tm, tag);
    if (at >= 0)
        pop_to(tm, (size_t)at);
}

static void
start_tag(tamer *tm, const token *t)
{
    unsigned int f = flags(t->tag);
    if (!(f & F_ROOT))
        implied_ends(tm, t->tag);
    if (!tm->emit && !(f & F_SPECIAL))
        reconstruct(tm);
    if ((f & (F_VOID | F_ROOT)) || (t->self_closing && tm->foreign > 0)) {
        put_token(tm, t);
        return;
    }
    if (tm->depth == HTML_TAME_DEPTH) {
        tm->over = 1;
        tm->out->dropped++;
        if (!(f & F_BLOCK)) { /* left out, its text kept */
            tm->drop_raw = (f & F_RAW) != 0;
            return;
        }
        pop_to(tm, tm->depth - 1); /* a block: the deepest's sibling */
    }
    put_token(tm, t);
    open_el el = {.tag = t->tag,
                  .name = t->name,
                  .name_at = t->name_at,
                  .name_len = t->name_len,
                  .tag_end = t->e};
    if (!tm->emit && (f & F_FORMATTING))
        noahs_ark(tm, &el);
    push(tm, &el);
}

/* Whether an open block lies above stack[i]. */
static int
block_above(const tamer *tm, size_t i)
{
    for (size_t k = i + 1; k < tm->depth; k++)
        if (flags(tm->stack[k].tag) & F_SPECIAL)
            return 1;
    return 0;
}

static void
end_tag(tamer *tm, const token *t)
{
    unsigned int f = flags(t->tag);
    unsigned int stop = F_SCOPE;
    if (!(f & (F_SPECIAL | F_FORMATTING)) && tm->foreign == 0)
        stop |= F_SPECIAL;
    long at = find_open(tm, t, stop);
    if (at < 0 && !tm->emit && (f & F_FORMATTING))
        forget_pending(tm, t);
    if (at < 0)
        return; /* closes nothing: gumbo would ignore it or make it up */
    if ((f & F_FORMATTING) && !tm->emit && block_above(tm, (size_t)at)) {
        /* The adoption agency leaves the blocks open; model that. */
        tm->misnested++;
        open_el *el = &tm->stack[at];
        tm->count[el->tag]--;
        memmove(el, el + 1, (tm->depth - (size_t)at - 1) * sizeof *el);
        tm->depth--;
        return;
    }
    pop_to(tm, (size_t)at + 1);
    put_token(tm, t);
    pop(tm);
}

/* In flat output: text, a paragraph break for each block tag, and the
 * title, metas and <time>s that date and name the article. */
static void
flat_token(tamer *tm, const token *t)
{
    unsigned int f = flags(t->tag);
    if (t->tag == GUMBO_TAG_TITLE || t->tag == GUMBO_TAG_META) {
        put_token(tm, t);
    } else if (t->tag == GUMBO_TAG_TIME && t->kind == T_START) {
        put_token(tm, t);
        put(tm, "</time>", 7, SIZE_MAX);
    } else if (t->tag == GUMBO_TAG_BR) {
        put(tm, "<br>", 4, SIZE_MAX);
    } else if (f & F_BLOCK) {
        put(tm, "<p>", 3, SIZE_MAX);
    } else if ((f & F_RAW) && t->kind == T_START) {
        tm->drop_raw = 1;
    }
}

static void
one_token(tamer *tm, const token *t)
{
    switch (t->kind) {
    case T_TEXT:
        if (!tm->emit && tm->npending > 0 &&
            !blank(tm->sc.b + t->s, t->e - t->s))
            reconstruct(tm);
        put_token(tm, t);
        break;
    case T_RAW:
        if (!tm->drop_raw)
            put_token(tm, t);
        tm->drop_raw = 0;
        break;
    case T_START:
    case T_END:
        if (tm->flat)
            flat_token(tm, t);
        else if (t->kind == T_START)
            start_tag(tm, t);
        else
            end_tag(tm, t);
        break;
    default: /* comments go; a doctype keeps gumbo's quirks mode */
        if (t->e - t->s > 9 &&
            strncasecmp(tm->sc.b + t->s, "<!doctype", 9) == 0)
            put_token(tm, t);
        break;
    }
}

/* Run the scan over buf; stop early once measuring knows the answer. */
static void
run(tamer *tm, const char *buf, size_t len)
{
    tm->sc = (scanner){.b = buf, .n = len};
    token t;
    for (next_token(&tm->sc, &t); t.kind != T_EOF && tm->rc == PX_OK;
         next_token(&tm->sc, &t)) {
        one_token(tm, &t);
        if (!tm->emit && (tm->over || tm->misnested > HTML_TAME_MISNESTED))
            return;
    }
}

int
html_needs_taming(const char *buf, size_t len)
{
    html_tamed scratch = {0};
    tamer *tm = calloc(1, sizeof *tm);
    if (tm == NULL)
        return 0; /* gumbo as is; the deadline still bounds it */
    tm->out = &scratch;
    run(tm, buf, len);
    int needs = tm->over || tm->misnested > HTML_TAME_MISNESTED;
    free(tm);
    return needs;
}

px_status
html_tame(const char *buf, size_t len, int flat, html_tamed *out)
{
    memset(out, 0, sizeof *out);
    tamer *tm = calloc(1, sizeof *tm);
    if (tm == NULL)
        return PX_NOMEM;
    tm->out = out, tm->emit = 1, tm->flat = flat;
    run(tm, buf, len);
    px_status rc = tm->rc;
    if (rc == PX_OK && out->text == NULL)
        rc = px_grow((void **)&out->text, &tm->out_cap, 1, 1);
    if (rc == PX_OK)
        out->text[out->len] = '\0';
    free(tm);
    if (rc != PX_OK)
        html_tamed_free(out);
    return rc;
}

size_t
html_tamed_offset(const html_tamed *t, size_t pos)
{
    size_t lo = 0, hi = t->nmap;
    if (hi == 0)
        return 0;
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (t->map[mid].out <= pos)
            lo = mid;
        else
            hi = mid;
    }
    const tame_map *m = &t->map[lo];
    return pos >= m->out ? m->in + (pos - m->out) : m->in;
}

void
html_tamed_free(html_tamed *t)
{
    free(t->text);
    free(t->map);
    memset(t, 0, sizeof *t);
}
