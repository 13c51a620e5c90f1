"""archive/library_versions.py: each module that reads or overrides a library's
private internals refuses, at import, any other version of it than the one it
was written for, and that version is the one pyproject.toml pins."""

import ast
import importlib.metadata
import importlib.util
import re
import tomllib
from pathlib import Path

import pytest

from archive import library_versions
from archive.library_versions import require

ROOT = Path(__file__).resolve().parent.parent

# Each module that relies on a library's internals, and the libraries it is fenced to.
FENCES = {
    "archive/admin/revert.py": {"django-simple-history"},
    "archive/date_ranges.py": {"Django"},
    "archive/django_fixes.py": {"Django"},
    "archive/graphql/errors.py": {"graphql-core", "strawberry-graphql"},
    "archive/graphql/execution.py": {
        "graphql-core",
        "strawberry-graphql",
        "strawberry-graphql-django",
    },
    "archive/graphql/limits.py": {"strawberry-graphql"},
    "archive/graphql/past.py": {"strawberry-graphql"},
    "archive/graphql/scalars.py": {"strawberry-graphql"},
    "archive/graphql/search.py": {"strawberry-graphql"},
    "archive/graphql/views.py": {"strawberry-graphql"},
    "archive/history.py": {"django-simple-history"},
    "archive/management/commands/load_archive.py": {"Django"},
    "project/cors.py": {"django-cors-headers"},
}


def _fences() -> dict[str, dict[str, tuple[str, str]]]:
    """path -> {distribution: (version, reason)} of every ``require(...)`` in archive/
    and project/."""
    fences = {}
    for path in sorted([*(ROOT / "archive").rglob("*.py"), *(ROOT / "project").rglob("*.py")]):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "require"
            ):
                distribution, version, reason = (ast.literal_eval(arg) for arg in node.args)
                relative = path.relative_to(ROOT).as_posix()
                fences.setdefault(relative, {})[distribution] = (version, reason)
    return fences


def _pins() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return set(project["dependencies"])


def test_each_fence_requires_the_pinned_version():
    """A pin raised in pyproject.toml fails here until each fenced module is checked."""
    fences = _fences()
    assert {path: set(found) for path, found in fences.items()} == FENCES
    pins = _pins()
    for path, found in fences.items():
        for distribution, (version, reason) in found.items():
            assert f"{distribution}=={version}" in pins, (path, distribution, version)
            assert reason.startswith(f"{path} "), reason


def test_the_installed_version_passes_and_another_is_refused():
    assert require("graphql-core", "3.3.2", "archive/x.py reads graphql-core's y") is None
    message = (
        "archive/x.py reads graphql-core's y: it was written for graphql-core 3.3.1, and "
        "graphql-core 3.3.2 is installed. Check it against 3.3.2, then change the version "
        "it requires and the pin in pyproject.toml."
    )
    with pytest.raises(ImportError, match=f"^{re.escape(message)}$"):
        require("graphql-core", "3.3.1", "archive/x.py reads graphql-core's y")


@pytest.mark.parametrize(
    "path, distribution",
    [(path, distribution) for path, found in FENCES.items() for distribution in sorted(found)],
)
def test_a_fenced_module_refuses_to_import_with_another_version(monkeypatch, path, distribution):
    """The module's code run again as a fresh import would run it, in this process;
    sys.modules is left alone."""
    monkeypatch.setattr(
        library_versions,
        "installed",
        lambda name: "0.0.1" if name == distribution else importlib.metadata.version(name),
    )
    version, reason = _fences()[path][distribution]
    message = (
        f"{reason}: it was written for {distribution} {version}, and {distribution} 0.0.1 "
        "is installed. Check it against 0.0.1, then change the version it requires and the "
        "pin in pyproject.toml."
    )
    spec = importlib.util.spec_from_file_location("fenced_module", ROOT / path)
    with pytest.raises(ImportError, match=f"^{re.escape(message)}$"):
        spec.loader.exec_module(importlib.util.module_from_spec(spec))
