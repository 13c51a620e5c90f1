"""archive/database_errors.py: which database errors are an outage to retry (503)
and which are faults of the statement (an unexpected error, logged with its traceback)."""

import logging
import sqlite3

import psycopg
import psycopg.errors
import pytest
from django.db import DatabaseError, InterfaceError, OperationalError, connection, transaction

from archive.database_errors import database_unavailable
from tests.graphql_client import post


def sqlite_error(message: str, code: int) -> sqlite3.OperationalError:
    """As the driver raises it: the message and SQLite's result code."""
    error = sqlite3.OperationalError(message)
    error.sqlite_errorcode = code
    return error


def wrapped(cause: Exception, error_class=OperationalError) -> Exception:
    """As Django raises it: its own class, the driver's error as the cause."""
    try:
        try:
            raise cause
        except Exception as driver_error:
            raise error_class(*driver_error.args) from driver_error
    except Exception as django_error:
        return django_error


@pytest.mark.parametrize(
    "error, unavailable",
    [
        (wrapped(sqlite_error("database is locked", sqlite3.SQLITE_BUSY)), True),
        (wrapped(sqlite_error("unable to open database file", sqlite3.SQLITE_CANTOPEN)), True),
        (wrapped(sqlite_error("disk I/O error", sqlite3.SQLITE_IOERR_READ)), True),
        (wrapped(sqlite_error("database or disk is full", sqlite3.SQLITE_FULL)), True),
        (
            wrapped(
                sqlite_error(
                    "Expression tree is too large (maximum depth 1000)", sqlite3.SQLITE_ERROR
                )
            ),
            False,
        ),
        (wrapped(sqlite_error("too many SQL variables", sqlite3.SQLITE_ERROR)), False),
        (wrapped(sqlite_error("no such table: archive_document", sqlite3.SQLITE_ERROR)), False),
        (OperationalError('connection to server at "db" failed: Connection refused'), True),
        (
            wrapped(psycopg.OperationalError('connection to server at "db" failed: refused')),
            True,
        ),
        (wrapped(psycopg.errors.ConnectionFailure("server closed the connection")), True),
        (wrapped(psycopg.errors.AdminShutdown("terminating connection")), True),
        (wrapped(psycopg.errors.CrashShutdown("terminating connection")), True),
        (wrapped(psycopg.errors.CannotConnectNow("the database system is starting up")), True),
        (wrapped(psycopg.errors.QueryCanceled("canceling statement due to timeout")), True),
        (wrapped(psycopg.errors.SerializationFailure("could not serialize access")), True),
        (wrapped(psycopg.errors.DeadlockDetected("deadlock detected")), True),
        (wrapped(psycopg.errors.TooManyConnections("too many clients already")), True),
        (wrapped(psycopg.errors.DiskFull("could not extend file")), True),
        (wrapped(psycopg.errors.LockNotAvailable("canceling statement: lock timeout")), True),
        (wrapped(psycopg.errors.StatementTooComplex("stack depth limit exceeded")), False),
        (wrapped(psycopg.errors.ProgramLimitExceeded("index row size exceeds")), False),
        (wrapped(psycopg.errors.TooManyColumns("target lists can have at most 1664")), False),
        (wrapped(psycopg.errors.OutOfMemory("out of memory")), False),
        (InterfaceError("connection already closed"), True),
        (
            wrapped(psycopg.InterfaceError("the connection is closed"), InterfaceError),
            True,
        ),
        (DatabaseError("something else"), False),
        (RuntimeError("boom"), False),
    ],
    ids=[
        "sqlite locked",
        "sqlite cannot open",
        "sqlite I/O",
        "sqlite full",
        "sqlite expression tree",
        "sqlite variables",
        "sqlite no table",
        "no driver error",
        "postgresql refused",
        "postgresql connection lost",
        "postgresql admin shutdown",
        "postgresql crash shutdown",
        "postgresql starting up",
        "postgresql cancelled",
        "postgresql serialization",
        "postgresql deadlock",
        "postgresql too many connections",
        "postgresql disk full",
        "postgresql lock timeout",
        "postgresql statement too complex",
        "postgresql program limit",
        "postgresql too many columns",
        "postgresql out of memory",
        "connection closed",
        "postgresql connection closed",
        "other database error",
        "not a database error",
    ],
)
def test_which_errors_are_an_outage(error, unavailable):
    assert database_unavailable(error) is unavailable


@pytest.mark.parametrize(
    "cause",
    [
        sqlite_error("Expression tree is too large (maximum depth 1000)", sqlite3.SQLITE_ERROR),
        psycopg.errors.StatementTooComplex("stack depth limit exceeded"),
    ],
    ids=["sqlite", "postgresql"],
)
@pytest.mark.django_db
def test_a_fault_of_the_statement_is_an_unexpected_error_not_an_outage(
    client, demo, monkeypatch, caplog, cause
):
    """Retrying cannot help: no 503, no "try again", the traceback in the log."""
    fault = wrapped(cause)

    def too_large(*args, **kwargs):
        raise fault

    monkeypatch.setattr("archive.search.ranked", too_large)
    with caplog.at_level(logging.WARNING, logger="archive.graphql"):
        response = post(client, '{ search(text: "maisky") { score } }')
    assert response.status_code == 200 and not response.has_header("Retry-After")
    assert response.json()["errors"][0]["message"] == "Unexpected error."
    (record,) = [r for r in caplog.records if r.name == "archive.graphql"]
    assert (record.levelno, record.exc_info[1]) == (logging.ERROR, fault)


def test_a_real_lock_and_a_real_missing_table_are_told_apart_by_their_codes(tmp_path):
    """What the driver raises, not a message copied from its documentation, wrapped
    as Django's SQLite backend wraps it (whatever database the tests run on)."""
    from types import SimpleNamespace

    from django.db.utils import DatabaseErrorWrapper

    sqlite_backend = SimpleNamespace(Database=sqlite3, errors_occurred=False)

    path = tmp_path / "locked.sqlite3"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("CREATE TABLE t (x)")
    holder.execute("BEGIN IMMEDIATE")
    waiter = sqlite3.connect(path, timeout=0, isolation_level=None)
    raised = []
    for sql in ("BEGIN IMMEDIATE", "SELECT * FROM missing"):
        try:
            with DatabaseErrorWrapper(sqlite_backend):
                waiter.execute(sql)
        except OperationalError as error:
            raised.append(error)
    holder.close()
    waiter.close()
    locked, missing = raised
    assert (str(locked), database_unavailable(locked)) == ("database is locked", True)
    assert (str(missing), database_unavailable(missing)) == ("no such table: missing", False)


@pytest.mark.django_db
def test_a_real_cancel_and_a_real_program_limit_are_told_apart_by_their_sqlstates():
    """What psycopg raises from a real server, as Django wraps it: the statement
    cancelled by statement_timeout is an outage, a select list over PostgreSQL's
    limit of 1664 columns a fault of the statement."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL=postgres://…)")
    raised = []
    for statements in (
        ["SET LOCAL statement_timeout = 1", "SELECT pg_sleep(1)"],
        ["SELECT " + ", ".join(["1"] * 1665)],
    ):
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                for sql in statements:
                    cursor.execute(sql)
        except OperationalError as error:
            raised.append(error)
    cancelled, too_many_columns = raised
    assert (cancelled.__cause__.sqlstate, database_unavailable(cancelled)) == ("57014", True)
    assert (too_many_columns.__cause__.sqlstate, database_unavailable(too_many_columns)) == (
        "54011",
        False,
    )
