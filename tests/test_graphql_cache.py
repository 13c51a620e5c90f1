"""The response cache: identical queries answered from the cache, never stale.

* A repeated query is answered from the cache without SQL; other variables,
  another operation or another query text are not.
* Every kind of write advances the data version in its transaction (admin
  save, revert, fixture load, ORM save and delete, ``bump()`` after a bulk
  write), and the next identical query returns the new data.
* ETags and 304s, for GET and POST; errors are never cached.
* A cache that is down costs nothing but speed, and says so once.
* Two real server processes sharing Redis, or a database read for the data
  version, never serve stale data.

Each test runs with a local-memory cache and, when it is reachable, with
Redis (database 15 of the local server, emptied before and after).
"""

import hashlib
import http.cookiejar
import json
import logging
import os
import re
import runpy
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import pytest
import redis
from django.conf import settings as django_settings
from django.core.cache import caches
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from strawberry.http import GraphQLRequestData

from archive import counts, data_version
from archive.graphql import cache as response_cache_module
from archive.models import Document, DocumentParty, Person, State
from tests import live_servers
from tests.admin_forms import form_data
from tests.conftest import DEMO_FIXTURE
from tests.graphql_client import ACCEPT
from tools.html_forms import FormFields

REDIS_TEST_URL = os.environ.get("GRAPHQL_CACHE_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
ROOT = Path(django_settings.BASE_DIR)


def _redis_reachable() -> bool:
    try:
        return redis.Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=0.5).ping()
    except redis.RedisError:
        return False


REDIS_UP = _redis_reachable()
needs_redis = pytest.mark.skipif(
    not REDIS_UP,
    reason=f"Redis is not reachable at {REDIS_TEST_URL} (set GRAPHQL_CACHE_TEST_REDIS_URL "
    "or start redis-server)",
)

LOCMEM = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "cache-tests"}
REDIS = {
    "BACKEND": "django.core.cache.backends.redis.RedisCache",
    "LOCATION": REDIS_TEST_URL,
    "KEY_PREFIX": f"archive-tests-{uuid.uuid4().hex[:8]}",
    "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
}

TITLE_QUERY = "query Title($slug: String!) { document(slug: $slug) { title date { display } } }"
AGREEMENT = {"slug": "sikorski-mayski-agreement"}
PACT = {"slug": "molotov-ribbentrop-pact"}
AGREEMENT_DATA = {
    "data": {
        "document": {"title": "Sikorski–Mayski agreement", "date": {"display": "30 July 1941"}}
    }
}
PACT_DATA = {
    "data": {
        "document": {"title": "Molotov–Ribbentrop Pact", "date": {"display": "23 August 1939"}}
    }
}
# SQL queries of TITLE_QUERY when it runs, and of reading the data version from the database.
TITLE_QUERIES = 1
VERSION_QUERIES = 1

BORN_QUERY = '{ person(slug: "ivan-maisky") { name born { edtf } } }'


def born(edtf: str) -> dict:
    return {"data": {"person": {"name": "Ivan Maisky", "born": {"edtf": edtf}}}}


@pytest.fixture(params=["locmem", pytest.param("redis", marks=needs_redis)])
def response_cache(request, settings):
    """The cache on, with the data version read from the cache's copy."""
    settings.CACHES = {"default": LOCMEM if request.param == "locmem" else REDIS}
    settings.GRAPHQL_CACHE = True
    settings.GRAPHQL_CACHE_VERSION_FROM_DB = False
    caches["default"].clear()
    response_cache_module._outage.reset()
    yield request.param
    caches["default"].clear()
    response_cache_module._outage.reset()


def ask(client, query=TITLE_QUERY, variables=AGREEMENT, *, if_none_match=None):
    """POST a query, as tests.graphql_client.post does, with an If-None-Match if given."""
    return client.post(
        "/graphql/",
        data=json.dumps({"query": query, "variables": variables}),
        content_type="application/json",
        headers={"Accept": ACCEPT}
        | ({} if if_none_match is None else {"If-None-Match": if_none_match}),
    )


def assert_answers(response, expected: dict, cache_control: str = "no-cache") -> None:
    assert response.status_code == 200
    assert response.json() == expected
    assert response["Content-Type"] == "application/graphql-response+json"  # asked for
    assert response["ETag"] == f'"{hashlib.sha256(response.content).hexdigest()[:32]}"'
    assert response["Cache-Control"] == cache_control


def cached_twice(client, django_assert_num_queries, query, variables, expected) -> None:
    """Ask twice: the second answer costs no SQL (so it came from the cache)."""
    assert_answers(ask(client, query, variables), expected)
    with django_assert_num_queries(0):
        assert_answers(ask(client, query, variables), expected)


# --- hits and misses ---------------------------------------------------------------


