/*
 * token.c — words as Xapian's TermGenerator finds them, with byte spans.
 *
 * The scanner follows the structure of parse_terms() in xapian-core 1.4
 * (queryparser/termgenerator_internal.cc, without CJK n-grams, which passim
 * does not enable) step by step, because the only way to be sure a folded
 * word equals the term Xapian indexed is to take the same decisions in the
 * same order. Differences that are deliberate: invalid UTF-8 bytes separate
 * words (Xapian would read each as a Latin-1 character; passim repairs text
 * before indexing, so Xapian never sees them), and each word comes with the
 * byte span of the characters that made its folded form.
 */
#include "passim/token.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

/* Room for a word of PX_TOKEN_MAX_WORD bytes, the one code point that can
 * take it over the limit, and a NUL: words that overflow are dropped, so
 * px_token_each never needs more than this. */
#define SMALL_CAP 80

/* What decode() returns for an invalid byte: no word character, infix or
 * suffix, so an invalid byte ends any word. */
#define INVALID 0xFFFFFFFFu

/* What the infix checks return for a zero-width character that Xapian
 * skips inside a word without adding it to the term. */
#define IGNORE 0xFFFFFFFEu

/*
 * Code points that Unicode 15 (utf8proc 2.8) makes letters, marks, digits
 * or connectors but that Xapian 1.4.22's tables (Unicode 9) leave
 * unassigned, so Xapian does not treat them as word characters. Generated
 * by sweeping every code point through Xapian::Unicode::is_wordchar and
 * utf8proc; with it the two agree on every code point, and all their case
 * mapping differences fall inside these ranges.
 */
