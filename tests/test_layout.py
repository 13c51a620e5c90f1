"""The layout: the product (archive/, project/) stands without the development
package (tools/) and the tests, and pyproject.toml declares every distribution
each of them imports: the product's in ``dependencies``, the tests', tools' and clients'
there or in the ``dev`` extra."""

import ast
import functools
import importlib.metadata
import json
import os
import re
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PRODUCT = ("archive", "project")
# clients/: the Python client example (clients/python/); its Node packages are not ours.
DEVELOPMENT = ("tools", "tests", "clients")
FIRST_PARTY = {*PRODUCT, *DEVELOPMENT, "manage"}


def _sources(*packages: str) -> list[Path]:
    return sorted(
        path
        for package in packages
        for path in (ROOT / package).rglob("*.py")
        if "node_modules" not in path.parts
    )


@functools.cache  # each source is read by several tests
def _imports(path: Path) -> list[tuple[int, str]]:
    """(line, module) of every absolute import in ``path``, wherever it stands."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
    return found


def _requirements(*groups: str) -> set[str]:
    """The names of the distributions pyproject.toml requires in ``groups``
    ("dependencies", or an extra's name), normalised."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    extras = project.get("optional-dependencies", {})
    listed = [r for g in groups for r in (project[g] if g == "dependencies" else extras[g])]
    return {_normalised(re.match(r"[A-Za-z0-9._-]+", requirement)[0]) for requirement in listed}


def _normalised(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _undeclared(packages: tuple[str, ...], declared: set[str]) -> list[str]:
    """Each third-party import in ``packages`` whose distribution is not ``declared``."""
    distributions = _distributions()
    missing = []
    for path in _sources(*packages):
        for line, module in _imports(path):
            top = module.partition(".")[0]
            if top in sys.stdlib_module_names or top in FIRST_PARTY:
                continue
            names = {_normalised(name) for name in distributions.get(top, [])}
            if not names & declared:
                where = ", ".join(sorted(names)) or "no installed distribution"
                missing.append(f"{path.relative_to(ROOT)}:{line}: {module} ({where})")
    return missing


@functools.cache  # reads every installed distribution's file list
def _distributions() -> dict[str, list[str]]:
    return importlib.metadata.packages_distributions()


def _importing(packages: tuple[str, ...], forbidden: tuple[str, ...]) -> list[str]:
    return [
        f"{path.relative_to(ROOT)}:{line}: {module}"
        for path in _sources(*packages)
        for line, module in _imports(path)
        if module.partition(".")[0] in forbidden
    ]


def test_the_product_imports_nothing_from_tools_or_tests():
    assert _importing(PRODUCT, DEVELOPMENT) == []


def test_the_tools_import_nothing_from_the_tests():
    assert _importing(("tools",), ("tests",)) == []


# Every module of the product, imported in a fresh process with Django set up
# (gunicorn.conf.py by its path: its name is not a module name).
IMPORT_THE_PRODUCT = """
import importlib, importlib.util, json, sys
from pathlib import Path
import django
django.setup()
for path in sorted(p for package in {packages} for p in Path(package).rglob("*.py")):
    parts = path.with_suffix("").parts
    if "." in parts[-1]:
        spec = importlib.util.spec_from_file_location(parts[-1], path)
        spec.loader.exec_module(importlib.util.module_from_spec(spec))
    else:
        importlib.import_module(".".join(parts).removesuffix(".__init__"))
loaded = sorted(m for m in sys.modules if m.partition(".")[0] in {development})
print(json.dumps([len([m for m in sys.modules if m.startswith({packages})]), loaded]))
"""


@pytest.mark.slow  # a process of its own
def test_importing_every_product_module_loads_nothing_from_tools_or_tests():
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            IMPORT_THE_PRODUCT.format(packages=PRODUCT, development=DEVELOPMENT),
        ],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "project.settings", "DJANGO_DEBUG": "1"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    imported, loaded = json.loads(done.stdout.splitlines()[-1])
    assert imported >= len(_sources(*PRODUCT)) - 1  # all but gunicorn.conf.py, by its path
    assert loaded == []


def test_the_product_declares_every_distribution_it_imports():
    assert _undeclared(PRODUCT, _requirements("dependencies")) == []


def test_the_dev_extra_declares_every_distribution_the_tests_tools_and_clients_import():
    assert _undeclared(DEVELOPMENT, _requirements("dependencies", "dev")) == []


@pytest.mark.slow  # builds a wheel: a pip process, setuptools fetched for its build
def test_the_wheel_holds_the_product_whole_and_nothing_else(tmp_path):
    """What pip installs is archive/ and project/ file for file (templates, styles
    and the schema file included), and none of tools/ or tests/."""
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(tmp_path), "."],
        cwd=ROOT,
        check=True,
        timeout=300,
    )
    (wheel,) = tmp_path.glob("*.whl")
    with zipfile.ZipFile(wheel) as archive:
        packed = {name for name in archive.namelist() if ".dist-info/" not in name}
    on_disk = {
        path.relative_to(ROOT).as_posix()
        for package in PRODUCT
        for path in (ROOT / package).rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }
    assert packed == on_disk


# What a migration may use of the live archive code: the classes its models
# are made of (a field class, a model base), which the migration state needs.
MIGRATIONS_MAY_USE = {
    "0001_initial.py": {"archive.models.base.DatedMixin", "archive.models.base.EDTFField"},
}


def _archive_references(path: Path) -> set[str]:
    """The live archive code ``path`` names: ``from archive... import x`` and
    ``archive.a.b`` attribute chains (after ``import archive.a``)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module.partition(".")[0] == "archive":
                found |= {f"{node.module}.{alias.name}" for alias in node.names}
        elif isinstance(node, ast.Import):
            # `import archive.x as y` hides the chains: name the module itself.
            found |= {
                alias.name
                for alias in node.names
                if alias.name.partition(".")[0] == "archive" and alias.asname
            }
        elif isinstance(node, ast.Attribute):
            parts = []
            while isinstance(node, ast.Attribute):
                parts.append(node.attr)
                node = node.value
            if isinstance(node, ast.Name) and node.id == "archive":
                found.add(".".join(["archive", *reversed(parts)]))
    # A chain's prefixes (archive.models.base of archive.models.base.EDTFField)
    # are walked too: keep the longest.
    found = {name for name in found if not any(other.startswith(f"{name}.") for other in found)}
    return {name for name in found if not name.startswith("archive.migrations")}


def test_migrations_use_no_live_code_but_their_models_classes():
    """A migration runs as it was written, whatever the live code has become:
    it keeps its own copy of any helper (0002's staff groups, 0004's search
    index SQL, 0006's span rule, 0007's action ids)."""
    found = {
        path.name: references
        for path in sorted((ROOT / "archive" / "migrations").glob("*.py"))
        if (references := _archive_references(path))
    }
    assert found == MIGRATIONS_MAY_USE
