/*
 * html.c — HTML to article blocks with gumbo, a conforming HTML5 parser,
 * so that broken markup, entities and implied tags come out as a browser
 * would show them.
 *
 * Each block element (p, div, li, td, h1...) starts and ends a block; the
 * text of inline elements joins the block around it, with whitespace
 * collapsed as a browser does. A block's file span runs from the first to
 * the end of the last text node it drew on; it is never `exact`, since
 * entities and markup lie in between.
 *
 * The walk over the tree is iterative: gumbo sets no depth limit, and a
 * hostile page of a million nested <div>s must not overflow the C stack.
 *
 * gumbo's own work is bounded twice. A page that would nest or misnest
 * its elements past what real pages do is tamed first (htmltame.c). And
 * gumbo allocates through a budget that checks the thread's CPU time: a
 * parse still running at its deadline (1 s plus 0.25 s per MB; four
 * times that in a sanitizer build) is
 * abandoned with a longjmp out of the allocator, all it allocated freed,
 * and the page read again flattened to text and paragraphs. The article
 * says which of these happened (px_article_cut()).
 */
#include <gumbo.h>
#include <setjmp.h>
#include <stdalign.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "article-internal.h"

typedef struct frame {
    const GumboNode *node;
    unsigned int next; /* the next child to visit */
} frame;

typedef struct walker {
    px_article *a;
    size_t block_start; /* arena offset of the block being gathered */
    int space;          /* whitespace is pending before the next character */
    int has_span;
    size_t fs;          /* file span of the block being gathered */
    size_t fe;
    int h1_seen;
    size_t skip;        /* bytes before the text gumbo parsed (a BOM) */
    size_t file_len;
    const utf8_mark *marks; /* repairs made before parsing, if any */
    size_t nmarks;
    const html_tamed *tamed; /* the rewrite gumbo parsed, if any */
    frame *stack;
    size_t depth;
    size_t cap;
} walker;

/* Elements whose content is not visible text. */
static int
dropped(const GumboNode *n)
{
    const GumboElement *el = &n->v.element;
    if (n->type == GUMBO_NODE_TEMPLATE || el->tag_namespace == GUMBO_NAMESPACE_SVG)
        return 1;
    switch (el->tag) {
    case GUMBO_TAG_HEAD:
    case GUMBO_TAG_TITLE:
    case GUMBO_TAG_SCRIPT:
    case GUMBO_TAG_STYLE:
    case GUMBO_TAG_NOSCRIPT:
    case GUMBO_TAG_TEMPLATE:
    case GUMBO_TAG_IFRAME:
    case GUMBO_TAG_OBJECT:
    case GUMBO_TAG_EMBED:
    case GUMBO_TAG_CANVAS:
    case GUMBO_TAG_SELECT:
    case GUMBO_TAG_DATALIST:
        return 1;
    default:
        return gumbo_get_attribute(&el->attributes, "hidden") != NULL;
    }
}

/* Elements that break the flow of text into separate blocks. */
static int
block_tag(GumboTag tag)
{
    switch (tag) {
    case GUMBO_TAG_HTML: case GUMBO_TAG_BODY: case GUMBO_TAG_ADDRESS:
    case GUMBO_TAG_ARTICLE: case GUMBO_TAG_ASIDE: case GUMBO_TAG_BLOCKQUOTE:
    case GUMBO_TAG_CAPTION: case GUMBO_TAG_CENTER: case GUMBO_TAG_DD:
    case GUMBO_TAG_DETAILS: case GUMBO_TAG_DIR: case GUMBO_TAG_DIV:
    case GUMBO_TAG_DL: case GUMBO_TAG_DT: case GUMBO_TAG_FIELDSET:
    case GUMBO_TAG_FIGCAPTION: case GUMBO_TAG_FIGURE: case GUMBO_TAG_FOOTER:
    case GUMBO_TAG_FORM: case GUMBO_TAG_H1: case GUMBO_TAG_H2:
    case GUMBO_TAG_H3: case GUMBO_TAG_H4: case GUMBO_TAG_H5:
    case GUMBO_TAG_H6: case GUMBO_TAG_HEADER: case GUMBO_TAG_HGROUP:
    case GUMBO_TAG_HR: case GUMBO_TAG_LEGEND: case GUMBO_TAG_LI:
    case GUMBO_TAG_LISTING: case GUMBO_TAG_MAIN: case GUMBO_TAG_MENU:
    case GUMBO_TAG_NAV: case GUMBO_TAG_OL: case GUMBO_TAG_P:
    case GUMBO_TAG_PLAINTEXT: case GUMBO_TAG_PRE: case GUMBO_TAG_SECTION:
    case GUMBO_TAG_SUMMARY: case GUMBO_TAG_TABLE: case GUMBO_TAG_TBODY:
    case GUMBO_TAG_TD: case GUMBO_TAG_TFOOT: case GUMBO_TAG_TH:
    case GUMBO_TAG_THEAD: case GUMBO_TAG_TR: case GUMBO_TAG_UL:
    case GUMBO_TAG_XMP:
        return 1;
    default:
        return 0;
    }
}

