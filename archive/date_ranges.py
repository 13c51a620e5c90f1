"""Records in a date range, counted and paged in date order one span class at a time.

A range with both ends is a ``date_queries.Overlaps`` condition: an OR of arms, one
per span class, that never find the same record. A database answers an OR by
gathering every match, then counts them, or sorts them all to keep a page:
work that grows with the archive (docs/performance.md, "A date range"). But each arm alone is one
range of the (span, earliest, latest, slug) index, in date order. So a
queryset whose filter holds every record to a range:

* counts the arms one by one in one statement (``UNION ALL``): index ranges
  counted, no set of row ids built to merge them;
* reads a page ``[offset:offset + limit]`` in date order from the first
  ``offset + limit`` records of each arm, read off the index in order (the
  page's records are among them, whatever the other filters), then orders
  those few.

The answers are those of the plain query (``tests/test_date_ranges.py``
compares them); only the work differs. Whatever the shortcut was not worked
out for takes the plain query: a range ORed or negated, another order, a
``values()`` or grouped query, DISTINCT, a deep page.

Each part is measured alone, against Django's own ``count()`` and
``_fetch_all()``, by tools/date_range_overrides.py (docs/performance.md,
"A date range"). Both read Django's private query internals (the WHERE tree,
the alias refcounts, the slice marks, the compiler), and the page overrides
``QuerySet._fetch_all``: this module refuses to load with another Django than
the one it requires (:mod:`archive.library_versions`, pinned exactly in
pyproject.toml). After an upgrade, check it
against the new ``Query`` and ``QuerySet``, run tests/test_date_ranges.py and
the measurement, then change both.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import EmptyResultSet, FullResultSet
from django.db import connections, models
from django.db.models import F, Q
from django.db.models.expressions import OrderBy, RawSQL
from django.db.models.lookups import Exact
from django.db.models.sql import Query
from django.db.models.sql.where import AND, WhereNode

from archive import date_queries
from archive.library_versions import require

require(
    "Django",
    "5.2.19",
    "archive/date_ranges.py reads Django's private Query internals and overrides "
    "QuerySet._fetch_all",
)

# A page ending past this many records reads offset + limit records of each
# arm; one sort of all the matches is cheaper by then.
DEEPEST_PAGE_END = 1000


@dataclass(frozen=True, slots=True)
class Range:
    """The range every record of a query is held to: its condition, and where it
    is in the WHERE tree (the index of each child to descend to)."""

    path: tuple[int, ...]
    overlaps: date_queries.Overlaps


class DateRangeQuerySet(models.QuerySet):
    """A queryset that counts and pages its date range by arm (the base of
    ``models.base.RecordQuerySet``, which decides when a count is counted)."""

    _page_found = False  # the page read by arms: a plain query, no range left in it

    def count_by_arms(self) -> int | None:
        """The number of records, counted arm by arm; None where the arms would
        not add up to this queryset (the plain count then)."""
        found = self._range()
        arms = found and self._arms(found)
        if arms is None:
            return None
        selects = [arms.select(arm) for arm in range(len(date_queries.ARM_BOUNDS))]
        sql, params = arms.union(selects)
        with connections[self.db].cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM ({sql}) arms", params)
            return cursor.fetchone()[0]

    def _fetch_all(self):
        if self._page_found or self._result_cache is not None:
            return super()._fetch_all()
        if (page := self._page_by_arms()) is not None:
            page._fetch_all()
            self._result_cache = page._result_cache
            self._prefetch_done = page._prefetch_done
        super()._fetch_all()

    def _range(self) -> Range | None:
        """The range every record is held to; None where the arms of a range
        would not add up to this queryset. Reads the query, copies nothing."""
        if self._fields is not None:  # values(): rows of a GROUP BY, or of a subquery
            return None
        query = self.query
        if query.combinator or query.distinct or query.group_by is not None:
            return None
        path = _range_path(query.where)
        if path is None:
            return None
        node = query.where
        for index in path[:-1]:
            node = node.children[index]
        overlaps = node.children[path[-1]].lhs
        if overlaps.columns[0].alias != query.base_table:
            return None
        if any(count for alias, count in query.alias_refcount.items() if alias != query.base_table):
            return None  # a filter through a join: the arms read one table
        return Range(tuple(path), overlaps)

    def _arms(self, found: Range) -> Arms | None:
        """This query's arms: a copy without the range, its other conditions compiled."""
        base = self.query.clone()  # its WHERE tree too: the range is taken out of the copy
        base.clear_limits()
        node = base.where
        for index in found.path[:-1]:
            node = node.children[index]
        del node.children[found.path[-1]]
        try:
            return Arms(base, found.overlaps, self.db)
        except (EmptyResultSet, FullResultSet):
            return None  # nothing or everything else: the plain query says it as well

    def _page_by_arms(self) -> DateRangeQuerySet | None:
        """The page this queryset slices, found among the first records of each arm."""
        query = self.query
        if not query.is_sliced or query.high_mark is None or query.high_mark > DEEPEST_PAGE_END:
            return None
        if not query.standard_ordering or len(query.order_by) < 4:
            return None
        found = self._range()
        if found is None:
            return None
        field, order = found.overlaps.date_field, list(query.order_by)
        for descending in (False, True):
            if order[:4] == date_queries.chronological(field, descending=descending):
                break
        else:
            return None
        arms = self._arms(found)
        if arms is None:
            return None
        firsts, orders = [], {}
        for arm, bounds in enumerate(date_queries.ARM_BOUNDS):
            if bounds not in orders:  # arms whose dates have the same bounds share an order
                keys = [*date_queries.arm_order(arm, field, descending=descending), *order[4:]]
                orders[bounds] = arms.order_by(keys)
            if orders[bounds] is None:
                return None
            firsts.append(arms.select(arm, orders[bounds], query.high_mark))
        page = self._chain()
        page.query = arms.base
        page.query.add_q(Q(pk__in=RawSQL(*arms.union(firsts))))
        page.query.set_limits(query.low_mark, query.high_mark)
        page._page_found = True
        return page


