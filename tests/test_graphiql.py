"""GraphiQL from the archive itself: its page loads scripts and styles from the site
only (vendored by tools/vendor_graphiql.py), and those files are the ones recorded.

The browser's side of it (the page loads and runs a query with every other
address refused) is in tests/test_browser.py.
"""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

from tools import vendor_graphiql

VENDORED = Path(vendor_graphiql.TARGET)
STYLES = [
    "/static/archive/graphiql/graphiql/graphiql.min.css",
    "/static/archive/graphiql/plugin-explorer/style.css",
    "/static/archive/graphiql/start.css",
]
SCRIPTS = [
    "/static/archive/graphiql/react/react.production.min.js",
    "/static/archive/graphiql/react-dom/react-dom.production.min.js",
    "/static/archive/graphiql/graphiql/graphiql.min.js",
    "/static/archive/graphiql/plugin-explorer/index.umd.js",
    "/static/archive/graphiql/start.js",
]


class Resources(HTMLParser):
    """The scripts, styles and icons a page loads, and any inline script or style."""

    def __init__(self):
        super().__init__()
        self.scripts, self.styles, self.icons, self.inline = [], [], [], []
        self._in = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script":
            if "src" in attrs:
                self.scripts.append(attrs["src"])
            self._in = "script"
        elif tag == "style":
            self._in = "style"
        elif tag == "link" and attrs.get("rel") == "stylesheet":
            self.styles.append(attrs["href"])
        elif tag == "link" and attrs.get("rel") == "icon":
            self.icons.append(attrs["href"])
        if "style" in attrs:
            self.inline.append(f"style attribute on {tag}")

    def handle_endtag(self, tag):
        self._in = None

    def handle_data(self, data):
        if self._in and data.strip():
            self.inline.append(f"{self._in}: {data.strip()[:40]}")


@pytest.fixture
def page(settings):
    settings.GRAPHIQL = True
    response = Client().get("/graphql/", HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    parsed = Resources()
    parsed.feed(response.content.decode())
    return parsed


def test_the_page_loads_only_the_sites_own_scripts_and_styles(page):
    assert page.scripts == SCRIPTS
    assert page.styles == STYLES
    assert page.icons == ["data:,"]
    assert page.inline == []


@pytest.mark.parametrize("url", STYLES + SCRIPTS)
def test_each_file_is_a_static_file_of_the_archive(url):
    found = finders.find(url.removeprefix("/static/"))
    assert found is not None
    assert Path(found).is_relative_to(VENDORED)
    assert Path(found).stat().st_size > 0


def _recorded() -> dict[str, tuple[str, str, str, str]]:
    """README.md's table: file here -> (package, version, file in the package, hash here)."""
    rows = re.findall(
        r"^\| (\S+) \| (\S+) \| `([^`]+)` \| `([^`]+)` \| `(sha384-[^`]+)` \| `(sha384-[^`]+)` \|$",
        (VENDORED / "README.md").read_text(encoding="utf-8"),
        re.MULTILINE,
    )
    return {here: (package, version, path, ours) for package, version, path, here, _, ours in rows}


def test_the_vendored_files_are_those_recorded_and_nothing_else():
    recorded = _recorded()
    assert {
        name: (package, version, path) for name, (package, version, path, _) in recorded.items()
    } == {
        vendor_graphiql.destination(package, path): (package, version, path)
        for package, (version, paths) in vendor_graphiql.PACKAGES.items()
        for path in paths
    }
    on_disk = {
        path.relative_to(VENDORED).as_posix() for path in VENDORED.rglob("*") if path.is_file()
    }
    assert on_disk == {*recorded, *vendor_graphiql.OWN, "README.md"}
    for name, (_, _, _, digest) in recorded.items():
        assert vendor_graphiql.sri((VENDORED / name).read_bytes()) == digest, name
    # The source maps are not shipped: no file points at one.
    for name in recorded:
        assert b"sourceMappingURL" not in (VENDORED / name).read_bytes(), name


def test_the_versions_are_those_strawberrys_page_loads():
    """A strawberry upgrade that moves GraphiQL on says so: re-vendor at its versions."""
    import strawberry

    page = (Path(strawberry.__file__).parent / "static" / "graphiql.html").read_text()
    loaded = dict(re.findall(r"https://unpkg\.com/((?:@[^/@]+/)?[^/@]+)@([^/]+)/", page))
    loaded.pop("js-cookie")  # for a CSRF token, which the API does not need
    assert loaded == {
        package: version for package, (version, _) in vendor_graphiql.PACKAGES.items()
    }
