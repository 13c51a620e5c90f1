"""The client examples of clients/, run as a client author would run them against a live
gunicorn with the demo data: a web page with a plain ``fetch`` in chromium on another
origin, a Node script with Apollo Client, a Python script with gql; and the README's
examples as named operations (clients/operations/) typed by graphql-codegen and
compiled with ``tsc --noEmit --strict``.

The Node packages come from clients/package.json and its lock file (``npm ci --prefix
clients``; .ci/run does it)."""

import os
import re
import shutil
import subprocess
import sys
import urllib.parse
from pathlib import Path

import graphql
import pytest

from tests import live_servers
from tests.documentation import graphql_blocks
from tools.processes import ROOT

CLIENTS = ROOT / "clients"
OPERATIONS = CLIENTS / "operations"
SCHEMA = ROOT / "archive" / "graphql" / "schema.graphql"
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
    with live_servers.demo_server(directory, "clients", os.environ.get("DATABASE_URL")) as server:
        yield server


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


# The requests clients/apollo/persisted-queries.mjs sends and what it reads, each way.
PERSISTED_BY_HASH = (
    "By POST:\n"
    "  client 1: POST {extensions, operationName, variables} -> 404 PERSISTED_QUERY_NOT_FOUND "
    "(no-store)\n"
    "  client 1: POST {extensions, operationName, query, variables} -> 200 data (no-cache)\n"
    "  client 2: POST {extensions, operationName, variables} -> 200 data (no-cache)\n"
    '  client 1 read {"person":{"__typename":"Person","name":"Ivan Maisky",'
    '"born":{"__typename":"HistoricalDate","display":"19 January 1884"}}}\n'
    '  client 2 read {"person":{"__typename":"Person","name":"Ivan Maisky",'
    '"born":{"__typename":"HistoricalDate","display":"19 January 1884"}}}\n'
    "By GET (useGETForHashedQueries):\n"
    "  client 1: GET ?extensions&operationName&variables -> 404 PERSISTED_QUERY_NOT_FOUND "
    "(no-store)\n"
    "  client 1: POST {extensions, operationName, query, variables} -> 200 data (no-cache)\n"
    "  client 2: GET ?extensions&operationName&variables -> 200 data (public, max-age=60)\n"
    '  client 1 read {"state":{"__typename":"State","name":"Soviet Union",'
    '"existence":{"__typename":"HistoricalDate",'
    '"display":"30 December 1922 – 26 December 1991"}}}\n'
    '  client 2 read {"state":{"__typename":"State","name":"Soviet Union",'
    '"existence":{"__typename":"HistoricalDate",'
    '"display":"30 December 1922 – 26 December 1991"}}}\n'
)


@pytest.mark.live_server
@pytest.mark.django_db(False)
def test_apollo_s_persisted_queries_link_round_trip(archive):
    """`node clients/apollo/persisted-queries.mjs URL`: Apollo Client's
    createPersistedQueryLink over HttpLink, by POST and by GET. The first client sends
    the hash alone and is told PERSISTED_QUERY_NOT_FOUND (a 404 as
    application/graphql-response+json, never stored); its link sends the text with
    the hash (by POST, as the link does), and is answered; a second client, with an
    empty cache, sends the hash alone and is answered, by GET with a cacheable answer."""
    node = node_or_skip()
    printed = run([node, "apollo/persisted-queries.mjs", archive.url("/graphql/")], archive)
    assert printed == PERSISTED_BY_HASH


