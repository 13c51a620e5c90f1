"""`manage.py backup_archive PATH`: the whole archive, history included, in one file.

    manage.py backup_archive archive-2026-11-27.jsonl.gz
    manage.py backup_archive - | ssh elsewhere 'cat > archive.jsonl.gz'

See :mod:`archive.backup` for what the file holds. The file is written next
to PATH under a temporary name and renamed once complete, so PATH is never a
half-written backup. It holds password hashes: it is created readable by its
owner only.
"""

import os
import sys
import tempfile

from django.core.management import BaseCommand, CommandError

from archive import backup


class Command(BaseCommand):
    help = (
        "Write every record, row and version of the archive, with the users and groups "
        "its history names, to one gzip-compressed file (- for standard output)."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="The file to write, or - for standard output.")

    def handle(self, *args, path, **options):
        self.verbosity = options["verbosity"]
        # Progress goes to standard error, so that standard output can carry
        # the backup itself; plain, not in the colour of errors.
        self.stderr.style_func = None
        try:
            if path == "-":
                result = backup.backup(sys.stdout.buffer, progress=self._progress)
                sys.stdout.buffer.flush()
                where, report = "standard output", self.stderr
            else:
                result = self._write_file(path)
                where, report = path, self.stdout
        except backup.BackupError as error:
            raise CommandError(str(error)) from error
        if self.verbosity >= 1:
            report.write(result.summary(f"Backed up to {where}"))

    def _write_file(self, path: str) -> backup.Result:
        directory = os.path.dirname(os.path.abspath(path))
        try:
            handle, partial = tempfile.mkstemp(prefix=".backup-", suffix=".partial", dir=directory)
        except OSError as error:
            raise CommandError(f"Cannot write a backup into {directory}: {error}.") from error
        try:
            with os.fdopen(handle, "wb") as out:
                result = backup.backup(out, progress=self._progress)
                out.flush()
                os.fsync(out.fileno())
            os.replace(partial, path)
        except BaseException:
            os.unlink(partial)
            raise
        return result

    def _progress(self, label: str, rows: int, seconds: float) -> None:
        if self.verbosity >= 1:
            self.stderr.write(f"  {label:<38} {rows:>10,} rows {seconds:8.1f} s")
