"""The GraphQL endpoint over HTTP: methods, bodies, GraphiQL, read-only, masking."""

import json
import logging

import pytest
from django.test import Client

from archive.graphql.schema import schema
from archive.graphql.views import BODY_NOT_AN_OBJECT
from tests.graphql_client import gql, post

pytestmark = pytest.mark.django_db

TITLE_QUERY = '{ document(slug: "sikorski-mayski-agreement") { title } }'
TITLE_DATA = {"document": {"title": "Sikorski–Mayski agreement"}}


def post_raw(client, body: str, content_type: str = "application/json"):
    return client.post("/graphql/", data=body, content_type=content_type)


def test_post_needs_no_cookie_and_no_csrf_token(demo):
    """A JSON POST from a client without a session or token is answered."""
    client = Client(enforce_csrf_checks=True)
    response = post(client, TITLE_QUERY)
    assert response.status_code == 200
    assert response.json() == {"data": TITLE_DATA}
    assert client.cookies == {}


def test_post_with_a_session_but_no_csrf_token(demo, archivist):
    """A logged-in browser's POST without a token is answered too: nothing here writes."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(archivist)
    response = post(client, TITLE_QUERY)
    assert response.status_code == 200
    assert response.json() == {"data": TITLE_DATA}


def test_get_with_a_query(client, demo):
    response = client.get("/graphql/", {"query": TITLE_QUERY})
    assert response.status_code == 200
    assert response.json() == {"data": TITLE_DATA}


def test_get_with_variables(client, demo):
    response = client.get(
        "/graphql/",
        {
            "query": "query($slug: String!) { document(slug: $slug) { title } }",
            "variables": json.dumps({"slug": "sikorski-mayski-agreement"}),
        },
    )
    assert response.status_code == 200
    assert response.json() == {"data": TITLE_DATA}


def test_graphiql_is_served_to_a_browser_when_enabled(client, settings):
    settings.GRAPHIQL = True
    response = client.get("/graphql/", HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert b"<title>Strawberry GraphiQL</title>" in response.content


def test_graphiql_is_not_served_when_disabled(client, settings):
    settings.GRAPHIQL = False
    response = client.get("/graphql/", HTTP_ACCEPT="text/html")
    assert response.status_code == 404
    assert response.content == b"Not Found"


def test_a_browser_get_with_a_query_gets_json_even_with_graphiql(client, demo, settings):
    settings.GRAPHIQL = True
    response = client.get("/graphql/", {"query": TITLE_QUERY}, HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"data": TITLE_DATA}


def test_schema_has_no_mutation_and_no_subscription_type(client):
    assert schema.mutation is None
    assert schema.subscription is None
    assert gql(client, "{ __schema { mutationType { name } subscriptionType { name } } }") == {
        "__schema": {"mutationType": None, "subscriptionType": None}
    }


def test_a_mutation_is_refused(client):
    response = post(client, "mutation { x }")
    assert response.status_code == 200
    assert response.json() == {
        "data": None,
        "errors": [
            {
                "message": "The mutation operation is not supported by the schema.",
                "locations": [{"line": 1, "column": 1}],
            }
        ],
    }


def test_a_subscription_is_refused(client):
    response = post(client, "subscription { x }")
    assert response.status_code == 200
    assert response.json() == {
        "data": None,
        "errors": [
            {
                "message": "The subscription operation is not supported by the schema.",
                "locations": [{"line": 1, "column": 1}],
            }
        ],
    }


def test_a_mutation_by_get_is_refused(client):
    response = client.get("/graphql/", {"query": "mutation { x }"})
    assert response.status_code == 400
    assert response.content == b"mutations are not allowed when using GET"


@pytest.mark.parametrize(
    ("body", "content_type", "status", "message"),
    [
        ('{"query": ', "application/json", 400, b"Unable to parse request body as JSON"),
        ('"{ __typename }"', "application/json", 400, BODY_NOT_AN_OBJECT.encode()),
        ("42", "application/json", 400, BODY_NOT_AN_OBJECT.encode()),
        ("null", "application/json", 400, BODY_NOT_AN_OBJECT.encode()),
        ("{}", "application/json", 400, b"No GraphQL query found in the request"),
        (
            '{"query": 1}',
            "application/json",
            400,
            b"The GraphQL operation's `query` must be a string or null, if provided.",
        ),  # noqa: E501
        ('[{"query": "{ __typename }"}]', "application/json", 400, b"Batching is not enabled"),
        ("{ __typename }", "text/plain", 400, b"Unsupported content type"),
        ("{ __typename }", "application/graphql", 400, b"Unsupported content type"),
        (
            "query=%7B__typename%7D",
            "application/x-www-form-urlencoded",
            400,
            b"Unsupported content type",
        ),  # noqa: E501
    ],
)
def test_a_bad_body_is_a_client_error(client, body, content_type, status, message):
    response = post_raw(client, body, content_type)
    assert response.status_code == status
    assert response.content == message


def test_a_body_over_djangos_upload_limit_is_a_client_error(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = json.dumps({"query": "{ __typename }", "variables": {"padding": "x" * 1000}})
    assert post_raw(client, body).status_code == 400


def test_other_methods_are_not_allowed(client):
    response = client.put("/graphql/", data='{"query": "{ __typename }"}')
    assert response.status_code == 405
    assert response.content == b"GraphQL only supports GET and POST requests."


def test_an_unexpected_error_is_masked_and_logged(client, demo, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("archive.search.ranked", broken)
    with caplog.at_level(logging.ERROR, logger="archive.graphql"):
        response = post(client, '{ search(text: "maisky") { score } }')
    assert response.status_code == 200
    assert response.json() == {
        "data": None,
        "errors": [
            {
                "message": "Unexpected error.",
                "locations": [{"line": 1, "column": 3}],
                "path": ["search"],
            }
        ],
    }
    assert b"boom" not in response.content
    assert b"Traceback" not in response.content
    (record,) = [r for r in caplog.records if r.name == "archive.graphql"]
    assert record.levelno == logging.ERROR
    assert record.getMessage() == "Unexpected error in a GraphQL request"
    assert isinstance(record.exc_info[1], RuntimeError)
    assert str(record.exc_info[1]) == "boom"


def test_an_error_in_the_query_is_explained_and_not_logged_as_unexpected(client, caplog):
    with caplog.at_level(logging.ERROR, logger="archive.graphql"):
        response = post(client, '{ search(text: "maisky", limit: 101) { score } }')
    assert response.status_code == 200
    assert response.json() == {
        "data": None,
        "errors": [
            {
                "message": "Search limit exceeded: limit is 101, it must be between 0 and 100.",
                "locations": [{"line": 1, "column": 3}],
                "path": ["search"],
            }
        ],
    }
    assert [r for r in caplog.records if r.name == "archive.graphql"] == []


def test_several_operations_need_an_operation_name(client, demo):
    """The GraphQL spec: with several operations and no operationName, refuse."""
    query = "query A { places { totalCount } } query B { states { totalCount } }"
    response = client.post("/graphql/", {"query": query}, content_type="application/json")
    assert response.json()["errors"][0]["message"] == (
        "Must provide operation name if query contains multiple operations."
    )
    assert response.status_code < 500
    response = client.post(
        "/graphql/", {"query": query, "operationName": "B"}, content_type="application/json"
    )
    assert response.json() == {"data": {"states": {"totalCount": 4}}}
