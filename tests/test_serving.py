"""Serving in production: bin/serve, gunicorn's settings, /healthz, several processes.

* ``/healthz`` (in-process): 200 with every part ok; 503 when the database
  cannot be reached; 200 "degraded" when the cache cannot; never a
  traceback; GET and HEAD only; exempt from the HTTPS redirect.
* ``project/gunicorn.conf.py`` reads the environment and refuses nonsense.
* ``bin/serve`` refuses to start when the deployment checks fail or
  migrations are unapplied, and says why.
* Two gunicorn instances (one started by ``bin/serve``, one by gunicorn
  itself), production settings, 2 workers each, on a database of their own
  (a new PostgreSQL database on the server ``DATABASE_URL`` names, or a
  SQLite file) and a Redis database of their own: each is healthy, serves
  the collected static files, a login made through one is good on the
  other, and an edit saved through one's admin is in the other's GraphQL
  answer on the very next request, although that answer was cached.

The test plays the TLS proxy in front of the instances: requests carry
``X-Forwarded-Proto: https`` and ``X-Forwarded-For`` (``DJANGO_BEHIND_PROXY=1``),
so the instances run with HTTPS on (secure cookies, HSTS, the HTTPS
redirect), as in production, and pass ``check --deploy``.
"""

import contextlib
import http.cookiejar
import json
import logging
import os
import re
import runpy
import secrets
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
import redis
from django.conf import settings as django_settings
from django.db import OperationalError, connections

from tests import live_servers
from tests.conftest import DEMO_FIXTURE
from tools.html_forms import FormFields

ROOT = Path(django_settings.BASE_DIR)
REDIS_TEST_URL = os.environ.get("SERVING_TEST_REDIS_URL", "redis://127.0.0.1:6379/14")
HEALTHY = {"status": "ok", "database": "ok", "cache": "ok"}


# --- /healthz, in-process --------------------------------------------------------------

LOCAL_CACHE = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "health"}


@pytest.fixture
def local_cache(settings):
    settings.CACHES = {"default": LOCAL_CACHE}


@pytest.mark.django_db
def test_healthz_answers_ok_with_json(client, local_cache, django_assert_num_queries):
    with django_assert_num_queries(1):  # SELECT 1
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b'{"status": "ok", "database": "ok", "cache": "ok"}'
    assert response["Content-Type"] == "application/json"
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_healthz_answers_get_and_head_only(client, local_cache):
    head = client.head("/healthz")
    assert head.status_code == 200
    assert head.content == b""
    assert client.post("/healthz").status_code == 405


@pytest.mark.django_db
def test_healthz_is_503_when_the_database_is_unreachable(client, local_cache, monkeypatch, caplog):
    def unreachable(*args, **kwargs):
        raise OperationalError(
            'connection to server at "127.0.0.1", port 5432 failed: Connection refused'
        )

    monkeypatch.setattr(connections["default"], "cursor", unreachable)
    with caplog.at_level(logging.ERROR, logger="project.health"):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.content == (
        b'{"status": "unavailable", "database": "unavailable", "cache": "ok"}'
    )
    assert response["Content-Type"] == "application/json"
    (record,) = [r for r in caplog.records if r.name == "project.health"]
    assert record.levelno == logging.ERROR
    assert record.getMessage() == (
        "Health check: the database is unavailable (OperationalError: connection to server "
        'at "127.0.0.1", port 5432 failed: Connection refused).'
    )
    assert record.exc_info is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    "cache",
    [
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:{port}/0",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        },
        {"BACKEND": "django.core.cache.backends.dummy.DummyCache"},
    ],
    ids=["redis-down", "cache-keeps-nothing"],
)
def test_healthz_reports_a_cache_that_does_not_work_as_degraded(client, settings, caplog, cache):
    location = cache.get("LOCATION", "").format(port=live_servers.free_port())
    settings.CACHES = {"default": {**cache, **({"LOCATION": location} if location else {})}}
    with caplog.at_level(logging.WARNING, logger="project.health"):
        response = client.get("/healthz")
    # The archive still serves (the API uncached): the load balancer keeps this process.
    assert response.status_code == 200
    assert response.json() == {"status": "degraded", "database": "ok", "cache": "unavailable"}
    (record,) = [r for r in caplog.records if r.name == "project.health"]
    assert record.levelno == logging.WARNING
    assert record.getMessage().startswith("Health check: the cache ")


