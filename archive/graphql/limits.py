"""A guard run before strawberry's depth and alias limiters.

Those limiters walk the query with every fragment spread expanded, and
remember nothing between spreads: fragments that each spread the next one
twice (``fragment F1 on Query { ...F2 ...F2 }``…) make their work double with
every fragment, so a query of a few hundred tokens keeps a worker busy for
hours. The depth limiter also crashes on a spread of an unknown fragment
(``KeyError``, answered as the unhelpful message ``'Missing'``).

:class:`FragmentGuard` runs first, in linear time: it refuses unknown and
circular fragments with graphql-core's own messages, and a query whose
fields, counted with every fragment expanded, exceed a maximum. What passes
is small enough for every later rule. It also refuses a document of several
operations that does not say which to run (strawberry would run the first).

It then refuses a query whose *cost* is over a budget, before anything runs
(so without a single SQL query). The cost is the number of fields the query
could resolve at most: every list multiplies what is below it by its page
size (the ``limit`` asked for, or the default), so that three nested lists
of 100 cost a million, however small the query text is.
"""

from __future__ import annotations

from collections.abc import Iterator

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    GraphQLError,
    GraphQLList,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    KnownFragmentNamesRule,
    NoFragmentCyclesRule,
    ObjectValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
    get_nullable_type,
    validate,
)
from strawberry.extensions import SchemaExtension

from archive.graphql.fields import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE

UNPAGED_LIST_SIZE = 10


def _fragments(document) -> dict[str, FragmentDefinitionNode]:
    return {
        definition.name.value: definition
        for definition in document.definitions
        if isinstance(definition, FragmentDefinitionNode)
    }


def _operations(document) -> list[OperationDefinitionNode]:
    return [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]


def expanded_fields(document) -> int:
    """How many fields the document selects once every fragment is expanded.

    Each fragment is sized once (memoized), so this is linear in the document.
    The document must have no unknown and no circular fragments.
    """
    fragments = _fragments(document)
    sizes: dict[str, int] = {}

    def size(selection_set: SelectionSetNode | None) -> int:
        if selection_set is None:
            return 0
        total = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                total += 1 + size(selection.selection_set)
            elif isinstance(selection, InlineFragmentNode):
                total += size(selection.selection_set)
            else:
                name = selection.name.value
                if name not in sizes:
                    sizes[name] = size(fragments[name].selection_set)
                total += sizes[name]
        return total

    return sum(size(definition.selection_set) for definition in _operations(document))


def expanded_depth(document) -> int:
    """How deep the document's fields nest once every fragment is expanded (memoized)."""
    fragments = _fragments(document)
    depths: dict[str, int] = {}

    def depth(selection_set: SelectionSetNode | None) -> int:
        deepest = 0
        for selection in selection_set.selections if selection_set else ():
            if isinstance(selection, FieldNode):
                below = 0 if selection.selection_set is None else depth(selection.selection_set)
                deepest = max(deepest, 1 + below)
            elif isinstance(selection, InlineFragmentNode):
                deepest = max(deepest, depth(selection.selection_set))
            else:
                name = selection.name.value
                if name not in depths:
                    depths[name] = depth(fragments[name].selection_set)
                deepest = max(deepest, depths[name])
        return deepest

    return max(
        (depth(definition.selection_set) for definition in _operations(document)),
        default=0,
    )


