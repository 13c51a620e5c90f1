"""Historical dates: the one place that parses, validates, bounds and displays them.

Dates are stored as EDTF strings (Extended Date/Time Format, levels 0 and 1,
as the Library of Congress defines them), for example ``1941-07-30``,
``1941-07``, ``1939``, ``1939-09/1939-10``, ``1941~`` (approximate),
``1941?`` (uncertain), ``194X`` (some year of the 1940s).

From each string we derive:

* ``earliest`` / ``latest``: the first and last calendar day the date can
  mean, stored in indexed columns for sorting and range filters. They are the
  *strict* bounds of what was written: "circa 1941" spans 1941, not a guessed
  margin around it, so that filters give answers an archivist can predict.
  An open end (``1941/..``) or an unknown end (``1941/``) has no bound
  (``None``): it overlaps every range on that side.
* ``span``: how long the date is, as a small class (a month, a year, a
  decade, a century, longer or open), stored beside the bounds so that a
  date-range filter is an index range scan (see :func:`overlaps`).
* ``display``: a reading for people: "30 July 1941", "July 1941",
  "circa 1941", "1940s", "September 1939 – October 1939".
* ``approximate`` / ``uncertain`` flags.

Level 2 forms (sets, partial qualification, exponential years) and years
outside 1–9999 are refused with a message that says so: they cannot be
bounded by calendar dates.
"""

from __future__ import annotations

import calendar
import datetime
import functools
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import BooleanField, Expression, F, Q
from django.db.models.lookups import IsNull
from edtf.parser import parser_classes as edtf_classes
from edtf.parser.grammar import level0Expression, level1Expression
from pyparsing import ParseException

# Levels 0 and 1 only: what the specification promises.
_PARSER = level0Expression ^ level1Expression

EXAMPLES = "1941-07-30, 1941-07, 1941, 1941~ (circa), 1941? (uncertain), 194X or 1939-09/1939-10"

# Season codes of EDTF level 1, with their months (northern, meteorological).
# Winter runs from December into the next year's February.
SEASONS = {
    "21": ("Spring", 3, 5),
    "22": ("Summer", 6, 8),
    "23": ("Autumn", 9, 11),
    "24": ("Winter", 12, 14),
}
_FULL_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})[~?%]?$")


@dataclass(frozen=True)
class HistoricalDate:
    """A parsed EDTF string and what the archive derives from it."""

    edtf: str
    earliest: datetime.date | None
    latest: datetime.date | None
    display: str
    approximate: bool
    uncertain: bool


def invalid(value: str, reason: str | None = None) -> ValidationError:
    message = f"“{value}” is not a valid EDTF date"
    message += f": {reason}." if reason else f". Use a form such as {EXAMPLES}."
    return ValidationError(message, code="invalid_edtf", params={"value": value})


@functools.lru_cache(maxsize=65536)
def parse(value: str) -> HistoricalDate:
    """Parse an EDTF string, or raise ``ValidationError`` with a clear message.

    Cached: parsing is slow (pyparsing) and archives repeat their dates; the
    result is immutable. Refusals are not cached (exceptions never are).
    """
    text = (value or "").strip()
    if not text:
        raise ValidationError("A date is required here.", code="required")
    if text != value:
        raise invalid(value, "remove the spaces around it")
    if text.count("/") == 1 and set(text.split("/")) <= {"", ".."}:
        # "../..", "/..": the edtf package crashes on these instead of refusing them.
        raise invalid(value, "an interval needs a date at one end at least")
    try:
        parsed = _PARSER.parse_string(text, parse_all=True)[0]
    except ParseException:
        if any(_impossible_day(part) for part in text.split("/")):
            raise invalid(value, "that day does not exist in the calendar") from None
        raise invalid(value) from None

    if isinstance(parsed, edtf_classes.LongYear):
        raise invalid(value, "years outside 1–9999 are not supported")
    if isinstance(parsed, edtf_classes.Interval):
        return _interval(value, parsed)
    earliest, latest = _bounds(value, parsed)
    return HistoricalDate(
        edtf=value,
        earliest=earliest,
        latest=latest,
        display=_display_point(parsed),
        approximate=_approximate(parsed),
        uncertain=_uncertain(parsed),
    )


def validate(value: str) -> None:
    """A Django field validator: refuse anything :func:`parse` refuses."""
    if value:
        parse(value)


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
    last. ``models.base.date_order_index`` indexes the default keys, so a page
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
) -> Q:
    """Records whose date ``field`` overlaps the range from ``start`` to ``end``.

    Uses the stored bounds (``<field>_earliest``/``_latest``). An open or
    unknown end (a null bound) reaches every day on its side; a record with
    no date at all never matches. Either end of the range may be omitted.

    With both ends given, the dates of each span class are looked for only
    where they can begin (see ``SPAN_WIDTHS``, :class:`Overlaps`): the same
    answer, from an index instead of a scan.
    """
    if start is None or end is None:
        return _open_overlap(field, start, end, prefix)
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
    and PostgreSQL, and compiling 30 lookups took longer than running the
    query on a small archive (0.9 ms a statement, twice a request).
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
    field: str, start: datetime.date | None, end: datetime.date | None, prefix: str
) -> Q:
    """The overlap rule itself, a null bound reaching every day on its side."""
    condition = Q()
    dated = {f"{prefix}{field}__gt": ""}
    if start is not None:
        condition &= Q(**{f"{prefix}{field}_latest__gte": start}) | Q(
            **{f"{prefix}{field}_latest__isnull": True}, **dated
        )
    if end is not None:
        condition &= Q(**{f"{prefix}{field}_earliest__lte": end}) | Q(
            **{f"{prefix}{field}_earliest__isnull": True}, **dated
        )
    return condition


