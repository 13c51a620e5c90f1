"""The endpoint: GET and POST, no cookie or CSRF token (nothing here writes).

The view is CSRF-exempt: the schema has no mutations, and a JSON POST cannot
be sent cross-site without a CORS preflight anyway. GraphiQL is served to
browsers when ``settings.GRAPHIQL`` is true, read on every request (so a
settings override applies at once); when it is false a browser's GET without
a query gets strawberry's 404.

GraphQL over HTTP (the current draft; docs/api.md has the tables). What is
not a GraphQL request at all gets a plain-text 4xx: another method (405,
with ``Allow``), a body over ``settings.GRAPHQL_MAX_BODY_BYTES`` (413, before
it is read), a content type other than JSON (415), a body that is not JSON in
UTF-8, or not an object, JSON nested over ``MAX_JSON_DEPTH`` (in the body, or
GET's ``variables`` and ``extensions``), no query, or parameters of the wrong
type (400). An empty parameter is one not given.

A request that is one but cannot run (a syntax error, an unknown field, an
unknown ``operationName`` or a document without an operation, variables of
the wrong type, a query over a limit) is a *request error*: its errors and
no ``data`` at all, nothing was executed. Answered as
``application/graphql-response+json`` (when the client's Accept prefers it)
it is a 400; as ``application/json`` (everyone else), a 200, as the spec
prescribes for that media type. A mutation sent by GET is a 405 either way.
Errors met while running (a record's field failing) keep the GraphQL
convention of a 200 with ``data`` and ``errors``, except a database that
cannot be reached: a 503 with ``Retry-After``. Every error has its
``extensions.code`` (:mod:`archive.graphql.errors`). Each execution has a
time limit (:mod:`archive.graphql.time_limit`).

Successful responses (no errors) are cached (:mod:`archive.graphql.cache`)
when ``settings.GRAPHQL_CACHE`` is true, and looked up only for a request
known to pass validation and the limits (a refused one costs no SQL). They
carry an ``ETag`` (the hash of the body) and ``Cache-Control: no-cache``:
clients may keep them but must revalidate, and a GET or POST whose
``If-None-Match`` matches gets a 304 without a body (Django's
``get_conditional_response``, RFC 9110). Responses with errors are neither
cached nor to be stored (``Cache-Control: no-store``).
"""

import copy
from dataclasses import dataclass

from cross_web import HTTPException
from django.conf import settings
from django.http import HttpResponse
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.views.decorators.csrf import csrf_exempt
from graphql import GraphQLError, parse
from strawberry.django.context import StrawberryDjangoContext
from strawberry.django.views import GraphQLView
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.types import ExecutionResult

from archive.graphql import cache, persisted, selections, time_limit
from archive.graphql import errors as codes
from archive.graphql.schema import DatabaseUnavailable, schema
from archive.library_versions import require

require(
    "strawberry-graphql",
    "0.341.2",
    "archive/graphql/views.py overrides GraphQLView's execute_single, parse_http_body "
    "and should_render_graphql_ide, and matches its refusals' messages",
)

BODY_NOT_AN_OBJECT = 'The request body must be a JSON object, like {"query": "{ __typename }"}.'
BODY_NOT_UTF8 = "The request body must be JSON encoded in UTF-8."
BODY_TOO_LARGE = (
    "The request body is {size:,} bytes; the maximum is {limit:,}. "
    "A GraphQL query this large is not needed: use variables and fragments."
)
OPERATION_NAME_NOT_A_STRING = (
    "The GraphQL operation's `operationName` must be a string or null, if provided."
)
# graphql-core refuses documents and variable values nested over 200 levels; a
# request's JSON holds them two levels down. Python's stack is not the limit:
# json.loads fails at about 1,000 levels, less the frames already in use.
MAX_JSON_DEPTH = 256
JSON_TOO_DEEP = (
    f"The request's JSON is nested too deeply: at most {MAX_JSON_DEPTH} arrays and objects "
    "within each other."
)
# graphql-core's messages, as it would give them had strawberry not asked first.
NO_OPERATION = "Must provide an operation."
UNKNOWN_OPERATION = "Unknown operation named '{name}'."
MUTATION_BY_GET = "Mutations cannot be sent by GET: send them by POST."
UNSUPPORTED_MEDIA_TYPE = (
    "Unsupported content type: send a GraphQL request as application/json, or by GET."
)
NO_BATCHES = (
    "A request carries one GraphQL operation: this server does not take batches "
    "(a JSON list); send each operation as a request of its own."
)
JSON = "application/json"
GRAPHQL_RESPONSE = "application/graphql-response+json"
REVALIDATE = "no-cache"
DO_NOT_STORE = "no-store"


