"""Production settings: what the app refuses to start without, and what it turns on.

Settings are read once, at start-up, from the environment: each case runs
``manage.py`` in a process of its own with the environment given.
"""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.test import RequestFactory, override_settings

from project.client_ip import client_ip

ROOT = Path(__file__).resolve().parent.parent
KEY = secrets.token_urlsafe(50)
# The production environment docs/deployment.md documents (its "First time").
PRODUCTION = {
    "DJANGO_SECRET_KEY": KEY,
    "DJANGO_ALLOWED_HOSTS": "archive.example.org",
    "DJANGO_BEHIND_PROXY": "1",
}


def manage(*args, **environment) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "GRAPHQL_"))}
    env.update(environment)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.slow
def test_check_deploy_reports_nothing_in_the_production_environment():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "System check identified no issues (0 silenced)."


@pytest.mark.slow
def test_production_turns_on_https_only_cookies_hsts_and_turns_off_graphiql():
    names = [
        "DEBUG",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SECURE_HSTS_PRELOAD",
        "SECURE_PROXY_SSL_HEADER",
        "GRAPHIQL",
        "GRAPHQL_INTROSPECTION",
        "GRAPHQL_SUGGESTIONS",
        "STATIC_MANIFEST",
    ]
    code = (
        "import json; from django.conf import settings; "
        f"print(json.dumps({{n: getattr(settings, n, None) for n in {names!r}}}))"
    )
    result = manage("shell", "-c", code, **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.splitlines()[-1]) == {
        "DEBUG": False,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_HSTS_PRELOAD": True,
        "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
        "GRAPHIQL": False,
        "GRAPHQL_INTROSPECTION": True,
        "GRAPHQL_SUGGESTIONS": False,
        "STATIC_MANIFEST": True,
    }


WEAK_KEY = (
    "DJANGO_SECRET_KEY is not set or too weak: set it to a random string of 50 characters "
    "or more (python3 -c 'import secrets; print(secrets.token_urlsafe(50))'), or set "
    "DJANGO_DEBUG=1 for local development."
)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"DJANGO_SECRET_KEY": ""}, WEAK_KEY),
        ({"DJANGO_SECRET_KEY": "short-key"}, WEAK_KEY),
        ({"DJANGO_SECRET_KEY": "x" * 60}, WEAK_KEY),
        ({"DJANGO_SECRET_KEY": "insecure-development-key-do-not-use-in-production"}, WEAK_KEY),
        (
            {"DJANGO_ALLOWED_HOSTS": ""},
            "DJANGO_ALLOWED_HOSTS is not set: list the host names this archive is served on, "
            "comma-separated.",
        ),
        (
            {"DJANGO_HTTPS": "maybe"},
            "DJANGO_HTTPS must be a boolean (1/0, true/false), not 'maybe'.",
        ),
        (
            {"DJANGO_LOGIN_FAILURE_LIMIT": "five"},
            "DJANGO_LOGIN_FAILURE_LIMIT must be a whole number, not 'five'.",
        ),
    ],
    ids=[
        "no key",
        "short key",
        "one-letter key",
        "development key",
        "no hosts",
        "bad boolean",
        "bad number",
    ],
)
def test_production_refuses_to_start_without_a_real_key_and_hosts(changes, message):
    result = manage("check", **(PRODUCTION | changes))
    assert result.returncode != 0
    assert result.stderr.strip().splitlines()[-1] == (
        f"django.core.exceptions.ImproperlyConfigured: {message}"
    )


@pytest.mark.slow
def test_development_starts_without_a_key():
    result = manage("check", DJANGO_DEBUG="1")
    assert result.returncode == 0, result.stderr


# --- login lock-out ----------------------------------------------------------------------

LOCKED_OUT = "Too many failed logins"


def _log_in(client, username, password, address="192.0.2.10"):
    return client.post(
        "/admin/login/?next=/admin/",
        {"username": username, "password": password},
        REMOTE_ADDR=address,
    )