static const uint32_t unassigned_in_xapian[][2] = {
    {0x0560, 0x0560}, {0x0588, 0x0588}, {0x05EF, 0x05EF}, {0x07FD, 0x07FD},
    {0x0860, 0x086A}, {0x0870, 0x0887}, {0x0889, 0x088E}, {0x0898, 0x089F},
    {0x08B5, 0x08B5}, {0x08BE, 0x08D3}, {0x09FC, 0x09FC}, {0x09FE, 0x09FE},
    {0x0AFA, 0x0AFF}, {0x0B55, 0x0B55}, {0x0C04, 0x0C04}, {0x0C3C, 0x0C3C},
    {0x0C5D, 0x0C5D}, {0x0CDD, 0x0CDD}, {0x0CF3, 0x0CF3}, {0x0D00, 0x0D00},
    {0x0D04, 0x0D04}, {0x0D3B, 0x0D3C}, {0x0D81, 0x0D81}, {0x0E86, 0x0E86},
    {0x0E89, 0x0E89}, {0x0E8C, 0x0E8C}, {0x0E8E, 0x0E93}, {0x0E98, 0x0E98},
    {0x0EA0, 0x0EA0}, {0x0EA8, 0x0EA9}, {0x0EAC, 0x0EAC}, {0x0EBA, 0x0EBA},
    {0x0ECE, 0x0ECE}, {0x170D, 0x170D}, {0x1715, 0x1715}, {0x171F, 0x171F},
    {0x180F, 0x180F}, {0x1878, 0x1878}, {0x1ABF, 0x1ACE}, {0x1B4C, 0x1B4C},
    {0x1C90, 0x1CBA}, {0x1CBD, 0x1CBF}, {0x1CF7, 0x1CF7}, {0x1CFA, 0x1CFA},
    {0x1DF6, 0x1DFA}, {0x2C2F, 0x2C2F}, {0x2C5F, 0x2C5F}, {0x312E, 0x312F},
    {0x31BB, 0x31BF}, {0x4DB6, 0x4DBF}, {0x9FD6, 0x9FFF}, {0xA7AF, 0xA7AF},
    {0xA7B8, 0xA7CA}, {0xA7D0, 0xA7D1}, {0xA7D3, 0xA7D3}, {0xA7D5, 0xA7D9},
    {0xA7F2, 0xA7F6}, {0xA82C, 0xA82C}, {0xA8FE, 0xA8FF}, {0xAB66, 0xAB69},
    {0x1032D, 0x1032F}, {0x10570, 0x1057A}, {0x1057C, 0x1058A}, {0x1058C, 0x10592},
    {0x10594, 0x10595}, {0x10597, 0x105A1}, {0x105A3, 0x105B1}, {0x105B3, 0x105B9},
    {0x105BB, 0x105BC}, {0x10780, 0x10785}, {0x10787, 0x107B0}, {0x107B2, 0x107BA},
    {0x10A34, 0x10A35}, {0x10A48, 0x10A48}, {0x10D00, 0x10D27}, {0x10D30, 0x10D39},
    {0x10E80, 0x10EA9}, {0x10EAB, 0x10EAC}, {0x10EB0, 0x10EB1}, {0x10EFD, 0x10F27},
    {0x10F30, 0x10F54}, {0x10F70, 0x10F85}, {0x10FB0, 0x10FCB}, {0x10FE0, 0x10FF6},
    {0x11070, 0x11075}, {0x110C2, 0x110C2}, {0x11144, 0x11147}, {0x111C9, 0x111C9},
    {0x111CE, 0x111CF}, {0x1123F, 0x11241}, {0x1133B, 0x1133B}, {0x1145E, 0x11461},
    {0x116B8, 0x116B8}, {0x1171A, 0x1171A}, {0x11740, 0x11746}, {0x11800, 0x1183A},
    {0x11900, 0x11906}, {0x11909, 0x11909}, {0x1190C, 0x11913}, {0x11915, 0x11916},
    {0x11918, 0x11935}, {0x11937, 0x11938}, {0x1193B, 0x11943}, {0x11950, 0x11959},
    {0x119A0, 0x119A7}, {0x119AA, 0x119D7}, {0x119DA, 0x119E1}, {0x119E3, 0x119E4},
    {0x11A00, 0x11A3E}, {0x11A47, 0x11A47}, {0x11A50, 0x11A99}, {0x11A9D, 0x11A9D},
    {0x11AB0, 0x11ABF}, {0x11D00, 0x11D06}, {0x11D08, 0x11D09}, {0x11D0B, 0x11D36},
    {0x11D3A, 0x11D3A}, {0x11D3C, 0x11D3D}, {0x11D3F, 0x11D47}, {0x11D50, 0x11D59},
    {0x11D60, 0x11D65}, {0x11D67, 0x11D68}, {0x11D6A, 0x11D8E}, {0x11D90, 0x11D91},
    {0x11D93, 0x11D98}, {0x11DA0, 0x11DA9}, {0x11EE0, 0x11EF6}, {0x11F00, 0x11F10},
    {0x11F12, 0x11F3A}, {0x11F3E, 0x11F42}, {0x11F50, 0x11F59}, {0x11FB0, 0x11FB0},
    {0x11FC0, 0x11FD4}, {0x12F90, 0x12FF0}, {0x1342F, 0x1342F}, {0x13440, 0x13455},
    {0x16A70, 0x16ABE}, {0x16AC0, 0x16AC9}, {0x16E40, 0x16E96}, {0x16F45, 0x16F4A},
    {0x16F4F, 0x16F4F}, {0x16F7F, 0x16F87}, {0x16FE1, 0x16FE1}, {0x16FE3, 0x16FE4},
    {0x16FF0, 0x16FF1}, {0x187ED, 0x187F7}, {0x18AF3, 0x18CD5}, {0x18D00, 0x18D08},
    {0x1AFF0, 0x1AFF3}, {0x1AFF5, 0x1AFFB}, {0x1AFFD, 0x1AFFE}, {0x1B002, 0x1B122},
    {0x1B132, 0x1B132}, {0x1B150, 0x1B152}, {0x1B155, 0x1B155}, {0x1B164, 0x1B167},
    {0x1B170, 0x1B2FB}, {0x1CF00, 0x1CF2D}, {0x1CF30, 0x1CF46}, {0x1D2C0, 0x1D2D3},
    {0x1D2E0, 0x1D2F3}, {0x1D372, 0x1D378}, {0x1DF00, 0x1DF1E}, {0x1DF25, 0x1DF2A},
    {0x1E030, 0x1E06D}, {0x1E08F, 0x1E08F}, {0x1E100, 0x1E12C}, {0x1E130, 0x1E13D},
    {0x1E140, 0x1E149}, {0x1E14E, 0x1E14E}, {0x1E290, 0x1E2AE}, {0x1E2C0, 0x1E2F9},
    {0x1E4D0, 0x1E4F9}, {0x1E7E0, 0x1E7E6}, {0x1E7E8, 0x1E7EB}, {0x1E7ED, 0x1E7EE},
    {0x1E7F0, 0x1E7FE}, {0x1E94B, 0x1E94B}, {0x1EC71, 0x1ECAB}, {0x1ECAD, 0x1ECAF},
    {0x1ECB1, 0x1ECB4}, {0x1ED01, 0x1ED2D}, {0x1ED2F, 0x1ED3D}, {0x1FBF0, 0x1FBF9},
    {0x2A6D7, 0x2A6DF}, {0x2B735, 0x2B739}, {0x2CEB0, 0x2EBE0}, {0x30000, 0x3134A},
    {0x31350, 0x323AF},   
};

