/*
 * mime.c — the MIME bodies of posts: multipart messages, base64 and
 * quoted-printable bodies, charsets, and RFC 2047 encoded words in
 * headers.
 *
 * A multipart body is walked part by part (nested up to MIME_DEPTH, at
 * most MIME_PARTS parts): text/plain parts are read as a post's text,
 * text/html parts through the HTML reader, and of a multipart/alternative
 * only its best text part (plain before HTML). Everything else — images,
 * archives, parts marked as attachments — is counted and left out. A
 * part's text is decoded and converted to UTF-8 with iconv; its blocks
 * are not exact (their text is not the file's bytes) and carry the span
 * of their part in the file. A label of ISO-8859-1 or US-ASCII is read as
 * Windows-1252, as browsers do: mail so labelled often is.
 */
#include <errno.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "article-internal.h"

#define MIME_DEPTH 8
#define MIME_PARTS 256

typedef struct mime_walk {
    px_article *a;
    const char *buf;
    size_t parts;       /* parts seen, against MIME_PARTS */
    size_t left_out;    /* parts not read: attachments, other types */
} mime_walk;

/* Header fields of one part: the values, as spans of the buffer. */
typedef struct part_head {
    size_t type_s, type_e, cte_s, cte_e, disp_s, disp_e;
    size_t body; /* where the part's content starts */
} part_head;

static int
lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

/* Whether s[0, n) starts with `want` (lower-case), ignoring case. */
static int
starts_with(const char *s, size_t n, const char *want)
{
    size_t l = strlen(want);
    if (n < l)
        return 0;
    for (size_t i = 0; i < l; i++)
        if (lower((unsigned char)s[i]) != want[i])
            return 0;
    return 1;
}

/* Parameter `name` (lower-case) of a header value s[0, n), such as the
 * charset or boundary of a Content-Type, into out (cap bytes, NUL-ended);
 * its length, 0 when absent or too long. */
static size_t
param(const char *s, size_t n, const char *name, char *out, size_t cap)
{
    size_t l = strlen(name);
    for (size_t i = 0; i + l < n; i++) {
        if ((i > 0 && s[i - 1] != ';' && s[i - 1] != ' ' && s[i - 1] != '\t')
            || !starts_with(s + i, n - i, name) || s[i + l] != '=')
            continue;
        size_t p = i + l + 1, k = 0;
        int quoted = p < n && s[p] == '"';
        p += (size_t)quoted;
        while (p < n && k + 1 < cap &&
               (quoted ? s[p] != '"' : !strchr("; \t\r\n", s[p])))
            out[k++] = s[p++];
        if (k + 1 >= cap)
            return 0;
        out[k] = '\0';
        return k;
    }
    return 0;
}

/* The headers of a part at buf[s, e): the fields MIME reads. */
static void
read_part_head(const char *buf, size_t s, size_t e, part_head *h)
{
    memset(h, 0, sizeof *h);
    size_t *vs = NULL, *ve = NULL;
    size_t p = s;
    while (p < e) {
        size_t n = mail_line_end(buf, e, p);
        size_t le = n > p && buf[n - 1] == '\r' ? n - 1 : n;
        if (le == p) {
            h->body = n < e ? n + 1 : e;
            return;
        }
        if ((buf[p] == ' ' || buf[p] == '\t') && ve) {
            *ve = le; /* a folded line */
        } else {
            const char *c = memchr(buf + p, ':', le - p);
            size_t v = c ? (size_t)(c - buf) + 1 : le;
            vs = ve = NULL;
            if (starts_with(buf + p, le - p, "content-type:"))
                vs = &h->type_s, ve = &h->type_e;
            else if (starts_with(buf + p, le - p,
                                 "content-transfer-encoding:"))
                vs = &h->cte_s, ve = &h->cte_e;
            else if (starts_with(buf + p, le - p, "content-disposition:"))
                vs = &h->disp_s, ve = &h->disp_e;
            while (v < le && (buf[v] == ' ' || buf[v] == '\t'))
                v++;
            if (vs)
                *vs = v, *ve = le;
        }
        p = n + 1;
    }
    h->body = e; /* headers only */
}

static int
b64_value(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    return c == '+' ? 62 : c == '/' ? 63 : -1;
}

/* Base64 s[0, n) into out (n bytes at least); bytes outside the
 * alphabet are skipped. Returns the output length. */
static size_t
base64_decode(const char *s, size_t n, char *out)
{
    size_t k = 0;
    unsigned acc = 0;
    int bits = 0;
    for (size_t i = 0; i < n && s[i] != '='; i++) {
        int v = b64_value((unsigned char)s[i]);
        if (v < 0)
            continue;
        acc = (acc << 6) | (unsigned)v;
        if ((bits += 6) >= 8) {
            bits -= 8;
            out[k++] = (char)((acc >> bits) & 0xFF);
        }
    }
    return k;
}