class Arms:
    """The SELECTs of the arms of a range: the query's other conditions, compiled
    once, with each arm's condition, order and limit written around them."""

    def __init__(self, base: Query, overlaps: date_queries.Overlaps, using: str):
        self.base = base
        self.compiler = base.get_compiler(using)
        self.where, self.where_params = self.compiler.compile(base.where)
        self.arm_conditions = overlaps.arms(self.compiler, self.compiler.connection)
        quote = self.compiler.quote_name_unless_alias
        self.table = quote(base.base_table)
        self.pk = f"{self.table}.{quote(base.model._meta.pk.column)}"

    def select(self, arm: int, order_by=None, limit: int | None = None) -> tuple[str, list]:
        """SELECT the pk of the records of one arm (``order_by``: compiled by
        :meth:`order_by`; the first ``limit``)."""
        condition, params = self.arm_conditions[arm]
        sql = f"SELECT {self.pk} FROM {self.table} WHERE ({condition})"
        if self.where:
            sql += f" AND ({self.where})"
        params = [*params, *self.where_params]
        if order_by is not None:
            sql += f" ORDER BY {order_by[0]}"
            params += order_by[1]
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return sql, params

    def order_by(self, order: list) -> tuple[str, list] | None:
        """``order`` (OrderBy expressions, or names of this table's columns) as an
        ORDER BY clause; None for anything else (a related field, random…)."""
        keys, params = [], []
        for key in order:
            if isinstance(key, str) and key.lstrip("-").isidentifier() and "__" not in key:
                key = F(key[1:]).desc() if key.startswith("-") else F(key).asc()
            if not isinstance(key, OrderBy):
                return None
            key_sql, key_params = self.compiler.compile(key.resolve_expression(self.base))
            keys.append(key_sql)
            params += key_params
        return ", ".join(keys), params

    @staticmethod
    def union(selects: list[tuple[str, list]]) -> tuple[str, list]:
        # Each in a subquery of its own: SQLite refuses ORDER BY and LIMIT in the
        # arms of a bare UNION.
        sql = " UNION ALL ".join(f"SELECT * FROM ({select}) arm" for select, _ in selects)
        return sql, [param for _, params in selects for param in params]


def _range_path(where: WhereNode) -> list[int] | None:
    """Where in ``where`` the first ``Overlaps`` condition ANDed to the rest is: the
    index of each child to descend to; None if there is none."""
    if where.connector != AND or where.negated:
        return None
    for index, child in enumerate(where.children):
        if isinstance(child, WhereNode):
            if (path := _range_path(child)) is not None:
                return [index, *path]
        elif (
            isinstance(child, Exact)
            and isinstance(child.lhs, date_queries.Overlaps)
            and child.rhs is True
        ):
            return [index]
    return None
