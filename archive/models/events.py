"""Events: invasions, negotiations, signings, and who and what took part."""

from django.db import models
from simple_history.models import HistoricForeignKey

from archive.date_queries import chronological, date_bounds, date_index, date_order_index
from archive.models.base import (
    EDTFField,
    Record,
    RelationBase,
    citations_of,
    versioned,
)
from archive.models.roles import EVENT_DOCUMENT, EVENT_PARTICIPANT, EVENT_STATE


class EventKind(models.TextChoices):
    INVASION = "invasion"
    PARTITION = "partition"
    NEGOTIATION = "negotiation"
    SIGNING = "signing"
    AMNESTY = "amnesty"
    MISSION = "mission"
    FORMATION = "formation"
    CONFERENCE = "conference"
    BATTLE = "battle"
    DEPORTATION = "deportation"
    OTHER = "other"


class Event(Record):
    name = models.CharField(max_length=500)
    kind = models.CharField(max_length=20, choices=EventKind.choices, db_index=True)
    date = EDTFField(help_text="When it happened, in EDTF; intervals allowed: 1939-09/1939-10.")
    date_earliest, date_latest, date_span = date_bounds()
    place = HistoricForeignKey(
        "archive.Place",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
    )

    history = versioned(excluded=("name_text", "search_text"))

    class Meta:
        ordering = [*chronological("date"), "name"]
        indexes = [date_index("event", "date"), date_order_index("event", "date")]

    def __str__(self):
        return self.name

    def search_names(self):
        return [self.name]


EventCitation = citations_of(Event)


class EventParticipant(RelationBase):
    """A person who took part in an event: architect, negotiator, commander…"""

    event = HistoricForeignKey(Event, on_delete=models.CASCADE, related_name="participants")
    person = HistoricForeignKey(
        "archive.Person", on_delete=models.PROTECT, related_name="participations"
    )
    roles = EVENT_PARTICIPANT
    role = EVENT_PARTICIPANT.field()

    history = versioned()

    owner_field = "event"
    natural_key_fields = ("event__slug", "person__slug", "role")

    class Meta(RelationBase.Meta):
        verbose_name = "participant"
        constraints = [
            models.UniqueConstraint(
                fields=["event", "person", "role"], name="event_participant_unique"
            )
        ]

    def __str__(self):
        return f"{self.person} ({self.role})"


class EventState(RelationBase):
    """A state involved in an event: aggressor, party, mediator…"""

    event = HistoricForeignKey(Event, on_delete=models.CASCADE, related_name="states")
    state = HistoricForeignKey(
        "archive.State", on_delete=models.PROTECT, related_name="event_roles"
    )
    roles = EVENT_STATE
    role = EVENT_STATE.field()

    history = versioned()

    owner_field = "event"
    natural_key_fields = ("event__slug", "state__slug", "role")

    class Meta(RelationBase.Meta):
        verbose_name = "state involved"
        verbose_name_plural = "states involved"
        constraints = [
            models.UniqueConstraint(fields=["event", "state", "role"], name="event_state_unique")
        ]

    def __str__(self):
        return f"{self.state} ({self.role})"


class EventDocument(RelationBase):
    """A document bound up with an event: signed at, negotiated at, led to…

    The role is worded from the document ("the agreement was *signed at* the
    signing", "the pact *led to* the invasion"); read from the event it is
    :attr:`role_from_event`.
    """

    event = HistoricForeignKey(Event, on_delete=models.CASCADE, related_name="documents")
    document = HistoricForeignKey(
        "archive.Document", on_delete=models.PROTECT, related_name="event_roles"
    )
    roles = EVENT_DOCUMENT
    role = EVENT_DOCUMENT.field()

    history = versioned()

    owner_field = "event"
    natural_key_fields = ("event__slug", "document__slug", "role")

    class Meta(RelationBase.Meta):
        verbose_name = "document"
        constraints = [
            models.UniqueConstraint(
                fields=["event", "document", "role"], name="event_document_unique"
            )
        ]

    def __str__(self):
        return f"{self.document} ({self.role})"

    @property
    def role_from_event(self) -> str:
        """The role as the event's page reads it: "signed at this event"."""
        return self.roles.from_other_side(self.role)
