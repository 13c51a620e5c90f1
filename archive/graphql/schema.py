"""The read-only schema: one Query type, no mutations, no subscriptions.

Limits guard the server (archive/graphql/limits.py): query depth, aliases
(counted through fragments), tokens, the arguments (a page's size, a text to
find, a list) and the cost are bounded, each by one setting (project/settings.py)
that the descriptions name (archive/graphql/descriptions.py); circular
fragments are refused by GraphQL validation.
Errors in the client's query are explained; anything unexpected is logged
and masked. Introspection and "Did you mean …?" suggestions can each be
switched off (``settings.GRAPHQL_INTROSPECTION``, ``GRAPHQL_SUGGESTIONS``),
read on every request.
"""

from __future__ import annotations

import datetime
import logging
import re
from typing import Annotated

import strawberry
import strawberry_django
from django.conf import settings
from graphql import BREAK, GraphQLError, NoSchemaIntrospectionCustomRule, Visitor, visit
from strawberry import relay
from strawberry.extensions import (
    AddValidationRules,
    MaskErrors,
    MaxTokensLimiter,
    ParserCache,
    SchemaExtension,
)
from strawberry.types import Info
from strawberry_django.pagination import OffsetPaginated

from archive import as_of as as_of_reads
from archive import models
from archive.database_errors import database_unavailable
from archive.graphql import errors as codes
from archive.graphql import nodes, past
from archive.graphql import search as api_search
from archive.graphql.cache import LookUpAnswerable
from archive.graphql.connections import PageConnection
from archive.graphql.descriptions import describe
from archive.graphql.execution import ArchiveExecutionContext, CachedValidation, FieldOptimizer
from archive.graphql.fields import ArchiveField
from archive.graphql.filters import (
    DocumentFilter,
    EventFilter,
    PersonFilter,
    PlaceFilter,
    StateFilter,
)
from archive.graphql.limits import QueryLimits, RequestBudget, limit_rules
from archive.graphql.ordering import DocumentOrder, EventOrder, PersonOrder, PlaceOrder, StateOrder
from archive.graphql.past import in_utc
from archive.graphql.scalars import SCALAR_OVERRIDES
from archive.graphql.types import DocumentType, EventType, PersonType, PlaceType, StateType

logger = logging.getLogger("archive.graphql")

QUERIES_REMEMBERED = 256


Slug = Annotated[str, strawberry.argument(description="The record's slug: “ivan-maisky”.")]
AsOf = Annotated[
    datetime.datetime | None,
    strawberry.argument(
        name="asOf",
        description="Read the record, and its relations, as they were at this moment "
        "(ISO 8601, e.g. 2026-11-26T12:00:00Z; without a time zone, UTC). Null if it did "
        "not exist or was not public then.",
    ),
]


NodeIdArgument = Annotated[
    strawberry.ID, strawberry.argument(description="A global id: a record's “id”.")
]
NodeIdsArgument = Annotated[
    list[strawberry.ID], strawberry.argument(description="Global ids: records' “id”.")
]


def lookup(type_cls, info: Info, slug: str, as_of: datetime.datetime | None):
    model = type_cls.__strawberry_django_definition__.model
    if as_of is not None:
        as_of = in_utc(as_of)
        wanted = past.wanted_relations(info, type_cls)
        return as_of_reads.record_as_of(model, slug, as_of, wanted)
    return model.objects.filter(slug=slug)


def single(description: str):
    return strawberry_django.field(description=description, field_cls=ArchiveField)


def page(filters, ordering, description: str):
    return strawberry_django.offset_paginated(
        filters=filters, ordering=ordering, description=description, field_cls=ArchiveField
    )


def connection(filters, ordering, description: str):
    return strawberry_django.connection(
        filters=filters, ordering=ordering, description=description, field_cls=ArchiveField
    )