@pytest.mark.django_db
def test_a_repeated_query_is_answered_from_the_cache_without_sql(
    client, demo, response_cache, django_assert_num_queries
):
    # The first request reads the data version from the database (the cache
    # has no copy yet) and runs the query.
    with django_assert_num_queries(VERSION_QUERIES + TITLE_QUERIES):
        first = ask(client)
    assert_answers(first, AGREEMENT_DATA)
    with django_assert_num_queries(0):
        second = ask(client)
    assert_answers(second, AGREEMENT_DATA)
    assert second.content == first.content
    assert second["ETag"] == first["ETag"]


@pytest.mark.django_db
def test_a_get_and_a_post_of_the_same_query_share_the_entry(
    client, demo, response_cache, django_assert_num_queries
):
    first = ask(client)
    with django_assert_num_queries(0):
        by_get = client.get(
            "/graphql/",
            {"query": TITLE_QUERY, "variables": json.dumps(AGREEMENT)},
            HTTP_ACCEPT=ACCEPT,
        )
    # A GET's answer may be kept by shared caches (docs/api.md, "HTTP caches").
    assert_answers(by_get, AGREEMENT_DATA, cache_control="public, max-age=60")
    assert by_get.content == first.content


@pytest.mark.django_db
def test_other_variables_another_operation_or_another_text_miss(
    client, demo, response_cache, django_assert_num_queries
):
    cached_twice(client, django_assert_num_queries, TITLE_QUERY, AGREEMENT, AGREEMENT_DATA)
    # The version is in the cache now: a miss costs the query's own SQL only.
    with django_assert_num_queries(TITLE_QUERIES):
        assert_answers(ask(client, variables=PACT), PACT_DATA)
    with django_assert_num_queries(TITLE_QUERIES):
        assert_answers(ask(client, TITLE_QUERY + " ", AGREEMENT), AGREEMENT_DATA)

    two_operations = (
        'query Agreement { document(slug: "sikorski-mayski-agreement") { title } } '
        'query Pact { document(slug: "molotov-ribbentrop-pact") { title } }'
    )

    def operation(name):
        return client.post(
            "/graphql/",
            data=json.dumps({"query": two_operations, "operationName": name}),
            content_type="application/json",
        )

    with django_assert_num_queries(TITLE_QUERIES):
        assert operation("Agreement").json() == {
            "data": {"document": {"title": "Sikorski–Mayski agreement"}}
        }
    with django_assert_num_queries(TITLE_QUERIES):
        assert operation("Pact").json() == {
            "data": {"document": {"title": "Molotov–Ribbentrop Pact"}}
        }
    with django_assert_num_queries(0):
        assert operation("Agreement").json() == {
            "data": {"document": {"title": "Sikorski–Mayski agreement"}}
        }


@pytest.mark.django_db
def test_the_version_read_from_the_database_costs_one_query_per_hit(
    client, demo, response_cache, settings, django_assert_num_queries
):
    settings.GRAPHQL_CACHE_VERSION_FROM_DB = True
    with django_assert_num_queries(VERSION_QUERIES + TITLE_QUERIES):
        assert_answers(ask(client), AGREEMENT_DATA)
    with django_assert_num_queries(VERSION_QUERIES):
        assert_answers(ask(client), AGREEMENT_DATA)


@pytest.mark.django_db
def test_with_the_cache_off_every_request_runs_its_query(
    client, demo, response_cache, settings, django_assert_num_queries
):
    settings.GRAPHQL_CACHE = False
    for _ in range(2):
        with django_assert_num_queries(TITLE_QUERIES):
            assert_answers(ask(client), AGREEMENT_DATA)


@pytest.mark.django_db
def test_errors_are_not_cached(client, demo, response_cache, monkeypatch, caplog):
    """A failure is not remembered: once the cause is gone, the query answers."""
    query = '{ search(text: "maisky", limit: 1) { record { ... on Person { slug } } } }'
    with monkeypatch.context() as patch:
        patch.setattr("archive.search.ranked", _broken)
        with caplog.at_level(logging.CRITICAL, logger="archive.graphql"):
            failed = ask(client, query, None)
    assert failed.status_code == 200
    assert failed.json()["errors"][0]["message"] == "Unexpected error."
    assert failed["Cache-Control"] == "no-store"
    assert "ETag" not in failed
    answered = ask(client, query, None)
    assert_answers(answered, {"data": {"search": [{"record": {"slug": "ivan-maisky"}}]}})


def _broken(*args, **kwargs):
    raise RuntimeError("boom")


@pytest.mark.django_db
def test_a_query_error_is_not_cached(client, response_cache, django_assert_num_queries):
    query = '{ person(slug: "ivan-maisky") { nope } }'
    for _ in range(2):
        with django_assert_num_queries(0):
            response = ask(client, query, None)
        assert response.status_code == 400
        assert response.json()["errors"][0]["message"] == (
            "Cannot query field 'nope' on type 'Person'."
        )
        assert response["Cache-Control"] == "no-store"
    assert _cached_responses() == 0


