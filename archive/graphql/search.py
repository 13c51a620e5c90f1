"""``search``: ranked hits over every record type (ranking in :mod:`archive.search`)."""

from __future__ import annotations

from typing import Annotated

import strawberry
from graphql import GraphQLError
from strawberry.types import Info

from archive import models, search, visibility
from archive.graphql.fields import MAX_PAGE_SIZE
from archive.graphql.types import DocumentType, EventType, PersonType, PlaceType, StateType

SearchRecord = Annotated[
    DocumentType | PersonType | StateType | EventType | PlaceType,
    strawberry.union("SearchRecord", description="Any record a search can find."),
]

SEARCHED = (models.Document, models.Person, models.State, models.Event, models.Place)


@strawberry.type(name="SearchHit", description="A record found by a search, with its score.")
class SearchHit:
    score: float = strawberry.field(
        description="How well it matches: 4 when the text is one of its names, 3 when a "
        "name begins with it, 2 when every word is in its names, 1 when the words are "
        "elsewhere (a summary)."
    )
    record: SearchRecord = strawberry.field(description="The record found.")


Text = Annotated[
    str,
    strawberry.argument(
        description="Words to find; case, accents and punctuation are ignored "
        "(“sikorski maisky”, “u.s.s.r.”)."
    ),
]
Limit = Annotated[
    int, strawberry.argument(description=f"How many hits at most (1 to {MAX_PAGE_SIZE}).")
]


def resolve_search(info: Info, text: Text, limit: Limit = 20) -> list[SearchHit]:
    if not 0 <= limit <= MAX_PAGE_SIZE:
        raise GraphQLError(
            f"Search limit exceeded: limit is {limit}, it must be between 0 and {MAX_PAGE_SIZE}."
        )
    querysets = [visibility.public_records(model.objects.all()) for model in SEARCHED]
    return [
        SearchHit(score=score, record=record)
        for score, record in search.ranked(querysets, text, limit)
    ]


def search_field():
    return strawberry.field(
        resolver=resolve_search,
        description="Records of every type matching the text, best first.",
    )
