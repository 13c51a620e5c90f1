"""The GraphQL contract against the demo data: exact data, in a fixed number of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from archive.models import Document, DocumentSignatory, Person, PersonName, State
from tests.factories import make_document, make_event, make_person, make_state
from tests.graphql_client import gql

pytestmark = pytest.mark.django_db


def grow(n: int) -> None:
    """Add ``n`` published documents, each with 2 parties, 2 new signatories and history."""
    poland, soviet_union = State.objects.get(slug="poland"), State.objects.get(slug="soviet-union")
    for i in range(n):
        document = Document.objects.create(
            slug=f"extra-{i}", title=f"Extra protocol {i}", kind="protocol", date="1941-09"
        )
        document.summary = "Changed once, for the history."
        document.save()
        document.parties.create(state=poland, role="party")
        document.parties.create(state=soviet_union, role="party")
        for side, state in (("a", poland), ("b", soviet_union)):
            person = Person.objects.create(slug=f"extra-{i}-{side}", name=f"Envoy {i}{side}")
            PersonName.objects.create(record=person, name=f"Envoi {i}{side}", language="fr")
            person.published = True
            person.save()
            DocumentSignatory.objects.create(document=document, person=person, on_behalf_of=state)
        document.published = True
        document.save()


# A page of 50: with every nested list, a page of 100 is over the cost budget.
DOCUMENTS_PAGE = """
query {
  documents(ordering: [{date: ASC}, {slug: ASC}], pagination: {limit: 50}) {
    totalCount
    results {
      slug title kind
      date { edtf display earliest latest approximate uncertain }
      place { slug name }
      parties { role state { slug name nameForms { name } } }
      signatories { role person { slug name nameForms { name language kind } } onBehalfOf { slug } }
      relatedDocuments { relation document { slug } }
      events { role event { slug } }
      sources { source { slug } locator }
      history { date type reason summary changes { field old new } }
    }
  }
}
"""

PERSONS_PAGE = """
query {
  persons(pagination: {limit: 100}) {
    totalCount
    results {
      slug name
      nameForms { name language kind }
      born { edtf } died { edtf }
      positions { title state { slug } period { display } }
      signed { role document { slug parties { state { slug } } } onBehalfOf { slug } }
      events { role event { slug } }
      history { type summary }
    }
  }
}
"""

EVENTS_PAGE = """
query {
  events(ordering: [{date: ASC}], pagination: {limit: 100}) {
    totalCount
    results {
      slug kind date { display }
      place { slug }
      participants { role person { slug } }
      states { role state { slug } }
      documents { role document { slug signatories { person { slug } } } }
      history { type }
    }
  }
}
"""

STATES_PAGE = """
query {
  states {
    totalCount
    results {
      slug name officialName nameForms { name }
      existence { display }
      documents { role document { slug } }
      events { role event { slug } }
      history { type }
    }
  }
}
"""


@pytest.mark.no_cache
@pytest.mark.parametrize(
    ("query", "queries", "total"),
    [
        (DOCUMENTS_PAGE, 21, lambda extra: 3 + extra),
        (PERSONS_PAGE, 16, lambda extra: 7 + 2 * extra),
        (EVENTS_PAGE, 16, lambda extra: 9),
        (STATES_PAGE, 10, lambda extra: 4),
    ],
    ids=["documents", "persons", "events", "states"],
)
@pytest.mark.parametrize("extra", [2, 20])
def test_list_queries_take_a_fixed_number_of_sql_queries(
    client, demo, django_assert_num_queries, settings, query, queries, total, extra
):
    """Nested relations and history cost the same number of queries at any size."""
    settings.GRAPHQL_MAX_COST = 10**7  # every list at once: over the budget of production
    grow(extra)
    with django_assert_num_queries(queries):
        data = gql(client, query)
    (page,) = data.values()
    assert (page["totalCount"], len(page["results"])) == (total(extra), total(extra))


DOCUMENT_LOCATORS = ["infobox", "Introduction", "Provisions"]


def test_the_agreement_with_its_signatories_parties_and_links(client, demo):
    data = gql(
        client,
        """
        {
          document(slug: "sikorski-mayski-agreement") {
            slug title officialTitle kind
            date { edtf display earliest latest approximate uncertain }
            place { slug name state { slug } }
            provisions { number }
            parties { role state { slug name } }
            signatories { role person { slug name } onBehalfOf { slug name } }
            relatedDocuments { relation document { slug title } }
            events { role event { slug } }
            sources { source { slug title url } locator }
          }
        }
        """,
    )
    assert data == {
        "document": {
            "slug": "sikorski-mayski-agreement",
            "title": "Sikorski–Mayski agreement",
            "officialTitle": "Treaty between the Republic of Poland and the U.S.S.R.",
            "kind": "AGREEMENT",
            "date": {
                "edtf": "1941-07-30",
                "display": "30 July 1941",
                "earliest": "1941-07-30",
                "latest": "1941-07-30",
                "approximate": False,
                "uncertain": False,
            },
            "place": {"slug": "london", "name": "London", "state": {"slug": "united-kingdom"}},
            "provisions": [{"number": 1}, {"number": 2}, {"number": 3}],
            "parties": [
                {"role": "party", "state": {"slug": "poland", "name": "Poland"}},
                {"role": "party", "state": {"slug": "soviet-union", "name": "Soviet Union"}},
            ],
            "signatories": [
                {
                    "role": "signatory",
                    "person": {"slug": "wladyslaw-sikorski", "name": "Władysław Sikorski"},
                    "onBehalfOf": {"slug": "poland", "name": "Poland"},
                },
                {
                    "role": "signatory",
                    "person": {"slug": "ivan-maisky", "name": "Ivan Maisky"},
                    "onBehalfOf": {"slug": "soviet-union", "name": "Soviet Union"},
                },
            ],
            "relatedDocuments": [
                {
                    "relation": "ANNULS",
                    "document": {
                        "slug": "molotov-ribbentrop-pact",
                        "title": "Molotov–Ribbentrop Pact",
                    },
                }
            ],
            "events": [
                {"role": "invalidated", "event": {"slug": "partition-of-poland-1939"}},
                {"role": "negotiated at", "event": {"slug": "polish-soviet-negotiations-1941"}},
                {
                    "role": "signed at",
                    "event": {"slug": "signing-of-the-sikorski-mayski-agreement"},
                },
            ],
            "sources": [
                {
                    "source": {
                        "slug": "sikorski-mayski-agreement-article",
                        "title": "Sikorski–Mayski agreement",
                        "url": "https://en.wikipedia.org/wiki/Sikorski%E2%80%93Mayski_agreement",
                    },
                    "locator": locator,
                }
                for locator in DOCUMENT_LOCATORS
            ],
        }
    }


def test_a_person_with_name_forms_positions_and_signed_documents(client, demo):
    data = gql(
        client,
        """
        {
          person(slug: "ivan-maisky") {
            slug name
            nameForms { name language kind }
            born { edtf display earliest latest approximate uncertain }
            died { display }
            positions { title state { slug } period { edtf display } }
            signed { role document { slug } onBehalfOf { slug } }
            events { role event { slug } }
          }
        }
        """,
    )
    assert data == {
        "person": {
            "slug": "ivan-maisky",
            "name": "Ivan Maisky",
            "nameForms": [
                {"name": "Ivan Maisky", "language": "en", "kind": "AUTHORIZED"},
                {"name": "Ivan Mayski", "language": "en", "kind": "VARIANT"},
                {"name": "Iwan Majski", "language": "pl", "kind": "VARIANT"},
                {"name": "Иван Майский", "language": "ru", "kind": "AUTHORIZED"},
            ],
            "born": {
                "edtf": "1884-01-19",
                "display": "19 January 1884",
                "earliest": "1884-01-19",
                "latest": "1884-01-19",
                "approximate": False,
                "uncertain": False,
            },
            "died": {"display": "3 September 1975"},
            "positions": [
                {
                    "title": "Soviet ambassador to the United Kingdom",
                    "state": {"slug": "soviet-union"},
                    "period": {"edtf": "1932/1943", "display": "1932 – 1943"},
                }
            ],
            "signed": [
                {
                    "role": "signatory",
                    "document": {"slug": "sikorski-mayski-agreement"},
                    "onBehalfOf": {"slug": "soviet-union"},
                }
            ],
            "events": [
                {"role": "negotiator", "event": {"slug": "polish-soviet-negotiations-1941"}},
                {
                    "role": "signatory",
                    "event": {"slug": "signing-of-the-sikorski-mayski-agreement"},
                },
            ],
        }
    }


def test_a_state_with_name_forms_documents_and_events(client, demo):
    data = gql(
        client,
        """
        {
          state(slug: "soviet-union") {
            name officialName nameForms { name language }
            existence { display earliest latest }
            documents { role document { slug } }
            events(pagination: {limit: 3}) { role event { slug } }
          }
        }
        """,
    )
    assert data == {
        "state": {
            "name": "Soviet Union",
            "officialName": "Union of Soviet Socialist Republics",
            "nameForms": [
                {"name": "U.S.S.R.", "language": "en"},
                {"name": "USSR", "language": "en"},
                {"name": "СССР", "language": "ru"},
            ],
            "existence": {
                "display": "30 December 1922 – 26 December 1991",
                "earliest": "1922-12-30",
                "latest": "1991-12-26",
            },
            "documents": [
                {"role": "party", "document": {"slug": "molotov-ribbentrop-pact"}},
                {"role": "party", "document": {"slug": "sikorski-mayski-agreement"}},
                {"role": "party", "document": {"slug": "polish-soviet-military-agreement"}},
            ],
            "events": [
                {"role": "aggressor", "event": {"slug": "invasion-of-poland-1939"}},
                {"role": "partitioning power", "event": {"slug": "partition-of-poland-1939"}},
                {"role": "invaded", "event": {"slug": "operation-barbarossa"}},
            ],
        }
    }


def test_an_event_and_a_place(client, demo):
    data = gql(
        client,
        """
        {
          event(slug: "operation-barbarossa") {
            name kind date { display } place { slug }
            participants { role } states { role state { slug } } documents { role }
          }
          place(slug: "london") { name latitude longitude state { slug } nameForms { name } }
          missing: place(slug: "atlantis") { name }
        }
        """,
    )
    assert data == {
        "event": {
            "name": "Operation Barbarossa",
            "kind": "INVASION",
            "date": {"display": "22 June 1941"},
            "place": None,
            "participants": [],
            "states": [
                {"role": "aggressor", "state": {"slug": "germany"}},
                {"role": "invaded", "state": {"slug": "soviet-union"}},
            ],
            "documents": [],
        },
        "place": {
            "name": "London",
            "latitude": 51.507222,
            "longitude": -0.1275,
            "state": {"slug": "united-kingdom"},
            "nameForms": [],
        },
        "missing": None,
    }


def test_events_of_july_and_august_1941_in_date_order(client, demo):
    """Overlap: the Anders Army (1941) and the mission (August–December) are in the range."""
    data = gql(
        client,
        """
        {
          events(filters: {dateFrom: "1941-07-01", dateTo: "1941-08-31"}, ordering: [{date: ASC}]) {
            totalCount
            results { slug date { edtf } }
          }
        }
        """,
    )
    assert data == {
        "events": {
            "totalCount": 6,
            "results": [
                {"slug": "formation-of-the-anders-army", "date": {"edtf": "1941"}},
                {
                    "slug": "polish-soviet-negotiations-1941",
                    "date": {"edtf": "1941-07-05/1941-07-30"},
                },
                {
                    "slug": "signing-of-the-sikorski-mayski-agreement",
                    "date": {"edtf": "1941-07-30"},
                },
                {"slug": "sikorski-moscow-mission", "date": {"edtf": "1941-08/1941-12"}},
                {"slug": "amnesty-for-polish-citizens-1941", "date": {"edtf": "1941-08-12"}},
                {"slug": "signing-of-the-military-agreement", "date": {"edtf": "1941-08-14"}},
            ],
        }
    }


def test_not_a_range_is_every_other_event(client, demo):
    """The range, NOT the range and an OR beside it: the counts add up (the range
    read by span class, or not, gives the same records)."""
    data = gql(
        client,
        """
        {
          all: events { totalCount }
          inside: events(filters: {dateFrom: "1941-07-01", dateTo: "1941-08-31"}) { totalCount }
          outside: events(filters: {NOT: {dateFrom: "1941-07-01", dateTo: "1941-08-31"}}) {
            totalCount
          }
          insideOrAmnesty: events(
            filters: {dateFrom: "1941-07-01", dateTo: "1941-08-31", OR: {kind: AMNESTY}}
          ) { totalCount }
        }
        """,
    )
    counts = {name: page["totalCount"] for name, page in data.items()}
    assert counts["inside"] == 6 and counts["insideOrAmnesty"] == 6
    assert counts["outside"] == counts["all"] - 6 > 0


@pytest.mark.parametrize(
    ("filters", "one_range"),
    [
        ('{dateFrom: "1941-07-01", dateTo: "1941-08-31"}', True),
        ('{dateTo: "1941-08-31", dateFrom: "1941-07-01"}', True),
        ('{dateFrom: "1941-07-01"}', False),
        ('{dateTo: "1941-08-31"}', False),
    ],
)
def test_date_from_and_date_to_filter_as_one_range(client, demo, filters, one_range):
    """Given together, dateFrom and dateTo make one range, which the span index serves
    (dates.overlaps); given alone, each bounds its own side."""
    with CaptureQueriesContext(connection) as queries:
        gql(client, f"{{ events(filters: {filters}) {{ totalCount }} }}")
    (count,) = [q["sql"] for q in queries.captured_queries if "COUNT(*)" in q["sql"]]
    assert ("date_span" in count) is one_range


PARTY_POLAND = ["sikorski-mayski-agreement", "polish-soviet-military-agreement"]
MOSCOW_DOCUMENTS = ["molotov-ribbentrop-pact", "polish-soviet-military-agreement"]
MAISKY_EVENTS = ["polish-soviet-negotiations-1941", "signing-of-the-sikorski-mayski-agreement"]
GERMANY_1939 = ["partition-of-poland-1939"]
SIGNATORIES = ["ivan-maisky", "wladyslaw-sikorski"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("""persons(filters: {text: "wladyslaw sikorski"})""", ["wladyslaw-sikorski"]),
        ("""persons(filters: {text: "MAJSKI"})""", ["ivan-maisky"]),
        ("""persons(filters: {text: "szyszko bohusz"})""", ["zygmunt-szyszko-bohusz"]),
        ("""states(filters: {text: "ussr"})""", ["soviet-union"]),
        ("""states(filters: {text: "u.s.s.r."})""", ["soviet-union"]),
        ("""states(filters: {text: "rzeczpospolita"})""", ["poland"]),
        ("""documents(filters: {party: "poland"})""", PARTY_POLAND),
        ("""documents(filters: {signatory: "ivan-maisky"})""", ["sikorski-mayski-agreement"]),
        ("""documents(filters: {kind: PACT})""", ["molotov-ribbentrop-pact"]),
        ("""documents(filters: {place: "moscow"})""", MOSCOW_DOCUMENTS),
        ("""documents(filters: {dateTo: "1939-12-31"})""", ["molotov-ribbentrop-pact"]),
        ("""events(filters: {participant: "ivan-maisky"})""", MAISKY_EVENTS),
        ("""events(filters: {kind: AMNESTY})""", ["amnesty-for-polish-citizens-1941"]),
        ("""events(filters: {state: "germany", dateTo: "1940-01-01"})""", GERMANY_1939),
        ("""persons(filters: {signed: "sikorski-mayski-agreement"})""", SIGNATORIES),
        ("""places(filters: {state: "soviet-union"})""", ["moscow"]),
    ],
)
def test_filters(client, demo, query, expected):
    (page,) = gql(client, f"{{ {query} {{ totalCount results {{ slug }} }} }}").values()
    assert sorted(r["slug"] for r in page["results"]) == sorted(expected)
    assert page["totalCount"] == len(expected)


@pytest.mark.no_cache
def test_search_finds_the_agreement_first_for_sikorski_maisky(
    client, demo, django_assert_num_queries
):
    query = """
    {
      search(text: "sikorski maisky") {
        score
        record { __typename ... on Document { slug } ... on Event { slug } }
      }
    }
    """
    # Ranking: one query per record type; then the hits again, per type found.
    with django_assert_num_queries(7):
        data = gql(client, query)
    assert data == {
        "search": [
            {
                "score": 3.0,
                "record": {"__typename": "Document", "slug": "sikorski-mayski-agreement"},
            },
            {
                "score": 2.0,
                "record": {
                    "__typename": "Event",
                    "slug": "signing-of-the-sikorski-mayski-agreement",
                },
            },
            {
                "score": 1.0,
                "record": {"__typename": "Document", "slug": "polish-soviet-military-agreement"},
            },
        ]
    }


def test_search_ranks_an_exact_name_before_names_before_a_summary(client, demo):
    """Poland is the state's name; two events and the agreement's official title name it;
    the military agreement only mentions it in its summary."""
    data = gql(
        client,
        """
        {
          search(text: "POLAND") {
            score
            record {
              __typename ... on Document { slug } ... on State { slug } ... on Event { slug }
            }
          }
        }
        """,
    )
    hits = [(h["score"], h["record"]["__typename"], h["record"]["slug"]) for h in data["search"]]
    assert hits == [
        (4.0, "State", "poland"),
        (2.0, "Event", "partition-of-poland-1939"),
        (2.0, "Event", "invasion-of-poland-1939"),
        (2.0, "Document", "sikorski-mayski-agreement"),
        (1.0, "Document", "polish-soviet-military-agreement"),
    ]


def test_search_limit_and_empty_text(client, demo):
    data = gql(
        client, '{ a: search(text: "poland", limit: 1) { score } b: search(text: " ") { score } }'
    )
    assert data == {"a": [{"score": 4.0}], "b": []}


SEARCH_WITH_RELATIONS = """
{
  search(text: "envoy", limit: 100) {
    score
    record {
      __typename
      ...DocumentParts
      ... on Person { slug nameForms { name } signed { document { slug } } }
    }
  }
}
fragment DocumentParts on Document { slug signatories { person { name } } }
"""


@pytest.mark.no_cache
@pytest.mark.parametrize(("extra", "hits"), [(2, 4), (10, 20)])
def test_search_with_nested_relations_takes_a_fixed_number_of_queries(
    client, demo, django_assert_num_queries, extra, hits
):
    """Ranking is one query per record type; the hits' relations are prefetched per type."""
    grow(extra)
    with django_assert_num_queries(9):
        data = gql(client, SEARCH_WITH_RELATIONS)
    assert len(data["search"]) == hits
    first = data["search"][0]
    assert first["record"]["__typename"] == "Person"
    assert first["record"]["signed"] == [{"document": {"slug": "extra-0"}}]