static size_t
file_offset(const walker *w, size_t pos)
{
    if (w->tamed != NULL)
        pos = html_tamed_offset(w->tamed, pos);
    if (w->marks != NULL)
        pos = utf8_map_offset(w->marks, w->nmarks, pos);
    pos += w->skip;
    return pos < w->file_len ? pos : w->file_len;
}

static int
is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

/* Append s[0, n) with runs of whitespace (and no-break spaces, which
 * &nbsp; gives) collapsed to one space and none at the block's start.
 * Returns whether anything visible was added. */
static int
collapse_into(walker *w, const char *s, size_t n)
{
    char *out = w->a->text + w->a->text_len;
    size_t o = 0;
    int started = w->a->text_len > w->block_start;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (is_blank(c)) {
            w->space = 1;
            continue;
        }
        if (c == '\xC2' && i + 1 < n && s[i + 1] == '\xA0') {
            w->space = 1, i++;
            continue;
        }
        if (w->space && (started || o > 0))
            out[o++] = ' ';
        w->space = 0;
        out[o++] = c;
    }
    w->a->text_len += o;
    return o > 0;
}

static px_status
add_text(walker *w, const GumboNode *n)
{
    const GumboText *t = &n->v.text;
    size_t len = strlen(t->text);
    px_status rc = article_reserve(w->a, len + 1);
    if (rc != PX_OK || !collapse_into(w, t->text, len))
        return rc;
    /* The span leaves out the blanks at either end of the node's source,
     * which the collapsed text does not show either. */
    const char *src = t->original_text.data;
    size_t lead = 0;
    size_t end = t->original_text.length;
    while (lead < end && is_blank(src[lead]))
        lead++;
    while (end > lead && is_blank(src[end - 1]))
        end--;
    if (!w->has_span)
        w->fs = file_offset(w, t->start_pos.offset + lead), w->has_span = 1;
    w->fe = file_offset(w, t->start_pos.offset + end);
    if (w->fe < w->fs)
        w->fe = w->fs;
    return PX_OK;
}

static int
same_as_title(const px_article *a, const char *s, size_t n)
{
    return a->title != NULL && strlen(a->title) == n &&
           memcmp(a->title, s, n) == 0;
}

/* End the block being gathered. The first <h1> is the title when <title>
 * gave none, and a first block that merely repeats the title is dropped:
 * the title is not repeated as a block. */
static px_status
flush(walker *w, int h1)
{
    px_article *a = w->a;
    /* No arena yet before the first text: NULL + 0 is undefined. */
    const char *s = a->text != NULL ? a->text + w->block_start : "";
    size_t n = a->text_len - w->block_start;
    px_status rc = PX_OK;
    int keep = 0;
    if (n > 0 && h1 && !w->h1_seen && a->title == NULL)
        rc = article_set_title(a, s, n);
    else if (n > 0)
        keep = !(a->count == 0 && same_as_title(a, s, n));
    if (n > 0 && h1)
        w->h1_seen = 1;
    if (keep)
        rc = article_end_block(a, w->block_start, w->fs, w->fe, 0);
    else
        a->text_len = w->block_start;
    w->block_start = a->text_len;
    w->space = 0;
    w->has_span = 0;
    return rc;
}

static px_status
push(walker *w, const GumboNode *n)
{
    if (w->depth == w->cap) {
        size_t cap = w->cap > 0 ? w->cap * 2 : 64;
        frame *stack = realloc(w->stack, cap * sizeof *stack);
        if (stack == NULL)
            return PX_NOMEM;
        w->stack = stack;
        w->cap = cap;
    }
    w->stack[w->depth++] = (frame){.node = n, .next = 0};
    return PX_OK;
}