@dataclass
class ArchiveContext(StrawberryDjangoContext):
    """strawberry's context, and the request's way through the response cache
    (None when the cache is off), which ``cache.LookUpAnswerable`` fills in."""

    response_cache: cache.Lookup | None = None


class ArchiveGraphQLView(GraphQLView):
    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        # Django makes one view instance per request: decide here, not at import.
        self.graphql_ide = "graphiql" if settings.GRAPHIQL else None
        # The request's cache lookup, made by execute_single; create_response sends a hit.
        self.response_cache = None
        self.succeeded = False
        self.nothing_ran = False  # set by execute_single: a request error
        self.media_type = JSON  # set by dispatch, from the request's Accept

    def get_context(self, request, response):
        return ArchiveContext(request=request, response=response)

    def dispatch(self, request, *args, **kwargs):
        self.media_type = response_media_type(request)
        limit = settings.GRAPHQL_MAX_BODY_BYTES
        size = _declared_size(request)
        if size > limit:
            # Refused on the declared length, before Django reads the body.
            return HttpResponse(
                BODY_TOO_LARGE.format(size=size, limit=limit), status=413, content_type="text/plain"
            )
        response = super().dispatch(request, *args, **kwargs)
        if response.status_code == 405 and not response.has_header("Allow"):
            response["Allow"] = "GET, POST"  # RFC 9110: a 405 says what is allowed
        if response.get("Content-Type", "").startswith(("application/json", GRAPHQL_RESPONSE)):
            # The same query is answered in either media type, with other status codes.
            patch_vary_headers(response, ["Accept"])
        return _conditional(request, response)

    def parse_http_body(self, request):
        # Strawberry reads a JSON body with data.get(): a body that is a string, a
        # number or null would be a 500. (A list is a batch, which it refuses.)
        # It decodes the body as UTF-8 and catches only JSON errors: other bytes
        # would be a 500 too.
        try:
            if request.method == "POST" and "application/json" in (request.content_type or ""):
                if not isinstance(self.parse_json(request.body), dict | list):
                    raise HTTPException(400, BODY_NOT_AN_OBJECT)
            data = super().parse_http_body(request)
        except UnicodeDecodeError:
            raise HTTPException(400, BODY_NOT_UTF8) from None
        except HTTPException as refusal:
            if refusal.reason == "Unsupported content type":
                # What the server does not take is a 415 (RFC 9110), which says what it takes.
                raise HTTPException(415, UNSUPPORTED_MEDIA_TYPE) from None
            if refusal.reason == "Batching is not enabled":
                # Each operation is limited and timed as a request: a batch would hold
                # a worker for as many. Strawberry's refusal names its setting.
                raise HTTPException(400, NO_BATCHES) from None
            raise
        if not isinstance(data, list) and not isinstance(data.operation_name, str | None):
            raise HTTPException(400, OPERATION_NAME_NOT_A_STRING)
        if not isinstance(data, list) and data.operation_name == "":
            data.operation_name = None  # an empty operationName is none given
        return data

    def should_render_graphql_ide(self, request) -> bool:
        # strawberry takes any GET without a query, and an Accept with */* (browsers'
        # fetch, curl, requests) or text/html, for a visit to GraphiQL (a 404 when it
        # is off): a persisted query by GET carries its hash in extensions instead.
        return (
            super().should_render_graphql_ide(request)
            and request.query_params.get("extensions") is None
        )

    def parse_query_params(self, params):
        # GraphQL over HTTP: an empty parameter is one not given (a form, or a
        # client that fills every parameter in, sends `variables=`).
        params = {name: value for name, value in params.items() if value != "" or name == "query"}
        return super().parse_query_params(params)

    def decode_json(self, data):
        # Every JSON the client sends (the body, GET's variables and extensions).
        # Too deep for json.loads is a RecursionError (strawberry: a 500); deep
        # within it, still deeper than a later recursion over it may go.
        too_deep = False
        try:
            value = super().decode_json(data)
        except RecursionError:
            too_deep = True  # raised outside the handler: no frames kept alive
        if too_deep or _deeper_than(value, MAX_JSON_DEPTH):
            raise HTTPException(400, JSON_TOO_DEEP)
        return value

    def execute_single(
        self, request, request_adapter, sub_response, context, root_value, request_data
    ):
        try:
            # A hash for the query it stands for, or a document not trusted refused.
            request_data, persist_as = persisted.resolve(request_data)
        except persisted.PersistedQueryError as refused:
            if refused.status is not None:
                sub_response.status_code = refused.status
            elif self.media_type == GRAPHQL_RESPONSE:
                sub_response.status_code = refused.graphql_response_status
            return self._finish(ExecutionResult(data=None, errors=[refused]), sub_response)
        if cache.enabled():
            found = self.response_cache = context.response_cache = cache.Lookup(request_data)
            # Reading the data version may be SQL, which a refused query must not
            # cost: a request is looked up here only if it has passed the limits
            # before, else once it has (cache.LookUpAnswerable).
            if found.passed_before():
                found.look_up()
                if found.entry is not None:
                    if persist_as is not None:
                        persisted.remember(persist_as, request_data.query)
                    return ExecutionResult(data=None, errors=None)  # create_response sends it
        try:
            with time_limit.limited(settings.GRAPHQL_TIME_LIMIT):
                try:
                    result = super().execute_single(
                        request, request_adapter, sub_response, context, root_value, request_data
                    )
                except HTTPException as refusal:
                    result = _request_error(refusal, request_data, sub_response)
        except time_limit.TimeLimitExceeded as stopped:
            # The timer fired between strawberry's handlers and the end of the block.
            result = ExecutionResult(data=None, errors=[stopped])
        result = self._finish(result, sub_response)
        hit = self.response_cache is not None and self.response_cache.entry is not None
        if persist_as is not None and (hit or not self.nothing_ran):
            # Past validation and every limit: the hash alone will do from now on.
            persisted.remember(persist_as, request_data.query)
        return result

    def _finish(self, result, sub_response):
        """The result's codes and status, and what create_response needs to know of it."""
        self.succeeded = not result.errors
        self.nothing_ran = result.data is None and all(e.path is None for e in result.errors or ())
        if result.errors:
            codes.add_codes(result.errors, ran=not self.nothing_ran)
        if (
            result.errors
            and self.nothing_ran
            and sub_response.status_code is None
            and self.media_type == GRAPHQL_RESPONSE
        ):
            # A request error: with this media type, a 4xx (GraphQL over HTTP). With
            # application/json a well-formed request is answered 200, errors and all.
            sub_response.status_code = 400
        if any(isinstance(e, DatabaseUnavailable) for e in result.errors or ()):
            # Load balancers and clients know what to do with a 503: try again.
            sub_response.status_code = 503
            sub_response["Retry-After"] = "5"
        return result

    def process_result(self, request, result):
        answer = super().process_result(request, result)
        if result.errors and self.nothing_ran:
            # A request error: nothing was executed, so there is no data at all (the
            # GraphQL spec: no `data` entry), not even null.
            answer.pop("data", None)
        return answer

    def create_response(self, response_data, sub_response):
        found = self.response_cache
        if found is not None and found.entry is not None:
            return _response(found.entry, self.media_type, self.freshness())
        response = super().create_response(response_data, sub_response)
        response["Content-Type"] = self.media_type
        if not (self.succeeded and response.status_code == 200):
            response["Cache-Control"] = DO_NOT_STORE
            return response
        entry = cache.Entry(etag=cache.etag_for(response.content), body=response.content)
        if found is not None and found.key:
            cache.store(found.key, entry)
        response["ETag"] = entry.etag
        response["Cache-Control"] = self.freshness()
        return response

    def freshness(self) -> str:
        """``Cache-Control`` of an answer without errors.

        A GET's URL is the whole request and the answer is the same for everyone
        (no credentials): shared caches (a CDN, nginx's proxy_cache) may keep it for
        ``settings.GRAPHQL_HTTP_MAX_AGE`` seconds, then revalidate it with its ETag.
        A POST's answer may be kept by the client alone, revalidated each time.
        """
        max_age = settings.GRAPHQL_HTTP_MAX_AGE
        if self.request.method == "GET" and max_age > 0:
            return f"public, max-age={max_age}"
        return REVALIDATE


