"""The live date reading, in a real browser (chromium, by Playwright).

An archivist opens Ivan Maisky: each date box shows its reading as served,
and as the archivist types, the reading follows, as archive.dates reads it,
under the admin's Content-Security-Policy; a date typed in words is answered
with the EDTF it means, live and on save. The server, browser and logins are
tests/browser.py's (the server shared by the modules that change nothing: the save
here is refused).
"""

import re

import pytest
from playwright.sync_api import expect

from tests.browser import change_url

pytestmark = [pytest.mark.browser, pytest.mark.live_server, pytest.mark.shared_server]

AUGUST = "“14 August 1941” is not a valid EDTF date: did you mean 1941-08-14 (14 August 1941)?"


def test_the_reading_follows_what_the_archivist_types(logged_in_page, server, shots):
    page = logged_in_page("archivist")
    asked = []
    page.on(
        "request",
        lambda request: asked.append(request.url) if "/date-reading/" in request.url else None,
    )
    page.goto(change_url(server, "ivan-maisky"))

    # As served: the saved dates' readings, heard with their boxes.
    born, born_reading = page.locator("#id_born"), page.locator("#id_born_reading")
    expect(born_reading).to_have_text("19 January 1884")
    expect(born_reading).to_have_attribute("aria-live", "polite")
    expect(born).to_have_accessible_description(re.compile("19 January 1884$"))
    expect(page.locator("#id_positions-0-period_reading")).to_have_text(
        "1932 – 1943, 1 January 1932 – 31 December 1943"
    )
    assert asked == []  # no request for what the page already says
    shots.take(page, "as-served")

    # Typed: the reading follows, after the last key (one request per pause, not per key).
    born.clear()
    born.press_sequentially("1884-01")
    expect(born_reading).to_have_text("January 1884, 1 January 1884 – 31 January 1884")
    expect(born_reading).not_to_have_class(re.compile("invalid"))
    assert 1 <= len(asked) < len("1884-01"), asked
    shots.take(page, "typed")

    # In words: refused, with what to type instead; nothing is rewritten.
    died, died_reading = page.locator("#id_died"), page.locator("#id_died_reading")
    died.clear()
    died.press_sequentially("14 August 1941")
    expect(died_reading).to_have_text(AUGUST)
    expect(died_reading).to_have_class("date-reading invalid")
    expect(died).to_have_value("14 August 1941")
    shots.take(page, "suggestion")

    # A row added in the page reads its date too, and its box names its own reading.
    positions = page.locator("#positions-group")
    positions.locator(".add-row a").click()
    period = positions.locator("tr.form-row.dynamic-positions").last.locator(
        "input[name$='-period']"
    )
    period.press_sequentially("1941~")
    reading = positions.locator("tr.form-row.dynamic-positions").last.locator(".date-reading")
    expect(reading).to_have_text("circa 1941, 1 January 1941 – 31 December 1941")
    expect(period).to_have_accessible_description("circa 1941, 1 January 1941 – 31 December 1941")

    # Saved as typed: refused with the same suggestion, what was typed kept.
    page.locator("#id_change_reason").fill("Dates checked")
    page.locator("input[name=_save]").click()
    expect(page.locator(".field-died .errorlist")).to_have_text(AUGUST)
    expect(page.locator("#id_died")).to_have_value("14 August 1941")
    expect(page.locator("#id_died_reading")).to_have_text(AUGUST)
    expect(page.locator("#id_born_reading")).to_have_text(
        "January 1884, 1 January 1884 – 31 January 1884"
    )
    shots.take(page, "refused-on-save")
    shots.assert_saved(4)