struct scanner {
    const unsigned char *s;
    size_t len;
    char *buf;  /* the folded word: small, or on the heap in grow mode */
    size_t cap; /* bytes usable in buf, leaving room for a NUL */
    size_t n;   /* folded length so far; may pass cap when not growing */
    bool grow;  /* folding one word of any length (px_token_fold) */
    bool nomem;
    char small[SMALL_CAP];
};

static void
scanner_init(struct scanner *sc, const char *text, size_t len, bool grow)
{
    sc->s = (const unsigned char *)text;
    sc->len = len;
    sc->buf = sc->small;
    sc->cap = SMALL_CAP - 1;
    sc->n = 0;
    sc->grow = grow;
    sc->nomem = false;
}

static void
scanner_free(struct scanner *sc)
{
    if (sc->buf != sc->small)
        free(sc->buf);
}

/* Decode a multi-byte sequence strictly (no overlongs, surrogates or code
 * points past U+10FFFF); anything else is one invalid byte. */
static size_t
decode_multi(const unsigned char *s, size_t len, uint32_t *cp)
{
    size_t need;
    uint32_t c, min;

    if (s[0] >= 0xc2 && s[0] <= 0xdf) {
        need = 2;
        c = s[0] & 0x1fu;
        min = 0x80;
    } else if ((s[0] & 0xf0) == 0xe0) {
        need = 3;
        c = s[0] & 0x0fu;
        min = 0x800;
    } else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
        need = 4;
        c = s[0] & 0x07u;
        min = 0x10000;
    } else {
        goto invalid;
    }
    if (len < need)
        goto invalid;
    for (size_t k = 1; k < need; k++) {
        if ((s[k] & 0xc0) != 0x80)
            goto invalid;
        c = (c << 6) | (s[k] & 0x3fu);
    }
    if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
        goto invalid;
    *cp = c;
    return need;
invalid:
    *cp = INVALID;
    return 1;
}

/* The code point at s[i] (i < len) and its length in bytes, at least 1. */
static inline size_t
decode(const unsigned char *s, size_t len, size_t i, uint32_t *cp)
{
    if (s[i] < 0x80) {
        *cp = s[i];
        return 1;
    }
    return decode_multi(s + i, len - i, cp);
}

static inline bool
is_ascii_upper(uint32_t c)
{
    return c - 'A' < 26u;
}

