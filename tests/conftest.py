"""Shared fixtures: staff users in each group, the demo data set, Ivan Maisky and the
agreement he signed; no response cache, no remembered counts. And the suite's
tiers: tests that start servers, browsers or other processes are marked
``slow`` (:data:`SLOW_TESTS`); ``bin/test`` leaves them out, ``bin/test --all``
(what CI runs) takes them too."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command

from archive.models import Document, DocumentSignatory, Person, PersonName, State

DEMO_FIXTURE = "fixtures/demo.json"

# Test ids (or their beginnings) of the slow tier: each starts gunicorn,
# chromium, locust or manage.py in a process of its own, or generates queries
# by the hundred. One list, so that the quick tier's content is seen at a glance.
SLOW_TESTS = (
    "tests/test_attack.py",
    "tests/test_benchmark.py",
    "tests/test_browser.py",
    "tests/test_fuzz.py",
    "tests/test_loadtest.py",
    "tests/test_serving.py::test_bin_serve_",
    "tests/test_serving.py::test_two_gunicorn_instances_serve_one_archive",
    "tests/test_graphql_cache.py::test_two_servers_",
    "tests/test_execution.py::test_generated_queries_answer_the_same_both_ways",
    "tests/test_admin_pages.py::test_a_change_form_with_hundreds_of_inline_rows_saves",
    "tests/test_deploy.py::test_check_deploy_reports_nothing_in_the_production_environment",
    "tests/test_deploy.py::test_production_turns_on_https_only_cookies_hsts",
    "tests/test_deploy.py::test_production_refuses_to_start_without_a_real_key_and_hosts",
    "tests/test_deploy.py::test_development_starts_without_a_key",
    "tests/test_deploy.py::test_management_commands_print_what_they_do",
)


def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.nodeid.startswith(SLOW_TESTS):
            item.add_marker(pytest.mark.slow)


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
    call_command("load_archive", DEMO_FIXTURE, verbosity=0)


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
