"""EDTF dates: parsing, bounds, display, messages, and the columns derived from them."""

import datetime
import importlib
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import migrations
from django.db.migrations.loader import MigrationLoader

from archive import date_queries, dates
from archive.models import Document, Event, Person, Position
from archive.models.base import DatedMixin
from tests.factories import make_document, make_event, make_person, make_state

D = datetime.date
HELP = (
    "Use a form such as 1941-07-30, 1941-07, 1941, 1941~ (circa), 1941? (uncertain), "
    "194X or 1939-09/1939-10."
)


def not_edtf(value: str) -> str:
    """The message for a string that is not EDTF at levels 0 and 1."""
    return f"“{value}” is not a valid EDTF date. {HELP}"


def refused(value: str, reason: str) -> str:
    """The message for an EDTF-shaped string refused for a stated reason."""
    return f"“{value}” is not a valid EDTF date: {reason}."


NO_SUCH_DAY = "that day does not exist in the calendar"
OUT_OF_RANGE = "years outside 1–9999 are not supported"
NO_END = "an interval needs a date at one end at least"


# (edtf, earliest, latest, display, approximate, uncertain)
VALID = [
    # Level 0: day, month, year, interval, date and time.
    ("1941-07-30", D(1941, 7, 30), D(1941, 7, 30), "30 July 1941", False, False),
    ("1941-07", D(1941, 7, 1), D(1941, 7, 31), "July 1941", False, False),
    ("1941", D(1941, 1, 1), D(1941, 12, 31), "1941", False, False),
    ("1940-02", D(1940, 2, 1), D(1940, 2, 29), "February 1940", False, False),
    ("1941-02", D(1941, 2, 1), D(1941, 2, 28), "February 1941", False, False),
    ("1940-02-29", D(1940, 2, 29), D(1940, 2, 29), "29 February 1940", False, False),
    ("2000-02-29", D(2000, 2, 29), D(2000, 2, 29), "29 February 2000", False, False),
    ("0001", D(1, 1, 1), D(1, 12, 31), "1", False, False),
    ("9999", D(9999, 1, 1), D(9999, 12, 31), "9999", False, False),
    (
        "1939-09/1939-10",
        D(1939, 9, 1),
        D(1939, 10, 31),
        "September 1939 – October 1939",
        False,
        False,
    ),
    ("1939/1941", D(1939, 1, 1), D(1941, 12, 31), "1939 – 1941", False, False),
    (
        "1941-07-30/1941-08-12",
        D(1941, 7, 30),
        D(1941, 8, 12),
        "30 July 1941 – 12 August 1941",
        False,
        False,
    ),
    ("1941/1941-07", D(1941, 1, 1), D(1941, 7, 31), "1941 – July 1941", False, False),
    (
        "1941-07-30T10:15:00",
        D(1941, 7, 30),
        D(1941, 7, 30),
        "30 July 1941, 10:15:00",
        False,
        False,
    ),
    (
        "1941-07-30T10:15:00Z",
        D(1941, 7, 30),
        D(1941, 7, 30),
        "30 July 1941, 10:15:00Z",
        False,
        False,
    ),
    (
        "1941-07-30T10:15:00+02:00",
        D(1941, 7, 30),
        D(1941, 7, 30),
        "30 July 1941, 10:15:00+02:00",
        False,
        False,
    ),
    # Level 1: qualification. Bounds stay strict: "circa 1941" spans 1941.
    ("1941~", D(1941, 1, 1), D(1941, 12, 31), "circa 1941", True, False),
    ("1941?", D(1941, 1, 1), D(1941, 12, 31), "1941 (uncertain)", False, True),
    ("1941%", D(1941, 1, 1), D(1941, 12, 31), "circa 1941 (uncertain)", True, True),
    ("1941-07~", D(1941, 7, 1), D(1941, 7, 31), "circa July 1941", True, False),
    ("1941-07-30~", D(1941, 7, 30), D(1941, 7, 30), "circa 30 July 1941", True, False),
    ("1941-07-30?", D(1941, 7, 30), D(1941, 7, 30), "30 July 1941 (uncertain)", False, True),
    (
        "1941-07-30%",
        D(1941, 7, 30),
        D(1941, 7, 30),
        "circa 30 July 1941 (uncertain)",
        True,
        True,
    ),
    # Level 1: unspecified digits.
    ("194X", D(1940, 1, 1), D(1949, 12, 31), "1940s", False, False),
    ("190X", D(1900, 1, 1), D(1909, 12, 31), "1900–1909", False, False),
    ("19XX", D(1900, 1, 1), D(1999, 12, 31), "1900–1999", False, False),
    ("1XXX", D(1000, 1, 1), D(1999, 12, 31), "1000–1999", False, False),
    ("1941-24", D(1941, 12, 1), D(1942, 2, 28), "Winter 1941", False, False),
    ("1943-24", D(1943, 12, 1), D(1944, 2, 29), "Winter 1943", False, False),
    ("194X~", D(1940, 1, 1), D(1949, 12, 31), "circa 1940s", True, False),
    ("1941-07-XX", D(1941, 7, 1), D(1941, 7, 31), "July 1941", False, False),
    ("1941-07-XX~", D(1941, 7, 1), D(1941, 7, 31), "circa July 1941", True, False),
    ("1941-XX", D(1941, 1, 1), D(1941, 12, 31), "1941", False, False),
    ("1941-XX-XX", D(1941, 1, 1), D(1941, 12, 31), "1941", False, False),
    # Level 1: seasons (meteorological, northern hemisphere). Winter: see below.
    ("1941-21", D(1941, 3, 1), D(1941, 5, 31), "Spring 1941", False, False),
    ("1941-22", D(1941, 6, 1), D(1941, 8, 31), "Summer 1941", False, False),
    ("1941-23", D(1941, 9, 1), D(1941, 11, 30), "Autumn 1941", False, False),
    # Level 1: open ("..") and unknown (empty) interval ends have no bound.
    ("1941-07-30/..", D(1941, 7, 30), None, "from 30 July 1941", False, False),
    ("1941/..", D(1941, 1, 1), None, "from 1941", False, False),
    ("../1941", None, D(1941, 12, 31), "until 1941", False, False),
    ("../1941-07", None, D(1941, 7, 31), "until July 1941", False, False),
    ("1941/", D(1941, 1, 1), None, "1941 – unknown", False, False),
    ("/1941", None, D(1941, 12, 31), "unknown – 1941", False, False),
    ("1941~/..", D(1941, 1, 1), None, "from circa 1941", True, False),
    ("../1941~", None, D(1941, 12, 31), "until circa 1941", True, False),
    ("1941?/..", D(1941, 1, 1), None, "from 1941 (uncertain)", False, True),
    # Level 1: qualified interval ends; the flags say "some end is".
    ("1941~/1942?", D(1941, 1, 1), D(1942, 12, 31), "circa 1941 – 1942 (uncertain)", True, True),
    ("1941~/1942", D(1941, 1, 1), D(1942, 12, 31), "circa 1941 – 1942", True, False),
]


