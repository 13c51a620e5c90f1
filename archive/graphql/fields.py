"""The field class of the API: every list is paged, and no page is too large.

strawberry-django pages the top-level lists (``offset_paginated``) with the
defaults of ``settings.STRAWBERRY_DJANGO``, but a nested list declared with
``pagination`` returns every row when the client omits the argument. Here
every list, nested or not, gets a page of ``settings.GRAPHQL_PAGE_SIZE`` unless
the client asks for another size. :func:`requested_page` decides what page a
field asks for; a size over ``settings.GRAPHQL_MAX_PAGE_SIZE`` (or a negative
offset) is refused before the query runs (:mod:`archive.graphql.limits`), with
an error that says which limit it broke.
"""

from __future__ import annotations

from typing import Annotated

import strawberry
from django.conf import settings
from graphql import GraphQLError
from strawberry import relay
from strawberry_django.fields.field import StrawberryDjangoField
from strawberry_django.pagination import OffsetPaginationInput

from archive import as_of
from archive.graphql import errors as codes

# The prefix of a connection's cursors (strawberry's ListConnection, as graphql-relay's).
CURSOR_PREFIX = "arrayconnection"


class PageSizeError(GraphQLError):
    """A client's page is larger than the API serves, or starts before the first item."""

    CODE = codes.ARGUMENT_OUT_OF_BOUNDS


def requested_page(arguments) -> tuple[int, int]:
    """(offset, limit) that a list field's arguments ask for, defaults filled in.

    The one place that decides a page: the query's limits
    (:mod:`archive.graphql.limits`) call it with the arguments graphql-core
    coerces (variables and their defaults applied) to refuse a page out of
    bounds before anything runs and to count its cost; the resolvers call it
    (through :func:`page_bounds`) to apply the page. ``arguments`` holds
    ``pagination`` (strawberry-django's input or graphql-core's dict), or
    ``limit`` (``search``). Raises :class:`PageSizeError`.
    """
    default, most = settings.GRAPHQL_PAGE_SIZE, settings.GRAPHQL_MAX_PAGE_SIZE
    if "first" in arguments:
        return _connection_slice(arguments, default, most)
    if "limit" in arguments:
        limit = arguments["limit"]
        if not 0 <= limit <= most:
            raise PageSizeError(
                f"Search limit exceeded: limit is {limit}, it must be between 0 and {most}."
            )
        return 0, limit
    pagination = arguments.get("pagination")
    if pagination in (None, strawberry.UNSET):
        return 0, default
    if isinstance(pagination, dict):
        limit, offset = pagination.get("limit"), pagination.get("offset")
    else:
        limit, offset = pagination.limit, pagination.offset
    limit = default if limit in (None, strawberry.UNSET) else limit
    offset = 0 if offset in (None, strawberry.UNSET) else offset
    if limit > most:
        raise PageSizeError(
            f"Page size limit exceeded: pagination.limit is {limit}, the maximum is {most}. "
            "Ask for further pages with pagination.offset."
        )
    if limit < 0:
        raise PageSizeError(f"pagination.limit must be 0 or more, not {limit}.")
    if offset < 0:
        raise PageSizeError(f"pagination.offset must be 0 or more, not {offset}.")
    return offset, limit


def _connection_slice(arguments, default: int, most: int) -> tuple[int, int]:
    """(rows skipped, most items) of a Relay connection's arguments (``first``,
    ``last``, ``after``, ``before``), as :func:`requested_page`."""
    first, last = arguments.get("first"), arguments.get("last")
    for name, value in (("first", first), ("last", last)):
        if value is not None and value > most:
            raise PageSizeError(
                f"Page size limit exceeded: {name} is {value}, the maximum is {most}. "
                "Ask for further pages with after (or before) a cursor."
            )
        if value is not None and value < 0:
            raise PageSizeError(f"{name} must be 0 or more, not {value}.")
    offsets = {}
    for name in ("after", "before"):
        cursor = arguments.get(name)
        if cursor is None:
            continue
        try:
            prefix, offset = relay.from_base64(cursor)
            offsets[name] = int(offset)
        except ValueError:
            prefix = None
        if prefix != CURSOR_PREFIX or offsets[name] < 0:
            raise PageSizeError(f"{name} is not a cursor of this list: {cursor!r}.")
    sizes = [size for size in (first, last) if size is not None]
    skipped = offsets["after"] + 1 if "after" in offsets else 0
    if "before" in offsets and last is not None:
        # The last items before a cursor are read at an OFFSET of before - last
        # (strawberry's SliceMetadata): those rows are skipped as after's are.
        skipped = max(skipped, offsets["before"] - last)
    return skipped, min(sizes, default=default)