static bool
known_to_xapian(uint32_t c)
{
    size_t lo = 0, hi = sizeof unassigned_in_xapian /
                        sizeof unassigned_in_xapian[0];

    if (c < unassigned_in_xapian[0][0])
        return true;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (c < unassigned_in_xapian[mid][0])
            hi = mid;
        else if (c > unassigned_in_xapian[mid][1])
            lo = mid + 1;
        else
            return false;
    }
    return true;
}

/* Xapian's is_wordchar(): letters, marks, numbers and connectors. */
static bool
is_wordchar_slow(uint32_t c)
{
    switch (utf8proc_category((utf8proc_int32_t)c)) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO:
    case UTF8PROC_CATEGORY_MN:
    case UTF8PROC_CATEGORY_MC:
    case UTF8PROC_CATEGORY_ME:
    case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_NL:
    case UTF8PROC_CATEGORY_NO:
    case UTF8PROC_CATEGORY_PC:
        return known_to_xapian(c);
    default:
        return false;
    }
}

/* Xapian's check_wordchar(): the lower-case form of a word character, or 0
 * for anything else. ASCII, nearly every byte of English text, stays off
 * the Unicode tables. */
static inline uint32_t
wordchar(uint32_t c)
{
    if (c < 0x80) {
        if (c - 'a' < 26u || c - '0' < 10u || c == '_')
            return c;
        return is_ascii_upper(c) ? c + 32 : 0;
    }
    if (c == INVALID || !is_wordchar_slow(c))
        return 0;
    return (uint32_t)utf8proc_tolower((utf8proc_int32_t)c);
}

static bool
is_digit(uint32_t c)
{
    if (c < 0x80)
        return c - '0' < 10u;
    return c != INVALID && is_wordchar_slow(c) &&
           utf8proc_category((utf8proc_int32_t)c) == UTF8PROC_CATEGORY_ND;
}

static bool
is_zero_width(uint32_t c)
{
    return (c >= 0x200b && c <= 0x200d) || c == 0x2060 || c == 0xfeff;
}

/* Xapian's check_infix(): what joins two letters into one word ("don't",
 * "AT&T"). Curly apostrophes become a straight one so "don’t" and "don't"
 * are the same term. */
static uint32_t
infix_letter(uint32_t c)
{
    if (c == '\'' || c == '&' || c == 0xb7 || c == 0x5f4 || c == 0x2027)
        return c;
    if (c == 0x2019 || c == 0x201b)
        return '\'';
    return is_zero_width(c) ? IGNORE : 0;
}

/* Xapian's check_infix_digit(): what joins two digits ("3.14", "1,000"). */
static uint32_t
infix_digit(uint32_t c)
{
    switch (c) {
    case ',':
    case '.':
    case ';':
    case 0x037e: /* Greek question mark */
    case 0x0589: /* Armenian full stop */
    case 0x060d: /* Arabic date separator */
    case 0x07f8: /* NKo comma */
    case 0x2044: /* fraction slash */
    case 0xfe10: /* vertical comma */
    case 0xfe13: /* vertical colon */
    case 0xfe14: /* vertical semicolon */
        return c;
    default:
        return is_zero_width(c) ? IGNORE : 0;
    }
}

static bool
grow(struct scanner *sc, size_t need)
{
    size_t cap = sc->cap * 2 > need ? sc->cap * 2 : need;
    char *p;

    if (sc->buf == sc->small) {
        p = malloc(cap + 1);
        if (p != NULL)
            memcpy(p, sc->small, sc->n);
    } else {
        p = realloc(sc->buf, cap + 1);
    }
    if (p == NULL) {
        sc->nomem = true;
        return false;
    }
    sc->buf = p;
    sc->cap = cap;
    return true;
}

/* Append c to the folded word. Past the buffer, when not growing, only
 * the length is counted: such a word is over PX_TOKEN_MAX_WORD and will be
 * dropped, and every byte of a word under the limit fits. */
