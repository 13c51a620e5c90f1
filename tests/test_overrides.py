"""The measurements of the ORM overrides and of the cost budget run, on the demo data,
and print their tables: ``python -m tools.execution_overrides``,
``tools.date_range_overrides`` and ``tools.cost_calibration``."""

import io

import pytest
from django.core.management import call_command
from django.db import connection

from archive.graphql import schema as schema_module
from archive.models import Document
from tools import cost_calibration, date_range_overrides, execution_overrides

pytestmark = pytest.mark.django_db


def run(command, **options) -> list[str]:
    out = io.StringIO()
    call_command(command.Command(), stdout=out, **options)
    return out.getvalue().splitlines()


def test_the_execution_overrides_each_off_in_turn(demo):
    shipped = tuple(schema_module.schema.extensions)
    lines = run(execution_overrides, repeat=1, rounds=1)
    assert lines[:4] == [
        f"{Document.objects.count():,} documents on {connection.vendor}, "
        "1 rounds of 1 runs; median ms (ratio to shipped)",
        "",
        "| query | shipped | fast fields off | optimizer hook on | validation cache off "
        "| keys off |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    assert [line.split(" | ")[0] for line in lines[4:]] == [
        "| documents page (100)",
        "| person + signed",
        "| events in range",
        "| search",
        "| history",
        "| asOf",
        "| documents page (50), ids",
    ]
    assert tuple(schema_module.schema.extensions) == shipped  # put back


def test_the_validation_cache_is_taken_out_by_name():
    variants = execution_overrides.variants()
    shipped, without = variants["shipped"], variants["validation cache off"]
    assert schema_module.cached_validation in shipped["extensions"]
    assert without["extensions"] == tuple(
        e for e in shipped["extensions"] if e is not schema_module.cached_validation
    )


def test_the_date_range_overrides_each_off_in_turn(demo):
    lines = run(date_range_overrides, repeat=1, rounds=1)
    assert lines[1:4] == [
        "",
        "| query | shipped | page by arms off | count by arms off |",
        "|---|---:|---:|---:|",
    ]
    assert [line.split(" | ")[0] for line in lines[4:]] == [
        f"| {name}" for name in date_range_overrides.QUERIES
    ]


def test_the_cost_calibration_prints_a_shape_within_the_budget(demo, settings):
    lines = run(cost_calibration, runs=1, only="page of documents, every scalar")
    assert lines[0] == (
        f"{connection.vendor}, {Document.objects.count():,} documents, "
        f"budget {settings.GRAPHQL_MAX_COST:,}, 1 runs"
    )
    assert lines[1:3] == [
        "| shape | n | cost | best ms | worst ms | CPU ms | answer KiB | CPU µs per unit |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    assert [line.split(" | ")[:2] for line in lines[3:]] == [
        ["| page of documents, every scalar", "100"]
    ]
