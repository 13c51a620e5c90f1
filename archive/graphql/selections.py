"""Walking a query's selections with its fragments expanded.

:class:`Walk` is the one walk of a query's selections that the limits
(:mod:`archive.graphql.limits`) read: the fields, how deep they nest, how many
aliases they hold and, priced with the types and the request's variables,
the cost, with every fragment expanded and each fragment walked once per
page size it is spread at (memoised), so that the walk is linear in the
document however its fragments spread each other. :func:`shape` is its
unpriced reading of a whole document, memoised per document: the limits
read it before validation, when only the text is known to be sound. The
cost (``limits.query_cost``) is walked for each request: it depends on the
variables and on the limits set now.

:func:`selected_fields` is for resolvers that must know what the client
asked for below them: the search hits' records (:mod:`archive.graphql.search`)
and ``asOf`` reads (:mod:`archive.graphql.past`).
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from typing import Any, Protocol

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
)


def fragments(document: DocumentNode) -> dict[str, FragmentDefinitionNode]:
    """The document's fragments by name."""
    return {
        definition.name.value: definition
        for definition in document.definitions
        if isinstance(definition, FragmentDefinitionNode)
    }


def operations(document: DocumentNode) -> list[OperationDefinitionNode]:
    return [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]


@dataclass(frozen=True, slots=True)
class DocumentShape:
    """The shape of a document: all its operations together, and each one's depth."""

    # Fields, each counted at every place a fragment puts it.
    fields: int
    # Fields with an alias, as strawberry's MaxAliasesLimiter counts them.
    aliases: int
    # Each operation's longest chain of fields with selections within each other,
    # introspection fields (``__schema``…) not counted: strawberry's
    # QueryDepthLimiter's measure.
    depths: tuple[int, ...]

    @property
    def depth(self) -> int:
        return max(self.depths, default=0)


_shapes: dict[int, DocumentShape] = {}


def shape(document: DocumentNode) -> DocumentShape:
    """The document's shape, walked once per document (memoised while it lives: the
    parser's cache hands out the same document for the same text).

    The document must have no unknown and no circular fragments; it need not be
    valid otherwise (the limits read it before validation).
    """
    key = id(document)
    found = _shapes.get(key)
    if found is None:
        found = _shapes[key] = _shape(document)
        weakref.finalize(document, _shapes.pop, key, None)
    return found


def _shape(document: DocumentNode) -> DocumentShape:
    walk = Walk(document)
    measures = [walk.selections(o.selection_set) for o in operations(document)]
    return DocumentShape(
        fields=sum(fields for fields, _, _, _ in measures),
        aliases=sum(aliases for _, _, aliases, _ in measures),
        depths=tuple(depth for _, depth, _, _ in measures),
    )


# What a selection holds, its fragments expanded: (fields, depth, aliases, cost),
# the cost zero unless the walk is priced. Plain tuples: the walk makes one a field.
Measure = tuple[int, int, int, int]
# What a field costs, as :class:`Prices` say: (below, results, constant, times),
# its selection walked as of type ``below`` in a page of ``results`` items, and
# the field costing ``constant`` plus ``times`` the cost of its selection.
Price = tuple[Any, int | None, int, int]


class Prices(Protocol):
    """The types and the prices of a priced walk (``limits.query_cost``)."""

    def type(self, name: str) -> Any: ...

    def field(self, node: FieldNode, parent, results: int | None) -> Price: ...


UNPRICED: Price = (None, None, 0, 0)
NOTHING: Measure = (0, 0, 0, 0)


class Walk:
    """The one walk of a query's selections: the fields, the depth, the aliases and,
    priced, the cost, with every fragment expanded.

    Each fragment is walked once per page size it is spread at (memoised), so
    the walk is linear in the document however its fragments spread each
    other. Unpriced, it reads the document alone (:func:`shape`); priced, the
    ``prices`` give each field's type and cost from its arguments (the
    request's variables, the limits set now).
    """

    def __init__(self, document: DocumentNode, prices: Prices | None = None) -> None:
        self.fragments = fragments(document)
        self.prices = prices
        self.walked: dict[tuple[str, int | None], Measure] = {}

    def selections(self, selection_set: SelectionSetNode | None, parent=None, results=None):
        """The :data:`Measure` of a selection of ``parent`` in a page of ``results`` items."""
        if selection_set is None:
            return NOTHING
        fields = depth = aliases = cost = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                measure = self.field(selection, parent, results)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                inner = self.type(condition.name.value) if condition else parent
                # A union's fragments all count, though an item is of one type.
                measure = self.selections(selection.selection_set, inner, results)
            else:
                key = (selection.name.value, results)
                measure = self.walked.get(key)
                if measure is None:
                    fragment = self.fragments[key[0]]
                    inner = self.type(fragment.type_condition.name.value)
                    measure = self.selections(fragment.selection_set, inner, results)
                    self.walked[key] = measure
            more_fields, more_depth, more_aliases, more_cost = measure
            fields += more_fields
            aliases += more_aliases
            cost += more_cost
            if more_depth > depth:
                depth = more_depth
        return (fields, depth, aliases, cost)

    def field(self, node: FieldNode, parent, results: int | None) -> Measure:
        prices = self.prices
        below, page, constant, times = (
            UNPRICED if prices is None else prices.field(node, parent, results)
        )
        alias = node.alias is not None
        if node.selection_set is None:
            return (1, 0, alias, constant)
        fields, depth, aliases, cost = self.selections(node.selection_set, below, page)
        counted = not node.name.value.startswith("__")
        return (1 + fields, 1 + depth if counted else 0, alias + aliases, constant + times * cost)

    def type(self, name: str):
        return None if self.prices is None else self.prices.type(name)


def children(node) -> list:
    """The selections directly under ``node`` (a field, fragment or operation)."""
    return list(node.selection_set.selections) if node.selection_set else []


def selected_fields(selections, fragments, type_name: str | None = None):
    """The field nodes among ``selections``, fragments expanded.

    With ``type_name``, only the fragments that apply to that type are
    expanded (``... on Document`` for a Document); without, all of them.
    """
    for selection in selections:
        if isinstance(selection, FieldNode):
            yield selection
            continue
        if isinstance(selection, FragmentSpreadNode):
            selection = fragments[selection.name.value]
        elif not isinstance(selection, InlineFragmentNode):
            continue
        condition = selection.type_condition
        if type_name is None or condition is None or condition.name.value == type_name:
            yield from selected_fields(children(selection), fragments, type_name)
