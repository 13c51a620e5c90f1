"""A record's history: its own versions and those of the rows it owns.

simple-history keeps one table of versions per model. An archivist (and an
API client) asks for the history of *a record*: its own changes, and the
signatories, parties, name forms… added, changed and removed under it. This
module merges those tables into one list of :class:`Entry`, newest first,
each with the fields it changed. Diffs are computed in one pass over each
row's ordered versions (never one query per version).

It works for many records at once (:func:`histories`) so that callers can
fetch the history of a whole page of records in a fixed number of queries.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.apps import apps
from django.db import models

from archive.models.base import Record, Row

TYPES = {"+": "created", "~": "changed", "-": "deleted"}
ROW_VERBS = {"+": "added", "~": "changed", "-": "removed"}
# Fields that never leave the admin.
INTERNAL = {"internal_notes"}


@dataclass
class Change:
    field: str
    old: str
    new: str


@dataclass
class Entry:
    """One version of the record or of one of its rows."""

    version: models.Model
    record_pk: int
    date: object
    type: str  # created / changed / deleted
    reason: str
    user: object
    # None for the record's own versions; the row's model otherwise.
    row_model: type[Row] | None = None
    changes: list[Change] = field(default_factory=list)

    @property
    def is_own(self) -> bool:
        return self.row_model is None

    @property
    def summary(self) -> str:
        """ "Changed", or "signatory added: Ivan Maisky for Soviet Union"."""
        if self.row_model is None:
            return self.type.capitalize()
        verb = ROW_VERBS[self.version.history_type]
        return f"{self.row_model._meta.verbose_name} {verb}: {row_as_it_was(self.version)}"


def owned_row_models(record_model: type[Record]) -> list[type[Row]]:
    """The row models whose rows belong to ``record_model`` (inlines in the admin)."""
    return [
        model
        for model in apps.get_app_config("archive").get_models()
        if issubclass(model, Row)
        and model._meta.get_field(model.owner_field).related_model is record_model
    ]


def histories(
    record_model: type[Record], pks: Iterable[int], *, internal: bool = True
) -> dict[int, list[Entry]]:
    """The merged history of each record in ``pks``, newest first.

    With ``internal=False`` the fields that never leave the admin are left out
    of the diffs (and a version that changed nothing else shows no changes).
    """
    pks = list(pks)
    skip = set() if internal else INTERNAL
    result: dict[int, list[Entry]] = defaultdict(list)
    sources = [(record_model, None, "id")] + [
        (row_model, row_model, f"{row_model.owner_field}_id")
        for row_model in owned_row_models(record_model)
    ]
    for model, row_model, owner_attr in sources:
        versions = (
            model.history.filter(**{f"{owner_attr}__in": pks})
            .select_related("history_user")
            ._select_related_history_tracked_objs()
            .order_by("id", "history_date", "history_id")
        )
        for entry in _entries(model, versions, row_model, owner_attr, skip):
            result[entry.record_pk].append(entry)
    for entries in result.values():
        entries.sort(key=lambda e: (e.date, e.version.history_id), reverse=True)
    return {pk: result.get(pk, []) for pk in pks}


def history(record: Record, *, internal: bool = True) -> list[Entry]:
    return histories(type(record), [record.pk], internal=internal)[record.pk]


def _entries(model, versions, row_model, owner_attr, skip) -> list[Entry]:
    # What an archivist edits; not the bookkeeping (timestamps, search text)
    # nor what is derived from it (date bounds).
    editable = {f.name for f in model._meta.concrete_fields if f.editable and not f.primary_key}
    fields = [
        f for f in model.history.model.tracked_fields if f.name in editable and f.name not in skip
    ]
    entries, previous = [], None
    for version in versions:
        if previous is not None and previous.id != version.id:
            previous = None
        changes = []
        if previous is not None and version.history_type == "~":
            changes = [
                Change(f.verbose_name, _display(previous, f), _display(version, f))
                for f in fields
                if getattr(previous, f.attname) != getattr(version, f.attname)
            ]
        entries.append(
            Entry(
                version=version,
                record_pk=getattr(version, owner_attr),
                date=version.history_date,
                type=TYPES[version.history_type],
                reason=version.history_change_reason or "",
                user=version.history_user,
                row_model=row_model,
                changes=changes,
            )
        )
        previous = version
    return entries


def row_as_it_was(version) -> models.Model:
    """The row a version describes, with the related records fetched with it."""
    instance = version.instance
    # select_related on the version filled its cache; reuse it, no more queries.
    instance._state.fields_cache.update(version._state.fields_cache)
    return instance


def _display(version, field) -> str:
    value = getattr(version, field.attname)
    if value is None or value == "":
        return ""
    if field.is_relation:
        related = getattr(version, field.name, None)
        return str(related) if related is not None else f"#{value} (deleted)"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)
