"""Every admin page opens, and every record and inline row is versioned through the admin."""

import pytest

from archive.models import (
    Document,
    DocumentCitation,
    DocumentLink,
    DocumentParty,
    DocumentSignatory,
    Event,
    EventCitation,
    EventDocument,
    EventParticipant,
    EventState,
    Person,
    PersonCitation,
    PersonName,
    Place,
    PlaceCitation,
    PlaceName,
    Position,
    Provision,
    Source,
    State,
    StateCitation,
    StateName,
)
from tests.admin_forms import RECORDS, form_data, url

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("model", RECORDS, ids=lambda m: m.__name__)
def test_every_page_opens_for_an_archivist(client, archivist, demo, model):
    client.force_login(archivist)
    obj = model.objects.order_by("pk").first()
    pages = [
        url(model, "changelist"),
        url(model, "changelist") + "?q=soviet",
        url(model, "changelist") + "?published__exact=1",
        url(model, "add"),
        url(model, "change", obj.pk),
        url(model, "view", obj.pk),
        url(model, "history", obj.pk),
        url(model, "deleted"),
        url(model, "simple_history", obj.pk, obj.history.earliest().history_id),
    ]
    assert {page: client.get(page).status_code for page in pages} == dict.fromkeys(pages, 200)


@pytest.mark.parametrize("model", RECORDS, ids=lambda m: m.__name__)
def test_reader_opens_every_page_but_cannot_add_or_change(client, reader, demo, model):
    client.force_login(reader)
    obj = model.objects.order_by("pk").first()
    assert client.get(url(model, "changelist")).status_code == 200
    view = url(model, "view", obj.pk)
    assert client.get(url(model, "change", obj.pk)).headers["Location"] == view
    assert client.get(view).status_code == 200
    assert client.get(url(model, "history", obj.pk)).status_code == 200
    assert client.get(url(model, "add")).status_code == 403
    assert client.post(url(model, "change", obj.pk), {}).status_code == 403
    assert client.post(url(model, "delete", obj.pk), {"post": "yes"}).status_code == 403


def test_decade_filter_lists_documents_overlapping_the_decade(client, archivist, demo):
    client.force_login(archivist)

    def titles(decade):
        response = client.get(url(Document, "changelist"), {"date_decade": decade})
        return sorted(d.slug for d in response.context["cl"].result_list)

    assert titles("1930") == ["molotov-ribbentrop-pact"]
    assert titles("1940") == ["polish-soviet-military-agreement", "sikorski-mayski-agreement"]
    assert titles("1950") == []


# Oldest first in date_queries.chronological's order: by the first day a date can
# mean, then by its last; a date without a first day (open at the start, or none)
# after those with one; no last day after one.
BY_DATE = ["d1939", "d1941-01", "d1941", "open-start", "undated"]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [("default", BY_DATE), ("date", BY_DATE), ("-date", BY_DATE[::-1])],
)
def test_the_admin_lists_undated_records_last_by_date_on_every_database(
    client, archivist, sort, expected
):
    """SQLite puts nulls first and PostgreSQL last: the changelist's order by date (its
    default, and the date column clicked either way) is the API's, the same on both."""
    dates = {"d1939": "1939", "d1941": "1941", "d1941-01": "1941-01", "open-start": "../1941"}
    for title in ["undated", "open-start", "d1941", "d1941-01", "d1939"]:  # not in date order
        Document.objects.create(slug=title, title=title, date=dates.get(title, ""))
    Event.objects.create(slug="undated", name="undated", date="")
    Event.objects.create(slug="d1941", name="d1941", date="1941")
    client.force_login(archivist)

    def slugs(model) -> list[str]:
        changelist = url(model, "changelist")
        column = client.get(changelist).context["cl"].list_display.index("date_display")
        query = {} if sort == "default" else {"o": f"{'-' if sort == '-date' else ''}{column}"}
        return [record.slug for record in client.get(changelist, query).context["cl"].result_list]

    assert slugs(Document) == expected
    assert slugs(Event) == (["undated", "d1941"] if sort == "-date" else ["d1941", "undated"])


