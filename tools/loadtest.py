"""Proof under fire: a mixed read load, an archivist saving every second, and faults.

``bin/loadtest`` (``python -m tools.loadtest``) does, in order:

1. copies the archive to a database of the run's own (PostgreSQL:
   ``CREATE DATABASE … TEMPLATE archive_bench_100000``; SQLite: a copy of
   ``var/bench-100000.sqlite3``), adds an archivist login to it, and picks
   the records the readers ask for and the archivist edits;
2. serves the copy with gunicorn (production settings, plain HTTP on the
   loopback, Redis as the shared response cache, persistent connections);
3. runs ``locust --headless`` in a process of its own (``loadtest/locustfile.py``):
   ``--users`` clients asking the benchmark's GraphQL queries
   (:mod:`tools.benchmark`) with varied variables, for ``--seconds``; a
   GraphQL answer with ``errors`` counts as a failure;
4. meanwhile an archivist process (:func:`archivist`, a real HTTP client) logs
   in and, every second, opens a person's change page, changes its
   description, gives a reason and posts the form with its CSRF token and
   stale-save token (a save slower than a second overlaps the next, on a
   connection of its own); each save is written down with what it wrote and
   the answer it got;
5. meanwhile probes ``GET /healthz`` and an uncached GraphQL query every 100 ms
   (at most 8 of a kind waiting for an answer) and keeps the timeline, dated
   by the answers;
6. with ``--faults``: kills one gunicorn worker with ``SIGKILL`` at a third of
   the run and stops PostgreSQL for ``--outage`` seconds at half of it
   (after waiting for other test runs on this machine to finish);
7. then checks every save against the database (:func:`verify_saves`): each
   successful save is a version of the record with its value and reason, in
   the order made, and the record holds the last value; a failed save wrote
   nothing or everything, never half; and it prints a summary.

The exit status is 0 when every check passed. ``--json PATH`` writes the
summary as JSON (the automated test reads it).
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import datetime
import json
import os
import random
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from tools.html_forms import FormFields
from tools.processes import clean_environment, free_port, stop

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
LOCUSTFILE = ROOT / "loadtest" / "locustfile.py"
PG_SERVER = "postgres://postgres@127.0.0.1:5432"
PG_SOURCE = "archive_bench_100000"
SQLITE_SOURCE = ROOT / "var" / "bench-100000.sqlite3"
REDIS_URL = "redis://127.0.0.1:6379/13"
ARCHIVIST = "loadtest-archivist"
EDITED_RECORDS = 20  # persons the archivist edits in turn
RECOVERY_LIMIT = 5.0  # seconds after the database is back within which the API must answer
KILL_GRACE = 2.0  # seconds after a worker is killed in which its cut requests may fail
PROBE_INTERVAL = 0.1
PROBES_IN_FLIGHT = 8  # of each kind
PROBE_KINDS = ("healthz", "graphql")
PROBE_TIMEOUT = 10.0  # a slow answer under load is not an error; the API's own limit is 10 s
PROGRESS_INTERVAL = 5.0
START_TIMEOUT = 60.0

# An answer the probe cannot get from the response cache: its text changes every time.
PROBE_QUERY = '{{ probe{n}: person(slug: "{slug}") {{ name }} }}'


# --- what the readers ask (used by the locustfile) ---------------------------------------


def read_requests(plan: dict) -> list[dict]:
    """The reads of the mix: name, weight, the benchmark's query, and variables to pick from."""
    from tools import benchmark

    return [
        {
            "name": "documents page (100)",
            "weight": 1,
            "query": benchmark.DOCUMENTS_PAGE,
            "variables": [{}],
        },
        {
            "name": "person + signed",
            "weight": 3,
            "query": benchmark.PERSON,
            "variables": [{"slug": slug} for slug in plan["signers"]],
        },
        {
            "name": "events in range",
            "weight": 2,
            "query": benchmark.EVENTS_IN_RANGE,
            "variables": [{"from": start, "to": end} for start, end in plan["ranges"]],
        },
        {
            "name": "search",
            "weight": 3,
            "query": benchmark.SEARCH,
            "variables": [{"text": text} for text in plan["surnames"]],
        },
        {
            "name": "history",
            "weight": 2,
            "query": benchmark.HISTORY,
            "variables": [{"slug": slug} for slug in plan["documents"]],
        },
        {
            "name": "asOf",
            "weight": 1,
            "query": benchmark.AS_OF,
            "variables": [{"slug": slug, "at": at} for slug, at in plan["as_of"]],
        },
    ]


class ReadMix:
    """The locustfile's reads: a random request of the mix, by weight (no Django needed)."""

    def __init__(self, plan_path: str | os.PathLike):
        plan = json.loads(Path(plan_path).read_text())
        self.wait = tuple(plan["wait"])
        self.reads = plan["reads"]
        self.weights = [read["weight"] for read in self.reads]

    def next(self, rng=random) -> tuple[str, dict]:
        read = rng.choices(self.reads, self.weights)[0]
        return read["name"], {"query": read["query"], "variables": rng.choice(read["variables"])}


def read_problem(status: int, body: str | bytes | None) -> str | None:
    """Why a GraphQL answer is a failure; None when it is a good answer."""
    if status != 200:
        return f"HTTP {status}"
    try:
        answer = json.loads(body or b"")
    except ValueError:
        return "not JSON"
    if not isinstance(answer, dict) or answer.get("errors") or answer.get("data") is None:
        errors = answer.get("errors") if isinstance(answer, dict) else None
        return f"GraphQL error: {errors[0].get('message') if errors else 'no data'}"
    return None


# --- the archivist --------------------------------------------------------------------------


