"""Text matching: the one place that decides when two spellings are the same.

Names in this archive come in many spellings: "Władysław Sikorski" and
"wladyslaw sikorski", "U.S.S.R." and "USSR", "Szyszko-Bohusz" and
"szyszko bohusz". Every record keeps a ``search_text`` column holding the
normalised form of its names, name forms, titles and summaries; a query is
normalised the same way and matched word by word against it. Both sides go
through :func:`normalize`, so the admin search, the API filters and ``search``
agree by construction.
"""

from __future__ import annotations

import re
import unicodedata

# Letters that Unicode does not decompose into a base letter and an accent.
_FOLD = str.maketrans(
    {
        "ł": "l",
        "ø": "o",
        "đ": "d",
        "ð": "d",
        "ħ": "h",
        "ı": "i",
        "ŀ": "l",
        "ß": "ss",
        "æ": "ae",
        "œ": "oe",
        "þ": "th",
    }
)
# Marks inside abbreviations and names vanish: "U.S.S.R." is "ussr",
# "O'Brien" is "obrien".
_JOINERS = re.compile(r"[.'’ʼ`´]")
# Everything else that is not a letter or a digit separates words:
# "Szyszko-Bohusz" is "szyszko bohusz", "Sikorski–Mayski" two words.
_SEPARATORS = re.compile(r"[\W_]+")


def normalize(text: str) -> str:
    """Lower-case, unaccented, punctuation-free words separated by single spaces."""
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.translate(_FOLD)
    text = _JOINERS.sub("", text)
    return _SEPARATORS.sub(" ", text).strip()


def words(text: str) -> list[str]:
    """The distinct normalised words of a query, in order."""
    return list(dict.fromkeys(normalize(text).split()))


def document_text(*parts: str | None) -> str:
    """The stored ``search_text`` of a record: its texts normalised and joined.

    Wrapped in spaces so that a whole word can be matched as `` word ``.
    """
    joined = " ".join(normalize(part) for part in parts if part)
    return f" {joined} " if joined else ""


def names_text(*names: str | None) -> str:
    """The stored ``name_text``: each name normalised, between bars.

    "| ivan maisky | ivan mayski |": a query equal to one whole name is
    found as "| <query> |", a word that begins a name word as " <word>".
    """
    forms = [normalize(name) for name in names if name]
    forms = [form for form in dict.fromkeys(forms) if form]
    return f"| {' | '.join(forms)} |" if forms else ""


def filter_text(queryset, text: str):
    """Records whose names, name forms, titles or summaries contain every word.

    Each query word must begin a word of the record's ``search_text``:
    "mays" finds "Mayski", "wladyslaw sikorski" finds "Władysław Sikorski".
    """
    for word in words(text):
        queryset = queryset.filter(search_text__contains=f" {word}")
    return queryset
