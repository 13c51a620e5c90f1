"""Documents: treaties, agreements, decrees, and how they relate."""

from django.db import models
from simple_history.models import HistoricForeignKey

from archive.date_queries import chronological, date_bounds, date_index, date_order_index
from archive.models.base import (
    EDTFField,
    Record,
    RelationBase,
    Row,
    citations_of,
    versioned,
)
from archive.models.roles import DOCUMENT_PARTY, DOCUMENT_SIGNATORY


class DocumentKind(models.TextChoices):
    TREATY = "treaty"
    AGREEMENT = "agreement"
    PACT = "pact"
    PROTOCOL = "protocol"
    DECREE = "decree"
    DECLARATION = "declaration"
    LETTER = "letter"
    MEMORANDUM = "memorandum"
    OTHER = "other"


class Document(Record):
    title = models.CharField(max_length=500, help_text="The title it is known by.")
    official_title = models.CharField(max_length=1000, blank=True)
    kind = models.CharField(max_length=20, choices=DocumentKind.choices, db_index=True)
    date = EDTFField(help_text="When it was signed or issued, in EDTF: 1941-07-30.")
    date_earliest, date_latest, date_span = date_bounds()
    place = HistoricForeignKey(
        "archive.Place",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="documents",
        help_text="Where it was signed or issued.",
    )
    summary = models.TextField(blank=True)
    text = models.TextField(blank=True, help_text="The full text, where the archive has it.")

    history = versioned(excluded=("name_text", "search_text"))

    class Meta:
        ordering = [*chronological("date"), "title"]
        indexes = [date_index("document", "date"), date_order_index("document", "date")]

    def __str__(self):
        return self.title

    def search_names(self):
        return [self.title, self.official_title]

    def search_extras(self):
        return [self.summary]


DocumentCitation = citations_of(Document)


class Provision(Row):
    """One numbered provision of a document, in the document's order."""

    document = HistoricForeignKey(Document, on_delete=models.CASCADE, related_name="provisions")
    number = models.PositiveIntegerField(help_text="Its place in the document: 1, 2, 3…")
    text = models.TextField()

    history = versioned()

    owner_field = "document"
    natural_key_fields = ("document__slug", "number")

    class Meta(Row.Meta):
        ordering = ["document", "number"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="provision_unique")
        ]

    def __str__(self):
        return f"Provision {self.number}"


class DocumentParty(RelationBase):
    """A state that is party to a document, in a role (party, guarantor…)."""

    document = HistoricForeignKey(Document, on_delete=models.CASCADE, related_name="parties")
    state = HistoricForeignKey("archive.State", on_delete=models.PROTECT, related_name="parties")
    roles = DOCUMENT_PARTY
    role = DOCUMENT_PARTY.field()

    history = versioned()

    owner_field = "document"
    natural_key_fields = ("document__slug", "state__slug", "role")

    class Meta(RelationBase.Meta):
        verbose_name = "party"
        verbose_name_plural = "parties"
        constraints = [
            models.UniqueConstraint(
                fields=["document", "state", "role"], name="document_party_unique"
            )
        ]

    def __str__(self):
        return f"{self.state} ({self.role})"


class DocumentSignatory(RelationBase):
    """A person who signed a document, and the state they signed for."""

    document = HistoricForeignKey(Document, on_delete=models.CASCADE, related_name="signatories")
    person = HistoricForeignKey("archive.Person", on_delete=models.PROTECT, related_name="signed")
    on_behalf_of = HistoricForeignKey(
        "archive.State",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="signatories",
    )
    roles = DOCUMENT_SIGNATORY
    role = DOCUMENT_SIGNATORY.field()

    history = versioned()

    owner_field = "document"
    natural_key_fields = ("document__slug", "person__slug", "role")

    class Meta(RelationBase.Meta):
        verbose_name = "signatory"
        verbose_name_plural = "signatories"
        constraints = [
            models.UniqueConstraint(
                fields=["document", "person", "role"], name="document_signatory_unique"
            )
        ]

    def __str__(self):
        on_behalf = f" for {self.on_behalf_of}" if self.on_behalf_of_id else ""
        return f"{self.person}{on_behalf}"


class DocumentRelation(models.TextChoices):
    ANNULS = "annuls"
    SUPERSEDES = "supersedes"
    AMENDS = "amends"
    SUPPLEMENTS = "supplements"
    IMPLEMENTS = "implements"
    REFERENCES = "references"

    @property
    def inverse_label(self) -> str:
        """The link read from the other document: "Supplemented by"."""
        return INVERSE_RELATIONS[self]


# How a link reads from the document it points to: A supplements B, B is supplemented by A.
INVERSE_RELATIONS = {
    DocumentRelation.ANNULS: "Annulled by",
    DocumentRelation.SUPERSEDES: "Superseded by",
    DocumentRelation.AMENDS: "Amended by",
    DocumentRelation.SUPPLEMENTS: "Supplemented by",
    DocumentRelation.IMPLEMENTS: "Implemented by",
    DocumentRelation.REFERENCES: "Referenced by",
}


class DocumentLink(RelationBase):
    """A typed link from one document to another: this one *annuls* that one."""

    document = HistoricForeignKey(Document, on_delete=models.CASCADE, related_name="links")
    target = HistoricForeignKey(Document, on_delete=models.PROTECT, related_name="linked_from")
    role = models.CharField(
        "relation", max_length=20, choices=DocumentRelation.choices, default="references"
    )

    history = versioned()

    owner_field = "document"
    natural_key_fields = ("document__slug", "target__slug", "role")

    class Meta(RelationBase.Meta):
        verbose_name = "related document"
        constraints = [
            models.UniqueConstraint(
                fields=["document", "target", "role"], name="document_link_unique"
            ),
            models.CheckConstraint(
                condition=~models.Q(document=models.F("target")),
                name="document_link_not_to_itself",
                violation_error_message="A document cannot be linked to itself.",
            ),
        ]

    def __str__(self):
        return f"{self.get_role_display()} {self.target}"
