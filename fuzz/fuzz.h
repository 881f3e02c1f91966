/*
 * fuzz.h — what the libFuzzer targets share.
 */
#ifndef PASSIM_FUZZ_H
#define PASSIM_FUZZ_H

/* A promise the code under test broke: a crash for libFuzzer to keep. */
#define CHECK(x)                                                              \
    do {                                                                      \
        if (!(x))                                                             \
            __builtin_trap();                                                 \
    } while (0)

#endif
