"""The object types of the read-only API.

Records (Document, Person, State, Event, Place, Source) and their rows
(parties, signatories, name forms…) are strawberry-django types, so that the
optimizer fetches any nesting in a fixed number of queries. Visibility is
the types' ``get_queryset`` (:mod:`archive.visibility`), which the optimizer
applies to every list and link it prefetches.
"""

from __future__ import annotations

import datetime
import enum

import strawberry
import strawberry_django
from django.db.models import Prefetch
from strawberry import relay

from archive import as_of, dates, models, visibility
from archive import history as archive_history
from archive.graphql.fields import ArchiveField, PageArgument, one_page
from archive.models.base import row_versions_name

SLUG = "The record's permanent address: lower-case ASCII, stable, unique among its kind."
DESCRIPTION = "A public description of the record."


def role_field(relation):
    """A relation's role, described with its controlled list and what each role means."""
    roles = "; ".join(f"“{role.value}”: {role.meaning}" for role in relation.roles.roles)
    return field(
        f"The role in this relation, one of a controlled list. {roles}. (A version from "
        "before the lists, read `asOf` or in a history, holds the free text it had.)"
    )


def archive_type(model, name: str, description: str, *, rows: bool = False):
    """A strawberry-django type whose lists are paged (rows) and fields capped."""
    return strawberry_django.type(
        model, name=name, description=description, field_cls=ArchiveField, pagination=rows
    )


def field(description: str, **kwargs):
    return strawberry_django.field(description=description, field_cls=ArchiveField, **kwargs)


# --- enums ------------------------------------------------------------------------

DocumentKind = strawberry.enum(
    models.DocumentKind, name="DocumentKind", description="What kind of document it is."
)
EventKind = strawberry.enum(models.EventKind, name="EventKind", description="What kind of event.")
DocumentRelation = strawberry.enum(
    models.DocumentRelation,
    name="DocumentRelation",
    description="How one document relates to another: this one annuls, amends… that one.",
)
NameFormKind = strawberry.enum(
    models.NameForm, name="NameFormKind", description="What kind of name form."
)


@strawberry.enum(name="VersionType", description="What a version did.")
class VersionType(enum.Enum):
    CREATED = "created"
    CHANGED = "changed"
    DELETED = "deleted"


# --- plain value types -------------------------------------------------------------------


@strawberry.type(
    name="HistoricalDate",
    description="A historical date: EDTF as stored, and what the archive derives from it.",
)
class HistoricalDate:
    edtf: str = strawberry.field(
        description="The date in EDTF (levels 0 and 1): 1941-07-30, 1941-07, 1941~, 1941?, "
        "194X, 1939-09/1939-10."
    )
    display: str = strawberry.field(
        description="The date as people read it: “30 July 1941”, “circa 1941”, “1940s”."
    )
    earliest: datetime.date | None = strawberry.field(
        description="The first day the date can mean; null when the start is open or unknown."
    )
    latest: datetime.date | None = strawberry.field(
        description="The last day the date can mean; null when the end is open or unknown."
    )
    approximate: bool = strawberry.field(description="Marked approximate (~ or %).")
    uncertain: bool = strawberry.field(description="Marked uncertain (? or %).")

    @classmethod
    def of(cls, value: str) -> HistoricalDate | None:
        if not value:
            return None
        parsed = dates.parse(value)
        return cls(
            edtf=parsed.edtf,
            display=parsed.display,
            earliest=parsed.earliest,
            latest=parsed.latest,
            approximate=parsed.approximate,
            uncertain=parsed.uncertain,
        )


def date_field(attname: str, description: str):
    def resolve(root) -> HistoricalDate | None:
        return HistoricalDate.of(getattr(root, attname))

    return field(description, resolver=resolve, only=[attname])


@strawberry.type(name="NameForm", description="One form of a name: a spelling, a translation…")
class NameForm:
    name: str = strawberry.field(description="The name as written in this form.")
    language: str = strawberry.field(description="A BCP 47 language tag (en, pl, ru…), or empty.")
    kind: NameFormKind = strawberry.field(description="Authorized, variant, transliteration…")


def name_forms_field():
    def resolve(root, pagination: PageArgument = None) -> list[NameForm]:
        forms = [
            NameForm(name=form.name, language=form.language, kind=form.kind)
            for form in root.name_forms.all()
        ]
        return one_page(forms, pagination)

    return field(
        "Every recorded form of the name, the authorized one included.",
        resolver=resolve,
        prefetch_related=["name_forms"],
    )


