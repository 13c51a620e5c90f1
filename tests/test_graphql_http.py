"""The GraphQL endpoint over HTTP: methods, bodies, GraphiQL, read-only, masking."""

import json
import logging

import pytest
from django.test import Client

from archive.graphql.schema import schema
from archive.graphql.views import (
    BODY_NOT_AN_OBJECT,
    GRAPHQL_RESPONSE,
    JSON_TOO_DEEP,
    MAX_JSON_DEPTH,
    NO_BATCHES,
)
from tests.graphql_client import ACCEPT, gql, post

pytestmark = pytest.mark.django_db

TITLE_QUERY = '{ document(slug: "sikorski-mayski-agreement") { title } }'
TITLE_DATA = {"document": {"title": "Sikorski–Mayski agreement"}}


def post_raw(client, body: str, content_type: str = "application/json"):
    # As Apollo Client 4 asks (tests/graphql_client.py): a request error is then a 400.
    return client.post("/graphql/", data=body, content_type=content_type, HTTP_ACCEPT=ACCEPT)


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
    assert b"<title>GraphiQL \xc2\xb7 Treaty archive</title>" in response.content


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
    assert response.status_code == 400  # nothing ran: a request error
    assert response.json() == {
        "errors": [
            {
                "message": "The mutation operation is not supported by the schema.",
                "locations": [{"line": 1, "column": 1}],
                "extensions": {"code": "GRAPHQL_VALIDATION_FAILED"},
            }
        ],
    }


def test_a_subscription_is_refused(client):
    response = post(client, "subscription { x }")
    assert response.status_code == 400  # nothing ran: a request error
    assert response.json() == {
        "errors": [
            {
                "message": "The subscription operation is not supported by the schema.",
                "locations": [{"line": 1, "column": 1}],
                "extensions": {"code": "GRAPHQL_VALIDATION_FAILED"},
            }
        ],
    }


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
        ('[{"query": "{ __typename }"}]', "application/json", 400, NO_BATCHES.encode()),
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


def test_a_database_that_cannot_be_reached_is_a_503_to_retry(client, demo, monkeypatch, caplog):
    from django.db import OperationalError

    def unreachable(*args, **kwargs):
        raise OperationalError('connection to server at "db.internal" failed: Connection refused')

    monkeypatch.setattr("archive.search.ranked", unreachable)
    with caplog.at_level(logging.WARNING, logger="archive.graphql"):
        response = post(client, '{ search(text: "maisky") { score } }')
    assert (response.status_code, response["Retry-After"]) == (503, "5")
    assert response["Cache-Control"] == "no-store"
    assert response.json() == {
        "data": None,
        "errors": [
            {
                "message": "The archive's database cannot be reached just now. Nothing is "
                "wrong with the query: try again in a few seconds.",
                "locations": [{"line": 1, "column": 3}],
                "path": ["search"],
                "extensions": {"code": "DATABASE_UNAVAILABLE"},
            }
        ],
    }
    assert b"db.internal" not in response.content
    (record,) = [r for r in caplog.records if r.name == "archive.graphql"]
    assert (record.levelno, record.exc_info) == (logging.WARNING, None)
    assert record.getMessage() == (
        "GraphQL request while the database is unavailable: connection to server at "
        '"db.internal" failed: Connection refused'
    )