@pytest.mark.parametrize(
    ("edtf", "earliest", "latest", "display", "approximate", "uncertain"),
    VALID,
    ids=[row[0] for row in VALID],
)
def test_parse_valid(edtf, earliest, latest, display, approximate, uncertain):
    """A valid EDTF string yields its strict bounds, a reading for people and its flags."""
    assert dates.parse(edtf) == dates.HistoricalDate(
        edtf=edtf,
        earliest=earliest,
        latest=latest,
        display=display,
        approximate=approximate,
        uncertain=uncertain,
    )


def test_parse_winter_spans_the_turn_of_the_year():
    """Winter 1941 (1941-24) is December 1941 to February 1942, not December alone."""
    assert dates.parse("1941-24") == dates.HistoricalDate(
        edtf="1941-24",
        earliest=D(1941, 12, 1),
        latest=D(1942, 2, 28),
        display="Winter 1941",
        approximate=False,
        uncertain=False,
    )


@pytest.mark.parametrize(
    ("edtf", "earliest", "latest"),
    [
        ("19XX", D(1900, 1, 1), D(1999, 12, 31)),
        ("10XX", D(1000, 1, 1), D(1099, 12, 31)),
        ("1XXX", D(1000, 1, 1), D(1999, 12, 31)),
        ("190X", D(1900, 1, 1), D(1909, 12, 31)),
    ],
)
def test_parse_unspecified_digits_bounds(edtf, earliest, latest):
    """Unspecified digits span every year they can stand for (display: see below)."""
    parsed = dates.parse(edtf)
    assert (parsed.earliest, parsed.latest, parsed.approximate, parsed.uncertain) == (
        earliest,
        latest,
        False,
        False,
    )


@pytest.mark.parametrize(
    ("century", "decade"), [("19XX", "190X"), ("10XX", "100X"), ("1XXX", "100X")]
)
def test_display_tells_a_century_from_its_first_decade(century, decade):
    """Two dates with different bounds never read the same: 19XX is not 190X."""
    assert dates.parse(century).latest != dates.parse(decade).latest
    assert dates.parse(century).display != dates.parse(decade).display


