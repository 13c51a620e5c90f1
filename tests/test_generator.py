"""The generator (tools/generator.py) and its command (tools/generate_archive.py), small.

* Exact counts per model for one seed, the records as :func:`generator.shape` says.
* Every row has exactly one version, "created", with the generator's reason,
  holding what the row holds.
* Every date parses and its stored bounds are the parsed ones; every
  supported form of date is there; nobody dies before being born.
* The search texts are what a save computes.
* The same seed gives the same archive.
* The command refuses an archive with records unless told to clear it, and
  ends with a summary of what it wrote.
"""

import io
import os
import re
import subprocess
import sys

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import CommandError, call_command

from archive import data_version, date_queries, dates, search
from archive.models import (
    RECORD_MODELS,
    Document,
    DocumentCitation,
    DocumentLink,
    DocumentParty,
    DocumentSignatory,
    Event,
    EventCitation,
    EventDocument,
    EventParticipant,
    EventState,
    Person,
    PersonCitation,
    PersonName,
    Place,
    PlaceCitation,
    PlaceName,
    Position,
    Provision,
    Source,
    State,
    StateCitation,
    StateName,
)
from archive.models.base import DatedMixin
from tests.factories import make_document, make_person
from tools import generate_archive, generator

SIZE, SEED = 200, 7
REASON = "Generated (seed 7)"

# What seed 7 gives at 200 documents, on every database.
COUNTS = {
    Source: 5,
    State: 8,
    StateName: 15,
    StateCitation: 2,
    Place: 10,
    PlaceName: 9,
    PlaceCitation: 8,
    Person: 60,
    PersonName: 152,
    PersonCitation: 18,
    Position: 25,
    Document: 200,
    DocumentCitation: 63,
    Provision: 184,
    DocumentParty: 494,
    DocumentSignatory: 617,
    DocumentLink: 38,
    Event: 100,
    EventCitation: 34,
    EventParticipant: 253,
    EventState: 192,
    EventDocument: 98,
}
TOTAL = 2585


@pytest.fixture
def generated(db):
    return generator.generate(SIZE, SEED)


def _all_rows(model) -> list[dict]:
    return list(model.objects.order_by("id").values())


def test_shape_scales_with_the_documents_with_minimums():
    assert generator.shape(100_000) == generator.Shape(
        documents=100_000, persons=30_000, states=200, events=50_000, places=5_000, sources=20
    )
    assert generator.shape(1_000_000).persons == 300_000
    assert generator.shape(SIZE) == generator.Shape(
        documents=200, persons=60, states=8, events=100, places=10, sources=5
    )
    assert generator.shape(1) == generator.Shape(
        documents=1, persons=20, states=8, events=10, places=10, sources=5
    )
    with pytest.raises(ValueError):
        generator.shape(0)


def test_the_generator_fills_every_archive_model():
    archive_models = {
        model
        for model in apps.get_app_config("archive").get_models()
        if issubclass(model, DatedMixin)
    }
    assert set(generator.MODELS) == archive_models
    assert set(COUNTS) == archive_models


def test_exact_counts(generated):
    shape = generator.shape(SIZE)
    assert {model: model.objects.count() for model in RECORD_MODELS} == {
        Document: shape.documents,
        Person: shape.persons,
        State: shape.states,
        Event: shape.events,
        Place: shape.places,
        Source: shape.sources,
    }
    assert {model: model.objects.count() for model in generator.MODELS} == COUNTS
    assert generated.rows == COUNTS
    assert generated.versions == COUNTS
    assert generated.total_rows == generated.total_versions == TOTAL
    assert generated.shape == shape and generated.seed == SEED


def test_every_row_has_exactly_one_created_version_holding_the_row(generated):
    for model in generator.MODELS:
        versions = model.history.order_by("id")
        assert versions.count() == model.objects.count(), model
        assert set(versions.values_list("history_type", "history_change_reason")) == {
            ("+", REASON)
        }, model
        assert list(versions.values_list("history_relation_id", flat=True)) == list(
            model.objects.order_by("id").values_list("id", flat=True)
        ), model
        tracked = [field.attname for field in model.history.model.tracked_fields]
        assert list(versions.values(*tracked)) == list(
            model.objects.order_by("id").values(*tracked)
        ), model