def _text(response) -> str:
    return " ".join(response.content.decode().split())


@pytest.mark.django_db
def test_repeated_failed_logins_lock_the_account_out_from_that_address_only(
    client, settings, fast_password_hasher
):
    """Five wrong passwords lock the (address, account) pair: the attacker's address is
    refused even the right password, and the archivist still logs in from elsewhere."""
    assert settings.AXES_FAILURE_LIMIT == 5
    users = get_user_model().objects
    users.create_user("archivist", password="right-password-1", is_staff=True)
    users.create_user("reader", password="right-password-2", is_staff=True)
    attacker, home = "192.0.2.10", "198.51.100.7"
    for _ in range(4):
        response = _log_in(client, "archivist", "wrong", address=attacker)
        assert response.status_code == 200  # the login form again, with its error
        assert LOCKED_OUT not in response.content.decode()
    response = _log_in(client, "archivist", "wrong", address=attacker)  # the fifth
    assert response.status_code == 429
    assert (
        "Too many failed logins for “archivist”: after 5 failed attempts this account is "
        "locked out from the address they came from for 0:15:00 (hours:minutes:seconds)."
    ) in _text(response)
    # The right password no longer helps from the attacking address…
    assert _log_in(client, "archivist", "right-password-1", address=attacker).status_code == 429

    # …but the archivist logs in from an address with no failures,
    response = _log_in(client, "archivist", "right-password-1", address=home)
    assert (response.status_code, response["Location"]) == (302, "/admin/")
    client.logout()
    # which does not lift the attacker's lock,
    assert _log_in(client, "archivist", "right-password-1", address=attacker).status_code == 429
    # and four mistakes of the archivist's own at home do not lock them out there.
    for _ in range(4):
        assert _log_in(client, "archivist", "wrong", address=home).status_code == 200
    response = _log_in(client, "archivist", "right-password-1", address=home)
    assert (response.status_code, response["Location"]) == (302, "/admin/")
    client.logout()
    # Another account from the attacking address is not locked by this one's failures.
    response = _log_in(client, "reader", "right-password-2", address=attacker)
    assert (response.status_code, response["Location"]) == (302, "/admin/")


@pytest.mark.django_db
def test_the_lock_out_ends_after_the_cool_off(client, fast_password_hasher):
    from axes.models import AccessAttempt
    from django.conf import settings
    from django.utils import timezone

    get_user_model().objects.create_user("archivist", password="right-password-1", is_staff=True)
    for _ in range(5):
        _log_in(client, "archivist", "wrong")
    assert _log_in(client, "archivist", "right-password-1").status_code == 429
    # As if the cool-off had passed.
    earlier = timezone.now() - settings.AXES_COOLOFF_TIME
    AccessAttempt.objects.update(attempt_time=earlier)
    response = _log_in(client, "archivist", "right-password-1")
    assert (response.status_code, response["Location"]) == (302, "/admin/")


# --- client address --------------------------------------------------------------------


def test_the_client_address_is_the_connections_unless_behind_a_proxy():
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 192.0.2.10"
    )
    with override_settings(BEHIND_PROXY=False):
        assert client_ip(request) == "10.0.0.2"
    with override_settings(BEHIND_PROXY=True):
        # The last entry is the one the proxy appended; the first is the client's claim.
        assert client_ip(request) == "192.0.2.10"


@pytest.mark.slow
def test_management_commands_print_what_they_do_and_no_start_up_noise():
    """Django's own shell imports the archive's models and their historical models
    without a complaint, and django-axes does not announce itself on every command."""
    result = manage(
        "shell", "-c", "print(Person.__name__, Person.history.model.__name__)", DJANGO_DEBUG="1"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "Person HistoricalPerson"
    assert "could not be automatically imported" not in result.stdout + result.stderr
    assert "AXES: BEGIN" not in result.stderr