@pytest.mark.django_db
def test_healthz_is_exempt_from_the_https_redirect(client, local_cache, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz").status_code == 200
    redirected = client.get("/admin/")
    assert redirected.status_code == 301
    assert redirected["Location"] == "https://testserver/admin/"


# --- gunicorn's settings -----------------------------------------------------------------

GUNICORN_CONF = ROOT / "project" / "gunicorn.conf.py"
SERVING_VARIABLES = ("BIND", "WEB_CONCURRENCY", "GUNICORN_", "FORWARDED_ALLOW_IPS")


def _gunicorn_settings(monkeypatch, **environment) -> dict:
    for name in list(os.environ):
        if name.startswith(SERVING_VARIABLES) or name in {
            "DJANGO_BEHIND_PROXY",
            "GRAPHQL_TIME_LIMIT",
        }:
            monkeypatch.delenv(name)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(GUNICORN_CONF))


def test_gunicorn_defaults(monkeypatch):
    conf = _gunicorn_settings(monkeypatch)
    assert conf["wsgi_app"] == "project.wsgi:application"
    assert conf["bind"] == ["127.0.0.1:8000"]
    assert conf["workers"] == min(2 * len(os.sched_getaffinity(0)) + 1, 8)
    assert (conf["threads"], conf["worker_class"]) == (1, "sync")
    assert (conf["timeout"], conf["graceful_timeout"]) == (30, 30)
    assert (conf["max_requests"], conf["max_requests_jitter"]) == (1000, 100)
    assert conf["preload_app"] is True
    assert (conf["accesslog"], conf["errorlog"]) == ("-", "-")
    assert conf["forwarded_allow_ips"] == ""  # nobody may claim HTTPS without a proxy
    assert conf["control_socket_disable"] is True


def test_gunicorn_settings_from_the_environment(monkeypatch):
    conf = _gunicorn_settings(
        monkeypatch,
        BIND="0.0.0.0:8001, unix:/run/archive.sock",
        WEB_CONCURRENCY="3",
        GUNICORN_THREADS="4",
        GUNICORN_TIMEOUT="60",
        GUNICORN_MAX_REQUESTS="0",
        DJANGO_BEHIND_PROXY="1",
        FORWARDED_ALLOW_IPS="10.0.0.2",
        GUNICORN_CONTROL_SOCKET="/run/archive-8001.ctl",
    )
    assert conf["bind"] == ["0.0.0.0:8001", "unix:/run/archive.sock"]
    assert (conf["workers"], conf["threads"], conf["worker_class"]) == (3, 4, "gthread")
    assert conf["timeout"] == 60
    assert (conf["max_requests"], conf["max_requests_jitter"]) == (0, 0)
    assert conf["forwarded_allow_ips"] == "10.0.0.2"
    assert conf["control_socket_disable"] is False
    assert conf["control_socket"] == "/run/archive-8001.ctl"
    environ = {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "198.51.100.1, 203.0.113.7"}
    assert conf["client_address"](environ) == "203.0.113.7"


@pytest.mark.parametrize(
    ("environment", "message"),
    [
        ({"WEB_CONCURRENCY": "many"}, "WEB_CONCURRENCY must be a whole number of 1 or more"),
        ({"WEB_CONCURRENCY": "0"}, "WEB_CONCURRENCY must be a whole number of 1 or more"),
        (
            {"GUNICORN_TIMEOUT": "2"},
            "GUNICORN_TIMEOUT (2 s) must be longer than GRAPHQL_TIME_LIMIT (2 s)",
        ),
    ],
    ids=["not-a-number", "zero-workers", "timeout-within-the-api-limit"],
)
def test_gunicorn_settings_refuse_nonsense(monkeypatch, environment, message):
    with pytest.raises(SystemExit) as refused:
        _gunicorn_settings(monkeypatch, **environment)
    assert str(refused.value).startswith(message)


