"""Two archivists editing one record: the later, stale save is refused, nothing lost.

Each test opens the same change page as two archivists; the first saves; the
second's save is refused with a message naming the first's change, the form
shown again with everything the second typed, and the database untouched.
"""

import datetime
import threading
import time

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection, connections
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from archive import data_version
from archive.admin import edit_conflicts
from archive.admin.edit_conflicts import TOKEN_FIELD
from archive.models import Document, DocumentSignatory, Person, PersonName
from tests.admin_forms import form_data

pytestmark = pytest.mark.django_db

MODELS = (Person, PersonName, Document, DocumentSignatory)


@pytest.fixture
def maisky(maisky):
    """The shared Maisky (tests/conftest.py), with a second name form."""
    PersonName.objects.create(record=maisky, name="Iwan Majski", language="pl")
    return Person.objects.get(pk=maisky.pk)


@pytest.fixture
def first(client, archivist):
    client.force_login(archivist)
    return client


@pytest.fixture
def second(db, fast_password_hasher):
    user = get_user_model().objects.create_user(username="second", password="pw", is_staff=True)
    user.groups.add(Group.objects.get(name="Archivists"))
    other = Client()
    other.force_login(user)
    return other


def url(obj, view):
    return reverse(f"admin:archive_{obj._meta.model_name}_{view}", args=[obj.pk])


def stale_message(obj, what):
    return (
        f"{what} after you opened it. Your changes have not been saved, so as not to "
        "overwrite that change; what you typed is still in the form below. Compare it with "
        f'the record\'s <a href="{url(obj, "history")}" target="_blank">history</a> (in a new '
        "tab), then "
        f'<a href="{url(obj, "change")}">open the current version</a> and make your '
        "changes again."
    )


def changed_by(version, reason_html):
    at = version.history_date.astimezone(datetime.UTC)
    return (
        f"This record was changed by {version.history_user} at "
        f"{at:%Y-%m-%d %H:%M:%S} UTC (“{reason_html}”)"
    )


def snapshot():
    """Everything a save could write: rows, versions, admin log, data version."""
    return {
        "rows": {m.__name__: list(m.objects.order_by("pk").values()) for m in MODELS},
        "versions": {m.__name__: m.history.count() for m in MODELS},
        "log": LogEntry.objects.count(),
        "data_version": data_version.from_db(),
    }


def formset(page, prefix):
    (inline,) = [i for i in page.context["inline_admin_formsets"] if i.formset.prefix == prefix]
    return inline.formset


def assert_refused(response, message):
    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors() == [message]
    assert message in response.content.decode()


def test_the_later_save_of_a_record_is_refused_and_keeps_everything_typed(
    first, second, archivist, maisky
):
    page_first = first.get(url(maisky, "change"))
    page_second = second.get(url(maisky, "change"))

    response = first.post(
        url(maisky, "change"),
        form_data(page_first, born="1884-01-07", change_reason="Julian & Gregorian dates"),
    )
    assert response.status_code == 302, response.context["errors"]
    (their_version, _created) = maisky.history.all()
    assert their_version.history_user == archivist

    before = snapshot()
    typed = {
        "name": "Ivan Mikhailovich Maisky",
        "born": "1884",
        "change_reason": "Full name",
        "name_forms-1-name": "Iwan Michajłowicz Majski",
        "name_forms-TOTAL_FORMS": "3",
        "name_forms-2-name": "Иван Майский",
        "name_forms-2-language": "ru",
        "name_forms-2-kind": "variant",
    }
    response = second.post(url(maisky, "change"), form_data(page_second, **typed))

    assert_refused(
        response, stale_message(maisky, changed_by(their_version, "Julian &amp; Gregorian dates"))
    )
    form = response.context["adminform"].form
    assert {name: form[name].value() for name in ("name", "born", "change_reason")} == {
        "name": "Ivan Mikhailovich Maisky",
        "born": "1884",
        "change_reason": "Full name",
    }
    names = formset(response, "name_forms")
    assert [(f["name"].value(), f["language"].value()) for f in names.forms] == [
        ("Ivan Mayski", "en"),
        ("Iwan Michajłowicz Majski", "pl"),
        ("Иван Майский", "ru"),
    ]
    page = response.content.decode()
    assert 'value="Ivan Mikhailovich Maisky"' in page
    assert 'value="Иван Майский"' in page
    assert snapshot() == before
    person = Person.objects.get(pk=maisky.pk)
    assert (person.name, person.born) == ("Ivan Maisky", "1884-01-07")


