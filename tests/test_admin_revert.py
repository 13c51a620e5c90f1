"""Revert and recovery in the admin: the record and its rows as they were, one reason on
every version written; deletes ask for a reason; no form inherits another's reason."""

import importlib
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from archive.models import (
    Document,
    DocumentParty,
    DocumentSignatory,
    Person,
    PersonName,
    Provision,
    State,
)
from tests.admin_forms import RECORDS, form_data, url

pytestmark = pytest.mark.django_db


def revert_url(obj, version):
    return url(type(obj), "simple_history", obj.pk, version.history_id)


def test_a_revert_page_leaves_every_other_form_without_a_reason(
    client, archivist, demo, fast_password_hasher
):
    """The revert page's proposed reason is its own: no other form, of any record
    type, for any user, is pre-filled with it: it is set on the revert form's
    instance, never on the field object that every form class shares."""
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
        **{"parties-1-state": uk, "parties-1-role": "guarantor"},
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
        **{"signatories-0-role": "countersignatory", "parties-1-DELETE": "on"},
        **{"provisions-0-text": "A, amended", "provisions-TOTAL_FORMS": "3"},
        **{"provisions-2-number": "3", "provisions-2-text": "C"},
        **{"signatories-TOTAL_FORMS": "2", "signatories-1-person": eden},
        # For a party: on behalf of the UK, no longer one, the save would ask first.
        **{"signatories-1-on_behalf_of": soviet_union, "signatories-1-role": "witness"},
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
    assert [(c.what, c.kind, c.label, c.fields) for c in plan.rows] == [
        ("provision", "changed", "Provision 1", [("text", "A, amended", "A")]),
        ("provision", "removed", "Provision 3", []),
        ("party", "added", "United Kingdom (guarantor)", []),
        (
            "signatory",
            "changed",
            "Ivan Maisky for Soviet Union",
            [("role", "countersignatory", "signatory")],
        ),
        ("signatory", "removed", "Anthony Eden for Soviet Union", []),
    ]
    html = page.content.decode()
    assert '<input type="submit" value="Revert" class="default" name="_save">' in html
    assert "<del>countersignatory</del> &rarr; <ins>signatory</ins>" in html
    assert "Party: United Kingdom (guarantor)</td>\n        <td>added back</td>" in html


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
        ("HistoricalDocumentParty", "+", "United Kingdom (guarantor)"),
        ("HistoricalDocumentSignatory", "-", "Anthony Eden for Soviet Union"),
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
        "party added: United Kingdom (guarantor)",
        "provision changed: Provision 1",
        "provision removed: Provision 3",
        "signatory changed: Ivan Maisky for Soviet Union",
        "signatory removed: Anthony Eden for Soviet Union",
    ]


def test_a_revert_over_changes_made_since_the_page_opened_is_refused(client, archivist, edited):
    """The page showed what the revert changes; after another change it would undo
    more than it showed: refused, nothing written."""
    document, then, _ = edited
    page = client.get(revert_url(document, then))
    Provision.objects.create(document=document, number=4, text="D")
    versions = Provision.history.count() + Document.history.count()
    response = client.post(revert_url(document, then), form_data(page))
    assert response.status_code == 200
    (error,) = response.context["adminform"].form.non_field_errors()
    assert error.startswith("This record was changed at ")
    assert Provision.history.count() + Document.history.count() == versions
    assert Provision.objects.filter(document=document, number=4).exists()


def delete_url(obj):
    return url(type(obj), "delete", obj.pk)


def test_a_delete_without_a_reason_is_refused(client, superuser, agreement):
    client.force_login(superuser)
    page = client.get(delete_url(agreement))
    assert 'name="change_reason"' in page.content.decode()
    response = client.post(delete_url(agreement), {"post": "yes", "change_reason": ""})
    assert response.status_code == 200
    assert response.context["reason_form"].errors == {"change_reason": ["This field is required."]}
    assert "This field is required." in response.content.decode()
    assert Document.objects.filter(pk=agreement.pk).exists()
    assert Document.history.filter(history_type="-").count() == 0


