"""Page timings of the admin's read views, worst case and typical, per record type.

    .venv/bin/python -m tools.record_view_timings [--repeat 20]

Against the database in ``DATABASE_URL`` (a generated archive: see
:mod:`tools.generate_archive`), it picks for each record type two records by
the rows their read view lists (``archive.admin.record_view.SECTIONS``, every
relation in both directions): the one with the most (the worst case, ties to
the lowest id) and a typical one (the median, counted over every record of the
type). It fetches their read views (``/admin/archive/<model>/<pk>/view/``)
with Django's test ``Client``, logged in as a member of the Readers group and
as one of the Archivists (the permission checks of staff, not a superuser's
shortcut), and prints per page the median and 90th percentile in ms and the
SQL queries of one fetch.

The machine may be shared and noisy: beside the read views it fetches a
baseline in the same run, the admin list of the same record type (its first
page), the three pages taking turns fetch by fetch, and gives each read
view's median over the list's. A ratio moves far less between runs than a
millisecond figure does.

It works in a transaction rolled back at the end (the two users it logs in
as): the database is left as it was. Progress goes to stderr, the table to
stdout.
"""

from __future__ import annotations

import gc
import os
import statistics
import time
from collections import Counter
from dataclasses import dataclass, field

from django.core.management.base import BaseCommand, CommandError

from tools import command_line

# The users it logs in as: (label, group).
USERS = (("reader", "Readers"), ("archivist", "Archivists"))


@dataclass
class Page:
    """One page fetched: what it is, its URL, and what its fetches measured."""

    model: str
    name: str
    url: str
    relations: int | None = None
    queries: int = 0
    timings: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.timings)

    @property
    def p90(self) -> float:
        ordered = sorted(self.timings)
        return ordered[round(0.9 * (len(ordered) - 1))]


def relations(model) -> Counter:
    """How many rows the read view lists for each record of ``model`` (every record,
    those with none at 0): one grouped count per section."""
    from django.db.models import Count

    from archive.admin import record_view

    totals = Counter(dict.fromkeys(model._default_manager.values_list("pk", flat=True), 0))
    for section in record_view.SECTIONS[model]:
        link = section.link_field(model)
        rows = section.row_model(model)._default_manager.order_by().values(link)
        for pk, count in rows.annotate(n=Count("pk")).values_list(link, "n"):
            if pk is not None:
                totals[pk] += count
    return totals


