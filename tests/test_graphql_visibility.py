"""Drafts, internal notes and editors never reach the public API."""

import datetime
import json

import pytest
from django.contrib.auth import get_user_model

from archive.models import (
    Document,
    DocumentSignatory,
    Event,
    EventParticipant,
    Person,
    PersonName,
    Place,
)
from tests.graphql_client import gql, post

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


def test_internal_notes_and_editors_never_leave_the_admin(client, demo):
    """Dump everything a client can ask for; no internal note or editor name is in it."""
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
    # The edit that only touched internal notes shows no changed field.
    (maisky_data,) = [
        p for p in response.json()["data"]["persons"]["results"] if p["slug"] == "ivan-maisky"
    ]
    assert maisky_data["history"][0]["reason"] == "Notes for the team"
    assert maisky_data["history"][0]["changes"] == []


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