def test_recovery_says_recover_and_brings_back_the_rows(client, superuser, archivist, edited):
    document, _, _ = edited
    rows_before = rows_of(document)
    client.force_login(superuser)
    response = client.post(delete_url(document), {"post": "yes", "change_reason": "Duplicate"})
    assert response.status_code == 302
    deletion = document.history.latest()
    deleted_rows = [
        v
        for model in ROW_FIELDS
        for v in model.history.filter(history_type="-", history_change_reason="Duplicate")
    ]
    assert len(deleted_rows) == 6
    assert {(v.history_change_reason, v.history_date) for v in deleted_rows + [deletion]} == {
        ("Duplicate", deletion.history_date)
    }

    client.force_login(archivist)
    page = client.get(revert_url(document, deletion))
    assert page.context["title"] == "Recover Sikorski–Mayski agreement"
    html = page.content.decode()
    assert '<input type="submit" value="Recover" class="default" name="_save">' in html
    assert 'value="Revert"' not in html and "Save" not in html.split('class="submit-row"')[1]
    plan = page.context["revert_plan"]
    assert [(c.what, c.kind, c.label) for c in plan.rows] == [
        ("provision", "added", "Provision 1"),
        ("provision", "added", "Provision 2"),
        ("provision", "added", "Provision 3"),
        ("party", "added", "Soviet Union (party)"),
        ("signatory", "added", "Ivan Maisky for Soviet Union"),
        ("signatory", "added", "Anthony Eden for Soviet Union"),
    ]
    response = client.post(revert_url(document, deletion), form_data(page))
    assert response.status_code == 302
    assert rows_of(document) == rows_before
    recovered = [
        v
        for model in ROW_FIELDS
        for v in model.history.filter(history_date__gt=deletion.history_date)
    ]
    assert {(v.history_type, v.history_change_reason, v.history_user) for v in recovered} == {
        ("+", form_data(page)["change_reason"], archivist)
    }
    assert form_data(page)["change_reason"].startswith("Recovered from the version of ")


def test_bulk_delete_asks_for_a_reason(client, superuser, agreement):
    client.force_login(superuser)
    changelist = url(Document, "changelist")
    selected = {"action": "delete_selected", "_selected_action": [str(agreement.pk)]}
    page = client.post(changelist, selected)
    assert page.status_code == 200
    assert 'name="change_reason"' in page.content.decode()
    response = client.post(changelist, {**selected, "post": "yes", "change_reason": " "})
    assert response.status_code == 200
    assert response.context["reason_form"].errors == {"change_reason": ["This field is required."]}
    assert Document.objects.filter(pk=agreement.pk).exists()

    response = client.post(changelist, {**selected, "post": "yes", "change_reason": "Not a treaty"})
    assert response.status_code == 302
    assert not Document.objects.filter(pk=agreement.pk).exists()
    deleted = [Document.history.latest(), DocumentSignatory.history.latest()]
    assert [(v.history_type, v.history_change_reason) for v in deleted] == [
        ("-", "Not a treaty"),
        ("-", "Not a treaty"),
    ]


def test_a_revert_that_cannot_restore_a_row_writes_nothing(client, archivist, edited):
    """A row then linked a record deleted since: the revert is refused as a whole."""
    document, _, _ = edited
    with_eden = document.history.latest()
    eden = Person.objects.get(slug="anthony-eden")
    signature = DocumentSignatory.objects.get(person=eden)
    signature_pk, eden_pk = signature.pk, eden.pk
    signature.delete()
    eden.delete()
    versions = {m: m.history.count() for m in (Document, *ROW_FIELDS)}
    page = client.get(revert_url(document, with_eden))
    (change,) = page.context["revert_plan"].rows
    assert (change.kind, change.label) == (
        "added",
        f"signatory {signature_pk} (links a deleted record)",
    )
    response = client.post(revert_url(document, with_eden), form_data(page))
    assert response.status_code == 302
    assert response["Location"] == revert_url(document, with_eden)
    message = [str(m) for m in response.wsgi_request._messages]
    assert message == [
        f"Nothing was saved. Cannot restore signatory {signature_pk}: its person "
        f"(id {eden_pk}) has been deleted since."
    ]
    assert {m: m.history.count() for m in versions} == versions


def test_a_second_recovery_from_the_same_page_is_refused(client, superuser, archivist, agreement):
    """Recovered meanwhile (here from another tab): the record is no longer absent, as the
    page showed it, so the second press would overwrite the first recovery's result."""
    client.force_login(superuser)
    client.post(delete_url(agreement), {"post": "yes", "change_reason": "Duplicate"})
    deletion = agreement.history.latest()
    client.force_login(archivist)
    page = client.get(revert_url(agreement, deletion))
    assert client.post(revert_url(agreement, deletion), form_data(page)).status_code == 302
    versions = agreement.history.count()
    response = client.post(revert_url(agreement, deletion), form_data(page))
    assert response.status_code == 200
    (error,) = response.context["adminform"].form.non_field_errors()
    assert error.startswith(f"This record was changed by {archivist} at ")
    assert agreement.history.count() == versions


