"""Real browsers: Debian's chromium, driven by Playwright, against a served archive
(tests/browser.py: a server of this module's own, with the demo data and logins).
Then, as people would:

* an archivist finds Ivan Maisky by "Mayski", changes his birth date with a
  reason, reads the change in the history (old → new, the reason) and
  reverts it from there;
* a reader is sent to the record's read view, with no inputs, and a POST to
  the edit form is refused;
* of two archivists who opened the same record, the second to save is
  refused with the message, what they typed still in the form;
* GraphiQL loads and runs one of docs/api.md's queries;
* a web app's page on another origin (served by Python's http.server on a
  port of its own) reads the API with ``fetch``, by GET and by POST.

GraphiQL's scripts and styles are the archive's own static files (vendored
from the npm registry by tools/vendor_graphiql.py): every request to an address
other than the server's is refused, so GraphiQL is shown to work with no
internet.
"""

import re
import urllib.parse

import pytest
from playwright.sync_api import expect

from tests.browser import SECOND_ARCHIVIST, change_url
from tests.live_servers import static_origin

pytestmark = pytest.mark.browser


# --- the tests ---------------------------------------------------------------------------


def test_an_archivist_edits_reads_the_history_and_reverts(logged_in_page, server, shots):
    page = logged_in_page("archivist", shots)

    # Persons, search "Mayski": Ivan Maisky, found by a name form.
    page.get_by_role("link", name="Persons", exact=True).first.click()
    page.locator("#searchbar").fill("Mayski")
    page.locator("#changelist-search").get_by_role("button", name="Search").click()
    results = page.locator("#result_list tbody tr")
    expect(results).to_have_count(1)
    expect(results.first).to_contain_text("Ivan Maisky")
    shots.take(page, "search-mayski")

    # Open him, change born with a reason, save.
    results.first.get_by_role("link", name="Ivan Maisky").click()
    born = page.locator("#id_born")
    expect(born).to_have_value("1884-01-19")
    born.fill("1884-01-07")
    page.locator("#id_change_reason").fill("Gregorian date, not Julian")
    shots.take(page, "edited")
    page.locator("input[name=_save]").click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    shots.take(page, "saved")

    # The history: the change, old → new, and the reason.
    page.goto(change_url(server, "ivan-maisky"))
    expect(page.locator("#id_born")).to_have_value("1884-01-07")
    page.get_by_role("link", name="History").click()
    entries = page.locator("#change-history tbody tr.history-entry")
    newest = entries.first
    expect(newest).to_contain_text("Changed")
    expect(newest).to_contain_text("archivist")
    expect(newest).to_contain_text("Gregorian date, not Julian")
    expect(newest.locator("ul.changes li")).to_have_text(
        "born: 1884-01-19 (19 January 1884) → 1884-01-07 (7 January 1884)"
    )
    expect(newest.locator("del")).to_have_text("1884-01-19 (19 January 1884)")
    expect(newest.locator("ins")).to_have_text("1884-01-07 (7 January 1884)")
    versions = entries.count()
    shots.take(page, "history")

    # Revert: open the version before the change (the record's own versions are linked by
    # their date; name forms' and others' are not), keep the reason offered, save.
    earlier = page.locator("#change-history tr.history-entry td:first-child a").nth(1)
    saved_at = earlier.inner_text()  # 2026-11-27 04:19:26, in UTC
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", saved_at), saved_at
    earlier.click()
    reason = page.locator("#id_change_reason")
    expect(reason).to_have_value(f"Reverted to the version of {saved_at} UTC")
    expect(page.locator("#id_born")).to_have_value("1884-01-19")
    shots.take(page, "revert-form")
    page.get_by_role("button", name="Revert").click()
    message = page.locator(".messagelist")
    expect(message).to_have_text("The person “Ivan Maisky” was changed successfully.")
    shots.take(page, "reverted")

    # The message links the record (it linked the earlier version's revert form): the
    # value is back, and the revert is a new version on top of the history.
    message.get_by_role("link", name="Ivan Maisky").click()
    expect(page).to_have_url(server.url(change_url(server, "ivan-maisky")))
    expect(page.locator("#id_born")).to_have_value("1884-01-19")
    page.get_by_role("link", name="History").click()
    expect(entries).to_have_count(versions + 1)
    expect(entries.first).to_contain_text("Reverted to the version of")
    expect(entries.first.locator("ul.changes li")).to_have_text(
        "born: 1884-01-07 (7 January 1884) → 1884-01-19 (19 January 1884)"
    )
    shots.take(page, "history-after-revert")
    shots.assert_saved(8)


