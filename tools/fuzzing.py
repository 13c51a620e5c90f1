"""Fuzzing the GraphQL API with schemathesis: generated queries against a live server.

Schemathesis (GraphQL mode, through hypothesis-graphql) generates operations
for every field of ``Query`` from the schema the server publishes by
introspection: *positive* ones (valid queries, with arguments anywhere in
their ranges: negative offsets, huge limits, any string, any date) and
*negative* ones (arguments of the wrong type, missing, null where they may
not be). Each goes over HTTP to the endpoint and every answer is checked
twice: by schemathesis's own checks, all of its defaults (no 5xx; no error
met while running, which it counts as a server error; a positive operation
accepted, a negative one refused; the response format), and by
:func:`response_problems`: a well-formed GraphQL response, with the archive's
statuses, that leaks nothing (no traceback, no path of the server, no SQL, no
internal notes).

Two instances of the same archive answer each operation, one with the
response cache on and one with it off: their answers must be the same byte
for byte, and every tenth operation is asked of the cached one a second time,
which must give the same answer again (a cache hit). So the cache can neither
change an answer nor keep a failure.

Hypothesis-graphql knows nothing of ``@oneOf`` inputs (the ``ordering``
arguments): without help most valid-looking queries of a list would be
refused before running. :func:`_steer` repairs them to one key each, and
puts in the demo data's slugs, words of its records and odd moments for
``asOf`` now and then, so that a share of the operations finds records
instead of nothing.

Used by ``tests/test_fuzz.py`` (a fixed seed, about 1,100 operations) and by
``bin/fuzz`` for longer runs (``bin/fuzz --examples 20000 --seed 7``, or
``--url`` to fuzz an archive already running); ``bin/fuzz --help``.
"""

from __future__ import annotations

import argparse
import collections
import concurrent.futures
import contextlib
import hashlib
import json
import math
import os
import re
import signal
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from tools.processes import DEMO_FIXTURE, ROOT, Gunicorn, demo_server

ENDPOINT = "/graphql/"

# --- the response format: one place, used by the test and by bin/fuzz ------------------

RESPONSE_KEYS = {"data", "errors", "extensions"}
GRAPHQL_RESPONSE = "application/graphql-response+json"
ERROR_KEYS = {"message", "locations", "path", "extensions"}
# What an answer must never show (unless the query itself contained it: an error
# message may quote the client's own text back).
LEAK_MARKERS = (
    "Traceback",
    'File "',
    "site-packages",
    "/work/",
    str(ROOT),
    "internal_notes",
    "internalNotes",
    "SELECT ",
    "archive_",  # table names
    "django.db",
    "psycopg",
    "sqlite3",
    "IntegrityError",
    "OperationalError",
    "ProgrammingError",
)
# MaskErrors' message: an exception the client did not cause (a bug), hidden.
MASKED_MESSAGE = "Unexpected error."
# graphql-core's message when a resolver returns null for a non-null field.
NON_NULL_VIOLATION = "Cannot return null for non-nullable field"


def _internal_notes() -> tuple[str, ...]:
    """The demo data's internal notes (the beginning of each): never in an answer."""
    try:
        records = json.loads(DEMO_FIXTURE.read_text())
    except OSError:
        return ()
    notes = (record["fields"].get("internal_notes") for record in records)
    return tuple(note[:40] for note in notes if note)


INTERNAL_NOTES = _internal_notes()


def response_problems(status: int, content_type: str, body: bytes, sent: str = "") -> list[str]:
    """What is wrong with one answer of the endpoint; an empty list when nothing is.

    ``sent`` is the query (and variables) the client sent: text it contains
    may come back in an error message without being a leak.
    """
    if status >= 500:
        return [f"server error: HTTP {status}"]
    text = body.decode("utf-8", errors="replace")
    problems = [
        f"leaks {marker!r}"
        for marker in (*LEAK_MARKERS, *INTERNAL_NOTES)
        if marker in text and marker not in sent
    ]
    if status not in (200, 400, 413):
        problems.append(f"unexpected status {status}")
    if not content_type.startswith(("application/json", GRAPHQL_RESPONSE)):
        if status == 200:
            problems.append(f"HTTP 200 that is not JSON ({content_type or 'no content type'})")
        elif not text.strip():
            problems.append(f"HTTP {status} with an empty body")
        return problems  # a 4xx with a plain-text message
    try:
        payload = json.loads(body)
    except ValueError as error:
        return [*problems, f"the body is not JSON ({error})"]
    return problems + graphql_format_problems(status, payload)