static int
hex_value(unsigned char c)
{
    c = (unsigned char)lower(c);
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
                                                                 : -1;
}

/* Quoted-printable s[0, n) into out (n bytes at least); `header` reads
 * '_' as a space (RFC 2047's Q). Returns the output length. */
static size_t
qp_decode(const char *s, size_t n, char *out, int header)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '_' && header) {
            out[k++] = ' ';
        } else if (s[i] != '=') {
            out[k++] = s[i];
        } else if (i + 2 < n && hex_value((unsigned char)s[i + 1]) >= 0 &&
                   hex_value((unsigned char)s[i + 2]) >= 0) {
            out[k++] = (char)(hex_value((unsigned char)s[i + 1]) * 16 +
                              hex_value((unsigned char)s[i + 2]));
            i += 2;
        } else {
            size_t j = i + 1; /* a soft line break: "=" blanks EOL */
            while (j < n && (s[j] == ' ' || s[j] == '\t' || s[j] == '\r'))
                j++;
            if (j < n && s[j] == '\n')
                i = j;
            else if (j < n)
                out[k++] = '=';
        }
    }
    return k;
}

/* Whether text in `charset` is UTF-8 already (or its ASCII subset). */
static int
utf8_charset(const char *cs)
{
    return !*cs || starts_with(cs, strlen(cs), "utf-8") ||
           starts_with(cs, strlen(cs), "utf8");
}

/* s[0, n) in `charset` as UTF-8, into a fresh buffer (*out, *out_len):
 * a byte that cannot be converted becomes U+FFFD; an unknown charset
 * leaves the bytes as they are (later repair reads them as
 * Windows-1252). */
static px_status
to_utf8(const char *charset, const char *s, size_t n, char **out,
        size_t *out_len)
{
    const char *cs = charset;
    if (starts_with(cs, strlen(cs), "iso-8859-1") && strlen(cs) == 10)
        cs = "WINDOWS-1252";
    else if (starts_with(cs, strlen(cs), "us-ascii"))
        cs = "WINDOWS-1252";
    iconv_t cd = utf8_charset(cs) ? (iconv_t)-1 : iconv_open("UTF-8", cs);
    size_t cap = cd == (iconv_t)-1 ? n + 1 : 4 * n + 16;
    char *o = *out = malloc(cap);
    if (!o) {
        if (cd != (iconv_t)-1)
            iconv_close(cd);
        return PX_NOMEM;
    }
    if (cd == (iconv_t)-1) {
        memcpy(o, s, n);
        *out_len = n;
        return PX_OK;
    }
    char *in = (char *)s, *op = o;
    size_t inleft = n, outleft = cap - 4;
    while (inleft > 0 &&
           iconv(cd, &in, &inleft, &op, &outleft) == (size_t)-1) {
        if (errno != EILSEQ || outleft < 3)
            break; /* an incomplete sequence at the end, or no room */
        memcpy(op, "\xEF\xBF\xBD", 3);
        op += 3, outleft -= 3, in++, inleft--;
    }
    iconv_close(cd);
    *out_len = (size_t)(op - o);
    return PX_OK;
}

/* The content of a part, transfer encoding undone and converted to
 * UTF-8: caller frees *out. */
static px_status
part_text(const char *buf, const part_head *h, size_t s, size_t e,
          char **out, size_t *out_len)
{
    char charset[48] = "";
    const char *v = buf + h->type_s;
    size_t vn = h->type_e - h->type_s, cn = h->cte_e - h->cte_s;
    param(v, vn, "charset", charset, sizeof charset);
    const char *cte = buf + h->cte_s;
    int b64 = starts_with(cte, cn, "base64"),
        qp = starts_with(cte, cn, "quoted-printable");
    char *raw = b64 || qp ? malloc(e - s + 1) : NULL;
    if ((b64 || qp) && !raw)
        return PX_NOMEM;
    size_t rn = b64 ? base64_decode(buf + s, e - s, raw)
                : qp ? qp_decode(buf + s, e - s, raw, 0) : e - s;
    px_status rc = to_utf8(charset, raw ? raw : buf + s, rn, out, out_len);
    free(raw);
    return rc;
}

/* Blocks [from, count) came from decoded text, not from the file: they
 * are not exact and span their part. */
static void
mark_part_blocks(px_article *a, size_t from, size_t s, size_t e)
{
    for (size_t i = from; i < a->count; i++) {
        a->blocks[i].exact = 0;
        a->blocks[i].file_start = s;
        a->blocks[i].file_end = e;
    }
}

/* Copy the blocks of HTML text t[0, n) into a, through a scratch
 * article (html.c reads whole pages). */
