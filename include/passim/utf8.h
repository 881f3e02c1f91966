/*
 * utf8.h — is this text, and is it UTF-8?
 *
 * passim indexes UTF-8 only. A file is classified before parsing: binary
 * files are skipped, valid UTF-8 is used as is, and text with invalid
 * sequences is repaired (each invalid byte decoded as Windows-1252, the
 * usual culprit, so "caf\xE9" becomes "café") rather than indexed as
 * garbage. Repairs are counted so the indexer can say what it did.
 */
#ifndef PASSIM_UTF8_H
#define PASSIM_UTF8_H

#include <stddef.h>
#include <stdint.h>

#include "passim/status.h"

typedef enum px_text_kind {
    PX_TEXT_UTF8,       /* valid UTF-8 text */
    PX_TEXT_REPAIRABLE, /* text with invalid UTF-8 sequences */
    PX_TEXT_BINARY      /* NUL bytes or mostly control bytes: not text */
} px_text_kind;

/* Decode one code point from s[0, len). Returns the bytes it used (1-4), or
 * 0 for an invalid, overlong, surrogate or truncated sequence. */
size_t px_utf8_decode(const char *s, size_t len, uint32_t *cp);

/* Classify buf[0, len) (an empty buffer is PX_TEXT_UTF8). */
px_text_kind px_utf8_classify(const char *buf, size_t len);

/* Copy buf[0, len) to valid UTF-8, decoding each invalid byte as
 * Windows-1252. Caller owns *out (NUL-terminated); free with free().
 * *repaired (may be NULL) receives the number of bytes repaired. */
px_status px_utf8_repair(const char *buf, size_t len, char **out,
                         size_t *out_len, size_t *repaired);

#endif /* PASSIM_UTF8_H */
