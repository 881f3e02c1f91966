/*
 * check_canon.c — canonical values for the mentions of one article
 * (canon.h): cleaning, titles, possessives, short forms and keys.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "passim/canon.h"

/* Add one piece: `spec` lists its mentions in order as "TYPE:text" joined
 * by '|', each text found in `text` after the previous one. */
static size_t
add_piece(px_canon *c, const char *text, const char *spec)
{
    px_mentions m = {0};
    char buf[1024];
    size_t from = 0;
    snprintf(buf, sizeof buf, "%s", spec);
    for (char *save = NULL, *t = strtok_r(buf, "|", &save); t != NULL;
         t = strtok_r(NULL, "|", &save)) {
        px_entity_type type = PX_ENT_MISC;
        const char *name = strchr(t, ':') + 1;
        if (strncmp(t, "PER:", 4) == 0)
            type = PX_ENT_PER;
        else if (strncmp(t, "ORG:", 4) == 0)
            type = PX_ENT_ORG;
        else if (strncmp(t, "LOC:", 4) == 0)
            type = PX_ENT_LOC;
        const char *at = strstr(text + from, name);
        ck_assert_msg(at != NULL, "\"%s\" not in \"%s\"", name, text);
        size_t s = (size_t)(at - text);
        from = s + strlen(name);
        ck_assert_int_eq(px_mentions_add(&m, type, s, from), PX_OK);
    }
    size_t piece = 99;
    ck_assert_int_eq(px_canon_add(c, text, strlen(text), &m, &piece), PX_OK);
    px_mentions_free(&m);
    return piece;
}

/* The values of a piece, '|'-joined. */
static void
expect_values(const px_canon *c, size_t piece, const char *want)
{
    char got[1024] = "";
    const char *v = NULL;
    for (size_t i = 0; (v = px_canon_value(c, piece, i)) != NULL; i++) {
        if (i > 0)
            strcat(got, "|");
        strcat(got, v);
    }
    ck_assert_msg(strcmp(got, want) == 0, "got \"%s\", want \"%s\"", got,
                  want);
}

/* One piece, resolved on its own. */
static void
expect_one(const char *text, const char *spec, const char *want)
{
    px_canon *c = NULL;
    ck_assert_int_eq(px_canon_create(&c), PX_OK);
    size_t piece = add_piece(c, text, spec);
    ck_assert_int_eq(px_canon_resolve(c), PX_OK);
    expect_values(c, piece, want);
    px_canon_destroy(c);
}

static void
expect_normal(px_entity_type type, const char *in, const char *want)
{
    char *out = NULL;
    size_t n = 99;
    ck_assert_int_eq(px_canon_normalise(type, in, strlen(in), &out, &n),
                     PX_OK);
    ck_assert_msg(strcmp(out, want) == 0, "\"%s\": got \"%s\", want \"%s\"",
                  in, out, want);
    ck_assert_uint_eq(n, strlen(out));
    free(out);
}

START_TEST(titles_stripped)
{
    expect_normal(PX_ENT_PER, "President Vladimir Putin", "Vladimir Putin");
    expect_normal(PX_ENT_PER, "Prime Minister Keir Starmer", "Keir Starmer");
    expect_normal(PX_ENT_PER, "U.S. President Joe Biden", "Joe Biden");
    expect_normal(PX_ENT_PER, "Foreign Minister Sergei Lavrov",
                  "Sergei Lavrov");
    expect_normal(PX_ENT_PER, "Secretary of State Antony Blinken",
                  "Antony Blinken");
    expect_normal(PX_ENT_PER, "Chancellor of the Exchequer Rachel Reeves",
                  "Rachel Reeves");
    expect_normal(PX_ENT_PER, "Dr. Amara Okafor", "Amara Okafor");
    expect_normal(PX_ENT_PER, "Dr Okafor", "Okafor");
    expect_normal(PX_ENT_PER, "Mr. Zelensky", "Zelensky");
    expect_normal(PX_ENT_PER, "Sir Keir Starmer", "Keir Starmer");
    expect_normal(PX_ENT_PER, "Sen. Amy Klobuchar", "Amy Klobuchar");
    expect_normal(PX_ENT_PER, "CEO Amara Okafor", "Amara Okafor");
    expect_normal(PX_ENT_PER, "Gen. Dr. Amara Okafor", "Amara Okafor");
}
END_TEST

