"""Which relations an ``asOf`` query reads, in model terms (see :mod:`archive.as_of`).

A record read as of a moment is rebuilt from versions, relation by relation,
as deep as the query goes; this turns the query's selection into the
``wanted`` tree that :func:`archive.as_of.record_as_of` takes, using the API
types to map field names to model relations, with the pages each list asks
for (its ``pagination`` argument, from the query, its variables or their
defaults): only the rows those pages show are rebuilt.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import FieldDoesNotExist
from graphql import VariableValues, get_argument_values
from strawberry.types import Info
from strawberry.utils.str_converters import to_camel_case

from archive.as_of import HISTORY, PAGES
from archive.graphql.fields import requested_page
from archive.graphql.selections import children, selected_fields
from archive.history import API_RELATION_NAMES
from archive.library_versions import require

require(
    "strawberry-graphql",
    "0.341.2",
    "archive/graphql/past.py reads strawberry's private Info._raw_info",
)

# API fields computed by a resolver from a differently named relation, by API name.
RELATIONS = {api: name for name, api in API_RELATION_NAMES.items()} | {"history": HISTORY}
# What those rows link to that the API reads.
ROW_LINKS = {"citations": {"source": {}}}


def in_utc(moment: datetime.datetime) -> datetime.datetime:
    """The moment in UTC, as stored; without a time zone ("1941-07-30") it is UTC.

    A moment UTC cannot represent is before or after everything stored, and
    reads as the earliest or the latest moment: 9999-12-31T23:59:59-12:00 is
    in the year 10000 in UTC, 0001-01-01T00:00:00+14:00 in the year 0
    (converting them raises OverflowError).
    """
    if moment.tzinfo is None:
        return moment.replace(tzinfo=datetime.UTC)
    try:
        return moment.astimezone(datetime.UTC)
    except OverflowError:
        edge = datetime.datetime.max if moment.year == datetime.MAXYEAR else datetime.datetime.min
        return edge.replace(tzinfo=datetime.UTC)


def wanted_relations(info: Info, type_cls) -> dict:
    raw = info._raw_info
    selections = [s for node in raw.field_nodes for s in children(node)]
    return _wanted(type_cls, selections, raw)


def _wanted(type_cls, selections, raw) -> dict:
    definition = type_cls.__strawberry_definition__
    model = type_cls.__strawberry_django_definition__.model
    fields = {to_camel_case(f.python_name): f for f in definition.fields}
    api_fields = raw.schema.get_type(definition.name).fields
    result: dict = {}
    for node in selected_fields(selections, raw.fragments, definition.name):
        field = fields.get(node.name.value)
        if field is None:
            continue
        name = RELATIONS.get(node.name.value) or getattr(field, "django_name", None)
        if name == HISTORY:
            result[HISTORY] = {}
            continue
        try:
            model_field = model._meta.get_field(name or field.python_name)
        except FieldDoesNotExist:
            continue
        if not model_field.is_relation:
            continue
        below = dict(ROW_LINKS.get(model_field.name, {}))
        target_type = getattr(field, "django_type", None)
        if target_type is not None:
            below = _wanted(target_type, children(node), raw)
        if model_field.one_to_many:
            below[PAGES] = [_window(field, api_fields[node.name.value], node, raw)]
        _merge(result.setdefault(model_field.name, {}), below)
    return result


def _window(field, api_field, node, raw) -> tuple[int, int]:
    """The rows of a list the query shows: (offset, limit).

    A list paged by its resolver in Python (name forms, sources) is handed all
    its rows up to the end of its page.
    """
    variables = raw.variable_values
    if not isinstance(variables, VariableValues):
        variables = VariableValues({}, variables)  # strawberry hands resolvers the coerced dict
    # A page out of bounds was refused before the query ran (limits.RequestBudget).
    offset, limit = requested_page(get_argument_values(api_field, node, variables))
    if field.base_resolver is not None:
        return (0, offset + limit)
    return (offset, limit)


def _merge(into: dict, more: dict) -> None:
    for key, value in more.items():
        if key == PAGES:
            into.setdefault(PAGES, []).extend(value)
        else:
            _merge(into.setdefault(key, {}), value)
