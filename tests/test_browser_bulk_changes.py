"""Changes that ask first, in a real browser (chromium, by Playwright): a change to
many records and a delete ask for their reason, and each record changed gets a
version with it; a record that looks like one the archive holds is saved once the
archivist says it is another. The server, browser and logins are tests/browser.py's
(a server of this module's own)."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.live_server]

REASON = "Held back until the sources are checked"


def test_unpublishing_two_documents_with_one_reason(logged_in_page, shots):
    page = logged_in_page("archivist")
    page.goto("/admin/archive/document/")
    for title in ("Sikorski–Mayski agreement", "Polish–Soviet military agreement"):
        page.get_by_role("row").filter(has_text=title).get_by_role("checkbox").check()
    page.get_by_label("Action:").select_option(label="Unpublish selected documents")
    page.get_by_role("button", name="Go").click()

    expect(page.get_by_role("heading", name="2 selected")).to_be_visible()
    page.get_by_label("Reason for this change").fill(REASON)
    shots.take(page, "reason")
    page.get_by_role("button", name="Change them").click()
    expect(page.locator(".messagelist")).to_have_text(
        f"2 documents changed, each a version with the reason “{REASON}”; 0 already as asked."
    )
    row = page.get_by_role("row").filter(has_text="Sikorski–Mayski agreement")
    expect(row.locator("td.field-published img")).to_have_attribute("alt", "False")

    row.get_by_role("link", name="Sikorski–Mayski agreement").click()
    page.get_by_role("link", name="History").first.click()
    expect(page.locator("#content-main")).to_contain_text(REASON)
    shots.take(page, "history")
    shots.assert_saved(2)


def test_a_delete_asks_why_and_says_the_record_can_be_recovered(logged_in_page):
    page = logged_in_page("admin")
    page.goto("/admin/archive/source/add/")
    page.get_by_label("Title").fill("A note to delete")
    page.get_by_label("Reason for this change").fill("Entered by mistake")
    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_role("row").filter(has_text="A note to delete").get_by_role("link").first.click()
    page.get_by_role("link", name="Delete").click()

    expect(page.locator("p.recoverable")).to_have_text(
        "A deleted record can be recovered, with the rows deleted along with it: "
        "“Deleted records” on the list of sources. Its history is kept."
    )
    reason = page.get_by_label("Reason for this change")
    expect(reason).to_have_attribute("required", "")  # the browser asks before sending
    reason.fill("A duplicate of nothing")
    page.get_by_role("button", name="Yes, I’m sure").click()
    expect(page.locator(".messagelist")).to_have_text(
        "The source “A note to delete” was deleted successfully."
    )

    page.get_by_role("link", name="Deleted records").click()
    deleted = page.get_by_role("row").filter(has_text="A note to delete")
    expect(deleted.locator("td").nth(3)).to_have_text("A duplicate of nothing")
    # Its history: the delete, newest, with its reason, over the version it was created.
    deleted.get_by_role("link", name="History").click()
    expect(page.locator("#content-main .errornote")).to_have_text(
        "This record was deleted. Open its last version below to recover it."
    )
    entries = page.locator("#change-history tbody tr.history-entry")
    expect(entries).to_have_count(2)
    when = re.compile(r"^\s*\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\s*$")  # as laid out in the cell
    expect(entries.first.locator("td")).to_have_text(
        [when, "Deleted", "admin", "A duplicate of nothing", ""]
    )
    expect(entries.last.locator("td")).to_have_text(
        [when, "Created", "admin", "Entered by mistake", ""]
    )


# The look-alike of Ivan Maisky (1884-01-19): "Mayski" is "Maisky" once normalised.
LOOK_ALIKE = {"name": "Ivan Mayski", "born": "1884-01-19", "slug": "ivan-mayski"}
ANOTHER = "It is another person: save it all the same"
COUNTED = """
import json
from archive.models import Person
versions = Person.history.filter(slug="ivan-mayski")
print("JSON " + json.dumps({
    "persons": Person.objects.count(),
    "versions": list(versions.values_list("history_type", "history_change_reason")),
}))
"""


def test_a_look_alike_is_saved_once_the_archivist_says_it_is_another(logged_in_page, server, shots):
    persons = server.shell(COUNTED)["persons"]
    page = logged_in_page("archivist")
    page.goto("/admin/archive/person/add/")
    for field, value in LOOK_ALIKE.items():
        page.locator(f"#id_{field}").fill(value)
    page.locator("#id_change_reason").fill("His namesake, of the Leningrad files")
    page.locator("input[name=_save]").click()

    # Refused, the look-alike named and linked to its read view; nothing saved.
    refusal = page.locator("ul.errorlist.nonfield li")
    expect(refusal).to_have_text(
        "The archive already has a person with this name and date: Ivan Maisky "
        f"(ivan-maisky). If this is another one, tick the box and save again. {ANOTHER}"
    )
    expect(refusal.get_by_role("link", name="Ivan Maisky", exact=True)).to_have_attribute(
        "href", f"/admin/archive/person/{server.ids['ivan-maisky']}/view/"
    )
    expect(page.locator("#id_name")).to_have_value("Ivan Mayski")
    expect(page.locator("#id_change_reason")).to_have_value("His namesake, of the Leningrad files")
    shots.take(page, "refused")
    assert server.shell(COUNTED) == {"persons": persons, "versions": []}

    # Ticked: saved, once.
    page.get_by_label(ANOTHER).check()
    page.locator("input[name=_save]").click()
    expect(page.locator(".messagelist")).to_have_text(
        "The person “Ivan Mayski” was added successfully."
    )
    shots.take(page, "saved")
    assert server.shell(COUNTED) == {
        "persons": persons + 1,
        "versions": [["+", "His namesake, of the Leningrad files"]],
    }
    shots.assert_saved(2)
