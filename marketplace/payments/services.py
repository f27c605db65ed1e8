"""Starting a payment, asking the bank for its code, and ending it when it cannot go on.

Bank calls happen outside database transactions; every state change happens inside one,
under a row lock, and is safe to repeat: a double click, a double submit or a retry after
a lost answer lands on the same payment and the same bank operation.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import SettlementAccount
from accounts.selectors import payout_account_of
from bank_client import BankError, BankUnavailable, OperationInfo, Payee, get_bank_client
from deals.models import Deal
from deals.services import deal_transition
from deals.state import IllegalTransition, Role, Status
from paylib.money import format_rub
from users.models import User

from .bank import bank_call
from .errors import BankUnreachable, CodeRejected, InsufficientBalance, PaymentError
from .models import Payment
from .selectors import live_payment_of

PAYABLE = (Status.CREATED, Status.PAYMENT_FAILED)
UNREACHABLE = gettext_lazy(
    "The bank cannot be reached right now. Nothing was charged; try again shortly."
)


def payees_of(payment: Payment) -> list[Payee]:
    payees = [Payee(payment.seller_number, payment.seller_net)]
    if payment.commission:
        payees.append(Payee(payment.platform_number, payment.commission))
    return [p for p in payees if p.amount > 0]


def _new_payment(deal: Deal, buyer: User, account: SettlementAccount) -> Payment:
    payout = payout_account_of(user=deal.seller)
    if payout is None:
        raise PaymentError(_("The seller has not linked a payout account yet; try later."))
    if not settings.PLATFORM_ACCOUNT:
        raise PaymentError(_("Payments are not configured on this site yet."))
    return Payment(
        deal=deal,
        buyer=buyer,
        payer_number=account.number,
        seller_number=payout.number,
        platform_number=settings.PLATFORM_ACCOUNT,
        amount=deal.amount,
        seller_net=deal.seller_net,
        commission=deal.commission_amount,
    )


def _available(number: str) -> int:
    """The account's balance at the bank (before any payment exists to record it on)."""
    try:
        with get_bank_client() as client:
            return client.balance(account_number=number).available
    except (BankUnavailable, ImproperlyConfigured):
        raise BankUnreachable(str(UNREACHABLE)) from None
    except BankError as error:
        raise PaymentError(
            _("The bank does not let us use this account: %(reason)s") % {"reason": error.message},
            field="account",
        ) from error


def payment_start(*, deal: Deal, buyer: User, account: SettlementAccount) -> Payment:
    """Check the balance, open the payment and ask the bank to email the code.

    A second call for the same deal (a double click) returns the live payment.
    """
    existing = live_payment_of(deal=deal)
    if existing is not None:
        return existing
    if deal.buyer_id != buyer.pk or account.user_id != buyer.pk:
        raise PaymentError(_("Only the buyer pays, from his own account."), status=403)
    if account.status != SettlementAccount.Status.LINKED:
        raise PaymentError(_("This account is not linked yet."), field="account")
    if deal.status not in PAYABLE:
        raise PaymentError(_("This deal cannot be paid now."))
    payment = _new_payment(deal, buyer, account)
    available = _available(account.number)
    if available < deal.amount:
        raise InsufficientBalance(
            _("The account has %(available)s, and the deal costs %(amount)s.")
            % {
                "available": format_rub(available, language=buyer.language),
                "amount": format_rub(deal.amount, language=buyer.language),
            },
            field="account",
        )
    try:
        with transaction.atomic():
            deal_transition(
                deal=deal,
                to=Status.AWAITING_CODE,
                actor=buyer,
                role=Role.BUYER,
                reason="payment started",
            )
            payment.save()
    except (IntegrityError, IllegalTransition):
        existing = live_payment_of(deal=deal)
        if existing is None:
            raise PaymentError(_("This deal cannot be paid now.")) from None
        return existing
    return payment_request_code(payment=payment)


