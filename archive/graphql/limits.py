"""What one request may ask, checked before anything runs (so without a single SQL query).

Every limit is one setting (project/settings.py), read on every request; the
schema's descriptions are written from the same settings
(:mod:`archive.graphql.descriptions`).

The fields, the depth, the aliases and the cost of a query are read from the
one walk of its selections (:class:`selections.Walk`), which walks each
fragment once per page size: its fields, depth and aliases once per
document (:func:`selections.shape`), its cost once per request, priced here.
strawberry's depth and alias limiters walk the query with every fragment
spread expanded, remembering nothing between spreads: fragments that each
spread the next one twice (``fragment F1 on Query { ...F2 ...F2 }``…) make
their work double with every fragment, so a query of a few hundred tokens
would keep a worker busy for hours; and the depth limiter crashes on a spread
of an unknown fragment (``KeyError``, answered as the unhelpful message
``'Missing'``). :class:`QueryLimits` runs first: it refuses unknown and
circular fragments with graphql-core's own messages, a query whose fields,
counted with every fragment expanded, exceed a maximum, and a document of
several operations that does not say which to run (strawberry would run the
first). Validation then refuses a query too deep or with too many aliases
(:func:`limit_rules`), with strawberry's messages.

:class:`RequestBudget` runs after validation, with the variables: it reads
every field's arguments as graphql-core will run them (variables coerced,
their defaults applied), so a value counts the same however it reaches a
field: a literal, a variable, a variable's default, a variable inside an
object literal, a whole input object in a variable, in a fragment, under an
alias. It refuses arguments out of bounds (a page, :func:`fields.requested_page`;
a text to find or any other string too long; a list too long), then a query
whose *cost* is over the budget (:func:`query_cost`).
"""

from __future__ import annotations

import functools
from collections.abc import Iterator

from django.conf import settings
from graphql import (
    FieldNode,
    GraphQLError,
    GraphQLInputObjectType,
    GraphQLList,
    GraphQLSchema,
    KnownFragmentNamesRule,
    NoFragmentCyclesRule,
    ValidationRule,
    get_named_type,
    get_nullable_type,
    validate,
)
from graphql.execution.values import get_argument_values, get_variable_values
from strawberry import relay
from strawberry.extensions import SchemaExtension
from strawberry.extensions.query_depth_limiter import create_validator as depth_validator

from archive import search
from archive.graphql import errors as codes
from archive.graphql import selections
from archive.graphql.fields import PageSizeError, requested_page
from archive.graphql.selections import Price
from archive.library_versions import require

require(
    "strawberry-graphql",
    "0.341.2",
    "archive/graphql/limits.py reads strawberry's private "
    "ExecutionContext._provided_operation_name",
)

# What each part of a query counts in its cost. A unit is about 10 µs of CPU,
# measured on a generated archive of 100,000 documents on SQLite, where the
# database's work is in the process too (tools/cost_calibration.py).
FIELD = 1
# A row or record of a list: fetched, built by the ORM, checked for visibility.
ROW = 5
# A list or a page: one SQL query more.
LIST = 10
# A page's ``totalCount``: a count of every match (100,000 documents: 6 ms).
COUNT = 600
# Each row a page's offset skips: the database reads it to skip it
# (``offset: 99000`` ordered by date: 0.6 s of CPU).
SKIPPED_ROW = 0.65
# A page ordered by a key no index serves (a title, a name, nulls first…):
# every match is sorted (100,000 documents by title: 45 ms).
SORT = 4500
# The order keys an index serves (ASC and DESC only; see archive/graphql/ordering.py).
INDEXED_ORDER = {"slug", "date", "born", "died", "existence"}
# Nested lists numbered over every row of their parent (a window function), so
# that each parent costs its rows, whatever the page asked: a state is party to
# about 1,250 documents and in 500 events at 100,000 documents (10 and 5 ms of
# CPU a state). Other records' lists hold a few rows to a few dozen.
WHOLE_LISTS = {("State", "documents"): 1000, ("State", "events"): 500}
# A list the data model bounds (a row's sources, the fields a version changed),
# not paged: counted at this size.
UNPAGED_LIST_SIZE = 10
# A record's history: all its versions and its rows' versions read and compared,
# whatever the page of entries asked (4 to 6 ms a record).
HISTORY = 600
# Each word of a text to find, in a filter or ``search``: one more condition
# tested on every candidate (twice for a page: its count too).
TEXT_WORD = 50
# ``search``: one ranked query per record type.
SEARCH = 2500
# A filter condition (a relation, a date range, a kind, a text): it narrows the
# matches, which are then counted and sorted (a state's 1,281 documents: 40 ms).
FILTER = 2000
# A record read ``asOf`` a moment, and all below it, is rebuilt from the
# history tables: each part costs this many times its cost now. Plain reads
# measured 2 to 3 times; a state's lists, numbered among all their versions,
# up to 6 times (tools/attack.py's deep asOf read).
AS_OF = 6
# Introspection (``__schema``…) costs a field, whatever it selects (times 0): its
# size is the schema's.
INTROSPECTION: Price = (None, None, FIELD, 0)
# What clients add to every object by themselves (Apollo Client ``__typename``,
# Relay ``id``), answered without a resolver (archive/graphql/execution.py):
# free, so that a query costs the same from every client.
KEYS = {"__typename", "id"}
FREE: Price = (None, None, 0, 0)


