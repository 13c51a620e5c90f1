"""A corpus of hostile and malformed requests: each gets a clear 4xx or a GraphQL error,
never a 500, and the database is the same afterwards.

Every case goes through the real endpoint (Django's test client), with the
demo data loaded. "Unchanged" is checked on the data version (every write
advances it) and on the number of rows of every model of the archive.
"""

import json

import pytest
from django.apps import apps

from archive import data_version
from tests.graphql_client import post

pytestmark = pytest.mark.django_db


def snapshot() -> tuple:
    counts = tuple(m.objects.count() for m in apps.get_app_config("archive").get_models())
    return data_version.from_db(), counts


def raw(client, body, content_type="application/json", method="post"):
    return getattr(client, method)("/graphql/", data=body, content_type=content_type)


def assert_refused_cleanly(response, statuses=(400, 405, 413, 415)):
    """A 4xx with a readable body, or a 200 whose body is GraphQL errors."""
    assert response.status_code < 500, response.content[:300]
    if response.status_code == 200:
        body = response.json()
        assert set(body) <= {"data", "errors", "extensions"}
        assert body.get("errors"), body
        for error in body["errors"]:
            assert isinstance(error["message"], str) and error["message"]
            assert "Traceback" not in error["message"]
            # A masked error is an exception the server did not expect: a bug, not a refusal.
            assert error["message"] != "Unexpected error.", body
    else:
        assert response.status_code in statuses, (response.status_code, response.content[:300])
        assert response.content  # says why
        assert b"Traceback" not in response.content


@pytest.fixture
def unchanged(demo):
    before = snapshot()
    yield
    assert snapshot() == before


# --- the transport ----------------------------------------------------------------------

MALFORMED_BODIES = [
    '{"query": ',
    "{",
    "[",
    "nul",
    "\x00",
    '{"query": "{ __typename }"',
    '{"query": "{ __typename }"}}',
    '{"query": null}',
    '{"query": ["{ __typename }"]}',
    '{"query": "{ __typename }", "variables": "x"}',
    '{"query": "{ __typename }", "variables": [1]}',
    '{"query": "{ __typename }", "operationName": 5}',
    '{"query": "{ __typename }", "extensions": 5}',
    "[]",
    '[{"query": "{ __typename }"}, {"query": "{ __typename }"}]',
    '"' + "a" * 1000 + '"',
    "1e999999",
    '{"query": "\\ud800"}',
]


@pytest.mark.parametrize("body", MALFORMED_BODIES)
def test_malformed_json(client, unchanged, body):
    assert_refused_cleanly(raw(client, body))


def test_a_body_that_is_not_utf8(client, unchanged):
    response = raw(client, b'{"query": "\xff\xfe{ __typename }"}')
    assert (response.status_code, response.content) == (
        400,
        b"The request body must be JSON encoded in UTF-8.",
    )


@pytest.mark.parametrize("method", ["put", "patch", "delete", "options", "trace"])
def test_wrong_methods(client, unchanged, method):
    response = client.generic(method.upper(), "/graphql/", '{"query": "{ __typename }"}')
    assert_refused_cleanly(response)


@pytest.mark.parametrize(
    "content_type",
    [
        "text/plain",
        "application/xml",
        "application/graphql",
        "multipart/form-data; boundary=x",
        "application/x-www-form-urlencoded",
        "application/json; charset=latin-1",
        "",
        "application/json\x00",
    ],
)
def test_wrong_content_types(client, unchanged, content_type):
    response = raw(client, '{"query": "{ __typename }"}', content_type=content_type)
    if response.status_code == 200:  # JSON it was, after all
        assert response.json() == {"data": {"__typename": "Query"}}
    else:
        assert_refused_cleanly(response)


@pytest.mark.parametrize("size", [100_001, 3_000_000])
def test_enormous_bodies(client, unchanged, size):
    body = json.dumps({"query": "{ __typename }", "variables": {"x": "a" * size}})
    response = raw(client, body)
    assert response.status_code == 413


def test_an_enormous_query_string(client, unchanged):
    response = client.get("/graphql/", {"query": "{ " + "__typename " * 20_000 + "}"})
    assert_refused_cleanly(response)


# --- the query ----------------------------------------------------------------------------


def nested(levels: int) -> str:
    fields = ['document(slug: "sikorski-mayski-agreement")'] + [
        ["signatories", "person", "signed", "document"][i % 4] for i in range(levels - 1)
    ]
    return "{ " + " { ".join(fields) + " { __typename" + " }" * levels + " }"


def fragment_bomb(levels: int) -> str:
    fragments = [f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}" for i in range(levels)]
    return "{ ...F0 } " + " ".join(fragments) + f" fragment F{levels} on Query {{ __typename }}"