def graphql_format_problems(status: int, payload) -> list[str]:
    """How ``payload`` breaks the GraphQL response format (spec, "Response Format"), and
    the archive's conventions: 400 when nothing ran, 200 otherwise."""
    if not isinstance(payload, dict):
        return [f"the response is a {type(payload).__name__}, not an object"]
    problems = []
    if extra := set(payload) - RESPONSE_KEYS:
        problems.append(f"keys other than data, errors and extensions: {sorted(extra)}")
    if "data" not in payload and "errors" not in payload:
        problems.append("neither data nor errors")
    data = payload.get("data")
    if data is not None and not isinstance(data, dict):
        problems.append(f"data is a {type(data).__name__}, neither an object nor null")
    if "extensions" in payload and not isinstance(payload["extensions"], dict):
        problems.append("extensions is not an object")
    if "errors" in payload:
        errors = payload["errors"]
        if not isinstance(errors, list) or not errors:
            problems.append("errors is not a non-empty list")
        else:
            for error in errors:
                problems.extend(_error_problems(error))
    elif status != 200:
        problems.append(f"HTTP {status} without errors")
    elif not isinstance(data, dict):
        problems.append("HTTP 200 without errors and without data")
    if status == 200 and payload.get("errors") and "data" not in payload:
        problems.append("errors met while running (HTTP 200) without data")
    if status == 400 and data is not None:
        problems.append("HTTP 400 (nothing ran) with data")
    return problems


def _error_problems(error) -> list[str]:
    if not isinstance(error, dict):
        return [f"an error that is a {type(error).__name__}, not an object"]
    problems = []
    message = error.get("message")
    if not isinstance(message, str) or not message.strip():
        problems.append(f"an error without a message: {error!r}")
    elif message == MASKED_MESSAGE:
        problems.append("an unexpected error in the server (masked): see the server's log")
    elif NON_NULL_VIOLATION in message:
        problems.append(f"the answer contradicts the schema: {message}")
    if extra := set(error) - ERROR_KEYS:
        problems.append(f"an error with keys {sorted(extra)}")
    if "locations" in error:
        locations = error["locations"]
        if not isinstance(locations, list) or not all(
            isinstance(location, dict)
            and set(location) == {"line", "column"}
            and all(_positive_int(location[key]) for key in ("line", "column"))
            for location in locations
        ):
            problems.append(f"malformed locations: {locations!r}")
    if "path" in error:
        path = error["path"]
        if not isinstance(path, list) or not all(
            isinstance(step, str) or (isinstance(step, int) and not isinstance(step, bool))
            for step in path
        ):
            problems.append(f"malformed path: {path!r}")
    if "extensions" in error and not isinstance(error["extensions"], dict):
        problems.append("an error whose extensions are not an object")
    return problems


def _positive_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


EXCEPTION_LINE = re.compile(r"^[\w.]+(Error|Exception|Exit|Interrupt)\b.*")


def log_problems(log: str) -> list[str]:
    """Lines of a server's log that show an error it met (a 500, a masked exception,
    a worker killed): the log's line, and the exception's last line."""
    markers = (" ERROR ", "[ERROR]", "[CRITICAL]", "Internal Server Error", "WORKER TIMEOUT")
    return [
        line
        for line in log.splitlines()
        if any(marker in line for marker in markers) or EXCEPTION_LINE.match(line)
    ]


def describe_log_problems(lines: list[str], most: int = 20) -> str:
    """The lines of :func:`log_problems`, the most frequent first, without their times."""
    counts = collections.Counter(re.sub(r"^[\d\-:, \[\]+]+", "", line) for line in lines)
    return "\n".join(f"{n:5} × {line}" for line, n in counts.most_common(most))


# --- steering the generator -------------------------------------------------------------------

