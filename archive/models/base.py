"""What every record, relation row and name row of the archive has in common.

* :class:`Record`: a catalogued thing with a slug (its natural key), a
  published flag, a public description, internal notes that never leave the
  admin, timestamps and a normalised ``search_text``.
* :class:`NameFormBase`: a name form of a record (variant, transliteration…).
* :class:`RelationBase`: a relation row with its role and its own citation.
* :class:`CitationBase`: a record citing a source.
* :class:`EDTFField`: an EDTF date string; the columns derived from it (its
  bounds and span class) are declared in :mod:`archive.date_queries`.

Every concrete model gets its version history from :func:`versioned`; each
version is a :class:`Version` too.
"""

from __future__ import annotations

import uuid

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords, HistoricForeignKey

from archive import change_reasons, counts, date_queries, dates, search
from archive.date_ranges import DateRangeQuerySet


class ArchiveHistory(HistoricalRecords):
    """simple-history's HistoricalRecords, with a way from a record to its rows' versions.

    A row's versions outlive the row (a removed signatory is still in the
    record's history), so they cannot be reached through the row. Here the
    version's link to the owning record gets a reverse name,
    ``<row model>_versions`` (``document.documentsignatory_versions``), so the
    versions of every row of many records can be prefetched in one query.
    """

    def create_history_model(self, model, inherited):
        history_model = super().create_history_model(model, inherited)
        # simple-history names the app ("archive") as the module of a history
        # model declared in a models package, but puts the class in the model's
        # own module: name that one, so that the class is found by its path
        # (manage.py shell imports every model by its path).
        history_model.__module__ = self.module
        return history_model

    def copy_fields(self, model):
        fields = super().copy_fields(model)
        owner_field = getattr(model, "owner_field", None)
        if owner_field and not model._meta.abstract:
            fields[owner_field].remote_field.related_name = row_versions_name(model)
        return fields


def row_versions_name(row_model) -> str:
    """The name, on the owning record, of the versions of ``row_model``'s rows."""
    return f"{row_model._meta.model_name}_versions"


class Version(models.Model):
    """What every version carries besides simple-history's fields.

    ``action_id`` names the action that wrote it (an admin save, delete or
    revert, one fixture load: :mod:`archive.change_reasons`): the rows deleted
    with a record, or saved with it, are the row versions with the record
    version's ``action_id``.
    """

    action_id = models.UUIDField(default=uuid.uuid4, db_index=True, editable=False)

    class Meta:
        abstract = True


def versioned(*, excluded: tuple[str, ...] = ()) -> HistoricalRecords:
    """Full history for one model: 64-bit version ids, long reasons, action ids.

    ``related_name="versions"`` gives each version a link back to its row, so
    the versions of many rows can be fetched in one query.
    """
    return ArchiveHistory(
        history_id_field=models.BigAutoField(primary_key=True),
        history_change_reason_field=models.TextField(null=True),
        related_name="versions",
        excluded_fields=list(excluded),
        bases=[Version],
    )


class EDTFField(models.CharField):
    """An EDTF date (see :mod:`archive.dates`), blank when unknown."""

    description = "An EDTF date string"

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", dates.MAX_LENGTH)
        kwargs.setdefault("blank", True)
        kwargs.setdefault(
            "help_text",
            f"An EDTF date, for example {dates.EXAMPLES}. Leave empty when unknown.",
        )
        super().__init__(*args, **kwargs)
        self.validators.append(dates.validate)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if kwargs.get("max_length") == dates.MAX_LENGTH:
            del kwargs["max_length"]
        if kwargs.get("blank") is True:
            del kwargs["blank"]
        kwargs.pop("help_text", None)
        return name, path, args, kwargs


class DatedMixin:
    """Derives the bounds of every :class:`EDTFField` and checks date order.

    ``date_order`` lists ``(earlier, later, message)`` triples of EDTF fields
    that must not be out of order, for example born before died.
    """

    date_order: tuple[tuple[str, str, str], ...] = ()

    @classmethod
    def edtf_fields(cls) -> list[EDTFField]:
        return [f for f in cls._meta.concrete_fields if isinstance(f, EDTFField)]

    def derive_dates(self, *, report_invalid: bool = True) -> dict[str, dates.HistoricalDate]:
        """Parse every date, set its bounds, raise ValidationError per field.

        ``report_invalid=False`` leaves unparsable dates to the field's own
        validator (forms run both), so that each error is reported once.
        """
        parsed, errors = {}, {}
        for field in self.edtf_fields():
            value = getattr(self, field.attname) or ""
            if not value:
                date_queries.set_bounds(self, field.attname, None)
                continue
            try:
                parsed[field.attname] = date = dates.parse(value)
            except ValidationError as error:
                if report_invalid:
                    errors[field.attname] = error
                continue
            date_queries.set_bounds(self, field.attname, date)
        for earlier, later, message in self.date_order:
            if earlier in parsed and later in parsed:
                try:
                    dates.check_order(parsed[earlier], parsed[later], message)
                except ValidationError as error:
                    errors.setdefault(later, error)
        if errors:
            raise ValidationError(errors)
        return parsed

    def clean(self):
        super().clean()
        self.derive_dates(report_invalid=False)


