/*
 * check_main.h — the main() every Check suite shares: run the suite with
 * TAP output on stdout (meson reads it) and exit non-zero on any failure.
 */
#ifndef PASSIM_CHECK_MAIN_H
#define PASSIM_CHECK_MAIN_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static inline int
px_check_run(Suite *suite)
{
    SRunner *runner = srunner_create(suite);
    srunner_set_tap(runner, "/dev/stdout");
    srunner_run_all(runner, CK_SILENT);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

/* A fresh temporary folder: `dir` holds a mkdtemp() template such as
 * "/tmp/passim-x-XXXXXX", copied from `tmpl` so a fixture can run again. */
static inline void
px_check_mkdtemp(char *dir, const char *tmpl)
{
    strcpy(dir, tmpl);
    ck_assert_ptr_nonnull(mkdtemp(dir));
}

/* Remove a folder made by px_check_mkdtemp() and all it holds. */
static inline void
px_check_rmtree(const char *dir)
{
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
}

/* One test case: a TCase of its own, named after the behaviour. */
typedef struct px_check_case {
    const char *name;
    const TTest *test;
} px_check_case;

/* A suite with one TCase per case (STYLE.md: one TCase per behaviour). */
static inline Suite *
px_check_suite(const char *name, const px_check_case *cases, size_t n)
{
    Suite *s = suite_create(name);
    for (size_t i = 0; i < n; i++) {
        TCase *tc = tcase_create(cases[i].name);
        tcase_add_test(tc, cases[i].test);
        suite_add_tcase(s, tc);
    }
    return s;
}

#define PX_CHECK_MAIN(make_suite)                                             \
    int main(void) { return px_check_run(make_suite()); }

#endif
