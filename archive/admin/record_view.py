"""The record as a person reads it: the admin's read view of every record type.

An edit form answers "what can I change"; a reader asks "what is this, and
what is it bound up with". The read view shows a record's fields as people
read them (dates as readings with the days they can mean, links as the
records' names), then its rows, every relation in both directions: the rows
the record owns (its signatories, its positions…) and the rows other records
own that point to it (the documents a person signed, the documents that
link to a document, with the link's inverse wording). A source's are what
names it, by kind: the records that cite it (:func:`cited_in`) and the
relation rows it attests (:func:`attests`).

Each record type's :data:`SECTIONS` are declared once here, as a table (a
section is its title, its rows' related name and its columns; the lists of
documents and of events, alike on every record that shows them, come from
one factory each: :func:`documents`, :func:`events`), and serve three
pages: the read view, an earlier version's read view (the record's own rows
as they were then) and the edit form (the rows other records own, read-only,
below the inlines). The rows of every section are fetched in one query per
section (``prefetch_related``, or a query of their own where a row's link to
the record has no way back, a source's): the number of queries does not grow
with the number of relations.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.db.models import Count, OuterRef, Prefetch, Subquery, Window
from django.db.models.functions import Coalesce, RowNumber
from django.urls import reverse
from django.utils.text import capfirst

from archive import dates
from archive.date_queries import chronological
from archive.models import (
    Document,
    DocumentCitation,
    DocumentLink,
    DocumentParty,
    DocumentSignatory,
    Event,
    EventCitation,
    EventDocument,
    EventParticipant,
    EventState,
    Person,
    PersonCitation,
    Place,
    PlaceCitation,
    Position,
    Source,
    State,
    StateCitation,
)
from archive.models.base import EDTFField, Record, Row
from archive.models.documents import INVERSE_RELATIONS

# How many of the latest changes the read view shows (the history page has them all).
RECENT_CHANGES = 5
# How many rows a list shows: a state is party to thousands of documents.
ROWS_SHOWN = 100


@dataclass(frozen=True)
class Cell:
    """One value on the page: its text, the page it links to, whether that is a draft."""

    text: str
    url: str = ""
    draft: bool = False


def view_url(record: Record) -> str:
    opts = record._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_view", args=[record.pk])


def link(record: Record | None) -> Cell | str:
    """A linked record by its name, to its read view, marked if it is a draft."""
    if record is None:
        return ""
    return Cell(str(record), view_url(record), draft=not record.published)


def attested(row: Row) -> Cell | str:
    """The source a row names, with where in it: "Sikorski–Mayski agreement, infobox"."""
    if row.source_id is None:
        return ""
    cell = link(row.source)
    locator = f", {row.source_locator}" if row.source_locator else ""
    return Cell(f"{cell.text}{locator}", cell.url, cell.draft)


@dataclass(frozen=True)
class Section:
    """One list of a record's page: rows reached by one of the record's related names.

    ``cells`` gives a row's values under ``headers``, the first one naming the
    row; ``related`` are the records each row links to, fetched with it.
    """

    title: str
    related_name: str
    headers: tuple[str, ...]
    cells: Callable[[models.Model], tuple]
    related: tuple[str, ...] = ()
    order: tuple = ()
    # The rows of this model that name the record (a source) as theirs: that
    # link has no way back (``related_name="+"``), so ``related_name`` only
    # names the list, and :func:`fetch` fetches the rows apart.
    citing: type[Row] | None = None

    def row_model(self, record_model) -> type[models.Model]:
        if self.citing is not None:
            return self.citing
        return record_model._meta.get_field(self.related_name).related_model

    def link_field(self, record_model) -> str:
        """The name of the rows' field that links them to the record."""
        if self.citing is not None:
            return "source"
        return record_model._meta.get_field(self.related_name).field.name

    def owned(self, record_model) -> bool:
        """Are the rows the record's own (edited in its inlines, in its history)?"""
        if self.citing is not None:
            return False
        row_model = self.row_model(record_model)
        field = record_model._meta.get_field(self.related_name).field
        return issubclass(row_model, Row) and field.name == row_model.owner_field

    def rows(self, record_model, pk) -> models.QuerySet:
        """The first :data:`ROWS_SHOWN` rows of the record ``pk``, in order, with
        the records they link to: one query."""
        row_model = self.row_model(record_model)
        link = self.link_field(record_model)
        order = (*(self.order or row_model._meta.ordering), "pk")
        manager = row_model._default_manager
        # The rows shown are picked by their ids first, and only they are joined to
        # the records they link to: a state has thousands of rows, and slicing the
        # prefetch itself joins every one of them before keeping the first. They
        # are numbered rather than sliced with a LIMIT, under which PostgreSQL
        # walks the index of every document's date to find one state's.
        first = (
            manager.filter(**{link: pk})
            .annotate(place_in_order=Window(RowNumber(), order_by=order))
            .filter(place_in_order__lte=ROWS_SHOWN)
            .values("pk")
        )
        return manager.select_related(*self.related).filter(pk__in=first).order_by(*order)

    def prefetch(self, record_model, pk) -> Prefetch:
        """The rows of the record ``pk`` (:meth:`rows`), as its prefetch."""
        queryset = self.rows(record_model, pk)
        # A list of its own (to_attr): the first rows, not the related manager's all.
        return Prefetch(self.related_name, queryset=queryset, to_attr=shown_name(self))

    def total(self, record_model) -> dict[str, Coalesce]:
        """How many rows there are in all, as a subquery of the record's query."""
        link = self.link_field(record_model)
        rows = (
            self.row_model(record_model)
            ._default_manager.filter(**{link: OuterRef("pk")})
            .order_by()
            .values(link)
            .annotate(total=Count("pk"))
            .values("total")
        )
        return {total_name(self): Coalesce(Subquery(rows), 0)}


