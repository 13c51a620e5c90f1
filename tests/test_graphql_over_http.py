"""GraphQL over HTTP (the current draft of the spec): the two media types and their
status codes, request errors without ``data``, errors met while running (a time
limit, an unexpected error masked) with it, ``extensions.code`` and ``locations`` on
every error, 405 with ``Allow``, 415, empty parameters; and the graphql-http
package's audits against a live gunicorn (tools under clients/)."""

import json
import logging
import os
import re
import shutil
import subprocess

import pytest
from django.test import Client

from archive.graphql import errors as codes
from archive.graphql.views import GRAPHQL_RESPONSE, UNSUPPORTED_MEDIA_TYPE
from tests import live_servers
from tools.processes import ROOT

pytestmark = pytest.mark.django_db

# What Apollo Client 4 sends.
APOLLO_ACCEPT = "application/graphql-response+json,application/json;q=0.9"
JSON = "application/json"


def post(client: Client, body: dict, accept: str | None = None):
    headers = {} if accept is None else {"HTTP_ACCEPT": accept}
    return client.post("/graphql/", json.dumps(body), content_type=JSON, **headers)


# --- media types -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [
        (None, JSON),  # legacy clients: no Accept at all
        ("*/*", JSON),
        (JSON, JSON),
        ("text/html", JSON),  # neither named: JSON, as before
        (APOLLO_ACCEPT, GRAPHQL_RESPONSE),
        (GRAPHQL_RESPONSE, GRAPHQL_RESPONSE),
        (f"{GRAPHQL_RESPONSE}, {JSON}", GRAPHQL_RESPONSE),  # equal: the client's order
        (f"{JSON}, {GRAPHQL_RESPONSE}", JSON),
        (f"{GRAPHQL_RESPONSE};q=0.5, {JSON}", JSON),
        (f"{GRAPHQL_RESPONSE}, */*;q=0.1", GRAPHQL_RESPONSE),
    ],
)
def test_the_media_type_is_the_one_the_client_prefers(client, accept, media_type):
    response = post(client, {"query": "{ __typename }"}, accept)
    assert response.status_code == 200
    assert response["Content-Type"] == media_type
    assert response["Vary"] == "Accept"  # not origin: "*" for all (project/cors.py)
    assert response.json() == {"data": {"__typename": "Query"}}


def test_a_cached_answer_comes_in_the_media_type_asked_for(client):
    query = {"query": "{ __typename }"}
    first = post(client, query, JSON)
    second = post(client, query, APOLLO_ACCEPT)  # the cache's answer (tests/test_graphql_cache.py)
    assert (first["Content-Type"], second["Content-Type"]) == (JSON, GRAPHQL_RESPONSE)
    assert first.content == second.content == b'{"data":{"__typename":"Query"}}'
    assert first["ETag"] == second["ETag"]


# --- status codes and bodies of request errors, in both media types ---------------------------

REQUEST_ERRORS = [
    (
        "{",
        None,
        {
            "message": "Syntax Error: Expected Name, found <EOF>.",
            "locations": [{"line": 1, "column": 2}],
            "extensions": {"code": codes.PARSE_FAILED},
        },
    ),
    (
        "{ nope }",
        None,
        {
            "message": "Cannot query field 'nope' on type 'Query'.",
            "locations": [{"line": 1, "column": 3}],
            "extensions": {"code": codes.VALIDATION_FAILED},
        },
    ),
    (
        "query($limit: Int!) { documents(pagination: {limit: $limit}) { totalCount } }",
        {"limit": "ten"},
        {
            "message": (
                "Variable '$limit' has invalid value: Int cannot represent non-integer value: 'ten'"
            ),
            "locations": [{"line": 1, "column": 7}],
            "extensions": {"code": codes.BAD_USER_INPUT},
        },
    ),
    (
        "{ documents(pagination: {limit: 101}) { totalCount } }",
        None,
        {
            "message": (
                "Page size limit exceeded: pagination.limit is 101, the maximum is 100. "
                "Ask for further pages with pagination.offset."
            ),
            "locations": [{"line": 1, "column": 3}],
            "extensions": {"code": codes.ARGUMENT_OUT_OF_BOUNDS},
        },
    ),
    (
        "query A { __typename } query B { __typename }",
        None,
        {
            "message": "Must provide operation name if query contains multiple operations.",
            "locations": [{"line": 1, "column": 1}, {"line": 1, "column": 24}],
            "extensions": {"code": codes.OPERATION_RESOLUTION_FAILURE},
        },
    ),
    (
        '{ person(slug: "a\\u0000") { name } }',
        None,
        {
            "message": (
                "Text cannot contain the NUL character (U+0000): no record holds it, and "
                "the database cannot compare it."
            ),
            "locations": [{"line": 1, "column": 16}],
            "extensions": {"code": codes.BAD_USER_INPUT},
        },
    ),
]


