"""Settings of the client-bank, read from the environment (see README, "Settings")."""

from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

from paylib import django_conf

BASE_DIR = Path(__file__).resolve().parent.parent.parent
REPO_DIR = BASE_DIR.parent
VAR_DIR = Path(environ.Env().str("VAR_DIR", default=str(REPO_DIR / "var")))

env = environ.Env()

SECRET_KEY = env.str("SECRET_KEY", default="")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

DJANGO_APPS = [
    # Django's admin on a site that refuses forged keys with messages, not 500s.
    "paylib.safe_admin.SafeAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
]
THIRD_PARTY_APPS = [
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI served from here: no CDN needed
    "paylib.axes_app.SignInAttemptsConfig",  # django-axes, named for the admin
    "csp",
    "paylib.outbox",
]
LOCAL_APPS = [
    "customers",
    "ledger",
    "holds",
    "operations",
    "api",
    "web",
]
INSTALLED_APPS = DJANGO_APPS + THIRD_PARTY_APPS + LOCAL_APPS

MIDDLEWARE = list(django_conf.MIDDLEWARE)
CONTENT_SECURITY_POLICY = django_conf.CONTENT_SECURITY_POLICY
LANGUAGE_COOKIE_AGE = django_conf.LANGUAGE_COOKIE_AGE
LANGUAGE_COOKIE_HTTPONLY = django_conf.LANGUAGE_COOKIE_HTTPONLY
LANGUAGE_COOKIE_SAMESITE = django_conf.LANGUAGE_COOKIE_SAMESITE

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = django_conf.templates(BASE_DIR / "templates")

