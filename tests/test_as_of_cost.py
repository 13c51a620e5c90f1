"""What an ``asOf`` read costs: the rows its pages show, whatever the relations hold.

A record read as of a moment is rebuilt from versions; only the rows on the
pages the query asks for are read, level after level, and each level costs a
fixed number of SQL queries. The same query against an archive where the
relations it walks are ten times longer costs the same queries and reads the
same rows.
"""

import datetime

import pytest
from django.db import models

from archive.models import Document, DocumentParty, DocumentSignatory, Person, PersonName, State
from tests.graphql_client import gql

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
T0 = datetime.datetime(2026, 1, 1, 9, tzinfo=UTC)
MOMENT = "2026-01-01T12:00:00Z"
LATER = datetime.datetime(2026, 1, 1, 13, tzinfo=UTC)


def save(obj, when, reason="Catalogued"):
    obj._history_date = when
    obj._change_reason = reason
    obj.save()
    return obj


def archive(size: int) -> None:
    """A hub: ``size`` documents, each signed by the person "hub" and by one other,
    with the state "hub-state" party to each. Every document, row and person
    was saved before MOMENT; at LATER the hub's name changes and every document
    gets one more signatory, which an asOf read at MOMENT must not show."""
    hub_state = save(State(slug="hub-state", name="Hub State", published=True), T0)
    hub = save(Person(slug="hub", name="Hub", published=True), T0)
    for i in range(size):
        other = save(Person(slug=f"other-{i:03}", name=f"Other {i}", published=True), T0)
        save(PersonName(record=other, name=f"Anderer {i}", language="de"), T0)
        document = save(
            Document(slug=f"doc-{i:03}", title=f"Document {i}", kind="treaty", published=True),
            T0 + datetime.timedelta(minutes=1),
        )
        at = T0 + datetime.timedelta(minutes=2)
        save(DocumentSignatory(document=document, person=hub, role="hub"), at)
        save(DocumentSignatory(document=document, person=other, role=f"signer {i}"), at)
        save(DocumentParty(document=document, state=hub_state, role="party"), at)
        save(DocumentSignatory(document=document, person=other, role="later"), LATER)
    hub.name = "Hub, renamed later"
    save(hub, LATER)


# Nine levels of lists and links, every list a page of one.
DEEP = """
query ($t: DateTime, $one: Int = 1) {
  person(slug: "hub", asOf: $t) {
    name
    signed(pagination: {limit: $one}) {
      document {
        slug
        parties(pagination: {limit: 1}) {
          state {
            slug
            documents(pagination: {offset: 1, limit: 1}) {
              document {
                slug
                signatories(pagination: {offset: 1, limit: $one}) {
                  role
                  person {
                    slug
                    nameForms(pagination: {limit: 1}) { name }
                  }
                }
              }
            }
          }
        }
      }
    }
  }
}
"""

DEEP_ANSWER = {
    "person": {
        "name": "Hub",
        "signed": [
            {
                "document": {
                    "slug": "doc-000",
                    "parties": [
                        {
                            "state": {
                                "slug": "hub-state",
                                "documents": [
                                    {
                                        "document": {
                                            "slug": "doc-001",
                                            "signatories": [
                                                {
                                                    "role": "signer 1",
                                                    "person": {
                                                        "slug": "other-001",
                                                        "nameForms": [{"name": "Anderer 1"}],
                                                    },
                                                }
                                            ],
                                        }
                                    }
                                ],
                            }
                        }
                    ],
                }
            }
        ],
    }
}


@pytest.fixture
def rows_loaded(monkeypatch):
    """The model instances loaded from the database (records, rows, versions), by model."""
    loaded: list[type[models.Model]] = []
    from_db = models.Model.from_db.__func__

    def counting(cls, db, field_names, values):
        loaded.append(cls)
        return from_db(cls, db, field_names, values)

    monkeypatch.setattr(models.Model, "from_db", classmethod(counting))
    return loaded


@pytest.mark.no_cache
@pytest.mark.parametrize("size", [3, 30])
def test_a_deep_as_of_read_costs_the_same_queries_at_every_size(
    client, django_assert_num_queries, size
):
    """One query for the slug, then per level one for the rows' page and one per
    model they link to: person; signed, their documents; parties, their states;
    documents, their documents; signatories, their persons (and states, none
    here); name forms."""
    archive(size)
    with django_assert_num_queries(11):
        assert gql(client, DEEP, {"t": MOMENT}) == DEEP_ANSWER


@pytest.mark.parametrize("size", [3, 30])
def test_a_deep_as_of_read_with_pages_of_one_reads_only_those_rows(client, rows_loaded, size):
    """Whatever the relations hold (here 3 or 30 documents per person and state),
    each level reads the rows on its page of one and the records they link to:
    5 versions of rows and 5 of records."""
    archive(size)
    assert gql(client, DEEP, {"t": MOMENT}) == DEEP_ANSWER
    names = sorted(model.__name__ for model in rows_loaded)
    assert names == [
        "HistoricalDocument",  # signed's document
        "HistoricalDocument",  # the state's documents' document
        "HistoricalDocumentParty",  # the state's documents, page of one at offset 1
        "HistoricalDocumentParty",  # the document's parties, page of one
        "HistoricalDocumentSignatory",  # the hub's signed, page of one
        "HistoricalDocumentSignatory",  # signatories at offset 1
        "HistoricalPerson",  # the hub
        "HistoricalPerson",  # the other
        "HistoricalPersonName",  # the other's name form
        "HistoricalState",  # the party's state
    ]


def test_past_pages_count_only_the_rows_public_then(client):
    """A signatory whose person was a draft at the moment takes no place in a page;
    two pages of one relation (aliases) each get their own rows."""
    document = save(Document(slug="pact", title="Pact", kind="treaty", published=True), T0)
    envoy = save(Person(slug="envoy", name="Envoy", published=False), T0)
    at = T0 + datetime.timedelta(minutes=1)
    save(DocumentSignatory(document=document, person=envoy, role="envoy"), at)
    for name in ("b", "c", "d"):
        person = save(Person(slug=name, name=name.upper(), published=True), T0)
        save(DocumentSignatory(document=document, person=person, role=name), at)
    envoy.published = True
    save(envoy, LATER)
    query = """
    query ($t: DateTime) {
      document(slug: "pact", asOf: $t) {
        first: signatories(pagination: {limit: 1}) { person { slug } }
        rest: signatories(pagination: {offset: 1, limit: 5}) { role }
        last: signatories(pagination: {offset: 2}) { person { slug } }
        none: signatories(pagination: {offset: 3}) { role }
      }
    }
    """
    assert gql(client, query, {"t": MOMENT}) == {
        "document": {
            "first": [{"person": {"slug": "b"}}],
            "rest": [{"role": "c"}, {"role": "d"}],
            "last": [{"person": {"slug": "d"}}],
            "none": [],
        }
    }
    assert gql(client, query, {"t": None})["document"]["first"] == [{"person": {"slug": "envoy"}}]
