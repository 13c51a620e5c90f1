from django.contrib import admin

from archive.admin import consistency
from archive.admin.base import ArchiveAdmin, ArchiveInline, decade_filter, edtf_display
from archive.admin.inlines import RelationInline, citations_inline
from archive.models import (
    Document,
    DocumentCitation,
    DocumentLink,
    DocumentParty,
    DocumentSignatory,
    Provision,
)


class ProvisionInline(ArchiveInline):
    model = Provision
    fields = ("number", "text")


class PartyInline(RelationInline):
    model = DocumentParty
    fk_name = "document"
    fields = ("state", "role", "source", "source_locator")


class SignatoryInline(RelationInline):
    model = DocumentSignatory
    fk_name = "document"
    formset = consistency.CheckedSignatories
    fields = ("person", "on_behalf_of", "role", "source", "source_locator")


class LinkInline(RelationInline):
    model = DocumentLink
    fk_name = "document"
    fields = ("role", "target", "source", "source_locator")


@admin.register(Document)
class DocumentAdmin(ArchiveAdmin):
    list_display = ("title", "kind", "date_display", "place", "published", "modified")
    list_filter = ("published", "kind", decade_filter("date", "date"))
    list_select_related = ("place",)
    autocomplete_fields = ("place",)
    inlines = (
        ProvisionInline,
        PartyInline,
        SignatoryInline,
        LinkInline,
        citations_inline(DocumentCitation),
    )
    date_display = edtf_display("date", "date")
