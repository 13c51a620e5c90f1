from django.contrib import admin
from django.urls import path
from django.views.generic import RedirectView

from archive.graphql.views import graphql_view
from project.health import healthz

admin.site.site_header = "Treaty archive"
admin.site.site_title = "Treaty archive"
admin.site.index_title = "Records"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("graphql/", graphql_view, name="graphql"),
    # For load balancers: no login, plain HTTP allowed (SECURE_REDIRECT_EXEMPT).
    path("healthz", healthz, name="healthz"),
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
]
