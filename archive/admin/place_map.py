"""Places with coordinates on a map: a plain SVG drawn on the server.

No script, and by default no tiles: the archive's places are drawn as points
over the land's outline and a graticule (lines every few degrees, labelled), in
an equirectangular projection fitted to the points, so a reader sees where
things happened without any third-party map server. The outline is Natural
Earth's land, vendored with its provenance in archive/admin/land/ and decoded
once per process. A deployment with a tile server of its own names it in
settings.PLACE_MAP_TILE_URL: the points are then drawn on its tiles, in the
tiles' Web Mercator. The places listed under it, with their coordinates, are
its text alternative.
"""

from __future__ import annotations

import functools
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from archive.admin import record_view

WIDTH, HEIGHT, MARGIN = 760, 420, 36  # the drawing in px, and room for the labels
STEPS = (1, 2, 5, 10, 15, 30)  # the graticule's spacing, in degrees, the first that fits
MOST = 500  # places drawn at most: past that a page of points is a smear
# Natural Earth's land at two scales: the finer where a degree is drawn wider than
# DETAILED px, the coarser for a continent or the world (whose finer outline would
# weigh 130 kB, most of it below a pixel).
LANDS = Path(__file__).parent / "land"
COARSE, FINE, DETAILED = "land-110m.json", "land-50m.json", 8
SCALES = {COARSE: "1:110 million", FINE: "1:50 million"}
NEAR = 3  # px (x and y distances added): an outline's point closer to the last is left out
# With a tile server (settings.PLACE_MAP_TILE_URL): its tiles' size in px, the
# deepest zoom asked for, and the latitude where Web Mercator's square world ends.
TILE, MAX_ZOOM, MERCATOR_LIMIT = 256, 18, 85.0511287798


@dataclass(frozen=True)
class Point:
    place: object
    url: str
    x: float
    y: float

    @property
    def label_anchor(self) -> str:
        return "start" if self.x < WIDTH / 2 else "end"

    @property
    def label_x(self) -> float:
        return self.x + 7 if self.x < WIDTH / 2 else self.x - 7

    @property
    def label_y(self) -> float:
        return self.y + 4


@dataclass(frozen=True)
class Tile:
    url: str
    x: float
    y: float
    size: int = TILE


@dataclass(frozen=True)
class Line:
    x1: float
    y1: float
    x2: float
    y2: float
    label: str
    label_x: float
    label_y: float


@dataclass(frozen=True)
class Map:
    points: list[Point]
    lines: list[Line]
    land: list[list[tuple[int, int]]] = field(default_factory=list)  # rings, in px
    land_scale: str = ""  # Natural Earth's, of the outline drawn
    tiles: list[Tile] = field(default_factory=list)  # the tile server's, when there is one
    width: int = WIDTH
    height: int = HEIGHT

    @property
    def land_path(self) -> str:
        """The land's rings as one SVG path (even-odd: a lake is a hole in its land)."""
        return "".join("M" + " ".join(f"{x} {y}" for x, y in ring) + "Z" for ring in self.land)


def draw(places, tile_url: str = "") -> Map | None:
    """The map of the ``places`` that have coordinates, or None if none has: on the
    land's outline, or on the tiles of ``tile_url`` (a {z}/{x}/{y} address) if given."""
    placed = [p for p in places if p.latitude is not None and p.longitude is not None]
    if not placed:
        return None
    lats = [float(p.latitude) for p in placed]
    lons = [float(p.longitude) for p in placed]
    # At least 4 degrees each way, so that one place or two close ones are not a blur.
    box = (min(lats) - 2, max(lats) + 2, min(lons) - 2, max(lons) + 2)
    if tile_url:
        x, y, tiles = _on_tiles(*box, tile_url)
        land, land_scale = [], ""
    else:
        x, y, land, land_scale = _on_land(*box)
        tiles = []
    points = [
        Point(
            place, record_view.view_url(place), x(float(place.longitude)), y(float(place.latitude))
        )
        for place in placed
    ]
    return Map(points, _graticule(*box, x, y), land, land_scale, tiles)