NEW_RECORDS = {
    Document: {"slug": "atlantic-charter", "title": "Atlantic Charter", "kind": "declaration"},
    Person: {"slug": "winston-churchill", "name": "Winston Churchill", "born": "1874-11-30"},
    State: {"slug": "united-states", "name": "United States", "existence": "1776/.."},
    Event: {"slug": "tehran-conference", "name": "Tehran Conference", "kind": "conference"},
    Place: {"slug": "tehran", "name": "Tehran"},
    Source: {"slug": "a-book", "title": "A book"},
}


@pytest.mark.parametrize("model", RECORDS, ids=lambda m: m.__name__)
def test_adding_a_record_in_the_admin_writes_one_version(client, archivist, demo, model):
    client.force_login(archivist)
    page = client.get(url(model, "add"))
    response = client.post(
        url(model, "add"), form_data(page, change_reason="New record", **NEW_RECORDS[model])
    )
    assert response.status_code == 302, response.context["errors"]
    obj = model.objects.get(slug=NEW_RECORDS[model]["slug"])
    (created,) = obj.history.all()
    assert (created.history_type, created.history_change_reason, created.history_user) == (
        "+",
        "New record",
        archivist,
    )


def pk_of(model, slug):
    return str(model.objects.get(slug=slug).pk)


# record, inline prefix, row model, values of a new row, (field, changed value)
INLINES = [
    (Document, "provisions", Provision, {"number": "9", "text": "New"}, ("text", "Changed")),
    (
        Document,
        "parties",
        DocumentParty,
        {"state": ("state", "united-kingdom"), "role": "guarantor"},
        ("role", "observer"),
    ),
    (
        Document,
        "signatories",
        DocumentSignatory,
        {
            "person": ("person", "anthony-eden"),
            # A party: on behalf of another state, the save asks first
            # (tests/test_admin_consistency.py).
            "on_behalf_of": ("state", "poland"),
            "role": "witness",
        },
        ("role", "countersignatory"),
    ),
    (
        Document,
        "links",
        DocumentLink,
        {"target": ("document", "polish-soviet-military-agreement"), "role": "references"},
        ("role", "supplements"),
    ),
    (
        Document,
        "citations",
        DocumentCitation,
        {"source": ("source", "sikorski-mayski-agreement-article"), "locator": "p. 9"},
        ("locator", "p. 10"),
    ),
    (
        Person,
        "name_forms",
        PersonName,
        {"name": "Maiskii", "language": "de", "kind": "variant"},
        ("name", "Maiskij"),
    ),
    (Person, "positions", Position, {"title": "Envoy", "period": "1929/1932"}, ("period", "1929")),
    (
        Person,
        "citations",
        PersonCitation,
        {"source": ("source", "sikorski-mayski-agreement-article"), "locator": "p. 9"},
        ("locator", "p. 10"),
    ),
    (
        State,
        "name_forms",
        StateName,
        {"name": "Sowjetunion", "language": "de", "kind": "variant"},
        ("name", "UdSSR"),
    ),
    (
        State,
        "citations",
        StateCitation,
        {"source": ("source", "sikorski-mayski-agreement-article"), "locator": "p. 9"},
        ("locator", "p. 10"),
    ),
    (
        Event,
        "participants",
        EventParticipant,
        {"person": ("person", "anthony-eden"), "role": "witness"},
        ("role", "mediator"),
    ),
    (
        Event,
        "states",
        EventState,
        {"state": ("state", "united-kingdom"), "role": "observer"},
        ("role", "host"),
    ),
    (
        Event,
        "documents",
        EventDocument,
        {"document": ("document", "molotov-ribbentrop-pact"), "role": "related"},
        ("role", "invalidated"),
    ),
    (
        Event,
        "citations",
        EventCitation,
        {"source": ("source", "sikorski-mayski-agreement-article"), "locator": "p. 9"},
        ("locator", "p. 10"),
    ),
    (
        Place,
        "name_forms",
        PlaceName,
        {"name": "Londyn", "language": "pl", "kind": "variant"},
        ("name", "Londres"),
    ),
    (
        Place,
        "citations",
        PlaceCitation,
        {"source": ("source", "sikorski-mayski-agreement-article"), "locator": "p. 9"},
        ("locator", "p. 10"),
    ),
]

