"""Run GraphQL requests through the real endpoint, as a client would."""

import json


def post(client, query: str, variables: dict | None = None):
    return client.post(
        "/graphql/",
        data=json.dumps({"query": query, "variables": variables or {}}),
        content_type="application/json",
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