def _request_error(refusal: HTTPException, request_data, sub_response) -> ExecutionResult:
    """A refusal strawberry raised as text, for an operation it could not pick or may
    not run, as the GraphQL error it is; any other refusal, raised again."""
    cause = refusal.__cause__
    if isinstance(cause, CannotGetOperationTypeError):
        name = request_data.operation_name
        message = NO_OPERATION if name is None else UNKNOWN_OPERATION.format(name=name)
        nodes = None  # no place in the query: the operation is not there
    elif isinstance(cause, InvalidOperationTypeError):
        # The only type GET may not run here: the schema has queries only.
        message = MUTATION_BY_GET
        # Located at the mutation (the text parsed: strawberry found the operation in it).
        kind = cause.operation_type.value
        nodes = [
            node
            for node in selections.operations(parse(request_data.query))
            if node.operation.value == kind
        ]
        sub_response.status_code = 405
        sub_response["Allow"] = "POST"
    else:
        raise refusal
    error = GraphQLError(message, nodes, extensions={"code": codes.OPERATION_RESOLUTION_FAILURE})
    return ExecutionResult(data=None, errors=[error])


def _deeper_than(value, limit: int) -> bool:
    """Whether JSON ``value`` nests arrays and objects more than ``limit`` deep."""
    pending = [(value, 1)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, dict):
            value = value.values()
        elif not isinstance(value, list):
            continue
        if depth > limit:
            return True
        pending.extend((item, depth + 1) for item in value)
    return False


