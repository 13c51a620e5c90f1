"""Persisted queries: Apollo's automatic persisted queries, and trusted documents.

Automatic persisted queries (APQ, Apollo's protocol): a request may carry
``extensions.persistedQuery = {"version": 1, "sha256Hash": H}`` and no query.
The text is looked up under H: in the trusted documents, then in Django's
cache (Redis in production, each process's memory otherwise). Unknown, the
answer is the error ``PersistedQueryNotFound`` (``PERSISTED_QUERY_NOT_FOUND``),
never stored (``no-store``; its status below), and the client sends the query
again with its hash: the hash is checked against the text (a mismatch is a
400, ``PERSISTED_QUERY_HASH_MISMATCH``), and the text is kept under it once
it has passed validation and every limit (:func:`remember`),
for ``settings.GRAPHQL_PERSISTED_QUERY_TIMEOUT`` seconds. Thereafter the hash
alone will do, by GET too, which a shared HTTP cache can keep.

Trusted documents: ``settings.GRAPHQL_TRUSTED_DOCUMENTS`` names a JSON file
mapping SHA-256 hashes to documents (GraphQL Codegen's persisted-documents
format; ``manage.py register_trusted_documents`` writes it from .graphql
files). With ``settings.GRAPHQL_TRUSTED_DOCUMENTS_ONLY`` the API runs these
alone: any other text is refused (``QUERY_NOT_IN_SAFELIST``), and so is any
other hash (``PERSISTED_QUERY_NOT_IN_LIST``; the codes are Apollo Router's,
and so are their statuses under application/graphql-response+json, 403 and
404: its PR #4887), and nothing is learnt from clients.

The status of ``PersistedQueryNotFound``: a 404 under
``application/graphql-response+json``, a 200 under ``application/json``.
Apollo Server 4 answers a 200 under both (``packages/server/src/
internalErrorClasses.ts``: lest error handling mask the body), and the legacy
media type keeps that; but the GraphQL-over-HTTP draft says a response
without ``data`` under the new media type MUST be a 4xx or 5xx, Apollo
Router answers an unknown persisted query id with a 404, and a client that
asks for that media type reads the body of a 4xx: Apollo Client's
persisted-queries link retries on it (clients/apollo/persisted-queries.mjs,
run by tests/test_clients.py, records the round trip).

A persisted query is then the query it stands for: the same limits, run
before the response cache is looked up, and the same response cache (the
``persistedQuery`` extension is dropped from the request once resolved).
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import logging
import re
from pathlib import Path

from django.conf import settings
from django.core import checks
from django.core.cache import caches
from graphql import GraphQLError
from strawberry.http import GraphQLRequestData

from archive import data_version
from archive.graphql import time_limit

logger = logging.getLogger("archive.graphql.persisted")

KEY_PREFIX = "graphql:persisted:"
SHA256 = re.compile(r"[0-9a-f]{64}")

# Apollo's codes and messages, which its clients (apollo-link-persisted-queries,
# Apollo Kotlin and iOS) recognise.
NOT_FOUND = "PERSISTED_QUERY_NOT_FOUND"
NOT_FOUND_MESSAGE = "PersistedQueryNotFound"
# A hash that is not the text's, or an extension that is not APQ's version 1.
HASH_MISMATCH = "PERSISTED_QUERY_HASH_MISMATCH"
HASH_MISMATCH_MESSAGE = "provided sha does not match query"
BAD_REQUEST = "BAD_REQUEST"
UNSUPPORTED_VERSION = "Unsupported persisted query version"
INVALID_HASH = (
    "persistedQuery.sha256Hash must be the SHA-256 of the query, in 64 lowercase hex digits"
)
# Trusted documents only (Apollo Router's codes for its safelist).
NOT_IN_LIST = "PERSISTED_QUERY_NOT_IN_LIST"
NOT_IN_LIST_MESSAGE = (
    "Persisted query '{hash}' is not among this API's trusted documents: "
    "this server answers only the queries registered with it."
)
NOT_IN_SAFELIST = "QUERY_NOT_IN_SAFELIST"
NOT_IN_SAFELIST_MESSAGE = (
    "This query is not among this API's trusted documents: "
    "this server answers only the queries registered with it."
)


class PersistedQueryError(GraphQLError):
    """A refusal before anything ran: its code, and the status it is answered with
    whatever the media type; or (None) that of any request error by media type, with
    ``graphql_response_status`` under application/graphql-response+json."""

    def __init__(
        self,
        message: str,
        code: str,
        status: int | None = None,
        graphql_response_status: int = 400,
    ) -> None:
        super().__init__(message, extensions={"code": code})
        self.status = status
        self.graphql_response_status = graphql_response_status


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def resolve(request: GraphQLRequestData) -> tuple[GraphQLRequestData, str | None]:
    """The request with the query its hash stands for, without the ``persistedQuery``
    extension, and the hash to remember the text under once it has passed the limits
    (None: nothing to remember). Raises :class:`PersistedQueryError`."""
    extensions = request.extensions or {}
    persisted = extensions.get("persistedQuery")
    trusted_only = settings.GRAPHQL_TRUSTED_DOCUMENTS_ONLY
    if persisted is None:
        if trusted_only and isinstance(request.query, str):
            if sha256(request.query) not in trusted_documents():
                raise PersistedQueryError(
                    NOT_IN_SAFELIST_MESSAGE, NOT_IN_SAFELIST, graphql_response_status=403
                )
        return request, None
    if not isinstance(persisted, dict) or persisted.get("version") != 1:
        raise PersistedQueryError(UNSUPPORTED_VERSION, BAD_REQUEST, 400)
    digest = persisted.get("sha256Hash")
    if not isinstance(digest, str) or not SHA256.fullmatch(digest):
        raise PersistedQueryError(INVALID_HASH, BAD_REQUEST, 400)
    rest = {name: value for name, value in extensions.items() if name != "persistedQuery"}
    if isinstance(request.query, str):
        if sha256(request.query) != digest:
            raise PersistedQueryError(HASH_MISMATCH_MESSAGE, HASH_MISMATCH, 400)
        query = request.query
        if trusted_only and digest not in trusted_documents():
            raise PersistedQueryError(
                NOT_IN_LIST_MESSAGE.format(hash=digest), NOT_IN_LIST, graphql_response_status=404
            )
        to_remember = None if trusted_only or digest in trusted_documents() else digest
    else:
        query = trusted_documents().get(digest)
        if query is None and trusted_only:
            raise PersistedQueryError(
                NOT_IN_LIST_MESSAGE.format(hash=digest), NOT_IN_LIST, graphql_response_status=404
            )
        if query is None:
            query = _stored(digest)
        if query is None:
            # Not found: a 404 under the new media type, a 200 under the legacy one
            # (the module's docstring says why); Apollo's links retry on either.
            raise PersistedQueryError(NOT_FOUND_MESSAGE, NOT_FOUND, graphql_response_status=404)
        to_remember = None
    resolved = dataclasses.replace(request, query=query, extensions=rest or None)
    return resolved, to_remember


def remember(digest: str, query: str) -> None:
    """Keep ``query`` under its hash (the cache's own bound holds the total)."""
    try:
        caches[data_version.CACHE_ALIAS].set(
            KEY_PREFIX + digest, query, settings.GRAPHQL_PERSISTED_QUERY_TIMEOUT
        )
    except time_limit.TimeLimitExceeded:
        raise
    except Exception as error:
        logger.warning("Persisted query not kept: the cache failed (%s)", error)


def _stored(digest: str) -> str | None:
    try:
        return caches[data_version.CACHE_ALIAS].get(KEY_PREFIX + digest)
    except time_limit.TimeLimitExceeded:
        raise
    except Exception as error:
        # Not found: the client sends the text again, and is answered.
        logger.warning("Persisted query not looked up: the cache failed (%s)", error)
        return None


def trusted_documents() -> dict[str, str]:
    """The trusted documents of ``settings.GRAPHQL_TRUSTED_DOCUMENTS`` (read once per
    path; none when the file does not exist and the mode is off)."""
    return _read_documents(settings.GRAPHQL_TRUSTED_DOCUMENTS)


@functools.cache
def _read_documents(path: str) -> dict[str, str]:
    file = Path(path)
    if not file.exists() and not settings.GRAPHQL_TRUSTED_DOCUMENTS_ONLY:
        return {}
    return load_documents(file)


def load_documents(file: Path) -> dict[str, str]:
    """A manifest: {sha256: document} (GraphQL Codegen's persisted documents), or
    Apollo's persisted query manifest ({"operations": [{"id", "body"}, …]}). Every
    hash is checked against its document: a wrong one is a configuration error
    (ValueError, as for a file that is not such a manifest)."""
    manifest = json.loads(file.read_text(encoding="utf-8"))
    if isinstance(manifest, dict) and isinstance(manifest.get("operations"), list):
        entries = manifest["operations"]
        if not all(isinstance(entry, dict) for entry in entries):
            raise ValueError(f'{file}: each of the operations must be {{"id", "body"}}')
        documents = {entry.get("id"): entry.get("body") for entry in entries}
    elif isinstance(manifest, dict):
        documents = manifest
    else:
        raise ValueError(f"{file}: a manifest is a JSON object of hashes and documents")
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in documents.items()):
        raise ValueError(f"{file}: every hash and every document must be a string")
    wrong = [digest for digest, document in documents.items() if sha256(document) != digest]
    if wrong:
        raise ValueError(f"{file}: these hashes are not the SHA-256 of their documents: {wrong}")
    return documents


