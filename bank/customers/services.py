"""Writes on customers: the self-service password reset.

A reset request answers the same whether or not the address belongs to a customer: the
email is queued in the outbox either way, and its delivery looks the customer up after the
request (``customers.effects``). Requests are limited per address (silently, since a
message would tell that the address was asked for) and per client IP (with a message,
which tells nothing), in sliding windows counted in the database, so that every web
process counts the same requests.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from paylib.errors import ApplicationError
from paylib.outbox.services import enqueue

from .models import Customer, PasswordResetRequest

PASSWORD_RESET_EMAIL = "customers.password_reset_email"  # noqa: S105 - a kind, not a secret


class TooManyRequests(ApplicationError):
    status = 429
    code = "too_many_requests"


def _source(kind: str, value: str) -> str:
    return salted_hmac("customers.password_reset", f"{kind}:{value}").hexdigest()[:64]


def _take(source: str, limit: int) -> bool:
    """Count one request of ``source``: True if within ``limit`` (and counted), else False.

    Serialised per source by a transaction-level advisory lock on PostgreSQL (SQLite lets
    one writer at a time anyway), so that racing requests cannot both take the last one.
    """
    if connection.vendor == "postgresql":
        key = int(source[:15], 16)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])
    now = timezone.now()
    since = now - timedelta(seconds=settings.PASSWORD_RESET_WINDOW)
    if PasswordResetRequest.objects.filter(source=source, created_at__gt=since).count() >= limit:
        return False
    PasswordResetRequest.objects.create(source=source, created_at=now)
    return True


def _purge() -> None:
    since = timezone.now() - timedelta(seconds=settings.PASSWORD_RESET_WINDOW)
    stale = PasswordResetRequest.objects.filter(created_at__lte=since).values_list("pk")[:100]
    PasswordResetRequest.objects.filter(pk__in=list(stale)).delete()


def password_reset_request(*, email: str, ip: str | None) -> None:
    """Queue a reset link for ``email`` unless a limit says no; raises ``TooManyRequests``
    when the client IP has asked too often. The client's count is taken before the
    address's, in every request."""
    email = Customer.objects.normalize_email(email.strip()).lower()
    with transaction.atomic():
        if ip and not _take(_source("ip", ip), settings.PASSWORD_RESET_LIMIT_PER_IP):
            raise TooManyRequests(_("Too many requests from your network. Please try again later."))
        if _take(_source("address", email), settings.PASSWORD_RESET_LIMIT_PER_ADDRESS):
            enqueue(PASSWORD_RESET_EMAIL, {"email": email})
        _purge()
