"""The README's example queries work, as they are, against the demo data."""

import datetime
import re
from pathlib import Path

import pytest

from tests.graphql_client import gql

README = Path(__file__).resolve().parent.parent / "README.md"
EXAMPLES = re.findall(r"```graphql\n(.*?)```", README.read_text(), flags=re.DOTALL)


def test_the_readme_has_the_examples_the_issue_asks_for():
    assert len(EXAMPLES) == 7


@pytest.mark.parametrize("query", EXAMPLES, ids=[f"example-{i}" for i in range(len(EXAMPLES))])
@pytest.mark.django_db
def test_readme_example_runs_without_errors(client, demo, query):
    now = datetime.datetime.now(datetime.UTC).isoformat()
    data = gql(client, query, {"before": now} if "$before" in query else None)
    assert data and all(value not in (None, [], {}) for value in data.values())
