/*
 * status.h — the one status type of the passim library.
 *
 * Every passim function that can fail returns a px_status and hands its
 * results back through out-parameters, which are set to NULL on failure.
 */
#ifndef PASSIM_STATUS_H
#define PASSIM_STATUS_H

#include "passim.h" /* px_status, px_status_to_string() */

#endif /* PASSIM_STATUS_H */
