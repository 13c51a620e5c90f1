"""How long the costliest queries the budget admits take: the measure behind MAX_COST.

For each shape of costly query (big pages, nested pages, aliases, histories,
texts to find, ``search``, ``asOf``…) it takes the largest instance whose cost
(``archive.graphql.limits.query_cost``) is within the budget, runs it through
the schema in this process with production settings (``DEBUG`` off, counts
not remembered: the first request after a write pays for its count), and
prints its cost, its time (best and worst of ``--runs``), the CPU time of
this process (the best run: on SQLite, which runs in the process, it is the
time on an idle machine, however busy the machine is), its answer's size and
the CPU time per unit of cost. Run it on a generated archive::

    DATABASE_URL=sqlite:////tmp/archive-100k.sqlite3 \\
        .venv/bin/python -m tools.cost_calibration [--budget N] [--runs 3]

Every admitted query should finish well under a second; the µs per unit
column says which weight of ``limits.py`` is too low (a high figure) or too
high (a low one). ``--budget`` tries another budget; ``--only`` some shapes.
"""

from __future__ import annotations

import json
import time

from django.core.management.base import BaseCommand
from django.test import override_settings
from graphql import parse

from tools import command_line

WORDS = "soviet union treaty agreement poland germany pact protocol war peace"
DOC = "slug title officialTitle kind summary date { edtf display earliest latest }"


def shapes(slugs: dict) -> dict:
    """Each shape: a function of a size n (1..limit) to (query, variables), and the limit."""
    doc, person = slugs["document"], slugs["person"]
    return {
        "page of documents, every scalar": (
            lambda n: (
                f"{{ documents(pagination: {{limit: {n}}}) {{ totalCount results {{ {DOC} }} }} }}",
                {},
            ),
            100,
        ),
        "aliases of pages of documents": (
            lambda n: (
                " ".join(
                    f"a{i}: documents(pagination: {{limit: 100, offset: {i * 100}}}) "
                    f"{{ totalCount results {{ {DOC} }} }}"
                    for i in range(n)
                ).join("{}"),
                {},
            ),
            30,
        ),
        "documents, parties, signatories": (
            lambda n: (
                f"{{ documents(pagination: {{limit: 100}}) {{ results {{ slug title "
                f"parties(pagination: {{limit: {n}}}) {{ role state {{ slug name }} }} "
                f"signatories(pagination: {{limit: {n}}}) {{ role person {{ slug name }} "
                "onBehalfOf { name } } } } }",
                {},
            ),
            100,
        ),
        "nested pages (states > documents > signatories > person > signed)": (
            lambda n: (
                f"{{ states(pagination: {{limit: {n}}}) {{ results {{ name "
                f"documents(pagination: {{limit: {n}}}) {{ role document {{ title "
                f"signatories(pagination: {{limit: {n}}}) {{ role person {{ name "
                f"signed(pagination: {{limit: {n}}}) {{ role document {{ slug title" + " }" * 9,
                {},
            ),
            100,
        ),
        "states with their documents and events (read whole)": (
            lambda n: (
                f"{{ states(pagination: {{limit: {n}}}) {{ results {{ name "
                "documents(pagination: {limit: 100}) { role } "
                "events(pagination: {limit: 100}) { role } } } }",
                {},
            ),
            100,
        ),
        "persons with history": (
            lambda n: (
                f"{{ persons(pagination: {{limit: {n}}}) {{ results {{ slug "
                "history(pagination: {limit: 100}) { date type reason summary "
                "changes { field old new } } } } }",
                {},
            ),
            100,
        ),
        "documents with history": (
            lambda n: (
                f"{{ documents(pagination: {{limit: {n}}}) {{ results {{ slug "
                "history(pagination: {limit: 100}) { date type reason summary "
                "changes { field old new } } } } }",
                {},
            ),
            100,
        ),
        "text filter, aliases": (
            lambda n: (
                "query ($t: String!) {"
                + " ".join(
                    f"a{i}: documents(filters: {{text: $t}}, pagination: {{limit: 100}}) "
                    "{ totalCount results { slug title } }"
                    for i in range(n)
                )
                + "}",
                {"t": WORDS.split()[0] + " " + WORDS.split()[1]},
            ),
            30,
        ),
        "text filter of many words, aliases": (
            lambda n: (
                "query ($t: String!) {"
                + " ".join(
                    f"a{i}: documents(filters: {{text: $t}}) {{ totalCount results {{ slug }} }}"
                    for i in range(n)
                )
                + "}",
                {"t": " ".join(f"{w}{i}" for i, w in enumerate((WORDS + " " + WORDS).split()))},
            ),
            30,
        ),
        "search, aliases": (
            lambda n: (
                "query ($t: String!) {"
                + " ".join(
                    f"a{i}: search(text: $t, limit: 100) {{ score record {{ "
                    "... on Document { slug title parties { state { name } } } "
                    "... on Person { slug name } } }"
                    for i in range(n)
                )
                + "}",
                {"t": "soviet"},
            ),
            30,
        ),
        "search of many words, aliases": (
            lambda n: (
                "query ($t: String!) {"
                + " ".join(f"a{i}: search(text: $t, limit: 100) {{ score }}" for i in range(n))
                + "}",
                {"t": " ".join(WORDS.split() * 2)[:200]},
            ),
            30,
        ),
        "date ranges, aliases": (
            lambda n: (
                "{"
                + " ".join(
                    f"a{i}: events(filters: "
                    f'{{dateFrom: "1{i % 10}00-01-01", dateTo: "2000-12-31"}}, '
                    "ordering: [{date: DESC}], pagination: {limit: 100}) "
                    "{ totalCount results { slug date { display } } }"
                    for i in range(n)
                )
                + "}",
                {},
            ),
            30,
        ),
        "deep offsets, aliases": (
            lambda n: (
                "{"
                + " ".join(
                    f"a{i}: documents(ordering: [{{title: DESC}}], "
                    f"pagination: {{offset: {99_000 - i}, limit: 100}}) {{ results {{ slug }} }}"
                    for i in range(n)
                )
                + "}",
                {},
            ),
            30,
        ),
        "asOf, nested": (
            lambda n: (
                f'query ($t: DateTime) {{ document(slug: "{doc}", asOf: $t) {{ title '
                f"history {{ date summary }} parties {{ state {{ name }} }} "
                f"signatories(pagination: {{limit: {n}}}) {{ person {{ name history {{ date }} "
                f"signed(pagination: {{limit: {n}}}) {{ document {{ title "
                f"signatories(pagination: {{limit: {n}}}) {{ person {{ name" + " }" * 8,
                {"t": "2100-01-01T00:00:00Z"},
            ),
            100,
        ),
        "asOf, aliases": (
            lambda n: (
                "query ($t: DateTime) {"
                + " ".join(
                    f'a{i}: person(slug: "{person}", asOf: $t) {{ name nameForms {{ name }} '
                    "history(pagination: {limit: 100}) { date summary changes { field } } "
                    "signed(pagination: {limit: 100}) "
                    "{ document { title parties { state { name } } } } }"
                    for i in range(n)
                )
                + "}",
                {"t": "2100-01-01T00:00:00Z"},
            ),
            30,
        ),
    }


