"""The search over every record type, from the admin index (archive/admin/search.py)."""

import pytest
from django.contrib.auth.models import Permission

from archive.models import Person
from tests.factories import make_document, make_event

pytestmark = pytest.mark.django_db

SEARCH = "/admin/search/"


def hits(response) -> list[tuple[str, str, str, bool]]:
    assert response.status_code == 200
    return [
        (str(hit["record"]), hit["kind"], hit["dates"], hit["record"].published)
        for hit in response.context["hits"]
    ]


def test_the_index_offers_the_search(client, reader):
    client.force_login(reader)
    page = client.get("/admin/").content.decode()
    assert '<form role="search" action="/admin/search/" method="get"' in page
    assert '<label for="archive-search-text">Search every record</label>' in page


def test_each_list_keeps_its_own_search_box(client, reader):
    """The include's name is not one Django takes for a list's search form
    (admin/<app>/search_form.html): each list still searches its own records."""
    client.force_login(reader)
    page = client.get("/admin/archive/person/").content.decode()
    assert '<input type="text" size="40" name="q" value="" id="searchbar"' in page
    assert "Search every record" not in page


def test_records_of_every_type_ranked_names_first_drafts_marked(client, reader, demo):
    Person.objects.create(name="Ivan Maisky junior", slug="maisky-junior", published=False)
    client.force_login(reader)
    response = client.get(SEARCH, {"q": "maisky"})
    # The API's ranking: names before other texts, then the shorter names (Ivan Maisky's
    # include his name forms); the draft is found too, and marked.
    assert hits(response) == [
        ("Ivan Maisky junior", "person", "", False),
        ("Ivan Maisky", "person", "19 January 1884 – 3 September 1975", True),
        ("Signing of the Sikorski–Mayski agreement", "event", "30 July 1941", True),
        ("Sikorski–Mayski agreement", "document", "30 July 1941", True),
        ("Polish–Soviet military agreement", "document", "14 August 1941", True),  # summary
    ]
    page = response.content.decode()
    maisky = Person.objects.get(slug="ivan-maisky")
    assert (
        f'<th scope="row"><a href="/admin/archive/person/{maisky.pk}/view/">Ivan Maisky</a></th>'
        in page
    )
    assert '<td><span class="draft-mark">Draft</span></td>' in page
    assert "<caption>5 records, best match first</caption>" in page


def test_only_the_types_the_user_may_view_are_searched(client, django_user_model, demo):
    clerk = django_user_model.objects.create_user("clerk", is_staff=True)
    clerk.user_permissions.add(Permission.objects.get(codename="view_document"))
    client.force_login(clerk)
    assert hits(client.get(SEARCH, {"q": "maisky"})) == [
        ("Sikorski–Mayski agreement", "document", "30 July 1941", True),
        ("Polish–Soviet military agreement", "document", "14 August 1941", True),
    ]


@pytest.mark.parametrize("more", [0, 12])
def test_a_search_costs_one_query_per_type(client, reader, demo, django_assert_num_queries, more):
    """However many are found: the timeline draws from the rows the search fetched."""
    for n in range(more // 2):
        make_document(title=f"Soviet note {n}", date=f"1942-0{n + 1}")
        make_event(name=f"Soviet visit {n}", date=f"1943-0{n + 1}-01")
    client.force_login(reader)
    with django_assert_num_queries(4 + 5):  # session, user, its permissions; one a type
        response = client.get(SEARCH, {"q": "soviet"})
    assert (len(response.context["hits"]), len(response.context["timeline"].bars)) == (
        8 + more,
        7 + more,
    )


C1932 = "circa October 1932, 1 October 1932 – 31 October 1932"


def test_the_events_and_documents_found_on_a_timeline(client, reader, demo):
    make_event(name="Maisky's arrival in London", date="1932-10~", published=False)
    client.force_login(reader)
    response = client.get(SEARCH, {"q": "maisky"})
    drawn = response.context["timeline"]
    # By date; Ivan Maisky himself, a person, is found but not drawn.
    assert [(bar.label, bar.reading, bar.hedged, bar.draft) for bar in drawn.bars] == [
        ("Maisky's arrival in London", C1932, True, True),
        ("Sikorski–Mayski agreement", "30 July 1941", False, False),
        ("Signing of the Sikorski–Mayski agreement", "30 July 1941", False, False),
        ("Polish–Soviet military agreement", "14 August 1941", False, False),
    ]
    page = response.content.decode()
    assert '<h2 id="record-timeline">Timeline</h2>' in page
    assert '<title id="timeline-title">4 dated events and documents, 1932 to 1941</title>' in page
    assert (
        f"<title>Maisky's arrival in London: {C1932} (approximate or uncertain) (draft)</title>"
    ) in page.replace("&#x27;", "'")
    assert page.index('id="record-timeline"') < page.index('<table id="search-hits">')


def test_fewer_than_two_dated_found_no_timeline(client, reader, demo):
    client.force_login(reader)
    response = client.get(SEARCH, {"q": "ivan maisky"})
    assert [hit["kind"] for hit in response.context["hits"]] == ["person"]
    assert response.context["timeline"] is None
    assert 'id="record-timeline"' not in response.content.decode()


def test_a_text_too_long_is_refused_and_nothing_is_searched(
    client, reader, django_assert_num_queries
):
    client.force_login(reader)
    with django_assert_num_queries(4):  # session, user and its permissions: no search
        response = client.get(SEARCH, {"q": " ".join(f"w{n}" for n in range(30))})
    assert response.status_code == 200
    assert response.context["hits"] == []
    assert (
        '<p class="errornote">Text too long: 30 words; a text to find holds at most 20 words '
        "and 200 characters.</p>" in response.content.decode()
    )


def test_no_one_but_staff_searches(client):
    response = client.get(SEARCH, {"q": "maisky"})
    assert response.status_code == 302
    assert response["Location"] == "/admin/login/?next=/admin/search/%3Fq%3Dmaisky"
