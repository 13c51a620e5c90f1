"""One reason and one moment for every version written by one archivist's action.

An admin save writes versions of the record, of its inline rows and, on a
delete, of every row the delete cascades to. The archivist gives one reason;
:func:`reason_scope` holds it for the duration of the action and the
signal handlers in :mod:`archive.signals` hand it to each row that has no
reason of its own (:func:`apply`).

The versions of one action also share one moment: the date of the first
version it writes. The record and its rows then change at the same instant,
so the state "as of" a version of the record (``Model.history.as_of``, the
API's ``asOf``, a revert) includes the rows saved with it, which were written
a few milliseconds after it.
"""

from __future__ import annotations

import contextlib
import contextvars

from django.dispatch import receiver
from simple_history.signals import pre_create_historical_record

_current: contextvars.ContextVar[dict | None] = contextvars.ContextVar(
    "change_reason", default=None
)


@contextlib.contextmanager
def reason_scope(reason: str | None = None):
    """Collect versions written inside under one reason (settable later with :func:`set`)
    and one moment."""
    token = _current.set({"reason": reason, "moment": None})
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


@receiver(pre_create_historical_record)
def _one_moment(sender, history_instance, **kwargs):
    """Date every version of the action as its first (dated when simple-history
    wrote it, after the write's locks were taken)."""
    holder = _current.get()
    if holder is None:
        return
    if holder["moment"] is None:
        holder["moment"] = history_instance.history_date
    else:
        history_instance.history_date = holder["moment"]
