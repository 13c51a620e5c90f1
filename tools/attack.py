"""Denial-of-service requests against a production-mode server, measured.

``bin/attack`` (``python -m tools.attack``) does, in order:

1. makes sure a generated archive of ``--documents`` documents (seed 1) is
   there: ``var/attack-<n>.sqlite3``, or the PostgreSQL database
   ``archive_attack_<n>`` with ``--database postgresql``; it is generated once
   (:mod:`tools.generate_archive`) and reused, since nothing here writes;
2. serves it with gunicorn (``project/gunicorn.conf.py``, DEBUG off, one sync
   worker that is never recycled, no response cache: an attacker varies each
   request to miss it), so that each request's work lands in one process to
   measure;
3. sends each request of :func:`requests_to_send` in turn (two controls, then
   requests that each push one limit, or the validator, as far as it admits),
   sampling the worker's resident memory every 5 ms while the request runs,
   and reports its status, its time, the worker's peak growth over its size
   before the request, and what the answer said;
4. prints a summary table and exits with 1 if any request failed: it took
   2 s or more (refused or not: a refusal that slow held the worker as long),
   the worker grew by more than 50 MB, the answer was a 5xx, or the worker
   died.

``--only NAME,NAME`` sends only those requests; ``--set NAME=VALUE`` gives
the server a setting (``--set GRAPHQL_TIME_LIMIT=1``); ``--json PATH``
writes the results as JSON.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import random
import secrets
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import psutil

from tools.processes import Gunicorn, clean_environment

ROOT = Path(__file__).resolve().parent.parent
PG_SERVER = "postgres://postgres@127.0.0.1:5432"
SECONDS_ALLOWED = 2.0
GROWTH_ALLOWED = 50 * 1024 * 1024
SAMPLE_INTERVAL = 0.005
CLIENT_TIMEOUT = 60.0
# Asked for, as Apollo Client 4 does: a request refused before it runs is a 400
# (GraphQL over HTTP), which tells a refusal from an answer. application/json
# would answer it 200.
GRAPHQL_RESPONSE = "application/graphql-response+json"


# --- the requests ---------------------------------------------------------------------


@dataclass
class Request:
    name: str
    item: str  # its group in the table ("-": a control); SIZED probes go before a group
    body: bytes
    content_type: str = "application/json"


def graphql(name: str, item: str, query: str, variables: dict | None = None) -> Request:
    payload = {"query": query, "variables": variables or {}}
    return Request(name, item, json.dumps(payload).encode())


def words(count: int, seed: int) -> str:
    rng = random.Random(seed)
    return " ".join(f"w{rng.randrange(100000):05d}" for _ in range(count))


def _deep_as_of(aliases: int = 1) -> str:
    """Seven levels of lists under an asOf read, every page of one; two of them
    walk a state's documents (about 1,250 parties per state at 20k)."""
    reads = " ".join(f"a{i}: {_AS_OF_READ}" for i in range(aliases))
    return "query ($t: DateTime) { " + reads + " }"


_AS_OF_READ = """state(slug: "state-000001", asOf: $t) {
    name
    documents(pagination: {limit: 1}) { document { title
      parties(pagination: {limit: 1}) { state { name
        documents(pagination: {limit: 1}) { document { title
          signatories(pagination: {limit: 1}) { person { name
            signed(pagination: {limit: 1}) { role } } } } } } } } }
  }"""


def _defaulted_page() -> str:
    return """query ($l: Int = 100) {
  states(pagination: {limit: $l}) { results { name
    documents(pagination: {limit: $l}) { document { title
      signatories(pagination: {limit: $l}) { person { name } } } } } }
}"""


def _texts_under_aliases() -> str:
    aliases = " ".join(
        f'a{i}: persons(filters: {{text: "{words(400, i)}"}}) {{ totalCount }}' for i in range(30)
    )
    return "{ " + aliases + " }"


INTROSPECTION = (
    "__schema { types { name fields { name args { name type { name ofType { name } } } "
    "type { name kind ofType { name kind ofType { name } } } } } }"
)


def _fragment_chain(depth: int) -> str:
    fragments = " ".join(
        f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}" for i in range(depth)
    )
    return "{ ...F0 } " + fragments + f" fragment F{depth} on Query {{ __typename }}"