def page_bounds(pagination) -> tuple[int, int]:
    """(offset, limit) of a ``pagination`` argument (see :func:`requested_page`)."""
    return requested_page({"pagination": pagination})


# With the limits' placeholders (archive.graphql.descriptions).
PAGE_DESCRIPTION = (
    "Which page: offset (default 0) and limit (default {page_size}, at most {max_page_size})."
)
ARGUMENT_DESCRIPTIONS = {
    "pagination": PAGE_DESCRIPTION,
    "filters": "Only the records that match every filter given.",
    "ordering": "The order of the results; several orderings apply in turn.",
}
# A connection's arguments: strawberry's descriptions, with its limits (and ``last``'s
# corrected: strawberry describes it as ``after``'s).
CONNECTION_DESCRIPTIONS = {
    "first": "The first n items after the cursor ``after`` (or from the start): "
    "default {page_size}, at most {max_page_size}.",
    "last": "The last n items before the cursor ``before`` (or up to the end): "
    "at most {max_page_size}.",
    "after": "Only the items after this cursor (an edge's cursor, or pageInfo.endCursor).",
    "before": "Only the items before this cursor (an edge's cursor, or pageInfo.startCursor).",
}


def one_page(items: list, pagination) -> list:
    """A page of a list computed in Python (history, name forms, citations)."""
    offset, limit = page_bounds(pagination)
    return items[offset : offset + limit]


PageArgument = Annotated[
    OffsetPaginationInput | None,
    strawberry.argument(description=PAGE_DESCRIPTION),
]


class ArchiveField(StrawberryDjangoField):
    @property
    def is_basic_field(self) -> bool:
        """A model column with no resolver is read straight off the instance.

        strawberry-django marks all its fields non-basic, which sends every
        scalar of every row through the full resolver chain (an ``Info``
        object, argument parsing, extension wrappers): most of the time of a
        large page. A basic field skips that; relations and resolvers keep it,
        since visibility and the optimizer act there.
        """
        return not (self.base_resolver or self.extensions or self.is_relation or self.arguments)

    def get_result(self, source, info, args, kwargs):
        if info is None and source is not None:  # strawberry's call for a basic field
            return getattr(source, self.django_name or self.python_name)
        return super().get_result(source, info, args, kwargs)

    @property
    def arguments(self):
        arguments = super().arguments
        for argument in arguments:
            if argument.python_name in CONNECTION_DESCRIPTIONS:
                argument.description = CONNECTION_DESCRIPTIONS[argument.python_name]
            elif argument.description is None:
                argument.description = ARGUMENT_DESCRIPTIONS.get(argument.python_name)
        return arguments

    @arguments.setter
    def arguments(self, value):
        StrawberryDjangoField.arguments.fset(self, value)

    def get_queryset(self, queryset, info, *, pagination=None, **kwargs):
        page_bounds(pagination)  # refused before execution already; never run unchecked
        if self.is_list and as_of.is_past_rows(queryset):
            # Rows of a record read asOf a moment are in memory: page them here,
            # as the optimizer's prefetch would have.
            offset, limit = page_bounds(pagination)
            return as_of.page(queryset, offset, limit)
        return super().get_queryset(queryset, info, pagination=pagination, **kwargs)

    def apply_pagination(self, queryset, pagination=None, *, related_field_id=None):
        if self.is_list:
            offset, limit = page_bounds(pagination)
            pagination = OffsetPaginationInput(offset=offset, limit=limit)
        return super().apply_pagination(queryset, pagination, related_field_id=related_field_id)
