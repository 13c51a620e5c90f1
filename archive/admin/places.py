from csp.decorators import csp_update
from django.conf import settings
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import path

from archive.admin import place_map
from archive.admin.base import ArchiveAdmin
from archive.admin.inlines import citations_inline, name_forms_inline
from archive.models import Place, PlaceCitation, PlaceName


@admin.register(Place)
class PlaceAdmin(ArchiveAdmin):
    list_display = ("name", "state", "latitude", "longitude", "published", "modified")
    list_filter = ("published",)
    list_select_related = ("state",)
    autocomplete_fields = ("state",)
    inlines = (name_forms_inline(PlaceName), citations_inline(PlaceCitation))

    def get_urls(self):
        opts = self.model._meta
        view = self.admin_site.admin_view(self.map_view)
        name = f"{opts.app_label}_{opts.model_name}_map"
        return [path("map/", view, name=name), *super().get_urls()]

    def map_view(self, request):
        """Every place with coordinates on a map (MOST at most), drafts drawn hollow."""
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        places = list(
            Place.objects.filter(latitude__isnull=False)
            .select_related("state")
            .order_by("name", "pk")[: place_map.MOST]
        )
        drawn = place_map.draw(places, settings.PLACE_MAP_TILE_URL)
        context = {
            **self.admin_site.each_context(request),
            "title": "Places on a map",
            "opts": self.model._meta,
            "map": drawn,
            "tile_attribution": settings.PLACE_MAP_TILE_ATTRIBUTION,
            "unplaced": Place.objects.filter(latitude__isnull=True).count(),
        }
        response = TemplateResponse(request, "admin/archive/places_map.html", context)
        if drawn is not None and drawn.tiles:
            # The tile server, and on this page only: every other page shows the site's
            # own images alone.
            origin = place_map.tile_origin(settings.PLACE_MAP_TILE_URL)
            response = csp_update({"img-src": [origin]})(lambda: response)()
        return response
