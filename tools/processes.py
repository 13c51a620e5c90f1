"""Processes the project's tools and live-server tests start: gunicorn on a free
port, on a fresh database if need be (:func:`demo_server`: both, ready), an
environment without the caller's settings, and stopping a process with everything
it started."""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
DEMO_FIXTURE = ROOT / "fixtures" / "demo.json"

# The project's own settings: a server a tool starts gets none of the caller's,
# only those the tool gives it.
OWN_SETTINGS = (
    "DATABASE_URL",
    "REDIS_URL",
    "DJANGO_",
    "GRAPHQL_",
    "COUNT_CACHE",
    "GUNICORN_",
    "WEB_CONCURRENCY",
    "BIND",
    "FORWARDED_ALLOW_IPS",
)


def clean_environment(**values: str) -> dict:
    """This process's environment without any of the project's settings, plus ``values``."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(OWN_SETTINGS)}
    env.update(values)
    return env


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


def free_port() -> int:
    """A port nothing listens on now (the kernel's pick)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def stop(process: subprocess.Popen | None) -> None:
    """Stop a process started in a session of its own, and everything it started
    (gunicorn's workers): politely, then for good. None, or a process that has
    ended with nothing left of its group, is nothing to do."""
    if process is None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=15)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)  # a worker left behind, or a master stuck
    process.wait(timeout=10)


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
        self.env = env  # for manage.py on its database, or another instance on it
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


def manage(env: dict, *arguments: str) -> str:
    """Run ``manage.py arguments`` (quiet) in ``env``; what it printed. A failure
    raises, with its output."""
    done = subprocess.run(
        [sys.executable, "manage.py", *arguments, "-v", "0"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if done.returncode:
        raise RuntimeError(f"manage.py {arguments[0]} failed:\n{done.stdout}{done.stderr}")
    return done.stdout


@contextlib.contextmanager
def demo_server(
    directory: Path,
    name: str,
    configured_database: str | None = None,
    *,
    demo: bool = True,
    **env: str,
) -> Iterator[Gunicorn]:
    """gunicorn on a fresh database (:func:`fresh_database`), migrated and, if ``demo``,
    loaded with the demo data: started, healthy, stopped at the end. Production
    settings but plain HTTP on the loopback (as behind a TLS proxy), no static files
    collected, one worker; ``env`` adds settings or overrides these. ``name`` names
    the database, the server and its logs in ``directory``."""
    with fresh_database(directory, name, configured_database) as url:
        production = {
            "DATABASE_URL": url,
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "DJANGO_HTTPS": "0",
            "DJANGO_STATIC_MANIFEST": "0",
            "WEB_CONCURRENCY": "1",
            "PYTHONUNBUFFERED": "1",
        }
        settings = clean_environment(**(production | env))
        manage(settings, "migrate", "--noinput")
        if demo:
            manage(settings, "load_archive", str(DEMO_FIXTURE))
        server = Gunicorn(settings, directory, name=name)
        try:
            server.wait_until_healthy()
            yield server
        finally:
            server.stop()