static void
append(struct scanner *sc, uint32_t c)
{
    utf8proc_uint8_t tmp[4];
    size_t k;

    if (c < 0x80 && sc->n < sc->cap) {
        sc->buf[sc->n++] = (char)c;
        return;
    }
    k = (size_t)utf8proc_encode_char((utf8proc_int32_t)c, tmp);
    if (sc->n + k > sc->cap && !(sc->grow && grow(sc, sc->n + k))) {
        sc->n += k;
        return;
    }
    memcpy(sc->buf + sc->n, tmp, k);
    sc->n += k;
}

/* Initials separated by dots ("U.S.A.", "P.T.O") are one word without the
 * dots, tried before any other rule, as long as there are at least two and
 * no word character follows: "U.S.army" is three words. Returns false,
 * leaving nothing folded, when the word at *pos is no acronym. */
static bool
scan_acronym(struct scanner *sc, size_t *pos, size_t *end)
{
    const unsigned char *s = sc->s;
    size_t len = sc->len, p = *pos, last;
    uint32_t cp = 0;

    do {
        append(sc, s[p] + 32u);
        last = ++p;
    } while (p < len && s[p] == '.' && ++p < len && is_ascii_upper(s[p]));
    if (sc->n > 1) {
        if (p < len)
            decode(s, len, p, &cp);
        if (p >= len || wordchar(cp) == 0) {
            *pos = p;
            *end = last;
            return true;
        }
    }
    sc->n = 0;
    return false;
}

/* Up to three '+' or '#' right after a word stay in it ("c++", "c#"), but
 * not four, and not when a word character follows ("fish+chips"). cp is the
 * character at i, which ended the word at *end. Returns where to go on. */
static size_t
scan_suffix(struct scanner *sc, size_t i, uint32_t cp, size_t *end)
{
    size_t base = sc->n, base_end = *end;
    unsigned count = 0;

    while (cp == '+' || cp == '#') {
        if (++count > 3) {
            sc->n = base;
            *end = base_end;
            return i;
        }
        append(sc, cp);
        *end = ++i;
        if (i >= sc->len)
            return i;
        decode(sc->s, sc->len, i, &cp);
    }
    if (wordchar(cp) != 0) {
        sc->n = base;
        *end = base_end;
    }
    return i;
}

/* Fold the word whose first character, of w bytes, is at i and folds to
 * ch: runs of word characters joined by one infix character ("don't",
 * "3.14"), then a suffix. Sets *end and returns where to go on. */
static size_t
scan_word(struct scanner *sc, size_t i, uint32_t ch, size_t w, size_t *end)
{
    const unsigned char *s = sc->s;
    size_t len = sc->len, next, nw;
    uint32_t cp = 0, prev, ncp, nextch, infix;

    for (;;) {
        do {
            append(sc, ch);
            prev = ch;
            i += w;
            *end = i;
            if (i >= len)
                return i;
            w = decode(s, len, i, &cp);
            ch = wordchar(cp);
        } while (ch != 0);
        next = i + w;
        if (next >= len)
            break;
        nw = decode(s, len, next, &ncp);
        nextch = wordchar(ncp);
        if (nextch == 0)
            break;
        infix = is_digit(prev) && is_digit(ncp) ? infix_digit(cp)
                                                : infix_letter(cp);
        if (infix == 0)
            break;
        if (infix != IGNORE)
            append(sc, infix);
        ch = nextch;
        i = next;
        w = nw;
    }
    return scan_suffix(sc, i, cp, end);
}

/* Find the next word from *pos: its span in [*start, *end), its folded
 * form in sc, and *pos moved past it. False when the text has no more. */
