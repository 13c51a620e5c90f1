"""Real browsers: Debian's chromium, driven by Playwright, against a served archive.

One gunicorn instance (production settings, plain HTTP, the collected static
files, GraphiQL on) serves a fresh database of this module's own (a SQLite
file, or a new PostgreSQL database on the server ``DATABASE_URL`` names),
migrated, loaded with the demo data and with the demo logins of
``manage.py demo_logins``. Then, as people would:

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

Each step leaves a screenshot in ``var/screenshots/<test>/`` (git-ignored),
and the server's logs are printed when a test fails.

GraphiQL's scripts and styles are the archive's own static files (vendored
from the npm registry by tools/vendor_graphiql.py): every request to an address
other than the server's is refused, so GraphiQL is shown to work with no
internet, and no test waits on the network.
"""

import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from tests.conftest import DEMO_FIXTURE

pytestmark = pytest.mark.browser
CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():
    pytest.skip(
        f"{CHROMIUM} is missing: install Debian's chromium: apt-get install chromium",
        allow_module_level=True,
    )

from playwright.sync_api import Page, expect, sync_playwright  # noqa: E402

from tests.live_servers import (  # noqa: E402
    Gunicorn,
    clean_environment,
    free_port,
    fresh_database,
    static_origin,
)

ROOT = Path(django_settings.BASE_DIR)
SCREENSHOTS = ROOT / "var" / "screenshots"
SETUP_TIMEOUT = 180
START_TIMEOUT = 60
TIMEOUT_MS = 15_000  # any one wait in a browser (the machine may be busy with other tests)
expect.set_options(timeout=TIMEOUT_MS)
SECOND_ARCHIVIST = "second-archivist"


# --- the server --------------------------------------------------------------------------


class Server(Gunicorn):
    """gunicorn on a port of its own, with the logins and the persons' ids of its archive."""

    def __init__(self, port: int, env: dict, log_dir: Path, logins: dict, ids: dict):
        super().__init__(env, log_dir, port=port)
        self.env = env  # for commands run on its database (manage.py shell)
        self.origin = f"http://127.0.0.1:{self.port}"
        self.logins = logins
        self.ids = ids


SETUP_SCRIPT = """
import io, json
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from archive.models import Person
call_command("migrate", verbosity=0)
call_command("load_archive", {fixture!r}, verbosity=0)
printed = io.StringIO()
call_command("demo_logins", url={url!r}, stdout=printed)
print(printed.getvalue())
second = get_user_model().objects.create_user(
    {second!r}, password={second_password!r}, is_staff=True
)
second.groups.add(Group.objects.get(name="Archivists"))
call_command("collectstatic", interactive=False, verbosity=0)
ids = {{slug: pk for slug, pk in Person.objects.values_list("slug", "pk")}}
print("IDS " + json.dumps(ids))
"""


def _logins(printed: str) -> dict:
    """{username: password} from demo_logins' table, as a person reads it."""
    found = dict(re.findall(r"^  (archivist|reader|admin) +(\S+) ", printed, re.MULTILINE))
    assert set(found) == {"archivist", "reader", "admin"}, printed
    return found


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """One gunicorn instance on a fresh, migrated archive with the demo data and logins.

    For this module's tests (module-scoped: stopped, and its database dropped, as soon as
    they are done, not kept running through the rest of the suite)."""
    directory = tmp_path_factory.mktemp("browser")
    port = free_port()
    second_password = secrets.token_urlsafe(12)
    configured = os.environ.get("DATABASE_URL", "")
    with fresh_database(directory, "browser_test", configured) as database_url:
        env = clean_environment(
            DATABASE_URL=database_url,
            DJANGO_DEBUG="0",
            DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
            DJANGO_ALLOWED_HOSTS="127.0.0.1",
            DJANGO_HTTPS="0",  # plain HTTP between the browser and gunicorn, on this machine
            DJANGO_STATIC_MANIFEST="1",
            DJANGO_STATIC_ROOT=str(directory / "static"),
            DJANGO_GRAPHIQL="1",
            WEB_CONCURRENCY="2",
            GUNICORN_GRACEFUL_TIMEOUT="2",
            PYTHONUNBUFFERED="1",
        )
        script = SETUP_SCRIPT.format(
            fixture=DEMO_FIXTURE,
            url=f"http://127.0.0.1:{port}/admin/",
            second=SECOND_ARCHIVIST,
            second_password=second_password,
        )
        prepared = subprocess.run(
            [sys.executable, "manage.py", "shell", "--no-startup", "-v", "0", "-c", script],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=SETUP_TIMEOUT,
        )
        assert prepared.returncode == 0, prepared.stdout + prepared.stderr
        logins = _logins(prepared.stdout)
        logins[SECOND_ARCHIVIST] = second_password
        ids = json.loads(prepared.stdout.split("IDS ", 1)[1].splitlines()[0])
        instance = Server(port, env, directory, logins, ids)
        try:
            instance.wait_until_healthy(START_TIMEOUT)
            yield instance
        finally:
            instance.stop()


@pytest.fixture
def server_logs_on_failure(server, request):
    """The server's logs, in the report of a test that failed."""
    failed_before = request.session.testsfailed
    yield
    if request.session.testsfailed > failed_before:
        print(server.logs())


# --- the browser -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        yield chromium
        chromium.close()


