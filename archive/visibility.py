"""What the public may see: the one place that decides it.

* A record is public when it is published. Drafts are invisible everywhere in
  the API: lists, nested lists, lookups, search, counts, history and ``asOf``.
* A row (signatory, party, name form…) is public when every record it must
  point to is public: a signatory whose person is a draft is hidden, not shown
  with a null person.
* A record a row or record may point to (``place``, ``onBehalfOf``, a row's
  ``source``) that is a draft reads as null.
* Internal notes, editors and timestamps of drafts never leave the admin.
* The past is shown as the public saw it then: a version of a row is public
  only if every record it must point to was public at the version's moment
  (and is now); an optional link to a record that was a draft then reads as
  null (:func:`public_then`, used by :mod:`archive.history`).
"""

from __future__ import annotations

import copy

from django.db import models
from django.db.models import BooleanField, ExpressionWrapper, OuterRef, Q, Subquery

from archive.models.base import Record, Row

# Fields that never leave the admin, in any form (values, history diffs).
INTERNAL_FIELDS = frozenset(
    {"internal_notes", "name_text", "search_text", "published", "created", "modified"}
)


def public(link: str = "") -> Q:
    """The condition that a record is public: the queryset's own records, or the
    record at the end of the relation path ``link`` (``"place"``,
    ``"document__place"``)."""
    return Q(**{f"{link}__published" if link else "published": True})


def public_records(queryset: models.QuerySet) -> models.QuerySet:
    return queryset.filter(public())


def required_record_links(row_model: type[Row]) -> list[str]:
    """The row's links to records that must be public for the row to be."""
    return [
        field.name
        for field in row_model._meta.concrete_fields
        if field.many_to_one and not field.null and issubclass(field.related_model, Record)
    ]


def public_rows(queryset: models.QuerySet) -> models.QuerySet:
    return queryset.filter(*(public(name) for name in required_record_links(queryset.model)))


def record_links(model) -> list[models.ForeignKey]:
    """The model's links to records, but for a row's link to the record that owns it."""
    owner = getattr(model, "owner_field", None)
    return [
        field
        for field in model._meta.concrete_fields
        if field.many_to_one and issubclass(field.related_model, Record) and field.name != owner
    ]


def public_version() -> Q:
    """The condition that a version left its record public at the version's
    moment: published, and not its deletion."""
    return public() & ~Q(history_type="-")


def was_public(version) -> bool:
    """:func:`public_version` for one version in hand."""
    return version.published and version.history_type != "-"


def recorded_public(version) -> bool:
    """Whether the state ``version`` records was public: :func:`was_public`, but a
    deletion counts as the state it deleted. A reason that names a version's
    moment speaks of that state (a recovery names the deletion it undoes)."""
    return version.published


def public_then_name(field: models.Field) -> str:
    return f"{field.name}_public_then"


def public_then(model) -> dict[str, Subquery]:
    """Annotations for ``model``'s versions: was each record a version links to
    public (published, not deleted) at the version's moment?

    Each is a subquery of the linked record's own versions, in the query that
    reads the versions: no query more, however many versions and records.
    Null (false) for a link that is empty, or to a record with no version then.
    """
    public_then_expression = ExpressionWrapper(public_version(), output_field=BooleanField())
    annotations = {}
    for field in record_links(model):
        then = (
            field.related_model.history.filter(
                id=OuterRef(field.attname), history_date__lte=OuterRef("history_date")
            )
            .order_by("-history_date", "-history_id")
            .annotate(public=public_then_expression)
            .values("public")[:1]
        )
        annotations[public_then_name(field)] = Subquery(then, output_field=BooleanField())
    return annotations


def as_seen_then(instance: models.Model, version, moment_version) -> models.Model:
    """``instance`` (built from ``version``) with its links to records that were not
    public at ``moment_version``'s moment cut (cached as None).

    Whether a record was public then is read from ``moment_version``'s
    annotations (:func:`public_then`) for the links it shares with ``version``;
    for the others, from ``version``'s own (public at its moment: a name the
    public saw once, if not at the other moment).
    """
    cache = instance._state.fields_cache
    for field in record_links(type(instance)):
        target_id = getattr(version, field.attname)
        if target_id is None:
            continue
        judge = moment_version if getattr(moment_version, field.attname) == target_id else version
        if not getattr(judge, public_then_name(field), False):
            cache[field.name] = None
    return instance


def public_or_none(record: Record | None) -> Record | None:
    """An optional link to a record, as the public sees it."""
    return record if record is not None and is_public(record) else None


def is_public(obj) -> bool:
    """:func:`public` (a record) or :func:`public_rows` (a row) for one object in hand."""
    if isinstance(obj, Record):
        return obj.published
    if isinstance(obj, Row):
        for name in required_record_links(type(obj)):
            target = _linked(obj, name)
            if target is None or not is_public(target):
                return False
    return True


def _linked(obj, name):
    """The record ``obj`` links to as ``name``: as already fetched, else from the database."""
    cache = obj._state.fields_cache
    if name in cache:
        return cache[name]
    return getattr(obj, name)


def public_copy(row: Row) -> Row:
    """The row with its optional links to draft records cut (for labels like str())."""
    row = copy.copy(row)
    row._state = copy.copy(row._state)
    row._state.fields_cache = dict(row._state.fields_cache)
    for field in type(row)._meta.concrete_fields:
        if field.many_to_one and field.null and issubclass(field.related_model, Record):
            target = row._state.fields_cache.get(field.name)
            if getattr(row, field.attname) is not None and (
                target is None or not is_public(target)
            ):
                setattr(row, field.attname, None)
                row._state.fields_cache[field.name] = None
    return row
