"""``search``: ranked hits over every record type (ranking in :mod:`archive.search`)."""

from __future__ import annotations

from collections import defaultdict
from typing import Annotated

import strawberry
from django.conf import settings
from strawberry.types import Info
from strawberry_django.optimizer import optimize

from archive import models, search, visibility
from archive.graphql.fields import requested_page
from archive.graphql.selections import children, selected_fields
from archive.graphql.types import DocumentType, EventType, PersonType, PlaceType, StateType
from archive.library_versions import require

require(
    "strawberry-graphql",
    "0.341.2",
    "archive/graphql/search.py reads strawberry's private Info._raw_info",
)

SearchRecord = Annotated[
    DocumentType | PersonType | StateType | EventType | PlaceType,
    strawberry.union("SearchRecord", description="Any record a search can find."),
]


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
        "(“sikorski maisky”, “u.s.s.r.”). At most {max_text_words} words and "
        "{max_text_characters} characters."
    ),
]
Limit = Annotated[
    int, strawberry.argument(description="How many hits at most (0 to {max_page_size}).")
]


def resolve_search(
    info: Info, text: Text, limit: Limit = settings.GRAPHQL_PAGE_SIZE
) -> list[SearchHit]:
    _, limit = requested_page({"limit": limit})  # refused before execution already
    querysets = [visibility.public_records(model.objects.all()) for model in models.SEARCHED]
    hits = search.ranked(querysets, text, limit)
    records = _with_relations([record for _, record in hits], info)
    return [SearchHit(score=score, record=records[type(r), r.pk]) for score, r in hits]


def _with_relations(records, info: Info) -> dict:
    """The hits' records again, with what the query asks of them prefetched.

    Ranking fetched bare records; the optimizer cannot see through SearchHit to
    the union below it, so it is shown the ``record`` field directly: one
    optimized query (and its prefetches) per record type found, never per hit.
    """
    raw = info._raw_info
    record_nodes = [
        field
        for node in raw.field_nodes
        for field in selected_fields(children(node), raw.fragments)
        if field.name.value == "record"
    ]
    if not record_nodes:
        return {(type(r), r.pk): r for r in records}
    hit_type = raw.schema.get_type("SearchHit")
    record_info = raw._replace(
        field_name="record",
        field_nodes=record_nodes,
        return_type=hit_type.fields["record"].type,
        parent_type=hit_type,
    )
    result = {}
    by_model = defaultdict(list)
    for record in records:
        by_model[type(record)].append(record.pk)
    for model, pks in by_model.items():
        queryset = optimize(model.objects.filter(pk__in=pks), record_info)
        result |= {(model, record.pk): record for record in queryset}
    return result


def search_field():
    return strawberry.field(
        resolver=resolve_search,
        description="Records of every type matching the text, best first.",
    )
