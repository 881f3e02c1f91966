/*
 * check_main.h — the main() every Check suite shares: run the suite with
 * TAP output on stdout (meson reads it) and exit non-zero on any failure.
 */
#ifndef PASSIM_CHECK_MAIN_H
#define PASSIM_CHECK_MAIN_H

#include <check.h>
#include <stdlib.h>

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

#define PX_CHECK_MAIN(make_suite)                                             \
    int main(void) { return px_check_run(make_suite()); }

#endif
