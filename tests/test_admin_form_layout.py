"""A change form as an archivist reads it: what the record is first, every input named.

(The browser tests of tests/test_accessibility.py audit the pages with axe-core and
measure their width; these check, fast, what the server renders for them.)
"""

import re

import pytest

from archive.admin.edit_conflicts import TOKEN_FIELD
from archive.models import Document, Person
from tests.admin_forms import url

pytestmark = pytest.mark.django_db


def _rows(html: str) -> list[str]:
    """The record's fields on the page, in order (its form rows' field-<name>), but for
    the hidden one of a change page (edit_conflicts.TOKEN_FIELD)."""
    main = html.split('id="content-main"', 1)[1].split("inline-group", 1)[0]
    rows = re.findall(r'class="form-row[^"]*\bfield-(\w+)', main)
    return [name for name in rows if name != TOKEN_FIELD]


@pytest.mark.parametrize(
    ("model", "rows"),
    [
        (
            Document,
            [
                "title",
                "official_title",
                "kind",
                "date",
                "place",
                "summary",
                "text",
                "slug",
                "published",
                "description",
                "internal_notes",
                "change_reason",
                "created",
                "modified",
            ],
        ),
        (
            Person,
            [
                "name",
                "born",
                "died",
                "slug",
                "published",
                "description",
                "internal_notes",
                "change_reason",
                "created",
                "modified",
            ],
        ),
    ],
    ids=lambda value: value.__name__ if isinstance(value, type) else "",
)
def test_what_the_record_is_comes_before_its_slug_and_notes(client, archivist, demo, model, rows):
    client.force_login(archivist)
    record = model.objects.order_by("pk").first()
    for page in (url(model, "add"), url(model, "change", record.pk)):
        assert _rows(client.get(page).content.decode()) == rows, page


def test_the_reason_says_that_it_is_public(client, archivist, demo):
    client.force_login(archivist)
    html = client.get(url(Person, "add")).content.decode()
    help_text = re.search(r'id="id_change_reason_helptext">\s*<div>(.*?)</div>', html)[1]
    assert help_text == (
        "Why you are making this change. It is kept in the record's history, "
        "which the public API shows: write nothing that should not be public."
    )


def test_every_input_of_an_inline_row_is_named_after_its_column(client, archivist, demo):
    client.force_login(archivist)
    document = Document.objects.get(slug="sikorski-mayski-agreement")
    html = client.get(url(Document, "change", document.pk)).content.decode()
    named = dict(
        re.findall(
            r'<(?:input|select|textarea)\b[^>]*?name="signatories-0-(\w+)"'
            r'(?=[^>]*?aria-label="([^"]*)")',
            html,
        )
    )
    unnamed = set(re.findall(r'<(?:input|select)\b[^>]*name="signatories-0-(\w+)"', html))
    assert named == {
        "person": "Person",
        "on_behalf_of": "On behalf of",
        "role": "Role",
        "source": "Source",
        "source_locator": "Source locator",
        "DELETE": "Delete",
    }
    assert unnamed - set(named) == {"id", "document"}  # hidden inputs
