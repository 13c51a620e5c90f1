"""Servers in processes of their own for the serving, browser and fuzzing tests: a
fresh database (on the PostgreSQL server the suite runs on, or SQLite), and
gunicorn on a free port (:mod:`tools.processes`, shared with the tools)."""

from __future__ import annotations

import contextlib
import urllib.parse
import uuid
from collections.abc import Iterator
from pathlib import Path

from tools.processes import OWN_SETTINGS, Gunicorn, clean_environment, free_port, stop

# The tests import the process helpers from here, with fresh_database.
__all__ = ["OWN_SETTINGS", "Gunicorn", "clean_environment", "free_port", "fresh_database", "stop"]


@contextlib.contextmanager
def fresh_database(directory: Path, prefix: str, configured: str | None) -> Iterator[str]:
    """The URL of a new, empty database: a uniquely named one on the PostgreSQL server
    of the ``configured`` URL (dropped at the end, even with connections left open),
    else a SQLite file in ``directory``."""
    if not configured or not configured.startswith(("postgres://", "postgresql://", "pgsql://")):
        yield f"sqlite:///{directory / f'{prefix}.sqlite3'}"
        return
    import psycopg

    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    server = urllib.parse.urlsplit(configured)
    maintenance = server._replace(scheme="postgresql", path="/postgres").geturl()
    with psycopg.connect(maintenance, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield server._replace(path=f"/{name}").geturl()
    finally:
        with psycopg.connect(maintenance, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
