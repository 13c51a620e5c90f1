"""The endpoint: GET and POST, no cookie or CSRF token (nothing here writes).

The view is CSRF-exempt: the schema has no mutations, and a JSON POST cannot
be sent cross-site without a CORS preflight anyway. GraphiQL is served to
browsers when ``settings.GRAPHIQL`` is true, read on every request (so a
settings override applies at once); when it is false a browser's GET without
a query gets strawberry's 404.

A JSON body that is not an object gets a 400 (strawberry would answer 500).

Successful responses (no errors) are cached (:mod:`archive.graphql.cache`)
when ``settings.GRAPHQL_CACHE`` is true, and carry an ``ETag`` (the hash of
the body) and ``Cache-Control: no-cache``: clients may keep them but must
revalidate, and a GET or POST whose ``If-None-Match`` matches gets a 304
without a body. Responses with errors are neither cached nor to be stored
(``Cache-Control: no-store``).
"""

from cross_web import HTTPException
from django.conf import settings
from django.http import HttpResponse, HttpResponseNotModified
from django.utils.http import parse_etags
from django.views.decorators.csrf import csrf_exempt
from strawberry.django.views import GraphQLView

from archive.graphql import cache
from archive.graphql.schema import schema

BODY_NOT_AN_OBJECT = 'The request body must be a JSON object, like {"query": "{ __typename }"}.'
REVALIDATE = "no-cache"
DO_NOT_STORE = "no-store"


class _CachedResponse(Exception):  # noqa: N818 - control flow, not an error
    """Raised on a cache hit to leave strawberry's execution path with the entry."""

    def __init__(self, entry: cache.Entry):
        self.entry = entry


class ArchiveGraphQLView(GraphQLView):
    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        # Django makes one view instance per request: decide here, not at import.
        self.graphql_ide = "graphiql" if settings.GRAPHIQL else None
        self.cache_key = None
        self.succeeded = False

    def dispatch(self, request, *args, **kwargs):
        try:
            response = super().dispatch(request, *args, **kwargs)
        except _CachedResponse as hit:
            response = _response(hit.entry)
        return _conditional(request, response)

    def parse_http_body(self, request):
        # Strawberry reads a JSON body with data.get(): a body that is a string, a
        # number or null would be a 500. (A list is a batch, which it refuses.)
        if request.method == "POST" and "application/json" in (request.content_type or ""):
            if not isinstance(self.parse_json(request.body), dict | list):
                raise HTTPException(400, BODY_NOT_AN_OBJECT)
        return super().parse_http_body(request)

    def execute_single(
        self, request, request_adapter, sub_response, context, root_value, request_data
    ):
        if cache.enabled():
            self.cache_key, entry = cache.lookup(request_data)
            if entry is not None:
                raise _CachedResponse(entry)
        result = super().execute_single(
            request, request_adapter, sub_response, context, root_value, request_data
        )
        self.succeeded = not result.errors
        return result

    def create_response(self, response_data, sub_response):
        response = super().create_response(response_data, sub_response)
        if not (self.succeeded and response.status_code == 200):
            response["Cache-Control"] = DO_NOT_STORE
            return response
        entry = cache.Entry(etag=cache.etag_for(response.content), body=response.content)
        if self.cache_key:
            cache.store(self.cache_key, entry)
        response["ETag"] = entry.etag
        response["Cache-Control"] = REVALIDATE
        return response


def _response(entry: cache.Entry) -> HttpResponse:
    response = HttpResponse(entry.body, content_type="application/json")
    response["ETag"] = entry.etag
    response["Cache-Control"] = REVALIDATE
    return response


def _conditional(request, response):
    """A 304 for a client whose copy is current (``If-None-Match``, weak comparison)."""
    etag = response.get("ETag")
    wanted = request.headers.get("If-None-Match")
    if response.status_code != 200 or not etag or not wanted:
        return response
    tags = {tag.removeprefix("W/") for tag in parse_etags(wanted)}
    if "*" not in tags and etag not in tags:
        return response
    not_modified = HttpResponseNotModified()
    not_modified["ETag"] = etag
    not_modified["Cache-Control"] = response["Cache-Control"]
    return not_modified


graphql_view = csrf_exempt(ArchiveGraphQLView.as_view(schema=schema))
