"""Places: where documents were signed and events happened."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from simple_history.models import HistoricForeignKey

from archive.models.base import Record, citations_of, name_forms_of, versioned


class Place(Record):
    name = models.CharField(max_length=300)
    latitude = models.DecimalField(
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    state = HistoricForeignKey(
        "archive.State",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="places",
        help_text="The state the place belongs to, where that is meaningful.",
    )

    history = versioned(excluded=("name_text", "search_text"))

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(latitude__isnull=True, longitude__isnull=True)
                | models.Q(latitude__isnull=False, longitude__isnull=False),
                name="place_coordinates_both_or_neither",
                violation_error_message="Give both latitude and longitude, or neither.",
            )
        ]

    def __str__(self):
        return self.name

    def search_names(self):
        return [self.name]


PlaceName = name_forms_of(Place)
PlaceCitation = citations_of(Place)
