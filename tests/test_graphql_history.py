"""History and asOf in the API: exact past states, exactly the changed fields."""

import datetime

import pytest
from django.apps import apps
from strawberry.utils.str_converters import to_camel_case

from archive import history
from archive.graphql import types
from archive.models import Document, DocumentSignatory, Person, PersonName, State
from archive.models.base import Row
from tests.graphql_client import gql

pytestmark = pytest.mark.django_db

UTC = datetime.UTC


def at(hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(2026, 1, 1, hour, minute, tzinfo=UTC)


def iso(moment: datetime.datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def save(obj, when, reason=""):
    """Save with a known version date and reason."""
    obj._history_date = when
    obj._change_reason = reason
    obj.save()


@pytest.fixture
def timeline(db):
    """A treaty edited at known times.

    10:00 created (published) with Molotov as signatory; 11:00 title and date
    changed; 12:00 Ribbentrop added as a second signatory; 13:00 Molotov's role
    changed; 14:00 Molotov removed.
    """
    germany = State(slug="germany", name="Germany", published=True)
    save(germany, at(9))
    molotov = Person(slug="molotov", name="Vyacheslav Molotov", published=True)
    save(molotov, at(9))
    ribbentrop = Person(slug="ribbentrop", name="Joachim von Ribbentrop", published=True)
    save(ribbentrop, at(9))
    pact = Document(slug="pact", title="Pact", kind="pact", date="1939", published=True)
    save(pact, at(10), "Catalogued")
    first = DocumentSignatory(document=pact, person=molotov, role="signatory")
    save(first, at(10, 1), "Catalogued")
    pact.title, pact.date = "Molotov–Ribbentrop Pact", "1939-08-23"
    save(pact, at(11), "Title and date from the treaty text")
    second = DocumentSignatory(document=pact, person=ribbentrop, on_behalf_of=germany)
    save(second, at(12), "Second signatory")
    first.role = "signatory for the USSR"
    save(first, at(13), "Role made precise")
    first._history_date = at(14)
    first._change_reason = "Duplicate entry"
    first.delete()
    return pact


PACT_AS_OF = """
query ($t: DateTime) {
  document(slug: "pact", asOf: $t) {
    title
    date { edtf }
    signatories { role person { slug name } onBehalfOf { slug } }
  }
}
"""


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (at(9, 59), None),
        (
            at(10, 30),
            {
                "title": "Pact",
                "date": {"edtf": "1939"},
                "signatories": [
                    {
                        "role": "signatory",
                        "person": {"slug": "molotov", "name": "Vyacheslav Molotov"},
                        "onBehalfOf": None,
                    }
                ],
            },
        ),
        (
            at(11, 30),
            {
                "title": "Molotov–Ribbentrop Pact",
                "date": {"edtf": "1939-08-23"},
                "signatories": [
                    {
                        "role": "signatory",
                        "person": {"slug": "molotov", "name": "Vyacheslav Molotov"},
                        "onBehalfOf": None,
                    }
                ],
            },
        ),
        (
            at(12, 30),
            {
                "title": "Molotov–Ribbentrop Pact",
                "date": {"edtf": "1939-08-23"},
                "signatories": [
                    {
                        "role": "signatory",
                        "person": {"slug": "molotov", "name": "Vyacheslav Molotov"},
                        "onBehalfOf": None,
                    },
                    {
                        "role": "signatory",
                        "person": {"slug": "ribbentrop", "name": "Joachim von Ribbentrop"},
                        "onBehalfOf": {"slug": "germany"},
                    },
                ],
            },
        ),
        (
            at(13, 30),
            {
                "title": "Molotov–Ribbentrop Pact",
                "date": {"edtf": "1939-08-23"},
                "signatories": [
                    {
                        "role": "signatory for the USSR",
                        "person": {"slug": "molotov", "name": "Vyacheslav Molotov"},
                        "onBehalfOf": None,
                    },
                    {
                        "role": "signatory",
                        "person": {"slug": "ribbentrop", "name": "Joachim von Ribbentrop"},
                        "onBehalfOf": {"slug": "germany"},
                    },
                ],
            },
        ),
        (
            at(14, 30),
            {
                "title": "Molotov–Ribbentrop Pact",
                "date": {"edtf": "1939-08-23"},
                "signatories": [
                    {
                        "role": "signatory",
                        "person": {"slug": "ribbentrop", "name": "Joachim von Ribbentrop"},
                        "onBehalfOf": {"slug": "germany"},
                    }
                ],
            },
        ),
    ],
    ids=["before", "created", "renamed", "second-signatory", "role-changed", "removed"],
)
def test_as_of_returns_each_past_state_with_its_relation_rows(client, timeline, moment, expected):
    assert gql(client, PACT_AS_OF, {"t": iso(moment)}) == {"document": expected}


