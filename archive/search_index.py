"""The database indexes behind text search, one kind per database.

Matching (:mod:`archive.search`) is a word-prefix match of the query's keys
against each record's stored ``search_text``. A plain ``LIKE '% word%'``
reads every row; here each database gets an index that answers the same
question, so the same queries give the same hits on both:

* PostgreSQL: a trigram GIN index (``pg_trgm``) on ``search_text`` and
  ``name_text``, which serves those ``LIKE`` patterns as they are;
* SQLite: an FTS5 table per record table, kept in step by triggers, queried
  with prefix terms (``"word"*``), which match the same word beginnings.

The text is normalised before it is stored (:func:`archive.search.key`), so
neither index needs its own accent or case folding. Migration 0004 creates
the indexes for :data:`TABLES`; a table added here needs a migration of its own.
"""

from __future__ import annotations

TABLES = ("archive_document", "archive_person", "archive_state", "archive_event", "archive_place")


def fts_table(table: str) -> str:
    return f"{table}_fts"


def sqlite_match(words: list[str]) -> str:
    """An FTS5 query: every word as the beginning of a word, in any order."""
    return " AND ".join(f'"{word}"*' for word in words)
