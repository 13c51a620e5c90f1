"""Places with coordinates on a map (archive/admin/place_map.py)."""

import re
import runpy

import pytest
from django.core.exceptions import ImproperlyConfigured

from archive.admin import place_map
from archive.models import Place
from project import settings as project_settings
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


def inside(rings, x, y) -> bool:
    """Whether (x, y) is on land: inside an odd number of rings (SVG's even-odd rule)."""
    crossings = 0
    for ring in rings:
        for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
            if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
                crossings += 1
    return crossings % 2 == 1


def test_the_land_drawn_under_the_places(client, reader, demo):
    client.force_login(reader)
    response = client.get(MAP)
    drawn = response.context["map"]
    london, moscow = drawn.points
    assert inside(drawn.land, london.x, london.y) and inside(drawn.land, moscow.x, moscow.y)
    # 16.48 px a degree east, 27.77 px a degree north (from London and Moscow): the
    # North Sea at 55° N 3° E and the Baltic at 55.5° N 19° E are water.
    assert [inside(drawn.land, *at) for at in ((120, 172), (384, 158))] == [False, False]
    # Cut to the drawing, and reaching its edges.
    xs = [x for ring in drawn.land for x, _ in ring]
    ys = [y for ring in drawn.land for _, y in ring]
    assert (min(xs), max(xs), min(ys), max(ys)) == (0, 760, 0, 420)
    assert (len(drawn.land), drawn.land_scale) == (45, "1:50 million")  # a degree is 28 px
    page = response.content.decode()
    assert f'<path class="land" d="M{drawn.land_path[1:40]}' in page
    assert "Land: Natural Earth, 1:50 million." in page


def test_a_world_of_places_drawn_on_the_coarser_land():
    places = [
        Place(name=name, slug=name, latitude=lat, longitude=lon)
        for name, lat, lon in (("sydney", -33.9, 151.2), ("anchorage", 61.2, -149.9))
    ]
    drawn = place_map.draw(places)
    assert (len(drawn.land), drawn.land_scale) == (99, "1:110 million")  # a degree is 2.3 px


def test_the_land_s_rings_are_decoded_closed():
    coarse, fine = place_map.land_rings(place_map.COARSE), place_map.land_rings(place_map.FINE)
    assert (len(coarse), len(fine)) == (126, 1421)
    assert all(ring[0] == ring[-1] for ring, _ in coarse + fine)
    # Fiji's Vanua Levu, the fine file's first, ends at the antimeridian.
    assert fine[0][1] == pytest.approx((178.4988, -16.9758, 180.0, -16.1529), abs=1e-4)


def test_a_polygon_is_cut_to_the_drawing():
    # A square across the corner keeps its quarter inside; a diamond around the
    # corner (0, 0) gains the corner and the edges' crossings.
    assert place_map.clip([(10, 10), (30, 10), (30, 30), (10, 30)], 20, 20) == [
        (10.0, 20),
        (10, 10),
        (20, 10.0),
        (20.0, 20),
    ]
    assert place_map.clip([(30, 30), (40, 30), (40, 40)], 20, 20) == []


TILES = "https://tiles.example.org/{z}/{x}/{y}.png"


def img_src(response) -> str:
    policy = dict(part.split(" ", 1) for part in response["Content-Security-Policy"].split("; "))
    return policy["img-src"]


