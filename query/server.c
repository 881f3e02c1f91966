/*
 * server.c — passim serve's HTTP server (server.h).
 */
#define _GNU_SOURCE /* memmem */
#include "server.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <uv.h>

#include "http.h"

#define PROG "passim"
#define READ_MAX 65536 /* bytes buffered of requests not yet read */

extern const char px_page_html[];
extern const size_t px_page_html_len;

extern const char px_page_html_script_hashes[];
extern const char px_page_html_style_hashes[];

/* On every response. The page's own script and style, by their hashes
 * (query/embed.py), are all that may run or apply: a string of the index
 * that found its way into the page as markup would do nothing. */
static const char security_format[] =
    "Content-Security-Policy: default-src 'none'; script-src %s; "
    "style-src %s; img-src 'self' data:; connect-src 'self'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'\r\n"
    "X-Content-Type-Options: nosniff\r\n"
    "Referrer-Policy: no-referrer\r\n"
    "Cache-Control: no-store\r\n";
static char security_headers[1024];

static int
set_security_headers(void)
{
    int n = snprintf(security_headers, sizeof security_headers,
                     security_format, px_page_html_script_hashes,
                     px_page_html_style_hashes);
    return n > 0 && (size_t)n < sizeof security_headers ? 0 : -1;
}

typedef struct server {
    uv_loop_t *loop;
    uv_tcp_t listener;
    uv_signal_t sigint, sigterm;
    const server_opts *o;
    api_pool *pool;
    char host_names[4][300]; /* Host values taken, with the port */
    size_t nhosts;
    unsigned conns;
    int stopping;
    struct conn *all; /* every connection, to close them at the end */
} server;

typedef struct conn {
    uv_tcp_t tcp;
    uv_timer_t idle;
    uv_work_t work;
    uv_write_t wr;
    server *s;
    http_reader *reader;
    char in[READ_MAX];
    size_t nin;
    int busy;      /* a request is being answered */
    int in_work;   /* ... by a worker: its end closes a closing one */
    int closing;   /* to be closed */
    int closed;    /* its handles are closing */
    int keep_alive;
    int head;      /* the request is HEAD: no body */
    char *path, *query; /* the API request for the worker */
    int page;      /* ... or the page, with its first search's answer */
    api_response resp;
    char *out;     /* the response being written */
    int handles;   /* handles still open (tcp, idle) */
    struct conn *next, *prev;
} conn;

static void conn_close(conn *c);
static void read_more(conn *c);

/* -- responses */

static const char *
reason(int status)
{
    switch (status) {
    case 200: return "OK";
    case 204: return "No Content";
    case 400: return "Bad Request";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 414: return "URI Too Long";
    case 431: return "Request Header Fields Too Large";
    case 503: return "Service Unavailable";
    default: return "Internal Server Error";
    }
}

static void
on_written(uv_write_t *w, int status)
{
    conn *c = w->data;
    free(c->out);
    c->out = NULL;
    c->busy = 0;
    if (status != 0 || !c->keep_alive || c->s->stopping) {
        conn_close(c);
        return;
    }
    http_reader_reset(c->reader);
    uv_timer_again(&c->idle);
    read_more(c);
}

/* Send a response (body copied) and go on with the connection, or close
 * it after when !keep_alive. */
static void
respond(conn *c, int status, const char *type, const char *body,
        size_t len, const char *extra)
{
    char head[2048];
    int n = snprintf(head, sizeof head,
                     "HTTP/1.1 %d %s\r\nContent-Type: %s\r\n"
                     "Content-Length: %zu\r\n%s%sConnection: %s\r\n\r\n",
                     status, reason(status), type, len, security_headers,
                     extra ? extra : "",
                     c->keep_alive ? "keep-alive" : "close");
    if (n < 0 || (size_t)n >= sizeof head) {
        conn_close(c);
        return;
    }
    size_t blen = c->head ? 0 : len;
    c->out = malloc((size_t)n + blen);
    if (!c->out) {
        conn_close(c);
        return;
    }
    memcpy(c->out, head, (size_t)n);
    if (blen)
        memcpy(c->out + n, body, blen);
    uv_buf_t b = uv_buf_init(c->out, (unsigned)((size_t)n + blen));
    c->busy = 1;
    c->wr.data = c;
    if (uv_write(&c->wr, (uv_stream_t *)&c->tcp, &b, 1, on_written) != 0) {
        free(c->out);
        c->out = NULL;
        conn_close(c);
    }
}

