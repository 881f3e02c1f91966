/*
 * fuzz_article.c — libFuzzer target: file bytes to an article and its
 * passages. The first byte picks the format (text, Markdown, HTML, or
 * by content); the rest is the file.
 */
#include <stddef.h>
#include <stdint.h>

#include "passim/article.h"
#include "passim/passage.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const px_format formats[] = {PX_FORMAT_TEXT, PX_FORMAT_MARKDOWN,
                                        PX_FORMAT_HTML, PX_FORMAT_UNKNOWN};
    if (size == 0)
        return 0;
    px_format f = formats[data[0] % 4];
    px_article *a = NULL;
    if (px_article_parse((const char *)data + 1, size - 1, f, &a) != PX_OK)
        return 0;
    px_passages *ps = NULL;
    if (px_passage_split(a, NULL, &ps) == PX_OK) {
        for (size_t i = 0; i < px_passages_count(ps); i++)
            (void)px_passages_get(ps, i);
        px_passages_destroy(ps);
    }
    (void)px_article_title(a);
    (void)px_article_date(a);
    (void)px_article_cut(a);
    px_article_destroy(a);
    return 0;
}