def test_the_requests_remembered_as_answerable_are_the_most_recent():
    remembered = response_cache_module.Answerable(2)
    for identity in "abc":
        remembered.remember(identity)
    assert [identity in remembered for identity in "abc"] == [False, True, True]
    remembered.remember("b")  # seen again: now the most recent
    remembered.remember("d")
    assert [identity in remembered for identity in "bcd"] == [True, False, True]
    assert None not in remembered  # a request without a query text


def _cached_responses() -> int:
    cache = caches["default"]
    if hasattr(cache, "_cache") and isinstance(cache._cache, dict):  # local memory
        return sum(response_cache_module.KEY_PREFIX in key for key in cache._cache)
    client = redis.Redis.from_url(REDIS_TEST_URL)
    return len(client.keys(f"*{response_cache_module.KEY_PREFIX}*"))


# --- what the key holds: everything that changes an answer ------------------------------

SCHEMA_QUERY = "{ __schema { queryType { name } } }"
SCHEMA_DATA = {"data": {"__schema": {"queryType": {"name": "Query"}}}}


@pytest.mark.django_db
def test_an_answer_cached_with_introspection_on_is_not_served_with_it_off(
    client, response_cache, settings
):
    """Two instances sharing a cache, one answering introspection and one not."""
    settings.GRAPHQL_INTROSPECTION = True
    assert_answers(ask(client, SCHEMA_QUERY, None), SCHEMA_DATA)
    assert _cached_responses() == 1
    settings.GRAPHQL_INTROSPECTION = False
    refused = ask(client, SCHEMA_QUERY, None)
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["message"] == (
        "GraphQL introspection has been disabled, but the requested query contained the "
        "field '__schema'."
    )
    settings.GRAPHQL_INTROSPECTION = True
    assert_answers(ask(client, SCHEMA_QUERY, None), SCHEMA_DATA)
    assert _cached_responses() == 1


# Another value of each setting in the key than the tests' own.
OTHER_VALUES = {
    "GRAPHQL_INTROSPECTION": lambda value: not value,
    "GRAPHQL_SUGGESTIONS": lambda value: not value,
    "GRAPHQL_PAGE_SIZE": lambda value: value + 1,
    "GRAPHQL_MAX_PAGE_SIZE": lambda value: value + 1,
    "GRAPHQL_MAX_DEPTH": lambda value: value + 1,
    "GRAPHQL_MAX_ALIASES": lambda value: value + 1,
    "GRAPHQL_MAX_TOKENS": lambda value: value + 1,
    "GRAPHQL_MAX_LIST_ITEMS": lambda value: value + 1,
    "GRAPHQL_MAX_TEXT_WORDS": lambda value: value + 1,
    "GRAPHQL_MAX_TEXT_CHARACTERS": lambda value: value + 1,
    "GRAPHQL_MAX_COST": lambda value: value // 2,
    "STRAWBERRY_DJANGO": lambda value: value | {"PAGINATION_DEFAULT_LIMIT": 7},
}


@pytest.mark.parametrize("name", sorted(OTHER_VALUES))
def test_each_setting_that_changes_an_answer_changes_the_key(settings, name):
    assert set(OTHER_VALUES) == set(response_cache_module.ANSWER_SETTINGS)
    request = GraphQLRequestData(
        query=TITLE_QUERY, variables=AGREEMENT, operation_name=None, extensions=None
    )
    key = response_cache_module.key_for(request, 1)
    assert response_cache_module.key_for(request, 1) == key
    setattr(settings, name, OTHER_VALUES[name](getattr(settings, name)))
    assert response_cache_module.key_for(request, 1) != key


def test_every_setting_read_while_answering_is_in_the_key_or_said_not_to_change_it():
    """A new setting the API reads must be decided on: in the key, or why not."""
    sources = [
        *ROOT.joinpath("archive").glob("*.py"),
        *ROOT.joinpath("archive", "graphql").glob("*.py"),
        *(p for p in ROOT.joinpath("project").glob("*.py") if p.name != "settings.py"),
    ]
    read = {
        name
        for source in sources
        for name in re.findall(r"\bsettings\.([A-Z][A-Z0-9_]+)", source.read_text())
    }
    assert "GRAPHQL_INTROSPECTION" in read  # the search finds what it looks for
    decided = set(response_cache_module.ANSWER_SETTINGS) | set(
        response_cache_module.NOT_ANSWER_SETTINGS
    )
    assert read - decided == set()
    assert set(response_cache_module.ANSWER_SETTINGS).isdisjoint(
        response_cache_module.NOT_ANSWER_SETTINGS
    )


