"""``node(id:)`` and ``nodes(ids:)``: Relay's Global Object Identification.

A record's global id is strawberry's (base64 of ``Type:key``), its key
:func:`archive.graphql.types.node_id`: the primary key, and for a version read
``asOf`` a moment, ``@`` and that moment. Reading an id back obeys the same
visibility as every other read: a draft, or a record hidden now, is null; a
past version is the one ``asOf`` that moment would read (null unless the
record is public now and was public then). Only record types are nodes; a
row's ``id`` is a cache key, not resolvable.
"""

from __future__ import annotations

import datetime
from collections import defaultdict

from strawberry import relay
from strawberry.types import Info
from strawberry_django.relay.utils import resolve_model_nodes

from archive import as_of
from archive.graphql import past
from archive.graphql.types import (
    DocumentType,
    EventType,
    PersonType,
    PlaceType,
    SourceType,
    StateType,
)

RECORD_TYPES = {
    t.__strawberry_definition__.name: t
    for t in (DocumentType, PersonType, StateType, EventType, PlaceType, SourceType)
}


# The largest primary key the databases hold (a signed 64-bit integer).
LARGEST_KEY = 2**63 - 1


def decode(global_id: str) -> tuple[type, int, datetime.datetime | None] | None:
    """(type, primary key, moment or None) of a global id; None if it is not a
    record's. Such an id names no record, as a slug that no record has: the
    answer is null, not an error (Relay's ``node`` is null where no object is)."""
    try:
        decoded = relay.GlobalID.from_id(global_id)
    except ValueError:
        decoded = None
    type_cls = decoded and RECORD_TYPES.get(decoded.type_name)
    if type_cls is None:
        return None
    key, _, moment = decoded.node_id.partition("@")
    try:
        pk = int(key)
        when = datetime.datetime.fromisoformat(moment) if moment else None
    except ValueError:
        when = None
        pk = None
    if pk is None or (when is not None and when.tzinfo is None):
        return None
    return type_cls, pk, when and past.in_utc(when)


def resolve(info: Info, global_ids: list[str]) -> list:
    """The records the ids name, in their order; None for each not visible."""
    wanted = [decode(global_id) for global_id in global_ids]
    found: dict[tuple, object] = {}
    present, then = defaultdict(set), defaultdict(set)
    for key in wanted:
        if key is None:
            continue
        type_cls, pk, moment = key
        if not 0 < pk <= LARGEST_KEY:
            found[(type_cls, pk, moment)] = None  # no record has it; the database cannot compare it
        elif moment is None:
            present[type_cls].add(pk)
        else:
            then[(type_cls, moment)].add(pk)
    for type_cls, pks in present.items():
        # The type's visibility (get_queryset) and the optimizer, as strawberry-django
        # resolves nodes; one query per type and relation.
        keys = sorted(pks)
        records = resolve_model_nodes(type_cls, info=info, node_ids=keys, required=False)
        for pk, record in zip(keys, records, strict=True):
            found[(type_cls, pk, None)] = record
    for (type_cls, moment), pks in then.items():
        model = type_cls.__strawberry_django_definition__.model
        records = as_of.records_as_of(model, pks, moment, past.wanted_relations(info, type_cls))
        for pk in pks:
            found[(type_cls, pk, moment)] = records.get(pk)
    return [None if key is None else found[key] for key in wanted]
