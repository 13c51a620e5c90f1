"""Relay connections over the top-level lists: ``documentsConnection`` beside ``documents``.

strawberry-django's :class:`~strawberry_django.relay.DjangoListConnection`
does the work: a slice of the same queryset the offset page reads (the
type's visibility, the filters and the ordering applied, the optimizer
prefetching below it), with ``totalCount`` counted in the same query by a
window function. Its cursors are offsets (``arrayconnection:N``, base64), as
in graphql-relay: stable while the list does not change.

Two things differ from its defaults, so that a connection pages as the offset
pages do: without ``first`` or ``last`` it holds ``settings.GRAPHQL_PAGE_SIZE``
items, not strawberry's ``relay_max_results``; and ``first``/``last`` over
``settings.GRAPHQL_MAX_PAGE_SIZE`` are refused before the query runs
(:func:`archive.graphql.fields.requested_page`), with the other limits.
"""

from __future__ import annotations

from typing import Any

import strawberry
from django.conf import settings
from strawberry import relay
from strawberry_django.relay import DjangoListConnection


@strawberry.type(
    name="Connection",
    description="A page of a list, Relay's way: edges with cursors, and where it stands.",
)
class PageConnection(DjangoListConnection[relay.NodeType]):
    @classmethod
    def resolve_connection(cls, nodes, *, info, first=None, last=None, **kwargs: Any):
        if first is None and last is None:
            first = settings.GRAPHQL_PAGE_SIZE
        # Over the maximum was refused before execution (archive.graphql.limits).
        kwargs["max_results"] = settings.GRAPHQL_MAX_PAGE_SIZE
        return super().resolve_connection(nodes, info=info, first=first, last=last, **kwargs)