# --- processes -----------------------------------------------------------------------------

START_TIMEOUT = 60  # seconds for bin/serve's checks, collectstatic and gunicorn's start
SETUP_TIMEOUT = 120
CLIENT = "203.0.113.7"  # the browser's address, as the proxy reports it
USER_AGENT = "archive-serving-test/1"
USERNAME = "operator"
PASSWORD = secrets.token_urlsafe(16)


def _production_environment(**values: str) -> dict:
    """A production environment of the test's own, plus ``values``."""
    production = {
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_BEHIND_PROXY": "1",  # the test is the TLS proxy; HTTPS stays on, as in production
        "PYTHONUNBUFFERED": "1",
    }
    return live_servers.clean_environment(**(production | values))


def _serve_and_expect_refusal(env: dict) -> subprocess.CompletedProcess:
    process = subprocess.Popen(
        ["bin/serve"],
        cwd=ROOT,
        env={**env, "BIND": f"127.0.0.1:{live_servers.free_port()}"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        stdout, stderr = process.communicate(timeout=START_TIMEOUT)
    except subprocess.TimeoutExpired:
        live_servers.stop(process)
        raise AssertionError("bin/serve did not refuse: it is serving") from None
    finally:
        if process.poll() is None:
            live_servers.stop(process)
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


@pytest.mark.slow
def test_bin_serve_refuses_when_the_deployment_checks_fail(tmp_path):
    # Plain HTTP in production: cookies could be read on the way.
    refused = _serve_and_expect_refusal(
        _production_environment(
            DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}", DJANGO_HTTPS="0"
        )
    )
    assert refused.returncode == 1
    assert "(security.W012) SESSION_COOKIE_SECURE is not set to True" in refused.stderr
    assert "bin/serve: refusing to serve: the deployment checks above fail." in refused.stderr
    assert "Serving with gunicorn" not in refused.stdout


@pytest.mark.slow
def test_bin_serve_refuses_a_database_with_unapplied_migrations(tmp_path):
    refused = _serve_and_expect_refusal(
        _production_environment(DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")
    )
    assert refused.returncode == 1
    assert (
        "bin/serve: refusing to serve: the database has migrations not applied yet:\n"
        in refused.stderr
    )
    assert "[ ]  archive.0001_initial\n" in refused.stderr
    assert "    .venv/bin/python manage.py migrate\n" in refused.stderr
    assert "Serving with gunicorn" not in refused.stdout


@pytest.fixture
def redis_database():
    """A Redis database of the test's own, empty before and after."""
    store = redis.Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=0.5)
    try:
        store.ping()
    except redis.RedisError as error:
        pytest.skip(
            f"Redis is not reachable at {REDIS_TEST_URL} ({error}): start redis-server or "
            "set SERVING_TEST_REDIS_URL"
        )
    store.flushdb()
    yield store
    store.flushdb()


@pytest.fixture
def fresh_database(tmp_path):
    """The URL of a new, empty database: on the PostgreSQL server of DATABASE_URL, or SQLite."""
    configured = os.environ.get("DATABASE_URL", "")
    with live_servers.fresh_database(tmp_path, "serving_test", configured) as url:
        yield url


class Instance(live_servers.Gunicorn):
    """A gunicorn instance, reached as a browser behind the TLS proxy would reach it."""

    def __init__(self, name: str, command: list[str], env: dict, log_dir: Path):
        super().__init__(env, log_dir, name=name, command=command)
        self.origin = f"https://127.0.0.1:{self.port}"  # as the browser sees it, via the proxy


@contextlib.contextmanager
def logs_on_failure(*instances: Instance):
    try:
        yield
    except BaseException:
        for instance in instances:
            print(instance.logs())
        raise


class _SecureCookiesOverThePlainLeg(http.cookiejar.DefaultCookiePolicy):
    """The browser speaks HTTPS to the proxy: its secure cookies go along."""

    def return_ok_secure(self, cookie, request):
        return True


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """One browser behind the proxy: one cookie jar for every instance, as for one site."""

    def __init__(self):
        self.cookies = http.cookiejar.CookieJar(_SecureCookiesOverThePlainLeg())
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), _NoRedirects()
        )

    def request(self, instance: Instance, path: str, data=None, *, proxy=True, headers=None):
        """(status, headers, body); ``proxy=False``: straight to the instance, as a load
        balancer's health check."""
        body = data
        if isinstance(data, dict | list):
            body = urllib.parse.urlencode(data, doseq=True).encode()
        sent = {"User-Agent": USER_AGENT, **(headers or {})}
        if proxy:
            sent.update({"X-Forwarded-Proto": "https", "X-Forwarded-For": CLIENT})
            if body is not None:
                sent.setdefault("Origin", instance.origin)
        request = urllib.request.Request(instance.url(path), data=body, headers=sent)
        try:
            with self.opener.open(request, timeout=15) as response:
                return response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read()

    def csrf_token(self) -> str:
        return next(cookie.value for cookie in self.cookies if cookie.name == "csrftoken")

    def log_in(self, instance: Instance, username: str, password: str) -> None:
        status, _, _ = self.request(instance, "/admin/login/?next=/admin/")
        assert status == 200
        status, headers, body = self.request(
            instance,
            "/admin/login/?next=/admin/",
            {
                "username": username,
                "password": password,
                "next": "/admin/",
                "csrfmiddlewaretoken": self.csrf_token(),
            },
        )
        assert (status, headers["Location"]) == (302, "/admin/"), body

    def graphql(self, instance: Instance, query: str) -> dict:
        status, _, body = self.request(
            instance,
            "/graphql/",
            json.dumps({"query": query}).encode(),
            headers={"Content-Type": "application/json"},
        )
        assert status == 200, body
        return json.loads(body)