def test_a_reader_sees_the_record_but_cannot_change_it(logged_in_page, new_context, server, shots):
    page = logged_in_page("reader", shots)
    page.goto(change_url(server, "ivan-maisky"))

    # The record to read (tests/test_browser_record_view.py): no inputs, no reason to
    # give, no save button.
    expect(page).to_have_url(re.compile(r"/admin/archive/person/[0-9]+/view/$"))
    content = page.locator("#content-main")
    expect(page.locator("#content h1")).to_have_text("Ivan Maisky")
    expect(content.locator(".record-fields")).to_contain_text("19 January 1884")
    expect(content.locator("input, select, textarea")).to_have_count(0)
    expect(page.get_by_role("button", name=re.compile("save", re.IGNORECASE))).to_have_count(0)
    shots.take(page, "read-only")

    # A POST to the edit form anyway (as a crafted form would) is refused.
    new_context.expect_error(
        "Failed to load resource: the server responded with a status of 403 (Forbidden)"
    )
    status, body = page.evaluate(
        """async (url) => {
            const body = new URLSearchParams({
                csrfmiddlewaretoken: document.cookie.match(/csrftoken=([^;]+)/)[1],
                name: "Changed by a reader", slug: "ivan-maisky", born: "1900",
                change_reason: "should not be allowed",
            });
            const response = await fetch(url, {method: "POST", body});
            return [response.status, await response.text()];
        }""",
        change_url(server, "ivan-maisky"),
    )
    # Refused for want of permission (the CSRF token was good: not the CSRF failure page).
    assert status == 403
    assert "403 Forbidden" in body and "CSRF" not in body
    page.reload()
    expect(content.locator(".record-fields")).to_contain_text("Ivan Maisky")
    expect(content.locator(".record-fields")).to_contain_text("19 January 1884")
    shots.take(page, "unchanged-after-post")

    # The history is open to readers; an earlier version is read as the record is.
    page.get_by_role("link", name="History", exact=True).click()
    expect(page.locator("#change-history tr.history-entry").last).to_contain_text("Created")
    shots.take(page, "history")
    page.locator("#change-history tr.history-entry td:first-child a").last.click()
    expect(page.locator("#content h1")).to_contain_text("Ivan Maisky")
    expect(page.locator(".record-version")).to_contain_text("The person as it was on")
    shots.take(page, "earlier-version")
    expect(page.locator("#content-main input, #content-main select")).to_have_count(0)
    expect(page.get_by_role("button", name="Revert")).to_have_count(0)
    shots.assert_saved(5)


def test_the_later_of_two_edits_is_refused_with_what_was_typed_kept(logged_in_page, server, shots):
    first = logged_in_page("archivist")
    second = logged_in_page(SECOND_ARCHIVIST)

    # Both open Władysław Sikorski.
    url = change_url(server, "wladyslaw-sikorski")
    first.goto(url)
    second.goto(url)
    expect(first.locator("#id_born")).to_have_value("1881-05-20")
    expect(second.locator("#id_born")).to_have_value("1881-05-20")

    # The first saves.
    first.locator("#id_born").fill("1881-05")
    first.locator("#id_change_reason").fill("Only the month is sure")
    first.locator("input[name=_save]").click()
    expect(first.locator(".messagelist")).to_contain_text("was changed successfully")
    shots.take(first, "first-saved")

    # The second, still on the page opened before, types and saves: refused.
    second.locator("#id_born").fill("1881")
    second.locator("#id_name").fill("Władysław Eugeniusz Sikorski")
    second.locator("#id_change_reason").fill("Full name")
    shots.take(second, "second-typed")
    second.locator("input[name=_save]").click()
    refusal = second.locator(".errornote, .errorlist.nonfield")
    expect(refusal.last).to_contain_text(
        "This record was changed by archivist at", use_inner_text=True
    )
    expect(refusal.last).to_contain_text("“Only the month is sure”")
    expect(refusal.last).to_contain_text("Your changes have not been saved")
    expect(refusal.last.get_by_role("link", name="history")).to_have_attribute(
        "href", f"/admin/archive/person/{server.ids['wladyslaw-sikorski']}/history/"
    )
    # What the second typed is still in the form.
    expect(second.locator("#id_born")).to_have_value("1881")
    expect(second.locator("#id_name")).to_have_value("Władysław Eugeniusz Sikorski")
    expect(second.locator("#id_change_reason")).to_have_value("Full name")
    shots.take(second, "second-refused")

    # The first's change stands.
    second.goto(url)
    expect(second.locator("#id_born")).to_have_value("1881-05")
    expect(second.locator("#id_name")).to_have_value("Władysław Sikorski")
    shots.take(second, "current-version")
    shots.assert_saved(4)


