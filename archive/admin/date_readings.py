"""A date field's reading beside it, as the archivist types: the server's own.

Every EDTF field of the admin (records' and inline rows') is a
:class:`DateReadingInput`: the text box, and after it the reading of its value
("July 1941, 1 July 1941 – 31 July 1941"), or why the value is refused with the date
it most likely means ("… did you mean 1941-08-14 (14 August 1941)?"). The
page shows the reading of the saved value as it is served; as the archivist
types, archive/static/archive/date_reading.js asks :func:`date_reading_view`
for the reading of what is typed. Both answers are :func:`archive.dates.read`'s,
so the box says what a save would.
"""

from __future__ import annotations

from django.contrib.admin.widgets import AdminTextInputWidget
from django.http import JsonResponse
from django.urls import reverse
from django.views.decorators.http import require_GET

from archive import dates

URL_NAME = "archive_date_reading"


class DateReadingInput(AdminTextInputWidget):
    """An EDTF text box with the reading of its value after it."""

    template_name = "admin/archive/widgets/date_reading.html"

    class Media:
        css = {"all": ("archive/date_reading.css",)}
        js = ("archive/date_reading.js",)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        attrs = context["widget"]["attrs"]
        reading_id = f"{attrs['id']}_reading" if attrs.get("id") else None
        if reading_id:
            # Heard with the field, after its help text (if any).
            described = [attrs.get("aria-describedby"), reading_id]
            attrs["aria-describedby"] = " ".join(filter(None, described))
        attrs["data-date-reading"] = reverse(URL_NAME)
        context["reading"] = dates.read(self.format_value(value) or "")
        context["reading_id"] = reading_id
        return context


def as_json(value: str) -> dict:
    """The answer for one value: its reading, or the refusal and any suggestion."""
    reading = dates.read(value)
    if reading.error:
        return {"edtf": value, "error": reading.error, "suggestion": reading.suggestion}
    date = reading.date
    if date is None:
        return {"edtf": value, "reading": ""}
    return {
        "edtf": value,
        "reading": reading.text,
        "display": date.display,
        "earliest": date.earliest and date.earliest.isoformat(),
        "latest": date.latest and date.latest.isoformat(),
        "approximate": date.approximate,
        "uncertain": date.uncertain,
    }


@require_GET
def date_reading_view(request):
    """``?edtf=…``: the reading of a date as a save would take it (JSON).

    For staff only: project/urls.py serves it through the admin's ``admin_view``,
    which sends anyone else to the login page."""
    value = request.GET.get("edtf")
    if value is None:
        return JsonResponse({"error": "Give the date to read: ?edtf=1941-07."}, status=400)
    if len(value) > dates.MAX_LENGTH:
        return JsonResponse(
            {"error": f"A date has at most {dates.MAX_LENGTH} characters."}, status=400
        )
    return JsonResponse(as_json(value), json_dumps_params={"ensure_ascii": False})