START_TEST(titles_kept)
{
    /* A title with no name after it, or a name that ends in a title word. */
    expect_normal(PX_ENT_PER, "President", "President");
    expect_normal(PX_ENT_PER, "Mr.", "Mr.");
    expect_normal(PX_ENT_PER, "John Major", "John Major");
    /* Royal titles stay before a one-word or regnal name. */
    expect_normal(PX_ENT_PER, "Pope Francis", "Pope Francis");
    expect_normal(PX_ENT_PER, "Queen Elizabeth II", "Queen Elizabeth II");
    expect_normal(PX_ENT_PER, "Lady Gaga", "Lady Gaga");
    expect_normal(PX_ENT_PER, "Crown Prince Mohammed bin Salman",
                  "Mohammed bin Salman");
    /* Titles are case-sensitive, and only people have them. */
    expect_normal(PX_ENT_PER, "president Putin", "president Putin");
    expect_normal(PX_ENT_ORG, "General Motors", "General Motors");
    expect_normal(PX_ENT_LOC, "Mount Kenya", "Mount Kenya");
}
END_TEST

START_TEST(possessives_and_whitespace)
{
    expect_normal(PX_ENT_PER, "Okafor's", "Okafor");
    expect_normal(PX_ENT_PER, "Okafor\xE2\x80\x99s", "Okafor");
    expect_normal(PX_ENT_ORG, "Reuters'", "Reuters");
    expect_normal(PX_ENT_ORG, "Reuters\xE2\x80\x99", "Reuters");
    expect_normal(PX_ENT_PER, "  Amara \n\t Okafor\xC2\xA0 ", "Amara Okafor");
    expect_normal(PX_ENT_ORG, "the World Bank", "World Bank");
    expect_normal(PX_ENT_LOC, "The Hague", "The Hague");
    expect_normal(PX_ENT_ORG, "\xE2\x80\x9CKasumi,\xE2\x80\x9D", "Kasumi");
    expect_normal(PX_ENT_PER, "(Okafor)", "Okafor");
    expect_normal(PX_ENT_PER, "", "");
}
END_TEST

START_TEST(surname_maps_to_full_name)
{
    expect_one("Volodymyr Zelensky spoke. Zelensky said Mr. Zelensky's "
               "plan stands.",
               "PER:Volodymyr Zelensky|PER:Zelensky|PER:Mr. Zelensky's",
               "Volodymyr Zelensky|Volodymyr Zelensky|Volodymyr Zelensky");
    expect_one("Dr. Amara Okafor leads. Okafor\xE2\x80\x99s team and Dr. "
               "Okafor agree.",
               "PER:Dr. Amara Okafor|PER:Okafor\xE2\x80\x99s|PER:Dr. Okafor",
               "Amara Okafor|Amara Okafor|Amara Okafor");
    expect_one("President Vladimir Putin met Putin.",
               "PER:President Vladimir Putin|PER:Putin",
               "Vladimir Putin|Vladimir Putin");
}
END_TEST

START_TEST(short_form_before_full_name)
{
    /* A headline names people by surname before the text names them. */
    px_canon *c = NULL;
    ck_assert_int_eq(px_canon_create(&c), PX_OK);
    size_t title = add_piece(c, "Zelensky visits Lisbon", "PER:Zelensky");
    size_t body = add_piece(c, "Volodymyr Zelensky arrived.",
                            "PER:Volodymyr Zelensky");
    ck_assert_uint_eq(title, 0);
    ck_assert_uint_eq(body, 1);
    ck_assert_ptr_null(px_canon_value(c, 0, 0)); /* not resolved yet */
    ck_assert_int_eq(px_canon_resolve(c), PX_OK);
    expect_values(c, title, "Volodymyr Zelensky");
    expect_values(c, body, "Volodymyr Zelensky");
    ck_assert_ptr_null(px_canon_value(c, 2, 0));
    ck_assert_ptr_null(px_canon_value(c, 0, 1));
    px_canon_destroy(c);
}
END_TEST

START_TEST(chained_short_forms)
{
    expect_one("Kamala D. Harris, Kamala Harris and Harris.",
               "PER:Kamala D. Harris|PER:Kamala Harris|PER:Harris",
               "Kamala D. Harris|Kamala D. Harris|Kamala D. Harris");
}
END_TEST

START_TEST(ambiguous_surname_left_alone)
{
    expect_one("Amara Okafor and Chidi Okafor disagreed; Okafor left.",
               "PER:Amara Okafor|PER:Chidi Okafor|PER:Okafor",
               "Amara Okafor|Chidi Okafor|Okafor");
    /* A first name is not a short form. */
    expect_one("Amara Okafor spoke; Amara left.",
               "PER:Amara Okafor|PER:Amara", "Amara Okafor|Amara");
}
END_TEST

