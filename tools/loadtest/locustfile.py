"""bin/loadtest's locustfile: readers, an archivist and probes on one gunicorn.

* :class:`Reader` (``--users`` of them): the benchmark's GraphQL queries
  (:mod:`tools.benchmark`), weighted, with varied variables; a GraphQL answer
  with ``errors`` is a failure.
* :class:`Archivist` (one): logs in to the admin and every ``--interval``
  seconds opens a person's change page, changes its description, gives a
  reason and posts the form (CSRF token, stale-save token). Each save is
  written down in ``saves.jsonl`` with what it wrote and how it ended.
* :class:`HealthProbe` and :class:`QueryProbe` (one each): ``/healthz`` and an
  uncached GraphQL query every 100 ms, kept as a timeline.
* ``--faults``: :mod:`tools.loadtest.faults` during the run.
* When locust quits, :mod:`tools.loadtest.checks` checks every save against the
  database and its history, the summary is printed, and the exit code is 0
  only when every check passed.

The database is the one gunicorn serves (``DATABASE_URL``): the run's
variables and the archivist's login are made in it when locust starts.
``bin/loadtest`` (:mod:`tools.loadtest.__main__`) prepares all that and runs
this file headless.
"""

from __future__ import annotations

import datetime
import json
import os
import random
import re
import secrets
import time
from dataclasses import dataclass, field
from pathlib import Path

import django
import gevent
import gevent.lock
import gevent.pool
from locust import FastHttpUser, HttpUser, between, constant_pacing, events, task
from locust.stats import StatsEntry

# The benchmark's queries come with its models: Django first.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")
django.setup()

from tools import benchmark  # noqa: E402
from tools.html_forms import FormFields  # noqa: E402
from tools.loadtest import checks, summary  # noqa: E402
from tools.loadtest.faults import Faults  # noqa: E402

ARCHIVIST = "loadtest-archivist"
EDITED_RECORDS = 20  # persons the archivist edits in turn
# An answer the response cache cannot hold: its text changes every time.
PROBE_QUERY = '{{ probe{n}: person(slug: "{slug}") {{ name }} }}'


@dataclass
class Run:
    """What the users share: the run's variables, its records, and what it saw."""

    directory: Path = Path()
    password: str = field(default_factory=lambda: secrets.token_urlsafe(16))
    documents: int = 0
    targets: list[dict] = field(default_factory=list)  # the persons the archivist edits
    originals: dict[int, str] = field(default_factory=dict)  # their descriptions before
    signers: list[str] = field(default_factory=list)
    surnames: list[str] = field(default_factory=list)
    documents_sample: list[str] = field(default_factory=list)
    as_of: list[tuple[str, str]] = field(default_factory=list)
    ranges: list[tuple[str, str]] = field(default_factory=list)
    run_id: str = field(default_factory=lambda: secrets.token_hex(4))
    start: float = 0.0
    saves_made: int = 0
    probes: list[checks.Probe] = field(default_factory=list)
    faults: Faults | None = None
    injecting: gevent.Greenlet | None = None

    @property
    def saves_path(self) -> Path:
        return self.directory / "saves.jsonl"

    def prepare(self) -> None:
        """The archivist's login, the records it edits, and the readers' variables."""
        from django.contrib.auth import get_user_model
        from django.contrib.auth.models import Group
        from django.db import connections

        from archive import visibility
        from archive.models import Document, DocumentSignatory, Person

        user, _ = get_user_model().objects.get_or_create(username=ARCHIVIST)
        user.is_staff = True
        group = Group.objects.filter(name="Archivists").first()
        user.is_superuser = group is None
        user.set_password(self.password)
        user.save()
        if group:
            user.groups.set([group])

        self.documents = Document.objects.count()
        people = visibility.public_records(Person.objects.all()).order_by("pk")[:EDITED_RECORDS]
        self.targets = [{"pk": p.pk, "slug": p.slug} for p in people]
        self.originals = {p.pk: p.description for p in people}

        rng = random.Random(1)
        signatories = list(
            visibility.public_rows(DocumentSignatory.objects.all())
            .order_by("pk")
            .values_list("person__slug", "person__name")[:200]
        )
        self.signers = sorted({slug for slug, _ in signatories})[:50]
        self.surnames = sorted({name.split()[-1] for _, name in signatories})[:50]
        documents = visibility.public_records(Document.objects.all()).order_by("pk")
        documents = list(documents.values_list("slug", flat=True)[:200])
        self.documents_sample = rng.sample(documents, min(40, len(documents)))
        for slug in self.documents_sample[:20]:
            first = Document.history.filter(slug=slug).earliest("history_date").history_date
            self.as_of.append((slug, (first + datetime.timedelta(seconds=1)).isoformat()))
        for _ in range(30):
            year, month = rng.randint(1900, 1980), rng.randint(1, 11)
            start, end = datetime.date(year, month, 1), datetime.date(year, month + 1, 28)
            self.ranges.append((start.isoformat(), end.isoformat()))
        self.saves_path.write_text("")
        connections.close_all()

    def record(self, save: dict) -> None:
        with self.saves_path.open("a", encoding="utf-8") as out:
            out.write(json.dumps(save) + "\n")


