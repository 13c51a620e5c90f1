"""Revert a record with its rows, recover a deleted one, delete one: each with a reason.

A version of a record stands for a moment: the record as that version has
it, and each row it owned then (name forms, positions, parties, signatories,
provisions, links, participants, citations…) as the row's versions say it was
(:func:`rows_at`). Reverting to it writes the difference from now as one set
of versions, in the transaction of the revert, each with the reason given:
rows added since are removed, rows removed since are added back, rows
changed since are set back (:func:`restore_rows`). The revert page shows that
difference first (:func:`plan`).

The row versions written by the same action as the version (an admin save,
delete or revert, a fixture load) count with it: they carry its
``action_id`` (:mod:`archive.change_reasons`). The version that deleted a
record stands for the moment just before: the rows deleted with the record
are back with it, and a row removed by an earlier save stays removed.

The difference is taken from the rows in the database, not from their latest
versions (simple-history's ``diff_against`` compares two versions): a write
that left no version must be undone too.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

from django import forms
from django.contrib.admin import actions
from django.contrib.admin.utils import unquote
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.http import QueryDict

from archive import change_reasons, history
from archive.library_versions import require
from archive.models.base import Record, Row, choices_off_list

require(
    "django-simple-history",
    "3.13.0",
    "archive/admin/revert.py calls simple-history's private "
    "HistoricalQuerySet._select_related_history_tracked_objs",
)

REASON_LABEL = "Reason for this change"


def reason_field() -> forms.CharField:
    """The required "Reason for this change" box of every form that writes versions."""
    return forms.CharField(
        label=REASON_LABEL,
        max_length=1000,
        widget=forms.TextInput(attrs={"size": 80}),
        help_text="Why you are making this change. It is kept in the record's history, "
        "which the public API shows: write nothing that should not be public.",
    )


class DeleteReasonForm(forms.Form):
    """The reason asked for on a delete page (one record, or the selected ones)."""

    change_reason = reason_field()


# --- what a revert changes -------------------------------------------------------


@dataclass
class RowChange:
    """One row a revert adds back, removes or sets back."""

    row_model: type[Row]
    kind: str  # "added" (back), "removed", "changed"
    then: Row | None  # the row as it was at the moment (None: added since)
    now: Row | None  # the row as it is (None: removed since)
    # (field label, value now, value it gets back), as text
    fields: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def what(self) -> str:
        return str(self.row_model._meta.verbose_name)

    @property
    def row(self) -> Row:
        return self.then if self.then is not None else self.now

    @property
    def label(self) -> str:
        """The row as people read it; by id when a record it linked is gone."""
        try:
            return history.ADMIN.row(self.row)
        except ObjectDoesNotExist:
            return f"{self.row._meta.verbose_name} {self.row.pk} (links a deleted record)"


@dataclass
class Plan:
    """What reverting the record ``pk`` to ``version`` changes."""

    record_then: Record
    record_now: Record | None  # None: deleted, the revert recovers it
    fields: list[tuple[str, str, str]]
    rows: list[RowChange]

    @property
    def recovering(self) -> bool:
        return self.record_now is None


def version_of(record_model: type[Record], object_id: str, version_id: str):
    """``(pk, version)``: the record's id and its version named in a URL; None if none."""
    try:
        pk = url_id(record_model, object_id)
        version_id = url_id(record_model.history.model, version_id)
    except ValidationError:  # not an id, or out of the column's range
        return None
    version = record_model.history.filter(id=pk, history_id=version_id).first()
    return None if version is None else (pk, version)


def url_id(model, quoted: str):
    """The id of a ``model`` row in an admin URL, as the database takes it.

    Raises ValidationError when it cannot be one (not a number, out of the
    column's range).
    """
    pk_field = model._meta.pk
    value = pk_field.to_python(unquote(quoted))
    pk_field.run_validators(value)
    return value


def plan(record_model: type[Record], pk, version) -> Plan:
    record_now = record_model._default_manager.filter(pk=pk).first()
    record_then = history.instance_of(version)
    keep_published_slug(record_then, record_now)
    fields = [] if record_now is None else _changed_fields(record_then, record_now)
    return Plan(record_then, record_now, fields, row_changes(record_model, pk, version))


