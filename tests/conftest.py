"""Shared fixtures: staff users in each group, the demo data set, Ivan Maisky and the
agreement he signed.

Tests run the production configuration: the GraphQL response cache and the
remembered counts are on. Each test starts with empty caches, as a server that
has just started; a test that must run every request's query (to count its SQL
queries, or to see a write that does not advance the data version) asks for
:func:`no_response_cache` or carries ``@pytest.mark.no_cache``.

The suite's tiers: tests that start processes, or generate queries or rows by
the hundred, are marked ``slow``; ``bin/test`` leaves them out, ``bin/test
--all`` (what CI runs) takes them too. Four kinds of slow test carry a mark of
their own, which implies ``slow`` (:func:`pytest_collection_modifyitems`), so
that one kind can be run alone (``bin/test --all -m browser``): ``live_server``,
``browser``, ``load`` and ``fuzz`` (pyproject.toml describes each).
"""

import functools
from collections import Counter

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, transaction

from archive.models import Document, DocumentSignatory, Person, PersonName, State

# The browser tests' fixtures (a served archive, chromium, logged-in pages).
pytest_plugins = ["tests.browser"]

DEMO_FIXTURE = "fixtures/demo.json"

SLOW_KINDS = ("live_server", "browser", "load", "fuzz")


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items):
    """A test of a slow kind is slow: marked here, before ``-m`` selects, so that
    ``-m "not slow"`` leaves it out without each file saying so twice."""
    for item in items:
        if any(item.get_closest_marker(kind) for kind in SLOW_KINDS):
            item.add_marker(pytest.mark.slow)


@pytest.fixture
def no_response_cache(settings):
    """Every request runs its query and counts its rows: for tests that count the
    SQL queries of repeated requests, or must see writes that send no signal."""
    settings.GRAPHQL_CACHE = False
    settings.COUNT_CACHE = False


@pytest.fixture(autouse=True)
def caches_as_a_new_server(request):
    """Each test starts with the empty caches of a server that has just started;
    ``@pytest.mark.no_cache`` turns the response cache and the counts off.

    Only this process's memory caches are cleared: the default cache is always
    one (pyproject.toml drops an exported ``REDIS_URL`` for the test run), and a
    test that configures a Redis database clears it itself
    (tests/test_graphql_cache.py).
    """
    for cache in caches.all(initialized_only=True):
        if isinstance(cache, LocMemCache):
            cache.clear()
    if request.node.get_closest_marker("no_cache"):
        request.getfixturevalue("no_response_cache")


@pytest.fixture
def fast_password_hasher(settings):
    """Passwords set in the test are hashed with MD5, at no cost: for tests about
    something other than hashing that set passwords or log in with them (a login
    with a wrong password, or for an unknown user, hashes too). The production
    hashers follow it in the list, so the hashes they made are still checked."""
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        *settings.PASSWORD_HASHERS,
    ]


@functools.cache
def _password_hash() -> str:
    """The hash of the staff fixtures' password "pw", with the production hasher.

    Hashing costs the hasher's work factor (0.6 s of CPU); one hash serves
    every test's users, who still log in with "pw".
    """
    return make_password("pw")


def _staff(username: str, group: str | None = None, superuser: bool = False):
    user = get_user_model().objects.create(
        username=username, password=_password_hash(), is_staff=True, is_superuser=superuser
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


def _table_rows() -> dict[str, tuple[list[str], list[tuple]]]:
    """Every row of every table of a model: table -> (columns, rows)."""
    tables = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.django_table_names(only_existing=True):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            tables[table] = ([column[0] for column in cursor.description], cursor.fetchall())
    return tables


@pytest.fixture(scope="session")
def demo_rows(django_db_setup, django_db_blocker):
    """The rows that loading the demo data set writes, read once per test run.

    The load (``manage.py load_archive``, as a user loads it) runs once in a
    transaction that is rolled back, so the test database stays empty;
    :func:`demo` inserts its rows again in each test that asks for them.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        before = _table_rows()
        call_command("load_archive", DEMO_FIXTURE, verbosity=0)
        after = _table_rows()
        transaction.set_rollback(True)
    written = []
    for table, (columns, rows) in after.items():
        new = Counter(rows)
        new.subtract(Counter(before[table][1]))
        # The load only adds rows: nothing existed that it could change.
        assert all(count >= 0 for count in new.values()), table
        added = [row for row in rows if new[row] > 0]
        if added:
            written.append((table, columns, added))
    return written


@pytest.fixture
def demo(db, demo_rows):
    """The demo data set, as ``manage.py load_archive fixtures/demo.json`` leaves it."""
    quote = connection.ops.quote_name
    with transaction.atomic(), connection.cursor() as cursor:
        for table, columns, rows in demo_rows:
            cursor.executemany(
                f"INSERT INTO {quote(table)} ({', '.join(quote(c) for c in columns)}) "
                f"VALUES ({', '.join(['%s'] * len(columns))})",
                rows,
            )
        # PostgreSQL's id sequences do not follow explicit ids (SQLite's do).
        tables = {table for table, _, _ in demo_rows}
        models = [model for model in apps.get_models() if model._meta.db_table in tables]
        for statement in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(statement)


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