/* A <time datetime> among the first blocks dates the article when no
 * meta did: bylines put the publication time there. */
static void
time_date(walker *w, const GumboNode *n)
{
    if (n->v.element.tag != GUMBO_TAG_TIME || w->a->date[0] != '\0' ||
        w->a->count > 1)
        return;
    const GumboAttribute *dt =
        gumbo_get_attribute(&n->v.element.attributes, "datetime");
    if (dt != NULL)
        article_date_from_field(w->a, dt->value, strlen(dt->value));
}

/* Enter child node n: gather its text, or open it for its children. */
static px_status
enter(walker *w, const GumboNode *n)
{
    switch (n->type) {
    case GUMBO_NODE_TEXT:
    case GUMBO_NODE_CDATA:
        return add_text(w, n);
    case GUMBO_NODE_WHITESPACE:
        w->space = 1;
        return PX_OK;
    case GUMBO_NODE_ELEMENT:
    case GUMBO_NODE_TEMPLATE:
        break;
    default:
        return PX_OK;
    }
    if (dropped(n))
        return PX_OK;
    if (n->v.element.tag == GUMBO_TAG_BR) {
        w->space = 1;
        return PX_OK;
    }
    px_status rc = PX_OK;
    time_date(w, n);
    if (block_tag(n->v.element.tag))
        rc = flush(w, 0);
    return rc == PX_OK ? push(w, n) : rc;
}

static px_status
walk(walker *w, const GumboNode *root)
{
    px_status rc = push(w, root);
    while (rc == PX_OK && w->depth > 0) {
        frame *f = &w->stack[w->depth - 1];
        const GumboNode *n = f->node;
        const GumboVector *kids = &n->v.element.children;
        if (f->next < kids->length) {
            rc = enter(w, kids->data[f->next++]);
            continue;
        }
        w->depth--;
        if (block_tag(n->v.element.tag))
            rc = flush(w, n->v.element.tag == GUMBO_TAG_H1);
    }
    if (rc == PX_OK)
        rc = flush(w, 0);
    return rc;
}

/* The first <title> of the document head, whitespace collapsed; the
 * article keeps no title when it is missing or blank. */
static px_status
head_title(walker *w, const GumboNode *root)
{
    const GumboVector *kids = &root->v.element.children;
    const GumboNode *head = NULL;
    for (unsigned int i = 0; i < kids->length && head == NULL; i++) {
        const GumboNode *k = kids->data[i];
        if (k->type == GUMBO_NODE_ELEMENT && k->v.element.tag == GUMBO_TAG_HEAD)
            head = k;
    }
    if (head == NULL)
        return PX_OK;
    kids = &head->v.element.children;
    for (unsigned int i = 0; i < kids->length; i++) {
        const GumboNode *t = kids->data[i];
        if (t->type != GUMBO_NODE_ELEMENT || t->v.element.tag != GUMBO_TAG_TITLE)
            continue;
        const GumboVector *tk = &t->v.element.children;
        px_status rc = PX_OK;
        for (unsigned int j = 0; j < tk->length && rc == PX_OK; j++)
            if (((const GumboNode *)tk->data[j])->type == GUMBO_NODE_TEXT)
                rc = add_text(w, tk->data[j]);
        size_t n = w->a->text_len - w->block_start;
        if (rc == PX_OK && n > 0)
            rc = article_set_title(w->a, w->a->text + w->block_start, n);
        w->a->text_len = w->block_start;
        w->space = 0;
        w->has_span = 0;
        return rc;
    }
    return PX_OK;
}

/* Meta names that give the publication date (compared case-insensitively
 * with the name, property or itemprop attribute). */
static const char *const date_metas[] = {
    "date", "dc.date", "dc.date.issued", "dcterms.date", "dcterms.issued",
    "dcterms.created", "pubdate", "publishdate", "publish-date",
    "article:published_time", "datepublished", "parsely-pub-date",
};

static int
is_date_meta(const GumboElement *el)
{
    static const char *const attrs[] = {"name", "property", "itemprop"};
    for (size_t i = 0; i < sizeof attrs / sizeof attrs[0]; i++) {
        const GumboAttribute *at = gumbo_get_attribute(&el->attributes,
                                                       attrs[i]);
        if (at == NULL)
            continue;
        for (size_t k = 0; k < sizeof date_metas / sizeof date_metas[0]; k++)
            if (strcasecmp(at->value, date_metas[k]) == 0)
                return 1;
    }
    return 0;
}

