"""`bin/demo` loads the demo data into a new archive only, never over an archivist's work."""

import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from archive.models import Event, EventParticipant, Person, PersonName

pytestmark = pytest.mark.django_db

LOADED = "Demo data loaded: 26 records.\n"
KEPT = "The archive already holds records: demo data not loaded, your edits are kept.\n"


def start_demo() -> str:
    """The data step of `bin/demo`, as it runs it; what it printed."""
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def test_bin_demo_loads_through_load_demo_only():
    script = (Path(settings.BASE_DIR) / "bin" / "demo").read_text()
    commands = [line.split() for line in script.splitlines() if "manage.py" in line]
    assert ["$PY", "manage.py", "load_demo"] in commands
    assert not [c for c in commands if "loaddata" in c]


def test_a_second_start_keeps_edits_deleted_rows_and_deleted_records():
    assert start_demo() == LOADED
    maisky = Person.objects.get(slug="ivan-maisky")
    maisky.born = "1884"
    maisky.save()
    PersonName.objects.get(record=maisky, name="Ivan Mayski").delete()
    formation = Event.objects.get(slug="formation-of-the-anders-army")
    participants = EventParticipant.objects.filter(event=formation).count()
    formation.delete()
    versions = Person.history.count()

    assert start_demo() == KEPT

    maisky = Person.objects.get(slug="ivan-maisky")
    assert maisky.born == "1884"
    assert list(maisky.name_forms.values_list("name", flat=True)) == [
        "Ivan Maisky",
        "Iwan Majski",
        "Иван Майский",
    ]
    assert not Event.objects.filter(slug="formation-of-the-anders-army").exists()
    assert participants > 0
    assert not EventParticipant.objects.filter(event_id=formation.pk).exists()
    assert Person.history.count() == versions


def test_an_archive_whose_records_were_all_deleted_is_not_refilled():
    """Deleted records leave their versions: the archive is not new."""
    person = Person.objects.create(slug="gone", name="Gone", published=True)
    person.delete()
    assert start_demo() == KEPT
    assert Person.objects.count() == 0


def test_records_of_any_kind_keep_the_demo_out():
    Event.objects.create(slug="own-event", name="An archivist’s own event", kind="other")
    assert start_demo() == KEPT
    assert list(Event.objects.values_list("slug", flat=True)) == ["own-event"]
    assert Person.objects.count() == 0
