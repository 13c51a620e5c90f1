from django.contrib import admin

from archive.admin.base import ArchiveAdmin, decade_filter, edtf_display
from archive.admin.inlines import RelationInline, citations_inline
from archive.models import Event, EventCitation, EventDocument, EventParticipant, EventState


class ParticipantInline(RelationInline):
    model = EventParticipant
    fk_name = "event"
    fields = ("person", "role", "source", "source_locator")


class StateInvolvedInline(RelationInline):
    model = EventState
    fk_name = "event"
    fields = ("state", "role", "source", "source_locator")


class EventDocumentInline(RelationInline):
    model = EventDocument
    fk_name = "event"
    fields = ("document", "role", "source", "source_locator")


@admin.register(Event)
class EventAdmin(ArchiveAdmin):
    list_display = ("name", "kind", "date_display", "place", "published", "modified")
    list_filter = ("published", "kind", decade_filter("date", "date"))
    list_select_related = ("place",)
    autocomplete_fields = ("place",)
    inlines = (
        ParticipantInline,
        StateInvolvedInline,
        EventDocumentInline,
        citations_inline(EventCitation),
    )
    date_display = edtf_display("date", "date")