@pytest.mark.no_cache
def test_as_of_takes_a_fixed_number_of_queries(client, timeline, django_assert_num_queries):
    """More rows in the past state cost no more queries: one query per relation and model.

    The record's slug, its versions, its signatories' versions, their persons';
    at 11:30 one signatory, for no state; at 12:30 two, one for a state (so
    states are read too); at 14:30 one, for a state.
    """
    with django_assert_num_queries(4):
        gql(client, PACT_AS_OF, {"t": iso(at(11, 30))})
    with django_assert_num_queries(5):
        gql(client, PACT_AS_OF, {"t": iso(at(12, 30))})
    with django_assert_num_queries(5):
        gql(client, PACT_AS_OF, {"t": iso(at(14, 30))})


DEEP_AS_OF = """
query ($t: DateTime) {
  document(slug: "pact", asOf: $t) {
    title
    signatories {
      person {
        slug
        nameForms { name }
        signed { role document { slug parties { state { slug } } } }
        history { type }
      }
    }
    history { summary }
  }
}
"""


@pytest.mark.no_cache
@pytest.mark.parametrize("signatories", [2, 12])
def test_deep_as_of_reads_take_a_fixed_number_of_queries(
    client, timeline, django_assert_num_queries, settings, signatories
):
    """Relations of relations, as they were, cost one query per level and model."""
    settings.GRAPHQL_MAX_COST = 10**7  # seven levels asOf: over the budget of production
    pact = Document.objects.get(slug="pact")
    for i in range(signatories - 1):
        person = Person(slug=f"aide-{i}", name=f"Aide {i}", published=True)
        save(person, at(15))
        save(PersonName(record=person, name=f"Helfer {i}", language="de"), at(15))
        save(DocumentSignatory(document=pact, person=person, role="aide"), at(15, 30))
    with django_assert_num_queries(20):
        data = gql(client, DEEP_AS_OF, {"t": iso(at(16))})
    people = data["document"]["signatories"]
    assert len(people) == signatories
    assert people[-1]["person"]["nameForms"] == [{"name": f"Helfer {signatories - 2}"}]
    assert people[-1]["person"]["signed"] == [
        {"role": "aide", "document": {"slug": "pact", "parties": []}}
    ]
    assert people[-1]["person"]["history"] == [{"type": "CHANGED"}, {"type": "CREATED"}]


def test_history_lists_exactly_the_changed_fields_newest_first(client, timeline):
    data = gql(
        client,
        """
        {
          document(slug: "pact") {
            history { date type reason summary changes { field old new } }
          }
        }
        """,
    )
    assert data["document"]["history"] == [
        {
            "date": "2026-01-01T14:00:00+00:00",
            "type": "CHANGED",
            "reason": "Duplicate entry",
            "summary": "signatory removed: Vyacheslav Molotov",
            "changes": [
                {"field": "signatories", "old": "Vyacheslav Molotov", "new": None},
            ],
        },
        {
            "date": "2026-01-01T13:00:00+00:00",
            "type": "CHANGED",
            "reason": "Role made precise",
            "summary": "signatory changed: Vyacheslav Molotov",
            "changes": [
                {
                    "field": "signatories.role",
                    "old": "signatory",
                    "new": "signatory for the USSR",
                }
            ],
        },
        {
            "date": "2026-01-01T12:00:00+00:00",
            "type": "CHANGED",
            "reason": "Second signatory",
            "summary": "signatory added: Joachim von Ribbentrop for Germany",
            "changes": [
                {
                    "field": "signatories",
                    "old": None,
                    "new": "Joachim von Ribbentrop for Germany",
                }
            ],
        },
        {
            "date": "2026-01-01T11:00:00+00:00",
            "type": "CHANGED",
            "reason": "Title and date from the treaty text",
            "summary": "Changed",
            "changes": [
                {"field": "title", "old": "Pact", "new": "Molotov–Ribbentrop Pact"},
                {"field": "date", "old": "1939", "new": "1939-08-23"},
            ],
        },
        {
            "date": "2026-01-01T10:01:00+00:00",
            "type": "CHANGED",
            "reason": "Catalogued",
            "summary": "signatory added: Vyacheslav Molotov",
            "changes": [{"field": "signatories", "old": None, "new": "Vyacheslav Molotov"}],
        },
        {
            "date": "2026-01-01T10:00:00+00:00",
            "type": "CREATED",
            "reason": "Catalogued",
            "summary": "Created",
            "changes": [],
        },
    ]


