/*
 * http.c — reading HTTP/1.1 requests with http-parser (http.h).
 */
#include "http.h"

#include <http_parser.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct http_reader {
    http_parser p;
    http_request req;
    char target[HTTP_MAX_TARGET + 1];
    size_t target_len;
    char field[32];     /* the header name being read (only Host matters) */
    size_t field_len;
    int in_host;        /* the value being read is Host's */
    int field_done;     /* a value came: the next name starts afresh */
    char host[256];
    size_t host_len;
    int host_seen;
    size_t header_bytes;
    int done;
    http_state limit;   /* a limit passed, else HTTP_MORE */
};

static http_parser_settings settings;

static http_reader *
of(http_parser *p)
{
    return p->data;
}

static int
on_url(http_parser *p, const char *at, size_t len)
{
    http_reader *r = of(p);
    if (r->target_len + len > HTTP_MAX_TARGET) {
        r->limit = HTTP_TOO_LONG;
        return 1;
    }
    memcpy(r->target + r->target_len, at, len);
    r->target_len += len;
    return 0;
}

static int
count_header(http_reader *r, size_t len)
{
    r->header_bytes += len;
    if (r->header_bytes > HTTP_MAX_HEADERS) {
        r->limit = HTTP_TOO_LARGE;
        return 1;
    }
    return 0;
}

static int
on_header_field(http_parser *p, const char *at, size_t len)
{
    http_reader *r = of(p);
    if (count_header(r, len))
        return 1;
    if (r->field_done) {
        r->field_len = 0;
        r->field_done = 0;
        r->in_host = 0;
    }
    size_t room = sizeof r->field - 1 - r->field_len;
    size_t n = len < room ? len : room;
    memcpy(r->field + r->field_len, at, n);
    r->field_len += n;
    r->field[r->field_len] = '\0';
    return 0;
}

static int
on_header_value(http_parser *p, const char *at, size_t len)
{
    http_reader *r = of(p);
    if (count_header(r, len))
        return 1;
    if (!r->field_done) {
        r->field_done = 1;
        r->in_host = strcasecmp(r->field, "host") == 0;
        if (r->in_host) {
            if (r->host_seen) /* two Host headers: refuse */
                r->host_len = sizeof r->host;
            r->host_seen = 1;
        }
    }
    if (!r->in_host)
        return 0;
    if (r->host_len + len >= sizeof r->host) {
        r->host_len = sizeof r->host; /* too long: no host is that long */
        return 0;
    }
    memcpy(r->host + r->host_len, at, len);
    r->host_len += len;
    return 0;
}

static int
on_message_complete(http_parser *p)
{
    http_reader *r = of(p);
    r->done = 1;
    r->target[r->target_len] = '\0';
    r->req.method = http_method_str((enum http_method)p->method);
    r->req.target = r->target;
    int host_ok = r->host_seen && r->host_len < sizeof r->host;
    if (host_ok)
        r->host[r->host_len] = '\0';
    r->req.host = host_ok ? r->host : NULL;
    r->req.keep_alive = http_should_keep_alive(p);
    http_parser_pause(p, 1); /* one request at a time */
    return 0;
}

http_reader *
http_reader_create(void)
{
    static int ready;
    if (!ready) { /* the settings are constant: set once, before threads */
        http_parser_settings_init(&settings);
        settings.on_url = on_url;
        settings.on_header_field = on_header_field;
        settings.on_header_value = on_header_value;
        settings.on_message_complete = on_message_complete;
        ready = 1;
    }
    http_reader *r = calloc(1, sizeof *r);
    if (r)
        http_reader_reset(r);
    return r;
}

void
http_reader_reset(http_reader *r)
{
    memset(r, 0, sizeof *r);
    http_parser_init(&r->p, HTTP_REQUEST);
    r->p.data = r;
    r->limit = HTTP_MORE;
}

http_state
http_reader_feed(http_reader *r, const char *data, size_t len, size_t *used)
{
    *used = http_parser_execute(&r->p, &settings, data, len);
    if (r->done)
        return HTTP_DONE;
    if (r->limit != HTTP_MORE)
        return r->limit;
    if (HTTP_PARSER_ERRNO(&r->p) != HPE_OK)
        return HTTP_BAD;
    return HTTP_MORE;
}

const http_request *
http_reader_request(const http_reader *r)
{
    return r->done ? &r->req : NULL;
}

void
http_reader_free(http_reader *r)
{
    free(r);
}