def test_on_a_tile_server_s_tiles_the_map_is_web_mercator(client, reader, demo, settings):
    settings.PLACE_MAP_TILE_URL = TILES
    client.force_login(reader)
    response = client.get(MAP)
    drawn = response.context["map"]
    # Zoom 4 is the deepest that fits London to Moscow (±2°) in 688 × 348 px: 2 rows of 4
    # tiles cover the drawing. London is 1.5 px west of 0° (tile 8's edge), Moscow
    # 0.5 px south of 55.78° N (row 5's top), as on the tiles.
    assert [
        (tile.url.removeprefix("https://tiles.example.org/"), tile.x, tile.y)
        for tile in drawn.tiles
    ] == [
        ("4/7/4.png", -89.3, -84.4),
        ("4/8/4.png", 166.7, -84.4),
        ("4/9/4.png", 422.7, -84.4),
        ("4/10/4.png", 678.7, -84.4),
        ("4/7/5.png", -89.3, 171.6),
        ("4/8/5.png", 166.7, 171.6),
        ("4/9/5.png", 422.7, 171.6),
        ("4/10/5.png", 678.7, 171.6),
    ]
    assert [(p.place.slug, p.x, p.y) for p in drawn.points] == [
        ("london", 165.3, 253.7),
        ("moscow", 594.7, 172.1),
    ]
    assert drawn.land == []  # the tiles draw it
    page = response.content.decode()
    assert (
        '<image href="https://tiles.example.org/4/7/4.png" x="-89.3" y="-84.4" '
        'width="256" height="256"/>' in page
    )
    assert "Map tiles: this archive's tile server." in page
    # That host, on this page only.
    assert img_src(response) == "'self' https://tiles.example.org"
    assert img_src(client.get("/admin/")) == "'self'"


def test_the_tile_server_s_credit_under_the_map(client, reader, demo, settings):
    settings.PLACE_MAP_TILE_URL = TILES
    settings.PLACE_MAP_TILE_ATTRIBUTION = "© Example Tiles"
    client.force_login(reader)
    assert "Map tiles: © Example Tiles." in client.get(MAP).content.decode()


def test_a_tile_east_of_180_is_the_world_again():
    places = [Place(name="Anadyr", slug="anadyr", latitude=64.7, longitude=177.5)]
    urls = [tile.url for tile in place_map.draw(places, "/{z}/{x}/{y}").tiles]
    # Zoom 5 (32 tiles each way): the drawing runs past 180° E, onto columns 0 and 1.
    assert urls == [f"/5/{x}/{y}" for y in (7, 8, 9) for x in (30, 31, 0, 1)]


def test_a_place_near_a_pole_is_drawn_at_the_tiles_edge():
    places = [Place(name="Pole", slug="pole", latitude=89.5, longitude=0)]
    drawn = place_map.draw(places, "/{z}/{x}/{y}")
    # Zoom 7 for the 4° of longitude; the tiles' top row starts mid-drawing, at 85° N,
    # where the place is drawn.
    assert [(tile.url, tile.y) for tile in drawn.tiles] == [
        (f"/7/{column}/0", 210.0) for column in (62, 63, 64, 65)
    ]
    assert (drawn.points[0].x, drawn.points[0].y) == (380.0, 210.0)


def test_without_a_tile_server_nothing_leaves_the_archive(client, reader, demo):
    client.force_login(reader)
    response = client.get(MAP)
    page = response.content.decode()
    assert response.context["map"].tiles == []
    assert re.findall(r"(?:href|src)=\"(?!/|#)[^\"]*", page) == []
    # The only absolute address: the name of the admin's icons' SVG namespace.
    assert set(re.findall(r"\w+://[^\"'\s<]*", page)) == {"http://www.w3.org/2000/svg"}
    assert "<image" not in page
    assert img_src(response) == "'self'"


@pytest.mark.parametrize(
    "value",
    [
        "tiles.example.org/{z}/{x}/{y}.png",
        "https://tiles.example.org/{z}/{x}.png",
        "file:///{z}/{x}/{y}",
    ],
)
def test_a_tile_address_without_its_parts_is_refused(monkeypatch, value):
    monkeypatch.setenv("PLACE_MAP_TILE_URL", value)
    with pytest.raises(ImproperlyConfigured) as refused:
        runpy.run_path(project_settings.__file__)
    assert str(refused.value) == (
        "PLACE_MAP_TILE_URL must be an http(s) address with {z}, {x} and {y} in it "
        f"(https://tiles.example.org/{{z}}/{{x}}/{{y}}.png), not {value!r}."
    )