class RequestRefused(Exception):
    def __init__(self, errors: list[GraphQLError]) -> None:
        super().__init__(errors)
        self.errors = errors


class _Prices:
    """What each field of an operation costs, its arguments' bounds checked
    (for :class:`selections.Walk`, which sums the cost)."""

    def __init__(self, schema: GraphQLSchema, variables) -> None:
        self.schema = schema
        self.variables = variables
        self.errors: list[GraphQLError] = []

    def type(self, name: str):
        return self.schema.get_type(name)

    def field(self, node: FieldNode, parent, results: int | None) -> Price:
        """The price of a field of ``parent``; ``results`` is the page size of the page
        it is in."""
        name = node.name.value
        if name in KEYS and node.selection_set is None:
            return FREE
        definition = getattr(parent, "fields", {}).get(name)
        if name.startswith("__") or definition is None:
            return INTROSPECTION  # its size is the schema's
        arguments = get_argument_values(definition, node, self.variables)
        extra = self.arguments(node, definition, arguments)
        if parent is self.schema.query_type and name == "search":
            extra += SEARCH
        child = get_named_type(definition.type)
        is_list = isinstance(get_nullable_type(definition.type), GraphQLList)
        paged = any(name in definition.args for name in PAGE_ARGUMENTS)
        if parent is self.schema.query_type and name in NODE_FIELDS:
            # A record each id, looked up by key; a past version rebuilt as asOf would.
            ids = [arguments["id"]] if name == "node" else arguments["ids"]
            times = AS_OF if any(_names_a_moment(i) for i in ids) else 1
            return (child, None, FIELD + LIST + extra + len(ids) * ROW, len(ids) * times)
        size = None
        if paged:
            try:
                offset, size = requested_page(arguments)
            except PageSizeError as error:
                self.refuse(node, error.message)
                offset, size = 0, 0
            extra += round(offset * SKIPPED_ROW) + _sort_cost(arguments.get("ordering"))
            if arguments.get("last") is not None and arguments.get("before") is None:
                extra += COUNT  # a connection's last items: counted to find where they start
        if name == "totalCount" and results is not None:
            extra += COUNT
        if arguments.get("asOf") is not None:
            return (child, None, FIELD + extra, AS_OF)
        if paged and not is_list:
            # A page of records (totalCount, results): the size applies to its results.
            return (child, size, FIELD + extra, 1)
        if name in PAGE_ITEMS and results is not None:
            size = results
        if size is not None:
            # Each row costs ROW and its selection.
            if child.name == "HistoryEntry":
                extra += HISTORY
            extra += WHOLE_LISTS.get((parent.name, name), 0)
            return (child, None, FIELD + LIST + extra + size * ROW, size)
        if is_list:
            return (child, None, FIELD, UNPAGED_LIST_SIZE)
        return (child, None, FIELD + extra, 1)

    def arguments(self, node: FieldNode, definition, arguments: dict) -> int:
        """Check the values of a field's arguments; their cost (filters, texts to find)."""
        cost = 0
        for name, value in arguments.items():
            pending = [(name, value, definition.args[name].type)]
            while pending:
                path, value, type_ = pending.pop()
                type_ = get_nullable_type(type_)
                if value is None:
                    continue
                if isinstance(type_, GraphQLList):
                    most = settings.GRAPHQL_MAX_LIST_ITEMS
                    if len(value) > most:
                        self.refuse(
                            node,
                            f"{path}: a list holds at most {most} items; this one "
                            f"holds {len(value):,}.",
                        )
                        continue
                    pending += [(path, item, type_.of_type) for item in value]
                elif isinstance(type_, GraphQLInputObjectType):
                    fields = type_.fields
                    pending += [(f"{path}.{k}", v, fields[k].type) for k, v in value.items()]
                    if name == "filters":
                        cost += FILTER * sum(k not in COMBINATORS for k in value)
                elif isinstance(value, str):
                    cost += self.string(node, path, value)
        return cost

    def string(self, node: FieldNode, path: str, value: str) -> int:
        last = path.rsplit(".", 1)[-1]
        if last == "text":  # a text to find (a filter's, or search's)
            reason = search.too_long(value)
            if reason:
                self.refuse(node, f"{path}: {reason}")
                return 0
            return TEXT_WORD * len(search.words(value))
        most = settings.GRAPHQL_MAX_TEXT_CHARACTERS
        if len(value) > most:
            self.refuse(
                node, f"{path}: text too long: {len(value):,} characters; the most is {most}."
            )
        return 0

    def refuse(self, node: FieldNode, message: str) -> None:
        self.errors.append(codes.coded(GraphQLError(message, node), codes.ARGUMENT_OUT_OF_BOUNDS))


