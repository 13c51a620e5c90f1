"""Servers in processes of their own for the serving, browser and fuzzing tests: a
fresh database (on the PostgreSQL server the suite runs on, or SQLite), and
gunicorn on a free port (:mod:`tools.processes`, shared with the tools)."""

from __future__ import annotations

from tools.processes import (
    OWN_SETTINGS,
    Gunicorn,
    clean_environment,
    free_port,
    fresh_database,
    stop,
)

# The tests import the process helpers from here.
__all__ = ["OWN_SETTINGS", "Gunicorn", "clean_environment", "free_port", "fresh_database", "stop"]
