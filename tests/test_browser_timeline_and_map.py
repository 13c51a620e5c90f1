"""A record's and a search's timeline, and the places' map drawn in a real browser
(chromium, by Playwright): the server (shared: nothing here changes it), browser and
logins are tests/browser.py's."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.live_server, pytest.mark.shared_server]


def test_a_person_s_timeline_is_drawn(logged_in_page, server):
    page = logged_in_page("reader")
    page.goto(f"/admin/archive/person/{server.ids['ivan-maisky']}/view/")
    chart = page.locator("svg.timeline")
    expect(chart).to_be_visible()
    expect(chart.locator("rect")).to_have_count(3)
    box = chart.bounding_box()
    assert box["width"] > 600 and box["height"] > 60, box
    negotiations = chart.locator("rect").first.bounding_box()
    assert negotiations["width"] > 100, negotiations  # 5 to 30 July of a July-only span


def test_the_places_are_drawn_on_a_map(logged_in_page):
    page = logged_in_page("reader")
    page.goto("/admin/archive/place/")
    page.get_by_role("link", name="Map").click()
    drawn = page.locator("svg.place-map")
    expect(drawn).to_be_visible()
    expect(drawn.locator("circle")).to_have_count(2)
    london, moscow = (drawn.locator("circle").nth(i).bounding_box() for i in (0, 1))
    assert london["x"] < moscow["x"] and london["y"] > moscow["y"]  # west, and south
    expect(page.locator("#mapped-places tbody tr")).to_have_count(2)
    # The land under them, across the whole drawing, from the archive itself.
    land = drawn.locator("path.land").bounding_box()
    whole = drawn.bounding_box()
    assert land["width"] >= whole["width"] and land["height"] >= whole["height"], (land, whole)


def test_a_search_s_timeline_is_drawn(logged_in_page):
    page = logged_in_page("reader")
    page.goto("/admin/")
    page.get_by_label("Search every record").fill("maisky")
    page.get_by_label("Search every record").press("Enter")
    chart = page.locator("svg.timeline")
    expect(chart).to_be_visible()
    # The two documents and the event found; Ivan Maisky, a person, is in the table only.
    expect(chart.locator("rect")).to_have_count(3)
    expect(page.locator("#search-hits tbody tr")).to_have_count(4)
    box = chart.bounding_box()
    assert box["width"] > 600 and box["height"] > 60, box
