"""What tells records apart where only a name would show: the admin's autocomplete
boxes and its search of every record type.

Two persons named Ivan Maisky, two agreements of the same title: each is shown
with its dates, its kind and its slug, "Sikorski–Mayski agreement (30 July 1941;
agreement; sikorski-mayski-agreement)".
"""

from __future__ import annotations

from django.contrib.admin.views.autocomplete import AutocompleteJsonView

from archive import dates


def dates_of(record) -> str:
    """The record's dates as people read them: "19 January 1884 – 3 September 1975"."""
    shown = (dates.display_of(getattr(record, field.attname)) for field in record.edtf_fields())
    return " – ".join(display for display in shown if display)


def distinguishing_label(record) -> str:
    details = [dates_of(record)]
    if getattr(record, "kind", ""):
        details.append(record.get_kind_display().lower())
    details.append(record.slug)
    return f"{record} ({'; '.join(d for d in details if d)})"


class DistinguishingAutocomplete(AutocompleteJsonView):
    """Django's autocomplete answers, each record named by :func:`distinguishing_label`."""

    def serialize_result(self, obj, to_field_name):
        return {"id": str(getattr(obj, to_field_name)), "text": distinguishing_label(obj)}