def test_every_date_parses_and_its_bounds_are_stored(generated):
    stored = []
    for model in generator.MODELS:
        for field in model.edtf_fields():
            name = field.attname
            rows = model.objects.values_list(
                name, f"{name}_earliest", f"{name}_latest", f"{name}_span"
            )
            for value, earliest, latest, span in rows:
                if not value:
                    assert earliest is None and latest is None and span is None
                    continue
                parsed = dates.parse(value)
                assert (earliest, latest, span) == (
                    parsed.earliest,
                    parsed.latest,
                    date_queries.span_class(parsed.earliest, parsed.latest),
                ), (model, value)
                stored.append(value)
    assert len(stored) > 400
    forms = {
        "day": r"^\d{4}-\d{2}-\d{2}$",
        "month": r"^\d{4}-\d{2}$",
        "year": r"^\d{4}$",
        "approximate": r"^\d{4}~$",
        "uncertain": r"^\d{4}\?$",
        "approximate and uncertain": r"^\d{4}%$",
        "unspecified year": r"^\d{3}X$",
        "unspecified day": r"^\d{4}-\d{2}-XX$",
        "season": r"^\d{4}-2[1-4]$",
        "interval": r"^[\d-]+/[\d-]+$",
        "open end": r"/\.\.$",
        "open start": r"^\.\./",
        "unknown end": r"/$",
        "unknown start": r"^/",
    }
    missing = [
        form
        for form, pattern in forms.items()
        if not any(re.search(pattern, value) for value in stored)
    ]
    assert missing == []
    years = [
        date.year
        for model in (Document, Event)
        for date in model.objects.exclude(date_earliest=None).values_list(
            "date_earliest", flat=True
        )
    ]
    assert sum(1800 <= year <= 1990 for year in years) >= 0.8 * len(years)


def test_nobody_dies_before_being_born(generated):
    persons = Person.objects.exclude(born="").exclude(died="")
    assert persons.count() > 30
    for person in persons:
        assert person.born_latest < person.died_earliest, (person.born, person.died)


def test_search_texts_are_what_a_save_computes(generated):
    for model in RECORD_MODELS:
        for record in model.objects.all():
            assert record.compute_search_texts() == {
                "name_text": record.name_text,
                "search_text": record.search_text,
            }, record.slug


def test_names_come_in_several_scripts_and_spellings(generated):
    forms = list(PersonName.objects.values_list("name", "language", "kind"))
    assert {language for _, language, _ in forms} == {"pl", "ru", "en", "de", "fr"}
    assert {kind for _, _, kind in forms} == {"authorized", "variant", "transliteration"}
    assert any(re.search("[а-я]", name) for name, _, _ in forms)  # Cyrillic
    assert any(re.search("[łśżźćńąęó]", name) for name, _, _ in forms)  # Polish letters
    # Any of a person's spellings finds them.
    for name, _, _ in forms[:20]:
        found = search.filter_text(Person.objects.all(), name.upper())
        assert found.filter(name_forms__name=name).exists(), name


def test_drafts_are_a_few_percent(generated):
    records = sum(model.objects.count() for model in RECORD_MODELS)
    drafts = sum(model.objects.filter(published=False).count() for model in RECORD_MODELS)
    assert 0 < drafts < 0.08 * records


def test_signatories_sign_for_a_party_of_their_document(generated):
    parties = set(DocumentParty.objects.values_list("document_id", "state_id"))
    signatories = DocumentSignatory.objects.values_list("document_id", "on_behalf_of_id")
    assert all(signatory in parties for signatory in signatories)


def test_every_role_is_on_its_relation_s_list(generated):
    """The generator writes rows in bulk, past the forms that check roles."""
    for model in (DocumentParty, DocumentSignatory, EventParticipant, EventState, EventDocument):
        used = set(model.objects.values_list("role", flat=True))
        assert used <= set(model.roles.by_value), (model.__name__, used - set(model.roles.by_value))
        assert len(used) > 1, model.__name__


def _snapshot() -> dict:
    """Everything the generator wrote, but the moment it wrote it."""
    moment = {"created", "modified"}
    return {
        model: [
            {name: value for name, value in row.items() if name not in moment}
            for row in _all_rows(model)
        ]
        for model in generator.MODELS
    }


