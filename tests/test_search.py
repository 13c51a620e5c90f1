"""Text matching: normalisation, and the search text each record keeps."""

import pytest
from django.conf import settings

from archive import search
from archive.models import Person, PersonName, PlaceName, State, StateName
from archive.search import document_text, filter_text, normalize, words
from tests.factories import (
    make_document,
    make_event,
    make_person,
    make_place,
    make_source,
    make_state,
)


@pytest.mark.parametrize(
    ("text", "normalized"),
    [
        # Accents and letters that do not decompose.
        ("Władysław Sikorski", "wladyslaw sikorski"),
        ("Łódź", "lodz"),
        ("Kraków", "krakow"),
        ("Zürich", "zurich"),
        ("Đorđe", "dorde"),
        ("Ærø", "aero"),
        ("Straße", "strasse"),
        ("STRASSE", "strasse"),
        ("Ø", "o"),
        ("ø", "o"),
        ("İstanbul", "istanbul"),
        # Marks inside abbreviations and names vanish.
        ("U.S.S.R.", "ussr"),
        ("O'Brien", "obrien"),
        ("O’Brien", "obrien"),
        # Other punctuation separates words.
        ("Szyszko-Bohusz", "szyszko bohusz"),
        ("Sikorski–Mayski", "sikorski mayski"),
        ("Molotov—Ribbentrop", "molotov ribbentrop"),
        ("Mołotow_Ribbentrop", "molotow ribbentrop"),
        ("  Sikorski ,,  Mayski -- 1941!! ", "sikorski mayski 1941"),
        ("Sikorski\t\nMayski", "sikorski mayski"),
        # Compatibility forms fold to plain letters.
        ("Ｍａｙｓｋｉ", "mayski"),
        ("ﬁnal", "final"),
        # Other scripts are kept, lower-cased and unaccented.
        ("Иван Майский", "иван маискии"),
        ("ΣΊΣΥΦΟΣ", "σισυφοσ"),
        # Nothing left.
        ("", ""),
        ("   ", ""),
        ("...", ""),
        ("– , ;", ""),
    ],
)
def test_normalize(text, normalized):
    """Case, accents and punctuation do not matter; words are separated by one space."""
    assert normalize(text) == normalized


@pytest.mark.parametrize("spelling", ["Иван Майский", "иван майский", "ИВАН МАЙСКИЙ"])
def test_normalize_cyrillic_ignores_case(spelling):
    """Cyrillic spellings that differ only in case normalise alike."""
    assert normalize(spelling) == normalize("иван майский") == "иван маискии"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("U.S.S.R. ussr Sikorski sikorski", ["ussr", "sikorski"]),
        ("Władysław  Sikorski", ["vladislav", "sikorski"]),
        # Transliterations of one name share a key: y, j and i; w and v.
        ("Maisky Mayski Majski", ["maiski"]),
        ("Iwan", ["ivan"]),
        ("", []),
    ],
)
def test_words(query, expected):
    """A query's words are normalised and kept once each, in order."""
    assert words(query) == expected


@pytest.mark.parametrize(
    ("parts", "expected"),
    [
        (("Soviet Union", None, "", "U.S.S.R."), " soviet union ussr "),
        (("Treaty",), " treati "),
        ((), ""),
        ((None, ""), ""),
    ],
)
def test_document_text(parts, expected):
    """The stored text joins the normalised parts, wrapped in spaces for whole-word matches."""
    assert document_text(*parts) == expected


def _search_text(record) -> str:
    return type(record).objects.values_list("search_text", flat=True).get(pk=record.pk)


@pytest.mark.django_db
def test_person_search_text_includes_name_forms():
    """A person's search text holds the name and every name form, normalised."""
    person = make_person(name="Ivan Maisky")
    PersonName.objects.create(record=person, name="Iwan Majski", language="pl", kind="variant")
    PersonName.objects.create(record=person, name="Иван Майский", language="ru", kind="authorized")
    assert _search_text(person) == " ivan maiski ivan maiski иван маискии "


