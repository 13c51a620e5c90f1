"""The read view of a record (archive.admin.record_view): what a reader sees first.

The record as a person reads it, every relation in both directions, the inverse
wording of a document link, the role of a document in an event read from both
sides, drafts marked, the latest changes; readers are sent to it from the edit
form, an earlier version opens as it; a constant number of queries however many
relations a record has.
"""

import pytest

from archive.admin import record_view
from archive.models import (
    Document,
    DocumentCitation,
    DocumentLink,
    DocumentParty,
    DocumentRelation,
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
from archive.models.documents import INVERSE_RELATIONS
from tests.admin_forms import RECORDS, form_data, url
from tests.factories import (
    make_document,
    make_event,
    make_person,
    make_place,
    make_source,
    make_state,
)

pytestmark = pytest.mark.django_db


def shown(response) -> dict[str, list[tuple[str, ...]]]:
    """The page's lists by title, each row as its texts; a draft's text ends in [draft]."""
    return {
        section.title: [
            tuple(cell.text + (" [draft]" if cell.draft else "") for cell in row)
            for row in section.rows
        ]
        for section in response.context["sections"]
    }


def facts(response) -> list[tuple[str, str, str]]:
    return [(f.label, f.value.text, f.detail) for f in response.context["facts"]]


def content(response) -> str:
    return response.content.decode().split('id="content-main"', 1)[1]


def test_a_person_reads_as_a_person_would(client, reader, demo):
    maisky = Person.objects.get(slug="ivan-maisky")
    agreement = Document.objects.get(slug="sikorski-mayski-agreement")
    client.force_login(reader)
    response = client.get(url(Person, "view", maisky.pk))
    assert response.status_code == 200
    assert response.context["title"] == "Ivan Maisky"
    assert facts(response) == [
        ("Name", "Ivan Maisky", ""),
        ("Born", "19 January 1884", "EDTF 1884-01-19; the days it can mean: 19 January 1884"),
        ("Died", "3 September 1975", "EDTF 1975-09-03; the days it can mean: 3 September 1975"),
    ]
    article = "Sikorski–Mayski agreement"  # the source: the article of that name
    assert shown(response) == {
        "Name forms": [
            ("Ivan Maisky", "en", "authorized form"),
            ("Ivan Mayski", "en", "variant"),
            ("Iwan Majski", "pl", "variant"),
            ("Иван Майский", "ru", "authorized form"),
        ],
        "Positions held": [
            (
                "Soviet ambassador to the United Kingdom",
                "Soviet Union",
                "1932 – 1943",
                f"{article}, Introduction",
            )
        ],
        "Documents signed": [
            (
                "Sikorski–Mayski agreement",
                "30 July 1941",
                "Soviet Union",
                "signatory",
                f"{article}, infobox",
            )
        ],
        "Events taken part in": [
            (
                "Polish–Soviet negotiations of 1941",
                "5 July 1941 – 30 July 1941",
                "negotiator",
                f"{article}, Negotiations",
            ),
            (
                "Signing of the Sikorski–Mayski agreement",
                "30 July 1941",
                "signatory",
                f"{article}, infobox",
            ),
        ],
        "Citations": [(article, "infobox", ""), (article, "Negotiations", "")],
    }
    page = content(response)
    # The document he signed: a row header, linked to its own read view.
    assert (
        f'<th scope="row"><a href="{url(Document, "view", agreement.pk)}">'
        "Sikorski–Mayski agreement</a></th>"
    ) in page
    assert '<th scope="col">On behalf of</th>' in page
    assert "Published</span>: in the public API." in page
    # A reader may not change it: no Edit, no form, no input of any kind.
    assert url(Person, "change", maisky.pk) not in page
    assert "<input" not in page and "<form" not in page
    # The latest changes, and the way to all of them.
    recent = response.context["recent_changes"]
    assert len(recent) == record_view.RECENT_CHANGES
    assert {entry.reason for entry in recent} == {"Loaded from fixture demo.json"}
    assert f'<a href="{url(Person, "history", maisky.pk)}">The full history</a>' in page


def test_a_document_lists_what_links_to_it_in_the_inverse_wording(client, reader, demo):
    client.force_login(reader)
    agreement = Document.objects.get(slug="sikorski-mayski-agreement")
    pact = Document.objects.get(slug="molotov-ribbentrop-pact")
    article = "Sikorski–Mayski agreement"
    lists = shown(client.get(url(Document, "view", agreement.pk)))
    assert lists["Links to other documents"] == [
        ("Molotov–Ribbentrop Pact", "Annuls", f"{article}, Provisions")
    ]
    assert lists["Linked from other documents"] == [
        ("Polish–Soviet military agreement", "Supplemented by", f"{article}, Negotiations")
    ]
    # The events it belongs to, its role worded from the document.
    assert lists["Events"] == [
        ("Partition of Poland (1939)", "September 1939", "invalidated", f"{article}, Provisions"),
        (
            "Polish–Soviet negotiations of 1941",
            "5 July 1941 – 30 July 1941",
            "negotiated at",
            f"{article}, Negotiations",
        ),
        (
            "Signing of the Sikorski–Mayski agreement",
            "30 July 1941",
            "signed at",
            f"{article}, Introduction",
        ),
    ]
    pact_lists = shown(client.get(url(Document, "view", pact.pk)))
    assert pact_lists["Linked from other documents"] == [
        ("Sikorski–Mayski agreement", "Annulled by", f"{article}, Provisions")
    ]
    assert pact_lists["Events"] == [
        (
            "Soviet invasion of Poland",
            "17 September 1939 – 6 October 1939",
            "led to",
            f"{article}, Background",
        )
    ]


def test_a_document_role_in_an_event_reads_right_from_the_event(client, reader, demo):
    client.force_login(reader)
    signing = Event.objects.get(slug="signing-of-the-sikorski-mayski-agreement")
    invasion = Event.objects.get(slug="invasion-of-poland-1939")
    assert shown(client.get(url(Event, "view", signing.pk)))["Documents"] == [
        (
            "Sikorski–Mayski agreement",
            "30 July 1941",
            "signed at this event",
            "Sikorski–Mayski agreement, Introduction",
        )
    ]
    assert shown(client.get(url(Event, "view", invasion.pk)))["Documents"] == [
        (
            "Molotov–Ribbentrop Pact",
            "23 August 1939",
            "led to this event",
            "Sikorski–Mayski agreement, Background",
        )
    ]


def test_every_document_relation_has_its_inverse_wording():
    assert {relation.label: relation.inverse_label for relation in DocumentRelation} == {
        "Annuls": "Annulled by",
        "Supersedes": "Superseded by",
        "Amends": "Amended by",
        "Supplements": "Supplemented by",
        "Implements": "Implemented by",
        "References": "Referenced by",
    }
    assert set(INVERSE_RELATIONS) == set(DocumentRelation)


def test_a_state_and_a_place_list_what_points_to_them(client, reader, demo):
    client.force_login(reader)
    poland = State.objects.get(slug="poland")
    london = Place.objects.get(slug="london")
    lists = shown(client.get(url(State, "view", poland.pk)))
    assert [row[:3] for row in lists["Documents it is party to"]] == [
        ("Sikorski–Mayski agreement", "30 July 1941", "party"),
        ("Polish–Soviet military agreement", "14 August 1941", "party"),
    ]
    assert [row[:4] for row in lists["Documents signed on its behalf"]] == [
        ("Sikorski–Mayski agreement", "30 July 1941", "Władysław Sikorski", "signatory")
    ]
    assert [(row[0], row[2]) for row in lists["Events"]][:2] == [
        ("Partition of Poland (1939)", "partitioned"),
        ("Soviet invasion of Poland", "invaded"),
    ]
    assert len(lists["Events"]) == 8
    assert [row[:2] for row in lists["Offices held for it"]] == [
        ("Władysław Sikorski", "Prime Minister of Poland"),
        ("Stanisław Kot", "Polish ambassador to the Soviet Union"),
        ("Zygmunt Szyszko-Bohusz", "Chief of the Polish Military Mission in the Soviet Union"),
        ("Władysław Anders", "Commander of the Anders Army"),
    ]
    assert shown(client.get(url(Place, "view", london.pk))) == {
        "Name forms": [],
        "Documents signed or issued here": [
            ("Sikorski–Mayski agreement", "30 July 1941", "Agreement")
        ],
        "Events held here": [
            ("Polish–Soviet negotiations of 1941", "5 July 1941 – 30 July 1941", "Negotiation"),
            ("Signing of the Sikorski–Mayski agreement", "30 July 1941", "Signing"),
        ],
        "Citations": [("Sikorski–Mayski agreement", "infobox", "")],
    }


def test_drafts_among_related_records_are_marked(client, archivist, maisky):
    client.force_login(archivist)
    draft = make_document(title="Unpublished protocol", date="1941-08", published=False)
    DocumentSignatory.objects.create(document=draft, person=maisky)
    response = client.get(url(Person, "view", maisky.pk))
    assert shown(response)["Documents signed"] == [
        ("Unpublished protocol [draft]", "August 1941", "", "signatory", "")
    ]
    assert '</a> <span class="draft-mark">draft</span>' in content(response)
    # And the record itself, if it is one.
    page = content(client.get(url(Document, "view", draft.pk)))
    assert '<span class="draft-mark">Draft</span>: not in the public API.' in page


def test_a_source_lists_what_cites_it_and_what_it_attests_by_kind(
    client, reader, archivist, maisky
):
    diaries = make_source(title="The Maisky diaries")
    soviet_union = make_state(name="Soviet Union", published=True)
    agreement = make_document(title="Sikorski–Mayski agreement", date="1941-07-30", published=True)
    draft = make_document(title="Unpublished protocol", date="1941-08", published=False)
    DocumentCitation.objects.create(record=draft, source=diaries, locator="p. 12")
    DocumentCitation.objects.create(record=agreement, source=diaries)
    PersonCitation.objects.create(record=maisky, source=diaries, locator="vol. 1", note="His own")
    PersonCitation.objects.create(record=maisky, source=make_source(), locator="another source")
    DocumentSignatory.objects.create(
        document=agreement,
        person=maisky,
        on_behalf_of=soviet_union,
        source=diaries,
        source_locator="p. 14",
    )
    Position.objects.create(
        person=maisky,
        title="Soviet ambassador to the United Kingdom",
        state=soviet_union,
        period="1932/1943",
        source=diaries,
        source_locator="p. 3",
    )
    DocumentParty.objects.create(document=agreement, state=soviet_union)  # attested by none
    client.force_login(reader)
    response = client.get(url(Source, "view", diaries.pk))
    assert shown(response) == {
        "Documents citing it": [
            ("Sikorski–Mayski agreement", "30 July 1941", "", ""),
            ("Unpublished protocol [draft]", "August 1941", "p. 12", ""),
        ],
        "Persons citing it": [("Ivan Maisky", "vol. 1", "His own")],
        "States citing it": [],
        "Events citing it": [],
        "Places citing it": [],
        "Parties it attests": [],
        "Signatures it attests": [
            (
                "Sikorski–Mayski agreement",
                "30 July 1941",
                "Ivan Maisky",
                "Soviet Union",
                "signatory",
                "p. 14",
            )
        ],
        "Links between documents it attests": [],
        "Participants it attests": [],
        "States in events it attests": [],
        "Documents of events it attests": [],
        "Positions it attests": [
            (
                "Ivan Maisky",
                "Soviet ambassador to the United Kingdom",
                "Soviet Union",
                "1932 – 1943",
                "p. 3",
            )
        ],
    }
    sections = {s.title: s for s in response.context["sections"]}
    assert sections["Signatures it attests"].headers == (
        "Document",
        "Date",
        "Person",
        "On behalf of",
        "Role",
        "Where in it",
    )
    assert sections["Persons citing it"].headers == ("Person", "Where in it", "Note")
    page = content(response)
    assert (
        f'<th scope="row"><a href="{url(Person, "view", maisky.pk)}">Ivan Maisky</a></th>'
    ) in page
    assert 'Documents citing it <span class="record-count">(2)</span>' in page
    # The edit form lists the same, below the source's own fields: none of it is its own.
    client.force_login(archivist)
    edit_page = client.get(url(Source, "change", diaries.pk))
    assert [s.title for s in edit_page.context["incoming_sections"]] == list(sections)


@pytest.mark.parametrize("model", RECORDS, ids=lambda m: m.__name__)
def test_a_reader_is_sent_from_the_edit_form_to_the_read_view(client, reader, demo, model):
    record = model.objects.order_by("pk").first()
    client.force_login(reader)
    response = client.get(url(model, "change", record.pk))
    assert (response.status_code, response.headers["Location"]) == (
        302,
        url(model, "view", record.pk),
    )
    page = content(client.get(url(model, "view", record.pk)))
    assert "Edit</a>" not in page
    # The read view takes no POST: changes are made on the edit form, by who may.
    assert client.post(url(model, "view", record.pk)).status_code == 405


@pytest.mark.parametrize("model", RECORDS, ids=lambda m: m.__name__)
def test_an_archivist_goes_between_the_view_and_the_edit_form_in_one_click(
    client, archivist, demo, model
):
    record = model.objects.order_by("pk").first()
    client.force_login(archivist)
    view, change = url(model, "view", record.pk), url(model, "change", record.pk)
    assert f'<a href="{change}" class="changelink">Edit</a>' in content(client.get(view))
    edit_page = client.get(change)
    assert edit_page.status_code == 200
    assert f'<a href="{view}" class="viewlink">View</a>' in content(edit_page)
    changelist = content(client.get(url(model, "changelist")))
    assert f'<a href="{view}">View</a>' in changelist


def test_the_edit_form_lists_what_other_records_say_of_it(client, archivist, demo):
    client.force_login(archivist)
    maisky = Person.objects.get(slug="ivan-maisky")
    response = client.get(url(Person, "change", maisky.pk))
    # Only the rows other records own: his own (names, positions) are the inlines.
    assert [s.title for s in response.context["incoming_sections"]] == [
        "Documents signed",
        "Events taken part in",
    ]
    page = content(response)
    assert "<h2>Linked from other records</h2>" in page
    agreement = Document.objects.get(slug="sikorski-mayski-agreement")
    assert (
        f'<th scope="row"><a href="{url(Document, "view", agreement.pk)}">'
        "Sikorski–Mayski agreement</a></th>"
    ) in page


def test_the_event_form_says_how_a_document_role_is_worded(client, archivist, demo):
    client.force_login(archivist)
    signing = Event.objects.get(slug="signing-of-the-sikorski-mayski-agreement")
    page = client.get(url(Event, "change", signing.pk)).content.decode()
    # The list of what each role means says so (tests/test_roles.py).
    assert (
        "<summary>What each role of the documents means</summary>\n"
        "  <p>Worded from the document: the pact “led to” the invasion.</p>"
    ) in page
    assert "<div><dt>signed at</dt><dd>was signed at the event</dd></div>" in page


def test_an_unknown_record_is_not_found(client, reader, demo):
    client.force_login(reader)
    assert client.get(url(Person, "view", 999999)).status_code == 404
    assert client.get("/admin/archive/person/abc/view/").status_code == 404


def test_an_earlier_version_opens_as_the_same_read_view(client, archivist, reader):
    client.force_login(archivist)
    added = client.post(
        url(Person, "add"),
        form_data(
            client.get(url(Person, "add")),
            name="Ivan Maisky",
            slug="ivan-maisky",
            born="1884-01-19",
            change_reason="New record",
            **{"name_forms-0-name": "Ivan Mayski", "name_forms-0-language": "en"},
        ),
    )
    assert added.status_code == 302
    maisky = Person.objects.get(slug="ivan-maisky")
    page = client.get(url(Person, "change", maisky.pk))
    changed = client.post(
        url(Person, "change", maisky.pk),
        form_data(
            page,
            born="1884-01",
            change_reason="Only the month is sure",
            **{"name_forms-1-name": "Iwan Majski", "name_forms-1-language": "pl"},
        ),
    )
    assert changed.status_code == 302
    created = maisky.history.earliest()
    version_url = url(Person, "simple_history", maisky.pk, created.history_id)

    client.force_login(reader)
    now = client.get(url(Person, "view", maisky.pk))
    assert facts(now)[1] == (
        "Born",
        "January 1884",
        "EDTF 1884-01; the days it can mean: 1 January 1884 – 31 January 1884",
    )
    assert shown(now)["Name forms"] == [
        ("Ivan Mayski", "en", "variant"),
        ("Iwan Majski", "pl", "variant"),
    ]
    assert [(e.summary, e.reason) for e in now.context["recent_changes"]] == [
        ("name form added: Iwan Majski (pl)", "Only the month is sure"),
        ("Changed", "Only the month is sure"),
        ("name form added: Ivan Mayski (en)", "New record"),
        ("Created", "New record"),
    ]

    then = client.get(version_url)
    assert then.status_code == 200
    assert then.templates[0].name == "admin/archive/record_view.html"
    assert facts(then)[1] == (
        "Born",
        "19 January 1884",
        "EDTF 1884-01-19; the days it can mean: 19 January 1884",
    )
    # Its own rows as they were: the Polish name form was added later.
    assert shown(then) == {
        "Name forms": [("Ivan Mayski", "en", "variant")],
        "Positions held": [],
        "Citations": [],
    }
    page = content(then)
    assert "<input" not in page and "<form" not in page
    assert "The person as it was on" in page
    assert "(reason: “New record”)" in page

    # An archivist opens the same version as the revert form it is for them.
    client.force_login(archivist)
    revert_page = client.get(version_url)
    assert "revert_plan" in revert_page.context
    assert 'name="born"' in revert_page.content.decode()


def test_a_version_whose_row_links_a_record_deleted_since_still_reads(client, reader, agreement):
    agreement.save()  # a version of the agreement with Ivan Maisky as its signatory
    version = agreement.history.latest()
    maisky = Person.objects.get(slug="ivan-maisky")
    DocumentSignatory.objects.filter(document=agreement).delete()
    maisky.delete()
    client.force_login(reader)
    response = client.get(url(Document, "simple_history", agreement.pk, version.history_id))
    assert response.status_code == 200
    assert shown(response)["Signatories"] == [
        ("(a signatory linking a record deleted since)", "", "", "")
    ]


def test_a_long_list_shows_its_first_rows_and_says_how_many_there_are(
    client, reader, maisky, monkeypatch
):
    monkeypatch.setattr(record_view, "ROWS_SHOWN", 3)
    for year in (1945, 1941, 1943, 1942, 1944):
        DocumentSignatory.objects.create(document=make_document(date=str(year)), person=maisky)
    client.force_login(reader)
    response = client.get(url(Person, "view", maisky.pk))
    assert [row[1] for row in shown(response)["Documents signed"]] == ["1941", "1942", "1943"]
    page = content(response)
    assert 'Documents signed <span class="record-count">(5)</span>' in page
    assert '<p class="help">The first 3 of 5.</p>' in page


# --- queries -----------------------------------------------------------------------------


def _person(n: int) -> Person:
    person = make_person(born="1884")
    state = make_state()
    for i in range(n):
        source = make_source()
        document = make_document(date=f"19{i % 90 + 10}", published=i % 2 == 0)
        DocumentSignatory.objects.create(document=document, person=person, on_behalf_of=state)
        EventParticipant.objects.create(event=make_event(), person=person, role="negotiator")
        Position.objects.create(person=person, title=f"Office {i}", state=state, period="1932")
        PersonName.objects.create(record=person, name=f"Name {i}")
        PersonCitation.objects.create(record=person, source=source, locator=str(i))
    return person


def _document(n: int) -> Document:
    document = make_document(date="1941-07-30", place=make_place())
    for i in range(n):
        other = make_document()
        Provision.objects.create(document=document, number=i + 1, text="Article.")
        DocumentParty.objects.create(document=document, state=make_state())
        DocumentSignatory.objects.create(document=document, person=make_person())
        DocumentLink.objects.create(document=document, target=other, role="amends")
        DocumentLink.objects.create(document=other, target=document, role="annuls")
        EventDocument.objects.create(event=make_event(), document=document, role="signed at")
    return document


def _state(n: int) -> State:
    state = make_state(existence="1918/1939")
    for i in range(n):
        document = make_document()
        DocumentParty.objects.create(document=document, state=state)
        DocumentSignatory.objects.create(
            document=document, person=make_person(), on_behalf_of=state
        )
        EventState.objects.create(event=make_event(), state=state)
        Position.objects.create(person=make_person(), title="Ambassador", state=state)
        make_place(state=state)
        StateName.objects.create(record=state, name=f"Name {i}")
    return state


def _event(n: int) -> Event:
    event = make_event(date="1941-07", place=make_place())
    for _ in range(n):
        EventParticipant.objects.create(event=event, person=make_person())
        EventState.objects.create(event=event, state=make_state())
        EventDocument.objects.create(event=event, document=make_document(), role="led to")
    return event


def _place(n: int) -> Place:
    place = make_place(state=make_state())
    for i in range(n):
        make_document(place=place, date="1941")
        make_event(place=place)
        PlaceName.objects.create(record=place, name=f"Name {i}")
    return place


def _source(n: int) -> Source:
    source = make_source(url="https://example.org/", accessed="2026-01-01")
    for i in range(n):
        document, event = make_document(date=f"19{i % 90 + 10}"), make_event(date="1941")
        person, state = make_person(), make_state()
        for model, record in [
            (DocumentCitation, document),
            (PersonCitation, person),
            (StateCitation, state),
            (EventCitation, event),
            (PlaceCitation, make_place()),
        ]:
            model.objects.create(record=record, source=source, locator=f"p. {i}")
        attested = {"source": source, "source_locator": f"p. {i}"}
        DocumentParty.objects.create(document=document, state=state, **attested)
        DocumentSignatory.objects.create(
            document=document, person=person, on_behalf_of=state, **attested
        )
        DocumentLink.objects.create(
            document=document, target=make_document(), role="amends", **attested
        )
        EventParticipant.objects.create(event=event, person=person, **attested)
        EventState.objects.create(event=event, state=state, **attested)
        EventDocument.objects.create(event=event, document=document, role="led to", **attested)
        Position.objects.create(person=person, title="Envoy", state=state, **attested)
    return source


BUILDERS = {Person: _person, Document: _document, State: _state, Event: _event, Place: _place}
BUILDERS[Source] = _source
# The session and the user (a superuser: no permission query), the record with what it
# links to, one query per list (Document: 7; Source: 1 and 12, what names it having no
# way back to it), and the latest changes: the record's versions and one query per
# model of its rows (Document: 5).
QUERIES = {Document: 16, Person: 12, State: 13, Event: 12, Place: 10, Source: 16}


@pytest.mark.parametrize("model", RECORDS, ids=lambda m: m.__name__)
@pytest.mark.parametrize("relations", [2, 25])
def test_a_read_view_costs_the_same_queries_however_many_relations(
    client, superuser, django_assert_num_queries, model, relations
):
    record = BUILDERS[model](relations)
    client.force_login(superuser)
    view = url(model, "view", record.pk)
    client.get(view)  # the content types, cached after the first page
    with django_assert_num_queries(QUERIES[model]):
        response = client.get(view)
    lists = shown(response)
    assert all(len(rows) == relations for rows in lists.values() if rows), lists.keys()
    assert sum(len(rows) for rows in lists.values()) >= 3 * relations
