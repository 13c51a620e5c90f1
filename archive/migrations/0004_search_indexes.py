"""The indexes behind text search (see ``archive.search_index``), one kind per database.

* PostgreSQL: trigram GIN indexes (``pg_trgm``) on ``search_text`` and ``name_text``;
* SQLite: an FTS5 table per record table, kept in step by triggers.

The statements are frozen here (a migration imports no live code).
"""

from django.db import migrations

TABLES = ("archive_document", "archive_person", "archive_state", "archive_event", "archive_place")


def fts_table(table: str) -> str:
    return f"{table}_fts"


def postgresql_statements() -> list[str]:
    statements = ["CREATE EXTENSION IF NOT EXISTS pg_trgm"]
    for table in TABLES:
        statements += [
            f"CREATE INDEX IF NOT EXISTS {table}_search_trgm ON {table} "
            "USING gin (search_text gin_trgm_ops)",
            f"CREATE INDEX IF NOT EXISTS {table}_name_trgm ON {table} "
            "USING gin (name_text gin_trgm_ops)",
        ]
    return statements


def sqlite_statements() -> list[str]:
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


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for statement in (postgresql_statements() if vendor == "postgresql" else []) + (
        sqlite_statements() if vendor == "sqlite" else []
    ):
        schema_editor.execute(statement)


def drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table in TABLES:
        if vendor == "postgresql":
            schema_editor.execute(f"DROP INDEX IF EXISTS {table}_search_trgm")
            schema_editor.execute(f"DROP INDEX IF EXISTS {table}_name_trgm")
        elif vendor == "sqlite":
            for suffix in ("ai", "ad", "au"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {fts_table(table)}_{suffix}")
            schema_editor.execute(f"DROP TABLE IF EXISTS {fts_table(table)}")


class Migration(migrations.Migration):
    dependencies = [("archive", "0003_name_text")]

    operations = [migrations.RunPython(create, drop)]