DOCUMENTED_PERSON_QUERY = """{
  person(slug: "ivan-maisky") {
    name
    nameForms { name language kind }
    born { display }
    positions { title state { name } period { display } }
    signed { document { title date { display } } onBehalfOf { name } }
  }
}"""

GRAPHIQL_FILES = [
    "/static/archive/graphiql/graphiql/graphiql.min.css",
    "/static/archive/graphiql/plugin-explorer/style.css",
    "/static/archive/graphiql/start.css",
    "/static/archive/graphiql/react/react.production.min.js",
    "/static/archive/graphiql/react-dom/react-dom.production.min.js",
    "/static/archive/graphiql/graphiql/graphiql.min.js",
    "/static/archive/graphiql/plugin-explorer/index.umd.js",
    "/static/archive/graphiql/start.js",
]
# collectstatic's names: "graphiql.min.css" is served as "graphiql.min.0123456789ab.css".
HASHED = re.compile(r"\.[0-9a-f]{12}(?=\.(?:js|css)$)")


def test_graphiql_runs_a_query_of_the_readme_with_no_internet(new_context, server, shots):
    refused = []
    page = new_context(refused).new_page()  # no error, under its policy (tests/browser.py)
    loaded = []
    page.on("response", lambda response: loaded.append((response.url, response.status)))

    # The query in the URL (GraphiQL's "q", as its own links share queries), then Run.
    # (Spaces as %20: the page decodes with decodeURIComponent, which leaves "+" alone.)
    page.goto("/graphql/?q=" + urllib.parse.quote(DOCUMENTED_PERSON_QUERY, safe=""))
    editor = page.locator(".graphiql-query-editor")
    expect(editor).to_contain_text('person(slug: "ivan-maisky")')
    shots.take(page, "graphiql-loaded")
    page.get_by_role("button", name=re.compile("Execute query")).click()
    result = page.locator(".graphiql-response")
    expect(result).to_contain_text('"name": "Ivan Maisky"')
    expect(result).to_contain_text('"display": "19 January 1884"')
    assert '"errors"' not in result.inner_text()
    shots.take(page, "graphiql-result")
    assert refused == []
    # Every script and style from the server (collected, with hashed names), found.
    static = [
        (HASHED.sub("", url.removeprefix(server.origin)), status)
        for url, status in loaded
        if url.startswith(server.url("/static/"))
    ]
    assert sorted(static) == sorted((path, 200) for path in GRAPHIQL_FILES)
    shots.assert_saved(2)


