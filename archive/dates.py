"""Historical dates: the one place that parses, validates, bounds and displays them.

Dates are stored as EDTF strings (Extended Date/Time Format, levels 0 and 1,
as the Library of Congress defines them), for example ``1941-07-30``,
``1941-07``, ``1939``, ``1939-09/1939-10``, ``1941~`` (approximate),
``1941?`` (uncertain), ``194X`` (some year of the 1940s).

From each string we derive:

* ``earliest`` / ``latest``: the first and last calendar day the date can
  mean. They are the *strict* bounds of what was written: "circa 1941" spans
  1941, not a guessed margin around it, so that filters give answers an
  archivist can predict. An open end (``1941/..``) or an unknown end
  (``1941/``) has no bound (``None``): it overlaps every range on that side.
* ``display``: a reading for people: "30 July 1941", "July 1941",
  "circa 1941", "1940s", "September 1939 – October 1939" (of a stored
  value, empty or not: :func:`display_of`).
* ``approximate`` / ``uncertain`` flags.

* ``reading``: the display and the bounds, as the admin shows them beside
  a date field: "July 1941, 1 July 1941 – 31 July 1941".

Level 2 forms (sets, partial qualification, exponential years) are refused
with a message that says they are EDTF level 2, and years outside 1–9999 with
one that says so: they cannot be bounded by calendar dates. A date typed in
words ("14 August 1941", "circa 1941") is refused with the EDTF it most likely
means (:mod:`archive.date_suggestions`): "did you mean 1941-08-14?".

This module knows nothing of the database, and it is the only one that
touches the ``edtf`` package's parser (its reader of English is
:mod:`archive.date_suggestions`'). What is stored of a date and how lists
filter and order by it is :mod:`archive.date_queries`.
"""

from __future__ import annotations

import calendar
import datetime
import functools
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from edtf.parser import parser_classes as edtf_classes
from edtf.parser.grammar import level0Expression, level1Expression, level2Expression
from pyparsing import ParseException

from archive import date_suggestions

# Levels 0 and 1 only: what the specification promises.
_PARSER = level0Expression ^ level1Expression
# The longest date a field holds (archive.models.base.EDTFField).
MAX_LENGTH = 64

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
# What each form of EDTF level 2 is, by the edtf package's class for it.
LEVEL_2_FORMS = {
    edtf_classes.PartialUncertainOrApproximate: "a qualifier on a part of a date",
    edtf_classes.PartialUnspecified: "unspecified digits inside a date",
    edtf_classes.OneOfASet: "one of a set of dates",
    edtf_classes.MultipleDates: "a list of dates",
    edtf_classes.Level2Interval: "an interval with an end of level 2",
    edtf_classes.ExponentialYear: "a year in exponential form",
    edtf_classes.Level2Season: "a season or quarter of level 2",
}


@dataclass(frozen=True)
class HistoricalDate:
    """A parsed EDTF string and what the archive derives from it."""

    edtf: str
    earliest: datetime.date | None
    latest: datetime.date | None
    display: str
    approximate: bool
    uncertain: bool

    @property
    def reading(self) -> str:
        """The display and the bounds: "July 1941, 1 July 1941 – 31 July 1941";
        a single day, or an interval of days ("5 July 1941 – 30 July 1941"), is its
        display alone."""
        bounds = bounds_display(self)
        if bounds == self.display:  # a single day, or days already said as its bounds
            return self.display
        return f"{self.display}, {bounds}"


def invalid(value: str, reason: str | None = None) -> ValidationError:
    # The value as a parameter, not in the text: a "%" in it is no placeholder.
    message = "“%(value)s” is not a valid EDTF date"
    message += f": {reason}." if reason else f". Use a form such as {EXAMPLES}."
    return ValidationError(message, code="invalid_edtf", params={"value": value})


def level_2(value: str, form: str) -> ValidationError:
    return ValidationError(
        f"“%(value)s” is EDTF level 2 ({form}); the archive takes EDTF levels 0 and 1 "
        f"only. Use a form such as {EXAMPLES}.",
        code="edtf_level_2",
        params={"value": value},
    )


def not_edtf(value: str) -> ValidationError:
    """The refusal of a string that is no EDTF: with the date it most likely
    means if there is one ("did you mean 1941-08-14 (14 August 1941)?")."""
    suggestion = date_suggestions.suggest(value) if len(value) <= MAX_LENGTH else None
    try:
        meant = _parse(suggestion, suggest=False) if suggestion else None
    except ValidationError:
        meant = None  # a day the calendar does not have, an interval backwards…
    if meant is None:
        return invalid(value)
    return ValidationError(
        "“%(value)s” is not a valid EDTF date: did you mean %(suggestion)s (%(display)s)?",
        code="invalid_edtf",
        params={"value": value, "suggestion": suggestion, "display": meant.display},
    )


@functools.lru_cache(maxsize=65536)
def parse(value: str) -> HistoricalDate:
    """Parse an EDTF string, or raise ``ValidationError`` with a clear message.

    Cached: parsing is slow (pyparsing) and archives repeat their dates; the
    result is immutable. Refusals are not cached (exceptions never are).
    """
    return _parse(value, suggest=True)


def _parse(value: str, *, suggest: bool) -> HistoricalDate:
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
        form = _level_2_form(text)
        if form:
            raise level_2(value, form) from None
        raise (not_edtf(value) if suggest else invalid(value)) from None

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


def _level_2_form(text: str) -> str | None:
    """What form of EDTF level 2 ``text`` is, or None if it is none."""
    try:
        parsed = level2Expression.parse_string(text, parse_all=True)[0]
    except ParseException:
        return None
    return LEVEL_2_FORMS.get(type(parsed), "a form")


@dataclass(frozen=True)
class Reading:
    """What the admin shows beside a date field as it is typed: the date's
    reading, or why it is refused (and the date it most likely means)."""

    text: str
    date: HistoricalDate | None = None
    error: str | None = None
    suggestion: str | None = None


def read(value: str) -> Reading:
    """The reading of a date field's value; empty for an empty one (unknown)."""
    text = value.strip()  # as the form's field strips it before validating
    if not text:
        return Reading("")
    try:
        date = parse(text)
    except ValidationError as error:
        message = error.messages[0]
        return Reading(message, error=message, suggestion=(error.params or {}).get("suggestion"))
    return Reading(date.reading, date=date)


def display_of(value: str) -> str:
    """A stored date as people read it: "1941-07" is "July 1941", no date is "".

    What lists, read views, autocomplete and histories show. A value saved
    before a rule that now refuses it is shown as it is.
    """
    if not value:
        return ""
    try:
        return parse(value).display
    except ValidationError:
        return value


def with_display(value: str) -> str:
    """An EDTF value with its display, as a history shows it: "1941-07 (July 1941)"."""
    display = display_of(value)
    return value if display == value else f"{value} ({display})"


def validate(value: str) -> None:
    """A Django field validator: refuse anything :func:`parse` refuses."""
    if value:
        parse(value)


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


def bounds_display(date: HistoricalDate) -> str:
    """The days a date can mean, for people: "1 July 1941 – 31 July 1941".

    An end with no bound (open or unknown) is "…"; a single day is that day.
    """
    first, last = (
        _display_ymd(f"{day.year:04d}", str(day.month), str(day.day)) if day else "…"
        for day in (date.earliest, date.latest)
    )
    return first if first == last else f"{first} – {last}"