@strawberry.type(name="Citation", description="A source cited, and where in it to look.")
class Citation:
    source: SourceType = strawberry.field(description="The source.")
    locator: str = strawberry.field(description="Page, section or paragraph in the source.")
    note: str = strawberry.field(description="What the source says about this, if noted.")


def record_sources_field(citation_model):
    def resolve(root, pagination: PageArgument = None) -> list[Citation]:
        citations = [
            Citation(source=c.source, locator=c.locator, note=c.note) for c in root.citations.all()
        ]
        return one_page(citations, pagination)

    return field(
        "The sources this record is taken from.",
        resolver=resolve,
        prefetch_related=[
            Prefetch(
                "citations",
                queryset=citation_model.objects.filter(visibility.public("source")).select_related(
                    "source"
                ),
            )
        ],
    )


def row_sources_field():
    def resolve(root) -> list[Citation]:
        source = visibility.public_or_none(root.source)
        if source is None:
            return []
        return [Citation(source=source, locator=root.source_locator, note="")]

    return field(
        "The source that attests this relation (none, or one).",
        resolver=resolve,
        select_related=["source"],
        only=["source_id", "source_locator"],
    )


# --- history ------------------------------------------------------------------------------


@strawberry.type(name="FieldChange", description="One field changed by a version.")
class FieldChange:
    field: str = strawberry.field(
        description="The field's API name (“born”); for a relation, the list it belongs to "
        "(“signatories”), or the list and the row's field (“signatories.role”)."
    )
    old: str | None = strawberry.field(description="The value before; null if there was none.")
    new: str | None = strawberry.field(description="The value after; null if there is none.")


@strawberry.type(
    name="HistoryEntry",
    description="One version of a record or of one of its relation or name rows.",
)
class HistoryEntry:
    date: datetime.datetime = strawberry.field(description="When the change was saved (UTC).")
    type: VersionType = strawberry.field(
        description="What the version did to the record. A change to one of its rows "
        "(a signatory added…) is a change of the record."
    )
    reason: str = strawberry.field(
        description="Why, as the archivist gave it; empty if none was given, or if it "
        "names a moment the record was not public (“Reverted to the version of …”)."
    )
    summary: str = strawberry.field(
        description="The change in words: “Changed”, “signatory added: Ivan Maisky”."
    )
    changes: list[FieldChange] = strawberry.field(description="The fields it changed.")


def present(entry: archive_history.Entry) -> HistoryEntry:
    shown = archive_history.PUBLIC.show(entry)
    return HistoryEntry(
        date=shown.date,
        type=VersionType(shown.type) if shown.is_own else VersionType.CHANGED,
        reason=shown.reason,
        summary=shown.summary,
        changes=[FieldChange(field=f, old=old, new=new) for f, old, new in shown.changes],
    )


def history_field(record_model):
    prefetches = [
        Prefetch("versions", queryset=archive_history.versions_queryset(record_model))
    ] + [
        Prefetch(row_versions_name(row), queryset=archive_history.versions_queryset(row))
        for row in archive_history.owned_row_models(record_model)
    ]

    def resolve(root, pagination: PageArgument = None) -> list[HistoryEntry]:
        entries = archive_history.prefetched_entries(root, public=True)
        moment = getattr(root, as_of.MARK, None)
        if moment is not None:  # read as of a moment: the history up to it
            entries = [e for e in entries if e.date <= moment]
        return [present(e) for e in one_page(entries, pagination)]

    return field(
        "The public versions of the record and of its relation and name rows, newest "
        "first, a page at a time. Editors are not shown; a record's public history "
        "starts when it was first published, and leaves out what was written while "
        "the record, or a record a row points to, was a draft.",
        resolver=resolve,
        prefetch_related=prefetches,
    )


# --- records -------------------------------------------------------------------------------


def node_id(instance) -> str:
    """The part of a global id after the type name: the row's primary key, and for a
    version read ``asOf`` a moment, ``@`` and that moment in UTC (ISO 8601).

    The key, not the slug: it is always fetched (the optimizer loads it with
    every row) and an archivist may correct a slug. The moment keeps a past
    version from being normalised, by a client's cache, into the same entry
    as the record now (:mod:`archive.graphql.nodes` reads the id back).
    """
    moment = getattr(instance, as_of.MARK, None)
    if moment is None:
        return str(instance.pk)
    return f"{instance.pk}@{moment.isoformat()}"


