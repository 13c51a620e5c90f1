"""The documentation's example queries (README.md and docs/) work, as they are,
against the demo data."""

import datetime
from collections import Counter

import pytest

from tests.documentation import EXAMPLES
from tests.graphql_client import gql


def test_the_docs_have_the_examples_they_promise():
    """The README's first tour has two; docs/api.md one for each kind of query."""
    where = Counter(name.rsplit("-", 1)[0] for name in EXAMPLES)
    assert where == {"README.md": 2, "docs/api.md": 7}


@pytest.mark.parametrize("query", EXAMPLES.values(), ids=EXAMPLES.keys())
@pytest.mark.django_db
def test_documented_example_runs_without_errors(client, demo, query):
    now = datetime.datetime.now(datetime.UTC).isoformat()
    data = gql(client, query, {"before": now} if "$before" in query else None)
    assert data and all(value not in (None, [], {}) for value in data.values())
