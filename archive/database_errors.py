"""Which database errors are an outage (a 503: send it again) and which are bugs.

The one place that says so: for the admin (project/unavailable.py), the API's
errors (archive/graphql/schema.py) and its status (archive/graphql/views.py).
"""

from __future__ import annotations

import sqlite3

from django.db import InterfaceError, OperationalError

# SQLite's OperationalError also covers faults of the statement itself ("no such
# table", "Expression tree is too large", "too many SQL variables"): sending it
# again cannot help, and it is an unexpected error (logged with its traceback),
# not an outage. These are its outages: a file it cannot open, read or write,
# a lock held by another writer for longer than the timeout.
SQLITE_OUTAGES = (
    "database is locked",
    "unable to open database",
    "disk i/o error",
    "database disk image is malformed",
    "attempt to write a readonly database",
    "database or disk is full",
)


def database_unavailable(exception: BaseException) -> bool:
    """Is this error the database being out of reach (a 503 to retry), not a bug?

    PostgreSQL's OperationalError is a lost or refused connection, a server
    shutting down, a statement cancelled or deadlocked: all worth a retry.
    """
    if not isinstance(exception, OperationalError | InterfaceError):
        return False
    cause = exception.__cause__
    if isinstance(cause, sqlite3.Error):
        message = str(cause).lower()
        return any(outage in message for outage in SQLITE_OUTAGES)
    return True
