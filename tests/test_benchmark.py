"""The benchmark's baselines give exactly GraphQL's data, and its table reads right."""

import pytest

from tools import benchmark
from tools.run_benchmark import combined, render

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def test_every_baseline_gives_graphqls_data(demo):
    cases = benchmark.cases()
    assert [c.name for c in cases] == [
        "documents page (100)",
        "person + signed",
        "events in range",
        "search",
        "history",
        "asOf",
    ]
    for case in cases:
        data = benchmark.run_graphql(case)
        assert data == benchmark.run_baseline(case), case.name
        assert all(value for value in data.values()), case.name


def test_measure_counts_queries_and_times(demo):
    (case, *_) = benchmark.cases()
    measured = benchmark.measure(case.name, lambda: benchmark.run_baseline(case), repeat=3)
    assert measured.queries == 4  # count, page, parties, signatories
    assert 0 < measured.median_ms <= measured.p95_ms
    assert measured.peak_kib > 0


def test_render_shows_ratios_and_growth():
    def row(case, g, b, q):
        return {
            "case": case,
            "graphql": {"median_ms": g, "p95_ms": g * 2, "queries": q, "peak_kib": 100.0},
            "baseline": {"median_ms": b, "p95_ms": b * 2, "queries": 2, "peak_kib": 50.0},
            "http": {"uncached_ms": g + 1, "cached_ms": 0.5},
        }

    def admin(ms):
        return [{"page": "documents", "median_ms": ms, "p95_ms": ms + 5, "queries": 5}]

    results = {
        1000: {
            "vendor": "sqlite",
            "count_cache": True,
            "rows": [row("page", 3.0, 2.0, 7)],
            "admin": admin(20.0),
        },
        100000: {"vendor": "sqlite", "rows": [row("page", 3.3, 2.0, 7)], "admin": admin(31.0)},
    }
    assert render(results, [1000, 100000], 30).splitlines() == [
        "Benchmark on sqlite, 30 timed runs per query (ms; peak memory of one run).",
        "Lists' counts are remembered until the next write (COUNT_CACHE=1), in every column.",
        "",
        "| query | size | GraphQL median | p95 | SQL | peak KiB | baseline median | p95 | SQL "
        "| GraphQL/baseline |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        "| page | 1,000 | 3.0 | 6.0 | 7 | 100 | 2.0 | 4.0 | 2 | 1.50 |",
        "| page | 100,000 | 3.3 | 6.6 | 7 | 100 | 2.0 | 4.0 | 2 | 1.65 |",
        "",
        "Through HTTP (POST /graphql/), response cache off and on (medians, ms):",
        "",
        "| query | size | uncached | cached | speed-up |",
        "|---|---:|---:|---:|---:|",
        "| page | 1,000 | 4.0 | 0.50 | ×8 |",
        "| page | 100,000 | 4.3 | 0.50 | ×9 |",
        "",
        "Admin pages (GET as a logged-in archivist, through Django's test client; ms):",
        "",
        "| page | size | median | p95 | SQL |",
        "|---|---:|---:|---:|---:|",
        "| documents | 1,000 | 20.0 | 25.0 | 5 |",
        "| documents | 100,000 | 31.0 | 36.0 | 5 |",
        "",
        "Growth of the GraphQL median from 1,000 to 100,000 documents:",
        "",
        "- page: ×1.10; SQL queries 7 → 7 (same)",
    ]


def test_http_timing_through_the_cache(demo):
    (case, *_) = benchmark.cases()
    uncached = benchmark.http_timing(case, 5, cached=False)
    cached = benchmark.http_timing(case, 5, cached=True)
    assert 0 < cached < uncached


def test_admin_timings_open_every_page_and_leave_the_database_as_it_was(demo):
    from django.contrib.auth import get_user_model

    from archive.models import Provision

    before = (Provision.objects.count(), get_user_model().objects.count())
    pages = benchmark.admin_timings(2)
    assert [page["page"] for page in pages] == [
        "documents",
        "documents, search",
        "persons",
        "persons, search",
        "events",
        "events, search",
        f"document with {pages[6]['page'].split()[2]} inline rows",
        "its history, page 1",
        "its history, page 3",
    ]
    assert int(pages[6]["page"].split()[2]) > benchmark.ADDED_ROWS  # demo: few persons
    assert all(page["queries"] > 0 and page["median_ms"] > 0 for page in pages)
    assert (Provision.objects.count(), get_user_model().objects.count()) == before


def test_rounds_combine_into_the_median_of_each_figure():
    def measurement(ms, queries=7):
        return {
            "documents": 1000,
            "vendor": "sqlite",
            "rows": [{"case": "page", "graphql": {"median_ms": ms, "queries": queries}}],
            "admin": [{"page": "documents", "median_ms": ms * 2}],
        }

    assert combined([measurement(3.0), measurement(9.0), measurement(4.0)]) == measurement(4.0)
    assert combined([measurement(3.0), measurement(3.0, queries=8)])["rows"][0]["graphql"] == {
        "median_ms": 3.0,
        "queries": 8,
    }


def test_the_surname_searched_has_as_many_bearers_at_every_size():
    """namesakes(): the first surname borne by that many public persons, else the
    nearest; drafts do not count."""
    from tests.factories import make_person

    for number, (surname, bearers) in enumerate(
        [("Nowak", 5), ("Kowal", 3), ("Lis", 3), ("Zima", 1), ("Adamczyk", 4)]
    ):
        for bearer in range(bearers):
            make_person(slug=f"p{number}-{bearer}", name=f"Jan {surname}", published=True)
    make_person(slug="draft", name="Jan Zima", published=False)
    assert benchmark.namesakes(3) == "Kowal"
    assert benchmark.namesakes(2) == "Kowal"  # 3 and 1 are as near: alphabetical order
    assert benchmark.namesakes(1) == "Zima"
    assert benchmark.namesakes(9) == "Nowak"
