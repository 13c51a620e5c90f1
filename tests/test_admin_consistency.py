"""Warnings before a document's save that would surprise (archive/admin/consistency.py)."""

import pytest

from archive.admin.consistency import CONFIRM
from archive.models import Document, DocumentSignatory, Person, State
from tests.admin_forms import form_data, url

pytestmark = pytest.mark.django_db

SLUG = "sikorski-mayski-agreement"


def post_with_signatory(client, document, **row):
    change = url(Document, "change", document.pk)
    page = client.get(change)
    total = int(form_data(page)["signatories-TOTAL_FORMS"])
    fields = {f"signatories-{total}-{name}": value for name, value in row.items()}
    data = form_data(
        page,
        change_reason="A witness",
        **{"signatories-TOTAL_FORMS": str(total + 1)},
        **fields,
    )
    return change, data, client.post(change, data)


def sign_for(client, state: str, person: str = "anthony-eden"):
    """A witness added to the agreement: (change URL, posted data, answer)."""
    document = Document.objects.get(slug=SLUG)
    person_pk = Person.objects.get(slug=person).pk
    state_pk = State.objects.get(slug=state).pk
    return post_with_signatory(
        client, document, person=person_pk, on_behalf_of=state_pk, role="witness"
    )


def warning_of(response) -> str:
    [formset] = [
        f for f in response.context["inline_admin_formsets"] if f.formset.prefix == "signatories"
    ]
    [error] = formset.formset.non_form_errors()
    return error


def test_a_signatory_for_a_state_not_a_party_asks_first(client, archivist, demo):
    client.force_login(archivist)
    document = Document.objects.get(slug=SLUG)
    eden = Person.objects.get(slug="anthony-eden")
    change, data, asked = sign_for(client, "united-kingdom")
    assert asked.status_code == 200
    warning = warning_of(asked)
    assert warning.startswith(
        "Before this is saved: Anthony Eden signs on behalf of United Kingdom, which is not "
        'a party to it. <label class="save-anyway"><input type="checkbox" '
        f'name="{CONFIRM}" value="'
    )
    assert warning in asked.content.decode()  # the box inside the form
    assert not DocumentSignatory.objects.filter(document=document, person=eden).exists()

    token = warning.split('value="')[1].split('"')[0]
    saved = client.post(change, data | {CONFIRM: token})
    assert saved.status_code == 302
    assert DocumentSignatory.objects.filter(document=document, person=eden).exists()


def test_a_published_document_linking_a_draft_asks_first(client, archivist, demo):
    client.force_login(archivist)
    Person.objects.create(name="A draft witness", slug="draft-witness", published=False)
    _, _, asked = sign_for(client, "poland", person="draft-witness")
    assert asked.status_code == 200
    assert warning_of(asked).startswith(
        "Before this is saved: It is published but links to drafts (person “A draft "
        "witness”): the public API shows published records only, so these links would not "
        "appear there."
    )


def test_an_ordinary_save_asks_nothing(client, archivist, demo):
    client.force_login(archivist)
    _, _, saved = sign_for(client, "poland")
    assert saved.status_code == 302


def post_rows(client, document, reason="Rows", **rows):
    """The document's form posted with rows added: ``parties=[{...}]``, ``signatories=…``."""
    change = url(Document, "change", document.pk)
    page = client.get(change)
    data = form_data(page, change_reason=reason)
    for prefix, added in rows.items():
        total = int(data[f"{prefix}-TOTAL_FORMS"])
        for offset, row in enumerate(added):
            data |= {f"{prefix}-{total + offset}-{name}": value for name, value in row.items()}
        data[f"{prefix}-TOTAL_FORMS"] = str(total + len(added))
    return change, data, client.post(change, data)


def test_a_party_added_in_the_same_save_is_a_party(client, archivist, demo):
    """The parties are read as the form's party rows cleaned them, new ones too."""
    client.force_login(archivist)
    document = Document.objects.get(slug=SLUG)
    uk, eden = State.objects.get(slug="united-kingdom"), Person.objects.get(slug="anthony-eden")
    _, _, saved = post_rows(
        client,
        document,
        parties=[{"state": uk.pk, "role": "guarantor"}],
        signatories=[{"person": eden.pk, "on_behalf_of": uk.pk, "role": "witness"}],
    )
    assert saved.status_code == 302
    assert document.signatories.filter(person=eden, on_behalf_of=uk).exists()


def test_a_party_removed_in_the_same_save_is_no_longer_one(client, archivist, demo):
    client.force_login(archivist)
    document = Document.objects.get(slug=SLUG)
    change = url(Document, "change", document.pk)
    data = form_data(client.get(change), change_reason="Not a party")
    index = next(
        i
        for i in range(int(data["parties-TOTAL_FORMS"]))
        if data[f"parties-{i}-state"] == str(State.objects.get(slug="poland").pk)
    )
    asked = client.post(change, data | {f"parties-{index}-DELETE": "on"})
    assert asked.status_code == 200
    assert warning_of(asked).startswith(
        "Before this is saved: Władysław Sikorski signs on behalf of Poland, which is not a "
        "party to it."
    )
    assert document.parties.filter(state__slug="poland").exists()


def test_a_party_row_in_error_is_mended_before_anything_is_asked(client, archivist, demo):
    """The warning waits until every row is valid: it must not hide an error."""
    client.force_login(archivist)
    document = Document.objects.get(slug=SLUG)
    uk, eden = State.objects.get(slug="united-kingdom"), Person.objects.get(slug="anthony-eden")
    _, _, asked = post_rows(
        client,
        document,
        parties=[{"state": uk.pk, "role": "ally"}],
        signatories=[{"person": eden.pk, "on_behalf_of": uk.pk, "role": "witness"}],
    )
    assert asked.status_code == 200
    assert asked.context["errors"] == [
        ["Select a valid choice. ally is not one of the available choices."]
    ]


def test_a_draft_party_of_a_published_document_asks_first(client, archivist, demo):
    client.force_login(archivist)
    draft = State.objects.create(name="A draft state", slug="draft-state", published=False)
    _, _, asked = post_rows(
        client, Document.objects.get(slug=SLUG), parties=[{"state": draft.pk, "role": "observer"}]
    )
    assert asked.status_code == 200
    assert warning_of(asked).startswith(
        "Before this is saved: It is published but links to drafts (state “A draft state”): "
    )
