/*
 * junk.c — lines of text that are data, not words: base64 and hex dumps.
 *
 * A 4 MB base64 attachment pasted into a .txt file cost 112 MB of index:
 * Xapian's term generator splits it at '+' and '/' into words short
 * enough to keep. Such lines are left out of passages (article.c) and the
 * article says how many (px_article_cut()).
 */
#include "article-internal.h"

/* A base64 line: long, no blanks, only the alphabet (standard or URL-safe,
 * with padding), and letters of both cases mixed with digits, as encoded
 * data has and words do not. */
static int
base64_line(const char *s, size_t n, int after_junk)
{
    size_t upper = 0, lower = 0, digit = 0;
    if (n < (after_junk ? 1 : JUNK_BASE64_MIN))
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c >= 'A' && c <= 'Z')
            upper++;
        else if (c >= 'a' && c <= 'z')
            lower++;
        else if (c >= '0' && c <= '9')
            digit++;
        else if (c != '+' && c != '/' && c != '=' && c != '-' && c != '_')
            return 0;
    }
    /* The short last line of a base64 run is taken with the run. */
    return after_junk || (upper * 8 >= n && lower * 8 >= n && digit > 0);
}

static int
hex_digit(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
           (c >= 'A' && c <= 'F');
}

/* A hex dump line: at least 8 tokens, three in four of them hex numbers
 * (an offset may end in ':'), and one in eight with letters, as a table
 * of decimal numbers has not. */
static int
hex_line(const char *s, size_t n)
{
    size_t tokens = 0, hex = 0, lettered = 0, i = 0;
    while (i < n) {
        while (i < n && (s[i] == ' ' || s[i] == '\t'))
            i++;
        if (i == n)
            break;
        size_t start = i, letters = 0;
        int all_hex = 1;
        while (i < n && s[i] != ' ' && s[i] != '\t') {
            all_hex &= hex_digit(s[i]) || (s[i] == ':' && i + 1 < n &&
                                           (s[i + 1] == ' ' || s[i + 1] == '\t'));
            letters += (s[i] | 0x20) >= 'a' && (s[i] | 0x20) <= 'f';
            i++;
        }
        size_t len = i - start;
        tokens++;
        if (all_hex && len >= 2 && len <= 16) {
            hex++;
            lettered += letters > 0;
        }
    }
    return tokens >= 8 && hex * 4 >= tokens * 3 && lettered * 8 >= hex &&
           lettered > 0;
}

int
junk_line(const char *s, size_t n, int after_junk)
{
    return base64_line(s, n, after_junk) || hex_line(s, n);
}
