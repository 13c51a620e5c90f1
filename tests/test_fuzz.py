"""Fuzzing the GraphQL API with schemathesis: over 1,000 generated operations, none a 5xx.

Two gunicorn instances (DEBUG off, two workers each; the response cache on
in one, off in the other) serve a fresh database of the test's own with the
demo data: a SQLite file, or a new database on the PostgreSQL server that
``DATABASE_URL`` names. Schemathesis generates operations for every field of
``Query`` with a fixed seed (the same queries on every run); each goes to
both instances, and every answer must pass schemathesis's default checks
(an error met while running is a failure) and be a well-formed GraphQL
response (or a plain-text 4xx) that leaks nothing, the same from both. The servers' logs
must show no error. See :mod:`tools.fuzzing`; ``bin/fuzz`` runs longer.
"""

import datetime
import os
from pathlib import Path

import pytest
import requests

from archive.graphql.schema import schema
from tools import fuzzing

pytestmark = pytest.mark.fuzz
SEED = 20261127
EXAMPLES = 1100  # shared by the fields of Query: three positive to one negative
MINIMUM = 1000
QUERY_FIELDS = {f"Query.{name}" for name in schema._schema.query_type.fields}


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    """(cache on, cache off), on one fresh demo archive; stopped at the end."""
    directory = tmp_path_factory.mktemp("fuzz")
    with fuzzing.demo_servers(directory, os.environ.get("DATABASE_URL")) as both:
        yield both


def test_generated_operations_get_well_formed_answers_and_no_5xx(servers):
    cached, uncached = servers
    report = fuzzing.fuzz(
        cached.url(fuzzing.ENDPOINT),
        examples=EXAMPLES,
        seed=SEED,
        compare_url=uncached.url(fuzzing.ENDPOINT),
    )
    print(report.summary())
    assert not report.failures, report.summary()
    assert report.operations >= MINIMUM, report.summary()
    assert all(status < 500 for status in report.statuses), report.summary()
    # Every field was fuzzed, and the operations both ran and were refused.
    assert set(report.by_field) == QUERY_FIELDS, report.summary()
    assert min(report.by_field.values()) >= MINIMUM // len(QUERY_FIELDS), report.summary()
    assert report.outcomes["positive 200 with data"] >= EXAMPLES // 3, report.summary()
    assert report.statuses[400] > 0, report.summary()
    log_lines = [line for s in servers for line in fuzzing.log_problems(s.logs())]
    assert not log_lines, fuzzing.describe_log_problems(log_lines)


@pytest.mark.parametrize(
    ("status", "content_type", "body", "problem"),
    [
        (500, "text/html", b"<h1>Server Error (500)</h1>", "server error: HTTP 500"),
        (200, "application/json", b"[]", "the response is a list, not an object"),
        (200, "application/json", b"{}", "neither data nor errors"),
        (200, "application/json", b'{"data": 1}', "data is a int, neither an object nor null"),
        (200, "application/json", b'{"data": {}, "debug": 1}', "keys other than"),
        (200, "application/json", b'{"data": null}', "HTTP 200 without errors and without data"),
        (200, "application/json", b'{"errors": []}', "errors is not a non-empty list"),
        (200, "application/json", b'{"errors": [{"message": ""}]}', "an error without a message"),
        (200, "application/json", b'{"errors": [{"message": "x"}]}', "errors met while running"),
        (
            200,
            "application/json",
            b'{"data": null, "errors": [{"message": "Unexpected error.", "path": ["person"]}]}',
            "an unexpected error in the server (masked)",
        ),
        (
            200,
            "application/json",
            b'{"data": null, "errors": [{"message": "x", "locations": [{"line": 0, "column": 1}]}'
            b"]}",
            "malformed locations",
        ),
        (
            200,
            "application/json",
            b'{"data": null, "errors": [{"message": "x", "path": ["a", 1.5]}]}',
            "malformed path",
        ),
        (400, "application/json", b'{"data": {"a": 1}, "errors": [{"message": "x"}]}', "with data"),
        (400, "application/json", b'{"data": null}', "HTTP 400 without errors"),
        (400, "application/json", b"{'data'", "the body is not JSON"),
        (200, "text/html", b"<html>", "HTTP 200 that is not JSON"),
        (400, "text/plain", b"", "HTTP 400 with an empty body"),
        (
            200,
            "application/json",
            b'{"data": null, "errors": [{"message": "Traceback (most recent call last):"}]}',
            "leaks 'Traceback'",
        ),
        (
            400,
            "text/plain",
            b'near "SELECT ": syntax error in /work/main/archive/models.py',
            "leaks 'SELECT '",
        ),
        (
            200,
            "application/json",
            b'{"data": {"person": {"internalNotes": "x"}}}',
            "leaks 'internalNotes'",
        ),
    ],
)
def test_the_format_check_catches_malformed_answers(status, content_type, body, problem):
    problems = fuzzing.response_problems(status, content_type, body)
    assert any(problem in found for found in problems), problems


