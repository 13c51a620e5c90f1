"""A record's history: its own versions and those of the rows it owns.

simple-history keeps one table of versions per model. An archivist (and an
API client) asks for the history of *a record*: its own changes, and the
signatories, parties, name forms… added, changed and removed under it. This
module merges those tables into one list of :class:`Entry`, newest first,
each with the fields it changed (simple-history's ``diff_against``, between
consecutive versions of each row fetched together: never one query per
version).

Two audiences, one computation:

* the admin sees everything (:func:`histories`, :func:`history`);
* the public API (``public=True``) sees only what was public when it
  happened (:func:`_public_diff`): no version from a time the record was a
  draft (a record's public history starts when it was first published, as
  "created"; versions while it was withdrawn are left out), no version of a
  row from a time a record it must point to was a draft (or that points to
  one now), no name of a record that was a draft at the version's moment, no
  old value the public did not see, no internal field
  (:mod:`archive.visibility`), and no reason that names a moment the record or
  row was not public (:func:`_public_reason`: such a reason is shown empty,
  as if none had been given, since "Reverted to the version of <a draft
  moment>" says that a draft existed then).

The versions come either from queries made here (:func:`histories`, for the
admin) or from lists the caller prefetched (:func:`entries`, for the API,
which fetches the versions of a whole page of records in one query per model).

Each audience reads an entry through its :class:`Formatter`: :data:`ADMIN`
for the admin's history and revert pages, :data:`PUBLIC` for the API, whose
names for relations are in :data:`API_RELATION_NAMES`.
"""

from __future__ import annotations

import datetime
import functools
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db import models
from simple_history.models import DeletedObject
from strawberry.utils.str_converters import to_camel_case

from archive import dates, visibility
from archive.library_versions import require
from archive.models.base import EDTFField, Record, Row, row_models, row_versions_name

require(
    "django-simple-history",
    "3.13.0",
    "archive/history.py reads simple-history's private HistoricalModel.tracked_fields",
)

TYPES = {"+": "created", "~": "changed", "-": "deleted"}
ROW_VERBS = {"created": "added", "changed": "changed", "deleted": "removed"}
# How the admin names a moment in a reason it offers ("Reverted to the version
# of 2026-01-01 10:00:00 UTC"): such a moment is checked before the public sees it.
REASON_MOMENT = re.compile(r"(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}) UTC")


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


def owned_row_models(record_model: type[Record]) -> list[type[Row]]:
    """The row models whose rows belong to ``record_model`` (inlines in the admin)."""
    return [
        model
        for model in row_models()
        if model._meta.get_field(model.owner_field).related_model is record_model
    ]


