"""Orderings of the top-level lists. Dates order by their derived bounds."""

from __future__ import annotations

import strawberry_django
from strawberry_django import Ordering

from archive import date_queries, models

NAME = "By name."
DATE = (
    "By date: by the first day it can mean, then by the last; records without a first "
    "day (undated, or open at the start) after the others."
)


def by_date(field: str, value: Ordering, prefix: str) -> list:
    """``date_queries.chronological``: undated records after the dated ones, on every database.

    ASC and DESC are the order the index serves. The NULLS_FIRST / NULLS_LAST
    variants say where records without a first (or last) day go, and are
    sorted.
    """
    nulls_first = {"NULLS_FIRST": True, "NULLS_LAST": False}.get(value.name.partition("_")[2])
    return date_queries.chronological(
        field, prefix, descending=value.name.startswith("DESC"), nulls_first=nulls_first
    )


@strawberry_django.order_type(
    models.Document, name="DocumentOrder", description="How to order documents."
)
class DocumentOrder:
    title: Ordering | None = strawberry_django.order_field(description="By title.")
    kind: Ordering | None = strawberry_django.order_field(description="By kind.")
    slug: Ordering | None = strawberry_django.order_field(description="By slug.")

    @strawberry_django.order_field(description=DATE)
    def date(self, value: Ordering, prefix: str) -> list:
        return by_date("date", value, prefix)


@strawberry_django.order_type(
    models.Person, name="PersonOrder", description="How to order persons."
)
class PersonOrder:
    name: Ordering | None = strawberry_django.order_field(description=NAME)
    slug: Ordering | None = strawberry_django.order_field(description="By slug.")

    @strawberry_django.order_field(description="By date of birth.")
    def born(self, value: Ordering, prefix: str) -> list:
        return by_date("born", value, prefix)

    @strawberry_django.order_field(description="By date of death.")
    def died(self, value: Ordering, prefix: str) -> list:
        return by_date("died", value, prefix)


@strawberry_django.order_type(models.State, name="StateOrder", description="How to order states.")
class StateOrder:
    name: Ordering | None = strawberry_django.order_field(description=NAME)
    slug: Ordering | None = strawberry_django.order_field(description="By slug.")

    @strawberry_django.order_field(description="By the start of their existence.")
    def existence(self, value: Ordering, prefix: str) -> list:
        return by_date("existence", value, prefix)


@strawberry_django.order_type(models.Event, name="EventOrder", description="How to order events.")
class EventOrder:
    name: Ordering | None = strawberry_django.order_field(description=NAME)
    kind: Ordering | None = strawberry_django.order_field(description="By kind.")
    slug: Ordering | None = strawberry_django.order_field(description="By slug.")

    @strawberry_django.order_field(description=DATE)
    def date(self, value: Ordering, prefix: str) -> list:
        return by_date("date", value, prefix)


@strawberry_django.order_type(models.Place, name="PlaceOrder", description="How to order places.")
class PlaceOrder:
    name: Ordering | None = strawberry_django.order_field(description=NAME)
    slug: Ordering | None = strawberry_django.order_field(description="By slug.")