SLUG_ARGUMENTS = {
    "slug",
    "party",
    "signatory",
    "place",
    "participant",
    "state",
    "document",
    "signed",
    "event",
}
DEMO_SLUGS = (
    "ivan-maisky",
    "wladyslaw-sikorski",
    "sikorski-mayski-agreement",
    "molotov-ribbentrop-pact",
    "polish-soviet-military-agreement",
    "poland",
    "soviet-union",
    "united-kingdom",
    "germany",
    "london",
    "moscow",
    "operation-barbarossa",
    "sikorski-moscow-mission",
    "formation-of-the-anders-army",
    "no-such-record",
    "IVAN-MAISKY",
    "ivan maisky",
    "",
    "%",
    "ivan-maisky%",
    "../../etc/passwd",
)
DEMO_WORDS = (
    "sikorski",
    "sikorski maisky",
    "wladyslaw sikorski",
    "Władysław Sikorski",
    "u.s.s.r.",
    "mayski",
    "poland",
    "agreement",
    "moscow 1941",
    "   ",
    "%",
    "_",
    "'",
    '"',
    "\\",
    "' OR 1=1 --",
    "SELECT * FROM archive_person",
    "🕊️",
)
AS_OF_MOMENTS = (
    "9999-12-31T23:59:59Z",
    "9999-12-31T23:59:59-12:00",
    "0001-01-01T00:00:00Z",
    "0001-01-01T00:00:00+14:00",
    "2026-11-27T12:00:00",
    "2026-11-27T12:00:00+05:30",
    "1941-07-30T12:00:00Z",
    "2026-11-27",
)
SUBSTITUTION_PROBABILITY = 0.5

# What the API accepts beyond what GraphQL types can say (its descriptions and
# docs/api.md, "Limits", say it; tests/test_fuzz.py checks these against the archive's constants).
# A positive operation is generated within them: outside, the API refuses it with a
# 400 before running, which schemathesis's default checks rightly count as valid
# data refused. Values outside them are tested by tests/test_graphql_limits.py and
# tests/test_hostile_inputs.py.
CONTRACT = {
    "max_page_size": 100,  # settings.GRAPHQL_MAX_PAGE_SIZE
    "max_list_items": 10,  # settings.GRAPHQL_MAX_LIST_ITEMS
    "max_characters": 200,  # settings.GRAPHQL_MAX_TEXT_CHARACTERS
    "max_words": 20,  # settings.GRAPHQL_MAX_TEXT_WORDS
}
# What no record can hold, refused in any text (archive.graphql.schema.RefuseUnstorableText).
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


MAX_INT = 2**31 - 1  # GraphQL's Int


def within_budget(document) -> bool:
    """Whether the archive's own cost function admits the document (its budget is part
    of the contract, and no client-side rule can say what it admits)."""
    from django.conf import settings

    from archive.graphql import limits
    from archive.graphql.schema import schema

    try:
        return limits.query_cost(schema._schema, document) <= settings.GRAPHQL_MAX_COST
    except limits.RequestRefused:
        return False


def _within_contract(text: str) -> str:
    text = UNSTORABLE.sub("", text)[: CONTRACT["max_characters"]]
    words = text.split()
    return " ".join(words[: CONTRACT["max_words"]]) if len(words) > CONTRACT["max_words"] else text


def _steer(document, schema, random):
    """The generated document with ``@oneOf`` inputs given exactly one key, its values
    within :data:`CONTRACT`, and now and then a demo slug, word or moment instead of a
    generated string."""
    from graphql import (
        REMOVE,
        IntValueNode,
        ListValueNode,
        NullValueNode,
        ObjectValueNode,
        StringValueNode,
        TypeInfo,
        TypeInfoVisitor,
        Visitor,
        get_nullable_type,
        is_input_object_type,
        visit,
    )

    def substitute(node, name: str):
        if not isinstance(node.value, StringValueNode):
            return None
        if name in SLUG_ARGUMENTS:
            choices = DEMO_SLUGS
        elif name == "text":
            choices = DEMO_WORDS
        elif name == "asOf":
            choices = AS_OF_MOMENTS
        else:
            return None
        if random.random() >= SUBSTITUTION_PROBABILITY:
            return None
        value = StringValueNode(value=random.choice(choices))
        return type(node)(name=node.name, value=value)

    type_info = TypeInfo(schema)

    class Steer(Visitor):
        def enter_object_value(self, node, key, parent, path, ancestors):
            expected = get_nullable_type(type_info.get_input_type())
            if not (is_input_object_type(expected) and expected.is_one_of):
                return None
            given = [f for f in node.fields if not isinstance(f.value, NullValueNode)]
            if given:
                return ObjectValueNode(fields=(given[0],)) if len(node.fields) > 1 else None
            if isinstance(key, int):
                return REMOVE  # an item of a list (``ordering: [...]``): leave it out
            return ListValueNode(values=())  # ``ordering: {}``: an empty list instead

        def enter_argument(self, node, *args):
            return substitute(node, node.name.value) or page(node)

        def enter_object_field(self, node, *args):
            return substitute(node, node.name.value) or page(node)

        def enter_list_value(self, node, *args):
            if len(node.values) > CONTRACT["max_list_items"]:
                return ListValueNode(values=node.values[: CONTRACT["max_list_items"]])
            return None

        def enter_string_value(self, node, *args):
            text = _within_contract(node.value)
            return StringValueNode(value=text) if text != node.value else None

    def page(node):
        """A page's ``limit`` within the page size, its ``offset`` not negative."""
        name = node.name.value
        if name not in ("limit", "offset") or not isinstance(node.value, IntValueNode):
            return None
        number = min(abs(int(node.value.value)), MAX_INT)
        if name == "limit":
            number = min(number, CONTRACT["max_page_size"])
        if str(number) == node.value.value:
            return None
        return type(node)(name=node.name, value=IntValueNode(value=str(number)))

    return visit(document, TypeInfoVisitor(type_info, Steer()))


