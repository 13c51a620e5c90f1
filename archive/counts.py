"""Counts remembered for the data version they were counted at.

Every page of a list says its ``totalCount``. Counting every public document
is a scan of an index of the whole list, growing with the archive and paid
again by every page of every list and every filter, although
the answer changes only when the archive does. Every write advances the data
version in its own transaction (:mod:`archive.data_version`), so a count kept
under the data version, the database and the SQL of what was counted is exact
for as long as it can be found: the write that changes the answer makes it
unreachable, in every process that shares the cache, exactly as it does the
response cache's answers.

Counts are remembered only outside transactions. Inside one, the data version
read may be one this transaction advanced and has not committed; were it
rolled back, the next write could be given the same number.

``COUNT_CACHE=0`` turns this off (docs/deployment.md, "Configuration").
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable

from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import EmptyResultSet, FullResultSet
from django.db import connections

from archive import data_version

logger = logging.getLogger("archive.counts")

KEY_PREFIX = "archive:count:"
_outage = data_version.CacheOutage(logger, "The cache of counts", "counting every time")


def remembered(queryset, count: Callable[[], int]) -> int:
    """``count()`` of ``queryset``, or the number it gave at this data version."""
    if not settings.COUNT_CACHE or _outage.ongoing():
        return count()
    if connections[queryset.db].in_atomic_block:
        return count()
    try:
        # A copy: compiling a query adds the joins of select_related() to it.
        sql, params = queryset.query.clone().get_compiler(queryset.db).as_sql()
    except (EmptyResultSet, FullResultSet):
        return count()  # nothing can match, or everything: Django's count() knows
    cache = caches[data_version.CACHE_ALIAS]
    try:
        version = data_version.for_caches(queryset.db)
        identity = f"{version}\0{queryset.db}\0{sql}\0{params!r}"
        key = KEY_PREFIX + hashlib.sha256(identity.encode()).hexdigest()
        number = cache.get(key)
    except Exception as error:  # noqa: BLE001 - out of reach: count as without it
        _outage.started(error)
        return count()
    if number is None:
        number = count()
        try:
            cache.set(key, number, settings.GRAPHQL_CACHE_TIMEOUT)
        except Exception as error:  # noqa: BLE001
            _outage.started(error)
    return number