def _budget_page(size: int) -> str:
    """A page of ``size`` documents with lists of ``size`` under each, and histories."""
    return f"""{{ documents(pagination: {{limit: {size}}}) {{ results {{
  slug title officialTitle summary text kind date {{ edtf display earliest latest }}
  place {{ name state {{ name }} }}
  provisions(pagination: {{limit: {size}}}) {{ number text }}
  parties(pagination: {{limit: {size}}}) {{ role state {{ name officialName }} }}
  signatories(pagination: {{limit: {size}}}) {{ role person {{ name born {{ display }} }}
    onBehalfOf {{ name }} }}
  events(pagination: {{limit: {size}}}) {{ role event {{ name date {{ display }} }} }}
  history(pagination: {{limit: {size}}}) {{ date type summary changes {{ field old new }} }}
}} }} }}"""


def _deep_json(depth: int) -> bytes:
    return b'{"query": "{ __typename }", "variables": {"v": ' + b"[" * depth + b"]" * depth + b"}}"


def requests_to_send() -> list[Request]:
    return [
        graphql("control: one person", "-", '{ person(slug: "person-000001") { name } }'),
        graphql("control: a syntax error", "-", '{ person(slug: "person-000001") { name }'),
        graphql("defaulted-variable pages of 100", "6", _defaulted_page()),
        graphql("12,000 words under 30 aliases", "7", _texts_under_aliases()),
        graphql(
            "search of 2,000 words",
            "7",
            "query ($t: String!) { search(text: $t) { score } }",
            {"t": words(2000, 99)},
        ),
        graphql(
            "7-level asOf, pages of 1",
            "8",
            _deep_as_of(),
            {"t": "2100-01-01T00:00:00Z"},
        ),
        # here the largest page the budget admits: its size is found against the server (SIZED)
        graphql(
            "30 x introspection (no SQL)",
            "10",
            "{ " + " ".join(f"a{i}: {INTROSPECTION}" for i in range(30)) + " }",
        ),
        Request("JSON body nested 3,000 deep", "12", _deep_json(3000)),
        graphql(
            "validation: one field 1,990 times",
            "found",
            '{ document(slug: "document-000001") { ' + "title " * 1990 + "} }",
        ),
        graphql(
            "validation: one list 380 times",
            "found",
            '{ document(slug: "document-000001") { ' + "parties { role } " * 380 + "} }",
        ),
        graphql("fragments doubling 30 times", "found", _fragment_chain(30)),
        graphql(
            "offset of a billion",
            "found",
            "{ documents(pagination: {offset: 1000000000, limit: 100}) "
            "{ totalCount results { title } } }",
        ),
    ]


# --- the archive and the server ------------------------------------------------------


def database_url(kind: str, documents: int) -> str:
    if kind == "postgresql":
        return f"{PG_SERVER}/archive_attack_{documents}"
    return f"sqlite:///{ROOT / 'var' / f'attack-{documents}.sqlite3'}"


def documents_in(url: str) -> int:
    """How many documents the archive at ``url`` holds (0 if it has no tables yet)."""
    try:
        if url.startswith("sqlite:///"):
            path = url.removeprefix("sqlite:///")
            if not os.path.exists(path):
                return 0
            with sqlite3.connect(path) as db:
                return db.execute("SELECT count(*) FROM archive_document").fetchone()[0]
        import psycopg

        with psycopg.connect(url.replace("postgres://", "postgresql://")) as db:
            return db.execute("SELECT count(*) FROM archive_document").fetchone()[0]
    except Exception:  # noqa: BLE001 - no database, or no tables: nothing generated
        return 0