INVALID = [
    ("1939-13", not_edtf("1939-13")),
    ("1941-00", not_edtf("1941-00")),
    ("1941-07-32", not_edtf("1941-07-32")),
    ("19410730", not_edtf("19410730")),
    ("foo", not_edtf("foo")),
    ("..", not_edtf("..")),
    ("1941-07-30T10:15", not_edtf("1941-07-30T10:15")),
    ("1941-07-30T25:00:00", not_edtf("1941-07-30T25:00:00")),
    # A day that the calendar does not have.
    ("1941-02-29", refused("1941-02-29", NO_SUCH_DAY)),
    ("1900-02-29", refused("1900-02-29", NO_SUCH_DAY)),
    ("1941-02-30", refused("1941-02-30", NO_SUCH_DAY)),
    ("1941-04-31", refused("1941-04-31", NO_SUCH_DAY)),
    ("1941-02-30/1942", refused("1941-02-30/1942", NO_SUCH_DAY)),
    # Spaces around the date.
    (" 1941", refused(" 1941", "remove the spaces around it")),
    ("1941 ", refused("1941 ", "remove the spaces around it")),
    # Intervals that end before they start.
    (
        "1941-07-30/1941-07-01",
        refused("1941-07-30/1941-07-01", "the interval ends before it starts"),
    ),
    ("1941/1940", refused("1941/1940", "the interval ends before it starts")),
    ("1942?/1941~", refused("1942?/1941~", "the interval ends before it starts")),
    ("1941-07-30/1941-21", refused("1941-07-30/1941-21", "the interval ends before it starts")),
    # A qualified season is level 2 as "2001-21^…", and "1941-21~" no EDTF at all.
    ("1941-21~", not_edtf("1941-21~")),
    # Intervals without a date at either end.
    ("/", refused("/", NO_END)),
    ("../..", refused("../..", NO_END)),
    ("../", refused("../", NO_END)),
    ("/..", refused("/..", NO_END)),
    # Years outside 1–9999.
    ("-0050", refused("-0050", OUT_OF_RANGE)),
    ("0000", refused("0000", OUT_OF_RANGE)),
    ("Y170000002", refused("Y170000002", OUT_OF_RANGE)),
    ("Y10000", refused("Y10000", OUT_OF_RANGE)),
]


@pytest.mark.parametrize(
    ("value", "message"),
    [row if hasattr(row, "marks") else pytest.param(*row, id=row[0]) for row in INVALID],
)
def test_parse_invalid(value, message):
    """An invalid string is refused with a message that quotes it and says what to do."""
    with pytest.raises(ValidationError) as excinfo:
        dates.parse(value)
    assert excinfo.value.messages == [message]
    assert excinfo.value.code == "invalid_edtf"


@pytest.mark.parametrize("value", ["", None])
def test_parse_empty(value):
    """An empty date is refused as missing, not as malformed."""
    with pytest.raises(ValidationError) as excinfo:
        dates.parse(value)
    assert excinfo.value.messages == ["A date is required here."]
    assert excinfo.value.code == "required"


def test_validate_accepts_empty():
    """The field validator lets an empty date through: blank means unknown."""
    assert dates.validate("") is None


def level_2(value: str, form: str) -> str:
    return (
        f"“{value}” is EDTF level 2 ({form}); the archive takes EDTF levels 0 and 1 only. " + HELP
    )


# Before: each was refused as "not a valid EDTF date", as if it were no EDTF at all.
LEVEL_2 = [
    ("2004-06-~11", "a qualifier on a part of a date"),
    ("2004-06~-11", "a qualifier on a part of a date"),
    ("2004?-06-11", "a qualifier on a part of a date"),
    ("156X-12-25", "unspecified digits inside a date"),
    ("1941-XX-30", "unspecified digits inside a date"),
    ("19XX-07", "unspecified digits inside a date"),
    ("XXXX", "unspecified digits inside a date"),
    ("[1667,1668]", "one of a set of dates"),
    ("{1667,1668}", "a list of dates"),
    ("{1667,1668,1670..1672}", "a list of dates"),
    ("1941-07-30/1941-08-~12", "an interval with an end of level 2"),
    ("Y17E7", "a year in exponential form"),
    ("2001-25", "a season or quarter of level 2"),
]


@pytest.mark.parametrize(("value", "form"), LEVEL_2)
def test_level_2_is_refused_as_level_2(value, form):
    with pytest.raises(ValidationError) as excinfo:
        dates.parse(value)
    assert excinfo.value.messages == [level_2(value, form)]
    assert excinfo.value.code == "edtf_level_2"


def did_you_mean(value: str, suggestion: str, display: str) -> str:
    return f"“{value}” is not a valid EDTF date: did you mean {suggestion} ({display})?"


