"""A record that looks like one the archive holds is saved only when the archivist
says it is another.

Looks like: of the same type, one of its names equal to one of the other's names
or name forms once normalised (:func:`archive.search.key`: "Mayski" and
"Maisky" are two forms of one person, "U.S.S.R." is "USSR"), and the same date
(its first EDTF field: a document's date, a person's birth), or no date on
either. The form is refused with the records it looks like, linked, and a box
to tick to save it all the same; the box names those records, so that a new
look-alike saved meanwhile asks again.
"""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from archive import search

CONFIRM = "_another_record"
# Look-alikes shown at most.
SHOWN = 5


def look_alikes(instance) -> list:
    """The records of ``instance``'s type that it looks like (see the module)."""
    model = type(instance)
    keys = [search.key(name) for name in instance.search_names() if name]
    keys = [k for k in keys if k]
    if not keys:
        return []
    same_name = Q()
    for key in keys:
        same_name |= Q(name_text__contains=f"| {key} |")
    found = model._default_manager.filter(same_name)
    dated = model.edtf_fields()
    if dated:
        found = found.filter(**{dated[0].attname: getattr(instance, dated[0].attname) or ""})
    if instance.pk is not None:
        found = found.exclude(pk=instance.pk)
    return list(found.order_by("pk")[:SHOWN])


class RefuseLookAlikes(forms.ModelForm):
    """A record's form that asks before saving a look-alike."""

    def _post_clean(self):
        super()._post_clean()
        if self.errors:
            return
        found = look_alikes(self.instance)
        if not found:
            return
        token = ",".join(str(record.pk) for record in found)
        if self.data.get(CONFIRM) == token:
            return
        opts = self.instance._meta
        view = f"admin:{opts.app_label}_{opts.model_name}_view"
        listed = format_html_join(
            ", ",
            '<a href="{}">{}</a> ({})',
            ((reverse(view, args=[r.pk]), r, r.slug) for r in found),
        )
        self.add_error(
            None,
            format_html(
                "The archive already has a {} with this name and date: {}. If this is "
                "another one, tick the box and save again. "
                '<label class="another-record"><input type="checkbox" name="{}" value="{}"> '
                "It is another {}: save it all the same</label>",
                opts.verbose_name,
                listed,
                CONFIRM,
                token,
                opts.verbose_name,
            ),
        )
