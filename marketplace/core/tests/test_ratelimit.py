"""The database rate limit: a sliding window, exact under concurrent requests."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from core.models import RateLimitBucket
from core.ratelimit import Limit, ratelimit_purge, ratelimit_take
from deals.tests.test_concurrency import race

LIMIT = Limit("test", 3, timedelta(minutes=10))


def take(source: str, **kwargs: object) -> bool:
    with transaction.atomic():
        return ratelimit_take(LIMIT, source, **kwargs)  # type: ignore[arg-type]


@pytest.mark.django_db
def test_the_window_slides() -> None:
    start = timezone.now()
    assert [take("a", now=start + timedelta(minutes=m)) for m in (0, 1, 2)] == [True] * 3
    assert not take("a", now=start + timedelta(minutes=9))  # three in the last ten minutes
    assert take("a", now=start + timedelta(minutes=10, seconds=1))  # the first one left
    assert take("b", now=start)  # another source has its own count
    keys = list(RateLimitBucket.objects.values_list("key", flat=True))
    assert all(set(key) <= set("0123456789abcdef") for key in keys)  # keyed hashes only


@pytest.mark.django_db
def test_a_refused_request_is_not_counted_and_old_buckets_are_purged() -> None:
    start = timezone.now()
    for _ in range(5):
        take("a", now=start)
    bucket = RateLimitBucket.objects.get()
    assert len(bucket.hits) == 3
    assert ratelimit_purge(now=start + timedelta(minutes=11)) == 1


@pytest.mark.django_db(transaction=True)
def test_it_must_run_inside_a_transaction() -> None:
    with pytest.raises(RuntimeError):
        ratelimit_take(LIMIT, "a")


@pytest.mark.django_db(transaction=True)
@pytest.mark.postgres
def test_twenty_requests_at_once_are_counted_exactly() -> None:
    allowed: list[bool] = []
    errors = race(20, lambda i: allowed.append(take("crowd")))
    assert errors == []
    assert allowed.count(True) == 3