# (typed, the EDTF suggested, its display)
SUGGESTED = [
    ("14 August 1941", "1941-08-14", "14 August 1941"),
    ("August 1941", "1941-08", "August 1941"),
    ("Aug 14 1941", "1941-08-14", "14 August 1941"),
    ("14th of August 1941", "1941-08-14", "14 August 1941"),
    ("July 30, 1941", "1941-07-30", "30 July 1941"),
    ("circa 1941", "1941~", "circa 1941"),
    ("c. 1941", "1941~", "circa 1941"),
    ("c.1941", "1941~", "circa 1941"),
    ("ca. August 1941", "1941-08~", "circa August 1941"),
    ("possibly 1941", "1941?", "1941 (uncertain)"),
    ("circa 1941?", "1941%", "circa 1941 (uncertain)"),
    ("1940s", "194X", "1940s"),
    ("the 1940s", "194X", "1940s"),
    ("spring 1941", "1941-21", "Spring 1941"),
    # Numbers alone: day first when the year is last, as the archive's people write.
    ("30.7.1941", "1941-07-30", "30 July 1941"),
    ("7/8/1941", "1941-08-07", "7 August 1941"),
    ("7.1941", "1941-07", "July 1941"),
    ("1941-7", "1941-07", "July 1941"),
    ("1941-7-8", "1941-07-08", "8 July 1941"),
    # Spans: what the first end leaves out is the last end's.
    ("5–30 July 1941", "1941-07-05/1941-07-30", "5 July 1941 – 30 July 1941"),
    ("5-30 July 1941", "1941-07-05/1941-07-30", "5 July 1941 – 30 July 1941"),
    ("5 July – 30 August 1941", "1941-07-05/1941-08-30", "5 July 1941 – 30 August 1941"),
    ("July–August 1941", "1941-07/1941-08", "July 1941 – August 1941"),
    ("30.7.1941 - 2.8.1941", "1941-07-30/1941-08-02", "30 July 1941 – 2 August 1941"),
    ("1941-1945", "1941/1945", "1941 – 1945"),
    ("1939 to 1941", "1939/1941", "1939 – 1941"),
    ("between 1939 and 1941", "1939/1941", "1939 – 1941"),
    ("circa 1939–1941", "1939~/1941~", "circa 1939 – circa 1941"),
    # Polish and Russian month names, in either case, with "r." and "г." after the year.
    ("14 sierpnia 1941 r.", "1941-08-14", "14 August 1941"),
    ("sierpień 1941", "1941-08", "August 1941"),
    ("14 августа 1941 г.", "1941-08-14", "14 August 1941"),
    ("Май 1941", "1941-05", "May 1941"),
]


@pytest.mark.parametrize(("value", "suggestion", "display"), SUGGESTED)
def test_a_date_in_words_is_refused_with_the_edtf_it_means(value, suggestion, display):
    """Nothing is rewritten: the refusal says what to type instead."""
    with pytest.raises(ValidationError) as excinfo:
        dates.parse(value)
    assert excinfo.value.messages == [did_you_mean(value, suggestion, display)]
    assert excinfo.value.code == "invalid_edtf"
    assert dates.read(value) == dates.Reading(
        did_you_mean(value, suggestion, display),
        error=did_you_mean(value, suggestion, display),
        suggestion=suggestion,
    )


def _documented_suggestions() -> list[tuple[str, str]]:
    """(typed, suggested) from docs/data.md's table of dates typed in words."""
    text = (Path(settings.BASE_DIR) / "docs" / "data.md").read_text(encoding="utf-8")
    table = text.split('| typed | "did you mean …?" |', 1)[1].split("\n\n", 1)[0]
    pairs = []
    for line in table.splitlines()[2:]:
        typed, meant = (re.findall(r"`([^`]+)`", cell) for cell in line.split("|")[1:3])
        pairs += zip(typed, meant if len(meant) > 1 else meant * len(typed), strict=True)
    return pairs


def test_the_documented_suggestions_are_the_suggestions():
    documented = _documented_suggestions()
    assert len(documented) == 19
    for typed, meant in documented:
        with pytest.raises(ValidationError) as excinfo:
            dates.parse(typed)
        assert excinfo.value.params["suggestion"] == meant, typed


@pytest.mark.parametrize(
    "value",
    [
        "1941 or 1942",  # the edtf package's reader would say 1941
        "early 1941",  # … 1941
        "41",  # … 2041
        "August",  # … XXXX-08, no year
        "before 1941",  # … /1941, which includes 1941
        "1941 BC",  # … -1941, outside 1–9999
        "30 February 1941",  # 1941-02-30: no such day
        "1941-07-30T10:15",  # not without its seconds
        "the summer",
        "foo",
    ],
)
def test_no_suggestion_when_the_meaning_is_not_clear(value):
    with pytest.raises(ValidationError) as excinfo:
        dates.parse(value)
    assert excinfo.value.messages == [not_edtf(value)]


