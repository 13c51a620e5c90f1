"""Persisted queries: Apollo's automatic persisted queries by POST and GET, the
trusted-documents mode, and HTTP caching of GET answers (archive/graphql/persisted.py)."""

import hashlib
import json

import pytest
from django.core.cache import cache as default_cache
from django.core.management import call_command

from archive.graphql import persisted

pytestmark = pytest.mark.django_db

JSON = "application/json"
APOLLO_ACCEPT = "application/graphql-response+json,application/json;q=0.9"
QUERY = "query Typename { __typename }"
HASH = hashlib.sha256(QUERY.encode()).hexdigest()
ANSWER = {"data": {"__typename": "Query"}}
NOT_FOUND = {
    "errors": [
        {"message": "PersistedQueryNotFound", "extensions": {"code": "PERSISTED_QUERY_NOT_FOUND"}}
    ]
}


def extensions(digest: str = HASH) -> dict:
    return {"persistedQuery": {"version": 1, "sha256Hash": digest}}


def post(client, body: dict, accept: str = APOLLO_ACCEPT):
    return client.post("/graphql/", json.dumps(body), content_type=JSON, HTTP_ACCEPT=accept)


def get(client, params: dict, accept: str = APOLLO_ACCEPT):
    encoded = {k: json.dumps(v) if isinstance(v, dict) else v for k, v in params.items()}
    return client.get("/graphql/", encoded, HTTP_ACCEPT=accept)


@pytest.fixture(autouse=True)
def empty_cache():
    default_cache.clear()
    yield
    default_cache.clear()


@pytest.mark.parametrize(
    ("accept", "status", "media_type"),
    [(APOLLO_ACCEPT, 404, "application/graphql-response+json"), (JSON, 200, JSON)],
)
def test_the_apq_round_trip_by_post_then_get(client, accept, status, media_type):
    unknown = post(client, {"extensions": extensions()}, accept)
    # A request error: a 4xx under application/graphql-response+json (Apollo Router's
    # 404 for an id it does not know); Apollo Server's 200 under application/json.
    assert unknown.status_code == status
    assert unknown["Content-Type"] == media_type
    assert unknown.json() == NOT_FOUND
    assert unknown["Cache-Control"] == "no-store"
    unknown_by_get = get(client, {"extensions": extensions()}, accept)
    assert (unknown_by_get.status_code, unknown_by_get["Cache-Control"]) == (status, "no-store")
    registered = post(client, {"query": QUERY, "extensions": extensions()}, accept)
    assert registered.status_code == 200
    assert registered.json() == ANSWER
    by_post = post(client, {"extensions": extensions()}, accept)
    by_get = get(client, {"extensions": extensions()}, accept)
    assert (by_post.status_code, by_get.status_code) == (200, 200)
    assert by_post.json() == by_get.json() == ANSWER
    assert by_post["Cache-Control"] == "no-cache"
    assert by_get["Cache-Control"] == "public, max-age=60"
    assert by_get["ETag"] == registered["ETag"]
    assert by_get["Vary"] == "Accept"


@pytest.mark.parametrize("accept", ["*/*", "text/html,*/*;q=0.8"])
@pytest.mark.parametrize("graphiql", [False, True])
def test_a_get_by_hash_from_a_browser_or_curl_is_a_query_not_a_visit(
    client, settings, accept, graphiql
):
    """fetch(), curl and requests send ``Accept: */*``, a browser's address bar
    text/html: strawberry took such a GET without ``query`` for a visit to GraphiQL,
    a plain-text 404 with GraphiQL off (found by an outside review)."""
    settings.GRAPHIQL = graphiql
    post(client, {"query": QUERY, "extensions": extensions()})
    response = get(client, {"extensions": extensions()}, accept)
    assert response.status_code == 200
    assert response["Content-Type"] == JSON
    assert response.json() == ANSWER
    assert response["Cache-Control"] == "public, max-age=60"


def test_a_get_by_hash_costs_no_sql_once_cached(client, django_assert_num_queries, settings):
    settings.GRAPHQL_CACHE_VERSION_FROM_DB = False
    get(client, {"query": QUERY, "extensions": extensions()})
    with django_assert_num_queries(0):
        response = get(client, {"extensions": extensions()})
    assert response.json() == ANSWER


def test_a_hash_that_is_not_the_texts_is_a_400(client):
    other = hashlib.sha256(b"{ __typename }").hexdigest()
    response = post(client, {"query": QUERY, "extensions": extensions(other)}, JSON)
    assert response.status_code == 400
    assert response.json() == {
        "errors": [
            {
                "message": "provided sha does not match query",
                "extensions": {"code": "PERSISTED_QUERY_HASH_MISMATCH"},
            }
        ]
    }
    assert post(client, {"extensions": extensions(other)}, JSON).json() == NOT_FOUND


