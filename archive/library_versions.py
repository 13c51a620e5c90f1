"""The libraries whose private internals the product reads or overrides, fenced.

A module that overrides a library's internals, or reads what the library does
not document, was written against one version of it: it calls :func:`require`
at import with that version, the one pyproject.toml pins exactly, and refuses
to load with any other, rather than misbehave quietly. tests/test_library_versions.py
checks that each fence names the pinned version, so a pin raised in
pyproject.toml fails the tests until each fenced module has been checked
against the new version and its fence raised with it.
"""

from __future__ import annotations

import functools
import importlib.metadata


@functools.cache  # several modules ask for the same few distributions at startup
def installed(distribution: str) -> str:
    """The version of ``distribution`` installed."""
    return importlib.metadata.version(distribution)


def require(distribution: str, version: str, reason: str) -> None:
    """Refuse to import (ImportError) unless ``distribution`` is at ``version``.

    ``reason`` says which module relies on what: "archive/x.py overrides …".
    """
    found = installed(distribution)
    if found != version:
        raise ImportError(
            f"{reason}: it was written for {distribution} {version}, and {distribution} "
            f"{found} is installed. Check it against {found}, then change the version it "
            "requires and the pin in pyproject.toml."
        )