START_TEST(types_kept_apart)
{
    /* A person's surname maps to the person's full name before any
     * organisation named after them; an organisation's value never maps
     * to a place. */
    expect_one("Okafor Holdings hired Amara Okafor. Okafor said.",
               "ORG:Okafor Holdings|PER:Amara Okafor|PER:Okafor",
               "Okafor Holdings|Amara Okafor|Amara Okafor");
    /* Without one, a lone name the tagger took for a person that opens
     * an organisation's name is that organisation (unknown company names
     * read as surnames to a tagger trained on 1996 news). */
    expect_one("Kasumi Semiconductor said Kasumi would grow.",
               "ORG:Kasumi Semiconductor|PER:Kasumi",
               "Kasumi Semiconductor|Kasumi Semiconductor");
    /* A surname a headline took for an organisation is the person. */
    expect_one("Carvalho defends subsidy. Ines Carvalho spoke.",
               "ORG:Carvalho|PER:Ines Carvalho", "Ines Carvalho|Ines Carvalho");
    expect_one("Zelensky Street, Volodymyr Zelensky.",
               "LOC:Zelensky|PER:Volodymyr Zelensky",
               "Zelensky|Volodymyr Zelensky");
}
END_TEST

START_TEST(org_prefix_and_run)
{
    expect_one("Kasumi Semiconductor said Kasumi would grow.",
               "ORG:Kasumi Semiconductor|ORG:Kasumi",
               "Kasumi Semiconductor|Kasumi Semiconductor");
    expect_one("The Bank of England Monetary Committee and the Bank of "
               "England met.",
               "ORG:Bank of England Monetary Committee|ORG:Bank of England",
               "Bank of England Monetary Committee|"
               "Bank of England Monetary Committee");
    expect_one("New York Times Company and the Times Company.",
               "ORG:New York Times Company|ORG:Times Company",
               "New York Times Company|New York Times Company");
    /* The head noun alone refers back to the one name it ends. */
    expect_one("World Bank and Bank.", "ORG:World Bank|ORG:Bank",
               "World Bank|World Bank");
    expect_one("The European Commission said the Commission would act.",
               "ORG:European Commission|ORG:Commission",
               "European Commission|European Commission");
    /* One word inside a longer name is too weak. */
    expect_one("Bank of England and England.",
               "ORG:Bank of England|ORG:England", "Bank of England|England");
    /* Two longer names: ambiguous. */
    expect_one("Kasumi Semiconductor, Kasumi Holdings and Kasumi.",
               "ORG:Kasumi Semiconductor|ORG:Kasumi Holdings|ORG:Kasumi",
               "Kasumi Semiconductor|Kasumi Holdings|Kasumi");
}
END_TEST

START_TEST(org_acronyms)
{
    expect_one("The World Health Organization (WHO) said WHO's staff...",
               "ORG:World Health Organization|ORG:WHO|ORG:WHO's",
               "World Health Organization|World Health Organization|"
               "World Health Organization");
    expect_one("United Nations Educational, Scientific and Cultural "
               "Organization, or UNESCO",
               "ORG:United Nations Educational, Scientific and Cultural "
               "Organization|ORG:UNESCO",
               "United Nations Educational, Scientific and Cultural "
               "Organization|United Nations Educational, Scientific and "
               "Cultural Organization");
    expect_one("North Atlantic Treaty Organization and N.A.T.O.",
               "ORG:North Atlantic Treaty Organization|ORG:N.A.T.O.",
               "North Atlantic Treaty Organization|"
               "North Atlantic Treaty Organization");
    expect_one("World Health Organization and WHOM and Who",
               "ORG:World Health Organization|ORG:WHOM|ORG:Who",
               "World Health Organization|WHOM|Who");
}
END_TEST

START_TEST(deterministic)
{
    /* The same mentions in any order give the same values. */
    px_canon *a = NULL;
    px_canon *b = NULL;
    ck_assert_int_eq(px_canon_create(&a), PX_OK);
    ck_assert_int_eq(px_canon_create(&b), PX_OK);
    const char *t1 = "Harris met Kamala Harris.";
    const char *t2 = "Then Kamala D. Harris spoke.";
    size_t a1 = add_piece(a, t1, "PER:Harris|PER:Kamala Harris");
    size_t a2 = add_piece(a, t2, "PER:Kamala D. Harris");
    size_t b2 = add_piece(b, t2, "PER:Kamala D. Harris");
    size_t b1 = add_piece(b, t1, "PER:Harris|PER:Kamala Harris");
    ck_assert_int_eq(px_canon_resolve(a), PX_OK);
    ck_assert_int_eq(px_canon_resolve(b), PX_OK);
    for (size_t i = 0; i < 2; i++)
        ck_assert_str_eq(px_canon_value(a, a1, i), px_canon_value(b, b1, i));
    ck_assert_str_eq(px_canon_value(a, a2, 0), px_canon_value(b, b2, 0));
    ck_assert_str_eq(px_canon_value(a, a1, 0), "Kamala D. Harris");
    /* Adding more undoes the resolution until the next resolve. */
    add_piece(a, "Okafor", "PER:Okafor");
    ck_assert_ptr_null(px_canon_value(a, a1, 0));
    ck_assert_int_eq(px_canon_resolve(a), PX_OK);
    ck_assert_str_eq(px_canon_value(a, 2, 0), "Okafor");
    px_canon_destroy(a);
    px_canon_destroy(b);
}
END_TEST

