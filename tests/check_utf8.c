/*
 * check_utf8.c — strict decoding, classification and Windows-1252 repair.
 */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "passim/utf8.h"

static size_t
dec(const char *s, size_t len, uint32_t *cp)
{
    *cp = 0xDEADBEEF;
    return px_utf8_decode(s, len, cp);
}

START_TEST(decode_valid)
{
    uint32_t cp;
    ck_assert_uint_eq(dec("A", 1, &cp), 1);
    ck_assert_uint_eq(cp, 'A');
    ck_assert_uint_eq(dec("\xC3\xA9", 2, &cp), 2);
    ck_assert_uint_eq(cp, 0xE9);
    ck_assert_uint_eq(dec("\xE2\x82\xAC", 3, &cp), 3);
    ck_assert_uint_eq(cp, 0x20AC);
    ck_assert_uint_eq(dec("\xF0\x9F\x98\x80", 4, &cp), 4);
    ck_assert_uint_eq(cp, 0x1F600);
    /* The smallest and largest code point of each length. */
    ck_assert_uint_eq(dec("\xC2\x80", 2, &cp), 2);
    ck_assert_uint_eq(cp, 0x80);
    ck_assert_uint_eq(dec("\xE0\xA0\x80", 3, &cp), 3);
    ck_assert_uint_eq(cp, 0x800);
    ck_assert_uint_eq(dec("\xF0\x90\x80\x80", 4, &cp), 4);
    ck_assert_uint_eq(cp, 0x10000);
    ck_assert_uint_eq(dec("\xF4\x8F\xBF\xBF", 4, &cp), 4);
    ck_assert_uint_eq(cp, 0x10FFFF);
    /* Only the first character is decoded. */
    ck_assert_uint_eq(dec("\xC3\xA9xyz", 5, &cp), 2);
    ck_assert_uint_eq(px_utf8_decode("\xC3\xA9", 2, NULL), 2);
}
END_TEST

START_TEST(decode_overlong)
{
    uint32_t cp;
    ck_assert_uint_eq(dec("\xC0\x80", 2, &cp), 0);
    ck_assert_uint_eq(dec("\xC1\xBF", 2, &cp), 0);
    ck_assert_uint_eq(dec("\xE0\x80\x80", 3, &cp), 0);
    ck_assert_uint_eq(dec("\xE0\x9F\xBF", 3, &cp), 0);
    ck_assert_uint_eq(dec("\xF0\x80\x80\x80", 4, &cp), 0);
    ck_assert_uint_eq(dec("\xF0\x8F\xBF\xBF", 4, &cp), 0);
}
END_TEST

START_TEST(decode_surrogates_and_range)
{
    uint32_t cp;
    ck_assert_uint_eq(dec("\xED\xA0\x80", 3, &cp), 0); /* U+D800 */
    ck_assert_uint_eq(dec("\xED\xBF\xBF", 3, &cp), 0); /* U+DFFF */
    ck_assert_uint_eq(dec("\xED\x9F\xBF", 3, &cp), 3); /* U+D7FF */
    ck_assert_uint_eq(cp, 0xD7FF);
    ck_assert_uint_eq(dec("\xEE\x80\x80", 3, &cp), 3); /* U+E000 */
    ck_assert_uint_eq(cp, 0xE000);
    ck_assert_uint_eq(dec("\xF4\x90\x80\x80", 4, &cp), 0); /* > U+10FFFF */
    ck_assert_uint_eq(dec("\xF5\x80\x80\x80", 4, &cp), 0);
    ck_assert_uint_eq(dec("\xFF", 1, &cp), 0);
}
END_TEST

