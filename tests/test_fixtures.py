"""The demo data set, and what `manage.py load_archive` does with any fixture.

* The demo set loads completely, every row with one "created" version naming
  the fixture, and says what the seed article says.
* Loading it again changes nothing; loading a changed copy versions exactly
  the rows it changes.
* A bad fixture (an invalid date, a dangling reference, a death before a
  birth) loads nothing at all and says which row is wrong.
"""

import datetime
import io
import json
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import CommandError, call_command

from archive import dates
from archive.models import (
    RECORD_MODELS,
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

DEMO_PATH = Path(settings.BASE_DIR) / "fixtures" / "demo.json"
DEMO_REASON = "Loaded from fixture demo.json"
FIXED_TIME = datetime.datetime(2026, 11, 1, tzinfo=datetime.UTC)
ARTICLE = "sikorski-mayski-agreement-article"

# Rows of each model in fixtures/demo.json. Every loaded row has exactly one
# version, so these are also the version counts after one load.
DEMO_COUNTS = {
    Source: 1,
    State: 4,
    StateName: 6,
    StateCitation: 7,
    Place: 2,
    PlaceName: 1,
    PlaceCitation: 2,
    Person: 7,
    PersonName: 9,
    PersonCitation: 10,
    Position: 7,
    Document: 3,
    DocumentCitation: 5,
    Provision: 3,
    DocumentParty: 6,
    DocumentSignatory: 2,
    DocumentLink: 2,
    Event: 9,
    EventCitation: 10,
    EventParticipant: 12,
    EventState: 20,
    EventDocument: 5,
}
DEMO_TOTAL = 133


def archive_models():
    """Every model of the archive app that is not a version model (nor the data version)."""
    return {
        model
        for model in apps.get_app_config("archive").get_models()
        if not model.__name__.startswith("Historical") and model is not DataVersion
    }


def row_counts() -> dict:
    return {model: model.objects.count() for model in DEMO_COUNTS}


def version_counts() -> dict:
    return {model: model.history.count() for model in DEMO_COUNTS}


def load(path, **options) -> str:
    """Run `manage.py load_archive` on ``path``; return what it printed."""
    out = io.StringIO()
    call_command("load_archive", str(path), stdout=out, **options)
    return out.getvalue()


def demo_objects() -> list[dict]:
    return json.loads(DEMO_PATH.read_text(encoding="utf-8"))


def write_fixture(path: Path, objects: list[dict]) -> Path:
    path.write_text(json.dumps(objects, ensure_ascii=False), encoding="utf-8")
    return path


def find(objects: list[dict], model: str, **fields) -> dict:
    """The one object of ``model`` in a fixture whose fields include ``fields``."""
    (found,) = [
        obj
        for obj in objects
        if obj["model"] == model and all(obj["fields"].get(k) == v for k, v in fields.items())
    ]
    return found


# --- the fixture file ---------------------------------------------------------


def test_demo_counts_cover_every_archive_model():
    assert set(DEMO_COUNTS) == archive_models()
    assert sum(DEMO_COUNTS.values()) == DEMO_TOTAL


def test_demo_file_uses_natural_keys_only():
    objects = demo_objects()
    assert len(objects) == DEMO_TOTAL
    assert [obj for obj in objects if set(obj) != {"model", "fields"}] == []
    for obj in objects:
        model = apps.get_model(obj["model"])
        for name, value in obj["fields"].items():
            field = model._meta.get_field(name)
            if field.is_relation and value is not None:
                # A natural key: a list such as ["poland"], never a database id.
                assert isinstance(value, list), (obj["model"], name, value)


def test_demo_file_lists_referenced_records_before_rows():
    """Records first (sources, states, places, persons, documents, events), then rows."""
    order = [obj["model"] for obj in demo_objects()]
    records = [f"archive.{m}" for m in ("source", "state", "place", "person", "document", "event")]
    record_part = order[: order.index("archive.statename")]
    assert sorted(set(record_part), key=records.index) == records
    assert record_part == sorted(record_part, key=records.index)
    assert not set(order[len(record_part) :]) & set(records)


# --- one load -----------------------------------------------------------------


def test_django_loaddata_saves_the_rows_as_they_are_without_versions(db):
    """`loaddata` stays Django's: the rows as the fixture gives them, no version."""
    call_command("loaddata", str(DEMO_PATH), verbosity=0)
    assert row_counts() == DEMO_COUNTS
    assert version_counts() == dict.fromkeys(DEMO_COUNTS, 0)
    maisky = Person.objects.get(slug="ivan-maisky")
    assert (maisky.created, maisky.modified) == (FIXED_TIME, FIXED_TIME)
    # The signal handlers still derive what the archive derives from a row.
    assert maisky.born_earliest == datetime.date(1884, 1, 19)


def test_demo_load_gives_exact_row_and_version_counts(db):
    assert load(DEMO_PATH, verbosity=0) == ""
    assert row_counts() == DEMO_COUNTS
    assert version_counts() == DEMO_COUNTS
    assert Person.objects.count() == 7
    assert Person.history.count() == 7
    assert Document.objects.count() == 3
    assert Event.objects.count() == 9
    assert State.objects.count() == 4


def test_every_demo_version_is_a_creation_by_the_fixture(demo):
    for model in DEMO_COUNTS:
        kinds = set(
            model.history.values_list("history_type", "history_change_reason", "history_user")
        )
        assert kinds == {("+", DEMO_REASON, None)}, model


def test_a_loaded_record_has_one_version_with_its_content(demo):
    maisky = Person.objects.get(slug="ivan-maisky")
    (version,) = maisky.history.all()
    assert version.history_type == "+"
    assert version.history_change_reason == DEMO_REASON
    assert version.history_user is None
    assert version.name == "Ivan Maisky"
    assert version.born == "1884-01-19"
    assert version.died == "1975-09-03"
    assert version.born_earliest == datetime.date(1884, 1, 19)


def test_a_loaded_relation_row_has_one_version(demo):
    signatory = DocumentSignatory.objects.get(
        document__slug="sikorski-mayski-agreement", person__slug="ivan-maisky"
    )
    (version,) = signatory.history.all()
    assert version.history_type == "+"
    assert version.history_change_reason == DEMO_REASON
    assert version.on_behalf_of_id == State.objects.get(slug="soviet-union").pk


def test_demo_records_are_published_with_fixed_timestamps(demo):
    for model in RECORD_MODELS:
        assert model.objects.filter(published=False).count() == 0, model
        assert set(model.objects.values_list("created", "modified")) == {
            (FIXED_TIME, FIXED_TIME)
        }, model
        assert model.objects.filter(description="").count() == 0, model


def test_every_demo_record_cites_the_article(demo):
    for model in RECORD_MODELS:
        if model is Source:
            continue
        assert model.objects.filter(citations__isnull=True).count() == 0, model
    for citation_model in (
        StateCitation,
        PlaceCitation,
        PersonCitation,
        DocumentCitation,
        EventCitation,
    ):
        sources = set(citation_model.objects.values_list("source__slug", flat=True))
        assert sources == {ARTICLE}, citation_model
        assert citation_model.objects.filter(locator="").count() == 0
    assert sorted(
        DocumentCitation.objects.filter(record__slug="sikorski-mayski-agreement").values_list(
            "locator", flat=True
        )
    ) == ["Introduction", "Provisions", "infobox"]


def test_relation_rows_name_the_article_as_their_source(demo):
    relation_models = (
        Position,
        DocumentParty,
        DocumentSignatory,
        DocumentLink,
        EventParticipant,
        EventState,
        EventDocument,
    )
    for model in relation_models:
        assert set(model.objects.exclude(source=None).values_list("source__slug", flat=True)) == {
            ARTICLE
        }
        assert model.objects.exclude(source=None).filter(source_locator="").count() == 0
    # The one row the article does not state: Germany's share of the partition.
    (unsourced,) = [row for model in relation_models for row in model.objects.filter(source=None)]
    assert isinstance(unsourced, EventState)
    assert unsourced.natural_key() == ("partition-of-poland-1939", "germany", "partitioning power")


def test_internal_notes_are_on_known_records(demo):
    noted = sorted(
        (model.__name__, slug)
        for model in RECORD_MODELS
        for slug in model.objects.exclude(internal_notes="").values_list("slug", flat=True)
    )
    assert noted == [
        ("Event", "sikorski-moscow-mission"),
        ("Person", "ivan-maisky"),
        ("Source", ARTICLE),
    ]
    assert Person.objects.get(slug="ivan-maisky").internal_notes == (
        "Check the Polish spelling “Iwan Majski” against the AAN catalogue before "
        "publishing further Polish name forms."
    )


# --- content ------------------------------------------------------------------


def test_demo_slugs(demo):
    assert sorted(Person.objects.values_list("slug", flat=True)) == [
        "anthony-eden",
        "ivan-maisky",
        "joseph-stalin",
        "stanislaw-kot",
        "wladyslaw-anders",
        "wladyslaw-sikorski",
        "zygmunt-szyszko-bohusz",
    ]
    assert sorted(State.objects.values_list("slug", flat=True)) == [
        "germany",
        "poland",
        "soviet-union",
        "united-kingdom",
    ]
    assert list(Document.objects.values_list("slug", flat=True)) == [
        "molotov-ribbentrop-pact",
        "sikorski-mayski-agreement",
        "polish-soviet-military-agreement",
    ]
    assert list(Event.objects.values_list("slug", "kind", "date")) == [
        ("partition-of-poland-1939", "partition", "1939-09"),
        ("invasion-of-poland-1939", "invasion", "1939-09-17/1939-10-06"),
        ("formation-of-the-anders-army", "formation", "1941"),
        ("operation-barbarossa", "invasion", "1941-06-22"),
        ("polish-soviet-negotiations-1941", "negotiation", "1941-07-05/1941-07-30"),
        ("signing-of-the-sikorski-mayski-agreement", "signing", "1941-07-30"),
        ("sikorski-moscow-mission", "mission", "1941-08/1941-12"),
        ("amnesty-for-polish-citizens-1941", "amnesty", "1941-08-12"),
        ("signing-of-the-military-agreement", "signing", "1941-08-14"),
    ]
    assert sorted(Place.objects.values_list("slug", "state__slug")) == [
        ("london", "united-kingdom"),
        ("moscow", "soviet-union"),
    ]
    assert list(Source.objects.values_list("slug", "title", "author", "url")) == [
        (
            ARTICLE,
            "Sikorski–Mayski agreement",
            "Wikipedia contributors",
            "https://en.wikipedia.org/wiki/Sikorski%E2%80%93Mayski_agreement",
        )
    ]


def test_maisky_name_forms_position_and_search_text(demo):
    maisky = Person.objects.get(slug="ivan-maisky")
    assert maisky.name == "Ivan Maisky"
    assert list(maisky.name_forms.values_list("name", "language", "kind")) == [
        ("Ivan Maisky", "en", "authorized"),
        ("Ivan Mayski", "en", "variant"),
        ("Iwan Majski", "pl", "variant"),
        ("Иван Майский", "ru", "authorized"),
    ]
    assert list(maisky.positions.values_list("title", "state__slug", "period")) == [
        ("Soviet ambassador to the United Kingdom", "soviet-union", "1932/1943")
    ]
    (position,) = maisky.positions.all()
    assert (position.period_earliest, position.period_latest) == (
        datetime.date(1932, 1, 1),
        datetime.date(1943, 12, 31),
    )
    # Maisky, Mayski and Majski share one matching key (archive.search.key).
    assert maisky.name_text == "| ivan maiski | иван маискии |"
    assert " maiski " in maisky.search_text


def test_sikorski_and_the_states_name_forms(demo):
    sikorski = Person.objects.get(slug="wladyslaw-sikorski")
    assert sikorski.name == "Władysław Sikorski"
    assert list(sikorski.name_forms.values_list("name", "language", "kind")) == [
        ("Władysław Sikorski", "pl", "authorized"),
        ("Wladyslaw Sikorski", "en", "variant"),
    ]
    assert list(sikorski.positions.values_list("title", "state__slug", "period")) == [
        ("Prime Minister of Poland", "poland", "1939/1943")
    ]
    assert (sikorski.born_earliest, sikorski.died_latest) == (
        datetime.date(1881, 5, 20),
        datetime.date(1943, 7, 4),
    )
    poland = State.objects.get(slug="poland")
    assert (poland.name, poland.official_name) == ("Poland", "Republic of Poland")
    assert list(poland.name_forms.values_list("name", "language", "kind")) == [
        ("Rzeczpospolita Polska", "pl", "authorized"),
        ("Polish government-in-exile", "en", "variant"),
    ]
    assert " polish government in exile " in poland.search_text
    soviet = State.objects.get(slug="soviet-union")
    assert soviet.official_name == "Union of Soviet Socialist Republics"
    assert list(soviet.name_forms.values_list("name", "language", "kind")) == [
        ("U.S.S.R.", "en", "variant"),
        ("USSR", "en", "variant"),
        ("СССР", "ru", "variant"),
    ]
    assert (soviet.existence_earliest, soviet.existence_latest) == (
        datetime.date(1922, 12, 30),
        datetime.date(1991, 12, 26),
    )
    assert " ussr " in soviet.search_text


def test_the_agreement(demo):
    agreement = Document.objects.get(slug="sikorski-mayski-agreement")
    assert agreement.title == "Sikorski–Mayski agreement"
    assert agreement.official_title == "Treaty between the Republic of Poland and the U.S.S.R."
    assert agreement.kind == "agreement"
    assert agreement.date == "1941-07-30"
    assert agreement.date_earliest == datetime.date(1941, 7, 30)
    assert agreement.date_latest == datetime.date(1941, 7, 30)
    assert agreement.place.slug == "london"
    assert list(agreement.parties.values_list("state__slug", "role")) == [
        ("poland", "party"),
        ("soviet-union", "party"),
    ]
    assert list(
        agreement.signatories.values_list("person__slug", "on_behalf_of__slug", "role")
    ) == [
        ("wladyslaw-sikorski", "poland", "signatory"),
        ("ivan-maisky", "soviet-union", "signatory"),
    ]
    assert list(agreement.provisions.values_list("number", "text")) == [
        (1, "The Soviet Union declares all its previous pacts with Nazi Germany null and void."),
        (2, "The September 1939 partition of Poland is invalidated."),
        (
            3,
            "The Soviet Union releases tens of thousands of Polish prisoners-of-war held in "
            "Soviet camps.",
        ),
    ]
    assert list(agreement.links.values_list("role", "target__slug")) == [
        ("annuls", "molotov-ribbentrop-pact")
    ]
    assert list(agreement.linked_from.values_list("document__slug", "role")) == [
        ("polish-soviet-military-agreement", "supplements")
    ]


def test_the_pact_and_the_military_agreement(demo):
    pact = Document.objects.get(slug="molotov-ribbentrop-pact")
    assert (pact.kind, pact.date, pact.place.slug) == ("pact", "1939-08-23", "moscow")
    assert sorted(pact.parties.values_list("state__slug", flat=True)) == [
        "germany",
        "soviet-union",
    ]
    military = Document.objects.get(slug="polish-soviet-military-agreement")
    assert (military.kind, military.date, military.place.slug) == (
        "agreement",
        "1941-08-14",
        "moscow",
    )
    assert list(military.parties.values_list("state__slug", "role")) == [
        ("poland", "party"),
        ("soviet-union", "party"),
    ]


def test_the_events(demo):
    negotiations = Event.objects.get(slug="polish-soviet-negotiations-1941")
    assert (negotiations.date_earliest, negotiations.date_latest) == (
        datetime.date(1941, 7, 5),
        datetime.date(1941, 7, 30),
    )
    assert list(negotiations.participants.values_list("person__slug", "role")) == [
        ("wladyslaw-sikorski", "architect"),
        ("wladyslaw-sikorski", "negotiator"),
        ("ivan-maisky", "negotiator"),
        ("anthony-eden", "sponsor"),
        ("joseph-stalin", "leader"),
    ]
    assert list(negotiations.documents.values_list("document__slug", "role")) == [
        ("sikorski-mayski-agreement", "negotiated at")
    ]
    signing = Event.objects.get(slug="signing-of-the-sikorski-mayski-agreement")
    assert signing.place.slug == "london"
    assert list(signing.documents.values_list("document__slug", "role")) == [
        ("sikorski-mayski-agreement", "signed at")
    ]
    barbarossa = Event.objects.get(slug="operation-barbarossa")
    assert barbarossa.date_earliest == datetime.date(1941, 6, 22)
    assert list(barbarossa.states.values_list("state__slug", "role")) == [
        ("germany", "aggressor"),
        ("soviet-union", "invaded"),
    ]
    invasion = Event.objects.get(slug="invasion-of-poland-1939")
    assert list(invasion.states.values_list("state__slug", "role")) == [
        ("soviet-union", "aggressor"),
        ("poland", "invaded"),
    ]
    mission = Event.objects.get(slug="sikorski-moscow-mission")
    assert (mission.date_earliest, mission.date_latest) == (
        datetime.date(1941, 8, 1),
        datetime.date(1941, 12, 31),
    )
    assert list(mission.participants.values_list("person__slug", "role")) == [
        ("wladyslaw-sikorski", "head of mission"),
        ("stanislaw-kot", "member"),
        ("zygmunt-szyszko-bohusz", "member"),
    ]
    anders_army = Event.objects.get(slug="formation-of-the-anders-army")
    assert list(anders_army.participants.values_list("person__slug", "role")) == [
        ("wladyslaw-anders", "commander")
    ]
    amnesty = Event.objects.get(slug="amnesty-for-polish-citizens-1941")
    assert amnesty.date_earliest == amnesty.date_latest == datetime.date(1941, 8, 12)


# --- loading again ------------------------------------------------------------


def test_second_load_adds_no_rows_no_versions_and_keeps_timestamps(demo):
    records_before = {
        model: sorted(model.objects.values_list("slug", "created", "modified", "search_text"))
        for model in RECORD_MODELS
    }
    output = load(DEMO_PATH)
    assert output == f"Installed {DEMO_TOTAL} object(s) from 1 fixture(s)\n"
    assert row_counts() == DEMO_COUNTS
    assert version_counts() == DEMO_COUNTS
    records_after = {
        model: sorted(model.objects.values_list("slug", "created", "modified", "search_text"))
        for model in RECORD_MODELS
    }
    assert records_after == records_before
    assert Person.objects.get(slug="ivan-maisky").modified == FIXED_TIME


@pytest.mark.parametrize(
    ("model", "lookup", "change"),
    [
        (Person, {"slug": "anthony-eden"}, {"description": "British Foreign Secretary."}),
        (
            Provision,
            {"document": ["sikorski-mayski-agreement"], "number": 2},
            {"text": "The partition of Poland of September 1939 is invalid."},
        ),
        (
            DocumentSignatory,
            {"document": ["sikorski-mayski-agreement"], "person": ["ivan-maisky"]},
            {"source_locator": "Introduction"},
        ),
    ],
    ids=["record", "provision", "relation row"],
)
def test_loading_a_changed_copy_versions_only_the_changed_row(
    demo, tmp_path, model, lookup, change
):
    objects = demo_objects()
    find(objects, f"archive.{model._meta.model_name}", **lookup)["fields"].update(change)
    changed_fixture = write_fixture(tmp_path / "demo-edit.json", objects)

    load(changed_fixture, verbosity=0)

    assert row_counts() == DEMO_COUNTS
    assert version_counts() == {**DEMO_COUNTS, model: DEMO_COUNTS[model] + 1}
    filters = {
        (f"{name}__slug" if isinstance(value, list) else name): (
            value[0] if isinstance(value, list) else value
        )
        for name, value in lookup.items()
    }
    row = model.objects.get(**filters)
    newest, oldest = row.history.all()
    assert (newest.history_type, newest.history_change_reason, newest.history_user) == (
        "~",
        "Loaded from fixture demo-edit.json",
        None,
    )
    assert (oldest.history_type, oldest.history_change_reason) == ("+", DEMO_REASON)
    assert newest.diff_against(oldest).changed_fields == list(change)
    ((field, value),) = change.items()
    assert getattr(row, field) == value


def test_a_changed_record_moves_only_its_own_modified(demo, tmp_path):
    objects = demo_objects()
    find(objects, "archive.person", slug="anthony-eden")["fields"]["description"] = "Changed."
    load(write_fixture(tmp_path / "demo-edit.json", objects), verbosity=0)

    eden = Person.objects.get(slug="anthony-eden")
    assert eden.created == FIXED_TIME
    assert eden.modified > FIXED_TIME
    assert set(Person.objects.exclude(slug="anthony-eden").values_list("modified", flat=True)) == {
        FIXED_TIME
    }


def test_a_forward_reference_gets_one_complete_version(db, tmp_path):
    """A row that names a row further down the fixture is versioned as the fixture gives it."""
    fixture = write_fixture(
        tmp_path / "forward.json",
        [
            {
                "model": "archive.document",
                "fields": {"slug": "doc", "title": "Doc", "kind": "other", "place": ["here"]},
            },
            {"model": "archive.place", "fields": {"slug": "here", "name": "Here"}},
        ],
    )
    load(fixture, verbosity=0)
    load(fixture, verbosity=0)

    document = Document.objects.get(slug="doc")
    place = Place.objects.get(slug="here")
    assert document.place == place
    (version,) = document.history.all()
    assert (version.history_type, version.history_change_reason, version.place_id) == (
        "+",
        "Loaded from fixture forward.json",
        place.pk,
    )


# --- refused fixtures ---------------------------------------------------------


def refused(path: Path) -> str:
    """Load a fixture that must be refused; return the error message."""
    with pytest.raises(CommandError) as error:
        load(path, verbosity=0)
    return str(error.value)


def good_rows() -> list[dict]:
    """Valid rows that come before the bad one in each refused fixture."""
    return [
        {"model": "archive.state", "fields": {"slug": "atlantis-state", "name": "Atlantis"}},
        {
            "model": "archive.person",
            "fields": {"slug": "good-person", "name": "Good Person", "born": "1900"},
        },
        {
            "model": "archive.personname",
            "fields": {"record": ["good-person"], "name": "Gut", "language": "de"},
        },
    ]


def test_an_invalid_date_loads_nothing_and_names_the_row(db, tmp_path):
    path = write_fixture(
        tmp_path / "bad-date.json",
        [
            *good_rows(),
            {"model": "archive.person", "fields": {"slug": "bad-person", "born": "1941-13"}},
        ],
    )
    assert refused(path) == (
        f"Problem installing fixture '{path}': Could not load archive.Person “bad-person”: "
        f"born: “1941-13” is not a valid EDTF date. Use a form such as {dates.EXAMPLES}. "
        "Nothing was loaded."
    )
    assert row_counts() == dict.fromkeys(DEMO_COUNTS, 0)
    assert version_counts() == dict.fromkeys(DEMO_COUNTS, 0)


def test_a_refused_fixture_leaves_loaded_data_unchanged(demo, tmp_path):
    objects = demo_objects()
    find(objects, "archive.person", slug="anthony-eden")["fields"]["description"] = "Changed."
    path = write_fixture(
        tmp_path / "bad-edit.json",
        [
            *objects,
            *good_rows(),
            {
                "model": "archive.position",
                "fields": {"person": ["ivan-maisky"], "title": "Envoy", "period": "1943/1932"},
            },
        ],
    )
    assert refused(path) == (
        f"Problem installing fixture '{path}': Could not load archive.Position "
        "“ivan-maisky Envoy 1943/1932”: period: “1943/1932” is not a valid EDTF date: "
        "the interval ends before it starts. Nothing was loaded."
    )
    assert row_counts() == DEMO_COUNTS
    assert version_counts() == DEMO_COUNTS
    eden = Person.objects.get(slug="anthony-eden")
    assert eden.description != "Changed."
    assert eden.modified == FIXED_TIME


def test_a_death_before_birth_is_refused(db, tmp_path):
    path = write_fixture(
        tmp_path / "bad-order.json",
        [
            *good_rows(),
            {
                "model": "archive.person",
                "fields": {"slug": "late-born", "name": "Late", "born": "1950", "died": "1940"},
            },
        ],
    )
    assert refused(path) == (
        f"Problem installing fixture '{path}': Could not load archive.Person “late-born”: "
        "died: A person cannot die before they are born. Nothing was loaded."
    )
    assert row_counts() == dict.fromkeys(DEMO_COUNTS, 0)
    assert version_counts() == dict.fromkeys(DEMO_COUNTS, 0)


def test_a_dangling_reference_in_a_natural_key_loads_nothing(db, tmp_path):
    path = write_fixture(
        tmp_path / "dangling.json",
        [
            *good_rows(),
            {"model": "archive.document", "fields": {"slug": "doc", "title": "D", "kind": "pact"}},
            {
                "model": "archive.documentparty",
                "fields": {"document": ["doc"], "state": ["atlantis"], "role": "party"},
            },
        ],
    )
    assert refused(path) == (
        f"Problem installing fixture '{path}': archive.DocumentParty “doc atlantis party” "
        "(object 5): state “atlantis” does not exist. Nothing was loaded."
    )
    assert row_counts() == dict.fromkeys(DEMO_COUNTS, 0)
    assert version_counts() == dict.fromkeys(DEMO_COUNTS, 0)


def test_a_dangling_optional_reference_loads_nothing(db, tmp_path):
    path = write_fixture(
        tmp_path / "dangling-place.json",
        [
            *good_rows(),
            {
                "model": "archive.document",
                "fields": {"slug": "doc", "title": "D", "kind": "pact", "place": ["atlantis"]},
            },
        ],
    )
    assert refused(path) == (
        f"Problem installing fixture '{path}': archive.Document “doc” (object 4): "
        "place “atlantis” does not exist. Nothing was loaded."
    )
    assert row_counts() == dict.fromkeys(DEMO_COUNTS, 0)
    assert version_counts() == dict.fromkeys(DEMO_COUNTS, 0)


def test_a_role_outside_its_relation_s_list_loads_nothing(db, tmp_path):
    """Roles are controlled lists (archive.models.roles); ``loaddata`` would save
    any text, so load_archive checks every field with choices as a form does."""
    path = write_fixture(
        tmp_path / "bad-role.json",
        [
            *good_rows(),
            {"model": "archive.document", "fields": {"slug": "doc", "title": "D", "kind": "pact"}},
            {
                "model": "archive.documentparty",
                "fields": {"document": ["doc"], "state": ["atlantis-state"], "role": "ally"},
            },
        ],
    )
    assert refused(path) == (
        f"Problem installing fixture '{path}': Could not load archive.DocumentParty "
        "“doc atlantis-state ally”: role: “ally” is not one of its choices: “party”, "
        "“guarantor”, “mediator”, “depositary”, “observer”. Nothing was loaded."
    )
    assert row_counts() == dict.fromkeys(DEMO_COUNTS, 0)