class Shots:
    """Numbered screenshots of one test's steps, in var/screenshots/<test>/."""

    def __init__(self, name: str):
        self.directory = SCREENSHOTS / name
        shutil.rmtree(self.directory, ignore_errors=True)
        self.directory.mkdir(parents=True)
        self.taken: list[Path] = []

    def take(self, page: Page, step: str, full_page: bool = True) -> None:
        path = self.directory / f"{len(self.taken) + 1:02d}-{step}.png"
        page.screenshot(path=path, full_page=full_page)
        self.taken.append(path)

    def assert_saved(self, expected: int) -> None:
        assert len(self.taken) == expected
        for path in self.taken:
            assert path.is_file() and path.stat().st_size > 1000, path
        assert sorted(self.directory.glob("*.png")) == self.taken


@pytest.fixture
def shots(request):
    return Shots(request.node.name)


def _only_this_server(server: Server, refused: list[str] | None = None):
    """A route handler: the server's requests go through, everything else is refused
    (and noted in ``refused``): this machine has no other network."""

    def handle(route):
        url = route.request.url
        if url.startswith(server.origin + "/"):
            route.fallback()
        else:
            if refused is not None:
                refused.append(url)
            route.abort("blockedbyclient")

    return handle


@pytest.fixture
def new_context(browser, server, server_logs_on_failure):
    """Browser contexts (each its own cookies: another person), closed after the test."""
    opened = []

    def make(refused=None, **options):
        options = {"viewport": {"width": 1280, "height": 900}, **options}
        context = browser.new_context(base_url=server.origin, **options)
        context.set_default_timeout(TIMEOUT_MS)
        context.route("**/*", _only_this_server(server, refused))
        opened.append(context)
        return context

    yield make
    for context in opened:
        context.close()


def log_in(page: Page, server: Server, username: str, shots: Shots | None = None) -> None:
    page.goto("/admin/")
    expect(page).to_have_url(re.compile(r"/admin/login/"))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(server.logins[username])
    if shots:
        shots.take(page, "login")
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("#user-tools strong")).to_have_text(username)


def change_url(server: Server, slug: str) -> str:
    return f"/admin/archive/person/{server.ids[slug]}/change/"


# --- Content-Security-Policy -----------------------------------------------------------

CSP_WATCH = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
    window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`);
});
"""


def _watch_csp(page: Page) -> list[str]:
    """The page's Content-Security-Policy violations, as the console reports them."""
    reported = []
    page.on(
        "console",
        lambda message: (
            reported.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.on("pageerror", lambda error: reported.append(str(error)))
    return reported


# --- the tests ---------------------------------------------------------------------------


def test_an_archivist_edits_reads_the_history_and_reverts(new_context, server, shots):
    page = new_context().new_page()
    log_in(page, server, "archivist", shots)

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


def test_a_reader_sees_the_record_but_cannot_change_it(new_context, server, shots):
    page = new_context().new_page()
    log_in(page, server, "reader", shots)
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


def test_the_later_of_two_edits_is_refused_with_what_was_typed_kept(new_context, server, shots):
    first = new_context().new_page()
    second = new_context().new_page()
    log_in(first, server, "archivist")
    log_in(second, server, SECOND_ARCHIVIST)

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
    context = new_context(refused)
    context.add_init_script(CSP_WATCH)
    page = context.new_page()
    errors = _watch_csp(page)  # and the page's errors: none, under its policy
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
    assert errors == []
    assert page.evaluate("() => window.__cspViolations") == []
    assert refused == []
    # Every script and style from the server (collected, with hashed names), found.
    static = [
        (HASHED.sub("", url.removeprefix(server.origin)), status)
        for url, status in loaded
        if url.startswith(server.url("/static/"))
    ]
    assert sorted(static) == sorted((path, 200) for path in GRAPHIQL_FILES)
    shots.assert_saved(2)


def test_the_admin_works_under_its_content_security_policy(new_context, server, shots):
    """The change form, a new inline row with its autocomplete, a popup that adds the
    linked record, a calendar: all work, and the browser reports no violation of the
    policy."""
    context = new_context()
    context.add_init_script(CSP_WATCH)
    page = context.new_page()
    reported = _watch_csp(page)
    log_in(page, server, "archivist")

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
    popup_reported = _watch_csp(popup)
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

    assert page.evaluate("() => window.__cspViolations") == []
    assert reported == []
    assert popup_reported == []
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


def test_a_web_app_on_another_origin_reads_the_api(
    browser, server, web_app, shots, server_logs_on_failure
):
    assert web_app != server.origin
    # No routes here: while Playwright intercepts requests, it answers CORS preflights
    # itself, and the archive's own answer would go untested. The page asks nothing of
    # any other address.
    context = browser.new_context()
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.on("request", lambda request: requested.append(request.url))
    requested = []
    errors = []
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{web_app}/app.html?api={urllib.parse.quote(server.origin)}")
    assert page.evaluate("() => location.origin") == web_app
    expect(page.locator("#by-get")).to_have_text("200 Ivan Maisky, born 19 January 1884")
    expect(page.locator("#by-post")).to_have_text("200 Ivan Maisky, born 19 January 1884")
    shots.take(page, "web-app")
    assert errors == []
    assert {url.split("?")[0] for url in requested} == {
        f"{web_app}/app.html",
        server.url("/graphql/"),
    }
    # The POST's preflight (which the browser does not report as a request of the page),
    # answered by the archive.
    assert re.search(r'"OPTIONS /graphql/" 200 0 ', server.access_log())
    context.close()
    shots.assert_saved(1)
