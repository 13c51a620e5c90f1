"""The browser tests' fixtures: a served archive, Debian's chromium driven by
Playwright, and pages logged in as one of the demo's people.

A pytest plugin (tests/conftest.py's ``pytest_plugins``): every test module that
asks for these fixtures gets them, with no import.

* ``server``: one gunicorn instance (production settings, plain HTTP, the collected
  static files, GraphiQL on) on a fresh database (a SQLite file, or a new
  PostgreSQL database on the server ``DATABASE_URL`` names), migrated, loaded with
  the demo data and with the demo logins of ``manage.py demo_logins``. A module's
  own: stopped, and its database dropped, as soon as the module's tests are done,
  so that a module's changes are seen by its tests alone. The modules marked
  ``pytest.mark.shared_server``, whose tests change nothing that another's read,
  share one instead, kept until the end of the run (each server costs a migrate,
  the demo data's load and a collectstatic).
* ``browser``: chromium, launched once per module.
* ``new_context``: browser contexts (each its own cookies: another person) in which
  every request to an address other than the server's is refused, so that no test
  waits on the network.
* ``logged_in_page``: a page of a new context, logged in as the username given.
* ``shots``: numbered screenshots of a test's steps, in ``var/screenshots/<test>/``
  (git-ignored).

Every page of a context is watched: a test that passed fails all the same if any
page reported a violation of the Content-Security-Policy, an error in its console
or an uncaught exception (:func:`pytest_runtest_call`), unless the test said that
it expects that very error. The server's logs are printed when a test fails.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from django.conf import settings as django_settings

from tests.conftest import DEMO_FIXTURE
from tests.live_servers import Gunicorn, clean_environment, free_port, fresh_database, manage

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page

ROOT = Path(django_settings.BASE_DIR)
CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = ROOT / "var" / "screenshots"
START_TIMEOUT = 60
TIMEOUT_MS = 15_000  # any one wait in a browser (the machine may be busy with other tests)
SECOND_ARCHIVIST = "second-archivist"


# --- the server --------------------------------------------------------------------------


class Server(Gunicorn):
    """gunicorn on a port of its own, with the logins and the persons' ids of its archive."""

    def __init__(self, port: int, env: dict, log_dir: Path, logins: dict, ids: dict):
        super().__init__(env, log_dir, port=port)
        self.env = env
        self.origin = f"http://127.0.0.1:{self.port}"
        self.logins = logins
        self.ids = ids

    def shell(self, script: str) -> dict:
        """Run ``script`` in ``manage.py shell`` on the server's database; the JSON it
        printed last (as ``print("JSON " + json.dumps(...))``)."""
        return _shell(self.env, script)


def _shell(env: dict, script: str) -> dict:
    printed = manage(env, "shell", "--no-startup", "-c", script)
    return json.loads(printed.rsplit("JSON ", 1)[1].splitlines()[0])


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
print("JSON " + json.dumps({{"printed": printed.getvalue(), "ids": ids}}))
"""


def _logins(printed: str) -> dict:
    """{username: password} from demo_logins' table, as a person reads it."""
    found = dict(re.findall(r"^  (archivist|reader|admin) +(\S+) ", printed, re.MULTILINE))
    assert set(found) == {"archivist", "reader", "admin"}, printed
    return found


@contextlib.contextmanager
def _served(tmp_path_factory) -> Iterator[Server]:
    """gunicorn on a fresh, migrated archive with the demo data and logins."""
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
        prepared = _shell(
            env,
            SETUP_SCRIPT.format(
                fixture=DEMO_FIXTURE,
                url=f"http://127.0.0.1:{port}/admin/",
                second=SECOND_ARCHIVIST,
                second_password=second_password,
            ),
        )
        logins = {**_logins(prepared["printed"]), SECOND_ARCHIVIST: second_password}
        instance = Server(port, env, directory, logins, prepared["ids"])
        try:
            instance.wait_until_healthy(START_TIMEOUT)
            yield instance
        finally:
            instance.stop()


@pytest.fixture(scope="module")
def _module_server(tmp_path_factory):
    with _served(tmp_path_factory) as served:
        yield served


