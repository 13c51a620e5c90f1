"""Processes the project's tools start (bin/loadtest, and the tests' live servers):
a free port, an environment without the caller's settings, and stopping a process
with everything it started."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess

# The project's own settings: a server a tool starts gets none of the caller's,
# only those the tool gives it.
OWN_SETTINGS = (
    "DATABASE_URL",
    "REDIS_URL",
    "DJANGO_",
    "GRAPHQL_",
    "COUNT_CACHE",
    "GUNICORN_",
    "WEB_CONCURRENCY",
    "BIND",
    "FORWARDED_ALLOW_IPS",
)


def clean_environment(**values: str) -> dict:
    """This process's environment without any of the project's settings, plus ``values``."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(OWN_SETTINGS)}
    env.update(values)
    return env


def free_port() -> int:
    """A port nothing listens on now (the kernel's pick)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def stop(process: subprocess.Popen | None) -> None:
    """Stop a process started in a session of its own, and everything it started
    (gunicorn's workers): politely, then for good. None, or a process that has
    ended with nothing left of its group, is nothing to do."""
    if process is None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=15)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)  # a worker left behind, or a master stuck
    process.wait(timeout=10)