RUN = Run()


def read_problem(status: int, body: bytes | None) -> str | None:
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


class GraphQL(FastHttpUser):
    abstract = True
    network_timeout = 30.0
    connection_timeout = 10.0

    def ask(self, name: str, query: str, variables: dict | None = None) -> None:
        body = {"query": query, "variables": variables or {}}
        with self.client.post("/graphql/", json=body, name=name, catch_response=True) as answer:
            # status 0: no answer at all, reported with locust's own message
            if answer.status_code and (problem := read_problem(answer.status_code, answer.content)):
                answer.failure(problem)


class Reader(GraphQL):
    wait_time = between(0.5, 1.5)  # --wait

    @task(1)
    def documents_page(self):
        self.ask("documents page (100)", benchmark.DOCUMENTS_PAGE)

    @task(3)
    def person(self):
        self.ask("person + signed", benchmark.PERSON, {"slug": random.choice(RUN.signers)})

    @task(2)
    def events_in_range(self):
        start, end = random.choice(RUN.ranges)
        self.ask("events in range", benchmark.EVENTS_IN_RANGE, {"from": start, "to": end})

    @task(3)
    def search(self):
        self.ask("search", benchmark.SEARCH, {"text": random.choice(RUN.surnames)})

    @task(2)
    def history(self):
        self.ask("history", benchmark.HISTORY, {"slug": random.choice(RUN.documents_sample)})

    @task(1)
    def as_of(self):
        slug, at = random.choice(RUN.as_of)
        self.ask("asOf", benchmark.AS_OF, {"slug": slug, "at": at})


class HealthProbe(FastHttpUser):
    fixed_count = 1
    wait_time = constant_pacing(0.1)
    network_timeout = 10.0  # a slow answer under load is not an error; the API's limit is 10 s

    @task
    def healthz(self):
        with self.client.get("/healthz", name="probe: /healthz", catch_response=True) as answer:
            if answer.status_code in (200, 503):  # otherwise locust's own verdict stands
                try:
                    body = answer.json()
                except ValueError:
                    body = {"status": "not JSON"}
                if answer.status_code != 200 or body.get("database") != "ok":
                    answer.failure(f"{answer.status_code} {body.get('status', '')}".strip())


class QueryProbe(GraphQL):
    fixed_count = 1
    wait_time = constant_pacing(0.1)
    network_timeout = 10.0
    sent = 0

    @task
    def query(self):
        self.sent += 1
        self.ask("probe: uncached query", PROBE_QUERY.format(n=self.sent, slug=RUN.signers[0]))


class SaveFailed(Exception):
    pass