static void
respond_error(conn *c, int status, const char *message, const char *extra)
{
    api_response e;
    api_error(status, message, &e);
    if (!e.body) {
        conn_close(c);
        return;
    }
    respond(c, status, "application/json; charset=utf-8", e.body, e.len,
            extra);
    free(e.body);
}

/* -- the API on the pool */

/* Where the page's first answer goes: the content of its element
 * <script type="application/json" id="initial">, which is empty. Found
 * at start (find_initial); 0: the page has no such element. */
static size_t initial_at;

static void
find_initial(void)
{
    static const char mark[] = "id=\"initial\">";
    const char *at = memmem(px_page_html, px_page_html_len, mark,
                            sizeof mark - 1);
    initial_at = at ? (size_t)(at - px_page_html) + sizeof mark - 1 : 0;
}

/* The page with `json` as its first answer, each '<' escaped so that
 * nothing in it can end the script element; NULL when out of memory or
 * when the page has no place for it. */
static char *
page_with(const char *json, size_t len, size_t *out_len)
{
    size_t head = initial_at;
    if (!head)
        return NULL;
    size_t lt = 0;
    for (size_t i = 0; i < len; i++)
        lt += json[i] == '<';
    char *p = malloc(px_page_html_len + len + 5 * lt);
    if (!p)
        return NULL;
    char *o = p;
    memcpy(o, px_page_html, head);
    o += head;
    for (size_t i = 0; i < len; i++) {
        if (json[i] == '<') {
            memcpy(o, "\\u003c", 6);
            o += 6;
        } else {
            *o++ = json[i];
        }
    }
    memcpy(o, px_page_html + head, px_page_html_len - head);
    o += px_page_html_len - head;
    *out_len = (size_t)(o - p);
    return p;
}

/* The page for the URL's query: with its first search's answer when
 * there is one (api_initial), else as it is. */
static void
page_work(conn *c)
{
    api_response init;
    size_t len = 0;
    api_initial(c->s->pool, c->query, &init);
    char *html = init.status == 200 && init.body
                     ? page_with(init.body, init.len, &len)
                     : NULL;
    free(init.body);
    if (!html && (html = malloc(px_page_html_len)) != NULL) {
        memcpy(html, px_page_html, px_page_html_len);
        len = px_page_html_len;
    }
    c->resp = (api_response){200, html, len};
}

static void
work(uv_work_t *w)
{
    conn *c = w->data;
    if (c->page)
        page_work(c);
    else
        api_handle(c->s->pool, c->path, c->query, &c->resp);
}

static void
work_done(uv_work_t *w, int status)
{
    conn *c = w->data;
    c->in_work = 0;
    free(c->path);
    free(c->query);
    c->path = c->query = NULL;
    if (c->closing || status != 0) {
        free(c->resp.body);
        c->resp.body = NULL;
        c->busy = 0;
        conn_close(c);
        return;
    }
    if (c->resp.body)
        respond(c, c->resp.status,
                c->page ? "text/html; charset=utf-8"
                        : "application/json; charset=utf-8",
                c->resp.body, c->resp.len, NULL);
    else
        respond_error(c, 500, "out of memory", NULL);
    free(c->resp.body);
    c->resp.body = NULL;
}

/* -- routing */

/* Is `host` one of the names of this server (DNS rebinding: a page of
 * another site reached through a name that points here sends its own)? */
static int
host_ok(const server *s, const char *host)
{
    for (size_t i = 0; host && i < s->nhosts; i++)
        if (strcasecmp(host, s->host_names[i]) == 0)
            return 1;
    return 0;
}

static void
route(conn *c, const http_request *rq)
{
    c->keep_alive = rq->keep_alive;
    c->head = strcmp(rq->method, "HEAD") == 0;
    if (!c->head && strcmp(rq->method, "GET") != 0) {
        respond_error(c, 405, "only GET and HEAD", "Allow: GET, HEAD\r\n");
        return;
    }
    if (!host_ok(c->s, rq->host)) {
        respond_error(c, 403, "the Host header does not name this server",
                      NULL);
        return;
    }
    const char *t = rq->target;
    size_t plen = strcspn(t, "?#");
    if (t[0] != '/') {
        respond_error(c, 400, "a request target starts with /", NULL);
        return;
    }
    const char *q = t[plen] == '?' ? t + plen + 1 : "";
    /* The page: with a query, its first search is answered in it. */
    c->page = plen == 1;
    if (c->page && !*q) {
        respond(c, 200, "text/html; charset=utf-8", px_page_html,
                px_page_html_len, NULL);
        return;
    }
    if (plen == 12 && strncmp(t, "/favicon.ico", 12) == 0) {
        respond(c, 204, "image/x-icon", "", 0, NULL);
        return;
    }
    if (!c->page && strncmp(t, "/api/", 5) != 0) {
        respond_error(c, 404, "no such page", NULL);
        return;
    }
    c->path = strndup(t, plen);
    c->query = strndup(q, strcspn(q, "#"));
    c->work.data = c;
    c->busy = c->in_work = 1;
    if (!c->path || !c->query ||
        uv_queue_work(c->s->loop, &c->work, work, work_done) != 0) {
        free(c->path);
        free(c->query);
        c->path = c->query = NULL;
        c->busy = c->in_work = 0;
        respond_error(c, 500, "out of memory", NULL);
    }
}