def _on_land(south, north, west, east):
    """An equirectangular projection of the box, and the land's outline in it."""
    # Degrees of longitude shrink towards the poles: scaled at the middle latitude.
    squeeze = math.cos(math.radians((south + north) / 2))
    scale = min(
        (WIDTH - 2 * MARGIN) / ((east - west) * squeeze), (HEIGHT - 2 * MARGIN) / (north - south)
    )

    def x(lon: float) -> float:
        return round(WIDTH / 2 + (lon - (west + east) / 2) * squeeze * scale, 1)

    def y(lat: float) -> float:
        return round(HEIGHT / 2 - (lat - (south + north) / 2) * scale, 1)

    # What the drawing shows, in degrees: the fitted box and the room around it.
    seen_west = (west + east) / 2 - WIDTH / 2 / (squeeze * scale)
    seen_east = (west + east) / 2 + WIDTH / 2 / (squeeze * scale)
    seen_south = (south + north) / 2 - HEIGHT / 2 / scale
    seen_north = (south + north) / 2 + HEIGHT / 2 / scale
    outline = FINE if scale > DETAILED else COARSE
    land = [
        drawn
        for ring, (r_west, r_south, r_east, r_north) in land_rings(outline)
        if r_west <= seen_east
        and r_east >= seen_west
        and r_south <= seen_north
        and r_north >= seen_south
        for drawn in [_in_px(clip([(x(lon), y(lat)) for lon, lat in ring], WIDTH, HEIGHT))]
        if len(drawn) >= 3
    ]
    return x, y, land, SCALES[outline]


def _on_tiles(south, north, west, east, tile_url: str):
    """Web Mercator at the deepest zoom that fits the box, as the tiles are drawn,
    and the tiles that cover the drawing."""
    fits = min(
        (WIDTH - 2 * MARGIN) / ((_mercator_x(east) - _mercator_x(west)) * TILE),
        # A box wholly past 85° N or S has no height on the tiles: its width fits it.
        (HEIGHT - 2 * MARGIN) / (max(_mercator_y(south) - _mercator_y(north), 1e-6) * TILE),
    )
    zoom = max(0, min(MAX_ZOOM, math.floor(math.log2(fits))))
    world = TILE * 2**zoom  # px
    left = (_mercator_x(west) + _mercator_x(east)) / 2 * world - WIDTH / 2
    top = (_mercator_y(north) + _mercator_y(south)) / 2 * world - HEIGHT / 2

    def x(lon: float) -> float:
        return round(_mercator_x(lon) * world - left, 1)

    def y(lat: float) -> float:
        return round(_mercator_y(lat) * world - top, 1)

    count = 2**zoom  # tiles each way
    tiles = [
        Tile(
            tile_url.replace("{z}", str(zoom))
            .replace("{x}", str(column % count))  # east of 180° is the world again
            .replace("{y}", str(row)),
            round(column * TILE - left, 1),
            round(row * TILE - top, 1),
        )
        for row in range(
            max(0, math.floor(top / TILE)), min(count, math.ceil((top + HEIGHT) / TILE))
        )
        for column in range(math.floor(left / TILE), math.ceil((left + WIDTH) / TILE))
    ]
    return x, y, tiles


def _mercator_x(lon: float) -> float:
    """Web Mercator's x of a longitude, from 0 (180° W) to 1 (180° E)."""
    return (lon + 180) / 360


def _mercator_y(lat: float) -> float:
    """Web Mercator's y of a latitude, from 0 (85.05° N, the tiles' top) to 1."""
    sine = math.sin(math.radians(max(-MERCATOR_LIMIT, min(MERCATOR_LIMIT, lat))))
    return 0.5 - math.log((1 + sine) / (1 - sine)) / (4 * math.pi)


def tile_origin(tile_url: str) -> str:
    """The tile server's origin, as a Content-Security-Policy source."""
    parts = urlsplit(tile_url)
    return f"{parts.scheme}://{parts.netloc}"


