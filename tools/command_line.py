"""Run a Django command that lives in tools/ rather than among the product's
management commands, as ``python -m tools.<module>``: the same options,
verbosity, output and ``CommandError`` handling as under manage.py."""

from __future__ import annotations

import os
import statistics
import sys

import django
from django.core.management.base import BaseCommand, CommandParser, handle_default_options


def run(command: type[BaseCommand], module: str) -> None:
    # --settings and --pythonpath take effect before Django is set up, as under
    # manage.py (django.core.management.ManagementUtility.execute).
    early = CommandParser(add_help=False, allow_abbrev=False)
    early.add_argument("--settings")
    early.add_argument("--pythonpath")
    handle_default_options(early.parse_known_args(sys.argv[1:])[0])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")
    django.setup()
    command().run_from_argv(["python -m", module, *sys.argv[1:]])


def measuring_as_in_production(purpose: str) -> None:
    """Production's settings for a measurement run from a checkout: ``DEBUG`` off
    (Django logs every query under it, which would be timed too), with a
    throwaway key and host where none is set, since nothing is served."""
    os.environ.pop("DJANGO_DEBUG", None)
    os.environ.setdefault("DJANGO_SECRET_KEY", f"{purpose}-" + "x" * 50)
    os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "localhost")


def ratio_table(
    timings: dict[tuple[str, str], list[float]],
    cases: list[str],
    variants: list[str],
    rounds,
    repeat,
) -> list[str]:
    """The lines of a comparison of variants (the first is ``shipped``): per case, the
    median of each in ms and its ratio to the first's, as a Markdown table."""
    from django.db import connection

    from archive.models import Document

    lines = [
        f"{Document.objects.count():,} documents on {connection.vendor}, "
        f"{rounds} rounds of {repeat} runs; median ms (ratio to shipped)",
        "",
        "| query | " + " | ".join(variants) + " |",
        "|---|" + "---:|" * len(variants),
    ]
    for case in cases:
        first = statistics.median(timings[case, variants[0]])
        cells = [f"{first:.2f}"]
        for name in variants[1:]:
            median = statistics.median(timings[case, name])
            cells.append(f"{median:.2f} ({median / first:.2f})")
        lines.append(f"| {case} | " + " | ".join(cells) + " |")
    return lines
