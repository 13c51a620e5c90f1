"""Gunicorn's settings for the archive, read from the environment.

``bin/serve`` starts gunicorn with it; by hand::

    .venv/bin/gunicorn --config project/gunicorn.conf.py

Variables (default in brackets):

``BIND`` [``127.0.0.1:8000``]
    address(es) to listen on, comma-separated: ``0.0.0.0:8000``, ``unix:/run/archive.sock``
``WEB_CONCURRENCY`` [2 × cores + 1, at most 8]
    worker processes
``GUNICORN_THREADS`` [1]
    threads per worker (more than 1: the gthread worker)
``GUNICORN_TIMEOUT`` [30]
    seconds a request may take before its worker is killed and replaced; must be
    above ``GRAPHQL_TIME_LIMIT`` (2), which stops a slow query with an answer
``GUNICORN_GRACEFUL_TIMEOUT`` [30]
    seconds running requests get to finish on a restart or stop
``GUNICORN_KEEPALIVE`` [5]
    seconds an idle connection from the proxy is kept open (gthread only)
``GUNICORN_MAX_REQUESTS`` [1000], ``GUNICORN_MAX_REQUESTS_JITTER`` [a tenth of it]
    a worker is replaced after that many requests, plus a random few so that
    workers do not restart together (0: never)
``GUNICORN_PRELOAD`` [1]
    load the app once, in the master, before forking the workers (below)
``GUNICORN_LOG_LEVEL`` [info]
    gunicorn's own messages, on stderr
``GUNICORN_CONTROL_SOCKET`` [none: no control socket]
    a path for ``gunicornc``; one per instance (gunicorn's default path is one
    per user, which two instances on one machine would take from each other)
``FORWARDED_ALLOW_IPS`` [``127.0.0.1,::1``]
    with ``DJANGO_BEHIND_PROXY=1``, the proxy's addresses, trusted for
    ``X-Forwarded-Proto``; without it, nobody is

Every request is logged on stdout, one line each::

    2026-11-27T10:15:02.113Z 203.0.113.7 "POST /graphql/" 200 1234 18ms "Mozilla/5.0 …"

(time in UTC, client address, method and path, status, bytes sent,
duration, user agent). Behind a proxy (``DJANGO_BEHIND_PROXY=1``) the client
address is the last one the proxy appended to ``X-Forwarded-For``, the one
the login lock-out sees (:mod:`project.client_ip`). Errors and gunicorn's own
messages go to stderr, with Django's log.

``preload_app``: the app is imported once in the master process and the
workers are forked from it (less memory, quicker worker restarts, and a
broken configuration stops the master at once instead of every worker
failing in turn); :func:`pre_fork` also loads the URL patterns (the admin,
the GraphQL schema) and the static files' manifest there, which Django
would otherwise load on each worker's first request. It is safe here:
loading the app opens no database or cache connection, and :func:`pre_fork`
closes any the master may hold so that no worker inherits one (Redis's
client reconnects after a fork by itself), and freezes what is loaded out of
the garbage collector's way (``gc.freeze``). With it, ``kill -HUP`` reloads
the configuration but not the code: restart the service to deploy new code.
"""

import datetime
import gc
import os
import sys

from gunicorn import glogging

CAP_WORKERS = 8


def _env_int(name: str, default: int, minimum: int = 0) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        number = None
    if number is None or number < minimum:
        sys.exit(f"{name} must be a whole number of {minimum} or more, not {value!r}.")
    return number


def _env_bool(name: str, default: bool) -> bool:
    # Read as project/settings.py reads it.
    value = os.environ.get(name, "").strip().lower()
    if not value:
        return default
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    sys.exit(f"{name} must be a boolean (1/0, true/false), not {value!r}.")


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))  # the cores this process may use
    except AttributeError:
        return os.cpu_count() or 1


BEHIND_PROXY = _env_bool("DJANGO_BEHIND_PROXY", False)

wsgi_app = "project.wsgi:application"
proc_name = "archive"
bind = [a.strip() for a in os.environ.get("BIND", "127.0.0.1:8000").split(",") if a.strip()]

# Workers: each one a process with its own database connection (kept for
# DJANGO_CONN_MAX_AGE seconds); workers × threads × machines must stay below
# PostgreSQL's max_connections.
workers = _env_int("WEB_CONCURRENCY", min(2 * _cores() + 1, CAP_WORKERS), minimum=1)
threads = _env_int("GUNICORN_THREADS", 1, minimum=1)
worker_class = "gthread" if threads > 1 else "sync"
if os.path.isdir("/dev/shm"):
    worker_tmp_dir = "/dev/shm"  # the workers' heartbeat files, never on a slow disk

