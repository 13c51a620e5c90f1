"""`manage.py load_archive`: Django's `loaddata`, plus versions and clear errors.

Its arguments and options are `loaddata`'s; `loaddata` itself stays Django's
(rows saved as they are, no versions).

* Every row it writes gets a version whose reason names the fixture
  (see :mod:`archive.fixture_versions`).
* A row the archive refuses (an invalid date, a dangling reference, a role or
  a kind outside its list) stops the whole load, which changes nothing: Django
  already loads all fixtures of one call in one transaction. The error names
  the fixture and the row, and the command exits non-zero.
"""

import json
import os
from collections import defaultdict

from django.apps import apps
from django.core import serializers
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.core.management import CommandError
from django.core.management.commands import loaddata

from archive import fixture_versions
from archive.fixture_versions import loading_fixture
from archive.library_versions import require
from archive.models import Record
from archive.models.base import choices_off_list

require(
    "Django",
    "5.2.19",
    "archive/management/commands/load_archive.py extends loaddata.Command through its "
    "undocumented methods (loaddata, load_label, save_obj, find_fixtures, parse_name)",
)


class FixtureRowError(Exception):
    pass


class Command(loaddata.Command):
    help = (
        loaddata.Command.help
        + " Every loaded row gets a version naming the fixture; a fixture with a row"
        " the archive refuses loads nothing."
    )

    def handle(self, *fixture_labels, **options):
        try:
            return super().handle(*fixture_labels, **options)
        except CommandError:
            raise
        except Exception as error:
            # One readable line instead of a traceback; nothing was saved.
            raise CommandError(f"{error} Nothing was loaded.") from error

    def loaddata(self, fixture_labels):
        # find_fixtures() needs these; Django's loaddata() sets them too.
        self.serialization_formats = serializers.get_public_serializer_formats()
        self.check_references(fixture_labels)
        with fixture_versions.versioning():
            super().loaddata(fixture_labels)

    def check_references(self, fixture_labels):
        """Refuse, before writing anything, references to records that exist nowhere.

        Django would defer such a reference and fail later with a message that
        names neither the row nor the missing slug. A record may be referred
        to if it is in the database or anywhere in the fixtures of this call.
        """
        objects = [
            (path, index, obj)
            for label in fixture_labels
            for path, data in self._json_fixtures(label)
            for index, obj in enumerate(data, start=1)
            if isinstance(obj, dict)
        ]
        in_fixtures = defaultdict(set)
        for _, _, obj in objects:
            if "slug" in obj.get("fields", {}):
                in_fixtures[str(obj.get("model", "")).lower()].add(obj["fields"]["slug"])
        wanted = []  # (path, index, obj, field, slug)
        for path, index, obj in objects:
            for field, slug in _record_references(obj):
                if slug not in in_fixtures[field.related_model._meta.label_lower]:
                    wanted.append((path, index, obj, field, slug))
        existing = defaultdict(set)
        for model in {field.related_model for *_, field, _ in wanted}:
            slugs = [slug for *_, field, slug in wanted if field.related_model is model]
            existing[model] = set(
                model._default_manager.filter(slug__in=slugs).values_list("slug", flat=True)
            )
        problems = [
            f"Problem installing fixture '{path}': {_describe_data(obj)} (object {index}): "
            f"{field.name} “{slug}” does not exist"
            for path, index, obj, field, slug in wanted
            if slug not in existing[field.related_model]
        ]
        if problems:
            raise CommandError("; ".join(problems) + ". Nothing was loaded.")

    def _json_fixtures(self, label):
        for path, _dir, _name in self.find_fixtures(label):
            _, ser_fmt, cmp_fmt = self.parse_name(os.path.basename(path))
            if ser_fmt != "json":
                continue
            open_method, mode = self.compression_formats[cmp_fmt]
            try:
                with open_method(path, mode) as fixture:
                    data = json.load(fixture)
            except ValueError:
                continue  # not JSON after all: Django's loader reports it
            if isinstance(data, list):
                yield path, data

    def load_label(self, fixture_label):
        # Name the file itself ("demo.json"), however the label was typed.
        files = [os.path.basename(path) for path, *_ in self.find_fixtures(fixture_label)]
        name = files[0] if len(files) == 1 else os.path.basename(fixture_label)
        with loading_fixture(name):
            super().load_label(fixture_label)

    def save_obj(self, obj):
        # A row that refers to a row further down the fixture is saved twice:
        # now without that reference, and again once it resolves. Only the
        # second save is the row as the fixture gives it: version that one.
        fixture_versions.defer_version(obj.object, bool(obj.deferred_fields))
        try:
            off_list = choices_off_list(obj.object)
            if off_list:
                # loaddata saves any value; a form would refuse it.
                raise ValidationError(off_list)
            return super().save_obj(obj)
        except ValidationError as error:
            raise FixtureRowError(
                f"Could not load {describe(obj.object)}: {'; '.join(flatten(error))}"
            ) from error
        finally:
            fixture_versions.defer_version(obj.object, False)


def _record_references(obj):
    """(field, slug) for each reference by slug from a fixture object to a record."""
    try:
        model = apps.get_model(obj["model"])
    except (KeyError, LookupError, ValueError):
        return
    for name, value in obj.get("fields", {}).items():
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        if (
            field.many_to_one
            and issubclass(field.related_model, Record)
            and isinstance(value, list)
            and len(value) == 1
        ):
            yield field, value[0]


def _describe_data(obj) -> str:
    """A fixture object as the archive names it: model and natural key."""
    model = apps.get_model(obj["model"])
    fields = obj.get("fields", {})
    paths = getattr(model, "natural_key_fields", ("slug",))
    key = []
    for path in paths:
        value = fields.get(path.split("__")[0], "")
        key.append(str(value[0] if isinstance(value, list) and value else value))
    return f"{model._meta.label} “{' '.join(key)}”"


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
