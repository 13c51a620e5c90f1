from django.contrib import admin

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