# The arguments of a page: an offset page's, search's, a Relay connection's.
PAGE_ARGUMENTS = ("pagination", "limit", "first")
# Where a page's items are: an offset page's results, a connection's edges.
PAGE_ITEMS = {"results", "edges"}
# Query's fields that read records by their global ids (archive/graphql/nodes.py).
NODE_FIELDS = {"node", "nodes"}


def _names_a_moment(global_id: str) -> bool:
    """Whether a global id names a version read asOf a moment (an id that is not one
    names nothing when it is read)."""
    try:
        return "@" in relay.from_base64(global_id)[1]
    except ValueError:
        return False


def _sort_cost(ordering) -> int:
    for keys in ordering or ():
        for key, direction in keys.items():
            if key not in INDEXED_ORDER or direction.name not in ("ASC", "DESC"):
                return SORT
    return 0


# strawberry-django's combinators of a filter: not conditions themselves.
COMBINATORS = {"AND", "OR", "NOT", "DISTINCT"}


def query_cost(
    schema: GraphQLSchema, document, variables: dict | None = None, operation_name=None
) -> int:
    """The cost of running the document's operation with ``variables``.

    A field counts :data:`FIELD`; a list multiplies what is below it (each
    item :data:`ROW` more) by its page size (:func:`fields.requested_page`)
    and adds :data:`LIST` for its query; in a page of records (``documents``
    and the like) the size multiplies the ``results``. A list without a page
    size is bounded by the data model (a row's sources, the fields a version
    changed) and counts as :data:`UNPAGED_LIST_SIZE`. Histories, texts to
    find, filters, ``search`` and reads ``asOf`` a moment count what they
    cost more (see the weights above). Introspection (``__schema``…) costs
    one: its size is the schema's. Raises :class:`RequestRefused` for an
    argument out of bounds, or variables that cannot be coerced.
    """
    operations = selections.operations(document)
    if operation_name is not None:
        operations = [o for o in operations if o.name and o.name.value == operation_name]
    total = 0
    for operation in operations[:1]:
        variables_or_errors = get_variable_values(
            schema, operation.variable_definitions or (), variables or {}
        )
        if isinstance(variables_or_errors, list):
            raise RequestRefused(
                [codes.coded(error, codes.BAD_USER_INPUT) for error in variables_or_errors]
            )
        prices = _Prices(schema, variables_or_errors)
        walk = selections.Walk(document, prices)
        # Queries only: the schema has no mutation or subscription type.
        _, _, _, cost = walk.selections(operation.selection_set, schema.query_type)
        total += cost
        if prices.errors:
            raise RequestRefused(_distinct(prices.errors))
    return total


def _distinct(errors: list[GraphQLError]) -> list[GraphQLError]:
    """One error per message, at every place it applies (aliases of one field…)."""
    nodes: dict[str, list] = {}
    extensions: dict[str, dict] = {}
    for error in errors:
        places = nodes.setdefault(error.message, [])
        places += [node for node in error.nodes or () if node not in places]
        extensions.setdefault(error.message, error.extensions)
    return [
        GraphQLError(message, places, extensions=extensions[message])
        for message, places in nodes.items()
    ]


def max_fields() -> int:
    """The most fields a query may select once its fragments are expanded: as many as
    its tokens may be, so fragments cannot make a query larger than one written out."""
    return settings.GRAPHQL_MAX_TOKENS


