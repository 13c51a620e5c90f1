"""A record as it was at a moment: the record, its rows, and what they point to.

``record_as_of(Person, "ivan-maisky", moment)`` rebuilds from the versions:

* the record as it was then, if it existed and was public then (and is public
  now: a record withdrawn since is withdrawn from the past too);
* every row that pointed to it then (its name forms, positions, citations,
  and the signatures, participations… of other records that name it);
* the records those rows pointed to, as they were then (a draft then or now
  hides the row, or reads as null where the link is optional).

Everything is fetched in one query per model involved, never per row. The
rows are attached as if prefetched, so the API's types read them exactly as
they read live records. Lists of the records the rows point to (a signatory's
own name forms, say) are read as they are now.
"""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.db import models
from strawberry_django.optimizer import mark_optimized_by_prefetching

from archive import visibility
from archive.history import instance_of
from archive.models.base import Record, Row

MARK = "_archive_as_of"


def record_as_of(model: type[Record], slug: str, moment: datetime.datetime) -> Record | None:
    pk = visibility.public_records(model.objects.filter(slug=slug)).values_list("pk", flat=True)
    pk = pk.first()
    if pk is None:
        return None
    record = _records_as_of(model, {pk}, moment).get(pk)
    if record is None:
        return None

    relations = [
        relation
        for relation in model._meta.related_objects
        if issubclass(relation.related_model, Row)
    ]
    rows = {
        relation: _latest(
            relation.related_model, {f"{relation.field.attname}__in": [pk]}, moment
        ).values()
        for relation in relations
    }
    wanted = defaultdict(set)
    for relation, versions in rows.items():
        for field in _record_links(relation.related_model):
            if field == relation.field:
                continue  # the link back to the record itself
            wanted[field.related_model] |= {
                getattr(v, field.attname) for v in versions if getattr(v, field.attname)
            }
    for field in _record_links(model):
        if getattr(record, field.attname):
            wanted[field.related_model].add(getattr(record, field.attname))
    targets = {
        target_model: _records_as_of(target_model, ids, moment)
        for target_model, ids in wanted.items()
    }
    targets.setdefault(model, {})[pk] = record

    _link(record, targets)
    for relation, versions in rows.items():
        instances = []
        for version in versions:
            row = instance_of(version)
            _link(row, targets)
            if visibility.is_public(row):
                instances.append(row)
        instances.sort(key=_ordering(relation.related_model))
        record._prefetched_objects_cache[relation.get_accessor_name()] = _as_prefetched(
            relation.related_model, instances
        )
    setattr(record, MARK, moment)
    return record


def _records_as_of(model, ids, moment) -> dict[int, Record]:
    """The records among ``ids`` public now and public at ``moment``, as they were then."""
    public_now = visibility.public_records(model.objects.filter(pk__in=ids)).values("pk")
    versions = _latest(model, {"id__in": public_now}, moment)
    result = {}
    for pk, version in versions.items():
        if version.published:
            record = instance_of(version)
            record._prefetched_objects_cache = {}
            setattr(record, MARK, moment)
            result[pk] = record
    return result


def _latest(model, filters, moment) -> dict[int, models.Model]:
    """The last version up to ``moment`` of each row matching ``filters``, unless deleted."""
    latest = {}
    versions = model.history.filter(**filters, history_date__lte=moment).order_by(
        "id", "history_date", "history_id"
    )
    for version in versions:
        latest[version.id] = version
    return {pk: v for pk, v in latest.items() if v.history_type != "-"}


def _record_links(model) -> list[models.ForeignKey]:
    return [
        f
        for f in model._meta.concrete_fields
        if f.many_to_one and issubclass(f.related_model, Record)
    ]


def _link(instance, targets) -> None:
    """Point ``instance``'s links at the records as they were (None where hidden)."""
    instance._state.adding = False
    instance._state.db = "default"
    for field in _record_links(type(instance)):
        target_id = getattr(instance, field.attname)
        target = targets.get(field.related_model, {}).get(target_id) if target_id else None
        instance._state.fields_cache[field.name] = target


def _ordering(model):
    names = [
        name
        for name in model._meta.ordering
        if name.lstrip("-") != "pk" and not model._meta.get_field(name.lstrip("-")).is_relation
    ]
    return lambda row: tuple(getattr(row, name.lstrip("-")) for name in names) + (row.pk,)


def _as_prefetched(model, rows) -> models.QuerySet:
    queryset = model._default_manager.all()
    queryset._result_cache = rows
    queryset._prefetch_done = True
    queryset._archive_past_rows = True
    return mark_optimized_by_prefetching(queryset)


def is_past_rows(queryset) -> bool:
    """Is this a list of rows rebuilt by :func:`record_as_of`?"""
    return getattr(queryset, "_archive_past_rows", False)


def page(queryset, offset: int, limit: int) -> models.QuerySet:
    """One page of rows rebuilt by :func:`record_as_of` (they are in memory)."""
    return _as_prefetched(queryset.model, queryset._result_cache[offset : offset + limit])
