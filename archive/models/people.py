"""People: signatories, negotiators, commanders, and the offices they held."""

from django.db import models
from simple_history.models import HistoricForeignKey

from archive.date_queries import date_bounds
from archive.models.base import (
    AttestedRow,
    EDTFField,
    Record,
    citations_of,
    name_forms_of,
    versioned,
)


class Person(Record):
    name = models.CharField(
        max_length=300, help_text="The authorized form of the name: “Ivan Maisky”."
    )
    born = EDTFField()
    born_earliest, born_latest, born_span = date_bounds()
    died = EDTFField()
    died_earliest, died_latest, died_span = date_bounds()

    history = versioned(excluded=("name_text", "search_text"))

    date_order = (("born", "died", "A person cannot die before they are born."),)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "persons"

    def __str__(self):
        return self.name

    def search_names(self):
        return [self.name]


PersonName = name_forms_of(Person)
PersonCitation = citations_of(Person)


class Position(AttestedRow):
    """An office a person held: “Soviet ambassador to the United Kingdom”."""

    person = HistoricForeignKey(Person, on_delete=models.CASCADE, related_name="positions")
    title = models.CharField(max_length=300)
    state = HistoricForeignKey(
        "archive.State",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="positions",
        help_text="The state the office was held for.",
    )
    period = EDTFField(help_text="When the office was held, as an EDTF interval: 1932/1943.")
    period_earliest, period_latest, period_span = date_bounds()

    history = versioned()

    owner_field = "person"
    natural_key_fields = ("person__slug", "title", "period")

    class Meta(AttestedRow.Meta):
        constraints = [
            models.UniqueConstraint(fields=["person", "title", "period"], name="position_unique")
        ]

    def __str__(self):
        return self.dated_label(str)

    def dated_label(self, write_date) -> str:
        """The office and when it was held, ``write_date`` writing the period:
        as stored ("Ambassador (1932/1943)"), or with its reading beside it in
        the admin's histories (archive.history.Formatter.row)."""
        return f"{self.title} ({write_date(self.period)})" if self.period else self.title
