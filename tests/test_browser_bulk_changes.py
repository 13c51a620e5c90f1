"""Changes to many records, and a delete, in a real browser (chromium, by Playwright):
each asks for its reason, and each record changed gets a version with it. The
server, browser and logins are tests/browser.py's (a server of this module's own)."""

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

    expect(page.locator("p.recoverable")).to_contain_text("can be recovered")
    reason = page.get_by_label("Reason for this change")
    expect(reason).to_have_attribute("required", "")  # the browser asks before sending
    reason.fill("A duplicate of nothing")
    page.get_by_role("button", name="Yes, I’m sure").click()
    expect(page.locator(".messagelist")).to_contain_text("was deleted successfully")

    page.get_by_role("link", name="Deleted records").click()
    deleted = page.get_by_role("row").filter(has_text="A note to delete")
    expect(deleted).to_contain_text("A duplicate of nothing")
