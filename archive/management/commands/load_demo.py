"""Load the demo data set into an archive that has never held records.

`bin/demo` runs this on every start. The demo data is loaded only when no
record of any kind exists and none ever did (no version of any record):
loading over an archivist's work would reset the fields they edited and bring
back the rows and records they deleted.
"""

from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

from archive.models.base import Record

DEMO_FIXTURE = Path(settings.BASE_DIR) / "fixtures" / "demo.json"


def record_models() -> list[type[Record]]:
    return [m for m in apps.get_app_config("archive").get_models() if issubclass(m, Record)]


def archive_is_new() -> bool:
    """No record exists and none ever did (a deleted record leaves its versions)."""
    return not any(
        model._default_manager.exists() or model.history.exists() for model in record_models()
    )


class Command(BaseCommand):
    help = (
        "Load fixtures/demo.json into an archive that has never held records; "
        "otherwise change nothing."
    )

    def handle(self, *args, **options):
        # The check and the load in one transaction: of two starts at once, the
        # second finds the first's records or fails on their slugs, loading nothing.
        with transaction.atomic():
            if not archive_is_new():
                self.stdout.write(
                    "The archive already holds records: demo data not loaded, your edits are kept."
                )
                return
            call_command("load_archive", str(DEMO_FIXTURE), verbosity=0)
            records = sum(model._default_manager.count() for model in record_models())
        self.stdout.write(f"Demo data loaded: {records} records.")