HOSTILE_QUERIES = {
    "deeply nested": nested(60),
    "very deep braces": "{" * 5000 + "}" * 5000,
    "wide": "{ " + " ".join(f"a{i}: __typename" for i in range(3000)) + " }",
    "alias bomb": "{ " + " ".join(f"d{i}: documents {{ totalCount }}" for i in range(500)) + " }",
    "fragment bomb": fragment_bomb(40),
    "circular fragments": "{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }",
    "self-spread": "{ ...A } fragment A on Query { __typename ...A }",
    "unknown fragment": "{ ...Nowhere }",
    "costly nesting": "{ documents(pagination: {limit: 100}) { results { signatories("
    "pagination: {limit: 100}) { person { signed(pagination: {limit: 100}) { role } } } } } }",
    "huge page": "{ documents(pagination: {limit: 1000000}) { totalCount } }",
    "negative offset": "{ documents(pagination: {offset: -1}) { totalCount } }",
    "huge integer": "{ documents(pagination: {limit: 99999999999999999999}) { totalCount } }",
    "float page": "{ documents(pagination: {limit: 1e309}) { totalCount } }",
    "mutation": "mutation { x }",
    "subscription": "subscription { x }",
    "introspection loop": "{ __schema { types { fields { type { fields { type { fields "
    "{ name } } } } } } } }",
    "directive abuse": "{ __typename @include(if: true) @include(if: false) @skip(if: 1) }",
    "string of NULs": '{ person(slug: "\\u0000\\u0000") { slug } }',
    "unterminated string": '{ person(slug: "ivan) { slug } }',
    "empty": "",
    "only a comment": "# nothing here",
}


@pytest.mark.parametrize("query", HOSTILE_QUERIES.values(), ids=HOSTILE_QUERIES.keys())
def test_hostile_queries(client, unchanged, query):
    response = post(client, query)
    if response.status_code == 200 and "errors" not in response.json():
        # Harmless after all (a NUL slug finds nobody): it must then answer plainly.
        assert response.json()["data"] is not None
    else:
        assert_refused_cleanly(response)


WRONG_VARIABLES = [
    ("query ($n: Int) { documents(pagination: {limit: $n}) { totalCount } }", {"n": "ten"}),
    ("query ($n: Int) { documents(pagination: {limit: $n}) { totalCount } }", {"n": 2**63}),
    ("query ($n: Int) { documents(pagination: {limit: $n}) { totalCount } }", {"n": 1.5}),
    ("query ($n: Int) { documents(pagination: {limit: $n}) { totalCount } }", {"n": [1]}),
    ("query ($s: String!) { person(slug: $s) { slug } }", {"s": {"$ne": None}}),
    ("query ($s: String!) { person(slug: $s) { slug } }", {"s": None}),
    ("query ($s: String!) { person(slug: $s) { slug } }", {}),
    ("query ($d: Date!) { events(filters: {dateFrom: $d}) { totalCount } }", {"d": "1941-13-01"}),
    ("query ($d: Date!) { events(filters: {dateFrom: $d}) { totalCount } }", {"d": "10000-01-01"}),
    ("query ($d: Date!) { events(filters: {dateFrom: $d}) { totalCount } }", {"d": 19410701}),
    ("query ($k: DocumentKind) { documents(filters: {kind: $k}) { totalCount } }", {"k": "x"}),
    ("query ($x: Undeclared) { __typename }", {"x": 1}),
    ("query { person(slug: $undeclared) { slug } }", {"undeclared": "ivan-maisky"}),
]


@pytest.mark.parametrize(("query", "variables"), WRONG_VARIABLES)
def test_wrong_variable_types(client, unchanged, query, variables):
    response = post(client, query, variables)
    assert response.status_code == 400
    assert_refused_cleanly(response)


# --- text and slugs -----------------------------------------------------------------------

ODD_TEXT = [
    "\x00",
    "ivan\x00maisky",
    "\ud800",
    "\U0010ffff",
    "\u202eyksiam",  # right-to-left override
    "i\u200dvan",  # zero-width joiner
    "I\u0307van",  # combining dot
    "🇵🇱 🕊️",
    "ﬁ ß İ ǅ",
    "a" * 10_000,
    " " * 500,
    "%",
    "_",
    "%%%_%%%",
    "\\",
    "' OR 1=1 --",
    '"; DROP TABLE archive_person; --',
    "maisky' UNION SELECT password FROM auth_user --",
    "NEAR(maisky sikorski, 2)",
    '"unbalanced',
    "maisky*",
    "^maisky",
    "AND OR NOT",
    "col:maisky",
    "{0} {1}",
    "%s %(x)s",
]


@pytest.mark.parametrize("text", ODD_TEXT)
def test_odd_text_in_search_and_text_filters(client, unchanged, text):
    query = """
    query ($text: String!) {
      search(text: $text, limit: 5) { score record { __typename } }
      persons(filters: {text: $text}) { totalCount }
      documents(filters: {text: $text}) { totalCount }
    }
    """
    response = post(client, query, {"text": text})
    assert response.status_code < 500, response.content[:300]
    body = response.json()
    if "errors" in body:
        assert_refused_cleanly(response)
    else:
        assert isinstance(body["data"]["search"], list)
        assert body["data"]["persons"]["totalCount"] >= 0


def test_sql_and_like_wildcards_are_text_not_patterns(client, unchanged):
    query = """
    query ($text: String!) { persons(filters: {text: $text}) { totalCount } }
    """
    for text in ["%", "_", "%%", "' OR 1=1 --", "*"]:
        response = post(client, query, {"text": text})
        assert response.json() == {"data": {"persons": {"totalCount": 0}}}, text


