"""Relay connections beside the offset pages: cursors, pageInfo, totalCount, limits, SQL."""

import base64

import pytest
from graphql import parse

from archive.graphql import limits
from archive.graphql.schema import schema
from archive.models import Document
from tests.graphql_client import gql, post
from tests.test_graphql_queries import DOCUMENTS_PAGE, grow

pytestmark = pytest.mark.django_db


def cursor(offset: int) -> str:
    return base64.b64encode(f"arrayconnection:{offset}".encode()).decode()


PAGE = """
query ($first: Int, $after: String, $last: Int, $before: String) {
  documentsConnection(ordering: [{slug: ASC}], first: $first, after: $after,
                      last: $last, before: $before) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { slug } }
  }
}
"""


def page(client, **arguments):
    return gql(client, PAGE, arguments)["documentsConnection"]


def slugs(connection) -> list[str]:
    return [edge["node"]["slug"] for edge in connection["edges"]]


def test_a_connection_pages_the_list_as_the_offset_pages_do(client, demo, settings):
    grow(3)
    settings.GRAPHQL_PAGE_SIZE = 4
    every = [
        d["slug"]
        for d in gql(
            client,
            "{ documents(ordering: [{slug: ASC}], pagination: {limit: 100}) { results { slug } } }",
        )["documents"]["results"]
    ]
    assert len(every) == Document.objects.filter(published=True).count() == 6
    first = page(client, first=2)
    assert first == {
        "totalCount": len(every),
        "pageInfo": {
            "hasNextPage": True,
            "hasPreviousPage": False,
            "startCursor": cursor(0),
            "endCursor": cursor(1),
        },
        "edges": [
            {"cursor": cursor(0), "node": {"slug": every[0]}},
            {"cursor": cursor(1), "node": {"slug": every[1]}},
        ],
    }
    second = page(client, first=2, after=first["pageInfo"]["endCursor"])
    assert slugs(second) == every[2:4]
    assert second["pageInfo"]["hasPreviousPage"] is True
    back = page(client, last=1, before=second["pageInfo"]["startCursor"])
    assert slugs(back) == every[1:2]
    last = page(client, last=2)
    assert slugs(last) == every[-2:]
    assert last["pageInfo"]["hasNextPage"] is False
    # Without first or last: a page of GRAPHQL_PAGE_SIZE, as the offset pages.
    assert slugs(page(client)) == every[:4]


def test_drafts_are_not_in_a_connection(client, demo):
    Document.objects.create(slug="aaa-draft", title="Draft", kind="pact", published=False)
    connection = page(client, first=100)
    assert "aaa-draft" not in slugs(connection)
    assert connection["totalCount"] == Document.objects.filter(published=True).count()


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (
            {"first": 101},
            "Page size limit exceeded: first is 101, the maximum is 100. "
            "Ask for further pages with after (or before) a cursor.",
        ),
        (
            {"last": 101},
            "Page size limit exceeded: last is 101, the maximum is 100. "
            "Ask for further pages with after (or before) a cursor.",
        ),
        ({"first": -1}, "first must be 0 or more, not -1."),
        ({"after": "nope"}, "after is not a cursor of this list: 'nope'."),
        (
            {"before": base64.b64encode(b"Document:1").decode()},
            "before is not a cursor of this list: 'RG9jdW1lbnQ6MQ=='.",
        ),
    ],
)
def test_a_page_out_of_bounds_is_refused_before_it_runs(
    client, django_assert_num_queries, arguments, message
):
    with django_assert_num_queries(0):
        response = post(client, PAGE, arguments)
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["message"] == message
    assert error["extensions"] == {"code": "ARGUMENT_OUT_OF_BOUNDS"}


DOCUMENTS_CONNECTION = DOCUMENTS_PAGE.replace(
    "documents(ordering: [{date: ASC}, {slug: ASC}], pagination: {limit: 50}) {\n"
    "    totalCount\n    results {",
    "documentsConnection(ordering: [{date: ASC}, {slug: ASC}], first: 50) {\n"
    "    totalCount pageInfo { hasNextPage endCursor }\n    edges { cursor node {",
).replace("\n    }\n  }\n}", "\n    } }\n  }\n}")


@pytest.mark.no_cache
@pytest.mark.parametrize("extra", [2, 20])
def test_a_connection_takes_a_fixed_number_of_sql_queries(
    client, demo, django_assert_num_queries, settings, extra
):
    settings.GRAPHQL_MAX_COST = 10**7  # every list at once: over the budget of production
    grow(extra)
    with django_assert_num_queries(20):
        data = gql(client, DOCUMENTS_CONNECTION)
    connection = data["documentsConnection"]
    assert connection["totalCount"] == len(connection["edges"]) == 3 + extra
    assert connection["pageInfo"]["hasNextPage"] is False


def cost(query: str) -> int:
    return limits.query_cost(schema._schema, parse(query))


def test_a_connection_costs_what_the_offset_page_costs():
    """The same page by cursor costs a field more an item: each edge's ``node``
    (and ``cursor`` when asked); a cursor after an item skips the rows before it."""
    assert cost(
        "{ documentsConnection(first: 50) { totalCount edges { node { slug } } } }"
    ) == cost("{ documents(pagination: {limit: 50}) { totalCount results { slug } } }") + 50 * (
        limits.FIELD
    )
    assert cost(
        f'{{ documentsConnection(first: 50, after: "{cursor(99)}") '
        "{ edges { cursor node { slug } } } }"
    ) == cost("{ documents(pagination: {limit: 50, offset: 100}) { results { slug } } }") + 100 * (
        limits.FIELD
    )
    assert (
        cost("{ documentsConnection(last: 5) { edges { node { slug } } } }")
        == cost("{ documentsConnection(first: 5) { edges { node { slug } } } }") + limits.COUNT
    )
    # The last items before a cursor are read at an offset: the rows before them are
    # skipped, as after a cursor (it cost nothing more: found by an outside review).
    assert (
        cost(
            f'{{ documentsConnection(last: 100, before: "{cursor(99_999)}") '
            "{ edges { node { slug } } } }"
        )
        == cost("{ documents(pagination: {limit: 100, offset: 99899}) { results { slug } } }")
        + 100 * limits.FIELD
    )


@pytest.mark.parametrize(
    "arguments",
    [
        {"last": 100, "before": cursor(99_999)},
        {"last": 5, "before": cursor(2**64)},  # was a 500: an OFFSET over SQL's integers
        {"first": 5, "after": cursor(2**64)},
    ],
)
def test_a_page_far_into_the_list_is_refused_as_too_costly(client, arguments):
    response = post(client, PAGE, arguments)
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["message"].startswith("Query too costly: it costs ")
    assert error["extensions"] == {"code": "QUERY_TOO_COSTLY"}