def choices_off_list(instance) -> dict[str, str]:
    """The fields of ``instance`` whose value is not one of their choices (a role, a
    kind), each with what is wrong: forms refuse such values, but a fixture or an
    old version may hold one."""
    off = {}
    for field in instance._meta.concrete_fields:
        value = getattr(instance, field.attname)
        if field.choices and value not in field.empty_values:
            choices = [choice for choice, _ in field.flatchoices]
            if value not in choices:
                listed = ", ".join(f"“{choice}”" for choice in choices)
                off[field.name] = f"“{value}” is not one of its choices: {listed}."
    return off


class RecordQuerySet(DateRangeQuerySet):
    """The queryset of every record model: a date range counted and paged by span
    class (``archive.date_ranges``), and counts remembered for the data version
    (``archive.counts``)."""

    def count(self) -> int:
        if self._result_cache is not None or self.query.is_sliced:
            return super().count()
        return counts.remembered(self, self._count)

    def _count(self) -> int:
        by_arms = self.count_by_arms()
        return super().count() if by_arms is None else by_arms


class SlugManager(models.Manager.from_queryset(RecordQuerySet)):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class Record(DatedMixin, models.Model):
    """A catalogued record: state, person, document, event, place or source."""

    slug = models.SlugField(
        max_length=200,
        unique=True,
        allow_unicode=False,
        help_text="The record's permanent address: lower-case ASCII letters, digits and "
        "hyphens. Do not change it once published.",
    )
    published = models.BooleanField(
        default=False,
        db_index=True,
        help_text="Only published records are visible in the public API.",
    )
    description = models.TextField(blank=True)
    internal_notes = models.TextField(
        blank=True, help_text="For archivists only: never shown in the public API."
    )
    created = models.DateTimeField(default=timezone.now, editable=False)
    modified = models.DateTimeField(default=timezone.now, editable=False)
    # Derived for search (archive.search): the matching keys of the names and
    # name forms alone, "| ivan maiski | иван маискии |", for ranking; and of
    # every searchable text (names, titles, summaries), for matching.
    name_text = models.TextField(blank=True, default="", editable=False)
    search_text = models.TextField(blank=True, default="", editable=False)

    objects = SlugManager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.modified = timezone.now()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        # The record and the rows its delete cascades to go in one action: a
        # recovery brings back the rows by the deletion's action id.
        with change_reasons.action():
            return super().delete(*args, **kwargs)

    def natural_key(self):
        return (self.slug,)

    def was_ever_published(self) -> bool:
        """Published now, or in any version before."""
        return self.published or self.history.filter(published=True).exists()

    def search_names(self) -> list[str]:
        """The names a search should match first: name or title, official name."""
        return [str(self)]

    def search_extras(self) -> list[str]:
        """Further texts a search should match, after the names: summaries."""
        return []

    def compute_search_texts(self, name_forms: list[str] | None = None) -> dict[str, str]:
        """``name_text`` and ``search_text`` (archive.search), name forms included.

        The names of the name forms are read from the database, in row order,
        unless ``name_forms`` gives them (rows not saved yet: the generator).
        """
        names = self.search_names()
        if name_forms is not None:
            names += name_forms
        elif self.pk and hasattr(self, "name_forms"):
            names += list(self.name_forms.values_list("name", flat=True))
        return {
            "name_text": search.names_text(*names),
            "search_text": search.document_text(*names, *self.search_extras()),
        }

    def refresh_search_text(self) -> None:
        """Store the search texts again, after a name form changed.

        A plain UPDATE: they are derived, not content, so they get no version.
        """
        type(self)._default_manager.filter(pk=self.pk).update(**self.compute_search_texts())


class RowManager(models.Manager):
    """Finds a relation or name row by the natural key its model declares."""

    def get_by_natural_key(self, *key):
        return self.get(**dict(zip(self.model.natural_key_fields, key, strict=True)))


class NameForm(models.TextChoices):
    AUTHORIZED = "authorized", "authorized form"
    VARIANT = "variant", "variant"
    TRANSLITERATION = "transliteration", "transliteration"
    FORMER = "former", "former name"