SINGLE_RECORDS = """
{
  document(slug: "extra-0") {
    title
    parties { role state { slug nameForms { name } } }
    signatories { role person { slug nameForms { name } signed { document { slug } } } }
    history { type summary changes { field old new } }
  }
  person(slug: "extra-0-a") {
    name
    signed { document { slug parties { state { slug } } } onBehalfOf { slug } }
    history { type }
  }
  state(slug: "poland") {
    documents(pagination: {limit: 100}) { document { slug } }
    history { type }
  }
}
"""


@pytest.mark.no_cache
@pytest.mark.parametrize("signatories", [2, 20])
def test_single_records_take_a_fixed_number_of_queries(
    client, demo, django_assert_num_queries, signatories
):
    """A document with 2 or 20 signatories, each with name forms and signed documents."""
    grow(1)
    document = Document.objects.get(slug="extra-0")
    for i in range(signatories - 2):
        person = Person.objects.create(slug=f"witness-{i}", name=f"Witness {i}", published=True)
        PersonName.objects.create(record=person, name=f"Temoin {i}", language="fr")
        DocumentSignatory.objects.create(document=document, person=person, role="witness")
    with django_assert_num_queries(31):
        data = gql(client, SINGLE_RECORDS)
    assert len(data["document"]["signatories"]) == min(signatories, 20)
    # Public history starts at publication: the rows added while it was a draft
    # are part of "Created"; the witnesses came later.
    assert len(data["document"]["history"]) == 1 + (signatories - 2)
    assert data["person"]["signed"] == [
        {
            "document": {
                "slug": "extra-0",
                "parties": [{"state": {"slug": "poland"}}, {"state": {"slug": "soviet-union"}}],
            },
            "onBehalfOf": {"slug": "poland"},
        }
    ]
    assert len(data["state"]["documents"]) == 3


