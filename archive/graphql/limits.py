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
"""

from __future__ import annotations

from collections.abc import Iterator

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    GraphQLError,
    InlineFragmentNode,
    KnownFragmentNamesRule,
    NoFragmentCyclesRule,
    OperationDefinitionNode,
    SelectionSetNode,
    validate,
)
from strawberry.extensions import SchemaExtension


def expanded_fields(document) -> int:
    """How many fields the document selects once every fragment is expanded.

    Each fragment is sized once (memoized), so this is linear in the document.
    The document must have no unknown and no circular fragments.
    """
    fragments = {
        definition.name.value: definition
        for definition in document.definitions
        if isinstance(definition, FragmentDefinitionNode)
    }
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

    return sum(
        size(definition.selection_set)
        for definition in document.definitions
        if isinstance(definition, OperationDefinitionNode)
    )


class FragmentGuard(SchemaExtension):
    """Refuse broken fragments and queries too large once fragments are expanded."""

    def __init__(self, *, max_fields: int) -> None:
        self.max_fields = max_fields

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        errors = validate(
            context.schema._schema, document, [KnownFragmentNamesRule, NoFragmentCyclesRule]
        )
        operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
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
        if errors:
            # Strawberry skips its validation (and so the limiters) when errors are set.
            context.pre_execution_errors = errors
        yield