@functools.cache
def land_rings(name: str) -> tuple[tuple[tuple[tuple[float, float], ...], tuple[float, ...]], ...]:
    """The land's rings in the TopoJSON file ``name`` as (longitude, latitude)
    points, each with its bounds (west, south, east, north): the arcs decoded,
    once per process."""
    topology = json.loads((LANDS / name).read_text(encoding="utf-8"))
    (scale_x, scale_y), (move_x, move_y) = (
        topology["transform"]["scale"],
        topology["transform"]["translate"],
    )
    arcs = []
    for quantized in topology["arcs"]:
        # Delta-encoded and quantized: each position is the sum of those before it.
        x = y = 0
        arc = []
        for dx, dy in quantized:
            x, y = x + dx, y + dy
            arc.append((x * scale_x + move_x, y * scale_y + move_y))
        arcs.append(arc)
    rings = []
    for geometry in topology["objects"]["land"]["geometries"]:
        polygons = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
        for polygon in polygons:
            for ring_arcs in polygon:
                ring = []
                for index in ring_arcs:
                    # ~index is arc index read backwards; each arc repeats the last point.
                    arc = arcs[index] if index >= 0 else arcs[~index][::-1]
                    ring.extend(arc if not ring else arc[1:])
                lons, lats = [p[0] for p in ring], [p[1] for p in ring]
                rings.append((tuple(ring), (min(lons), min(lats), max(lons), max(lats))))
    return tuple(rings)


def clip(ring: list[tuple[float, float]], width: float, height: float) -> list:
    """The polygon ``ring`` cut to the rectangle (0, 0)–(width, height), by
    Sutherland–Hodgman: one edge of the rectangle at a time."""
    edges = (
        (lambda p: p[0] >= 0, lambda p, q: _cross_x(p, q, 0)),
        (lambda p: p[0] <= width, lambda p, q: _cross_x(p, q, width)),
        (lambda p: p[1] >= 0, lambda p, q: _cross_y(p, q, 0)),
        (lambda p: p[1] <= height, lambda p, q: _cross_y(p, q, height)),
    )
    for inside, crossing in edges:
        kept = []
        for i, current in enumerate(ring):
            previous = ring[i - 1]
            if inside(current):
                if not inside(previous):
                    kept.append(crossing(previous, current))
                kept.append(current)
            elif inside(previous):
                kept.append(crossing(previous, current))
        ring = kept
        if not ring:
            break
    return ring


def _cross_x(p, q, x):
    return x, p[1] + (q[1] - p[1]) * (x - p[0]) / (q[0] - p[0])


def _cross_y(p, q, y):
    return p[0] + (q[0] - p[0]) * (y - p[1]) / (q[1] - p[1]), y


def _in_px(ring) -> list[tuple[int, int]]:
    """The ring on whole pixels, without the points within NEAR px of the one kept
    before: detail no one sees, and most of the outline's weight."""
    drawn = []
    for x, y in ring:
        if not drawn or abs(x - drawn[-1][0]) + abs(y - drawn[-1][1]) >= NEAR:
            drawn.append((round(x), round(y)))
    if len(drawn) > 1 and drawn[0] == drawn[-1]:
        drawn.pop()
    return drawn


def _graticule(south, north, west, east, x, y) -> list[Line]:
    span = max(north - south, east - west)
    step = next((s for s in STEPS if span / s <= 8), STEPS[-1])
    lines = []
    for lat in range(math.ceil(south / step) * step, math.floor(north) + 1, step):
        label = f"{abs(lat)}° {'N' if lat >= 0 else 'S'}"
        lines.append(Line(x(west), y(lat), x(east), y(lat), label, x(west) + 2, y(lat) - 3))
    for lon in range(math.ceil(west / step) * step, math.floor(east) + 1, step):
        label = f"{abs(lon)}° {'E' if lon >= 0 else 'W'}"
        lines.append(Line(x(lon), y(north), x(lon), y(south), label, x(lon) + 2, y(south) - 3))
    return lines
