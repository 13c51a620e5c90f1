from django.contrib import admin

from archive.admin.base import ArchiveAdmin, decade_filter, edtf_display
from archive.admin.inlines import citations_inline, name_forms_inline
from archive.models import State, StateCitation, StateName


@admin.register(State)
class StateAdmin(ArchiveAdmin):
    list_display = ("name", "official_name", "existence_display", "published", "modified")
    list_filter = ("published", decade_filter("existence", "existence"))
    inlines = (name_forms_inline(StateName), citations_inline(StateCitation))
    existence_display = edtf_display("existence", "existence")
