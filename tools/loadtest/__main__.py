"""bin/loadtest: copy the archive, serve it with gunicorn, run the locustfile headless.

1. copies the archive to a database of the run's own (PostgreSQL:
   ``CREATE DATABASE … TEMPLATE archive_bench_100000``; SQLite: a copy of
   ``var/bench-100000.sqlite3``), which must be migrated already;
2. serves the copy with gunicorn (production settings, plain HTTP on the
   loopback, Redis as the shared response cache, persistent connections);
3. runs ``locust --headless`` with :mod:`tools.loadtest.locustfile` for
   ``--seconds``: the readers, the archivist, the probes, the faults, and at
   the end the checks and the summary;
4. stops gunicorn, drops the copy (unless ``--keep``), and starts PostgreSQL
   again if a fault left it stopped.

The exit status is locust's: 0 when every check passed.
"""

from __future__ import annotations

import argparse
import contextlib
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg

from tools.loadtest.faults import cluster, postgresql_ready, wait_for_other_test_runs
from tools.processes import Gunicorn, clean_environment

ROOT = Path(__file__).resolve().parents[2]
LOCUSTFILE = Path(__file__).with_name("locustfile.py")
LOCUST = Path(sys.executable).with_name("locust")
PG_SERVER = "postgres://postgres@127.0.0.1:5432"
PG_SOURCE = "archive_bench_100000"
SQLITE_SOURCE = ROOT / "var" / "bench-100000.sqlite3"
REDIS_URL = "redis://127.0.0.1:6379/13"
# The users the locustfile has besides the readers: the archivist and two probes.
FIXED_USERS = 3


def _pg_admin():
    return psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True, connect_timeout=5)


def source_name(options: argparse.Namespace) -> str:
    return options.source or str(PG_SOURCE if options.database == "postgresql" else SQLITE_SOURCE)


def copy_database(options: argparse.Namespace, directory: Path, name: str) -> str:
    """A copy of the archive for this run only; its DATABASE_URL."""
    if options.database == "postgresql":
        source = source_name(options)
        print(f"==> Copying PostgreSQL database {source} to {name} (about a minute)", flush=True)
        for attempt in range(60):
            try:
                with _pg_admin() as admin:
                    admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{source}"')
                break
            except psycopg.errors.ObjectInUse:  # a template is copied only when nobody uses it
                if attempt == 59:
                    raise
                time.sleep(2)
        return f"{PG_SERVER}/{name}?connect_timeout=5"
    source = Path(source_name(options))
    copy = directory / "archive.sqlite3"
    print(f"==> Copying SQLite file {source} to {copy}", flush=True)
    for suffix in ("", "-wal", "-shm"):
        if Path(f"{source}{suffix}").exists():
            shutil.copyfile(f"{source}{suffix}", f"{copy}{suffix}")
    return f"sqlite:///{copy}"


def drop_database(options: argparse.Namespace, directory: Path, name: str) -> None:
    if options.database == "postgresql":
        with _pg_admin() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        print(f"==> Dropped {name}", flush=True)
    else:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{directory / 'archive.sqlite3'}{suffix}").unlink(missing_ok=True)


def server_environment(options: argparse.Namespace, database_url: str) -> dict:
    """Production settings, plain HTTP on the loopback (nobody else can reach it)."""
    env = clean_environment(
        DATABASE_URL=database_url,
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="loadtest-" + secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_HTTPS="0",
        DJANGO_STATIC_MANIFEST="0",  # the archivist's client fetches no static file
        DJANGO_CONN_MAX_AGE=str(options.conn_max_age),
        WEB_CONCURRENCY=str(options.workers),
        GUNICORN_TIMEOUT="30",
        GUNICORN_GRACEFUL_TIMEOUT="5",
        PYTHONUNBUFFERED="1",
    )
    if options.redis:
        env["REDIS_URL"] = options.redis
    return env


def empty_cache(url: str) -> None:
    if url:
        import redis

        redis.Redis.from_url(url, socket_connect_timeout=1).flushdb()


def locust_command(options: argparse.Namespace, directory: Path, gunicorn: Gunicorn) -> list:
    command = [
        LOCUST,
        *("-f", LOCUSTFILE, "--headless", "--host", gunicorn.url("")),
        *("--users", options.users + FIXED_USERS, "--spawn-rate", f"{options.spawn_rate:g}"),
        *("--run-time", f"{options.seconds}s", "--stop-timeout", 10),
        *("--json-file", directory / "locust"),  # locust adds .json
        *("--run-dir", directory, "--gunicorn-pid", gunicorn.process.pid),
        *("--interval", options.interval, "--wait", options.wait),
    ]
    if options.faults:
        command += ["--faults", "--outage", options.outage]
    if options.json_path:
        command += ["--summary-file", options.json_path]
    return [str(part) for part in command]


