"""Servers in processes of their own for the serving, browser and fuzzing tests: a
fresh database (on the PostgreSQL server the suite runs on, or SQLite) and
gunicorn on a free port, stopped with everything it started."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

# Shared with bin/loadtest (tools/loadtest.py); imported from here by the tests.
from tools.processes import OWN_SETTINGS, clean_environment, free_port, stop  # noqa: F401

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent


@contextlib.contextmanager
def fresh_database(directory: Path, prefix: str, configured: str | None) -> Iterator[str]:
    """The URL of a new, empty database: a uniquely named one on the PostgreSQL server
    of the ``configured`` URL (dropped at the end, even with connections left open),
    else a SQLite file in ``directory``."""
    if not configured or not configured.startswith(("postgres://", "postgresql://", "pgsql://")):
        yield f"sqlite:///{directory / f'{prefix}.sqlite3'}"
        return
    import psycopg

    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    server = urllib.parse.urlsplit(configured)
    maintenance = server._replace(scheme="postgresql", path="/postgres").geturl()
    with psycopg.connect(maintenance, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield server._replace(path=f"/{name}").geturl()
    finally:
        with psycopg.connect(maintenance, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class Gunicorn:
    """gunicorn on a port of its own, in a session of its own; its access log (stdout)
    and errors (stderr) in ``<stem>.out.log`` and ``<stem>.err.log`` of ``log_dir``."""

    def __init__(
        self,
        env: dict,
        log_dir: Path,
        *,
        name: str = "gunicorn",
        command: list[str] | None = None,
        port: int | None = None,
    ):
        self.name = name
        self.port = port or free_port()
        stem = name.split()[0]
        self.out_path = log_dir / f"{stem}.out.log"
        self.err_path = log_dir / f"{stem}.err.log"
        command = command or [str(VENV_BIN / "gunicorn"), "-c", "project/gunicorn.conf.py"]
        with self.out_path.open("wb") as out, self.err_path.open("wb") as err:
            self.process = subprocess.Popen(
                command,
                cwd=ROOT,
                env={**env, "BIND": f"127.0.0.1:{self.port}"},
                stdout=out,
                stderr=err,
                start_new_session=True,
            )

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def wait_until_healthy(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"{self.name} exited:\n{self.logs()}")
            try:
                with urllib.request.urlopen(self.url("/healthz"), timeout=2) as response:
                    if response.status == 200:
                        return
            except (OSError, urllib.error.HTTPError):
                pass
            time.sleep(0.2)
        raise AssertionError(f"{self.name} was not healthy in time:\n{self.logs()}")

    def access_log(self) -> str:
        return self.out_path.read_text(errors="replace")

    def error_log(self) -> str:
        return self.err_path.read_text(errors="replace")

    def logs(self) -> str:
        return (
            f"----- {self.name}: stdout (access log) -----\n{self.access_log()}"
            f"----- {self.name}: stderr -----\n{self.error_log()}"
        )

    def signal(self, number: int) -> None:
        """Signal gunicorn and its workers (its session's process group)."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, number)

    def stop(self) -> None:
        stop(self.process)
