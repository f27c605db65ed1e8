"""Development: ``make run`` on the embedded SQLite database and broker."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env.str("SECRET_KEY", default="insecure-local-marketplace-key-change-me")
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Serve static files straight from the apps and static/ without collectstatic (as the bank
# does): with DEBUG off, e.g. under gunicorn in the end-to-end tests, the pages had no
# styles and the payment status page no script to update itself.
WHITENOISE_USE_FINDERS = True
SERVE_MEDIA = env.bool("SERVE_MEDIA", default=True)
WHITENOISE_AUTOREFRESH = DEBUG
