"""The ``Date`` and ``DateTime`` scalars, with the specification their text follows.

strawberry's own scalars, unchanged in what they read and write (ISO 8601 text by
``isoformat``), plus ``@specifiedBy`` (GraphQL spec, "Scalars"): code generators
and clients map a scalar to a type of their language by its ``specifiedByURL``.
Dates are RFC 3339's ``full-date`` (``1941-07-30``); date-times are RFC 3339
date-times with an offset (``1941-07-30T12:00:00+00:00``), Django's aware datetimes.
"""

import dataclasses
import datetime

from strawberry.schema.types.base_scalars import DateDefinition, DateTimeDefinition

from archive.library_versions import require

require(
    "strawberry-graphql",
    "0.341.2",
    "archive/graphql/scalars.py copies strawberry's internal DateDefinition and DateTimeDefinition",
)

RFC_3339 = "https://datatracker.ietf.org/doc/html/rfc3339"
# Section 5.6 defines full-date, the ISO 8601 calendar date a Date is written as.
RFC_3339_FULL_DATE = f"{RFC_3339}#section-5.6"

Date = dataclasses.replace(DateDefinition, specified_by_url=RFC_3339_FULL_DATE)
DateTime = dataclasses.replace(DateTimeDefinition, specified_by_url=RFC_3339)

# For strawberry.Schema(scalar_overrides=...).
SCALAR_OVERRIDES = {datetime.date: Date, datetime.datetime: DateTime}