def payment_request_code(*, payment: Payment) -> Payment:
    """Ask the bank for the code. Repeatable: the idempotency key makes it one operation."""
    if payment.status != Payment.Status.REQUESTING:
        return payment
    deal = payment.deal
    try:
        info = bank_call(
            payment,
            "payment_request",
            lambda c: c.payment_request(
                payer_account=payment.payer_number,
                payees=payees_of(payment),
                amount=payment.amount,
                description=f"Deal #{deal.pk}: {deal.offer_title}"[:255],
                idempotency_key=payment.idempotency_key,
            ),
        )
    except BankUnavailable:
        raise BankUnreachable(str(UNREACHABLE)) from None
    except BankError as error:
        payment_abandon(payment=payment, reason=error.code)
        raise PaymentError(refusal_message(error)) from error
    return _update_code(payment, info, expected=Payment.Status.REQUESTING)


def _update_code(payment: Payment, info: OperationInfo, *, expected: str) -> Payment:
    with transaction.atomic():
        locked = Payment.objects.select_for_update().get(pk=payment.pk)
        if locked.status == expected:
            locked.bank_operation_id = info.id
            locked.code_expires_at = info.code_expires_at
            locked.attempts_left = info.attempts_left
            locked.status = Payment.Status.AWAITING_CODE
            locked.save(
                update_fields=[
                    "bank_operation_id",
                    "code_expires_at",
                    "attempts_left",
                    "status",
                    "updated_at",
                ]
            )
    return locked


def payment_resend(*, payment: Payment) -> Payment:
    """A new code by email; the old one stops working."""
    if payment.status != Payment.Status.AWAITING_CODE:
        raise PaymentError(_("This payment is not waiting for a code."))
    try:
        info = bank_call(
            payment, "resend", lambda c: c.operation_resend(operation_id=payment.bank_operation_id)
        )
    except BankUnavailable:
        raise BankUnreachable(str(UNREACHABLE)) from None
    except BankError as error:
        if error.code == "resend_too_soon":
            raise CodeRejected(
                _("A code was sent moments ago; wait a little and ask again."),
                code="resend_too_soon",
            ) from error
        abandon_after_refusal(payment, error)
        raise PaymentError(refusal_message(error)) from error
    return _update_code(payment, info, expected=Payment.Status.AWAITING_CODE)


def abandon_after_refusal(payment: Payment, error: BankError) -> None:
    if error.code in (
        "operation_blocked",
        "not_found",
        "account_not_available",
        "account_blocked",
        "insufficient_funds",
    ):
        payment_abandon(payment=payment, reason=error.code)


def payment_abandon(*, payment: Payment, reason: str) -> None:
    """End a payment that never reached the bank's execution; the deal is payable again."""
    with transaction.atomic():
        locked = Payment.objects.select_for_update().get(pk=payment.pk)
        if locked.status not in (
            Payment.Status.REQUESTING,
            Payment.Status.AWAITING_CODE,
            Payment.Status.CONFIRMING,
        ):
            return
        payment_end(locked, reason=reason)
        deal = Deal.objects.select_for_update().get(pk=locked.deal_id)
        if deal.status == Status.AWAITING_CODE:  # not if it was cancelled meanwhile
            deal_transition(
                deal=deal,
                to=Status.CREATED,
                actor=None,
                role=Role.SYSTEM,
                reason=f"payment ended: {reason}",
            )
    payment.status = locked.status


def payment_end(payment: Payment, *, reason: str) -> None:
    """Mark a payment failed for good; call while holding its row lock."""
    payment.status = Payment.Status.FAILED
    payment.failure_reason = reason[:64]
    payment.finished_at = timezone.now()
    payment.key_encrypted = ""
    payment.save(
        update_fields=["status", "failure_reason", "finished_at", "key_encrypted", "updated_at"]
    )


def refusal_message(error: BankError) -> str:
    messages = {
        "operation_blocked": _(
            "Too many wrong codes: this payment was stopped. You can pay again with a new code."
        ),
        "insufficient_funds": _("The account does not have enough money for this deal."),
        "account_not_available": _("The bank does not let us use this account any more."),
        "account_blocked": _("The bank has blocked this account."),
    }
    return messages.get(error.code, _("The bank refused: %(message)s") % {"message": error.message})
