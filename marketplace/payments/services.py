"""Starting a payment, asking the bank for its code, and ending it when it cannot go on.

Bank calls happen outside database transactions (through ``banking``, which logs each);
every status change goes through ``payments.state.payment_move``, under row locks, and is
safe to repeat: a double click, a double submit or a retry after a lost answer lands on the
same payment and the same bank operation.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import SettlementAccount
from accounts.selectors import payout_account_of
from bank_client import BankError, BankRefused, OperationInfo, Payee
from banking.limits import Kind, budget_check
from banking.services import bank_call
from banking.texts import refusal_text
from deals.models import Deal
from deals.services import deal_transition
from deals.state import IllegalTransition, Role
from deals.state import Status as DealStatus
from deals.timing import hold_span
from paylib.money import format_rub
from users.models import User

from .errors import BankUnreachable, CodeRejected, InsufficientBalance, PaymentError
from .models import Payment
from .selectors import live_payment_of
from .state import BANK, BEFORE_EXECUTION, SYSTEM, payment_move

S = Payment.Status
PAYABLE = (DealStatus.CREATED, DealStatus.PAYMENT_FAILED)
#: Refusals after which a payment that the bank has not executed cannot go on.
ENDS_PAYMENT = frozenset(
    {
        "operation_blocked",
        "not_found",
        "account_not_available",
        "account_blocked",
        "insufficient_funds",
        "resend_limit",
        "too_many_failures",
        "account_codes_blocked",
        "operation_declined",
        "operation_expired",
        "wrong_state",
        "declined",
    }
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
        hold_until=timezone.now() + hold_span(),
        buyer=buyer,
        payer_number=account.number,
        seller_number=payout.number,
        platform_number=settings.PLATFORM_ACCOUNT,
        amount=deal.amount,
        seller_net=deal.seller_net,
        commission=deal.commission_amount,
        description=bank_description(deal=deal, language=buyer.language),
    )


def bank_description(*, deal: Deal, language: str) -> str:
    """The payment's line at the bank, in the payer's language: "Сделка №5: Самовар"."""
    with translation.override(language):
        text = _("Deal #%(number)s: %(title)s") % {"number": deal.pk, "title": deal.offer_title}
    return text[:255]


def _available(account: SettlementAccount) -> int:
    """The account's balance at the bank (before any payment exists to record it on)."""
    try:
        balance = bank_call(
            "balance", lambda c: c.balance(account_number=account.number), account=account
        )
    except BankRefused as error:
        raise PaymentError(refusal_text(error, about="payment"), field="account") from error
    except BankError as error:
        raise BankUnreachable(refusal_text(error, about="payment")) from None
    return balance.available


def _check_can_pay(deal: Deal, buyer: User, account: SettlementAccount) -> None:
    if deal.buyer_id != buyer.pk or account.user_id != buyer.pk:
        raise PaymentError(_("Only the buyer pays, from his own account."), status=403)
    if account.status != SettlementAccount.Status.LINKED:
        raise PaymentError(_("This account is not linked yet."), field="account")
    if deal.status not in PAYABLE:
        raise PaymentError(_("This deal cannot be paid now."))
    # A code the buyer could not use must not be emailed to him.
    budget_check(user=buyer, kind=Kind.CODE)


