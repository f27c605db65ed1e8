"""Settings that both Django projects read from the environment in the same way."""

from __future__ import annotations

import ssl
from pathlib import Path
from typing import Any, Literal

import environ

MIDDLEWARE = [
    # First: a NUL or another control character in the address never reaches a view.
    "paylib.middleware.RejectControlCharactersMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",  # Content-Security-Policy on every response
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Inside the two above (so its answers get their headers), outside every middleware
    # that may touch the database: a database fault is a 503 with Retry-After, not a 500.
    "paylib.middleware.DatabaseUnavailableMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "paylib.middleware.VisitorLanguageMiddleware",  # the path's prefix, cookie, browser
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",  # sign-in throttling; last, as axes asks
]

# Every page's scripts, styles, images and fonts come from the site itself: no inline
# script or style anywhere (templates, the admin, the bank's Swagger page), so an injected
# <script> or style="" does nothing. data: images are Pico's and Swagger UI's inline SVG
# icons in their stylesheets.
CONTENT_SECURITY_POLICY: dict[str, Any] = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    },
}

# The language cookie, as the session's: not for scripts, not sent by other sites' forms
# (Secure in production, see production_security()).
LANGUAGE_COOKIE_HTTPONLY = True
# A chosen language holds for a year, not only until the browser closes.
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE: Literal["Lax", "Strict"] = "Lax"
# The translations of what paylib itself shows (its middleware's page): add to LOCALE_PATHS.
LOCALE_PATH = Path(__file__).resolve().parent / "locale"

# django-axes first, so that a locked-out login never reaches the password check.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# What django-axes records of a failed sign-in's username: at most what its column holds.
AXES_USERNAME_CALLABLE = "paylib.signin.axes_username"
# Argon2 for new passwords; PBKDF2 only to read hashes made before.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]


def templates(directory: Path) -> list[dict[str, Any]]:
    """Django templates from ``directory`` and the apps, with the request and i18n."""
    return [
        {
            "BACKEND": "django.template.backends.django.DjangoTemplates",
            "DIRS": [directory],
            "APP_DIRS": True,
            "OPTIONS": {
                "context_processors": [
                    "django.template.context_processors.request",
                    "django.template.context_processors.i18n",
                    "django.contrib.auth.context_processors.auth",
                    "django.contrib.messages.context_processors.messages",
                ],
            },
        },
    ]


