/*
 * check_idset.c — the set of 64-bit ids (idset.h): membership against a
 * sorted reference array, id 0, ids that share a slot, growth, clearing.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "passim/idset.h"

/* xorshift64: the same ids on every run. */
static uint64_t
next_id(uint64_t *state)
{
    uint64_t x = *state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return *state = x;
}

static int
cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Sort ids[0, n) and drop repeats; returns how many are left. */
static size_t
sort_unique(uint64_t *ids, size_t n)
{
    qsort(ids, n, sizeof *ids, cmp_u64);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (k == 0 || ids[k - 1] != ids[i])
            ids[k++] = ids[i];
    return k;
}

static int
in_sorted(const uint64_t *ids, size_t n, uint64_t id)
{
    return bsearch(&id, ids, n, sizeof *ids, cmp_u64) != NULL;
}

/* How many of ids[0, n) the set holds. */
static size_t
count_held(const px_idset *s, const uint64_t *ids, size_t n)
{
    size_t held = 0;
    for (size_t i = 0; i < n; i++)
        held += px_idset_has(s, ids[i]) != 0;
    return held;
}

/* An empty set, all zero, holds nothing, id 0 included. */
START_TEST(empty_set_holds_nothing)
{
    px_idset s = {0};
    ck_assert(!px_idset_has(&s, 0));
    ck_assert(!px_idset_has(&s, 1));
    ck_assert(!px_idset_has(&s, UINT64_MAX));
    ck_assert_uint_eq(s.n, 0);
    px_idset_clear(&s); /* clearing an empty set is fine */
    ck_assert_uint_eq(s.cap, 0);
}
END_TEST

/* Id 0 marks an empty slot, so it is kept apart: adding it is seen by
 * px_idset_has, alone or among others, and it does not make other ids
 * look present. */
START_TEST(zero_is_an_id)
{
    px_idset s = {0};
    ck_assert_int_eq(px_idset_add(&s, 0), PX_OK);
    ck_assert(px_idset_has(&s, 0));
    ck_assert(!px_idset_has(&s, 1));
    ck_assert_int_eq(px_idset_add(&s, 0), PX_OK);
    ck_assert(px_idset_has(&s, 0));
    for (uint64_t id = 1; id <= 3000; id++)
        ck_assert_int_eq(px_idset_add(&s, id), PX_OK);
    /* Still there after the table grew under it. */
    ck_assert(px_idset_has(&s, 0));
    ck_assert_uint_eq(s.n, 3000); /* the nonzero ids; 0 is apart */
    for (uint64_t id = 1; id <= 3000; id++)
        ck_assert(px_idset_has(&s, id));
    ck_assert(!px_idset_has(&s, 3001));
    px_idset_clear(&s);
    /* A set without 0 does not claim it. */
    ck_assert_int_eq(px_idset_add(&s, 7), PX_OK);
    ck_assert(!px_idset_has(&s, 0));
    px_idset_clear(&s);
}
END_TEST

/* The slot idset.c puts an id in (a copy of its slot_of), to find ids
 * that share a slot and so must probe past each other. If idset.c's hash
 * changes these ids no longer collide, but every assertion still holds. */
static size_t
slot_copy(uint64_t id, size_t mask)
{
    return (size_t)((id * 0x9e3779b97f4a7c15ULL) >> 32) & mask;
}

/* Ids that are equal modulo the capacity (multiples of it, of 2^32, of
 * the top bit) and ids that share a slot, the last slot among them (its
 * probe wraps to slot 0): all found, none that was not added. */