EVENT_AND_PLACES = """
{
  event(slug: "polish-soviet-negotiations-1941") {
    name
    participants(pagination: {limit: 100}) { role person { slug nameForms { name } } }
    states { role state { slug } }
    history { type }
  }
  place(slug: "london") {
    name nameForms { name } state { slug } sources { locator } history { type }
  }
  places(pagination: {limit: 100}) { totalCount results { slug nameForms { name } state { slug } } }
}
"""


@pytest.mark.no_cache
@pytest.mark.parametrize("extra", [2, 20])
def test_event_and_places_take_a_fixed_number_of_queries(
    client, demo, django_assert_num_queries, extra
):
    from archive.models import Event, EventParticipant, Place, PlaceName

    event = Event.objects.get(slug="polish-soviet-negotiations-1941")
    uk = State.objects.get(slug="united-kingdom")
    for i in range(extra):
        person = Person.objects.create(slug=f"clerk-{i}", name=f"Clerk {i}", published=True)
        PersonName.objects.create(record=person, name=f"Schreiber {i}", language="de")
        EventParticipant.objects.create(event=event, person=person, role="clerk")
        place = Place.objects.create(slug=f"town-{i}", name=f"Town {i}", state=uk, published=True)
        PlaceName.objects.create(record=place, name=f"Stadt {i}", language="de")
    with django_assert_num_queries(22):
        data = gql(client, EVENT_AND_PLACES)
    assert len(data["event"]["participants"]) == 5 + extra
    assert data["places"]["totalCount"] == 2 + extra
    # Places sort by name: "Town 10" comes before "Town 9".
    assert data["places"]["results"][-1] == {
        "slug": f"town-{extra - 1}" if extra < 10 else "town-9",
        "nameForms": [{"name": f"Stadt {extra - 1}" if extra < 10 else "Stadt 9"}],
        "state": {"slug": "united-kingdom"},
    }