# --- generating and sending -------------------------------------------------------------------


def load_schema(url: str):
    """The schema the server publishes (introspection, with ``@oneOf``)."""
    import graphql
    import schemathesis

    return schemathesis.graphql.from_url(
        url, json={"query": graphql.get_introspection_query(one_of=True)}, timeout=30
    )


@dataclass
class Failure:
    label: str  # Query.documents
    mode: str  # positive / negative
    query: str
    problems: list[str]
    status: int | None = None
    body: str = ""

    def __str__(self) -> str:
        return (
            f"{self.label} ({self.mode}): {'; '.join(self.problems)}\n"
            f"  status: {self.status}\n  body: {self.body[:500]}\n"
            f"  query:\n    " + self.query.replace("\n", "\n    ")
        )


@dataclass
class Report:
    operations: int = 0
    requests: int = 0
    seconds: float = 0.0
    waiting: float = 0.0  # of which waiting for answers (the rest: generating, checking)
    statuses: collections.Counter = field(default_factory=collections.Counter)
    by_field: collections.Counter = field(default_factory=collections.Counter)
    outcomes: collections.Counter = field(default_factory=collections.Counter)
    failures: list[Failure] = field(default_factory=list)
    digest: str = ""  # of every query sent, in order: the same seed, the same digest

    def summary(self) -> str:
        statuses = ", ".join(f"{status}: {n}" for status, n in sorted(self.statuses.items()))
        outcomes = ", ".join(f"{kind}: {n}" for kind, n in sorted(self.outcomes.items()))
        fields = ", ".join(f"{label}: {n}" for label, n in self.by_field.items())
        lines = [
            f"{self.operations} operations sent ({self.requests} requests) in "
            f"{self.seconds:.1f} s ({self.waiting:.1f} s waiting for answers)",
            f"status codes: {statuses}",
            f"answers: {outcomes}",
            f"per field: {fields}",
            f"queries digest: {self.digest}",
            f"failures: {len(self.failures)}",
        ]
        kinds = collections.Counter(
            f"{failure.mode}: {re.sub(r'[0-9]+', 'N', problem)[:120]}"
            for failure in self.failures
            for problem in failure.problems
        )
        lines.extend(f"{n:5} × {kind}" for kind, n in kinds.most_common(30))
        lines.extend(str(failure) for failure in self.failures[:20])
        if len(self.failures) > 20:
            lines.append(f"... and {len(self.failures) - 20} more")
        return "\n".join(lines)


def _outcome(status: int, body: bytes) -> str:
    """positive and negative alike: ran (200, data), refused at run (200, errors), refused
    before running (400)."""
    try:
        payload = json.loads(body)
    except ValueError:
        return f"{status} not JSON"
    if status == 200 and isinstance(payload, dict):
        return "200 with errors" if payload.get("errors") else "200 with data"
    return str(status)


