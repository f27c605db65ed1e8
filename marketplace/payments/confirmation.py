"""Confirming a payment with the code that the bank emailed the buyer, safely retryable.

A submission is first recorded, in one transaction: the code counts against the buyer's
budget of wrong codes (``banking.limits``, which locks his row), and the payment moves
``awaiting_code`` → ``confirming`` with a new idempotency key and the code sealed, so that
of two submits at once only one reaches the bank. Then the bank is asked, outside any
transaction. Its answer settles the payment. No answer (a timeout, the bank down) leaves it
confirming, and the very same request (same key, same code) is sent again, by a task with
backoff and by the periodic check, until the bank answers: it replays its first answer to a
request it has already handled, the key included. Nothing is abandoned on a timeout.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bank_client import BankError, BankRefused, BankUnavailable, Confirmation, new_idempotency_key
from banking.limits import Kind, attempt_release, attempt_reserve
from banking.services import bank_call
from banking.texts import code_not_right, failure_text, refusal_text
from paylib.errors import ApplicationError

from . import crypto
from .errors import CodeRejected, PaymentError
from .models import Payment
from .queue import CONFIRM, EXECUTE, queue
from .services import ENDS_PAYMENT
from .state import BANK, BUYER, payment_move

logger = logging.getLogger(__name__)
S = Payment.Status
BUSY = (S.CONFIRMING, S.PROCESSING, S.SUCCEEDED)
#: Refusals for a moment, not of the code: the payment waits for it again.
NOT_NOW = frozenset({"client_codes_throttled", "resend_too_soon"})


def payment_confirm(*, payment: Payment, code: str) -> Payment:
    """Send the buyer's code to the bank; on a match store the key and queue the execution.

    Returns the payment ``processing``, or still ``confirming`` when the bank did not
    answer (it is being asked again); raises ``CodeRejected`` for a wrong or expired code,
    ``LimitReached`` past the buyer's budget (nothing is sent) and ``PaymentError`` when
    the payment cannot go on.
    """
    if payment.status in BUSY:
        return payment
    claimed, key = _claim(payment, code)
    if not claimed:
        if payment.status in BUSY:
            return payment  # the other submit of a double click is confirming it
        raise PaymentError(_("This payment is not waiting for a code."))
    if payment.status != S.CONFIRMING:  # the deal ended meanwhile; so did the payment
        attempt_release(kind=Kind.CODE, key=key)  # nothing was sent to the bank
        raise PaymentError(failure_text(payment.failure_reason))
    outcome = _send(payment, code)
    if outcome is None:
        queue(CONFIRM, payment.pk, countdown=settings.PAYMENT_RETRY_BASE_DELAY)
        return payment
    error = _settle(payment, outcome)
    if error is not None:
        raise error
    return payment


def _claim(payment: Payment, code: str) -> tuple[bool, str]:
    key = new_idempotency_key(f"confirm-{payment.pk}")
    with transaction.atomic():
        attempt_reserve(user=payment.buyer, kind=Kind.CODE, key=key)
        claimed = payment_move(
            payment=payment,
            to=S.CONFIRMING,
            by=BUYER,
            when=(S.AWAITING_CODE,),
            confirm_key=key,
            code_sealed=crypto.seal_code(code),
            code_refusal="",
        )
        if not claimed:
            transaction.set_rollback(True)  # this submit does not count: it sent nothing
    return claimed, key


def payment_confirm_retry(*, payment_id: int) -> Payment:
    """Ask the bank again, as the same request, about a code whose check is in doubt.

    Raises ``BankUnavailable`` while the bank still does not answer (the caller retries).
    """
    payment = Payment.objects.select_related("deal", "buyer").get(pk=payment_id)
    if payment.status != S.CONFIRMING:
        return payment
    code = crypto.open_code(payment.code_sealed)
    if code is None:
        # Kept past its seal's lifetime: ask where the operation stands instead.
        if not _settle_from_status(payment):
            raise BankUnavailable("The bank has not said where the operation stands.")
        return payment
    outcome = _send(payment, code)
    if outcome is None:
        Payment.objects.filter(pk=payment.pk, status=S.CONFIRMING).update(
            updated_at=timezone.now()  # the periodic check waits its turn again
        )
        raise BankUnavailable("The bank has not answered the confirmation yet.")
    _settle(payment, outcome)
    return payment


def _send(payment: Payment, code: str) -> Confirmation | BankRefused | None:
    """The bank's answer to the code, its refusal, or None if it gave no answer."""
    try:
        return bank_call(
            "confirm",
            lambda c: c.operation_confirm(
                operation_id=payment.bank_operation_id,
                code=code,
                idempotency_key=payment.confirm_key,
            ),
            payment=payment,
        )
    except BankRefused as error:
        return error
    except BankError:
        return None


