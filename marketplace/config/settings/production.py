"""Production: every secret from the environment, HTTPS behind a proxy."""

from paylib import django_conf

from .base import *  # noqa: F403
from .base import env

SECRET_KEY = env.str("SECRET_KEY")
# The embedded SQLite broker does not redeliver after a crash: production needs a real one.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL")
DEBUG = False
vars().update(django_conf.production_security(env))
