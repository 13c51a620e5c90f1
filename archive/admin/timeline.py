"""A record's events and documents on a timeline, drawn from their dates' bounds.

Where a reader would rather look than read: a person's documents signed and
events, a state's, a place's, a document's events; and the events and
documents a search of the admin found (archive.admin.search). Each is a bar from the
first to the last day its date can mean (archive.dates), so "1941" spans the
year and "30 July 1941" is a tick; a date marked approximate or uncertain is
drawn dashed and said so, an open end runs to the edge of the chart. Drawn on
the server as SVG (no script, nothing from elsewhere) from the rows the read
view or the search has already fetched: no query of its own.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from archive import dates
from archive.admin import record_view
from archive.models import Document, Event

WIDTH, LEFT, RIGHT = 760, 8, 8  # the chart's width in px and its margins
ROW, TOP = 22, 24  # a bar's row height, and the axis's band above the first
MOST = 40  # bars shown at most: past it the lists below say everything


@dataclass(frozen=True)
class Bar:
    label: str
    url: str
    reading: str
    x: float
    width: float
    y: float
    hedged: bool  # approximate or uncertain: drawn dashed
    draft: bool

    @property
    def label_x(self) -> float:
        """Where the label starts: right of a bar in the chart's left half, else left of it."""
        return self.x + self.width + 4 if self.x < WIDTH / 2 else self.x - 4

    @property
    def label_anchor(self) -> str:
        return "start" if self.x < WIDTH / 2 else "end"


@dataclass(frozen=True)
class Chart:
    bars: list[Bar]
    ticks: list[tuple[float, str]]
    width: int
    height: int
    left_out: int  # dated items past MOST
    start: datetime.date
    end: datetime.date


def dated_records(record) -> list:
    """The events and documents the read view's sections reach, with dates, by date."""
    found = {}
    if isinstance(record, Document | Event) and record.date:
        found[type(record), record.pk] = record
    for section in record_view.SECTIONS[type(record)]:
        for row in getattr(record, record_view.shown_name(section), ()):
            if isinstance(row, Document | Event) and row.date:  # a place's, itself a record
                found[type(row), row.pk] = row
            for field in row._meta.concrete_fields:
                if field.many_to_one and field.related_model in (Document, Event):
                    linked = getattr(row, field.name, None) if field.is_cached(row) else None
                    if linked is not None and linked.date:
                        found[type(linked), linked.pk] = linked
    return by_date(found.values())


def by_date(records) -> list:
    """The events and documents among ``records`` that have a date, earliest first;
    on one day, documents before events, then by name (ids differ from one
    database to another: not an order a reader could follow)."""
    return sorted(
        (r for r in records if isinstance(r, Document | Event) and r.date),
        key=lambda r: (r.date_earliest or datetime.date.min, isinstance(r, Event), str(r), r.pk),
    )


def chart(record) -> Chart | None:
    """The timeline of ``record``, or None when fewer than two things are dated."""
    return chart_of(dated_records(record))


def chart_of(items: list) -> Chart | None:
    """The timeline of the dated events and documents ``items`` (:func:`by_date`),
    or None when there are fewer than two."""
    if len(items) < 2:
        return None
    shown, left_out = items[:MOST], max(len(items) - MOST, 0)
    parsed = [dates.parse(item.date) for item in shown]
    known = [d for p in parsed for d in (p.earliest, p.latest) if d is not None]
    start, end = min(known), max(known)
    span = max((end - start).days, 1)
    usable = WIDTH - LEFT - RIGHT

    def x(day: datetime.date) -> float:
        return round(LEFT + usable * (day - start).days / span, 1)

    bars = []
    for row, (item, date) in enumerate(zip(shown, parsed, strict=True)):
        first = x(date.earliest) if date.earliest else LEFT
        last = x(date.latest) if date.latest else WIDTH - RIGHT
        bars.append(
            Bar(
                label=str(item),
                url=record_view.view_url(item),
                # An interval's display already is its bounds: said once.
                reading=date.display
                if date.display == dates.bounds_display(date)
                else date.reading,
                x=first,
                width=max(last - first, 2),
                y=TOP + row * ROW,
                hedged=date.approximate or date.uncertain,
                draft=not item.published,
            )
        )
    years = range(start.year, end.year + 1)
    step = max(1, len(years) // 8)
    ticks = [(x(max(datetime.date(year, 1, 1), start)), str(year)) for year in years[::step]]
    return Chart(bars, ticks, WIDTH, TOP + len(bars) * ROW + 4, left_out, start, end)