@pytest.mark.django_db
def test_person_search_text_follows_name_form_changes():
    """Adding, changing and deleting a name form each update the person's search text."""
    person = make_person(name="Władysław Sikorski")
    assert _search_text(person) == " vladislav sikorski "

    form = PersonName.objects.create(
        record=person, name="Wladyslaw Sikorski", language="en", kind="transliteration"
    )
    assert _search_text(person) == " vladislav sikorski vladislav sikorski "

    form.name = "Vladislav Sikorsky"
    form.save()
    assert _search_text(person) == " vladislav sikorski vladislav sikorski "

    form.delete()
    assert _search_text(person) == " vladislav sikorski "


@pytest.mark.django_db
def test_person_search_text_follows_the_name():
    """Renaming a person updates the search text, name forms included."""
    person = make_person(name="Ivan Maisky")
    PersonName.objects.create(record=person, name="Ivan Mayski", language="en")
    person = Person.objects.get(pk=person.pk)
    person.name = "Ivan Mikhailovich Maisky"
    person.save()
    assert _search_text(person) == " ivan mikhailovich maiski ivan maiski "


@pytest.mark.django_db
def test_moving_a_name_form_updates_both_records():
    """A name form moved to another person is searchable under that person only."""
    maisky = make_person(name="Ivan Maisky")
    stalin = make_person(name="Joseph Stalin")
    form = PersonName.objects.create(record=maisky, name="Iosif Dzhugashvili", language="ru")
    form.record = stalin
    form.save()
    assert _search_text(stalin) == " ioseph stalin iosif dzhugashvili "
    assert _search_text(maisky) == " ivan maiski "


@pytest.mark.django_db
def test_person_search_text_when_the_person_is_deleted_with_name_forms():
    """Deleting a person deletes its name forms without trying to refresh the gone person."""
    person = make_person(name="Ivan Maisky")
    PersonName.objects.create(record=person, name="Ivan Mayski", language="en")
    person.delete()
    assert not Person.objects.exists()
    assert not PersonName.objects.exists()


@pytest.mark.django_db
def test_state_search_text():
    """A state's search text holds its name, official name and name forms."""
    state = make_state(name="Soviet Union", official_name="Union of Soviet Socialist Republics")
    StateName.objects.create(record=state, name="U.S.S.R.", language="en", kind="variant")
    assert _search_text(state) == " soviet union union of soviet socialist republics ussr "

    state = State.objects.get(pk=state.pk)
    state.official_name = ""
    state.save()
    assert _search_text(state) == " soviet union ussr "


@pytest.mark.django_db
def test_document_search_text():
    """A document's search text holds its title, official title and summary, not its text."""
    document = make_document(
        title="Sikorski–Mayski Agreement",
        official_title="Agreement between Poland and the U.S.S.R.",
        summary="Restored relations.",
        text="Full text that is not searched.",
    )
    assert _search_text(document) == (
        " sikorski maiski agreement agreement betveen poland and the ussr restored relations "
    )

    document.summary = "Amnesty for Polish citizens."
    document.save()
    assert _search_text(document) == (
        " sikorski maiski agreement agreement betveen poland and the ussr "
        "amnesti for polish citizens "
    )


@pytest.mark.parametrize(
    ("make", "kw", "expected"),
    [
        (make_event, {"name": "Operation Barbarossa"}, " operation barbarossa "),
        (make_place, {"name": "Moskva"}, " moskva "),
        (
            make_source,
            {"title": "Sikorski–Mayski agreement", "author": "Wikipedia"},
            " sikorski maiski agreement vikipedia ",
        ),
    ],
)
@pytest.mark.django_db
def test_other_records_search_text(make, kw, expected):
    """Events, places and sources are searchable by their names and titles."""
    assert _search_text(make(**kw)) == expected


@pytest.mark.django_db
def test_place_search_text_includes_name_forms():
    """A place's name forms are searchable too."""
    place = make_place(name="Moscow")
    PlaceName.objects.create(record=place, name="Москва", language="ru")
    assert _search_text(place) == " moscov москва "


