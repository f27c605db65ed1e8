"""Thin Celery tasks: each takes ids and calls one service."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from celery import shared_task
from django.conf import settings

from bank_client import BankError

from .confirmation import payment_confirm_retry
from .services import payments_end_with_deals
from .settlement import payment_execute, payments_check_stuck


def _backoff(retries: int) -> float:
    return float(
        min(
            settings.PAYMENT_RETRY_BASE_DELAY * 2**retries,
            getattr(settings, "CELERY_RETRY_CEILING", 600),
        )
    )


@shared_task(bind=True, max_retries=12)
def execute_payment(self: Any, payment_id: int) -> str:
    """Carry out a confirmed payment; bank outages are retried with exponential backoff."""
    try:
        return str(payment_execute(payment_id=payment_id).status)
    except BankError as error:
        raise self.retry(exc=error, countdown=_backoff(self.request.retries)) from error


@shared_task(bind=True, max_retries=12)
def confirm_payment(self: Any, payment_id: int) -> str:
    """Send a code check left in doubt again, as the same request, until the bank answers.

    After the last retry the periodic check goes on asking: the payment is never dropped.
    """
    try:
        return str(payment_confirm_retry(payment_id=payment_id).status)
    except BankError as error:
        raise self.retry(exc=error, countdown=_backoff(self.request.retries)) from error


@shared_task
def check_stuck_payments() -> int:
    """Periodic: no payment stays confirming or processing without the bank being asked."""
    return payments_check_stuck(older_than=timedelta(seconds=settings.PAYMENT_STUCK_AFTER))


@shared_task
def end_payments_with_deals() -> int:
    """Periodic: deals awaiting the code expire with their payment window."""
    return payments_end_with_deals()
