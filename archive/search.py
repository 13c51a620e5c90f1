"""Text matching: the one place that decides when two spellings are the same.

Names in this archive come in many spellings: "Władysław Sikorski" and
"wladyslaw sikorski", "U.S.S.R." and "USSR", "Szyszko-Bohusz" and
"szyszko bohusz", "Maisky" and "Mayski". Every record keeps a ``search_text``
column holding the matching keys (:func:`key`) of its names, name forms,
titles and summaries, and a ``name_text`` of its names alone for
ranking; a query is keyed the same way and matched word by word against them.
Both sides go through :func:`key`, so the admin search, the API filters and
``search`` agree by construction.
"""

from __future__ import annotations

import re
import unicodedata

from django.conf import settings
from django.db import connection
from django.db.models import Case, FloatField, Q, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import Length

from archive import search_index

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


# Letters that transliterations of one name use interchangeably: Maisky,
# Mayski, Majski; Iwan, Ivan; Władysław, Vladislav. Matching keys fold them
# (on both sides, so nothing is lost but a distinction searches should ignore).
_TRANSLITERATION = str.maketrans({"y": "i", "j": "i", "w": "v"})


def key(text: str) -> str:
    """The matching key of a text: :func:`normalize`, then transliteration folded."""
    return normalize(text).translate(_TRANSLITERATION)


# The most a text to find may hold. Every word is one more condition for the
# database to test on every candidate (a trigram LIKE on PostgreSQL, an FTS
# term on SQLite, which fails with "Expression tree is too large" near 4,000),
# so the words are bounded; 20 words and 200 characters hold any name and the
# longest official title of the demo archive (12 words, 85 characters) with room.
def words(text: str) -> list[str]:
    """The distinct matching keys of a query's words, in order (at most
    ``settings.GRAPHQL_MAX_TEXT_WORDS``).

    The API refuses a longer text (:func:`too_long`); other callers (the
    admin's search box) search its first words.
    """
    return list(dict.fromkeys(key(text).split()))[: settings.GRAPHQL_MAX_TEXT_WORDS]


def too_long(text: str) -> str | None:
    """Why ``text`` is too long to search for, or None."""
    most_words, most_characters = (
        settings.GRAPHQL_MAX_TEXT_WORDS,
        settings.GRAPHQL_MAX_TEXT_CHARACTERS,
    )
    if len(text) > most_characters:
        return (
            f"Text too long: {len(text):,} characters; a text to find holds at most "
            f"{most_characters} characters and {most_words} words."
        )
    count = len(dict.fromkeys(key(text).split()))
    if count > most_words:
        return (
            f"Text too long: {count} words; a text to find holds at most {most_words} "
            f"words and {most_characters} characters."
        )
    return None


def document_text(*parts: str | None) -> str:
    """The stored ``search_text`` of a record: its texts normalised and joined.

    Wrapped in spaces so that a whole word can be matched as `` word ``.
    """
    joined = " ".join(key(part) for part in parts if part)
    return f" {joined} " if joined else ""


def names_text(*names: str | None) -> str:
    """The stored ``name_text``: each name normalised, between bars.

    "| ivan maisky | ivan mayski |": a query equal to one whole name is
    found as "| <query> |", a word that begins a name word as " <word>".
    """
    forms = [key(name) for name in names if name]
    forms = [form for form in dict.fromkeys(forms) if form]
    return f"| {' | '.join(forms)} |" if forms else ""


def text_q(model, text: str, prefix: str = "") -> Q:
    """Records of ``model`` whose names, name forms, titles, summaries… contain every word.

    Each query word must begin a word of the record's ``search_text``:
    "mays" finds "Mayski", "wladyslaw sikorski" finds "Władysław Sikorski".
    The database answers from its own index (:mod:`archive.search_index`).
    Blank text asks for nothing (every record); text without a word to find
    ("%", "*", "--") finds nothing: punctuation is never a pattern.
    """
    query_words = words(text)
    if not query_words:
        return Q() if not text.strip() else Q(**{f"{prefix}pk__in": []})
    if connection.vendor == "sqlite" and model._meta.db_table in search_index.TABLES:
        fts = search_index.fts_table(model._meta.db_table)
        matching = RawSQL(
            f"SELECT rowid FROM {fts} WHERE {fts} MATCH %s",  # noqa: S608 - table names are ours
            [search_index.sqlite_match(query_words)],
        )
        return Q(**{f"{prefix}pk__in": matching})
    condition = Q()
    for word in query_words:
        condition &= Q(**{f"{prefix}search_text__contains": f" {word}"})
    return condition


def filter_text(queryset, text: str):
    return queryset.filter(text_q(queryset.model, text))


# Ranking: the query is a whole name or name form; a name begins with it; every
# word is in the names; the words are elsewhere (a summary). Ties go to the
# record with the shorter names, then alphabetically.
EXACT_NAME, NAME_START, IN_NAMES, ELSEWHERE = 4.0, 3.0, 2.0, 1.0


def ranked(querysets, text: str, limit: int) -> list[tuple[float, object]]:
    """The best ``limit`` records of ``querysets`` for ``text``, best first.

    One query per queryset (each a record type, already restricted to what
    the caller may see).
    """
    query_words = words(text)
    if not query_words or limit <= 0:
        return []
    phrase = " ".join(query_words)
    in_names = Q()
    for word in query_words:
        in_names &= Q(name_text__contains=f" {word}")
    hits = []
    for queryset in querysets:
        scored = (
            queryset.filter(text_q(queryset.model, text))
            .annotate(
                score=Case(
                    When(name_text__contains=f"| {phrase} |", then=Value(EXACT_NAME)),
                    When(name_text__contains=f"| {phrase}", then=Value(NAME_START)),
                    When(in_names, then=Value(IN_NAMES)),
                    default=Value(ELSEWHERE),
                    output_field=FloatField(),
                ),
                name_length=Length("name_text"),
            )
            .order_by("-score", "name_length", "name_text", "pk")[:limit]
        )
        hits += [(record.score, record.name_length, record.name_text, record) for record in scored]
    hits.sort(key=lambda hit: (-hit[0], hit[1], hit[2]))
    return [(score, record) for score, _, _, record in hits[:limit]]