# What clients/urql/graphcache.mjs reads with each query, by type, from the demo data.
GRAPHCACHE_READS = (
    "persons: PersonOffsetPaginated 1, OffsetPaginationInfo 1, Person 28, "
    "HistoricalDate 19, Position 7, State 9, Citation 29, EventParticipant 12, Event 12, "
    "Source 22, HistoryEntry 29, FieldChange 24, NameForm 9, Signatory 2, "
    "Document 2 (as answered)\n"
    "documents: DocumentOffsetPaginated 1, Document 16, HistoricalDate 3, Place 3, "
    "DocumentParty 6, State 8, Citation 13, EventDocument 5, Event 5, Source 5, "
    "HistoryEntry 14, FieldChange 12, DocumentLink 2, Provision 3, Signatory 2, "
    "Person 2 (as answered)\n"
    "states: StateOffsetPaginated 1, State 23, NameForm 6, DocumentParty 6, Document 6, "
    "EventState 13, Event 13, Citation 7, Source 7, HistoryEntry 16, "
    "HistoricalDate 1 (as answered)\n"
    "events: EventOffsetPaginated 1, Event 21, HistoricalDate 9, EventParticipant 12, "
    "Person 12, EventState 20, State 24, Citation 10, Source 10, HistoryEntry 44, "
    "EventDocument 5, Document 5, Place 4 (as answered)\n"
    "places: PlaceOffsetPaginated 1, Place 2, State 2, Citation 2, Source 2, "
    "HistoryEntry 5, NameForm 1 (as answered)\n"
    "connections: DocumentConnection 1, PageInfo 5, DocumentEdge 2, Document 2, "
    "PersonConnection 1, PersonEdge 2, Person 2, StateConnection 1, StateEdge 2, State 2, "
    "EventConnection 1, EventEdge 2, Event 2, PlaceConnection 1, PlaceEdge 2, "
    "Place 2 (as answered)\n"
    "search: SearchHit 8, Event 4, State 1, Document 3 (as answered)\n"
    "nodes: Document 1, HistoricalDate 1, Person 1, State 1, Event 1, Place 1, "
    "Source 1 (as answered)\n"
    "asOf: Person 2, HistoricalDate 2, NameForm 8, Position 2, State 2, "
    "EventParticipant 4, Event 4, Citation 4, Source 4, HistoryEntry 10 (as answered)\n"
)
# The types clients/urql/graphcache.mjs configures with `keys: () => null`, each with the
# reason there, and those Graphcache embeds without a warning by their names alone.
GRAPHCACHE_EMBEDDED = {
    "Citation",
    "FieldChange",
    "HistoricalDate",
    "HistoryEntry",
    "NameForm",
    "OffsetPaginationInfo",
    "SearchHit",
} | {f"{record}OffsetPaginated" for record in ("Document", "Person", "State", "Event", "Place")}
GRAPHCACHE_BY_NAME = re.compile(r"^__|PageInfo|(Connection|Edge)$")


def schema_object_types() -> dict[str, set[str]]:
    """The object types of the committed schema, but Query, each with its fields."""
    schema = graphql.build_schema(SCHEMA.read_text(encoding="utf-8"))
    return {
        name: set(type_.fields)
        for name, type_ in schema.type_map.items()
        if isinstance(type_, graphql.GraphQLObjectType)
        and not name.startswith("__")
        and name != "Query"
    }


@pytest.mark.live_server
@pytest.mark.django_db(False)
def test_urql_with_graphcache_keys_every_type_without_a_warning(archive):
    """`node clients/urql/graphcache.mjs URL`: urql with Graphcache reads every object
    type of the schema, each answer as the server gave it and again from the cache
    alone; every type is keyed by its id or embedded on purpose, with no warning; a
    person read asOf a past moment is an entity apart from the person now. Without the
    example's `keys`, each type they name warns "Invalid key" (Graphcache's code 15).

    The types come from the schema: a type added later that no query reads, or that
    Graphcache cannot key, fails here."""
    node = node_or_skip()
    types = schema_object_types()
    keyed = sorted(name for name, fields in types.items() if "id" in fields)
    unkeyed = {name for name in types if name not in keyed}
    by_name = sorted(name for name in unkeyed if GRAPHCACHE_BY_NAME.search(name))
    assert sorted(unkeyed - set(by_name)) == sorted(GRAPHCACHE_EMBEDDED)
    without_keys = "".join(f"  {name}: warning 15\n" for name in sorted(GRAPHCACHE_EMBEDDED))
    printed = run([node, "urql/graphcache.mjs", archive.url("/graphql/")], archive)
    assert printed == (
        GRAPHCACHE_READS
        + "From the cache alone: every answer as answered\n"
        + 'person({"asOf":"MOMENT","slug":"ivan-maisky"}) -> Person:Person:2@MOMENT: Ivan Maisky\n'
        + 'person({"slug":"ivan-maisky"}) -> Person:Person:2: Ivan Maisky\n'
        + "asOf and now, one person, two entities: true\n"
        + f"Keyed by id: {' '.join(keyed)}\n"
        + f"Embedded (keys: () => null): {' '.join(sorted(GRAPHCACHE_EMBEDDED))}\n"
        + f"Embedded by Graphcache itself: {' '.join(by_name)}\n"
        + "Embedded but not read: none\n"
        + "Warnings: 0\n"
        + "Without those keys:\n"
        + without_keys
    )


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
