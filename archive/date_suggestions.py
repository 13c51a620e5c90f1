"""What people type for a date instead of EDTF, and the EDTF they mean.

"14 August 1941" → ``1941-08-14``, "August 1941" → ``1941-08``, "circa 1941"
or "c. 1941" → ``1941~``, "1940s" → ``194X``, "5–30 July 1941" →
``1941-07-05/1941-07-30``, "30.7.1941" → ``1941-07-30`` (day first, as the
archive's people write numeric dates; "1941-7-30" is read year first), "July
30, 1941" → ``1941-07-30``; month names in English, Polish and Russian
("14 sierpnia 1941 r.", "14 августа 1941 г.").

It is only ever a suggestion: :func:`archive.dates.parse` offers it in its
refusal ("did you mean 1941-08-14 (14 August 1941)?") once it has parsed it.
Nothing typed is rewritten.

Dates with month names are read by the edtf package's reader of English
(``edtf.natlang``). It parses fuzzily: it drops words it does not know ("1941
or 1942" → 1941, "early 1941" → 1941) and makes up what is missing ("41" →
2041, "5–30 July 1941" → 2005-07-30). What it would guess is refused here: every
word of the text must be a word of a date, and every number in the text must
be in the answer, its year among them.
"""

from __future__ import annotations

import calendar
import functools
import re

from django.utils import translation
from django.utils.dates import MONTHS, MONTHS_ALT
from edtf.natlang.en import text_to_edtf_date

# Languages whose month names are read too, from Django's translations of them
# (both the nominative, "sierpień", and the genitive of a full date, "sierpnia").
LANGUAGES = ("pl", "ru")

# Words (lower case, without their dot) that say "circa" or "perhaps" before a date.
APPROXIMATE = {"c", "ca", "circa", "about", "around", "approx", "approximately"}
UNCERTAIN = {"possibly", "perhaps", "probably", "maybe"}
# Words a date may carry that add nothing: "14th of August", "the 1940s", the
# Polish "r." (roku) and Russian "г." (года) after a year.
FILLER = {"st", "nd", "rd", "th", "s", "of", "the", "r", "roku", "г", "года", "год"}
SEASONS = {"spring", "summer", "autumn", "fall", "winter"}
# What may stand between the two ends of a span, in the order they are tried:
# "5–30 July 1941", "July to August 1941", "between 1939 and 1941", "1939 - 1941".
SEPARATORS = ("–", "—", " to ", " until ", " till ", " and ", " - ", "-")

_WORD = re.compile(r"[^\W\d_]+")
_QUALIFIER = re.compile(r"^([^\W\d_]+)(?:\.\s*|\s+)")
_DAY_FIRST = re.compile(r"(\d{1,2})[./-](\d{1,2})[./-](\d{4})")
_YEAR_FIRST = re.compile(r"(\d{4})[./-](\d{1,2})(?:[./-](\d{1,2}))?")
_MONTH_YEAR = re.compile(r"(\d{1,2})[./](\d{4})")


def suggest(text: str) -> str | None:
    """The EDTF that ``text`` most likely means, or None when it is not clear.

    Not checked against the archive's rules (a day the calendar does not have,
    an interval that ends before it starts): the caller parses it.
    """
    text = _in_english(text.strip().lower())
    qualifier = ""
    while match := _QUALIFIER.match(text):
        word = match.group(1)
        if word in APPROXIMATE:
            qualifier += "~"
        elif word in UNCERTAIN:
            qualifier += "?"
        else:
            break
        text = text[match.end() :]
    if text.endswith("?"):
        qualifier += "?"
        text = text[:-1].rstrip()
    qualifier = "%" if {"~", "?"} <= set(qualifier) else qualifier[:1]

    ends = _span(text)
    if ends is None:
        return None
    return "/".join(end + qualifier for end in ends)


def _span(text: str) -> list[str] | None:
    """One date, or the two ends of a span, as EDTF without qualifiers."""
    single = _date(text)
    if single is not None:
        return [single]
    text = re.sub(r"^(between|from)\s+", "", text)
    for separator in SEPARATORS:
        parts = text.split(separator)
        if len(parts) != 2:
            continue
        start, end = (part.strip(" ,") for part in parts)
        last = _date(end)
        if last is None:
            continue
        first = _start(start, last)
        if first is not None:
            return [first, last]
    return None


def _start(text: str, end: str) -> str | None:
    """The first end of a span, what it leaves out taken from the last: "5" of
    "5–30 July 1941" is 5 July 1941, "July" of "July–August 1941" is July 1941."""
    if re.fullmatch(r"\d{1,2}", text) and len(end) == 10:
        return f"{end[:8]}{int(text):02d}"
    if re.search(r"\d{4}", text) is None:
        return _date(f"{text} {end[:4]}")
    return _date(text)


def _date(text: str) -> str | None:
    """One date without qualifiers, as EDTF, or None."""
    if match := _DAY_FIRST.fullmatch(text):
        day, month, year = match.groups()
        return f"{year}-{int(month):02d}-{int(day):02d}"
    if match := _YEAR_FIRST.fullmatch(text):
        year, month, day = match.groups()
        return f"{year}-{int(month):02d}" + (f"-{int(day):02d}" if day else "")
    if match := _MONTH_YEAR.fullmatch(text):
        month, year = match.groups()
        return f"{year}-{int(month):02d}"
    if not set(_WORD.findall(text)) <= _date_words():
        return None
    found = text_to_edtf_date(text)
    if not found or not _numbers_kept(text, found):
        return None
    return found


def _numbers_kept(text: str, found: str) -> bool:
    """Every number of ``text`` is a part of ``found``, and its year is one of them.

    An X stands for any digit: "1940s" is 194X.
    """
    parts = found.split("-")
    numbers = re.findall(r"\d+", text)

    def matches(part: str, number: str) -> bool:
        return re.fullmatch(part.replace("X", r"\d"), number.zfill(len(part))) is not None

    year_given = any(matches(parts[0], number) for number in numbers)
    return year_given and all(any(matches(p, n) for p in parts) for n in numbers)


@functools.cache
def _date_words() -> frozenset[str]:
    months = {name.lower() for name in (*calendar.month_name, *calendar.month_abbr) if name}
    return frozenset(months | {"sept"} | SEASONS | FILLER)


@functools.cache
def _foreign_months() -> dict[str, str]:
    """{a month's name in one of LANGUAGES, lower case: its English name}."""
    names = {}
    for language in LANGUAGES:
        with translation.override(language):
            for number in range(1, 13):
                for form in (MONTHS, MONTHS_ALT):
                    names[str(form[number]).lower()] = calendar.month_name[number].lower()
    return names


def _in_english(text: str) -> str:
    months = _foreign_months()
    return _WORD.sub(lambda word: months.get(word.group(), word.group()), text)