START_TEST(decode_truncated_and_broken)
{
    uint32_t cp;
    ck_assert_uint_eq(dec("", 0, &cp), 0);
    ck_assert_uint_eq(dec(NULL, 3, &cp), 0);
    ck_assert_uint_eq(dec("\xC3", 1, &cp), 0);
    ck_assert_uint_eq(dec("\xC3\xA9", 1, &cp), 0); /* len cuts it short */
    ck_assert_uint_eq(dec("\xE2\x82", 2, &cp), 0);
    ck_assert_uint_eq(dec("\xF0\x9F\x98", 3, &cp), 0);
    ck_assert_uint_eq(dec("\xC3\x28", 2, &cp), 0); /* bad continuation */
    ck_assert_uint_eq(dec("\xE2\x28\xA1", 3, &cp), 0);
    ck_assert_uint_eq(dec("\x80", 1, &cp), 0); /* lone continuation */
}
END_TEST

START_TEST(classify_kinds)
{
    ck_assert_int_eq(px_utf8_classify("", 0), PX_TEXT_UTF8);
    ck_assert_int_eq(px_utf8_classify("plain ascii\n", 12), PX_TEXT_UTF8);
    const char *cafe = "caf\xC3\xA9 \xE2\x80\x9Cquoted\xE2\x80\x9D\n";
    ck_assert_int_eq(px_utf8_classify(cafe, strlen(cafe)), PX_TEXT_UTF8);
    ck_assert_int_eq(px_utf8_classify("caf\xE9", 4), PX_TEXT_REPAIRABLE);
    ck_assert_int_eq(px_utf8_classify("ends in \xC3", 9), PX_TEXT_REPAIRABLE);
    ck_assert_int_eq(px_utf8_classify("abc\0def", 7), PX_TEXT_BINARY);
    /* Tabs, form feeds, CRLF and terminal escapes are text. */
    const char *ctl = "a\tb\fc\r\n\x1B[1mbold\x1B[0m\n";
    ck_assert_int_eq(px_utf8_classify(ctl, strlen(ctl)), PX_TEXT_UTF8);
}
END_TEST

START_TEST(classify_control_heavy)
{
    char buf[1000];
    for (size_t i = 0; i < sizeof buf; i++)
        buf[i] = (char)(i % 4 == 0 ? 0x01 + (i % 7) : 'x');
    ck_assert_int_eq(px_utf8_classify(buf, sizeof buf), PX_TEXT_BINARY);
    /* A stray control byte or two does not make text binary. */
    memset(buf, 'x', sizeof buf);
    buf[10] = 0x07, buf[500] = 0x1A;
    ck_assert_int_eq(px_utf8_classify(buf, sizeof buf), PX_TEXT_UTF8);
}
END_TEST

START_TEST(classify_sniffs_only_the_start)
{
    /* Binary detection looks at the first 8 KiB only. */
    size_t n = 20000;
    char *buf = malloc(n);
    ck_assert_ptr_nonnull(buf);
    memset(buf, 'a', n);
    buf[100] = '\0';
    ck_assert_int_eq(px_utf8_classify(buf, n), PX_TEXT_BINARY);
    buf[100] = 'a';
    buf[n - 1] = '\xE9';
    ck_assert_int_eq(px_utf8_classify(buf, n), PX_TEXT_REPAIRABLE);
    free(buf);
}
END_TEST

static void
check_repair(const char *in, size_t len, const char *want, size_t want_rep)
{
    char *out = NULL;
    size_t out_len = 99;
    size_t rep = 99;
    ck_assert_int_eq(px_utf8_repair(in, len, &out, &out_len, &rep), PX_OK);
    ck_assert_ptr_nonnull(out);
    ck_assert_str_eq(out, want);
    ck_assert_uint_eq(out_len, strlen(want));
    ck_assert_uint_eq(rep, want_rep);
    free(out);
}

START_TEST(repair_latin1)
{
    check_repair("caf\xE9", 4, "caf\xC3\xA9", 1);
    check_repair("na\xEFve \xC6sop", 10, "na\xC3\xAFve \xC3\x86sop", 2);
    check_repair("\xA3" "5", 2, "\xC2\xA3" "5", 1);
    /* Valid UTF-8 next to invalid bytes is kept. */
    check_repair("\xC3\xA9\xE9", 3, "\xC3\xA9\xC3\xA9", 1);
    check_repair("clean", 5, "clean", 0);
    check_repair("", 0, "", 0);
}
END_TEST

