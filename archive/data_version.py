"""The archive's data version: one number that every write advances.

The GraphQL response cache (:mod:`archive.graphql.cache`) and the remembered
counts (:mod:`archive.counts`) key their entries on this number, so a write
makes every cached response and count unreachable at once.

Where it lives
    One row of :class:`DataVersion`, in the archive's database. The signal
    handlers in :mod:`archive.signals` advance it for every save and delete
    of every archive model (records, relation and name rows, their versions;
    the raw saves of ``loaddata`` too), in the transaction of the write: the
    admin's saves, reverts and recoveries, fixture loads and ORM code are all
    covered. Writes that send no signals (``QuerySet.update()``,
    ``bulk_create``, ``bulk_update``, raw SQL: the generator's bulk inserts)
    must call :func:`bump` themselves, in the same transaction; outside a
    transaction, after the writes.

One advance per transaction
    Inside a transaction the first write advances the number and the others
    find that done (:func:`bump` looks for the commit callback it left; a
    savepoint rolled back takes the advance and the callback away together,
    so the next write advances again). The row stays locked until commit,
    so writing transactions take turns: inside a transaction the advance
    comes before the first row is written, so that this lock is always the
    first one taken, and two writers do not deadlock over it.

Never backwards
    Each advance sets the number to ``max(number + 1, now in microseconds)``:
    it always grows, and the first advance after ``manage.py flush`` (which
    removes the row) or after restoring an older backup still goes above
    every number handed out before, so no answer cached for an earlier state
    of the data is ever found under a new number.

How it is read
    :func:`from_db` reads the row: one query by primary key. :func:`current`
    reads the copy kept in the cache and falls back to the row when the copy
    is missing. After each commit that advanced the number, the copy is
    raised to it (:func:`publish`), never lowered: two commits whose
    callbacks run out of order cannot leave an older number behind. The copy
    expires after :data:`CACHE_TIMEOUT` seconds, which bounds how long a copy
    can be wrong when the cache missed an update (it was unreachable when a
    write committed) or the database was restored to an older state.
"""

from __future__ import annotations

import logging
import threading
import time

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.db import connections, models, router, transaction

logger = logging.getLogger("archive.data_version")

CACHE_ALIAS = "default"
CACHE_KEY = "archive:data-version"
# Seconds the cached copy lives: after that it is read again from the database.
CACHE_TIMEOUT = 60

ROW_ID = 1

# Raise the copy in Redis to ARGV[1] unless it is already as high (atomically).
_RAISE_SCRIPT = """
local current = tonumber(redis.call('GET', KEYS[1]))
if current == nil or current < tonumber(ARGV[1]) then
    redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
    return 1
end
return 0
"""
_local_lock = threading.Lock()


