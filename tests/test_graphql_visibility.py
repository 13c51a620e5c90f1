"""Drafts, internal notes and editors never reach the public API."""

import datetime
import json

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from archive import visibility
from archive.models import (
    Document,
    DocumentSignatory,
    Event,
    EventParticipant,
    Person,
    PersonName,
    Place,
    State,
)
from tests.admin_forms import form_data
from tests.factories import make_place
from tests.graphql_client import gql, post
from tests.test_graphql_history import at, save

pytestmark = pytest.mark.django_db

SECRET = "Do not publish: the family has not consented"


@pytest.fixture
def draft_envoy(demo):
    """A draft person who signed the published agreement and took part in an event."""
    envoy = Person.objects.create(
        slug="secret-envoy", name="Secret Envoy", internal_notes=SECRET, published=False
    )
    PersonName.objects.create(record=envoy, name="Tajny Wysłannik", language="pl")
    agreement = Document.objects.get(slug="sikorski-mayski-agreement")
    DocumentSignatory.objects.create(document=agreement, person=envoy, role="witness")
    EventParticipant.objects.create(
        event=Event.objects.get(slug="polish-soviet-negotiations-1941"), person=envoy, role="aide"
    )
    return envoy


def test_a_draft_signatory_appears_nowhere(client, draft_envoy):
    data = gql(
        client,
        """
        {
          person(slug: "secret-envoy") { name }
          persons(pagination: {limit: 100}) { totalCount results { slug } }
          byText: persons(filters: {text: "secret envoy"}) { totalCount }
          byForm: persons(filters: {text: "tajny"}) { totalCount }
          search(text: "secret envoy") { score }
          document(slug: "sikorski-mayski-agreement") {
            signatories { role person { slug } }
            history { summary changes { field old new } }
          }
          signedBy: documents(filters: {signatory: "secret-envoy"}) { totalCount }
          event(slug: "polish-soviet-negotiations-1941") { participants { person { slug } } }
          withEnvoy: events(filters: {participant: "secret-envoy"}) { totalCount }
        }
        """,
    )
    assert data["person"] is None
    assert data["persons"]["totalCount"] == 7
    assert "secret-envoy" not in [p["slug"] for p in data["persons"]["results"]]
    assert (data["byText"], data["byForm"], data["search"]) == (
        {"totalCount": 0},
        {"totalCount": 0},
        [],
    )
    assert data["document"]["signatories"] == [
        {"role": "signatory", "person": {"slug": "wladyslaw-sikorski"}},
        {"role": "signatory", "person": {"slug": "ivan-maisky"}},
    ]
    assert "Secret Envoy" not in json.dumps(data["document"]["history"])
    assert data["signedBy"] == {"totalCount": 0}
    assert "secret-envoy" not in json.dumps(data["event"])
    assert data["withEnvoy"] == {"totalCount": 0}


def test_as_of_never_shows_a_draft(client, draft_envoy):
    later = (datetime.datetime.now(datetime.UTC) + datetime.timedelta(minutes=1)).isoformat()
    data = gql(
        client,
        """
        query ($t: DateTime) {
          person(slug: "secret-envoy", asOf: $t) { name }
          document(slug: "sikorski-mayski-agreement", asOf: $t) { signatories { person { slug } } }
        }
        """,
        {"t": later},
    )
    assert data == {
        "person": None,
        "document": {
            "signatories": [
                {"person": {"slug": "wladyslaw-sikorski"}},
                {"person": {"slug": "ivan-maisky"}},
            ]
        },
    }


def test_a_draft_place_reads_as_null_without_hiding_the_document(client, demo):
    Place.objects.filter(slug="london").update(published=False)
    data = gql(
        client,
        """{ document(slug: "sikorski-mayski-agreement") { title place { slug } } }""",
    )
    assert data == {"document": {"title": "Sikorski–Mayski agreement", "place": None}}