def test_a_fixture_load_writes_its_versions_at_one_moment(demo):
    """A record and the rows loaded with it exist from the same instant, so the
    record as of its loaded version has them (revert, asOf)."""
    moments = {
        moment
        for model in (Person, PersonName, Document, DocumentSignatory, DocumentParty, Provision)
        for moment in model.history.values_list("history_date", flat=True)
    }
    assert len(moments) == 1


def test_reverting_to_a_version_keeps_the_rows_of_its_action_dated_apart(client, archivist, demo):
    """The rows loaded with the record count with it by their action id, also when
    dated a few milliseconds after it (as versions were before actions had one moment)."""
    maisky = Person.objects.get(slug="ivan-maisky")
    loaded = maisky.history.get()
    forms = list(PersonName.history.filter(record_id=maisky.pk).order_by("history_id"))
    for offset, version in enumerate(forms, start=1):
        version.history_date = loaded.history_date + timedelta(milliseconds=3 * offset)
        version.save()
    client.force_login(archivist)
    change(client, maisky, "Corrected the birth date", born="1884-01-07")
    page = client.get(revert_url(maisky, loaded))
    assert page.context["revert_plan"].fields == [
        ("born", "1884-01-07 (7 January 1884)", "1884-01-19 (19 January 1884)")
    ]
    assert page.context["revert_plan"].rows == []
    response = client.post(
        revert_url(maisky, loaded), form_data(page, change_reason="Back to the article")
    )
    assert response.status_code == 302
    assert Person.objects.get(pk=maisky.pk).born == "1884-01-19"
    assert PersonName.objects.filter(record=maisky).count() == len(forms) > 0


def test_the_versions_of_one_action_share_its_id_and_no_other_action_has_it(
    client, archivist, edited
):
    document, then, _ = edited
    saves = {}
    for model in (Document, *ROW_FIELDS):
        for version in model.history.filter(history_date__gte=then.history_date):
            saves.setdefault(version.history_change_reason, set()).add(version.action_id)
    assert {reason: len(ids) for reason, ids in saves.items()} == {
        "Parties and provisions entered": 1,
        "Corrections": 1,
    }
    assert saves["Parties and provisions entered"] != saves["Corrections"]


def test_a_delete_outside_the_admin_is_one_action_with_its_cascade(agreement):
    """``record.delete()`` in a shell: the record's and its rows' deletions share one id
    (a recovery brings the rows back by it); each plain save is an action of its own."""
    signatory = DocumentSignatory.objects.get(document=agreement)
    agreement.delete()
    deletions = [Document.history.latest(), DocumentSignatory.history.latest()]
    assert [v.history_type for v in deletions] == ["-", "-"]
    assert deletions[0].action_id == deletions[1].action_id
    created = [Document.history.earliest(), signatory.history.earliest()]
    assert len({v.action_id for v in created + deletions[:1]}) == 3


def test_recovery_leaves_out_a_row_removed_by_an_earlier_action(
    client, superuser, archivist, edited
):
    """A row removed by a save moments before the delete, by the same archivist with
    the same reason, stays removed: only the delete's own action comes back."""
    document, _, _ = edited
    client.force_login(superuser)
    change(client, document, "Duplicate", **{"provisions-2-DELETE": "on"})
    removed = Provision.history.filter(history_type="-").get()
    response = client.post(delete_url(document), {"post": "yes", "change_reason": "Duplicate"})
    assert response.status_code == 302
    deletion = document.history.latest()
    assert deletion.history_date - removed.history_date < timedelta(seconds=10)
    assert (removed.history_change_reason, removed.history_user) == (
        deletion.history_change_reason,
        deletion.history_user,
    )
    client.force_login(archivist)
    plan = client.get(revert_url(document, deletion)).context["revert_plan"]
    assert [(c.what, c.kind, c.label) for c in plan.rows] == [
        ("provision", "added", "Provision 1"),
        ("provision", "added", "Provision 2"),
        ("party", "added", "Soviet Union (party)"),
        ("signatory", "added", "Ivan Maisky for Soviet Union"),
        ("signatory", "added", "Anthony Eden for Soviet Union"),
    ]


