"""The client examples of clients/, run as a client author would run them against a live
gunicorn with the demo data: a web page with a plain ``fetch`` in chromium on another
origin, a Node script with Apollo Client, a Python script with gql; and the README's
examples as named operations (clients/operations/) typed by graphql-codegen and
compiled with ``tsc --noEmit --strict``.

The Node packages come from clients/package.json and its lock file (``npm ci --prefix
clients``; .ci/run does it)."""

import os
import re
import secrets
import shutil
import subprocess
import sys
import urllib.parse
from pathlib import Path

import pytest

from tests import live_servers
from tests.conftest import DEMO_FIXTURE
from tests.documentation import graphql_blocks
from tools.processes import ROOT

CLIENTS = ROOT / "clients"
OPERATIONS = CLIENTS / "operations"
BIN = CLIENTS / "node_modules" / ".bin"
CHROMIUM = Path("/usr/bin/chromium")
TIMEOUT = 120

# What every example prints: the README's first query, then the error of a query over a
# limit with its extensions.code, as the archive words it.
PRINTED = """\
Persons: Władysław Sikorski
Events of July and August 1941: 6
  1941: Formation of the Anders Army (FORMATION)
  5 July 1941 – 30 July 1941: Polish–Soviet negotiations of 1941 (NEGOTIATION, London)
  30 July 1941: Signing of the Sikorski–Mayski agreement (SIGNING, London)
  August 1941 – December 1941: Sikorski's diplomatic mission to Moscow (MISSION, Moscow)
  12 August 1941: Amnesty for Polish citizens in the Soviet Union (AMNESTY)
  14 August 1941: Signing of the Polish–Soviet military agreement (SIGNING, Moscow)
OverTheLimit: ARGUMENT_OUT_OF_BOUNDS: Page size limit exceeded: pagination.limit is 101, \
the maximum is 100. Ask for further pages with pagination.offset.
"""


def node_or_skip() -> str:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: the Node clients need Node.js 18 or later")
    assert (CLIENTS / "node_modules" / "@apollo" / "client").is_dir(), (
        "run `npm ci --prefix clients` first"
    )
    return node


def test_the_operations_are_the_readme_examples_as_they_are():
    """clients/operations/ holds the README's examples, named, word for word (and the one
    query over a limit the examples show an error with)."""
    readme = {
        re.match(r"query (\w+)", block)[1]: block for block in graphql_blocks(ROOT / "README.md")
    }
    assert sorted(readme) == ["MaiskyThenAndNow", "PersonsAndEvents"]
    files = {path.stem: path.read_text(encoding="utf-8") for path in OPERATIONS.glob("*.graphql")}
    assert files == readme | {"OverTheLimit": files["OverTheLimit"]}


# --- the server ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    """gunicorn (production settings, plain HTTP) on a fresh archive with the demo data."""
    directory = tmp_path_factory.mktemp("clients")
    configured = os.environ.get("DATABASE_URL")
    with live_servers.fresh_database(directory, "clients", configured) as url:
        env = live_servers.clean_environment(
            DATABASE_URL=url,
            DJANGO_DEBUG="0",
            DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
            DJANGO_ALLOWED_HOSTS="127.0.0.1",
            DJANGO_HTTPS="0",  # plain HTTP on the loopback, as behind a TLS proxy
            DJANGO_STATIC_MANIFEST="0",
            WEB_CONCURRENCY="1",
            PYTHONUNBUFFERED="1",
        )
        for command in (["migrate"], ["load_archive", DEMO_FIXTURE]):
            subprocess.run(
                [sys.executable, "manage.py", *command, "-v", "0"],
                cwd=ROOT,
                env=env,
                check=True,
                capture_output=True,
                timeout=300,
            )
        server = live_servers.Gunicorn(env, directory, name="gunicorn (clients)")
        try:
            server.wait_until_healthy()
            yield server
        finally:
            server.stop()


def run(command: list[str], archive) -> str:
    done = subprocess.run(command, cwd=CLIENTS, capture_output=True, text=True, timeout=TIMEOUT)
    assert done.returncode == 0, done.stdout + done.stderr + archive.logs()
    return done.stdout


@pytest.mark.live_server
@pytest.mark.django_db(False)
def test_apollo_client_in_node(archive):
    """`node clients/apollo/readme.mjs URL`: Apollo Client 4 (which asks for
    application/graphql-response+json) reads the data, and hands over the error of a
    400 with its code."""
    node = node_or_skip()
    assert run([node, "apollo/readme.mjs", archive.url("/graphql/")], archive) == PRINTED


@pytest.mark.live_server
@pytest.mark.django_db(False)
def test_gql_in_python(archive):
    """`python clients/python/readme.py URL`: gql on its requests transport."""
    printed = run([sys.executable, "python/readme.py", archive.url("/graphql/")], archive)
    assert printed == PRINTED


@pytest.fixture
def web_app():
    """clients/ served by Python's http.server: an origin other than the archive's."""
    with live_servers.static_origin(CLIENTS) as origin:
        yield origin


@pytest.mark.live_server
@pytest.mark.browser
@pytest.mark.django_db(False)
def test_a_plain_fetch_in_chromium_from_another_origin(archive, web_app):
    """clients/browser/index.html?api=ORIGIN, opened in chromium: the page's script
    fetches the archive across origins and shows what the other examples print."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: apt-get install chromium")
    from playwright.sync_api import expect, sync_playwright

    errors = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        try:
            page = browser.new_page()
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.on(
                "console",
                lambda message: errors.append(message.text) if message.type == "error" else None,
            )
            api = urllib.parse.quote(archive.url(""))
            page.goto(f"{web_app}/browser/index.html?api={api}")
            output = page.locator("#output:not([aria-busy])")
            expect(output).to_be_visible(timeout=15_000)
            shown = output.text_content()
        finally:
            browser.close()
    # The 400 of the query over the limit is the one error the browser reports itself.
    assert [e for e in errors if "400 (Bad Request)" not in e] == [], errors
    assert shown + "\n" == PRINTED


# --- codegen ---------------------------------------------------------------------------------


@pytest.mark.slow
def test_codegen_types_the_readme_operations_and_tsc_strict_compiles_them():
    """`npx graphql-codegen --config codegen.yml && npx tsc --noEmit --strict -p
    tsconfig.json` in clients/: types from the committed schema for each named operation,
    and clients/typed/readme.ts uses them under --strict."""
    node_or_skip()
    generated = CLIENTS / "generated"
    shutil.rmtree(generated, ignore_errors=True)
    codegen = subprocess.run(
        [BIN / "graphql-codegen", "--config", "codegen.yml"],
        cwd=CLIENTS,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    assert codegen.returncode == 0, codegen.stdout + codegen.stderr
    operations = (generated / "operations.ts").read_text(encoding="utf-8")
    for name in ("PersonsAndEvents", "MaiskyThenAndNow", "OverTheLimit"):
        assert f"export type {name}Query = " in operations
    assert "export type MaiskyThenAndNowQueryVariables = Exact<{\n  before?: " in operations
    tsc = subprocess.run(
        [BIN / "tsc", "--noEmit", "--strict", "-p", "tsconfig.json"],
        cwd=CLIENTS,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    assert tsc.returncode == 0, tsc.stdout + tsc.stderr
