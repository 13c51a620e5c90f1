"""The contract's queries against archives of several sizes.

    bin/benchmark --sizes 1000,10000,100000 [--repeat 30] [--rounds 3]
    .venv/bin/python -m tools.run_benchmark ...    (the same)

For each size it uses a database of its own (a SQLite file under var/, or a
PostgreSQL database named after the configured one, as DATABASE_URL says),
generating the archive there once (:mod:`tools.generate_archive`, fixed
seed), then runs each query of :mod:`tools.benchmark` through GraphQL and
through its hand-written baseline, in a process of its own per size. It
prints one table and writes it to a file.

The machine may be shared and noisy, and the growth from the smallest size
to the largest compares figures taken minutes apart: so the sizes are
measured in turn, ``--rounds`` times (1k, 10k, 100k, 1k, 10k, 100k…), and
each figure is the median of its rounds, so that a slow minute weighs on
every size alike.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from tools import command_line


class Command(BaseCommand):
    help = "Time the GraphQL contract's queries against hand-written baselines at several sizes."

    def add_arguments(self, parser):
        parser.add_argument("--sizes", default="1000,10000,100000", help="Documents per archive.")
        parser.add_argument("--repeat", type=int, default=30, help="Timed runs of each query.")
        parser.add_argument(
            "--rounds", type=int, default=3, help="Measurements of every size, taken in turn."
        )
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--output", default="var/benchmark.md")
        # One size's measurement, in a process of its own: what handle() runs per size.
        parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)

    def handle(self, *args, **options):
        if options["measure"]:
            return self.measure_here(options["repeat"])
        sizes = [int(size) for size in options["sizes"].split(",")]
        rounds = max(1, options["rounds"])
        started = time.monotonic()
        environments = {}
        for size in sizes:
            url = database_url(size)
            self.stdout.write(f"==> {size:,} documents ({redacted(url)})")
            env = {**os.environ, "DATABASE_URL": url}
            prepare_database(url)
            run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], env)
            if self.child(env, 0)["documents"] != size:
                self.stdout.write(f"    generating {size:,} documents (seed {options['seed']})…")
                run(
                    [
                        sys.executable,
                        "-m",
                        "tools.generate_archive",
                        "--documents",
                        str(size),
                        "--seed",
                        str(options["seed"]),
                        "--clear",
                        "--noinput",
                    ],
                    env,
                    show=True,
                )
            environments[size] = env
        measured = {size: [] for size in sizes}
        for round_number in range(1, rounds + 1):
            for size in sizes:
                self.stdout.write(f"==> round {round_number} of {rounds}: {size:,} documents")
                measured[size].append(self.child(environments[size], options["repeat"]))
                self.stdout.write(f"    {time.monotonic() - started:.0f} s so far")
        results = {size: combined(rounds_of_size) for size, rounds_of_size in measured.items()}
        table = render(results, sizes, options["repeat"], rounds)
        self.stdout.write("\n" + table)
        output = Path(options["output"])
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(table + "\n", encoding="utf-8")
        self.stdout.write(f"Written to {output}")

    def child(self, env, repeat) -> dict:
        out = run(
            [sys.executable, "-m", "tools.run_benchmark", "--measure", "--repeat", str(repeat)],
            env,
        )
        return json.loads(out.strip().splitlines()[-1])

    def measure_here(self, repeat):
        from archive.models import Document
        from tools import benchmark

        # As in production: with DEBUG on (bin/benchmark runs with DJANGO_DEBUG=1)
        # Django logs every query, and on PostgreSQL writes each one out a second
        # time for it: a cost per query the archive's users never pay.
        settings.DEBUG = False
        if not repeat or not Document.objects.exists():  # how large it is, no more
            documents = Document.objects.count()
            self.stdout.write(json.dumps({"documents": documents, "vendor": connection.vendor}))
            return
        rows = []
        for case in benchmark.cases():
            graphql_data = benchmark.run_graphql(case)
            baseline_data = benchmark.run_baseline(case)
            if graphql_data != baseline_data:
                raise CommandError(f"{case.name}: the baseline's JSON differs from GraphQL's.")
            graphql = benchmark.measure(case.name, lambda c=case: benchmark.run_graphql(c), repeat)
            baseline = benchmark.measure(
                case.name, lambda c=case: benchmark.run_baseline(c), repeat
            )
            http = {
                "uncached_ms": benchmark.http_timing(case, repeat, cached=False),
                "cached_ms": benchmark.http_timing(case, repeat, cached=True),
            }
            rows.append(
                {
                    "case": case.name,
                    "graphql": vars(graphql),
                    "baseline": vars(baseline),
                    "http": http,
                }
            )
        self.stdout.write(
            json.dumps(
                {
                    "documents": Document.objects.count(),
                    "vendor": connection.vendor,
                    "count_cache": settings.COUNT_CACHE,
                    "rows": rows,
                    "admin": benchmark.admin_timings(repeat),
                }
            )
        )


def database_url(size: int) -> str:
    default = settings.DATABASES["default"]
    if default["ENGINE"].endswith("sqlite3"):
        path = Path(settings.BASE_DIR) / "var" / f"bench-{size}.sqlite3"
        path.parent.mkdir(exist_ok=True)
        return f"sqlite:///{path}"
    user = default.get("USER") or "postgres"
    password = f":{default['PASSWORD']}" if default.get("PASSWORD") else ""
    host, port = default.get("HOST") or "127.0.0.1", default.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{default['NAME']}_bench_{size}"


def prepare_database(url: str) -> None:
    if not url.startswith("postgres"):
        return
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def redacted(url: str) -> str:
    return url.split("@")[-1] if "@" in url else url


def run(command, env, show=False) -> str:
    process = subprocess.run(
        command, env=env, capture_output=not show, text=True, cwd=settings.BASE_DIR
    )
    if process.returncode:
        raise CommandError(f"{' '.join(command)} failed:\n{process.stderr or ''}")
    return process.stdout or ""


def combined(rounds: list[dict]) -> dict:
    """One measurement from several rounds: the median of each figure."""
    first = rounds[0]

    def merge(values: list):
        if isinstance(values[0], dict):
            return {key: merge([v[key] for v in values]) for key in values[0]}
        if isinstance(values[0], list):
            return [merge([v[i] for v in values]) for i in range(len(values[0]))]
        if isinstance(values[0], float):
            return statistics.median(values)
        if isinstance(values[0], int) and len(set(values)) > 1:
            return max(values)  # SQL counts: the same in every round, or the worst shown
        return values[0]  # names

    return merge(rounds) if len(rounds) > 1 else first


def render(results: dict, sizes: list[int], repeat: int, rounds: int = 1) -> str:
    first = next(iter(results.values()))
    each = f", median of {rounds} rounds taken in turn" if rounds > 1 else ""
    counted = (
        "Lists' counts are remembered until the next write (COUNT_CACHE=1), in every column."
        if first.get("count_cache")
        else "Every list is counted on every request (COUNT_CACHE=0)."
    )
    lines = [
        f"Benchmark on {first['vendor']}, {repeat} timed runs per query{each} "
        "(ms; peak memory of one run).",
        counted,
        "",
        "| query | size | GraphQL median | p95 | SQL | peak KiB | baseline median | p95 | SQL "
        "| GraphQL/baseline |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    cases = [row["case"] for row in results[sizes[0]]["rows"]]
    for case in cases:
        for size in sizes:
            row = next(r for r in results[size]["rows"] if r["case"] == case)
            g, b = row["graphql"], row["baseline"]
            lines.append(
                f"| {case} | {size:,} | {g['median_ms']:.1f} | {g['p95_ms']:.1f} | {g['queries']} "
                f"| {g['peak_kib']:.0f} | {b['median_ms']:.1f} | {b['p95_ms']:.1f} "
                f"| {b['queries']} | {g['median_ms'] / b['median_ms']:.2f} |"
            )
    lines += [
        "",
        "Through HTTP (POST /graphql/), response cache off and on (medians, ms):",
        "",
        "| query | size | uncached | cached | speed-up |",
        "|---|---:|---:|---:|---:|",
    ]
    for case in cases:
        for size in sizes:
            http = next(r for r in results[size]["rows"] if r["case"] == case).get("http")
            if http:
                lines.append(
                    f"| {case} | {size:,} | {http['uncached_ms']:.1f} | {http['cached_ms']:.2f} "
                    f"| ×{http['uncached_ms'] / http['cached_ms']:.0f} |"
                )
    lines += [
        "",
        "Admin pages (GET as a logged-in archivist, through Django's test client; ms):",
        "",
        "| page | size | median | p95 | SQL |",
        "|---|---:|---:|---:|---:|",
    ]
    for size in sizes:
        for page in results[size].get("admin", []):
            lines.append(
                f"| {page['page']} | {size:,} | {page['median_ms']:.1f} | {page['p95_ms']:.1f} "
                f"| {page['queries']} |"
            )
    if len(sizes) > 1:
        small, large = sizes[0], sizes[-1]
        lines += ["", f"Growth of the GraphQL median from {small:,} to {large:,} documents:", ""]
        for case in cases:
            first = next(r for r in results[small]["rows"] if r["case"] == case)["graphql"]
            last = next(r for r in results[large]["rows"] if r["case"] == case)["graphql"]
            same = "same" if first["queries"] == last["queries"] else "DIFFERENT"
            lines.append(
                f"- {case}: ×{last['median_ms'] / first['median_ms']:.2f}; "
                f"SQL queries {first['queries']} → {last['queries']} ({same})"
            )
    return "\n".join(lines)


if __name__ == "__main__":
    command_line.run(Command, "tools.run_benchmark")
