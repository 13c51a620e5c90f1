"""Places with coordinates on a map (archive/admin/place_map.py)."""

import pytest

from archive.admin import place_map
from archive.models import Place
from tests.admin_forms import url

pytestmark = pytest.mark.django_db

MAP = "/admin/archive/place/map/"


def test_the_places_list_links_to_the_map(client, reader):
    client.force_login(reader)
    page = client.get(url(Place, "changelist")).content.decode()
    assert f'<li><a href="{MAP}">Map</a></li>' in page


def test_the_demo_places_drawn_where_they_are(client, reader, demo, django_assert_num_queries):
    client.force_login(reader)
    with django_assert_num_queries(4 + 2):  # session, user, its permissions; places, count
        response = client.get(MAP)
    drawn = response.context["map"]
    # London west and south of Moscow: left of it, and lower.
    assert [(p.place.slug, p.x, p.y) for p in drawn.points] == [
        ("london", 69.0, 269.0),
        ("moscow", 691.0, 151.0),
    ]
    assert [line.label for line in drawn.lines] == ["50° N", "0° E", "10° E", "20° E", "30° E"]
    page = response.content.decode()
    assert '<svg class="place-map" viewBox="0 0 760 420" role="img"' in page
    assert "<title>London: 51.507222, -0.127500</title>" in page


def test_no_coordinates_no_map():
    assert place_map.draw([Place(name="Nowhere", slug="nowhere")]) is None