BORN_QUERY = '{ person(slug: "ivan-maisky") { name born { edtf display } } }'


@pytest.fixture
def instances(redis_database, fresh_database, tmp_path):
    """Two gunicorn instances on a fresh archive: A by bin/serve, B by gunicorn itself.

    Each has its static files in a directory of its own, as docs/deployment.md advises
    for instances on one machine: bin/serve collects them into A's; the setup
    collects them into B's.
    """
    static_roots = {"A": tmp_path / "static-a", "B": tmp_path / "static-b"}
    env = _production_environment(
        DATABASE_URL=fresh_database,
        DJANGO_CONN_MAX_AGE="60",
        DJANGO_STATIC_MANIFEST="1",
        REDIS_URL=REDIS_TEST_URL,
        WEB_CONCURRENCY="2",
        GUNICORN_GRACEFUL_TIMEOUT="5",
    )
    script = (
        "import json\n"
        "from django.contrib.auth import get_user_model\n"
        "from django.core.management import call_command\n"
        "from archive.models import Person\n"
        "call_command('migrate', verbosity=0)\n"
        f"call_command('load_archive', {DEMO_FIXTURE!r}, verbosity=0)\n"
        f"get_user_model().objects.create_superuser({USERNAME!r}, password={PASSWORD!r})\n"
        "call_command('collectstatic', interactive=False, verbosity=0)\n"
        "print(json.dumps({'maisky': Person.objects.get(slug='ivan-maisky').pk}))\n"
    )
    prepared = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-startup", "-v", "0", "-c", script],
        cwd=ROOT,
        env={**env, "DJANGO_STATIC_ROOT": str(static_roots["B"])},
        capture_output=True,
        text=True,
        timeout=SETUP_TIMEOUT,
    )
    assert prepared.returncode == 0, prepared.stderr
    ids = json.loads(prepared.stdout.strip().splitlines()[-1])

    started = []
    try:
        started.append(
            Instance(
                "A (bin/serve)",
                ["bin/serve"],
                {**env, "DJANGO_STATIC_ROOT": str(static_roots["A"])},
                tmp_path,
            )
        )
        started.append(
            Instance(
                "B (gunicorn)",
                [str(ROOT / ".venv" / "bin" / "gunicorn"), "-c", "project/gunicorn.conf.py"],
                {**env, "DJANGO_STATIC_ROOT": str(static_roots["B"])},
                tmp_path,
            )
        )
        deadline = time.monotonic() + START_TIMEOUT
        for instance in started:
            instance.wait_until_healthy(deadline - time.monotonic())
        yield started[0], started[1], static_roots, ids, fresh_database
    finally:
        for instance in started:
            instance.stop()


