"""The search indexes exist, stay in step with the records, and serve the queries."""

import pytest
from django.db import connection

from archive import search
from archive.models import Person, PersonName

pytestmark = pytest.mark.django_db


def found(text):
    return sorted(Person.objects.filter(search.text_q(Person, text)).values_list("slug", flat=True))


def test_the_index_follows_inserts_updates_and_deletes():
    person = Person.objects.create(slug="maisky", name="Ivan Maisky")
    assert found("maisky") == ["maisky"]
    form = PersonName.objects.create(record=person, name="Иван Майский", language="ru")
    assert found("майский") == ["maisky"]
    person.name = "Ivan Mikhailovich Maisky"
    person.save()
    assert found("mikhailovich") == ["maisky"]
    form.delete()
    assert found("майский") == []
    person.delete()
    assert found("maisky") == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("maisk", ["maisky"]),  # a word's beginning
        ("aisky", []),  # not its middle
        ("IVAN   maisky", ["maisky"]),
        ("maisky ivan", ["maisky"]),  # any order
        ("maisky stalin", []),  # every word
        ('"maisky"', ["maisky"]),  # quotes are punctuation, not FTS syntax
        ("maisky*", ["maisky"]),
        ("ivan OR stalin", []),  # no FTS operators
        ("%", []),  # no word to find: punctuation is never a pattern
        ("_", []),
        ("  ", ["maisky", "stalin"]),  # blank: no condition
    ],
)
def test_matching_is_the_same_word_prefix_match_on_every_database(text, expected):
    Person.objects.create(slug="maisky", name="Ivan Maisky")
    Person.objects.create(slug="stalin", name="Joseph Stalin")
    assert found(text) == expected


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's FTS5 index")
def test_sqlite_keeps_an_fts5_table_per_record_table():
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE name LIKE '%_fts' ORDER BY name")
        tables = [row[0] for row in cursor.fetchall()]
    assert tables == [
        "archive_document_fts",
        "archive_event_fts",
        "archive_person_fts",
        "archive_place_fts",
        "archive_state_fts",
    ]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's trigram index")
def test_postgresql_serves_the_match_from_a_trigram_index():
    Person.objects.create(slug="maisky", name="Ivan Maisky")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        query = Person.objects.filter(search.text_q(Person, "maisky")).query
        sql, params = query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "archive_person_search_trgm" in plan
