"""Counts remembered for the data version (archive.counts): exact after every write.

Outside transactions only, so these tests commit (``transaction=True``).
"""

import datetime
import logging

import pytest
from django.core.cache import caches
from django.db import transaction

from archive import counts, data_version, date_queries, visibility
from archive.models import Document, Event
from tests.factories import make_document, make_event
from tests.graphql_client import gql

# serialized_rollback: the groups the migrations made are back for the tests after these.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
RANGE_1941 = (datetime.date(1941, 7, 1), datetime.date(1941, 8, 31))


@pytest.fixture(autouse=True)
def counts_on(settings):
    settings.COUNT_CACHE = True
    caches[data_version.CACHE_ALIAS].clear()
    counts._outage.reset()
    yield
    caches[data_version.CACHE_ALIAS].clear()
    counts._outage.reset()


def public_documents():
    return visibility.public_records(Document.objects.all())


def test_a_count_is_remembered_until_the_archive_changes(django_assert_num_queries):
    make_document(published=True)
    make_document(published=True)
    with django_assert_num_queries(2):  # the data version, the count
        assert public_documents().count() == 2
    with django_assert_num_queries(1):  # the data version alone
        assert public_documents().count() == 2
    make_document(published=True)
    with django_assert_num_queries(2):
        assert public_documents().count() == 3
    Document.objects.filter(published=True).first().delete()
    assert public_documents().count() == 2


def test_each_query_has_its_own_count():
    make_document(published=True)
    make_document(published=False)
    assert public_documents().count() == 1
    assert Document.objects.count() == 2
    assert Document.objects.filter(slug__startswith="nothing").count() == 0


def test_a_date_range_is_remembered_too(django_assert_num_queries):
    make_event(date="1941-07-30", published=True)
    make_event(date="1950", published=True)
    events = Event.objects.filter(date_queries.overlaps("date", *RANGE_1941))
    with django_assert_num_queries(2):
        assert events.count() == 1
    with django_assert_num_queries(1):
        assert events.count() == 1


def test_inside_a_transaction_every_count_counts(django_assert_num_queries):
    make_document(published=True)
    with transaction.atomic():
        make_document(published=True)  # this transaction's data version, not committed
        for _ in range(2):
            with django_assert_num_queries(1):  # the count, no data version
                assert public_documents().count() == 2


def test_count_cache_0_counts_every_time(settings, django_assert_num_queries):
    settings.COUNT_CACHE = False
    make_document(published=True)
    for _ in range(2):
        with django_assert_num_queries(1):
            assert public_documents().count() == 1


def test_an_unreachable_cache_is_counted_without_and_left_alone_a_while(monkeypatch, caplog):
    make_document(published=True)
    tries = []

    def refused(*args, **kwargs):
        tries.append(1)
        raise ConnectionError("Connection refused")

    monkeypatch.setattr(caches[data_version.CACHE_ALIAS], "get", refused)
    with caplog.at_level(logging.WARNING, logger="archive.counts"):
        assert public_documents().count() == 1
        assert public_documents().count() == 1
    assert len(tries) == 1  # the second count did not try the cache
    assert [record.getMessage() for record in caplog.records] == [
        "The cache of counts is unavailable (ConnectionError: Connection refused): counting "
        f"every time for {data_version.CacheOutage.RETRY_AFTER} seconds before trying it again."
    ]


def test_the_api_s_total_count_follows_every_write(client):
    query = "{ documents { totalCount } }"
    make_document(published=True)
    assert gql(client, query) == {"documents": {"totalCount": 1}}
    assert gql(client, query) == {"documents": {"totalCount": 1}}
    make_document(published=True)
    assert gql(client, query) == {"documents": {"totalCount": 2}}
