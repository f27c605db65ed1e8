"""Settings of the trading platform, read from the environment (see README, "Settings")."""

from datetime import timedelta
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
    "django.contrib.postgres",
]
THIRD_PARTY_APPS = [
    "paylib.axes_app.SignInAttemptsConfig",  # django-axes, named for the admin
    "csp",
    "paylib.outbox",
    "imagekit",
]
LOCAL_APPS = [
    "core",
    "users",
    "commission",
    "banking",
    "accounts",
    "offers",
    "deals",
    "payments",
    "notifications",
    "conversations",
    "reviews",
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
TEMPLATES[0]["OPTIONS"]["context_processors"].append(
    "notifications.context_processors.unread_notifications"
)

DATABASES = {"default": django_conf.database(env, default_sqlite=VAR_DIR / "marketplace.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "users.User"
AUTHENTICATION_BACKENDS = list(django_conf.AUTHENTICATION_BACKENDS)
PASSWORD_HASHERS = list(django_conf.PASSWORD_HASHERS)
AUTH_PASSWORD_VALIDATORS = list(django_conf.AUTH_PASSWORD_VALIDATORS)
LOGIN_URL = "users:login"
LOGIN_REDIRECT_URL = "offers:catalogue"
LOGOUT_REDIRECT_URL = "offers:catalogue"
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT", default=3 * 24 * 3600)
# Emails that anyone may ask us to send (sign-up, password reset): at most this many to one
# address, and requests from one client IP, per window.
ACCOUNT_EMAIL_LIMIT_PER_ADDRESS = env.int("ACCOUNT_EMAIL_LIMIT_PER_ADDRESS", default=3)
ACCOUNT_EMAIL_LIMIT_PER_IP = env.int("ACCOUNT_EMAIL_LIMIT_PER_IP", default=20)
ACCOUNT_EMAIL_WINDOW = env.int("ACCOUNT_EMAIL_WINDOW", default=3600)

# A marketplace session lasts two weeks. Both services run on 127.0.0.1 during development
# and cookies ignore the port, so every cookie name differs from the bank's.
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=14 * 24 * 3600)
SESSION_COOKIE_NAME = "market_sessionid"
CSRF_COOKIE_NAME = "market_csrftoken"
LANGUAGE_COOKIE_NAME = "market_language"

AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.25  # hours
# Lock the pair, so that bad passwords from behind one proxy address lock out one login,
# not everyone.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = django_conf.AXES_USERNAME_CALLABLE
# The client's address behind TRUSTED_PROXY_COUNT proxies, as every rate limit takes it.
AXES_CLIENT_IP_CALLABLE = django_conf.AXES_CLIENT_IP_CALLABLE
vars().update(django_conf.client_ip(env))

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("ru", _("Russian"))]
LOCALE_PATHS = [BASE_DIR / "locale", django_conf.LOCALE_PATH]
TIME_ZONE = "Europe/Moscow"
USE_I18N = True
# One date and time format per language, shared by both services (paylib/formats).
FORMAT_MODULE_PATH = ["paylib.formats"]
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static" / "marketplace"
STATICFILES_DIRS = [REPO_DIR / "static"]
# Rendered fragments (offer cards) in each process's memory, under keys made of what they
# show (offers/templatetags/offer_cards.py): never stale, so nothing needs sharing them.
# Whole pages for visitors who are not signed in (core/page_cache.py), each kept
# SHARED_PAGE_SECONDS in the process's memory: the catalogue's first page and popular
# searches rendered once per process every few seconds, not once per visitor.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "fragments": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "fragments",
        "TIMEOUT": 3600,
        "OPTIONS": {"MAX_ENTRIES": 5000},
    },
    "pages": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "pages",
        "OPTIONS": {"MAX_ENTRIES": 500},
    },
}
SHARED_PAGE_SECONDS = env.int("SHARED_PAGE_SECONDS", default=5)
# Uploaded photos: the file system under MEDIA_ROOT by default; in production any storage of
# Django's API, e.g. django-storages' S3 (README, "Production").
MEDIA_URL = env.str("MEDIA_URL", default="/media/")
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media" / "marketplace")))
# Whether this process serves MEDIA_URL itself (development, tests); in production the web
# server or the object storage does.
SERVE_MEDIA = env.bool("SERVE_MEDIA", default=False)
# Thumbnails are made when a page first asks for them, and kept in the same storage.
IMAGEKIT_CACHEFILE_DIR = "thumbnails"
# Photos of deals' messages and disputes are evidence, not public pictures: they are kept
# outside MEDIA_ROOT and read only through a view that checks who asks (core/storage.py).
PRIVATE_MEDIA_ROOT = Path(
    env.str("PRIVATE_MEDIA_ROOT", default=str(VAR_DIR / "private-media" / "marketplace"))
)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(PRIVATE_MEDIA_ROOT)},
    },
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# The bank, as the bank client sees it (marketplace/bank_client).
BANK_API_URL = env.str("BANK_API_URL", default="http://127.0.0.1:8001")
BANK_API_CLIENT_ID = env.str("BANK_API_CLIENT_ID", default="")
BANK_API_SECRET = env.str("BANK_API_SECRET", default="")
BANK_API_TIMEOUT = env.float("BANK_API_TIMEOUT", default=10.0)
# The bank's BIK: account numbers are checked against it before the bank is asked.
BANK_BIK = env.str("BANK_BIK", default="044525974")
# The bank's rules for its codes (its CONFIRMATION_CODE_TTL and _RESEND_INTERVAL): a code
# is good for this many seconds, and a new one may be asked this long after the last; the
# code page counts down to then.
BANK_CODE_TTL = env.int("BANK_CODE_TTL", default=300)
BANK_CODE_RESEND_INTERVAL = env.int("BANK_CODE_RESEND_INTERVAL", default=30)
# The platform's own account at the bank, where commissions are paid.
PLATFORM_ACCOUNT = env.str("PLATFORM_ACCOUNT", default="")

