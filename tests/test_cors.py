"""CORS on the API (django-cors-headers): web apps on other origins may read
``/graphql/``; the admin never answers another origin.

The browser's side of it (a page on another origin that fetches the API) is in
tests/test_browser.py.
"""

import json

import pytest

from tests.graphql_client import ACCEPT
from tests.test_deploy import PRODUCTION, manage

pytestmark = pytest.mark.django_db

APP = "https://app.example.org"
OTHER = "https://elsewhere.example.net"
TITLE_QUERY = '{ document(slug: "sikorski-mayski-agreement") { title } }'
TITLE_DATA = {"document": {"title": "Sikorski–Mayski agreement"}}
ALLOWED_HEADERS = (
    "accept, content-type, if-none-match, apollographql-client-name, apollographql-client-version"
)


def cors_headers(response) -> dict:
    return {
        name.lower(): value
        for name, value in response.headers.items()
        if name.lower().startswith("access-control-")
    }


def preflight(client, path="/graphql/", origin=APP, method="POST", headers="content-type"):
    return client.options(
        path,
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": method,
            "Access-Control-Request-Headers": headers,
        },
    )


def test_a_preflight_is_answered_for_any_origin(client):
    response = preflight(client, headers="content-type,apollographql-client-name")
    assert response.status_code == 200
    assert response.content == b""
    assert cors_headers(response) == {
        "access-control-allow-origin": "*",
        "access-control-allow-headers": ALLOWED_HEADERS,
        "access-control-allow-methods": "GET, POST, OPTIONS",
        "access-control-max-age": "86400",
        "access-control-expose-headers": "ETag, Retry-After",
    }
    # "*" for everyone: the answer does not depend on the origin (project/cors.py).
    assert "Vary" not in response


def test_get_and_post_from_another_origin_carry_the_headers(client, demo):
    got = client.get("/graphql/", {"query": TITLE_QUERY}, headers={"Origin": APP})
    posted = client.post(
        "/graphql/",
        data=json.dumps({"query": TITLE_QUERY}),
        content_type="application/json",
        headers={"Origin": APP},
    )
    for response in (got, posted):
        assert response.status_code == 200
        assert response.json() == {"data": TITLE_DATA}
        # "*" and no credentials: no cookie of the archive's is ever sent along.
        assert cors_headers(response) == {
            "access-control-allow-origin": "*",
            "access-control-expose-headers": "ETag, Retry-After",
        }
        assert response["Vary"] == "Accept"


def test_one_answer_for_every_origin_so_shared_caches_keep_one_copy(client, demo):
    """Open to all origins, the answer is the same with any Origin or none: "*" on every
    answer of the API and no ``Vary: Origin`` (django-cors-headers varies by origin; a
    CDN would keep one copy per web app)."""
    answers = [
        client.get("/graphql/", {"query": TITLE_QUERY}, headers=headers)
        for headers in ({}, {"Origin": APP}, {"Origin": OTHER})
    ]
    for response in answers:
        assert response.status_code == 200
        assert cors_headers(response) == {
            "access-control-allow-origin": "*",
            "access-control-expose-headers": "ETag, Retry-After",
        }
        assert response["Vary"] == "Accept"
    assert len({(response.content, response["ETag"]) for response in answers}) == 1


def test_an_error_and_a_304_carry_the_headers_too(client, demo):
    """A client on another origin can read why it was refused, and use its kept copy."""
    refused = client.post(
        "/graphql/",
        data=json.dumps({"query": "{ nothing }"}),
        content_type="application/json",
        # As Apollo Client 4 asks: a request error is then a 400 (tests/graphql_client.py).
        headers={"Origin": APP, "Accept": ACCEPT},
    )
    assert refused.status_code == 400
    assert cors_headers(refused)["access-control-allow-origin"] == "*"
    first = client.get("/graphql/", {"query": TITLE_QUERY}, headers={"Origin": APP})
    again = client.get(
        "/graphql/",
        {"query": TITLE_QUERY},
        headers={"Origin": APP, "If-None-Match": first["ETag"]},
    )
    assert again.status_code == 304
    assert cors_headers(again)["access-control-allow-origin"] == "*"


def test_a_configured_list_allows_its_origins_only(client, demo, settings):
    settings.CORS_ALLOW_ALL_ORIGINS = False
    settings.CORS_ALLOWED_ORIGINS = [APP, "http://localhost:3000"]

    allowed = client.get("/graphql/", {"query": TITLE_QUERY}, headers={"Origin": APP})
    assert allowed.status_code == 200
    assert cors_headers(allowed) == {
        "access-control-allow-origin": APP,
        "access-control-expose-headers": "ETag, Retry-After",
    }
    assert cors_headers(preflight(client, origin=APP))["access-control-allow-origin"] == APP
    # The answer names the origin, so it varies by it (the library's own behaviour).
    assert allowed["Vary"] == "Accept, origin"

    # Another origin is answered (the request was made) but the browser keeps the answer
    # from its script: no access-control header at all.
    refused = client.get("/graphql/", {"query": TITLE_QUERY}, headers={"Origin": OTHER})
    assert refused.status_code == 200
    assert cors_headers(refused) == {}
    assert cors_headers(preflight(client, origin=OTHER)) == {}


@pytest.mark.parametrize("path", ["/admin/", "/admin/login/", "/healthz"])
def test_nothing_else_answers_another_origin(client, path):
    assert cors_headers(client.get(path, headers={"Origin": APP})) == {}
    answered = preflight(client, path=path)
    assert cors_headers(answered) == {}
    assert "origin" not in answered.get("Vary", "").lower()


def test_the_api_keeps_its_content_security_policy_and_security_headers(client, demo):
    response = client.get("/graphql/", {"query": TITLE_QUERY}, headers={"Origin": APP})
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["Access-Control-Allow-Origin"] == "*"


@pytest.mark.slow
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, {"CORS_ALLOW_ALL_ORIGINS": True, "CORS_ALLOWED_ORIGINS": []}),
        ("*", {"CORS_ALLOW_ALL_ORIGINS": True, "CORS_ALLOWED_ORIGINS": []}),
        (
            f" {APP}, http://localhost:3000 ",
            {
                "CORS_ALLOW_ALL_ORIGINS": False,
                "CORS_ALLOWED_ORIGINS": [APP, "http://localhost:3000"],
            },
        ),
    ],
    ids=["default", "star", "list"],
)
def test_origins_come_from_the_environment(value, expected):
    environment = dict(PRODUCTION)
    if value is not None:
        environment["DJANGO_CORS_ALLOWED_ORIGINS"] = value
    names = [*expected, "CORS_ALLOW_CREDENTIALS", "CORS_URLS_REGEX"]
    code = (
        "import json; from django.conf import settings; "
        f"print(json.dumps({{n: getattr(settings, n) for n in {names!r}}}))"
    )
    result = manage("shell", "-c", code, **environment)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.splitlines()[-1]) == {
        **expected,
        "CORS_ALLOW_CREDENTIALS": False,
        "CORS_URLS_REGEX": "^/graphql/$",
    }


@pytest.mark.slow
def test_a_malformed_origin_stops_the_start():
    """django-cors-headers' system check: an origin is a scheme and a host, no path."""
    result = manage(
        "check", **PRODUCTION, DJANGO_CORS_ALLOWED_ORIGINS="https://app.example.org/path"
    )
    assert result.returncode != 0
    assert "corsheaders.E014" in result.stderr
