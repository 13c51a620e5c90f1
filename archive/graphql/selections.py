"""Walking a query's selections with its fragments expanded.

Used where a resolver must know what the client asked for below it: the
search hits' records (:mod:`archive.graphql.search`) and ``asOf`` reads
(:mod:`archive.graphql.past`).
"""

from __future__ import annotations

from graphql import FieldNode, FragmentSpreadNode, InlineFragmentNode


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