# Variables that do not fit their types: located at the operation's variable definitions.
SLUG_QUERY = "query ($slug: String!) { person(slug: $slug) { slug } }"
REQUEST_ERRORS += [
    (
        query,
        variables,
        {
            "message": message,
            "locations": [{"line": 1, "column": 8}],
            "extensions": {"code": codes.BAD_USER_INPUT},
        },
    )
    for query, variables, message in [
        (
            SLUG_QUERY,
            {},
            "Variable '$slug' has invalid value: Expected a value of non-null type 'String!' "
            "to be provided.",
        ),
        (
            SLUG_QUERY,
            {"slug": 42},
            "Variable '$slug' has invalid value: String cannot represent a non string value: 42",
        ),
        (
            'query ($n: Int!) { search(text: "x", limit: $n) { score } }',
            {"n": 2**40},
            "Variable '$n' has invalid value: Int cannot represent non 32-bit signed integer "
            "value: 1099511627776",
        ),
    ]
]


@pytest.mark.parametrize(("query", "variables", "error"), REQUEST_ERRORS)
def test_a_request_error_is_a_400_as_graphql_response_json(client, query, variables, error):
    response = post(client, {"query": query, "variables": variables}, APOLLO_ACCEPT)
    assert response.status_code == 400
    assert response["Content-Type"] == GRAPHQL_RESPONSE
    assert response["Cache-Control"] == "no-store"
    assert response.json() == {"errors": [error]}  # no data at all: nothing ran


@pytest.mark.parametrize(("query", "variables", "error"), REQUEST_ERRORS)
def test_a_request_error_is_a_200_as_json(client, query, variables, error):
    """application/json: a well-formed request is answered 200, whatever its errors."""
    response = post(client, {"query": query, "variables": variables}, JSON)
    assert response.status_code == 200
    assert response["Content-Type"] == JSON
    assert response.json() == {"errors": [error]}


def test_a_query_over_the_cost_budget_is_located_at_its_operation(client, settings):
    settings.GRAPHQL_MAX_COST = 10
    response = post(client, {"query": "query Big {\n  documents { totalCount }\n}"}, APOLLO_ACCEPT)
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["locations"] == [{"line": 1, "column": 1}]
    assert error["extensions"] == {"code": codes.QUERY_TOO_COSTLY}
    assert error["message"].startswith("Query too costly: it costs 602 ")


def test_the_limits_have_codes_of_their_own(client, settings):
    settings.GRAPHQL_MAX_ALIASES = 1
    settings.GRAPHQL_MAX_DEPTH = 1
    aliases = post(client, {"query": "{ a: __typename b: __typename }"}, APOLLO_ACCEPT)
    assert aliases.status_code == 400
    assert aliases.json() == {
        "errors": [
            {
                "message": "2 aliases found. Allowed: 1",
                "locations": [{"line": 1, "column": 1}],
                "extensions": {"code": codes.TOO_MANY_ALIASES},
            }
        ]
    }
    deep = post(client, {"query": "{ documents { results { title } } }"}, APOLLO_ACCEPT)
    assert deep.status_code == 400
    assert deep.json() == {
        "errors": [
            {
                "message": "'anonymous' exceeds maximum operation depth of 1",
                "locations": [{"line": 1, "column": 25}],
                "extensions": {"code": codes.QUERY_TOO_DEEP},
            }
        ]
    }


def test_too_many_tokens_is_query_too_large(client, settings):
    settings.GRAPHQL_MAX_TOKENS = 5
    response = post(client, {"query": "{ a: __typename b: __typename }"}, APOLLO_ACCEPT)
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["extensions"] == {"code": codes.QUERY_TOO_LARGE}
    assert (
        error["message"] == "Syntax Error: Document contains more than 5 tokens. Parsing aborted."
    )
    assert error["locations"] == [{"line": 1, "column": 18}]


# --- errors met while running: a 200 with data, in both media types -------------------------

BOTH_MEDIA_TYPES = pytest.mark.parametrize(
    ("accept", "media_type"), [(JSON, JSON), (APOLLO_ACCEPT, GRAPHQL_RESPONSE)]
)


