"""Reading a record as it was at a moment (``asOf``)."""

from __future__ import annotations


def record_as_of(model, slug, moment, info):
    raise NotImplementedError