def test_a_percent_sign_in_a_refused_value_is_quoted_as_typed():
    # Before: the message was formatted with the value in it, and "%4" failed.
    with pytest.raises(ValidationError) as excinfo:
        dates.parse("19%41")
    assert excinfo.value.messages == [not_edtf("19%41")]


@pytest.mark.parametrize(
    ("edtf", "reading"),
    [
        ("1941-07", "July 1941, 1 July 1941 – 31 July 1941"),
        ("1941-07-30", "30 July 1941"),
        # Days already said as the bounds are not said again.
        ("1941-07-05/1941-07-30", "5 July 1941 – 30 July 1941"),
        ("1941", "1941, 1 January 1941 – 31 December 1941"),
        ("1941~", "circa 1941, 1 January 1941 – 31 December 1941"),
        ("194X", "1940s, 1 January 1940 – 31 December 1949"),
        ("1941-24", "Winter 1941, 1 December 1941 – 28 February 1942"),
        ("1939-09/1939-10", "September 1939 – October 1939, 1 September 1939 – 31 October 1939"),
        ("1941/..", "from 1941, 1 January 1941 – …"),
        ("../1941-07", "until July 1941, … – 31 July 1941"),
    ],
)
def test_reading_is_the_display_and_the_bounds(edtf, reading):
    assert dates.parse(edtf).reading == reading
    assert dates.read(edtf) == dates.Reading(reading, date=dates.parse(edtf))


def test_read_strips_as_the_form_does_and_reads_nothing_as_nothing():
    assert dates.read(" 1941-07 ").text == "July 1941, 1 July 1941 – 31 July 1941"
    assert dates.read("  ") == dates.Reading("")


@pytest.mark.parametrize(
    ("edtf", "shown"),
    [
        ("1941-07", "July 1941"),
        ("1941-07-05/1941-07-30", "5 July 1941 – 30 July 1941"),
        ("194X~", "circa 1940s"),
        ("", ""),  # no date: nothing to read
        ("1941-13", "1941-13"),  # saved before a rule refused it: as it is
    ],
)
def test_display_of_a_stored_date(edtf, shown):
    assert dates.display_of(edtf) == shown


@pytest.mark.parametrize(
    ("edtf", "shown"),
    [
        ("1941-07", "1941-07 (July 1941)"),
        ("1941-07-30/1941-08", "1941-07-30/1941-08 (30 July 1941 – August 1941)"),
        ("1941", "1941"),  # its display says no more
        ("1941-13", "1941-13"),  # saved before a rule refused it: as it is
    ],
)
def test_with_display(edtf, shown):
    assert dates.with_display(edtf) == shown


# --- model-level rules ---------------------------------------------------------


@pytest.mark.django_db
def test_full_clean_refuses_death_before_birth():
    """A person who dies before being born is refused, with the message on `died`."""
    person = Person(slug="x", name="X", born="1950", died="1940")
    with pytest.raises(ValidationError) as excinfo:
        person.full_clean()
    assert excinfo.value.message_dict == {"died": ["A person cannot die before they are born."]}


@pytest.mark.parametrize(
    ("born", "died"),
    [("1941", "1941"), ("1941-07", "1941-07-30"), ("1941~", "1941?"), ("194X", "1940")],
)
@pytest.mark.django_db
def test_full_clean_accepts_overlapping_birth_and_death(born, died):
    """Dates that can be in order are accepted, even when they share a year."""
    Person(slug="x", name="X", born=born, died=died).full_clean()


@pytest.mark.django_db
def test_save_refuses_death_before_birth():
    """The order rule holds outside forms too: nothing is written."""
    with pytest.raises(ValidationError) as excinfo:
        Person.objects.create(slug="x", name="X", born="1950", died="1940")
    assert excinfo.value.message_dict == {"died": ["A person cannot die before they are born."]}
    assert not Person.objects.exists()
    assert not Person.history.exists()


@pytest.mark.django_db
def test_create_refuses_invalid_date_and_writes_nothing():
    """An invalid date is refused by any save, not only by forms: no row, no version."""
    with pytest.raises(ValidationError) as excinfo:
        Person.objects.create(slug="x", name="X", born="1941-13")
    assert excinfo.value.message_dict == {"born": [not_edtf("1941-13")]}
    assert not Person.objects.exists()
    assert not Person.history.exists()


@pytest.mark.django_db
def test_save_refuses_invalid_date_on_change_and_keeps_the_old_one():
    """Changing a stored date to an invalid one leaves the row and its history unchanged."""
    person = make_person(born="1884")
    person.born = "1884-02-30"
    with pytest.raises(ValidationError):
        person.save()
    person.refresh_from_db()
    assert (person.born, person.born_earliest) == ("1884", D(1884, 1, 1))
    (version,) = person.history.all()
    assert version.history_type == "+"


