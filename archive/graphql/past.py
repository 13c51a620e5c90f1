"""Which relations an ``asOf`` query reads, in model terms (see :mod:`archive.as_of`).

A record read as of a moment is rebuilt from versions, relation by relation,
as deep as the query goes; this turns the query's selection into the
``wanted`` tree that :func:`archive.as_of.record_as_of` takes, using the API
types to map field names to model relations.
"""

from __future__ import annotations

from django.core.exceptions import FieldDoesNotExist
from strawberry.types import Info
from strawberry.utils.str_converters import to_camel_case

from archive.as_of import HISTORY
from archive.graphql.selections import children, selected_fields

# API fields computed from a differently named relation.
RELATIONS = {"sources": "citations", "history": HISTORY}
# What those rows link to that the API reads.
ROW_LINKS = {"citations": {"source": {}}}


def wanted_relations(info: Info, type_cls) -> dict:
    raw = info._raw_info
    selections = [s for node in raw.field_nodes for s in children(node)]
    return _wanted(type_cls, selections, raw.fragments)


def _wanted(type_cls, selections, fragments) -> dict:
    definition = type_cls.__strawberry_definition__
    model = type_cls.__strawberry_django_definition__.model
    fields = {to_camel_case(f.python_name): f for f in definition.fields}
    result: dict = {}
    for node in selected_fields(selections, fragments, definition.name):
        field = fields.get(node.name.value)
        if field is None:
            continue
        name = RELATIONS.get(field.python_name) or getattr(field, "django_name", None)
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
            below = _wanted(target_type, children(node), fragments)
        _merge(result.setdefault(model_field.name, {}), below)
    return result


def _merge(into: dict, more: dict) -> None:
    for key, value in more.items():
        _merge(into.setdefault(key, {}), value)
