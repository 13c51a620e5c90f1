"""Which database errors are an outage (a 503: send it again) and which are bugs.

The one place that says so: for the admin (project/unavailable.py), the API's
errors (archive/graphql/schema.py) and its status (archive/graphql/views.py).
"""

from __future__ import annotations

import sqlite3

from django.db import InterfaceError, OperationalError

# SQLite's OperationalError also covers faults of the statement itself ("no such
# table", "Expression tree is too large", "too many SQL variables": all
# SQLITE_ERROR): sending it again cannot help, and it is an unexpected error
# (logged with its traceback), not an outage. These primary result codes are
# its outages: a lock held by another writer for longer than the timeout, a
# file it cannot open, read or write. https://sqlite.org/rescode.html
SQLITE_OUTAGES = frozenset(
    {
        sqlite3.SQLITE_BUSY,  # "database is locked"
        sqlite3.SQLITE_LOCKED,
        sqlite3.SQLITE_CANTOPEN,  # "unable to open database file"
        sqlite3.SQLITE_IOERR,  # "disk I/O error"
        sqlite3.SQLITE_CORRUPT,  # "database disk image is malformed"
        sqlite3.SQLITE_READONLY,  # "attempt to write a readonly database"
        sqlite3.SQLITE_FULL,  # "database or disk is full"
    }
)


def database_unavailable(exception: BaseException) -> bool:
    """Is this error the database being out of reach (a 503 to retry), not a bug?

    Decided by the driver's error code, never its message. PostgreSQL's
    OperationalError is a lost or refused connection, a server shutting down,
    a statement cancelled or deadlocked: all worth a retry.
    """
    if not isinstance(exception, OperationalError | InterfaceError):
        return False
    cause = exception.__cause__
    if isinstance(cause, sqlite3.Error):
        # Extended codes (SQLITE_IOERR_READ…) hold the primary code in their low byte.
        code = getattr(cause, "sqlite_errorcode", None)
        return code is not None and (code & 0xFF) in SQLITE_OUTAGES
    return True