def test_a_change_to_an_inline_row_alone_makes_the_other_form_stale(
    first, second, archivist, agreement
):
    """The document itself is unchanged; only its signatory was edited meanwhile."""
    page_first = first.get(url(agreement, "change"))
    page_second = second.get(url(agreement, "change"))
    response = first.post(
        url(agreement, "change"),
        form_data(
            page_first, change_reason="Role from the text", **{"signatories-0-role": "witness"}
        ),
    )
    assert response.status_code == 302, response.context["errors"]
    assert agreement.history.count() == 1  # no version of the document itself
    (their_version, _added) = DocumentSignatory.history.all()

    before = snapshot()
    response = second.post(
        url(agreement, "change"),
        form_data(page_second, title="Polish–Soviet agreement", change_reason="Usual title"),
    )

    assert_refused(
        response, stale_message(agreement, changed_by(their_version, "Role from the text"))
    )
    form = response.context["adminform"].form
    assert (form["title"].value(), form["change_reason"].value()) == (
        "Polish–Soviet agreement",
        "Usual title",
    )
    assert formset(response, "signatories").forms[0]["role"].value() == "signatory"
    assert snapshot() == before
    assert Document.objects.get(pk=agreement.pk).title == "Sikorski–Mayski agreement"
    assert DocumentSignatory.objects.get().role == "witness"


@pytest.mark.parametrize("action", ["added", "removed"])
def test_a_row_added_or_removed_by_the_other_makes_the_form_stale(first, second, maisky, action):
    page_first = first.get(url(maisky, "change"))
    page_second = second.get(url(maisky, "change"))
    if action == "added":
        rows = {
            "name_forms-TOTAL_FORMS": "3",
            "name_forms-2-name": "Maiskij",
            "name_forms-2-language": "de",
            "name_forms-2-kind": "variant",
        }
    else:
        rows = {"name_forms-1-DELETE": "on"}
    response = first.post(
        url(maisky, "change"), form_data(page_first, change_reason=f"Name form {action}", **rows)
    )
    assert response.status_code == 302, response.context["errors"]
    assert maisky.history.count() == 1
    (their_version, *_) = PersonName.history.order_by("-history_date", "-history_id")
    assert their_version.history_type == {"added": "+", "removed": "-"}[action]

    before = snapshot()
    response = second.post(
        url(maisky, "change"),
        form_data(
            page_second, change_reason="Polish form", **{"name_forms-1-name": "Iwan M. Majski"}
        ),
    )

    assert_refused(
        response, stale_message(maisky, changed_by(their_version, f"Name form {action}"))
    )
    names = formset(response, "name_forms")
    assert [f["name"].value() for f in names.forms] == ["Ivan Mayski", "Iwan M. Majski"]
    assert snapshot() == before


def test_a_write_that_left_no_version_makes_the_form_stale_too(first, maisky):
    page = first.get(url(maisky, "change"))
    Person.objects.filter(pk=maisky.pk).update(died="1975-09-03")
    before = snapshot()
    response = first.post(url(maisky, "change"), form_data(page, born="1884", change_reason="x"))
    assert_refused(response, stale_message(maisky, "This record was changed"))
    assert snapshot() == before


