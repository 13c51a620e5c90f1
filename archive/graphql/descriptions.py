"""The schema's descriptions: the limits they name, and those strawberry-django leaves out.

A description names a limit as a placeholder (``{max_page_size}``): every
limit is one setting (:data:`LIMIT_SETTINGS`), and the descriptions are
written from the settings when the schema is built, so that the SDL says
what the refusals enforce.

The page types, the pagination input, the ordering enum and the boolean
combinators of the filters come without descriptions; the SDL should
document itself everywhere, so they are described here, once, after the
schema is built.
"""

from __future__ import annotations

import re

from django.conf import settings
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
)

# The placeholders a description may hold, and the setting each stands for.
LIMIT_SETTINGS = {
    "page_size": "GRAPHQL_PAGE_SIZE",
    "max_page_size": "GRAPHQL_MAX_PAGE_SIZE",
    "max_depth": "GRAPHQL_MAX_DEPTH",
    "max_aliases": "GRAPHQL_MAX_ALIASES",
    "max_tokens": "GRAPHQL_MAX_TOKENS",
    "max_list_items": "GRAPHQL_MAX_LIST_ITEMS",
    "max_text_words": "GRAPHQL_MAX_TEXT_WORDS",
    "max_text_characters": "GRAPHQL_MAX_TEXT_CHARACTERS",
    "max_cost": "GRAPHQL_MAX_COST",
}
_PLACEHOLDER = re.compile(r"\{(" + "|".join(LIMIT_SETTINGS) + r")\}")


def with_limits(text: str | None) -> str | None:
    """``text`` with each limit's placeholder replaced by the setting's value now."""
    if not text:
        return text
    return _PLACEHOLDER.sub(lambda match: f"{getattr(settings, LIMIT_SETTINGS[match[1]]):,}", text)


PAGE_TYPE = "A page of {what}: how many there are in all, and this page of them."
GENERATED_TYPES = {
    "OffsetPaginationInput": "Which page to return: skip `offset` records, return `limit`.",
    "OffsetPaginationInfo": "The offset and limit of the page returned.",
    "Ordering": "Ascending or descending, with empty values first or last.",
}
GENERATED_FIELDS = {
    ("OffsetPaginationInput", "offset"): "How many records to skip (default 0).",
    ("OffsetPaginationInput", "limit"): (
        "How many records to return (default {page_size}, at most {max_page_size})."
    ),
    ("OffsetPaginationInfo", "offset"): "How many records were skipped.",
    ("OffsetPaginationInfo", "limit"): "How many records a page holds.",
}
PAGE_FIELDS = {"pageInfo": "The offset and limit of this page."}
FILTER_FIELDS = {
    "AND": "Records matching this filter as well.",
    "OR": "Records matching this filter instead.",
    "NOT": "Records not matching this filter.",
    "DISTINCT": "Return each record once, even if it matches in several ways.",
}


ENUM_VALUES = {
    "Ordering": {
        "ASC": "Ascending.",
        "ASC_NULLS_FIRST": "Ascending, records without a value first.",
        "ASC_NULLS_LAST": "Ascending, records without a value last.",
        "DESC": "Descending.",
        "DESC_NULLS_FIRST": "Descending, records without a value first.",
        "DESC_NULLS_LAST": "Descending, records without a value last.",
    },
    "VersionType": {
        "CREATED": "The record was created (or, for the public, first published).",
        "CHANGED": "The record, or one of its relation or name rows, was changed.",
        "DELETED": "The record was deleted.",
    },
    "NameFormKind": {
        "AUTHORIZED": "The authorized form, in its language.",
        "VARIANT": "A variant spelling or form.",
        "TRANSLITERATION": "A transliteration from another script.",
        "FORMER": "A former name.",
    },
    "DocumentRelation": {
        "ANNULS": "This document annuls the other.",
        "SUPERSEDES": "This document supersedes the other.",
        "AMENDS": "This document amends the other.",
        "SUPPLEMENTS": "This document supplements the other.",
        "IMPLEMENTS": "This document implements the other.",
        "REFERENCES": "This document refers to the other.",
    },
}
# Kinds read as their own names: "TREATY" is "A treaty.".
KIND_ENUMS = {"DocumentKind": "document", "EventKind": "event"}


def describe(graphql_schema: GraphQLSchema) -> None:
    """Describe what strawberry-django generates, then write every limit in."""
    _describe_generated(graphql_schema)
    _write_limits(graphql_schema)


def _write_limits(graphql_schema: GraphQLSchema) -> None:
    for graphql_type in graphql_schema.type_map.values():
        graphql_type.description = with_limits(graphql_type.description)
        if isinstance(graphql_type, GraphQLEnumType):
            for value in graphql_type.values.values():
                value.description = with_limits(value.description)
        if isinstance(graphql_type, GraphQLObjectType | GraphQLInterfaceType):
            for field in graphql_type.fields.values():
                field.description = with_limits(field.description)
                for argument in field.args.values():
                    argument.description = with_limits(argument.description)
        if isinstance(graphql_type, GraphQLInputObjectType):
            for field in graphql_type.fields.values():
                field.description = with_limits(field.description)


def _describe_generated(graphql_schema: GraphQLSchema) -> None:
    for name, graphql_type in graphql_schema.type_map.items():
        for value_name, text in ENUM_VALUES.get(name, {}).items():
            graphql_type.values[value_name].description = text
        if name in KIND_ENUMS:
            for value_name, value in graphql_type.values.items():
                value.description = value.description or (
                    f"Of the kind “{value_name.lower()}”."
                    if value_name != "OTHER"
                    else f"Any other kind of {KIND_ENUMS[name]}."
                )
        if name in GENERATED_TYPES:
            graphql_type.description = graphql_type.description or GENERATED_TYPES[name]
        if isinstance(graphql_type, GraphQLObjectType) and name.endswith("OffsetPaginated"):
            what = name.removesuffix("OffsetPaginated").lower() + "s"
            graphql_type.description = graphql_type.description or PAGE_TYPE.format(what=what)
            _describe_fields(graphql_type, PAGE_FIELDS)
        if isinstance(graphql_type, GraphQLInputObjectType) and name.endswith("Filter"):
            _describe_fields(graphql_type, FILTER_FIELDS)
        if isinstance(graphql_type, GraphQLObjectType | GraphQLInputObjectType):
            for (type_name, field_name), text in GENERATED_FIELDS.items():
                if type_name == name:
                    _describe_fields(graphql_type, {field_name: text})


def _describe_fields(graphql_type, descriptions) -> None:
    for field_name, field in graphql_type.fields.items():
        if field_name in descriptions and not field.description:
            field.description = descriptions[field_name]
