"""Confirming a payment with the code that the bank emailed the buyer.

The payment is first claimed (``awaiting_code`` → ``confirming``) with one conditional
UPDATE, so that of two submits at once only one reaches the bank. The bank call happens
outside any transaction; the key is stored, and the execution queued, in one.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from bank_client import BankError, BankUnavailable
from deals.models import Deal
from deals.services import deal_transition
from deals.state import Role, Status

from . import crypto
from .bank import bank_call
from .errors import BankUnreachable, CodeRejected, PaymentError
from .models import Payment
from .services import (
    UNREACHABLE,
    abandon_after_refusal,
    payment_abandon,
    payment_end,
    refusal_message,
)
from .tasks import execute_payment


def payment_confirm(*, payment: Payment, code: str) -> Payment:
    """Send the code to the bank; on a match store the key and queue the execution.

    The payment is first claimed (``awaiting_code`` → ``confirming``) by one conditional
    UPDATE, so of two submits at once only one reaches the bank; the other returns the
    payment as it is, and the page shows its status.
    """
    busy = (Payment.Status.CONFIRMING, Payment.Status.PROCESSING, Payment.Status.SUCCEEDED)
    if payment.status in busy:
        return payment
    claimed = Payment.objects.filter(pk=payment.pk, status=Payment.Status.AWAITING_CODE).update(
        status=Payment.Status.CONFIRMING, updated_at=timezone.now()
    )
    if not claimed:
        payment.refresh_from_db()
        if payment.status in busy:
            return payment
        raise PaymentError(_("This payment is not waiting for a code."))
    try:
        confirmation = bank_call(
            payment,
            "confirm",
            lambda c: c.operation_confirm(operation_id=payment.bank_operation_id, code=code),
        )
    except BankUnavailable:
        payment_release(payment)
        raise BankUnreachable(str(UNREACHABLE)) from None
    except BankError as error:
        payment_release(payment)
        return _code_refused(payment, error)
    if not confirmation.key:
        payment_release(payment)
        raise PaymentError(_("The bank confirmed without a key; ask for a new code."))
    return _start_processing(payment, confirmation.key)


def payment_release(payment: Payment) -> None:
    """Give the claim back: the code did not confirm the payment."""
    Payment.objects.filter(pk=payment.pk, status=Payment.Status.CONFIRMING).update(
        status=Payment.Status.AWAITING_CODE, updated_at=timezone.now()
    )
    payment.status = Payment.Status.AWAITING_CODE


def _start_processing(payment: Payment, key: str) -> Payment:
    with transaction.atomic():
        locked = Payment.objects.select_for_update().get(pk=payment.pk)
        if locked.status != Payment.Status.CONFIRMING:
            return locked
        deal = Deal.objects.select_for_update().get(pk=locked.deal_id)
        if deal.status != Status.AWAITING_CODE:
            # The deal was cancelled while the buyer typed the code: never execute it.
            # The bank's confirmed operation expires unexecuted; nothing was charged.
            payment_end(locked, reason=f"deal_{deal.status}")
            return locked
        locked.key_encrypted = crypto.encrypt_key(key)
        locked.status = Payment.Status.PROCESSING
        locked.processing_since = timezone.now()
        locked.save(update_fields=["key_encrypted", "status", "processing_since", "updated_at"])
        deal_transition(
            deal=locked.deal,
            to=Status.PROCESSING,
            actor=None,
            role=Role.SYSTEM,
            reason="code confirmed",
        )
        transaction.on_commit(lambda: execute_payment.delay(locked.pk))
    return locked


def _code_refused(payment: Payment, error: BankError) -> Payment:
    if error.code == "invalid_code":
        left = int(error.extra.get("attempts_left", 0))
        Payment.objects.filter(pk=payment.pk).update(attempts_left=left)
        raise CodeRejected(
            ngettext(
                "The code is not right. %(count)d attempt left.",
                "The code is not right. %(count)d attempts left.",
                left,
            )
            % {"count": left},
            field="code",
            extra={"attempts_left": left},
        )
    if error.code == "code_expired":
        raise CodeRejected(
            _("The code has expired. Ask for a new one."), code="code_expired", field="code"
        )
    if error.code == "wrong_state":
        # Only this request was confirming: the bank took the code earlier, and its answer
        # (with the key) was lost. Nothing was charged; the deal is payable again.
        payment_abandon(payment=payment, reason="confirmation_lost")
        raise PaymentError(
            _(
                "The bank took this code earlier, but its answer did not reach "
                "us. Nothing was charged: please pay again."
            )
        )
    abandon_after_refusal(payment, error)
    raise PaymentError(refusal_message(error))