def _form_errors(page: str) -> str:
    found = re.findall(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', page, re.S)
    text = " ".join(re.sub(r"<[^>]+>", " ", item) for item in found)
    return " ".join(text.split())[:300] or "the form was shown again"


def archivist(config: dict) -> None:
    """Start a save through the admin every ``interval`` seconds until ``until``.

    Each save logs in (once per connection), opens a person's change page,
    changes its description, gives a reason and posts the form as a browser
    would (CSRF token, stale-save token). Saves start on the clock, whether
    or not the one before has been answered: when the server is slow they
    overlap, each on a connection of its own (at most ``parallel``). The
    records are taken in turn, so one record is saved again only
    ``len(targets) × interval`` seconds later.

    Each attempt is one JSON line in ``config["saves"]``: what was written
    (value, reason), to which record, when, and how it ended: ``saved`` (302
    to the list), or ``failed`` with the stage (``login``, ``open``, ``save``)
    and why.
    """
    from concurrent.futures import ThreadPoolExecutor

    import requests

    base = config["base_url"]
    local = threading.local()
    written = threading.Lock()

    def session() -> requests.Session:
        if getattr(local, "session", None) is None:
            local.session = requests.Session()
            local.session.headers["User-Agent"] = "archive-loadtest-archivist/1"
            local.logged_in = False
        return local.session

    def log_in(client: requests.Session) -> None:
        page = client.get(f"{base}/admin/login/?next=/admin/", timeout=30)
        page.raise_for_status()
        answer = client.post(
            f"{base}/admin/login/?next=/admin/",
            data={
                "username": config["username"],
                "password": config["password"],
                "next": "/admin/",
                "csrfmiddlewaretoken": client.cookies["csrftoken"],
            },
            allow_redirects=False,
            timeout=30,
        )
        if answer.status_code != 302:
            raise RuntimeError(f"login answered {answer.status_code}")
        local.logged_in = True

    def save_once(save: dict, out) -> None:
        save["started"] = time.time()
        stage = "login"
        try:
            client = session()
            if not local.logged_in:
                log_in(client)
            stage = "open"
            url = f"{base}/admin/archive/person/{save['pk']}/change/"
            page = client.get(url, allow_redirects=False, timeout=30)
            if page.status_code == 302 and "/login/" in page.headers.get("Location", ""):
                local.logged_in = False
                raise RuntimeError("the session was lost: logging in again next time")
            if page.status_code != 200:
                raise RuntimeError(f"the change page answered {page.status_code}")
            fields = FormFields.of(
                page.text, "person_form", description=save["value"], change_reason=save["reason"]
            )
            save["opened_version"] = dict(fields).get("opened_version", "")
            stage = "save"
            save["posted"] = time.time()
            answer = client.post(
                url,
                data=[*fields, ("_save", "Save")],
                headers={"Referer": url},
                allow_redirects=False,
                timeout=30,
            )
            save["status"] = answer.status_code
            if answer.status_code == 302 and answer.headers.get("Location", "").endswith(
                "/admin/archive/person/"
            ):
                save["outcome"] = "saved"
            elif answer.status_code == 200:
                raise RuntimeError(f"refused: {_form_errors(answer.text)}")
            else:
                locked = "database is locked" in answer.text
                raise RuntimeError(
                    f"the save answered {answer.status_code}"
                    + (" (database is locked)" if locked else "")
                )
        except Exception as error:  # noqa: BLE001 - every failure is recorded as such
            save.update(outcome="failed", stage=stage, error=f"{type(error).__name__}: {error}")
            if isinstance(error, requests.RequestException):
                local.session = None  # a cut connection: start afresh
        save["finished"] = time.time()
        with written:
            out.write(json.dumps(save) + "\n")
            out.flush()

    targets = config["targets"]
    started = time.time()
    with (
        open(config["saves"], "a", encoding="utf-8") as out,
        ThreadPoolExecutor(max_workers=config.get("parallel", 8)) as pool,
    ):
        number = 0
        while (due := started + number * config["interval"]) < config["until"]:
            time.sleep(max(0.0, due - time.time()))
            target = targets[number % len(targets)]
            number += 1
            save = {
                "number": number,
                "pk": target["pk"],
                "slug": target["slug"],
                "value": f"Load test {config['run']}: save {number} at {due:.3f}",
                "reason": f"Load test {config['run']}, save {number}",
                "due": due,
            }
            pool.submit(save_once, save, out)


# --- the run ------------------------------------------------------------------------------


@dataclass
class Options:
    database: str = "postgresql"
    source: str = ""
    users: int = 50
    spawn_rate: float = 10
    seconds: int = 60
    workers: int = 3
    interval: float = 1.0
    wait: tuple[float, float] = (0.5, 1.5)
    faults: bool = False
    outage: float = 3.0
    redis: str = REDIS_URL
    conn_max_age: int = 60
    json_path: str = ""
    log_dir: str = ""
    keep: bool = False


@dataclass
class Probe:
    kind: str  # healthz or graphql
    started: float
    ended: float
    ok: bool
    detail: str


@dataclass
class Run:
    options: Options
    directory: Path
    run_id: str = field(default_factory=lambda: secrets.token_hex(4))
    database_url: str = ""
    database_name: str = ""
    sqlite_path: Path | None = None
    port: int = 0
    password: str = field(default_factory=lambda: secrets.token_urlsafe(16))
    plan: dict = field(default_factory=dict)
    targets: list = field(default_factory=list)
    documents: int = 0
    probes: list = field(default_factory=list)
    events: list = field(default_factory=list)  # (time, what)
    faults: dict = field(default_factory=dict)
    start: float = 0.0
    gunicorn: subprocess.Popen | None = None
    stop_probing: threading.Event = field(default_factory=threading.Event)
    probes_skipped: int = 0
    cpu: dict = field(default_factory=dict)  # pid: (gunicorn or locust, CPU seconds)
    load: list = field(default_factory=list)  # the machine's load average, 1 min, each 5 s

    def note(self, what: str) -> None:
        now = time.time()
        self.events.append((now, what))
        print(f"[{now - self.start:5.1f}s] {what}" if self.start else f"==> {what}", flush=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def _pg_admin():
    import psycopg

    return psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True, connect_timeout=5)


def prepare_database(run: Run) -> None:
    options = run.options
    if options.database == "postgresql":
        source = options.source or PG_SOURCE
        run.database_name = f"archive_load_{run.run_id}"
        run.note(f"Copying PostgreSQL database {source} to {run.database_name} (about a minute)")
        deadline = time.time() + 120
        while True:
            try:
                with _pg_admin() as admin:
                    admin.execute(f'CREATE DATABASE "{run.database_name}" TEMPLATE "{source}"')
                break
            except Exception as error:
                # The template may not have other sessions while it is copied.
                if "being accessed by other users" not in str(error) or time.time() > deadline:
                    raise
                time.sleep(2)
        run.database_url = f"{PG_SERVER}/{run.database_name}?connect_timeout=5"
    else:
        source = Path(options.source or SQLITE_SOURCE)
        run.sqlite_path = run.directory / "archive.sqlite3"
        run.note(f"Copying SQLite file {source} to {run.sqlite_path}")
        for suffix in ("", "-wal", "-shm"):
            if Path(f"{source}{suffix}").exists():
                shutil.copyfile(f"{source}{suffix}", f"{run.sqlite_path}{suffix}")
        run.database_url = f"sqlite:///{run.sqlite_path}"


def drop_database(run: Run) -> None:
    from django.db import connections

    connections.close_all()
    if run.database_name:
        with _pg_admin() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{run.database_name}" WITH (FORCE)')
        run.note(f"Dropped {run.database_name}")
    elif run.sqlite_path:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{run.sqlite_path}{suffix}").unlink(missing_ok=True)


def server_environment(run: Run) -> dict:
    """Production settings, plain HTTP on the loopback (nobody else can reach it)."""
    env = clean_environment(
        DATABASE_URL=run.database_url,
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=f"loadtest-{run.run_id}-" + secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_HTTPS="0",
        DJANGO_STATIC_MANIFEST="0",  # the archivist's client fetches no static file
        DJANGO_CONN_MAX_AGE=str(run.options.conn_max_age),
        WEB_CONCURRENCY=str(run.options.workers),
        GUNICORN_TIMEOUT="30",
        GUNICORN_GRACEFUL_TIMEOUT="5",
        BIND=f"127.0.0.1:{run.port}",
        PYTHONUNBUFFERED="1",
    )
    if run.options.redis:
        env["REDIS_URL"] = run.options.redis
    return env


def setup_django(run: Run) -> None:
    os.environ.update(server_environment(run))
    os.environ["DJANGO_CONN_MAX_AGE"] = "0"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")
    import django

    django.setup()


def prepare_archive(run: Run) -> None:
    """The archivist's login, the records edited, and the readers' variables."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db import connections

    from archive.models import Document, DocumentSignatory, Person

    user, _ = get_user_model().objects.get_or_create(username=ARCHIVIST)
    user.is_staff = True
    group = Group.objects.filter(name="Archivists").first()
    user.is_superuser = group is None
    user.set_password(run.password)
    user.save()
    if group:
        user.groups.set([group])

    run.documents = Document.objects.count()
    people = list(
        Person.objects.filter(published=True)
        .order_by("pk")
        .values("pk", "slug", "description")[:EDITED_RECORDS]
    )
    run.targets = [{"pk": p["pk"], "slug": p["slug"]} for p in people]
    run.plan["original_descriptions"] = {str(p["pk"]): p["description"] for p in people}

    rng = random.Random(1)
    signatories = list(
        DocumentSignatory.objects.filter(document__published=True, person__published=True)
        .order_by("pk")
        .values_list("person__slug", "person__name")[:200]
    )
    documents = list(
        Document.objects.filter(published=True).order_by("pk").values_list("slug", flat=True)[:200]
    )
    documents = rng.sample(documents, min(40, len(documents)))
    as_of = []
    for slug in documents[:20]:
        first = (
            Document.history.filter(slug=slug).order_by("history_date").values("history_date")[:1]
        )
        at = first[0]["history_date"] + datetime.timedelta(seconds=1)
        as_of.append((slug, at.isoformat()))
    ranges = []
    for _ in range(30):
        year, month = rng.randint(1900, 1980), rng.randint(1, 11)
        start = datetime.date(year, month, 1)
        end = datetime.date(year, month + 1, 28)
        ranges.append((start.isoformat(), end.isoformat()))
    run.plan.update(
        wait=list(run.options.wait),
        signers=sorted({slug for slug, _ in signatories})[:50],
        surnames=sorted({name.split()[-1] for _, name in signatories})[:50],
        documents=documents,
        as_of=as_of,
        ranges=ranges,
    )
    run.plan["reads"] = read_requests(run.plan)
    connections.close_all()


def start_gunicorn(run: Run) -> None:
    out = (run.directory / "gunicorn.out.log").open("wb")
    err = (run.directory / "gunicorn.err.log").open("wb")
    run.gunicorn = subprocess.Popen(
        [str(VENV_BIN / "gunicorn"), "--config", "project/gunicorn.conf.py"],
        cwd=ROOT,
        env=server_environment(run),
        stdout=out,
        stderr=err,
        start_new_session=True,
    )
    import requests

    deadline = time.time() + START_TIMEOUT
    while time.time() < deadline:
        if run.gunicorn.poll() is not None:
            raise RuntimeError(
                f"gunicorn exited:\n{(run.directory / 'gunicorn.err.log').read_text()}"
            )
        with contextlib.suppress(requests.RequestException):
            if requests.get(f"{run.base_url}/healthz", timeout=2).status_code == 200:
                return
        time.sleep(0.3)
    raise RuntimeError("gunicorn was not healthy within a minute")


def workers(run: Run) -> list[int]:
    import psutil

    return sorted(child.pid for child in psutil.Process(run.gunicorn.pid).children())


# --- probes and faults -----------------------------------------------------------------------


def probe(run: Run, kind: str, number: int) -> None:
    """One probe, on a connection of its own; recorded with when it was sent and answered."""
    import requests

    started = time.time()
    try:
        if kind == "healthz":
            answer = requests.get(f"{run.base_url}/healthz", timeout=PROBE_TIMEOUT)
            body = answer.json() if answer.status_code in (200, 503) else {}
            ok = answer.status_code == 200 and body.get("database") == "ok"
            detail = f"{answer.status_code} {body.get('status', '')}".strip()
        else:
            answer = requests.post(
                f"{run.base_url}/graphql/",
                json={"query": PROBE_QUERY.format(n=number, slug=run.targets[0]["slug"])},
                timeout=PROBE_TIMEOUT,
            )
            problem = read_problem(answer.status_code, answer.content)
            ok, detail = problem is None, problem or "200"
    except Exception as error:  # noqa: BLE001
        ok, detail = False, type(error).__name__
    run.probes.append(Probe(kind, started, time.time(), ok, detail))


def probe_loop(run: Run) -> None:
    """A /healthz probe and a GraphQL probe every PROBE_INTERVAL, each sent on time.

    Under load an answer can take longer than the interval: the probes then
    overlap (each in a thread of its own), so that the timeline keeps its
    resolution, up to PROBES_IN_FLIGHT of each kind (beyond that a tick is
    skipped: the probes must not become a load of their own). What a probe
    saw is dated by its answer (``ended``).
    """
    from concurrent.futures import ThreadPoolExecutor

    in_flight = {kind: threading.BoundedSemaphore(PROBES_IN_FLIGHT) for kind in PROBE_KINDS}

    def send(kind: str, number: int) -> None:
        try:
            probe(run, kind, number)
        finally:
            in_flight[kind].release()

    with ThreadPoolExecutor(max_workers=PROBES_IN_FLIGHT * len(PROBE_KINDS)) as pool:
        number = 0
        while not run.stop_probing.is_set():
            number += 1
            for kind in PROBE_KINDS:
                if in_flight[kind].acquire(blocking=False):
                    pool.submit(send, kind, number)
                else:
                    run.probes_skipped += 1
            time.sleep(max(0.0, run.start + number * PROBE_INTERVAL - time.time()))


def _cluster() -> list[str]:
    version = sorted(os.listdir("/etc/postgresql"))[-1]
    return ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main"]


def _pg_ready() -> bool:
    return subprocess.run(["pg_isready", "-q", "-h", "127.0.0.1"], check=False).returncode == 0


def other_test_runs() -> list[str]:
    """Other pytest processes on this machine (not this process nor its ancestors)."""
    import psutil

    mine = {os.getpid(), *(p.pid for p in psutil.Process().parents())}
    found = subprocess.run(["pgrep", "-af", "pytest"], capture_output=True, text=True).stdout
    return [line for line in found.splitlines() if line and int(line.split()[0]) not in mine]


def wait_for_other_test_runs(run: Run, limit: float) -> bool:
    deadline = time.time() + limit
    said = 0.0
    while (others := other_test_runs()) and time.time() < deadline:
        if time.time() - said > 30:
            run.note(
                f"Waiting for other test runs to end before restarting PostgreSQL: "
                f"{len(others)} running ({others[0][:80]})"
            )
            said = time.time()
        time.sleep(5)
    return not other_test_runs()


def kill_worker(run: Run) -> None:
    before = workers(run)
    victim = before[0]
    os.kill(victim, signal.SIGKILL)
    killed = time.time()
    run.faults["worker_killed"] = killed
    run.note(f"Killed gunicorn worker {victim} (SIGKILL)")
    while time.time() - killed < 30:
        now = workers(run)
        if victim not in now and len(now) == len(before):
            run.faults["worker_replaced"] = time.time()
            run.note(f"Gunicorn replaced it in {time.time() - killed:.2f} s")
            return
        time.sleep(0.05)


def restart_postgresql(run: Run) -> None:
    """Stop PostgreSQL for ``--outage`` seconds, when no other test run is using it.

    Other test runs may start while the load runs: the restart waits for a
    moment without any, as long as the rest of the run leaves time for the
    outage and the recovery after it; otherwise it is skipped (and the
    summary says so).
    """
    latest = run.start + run.options.seconds - run.options.outage - RECOVERY_LIMIT - 5
    said = False
    while others := other_test_runs():
        if time.time() > latest:
            run.faults["skipped"] = f"another test run was using it: {others[0][:100]}"
            run.note(f"NOT restarting PostgreSQL: {run.faults['skipped']}")
            return
        if not said:
            run.note(
                f"Waiting to restart PostgreSQL: another test run is using it ({others[0][:60]})"
            )
            said = True
        time.sleep(0.5)
    run.faults["stop_begun"] = time.time()
    run.note("Stopping PostgreSQL (fast: sessions are cut)")
    subprocess.run([*_cluster(), "stop", "-m", "fast"], check=True)
    run.faults["stopped"] = time.time()
    run.note(f"PostgreSQL stopped; starting it again in {run.options.outage:g} s")
    try:
        time.sleep(run.options.outage)
    finally:
        run.faults["start_begun"] = time.time()
        # pg_ctlcluster returns a while after the server accepts connections:
        # when it does is watched on the side, with pg_isready.
        ready = threading.Event()

        def watch():
            while not ready.is_set():
                if _pg_ready():
                    run.faults.setdefault("up", time.time())
                    return
                time.sleep(0.05)

        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        try:
            subprocess.run([*_cluster(), "start"], check=True)
            run.faults["start_returned"] = time.time()
            watcher.join(timeout=60)
        finally:
            ready.set()
        run.faults.setdefault("up", time.time())
        run.note(
            f"PostgreSQL accepting connections again at {run.faults['up'] - run.start:.1f} s "
            f"(pg_ctlcluster start returned at {run.faults['start_returned'] - run.start:.1f} s)"
        )


def fault_loop(run: Run) -> None:
    seconds = run.options.seconds
    plan = [(seconds / 3, kill_worker)]
    if run.options.database == "postgresql":
        plan.append((seconds / 2, restart_postgresql))
    for at, action in plan:
        time.sleep(max(0.0, run.start + at - time.time()))
        if run.stop_probing.is_set():
            return
        try:
            action(run)
        except Exception as error:  # noqa: BLE001
            run.faults.setdefault("problems", []).append(f"{action.__name__}: {error}")
            run.note(f"Fault {action.__name__} failed: {error}")


# --- locust ---------------------------------------------------------------------------------


def start_locust(run: Run) -> subprocess.Popen:
    options = run.options
    env = {**os.environ, "LOADTEST_PLAN": str(run.directory / "plan.json")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    log = (run.directory / "locust.log").open("wb")
    return subprocess.Popen(
        [
            str(VENV_BIN / "locust"),
            "-f",
            str(LOCUSTFILE),
            "--headless",
            "--only-summary",
            "-u",
            str(options.users),
            "-r",
            f"{options.spawn_rate:g}",
            "-t",
            f"{options.seconds}s",
            "--stop-timeout",
            "10",
            "--host",
            run.base_url,
            "--csv",
            str(run.directory / "locust"),
            "--loglevel",
            "WARNING",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _csv_rows(path: Path) -> list[dict]:
    if not path.exists():
        return []
    with path.open(newline="") as file:
        return list(csv.DictReader(file))


def _number(value, default=0.0) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return default


def locust_progress(run: Run) -> dict:
    rows = [
        r
        for r in _csv_rows(run.directory / "locust_stats_history.csv")
        if r["Name"] == "Aggregated"
    ]
    if not rows:
        return {}
    last = rows[-1]
    return {
        "users": int(_number(last["User Count"])),
        "rps": _number(last["Requests/s"]),
        "requests": int(_number(last["Total Request Count"])),
        "failures": int(_number(last["Total Failure Count"])),
        "p50": _number(last["50%"]),
        "p95": _number(last["95%"]),
    }


def locust_results(run: Run) -> dict:
    rows = _csv_rows(run.directory / "locust_stats.csv")
    reads = {}
    for row in rows:
        reads[row["Name"]] = {
            "requests": int(_number(row["Request Count"])),
            "failures": int(_number(row["Failure Count"])),
            "rps": _number(row["Requests/s"]),
            "median_ms": _number(row["50%"], _number(row["Median Response Time"])),
            "p95_ms": _number(row["95%"]),
            "max_ms": _number(row["Max Response Time"]),
        }
    history = [
        r
        for r in _csv_rows(run.directory / "locust_stats_history.csv")
        if r["Name"] == "Aggregated"
    ]
    failure_seconds, previous = [], 0
    for row in history:
        total = int(_number(row["Total Failure Count"]))
        if total > previous:
            failure_seconds.append((int(row["Timestamp"]), total - previous))
        previous = total
    failures = [
        {"error": r["Error"], "name": r["Name"], "count": int(_number(r["Occurrences"]))}
        for r in _csv_rows(run.directory / "locust_failures.csv")
    ]
    log = (run.directory / "locust.log").read_text(errors="replace")
    cpu_warnings = [line.strip() for line in log.splitlines() if "CPU usage" in line]
    return {
        "reads": reads,
        "failure_seconds": failure_seconds,
        "failures": failures,
        "cpu_warnings": cpu_warnings,
    }


# --- checks ---------------------------------------------------------------------------------


def verify_saves(saves: list[dict], original: dict) -> dict:
    """Each save against the database and the record's history.

    * a save answered as saved: exactly one version of the record with its
      reason, and that version holds its value (not lost, not doubled);
    * the versions of one record's successful saves are in the order the
      saves were made, and the record holds the value of its last one;
    * a failed save: no version with its reason and no version with its value
      (nothing written), or both in one version (written whole: the answer was
      lost, e.g. the database went down after the commit); never one without
      the other.
    """
    from archive.models import Person

    history = Person.history.model
    lost, half, doubled, out_of_order, committed_failed, wrong_current = [], [], [], [], [], []
    by_record: dict[int, list] = {}
    for save in saves:
        versions = list(
            history.objects.filter(id=save["pk"], history_change_reason=save["reason"]).values(
                "history_id", "description", "history_type"
            )
        )
        with_value = history.objects.filter(id=save["pk"], description=save["value"]).count()
        whole = [v for v in versions if v["description"] == save["value"]]
        save["found"] = bool(whole)
        if save["outcome"] == "saved":
            if not whole:
                lost.append(save["number"])
            elif len(versions) > 1 or with_value > 1:
                doubled.append(save["number"])
            if whole:
                by_record.setdefault(save["pk"], []).append(
                    (save["number"], whole[0]["history_id"])
                )
        elif versions or with_value:
            if whole and len(versions) == 1 and with_value == 1:
                committed_failed.append(save["number"])
                by_record.setdefault(save["pk"], []).append(
                    (save["number"], whole[0]["history_id"])
                )
            else:
                half.append(save["number"])
    for pk, made in by_record.items():
        made.sort()
        ids = [history_id for _, history_id in made]
        if ids != sorted(ids):
            out_of_order.append(pk)
    for pk_text, description in original.items():
        pk = int(pk_text)
        current = Person.objects.filter(pk=pk).values_list("description", flat=True).first()
        last = max(
            (s for s in saves if s["pk"] == pk and s.get("found")),
            key=lambda s: s["number"],
            default=None,
        )
        expected = last["value"] if last else description
        if current != expected:
            wrong_current.append(pk)
    succeeded = [s for s in saves if s["outcome"] == "saved"]
    durations = sorted((s["finished"] - s["started"]) * 1000 for s in succeeded)
    return {
        "median_ms": statistics.median(durations) if durations else None,
        "p95_ms": durations[round(0.95 * (len(durations) - 1))] if durations else None,
        "made": len(saves),
        "succeeded": len(succeeded),
        "failed": len(saves) - len(succeeded),
        "found": sum(1 for s in succeeded if s.get("found")),
        "lost": lost,
        "half_done": half,
        "doubled": doubled,
        "out_of_order": out_of_order,
        "failed_but_committed": committed_failed,
        "wrong_current_value": wrong_current,
        "failures": sorted(
            {f"{s['stage']}: {s['error']}"[:160] for s in saves if s["outcome"] == "failed"}
        ),
        "locked": sum(1 for s in saves if "database is locked" in s.get("error", "")),
    }


def _windows(times: list[float], gap: float = 1.0) -> list[tuple[float, float]]:
    windows = []
    for moment in sorted(times):
        if windows and moment - windows[-1][1] <= gap:
            windows[-1][1] = moment
        else:
            windows.append([moment, moment])
    return [tuple(w) for w in windows]


def timeline(run: Run) -> dict:
    """The probes' story, dated by their answers: when the API failed and when it came back.

    ``recovery``: seconds from PostgreSQL accepting connections again to the
    last failed answer (0 when none failed after it); ``first_good``: to the
    first good answer to a probe sent after it (this includes the wait in
    the queue of a loaded server).
    """
    probes = sorted(run.probes, key=lambda p: p.ended)
    failed = [p for p in probes if not p.ok]
    result = {
        "probes": len(probes),
        "probe_failures": len(failed),
        "error_windows": [
            (start - run.start, end - run.start)
            for start, end in _windows([p.ended for p in failed])
        ],
        "first_error": (failed[0].ended - run.start) if failed else None,
        "last_error": (failed[-1].ended - run.start) if failed else None,
        "error_details": sorted({f"{p.kind}: {p.detail}" for p in failed}),
    }
    faults = run.faults
    if "up" in faults:
        down, up = faults["stop_begun"], faults["up"]
        result["outage"] = (down - run.start, up - run.start, up - down)
        last_failure = max((p.ended for p in failed), default=up)
        result["recovery"] = max(0.0, last_failure - up)
        good = [p.ended for p in probes if p.ok and p.started >= up]
        result["first_good"] = (min(good) - up) if good else None
        result["recovered_at"] = max(up, last_failure) - run.start
    return result


def allowed_error_windows(run: Run) -> list[tuple[float, float]]:
    """When errors are expected: the database down (and recovering), a killed worker's cut."""
    windows = []
    faults = run.faults
    if "up" in faults:
        windows.append((faults["stop_begun"], faults["up"] + RECOVERY_LIMIT))
    if "worker_killed" in faults:
        windows.append((faults["worker_killed"] - 0.5, faults["worker_killed"] + KILL_GRACE))
    return windows


def _inside(moment: float, windows, slack: float = 0.0) -> bool:
    return any(start - slack <= moment <= end + slack for start, end in windows)


def server_log_findings(run: Run) -> dict:
    err = (run.directory / "gunicorn.err.log").read_text(errors="replace")
    out = (run.directory / "gunicorn.out.log").read_text(errors="replace")
    five_hundreds = [line for line in out.splitlines() if re.search(r'" 5\d\d \d', line)]
    return {
        "database_is_locked": err.count("database is locked") + out.count("database is locked"),
        "tracebacks": err.count("Traceback (most recent call last)"),
        "5xx": len(five_hundreds),
        "worker_timeouts": err.count("WORKER TIMEOUT"),
    }


def evaluate(run: Run, reads: dict, saves: dict, probes: dict, server: dict) -> list[tuple]:
    """(check, passed, detail) for the summary."""
    checks = []
    total = reads["reads"].get("Aggregated", {})
    errors = total.get("failures", 0)
    windows = allowed_error_windows(run)
    if run.options.faults:
        stray = [
            (t, n)
            for t, n in reads["failure_seconds"]
            if not _inside(t, windows, slack=1.5)  # locust's history has 1-second rows
        ]
        checks.append(
            (
                "read errors only while the database was down or at the worker kill",
                not stray,
                f"{errors} errors" + (f"; outside: {stray}" if stray else ""),
            )
        )
        stray_probes = [p for p in run.probes if not p.ok and not _inside(p.ended, windows, 0.2)]
        checks.append(
            (
                "probe errors only while the database was down or at the worker kill",
                not stray_probes,
                f"{probes['probe_failures']} failed probes"
                + (
                    f"; outside: {[round(p.ended - run.start, 1) for p in stray_probes][:5]}"
                    if stray_probes
                    else ""
                ),
            )
        )
        stray_saves = [
            s["number"]
            for s in saves["records"]
            if s["outcome"] == "failed" and not _inside(s["finished"], windows, 1.0)
        ]
        checks.append(
            (
                "save failures only while the database was down or at the worker kill",
                not stray_saves,
                f"{saves['failed']} failed" + (f"; outside: {stray_saves}" if stray_saves else ""),
            )
        )
        if run.options.database == "postgresql":
            recovery = probes.get("recovery")
            checks.append(
                (
                    f"API recovered within {RECOVERY_LIMIT:g} s of PostgreSQL's return",
                    recovery is not None and recovery <= RECOVERY_LIMIT,
                    "PostgreSQL was not restarted: " + run.faults.get("skipped", "?")
                    if "up" not in run.faults
                    else f"{recovery:.2f} s"
                    if recovery is not None
                    else "never",
                )
            )
        checks.append(
            (
                "gunicorn replaced the killed worker",
                "worker_replaced" in run.faults,
                f"in {run.faults['worker_replaced'] - run.faults['worker_killed']:.2f} s"
                if "worker_replaced" in run.faults
                else "not replaced",
            )
        )
    else:
        checks.append(("zero read errors", errors == 0, f"{errors} errors"))
        checks.append(("zero failed saves", saves["failed"] == 0, f"{saves['failed']} failed"))
        checks.append(
            ("zero failed probes", probes["probe_failures"] == 0, f"{probes['probe_failures']}")
        )
    checks.append(
        (
            "every successful save is in the database and the history, in order",
            not (
                saves["lost"]
                or saves["doubled"]
                or saves["out_of_order"]
                or saves["wrong_current_value"]
            ),
            f"{saves['found']} of {saves['succeeded']} found; lost {saves['lost'] or 0}, "
            f"doubled {saves['doubled'] or 0}, out of order {saves['out_of_order'] or 0}, "
            f"wrong current value {saves['wrong_current_value'] or 0}",
        )
    )
    checks.append(
        (
            "no failed save half-done",
            not saves["half_done"],
            f"half-done {saves['half_done'] or 0}; failed but committed whole "
            f"{saves['failed_but_committed'] or 0}",
        )
    )
    checks.append(("the archivist saved", saves["succeeded"] > 0, f"{saves['succeeded']} saves"))
    checks.append(
        ("locust read", total.get("requests", 0) > 0, f"{total.get('requests', 0)} reads")
    )
    if run.options.database == "sqlite":
        locked = server["database_is_locked"] + saves["locked"]
        checks.append(('zero "database is locked"', locked == 0, f"{locked} in logs and answers"))
    return checks


# --- the summary ----------------------------------------------------------------------------


def _second_windows(seconds: list[tuple[int, int]]) -> list[tuple[int, int, int]]:
    """Locust's seconds with failures, as runs of consecutive seconds: (first, last, count)."""
    runs = []
    for moment, count in seconds:
        if runs and moment - runs[-1][1] <= 2:
            runs[-1][1], runs[-1][2] = moment, runs[-1][2] + count
        else:
            runs.append([moment, moment, count])
    return [tuple(r) for r in runs]


def _ms(value) -> str:
    return f"{value:,.0f} ms" if value is not None else "-"


def summary_text(run: Run, result: dict) -> str:
    o = run.options
    reads = result["reads"]["reads"]
    saves, probes, server = result["saves"], result["timeline"], result["server"]
    lines = [
        "",
        f"Load test {run.run_id}: {o.database}, {run.documents:,} documents, {o.users} users "
        f"for {o.seconds} s, {o.workers} gunicorn workers, a save every {o.interval:g} s"
        + (", with faults" if o.faults else ""),
        "",
        "| reads (locust) | requests | req/s | median | p95 | max | errors |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, row in sorted(reads.items(), key=lambda item: item[0] == "Aggregated"):
        label = "**all**" if name == "Aggregated" else name
        lines.append(
            f"| {label} | {row['requests']:,} | {row['rps']:.1f} | {_ms(row['median_ms'])} | "
            f"{_ms(row['p95_ms'])} | {_ms(row['max_ms'])} | {row['failures']} |"
        )
    lines += [
        "",
        "| archivist saves (open + post) | made | succeeded | failed | found in DB + history "
        "| lost | half-done | median | p95 |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
        f"| every {o.interval:g} s | {saves['made']} | {saves['succeeded']} | {saves['failed']} | "
        f"{saves['found']} | {len(saves['lost'])} | {len(saves['half_done'])} | "
        f"{_ms(saves['median_ms'])} | {_ms(saves['p95_ms'])} |",
        "",
        f"Probes (/healthz and an uncached GraphQL query every {PROBE_INTERVAL * 1000:.0f} ms): "
        f"{probes['probes']}, failed {probes['probe_failures']} "
        f"({run.probes_skipped} ticks skipped: {PROBES_IN_FLIGHT} of a kind already waiting).",
        f"Server log: {server['5xx']} answers 5xx, {server['tracebacks']} tracebacks, "
        f"{server['worker_timeouts']} worker timeouts, "
        f'{server["database_is_locked"]} "database is locked".',
        f"Machine: {os.cpu_count()} cores shared by locust, gunicorn, the database and "
        f"whatever else runs; load average (1 min) during the run "
        f"{min(run.load, default=0):.1f}–{max(run.load, default=0):.1f}; CPU used: "
        + ", ".join(
            f"{name} {sum(t for n, t in run.cpu.values() if n == name):.0f} s"
            for name in ("gunicorn", "locust")
        )
        + f" (of {os.cpu_count() * o.seconds} core-seconds).",
    ]
    if o.faults:
        f = run.faults
        lines += ["", "| fault timeline | at (s into the run) |", "|---|---|"]
        if "worker_killed" in f:
            replaced = (
                f"replaced after {f['worker_replaced'] - f['worker_killed']:.2f} s"
                if "worker_replaced" in f
                else "not replaced"
            )
            lines.append(
                f"| worker killed (SIGKILL) | {f['worker_killed'] - run.start:.1f} ({replaced}) |"
            )
        if "up" in f:
            start, end, length = probes["outage"]
            lines.append(
                f"| PostgreSQL down (stop begun → accepting again) | "
                f"{start:.1f} → {end:.1f} ({length:.2f} s) |"
            )
        elif "skipped" in f:
            lines.append(f"| PostgreSQL restart | skipped: {f['skipped']} |")
        for start, end in probes["error_windows"]:
            lines.append(f"| API errors (probes) | {start:.1f} → {end:.1f} ({end - start:.2f} s) |")
        if not probes["error_windows"]:
            lines.append("| API errors (probes) | none |")
        for start, end, count in _second_windows(result["reads"]["failure_seconds"]):
            lines.append(
                f"| read errors (locust, per second) | {start - run.start:.0f} → "
                f"{end - run.start:.0f}: {count} |"
            )
        if probes.get("recovery") is not None:
            lines.append(
                f"| last API error (probes) | {probes['recovered_at']:.1f} "
                f"({probes['recovery']:.2f} s after PostgreSQL was back) |"
            )
            if probes.get("first_good") is not None:
                lines.append(
                    f"| first good answer to a probe sent after PostgreSQL was back | "
                    f"+{probes['first_good']:.2f} s (includes the queue) |"
                )
        if probes["error_details"]:
            lines.append(f"\nProbe errors: {'; '.join(probes['error_details'])[:400]}")
    if saves["failures"]:
        lines.append("Failed saves: " + "; ".join(saves["failures"])[:600])
    if result["reads"]["failures"]:
        lines.append(
            "Read errors: "
            + "; ".join(
                f"{f['count']}× {f['name']}: {f['error'][:100]}"
                for f in result["reads"]["failures"][:10]
            )
        )
    if result["reads"]["cpu_warnings"]:
        lines.append(f"Locust: {result['reads']['cpu_warnings'][0]}")
    lines += ["", "| check | result | |", "|---|---|---|"]
    for name, passed, detail in result["checks"]:
        lines.append(f"| {name} | {'PASS' if passed else 'FAIL'} | {detail} |")
    lines.append("")
    lines.append(f"Logs, locust's CSV and the saves: {run.directory}")
    return "\n".join(lines)


# --- main -----------------------------------------------------------------------------------


def run_load(options: Options) -> int:
    directory = Path(options.log_dir or tempfile.mkdtemp(prefix="archive-loadtest-"))
    directory.mkdir(parents=True, exist_ok=True)
    run = Run(options, directory)
    pg_stopped = False
    locust = archivist_process = None
    threads: list[threading.Thread] = []
    try:
        if options.faults and options.database == "postgresql":
            if not wait_for_other_test_runs(run, 600):
                print("Other test runs are still using PostgreSQL after 10 minutes; not starting.")
                return 2
        prepare_database(run)
        run.port = free_port()
        setup_django(run)
        prepare_archive(run)
        (directory / "plan.json").write_text(json.dumps(run.plan))
        if options.redis:
            import redis

            redis.Redis.from_url(options.redis, socket_connect_timeout=1).flushdb()
        run.note(f"Starting gunicorn ({options.workers} workers) on {run.base_url}")
        start_gunicorn(run)
        saves_path = directory / "saves.jsonl"
        saves_path.write_text("")
        run.start = time.time()
        until = run.start + options.seconds
        locust = start_locust(run)
        archivist_config = {
            "base_url": run.base_url,
            "username": ARCHIVIST,
            "password": run.password,
            "targets": run.targets,
            "interval": options.interval,
            "until": until,
            "saves": str(saves_path),
            "run": run.run_id,
        }
        (directory / "archivist.json").write_text(json.dumps(archivist_config))
        archivist_process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tools.loadtest",
                "--archivist",
                str(directory / "archivist.json"),
            ],
            cwd=ROOT,
            stdout=(directory / "archivist.log").open("wb"),
            stderr=subprocess.STDOUT,
        )
        run.note(
            f"Running: {options.users} readers (locust), an archivist saving every "
            f"{options.interval:g} s, probes every {PROBE_INTERVAL * 1000:.0f} ms"
        )
        threads = [threading.Thread(target=probe_loop, args=(run,), daemon=True)]
        if options.faults:
            pg_stopped = options.database == "postgresql"
            threads.append(threading.Thread(target=fault_loop, args=(run,), daemon=True))
        for thread in threads:
            thread.start()
        next_line = run.start + PROGRESS_INTERVAL
        while locust.poll() is None or archivist_process.poll() is None:
            if time.time() > until + 60:
                run.note("Locust or the archivist did not stop in time: stopping them")
                break
            if time.time() >= next_line:
                next_line += PROGRESS_INTERVAL
                run.load.append(os.getloadavg()[0])
                cpu_seconds(run, locust)
                print(progress_line(run, saves_path), flush=True)
            time.sleep(0.2)
        cpu_seconds(run, locust)
        run.stop_probing.set()
        for thread in threads:
            thread.join(timeout=60)
        stop(locust)
        if archivist_process.poll() is None:
            archivist_process.kill()
        run.note("Load over; checking every save against the database")
        stop(run.gunicorn)
        if pg_stopped and not _pg_ready():
            subprocess.run([*_cluster(), "start"], check=False)
        saves_made = [json.loads(line) for line in saves_path.read_text().splitlines() if line]
        saves = verify_saves(saves_made, run.plan["original_descriptions"])
        saves["records"] = saves_made
        result = {
            "reads": locust_results(run),
            "saves": saves,
            "timeline": timeline(run),
            "server": server_log_findings(run),
        }
        result["checks"] = evaluate(
            run, result["reads"], saves, result["timeline"], result["server"]
        )
        print(summary_text(run, result), flush=True)
        passed = all(ok for _, ok, _ in result["checks"])
        if options.json_path:
            Path(options.json_path).write_text(
                json.dumps(_json_summary(run, result, passed), indent=2)
            )
        return 0 if passed else 1
    finally:
        run.stop_probing.set()
        stop(locust)
        if archivist_process is not None and archivist_process.poll() is None:
            archivist_process.kill()
        stop(run.gunicorn)
        if pg_stopped:
            while not _pg_ready():
                run.note("PostgreSQL is not running: starting it")
                subprocess.run([*_cluster(), "start"], check=False)
                time.sleep(1)
        if not options.keep and (run.database_name or run.sqlite_path):
            with contextlib.suppress(Exception):
                drop_database(run)
        if options.redis:
            with contextlib.suppress(Exception):
                import redis

                redis.Redis.from_url(options.redis, socket_connect_timeout=1).flushdb()