def versions_queryset(model: type[models.Model]) -> models.QuerySet:
    """A model's versions in diffing order, with the records they link to and
    whether each was public at the version's moment (``visibility.public_then``)."""
    # The links by name: simple-history's _select_related_history_tracked_objs() calls
    # select_related() with no name for a model that links to no record (a person, a
    # state, a source), which follows every link, the version's own link to its live
    # record too: an inner join that drops every version of a deleted record.
    links = [f.name for f in model.history.model.tracked_fields if isinstance(f, models.ForeignKey)]
    return (
        model.history.select_related("history_user", *links)
        .annotate(**visibility.public_then(model))
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
    own = sorted(own_versions, key=lambda v: (v.history_date, v.history_id))
    if public:
        result = _public_diff(record_model, own, None, record_pk, own)
        for row_model, versions in row_versions.items():
            result += _public_diff(row_model, versions, row_model, record_pk, own)
    else:
        result = _diff(record_model, own, None, record_pk)
        for row_model, versions in row_versions.items():
            result += _diff(row_model, versions, row_model, record_pk)
    # Newest first; at the same moment a record's rows come after (are newer
    # than) the record itself: an admin save writes the record first.
    result.sort(key=lambda e: (e.date, e.row_model is not None, e.version.history_id), reverse=True)
    return result


# --- how an audience reads an entry ----------------------------------------------------------

# The API's names of the relations whose rows a record's history lists, where they
# differ from the model's related names (the model's "citations" are the API's "sources").
API_RELATION_NAMES = {"links": "relatedDocuments", "citations": "sources"}


def relation_name(row_model: type[Row]) -> str:
    """The API's name of the relation that lists ``row_model``'s rows: "signatories"."""
    related_name = row_model._meta.get_field(row_model.owner_field).remote_field.related_name
    return API_RELATION_NAMES.get(related_name, to_camel_case(related_name))


@dataclass
class Shown:
    """One entry as an audience reads it: what it says, and its changes as
    (field, old, new) texts."""

    version: models.Model
    date: object
    type: str
    reason: str
    user: object
    is_own: bool
    summary: str
    changes: list[tuple[str, str | None, str | None]]


class Formatter:
    """How an audience reads the history: the admin's (:data:`ADMIN`) or the
    public API's (:data:`PUBLIC`). Both summarise alike ("Changed", "signatory
    added: Ivan Maisky for Soviet Union"); they name fields and write values
    each their own way."""

    def show(self, entry: Entry) -> Shown:
        return Shown(
            version=entry.version,
            date=entry.date,
            type=entry.type,
            reason=entry.reason,
            user=entry.user,
            is_own=entry.is_own,
            summary=self.summary(entry),
            changes=self.changes(entry),
        )

    def summary(self, entry: Entry) -> str:
        if entry.row_model is None:
            return entry.type.capitalize()
        verb = ROW_VERBS[entry.type]
        row = self.row(entry.row_after or entry.row_before)
        return f"{entry.row_model._meta.verbose_name} {verb}: {row}"

    def changes(self, entry: Entry) -> list[tuple[str, str | None, str | None]]:
        if entry.row_model is not None and entry.type != "changed":
            return self.row_presence(entry)
        return [self.change(c.field, c.old, c.new, entry.row_model) for c in entry.changes]

    def change(self, field, old, new, row_model=None) -> tuple[str, str | None, str | None]:
        return (self.label(field, row_model), self.text(field, old), self.text(field, new))

    def row_presence(self, entry: Entry) -> list[tuple[str, str | None, str | None]]:
        """The changes of a row added or removed (its summary says which)."""
        return []

    def label(self, field, row_model) -> str:
        return str(field.verbose_name)

    def text(self, field, value) -> str:
        if value is None or value == "":
            return ""
        if field.choices:
            return str(dict(field.flatchoices).get(value, value))
        if isinstance(value, bool):
            return "yes" if value else "no"
        if isinstance(field, EDTFField):
            return dates.with_display(value)  # "1941-07 (July 1941)"
        return str(value)

    def row(self, row) -> str:
        """A row by its label; a date in it (an office's period) with its reading
        beside it, as its changes have."""
        if hasattr(row, "dated_label"):
            return row.dated_label(dates.with_display)
        return str(row)


class PublicFormatter(Formatter):
    """Fields by their API names ("signatories.role"), values as JSON reads them,
    null for none, no name of a draft; a row added or removed is a change of
    its relation; a change whose texts are equal was not seen."""

    def changes(self, entry):
        return [(f, old, new) for f, old, new in super().changes(entry) if old != new]

    def row_presence(self, entry):
        before, after = (
            self.row(r) if r is not None else None for r in (entry.row_before, entry.row_after)
        )
        return [(relation_name(entry.row_model), before, after)]

    def label(self, field, row_model) -> str:
        prefix = f"{relation_name(row_model)}." if row_model is not None else ""
        return prefix + to_camel_case(field.name)

    def text(self, field, value) -> str | None:
        if value is None or value == "":
            return None
        if isinstance(value, Record):
            return str(value) if visibility.is_public(value) else None
        if isinstance(value, bool):
            return "true" if value else "false"
        return str(value)  # dates as ISO 8601, decimals as written

    def row(self, row) -> str:
        return str(visibility.public_copy(row))


ADMIN = Formatter()
PUBLIC = PublicFormatter()


def _diff(model, versions, row_model, record_pk) -> list[Entry]:
    fields = _diffed_fields(model, public=False)
    result, previous = [], None
    for version in versions:
        if previous is not None and previous.id != version.id:
            previous = None
        changes = []
        if previous is not None and version.history_type == "~":
            changes = _changes(fields, previous, version)
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
            entry.row_before = as_it_was(previous) if previous is not None else None
            entry.row_after = as_it_was(version) if version.history_type != "-" else None
            if version.history_type == "-":
                entry.row_before = as_it_was(version)
        result.append(entry)
        previous = version
    return result


@functools.cache  # simple-history builds a new manager class on each ``model.history``
def _diffed_fields(model, public: bool) -> list[models.Field]:
    # What an archivist edits: not the bookkeeping (timestamps, search text)
    # nor what is derived from it (date bounds); for the public, nothing internal.
    editable = {f.name for f in model._meta.concrete_fields if f.editable and not f.primary_key}
    skip = visibility.INTERNAL_FIELDS if public else set()
    return [
        f for f in model.history.model.tracked_fields if f.name in editable and f.name not in skip
    ]


def _changes(fields, old_version, new_version) -> list[Change]:
    """The ``fields`` that differ between two versions of one row, in field order,
    a link as the record it points to (None when it is gone).

    simple-history's ``diff_against``: with ``foreign_keys_are_objs`` it reads
    the linked records from what ``versions_queryset`` selected with the
    versions, no query more.
    """
    delta = new_version.diff_against(
        old_version, included_fields=[f.name for f in fields], foreign_keys_are_objs=True
    )
    changed = {change.field: change for change in delta.changes}
    return [
        Change(f, _linked(changed[f.name].old), _linked(changed[f.name].new))
        for f in fields
        if f.name in changed
    ]


def _linked(value):
    return None if isinstance(value, DeletedObject) else value


def instance_of(version) -> models.Model:
    """The row or record a version describes, built without a query.

    simple-history's ``version.instance`` fetches the fields excluded from
    history (here the search texts) with one query per version; nothing that
    reads the past needs them.
    """
    attrs = {f.attname: getattr(version, f.attname) for f in type(version).tracked_fields}
    return version.instance_type(**attrs)


def as_it_was(version) -> models.Model:
    """The row a version describes, with the records it links to as fetched with it."""
    instance = instance_of(version)
    # select_related on the version filled its cache; reuse it, no more queries.
    instance._state.fields_cache.update(version._state.fields_cache)
    return instance


def _public_diff(model, versions, row_model, record_pk, own) -> list[Entry]:
    """The versions the public saw, each diffed against what the public saw before it.

    A version is shown when what it describes was public at its moment
    (:func:`_seen`); a row's removal, when the row was. Its changes are from
    the version before it if the public saw that one just before, else from
    the last version shown (a record republished: the version before it was
    withdrawn); with neither, it is the record's "created", the row's "added".
    ``versions`` are in diffing order; ``own`` are the record's, by date.
    """
    fields = _diffed_fields(model, public=True)
    own_states = [(v.history_date, visibility.recorded_public(v)) for v in own]
    result = []
    previous = last_shown = None
    states = []  # (date, public then) of this row's versions so far
    for version in versions:
        if previous is not None and previous.id != version.id:
            previous = last_shown = None
            states = []
        deleted = version.history_type == "-"
        seen = _seen(version, version, row_model, own)
        states.append((version.history_date, deleted or seen is not None))
        entry = None
        if deleted:
            # A record deleted is not public; a row removed is shown if it was.
            if row_model is not None:
                if seen is not None:
                    entry = _entry(version, row_model, record_pk, "deleted", before=seen)
                last_shown = None  # the row is gone; if it comes back, it is added
        elif seen is not None:
            base = before = None
            if previous is not None and previous.history_type != "-":
                # As the public saw it just before this version.
                before = _seen(previous, version, row_model, own)
                base = previous if before is not None else None
            if base is None and last_shown is not None:
                before = _seen(last_shown, version, row_model, own)
                base = last_shown if before is not None else None
            entry = _entry(
                version, row_model, record_pk, "changed" if base else "created", before, seen
            )
            if base is not None:
                entry.changes = _public_changes(fields, base, before, version, seen)
                if not entry.changes:
                    # Only what the public may not see changed (internal notes, a
                    # link between drafts): no entry, and no reason that may name it.
                    entry = None
            last_shown = version
        if entry is not None:
            entry.reason = _public_reason(entry.reason, own_states, states[:-1], row_model)
            result.append(entry)
        previous = version
    return result


def _entry(version, row_model, record_pk, type_, before=None, after=None) -> Entry:
    entry = Entry(
        version=version,
        record_pk=record_pk,
        date=version.history_date,
        type=type_,
        reason=version.history_change_reason or "",
        user=version.history_user,
        row_model=row_model,
    )
    if row_model is not None:
        entry.row_before = before if type_ != "created" else None
        entry.row_after = after
    return entry


def _seen(version, moment_version, row_model, own) -> models.Model | None:
    """The record or row ``version`` describes as the public saw it at
    ``moment_version``'s moment (links to records not public then cut), or
    None if the public did not see it then."""
    instance = visibility.as_seen_then(as_it_was(version), version, moment_version)
    if row_model is None:
        # A deletion is never shown: what this says of it is not read.
        return instance if visibility.was_public(version) else None
    if not _published_at(own, moment_version.history_date):
        return None
    return instance if visibility.is_public(instance) else None


def _public_changes(fields, base, before, version, after) -> list[Change]:
    """The changes from ``base`` to ``version``, their links as the public saw them
    (``before`` and ``after``: the two as :func:`_seen` cut them)."""
    changes = []
    for change in _changes(fields, base, version):
        f = change.field
        if f.is_relation:
            old = before._state.fields_cache.get(f.name)
            new = after._state.fields_cache.get(f.name)
            if old is None and new is None:
                continue  # links the public did not see, before or after
        else:
            old, new = change.old, change.new
        changes.append(Change(f, old, new))
    return changes


def _public_reason(reason: str, own_states, row_states, row_model) -> str:
    """The reason, or "" if it names a moment the record (or the row) was not public.

    ``own_states`` and ``row_states`` are (date, public then) of the record's
    versions and of the row's versions before this one, by date.
    """
    for match in REASON_MOMENT.finditer(reason):
        try:
            start = datetime.datetime.strptime(match.group(1), "%Y-%m-%d %H:%M:%S")
        except ValueError:
            return ""
        start = start.replace(tzinfo=datetime.UTC)
        if not _public_in_second(own_states, start, absent=False):
            return ""
        # A row absent then hid nothing; one present then, only if it was public.
        if row_model is not None and not _public_in_second(row_states, start, absent=True):
            return ""
    return reason


def _public_in_second(states, start, *, absent: bool) -> bool:
    """Public at every version in the second from ``start`` (reasons name moments
    to the second), or else at the one before it; ``absent`` if there is none."""
    end = start + datetime.timedelta(seconds=1)
    within = [public for date, public in states if start <= date < end]
    if within:
        return all(within)
    before = [public for date, public in states if date < start]
    return before[-1] if before else absent


def _published_at(own_versions, moment) -> bool:
    """Was the record (given its versions, oldest first) published at ``moment``?"""
    state = False
    for version in own_versions:
        if version.history_date > moment:
            break
        state = visibility.was_public(version)
    return state
