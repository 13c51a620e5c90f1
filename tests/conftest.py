"""Shared fixtures: staff users in each group, the demo data set, Ivan Maisky and the
agreement he signed; no response cache, no remembered counts."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command

from archive.models import Document, DocumentSignatory, Person, PersonName, State

DEMO_FIXTURE = "fixtures/demo.json"


@pytest.fixture(autouse=True)
def no_response_cache(settings):
    """Every request runs its query: tests count its SQL queries and see every write.

    tests/test_graphql_cache.py turns the cache on, tests/test_counts.py the counts.
    """
    settings.GRAPHQL_CACHE = False
    settings.COUNT_CACHE = False


def _staff(username: str, group: str | None = None, superuser: bool = False):
    user = get_user_model().objects.create_user(
        username=username, password="pw", is_staff=True, is_superuser=superuser
    )
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def archivist(db):
    return _staff("archivist", "Archivists")


@pytest.fixture
def reader(db):
    return _staff("reader", "Readers")


@pytest.fixture
def superuser(db):
    return _staff("root", superuser=True)


@pytest.fixture
def demo(db):
    """The demo data set, loaded the way a user loads it."""
    call_command("loaddata", DEMO_FIXTURE, verbosity=0)


@pytest.fixture
def maisky(db):
    person = Person.objects.create(
        slug="ivan-maisky", name="Ivan Maisky", born="1884-01-19", published=True
    )
    PersonName.objects.create(record=person, name="Ivan Mayski", language="en")
    return Person.objects.get(pk=person.pk)


@pytest.fixture
def agreement(maisky):
    soviet_union = State.objects.create(slug="soviet-union", name="Soviet Union")
    document = Document.objects.create(
        slug="sikorski-mayski-agreement",
        title="Sikorski–Mayski agreement",
        kind="agreement",
        date="1941-07-30",
    )
    DocumentSignatory.objects.create(document=document, person=maisky, on_behalf_of=soviet_union)
    return document