@pytest.mark.django_db
def test_full_clean_reports_invalid_date_once():
    """full_clean() reports an invalid date on its field, once (forms run both checks)."""
    with pytest.raises(ValidationError) as excinfo:
        Person(slug="x", name="X", born="1941-13").full_clean()
    assert excinfo.value.message_dict == {"born": [not_edtf("1941-13")]}


@pytest.mark.django_db
def test_full_clean_reports_invalid_date_and_order_separately():
    """An invalid birth date is reported on `born`; no order is checked against it."""
    with pytest.raises(ValidationError) as excinfo:
        Person(slug="x", name="X", born="1950-13", died="1940").full_clean()
    assert excinfo.value.message_dict == {"born": [not_edtf("1950-13")]}


@pytest.mark.django_db
def test_document_date_bounds_follow_the_date():
    """The derived columns are stored, follow a change, and are cleared with the date."""
    document = make_document(date="1939-09/1939-10")
    stored = Document.objects.get(pk=document.pk)
    assert (stored.date_earliest, stored.date_latest) == (D(1939, 9, 1), D(1939, 10, 31))

    document.date = "1941-07-30"
    document.save()
    stored = Document.objects.get(pk=document.pk)
    assert (stored.date_earliest, stored.date_latest) == (D(1941, 7, 30), D(1941, 7, 30))

    document.date = ""
    document.save()
    stored = Document.objects.get(pk=document.pk)
    assert (stored.date, stored.date_earliest, stored.date_latest, stored.date_span) == (
        "",
        None,
        None,
        None,
    )


@pytest.mark.parametrize(
    ("edtf", "span"),
    [
        ("1941-07-30", 0),
        ("1941-07", 0),
        ("1941-07/1941-08", 1),  # 62 days
        ("1941", 1),
        ("1940-01-01/1941-01-01", 1),  # 366 days: the widest a year can be
        ("1940-01-01/1941-01-02", 2),
        ("194X", 2),
        ("1939/1945", 2),
        ("19XX", 3),
        ("1801/1900", 3),
        ("1800/1900", 4),  # 101 years
        ("1700/1900", 4),
        ("1941/..", 4),
        ("../1941", 4),
        ("1941/", 4),
    ],
)
def test_span_class(edtf, span):
    """The span class is the narrowest width (month, year, decade, century) that holds
    the date; open, unknown or longer dates are the last class."""
    parsed = dates.parse(edtf)
    assert date_queries.span_class(parsed.earliest, parsed.latest) == span


def _position(**kw):
    return Position.objects.create(person=make_person(), title="Ambassador", **kw)


@pytest.mark.parametrize(
    ("make", "field", "value", "earliest", "latest"),
    [
        (make_state, "existence", "1922-12-30/1991-12-26", D(1922, 12, 30), D(1991, 12, 26)),
        (make_state, "existence", "1918-11-11/..", D(1918, 11, 11), None),
        (make_person, "born", "1884-01", D(1884, 1, 1), D(1884, 1, 31)),
        (make_person, "died", "1975~", D(1975, 1, 1), D(1975, 12, 31)),
        (_position, "period", "1932/1943", D(1932, 1, 1), D(1943, 12, 31)),
        (_position, "period", "/1943-09", None, D(1943, 9, 30)),
        (make_document, "date", "1941-07-30", D(1941, 7, 30), D(1941, 7, 30)),
        (make_event, "date", "1939-09/1939-10", D(1939, 9, 1), D(1939, 10, 31)),
        (make_event, "date", "194X", D(1940, 1, 1), D(1949, 12, 31)),
    ],
)
@pytest.mark.django_db
def test_bounds_are_stored_for_every_date_field(make, field, value, earliest, latest):
    """Every EDTF field of every model stores its bounds and its span class."""
    obj = make(**{field: value})
    columns = (field, f"{field}_earliest", f"{field}_latest", f"{field}_span")
    stored = type(obj).objects.values(*columns).get(pk=obj.pk)
    assert stored == dict(
        zip(
            columns,
            (value, earliest, latest, date_queries.span_class(earliest, latest)),
            strict=True,
        )
    )


@pytest.mark.parametrize(
    ("make", "field"),
    [
        (make_state, "existence"),
        (make_person, "born"),
        (make_person, "died"),
        (_position, "period"),
        (make_document, "date"),
        (make_event, "date"),
    ],
)
@pytest.mark.django_db
def test_every_date_field_refuses_invalid_dates(make, field):
    """Every EDTF field refuses an invalid date on save, with the message on that field."""
    with pytest.raises(ValidationError) as excinfo:
        make(**{field: "1941-02-29"})
    assert excinfo.value.message_dict == {field: [refused("1941-02-29", NO_SUCH_DAY)]}


