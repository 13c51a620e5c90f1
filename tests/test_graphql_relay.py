"""Relay's Global Object Identification: ids, node(id:), nodes(ids:), asOf identities."""

import base64
import json
import subprocess

import pytest
from graphql import parse

from archive.graphql import limits
from archive.graphql.schema import schema
from archive.models import Document, DocumentSignatory, Person
from tests.graphql_client import gql, post
from tests.test_clients import CLIENTS, TIMEOUT, node_or_skip
from tests.test_graphql_history import at, iso, timeline  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db

THEN = "2026-01-01T13:30:00+00:00"  # at(13, 30): Molotov and Ribbentrop both signed


def gid(type_name: str, key) -> str:
    return base64.b64encode(f"{type_name}:{key}".encode()).decode()


IDS = """
query ($t: DateTime) {
  document(slug: "pact", asOf: $t) {
    id slug signatories { id role person { id slug } }
  }
}
"""


def test_a_record_and_its_rows_have_global_ids(client, timeline):  # noqa: F811
    pact, ribbentrop = timeline, Person.objects.get(slug="ribbentrop")
    row = DocumentSignatory.objects.get()
    assert gql(client, IDS, {"t": None})["document"] == {
        "id": gid("Document", pact.pk),
        "slug": "pact",
        "signatories": [
            {
                "id": gid("Signatory", row.pk),
                "role": "signatory",
                "person": {"id": gid("Person", ribbentrop.pk), "slug": "ribbentrop"},
            },
        ],
    }


def test_a_version_read_as_of_a_moment_has_ids_of_its_own(client, timeline):  # noqa: F811
    pact = timeline
    molotov, ribbentrop = Person.objects.get(slug="molotov"), Person.objects.get(slug="ribbentrop")
    second = DocumentSignatory.objects.get()
    first_pk = second.pk - 1  # deleted at 14:00
    assert gql(client, IDS, {"t": iso(at(13, 30))})["document"] == {
        "id": gid("Document", f"{pact.pk}@{THEN}"),
        "slug": "pact",
        "signatories": [
            {
                "id": gid("Signatory", f"{first_pk}@{THEN}"),
                "role": "signatory for the USSR",
                "person": {"id": gid("Person", f"{molotov.pk}@{THEN}"), "slug": "molotov"},
            },
            {
                "id": gid("Signatory", f"{second.pk}@{THEN}"),
                "role": "signatory",
                "person": {"id": gid("Person", f"{ribbentrop.pk}@{THEN}"), "slug": "ribbentrop"},
            },
        ],
    }


NODE = """
query ($id: ID!) {
  node(id: $id) { __typename id ... on Document { title signatories { role } } }
}
"""


def test_node_reads_a_record_now_and_a_version_then(client, timeline):  # noqa: F811
    now, then = gid("Document", timeline.pk), gid("Document", f"{timeline.pk}@{THEN}")
    assert gql(client, NODE, {"id": now})["node"] == {
        "__typename": "Document",
        "id": now,
        "title": "Molotov–Ribbentrop Pact",
        "signatories": [{"role": "signatory"}],
    }
    assert gql(client, NODE, {"id": then})["node"] == {
        "__typename": "Document",
        "id": then,
        "title": "Molotov–Ribbentrop Pact",
        "signatories": [{"role": "signatory for the USSR"}, {"role": "signatory"}],
    }
    # Before it was catalogued: no version then.
    before = gid("Document", f"{timeline.pk}@2026-01-01T09:00:00+00:00")
    assert gql(client, NODE, {"id": before})["node"] is None


def test_nodes_keeps_the_order_and_hides_drafts(client, timeline):  # noqa: F811
    draft = Document.objects.create(slug="draft", title="Draft", kind="pact", published=False)
    molotov = Person.objects.get(slug="molotov")
    query = """query ($ids: [ID!]!) { nodes(ids: $ids) {
      __typename ... on Person { slug } ... on Document { slug } } }"""
    ids = [
        gid("Person", molotov.pk),
        gid("Document", draft.pk),
        gid("Document", timeline.pk),
        gid("Document", 10**6),
        gid("Document", f"{draft.pk}@{THEN}"),
    ]
    assert gql(client, query, {"ids": ids})["nodes"] == [
        {"__typename": "Person", "slug": "molotov"},
        None,
        {"__typename": "Document", "slug": "pact"},
        None,
        None,
    ]


@pytest.mark.parametrize(
    "bad",
    [
        "not base64!",
        gid("Signatory", 1),  # a row's id is a cache key, not a node
        gid("Document", "pact"),
        gid("Document", "1@2026-01-01T13:30:00"),  # a moment without its offset
    ],
)
def test_an_id_that_is_not_a_record_s_names_nothing(client, timeline, bad):  # noqa: F811
    """As a slug that no record has: null, no error (a valid query, whatever the id)."""
    assert post(client, NODE, {"id": bad}).json() == {"data": {"node": None}}
    nodes = "query ($ids: [ID!]!) { nodes(ids: $ids) { id } }"
    assert post(client, nodes, {"ids": [bad, gid("Person", 1)]}).json()["data"]["nodes"][0] is None


