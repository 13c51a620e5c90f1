"""One reason for every version written by one archivist's action.

An admin save writes versions of the record, of its inline rows and, on a
delete, of every row the delete cascades to. The archivist gives one reason;
:func:`reason_scope` holds it for the duration of the action and the
signal handlers in :mod:`archive.signals` hand it to each row that has no
reason of its own (:func:`apply`).
"""

from __future__ import annotations

import contextlib
import contextvars

_current: contextvars.ContextVar[dict | None] = contextvars.ContextVar(
    "change_reason", default=None
)


@contextlib.contextmanager
def reason_scope(reason: str | None = None):
    """Collect versions written inside under one reason (settable later with :func:`set`)."""
    token = _current.set({"reason": reason})
    try:
        yield
    finally:
        _current.reset(token)


def set(reason: str) -> None:  # noqa: A001 - read as change_reasons.set(...)
    holder = _current.get()
    if holder is not None:
        holder["reason"] = reason


def current() -> str | None:
    holder = _current.get()
    return holder["reason"] if holder else None


def apply(instance) -> None:
    """Give ``instance`` the current reason unless it carries one already."""
    reason = current()
    if reason and not getattr(instance, "_change_reason", None):
        instance._change_reason = reason