def test_internal_notes_and_editors_never_leave_the_admin(
    client, demo, settings, fast_password_hasher
):
    """Dump everything a client can ask for; no internal note or editor name is in it."""
    settings.GRAPHQL_MAX_COST = 10**7  # everything at once: over the budget of production
    editor = get_user_model().objects.create_user("chief.archivist", password="pw")
    maisky = Person.objects.get(slug="ivan-maisky")
    maisky.internal_notes = SECRET
    maisky._history_user = editor
    maisky._change_reason = "Notes for the team"
    maisky.save()
    notes = list(Person.objects.exclude(internal_notes="").values_list("internal_notes", flat=True))
    notes += list(
        Document.objects.exclude(internal_notes="").values_list("internal_notes", flat=True)
    )
    assert SECRET in notes

    response = post(
        client,
        """
        {
          persons(pagination: {limit: 100}) { results {
            slug name description born { edtf } nameForms { name }
            history { date type reason summary changes { field old new } }
          } }
          documents(pagination: {limit: 100}) { results {
            slug title summary description text
            history { date type reason summary changes { field old new } }
          } }
        }
        """,
    )
    body = response.content.decode()
    assert response.status_code == 200 and '"errors"' not in body
    for note in notes:
        assert note not in body
    assert "chief.archivist" not in body
    assert "internalNotes" not in body
    # The edit that only touched internal notes is not in the public history: its
    # reason may speak of the notes.
    (maisky_data,) = [
        p for p in response.json()["data"]["persons"]["results"] if p["slug"] == "ivan-maisky"
    ]
    assert [
        (e["type"], e["reason"])
        for e in maisky_data["history"]
        if not e["summary"].startswith(("name form", "position", "citation"))
    ] == [("CREATED", "Loaded from fixture demo.json")]
    assert "Notes for the team" not in body


def test_draft_era_values_are_not_in_the_public_history(client, db):
    """A record drafted under a wrong title, then corrected and published: the public
    history starts at publication and never shows the draft title."""
    person = Person.objects.create(slug="kot", name="Stanislaw Kott (draft)")
    person.name = "Stanisław Kot"
    person.save()
    person.published = True
    person._change_reason = "Published"
    person.save()
    person.name = "Stanisław Kot (1885–1975)"
    person._change_reason = "Dates in the name"
    person.save()

    response = post(
        client, '{ person(slug: "kot") { history { type reason changes { field old new } } } }'
    )
    assert "Kott" not in response.content.decode()
    assert response.json()["data"] == {
        "person": {
            "history": [
                {
                    "type": "CHANGED",
                    "reason": "Dates in the name",
                    "changes": [
                        {
                            "field": "name",
                            "old": "Stanisław Kot",
                            "new": "Stanisław Kot (1885–1975)",
                        }
                    ],
                },
                {"type": "CREATED", "reason": "Published", "changes": []},
            ]
        }
    }


def test_a_withdrawn_record_disappears_from_everything(client, demo):
    Person.objects.filter(slug="ivan-maisky").update(published=False)
    now = datetime.datetime.now(datetime.UTC).isoformat()
    data = gql(
        client,
        """
        query ($t: DateTime) {
          person(slug: "ivan-maisky") { name }
          past: person(slug: "ivan-maisky", asOf: $t) { name }
          document(slug: "sikorski-mayski-agreement") { signatories { person { slug } } }
          search(text: "maisky") { record { __typename } }
        }
        """,
        {"t": now},
    )
    assert data == {
        "person": None,
        "past": None,
        "document": {"signatories": [{"person": {"slug": "wladyslaw-sikorski"}}]},
        # Titles that spell the name still match; the person does not.
        "search": [
            {"record": {"__typename": "Event"}},
            {"record": {"__typename": "Document"}},
            {"record": {"__typename": "Document"}},
        ],
    }


# --- the past as the public saw it: links to records that were drafts then ------

HISTORY = "{ %s(slug: %s) { history { date type reason summary changes { field old new } } } }"


