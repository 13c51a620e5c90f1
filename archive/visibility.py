"""What the public may see: the one place that decides it.

* A record is public when it is published. Drafts are invisible everywhere in
  the API: lists, nested lists, lookups, search, counts, history and ``asOf``.
* A row (signatory, party, name form…) is public when every record it must
  point to is public: a signatory whose person is a draft is hidden, not shown
  with a null person.
* A record a row or record may point to (``place``, ``onBehalfOf``, a row's
  ``source``) that is a draft reads as null.
* Internal notes, editors and timestamps of drafts never leave the admin.
"""

from __future__ import annotations

import copy

from django.db import models

from archive.models.base import Record, Row

# Fields that never leave the admin, in any form (values, history diffs).
INTERNAL_FIELDS = frozenset(
    {"internal_notes", "name_text", "search_text", "published", "created", "modified"}
)


def public_records(queryset: models.QuerySet) -> models.QuerySet:
    return queryset.filter(published=True)


def required_record_links(row_model: type[Row]) -> list[str]:
    """The row's links to records that must be public for the row to be."""
    return [
        field.name
        for field in row_model._meta.concrete_fields
        if field.many_to_one and not field.null and issubclass(field.related_model, Record)
    ]


def public_rows(queryset: models.QuerySet) -> models.QuerySet:
    filters = {f"{name}__published": True for name in required_record_links(queryset.model)}
    return queryset.filter(**filters)


def public_or_none(record: Record | None) -> Record | None:
    """An optional link to a record, as the public sees it."""
    return record if record is not None and record.published else None


def is_public(obj) -> bool:
    if isinstance(obj, Record):
        return obj.published
    if isinstance(obj, Row):
        for name in required_record_links(type(obj)):
            target = _linked(obj, name)
            if target is None or not target.published:
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
            if getattr(row, field.attname) is not None and (target is None or not target.published):
                setattr(row, field.attname, None)
                row._state.fields_cache[field.name] = None
    return row