def test_saving_again_from_the_current_version_succeeds(first, second, archivist, maisky):
    page_first = first.get(url(maisky, "change"))
    page_second = second.get(url(maisky, "change"))
    first.post(url(maisky, "change"), form_data(page_first, born="1884-01-07", change_reason="a"))
    refused = second.post(
        url(maisky, "change"), form_data(page_second, died="1975", change_reason="b")
    )
    assert refused.status_code == 200

    # Posting the refused form again is refused again: it still says what it was opened from.
    again = second.post(url(maisky, "change"), form_data(refused))
    assert again.status_code == 200
    assert again.context["adminform"].form.non_field_errors() == (
        refused.context["adminform"].form.non_field_errors()
    )

    page_second = second.get(url(maisky, "change"))
    response = second.post(
        url(maisky, "change"), form_data(page_second, died="1975-09-03", change_reason="Death date")
    )
    assert response.status_code == 302, response.context["errors"]
    person = Person.objects.get(pk=maisky.pk)
    assert (person.born, person.died) == ("1884-01-07", "1975-09-03")
    (ours, theirs, _created) = maisky.history.all()
    assert (ours.died, ours.born, ours.history_change_reason, ours.history_user.username) == (
        "1975-09-03",
        "1884-01-07",
        "Death date",
        "second",
    )
    assert theirs.history_user == archivist


@pytest.mark.parametrize(
    "posted", [None, "", "garbage", "123:"], ids=["missing", "empty", "garbage", "no-digest"]
)
def test_a_save_without_a_valid_token_is_refused(first, maisky, posted):
    page = first.get(url(maisky, "change"))
    data = form_data(page, born="1884", change_reason="No token")
    if posted is None:
        del data[TOKEN_FIELD]
    else:
        data[TOKEN_FIELD] = posted
    before = snapshot()
    response = first.post(url(maisky, "change"), data)
    assert_refused(
        response,
        "This form does not say which version of the record it was opened from, so saving it "
        "could overwrite someone else's changes. Your changes have not been saved; what you "
        f'typed is still in the form below. <a href="{url(maisky, "change")}">Open the current '
        "version</a> and make your changes again.",
    )
    assert response.context["adminform"].form["born"].value() == "1884"
    assert snapshot() == before


def test_a_save_that_is_not_stale_works_as_before(first, archivist, maisky):
    page = first.get(url(maisky, "change"))
    token = form_data(page)[TOKEN_FIELD]
    assert page.content.decode().count(f'name="{TOKEN_FIELD}" value="{token}"') == 1
    response = first.post(url(maisky, "change"), form_data(page, born="1885", change_reason="Year"))
    assert response.status_code == 302, response.context["errors"]
    (changed, _created) = maisky.history.all()
    assert (changed.born, changed.history_change_reason, changed.history_user) == (
        "1885",
        "Year",
        archivist,
    )
    # The token is no change of the record: the admin log does not mention it,
    assert LogEntry.objects.get().get_change_message() == "Changed Born and Reason for this change."
    # and a save of an inline row alone still writes no version of the record.
    page = first.get(url(maisky, "change"))
    response = first.post(
        url(maisky, "change"),
        form_data(page, change_reason="Spelling", **{"name_forms-0-name": "Ivan Maiski"}),
    )
    assert response.status_code == 302, response.context["errors"]
    assert maisky.history.count() == 2
    assert PersonName.objects.filter(name="Ivan Maiski").exists()