def test_the_code_fingerprint_changes_with_any_source_file(tmp_path):
    """Answers computed by other code (a deployment sharing Redis) are not served."""
    package = tmp_path / "archive"
    (package / "graphql").mkdir(parents=True)
    (package / "models.py").write_text("A = 1\n")
    (package / "graphql" / "limits.py").write_text("MAX_COST = 200_000\n")
    first = response_cache_module.source_digest(package)
    assert response_cache_module.source_digest(package) == first
    (package / "graphql" / "limits.py").write_text("MAX_COST = 100_000\n")
    second = response_cache_module.source_digest(package)
    assert second != first
    (package / "graphql" / "limits.py").rename(package / "graphql" / "limit.py")
    assert response_cache_module.source_digest(package) not in (first, second)


# --- what the cache keeps: entries of a bounded size, a bounded number of them ---------


@pytest.mark.django_db
def test_an_answer_over_the_entry_size_is_served_but_not_kept(
    client, demo, response_cache, settings, django_assert_num_queries
):
    size = len(ask(client).content)
    caches["default"].clear()
    settings.GRAPHQL_CACHE_MAX_ENTRY_BYTES = size - 1
    with django_assert_num_queries(VERSION_QUERIES + TITLE_QUERIES):
        first = ask(client)
    with django_assert_num_queries(TITLE_QUERIES):  # run again: it was not kept
        second = ask(client)
    for response in (first, second):
        assert_answers(response, AGREEMENT_DATA)  # with its ETag, for 304s
        assert len(response.content) == size
    assert _cached_responses() == 0
    settings.GRAPHQL_CACHE_MAX_ENTRY_BYTES = size
    cached_twice(client, django_assert_num_queries, TITLE_QUERY, AGREEMENT, AGREEMENT_DATA)
    assert _cached_responses() == 1


@pytest.mark.django_db
def test_the_local_memory_cache_keeps_at_most_its_entries(client, demo, settings):
    settings.CACHES = {"default": LOCMEM | {"OPTIONS": {"MAX_ENTRIES": 5}}}
    settings.GRAPHQL_CACHE = True
    cache = caches["default"]
    cache.clear()
    try:
        for offset in range(12):
            query = f"{{ persons(pagination: {{offset: {offset}, limit: 1}}) {{ totalCount }} }}"
            assert ask(client, query, None).status_code == 200
            assert len(cache._cache) <= 5
        assert _cached_responses() >= 1
    finally:
        cache.clear()


# --- ETag and 304 ----------------------------------------------------------------------


@pytest.mark.django_db
def test_a_matching_etag_gets_304_by_get_and_by_post(client, demo, response_cache):
    etag = ask(client)["ETag"]
    by_post = ask(client, if_none_match=etag)
    by_get = client.get(
        "/graphql/",
        {"query": TITLE_QUERY, "variables": json.dumps(AGREEMENT)},
        headers={"If-None-Match": etag},
    )
    for response in (by_post, by_get):
        assert response.status_code == 304
        assert response.content == b""
        assert response["ETag"] == etag
    # A GET's answer may be kept by shared caches (docs/api.md, "HTTP caches").
    assert by_post["Cache-Control"] == "no-cache"
    assert by_get["Cache-Control"] == "public, max-age=60"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "header",
    ['"other"', 'W/"other", "another"', ""],
    ids=["another-etag", "a-list-of-others", "empty"],
)
def test_a_non_matching_etag_gets_the_whole_answer(client, demo, response_cache, header):
    response = ask(client, if_none_match=header)
    assert_answers(response, AGREEMENT_DATA)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "header", ["{etag}", "W/{etag}", '"other", {etag}', "*"], ids=["exact", "weak", "list", "any"]
)
def test_etag_forms_that_match(client, demo, response_cache, header):
    etag = ask(client)["ETag"]
    response = ask(client, if_none_match=header.format(etag=etag))
    assert response.status_code == 304
    assert response.content == b""


@pytest.mark.django_db
def test_if_match_is_a_precondition_as_rfc_9110_says(client, demo, response_cache):
    """Django's get_conditional_response decides: a copy that is not current fails
    If-Match with a 412; the current one passes and gets the whole answer."""
    etag = ask(client)["ETag"]
    for header, status in [(etag, 200), ('"other"', 412)]:
        response = client.post(
            "/graphql/",
            data=json.dumps({"query": TITLE_QUERY, "variables": AGREEMENT}),
            content_type="application/json",
            headers={"If-Match": header},
        )
        assert response.status_code == status
    assert_answers(ask(client), AGREEMENT_DATA)


@pytest.mark.django_db
def test_304_works_with_the_cache_off_too(client, demo, settings):
    settings.GRAPHQL_CACHE = False
    etag = ask(client)["ETag"]
    response = ask(client, if_none_match=etag)
    assert response.status_code == 304


