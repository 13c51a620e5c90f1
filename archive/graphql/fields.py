"""The field class of the API: every list is paged, and no page is too large.

strawberry-django pages the top-level lists (``offset_paginated``) with the
defaults of ``settings.STRAWBERRY_DJANGO``, but a nested list declared with
``pagination`` returns every row when the client omits the argument. Here
every list, nested or not, gets a page of :data:`DEFAULT_PAGE_SIZE` unless the
client asks for another size, and a size over :data:`MAX_PAGE_SIZE` (or a
negative offset) is refused with an error that says which limit it broke.
"""

from __future__ import annotations

from typing import Annotated

import strawberry
from graphql import GraphQLError
from strawberry_django.fields.field import StrawberryDjangoField
from strawberry_django.pagination import OffsetPaginationInput

from archive import as_of

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100


class PageSizeError(GraphQLError):
    """A client's page is larger than the API serves."""


def check_pagination(pagination) -> None:
    if pagination in (None, strawberry.UNSET):
        return
    limit, offset = pagination.limit, pagination.offset
    if limit is not None and limit is not strawberry.UNSET and limit > MAX_PAGE_SIZE:
        raise PageSizeError(
            f"Page size limit exceeded: pagination.limit is {limit}, the maximum is "
            f"{MAX_PAGE_SIZE}. Ask for further pages with pagination.offset."
        )
    if limit is not None and limit is not strawberry.UNSET and limit < 0:
        raise PageSizeError(f"pagination.limit must be 0 or more, not {limit}.")
    if offset is not None and offset < 0:
        raise PageSizeError(f"pagination.offset must be 0 or more, not {offset}.")


ARGUMENT_DESCRIPTIONS = {
    "pagination": f"Which page: offset (default 0) and limit (default {DEFAULT_PAGE_SIZE}, "
    f"at most {MAX_PAGE_SIZE}).",
    "filters": "Only the records that match every filter given.",
    "ordering": "The order of the results; several orderings apply in turn.",
}


def page_bounds(pagination) -> tuple[int, int]:
    """(offset, limit) of a page, with the defaults filled in."""
    if pagination in (None, strawberry.UNSET):
        return 0, DEFAULT_PAGE_SIZE
    limit = pagination.limit
    if limit in (None, strawberry.UNSET):
        limit = DEFAULT_PAGE_SIZE
    return pagination.offset or 0, limit


def one_page(items: list, pagination) -> list:
    """A page of a list computed in Python (history, name forms, citations)."""
    check_pagination(pagination)
    offset, limit = page_bounds(pagination)
    return items[offset : offset + limit]


PageArgument = Annotated[
    OffsetPaginationInput | None,
    strawberry.argument(
        description=f"Which page: offset (default 0) and limit (default {DEFAULT_PAGE_SIZE}, "
        f"at most {MAX_PAGE_SIZE})."
    ),
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
            if argument.description is None:
                argument.description = ARGUMENT_DESCRIPTIONS.get(argument.python_name)
        return arguments

    @arguments.setter
    def arguments(self, value):
        StrawberryDjangoField.arguments.fset(self, value)

    def get_queryset(self, queryset, info, *, pagination=None, **kwargs):
        check_pagination(pagination)
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
