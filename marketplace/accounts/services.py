"""Writes on settlement accounts: link with the owner's code, set default, remove.

The bank is called outside database transactions (through ``banking``, which logs every
call): a row is saved first (with the idempotency key the request will carry), then the
bank is asked, then the answer is saved. A retry after a lost answer reuses the key, so
the bank never opens a second operation. A bank account belongs to one user here: it is
linked to one at most (a constraint), and the codes and emails a user may cause are
limited (``banking.limits``).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bank_client import BankError, BankRefused, new_idempotency_key
from banking.limits import Kind, attempt_release, attempt_reserve, budget_check
from banking.services import bank_call
from banking.texts import refusal_text
from paylib.accounts import AccountNumberError, validate_account_number
from paylib.errors import ApplicationError
from users.models import User

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


LINKED_ELSEWHERE = gettext_lazy(
    "This account is already linked to another user of the marketplace: a bank account "
    "belongs to one user here. Its owner can remove it from his list first."
)


def _check_not_linked_elsewhere(user_id: int, number: str, *, field: str | None) -> None:
    taken = SettlementAccount.objects.filter(number=number, status=Status.LINKED)
    if taken.exclude(user_id=user_id).exists():
        raise ApplicationError(str(LINKED_ELSEWHERE), code="linked_elsewhere", field=field)


def _refusal(error: BankError, *, field: str | None = None) -> ApplicationError:
    return ApplicationError(refusal_text(error, about="link"), code=error.code, field=field)


def _pending_row(
    user: User, number: str, form_key: uuid.UUID | None
) -> tuple[SettlementAccount, bool, bool]:
    """The row this attempt uses, new or an earlier pending one, with the email it asks for
    counted against the user's budget. Returns (row, created, repeat): ``repeat`` when the
    same form was sent again after its code was asked for, so no new code is asked."""
    with transaction.atomic():
        User.objects.select_for_update(no_key=True).filter(pk=user.pk).values_list("pk").get()
        account = (
            SettlementAccount.objects.select_for_update().filter(user=user, number=number).first()
        )
        created = account is None
        if account is None:
            account = SettlementAccount.objects.create(user=user, number=number, form_key=form_key)
        elif account.status == Status.LINKED:
            if form_key is not None and account.form_key == form_key:
                return account, False, True  # the form that linked it, sent again
            raise ApplicationError(_("This account is already linked."), field="number")
        elif form_key is not None and account.form_key == form_key and account.bank_operation_id:
            return account, False, True
        elif account.bank_operation_id:
            # The earlier request reached the bank: this is a new attempt with a new code.
            account.idempotency_key = new_link_key()
            account.form_key = form_key
            account.save(update_fields=["idempotency_key", "form_key"])
        # A retry after a timeout carries the same key and is not counted twice.
        attempt_reserve(user=user, kind=Kind.LINK_EMAIL, key=account.idempotency_key)
    return account, created, False


def settlement_account_add(
    *, user: User, number: str, form_key: uuid.UUID | None = None
) -> SettlementAccount:
    """Ask the bank to link ``number``; the bank emails its owner a code.

    ``form_key`` is the add form's idempotency key: the same form sent twice (a double
    click, a resent POST) asks for one code, and the second answer is the first one's row.
    """
    number = check_account_number(number)
    _check_not_linked_elsewhere(user.pk, number, field="number")
    budget_check(user=user, kind=Kind.CODE)  # a code he could not use is not sent
    account, created, repeat = _pending_row(user, number, form_key)
    if repeat:
        return account
    key = account.idempotency_key
    try:
        info = bank_call(
            "link_request",
            lambda bank: bank.link_request(account_number=number, idempotency_key=key),
            account=account,
        )
    except BankRefused as error:
        attempt_release(kind=Kind.LINK_EMAIL, key=key)  # the bank emailed nobody
        if created:
            account.delete()  # the bank said no: leave nothing behind
        raise _refusal(error, field="number") from error
    except BankError as error:
        raise _refusal(error, field="number") from error  # pending: a retry reuses the key
    account.bank_operation_id = info.id
    account.code_expires_at = info.code_expires_at
    account.save(update_fields=["bank_operation_id", "code_expires_at"])
    return account


def _mark_linked(account: SettlementAccount) -> SettlementAccount:
    try:
        with transaction.atomic():
            locked = SettlementAccount.objects.select_for_update().get(pk=account.pk)
            has_default = SettlementAccount.objects.filter(
                user_id=locked.user_id, is_default_payout=True
            ).exists()
            locked.status = Status.LINKED
            locked.linked_at = timezone.now()
            locked.is_default_payout = not has_default
            locked.code_expires_at = None
            locked.save(
                update_fields=["status", "linked_at", "is_default_payout", "code_expires_at"]
            )
    except IntegrityError:
        # Two users' requests for one account, both confirmed: the first link stands
        # (accounts_number_linked_once); this one is dropped.
        _check_not_linked_elsewhere(account.user_id, account.number, field=None)
        raise
    return locked


def _link_status(operation_id: str, account: SettlementAccount) -> str:
    info = bank_call(
        "status", lambda bank: bank.operation_get(operation_id=operation_id), account=account
    )
    return info.status


def settlement_account_confirm(*, account: SettlementAccount, code: str) -> SettlementAccount:
    """Send the owner's code to the bank; on a match the account is linked.

    The code counts against the user's budget of wrong codes until the bank accepts it.
    """
    if account.status == Status.LINKED:
        return account
    if not account.bank_operation_id:
        raise ApplicationError(_("No code was requested for this account yet."), field="code")
    _check_not_linked_elsewhere(account.user_id, account.number, field=None)
    operation_id = account.bank_operation_id
    key = new_idempotency_key(f"link-{account.pk}")
    attempt_reserve(user=account.user, kind=Kind.CODE, key=key)
    try:
        status = bank_call(
            "link_confirm",
            lambda bank: bank.link_confirm(operation_id=operation_id, code=code.strip()),
            account=account,
        ).status
    except BankRefused as error:
        if error.code not in ("invalid_code", "operation_blocked"):
            attempt_release(kind=Kind.CODE, key=key)  # the bank did not check it
        if error.code != "wrong_state":
            raise _refusal(error, field="code") from error
        # An earlier confirm may have succeeded with its answer lost: ask what happened.
        try:
            status = _link_status(operation_id, account)
        except BankError:
            raise _refusal(error, field="code") from None
        if status != "done":
            raise _refusal(error, field="code") from None
    except BankError as error:  # no answer: it stays counted, as a wrong code would
        raise _refusal(error, field="code") from error
    if status != "done":
        raise ApplicationError(_("The bank has not confirmed the link yet."), field="code")
    attempt_release(kind=Kind.CODE, key=key)
    return _mark_linked(account)


def settlement_account_resend(*, account: SettlementAccount) -> SettlementAccount:
    if account.status != Status.PENDING or not account.bank_operation_id:
        raise ApplicationError(_("This account does not wait for a code."))
    budget_check(user=account.user, kind=Kind.CODE)
    operation_id = account.bank_operation_id
    key = new_idempotency_key(f"resend-{account.pk}")
    attempt_reserve(user=account.user, kind=Kind.LINK_EMAIL, key=key)
    try:
        info = bank_call(
            "resend", lambda bank: bank.operation_resend(operation_id=operation_id), account=account
        )
    except BankRefused as error:
        attempt_release(kind=Kind.LINK_EMAIL, key=key)
        raise _refusal(error) from error
    except BankError as error:
        raise _refusal(error) from error
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
            bank_call(
                "link_revoke", lambda bank: bank.link_revoke(account_number=number), account=account
            )
        except BankRefused as error:
            if error.code != "account_not_available":  # already unlinked at the bank is fine
                raise _refusal(error) from error
        except BankError as error:
            raise _refusal(error) from error
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
