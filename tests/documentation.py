"""The GraphQL examples of the README and of docs/, which the tests run and cost."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def graphql_blocks(path: Path) -> list[str]:
    """The text of each ```graphql block of ``path``, in order."""
    return re.findall(r"```graphql\n(.*?)```", path.read_text(encoding="utf-8"), flags=re.DOTALL)


# "README.md-0", "docs/api.md-3", …: where each example is, for test ids and failures.
EXAMPLES = {
    f"{path.relative_to(ROOT)}-{i}": query
    for path in DOCUMENTS
    for i, query in enumerate(graphql_blocks(path))
}
