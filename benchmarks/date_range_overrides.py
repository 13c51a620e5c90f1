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
of every timed run. The ratio is the
variant's median over the shipped one's: 1.25 means the part saves 20 % of the
query's time. Run it on a generated archive::

    DATABASE_URL=sqlite:////tmp/archive-10k.sqlite3 \\
        .venv/bin/python benchmarks/date_range_overrides.py [--repeat 20] [--rounds 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")
os.environ.pop("DJANGO_DEBUG", None)
os.environ.setdefault("DJANGO_SECRET_KEY", "benchmark-" + "x" * 50)
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "localhost")
os.environ["COUNT_CACHE"] = "0"  # a totalCount is counted on every run

import django  # noqa: E402

django.setup()

from django.db import connection, models  # noqa: E402

from archive import date_ranges  # noqa: E402
from archive.graphql.schema import schema  # noqa: E402
from archive.models import Document  # noqa: E402

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
SHIPPED = {
    "_fetch_all": date_ranges.DateRangeQuerySet._fetch_all,
    "count_by_arms": date_ranges.DateRangeQuerySet.count_by_arms,
}
VARIANTS = {
    "shipped": SHIPPED,
    "page by arms off": SHIPPED | {"_fetch_all": models.QuerySet._fetch_all},
    "count by arms off": SHIPPED | {"count_by_arms": lambda self: None},
}


def run(query: str, variables: dict) -> dict:
    result = schema.execute_sync(query, variable_values=variables)
    if result.errors:
        raise RuntimeError(result.errors[0].message)
    return result.data


def use(variant: dict) -> None:
    for attribute, value in variant.items():
        setattr(date_ranges.DateRangeQuerySet, attribute, value)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=20, help="Timed runs per round.")
    parser.add_argument("--rounds", type=int, default=3)
    options = parser.parse_args()
    timings = {(case, name): [] for case in QUERIES for name in VARIANTS}
    answers = {}
    try:
        for _ in range(options.rounds):
            for case, (query, variables) in QUERIES.items():
                for name, variant in VARIANTS.items():
                    use(variant)
                    # Every variant answers exactly the same.
                    assert answers.setdefault(case, run(query, variables)) == run(
                        query, variables
                    ), (case, name)
                for _ in range(options.repeat):
                    for name, variant in VARIANTS.items():
                        use(variant)
                        started = time.perf_counter()
                        run(query, variables)
                        timings[case, name].append((time.perf_counter() - started) * 1000)
    finally:
        use(SHIPPED)
    names = list(VARIANTS)
    print(
        f"{Document.objects.count():,} documents on {connection.vendor}, "
        f"{options.rounds} rounds of {options.repeat} runs; median ms (ratio to shipped)\n"
    )
    print("| query | " + " | ".join(names) + " |")
    print("|---|" + "---:|" * len(names))
    for case in QUERIES:
        shipped = statistics.median(timings[case, "shipped"])
        cells = [f"{shipped:.2f}"]
        for name in names[1:]:
            median = statistics.median(timings[case, name])
            cells.append(f"{median:.2f} ({median / shipped:.2f})")
        print(f"| {case} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
