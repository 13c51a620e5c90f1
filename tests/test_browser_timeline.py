"""A record's timeline drawn in a real browser (chromium, by Playwright): the
server, browser and logins are tests/test_browser.py's."""

import pytest
from playwright.sync_api import expect

from tests.test_browser import (  # noqa: F401 (fixtures)
    CSP_WATCH,
    _watch_csp,
    browser,
    log_in,
    new_context,
    server,
    server_logs_on_failure,
)

pytestmark = [pytest.mark.browser, pytest.mark.live_server]


def test_a_person_s_timeline_is_drawn(new_context, server):  # noqa: F811
    context = new_context()
    context.add_init_script(CSP_WATCH)
    page = context.new_page()
    reported = _watch_csp(page)
    log_in(page, server, "reader")
    page.goto(f"/admin/archive/person/{server.ids['ivan-maisky']}/view/")
    chart = page.locator("svg.timeline")
    expect(chart).to_be_visible()
    expect(chart.locator("rect")).to_have_count(3)
    box = chart.bounding_box()
    assert box["width"] > 600 and box["height"] > 60, box
    negotiations = chart.locator("rect").first.bounding_box()
    assert negotiations["width"] > 100, negotiations  # 5 to 30 July of a July-only span
    assert reported == []
