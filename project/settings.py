"""Settings for the archive, all read from the environment.

One module for every environment: the demo, the tests and production differ
only in their environment variables (docs/deployment.md, "Configuration").
"""

import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), not {value!r}.")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from None


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", default=False)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
development_key = "insecure-development-key-do-not-use-in-production"
if not DEBUG and (
    len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5 or SECRET_KEY == development_key
):
    # A guessable key in production would let anyone forge sessions.
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY is not set or too weak: set it to a random string of 50 "
        "characters or more (python3 -c 'import secrets; print(secrets.token_urlsafe(50))'), "
        "or set DJANGO_DEBUG=1 for local development."
    )
SECRET_KEY = SECRET_KEY or development_key

ALLOWED_HOSTS = env_list(
    "DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else []
)
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "DJANGO_ALLOWED_HOSTS is not set: list the host names this archive is served on, "
        "comma-separated."
    )

INSTALLED_APPS = [
    # Before the admin: its templates override the admin's (admin/base_site.html
    # brings the archive's stylesheet to every admin page).
    "archive",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "simple_history",
    "strawberry_django",
    "axes",
    "corsheaders",
]

MIDDLEWARE = [
    # First, as django-cors-headers asks: it answers preflights itself, and adds its
    # headers to every answer of the API, 304s and 503s made below it included
    # (project/cors.py: the same answer for every origin when all are allowed).
    "project.cors.CorsMiddlewareForPublicApi",
    "django.middleware.security.SecurityMiddleware",
    # A database that cannot be reached is a 503 to retry, not a 500 (project/unavailable.py).
    "project.unavailable.DatabaseUnavailableMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # The Content-Security-Policy header (CONTENT_SECURITY_POLICY below).
    "csp.middleware.CSPMiddleware",
    # Records the logged-in user on every version written during a request,
    # including versions of inline rows saved by the admin.
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes requires: answers a locked-out login.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out user or address before the password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "project.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "project.wsgi.application"
ASGI_APPLICATION = "project.asgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", "0")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers work while an archivist writes; IMMEDIATE transactions
    # and a busy timeout make a second writer wait instead of failing with
    # "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# A treaty's change form posts every inline row's fields: 150 signatories,
# parties and provisions are over 2,000 fields, and Django's default of 1,000
# would refuse the save (and lose what the archivist typed).
DATA_UPLOAD_MAX_NUMBER_FIELDS = 20_000

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT") or BASE_DIR / "staticfiles")
# Hashed, compressed copies made by collectstatic (bin/serve runs it), which
# browsers may keep for ever; while debugging (and in the tests), files are
# served from the apps as they are.
STATIC_MANIFEST = env_bool("DJANGO_STATIC_MANIFEST", default=not DEBUG)
if STATIC_MANIFEST:
    # The admin's CSS and scripts straight from the app server, after security.
    MIDDLEWARE.insert(
        MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
        "whitenoise.middleware.WhiteNoiseMiddleware",
    )
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if STATIC_MANIFEST
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# --- HTTPS and cookies ----------------------------------------------------------
# In production the archive sits behind a proxy that terminates TLS. It
# sends only secure cookies, tells browsers to use HTTPS only (HSTS) and
# redirects plain HTTP, except the health check that load balancers call.
# DJANGO_BEHIND_PROXY=1 trusts the proxy's X-Forwarded-Proto and
# X-Forwarded-For headers: set it only when a proxy sets (and overwrites) them.
HTTPS = env_bool("DJANGO_HTTPS", default=not DEBUG)
BEHIND_PROXY = env_bool("DJANGO_BEHIND_PROXY", default=False)
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("DJANGO_SSL_REDIRECT", default=HTTPS)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 31536000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", default=HTTPS)
# Lets browsers ship the HTTPS-only rule for the domain (hstspreload.org);
# DJANGO_HSTS_PRELOAD=0 if the domain's owner does not want it.
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", default=HTTPS)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# django-csp: pages load scripts, styles, images and fonts from this site only,
# and no inline script or style runs, so that text an archivist typed can never
# run as code in another's browser. The admin (autocomplete, inline rows,
# calendars, popups) needs nothing more. GraphiQL's page is allowed more on its
# own (project/urls.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

# --- CORS: web apps on other origins may read the API ---------------------------
# django-cors-headers, on /graphql/ only: the admin never answers another origin.
# The API is read-only and reads no cookie, so any origin may call it by default
# ("*", and never with credentials); DJANGO_CORS_ALLOWED_ORIGINS lists the only
# origins allowed instead (comma-separated, e.g. https://app.example.org).
CORS_URLS_REGEX = r"^/graphql/$"
CORS_ALLOWED_ORIGINS = env_list("DJANGO_CORS_ALLOWED_ORIGINS", ["*"])
CORS_ALLOW_ALL_ORIGINS = CORS_ALLOWED_ORIGINS == ["*"]
if CORS_ALLOW_ALL_ORIGINS:
    CORS_ALLOWED_ORIGINS = []