OWNERS = {Document: "sikorski-mayski-agreement", Person: "ivan-maisky", State: "soviet-union"}
OWNERS |= {Event: "polish-soviet-negotiations-1941", Place: "london"}


def _resolve(value):
    if isinstance(value, tuple):
        model_name, slug = value
        model = {"state": State, "person": Person, "document": Document, "source": Source}
        return pk_of(model[model_name], slug)
    return value


@pytest.mark.parametrize(
    ("record_model", "prefix", "row_model", "values", "change"),
    INLINES,
    ids=[f"{r.__name__}-{p}" for r, p, *_ in INLINES],
)
def test_inline_rows_are_versioned_when_added_changed_and_removed(
    client, archivist, demo, record_model, prefix, row_model, values, change
):
    """Each inline row added, changed and removed in the admin gets its version."""
    client.force_login(archivist)
    record = record_model.objects.get(slug=OWNERS[record_model])
    change_url = url(record_model, "change", record.pk)
    owner = {f"{row_model.owner_field}": record}
    before = set(row_model.objects.filter(**owner).values_list("pk", flat=True))

    page = client.get(change_url)
    total = int(form_data(page)[f"{prefix}-TOTAL_FORMS"])
    new_row = {f"{prefix}-{total}-{field}": _resolve(v) for field, v in values.items()}
    data = form_data(
        page, change_reason="Add a row", **{f"{prefix}-TOTAL_FORMS": str(total + 1)}, **new_row
    )
    response = client.post(change_url, data)
    assert response.status_code == 302, response.context["errors"]
    (row,) = row_model.objects.filter(**owner).exclude(pk__in=before)
    (added,) = row.history.all()
    assert (added.history_type, added.history_change_reason, added.history_user) == (
        "+",
        "Add a row",
        archivist,
    )

    page = client.get(change_url)
    index = [f.instance.pk for f in _formset(page, prefix).forms].index(row.pk)
    field, value = change
    response = client.post(
        change_url,
        form_data(page, change_reason="Fix the row", **{f"{prefix}-{index}-{field}": value}),
    )
    assert response.status_code == 302, response.context["errors"]
    (changed, _added) = row.history.all()
    assert (changed.history_type, changed.history_change_reason, getattr(changed, field)) == (
        "~",
        "Fix the row",
        value,
    )

    page = client.get(change_url)
    response = client.post(
        change_url,
        form_data(page, change_reason="Wrong row", **{f"{prefix}-{index}-DELETE": "on"}),
    )
    assert response.status_code == 302, response.context["errors"]
    assert not row_model.objects.filter(pk=row.pk).exists()
    (removed, _changed, _added) = row_model.history.filter(id=row.pk)
    assert (removed.history_type, removed.history_change_reason, removed.history_user) == (
        "-",
        "Wrong row",
        archivist,
    )
    # The record's own history shows the three row versions, newest first.
    entries = client.get(url(record_model, "history", record.pk)).context["entries"]
    assert [(e.type, e.reason) for e in entries[:3]] == [
        ("deleted", "Wrong row"),
        ("changed", "Fix the row"),
        ("created", "Add a row"),
    ]


def _formset(page, prefix):
    (inline,) = [i for i in page.context["inline_admin_formsets"] if i.formset.prefix == prefix]
    return inline.formset


def test_decade_filter_counts_open_ended_dates_as_the_api_does(client, archivist, demo):
    """A treaty in force "from 1941" (1941/..) belongs to the 1950s too; one with no
    date to none; the same overlap rule as the API's dateFrom/dateTo."""
    Document.objects.create(slug="open-ended", title="Open", kind="treaty", date="1941/..")
    Document.objects.create(slug="undated", title="Undated", kind="treaty")
    client.force_login(archivist)

    def slugs(decade):
        response = client.get(url(Document, "changelist"), {"date_decade": decade})
        return sorted(d.slug for d in response.context["cl"].result_list)

    assert slugs("1950") == ["open-ended"]
    assert slugs("1930") == ["molotov-ribbentrop-pact"]