# --- every write is seen by the next request ----------------------------------------------

# Committing tests empty the database when they end; serialized_rollback gives each the
# content types, permissions and groups of the migrations back when it starts, whatever
# committing test (here or in another file) ran before it.
committed = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@committed
def test_after_an_admin_save_the_next_query_returns_the_new_data(
    client, demo, superuser, response_cache, django_assert_num_queries
):
    cached_twice(client, django_assert_num_queries, BORN_QUERY, None, born("1884-01-19"))
    etag = ask(client, BORN_QUERY, None)["ETag"]
    maisky = Person.objects.get(slug="ivan-maisky")
    url = reverse("admin:archive_person_change", args=[maisky.pk])
    client.force_login(superuser)
    page = client.get(url)
    response = client.post(url, form_data(page, born="1884", change_reason="Year only"))
    assert response.status_code == 302
    client.logout()

    answer = ask(client, BORN_QUERY, None)
    assert_answers(answer, born("1884"))
    assert answer["ETag"] != etag
    with django_assert_num_queries(0):
        assert_answers(ask(client, BORN_QUERY, None), born("1884"))


@committed
def test_after_a_revert_the_next_query_returns_the_old_data_again(
    client, demo, superuser, response_cache, django_assert_num_queries
):
    maisky = Person.objects.get(slug="ivan-maisky")
    maisky.born = "1885"
    maisky.save()
    cached_twice(client, django_assert_num_queries, BORN_QUERY, None, born("1885"))

    loaded = maisky.history.earliest("history_date")
    url = reverse("admin:archive_person_simple_history", args=[maisky.pk, loaded.history_id])
    client.force_login(superuser)
    response = client.post(url, form_data(client.get(url)))
    assert response.status_code == 302
    client.logout()

    assert_answers(ask(client, BORN_QUERY, None), born("1884-01-19"))


@committed
def test_after_a_fixture_load_the_next_query_returns_the_new_data(
    client, demo, response_cache, tmp_path, django_assert_num_queries
):
    cached_twice(client, django_assert_num_queries, TITLE_QUERY, AGREEMENT, AGREEMENT_DATA)
    fixture = json.loads((ROOT / DEMO_FIXTURE).read_text())
    (agreement,) = [
        obj
        for obj in fixture
        if obj["model"] == "archive.document" and obj["fields"]["slug"] == AGREEMENT["slug"]
    ]
    agreement["fields"]["title"] = "Polish–Soviet agreement"
    changed = tmp_path / "changed.json"
    changed.write_text(json.dumps(fixture))
    call_command("load_archive", str(changed), verbosity=0)

    expected = {
        "data": {
            "document": {"title": "Polish–Soviet agreement", "date": {"display": "30 July 1941"}}
        }
    }
    assert_answers(ask(client), expected)


@committed
def test_after_orm_saves_and_deletes_the_next_query_returns_the_new_data(
    client, demo, response_cache, django_assert_num_queries
):
    parties = '{ document(slug: "sikorski-mayski-agreement") { parties { state { slug } } } }'

    def with_parties(*slugs):
        return {"data": {"document": {"parties": [{"state": {"slug": s}} for s in slugs]}}}

    cached_twice(
        client, django_assert_num_queries, parties, None, with_parties("poland", "soviet-union")
    )
    DocumentParty.objects.filter(
        state__slug="soviet-union", document__slug=AGREEMENT["slug"]
    ).get().delete()
    cached_twice(client, django_assert_num_queries, parties, None, with_parties("poland"))
    DocumentParty.objects.create(
        document=Document.objects.get(slug=AGREEMENT["slug"]),
        state=State.objects.get(slug="germany"),
        role="party",
    )
    cached_twice(
        client, django_assert_num_queries, parties, None, with_parties("poland", "germany")
    )
    with transaction.atomic():
        germany = State.objects.get(slug="germany")
        germany.published = False
        germany.save()
    cached_twice(client, django_assert_num_queries, parties, None, with_parties("poland"))


@committed
def test_a_bulk_write_is_seen_once_the_writer_calls_bump(
    client, demo, response_cache, django_assert_num_queries
):
    """QuerySet.update() and bulk_create send no signals: bulk writers call bump()."""
    cached_twice(client, django_assert_num_queries, TITLE_QUERY, AGREEMENT, AGREEMENT_DATA)
    with transaction.atomic():
        Document.objects.filter(slug=AGREEMENT["slug"]).update(title="Bulk title")
        data_version.bump()
    expected = {"data": {"document": {"title": "Bulk title", "date": {"display": "30 July 1941"}}}}
    assert_answers(ask(client), expected)


