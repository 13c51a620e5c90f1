"""One action: one reason, one moment and one id for every version it writes.

An admin save writes versions of the record, of its inline rows and, on a
delete, of every row the delete cascades to. The archivist gives one reason;
:func:`reason_scope` holds it for the duration of the action and the
signal handlers in :mod:`archive.signals` hand it to each row that has no
reason of its own (:func:`apply`).

The versions of one action also share one moment, the date of the first
version it writes, so that the record "as of" a version of it
(``Model.history.as_of``, the API's ``asOf``) has the rows saved with it,
which were written a few milliseconds after it. And they share one
``action_id`` (a field of every version, :class:`archive.models.base.Version`):
what a revert brings back with a version (the rows deleted with a record,
those written by the same save) is found by that id, exactly.

A version written outside any action is an action of its own (a fresh id);
:func:`action` joins the current action or starts one, for writes that are
one action wherever they are made (a delete and its cascade).
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime
import uuid

from django.dispatch import receiver
from django.utils import timezone
from simple_history.signals import pre_create_historical_record

_current: contextvars.ContextVar[dict | None] = contextvars.ContextVar(
    "change_reason", default=None
)


@contextlib.contextmanager
def reason_scope(reason: str | None = None):
    """Make the writes inside one action: one reason (settable later with
    :func:`set`), one moment, one id."""
    token = _current.set({"reason": reason, "moment": None, "id": uuid.uuid4()})
    try:
        yield
    finally:
        _current.reset(token)


@contextlib.contextmanager
def action():
    """Inside the current action if there is one, else inside a new one."""
    if _current.get() is not None:
        yield
    else:
        with reason_scope():
            yield


def set(reason: str) -> None:  # noqa: A001 - read as change_reasons.set(...)
    holder = _current.get()
    if holder is not None:
        holder["reason"] = reason


def current() -> str | None:
    holder = _current.get()
    return holder["reason"] if holder else None


def action_id() -> uuid.UUID | None:
    """The id of the current action; None outside one."""
    holder = _current.get()
    return holder["id"] if holder else None


def moment() -> datetime.datetime:
    """The moment of the current action (now, if it has written nothing yet);
    now, outside one."""
    holder = _current.get()
    if holder is None:
        return timezone.now()
    if holder["moment"] is None:
        holder["moment"] = timezone.now()
    return holder["moment"]


def apply(instance) -> None:
    """Give ``instance`` the current reason unless it carries one already."""
    reason = current()
    if reason and not getattr(instance, "_change_reason", None):
        instance._change_reason = reason


@receiver(pre_create_historical_record)
def _one_action(sender, history_instance, **kwargs):
    """Date every version of the action as its first (dated when simple-history
    wrote it, after the write's locks were taken) and give it the action's id."""
    holder = _current.get()
    if holder is None:
        return
    if holder["moment"] is None:
        holder["moment"] = history_instance.history_date
    else:
        history_instance.history_date = holder["moment"]
    history_instance.action_id = holder["id"]
