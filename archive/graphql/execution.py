"""How a query is executed: the per-field work graphql-core and strawberry do, cut down.

A page of 100 documents with their parties and signatories is about 3,600
fields, and most of them are plain columns (a slug, a title, a role) or
links the optimizer has already fetched. The stack does the same work for
each as for a list with arguments: a resolve info object, argument parsing,
a middleware call, strawberry-django's resolver, completion through five type
checks. Three changes, each exact, each measured alone by
tools/execution_overrides.py (each saves well over 10 % of its query):

- :class:`FieldOptimizer` is strawberry-django's optimizer without its
  per-field ``resolve`` hook. The hook is a graphql-core middleware, so every
  field was called through it to see whether the value is an unoptimised
  QuerySet. No field of this schema returns one: strawberry-django's fields
  optimize their querysets themselves in ``get_queryset`` (through the
  extension that ``on_execute``, kept here, makes current), and the custom
  resolvers return records, rows in memory or plain values.

- :class:`ArchiveExecutionContext` answers three kinds of field directly,
  each with its :data:`Plan` (see :func:`fast_path`): a :class:`Leaf`, a
  field strawberry marks basic (a column or attribute with no resolver, no
  arguments, no field extensions, see ``ArchiveField.is_basic_field``) whose
  type is a scalar or an enum, read and serialized as graphql-core would; a
  :class:`Link` to one record, read from the instance's cache where the
  optimizer's prefetch put it (visibility applied there); the :class:`Rows`
  the optimizer prefetched. A value that is not plainly valid (null on a
  non-null field, a value serialized to nothing, a link or rows not fetched)
  goes the ordinary way, so that errors and their paths are graphql-core's.
  With a middleware (an extension's ``resolve``) every field goes the
  ordinary way. tests/test_execution.py compares both ways, by hand and over
  generated queries.

- :class:`CachedValidation` remembers the validation of the last query texts
  (with strawberry's ``ParserCache``, a text seen before is the same parsed
  document): clients send the same few queries again and again, and
  validation is a large part of a small query's time. Validation depends
  only on the text and the rules; what depends on the variables (unstorable
  text before it, the arguments' bounds and the cost after it) is checked on
  every request.

``execute_field``'s signature and ``to_nodes`` are graphql-core's private API,
changed between 3.2 and 3.3, and the fast path reads strawberry's and
strawberry-django's internals: this module refuses to load with other versions
of the three than those it requires (:mod:`archive.library_versions`, pinned
exactly in pyproject.toml). After an upgrade, check the override against the
new ``ExecutionContext.execute_field``, run tests/test_execution.py and the
benchmark, then change both.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

from django.db.models import ForeignKey
from django.db.models.fields.related_descriptors import (
    ForwardManyToOneDescriptor,
    ReverseManyToOneDescriptor,
)
from graphql import (
    GraphQLError,
    GraphQLField,
    get_nullable_type,
    is_leaf_type,
    is_non_null_type,
    located_error,
)
from graphql.execution.executor import to_nodes
from graphql.pyutils import Undefined
from strawberry import relay
from strawberry.extensions import SchemaExtension, ValidationCache
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.field import StrawberryField
from strawberry_django.fields.field import StrawberryDjangoField
from strawberry_django.optimizer import DjangoOptimizerExtension, is_optimized_by_prefetching

from archive import as_of
from archive.graphql import time_limit
from archive.graphql.types import global_id, resolve_row_id
from archive.library_versions import require

require(
    "graphql-core",
    "3.3.2",
    "archive/graphql/execution.py overrides graphql-core's private "
    "ExecutionContext.execute_field and calls its to_nodes",
)
require(
    "strawberry-graphql",
    "0.341.2",
    "archive/graphql/execution.py subclasses strawberry's execution context and "
    "ValidationCache, and reads its field definitions' internals",
)
require(
    "strawberry-graphql-django",
    "0.93.0",
    "archive/graphql/execution.py removes the optimizer extension's resolve hook and "
    "reads what strawberry-django's fields and optimizer keep",
)


class FieldOptimizer(DjangoOptimizerExtension):
    resolve = SchemaExtension.resolve


class CachedValidation(ValidationCache):
    """strawberry's ValidationCache, which leaves errors found before it alone.

    Listed after the extensions that refuse a query before validation
    (``QueryLimits``, ``RefuseUnstorableText``): their error is the answer,
    as it was when strawberry validated (it validates only when no error is
    set), where ValidationCache would replace it with the validation's.
    """

    def on_validate(self):
        context = self.execution_context
        if context.pre_execution_errors is None and context.validation_rules:
            errors = self.cached_validate_document(
                context.schema._schema, context.graphql_document, context.validation_rules
            )
            # Copies: a request's errors are changed in place later (suggestions
            # are cut out of their messages when switched off).
            context.pre_execution_errors = [_copy(error) for error in errors]
        yield


def _copy(error: GraphQLError) -> GraphQLError:
    return GraphQLError(
        error.message,
        error.nodes,
        error.source,
        error.positions,
        error.path,
        error.original_error,
        error.extensions,
    )


_UNKNOWN = object()


@dataclass(frozen=True, slots=True)
class Leaf:
    """A plain leaf: read the attribute, serialize it as graphql-core would."""

    kind: ClassVar[str] = "leaf"
    serialize: Callable[[Any], Any]
    nullable: bool


@dataclass(frozen=True, slots=True)
class Link:
    """A link to one record (``signatory.person``), read from the instance's cache."""

    kind: ClassVar[str] = "link"
    foreign_key: ForeignKey