def test_the_admin_works_under_its_content_security_policy(logged_in_page, shots):
    """The change form, a new inline row with its autocomplete, a popup that adds the
    linked record, a calendar: all work, and the browser reports no violation of the
    policy (tests/browser.py watches every page, the popup too)."""
    page = logged_in_page("archivist")

    page.get_by_role("link", name="Documents", exact=True).first.click()
    page.get_by_role("link", name="Sikorski–Mayski agreement").click()
    policy = page.evaluate(
        "() => fetch(location.href).then(r => r.headers.get('content-security-policy'))"
    )
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    signatories = page.locator("#signatories-group")
    rows = signatories.locator("tr.form-row.has_original")
    existing = rows.count()
    assert existing >= 1

    # A new signatory row; its person is chosen with the autocomplete box.
    signatories.locator(".add-row a").click()
    new_row = signatories.locator("tr.form-row.dynamic-signatories").last
    expect(new_row).to_be_visible()
    new_row.locator(".field-person .select2-selection").click()
    page.locator(".select2-search__field").fill("eden")
    option = page.locator(".select2-results__option", has_text="Anthony Eden")
    expect(option).to_have_count(1)
    option.click()
    expect(new_row.locator(".field-person .select2-selection__rendered")).to_have_text(
        re.compile("Anthony Eden")
    )
    shots.take(page, "new-row")

    # The place: a new one, added in the popup window that the "+" opens.
    with page.expect_popup() as opened:
        page.locator("#add_id_place").click()
    popup = opened.value
    # Django's change_form.js focuses the first field once the page has loaded: a
    # field filled before then may have its text typed into that one.
    popup.wait_for_load_state()
    popup.locator("#id_name").fill("Kremlin, Moscow")
    popup.locator("#id_slug").fill("kremlin-moscow")
    # Published, as the document is: a draft place would make its save ask first
    # (archive/admin/consistency.py).
    popup.locator("#id_published").check()
    popup.locator("#id_change_reason").fill("Where it was signed")
    shots.take(popup, "popup")
    with popup.expect_event("close"):
        popup.locator("input[name=_save]").click()
    expect(page.locator("#id_place option:checked")).to_have_text("Kremlin, Moscow")

    page.locator("#id_change_reason").fill("A second signatory; the place")
    page.locator("input[name=_continue]").click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    expect(rows).to_have_count(existing + 1)
    shots.take(page, "saved")

    # The record's history and the deleted records, pages of the archive's own.
    page.get_by_role("link", name="History").click()
    expect(page.locator("#change-history tr.history-entry").first).to_contain_text(
        "A second signatory; the place"
    )
    page.goto("/admin/archive/document/deleted/")
    expect(page.locator("#deleted-records")).to_be_visible()

    # The calendar of a date field (a source's "accessed").
    page.goto("/admin/archive/source/add/")
    page.locator(".field-accessed .date-icon").click()
    calendar = page.locator("#calendarbox0")
    expect(calendar).to_be_visible()
    calendar.get_by_role("link", name="Today").click()
    expect(calendar).to_be_hidden()
    expect(page.locator("#id_accessed")).to_have_value(re.compile(r"^\d\d/\d\d/\d{4}$"))  # en-gb
    shots.assert_saved(3)


# --- a web app on another origin -----------------------------------------------------------

WEB_APP_PAGE = """<!doctype html>
<html>
<head><meta charset="utf-8"><title>A web app elsewhere</title><link rel="icon" href="data:,"></head>
<body>
<p id="by-get">…</p>
<p id="by-post">…</p>
<script>
const api = new URL("/graphql/", new URLSearchParams(location.search).get("api")).href;
const query = '{ person(slug: "ivan-maisky") { name born { display } } }';
async function show(id, response) {
  const body = await response.json();
  document.getElementById(id).textContent =
    `${response.status} ${body.data.person.name}, born ${body.data.person.born.display}`;
}
fetch(api + "?query=" + encodeURIComponent(query))
  .then((response) => show("by-get", response));
// A JSON body and Apollo Client's header: not a "simple" request, so the browser asks
// first (a preflight) and sends the POST only if the archive allows it.
fetch(api, {
  method: "POST",
  headers: {"Content-Type": "application/json", "apollographql-client-name": "web-app"},
  body: JSON.stringify({query}),
}).then((response) => show("by-post", response));
</script>
</body>
</html>
"""


@pytest.fixture
def web_app(tmp_path):
    """The origin of a static page served by Python's http.server on a port of its own."""
    (tmp_path / "app.html").write_text(WEB_APP_PAGE, encoding="utf-8")
    with static_origin(tmp_path) as origin:
        yield origin


def test_a_web_app_on_another_origin_reads_the_api(new_context, server, web_app, shots):
    assert web_app != server.origin
    # Requests not intercepted (only_this_server=False): while Playwright intercepts
    # requests, it answers CORS preflights itself, and the archive's own answer would go
    # untested. The page asks nothing of any other address.
    page = new_context(only_this_server=False).new_page()
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(f"{web_app}/app.html?api={urllib.parse.quote(server.origin)}")
    assert page.evaluate("() => location.origin") == web_app
    expect(page.locator("#by-get")).to_have_text("200 Ivan Maisky, born 19 January 1884")
    expect(page.locator("#by-post")).to_have_text("200 Ivan Maisky, born 19 January 1884")
    shots.take(page, "web-app")
    assert {url.split("?")[0] for url in requested} == {
        f"{web_app}/app.html",
        server.url("/graphql/"),
    }
    # The POST's preflight (which the browser does not report as a request of the page),
    # answered by the archive.
    assert re.search(r'"OPTIONS /graphql/" 200 0 ', server.access_log())
    shots.assert_saved(1)