CHRONOLOGICAL = ["1939-09/1939-10", "1941", "1941/..", "1941-07-30", "../1941", ""]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "ordering, expected",
    [
        ("[{date: ASC}, {slug: ASC}]", CHRONOLOGICAL),
        ("[{date: DESC}, {slug: DESC}]", CHRONOLOGICAL[::-1]),
        (
            "[{date: ASC_NULLS_FIRST}, {slug: ASC}]",
            ["", "../1941", "1939-09/1939-10", "1941/..", "1941", "1941-07-30"],
        ),
        ("[{date: ASC_NULLS_LAST}, {slug: ASC}]", CHRONOLOGICAL),
    ],
    ids=["ascending", "descending", "nulls first", "nulls last"],
)
def test_the_order_by_date_is_the_same_on_every_database(client, ordering, expected):
    """By first day, then last; without a first day (undated, open start) after the
    dated, without a last day after those with one. SQLite alone would put the nulls
    first, PostgreSQL last."""
    from tests.factories import make_document

    for number, edtf in enumerate(reversed(CHRONOLOGICAL)):
        make_document(slug=f"d{number}", date=edtf, published=True)
    data = gql(client, f"{{ documents(ordering: {ordering}) {{ results {{ date {{ edtf }} }} }} }}")
    dates = [(d["date"] or {"edtf": ""})["edtf"] for d in data["documents"]["results"]]
    assert dates == expected