CORS_ALLOW_CREDENTIALS = False
CORS_ALLOW_METHODS = ["GET", "POST", "OPTIONS"]
# What GraphQL clients send: JSON bodies, the media types they accept, the
# revalidation of a kept answer, and Apollo Client's names for itself.
CORS_ALLOW_HEADERS = [
    "accept",
    "content-type",
    "if-none-match",
    "apollographql-client-name",
    "apollographql-client-version",
]
# Scripts may read these, beside the headers every response shows them.
CORS_EXPOSE_HEADERS = ["ETag", "Retry-After"]
CORS_PREFLIGHT_MAX_AGE = 86400

# --- logins ------------------------------------------------------------------------
# django-axes: after AXES_FAILURE_LIMIT failed logins for one account from one
# address, that account is locked out from that address for AXES_COOLOFF_TIME
# (HTTP 429). The pair, not the account: locking an account from anywhere would
# let anyone who knows a username lock its archivist out. A login that succeeds
# clears only its own pair's failures (those of an attacker elsewhere still count).
AXES_FAILURE_LIMIT = env_int("DJANGO_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("DJANGO_LOGIN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["ip_address", "username"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "project.client_ip.client_ip"
AXES_LOCKOUT_TEMPLATE = "admin/locked_out.html"

# History: every version's editor and reason; history pages obey the
# permissions on the history models, not only those on the records.
SIMPLE_HISTORY_ENFORCE_HISTORY_MODEL_PERMISSIONS = True
SIMPLE_HISTORY_REVERT_DISABLED = False

# The places' map (archive/admin/place_map.py): drawn by the archive alone
# unless a deployment has a tile server of its own. PLACE_MAP_TILE_URL is its
# tiles' address with {z}, {x} and {y} (https://tiles.example.org/{z}/{x}/{y}.png);
# set, the map draws those tiles (Web Mercator) and that page alone may load
# images from the server's origin. PLACE_MAP_TILE_ATTRIBUTION is the credit the
# tiles' licence asks for, shown under the map.
PLACE_MAP_TILE_URL = os.environ.get("PLACE_MAP_TILE_URL", "").strip()
PLACE_MAP_TILE_ATTRIBUTION = os.environ.get("PLACE_MAP_TILE_ATTRIBUTION", "").strip()
if PLACE_MAP_TILE_URL and (
    urlsplit(PLACE_MAP_TILE_URL).scheme not in {"http", "https"}
    or not urlsplit(PLACE_MAP_TILE_URL).hostname
    or not all(part in PLACE_MAP_TILE_URL for part in ("{z}", "{x}", "{y}"))
):
    raise ImproperlyConfigured(
        "PLACE_MAP_TILE_URL must be an http(s) address with {z}, {x} and {y} in it "
        f"(https://tiles.example.org/{{z}}/{{x}}/{{y}}.png), not {PLACE_MAP_TILE_URL!r}."
    )

# The read-only GraphQL API (archive/graphql).
GRAPHIQL = env_bool("DJANGO_GRAPHIQL", default=DEBUG)
GRAPHQL_INTROSPECTION = env_bool("DJANGO_GRAPHQL_INTROSPECTION", default=True)
GRAPHQL_SUGGESTIONS = env_bool("DJANGO_GRAPHQL_SUGGESTIONS", default=DEBUG)
# Seconds one execution may run (archive/graphql/time_limit.py), and the largest
# request body, in bytes (a query within every limit is a few kilobytes).
GRAPHQL_TIME_LIMIT = float(os.environ.get("GRAPHQL_TIME_LIMIT", "2"))
GRAPHQL_MAX_BODY_BYTES = env_int("GRAPHQL_MAX_BODY_BYTES", 100_000)
# What one query may ask (archive/graphql/limits.py). Each limit is this one
# setting: the schema's descriptions are written from it when the schema is
# built, and the refusals read it on every request.
# A page's size when the client gives none, and the largest it may ask.
GRAPHQL_PAGE_SIZE = env_int("GRAPHQL_PAGE_SIZE", 20)
GRAPHQL_MAX_PAGE_SIZE = env_int("GRAPHQL_MAX_PAGE_SIZE", 100)
# Fields nested within each other, aliases, and tokens of the query text (the
# fields a query selects once its fragments are expanded are bounded by the
# tokens too: fragments cannot make a query larger than one written out).
GRAPHQL_MAX_DEPTH = env_int("GRAPHQL_MAX_DEPTH", 10)
GRAPHQL_MAX_ALIASES = env_int("GRAPHQL_MAX_ALIASES", 30)
GRAPHQL_MAX_TOKENS = env_int("GRAPHQL_MAX_TOKENS", 2000)
# Items of a list argument (``ordering``): a key more than the types have is no use.
GRAPHQL_MAX_LIST_ITEMS = env_int("GRAPHQL_MAX_LIST_ITEMS", 10)
# A text to find (a filter's ``text``, ``search``); the admin's search box
# searches the first GRAPHQL_MAX_TEXT_WORDS words of a longer one.
GRAPHQL_MAX_TEXT_WORDS = env_int("GRAPHQL_MAX_TEXT_WORDS", 20)
GRAPHQL_MAX_TEXT_CHARACTERS = env_int("GRAPHQL_MAX_TEXT_CHARACTERS", 200)
# The most one query may cost: 50,000 admits queries of about half a second of
# CPU at 100,000 documents; tools/cost_calibration.py measures what
# another figure admits.
GRAPHQL_MAX_COST = env_int("GRAPHQL_MAX_COST", 50_000)
STRAWBERRY_DJANGO = {
    "PAGINATION_DEFAULT_LIMIT": GRAPHQL_PAGE_SIZE,
    "PAGINATION_MAX_LIMIT": GRAPHQL_MAX_PAGE_SIZE,
    "FIELD_DESCRIPTION_FROM_HELP_TEXT": True,
}

# The GraphQL response cache (archive/graphql/cache.py) and the data version
# it is keyed on (archive/data_version.py): Redis when REDIS_URL is set, shared
# by every process; otherwise each process's own memory.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "archive",
            # An unreachable Redis must fail fast: the API then answers uncached.
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "archive",
            # With entries of at most GRAPHQL_CACHE_MAX_ENTRY_BYTES: at most
            # 50 MiB per process. (Redis: bound it with maxmemory, docs/deployment.md.)
            "OPTIONS": {"MAX_ENTRIES": env_int("GRAPHQL_CACHE_MAX_ENTRIES", 200)},
        }
    }
