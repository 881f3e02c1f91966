/*
 * status.h — the one status type of the passim library.
 *
 * Every passim function that can fail returns a px_status and hands its
 * results back through out-parameters, which are set to NULL on failure.
 */
#ifndef PASSIM_STATUS_H
#define PASSIM_STATUS_H

typedef enum px_status {
    PX_OK = 0,
    PX_NOMEM,            /* out of memory */
    PX_IO,               /* a file could not be read or written */
    PX_BINARY,           /* the file is not text */
    PX_ENCODING,         /* the text is not UTF-8 and could not be repaired */
    PX_TOO_LARGE,        /* the file is over the size limit */
    PX_EMPTY,            /* the file has no text to index */
    PX_UNSUPPORTED,      /* not an article type passim reads */
    PX_XAPIAN,           /* the Xapian database reported an error */
    PX_LOCKED,           /* the database is locked by another indexer */
    PX_NOT_FOUND,        /* no such database, file or entry */
    PX_QUERY_SYNTAX,     /* a malformed query */
    PX_INVALID_ARGUMENT, /* a bad argument */
    PX_TOO_COMPLEX,      /* markup too complex to parse in the time allowed */
    PX_ENCRYPTED,        /* the document needs a password */
    PX_DAMAGED,          /* the document is damaged past reading */
    PX_STATUS_LAST
} px_status;

/* A static, human-readable description of `status`. */
const char *px_status_to_string(px_status status);

#endif /* PASSIM_STATUS_H */
