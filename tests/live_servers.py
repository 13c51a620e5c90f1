"""Servers in processes of their own for the serving, browser and fuzzing tests: a
fresh database (on the PostgreSQL server the suite runs on, or SQLite), and
gunicorn on a free port (:mod:`tools.processes`, shared with the tools)."""

from __future__ import annotations

import contextlib
import functools
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

from tools.processes import (
    OWN_SETTINGS,
    Gunicorn,
    clean_environment,
    demo_server,
    free_port,
    fresh_database,
    manage,
    stop,
)

# The tests import the process helpers from here.
__all__ = [
    "OWN_SETTINGS",
    "Gunicorn",
    "clean_environment",
    "demo_server",
    "free_port",
    "fresh_database",
    "manage",
    "static_origin",
    "stop",
]


@contextlib.contextmanager
def static_origin(directory: Path) -> Iterator[str]:
    """The files of ``directory`` served by Python's http.server on a port of its own:
    an origin other than the archive's, for cross-origin pages."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(directory))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()