/* The first <meta> date of the document head that holds a full day. */
static void
head_date(px_article *a, const GumboNode *root)
{
    const GumboVector *kids = &root->v.element.children;
    for (unsigned int i = 0; i < kids->length; i++) {
        const GumboNode *head = kids->data[i];
        if (head->type != GUMBO_NODE_ELEMENT ||
            head->v.element.tag != GUMBO_TAG_HEAD)
            continue;
        const GumboVector *hk = &head->v.element.children;
        for (unsigned int j = 0; j < hk->length; j++) {
            const GumboNode *m = hk->data[j];
            if (m->type != GUMBO_NODE_ELEMENT ||
                m->v.element.tag != GUMBO_TAG_META ||
                !is_date_meta(&m->v.element))
                continue;
            const GumboAttribute *c =
                gumbo_get_attribute(&m->v.element.attributes, "content");
            if (c != NULL &&
                article_date_from_field(a, c->value, strlen(c->value)))
                return;
        }
    }
}

/* --- gumbo on a budget ------------------------------------------------ */

/* Each allocation gumbo makes is linked into a list, so that an abandoned
 * parse can be freed whole. */
typedef union alloc_hdr {
    struct {
        union alloc_hdr *prev, *next;
    } link;
    max_align_t align;
} alloc_hdr;

typedef struct budget {
    jmp_buf jump;
    alloc_hdr live;       /* the list's head */
    unsigned long calls;
    double deadline;      /* thread CPU seconds */
    int expired;
    int nomem;
} budget_t;

#define CHECK_EVERY 1024

double
article_cpu_now(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) != 0 &&
        clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
        return 0;
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Tests make a parse run out of budget after this many allocations
 * (0: never), to reach the fallbacks without a slow page. */
static unsigned long test_max_calls;

void
html_test_limit_allocations(unsigned long calls)
{
    test_max_calls = calls;
}

static int
out_of_time(budget_t *b)
{
    ++b->calls;
    if (test_max_calls > 0 && b->calls > test_max_calls)
        return 1;
    return b->calls % CHECK_EVERY == 0 && article_cpu_now() > b->deadline;
}

static void *
budget_alloc(void *userdata, size_t size)
{
    budget_t *b = userdata;
    if (out_of_time(b)) {
        b->expired = 1;
        longjmp(b->jump, 1);
    }
    alloc_hdr *h = size <= SIZE_MAX - sizeof *h ? malloc(sizeof *h + size)
                                                : NULL;
    if (h == NULL) { /* gumbo does not check; never give it NULL */
        b->nomem = 1;
        longjmp(b->jump, 1);
    }
    h->link.prev = &b->live;
    h->link.next = b->live.link.next;
    b->live.link.next->link.prev = h;
    b->live.link.next = h;
    return h + 1;
}

static void
budget_free(void *userdata, void *p)
{
    (void)userdata;
    if (p == NULL)
        return;
    alloc_hdr *h = (alloc_hdr *)p - 1;
    h->link.prev->link.next = h->link.next;
    h->link.next->link.prev = h->link.prev;
    free(h);
}

static void
budget_release(budget_t *b)
{
    while (b->live.link.next != &b->live)
        budget_free(b, b->live.link.next + 1);
}

/* The deadline for `len` bytes: gumbo reads real pages at 10 MB/s and
 * more, so this leaves room for a slow machine. */
static double
deadline_for(size_t len)
{
    return DEADLINE_STRETCH * (1.0 + 0.25 * (double)len / 1e6);
}

/* gumbo_parse on a budget; NULL when it ran out of time or memory. Kept
 * apart so that no local of the caller lives across the setjmp. */
static GumboOutput *
parse_bounded(budget_t *b, const GumboOptions *options, const char *text,
              size_t len)
{
    if (setjmp(b->jump) != 0)
        return NULL;
    return gumbo_parse_with_options(options, text, len);
}