def database(env: environ.Env, *, default_sqlite: Path) -> dict[str, Any]:
    """``DATABASE_URL`` or the embedded SQLite file.

    SQLite runs write transactions as ``BEGIN IMMEDIATE`` so that two writers queue up
    instead of failing with "database is locked" halfway through a posting.
    """
    config: dict[str, Any] = env.db("DATABASE_URL", default=f"sqlite:///{default_sqlite}")
    if config["ENGINE"] == "django.db.backends.sqlite3":
        Path(config["NAME"]).parent.mkdir(parents=True, exist_ok=True)
        config.setdefault("OPTIONS", {}).update({"transaction_mode": "IMMEDIATE", "timeout": 20})
    else:
        config["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
        config["CONN_HEALTH_CHECKS"] = True
    return config


def celery(env: environ.Env, *, default_broker_file: Path) -> dict[str, Any]:
    """Celery tuned for money work: at-least-once delivery of idempotent tasks, and workers
    that outlive a broker restart (see ``paylib.celery_redis``)."""
    retry_ceiling = 600  # no task waits longer than this between retries
    time_limit = 120
    default_broker_file.parent.mkdir(parents=True, exist_ok=True)
    broker = env.str("CELERY_BROKER_URL", default=f"sqla+sqlite:///{default_broker_file}")
    settings: dict[str, Any] = {
        "CELERY_BROKER_URL": broker,
        "CELERY_TASK_ALWAYS_EAGER": env.bool("CELERY_TASK_ALWAYS_EAGER", default=False),
        "CELERY_TASK_ACKS_LATE": True,
        "CELERY_TASK_REJECT_ON_WORKER_LOST": True,
        "CELERY_WORKER_PREFETCH_MULTIPLIER": 1,
        "CELERY_TASK_SERIALIZER": "json",
        "CELERY_RESULT_SERIALIZER": "json",
        "CELERY_ACCEPT_CONTENT": ["json"],
        "CELERY_TASK_IGNORE_RESULT": True,
        "CELERY_TASK_TIME_LIMIT": time_limit,
        "CELERY_TASK_SOFT_TIME_LIMIT": time_limit - 30,
        "CELERY_RETRY_CEILING": retry_ceiling,
        "CELERY_BROKER_TRANSPORT_OPTIONS": {},
        "CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP": True,
        # A worker waits for its broker however long it is away (Celery gives up after
        # 100 attempts by default, some 50 minutes, and the worker exits).
        "CELERY_BROKER_CONNECTION_MAX_RETRIES": None,
    }
    redelivery_after = retry_ceiling + time_limit + 180
    if broker.startswith(("redis://", "rediss://")):
        settings.update(_redis_broker(broker, redelivery_after=redelivery_after))
    elif broker.startswith("sqs://"):
        settings["CELERY_BROKER_TRANSPORT_OPTIONS"] = {"visibility_timeout": redelivery_after}
    return settings


def _redis_broker(broker: str, *, redelivery_after: int) -> dict[str, Any]:
    options = {
        # An unacknowledged task is delivered again after this: it must outlast the longest
        # countdown of a retry (a worker holds such a task unacknowledged until it is due)
        # plus the task's run.
        "visibility_timeout": redelivery_after,
        # Without a socket timeout a publish to a Redis that is paused or cut off by the
        # network waits for ever, and the health checks never run.
        "socket_timeout": 5,
        "socket_connect_timeout": 3,
        "health_check_interval": 10,
    }
    settings: dict[str, Any] = {
        "CELERY_BROKER_TRANSPORT": "paylib.celery_redis:Transport",
        "CELERY_BROKER_TRANSPORT_OPTIONS": options,
    }
    if broker.startswith("rediss://"):
        # The transport named above gets no TLS settings from the URL's scheme: verify the
        # server's certificate (kombu's own default for rediss:// is not to).
        settings["CELERY_BROKER_USE_SSL"] = {"ssl_cert_reqs": ssl.CERT_REQUIRED}
    return settings


def outbox(env: environ.Env) -> dict[str, Any]:
    """The outbox (``paylib.outbox``): how long a delivery may hold a message, how it retries."""
    return {
        # Longer than any delivery may run (CELERY_TASK_TIME_LIMIT): a worker that dies
        # mid-delivery gives the message up when this runs out.
        "OUTBOX_LEASE": env.int("OUTBOX_LEASE", default=150),
        "OUTBOX_MAX_ATTEMPTS": env.int("OUTBOX_MAX_ATTEMPTS", default=12),
        "OUTBOX_RETRY_BASE": env.int("OUTBOX_RETRY_BASE", default=5),
        "OUTBOX_RETRY_CEILING": env.int("OUTBOX_RETRY_CEILING", default=3600),
    }


#: The beat entry every service that uses the outbox adds to ``CELERY_BEAT_SCHEDULE``.
def outbox_beat(env: environ.Env) -> dict[str, Any]:
    return {
        "outbox-sweep": {
            "task": "outbox.sweep",
            "schedule": env.float("OUTBOX_SWEEP_INTERVAL", default=15.0),
        }
    }


def email(env: environ.Env) -> dict[str, Any]:
    """SMTP by default, pointed at the local mail catcher that ``make run`` starts."""
    return {
        "EMAIL_BACKEND": env.str(
            "EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend"
        ),
        "EMAIL_HOST": env.str("EMAIL_HOST", default="127.0.0.1"),
        "EMAIL_PORT": env.int("EMAIL_PORT", default=1025),
        "EMAIL_HOST_USER": env.str("EMAIL_HOST_USER", default=""),
        "EMAIL_HOST_PASSWORD": env.str("EMAIL_HOST_PASSWORD", default=""),
        "EMAIL_USE_TLS": env.bool("EMAIL_USE_TLS", default=False),
        "EMAIL_USE_SSL": env.bool("EMAIL_USE_SSL", default=False),
        "EMAIL_TIMEOUT": env.int("EMAIL_TIMEOUT", default=10),
    }


def production_security(env: environ.Env) -> dict[str, Any]:
    """What ``manage.py check --deploy`` asks for, behind a TLS-terminating proxy."""
    return {
        "SECURE_PROXY_SSL_HEADER": ("HTTP_X_FORWARDED_PROTO", "https"),
        "SECURE_SSL_REDIRECT": env.bool("SECURE_SSL_REDIRECT", default=True),
        "SECURE_HSTS_SECONDS": env.int("SECURE_HSTS_SECONDS", default=31_536_000),
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_HSTS_PRELOAD": True,
        "SECURE_CONTENT_TYPE_NOSNIFF": True,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "LANGUAGE_COOKIE_SECURE": True,
        "X_FRAME_OPTIONS": "DENY",
    }
