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

The cache is looked up only for a request known to pass parsing, validation
and every limit: a request refused is refused without a cache read and
without SQL, whatever the configuration. A request is looked up once it has
passed them (:class:`LookUpAnswerable`, the last step before execution), and
remembered (:class:`Answerable`): asked again, it is looked up at once, so a
cached answer costs no more than it would if the limits came after.

The data version is read from the cache's copy (no SQL: a cached answer
costs two cache reads) unless ``settings.GRAPHQL_CACHE_VERSION_FROM_DB`` is
true, when it is read from the database on every request that passed the
limits (one query by primary key). The copy is right in every process when
the cache is shared (Redis); a local-memory cache is one process's own, and a
write made by another process (a second server, ``manage.py loaddata``)
reaches it only through the database: hence the setting's default, true
without Redis.

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
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

from django.conf import settings
from django.core.cache import caches
from graphql import ExecutionResult
from strawberry.extensions import SchemaExtension
from strawberry.http import GraphQLRequestData

from archive import data_version
from archive.graphql import time_limit

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
    "GRAPHQL_HTTP_MAX_AGE": "how long HTTP caches keep answers, not what they say",
    "GRAPHQL_PERSISTED_QUERY_TIMEOUT": "how long a persisted query's text is kept",
    "GRAPHQL_TRUSTED_DOCUMENTS": "which documents are run: any other is refused before "
    "the cache is looked up",
    "GRAPHQL_TRUSTED_DOCUMENTS_ONLY": "refuses a document before the cache is looked up",
}
# Libraries whose upgrade can change an answer (its format, its errors, its dates).
ANSWERING_PACKAGES = ("strawberry-graphql", "strawberry-graphql-django", "graphql-core", "edtf")
ARCHIVE_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Entry:
    """A cached response: its body, exactly as first sent, and its ETag."""

    etag: str
    body: bytes


class Lookup:
    """One request's way through the cache: what it asks, then its key (None: not
    to be cached) and the entry found under it, once it is known to be answerable."""

    def __init__(self, request: GraphQLRequestData) -> None:
        self.request = request
        # Only a query text is cached (strawberry refuses the rest).
        self.identity = identity_of(request) if isinstance(request.query, str) else None
        self.key: str | None = None
        self.entry: Entry | None = None
        self.looked_up = False

    def passed_before(self) -> bool:
        """Whether this process has seen this very request pass every limit."""
        return self.identity in _answerable

    def passed(self) -> None:
        if self.identity is not None:
            _answerable.remember(self.identity)

    def look_up(self) -> None:
        """Find the entry; the data version it is keyed on may be read from the database."""
        self.looked_up = True
        if self.identity is None or _outage.ongoing():
            return
        try:
            key = _key(self.identity, data_version.for_caches())
            cached = caches[data_version.CACHE_ALIAS].get(key)
        except time_limit.TimeLimitExceeded:
            raise  # the request's time is up, not the cache's
        except Exception as error:
            _outage.started(error)
            return
        self.key = key
        self.entry = Entry(*cached) if cached is not None else None


class LookUpAnswerable(SchemaExtension):
    """Look the answer up once the query is known to be answerable: parsed,
    validated, within every limit. A refused query is refused before the data
    version, which may be read from the database, is.

    strawberry runs ``on_execute`` only for a query that passed validation, and
    executes it only when no result is set: a hit sets an empty one, and the
    view sends the entry (the context's ``response_cache``, a :class:`Lookup`).
    The request is remembered as answerable (:class:`Answerable`): asked again,
    the view looks it up at once.
    """

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        request = getattr(context.context, "response_cache", None)
        if request is not None:
            request.passed()
            # Time already up: the execution is stopped at its first step, as it
            # would be uncached, rather than the lookup's SQL (the data version).
            if not request.looked_up and not time_limit.time_is_up():
                request.look_up()
                if request.entry is not None:
                    context.result = ExecutionResult(data=None, errors=None)
        yield


class Answerable:
    """The identities (:func:`identity_of`) of the last requests that passed every
    limit in this process, at most ``size``.

    Whether a request passes is decided by what its identity holds (the code,
    the settings that change an answer, the query, its variables, its operation
    name and extensions), never by the data: asked again, the request passes
    again, so its answer may be looked up before the limits run. A request
    refused is never in it, and is refused before any lookup.
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self._identities: dict[str, None] = {}
        self._lock = threading.Lock()

    def __contains__(self, identity: str | None) -> bool:
        return identity in self._identities

    def remember(self, identity: str) -> None:
        with self._lock:
            self._identities.pop(identity, None)
            self._identities[identity] = None  # the most recent last
            if len(self._identities) > self.size:
                del self._identities[next(iter(self._identities))]

    def clear(self) -> None:
        with self._lock:
            self._identities.clear()


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


def identity_of(request: GraphQLRequestData) -> str:
    """A hash of everything that decides the answer but the data: the code, the
    settings, the request."""
    identity = json.dumps(
        [
            code_fingerprint(),
            answer_settings(),
            request.query,
            request.variables or {},
            request.operation_name,
            request.extensions or {},
        ],
        sort_keys=True,
        separators=(",", ":"),
        default=repr,
    )
    # ASCII escapes: text the limits are yet to refuse (a lone surrogate) must
    # still give a key.
    return hashlib.sha256(identity.encode()).hexdigest()


def key_for(request: GraphQLRequestData, version: int) -> str:
    return _key(identity_of(request), version)


def _key(identity: str, version: int) -> str:
    return KEY_PREFIX + hashlib.sha256(f"{identity}:{version}".encode()).hexdigest()


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


# A few hundred kilobytes: far more requests than the parser remembers queries.
ANSWERABLE_REMEMBERED = 4096
_answerable = Answerable(ANSWERABLE_REMEMBERED)
_outage = data_version.CacheOutage(logger, "The GraphQL response cache", "answering uncached")
