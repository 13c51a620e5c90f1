"""Shared fixtures: staff users in each group, the demo data set; no response cache."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command

DEMO_FIXTURE = "fixtures/demo.json"


@pytest.fixture(autouse=True)
def no_response_cache(settings):
    """Every request runs its query: tests count its SQL queries and see every write.

    tests/test_graphql_cache.py turns the cache on.
    """
    settings.GRAPHQL_CACHE = False


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
