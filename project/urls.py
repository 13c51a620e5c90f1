from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.contrib import admin
from django.urls import path
from django.views.generic import RedirectView

from archive.graphql.views import graphql_view
from project.health import healthz

admin.site.site_header = "Treaty archive"
admin.site.site_title = "Treaty archive"
admin.site.index_title = "Records"

# GraphiQL's page (strawberry's template) loads React and GraphiQL from unpkg.com
# and starts them with an inline script and style; its CSS carries fonts and
# icons as data: URLs. Allowed on this URL only: the API's own answers are JSON.
GRAPHIQL_CSP = {
    "script-src": ["https://unpkg.com", UNSAFE_INLINE],
    "style-src": ["https://unpkg.com", UNSAFE_INLINE],
    "img-src": ["data:"],
    "font-src": ["data:"],
}

urlpatterns = [
    path("admin/", admin.site.urls),
    path("graphql/", csp_update(GRAPHIQL_CSP)(graphql_view), name="graphql"),
    # For load balancers: no login, plain HTTP allowed (SECURE_REDIRECT_EXEMPT).
    path("healthz", healthz, name="healthz"),
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
]
