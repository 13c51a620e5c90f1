"""SQLite as configured (WAL, immediate transactions, a busy timeout): readers and a
writing archivist at the same time never see "database is locked"."""

import threading
import time

import pytest
from django.db import connection
from django.db.backends.sqlite3.base import DatabaseWrapper

pytestmark = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="PostgreSQL's readers never wait for writers"
)


def open_database(path) -> DatabaseWrapper:
    """A connection to the file ``path`` with the project's SQLite options."""
    wrapper = DatabaseWrapper({**connection.settings_dict, "NAME": str(path)}, alias="extra")
    wrapper.ensure_connection()
    return wrapper


@pytest.fixture
def unblocked(django_db_blocker):
    # A database of the test's own, not pytest-django's test database.
    with django_db_blocker.unblock():
        yield


def test_readers_and_writers_at_once_never_see_database_is_locked(tmp_path, unblocked):
    path = tmp_path / "archive.sqlite3"
    setup = open_database(path)
    with setup.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"
        cursor.execute("CREATE TABLE record (id INTEGER PRIMARY KEY, name TEXT)")
        cursor.executemany(
            "INSERT INTO record (name) VALUES (%s)", [(f"r{i}",) for i in range(100)]
        )
    setup.close()

    errors, reads, writes = [], [0], [0]
    stop = time.monotonic() + 1.5

    def reader():
        db = open_database(path)
        try:
            while time.monotonic() < stop:
                with db.cursor() as cursor:
                    cursor.execute("SELECT COUNT(*) FROM record")
                    assert cursor.fetchone()[0] >= 100
                reads[0] += 1
        except Exception as error:  # noqa: BLE001 - collected for the assertion
            errors.append(repr(error))
        finally:
            db.close()

    def writer():
        db = open_database(path)
        try:
            while time.monotonic() < stop:
                # A long write transaction, as an admin save with many rows is.
                with db.cursor() as cursor:
                    cursor.execute("BEGIN IMMEDIATE")
                    cursor.execute("INSERT INTO record (name) VALUES ('saved')")
                    time.sleep(0.05)
                    cursor.execute("COMMIT")
                writes[0] += 1
        except Exception as error:  # noqa: BLE001
            errors.append(repr(error))
        finally:
            db.close()

    threads = [threading.Thread(target=reader) for _ in range(4)]
    threads += [threading.Thread(target=writer) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert reads[0] > 20 and writes[0] > 5
