"""Production: every secret from the environment, HTTPS behind a proxy."""

from django.core.exceptions import ImproperlyConfigured

from paylib import django_conf

from .base import *  # noqa: F403
from .base import env

SECRET_KEY = env.str("SECRET_KEY")
# A key of its own: a leaked or rotated SECRET_KEY must not expose or revoke API clients.
API_CLIENT_KEY = env.str("API_CLIENT_KEY")
if API_CLIENT_KEY == SECRET_KEY:
    raise ImproperlyConfigured("API_CLIENT_KEY must differ from SECRET_KEY.")
# The embedded SQLite broker does not redeliver after a crash: production needs a real one.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL")
DEBUG = False
vars().update(django_conf.production_security(env))