def public_history(client, kind: str, slug: str) -> list[dict]:
    return gql(client, HISTORY % (kind, json.dumps(slug)))[kind]["history"]


def entry(hour, minute, type_, reason, summary, *changes) -> dict:
    return {
        "date": at(hour, minute).isoformat(),
        "type": type_,
        "reason": reason,
        "summary": summary,
        "changes": [{"field": f, "old": old, "new": new} for f, old, new in changes],
    }


@pytest.fixture
def treaty(db):
    """A treaty published at 10:00, signed in London; a draft place, state and
    envoy (drafted at 9:00), and Anthony Eden (public)."""
    london = Place(slug="london", name="London", published=True)
    save(london, at(9))
    for record in (
        Place(slug="villa", name="Secret Villa"),
        State(slug="secret-government", name="Secret Government"),
        Person(slug="envoy", name="Secret Envoy"),
    ):
        save(record, at(9), "Drafted")
    save(Person(slug="eden", name="Anthony Eden", published=True), at(9))
    treaty = Document(slug="treaty", title="Treaty", kind="treaty", published=True, place=london)
    save(treaty, at(10), "Catalogued")
    return treaty


def publish(model, slug, when):
    record = model.objects.get(slug=slug)
    record.published = True
    save(record, when, "Published")


def test_a_link_changed_to_a_draft_is_not_named_even_once_it_is_published(client, treaty):
    treaty.place = Place.objects.get(slug="villa")
    save(treaty, at(11), "Moved")
    publish(Place, "villa", at(12))
    treaty.place = Place.objects.get(slug="london")
    save(treaty, at(13), "Back to London")
    assert public_history(client, "document", "treaty") == [
        # Changed from what the public saw at 11:00: no place.
        entry(13, 0, "CHANGED", "Back to London", "Changed", ("place", None, "London")),
        entry(11, 0, "CHANGED", "Moved", "Changed", ("place", "London", None)),
        entry(10, 0, "CREATED", "Catalogued", "Created"),
    ]


def test_a_row_links_optionally_to_a_draft_then_without_naming_it(client, treaty):
    eden = Person.objects.get(slug="eden")
    secret = State.objects.get(slug="secret-government")
    save(DocumentSignatory(document=treaty, person=eden, on_behalf_of=secret), at(11), "Signed")
    publish(State, "secret-government", at(12))
    assert public_history(client, "document", "treaty")[0] == entry(
        11,
        0,
        "CHANGED",
        "Signed",
        "signatory added: Anthony Eden",
        ("signatories", None, "Anthony Eden"),
    )


def test_a_row_that_pointed_to_a_draft_first_is_added_when_it_points_to_a_public_record(
    client, treaty
):
    signatory = DocumentSignatory(document=treaty, person=Person.objects.get(slug="envoy"))
    save(signatory, at(11), "Envoy signed")
    signatory.person = Person.objects.get(slug="eden")
    save(signatory, at(12), "It was Eden")
    publish(Person, "envoy", at(13))
    assert public_history(client, "document", "treaty") == [
        entry(
            12,
            0,
            "CHANGED",
            "It was Eden",
            "signatory added: Anthony Eden",
            ("signatories", None, "Anthony Eden"),
        ),
        entry(10, 0, "CREATED", "Catalogued", "Created"),
    ]


def test_a_revert_reason_naming_a_moment_the_record_was_a_draft_is_withheld(client, db):
    """The reason is shown empty: "Reverted to the version of <a draft moment>"
    would say that a draft existed then."""
    person = Person(slug="kot", name="Stanislaw Kott (draft)")
    save(person, at(9), "Drafted")
    person.name, person.published = "Stanisław Kot", True
    save(person, at(10), "Published")
    person.name = "Stanisław Kott"
    save(person, at(11), "Reverted to the version of 2026-01-01 09:00:00 UTC")
    person.name = "Stanisław Kot"
    save(person, at(12), "Reverted to the version of 2026-01-01 10:00:00 UTC, as published")
    assert [e["reason"] for e in public_history(client, "person", "kot")] == [
        "Reverted to the version of 2026-01-01 10:00:00 UTC, as published",
        "",
        "Published",
    ]