START_TEST(many_mentions)
{
    /* Enough values to grow every table several times. */
    px_canon *c = NULL;
    px_mentions m = {0};
    char text[64 * 1024];
    size_t len = 0;
    ck_assert_int_eq(px_canon_create(&c), PX_OK);
    for (int i = 0; i < 2000; i++) {
        size_t s = len;
        len += (size_t)snprintf(text + len, sizeof text - len,
                                "Person%d Name%d ", i % 500, i % 7);
        ck_assert_int_eq(px_mentions_add(&m, PX_ENT_PER, s, len - 1), PX_OK);
    }
    ck_assert_int_eq(px_canon_add(c, text, len, &m, NULL), PX_OK);
    ck_assert_int_eq(px_canon_resolve(c), PX_OK);
    ck_assert_str_eq(px_canon_value(c, 0, 501), "Person1 Name4");
    ck_assert_ptr_null(px_canon_value(c, 0, 2000));
    px_mentions_free(&m);
    px_canon_destroy(c);
}
END_TEST

START_TEST(keys)
{
    char *k = NULL;
    size_t n = 0;
    ck_assert_int_eq(px_canon_key("World Health  Organization", 26, &k, &n),
                     PX_OK);
    ck_assert_str_eq(k, "world health organization");
    ck_assert_uint_eq(n, strlen(k));
    free(k);
    const char *uni = "\xC3\x89mile Zola\xE2\x80\x99s";
    ck_assert_int_eq(px_canon_key(uni, strlen(uni), &k, &n), PX_OK);
    ck_assert_str_eq(k, "\xC3\xA9mile zola's");
    free(k);
    char long_value[600];
    for (size_t i = 0; i < 300; i++)
        memcpy(long_value + 2 * i, "\xC3\x89", 2);
    ck_assert_int_eq(px_canon_key(long_value, 600, &k, &n), PX_OK);
    ck_assert_uint_le(n, PX_CANON_KEY_MAX);
    ck_assert_uint_eq(n, 200);
    ck_assert_uint_eq(strlen(k), n);
    free(k);
    ck_assert_int_eq(px_canon_key("\xFF", 1, &k, &n), PX_ENCODING);
    ck_assert_ptr_null(k);
}
END_TEST

START_TEST(bad_arguments)
{
    px_canon *c = NULL;
    px_mentions m = {0};
    char *out = (char *)"x";
    size_t n = 0;
    ck_assert_int_eq(px_canon_create(NULL), PX_INVALID_ARGUMENT);
    ck_assert_int_eq(px_canon_create(&c), PX_OK);
    ck_assert_int_eq(px_mentions_add(&m, PX_ENT_PER, 2, 9), PX_OK);
    ck_assert_int_eq(px_canon_add(c, "short", 5, &m, NULL),
                     PX_INVALID_ARGUMENT);
    ck_assert_int_eq(px_canon_add(c, "x", 1, NULL, NULL),
                     PX_INVALID_ARGUMENT);
    ck_assert_int_eq(px_canon_add(NULL, "x", 1, &m, NULL),
                     PX_INVALID_ARGUMENT);
    ck_assert_int_eq(px_canon_resolve(NULL), PX_INVALID_ARGUMENT);
    ck_assert_int_eq(px_canon_resolve(c), PX_OK);
    ck_assert_ptr_null(px_canon_value(c, 0, 0));
    ck_assert_ptr_null(px_canon_value(NULL, 0, 0));
    ck_assert_int_eq(px_canon_normalise(PX_ENT_PER, NULL, 3, &out, &n),
                     PX_INVALID_ARGUMENT);
    ck_assert_ptr_null(out);
    px_mentions_free(&m);
    px_canon_destroy(c);
    px_canon_destroy(NULL);
}
END_TEST

static Suite *
make_suite(void)
{
    const px_check_case cases[] = {
        {"titles_stripped", titles_stripped},
        {"titles_kept", titles_kept},
        {"possessives_and_whitespace", possessives_and_whitespace},
        {"surname_maps_to_full_name", surname_maps_to_full_name},
        {"short_form_before_full_name", short_form_before_full_name},
        {"chained_short_forms", chained_short_forms},
        {"ambiguous_surname_left_alone", ambiguous_surname_left_alone},
        {"types_kept_apart", types_kept_apart},
        {"org_prefix_and_run", org_prefix_and_run},
        {"org_acronyms", org_acronyms},
        {"deterministic", deterministic},
        {"many_mentions", many_mentions},
        {"keys", keys},
        {"bad_arguments", bad_arguments},
    };
    return px_check_suite("canon", cases, sizeof cases / sizeof cases[0]);
}

PX_CHECK_MAIN(make_suite)
