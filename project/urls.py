from csp.decorators import csp_update
from django.contrib import admin
from django.urls import path
from django.views.generic import RedirectView

from archive.admin.autocomplete import DistinguishingAutocomplete
from archive.admin.date_readings import URL_NAME as DATE_READING
from archive.admin.date_readings import date_reading_view
from archive.admin.search import search_view
from archive.graphql.views import graphql_view
from project.health import healthz

admin.site.site_header = "Treaty archive"
admin.site.site_title = "Treaty archive"
admin.site.index_title = "Records"
# Django's index with the search over every record type above it.
admin.site.index_template = "admin/archive/index.html"

# GraphiQL's page (archive/templates/graphql/graphiql.html) loads its scripts and
# styles from the site, as every page does; GraphiQL's CSS carries its fonts and
# icons as data: URLs. Allowed on this URL only: the API's own answers are JSON.
GRAPHIQL_CSP = {
    "img-src": ["data:"],
    "font-src": ["data:"],
}

urlpatterns = [
    # Across the admin's record types, so beside it rather than under one of them.
    path("admin/search/", admin.site.admin_view(search_view), name="archive-search"),
    # Django's autocomplete (reversed as admin:autocomplete), its records told apart.
    path(
        "admin/autocomplete/",
        admin.site.admin_view(DistinguishingAutocomplete.as_view(admin_site=admin.site)),
    ),
    # Staff only, as every admin page. Before the admin's own URLs: its catch-all
    # would answer this address with a 404.
    path(
        "admin/archive/date-reading/",
        admin.site.admin_view(date_reading_view),
        name=DATE_READING,
    ),
    path("admin/", admin.site.urls),
    path("graphql/", csp_update(GRAPHIQL_CSP)(graphql_view), name="graphql"),
    # For load balancers: no login, plain HTTP allowed (SECURE_REDIRECT_EXEMPT).
    path("healthz", healthz, name="healthz"),
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
]
