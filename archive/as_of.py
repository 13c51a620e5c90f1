"""Records as they were at a moment, rebuilt from their versions.

``record_as_of(Person, "ivan-maisky", moment, wanted)`` returns the person as
they were then, if they existed and were public then (and are public now: a
record withdrawn since is withdrawn from the past too). ``wanted`` says which
relations to rebuild with it, in model terms, as deep as the caller needs,
and which page of each list (:data:`PAGES`: a list of ``(offset, limit)``)::

    {"signed": {PAGES: [(0, 1)], "document": {"parties": {PAGES: [(0, 20)]}}},
     "name_forms": {PAGES: [(0, 20)]}, HISTORY: {}}

Every relation is rebuilt as it was at the moment: the rows then (a removed
signatory is back, an added one not yet there), and the records they pointed
to as they were then. A row pointing to a record that was a draft then (or is
one now) is hidden; an optional link to one reads as None. ``HISTORY`` asks
for the versions up to the moment, for the history of each record.

Only what the pages show is read: the database picks each record's page of
rows (numbered among the rows public then, in the model's order), and only
the records those rows link to are rebuilt, level after level. Each level
costs one query per relation and per model linked, whatever the number of
records and however many rows a relation holds. A relation without
:data:`PAGES` is read whole (for callers outside the API). Rebuilt rows are
attached as if prefetched, so the API's types read them exactly as they read
live records; :func:`page` gives a list field its page of them.
"""

from __future__ import annotations

import datetime
import operator
from collections import defaultdict
from functools import reduce

from django.db import models
from django.db.models import Exists, F, OuterRef, Q, Subquery, Window
from django.db.models.functions import RowNumber
from strawberry_django.optimizer import mark_optimized_by_prefetching

from archive import visibility
from archive.history import instance_of, owned_row_models, versions_queryset
from archive.models.base import Record, Row, row_versions_name

MARK = "_archive_as_of"
HISTORY = "__history__"
PAGES = "__pages__"


def record_as_of(
    model: type[Record], slug: str, moment: datetime.datetime, wanted: dict | None = None
) -> Record | None:
    pk = visibility.public_records(model.objects.filter(slug=slug)).values_list("pk", flat=True)
    pk = pk.first()
    if pk is None:
        return None
    return records_as_of(model, {pk}, moment, wanted).get(pk)


def records_as_of(
    model: type[Record], ids, moment: datetime.datetime, wanted: dict | None = None
) -> dict[int, Record]:
    """The records among ``ids`` public now and at ``moment``, as they were then, by id."""
    records = _records_as_of(model, set(ids), moment)
    _rebuild(model, records, wanted or {}, moment)
    return records


def _rebuild(model, records: dict[int, Record], wanted: dict, moment) -> None:
    """Attach to ``records`` (all of ``model``) the relations ``wanted`` asks for."""
    if not records:
        return
    for name, below in wanted.items():
        if name == HISTORY:
            _attach_versions(model, records, moment)
            continue
        if name == PAGES:
            continue
        field = model._meta.get_field(name)
        if field.one_to_many and issubclass(field.related_model, Row):
            _attach_rows(field, records, below, moment)
        elif field.many_to_one and issubclass(field.related_model, Record):
            targets = _linked_records(field, records.values(), below, moment)
            for record in records.values():
                _link(record, field, targets)


def _attach_rows(relation, records, wanted, moment) -> None:
    """The pages of ``relation`` (e.g. Document.signatories) of every record, as then."""
    row_model = relation.related_model
    back = relation.field
    rows, positions = [], {}
    for version in _page_versions(relation, list(records), wanted.get(PAGES), moment):
        row = instance_of(version)
        setattr(row, MARK, moment)  # its identity in the API is of that moment
        rows.append(row)
        positions[id(row)] = version.position
    for field in _record_links(row_model):
        if field == back:
            targets = records
        else:
            # Every link is rebuilt (the types read them); the deeper ones as asked.
            targets = _linked_records(field, rows, wanted.get(field.name, {}), moment)
        for row in rows:
            _link(row, field, targets)
    by_record = defaultdict(list)
    for row in rows:
        # The database chose rows whose records were public; a record unpublished
        # between its queries and these is still hidden.
        if visibility.is_public(row):
            by_record[getattr(row, back.attname)].append(row)
    for pk, record in records.items():
        record._prefetched_objects_cache[relation.get_accessor_name()] = _as_prefetched(
            row_model, by_record[pk], [positions[id(row)] for row in by_record[pk]]
        )