static px_status
html_part(px_article *a, const char *t, size_t n)
{
    px_article *h = calloc(1, sizeof *h);
    if (!h)
        return PX_NOMEM;
    px_text_kind kind = px_utf8_classify(t, n);
    px_status rc = kind == PX_TEXT_BINARY ? PX_OK : html_parse(h, t, n, 0,
                                                               kind);
    if (rc == PX_OK)
        article_finish(h);
    for (size_t i = 0; rc == PX_OK && i < h->count; i++) {
        size_t start = a->text_len;
        rc = article_append(a, h->blocks[i].text, h->blocks[i].len);
        if (rc == PX_OK)
            rc = article_end_block(a, start, 0, 0, 0);
    }
    px_article_destroy(h);
    return rc;
}

/* A text part at buf[s, e) (its content): read into the article. */
static px_status
read_text(mime_walk *w, const part_head *h, size_t s, size_t e, int html)
{
    char *t = NULL;
    size_t n = 0, from = w->a->count;
    px_status rc = part_text(w->buf, h, s, e, &t, &n);
    if (rc == PX_OK && html)
        rc = html_part(w->a, t, n);
    else if (rc == PX_OK)
        rc = text_parse(w->a, t, mail_signature_start(t, n, 0), 0,
                        TEXT_POST);
    if (rc == PX_OK)
        mark_part_blocks(w->a, from, s, e);
    free(t);
    return rc;
}

typedef enum part_kind {
    PART_OTHER = 0,
    PART_HTML,
    PART_PLAIN,
    PART_MULTI,
} part_kind;

static part_kind
kind_of(const char *buf, const part_head *h)
{
    const char *v = buf + h->type_s, *d = buf + h->disp_s;
    size_t n = h->type_e - h->type_s;
    if (starts_with(d, h->disp_e - h->disp_s, "attachment"))
        return PART_OTHER;
    if (n == 0 || starts_with(v, n, "text/plain"))
        return PART_PLAIN;
    if (starts_with(v, n, "text/html"))
        return PART_HTML;
    return starts_with(v, n, "multipart/") ? PART_MULTI : PART_OTHER;
}

static px_status walk_part(mime_walk *w, const part_head *h, size_t s,
                           size_t e, int depth);

/* The parts of a multipart body buf[s, e) with `boundary`: their header
 * starts and ends, at most MIME_PARTS. Returns the count. */
static size_t
split_parts(const char *buf, size_t s, size_t e, const char *boundary,
            size_t *ps, size_t *pe)
{
    size_t bl = strlen(boundary), n = 0, open = 0, p = s;
    int in = 0;
    while (p < e && n < MIME_PARTS) {
        size_t le = mail_line_end(buf, e, p);
        int delim = le - p >= bl + 2 && buf[p] == '-' && buf[p + 1] == '-' &&
                    memcmp(buf + p + 2, boundary, bl) == 0;
        if (delim) {
            if (in)
                ps[n] = open, pe[n++] = p > open ? p - 1 : open;
            int close = le - p >= bl + 4 && buf[p + bl + 2] == '-' &&
                        buf[p + bl + 3] == '-';
            if (close)
                return n;
            in = 1;
            open = le < e ? le + 1 : e;
        }
        p = le + 1;
    }
    if (in && n < MIME_PARTS && open < e)
        ps[n] = open, pe[n++] = e; /* no closing delimiter */
    return n;
}

/* A multipart body at buf[s, e) whose Content-Type is h's. */
static px_status
walk_multi(mime_walk *w, const part_head *h, size_t s, size_t e, int depth)
{
    char boundary[80];
    const char *v = w->buf + h->type_s;
    size_t vn = h->type_e - h->type_s;
    if (!param(v, vn, "boundary", boundary, sizeof boundary))
        return w->left_out++, PX_OK;
    int alternative = starts_with(v, vn, "multipart/alternative");
    size_t *ps = malloc(2 * MIME_PARTS * sizeof *ps), *pe = ps + MIME_PARTS;
    if (!ps)
        return PX_NOMEM;
    size_t n = split_parts(w->buf, s, e, boundary, ps, pe), best = n;
    part_head *heads = calloc(n + 1, sizeof *heads);
    px_status rc = heads ? PX_OK : PX_NOMEM;
    for (size_t i = 0; rc == PX_OK && i < n; i++) {
        read_part_head(w->buf, ps[i], pe[i], &heads[i]);
        if (alternative && kind_of(w->buf, &heads[i]) != PART_OTHER &&
            (best == n || kind_of(w->buf, &heads[i]) >
                              kind_of(w->buf, &heads[best])))
            best = i;
    }
    for (size_t i = 0; rc == PX_OK && i < n; i++)
        if (!alternative || i == best)
            rc = walk_part(w, &heads[i], heads[i].body, pe[i], depth + 1);
    free(heads);
    free(ps);
    return rc;
}

