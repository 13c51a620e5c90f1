"""archive/database_errors.py: which database errors are an outage to retry (503)
and which are faults of the statement (an unexpected error, logged with its traceback)."""

import logging
import sqlite3

import pytest
from django.db import DatabaseError, InterfaceError, OperationalError

from archive.database_errors import database_unavailable
from tests.graphql_client import post


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
        (wrapped(sqlite3.OperationalError("database is locked")), True),
        (wrapped(sqlite3.OperationalError("unable to open database file")), True),
        (wrapped(sqlite3.OperationalError("disk I/O error")), True),
        (wrapped(sqlite3.OperationalError("database or disk is full")), True),
        (
            wrapped(sqlite3.OperationalError("Expression tree is too large (maximum depth 1000)")),
            False,
        ),
        (wrapped(sqlite3.OperationalError("too many SQL variables")), False),
        (wrapped(sqlite3.OperationalError("no such table: archive_document")), False),
        (OperationalError('connection to server at "db" failed: Connection refused'), True),
        (InterfaceError("connection already closed"), True),
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
        "postgresql refused",
        "connection closed",
        "other database error",
        "not a database error",
    ],
)
def test_which_errors_are_an_outage(error, unavailable):
    assert database_unavailable(error) is unavailable


@pytest.mark.django_db
def test_a_fault_of_the_statement_is_an_unexpected_error_not_an_outage(
    client, demo, monkeypatch, caplog
):
    """Retrying cannot help: no 503, no "try again", the traceback in the log."""
    fault = wrapped(sqlite3.OperationalError("Expression tree is too large (maximum depth 1000)"))

    def too_large(*args, **kwargs):
        raise fault

    monkeypatch.setattr("archive.search.ranked", too_large)
    with caplog.at_level(logging.WARNING, logger="archive.graphql"):
        response = post(client, '{ search(text: "maisky") { score } }')
    assert response.status_code == 200 and not response.has_header("Retry-After")
    assert response.json()["errors"][0]["message"] == "Unexpected error."
    (record,) = [r for r in caplog.records if r.name == "archive.graphql"]
    assert (record.levelno, record.exc_info[1]) == (logging.ERROR, fault)