def run(options: argparse.Namespace) -> int:
    directory = Path(options.log_dir or tempfile.mkdtemp(prefix="archive-loadtest-")).resolve()
    directory.mkdir(parents=True, exist_ok=True)
    restarts_postgresql = options.faults and options.database == "postgresql"
    if restarts_postgresql and not wait_for_other_test_runs(600):
        print("Other test runs are still using PostgreSQL after 10 minutes; not starting.")
        return 2
    name = f"archive_load_{secrets.token_hex(4)}"
    gunicorn = None
    env = server_environment(options, copy_database(options, directory, name))
    try:
        # Migrating is the source's business, once: each run would pay for it again.
        unapplied = subprocess.run(
            [sys.executable, "manage.py", "migrate", "--check", "-v", "0"], cwd=ROOT, env=env
        )
        if unapplied.returncode:
            print(
                f"The archive {source_name(options)} lacks migrations: migrate it first "
                f"(DATABASE_URL=… .venv/bin/python manage.py migrate)."
            )
            return 2
        empty_cache(options.redis)
        print(f"==> Starting gunicorn ({options.workers} workers)", flush=True)
        gunicorn = Gunicorn(env, directory)
        gunicorn.wait_until_healthy()
        print(
            f"==> Running: {options.users} readers (locust), an archivist saving every "
            f"{options.interval:g} s, probes every 100 ms, for {options.seconds} s",
            flush=True,
        )
        locust = subprocess.run(
            locust_command(options, directory, gunicorn),
            cwd=ROOT,
            env={**env, "PYTHONPATH": str(ROOT), "DJANGO_CONN_MAX_AGE": "0"},
            timeout=options.seconds + 600,
        )
        return locust.returncode
    finally:
        if gunicorn is not None:
            gunicorn.stop()
        while restarts_postgresql and not postgresql_ready():
            print("==> PostgreSQL is not running: starting it", flush=True)
            subprocess.run([*cluster(), "start"], check=False)
        if not options.keep:
            with contextlib.suppress(Exception):
                drop_database(options, directory, name)
        with contextlib.suppress(Exception):
            empty_cache(options.redis)


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="bin/loadtest",
        description=(
            "A mixed GraphQL read load (locust, headless) on gunicorn while an archivist "
            "saves through the admin every second; optionally with faults (a killed worker, "
            "PostgreSQL restarted). Checks every save afterwards and prints a summary."
        ),
    )
    parser.add_argument("--database", choices=("postgresql", "sqlite"), default="postgresql")
    parser.add_argument(
        "--source",
        default="",
        help=f"the archive to copy: a PostgreSQL database name (default {PG_SOURCE}) "
        f"or a SQLite file (default {SQLITE_SOURCE.relative_to(ROOT)})",
    )
    parser.add_argument("--users", type=int, default=50, help="concurrent readers")
    parser.add_argument("--spawn-rate", type=float, default=10, help="users started per second")
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers")
    parser.add_argument("--interval", type=float, default=1.0, help="seconds between saves")
    parser.add_argument(
        "--wait",
        default="0.5,1.5",
        help="seconds each reader waits between its requests, MIN,MAX (0,0: as fast as it can)",
    )
    parser.add_argument(
        "--faults",
        action="store_true",
        help="kill a gunicorn worker at 1/3 of the run and (PostgreSQL) restart the "
        "database at 1/2",
    )
    parser.add_argument("--outage", type=float, default=3.0, help="seconds PostgreSQL stays down")
    parser.add_argument(
        "--redis", default=REDIS_URL, help="the shared response cache (emptied); '' for none"
    )
    parser.add_argument("--conn-max-age", type=int, default=60, help="DJANGO_CONN_MAX_AGE")
    parser.add_argument("--json", dest="json_path", default="", help="the summary as JSON here too")
    parser.add_argument(
        "--log-dir", default="", help="logs, locust's JSON, the saves (default: a new temp dir)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the database copy")
    return parser.parse_args(argv)


if __name__ == "__main__":
    sys.exit(run(parse_args()))
