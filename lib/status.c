#include "passim/status.h"

static const char *const names[PX_STATUS_LAST] = {
    [PX_OK] = "success",
    [PX_NOMEM] = "out of memory",
    [PX_IO] = "input/output error",
    [PX_BINARY] = "binary file, not text",
    [PX_ENCODING] = "text is not valid UTF-8 and could not be repaired",
    [PX_TOO_LARGE] = "file is larger than the size limit",
    [PX_EMPTY] = "no text to index",
    [PX_UNSUPPORTED] = "not an article type passim reads",
    [PX_XAPIAN] = "database error",
    [PX_LOCKED] = "database is locked by another indexer",
    [PX_NOT_FOUND] = "not found",
    [PX_QUERY_SYNTAX] = "malformed query",
    [PX_INVALID_ARGUMENT] = "invalid argument",
    [PX_TOO_COMPLEX] = "markup too complex to parse in the time allowed",
    [PX_ENCRYPTED] = "encrypted document (needs a password)",
    [PX_DAMAGED] = "damaged document",
};

const char *
px_status_to_string(px_status status)
{
    if ((unsigned)status >= PX_STATUS_LAST)
        return "unknown status";
    return names[status];
}