class QueryLimits(SchemaExtension):
    """Refuse broken fragments, ambiguous operations, and queries too large once
    fragments are expanded, before the validation that would expand them."""

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        errors = validate(
            context.schema._schema, document, [KnownFragmentNamesRule, NoFragmentCyclesRule]
        )
        operations = selections.operations(document)
        if not errors and len(operations) > 1 and not context._provided_operation_name:
            # Strawberry would run the first one; the GraphQL spec says refuse.
            # (context.operation_name falls back to the first operation's name:
            # what the client sent is the private _provided_operation_name.)
            errors = [
                codes.coded(
                    GraphQLError(
                        "Must provide operation name if query contains multiple operations.",
                        operations,  # located at each: one of them must be named
                    ),
                    codes.OPERATION_RESOLUTION_FAILURE,
                )
            ]
        if not errors:
            fields, most = selections.shape(document).fields, max_fields()
            if fields > most:
                errors = [
                    GraphQLError(
                        f"Query too large: it selects {fields} fields once its fragments are "
                        f"expanded; the maximum is {most}.",
                        operations[:1],  # the first operation: where the query starts
                        extensions={"code": codes.QUERY_TOO_LARGE},
                    )
                ]
        if errors:
            # Strawberry skips its validation (and so the limiters) when errors are set.
            context.pre_execution_errors = errors
        yield


def limit_rules() -> tuple[type[ValidationRule], ...]:
    """The validation rules for the depth and the aliases set now.

    Made once per value: the rules are the same from one request to the next,
    and the validation of a query text already seen is remembered
    (``CachedValidation``), as is its parse.
    """
    return _limit_rules(settings.GRAPHQL_MAX_DEPTH, settings.GRAPHQL_MAX_ALIASES)


@functools.cache
def _limit_rules(max_depth: int, max_aliases: int) -> tuple[type[ValidationRule], ...]:
    # strawberry's own rule reports a query too deep, with its messages at its
    # places; by then its walk is bounded (QueryLimits refused more fields).
    deep = depth_validator(max_depth, None, None)

    class MaxDepth(ValidationRule):
        def __init__(self, context) -> None:
            if selections.shape(context.document).depth > max_depth:
                deep(context)  # reports its errors as it is made
            super().__init__(context)

    class MaxAliases(ValidationRule):
        def __init__(self, context) -> None:
            aliases = selections.shape(context.document).aliases
            if aliases > max_aliases:
                context.report_error(
                    GraphQLError(
                        f"{aliases} aliases found. Allowed: {max_aliases}",
                        selections.operations(context.document)[:1],
                        extensions={"code": codes.TOO_MANY_ALIASES},
                    )
                )
            super().__init__(context)

    return (MaxDepth, MaxAliases)


class RequestBudget(SchemaExtension):
    """Refuse arguments out of bounds and queries over the cost budget
    (``settings.GRAPHQL_MAX_COST``).

    Listed after the validation (``CachedValidation``): it reads a query
    validation has passed, with this request's variables.
    """

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        if context.pre_execution_errors is None:
            context.pre_execution_errors = validate(
                context.schema._schema, context.graphql_document, context.validation_rules
            )
        if not context.pre_execution_errors:
            context.pre_execution_errors = self.refusals(context)
        yield

    def refusals(self, context) -> list[GraphQLError]:
        try:
            cost = query_cost(
                context.schema._schema,
                context.graphql_document,
                context.variables,
                context._provided_operation_name,
            )
        except RequestRefused as refused:
            return refused.errors
        budget = settings.GRAPHQL_MAX_COST
        if cost > budget:
            return [
                GraphQLError(
                    f"Query too costly: it costs {cost:,} (each field 1, each list's items "
                    f"times its page size; histories, texts to find, filters and asOf "
                    f"reads more); the budget is {budget:,}. Ask for smaller pages, "
                    "fewer nested lists, or several queries.",
                    # The operation that costs it: located, as every error with a place.
                    _operation(context.graphql_document, context._provided_operation_name),
                    extensions={"code": codes.QUERY_TOO_COSTLY},
                )
            ]
        return []


def _operation(document, operation_name: str | None) -> list:
    """The operation run (by name, or the only one), as a list of nodes for an error."""
    operations = selections.operations(document)
    if operation_name is not None:
        operations = [o for o in operations if o.name and o.name.value == operation_name]
    return operations[:1]
