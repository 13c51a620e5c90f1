"""Places with coordinates on a map: a plain SVG drawn on the server.

No tiles and no script: the archive's places are drawn as points on a
graticule (lines every few degrees, labelled), in an equirectangular
projection fitted to the points, so a reader sees where things happened
relative to each other without any third-party map server. The places listed
under it, with their coordinates, are its text alternative.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from archive.admin import record_view

WIDTH, HEIGHT, MARGIN = 760, 420, 36  # the drawing in px, and room for the labels
STEPS = (1, 2, 5, 10, 15, 30)  # the graticule's spacing, in degrees, the first that fits
MOST = 500  # places drawn at most: past that a page of points is a smear


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
    width: int = WIDTH
    height: int = HEIGHT


def draw(places) -> Map | None:
    """The map of the ``places`` that have coordinates, or None if none has."""
    placed = [p for p in places if p.latitude is not None and p.longitude is not None]
    if not placed:
        return None
    lats = [float(p.latitude) for p in placed]
    lons = [float(p.longitude) for p in placed]
    # At least 4 degrees each way, so that one place or two close ones are not a blur.
    south, north = min(lats) - 2, max(lats) + 2
    west, east = min(lons) - 2, max(lons) + 2
    # Degrees of longitude shrink towards the poles: scaled at the middle latitude.
    squeeze = math.cos(math.radians((south + north) / 2))
    scale = min(
        (WIDTH - 2 * MARGIN) / ((east - west) * squeeze), (HEIGHT - 2 * MARGIN) / (north - south)
    )

    def x(lon: float) -> float:
        return round(WIDTH / 2 + (lon - (west + east) / 2) * squeeze * scale, 1)

    def y(lat: float) -> float:
        return round(HEIGHT / 2 - (lat - (south + north) / 2) * scale, 1)

    points = [
        Point(place, record_view.view_url(place), x(float(p_lon)), y(float(p_lat)))
        for place, p_lat, p_lon in ((p, p.latitude, p.longitude) for p in placed)
    ]
    return Map(points, _graticule(south, north, west, east, x, y))


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
