"""A record's history: its own versions and those of the rows it owns.

simple-history keeps one table of versions per model. An archivist (and an
API client) asks for the history of *a record*: its own changes, and the
signatories, parties, name forms… added, changed and removed under it. This
module merges those tables into one list of :class:`Entry`, newest first,
each with the fields it changed. Diffs are computed in one pass over each
row's ordered versions, never one query per version.

Two audiences, one computation:

* the admin sees everything (:func:`histories`, :func:`history`);
* the public API (``public=True``) sees only what was public when it
  happened: no version from a time the record was a draft (a record's public
  history starts when it was first published, as "created"), no row that
  points to a draft, and no internal field (:mod:`archive.visibility`).

The versions come either from queries made here (:func:`histories`, for the
admin) or from lists the caller prefetched (:func:`entries`, for the API,
which fetches the versions of a whole page of records in one query per model).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db import models

from archive import visibility
from archive.models.base import Record, Row, row_models, row_versions_name

TYPES = {"+": "created", "~": "changed", "-": "deleted"}
ROW_VERBS = {"+": "added", "~": "changed", "-": "removed"}


@dataclass
class Change:
    """One field of one version: its model field and the values before and after.

    Values are Python values; a link to another record is that record (or
    None). How they are shown is the caller's business.
    """

    field: models.Field
    old: object
    new: object


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
    # For a row: the row before and after this version (None when absent).
    row_before: models.Model | None = None
    row_after: models.Model | None = None

    @property
    def is_own(self) -> bool:
        return self.row_model is None

    @property
    def summary(self) -> str:
        """ "Changed", or "signatory added: Ivan Maisky for Soviet Union"."""
        if self.row_model is None:
            return self.type.capitalize()
        verb = ROW_VERBS[self.version.history_type]
        row = self.row_after or self.row_before
        return f"{self.row_model._meta.verbose_name} {verb}: {row}"


def owned_row_models(record_model: type[Record]) -> list[type[Row]]:
    """The row models whose rows belong to ``record_model`` (inlines in the admin)."""
    return [
        model
        for model in row_models()
        if model._meta.get_field(model.owner_field).related_model is record_model
    ]


def versions_queryset(model: type[models.Model]) -> models.QuerySet:
    """A model's versions in diffing order, with the records they link to."""
    return (
        model.history.select_related("history_user")
        ._select_related_history_tracked_objs()
        .order_by("id", "history_date", "history_id")
    )


def histories(
    record_model: type[Record], pks: Iterable[int], *, public: bool = False
) -> dict[int, list[Entry]]:
    """The merged history of each record in ``pks``, newest first (queries here)."""
    pks = list(pks)
    own = defaultdict(list)
    for version in versions_queryset(record_model).filter(id__in=pks):
        own[version.id].append(version)
    rows = {pk: {} for pk in pks}
    for row_model in owned_row_models(record_model):
        owner = f"{row_model.owner_field}_id"
        for pk in pks:
            rows[pk][row_model] = []
        for version in versions_queryset(row_model).filter(**{f"{owner}__in": pks}):
            rows[getattr(version, owner)][row_model].append(version)
    return {pk: entries(record_model, pk, own[pk], rows[pk], public=public) for pk in pks}


def history(record: Record, *, public: bool = False) -> list[Entry]:
    return histories(type(record), [record.pk], public=public)[record.pk]


def prefetched_entries(record: Record, *, public: bool = True) -> list[Entry]:
    """:func:`entries` from versions prefetched on ``record`` (see module docstring)."""
    record_model = type(record)
    rows = {
        row_model: list(getattr(record, row_versions_name(row_model)).all())
        for row_model in owned_row_models(record_model)
    }
    return entries(record_model, record.pk, list(record.versions.all()), rows, public=public)


