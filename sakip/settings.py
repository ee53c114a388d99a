"""The one settings module of sakip, configured by environment variables (see README)."""

import ipaddress
import os
import re
import zoneinfo
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from sakip.lib.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", True)

# The development key is refused outside DEBUG so that a forgotten variable
# cannot put a publicly known key into production.
_DEV_SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"
SECRET_KEY = env_str("SECRET_KEY") or (_DEV_SECRET_KEY if DEBUG else "")
if not SECRET_KEY:
    raise ImproperlyConfigured("Environment variable SECRET_KEY must be set when DEBUG is off.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "axes",
    "csp",
    "sakip.accounts",
    "sakip.sops",
    "sakip.workflow",
    "sakip.performance",
    "sakip.ops",
    "sakip.office",
]

MIDDLEWARE = [
    # First: a body over the limit is refused before anything reads it (see REQUEST_MAX_MB).
    "sakip.lib.middleware.RequestSizeLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "sakip.lib.middleware.OfficeLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "sakip.accounts.middleware.PasswordChangeRequiredMiddleware",  # a temporary password is changed first
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks, so that it sees the result of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "sakip.urls"
WSGI_APPLICATION = "sakip.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "sakip.workflow.context_processors.notifications",
            ],
        },
    },
]

_DEFAULT_SQLITE = f"sqlite:///{BASE_DIR / 'data' / 'sakip.sqlite3'}"
try:
    DATABASES = {"default": dj_database_url.parse(env_str("DATABASE_URL") or _DEFAULT_SQLITE, conn_max_age=60)}
except ValueError as exc:
    raise ImproperlyConfigured(f"Environment variable DATABASE_URL is malformed: {exc}") from None
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several people act at once: a transaction takes the write lock when it
    # begins and others wait for it, instead of failing with "database is locked".
    # WAL: readers never wait for a writer, and a backup (SQLite's backup API) holds no writer up.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        timeout=20, transaction_mode="IMMEDIATE", init_command="PRAGMA journal_mode=WAL;"
    )
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # Tests use a file, not memory: the concurrency tests need real connections
    # from several threads to one database.
    DATABASES["default"].setdefault("TEST", {})["NAME"] = str(BASE_DIR / "data" / f"test-{os.getpid()}.sqlite3")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"