@strawberry.type(
    description="Read the archive. Everything here is public and read-only. A query "
    "nests fields at most {max_depth} deep, holds at most {max_aliases} aliases and "
    "{max_tokens} tokens, and costs at most {max_cost} (each field 1, each list's items "
    "times its page size; histories, texts to find, filters and asOf reads more)."
)
class Query:
    @single("A document by its slug.")
    def document(self, info: Info, slug: Slug, as_of: AsOf = None) -> DocumentType | None:
        return lookup(DocumentType, info, slug, as_of)

    documents: OffsetPaginated[DocumentType] = page(
        DocumentFilter, DocumentOrder, "Documents: filtered, ordered, a page at a time."
    )
    documents_connection: PageConnection[DocumentType] = connection(
        DocumentFilter, DocumentOrder, "Documents by cursor (Relay): the list of documents."
    )

    @single("A person by their slug.")
    def person(self, info: Info, slug: Slug, as_of: AsOf = None) -> PersonType | None:
        return lookup(PersonType, info, slug, as_of)

    persons: OffsetPaginated[PersonType] = page(
        PersonFilter, PersonOrder, "Persons: filtered, ordered, a page at a time."
    )
    persons_connection: PageConnection[PersonType] = connection(
        PersonFilter, PersonOrder, "Persons by cursor (Relay): the list of persons."
    )

    @single("A state by its slug.")
    def state(self, info: Info, slug: Slug, as_of: AsOf = None) -> StateType | None:
        return lookup(StateType, info, slug, as_of)

    states: OffsetPaginated[StateType] = page(
        StateFilter, StateOrder, "States: filtered, ordered, a page at a time."
    )
    states_connection: PageConnection[StateType] = connection(
        StateFilter, StateOrder, "States by cursor (Relay): the list of states."
    )

    @single("An event by its slug.")
    def event(self, info: Info, slug: Slug, as_of: AsOf = None) -> EventType | None:
        return lookup(EventType, info, slug, as_of)

    events: OffsetPaginated[EventType] = page(
        EventFilter, EventOrder, "Events: filtered, ordered, a page at a time."
    )
    events_connection: PageConnection[EventType] = connection(
        EventFilter, EventOrder, "Events by cursor (Relay): the list of events."
    )

    @single("A place by its slug.")
    def place(self, info: Info, slug: Slug) -> PlaceType | None:
        return models.Place.objects.filter(slug=slug)

    places: OffsetPaginated[PlaceType] = page(
        PlaceFilter, PlaceOrder, "Places: filtered, ordered, a page at a time."
    )
    places_connection: PageConnection[PlaceType] = connection(
        PlaceFilter, PlaceOrder, "Places by cursor (Relay): the list of places."
    )

    search: list[api_search.SearchHit] = api_search.search_field()

    @strawberry.field(
        description="A record by its global id (any record type's “id”; a version read "
        "asOf a moment has an id of its own). Null if it is not public (or was not then)."
    )
    def node(self, info: Info, id: NodeIdArgument) -> relay.Node | None:
        return nodes.resolve(info, [id])[0]

    @strawberry.field(
        description="Records by their global ids, in the order given (at most "
        "{max_list_items}); null for each that is not public."
    )
    def nodes(self, info: Info, ids: NodeIdsArgument) -> list[relay.Node | None]:
        return nodes.resolve(info, ids)


class DatabaseUnavailable(GraphQLError):
    """A field failed because the database cannot be reached: the client should retry
    (views.py answers a 503), and is told so without the driver's details."""

    MESSAGE = (
        "The archive's database cannot be reached just now. Nothing is wrong with the "
        "query: try again in a few seconds."
    )
    CODE = codes.DATABASE_UNAVAILABLE


def should_mask(error: GraphQLError) -> bool:
    """Mask what the client did not cause; explain what it did."""
    original = error.original_error
    if original is None or isinstance(original, GraphQLError):
        return False
    if database_unavailable(original):
        # A database restart or outage: expected, and said as such (views.py makes it a 503).
        logger.warning("GraphQL request while the database is unavailable: %s", original)
    else:
        logger.error("Unexpected error in a GraphQL request", exc_info=original)
    return True


class ArchiveMaskErrors(MaskErrors):
    """Masks unexpected errors as "Unexpected error."; a database that cannot be
    reached is said plainly (the client should retry), without its details."""

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        if database_unavailable(error.original_error):
            return DatabaseUnavailable(
                DatabaseUnavailable.MESSAGE, error.nodes, error.source, error.positions, error.path
            )
        return codes.coded(super().anonymise_error(error), codes.INTERNAL_SERVER_ERROR)


SUGGESTION = re.compile(r"\s*Did you mean [^?]*\?")