def query_cost(schema: GraphQLSchema, document, variables: dict | None = None) -> int:
    """The most fields the document's operations could resolve (see the module's doc).

    A list's page size is its ``pagination: {limit}`` or ``limit`` argument
    (a literal or a variable), else the default page size; sizes above the
    maximum count as the maximum (they are refused, with their own message,
    before anything runs). In a page of records (``documents`` and the like)
    the size multiplies the ``results``. A list without a page size is bounded
    by the data model (a row's sources, the fields a version changed) and
    counts as ``UNPAGED_LIST_SIZE``. Introspection (``__schema``…) costs
    one: its size is the schema's. Like :func:`expanded_fields`, each
    fragment is costed once, so this is linear in the document.
    """
    variables = variables or {}
    fragments = _fragments(document)
    costs: dict[str, int] = {}

    def page_size(field: FieldNode) -> int | None:
        for argument in field.arguments or ():
            name, value = argument.name.value, argument.value
            if name == "pagination" and isinstance(value, ObjectValueNode):
                value = next((f.value for f in value.fields if f.name.value == "limit"), None)
            elif name == "pagination" and isinstance(value, VariableNode):
                given = variables.get(value.name.value) or {}
                return _bounded(given.get("limit") if isinstance(given, dict) else None)
            elif name != "limit":
                continue
            if isinstance(value, VariableNode):
                return _bounded(variables.get(value.name.value))
            return _bounded(int(value.value) if isinstance(value, IntValueNode) else None)
        return None

    def cost(selection_set: SelectionSetNode | None, parent, results: int | None = None) -> int:
        """The cost of a selection; ``results`` is the page size of the page it is in."""
        if selection_set is None:
            return 0
        total = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                total += field_cost(selection, parent, results)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                inner = schema.get_type(condition.name.value) if condition else parent
                total += cost(selection.selection_set, inner, results)
            else:
                name = selection.name.value
                if name not in costs:
                    fragment = fragments[name]
                    inner = schema.get_type(fragment.type_condition.name.value)
                    costs[name] = cost(fragment.selection_set, inner)
                # A fragment of a page counts whole for each of its results.
                total += (results or 1) * costs[name]
        return total

    def field_cost(field: FieldNode, parent, results: int | None) -> int:
        name = field.name.value
        definition = getattr(parent, "fields", {}).get(name)
        if name.startswith("__") or definition is None:
            return 1  # introspection, or a field validation will refuse
        child = get_named_type(definition.type)
        is_list = isinstance(get_nullable_type(definition.type), GraphQLList)
        paged = "pagination" in definition.args or "limit" in definition.args
        size = page_size(field)
        if paged and size is None:
            size = DEFAULT_PAGE_SIZE
        if paged and not is_list:
            # A page of records (totalCount, results): the size applies to its results.
            return 1 + cost(field.selection_set, child, results=size)
        if name == "results" and results is not None:
            size = results
        elif is_list and not paged:
            size = UNPAGED_LIST_SIZE
        elif not is_list:
            size = 1
        return 1 + size * cost(field.selection_set, child)

    # Queries only: the schema has no mutation or subscription type (refused elsewhere).
    return sum(
        cost(definition.selection_set, schema.query_type) for definition in _operations(document)
    )


def _bounded(limit) -> int:
    if not isinstance(limit, int) or isinstance(limit, bool):
        return DEFAULT_PAGE_SIZE
    return max(0, min(limit, MAX_PAGE_SIZE))


class FragmentGuard(SchemaExtension):
    """Refuse broken fragments, queries too large once fragments are expanded, and
    queries over the cost budget."""

    def __init__(self, *, max_fields: int, max_cost: int, max_depth: int) -> None:
        self.max_fields = max_fields
        self.max_cost = max_cost
        self.max_depth = max_depth

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        errors = validate(
            context.schema._schema, document, [KnownFragmentNamesRule, NoFragmentCyclesRule]
        )
        operations = _operations(document)
        if not errors and len(operations) > 1 and not context._provided_operation_name:
            # Strawberry would run the first one; the GraphQL spec says refuse.
            # (context.operation_name falls back to the first operation's name:
            # what the client sent is the private _provided_operation_name.)
            errors = [
                GraphQLError("Must provide operation name if query contains multiple operations.")
            ]
        if not errors:
            fields = expanded_fields(document)
            if fields > self.max_fields:
                errors = [
                    GraphQLError(
                        f"Query too large: it selects {fields} fields once its fragments are "
                        f"expanded; the maximum is {self.max_fields}."
                    )
                ]
        # A query too deep is the depth limiter's to explain (it runs next).
        if not errors and expanded_depth(document) <= self.max_depth:
            cost = query_cost(context.schema._schema, document, context.variables)
            if cost > self.max_cost:
                errors = [
                    GraphQLError(
                        f"Query too costly: it could resolve up to {cost:,} fields (each list "
                        f"multiplies what is below it by its page size); the budget is "
                        f"{self.max_cost:,}. Ask for smaller pages, fewer nested lists, or "
                        "several queries."
                    )
                ]
        if errors:
            # Strawberry skips its validation (and so the limiters) when errors are set.
            context.pre_execution_errors = errors
        yield