@pytest.mark.parametrize(
    ("status", "content_type", "body", "sent"),
    [
        (200, "application/json", b'{"data": {"person": null}}', ""),
        (
            200,
            "application/json",
            b'{"data": {"documents": null}, "errors": [{"message": "pagination.offset must be'
            b' 0 or more, not -1.", "locations": [{"line": 1, "column": 3}], "path": '
            b'["documents"]}]}',
            "",
        ),
        (
            400,
            "application/json",
            b'{"errors": [{"message": "Variable \'$t\' got invalid value \'SELECT * FROM x\'."}]}',
            "SELECT * FROM x",  # the client's own text, quoted back: not a leak
        ),
        (413, "text/plain", b"The request body is 200,000 bytes; the maximum is 100,000.", ""),
    ],
)
def test_the_format_check_accepts_well_formed_answers(status, content_type, body, sent):
    assert fuzzing.response_problems(status, content_type, body, sent=sent) == []


def test_the_log_check_finds_errors_and_their_exceptions():
    log = (
        "[2026-11-27 04:16:40 +0000] [28792] [INFO] Booting worker with pid: 28914\n"
        '2026-11-27T04:16:41.113Z 127.0.0.1 "POST /graphql/" 200 41 3ms "python-requests"\n'
        "2026-11-27 04:20:35,883 ERROR archive.graphql: Unexpected error in a GraphQL request\n"
        "Traceback (most recent call last):\n"
        '  File "/work/main/archive/as_of.py", line 45, in record_as_of\n'
        "OverflowError: date value out of range\n"
        "[2026-11-27 04:21:00 +0000] [28792] [CRITICAL] WORKER TIMEOUT (pid:28914)\n"
    )
    assert fuzzing.log_problems(log) == [
        "2026-11-27 04:20:35,883 ERROR archive.graphql: Unexpected error in a GraphQL request",
        "OverflowError: date value out of range",
        "[2026-11-27 04:21:00 +0000] [28792] [CRITICAL] WORKER TIMEOUT (pid:28914)",
    ]


def _case_and_answer(status: int, body: bytes):
    """An operation of the archive's schema, and an answer to it, as schemathesis sees them."""
    import schemathesis

    sdl = Path(__file__).resolve().parent.parent / "archive" / "graphql" / "schema.graphql"
    case = schemathesis.graphql.from_path(sdl)["Query"]["persons"].Case(
        body="{ persons { totalCount } }"
    )
    response = requests.Response()
    response.status_code = status
    response._content = body
    response.headers["Content-Type"] = "application/json"
    response.request = requests.Request(
        "POST", "http://127.0.0.1/graphql/", json={"query": case.body}
    ).prepare()
    response.url = response.request.url
    response.elapsed = datetime.timedelta(milliseconds=10)
    return case, response


@pytest.mark.parametrize(
    ("status", "body", "problems"),
    [
        (200, b'{"data": {"persons": {"totalCount": 1}}}', []),
        (
            200,
            b'{"data": {"persons": null}, "errors": [{"message": "x", "path": ["persons"]}]}',
            ["schemathesis: GraphQL server error: x"],  # an error met while running
        ),
        (
            400,
            b'{"data": null, "errors": [{"message": "x"}]}',
            ["schemathesis: GraphQL client error: x"],  # a valid operation refused
        ),
        (500, b"oops", ["schemathesis: Server error: "]),
        (
            200,
            b"[]",
            ["schemathesis: Unexpected GraphQL response: GraphQL response is not a JSON object"],
        ),
    ],
    ids=["data", "execution-error", "valid-refused", "500", "not-an-object"],
)
def test_every_answer_goes_through_schemathesiss_default_checks(status, body, problems):
    assert fuzzing.default_checks(*_case_and_answer(status, body)) == problems


def test_the_fuzzers_contract_is_the_archives():
    """Positive operations are generated within the bounds the API enforces."""
    from django.conf import settings

    assert fuzzing.CONTRACT == {
        "max_page_size": settings.GRAPHQL_MAX_PAGE_SIZE,
        "max_list_items": settings.GRAPHQL_MAX_LIST_ITEMS,
        "max_characters": settings.GRAPHQL_MAX_TEXT_CHARACTERS,
        "max_words": settings.GRAPHQL_MAX_TEXT_WORDS,
    }


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ivan maisky", "ivan maisky"),
        ("a\x00b\ud800c", "abc"),
        ("x" * 300, "x" * 200),
        (" ".join(["w"] * 30), " ".join(["w"] * 20)),
    ],
)
def test_generated_text_is_kept_within_the_contract(text, expected):
    assert fuzzing._within_contract(text) == expected


def test_positive_operations_are_steered_within_the_contract():
    import random

    from graphql import build_schema, parse, print_ast

    sdl = Path(__file__).resolve().parent.parent / "archive" / "graphql" / "schema.graphql"
    document = parse(
        "{ persons(pagination: {limit: 5000, offset: -2147483648}, filters: {text: "
        '"a\\u0000b"}) { totalCount } search(text: "x", limit: -3) { score } }'
    )
    steered = print_ast(fuzzing._steer(document, build_schema(sdl.read_text()), random.Random(1)))
    assert "pagination: { limit: 100, offset: 2147483647 }" in steered
    assert "limit: 3)" in steered
    assert "\x00" not in steered and "\\u0000" not in steered


def test_the_budget_of_positive_operations_is_the_archives():
    from graphql import parse

    three_lists = (
        "{ documents(pagination: {limit: 100}) { results { signatories(pagination: "
        "{limit: 100}) { person { signed(pagination: {limit: 100}) { role } } } } } }"
    )
    assert fuzzing.within_budget(parse("{ documents { totalCount } }"))
    assert not fuzzing.within_budget(parse(three_lists))
