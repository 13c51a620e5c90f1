"""States: countries, empires, governments (in exile too)."""

from django.db import models

from archive.date_queries import date_bounds, date_index
from archive.models.base import (
    EDTFField,
    Record,
    citations_of,
    name_forms_of,
    versioned,
)


class State(Record):
    name = models.CharField(max_length=300, help_text="The common name: “Soviet Union”.")
    official_name = models.CharField(
        max_length=500,
        blank=True,
        help_text="The full official name: “Union of Soviet Socialist Republics”.",
    )
    existence = EDTFField(
        help_text="When the state existed, as an EDTF interval: 1922-12-30/1991-12-26."
    )
    existence_earliest, existence_latest, existence_span = date_bounds()

    history = versioned(excluded=("name_text", "search_text"))

    class Meta:
        ordering = ["name"]
        indexes = [date_index("state", "existence")]

    def __str__(self):
        return self.name

    def search_names(self):
        return [self.name, self.official_name]


StateName = name_forms_of(State)
StateCitation = citations_of(State)