@pytest.mark.live_server
def test_two_gunicorn_instances_serve_one_archive(instances, redis_database):
    a, b, static_roots, ids, database_url = instances
    browser = Browser()
    with logs_on_failure(a, b):
        # A was started by bin/serve, on the database made for the test (its password not shown).
        shown = re.sub(r"://[^@/]*@", "://", database_url)
        assert f"==> Checking that the database is migrated ({shown})\n" in a.access_log()

        # A load balancer's health check, over plain HTTP, straight to each instance.
        for instance in (a, b):
            status, headers, body = browser.request(instance, "/healthz", proxy=False)
            assert (status, json.loads(body)) == (200, HEALTHY)
            assert headers["Content-Type"] == "application/json"
        # Anything else over plain HTTP goes to HTTPS.
        status, headers, _ = browser.request(a, "/admin/", proxy=False)
        assert (status, headers["Location"]) == (301, f"https://127.0.0.1:{a.port}/admin/")

        # The collected, hashed static files: the admin links them, whitenoise serves them.
        hashed = json.loads((static_roots["A"] / "staticfiles.json").read_text())["paths"][
            "admin/css/base.css"
        ]
        assert hashed != "admin/css/base.css"
        status, _, login_page = browser.request(a, "/admin/login/?next=/admin/")
        assert status == 200
        assert f'href="/static/{hashed}"' in login_page.decode()
        for instance, root in ((a, static_roots["A"]), (b, static_roots["B"])):
            status, headers, css = browser.request(instance, f"/static/{hashed}")
            assert status == 200
            assert headers["Content-Type"].startswith("text/css")
            assert "immutable" in headers["Cache-Control"]
            assert css == (root / hashed).read_bytes()
            status, _, css = browser.request(instance, "/static/admin/css/base.css")
            assert (status, css) == (200, (root / "admin/css/base.css").read_bytes())

        # A login through A is good on B.
        browser.log_in(a, USERNAME, PASSWORD)
        status, _, index = browser.request(b, "/admin/")
        assert status == 200
        assert b'id="logout-form"' in index

        # B answers from the shared cache...
        before = browser.graphql(b, BORN_QUERY)
        assert before == {
            "data": {
                "person": {
                    "name": "Ivan Maisky",
                    "born": {"edtf": "1884-01-19", "display": "19 January 1884"},
                }
            }
        }
        assert browser.graphql(b, BORN_QUERY) == before
        assert any(b"graphql:response:" in key for key in redis_database.keys("*"))

        # ...an archivist opens Ivan Maisky through B and saves through A...
        change = f"/admin/archive/person/{ids['maisky']}/change/"
        status, _, form_page = browser.request(b, change)
        assert status == 200
        fields = FormFields.of(
            form_page.decode(),
            "person_form",
            born="1884",
            change_reason="Year only, the day is disputed",
        )
        assert dict(fields)["opened_version"]
        status, headers, body = browser.request(a, change, [*fields, ("_save", "Save")])
        assert (status, headers["Location"]) == (302, "/admin/archive/person/"), body

        # ...and B's very next answer has the change.
        after = browser.graphql(b, BORN_QUERY)
        assert after == {
            "data": {"person": {"name": "Ivan Maisky", "born": {"edtf": "1884", "display": "1884"}}}
        }
        assert after != before

        # The access log, one readable line per request; the client as the proxy reports it.
        time_utc = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"
        log = a.access_log()
        for client, request, status in [
            ("127.0.0.1", "GET /healthz", 200),
            (CLIENT, "POST /admin/login/", 302),
            (CLIENT, f"POST {change}", 302),
        ]:
            expected = (
                f'{time_utc} {re.escape(client)} "{re.escape(request)}" {status} \\d+ \\d+ms '
                f'"{re.escape(USER_AGENT)}"'
            )
            assert re.search(f"^{expected}$", log, re.MULTILINE), (expected, log)
