"""Writing rows straight into a model's table, past the ORM: the generator's
synthetic archive and a restored backup.

One statement per batch: ``COPY`` on PostgreSQL, ``executemany`` on SQLite.
No model is instantiated, no signal sent, no version written: the callers
write the versions themselves (the generator) or restore them as they were
(a backup), and advance the data version.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection, models

# Internal types whose Python (and JSON) values go to the database as they are;
# every other field's values are prepared by the field, as the ORM would.
PLAIN_TYPES = {
    "AutoField",
    "BigAutoField",
    "BigIntegerField",
    "BooleanField",
    "CharField",
    "IntegerField",
    "PositiveBigIntegerField",
    "PositiveIntegerField",
    "PositiveSmallIntegerField",
    "SlugField",
    "SmallAutoField",
    "SmallIntegerField",
    "TextField",
}


def is_plain(field: models.Field) -> bool:
    """Whether the field's values go to the database as they are (a link: its target's)."""
    return (field.target_field if field.is_relation else field).get_internal_type() in PLAIN_TYPES


def insert(model: type[models.Model], fields: Sequence[models.Field], rows: Sequence[list]) -> None:
    """Insert ``rows`` (lists of database values, in the order of ``fields``) into the table.

    ``COPY`` goes to psycopg's own cursor: Django's error wrapping is added
    back, so that a refused row is a ``DatabaseError`` like any other.
    """
    if not rows:
        return
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = ", ".join(quote(f.column) for f in fields)
    with connection.cursor() as cursor, connection.wrap_database_errors:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            placeholders = ", ".join(["%s"] * len(fields))
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", rows)