def test_date_fields_of_each_model():
    """These are all the EDTF fields of the archive (the tests above cover each one)."""
    found = {
        model.__name__: [field.name for field in model.edtf_fields()]
        for model in apps.get_app_config("archive").get_models()
        if issubclass(model, DatedMixin) and model.edtf_fields()
    }
    assert found == {
        "State": ["existence"],
        "Person": ["born", "died"],
        "Position": ["period"],
        "Document": ["date"],
        "Event": ["date"],
    }


# --- the overlap rule against its definition --------------------------------

OVERLAP_DATES = [
    "1941-07-30",
    "1941-06-30",
    "1941-07",
    "1941-05",
    "1941",
    "1940",
    "1941-21",
    "1940-24",  # winter 1940/41
    "194X",
    "193X",
    "19XX",
    "18XX",
    "1939-09/1939-10",
    "1939/1945",
    "1800/1941-06-30",
    "1700/1900",
    "1941/..",
    "1942/..",
    "../1941-07-01",
    "../1941-06-30",
    "1941-07-31/",
    "/1941-06",
    "",
]
OVERLAP_RANGES = [
    (D(1941, 7, 1), D(1941, 8, 31)),
    (D(1941, 7, 30), D(1941, 7, 30)),
    (D(1900, 1, 1), D(1999, 12, 31)),
    (D(1, 1, 1), D(1, 1, 1)),
    (D(1, 1, 1), D(9999, 12, 31)),
    (D(1942, 1, 1), D(1941, 1, 1)),  # an empty range
]


def _overlaps_by_definition(edtf, start, end):
    if not edtf:
        return False
    parsed = dates.parse(edtf)
    return (start is None or parsed.latest is None or parsed.latest >= start) and (
        end is None or parsed.earliest is None or parsed.earliest <= end
    )


@pytest.mark.django_db
def test_overlaps_gives_the_answers_of_its_definition():
    """The span-class form of the overlap filter (an index scan) finds exactly the dates
    the rule says overlap, for every kind of date and ranges with one end or both."""
    events = {make_event(slug=f"e{i}", date=edtf).pk: edtf for i, edtf in enumerate(OVERLAP_DATES)}
    ranges = [*OVERLAP_RANGES, *((start, None) for start, _ in OVERLAP_RANGES)]
    ranges += [(None, end) for _, end in OVERLAP_RANGES] + [(None, None)]
    for start, end in ranges:
        found = set(
            Event.objects.filter(date_queries.overlaps("date", start, end)).values_list(
                "pk", flat=True
            )
        )
        expected = {pk for pk, edtf in events.items() if _overlaps_by_definition(edtf, start, end)}
        if start is None and end is None:
            expected = set(events)  # no range: no filter
        assert found == expected, (start, end)


def query_plan(queryset, refused_on_postgresql: str) -> str:
    """The database's plan for ``queryset``. On tables this small PostgreSQL would
    rather scan or sort everything: the plan it makes when ``enable_<refused>`` is
    off shows whether an index can serve the query."""
    from django.db import connection

    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        else:
            cursor.execute(f"SET LOCAL enable_{refused_on_postgresql} = off")
            cursor.execute(f"EXPLAIN {sql}", params)
        return " ".join(str(row) for row in cursor.fetchall())


@pytest.mark.django_db
def test_a_date_range_filter_reads_the_span_index():
    """A range with both ends is looked up in the (span, earliest, latest) index."""
    make_event(date="1941-07-30")
    queryset = Event.objects.filter(date_queries.overlaps("date", D(1941, 7, 1), D(1941, 8, 31)))
    assert "event_date_span_idx" in query_plan(queryset, "seqscan")


@pytest.mark.django_db
@pytest.mark.parametrize("model", [Document, Event])
def test_a_page_in_date_order_is_read_off_the_order_index(model):
    """The API's order by date (``date_queries.chronological``, then slug) is an index: the
    first page is read in order, not gathered and sorted (undated records and every
    "1941" tie on the earliest day)."""
    queryset = model.objects.filter(published=True).order_by(
        *date_queries.chronological("date"), "slug"
    )[:100]
    plan = query_plan(queryset, "sort")
    assert f"{model._meta.model_name}_date_order_idx" in plan, plan
    assert "TEMP B-TREE" not in plan and "Sort" not in plan, plan


SPAN_MIGRATION = importlib.import_module("archive.migrations.0006_date_spans")


def _days_apart(days: int) -> tuple[D, D]:
    return D(1900, 1, 1), D(1900, 1, 1) + datetime.timedelta(days=days)


