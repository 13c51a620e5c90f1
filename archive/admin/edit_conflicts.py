"""Two archivists editing one record: the later, stale save is refused.

The change form carries a hidden token of the state it was opened from
(:func:`token`): when it was opened, and a digest of the record's values and
of the values of every row it owns (signatories, name forms, citations…) as
they were read for the page. Saving recomputes the digest from the database,
inside the transaction that writes and with the record locked
(:func:`_read_locked`), and refuses when it differs: someone changed the
record, or added, changed or removed one of its rows, after the form was
opened. The refusal is a form error: the admin shows the page again with
everything that was typed (record fields, inline rows, reason), names the
latest change made meanwhile and writes nothing: no version, no data version
advance.

Why a digest of values and not the highest version id: the page has read the
values already (opening a change page costs no query more), a version id is
handed out before its transaction commits (two saves can commit out of id
order, so "the highest id" can miss one), and values also show writes that
leave no version (``QuerySet.update()``). A change undone before the save
(ABA) is not a conflict: the state the archivist edited is the current one.

The token is a plain value: the admin is for staff only. A save without one
is refused, never taken as fresh. The add view (nothing to conflict with)
carries no token and checks nothing. The revert and recover view carries
the token of the record (or of its absence) as it was when the page showed
what the revert would change (:func:`token_now`): a revert over changes
made since, which that page did not show, is refused too.
"""

from __future__ import annotations

import datetime
import hashlib
import re
import time

from django import forms
from django.contrib.admin.utils import flatten_fieldsets, quote
from django.core.exceptions import ValidationError
from django.db import models, router, transaction
from django.urls import reverse
from django.utils.html import format_html

from archive import history
from archive.data_version import ROW_ID, DataVersion

TOKEN_FIELD = "opened_version"
# µs since 1970 (16 digits last until 2286, within what a datetime holds), a sha256.
TOKEN_FORMAT = re.compile(r"([0-9]{1,16}):([0-9a-f]{64})")

STALE = (
    "{what} after you opened it. Your changes have not been saved, so as not to overwrite "
    "that change; what you typed is still in the form below. Compare it with the record's "
    '<a href="{history_url}" target="_blank">history</a> (in a new tab), then '
    '<a href="{change_url}">open the current version</a> and make your changes again.'
)
NO_TOKEN = (
    "This form does not say which version of the record it was opened from, so saving it "
    "could overwrite someone else's changes. Your changes have not been saved; what you "
    'typed is still in the form below. <a href="{change_url}">Open the current version</a> '
    "and make your changes again."
)


class TokenField(forms.CharField):
    """The hidden token: never a change of the record, never required.

    Not required, so that a missing token gets the form's own clear error
    (a hidden field's error is hidden with it); never "changed", so that a
    save of inline rows alone still writes no version of the record
    (``ArchiveAdmin.save_model``) and the admin's change message omits it.
    """

    def __init__(self):
        super().__init__(required=False, widget=forms.HiddenInput, label="Version opened")

    def has_changed(self, initial, data):
        return False


class ConflictCheckingForm(forms.ModelForm):
    """A record's change form that refuses to save over changes it has not seen."""

    # Set per record by RefuseStaleEdits.get_form.
    history_url = ""
    change_url = ""

    def clean(self):
        cleaned_data = super().clean()
        error = conflict(
            type(self.instance),
            self.instance.pk,
            self.cleaned_data.get(TOKEN_FIELD),
            history_url=self.history_url,
            change_url=self.change_url,
        )
        if error:
            raise ValidationError(error, code="stale")
        return cleaned_data


class RefuseStaleEdits:
    """ModelAdmin mixin: the change form carries a token and refuses stale saves."""

    def get_form(self, request, obj=None, change=False, **kwargs):
        # The token is declared on the subclass made below, not on the admin's
        # form: ModelAdmin.get_form would refuse it as an unknown field when
        # the fieldsets (read off this form's fields) hand it back.
        # simple-history's revert view asks with no fields, and Django would read
        # them (the token among them) off this very form: name them here.
        if "fields" not in kwargs:
            kwargs["fields"] = flatten_fieldsets(self.get_fieldsets(request, obj))
        if kwargs["fields"] is not None:
            kwargs["fields"] = [name for name in kwargs["fields"] if name != TOKEN_FIELD]
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is None or not self.has_change_permission(request, obj):
            return form
        opts = self.model._meta
        urls = {
            f"{view}_url": reverse(
                f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_{view}",
                args=[quote(obj.pk)],
            )
            for view in ("history", "change")
        }
        return type(
            form.__name__, (ConflictCheckingForm, form), {TOKEN_FIELD: TokenField(), **urls}
        )

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        form = context["adminform"].form
        if change and obj is not None and TOKEN_FIELD in form.fields and not form.is_bound:
            # A page being opened: the state it shows. A form shown again
            # after a POST keeps the token it was posted with.
            formsets = [inline.formset for inline in context.get("inline_admin_formsets", [])]
            form.initial[TOKEN_FIELD] = token(obj, formsets)
        return super().render_change_form(request, context, add, change, form_url, obj)