class PublicRecords(relay.Node):
    """A record: a Relay node, its global id :func:`node_id`, resolvable by ``node``."""

    @classmethod
    def get_queryset(cls, queryset, info, **kwargs):
        return visibility.public_records(queryset)

    @classmethod
    def resolve_id(cls, root, *, info=None) -> str:
        return node_id(root)


class PublicRows:
    @classmethod
    def get_queryset(cls, queryset, info, **kwargs):
        return visibility.public_rows(queryset)


def global_id(type_name: str, instance) -> str:
    """The id of a record (its Relay global id) or of a row (a key of the same
    form): the GraphQL type's name and :func:`node_id`, in base64 as Relay's."""
    return relay.to_base64(type_name, node_id(instance))


def resolve_row_id(root, info: strawberry.Info) -> strawberry.ID:
    return strawberry.ID(global_id(info.path.typename, root))


def row_id_field():
    return field(
        "A key unique in the whole API, for clients' caches (the form of a global id, "
        "with a moment for a row read asOf one); not resolvable by node.",
        resolver=resolve_row_id,
        only=["id"],
    )


@archive_type(models.Source, "Source", "A work the archive's statements are taken from.")
class SourceType(PublicRecords):
    slug: str = field(SLUG)
    title: str = field("The title of the work.")
    author: str = field("Its author or authors, as cited.")
    url: str = field("Where it can be read online, if anywhere.")
    accessed: datetime.date | None = field("When the URL was consulted.")
    description: str = field(DESCRIPTION)


@archive_type(models.State, "State", "A state: a country, an empire, a government (in exile too).")
class StateType(PublicRecords):
    slug: str = field(SLUG)
    name: str = field("The common name: “Soviet Union”.")
    official_name: str = field("The official name: “Union of Soviet Socialist Republics”.")
    name_forms: list[NameForm] = name_forms_field()
    existence: HistoricalDate | None = date_field("existence", "When the state existed.")
    description: str = field(DESCRIPTION)
    documents: list[PartyType] = field(
        "The documents this state is a party to, with its role.", field_name="parties"
    )
    events: list[EventStateType] = field(
        "The events this state was involved in, with its role.", field_name="event_roles"
    )
    sources: list[Citation] = record_sources_field(models.StateCitation)
    history: list[HistoryEntry] = history_field(models.State)


@archive_type(models.Place, "Place", "A place where documents were signed or events happened.")
class PlaceType(PublicRecords):
    slug: str = field(SLUG)
    name: str = field("The name of the place.")
    name_forms: list[NameForm] = name_forms_field()
    latitude: float | None = field("Latitude in decimal degrees (WGS 84).")
    longitude: float | None = field("Longitude in decimal degrees (WGS 84).")
    state: StateType | None = field("The state the place belongs to.")
    description: str = field(DESCRIPTION)
    sources: list[Citation] = record_sources_field(models.PlaceCitation)
    history: list[HistoryEntry] = history_field(models.Place)


@archive_type(models.Person, "Person", "A person: a signatory, a negotiator, a commander…")
class PersonType(PublicRecords):
    slug: str = field(SLUG)
    name: str = field("The authorized form of the name: “Ivan Maisky”.")
    name_forms: list[NameForm] = name_forms_field()
    born: HistoricalDate | None = date_field("born", "When the person was born.")
    died: HistoricalDate | None = date_field("died", "When the person died.")
    description: str = field(DESCRIPTION)
    positions: list[PositionType] = field("Offices the person held.")
    signed: list[SignatoryType] = field(
        "The documents the person signed, with the state they signed for."
    )
    events: list[ParticipantType] = field(
        "The events the person took part in, with their role.", field_name="participations"
    )
    sources: list[Citation] = record_sources_field(models.PersonCitation)
    history: list[HistoryEntry] = history_field(models.Person)


@archive_type(models.Document, "Document", "A treaty, agreement, pact, protocol, decree, letter…")
class DocumentType(PublicRecords):
    slug: str = field(SLUG)
    title: str = field("The title the document is known by.")
    official_title: str = field("The official title, where it has one.")
    kind: DocumentKind = field("What kind of document it is.")
    date: HistoricalDate | None = date_field("date", "When it was signed or issued.")
    place: PlaceType | None = field("Where it was signed or issued.")
    summary: str = field("What the document says, in short.")
    text: str = field("The full text, where the archive has it.")
    description: str = field(DESCRIPTION)
    provisions: list[ProvisionType] = field("Its provisions, in the document's order.")
    parties: list[PartyType] = field("The states party to it, each with its role.")
    signatories: list[SignatoryType] = field("Who signed it, and for which state each signed.")
    related_documents: list[DocumentLinkType] = field(
        "Documents this one annuls, supersedes, amends, supplements, implements or references.",
        field_name="links",
    )
    events: list[EventDocumentType] = field(
        "The events the document is bound up with, with the role it played.",
        field_name="event_roles",
    )
    sources: list[Citation] = record_sources_field(models.DocumentCitation)
    history: list[HistoryEntry] = history_field(models.Document)