def rows_at(record_model: type[Record], pk, version) -> dict[type[Row], dict]:
    """The rows the record ``pk`` owned at ``version``'s moment, by model and id.

    Each row as its last version then says (simple-history's
    ``latest_of_each``), the versions written by ``version``'s action included.
    """
    then = Q(history_date__lte=version.history_date) | Q(action_id=version.action_id)
    deletion = version.history_type == "-"
    result = {}
    for row_model in history.owned_row_models(record_model):
        owner = f"{row_model.owner_field}_id"
        ever_owned = row_model.history.filter(**{owner: pk}).values("id")
        latest = (
            row_model.history.filter(then, id__in=ever_owned)
            .latest_of_each()
            ._select_related_history_tracked_objs()
            .order_by("history_date", "history_id")
        )
        rows = {row_version.id: row_version for row_version in latest}  # a tie: the last written
        result[row_model] = {
            row_id: history.as_it_was(row_version)
            for row_id, row_version in rows.items()
            if getattr(row_version, owner) == pk
            and (
                row_version.history_type != "-"
                or (deletion and row_version.action_id == version.action_id)
            )
        }
    return result


def rows_now(record_model: type[Record], pk) -> dict[type[Row], dict]:
    result = {}
    for row_model in history.owned_row_models(record_model):
        links = [f.name for f in row_model._meta.fields if f.many_to_one]
        rows = row_model._default_manager.filter(**{f"{row_model.owner_field}_id": pk})
        result[row_model] = {row.pk: row for row in rows.select_related(*links)}
    return result


def row_changes(record_model: type[Record], pk, version) -> list[RowChange]:
    then, now = rows_at(record_model, pk, version), rows_now(record_model, pk)
    changes = []
    for row_model in history.owned_row_models(record_model):
        rows_then, rows_now_ = then[row_model], now[row_model]
        for row_id in sorted(rows_then.keys() | rows_now_.keys()):
            old, new = rows_now_.get(row_id), rows_then.get(row_id)
            if old is None:
                changes.append(RowChange(row_model, "added", new, None))
            elif new is None:
                changes.append(RowChange(row_model, "removed", None, old))
            elif fields := _changed_fields(new, old):
                changes.append(RowChange(row_model, "changed", new, old, fields))
    return changes


def _edited_fields(model) -> list[models.Field]:
    # What an archivist edits: not the id, the bookkeeping or what is derived.
    return [f for f in model._meta.concrete_fields if f.editable and not f.primary_key]


def _changed_fields(then, now) -> list[tuple[str, str, str]]:
    return [
        history.ADMIN.change(f, _value(now, f), _value(then, f))
        for f in _edited_fields(type(now))
        if getattr(then, f.attname) != getattr(now, f.attname)
    ]


def _value(obj, f):
    if f.is_relation:
        return getattr(obj, f.name) if getattr(obj, f.attname) is not None else None
    return getattr(obj, f.attname)


# --- writing it ------------------------------------------------------------------


class CannotRevert(Exception):
    """The revert cannot be written; nothing has been (the transaction is rolled back)."""


def keep_published_slug(record_then: Record, record_now: Record | None) -> None:
    """A revert leaves an address once published as it is (the form shows it as
    text): ``record_then`` gets the slug of ``record_now`` if that was ever published."""
    if record_now is not None and record_now.was_ever_published():
        record_then.slug = record_now.slug


def restore_rows(record_model: type[Record], pk, version, user) -> Restored:
    """Set the record's rows back to ``version``'s moment; returns how many rows
    were written and each old role read into its list (:func:`read_old_roles`).

    Call it inside the revert's transaction and reason scope; raises
    :class:`CannotRevert` (and the caller rolls back) when a row cannot be
    written as it was: it links to a record deleted since, or clashes with
    another.
    """
    changes = row_changes(record_model, pk, version)
    restored = [c.then for c in changes if c.then is not None]
    missing = _missing_links(restored)
    if missing:
        raise CannotRevert("Cannot restore " + "; ".join(missing) + ".")
    read = read_old_roles(restored)
    off_list = [
        f"{row._meta.verbose_name} “{row}”: its {field} {problem}"
        for row in restored
        for field, problem in choices_off_list(row).items()
    ]
    if off_list:
        raise CannotRevert("Cannot restore " + "; ".join(off_list))
    failed = []
    # Removals first, so that a row added back does not clash with the one added in its place.
    order = {"removed": 0, "changed": 1, "added": 2}
    for change in sorted(changes, key=lambda c: order[c.kind]):
        row = change.now if change.kind == "removed" else change.then
        row._history_user = user
        try:
            with transaction.atomic():
                if change.kind == "removed":
                    row.delete()
                else:
                    row.save()
        except IntegrityError:
            failed.append(f"{change.what} “{change.label}”")
    if failed:
        raise CannotRevert(
            "Cannot restore " + "; ".join(failed) + ": it clashes with a row of the same kind."
        )
    return Restored(len(changes), read)


