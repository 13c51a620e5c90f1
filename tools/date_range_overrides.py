"""What each part of archive/date_ranges.py gains, measured alone in one run.

A date range's page and its ``totalCount`` are run through the schema as
shipped, and with one part at a time put back to what Django does out of the
box:

* ``page by arms``: ``DateRangeQuerySet._fetch_all`` reading a date-ordered
  page from the first ``offset + limit`` rows of each arm (off: Django's
  ``QuerySet._fetch_all``, one query over the whole OR);
* ``count by arms``: ``DateRangeQuerySet.count_by_arms``, one ``UNION ALL`` of
  the arms' counts (off: ``QuerySet.count``).

The queries: the benchmark's events in July–August 1941 (a page of 20), the
documents of 1939–1945 (a page of 20 at offsets 0 and 200), and the
``totalCount`` of both, counted every time (``COUNT_CACHE`` off). The variants
take turns run by run, ``--repeat`` runs each, ``--rounds`` times over the
queries, so that a noisy moment weighs on each alike; each figure is the median
of every timed run. The ratio is the variant's median over the shipped one's:
1.25 means the part saves 20 % of the query's time. Run it on a generated archive::

    DATABASE_URL=sqlite:////tmp/archive-10k.sqlite3 \\
        .venv/bin/python -m tools.date_range_overrides [--repeat 20] [--rounds 3]
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand
from django.db import models
from django.test import override_settings

from tools import command_line

EVENTS = {"from": "1941-07-01", "to": "1941-08-31"}
DOCUMENTS = {"from": "1939-01-01", "to": "1945-12-31"}
PAGE = """
query ($from: Date!, $to: Date!, $offset: Int!) {
  %s(
    filters: {dateFrom: $from, dateTo: $to}
    ordering: [{date: ASC}, {slug: ASC}]
    pagination: {offset: $offset, limit: 20}
  ) { results { slug date { edtf display earliest latest } } }
}
"""
COUNT = """
query ($from: Date!, $to: Date!) {
  %s(filters: {dateFrom: $from, dateTo: $to}) { totalCount }
}
"""
QUERIES = {
    "events in range, page": (PAGE % "events", EVENTS | {"offset": 0}),
    "documents 1939–1945, page 1": (PAGE % "documents", DOCUMENTS | {"offset": 0}),
    "documents 1939–1945, offset 200": (PAGE % "documents", DOCUMENTS | {"offset": 200}),
    "events in range, totalCount": (COUNT % "events", EVENTS),
    "documents 1939–1945, totalCount": (COUNT % "documents", DOCUMENTS),
}


def variants() -> dict[str, dict]:
    """The queryset's methods for each variant (``shipped`` first)."""
    from archive import date_ranges

    shipped = {
        "_fetch_all": date_ranges.DateRangeQuerySet._fetch_all,
        "count_by_arms": date_ranges.DateRangeQuerySet.count_by_arms,
    }
    return {
        "shipped": shipped,
        "page by arms off": shipped | {"_fetch_all": models.QuerySet._fetch_all},
        "count by arms off": shipped | {"count_by_arms": lambda self: None},
    }


def run(query: str, variables: dict) -> dict:
    from archive.graphql.schema import schema

    result = schema.execute_sync(query, variable_values=variables)
    if result.errors:
        raise RuntimeError(result.errors[0].message)
    return result.data


def use(variant: dict) -> None:
    from archive import date_ranges

    for attribute, value in variant.items():
        setattr(date_ranges.DateRangeQuerySet, attribute, value)


class Command(BaseCommand):
    help = __doc__.split("\n")[0]

    def add_arguments(self, parser):
        parser.add_argument("--repeat", type=int, default=20, help="Timed runs per round.")
        parser.add_argument("--rounds", type=int, default=3)

    # A totalCount is counted on every run, not remembered.
    @override_settings(COUNT_CACHE=False)
    def handle(self, *args, repeat, rounds, **options):

        all_variants = variants()
        timings = {(case, name): [] for case in QUERIES for name in all_variants}
        answers = {}
        try:
            for _ in range(rounds):
                for case, (query, variables) in QUERIES.items():
                    for name, variant in all_variants.items():
                        use(variant)
                        # Every variant answers exactly the same.
                        assert answers.setdefault(case, run(query, variables)) == run(
                            query, variables
                        ), (case, name)
                    for _ in range(repeat):
                        for name, variant in all_variants.items():
                            use(variant)
                            started = time.perf_counter()
                            run(query, variables)
                            timings[case, name].append((time.perf_counter() - started) * 1000)
        finally:
            use(all_variants["shipped"])
        lines = command_line.ratio_table(timings, list(QUERIES), list(all_variants), rounds, repeat)
        self.stdout.write("\n".join(lines))


if __name__ == "__main__":
    command_line.measuring_as_in_production("benchmark")
    command_line.run(Command, "tools.date_range_overrides")