def entries(
    record_model: type[Record],
    record_pk: int,
    own_versions: Sequence,
    row_versions: dict[type[Row], Sequence],
    *,
    public: bool,
) -> list[Entry]:
    """Merge one record's versions and its rows' versions, newest first.

    ``own_versions`` and each list of ``row_versions`` are in diffing order:
    by row id, then date (see :func:`versions_queryset`).
    """
    all_own = sorted(own_versions, key=lambda v: (v.history_date, v.history_id))
    own_versions = all_own
    if public:
        own_versions = [v for v in all_own if v.published and v.history_type != "-"]
    result = _diff(record_model, own_versions, None, record_pk, public)
    if public and result:
        first = result[0]
        first.type, first.changes = "created", []  # the public record begins here
    for row_model, versions in row_versions.items():
        row_entries = _diff(row_model, versions, row_model, record_pk, public)
        if public:
            row_entries = [
                e for e in row_entries if _published_at(all_own, e.date) and _public_row(e)
            ]
        result += row_entries
    # Newest first; at the same moment a record's rows come after (are newer
    # than) the record itself: an admin save writes the record first.
    result.sort(key=lambda e: (e.date, e.row_model is not None, e.version.history_id), reverse=True)
    return result


def for_people(change: Change) -> tuple[str, str, str]:
    """A change as the admin shows it: field label, old and new values as text."""
    return (
        str(change.field.verbose_name),
        _text(change.field, change.old),
        _text(change.field, change.new),
    )


def _text(field, value) -> str:
    if value is None or value == "":
        return ""
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _diff(model, versions, row_model, record_pk, public) -> list[Entry]:
    fields = _diffed_fields(model, public)
    result, previous = [], None
    for version in versions:
        if previous is not None and previous.id != version.id:
            previous = None
        changes = []
        if previous is not None and version.history_type == "~":
            changes = [
                Change(f, _value(previous, f), _value(version, f))
                for f in fields
                if getattr(previous, f.attname) != getattr(version, f.attname)
            ]
        entry = Entry(
            version=version,
            record_pk=record_pk,
            date=version.history_date,
            type=TYPES[version.history_type],
            reason=version.history_change_reason or "",
            user=version.history_user,
            row_model=row_model,
            changes=changes,
        )
        if row_model is not None:
            entry.row_before = _as_it_was(previous) if previous is not None else None
            entry.row_after = _as_it_was(version) if version.history_type != "-" else None
            if version.history_type == "-":
                entry.row_before = _as_it_was(version)
        result.append(entry)
        previous = version
    return result


def _diffed_fields(model, public: bool) -> list[models.Field]:
    # What an archivist edits: not the bookkeeping (timestamps, search text)
    # nor what is derived from it (date bounds); for the public, nothing internal.
    editable = {f.name for f in model._meta.concrete_fields if f.editable and not f.primary_key}
    skip = visibility.INTERNAL_FIELDS if public else set()
    return [
        f for f in model.history.model.tracked_fields if f.name in editable and f.name not in skip
    ]


def _value(version, field):
    if field.is_relation:
        return getattr(version, field.name, None)
    return getattr(version, field.attname)


def instance_of(version) -> models.Model:
    """The row or record a version describes, built without a query.

    simple-history's ``version.instance`` fetches the fields excluded from
    history (here the search texts) with one query per version; nothing that
    reads the past needs them.
    """
    attrs = {f.attname: getattr(version, f.attname) for f in type(version).tracked_fields}
    return version.instance_type(**attrs)


def _as_it_was(version) -> models.Model:
    """The row a version describes, with the records it links to as fetched with it."""
    instance = instance_of(version)
    # select_related on the version filled its cache; reuse it, no more queries.
    instance._state.fields_cache.update(version._state.fields_cache)
    return instance


def _published_at(own_versions, moment) -> bool:
    """Was the record (given its versions, oldest first) published at ``moment``?"""
    state = False
    for version in own_versions:
        if version.history_date > moment:
            break
        state = version.published
    return state


def _public_row(entry: Entry) -> bool:
    return all(
        visibility.is_public(row) for row in (entry.row_before, entry.row_after) if row is not None
    )