def test_nodes_take_a_fixed_number_of_queries(client, timeline, django_assert_num_queries):  # noqa: F811
    people = [gid("Person", p.pk) for p in Person.objects.all()]
    query = """query ($ids: [ID!]!) { nodes(ids: $ids) { id
      ... on Person { signed { role document { id } } } } }"""
    with django_assert_num_queries(4):
        nodes = gql(client, query, {"ids": people[:1]})["nodes"]
    assert len(nodes) == 1
    with django_assert_num_queries(4):
        nodes = gql(client, query, {"ids": people})["nodes"]
    assert len(nodes) == 2


def test_node_and_nodes_cost_the_records_they_read():
    def cost(query: str) -> int:
        return limits.query_cost(schema._schema, parse(query))

    one, two = gid("Document", 1), gid("Document", 2)
    then = gid("Document", f"1@{THEN}")
    f, row = limits.FIELD, limits.ROW
    title = "{ id ... on Document { title } }"  # id is free (limits.KEYS); title is a field
    assert cost(f'{{ nodes(ids: ["{one}", "{two}"]) {title} }}') == f + limits.LIST + 2 * (row + f)
    assert cost(f'{{ node(id: "{one}") {title} }}') == f + limits.LIST + row + f
    assert cost(f'{{ node(id: "{then}") {title} }}') == f + limits.LIST + row + limits.AS_OF * f


APOLLO_QUERY = """
query Pact($t: DateTime) {
  document(slug: "pact", asOf: $t) {
    __typename id title
    signatories { __typename id role person { __typename id name } }
  }
}
"""


@pytest.mark.slow
def test_apollo_s_cache_keeps_a_record_now_and_as_it_was_apart(client, timeline):  # noqa: F811
    """clients/apollo/as-of-cache.mjs: the archive's answers for the pact now and at
    13:30, written into one InMemoryCache, read back each as it was answered."""
    node = node_or_skip()
    answers = {}
    for name, moment in (("now", None), ("then", iso(at(13, 30)))):
        variables = {"t": moment}
        data = gql(client, APOLLO_QUERY, variables)
        answers[name] = {"query": APOLLO_QUERY, "variables": variables, "data": data}
    run = subprocess.run(
        [node, CLIENTS / "apollo" / "as-of-cache.mjs"],
        input=json.dumps(answers),
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        cwd=CLIENTS,
    )
    assert run.returncode == 0, run.stderr
    out = json.loads(run.stdout)
    # As Apollo Client sends a query: with __typename, which its cache keys on.
    assert out["read"] == {name: answer["data"] for name, answer in answers.items()}
    assert [s["role"] for s in out["read"]["then"]["document"]["signatories"]] == [
        "signatory for the USSR",
        "signatory",
    ]
    assert [s["role"] for s in out["read"]["now"]["document"]["signatories"]] == ["signatory"]
    pact = timeline
    people = {p.slug: p.pk for p in Person.objects.all()}
    second = DocumentSignatory.objects.get().pk
    rows = [second - 1, second]  # Molotov's, deleted at 14:00, and Ribbentrop's
    then = f"@{THEN}"
    expected = sorted(
        {f"Document:{gid('Document', pact.pk)}", f"Document:{gid('Document', f'{pact.pk}{then}')}"}
        | {f"Person:{gid('Person', people['ribbentrop'])}"}
        | {f"Person:{gid('Person', f'{pk}{then}')}" for pk in people.values()}
        | {f"Signatory:{gid('Signatory', second)}"}
        | {f"Signatory:{gid('Signatory', f'{pk}{then}')}" for pk in rows}
    )
    assert out["keys"] == expected


@pytest.mark.parametrize(
    ("key", "title"),
    [
        # Moments UTC cannot represent read as the latest and the earliest (as asOf's).
        ("@9999-12-31T23:59:59-12:00", "Molotov–Ribbentrop Pact"),
        ("@0001-01-01T00:00:00+14:00", None),
    ],
)
def test_a_moment_out_of_utc_s_range_reads_as_the_edge(client, timeline, key, title):  # noqa: F811
    node = gql(client, NODE, {"id": gid("Document", f"{timeline.pk}{key}")})["node"]
    assert (node and node["title"]) == title


@pytest.mark.parametrize("key", [0, -1, 2**63, 10**30])
def test_a_key_no_record_can_have_is_null(client, timeline, key):  # noqa: F811
    assert gql(client, NODE, {"id": gid("Document", key)})["node"] is None