START_TEST(repair_windows1252)
{
    check_repair("\x93quoted\x94", 8, "\xE2\x80\x9Cquoted\xE2\x80\x9D", 2);
    check_repair("it\x92s \x80" "5 \x97 ok", 12,
                 "it\xE2\x80\x99s \xE2\x82\xAC" "5 \xE2\x80\x94 ok", 3);
    /* Bytes Windows-1252 leaves undefined become U+FFFD. */
    check_repair("a\x81" "b\x9D", 4, "a\xEF\xBF\xBD" "b\xEF\xBF\xBD", 2);
}
END_TEST

START_TEST(repair_broken_sequences)
{
    /* Each byte of an overlong or truncated sequence is repaired alone. */
    check_repair("\xC0\xAF", 2, "\xC3\x80\xC2\xAF", 2);
    check_repair("x\xE2\x82", 3, "x\xC3\xA2\xE2\x80\x9A", 2);
    check_repair("\xED\xA0\x80", 3, "\xC3\xAD\xC2\xA0\xE2\x82\xAC", 3);
}
END_TEST

START_TEST(repair_output_always_valid)
{
    /* Whatever the input, the output is valid UTF-8 and the repairs are
     * at most the input length. */
    unsigned int seed = 12345;
    char buf[512];
    for (int round = 0; round < 200; round++) {
        for (size_t i = 0; i < sizeof buf; i++) {
            seed = seed * 1103515245u + 12345u;
            buf[i] = (char)((seed >> 16) & 0xFF);
            if (buf[i] == 0)
                buf[i] = ' ';
        }
        char *out = NULL;
        size_t out_len = 0;
        size_t rep = 0;
        ck_assert_int_eq(px_utf8_repair(buf, sizeof buf, &out, &out_len, &rep),
                         PX_OK);
        for (size_t i = 0, n = 0; i < out_len; i += n) {
            uint32_t cp;
            n = px_utf8_decode(out + i, out_len - i, &cp);
            ck_assert_uint_gt(n, 0);
        }
        ck_assert_uint_le(rep, sizeof buf);
        ck_assert_uint_ge(out_len, sizeof buf);
        free(out);
    }
}
END_TEST

START_TEST(repair_bad_arguments)
{
    char *out = (char *)1;
    size_t out_len = 5;
    ck_assert_int_eq(px_utf8_repair(NULL, 3, &out, &out_len, NULL),
                     PX_INVALID_ARGUMENT);
    ck_assert_ptr_null(out);
    ck_assert_uint_eq(out_len, 0);
    ck_assert_int_eq(px_utf8_repair("x", 1, NULL, &out_len, NULL),
                     PX_INVALID_ARGUMENT);
    ck_assert_int_eq(px_utf8_repair("x", 1, &out, NULL, NULL),
                     PX_INVALID_ARGUMENT);
}
END_TEST

static Suite *
make_suite(void)
{
    const px_check_case cases[] = {
        {"decode_valid", decode_valid},
        {"decode_overlong", decode_overlong},
        {"decode_surrogates_and_range", decode_surrogates_and_range},
        {"decode_truncated_and_broken", decode_truncated_and_broken},
        {"classify_kinds", classify_kinds},
        {"classify_control_heavy", classify_control_heavy},
        {"classify_sniffs_only_the_start", classify_sniffs_only_the_start},
        {"repair_latin1", repair_latin1},
        {"repair_windows1252", repair_windows1252},
        {"repair_broken_sequences", repair_broken_sequences},
        {"repair_output_always_valid", repair_output_always_valid},
        {"repair_bad_arguments", repair_bad_arguments},
    };
    return px_check_suite("utf8", cases, sizeof cases / sizeof cases[0]);
}

PX_CHECK_MAIN(make_suite)