def total_name(section: Section) -> str:
    return f"{section.related_name}_total"


def shown_name(section: Section) -> str:
    return f"{section.related_name}_shown"


@dataclass(frozen=True)
class Column:
    """One column of a section: its header, a row's value under it, the records it links."""

    header: str
    value: Callable[[models.Model], object]
    related: tuple[str, ...] = ()


def section(
    title: str,
    related_name: str,
    *columns: Column,
    order: tuple = (),
    citing: type[Row] | None = None,
) -> Section:
    """A section read as a table: its title, its rows' related name, then its columns."""
    return Section(
        title,
        related_name,
        tuple(column.header for column in columns),
        lambda row: tuple(column.value(row) for column in columns),
        related=tuple(dict.fromkeys(name for column in columns for name in column.related)),
        order=order,
        citing=citing,
    )


def text(header: str, name: str) -> Column:
    return Column(header, lambda row: getattr(row, name))


def choice(header: str, name: str) -> Column:
    return Column(header, lambda row: getattr(row, f"get_{name}_display")())


def linked(name: str, header: str = "") -> Column:
    """The record a row links to, by its name: "on_behalf_of" is "On behalf of"."""
    header = header or capfirst(name.replace("_", " "))
    return Column(header, lambda row: link(getattr(row, name)), (name,))


def role(header: str = "Role") -> Column:
    return Column(header, lambda row: row.role)


ROLE = role()
# What a document was to an event, worded from the event: "signed at this event".
ROLE_FROM_EVENT = Column("Role", lambda row: row.role_from_event)
SOURCE = Column("Source", attested, ("source",))
KIND = choice("Kind", "kind")
OFFICE = text("Office", "title")
# Where in a source a row (or a record's citation of it) is found.
LOCATOR = text("Where in it", "source_locator")
CITED = (text("Where in it", "locator"), text("Note", "note"))
PERIOD = Column("Period", lambda row: dates.display_of(row.period))


def _by_date(prefix: str) -> tuple:
    return tuple(chronological("date", prefix))


def _dated(kind: str):
    """The factory of the sections that list documents (or events): the record
    and its date first, by that date; ``via`` names it on each row, or is ""
    when the rows are the records themselves (a place's documents)."""

    def factory(
        title: str,
        related_name: str,
        *columns: Column,
        via: str = kind,
        citing: type[Row] | None = None,
    ) -> Section:
        def record(row):
            return getattr(row, via) if via else row

        prefix = f"{via}__" if via else ""
        return section(
            title,
            related_name,
            Column(capfirst(kind), lambda row: link(record(row)), (via,) if via else ()),
            Column("Date", lambda row: dates.display_of(record(row).date)),
            *columns,
            order=_by_date(prefix),
            citing=citing,
        )

    return factory


