"""GET answers behind a real shared cache: Debian's nginx with ``proxy_cache`` in front
of a live gunicorn (docs/deployment.md, "An HTTP cache in front"). Repeated reads are
hits that never reach the app, an expired answer is revalidated with a 304, and a
write is seen through the cache within ``max-age``."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from tests import live_servers

pytestmark = [pytest.mark.live_server, pytest.mark.django_db(False)]

MAX_AGE = 2
QUERY = "query Titles { documents { totalCount results { title } } }"
HASH = hashlib.sha256(QUERY.encode()).hexdigest()
EXTENSIONS = json.dumps({"persistedQuery": {"version": 1, "sha256Hash": HASH}})
ACCEPT = "application/graphql-response+json"
# nginx counts an answer's age in whole seconds (its clock ticks once a second,
# and an answer expires once that clock is past its date plus max-age): an answer
# may be served for up to a second beyond max-age.
NGINX_CLOCK = 1

NGINX_CONF = """\
{user}daemon off;
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/nginx-error.log info;
events {{ worker_connections 64; }}
http {{
    access_log {tmp}/nginx-access.log;
    client_body_temp_path {tmp}/client_body;
    proxy_temp_path {tmp}/proxy_temp;
    fastcgi_temp_path {tmp}/fastcgi_temp;
    uwsgi_temp_path {tmp}/uwsgi_temp;
    scgi_temp_path {tmp}/scgi_temp;
    proxy_cache_path {tmp}/cache levels=1:2 keys_zone=graphql:1m max_size=10m inactive=10m
                     use_temp_path=off;
    server {{
        listen 127.0.0.1:{port};
        location /graphql/ {{
            proxy_pass http://127.0.0.1:{upstream};
            proxy_http_version 1.1;
            proxy_cache graphql;
            proxy_cache_revalidate on;
            proxy_cache_lock on;
            add_header X-Cache-Status $upstream_cache_status always;
        }}
    }}
}}
"""


def nginx_binary() -> str | None:
    return shutil.which("nginx") or next(
        (str(p) for p in (Path("/usr/sbin/nginx"),) if p.exists()), None
    )


def fetch(url: str, data: bytes | None = None) -> tuple[int, dict, bytes]:
    headers = {"Accept": ACCEPT}
    if data is not None:
        headers["Content-Type"] = "application/json"
    request = urllib.request.Request(url, data=data, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:  # a 4xx: its status, headers and body too
        with error:
            return error.code, dict(error.headers), error.read()


def app_requests(server, status: int, expected: int) -> int:
    """The GETs of :func:`logged_requests`, once there are ``expected`` of them, or
    after a second: gunicorn logs a request once its answer is sent, a moment after
    nginx has passed it on."""
    deadline = time.monotonic() + 1
    while (count := logged_requests(server, status)) != expected and time.monotonic() < deadline:
        time.sleep(0.05)
    return count


def logged_requests(server, status: int) -> int:
    """GETs of /graphql/ that reached the app, answered with ``status`` (the log has
    the path without the query string)."""
    return len(re.findall(f'"GET /graphql/" {status} ', server.access_log()))


def titles(body: bytes) -> list[str]:
    return [d["title"] for d in json.loads(body)["data"]["documents"]["results"]]


def publish(server, slug: str, title: str, kind: str) -> None:
    """A published document, written by another process on the server's database."""
    script = (
        "from archive.models import Document\n"
        f"Document.objects.create(slug={slug!r}, title={title!r}, kind={kind!r}, published=True)\n"
    )
    live_servers.manage(server.env, "shell", "--no-startup", "-c", script)


def test_nginx_serves_hits_revalidates_with_304_and_sees_a_write_within_max_age(tmp_path):
    nginx = nginx_binary()
    if nginx is None:
        pytest.skip("nginx is not installed (.ci/run installs Debian's nginx-light as root)")
    configured = os.environ.get("DATABASE_URL")
    with live_servers.demo_server(
        tmp_path, "nginx", configured, demo=False, GRAPHQL_HTTP_MAX_AGE=str(MAX_AGE)
    ) as server:
        publish(server, "first", "First", "treaty")
        port = live_servers.free_port()
        conf = tmp_path / "nginx.conf"
        user = "user root;\n" if os.geteuid() == 0 else ""  # else workers run as nobody
        conf.write_text(NGINX_CONF.format(user=user, tmp=tmp_path, port=port, upstream=server.port))
        proxy = subprocess.Popen(
            [nginx, "-p", str(tmp_path), "-c", str(conf), "-e", str(tmp_path / "nginx-error.log")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        try:
            _wait_for_port(port, proxy, tmp_path)
            base = f"http://127.0.0.1:{port}/graphql/"
            by_hash = base + "?" + urllib.parse.urlencode({"extensions": EXTENSIONS})
            # Apollo's round trip, through nginx: the hash alone is not found, a 404
            # (cacheable by default, RFC 9111) that no-store keeps out of the cache.
            for _ in range(2):
                status, headers, body = fetch(by_hash)
                assert (status, headers["Cache-Control"]) == (404, "no-store")
                assert json.loads(body)["errors"][0]["message"] == "PersistedQueryNotFound"
                assert headers["X-Cache-Status"] == "MISS"
            assert app_requests(server, 404, 2) == 2  # each reached the app
            # The hash is registered by POST.
            registered = json.dumps({"query": QUERY, "extensions": json.loads(EXTENSIONS)}).encode()
            status, headers, _ = fetch(base, registered)
            assert (status, "X-Cache-Status" in headers) == (200, False)  # no POST is cached

            status, headers, first = fetch(by_hash)
            assert (status, headers["X-Cache-Status"]) == (200, "MISS")
            assert headers["Cache-Control"] == f"public, max-age={MAX_AGE}"
            assert titles(first) == ["First"]
            assert app_requests(server, 200, 1) == 1, server.logs()

            for _ in range(5):
                status, headers, body = fetch(by_hash)
                assert (status, headers["X-Cache-Status"], body) == (200, "HIT", first)
            assert app_requests(server, 200, 1) == 1  # the hits never reached the app

            time.sleep(MAX_AGE + NGINX_CLOCK + 0.2)
            status, headers, body = fetch(by_hash)
            assert (status, headers["X-Cache-Status"], body) == (200, "REVALIDATED", first)
            assert (app_requests(server, 304, 1), app_requests(server, 200, 1)) == (1, 1)

            publish(server, "second", "Second", "pact")
            written = time.monotonic()
            seen = None
            while time.monotonic() < written + MAX_AGE + NGINX_CLOCK + 1:
                status, headers, body = fetch(by_hash)
                if titles(body) != ["First"]:
                    seen = time.monotonic() - written
                    break
                time.sleep(0.1)
            assert seen is not None and seen <= MAX_AGE + NGINX_CLOCK + 0.5, seen
            assert sorted(titles(body)) == ["First", "Second"]
            assert headers["X-Cache-Status"] in ("EXPIRED", "MISS")
        finally:
            live_servers.stop(proxy)


def _wait_for_port(port: int, proxy: subprocess.Popen, tmp_path: Path) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if proxy.poll() is not None:
            log = (tmp_path / "nginx-error.log").read_text(errors="replace")
            raise AssertionError(f"nginx exited: {proxy.stderr.read().decode()}\n{log}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1):
                return
        except urllib.error.HTTPError:
            return  # nginx answers (a 404 outside /graphql/)
        except OSError:
            time.sleep(0.1)
    raise AssertionError("nginx did not listen in time")
