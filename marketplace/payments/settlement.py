"""Carrying out a confirmed payment at the bank, settling its outcome, and the periodic check.

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

from bank_client import BankError, BankRefused, BankUnavailable, OperationInfo
from banking.services import bank_call
from deals.models import Deal
from deals.state import Status as DealStatus
from paylib.outbox.services import enqueue

from . import crypto
from .confirmation import payment_confirm_retry
from .effects import PAID_EMAIL, ROLES
from .errors import BankUnreachable, PaymentError
from .models import Payment
from .queue import EXECUTE, queue
from .services import payees_of, payment_end, payment_request_code
from .state import BANK, FINAL, SYSTEM, payment_move

logger = logging.getLogger(__name__)
S = Payment.Status


def payment_execute(*, payment_id: int) -> Payment:
    """Ask the bank to move the money. Raises ``BankError`` (no answer) for a retry."""
    payment = Payment.objects.select_related("deal").get(pk=payment_id)
    if payment.status != S.PROCESSING:
        return payment
    key = crypto.decrypt_key(payment.key_encrypted)
    try:
        info = bank_call(
            "execute",
            lambda c: c.operation_execute(
                operation_id=payment.bank_operation_id,
                key=key,
                payer_account=payment.payer_number,
                payees=payees_of(payment),
                amount=payment.amount,
            ),
            payment=payment,
        )
    except BankRefused as error:  # a refusal of the call itself: the bank moved nothing
        _fail(payment, reason=error.code)
        return payment
    return payment_settle(payment=payment, info=info)


def payment_settle(*, payment: Payment, info: OperationInfo) -> Payment:
    """Record what the bank says happened to the payment's operation."""
    if info.status == "done":
        _succeed(payment)
    elif info.is_final:  # failed or blocked: nothing moved
        reason = info.failure_reason or info.status
        if payment.status == S.PROCESSING:
            _fail(payment, reason=reason)
        else:
            payment_end(payment=payment, reason=reason)
    return payment


def _succeed(payment: Payment) -> None:
    with transaction.atomic():
        if not payment_move(payment=payment, to=S.SUCCEEDED, by=BANK, when=(S.PROCESSING,)):
            return
        for role in ROLES:  # recorded with the success: never lost, never sent twice
            enqueue(
                PAID_EMAIL, {"payment": payment.pk, "role": role}, key=f"paid:{payment.pk}:{role}"
            )
    logger.info("Payment %s succeeded", payment.pk)


def _fail(payment: Payment, *, reason: str) -> None:
    if payment_move(payment=payment, to=S.FAILED, by=BANK, when=(S.PROCESSING,), reason=reason):
        logger.info("Payment %s failed: %s", payment.pk, reason)


def payment_recheck(*, payment: Payment) -> Payment:
    """Find out from the bank where the payment stands, and finish it accordingly.

    A code request or a code check in doubt is sent again as the same request; a confirmed
    payment that was never executed is queued for execution. Raises ``BankError`` if the
    bank does not say.
    """
    if payment.status == S.REQUESTING:
        return _request_code_again(payment)
    if payment.status in FINAL or not payment.bank_operation_id:
        return payment
    if payment.status == S.CONFIRMING:
        return payment_confirm_retry(payment_id=payment.pk)
    info = bank_call(
        "status",
        lambda c: c.operation_get(operation_id=payment.bank_operation_id),
        payment=payment,
    )
    if info.status == "confirmed" and payment.status == S.PROCESSING:
        queue(EXECUTE, payment.pk)  # confirmed but never executed: do it now
        return payment
    return payment_settle(payment=payment, info=info)


def _request_code_again(payment: Payment) -> Payment:
    """Ask again for the code of a payment left ``requesting``: the bank was unreachable,
    or it answered and recording the answer failed. The same idempotency key finds the
    operation the bank opened then (no second operation, no second email); a refusal ends
    the payment (``payment_request_code``), and so does a deal that ended meanwhile, with
    no code asked for. Raises ``BankError`` if the bank does not say.
    """
    deal = Deal.objects.get(pk=payment.deal_id)
    if deal.status in (DealStatus.CANCELLED, DealStatus.EXPIRED):
        payment_end(payment=payment, reason=f"deal_{deal.status}", by=SYSTEM)
        return payment
    try:
        return payment_request_code(payment=payment)
    except BankUnreachable as error:
        raise BankUnavailable(error.message) from None
    except PaymentError:  # refused: the payment has ended and the deal is payable again
        payment.refresh_from_db()
        return payment


def payments_check_stuck(*, older_than: timedelta, limit: int = 200) -> int:
    """Finish payments left requesting their code, processing or confirming for too long;
    returns how many it asked the bank about."""
    cutoff = timezone.now() - older_than
    stuck = Payment.objects.filter(
        Q(status=S.PROCESSING, processing_since__lt=cutoff)
        | Q(status__in=(S.CONFIRMING, S.REQUESTING), updated_at__lt=cutoff)
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
