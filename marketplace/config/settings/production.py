"""Production: every secret from the environment, HTTPS behind a proxy."""

from paylib import django_conf

from .base import *  # noqa: F403
from .base import env

SECRET_KEY = env.str("SECRET_KEY")
DEBUG = False
vars().update(django_conf.production_security(env))