@pytest.mark.parametrize(
    ("persisted_query", "message"),
    [
        ({"version": 2, "sha256Hash": HASH}, persisted.UNSUPPORTED_VERSION),
        ({"version": 1, "sha256Hash": HASH.upper()}, persisted.INVALID_HASH),
        ({"version": 1}, persisted.INVALID_HASH),
        ("yes", persisted.UNSUPPORTED_VERSION),
    ],
)
def test_a_malformed_persisted_query_is_a_400(client, persisted_query, message):
    response = post(client, {"extensions": {"persistedQuery": persisted_query}}, JSON)
    assert response.status_code == 400
    assert response.json() == {
        "errors": [{"message": message, "extensions": {"code": "BAD_REQUEST"}}]
    }


def test_a_query_refused_by_the_limits_is_not_remembered(client, settings):
    settings.GRAPHQL_MAX_DEPTH = 1
    query = "{ documents { results { title } } }"
    digest = hashlib.sha256(query.encode()).hexdigest()
    refused = post(client, {"query": query, "extensions": extensions(digest)})
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["extensions"]["code"] == "QUERY_TOO_DEEP"
    assert post(client, {"extensions": extensions(digest)}).json() == NOT_FOUND


def test_a_remembered_query_still_meets_the_limits(client, settings, django_assert_num_queries):
    post(client, {"query": QUERY, "extensions": extensions()})
    settings.GRAPHQL_MAX_TOKENS = 2
    with django_assert_num_queries(0):  # refused before the response cache's data version
        response = post(client, {"extensions": extensions()})
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "QUERY_TOO_LARGE"


# --- trusted documents ------------------------------------------------------------------------


@pytest.fixture
def trusted(tmp_path, settings):
    manifest = tmp_path / "trusted.json"
    manifest.write_text(json.dumps({HASH: QUERY}))
    settings.GRAPHQL_TRUSTED_DOCUMENTS = str(manifest)
    settings.GRAPHQL_TRUSTED_DOCUMENTS_ONLY = True
    return manifest


def test_trusted_documents_are_answered_by_hash_and_by_text(client, trusted):
    assert get(client, {"extensions": extensions()}).json() == ANSWER  # never registered
    assert post(client, {"query": QUERY}).json() == ANSWER
    assert post(client, {"query": QUERY, "extensions": extensions()}).json() == ANSWER


def test_trusted_documents_only_refuses_any_other_text(client, trusted):
    for accept, status in ((APOLLO_ACCEPT, 403), (JSON, 200)):  # Apollo Router's 403
        response = post(client, {"query": "{ __typename }"}, accept)
        assert response.status_code == status
        assert response.json() == {
            "errors": [
                {
                    "message": persisted.NOT_IN_SAFELIST_MESSAGE,
                    "extensions": {"code": "QUERY_NOT_IN_SAFELIST"},
                }
            ]
        }


def test_trusted_documents_only_refuses_any_other_hash_and_learns_nothing(client, trusted):
    query = "{ __typename }"
    digest = hashlib.sha256(query.encode()).hexdigest()
    expected = {
        "errors": [
            {
                "message": persisted.NOT_IN_LIST_MESSAGE.format(hash=digest),
                "extensions": {"code": "PERSISTED_QUERY_NOT_IN_LIST"},
            }
        ]
    }
    for body in (
        {"query": query, "extensions": extensions(digest)},
        {"extensions": extensions(digest)},
    ):
        for accept, status in ((APOLLO_ACCEPT, 404), (JSON, 200)):  # Apollo Router's 404
            response = post(client, body, accept)
            assert response.status_code == status
            assert response.json() == expected


def test_a_refused_document_runs_no_sql(client, trusted, django_assert_num_queries):
    with django_assert_num_queries(0):
        post(client, {"query": "{ documents { totalCount } }"})


def test_a_manifest_with_a_wrong_hash_is_refused(tmp_path):
    manifest = tmp_path / "bad.json"
    manifest.write_text(json.dumps({HASH: "{ __typename }"}))
    with pytest.raises(ValueError, match="not the SHA-256 of their documents"):
        persisted.load_documents(manifest)


def test_apollos_manifest_format_is_read(tmp_path):
    manifest = tmp_path / "apollo.json"
    manifest.write_text(
        json.dumps(
            {
                "format": "apollo-persisted-query-manifest",
                "version": 1,
                "operations": [{"id": HASH, "name": "Typename", "type": "query", "body": QUERY}],
            }
        )
    )
    assert persisted.load_documents(manifest) == {HASH: QUERY}


def test_the_command_registers_each_operation_with_its_fragments(tmp_path):
    source = tmp_path / "queries.graphql"
    source.write_text(
        "query A { ...F }\nfragment F on Query { __typename }\nquery B { __typename }\n"
    )
    manifest = tmp_path / "trusted.json"
    call_command("register_trusted_documents", str(source), "--manifest", str(manifest))
    a = "query A {\n  ...F\n}\n\nfragment F on Query {\n  __typename\n}"
    b = "query B {\n  __typename\n}"
    assert json.loads(manifest.read_text()) == {
        hashlib.sha256(a.encode()).hexdigest(): a,
        hashlib.sha256(b.encode()).hexdigest(): b,
    }


