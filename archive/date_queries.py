"""Dates in the database: the columns kept of a date, and how lists filter and order by them.

:mod:`archive.dates` reads an EDTF string; this module is what the database
keeps of it and the one way queries use it:

* the columns: each EDTF field ``<field>`` has ``<field>_earliest`` and
  ``<field>_latest`` (its bounds, null on a side the date leaves open, both
  null when there is no date) and ``<field>_span`` (its span class);
* the span classes, which make a date-range filter an index range scan;
* the overlap rule (:func:`overlaps`), the only test of "in this range" that
  filters use, in the API and the admin;
* the order by date (:func:`chronological`), and the indexes that serve both.
"""

from __future__ import annotations

import datetime

from django.db import models
from django.db.models import BooleanField, Expression, F, Q
from django.db.models.lookups import IsNull

from archive.dates import HistoricalDate

# --- the columns --------------------------------------------------------------


def date_bounds() -> tuple[models.DateField, models.DateField, models.PositiveSmallIntegerField]:
    """The ``<field>_earliest``, ``<field>_latest`` and ``<field>_span`` columns of a date.

    Indexed: lists sort and filter on them. A model whose list filters on the
    date's range lists its :func:`date_index` too.
    """
    return (
        models.DateField(null=True, blank=True, editable=False, db_index=True),
        models.DateField(null=True, blank=True, editable=False, db_index=True),
        models.PositiveSmallIntegerField(null=True, blank=True, editable=False),
    )


def set_bounds(row, field: str, date: HistoricalDate | None) -> None:
    """Store what is derived from ``date`` (None: no date) in ``row``'s columns.

    ``row`` is a model instance or, for bulk loads, a dict of its columns.
    """
    derived = {
        f"{field}_earliest": date.earliest if date else None,
        f"{field}_latest": date.latest if date else None,
        f"{field}_span": span_class(date.earliest, date.latest) if date else None,
    }
    if isinstance(row, dict):
        row.update(derived)
    else:
        for name, value in derived.items():
            setattr(row, name, value)


def date_index(model: str, field: str) -> models.Index:
    """The index that makes a date-range filter a range scan (see :class:`Overlaps`).

    Within one span class it is in date order, then slug: each arm of a range
    is read off it in the order by date. With ``published``, the public API's
    filter is answered from the index alone: counting the matches reads no row.
    """
    return models.Index(
        fields=[f"{field}_span", f"{field}_earliest", f"{field}_latest", "slug", "published"],
        name=f"{model}_{field}_span_idx",
    )


def date_order_index(model: str, field: str) -> models.Index:
    """The index of the API's order by date (:func:`chronological`, then slug).

    A page is read off it in order, on SQLite and PostgreSQL; with a
    one-column index the ties (all the undated records, every "1941") are
    gathered and sorted first. A model whose list orders by the date lists it.
    """
    keys = [key.expression for key in chronological(field)]
    return models.Index(*keys, models.F("slug"), name=f"{model}_{field}_order_idx")


# --- span classes ----------------------------------------------------------
#
# "Overlaps [start, end]" is ``earliest <= end AND latest >= start``; no
# B-tree index answers that without reading every row that began before
# ``end``. Knowing that a date lasts at most ``width`` days adds the bound
# ``earliest >= start - width``, which turns the filter into a short range
# scan of an index on (span, earliest). Dates are grouped into a few classes
# of width; open or longer dates (few) form the last class.

SPAN_WIDTHS = (31, 366, 3660, 36600)  # days: a month, a year, a decade, a century
OPEN_SPAN = len(SPAN_WIDTHS)


def span_class(earliest: datetime.date | None, latest: datetime.date | None) -> int:
    """The span class of a date with these bounds (see ``SPAN_WIDTHS``)."""
    if earliest is None or latest is None:
        return OPEN_SPAN
    days = (latest - earliest).days
    return next((span for span, width in enumerate(SPAN_WIDTHS) if days <= width), OPEN_SPAN)


def chronological(
    field: str, prefix: str = "", *, descending: bool = False, nulls_first: bool | None = None
) -> list:
    """The order of records by their date ``field``: the one order by date, everywhere.

    By the first day the date can mean, then by the last. A date without a
    first day (undated, or open at the start: ``../1941``) comes after those
    with one, and among equal first days one without a last day (``1941/..``)
    after those with one; descending is the exact reverse. ``nulls_first``
    True or False puts the missing days first or last whatever the direction
    (the API's ``ASC_NULLS_FIRST``…). Written out (``IS NULL`` keys) because
    the databases disagree where nulls go: SQLite puts them first, PostgreSQL
    last. :func:`date_order_index` indexes the default keys, so a page
    in this order is read off the index on both.
    """
    missing_first = descending if nulls_first is None else nulls_first
    keys = []
    for bound in ("earliest", "latest"):
        column = F(f"{prefix}{field}_{bound}")
        missing = IsNull(column, True)
        keys += [
            missing.desc() if missing_first else missing.asc(),
            column.desc() if descending else column.asc(),
        ]
    return keys


def overlaps(
    field: str,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
    prefix: str = "",
    *,
    until: str | None = None,
) -> Q:
    """Records whose date ``field`` overlaps the range from ``start`` to ``end``.

    Uses the stored bounds (``<field>_earliest``/``_latest``). An open or
    unknown end (a null bound) reaches every day on its side; a record with
    no date at all never matches. Either end of the range may be omitted.

    ``until`` names the date whose last day ends the span when it is not
    ``field`` itself: a person's life runs from the first day of ``born``
    until the last day of ``died``; a birth or death left blank leaves that
    side open, and a life with neither is undated.

    With both ends given, the dates of each span class are looked for only
    where they can begin (see ``SPAN_WIDTHS``, :class:`Overlaps`): the same
    answer, from an index instead of a scan. A span over two dates has no
    span class: it is compared bound by bound.
    """
    if start is None or end is None or until not in (None, field):
        return _open_overlap(f"{prefix}{field}", f"{prefix}{until or field}", start, end)
    return Q(Overlaps(f"{prefix}{field}", start, end))