@archive_type(models.Event, "Event", "An event: an invasion, a negotiation, a signing…")
class EventType(PublicRecords):
    slug: str = field(SLUG)
    name: str = field("The name of the event.")
    kind: EventKind = field("What kind of event it was.")
    date: HistoricalDate | None = date_field("date", "When it happened; may be an interval.")
    place: PlaceType | None = field("Where it happened.")
    description: str = field(DESCRIPTION)
    participants: list[ParticipantType] = field("The people who took part, with their role.")
    states: list[EventStateType] = field("The states involved, with their role.")
    documents: list[EventDocumentType] = field("The documents bound up with it, with their role.")
    sources: list[Citation] = record_sources_field(models.EventCitation)
    history: list[HistoryEntry] = history_field(models.Event)


# --- rows --------------------------------------------------------------------------------


@archive_type(models.Provision, "Provision", "One numbered provision of a document.", rows=True)
class ProvisionType(PublicRows):
    id: strawberry.ID = row_id_field()
    number: int = field("Its place in the document: 1, 2, 3…")
    text: str = field("What it provides.")


@archive_type(
    models.DocumentParty, "DocumentParty", "A state party to a document, in a role.", rows=True
)
class PartyType(PublicRows):
    id: strawberry.ID = row_id_field()
    role: str = role_field(models.DocumentParty)
    state: StateType = field("The state.")
    document: DocumentType = field("The document.")
    sources: list[Citation] = row_sources_field()


@archive_type(
    models.DocumentSignatory,
    "Signatory",
    "A person who signed a document, and the state they signed for.",
    rows=True,
)
class SignatoryType(PublicRows):
    id: strawberry.ID = row_id_field()
    role: str = role_field(models.DocumentSignatory)
    person: PersonType = field("Who signed.")
    on_behalf_of: StateType | None = field("The state they signed for.")
    document: DocumentType = field("The document signed.")
    sources: list[Citation] = row_sources_field()


@archive_type(
    models.DocumentLink,
    "DocumentLink",
    "A typed link from a document to another: this one annuls that one.",
    rows=True,
)
class DocumentLinkType(PublicRows):
    id: strawberry.ID = row_id_field()
    relation: DocumentRelation = field("How this document relates to the other.", field_name="role")
    document: DocumentType = field("The other document.", field_name="target")
    sources: list[Citation] = row_sources_field()


@archive_type(models.Position, "Position", "An office a person held.", rows=True)
class PositionType(PublicRows):
    id: strawberry.ID = row_id_field()
    title: str = field("The office: “Soviet ambassador to the United Kingdom”.")
    state: StateType | None = field("The state the office was held for.")
    period: HistoricalDate | None = date_field("period", "When the office was held.")
    person: PersonType = field("Who held it.")
    sources: list[Citation] = row_sources_field()


@archive_type(
    models.EventParticipant,
    "EventParticipant",
    "A person who took part in an event, in a role.",
    rows=True,
)
class ParticipantType(PublicRows):
    id: strawberry.ID = row_id_field()
    role: str = role_field(models.EventParticipant)
    person: PersonType = field("The person.")
    event: EventType = field("The event.")
    sources: list[Citation] = row_sources_field()


@archive_type(
    models.EventState, "EventState", "A state involved in an event, in a role.", rows=True
)
class EventStateType(PublicRows):
    id: strawberry.ID = row_id_field()
    role: str = role_field(models.EventState)
    state: StateType = field("The state.")
    event: EventType = field("The event.")
    sources: list[Citation] = row_sources_field()


@archive_type(
    models.EventDocument,
    "EventDocument",
    "A document bound up with an event, in a role.",
    rows=True,
)
class EventDocumentType(PublicRows):
    id: strawberry.ID = row_id_field()
    role: str = role_field(models.EventDocument)
    document: DocumentType = field("The document.")
    event: EventType = field("The event.")
    sources: list[Citation] = row_sources_field()