def test_the_reason_the_admin_offers_for_a_revert_to_a_draft_is_withheld(client, archivist):
    """End to end: the moment as the admin writes it is the moment checked here."""
    person = Person.objects.create(slug="kot", name="Stanislaw Kott (draft)")
    (draft,) = person.history.all()
    person.name, person.published = "Stanisław Kot", True
    person._change_reason = "Published"
    person.save()
    client.force_login(archivist)
    url = reverse("admin:archive_person_simple_history", args=[person.pk, draft.history_id])
    # The draft's values, kept published.
    data = form_data(client.get(url), published="on")
    assert data["change_reason"].startswith("Reverted to the version of ")
    assert client.post(url, data).status_code == 302
    client.logout()
    history = public_history(client, "person", "kot")
    assert [(e["reason"], e["changes"]) for e in history] == [
        ("", [{"field": "name", "old": "Stanisław Kot", "new": "Stanislaw Kott (draft)"}]),
        ("Published", []),
    ]


def test_a_revert_reason_for_a_row_that_was_not_public_at_that_moment_is_withheld(client, treaty):
    """The treaty was public at 11:00, but its signatory then pointed to a draft:
    the row brought back by the revert may show, the moment it names may not."""
    envoy = Person.objects.get(slug="envoy")
    signatory = DocumentSignatory(document=treaty, person=envoy, role="witness")
    save(signatory, at(11), "Envoy signed")
    pk = signatory.pk
    signatory._history_date = at(11, 30)
    signatory.delete()
    publish(Person, "envoy", at(12))
    restored = DocumentSignatory(pk=pk, document=treaty, person=envoy, role="witness")
    save(restored, at(13), "Reverted to the version of 2026-01-01 11:00:00 UTC")
    assert public_history(client, "document", "treaty") == [
        entry(
            13,
            0,
            "CHANGED",
            "",
            "signatory added: Secret Envoy",
            ("signatories", None, "Secret Envoy"),
        ),
        entry(10, 0, "CREATED", "Catalogued", "Created"),
    ]


@pytest.mark.no_cache
def test_versions_of_a_withdrawn_record_are_not_public_when_it_is_republished(client, db):
    person = Person(slug="kot", name="Stanisław Kot", published=True)
    save(person, at(10), "Catalogued")
    person.published = False
    save(person, at(11), "Withdrawn: the family objects")
    person.name = "Stanisław Kot (secret name)"
    save(person, at(11, 30), "Name from the family papers")
    person.name = "Stanisław Kot (1885–1975)"
    save(person, at(11, 45), "Dates in the name")
    assert gql(client, HISTORY % ("person", '"kot"')) == {"person": None}
    person.published = True
    save(person, at(12), "Republished")
    assert public_history(client, "person", "kot") == [
        entry(
            12,
            0,
            "CHANGED",
            "Republished",
            "Changed",
            ("name", "Stanisław Kot", "Stanisław Kot (1885–1975)"),
        ),
        entry(10, 0, "CREATED", "Catalogued", "Created"),
    ]


def test_a_version_was_public_by_the_same_rule_in_sql_and_in_python(db):
    """``visibility.public_version`` (a condition on versions) and ``was_public`` (a
    version in hand) agree: a draft, a published record and its deletion."""
    place = make_place(published=False)
    place.published = True
    place.save()
    place.delete()
    versions = Place.history.order_by("history_date", "history_id")
    in_sql = set(versions.filter(visibility.public_version()).values_list("history_id", flat=True))
    assert [visibility.was_public(v) for v in versions] == [False, True, False]
    assert in_sql == {v.history_id for v in versions if visibility.was_public(v)}