@dataclass(frozen=True, slots=True)
class Rows:
    """A list of rows (``document.parties``) the optimizer prefetched."""

    kind: ClassVar[str] = "rows"
    cache_name: str


@dataclass(frozen=True, slots=True)
class Key:
    """An ``id``: a record's Relay global id, or a row's key of the same form
    (:func:`archive.graphql.types.global_id`). Clients that normalise their cache
    select it on every object (Relay adds it itself), so that a page of records with
    ids costs what it costs without."""

    kind: ClassVar[str] = "key"


Plan = Leaf | Link | Rows | Key


def fast_path(field: GraphQLField) -> Plan | None:
    """How a field can be answered without the ordinary machinery, or None.

    A :class:`Link` is what strawberry-django reads from the instance's
    cache, where the optimizer's prefetch put it, visibility applied. Worked
    out once per field definition and kept on it: definitions live as long
    as the schema.
    """
    plan = getattr(field, "_archive_fast_path", _UNKNOWN)
    if plan is _UNKNOWN:
        plan = _plan(field)
        field._archive_fast_path = plan
    return plan


def _plan(field: GraphQLField) -> Plan | None:
    definition = (field.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
    if not isinstance(definition, StrawberryField):
        return None
    if definition.base_resolver is not None and _is_key(definition.base_resolver.wrapped_func):
        return Key()
    if definition.is_basic_field and not field.args:
        leaf_type = get_nullable_type(field.type)
        if is_leaf_type(leaf_type):
            return Leaf(leaf_type.coerce_output_value, not is_non_null_type(field.type))
        return None
    if (
        isinstance(definition, StrawberryDjangoField)
        and definition.is_relation
        and definition.base_resolver is None
        and not definition.extensions
        and definition.origin_django_type is not None
    ):
        model = definition.origin_django_type.model
        name = definition.django_name or definition.python_name
        descriptor = getattr(model, name, None)
        if isinstance(descriptor, ForwardManyToOneDescriptor) and not field.args:
            return Link(descriptor.field)
        if isinstance(descriptor, ReverseManyToOneDescriptor) and definition.is_list:
            return Rows(descriptor.rel.cache_name)
    return None


def _is_key(resolver) -> bool:
    """strawberry's ``Node.id`` (bound to each record type) or the rows' ``id``."""
    return resolver is resolve_row_id or getattr(resolver, "__func__", None) is _NODE_ID


_NODE_ID = relay.Node.__dict__["_id"].__func__

NOT_FETCHED = object()


def cached_value(plan: Link | Rows, source):
    """The value strawberry-django would return, read where the optimizer put it.

    :data:`NOT_FETCHED` when it is not there: a link not fetched with the row,
    a list not prefetched by the optimizer, or rows of an ``asOf`` read, which
    are paged in Python (``ArchiveField.get_queryset``).
    """
    if isinstance(plan, Link):
        if not plan.foreign_key.is_cached(source):
            return NOT_FETCHED
        return plan.foreign_key.get_cached_value(source)
    rows = getattr(source, "_prefetched_objects_cache", {}).get(plan.cache_name)
    if (
        rows is None
        or rows._result_cache is None
        or not is_optimized_by_prefetching(rows)
        or as_of.is_past_rows(rows)
    ):
        return NOT_FETCHED
    return rows._result_cache


class ArchiveExecutionContext(StrawberryGraphQLCoreExecutionContext):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        manager = self.middleware_manager
        # A middleware must see every field: then nothing takes the fast path.
        self.fast = manager is None or not manager.middlewares
        self.limit = time_limit.current()

    def complete_list_item_value(self, item, *args, **kwargs):
        if self.limit is not None and time.monotonic() > self.limit.deadline:
            raise self.limit.exceeded()
        return super().complete_list_item_value(item, *args, **kwargs)

    def handle_field_error(self, raw_error, return_type, field_details_list, path):
        """graphql-core's, but the time limit stops the whole execution.

        Any other error nulls its field and the execution goes on; an execution
        out of time must not go on, nor answer with an error for every field
        left: the error, located at the field where time ran out, leaves the
        execution (graphql-core answers it with ``data: null``).
        """
        original = getattr(raw_error, "original_error", None) or raw_error
        if isinstance(original, time_limit.TimeLimitExceeded):
            raise located_error(raw_error, to_nodes(field_details_list), path.as_list())
        super().handle_field_error(raw_error, return_type, field_details_list, path)

    def execute_field(self, parent_type, source, field_details_list, path, position_context):
        if self.limit is not None and time.monotonic() > self.limit.deadline:
            nodes = to_nodes(field_details_list)
            raise located_error(self.limit.exceeded(), nodes, path.as_list())
        node = field_details_list[0].node
        if node.name.value == "__typename" and self.fast:
            return parent_type.name  # what graphql-core answers (its TypeNameMetaFieldDef)
        field = parent_type.fields.get(node.name.value) if self.fast else None
        plan = fast_path(field) if field is not None and not node.arguments else None
        if plan is None:
            return super().execute_field(
                parent_type, source, field_details_list, path, position_context
            )
        # What graphql-core's execute_field does with an error (a resolver's, a
        # scalar's refusal): handle_field_error locates it at this field.
        try:
            if isinstance(plan, Key):
                return global_id(parent_type.name, source)
            if isinstance(plan, Leaf):
                value = field.resolve(source, None)
                if value is None:
                    if plan.nullable:
                        return None
                else:
                    serialized = plan.serialize(value)
                    if serialized is not Undefined and serialized is not None:
                        return serialized
            else:
                value = cached_value(plan, source)
                if value is not NOT_FETCHED:
                    info = self.build_resolve_info(
                        field, to_nodes(field_details_list), parent_type, path
                    )
                    return self.complete_value(
                        field.type, field_details_list, info, path, value, position_context
                    )
        except Exception as error:  # noqa: BLE001 - graphql-core's own handling, as its execute_field
            self.handle_field_error(error, field.type, field_details_list, path)
            return None
        # Null on a non-null field, a value serialized to nothing, a link or rows
        # not fetched: the ordinary way fetches it, or reports graphql-core's error.
        return super().execute_field(
            parent_type, source, field_details_list, path, position_context
        )