/* -- reading */

static void
alloc_cb(uv_handle_t *h, size_t suggested, uv_buf_t *b)
{
    conn *c = h->data;
    (void)suggested;
    b->base = c->in + c->nin;
    b->len = sizeof c->in - c->nin;
}

/* Parse what is buffered: answer a complete request (reading stops until
 * it is answered), or wait for more. */
static void
parse(conn *c)
{
    if (c->nin == 0)
        return;
    c->head = 0;
    size_t used = 0;
    http_state st = http_reader_feed(c->reader, c->in, c->nin, &used);
    if (used > c->nin)
        used = c->nin;
    memmove(c->in, c->in + used, c->nin - used);
    c->nin -= used;
    if (st == HTTP_MORE) {
        if (c->nin == sizeof c->in) /* no progress with a full buffer */
            st = HTTP_TOO_LARGE;
        else
            return;
    }
    uv_read_stop((uv_stream_t *)&c->tcp);
    c->nin = st == HTTP_DONE ? c->nin : 0;
    switch (st) {
    case HTTP_DONE:
        uv_timer_stop(&c->idle);
        route(c, http_reader_request(c->reader));
        return;
    case HTTP_TOO_LONG:
        c->keep_alive = 0;
        respond_error(c, 414, "the request target is too long", NULL);
        return;
    case HTTP_TOO_LARGE:
        c->keep_alive = 0;
        respond_error(c, 431, "the request headers are too large", NULL);
        return;
    default:
        c->keep_alive = 0;
        respond_error(c, 400, "not an HTTP request", NULL);
        return;
    }
}

static void
on_read(uv_stream_t *st, ssize_t n, const uv_buf_t *b)
{
    conn *c = st->data;
    (void)b;
    if (n < 0) {
        conn_close(c);
        return;
    }
    c->nin += (size_t)n;
    parse(c);
}

static void
read_more(conn *c)
{
    if (c->closing)
        return;
    parse(c); /* a pipelined request may be buffered already */
    if (!c->busy && !c->closing &&
        uv_read_start((uv_stream_t *)&c->tcp, alloc_cb, on_read) != 0)
        conn_close(c);
}

/* -- connections */

static void
on_handle_closed(uv_handle_t *h)
{
    conn *c = h->data;
    if (--c->handles > 0)
        return;
    server *s = c->s;
    if (c->prev)
        c->prev->next = c->next;
    else
        s->all = c->next;
    if (c->next)
        c->next->prev = c->prev;
    s->conns--;
    http_reader_free(c->reader);
    free(c);
}

static void
conn_close(conn *c)
{
    c->closing = 1;
    if (c->closed || c->in_work) /* a worker's end closes it */
        return;
    c->closed = 1;
    uv_close((uv_handle_t *)&c->idle, on_handle_closed);
    uv_close((uv_handle_t *)&c->tcp, on_handle_closed);
}

static void
on_idle(uv_timer_t *t)
{
    conn *c = t->data;
    if (!c->busy)
        conn_close(c);
}

static void
on_connection(uv_stream_t *l, int status)
{
    server *s = l->data;
    if (status != 0)
        return;
    conn *c = calloc(1, sizeof *c);
    if (!c || !(c->reader = http_reader_create())) {
        free(c);
        return;
    }
    c->s = s;
    uv_tcp_init(s->loop, &c->tcp);
    uv_timer_init(s->loop, &c->idle);
    c->tcp.data = c->idle.data = c;
    c->handles = 2;
    c->next = s->all;
    if (s->all)
        s->all->prev = c;
    s->all = c;
    s->conns++;
    if (uv_accept(l, (uv_stream_t *)&c->tcp) != 0 ||
        s->conns > s->o->max_conns || s->stopping) {
        conn_close(c); /* over the cap: closed at once */
        return;
    }
    uv_tcp_nodelay(&c->tcp, 1);
    uv_timer_start(&c->idle, on_idle, s->o->idle_ms, s->o->idle_ms);
    read_more(c);
}