GRAPHQL_CACHE = env_bool("GRAPHQL_CACHE", default=True)
GRAPHQL_CACHE_TIMEOUT = int(os.environ.get("GRAPHQL_CACHE_TIMEOUT", "3600"))
# An answer larger than this is served but not cached (a page of 100 documents
# with their parties and signatories is well under it).
GRAPHQL_CACHE_MAX_ENTRY_BYTES = env_int("GRAPHQL_CACHE_MAX_ENTRY_BYTES", 256 * 1024)
# Counts (a list's totalCount) remembered for the data version (archive.counts).
COUNT_CACHE = env_bool("COUNT_CACHE", default=True)
# Read the data version from the database on every request (one query by
# primary key) instead of from the cache. Needed whenever the cache is not
# shared by every process that writes: a local-memory cache learns only of the
# writes made by its own process, not of another server's, nor of loaddata's.
GRAPHQL_CACHE_VERSION_FROM_DB = env_bool("GRAPHQL_CACHE_VERSION_FROM_DB", default=not REDIS_URL)

# Persisted queries (archive/graphql/persisted.py). Apollo's automatic persisted
# queries: a query's text is kept under its SHA-256 in the cache above, for this
# many seconds, so that clients may send the hash alone (by GET too).
GRAPHQL_PERSISTED_QUERY_TIMEOUT = env_int("GRAPHQL_PERSISTED_QUERY_TIMEOUT", 86400)
# The trusted documents (SHA-256 -> document; manage.py register_trusted_documents
# writes it). With GRAPHQL_TRUSTED_DOCUMENTS_ONLY, the API answers these alone.
GRAPHQL_TRUSTED_DOCUMENTS = os.environ.get(
    "GRAPHQL_TRUSTED_DOCUMENTS", str(BASE_DIR / "archive" / "graphql" / "trusted_documents.json")
)
GRAPHQL_TRUSTED_DOCUMENTS_ONLY = env_bool("GRAPHQL_TRUSTED_DOCUMENTS_ONLY", default=False)
# Seconds a shared cache (a CDN, nginx's proxy_cache) may serve an answer to a
# GET without asking again; after that it revalidates with the ETag (a 304).
GRAPHQL_HTTP_MAX_AGE = env_int("GRAPHQL_HTTP_MAX_AGE", 60)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "{asctime} {levelname} {name}: {message}", "style": "{"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    # django-axes announces itself at INFO on every start; its lock-outs are warnings.
    "loggers": {"axes": {"level": "WARNING"}},
}