timeout = _env_int("GUNICORN_TIMEOUT", 30, minimum=1)
try:
    _graphql_time_limit = float(os.environ.get("GRAPHQL_TIME_LIMIT") or 2)
except ValueError:
    _graphql_time_limit = None  # the settings refuse it with a message of their own
if _graphql_time_limit is not None and timeout <= _graphql_time_limit:
    sys.exit(
        f"GUNICORN_TIMEOUT ({timeout} s) must be longer than GRAPHQL_TIME_LIMIT "
        f"({_graphql_time_limit:g} s): a slow query must be stopped by the API's time limit, "
        "with an answer, before gunicorn kills the worker."
    )
graceful_timeout = _env_int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = _env_int("GUNICORN_KEEPALIVE", 5)
max_requests = _env_int("GUNICORN_MAX_REQUESTS", 1000)
max_requests_jitter = _env_int("GUNICORN_MAX_REQUESTS_JITTER", max_requests // 10)
preload_app = _env_bool("GUNICORN_PRELOAD", True)

# Only a proxy may say that a request came over HTTPS: from the addresses in
# FORWARDED_ALLOW_IPS when behind one, from nobody otherwise.
if BEHIND_PROXY:
    forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
else:
    forwarded_allow_ips = ""

# Gunicorn's control socket has one default path per user: two instances on
# one machine would take it from each other. Off unless a path is given.
_control_socket = os.environ.get("GUNICORN_CONTROL_SOCKET", "")
control_socket_disable = not _control_socket
if _control_socket:
    control_socket = _control_socket


class ArchiveLogger(glogging.Logger):
    """Gunicorn's logger, with two more atoms for the access log: ``time`` and ``client``."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        now = datetime.datetime.now(datetime.UTC)
        atoms["time"] = now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"
        atoms["client"] = client_address(environ)
        return atoms


def client_address(environ) -> str:
    """The client, as project.client_ip sees it: the proxy's last X-Forwarded-For entry."""
    if BEHIND_PROXY:
        last = environ.get("HTTP_X_FORWARDED_FOR", "").split(",")[-1].strip()
        if last:
            return last
    return environ.get("REMOTE_ADDR") or "-"


logger_class = ArchiveLogger
# Static files are written by gunicorn rather than sent by sendfile(), which
# gunicorn does not count in the access log's bytes. Whitenoise's files are the
# admin's CSS and scripts, small and kept by browsers for ever (hashed names).
sendfile = False
accesslog = "-"  # stdout
access_log_format = '%(time)s %(client)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms "%(a)s"'
errorlog = "-"  # stderr
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")


def when_ready(server):
    cfg = server.cfg  # this file's values, or the command line's
    server.log.info(
        "Serving the archive on %s: %s workers × %s threads, timeout %ss, "
        "max requests %s (+%s), preload %s, behind a proxy: %s",
        ", ".join(cfg.bind),
        cfg.workers,
        cfg.threads,
        cfg.timeout,
        cfg.max_requests or "unlimited",
        cfg.max_requests_jitter,
        "on" if cfg.preload_app else "off",
        "yes" if BEHIND_PROXY else "no",
    )


_loaded = False


def pre_fork(server, worker):
    """In the master, before each worker is forked (with preload_app, after the app is loaded)."""
    global _loaded
    if not server.cfg.preload_app:
        return  # the master has not loaded Django
    from django.contrib.staticfiles.storage import staticfiles_storage
    from django.db import connections
    from django.urls import reverse

    if not _loaded:
        # Django loads these on a worker's first request: load them once here,
        # and every worker starts with them. The URL patterns (the admin, the
        # GraphQL schema), and the static files' manifest (staticfiles.json,
        # as collectstatic just wrote it, not as a later collectstatic into
        # the same directory may be rewriting it when a worker is replaced).
        reverse("healthz")
        getattr(staticfiles_storage, "hashed_files", None)
        _loaded = True
    # A database connection the master held would be shared by every worker
    # forked from it: close it (importing the app opens none).
    connections.close_all()
    # Everything loaded so far (Django, the admin, the schema: some 150,000
    # objects) lives as long as the worker. Frozen, the collector leaves it out
    # of every collection: a worker's full collections no longer walk it (they
    # dominated the slowest requests; docs/performance.md), and they no longer
    # write to the pages the workers share with the master. Python's recipe for
    # servers that fork.
    gc.freeze()