@pytest.mark.parametrize(
    ("earliest", "latest"),
    [
        *(_days_apart(days) for width in SPAN_MIGRATION.SPAN_WIDTHS for days in (width, width + 1)),
        _days_apart(0),
        _days_apart(100_000),
        (D(1941, 1, 1), None),
        (None, D(1941, 12, 31)),
    ],
)
def test_the_migration_s_span_class_is_the_live_one(earliest, latest):
    """0006 keeps its own copy of the span-class rule (a migration imports no live
    code): if the live rule changes, the spans already stored need a migration."""
    assert SPAN_MIGRATION.span_class(earliest, latest) == date_queries.span_class(earliest, latest)


def test_every_date_field_has_its_columns_and_indexes_migrated():
    """The migrations as written (not the live models) give every date field of a
    model and of its history its bound and span columns, and each dated model its
    indexes; a span column added to a table that may already hold rows comes with a
    step that fills it (0006's ``fill_spans``), one created with its table needs
    none. A new dated model or field needs a migration of its own, not an edit of 0006."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    (leaf,) = loader.graph.leaf_nodes("archive")
    migrated = loader.project_state(leaf).apps
    added_without_filling = [
        (node[1], operation.model_name_lower, operation.name)
        for node in loader.graph.forwards_plan(leaf)
        if node[0] == "archive"
        for migration in [loader.graph.nodes[node]]
        if not any(isinstance(op, migrations.RunPython) for op in migration.operations)
        for operation in migration.operations
        if isinstance(operation, migrations.AddField) and operation.name.endswith("_span")
    ]
    assert added_without_filling == []
    checked = []
    for model in apps.get_app_config("archive").get_models():
        if not (issubclass(model, DatedMixin) and model.edtf_fields()):
            continue
        for live in (model, model.history.model):
            state = migrated.get_model("archive", live._meta.model_name)
            for field in model.edtf_fields():
                for column in ("earliest", "latest", "span"):
                    name = f"{field.name}_{column}"
                    assert (
                        state._meta.get_field(name).deconstruct()[1:]
                        == (live._meta.get_field(name).deconstruct()[1:])
                    ), (live, name)
                    checked.append((live._meta.model_name, name))
            assert [index.deconstruct() for index in state._meta.indexes] == [
                index.deconstruct() for index in live._meta.indexes
            ], live
    assert ("historicalposition", "period_span") in checked
    assert ("person", "died_span") in checked


@pytest.mark.django_db
def test_the_migration_fills_the_span_of_rows_saved_before_it():
    """0006 derives the span of every dated row, live and historical."""
    migration = SPAN_MIGRATION
    event = make_event(date="194X")
    undated = make_event(slug="undated", date="")
    Event.objects.update(date_span=None)
    Event.history.update(date_span=None)
    migration.fill_spans(apps, None)
    assert Event.objects.get(pk=event.pk).date_span == 2
    assert Event.objects.get(pk=undated.pk).date_span is None
    assert set(Event.history.filter(id=event.pk).values_list("date_span", flat=True)) == {2}


@pytest.mark.django_db
def test_the_span_index_holds_every_key_of_the_order_by_date():
    """Every key of the order by date (``date_queries.chronological``, then slug) is in the
    span index: a query the arms of ``archive.date_ranges`` leave to the plain
    plan (here a ``values()`` page) sorts the range's matches without reading
    their rows."""
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL gathers the matches' rows in a bitmap heap scan whatever the index")
    make_event(date="1941-07-30")
    queryset = (
        Event.objects.filter(
            date_queries.overlaps("date", D(1941, 7, 1), D(1941, 8, 31)), published=True
        )
        .order_by(*date_queries.chronological("date"), "slug")
        .values_list("pk", flat=True)[:20]
    )
    plan = query_plan(queryset, "seqscan")
    assert plan.count("USING COVERING INDEX event_date_span_idx") == len(date_queries.ARM_BOUNDS), (
        plan
    )
    assert " USING INDEX " not in plan, plan


@pytest.mark.django_db
def test_outside_a_range_is_every_other_record_undated_ones_included():
    """``exclude()`` (the API's ``NOT``) of a range is its exact complement: the
    rule is never unknown (SQL NULL) for a record, not even an undated one."""
    events = {make_event(slug=f"e{i}", date=edtf).pk for i, edtf in enumerate(OVERLAP_DATES)}
    for start, end in OVERLAP_RANGES:
        inside = set(
            Event.objects.filter(date_queries.overlaps("date", start, end)).values_list(
                "pk", flat=True
            )
        )
        outside = set(
            Event.objects.exclude(date_queries.overlaps("date", start, end)).values_list(
                "pk", flat=True
            )
        )
        assert inside | outside == events and not inside & outside, (start, end)