def cpu_seconds(run: Run, locust: subprocess.Popen) -> None:
    """The CPU time used so far by gunicorn (master and workers) and by locust."""
    import psutil

    processes = {"locust": [locust.pid], "gunicorn": [run.gunicorn.pid]}
    with contextlib.suppress(psutil.Error):
        processes["gunicorn"] += workers(run)
    for name, pids in processes.items():
        for pid in pids:
            with contextlib.suppress(psutil.Error):
                times = psutil.Process(pid).cpu_times()
                run.cpu[pid] = (name, times.user + times.system)


def progress_line(run: Run, saves_path: Path) -> str:
    now = time.time()
    stats = locust_progress(run)
    lines = [json.loads(x) for x in saves_path.read_text().splitlines() if x]
    saved = sum(1 for s in lines if s["outcome"] == "saved")
    recent = [p for p in run.probes if p.started > now - PROGRESS_INTERVAL]
    bad = sum(1 for p in recent if not p.ok)
    reads = (
        f"{stats['users']} users, {stats['requests']:,} reads ({stats['rps']:.0f}/s), "
        f"{stats['failures']} errors, median {stats['p50']:.0f} ms, p95 {stats['p95']:.0f} ms"
        if stats
        else "locust starting"
    )
    return (
        f"[{now - run.start:5.1f}s] {reads} | saves {saved} ok, {len(lines) - saved} failed | "
        f"probes {len(recent) - bad}/{len(recent)} ok"
    )


