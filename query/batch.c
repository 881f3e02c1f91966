/*
 * batch.c — many queries in one process, and TREC run output (batch.h).
 */
#include "batch.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "output.h"

/* Print path[0, len) as one field: bytes up to ' ' and '%' as %XX. */
static void
put_field(FILE *out, const char *path, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)path[i];
        if (c <= ' ' || c == '%' || c == 0x7F)
            fprintf(out, "%%%02X", c);
        else
            fputc(c, out);
    }
}

/* The docid of `path` (see batch.h): *start and *len of it in path. */
static void
docid_of(const char *path, const char *cwd, int name, const char **start,
         size_t *len)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    const char *dot = strrchr(base, '.');
    const char *end = dot && dot != base ? dot : base + strlen(base);
    const char *from = path;
    size_t cl = cwd ? strlen(cwd) : 0;
    if (name)
        from = base;
    else if (cl > 1 && strncmp(path, cwd, cl) == 0 && path[cl] == '/')
        from = path + cl + 1;
    *start = from;
    *len = (size_t)(end - from);
}

void
px_output_trec(FILE *out, const px_results *r, const char *qid,
               const char *tag, int name)
{
    uint32_t last = 0;
    char *cwd = name ? NULL : getcwd(NULL, 0);
    for (size_t i = 0; i < r->nhits; i++) {
        const px_hit *h = &r->hits[i];
        if (h->article_rank == last)
            continue;
        last = h->article_rank;
        const char *id;
        size_t len;
        docid_of(h->path, cwd, name, &id, &len);
        fprintf(out, "%s Q0 ", qid);
        put_field(out, id, len);
        fprintf(out, " %u %.6f %s\n", (unsigned)h->article_rank,
                h->article_score, tag);
    }
    free(cwd);
}

/* A batch: the file's bytes, cut in place into ids and queries. */
typedef struct batch {
    char *buf;
    char **id, **query;
    size_t *line; /* 1-based line number of each query */
    size_t n;
} batch;

static void
batch_free(batch *b)
{
    free(b->buf);
    free(b->id);
    free(b->query);
    free(b->line);
}

static char *
slurp(const char *path, size_t *len)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap + 1);
    while (buf) {
        n += fread(buf + n, 1, cap - n, f);
        if (n < cap)
            break;
        char *bigger = realloc(buf, 2 * cap + 1);
        if (!bigger)
            free(buf);
        buf = bigger;
        cap *= 2;
    }
    int bad = ferror(f);
    if (f != stdin)
        fclose(f);
    if (bad || !buf) {
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

static int
blank(const char *s)
{
    for (; *s; s++) {
        if (*s != ' ' && *s != '\t' && *s != '\r')
            return 0;
    }
    return 1;
}

/* Cut one line (NUL-terminated, no newline) into b's next query. */
static int
add_line(batch *b, char *line, size_t number)
{
    size_t len = strlen(line);
    if (len && line[len - 1] == '\r')
        line[--len] = '\0';
    if (blank(line))
        return 0;
    char *tab = strchr(line, '\t');
    if (!tab || tab == line || blank(tab + 1))
        return -1;
    *tab = '\0';
    b->id[b->n] = line;
    b->query[b->n] = tab + 1;
    b->line[b->n++] = number;
    return 0;
}

/* Read and check the whole batch; *bad_line is the first malformed line
 * (0 when the problem is reading the file). */
static int
batch_read(const char *path, batch *b, size_t *bad_line)
{
    size_t len = 0, lines = 1;
    memset(b, 0, sizeof *b);
    *bad_line = 0;
    if (!(b->buf = slurp(path, &len)))
        return -1;
    for (size_t i = 0; i < len; i++)
        lines += b->buf[i] == '\n';
    b->id = calloc(lines, sizeof *b->id);
    b->query = calloc(lines, sizeof *b->query);
    b->line = calloc(lines, sizeof *b->line);
    if (!b->id || !b->query || !b->line || memchr(b->buf, '\0', len)) {
        errno = b->id && b->query && b->line ? EINVAL : ENOMEM;
        return -1;
    }
    char *p = b->buf;
    for (size_t number = 1; p; number++) {
        char *nl = strchr(p, '\n');
        if (nl)
            *nl = '\0';
        if (add_line(b, p, number) != 0) {
            *bad_line = number;
            return -1;
        }
        p = nl ? nl + 1 : NULL;
    }
    return 0;
}

static int
run_one(px_index *ix, const char *prog, const batch *b, size_t i,
        px_request *req, const px_batch_out *how)
{
    px_results *r = NULL;
    char *err = NULL;
    req->query = b->query[i];
    px_status rc = px_search(ix, req, &r, &err);
    if (rc != PX_OK) {
        fprintf(stderr, "%s: line %zu (query %s): %s\n", prog, b->line[i],
                b->id[i], err ? err : px_status_to_string(rc));
        free(err);
        return 2;
    }
    if (how->trec) {
        px_output_trec(stdout, r, b->id[i], how->trec, how->trec_name);
    } else if (how->json) {
        px_output_json(stdout, r, b->query[i], NULL, 0);
    } else {
        printf("== %s: %s\n", b->id[i], b->query[i]);
        px_output_text(stdout, r, how->color);
    }
    int status = r->nhits ? 0 : 1;
    px_results_free(r);
    return status;
}

int
px_batch_run(px_index *ix, const char *prog, const char *path,
             const px_request *req, const px_batch_out *how)
{
    batch b;
    size_t bad = 0;
    if (batch_read(path, &b, &bad) != 0) {
        if (bad)
            fprintf(stderr, "%s: %s:%zu: not 'id<TAB>query': give each "
                    "query as an id, a tab and the query text\n", prog,
                    path, bad);
        else
            fprintf(stderr, "%s: cannot read the batch file %s: %s\n", prog,
                    path, strerror(errno));
        batch_free(&b);
        return 2;
    }
    px_request one = *req;
    int found = 0, failed = 0;
    for (size_t i = 0; i < b.n; i++) {
        int st = run_one(ix, prog, &b, i, &one, how);
        found |= st == 0;
        failed |= st == 2;
    }
    batch_free(&b);
    return failed ? 2 : found ? 0 : 1;
}
