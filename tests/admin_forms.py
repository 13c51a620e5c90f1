"""Post admin change forms the way a browser would, inlines included; admin URLs."""

from django.http import QueryDict
from django.urls import reverse

from archive.models import Document, Event, Person, Place, Source, State

# Every record type, each with its admin.
RECORDS = [Document, Person, State, Event, Place, Source]


def url(model, view, *args):
    """The admin URL of ``view`` (changelist, add, change, history…) for ``model``."""
    return reverse(f"admin:archive_{model._meta.model_name}_{view}", args=args)


def _value(value):
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    return str(value)


def _add_form(data, form):
    for name in form.fields:
        value = form[name].value()
        if value is False:
            continue  # an unchecked checkbox sends nothing
        if value is True:
            value = "on"
        data[form.add_prefix(name)] = _value(value)


def form_data(response, **changes) -> dict:
    """The data the admin form on ``response`` would post unchanged, plus ``changes``.

    Keys of ``changes`` are the posted names: ``born``, ``change_reason``,
    ``name_forms-0-name``, ``name_forms-TOTAL_FORMS``…
    """
    data = {}
    _add_form(data, response.context["adminform"].form)
    for inline in response.context.get("inline_admin_formsets", []):
        formset = inline.formset
        _add_form(data, formset.management_form)
        for form in formset.forms:
            _add_form(data, form)
    data.update(changes)
    return data


def as_querydict(data: dict) -> QueryDict:
    query = QueryDict(mutable=True)
    for key, value in data.items():
        if isinstance(value, list):
            query.setlist(key, value)
        else:
            query[key] = value
    return query