def test_history_as_of_a_moment_stops_there(client, timeline):
    data = gql(
        client,
        """query ($t: DateTime) { document(slug: "pact", asOf: $t) { history { reason } } }""",
        {"t": iso(at(11, 30))},
    )
    assert data == {
        "document": {
            "history": [
                {"reason": "Title and date from the treaty text"},
                {"reason": "Catalogued"},
                {"reason": "Catalogued"},
            ]
        }
    }


def test_a_person_as_of_before_an_edit_a_minute_ago(client, demo):
    """The 'done' scenario: Maisky's record as it was before an admin edit."""
    maisky = Person.objects.get(slug="ivan-maisky")
    (loaded,) = maisky.history.all()
    # After the whole load (its name forms were versioned after him, a busy
    # machine may take more than a second), before the edit.
    forms = PersonName.history.filter(record_id=maisky.pk)
    loaded_at = max([loaded.history_date, *forms.values_list("history_date", flat=True)])
    before_edit = loaded_at + datetime.timedelta(seconds=1)
    maisky.born = "1884"
    save(maisky, before_edit + datetime.timedelta(minutes=1), "Only the year is certain")
    form = PersonName(record=maisky, name="Iwan Maiski", language="de")
    save(form, before_edit + datetime.timedelta(minutes=1), "Only the year is certain")

    query = """
    query ($t: DateTime) {
      person(slug: "ivan-maisky", asOf: $t) { born { edtf } nameForms { name } }
    }
    """
    past = gql(client, query, {"t": iso(before_edit)})
    now = gql(client, query, {"t": None})
    assert past == {
        "person": {
            "born": {"edtf": "1884-01-19"},
            "nameForms": [
                {"name": "Ivan Maisky"},
                {"name": "Ivan Mayski"},
                {"name": "Iwan Majski"},
                {"name": "Иван Майский"},
            ],
        }
    }
    assert now["person"]["born"] == {"edtf": "1884"}
    assert now["person"]["nameForms"][-1] == {"name": "Iwan Maiski"}


def test_history_is_paged_newest_first(client, db):
    """A long history comes 20 entries at a time unless the client asks otherwise."""
    person = Person.objects.create(slug="busy", name="Busy 0", published=True)
    for i in range(1, 26):
        person.name = f"Busy {i}"
        person.save()
    query = """
    query ($page: OffsetPaginationInput) {
      person(slug: "busy") { history(pagination: $page) { type changes { new } } }
    }
    """
    first = gql(client, query)["person"]["history"]
    assert len(first) == 20
    assert first[0] == {"type": "CHANGED", "changes": [{"new": "Busy 25"}]}
    rest = gql(client, query, {"page": {"offset": 20}})["person"]["history"]
    assert [entry["changes"] for entry in rest] == [
        [{"new": f"Busy {i}"}] for i in (5, 4, 3, 2, 1)
    ] + [[]]
    assert rest[-1]["type"] == "CREATED"


# --- rows written while a record they link to was a draft -----------------------

ENVOY_HISTORY = """
query ($t: DateTime) {
  document(slug: "treaty", asOf: $t) {
    history { date type reason summary changes { field old new } }
  }
}
"""
CREATED = {
    "date": "2026-01-01T10:00:00+00:00",
    "type": "CREATED",
    "reason": "Catalogued",
    "summary": "Created",
    "changes": [],
}


@pytest.fixture
def envoy(db):
    """A published treaty; a draft envoy added as its signatory at 11:00 and his role
    changed at 11:30, both while he was a draft. He is not published yet."""
    uk = State(slug="uk", name="United Kingdom", published=True)
    save(uk, at(9))
    envoy = Person(slug="envoy", name="Secret Envoy")
    save(envoy, at(9), "Drafted")
    treaty = Document(slug="treaty", title="Treaty", kind="treaty", published=True)
    save(treaty, at(10), "Catalogued")
    signatory = DocumentSignatory(document=treaty, person=envoy, role="witness", on_behalf_of=uk)
    save(signatory, at(11), "Envoy added from the secret file")
    signatory.role = "observer"
    save(signatory, at(11, 30), "Role from the secret file")
    return envoy