def _document_with_rows(rows: int) -> Document:
    """A document with ``rows`` signatories, parties and provisions, each row's links and
    source filled (the autocomplete boxes of a row all show a chosen record)."""
    source = Source.objects.create(slug="source", title="A source")
    document = Document.objects.create(slug=f"treaty-{rows}", title="A treaty", date="1941")
    for number in range(rows):
        state = State.objects.create(slug=f"state-{rows}-{number}", name=f"State {number}")
        person = Person.objects.create(slug=f"person-{rows}-{number}", name=f"Person {number}")
        DocumentSignatory.objects.create(
            document=document, person=person, on_behalf_of=state, source=source
        )
        DocumentParty.objects.create(document=document, state=state, source=source)
        Provision.objects.create(document=document, number=number + 1, text="Article.")
    return document


@pytest.mark.parametrize("rows", [2, 40])
def test_a_change_page_costs_the_same_queries_with_many_inline_rows(
    client, superuser, django_assert_num_queries, rows
):
    """The chosen records of the inline rows' autocomplete boxes are fetched once per
    column, and the rows with the records they name: no query per row."""
    document = _document_with_rows(rows)
    client.force_login(superuser)
    client.get(url(Document, "change", document.pk))  # the session and content types
    # 13, and 3 for what other records say of it: the record, the links to it, its events;
    # and whether a version of this draft was published (a published slug stays).
    with django_assert_num_queries(17):
        response = client.get(url(Document, "change", document.pk))
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count('<option value="') >= 3 * rows  # person, state represented, party
    assert f">Person {rows - 1}</option>" in page
    assert f">State {rows - 1}</option>" in page


def test_history_pages_show_fifty_versions_each(client, archivist):
    """A record with 120 versions: pages of 50, newest first, and links between them."""
    document = Document.objects.create(slug="often-changed", title="Version 0")
    for number in range(1, 120):
        document.title = f"Version {number}"
        document.save()
    client.force_login(archivist)
    history = url(Document, "history", document.pk)

    def titles(page):
        response = client.get(history, {"p": page} if page else {})
        assert response.status_code == 200
        return response, [e.version.title for e in response.context["entries"]]

    response, first = titles(None)
    assert first == [f"Version {n}" for n in range(119, 69, -1)]
    assert "page 1 of 3" in response.content.decode()
    _, third = titles(3)
    assert third == [f"Version {n}" for n in range(19, -1, -1)]
    response, beyond = titles(9)  # past the end: the last page, not an error
    assert beyond == third


@pytest.mark.slow
def test_a_change_form_with_hundreds_of_inline_rows_saves(client, superuser):
    """150 signatories, parties and provisions post over 2,000 fields: all saved."""
    document = _document_with_rows(150)
    client.force_login(superuser)
    page = client.get(url(Document, "change", document.pk))
    data = form_data(
        page, title="A treaty, retitled", kind="treaty", change_reason="Title from the text"
    )
    assert len(data) > 2000
    response = client.post(url(Document, "change", document.pk), data)
    assert response.status_code == 302
    document.refresh_from_db()
    assert document.title == "A treaty, retitled"
    assert document.history.first().history_change_reason == "Title from the text"
    assert document.signatories.count() == 150


def test_an_admin_page_while_the_database_is_unreachable_is_a_503_to_retry(
    client, superuser, monkeypatch, caplog
):
    """Not a 500: the archivist learns that nothing was saved and to send it again."""
    import logging

    from django.db import OperationalError

    from archive.admin.base import ArchiveAdmin

    document = Document.objects.create(slug="treaty", title="A treaty")
    client.force_login(superuser)

    def unreachable(*args, **kwargs):
        raise OperationalError("could not connect to server: Connection refused")

    monkeypatch.setattr(ArchiveAdmin, "get_object", unreachable)
    with caplog.at_level(logging.WARNING, logger="project.unavailable"):
        response = client.get(url(Document, "change", document.pk))
    assert (response.status_code, response["Retry-After"]) == (503, "5")
    page = response.content.decode()
    assert "Nothing was saved by this request." in page
    assert "Connection refused" not in page
    (record,) = [r for r in caplog.records if r.name == "project.unavailable"]
    assert record.getMessage() == (
        f"GET {url(Document, 'change', document.pk)} while the database is unavailable: "
        "could not connect to server: Connection refused"
    )