# Which bounds the dates of each arm of :class:`Overlaps` have: True every
# date, False none, None either. The order by date needs no key for what
# cannot vary within an arm (:func:`arm_order`).
ARM_BOUNDS = [(True, True)] * len(SPAN_WIDTHS) + [(True, None), (False, True)]


class Overlaps(Expression):
    """The overlap rule for a range with both ends, as one SQL condition.

    An OR of arms that never find the same record: one per span class of
    bounded dates (``earliest`` within the class's width before the range),
    and the open class split into dates with a first day and dates without.
    Each arm is one range of the span index, in date order within the arm;
    ``archive.date_ranges`` counts and pages a range arm by arm (``arm``: this
    arm alone).

    Written as SQL rather than as ORM lookups: it is the same SQL on SQLite
    and PostgreSQL, and compiling its 30 lookups, twice a request, cost more
    than running the query on a small archive (docs/performance.md).
    """

    conditional = True
    output_field = BooleanField()

    def __init__(
        self, field: str, start: datetime.date, end: datetime.date, arm: int | None = None
    ):
        super().__init__(output_field=BooleanField())
        self.date_field, self.start, self.end, self.arm = field, start, end, arm
        self.columns: list = []

    def __repr__(self):
        return f"Overlaps({self.date_field!r}, {self.start}, {self.end}, arm={self.arm})"

    def get_source_expressions(self):
        return self.columns

    def set_source_expressions(self, exprs):
        self.columns = list(exprs)

    def resolve_expression(
        self, query=None, allow_joins=True, reuse=None, summarize=False, for_save=False
    ):
        clone = self.copy()
        clone.columns = [
            F(f"{self.date_field}_{bound}").resolve_expression(query, allow_joins, reuse, summarize)
            for bound in ("span", "earliest", "latest")
        ]
        return clone

    def for_arm(self, arm: int) -> Overlaps:
        """This condition narrowed to one arm (columns already resolved)."""
        clone = self.copy()
        clone.arm = arm
        return clone

    def arms(self, compiler, connection) -> list[tuple[str, list]]:
        """Each arm's SQL condition and parameters, in the order of ``ARM_BOUNDS``."""
        span, earliest, latest = (compiler.compile(column)[0] for column in self.columns)
        date = connection.ops.adapt_datefield_value
        start, end = date(self.start), date(self.end)

        def known(*columns) -> str:
            # Every column compared is also said to be there, so that an arm is
            # false, never unknown (SQL NULL), for an undated row: NOT of the rule
            # (the API's NOT, exclude()) is then its exact complement.
            return " AND ".join(f"{column} IS NOT NULL" for column in columns)

        arms = [
            (
                f"{span} = {number} AND {earliest} >= %s AND {earliest} <= %s"
                f" AND {latest} >= %s AND {known(span, earliest, latest)}",
                [date(_days_before(self.start, width)), end, start],
            )
            for number, width in enumerate(SPAN_WIDTHS)
        ]
        # A date of the open class has a bound missing, never both (an undated
        # row has no span): the rule needs no look at the date itself.
        open_ended = f"{span} = {OPEN_SPAN}"
        ends = f"({latest} >= %s OR {latest} IS NULL)"
        arms.append(
            (
                f"{open_ended} AND {earliest} <= %s AND {ends} AND {known(span, earliest)}",
                [end, start],
            )
        )
        arms.append(
            (
                f"{open_ended} AND {earliest} IS NULL AND {latest} >= %s AND {known(span, latest)}",
                [start],
            )
        )
        return arms

    def as_sql(self, compiler, connection):
        arms = self.arms(compiler, connection)
        if self.arm is not None:
            arms = [arms[self.arm]]
        sql = " OR ".join(f"({arm})" for arm, _ in arms)
        return f"({sql})", [param for _, params in arms for param in params]


def arm_order(arm: int, field: str, *, descending: bool = False) -> list:
    """:func:`chronological` for the dates of one arm of :class:`Overlaps`, without
    the keys that are the same for all of them: the order of the span index."""
    keys = chronological(field, descending=descending)
    kept = []
    for present, (missing_key, bound_key) in zip(
        ARM_BOUNDS[arm], (keys[0:2], keys[2:4]), strict=True
    ):
        if present is None:
            kept.append(missing_key)
        if present is not False:
            kept.append(bound_key)
    return kept


def _days_before(day: datetime.date, days: int) -> datetime.date:
    return datetime.date.fromordinal(max(1, day.toordinal() - days))


def _open_overlap(
    first: str, last: str, start: datetime.date | None, end: datetime.date | None
) -> Q:
    """The overlap rule itself, a null bound reaching every day on its side, for a
    span from the first day of the date ``first`` to the last day of ``last``."""
    dated = Q(**{f"{first}__gt": ""})
    if last != first:
        dated |= Q(**{f"{last}__gt": ""})
    condition = Q()
    if start is not None:
        condition &= Q(**{f"{last}_latest__gte": start}) | (
            Q(**{f"{last}_latest__isnull": True}) & dated
        )
    if end is not None:
        condition &= Q(**{f"{first}_earliest__lte": end}) | (
            Q(**{f"{first}_earliest__isnull": True}) & dated
        )
    return condition