static bool
next_word(struct scanner *sc, size_t *pos, size_t *start, size_t *end)
{
    size_t i = *pos, w = 1;
    uint32_t cp = 0, ch = 0;

    for (; i < sc->len; i += w) {
        w = decode(sc->s, sc->len, i, &cp);
        ch = wordchar(cp);
        if (ch != 0)
            break;
    }
    if (i >= sc->len)
        return false;
    *start = i;
    sc->n = 0;
    if (is_ascii_upper(cp) && scan_acronym(sc, &i, end)) {
        *pos = i;
        return true;
    }
    *pos = scan_word(sc, i, ch, w, end);
    return true;
}

px_status
px_token_each(const char *text, size_t len, px_token_fn fn, void *ctx)
{
    struct scanner sc;
    size_t pos = 0, start, end;

    if (fn == NULL || (text == NULL && len > 0))
        return PX_INVALID_ARGUMENT;
    scanner_init(&sc, text, len, false);
    while (next_word(&sc, &pos, &start, &end)) {
        /* Xapian's TermGenerator drops longer terms without giving them a
         * position, so reporting them would put every later word off by
         * one from Xapian's positions. */
        if (sc.n > PX_TOKEN_MAX_WORD)
            continue;
        sc.buf[sc.n] = '\0';
        if (fn(ctx, start, end, sc.buf, sc.n) != 0)
            break;
    }
    return PX_OK;
}

static bool
valid_utf8(const char *text, size_t len)
{
    const unsigned char *s = (const unsigned char *)text;
    uint32_t cp;
    size_t w;

    for (size_t i = 0; i < len; i += w) {
        w = decode(s, len, i, &cp);
        if (cp == INVALID)
            return false;
    }
    return true;
}

/* The fallback fold of text that is not exactly one word: each character
 * on its own, word characters lower-cased, curly apostrophes straightened
 * and zero-width characters dropped. */
static px_status
fold_chars(const char *text, size_t len, char **out, size_t *out_len)
{
    struct scanner sc;
    size_t w;
    uint32_t cp, c;

    scanner_init(&sc, text, len, true);
    for (size_t i = 0; i < len && !sc.nomem; i += w) {
        w = decode(sc.s, len, i, &cp);
        if (is_zero_width(cp))
            continue;
        c = wordchar(cp);
        if (c == 0)
            c = cp == 0x2019 || cp == 0x201b ? '\'' : cp;
        append(&sc, c);
    }
    if (!sc.nomem)
        *out = malloc(sc.n + 1);
    if (*out != NULL) {
        memcpy(*out, sc.buf, sc.n);
        (*out)[sc.n] = '\0';
        *out_len = sc.n;
    }
    scanner_free(&sc);
    return *out != NULL ? PX_OK : PX_NOMEM;
}

/* Fold text that holds exactly one word as the tokenizer does, into a new
 * string. False, leaving *out NULL, when it holds none or several, or when
 * memory runs out (sc->nomem says which). */
static bool
fold_only_word(struct scanner *sc, char **out, size_t *out_len)
{
    size_t pos = 0, start, end;

    if (!next_word(sc, &pos, &start, &end) || sc->nomem)
        return false;
    *out = malloc(sc->n + 1);
    if (*out == NULL) {
        sc->nomem = true;
        return false;
    }
    memcpy(*out, sc->buf, sc->n);
    (*out)[sc->n] = '\0';
    *out_len = sc->n;
    if (next_word(sc, &pos, &start, &end) || sc->nomem) {
        free(*out);
        *out = NULL;
        *out_len = 0;
        return false;
    }
    return true;
}

/* What an ASCII byte is to the fast path below: a word character
 * (letters, digits, '_'), or one that may belong to a word without being
 * a word character (the infixes of "don't", "AT&T", "3.14" and "1,000",
 * acronym dots, the suffixes of "c++" and "c#"); any other byte ends
 * every word. */
enum { ASCII_WORD = 1, ASCII_SOFT = 2 };

