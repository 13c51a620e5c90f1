"""A time limit on each GraphQL execution.

The cost budget (:mod:`archive.graphql.limits`) bounds what a query may ask
for before it runs; this bounds how long it may take once it runs, whatever
the reason (a slow disk, a database under load, Python work the budget did
not foresee). The time is checked where it is spent:

* before each SQL query the execution makes;
* before each field is executed and each item of a list is completed
  (:class:`archive.graphql.execution.ArchiveExecutionContext`), so that
  walking a large answer stops too; the first check that finds the time up
  stops the whole execution, with one error at the field where it stopped;
* in the main thread (gunicorn's sync workers, the test client), a timer
  signal interrupts whatever Python is doing when the time is up: parsing,
  validating, building or compiling a query inside a single call. Other
  threads (the gthread worker) cannot receive signals and rely on the checks.
  A query interrupted inside the database driver may leave its connection
  busy, so the connection is closed after the signal has stopped the work.

A single SQL statement is not interrupted (the page sizes and the indexes keep
each one short); gunicorn's worker timeout is the last resort behind all of it.
"""

from __future__ import annotations

import contextlib
import contextvars
import signal
import threading
import time
from dataclasses import dataclass

from django.db import connection
from graphql import GraphQLError

from archive.graphql import errors as codes

MESSAGE = (
    "Time limit exceeded: the query ran for more than {limit:g} s and was stopped. "
    "Ask for smaller pages or fewer nested lists."
)


class TimeLimitExceeded(GraphQLError):
    """The execution has run out of time (shown to the client as it is)."""

    CODE = codes.TIME_LIMIT_EXCEEDED


@dataclass
class Limit:
    seconds: float
    deadline: float
    running: bool = True
    # Set when the timer signal stopped the work, wherever it was.
    interrupted: bool = False

    def exceeded(self) -> TimeLimitExceeded:
        self.deadline = float("-inf")  # every check from now on fails
        return TimeLimitExceeded(MESSAGE.format(limit=self.seconds))


_current: contextvars.ContextVar[Limit | None] = contextvars.ContextVar(
    "archive_time_limit", default=None
)


def current() -> Limit | None:
    """The limit of the execution running in this thread, if any."""
    return _current.get()


def time_is_up() -> bool:
    """Whether the running execution's time is up."""
    limit = _current.get()
    return limit is not None and time.monotonic() > limit.deadline


def check() -> None:
    """Raise :class:`TimeLimitExceeded` if the running execution's time is up."""
    limit = _current.get()
    if limit is not None and time.monotonic() > limit.deadline:
        raise limit.exceeded()


@contextlib.contextmanager
def limited(seconds: float):
    """Stop the work of the block once ``seconds`` have passed since it began."""
    limit = Limit(seconds=seconds, deadline=time.monotonic() + seconds)
    token = _current.set(limit)

    def check_sql(execute, sql, params, many, context):
        if time.monotonic() > limit.deadline:
            raise limit.exceeded()
        return execute(sql, params, many, context)

    stop_alarm = _start_alarm(limit)
    try:
        with connection.execute_wrapper(check_sql):
            try:
                yield limit
            finally:
                # Disarmed inside the wrapper: a signal can no longer land
                # where the wrapper is being removed.
                limit.running = False
                stop_alarm()
    finally:
        limit.running = False
        stop_alarm()
        _current.reset(token)
        if limit.interrupted and not connection.in_atomic_block:
            connection.close()


def _start_alarm(limit: Limit):
    """Arm a timer signal for ``limit`` in the main thread; returns what disarms it."""
    if limit.seconds <= 0 or threading.current_thread() is not threading.main_thread():
        return lambda: None

    def on_alarm(signum, frame):
        if limit.running:  # never once the block is left
            limit.interrupted = True
            raise limit.exceeded()

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, limit.seconds)

    def stop():
        signal.setitimer(signal.ITIMER_REAL, 0)
        if previous is not None:
            signal.signal(signal.SIGALRM, previous)

    return stop
