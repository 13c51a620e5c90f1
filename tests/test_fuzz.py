"""Fuzzing the GraphQL API with schemathesis: over 1,000 generated operations, none a 5xx.

Two gunicorn instances (DEBUG off, two workers each; the response cache on
in one, off in the other) serve a fresh database of the test's own with the
demo data: a SQLite file, or a new database on the PostgreSQL server that
``DATABASE_URL`` names. Schemathesis generates operations for every field of
``Query`` with a fixed seed (the same queries on every run); each goes to
both instances, and every answer must be a well-formed GraphQL response (or
a plain-text 4xx) that leaks nothing, the same from both. The servers' logs
must show no error. See :mod:`tests.fuzzing`; ``bin/fuzz`` runs longer.
"""

import os

import pytest

from tests import fuzzing

SEED = 20261127
EXAMPLES = 1100  # 100 per field of Query: 75 positive, 25 negative
MINIMUM = 1000


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    """(cache on, cache off), on one fresh demo archive; stopped at the end."""
    directory = tmp_path_factory.mktemp("fuzz")
    with fuzzing.demo_servers(directory, os.environ.get("DATABASE_URL")) as both:
        yield both


def test_generated_operations_get_well_formed_answers_and_no_5xx(servers):
    cached, uncached = servers
    report = fuzzing.fuzz(
        cached.endpoint, examples=EXAMPLES, seed=SEED, compare_url=uncached.endpoint
    )
    print(report.summary())
    assert not report.failures, report.summary()
    assert report.operations >= MINIMUM, report.summary()
    assert all(status < 500 for status in report.statuses), report.summary()
    # Every field was fuzzed, and the operations both ran and were refused.
    assert len(report.by_field) == 11, report.summary()
    assert min(report.by_field.values()) >= MINIMUM // 11, report.summary()
    assert report.outcomes["positive 200 with data"] >= EXAMPLES // 3, report.summary()
    assert report.statuses[400] > 0, report.summary()
    log_lines = [line for s in servers for line in fuzzing.log_problems(s.log_text())]
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
