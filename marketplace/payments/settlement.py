"""Placing a confirmed payment's hold at the bank, settling its outcome, and the periodic check.

The buyer's money is held, not paid: the deal captures or releases the hold later
(``deals.effects``). Placing is idempotent on the request (one hold per request, a repeat
answers the same hold), so the Celery task, its retries and the periodic check may all
call it; the first outcome recorded here wins and every later one finds the payment
settled.
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

from . import crypto
from .confirmation import payment_confirm_retry
from .errors import BankUnreachable, PaymentError
from .models import Payment
from .queue import EXECUTE, queue
from .services import payees_of, payment_end, payment_request_code
from .state import BANK, FINAL, SYSTEM, payment_move

logger = logging.getLogger(__name__)
S = Payment.Status


def payment_execute(*, payment_id: int) -> Payment:
    """Ask the bank to place the hold. Raises ``BankError`` (no answer) for a retry."""
    payment = Payment.objects.select_related("deal").get(pk=payment_id)
    if payment.status != S.PROCESSING:
        return payment
    key = crypto.decrypt_key(payment.key_encrypted)
    try:
        hold = bank_call(
            "hold_place",
            lambda c: c.hold_place(
                operation_id=payment.bank_operation_id,
                key=key,
                payer_account=payment.payer_number,
                payees=payees_of(payment),
                amount=payment.amount,
                idempotency_key=f"{payment.idempotency_key}-place",
            ),
            payment=payment,
        )
    except BankRefused as error:  # the request can no longer be carried out: nothing held
        _fail(payment, reason=error.code)
        return payment
    _succeed(payment, hold_id=hold.id)
    return payment


def payment_settle(*, payment: Payment, info: OperationInfo) -> Payment:
    """Record what the bank says happened to the payment's hold request."""
    if info.status == "done":
        if info.hold_id:
            _succeed(payment, hold_id=info.hold_id)
        else:
            logger.error("Payment %s is done at the bank without a hold", payment.pk)
    elif info.is_final:  # failed or blocked: nothing moved
        reason = info.failure_reason or info.status
        if payment.status == S.PROCESSING:
            _fail(payment, reason=reason)
        else:
            payment_end(payment=payment, reason=reason)
    return payment


def _succeed(payment: Payment, *, hold_id: str) -> None:
    with transaction.atomic():
        # The move tells both parties (paid_held, deals.notices), in this transaction.
        if not payment_move(
            payment=payment, to=S.SUCCEEDED, by=BANK, when=(S.PROCESSING,), hold_id=hold_id
        ):
            return
    logger.info("Payment %s succeeded", payment.pk)


def _fail(payment: Payment, *, reason: str) -> None:
    if payment_move(payment=payment, to=S.FAILED, by=BANK, when=(S.PROCESSING,), reason=reason):
        logger.info("Payment %s failed: %s", payment.pk, reason)


def payment_recheck(*, payment: Payment) -> Payment:
    """Find out from the bank where the payment stands, and finish it accordingly.

    A code request or a code check in doubt is sent again as the same request; a confirmed
    payment whose hold was never placed is queued for placing. Raises ``BankError`` if the
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
        queue(EXECUTE, payment.pk)  # confirmed but never placed: do it now
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