def cache_from_url(url: str) -> dict:
    """CACHE_URL as Django's cache settings: Django's own backends only, no extra package.

    locmem:// is each process's own memory. db://<table> (after `manage.py createcachetable`) is shared
    by every process on every server of the instance, file:///<absolute path> by the processes of one machine.
    """
    scheme, separator, rest = url.partition("://")
    if separator and scheme == "locmem":
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": rest}
    if separator and scheme == "db" and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", rest):
        return {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": rest}
    if separator and scheme == "file" and rest.startswith("/") and rest != "/":
        return {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": rest}
    raise ImproperlyConfigured(
        f"Environment variable CACHE_URL: expected locmem://, db://<table> or file:///<absolute path>, got {url!r}."
    )


CACHES = {"default": cache_from_url(env_str("CACHE_URL") or "locmem://")}

AUTHENTICATION_BACKENDS = [
    # First, so that a locked account or address is refused before any password check.
    "axes.backends.AxesStandaloneBackend",
    "sakip.accounts.backends.ProductionSafeModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# A working day: a session left open overnight asks for the password again.
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 60 * 60, minimum=60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

LANGUAGE_CODE = "id"
LANGUAGES = [("id", "Bahasa Indonesia"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["sakip.formats"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = env_str("TIME_ZONE", "Asia/Jakarta")
try:
    zoneinfo.ZoneInfo(TIME_ZONE)
except (zoneinfo.ZoneInfoNotFoundError, ValueError):
    raise ImproperlyConfigured(f"Environment variable TIME_ZONE: unknown time zone {TIME_ZONE!r}.") from None

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT") or BASE_DIR / "staticfiles")
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT") or BASE_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# The office as it appears on its documents.
SIGNATURE_PLACE = env_str("SIGNATURE_PLACE", "Lamongan")
OFFICE_GOVERNMENT = env_str("OFFICE_GOVERNMENT", "PEMERINTAH KABUPATEN LAMONGAN")
OFFICE_NAME = env_str("OFFICE_NAME", "DINAS TENAGA KERJA")
OFFICE_ADDRESS = env_str("OFFICE_ADDRESS", "")
# A logo file under static/ (PNG or SVG), printed at the left of the letterhead; empty for none.
OFFICE_LOGO = env_str("OFFICE_LOGO", "")
# The address the QR code on a signed PDF points to (the public verification page).
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# Attachments to documents (PDF, images, Word, Excel), in megabytes.
_MB = 1024 * 1024
_ATTACHMENT_MAX_MB = env_int("ATTACHMENT_MAX_MB", 10, minimum=1)
ATTACHMENT_MAX_BYTES = _ATTACHMENT_MAX_MB * _MB
# The largest request body, refused before it is read (sakip.lib.middleware.RequestSizeLimitMiddleware).
# A step may carry several attachments at once: room for five of the largest, and 1 MB for the form.
REQUEST_MAX_BYTES = env_int("REQUEST_MAX_MB", 5 * _ATTACHMENT_MAX_MB + 1, minimum=_ATTACHMENT_MAX_MB + 1) * _MB
# Without a logged-in session only the login form and the public verification page can be posted to;
# the latter takes a signed PDF of at most 20 MB (sakip/workflow/verification.py), plus 1 MB for the form.
ANONYMOUS_REQUEST_MAX_BYTES = min(21 * _MB, REQUEST_MAX_BYTES)
# Django's own limits, inside that one: the form fields without their files (a realisation form with
# every indicator is far below it), and how much of an uploaded file is held in memory before the
# rest goes to a temporary file.
DATA_UPLOAD_MAX_MEMORY_SIZE = min(5 * _MB, REQUEST_MAX_BYTES)
FILE_UPLOAD_MAX_MEMORY_SIZE = min(5 * _MB // 2, ATTACHMENT_MAX_BYTES)

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Email: printed on the console unless an SMTP server is configured.
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
# Mail is sent by manage.py send_outbox, one run a minute: a server that never answers must not hold it.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10, minimum=1)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "sakip@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Failed logins: lock the pair (account, address) for a while.
AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 15, minimum=1) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
# Behind the reverse proxy every request comes from the proxy's address; the lock counts the address the
# proxy saw (sakip/ops/proxy.py), trusted only from these addresses or networks (gunicorn reads the same
# variable for X-Forwarded-Proto).
try:
    FORWARDED_ALLOW_IPS = [
        ipaddress.ip_network(item, strict=False) for item in env_list("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
    ]
except ValueError as exc:
    raise ImproperlyConfigured(f"Environment variable FORWARDED_ALLOW_IPS: {exc}.") from None
AXES_CLIENT_IP_CALLABLE = "sakip.ops.proxy.client_address"
# Codes typed at /verifikasi/ per client address and sliding window of seconds (sakip/workflow/verification.py).
VERIFY_LOOKUP_LIMIT = env_int("VERIFY_LOOKUP_LIMIT", 10, minimum=1)
VERIFY_LOOKUP_WINDOW = env_int("VERIFY_LOOKUP_WINDOW_SECONDS", 600, minimum=1)

# Only the project's own files: no inline script or style, no third-party host.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

# Transport security: on by default outside DEBUG; behind a TLS-terminating
# proxy set SECURE_PROXY_SSL_HEADER_ENABLED.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
# A load balancer or a probe on the server itself asks gunicorn over plain HTTP; it carries no secret.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if env_bool("SECURE_PROXY_SSL_HEADER_ENABLED", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}
