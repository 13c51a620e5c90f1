"""Filters of the top-level lists.

Text goes through :mod:`archive.search`; dates go through the one overlap
rule (:func:`archive.date_queries.overlaps`: a record matches
``dateFrom``/``dateTo`` when its date, or a person's life, overlaps the
range); relation filters take slugs and see public relations only
(:mod:`archive.visibility`). No free lookups are
exposed (no ``regex``: a denial-of-service surface on a public API).
"""

from __future__ import annotations

import datetime

import strawberry_django
from django.db.models import Q

from archive import date_queries, models, search, visibility
from archive.graphql.types import DocumentKind, EventKind

TEXT = (
    "Words to find in names, name forms, titles and summaries; case, "
    "accents and punctuation are ignored (“wladyslaw sikorski”, “u.s.s.r.”). "
    "At most {max_text_words} words and {max_text_characters} characters."
)
DATE_FROM = "Only records whose date overlaps the range: ending on or after this day."
DATE_TO = "Only records whose date overlaps the range: starting on or before this day."


def date_from(
    filters, field: str, value: datetime.date, prefix: str, until: str | None = None
) -> Q:
    """``dateFrom``, with ``dateTo`` if it is given too: both ends of one range.

    One call of :func:`date_queries.overlaps` with both ends is an index range
    scan; two one-sided calls ANDed together would read half the table each.
    """
    end = filters.date_to or None
    return date_queries.overlaps(field, value, end, prefix, until=until)


def date_to(filters, field: str, value: datetime.date, prefix: str, until: str | None = None) -> Q:
    """``dateTo`` alone; with ``dateFrom`` given, :func:`date_from` has applied it."""
    if filters.date_from:
        return Q()
    return date_queries.overlaps(field, end=value, prefix=prefix, until=until)


def related(row_model, owner: str, target: str, slug: str, prefix: str) -> Q:
    """Records with a public row of ``row_model`` pointing to the record ``slug``.

    ``pk IN (the rows' owners)``, not a correlated ``EXISTS``, which SQLite
    runs once for every record of the table. The owner is never null, so
    ``NOT`` of it is its exact complement.
    """
    rows = visibility.public_rows(row_model.objects.all()).filter(**{f"{target}__slug": slug})
    return Q(**{f"{prefix}pk__in": rows.values(owner)})


@strawberry_django.filter_type(
    models.Document, name="DocumentFilter", description="Which documents."
)
class DocumentFilter:
    @strawberry_django.filter_field(description=TEXT)
    def text(self, value: str, prefix: str) -> Q:
        return search.text_q(models.Document, value, prefix)

    @strawberry_django.filter_field(description=DATE_FROM)
    def date_from(self, value: datetime.date, prefix: str) -> Q:
        return date_from(self, "date", value, prefix)

    @strawberry_django.filter_field(description=DATE_TO)
    def date_to(self, value: datetime.date, prefix: str) -> Q:
        return date_to(self, "date", value, prefix)

    @strawberry_django.filter_field(description="Only documents of this kind.")
    def kind(self, value: DocumentKind, prefix: str) -> Q:
        return Q(**{f"{prefix}kind": value.value})

    @strawberry_django.filter_field(description="Only documents this state (slug) is party to.")
    def party(self, value: str, prefix: str) -> Q:
        return related(models.DocumentParty, "document", "state", value, prefix)

    @strawberry_django.filter_field(description="Only documents this person (slug) signed.")
    def signatory(self, value: str, prefix: str) -> Q:
        return related(models.DocumentSignatory, "document", "person", value, prefix)

    @strawberry_django.filter_field(description="Only documents signed at this place (slug).")
    def place(self, value: str, prefix: str) -> Q:
        return Q(**{f"{prefix}place__slug": value}) & visibility.public(f"{prefix}place")


