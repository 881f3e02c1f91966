/*
 * fuzz_date.c — libFuzzer target: dates found in text, with and without
 * an article date, and one query value normalised.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "passim/date.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
check(void *ctx, size_t start, size_t end, const char *iso, size_t iso_len)
{
    size_t len = *(const size_t *)ctx;
    if (start > end || end > len || strlen(iso) != iso_len)
        __builtin_trap();
    return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    char out[PX_DATE_ISO_MAX];
    px_date_find(text, size, NULL, check, &size);
    px_date_find(text, size, "2024-03-16", check, &size);
    if (px_date_normalise(text, size, "2019-12-31", out) == PX_OK &&
        strlen(out) >= PX_DATE_ISO_MAX)
        __builtin_trap();
    return 0;
}
