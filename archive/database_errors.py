"""Which database errors are an outage (a 503: send it again) and which are bugs.

The one place that says so: for the admin (project/unavailable.py), the API's
errors (archive/graphql/schema.py) and its status (archive/graphql/views.py).
Decided by the driver's error code, never its message: SQLite's result code,
PostgreSQL's SQLSTATE. Both drivers file faults of the statement itself under
OperationalError too, and those are bugs.
"""

from __future__ import annotations

import sqlite3

import psycopg
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


# psycopg files whole SQLSTATE classes under OperationalError (08, 40, 53, 54,
# 55, 57 and 58 among them), and so faults of the statement too ("statement
# too complex" 54001, "out of memory" 53200, "program limit exceeded" 54000),
# which a retry cannot help. These are its outages: a lost or refused connection, a
# server shutting down or starting, a statement cancelled (statement_timeout,
# pg_cancel_backend), a transaction that lost a serialization conflict or a
# deadlock, a lock held by another for longer than lock_timeout (as SQLITE_BUSY
# is) and a full disk (as SQLITE_FULL is).
# https://www.postgresql.org/docs/current/errcodes-appendix.html
POSTGRESQL_OUTAGE_CLASSES = frozenset({"08"})  # connection exception
POSTGRESQL_OUTAGES = frozenset(
    {
        "57P01",  # admin_shutdown: "terminating connection due to administrator command"
        "57P02",  # crash_shutdown
        "57P03",  # cannot_connect_now: "the database system is starting up"
        "57014",  # query_canceled
        "40001",  # serialization_failure
        "40P01",  # deadlock_detected
        "53300",  # too_many_connections
        "53100",  # disk_full
        "55P03",  # lock_not_available: lock_timeout passed (as SQLITE_BUSY)
    }
)


def database_unavailable(exception: BaseException) -> bool:
    """Is this error the database being out of reach (a 503 to retry), not a bug?

    Django's OperationalError or InterfaceError, when the driver's error it
    wraps has a code in :data:`SQLITE_OUTAGES`, or a SQLSTATE in
    :data:`POSTGRESQL_OUTAGES` or of a class in
    :data:`POSTGRESQL_OUTAGE_CLASSES`. psycopg gives no SQLSTATE to the errors
    it raises without an answer from the server: a connection refused, lost,
    timed out or already closed, all outages. Without a driver's error to
    read (a driver of neither kind), these classes are taken for outages.
    """
    if not isinstance(exception, OperationalError | InterfaceError):
        return False
    cause = exception.__cause__
    if isinstance(cause, sqlite3.Error):
        # Extended codes (SQLITE_IOERR_READ…) hold the primary code in their low byte.
        code = getattr(cause, "sqlite_errorcode", None)
        return code is not None and (code & 0xFF) in SQLITE_OUTAGES
    if isinstance(cause, psycopg.Error):
        sqlstate = cause.sqlstate
        return (
            sqlstate is None
            or sqlstate in POSTGRESQL_OUTAGES
            or sqlstate[:2] in POSTGRESQL_OUTAGE_CLASSES
        )
    return True
