"""A date range counted and paged by arm (archive.date_ranges) gives the plain query's answers.

The plain answers come from Django's own ``QuerySet.count`` and from
``iterator()``, which read the whole match set the ordinary way.
"""

import datetime
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from django.db import connection
from django.db.models import Q, QuerySet
from django.test.utils import CaptureQueriesContext

from archive import date_queries, visibility
from archive.date_ranges import DEEPEST_PAGE_END
from archive.models import Document, Event
from tests.factories import make_event
from tests.test_dates import OVERLAP_DATES, OVERLAP_RANGES
from tools import generator

D = datetime.date
# Ranges by index below: 0 July–August 1941, 2 the 1900s, 4 every day there is.
RANGES = [*OVERLAP_RANGES, (D(1650, 1, 1), D(1700, 12, 31))]
ORDERS = {
    "date": [*date_queries.chronological("date"), "slug"],
    "date, descending": [*date_queries.chronological("date", descending=True), "-slug"],
}
PAGES = [(0, 1), (0, 20), (3, 10), (40, 60), (0, 100)]


@pytest.fixture
def archive(db):
    """A generated archive (every kind of date, open-ended events among them), and
    the overlap test's dates three times over: ties broken by slug alone."""
    generator.generate(300, seed=7)
    for copy in range(3):
        for number, edtf in enumerate(OVERLAP_DATES):
            make_event(slug=f"tie-{number}-{copy}", date=edtf, published=number % 4 != 1)


def public_events(start, end):
    return visibility.public_records(Event.objects.all()).filter(
        date_queries.overlaps("date", start, end)
    )


def plain_page(queryset, offset, end):
    return [row.pk for row in queryset.iterator()][offset:end]


def test_the_arms_give_the_plain_query_s_counts_and_pages(archive):
    checked = 0
    for start, end in RANGES:
        events = public_events(start, end)
        assert events.count() == QuerySet.count(events), (start, end)
        for name, order in ORDERS.items():
            ordered = events.order_by(*order)
            for offset, stop in PAGES:
                page = [row.pk for row in ordered[offset:stop]]
                assert page == plain_page(ordered, offset, stop), (start, end, name, offset)
                checked += len(page)
    assert checked > 500  # the ranges found records, not empty pages


def test_other_filters_apply_within_every_arm(archive):
    """A condition beside the range (a kind, a text search) narrows each arm's
    first rows, so the page is still the first of what matches all of them."""
    for start, end in RANGES[:4]:
        for extra in (Q(kind="war"), Q(published=True) & ~Q(slug__startswith="tie-1")):
            events = Event.objects.filter(date_queries.overlaps("date", start, end), extra)
            assert events.count() == QuerySet.count(events)
            ordered = events.order_by(*ORDERS["date"])
            assert [e.pk for e in ordered[:5]] == plain_page(ordered, 0, 5)


def test_documents_too(archive):
    start, end = D(1939, 1, 1), D(1941, 12, 31)
    documents = Document.objects.filter(date_queries.overlaps("date", start, end), published=True)
    ordered = documents.order_by(*date_queries.chronological("date"), "slug")
    assert documents.count() == QuerySet.count(documents) > 0
    assert [d.pk for d in ordered[:20]] == plain_page(ordered, 0, 20)