def picked(model) -> list[tuple[str, object, int]]:
    """The worst case and a typical record of ``model``: (name, pk, relations)."""
    totals = relations(model)
    if not totals:
        raise CommandError(f"There is no {model._meta.verbose_name}: generate an archive first.")
    ordered = sorted(totals.items(), key=lambda item: (item[1], item[0]))
    worst = min(ordered, key=lambda item: (-item[1], item[0]))
    typical = ordered[len(ordered) // 2]
    return [("most relations", *worst), ("typical", *typical)]


def pages(model) -> list[Page]:
    """The list (the baseline) and the read views of ``model``'s two records."""
    from django.urls import reverse

    opts = model._meta
    name = opts.verbose_name.capitalize()
    result = [Page(name, "list (baseline)", reverse(f"admin:archive_{opts.model_name}_changelist"))]
    for case, pk, count in picked(model):
        url = reverse(f"admin:archive_{opts.model_name}_view", args=[pk])
        result.append(Page(name, f"view, {case} (#{pk})", url, relations=count))
    return result


def fetch(client, page: Page) -> None:
    # Over HTTPS, as in production (its settings redirect plain HTTP).
    response = client.get(page.url, secure=True)
    if response.status_code != 200:
        raise CommandError(f"{page.url}: HTTP {response.status_code}")


def count_queries(client, page: Page) -> int:
    from django.db import connection

    queries = []
    # Counted as they run: CaptureQueriesContext loses them when a request
    # through the test client resets the connection's query log.
    with connection.execute_wrapper(lambda execute, *args: queries.append(1) or execute(*args)):
        fetch(client, page)
    return len(queries)


def table(results: dict[str, list[Page]]) -> list[str]:
    """A Markdown table of the pages, a column group per user: median ms (90th
    percentile), and each read view's median over its list's, fetched in turn."""
    users = list(results)
    head = "| record | page | relations | SQL |" + "".join(
        f" {user} median ms (p90) | × list |" for user in users
    )
    lines = [head, "|---|---|---:|---:|" + "---:|---:|" * len(users)]
    baselines = {}
    for row in zip(*results.values(), strict=True):
        first = row[0]
        # The same page for each user: the same queries, unless permissions differ.
        queries = " / ".join(dict.fromkeys(str(page.queries) for page in row))
        count = "" if first.relations is None else f"{first.relations:,}"
        cells = [first.model, first.name, count, queries]
        for user, page in zip(users, row, strict=True):
            if page.relations is None:
                baselines[user] = page.median
            cells += [f"{page.median:.1f} ({page.p90:.1f})", f"{page.median / baselines[user]:.2f}"]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


class Command(BaseCommand):
    help = __doc__.split("\n")[0]

    def add_arguments(self, parser):
        parser.add_argument(
            "--repeat", type=int, default=20, help="Timed fetches of each page (default 20)."
        )

    def handle(self, *args, repeat, **options):
        from django.contrib.auth import get_user_model
        from django.contrib.auth.models import Group
        from django.db import connection, transaction
        from django.test import Client

        from archive.models import Document, Event, Person, Place, Source, State

        if repeat < 1:
            raise CommandError("--repeat must be 1 or more.")
        started = time.perf_counter()
        load = os.getloadavg()
        say = self.stderr.write
        say(
            f"{Document.objects.count():,} documents on {connection.vendor} "
            f"({connection.settings_dict['NAME']}); load average {_load(load)}"
        )
        results = {}
        with transaction.atomic():
            clients = {}
            for label, group in USERS:
                user = get_user_model().objects.create(
                    username=f"record-view-timings-{label}", is_staff=True
                )
                user.groups.add(Group.objects.get(name=group))
                clients[label] = Client(HTTP_HOST="localhost")
                clients[label].force_login(user)
            for model in (State, Document, Person, Event, Place, Source):
                model_pages = pages(model)
                for page in model_pages[1:]:
                    say(f"{page.model}: {page.name}, {page.relations:,} relations")
                for label, client in clients.items():
                    measured = [Page(p.model, p.name, p.url, p.relations) for p in model_pages]
                    for page in measured:
                        fetch(client, page)  # warm: content types, query plans
                        page.queries = count_queries(client, page)
                    # What is loaded stays out of the collector's way, as in a gunicorn
                    # worker (project/gunicorn.conf.py freezes the app before forking).
                    gc.collect()
                    gc.freeze()
                    for _ in range(repeat):
                        for page in measured:
                            before = time.perf_counter()
                            fetch(client, page)
                            page.timings.append((time.perf_counter() - before) * 1000)
                    gc.unfreeze()
                    results.setdefault(label, []).extend(measured)
                    say(
                        f"  as {label}: "
                        + ", ".join(f"{p.median:.0f} ms" for p in measured)
                        + f" (list, views); load average {_load(os.getloadavg())}"
                    )
            transaction.set_rollback(True)
        lines = [
            f"{Document.objects.count():,} documents on {connection.vendor}, {repeat} fetches "
            f"of each page; load average {_load(load)} before, {_load(os.getloadavg())} after; "
            f"{time.perf_counter() - started:.0f} s",
        ]
        lines += ["", *table(results)]
        self.stdout.write("\n".join(lines))


def _load(load: tuple[float, float, float]) -> str:
    return " ".join(f"{value:.2f}" for value in load)


if __name__ == "__main__":
    command_line.measuring_as_in_production("record-view-timings")
    # The static files' names as they are in the checkout: nothing is collected here.
    os.environ.setdefault("DJANGO_STATIC_MANIFEST", "0")
    command_line.run(Command, "tools.record_view_timings")