def _json_summary(run: Run, result: dict, passed: bool) -> dict:
    total = result["reads"]["reads"].get("Aggregated", {})
    saves = {k: v for k, v in result["saves"].items() if k != "records"}
    return {
        "passed": passed,
        "database": run.options.database,
        "documents": run.documents,
        "users": run.options.users,
        "seconds": run.options.seconds,
        "workers": run.options.workers,
        "requests": total.get("requests", 0),
        "rps": total.get("rps", 0),
        "median_ms": total.get("median_ms"),
        "p95_ms": total.get("p95_ms"),
        "errors": total.get("failures", 0),
        "reads": result["reads"]["reads"],
        "saves": saves,
        "timeline": result["timeline"],
        "faults": {
            k: (v - run.start if isinstance(v, float) else v) for k, v in run.faults.items()
        },
        "server": result["server"],
        "cpu_warnings": result["reads"]["cpu_warnings"],
        "cpu_seconds": {
            name: sum(t for n, t in run.cpu.values() if n == name)
            for name in ("gunicorn", "locust")
        },
        "load_average": run.load,
        "checks": [{"check": c, "passed": ok, "detail": d} for c, ok, d in result["checks"]],
        "directory": str(run.directory),
    }


def parse_args(argv=None) -> Options:
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
    parser.add_argument("--users", type=int, default=50, help="concurrent locust clients")
    parser.add_argument("--spawn-rate", type=float, default=10, help="clients started per second")
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers")
    parser.add_argument("--interval", type=float, default=1.0, help="seconds between saves")
    parser.add_argument(
        "--wait",
        default="0.5,1.5",
        help="seconds each client waits between its requests, MIN,MAX (0,0: as fast as it can)",
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
    parser.add_argument("--json", dest="json_path", default="", help="write the summary here")
    parser.add_argument("--log-dir", default="", help="logs and CSV here (default: a new temp dir)")
    parser.add_argument("--keep", action="store_true", help="keep the database copy")
    parser.add_argument("--archivist", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.archivist:
        return args
    low, _, high = args.wait.partition(",")
    options = Options(
        **{
            k: v for k, v in vars(args).items() if k in Options.__dataclass_fields__ and k != "wait"
        },
        wait=(float(low), float(high or low)),
    )
    return options


def main(argv=None) -> int:
    options = parse_args(argv)
    if isinstance(options, argparse.Namespace):  # the archivist's own process
        archivist(json.loads(Path(options.archivist).read_text()))
        return 0
    return run_load(options)


if __name__ == "__main__":
    sys.exit(main())