# --- every date filter follows the one overlap rule (dates.overlaps) ----------------

# Dates of every shape the rule distinguishes, with the ranges each lies in.
RULE_DATES = {
    "unknown-end": "1941/",
    "open-end": "1941/..",
    "open-start": "../1941",
    "year": "1941",
    "later": "1960",
    "undated": "",
}
RULE_FILTERS = {
    '{dateFrom: "1950-01-01"}': ["later", "open-end", "unknown-end"],
    '{dateTo: "1930-12-31"}': ["open-start"],
    '{dateFrom: "1950-01-01", dateTo: "1955-12-31"}': ["open-end", "unknown-end"],
    '{NOT: {dateFrom: "1950-01-01", dateTo: "1955-12-31"}}': [
        "later",
        "open-start",
        "undated",
        "year",
    ],
}


@pytest.mark.parametrize("filters", list(RULE_FILTERS))
@pytest.mark.parametrize(
    ("field", "make"),
    [
        ("documents", lambda slug, date: make_document(slug=slug, date=date, published=True)),
        ("events", lambda slug, date: make_event(slug=slug, date=date, published=True)),
        ("states", lambda slug, date: make_state(slug=slug, existence=date, published=True)),
    ],
)
def test_every_date_filter_follows_the_overlap_rule(client, field, make, filters):
    """An open or unknown end reaches every day on its side; an undated record is in
    no range, and NOT of a range is every other record."""
    for slug, date in RULE_DATES.items():
        make(slug, date)
    query = f"{{ {field}(filters: {filters}, ordering: [{{slug: ASC}}]) {{ results {{ slug }} }} }}"
    assert gql(client, query) == {
        field: {"results": [{"slug": slug} for slug in RULE_FILTERS[filters]]}
    }


