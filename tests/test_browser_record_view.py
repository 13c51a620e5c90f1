"""The read view of every record type in a real browser, as a reader and as an archivist.

Chromium (Playwright) against the served demo archive of tests/browser.py (the
server shared by the modules that change nothing). A reader who opens a
record from a list reads it (no inputs), follows its relations both ways; an
archivist goes between the read view and the edit form in one click each way,
and the edit form lists what other records say of the record.
"""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser import ROOT

pytestmark = [pytest.mark.browser, pytest.mark.shared_server]

# For each record type: its list's name, a demo record, and one row of each list
# the read view shows of it (the list's title, the row's first cells).
RECORDS = {
    "Documents": (
        "Sikorski–Mayski agreement",
        {
            "Signatories": "Ivan Maisky Soviet Union signatory",
            "Linked from other documents": "Polish–Soviet military agreement Supplemented by",
            "Events": "Signing of the Sikorski–Mayski agreement 30 July 1941 signed at",
        },
    ),
    "Persons": (
        "Ivan Maisky",
        {
            "Documents signed": "Sikorski–Mayski agreement 30 July 1941 Soviet Union signatory",
            "Events taken part in": "Polish–Soviet negotiations of 1941",
            "Positions held": "Soviet ambassador to the United Kingdom Soviet Union 1932 – 1943",
        },
    ),
    "States": (
        "Poland",
        {
            "Documents it is party to": "Sikorski–Mayski agreement 30 July 1941 party",
            "Documents signed on its behalf": "Sikorski–Mayski agreement 30 July 1941 "
            "Władysław Sikorski",
            "Events": "Soviet invasion of Poland",
        },
    ),
    "Events": (
        "Soviet invasion of Poland",
        {
            "States involved": "Soviet Union aggressor",
            "Documents": "Molotov–Ribbentrop Pact 23 August 1939 led to this event",
        },
    ),
    "Places": (
        "London",
        {
            "Documents signed or issued here": "Sikorski–Mayski agreement 30 July 1941",
            "Events held here": "Signing of the Sikorski–Mayski agreement 30 July 1941 Signing",
        },
    ),
    "Sources": ("Sikorski–Mayski agreement", {}),
}
VIEW = re.compile(r"/admin/archive/[a-z]+/[0-9]+/view/$")
CHANGE = re.compile(r"/admin/archive/[a-z]+/[0-9]+/change/$")


def open_from_list(page: Page, plural: str, name: str) -> None:
    page.goto("/admin/")
    page.get_by_role("link", name=plural, exact=True).first.click()
    page.locator("#result_list").get_by_role("link", name=name, exact=True).click()


def expect_lists(page: Page, lists: dict[str, str]) -> None:
    for title, row in lists.items():
        section = page.locator("section.record-section").filter(
            has=page.get_by_role("heading", name=re.compile(f"^{re.escape(title)} \\("))
        )
        expect(section.locator("tbody tr").filter(has_text=row).first).to_be_visible()


@pytest.mark.parametrize("plural", RECORDS)
def test_a_reader_opens_each_record_type_to_read(logged_in_page, shots, plural):
    name, lists = RECORDS[plural]
    page = logged_in_page("reader")
    # The record's name in the list: the read view, not a form of disabled inputs.
    open_from_list(page, plural, name)
    expect(page).to_have_url(VIEW)
    expect(page.locator("#content h1")).to_have_text(name)
    expect(page.locator("#content-main input, #content-main select")).to_have_count(0)
    expect(page.locator("#content-main textarea")).to_have_count(0)
    expect(page.get_by_role("link", name="Edit", exact=True)).to_have_count(0)
    expect(page.locator(".record-state")).to_contain_text("Published: in the public API.")
    expect_lists(page, lists)
    expect(page.get_by_role("heading", name="Latest changes")).to_be_visible()
    shots.take(page, "read-view")
    page.get_by_role("link", name="The full history").click()
    expect(page.locator("#change-history")).to_be_visible()
    shots.assert_saved(1)


@pytest.mark.parametrize("plural", RECORDS)
def test_an_archivist_goes_between_the_view_and_the_edit_form(logged_in_page, shots, plural):
    name, lists = RECORDS[plural]
    page = logged_in_page("archivist")
    page.goto("/admin/")
    page.get_by_role("link", name=plural, exact=True).first.click()
    row = page.locator("#result_list tbody tr").filter(
        has=page.get_by_role("link", name=name, exact=True)
    )
    row.get_by_role("link", name="View", exact=True).click()
    expect(page).to_have_url(VIEW)
    expect(page.locator("#content h1")).to_have_text(name)
    expect_lists(page, lists)
    shots.take(page, "read-view")
    view_url = page.url
    page.get_by_role("link", name="Edit", exact=True).click()
    expect(page).to_have_url(CHANGE)
    expect(page.locator("#id_change_reason")).to_be_visible()
    shots.take(page, "edit-form")
    page.locator(".object-tools").get_by_role("link", name="View", exact=True).click()
    expect(page).to_have_url(view_url)
    shots.assert_saved(2)


def test_relations_read_both_ways_from_a_person_to_documents(logged_in_page, server, shots):
    page = logged_in_page("reader")
    page.goto(f"/admin/archive/person/{server.ids['ivan-maisky']}/view/")
    signed = page.locator("section.record-section").filter(
        has=page.get_by_role("heading", name=re.compile("^Documents signed"))
    )
    signed.get_by_role("link", name="Sikorski–Mayski agreement", exact=True).click()
    expect(page.locator("#content h1")).to_have_text("Sikorski–Mayski agreement")
    # Back to him from the document's signatories; on to the documents linked to it.
    expect_lists(page, {"Signatories": "Ivan Maisky Soviet Union signatory"})
    shots.take(page, "document")
    links = page.locator("section.record-section").filter(
        has=page.get_by_role("heading", name=re.compile("^Links to other documents"))
    )
    links.get_by_role("link", name="Molotov–Ribbentrop Pact", exact=True).click()
    expect(page.locator("#content h1")).to_have_text("Molotov–Ribbentrop Pact")
    expect_lists(
        page,
        {
            "Linked from other documents": "Sikorski–Mayski agreement Annulled by",
            "Events": "Soviet invasion of Poland 17 September 1939 – 6 October 1939 led to",
        },
    )
    shots.take(page, "linked-from")
    shots.assert_saved(2)


def test_the_edit_form_lists_what_other_records_say_of_the_record(logged_in_page, shots):
    page = logged_in_page("archivist")
    open_from_list(page, "Documents", "Molotov–Ribbentrop Pact")
    expect(page).to_have_url(CHANGE)
    incoming = page.locator(".record-incoming")
    expect(incoming.get_by_role("heading", name="Linked from other records")).to_be_visible()
    expect(incoming.locator("tbody tr").first).to_contain_text(
        "Sikorski–Mayski agreement Annulled by"
    )
    expect(incoming.locator("input, select, textarea")).to_have_count(0)
    shots.take(page, "edit-form")
    shots.assert_saved(1)


def test_screenshot_of_a_persons_page_as_a_reader(logged_in_page, server):
    """The closing note's "after" (docs/screenshots/record-view-after.png): the first
    screen of Ivan Maisky's page, as a reader opens it."""
    page = logged_in_page("reader")
    page.goto(f"/admin/archive/person/{server.ids['ivan-maisky']}/change/")
    expect(page).to_have_url(VIEW)
    expect(page.locator("#content h1")).to_have_text("Ivan Maisky")
    path = ROOT / "var" / "screenshots" / "record-view-after.png"
    page.screenshot(path=path)
    assert path.stat().st_size > 10_000