class DataVersion(models.Model):
    """The archive's data version (a single row; see :mod:`archive.data_version`)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=ROW_ID, editable=False)
    number = models.BigIntegerField(default=0)

    class Meta:
        app_label = "archive"

    def __str__(self):
        return f"data version {self.number}"


class _Publish:
    """The commit callback of an advance: copies the new number into the cache."""

    __slots__ = ("number",)

    def __init__(self, number: int):
        self.number = number

    def __call__(self):
        publish(self.number)


def bump(using: str | None = None) -> int | None:
    """Advance the data version, in the current transaction.

    Returns the new number, or None when this transaction has advanced it
    already. Call it in the transaction of writes that send no signals
    (``bulk_create``, ``QuerySet.update()``, raw SQL), best before the first
    of them, as the signal handlers do (see the module docstring: the lock);
    outside a transaction, call it after them.
    """
    using = using or router.db_for_write(DataVersion)
    connection = connections[using]
    if connection.in_atomic_block and _advanced_in_this_transaction(connection):
        return None
    number = _advance(connection)
    transaction.on_commit(_Publish(number), using=using, robust=True)
    return number


def before_write(using: str | None) -> None:
    """A row is about to be written: advance now if inside a transaction.

    Advancing first takes the version row's lock before any other (see the
    module docstring). Outside a transaction the write commits by itself:
    the advance must come after it (:func:`after_write`), or a reader could
    see the new number with the old data and cache that.
    """
    if connections[using or router.db_for_write(DataVersion)].in_atomic_block:
        bump(using)


def after_write(using: str | None) -> None:
    """A row has been written: advance, unless this transaction has already."""
    bump(using)


def _advanced_in_this_transaction(connection) -> bool:
    # Django drops the callbacks registered inside a savepoint when it rolls
    # back, together with the advance made there: a pending _Publish means an
    # advance that will commit with this transaction.
    return any(
        isinstance(entry, tuple) and len(entry) > 1 and isinstance(entry[1], _Publish)
        for entry in getattr(connection, "run_on_commit", ())
    )


def _advance(connection) -> int:
    table = connection.ops.quote_name(DataVersion._meta.db_table)
    greatest = "GREATEST" if connection.vendor == "postgresql" else "MAX"
    sql = (
        f"UPDATE {table} SET number = {greatest}(number + 1, %s) "
        f"WHERE id = {ROW_ID} RETURNING number"
    )
    now = time.time_ns() // 1000
    with connection.cursor() as cursor:
        cursor.execute(sql, [now])
        row = cursor.fetchone()
        if row is None:  # no row yet: a new database, or one emptied by flush
            DataVersion.objects.using(connection.alias).bulk_create(
                [DataVersion(id=ROW_ID, number=0)], ignore_conflicts=True
            )
            cursor.execute(sql, [now])
            row = cursor.fetchone()
    return row[0]


def from_db(using: str | None = None) -> int:
    """The data version as the database has it (0 before the first write)."""
    using = using or router.db_for_read(DataVersion)
    number = DataVersion.objects.using(using).filter(id=ROW_ID).values_list("number", flat=True)
    return next(iter(number), 0)


def current() -> int:
    """The data version from the cache's copy; from the database if it has none.

    Raises the cache's exception when the cache cannot be reached.
    """
    number = caches[CACHE_ALIAS].get(CACHE_KEY)
    if number is None:
        number = from_db()
        _raise_copy(number)
    return number


def for_caches(using: str | None = None) -> int:
    """The data version the caches keyed on it (responses, counts) go by.

    From the database when ``settings.GRAPHQL_CACHE_VERSION_FROM_DB`` says the
    cache is not shared by every process that writes; else the cache's copy.
    Raises the cache's exception when the cache cannot be reached.
    """
    if settings.GRAPHQL_CACHE_VERSION_FROM_DB:
        return from_db(using)
    return current()


def publish(number: int) -> None:
    """Raise the cache's copy to ``number`` (a commit callback: never raises)."""
    try:
        _raise_copy(number)
    except Exception as error:
        logger.warning(
            "Could not copy data version %s to the cache (%s): cached GraphQL responses "
            "may be out of date for up to %s seconds.",
            number,
            error,
            CACHE_TIMEOUT,
        )


def publish_after_migrate(using: str = "default", **kwargs) -> None:
    """A post_migrate handler: a data migration writes without signals (0009 reads
    roles into lists), so the cache's copy is raised to the row it left."""
    publish(from_db(using))


def _raise_copy(number: int) -> None:
    cache = caches[CACHE_ALIAS]
    if isinstance(cache, RedisCache):
        key = cache.make_and_validate_key(CACHE_KEY)
        client = cache._cache.get_client(key, write=True)
        client.eval(_RAISE_SCRIPT, 1, key, number, CACHE_TIMEOUT)
        return
    # A cache of this process (local memory): a lock makes the raise atomic.
    # Other shared caches get no atomic raise: use GRAPHQL_CACHE_VERSION_FROM_DB.
    with _local_lock:
        copy = cache.get(CACHE_KEY)
        if copy is None or copy < number:
            cache.set(CACHE_KEY, number, CACHE_TIMEOUT)


class CacheOutage:
    """When the cache last failed in this process, for one of its users (the
    response cache, the counts): one warning per outage, and the cache left
    alone for ``RETRY_AFTER`` seconds, so that an unreachable cache does not
    add its timeout to every request."""

    RETRY_AFTER = 10  # seconds

    def __init__(self, log: logging.Logger, user: str, meanwhile: str):
        self._log, self._user, self._meanwhile = log, user, meanwhile
        self._lock = threading.Lock()
        self._until = 0.0

    def ongoing(self) -> bool:
        return time.monotonic() < self._until

    def started(self, error: Exception) -> None:
        with self._lock:
            warn = not self.ongoing()
            self._until = time.monotonic() + self.RETRY_AFTER
        if warn:
            self._log.warning(
                "%s is unavailable (%s: %s): %s for %s seconds before trying it again.",
                self._user,
                type(error).__name__,
                error,
                self._meanwhile,
                self.RETRY_AFTER,
            )

    def reset(self) -> None:
        self._until = 0.0