@pytest.fixture(scope="session")
def _shared_server(tmp_path_factory):
    with _served(tmp_path_factory) as served:
        yield served


@pytest.fixture(scope="module")
def server(request):
    """The module's own server, or, for a module marked ``shared_server`` (its tests
    change nothing that another module's tests read), the one server of all such
    modules, started by the first and stopped at the end of the run."""
    if request.node.get_closest_marker("shared_server"):
        return request.getfixturevalue("_shared_server")
    return request.getfixturevalue("_module_server")


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
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium: apt-get install chromium")
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=TIMEOUT_MS)
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


class Contexts:
    """Opens browser contexts on the server, each watched; closes them after the test."""

    def __init__(self, browser: Browser, server: Server):
        self.browser = browser
        self.server = server
        self.opened: list[BrowserContext] = []
        self.errors: list[tuple[str, str]] = []  # (page address, what it said)
        self.expected_errors: list[str] = []

    def __call__(
        self, refused: list[str] | None = None, only_this_server: bool = True, **options
    ) -> BrowserContext:
        """A new context. Requests to other addresses are refused (and noted in
        ``refused``) unless not ``only_this_server``: while Playwright intercepts
        requests it answers CORS preflights itself, and the server's answer would
        go untested."""
        options = {"viewport": {"width": 1280, "height": 900}, **options}
        context = self.browser.new_context(base_url=self.server.origin, **options)
        context.set_default_timeout(TIMEOUT_MS)
        if only_this_server:
            context.route("**/*", self._only_this_server(refused))
        context.on("page", self._watch)  # its pages, popups too
        self.opened.append(context)
        return context

    def expect_error(self, text: str) -> None:
        """Say that a page of the test will report ``text`` (once for each call)."""
        self.expected_errors.append(text)

    def _only_this_server(self, refused: list[str] | None):
        def handle(route):
            url = route.request.url
            if url.startswith(self.server.origin + "/"):
                route.fallback()
            else:
                if refused is not None:
                    refused.append(url)
                route.abort("blockedbyclient")

        return handle

    def _watch(self, page: Page) -> None:
        # Chromium reports each Content-Security-Policy violation as a console error
        # ("Refused to load…", "Executing inline script violates…"), as it happens.
        def console(message):
            if message.type == "error":
                self.errors.append((page.url, message.text))

        page.on("console", console)
        page.on("pageerror", lambda error: self.errors.append((page.url, str(error))))

    def check(self) -> None:
        """Fail unless the pages reported exactly the errors the test expected."""
        reported = "\n".join(f"{url}: {text}" for url, text in self.errors)
        assert [text for _, text in self.errors] == self.expected_errors, reported

    def close(self) -> None:
        for context in self.opened:
            context.close()


@pytest.fixture
def new_context(browser, server, server_logs_on_failure):
    """Browser contexts (each its own cookies: another person), watched, closed after
    the test: ``new_context(refused=None, only_this_server=True, **options)``."""
    contexts = Contexts(browser, server)
    yield contexts
    contexts.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """A test that used browser contexts fails, once it has run, if their pages
    reported an error it did not expect (:meth:`Contexts.check`)."""
    result = yield
    contexts = getattr(item, "funcargs", {}).get("new_context")
    if isinstance(contexts, Contexts):
        contexts.check()
    return result


def log_in(page: Page, server: Server, username: str, shots: Shots | None = None) -> None:
    from playwright.sync_api import expect

    page.goto("/admin/")
    expect(page).to_have_url(re.compile(r"/admin/login/"))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(server.logins[username])
    if shots:
        shots.take(page, "login")
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("#user-tools strong")).to_have_text(username)


@pytest.fixture
def logged_in_page(new_context, server):
    """``logged_in_page(username, shots=None, **context_options)``: a page of a new
    context (another person), logged in as ``username`` (a screenshot of the login
    form in ``shots``, if given). Its errors fail the test, as every context's do."""

    def open_page(username: str, shots: Shots | None = None, **options) -> Page:
        page = new_context(**options).new_page()
        log_in(page, server, username, shots)
        return page

    return open_page


def change_url(server: Server, slug: str) -> str:
    """The edit form of the person ``slug``."""
    return f"/admin/archive/person/{server.ids[slug]}/change/"