class ArchiveSchema(strawberry.Schema):
    def process_errors(self, errors, execution_context=None):
        # strawberry logs every error, a client's typo included, at ERROR with
        # the whole query. Errors in the client's query are the client's;
        # unexpected ones are logged once, with their traceback, by should_mask.
        if not settings.GRAPHQL_SUGGESTIONS:
            # Suggestions name fields, arguments and values a prober did not know.
            for error in errors:
                error.message = SUGGESTION.sub("", error.message)
        return None


class IntrospectionSwitch(SchemaExtension):
    """Refuse ``__schema`` and ``__type`` when ``settings.GRAPHQL_INTROSPECTION`` is off."""

    def on_operation(self):
        if not settings.GRAPHQL_INTROSPECTION:
            rules = self.execution_context.validation_rules
            self.execution_context.validation_rules = (*rules, NoSchemaIntrospectionCustomRule)
        yield


NUL_REFUSED = (
    "Text cannot contain the NUL character (U+0000): no record holds it, and the "
    "database cannot compare it."
)
SURROGATE_REFUSED = (
    "Text cannot contain a lone surrogate (U+D800 to U+DFFF): it is not a character, and "
    "no record holds one."
)
# What no record can hold: NUL, and the halves of surrogate pairs that JSON's
# \uD800 escapes can carry alone (not encodable in UTF-8 for the database).
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


class RefuseUnstorableText(SchemaExtension):
    """Refuse a request whose text holds what no record can hold, in the query or its
    variables, before anything runs (a 400): the NUL character, a lone surrogate.

    PostgreSQL can neither store nor compare NUL: a slug with one
    (``person(slug: "\\u0000")``, ``documents(filters: {party: …})``) would
    be a DataError, an unexpected error. A lone surrogate (``"\\ud800"``)
    cannot be encoded for either database. Refused here, every database
    answers alike.
    """

    def on_validate(self):
        context = self.execution_context
        if not context.pre_execution_errors:
            node, found = _unstorable_in_document(context.graphql_document)
            found = found or _unstorable_in(context.variables)
            if found:
                message = NUL_REFUSED if found == "\x00" else SURROGATE_REFUSED
                error = GraphQLError(message, node)  # located when in the query
                context.pre_execution_errors = [codes.coded(error, codes.BAD_USER_INPUT)]
        yield


def _unstorable_in_document(document):
    """The first string in ``document`` that holds an unstorable character, and the
    character; (None, None) when there is none."""

    class Finder(Visitor):
        node = found = None

        def enter_string_value(self, node, *args):
            match = _UNSTORABLE.search(node.value)
            if match:
                self.node, self.found = node, match.group()
                return BREAK
            return None

    finder = Finder()
    visit(document, finder)
    return finder.node, finder.found


def _unstorable_in(value) -> str | None:
    """The first unstorable character in a string of JSON ``value`` (without recursion:
    a deeply nested value is the client's to send)."""
    pending = [value]
    while pending:
        value = pending.pop()
        if isinstance(value, str):
            match = _UNSTORABLE.search(value)
            if match:
                return match.group()
        elif isinstance(value, dict):
            pending.extend(value.keys())
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)
    return None


def cached_validation() -> CachedValidation:
    """The validation cache, one per schema (tools/execution_overrides.py takes it
    out by this name to measure what it saves)."""
    return CachedValidation(maxsize=QUERIES_REMEMBERED)


def build_schema() -> ArchiveSchema:
    """The schema, its descriptions written from the limits set now."""
    built = ArchiveSchema(
        query=Query,
        execution_context_class=ArchiveExecutionContext,
        scalar_overrides=SCALAR_OVERRIDES,
        extensions=[
            FieldOptimizer,
            IntrospectionSwitch,
            QueryLimits,
            RefuseUnstorableText,
            lambda: AddValidationRules(limit_rules()),
            lambda: MaxTokensLimiter(max_token_count=settings.GRAPHQL_MAX_TOKENS),
            lambda: ParserCache(maxsize=QUERIES_REMEMBERED),
            cached_validation,
            # After validation: it reads a valid query with this request's variables.
            RequestBudget,
            # Executing: only a query every step above let through is looked up.
            LookUpAnswerable,
            lambda: ArchiveMaskErrors(should_mask_error=should_mask),
        ],
    )
    describe(built._schema)
    return built


schema = build_schema()
