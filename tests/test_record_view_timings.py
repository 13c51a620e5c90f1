"""The read views' timings (``python -m tools.record_view_timings``) run on the demo
data and print a table of the lists and the read views, as reader and as archivist."""

import io

import pytest
from django.core.management import call_command
from django.db import connection

from archive.admin import record_view
from archive.models import Document, Event, Person, Place, Source, State
from tests.test_admin_record_view import QUERIES
from tools import record_view_timings

pytestmark = pytest.mark.django_db

MODELS = (State, Document, Person, Event, Place, Source)
# A staff member's permissions, which a superuser's page does not look up.
PERMISSION_QUERIES = 2


def picks(model) -> list[tuple[str, int, int]]:
    """The worst case and the typical record, counted from the totals the read view
    shows (``record_view.fetch``): (case, pk, relations)."""
    counted = []
    for pk in model.objects.order_by("pk").values_list("pk", flat=True):
        record = record_view.fetch(model, pk)
        total = sum(getattr(record, record_view.total_name(s)) for s in record_view.SECTIONS[model])
        counted.append((total, pk))
    worst = min(counted, key=lambda item: (-item[0], item[1]))
    typical = sorted(counted)[len(counted) // 2]
    return [("most relations", worst[1], worst[0]), ("typical", typical[1], typical[0])]


def expected_rows(model) -> list[list[str]]:
    """The first four cells of the model's rows: record, page, relations, SQL."""
    name = model._meta.verbose_name.capitalize()
    rows = [[name, "list (baseline)", "", None]]
    for case, pk, relations in picks(model):
        queries = str(QUERIES[model] + PERMISSION_QUERIES)
        rows.append([name, f"view, {case} (#{pk})", f"{relations:,}", queries])
    return rows


def test_the_read_views_are_timed_as_reader_and_archivist_beside_their_lists(demo):
    out, err = io.StringIO(), io.StringIO()
    call_command(record_view_timings.Command(), stdout=out, stderr=err, repeat=1)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith(
        f"{Document.objects.count():,} documents on {connection.vendor}, "
        "1 fetches of each page; load average "
    )
    expected = [row for model in MODELS for row in expected_rows(model)]
    assert lines[1:4] == [
        "",
        "| record | page | relations | SQL | reader median ms (p90) | × list "
        "| archivist median ms (p90) | × list |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    rows = [line.removeprefix("| ").removesuffix(" |").split(" | ") for line in lines[4:]]
    assert len(rows) == len(expected) == 18
    for row, (record, page, relations, queries) in zip(rows, expected, strict=True):
        assert row[:3] == [record, page, relations]
        if queries is None:  # a list: its own queries, and the ratio of each user's to itself
            assert row[3].isdigit() and int(row[3]) > 0, row
            assert row[5] == row[7] == "1.00"
        else:
            assert row[3] == queries
            assert float(row[5]) > 0 and float(row[7]) > 0
        for timing in (row[4], row[6]):  # median (90th percentile), one fetch: the same
            median, p90 = timing.removesuffix(")").split(" (")
            assert 0 < float(median) == float(p90)
    # Progress: the records picked, as it goes.
    state = picks(State)[0]
    assert f"State: view, most relations (#{state[1]}), {state[2]:,} relations" in err.getvalue()