def token(record: models.Model, formsets=()) -> str:
    """The token of ``record`` as read now: ``<opened at, µs since 1970>:<digest>``.

    The rows come from ``formsets`` where an inline formset has read them for
    the page already (no query); the rows of other row models are read here,
    and so are those of a formset that shows none (``queryset.none()``: a
    user who may add rows of that model but not see them).
    """
    loaded = {
        formset.model: formset.get_queryset()
        for formset in formsets
        if getattr(formset, "fk", None) is not None
        and formset.fk.name == getattr(formset.model, "owner_field", None)
        and not formset.get_queryset().query.is_empty()
    }
    rows = {
        model: loaded[model] if model in loaded else _rows(model, record.pk)
        for model in history.owned_row_models(type(record))
    }
    return f"{time.time_ns() // 1000}:{_digest(record, rows)}"


def token_now(record_model, pk) -> str:
    """The token of the record ``pk`` (or of its absence) and its rows, read now."""
    record = record_model._default_manager.filter(pk=pk).first()
    rows = {model: _rows(model, pk) for model in history.owned_row_models(record_model)}
    return f"{time.time_ns() // 1000}:{_digest(record, rows)}"


def conflict(
    record_model, pk, posted: str | None, *, history_url: str, change_url: str
) -> str | None:
    """The error to show when ``posted`` is not the record's state now; None when it is.

    Call it inside the transaction that will write: it locks the record
    until that transaction ends, so that no other save can come between
    this check and the write.
    """
    well_formed = TOKEN_FORMAT.fullmatch(posted or "")
    if well_formed is None:  # none, or not one this admin wrote
        return format_html(NO_TOKEN, change_url=change_url)
    opened_at, digest = well_formed.groups()
    record, rows = _read_locked(record_model, pk)
    if _digest(record, rows) == digest:  # a recovery: the record is still absent
        return None
    opened = datetime.datetime.fromtimestamp(int(opened_at) / 1e6, tz=datetime.UTC)
    return format_html(
        STALE,
        what=_what_happened(record_model, pk, opened),
        history_url=history_url,
        change_url=change_url,
    )


def _read_locked(record_model, pk):
    """The record and its rows as they are now, the record locked for the transaction.

    Every writer takes the data version's row lock before any other
    (:mod:`archive.data_version`); taking it here first too keeps that
    order, so that this check and a concurrent revert or script cannot
    deadlock. It is only locked, not advanced: a refused save writes
    nothing. The record's own lock then holds off any writer that takes no
    data version lock. On SQLite both are no-ops: its IMMEDIATE transactions
    let one writer at a time in from the start.
    """
    using = router.db_for_write(record_model)
    with transaction.atomic(using=using, savepoint=False):
        list(
            DataVersion.objects.using(using)
            .select_for_update()
            .filter(id=ROW_ID)
            .values_list("id", flat=True)
        )
        record = next(
            iter(record_model._default_manager.using(using).select_for_update().filter(pk=pk)),
            None,
        )
        rows = {model: _rows(model, pk, using) for model in history.owned_row_models(record_model)}
    return record, rows


def _rows(row_model, pk, using=None):
    manager = row_model._default_manager.db_manager(using)
    return manager.filter(**{f"{row_model.owner_field}_id": pk})


def _digest(record, rows_by_model) -> str:
    state = [_values(record)]
    for model in sorted(rows_by_model, key=lambda m: m._meta.label):
        rows = sorted(rows_by_model[model], key=lambda row: row.pk)
        state.append((model._meta.label, [_values(row) for row in rows]))
    return hashlib.sha256(repr(state).encode()).hexdigest()


def _values(obj) -> tuple | None:
    if obj is None:  # a deleted record
        return None
    return tuple((f.attname, getattr(obj, f.attname)) for f in obj._meta.concrete_fields)


def _what_happened(record_model, pk, opened: datetime.datetime) -> str:
    """ "This record was changed by <user> at <time> UTC (“<reason>”)": the latest change
    since the form was opened, from the history of the record and its rows."""
    since = [e for e in history.histories(record_model, [pk])[pk] if e.date > opened]
    if not since:  # a write that left no version (or clocks disagree)
        return "This record was changed"
    latest = since[0]
    verb = "deleted" if latest.is_own and latest.type == "deleted" else "changed"
    by = f" by {latest.user}" if latest.user else ""
    at = latest.date.astimezone(datetime.UTC)
    reason = f" (“{latest.reason}”)" if latest.reason else ""
    return f"This record was {verb}{by} at {at:%Y-%m-%d %H:%M:%S} UTC{reason}"