def check_trusted_documents(**kwargs) -> list[checks.CheckMessage]:
    """A system check (archive/apps.py), so that ``manage.py check`` and with it
    bin/serve refuse to start an API that would answer every persisted query, or in
    trusted-documents mode every query, with a 500: the manifest must be readable,
    and must exist and hold documents when the API answers nothing else."""
    file = Path(settings.GRAPHQL_TRUSTED_DOCUMENTS)
    only = settings.GRAPHQL_TRUSTED_DOCUMENTS_ONLY
    hint = (
        "Write the manifest with `manage.py register_trusted_documents FILE.graphql …`, "
        "or point GRAPHQL_TRUSTED_DOCUMENTS at it."
    )
    if not file.exists():
        if not only:
            return []
        message = f"GRAPHQL_TRUSTED_DOCUMENTS_ONLY is on, and {file} does not exist."
        return [checks.Error(message, hint=hint, id="archive.E001")]
    try:
        documents = load_documents(file)
    except (OSError, ValueError) as error:
        message = f"The trusted documents cannot be read: {error}"
        return [checks.Error(message, hint=hint, id="archive.E002")]
    if only and not documents:
        message = f"GRAPHQL_TRUSTED_DOCUMENTS_ONLY is on, and {file} holds no documents."
        return [checks.Error(message, hint=hint, id="archive.E003")]
    return []