# Committed, as migrations are; serialized_rollback like every such test here, so
# that its flush does not run post_migrate (which makes the staff groups again,
# under new ids the next serialized test's groups collide with).
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_migration_gives_old_versions_one_id_per_moment_user_and_reason(agreement, archivist):
    """Versions written before ``action_id`` existed: those of one action (one moment,
    user and reason) get one id, in every table, the others other ids."""
    migration = importlib.import_module("archive.migrations.0007_version_action_id")
    moment = Document.history.get().history_date
    DocumentSignatory.history.update(history_date=moment)
    agreement._change_reason = "Renamed"
    agreement.title = "Agreement"
    agreement.save()
    Person.history.update(history_date=moment, history_user=archivist)
    executor = MigrationExecutor(connection)
    executor.migrate([("archive", "0006_date_spans")])  # drops action_id
    executor.loader.build_graph()
    try:
        executor.migrate([("archive", migration.__name__.rsplit(".", 1)[1])])
    finally:
        # Back to the latest migrations, for the tests after this one.
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
    created, renamed = (Document.history.get(history_type=t) for t in "+~")
    (signed,) = DocumentSignatory.history.all()
    (person,) = Person.history.all()
    assert created.action_id == signed.action_id == migration.action_of(moment, None, None)
    assert renamed.action_id == migration.action_of(renamed.history_date, None, "Renamed")
    assert person.action_id == migration.action_of(moment, archivist.pk, None)
    assert len({created.action_id, renamed.action_id, person.action_id}) == 3


def test_deleted_records_lists_each_once_by_its_last_deletion(client, superuser, agreement):
    """Deleted, recovered and deleted again: one line, the second deletion's."""
    client.force_login(superuser)
    client.post(delete_url(agreement), {"post": "yes", "change_reason": "Duplicate"})
    first = agreement.history.latest()
    client.post(revert_url(agreement, first), form_data(client.get(revert_url(agreement, first))))
    client.post(delete_url(agreement), {"post": "yes", "change_reason": "Out of scope"})
    listing = client.get(url(Document, "deleted")).context["deletions"]
    assert [(v.id, v.history_change_reason, v.label) for v in listing] == [
        (agreement.pk, "Out of scope", "Sikorski–Mayski agreement")
    ]


def test_a_revert_reads_a_role_no_list_has_as_the_lists_read_it(client, archivist, agreement):
    """Roles were free text before their lists (migration 0009): a version from then
    may hold one that no list has; the revert gives the row the role its text
    means, as 0009 did, and says so."""
    client.force_login(archivist)
    (signature,) = agreement.signatories.all()
    DocumentSignatory.history.filter(id=signature.pk).update(role=" Witness")
    change(client, agreement, "Summary", summary="Restores relations.")
    then = agreement.history.latest()
    change(client, agreement, "Renamed", title="Polish–Soviet agreement")
    page = client.get(revert_url(agreement, then))
    response = client.post(revert_url(agreement, then), form_data(page))
    assert response.status_code == 302
    messages = [str(m) for m in response.wsgi_request._messages]
    assert messages[:2] == [
        "Also set back 1 row(s) as they were then.",
        "The signatory “Ivan Maisky for Soviet Union” had the role “ Witness”, which roles "
        "now read as “witness”.",
    ]
    assert agreement.signatories.get().role == "witness"


def test_a_record_deleted_before_the_lists_is_recovered_with_its_roles_read(
    client, superuser, agreement
):
    client.force_login(superuser)
    client.post(delete_url(agreement), {"post": "yes", "change_reason": "Duplicate"})
    DocumentSignatory.history.update(role="Plenipotentiary")  # as before 0009
    deletion = agreement.history.latest()
    page = client.get(revert_url(agreement, deletion))
    response = client.post(revert_url(agreement, deletion), form_data(page))
    assert response.status_code == 302
    assert (
        "The signatory “Ivan Maisky for Soviet Union” had the role “Plenipotentiary”, which "
        "roles now read as “signatory”."
    ) in [str(m) for m in response.wsgi_request._messages]
    recovered = Document.objects.get(pk=agreement.pk)
    assert list(recovered.signatories.values_list("role", flat=True)) == ["signatory"]


def test_a_revert_leaves_a_published_slug_as_it_is(client, archivist, agreement):
    """The form shows a slug once published as text; a revert keeps it too."""
    client.force_login(archivist)
    agreement.published = True
    agreement.save()
    then = agreement.history.latest()
    agreement.slug = "sikorski-maisky-agreement"  # mended in code, the address now
    agreement.title = "Agreement"
    agreement.save()
    page = client.get(revert_url(agreement, then))
    assert [name for name, *_ in page.context["revert_plan"].fields] == ["title"]
    assert client.post(revert_url(agreement, then), form_data(page)).status_code == 302
    agreement.refresh_from_db()
    assert (agreement.slug, agreement.title) == (
        "sikorski-maisky-agreement",
        "Sikorski–Mayski agreement",
    )