/* -- starting and stopping */

static void
on_signal(uv_signal_t *h, int signum)
{
    server *s = h->data;
    (void)signum;
    if (s->stopping)
        return;
    s->stopping = 1;
    if (!s->o->quiet)
        fputs(PROG ": stopping\n", stderr);
    uv_close((uv_handle_t *)&s->listener, NULL);
    uv_close((uv_handle_t *)&s->sigint, NULL);
    uv_close((uv_handle_t *)&s->sigterm, NULL);
    for (conn *c = s->all; c; c = c->next)
        if (!c->busy)
            conn_close(c);
}

/* Listen on o->bind at `port`; 0 on success, else the libuv error. */
static int
listen_on(server *s, int port)
{
    struct sockaddr_storage addr;
    int r = strchr(s->o->bind, ':')
                ? uv_ip6_addr(s->o->bind, port, (struct sockaddr_in6 *)&addr)
                : uv_ip4_addr(s->o->bind, port, (struct sockaddr_in *)&addr);
    if (r == 0)
        r = uv_tcp_bind(&s->listener, (struct sockaddr *)&addr, 0);
    if (r == 0)
        r = uv_listen((uv_stream_t *)&s->listener, 512, on_connection);
    return r;
}

/* The port listened on, and the Host values that name this server. */
static int
name_hosts(server *s)
{
    struct sockaddr_storage a;
    int len = sizeof a;
    uv_tcp_getsockname(&s->listener, (struct sockaddr *)&a, &len);
    int port = ntohs(a.ss_family == AF_INET6
                         ? ((struct sockaddr_in6 *)&a)->sin6_port
                         : ((struct sockaddr_in *)&a)->sin_port);
    const char *v6 = strchr(s->o->bind, ':');
    const char *names[4] = {"localhost", "127.0.0.1", "[::1]", s->o->bind};
    for (size_t i = 0; i < 4; i++) {
        const char *n = names[i];
        int bracket = i == 3 && v6;
        snprintf(s->host_names[s->nhosts++], sizeof s->host_names[0],
                 port == 80 ? "%s%s%s" : "%s%s%s:%d", bracket ? "[" : "", n,
                 bracket ? "]" : "", port);
    }
    return port;
}

static int
is_loopback(const char *addr)
{
    return strncmp(addr, "127.", 4) == 0 || strcmp(addr, "::1") == 0 ||
           strcmp(addr, "localhost") == 0;
}

int
server_run(const server_opts *o, api_pool *pool)
{
    server s = {0};
    if (set_security_headers() != 0) {
        fputs(PROG ": the page's security headers do not fit\n", stderr);
        return -1;
    }
    find_initial();
    s.loop = uv_default_loop();
    s.o = o;
    s.pool = pool;
    uv_tcp_init(s.loop, &s.listener);
    s.listener.data = &s;
    int r = -1;
    if (o->port >= 0) {
        r = listen_on(&s, o->port);
    } else {
        for (int port = 8080; port < 8100 && r != 0; port++) {
            r = listen_on(&s, port);
            if (r != 0) { /* a listener that failed cannot bind again */
                uv_close((uv_handle_t *)&s.listener, NULL);
                uv_run(s.loop, UV_RUN_NOWAIT);
                uv_tcp_init(s.loop, &s.listener);
                s.listener.data = &s;
            }
        }
    }
    if (r != 0) {
        fprintf(stderr, PROG ": cannot listen on %s: %s\n", o->bind,
                uv_strerror(r));
        uv_close((uv_handle_t *)&s.listener, NULL);
        uv_run(s.loop, UV_RUN_DEFAULT);
        return 2;
    }
    int port = name_hosts(&s);
    uv_signal_init(s.loop, &s.sigint);
    uv_signal_init(s.loop, &s.sigterm);
    s.sigint.data = s.sigterm.data = &s;
    uv_signal_start(&s.sigint, on_signal, SIGINT);
    uv_signal_start(&s.sigterm, on_signal, SIGTERM);
    signal(SIGPIPE, SIG_IGN);
    if (!is_loopback(o->bind))
        fprintf(stderr, PROG ": warning: listening on %s, not a loopback "
                "address: anyone who can reach it can read the whole index\n",
                o->bind);
    const char *v6 = strchr(o->bind, ':');
    fprintf(stderr, PROG ": serving http://%s%s%s:%d/ (Ctrl-C stops)\n",
            v6 ? "[" : "", o->bind, v6 ? "]" : "", port);
    uv_run(s.loop, UV_RUN_DEFAULT);
    uv_loop_close(s.loop);
    return 0;
}
