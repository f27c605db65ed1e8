"""Thin Celery tasks: each takes ids and calls one service."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from celery import shared_task
from django.conf import settings

from bank_client import BankUnavailable


@shared_task(bind=True, max_retries=12)
def execute_payment(self: Any, payment_id: int) -> str:
    """Carry out a confirmed payment; bank outages are retried with exponential backoff."""
    from .settlement import payment_execute

    try:
        return str(payment_execute(payment_id=payment_id).status)
    except BankUnavailable as error:
        delay = min(
            settings.PAYMENT_RETRY_BASE_DELAY * 2**self.request.retries,
            getattr(settings, "CELERY_RETRY_CEILING", 600),
        )
        raise self.retry(exc=error, countdown=delay) from error


@shared_task
def check_stuck_payments() -> int:
    """Periodic: no payment stays "processing" without the bank being asked about it."""
    from .settlement import payments_check_stuck

    return payments_check_stuck(older_than=timedelta(seconds=settings.PAYMENT_STUCK_AFTER))