START_TEST(colliding_ids)
{
    enum { CAP = 1024, SAME = 40 };
    uint64_t ids[4 * SAME + 200];
    size_t n = 0;
    /* Equal modulo 1024, 2^32, 2^63. */
    for (uint64_t k = 1; k <= SAME; k++) {
        ids[n++] = k * CAP;
        ids[n++] = k << 32;
        ids[n++] = (k << 40) | 5;
    }
    ids[n++] = 1ULL << 63;
    ids[n++] = UINT64_MAX;
    /* SAME ids in slot CAP - 1 of a table of CAP slots, and as many in
     * slot 0 right after it. */
    size_t last = 0, first = 0;
    for (uint64_t id = 1; last < SAME || first < SAME; id++) {
        size_t slot = slot_copy(id, CAP - 1);
        if (slot == CAP - 1 && last < SAME) {
            ids[n++] = id;
            last++;
        } else if (slot == 0 && first < SAME) {
            ids[n++] = id;
            first++;
        }
    }
    size_t distinct = sort_unique(ids, n);
    /* Fewer than CAP / 2 ids: they stay in one table of CAP slots. */
    ck_assert_uint_lt(distinct, CAP / 2);

    px_idset s = {0};
    uint64_t order[sizeof ids / sizeof *ids];
    memcpy(order, ids, distinct * sizeof *ids);
    /* Add in a shuffled order so probe chains interleave. */
    uint64_t st = 0x2545f4914f6cdd1dULL;
    for (size_t i = distinct; i > 1; i--) {
        size_t j = (size_t)(next_id(&st) % i);
        uint64_t t = order[i - 1];
        order[i - 1] = order[j];
        order[j] = t;
    }
    for (size_t i = 0; i < distinct; i++) {
        ck_assert_int_eq(px_idset_add(&s, order[i]), PX_OK);
        /* Everything added so far is still found. */
        ck_assert_msg(count_held(&s, order, i + 1) == i + 1,
                      "lost an id after adding %zu", i + 1);
    }
    ck_assert_uint_eq(s.cap, CAP);
    ck_assert_uint_eq(s.n, distinct);
    /* Neighbours of each id (same slot by the copy, or not) that were not
     * added are not found. */
    size_t absent = 0;
    for (size_t i = 0; i < distinct; i++) {
        for (uint64_t d = 1; d <= 2; d++) {
            uint64_t near[2] = {ids[i] + d, ids[i] - d};
            for (int k = 0; k < 2; k++) {
                if (near[k] == 0 || in_sorted(ids, distinct, near[k]))
                    continue;
                ck_assert_msg(!px_idset_has(&s, near[k]),
                              "%llu claimed but never added",
                              (unsigned long long)near[k]);
                absent++;
            }
        }
    }
    ck_assert_uint_gt(absent, distinct);
    px_idset_clear(&s);
}
END_TEST

/* 100,000 random ids, added in batches: after each batch (several
 * resizes in all) the set holds exactly the ids of a sorted reference
 * array, and n is their number. */
START_TEST(growth_against_reference)
{
    enum { N = 100000, BATCH = 10000 };
    uint64_t *ids = malloc(N * sizeof *ids), *ref = malloc(N * sizeof *ref);
    ck_assert_ptr_nonnull(ids);
    ck_assert_ptr_nonnull(ref);
    uint64_t st = 0x9e3779b97f4a7c15ULL;
    for (size_t i = 0; i < N; i++) {
        /* A few small ids too, and repeats of earlier ones. */
        ids[i] = i % 97 == 0 ? i : next_id(&st);
        if (i % 101 == 0 && i > 0)
            ids[i] = ids[i / 2];
    }
    px_idset s = {0};
    size_t caps = 0, last_cap = 0;
    for (size_t done = 0; done < N; done += BATCH) {
        for (size_t i = done; i < done + BATCH; i++) {
            ck_assert_int_eq(px_idset_add(&s, ids[i]), PX_OK);
            if (s.cap != last_cap) {
                caps++;
                last_cap = s.cap;
                /* A power of two, at least twice the ids it holds. */
                ck_assert_uint_eq(s.cap & (s.cap - 1), 0);
                ck_assert_uint_ge(s.cap, 2 * s.n);
            }
        }
        memcpy(ref, ids, (done + BATCH) * sizeof *ref);
        size_t distinct = sort_unique(ref, done + BATCH);
        int zero = ref[0] == 0;
        ck_assert_uint_eq(s.n, distinct - (size_t)zero);
        ck_assert_uint_eq(count_held(&s, ref, distinct), distinct);
        /* Ids never added: fresh random ones, checked against ref. */
        uint64_t probe = st ^ 0xdeadbeefcafef00dULL;
        for (int k = 0; k < 2000; k++) {
            uint64_t id = next_id(&probe);
            ck_assert(!!px_idset_has(&s, id) == in_sorted(ref, distinct, id));
        }
    }
    ck_assert_uint_ge(caps, 5); /* 1024 up to 2^18 at least */
    px_idset_clear(&s);
    free(ids);
    free(ref);
}
END_TEST