def _settle(payment: Payment, outcome: Confirmation | BankRefused) -> ApplicationError | None:
    """Record the bank's answer; return the error to show the buyer, if any."""
    if isinstance(outcome, BankRefused):
        return _refused(payment, outcome)
    key = payment.confirm_key
    if not outcome.key:
        logger.error("The bank confirmed payment %s without a key", payment.pk)
        _end(payment, "confirmation_lost")
        return PaymentError(failure_text("confirmation_lost"))
    moved = payment_move(
        payment=payment,
        to=S.PROCESSING,
        by=BANK,
        when=(S.CONFIRMING,),
        match={"confirm_key": key},
        key_encrypted=crypto.encrypt_key(outcome.key),
    )
    attempt_release(kind=Kind.CODE, key=key)  # the code was right
    if moved and payment.status == S.PROCESSING:
        queue(EXECUTE, payment.pk)
    # Else the deal ended while the code was checked: the confirmed operation is never
    # executed and expires at the bank; nothing is charged.
    return None


def _back_to_code(payment: Payment, key: str, refusal: str, **fields: Any) -> bool:
    return payment_move(
        payment=payment,
        to=S.AWAITING_CODE,
        by=BANK,
        when=(S.CONFIRMING,),
        match={"confirm_key": key},
        code_refusal=refusal,
        **fields,
    )


def _refused(payment: Payment, error: BankRefused) -> ApplicationError | None:
    key = payment.confirm_key
    if error.code == "invalid_code":  # the one answer that leaves the code counted
        left = error.attempts_left or 0
        if _back_to_code(payment, key, "invalid_code", attempts_left=left):
            return CodeRejected(code_not_right(left), field="code", extra={"attempts_left": left})
        return None
    if error.code != "operation_blocked":
        attempt_release(kind=Kind.CODE, key=key)
    if error.code == "code_expired":
        if _back_to_code(payment, key, "code_expired"):
            text = refusal_text(error, about="payment")
            return CodeRejected(text, code="code_expired", field="code")
        return None
    if error.code in NOT_NOW:  # the bank checked nothing; the same code may go again later
        if _back_to_code(payment, key, ""):
            return CodeRejected(refusal_text(error, about="payment"), code=error.code)
        return None
    if error.code == "wrong_state":
        if not _settle_from_status(payment):
            queue(CONFIRM, payment.pk, countdown=settings.PAYMENT_RETRY_BASE_DELAY)
        return None
    _end(payment, error.code if error.code in ENDS_PAYMENT else f"refused:{error.code}")
    return PaymentError(refusal_text(error, about="payment"), code=error.code)


def _settle_from_status(payment: Payment) -> bool:
    """Settle a confirmation from the operation's status; False if the bank did not say."""
    try:
        info = bank_call(
            "status",
            lambda c: c.operation_get(operation_id=payment.bank_operation_id),
            payment=payment,
        )
    except BankError:
        return False
    key = payment.confirm_key
    if info.status == "awaiting_code":  # the bank never took this code
        attempt_release(kind=Kind.CODE, key=key)
        _back_to_code(payment, key, "")
    elif info.status == "confirmed":
        # Confirmed by a request whose answer (the key) is lost and not replayed: the
        # operation can never be executed and expires unexecuted. Nothing was charged.
        attempt_release(kind=Kind.CODE, key=key)
        _end(payment, "confirmation_lost")
    elif info.status == "done":
        logger.error("Payment %s is done at the bank but was never executed here", payment.pk)
        return False
    else:
        _end(payment, info.failure_reason or info.status)
    return True


def _end(payment: Payment, reason: str) -> None:
    """End the payment, if it is still confirming this very submission."""
    payment_move(
        payment=payment,
        to=S.FAILED,
        by=BANK,
        when=(S.CONFIRMING,),
        match={"confirm_key": payment.confirm_key},
        reason=reason,
    )