@committed
def test_a_write_that_changes_another_answer_keeps_this_etag_valid(client, demo, response_cache):
    """The ETag is the hash of the body: a client whose answer did not change gets a 304."""
    etag = ask(client)["ETag"]
    version = data_version.from_db()
    Document.objects.filter(slug=PACT["slug"]).get().save()
    assert data_version.from_db() > version
    response = ask(client, if_none_match=etag)
    assert response.status_code == 304


# --- the data version ----------------------------------------------------------------------


@committed
def test_a_transaction_advances_the_version_once_before_its_first_write(demo):
    before = data_version.from_db()
    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        for person in Person.objects.all():
            person.description += "."
            person.save()
    advances = [
        index
        for index, query in enumerate(queries.captured_queries)
        if query["sql"].startswith('UPDATE "archive_dataversion"')
    ]
    first_write = next(
        index
        for index, query in enumerate(queries.captured_queries)
        if query["sql"].startswith('UPDATE "archive_person"')
    )
    assert len(advances) == 1
    assert advances[0] < first_write
    assert data_version.from_db() > before


@committed
def test_an_advance_rolled_back_with_a_savepoint_is_made_again(demo):
    before = data_version.from_db()
    with transaction.atomic():
        try:
            with transaction.atomic():
                Person.objects.filter(slug="ivan-maisky").get().save()
                raise RuntimeError("undo the savepoint")
        except RuntimeError:
            pass
        assert data_version.from_db() == before
        Person.objects.filter(slug="joseph-stalin").get().save()
        assert data_version.from_db() > before


@committed
def test_the_cached_copy_follows_each_commit_and_never_goes_back(demo, response_cache):
    data_version.publish(data_version.from_db())
    Person.objects.filter(slug="ivan-maisky").get().save()
    assert caches["default"].get(data_version.CACHE_KEY) == data_version.from_db()
    number = data_version.from_db()
    data_version.publish(number - 1)
    assert caches["default"].get(data_version.CACHE_KEY) == number


@committed
def test_the_version_survives_an_emptied_table_and_only_grows(demo):
    before = data_version.from_db()
    data_version.DataVersion.objects.all().delete()
    assert data_version.from_db() == 0
    Person.objects.filter(slug="ivan-maisky").get().save()
    assert data_version.from_db() > before


# --- a cache that is down ---------------------------------------------------------------------


@pytest.mark.django_db
def test_a_cache_that_is_down_answers_uncached_and_warns_once(
    client, demo, settings, caplog, django_assert_num_queries
):
    settings.CACHES = {
        "default": {**REDIS, "LOCATION": f"redis://127.0.0.1:{live_servers.free_port()}/0"}
    }
    settings.GRAPHQL_CACHE = True
    settings.GRAPHQL_CACHE_VERSION_FROM_DB = False
    response_cache_module._outage.reset()
    try:
        with caplog.at_level(logging.WARNING, logger="archive.graphql.cache"):
            with django_assert_num_queries(TITLE_QUERIES):
                assert_answers(ask(client), AGREEMENT_DATA)
            # Within the next RETRY_AFTER seconds the cache is not even tried.
            with django_assert_num_queries(TITLE_QUERIES):
                assert_answers(ask(client), AGREEMENT_DATA)
    finally:
        response_cache_module._outage.reset()
    (record,) = [r for r in caplog.records if r.name == "archive.graphql.cache"]
    assert record.levelno == logging.WARNING
    assert record.getMessage().startswith(
        "The GraphQL response cache is unavailable (ConnectionError: Error 111 connecting to "
    )
    assert record.getMessage().endswith(
        f"answering uncached for {data_version.CacheOutage.RETRY_AFTER} seconds before trying "
        "it again."
    )


@committed
def test_a_write_while_the_cache_is_down_is_saved_and_warns(demo, settings, caplog):
    settings.CACHES = {
        "default": {**REDIS, "LOCATION": f"redis://127.0.0.1:{live_servers.free_port()}/0"}
    }
    with caplog.at_level(logging.WARNING, logger="archive.data_version"):
        with transaction.atomic():
            maisky = Person.objects.get(slug="ivan-maisky")
            maisky.born = "1884"
            maisky.save()
    assert Person.objects.get(slug="ivan-maisky").born == "1884"
    (record,) = [r for r in caplog.records if r.name == "archive.data_version"]
    assert record.levelno == logging.WARNING
    assert record.getMessage().startswith(
        f"Could not copy data version {data_version.from_db()} to the cache ("
    )


# --- two server processes -------------------------------------------------------------------

DANZIG_QUERY = '{ states(filters: {text: "danzig"}) { totalCount results { name } } }'
NO_DANZIG = {"data": {"states": {"totalCount": 0, "results": []}}}
DANZIG = {"data": {"states": {"totalCount": 1, "results": [{"name": "Free City of Danzig"}]}}}
SERVER_START_TIMEOUT = 20