def test_a_count_and_a_page_are_one_statement_each_over_the_arms(archive):
    events = public_events(*RANGES[0])
    with CaptureQueriesContext(connection) as queries:
        total = events.count()
        page = list(events.order_by(*ORDERS["date"])[:20])
    assert total == QuerySet.count(events) and len(page) == 20
    assert len(queries) == 2
    arms = len(date_queries.ARM_BOUNDS)
    assert [query["sql"].count(" UNION ALL ") for query in queries] == [arms - 1, arms - 1]
    assert all(" OR " not in query["sql"].split("UNION ALL")[0] for query in queries)


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(
            lambda s, e: Event.objects.filter(date_queries.overlaps("date", s, e) | Q(kind="war")),
            id="range ORed",
        ),
        pytest.param(
            lambda s, e: Event.objects.exclude(date_queries.overlaps("date", s, e)),
            id="range negated",
        ),
        pytest.param(
            lambda s, e: Event.objects.filter(date_queries.overlaps("date", s, e)).distinct(),
            id="distinct",
        ),
        pytest.param(
            lambda s, e: (
                Event.objects.filter(date_queries.overlaps("date", s, e), place__name="x")
                | Event.objects.filter(slug="tie-0-0")
            ),
            id="querysets ORed",
        ),
        pytest.param(
            lambda s, e: Event.objects.filter(date_queries.overlaps("date", s, end=None)),
            id="one end only",
        ),
    ],
)
def test_what_the_arms_do_not_add_up_to_takes_the_plain_query(archive, make):
    events = make(*RANGES[0])
    with CaptureQueriesContext(connection) as queries:
        total = events.count()
        page = [e.pk for e in events.order_by(*ORDERS["date"])[:20]]
    assert total == QuerySet.count(events)
    assert page == plain_page(events.order_by(*ORDERS["date"]), 0, 20)
    assert not any("UNION ALL" in query["sql"] for query in queries)


def test_another_order_or_a_deep_page_is_read_the_plain_way(archive):
    events = public_events(*RANGES[2])
    by_name = events.order_by("name", "slug")
    deep = events.order_by(*ORDERS["date"])[DEEPEST_PAGE_END : DEEPEST_PAGE_END + 20]
    with CaptureQueriesContext(connection) as queries:
        by_name_page = [e.pk for e in by_name[:20]]
        deep_page = [e.pk for e in deep]
    assert by_name_page == plain_page(by_name, 0, 20)
    assert deep_page == plain_page(
        events.order_by(*ORDERS["date"]), DEEPEST_PAGE_END, DEEPEST_PAGE_END + 20
    )
    assert not any("UNION ALL" in query["sql"] for query in queries)


def test_within_each_arm_the_index_order_is_the_order_by_date(archive):
    """``date_queries.arm_order`` leaves out only keys that cannot vary within the arm: the
    records of each arm come in the same order either way (open-ended dates with
    the same first day, one with a last day and one without, among them)."""
    for number, edtf in enumerate(["1800/..", "1800/1950", "1800-01-01/1960", "../1950"]):
        make_event(slug=f"open-{number}", date=edtf)
    for start, end in (RANGES[2], RANGES[4]):
        for descending in (False, True):
            slug = "-slug" if descending else "slug"
            by_date = [*date_queries.chronological("date", descending=descending), slug]
            for arm in range(len(date_queries.ARM_BOUNDS)):
                rows = Event.objects.filter(date_queries.Overlaps("date", start, end, arm=arm))
                by_arm = [*date_queries.arm_order(arm, "date", descending=descending), slug]
                assert list(rows.order_by(*by_arm).values_list("pk", flat=True)) == list(
                    rows.order_by(*by_date).values_list("pk", flat=True)
                ), (start, end, descending, arm)


def test_the_module_refuses_another_django_than_the_one_it_reads():
    """The arms read Django's private Query internals and override
    ``QuerySet._fetch_all``: the module is fenced to the Django it was written
    for, and pyproject.toml pins that version."""
    root = Path(__file__).resolve().parent.parent
    pins = tomllib.loads((root / "pyproject.toml").read_text())["project"]["dependencies"]
    assert "Django==5.2.19" in pins
    script = (
        "import importlib.metadata as metadata; version = metadata.version; "
        "metadata.version = lambda name: '6.0' if name == 'Django' else version(name); "
        "import archive.date_ranges"
    )
    env = {"DJANGO_SETTINGS_MODULE": "project.settings", "DJANGO_DEBUG": "1", "PATH": ""}
    run = subprocess.run(
        [sys.executable, "-c", script], cwd=root, env=env, capture_output=True, text=True
    )
    assert run.returncode == 1
    assert run.stderr.strip().splitlines()[-1] == (
        "ImportError: archive/date_ranges.py reads Django's private Query internals and "
        "overrides QuerySet._fetch_all: it was written for Django 5.2.19, and Django 6.0 is "
        "installed. Check it against 6.0, then change the version it requires and the pin in "
        "pyproject.toml."
    )