@dataclass(frozen=True)
class Restored:
    rows: int
    read_roles: list[str]  # each old role read into its list, said in a sentence


def read_old_roles(rows) -> list[str]:
    """Give each row whose role no list has (a version from before the lists,
    migration 0009) the role its text means, as 0009 read it; say each."""
    said = []
    for row in rows:
        vocabulary = getattr(row, "roles", None)
        if vocabulary is not None and row.role not in vocabulary.by_value:
            role = vocabulary.read(row.role)
            said.append(
                f"The {row._meta.verbose_name} “{row}” had the role “{row.role}”, which roles "
                f"now read as “{role}”."
            )
            row.role = role
    return said


def _missing_links(rows) -> list[str]:
    """Rows that link to a record that no longer exists (one query per model linked)."""
    wanted = {}  # related model -> ids
    for row in rows:
        for f in row._meta.concrete_fields:
            if f.many_to_one and getattr(row, f.attname) is not None:
                wanted.setdefault(f.related_model, set()).add(getattr(row, f.attname))
    existing = {
        model: set(model._default_manager.filter(pk__in=ids).values_list("pk", flat=True))
        for model, ids in wanted.items()
    }
    missing = []
    for row in rows:
        for f in row._meta.concrete_fields:
            value = getattr(row, f.attname)
            if f.many_to_one and value is not None and value not in existing[f.related_model]:
                if f.name == row.owner_field:
                    continue  # the record itself, saved just before
                missing.append(
                    f"{row._meta.verbose_name} {row.pk}: its {f.verbose_name} (id {value}) "
                    "has been deleted since"
                )
    return missing


def form_with_initial(form_class: type[forms.BaseForm], **initial) -> type[forms.BaseForm]:
    """``form_class`` whose instances start with ``initial``, set on each instance.

    Never on ``base_fields``: their field objects are shared with the form's
    parents and with every form class built from them.
    """

    def __init__(self, *args, **kwargs):
        form_class.__init__(self, *args, **kwargs)
        if self.is_bound:
            return
        for name, value in initial.items():
            if name in self.fields:  # a callable value is read when the page is opened
                self.initial[name] = value() if callable(value) else value

    return type(form_class.__name__, (form_class,), {"__init__": __init__})


# --- deleting with a reason -----------------------------------------------------------


def reason_form(request, confirmed: bool) -> DeleteReasonForm:
    """The delete page's reason form, bound when the deletion is being confirmed."""
    return DeleteReasonForm(request.POST if confirmed else None)


def unconfirmed(request):
    """``request`` without its confirmation, to show the delete page again."""
    request = copy.copy(request)
    request.POST = QueryDict()
    return request


@actions.action(permissions=["delete"], description=actions.delete_selected.short_description)
def delete_selected(modeladmin, request, queryset):
    """Django's "delete selected" action, which first asks for the reason."""
    form = reason_form(request, confirmed=bool(request.POST.get("post")))
    if form.is_bound and not form.is_valid():
        post = request.POST.copy()
        del post["post"]
        request = copy.copy(request)
        request.POST = post
    reason = form.cleaned_data["change_reason"] if form.is_bound and form.is_valid() else None
    with change_reasons.reason_scope(reason), transaction.atomic():
        response = actions.delete_selected(modeladmin, request, queryset)
    if response is not None:  # the confirmation page (admin/archive/delete_selected_…)
        response.context_data["reason_form"] = form
    return response


def delete_with_reason(queryset) -> None:
    """Delete each record (and its rows) with the reason in scope; none without one."""
    if not change_reasons.current():
        raise PermissionDenied("A delete needs a reason.")
    for obj in queryset:
        obj.delete()
