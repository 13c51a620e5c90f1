"""The endpoint: GET and POST, no cookie or CSRF token (nothing here writes)."""

from django.conf import settings
from django.views.decorators.csrf import csrf_exempt
from strawberry.django.views import GraphQLView

from archive.graphql.schema import schema

graphql_view = csrf_exempt(
    GraphQLView.as_view(schema=schema, graphql_ide="graphiql" if settings.GRAPHIQL else None)
)
