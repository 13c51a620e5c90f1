"""The response cache: identical queries answered without running them again.

A successful response (no errors) is kept in Django's cache framework under
a hash of the query text, its variables, its operation name and extensions,
the schema, and the archive's data version (:mod:`archive.data_version`).
Every write advances the data version, so a write makes every cached
response unreachable at once; stale entries expire by themselves.

The data version is read from the cache's copy (no SQL: a cached answer
costs two cache reads) unless ``settings.GRAPHQL_CACHE_VERSION_FROM_DB`` is
true, when it is read from the database on every request (one query by
primary key). The copy is right in every process when the cache is shared
(Redis); a local-memory cache is one process's own, and a write made by
another process (a second server, ``manage.py loaddata``) reaches it only
through the database: hence the setting's default, true without Redis.

The cache is an accelerator, never a dependency: when it cannot be reached
the request is answered uncached, a warning is logged, and the cache is left
alone for ``data_version.CacheOutage.RETRY_AFTER`` seconds before it is tried
again.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches
from strawberry.http import GraphQLRequestData

from archive import data_version

logger = logging.getLogger("archive.graphql.cache")

KEY_PREFIX = "graphql:response:"


@dataclass(frozen=True)
class Entry:
    """A cached response: its body, exactly as first sent, and its ETag."""

    etag: str
    body: bytes


def enabled() -> bool:
    return settings.GRAPHQL_CACHE


def etag_for(body: bytes) -> str:
    """A strong ETag: the hash of the body, so equal bodies share it."""
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


@functools.cache
def _schema_fingerprint() -> str:
    # Responses computed by another schema must not be served by this one
    # (a cache shared across a deployment of new code).
    from archive.graphql.schema import schema

    return hashlib.sha256(str(schema).encode()).hexdigest()[:16]


def key_for(request: GraphQLRequestData, version: int) -> str:
    identity = json.dumps(
        [
            _schema_fingerprint(),
            version,
            request.query,
            request.variables or {},
            request.operation_name,
            request.extensions or {},
        ],
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return KEY_PREFIX + hashlib.sha256(identity.encode()).hexdigest()


def lookup(request: GraphQLRequestData) -> tuple[str | None, Entry | None]:
    """The key for this request and the cached entry under it, if any.

    The key is None when the response must not be cached: no query, or the
    cache is out of reach.
    """
    if not isinstance(request.query, str) or _outage.ongoing():
        return None, None
    try:
        key = key_for(request, data_version.for_caches())
        cached = caches[data_version.CACHE_ALIAS].get(key)
    except Exception as error:
        _outage.started(error)
        return None, None
    return key, Entry(*cached) if cached is not None else None


def store(key: str, entry: Entry) -> None:
    # Kept as a plain tuple: readable by any version of this code.
    value = (entry.etag, entry.body)
    try:
        caches[data_version.CACHE_ALIAS].set(key, value, settings.GRAPHQL_CACHE_TIMEOUT)
    except Exception as error:
        _outage.started(error)


_outage = data_version.CacheOutage(logger, "The GraphQL response cache", "answering uncached")