static px_status
walk_part(mime_walk *w, const part_head *h, size_t s, size_t e, int depth)
{
    if (++w->parts > MIME_PARTS || depth > MIME_DEPTH)
        return w->left_out++, PX_OK;
    switch (kind_of(w->buf, h)) {
    case PART_PLAIN: return read_text(w, h, s, e, 0);
    case PART_HTML: return read_text(w, h, s, e, 1);
    case PART_MULTI: return walk_multi(w, h, s, e, depth);
    default: return w->left_out++, PX_OK;
    }
}

int
mime_body_needs_decoding(const char *buf, mail_mime m)
{
    part_head h = {m.type_s, m.type_e, m.cte_s, m.cte_e, 0, 0, 0};
    char charset[48] = "";
    size_t cn = h.cte_e - h.cte_s;
    param(buf + h.type_s, h.type_e - h.type_s, "charset", charset,
          sizeof charset);
    return kind_of(buf, &h) != PART_PLAIN ||
           (!utf8_charset(charset) &&
            !starts_with(charset, strlen(charset), "us-ascii")) ||
           starts_with(buf + h.cte_s, cn, "base64") ||
           starts_with(buf + h.cte_s, cn, "quoted-printable");
}

px_status
mime_body(px_article *a, const char *buf, size_t len, size_t body,
          mail_mime m)
{
    mime_walk w = {a, buf, 0, 0};
    part_head h = {m.type_s, m.type_e, m.cte_s, m.cte_e, 0, 0, body};
    px_status rc = walk_part(&w, &h, body, len, 0);
    if (rc == PX_OK && w.left_out > 0 && a->cut[0] == '\0')
        snprintf(a->cut, sizeof a->cut, "%zu attachment%s or part%s of "
                 "another kind left out", w.left_out,
                 w.left_out == 1 ? "" : "s", w.left_out == 1 ? "" : "s");
    return rc;
}

/* One encoded word at s[0, n) ("=?charset?B|Q?text?="): its decoded
 * UTF-8 appended to out (*k bytes so far), the length read, or 0. */
static size_t
encoded_word(const char *s, size_t n, char *out, size_t *k)
{
    if (n < 8 || s[0] != '=' || s[1] != '?')
        return 0;
    const char *q1 = memchr(s + 2, '?', n - 2);
    if (!q1 || (size_t)(q1 - s) + 3 >= n || q1[2] != '?')
        return 0;
    char enc = (char)lower((unsigned char)q1[1]);
    const char *text = q1 + 3, *end = text;
    while ((size_t)(end - s) + 1 < n && !(end[0] == '?' && end[1] == '='))
        end++;
    size_t csn = (size_t)(q1 - s) - 2;
    if ((size_t)(end - s) + 1 >= n || (enc != 'b' && enc != 'q') ||
        csn == 0 || csn >= 48)
        return 0;
    char cs[48], *raw = malloc((size_t)(end - text) + 1), *u = NULL;
    memcpy(cs, s + 2, csn);
    cs[csn] = '\0';
    char *star = strchr(cs, '*'); /* RFC 2231 language: "utf-8*en" */
    if (star)
        *star = '\0';
    size_t rn = 0, un = 0;
    if (raw)
        rn = enc == 'b' ? base64_decode(text, (size_t)(end - text), raw)
                        : qp_decode(text, (size_t)(end - text), raw, 1);
    /* un <= 4 rn + 12 (to_utf8) < 4 times the word's length, which is at
     * least rn + 7: out, 4 bytes per input byte, has room. */
    if (raw && to_utf8(cs, raw, rn, &u, &un) == PX_OK) {
        memcpy(out + *k, u, un);
        *k += un;
    }
    free(raw);
    free(u);
    return raw ? (size_t)(end - s) + 2 : 0;
}

px_status
mime_decode_words(const char *s, size_t n, char **out, size_t *out_len)
{
    char *o = malloc(4 * n + 1);
    size_t k = 0, after_word = 0; /* blanks since an encoded word */
    int was_word = 0;
    if (!o)
        return PX_NOMEM;
    for (size_t i = 0; i < n;) {
        size_t before = k, used = encoded_word(s + i, n - i, o, &k);
        if (used) {
            if (was_word && after_word) { /* blanks between words go */
                memmove(o + before - after_word, o + before, k - before);
                k -= after_word;
            }
            was_word = 1, after_word = 0, i += used;
            continue;
        }
        after_word = s[i] == ' ' ? after_word + 1 : 0;
        was_word = was_word && s[i] == ' ';
        o[k++] = s[i++];
    }
    o[k] = '\0';
    *out = o;
    *out_len = k;
    return PX_OK;
}
