/*
 * mail.c — mail and news posts: RFC 5322 headers at the top of a file.
 *
 * A file is a post when it opens with a block of header lines ("Name:
 * value", folded lines starting with a blank) that holds a From: and at
 * least one other header posts carry, ended by a blank line; an mbox
 * "From " line before it is allowed. The Subject (without its "Re:" and
 * "Fwd:" chains) is the title, the Date the article's date, the From's
 * display name the author; the headers are not text. The body is read as
 * plain text up to a signature ("-- " alone on a line), which is dropped.
 */
#include <stdlib.h>
#include <string.h>

#include "article-internal.h"

/* Headers that, beside From:, make a header block a post's. */
static const char *const post_headers[] = {
    "subject", "date", "to", "cc", "newsgroups", "message-id", "path",
    "received", "organization", "references", "in-reply-to", "lines",
    "reply-to", "mime-version", "x-mailer", "user-agent", "sender",
    "return-path", "content-type", "nntp-posting-host", "distribution",
    "keywords", "summary", "followup-to", "article-i.d.", "xref",
};

typedef struct span {
    size_t s, e;
} span;

typedef struct mail_head {
    span subject, from, date, type, cte; /* type: Content-Type; cte:
                                          * Content-Transfer-Encoding */
    size_t body; /* where the body starts */
    int headers, known, has_from;
} mail_head;

size_t
mail_line_end(const char *buf, size_t len, size_t p)
{
    const char *nl = memchr(buf + p, '\n', len - p);
    return nl ? (size_t)(nl - buf) : len;
}

static int
name_is(const char *s, size_t n, const char *want)
{
    if (strlen(want) != n)
        return 0;
    for (size_t i = 0; i < n; i++)
        if ((s[i] >= 'A' && s[i] <= 'Z' ? s[i] + 32 : s[i]) != want[i])
            return 0;
    return 1;
}

/* The length of a header name at buf[p, e) followed by ':', else 0. */
static size_t
header_name(const char *buf, size_t p, size_t e)
{
    size_t i = p;
    while (i < e && buf[i] > ' ' && buf[i] < 0x7F && buf[i] != ':')
        i++;
    return i > p && i < e && buf[i] == ':' ? i - p : 0;
}

static void
note_header(mail_head *h, const char *name, size_t n, span value)
{
    h->headers++;
    if (name_is(name, n, "from")) {
        h->has_from = 1;
        h->from = value;
        return;
    }
    for (size_t i = 0; i < sizeof post_headers / sizeof *post_headers; i++)
        if (name_is(name, n, post_headers[i]))
            h->known++;
    if (name_is(name, n, "subject"))
        h->subject = value;
    else if (name_is(name, n, "date"))
        h->date = value;
    else if (name_is(name, n, "content-type"))
        h->type = value;
    else if (name_is(name, n, "content-transfer-encoding"))
        h->cte = value;
}

/* Where the value of the header named buf[p, p + n) lives, for a folded
 * line to extend. */
static span *
value_of(mail_head *h, const char *name, size_t n, span *other)
{
    return name_is(name, n, "from")      ? &h->from
           : name_is(name, n, "subject") ? &h->subject
           : name_is(name, n, "date")    ? &h->date
           : name_is(name, n, "content-type") ? &h->type
           : name_is(name, n, "content-transfer-encoding") ? &h->cte
                                                           : other;
}

/* Read the header block at buf[0, len): 1 and *h when it is a post's. */
static int
read_headers(const char *buf, size_t len, size_t p, mail_head *h)
{
    memset(h, 0, sizeof *h);
    if (len - p >= 5 && memcmp(buf + p, "From ", 5) == 0)
        p = mail_line_end(buf, len, p) + 1; /* an mbox separator */
    span *last = NULL, other;
    while (p < len) {
        size_t e = mail_line_end(buf, len, p), le = e;
        if (le > p && buf[le - 1] == '\r')
            le--;
        if (le == p) { /* the blank line that ends the headers */
            h->body = e < len ? e + 1 : len;
            return h->has_from && h->known > 0;
        }
        size_t n = header_name(buf, p, le);
        if (buf[p] == ' ' || buf[p] == '\t') {
            if (!last)
                return 0;
            last->e = le; /* a folded line continues the value */
        } else if (n == 0) {
            return 0;
        } else {
            size_t v = p + n + 1;
            while (v < le && (buf[v] == ' ' || buf[v] == '\t'))
                v++;
            note_header(h, buf + p, n, (span){v, le});
            last = value_of(h, buf + p, n, &other);
        }
        p = e + 1;
    }
    return 0; /* headers and no body */
}

/* A header value, folded lines joined and encoded words decoded, as
 * valid UTF-8: caller frees. */
static char *
header_value(const char *buf, span v, size_t *n)
{
    char *raw = malloc(v.e - v.s + 1), *out = NULL, *words = NULL;
    size_t k = 0, wn = 0;
    if (!raw)
        return NULL;
    for (size_t i = v.s; i < v.e; i++) {
        char c = buf[i] == '\t' || buf[i] == '\r' || buf[i] == '\n' ? ' '
                                                                    : buf[i];
        if (c != ' ' || (k > 0 && raw[k - 1] != ' '))
            raw[k++] = c;
    }
    while (k > 0 && raw[k - 1] == ' ')
        k--;
    if (mime_decode_words(raw, k, &words, &wn) != PX_OK ||
        px_utf8_repair(words, wn, &out, n, NULL) != PX_OK)
        out = NULL;
    free(words);
    free(raw);
    return out;
}