@pytest.mark.parametrize(
    "slug", ODD_TEXT[:12] + ["../../etc/passwd", "ivan-maisky\n", "IVAN-MAISKY"]
)
def test_odd_slugs(client, unchanged, slug):
    response = post(client, "query ($s: String!) { person(slug: $s) { slug } }", {"s": slug})
    assert response.status_code < 500, response.content[:300]
    body = response.json()
    if "errors" in body:
        assert_refused_cleanly(response)
    else:
        assert body == {"data": {"person": None}}


@pytest.mark.parametrize(
    "moment",
    [
        "yesterday",
        "2026-13-01T00:00:00Z",
        "2026-02-30T00:00:00Z",
        "99999-01-01T00:00:00Z",
        "0000-01-01T00:00:00Z",
        "",
        "1941-07-30",
        "1941-07-30T25:00:00Z",
        "\x00",
        12345,
        None,
    ],
)
def test_invalid_as_of(client, unchanged, moment):
    response = post(
        client,
        'query ($at: DateTime) { person(slug: "ivan-maisky", asOf: $at) { name } }',
        {"at": moment},
    )
    assert response.status_code < 500, response.content[:300]
    body = response.json()
    if moment is None:  # no moment: the person now
        assert body == {"data": {"person": {"name": "Ivan Maisky"}}}
    elif "errors" in body:
        assert_refused_cleanly(response)
    else:  # a valid moment after all (a date alone is midnight): the person then, or null
        assert set(body["data"]) == {"person"}


@pytest.mark.parametrize(
    ("moment", "person"),
    [
        # The year 10000 in UTC: after everything, so the person as now.
        ("9999-12-31T23:59:59-12:00", {"name": "Ivan Maisky"}),
        # The year 0 in UTC: before everything, so nobody.
        ("0001-01-01T00:00:00+14:00", None),
    ],
    ids=["after-year-9999-in-utc", "before-year-1-in-utc"],
)
def test_as_of_beyond_what_utc_can_represent(client, unchanged, moment, person):
    # A moment within the year range of its own offset can be outside it in UTC:
    # converting it must not raise OverflowError (a masked "Unexpected error.").
    for query, variables in [
        (f'{{ person(slug: "ivan-maisky", asOf: "{moment}") {{ name }} }}', None),
        (
            'query ($at: DateTime) { person(slug: "ivan-maisky", asOf: $at) { name } }',
            {"at": moment},
        ),
    ]:
        response = post(client, query, variables)
        assert response.status_code == 200, response.content[:300]
        assert response.json() == {"data": {"person": person}}


NUL_QUERIES = [
    "{ person(slug: $s) { slug } }",
    '{ person(slug: $s, asOf: "2030-01-01T00:00:00Z") { slug } }',
    "{ place(slug: $s) { slug } }",
    "{ documents(filters: {party: $s}) { totalCount } }",
    "{ events(filters: {participant: $s}) { totalCount } }",
    "{ places(filters: {state: $s}) { totalCount } }",
    "{ persons(filters: {text: $s}) { totalCount } }",
    "{ search(text: $s) { score } }",
]


@pytest.mark.parametrize("query", NUL_QUERIES)
@pytest.mark.parametrize("how", ["variable", "literal"])
def test_text_holding_nul_is_refused_before_running(client, unchanged, query, how):
    # PostgreSQL's text cannot hold NUL: sent to it, such a slug is a DataError,
    # which would be a masked "Unexpected error." (and logged as one).
    if how == "variable":
        response = post(client, "query ($s: String!) " + query, {"s": "ivan\x00maisky"})
    else:
        response = post(client, query.replace("$s", '"ivan\\u0000maisky"'))
    assert response.status_code == 400, response.content[:300]
    error = {
        "message": "Text cannot contain the NUL character (U+0000): no record holds it, "
        "and the database cannot compare it.",
        "extensions": {"code": "BAD_USER_INPUT"},
    }
    if how == "literal":  # located at the string in the query
        sent = query.replace("$s", '"ivan\\u0000maisky"')
        error["locations"] = [{"line": 1, "column": sent.index('"ivan') + 1}]
    assert response.json() == {"errors": [error]}


@pytest.mark.parametrize("query", NUL_QUERIES)
def test_text_holding_a_lone_surrogate_is_refused_before_running(client, unchanged, query):
    # Found by this corpus: "\ud800" (valid JSON, not a character) cannot be encoded
    # for the database: a masked "Unexpected error." on both.
    # json.dumps writes it as the escape "\\ud800", as a client's JSON would.
    response = post(client, "query ($s: String!) " + query, {"s": "a\ud800"})
    assert response.status_code == 400, response.content[:300]
    assert response.json() == {
        "errors": [
            {
                "message": "Text cannot contain a lone surrogate (U+D800 to U+DFFF): it is "
                "not a character, and no record holds one.",
                "extensions": {"code": "BAD_USER_INPUT"},
            }
        ],
    }
