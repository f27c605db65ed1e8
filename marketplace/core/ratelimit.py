"""Sliding-window rate limits kept in the database, so that every web process counts the
same requests (the services have no shared cache: ``make run`` has none at all).

django-ratelimit counts in a cache in fixed windows, which lets twice the limit through
around a window's edge and counts per process on a local-memory cache; here one row per
source holds the times of its recent requests and is locked while it is counted, so a
limit holds exactly under concurrency.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from .models import RateLimitBucket

_PURGE_BATCH = 100


@dataclass(frozen=True)
class Limit:
    """At most ``count`` requests of ``scope`` per source in any ``window``."""

    scope: str
    count: int
    window: timedelta


def _key(limit: Limit, source: str) -> str:
    return salted_hmac("core.ratelimit", f"{limit.scope}:{source}").hexdigest()[:64]


def ratelimit_take(limit: Limit, source: str, *, now: datetime | None = None) -> bool:
    """Count one request of ``source`` against ``limit``: True if it is within the limit
    (and was counted), False if the limit is reached (nothing is counted).

    Call inside the transaction of the work it guards, so that a refusal further on rolls
    the count back too. Takes the source's row lock: callers that take several take them
    in one fixed order.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("ratelimit_take() must run inside transaction.atomic().")
    now = now or timezone.now()
    since = now - limit.window
    RateLimitBucket.objects.get_or_create(
        key=_key(limit, source), defaults={"expires_at": now + limit.window}
    )
    bucket = RateLimitBucket.objects.select_for_update().get(key=_key(limit, source))
    recent = [hit for hit in bucket.hits if datetime.fromisoformat(hit) > since]
    if len(recent) >= limit.count:
        return False
    bucket.hits = [*recent, now.isoformat()]
    bucket.expires_at = now + limit.window
    bucket.save(update_fields=["hits", "expires_at"])
    return True


def ratelimit_purge(*, now: datetime | None = None) -> int:
    """Forget sources whose window has passed; returns how many."""
    now = now or timezone.now()
    stale = RateLimitBucket.objects.filter(expires_at__lt=now).values_list("pk", flat=True)
    deleted, _ = RateLimitBucket.objects.filter(pk__in=list(stale[:_PURGE_BATCH])).delete()
    return deleted
