"""Revert and recovery in the admin: the record and its rows as they were, one reason on
every version written; deletes ask for a reason; no form inherits another's reason."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse

from archive.models import (
    Document,
    DocumentParty,
    DocumentSignatory,
    Event,
    Person,
    Place,
    Provision,
    Source,
    State,
)
from tests.admin_forms import form_data

pytestmark = pytest.mark.django_db

RECORDS = [Document, Person, State, Event, Place, Source]


def url(model, view, *args):
    return reverse(f"admin:archive_{model._meta.model_name}_{view}", args=args)


def revert_url(obj, version):
    return url(type(obj), "simple_history", obj.pk, version.history_id)


def test_a_revert_page_leaves_every_other_form_without_a_reason(client, archivist, demo):
    """The revert page's proposed reason is its own: no other form, of any record
    type, for any user, is pre-filled with it (it was set on the field shared by all)."""
    client.force_login(archivist)
    for model in RECORDS:
        obj = model.objects.order_by("pk").first()
        page = client.get(revert_url(obj, obj.history.earliest()))
        assert form_data(page)["change_reason"].startswith("Reverted to the version of ")

    other = get_user_model().objects.create_user("other", password="pw", is_staff=True)
    other.groups.add(Group.objects.get(name="Archivists"))
    client.force_login(other)
    pages = []
    for model in RECORDS:
        obj = model.objects.order_by("pk").first()
        pages += [url(model, "add"), url(model, "add") + "?_popup=1", url(model, "change", obj.pk)]
    reasons = {page: form_data(client.get(page))["change_reason"] for page in pages}
    assert reasons == dict.fromkeys(pages, "")


def change(client, record, reason, **changes):
    """Save ``record``'s change form in the admin with ``changes`` (posted names)."""
    page = client.get(url(type(record), "change", record.pk))
    response = client.post(
        url(type(record), "change", record.pk), form_data(page, change_reason=reason, **changes)
    )
    assert response.status_code == 302, response.context["errors"]


ROW_FIELDS = {
    DocumentSignatory: ("id", "person__slug", "on_behalf_of__slug", "role", "source_locator"),
    DocumentParty: ("id", "state__slug", "role", "source_locator"),
    Provision: ("id", "number", "text"),
}


def rows_of(document) -> dict:
    """The document's rows, every field an archivist edits, with their ids."""
    return {
        model.__name__: list(model.objects.filter(document=document).values_list(*fields))
        for model, fields in ROW_FIELDS.items()
    }


@pytest.fixture
def edited(client, archivist, agreement):
    """The agreement saved twice in the admin: rows entered, then rows changed, added and
    removed. Returns the document, its version after the first save and its rows then."""
    State.objects.create(slug="united-kingdom", name="United Kingdom")
    Person.objects.create(slug="anthony-eden", name="Anthony Eden")
    uk, soviet_union = (State.objects.get(slug=s).pk for s in ("united-kingdom", "soviet-union"))
    eden = Person.objects.get(slug="anthony-eden").pk
    client.force_login(archivist)
    change(
        client,
        agreement,
        "Parties and provisions entered",
        summary="Restores diplomatic relations.",
        **{"parties-TOTAL_FORMS": "2", "parties-0-state": soviet_union, "parties-0-role": "party"},
        **{"parties-1-state": uk, "parties-1-role": "witness"},
        **{"provisions-TOTAL_FORMS": "2", "provisions-0-number": "1", "provisions-0-text": "A"},
        **{"provisions-1-number": "2", "provisions-1-text": "B"},
    )
    then = agreement.history.latest()
    rows_then = rows_of(agreement)
    change(
        client,
        agreement,
        "Corrections",
        summary="Restores relations; a Polish army in the USSR.",
        **{"signatories-0-role": "plenipotentiary", "parties-1-DELETE": "on"},
        **{"provisions-0-text": "A, amended", "provisions-TOTAL_FORMS": "3"},
        **{"provisions-2-number": "3", "provisions-2-text": "C"},
        **{"signatories-TOTAL_FORMS": "2", "signatories-1-person": eden},
        **{"signatories-1-on_behalf_of": uk, "signatories-1-role": "witness"},
    )
    assert rows_of(agreement) != rows_then
    return agreement, then, rows_then