# A life runs from the first day of birth to the last day of death; an unknown
# birth or death leaves that side open, a life with neither is undated.
LIVES = {
    "died-open": ("1880", "1941/"),  # died 1941 or later
    "died-1941": ("1880", "1941"),
    "alive": ("1900", ""),
    "born-unknown": ("", "1941"),
    "born-1960": ("1960", ""),
    "undated": ("", ""),
}
LIFE_FILTERS = {
    '{dateFrom: "1950-01-01"}': ["alive", "born-1960", "died-open"],
    '{dateTo: "1930-12-31"}': ["alive", "born-unknown", "died-1941", "died-open"],
    '{dateFrom: "1950-01-01", dateTo: "1955-12-31"}': ["alive", "died-open"],
    '{NOT: {dateFrom: "1950-01-01"}}': ["born-unknown", "died-1941", "undated"],
}


@pytest.mark.parametrize("filters", list(LIFE_FILTERS))
def test_a_person_s_life_follows_the_overlap_rule(client, filters):
    for slug, (born, died) in LIVES.items():
        make_person(slug=slug, born=born, died=died, published=True)
    query = f"{{ persons(filters: {filters}, ordering: [{{slug: ASC}}]) {{ results {{ slug }} }} }}"
    assert gql(client, query) == {
        "persons": {"results": [{"slug": slug} for slug in LIFE_FILTERS[filters]]}
    }
