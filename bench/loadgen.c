/*
 * loadgen.c — the load of bench/serve: N keep-alive HTTP/1.1 connections
 * to a server on loopback, each sending the next request as soon as the
 * answer to its last one is in, for a bounded time.
 *
 *     loadgen PORT CLIENTS SECONDS < TARGETS
 *
 * TARGETS holds one request target a line ("/api/search?q=..."); client i
 * starts at line i and takes them in turn. Prints, one a line, the latency
 * of every answer with status 200 in microseconds (from the request's send
 * to the answer's last byte), then "errors N" and "wall S". One thread and
 * poll(): the client costs the server little of the CPU they share, and an
 * answer is timed when it arrives. A benchmark tool, not part of passim.
 */
#define _POSIX_C_SOURCE 200809L
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum { MAX_CLIENTS = 1024, MAX_TARGETS = 4096, BUF = 1 << 22 };

typedef struct client {
    int fd;
    size_t next;   /* the next target */
    size_t have;   /* bytes of the answer so far */
    size_t need;   /* the whole answer's, once its head is in; else 0 */
    int status;
    double sent;   /* when the request went */
    char *buf;
} client;

static char *targets[MAX_TARGETS];
static size_t ntargets;
static int port;

static double
now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int
read_targets(void)
{
    char line[16384];
    while (ntargets < MAX_TARGETS && fgets(line, sizeof line, stdin)) {
        line[strcspn(line, "\r\n")] = '\0';
        if (*line && !(targets[ntargets++] = strdup(line)))
            return -1;
    }
    return ntargets ? 0 : -1;
}

static int
connect_one(void)
{
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

/* Send c's next request whole (it is far smaller than a socket's buffer,
 * so a blocking send does not wait). */
static int
send_next(client *c)
{
    char req[17000];
    int n = snprintf(req, sizeof req,
                     "GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n\r\n",
                     targets[c->next++ % ntargets], port);
    if (n < 0 || (size_t)n >= sizeof req)
        return -1;
    c->have = c->need = 0;
    c->status = 0;
    c->sent = now();
    return send(c->fd, req, (size_t)n, MSG_NOSIGNAL) == n ? 0 : -1;
}

/* Once the head is in: the status and the whole answer's length. */
static int
parse_head(client *c)
{
    c->buf[c->have] = '\0';
    char *end = strstr(c->buf, "\r\n\r\n");
    if (!end)
        return c->have < BUF - 1 ? 0 : -1;
    c->status = atoi(c->buf + 9); /* "HTTP/1.1 200" */
    for (char *l = strstr(c->buf, "\r\n"); l && l < end;
         l = strstr(l + 2, "\r\n")) {
        if (strncasecmp(l + 2, "content-length:", 15) == 0) {
            c->need = (size_t)(end + 4 - c->buf) + strtoul(l + 17, NULL, 10);
            return c->need < BUF ? 0 : -1;
        }
    }
    return -1; /* every answer of passim serve has a length */
}

/* Read what came; 1 once the answer is whole, 0 for more, -1 on error. */
static int
receive(client *c)
{
    ssize_t r = recv(c->fd, c->buf + c->have, BUF - 1 - c->have,
                     MSG_DONTWAIT);
    if (r < 0 && (errno == EAGAIN || errno == EINTR))
        return 0;
    if (r <= 0)
        return -1;
    c->have += (size_t)r;
    if (!c->need && parse_head(c) != 0)
        return -1;
    return c->need && c->have >= c->need ? 1 : 0;
}

int
main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: loadgen PORT CLIENTS SECONDS < TARGETS\n");
        return 2;
    }
    port = atoi(argv[1]);
    int n = atoi(argv[2]);
    double seconds = atof(argv[3]);
    if (port <= 0 || n <= 0 || n > MAX_CLIENTS || seconds <= 0 ||
        read_targets() != 0) {
        fprintf(stderr, "loadgen: bad arguments or no targets\n");
        return 2;
    }
    static client cs[MAX_CLIENTS];
    static struct pollfd pf[MAX_CLIENTS];
    for (int i = 0; i < n; i++) {
        cs[i] = (client){.fd = connect_one(), .next = (size_t)i,
                         .buf = malloc(BUF)};
        if (cs[i].fd < 0 || !cs[i].buf) {
            fprintf(stderr, "loadgen: cannot connect to port %d\n", port);
            return 1;
        }
        pf[i] = (struct pollfd){.fd = cs[i].fd, .events = POLLIN};
    }
    long errors = 0;
    double start = now(), deadline = start + seconds;
    int live = n;
    for (int i = 0; i < n; i++)
        if (send_next(&cs[i]) != 0)
            return 1;
    while (live > 0) {
        if (poll(pf, (nfds_t)n, 60000) <= 0)
            break;
        for (int i = 0; i < n; i++) {
            if (pf[i].fd < 0 || !(pf[i].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            int r = receive(&cs[i]);
            if (r == 0)
                continue;
            double t = now();
            if (r > 0 && cs[i].status == 200)
                printf("%.0f\n", (t - cs[i].sent) * 1e6);
            else
                errors++;
            if (r < 0 || t >= deadline || send_next(&cs[i]) != 0) {
                close(cs[i].fd);
                pf[i].fd = -1;
                live--;
            }
        }
    }
    printf("errors %ld\nwall %.3f\n", errors, now() - start);
    return 0;
}
