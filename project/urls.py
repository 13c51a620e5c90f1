from django.contrib import admin
from django.urls import path
from django.views.generic import RedirectView

from archive.graphql.views import graphql_view

admin.site.site_header = "Treaty archive"
admin.site.site_title = "Treaty archive"
admin.site.index_title = "Records"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("graphql/", graphql_view, name="graphql"),
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
]
