"""Run GraphQL requests through the real endpoint, as a client would."""

import json

# What Apollo Client 4 sends: application/graphql-response+json preferred, whose
# status codes tell a request refused before it ran (a 4xx) from an answer (a 200).
# tests/test_graphql_over_http.py covers application/json, where both are a 200.
ACCEPT = "application/graphql-response+json,application/json;q=0.9"


def post(client, query: str, variables: dict | None = None):
    return client.post(
        "/graphql/",
        data=json.dumps({"query": query, "variables": variables or {}}),
        content_type="application/json",
        HTTP_ACCEPT=ACCEPT,
    )


def gql(client, query: str, variables: dict | None = None) -> dict:
    """The ``data`` of a request that must succeed: any error fails the test."""
    response = post(client, query, variables)
    body = response.json()
    assert response.status_code == 200 and "errors" not in body, body
    return body["data"]


def gql_errors(client, query: str, variables: dict | None = None) -> list[str]:
    """The error messages of a request that must fail (with no 5xx)."""
    response = post(client, query, variables)
    assert response.status_code < 500, response.content
    body = response.json()
    assert "errors" in body, body
    return [error["message"] for error in body["errors"]]
