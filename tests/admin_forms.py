"""Post admin change forms the way a browser would, inlines included; admin URLs."""

import copy
import re

from django.urls import reverse

from archive.models import Document, Event, Person, Place, Source, State
from tools.html_forms import FormFields

# Every record type, each with its admin.
RECORDS = [Document, Person, State, Event, Place, Source]

# A field of an inline row, as the admin names it: <prefix>-<row>-<field>.
ROW_FIELD = re.compile(r"(?P<prefix>.+)-(?P<row>[0-9]+)-(?P<field>[^-]+)")


def url(model, view, *args):
    """The admin URL of ``view`` (changelist, add, change, history…) for ``model``."""
    return reverse(f"admin:archive_{model._meta.model_name}_{view}", args=args)


def form_data(response, **changes) -> dict:
    """What a browser posts from the admin form on ``response`` when its Save (or
    Revert, Recover) button is pressed, with ``changes`` typed in.

    The fields and their values are read from the page (:mod:`tools.html_forms`).
    Keys of ``changes`` are the posted names: ``born``, ``change_reason``,
    ``name_forms-0-name``, ``name_forms-1-DELETE`` (ticks the box)… A field of an
    inline row after the page's last (``name_forms-2-name`` on a page with two)
    adds that row first, as the inline's "Add another" link does. A name that
    appears more than once (a multiple select) maps to the list of its values.
    """
    changes = {name: str(value) for name, value in changes.items()}  # a pk, a number
    # The template's opts: a revert page's are the historical model's.
    form = FormFields.form(response.content.decode(), f"{response.context['opts'].model_name}_form")
    names = {field.name for field in form.inputs}
    new_rows = {
        (match["prefix"], int(match["row"]))
        for match in map(ROW_FIELD.fullmatch, changes)
        if match and match.string not in names
    }
    for prefix, row in sorted(new_rows):
        _add_row(form, prefix, row)
    data = {}
    for name, value in FormFields.posted(form, **changes):
        if name in data:
            previous = data[name]
            data[name] = [*previous, value] if isinstance(previous, list) else [previous, value]
        else:
            data[name] = value
    save = form.xpath(".//input[@type='submit'][@name='_save']")
    if save:
        data["_save"] = save[0].get("value")
    return data


def _add_row(form, prefix: str, row: int) -> None:
    """Add a row to the inline ``prefix`` as its "Add another" link does
    (django/contrib/admin/static/admin/js/inlines.js): a copy of the empty form,
    numbered, before it, and one form more in the management form."""
    total = form.inputs[f"{prefix}-TOTAL_FORMS"]
    template = form.xpath(".//*[@id=$id]", id=f"{prefix}-empty")
    if not template or int(total.value) != row:
        raise ValueError(f"the form has no row {prefix}-{row} and cannot add it")
    template = template[0]
    new = copy.deepcopy(template)
    new.set("id", f"{prefix}-{row}")
    classes = [c for c in new.get("class", "").split() if c != "empty-form"]
    new.set("class", " ".join([*classes, f"dynamic-{prefix}"]))
    numbered = re.compile(rf"{re.escape(prefix)}-(?:[0-9]+|__prefix__)")
    for element in new.iter():
        for attribute in ("for", "id", "name"):
            if element.get(attribute):
                element.set(attribute, numbered.sub(f"{prefix}-{row}", element.get(attribute)))
    template.addprevious(new)
    total.value = str(row + 1)
