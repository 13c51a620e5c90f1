"""A record's events and documents on a timeline (archive/admin/timeline.py)."""

import pytest

from archive.admin import record_view, timeline
from archive.models import Person, Place, Source
from tests.admin_forms import url
from tests.factories import make_source

pytestmark = pytest.mark.django_db


def bars(record) -> list[tuple[str, str, bool]]:
    fetched = record_view.fetch(type(record), record.pk)
    chart = timeline.chart(fetched)
    return [(bar.label, bar.reading, bar.hedged) for bar in chart.bars]


def test_a_person_s_documents_and_events_by_date(demo):
    maisky = Person.objects.get(slug="ivan-maisky")
    assert bars(maisky) == [
        ("Polish–Soviet negotiations of 1941", "5 July 1941 – 30 July 1941", False),
        ("Sikorski–Mayski agreement", "30 July 1941", False),
        ("Signing of the Sikorski–Mayski agreement", "30 July 1941", False),
    ]


def test_the_read_view_draws_it(client, reader, demo):
    client.force_login(reader)
    maisky = Person.objects.get(slug="ivan-maisky")
    page = client.get(url(Person, "view", maisky.pk)).content.decode()
    assert '<h2 id="record-timeline">Timeline</h2>' in page
    assert "<title>Signing of the Sikorski–Mayski agreement: 30 July 1941</title>" in page


def test_fewer_than_two_dated_things_draw_none(demo):
    dated = {
        place.slug: len(timeline.dated_records(record_view.fetch(Place, place.pk)))
        for place in Place.objects.order_by("slug")
    }
    assert dated == {"london": 3, "moscow": 4}  # the documents and events there
    unnamed = make_source()  # nothing cites it or names it as its source
    assert timeline.chart(record_view.fetch(Source, unnamed.pk)) is None


def test_a_source_s_timeline_is_of_what_names_it(demo):
    """Every document and event of the demo rests on its one source: all of them, by date."""
    source = Source.objects.get(slug="sikorski-mayski-agreement-article")
    chart = timeline.chart(record_view.fetch(Source, source.pk))
    assert [bar.label for bar in chart.bars] == [
        "Molotov–Ribbentrop Pact",
        "Partition of Poland (1939)",
        "Soviet invasion of Poland",
        "Formation of the Anders Army",
        "Operation Barbarossa",
        "Polish–Soviet negotiations of 1941",
        "Sikorski–Mayski agreement",
        "Signing of the Sikorski–Mayski agreement",
        "Sikorski's diplomatic mission to Moscow",
        "Amnesty for Polish citizens in the Soviet Union",
        "Polish–Soviet military agreement",
        "Signing of the Polish–Soviet military agreement",
    ]
