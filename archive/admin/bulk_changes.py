"""Changes to many records at once, from a list: publish them, unpublish them, or
give one field one value. Like every change, each asks for its reason first;
each record changed is then saved as one version carrying that reason, all in
one transaction (one record that its checks refuse and none is changed).
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.response import TemplateResponse

from archive import change_reasons
from archive.admin.revert import reason_field

# Fields that name a record, or that one value cannot be given to many.
NOT_SETTABLE = {"name", "title", "slug", "published"}


class BulkReasonForm(forms.Form):
    change_reason = reason_field()


def settable_fields(model) -> list:
    """The fields one value may be given on many records of ``model`` at once."""
    return [
        field
        for field in model._meta.concrete_fields
        if field.editable
        and not field.primary_key
        and not field.unique
        and field.name not in NOT_SETTABLE
    ]


def _field_form(modeladmin, request, field_name: str | None, data=None) -> forms.Form:
    """The form of a "set a field" change: which field, and (once chosen) its value,
    with the widget the record's own form gives it."""
    fields = {f.name: f for f in settable_fields(modeladmin.model)}
    choose = forms.ChoiceField(
        label="Field",
        choices=[("", "—")] + [(name, f.verbose_name.capitalize()) for name, f in fields.items()],
    )
    form = forms.Form(data)
    form.fields["field"] = choose
    if field_name in fields:
        value = modeladmin.formfield_for_dbfield(fields[field_name], request)
        value.label = f"New {fields[field_name].verbose_name}"
        form.fields["value"] = value
    return form


def _confirm(modeladmin, request, queryset, *, action, title, verb, value_form=None):
    """The change applied with its reason, or the page that asks for the reason."""
    confirmed = request.POST.get("post") == "yes"
    reason_form = BulkReasonForm(request.POST if confirmed else None)
    ready = confirmed and reason_form.is_valid()
    if value_form is not None:
        ready = ready and value_form.is_valid() and "value" in value_form.fields
    if ready:
        try:
            with change_reasons.reason_scope(reason_form.cleaned_data["change_reason"]):
                with transaction.atomic():
                    changed = [obj for obj in queryset.order_by("pk") if verb(obj)]
                    for obj in changed:
                        _check(obj)
                        obj.save()
        except ValidationError as error:
            modeladmin.message_user(
                request, f"Nothing has been changed. {' '.join(error.messages)}", messages.ERROR
            )
            return None
        opts = modeladmin.model._meta
        names = opts.verbose_name if len(changed) == 1 else opts.verbose_name_plural
        modeladmin.message_user(
            request,
            f"{len(changed)} {names} changed, each a version with the reason "
            f"“{reason_form.cleaned_data['change_reason']}”; "
            f"{queryset.count() - len(changed)} already as asked.",
            messages.SUCCESS,
        )
        return None
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": title,
        "opts": modeladmin.model._meta,
        "queryset": queryset,
        "action": action,
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "reason_form": reason_form,
        "value_form": value_form,
        "media": modeladmin.media + (value_form.media if value_form is not None else forms.Media()),
    }
    return TemplateResponse(request, "admin/archive/bulk_change.html", context)


def _check(obj) -> None:
    """The record's own checks, as its form runs them; refused, the error names it."""
    try:
        obj.full_clean()
    except ValidationError as error:
        fields = {
            obj._meta.get_field(name).verbose_name: m
            for name, m in error.message_dict.items()
            if name != "__all__"
        }
        said = [f"{field.capitalize()}: {' '.join(m)}" for field, m in fields.items()]
        said += error.message_dict.get("__all__", [])
        raise ValidationError(f"“{obj}” would be refused. {' '.join(said)}") from None


def _publishing(value: bool, word: str):
    """The action that publishes (or unpublishes) the selected records."""

    def verb(obj) -> bool:
        if obj.published == value:
            return False
        obj.published = value
        return True

    def action(modeladmin, request, queryset):
        plural = modeladmin.model._meta.verbose_name_plural
        return _confirm(
            modeladmin,
            request,
            queryset,
            action=f"{word.lower()}_selected",
            title=f"{word} {plural}",
            verb=verb,
        )

    action.__name__ = f"{word.lower()}_selected"
    action.short_description = f"{word} selected %(verbose_name_plural)s"
    action.allowed_permissions = ("change",)
    return action


publish_selected = _publishing(True, "Publish")
unpublish_selected = _publishing(False, "Unpublish")


def set_field_on_selected(modeladmin, request, queryset):
    chosen = request.POST.get("field") or None
    form = _field_form(modeladmin, request, chosen, request.POST if chosen else None)

    def verb(obj) -> bool:
        name, value = form.cleaned_data["field"], form.cleaned_data["value"]
        if getattr(obj, name) == value:
            return False
        setattr(obj, name, value)
        return True

    return _confirm(
        modeladmin,
        request,
        queryset,
        action="set_field_on_selected",
        title=f"Set a field on {modeladmin.model._meta.verbose_name_plural}",
        verb=verb,
        value_form=form,
    )


set_field_on_selected.short_description = "Set a field on selected %(verbose_name_plural)s"
set_field_on_selected.allowed_permissions = ("change",)
ACTIONS = (publish_selected, unpublish_selected, set_field_on_selected)
