"""Plain factory helpers: one record per call, unique slugs, sensible defaults.

Every helper saves through ``objects.create()`` so that the signals (dates,
search text) and simple-history (one "created" version) run as in the admin.
Keyword arguments override the defaults.
"""

import itertools

from archive.models import (
    Document,
    DocumentKind,
    Event,
    EventKind,
    Person,
    Place,
    Source,
    State,
)

_numbers = itertools.count(1)


def _defaults(prefix: str, **kw) -> tuple[int, dict]:
    """A fresh number, and ``kw`` with a unique slug unless one is given."""
    number = next(_numbers)
    kw.setdefault("slug", f"{prefix}-{number}")
    return number, kw


def make_state(**kw) -> State:
    number, kw = _defaults("state", **kw)
    kw.setdefault("name", f"State {number}")
    return State.objects.create(**kw)


def make_person(**kw) -> Person:
    number, kw = _defaults("person", **kw)
    kw.setdefault("name", f"Person {number}")
    return Person.objects.create(**kw)


def make_document(**kw) -> Document:
    number, kw = _defaults("document", **kw)
    kw.setdefault("title", f"Document {number}")
    kw.setdefault("kind", DocumentKind.AGREEMENT)
    return Document.objects.create(**kw)


def make_event(**kw) -> Event:
    number, kw = _defaults("event", **kw)
    kw.setdefault("name", f"Event {number}")
    kw.setdefault("kind", EventKind.OTHER)
    return Event.objects.create(**kw)


def make_place(**kw) -> Place:
    number, kw = _defaults("place", **kw)
    kw.setdefault("name", f"Place {number}")
    return Place.objects.create(**kw)


def make_source(**kw) -> Source:
    number, kw = _defaults("source", **kw)
    kw.setdefault("title", f"Source {number}")
    return Source.objects.create(**kw)
