/*
 * check_vote_cache.c — names to their votes between searches
 * (vote_cache.h): what was put is got back, keys that differ in a byte or
 * in length are apart, growth keeps every name, a full cache starts again,
 * clearing forgets.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "check_main.h"
#include "vote_cache.h"

static void
votes_for(size_t i, uint32_t v[PX_VOTE_TYPES])
{
    for (int t = 0; t < PX_VOTE_TYPES; t++)
        v[t] = (uint32_t)(i * 7 + (size_t)t);
}

static size_t
name_of(size_t i, char *buf, size_t size)
{
    return (size_t)snprintf(buf, size, "name %zu", i);
}

START_TEST(put_then_get)
{
    px_vote_cache *c = px_vote_cache_create();
    uint32_t in[PX_VOTE_TYPES] = {3, 0, 9, 1}, out[PX_VOTE_TYPES] = {0};
    ck_assert_ptr_nonnull(c);
    ck_assert(!px_vote_cache_get(c, "acme", 4, out));
    ck_assert_int_eq(px_vote_cache_put(c, "acme", 4, in), PX_OK);
    ck_assert(px_vote_cache_get(c, "acme", 4, out));
    ck_assert_mem_eq(in, out, sizeof in);
    ck_assert_uint_eq(px_vote_cache_size(c), 1);
    /* A key kept already keeps its first votes. */
    uint32_t other[PX_VOTE_TYPES] = {1, 1, 1, 1};
    ck_assert_int_eq(px_vote_cache_put(c, "acme", 4, other), PX_OK);
    ck_assert(px_vote_cache_get(c, "acme", 4, out));
    ck_assert_mem_eq(in, out, sizeof in);
    ck_assert_uint_eq(px_vote_cache_size(c), 1);
    px_vote_cache_destroy(c);
    px_vote_cache_destroy(NULL);
}
END_TEST

START_TEST(keys_apart_by_length_and_byte)
{
    px_vote_cache *c = px_vote_cache_create();
    uint32_t a[PX_VOTE_TYPES] = {1, 0, 0, 0}, b[PX_VOTE_TYPES] = {0, 2, 0, 0};
    uint32_t out[PX_VOTE_TYPES];
    ck_assert_int_eq(px_vote_cache_put(c, "kestrel", 7, a), PX_OK);
    ck_assert(!px_vote_cache_get(c, "kestrel", 6, out)); /* a prefix */
    ck_assert(!px_vote_cache_get(c, "kestreL", 7, out));
    ck_assert_int_eq(px_vote_cache_put(c, "kestre", 6, b), PX_OK);
    ck_assert(px_vote_cache_get(c, "kestrel", 7, out));
    ck_assert_uint_eq(out[0], 1);
    ck_assert(px_vote_cache_get(c, "kestre", 6, out));
    ck_assert_uint_eq(out[1], 2);
    /* The key is its bytes, not a C string: a NUL inside counts. */
    ck_assert(!px_vote_cache_get(c, "kestre\0l", 8, out));
    px_vote_cache_destroy(c);
}
END_TEST

START_TEST(growth_keeps_every_name)
{
    px_vote_cache *c = px_vote_cache_create();
    char name[32];
    uint32_t v[PX_VOTE_TYPES], out[PX_VOTE_TYPES];
    for (size_t i = 0; i < 20000; i++) {
        votes_for(i, v);
        ck_assert_int_eq(px_vote_cache_put(c, name, name_of(i, name,
                                                           sizeof name), v),
                         PX_OK);
    }
    ck_assert_uint_eq(px_vote_cache_size(c), 20000);
    for (size_t i = 0; i < 20000; i++) {
        votes_for(i, v);
        ck_assert(px_vote_cache_get(c, name, name_of(i, name, sizeof name),
                                    out));
        ck_assert_mem_eq(v, out, sizeof v);
    }
    ck_assert(!px_vote_cache_get(c, name, name_of(20000, name, sizeof name),
                                 out));
    px_vote_cache_destroy(c);
}
END_TEST

START_TEST(a_full_cache_starts_again)
{
    px_vote_cache *c = px_vote_cache_create();
    char name[32];
    uint32_t v[PX_VOTE_TYPES] = {0}, out[PX_VOTE_TYPES];
    for (size_t i = 0; i < PX_VOTE_CACHE_MAX; i++)
        ck_assert_int_eq(px_vote_cache_put(c, name, name_of(i, name,
                                                           sizeof name), v),
                         PX_OK);
    ck_assert_uint_eq(px_vote_cache_size(c), PX_VOTE_CACHE_MAX);
    size_t len = name_of(PX_VOTE_CACHE_MAX, name, sizeof name);
    ck_assert_int_eq(px_vote_cache_put(c, name, len, v), PX_OK);
    ck_assert_uint_eq(px_vote_cache_size(c), 1);
    ck_assert(px_vote_cache_get(c, name, len, out));
    ck_assert(!px_vote_cache_get(c, name, name_of(0, name, sizeof name),
                                 out));
    px_vote_cache_destroy(c);
}
END_TEST

START_TEST(clear_forgets)
{
    px_vote_cache *c = px_vote_cache_create();
    char name[32];
    uint32_t v[PX_VOTE_TYPES] = {5, 4, 3, 2}, out[PX_VOTE_TYPES];
    for (size_t i = 0; i < 1000; i++)
        ck_assert_int_eq(px_vote_cache_put(c, name, name_of(i, name,
                                                           sizeof name), v),
                         PX_OK);
    px_vote_cache_clear(c);
    ck_assert_uint_eq(px_vote_cache_size(c), 0);
    for (size_t i = 0; i < 1000; i++)
        ck_assert(!px_vote_cache_get(c, name, name_of(i, name, sizeof name),
                                     out));
    ck_assert_int_eq(px_vote_cache_put(c, "acme", 4, v), PX_OK);
    ck_assert(px_vote_cache_get(c, "acme", 4, out));
    px_vote_cache_clear(c);
    px_vote_cache_clear(c); /* twice is fine */
    px_vote_cache_destroy(c);
}
END_TEST

static Suite *
make_suite(void)
{
    const px_check_case cases[] = {
        {"put_then_get", put_then_get},
        {"keys_apart_by_length_and_byte", keys_apart_by_length_and_byte},
        {"growth_keeps_every_name", growth_keeps_every_name},
        {"a_full_cache_starts_again", a_full_cache_starts_again},
        {"clear_forgets", clear_forgets},
    };
    return px_check_suite("vote_cache", cases, sizeof cases / sizeof *cases);
}

PX_CHECK_MAIN(make_suite)