def _environment(database: Path, **extra: str) -> dict:
    return live_servers.clean_environment(
        DATABASE_URL=f"sqlite:///{database}",
        DJANGO_SECRET_KEY="multi-process-test-key-0123456789abcdefghijklmnopqrstuvwxyz",
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_HTTPS="0",  # plain HTTP on the loopback, as behind a TLS proxy
        DJANGO_STATIC_MANIFEST="0",  # runserver serves no static files: none collected
        DJANGO_LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
        **extra,
    )


@pytest.fixture(scope="module")
def demo_database(tmp_path_factory) -> Path:
    """A file database, migrated, with the demo data and a superuser, made once."""
    database = tmp_path_factory.mktemp("servers") / "template.sqlite3"
    script = (
        "from django.core.management import call_command\n"
        "from django.contrib.auth import get_user_model\n"
        "call_command('migrate', verbosity=0)\n"
        f"call_command('load_archive', {DEMO_FIXTURE!r}, verbosity=0)\n"
        "get_user_model().objects.create_superuser('root', password='pw')\n"
    )
    subprocess.run(
        [sys.executable, "manage.py", "shell", "-v", "0", "-c", script],
        cwd=ROOT,
        env=_environment(database),
        check=True,
        capture_output=True,
        timeout=120,
    )
    return database


class Server:
    """``manage.py runserver`` in a process of its own."""

    def __init__(self, env: dict, log: Path):
        self.port = live_servers.free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._log = log.open("wb")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "manage.py",
                "runserver",
                "--noreload",
                "--skip-checks",
                f"127.0.0.1:{self.port}",
            ],
            cwd=ROOT,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), _NoRedirects()
        )

    def wait_until_up(self, deadline: float) -> None:
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"runserver exited: {self.log_text()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.1)
        raise AssertionError(f"runserver did not start: {self.log_text()}")

    def log_text(self) -> str:
        self._log.flush()
        return Path(self._log.name).read_text(errors="replace")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._log.close()

    def request(self, path: str, data: dict | bytes | None = None, headers=None):
        body = data
        if isinstance(data, dict):
            body = urllib.parse.urlencode(data, doseq=True).encode()
        request = urllib.request.Request(self.url + path, data=body, headers=headers or {})
        try:
            with self.opener.open(request, timeout=10) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def graphql(self, query: str) -> dict:
        status, body = self.request(
            "/graphql/",
            json.dumps({"query": query}).encode(),
            {"Content-Type": "application/json"},
        )
        assert status == 200, body
        return json.loads(body)

    def csrf_token(self) -> str:
        return next(c.value for c in self.cookies if c.name == "csrftoken")

    def log_in(self, username: str, password: str) -> None:
        status, _ = self.request("/admin/login/")
        assert status == 200
        status, body = self.request(
            "/admin/login/",
            {
                "username": username,
                "password": password,
                "next": "/admin/",
                "csrfmiddlewaretoken": self.csrf_token(),
            },
        )
        assert status == 302, body

    def add_state(self, name: str, slug: str) -> None:
        """Post the admin's add form for a published state, as a browser would."""
        status, page = self.request("/admin/archive/state/add/")
        assert status == 200
        # The inline formsets' management fields, as the page gives them.
        management = {
            name: value
            for name, value in FormFields.of(page.decode(), "state_form")
            if name.endswith("_FORMS")
        }
        status, body = self.request(
            "/admin/archive/state/add/",
            {
                **management,
                "csrfmiddlewaretoken": self.csrf_token(),
                "name": name,
                "slug": slug,
                "published": "on",
                "change_reason": "Added by the multi-process test",
            },
        )
        assert status == 302, body


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@pytest.fixture
def servers(demo_database, tmp_path):
    """Start two servers on a copy of the demo database, with the environment given."""
    started = []

    def start(second: dict | None = None, **environment) -> tuple[Server, Server]:
        """Both with ``environment``; the second with ``second`` as well."""
        database = tmp_path / "db.sqlite3"
        shutil.copy(demo_database, database)
        env = _environment(database, **environment)
        pair = (
            Server(env, tmp_path / "first.log"),
            Server(env | (second or {}), tmp_path / "second.log"),
        )
        started.extend(pair)
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        for server in pair:
            server.wait_until_up(deadline)
        return pair

    yield start
    for server in started:
        server.stop()


def _write_through_the_other_and_read_through_the_first(first: Server, second: Server) -> None:
    assert first.graphql(DANZIG_QUERY) == NO_DANZIG
    assert first.graphql(DANZIG_QUERY) == NO_DANZIG  # now from the first server's cache
    assert second.graphql(DANZIG_QUERY) == NO_DANZIG
    second.log_in("root", "pw")
    second.add_state("Free City of Danzig", "free-city-of-danzig")
    assert first.graphql(DANZIG_QUERY) == DANZIG
    assert second.graphql(DANZIG_QUERY) == DANZIG