@pytest.mark.no_cache
def test_rows_written_while_a_linked_person_was_a_draft_stay_out_of_history(client, envoy):
    """Before and after the envoy is published, the treaty's history is only its
    creation: the rows written while he was a draft were never public. His role
    changed after publication is a change from the role the public saw."""
    assert gql(client, ENVOY_HISTORY) == {"document": {"history": [CREATED]}}

    envoy.published = True
    save(envoy, at(12), "Published")
    assert gql(client, ENVOY_HISTORY) == {"document": {"history": [CREATED]}}
    assert gql(client, ENVOY_HISTORY, {"t": iso(at(12, 30))}) == {
        "document": {"history": [CREATED]}
    }

    signatory = DocumentSignatory.objects.get(person=envoy)
    signatory.role = "signatory"
    save(signatory, at(13), "Role confirmed")
    assert gql(client, ENVOY_HISTORY) == {
        "document": {
            "history": [
                {
                    "date": "2026-01-01T13:00:00+00:00",
                    "type": "CHANGED",
                    "reason": "Role confirmed",
                    "summary": "signatory changed: Secret Envoy for United Kingdom",
                    "changes": [
                        {"field": "signatories.role", "old": "observer", "new": "signatory"}
                    ],
                },
                CREATED,
            ]
        }
    }
    # As of 12:30 nothing has changed.
    assert gql(client, ENVOY_HISTORY, {"t": iso(at(12, 30))}) == {
        "document": {"history": [CREATED]}
    }


PAGE_HISTORIES = """
{
  documents(pagination: {limit: 20}) {
    results { slug history { date type reason summary changes { field old new } } }
  }
}
"""


@pytest.mark.no_cache
@pytest.mark.parametrize("documents", [2, 12])
def test_a_page_of_histories_takes_a_fixed_number_of_queries(
    client, envoy, django_assert_num_queries, documents
):
    """Whether a row's records were public then costs no query per record or row:
    the page, the documents' versions and one query per row model's versions
    (citations, provisions, parties, signatories, links)."""
    envoy.published = True
    save(envoy, at(12), "Published")
    uk = State.objects.get(slug="uk")
    for i in range(documents - 1):
        draft = Person(slug=f"aide-{i}", name=f"Aide {i}")
        save(draft, at(9))
        document = Document(slug=f"doc-{i}", title=f"Doc {i}", kind="letter", published=True)
        save(document, at(10))
        save(DocumentSignatory(document=document, person=envoy, on_behalf_of=uk), at(11))
        save(DocumentSignatory(document=document, person=draft), at(11))
        draft.published = True
        save(draft, at(12))
    with django_assert_num_queries(7):
        data = gql(client, PAGE_HISTORIES)
    results = data["documents"]["results"]
    assert len(results) == documents
    for result in results:
        assert [e["type"] for e in result["history"]] == ["CREATED"]


def _relations_read(api_field) -> set[str]:
    """The model relations an API field lists: its own, or those its resolver prefetches."""
    if not hasattr(api_field, "store"):  # Relay's ``id`` (strawberry's own field): no relation
        return set()
    if api_field.base_resolver is None:
        return {api_field.django_name}
    return {
        hint if isinstance(hint, str) else hint.prefetch_through
        for hint in api_field.store.prefetch_related
    }


def test_history_names_each_relation_as_the_api_does():
    """``history.relation_name`` (a history entry's ``relation``) is the name of the API
    field that lists the rows, for every kind of row: ``API_RELATION_NAMES`` holds
    exactly the relations the types expose under another name."""
    api_fields = {}  # owner model -> {relation read: API names}
    for type_cls in vars(types).values():
        django_definition = getattr(type_cls, "__strawberry_django_definition__", None)
        if django_definition is None:
            continue
        for api_field in type_cls.__strawberry_definition__.fields:
            for relation in _relations_read(api_field):
                api_fields.setdefault(django_definition.model, {}).setdefault(relation, set()).add(
                    to_camel_case(api_field.python_name)
                )
    row_models = [m for m in apps.get_app_config("archive").get_models() if issubclass(m, Row)]
    renamed = {}
    for row_model in row_models:
        owner = row_model._meta.get_field(row_model.owner_field)
        related_name = owner.remote_field.related_name
        assert api_fields[owner.related_model][related_name] == {
            history.relation_name(row_model)
        }, row_model
        if history.relation_name(row_model) != to_camel_case(related_name):
            renamed[related_name] = history.relation_name(row_model)
    assert (
        renamed
        == history.API_RELATION_NAMES
        == {
            "links": "relatedDocuments",
            "citations": "sources",
        }
    )
