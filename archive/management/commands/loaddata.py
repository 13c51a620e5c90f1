"""`manage.py loaddata`, as Django's, plus versions and clear errors.

* Every row it writes gets a version whose reason names the fixture
  (see :mod:`archive.fixture_versions`).
* A row the archive refuses (an invalid date, a dangling reference) stops the
  whole load, which changes nothing: Django already loads all fixtures of one
  call in one transaction. The error names the fixture and the row, and the
  command exits non-zero.
"""

import os

from django.core.exceptions import ValidationError
from django.core.management import CommandError
from django.core.management.commands import loaddata

from archive import fixture_versions
from archive.fixture_versions import loading_fixture


class FixtureRowError(Exception):
    pass


class Command(loaddata.Command):
    help = loaddata.Command.help + " Every loaded row gets a version naming the fixture."

    def handle(self, *fixture_labels, **options):
        try:
            return super().handle(*fixture_labels, **options)
        except CommandError:
            raise
        except Exception as error:
            # One readable line instead of a traceback; nothing was saved.
            raise CommandError(f"{error} Nothing was loaded.") from error

    def load_label(self, fixture_label):
        with loading_fixture(os.path.basename(fixture_label)):
            super().load_label(fixture_label)

    def save_obj(self, obj):
        # A row that refers to a row further down the fixture is saved twice:
        # now without that reference, and again once it resolves. Only the
        # second save is the row as the fixture gives it: version that one.
        fixture_versions.defer_version(obj.object, bool(obj.deferred_fields))
        try:
            return super().save_obj(obj)
        except ValidationError as error:
            raise FixtureRowError(
                f"Could not load {describe(obj.object)}: {'; '.join(flatten(error))}"
            ) from error
        finally:
            fixture_versions.defer_version(obj.object, False)


def describe(instance) -> str:
    key = getattr(instance, "natural_key", None)
    try:
        label = " ".join(str(part) for part in key()) if key else f"pk={instance.pk}"
    except Exception:
        label = f"pk={instance.pk}"
    return f"{instance._meta.label} “{label}”"


def flatten(error: ValidationError) -> list[str]:
    if hasattr(error, "error_dict"):
        return [
            f"{field}: {message}"
            for field, errors in error.message_dict.items()
            for message in errors
        ]
    return list(error.messages)