/* Adding an id again changes nothing: n counts it once. */
START_TEST(duplicates_counted_once)
{
    px_idset s = {0};
    uint64_t st = 12345;
    uint64_t ids[500], sorted[500];
    for (size_t i = 0; i < 500; i++)
        ids[i] = i % 5 == 4 ? ids[i - 3] : next_id(&st); /* some repeats */
    memcpy(sorted, ids, sizeof ids);
    size_t distinct = sort_unique(sorted, 500);
    ck_assert_uint_eq(distinct, 400);
    for (int round = 0; round < 3; round++) {
        for (size_t i = 0; i < 500; i++)
            ck_assert_int_eq(px_idset_add(&s, ids[i]), PX_OK);
        ck_assert_uint_eq(s.n, distinct);
    }
    size_t cap = s.cap;
    /* Repeats do not make the table grow either. */
    for (int round = 0; round < 10; round++)
        for (size_t i = 0; i < 500; i++)
            ck_assert_int_eq(px_idset_add(&s, ids[i]), PX_OK);
    ck_assert_uint_eq(s.cap, cap);
    ck_assert_uint_eq(count_held(&s, ids, 500), 500);
    px_idset_clear(&s);
}
END_TEST

/* Clear empties the set and frees it; the set then works again as new. */
START_TEST(clear_then_reuse)
{
    px_idset s = {0};
    uint64_t st = 777, ids[5000];
    for (size_t i = 0; i < 5000; i++) {
        ids[i] = next_id(&st);
        ck_assert_int_eq(px_idset_add(&s, ids[i]), PX_OK);
    }
    ck_assert_int_eq(px_idset_add(&s, 0), PX_OK);
    ck_assert_uint_eq(count_held(&s, ids, 5000), 5000);
    px_idset_clear(&s);
    ck_assert_ptr_null(s.slots);
    ck_assert_uint_eq(s.cap, 0);
    ck_assert_uint_eq(s.n, 0);
    ck_assert(!px_idset_has(&s, 0));
    ck_assert_uint_eq(count_held(&s, ids, 5000), 0);
    /* Reuse with half the old ids: only those are found. */
    for (size_t i = 0; i < 5000; i += 2)
        ck_assert_int_eq(px_idset_add(&s, ids[i]), PX_OK);
    ck_assert_uint_eq(s.n, 2500);
    for (size_t i = 0; i < 5000; i++)
        ck_assert(!!px_idset_has(&s, ids[i]) == (i % 2 == 0));
    ck_assert(!px_idset_has(&s, 0));
    px_idset_clear(&s);
    px_idset_clear(&s); /* twice is fine */
    ck_assert_uint_eq(s.n, 0);
}
END_TEST

static Suite *
make_suite(void)
{
    const px_check_case cases[] = {
        {"empty_set_holds_nothing", empty_set_holds_nothing},
        {"zero_is_an_id", zero_is_an_id},
        {"colliding_ids", colliding_ids},
        {"growth_against_reference", growth_against_reference},
        {"duplicates_counted_once", duplicates_counted_once},
        {"clear_then_reuse", clear_then_reuse},
    };
    return px_check_suite("idset", cases, sizeof cases / sizeof *cases);
}

PX_CHECK_MAIN(make_suite)