def fuzz(
    url: str,
    *,
    examples: int = 1100,
    seed: int = 0,
    compare_url: str | None = None,
    repeat_every: int = 10,
    negative_share: float = 0.25,
    progress: Callable[[Report], None] | None = None,
    progress_every: int = 500,
) -> Report:
    """Send about ``examples`` generated operations to the endpoint at ``url``.

    They are spread evenly over the fields of ``Query``, a ``negative_share`` of
    them negative. With ``compare_url`` (another instance of the same archive)
    each operation goes to both and their answers must be identical; every
    ``repeat_every``-th one goes to ``url`` twice, which must answer the same.
    Failures are collected, not raised: the report lists them all.
    """
    import requests
    from hypothesis import strategies as st
    from schemathesis.generation import GenerationMode
    from schemathesis.hooks import HookDispatcher, HookScope

    started = time.monotonic()
    schema = load_schema(url)
    client_schema = schema.client_schema
    steering = HookDispatcher(scope=HookScope.TEST)

    def flatmap_body(context, body):
        steered = st.randoms(use_true_random=False).map(lambda r: _steer(body, client_schema, r))
        return steered.filter(within_budget)

    steering.register_hook_with_name(flatmap_body, "flatmap_body")

    operations = [result.ok() for result in schema.get_all_operations()]
    negative = math.ceil(examples * negative_share / len(operations))
    positive = math.ceil(examples / len(operations)) - negative
    report = Report()
    digest = hashlib.sha256()
    session = requests.Session()
    base = urllib.parse.urlsplit(url)
    origin = f"{base.scheme}://{base.netloc}"
    compare_session = requests.Session()
    # As Apollo Client 4 asks: a request refused before it runs is then a 400
    # without data (GraphQL over HTTP), which the oracle tells from an answer.
    session.headers["Accept"] = compare_session.headers["Accept"] = GRAPHQL_RESPONSE
    threads = concurrent.futures.ThreadPoolExecutor(max_workers=1)

    def send(case, origin: str):
        report.requests += 1
        try:
            response = case.call(base_url=origin, session=session, timeout=60)
        except requests.RequestException as error:
            return None, "", f"{type(error).__name__}: {error}".encode(), []
        content_type = ", ".join(response.headers.get("content-type", []))
        return response.status_code, content_type, response.content, default_checks(case, response)

    def send_elsewhere(query: str):
        """The same operation to the other instance (in a thread, while the first answers)."""
        try:
            response = compare_session.post(compare_url, json={"query": query}, timeout=60)
        except requests.RequestException as error:
            return None, f"{type(error).__name__}: {error}".encode()
        return response.status_code, response.content

    def check(case, mode: str) -> None:
        query = case.body
        digest.update(query.encode())
        report.operations += 1
        report.by_field[case.operation.label] += 1
        asked = time.monotonic()
        elsewhere = compare_url and threads.submit(send_elsewhere, query)
        status, content_type, body, failed = send(case, origin)
        if status is None:
            problems = [f"no answer: {body.decode()}"]
        else:
            report.statuses[status] += 1
            report.outcomes[f"{mode} {_outcome(status, body)}"] += 1
            problems = failed + response_problems(status, content_type, body, sent=query)
            if elsewhere:
                report.requests += 1
                again = elsewhere.result()
                if again != (status, body):
                    problems.append(
                        f"the other instance answers differently: HTTP {again[0]} "
                        f"{again[1][:300].decode(errors='replace')}"
                    )
            if repeat_every and report.operations % repeat_every == 0:
                again = send(case, origin)
                if (again[0], again[2]) != (status, body):
                    problems.append(
                        f"asked again, it answers differently: HTTP {again[0]} "
                        f"{again[2][:300].decode(errors='replace')}"
                    )
        report.waiting += time.monotonic() - asked
        if problems:
            report.failures.append(
                Failure(
                    case.operation.label,
                    mode,
                    query,
                    problems,
                    status,
                    body.decode("utf-8", errors="replace"),
                )
            )
        if progress and report.operations % progress_every == 0:
            report.seconds = time.monotonic() - started
            progress(report)

    plan = [
        (GenerationMode.POSITIVE, positive, steering),
        (GenerationMode.NEGATIVE, negative, None),
    ]
    with threads:
        for mode, count, hooks in plan:
            if count <= 0:
                continue
            for operation in operations:
                _fuzz_operation(operation, mode, count, hooks, seed, check)
    report.seconds = time.monotonic() - started
    report.digest = digest.hexdigest()[:16]
    return report


def default_checks(case, response) -> list[str]:
    """What schemathesis's default checks find wrong with the answer to ``case``: every
    check it enables by default, none left out (``case.validate_response``)."""
    from schemathesis.core.failures import FailureGroup

    try:
        case.validate_response(response)
    except FailureGroup as group:
        return [f"schemathesis: {failure.title}: {failure.message}" for failure in group.exceptions]
    return []