def largest_admitted(make, limit: int, budget: int):
    """The largest n (1..limit) whose query is within the budget, or None."""
    from archive.graphql.limits import RequestRefused, query_cost
    from archive.graphql.schema import schema

    best = None
    low, high = 1, limit
    while low <= high:
        n = (low + high) // 2
        query, variables = make(n)
        try:
            cost = query_cost(schema._schema, parse(query), variables)
        except RequestRefused as refused:
            raise SystemExit(f"refused: {[e.message for e in refused.errors]}\n{query}") from None
        if cost <= budget:
            best, low = (n, cost), n + 1
        else:
            high = n - 1
    return best


class Command(BaseCommand):
    help = __doc__.split("\n")[0]

    def add_arguments(self, parser):
        from django.conf import settings

        parser.add_argument("--budget", type=int, default=settings.GRAPHQL_MAX_COST)
        parser.add_argument("--runs", type=int, default=3)
        parser.add_argument("--only", default="", help="run the shapes whose name contains this")

    # Counts not remembered: the first request after a write pays for its count.
    @override_settings(COUNT_CACHE=False)
    def handle(self, *args, budget, runs, only, **options):
        from django.db import connection

        from archive.graphql.schema import schema
        from archive.models import Document, Person

        slugs = {
            # A document and a person with many signatures, so that nested lists are full.
            "document": Document.objects.filter(published=True).order_by("pk").first().slug,
            "person": Person.objects.filter(published=True, signed__isnull=False)
            .order_by("pk")
            .first()
            .slug,
        }
        self.stdout.write(
            f"{connection.vendor}, {Document.objects.count():,} documents, budget {budget:,}, "
            f"{runs} runs"
        )
        self.stdout.write(
            "| shape | n | cost | best ms | worst ms | CPU ms | answer KiB | CPU µs per unit |"
        )
        self.stdout.write("|---|---:|---:|---:|---:|---:|---:|---:|")
        for name, (make, limit) in shapes(slugs).items():
            if only not in name:
                continue
            found = largest_admitted(make, limit, budget)
            if found is None:
                self.stdout.write(f"| {name} | – | refused at 1 | | | | |")
                continue
            n, cost = found
            query, variables = make(n)
            times, cpu = [], []
            for _ in range(runs):
                started, started_cpu = time.perf_counter(), time.process_time()
                result = schema.execute_sync(query, variables)
                times.append(time.perf_counter() - started)
                cpu.append(time.process_time() - started_cpu)
                if result.errors:
                    raise SystemExit(f"{name}: {result.errors}")
            size = len(json.dumps(result.data)) / 1024
            self.stdout.write(
                f"| {name} | {n} | {cost:,} | {min(times) * 1000:.0f} | {max(times) * 1000:.0f} "
                f"| {min(cpu) * 1000:.0f} | {size:,.0f} | {min(cpu) * 1e6 / cost:.1f} |"
            )
            self.stdout.flush()


if __name__ == "__main__":
    command_line.measuring_as_in_production("calibration")
    command_line.run(Command, "tools.cost_calibration")
