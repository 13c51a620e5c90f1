"""Where this project changes Django's own behaviour, and why. One fix so far.

**A one-column ``TupleIn`` is a plain ``IN``.** Since Django 5.2 (ticket
#36116), prefetching a forward foreign key, what the GraphQL optimizer does
for every link it fetches (``signatory.person``, ``party.state``), filters
the related table with ``TupleIn`` even when the key is one column. On
SQLite, which Django says has no tuple lookups, that becomes
``id = %s OR id = %s OR …``, one term per record: SQLite refuses a chain of
over 1,000 terms ("Expression tree is too large (maximum depth 1000)"), so
a page whose records link to more than 1,000 others between them would
fail, and a shorter chain is still slow to build and to run
(docs/performance.md, "Links fetched by id"). On PostgreSQL it is
``(id) IN ((%s), (%s), …)``. Here a one-column ``TupleIn`` with values
compiles as ``In``: ``id IN (%s, %s, …)``, as Django 5.1 wrote it, on every
database. Composite keys, subqueries and expressions keep Django's
code. Tests: tests/test_django_fixes.py.
"""

from __future__ import annotations

from django.db.models.fields.tuple_lookups import TupleIn
from django.db.models.lookups import In

from archive.library_versions import require

require("Django", "5.2.19", "archive/django_fixes.py replaces Django's TupleIn.as_sql")

_tuple_in_as_sql = TupleIn.as_sql


def _one_column_tuple_in_as_sql(self, compiler, connection):
    if len(self.lhs) == 1 and self.rhs_is_direct_value():
        (column,) = self.lhs
        return In(column, [values[0] for values in self.rhs]).as_sql(compiler, connection)
    return _tuple_in_as_sql(self, compiler, connection)


def install() -> None:
    TupleIn.as_sql = _one_column_tuple_in_as_sql