static const unsigned char ascii_class[128] = {
    ['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1,
    ['5'] = 1, ['6'] = 1, ['7'] = 1, ['8'] = 1, ['9'] = 1,
    ['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1, ['E'] = 1, ['F'] = 1,
    ['G'] = 1, ['H'] = 1, ['I'] = 1, ['J'] = 1, ['K'] = 1, ['L'] = 1,
    ['M'] = 1, ['N'] = 1, ['O'] = 1, ['P'] = 1, ['Q'] = 1, ['R'] = 1,
    ['S'] = 1, ['T'] = 1, ['U'] = 1, ['V'] = 1, ['W'] = 1, ['X'] = 1,
    ['Y'] = 1, ['Z'] = 1, ['_'] = 1,
    ['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1,
    ['g'] = 1, ['h'] = 1, ['i'] = 1, ['j'] = 1, ['k'] = 1, ['l'] = 1,
    ['m'] = 1, ['n'] = 1, ['o'] = 1, ['p'] = 1, ['q'] = 1, ['r'] = 1,
    ['s'] = 1, ['t'] = 1, ['u'] = 1, ['v'] = 1, ['w'] = 1, ['x'] = 1,
    ['y'] = 1, ['z'] = 1,
    ['\''] = 2, ['&'] = 2, [','] = 2, ['.'] = 2, [';'] = 2, ['+'] = 2,
    ['#'] = 2,
};

/* The fast path of px_token_fold() (token.h), for ASCII where the
 * tokenizer's rules cannot matter. Split the text at the bytes that end
 * every word:
 *  - two or more pieces holding a word character hold two or more words,
 *    so the text folds character by character: ASCII lower case;
 *  - none: no word, the same;
 *  - one, made of word characters alone: it is the one word, folded to
 *    lower case (the rest of the text dropped). */
long
px_token_fold_ascii(const char *text, size_t len, char *out)
{
    size_t pieces = 0, first = 0, last = len, i = 0;
    bool plain = true;

    while (i < len) {
        unsigned char c = (unsigned char)text[i];
        if (c >= 0x80)
            return -1;
        if (ascii_class[c] == 0) {
            i++;
            continue;
        }
        size_t j = i;
        unsigned seen = 0;
        for (; j < len; j++) {
            unsigned char d = (unsigned char)text[j];
            if (d >= 0x80 || ascii_class[d] == 0)
                break;
            seen |= ascii_class[d];
        }
        if ((seen & ASCII_WORD) && pieces++ == 0) {
            first = i;
            last = j;
            plain = seen == ASCII_WORD;
        }
        i = j;
    }
    if (pieces == 1 && !plain)
        return -1;
    if (pieces != 1) {
        first = 0;
        last = len;
    }
    for (size_t k = first; k < last; k++) {
        unsigned char c = (unsigned char)text[k];
        out[k - first] = (char)((unsigned)(c - 'A') < 26u ? c + 32 : c);
    }
    out[last - first] = '\0';
    return (long)(last - first);
}

px_status
px_token_fold(const char *word, size_t len, char **out, size_t *out_len)
{
    struct scanner sc;
    px_status rc = PX_OK;

    if (out != NULL)
        *out = NULL;
    if (out_len != NULL)
        *out_len = 0;
    if (out == NULL || out_len == NULL || (word == NULL && len > 0))
        return PX_INVALID_ARGUMENT;
    /* ASCII first: the fast path needs no decoding, and most names are
     * ASCII (facets fold thousands a query). */
    char *ascii = malloc(len + 1);
    if (ascii == NULL)
        return PX_NOMEM;
    long n = px_token_fold_ascii(word, len, ascii);
    if (n >= 0) {
        *out = ascii;
        *out_len = (size_t)n;
        return PX_OK;
    }
    free(ascii);
    if (!valid_utf8(word, len))
        return PX_ENCODING;
    scanner_init(&sc, word, len, true);
    if (!fold_only_word(&sc, out, out_len))
        rc = sc.nomem ? PX_NOMEM : fold_chars(word, len, out, out_len);
    scanner_free(&sc);
    return rc;
}
