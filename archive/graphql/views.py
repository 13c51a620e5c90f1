"""The endpoint: GET and POST, no cookie or CSRF token (nothing here writes).

The view is CSRF-exempt: the schema has no mutations, and a JSON POST cannot
be sent cross-site without a CORS preflight anyway. GraphiQL is served to
browsers when ``settings.GRAPHIQL`` is true, read on every request (so a
settings override applies at once); when it is false a browser's GET without
a query gets strawberry's 404.

A JSON body that is not an object gets a 400 (strawberry would answer 500).
"""

from cross_web import HTTPException
from django.conf import settings
from django.views.decorators.csrf import csrf_exempt
from strawberry.django.views import GraphQLView

from archive.graphql.schema import schema

BODY_NOT_AN_OBJECT = 'The request body must be a JSON object, like {"query": "{ __typename }"}.'


class ArchiveGraphQLView(GraphQLView):
    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        # Django makes one view instance per request: decide here, not at import.
        self.graphql_ide = "graphiql" if settings.GRAPHIQL else None

    def parse_http_body(self, request):
        # Strawberry reads a JSON body with data.get(): a body that is a string, a
        # number or null would be a 500. (A list is a batch, which it refuses.)
        if request.method == "POST" and "application/json" in (request.content_type or ""):
            if not isinstance(self.parse_json(request.body), dict | list):
                raise HTTPException(400, BODY_NOT_AN_OBJECT)
        return super().parse_http_body(request)


graphql_view = csrf_exempt(ArchiveGraphQLView.as_view(schema=schema))
