"""Fill the database with a synthetic archive, for scale tests and benchmarks.

    bin/generate --documents 100000 --seed 1 [--clear [--noinput]]
    .venv/bin/python -m tools.generate_archive ...    (the same)

See :mod:`tools.generator` for what it generates. It refuses a database
that already holds records unless ``--clear`` is given, which first deletes
every record, row and version (after a confirmation, unless ``--noinput``).
Clearing and generating are one transaction: if anything fails, the database
is left as it was.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from django.core.management import BaseCommand, CommandError
from django.db import connection, transaction

from tools import command_line

if TYPE_CHECKING:
    from tools import generator


class Command(BaseCommand):
    help = (
        "Fill the database with a synthetic archive of the given size and seed, "
        "every row with a first version."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--documents",
            type=int,
            default=1000,
            help="How many documents; the other records scale with it (default 1000).",
        )
        parser.add_argument(
            "--seed", type=int, default=1, help="The same seed gives the same archive."
        )
        parser.add_argument(
            "--clear",
            action="store_true",
            help="First delete every record, row and version in the archive.",
        )
        parser.add_argument(
            "--noinput",
            "--no-input",
            action="store_false",
            dest="interactive",
            help="Do not ask before clearing.",
        )

    def handle(self, *args, documents, seed, clear, interactive, **options):
        from tools import generator  # needs Django set up: see command_line.run()

        if documents < 1:
            raise CommandError("--documents must be 1 or more.")
        self.verbosity = options["verbosity"]
        existing = generator.record_count()
        if existing and not clear:
            raise CommandError(
                f"The database already holds {_count(existing, 'archive record')}. "
                "Run with --clear to delete every record, row and version first."
            )
        if clear and interactive and not self._confirmed(existing):
            raise CommandError("Cancelled: nothing was changed.")
        started = time.perf_counter()

        shape = generator.shape(documents)
        self._say(
            f"Generating {_count(shape.documents, 'document')}, {shape.persons:,} persons, "
            f"{shape.states:,} states, {shape.events:,} events, {shape.places:,} places "
            f"and {shape.sources:,} sources (seed {seed}) into "
            f"{connection.vendor} database {connection.settings_dict['NAME']}"
        )
        cleared = None
        with transaction.atomic():
            if clear:
                generator.clear()
                cleared = time.perf_counter() - started
                self._say(f"  cleared the archive in {cleared:.1f} s")
            result = generator.generate(documents, seed, progress=self._progress)
        # Fresh statistics, so the planner knows the tables' new sizes at once
        # rather than when autovacuum gets to them; on PostgreSQL the visibility
        # map too (VACUUM), without which counting a list's records reads the
        # table instead of an index. VACUUM cannot run in a transaction (a
        # caller's, such as a test's): there, statistics only.
        vacuum = connection.vendor == "postgresql" and not connection.in_atomic_block
        self._say("  vacuuming and analysing the tables" if vacuum else "  analysing the tables")
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE)" if vacuum else "ANALYZE")
        # Measured after the commit, which takes its time too.
        generating = time.perf_counter() - started - (cleared or 0)
        self.stdout.write(self._summary(result, generating, cleared))

    def _confirmed(self, existing: int) -> bool:
        answer = input(
            f"This deletes every archive record ({existing:,}), every row and every version "
            f"from the database {connection.settings_dict['NAME']}.\n"
            "Type 'yes' to continue, or 'no' to cancel: "
        )
        return answer == "yes"

    def _say(self, line: str) -> None:
        if self.verbosity >= 1:
            self.stdout.write(line)

    def _progress(self, phase: str, done: int, total: int, seconds: float) -> None:
        self._say(f"  {phase:<11} {done:>9,} of {total:<9,} {seconds:7.1f} s")

    def _summary(self, result: generator.Result, seconds: float, cleared: float | None) -> str:
        written = result.total_rows + result.total_versions
        lines = [
            "",
            f"{'model':<20} {'rows':>10} {'versions':>10}",
            f"{'-' * 20} {'-' * 10} {'-' * 10}",
        ]
        for model, rows in result.rows.items():
            lines.append(f"{model.__name__:<20} {rows:>10,} {result.versions[model]:>10,}")
        lines += [
            f"{'-' * 20} {'-' * 10} {'-' * 10}",
            f"{'total':<20} {result.total_rows:>10,} {result.total_versions:>10,}",
            "",
            f"Generated {_count(result.shape.documents, 'document')} (seed {result.seed}): "
            f"{result.total_rows:,} rows and {result.total_versions:,} versions in "
            f"{seconds:.1f} s, {written / max(seconds, 1e-6):,.0f} rows written per second.",
        ]
        if cleared is not None:
            lines.append(
                f"Clearing the archive before took {cleared:.1f} s: "
                f"{cleared + seconds:.1f} s in all."
            )
        return "\n".join(lines)


def _count(number: int, noun: str) -> str:
    """ "1 document", "2,000 documents"."""
    return f"{number:,} {noun}{'' if number == 1 else 's'}"


if __name__ == "__main__":
    command_line.run(Command, "tools.generate_archive")
