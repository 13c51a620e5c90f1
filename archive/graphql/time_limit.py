"""A time limit on each GraphQL execution.

The cost budget (:mod:`archive.graphql.limits`) bounds what a query may ask
for before it runs; this bounds how long it may take once it runs, whatever
the reason (a slow disk, a database under load). Python cannot interrupt a
resolver safely, but every piece of work of a query goes through SQL: the
limit is checked before each SQL query the execution makes, and the query
stops there with an error that says why. A single SQL statement is not
interrupted (the page sizes and the indexes keep each one short); gunicorn's
worker timeout is the last resort behind both.
"""

from __future__ import annotations

import contextlib
import time

from django.db import connection
from graphql import GraphQLError

MESSAGE = (
    "Time limit exceeded: the query ran for more than {limit:g} s and was stopped. "
    "Ask for smaller pages or fewer nested lists."
)


class TimeLimitExceeded(GraphQLError):
    """The execution has run out of time (shown to the client as it is)."""


@contextlib.contextmanager
def limited(seconds: float):
    """Stop the SQL of the block once ``seconds`` have passed since it began."""
    deadline = time.monotonic() + seconds

    def check(execute, sql, params, many, context):
        if time.monotonic() > deadline:
            raise TimeLimitExceeded(MESSAGE.format(limit=seconds))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(check):
        yield
