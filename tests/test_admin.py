"""The archivists' admin: reasons, inline versions, search, permissions, revert, recovery."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.urls import reverse

from archive import change_reasons
from archive.models import (
    Document,
    DocumentSignatory,
    Person,
    PersonName,
    Source,
    State,
)
from tests.admin_forms import form_data

pytestmark = pytest.mark.django_db


def change_url(obj):
    return reverse(f"admin:archive_{obj._meta.model_name}_change", args=[obj.pk])


def history_url(obj):
    return reverse(f"admin:archive_{obj._meta.model_name}_history", args=[obj.pk])


def revert_url(obj, version):
    return reverse(
        f"admin:archive_{obj._meta.model_name}_simple_history", args=[obj.pk, version.history_id]
    )


def test_saving_stores_the_reason_and_the_user_on_the_version(client, archivist, maisky):
    """An admin save writes one version carrying the editor and the reason given."""
    client.force_login(archivist)
    page = client.get(change_url(maisky))
    response = client.post(
        change_url(maisky),
        form_data(page, born="1884-01-07", change_reason="Julian calendar date checked"),
    )
    assert response.status_code == 302, response.context["errors"]
    (changed, created) = maisky.history.all()
    assert (changed.history_type, changed.born, changed.history_change_reason) == (
        "~",
        "1884-01-07",
        "Julian calendar date checked",
    )
    assert changed.history_user == archivist
    assert created.born == "1884-01-19"


def test_a_save_without_a_reason_is_refused_and_changes_nothing(client, archivist, maisky):
    client.force_login(archivist)
    page = client.get(change_url(maisky))
    response = client.post(change_url(maisky), form_data(page, born="1884", change_reason=""))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "change_reason": ["This field is required."]
    }
    assert Person.objects.get(pk=maisky.pk).born == "1884-01-19"
    assert maisky.history.count() == 1


def test_an_invalid_date_is_refused_with_a_clear_message_and_changes_nothing(
    client, archivist, maisky
):
    client.force_login(archivist)
    page = client.get(change_url(maisky))
    response = client.post(
        change_url(maisky), form_data(page, born="1884-13-01", change_reason="typo")
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "born": [
            "“1884-13-01” is not a valid EDTF date. Use a form such as 1941-07-30, 1941-07, "
            "1941, 1941~ (circa), 1941? (uncertain), 194X or 1939-09/1939-10."
        ]
    }
    assert Person.objects.get(pk=maisky.pk).born == "1884-01-19"
    assert maisky.history.count() == 1


def test_died_before_born_is_refused(client, archivist, maisky):
    client.force_login(archivist)
    page = client.get(change_url(maisky))
    response = client.post(
        change_url(maisky), form_data(page, died="1880", change_reason="death date")
    )
    assert response.context["adminform"].form.errors == {
        "died": ["A person cannot die before they are born."]
    }
    assert Person.objects.get(pk=maisky.pk).died == ""


def test_inline_changes_are_versioned_with_the_same_reason_and_user(client, archivist, maisky):
    """Adding, changing and removing name rows in one save versions each row."""
    PersonName.objects.create(record=maisky, name="Iwan Majski", language="pl")
    client.force_login(archivist)
    page = client.get(change_url(maisky))
    data = form_data(
        page,
        change_reason="Name forms from the Russian catalogue",
        **{
            # change the first row, delete the second, add a third
            "name_forms-0-name": "Ivan Maiski",
            "name_forms-1-DELETE": "on",
            "name_forms-TOTAL_FORMS": "3",
            "name_forms-2-name": "Иван Майский",
            "name_forms-2-language": "ru",
            "name_forms-2-kind": "variant",
        },
    )
    response = client.post(change_url(maisky), data)
    assert response.status_code == 302, response.context["errors"]

    reason = "Name forms from the Russian catalogue"
    (changed, _created) = PersonName.history.filter(name__in=["Ivan Maiski", "Ivan Mayski"])
    assert (changed.history_type, changed.name, changed.history_change_reason) == (
        "~",
        "Ivan Maiski",
        reason,
    )
    (removed, _created) = PersonName.history.filter(name="Iwan Majski")
    assert (removed.history_type, removed.history_change_reason) == ("-", reason)
    (added,) = PersonName.history.filter(name="Иван Майский")
    assert (added.history_type, added.history_change_reason, added.history_user) == (
        "+",
        reason,
        archivist,
    )
    # The record itself was saved too: its search text follows the new forms.
    person = Person.objects.get(pk=maisky.pk)
    assert person.search_text == " ivan maiski ivan maiski иван маискии "


def test_history_page_lists_record_and_row_versions_with_diffs(client, archivist, agreement):
    maisky = Person.objects.get(slug="ivan-maisky")
    client.force_login(archivist)
    page = client.get(change_url(maisky))
    client.post(change_url(maisky), form_data(page, born="1884", change_reason="Only the year"))

    response = client.get(history_url(maisky))
    assert response.status_code == 200
    entries = [(e.summary, e.reason, e.changes) for e in response.context["entries"]]
    assert entries == [
        ("Changed", "Only the year", [("born", "1884-01-19 (19 January 1884)", "1884")]),
        ("name form added: Ivan Mayski (en)", "", []),
        ("Created", "", []),
    ]

    response = client.get(history_url(agreement))
    summaries = [e.summary for e in response.context["entries"]]
    assert summaries == ["signatory added: Ivan Maisky for Soviet Union", "Created"]
    assert "signatory added: Ivan Maisky for Soviet Union" in response.content.decode()


def test_revert_restores_the_earlier_values_as_a_new_version(client, archivist, maisky):
    client.force_login(archivist)
    page = client.get(change_url(maisky))
    client.post(change_url(maisky), form_data(page, born="1885", change_reason="Wrong year"))
    (changed, original) = maisky.history.all()

    page = client.get(revert_url(maisky, original))
    assert page.status_code == 200
    data = form_data(page)
    assert data["change_reason"] == (
        f"Reverted to the version of {original.history_date:%Y-%m-%d %H:%M:%S} UTC"
    )
    response = client.post(revert_url(maisky, original), data)
    assert response.status_code == 302

    (reverted, changed_again, created) = maisky.history.all()
    assert (reverted.history_type, reverted.born, reverted.history_user) == (
        "~",
        "1884-01-19",
        archivist,
    )
    assert reverted.history_change_reason == data["change_reason"]
    assert Person.objects.get(pk=maisky.pk).born == "1884-01-19"


def test_search_ignores_case_accents_and_punctuation_and_matches_name_forms(
    client, archivist, agreement
):
    State.objects.filter(slug="soviet-union").update()
    soviet_union = State.objects.get(slug="soviet-union")
    soviet_union.name_forms.create(name="U.S.S.R.", language="en")
    Person.objects.create(slug="wladyslaw-sikorski", name="Władysław Sikorski")
    client.force_login(archivist)

    def found(model, query):
        response = client.get(reverse(f"admin:archive_{model}_changelist"), {"q": query})
        return sorted(str(obj) for obj in response.context["cl"].result_list)

    assert found("person", "Mayski") == ["Ivan Maisky"]
    assert found("person", "MAYSKI") == ["Ivan Maisky"]
    assert found("person", "Wladyslaw") == ["Władysław Sikorski"]
    assert found("person", "sikorski władysław") == ["Władysław Sikorski"]
    assert found("person", "Stalin") == []
    assert found("state", "u.s.s.r.") == ["Soviet Union"]
    assert found("state", "ussr") == ["Soviet Union"]
    assert found("document", "sikorski mayski") == ["Sikorski–Mayski agreement"]


def test_reader_sees_but_cannot_change_anything(client, reader, maisky):
    client.force_login(reader)
    # The edit form sends a reader to the record's read view (tests/test_admin_record_view.py).
    view = reverse("admin:archive_person_view", args=[maisky.pk])
    assert client.get(change_url(maisky)).headers["Location"] == view
    assert client.get(view).status_code == 200
    assert client.get(history_url(maisky)).status_code == 200
    assert client.get(reverse("admin:archive_person_add")).status_code == 403

    response = client.post(
        change_url(maisky),
        {"name": "Changed", "slug": "ivan-maisky", "change_reason": "no", "born": "1900"},
    )
    assert response.status_code == 403

    (original,) = maisky.history.all()
    response = client.post(
        revert_url(maisky, original),
        {"name": "Changed", "slug": "ivan-maisky", "change_reason": "no"},
    )
    assert response.status_code == 403
    assert Person.objects.get(pk=maisky.pk).name == "Ivan Maisky"
    assert maisky.history.count() == 1
    assert client.get(reverse("admin:archive_person_deleted")).status_code == 403


def test_archivist_cannot_delete(client, archivist, maisky):
    client.force_login(archivist)
    url = reverse("admin:archive_person_delete", args=[maisky.pk])
    assert client.post(url, {"post": "yes"}).status_code == 403
    assert Person.objects.filter(pk=maisky.pk).exists()


def test_history_obeys_history_model_permissions(client, maisky, fast_password_hasher):
    """Viewing a record is not enough: its history needs the history permission."""
    user = get_user_model().objects.create_user("viewer", password="pw", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_person"))
    client.force_login(user)
    view = client.get(reverse("admin:archive_person_view", args=[maisky.pk]))
    assert view.status_code == 200
    assert "Latest changes" not in view.content.decode()
    assert history_url(maisky) not in view.content.decode()
    assert client.get(history_url(maisky)).status_code == 403

    user.user_permissions.add(Permission.objects.get(codename="view_historicalperson"))
    assert client.get(history_url(maisky)).status_code == 200


def test_delete_keeps_history_and_recovery_restores_record_and_rows(
    client, superuser, archivist, agreement
):
    maisky = Person.objects.get(slug="ivan-maisky")
    signatory = DocumentSignatory.objects.get(person=maisky)
    client.force_login(superuser)
    # Persons who signed are protected; a document can go, with its rows.
    response = client.post(
        reverse("admin:archive_document_delete", args=[agreement.pk]),
        {"post": "yes", "change_reason": "Entered twice"},
    )
    assert response.status_code == 302
    assert not Document.objects.filter(pk=agreement.pk).exists()
    (deleted, _created) = Document.history.filter(id=agreement.pk)
    assert (deleted.history_type, deleted.history_change_reason) == ("-", "Entered twice")
    (row_deleted, _row_created) = DocumentSignatory.history.filter(id=signatory.pk)
    assert (row_deleted.history_type, row_deleted.history_change_reason) == ("-", "Entered twice")

    client.force_login(archivist)
    listing = client.get(reverse("admin:archive_document_deleted"))
    assert [v.id for v in listing.context["deletions"]] == [agreement.pk]
    assert client.get(history_url(agreement)).status_code == 200

    page = client.get(revert_url(agreement, deleted))
    data = form_data(page)
    assert data["change_reason"].startswith("Recovered from the version of ")
    response = client.post(revert_url(agreement, deleted), data)
    assert response.status_code == 302

    recovered = Document.objects.get(pk=agreement.pk)
    assert recovered.title == "Sikorski–Mayski agreement"
    assert [str(s) for s in recovered.signatories.all()] == ["Ivan Maisky for Soviet Union"]
    (restored_row, _deleted_row, _created_row) = DocumentSignatory.history.filter(id=signatory.pk)
    assert (restored_row.history_type, restored_row.history_user) == ("+", archivist)
    assert restored_row.history_change_reason == data["change_reason"]
    assert client.get(reverse("admin:archive_document_deleted")).context["deletions"] == []


def test_a_deleted_record_s_history_lists_its_versions(client, superuser):
    """A source links to no other record: archive.history.versions_queryset must not
    follow its versions' link to the live record, which is gone."""
    with change_reasons.reason_scope("From the Leningrad files"):
        source = Source.objects.create(slug="a-note", title="A note")
    client.force_login(superuser)
    response = client.post(
        reverse("admin:archive_source_delete", args=[source.pk]),
        {"post": "yes", "change_reason": "Entered twice"},
    )
    assert response.status_code == 302
    page = client.get(history_url(source))
    assert page.context["deleted"] is True
    assert [(e.summary, e.reason) for e in page.context["entries"]] == [
        ("Deleted", "Entered twice"),
        ("Created", "From the Leningrad files"),
    ]


def test_demo_logins_prints_working_logins(db, client, fast_password_hasher):
    """The demo command prints a login per group; each one signs in to the admin."""
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("demo_logins", "--url", "http://127.0.0.1:8123/admin/", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0] == "Demo logins for http://127.0.0.1:8123/admin/ (new passwords each run):"
    logins = {line.split()[0]: line.split()[1] for line in lines[2:]}
    assert sorted(logins) == ["admin", "archivist", "reader"]
    for username, password in logins.items():
        response = client.post(
            "/admin/login/?next=/admin/", {"username": username, "password": password}
        )
        assert (response.status_code, response["Location"]) == (302, "/admin/")
        client.logout()
    archivist = get_user_model().objects.get(username="archivist")
    assert [g.name for g in archivist.groups.all()] == ["Archivists"]
    assert not archivist.is_superuser
