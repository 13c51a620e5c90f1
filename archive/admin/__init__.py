"""The archivists' admin: one module per record family, shared parts in base."""

from archive.admin import documents, events, people, places, sources, states  # noqa: F401
