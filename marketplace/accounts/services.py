"""Writes on settlement accounts: link with the owner's code, set default, remove.

The bank is called outside database transactions: a row is saved first (with the
idempotency key the request will carry), then the bank is asked, then the answer is saved.
A retry after a lost answer reuses the key, so the bank never opens a second operation.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from paylib.accounts import AccountNumberError, validate_account_number
from paylib.errors import ApplicationError
from users.models import User

from .bank import BankRefusal, call_bank
from .models import SettlementAccount, new_link_key

Status = SettlementAccount.Status


def number_error_message(code: str) -> str:
    messages = {
        "not_digits": _("An account number consists of digits only."),
        "wrong_length": _("An account number has exactly 20 digits."),
        "bad_control_key": _(
            "This number has a typo: its control digit does not match our bank. Check it."
        ),
    }
    return messages.get(code, _("Enter a valid account number."))


def check_account_number(number: str) -> str:
    """The number without spaces, if it is an account of our bank; else ApplicationError."""
    number = "".join(number.split())
    try:
        validate_account_number(number, bik=settings.BANK_BIK)
    except AccountNumberError as error:
        message = number_error_message(error.code)
        raise ApplicationError(message, code=error.code, field="number") from None
    return number


def _pending_row(user: User, number: str) -> tuple[SettlementAccount, bool]:
    """The row this attempt uses: new, or an earlier pending one. True if it was created."""
    with transaction.atomic():
        account = (
            SettlementAccount.objects.select_for_update().filter(user=user, number=number).first()
        )
        if account is None:
            return SettlementAccount.objects.create(user=user, number=number), True
        if account.status == Status.LINKED:
            raise ApplicationError(_("This account is already linked."), field="number")
        if account.bank_operation_id:
            # The earlier request reached the bank: this is a new attempt with a new code.
            account.idempotency_key = new_link_key()
            account.save(update_fields=["idempotency_key"])
        return account, False


def settlement_account_add(*, user: User, number: str) -> SettlementAccount:
    """Ask the bank to link ``number``; the bank emails its owner a code."""
    number = check_account_number(number)
    account, created = _pending_row(user, number)
    try:
        info = call_bank(
            lambda bank: bank.link_request(
                account_number=number, idempotency_key=account.idempotency_key
            ),
            field="number",
        )
    except BankRefusal as refusal:
        if created and not refusal.extra.get("unavailable"):
            account.delete()  # the bank said no: leave nothing behind
        raise
    account.bank_operation_id = info.id
    account.code_expires_at = info.code_expires_at
    account.save(update_fields=["bank_operation_id", "code_expires_at"])
    return account


def _mark_linked(account: SettlementAccount) -> SettlementAccount:
    with transaction.atomic():
        locked = SettlementAccount.objects.select_for_update().get(pk=account.pk)
        has_default = SettlementAccount.objects.filter(
            user_id=locked.user_id, is_default_payout=True
        ).exists()
        locked.status = Status.LINKED
        locked.linked_at = timezone.now()
        locked.is_default_payout = not has_default
        locked.code_expires_at = None
        locked.save(update_fields=["status", "linked_at", "is_default_payout", "code_expires_at"])
    return locked


def settlement_account_confirm(*, account: SettlementAccount, code: str) -> SettlementAccount:
    """Send the owner's code to the bank; on a match the account is linked."""
    if account.status == Status.LINKED:
        return account
    if not account.bank_operation_id:
        raise ApplicationError(_("No code was requested for this account yet."), field="code")
    operation_id = account.bank_operation_id
    try:
        info = call_bank(
            lambda bank: bank.link_confirm(operation_id=operation_id, code=code.strip()),
            field="code",
        )
    except BankRefusal as refusal:
        if refusal.code != "wrong_state":
            raise
        # An earlier confirm may have succeeded with its answer lost: ask what happened.
        info = call_bank(lambda bank: bank.operation_get(operation_id=operation_id))
        if info.status != "done":
            raise refusal from None
    if info.status != "done":
        raise ApplicationError(_("The bank has not confirmed the link yet."), field="code")
    return _mark_linked(account)


def settlement_account_resend(*, account: SettlementAccount) -> SettlementAccount:
    if account.status != Status.PENDING or not account.bank_operation_id:
        raise ApplicationError(_("This account does not wait for a code."))
    operation_id = account.bank_operation_id
    info = call_bank(lambda bank: bank.operation_resend(operation_id=operation_id))
    account.code_expires_at = info.code_expires_at
    account.save(update_fields=["code_expires_at"])
    return account


def settlement_account_set_default(*, account: SettlementAccount) -> SettlementAccount:
    """Make ``account`` the one where the user's sales are paid out."""
    with transaction.atomic():
        locked = SettlementAccount.objects.select_for_update().get(pk=account.pk)
        if locked.status != Status.LINKED:
            raise ApplicationError(_("Only a linked account can receive payouts."))
        SettlementAccount.objects.filter(user_id=locked.user_id, is_default_payout=True).exclude(
            pk=locked.pk
        ).update(is_default_payout=False)
        locked.is_default_payout = True
        locked.save(update_fields=["is_default_payout"])
    return locked


def _check_not_last_for_offers(account: SettlementAccount) -> None:
    from offers.models import Offer

    others = SettlementAccount.objects.filter(user_id=account.user_id, status=Status.LINKED)
    if others.exclude(pk=account.pk).exists():
        return
    if Offer.objects.filter(seller_id=account.user_id, status=Offer.Status.ACTIVE).exists():
        raise ApplicationError(
            _(
                "This is your last linked account and you have active offers: buyers pay "
                "into it. Pause or close your offers first."
            ),
            code="account_in_use",
        )


def settlement_account_remove(*, account: SettlementAccount) -> None:
    """Revoke the bank link (if any) and forget the account; another becomes the default.

    The last linked account of a seller with offers in the catalogue stays: buyers could
    not pay him without it.
    """
    if account.status == Status.LINKED:
        _check_not_last_for_offers(account)
        number = account.number
        try:
            call_bank(lambda bank: bank.link_revoke(account_number=number))
        except BankRefusal as refusal:
            if refusal.code != "account_not_available":
                raise  # already unlinked at the bank is fine; anything else is not
    with transaction.atomic():
        locked = SettlementAccount.objects.select_for_update().filter(pk=account.pk).first()
        if locked is None:
            return
        was_default = locked.is_default_payout
        locked.delete()
        if was_default:
            successor = (
                SettlementAccount.objects.filter(user_id=locked.user_id, status=Status.LINKED)
                .order_by("linked_at", "id")
                .first()
            )
            if successor is not None:
                successor.is_default_payout = True
                successor.save(update_fields=["is_default_payout"])
