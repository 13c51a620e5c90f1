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
neither index needs its own accent or case folding.
"""

from __future__ import annotations

TABLES = ("archive_document", "archive_person", "archive_state", "archive_event", "archive_place")


def fts_table(table: str) -> str:
    return f"{table}_fts"


def create(schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    for statement in (_postgresql() if vendor == "postgresql" else []) + (
        _sqlite() if vendor == "sqlite" else []
    ):
        schema_editor.execute(statement)


def drop(schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    for table in TABLES:
        if vendor == "postgresql":
            schema_editor.execute(f"DROP INDEX IF EXISTS {table}_search_trgm")
            schema_editor.execute(f"DROP INDEX IF EXISTS {table}_name_trgm")
        elif vendor == "sqlite":
            for suffix in ("ai", "ad", "au"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {fts_table(table)}_{suffix}")
            schema_editor.execute(f"DROP TABLE IF EXISTS {fts_table(table)}")


def _postgresql() -> list[str]:
    statements = ["CREATE EXTENSION IF NOT EXISTS pg_trgm"]
    for table in TABLES:
        statements += [
            f"CREATE INDEX IF NOT EXISTS {table}_search_trgm ON {table} "
            "USING gin (search_text gin_trgm_ops)",
            f"CREATE INDEX IF NOT EXISTS {table}_name_trgm ON {table} "
            "USING gin (name_text gin_trgm_ops)",
        ]
    return statements


def _sqlite() -> list[str]:
    statements = []
    for table in TABLES:
        fts = fts_table(table)
        statements += [
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {fts} USING fts5("
            f"search_text, content='{table}', content_rowid='id')",
            f"CREATE TRIGGER IF NOT EXISTS {fts}_ai AFTER INSERT ON {table} BEGIN "
            f"INSERT INTO {fts}(rowid, search_text) VALUES (new.id, new.search_text); END",
            f"CREATE TRIGGER IF NOT EXISTS {fts}_ad AFTER DELETE ON {table} BEGIN "
            f"INSERT INTO {fts}({fts}, rowid, search_text) "
            f"VALUES ('delete', old.id, old.search_text); END",
            f"CREATE TRIGGER IF NOT EXISTS {fts}_au AFTER UPDATE OF search_text ON {table} BEGIN "
            f"INSERT INTO {fts}({fts}, rowid, search_text) "
            f"VALUES ('delete', old.id, old.search_text); "
            f"INSERT INTO {fts}(rowid, search_text) VALUES (new.id, new.search_text); END",
            f"INSERT INTO {fts}({fts}) VALUES ('rebuild')",
        ]
    return statements


def sqlite_match(words: list[str]) -> str:
    """An FTS5 query: every word as the beginning of a word, in any order."""
    return " AND ".join(f'"{word}"*' for word in words)