# A deal not paid within this window expires and its quantity returns to the offer.
DEAL_PAYMENT_WINDOW = timedelta(seconds=env.int("DEAL_PAYMENT_WINDOW", default=24 * 3600))
# Each open unpaid deal reserves its quantity: one buyer may hold at most this many, so
# that nobody can open deals until an offer is sold out and keep everyone else from it.
DEAL_OPEN_UNPAID_PER_BUYER = env.int("DEAL_OPEN_UNPAID_PER_BUYER", default=5)
# The safe deal's windows (seconds): the seller ships within the first; the buyer confirms
# receipt or disputes within the second after shipping (else the seller is paid); the
# seller answers a dispute within the third; a dispute unresolved for the fourth is
# refunded. The bank holds the money for all of them plus the margin (at most 60 days,
# checked at start-up).
DEAL_SHIPPING_WINDOW = timedelta(seconds=env.int("DEAL_SHIPPING_WINDOW", default=5 * 86400))
DEAL_CONFIRMATION_WINDOW = timedelta(
    seconds=env.int("DEAL_CONFIRMATION_WINDOW", default=14 * 86400)
)
DEAL_DISPUTE_ANSWER_WINDOW = timedelta(
    seconds=env.int("DEAL_DISPUTE_ANSWER_WINDOW", default=3 * 86400)
)
DEAL_DISPUTE_LIMIT = timedelta(seconds=env.int("DEAL_DISPUTE_LIMIT", default=30 * 86400))
DEAL_HOLD_MARGIN = timedelta(seconds=env.int("DEAL_HOLD_MARGIN", default=2 * 86400))
DEAL_SHIP_REMINDER_BEFORE = timedelta(seconds=env.int("DEAL_SHIP_REMINDER_BEFORE", default=86400))
DEAL_CONFIRM_REMINDER_BEFORE = timedelta(
    seconds=env.int("DEAL_CONFIRM_REMINDER_BEFORE", default=2 * 86400)
)
# The seller is reminded this long before his time to answer a dispute runs out.
DEAL_ANSWER_REMINDER_BEFORE = timedelta(
    seconds=env.int("DEAL_ANSWER_REMINDER_BEFORE", default=86400)
)
CATALOGUE_PAGE_SIZE = 24

vars().update(django_conf.celery(env, default_broker_file=VAR_DIR / "marketplace-broker.sqlite3"))
# Payments: how long to wait before retrying the bank, and when to ask about a payment
# that has been processing for too long (the periodic check settles it either way).
PAYMENT_RETRY_BASE_DELAY = env.float("PAYMENT_RETRY_BASE_DELAY", default=2.0)
PAYMENT_STUCK_AFTER = env.int("PAYMENT_STUCK_AFTER", default=60)
# Encrypts stored payment keys (a Fernet key); derived from SECRET_KEY when empty.
PAYMENT_KEY_ENCRYPTION_KEY = env.str("PAYMENT_KEY_ENCRYPTION_KEY", default="")
# How long a code whose check is in doubt (the bank did not answer) is kept, sealed, to
# send the same confirmation again; after that the bank's status decides.
PAYMENT_CODE_SEAL_TTL = env.int("PAYMENT_CODE_SEAL_TTL", default=24 * 3600)
# Per marketplace user, in a sliding window: codes typed on the link and payment forms that
# the bank did not accept, and link requests and resends (each emails the account's owner).
CODE_GUESSES_PER_USER = env.int("CODE_GUESSES_PER_USER", default=10)
CODE_GUESS_WINDOW = timedelta(seconds=env.int("CODE_GUESS_WINDOW", default=24 * 3600))
LINK_EMAILS_PER_USER = env.int("LINK_EMAILS_PER_USER", default=5)
LINK_EMAIL_WINDOW = timedelta(seconds=env.int("LINK_EMAIL_WINDOW", default=24 * 3600))
# Where links in emails point.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

CELERY_BEAT_SCHEDULE = {
    "check-stuck-payments": {
        "task": "payments.tasks.check_stuck_payments",
        "schedule": env.float("PAYMENT_CHECK_INTERVAL", default=30.0),
    },
    "expire-unpaid-deals": {
        "task": "deals.tasks.expire_unpaid_deals",
        "schedule": env.float("DEAL_EXPIRY_INTERVAL", default=300.0),
    },
    "end-payments-with-deals": {
        "task": "payments.tasks.end_payments_with_deals",
        "schedule": env.float("DEAL_EXPIRY_INTERVAL", default=300.0),
    },
    **{
        f"deals-{task.replace('_', '-')}": {
            "task": f"deals.tasks.{task}",
            "schedule": env.float("DEAL_TIMER_INTERVAL", default=60.0),
        }
        for task in (
            "cancel_unshipped_deals",
            "remind_to_ship",
            "release_unconfirmed_deals",
            "remind_to_confirm",
            "refund_overdue_disputes",
            "remind_to_answer",
            "flag_unanswered_disputes",
        )
    },
    "reconcile-deal-holds": {
        "task": "deals.tasks.reconcile_deal_holds",
        "schedule": env.float("DEAL_RECONCILE_INTERVAL", default=3600.0),
    },
    **django_conf.outbox_beat(env),
}
vars().update(django_conf.outbox(env))
vars().update(django_conf.email(env))
DEFAULT_FROM_EMAIL = env.str(
    "DEFAULT_FROM_EMAIL", default="Marketplace <noreply@marketplace.localhost>"
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}
