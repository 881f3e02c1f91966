/*
 * utf8.c — strict UTF-8 decoding, text/binary classification, and repair
 * of invalid bytes as Windows-1252.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "article-internal.h"
#include "passim/utf8.h"

/* Only the start of a file is examined for binary content: enough to catch
 * every common binary format without reading a whole large file twice. */
#define SNIFF_LEN 8192

/* Windows-1252 bytes 0x80-0x9F; 0 marks the five bytes it leaves undefined,
 * which become U+FFFD. 0xA0-0xFF map to the same code points (Latin-1). */
static const uint16_t cp1252_high[32] = {
    0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
    0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0,      0x017D, 0,
    0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178,
};

size_t
px_utf8_decode(const char *s, size_t len, uint32_t *cp)
{
    if (s == NULL || len == 0)
        return 0;
    const unsigned char *p = (const unsigned char *)s;
    uint32_t c;
    uint32_t min;
    size_t n;
    if (p[0] < 0x80) {
        if (cp != NULL)
            *cp = p[0];
        return 1;
    }
    if (p[0] >= 0xC2 && p[0] <= 0xDF) {
        n = 2, c = p[0] & 0x1Fu, min = 0x80;
    } else if ((p[0] & 0xF0) == 0xE0) {
        n = 3, c = p[0] & 0x0Fu, min = 0x800;
    } else if (p[0] >= 0xF0 && p[0] <= 0xF4) {
        n = 4, c = p[0] & 0x07u, min = 0x10000;
    } else {
        return 0;
    }
    if (len < n)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        c = (c << 6) | (p[i] & 0x3Fu);
    }
    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
        return 0;
    if (cp != NULL)
        *cp = c;
    return n;
}

/* Eight bytes at once with no high bit set: the common case of ASCII text,
 * checked a word at a time because this runs over every byte indexed. */
static int
ascii8(const char *p)
{
    uint64_t w;
    memcpy(&w, p, sizeof w);
    return (w & UINT64_C(0x8080808080808080)) == 0;
}

size_t
utf8_valid_prefix(const char *buf, size_t len)
{
    size_t i = 0;
    while (i < len) {
        if (len - i >= 8 && ascii8(buf + i)) {
            i += 8;
            continue;
        }
        size_t n = px_utf8_decode(buf + i, len - i, NULL);
        if (n == 0)
            return i;
        i += n;
    }
    return len;
}

/* A sample is binary when it holds a NUL, or when more than a tenth of it
 * is control bytes that text does not use (all but \t \n \r \f, and ESC,
 * which terminal logs are full of). */
static int
looks_binary(const unsigned char *p, size_t n)
{
    size_t controls = 0;
    if (memchr(p, 0, n) != NULL)
        return 1;
    for (size_t i = 0; i < n; i++) {
        unsigned char b = p[i];
        if ((b < 0x20 || b == 0x7F) && b != '\t' && b != '\n' && b != '\r' &&
            b != '\f' && b != 0x1B)
            controls++;
    }
    return controls * 10 > n;
}

px_text_kind
px_utf8_classify(const char *buf, size_t len)
{
    if (buf == NULL || len == 0)
        return PX_TEXT_UTF8;
    if (looks_binary((const unsigned char *)buf, len < SNIFF_LEN ? len : SNIFF_LEN))
        return PX_TEXT_BINARY;
    return utf8_valid_prefix(buf, len) == len ? PX_TEXT_UTF8
                                              : PX_TEXT_REPAIRABLE;
}

/* Encode cp (below U+10000) into out, or only measure when out is NULL. */
static size_t
put_bmp(uint32_t cp, char *out)
{
    if (cp < 0x800) {
        if (out != NULL) {
            out[0] = (char)(0xC0 | (cp >> 6));
            out[1] = (char)(0x80 | (cp & 0x3F));
        }
        return 2;
    }
    if (out != NULL) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
    }
    return 3;
}

static uint32_t
cp1252(unsigned char b)
{
    if (b >= 0xA0)
        return b;
    if (b >= 0x80)
        return cp1252_high[b - 0x80] ? cp1252_high[b - 0x80] : 0xFFFD;
    return b;
}

/* The one repair loop: copies valid sequences, re-encodes invalid bytes,
 * optionally records a mark per repair. out and marks may be NULL. */
static size_t
repair_core(const char *buf, size_t len, char *out, utf8_mark *marks,
            size_t *repaired)
{
    size_t i = 0;
    size_t o = 0;
    size_t nrep = 0;
    while (i < len) {
        size_t n = (len - i >= 8 && ascii8(buf + i))
                       ? 8
                       : px_utf8_decode(buf + i, len - i, NULL);
        if (n > 0) {
            if (out != NULL)
                memcpy(out + o, buf + i, n);
            i += n, o += n;
            continue;
        }
        size_t w = put_bmp(cp1252((unsigned char)buf[i]),
                           out != NULL ? out + o : NULL);
        o += w, i++;
        if (marks != NULL) {
            size_t before = nrep > 0 ? marks[nrep - 1].extra : 0;
            marks[nrep].out_end = o;
            marks[nrep].extra = before + w - 1;
        }
        nrep++;
    }
    if (repaired != NULL)
        *repaired = nrep;
    return o;
}

size_t
utf8_repair_into(const char *buf, size_t len, char *out, size_t *repaired)
{
    return repair_core(buf, len, out, NULL, repaired);
}

px_status
px_utf8_repair(const char *buf, size_t len, char **out, size_t *out_len,
               size_t *repaired)
{
    if (out != NULL)
        *out = NULL;
    if (out_len != NULL)
        *out_len = 0;
    if (out == NULL || out_len == NULL || (buf == NULL && len > 0))
        return PX_INVALID_ARGUMENT;
    size_t n = repair_core(buf, len, NULL, NULL, NULL);
    char *s = malloc(n + 1);
    if (s == NULL)
        return PX_NOMEM;
    repair_core(buf, len, s, NULL, repaired);
    s[n] = '\0';
    *out = s;
    *out_len = n;
    return PX_OK;
}

px_status
utf8_repair_marked(const char *buf, size_t len, char **out, size_t *out_len,
                   utf8_mark **marks, size_t *nmarks)
{
    size_t nrep = 0;
    size_t n = repair_core(buf, len, NULL, NULL, &nrep);
    char *s = malloc(n + 1);
    utf8_mark *m = malloc((nrep > 0 ? nrep : 1) * sizeof *m);
    *out = NULL, *marks = NULL, *out_len = 0, *nmarks = 0;
    if (s == NULL || m == NULL) {
        free(s);
        free(m);
        return PX_NOMEM;
    }
    repair_core(buf, len, s, m, NULL);
    s[n] = '\0';
    *out = s, *out_len = n, *marks = m, *nmarks = nrep;
    return PX_OK;
}

size_t
utf8_map_offset(const utf8_mark *marks, size_t nmarks, size_t pos)
{
    /* Find the last repair that ends at or before pos: everything it and
     * the repairs before it added must be taken off. */
    size_t lo = 0;
    size_t hi = nmarks;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (marks[mid].out_end <= pos)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo == 0 ? pos : pos - marks[lo - 1].extra;
}
