"""Carrying out a confirmed payment at the bank and settling its outcome.

The bank's execute call is idempotent on the operation key, so the Celery task, its
retries and the periodic check may all call it; the first outcome recorded here wins and
every later one finds the payment settled.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from bank_client import BankError, BankUnavailable, OperationInfo
from deals.services import deal_transition
from deals.state import Role, Status
from paylib.outbox.services import enqueue

from . import crypto
from .bank import bank_call
from .confirmation import payment_release
from .effects import PAID_EMAIL, ROLES
from .models import Payment
from .services import payees_of, payment_abandon

logger = logging.getLogger(__name__)


def payment_execute(*, payment_id: int) -> Payment:
    """Ask the bank to move the money. Raises ``BankUnavailable`` for the caller to retry."""
    payment = Payment.objects.select_related("deal").get(pk=payment_id)
    if payment.status != Payment.Status.PROCESSING:
        return payment
    key = crypto.decrypt_key(payment.key_encrypted)
    try:
        info = bank_call(
            payment,
            "execute",
            lambda c: c.operation_execute(
                operation_id=payment.bank_operation_id,
                key=key,
                payer_account=payment.payer_number,
                payees=payees_of(payment),
                amount=payment.amount,
            ),
        )
    except BankUnavailable:
        raise
    except BankError as error:
        # A refusal of the call itself: the bank moved nothing.
        return _fail(payment, reason=error.code)
    return payment_settle(payment=payment, info=info)


def payment_settle(*, payment: Payment, info: OperationInfo) -> Payment:
    """Record what the bank says happened to the payment's operation."""
    if info.status == "done":
        return _succeed(payment)
    if info.status in ("failed", "blocked"):
        if payment.status == Payment.Status.PROCESSING:
            return _fail(payment, reason=info.failure_reason or info.status)
        payment_abandon(payment=payment, reason=info.failure_reason or info.status)
    return payment


def _succeed(payment: Payment) -> Payment:
    with transaction.atomic():
        locked = Payment.objects.select_for_update().get(pk=payment.pk)
        if locked.status != Payment.Status.PROCESSING:
            return locked
        locked.status = Payment.Status.SUCCEEDED
        locked.finished_at = timezone.now()
        locked.key_encrypted = ""
        locked.save(update_fields=["status", "finished_at", "key_encrypted", "updated_at"])
        deal_transition(
            deal=locked.deal,
            to=Status.PAID,
            actor=None,
            role=Role.SYSTEM,
            reason="the bank carried out the payment",
        )
        for role in ROLES:  # recorded with the success: never lost, never sent twice
            enqueue(
                PAID_EMAIL, {"payment": locked.pk, "role": role}, key=f"paid:{locked.pk}:{role}"
            )
    logger.info("Payment %s succeeded", locked.pk)
    return locked


def _fail(payment: Payment, *, reason: str) -> Payment:
    with transaction.atomic():
        locked = Payment.objects.select_for_update().get(pk=payment.pk)
        if locked.status != Payment.Status.PROCESSING:
            return locked
        locked.status = Payment.Status.FAILED
        locked.failure_reason = reason[:64]
        locked.finished_at = timezone.now()
        locked.key_encrypted = ""
        locked.save(
            update_fields=["status", "failure_reason", "finished_at", "key_encrypted", "updated_at"]
        )
        deal_transition(
            deal=locked.deal,
            to=Status.PAYMENT_FAILED,
            actor=None,
            role=Role.SYSTEM,
            reason=f"the bank refused: {reason}",
        )
    logger.info("Payment %s failed: %s", locked.pk, reason)
    return locked


def payment_recheck(*, payment: Payment) -> Payment:
    """Ask the bank where the payment's operation stands and settle accordingly."""
    from .tasks import execute_payment

    if payment.is_final or not payment.bank_operation_id:
        return payment
    info = bank_call(
        payment, "status", lambda c: c.operation_get(operation_id=payment.bank_operation_id)
    )
    if info.status == "confirmed" and payment.status == Payment.Status.PROCESSING:
        execute_payment.delay(payment.pk)  # confirmed but never executed: do it now
        return payment
    if payment.status == Payment.Status.CONFIRMING:
        # The request that was checking the code died before it recorded the answer.
        if info.status == "awaiting_code":
            payment_release(payment)
        elif info.status == "confirmed":
            payment_abandon(payment=payment, reason="confirmation_lost")
    return payment_settle(payment=payment, info=info)


def payments_check_stuck(*, older_than: timedelta, limit: int = 200) -> int:
    """Settle payments that have been processing for too long; returns how many it asked."""
    cutoff = timezone.now() - older_than
    stuck = Payment.objects.filter(
        Q(status=Payment.Status.PROCESSING, processing_since__lt=cutoff)
        | Q(status=Payment.Status.CONFIRMING, updated_at__lt=cutoff)
    ).order_by("updated_at")[:limit]
    asked = 0
    for payment in stuck:
        try:
            payment_recheck(payment=payment)
        except BankError as error:
            logger.warning("Could not re-check payment %s: %s", payment.pk, error)
            continue
        asked += 1
    return asked
