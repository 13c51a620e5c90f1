"""Versions for rows that `manage.py load_archive` writes.

Fixtures save rows "raw": simple-history writes no version for them and
Django calls no `save()` method. Django's `loaddata` is left that way, as
documented. `load_archive` loads the same fixtures inside :func:`versioning`,
so that archivists see where every row came from: each raw save is compared
with what the database already holds:

* a new row gets a "created" version,
* a row whose fields the fixture changes gets a "changed" version,
* a row the fixture leaves as it was gets nothing (loading twice adds no
  versions),

each with the reason "Loaded from fixture <name>". One load is one action
(:mod:`archive.change_reasons`): its versions share one moment and one
``action_id``, so a record and the rows loaded with it exist from the same
instant, and the record "as of" its loaded version (a revert, the API's
``asOf``) has them.
Record timestamps follow the same rule: ``created`` is kept from the
database, ``modified`` moves only when the fixture changed something.
"""

from __future__ import annotations

import contextlib
import contextvars

from django.utils import timezone

from archive import change_reasons
from archive.models.base import Record

_current_fixture: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "current_fixture", default=None
)
_versioning: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "versioning_fixtures", default=False
)
# Fields that describe the row's bookkeeping, not its content.
_BOOKKEEPING = {"created", "modified", "name_text", "search_text"}


@contextlib.contextmanager
def versioning():
    """Version the raw saves made inside, as one action (one ``load_archive``
    call): one moment, one action id."""
    token = _versioning.set(True)
    try:
        with change_reasons.reason_scope():
            yield
    finally:
        _versioning.reset(token)


@contextlib.contextmanager
def loading_fixture(name: str):
    """Name the fixture being loaded, for the reason of the versions it writes."""
    token = _current_fixture.set(name)
    try:
        yield
    finally:
        _current_fixture.reset(token)


def reason(fixture: str | None = None) -> str:
    name = _current_fixture.get() or fixture
    return f"Loaded from fixture {name}" if name else "Loaded from a fixture"


def before_raw_save(instance) -> None:
    """Decide which version, if any, this raw save needs (see module docstring)."""
    if not _versioning.get():
        return  # Django's own loaddata: the row is saved as it is
    model = type(instance)
    existing = model._default_manager.filter(pk=instance.pk).first() if instance.pk else None
    if existing is None or not existing.versions.exists():
        instance._fixture_version = "+"
        return
    content = [f.attname for f in model._meta.concrete_fields if f.attname not in _BOOKKEEPING]
    changed = any(getattr(existing, f) != getattr(instance, f) for f in content)
    instance._fixture_version = "~" if changed else None
    if isinstance(instance, Record):
        instance.created = existing.created
        instance.modified = timezone.now() if changed else existing.modified


def defer_version(instance, deferred: bool) -> None:
    """Write no version for this save: the row is saved again, complete, later.

    Django's loader first saves a row that refers to a row further down the
    fixture without that reference, then again with it; versioning the first
    save would record a state the fixture never had. The second save comes
    after the fixture's own loading: the row remembers its fixture's name.
    """
    instance._fixture_version_deferred = deferred
    if deferred:
        instance._fixture_name = _current_fixture.get()


def after_raw_save(instance) -> None:
    history_type = instance.__dict__.pop("_fixture_version", None)
    if history_type and not getattr(instance, "_fixture_version_deferred", False):
        type(instance).history.bulk_history_create(
            [instance],
            update=history_type == "~",
            default_change_reason=reason(getattr(instance, "_fixture_name", None)),
            default_date=change_reasons.moment(),
            custom_historical_attrs={"action_id": change_reasons.action_id()},
        )
