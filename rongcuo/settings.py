"""Django settings. Everything that differs between machines comes from the environment:

DATABASE_URL          sqlite:///path or postgres://… (default: SQLite file rongcuo.sqlite3 in the working folder)
RONGCUO_SECRET_KEY    Django secret key (default for development: generated into var/secret.key)
RONGCUO_FIELD_KEY     hex key (32 hex = SM4/128) encrypting ID numbers and phones (default for development:
                      generated into var/field.key, never stored in the database)
RONGCUO_DEBUG         "1" for development error pages
RONGCUO_ALLOWED_HOSTS comma-separated
RONGCUO_DATA_DIR      where private files live (attachments, keys); default ./var
RONGCUO_HTTPS         "1": cookies marked Secure (the default without RONGCUO_DEBUG=1); "0" for plain HTTP
"""

from __future__ import annotations

import os
import secrets
import tempfile
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("RONGCUO_DATA_DIR", Path.cwd() / "var")).resolve()


def _dev_secret(name: str, make: callable) -> str:  # type: ignore[valid-type]
    """A per-installation secret kept in a private file, for development and the demo only."""
    path = DATA_DIR / name
    if path.exists():
        return path.read_text().strip()
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    value = make()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(value)
    return value


DEBUG = os.environ.get("RONGCUO_DEBUG") == "1"
SECRET_KEY = os.environ.get("RONGCUO_SECRET_KEY") or _dev_secret("secret.key", lambda: secrets.token_urlsafe(50))
FIELD_KEY = os.environ.get("RONGCUO_FIELD_KEY") or _dev_secret("field.key", lambda: secrets.token_hex(16))
ALLOWED_HOSTS = [h for h in os.environ.get("RONGCUO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rongcuo.core",
    "rongcuo.audit",
    "rongcuo.accounts",
    "rongcuo.org",
    "rongcuo.procedure",
    "rongcuo.cases",
    "rongcuo.outcomes",
    "rongcuo.disclosure",
    "rongcuo.search",
    "rongcuo.consultation",
    "rongcuo.authoring",
    "rongcuo.stats",
    "rongcuo.exchange",
    "rongcuo.documents",
    "rongcuo.notices",
    "rongcuo.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "rongcuo.core.middleware.RequestLineLimit",
    "rongcuo.core.middleware.MalformedFormBody",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "rongcuo.accounts.middleware.SessionPolicyMiddleware",
    "rongcuo.consultation.library.OneStampPerRequest",
    "rongcuo.web.middleware.WebSecurityMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "rongcuo.urls"
WSGI_APPLICATION = "rongcuo.wsgi.application"
AUTH_USER_MODEL = "accounts.User"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]


def prepare_threshold(value: object) -> int | None:
    """DATABASE_URL's ?prepare_threshold=N (or off) as psycopg takes it."""
    text = str(value).strip().lower()
    if text in {"off", "none"}:
        return None
    if not text.isdigit():
        raise ImproperlyConfigured(f"DATABASE_URL 的 prepare_threshold 应为非负整数或 off，而不是 {value!r}")
    return int(text)


_default_db = f"sqlite:///{Path.cwd() / 'rongcuo.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(os.environ.get("DATABASE_URL", _default_db), conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Connections persist (conn_max_age above) as on PostgreSQL: a new SQLite connection re-reads the
    # schema and starts with a cold page cache, which cost each request about 2 ms of CPU.
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers go on while one writer commits; IMMEDIATE takes the write lock at BEGIN so two
        # writers queue instead of deadlocking on a lock upgrade.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    # Tests use a file too (one per test run), not Django's default shared-cache in-memory database: shared
    # cache answers a second writer "database table is locked" at once instead of waiting, so racing
    # requests would fail rather than queue as they do in service (tests/concurrency).
    DATABASES["default"]["TEST"] = {"NAME": str(Path(tempfile.gettempdir()) / f"rongcuo-test-{os.getpid()}.sqlite3")}
else:
    # Parameters are bound on the server (psycopg builds no SQL literals: a transition took 15 ms of CPU
    # with client-side binding, 9 ms without), so a statement run 5 times on a connection is kept prepared
    # and PostgreSQL stops planning it (psycopg's default threshold; the queries of rongcuo.core.prepared
    # are prepared at once). Behind a transaction-mode PgBouncer without max_prepared_statements, add
    # ?prepare_threshold=off to DATABASE_URL.
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options.setdefault("server_side_binding", True)
    _options["prepare_threshold"] = prepare_threshold(_options.get("prepare_threshold", 5))
    if os.environ.get("RONGCUO_TEST_DB_NAME"):
        # A test database of its own per run, so concurrent runs on one server never collide.
        DATABASES["default"]["TEST"] = {"NAME": os.environ["RONGCUO_TEST_DB_NAME"]}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# The case scope index carries the list filters as INCLUDE columns on PostgreSQL; SQLite builds the same
# index without them, as intended (cases.models.Case.Meta), so its warning says nothing new.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# 等保 2.0 level 3: complexity, history and expiry (ASVS discourages expiry; the 等保 default is kept and
# documented). Every message is Chinese: the project's own validators (accounts/passwords.py, docs/security.md).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "rongcuo.accounts.passwords.LengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "rongcuo.accounts.passwords.WhitespaceValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "rongcuo.accounts.passwords.ComplexityValidator"},
    {"NAME": "rongcuo.accounts.passwords.UserAttributeValidator"},
    {"NAME": "rongcuo.accounts.passwords.CommonPasswordValidator"},
    {"NAME": "rongcuo.accounts.passwords.PasswordHistoryValidator"},
]
RONGCUO_PASSWORD_MAX_AGE_DAYS = int(os.environ.get("RONGCUO_PASSWORD_MAX_AGE_DAYS", "90"))
RONGCUO_PASSWORD_HISTORY = int(os.environ.get("RONGCUO_PASSWORD_HISTORY", "5"))  # the last N may not be reused
RONGCUO_LOCKOUT_THRESHOLD = 5
RONGCUO_LOCKOUT_MINUTES = 10
# Failed sign-ins per network address (accounts/throttle.py); past them every sign-in from it waits the window out.
RONGCUO_SIGNIN_FAILURES_PER_ADDRESS = int(os.environ.get("RONGCUO_SIGNIN_FAILURES_PER_ADDRESS", "40"))
RONGCUO_SIGNIN_WINDOW_SECONDS = int(os.environ.get("RONGCUO_SIGNIN_WINDOW_SECONDS", "600"))
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    # The sign-in throttle's counters, in the database so that every worker process shares them (its table is
    # made by migration accounts.0004). MAX_ENTRIES is high so that culling never drops a live counter.
    "throttle": {
        "BACKEND": "rongcuo.accounts.throttle.SignInCache",
        "LOCATION": "rongcuo_throttle",
        "TIMEOUT": 3600,
        "OPTIONS": {"MAX_ENTRIES": 100_000},
    },
}
RATELIMIT_USE_CACHE = "throttle"
RONGCUO_IDLE_TIMEOUT_SECONDS = int(os.environ.get("RONGCUO_IDLE_TIMEOUT_SECONDS", "600"))
RONGCUO_AUDIT_CHECKPOINT_EVERY = 1000
RONGCUO_ATTACHMENT_MAX_BYTES = 20 * 1024 * 1024
RONGCUO_ATTACHMENT_DIR = DATA_DIR / "attachments"

# /api/ request lines longer than this answer JSON 414 (core/middleware.py; gunicorn's own limit is above it).
RONGCUO_MAX_REQUEST_LINE = 4094

# Cookies (docs/deployment.md): the session and CSRF cookies are HttpOnly and SameSite=Lax everywhere, and Secure
# in production (no RONGCUO_DEBUG=1), which is served over HTTPS behind the TLS proxy. Browsers keep Secure
# cookies on http://127.0.0.1 and localhost, so the loopback demo still signs in; RONGCUO_HTTPS=0 for an
# installation reached over plain HTTP from other machines, RONGCUO_HTTPS=1 for Secure under RONGCUO_DEBUG too.
HTTPS = os.environ.get("RONGCUO_HTTPS", "0" if DEBUG else "1") == "1"
SESSION_COOKIE_SECURE = HTTPS
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 8 * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
CSRF_COOKIE_SECURE = HTTPS
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

LANGUAGE_CODE = "zh-hans"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# Every asset is served by the application itself (intranet, no CDN); without collectstatic in development.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
LOGIN_URL = "/login/"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
