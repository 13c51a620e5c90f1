"""`manage.py restore_archive PATH`: put a backup back into an empty database.

    manage.py migrate
    manage.py restore_archive archive-2026-11-27.jsonl.gz

See :mod:`archive.backup`: the database must be migrated to the backup's
migration state and hold no archive rows and no users; the restore is one
transaction and changes nothing when it is refused or fails.
"""

import os
import sys

from django.core.management import BaseCommand, CommandError
from django.db import connection

from archive import backup, data_version


class Command(BaseCommand):
    help = (
        "Restore a file written by backup_archive (- for standard input) into a migrated "
        "database without archive data or users, exactly as it was backed up."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="The backup to restore, or - for standard input.")

    def handle(self, *args, path, **options):
        self.verbosity = options["verbosity"]
        self.stderr.style_func = None
        try:
            if path == "-":
                result = backup.restore(sys.stdin.buffer, progress=self._progress)
            else:
                with open(path, "rb") as source:
                    result = backup.restore(source, progress=self._progress)
                    result.size = os.fstat(source.fileno()).st_size
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror or error}.") from error
        except backup.BackupError as error:
            raise CommandError(str(error)) from error
        # Fresh statistics, so that the planner knows the tables' new sizes at
        # once (PostgreSQL's autovacuum would get to it only later).
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        if self.verbosity >= 1:
            header = result.header
            self.stdout.write(
                result.summary(
                    f"Restored the backup taken {header['created']} from "
                    f"{header['database']} (Django {header['django']})",
                )
            )
            self.stdout.write(f"Data version now {data_version.from_db()}.")

    def _progress(self, label: str, rows: int, seconds: float) -> None:
        if self.verbosity >= 1:
            self.stderr.write(f"  {label:<38} {rows:>10,} rows {seconds:8.1f} s")
