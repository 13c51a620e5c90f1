"""The response cache: identical queries answered without running them again.

A successful response (no errors) is kept in Django's cache framework under
a hash of everything that decides it: the query text, its variables, its
operation name and extensions; the code that answers (:func:`code_fingerprint`:
the schema, the archive's sources, the libraries' versions); the settings that
change an answer (:data:`ANSWER_SETTINGS`); and the archive's data version
(:mod:`archive.data_version`). So instances that share a cache (Redis) but
run other code or other settings never serve each other's answers. Every
write advances the data version, so a write makes every cached response
unreachable at once; stale entries expire by themselves.

What the cache keeps is bounded: an answer over
``settings.GRAPHQL_CACHE_MAX_ENTRY_BYTES`` is served but not kept, every entry
expires after ``settings.GRAPHQL_CACHE_TIMEOUT`` seconds, and the cache's own
bound holds the total (``MAX_ENTRIES`` of the local-memory cache; Redis's
``maxmemory``, docs/deployment.md, "Redis").

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
from importlib.metadata import version
from pathlib import Path

from django.conf import settings
from django.core.cache import caches
from strawberry.http import GraphQLRequestData

from archive import data_version

logger = logging.getLogger("archive.graphql.cache")

KEY_PREFIX = "graphql:response:"

# Settings that change what the API answers to the same request, read on every
# request. Suggestions change only error messages, which are never cached:
# in the key all the same, so that caching an answer with errors stays right.
# The limits decide, before anything runs, whether a query is answered, and
# the page size what a page holds.
ANSWER_SETTINGS = (
    "GRAPHQL_INTROSPECTION",
    "GRAPHQL_SUGGESTIONS",
    "GRAPHQL_PAGE_SIZE",
    "GRAPHQL_MAX_PAGE_SIZE",
    "GRAPHQL_MAX_DEPTH",
    "GRAPHQL_MAX_ALIASES",
    "GRAPHQL_MAX_TOKENS",
    "GRAPHQL_MAX_LIST_ITEMS",
    "GRAPHQL_MAX_TEXT_WORDS",
    "GRAPHQL_MAX_TEXT_CHARACTERS",
    "GRAPHQL_MAX_COST",
    "STRAWBERRY_DJANGO",
)
# Settings read while answering that change no answer, and why (a test checks that
# every setting the archive reads is in one of the two).
NOT_ANSWER_SETTINGS = {
    "GRAPHIQL": "serves the IDE's page, which is never cached",
    "GRAPHQL_MAX_BODY_BYTES": "refuses a body before the cache is looked up",
    "GRAPHQL_TIME_LIMIT": "bounds the work of running a query, which a cached answer does "
    "not cost; whether a run is stopped depends on the server's load anyway",
    "GRAPHQL_CACHE": "how answers are kept, not what they say",
    "GRAPHQL_CACHE_TIMEOUT": "how answers are kept, not what they say",
    "GRAPHQL_CACHE_MAX_ENTRY_BYTES": "how answers are kept, not what they say",
    "GRAPHQL_CACHE_VERSION_FROM_DB": "where the data version is read, not what it is",
    "COUNT_CACHE": "remembers counts, which are the same counted again",
    "BEHIND_PROXY": "the client's address, used for logins only",
}
# Libraries whose upgrade can change an answer (its format, its errors, its dates).
ANSWERING_PACKAGES = ("strawberry-graphql", "strawberry-graphql-django", "graphql-core", "edtf")
ARCHIVE_ROOT = Path(__file__).resolve().parent.parent


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
def code_fingerprint() -> str:
    """The code that answers: the schema, the archive's sources, the libraries' versions.

    A cache is shared across a deployment of new code: answers computed by the
    old (a bug fixed since, another limit) must not be served by the new.
    """
    from archive.graphql.schema import schema

    libraries = [f"{package}=={version(package)}" for package in ANSWERING_PACKAGES]
    identity = [str(schema), source_digest(ARCHIVE_ROOT), *libraries]
    return hashlib.sha256("\n".join(identity).encode()).hexdigest()[:16]


def source_digest(root: Path) -> str:
    """A hash of the names and contents of every Python file under ``root``."""
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def answer_settings() -> list:
    """The values of :data:`ANSWER_SETTINGS`, read now (a test may change them)."""
    return [getattr(settings, name) for name in ANSWER_SETTINGS]


def key_for(request: GraphQLRequestData, version: int) -> str:
    identity = json.dumps(
        [
            code_fingerprint(),
            answer_settings(),
            version,
            request.query,
            request.variables or {},
            request.operation_name,
            request.extensions or {},
        ],
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        default=repr,
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
    """Keep the entry, unless its body is over ``settings.GRAPHQL_CACHE_MAX_ENTRY_BYTES``."""
    if len(entry.body) > settings.GRAPHQL_CACHE_MAX_ENTRY_BYTES:
        # A few large answers would push out many small ones, or fill Redis.
        return
    # Kept as a plain tuple: readable by any version of this code.
    value = (entry.etag, entry.body)
    try:
        caches[data_version.CACHE_ALIAS].set(key, value, settings.GRAPHQL_CACHE_TIMEOUT)
    except Exception as error:
        _outage.started(error)


_outage = data_version.CacheOutage(logger, "The GraphQL response cache", "answering uncached")