def check_order(earlier: HistoricalDate, later: HistoricalDate, message: str) -> None:
    """Refuse two dates that cannot be in this order (born after died…)."""
    if earlier.earliest and later.latest and earlier.earliest > later.latest:
        raise ValidationError(message, code="date_order")


# --- bounds ----------------------------------------------------------------


def _to_date(value: str, struct) -> datetime.date:
    year = struct.tm_year
    if not 1 <= year <= 9999:
        raise invalid(value, "years outside 1–9999 are not supported")
    try:
        return datetime.date(year, struct.tm_mon, struct.tm_mday)
    except ValueError:
        raise invalid(value, "that day does not exist in the calendar") from None


def _impossible_day(text: str) -> bool:
    """A well-formed YYYY-MM-DD whose day the month does not have (1941-02-30)."""
    match = _FULL_DATE.match(text)
    if not match:
        return False
    year, month, day = (int(part) for part in match.groups())
    return 1 <= month <= 12 and 1 <= day <= 31 and day > calendar.monthrange(year, month)[1]


def _bounds(value: str, parsed) -> tuple[datetime.date, datetime.date]:
    if _is_negative(parsed):
        raise invalid(value, "years outside 1–9999 are not supported")
    season = getattr(parsed, "date", parsed)
    if isinstance(season, edtf_classes.Season):
        return _season_bounds(value, season)
    return _to_date(value, parsed.lower_strict()), _to_date(value, parsed.upper_strict())


def _season_bounds(value: str, season) -> tuple[datetime.date, datetime.date]:
    # The edtf package bounds winter to December alone; winter 1941 is
    # December 1941 to February 1942.
    _, first, last = SEASONS[str(season.season)]
    year = int(season.year)
    end_year, end_month = year + (last - 1) // 12, (last - 1) % 12 + 1
    if end_year > 9999:
        raise invalid(value, "years outside 1–9999 are not supported")
    return (
        datetime.date(year, first, 1),
        datetime.date(end_year, end_month, calendar.monthrange(end_year, end_month)[1]),
    )


def _is_negative(parsed) -> bool:
    date = getattr(parsed, "date", parsed)
    year = getattr(date, "year", None) or ""
    return str(year).startswith("-")


def _interval(value: str, parsed) -> HistoricalDate:
    lower, upper = parsed.lower, parsed.upper
    earliest = None if _is_open_end(lower) else _bounds(value, lower)[0]
    latest = None if _is_open_end(upper) else _bounds(value, upper)[1]
    if earliest and latest and earliest > latest:
        raise invalid(value, "the interval ends before it starts")
    return HistoricalDate(
        edtf=value,
        earliest=earliest,
        latest=latest,
        display=_display_interval(lower, upper),
        approximate=_approximate(lower) or _approximate(upper),
        uncertain=_uncertain(lower) or _uncertain(upper),
    )


def _is_open_end(section) -> bool:
    return isinstance(section, edtf_classes.UnspecifiedIntervalSection)


# --- qualifiers --------------------------------------------------------------


def _approximate(parsed) -> bool:
    return bool(
        getattr(parsed, "is_approximate", False)
        or getattr(parsed, "is_uncertain_and_approximate", False)
    )


def _uncertain(parsed) -> bool:
    return bool(
        getattr(parsed, "is_uncertain", False)
        or getattr(parsed, "is_uncertain_and_approximate", False)
    )


# --- display -------------------------------------------------------------------


def _display_interval(lower, upper) -> str:
    if _is_open_end(lower):
        end = _display_point(upper)
        return f"until {end}" if lower.is_open else f"unknown – {end}"
    if _is_open_end(upper):
        start = _display_point(lower)
        return f"from {start}" if upper.is_open else f"{start} – unknown"
    return f"{_display_point(lower)} – {_display_point(upper)}"


def _display_point(parsed) -> str:
    if isinstance(parsed, edtf_classes.UncertainOrApproximate):
        text = _display_point(parsed.date)
        return _qualify(text, parsed)
    if isinstance(parsed, edtf_classes.DateAndTime):
        return f"{_display_point(parsed.date)}, {parsed.time}"
    if isinstance(parsed, edtf_classes.Season):
        return f"{SEASONS[str(parsed.season)][0]} {int(parsed.year)}"
    text = _display_ymd(str(parsed.year), parsed.month, parsed.day)
    if isinstance(parsed, edtf_classes.Unspecified):
        return _qualify(text, parsed)
    return text


def _qualify(text: str, parsed) -> str:
    if getattr(parsed, "is_uncertain_and_approximate", False):
        return f"circa {text} (uncertain)"
    if getattr(parsed, "is_approximate", False):
        return f"circa {text}"
    if getattr(parsed, "is_uncertain", False):
        return f"{text} (uncertain)"
    return text


def _display_ymd(year: str, month: str | None, day: str | None) -> str:
    unknown_digits = year.count("X")
    first = int(year.replace("X", "0"))
    if unknown_digits == 1 and first % 100:
        return f"{first}s"  # 194X: the 1940s
    if unknown_digits:
        # 19XX and 190X as spans: "the 1900s" could be either.
        return f"{first}–{int(year.replace('X', '9'))}"
    if not month or "X" in month:
        return str(int(year))
    month_name = calendar.month_name[int(month)]
    if not day or "X" in day:
        return f"{month_name} {int(year)}"
    return f"{int(day)} {month_name} {int(year)}"