@BOTH_MEDIA_TYPES
def test_an_execution_over_the_time_limit_is_stopped_with_a_clear_error(
    client, demo, settings, accept, media_type
):
    """It ran, and was stopped: a 200 with data, in either media type, with the code of
    the limit met."""
    settings.GRAPHQL_TIME_LIMIT = 0
    response = post(client, {"query": "{ documents { totalCount } }"}, accept)
    assert (response.status_code, response["Content-Type"]) == (200, media_type)
    assert response.json() == {
        "data": None,
        "errors": [
            {
                "message": "Time limit exceeded: the query ran for more than 0 s and was "
                "stopped. Ask for smaller pages or fewer nested lists.",
                "locations": [{"line": 1, "column": 3}],
                "path": ["documents"],
                "extensions": {"code": codes.TIME_LIMIT_EXCEEDED},
            }
        ],
    }
    assert response["Cache-Control"] == "no-store"


@BOTH_MEDIA_TYPES
def test_an_unexpected_error_is_masked_and_logged(client, monkeypatch, caplog, accept, media_type):
    """An exception in a resolver (a bug) is a 200 with data, in either media type: an
    error met while running, masked (the exact body: no message of the exception, no
    stack trace); the log has it all."""

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("archive.search.ranked", broken)
    with caplog.at_level(logging.ERROR, logger="archive.graphql"):
        response = post(client, {"query": '{ search(text: "maisky") { score } }'}, accept)
    assert (response.status_code, response["Content-Type"]) == (200, media_type)
    assert response.json() == {
        "data": None,
        "errors": [
            {
                "message": "Unexpected error.",
                "locations": [{"line": 1, "column": 3}],
                "path": ["search"],
                "extensions": {"code": codes.INTERNAL_SERVER_ERROR},
            }
        ],
    }
    (record,) = [r for r in caplog.records if r.name == "archive.graphql"]
    assert record.levelno == logging.ERROR
    assert record.getMessage() == "Unexpected error in a GraphQL request"
    assert isinstance(record.exc_info[1], RuntimeError)
    assert str(record.exc_info[1]) == "boom"


# --- methods, content types, parameters --------------------------------------------------------


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_another_method_is_a_405_with_allow(client, method):
    response = getattr(client, method)("/graphql/")
    assert response.status_code == 405
    assert response["Allow"] == "GET, POST"
    assert response.content == b"GraphQL only supports GET and POST requests."


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/graphql", "", "application/x-www-form-urlencoded"]
)
def test_a_content_type_the_server_does_not_take_is_a_415(client, content_type):
    response = client.generic(
        "POST", "/graphql/", b'{"query": "{ __typename }"}', content_type=content_type
    )
    assert response.status_code == 415
    assert response.content == UNSUPPORTED_MEDIA_TYPE.encode()


def test_empty_parameters_are_not_given(client):
    response = client.get(
        "/graphql/",
        {"query": "{ __typename }", "operationName": "", "variables": "", "extensions": ""},
    )
    assert response.status_code == 200
    assert response.json() == {"data": {"__typename": "Query"}}
    posted = post(client, {"query": "query A { __typename }", "operationName": ""})
    assert posted.status_code == 200
    assert posted.json() == {"data": {"__typename": "Query"}}


# --- the graphql-http audits against a live server ----------------------------------------------

CLIENTS = ROOT / "clients"


@pytest.mark.live_server
@pytest.mark.django_db(False)
def test_the_graphql_http_audits_pass_with_no_warning(tmp_path):
    """`node clients/graphql-http-audit.mjs URL`: every audit of graphql-http's
    serverAudits, 0 errors and 0 warnings (`npm ci` in clients/ installs it; .ci/run
    does)."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: the graphql-http audit needs Node.js 18 or later")
    assert (CLIENTS / "node_modules" / "graphql-http").is_dir(), "run `npm ci` in clients/ first"
    configured = os.environ.get("DATABASE_URL")
    with live_servers.demo_server(tmp_path, "audit", configured, demo=False) as server:
        audit = subprocess.run(
            [node, str(CLIENTS / "graphql-http-audit.mjs"), server.url("/graphql/")],
            cwd=CLIENTS,
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert audit.returncode == 0, audit.stdout + audit.stderr + server.logs()
    summary = audit.stdout.splitlines()[-1]
    counts = re.fullmatch(r"(\d+) audits: (\d+) ok, 0 notices, 0 warnings, 0 errors", summary)
    assert counts and counts[1] == counts[2] and int(counts[1]) >= 61, audit.stdout
