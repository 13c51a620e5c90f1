"""Changes to many records at once, each a version with the one reason given
(archive/admin/bulk_changes.py)."""

import pytest

from archive.models import Document, Place
from tests.admin_forms import url

pytestmark = pytest.mark.django_db

REASON = "Checked against the seed article"


def act(client, action: str, records, **fields):
    return client.post(
        url(Document, "changelist"),
        {"action": action, "_selected_action": [r.pk for r in records], **fields},
    )


def documents(*slugs):
    return list(Document.objects.filter(slug__in=slugs).order_by("pk"))


def test_unpublish_asks_for_the_reason_then_writes_one_version_each(client, archivist, demo):
    client.force_login(archivist)
    chosen = documents("sikorski-mayski-agreement", "polish-soviet-military-agreement")
    asked = act(client, "unpublish_selected", chosen)
    assert asked.status_code == 200
    assert asked.template_name == "admin/archive/bulk_change.html"
    page = asked.content.decode()
    assert "<h2>2 selected</h2>" in page
    assert 'name="change_reason"' in page
    assert all(d.published for d in documents("sikorski-mayski-agreement"))  # nothing yet

    without_reason = act(client, "unpublish_selected", chosen, post="yes", change_reason="")
    assert without_reason.status_code == 200
    assert "This field is required." in without_reason.content.decode()
    assert [d.published for d in documents(*[d.slug for d in chosen])] == [True, True]

    before = {d.pk: d.history.count() for d in chosen}
    done = act(client, "unpublish_selected", chosen, post="yes", change_reason=REASON)
    assert done.status_code == 302
    for document in documents(*[d.slug for d in chosen]):
        assert document.published is False
        assert document.history.count() == before[document.pk] + 1
        latest = document.history.latest()
        assert (latest.history_change_reason, latest.history_user) == (REASON, archivist)
        assert latest.published is False
    messages = [str(m) for m in done.wsgi_request._messages]
    assert messages == [
        f"2 documents changed, each a version with the reason “{REASON}”; 0 already as asked."
    ]


def test_records_already_as_asked_get_no_version(client, archivist, demo):
    client.force_login(archivist)
    chosen = documents("sikorski-mayski-agreement")
    before = chosen[0].history.count()
    response = act(client, "publish_selected", chosen, post="yes", change_reason=REASON)
    assert response.status_code == 302
    assert chosen[0].history.count() == before
    assert [str(m) for m in response.wsgi_request._messages] == [
        f"0 documents changed, each a version with the reason “{REASON}”; 1 already as asked."
    ]


def test_set_a_field_first_asks_which_then_its_value_and_the_reason(client, archivist, demo):
    client.force_login(archivist)
    chosen = documents("sikorski-mayski-agreement", "polish-soviet-military-agreement")
    first = act(client, "set_field_on_selected", chosen)
    page = first.content.decode()
    assert '<select name="field"' in page
    assert 'name="change_reason"' not in page  # the field first
    assert '<input type="submit" value="Next">' in page
    # Identity, the slug and publishing are not given one value for many.
    choices = first.context["value_form"].fields["field"].choices
    assert {"title", "slug", "published"}.isdisjoint(name for name, _ in choices)

    second = act(client, "set_field_on_selected", chosen, field="place")
    page = second.content.decode()
    assert 'name="value"' in page and 'name="change_reason"' in page

    london = Place.objects.get(slug="london")
    done = act(
        client,
        "set_field_on_selected",
        chosen,
        field="place",
        value=london.pk,
        post="yes",
        change_reason=REASON,
    )
    assert done.status_code == 302
    changed = documents(*[d.slug for d in chosen])
    assert [d.place_id for d in changed] == [london.pk, london.pk]
    # The one already signed in London is as asked: no version for it.
    assert [str(m) for m in done.wsgi_request._messages] == [
        f"1 document changed, each a version with the reason “{REASON}”; 1 already as asked."
    ]


def test_a_value_the_records_checks_refuse_changes_none(client, archivist, demo):
    client.force_login(archivist)
    chosen = documents("sikorski-mayski-agreement", "polish-soviet-military-agreement")
    dates = [d.date for d in chosen]
    response = act(
        client,
        "set_field_on_selected",
        chosen,
        field="date",
        value="1941-13-01",
        post="yes",
        change_reason=REASON,
    )
    assert response.status_code == 302
    [message] = [str(m) for m in response.wsgi_request._messages]
    assert message.startswith(
        "Nothing has been changed. “Sikorski–Mayski agreement” would be refused. "
        "Date: “1941-13-01” is not a valid EDTF date."
    )
    assert [d.date for d in documents(*[d.slug for d in chosen])] == dates


def test_a_reader_has_none_of_these_actions(client, reader, demo):
    client.force_login(reader)
    assert client.get(url(Document, "changelist")).context["action_form"] is None


RECOVERABLE = (
    '<p class="recoverable">A deleted record can be recovered, with the rows deleted along '
    "with it: “Deleted records” on the list of documents. Its history is kept.</p>"
)


def test_a_delete_says_the_record_can_be_recovered(client, superuser):
    client.force_login(superuser)  # archivists do not delete
    document = Document.objects.create(slug="a-note", title="A note")  # nothing links to it
    one = client.get(url(Document, "delete", document.pk)).content.decode()
    many = act(client, "delete_selected", [document]).content.decode()
    assert RECOVERABLE in one
    assert RECOVERABLE in many