def test_an_error_in_the_query_is_explained_and_not_logged_as_unexpected(client, caplog):
    with caplog.at_level(logging.ERROR, logger="archive.graphql"):
        response = post(client, '{ search(text: "maisky", limit: 101) { score } }')
    assert response.status_code == 400  # refused before running (test_graphql_limits)
    assert response.json() == {
        "errors": [
            {
                "message": "Search limit exceeded: limit is 101, it must be between 0 and 100.",
                "locations": [{"line": 1, "column": 3}],
                "extensions": {"code": "ARGUMENT_OUT_OF_BOUNDS"},
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


# --- request errors are 4xx ---------------------------------------------------------------


def test_a_body_over_the_graphql_limit_is_refused_before_it_is_read(client, settings):
    settings.GRAPHQL_MAX_BODY_BYTES = 1000
    body = json.dumps({"query": "{ __typename }", "variables": {"padding": "x" * 1000}})
    response = post_raw(client, body)
    assert response.status_code == 413
    assert response.content.decode() == (
        f"The request body is {len(body):,} bytes; the maximum is 1,000. "
        "A GraphQL query this large is not needed: use variables and fragments."
    )


def test_field_suggestions_are_given_only_when_enabled(client, settings):
    query = {"query": "{ persons { results { nam } } }"}
    settings.GRAPHQL_SUGGESTIONS = True
    (error,) = post_raw(client, json.dumps(query)).json()["errors"]
    assert error["message"] == "Cannot query field 'nam' on type 'Person'. Did you mean 'name'?"
    settings.GRAPHQL_SUGGESTIONS = False
    (error,) = post_raw(client, json.dumps(query)).json()["errors"]
    assert error["message"] == "Cannot query field 'nam' on type 'Person'."


def test_introspection_can_be_switched_off(client, settings):
    query = json.dumps({"query": "{ __schema { queryType { name } } }"})
    assert post_raw(client, query).json() == {
        "data": {"__schema": {"queryType": {"name": "Query"}}}
    }
    settings.GRAPHQL_INTROSPECTION = False
    response = post_raw(client, query)
    assert response.status_code == 400
    assert [e["message"] for e in response.json()["errors"]] == [
        "GraphQL introspection has been disabled, but the requested query contained the "
        f"field '{field}'."
        for field in ("__schema", "queryType")
    ]
    # __typename is not introspection of the schema: clients need it for unions.
    assert post_raw(client, json.dumps({"query": "{ __typename }"})).status_code == 200


# --- a well-formed request that cannot run gets a GraphQL error in JSON --------------------


def assert_graphql_error(response, status: int, message: str, locations=None) -> None:
    assert response.status_code == status
    assert response["Content-Type"] == GRAPHQL_RESPONSE
    assert response["Cache-Control"] == "no-store"
    error = {"message": message, "extensions": {"code": "OPERATION_RESOLUTION_FAILURE"}}
    if locations:
        error["locations"] = locations
    assert response.json() == {"errors": [error]}


@pytest.mark.parametrize("method", ["post", "get"])
def test_an_unknown_operation_name_is_a_400_with_a_graphql_error(client, method):
    """The name has no place in the query: the error has no locations."""
    payload = {"query": "query A { __typename } query B { __typename }", "operationName": "C"}
    if method == "get":
        response = client.get("/graphql/", payload, HTTP_ACCEPT=ACCEPT)
    else:
        response = post_raw(client, json.dumps(payload))
    assert_graphql_error(response, 400, "Unknown operation named 'C'.")


def test_a_document_without_an_operation_is_a_400_with_a_graphql_error(client):
    payload = {"query": "fragment F on Query { __typename }"}
    response = post_raw(client, json.dumps(payload))
    assert_graphql_error(response, 400, "Must provide an operation.")


def test_a_mutation_by_get_is_a_405_with_a_graphql_error(client):
    """GraphQL over HTTP: a mutation sent by GET is refused with 405, POST allowed."""
    response = client.get("/graphql/", {"query": "mutation { x }"}, HTTP_ACCEPT=ACCEPT)
    assert_graphql_error(
        response,
        405,
        "Mutations cannot be sent by GET: send them by POST.",
        [{"line": 1, "column": 1}],
    )
    assert response["Allow"] == "POST"


@pytest.mark.parametrize("name", [42, ["A"], {"A": 1}, True])
def test_an_operation_name_that_is_not_a_string_is_a_400(client, name):
    payload = {"query": "query A { __typename }", "operationName": name}
    response = post_raw(client, json.dumps(payload))
    assert response.status_code == 400
    assert response.content == (
        b"The GraphQL operation's `operationName` must be a string or null, if provided."
    )


# --- JSON nested too deeply -------------------------------------------------------------------


def nested(depth: int, inner: str = "1") -> str:
    return "[" * depth + inner + "]" * depth


TOO_DEEP = JSON_TOO_DEEP.encode()


@pytest.mark.parametrize(
    "body",
    [
        nested(3000),
        '{"query": "{ __typename }", "variables": {"a": ' + nested(3000) + "}}",
        '{"query": "{ __typename }", "extensions": {"a": ' + nested(3000) + "}}",
        # Within what json.loads can read, but deeper than any request needs.
        '{"query": "{ __typename }", "variables": {"a": ' + nested(MAX_JSON_DEPTH) + "}}",
    ],
    ids=["body", "variables", "extensions", "variables-over-the-limit"],
)
def test_json_nested_too_deeply_is_a_400(client, body, caplog):
    client.raise_request_exception = False
    response = post_raw(client, body)
    assert (response.status_code, response.content) == (400, TOO_DEEP)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


@pytest.mark.parametrize("parameter", ["variables", "extensions"])
def test_json_nested_too_deeply_in_a_get_is_a_400(client, parameter, caplog):
    client.raise_request_exception = False
    response = client.get(
        "/graphql/", {"query": "{ __typename }", parameter: '{"a": ' + nested(3000) + "}"}
    )
    assert (response.status_code, response.content) == (400, TOO_DEEP)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_json_nested_up_to_the_limit_is_read(client):
    body = '{"query": "{ __typename }", "extensions": {"a": ' + nested(MAX_JSON_DEPTH - 2) + "}}"
    response = post_raw(client, body)
    assert response.status_code == 200
    assert response.json() == {"data": {"__typename": "Query"}}


@pytest.mark.parametrize(
    "query",
    [
        "{ " + "a { " * 3000 + "b" + " }" * 3001,
        "{ person(slug: " + nested(3000, '"x"') + ") { name } }",
        "{ documents(filters: " + "{ AND: " * 3000 + "{}" + " }" * 3000 + ") { totalCount } }",
    ],
    ids=["selections", "list", "input-object"],
)
def test_a_query_nested_too_deeply_is_a_400_with_graphql_cores_syntax_error(client, query):
    """graphql-core's parser stops at a nesting depth of its own, before Python's stack."""
    response = post_raw(client, json.dumps({"query": query}))
    assert response.status_code == 400
    (error,) = response.json()["errors"]
    assert error["message"] == "Syntax Error: Document is nested too deeply. Parsing aborted."
