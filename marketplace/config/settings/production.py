"""Production: every secret from the environment, HTTPS behind a proxy."""

from paylib import django_conf

from .base import *  # noqa: F403
from .base import env

SECRET_KEY = env.str("SECRET_KEY")
# The embedded SQLite broker does not redeliver after a crash: production needs a real one.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL")
DEBUG = False
vars().update(django_conf.production_security(env))

# Photos in an S3-compatible object storage instead of MEDIA_ROOT (README, "Production"):
# django-storages reads the AWS_* settings from the environment itself.
if env.str("AWS_STORAGE_BUCKET_NAME", default=""):
    STORAGES = {
        **STORAGES,  # noqa: F405
        "default": {"BACKEND": "storages.backends.s3.S3Storage"},
        # Deals' photos in a bucket of their own that no policy makes public (a public
        # bucket's read-all policy would cover any prefix of it); the marketplace reads
        # them for those who may see the deal (core/storage.py).
        "private": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": env.str("AWS_PRIVATE_BUCKET_NAME"),
                "default_acl": "private",
                "querystring_auth": True,
                "custom_domain": None,
            },
        },
    }
    AWS_STORAGE_BUCKET_NAME = env.str("AWS_STORAGE_BUCKET_NAME")
    AWS_S3_ENDPOINT_URL = env.str("AWS_S3_ENDPOINT_URL", default="") or None
    AWS_S3_REGION_NAME = env.str("AWS_S3_REGION_NAME", default="") or None
    AWS_S3_CUSTOM_DOMAIN = env.str("AWS_S3_CUSTOM_DOMAIN", default="") or None
    AWS_S3_FILE_OVERWRITE = False
    AWS_QUERYSTRING_AUTH = env.bool("AWS_QUERYSTRING_AUTH", default=False)
