"""One search over every record type, from the admin index.

The API's ranked search (:func:`archive.search.ranked`: names first, then the
other texts), over what staff see: drafts included and marked, and only the
record types the user may view. Each hit links to its record's read view; the
events and documents found are drawn on a timeline too (archive.admin.timeline).
"""

from __future__ import annotations

from django.contrib import admin
from django.template.response import TemplateResponse
from django.urls import reverse

from archive import search
from archive.admin import timeline
from archive.admin.autocomplete import dates_of
from archive.models import SEARCHED

# Hits shown at most: a search is a way in, not a list to page through.
LIMIT = 50


def search_view(request):
    text = request.GET.get("q", "").strip()
    refusal = search.too_long(text) if text else None
    searched = [
        model
        for model in SEARCHED
        if request.user.has_perm(f"{model._meta.app_label}.view_{model._meta.model_name}")
    ]
    found = []
    if text and refusal is None:
        found = search.ranked([model.objects.all() for model in searched], text, LIMIT)
    records = [record for _, record in found]
    context = {
        **admin.site.each_context(request),
        "title": f"Records matching “{text}”" if text else "Search the archive",
        "text": text,
        "refusal": refusal,
        "hits": [_hit(record) for record in records],
        "timeline": timeline.chart_of(timeline.by_date(records)),
    }
    return TemplateResponse(request, "admin/archive/search.html", context)


def _hit(record) -> dict:
    opts = record._meta
    return {
        "record": record,
        "kind": opts.verbose_name,
        "dates": dates_of(record),
        "url": reverse(f"admin:{opts.app_label}_{opts.model_name}_view", args=[record.pk]),
    }