DATABASES = {"default": django_conf.database(env, default_sqlite=VAR_DIR / "bank.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "customers.Customer"
AUTHENTICATION_BACKENDS = list(django_conf.AUTHENTICATION_BACKENDS)
PASSWORD_HASHERS = list(django_conf.PASSWORD_HASHERS)
AUTH_PASSWORD_VALIDATORS = list(django_conf.AUTH_PASSWORD_VALIDATORS)
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:accounts"
LOGOUT_REDIRECT_URL = "web:login"

# A bank session ends after five minutes without activity.
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=300)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_NAME = "bank_sessionid"
CSRF_COOKIE_NAME = "bank_csrftoken"

AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.25  # hours
# Lock the pair, so that bad passwords from behind one proxy address lock out one login,
# not everyone.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# The sign-in form posts the email as "username" (Django's AuthenticationForm).
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = django_conf.AXES_USERNAME_CALLABLE
# The client's address behind TRUSTED_PROXY_COUNT proxies, as every rate limit takes it.
AXES_CLIENT_IP_CALLABLE = django_conf.AXES_CLIENT_IP_CALLABLE
vars().update(django_conf.client_ip(env))
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_LOCKOUT_TEMPLATE = "web/lockout.html"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("ru", _("Russian"))]
LOCALE_PATHS = [BASE_DIR / "locale", django_conf.LOCALE_PATH]
TIME_ZONE = "Europe/Moscow"
USE_I18N = True
# One date and time format per language, shared by both services (paylib/formats).
FORMAT_MODULE_PATH = ["paylib.formats"]
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static" / "bank"
STATICFILES_DIRS = [REPO_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.authentication.SignatureAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["api.authentication.IsApiClient"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["api.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.errors.exception_handler",
    # No OPTIONS introspection: /api/schema/ describes the API (OPTIONS answers 405).
    "DEFAULT_METADATA_CLASS": None,
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Client-bank API",
    "DESCRIPTION": "The API that the trading platform calls: account links, balances, "
    "confirmation codes and execution of confirmed payments. Every request is signed; "
    "see docs/api.md.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
}

# The bank's identity: its BIK decides which account numbers are valid.
BANK_BIK = env.str("BANK_BIK", default="044525974")
BANK_NAME = env.str("BANK_NAME", default="Client-bank")
# A TrueType font with Cyrillic letters for statements in PDF (Debian's fonts-dejavu-core).
STATEMENT_PDF_FONT = env.str(
    "STATEMENT_PDF_FONT", default="/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
)
# Derives API client secrets; the database keeps only their hashes. Defaults to SECRET_KEY.
API_CLIENT_KEY = env.str("API_CLIENT_KEY", default="") or SECRET_KEY

CONFIRMATION_CODE_TTL = env.int("CONFIRMATION_CODE_TTL", default=300)
CONFIRMATION_CODE_ATTEMPTS = 5
CONFIRMATION_CODE_RESEND_INTERVAL = env.int("CONFIRMATION_CODE_RESEND_INTERVAL", default=30)
CONFIRMATION_CODE_MAX_SENDS = 5
# Budgets of wrong codes and code emails (operations/budget.py), in sliding windows: per
# payer account across all its operations (its owner can lift a block on the bank's pages),
# per API client across all accounts, and code emails per account that nobody used.
CONFIRMATION_BUDGET_WINDOW = env.int("CONFIRMATION_BUDGET_WINDOW", default=24 * 3600)
CONFIRMATION_WRONG_CODES_PER_ACCOUNT = env.int("CONFIRMATION_WRONG_CODES_PER_ACCOUNT", default=20)
CONFIRMATION_CLIENT_WINDOW = env.int("CONFIRMATION_CLIENT_WINDOW", default=3600)
CONFIRMATION_WRONG_CODES_PER_CLIENT = env.int("CONFIRMATION_WRONG_CODES_PER_CLIENT", default=300)
# Past the client's budget each account takes this many wrong codes from it in its window.
CONFIRMATION_WRONG_CODES_PER_ACCOUNT_DEGRADED = env.int(
    "CONFIRMATION_WRONG_CODES_PER_ACCOUNT_DEGRADED", default=3
)
CONFIRMATION_UNUSED_CODES_PER_ACCOUNT = env.int("CONFIRMATION_UNUSED_CODES_PER_ACCOUNT", default=10)
CONFIRMATION_EVENTS_KEPT_DAYS = env.int("CONFIRMATION_EVENTS_KEPT_DAYS", default=30)
# A confirmed payment must be executed within this many seconds, or it fails as expired.
OPERATION_EXECUTE_WINDOW = env.int("OPERATION_EXECUTE_WINDOW", default=24 * 3600)
# An operation whose last code expired and was sent this long ago ends as code_expired.
OPERATION_AWAITING_WINDOW = env.int("OPERATION_AWAITING_WINDOW", default=24 * 3600)
# The longest a hold request may ask to hold money (its hold_until at most this far ahead).
HOLD_MAX_DAYS = env.int("HOLD_MAX_DAYS", default=60)
# Password-reset emails to one address, and such requests from one client IP, per window
# (seconds); a reset link works for an hour.
PASSWORD_RESET_LIMIT_PER_ADDRESS = env.int("PASSWORD_RESET_LIMIT_PER_ADDRESS", default=3)
PASSWORD_RESET_LIMIT_PER_IP = env.int("PASSWORD_RESET_LIMIT_PER_IP", default=20)
PASSWORD_RESET_WINDOW = env.int("PASSWORD_RESET_WINDOW", default=3600)
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT", default=3600)
# Where customers reach the bank's pages; links in emails start with it.
BANK_SITE_URL = env.str("BANK_SITE_URL", default="http://127.0.0.1:8001")

vars().update(django_conf.celery(env, default_broker_file=VAR_DIR / "bank-broker.sqlite3"))
vars().update(django_conf.outbox(env))
CELERY_BEAT_SCHEDULE = {
    **django_conf.outbox_beat(env),
    # Ends operations nobody can finish any more, so that pending lists are true.
    "operations-expire-stale": {
        "task": "operations.expire_stale",
        "schedule": env.float("OPERATIONS_EXPIRE_INTERVAL", default=60.0),
    },
    "operations-purge-code-events": {
        "task": "operations.purge_code_events",
        "schedule": 3600.0,
    },
    "expire-holds": {
        "task": "holds.expire",
        "schedule": env.float("HOLD_EXPIRY_INTERVAL", default=60.0),
    },
}
vars().update(django_conf.email(env))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Client-bank <noreply@bank.localhost>")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}