def payment_start(*, deal: Deal, buyer: User, account: SettlementAccount) -> Payment:
    """Check the balance, open the payment and ask the bank to email the code.

    A second call for the same deal (a double click) returns the live payment.
    """
    existing = live_payment_of(deal=deal)
    if existing is not None:
        return existing
    _check_can_pay(deal, buyer, account)
    payment = _new_payment(deal, buyer, account)
    available = _available(account)
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
                to=DealStatus.AWAITING_CODE,
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
    """Ask the bank to hold the money, which emails the buyer the code. Repeatable: the
    idempotency key and the stored ``hold_until`` make it one request."""
    if payment.status != S.REQUESTING:
        return payment
    deal = payment.deal
    assert payment.hold_until is not None
    hold_until = payment.hold_until
    try:
        info = bank_call(
            "hold_request",
            lambda c: c.hold_request(
                payer_account=payment.payer_number,
                payees=payees_of(payment),
                amount=payment.amount,
                # A payment opened before descriptions were stored keeps its first words.
                description=payment.description or f"Deal #{deal.pk}: {deal.offer_title}"[:255],
                hold_until=hold_until,
                idempotency_key=payment.idempotency_key,
            ),
            payment=payment,
        )
    except BankRefused as error:
        payment_end(payment=payment, reason=error.code)
        raise PaymentError(refusal_text(error, about="payment"), code=error.code) from error
    except BankError as error:
        raise BankUnreachable(refusal_text(error, about="payment")) from None
    payment_move(
        payment=payment,
        to=S.AWAITING_CODE,
        by=BANK,
        when=(S.REQUESTING,),
        **_code_fields(info),
    )
    return payment


def _code_fields(info: OperationInfo) -> dict[str, Any]:
    return {
        "bank_operation_id": info.id,
        "code_expires_at": info.code_expires_at,
        "attempts_left": info.attempts_left,
        "code_refusal": "",
    }


def payment_resend(*, payment: Payment) -> Payment:
    """A new code by email; the old one stops working. No more codes: the payment ends."""
    if payment.status != S.AWAITING_CODE:
        raise PaymentError(_("This payment is not waiting for a code."))
    budget_check(user=payment.buyer, kind=Kind.CODE)
    try:
        info = bank_call(
            "resend",
            lambda c: c.operation_resend(operation_id=payment.bank_operation_id),
            payment=payment,
        )
    except BankRefused as error:
        message = refusal_text(error, about="payment")
        if error.code not in ENDS_PAYMENT:
            raise CodeRejected(message, code=error.code) from error
        payment_end(payment=payment, reason=error.code)
        raise PaymentError(message, code=error.code) from error
    except BankError as error:
        raise BankUnreachable(refusal_text(error, about="payment")) from None
    # The same status with a new code: not a move, so a plain conditional update.
    Payment.objects.filter(pk=payment.pk, status=S.AWAITING_CODE).update(
        **_code_fields(info), updated_at=timezone.now()
    )
    payment.refresh_from_db()
    return payment


def payment_end(
    *, payment: Payment, reason: str, by: str = BANK, deal_to: str | None = None
) -> bool:
    """End a payment that the bank has not executed: nothing was charged, and the deal is
    payable again (or goes to ``deal_to``). False if it had moved on meanwhile."""
    return payment_move(
        payment=payment,
        to=S.FAILED,
        by=by,
        when=BEFORE_EXECUTION,
        reason=reason,
        deal_to=deal_to,
    )


def payments_end_with_deals(*, limit: int = 500) -> int:
    """End the payments whose deal has ended or whose payment window has passed.

    A deal awaiting the code expires with its window, its payment ended in the same
    transaction (the items go back to the offer); one whose code is being checked or whose
    money is moving is left to finish, and expires at the next run if it did not. A
    payment left waiting for a code after its deal was cancelled ends too. Returns how
    many payments ended.
    """
    now = timezone.now()
    waiting = (S.REQUESTING, S.AWAITING_CODE)
    due = (
        Payment.objects.filter(status__in=waiting, deal__status=DealStatus.AWAITING_CODE)
        .filter(deal__expires_at__lte=now)
        .order_by("deal__expires_at", "pk")[:limit]
    )
    ended = 0
    for payment in due:
        ended += payment_move(
            payment=payment,
            to=S.FAILED,
            by=SYSTEM,
            when=waiting,
            reason="deal_expired",
            deal_to=DealStatus.EXPIRED,
        )
    orphans = Payment.objects.filter(
        status__in=waiting, deal__status__in=(DealStatus.CANCELLED, DealStatus.EXPIRED)
    ).select_related("deal")[:limit]
    for payment in orphans:
        ended += payment_end(payment=payment, reason=f"deal_{payment.deal.status}", by=SYSTEM)
    return ended
