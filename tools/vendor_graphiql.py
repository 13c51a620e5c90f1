"""Vendor GraphiQL's scripts and styles into archive/static/archive/graphiql/.

strawberry's GraphiQL page loads React, GraphiQL and the explorer plugin from a
CDN; the archive serves the same files itself (archive/templates/graphql/
graphiql.html), so GraphiQL works with no internet and under a policy that
allows scripts from the site only. This fetches each package at the version
strawberry's page names (``npm pack``, from the npm registry), copies the files
the page loads, and writes README.md there with the versions and hashes.

One change is made to them: the ``sourceMappingURL`` comment at the end of
GraphiQL's script and style is removed, since the maps are not shipped (and
Django's hashed static files storage refuses to collect a file whose map is
missing). Run it after raising a version here::

    .venv/bin/python -m tools.vendor_graphiql
"""

from __future__ import annotations

import base64
import hashlib
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "archive" / "static" / "archive" / "graphiql"
# The versions strawberry-graphql 0.341.2's static/graphiql.html loads (its
# js-cookie is left out: the API needs no CSRF token).
PACKAGES = {
    "react": ("18.2.0", ["umd/react.production.min.js"]),
    "react-dom": ("18.2.0", ["umd/react-dom.production.min.js"]),
    "graphiql": ("3.8.3", ["graphiql.min.js", "graphiql.min.css"]),
    "@graphiql/plugin-explorer": ("1.0.2", ["dist/index.umd.js", "dist/style.css"]),
}
# The files of the archive's own in TARGET, which this leaves alone.
OWN = {"start.js", "start.css"}
SOURCE_MAP = re.compile(rb"\n(//# sourceMappingURL=\S+|/\*# sourceMappingURL=[^*\s]+\s*\*/)\s*$")


def sri(data: bytes) -> str:
    """The Subresource Integrity hash, as a CDN page's ``integrity`` attribute gives it."""
    return "sha384-" + base64.b64encode(hashlib.sha384(data).digest()).decode()


def destination(package: str, path: str) -> str:
    """Where a package's file goes, relative to TARGET: ``graphiql/graphiql.min.js``."""
    return f"{package.rsplit('/', 1)[-1]}/{Path(path).name}"


def vendor() -> list[tuple[str, str, str, str, str]]:
    """Fetch and copy every file; (package, version, file, its hash on the registry, ours)."""
    npm = shutil.which("npm")
    if npm is None:
        sys.exit("npm is needed: apt-get install npm")
    rows = []
    with tempfile.TemporaryDirectory() as scratch:
        specs = [f"{name}@{version}" for name, (version, _) in PACKAGES.items()]
        subprocess.run(
            [npm, "pack", "--silent", "--pack-destination", scratch, *specs],
            check=True,
            timeout=300,
        )
        for existing in TARGET.rglob("*"):
            if existing.is_file() and existing.relative_to(TARGET).as_posix() not in OWN:
                existing.unlink()
        for name, (version, paths) in PACKAGES.items():
            tarball = Path(scratch) / f"{name.lstrip('@').replace('/', '-')}-{version}.tgz"
            with tarfile.open(tarball) as archive:
                for path in paths:
                    original = archive.extractfile(f"package/{path}").read()
                    vendored = SOURCE_MAP.sub(b"\n", original)
                    target = TARGET / destination(name, path)
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(vendored)
                    rows.append((name, version, path, sri(original), sri(vendored)))
    return rows


README = """# GraphiQL, vendored

The scripts and styles of GraphiQL's page (archive/templates/graphql/graphiql.html),
served by the archive itself: no CDN, so GraphiQL works with no internet and
under a Content-Security-Policy of the site's own scripts only. Written by
`python -m tools.vendor_graphiql` from the npm registry's packages (MIT
licensed), at the versions strawberry-graphql's own page loads. `start.js` and
`start.css` are the archive's (strawberry's inline start-up script and style).

The files are the packages' own, but for the `sourceMappingURL` comment
removed from the end of GraphiQL's (the maps are not shipped). "npm" is the
file's hash in the package (a CDN page's `integrity`), "here" the file's here.

| package | version | file in the package | here | npm | here (sha384) |
| --- | --- | --- | --- | --- | --- |
"""


def main() -> None:
    rows = vendor()
    lines = [
        f"| {name} | {version} | `{path}` | `{destination(name, path)}` | `{npm}` | `{here}` |"
        for name, version, path, npm, here in rows
    ]
    (TARGET / "README.md").write_text(README + "\n".join(lines) + "\n", encoding="utf-8")
    for line in lines:
        print(line)


if __name__ == "__main__":
    main()