documents = _dated("document")
events = _dated("event")


def _under_owner(row_model: type[Row], title: str, *columns: Column) -> Section:
    """A source's list of the rows of ``row_model`` that name it, each under the
    record that owns it (a document or event with its date, by that date)."""
    owner = row_model.owner_field
    owner_model = row_model._meta.get_field(owner).related_model
    key = f"{row_model._meta.model_name}_naming_it"
    if owner_model in (Document, Event):
        factory = documents if owner_model is Document else events
        return factory(title, key, *columns, via=owner, citing=row_model)
    header = capfirst(owner_model._meta.verbose_name)
    return section(title, key, linked(owner, header), *columns, citing=row_model)


def cited_in(citation_model: type[Row]) -> Section:
    """The records of one type that cite a source: "Documents citing it"."""
    record_model = citation_model._meta.get_field(citation_model.owner_field).related_model
    title = f"{capfirst(record_model._meta.verbose_name_plural)} citing it"
    return _under_owner(citation_model, title, *CITED)


def attests(row_model: type[Row], title: str, *columns: Column) -> Section:
    """The relation rows of one kind that a source attests, with where in it."""
    return _under_owner(row_model, title, *columns, LOCATOR)


NAME_FORMS = section(
    "Name forms", "name_forms", text("Name", "name"), text("Language", "language"), KIND
)
CITATIONS = section(
    "Citations", "citations", linked("source"), text("Where in it", "locator"), text("Note", "note")
)

SECTIONS: dict[type[Record], tuple[Section, ...]] = {
    Document: (
        section("Provisions", "provisions", text("Number", "number"), text("Text", "text")),
        section("Parties", "parties", linked("state"), ROLE, SOURCE),
        section(
            "Signatories", "signatories", linked("person"), linked("on_behalf_of"), ROLE, SOURCE
        ),
        section(
            "Links to other documents",
            "links",
            linked("target", "Document"),
            choice("This document", "role"),
            SOURCE,
        ),
        section(
            "Linked from other documents",
            "linked_from",
            linked("document"),
            Column("This document is", lambda row: INVERSE_RELATIONS.get(row.role, row.role)),
            SOURCE,
            order=_by_date("document__"),
        ),
        events("Events", "event_roles", role("This document was"), SOURCE),
        CITATIONS,
    ),
    Person: (
        NAME_FORMS,
        section("Positions held", "positions", OFFICE, linked("state"), PERIOD, SOURCE),
        documents("Documents signed", "signed", linked("on_behalf_of"), ROLE, SOURCE),
        events("Events taken part in", "participations", ROLE, SOURCE),
        CITATIONS,
    ),
    State: (
        NAME_FORMS,
        documents("Documents it is party to", "parties", ROLE, SOURCE),
        documents(
            "Documents signed on its behalf",
            "signatories",
            linked("person", "Signed by"),
            ROLE,
            SOURCE,
        ),
        events("Events", "event_roles", ROLE, SOURCE),
        section(
            "Offices held for it",
            "positions",
            linked("person"),
            OFFICE,
            PERIOD,
            SOURCE,
        ),
        section("Places", "places", Column("Place", link)),
        CITATIONS,
    ),
    Event: (
        section("Participants", "participants", linked("person"), ROLE, SOURCE),
        section("States involved", "states", linked("state"), ROLE, SOURCE),
        documents("Documents", "documents", ROLE_FROM_EVENT, SOURCE),
        CITATIONS,
    ),
    Place: (
        NAME_FORMS,
        documents("Documents signed or issued here", "documents", KIND, via=""),
        events("Events held here", "events", KIND, via=""),
        CITATIONS,
    ),
    Source: (
        cited_in(DocumentCitation),
        cited_in(PersonCitation),
        cited_in(StateCitation),
        cited_in(EventCitation),
        cited_in(PlaceCitation),
        attests(DocumentParty, "Parties it attests", linked("state"), ROLE),
        attests(
            DocumentSignatory,
            "Signatures it attests",
            linked("person"),
            linked("on_behalf_of"),
            ROLE,
        ),
        attests(
            DocumentLink,
            "Links between documents it attests",
            choice("Link", "role"),
            linked("target", "To document"),
        ),
        attests(EventParticipant, "Participants it attests", linked("person"), ROLE),
        attests(EventState, "States in events it attests", linked("state"), ROLE),
        attests(
            EventDocument, "Documents of events it attests", linked("document"), ROLE_FROM_EVENT
        ),
        attests(Position, "Positions it attests", OFFICE, linked("state"), PERIOD),
    ),
}