def _page_versions(relation, parents: list[int], pages, moment) -> models.QuerySet:
    """The versions of the rows on ``pages`` of each parent's ``relation``, as then.

    Rows are numbered (``position``, from 0) per parent among the rows public
    then, in the model's order, so that a page holds what the live API's page
    would have held at that moment.
    """
    row_model = relation.related_model
    back = relation.field
    versions = _latest_versions(row_model, moment).filter(**{f"{back.attname}__in": parents})
    for name in visibility.required_record_links(row_model):
        link = row_model._meta.get_field(name)
        if link != back:
            public = _public_then(link.related_model, moment).filter(id=OuterRef(link.attname))
            versions = versions.filter(Exists(public))
    order = [
        F(name[1:]).desc() if name.startswith("-") else F(name) for name in _order_names(row_model)
    ]
    versions = versions.annotate(
        position=Window(RowNumber(), partition_by=[F(back.attname)], order_by=order) - 1
    )
    if pages is not None:
        windows = [
            Q(position__gte=offset, position__lt=offset + limit)
            for offset, limit in pages
            if limit > 0
        ]
        if not windows:
            return versions.none()
        versions = versions.filter(reduce(operator.or_, windows))
    return versions.order_by(back.attname, "position")


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
    result = {}
    for version in _public_then(model, moment).filter(id__in=ids):
        record = instance_of(version)
        _mark(record, moment)
        result[version.id] = record
    return result


def _latest_versions(model, moment) -> models.QuerySet:
    """The last version up to ``moment`` of each row or record, unless it was a deletion.

    What simple-history's ``latest_of_each()`` selects, but for two things: of
    versions saved at the same instant the last saved wins (it keeps both), and
    the latest is found per version through the index on ``id`` (a subquery
    with LIMIT): its NOT EXISTS let PostgreSQL hash every version of the table
    to check the few a page needs.
    """
    versions = model.history.filter(history_date__lte=moment)
    latest = (
        versions.filter(id=OuterRef("id"))
        .order_by("-history_date", "-history_id")
        .values("history_id")[:1]
    )
    return versions.filter(history_id=Subquery(latest)).exclude(history_type="-")


def _public_then(model, moment) -> models.QuerySet:
    """The versions at ``moment`` of the records of ``model`` public then and now."""
    public_now = visibility.public_records(model.objects.filter(pk=OuterRef("id")))
    return _latest_versions(model, moment).filter(Exists(public_now), visibility.public())


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


def _order_names(model) -> list[str]:
    """The model's order, as columns of its versions (``id`` is the row's key there)."""
    names = [
        name
        for name in model._meta.ordering
        if name.lstrip("-") != "pk" and not model._meta.get_field(name.lstrip("-")).is_relation
    ]
    return [*names, "id"]


def _as_prefetched(model, rows, positions=None) -> models.QuerySet:
    queryset = model._default_manager.all()
    queryset._result_cache = rows
    queryset._prefetch_done = True
    queryset._archive_past_rows = True
    queryset._archive_positions = range(len(rows)) if positions is None else positions
    return mark_optimized_by_prefetching(queryset)


def is_past_rows(queryset) -> bool:
    """Is this a list of rows rebuilt here?"""
    return getattr(queryset, "_archive_past_rows", False)


def page(queryset, offset: int, limit: int) -> models.QuerySet:
    """One page of rebuilt rows: those of the positions ``offset`` to ``offset + limit``."""
    rows = [
        row
        for row, position in zip(queryset._result_cache, queryset._archive_positions, strict=True)
        if offset <= position < offset + limit
    ]
    return _as_prefetched(queryset.model, rows)
