"""Version history of every model, past relation rows, cascades and database constraints."""

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from archive.models import (
    DataVersion,
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
from tests.factories import (
    make_document,
    make_event,
    make_person,
    make_place,
    make_source,
    make_state,
)


@dataclass(frozen=True)
class Spec:
    """How to build one row of a model, and which field to change on it."""

    build: Callable[[], models.Model]
    field: str
    new: str

    def __str__(self):
        return self.field


SPECS = {
    # Records.
    Document: Spec(lambda: make_document(title="Draft treaty"), "title", "Treaty of Riga"),
    Person: Spec(lambda: make_person(name="Ivan Maisky"), "name", "Ivan M. Maisky"),
    State: Spec(lambda: make_state(name="USSR"), "name", "Soviet Union"),
    Event: Spec(lambda: make_event(name="Negotiations"), "name", "Negotiations in London"),
    Place: Spec(lambda: make_place(name="Moskva"), "name", "Moscow"),
    Source: Spec(lambda: make_source(title="Article"), "title", "Sikorski–Mayski agreement"),
    # Name rows.
    PersonName: Spec(
        lambda: PersonName.objects.create(record=make_person(), name="Iwan Majski", language="pl"),
        "name",
        "Iwan Majskij",
    ),
    StateName: Spec(
        lambda: StateName.objects.create(record=make_state(), name="USSR", language="en"),
        "name",
        "U.S.S.R.",
    ),
    PlaceName: Spec(
        lambda: PlaceName.objects.create(record=make_place(), name="Moskwa", language="pl"),
        "name",
        "Moskau",
    ),
    # Citation rows.
    DocumentCitation: Spec(
        lambda: DocumentCitation.objects.create(
            record=make_document(), source=make_source(), locator="p. 1"
        ),
        "locator",
        "p. 2",
    ),
    PersonCitation: Spec(
        lambda: PersonCitation.objects.create(
            record=make_person(), source=make_source(), locator="p. 1"
        ),
        "locator",
        "p. 2",
    ),
    StateCitation: Spec(
        lambda: StateCitation.objects.create(
            record=make_state(), source=make_source(), locator="p. 1"
        ),
        "locator",
        "p. 2",
    ),
    EventCitation: Spec(
        lambda: EventCitation.objects.create(
            record=make_event(), source=make_source(), locator="p. 1"
        ),
        "locator",
        "p. 2",
    ),
    PlaceCitation: Spec(
        lambda: PlaceCitation.objects.create(
            record=make_place(), source=make_source(), locator="p. 1"
        ),
        "locator",
        "p. 2",
    ),
    # Relation rows.
    Provision: Spec(
        lambda: Provision.objects.create(document=make_document(), number=1, text="Old text."),
        "text",
        "New text.",
    ),
    DocumentParty: Spec(
        lambda: DocumentParty.objects.create(document=make_document(), state=make_state()),
        "role",
        "guarantor",
    ),
    DocumentSignatory: Spec(
        lambda: DocumentSignatory.objects.create(
            document=make_document(), person=make_person(), on_behalf_of=make_state()
        ),
        "role",
        "witness",
    ),
    DocumentLink: Spec(
        lambda: DocumentLink.objects.create(document=make_document(), target=make_document()),
        "role",
        "annuls",
    ),
    EventParticipant: Spec(
        lambda: EventParticipant.objects.create(event=make_event(), person=make_person()),
        "role",
        "negotiator",
    ),
    EventState: Spec(
        lambda: EventState.objects.create(event=make_event(), state=make_state()),
        "role",
        "aggressor",
    ),
    EventDocument: Spec(
        lambda: EventDocument.objects.create(event=make_event(), document=make_document()),
        "role",
        "signed at",
    ),
    Position: Spec(
        lambda: Position.objects.create(
            person=make_person(), title="Ambassador", state=make_state(), period="1932/1943"
        ),
        "title",
        "Soviet ambassador to the United Kingdom",
    ),
}

MODELS = list(SPECS)
IDS = [model.__name__ for model in MODELS]


def concrete_archive_models() -> set[type[models.Model]]:
    """Every model of the archive app except the historical ones simple-history adds.

    And the data version: a counter, not archive data, it has no history.
    """
    return {
        model
        for model in apps.get_app_config("archive").get_models()
        if not model.__name__.startswith("Historical") and model is not DataVersion
    }


def test_specs_cover_every_model():
    """The history tests below run for every concrete model of the archive."""
    assert set(SPECS) == concrete_archive_models()


@pytest.mark.parametrize("model", MODELS, ids=IDS)
def test_history_ids_are_64_bit(model):
    """Version ids are 64-bit: a busy archive outgrows a 32-bit id."""
    assert isinstance(model.history.model._meta.pk, models.BigAutoField)
    assert model.history.model._meta.pk.name == "history_id"


@pytest.mark.parametrize("model", MODELS, ids=IDS)
@pytest.mark.django_db
def test_create_writes_one_version(model):
    """Creating a row writes exactly one "created" version with its values."""
    spec = SPECS[model]
    obj = spec.build()
    (version,) = obj.history.all()
    assert version.history_type == "+"
    assert version.history_change_reason is None
    assert getattr(version, spec.field) == getattr(obj, spec.field)
    assert version.id == obj.pk
    assert list(obj.versions.all()) == [version]


@pytest.mark.parametrize("model", MODELS, ids=IDS)
@pytest.mark.django_db
def test_change_writes_a_version_with_its_reason(model):
    """A change writes a "changed" version with the reason; the first keeps the old value."""
    spec = SPECS[model]
    obj = spec.build()
    old = getattr(obj, spec.field)
    setattr(obj, spec.field, spec.new)
    obj._change_reason = "Corrected from the source"
    obj.save()

    (v2, v1) = obj.history.all()
    assert (v2.history_type, v2.history_change_reason, getattr(v2, spec.field)) == (
        "~",
        "Corrected from the source",
        spec.new,
    )
    assert (v1.history_type, v1.history_change_reason, getattr(v1, spec.field)) == (
        "+",
        None,
        old,
    )
    assert old != spec.new
    assert [(change.field, change.old, change.new) for change in v2.diff_against(v1).changes] == [
        (spec.field, old, spec.new)
    ]


@pytest.mark.parametrize("model", MODELS, ids=IDS)
@pytest.mark.django_db
def test_delete_writes_a_version_and_keeps_the_history(model):
    """Deleting a row writes a "deleted" version; its history outlives the row."""
    spec = SPECS[model]
    obj = spec.build()
    setattr(obj, spec.field, spec.new)
    obj.save()
    pk = obj.pk
    obj.delete()

    assert not model.objects.filter(pk=pk).exists()
    (v3, v2, v1) = model.history.filter(id=pk)
    assert [v.history_type for v in (v3, v2, v1)] == ["-", "~", "+"]
    assert getattr(v3, spec.field) == spec.new


@pytest.mark.parametrize(
    "model", [Document, Person, State, Event, Place, Source], ids=lambda m: m.__name__
)
def test_record_history_leaves_out_the_search_text(model):
    """A record's versions hold its content, not the derived search text."""
    fields = {field.name for field in model.history.model._meta.fields}
    assert "search_text" not in fields
    assert {"slug", "published", "description", "internal_notes"} <= fields


# --- relation rows as of a past moment -----------------------------------------------


def _parties(document) -> list[tuple[int, str]]:
    return [(party.state_id, party.role) for party in document.parties.order_by("pk")]


@pytest.mark.django_db
def test_as_of_reads_past_relation_rows():
    """A document read as of a moment has the parties it had then, with their roles then."""
    poland, ussr, britain = make_state(), make_state(), make_state()
    document = make_document(title="Agreement")
    first = DocumentParty.objects.create(document=document, state=poland)
    t1 = timezone.now()

    second = DocumentParty.objects.create(document=document, state=ussr)
    t2 = timezone.now()

    first.role = "signatory state"
    first.save()
    second.delete()
    DocumentParty.objects.create(document=document, state=britain, role="guarantor")
    document.title = "Polish–Soviet Agreement"
    document.save()
    t3 = timezone.now()

    at_t1 = document.history.as_of(t1)
    assert at_t1.title == "Agreement"
    assert _parties(at_t1) == [(poland.pk, "party")]

    at_t2 = document.history.as_of(t2)
    assert _parties(at_t2) == [(poland.pk, "party"), (ussr.pk, "party")]

    at_t3 = document.history.as_of(t3)
    assert at_t3.title == "Polish–Soviet Agreement"
    assert _parties(at_t3) == [(poland.pk, "signatory state"), (britain.pk, "guarantor")]
    assert _parties(document) == _parties(at_t3)


@pytest.mark.django_db
def test_as_of_reads_past_name_forms():
    """A person read as of a moment has the name forms it had then."""
    person = make_person(name="Ivan Maisky")
    PersonName.objects.create(record=person, name="Ivan Mayski", language="en")
    t1 = timezone.now()
    PersonName.objects.create(record=person, name="Иван Майский", language="ru")

    past = person.history.as_of(t1)
    assert [form.name for form in past.name_forms.order_by("pk")] == ["Ivan Mayski"]
    assert [form.name for form in person.name_forms.order_by("pk")] == [
        "Ivan Mayski",
        "Иван Майский",
    ]


@pytest.mark.django_db
def test_as_of_before_creation_finds_nothing():
    """A record read as of a moment before it existed does not exist."""
    before = timezone.now()
    document = make_document()
    with pytest.raises(Document.DoesNotExist):
        document.history.as_of(before)


# --- cascades ---------------------------------------------------------------------


def _document_with_rows():
    document = make_document()
    source = make_source()
    rows = [
        Provision.objects.create(document=document, number=1, text="Relations are restored."),
        DocumentParty.objects.create(document=document, state=make_state()),
        DocumentSignatory.objects.create(document=document, person=make_person()),
        DocumentLink.objects.create(document=document, target=make_document(), role="annuls"),
        DocumentCitation.objects.create(record=document, source=source),
    ]
    return document, rows


def _person_with_rows():
    person = make_person()
    rows = [
        PersonName.objects.create(record=person, name="Iwan Majski", language="pl"),
        PersonCitation.objects.create(record=person, source=make_source()),
        Position.objects.create(person=person, title="Ambassador", period="1932/1943"),
    ]
    return person, rows


def _state_with_rows():
    state = make_state()
    rows = [
        StateName.objects.create(record=state, name="U.S.S.R.", language="en"),
        StateCitation.objects.create(record=state, source=make_source()),
    ]
    return state, rows


def _event_with_rows():
    event = make_event()
    rows = [
        EventParticipant.objects.create(event=event, person=make_person()),
        EventState.objects.create(event=event, state=make_state()),
        EventDocument.objects.create(event=event, document=make_document()),
        EventCitation.objects.create(record=event, source=make_source()),
    ]
    return event, rows


def _place_with_rows():
    place = make_place()
    rows = [
        PlaceName.objects.create(record=place, name="Moskwa", language="pl"),
        PlaceCitation.objects.create(record=place, source=make_source()),
    ]
    return place, rows


@pytest.mark.parametrize(
    "build",
    [_document_with_rows, _person_with_rows, _state_with_rows, _event_with_rows, _place_with_rows],
    ids=["Document", "Person", "State", "Event", "Place"],
)
@pytest.mark.django_db
def test_delete_cascades_to_rows_with_versions(build):
    """Deleting a record deletes its rows, and every row gets a "deleted" version."""
    record, rows = build()
    pk = record.pk
    record.delete()

    for row in rows:
        model = type(row)
        assert not model.objects.filter(pk=row.pk).exists()
        (deleted, created) = model.history.filter(id=row.pk)
        assert (deleted.history_type, created.history_type) == ("-", "+")
    (deleted, created) = type(record).history.filter(id=pk)
    assert (deleted.history_type, created.history_type) == ("-", "+")


@pytest.mark.django_db
def test_delete_refuses_a_record_that_other_rows_point_at():
    """A state that is party to a document cannot be deleted: the party row protects it."""
    state = make_state()
    DocumentParty.objects.create(document=make_document(), state=state)
    with pytest.raises(models.ProtectedError), transaction.atomic():
        state.delete()
    (version,) = state.history.all()
    assert version.history_type == "+"


# --- database constraints -------------------------------------------------------------


@pytest.mark.parametrize(
    "make",
    [make_document, make_person, make_state, make_event, make_place, make_source],
    ids=lambda make: make.__name__,
)
@pytest.mark.django_db
def test_duplicate_slug_is_refused(make):
    """Two records of one type cannot share a slug; the refused one leaves no version."""
    first = make(slug="same")
    with pytest.raises(IntegrityError), transaction.atomic():
        make(slug="same")
    model = type(first)
    assert list(model.objects.values_list("pk", flat=True)) == [first.pk]
    assert model.history.count() == 1


@pytest.mark.django_db
def test_duplicate_party_is_refused():
    """A state is party to a document once per role."""
    document, state = make_document(), make_state()
    DocumentParty.objects.create(document=document, state=state, role="party")
    DocumentParty.objects.create(document=document, state=state, role="guarantor")
    with pytest.raises(IntegrityError), transaction.atomic():
        DocumentParty.objects.create(document=document, state=state, role="party")
    assert DocumentParty.objects.count() == 2
    assert DocumentParty.history.count() == 2


@pytest.mark.django_db
def test_document_link_to_itself_is_refused():
    """A document cannot be linked to itself, by the database or by validation."""
    document = make_document()
    link = DocumentLink(document=document, target=document)
    with pytest.raises(ValidationError) as excinfo:
        link.full_clean()
    assert excinfo.value.message_dict == {"__all__": ["A document cannot be linked to itself."]}
    with pytest.raises(IntegrityError), transaction.atomic():
        link.save()
    assert not DocumentLink.objects.exists()
    assert not DocumentLink.history.exists()


@pytest.mark.parametrize(
    ("latitude", "longitude"),
    [(Decimal("55.755833"), None), (None, Decimal("37.617222"))],
    ids=["lat", "lon"],
)
@pytest.mark.django_db
def test_place_needs_both_coordinates_or_neither(latitude, longitude):
    """A place with only one coordinate is refused, by the database and by validation."""
    place = Place(slug="moscow", name="Moscow", latitude=latitude, longitude=longitude)
    with pytest.raises(ValidationError) as excinfo:
        place.full_clean()
    assert excinfo.value.message_dict == {
        "__all__": ["Give both latitude and longitude, or neither."]
    }
    with pytest.raises(IntegrityError), transaction.atomic():
        place.save()
    assert not Place.objects.exists()


@pytest.mark.parametrize(
    ("latitude", "longitude"),
    [(Decimal("55.755833"), Decimal("37.617222")), (None, None)],
    ids=["both", "neither"],
)
@pytest.mark.django_db
def test_place_with_both_coordinates_or_neither_is_accepted(latitude, longitude):
    """Both coordinates, or none, are accepted."""
    place = make_place(latitude=latitude, longitude=longitude)
    place.full_clean()
    assert Place.objects.filter(pk=place.pk).exists()


@pytest.mark.parametrize(
    ("model", "make"),
    [(PersonName, make_person), (StateName, make_state), (PlaceName, make_place)],
    ids=["PersonName", "StateName", "PlaceName"],
)
@pytest.mark.django_db
def test_name_form_is_unique_per_record_and_language(model, make):
    """A record has a name form once per language; other languages and records may repeat it."""
    record, other = make(), make()
    model.objects.create(record=record, name="Moskva", language="en")
    model.objects.create(record=record, name="Moskva", language="ru-Latn")
    model.objects.create(record=other, name="Moskva", language="en")
    with pytest.raises(IntegrityError), transaction.atomic():
        model.objects.create(record=record, name="Moskva", language="en", kind="former")
    assert model.objects.count() == 3
    assert model.history.count() == 3


@pytest.mark.django_db
def test_a_change_of_link_to_a_record_deleted_since_reads_as_empty():
    """The diff names the records linked before and after; one deleted since is
    empty (simple-history's DeletedObject), not "Deleted person (1)"."""
    from archive import history

    document = Document.objects.create(slug="pact", title="Pact", kind="treaty", published=True)
    first = Person.objects.create(slug="first", name="First", published=True)
    second = Person.objects.create(slug="second", name="Second", published=True)
    signatory = DocumentSignatory.objects.create(document=document, person=first, role="envoy")
    signatory.person = second
    signatory.save()
    first.delete()
    (changed, _, _) = history.history(document)
    assert history.ADMIN.show(changed).changes == [("person", "", "Second")]