static GumboOutput *
gumbo_budgeted(budget_t *b, GumboOptions *options, const char *text,
               size_t len)
{
    *options = kGumboDefaultOptions;
    /* Parse errors are of no use here; recording them costs memory and
     * time on exactly the pages that have the most. */
    options->max_errors = 0;
    options->allocator = budget_alloc;
    options->deallocator = budget_free;
    options->userdata = b;
    b->live.link.prev = b->live.link.next = &b->live;
    b->calls = 0;
    b->expired = b->nomem = 0;
    b->deadline = article_cpu_now() + deadline_for(len);
    GumboOutput *doc = parse_bounded(b, options, text, len);
    if (doc == NULL)
        budget_release(b);
    return doc;
}

static px_status
walk_document(walker *w, const GumboNode *root)
{
    px_status rc = head_title(w, root);
    if (rc == PX_OK)
        head_date(w->a, root);
    if (rc == PX_OK)
        rc = walk(w, root);
    return rc;
}

/* Parse text[0, len) (tamed already when w->tamed says so) and walk it.
 * Sets *expired when gumbo ran out of time, leaving the article as it
 * was. */
static px_status
parse_and_walk(walker *w, const char *text, size_t len, int *expired)
{
    budget_t *b = malloc(sizeof *b);
    if (b == NULL)
        return PX_NOMEM;
    GumboOptions options;
    GumboOutput *doc = gumbo_budgeted(b, &options, text, len);
    px_status rc = PX_OK;
    *expired = doc == NULL && b->expired;
    if (doc == NULL)
        rc = b->expired ? PX_OK : PX_NOMEM;
    else
        rc = walk_document(w, doc->root);
    if (doc != NULL)
        gumbo_destroy_output(&options, doc);
    budget_release(b);
    free(b);
    return rc;
}

/* Parse with gumbo; a page that needs it is tamed first, and one that
 * still takes too long is read again flat. */
static px_status
parse_tamed(walker *w, const char *text, size_t len)
{
    html_tamed tamed = {0};
    px_status rc = PX_OK;
    int expired = 0;
    if (html_needs_taming(text, len)) {
        rc = html_tame(text, len, 0, &tamed);
        if (rc == PX_OK)
            w->tamed = &tamed;
    }
    if (rc == PX_OK)
        rc = parse_and_walk(w, w->tamed ? tamed.text : text,
                            w->tamed ? tamed.len : len, &expired);
    if (rc == PX_OK && w->tamed != NULL && tamed.dropped > 0)
        snprintf(w->a->cut, sizeof w->a->cut,
                 "markup nested deeper than %d levels: %zu tags flattened, "
                 "their text kept", HTML_TAME_DEPTH, tamed.dropped);
    else if (rc == PX_OK && w->tamed != NULL)
        snprintf(w->a->cut, sizeof w->a->cut,
                 "markup misnested more than %d times: read with its "
                 "elements closed in order", HTML_TAME_MISNESTED);
    html_tamed_free(&tamed);
    w->tamed = NULL;
    if (rc != PX_OK || !expired)
        return rc;
    rc = html_tame(text, len, 1, &tamed);
    w->tamed = &tamed;
    if (rc == PX_OK)
        rc = parse_and_walk(w, tamed.text, tamed.len, &expired);
    if (rc == PX_OK && expired)
        rc = PX_TOO_COMPLEX;
    if (rc == PX_OK)
        snprintf(w->a->cut, sizeof w->a->cut,
                 "markup too complex to parse within %.1f s of CPU time: "
                 "read as plain paragraphs", deadline_for(len));
    html_tamed_free(&tamed);
    w->tamed = NULL;
    return rc;
}

px_status
html_parse(px_article *a, const char *buf, size_t len, size_t skip,
           px_text_kind kind)
{
    walker w = {.a = a, .skip = skip, .file_len = len};
    char *fixed = NULL;
    utf8_mark *marks = NULL;
    size_t fixed_len = 0;
    const char *text = buf + skip;
    size_t text_len = len - skip;
    px_status rc = PX_OK;
    if (kind == PX_TEXT_REPAIRABLE) {
        rc = utf8_repair_marked(text, text_len, &fixed, &fixed_len, &marks,
                                &w.nmarks);
        if (rc != PX_OK)
            return rc;
        a->repaired = w.nmarks;
        w.marks = marks;
        text = fixed, text_len = fixed_len;
    }
    rc = parse_tamed(&w, text, text_len);
    free(w.stack);
    free(fixed);
    free(marks);
    return rc;
}