def _fuzz_operation(operation, mode, count: int, hooks, seed: int, check) -> None:
    """Run ``check`` on ``count`` cases of one field generated in one mode."""
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import seed as hypothesis_seed

    strategy = operation.as_strategy(generation_mode=mode, hooks=hooks)
    test = given(case=strategy)(_bound(check, mode.value))
    test = settings(
        max_examples=count,
        deadline=None,
        database=None,
        derandomize=False,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
        report_multiple_bugs=False,
    )(test)
    hypothesis_seed(seed)(test)()


def _bound(check, mode: str):
    """A test of one case for @given (which takes no partials nor defaults)."""

    def test(case):
        check(case, mode)

    return test


# --- servers on a fresh demo archive ---------------------------------------------------


@contextlib.contextmanager
def demo_servers(directory: Path, configured_database: str | None = None):
    """Two gunicorn instances (two workers each) on one fresh demo archive: (cache on,
    cache off)."""
    with demo_server(
        directory, "cached", configured_database, GRAPHQL_CACHE="1", WEB_CONCURRENCY="2"
    ) as cached:
        uncached = Gunicorn(cached.env | {"GRAPHQL_CACHE": "0"}, directory, name="uncached")
        try:
            uncached.wait_until_healthy()
            yield cached, uncached
        finally:
            cached.signal(signal.SIGTERM)  # both at once: each takes a moment
            uncached.stop()


# --- bin/fuzz ---------------------------------------------------------------------------------


def _setup_django() -> None:
    """The archive's code, for :func:`within_budget` (settings of a development run: the
    servers get their own environment)."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")
    os.environ.setdefault("DJANGO_DEBUG", "1")
    django.setup()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="bin/fuzz",
        description="Fuzz the GraphQL API with schemathesis: generated operations against a "
        "live server, every answer checked (no 5xx, the GraphQL response format, no leaks). "
        "Without --url, two gunicorn instances (response cache on and off) are started on a "
        "fresh database with the demo data: a SQLite file, or a new database on the "
        "PostgreSQL server DATABASE_URL names (dropped at the end).",
    )
    parser.add_argument("--examples", type=int, default=5000, help="operations (default 5000)")
    parser.add_argument("--seed", type=int, default=0, help="hypothesis seed (default 0)")
    parser.add_argument(
        "--url",
        help="the endpoint of an archive already running, e.g. http://127.0.0.1:8000/graphql/ "
        "(checks its answers, but not its log)",
    )
    parser.add_argument(
        "--compare-url", help="with --url: another instance whose answers must be the same"
    )
    parser.add_argument("--negative-share", type=float, default=0.25)
    parser.add_argument("--progress-every", type=int, default=500)
    options = parser.parse_args(argv)
    _setup_django()

    def progress(report: Report) -> None:
        statuses = ", ".join(f"{s}: {n}" for s, n in sorted(report.statuses.items()))
        print(
            f"  {report.operations} operations, {report.seconds:.0f} s, {statuses}, "
            f"{len(report.failures)} failures",
            flush=True,
        )

    def run(url: str, compare_url: str | None) -> Report:
        print(f"==> Fuzzing {url} (seed {options.seed}, {options.examples} operations)", flush=True)
        return fuzz(
            url,
            examples=options.examples,
            seed=options.seed,
            compare_url=compare_url,
            negative_share=options.negative_share,
            progress=progress,
            progress_every=options.progress_every,
        )

    if options.url:
        report = run(options.url, options.compare_url)
        log_lines: list[str] = []
    else:
        with tempfile.TemporaryDirectory(prefix="fuzz-") as directory:
            print("==> Starting two instances on a fresh demo archive", flush=True)
            with demo_servers(Path(directory), os.environ.get("DATABASE_URL")) as servers:
                cached, uncached = servers
                report = run(cached.url(ENDPOINT), uncached.url(ENDPOINT))
            log_lines = [line for server in servers for line in log_problems(server.logs())]
    print("==> Summary")
    print(report.summary())
    if log_lines:
        print(f"errors in the servers' logs ({len(log_lines)} lines), the most frequent:")
        print(describe_log_problems(log_lines))
    return 1 if report.failures or log_lines else 0


if __name__ == "__main__":
    sys.exit(main())