class Archivist(HttpUser):
    """One archivist saving a person's change form on the clock, as a browser would.

    A save starts every ``--interval`` seconds whether or not the one before has
    been answered: when the server is slow, saves overlap (locust's way to make
    concurrent requests within one user: a gevent pool), up to 8 at a time.
    The persons are taken in turn, so one is saved again only 20 saves later.
    """

    fixed_count = 1
    wait_time = constant_pacing(1.0)  # --interval
    logged_in = False

    def on_start(self):
        self.saving = gevent.pool.Pool(8)
        self.logging_in = gevent.lock.Semaphore()

    def on_stop(self):
        self.saving.join()  # every save started is written down (each request times out)

    @task
    def start_save(self):
        self.saving.spawn(self.save)

    @staticmethod
    def problem(answer) -> str:
        if answer.status_code == 0:
            return f"no answer: {answer.error}"
        if answer.status_code == 200:
            found = re.findall(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', answer.text, re.S)
            errors = " ".join(" ".join(re.sub(r"<[^>]+>", " ", item).split()) for item in found)
            return "refused: " + (errors[:300] or "the form was shown again")
        if "database is locked" in answer.text:
            return f"answered {answer.status_code} (database is locked)"
        location = answer.headers.get("Location")
        return f"answered {answer.status_code}" + (f" → {location}" if location else "")

    def request(self, method: str, url: str, name: str, redirect_to: str = "", **kwargs):
        """One request of a save, answered 200 or (``redirect_to``) redirected there;
        anything else is a failure for locust, and SaveFailed."""
        with self.client.request(
            method, url, name=name, allow_redirects=False, catch_response=True, timeout=30, **kwargs
        ) as answer:
            location = answer.headers.get("Location", "")
            problem = None
            if "/login/" in location:
                self.logged_in = False
                problem = "the session was lost: logging in again next time"
            elif answer.status_code != (302 if redirect_to else 200) or not location.endswith(
                redirect_to
            ):
                problem = self.problem(answer)
            if problem:
                answer.failure(problem)
        if problem:
            raise SaveFailed(problem)
        return answer

    def log_in(self) -> None:
        login = "/admin/login/?next=/admin/"
        self.request("GET", login, "admin: log in")
        credentials = {"username": ARCHIVIST, "password": RUN.password, "next": "/admin/"}
        token = {"csrfmiddlewaretoken": self.client.cookies.get("csrftoken", "")}
        data = {**credentials, **token}
        self.request("POST", login, "admin: log in", redirect_to="/admin/", data=data)
        self.logged_in = True

    def save(self):
        RUN.saves_made += 1
        number = RUN.saves_made
        target = RUN.targets[(number - 1) % len(RUN.targets)]
        save = {
            "number": number,
            "pk": target["pk"],
            "slug": target["slug"],
            "value": f"Load test {RUN.run_id}: save {number} at {time.time():.3f}",
            "reason": f"Load test {RUN.run_id}, save {number}",
            "started": time.time(),
        }
        stage = "login"
        try:
            with self.logging_in:  # one login at a time: logging in changes the CSRF token
                if not self.logged_in:
                    self.log_in()
            stage = "open"
            url = f"/admin/archive/person/{target['pk']}/change/"
            page = self.request("GET", url, "admin: change page")
            fields = FormFields.of(
                page.text, "person_form", description=save["value"], change_reason=save["reason"]
            )
            stage = "save"
            data = [*fields, ("_save", "Save")]
            referer = {"Referer": f"{self.host}{url}"}
            self.request(
                "POST", url, "admin: save", "/admin/archive/person/", data=data, headers=referer
            )
            save["outcome"] = "saved"
        except Exception as error:  # noqa: BLE001 - every failure is recorded as such
            save.update(outcome="failed", stage=stage, error=f"{type(error).__name__}: {error}")
        save["finished"] = time.time()
        RUN.record(save)


FIXED_USERS = (Archivist, HealthProbe, QueryProbe)  # the readers are the rest


# --- the run's options, its start and its end ------------------------------------------------


@events.init_command_line_parser.add_listener
def add_options(parser):
    run = parser.add_argument_group("bin/loadtest")
    run.add_argument("--run-dir", help="where gunicorn's logs are and the saves are written")
    run.add_argument("--gunicorn-pid", type=int, help="gunicorn's master (for --faults)")
    run.add_argument("--interval", type=float, default=1.0, help="seconds between saves")
    run.add_argument("--wait", default="0.5,1.5", help="seconds between a reader's requests")
    run.add_argument("--faults", action="store_true", help="kill a worker; restart PostgreSQL")
    run.add_argument("--outage", type=float, default=3.0, help="seconds PostgreSQL stays down")
    run.add_argument("--summary-file", help="the summary as JSON here too")


@events.init.add_listener
def prepare(environment, **_):
    options = environment.parsed_options
    Archivist.wait_time = constant_pacing(options.interval)
    low, _, high = options.wait.partition(",")
    Reader.wait_time = between(float(low), float(high or low))
    RUN.directory = Path(options.run_dir)
    RUN.prepare()
    if options.faults:
        RUN.faults = Faults(
            options.gunicorn_pid, options.run_time, options.outage, _database() == "postgresql"
        )


@events.test_start.add_listener
def started(environment, **_):
    RUN.start = time.time()
    if RUN.faults:
        RUN.injecting = gevent.spawn(RUN.faults.run, RUN.start)


@events.request.add_listener
def probed(name, start_time, response_time, exception, **_):
    if name.startswith("probe: "):
        ended = start_time + response_time / 1000
        detail = str(exception) if exception else "ok"
        RUN.probes.append(checks.Probe(name, start_time, ended, exception is None, detail))


@events.quitting.add_listener
def check(environment, **_):
    """Check every save, print the summary, and make the exit code say whether all passed."""
    if not RUN.start:
        return
    if RUN.injecting is not None:
        RUN.injecting.join(timeout=60)
    options = environment.parsed_options
    stats = environment.stats
    reader_names = {name for name, _ in stats.entries if not name.startswith(("admin:", "probe:"))}
    reads = StatsEntry(stats, "Aggregated", "")
    for (name, _), entry in stats.entries.items():
        if name in reader_names:
            reads.extend(entry)
    saves = [json.loads(line) for line in RUN.saves_path.read_text().splitlines() if line]
    verified = checks.verify_saves(saves, RUN.originals)
    faults = RUN.faults.timeline if RUN.faults else {}
    server = checks.server_log_findings(RUN.directory)
    timeline = checks.timeline(RUN.probes, faults, RUN.start)
    results = checks.evaluate(
        database=_database(),
        with_faults=RUN.faults is not None,
        reads=reads.num_requests,
        read_failure_seconds=reads.num_fail_per_sec,
        saves=saves,
        verified=verified,
        probes=RUN.probes,
        timeline=timeline,
        faults=faults,
        server=server,
        start=RUN.start,
    )
    report = summary.Report(
        database=_database(),
        documents=RUN.documents,
        readers=options.num_users - sum(u.fixed_count for u in FIXED_USERS),
        seconds=options.run_time,
        interval=options.interval,
        gunicorn_pid=options.gunicorn_pid,
        start=RUN.start,
        stats=stats,
        reader_names=sorted(reader_names),
        reads=reads,
        verified=verified,
        timeline=timeline,
        faults=faults,
        with_faults=RUN.faults is not None,
        server=server,
        checks=results,
        directory=RUN.directory,
    )
    print(report.text(), flush=True)
    for path in {RUN.directory / "summary.json", Path(options.summary_file or os.devnull)}:
        path.write_text(json.dumps(report.as_json(), indent=2))
    environment.process_exit_code = 0 if report.passed else 1


def _database() -> str:
    from django.db import connection

    return connection.vendor