def test_the_check_locks_before_the_first_write(first, maisky):
    """The record (after the data version's row, the lock every writer takes first) is
    locked and read before anything is written, in the transaction that writes."""
    page = first.get(url(maisky, "change"))
    with CaptureQueriesContext(connection) as queries:
        response = first.post(
            url(maisky, "change"), form_data(page, born="1885", change_reason="y")
        )
    assert response.status_code == 302, response.context["errors"]
    sql = [q["sql"] for q in queries.captured_queries]
    first_write = next(i for i, s in enumerate(sql) if s.startswith(("INSERT", "UPDATE")))
    person = Person._meta.db_table
    reads = [i for i, s in enumerate(sql) if s.startswith("SELECT") and f'FROM "{person}"' in s]
    assert reads and min(reads) < first_write
    if connection.features.has_select_for_update:
        locks = [i for i, s in enumerate(sql) if s.endswith("FOR UPDATE")]
        tables = [sql[i].split(" FROM ")[1].split()[0].strip('"') for i in locks]
        assert tables == [data_version.DataVersion._meta.db_table, person]
        assert locks[-1] < first_write


def test_add_carries_no_token_and_a_fresh_revert_saves(first, archivist, maisky):
    add = first.get(reverse("admin:archive_person_add"))
    assert TOKEN_FIELD not in add.context["adminform"].form.fields
    response = first.post(
        reverse("admin:archive_person_add"),
        form_data(add, slug="anthony-eden", name="Anthony Eden", change_reason="New"),
    )
    assert response.status_code == 302, response.context["errors"]

    page = first.get(url(maisky, "change"))
    first.post(url(maisky, "change"), form_data(page, born="1885", change_reason="Wrong year"))
    (_changed, original) = maisky.history.all()
    revert = reverse("admin:archive_person_simple_history", args=[maisky.pk, original.history_id])
    page = first.get(revert)
    assert TOKEN_FIELD in page.context["adminform"].form.fields  # tests/test_admin_revert.py
    response = first.post(revert, form_data(page))
    assert response.status_code == 302
    (reverted, _changed, _created) = maisky.history.all()
    assert (reverted.born, reverted.history_user) == ("1884-01-19", archivist)
    assert Person.objects.get(pk=maisky.pk).born == "1884-01-19"


def test_a_reader_sees_no_token(client, reader, maisky):
    client.force_login(reader)
    # A reader opens the edit form only in a popup; elsewhere the read view.
    page = client.get(url(maisky, "change") + "?_popup=1")
    assert TOKEN_FIELD not in page.context["adminform"].form.fields
    assert TOKEN_FIELD not in page.content.decode()
    assert TOKEN_FIELD not in client.get(url(maisky, "view")).content.decode()


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite lets one writing transaction in at a time"
)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_saves_at_once_the_second_waits_for_the_first_and_is_refused(
    monkeypatch, first, second, archivist, maisky
):
    """The second save's check waits for the first save to commit, then sees its change:
    it cannot slip in between the first's check and its write."""
    page_first = first.get(url(maisky, "change"))
    page_second = second.get(url(maisky, "change"))
    checked = threading.Event()
    read_locked = edit_conflicts._read_locked

    def first_holds_its_locks(*args):
        result = read_locked(*args)
        if threading.current_thread().name == "first":
            checked.set()
            time.sleep(1)  # checked, not yet written: the second save comes now
        return result

    monkeypatch.setattr(edit_conflicts, "_read_locked", first_holds_its_locks)
    responses = {}

    def post(name, client, data):
        try:
            responses[name] = client.post(url(maisky, "change"), data)
        finally:
            connections.close_all()

    posts = [
        threading.Thread(
            target=post,
            name="first",
            args=("first", first, form_data(page_first, born="1884", change_reason="Year")),
        ),
        threading.Thread(
            target=post,
            name="second",
            args=("second", second, form_data(page_second, died="1975", change_reason="Died")),
        ),
    ]
    posts[0].start()
    assert checked.wait(10)
    posts[1].start()
    for thread in posts:
        thread.join(30)

    assert responses["first"].status_code == 302
    (their_version, _created) = maisky.history.all()
    assert_refused(responses["second"], stale_message(maisky, changed_by(their_version, "Year")))
    person = Person.objects.get(pk=maisky.pk)
    assert (person.born, person.died) == ("1884", "")