@pytest.mark.live_server
@needs_redis
def test_two_servers_sharing_redis_never_serve_stale_data(servers):
    store = redis.Redis.from_url(REDIS_TEST_URL)
    store.flushdb()
    try:
        first, second = servers(REDIS_URL=REDIS_TEST_URL)
        assert first.graphql(DANZIG_QUERY) == NO_DANZIG
        # Redis holds the list's count, the data version and the answer, for both
        # servers; the write below makes all three unreachable at once.
        keys = sorted(key.decode() for key in store.keys("*"))
        assert len(keys) == 3
        assert keys[0].startswith(f"archive:1:{counts.KEY_PREFIX}")
        assert keys[1] == f"archive:1:{data_version.CACHE_KEY}"
        assert keys[2].startswith(f"archive:1:{response_cache_module.KEY_PREFIX}")
        _write_through_the_other_and_read_through_the_first(first, second)
    finally:
        store.flushdb()


@pytest.mark.live_server
@needs_redis
def test_two_servers_sharing_redis_with_introspection_on_and_off(servers):
    store = redis.Redis.from_url(REDIS_TEST_URL)
    store.flushdb()
    try:
        first, second = servers(
            REDIS_URL=REDIS_TEST_URL, second={"DJANGO_GRAPHQL_INTROSPECTION": "0"}
        )
        assert first.graphql(SCHEMA_QUERY) == SCHEMA_DATA
        assert len(store.keys(f"*{response_cache_module.KEY_PREFIX}*")) == 1
        body = json.dumps({"query": SCHEMA_QUERY}).encode()
        status, answer = second.request(
            "/graphql/", body, {"Content-Type": "application/json", "Accept": ACCEPT}
        )
        assert status == 400
        assert json.loads(answer)["errors"][0]["message"].startswith(
            "GraphQL introspection has been disabled"
        )
        assert first.graphql(SCHEMA_QUERY) == SCHEMA_DATA
    finally:
        store.flushdb()


@pytest.mark.live_server
def test_two_servers_with_local_caches_reading_the_version_from_the_database(servers):
    first, second = servers(GRAPHQL_CACHE_VERSION_FROM_DB="1")
    _write_through_the_other_and_read_through_the_first(first, second)


# --- settings ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("environment", "backend", "version_from_db"),
    [
        ({}, "django.core.cache.backends.locmem.LocMemCache", True),
        ({"REDIS_URL": REDIS_TEST_URL}, "django.core.cache.backends.redis.RedisCache", False),
        (
            {"REDIS_URL": REDIS_TEST_URL, "GRAPHQL_CACHE_VERSION_FROM_DB": "1"},
            "django.core.cache.backends.redis.RedisCache",
            True,
        ),
    ],
    ids=["local-memory", "redis", "redis-version-from-db"],
)
def test_settings_from_the_environment(monkeypatch, environment, backend, version_from_db):
    """Without Redis each process has its own cache: the version comes from the database."""
    for name in (
        "REDIS_URL",
        "GRAPHQL_CACHE",
        "GRAPHQL_CACHE_TIMEOUT",
        "GRAPHQL_CACHE_VERSION_FROM_DB",
        "GRAPHQL_CACHE_MAX_ENTRY_BYTES",
        "GRAPHQL_CACHE_MAX_ENTRIES",
    ):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    values = runpy.run_path(str(ROOT / "project" / "settings.py"))
    assert values["CACHES"]["default"]["BACKEND"] == backend
    if "REDIS_URL" not in environment:
        assert values["CACHES"]["default"]["OPTIONS"] == {"MAX_ENTRIES": 200}
    assert values["GRAPHQL_CACHE_MAX_ENTRY_BYTES"] == 256 * 1024
    assert values["GRAPHQL_CACHE"] is True
    assert values["GRAPHQL_CACHE_TIMEOUT"] == 3600
    assert values["GRAPHQL_CACHE_VERSION_FROM_DB"] is version_from_db


@pytest.mark.slow
def test_an_exported_redis_url_does_not_reach_the_tests(tmp_path):
    """A developer's REDIS_URL would give every test one shared cache: answers
    cached by one test, under a data version the next restores, served to it."""
    inner = tmp_path / "test_inner.py"
    inner.write_text(
        "from django.core.cache import caches\n"
        "from django.core.cache.backends.locmem import LocMemCache\n\n\n"
        "def test_default_cache():\n"
        "    assert isinstance(caches['default'], LocMemCache), caches['default']\n"
    )
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-c", str(ROOT / "pyproject.toml")]
        + ["--rootdir", str(ROOT), "-q", "-p", "no:cacheprovider", str(inner)],
        cwd=ROOT,
        env={**os.environ, "REDIS_URL": "redis://127.0.0.1:1/0"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed" in result.stdout
