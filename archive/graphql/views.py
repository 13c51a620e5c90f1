"""The endpoint: GET and POST, no cookie or CSRF token (nothing here writes).

The view is CSRF-exempt: the schema has no mutations, and a JSON POST cannot
be sent cross-site without a CORS preflight anyway. GraphiQL is served to
browsers when ``settings.GRAPHIQL`` is true, read on every request (so a
settings override applies at once); when it is false a browser's GET without
a query gets strawberry's 404.

What is not a GraphQL request at all gets a plain-text 4xx: another method
(405), a body over ``settings.GRAPHQL_MAX_BODY_BYTES`` (413, before it is
read), a body that is not JSON in UTF-8, or not an object, JSON nested over
``MAX_JSON_DEPTH`` (in the body, or GET's ``variables`` and ``extensions``),
no query, or parameters of the wrong type (400). A request that is one but
cannot run (a syntax error, an unknown field, an unknown ``operationName``
or a document without an operation, variables of the wrong type, a query
over a limit) gets a 400 with the GraphQL errors in a JSON body: nothing
was executed; a mutation sent by GET, a 405 (GraphQL over HTTP). Errors met while
running (a record's field failing) keep the GraphQL convention of a 200
with ``data`` and ``errors``, except a database that cannot be reached: a
503 with ``Retry-After``. Each execution has a time limit
(:mod:`archive.graphql.time_limit`).

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
from django.utils.cache import get_conditional_response
from django.views.decorators.csrf import csrf_exempt
from graphql import GraphQLError
from strawberry.django.context import StrawberryDjangoContext
from strawberry.django.views import GraphQLView
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.types import ExecutionResult

from archive.graphql import cache, time_limit
from archive.graphql.schema import DatabaseUnavailable, schema

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

    def get_context(self, request, response):
        return ArchiveContext(request=request, response=response)

    def dispatch(self, request, *args, **kwargs):
        limit = settings.GRAPHQL_MAX_BODY_BYTES
        size = _declared_size(request)
        if size > limit:
            # Refused on the declared length, before Django reads the body.
            return HttpResponse(
                BODY_TOO_LARGE.format(size=size, limit=limit), status=413, content_type="text/plain"
            )
        return _conditional(request, super().dispatch(request, *args, **kwargs))

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
        if not isinstance(data, list) and not isinstance(data.operation_name, str | None):
            raise HTTPException(400, OPERATION_NAME_NOT_A_STRING)
        return data

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
        if cache.enabled():
            found = self.response_cache = context.response_cache = cache.Lookup(request_data)
            # Reading the data version may be SQL, which a refused query must not
            # cost: a request is looked up here only if it has passed the limits
            # before, else once it has (cache.LookUpAnswerable).
            if found.passed_before():
                found.look_up()
                if found.entry is not None:
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
        self.succeeded = not result.errors
        nothing_ran = result.data is None and all(e.path is None for e in result.errors or ())
        if result.errors and nothing_ran and sub_response.status_code is None:
            sub_response.status_code = 400  # the request itself is wrong
        if any(isinstance(e, DatabaseUnavailable) for e in result.errors or ()):
            # Load balancers and clients know what to do with a 503: try again.
            sub_response.status_code = 503
            sub_response["Retry-After"] = "5"
        return result

    def create_response(self, response_data, sub_response):
        found = self.response_cache
        if found is not None and found.entry is not None:
            return _response(found.entry)
        response = super().create_response(response_data, sub_response)
        if not (self.succeeded and response.status_code == 200):
            response["Cache-Control"] = DO_NOT_STORE
            return response
        entry = cache.Entry(etag=cache.etag_for(response.content), body=response.content)
        if found is not None and found.key:
            cache.store(found.key, entry)
        response["ETag"] = entry.etag
        response["Cache-Control"] = REVALIDATE
        return response


def _request_error(refusal: HTTPException, request_data, sub_response) -> ExecutionResult:
    """A refusal strawberry raised as text, for an operation it could not pick or may
    not run, as the GraphQL error it is; any other refusal, raised again."""
    cause = refusal.__cause__
    if isinstance(cause, CannotGetOperationTypeError):
        name = request_data.operation_name
        message = NO_OPERATION if name is None else UNKNOWN_OPERATION.format(name=name)
    elif isinstance(cause, InvalidOperationTypeError):
        # The only type GET may not run here: the schema has queries only.
        message = MUTATION_BY_GET
        sub_response.status_code = 405
        sub_response["Allow"] = "POST"
    else:
        raise refusal
    return ExecutionResult(data=None, errors=[GraphQLError(message)])


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


def _response(entry: cache.Entry) -> HttpResponse:
    response = HttpResponse(entry.body, content_type="application/json")
    response["ETag"] = entry.etag
    response["Cache-Control"] = REVALIDATE
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
