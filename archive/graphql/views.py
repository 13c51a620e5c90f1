"""The endpoint: GET and POST, no cookie or CSRF token (nothing here writes).

The view is CSRF-exempt: the schema has no mutations, and a JSON POST cannot
be sent cross-site without a CORS preflight anyway. GraphiQL is served to
browsers when ``settings.GRAPHIQL`` is true, read on every request (so a
settings override applies at once); when it is false a browser's GET without
a query gets strawberry's 404.
"""

from django.conf import settings
from django.views.decorators.csrf import csrf_exempt
from strawberry.django.views import GraphQLView

from archive.graphql.schema import schema


class ArchiveGraphQLView(GraphQLView):
    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        # Django makes one view instance per request: decide here, not at import.
        self.graphql_ide = "graphiql" if settings.GRAPHIQL else None


graphql_view = csrf_exempt(ArchiveGraphQLView.as_view(schema=schema))