def test_the_command_refuses_a_document_the_schema_does_not_validate(tmp_path):
    source = tmp_path / "bad.graphql"
    source.write_text("query A { nope }\n")
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="Cannot query field 'nope'"):
        call_command(
            "register_trusted_documents", str(source), "--manifest", str(tmp_path / "t.json")
        )


def test_the_committed_manifest_is_that_of_the_committed_documents(tmp_path, settings):
    from tools.processes import ROOT

    written = tmp_path / "trusted.json"
    sources = sorted(str(p) for p in (ROOT / "clients" / "operations").glob("*.graphql"))
    call_command("register_trusted_documents", *sources, "--manifest", str(written))
    committed = ROOT / "archive" / "graphql" / "trusted_documents.json"
    assert committed.read_text() == written.read_text()
    assert settings.GRAPHQL_TRUSTED_DOCUMENTS == str(committed)
    assert len(persisted.trusted_documents()) == 3


def test_a_committed_document_is_answered_by_its_hash_alone(client, settings):
    settings.GRAPHQL_TRUSTED_DOCUMENTS_ONLY = True
    [digest] = [
        h
        for h, d in persisted.trusted_documents().items()
        if d.startswith("query MaiskyThenAndNow(")
    ]
    response = get(client, {"extensions": extensions(digest)})  # no record: both null
    assert response.status_code == 200
    assert response.json() == {"data": {"then": None, "now": None}}
    assert response["Cache-Control"] == "public, max-age=60"


def test_a_hash_is_remembered_when_its_answer_comes_from_the_response_cache(client):
    from archive.graphql import cache

    assert post(client, {"query": QUERY}).json() == ANSWER  # cached
    cache._answerable.clear()  # as in another process: looked up once past the limits
    assert post(client, {"query": QUERY, "extensions": extensions()}).json() == ANSWER
    assert post(client, {"extensions": extensions()}).json() == ANSWER


# --- the system check: no API that would answer with 500s -------------------------------------

HINT = (
    "Write the manifest with `manage.py register_trusted_documents FILE.graphql …`, "
    "or point GRAPHQL_TRUSTED_DOCUMENTS at it."
)


def check_messages() -> list[tuple[str, str]]:
    return [(m.id, m.msg) for m in persisted.check_trusted_documents()]


@pytest.mark.parametrize(
    ("content", "only", "expected"),
    [
        (None, False, []),  # no manifest, and none needed
        (json.dumps({HASH: QUERY}), True, []),
        (
            None,
            True,
            [("archive.E001", "GRAPHQL_TRUSTED_DOCUMENTS_ONLY is on, and {file} does not exist.")],
        ),
        (
            "{}",
            True,
            [
                (
                    "archive.E003",
                    "GRAPHQL_TRUSTED_DOCUMENTS_ONLY is on, and {file} holds no documents.",
                )
            ],
        ),
        (
            "{not json",
            False,
            [
                (
                    "archive.E002",
                    "The trusted documents cannot be read: Expecting property name enclosed in "
                    "double quotes: line 1 column 2 (char 1)",
                )
            ],
        ),
        (
            "[]",
            False,
            [
                (
                    "archive.E002",
                    "The trusted documents cannot be read: "
                    "{file}: a manifest is a JSON object of hashes and documents",
                )
            ],
        ),
        (
            json.dumps({HASH: 1}),
            True,
            [
                (
                    "archive.E002",
                    "The trusted documents cannot be read: "
                    "{file}: every hash and every document must be a string",
                )
            ],
        ),
        (
            json.dumps({"0" * 64: QUERY}),
            False,
            [
                (
                    "archive.E002",
                    "The trusted documents cannot be read: {file}: these hashes are not the "
                    f"SHA-256 of their documents: ['{'0' * 64}']",
                )
            ],
        ),
    ],
)
def test_the_system_check_refuses_a_missing_or_broken_manifest(
    tmp_path, settings, content, only, expected
):
    manifest = tmp_path / "trusted.json"
    if content is not None:
        manifest.write_text(content)
    settings.GRAPHQL_TRUSTED_DOCUMENTS = str(manifest)
    settings.GRAPHQL_TRUSTED_DOCUMENTS_ONLY = only
    assert check_messages() == [(id, msg.format(file=manifest)) for id, msg in expected]
    assert all(m.hint == HINT for m in persisted.check_trusted_documents())


@pytest.mark.slow
def test_bin_serve_s_deployment_check_fails_without_the_manifest(tmp_path):
    """bin/serve runs `manage.py check --deploy --fail-level WARNING` and refuses to start
    on a failure: trusted-documents mode without its manifest never serves 500s."""
    from tests.test_deploy import PRODUCTION, manage

    missing = tmp_path / "nowhere.json"
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        GRAPHQL_TRUSTED_DOCUMENTS=str(missing),
        GRAPHQL_TRUSTED_DOCUMENTS_ONLY="1",
        **PRODUCTION,
    )
    assert result.returncode == 1
    assert (
        f"?: (archive.E001) GRAPHQL_TRUSTED_DOCUMENTS_ONLY is on, and {missing} does not exist."
        in result.stderr
    ), result.stderr