def test_the_versions_of_one_save_share_its_moment(edited):
    """The state as of a version of the record includes the rows saved with it."""
    document, then, rows_then = edited
    rows = {
        model: list(model.history.filter(document=document, history_date=then.history_date))
        for model in ROW_FIELDS
    }
    assert {model.__name__: len(versions) for model, versions in rows.items()} == {
        "DocumentSignatory": 0,
        "DocumentParty": 2,
        "Provision": 2,
    }
    as_of = {
        model.__name__: sorted(
            model.history.as_of(then.history_date).filter(document=document).values_list(*fields)
        )
        for model, fields in ROW_FIELDS.items()
        if "__" not in "".join(fields)
    }
    assert as_of == {"Provision": [(p, n, t) for p, n, t in rows_then["Provision"]]}


def test_the_revert_page_shows_what_changes(client, edited):
    document, then, _ = edited
    page = client.get(revert_url(document, then))
    assert page.status_code == 200
    assert page.context["title"] == "Revert Sikorski–Mayski agreement"
    plan = page.context["revert_plan"]
    assert plan.fields == [
        (
            "summary",
            "Restores relations; a Polish army in the USSR.",
            "Restores diplomatic relations.",
        )
    ]
    assert [(c.what, c.kind, str(c.row), c.fields) for c in plan.rows] == [
        ("provision", "changed", "Provision 1", [("text", "A, amended", "A")]),
        ("provision", "removed", "Provision 3", []),
        ("party", "added", "United Kingdom (witness)", []),
        (
            "signatory",
            "changed",
            "Ivan Maisky for Soviet Union",
            [("role", "plenipotentiary", "signatory")],
        ),
        ("signatory", "removed", "Anthony Eden for United Kingdom", []),
    ]
    html = page.content.decode()
    assert '<input type="submit" value="Revert" class="default" name="_save">' in html
    assert "<del>plenipotentiary</del> &rarr; <ins>signatory</ins>" in html
    assert "Party: United Kingdom (witness)</td>\n        <td>added back</td>" in html


def test_revert_sets_the_record_and_its_rows_back_in_one_set_of_versions(client, archivist, edited):
    document, then, rows_then = edited
    before = {
        model: set(model.history.values_list("history_id", flat=True)) for model in ROW_FIELDS
    }
    page = client.get(revert_url(document, then))
    data = form_data(page, change_reason="The corrections were for another agreement")
    response = client.post(revert_url(document, then), data)
    assert response.status_code == 302

    assert rows_of(document) == rows_then
    assert Document.objects.get(pk=document.pk).summary == "Restores diplomatic relations."
    reverted = document.history.latest()
    written = [reverted] + [
        v for model in ROW_FIELDS for v in model.history.exclude(history_id__in=before[model])
    ]
    assert sorted((type(v).__name__, v.history_type, str(v.instance)) for v in written) == [
        ("HistoricalDocument", "~", "Sikorski–Mayski agreement"),
        ("HistoricalDocumentParty", "+", "United Kingdom (witness)"),
        ("HistoricalDocumentSignatory", "-", "Anthony Eden for United Kingdom"),
        ("HistoricalDocumentSignatory", "~", "Ivan Maisky for Soviet Union"),
        ("HistoricalProvision", "-", "Provision 3"),
        ("HistoricalProvision", "~", "Provision 1"),
    ]
    assert {(v.history_change_reason, v.history_user, v.history_date) for v in written} == {
        ("The corrections were for another agreement", archivist, reverted.history_date)
    }
    entries = client.get(url(Document, "history", document.pk)).context["entries"]
    assert {e.reason for e in entries[:6]} == {"The corrections were for another agreement"}
    assert entries[6].reason == "Corrections"
    assert sorted(e.summary for e in entries[:6]) == [
        "Changed",
        "party added: United Kingdom (witness)",
        "provision changed: Provision 1",
        "provision removed: Provision 3",
        "signatory changed: Ivan Maisky for Soviet Union",
        "signatory removed: Anthony Eden for United Kingdom",
    ]
