/*
 * fuzz_record.c — libFuzzer target: the codecs of a passage document's
 * data and values (schema.h). The input is read four ways:
 *  - as a stored record: px_record_decode() accepts it or not; what it
 *    accepts lies in the input and encodes back to a record that decodes
 *    to the same fields;
 *  - as the fields of a record to store (split at NUL bytes): encoding
 *    then decoding gives them back;
 *  - as a passage's mention lines, in a text as long as the first byte
 *    says: each mention read fits the text, and written again they read
 *    back the same;
 *  - as an entity list: the entities read, encoded again, read back as
 *    the same list, sorted.
 * A broken promise traps (a crash to libFuzzer).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "passim/schema.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
same(const char *a, size_t alen, const char *b, size_t blen)
{
    return alen == blen && (alen == 0 || memcmp(a, b, alen) == 0);
}

static int
same_record(const px_record *a, const px_record *b)
{
    return a->number == b->number && a->start == b->start &&
           a->end == b->end && same(a->path, a->path_len, b->path,
                                    b->path_len) &&
           same(a->title, a->title_len, b->title, b->title_len) &&
           same(a->text, a->text_len, b->text, b->text_len) &&
           same(a->mentions, a->mentions_len, b->mentions, b->mentions_len);
}

static int
inside(const char *p, size_t n, const char *buf, size_t size)
{
    return p >= buf && n <= size && (size_t)(p - buf) <= size - n;
}

static void
encode_decode(const px_record *r)
{
    char *enc = NULL;
    size_t len = 0;
    px_record back;
    if (px_record_encode(r, &enc, &len) != PX_OK)
        return;
    CHECK(px_record_decode(enc, len, &back) == PX_OK);
    CHECK(same_record(r, &back));
    free(enc);
}

static void
as_stored_record(const char *buf, size_t size)
{
    px_record r;
    if (px_record_decode(buf, size, &r) != PX_OK)
        return;
    CHECK(inside(r.path, r.path_len, buf, size));
    CHECK(inside(r.title, r.title_len, buf, size));
    CHECK(inside(r.text, r.text_len, buf, size));
    CHECK(inside(r.mentions, r.mentions_len, buf, size));
    CHECK(r.mentions + r.mentions_len == buf + size);
    encode_decode(&r);
}

/* The next field of buf[*at, size), up to a NUL byte. */
static const char *
field(const char *buf, size_t size, size_t *at, size_t *len)
{
    const char *p = buf + *at;
    const char *nul = *at < size ? memchr(p, '\0', size - *at) : NULL;
    *len = nul ? (size_t)(nul - p) : size - *at;
    *at += *len + (nul != NULL);
    return p;
}

static void
as_fields(const char *buf, size_t size)
{
    px_record r = {0};
    size_t at = 0;
    r.path = field(buf, size, &at, &r.path_len);
    r.title = field(buf, size, &at, &r.title_len);
    r.text = field(buf, size, &at, &r.text_len);
    r.mentions = field(buf, size, &at, &r.mentions_len);
    r.number = (uint32_t)(size * 2654435761u);
    r.start = (uint64_t)size << 40 | r.path_len;
    r.end = UINT64_MAX - r.text_len;
    encode_decode(&r);
}

typedef struct mentions {
    size_t text_len;
    char lines[4096];
    size_t len;
    size_t n, seen;
    int over; /* lines overflowed */
} mentions;

static int
write_mention(void *ctx, int type, size_t start, size_t end)
{
    mentions *m = ctx;
    char line[PX_MENTION_LINE_MAX];
    CHECK(start < end && end <= m->text_len);
    size_t n = px_mention_format(line, type, start, end);
    CHECK(n > 0);
    if (m->len + n > sizeof m->lines)
        return m->over = 1;
    memcpy(m->lines + m->len, line, n);
    m->len += n;
    m->n++;
    return 0;
}

static int
count_mention(void *ctx, int type, size_t start, size_t end)
{
    (void)type, (void)start, (void)end;
    ((mentions *)ctx)->seen++;
    return 0;
}

static void
as_mentions(const char *buf, size_t size)
{
    mentions m = {.text_len = size ? (size_t)(unsigned char)buf[0] * 97 : 0};
    px_mentions_each(buf, size, m.text_len, write_mention, &m);
    if (m.over)
        return;
    mentions again = m;
    again.seen = 0;
    px_mentions_each(m.lines, m.len, m.text_len, count_mention, &again);
    CHECK(again.seen == m.n);
}

#define MAX_ENTITIES 512

typedef struct entities {
    int types[MAX_ENTITIES];
    char *values[MAX_ENTITIES];
    char *lines[MAX_ENTITIES]; /* "Tvalue\n", as the list sorts them */
    size_t n;
} entities;

static int
keep_entity(void *ctx, int type, const char *value, size_t len)
{
    entities *e = ctx;
    if (memchr(value, '\0', len) != NULL)
        return 0; /* values are NUL-terminated strings */
    if (e->n == MAX_ENTITIES || !(e->values[e->n] = malloc(len + 1)))
        return 1;
    if (!(e->lines[e->n] = malloc(len + 3))) {
        free(e->values[e->n]);
        return 1;
    }
    memcpy(e->values[e->n], value, len);
    e->values[e->n][len] = '\0';
    e->lines[e->n][0] = (char)('0' + type);
    memcpy(e->lines[e->n] + 1, value, len);
    memcpy(e->lines[e->n] + 1 + len, "\n", 2);
    e->types[e->n++] = type;
    return 0;
}

static int
by_line(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

typedef struct readback {
    char *const *sorted;
    size_t n, next;
} readback;

static int
check_entity(void *ctx, int type, const char *value, size_t len)
{
    readback *r = ctx;
    CHECK(r->next < r->n);
    const char *line = r->sorted[r->next++];
    CHECK(type == line[0] - '0');
    CHECK(same(value, len, line + 1, strlen(line) - 2));
    return 0;
}

static void
as_entities(const char *buf, size_t size)
{
    entities e = {0};
    char *sorted[MAX_ENTITIES];
    px_entities_each(buf, size, keep_entity, &e);
    char *enc = NULL;
    size_t len = 0;
    if (px_entities_encode(e.types, (const char *const *)e.values, e.n, &enc,
                           &len) == PX_OK) {
        memcpy(sorted, e.lines, e.n * sizeof *sorted);
        qsort(sorted, e.n, sizeof *sorted, by_line);
        readback r = {sorted, e.n, 0};
        px_entities_each(enc, len, check_entity, &r);
        CHECK(r.next == e.n);
    }
    free(enc);
    for (size_t i = 0; i < e.n; i++)
        free(e.values[i]), free(e.lines[i]);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *buf = (const char *)data;
    as_stored_record(buf, size);
    as_fields(buf, size);
    as_mentions(buf, size);
    as_entities(buf, size);
    return 0;
}
