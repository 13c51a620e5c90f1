"""relay-compiler (npm, pinned in clients/package.json) accepts a ``@connection`` and
``@refetchable`` fragments on the committed schema, and the queries it writes run."""

import json
import re
import shutil
import subprocess

import pytest

from tests.graphql_client import gql
from tests.test_clients import BIN, CLIENTS, TIMEOUT, node_or_skip

RELAY = CLIENTS / "relay"
GENERATED = RELAY / "src" / "__generated__"


def compiled_text(name: str) -> str:
    """The query text relay-compiler wrote for the operation ``name``."""
    artifact = (GENERATED / f"{name}.graphql.js").read_text(encoding="utf-8")
    return json.loads(re.search(r'"text": ("(?:[^"\\]|\\.)*")', artifact).group(1))


@pytest.mark.slow
@pytest.mark.django_db
def test_relay_compiler_accepts_a_connection_and_refetchable_fragments(client, demo):
    """`npx relay-compiler` in clients/relay/: the fragments of clients/relay/src compile,
    and the pagination and refetch queries it writes answer from the archive."""
    node_or_skip()
    shutil.rmtree(GENERATED, ignore_errors=True)
    compiler = subprocess.run(
        [BIN / "relay-compiler"], cwd=RELAY, capture_output=True, text=True, timeout=TIMEOUT
    )
    assert compiler.returncode == 0, compiler.stdout + compiler.stderr
    assert "Compilation completed." in compiler.stdout + compiler.stderr

    pagination = compiled_text("DocumentsPaginationQuery")
    assert "documentsConnection(first: $count, after: $cursor, filters: $filters)" in pagination
    first = gql(client, pagination, {"count": 2})["documentsConnection"]
    assert [e["node"]["slug"] for e in first["edges"]] == [
        "molotov-ribbentrop-pact",
        "sikorski-mayski-agreement",
    ]
    assert first["pageInfo"]["hasNextPage"] is True
    rest = gql(client, pagination, {"count": 2, "cursor": first["pageInfo"]["endCursor"]})
    assert [e["node"]["slug"] for e in rest["documentsConnection"]["edges"]] == [
        "polish-soviet-military-agreement"
    ]

    refetch = compiled_text("PersonRefetchQuery")
    assert "node(id: $id)" in refetch
    maisky = first["edges"][1]["node"]["signatories"]
    person_id = next(s["person"]["id"] for s in maisky if s["person"]["name"] == "Ivan Maisky")
    assert gql(client, refetch, {"id": person_id})["node"] == {
        "__typename": "Person",
        "id": person_id,
        "name": "Ivan Maisky",
        "born": {"display": "19 January 1884"},
    }
