"""Walking a query's selections with its fragments expanded.

:func:`shape` is the one walk the limits read (:mod:`archive.graphql.limits`):
the fields a document selects, how deep they nest and how many aliases they
hold, with every fragment expanded, each fragment walked once (memoised) so
that the walk is linear in the document, however its fragments spread each
other. The cost (``limits.query_cost``) walks the same way, once per fragment
and page size, with the types and the variables.

:func:`selected_fields` is for resolvers that must know what the client
asked for below them: the search hits' records (:mod:`archive.graphql.search`)
and ``asOf`` reads (:mod:`archive.graphql.past`).
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass

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
class Shape:
    """What a selection holds, its fragments expanded."""

    # Fields, each counted at every place a fragment puts it.
    fields: int = 0
    # The longest chain of fields with selections within each other, introspection
    # fields (``__schema``…) not counted: strawberry's QueryDepthLimiter's measure.
    depth: int = 0
    # Fields with an alias, as strawberry's MaxAliasesLimiter counts them.
    aliases: int = 0

    def __add__(self, other: Shape) -> Shape:
        """Two selections side by side."""
        return Shape(
            self.fields + other.fields,
            max(self.depth, other.depth),
            self.aliases + other.aliases,
        )


@dataclass(frozen=True, slots=True)
class DocumentShape:
    """The shape of a document: all its operations together, and each one's depth."""

    fields: int
    aliases: int
    depths: tuple[int, ...]

    @property
    def depth(self) -> int:
        return max(self.depths, default=0)


_shapes: dict[int, DocumentShape] = {}


def shape(document: DocumentNode) -> DocumentShape:
    """The document's shape, walked once per document (memoised while it lives: the
    parser's cache hands out the same document for the same text).

    The document must have no unknown and no circular fragments.
    """
    key = id(document)
    found = _shapes.get(key)
    if found is None:
        found = _shapes[key] = _DocumentWalk(document).shape()
        weakref.finalize(document, _shapes.pop, key, None)
    return found


class _DocumentWalk:
    def __init__(self, document: DocumentNode) -> None:
        self.document = document
        self.fragments = fragments(document)
        self.shapes: dict[str, Shape] = {}

    def shape(self) -> DocumentShape:
        shapes = [self.selections(o.selection_set) for o in operations(self.document)]
        return DocumentShape(
            fields=sum(s.fields for s in shapes),
            aliases=sum(s.aliases for s in shapes),
            depths=tuple(s.depth for s in shapes),
        )

    def selections(self, selection_set: SelectionSetNode | None) -> Shape:
        total = Shape()
        for selection in selection_set.selections if selection_set else ():
            if isinstance(selection, FieldNode):
                below = self.selections(selection.selection_set)
                counted = selection.selection_set and not selection.name.value.startswith("__")
                total += Shape(
                    1 + below.fields,
                    1 + below.depth if counted else 0,
                    bool(selection.alias) + below.aliases,
                )
            elif isinstance(selection, InlineFragmentNode):
                total += self.selections(selection.selection_set)
            else:
                name = selection.name.value
                if name not in self.shapes:
                    self.shapes[name] = self.selections(self.fragments[name].selection_set)
                total += self.shapes[name]
        return total


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