def _declared_size(request) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def response_media_type(request) -> str:
    """The media type of the answer: application/graphql-response+json when the
    client's Accept prefers it (Apollo Client 4 sends
    ``application/graphql-response+json,application/json;q=0.9``), else
    application/json, for ``*/*``, no Accept at all (GraphQL over HTTP: legacy
    clients) or an Accept that names neither."""
    # Listed first, application/json is the one chosen when both are equally acceptable
    # only through a wildcard.
    return request.get_preferred_type([JSON, GRAPHQL_RESPONSE]) or JSON


def _response(entry: cache.Entry, media_type: str, freshness: str) -> HttpResponse:
    response = HttpResponse(entry.body, content_type=media_type)
    response["ETag"] = entry.etag
    response["Cache-Control"] = freshness
    return response


def _conditional(request, response):
    """The response, or a 304 for a client whose copy is current (RFC 9110, by Django).

    A GraphQL query is a safe read whichever method carries it (the schema has
    no mutations): its preconditions are evaluated as a GET's. Django answers a
    POST whose ``If-None-Match`` matches with a 412, as for a method that
    changes what it is sent to.
    """
    etag = response.get("ETag")
    if etag is None or request.method not in ("GET", "POST"):
        return response
    read = copy.copy(request)
    read.method = "GET"
    return get_conditional_response(read, etag=etag, response=response)


graphql_view = csrf_exempt(ArchiveGraphQLView.as_view(schema=schema))