def ensure_archive(url: str, documents: int, seed: int, say: Callable[[str], None]) -> None:
    if documents_in(url) >= documents:
        return
    if url.startswith("postgres"):
        import psycopg

        server = urllib.parse.urlsplit(url)
        maintenance = server._replace(scheme="postgresql", path="/postgres").geturl()
        name = server.path.lstrip("/")
        with psycopg.connect(maintenance, autocommit=True) as admin:
            exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if exists.fetchone() is None:
                admin.execute(f'CREATE DATABASE "{name}"')
    else:
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    say(f"Generating {documents:,} documents (seed {seed}) into {url}: once, it takes minutes")
    env = clean_environment(DATABASE_URL=url, DJANGO_DEBUG="1")
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run(
        [sys.executable, "-m", "tools.generate_archive", "--documents", str(documents),
         "--seed", str(seed), "--clear", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
    )  # fmt: skip


def server_environment(url: str) -> dict:
    return clean_environment(
        DATABASE_URL=url,
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="attack-" + secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_HTTPS="0",  # plain HTTP on the loopback, as behind a TLS proxy
        DJANGO_STATIC_MANIFEST="0",
        WEB_CONCURRENCY="1",  # one worker: every request's work is in the process measured
        GUNICORN_MAX_REQUESTS="0",
        # An attacker varies each request (an alias) to miss the response cache.
        GRAPHQL_CACHE="0",
        GUNICORN_TIMEOUT="30",
        PYTHONUNBUFFERED="1",
    )


def worker_of(server: Gunicorn) -> psutil.Process | None:
    try:
        children = psutil.Process(server.process.pid).children()
    except psutil.NoSuchProcess:
        return None
    return children[0] if children else None


def wait_for_worker(server: Gunicorn, timeout: float = 30) -> psutil.Process:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        worker = worker_of(server)
        if worker is not None:
            return worker
        time.sleep(0.1)
    raise RuntimeError(f"gunicorn has no worker:\n{server.logs()}")


# --- measuring ------------------------------------------------------------------------


@dataclass
class Result:
    name: str
    item: str
    status: int | None  # None: no answer (connection cut, timeout)
    seconds: float
    growth: int  # bytes: the worker's peak resident size over its size before
    worker_died: bool
    said: str

    @property
    def refused(self) -> bool:
        return self.status is not None and 400 <= self.status < 500

    @property
    def problems(self) -> list[str]:
        problems = []
        if self.seconds >= SECONDS_ALLOWED:
            problems.append(f"took {self.seconds:.1f} s")
        if self.growth > GROWTH_ALLOWED:
            problems.append(f"grew {self.growth / 2**20:.0f} MB")
        if self.status is None or self.status >= 500:
            problems.append("no answer" if self.status is None else f"HTTP {self.status}")
        if self.worker_died:
            problems.append("worker died")
        return problems


def summary_of(body: bytes, status: int | None) -> str:
    """What the answer said, in a few words: its first error, or that it had data."""
    if status is None:
        return body.decode(errors="replace")
    try:
        answer = json.loads(body)
    except ValueError:
        return body[:80].decode(errors="replace").strip() or f"{len(body)} bytes"
    errors = answer.get("errors") if isinstance(answer, dict) else None
    if errors:
        more = f" (+{len(errors) - 1} more)" if len(errors) > 1 else ""
        return str(errors[0].get("message", ""))[:90] + more
    return f"data, {len(body):,} bytes"


def send(url: str, request: Request, worker: psutil.Process) -> Result:
    """Send ``request`` while sampling ``worker``'s memory; its result."""
    before = worker.memory_info().rss
    peak = before
    answer: dict = {}

    def call():
        http = urllib.request.Request(
            url,
            data=request.body,
            headers={"Content-Type": request.content_type, "Accept": GRAPHQL_RESPONSE},
        )
        try:
            with urllib.request.urlopen(http, timeout=CLIENT_TIMEOUT) as response:
                answer.update(status=response.status, body=response.read())
        except urllib.error.HTTPError as error:
            answer.update(status=error.code, body=error.read())
        except OSError as error:
            answer.update(status=None, body=f"{type(error).__name__}: {error}".encode())

    started = time.monotonic()
    caller = threading.Thread(target=call)
    caller.start()
    died = False
    while caller.is_alive():
        try:
            peak = max(peak, worker.memory_info().rss)
        except psutil.NoSuchProcess:
            died = True
        caller.join(SAMPLE_INTERVAL)
    seconds = time.monotonic() - started
    died = died or not worker.is_running()
    return Result(
        name=request.name,
        item=request.item,
        status=answer["status"],
        seconds=seconds,
        growth=peak - before,
        worker_died=died,
        said=summary_of(answer["body"], answer["status"]),
    )


def largest_admitted(url: str, family: Callable[[int], Request], most: int) -> Request:
    """The largest request of ``family`` (1 to ``most``) the limits admit: bisection on
    its size (a refusal costs milliseconds and no SQL)."""
    low, high = 1, most
    while low < high:
        middle = (low + high + 1) // 2
        http = urllib.request.Request(
            url,
            data=family(middle).body,
            headers={"Content-Type": "application/json", "Accept": GRAPHQL_RESPONSE},
        )
        try:
            with urllib.request.urlopen(http, timeout=CLIENT_TIMEOUT):
                admitted = True
        except urllib.error.HTTPError as error:
            admitted = error.code != 400
        if admitted:
            low = middle
        else:
            high = middle - 1
    return family(low)


# Requests whose size is found against the running server: (where, family, largest size).
SIZED = [
    (
        "10",  # before the introspection request, the first of group "10"
        lambda n: graphql(f"largest admitted page ({n} x {n})", "9", _budget_page(n)),
        100,
    ),
    (
        "10",
        lambda n: graphql(
            f"asOf {n} times under aliases (7 levels)",
            "found",
            _deep_as_of(n),
            {"t": "2100-01-01T00:00:00Z"},
        ),
        20,
    ),
]


def attack(
    url: str, only: set[str] | None, say: Callable[[str], None], settings: dict | None = None
) -> list[Result]:
    """Serve the archive at ``url`` (with ``settings``) and send each request; the results."""
    results = []
    env = server_environment(url) | (settings or {})
    with tempfile.TemporaryDirectory(prefix="attack-") as logs:
        server = Gunicorn(env, Path(logs), name="gunicorn (attack)")
        try:
            server.wait_until_healthy()
            endpoint = server.url("/graphql/")
            chosen = requests_to_send()
            for before, family, most in SIZED:
                if only is None or any(family(1).name.startswith(name) for name in only):
                    # The probes go first: refusals, and admitted runs the worker has
                    # grown for already (the request is measured again, below).
                    largest = largest_admitted(endpoint, family, most)
                    position = next(i for i, r in enumerate(chosen) if r.item == before)
                    chosen.insert(position, largest)
            for request in chosen:
                if only is not None and not any(request.name.startswith(n) for n in only):
                    continue
                worker = wait_for_worker(server)
                result = send(endpoint, request, worker)
                results.append(result)
                verdict = "ok" if not result.problems else "FAIL: " + ", ".join(result.problems)
                say(
                    f"{result.name}: {result.status} in {result.seconds:.2f} s, "
                    f"+{result.growth / 2**20:.1f} MB: {result.said} [{verdict}]"
                )
        finally:
            server.stop()
    return results


def table(results: list[Result]) -> str:
    rows = [("item", "request", "status", "time", "peak RSS +", "verdict")]
    for r in results:
        rows.append(
            (
                r.item,
                r.name,
                "-" if r.status is None else str(r.status),
                f"{r.seconds:.2f} s",
                f"{r.growth / 2**20:.1f} MB",
                ("refused" if r.refused else "answered") if not r.problems else
                "FAIL: " + ", ".join(r.problems),
            )
        )  # fmt: skip
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for n, row in enumerate(rows):
        cells = [
            cell.rjust(width) if i in (2, 3, 4) else cell.ljust(width)
            for i, (cell, width) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(cells).rstrip())
        if n == 0:
            lines.append("  ".join("-" * width for width in widths))
    failed = sum(1 for r in results if r.problems)
    lines.append("")
    lines.append(
        f"{len(results)} requests, {failed} failed "
        f"(a failure: {SECONDS_ALLOWED:g} s or more, the worker grown by more than "
        f"{GROWTH_ALLOWED // 2**20} MB, a 5xx or no answer, or the worker died)."
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--database-url", help="an archive to use instead (already generated)")
    parser.add_argument("--documents", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--only", help="comma-separated request names (their beginnings)")
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a setting for the server, e.g. GRAPHQL_TIME_LIMIT=1 (repeatable)",
    )
    parser.add_argument("--json", type=Path, help="also write the results here")
    options = parser.parse_args(argv)
    settings = dict(pair.split("=", 1) for pair in options.set)

    def say(line: str) -> None:
        print(line, flush=True)

    url = options.database_url or database_url(options.database, options.documents)
    if not options.database_url:
        ensure_archive(url, options.documents, options.seed, say)
    with_settings = "".join(f", {name}={value}" for name, value in settings.items())
    say(
        f"Attacking a production-mode gunicorn on {url} "
        f"({documents_in(url):,} documents{with_settings})"
    )
    only = {n.strip() for n in options.only.split(",")} if options.only else None
    results = attack(url, only, say, settings)
    say("")
    say(table(results))
    if options.json:
        options.json.write_text(
            json.dumps([dataclasses.asdict(r) | {"problems": r.problems} for r in results])
        )
    return 1 if any(r.problems for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