@pytest.mark.django_db
def test_search_text_changes_write_no_versions():
    """The search text is derived, not content: refreshing it writes no version."""
    person = make_person(name="Ivan Maisky")
    form = PersonName.objects.create(record=person, name="Ivan Mayski", language="en")
    form.name = "Iwan Majski"
    form.save()

    (version,) = person.history.all()
    assert version.history_type == "+"
    assert not hasattr(version, "search_text")
    assert "search_text" not in [f.name for f in Person.history.model._meta.fields]
    (v2, v1) = form.history.all()
    assert (v2.history_type, v1.history_type) == ("~", "+")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("wladyslaw sikorski", ["wladyslaw-sikorski"]),
        ("WŁADYSŁAW", ["wladyslaw-sikorski"]),
        ("Sikor", ["wladyslaw-sikorski"]),
        ("sikorski wladyslaw", ["wladyslaw-sikorski"]),
        ("Szyszko-Bohusz", ["zygmunt-szyszko-bohusz"]),
        ("bohusz", ["zygmunt-szyszko-bohusz"]),
        ("korski", []),
        ("sikorski maisky", []),
        ("majski", ["ivan-maisky"]),
        ("Майский", ["ivan-maisky"]),
        ("mayski", ["ivan-maisky"]),
        ("ivan", ["ivan-maisky"]),
        ("", ["ivan-maisky", "wladyslaw-sikorski", "zygmunt-szyszko-bohusz"]),
    ],
)
@pytest.mark.django_db
def test_filter_text(text, expected):
    """Every query word must begin a word of a record's names or name forms, in any order."""
    make_person(slug="wladyslaw-sikorski", name="Władysław Sikorski")
    maisky = make_person(slug="ivan-maisky", name="Ivan Maisky")
    PersonName.objects.create(record=maisky, name="Ivan Mayski", language="en")
    PersonName.objects.create(record=maisky, name="Иван Майский", language="ru")
    make_person(slug="zygmunt-szyszko-bohusz", name="Zygmunt Szyszko-Bohusz")

    found = filter_text(Person.objects.all(), text)
    assert sorted(found.values_list("slug", flat=True)) == expected


@pytest.mark.django_db
def test_filter_text_finds_states_by_name_form_and_official_name():
    """ "ussr" finds the Soviet Union by its name form, "socialist" by its official name."""
    make_state(slug="poland", name="Poland", official_name="Republic of Poland")
    ussr = make_state(
        slug="soviet-union",
        name="Soviet Union",
        official_name="Union of Soviet Socialist Republics",
    )
    StateName.objects.create(record=ussr, name="U.S.S.R.", language="en")

    for text in ["ussr", "U.S.S.R.", "socialist", "soviet union"]:
        assert list(filter_text(State.objects.all(), text).values_list("slug", flat=True)) == [
            "soviet-union"
        ], text
    assert sorted(filter_text(State.objects.all(), "republic").values_list("slug", flat=True)) == [
        "poland",
        "soviet-union",
    ]


def test_words_are_at_most_twenty():
    """Any caller (the admin's search box) searches at most the first 20 words: each is
    one more condition for the database (SQLite failed near 4,000 with "Expression tree
    is too large"); the API refuses a longer text (search.too_long)."""
    text = " ".join(f"t{i}" for i in range(4000))
    assert search.words(text) == [f"t{i}" for i in range(settings.GRAPHQL_MAX_TEXT_WORDS)]
    assert (settings.GRAPHQL_MAX_TEXT_WORDS, settings.GRAPHQL_MAX_TEXT_CHARACTERS) == (20, 200)


def test_what_is_too_long_to_search_for():
    assert search.too_long("wladyslaw sikorski") is None
    assert search.too_long(" ".join(["maisky"] * 28)) is None  # one word, 195 characters
    assert search.too_long("a " * 21) is None  # one distinct word
    assert search.too_long(" ".join(f"t{i}" for i in range(21))) == (
        "Text too long: 21 words; a text to find holds at most 20 words and 200 characters."
    )
    assert search.too_long("x" * 201) == (
        "Text too long: 201 characters; a text to find holds at most 200 characters and 20 words."
    )