/* The length of a reply or forward marker at s ("Re:", "RE[2]:", "Fwd:",
 * "AW:"...), blanks after it included, else 0. */
static size_t
reply_marker(const char *s, size_t n)
{
    static const char *const marks[] = {"re", "fwd", "fw", "aw", "wg", "sv",
                                        "vs", "tr", "antw"};
    for (size_t i = 0; i < sizeof marks / sizeof *marks; i++) {
        size_t m = strlen(marks[i]), p = m;
        if (n < m || !name_is(s, m, marks[i]))
            continue;
        if (p < n && s[p] == '[') { /* "Re[2]:" */
            while (p < n && s[p] != ']')
                p++;
            p++;
        }
        if (p >= n || s[p] != ':')
            continue;
        p++;
        while (p < n && s[p] == ' ')
            p++;
        return p;
    }
    return 0;
}

static px_status
set_subject(px_article *a, const char *buf, span v)
{
    size_t n = 0;
    char *s = header_value(buf, v, &n);
    if (!s)
        return PX_NOMEM;
    size_t skip = 0, m;
    while ((m = reply_marker(s + skip, n - skip)) > 0)
        skip += m;
    px_status rc = article_set_title(a, s + skip, n - skip);
    free(s);
    return rc;
}

/* s[0, *n) without blanks and quotes around it. */
static const char *
trimmed(const char *s, size_t *n)
{
    while (*n > 0 && (s[*n - 1] == ' ' || s[*n - 1] == '"'))
        --*n;
    while (*n > 0 && (*s == ' ' || *s == '"'))
        s++, --*n;
    return s;
}

/* The author in a From: value: the display name of `Name <addr>` or
 * `addr (Name)`, else the address. */
static const char *
author_in(const char *s, size_t n, size_t *len)
{
    const char *lt = memchr(s, '<', n), *lp = memchr(s, '(', n);
    const char *gt = lt ? memchr(lt, '>', n - (size_t)(lt - s)) : NULL;
    const char *rp = lp ? memchr(lp, ')', n - (size_t)(lp - s)) : NULL;
    const char *name = s, *addr = s;
    size_t nlen = 0, alen = n;
    if (lt) {
        nlen = (size_t)(lt - s);
        addr = lt + 1;
        alen = gt ? (size_t)(gt - addr) : n - (size_t)(addr - s);
    } else if (lp) {
        name = lp + 1;
        nlen = rp ? (size_t)(rp - name) : n - (size_t)(name - s);
        alen = (size_t)(lp - s);
    }
    name = trimmed(name, &nlen);
    if (nlen > 0) {
        *len = nlen;
        return name;
    }
    *len = alen;
    return trimmed(addr, len);
}

static px_status
set_author(px_article *a, const char *buf, span v)
{
    size_t n = 0, len = 0;
    char *s = header_value(buf, v, &n);
    if (!s)
        return PX_NOMEM;
    const char *name = author_in(s, n, &len);
    free(a->author);
    a->author = len ? malloc(len + 1) : NULL;
    if (a->author) {
        memcpy(a->author, name, len);
        a->author[len] = '\0';
    }
    free(s);
    return len && !a->author ? PX_NOMEM : PX_OK;
}

size_t
mail_signature_start(const char *buf, size_t len, size_t body)
{
    size_t p = body, found = len;
    while (p < len) {
        size_t e = mail_line_end(buf, len, p), le = e;
        if (le > p && buf[le - 1] == '\r')
            le--;
        if (le - p == 3 && memcmp(buf + p, "-- ", 3) == 0)
            found = p; /* the last one: a quoted reply may hold others */
        p = e + 1;
    }
    return found;
}

/* The body: MIME parts decoded (mime.c), or the file's own text. */
static px_status
body(px_article *a, const char *buf, size_t len, const mail_head *h)
{
    mail_mime m = {h->type.s, h->type.e, h->cte.s, h->cte.e};
    if (h->type.e > h->type.s && mime_body_needs_decoding(buf, m))
        return mime_body(a, buf, len, h->body, m);
    return text_parse(a, buf, mail_signature_start(buf, len, h->body),
                      h->body, TEXT_POST);
}

px_status
mail_parse(px_article *a, const char *buf, size_t len, size_t skip)
{
    mail_head h;
    if (!read_headers(buf, len, skip, &h))
        return text_parse(a, buf, len, skip, 0);
    px_status rc = PX_OK;
    if (h.subject.e > h.subject.s)
        rc = set_subject(a, buf, h.subject);
    if (rc == PX_OK && h.from.e > h.from.s)
        rc = set_author(a, buf, h.from);
    if (rc == PX_OK && h.date.e > h.date.s)
        (void)article_date_from_field(a, buf + h.date.s,
                                      h.date.e - h.date.s);
    if (rc == PX_OK)
        rc = body(a, buf, len, &h);
    return rc;
}