@strawberry_django.filter_type(models.Person, name="PersonFilter", description="Which persons.")
class PersonFilter:
    @strawberry_django.filter_field(description=TEXT)
    def text(self, value: str, prefix: str) -> Q:
        return search.text_q(models.Person, value, prefix)

    @strawberry_django.filter_field(
        description="Only persons whose life (born–died) overlaps the range: alive on or after."
    )
    def date_from(self, value: datetime.date, prefix: str) -> Q:
        return date_from(self, "born", value, prefix, until="died")

    @strawberry_django.filter_field(
        description="Only persons whose life (born–died) overlaps the range: born on or before."
    )
    def date_to(self, value: datetime.date, prefix: str) -> Q:
        return date_to(self, "born", value, prefix, until="died")

    @strawberry_django.filter_field(description="Only persons who signed this document (slug).")
    def signed(self, value: str, prefix: str) -> Q:
        return related(models.DocumentSignatory, "person", "document", value, prefix)

    @strawberry_django.filter_field(description="Only persons who took part in this event (slug).")
    def event(self, value: str, prefix: str) -> Q:
        return related(models.EventParticipant, "person", "event", value, prefix)


@strawberry_django.filter_type(models.State, name="StateFilter", description="Which states.")
class StateFilter:
    @strawberry_django.filter_field(description=TEXT)
    def text(self, value: str, prefix: str) -> Q:
        return search.text_q(models.State, value, prefix)

    @strawberry_django.filter_field(description="Only states that existed on or after this day.")
    def date_from(self, value: datetime.date, prefix: str) -> Q:
        return date_from(self, "existence", value, prefix)

    @strawberry_django.filter_field(description="Only states that existed on or before this day.")
    def date_to(self, value: datetime.date, prefix: str) -> Q:
        return date_to(self, "existence", value, prefix)

    @strawberry_django.filter_field(description="Only states party to this document (slug).")
    def document(self, value: str, prefix: str) -> Q:
        return related(models.DocumentParty, "state", "document", value, prefix)

    @strawberry_django.filter_field(description="Only states involved in this event (slug).")
    def event(self, value: str, prefix: str) -> Q:
        return related(models.EventState, "state", "event", value, prefix)


@strawberry_django.filter_type(models.Event, name="EventFilter", description="Which events.")
class EventFilter:
    @strawberry_django.filter_field(description=TEXT)
    def text(self, value: str, prefix: str) -> Q:
        return search.text_q(models.Event, value, prefix)

    @strawberry_django.filter_field(description=DATE_FROM)
    def date_from(self, value: datetime.date, prefix: str) -> Q:
        return date_from(self, "date", value, prefix)

    @strawberry_django.filter_field(description=DATE_TO)
    def date_to(self, value: datetime.date, prefix: str) -> Q:
        return date_to(self, "date", value, prefix)

    @strawberry_django.filter_field(description="Only events of this kind.")
    def kind(self, value: EventKind, prefix: str) -> Q:
        return Q(**{f"{prefix}kind": value.value})

    @strawberry_django.filter_field(description="Only events this person (slug) took part in.")
    def participant(self, value: str, prefix: str) -> Q:
        return related(models.EventParticipant, "event", "person", value, prefix)

    @strawberry_django.filter_field(description="Only events this state (slug) was involved in.")
    def state(self, value: str, prefix: str) -> Q:
        return related(models.EventState, "event", "state", value, prefix)

    @strawberry_django.filter_field(description="Only events bound up with this document (slug).")
    def document(self, value: str, prefix: str) -> Q:
        return related(models.EventDocument, "event", "document", value, prefix)

    @strawberry_django.filter_field(description="Only events at this place (slug).")
    def place(self, value: str, prefix: str) -> Q:
        return Q(**{f"{prefix}place__slug": value}) & visibility.public(f"{prefix}place")


@strawberry_django.filter_type(models.Place, name="PlaceFilter", description="Which places.")
class PlaceFilter:
    @strawberry_django.filter_field(description=TEXT)
    def text(self, value: str, prefix: str) -> Q:
        return search.text_q(models.Place, value, prefix)

    @strawberry_django.filter_field(description="Only places in this state (slug).")
    def state(self, value: str, prefix: str) -> Q:
        return Q(**{f"{prefix}state__slug": value}) & visibility.public(f"{prefix}state")
