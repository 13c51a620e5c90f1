"""``GET /healthz``: can this process serve? For load balancers and monitors.

It checks what a request needs, cheaply (no record is read):

* the database: ``SELECT 1`` through Django's connection (which also
  reconnects when a persistent connection has gone bad);
* the cache (Redis when ``REDIS_URL`` is set): a short-lived key of this
  process and thread is written and read back.

The answer is JSON, never a traceback:

* ``200 {"status": "ok", "database": "ok", "cache": "ok"}``;
* ``200 {"status": "degraded", "database": "ok", "cache": "unavailable"}``:
  the archive still serves, the API uncached (see
  :mod:`archive.graphql.cache`), so a load balancer must keep sending
  requests to this process;
* ``503 {"status": "unavailable", "database": "unavailable", "cache": …}``:
  nothing can be served without the database; take the process out of
  rotation.

Failures are logged (``project.health``), without a traceback: a load
balancer asks every few seconds. No login, no CSRF token, never cached, and
exempt from the HTTPS redirect (``SECURE_REDIRECT_EXEMPT``) so that a load
balancer may call it over plain HTTP. Like every request, it must name a
host in ``DJANGO_ALLOWED_HOSTS``.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading

from django.core.cache import caches
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe

logger = logging.getLogger("project.health")

OK = "ok"
DEGRADED = "degraded"
UNAVAILABLE = "unavailable"
# Seconds the probe key lives; it is overwritten by the next check of the same thread.
PROBE_TIMEOUT = 10


def database_status() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:
        logger.error(
            "Health check: the database is unavailable (%s: %s).", type(error).__name__, error
        )
        return UNAVAILABLE
    return OK


def _probe_key() -> str:
    # One key per process and thread: concurrent checks never read each
    # other's value, and repeated checks do not fill the cache with keys.
    return f"healthz:{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"


def cache_status() -> str:
    key, value = _probe_key(), secrets.token_hex(8)
    try:
        cache = caches["default"]
        cache.set(key, value, PROBE_TIMEOUT)
        read = cache.get(key)
    except Exception as error:
        logger.warning(
            "Health check: the cache is unavailable (%s: %s); the API answers uncached.",
            type(error).__name__,
            error,
        )
        return UNAVAILABLE
    if read != value:
        logger.warning(
            "Health check: the cache did not return the value just written to it; "
            "the API answers uncached."
        )
        return UNAVAILABLE
    return OK


@csrf_exempt
@require_safe
@never_cache
def healthz(request):
    database = database_status()
    cache = cache_status()
    if database != OK:
        status, code = UNAVAILABLE, 503
    elif cache != OK:
        status, code = DEGRADED, 200
    else:
        status, code = OK, 200
    response = JsonResponse({"status": status, "database": database, "cache": cache}, status=code)
    if request.method == "HEAD":
        response.content = b""  # gunicorn would drop it, with a warning each time
    return response
