"""The schema's SDL is checked in, and the schema documents itself.

Regenerate the snapshot after changing the API:

    DJANGO_DEBUG=1 .venv/bin/python manage.py export_schema \\
        archive.graphql.schema:schema --path archive/graphql/schema.graphql
"""

from pathlib import Path

import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    specified_scalar_types,
)
from strawberry.printer import print_schema

from archive.graphql.schema import schema
from tests.graphql_client import gql

SDL = Path(__file__).resolve().parent.parent / "archive" / "graphql" / "schema.graphql"
REGENERATE = (
    "DJANGO_DEBUG=1 .venv/bin/python manage.py export_schema "
    "archive.graphql.schema:schema --path archive/graphql/schema.graphql"
)


def test_checked_in_sdl_is_the_schema():
    """export_schema writes print_schema's text; an editor may add a final newline."""
    checked_in = SDL.read_text(encoding="utf-8").removesuffix("\n")
    assert checked_in == print_schema(schema), (
        f"{SDL.name} differs from the schema in the code. If the change is intended, "
        f"regenerate it with `{REGENERATE}` and commit it."
    )


def test_sdl_has_the_contract_roots():
    text = SDL.read_text(encoding="utf-8")
    assert "type Query {" in text
    assert "type Mutation" not in text
    assert "type Subscription" not in text


def _described(thing) -> bool:
    return bool((thing.description or "").strip())


def _schema_types():
    """The schema's own types: no introspection types, no built-in scalars."""
    return {
        name: t
        for name, t in sorted(schema._schema.type_map.items())
        if not name.startswith("__") and name not in specified_scalar_types
    }


def undocumented_types_fields_and_arguments() -> list[str]:
    missing = []
    for name, graphql_type in _schema_types().items():
        if not _described(graphql_type):
            missing.append(name)
        if isinstance(
            graphql_type, GraphQLObjectType | GraphQLInterfaceType | GraphQLInputObjectType
        ):
            for field_name, field in graphql_type.fields.items():
                if not _described(field):
                    missing.append(f"{name}.{field_name}")
                for argument_name, argument in getattr(field, "args", {}).items():
                    if not _described(argument):
                        missing.append(f"{name}.{field_name}({argument_name})")
    return missing


def undocumented_enum_values() -> list[str]:
    return [
        f"{name}.{value_name}"
        for name, graphql_type in _schema_types().items()
        if isinstance(graphql_type, GraphQLEnumType)
        for value_name, value in graphql_type.values.items()
        if not _described(value)
    ]


FILTERS = ["DocumentFilter", "EventFilter", "PersonFilter", "PlaceFilter", "StateFilter"]
PAGES = [
    "DocumentOffsetPaginated",
    "EventOffsetPaginated",
    "PersonOffsetPaginated",
    "PlaceOffsetPaginated",
    "StateOffsetPaginated",
]
# What strawberry-django generates without a description (as of the snapshot).
KNOWN_UNDOCUMENTED = {
    *(f"{f}.{combinator}" for f in FILTERS for combinator in ["AND", "OR", "NOT", "DISTINCT"]),
    *PAGES,
    *(f"{page}.pageInfo" for page in PAGES),
    "OffsetPaginationInfo",
    "OffsetPaginationInfo.offset",
    "OffsetPaginationInfo.limit",
    "OffsetPaginationInput",
    "OffsetPaginationInput.offset",
    "OffsetPaginationInput.limit",
    "Ordering",
}
ENUMS_WITHOUT_VALUE_DESCRIPTIONS = {
    "DocumentKind",
    "DocumentRelation",
    "EventKind",
    "NameFormKind",
    "Ordering",
    "VersionType",
}


def test_the_description_walk_sees_the_whole_schema():
    """The walks below cover records, rows, inputs, enums and arguments."""
    names = set(_schema_types())
    assert {"Query", "Document", "Signatory", "DocumentFilter", "DocumentKind"} <= names
    assert "String" not in names and "__Schema" not in names
    assert "Query.documents(pagination)" not in undocumented_types_fields_and_arguments()


def test_nothing_new_is_undocumented():
    """Whatever is added to the schema comes with descriptions."""
    assert set(undocumented_types_fields_and_arguments()) <= KNOWN_UNDOCUMENTED
    assert {value.split(".")[0] for value in undocumented_enum_values()} <= (
        ENUMS_WITHOUT_VALUE_DESCRIPTIONS
    )


def test_every_type_field_and_argument_is_described():
    assert undocumented_types_fields_and_arguments() == []


def test_every_enum_value_is_described():
    assert undocumented_enum_values() == []


def test_model_columns_are_basic_fields_and_relations_are_not():
    """Columns skip strawberry's resolver chain (speed); relations and resolved fields keep
    it, since visibility and the optimizer act there."""
    from archive.graphql.types import DocumentType, SignatoryType

    def basic(type_):
        return {f.name: f.is_basic_field for f in type_.__strawberry_definition__.fields}

    document = basic(DocumentType)
    assert {name: document[name] for name in ("slug", "title", "parties", "date", "history")} == {
        "slug": True,
        "title": True,
        "parties": False,
        "date": False,
        "history": False,
    }
    signatory = basic(SignatoryType)
    assert {name: signatory[name] for name in ("role", "person", "on_behalf_of")} == {
        "role": True,
        "person": False,
        "on_behalf_of": False,
    }


@pytest.mark.django_db
def test_dates_name_the_specification_they_follow(client):
    """Code generators map a custom scalar by its ``specifiedByURL`` (``@specifiedBy``)."""
    data = gql(
        client,
        '{ date: __type(name: "Date") { kind specifiedByURL }'
        ' dateTime: __type(name: "DateTime") { kind specifiedByURL } }',
    )
    assert data == {
        "date": {
            "kind": "SCALAR",
            "specifiedByURL": "https://datatracker.ietf.org/doc/html/rfc3339#section-5.6",
        },
        "dateTime": {
            "kind": "SCALAR",
            "specifiedByURL": "https://datatracker.ietf.org/doc/html/rfc3339",
        },
    }
    text = SDL.read_text(encoding="utf-8")
    assert (
        'scalar Date @specifiedBy(url: "https://datatracker.ietf.org/doc/html/rfc3339#section-5.6")'
        in text.splitlines()
    )
    assert (
        'scalar DateTime @specifiedBy(url: "https://datatracker.ietf.org/doc/html/rfc3339")'
        in text.splitlines()
    )