@pytest.mark.django_db
def test_the_same_seed_gives_the_same_archive():
    generator.generate(SIZE, SEED)
    first = _snapshot()
    generator.clear()
    assert generator.record_count() == 0
    assert all(model.history.count() == 0 for model in generator.MODELS)
    generator.generate(SIZE, SEED)
    assert _snapshot() == first
    generator.clear()
    generator.generate(SIZE, SEED + 1)
    assert _snapshot()[Person] != first[Person]


@pytest.mark.parametrize(
    "write", [lambda: generator.generate(20, SEED), generator.clear], ids=["generate", "clear"]
)
@pytest.mark.django_db
def test_generating_and_clearing_advance_the_data_version(write):
    # Bulk writes send no signals: without this, cached API answers would outlive them.
    before = data_version.from_db()
    write()
    assert data_version.from_db() > before


@pytest.mark.django_db
def test_generated_ids_leave_room_for_ordinary_saves():
    # A deleted person's versions keep its id: the generator does not reuse it.
    gone = make_person()
    gone_id = gone.id
    gone.delete()
    generator.generate(SIZE, SEED)
    assert Person.objects.order_by("id").first().id == gone_id + 1
    # And the database's own id sequence continues after the generated rows.
    assert make_person().id > Person.objects.exclude(slug__startswith="person-0").count()
    assert make_document(title="After").id == Document.objects.count()


@pytest.mark.django_db
def test_the_command_refuses_an_archive_with_records():
    make_person()
    with pytest.raises(CommandError) as refused:
        call_command(generate_archive.Command(), documents=10, stdout=io.StringIO())
    assert str(refused.value) == (
        "The database already holds 1 archive record. "
        "Run with --clear to delete every record, row and version first."
    )
    assert Person.objects.count() == 1 and Document.objects.count() == 0


@pytest.mark.django_db
def test_the_command_prints_progress_and_a_summary():
    out = io.StringIO()
    call_command(generate_archive.Command(), documents=SIZE, seed=SEED, stdout=out)
    text = out.getvalue()
    assert re.search(r"^  documents +200 of 200 +\d+\.\d s$", text, re.MULTILINE)
    assert re.search(r"^DocumentSignatory +617 +617$", text, re.MULTILINE)
    assert re.search(r"^total +2,585 +2,585$", text, re.MULTILINE)
    assert re.search(
        r"^Generated 200 documents \(seed 7\): 2,585 rows and 2,585 versions in "
        r"\d+\.\d s, [\d,]+ rows written per second\.$",
        text,
        re.MULTILINE,
    )
    assert Document.objects.count() == 200


@pytest.mark.django_db
def test_the_command_clears_after_asking(monkeypatch):
    generator.generate(SIZE, SEED)
    answers = iter(["no", "yes"])
    monkeypatch.setattr("builtins.input", lambda prompt: next(answers))
    with pytest.raises(CommandError, match="^Cancelled: nothing was changed.$"):
        call_command(generate_archive.Command(), documents=20, clear=True, stdout=io.StringIO())
    assert Document.objects.count() == SIZE

    call_command(generate_archive.Command(), documents=20, clear=True, stdout=io.StringIO())
    assert Document.objects.count() == 20
    assert Person.objects.count() == generator.shape(20).persons
    for model in generator.MODELS:
        assert model.history.count() == model.objects.count(), model

    call_command(
        generate_archive.Command(),
        documents=10,
        clear=True,
        interactive=False,
        stdout=io.StringIO(),
    )
    assert Document.objects.count() == 10


@pytest.mark.slow  # a process of its own
def test_the_command_runs_from_the_command_line():
    """``python -m tools.generate_archive`` (bin/generate): its options, and a refusal
    printed as Django's commands print theirs, with exit status 1."""
    done = subprocess.run(
        [sys.executable, "-m", "tools.generate_archive", "--documents", "0", "--noinput", "-v0"],
        cwd=settings.BASE_DIR,
        env={**os.environ, "DJANGO_DEBUG": "1"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (done.returncode, done.stdout, done.stderr) == (
        1,
        "",
        "CommandError: --documents must be 1 or more.\n",
    )
