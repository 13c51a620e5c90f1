from django.contrib import admin

from archive.admin.base import ArchiveAdmin, decade_filter, edtf_display
from archive.admin.inlines import RelationInline, citations_inline, name_forms_inline
from archive.models import Person, PersonCitation, PersonName, Position


class PositionInline(RelationInline):
    model = Position
    fk_name = "person"
    fields = ("title", "state", "period", "source", "source_locator")


@admin.register(Person)
class PersonAdmin(ArchiveAdmin):
    list_display = ("name", "born_display", "died_display", "published", "modified")
    list_filter = ("published", decade_filter("born", "born"), decade_filter("died", "died"))
    inlines = (name_forms_inline(PersonName), PositionInline, citations_inline(PersonCitation))
    born_display = edtf_display("born", "born")
    died_display = edtf_display("died", "died")