@dataclass
class Shown:
    """A section as the page shows it: its title, headers, rows of cells, and how
    many rows there are in all (more than shown past :data:`ROWS_SHOWN`)."""

    title: str
    headers: tuple[str, ...]
    rows: list[tuple[Cell, ...]]
    owned: bool
    total: int

    @property
    def cut(self) -> bool:
        return self.total > len(self.rows)


def _shown(section: Section, record_model, rows, total: int | None = None) -> Shown:
    def as_cell(value) -> Cell:
        return value if isinstance(value, Cell) else Cell(str(value))

    def cells(row) -> tuple[Cell, ...]:
        try:
            return tuple(as_cell(value) for value in section.cells(row))
        except ObjectDoesNotExist:
            # A row of an earlier version, linking a record deleted since.
            gone = Cell(f"(a {row._meta.verbose_name} linking a record deleted since)")
            return (gone, *[Cell("")] * (len(section.headers) - 1))

    shown = [cells(row) for row in rows]
    owned = section.owned(record_model)
    return Shown(
        section.title, section.headers, shown, owned, len(shown) if total is None else total
    )


def fetch(record_model: type[Record], pk, *, incoming_only: bool = False) -> Record | None:
    """The record with the rows of its sections (all, or only those other records own)."""
    sections = [s for s in SECTIONS[record_model] if not (incoming_only and s.owned(record_model))]
    links = [f.name for f in record_model._meta.concrete_fields if f.many_to_one]
    totals = {name: total for s in sections for name, total in s.total(record_model).items()}
    prefetched = [s.prefetch(record_model, pk) for s in sections if s.citing is None]
    record = (
        record_model._default_manager.select_related(*links)
        .annotate(**totals)
        .prefetch_related(*prefetched)
        .filter(pk=pk)
        .first()
    )
    for s in sections:
        if record is not None and s.citing is not None:
            setattr(record, shown_name(s), list(s.rows(record_model, pk)))
    return record


def sections(record: Record, *, incoming_only: bool = False) -> list[Shown]:
    """The record's sections, from the rows :func:`fetch` prefetched."""
    model = type(record)
    return [
        _shown(s, model, getattr(record, shown_name(s)), getattr(record, total_name(s)))
        for s in SECTIONS[model]
        if not (incoming_only and s.owned(model))
    ]


def sections_then(record: Record, rows_then: dict) -> list[Shown]:
    """The record's own sections as they were at a version (``revert.rows_at``)."""
    model = type(record)
    shown = []
    for section in SECTIONS[model]:
        if section.owned(model):
            rows = rows_then.get(section.row_model(model), {})
            shown.append(_shown(section, model, [rows[pk] for pk in sorted(rows)]))
    return shown


@dataclass(frozen=True)
class Fact:
    """One field of the record: its label, its value, and what explains a date."""

    label: str
    value: Cell
    detail: str = ""


# Shown apart from the list of fields: under the title, as the state, as text.
_APART = {"slug", "published", "description", "internal_notes"}


def facts(record: Record) -> list[Fact]:
    """The record's fields as people read them, the empty ones left out."""
    result = []
    for field in record._meta.concrete_fields:
        if not field.editable or field.primary_key or field.name in _APART:
            continue
        label = capfirst(field.verbose_name)
        if field.many_to_one:
            if getattr(record, field.attname) is not None:
                result.append(Fact(label, link(getattr(record, field.name))))
            continue
        value = getattr(record, field.attname)
        if value in (None, ""):
            continue
        if isinstance(field, EDTFField):
            date = dates.parse(value)
            detail = f"EDTF {value}; the days it can mean: {dates.bounds_display(date)}"
            result.append(Fact(label, Cell(date.display), detail))
        elif field.choices:
            result.append(Fact(label, Cell(getattr(record, f"get_{field.name}_display")())))
        elif isinstance(field, models.URLField):
            result.append(Fact(label, Cell(value, value)))
        else:
            result.append(Fact(label, Cell(str(value))))
    return result
