/*
 * format.h — printf into a new string, for messages.
 */
#ifndef PASSIM_FORMAT_H
#define PASSIM_FORMAT_H

/* A printf into a new string: caller owns; free with free(). NULL when out
 * of memory. */
char *px_asprintf(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

#endif /* PASSIM_FORMAT_H */