class Row(DatedMixin, models.Model):
    """A relation, name, citation or provision row, owned by one record.

    ``natural_key_fields`` names the lookups that identify the row in a
    fixture, e.g. ``("record__slug", "name", "language")``: fixtures refer to
    rows by what they say, never by database ids, so loading one twice
    finds the rows it loaded the first time.
    """

    natural_key_fields: tuple[str, ...] = ()
    # The field that points at the owning record: its history lists this row's.
    owner_field = "record"

    objects = RowManager()

    class Meta:
        abstract = True
        ordering = ["pk"]

    def natural_key(self):
        key = []
        for path in self.natural_key_fields:
            value = self
            for attribute in path.split("__"):
                value = getattr(value, attribute)
            key.append(value)
        return tuple(key)

    @property
    def owner(self):
        return getattr(self, self.owner_field)


class NameFormBase(Row):
    """One name form of a record: the form, its language and its kind.

    Subclasses add ``record = HistoricForeignKey(<record>, related_name="name_forms")``.
    """

    name = models.CharField(max_length=300)
    language = models.CharField(
        max_length=35,
        blank=True,
        help_text="A BCP 47 language tag: en, pl, ru, ru-Latn…",
    )
    kind = models.CharField(max_length=20, choices=NameForm.choices, default=NameForm.VARIANT)

    class Meta:
        abstract = True
        ordering = ["pk"]
        verbose_name = "name form"

    def __str__(self):
        language = f" ({self.language})" if self.language else ""
        return f"{self.name}{language}"

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        # Remember the owner as loaded: if the form moves to another record,
        # the old record's search text must forget it.
        instance._loaded_record_id = instance.__dict__.get("record_id")
        return instance

    natural_key_fields = ("record__slug", "name", "language")


class AttestedRow(Row):
    """A row that names the source attesting it (one source, with a locator)."""

    source = models.ForeignKey(
        "archive.Source",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The source that attests this row.",
    )
    source_locator = models.CharField(
        max_length=200, blank=True, help_text="Page, section or paragraph in the source."
    )

    class Meta(Row.Meta):
        abstract = True


class RelationBase(AttestedRow):
    """A relation row between a record and another: its role and its source."""

    role = models.CharField(max_length=100)

    class Meta(AttestedRow.Meta):
        abstract = True


class CitationBase(Row):
    """A record citing a source, with where in the source to look.

    Subclasses add ``record = HistoricForeignKey(<record>, related_name="citations")``.
    """

    source = models.ForeignKey("archive.Source", on_delete=models.PROTECT, related_name="+")
    locator = models.CharField(
        max_length=200, blank=True, help_text="Page, section or paragraph in the source."
    )
    note = models.TextField(blank=True)

    class Meta:
        abstract = True
        ordering = ["pk"]
        verbose_name = "citation"

    def __str__(self):
        return f"{self.source}{', ' + self.locator if self.locator else ''}"

    natural_key_fields = ("record__slug", "source__slug", "locator")


def _owned_row_model(base: type[Row], record: type[Record], suffix: str, unique: list[str]):
    """Declare ``<Record><suffix>``: a ``base`` row owned by ``record``, with history.

    Name forms and citations have the same shape for every record type; this
    declares each of them in one line instead of five copies of a class.
    """
    name = f"{record.__name__}{suffix}"
    related_name = {"Name": "name_forms", "Citation": "citations"}[suffix]
    meta = type(
        "Meta",
        (base.Meta,),
        {
            "verbose_name": base._meta.verbose_name,
            "constraints": [models.UniqueConstraint(fields=unique, name=f"{name.lower()}_unique")],
        },
    )
    return type(
        name,
        (base,),
        {
            "__module__": record.__module__,
            "__qualname__": name,
            "record": HistoricForeignKey(
                record, on_delete=models.CASCADE, related_name=related_name
            ),
            "history": versioned(),
            "Meta": meta,
        },
    )


def name_forms_of(record: type[Record]):
    """The model of ``record``'s name forms: ``record.name_forms``."""
    return _owned_row_model(NameFormBase, record, "Name", ["record", "name", "language"])


def citations_of(record: type[Record]):
    """The model of ``record``'s citations: ``record.citations``."""
    return _owned_row_model(CitationBase, record, "Citation", ["record", "source", "locator"])


def row_models() -> list[type[Row]]:
    """Every row model of the archive (relation, name, citation, provision rows)."""
    from django.apps import apps

    return [m for m in apps.get_app_config("archive").get_models() if issubclass(m, Row)]
