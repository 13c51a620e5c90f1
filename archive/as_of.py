"""Records as they were at a moment, rebuilt from their versions.

``record_as_of(Person, "ivan-maisky", moment, wanted)`` returns the person as
they were then, if they existed and were public then (and are public now: a
record withdrawn since is withdrawn from the past too). ``wanted`` says which
relations to rebuild with it, in model terms, as deep as the caller needs::

    {"signed": {"document": {"parties": {}}}, "name_forms": {}, HISTORY: {}}

Every relation is rebuilt as it was at the moment: the rows then (a removed
signatory is back, an added one not yet there), and the records they pointed
to as they were then. A row pointing to a record that was a draft then (or is
one now) is hidden; an optional link to one reads as None. ``HISTORY`` asks
for the versions up to the moment, for the history of each record.

Each level costs one query per relation and per model linked, whatever the
number of records: rows and links are fetched for all the records of a level
at once. Rebuilt rows are attached as if prefetched, so the API's types read
them exactly as they read live records.
"""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.db import models
from strawberry_django.optimizer import mark_optimized_by_prefetching

from archive import visibility
from archive.history import instance_of, owned_row_models, versions_queryset
from archive.models.base import Record, Row, row_versions_name

MARK = "_archive_as_of"
HISTORY = "__history__"


def record_as_of(
    model: type[Record], slug: str, moment: datetime.datetime, wanted: dict | None = None
) -> Record | None:
    pk = visibility.public_records(model.objects.filter(slug=slug)).values_list("pk", flat=True)
    pk = pk.first()
    if pk is None:
        return None
    records = _records_as_of(model, {pk}, moment)
    _rebuild(model, records, wanted or {}, moment)
    return records.get(pk)


def _rebuild(model, records: dict[int, Record], wanted: dict, moment) -> None:
    """Attach to ``records`` (all of ``model``) the relations ``wanted`` asks for."""
    if not records:
        return
    for name, below in wanted.items():
        if name == HISTORY:
            _attach_versions(model, records, moment)
            continue
        field = model._meta.get_field(name)
        if field.one_to_many and issubclass(field.related_model, Row):
            _attach_rows(field, records, below, moment)
        elif field.many_to_one and issubclass(field.related_model, Record):
            targets = _linked_records(field, records.values(), below, moment)
            for record in records.values():
                _link(record, field, targets)


def _attach_rows(relation, records, wanted, moment) -> None:
    """The rows of ``relation`` (e.g. Document.signatories) of every record, as then."""
    row_model = relation.related_model
    back = relation.field
    versions = _latest(row_model, {f"{back.attname}__in": list(records)}, moment)
    rows = [instance_of(version) for version in versions.values()]
    for field in _record_links(row_model):
        if field == back:
            targets = records
        else:
            # Every link is rebuilt (visibility needs it); the deeper ones as asked.
            targets = _linked_records(field, rows, wanted.get(field.name, {}), moment)
        for row in rows:
            _link(row, field, targets)
    by_record = defaultdict(list)
    for row in rows:
        if visibility.is_public(row):
            by_record[getattr(row, back.attname)].append(row)
    order = _ordering(row_model)
    for pk, record in records.items():
        record._prefetched_objects_cache[relation.get_accessor_name()] = _as_prefetched(
            row_model, sorted(by_record[pk], key=order)
        )


def _linked_records(field, instances, wanted, moment) -> dict[int, Record]:
    ids = {getattr(i, field.attname) for i in instances if getattr(i, field.attname)}
    targets = _records_as_of(field.related_model, ids, moment)
    _rebuild(field.related_model, targets, wanted, moment)
    return targets


def _attach_versions(model, records, moment) -> None:
    """Each record's versions and its rows' versions up to the moment (for history)."""
    pks = list(records)
    caches = {pk: defaultdict(list) for pk in pks}
    for version in versions_queryset(model).filter(id__in=pks, history_date__lte=moment):
        caches[version.id]["versions"].append(version)
    for row_model in owned_row_models(model):
        owner = f"{row_model.owner_field}_id"
        name = row_versions_name(row_model)
        versions = versions_queryset(row_model).filter(
            **{f"{owner}__in": pks}, history_date__lte=moment
        )
        for version in versions:
            caches[getattr(version, owner)][name].append(version)
    history_model_of = {"versions": model.history.model} | {
        row_versions_name(r): r.history.model for r in owned_row_models(model)
    }
    for pk, record in records.items():
        for name, history_model in history_model_of.items():
            record._prefetched_objects_cache[name] = _as_prefetched(history_model, caches[pk][name])


def _records_as_of(model, ids, moment) -> dict[int, Record]:
    """The records among ``ids`` public now and public at ``moment``, as they were then."""
    if not ids:
        return {}
    public_now = visibility.public_records(model.objects.filter(pk__in=ids)).values("pk")
    result = {}
    for pk, version in _latest(model, {"id__in": public_now}, moment).items():
        if version.published:
            record = instance_of(version)
            _mark(record, moment)
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


def _mark(instance, moment) -> None:
    instance._state.adding = False
    instance._state.db = "default"
    instance._prefetched_objects_cache = {}
    setattr(instance, MARK, moment)


def _link(instance, field, targets) -> None:
    """Point ``instance``'s link ``field`` at the record as it was (None where hidden)."""
    target_id = getattr(instance, field.attname)
    instance._state.adding = False
    instance._state.db = "default"
    instance._state.fields_cache[field.name] = targets.get(target_id) if target_id else None


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
    """Is this a list of rows rebuilt here?"""
    return getattr(queryset, "_archive_past_rows", False)


def page(queryset, offset: int, limit: int) -> models.QuerySet:
    """One page of rebuilt rows (they are in memory)."""
    return _as_prefetched(queryset.model, queryset._result_cache[offset : offset + limit])
